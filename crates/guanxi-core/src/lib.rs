//! Domain types shared by every Guanxi stage.
//!
//! Design decision: every fact carries a [`Span`] — a byte range into the article's
//! *normalised* text ([`Article::text`]) — so that any statement in the graph can be traced
//! back to the sentence that states it. The types here are plain data: no IO, no RDF.

mod article;
mod date;
mod extraction;

pub use article::{Article, Block, BlockKind, Published, Publisher};
pub use date::{DateValue, LocalDate, Precision};
pub use extraction::{
    Coordinates, Diagnostic, Entity, EntityKey, EntityKind, Evidence, Extraction, Interaction,
    InteractionFamily, InteractionKind, Mention, PlaceKind, Role, Sentence, Status, Term,
    TimeReference,
};

/// A byte range `start..end` into [`Article::text`].
///
/// Invariant: both ends lie on UTF-8 character boundaries of the text they index, and
/// `start <= end`. Producers convert character offsets (as given by the segmenter) to byte
/// offsets exactly once, where the span is created.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Span {
    /// First byte of the range.
    pub start: usize,
    /// One past the last byte of the range.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end` (bytes).
    #[inline]
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The text this span covers, or `""` when it does not fit `text`.
    #[inline]
    pub fn slice<'a>(&self, text: &'a str) -> &'a str {
        text.get(self.start..self.end).unwrap_or("")
    }

    /// Whether `other` lies entirely inside `self`.
    #[inline]
    pub fn contains(&self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// Whether the two spans share at least one byte.
    #[inline]
    pub fn overlaps(&self, other: Span) -> bool {
        self.start < other.end && other.start < self.end
    }
}
