//! Scoring Guanxi's output against gold annotations.
//!
//! The gold format is JSON Lines, one article per line (see the project's gold guidelines):
//! its URL, its interactions (participants as lists of acceptable names, date, place, type)
//! and the persons, organisations and places it mentions. The system side is the rows of the
//! two SPARQL queries in [`INTERACTIONS_QUERY`] and [`ENTITIES_QUERY`], so any store, built by
//! any version, can be scored.
//!
//! Metrics (micro-averaged over articles):
//! - `pair`: unordered pairs of named participants of an interaction, names only;
//! - `pair+date`: the same pairs, whose date must agree with the gold date when gold has one
//!   (the same, or a day inside gold's month, a month inside its year);
//! - date, place and type accuracy: among name-matched pairs whose gold value is known, the
//!   share the system got right;
//! - person, organization, place: entity names per article against gold alias lists (a name
//!   matching no gold entity is a false positive; a gold entity no name matches is missed).
//!
//! Matching is greedy: each system pair takes the unused gold pair of the same names that agrees
//! with it best (date, then place, then type), so the figures do not depend on row order.

pub mod events;

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// The query whose rows describe interactions: one row per participant.
pub const INTERACTIONS_QUERY: &str = "PREFIX gx: <https://w3id.org/guanxi/ontology#>
PREFIX schema: <http://schema.org/>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?url ?interaction ?type ?name ?date ?placeName ?status WHERE {
  ?interaction a gx:Interaction ; a ?type ; gx:participant ?p ; prov:wasDerivedFrom ?article .
  FILTER(?type != gx:Interaction)
  ?article schema:url ?url .
  ?p schema:name ?name .
  OPTIONAL { ?interaction schema:startDate ?date }
  OPTIONAL { ?interaction schema:location/schema:name ?placeName }
  OPTIONAL { ?interaction gx:status ?status }
}";

/// The query whose rows list the entities each article mentions.
pub const ENTITIES_QUERY: &str = "PREFIX schema: <http://schema.org/>
SELECT ?url ?kind ?name WHERE {
  ?article a schema:NewsArticle ; schema:url ?url ; schema:mentions ?e .
  ?e a ?kind ; schema:name ?name .
  VALUES ?kind { schema:Person schema:Organization schema:Place }
}";

/// A gold file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// A line is not a gold article.
    #[error("gold line {line}: {reason}")]
    Gold {
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
}

/// One annotated article.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct GoldArticle {
    /// The article's file name, relative to the articles folder.
    pub file: String,
    /// The article's URL (its `[title](url)` line or feed link).
    pub url: String,
    /// Interactions between named persons.
    #[serde(default)]
    pub interactions: Vec<GoldInteraction>,
    /// Persons mentioned, each a list of acceptable names.
    #[serde(default)]
    pub persons: Vec<Vec<String>>,
    /// Organisations mentioned.
    #[serde(default)]
    pub organizations: Vec<Vec<String>>,
    /// Places mentioned.
    #[serde(default)]
    pub places: Vec<Vec<String>>,
}

/// One annotated interaction.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct GoldInteraction {
    /// meeting, talks, phone_call, video_call, summit, visit, other.
    #[serde(rename = "type")]
    pub kind: String,
    /// Participants, each a list of acceptable names.
    pub participants: Vec<Vec<String>>,
    /// `YYYY-MM-DD`, `YYYY-MM`, `YYYY`, or none.
    #[serde(default)]
    pub date: Option<String>,
    /// Acceptable names of the place, or none.
    #[serde(default)]
    pub place: Option<Vec<String>>,
}

/// Whether a system date agrees with gold's: the same, or finer and inside it (a day inside
/// gold's month, a month inside its year), as `score_gold.py` counts it.
fn date_ok(system: &Option<String>, gold: &Option<String>) -> bool {
    match (system, gold) {
        (s, g) if s == g => true,
        (Some(s), Some(g)) => g.len() < 10 && s.starts_with(&format!("{g}-")),
        _ => false,
    }
}

/// Reads gold JSON Lines (blank lines skipped).
pub fn parse_gold(text: &str) -> Result<Vec<GoldArticle>, EvalError> {
    json_lines(text)
}

/// One value per non-blank line; an error names its line.
pub(crate) fn json_lines<T: serde::de::DeserializeOwned>(text: &str) -> Result<Vec<T>, EvalError> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| EvalError::Gold {
                line: i + 1,
                reason: e.to_string(),
            })
        })
        .collect()
}

/// One row of [`INTERACTIONS_QUERY`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InteractionRow {
    /// Article URL.
    pub url: String,
    /// Interaction IRI.
    pub interaction: String,
    /// Type IRI (`…#Meeting`).
    pub kind: String,
    /// Participant's name.
    pub name: String,
    /// Date literal, when any.
    pub date: Option<String>,
    /// Place name, when any.
    pub place: Option<String>,
}

/// One row of [`ENTITIES_QUERY`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntityRow {
    /// Article URL.
    pub url: String,
    /// Kind IRI (`http://schema.org/Person`).
    pub kind: String,
    /// Entity name.
    pub name: String,
}

/// Precision, recall and F1 with their counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Prf {
    /// Precision.
    pub p: f64,
    /// Recall.
    pub r: f64,
    /// F1.
    pub f1: f64,
    /// True positives.
    pub tp: usize,
    /// False positives.
    pub fp: usize,
    /// False negatives.
    #[serde(rename = "fn")]
    pub fn_: usize,
}

impl Prf {
    pub(crate) fn new(tp: usize, fp: usize, fn_: usize) -> Self {
        let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let p = ratio(tp, tp + fp);
        let r = ratio(tp, tp + fn_);
        let f1 = if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        };
        Prf {
            p,
            r,
            f1,
            tp,
            fp,
            fn_,
        }
    }
}

/// A share of right answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Accuracy {
    /// Right.
    pub right: usize,
    /// Judged.
    pub of: usize,
}

impl Accuracy {
    /// The share, when anything was judged.
    pub fn value(&self) -> Option<f64> {
        (self.of > 0).then(|| self.right as f64 / self.of as f64)
    }
}

/// Every figure of one evaluation.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    /// Participant pairs, names only.
    pub pair: Prf,
    /// Participant pairs with the right date.
    pub pair_date: Prf,
    /// Dates of name-matched pairs: the same, or a day inside gold's month (a month inside its
    /// year), since an event can know the day one article gives only as a month.
    pub date: Accuracy,
    /// Dates of name-matched pairs that are exactly gold's.
    pub date_exact: Accuracy,
    /// Places of name-matched pairs.
    pub place: Accuracy,
    /// Types of name-matched pairs.
    pub kind: Accuracy,
    /// Person mentions.
    pub persons: Prf,
    /// Organisation mentions.
    pub organizations: Prf,
    /// Place mentions.
    pub places: Prf,
    /// Gold articles.
    pub articles: usize,
    /// Gold articles of which the system said nothing (files unread or URLs that differ).
    pub articles_without_output: Vec<String>,
    /// Every error, article by article.
    pub errors: Vec<ErrorItem>,
}

/// One error: something missed or spurious in one article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorItem {
    /// The gold article's file.
    pub file: String,
    /// person, organization, place, pair, date; for a matched pair's place, `place` with
    /// error `wrong`.
    pub what: &'static str,
    /// missed (false negative), spurious (false positive), or wrong (a matched pair's date).
    pub error: &'static str,
    /// The names (a pair: `A + B`) and, for dates, `system ≠ gold`.
    pub item: String,
    /// What kind of error it is, one of [`CAUSES`]: where the figures come from.
    pub cause: &'static str,
}

/// The kinds of error `guanxi eval --errors` groups by, in the order it lists them.
pub const CAUSES: &[(&str, &str)] = &[
    (
        "name not recognised",
        "a pair missed because one of its people was not recognised",
    ),
    (
        "multilateral",
        "a pair of a meeting of three or more recognised people that was missed",
    ),
    (
        "pair missed",
        "a pair of two recognised people that was missed",
    ),
    ("spurious pair", "a pair the gold does not have"),
    ("date missing", "a matched pair left undated"),
    ("date wrong", "a matched pair dated otherwise"),
    ("place missing", "a matched pair given no place"),
    (
        "place wrong",
        "a matched pair placed elsewhere (a country for a city, a venue)",
    ),
    ("entity missed", "a person, organisation or place not found"),
    (
        "entity spurious",
        "a person, organisation or place the gold does not list",
    ),
];

const DOTS: &[char] = &[
    '\u{00b7}', '\u{2022}', '\u{30fb}', '\u{ff0e}', '\u{2027}', '\u{2219}', '\u{22c5}', '\u{ff65}',
];

/// A name as compared: NFKC, one kind of middle dot, no white space.
pub fn norm_name(s: &str) -> String {
    s.trim()
        .nfkc()
        .map(|c| if DOTS.contains(&c) { '\u{00b7}' } else { c })
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// A URL as compared: percent-decoded, `https`, no trailing slash.
pub fn norm_url(u: &str) -> String {
    let u = percent_encoding::percent_decode_str(u.trim())
        .decode_utf8_lossy()
        .into_owned();
    let u = match u.strip_prefix("http://") {
        Some(rest) => format!("https://{rest}"),
        None => u,
    };
    u.trim_end_matches('/').to_string()
}

fn gold_type(kind: &str) -> &'static str {
    match kind {
        "meeting" => "Meeting",
        "talks" => "Talks",
        "phone_call" => "PhoneCall",
        "video_call" => "VideoCall",
        "summit" => "Summit",
        "visit" => "Visit",
        _ => "OtherInteraction",
    }
}

#[derive(Default)]
struct SysInteraction {
    names: BTreeSet<String>,
    date: Option<String>,
    places: HashSet<String>,
    types: HashSet<String>,
}

struct GoldPair {
    a: HashSet<String>,
    b: HashSet<String>,
    /// People in the gold interaction (three or more: a multilateral one).
    people: usize,
    date: Option<String>,
    places: HashSet<String>,
    kind: &'static str,
}

/// The smallest name of an alias set, for error lists.
fn first_name(set: &HashSet<String>) -> String {
    set.iter().min().cloned().unwrap_or_default()
}

fn alias_sets(lists: &[Vec<String>]) -> Vec<HashSet<String>> {
    lists
        .iter()
        .map(|l| l.iter().map(|n| norm_name(n)).collect())
        .collect()
}

/// Scores the system's rows against the gold articles.
pub fn score(
    gold: &[GoldArticle],
    interactions: &[InteractionRow],
    entities: &[EntityRow],
) -> Report {
    let mut sys: BTreeMap<(String, String), SysInteraction> = BTreeMap::new();
    for r in interactions {
        let it = sys
            .entry((norm_url(&r.url), r.interaction.clone()))
            .or_default();
        it.names.insert(norm_name(&r.name));
        if let Some(d) = r.date.as_ref().filter(|d| !d.is_empty()) {
            it.date = Some(d.clone());
        }
        if let Some(p) = r.place.as_ref().filter(|p| !p.is_empty()) {
            it.places.insert(norm_name(p));
        }
        let local = r.kind.rsplit('#').next().unwrap_or(&r.kind);
        it.types.insert(local.to_string());
    }
    let mut ents: BTreeMap<(String, &'static str), BTreeSet<String>> = BTreeMap::new();
    for r in entities {
        let kind = match r.kind.as_str() {
            "http://schema.org/Person" => "person",
            "http://schema.org/Organization" => "organization",
            "http://schema.org/Place" => "place",
            _ => continue,
        };
        ents.entry((norm_url(&r.url), kind))
            .or_default()
            .insert(norm_name(&r.name));
    }
    let with_output: HashSet<&String> = sys
        .keys()
        .map(|(u, _)| u)
        .chain(ents.keys().map(|(u, _)| u))
        .collect();

    let mut counts = [[0usize; 3]; 2];
    let mut report = Report {
        articles: gold.len(),
        ..Report::default()
    };
    let mut ent_counts = [[0usize; 3]; 3];
    for g in gold {
        let url = norm_url(&g.url);
        if !with_output.contains(&url) {
            report.articles_without_output.push(g.file.clone());
        }
        let mut gpairs = Vec::new();
        for gi in &g.interactions {
            let parts = alias_sets(&gi.participants);
            let places: HashSet<String> = gi.place.iter().flatten().map(|p| norm_name(p)).collect();
            for i in 0..parts.len() {
                for j in i + 1..parts.len() {
                    gpairs.push(GoldPair {
                        a: parts[i].clone(),
                        b: parts[j].clone(),
                        people: parts.len(),
                        date: gi.date.clone(),
                        places: places.clone(),
                        kind: gold_type(&gi.kind),
                    });
                }
            }
        }
        let mut spairs: Vec<(&String, &String, &SysInteraction)> = Vec::new();
        for ((u, _), it) in &sys {
            if *u != url {
                continue;
            }
            let names: Vec<&String> = it.names.iter().collect();
            for i in 0..names.len() {
                for j in i + 1..names.len() {
                    spairs.push((names[i], names[j], it));
                }
            }
        }
        for (mode, c) in counts.iter_mut().enumerate() {
            let with_date = mode == 1;
            let mut used = vec![false; gpairs.len()];
            let mut tp = 0;
            for &(a, b, it) in &spairs {
                // Of the gold pairs these names match, the first that agrees best (date, then
                // place, then type): the figures do not depend on the order of the rows.
                let hit = gpairs
                    .iter()
                    .enumerate()
                    .filter(|(k, gp)| {
                        !used[*k]
                            && ((gp.a.contains(a) && gp.b.contains(b))
                                || (gp.a.contains(b) && gp.b.contains(a)))
                            && (!with_date || gp.date.is_none() || date_ok(&it.date, &gp.date))
                    })
                    .min_by_key(|(k, gp)| {
                        (
                            gp.date.is_some() && !date_ok(&it.date, &gp.date),
                            gp.date != it.date,
                            !gp.places.is_empty() && gp.places.is_disjoint(&it.places),
                            !it.types.contains(gp.kind),
                            *k,
                        )
                    });
                let Some((k, gp)) = hit else {
                    if !with_date {
                        report.errors.push(ErrorItem {
                            file: g.file.clone(),
                            what: "pair",
                            error: "spurious",
                            item: format!("{a} + {b}"),
                            cause: "spurious pair",
                        });
                    }
                    continue;
                };
                used[k] = true;
                tp += 1;
                if !with_date {
                    if gp.date.is_some() {
                        report.date.of += 1;
                        report.date.right += usize::from(date_ok(&it.date, &gp.date));
                        report.date_exact.of += 1;
                        report.date_exact.right += usize::from(gp.date == it.date);
                        if !date_ok(&it.date, &gp.date) {
                            report.errors.push(ErrorItem {
                                file: g.file.clone(),
                                what: "date",
                                error: "wrong",
                                cause: if it.date.is_none() {
                                    "date missing"
                                } else {
                                    "date wrong"
                                },
                                item: format!(
                                    "{a} + {b}: {} ≠ {}",
                                    it.date.as_deref().unwrap_or("none"),
                                    gp.date.as_deref().unwrap_or("none")
                                ),
                            });
                        }
                    }
                    if !gp.places.is_empty() {
                        report.place.of += 1;
                        let right = !gp.places.is_disjoint(&it.places);
                        report.place.right += usize::from(right);
                        if !right {
                            let mut got: Vec<&String> = it.places.iter().collect();
                            got.sort();
                            report.errors.push(ErrorItem {
                                file: g.file.clone(),
                                what: "place",
                                error: "wrong",
                                cause: if it.places.is_empty() {
                                    "place missing"
                                } else {
                                    "place wrong"
                                },
                                item: format!(
                                    "{a} + {b}: {} ≠ {}",
                                    if got.is_empty() {
                                        "none".to_string()
                                    } else {
                                        got.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("|")
                                    },
                                    first_name(&gp.places)
                                ),
                            });
                        }
                    }
                    report.kind.of += 1;
                    report.kind.right += usize::from(it.types.contains(gp.kind));
                }
            }
            if !with_date {
                let empty = BTreeSet::new();
                let people = ents.get(&(url.clone(), "person")).unwrap_or(&empty);
                let known = |set: &HashSet<String>| people.iter().any(|n| set.contains(n));
                for (gp, _) in gpairs.iter().zip(&used).filter(|(_, u)| !**u) {
                    let cause = if !known(&gp.a) || !known(&gp.b) {
                        "name not recognised"
                    } else if gp.people >= 3 {
                        "multilateral"
                    } else {
                        "pair missed"
                    };
                    report.errors.push(ErrorItem {
                        file: g.file.clone(),
                        what: "pair",
                        error: "missed",
                        item: format!("{} + {}", first_name(&gp.a), first_name(&gp.b)),
                        cause,
                    });
                }
            }
            c[0] += tp;
            c[1] += spairs.len() - tp;
            c[2] += gpairs.len() - tp;
        }
        for (k, (kind, lists)) in [
            ("person", &g.persons),
            ("organization", &g.organizations),
            ("place", &g.places),
        ]
        .into_iter()
        .enumerate()
        {
            let golds = alias_sets(lists);
            let empty = BTreeSet::new();
            let names = ents.get(&(url.clone(), kind)).unwrap_or(&empty);
            let mut matched = HashSet::new();
            let mut fp = 0;
            for n in names {
                let hits: Vec<usize> = golds
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| s.contains(n))
                    .map(|(i, _)| i)
                    .collect();
                if hits.is_empty() {
                    fp += 1;
                    report.errors.push(ErrorItem {
                        file: g.file.clone(),
                        what: kind,
                        error: "spurious",
                        item: n.clone(),
                        cause: "entity spurious",
                    });
                }
                matched.extend(hits);
            }
            for (i, list) in lists.iter().enumerate() {
                if !matched.contains(&i) {
                    report.errors.push(ErrorItem {
                        file: g.file.clone(),
                        what: kind,
                        error: "missed",
                        item: list.first().cloned().unwrap_or_default(),
                        cause: "entity missed",
                    });
                }
            }
            ent_counts[k][0] += matched.len();
            ent_counts[k][1] += fp;
            ent_counts[k][2] += golds.len() - matched.len();
        }
    }
    report.pair = Prf::new(counts[0][0], counts[0][1], counts[0][2]);
    report.pair_date = Prf::new(counts[1][0], counts[1][1], counts[1][2]);
    report.persons = Prf::new(ent_counts[0][0], ent_counts[0][1], ent_counts[0][2]);
    report.organizations = Prf::new(ent_counts[1][0], ent_counts[1][1], ent_counts[1][2]);
    report.places = Prf::new(ent_counts[2][0], ent_counts[2][1], ent_counts[2][2]);
    report
}

impl Report {
    /// A plain-text table of every figure, then the one-line summary.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!(
            "{:<26}{:>10}{:>8}{:>8}{:>6}{:>6}{:>6}\n",
            "", "precision", "recall", "F1", "tp", "fp", "fn"
        ));
        for (label, prf) in [
            ("interactions: pairs", &self.pair),
            ("interactions: pairs+date", &self.pair_date),
            ("persons", &self.persons),
            ("organizations", &self.organizations),
            ("places", &self.places),
        ] {
            out.push_str(&format!(
                "{:<26}{:>10.3}{:>8.3}{:>8.3}{:>6}{:>6}{:>6}\n",
                label, prf.p, prf.r, prf.f1, prf.tp, prf.fp, prf.fn_
            ));
        }
        for (label, acc) in [
            ("date accuracy", &self.date),
            ("date accuracy (exact)", &self.date_exact),
            ("place accuracy", &self.place),
            ("type accuracy", &self.kind),
        ] {
            let v = acc
                .value()
                .map_or_else(|| "n/a".to_string(), |v| format!("{v:.3}"));
            out.push_str(&format!(
                "{:<26}{:>10} ({} of {} matched pairs)\n",
                label, v, acc.right, acc.of
            ));
        }
        out.push_str(&format!(
            "articles: {} ({} without output{})\n",
            self.articles,
            self.articles_without_output.len(),
            if self.articles_without_output.is_empty() {
                String::new()
            } else {
                format!(": {}", self.articles_without_output.join(", "))
            }
        ));
        out.push_str(&self.summary());
        out.push('\n');
        out
    }

    /// The errors grouped by cause ([`CAUSES`], each under a `# cause: count (what it is)`
    /// line), one line each: file, what, error, item.
    pub fn render_errors(&self) -> String {
        let mut out = String::new();
        for (cause, what) in CAUSES {
            let of: Vec<&ErrorItem> = self.errors.iter().filter(|e| e.cause == *cause).collect();
            if of.is_empty() {
                continue;
            }
            out.push_str(&format!("# {cause}: {} ({what})\n", of.len()));
            for e in of {
                out.push_str(&format!(
                    "{}\t{}\t{}\t{}\n",
                    e.file, e.what, e.error, e.item
                ));
            }
        }
        out
    }

    /// One line: the headline figures.
    pub fn summary(&self) -> String {
        let acc = |a: &Accuracy| {
            a.value()
                .map_or_else(|| "n/a".into(), |v| format!("{v:.3}"))
        };
        format!(
            "pair+date F1 {:.3} | pair F1 {:.3} | date acc {} | place acc {} | person F1 {:.3} | org F1 {:.3} | place F1 {:.3}",
            self.pair_date.f1,
            self.pair.f1,
            acc(&self.date),
            acc(&self.place),
            self.persons.f1,
            self.organizations.f1,
            self.places.f1
        )
    }
}
