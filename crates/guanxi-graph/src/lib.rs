//! Graph projections of the knowledge graph: co-occurrence and interaction graphs, their
//! metrics (weighted degree, PageRank, communities), and writers for DOT, GraphML, GEXF and
//! JSON node-link.
//!
//! Design decision: projections are built in Rust from streamed rows, not by a global SPARQL
//! join (which is slow at scale). The caller turns the store into [`Input`]: entities and
//! *units* — the sets of entities that co-occur (a sentence, an article, an interaction), each
//! with a date and its sources. Everything here is ordered by entity id or name, so the same
//! input always gives byte-identical output.

mod error;
mod metrics;
mod write;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

pub use error::GraphError;
pub use metrics::{communities, pagerank};

use petgraph::graph::{NodeIndex, UnGraph};

/// The kind of an entity node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// `schema:Person`.
    Person,
    /// `schema:Organization`.
    Organization,
    /// `schema:Place`.
    Place,
}

impl Kind {
    /// Lower-case English name.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Person => "person",
            Kind::Organization => "organization",
            Kind::Place => "place",
        }
    }
}

/// An entity that may become a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entity {
    /// Stable identifier (the entity's IRI).
    pub id: String,
    /// Display name (`schema:name`, Chinese).
    pub name: String,
    /// English name when known.
    pub english: Option<String>,
    /// Kind.
    pub kind: Kind,
}

/// A set of entities that occur together: a sentence, an article or an interaction.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Unit {
    /// Indices into [`Input::entities`].
    pub members: Vec<usize>,
    /// Its date (`YYYY-MM-DD`, `YYYY-MM` or `YYYY`), when known.
    pub date: Option<String>,
    /// The publishers that report it.
    pub sources: Vec<String>,
    /// For interactions: the type (`Talks`, `Meeting`, …).
    pub label: Option<String>,
}

/// What a projection is built from.
#[derive(Debug, Clone, Default)]
pub struct Input {
    /// Candidate nodes.
    pub entities: Vec<Entity>,
    /// Co-occurrence units.
    pub units: Vec<Unit>,
}

/// How an edge is weighted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Weight {
    /// Units holding both ends.
    #[default]
    Count,
    /// Distinct sources (publishers) of those units.
    Sources,
    /// Normalised pointwise mutual information, in [-1, 1]: how much more often the two occur
    /// together than chance would have them.
    Npmi,
}

/// What sizes a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SizeBy {
    /// The sum of its edges' counts.
    #[default]
    Degree,
    /// Weighted PageRank.
    PageRank,
}

/// What colours a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorBy {
    /// Its community (modularity, by the Louvain method).
    #[default]
    Community,
    /// Its kind.
    Kind,
}

/// What to build and keep.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphConfig {
    /// Node kinds kept.
    pub kinds: BTreeSet<Kind>,
    /// Edge weight.
    pub weight: Weight,
    /// Keep units dated on or after this (`YYYY-MM-DD`, or a prefix `YYYY-MM`, `YYYY`).
    pub since: Option<String>,
    /// Keep units dated on or before this (a prefix covers its whole month or year).
    pub until: Option<String>,
    /// Keep units reported by this publisher.
    pub publisher: Option<String>,
    /// Drop edges shared by fewer units than this.
    pub min_weight: u32,
    /// Keep at most this many nodes, the strongest first.
    pub top: Option<usize>,
    /// Keep only the neighbourhood of the entity of this name (or id)…
    pub ego: Option<String>,
    /// …up to this many steps.
    pub depth: usize,
    /// Node size.
    pub size_by: SizeBy,
    /// Node colour.
    pub color_by: ColorBy,
    /// Graphviz layout engine named in the DOT (`dot`, `neato`, `sfdp`, …).
    pub layout: String,
    /// Edge labels give the interaction types and counts (the interaction graph).
    pub interaction_labels: bool,
    /// Graph title.
    pub title: String,
}

impl Default for GraphConfig {
    fn default() -> Self {
        GraphConfig {
            kinds: BTreeSet::from([Kind::Person]),
            weight: Weight::Count,
            since: None,
            until: None,
            publisher: None,
            min_weight: 1,
            top: Some(150),
            ego: None,
            depth: 1,
            size_by: SizeBy::Degree,
            color_by: ColorBy::Community,
            layout: "neato".to_string(),
            interaction_labels: false,
            title: String::new(),
        }
    }
}

/// A node of a projection.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeData {
    /// The entity.
    pub entity: Entity,
    /// Units it occurs in.
    pub occurrences: u32,
    /// Sum of its edges' counts.
    pub degree: u32,
    /// Weighted PageRank (sums to 1 over the graph).
    pub pagerank: f64,
    /// Community number: 0 is the largest.
    pub community: usize,
}

/// An edge of a projection.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeData {
    /// Units holding both ends.
    pub count: u32,
    /// Distinct sources of those units.
    pub sources: u32,
    /// Normalised PMI.
    pub npmi: f64,
    /// Units per label (interaction type), for the interaction graph.
    pub labels: BTreeMap<String, u32>,
}

impl EdgeData {
    /// The weight the configuration asks for.
    pub fn weight(&self, w: Weight) -> f64 {
        match w {
            Weight::Count => f64::from(self.count),
            Weight::Sources => f64::from(self.sources),
            Weight::Npmi => self.npmi,
        }
    }
}

/// A built projection: nodes in name order, edges in endpoint order.
#[derive(Debug, Clone)]
pub struct Projection {
    /// The graph.
    pub graph: UnGraph<NodeData, EdgeData>,
    /// Units counted (after the filters).
    pub units: usize,
}

/// Whether `date` falls in `[since, until]`; a prefix bound covers its month or year.
fn in_range(date: Option<&str>, since: Option<&str>, until: Option<&str>) -> bool {
    if since.is_none() && until.is_none() {
        return true;
    }
    let Some(d) = date else { return false };
    let after = since.is_none_or(|s| d >= s || s.starts_with(d));
    let before = until.is_none_or(|u| d <= u || d.starts_with(u));
    after && before
}

/// The number of `s`, given on first sight.
fn intern<'a>(ids: &mut BTreeMap<&'a str, u32>, names: &mut Vec<&'a str>, s: &'a str) -> u32 {
    let next = names.len() as u32;
    let id = *ids.entry(s).or_insert(next);
    if id == next {
        names.push(s);
    }
    id
}

/// Builds a projection of `input` as `config` asks.
pub fn project(input: &Input, config: &GraphConfig) -> Result<Projection, GraphError> {
    // Units after the date and publisher filters, members of the kept kinds, deduplicated.
    let units: Vec<(&Unit, Vec<usize>)> = input
        .units
        .iter()
        .filter(|u| {
            in_range(
                u.date.as_deref(),
                config.since.as_deref(),
                config.until.as_deref(),
            )
        })
        .filter(|u| {
            config
                .publisher
                .as_ref()
                .is_none_or(|p| u.sources.iter().any(|s| s == p))
        })
        .map(|u| {
            let mut m: Vec<usize> = u
                .members
                .iter()
                .copied()
                .filter(|&i| {
                    input
                        .entities
                        .get(i)
                        .is_some_and(|e| config.kinds.contains(&e.kind))
                })
                .collect();
            m.sort_unstable();
            m.dedup();
            (u, m)
        })
        .filter(|(_, m)| !m.is_empty())
        .collect();
    let n_units = units.len();

    let mut occurrences: BTreeMap<usize, u32> = BTreeMap::new();
    // Sources and labels are interned: a pair seen in thousands of units would otherwise
    // copy their names thousands of times.
    let mut ids: BTreeMap<&str, u32> = BTreeMap::new();
    let mut names: Vec<&str> = Vec::new();
    struct Acc {
        count: u32,
        sources: BTreeSet<u32>,
        labels: BTreeMap<u32, u32>,
    }
    let mut pairs: BTreeMap<(usize, usize), Acc> = BTreeMap::new();
    for (u, m) in &units {
        let src: Vec<u32> = u
            .sources
            .iter()
            .map(|s| intern(&mut ids, &mut names, s))
            .collect();
        let label = u.label.as_deref().map(|l| intern(&mut ids, &mut names, l));
        for (i, &a) in m.iter().enumerate() {
            *occurrences.entry(a).or_default() += 1;
            for &b in &m[i + 1..] {
                let acc = pairs.entry((a, b)).or_insert_with(|| Acc {
                    count: 0,
                    sources: BTreeSet::new(),
                    labels: BTreeMap::new(),
                });
                acc.count += 1;
                acc.sources.extend(src.iter().copied());
                if let Some(l) = label {
                    *acc.labels.entry(l).or_default() += 1;
                }
            }
        }
    }
    pairs.retain(|_, acc| acc.count >= config.min_weight);

    // The ego network: breadth-first from every entity of that name, up to `depth` steps.
    let mut keep: Option<BTreeSet<usize>> = None;
    if let Some(name) = &config.ego {
        let roots: Vec<usize> = occurrences
            .keys()
            .copied()
            .filter(|&i| {
                input
                    .entities
                    .get(i)
                    .is_some_and(|e| &e.name == name || &e.id == name)
            })
            .collect();
        if roots.is_empty() {
            return Err(GraphError::UnknownFocus(name.clone()));
        }
        let mut adj: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for &(a, b) in pairs.keys() {
            adj.entry(a).or_default().push(b);
            adj.entry(b).or_default().push(a);
        }
        let mut seen: BTreeSet<usize> = roots.iter().copied().collect();
        let mut queue: VecDeque<(usize, usize)> = roots.iter().map(|&r| (r, 0)).collect();
        while let Some((n, d)) = queue.pop_front() {
            if d >= config.depth {
                continue;
            }
            for &m in adj.get(&n).into_iter().flatten() {
                if seen.insert(m) {
                    queue.push_back((m, d + 1));
                }
            }
        }
        pairs.retain(|(a, b), _| seen.contains(a) && seen.contains(b));
        keep = Some(seen);
    }

    // Strength by count; the strongest `top` nodes stay (an ego's roots always do).
    let mut strength: BTreeMap<usize, u32> = BTreeMap::new();
    for (&(a, b), acc) in &pairs {
        *strength.entry(a).or_default() += acc.count;
        *strength.entry(b).or_default() += acc.count;
    }
    let mut ranked: Vec<(usize, u32)> = match &keep {
        Some(k) => k
            .iter()
            .map(|&i| (i, strength.get(&i).copied().unwrap_or(0)))
            .collect(),
        None => strength.iter().map(|(&i, &s)| (i, s)).collect(),
    };
    let name_of = |i: usize| input.entities.get(i).map_or("", |e| e.name.as_str());
    let id_of = |i: usize| input.entities.get(i).map_or("", |e| e.id.as_str());
    ranked.sort_by(|x, y| {
        let root = |i: usize| {
            config
                .ego
                .as_ref()
                .is_some_and(|n| name_of(i) == n || id_of(i) == n)
        };
        root(y.0)
            .cmp(&root(x.0))
            .then(y.1.cmp(&x.1))
            .then(name_of(x.0).cmp(name_of(y.0)))
            .then(id_of(x.0).cmp(id_of(y.0)))
    });
    if let Some(top) = config.top {
        ranked.truncate(top);
    }
    let mut nodes: Vec<usize> = ranked.iter().map(|x| x.0).collect();
    nodes.sort_by(|&a, &b| name_of(a).cmp(name_of(b)).then(id_of(a).cmp(id_of(b))));

    let mut graph: UnGraph<NodeData, EdgeData> = UnGraph::new_undirected();
    let mut index: BTreeMap<usize, NodeIndex> = BTreeMap::new();
    for &i in &nodes {
        let Some(e) = input.entities.get(i) else {
            continue;
        };
        let ix = graph.add_node(NodeData {
            entity: e.clone(),
            occurrences: occurrences.get(&i).copied().unwrap_or(0),
            degree: 0,
            pagerank: 0.0,
            community: 0,
        });
        index.insert(i, ix);
    }
    let total = n_units.max(1) as f64;
    for (&(a, b), acc) in &pairs {
        let (Some(&x), Some(&y)) = (index.get(&a), index.get(&b)) else {
            continue;
        };
        let pa = f64::from(occurrences.get(&a).copied().unwrap_or(1)) / total;
        let pb = f64::from(occurrences.get(&b).copied().unwrap_or(1)) / total;
        let pab = f64::from(acc.count) / total;
        let npmi = if pab >= 1.0 {
            1.0
        } else {
            (pab / (pa * pb)).ln() / -pab.ln()
        };
        graph.add_edge(
            x,
            y,
            EdgeData {
                count: acc.count,
                sources: acc.sources.len() as u32,
                npmi,
                labels: acc
                    .labels
                    .iter()
                    .map(|(&l, &n)| (names.get(l as usize).copied().unwrap_or("").to_string(), n))
                    .collect(),
            },
        );
        graph[x].degree += acc.count;
        graph[y].degree += acc.count;
    }
    let ranks = pagerank(&graph, 0.85, 100);
    let groups = communities(&graph);
    for (n, (r, c)) in graph.node_indices().zip(ranks.into_iter().zip(groups)) {
        graph[n].pagerank = r;
        graph[n].community = c;
    }
    Ok(Projection {
        graph,
        units: n_units,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> Input {
        let e = |id: &str, kind| Entity {
            id: id.into(),
            name: id.into(),
            english: None,
            kind,
        };
        let u = |m: &[usize], d: &str, s: &str| Unit {
            members: m.to_vec(),
            date: Some(d.into()),
            sources: vec![s.into()],
            label: None,
        };
        Input {
            entities: vec![
                e("王毅", Kind::Person),
                e("拉夫罗夫", Kind::Person),
                e("莫斯科", Kind::Place),
                e("苏杰生", Kind::Person),
            ],
            units: vec![
                u(&[0, 1, 2], "2020-09-10", "联合早报"),
                u(&[0, 1], "2020-09-11", "法国国际广播电台"),
                u(&[0, 3, 2], "2020-10-01", "联合早报"),
            ],
        }
    }

    #[test]
    fn counts_sources_and_filters() {
        let p = project(&input(), &GraphConfig::default()).unwrap_or_else(|_| unreachable!());
        let g = &p.graph;
        assert_eq!(g.node_count(), 3, "places are not persons");
        let e = g
            .edge_indices()
            .find(|&e| {
                g.edge_endpoints(e).is_some_and(|(a, b)| {
                    g[a].entity.name == "拉夫罗夫" || g[b].entity.name == "拉夫罗夫"
                })
            })
            .map(|e| g[e].clone());
        assert_eq!(e.as_ref().map(|e| (e.count, e.sources)), Some((2, 2)));
        let cfg = GraphConfig {
            until: Some("2020-09".into()),
            ..GraphConfig::default()
        };
        let p = project(&input(), &cfg).unwrap_or_else(|_| unreachable!());
        assert_eq!(p.units, 2);
        assert_eq!(p.graph.node_count(), 2);
    }

    #[test]
    fn ego_depth_and_unknown_name() {
        let cfg = GraphConfig {
            ego: Some("苏杰生".into()),
            depth: 1,
            ..GraphConfig::default()
        };
        let p = project(&input(), &cfg).unwrap_or_else(|_| unreachable!());
        let names: Vec<&str> = p
            .graph
            .node_weights()
            .map(|n| n.entity.name.as_str())
            .collect();
        assert_eq!(names, vec!["王毅", "苏杰生"]);
        let cfg = GraphConfig { depth: 2, ..cfg };
        let p = project(&input(), &cfg).unwrap_or_else(|_| unreachable!());
        assert_eq!(p.graph.node_count(), 3);
        let cfg = GraphConfig {
            ego: Some("无此人".into()),
            ..GraphConfig::default()
        };
        assert!(project(&input(), &cfg).is_err());
    }

    #[test]
    fn dates_compare_by_prefix() {
        assert!(in_range(
            Some("2020-09-10"),
            Some("2020-09"),
            Some("2020-09")
        ));
        assert!(in_range(Some("2020-09"), Some("2020-09-05"), None));
        assert!(!in_range(Some("2020-10-01"), None, Some("2020-09")));
        assert!(!in_range(None, Some("2020"), None));
    }
}
