//! Errors of the RDF layer.

/// What can go wrong turning an extraction into RDF or writing it out.
#[derive(Debug, thiserror::Error)]
pub enum RdfError {
    /// A minted IRI was rejected by the RDF model (a bug in minting).
    #[error("invalid iri {iri}: {reason}")]
    InvalidIri {
        /// The IRI.
        iri: String,
        /// Why it is invalid.
        reason: String,
    },
    /// Writing a serialisation failed.
    #[error("cannot write rdf: {0}")]
    Io(#[from] std::io::Error),
}
