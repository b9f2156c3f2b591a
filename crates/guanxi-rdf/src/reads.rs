//! The SPARQL by which graphs and timelines read the store (`queries/graph-*.rq`,
//! `queries/timeline.rq`), beside the properties read by index scans: what the RDF layer
//! writes, it also says how to read.

use crate::vocab::SCHEMA;

/// Entities of the three kinds: `?e ?kind ?name`.
pub const GRAPH_ENTITIES_QUERY: &str = include_str!("../queries/graph-entities.rq");
/// Publishers and their names: `?p ?n`.
pub const GRAPH_PUBLISHERS_QUERY: &str = include_str!("../queries/graph-publishers.rq");
/// Merged interactions, one row per participant and place: `?i ?type ?date ?p ?pl`.
pub const GRAPH_INTERACTIONS_QUERY: &str = include_str!("../queries/graph-interactions.rq");
/// Publishers of the articles each merged interaction comes from: `?i ?pub`.
pub const GRAPH_INTERACTION_SOURCES_QUERY: &str =
    include_str!("../queries/graph-interaction-sources.rq");
/// One actor's interactions, `?target` bound by the caller: `?i ?type ?date ?place ?status
/// ?other ?a ?byTitle`.
pub const TIMELINE_QUERY: &str = include_str!("../queries/timeline.rq");
/// Every entity with each article's mention of it (`guanxi entities`).
pub const ENTITY_MENTIONS_QUERY: &str = include_str!("../queries/entity-mentions.rq");
/// Where one mention (`?m`) stands, its article's text and URL (`guanxi entities`).
pub const MENTION_CONTEXT_QUERY: &str = include_str!("../queries/mention-context.rq");

/// An article's publication date (read by an index scan: its first ten characters are the
/// local date).
pub fn date_published() -> String {
    format!("{SCHEMA}datePublished")
}

/// An article's publisher (read by an index scan).
pub fn publisher() -> String {
    format!("{SCHEMA}publisher")
}
