//! Standalone HTML pages: metadata from `<title>`, Open Graph, `article:published_time` and
//! JSON-LD `NewsArticle`; the main text by content density.
//!
//! Content density, in the manner of Readability: every `<p>` (and `<br>`-separated text run)
//! scores its text length minus its link text, and gives the score to its parent in full and
//! to its grandparent in half. The best-scoring element holds the article; navigation, link
//! lists, ads and "related" blocks score low because their text is link text or short. When no
//! element scores, the whole page is walked with the boilerplate rules of the body walker.

use std::collections::HashMap;

use ego_tree::NodeId;
use scraper::{ElementRef, Html, Selector};
use serde_json::Value;

use crate::envelope::Envelope;
use crate::time::{parse_when, Dateline};

/// Least text (characters) an element must hold to be taken as the article.
const MIN_ARTICLE_CHARS: usize = 80;

/// Reads a page's metadata and its main content (as HTML, for the body walker).
pub(crate) fn read(html: &str) -> Envelope {
    let doc = Html::parse_document(html);
    let ld = json_ld_article(&doc);
    let ld_str = |k: &str| {
        ld.as_ref()
            .and_then(|o| o.get(k))
            .and_then(ld_text)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };

    let title = meta(&doc, &["og:title", "twitter:title"])
        .or_else(|| ld_str("headline"))
        .or_else(|| first_text(&doc, "title").map(|t| strip_site_suffix(&t)))
        .or_else(|| first_text(&doc, "h1"));
    let url = link_canonical(&doc)
        .or_else(|| meta(&doc, &["og:url"]))
        .or_else(|| ld_str("url"))
        .or_else(|| ld_str("mainEntityOfPage"))
        .filter(|u| u.starts_with("http"));
    let published: Option<Dateline> = meta(
        &doc,
        &[
            "article:published_time",
            "og:published_time",
            "datePublished",
            "pubdate",
            "publishdate",
            "publish-date",
            "publish_date",
            "date",
            "dc.date",
            "dc.date.issued",
            "dcterms.created",
            "sailthru.date",
            "parsely-pub-date",
        ],
    )
    .or_else(|| ld_str("datePublished"))
    .or_else(|| attr_of(&doc, "time[datetime]", "datetime"))
    .and_then(|s| parse_when(&s));
    let author = meta(&doc, &["og:site_name", "application-name"])
        .or_else(|| {
            ld.as_ref()
                .and_then(|o| o.get("publisher"))
                .and_then(ld_text)
                .map(str::to_string)
        })
        .or_else(|| first_text(&doc, "title").and_then(|t| site_suffix(&t)));

    let body = main_content(&doc)
        .or_else(|| {
            ld_str("articleBody").map(|t| {
                t.split('\n')
                    .map(|p| format!("<p>{}</p>", escape(p)))
                    .collect::<String>()
            })
        })
        .unwrap_or_else(|| body_html(&doc));
    Envelope {
        title,
        url,
        author,
        published,
        body,
        body_is_html: true,
    }
}

fn sel(s: &str) -> Option<Selector> {
    Selector::parse(s).ok()
}

/// The `content` of the first `<meta>` whose `property`, `name` or `itemprop` is one of `keys`
/// (in the order of `keys`).
fn meta(doc: &Html, keys: &[&str]) -> Option<String> {
    let s = sel("meta[content]")?;
    let metas: Vec<ElementRef<'_>> = doc.select(&s).collect();
    keys.iter().find_map(|k| {
        metas.iter().find_map(|m| {
            let v = m.value();
            let named = ["property", "name", "itemprop"]
                .iter()
                .any(|a| v.attr(a).is_some_and(|x| x.eq_ignore_ascii_case(k)));
            named
                .then(|| v.attr("content").unwrap_or("").trim().to_string())
                .filter(|c| !c.is_empty())
        })
    })
}

fn link_canonical(doc: &Html) -> Option<String> {
    let s = sel("link[rel][href]")?;
    doc.select(&s)
        .find(|l| {
            l.value()
                .attr("rel")
                .is_some_and(|r| r.eq_ignore_ascii_case("canonical"))
        })
        .and_then(|l| l.value().attr("href"))
        .map(|h| h.trim().to_string())
}

fn attr_of(doc: &Html, selector: &str, attr: &str) -> Option<String> {
    let s = sel(selector)?;
    doc.select(&s)
        .find_map(|e| e.value().attr(attr).map(|v| v.trim().to_string()))
}

fn first_text(doc: &Html, selector: &str) -> Option<String> {
    let s = sel(selector)?;
    doc.select(&s)
        .map(|e| crate::normalize::fold_whitespace(&e.text().collect::<String>()))
        .find(|t| !t.is_empty())
}

/// `标题 - RFI - 法国国际广播电台`, `标题 | 联合早报网`, `标题_新闻_央视网` → `标题`.
fn strip_site_suffix(t: &str) -> String {
    split_site(t).map_or_else(|| t.trim().to_string(), |(head, _)| head.to_string())
}

/// The site named after the headline in `<title>` (`标题_新闻_联合早报网` → `联合早报网`).
fn site_suffix(t: &str) -> Option<String> {
    split_site(t).map(|(_, site)| site.to_string())
}

/// A `<title>` split into the headline (before the first separator) and the site (after the
/// last), when the headline part is long enough to be one.
fn split_site(t: &str) -> Option<(&str, &str)> {
    const SEPARATORS: [&str; 7] = [" | ", " - ", " – ", " — ", "｜", " _ ", "_"];
    SEPARATORS.iter().find_map(|sep| {
        let (head, _) = t.split_once(sep)?;
        let (_, site) = t.rsplit_once(sep)?;
        (head.trim().chars().count() >= 4 && !site.trim().is_empty())
            .then(|| (head.trim(), site.trim()))
    })
}

/// The first JSON-LD object typed as a news article (top level, in an array or in `@graph`).
fn json_ld_article(doc: &Html) -> Option<serde_json::Map<String, Value>> {
    let s = sel("script[type]")?;
    for script in doc.select(&s) {
        if !script
            .value()
            .attr("type")
            .is_some_and(|t| t.eq_ignore_ascii_case("application/ld+json"))
        {
            continue;
        }
        let text: String = script.text().collect();
        let Ok(v) = serde_json::from_str::<Value>(text.trim()) else {
            continue;
        };
        let mut stack = vec![&v];
        while let Some(v) = stack.pop() {
            match v {
                Value::Array(a) => stack.extend(a.iter()),
                Value::Object(o) => {
                    if let Some(g) = o.get("@graph") {
                        stack.push(g);
                    }
                    let typed = |t: &Value| {
                        t.as_str().is_some_and(|t| {
                            matches!(
                                t,
                                "NewsArticle"
                                    | "Article"
                                    | "ReportageNewsArticle"
                                    | "AnalysisNewsArticle"
                                    | "BlogPosting"
                                    | "WebPage"
                            )
                        })
                    };
                    let is_article = o.get("@type").is_some_and(|t| match t {
                        Value::Array(a) => a.iter().any(typed),
                        t => typed(t),
                    });
                    if is_article && o.get("@type").and_then(Value::as_str) != Some("WebPage") {
                        return Some(o.clone());
                    }
                }
                _ => {}
            }
        }
    }
    None
}

fn ld_text(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) => Some(s),
        Value::Object(m) => ["name", "@id", "url"]
            .iter()
            .find_map(|k| m.get(*k).and_then(Value::as_str)),
        Value::Array(a) => a.first().and_then(ld_text),
        _ => None,
    }
}

/// The HTML of the element that holds the article's paragraphs, by content density.
fn main_content(doc: &Html) -> Option<String> {
    let p = sel("p, pre, blockquote")?;
    let skip = |e: &ElementRef<'_>| {
        e.ancestors().filter_map(ElementRef::wrap).any(|a| {
            let v = a.value();
            matches!(
                v.name(),
                "nav" | "footer" | "aside" | "header" | "form" | "script" | "style"
            ) || v.attrs().any(|(k, val)| {
                (k == "class" || k == "id")
                    && [
                        "comment",
                        "related",
                        "footer",
                        "sidebar",
                        "share",
                        "recommend",
                        "nav",
                        "menu",
                        "advert",
                    ]
                    .iter()
                    .any(|w| val.to_ascii_lowercase().contains(w))
            })
        })
    };
    let mut score: HashMap<NodeId, f64> = HashMap::new();
    for para in doc.select(&p) {
        if skip(&para) {
            continue;
        }
        let all: usize = para.text().map(|t| t.trim().chars().count()).sum();
        let link: usize = sel("a")
            .map(|a| {
                para.select(&a)
                    .flat_map(|l| l.text())
                    .map(|t| t.trim().chars().count())
                    .sum()
            })
            .unwrap_or(0);
        let own = all.saturating_sub(link);
        if own < 10 {
            continue;
        }
        // Commas and full stops mark prose.
        let punct = para
            .text()
            .flat_map(str::chars)
            .filter(|c| matches!(c, '，' | '。' | ',' | '.'))
            .count();
        let s = own as f64 + 5.0 * punct.min(20) as f64;
        let mut anc = para.ancestors().filter_map(ElementRef::wrap);
        if let Some(parent) = anc.next() {
            *score.entry(parent.id()).or_default() += s;
        }
        if let Some(grand) = anc.next() {
            *score.entry(grand.id()).or_default() += s / 2.0;
        }
    }
    let (best, s) = score
        .into_iter()
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))?;
    if s < MIN_ARTICLE_CHARS as f64 {
        return None;
    }
    let node = doc.tree.get(best)?;
    Some(ElementRef::wrap(node)?.html())
}

/// The whole `<body>` (or document) as HTML.
fn body_html(doc: &Html) -> String {
    sel("body")
        .and_then(|s| doc.select(&s).next().map(|b| b.html()))
        .unwrap_or_else(|| doc.root_element().html())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
