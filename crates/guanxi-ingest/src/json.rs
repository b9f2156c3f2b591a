//! JSON exports: JSON Lines (an article object per line) and JSON documents (an object, an
//! array of objects, or an object holding such an array).
//!
//! Field names vary between exporters; each field is looked up under its common names,
//! case-insensitively: title (`title`, `headline`), URL (`url`, `link`, …), publication time
//! (`published`, `date`, `pubDate`, … as RFC 3339, RFC 2822, wall-clock time or epoch
//! seconds/milliseconds), body as text (`body`, `text`, `content`, …) or HTML (`html`, …),
//! publisher (`author`, `publisher`, `source`, … as a string or an object with `name`).

use serde_json::{Map, Value};

use crate::envelope::Envelope;
use crate::format::looks_html;
use crate::time::{epoch_to_millis, parse_when, Dateline};
use crate::IngestError;

const TITLE: &[&str] = &["title", "headline", "name"];
const URL: &[&str] = &[
    "url",
    "link",
    "canonical_url",
    "canonicalurl",
    "permalink",
    "href",
    "source_url",
];
const PUBLISHED: &[&str] = &[
    "published",
    "published_at",
    "publishedat",
    "pubdate",
    "date_published",
    "datepublished",
    "publish_time",
    "date",
    "time",
    "timestamp",
    "created_at",
    "updated",
];
const HTML: &[&str] = &["html", "content_html", "body_html", "raw_html"];
const TEXT: &[&str] = &[
    "body",
    "text",
    "content",
    "articlebody",
    "content_text",
    "maintext",
    "description",
    "summary",
];
const AUTHOR: &[&str] = &[
    "publisher",
    "source",
    "site",
    "site_name",
    "source_domain",
    "author",
];
const ARRAYS: &[&str] = &["items", "articles", "data", "entries", "results", "docs"];

/// An article of an export, with its line number or index, or why it cannot be read.
pub(crate) type Numbered = (usize, Result<Envelope, IngestError>);

/// The articles of a JSON Lines file, one per non-empty line, each with its line number.
pub(crate) fn lines(text: &str) -> Vec<Numbered> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let r = serde_json::from_str::<Value>(l.trim())
                .map_err(|e| IngestError::Malformed(format!("json: {e}")))
                .and_then(|v| object(&v));
            (i + 1, r)
        })
        .collect()
}

/// The articles of a JSON document, each with its index.
pub(crate) fn document(text: &str) -> Result<Vec<Numbered>, IngestError> {
    let v: Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| IngestError::Malformed(format!("json: {e}")))?;
    let items: Vec<&Value> = match &v {
        Value::Array(a) => a.iter().collect(),
        Value::Object(m) => match ARRAYS
            .iter()
            .find_map(|k| get(m, &[k]).and_then(Value::as_array))
        {
            Some(a) => a.iter().collect(),
            None => vec![&v],
        },
        _ => {
            return Err(IngestError::Malformed(
                "json: neither an object nor an array".into(),
            ))
        }
    };
    Ok(items
        .into_iter()
        .enumerate()
        .map(|(i, v)| (i + 1, object(v)))
        .collect())
}

fn object(v: &Value) -> Result<Envelope, IngestError> {
    let Value::Object(m) = v else {
        return Err(IngestError::Malformed(
            "json: an article must be an object".into(),
        ));
    };
    let string = |keys: &[&str]| {
        get(m, keys)
            .and_then(text_of)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let published = get(m, PUBLISHED).and_then(|v| match v {
        Value::Number(n) => n.as_i64().and_then(epoch_to_millis).map(Dateline::Instant),
        Value::String(s) => parse_when(s),
        _ => None,
    });
    let (body, body_is_html) = match string(HTML) {
        Some(h) => (h, true),
        None => {
            let t = string(TEXT).unwrap_or_default();
            let html = looks_html(&t);
            (t, html)
        }
    };
    if body.is_empty() {
        return Err(IngestError::NoText);
    }
    Ok(Envelope {
        title: string(TITLE),
        url: string(URL).filter(|u| u.contains("://")),
        author: string(AUTHOR),
        published,
        body,
        body_is_html,
    })
}

/// The first of `keys` present in `m`, compared case-insensitively.
fn get<'a>(m: &'a Map<String, Value>, keys: &[&str]) -> Option<&'a Value> {
    keys.iter().find_map(|k| {
        m.iter()
            .find(|(name, v)| name.eq_ignore_ascii_case(k) && !v.is_null())
            .map(|(_, v)| v)
    })
}

/// A string field, or the `name` (`@value`, `href`) of an object field, or the first of a list.
fn text_of(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) => Some(s),
        Value::Object(m) => ["name", "@value", "href", "url"]
            .iter()
            .find_map(|k| m.get(*k).and_then(Value::as_str)),
        Value::Array(a) => a.first().and_then(text_of),
        _ => None,
    }
}
