//! Interactions merged across articles.
//!
//! Each article's graph holds its *reports* (`gx:InteractionReport`): what that article says of
//! one interaction, with its evidence. The interactions themselves (`gx:Interaction`) live in
//! the events graph, rebuilt from every report in the store: reports of the same event by
//! several articles become one interaction with a `prov:wasDerivedFrom` per article, the number
//! of reports and of distinct sources, and the reason they were merged.
//!
//! Merge key: the family of the interaction (meeting or talks; phone or video call; summit;
//! visit), the same participants (named or resolved from a title) and the same day. Places must
//! agree when both reports state one. A report with no date, or with only a month or a year, is
//! never merged: nothing says it is the same event, and its article says no more. Two meetings
//! of the same pair on different days stay two.

use std::collections::{BTreeMap, BTreeSet};

use guanxi_core::{InteractionKind, Status};
use oxrdf::{GraphName, Literal, NamedNode, NamedOrBlankNode, Quad, Term};

use crate::fnv;
use crate::vocab::{gx, schema, ID, PROV, RDF_TYPE};

/// One report as read back from the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    /// The report's IRI.
    pub report: String,
    /// The article that makes it.
    pub article: String,
    /// Who published the article (its publisher's IRI, else the article's).
    pub source: String,
    /// The reported type.
    pub kind: InteractionKind,
    /// The report's label (`会谈：王毅、苏杰生`).
    pub label: String,
    /// Named participants (IRI → name).
    pub participants: BTreeMap<String, String>,
    /// Participants named only by title (IRI → name).
    pub by_title: BTreeMap<String, String>,
    /// Date literal (`2020-09-10`, `2020-09`, `2020`) with its datatype IRI.
    pub date: Option<(String, String)>,
    /// Place IRI.
    pub place: Option<String>,
    /// The country the place is in, when it is a city or venue the gazetteer locates.
    pub place_country: Option<String>,
    /// Whether it happened.
    pub status: Status,
    /// Evidence IRIs.
    pub evidence: Vec<String>,
}

impl Default for ReportRow {
    /// An empty report of a meeting that happened.
    fn default() -> Self {
        ReportRow {
            report: String::new(),
            article: String::new(),
            source: String::new(),
            kind: InteractionKind::Meeting,
            label: String::new(),
            participants: BTreeMap::new(),
            by_title: BTreeMap::new(),
            date: None,
            place: None,
            place_country: None,
            status: Status::Happened,
            evidence: Vec::new(),
        }
    }
}

/// Every interaction report with its article, source, type, label, date, place and status:
/// the rows of [`ReportRow`] but participants and evidence (`queries/reports.rq`).
pub const REPORTS_QUERY: &str = include_str!("../queries/reports.rq");
/// The named participants of each report: `?r ?p ?n` (`queries/report-participants.rq`).
pub const REPORT_PARTICIPANTS_QUERY: &str = include_str!("../queries/report-participants.rq");
/// The participants of each report named only by title: `?r ?p ?n`
/// (`queries/report-participants-by-title.rq`).
pub const REPORT_PARTICIPANTS_BY_TITLE_QUERY: &str =
    include_str!("../queries/report-participants-by-title.rq");
/// The evidence of each report: `?r ?e` (`queries/report-evidence.rq`).
pub const REPORT_EVIDENCE_QUERY: &str = include_str!("../queries/report-evidence.rq");

/// The named graph of merged interactions.
pub fn events_graph() -> NamedNode {
    NamedNode::new_unchecked(format!("{ID}graph/events"))
}

/// Preference among the types of one family when reports disagree and counts tie.
fn type_rank(kind: InteractionKind) -> u8 {
    match kind {
        InteractionKind::Summit => 0,
        InteractionKind::Talks => 1,
        InteractionKind::Meeting => 2,
        InteractionKind::VideoCall => 3,
        InteractionKind::PhoneCall => 4,
        InteractionKind::Visit => 5,
        InteractionKind::Other => 6,
    }
}

/// `2020-09-10` → (2020, 9, 10); month and day absent when the literal lacks them.
fn parts(date: &str) -> (i32, Option<u32>, Option<u32>) {
    let mut it = date.split('-');
    let y = it.next().and_then(|y| y.parse().ok()).unwrap_or(0);
    let m = it.next().and_then(|m| m.parse().ok());
    let d = it.next().and_then(|d| d.parse().ok());
    (y, m, d)
}

struct Cluster<'a> {
    date: Option<(String, String)>,
    /// Every place its reports state, with the country each is in.
    places: Vec<(&'a str, Option<&'a str>)>,
    reports: Vec<&'a ReportRow>,
}

/// Whether two places can be the same venue: the same place, or a city and its country.
fn places_agree(a: (&str, Option<&str>), b: (&str, Option<&str>)) -> bool {
    a.0 == b.0 || a.1 == Some(b.0) || b.1 == Some(a.0)
}

/// The events graph's quads for every report in the store.
pub fn merge(reports: &[ReportRow]) -> Vec<Quad> {
    // Group by family and participants.
    let mut groups: BTreeMap<(&'static str, BTreeSet<&str>), Vec<&ReportRow>> = BTreeMap::new();
    for r in reports {
        let people: BTreeSet<&str> = r
            .participants
            .keys()
            .chain(r.by_title.keys())
            .map(String::as_str)
            .collect();
        groups
            .entry((r.kind.family().key(), people))
            .or_default()
            .push(r);
    }
    let graph = GraphName::NamedNode(events_graph());
    let mut out = Vec::new();
    for ((fam, _), mut rs) in groups {
        // Most precise dates first, so that coarser reports find the day they belong to.
        rs.sort_by(|a, b| {
            let len = |r: &ReportRow| r.date.as_ref().map_or(0, |d| d.0.len());
            // Placed reports first: an unplaced one then joins the one event it fits.
            len(b)
                .cmp(&len(a))
                .then_with(|| a.place.is_none().cmp(&b.place.is_none()))
                .then_with(|| a.date.cmp(&b.date))
                .then_with(|| a.report.cmp(&b.report))
        });
        let mut clusters: Vec<Cluster<'_>> = Vec::new();
        for r in rs {
            // The same day (a report giving only the month or the year is an event of its own:
            // its article says no more, and two meetings of one month are not one).
            let target = r
                .date
                .as_ref()
                .filter(|(d, _)| parts(d).2.is_some())
                .and_then(|(d, _)| {
                    let fits: Vec<usize> = clusters
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| {
                            c.date.as_ref().is_some_and(|(cd, _)| cd == d)
                                && r.place.as_deref().is_none_or(|p| {
                                    c.places
                                        .iter()
                                        .all(|&q| places_agree(q, (p, r.place_country.as_deref())))
                                })
                        })
                        .map(|(i, _)| i)
                        .collect();
                    // (An unplaced report that fits events in two places is neither.)
                    match fits.as_slice() {
                        [i] => Some(*i),
                        _ => None,
                    }
                });
            match target {
                Some(i) => {
                    let c = &mut clusters[i];
                    if let Some(p) = r.place.as_deref() {
                        c.places.push((p, r.place_country.as_deref()));
                    }
                    c.reports.push(r);
                }
                None => clusters.push(Cluster {
                    date: r.date.clone(),
                    places: r
                        .place
                        .as_deref()
                        .map(|p| (p, r.place_country.as_deref()))
                        .into_iter()
                        .collect(),
                    reports: vec![r],
                }),
            }
        }
        for c in clusters {
            write_event(&mut out, &graph, fam, &c);
        }
    }
    out.sort_by_cached_key(|q| q.to_string());
    out.dedup();
    out
}

fn write_event(out: &mut Vec<Quad>, graph: &GraphName, fam: &str, c: &Cluster<'_>) {
    let Some(first) = c.reports.first() else {
        return;
    };
    let named: BTreeMap<&String, &String> = c
        .reports
        .iter()
        .flat_map(|r| r.participants.iter())
        .collect();
    let by_title: BTreeMap<&String, &String> = c
        .reports
        .iter()
        .flat_map(|r| r.by_title.iter())
        .filter(|(k, _)| !named.contains_key(k))
        .collect();
    let people: Vec<&str> = named
        .keys()
        .chain(by_title.keys())
        .map(|k| k.as_str())
        .collect();
    let date = c.date.as_ref().map_or("", |d| d.0.as_str());
    // The place: the most specific one (a city over its country), the most reported among those.
    let countries: BTreeSet<&str> = c.places.iter().filter_map(|p| p.1).collect();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for p in c.places.iter().filter(|p| !countries.contains(p.0)) {
        *counts.entry(p.0).or_default() += 1;
    }
    let place = counts
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(p, _)| *p);
    let mut key = vec![fam, date, place.unwrap_or("")];
    key.extend(people.iter().copied());
    if c.date.is_none() {
        // An undated report is an event of its own.
        key.push(first.report.as_str());
    }
    let node = NamedNode::new_unchecked(format!("{ID}interaction/{}", fnv(&key)));
    let mut add = |p: &str, o: Term| {
        out.push(Quad::new(
            NamedOrBlankNode::NamedNode(node.clone()),
            NamedNode::new_unchecked(p),
            o,
            graph.clone(),
        ));
    };
    let iri = |s: &str| Term::NamedNode(NamedNode::new_unchecked(s));
    let plain = |s: &str| Term::Literal(Literal::new_simple_literal(s));

    // The type most reports give (ties: the more specific).
    // (Counted by class name, whose order breaks what the rank leaves tied.)
    let mut counts: BTreeMap<&str, (usize, InteractionKind)> = BTreeMap::new();
    for r in &c.reports {
        counts.entry(r.kind.name()).or_insert((0, r.kind)).0 += 1;
    }
    let kind = counts
        .values()
        .max_by(|a, b| a.0.cmp(&b.0).then(type_rank(b.1).cmp(&type_rank(a.1))))
        .map_or(InteractionKind::Meeting, |&(_, k)| k);
    add(RDF_TYPE, iri(&gx("Interaction")));
    add(RDF_TYPE, iri(&gx(kind.name())));
    add(&gx("ploverType"), plain(kind.plover_type()));
    if let Some(m) = kind.plover_mode() {
        add(&gx("ploverMode"), plain(m));
    }
    add(&gx("cameoCode"), plain(kind.cameo_code()));
    add(
        &schema("name"),
        Term::Literal(Literal::new_language_tagged_literal_unchecked(
            first.label.clone(),
            "zh",
        )),
    );
    for p in named.keys() {
        add(&gx("participant"), iri(p));
    }
    for p in by_title.keys() {
        add(&gx("participantByTitle"), iri(p));
    }
    if let Some((d, dt)) = &c.date {
        add(
            &schema("startDate"),
            Term::Literal(Literal::new_typed_literal(
                d.clone(),
                NamedNode::new_unchecked(dt.clone()),
            )),
        );
    }
    if let Some(p) = place {
        add(&schema("location"), iri(p));
    }
    let has = |s: Status| c.reports.iter().any(|r| r.status == s);
    let status = if has(Status::Happened) {
        Status::Happened
    } else if has(Status::Cancelled) {
        Status::Cancelled
    } else {
        Status::Planned
    };
    add(&gx("status"), iri(&gx(status.name())));
    let sources: BTreeSet<&str> = c.reports.iter().map(|r| r.source.as_str()).collect();
    for r in &c.reports {
        add(&format!("{PROV}wasDerivedFrom"), iri(&r.article));
        add(&gx("report"), iri(&r.report));
        for e in &r.evidence {
            add(&gx("evidence"), iri(e));
        }
    }
    add(
        &gx("reportCount"),
        Term::Literal(Literal::from(c.reports.len() as i64)),
    );
    add(
        &gx("sourceCount"),
        Term::Literal(Literal::from(sources.len() as i64)),
    );
    if c.reports.len() > 1 {
        let names: Vec<&str> = named
            .values()
            .chain(by_title.values())
            .map(|n| n.as_str())
            .collect();
        let reason = format!(
            "{} reports from {} sources: the same {} of {}, {}{}",
            c.reports.len(),
            sources.len(),
            fam,
            names.join(", "),
            match &c.date {
                Some((d, _)) => format!("on {d}"),
                None => "undated".to_string(),
            },
            if c.places.is_empty() {
                ""
            } else {
                ", places agreeing where stated"
            }
        );
        add(
            &gx("mergeReason"),
            Term::Literal(Literal::new_simple_literal(reason)),
        );
    }
}
