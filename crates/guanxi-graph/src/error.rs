//! Errors of graph projections.

/// What can go wrong building a graph.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum GraphError {
    /// The entity asked for with a focus filter is not in the graph.
    #[error("no entity named {0} in the graph; check the name with `guanxi query`")]
    UnknownFocus(String),
}
