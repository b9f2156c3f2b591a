//! Event resolution against a hand-made gold: for reports that give no day (undated, or only
//! a month or a year), which event each refers to, or none. The store's answer for a report
//! is the day of the interaction that holds it; an attachment is a report given a day it did
//! not state.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::{norm_name, norm_url, EvalError, Prf};

/// Every report with its own date and the interaction that holds it, with that interaction's
/// date; one row per participant name.
pub const EVENT_REPORTS_QUERY: &str = "PREFIX gx: <https://w3id.org/guanxi/ontology#>
PREFIX schema: <http://schema.org/>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?url ?r ?t ?rd ?i ?d ?name WHERE {
  ?i a gx:Interaction ; gx:report ?r .
  ?r gx:reportedType ?t ; prov:wasDerivedFrom ?a ; gx:participant|gx:participantByTitle ?p .
  ?a schema:url ?url .
  ?p schema:name ?name .
  OPTIONAL { ?r schema:startDate ?rd }
  OPTIONAL { ?i schema:startDate ?d }
}";

/// One hand-resolved report.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct GoldReport {
    /// The article's URL.
    pub url: String,
    /// The reported type (`meeting`, `visit`, … as in the interaction gold).
    #[serde(rename = "type")]
    pub kind: String,
    /// The participants' names as the store names them.
    pub participants: Vec<String>,
    /// The sentence that states it.
    pub evidence: String,
    /// The days under which the event it refers to is known (one day, or the two days of an
    /// event reported a day apart across time zones); none when it refers to no event the
    /// archive dates.
    pub event: Option<Vec<String>>,
    /// Why.
    pub note: String,
}

/// Reads the event gold (JSON Lines, blank lines skipped).
pub fn parse_event_gold(text: &str) -> Result<Vec<GoldReport>, EvalError> {
    crate::json_lines(text)
}

/// One row of [`EVENT_REPORTS_QUERY`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventReportRow {
    /// The article's URL.
    pub url: String,
    /// The report's IRI.
    pub report: String,
    /// The reported type's IRI.
    pub kind: String,
    /// The report's own date.
    pub report_date: Option<String>,
    /// The interaction's IRI.
    pub interaction: String,
    /// The interaction's date.
    pub date: Option<String>,
    /// A participant's name.
    pub name: String,
}

/// What the store did with one gold report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventOutcome {
    /// The gold row's evidence.
    pub evidence: String,
    /// The day the store gave it, when it gave one it did not state.
    pub attached: Option<String>,
    /// The gold's answer.
    pub gold: Option<Vec<String>>,
    /// Whether the report was found at all.
    pub found: bool,
}

/// Attachment precision and recall, with each report's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct EventScore {
    /// Attachments right / made / expected.
    pub attachment: Prf,
    /// Gold reports the store does not hold (its extraction differs).
    pub missing: usize,
    /// Each gold report in order.
    pub outcomes: Vec<EventOutcome>,
}

fn family(kind: &str) -> &'static str {
    let k = kind
        .rsplit(['#', '/'])
        .next()
        .unwrap_or(kind)
        .to_lowercase();
    match k.as_str() {
        "meeting" | "talks" => "meeting",
        "phonecall" | "videocall" | "phone_call" | "video_call" => "call",
        "summit" => "summit",
        "visit" => "visit",
        _ => "other",
    }
}

/// Scores the store's rows against the gold.
pub fn score_events(gold: &[GoldReport], rows: &[EventReportRow]) -> EventScore {
    use std::collections::BTreeMap;
    // report → (url, family, own date, interaction date, names)
    type Seen = (
        String,
        &'static str,
        Option<String>,
        Option<String>,
        BTreeSet<String>,
    );
    let mut reports: BTreeMap<&str, Seen> = BTreeMap::new();
    for r in rows {
        let e = reports.entry(r.report.as_str()).or_insert_with(|| {
            (
                norm_url(&r.url),
                family(&r.kind),
                r.report_date.clone(),
                r.date.clone(),
                BTreeSet::new(),
            )
        });
        e.4.insert(norm_name(&r.name));
    }
    let (mut tp, mut fp, mut fn_) = (0, 0, 0);
    let mut missing = 0;
    let mut outcomes = Vec::new();
    for g in gold {
        let url = norm_url(&g.url);
        let names: BTreeSet<String> = g.participants.iter().map(|n| norm_name(n)).collect();
        let fam = family(&g.kind);
        // The report that matches, preferring one that states no day.
        let found = reports
            .values()
            .filter(|s| s.0 == url && s.1 == fam && s.4 == names)
            .min_by_key(|s| s.2.as_ref().is_some_and(|d| d.len() == 10));
        // The event it is in: its interaction's day, whether the report was attached to it or
        // now gives that day itself (a report that dates itself rightly refers to its event).
        let attached = found.and_then(|s| s.3.clone().filter(|d| d.len() == 10));
        if found.is_none() {
            missing += 1;
        }
        match (&attached, &g.event) {
            (Some(d), Some(days)) if days.contains(d) => tp += 1,
            (Some(_), Some(_)) => {
                fp += 1;
                fn_ += 1;
            }
            (Some(_), None) => fp += 1,
            (None, Some(_)) => fn_ += 1,
            (None, None) => {}
        }
        outcomes.push(EventOutcome {
            evidence: g.evidence.clone(),
            attached,
            gold: g.event.clone(),
            found: found.is_some(),
        });
    }
    EventScore {
        attachment: Prf::new(tp, fp, fn_),
        missing,
        outcomes,
    }
}

impl EventScore {
    /// The figures, then a line per report (`+` right, `-` wrong, `?` missed, `.` rightly left alone).
    pub fn render(&self) -> String {
        let mut s = String::new();
        for o in &self.outcomes {
            let mark = match (&o.attached, &o.gold) {
                (Some(d), Some(g)) if g.contains(d) => '+',
                (Some(_), _) => '-',
                (None, Some(_)) => '?',
                (None, None) => '.',
            };
            s.push_str(&format!(
                "{mark} {} → {} (gold {}){}\n",
                o.evidence,
                o.attached.as_deref().unwrap_or("none"),
                o.gold.as_ref().map_or("none".to_string(), |g| g.join("/")),
                if o.found { "" } else { " [report not found]" }
            ));
        }
        let a = &self.attachment;
        s.push_str(&format!(
            "attachment precision {:.3} recall {:.3} f1 {:.3} (right {}, wrong {}, missed {}); reports not found {} of {}\n",
            a.p, a.r, a.f1, a.tp, a.fp, a.fn_, self.missing, self.outcomes.len()
        ));
        s
    }
}
