//! HTML body → text blocks (paragraphs and captions), with boilerplate dropped.
//!
//! The walker flushes a block at every block-level element and `<br>`, takes `alt`/`title`
//! of images and `<figcaption>` as captions, skips scripts, forms, share bars and link lists,
//! and re-parses text that is itself escaped HTML (`&lt;p&gt;…`), once.

use std::sync::LazyLock;

use guanxi_core::BlockKind;
use regex::{Regex, RegexSet};
use scraper::node::Node;
use scraper::Html;

use crate::normalize::fold_whitespace;
use crate::IngestError;

/// A block of body text before normalisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawBlock {
    pub kind: BlockKind,
    pub text: String,
    /// All of its text is link text (navigation, related articles, a headline index).
    pub link_only: bool,
}

/// The boilerplate patterns (a pattern that does not compile is left out), in two automata:
/// those anchored at the start of a block, which read no further than their opening, and the
/// others, which read the whole block (and are few, with a literal to look for first).
static BOILERPLATE: LazyLock<[Option<RegexSet>; 2]> = LazyLock::new(|| {
    let patterns: Vec<&str> = include_str!("../data/boilerplate.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split('\t').next())
        .filter(|p| Regex::new(p).is_ok())
        .collect();
    let set = |anchored: bool| {
        RegexSet::new(patterns.iter().filter(|p| p.starts_with('^') == anchored))
            .ok()
            .filter(|set| !set.is_empty())
    };
    [set(true), set(false)]
});

/// Whether a block is boilerplate.
fn is_boilerplate(text: &str) -> bool {
    BOILERPLATE.iter().flatten().any(|set| set.is_match(text))
}

static BYLINE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"[（(](?:译者|譯者|编辑|編輯|核稿|记者|記者|责任编辑|責任編輯)[：:][^）)]{0,40}[）)]\s*\d{0,8}").ok()
});

const SKIP: &[&str] = &[
    "script",
    "style",
    "noscript",
    "iframe",
    "svg",
    "form",
    "button",
    "nav",
    "footer",
    "aside",
    "select",
    "textarea",
    "template",
    "head",
    "title",
    "video",
    "audio",
    "object",
    "embed",
    "canvas",
    "share-button",
    "share-modal",
    "ins",
];

const BLOCK: &[&str] = &[
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "figcaption",
    "figure",
    "section",
    "article",
    "header",
    "table",
    "tr",
    "td",
    "th",
    "dd",
    "dt",
    "dl",
    "pre",
    "hr",
    "br",
    "main",
    "center",
    "small",
];

/// Splits a body into blocks. `is_html` false means plain text: blank-line or line paragraphs.
pub(crate) fn blocks(
    body: &str,
    is_html: bool,
    max_depth: usize,
) -> Result<Vec<RawBlock>, IngestError> {
    let mut w = Walker {
        error: None,
        out: Vec::new(),
        cur: String::new(),
        cur_link_chars: 0,
        cur_kind: BlockKind::Paragraph,
    };
    if is_html {
        check_depth(body, max_depth)?;
        w.parse(body, max_depth, true);
        w.flush();
    } else {
        for line in body.lines() {
            w.cur.push_str(line);
            w.flush();
        }
    }
    if let Some(e) = w.error {
        return Err(e);
    }
    // Link lists are boilerplate beside an article, but the content of a headline index
    // (a broadcast's list of stories) when nothing else is there.
    let has_prose = w
        .out
        .iter()
        .any(|b| !b.link_only && b.kind == BlockKind::Paragraph && b.text.chars().count() >= 20);
    if has_prose {
        w.out.retain(|b| !b.link_only);
    }
    let mut seen_captions: std::collections::HashSet<String> = Default::default();
    let mut out = Vec::with_capacity(w.out.len());
    for mut b in w.out {
        if let Some(re) = BYLINE.as_ref() {
            if re.is_match(&b.text) {
                b.text = fold_whitespace(&re.replace_all(&b.text, ""));
            }
        }
        if b.text.is_empty() || is_boilerplate(&b.text) {
            continue;
        }
        // The same caption often stands in alt, title and figcaption.
        // (A set: a page of a hundred thousand distinct captions is not quadratic.)
        if seen_captions.contains(&b.text) {
            continue;
        }
        if b.kind == BlockKind::Caption {
            seen_captions.insert(b.text.clone());
        }
        out.push(b);
    }
    Ok(out)
}

/// The most attributes one tag may carry: the HTML tokenizer compares each attribute with
/// every one before it in the tag, so a tag of 100,000 attributes costs seconds and one of a
/// million, hours. Real tags carry a few dozen.
pub(crate) const MAX_ATTRIBUTES: usize = 1000;

/// Whether a tag name (any case) is that of a void element, which never holds another.
fn is_void(name: &[u8]) -> bool {
    let mut lower = [0u8; 6];
    let Some(buf) = lower.get_mut(..name.len()) else {
        return false;
    };
    for (l, b) in buf.iter_mut().zip(name) {
        *l = b.to_ascii_lowercase();
    }
    matches!(
        &*buf,
        b"br"
            | b"img"
            | b"hr"
            | b"meta"
            | b"link"
            | b"input"
            | b"source"
            | b"wbr"
            | b"col"
            | b"area"
            | b"base"
            | b"embed"
            | b"param"
            | b"track"
    )
}

/// Refuses markup nested deeper than `max` (html5ever is quadratic in depth) and tags with
/// more than [`MAX_ATTRIBUTES`] attributes, in linear time, before html5ever sees the markup.
pub(crate) fn check_depth(body: &str, max: usize) -> Result<(), IngestError> {
    let bytes = body.as_bytes();
    // Depth: every `<name` counts, wherever it stands (in a script, a comment or an attribute
    // too), so the count is never lower than the parser's.
    let mut depth: usize = 0;
    for lt in memchr::memchr_iter(b'<', bytes) {
        let i = lt + 1;
        let closing = bytes.get(i) == Some(&b'/');
        let start = if closing { i + 1 } else { i };
        let end = bytes
            .get(start..)
            .and_then(|rest| rest.iter().position(|b| !b.is_ascii_alphanumeric()))
            .map_or(bytes.len(), |p| start + p);
        if end <= start {
            continue;
        }
        let name = &bytes[start..end];
        if closing {
            depth = depth.saturating_sub(1);
        } else if !is_void(name) {
            // `/>` before the next `<` (looking no further keeps the scan linear).
            let self_closing = memchr::memchr2(b'>', b'<', &bytes[end..])
                .is_some_and(|p| p > 0 && bytes[end + p] == b'>' && bytes[end + p - 1] == b'/');
            if !self_closing {
                depth += 1;
                if depth > max {
                    return Err(IngestError::TooDeep { limit: max });
                }
            }
        }
    }
    // A word inside a tag follows white space, `/` or a quote: with no more of those in the
    // whole text than a tag may hold attributes, no tag holds too many.
    let separators = crate::normalize::count_bytes(bytes, |b| {
        b.is_ascii_whitespace() || b == b'/' || b == b'"' || b == b'\''
    });
    if separators > MAX_ATTRIBUTES && most_attributes(bytes) > MAX_ATTRIBUTES {
        return Err(IngestError::TooManyAttributes {
            limit: MAX_ATTRIBUTES,
        });
    }
    Ok(())
}

/// The most attributes of one tag, read as the HTML tokenizer reads tags: a tag runs from
/// `<name` to the first `>` outside a quoted value; an attribute starts after white space, a
/// `/` or a closing quote. Every word inside a tag counts, quoted ones too, so a quote the
/// tokenizer reads differently (in a script) can only make the count larger. Comments and
/// the text of scripts, styles and other raw-text elements hold no tags.
fn most_attributes(bytes: &[u8]) -> usize {
    const RAW_TEXT: &[&[u8]] = &[
        b"script",
        b"style",
        b"textarea",
        b"title",
        b"xmp",
        b"iframe",
        b"noembed",
        b"noframes",
        b"noscript",
    ];
    // The first `needle` (which opens with `<`) at or after `from`, in any case.
    let find = |from: usize, needle: &[u8]| -> usize {
        let rest = bytes.get(from..).unwrap_or_default();
        memchr::memchr_iter(b'<', rest)
            .find(|&p| {
                rest.get(p..p + needle.len())
                    .is_some_and(|w| w.eq_ignore_ascii_case(needle))
            })
            .map_or(bytes.len(), |p| from + p)
    };
    let mut most = 0;
    let mut i = 0;
    while i < bytes.len() {
        match memchr::memchr(b'<', &bytes[i..]) {
            Some(p) => i += p,
            None => break,
        }
        if bytes[i..].starts_with(b"<!--") {
            // A comment ends at the first `-->` or `--!>`, `<!-->` included.
            let from = i + 2;
            let rest = &bytes[from..];
            let dash = memchr::memmem::find(rest, b"-->").map(|p| from + p + 3);
            let bang = memchr::memmem::find(rest, b"--!>").map(|p| from + p + 4);
            // (The two cannot start at the same place, so the earlier end is the earlier one.)
            i = match (dash, bang) {
                (Some(a), Some(b)) => a.min(b),
                (a, b) => a.or(b).unwrap_or(bytes.len()),
            };
            continue;
        }
        let closing = bytes.get(i + 1) == Some(&b'/');
        let name_start = if closing { i + 2 } else { i + 1 };
        if !bytes.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
            i += 1;
            continue;
        }
        let mut j = name_start;
        while j < bytes.len()
            && !bytes[j].is_ascii_whitespace()
            && bytes[j] != b'/'
            && bytes[j] != b'>'
        {
            j += 1;
        }
        let name = &bytes[name_start..j];
        // The attributes, up to the first `>` outside quotes.
        let mut words = 0;
        let mut quote: Option<u8> = None;
        let mut after_equals = false;
        let mut prev = b' ';
        while j < bytes.len() {
            let b = bytes[j];
            let starts_word = !b.is_ascii_whitespace()
                && !matches!(b, b'/' | b'>' | b'=' | b'"' | b'\'')
                && (prev.is_ascii_whitespace() || matches!(prev, b'/' | b'"' | b'\''));
            if starts_word {
                words += 1;
            }
            match quote {
                Some(q) if b == q => quote = None,
                Some(_) => {}
                None if b == b'>' => break,
                None if (b == b'"' || b == b'\'') && after_equals => quote = Some(b),
                None => {}
            }
            if !b.is_ascii_whitespace() {
                after_equals = b == b'=' && quote.is_none();
            }
            prev = b;
            j += 1;
        }
        most = most.max(words);
        i = j + 1;
        if !closing && RAW_TEXT.iter().any(|r| name.eq_ignore_ascii_case(r)) {
            let mut end_tag = b"</".to_vec();
            end_tag.extend_from_slice(name);
            i = find(i, &end_tag);
        }
    }
    most
}

struct Walker {
    /// Escaped markup in a text node that is too deep (or too wide) to parse again.
    error: Option<IngestError>,
    out: Vec<RawBlock>,
    cur: String,
    cur_link_chars: usize,
    cur_kind: BlockKind,
}

impl Walker {
    fn parse(&mut self, html: &str, max_depth: usize, may_reparse: bool) {
        // Simple fragments are read without building a tree: the same events, fewer steps.
        if let Some(events) = crate::simple::read(html).filter(|_| simple_reader_on()) {
            self.replay(&events, max_depth, may_reparse);
            return;
        }
        let doc = Html::parse_fragment(html);
        let root = doc.tree.root();
        for child in root.children() {
            self.walk(child, 0, max_depth, false, may_reparse);
        }
    }

    fn flush(&mut self) {
        let text = fold_whitespace(&self.cur);
        let link_only =
            self.cur_link_chars > 0 && self.cur_link_chars + 2 >= self.cur.trim().chars().count();
        if !text.is_empty() && has_letters(&text) {
            self.out.push(RawBlock {
                kind: self.cur_kind,
                text,
                link_only,
            });
        }
        self.cur.clear();
        self.cur_link_chars = 0;
        self.cur_kind = BlockKind::Paragraph;
    }

    /// A text node.
    fn text(&mut self, s: &str, max: usize, in_link: bool, may_reparse: bool) {
        if may_reparse && looks_escaped_html(s) {
            // The escaped markup meets the same limits as the markup around it.
            if let Err(e) = check_depth(s, max) {
                self.error.get_or_insert(e);
                return;
            }
            self.flush();
            self.parse(s, max, false);
            self.flush();
        } else {
            if in_link {
                self.cur_link_chars += s.trim().chars().count();
            }
            self.cur.push_str(s);
        }
    }

    /// An element opens: whether its children are read (and if so, whether it is a block).
    fn open(
        &mut self,
        name: &str,
        boilerplate: bool,
        alt: Option<&str>,
        caption_class: bool,
    ) -> Option<bool> {
        if SKIP.contains(&name) || boilerplate {
            return None;
        }
        if name == "img" {
            let alt = fold_whitespace(alt.unwrap_or(""));
            if alt.chars().count() >= 6 && has_cjk(&alt) {
                self.flush();
                self.out.push(RawBlock {
                    kind: BlockKind::Caption,
                    text: alt,
                    link_only: false,
                });
            }
            return None;
        }
        let block = BLOCK.contains(&name);
        if block {
            self.flush();
        }
        if name == "figcaption" || name == "small" || caption_class {
            self.cur_kind = BlockKind::Caption;
        }
        Some(block)
    }

    fn walk(
        &mut self,
        node: ego_tree::NodeRef<'_, Node>,
        depth: usize,
        max: usize,
        in_link: bool,
        may_reparse: bool,
    ) {
        if depth > max {
            return;
        }
        match node.value() {
            Node::Text(t) => self.text(&t.text, max, in_link, may_reparse),
            Node::Element(e) => {
                let name = e.name();
                let Some(block) = self.open(
                    name,
                    is_boilerplate_container(e),
                    e.attr("alt").or_else(|| e.attr("title")),
                    e.attr("class").is_some_and(|c| c.contains("caption")),
                ) else {
                    return;
                };
                let link = in_link || name == "a";
                for child in node.children() {
                    self.walk(child, depth + 1, max, link, may_reparse);
                }
                if block {
                    self.flush();
                }
            }
            _ => {}
        }
    }

    /// Walks the events of [`crate::simple::read`] as [`Walker::walk`] walks the tree they
    /// describe (whose root, the fragment's `<html>` element, stands at depth 0).
    fn replay(&mut self, events: &[crate::simple::Event<'_>], max: usize, may_reparse: bool) {
        use crate::simple::Event;
        /// An open element: whether its children are read, whether it is a block, whether
        /// it is inside a link.
        #[derive(Clone, Copy)]
        struct Frame {
            read: bool,
            block: bool,
            link: bool,
        }
        let mut frames = vec![Frame {
            read: true,
            block: false,
            link: false,
        }];
        for event in events {
            let depth = frames.len();
            let parent = frames.last().copied().unwrap_or(Frame {
                read: false,
                block: false,
                link: false,
            });
            let read = parent.read && depth <= max;
            match event {
                Event::Text(s) => {
                    if read {
                        self.text(s, max, parent.link, may_reparse);
                    }
                }
                Event::Open(tag) => {
                    let opened = if read {
                        self.open(
                            &tag.name,
                            tag.boilerplate,
                            tag.alt.as_deref(),
                            tag.caption_class,
                        )
                    } else {
                        None
                    };
                    frames.push(Frame {
                        read: opened.is_some(),
                        block: opened == Some(true),
                        link: parent.link || tag.name == "a",
                    });
                }
                Event::Close => {
                    if let Some(f) = frames.pop() {
                        if f.read && f.block {
                            self.flush();
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
thread_local! {
    /// Tests turn the simple reader off to compare it with html5ever.
    pub(crate) static HTML5EVER_ONLY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether simple fragments skip html5ever (always, outside tests that compare the two).
fn simple_reader_on() -> bool {
    #[cfg(test)]
    {
        !HTML5EVER_ONLY.with(|c| c.get())
    }
    #[cfg(not(test))]
    {
        true
    }
}

fn is_boilerplate_container(e: &scraper::node::Element) -> bool {
    e.attrs()
        .any(|(k, v)| crate::simple::boilerplate_attribute(k, v))
}

fn looks_escaped_html(s: &str) -> bool {
    // (Every pattern opens with `<`, which most text lacks.)
    memchr::memchr(b'<', s.as_bytes()).is_some()
        && (s.contains("<p>") || s.contains("</p>") || s.contains("<br") || s.contains("</div>"))
}

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

fn has_letters(s: &str) -> bool {
    s.chars().any(|c| c.is_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The void elements, in any case, and nothing else.
    #[test]
    fn void_elements_are_known_in_any_case() {
        const VOID: &[&str] = &[
            "br", "img", "hr", "meta", "link", "input", "source", "wbr", "col", "area", "base",
            "embed", "param", "track",
        ];
        for v in VOID {
            assert!(is_void(v.as_bytes()), "{v}");
            assert!(is_void(v.to_ascii_uppercase().as_bytes()), "{v}");
        }
        for n in [
            "", "b", "p", "div", "sources", "imgs", "brr", "colgroup", "a", "tracks", "h1",
        ] {
            assert!(!is_void(n.as_bytes()), "{n}");
        }
    }

    fn wide(n: usize, sep: &str) -> String {
        let attrs: Vec<String> = (0..n).map(|i| format!("a{i}")).collect();
        format!("<p>正文</p><div {}>x</div>", attrs.join(sep))
    }

    #[test]
    fn wide_tags_are_refused_however_they_are_written() {
        // (`<a1 <a2 …` is refused for its depth before its width.)
        let refused = |html: &str| check_depth(html, 256).is_err();
        for sep in [" ", "\n", "/", " x=\">\" ", "\"\"", " <", " v=\"<\" "] {
            assert!(refused(&wide(1500, sep)), "{sep:?}");
        }
        assert!(refused(&format!("<!-- x --!>{}", wide(1500, " "))));
        assert!(refused(&format!("<!-->{}", wide(1500, " "))));
        assert!(!refused(&wide(900, " ")));
        // Comments and script text hold no tags; many ordinary tags are fine.
        assert!(!refused(&format!("<!-- {} -->", wide(1500, " "))));
        assert!(!refused(&format!(
            "<script>var s = '{}';</script>",
            wide(1500, " ")
        )));
        let page =
            "<a href=\"/x\" class=\"a b c\" title=\"一个 标题\" data-x='1'>链接</a>".repeat(5000);
        assert_eq!(check_depth(&page, 256), Ok(()));
    }

    #[test]
    fn escaped_markup_meets_the_same_limits() {
        let deep = format!("<p>{}x&lt;/div&gt;</p>", "&lt;div&gt;".repeat(2000));
        assert_eq!(
            blocks(&deep, true, 256),
            Err(IngestError::TooDeep { limit: 256 })
        );
    }
}
