//! Errors of the store.

/// What can go wrong with the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The store directory cannot be opened (locked by another process, not a store, no permission).
    #[error("cannot open store {path}: {reason}")]
    Open {
        /// The directory.
        path: String,
        /// Why.
        reason: String,
    },
    /// RocksDB or Oxigraph failed while reading or writing.
    #[error("storage error: {0}")]
    Storage(String),
    /// The query does not parse.
    #[error("query does not parse: {0}")]
    Syntax(String),
    /// The query failed while running.
    #[error("query failed: {0}")]
    Query(String),
    /// A remote store could not be reached or answered with an error status.
    #[error("{method} {url}: {reason}")]
    Remote {
        /// The HTTP method.
        method: &'static str,
        /// The URL asked.
        url: String,
        /// The status and the first line of the server's message, or why no answer came.
        reason: String,
    },
}

impl StoreError {
    pub(crate) fn storage(e: impl std::fmt::Display) -> Self {
        StoreError::Storage(e.to_string())
    }
}
