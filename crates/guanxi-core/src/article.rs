//! The normalised article: what ingest produces and extraction reads.

use crate::{LocalDate, Span};
use serde::{Deserialize, Serialize};

/// One news article, normalised: text in simplified Chinese, boilerplate removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    /// The file or entry the article came from, as given by the caller (for messages).
    pub source: String,
    /// Canonical URL of the article (the `[title](url)` link, front-matter `from`, feed link).
    pub url: Option<String>,
    /// Headline, normalised like the text.
    pub title: String,
    /// Who published it, derived from the URL's domain or the front matter.
    pub publisher: Option<Publisher>,
    /// When it was published, with the publisher's offset.
    pub published: Option<Published>,
    /// The normalised text: the title, then every block, separated by `\n`.
    /// Every [`Span`] of this article and its extraction indexes into this string.
    pub text: String,
    /// The article's own text when it was written in traditional characters: the same blocks
    /// as `text` before conversion, byte for byte aligned with it, so every span indexes both.
    /// Evidence is quoted from it; `text` is what extraction reads.
    #[serde(default)]
    pub original: Option<String>,
    /// The blocks (title, paragraphs, captions) of `text`, in reading order.
    pub blocks: Vec<Block>,
    /// Whether the original was written in traditional characters (converted in `text`).
    pub traditional: bool,
}

impl Article {
    /// The article in its own characters (traditional when it was written so): what the
    /// stored body and quoted evidence show. Byte-aligned with [`Article::text`].
    pub fn own_text(&self) -> &str {
        self.original.as_deref().unwrap_or(&self.text)
    }
}

/// A publisher, as known from its domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publisher {
    /// Common name in simplified Chinese (`法国国际广播电台`, `联合早报`).
    pub name: String,
    /// Other names (English, abbreviations).
    pub alternate_names: Vec<String>,
    /// The registrable domain that identified it (`rfi.fr`).
    pub domain: String,
    /// IANA time zone of its newsroom (`Europe/Paris`).
    pub time_zone: String,
}

/// Publication time: an instant and its local reading in the publisher's time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Published {
    /// Milliseconds since the Unix epoch (UTC).
    pub epoch_millis: i64,
    /// Offset of the publisher's time zone at that instant, in seconds east of UTC.
    pub offset_seconds: i32,
    /// The local date in the publisher's time zone; relative dates resolve against it.
    pub local_date: LocalDate,
    /// `xsd:dateTime` lexical form with offset, e.g. `2024-02-28T11:45:01+01:00`.
    pub date_time: String,
}

/// What a block of text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BlockKind {
    /// The headline.
    Title,
    /// A paragraph of the body.
    Paragraph,
    /// An image caption or alt text.
    Caption,
}

/// A block of the normalised text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    /// What it is.
    pub kind: BlockKind,
    /// Where it is in [`Article::text`].
    pub span: Span,
}
