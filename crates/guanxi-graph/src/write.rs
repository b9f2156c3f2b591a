//! Writers: Graphviz DOT (through graphviz-rust), GraphML, GEXF and JSON node-link. Nodes in
//! name order, edges in endpoint-name order: byte-identical output for the same projection.

use graphviz_rust::dot_structures::{
    Attribute, Edge, EdgeTy, Graph, GraphAttributes, Id, Node, NodeId, Stmt, Vertex,
};
use graphviz_rust::printer::{DotPrinter, PrinterContext};
use petgraph::graph::NodeIndex;

use crate::{ColorBy, EdgeData, GraphConfig, Kind, NodeData, Projection, SizeBy};

/// Community colours (a qualitative palette readable on white); communities beyond it are grey.
const PALETTE: &[&str] = &[
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#86bcb6", "#d4a6c8", "#a0cbe8",
];
const OTHER: &str = "#bab0ac";
/// A font with CJK glyphs: without one, Graphviz draws Chinese labels as boxes.
pub const FONT: &str = "Noto Sans CJK SC";

/// Chinese labels of interaction types.
fn type_label(t: &str) -> &str {
    match t {
        "Meeting" => "会见",
        "Talks" => "会谈",
        "PhoneCall" => "通话",
        "VideoCall" => "视频",
        "Summit" => "峰会",
        "Visit" => "访问",
        other => other,
    }
}

fn kind_color(k: Kind) -> &'static str {
    match k {
        Kind::Person => "#4e79a7",
        Kind::Organization => "#f28e2b",
        Kind::Place => "#59a14f",
    }
}

impl NodeData {
    /// Label: the Chinese name, and the English one below it when known.
    pub fn label(&self) -> String {
        match &self.entity.english {
            Some(en) => format!("{}\n{en}", self.entity.name),
            None => self.entity.name.clone(),
        }
    }

    fn color(&self, by: ColorBy) -> &'static str {
        match by {
            ColorBy::Community => PALETTE.get(self.community).copied().unwrap_or(OTHER),
            ColorBy::Kind => kind_color(self.entity.kind),
        }
    }
}

impl EdgeData {
    /// `会谈×2 会见×1`: the interaction types of the edge, most frequent first.
    pub fn type_summary(&self) -> String {
        let mut v: Vec<(&String, &u32)> = self.labels.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        v.iter()
            .map(|(t, n)| format!("{}×{n}", type_label(t)))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn quoted(s: &str) -> Id {
    Id::Escaped(format!(
        "\"{}\"",
        s.replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n")
    ))
}

fn attr(k: &str, v: Id) -> Attribute {
    Attribute(Id::Plain(k.to_string()), v)
}

fn plain(v: String) -> Id {
    Id::Plain(v)
}

impl Projection {
    /// Nodes in the order they are written: by name, then id.
    fn ordered_nodes(&self) -> Vec<NodeIndex> {
        let g = &self.graph;
        let mut v: Vec<NodeIndex> = g.node_indices().collect();
        v.sort_by(|a, b| {
            let (x, y) = (&g[*a].entity, &g[*b].entity);
            x.name.cmp(&y.name).then(x.id.cmp(&y.id))
        });
        v
    }

    /// Edges in the order they are written, each with its ends in name order.
    fn ordered_edges(&self) -> Vec<(NodeIndex, NodeIndex, &EdgeData)> {
        let g = &self.graph;
        let key = |n: NodeIndex| (g[n].entity.name.clone(), g[n].entity.id.clone());
        let mut v: Vec<(NodeIndex, NodeIndex, &EdgeData)> = g
            .edge_indices()
            .filter_map(|e| {
                let (a, b) = g.edge_endpoints(e)?;
                let (a, b) = if key(a) <= key(b) { (a, b) } else { (b, a) };
                Some((a, b, g.edge_weight(e)?))
            })
            .collect();
        v.sort_by_key(|(a, b, _)| (key(*a), key(*b)));
        v
    }

    /// Node size on a 0–1 scale, by weighted degree or PageRank relative to the largest.
    fn scale(&self, n: NodeIndex, by: SizeBy) -> f64 {
        let g = &self.graph;
        let value = |i: NodeIndex| match by {
            SizeBy::Degree => f64::from(g[i].degree),
            SizeBy::PageRank => g[i].pagerank,
        };
        let max = g.node_indices().map(value).fold(0.0, f64::max);
        if max <= 0.0 {
            0.0
        } else {
            (value(n) / max).sqrt()
        }
    }

    fn max_weight(&self, config: &GraphConfig) -> f64 {
        self.graph
            .edge_weights()
            .map(|e| e.weight(config.weight))
            .fold(0.0, f64::max)
    }

    /// Graphviz DOT: node size by degree or PageRank, colour by community or kind, Chinese
    /// labels with English below, edge width by weight; the layout engine named in the graph.
    pub fn to_dot(&self, config: &GraphConfig) -> String {
        let g = &self.graph;
        let mut stmts: Vec<Stmt> = vec![
            Stmt::GAttribute(GraphAttributes::Graph(vec![
                attr("layout", quoted(&config.layout)),
                attr("overlap", quoted("prism")),
                attr("sep", quoted("+6")),
                attr("pad", quoted("0.3")),
                attr("outputorder", quoted("edgesfirst")),
                attr("splines", quoted("true")),
                attr("fontname", quoted(FONT)),
                attr("label", quoted(&config.title)),
                attr("labelloc", quoted("t")),
                attr("fontsize", plain("20".into())),
            ])),
            Stmt::GAttribute(GraphAttributes::Node(vec![
                attr("shape", quoted("box")),
                attr("style", quoted("rounded,filled")),
                attr("margin", quoted("0.08,0.04")),
                attr("penwidth", plain("0".into())),
                attr("fontname", quoted(FONT)),
                attr("fontcolor", quoted("#ffffff")),
            ])),
            Stmt::GAttribute(GraphAttributes::Edge(vec![
                attr("color", quoted("#9aa0a6a0")),
                attr("fontname", quoted(FONT)),
                attr("fontsize", plain("9".into())),
            ])),
        ];
        for n in self.ordered_nodes() {
            let d = &g[n];
            let s = self.scale(n, config.size_by);
            stmts.push(Stmt::Node(Node::new(
                NodeId(quoted(&d.entity.id), None),
                vec![
                    attr("label", quoted(&d.label())),
                    // The label carries the size: important actors are written larger.
                    attr("fontsize", plain(format!("{:.1}", 9.0 + 19.0 * s))),
                    attr("fillcolor", quoted(d.color(config.color_by))),
                    attr(
                        "tooltip",
                        quoted(&format!(
                            "{} ({}): {} units, weighted degree {}, PageRank {:.4}, community {}",
                            d.entity.name,
                            d.entity.kind.name(),
                            d.occurrences,
                            d.degree,
                            d.pagerank,
                            d.community
                        )),
                    ),
                ],
            )));
        }
        let max = self.max_weight(config);
        for (a, b, e) in self.ordered_edges() {
            let w = e.weight(config.weight);
            let rel = if max > 0.0 { (w / max).max(0.0) } else { 0.0 };
            let mut attributes = vec![
                attr("weight", plain(e.count.to_string())),
                attr("penwidth", plain(format!("{:.2}", 0.5 + 5.5 * rel))),
                attr(
                    "tooltip",
                    quoted(&format!(
                        "{} — {}: {} shared, {} sources, NPMI {:.3}",
                        g[a].entity.name, g[b].entity.name, e.count, e.sources, e.npmi
                    )),
                ),
            ];
            if config.interaction_labels && !e.labels.is_empty() {
                attributes.push(attr("label", quoted(&e.type_summary())));
            }
            stmts.push(Stmt::Edge(Edge {
                ty: EdgeTy::Pair(
                    Vertex::N(NodeId(quoted(&g[a].entity.id), None)),
                    Vertex::N(NodeId(quoted(&g[b].entity.id), None)),
                ),
                attributes,
            }));
        }
        let graph = Graph::Graph {
            id: Id::Plain("guanxi".into()),
            strict: true,
            stmts,
        };
        let mut out = graph.print(&mut PrinterContext::default());
        out.push('\n');
        out
    }

    /// GraphML (yEd, Cytoscape, NetworkX).
    pub fn to_graphml(&self, config: &GraphConfig) -> String {
        let g = &self.graph;
        let mut s = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n\
             \x20 <key id=\"label\" for=\"node\" attr.name=\"label\" attr.type=\"string\"/>\n\
             \x20 <key id=\"english\" for=\"node\" attr.name=\"english\" attr.type=\"string\"/>\n\
             \x20 <key id=\"kind\" for=\"node\" attr.name=\"kind\" attr.type=\"string\"/>\n\
             \x20 <key id=\"occurrences\" for=\"node\" attr.name=\"occurrences\" attr.type=\"int\"/>\n\
             \x20 <key id=\"degree\" for=\"node\" attr.name=\"degree\" attr.type=\"int\"/>\n\
             \x20 <key id=\"pagerank\" for=\"node\" attr.name=\"pagerank\" attr.type=\"double\"/>\n\
             \x20 <key id=\"community\" for=\"node\" attr.name=\"community\" attr.type=\"int\"/>\n\
             \x20 <key id=\"color\" for=\"node\" attr.name=\"color\" attr.type=\"string\"/>\n\
             \x20 <key id=\"weight\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\"/>\n\
             \x20 <key id=\"count\" for=\"edge\" attr.name=\"count\" attr.type=\"int\"/>\n\
             \x20 <key id=\"sources\" for=\"edge\" attr.name=\"sources\" attr.type=\"int\"/>\n\
             \x20 <key id=\"npmi\" for=\"edge\" attr.name=\"npmi\" attr.type=\"double\"/>\n\
             \x20 <key id=\"types\" for=\"edge\" attr.name=\"types\" attr.type=\"string\"/>\n",
        );
        s.push_str(&format!(
            "  <graph id=\"{}\" edgedefault=\"undirected\">\n",
            xml(&config.title)
        ));
        for n in self.ordered_nodes() {
            let d = &g[n];
            s.push_str(&format!("    <node id=\"{}\">\n", xml(&d.entity.id)));
            let mut data = |k: &str, v: String| {
                s.push_str(&format!("      <data key=\"{k}\">{}</data>\n", xml(&v)));
            };
            data("label", d.entity.name.clone());
            if let Some(en) = &d.entity.english {
                data("english", en.clone());
            }
            data("kind", d.entity.kind.name().to_string());
            data("occurrences", d.occurrences.to_string());
            data("degree", d.degree.to_string());
            data("pagerank", format!("{:.6}", d.pagerank));
            data("community", d.community.to_string());
            data("color", d.color(config.color_by).to_string());
            s.push_str("    </node>\n");
        }
        for (i, (a, b, e)) in self.ordered_edges().into_iter().enumerate() {
            s.push_str(&format!(
                "    <edge id=\"e{i}\" source=\"{}\" target=\"{}\">\n",
                xml(&g[a].entity.id),
                xml(&g[b].entity.id)
            ));
            let mut data = |k: &str, v: String| {
                s.push_str(&format!("      <data key=\"{k}\">{}</data>\n", xml(&v)));
            };
            data("weight", format!("{:.6}", e.weight(config.weight)));
            data("count", e.count.to_string());
            data("sources", e.sources.to_string());
            data("npmi", format!("{:.6}", e.npmi));
            if !e.labels.is_empty() {
                data("types", e.type_summary());
            }
            s.push_str("    </edge>\n");
        }
        s.push_str("  </graph>\n</graphml>\n");
        s
    }

    /// GEXF 1.3 with `viz` colours and sizes (Gephi).
    pub fn to_gexf(&self, config: &GraphConfig) -> String {
        let g = &self.graph;
        let mut s = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <gexf xmlns=\"http://gexf.net/1.3\" xmlns:viz=\"http://gexf.net/1.3/viz\" version=\"1.3\">\n",
        );
        s.push_str(&format!(
            "  <meta><creator>guanxi</creator><description>{}</description></meta>\n",
            xml(&config.title)
        ));
        s.push_str(
            "  <graph defaultedgetype=\"undirected\" mode=\"static\">\n\
             \x20   <attributes class=\"node\">\n\
             \x20     <attribute id=\"english\" title=\"english\" type=\"string\"/>\n\
             \x20     <attribute id=\"kind\" title=\"kind\" type=\"string\"/>\n\
             \x20     <attribute id=\"occurrences\" title=\"occurrences\" type=\"integer\"/>\n\
             \x20     <attribute id=\"degree\" title=\"degree\" type=\"integer\"/>\n\
             \x20     <attribute id=\"pagerank\" title=\"pagerank\" type=\"double\"/>\n\
             \x20     <attribute id=\"community\" title=\"community\" type=\"integer\"/>\n\
             \x20   </attributes>\n\
             \x20   <attributes class=\"edge\">\n\
             \x20     <attribute id=\"count\" title=\"count\" type=\"integer\"/>\n\
             \x20     <attribute id=\"sources\" title=\"sources\" type=\"integer\"/>\n\
             \x20     <attribute id=\"npmi\" title=\"npmi\" type=\"double\"/>\n\
             \x20     <attribute id=\"types\" title=\"types\" type=\"string\"/>\n\
             \x20   </attributes>\n\
             \x20   <nodes>\n",
        );
        for n in self.ordered_nodes() {
            let d = &g[n];
            let color = d.color(config.color_by);
            let (r, gr, b) = rgb(color);
            s.push_str(&format!(
                "      <node id=\"{}\" label=\"{}\">\n        <attvalues>\n",
                xml(&d.entity.id),
                xml(&d.entity.name)
            ));
            if let Some(en) = &d.entity.english {
                s.push_str(&format!(
                    "          <attvalue for=\"english\" value=\"{}\"/>\n",
                    xml(en)
                ));
            }
            s.push_str(&format!(
                "          <attvalue for=\"kind\" value=\"{}\"/>\n\
                 \x20         <attvalue for=\"occurrences\" value=\"{}\"/>\n\
                 \x20         <attvalue for=\"degree\" value=\"{}\"/>\n\
                 \x20         <attvalue for=\"pagerank\" value=\"{:.6}\"/>\n\
                 \x20         <attvalue for=\"community\" value=\"{}\"/>\n\
                 \x20       </attvalues>\n\
                 \x20       <viz:color r=\"{r}\" g=\"{gr}\" b=\"{b}\"/>\n\
                 \x20       <viz:size value=\"{:.2}\"/>\n\
                 \x20     </node>\n",
                d.entity.kind.name(),
                d.occurrences,
                d.degree,
                d.pagerank,
                d.community,
                4.0 + 36.0 * self.scale(n, config.size_by)
            ));
        }
        s.push_str("    </nodes>\n    <edges>\n");
        for (i, (a, b, e)) in self.ordered_edges().into_iter().enumerate() {
            s.push_str(&format!(
                "      <edge id=\"{i}\" source=\"{}\" target=\"{}\" weight=\"{:.6}\"",
                xml(&g[a].entity.id),
                xml(&g[b].entity.id),
                e.weight(config.weight)
            ));
            if config.interaction_labels && !e.labels.is_empty() {
                s.push_str(&format!(" label=\"{}\"", xml(&e.type_summary())));
            }
            s.push_str(&format!(
                ">\n        <attvalues>\n\
                 \x20         <attvalue for=\"count\" value=\"{}\"/>\n\
                 \x20         <attvalue for=\"sources\" value=\"{}\"/>\n\
                 \x20         <attvalue for=\"npmi\" value=\"{:.6}\"/>\n",
                e.count, e.sources, e.npmi
            ));
            if !e.labels.is_empty() {
                s.push_str(&format!(
                    "          <attvalue for=\"types\" value=\"{}\"/>\n",
                    xml(&e.type_summary())
                ));
            }
            s.push_str("        </attvalues>\n      </edge>\n");
        }
        s.push_str("    </edges>\n  </graph>\n</gexf>\n");
        s
    }

    /// JSON node-link (D3, NetworkX `node_link_graph`, vis.js).
    pub fn to_json(&self, config: &GraphConfig) -> String {
        let g = &self.graph;
        let nodes: Vec<serde_json::Value> = self
            .ordered_nodes()
            .into_iter()
            .map(|n| {
                let d = &g[n];
                serde_json::json!({
                    "id": d.entity.id,
                    "label": d.entity.name,
                    "english": d.entity.english,
                    "kind": d.entity.kind.name(),
                    "occurrences": d.occurrences,
                    "degree": d.degree,
                    "pagerank": (d.pagerank * 1e6).round() / 1e6,
                    "community": d.community,
                    "color": d.color(config.color_by),
                })
            })
            .collect();
        let links: Vec<serde_json::Value> = self
            .ordered_edges()
            .into_iter()
            .map(|(a, b, e)| {
                serde_json::json!({
                    "source": g[a].entity.id,
                    "target": g[b].entity.id,
                    "weight": (e.weight(config.weight) * 1e6).round() / 1e6,
                    "count": e.count,
                    "sources": e.sources,
                    "npmi": (e.npmi * 1e6).round() / 1e6,
                    "types": e.labels,
                })
            })
            .collect();
        let v = serde_json::json!({
            "directed": false,
            "multigraph": false,
            "graph": {"title": config.title, "units": self.units},
            "nodes": nodes,
            "links": links,
        });
        let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
        s.push('\n');
        s
    }
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn rgb(hex: &str) -> (u8, u8, u8) {
    let h = hex.trim_start_matches('#');
    let c = |i: usize| {
        h.get(i..i + 2)
            .and_then(|x| u8::from_str_radix(x, 16).ok())
            .unwrap_or(128)
    };
    (c(0), c(2), c(4))
}
