//! Why an article file could not be read.

/// An article file that cannot become an [`guanxi_core::Article`].
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum IngestError {
    /// The file is larger than the configured limit.
    #[error("file is {size} bytes, more than the {limit}-byte limit")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The bytes are not text in any encoding we recognise (binary data).
    #[error("not text: {0}")]
    NotText(String),
    /// The article's text is longer than the configured limit: no news article is, and
    /// extraction's cost grows faster than the length of the text.
    #[error("article text is {chars} characters, more than the {limit}-character limit")]
    TooLong {
        /// Its length.
        chars: usize,
        /// The limit.
        limit: usize,
    },
    /// The HTML is nested too deeply to parse safely.
    #[error("html nested deeper than {limit} levels")]
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// An HTML tag carries more attributes than can be parsed safely.
    #[error("an html tag with more than {limit} attributes")]
    TooManyAttributes {
        /// The limit.
        limit: usize,
    },
    /// The file claims a structured format (feed, JSON) but does not parse as one.
    #[error("malformed {0}")]
    Malformed(String),
    /// Nothing readable remained after removing markup and boilerplate.
    #[error("no article text found")]
    NoText,
}

impl IngestError {
    /// A short name of the reason, for summaries (`too large`, `not text`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            IngestError::TooLarge { .. } => "too large",
            IngestError::TooLong { .. } => "too long",
            IngestError::NotText(_) => "not text",
            IngestError::TooDeep { .. } => "html too deep",
            IngestError::TooManyAttributes { .. } => "html attributes",
            IngestError::Malformed(_) => "malformed",
            IngestError::NoText => "no text",
        }
    }
}
