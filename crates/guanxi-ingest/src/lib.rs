//! Article files to normalised [`Article`]s.
//!
//! Design decision: ingest is a pure function from bytes to an article. It detects the
//! encoding, peels the envelope (Jekyll front matter, the feed-archive `<!--epoch-->` /
//! `[title](url)` / `------` header, or a bare HTML or text file), walks the HTML body into
//! blocks (re-parsing entity-escaped HTML), drops boilerplate, converts traditional characters
//! to simplified, and fixes the publication time in the publisher's own time zone. It never
//! touches the file system; the caller hands it bytes and a name for messages.

mod decode;
mod envelope;
mod error;
mod html;
mod normalize;
mod publisher;
mod time;

pub use error::IngestError;
pub use publisher::publisher_for_url;

use guanxi_core::{Article, Block, BlockKind, Span};

/// Limits applied while reading one article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IngestConfig {
    /// Files larger than this are refused (bytes).
    pub max_bytes: usize,
    /// HTML nested deeper than this is refused (html5ever is quadratic in depth).
    pub max_html_depth: usize,
}

impl Default for IngestConfig {
    fn default() -> Self {
        IngestConfig {
            max_bytes: 8 * 1024 * 1024,
            max_html_depth: 256,
        }
    }
}

/// Reads one article file.
///
/// `source` names the file in messages and in [`Article::source`]; `bytes` is its content.
pub fn parse_article(
    source: &str,
    bytes: &[u8],
    config: &IngestConfig,
) -> Result<Article, IngestError> {
    if bytes.len() > config.max_bytes {
        return Err(IngestError::TooLarge {
            size: bytes.len(),
            limit: config.max_bytes,
        });
    }
    let raw = decode::decode(bytes)?;
    let env = envelope::peel(&raw);
    let body_blocks = html::blocks(&env.body, env.body_is_html, config.max_html_depth)?;

    let url = env.url.clone();
    let publisher = url.as_deref().and_then(publisher_for_url).or_else(|| {
        env.author
            .as_deref()
            .and_then(publisher::publisher_for_name)
    });

    // Datelines are consumed: they are metadata, not text.
    let mut dateline = None;
    let mut kept = Vec::with_capacity(body_blocks.len());
    for (i, b) in body_blocks.into_iter().enumerate() {
        if i < 3 && dateline.is_none() {
            if let Some(d) = time::parse_dateline(&b.text) {
                dateline = Some(d);
                continue;
            }
        }
        kept.push(b);
    }
    let tz = publisher
        .as_ref()
        .map(|p| p.time_zone.as_str())
        .unwrap_or("UTC");
    let published = env
        .published_millis
        .and_then(|ms| time::published_from_millis(ms, tz))
        .or_else(|| dateline.and_then(|d| time::published_from_dateline(&d, tz)));

    let mut title = normalize::fold_whitespace(&env.title.unwrap_or_default());
    if title.is_empty() {
        if let Some(first) = kept.first() {
            title = first.text.chars().take(60).collect();
        }
    }
    if title.is_empty() && kept.is_empty() {
        return Err(IngestError::NoText);
    }

    let joined: String = std::iter::once(title.as_str())
        .chain(kept.iter().map(|b| b.text.as_str()))
        .collect::<Vec<_>>()
        .join("\n");
    let traditional = normalize::is_traditional(&joined);

    let mut text = String::with_capacity(joined.len() + 16);
    let mut blocks = Vec::with_capacity(kept.len() + 1);
    let title_norm = normalize::to_simplified(&title, traditional);
    push_block(&mut text, &mut blocks, BlockKind::Title, &title_norm);
    for b in &kept {
        let t = normalize::to_simplified(&b.text, traditional);
        push_block(&mut text, &mut blocks, b.kind, &t);
    }

    Ok(Article {
        source: source.to_string(),
        url,
        title: title_norm,
        publisher,
        published,
        text,
        blocks,
        traditional,
    })
}

fn push_block(text: &mut String, blocks: &mut Vec<Block>, kind: BlockKind, content: &str) {
    if !text.is_empty() {
        text.push('\n');
    }
    let start = text.len();
    text.push_str(content);
    blocks.push(Block {
        kind,
        span: Span::new(start, text.len()),
    });
}
