//! RSS and Atom feeds (parsed by `feed-rs`): every item or entry becomes an article.

use crate::envelope::{html_unescape, Envelope};
use crate::format::looks_html;
use crate::time::Dateline;
use crate::IngestError;

/// The entries of a feed, each as an envelope around its body; the feed's own title stands
/// in for a missing author (it usually names the publisher).
///
/// A feed cut short (a truncated download) keeps its complete items: on a parse error the
/// text is cut after the last complete `</item>` or `</entry>`, closed, and parsed again.
/// The error that cut it short is returned beside the items, so the loss is reported.
pub(crate) fn entries(text: &str) -> Result<(Vec<Envelope>, Option<IngestError>), IngestError> {
    // The bytes were decoded already (a GB2312 or Big5 feed is now UTF-8): the declaration
    // must say so, or the XML reader decodes them a second time.
    let utf8;
    let text = match declared_encoding(text) {
        Some(range) => {
            utf8 = format!("{}UTF-8{}", &text[..range.start], &text[range.end..]);
            utf8.as_str()
        }
        None => text,
    };
    let (feed, cut) = match feed_rs::parser::parse(text.as_bytes()) {
        Ok(f) => (f, None),
        Err(e) => {
            let err = IngestError::Malformed(format!("feed after its last complete item: {e}"));
            let repaired = repair(text).ok_or_else(|| err.clone())?;
            let f = feed_rs::parser::parse(repaired.as_bytes()).map_err(|_| err.clone())?;
            (f, Some(err))
        }
    };
    let feed_title = feed
        .title
        .as_ref()
        .map(|t| html_unescape(t.content.trim()))
        .filter(|t| !t.is_empty());
    let mut out = Vec::with_capacity(feed.entries.len());
    for e in feed.entries {
        let title = e
            .title
            .as_ref()
            .map(|t| html_unescape(t.content.trim()))
            .filter(|t| !t.is_empty());
        // The entry's own page: the alternate link, else the first link, else an id that is a URL.
        let url = e
            .links
            .iter()
            .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
            .or_else(|| e.links.first())
            .map(|l| l.href.trim().to_string())
            .or_else(|| e.id.starts_with("http").then(|| e.id.clone()))
            .filter(|u| !u.is_empty());
        let body = e
            .content
            .as_ref()
            .and_then(|c| c.body.clone())
            .filter(|b| !b.trim().is_empty())
            .or_else(|| e.summary.as_ref().map(|s| s.content.clone()))
            .unwrap_or_default();
        let author = e
            .authors
            .first()
            .map(|p| p.name.trim().to_string())
            .filter(|n| !n.is_empty())
            .or_else(|| feed_title.clone());
        let published = e
            .published
            .or(e.updated)
            .map(|d| Dateline::Instant(d.timestamp_millis()));
        out.push(Envelope {
            title,
            url,
            author,
            published,
            body_is_html: looks_html(&body),
            body,
        });
    }
    Ok((out, cut))
}

/// The complete items of a truncated feed, closed again.
fn repair(text: &str) -> Option<String> {
    for (end_tag, closing) in [("</item>", "</channel></rss>"), ("</entry>", "</feed>")] {
        if let Some(i) = text.rfind(end_tag) {
            let mut s = text[..i + end_tag.len()].to_string();
            // RSS 1.0 (RDF) items sit outside the channel.
            if end_tag == "</item>" && text.contains("<rdf:RDF") {
                s.push_str("</rdf:RDF>");
            } else {
                s.push_str(closing);
            }
            return Some(s);
        }
    }
    None
}

/// Where the encoding name of the XML declaration is, unless it is UTF-8 already.
fn declared_encoding(text: &str) -> Option<std::ops::Range<usize>> {
    let start = text.find("<?xml")?;
    let end = start + text[start..].find("?>")?;
    let decl = &text[start..end];
    let at = decl.find("encoding")?;
    let rest = &decl[at + "encoding".len()..];
    let q = rest.find(['"', '\''])?;
    let quote = rest[q..].chars().next()?;
    let name_start = at + "encoding".len() + q + 1;
    let len = decl[name_start..].find(quote)?;
    let name = &decl[name_start..name_start + len];
    (!name.eq_ignore_ascii_case("utf-8")).then(|| start + name_start..start + name_start + len)
}
