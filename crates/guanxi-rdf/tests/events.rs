//! Merging reports across articles: the same day merges, different days, month-only reports
//! and disagreeing places stay apart, a city agrees with its country, the reason is stated.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::BTreeMap;

use guanxi_rdf::events::{merge, ReportRow};

const XSD_DATE: &str = "http://www.w3.org/2001/XMLSchema#date";
const XSD_MONTH: &str = "http://www.w3.org/2001/XMLSchema#gYearMonth";

fn report(
    id: &str,
    source: &str,
    kind: &str,
    date: Option<&str>,
    place: Option<(&str, Option<&str>)>,
) -> ReportRow {
    let people: BTreeMap<String, String> = [("p:王毅", "王毅"), ("p:苏杰生", "苏杰生")]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    ReportRow {
        report: format!("r:{id}"),
        article: format!("a:{id}"),
        source: source.to_string(),
        kind: guanxi_core::InteractionKind::from_name(kind).unwrap(),
        label: format!("{kind}：王毅、苏杰生"),
        participants: people,
        date: date.map(|d| {
            (
                d.to_string(),
                if d.len() == 10 { XSD_DATE } else { XSD_MONTH }.to_string(),
            )
        }),
        place: place.map(|p| p.0.to_string()),
        place_country: place.and_then(|p| p.1).map(str::to_string),
        status: guanxi_core::Status::Happened,
        evidence: vec![format!("e:{id}")],
        ..ReportRow::default()
    }
}

/// Interactions as `subject: predicate object` lines, without the graph.
fn events(reports: &[ReportRow]) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for q in merge(reports) {
        let p = q
            .predicate
            .as_str()
            .rsplit(['#', '/'])
            .next()
            .unwrap()
            .to_string();
        if p == "type" && q.object.to_string().ends_with("#Interaction>") {
            continue;
        }
        out.entry(q.subject.to_string())
            .or_default()
            .push(format!("{p} {}", q.object));
    }
    out
}

#[test]
fn check_merge_rules() {
    let reports = vec![
        // Talks in Moscow on 10 September, reported by three articles of two publishers; one
        // calls it a meeting and gives the country, one gives no place.
        report(
            "zaobao",
            "s:zaobao",
            "Talks",
            Some("2020-09-10"),
            Some(("l:莫斯科", Some("l:俄罗斯"))),
        ),
        report(
            "voa",
            "s:voa",
            "Meeting",
            Some("2020-09-10"),
            Some(("l:俄罗斯", None)),
        ),
        report("zaobao2", "s:zaobao", "Talks", Some("2020-09-10"), None),
        // Another day: another interaction.
        report("later", "s:voa", "Talks", Some("2020-09-11"), None),
        // Only the month: its own interaction.
        report("month", "s:dw", "Talks", Some("2020-09"), None),
        // The same day elsewhere: its own interaction.
        report(
            "elsewhere",
            "s:dw",
            "Talks",
            Some("2020-09-10"),
            Some(("l:新德里", Some("l:印度"))),
        ),
        // No date: its own interaction.
        report("undated", "s:dw", "Meeting", None, None),
        // Another day: an unplaced report joins the one placed event of that day.
        report(
            "d12",
            "s:dw",
            "Meeting",
            Some("2020-09-12"),
            Some(("l:莫斯科", Some("l:俄罗斯"))),
        ),
        report("d12b", "s:bbc", "Meeting", Some("2020-09-12"), None),
        // A call the same day is not the talks.
        report("call", "s:bbc", "PhoneCall", Some("2020-09-10"), None),
    ];
    let ev = events(&reports);
    let mut text = String::new();
    for (i, (_, lines)) in ev.iter().enumerate() {
        let mut lines = lines.clone();
        lines.sort();
        text.push_str(&format!("# interaction {i}\n{}\n", lines.join("\n")));
    }
    insta::assert_snapshot!(text);
    // Moscow talks (2 reports), 新德里, the ambiguous unplaced report, the 11th, the month,
    // the undated one, the 12th (2 reports), the call.
    assert_eq!(ev.len(), 8, "{text}");
    let merged: Vec<&Vec<String>> = ev
        .values()
        .filter(|l| l.iter().any(|x| x.starts_with("reportCount \"2\"")))
        .collect();
    assert_eq!(merged.len(), 2, "{text}");
    for m in &merged {
        assert!(m.iter().any(|x| x == "location <l:莫斯科>"), "{m:?}");
        assert!(
            m.iter().any(|x| x.starts_with("sourceCount \"2\"")),
            "{m:?}"
        );
        assert!(m.iter().any(|x| x.starts_with("mergeReason")), "{m:?}");
    }
    assert!(
        merged.iter().any(|m| m
            .iter()
            .any(|x| x == "type <https://w3id.org/guanxi/ontology#Talks>")),
        "a meeting reported as talks by the other source is talks: {merged:?}"
    );
    // The same reports in another order give the same quads.
    let mut rev = reports.clone();
    rev.reverse();
    assert_eq!(merge(&rev), merge(&reports));
}

/// The queries the store reads reports, graphs and timelines with are SPARQL 1.1 and bind
/// what their readers read.
#[test]
fn report_queries_parse_and_bind_what_the_merge_reads() {
    use guanxi_rdf::events::*;
    use guanxi_rdf::reads;
    for (q, vars) in [
        (
            REPORTS_QUERY,
            &["r", "a", "src", "t", "label", "d", "pl", "plc", "st"][..],
        ),
        (REPORT_PARTICIPANTS_QUERY, &["r", "p", "n"]),
        (REPORT_PARTICIPANTS_BY_TITLE_QUERY, &["r", "p", "n"]),
        (REPORT_EVIDENCE_QUERY, &["r", "e"]),
        (reads::GRAPH_ENTITIES_QUERY, &["e", "kind", "name"]),
        (reads::GRAPH_PUBLISHERS_QUERY, &["p", "n"]),
        (
            reads::GRAPH_INTERACTIONS_QUERY,
            &["i", "type", "date", "p", "pl"],
        ),
        (reads::GRAPH_INTERACTION_SOURCES_QUERY, &["i", "pub"]),
        (
            reads::TIMELINE_QUERY,
            &[
                "i", "type", "date", "place", "status", "other", "a", "byTitle", "target",
            ],
        ),
        (
            reads::ENTITY_MENTIONS_QUERY,
            &["e", "kind", "name", "m", "count"],
        ),
        (
            reads::MENTION_CONTEXT_QUERY,
            &["m", "start", "end", "body", "url"],
        ),
    ] {
        let parsed = spargebra::SparqlParser::new().parse_query(q).unwrap();
        let text = parsed.to_string();
        for v in vars {
            assert!(text.contains(&format!("?{v}")), "?{v} in {q}");
        }
    }
}

/// One report of a row of `tests/data/event_rules.tsv`.
fn rule_report(n: usize, spec: &str) -> ReportRow {
    let f: Vec<&str> = spec.split(',').collect();
    assert!(f.len() == 8 || f.len() == 9, "{spec}");
    let none = |s: &str| (s != "-").then(|| s.to_string());
    let (place, country) = match f[3].split_once('@') {
        Some((p, c)) => (Some(format!("l:{p}")), Some(format!("l:{c}"))),
        None => (none(f[3]).map(|p| format!("l:{p}")), None),
    };
    let people: BTreeMap<String, String> = f[7]
        .split('+')
        .map(|p| (format!("p:{p}"), p.to_string()))
        .collect();
    ReportRow {
        report: format!("r:{n}-{}", f[0]),
        article: format!("a:{}", f[0]),
        source: format!("s:{}", f[4].get(19..).unwrap_or("")),
        kind: guanxi_core::InteractionKind::from_name(f[1]).unwrap(),
        label: f[1].to_string(),
        participants: people,
        date: none(f[2]).map(|d| {
            let dt = match d.len() {
                10 => XSD_DATE,
                7 => XSD_MONTH,
                _ => "http://www.w3.org/2001/XMLSchema#gYear",
            };
            (d.clone(), dt.to_string())
        }),
        place,
        place_country: country,
        status: guanxi_core::Status::from_name(f[6]).unwrap(),
        published: Some(f[4].to_string()),
        reference: guanxi_core::TimeReference::from_name(f[5]),
        evidence: vec![format!("e:{n}")],
        // The sentence named by the ninth field, long enough to be one statement.
        sentences: f
            .get(8)
            .map(|k| format!("{k}：蓬佩奥与约翰逊会晤时保持社交距离，讨论了香港和新疆等问题。"))
            .into_iter()
            .collect(),
        ..ReportRow::default()
    }
}

/// Event resolution, one rule per row of `tests/data/event_rules.tsv`: which reports become
/// one event, which stay apart, which are only references to some past contact (`*`), which
/// are plans with no day that no event took up (`~`).
#[test]
fn event_rules() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/event_rules.tsv"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let mut failures = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let f: Vec<&str> = line.split('\t').collect();
        let (rule, specs, want) = (f[0], f[1], f[2]);
        let reports: Vec<ReportRow> = specs
            .split(';')
            .enumerate()
            .map(|(n, s)| rule_report(n, s))
            .collect();
        let id = |iri: &str| {
            iri.trim_matches(['<', '>'])
                .split_once('-')
                .map_or(String::new(), |x| x.1.to_string())
        };
        let mut events: BTreeMap<String, (Vec<String>, &str)> = BTreeMap::new();
        for q in merge(&reports) {
            let e = events.entry(q.subject.to_string()).or_default();
            if q.predicate.as_str().ends_with("#report") {
                e.0.push(id(&q.object.to_string()));
            }
            if q.predicate.as_str().ends_with("#referenceOnly") {
                e.1 = "*";
            }
            if q.predicate.as_str().ends_with("#unscheduled") {
                e.1 = "~";
            }
        }
        let mut got: Vec<String> = events
            .values()
            .map(|(ids, mark)| {
                let mut ids = ids.clone();
                ids.sort();
                format!("{}{mark}", ids.join("+"))
            })
            .collect();
        got.sort();
        let mut want: Vec<&str> = want.split('|').collect();
        want.sort();
        if got != want {
            failures.push(format!(
                "{rule}: got {} want {}",
                got.join("|"),
                want.join("|")
            ));
        }
        // The same reports in another order give the same quads.
        let mut rev = reports.clone();
        rev.reverse();
        assert_eq!(
            merge(&rev),
            merge(&reports),
            "{rule}: order changed the events"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
