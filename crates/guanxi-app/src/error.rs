//! Errors of an ingest or extraction run.

use std::path::PathBuf;

/// What can stop a run. A bad file never does: it is skipped with its reason and counted.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A path named by the user, a folder, the report or the manifest cannot be read or written.
    #[error("cannot {action} {}", path.display())]
    Io {
        /// What was being done (`read`, `list`, `write`, `replace`).
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The store refused a write, a merge or a count.
    #[error("cannot {action}")]
    Store {
        /// What was being done (`write to the store`, `merge the interactions`, …).
        action: &'static str,
        /// Why.
        #[source]
        source: guanxi_store::StoreError,
    },
    /// Quads could not be serialised to the output.
    #[error("cannot write the quads")]
    Rdf(#[from] guanxi_rdf::RdfError),
    /// The thread writing to the store ended without saying why.
    #[error("the store writer stopped unexpectedly")]
    WriterStopped,
    /// The thread building the extractor ended without one.
    #[error("the extractor could not be built")]
    ExtractorLost,
}

impl AppError {
    pub(crate) fn io(
        action: &'static str,
        path: &std::path::Path,
    ) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.to_path_buf();
        move |source| AppError::Io {
            action,
            path,
            source,
        }
    }

    pub(crate) fn store(action: &'static str) -> impl FnOnce(guanxi_store::StoreError) -> Self {
        move |source| AppError::Store { action, source }
    }
}
