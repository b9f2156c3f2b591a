//! Which kind of file this is, told from its content (the file name is not trusted).

use std::sync::LazyLock;

use regex::Regex;

/// The kinds of article file Guanxi reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// A feed-archive dump: optional Jekyll front matter, `<!--epoch-->`, `[title](url)`,
    /// `------`, then an HTML body (possibly entity-escaped).
    FeedArchive,
    /// An RSS 0.9x/1.0/2.0 feed: every item is an article.
    Rss,
    /// An Atom feed: every entry is an article.
    Atom,
    /// JSON Lines: one article object per line.
    JsonLines,
    /// One JSON document: an article object, an array of them, or an object holding such an
    /// array (`items`, `articles`, `data`, …).
    Json,
    /// A standalone HTML page (with `<html>` or `<head>`).
    HtmlPage,
    /// A fragment of HTML with no envelope.
    HtmlFragment,
    /// Plain text.
    Text,
}

impl Format {
    /// A short name for summaries and reports.
    pub fn name(self) -> &'static str {
        match self {
            Format::FeedArchive => "feed-archive",
            Format::Rss => "rss",
            Format::Atom => "atom",
            Format::JsonLines => "json-lines",
            Format::Json => "json",
            Format::HtmlPage => "html",
            Format::HtmlFragment => "html-fragment",
            Format::Text => "text",
        }
    }
}

static EPOCH_LINE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^<!--\s*\d{10,13}\s*-->").ok());
static LINK_LINE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^\[[^\n]*\]\(\S+?\)\s*(?:\n|$)").ok());

/// Tells the format of a decoded file from its first bytes.
pub fn detect(text: &str) -> Format {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    let head = prefix(t, 4096);
    let lower = head.to_ascii_lowercase();
    if t.starts_with("---\n")
        || EPOCH_LINE.as_ref().is_some_and(|re| re.is_match(head))
        || LINK_LINE.as_ref().is_some_and(|re| re.is_match(head))
    {
        return Format::FeedArchive;
    }
    if t.starts_with('[') {
        return Format::Json;
    }
    if t.starts_with('{') {
        // One object spread over lines is JSON; an object per line is JSON Lines.
        let first = t.lines().next().unwrap_or("").trim();
        let one_line_object = first.ends_with('}')
            && serde_json::from_str::<serde_json::Value>(first).is_ok_and(|v| v.is_object());
        return if one_line_object {
            Format::JsonLines
        } else {
            Format::Json
        };
    }
    if lower.starts_with("<?xml")
        || lower.starts_with("<rss")
        || lower.starts_with("<feed")
        || lower.starts_with("<rdf:rdf")
        || lower.starts_with("<!--")
    {
        let body = skip_prolog(&lower);
        if body.starts_with("<rss") || body.starts_with("<rdf:rdf") {
            return Format::Rss;
        }
        if body.starts_with("<feed") {
            return Format::Atom;
        }
    }
    if lower.contains("<html") || lower.contains("<!doctype html") || lower.contains("<head") {
        return Format::HtmlPage;
    }
    if looks_html(t) {
        return Format::HtmlFragment;
    }
    Format::Text
}

/// Whether a body is HTML rather than plain text.
pub(crate) fn looks_html(body: &str) -> bool {
    body.contains("</") || body.contains("<br") || body.contains("<p") || body.contains("&lt;p")
}

/// The document after the XML declaration, comments, processing instructions and doctype.
fn skip_prolog(lower: &str) -> &str {
    let mut s = lower.trim_start();
    loop {
        let next = if s.starts_with("<?") {
            s.find("?>").map(|i| i + 2)
        } else if s.starts_with("<!--") {
            s.find("-->").map(|i| i + 3)
        } else if s.starts_with("<!doctype") {
            // An internal subset (`<!DOCTYPE rss [ <!ENTITY …> ]>`) holds `>` of its own.
            let close = s.find('>');
            match s.find('[') {
                Some(open) if close.is_some_and(|c| open < c) => {
                    s[open..].find("]>").map(|i| open + i + 2)
                }
                _ => close.map(|i| i + 1),
            }
        } else {
            None
        };
        match next {
            Some(i) => s = s[i..].trim_start(),
            None => return s,
        }
    }
}

/// At most `n` bytes of `s`, cut at a character boundary.
pub(crate) fn prefix(s: &str, n: usize) -> &str {
    if s.len() <= n {
        return s;
    }
    let mut end = n;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_format() {
        let cases = [
            ("---\ntitle: x\n---\n<p>a</p>", Format::FeedArchive),
            ("<!--1643929200000-->\n[t](https://a.b/c)\n------\n<p>a</p>", Format::FeedArchive),
            ("[标题](https://a.b/c)\n------\n<p>a</p>", Format::FeedArchive),
            ("<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel></channel></rss>", Format::Rss),
            ("<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY a \"b\">]><rss version=\"2.0\"></rss>", Format::Rss),
            ("<?xml version=\"1.0\"?><!-- x --><feed xmlns=\"http://www.w3.org/2005/Atom\"></feed>", Format::Atom),
            ("{\"title\":\"a\"}\n{\"title\":\"b\"}\n", Format::JsonLines),
            ("{\n \"title\": \"a\"\n}", Format::Json),
            ("[{\"title\":\"a\"}]", Format::Json),
            ("<!DOCTYPE html><html><head><title>t</title></head></html>", Format::HtmlPage),
            ("<div><p>正文</p></div>", Format::HtmlFragment),
            ("标题\n\n正文。", Format::Text),
        ];
        for (text, want) in cases {
            assert_eq!(detect(text), want, "{text}");
        }
    }
}
