//! The Guanxi store: Oxigraph on RocksDB, with idempotent per-article loads and SPARQL over
//! the union of all named graphs.
//!
//! Design decision: an article is one named graph, replaced in one transaction (clear, then
//! insert), so re-ingesting is idempotent and a crash never leaves half an article. Entity
//! descriptions go to the shared entities graph, where inserting them again is a no-op.
//! This crate is the one library crate that touches the disk: RocksDB needs a directory.

mod error;

use std::path::Path;

pub use error::StoreError;
pub use oxigraph::model::Quad;
pub use oxigraph::sparql::{QueryResults, QuerySolution};

use guanxi_rdf::ArticleQuads;
use oxigraph::model::{GraphNameRef, NamedNodeRef};
use oxigraph::sparql::SparqlEvaluator;

/// An open store.
pub struct Store {
    inner: oxigraph::store::Store,
}

impl Store {
    /// Opens (creating when missing) the store in directory `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let inner = oxigraph::store::Store::open(path).map_err(|e| StoreError::Open {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Ok(Store { inner })
    }

    /// A store in memory (tests, dry runs).
    pub fn in_memory() -> Result<Self, StoreError> {
        Ok(Store {
            inner: oxigraph::store::Store::new().map_err(StoreError::storage)?,
        })
    }

    /// Replaces the article's graph with `aq` and adds its entity descriptions, atomically.
    pub fn replace_article(&self, aq: &ArticleQuads) -> Result<(), StoreError> {
        let mut tx = self
            .inner
            .start_transaction()
            .map_err(StoreError::storage)?;
        let g = NamedNodeRef::from(&aq.graph);
        tx.clear_graph(GraphNameRef::NamedNode(g))
            .map_err(StoreError::storage)?;
        tx.insert_named_graph(g);
        tx.extend(aq.quads.iter());
        tx.extend(aq.shared.iter());
        tx.commit().map_err(StoreError::storage)
    }

    /// Runs a SPARQL query; the default graph is the union of all named graphs.
    pub fn query(&self, sparql: &str) -> Result<QueryResults<'static>, StoreError> {
        let mut prepared = SparqlEvaluator::new()
            .parse_query(sparql)
            .map_err(|e| StoreError::Syntax(e.to_string()))?;
        prepared.dataset_mut().set_default_graph_as_union();
        prepared
            .on_store(&self.inner)
            .execute()
            .map_err(|e| StoreError::Query(e.to_string()))
    }

    /// Every quad, in the store's index order.
    pub fn quads(&self) -> impl Iterator<Item = Result<Quad, StoreError>> + '_ {
        self.inner.iter().map(|q| q.map_err(StoreError::storage))
    }

    /// Number of quads.
    pub fn len(&self) -> Result<usize, StoreError> {
        self.inner.len().map_err(StoreError::storage)
    }

    /// Whether the store holds no quad.
    pub fn is_empty(&self) -> Result<bool, StoreError> {
        self.inner.is_empty().map_err(StoreError::storage)
    }

    /// Writes everything committed to disk.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.inner.flush().map_err(StoreError::storage)
    }
}
