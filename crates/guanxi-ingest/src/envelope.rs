//! The envelope around an article body: front matter, feed-archive header, or bare HTML/text.
//!
//! Feed-archive dump:
//! ```text
//! ---                       (optional Jekyll front matter: title, date, author, from, tags)
//! title: "…"
//! date: 2022-02-03T23:00:00.000Z
//! ---
//! <!--1643929200000-->       (epoch milliseconds, UTC)
//! [headline](https://…)
//! ------
//! <div>… HTML body …</div>
//! ```

use std::sync::LazyLock;

use regex::Regex;

use crate::time::Dateline;
use crate::IngestError;

/// What the envelope says about the article, and the body it wraps.
#[derive(Debug, Default)]
pub(crate) struct Envelope {
    pub title: Option<String>,
    pub url: Option<String>,
    pub author: Option<String>,
    pub published: Option<Dateline>,
    pub body: String,
    pub body_is_html: bool,
}

static EPOCH: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^<!--\s*(\d{10,13})\s*-->\s*$").ok());
static FRONT_MATTER_KEY: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z_][A-Za-z0-9_-]*\s*:").ok());
static HTML_TITLE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?is)<title[^>]*>(.*?)</title>").ok());
static CANONICAL: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r#"(?is)<(?:link[^>]+rel=["']canonical["'][^>]+href|meta[^>]+property=["']og:url["'][^>]+content)=["']([^"']+)["']"#).ok()
});

/// A line that is a Markdown link `[text](target)` and nothing else: its text and target.
/// The text runs to the last `](` after which a target without white space closes the line
/// (a title may hold brackets, a target may hold parentheses).
fn markdown_link(line: &str) -> Option<(&str, &str)> {
    let line = line.trim_end();
    let inner = line.strip_prefix('[')?.strip_suffix(')')?;
    inner.rmatch_indices("](").find_map(|(i, _)| {
        let target = &inner[i + 2..];
        (!target.is_empty() && !target.contains(char::is_whitespace)).then(|| (&inner[..i], target))
    })
}

/// Splits `raw` into envelope fields and body. Front matter is read line by line as `key:
/// value` text, never as YAML: anchors and aliases are characters, not references, so they
/// cannot expand. Front matter that never closes (a file cut short) is malformed.
pub(crate) fn peel(raw: &str) -> Result<Envelope, IngestError> {
    let mut env = Envelope::default();
    let mut rest = raw.trim_start_matches('\u{feff}');

    // Jekyll front matter.
    if let Some(after) = rest.strip_prefix("---\n") {
        let first_is_key = after
            .lines()
            .find(|l| !l.trim().is_empty())
            .is_some_and(|l| FRONT_MATTER_KEY.as_ref().is_some_and(|re| re.is_match(l)));
        if first_is_key && find_line(after, "---").is_none() {
            return Err(IngestError::Malformed(
                "front matter without its closing --- line (a file cut short?)".into(),
            ));
        }
        if let Some(end) = find_line(after, "---") {
            for line in after[..end].lines() {
                if let Some((k, v)) = line.split_once(':') {
                    let v = unquote(v.trim());
                    match k.trim() {
                        "title" if !v.is_empty() => env.title = Some(v),
                        "from" | "url" | "link" if v.starts_with("http") => env.url = Some(v),
                        "author" if !v.is_empty() => env.author = Some(v),
                        "date" => env.published = crate::time::parse_when(&v),
                        _ => {}
                    }
                }
            }
            rest = after[end..].split_once('\n').map(|x| x.1).unwrap_or("");
        }
    }

    // Feed-archive header: epoch line, link line, separator; each optional, in this order.
    let mut feed_header = false;
    loop {
        let trimmed = rest.trim_start_matches(['\n', ' ', '\t']);
        let (line, next) = trimmed.split_once('\n').unwrap_or((trimmed, ""));
        let line = line.trim_end();
        if let Some(c) = EPOCH.as_ref().and_then(|re| re.captures(line)) {
            let n: i64 = c[1].parse().unwrap_or(0);
            let ms = if c[1].len() <= 10 { n * 1000 } else { n };
            if env.published.is_none() && ms > 0 {
                env.published = Some(Dateline::Instant(ms));
            }
            feed_header = true;
        } else if let Some((title, url)) = markdown_link(line) {
            let t = html_unescape(title.trim());
            if !t.is_empty() {
                env.title = Some(t);
            }
            env.url = Some(url.to_string());
            feed_header = true;
        } else if feed_header && line.len() >= 3 && line.chars().all(|ch| ch == '-') {
            rest = next;
            break;
        } else {
            rest = trimmed;
            break;
        }
        rest = next;
    }

    let body = rest.trim();
    let looks_html = crate::format::looks_html(body);
    if !feed_header {
        if env.title.is_none() {
            if let Some(c) = HTML_TITLE.as_ref().and_then(|re| re.captures(body)) {
                env.title = Some(html_unescape(c[1].trim()));
            }
        }
        if env.url.is_none() {
            if let Some(c) = CANONICAL.as_ref().and_then(|re| re.captures(body)) {
                env.url = Some(c[1].to_string());
            }
        }
        if !looks_html && env.title.is_none() {
            // Plain text: the first non-empty line is the headline only when it looks like one.
            let mut lines = body.lines().skip_while(|l| l.trim().is_empty()).peekable();
            if let Some(first) = lines.peek().map(|l| l.trim().to_string()) {
                if looks_like_headline(&first, body) {
                    lines.next();
                    env.title = Some(first);
                }
                env.body = lines.collect::<Vec<_>>().join("\n");
                env.body_is_html = false;
                return Ok(env);
            }
        }
    }
    env.body = body.to_string();
    env.body_is_html = looks_html;
    Ok(env)
}

/// A first line of plain text is a headline when it is short, does not end a sentence, and
/// more text follows it.
fn looks_like_headline(first: &str, body: &str) -> bool {
    let n = first.chars().count();
    // A headline may ask or exclaim, but it does not end with a full stop or a comma.
    let ends_sentence = first.ends_with(['。', '；', '：', '，', '、', '.', ';', ':', ',']);
    let more = body.trim().len() > first.len();
    (2..=60).contains(&n) && !ends_sentence && more
}

/// Byte offset of the first line of `s` equal to `marker`.
fn find_line(s: &str, marker: &str) -> Option<usize> {
    let mut off = 0;
    for line in s.split_inclusive('\n') {
        if line.trim_end() == marker {
            return Some(off);
        }
        off += line.len();
    }
    None
}

fn unquote(v: &str) -> String {
    let v = v.trim();
    let inner = if v.len() >= 2
        && ((v.starts_with('"') && v.ends_with('"')) || (v.starts_with('\'') && v.ends_with('\'')))
    {
        &v[1..v.len() - 1]
    } else {
        v
    };
    inner.replace("\\\"", "\"")
}

/// Decodes the HTML character references of a short string (headline text); markup too
/// deep or too wide to parse safely is left as it is.
pub(crate) fn html_unescape(s: &str) -> String {
    if !s.contains('&') || crate::html::check_depth(s, 256).is_err() {
        return s.to_string();
    }
    let frag = scraper::Html::parse_fragment(s);
    frag.root_element().text().collect::<String>()
}

#[cfg(test)]
mod tests {
    use super::markdown_link;
    use proptest::prelude::*;

    #[test]
    fn markdown_links() {
        assert_eq!(
            markdown_link("[中俄外长会晤](https://example.com/a)"),
            Some(("中俄外长会晤", "https://example.com/a"))
        );
        assert_eq!(
            markdown_link("[[视频] 标题](http://x/a_(b))  "),
            Some(("[视频] 标题", "http://x/a_(b)"))
        );
        assert_eq!(markdown_link("[a](b c)"), None);
        assert_eq!(markdown_link("[a]()"), None);
        assert_eq!(markdown_link("text [a](b)"), None);
    }

    proptest! {
        /// The same reading as the regular expression `^\[(.*)\]\((\S+?)\)\s*$`.
        #[test]
        fn markdown_link_reads_as_the_pattern(line in "[\\[\\]() a中\u{3000}\t]{0,16}") {
            let re = regex::Regex::new(r"^\[(.*)\]\((\S+?)\)\s*$").unwrap();
            let line = line.trim_end();
            let want = re.captures(line).map(|c| {
                (c.get(1).unwrap().as_str(), c.get(2).unwrap().as_str())
            });
            prop_assert_eq!(markdown_link(line), want);
        }
    }
}
