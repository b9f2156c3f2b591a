//! Article files to normalised [`Article`]s.
//!
//! Design decision: ingest is a pure function from bytes to articles. It detects the
//! encoding, then the format from the content ([`detect`]): a feed-archive dump (Jekyll front
//! matter, `<!--epoch-->` / `[title](url)` / `------` header), an RSS or Atom feed, JSON Lines
//! or a JSON export, a standalone HTML page (metadata and content density), an HTML fragment or
//! plain text. Each article's envelope gives title, URL, publisher and time; its body is walked
//! into blocks (re-parsing entity-escaped HTML), boilerplate is dropped, traditional characters
//! are converted to simplified (byte-aligned with the original, so offsets index both), and the
//! publication time is read in the publisher's own time zone. It never touches the file
//! system; the caller hands it bytes and names for messages.

mod decode;
mod envelope;
mod error;
mod feed;
mod format;
mod html;
mod json;
mod normalize;
mod page;
mod publisher;
mod simple;
mod time;

pub use error::IngestError;
pub use format::{detect, Format};
pub use publisher::publisher_for_url;

use envelope::Envelope;
use guanxi_core::{Article, Block, BlockKind, Span};

/// Limits applied while reading one article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IngestConfig {
    /// Files larger than this are refused (bytes).
    pub max_bytes: usize,
    /// HTML nested deeper than this is refused (html5ever is quadratic in depth).
    pub max_html_depth: usize,
    /// Text that runs longer than this (characters) without a sentence end is cut into blocks
    /// (extraction is quadratic in a sentence's length; real sentences are far shorter).
    pub max_sentence_chars: usize,
    /// Articles whose text is longer than this (characters) are refused: the longest news
    /// article is a tenth of it, and extraction's cost grows faster than the text.
    pub max_text_chars: usize,
}

impl Default for IngestConfig {
    fn default() -> Self {
        IngestConfig {
            max_bytes: 8 * 1024 * 1024,
            max_html_depth: 256,
            max_sentence_chars: 2000,
            max_text_chars: 200_000,
        }
    }
}

/// What one file held: its format and every article in it (a feed or an export holds many).
#[derive(Debug)]
pub struct FileRead {
    /// The detected format (`None` when the bytes could not be decoded as text).
    pub format: Option<Format>,
    /// One entry per article the file holds, or one error for the whole file.
    pub items: Vec<ItemRead>,
}

/// One article of a file, or why it could not be read.
#[derive(Debug)]
pub struct ItemRead {
    /// Names the article in messages: the file, with `#N` for the N-th item of a feed or
    /// export (`#L12` for line 12 of JSON Lines).
    pub label: String,
    /// The article, or why it was skipped.
    pub result: Result<Article, IngestError>,
    /// Things worth knowing that did not stop the read (an unknown publisher read in UTC).
    pub notes: Vec<String>,
}

/// Reads one article file of any supported format.
///
/// `source` names the file in messages; `file_url` (a `file://` URL) is the article URL of
/// items that carry none (plain text, a page without canonical link), with `#N` appended for
/// the N-th item of a feed or an export.
pub fn parse_file(
    source: &str,
    file_url: Option<&str>,
    bytes: &[u8],
    config: &IngestConfig,
) -> FileRead {
    let whole = |e: IngestError, format| FileRead {
        format,
        items: vec![ItemRead {
            label: source.to_string(),
            result: Err(e),
            notes: Vec::new(),
        }],
    };
    if bytes.len() > config.max_bytes {
        return whole(
            IngestError::TooLarge {
                size: bytes.len(),
                limit: config.max_bytes,
            },
            None,
        );
    }
    let raw = match decode::decode(bytes) {
        Ok(r) => r,
        Err(e) => return whole(e, None),
    };
    let fmt = format::detect(&raw);
    let single = |env: Result<Envelope, IngestError>| FileRead {
        format: Some(fmt),
        items: vec![item(
            source.to_string(),
            env,
            file_url.map(str::to_string),
            config,
        )],
    };
    match fmt {
        Format::FeedArchive | Format::HtmlFragment | Format::Text => single(envelope::peel(&raw)),
        Format::HtmlPage => {
            single(html::check_depth(&raw, config.max_html_depth).map(|()| page::read(&raw)))
        }
        Format::Rss | Format::Atom => match feed::entries(&raw) {
            Ok((entries, _)) if entries.is_empty() => whole(IngestError::NoText, Some(fmt)),
            Ok((entries, cut)) => {
                let n = entries.len();
                let mut read = numbered(
                    source,
                    file_url,
                    entries
                        .into_iter()
                        .map(Ok)
                        .enumerate()
                        .map(|(i, e)| (format!("#{}", i + 1), e)),
                    fmt,
                    config,
                );
                if let Some(e) = cut {
                    read.items.push(ItemRead {
                        label: format!("{source}#{}", n + 1),
                        result: Err(e),
                        notes: Vec::new(),
                    });
                }
                read
            }
            Err(e) => whole(e, Some(fmt)),
        },
        Format::JsonLines => {
            let rows = json::lines(&raw);
            if rows.is_empty() {
                return whole(IngestError::NoText, Some(fmt));
            }
            numbered(
                source,
                file_url,
                rows.into_iter().map(|(n, e)| (format!("#L{n}"), e)),
                fmt,
                config,
            )
        }
        Format::Json => match json::document(&raw) {
            Ok(rows) if rows.is_empty() => whole(IngestError::NoText, Some(fmt)),
            Ok(rows) if rows.len() == 1 => {
                let env = rows
                    .into_iter()
                    .next()
                    .map(|(_, e)| e)
                    .unwrap_or(Err(IngestError::NoText));
                single(env)
            }
            Ok(rows) => numbered(
                source,
                file_url,
                rows.into_iter().map(|(n, e)| (format!("#{n}"), e)),
                fmt,
                config,
            ),
            Err(e) => whole(e, Some(fmt)),
        },
    }
}

fn numbered(
    source: &str,
    file_url: Option<&str>,
    rows: impl Iterator<Item = (String, Result<Envelope, IngestError>)>,
    fmt: Format,
    config: &IngestConfig,
) -> FileRead {
    FileRead {
        format: Some(fmt),
        items: rows
            .map(|(tag, env)| {
                let url = file_url.map(|u| format!("{u}{tag}"));
                item(format!("{source}{tag}"), env, url, config)
            })
            .collect(),
    }
}

fn item(
    label: String,
    env: Result<Envelope, IngestError>,
    fallback_url: Option<String>,
    config: &IngestConfig,
) -> ItemRead {
    let mut notes = Vec::new();
    let result = env.and_then(|mut env| {
        if env.url.is_none() {
            env.url = fallback_url;
        }
        build(&label, env, config, &mut notes)
    });
    ItemRead {
        label,
        result,
        notes,
    }
}

/// Reads one article file (the first article of a feed or an export).
///
/// `source` names the file in messages and in [`Article::source`]; `bytes` is its content.
pub fn parse_article(
    source: &str,
    bytes: &[u8],
    config: &IngestConfig,
) -> Result<Article, IngestError> {
    parse_file(source, None, bytes, config)
        .items
        .into_iter()
        .next()
        .map_or(Err(IngestError::NoText), |i| i.result)
}

/// An envelope to an article: body blocks, publisher, datelines, time, normalised text.
fn build(
    source: &str,
    env: Envelope,
    config: &IngestConfig,
    notes: &mut Vec<String>,
) -> Result<Article, IngestError> {
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
    let tz = match publisher.as_ref() {
        Some(p) => p.time_zone.as_str(),
        None => {
            let host = url
                .as_deref()
                .and_then(|u| url::Url::parse(u).ok())
                .and_then(|u| u.host_str().map(str::to_string));
            let what = match (host, env.author.as_deref()) {
                (Some(h), _) => format!("domain {h}"),
                (None, Some(a)) => format!("name {a}"),
                (None, None) => "no domain or name".to_string(),
            };
            notes.push(format!("unknown publisher ({what}): dates read in UTC"));
            "UTC"
        }
    };
    let published = env
        .published
        .and_then(|d| time::published_from_dateline(&d, tz))
        .or_else(|| dateline.and_then(|d| time::published_from_dateline(&d, tz)));

    let title = normalize::fold_whitespace(&env.title.unwrap_or_default());
    // Pages and feeds often repeat the headline at the top of the body.
    if !title.is_empty() && kept.first().is_some_and(|b| b.text == title) {
        kept.remove(0);
    }
    if kept.is_empty() && title.is_empty() {
        return Err(IngestError::NoText);
    }
    let chars = title.chars().count() + kept.iter().map(|b| b.text.chars().count()).sum::<usize>();
    if chars > config.max_text_chars {
        return Err(IngestError::TooLong {
            chars,
            limit: config.max_text_chars,
        });
    }
    // With no headline, the headline is the opening of the text; the text itself starts with
    // the body (a headline is never invented inside the text).
    let headline = if title.is_empty() {
        kept.first()
            .map(|b| b.text.chars().take(40).collect::<String>())
            .unwrap_or_default()
    } else {
        title.clone()
    };

    // Runs of text too long to be sentences become blocks of their own (the headline's
    // overflow follows it as paragraphs).
    let max_run = config.max_sentence_chars;
    let mut title_pieces = normalize::split_long_runs(&title, max_run).into_iter();
    let title_block = title_pieces.next().unwrap_or("").to_string();
    let kept: Vec<html::RawBlock> = title_pieces
        .map(|p| html::RawBlock {
            kind: BlockKind::Paragraph,
            text: p.to_string(),
            link_only: false,
        })
        .chain(kept.into_iter().flat_map(|b| {
            if b.text.len() <= max_run {
                return vec![b];
            }
            normalize::split_long_runs(&b.text, max_run)
                .into_iter()
                .map(|p| html::RawBlock {
                    kind: b.kind,
                    text: p.to_string(),
                    link_only: b.link_only,
                })
                .collect()
        }))
        .collect();

    let joined: String = std::iter::once(title_block.as_str())
        .chain(kept.iter().map(|b| b.text.as_str()))
        .collect::<Vec<_>>()
        .join("\n");
    let traditional = normalize::is_traditional(&joined);

    let mut text = String::with_capacity(joined.len() + 16);
    let mut original = String::new();
    let mut blocks = Vec::with_capacity(kept.len() + 1);
    if !title_block.is_empty() {
        push_block(
            &mut text,
            &mut original,
            &mut blocks,
            BlockKind::Title,
            &title_block,
            traditional,
        );
    }
    for b in &kept {
        push_block(
            &mut text,
            &mut original,
            &mut blocks,
            b.kind,
            &b.text,
            traditional,
        );
    }

    Ok(Article {
        source: source.to_string(),
        url,
        title: normalize::to_simplified(&headline, traditional),
        publisher,
        published,
        text,
        original: traditional.then_some(original),
        blocks,
        traditional,
    })
}

/// Appends a block: its simplified form to `text`, its own form to `original` (when the
/// article is traditional), byte for byte aligned, so every span indexes both.
fn push_block(
    text: &mut String,
    original: &mut String,
    blocks: &mut Vec<Block>,
    kind: BlockKind,
    content: &str,
    traditional: bool,
) {
    if !text.is_empty() {
        text.push('\n');
        if traditional {
            original.push('\n');
        }
    }
    let start = text.len();
    if traditional {
        text.push_str(&normalize::to_simplified_aligned(content));
        original.push_str(content);
    } else {
        text.push_str(content);
    }
    blocks.push(Block {
        kind,
        span: Span::new(start, text.len()),
    });
}
