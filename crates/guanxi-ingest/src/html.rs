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

/// The boilerplate patterns, in one automaton (a pattern that does not compile is left out).
static BOILERPLATE: LazyLock<Option<RegexSet>> = LazyLock::new(|| {
    RegexSet::new(
        include_str!("../data/boilerplate.tsv")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| l.split('\t').next())
            .filter(|p| Regex::new(p).is_ok()),
    )
    .ok()
});

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
        if b.text.is_empty()
            || BOILERPLATE
                .as_ref()
                .is_some_and(|set| set.is_match(&b.text))
        {
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

/// Refuses markup nested deeper than `max` (html5ever is quadratic in depth).
pub(crate) fn check_depth(body: &str, max: usize) -> Result<(), IngestError> {
    const VOID: &[&str] = &[
        "br", "img", "hr", "meta", "link", "input", "source", "wbr", "col", "area", "base",
        "embed", "param", "track",
    ];
    let bytes = body.as_bytes();
    let mut depth: usize = 0;
    let mut i = 0;
    while let Some(rel) = bytes[i..].iter().position(|&b| b == b'<') {
        i += rel + 1;
        let closing = bytes.get(i) == Some(&b'/');
        let start = if closing { i + 1 } else { i };
        let end = bytes[start..]
            .iter()
            .position(|b| !b.is_ascii_alphanumeric())
            .map_or(bytes.len(), |p| start + p);
        if end == start {
            continue;
        }
        let name = body.get(start..end).unwrap_or("").to_ascii_lowercase();
        if closing {
            depth = depth.saturating_sub(1);
        } else if !VOID.contains(&name.as_str()) {
            let self_closing = bytes[end..]
                .iter()
                .position(|&b| b == b'>')
                .is_some_and(|p| p > 0 && bytes[end + p - 1] == b'/');
            if !self_closing {
                depth += 1;
                if depth > max {
                    return Err(IngestError::TooDeep { limit: max });
                }
            }
        }
    }
    Ok(())
}

struct Walker {
    out: Vec<RawBlock>,
    cur: String,
    cur_link_chars: usize,
    cur_kind: BlockKind,
}

impl Walker {
    fn parse(&mut self, html: &str, max_depth: usize, may_reparse: bool) {
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
            Node::Text(t) => {
                let s: &str = &t.text;
                if may_reparse && looks_escaped_html(s) {
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
            Node::Element(e) => {
                let name = e.name();
                if SKIP.contains(&name) || is_boilerplate_container(e) {
                    return;
                }
                if name == "img" {
                    let alt = e.attr("alt").or_else(|| e.attr("title")).unwrap_or("");
                    let alt = fold_whitespace(alt);
                    if alt.chars().count() >= 6 && has_cjk(&alt) {
                        self.flush();
                        self.out.push(RawBlock {
                            kind: BlockKind::Caption,
                            text: alt,
                            link_only: false,
                        });
                    }
                    return;
                }
                let block = BLOCK.contains(&name);
                if block {
                    self.flush();
                }
                if name == "figcaption"
                    || name == "small"
                    || e.attr("class").is_some_and(|c| c.contains("caption"))
                {
                    self.cur_kind = BlockKind::Caption;
                }
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
}

fn is_boilerplate_container(e: &scraper::node::Element) -> bool {
    e.attrs().any(|(k, v)| {
        (k.starts_with("data-selfpromo") || k == "data-root-share")
            || ((k == "class" || k == "id")
                && [
                    "adslot",
                    "dfp-",
                    "share",
                    "social",
                    "related",
                    "twitter",
                    "newsletter",
                    "advert",
                    "banner",
                ]
                .iter()
                .any(|w| v.contains(w)))
    })
}

fn looks_escaped_html(s: &str) -> bool {
    s.contains("<p>") || s.contains("</p>") || s.contains("<br") || s.contains("</div>")
}

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

fn has_letters(s: &str) -> bool {
    s.chars().any(|c| c.is_alphanumeric())
}
