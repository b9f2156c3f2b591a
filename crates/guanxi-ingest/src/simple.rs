//! A reader of simple HTML fragments: it gives the walker the tree that html5ever builds
//! for them (as a stream of opened elements, text nodes and closings), without building a
//! tree. It follows HTML's tree construction "in body" (a `<body>` context) for the cases
//! whose outcome it knows for certain, and declines the rest, which html5ever then reads:
//! tables, forms, `<pre>`, `<textarea>`, `<select>`, MathML, a formatting element (`<b>`,
//! `<a>`, …) that would close out of order (html5ever reopens those), an `<a>` inside an
//! `<a>`, an SVG element read as HTML, a script holding `<!--`, CDATA, a numeric reference to
//! a control character, a carriage return or a NUL. News bodies are mostly simple:
//! paragraphs, links, images, captions, a share bar. Followed, among others:
//! - a start tag of an element that closes a `<p>` (`div`, `p`, `ul`, a heading, …) closes
//!   the open `<p>` and what stands above it; `<li>`, `<dd>` and `<dt>` close an open item
//!   of their kind; a heading closes a heading right above it;
//! - an end tag closes its element and what stands above it, as far as its scope reaches; one
//!   that closes nothing is ignored, and `</p>` with no `<p>` open makes an empty one;
//! - void elements open and close at once; a `/` closing a start tag changes nothing, except
//!   in SVG, whose content is read to its end and skipped;
//! - the raw text of `<style>`, `<script>`, `<iframe>`, `<noscript>`, `<noembed>` and
//!   `<noframes>` runs to its end tag;
//! - character references are decoded by html5ever's own table of names, the longest name
//!   first, with or without `;` (but not before `=` or a letter in an attribute);
//! - adjacent text is one text node, as html5ever appends characters to the last text node;
//!   a comment or an element between two texts makes two.
//!
//! `tests` holds this reader to html5ever's blocks over fixed and random fragments, and, on
//! demand, over a whole corpus (`corpus_reads_the_same`).

use std::borrow::Cow;

/// One step through the tree, in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Event<'a> {
    /// An element opens (void elements close at once).
    Open(Tag<'a>),
    /// A text node.
    Text(Cow<'a, str>),
    /// The most recently opened element closes.
    Close,
}

/// What the walker reads of an element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tag<'a> {
    /// The element's name, lower case.
    pub name: Cow<'a, str>,
    /// `alt`, or failing that `title` (the first of each, as html5ever keeps the first of
    /// repeated attributes), decoded.
    pub alt: Option<Cow<'a, str>>,
    /// Whether `class` holds "caption".
    pub caption_class: bool,
    /// Whether its attributes mark a share bar, an advert or the like.
    pub boilerplate: bool,
}

/// How an element takes part in tree construction.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// Closes an open `<p>` first.
    ClosesP,
    /// A heading: closes an open `<p>`; none may stand right inside another.
    Heading,
    /// `<li>`: only right inside `<ul>` or `<ol>`.
    ListItem,
    /// `<dd>`, `<dt>`: only right inside `<dl>`.
    Definition,
    /// `<hr>`: closes an open `<p>`, and is void.
    Rule,
    /// Void: opens and closes at once.
    Void,
    /// `<a>`: no `<a>` may be open.
    Anchor,
    /// `<button>`: no `<button>` may be open; a `<p>` outside it is out of its reach.
    Button,
    /// Any element without rules of its own (and the formatting elements, which behave so
    /// while nesting is proper): opens where it stands.
    Inline,
    /// Raw text up to its end tag (`<style>`, `<iframe>`, `<noscript>`, …).
    RawText,
    /// `<script>`: raw text up to its end tag, unless it holds `<!--`.
    Script,
    /// `<svg>`: foreign content, read to its end and skipped.
    Svg,
}

/// The elements with rules of their own that this reader follows, sorted.
const HANDLED: &[(&str, Kind)] = {
    use Kind::*;
    &[
        ("a", Anchor),
        ("address", ClosesP),
        ("area", Void),
        ("article", ClosesP),
        ("aside", ClosesP),
        ("blockquote", ClosesP),
        ("br", Void),
        ("button", Button),
        ("center", ClosesP),
        ("dd", Definition),
        ("details", ClosesP),
        ("dialog", ClosesP),
        ("dir", ClosesP),
        ("div", ClosesP),
        ("dl", ClosesP),
        ("dt", Definition),
        ("embed", Void),
        ("fieldset", ClosesP),
        ("figcaption", ClosesP),
        ("figure", ClosesP),
        ("footer", ClosesP),
        ("h1", Heading),
        ("h2", Heading),
        ("h3", Heading),
        ("h4", Heading),
        ("h5", Heading),
        ("h6", Heading),
        ("header", ClosesP),
        ("hgroup", ClosesP),
        ("hr", Rule),
        ("iframe", RawText),
        ("img", Void),
        ("input", Void),
        ("li", ListItem),
        ("link", Void),
        ("main", ClosesP),
        ("menu", ClosesP),
        ("meta", Void),
        ("nav", ClosesP),
        ("noembed", RawText),
        ("noframes", RawText),
        ("noscript", RawText),
        ("ol", ClosesP),
        ("p", ClosesP),
        ("param", Void),
        ("script", Script),
        ("search", ClosesP),
        ("section", ClosesP),
        ("source", Void),
        ("style", RawText),
        ("summary", ClosesP),
        ("svg", Svg),
        ("track", Void),
        ("ul", ClosesP),
        ("wbr", Void),
    ]
};

/// The elements with rules of their own that this reader does not follow (tables, forms,
/// `<pre>`, `<textarea>`, `<select>`, MathML, the document's own elements, …), sorted. The
/// formatting elements (`b`, `font`, …) are not here: they behave as any element while
/// nesting is proper.
const DECLINED: &[&str] = &[
    "applet",
    "base",
    "basefont",
    "bgsound",
    "body",
    "caption",
    "col",
    "colgroup",
    "form",
    "frame",
    "frameset",
    "head",
    "html",
    "image",
    "keygen",
    "listing",
    "marquee",
    "math",
    "nobr",
    "object",
    "optgroup",
    "option",
    "plaintext",
    "pre",
    "rb",
    "rp",
    "rt",
    "rtc",
    "select",
    "table",
    "tbody",
    "td",
    "template",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "title",
    "tr",
    "xmp",
];

/// An element's name (lower case, as html5ever gives it) and kind; `None` for an element
/// whose rules this reader does not follow.
fn kind(name: &str) -> Option<(Cow<'_, str>, Kind)> {
    let name: Cow<'_, str> = if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    };
    match KINDS.get(&*name) {
        Some(Some(kind)) => Some((name, *kind)),
        Some(None) => None,
        None => Some((name, Kind::Inline)),
    }
}

/// [`HANDLED`] and [`DECLINED`] (`None`) by name, for one hashed lookup per tag.
static KINDS: std::sync::LazyLock<rustc_hash::FxHashMap<&'static str, Option<Kind>>> =
    std::sync::LazyLock::new(|| {
        HANDLED
            .iter()
            .map(|&(n, k)| (n, Some(k)))
            .chain(DECLINED.iter().map(|&n| (n, None)))
            .collect()
    });

/// Start tags that break out of foreign content (SVG) back into HTML.
const BREAKOUT: &[&str] = &[
    "b",
    "big",
    "blockquote",
    "body",
    "br",
    "center",
    "code",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "embed",
    "font",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "hr",
    "i",
    "img",
    "li",
    "listing",
    "menu",
    "meta",
    "nobr",
    "ol",
    "p",
    "pre",
    "ruby",
    "s",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "sup",
    "table",
    "tt",
    "u",
    "ul",
    "var",
];

/// SVG elements whose content is read as HTML, or that have rules of their own.
const SVG_SPECIAL: &[&str] = &["desc", "foreignobject", "script", "title"];

/// HTML's white space inside tags.
fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0c' | b' ')
}

/// The text node being gathered: a slice of the input while it is one, owned once a
/// reference is decoded into it.
struct Pending<'a> {
    src: &'a str,
    range: Option<(usize, usize)>,
    owned: Option<String>,
}

impl<'a> Pending<'a> {
    fn push_raw(&mut self, a: usize, b: usize) {
        if a >= b {
            return;
        }
        if let Some(s) = self.owned.as_mut() {
            s.push_str(&self.src[a..b]);
            return;
        }
        match self.range {
            None => self.range = Some((a, b)),
            Some((x, y)) if y == a => self.range = Some((x, b)),
            Some((x, y)) => {
                let mut s = String::with_capacity(y - x + b - a);
                s.push_str(&self.src[x..y]);
                s.push_str(&self.src[a..b]);
                self.owned = Some(s);
                self.range = None;
            }
        }
    }

    fn push_decoded(&mut self, decoded: &str) {
        let s = self.owned.get_or_insert_with(|| {
            self.range
                .take()
                .map_or_else(String::new, |(x, y)| self.src[x..y].to_string())
        });
        s.push_str(decoded);
    }

    fn take(&mut self) -> Option<Cow<'a, str>> {
        if let Some(s) = self.owned.take() {
            return (!s.is_empty()).then_some(Cow::Owned(s));
        }
        let (x, y) = self.range.take()?;
        Some(Cow::Borrowed(&self.src[x..y]))
    }
}

/// The character reference at the start of `s` (which opens with `&`), decoded, and its
/// length; `None` when this reader cannot tell exactly what html5ever makes of it. An `&`
/// that opens no reference is itself (length 1).
fn reference(s: &str, in_value: bool) -> Option<(Cow<'static, str>, usize)> {
    let b = s.as_bytes();
    match b.get(1) {
        Some(b'#') => {
            let (hex, from) = match b.get(2) {
                Some(b'x' | b'X') => (true, 3),
                _ => (false, 2),
            };
            let digits = b[from..]
                .iter()
                .take_while(|c| {
                    if hex {
                        c.is_ascii_hexdigit()
                    } else {
                        c.is_ascii_digit()
                    }
                })
                .count();
            if digits == 0 || digits > 7 || b.get(from + digits) != Some(&b';') {
                return None;
            }
            let n = u32::from_str_radix(&s[from..from + digits], if hex { 16 } else { 10 }).ok()?;
            // Code points html5ever keeps as they are: no NUL, C0 or C1 control, surrogate or
            // non-character, which it replaces or reports.
            let plain = matches!(n, 0x09 | 0x0a | 0x20..=0x7e | 0xa0..=0xd7ff | 0xe000..=0xfdcf | 0xfdf0..=0x10ffff)
                && n & 0xfffe != 0xfffe;
            let c = char::from_u32(n).filter(|_| plain)?;
            Some((Cow::Owned(c.to_string()), from + digits + 1))
        }
        Some(c) if c.is_ascii_alphanumeric() => {
            // The longest name that the text starts with, as html5ever reads it: character
            // by character while the name read so far begins some reference's name.
            let mut best: Option<(usize, (u32, u32))> = None;
            for k in 2..=b.len() {
                let c = b[k - 1];
                if !c.is_ascii_alphanumeric() && c != b';' {
                    break;
                }
                match markup5ever::data::NAMED_ENTITIES.get(&s[1..k]) {
                    Some(&m) => {
                        if m.0 != 0 {
                            best = Some((k, m));
                        }
                    }
                    None => break,
                }
                if b[k - 1] == b';' {
                    break;
                }
            }
            let Some((len, (first, second))) = best else {
                return Some((Cow::Borrowed("&"), 1));
            };
            // In a value, a reference without its `;` before `=` or a letter or digit is
            // text (`?a=1&copy=2`).
            if in_value
                && b[len - 1] != b';'
                && b.get(len)
                    .is_some_and(|c| *c == b'=' || c.is_ascii_alphanumeric())
            {
                return Some((Cow::Borrowed("&"), 1));
            }
            let mut out = String::new();
            out.push(char::from_u32(first)?);
            if second != 0 {
                out.push(char::from_u32(second)?);
            }
            Some((Cow::Owned(out), len))
        }
        _ => Some((Cow::Borrowed("&"), 1)),
    }
}

/// An attribute value with its references decoded, or `None` when one cannot be decoded
/// exactly.
fn decode_value(v: &str) -> Option<Cow<'_, str>> {
    if !v.contains('&') {
        return Some(Cow::Borrowed(v));
    }
    let mut out = String::with_capacity(v.len());
    let mut rest = v;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        let (decoded, len) = reference(&rest[p..], true)?;
        out.push_str(&decoded);
        rest = &rest[p + len..];
    }
    out.push_str(rest);
    Some(Cow::Owned(out))
}

/// Whether an attribute marks a share bar, an advert or the like.
pub(crate) fn boilerplate_attribute(name: &str, value: &str) -> bool {
    (name.starts_with("data-selfpromo") || name == "data-root-share")
        || ((name == "class" || name == "id")
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
            .any(|w| value.contains(w)))
}

/// Reads a start tag's attributes from `i` (just after its name) to its `>`: what the
/// walker needs, whether the tag closes itself (`/>`), and the index after the tag.
fn attributes<'a>(
    html: &'a str,
    mut i: usize,
    name: Cow<'a, str>,
) -> Option<(Tag<'a>, bool, usize)> {
    let b = html.as_bytes();
    let mut seen: Vec<Cow<'a, str>> = Vec::new();
    let mut alt: Option<Cow<'a, str>> = None;
    let mut title: Option<Cow<'a, str>> = None;
    let mut caption_class = false;
    let mut boilerplate = false;
    let mut self_closing = false;
    loop {
        while let Some(&c) = b.get(i) {
            if c == b'/' {
                self_closing = b.get(i + 1) == Some(&b'>');
            } else if !is_space(c) {
                break;
            }
            i += 1;
        }
        if *b.get(i)? == b'>' {
            break;
        }
        self_closing = false;
        // A name runs to white space, `/`, `>` or `=` (an `=` opening it is its first
        // character; quotes and `<` in it are errors html5ever keeps).
        let start = i;
        i += 1;
        while let Some(&c) = b.get(i) {
            if is_space(c) || matches!(c, b'/' | b'>' | b'=') {
                break;
            }
            i += 1;
        }
        let raw = &html[start..i];
        let attr: Cow<'a, str> = if raw.bytes().any(|c| c.is_ascii_uppercase()) {
            Cow::Owned(raw.to_ascii_lowercase())
        } else {
            Cow::Borrowed(raw)
        };
        while b.get(i).copied().is_some_and(is_space) {
            i += 1;
        }
        let mut value = "";
        if b.get(i) == Some(&b'=') {
            i += 1;
            while b.get(i).copied().is_some_and(is_space) {
                i += 1;
            }
            match b.get(i)? {
                q @ (b'"' | b'\'') => {
                    let end = memchr::memchr(*q, &b[i + 1..])? + i + 1;
                    value = &html[i + 1..end];
                    i = end + 1;
                }
                b'>' => return None,
                _ => {
                    let from = i;
                    while b.get(i).is_some_and(|&c| !is_space(c) && c != b'>') {
                        i += 1;
                    }
                    value = &html[from..i];
                }
            }
        }
        // html5ever keeps the first of repeated attributes.
        if seen.contains(&attr) {
            continue;
        }
        match &*attr {
            "alt" => alt = Some(decode_value(value)?),
            "title" => title = Some(decode_value(value)?),
            "class" | "id" => {
                let v = decode_value(value)?;
                caption_class |= attr == "class" && v.contains("caption");
                boilerplate |= boilerplate_attribute(&attr, &v);
            }
            a => boilerplate |= boilerplate_attribute(a, value),
        }
        seen.push(attr);
    }
    Some((
        Tag {
            name,
            alt: alt.or(title),
            caption_class,
            boilerplate,
        },
        self_closing,
        i + 1,
    ))
}

/// The end of a raw-text element's text from `i`: the first `</name` followed by `>`
/// (followed by white space or `/`, it is declined). Returns where the text ends and where
/// the end tag does.
fn raw_text_end(b: &[u8], i: usize, name: &str) -> Option<(usize, usize)> {
    let rest = &b[i..];
    let n = name.len();
    let end = memchr::memmem::find_iter(rest, b"</").find(|&q| {
        rest.get(q + 2..q + 2 + n)
            .is_some_and(|w| w.eq_ignore_ascii_case(name.as_bytes()))
            && rest
                .get(q + 2 + n)
                .is_some_and(|&c| is_space(c) || c == b'/' || c == b'>')
    })?;
    (rest[end + 2 + n] == b'>').then_some((i + end, i + end + 3 + n))
}

/// The name of the tag opening at `i` (after `<` or `</`) and the index after it.
fn tag_name(html: &str, i: usize) -> Option<(&str, usize)> {
    let b = html.as_bytes();
    let end = b[i..]
        .iter()
        .position(|&c| is_space(c) || c == b'/' || c == b'>')
        .map(|p| i + p)?;
    Some((&html[i..end], end))
}

/// A comment from `i` (at `<!--`): the index after it, when it is plain.
fn comment_end(b: &[u8], i: usize) -> Option<usize> {
    let rest = &b[i..];
    if !rest.starts_with(b"<!--") || rest[4..].starts_with(b">") || rest[4..].starts_with(b"->") {
        return None;
    }
    let end = memchr::memmem::find(&rest[4..], b"-->")?;
    if memchr::memmem::find(&rest[4..4 + end], b"--!").is_some() {
        return None;
    }
    Some(i + 4 + end + 3)
}

/// Skips the content of an `<svg>` element from `i` (after its start tag) to the end of
/// its end tag, as foreign content: elements nest by name, `/>` closes, and any tag that
/// would leave foreign content or be read as HTML inside it is declined.
fn skip_svg(html: &str, mut i: usize) -> Option<usize> {
    let b = html.as_bytes();
    let mut open: Vec<Cow<'_, str>> = vec![Cow::Borrowed("svg")];
    while !open.is_empty() {
        let p = memchr::memchr2(b'<', b'&', &b[i..])?;
        i += p;
        if b[i] == b'&' {
            i += reference(&html[i..], false)?.1;
            continue;
        }
        match b.get(i + 1)? {
            c if c.is_ascii_alphabetic() => {
                let (raw, end) = tag_name(html, i + 1)?;
                let name = raw.to_ascii_lowercase();
                if BREAKOUT.contains(&name.as_str()) || SVG_SPECIAL.contains(&name.as_str()) {
                    return None;
                }
                let (_, self_closing, next) = attributes(html, end, Cow::Borrowed(""))?;
                if !self_closing {
                    open.push(Cow::Owned(name));
                }
                i = next;
            }
            b'/' => {
                let (raw, end) = tag_name(html, i + 2)?;
                if b[end] != b'>'
                    || open.last().map(|n| n.as_ref()) != Some(&*raw.to_ascii_lowercase())
                {
                    return None;
                }
                open.pop();
                i = end + 1;
            }
            b'!' => i = comment_end(b, i)?,
            b'?' => return None,
            _ => i += 1,
        }
    }
    Some(i)
}

/// html5ever's "special" elements, sorted: those the list item rules and an end tag of
/// another name stop at.
const SPECIAL: &[&str] = &[
    "address",
    "applet",
    "area",
    "article",
    "aside",
    "base",
    "basefont",
    "bgsound",
    "blockquote",
    "body",
    "br",
    "button",
    "caption",
    "center",
    "col",
    "colgroup",
    "dd",
    "details",
    "dir",
    "div",
    "dl",
    "dt",
    "embed",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "frame",
    "frameset",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hgroup",
    "hr",
    "html",
    "iframe",
    "img",
    "input",
    "isindex",
    "li",
    "link",
    "listing",
    "main",
    "marquee",
    "menu",
    "meta",
    "nav",
    "noembed",
    "noframes",
    "noscript",
    "object",
    "ol",
    "p",
    "param",
    "plaintext",
    "pre",
    "script",
    "section",
    "select",
    "source",
    "style",
    "summary",
    "table",
    "tbody",
    "td",
    "template",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "title",
    "tr",
    "track",
    "ul",
    "wbr",
    "xmp",
];

fn is_special(name: &str) -> bool {
    SPECIAL.binary_search(&name).is_ok()
}

/// The formatting elements, which html5ever keeps in a list and may reopen.
fn is_formatting(name: &str) -> bool {
    matches!(
        name,
        "a" | "b"
            | "big"
            | "code"
            | "em"
            | "font"
            | "i"
            | "nobr"
            | "s"
            | "small"
            | "strike"
            | "strong"
            | "tt"
            | "u"
    )
}

fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

/// The nearest open element `target` names, with none of `bounds` above it (nor any other
/// scope boundary, which this reader never has open).
fn scope_index(
    open: &[Cow<'_, str>],
    target: impl Fn(&str) -> bool,
    bounds: &[&str],
) -> Option<usize> {
    for (i, name) in open.iter().enumerate().rev() {
        if target(name) {
            return Some(i);
        }
        if bounds.contains(&name.as_ref()) {
            return None;
        }
    }
    None
}

/// Ends the text node being gathered, if any.
fn flush<'a>(text: &mut Pending<'a>, events: &mut Vec<Event<'a>>) {
    if let Some(t) = text.take() {
        events.push(Event::Text(t));
    }
}

/// Closes open elements down to and including the nearest that `target` names. `None` when
/// a formatting element would close on the way (html5ever would reopen it later).
fn pop_until(
    open: &mut Vec<Cow<'_, str>>,
    events: &mut Vec<Event<'_>>,
    target: impl Fn(&str) -> bool,
) -> Option<()> {
    let at = open.iter().rposition(|n| target(n))?;
    close_from(open, events, at)
}

/// Closes the open elements from index `at` up. `None` when a formatting element above it
/// would close (html5ever would reopen it later).
fn close_from(open: &mut Vec<Cow<'_, str>>, events: &mut Vec<Event<'_>>, at: usize) -> Option<()> {
    if open.get(at + 1..)?.iter().any(|n| is_formatting(n)) {
        return None;
    }
    events.extend((at..open.len()).map(|_| Event::Close));
    open.truncate(at);
    Some(())
}

/// The nearest open `<p>` within reach: above any `<button>`.
fn p_in_button_scope(open: &[Cow<'_, str>]) -> Option<usize> {
    scope_index(open, |x| x == "p", &["button"])
}

/// The tree of `html` as a stream of events, or `None` when this reader cannot be sure
/// that it is the tree html5ever builds.
pub(crate) fn read(html: &str) -> Option<Vec<Event<'_>>> {
    let b = html.as_bytes();
    if memchr::memchr2(b'\r', b'\0', b).is_some() {
        return None;
    }
    let mut events: Vec<Event<'_>> = Vec::with_capacity(b.len() / 32);
    let mut open: Vec<Cow<'_, str>> = Vec::new();
    let mut text = Pending {
        src: html,
        range: None,
        owned: None,
    };
    let mut i = 0;
    while i < b.len() {
        let Some(p) = memchr::memchr2(b'<', b'&', &b[i..]) else {
            text.push_raw(i, b.len());
            break;
        };
        text.push_raw(i, i + p);
        i += p;
        if b[i] == b'&' {
            let (decoded, len) = reference(&html[i..], false)?;
            if len == 1 {
                text.push_raw(i, i + 1);
            } else {
                text.push_decoded(&decoded);
            }
            i += len;
            continue;
        }
        match b.get(i + 1) {
            Some(c) if c.is_ascii_alphabetic() => {
                let (raw, end) = tag_name(html, i + 1)?;
                let (name, k) = kind(raw)?;
                let (tag, self_closing, next) = attributes(html, end, name)?;
                if let Some(t) = text.take() {
                    events.push(Event::Text(t));
                }
                match k {
                    // The list item algorithm: an open item of the same kind closes, unless
                    // an element of its own rules stands between (a `div` or `p` does not).
                    Kind::ListItem | Kind::Definition => {
                        let same = |n: &str| match k {
                            Kind::ListItem => n == "li",
                            _ => n == "dd" || n == "dt",
                        };
                        for n in open.iter().rev() {
                            if same(n) {
                                let n = n.clone();
                                pop_until(&mut open, &mut events, |x| x == n)?;
                                break;
                            }
                            if is_special(n) && !matches!(n.as_ref(), "address" | "div" | "p") {
                                break;
                            }
                        }
                    }
                    Kind::Anchor if open.iter().any(|n| n == "a") => return None,
                    Kind::Button if open.iter().any(|n| n == "button") => {
                        pop_until(&mut open, &mut events, |x| x == "button")?;
                    }
                    _ => {}
                }
                let closes_p = matches!(
                    k,
                    Kind::ClosesP | Kind::Heading | Kind::ListItem | Kind::Definition | Kind::Rule
                );
                if let Some(at) = p_in_button_scope(&open).filter(|_| closes_p) {
                    close_from(&mut open, &mut events, at)?;
                }
                if k == Kind::Heading && open.last().is_some_and(|n| is_heading(n)) {
                    pop_until(&mut open, &mut events, is_heading)?;
                }
                let name = tag.name.clone();
                events.push(Event::Open(tag));
                i = next;
                match k {
                    Kind::Void | Kind::Rule => events.push(Event::Close),
                    Kind::RawText | Kind::Script => {
                        let (text_end, after) = raw_text_end(b, i, &name)?;
                        if k == Kind::Script
                            && memchr::memmem::find(&b[i..text_end], b"<!--").is_some()
                        {
                            return None;
                        }
                        if text_end > i {
                            events.push(Event::Text(Cow::Borrowed(&html[i..text_end])));
                        }
                        events.push(Event::Close);
                        i = after;
                    }
                    Kind::Svg => {
                        if !self_closing {
                            i = skip_svg(html, i)?;
                        }
                        events.push(Event::Close);
                    }
                    _ => open.push(name),
                }
            }
            Some(b'/') => {
                if !b.get(i + 2).is_some_and(u8::is_ascii_alphabetic) {
                    return None;
                }
                let (raw, end) = tag_name(html, i + 2)?;
                if b[end] != b'>' {
                    return None;
                }
                let (name, k) = kind(raw)?;
                i = end + 1;
                // The open element it closes (its index), if any: an end tag that closes
                // nothing changes nothing, and text on both sides of it is one text node.
                let n = name.as_ref();
                let at = match k {
                    // `</br>` is read as `<br>`; `</body>` and `</html>` end the body.
                    _ if matches!(n, "br" | "body" | "html") => return None,
                    _ if n == "p" => {
                        flush(&mut text, &mut events);
                        if let Some(at) = p_in_button_scope(&open) {
                            close_from(&mut open, &mut events, at)?;
                        } else {
                            // No `<p>` to close: html5ever makes an empty one.
                            events.push(Event::Open(Tag {
                                name: Cow::Borrowed("p"),
                                alt: None,
                                caption_class: false,
                                boilerplate: false,
                            }));
                            events.push(Event::Close);
                        }
                        continue;
                    }
                    _ if is_formatting(n) => {
                        let at = open.iter().rposition(|x| x == n);
                        if at.is_some_and(|a| a + 1 != open.len()) {
                            // The adoption agency would move elements about.
                            return None;
                        }
                        at
                    }
                    _ if n == "li" => scope_index(&open, |x| x == "li", &["ul", "ol"]),
                    Kind::Heading => scope_index(&open, is_heading, &[]),
                    Kind::ClosesP | Kind::Button | Kind::Definition => {
                        scope_index(&open, |x| x == n, &[])
                    }
                    // Any other end tag closes the nearest element of its name, unless an
                    // element of rules of its own stands before it.
                    _ => open
                        .iter()
                        .rposition(|x| x == n || is_special(x))
                        .filter(|&a| open[a] == n),
                };
                if let Some(at) = at {
                    flush(&mut text, &mut events);
                    close_from(&mut open, &mut events, at)?;
                }
            }
            Some(b'!') => {
                i = comment_end(b, i)?;
                if let Some(t) = text.take() {
                    events.push(Event::Text(t));
                }
            }
            Some(b'?') => return None,
            // `<` opening no tag is text.
            _ => {
                text.push_raw(i, i + 1);
                i += 1;
            }
        }
    }
    if let Some(t) = text.take() {
        events.push(Event::Text(t));
    }
    events.extend(open.iter().map(|_| Event::Close));
    Some(events)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::html::HTML5EVER_ONLY;
    use proptest::prelude::*;

    /// The blocks of `html` read by html5ever alone.
    fn by_html5ever(html: &str) -> Result<Vec<crate::html::RawBlock>, crate::IngestError> {
        HTML5EVER_ONLY.with(|c| c.set(true));
        let out = crate::html::blocks(html, true, 256);
        HTML5EVER_ONLY.with(|c| c.set(false));
        out
    }

    /// Checks that the simple reader, where it reads `html` at all, gives html5ever's blocks;
    /// returns whether it read it.
    fn check(html: &str) -> bool {
        let read = read(html).is_some();
        assert_eq!(
            crate::html::blocks(html, true, 256),
            by_html5ever(html),
            "{html:?}"
        );
        read
    }

    #[test]
    fn the_tables_are_sorted() {
        assert!(HANDLED.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(DECLINED.windows(2).all(|w| w[0] < w[1]));
        // (No name is both handled and declined.)
        assert_eq!(KINDS.len(), HANDLED.len() + DECLINED.len());
        assert!(SPECIAL.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn simple_fragments_are_read_as_html5ever_reads_them() {
        // Each is read by the simple reader, and gives html5ever's blocks.
        for html in [
            "<div>正文<a href=\"/x?a=1&b=2\">链接</a>。</div>",
            "<p>一段<p>二段<div>三段</div>",
            "<ul><li>一<li>二</ul><div><li>散项</li><li>散项二</div>",
            "<p>甲</p></p><p>乙</p>",
            "<h2>标题<h3>小标题</h3>",
            "<p>&copy;2020 &BNT &amp;c &#x4e2d;&#25991; AT&T &notit; &lt;p&gt;转义&lt;/p&gt;</p>",
            "<img alt=\"悼念\"六四\"，之后\" title=x><img ALT='图片说明文字很长' alt=\"后来的\">",
            "<div class=\"share-bar\">分享</div><div data-selfpromo-x>推广</div><p>正文内容</p>",
            "<figure><img src=a.jpg><figcaption>图说文字在这里</figcaption></figure>",
            "<p>一<svg viewBox=\"0 0 1 1\"><defs><style>.a{}</style></defs><path d=\"M0\"/></svg>二</p>",
            "<divclass=\"m-block-ad \"data-x=\"1\"><div>广告</div></div><p>文</p>",
            "<div><span>一<div>二</span>三</div>",
            "<script>var a = '<p>'; </script><p>正文</p><style>p{}</style><iframe src=x>框</iframe>",
            "<noscript><p>无脚本</p></noscript><p>文<!-- 注释 -->字</p><br/>尾",
            "<button><p>按钮里</p></button><p>外<button>一<button>二</button>",
            "<dl><dt>词<dd>义<dt>词二</dl><o:p>办公</o:p>",
            "< 3 <3 a < b",
        ] {
            assert!(check(html), "declined: {html:?}");
        }
        // Markup it declines is left to html5ever.
        for html in [
            "<p><b>粗<p>又一段</b></p>",
            "<table><tr><td>格</td></tr></table>",
            "<a href=1>一<a href=2>二</a></a>",
            "<pre>\n预</pre>",
            "<p>回车\r\n换行</p>",
            "<!-->空注释",
            "</> a<b",
            "<svg><foreignObject><p>外来</p></foreignObject></svg>",
        ] {
            assert!(!check(html), "read: {html:?}");
        }
    }

    /// Pieces of markup, well-formed and not, to build fragments from; `wild` adds markup
    /// the simple reader declines (tables, forms, `<pre>`, CDATA, odd references).
    fn piece(wild: bool) -> impl Strategy<Value = String> {
        let mut tags = vec![
            "p",
            "div",
            "span",
            "a",
            "b",
            "i",
            "strong",
            "em",
            "small",
            "li",
            "ul",
            "ol",
            "dd",
            "dt",
            "dl",
            "h1",
            "h2",
            "br",
            "img",
            "hr",
            "figure",
            "figcaption",
            "section",
            "button",
            "svg",
            "g",
            "path",
            "style",
            "script",
            "iframe",
            "noscript",
            "o:p",
            "font",
            "u",
            "P",
            "DIV",
            "Span",
            "wbr",
            "input",
            "nav",
            "aside",
            "search",
            "dialog",
            "center",
        ];
        let mut texts = vec![
            "文字",
            "中国外交部表示",
            " ",
            "\n",
            "a < b",
            "&amp;",
            "&copy",
            "&#20013;",
            "&lt;p&gt;转义&lt;/p&gt;",
            "&BNT",
            "AT&T",
            "\u{a0}",
            "&notin;",
            "x&",
        ];
        let mut others = vec!["<!-- 注释 -->", "<br/>"];
        if wild {
            tags.extend([
                "table", "td", "pre", "form", "title", "textarea", "template",
            ]);
            texts.extend(["&#0;", "&#x80;", "\r\n"]);
            others.extend(["<!-->", "</br>", "<![CDATA[x]]>", "<?x?>"]);
        }
        let tags = prop::sample::select(tags);
        let attrs = prop::sample::select(vec![
            "",
            " class=\"caption\"",
            " class=\"share\" id=x",
            " alt=\"图片的说明文字\" title=\"另一个\"",
            " title='标题说明文字' ",
            " data-selfpromo=1",
            " alt=a&amp;b&copy x=\"&BNT\"",
            " alt=\"引\"号\"",
            " CLASS=Caption class=share",
            " =x y=\"1\"z",
            " /",
            " alt=&notit;文字很长的说明",
        ]);
        prop_oneof![
            (tags.clone(), attrs).prop_map(|(t, a)| format!("<{t}{a}>")),
            tags.prop_map(|t| format!("</{t}>")),
            prop::sample::select(texts).prop_map(str::to_string),
            prop::sample::select(others).prop_map(str::to_string),
        ]
    }

    /// Wherever the simple reader reads a fragment built of random pieces, it gives
    /// html5ever's blocks; and it reads a fair share of those without declined markup,
    /// misnesting and all.
    #[test]
    fn simple_reading_equals_html5ever() {
        use proptest::strategy::ValueTree;
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        for wild in [false, true] {
            let strategy = prop::collection::vec(piece(wild), 0..24);
            let (mut cases, mut read) = (0, 0);
            for _ in 0..3000 {
                let html = strategy.new_tree(&mut runner).unwrap().current().concat();
                cases += 1;
                read += usize::from(check(&html));
            }
            assert!(wild || read * 5 >= cases, "only {read} of {cases} read");
        }
    }

    /// Every article of a corpus (`GUANXI_CORPUS`, a directory) parses to the same article
    /// with the simple reader as with html5ever alone: `GUANXI_CORPUS=DIR cargo test -p
    /// guanxi-ingest --release -- --ignored`.
    #[test]
    #[ignore]
    fn corpus_reads_the_same() {
        let Ok(dir) = std::env::var("GUANXI_CORPUS") else {
            return;
        };
        let mut stack = vec![std::path::PathBuf::from(dir)];
        let mut files = 0;
        let config = crate::IngestConfig::default();
        while let Some(p) = stack.pop() {
            if p.is_dir() {
                stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            let bytes = std::fs::read(&p).unwrap();
            let name = p.display().to_string();
            let simple = crate::parse_file(&name, None, &bytes, &config);
            HTML5EVER_ONLY.with(|c| c.set(true));
            let full = crate::parse_file(&name, None, &bytes, &config);
            HTML5EVER_ONLY.with(|c| c.set(false));
            let key = |f: &crate::FileRead| format!("{:?}", f.items);
            assert_eq!(key(&simple), key(&full), "{name}");
            files += 1;
        }
        println!("{files} files the same");
    }
}
