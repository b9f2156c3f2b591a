//! Co-occurrence graphs from SPARQL rows, written as Graphviz DOT.
//!
//! Design decision: projections are built in Rust from streamed `(article, entity)` rows,
//! not by a global SPARQL join (which is slow at scale). Nodes and edges are emitted in a
//! fixed order (weight, then name), so the same rows always give byte-identical DOT.

mod error;

use std::collections::{BTreeMap, BTreeSet, HashMap};

pub use error::GraphError;

use graphviz_rust::dot_structures::{
    Attribute, Edge, EdgeTy, Graph, GraphAttributes, Id, Node, NodeId, Stmt, Vertex,
};
use graphviz_rust::printer::{DotPrinter, PrinterContext};
use petgraph::graph::{NodeIndex, UnGraph};

/// What to keep in a co-occurrence graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphConfig {
    /// Drop edges seen in fewer articles than this.
    pub min_weight: u32,
    /// Keep at most this many nodes, the most connected first.
    pub max_nodes: Option<usize>,
    /// Keep only this entity and its neighbours.
    pub focus: Option<String>,
    /// Graph title (DOT `label`).
    pub title: String,
}

impl Default for GraphConfig {
    fn default() -> Self {
        GraphConfig {
            min_weight: 1,
            max_nodes: Some(150),
            focus: None,
            title: String::new(),
        }
    }
}

/// A weighted co-occurrence graph: node weight = entity name and article count, edge weight = shared articles.
pub struct CoOccurrence {
    /// The graph.
    pub graph: UnGraph<(String, u32), u32>,
}

/// Builds the graph from `(article, entity name)` rows: two entities are linked once per
/// article that mentions both.
pub fn cooccurrence<I, A, N>(rows: I, config: &GraphConfig) -> Result<CoOccurrence, GraphError>
where
    I: IntoIterator<Item = (A, N)>,
    A: Into<String>,
    N: Into<String>,
{
    let mut by_article: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (a, n) in rows {
        by_article.entry(a.into()).or_default().insert(n.into());
    }
    let mut node_count: BTreeMap<String, u32> = BTreeMap::new();
    let mut edges: BTreeMap<(String, String), u32> = BTreeMap::new();
    for names in by_article.values() {
        let v: Vec<&String> = names.iter().collect();
        for (i, a) in v.iter().enumerate() {
            *node_count.entry((*a).clone()).or_default() += 1;
            for b in &v[i + 1..] {
                *edges.entry(((*a).clone(), (*b).clone())).or_default() += 1;
            }
        }
    }
    edges.retain(|_, w| *w >= config.min_weight);
    if let Some(f) = &config.focus {
        if !node_count.contains_key(f) {
            return Err(GraphError::UnknownFocus(f.clone()));
        }
        edges.retain(|(a, b), _| a == f || b == f);
    }
    // Degree by total edge weight; ties by name.
    let mut strength: BTreeMap<&str, u32> = BTreeMap::new();
    for ((a, b), w) in &edges {
        *strength.entry(a).or_default() += w;
        *strength.entry(b).or_default() += w;
    }
    let mut ranked: Vec<(&str, u32)> = strength.iter().map(|(k, v)| (*k, *v)).collect();
    ranked.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(y.0)));
    if let Some(max) = config.max_nodes {
        ranked.truncate(max);
    }
    let keep: BTreeSet<&str> = ranked.iter().map(|x| x.0).collect();
    let mut graph = UnGraph::new_undirected();
    let mut idx: HashMap<&str, NodeIndex> = HashMap::new();
    for name in &keep {
        let count = node_count.get(*name).copied().unwrap_or(0);
        idx.insert(name, graph.add_node(((*name).to_string(), count)));
    }
    for ((a, b), w) in &edges {
        if let (Some(&x), Some(&y)) = (idx.get(a.as_str()), idx.get(b.as_str())) {
            graph.add_edge(x, y, *w);
        }
    }
    Ok(CoOccurrence { graph })
}

fn quoted(s: &str) -> Id {
    Id::Escaped(format!(
        "\"{}\"",
        s.replace('\\', "\\\\").replace('"', "\\\"")
    ))
}

fn attr(k: &str, v: Id) -> Attribute {
    Attribute(Id::Plain(k.to_string()), v)
}

impl CoOccurrence {
    /// The graph as DOT text: node size by article count, edge width by shared articles.
    pub fn to_dot(&self, config: &GraphConfig) -> String {
        let g = &self.graph;
        let mut stmts: Vec<Stmt> = vec![
            Stmt::GAttribute(GraphAttributes::Graph(vec![
                attr("layout", quoted("neato")),
                attr("overlap", quoted("false")),
                attr("splines", quoted("true")),
                attr("fontname", quoted("Noto Sans CJK SC")),
                attr("label", quoted(&config.title)),
                attr("labelloc", quoted("t")),
            ])),
            Stmt::GAttribute(GraphAttributes::Node(vec![
                attr("shape", quoted("ellipse")),
                attr("style", quoted("filled")),
                attr("fillcolor", quoted("#e8f0fe")),
                attr("fontname", quoted("Noto Sans CJK SC")),
            ])),
            Stmt::GAttribute(GraphAttributes::Edge(vec![attr(
                "color",
                quoted("#5f6368"),
            )])),
        ];
        let mut nodes: Vec<&(String, u32)> = g.node_weights().collect();
        nodes.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, count) in nodes {
            let size = 10.0 + (f64::from(*count)).ln_1p() * 4.0;
            stmts.push(Stmt::Node(Node::new(
                NodeId(quoted(name), None),
                vec![
                    attr("label", quoted(name)),
                    attr("fontsize", Id::Plain(format!("{size:.1}"))),
                    attr("tooltip", quoted(&format!("{name}: {count} articles"))),
                ],
            )));
        }
        let mut edges: Vec<(&str, &str, u32)> = g
            .edge_indices()
            .filter_map(|e| {
                let (a, b) = g.edge_endpoints(e)?;
                let (na, nb) = (g[a].0.as_str(), g[b].0.as_str());
                let (na, nb) = if na <= nb { (na, nb) } else { (nb, na) };
                Some((na, nb, *g.edge_weight(e)?))
            })
            .collect();
        edges.sort();
        for (a, b, w) in edges {
            let width = 1.0 + (f64::from(w)).ln();
            stmts.push(Stmt::Edge(Edge {
                ty: EdgeTy::Pair(
                    Vertex::N(NodeId(quoted(a), None)),
                    Vertex::N(NodeId(quoted(b), None)),
                ),
                attributes: vec![
                    attr("weight", Id::Plain(w.to_string())),
                    attr("penwidth", Id::Plain(format!("{width:.2}"))),
                    attr("tooltip", quoted(&format!("{a} — {b}: {w} articles"))),
                ],
            }));
        }
        let graph = Graph::Graph {
            id: Id::Plain("cooccurrence".into()),
            strict: true,
            stmts,
        };
        let mut out = graph.print(&mut PrinterContext::default());
        out.push('\n');
        out
    }
}
