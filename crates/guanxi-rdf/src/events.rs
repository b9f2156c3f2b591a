//! Events: interactions resolved across articles.
//!
//! Each article's graph holds its *reports* (`gx:InteractionReport`): what that article says of
//! one interaction, with its evidence. The interactions themselves (`gx:Interaction`) live in
//! the events graph, resolved from the reports: reports of one event by several articles become
//! one interaction with a `prov:wasDerivedFrom` per article, the number of reports and of
//! distinct sources, and the reasons they were taken for one (`gx:mergeReason`).
//!
//! Resolution works block by block. A block is the family of the interaction (meeting or
//! talks; phone or video call; visit; other) with its exact set of participants (named or
//! resolved from a title); every summit is in one block, because reports of one summit name
//! different subsets of its participants. What one block resolves to depends on its reports
//! only, so adding articles re-resolves only the blocks their reports touch
//! ([`block_of`], [`resolve_blocks`]) and gives the graph a full rebuild gives.
//!
//! In a block, in this order (places must agree wherever two reports state one: the same
//! place, or a city and its country; a summit report must share a participant):
//! 1. Reports of the same day are one event.
//! 2. Events a day apart are one when their publishers' time zones explain the day (the earlier
//!    day from a publisher west of the later day's) and no article reports both days; a visit's
//!    days (a day or two apart, four at most, the same place) are one trip.
//! 3. A report dated only to a month (a year) joins the one event of that month (year) the
//!    block holds; else reports of the same month (year) from different articles are one
//!    event (which of its dated events it is, if any, is left open).
//! 4. A report with no date joins the event it refers to: news of its article's days (no word
//!    sets it earlier) the one event of the two days before publication, else of the week,
//!    else the one event known only by the month of that week (a visit: the first of the
//!    days in the place it states, the days of one trip);
//!    a plan the first event after it within 30 days; 日前 the latest event of the ten days
//!    before; 此前, 上次 the latest event before publication within 90 days. A visit ties to
//!    a trip only through the place it states. News that joins none is one event with the
//!    undated news of other articles published within a day (a plan: within three days), or
//!    with the undated plans it carries out, published up to three days before it. Before
//!    any of this, a report stated by the same sentence as a report of another article (a wire
//!    story or a recurring box republished, at least 20 characters) joins that report's event,
//!    whatever the days.
//!    A report that only refers back to some past contact (曾, 多次), or to a previous one the
//!    block does not hold, is an interaction marked `gx:referenceOnly`: stated, not counted.
//!    A contact the text takes as known (两人的会面, 访台期间, 在峰会上) attaches as news
//!    does; when neither an event nor undated news takes it up, it too is only a reference.
//!    Plans (or plans called off) that give no day and join no event are one marked
//!    `gx:unscheduled`: an intention, not counted either.
//!
//! Anything else stays apart: a wrong merge is worse than a duplicate.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use guanxi_core::{InteractionFamily, InteractionKind, Status, TimeReference};
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
    /// The article's publication time as stored (`2020-09-10T08:00:00+08:00`): its local day
    /// and its publisher's offset.
    pub published: Option<String>,
    /// Whether the wording refers back to an earlier contact.
    pub reference: TimeReference,
    /// Evidence IRIs.
    pub evidence: Vec<String>,
    /// The text of each evidence sentence (sorted, without repeats).
    pub sentences: Vec<String>,
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
            published: None,
            reference: TimeReference::News,
            evidence: Vec::new(),
            sentences: Vec::new(),
        }
    }
}

/// The fewest characters a sentence has for its repetition in another article to make the
/// same statement (a short caption, 拜登与普京握手, may show another handshake).
const SAME_SENTENCE_CHARS: usize = 20;

impl ReportRow {
    /// Its sentences long enough to be one statement when another article repeats them.
    fn statements(&self) -> Vec<&str> {
        self.sentences
            .iter()
            .filter(|s| s.chars().count() >= SAME_SENTENCE_CHARS)
            .map(String::as_str)
            .collect()
    }

    /// Whether this report is stated by one of `statements` (another report's), word for word
    /// (a wire story or a recurring box republished): the same statement of one contact.
    fn states_any(&self, statements: &[&str]) -> bool {
        statements.iter().any(|s| {
            self.sentences
                .binary_search_by(|x| x.as_str().cmp(s))
                .is_ok()
        })
    }

    /// Every participant's IRI, named or by title.
    fn people(&self) -> BTreeSet<&str> {
        self.participants
            .keys()
            .chain(self.by_title.keys())
            .map(String::as_str)
            .collect()
    }

    /// The article's local day of publication, as a day number.
    fn published_day(&self) -> Option<i64> {
        self.published
            .as_deref()
            .and_then(|p| day_number(p.get(..10)?))
    }

    /// The publisher's offset from UTC in minutes (`+08:00` → 480; `Z` → 0).
    fn offset(&self) -> Option<i32> {
        let p = self.published.as_deref()?;
        let time = p.get(10..)?;
        if time.ends_with('Z') {
            return Some(0);
        }
        let at = time.rfind(['+', '-'])?;
        let hm = time.get(at..)?;
        let mut it = hm.get(1..)?.split(':');
        let h: i32 = it.next()?.parse().ok()?;
        let m: i32 = it.next().unwrap_or("0").parse().ok()?;
        let v = h * 60 + m;
        Some(if hm.starts_with('-') { -v } else { v })
    }
}

/// Every interaction report with its article, source, type, label, date, place, status,
/// publication time and reference back: the rows of [`ReportRow`] but participants and
/// evidence (`queries/reports.rq`).
pub const REPORTS_QUERY: &str = include_str!("../queries/reports.rq");
/// The named participants of each report: `?r ?p ?n` (`queries/report-participants.rq`).
pub const REPORT_PARTICIPANTS_QUERY: &str = include_str!("../queries/report-participants.rq");
/// The participants of each report named only by title: `?r ?p ?n`
/// (`queries/report-participants-by-title.rq`).
pub const REPORT_PARTICIPANTS_BY_TITLE_QUERY: &str =
    include_str!("../queries/report-participants-by-title.rq");
/// The evidence of each report and its sentence: `?r ?e ?text` (`queries/report-evidence.rq`).
pub const REPORT_EVIDENCE_QUERY: &str = include_str!("../queries/report-evidence.rq");
/// The named graph of merged interactions.
pub fn events_graph() -> NamedNode {
    NamedNode::new_unchecked(format!("{ID}graph/events"))
}

/// The unit of resolution: what one block resolves to depends on its reports only.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Block {
    /// Every summit (their reports name different subsets of their participants).
    Summits,
    /// A family of types with its exact participants' IRIs, sorted.
    Group(&'static str, Vec<String>),
}

impl Block {
    /// The participants every report of the block names (none for the summits, found by
    /// type): any of them finds the block's reports and events.
    pub fn people(&self) -> &[String] {
        match self {
            Block::Summits => &[],
            Block::Group(_, people) => people,
        }
    }
}

/// The block of a report or interaction of `kind` with these participants; none without any.
pub fn block_of<'a>(
    kind: InteractionKind,
    people: impl IntoIterator<Item = &'a str>,
) -> Option<Block> {
    let people: BTreeSet<&str> = people.into_iter().collect();
    if people.is_empty() {
        return None;
    }
    Some(match kind.family() {
        InteractionFamily::Summit => Block::Summits,
        f => Block::Group(f.key(), people.into_iter().map(str::to_string).collect()),
    })
}

/// A report's block.
pub fn report_block(r: &ReportRow) -> Option<Block> {
    block_of(r.kind, r.people())
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

/// `2020-09-10` as a day number.
fn day_number(date: &str) -> Option<i64> {
    NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .ok()
        .map(|d| i64::from(chrono::Datelike::num_days_from_ce(&d)))
}

/// A day number as `2020-09-10`.
fn day_text(n: i64) -> Option<String> {
    let n = i32::try_from(n).ok()?;
    NaiveDate::from_num_days_from_ce_opt(n).map(|d| d.format("%Y-%m-%d").to_string())
}

/// Whether two places can be the same venue: the same place, or a city and its country.
fn places_agree(a: (&str, Option<&str>), b: (&str, Option<&str>)) -> bool {
    a.0 == b.0 || a.1 == Some(b.0) || b.1 == Some(a.0)
}

/// How precisely an event is dated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum When {
    Day(i64),
    Month(i32, u32),
    Year(i32),
    Undated,
}

fn when_of(date: Option<&(String, String)>) -> When {
    let Some((d, _)) = date else {
        return When::Undated;
    };
    if let Some(n) = day_number(d) {
        return When::Day(n);
    }
    let mut it = d.split('-');
    let y = it.next().and_then(|y| y.parse().ok());
    let m = it.next().and_then(|m| m.parse().ok());
    match (y, m) {
        (Some(y), Some(m)) => When::Month(y, m),
        (Some(y), None) => When::Year(y),
        _ => When::Undated,
    }
}

/// The (year, month) of a day number.
fn year_month(n: i64) -> (i32, u32) {
    use chrono::Datelike;
    i32::try_from(n)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .map_or((0, 0), |d| (d.year(), d.month()))
}

struct Cluster<'a> {
    date: Option<(String, String)>,
    when: When,
    /// Every place its reports state, with the country each is in.
    places: Vec<(&'a str, Option<&'a str>)>,
    reports: Vec<&'a ReportRow>,
    /// Whether a day-apart or trip merge already widened it (no chains).
    widened: bool,
    /// Why its reports are one, step by step.
    reasons: Vec<String>,
    /// Its reports only refer back to some past contact.
    reference_only: bool,
    /// Every participant of its reports.
    people: BTreeSet<&'a str>,
}

impl<'a> Cluster<'a> {
    fn new(r: &'a ReportRow) -> Self {
        Cluster {
            date: r.date.clone(),
            when: when_of(r.date.as_ref()),
            places: r
                .place
                .as_deref()
                .map(|p| (p, r.place_country.as_deref()))
                .into_iter()
                .collect(),
            reports: vec![r],
            widened: false,
            reasons: Vec::new(),
            reference_only: false,
            people: r.people(),
        }
    }

    fn day(&self) -> Option<i64> {
        match self.when {
            When::Day(n) => Some(n),
            _ => None,
        }
    }

    fn place_fits(&self, r: &ReportRow) -> bool {
        r.place.as_deref().is_none_or(|p| {
            self.places
                .iter()
                .all(|&q| places_agree(q, (p, r.place_country.as_deref())))
        })
    }

    fn places_fit(&self, other: &Cluster<'_>) -> bool {
        self.places
            .iter()
            .all(|&a| other.places.iter().all(|&b| places_agree(a, b)))
    }

    /// Whether a report may be of this event: places agree, and a summit shares a participant.
    fn fits(&self, r: &ReportRow, summits: bool) -> bool {
        self.place_fits(r)
            && (!summits
                || r.participants
                    .keys()
                    .chain(r.by_title.keys())
                    .any(|p| self.people.contains(p.as_str())))
    }

    fn shares_people(&self, other: &Cluster<'_>) -> bool {
        !self.people.is_disjoint(&other.people)
    }

    fn join(&mut self, r: &'a ReportRow, reason: Option<String>) {
        if let Some(p) = r.place.as_deref() {
            self.places.push((p, r.place_country.as_deref()));
        }
        self.people.extend(r.people());
        self.reports.push(r);
        if let Some(reason) = reason {
            self.reasons.push(reason);
        }
    }

    fn absorb(&mut self, other: Cluster<'a>, reason: String) {
        self.places.extend(other.places);
        self.people.extend(other.people);
        self.reports.extend(other.reports);
        self.reasons.extend(other.reasons);
        self.reasons.push(reason);
        self.widened = true;
    }

    /// Whether one of its reports is stated by one of `statements` (another report's).
    fn states_any(&self, statements: &[&str]) -> bool {
        !statements.is_empty() && self.reports.iter().any(|x| x.states_any(statements))
    }

    fn has_article(&self, article: &str) -> bool {
        self.reports.iter().any(|r| r.article == article)
    }
}

/// The one index in `fits`, if exactly one.
fn only(fits: &[usize]) -> Option<usize> {
    match fits {
        [i] => Some(*i),
        _ => None,
    }
}

/// The report's label for a reason: who reports it.
fn who(r: &ReportRow) -> String {
    r.source.rsplit('/').next().unwrap_or("").to_string()
}

/// Resolves one block's reports into its events.
fn resolve<'a>(block: &Block, mut rs: Vec<&'a ReportRow>) -> Vec<Cluster<'a>> {
    let summits = *block == Block::Summits;
    // Most precise dates first; placed reports first (an unplaced one then joins the one event
    // it fits); then by date and IRI, so the order of the input never matters.
    rs.sort_by(|a, b| {
        let len = |r: &ReportRow| r.date.as_ref().map_or(0, |d| d.0.len());
        len(b)
            .cmp(&len(a))
            .then_with(|| a.place.is_none().cmp(&b.place.is_none()))
            .then_with(|| a.date.cmp(&b.date))
            .then_with(|| a.report.cmp(&b.report))
    });
    let mut clusters: Vec<Cluster<'a>> = Vec::new();
    let mut month_or_year: Vec<&'a ReportRow> = Vec::new();
    let mut undated: Vec<&'a ReportRow> = Vec::new();
    let mut by_day: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    // 1. The same day.
    for r in rs {
        let When::Day(day) = when_of(r.date.as_ref()) else {
            if r.date.is_some() {
                month_or_year.push(r);
            } else {
                undated.push(r);
            }
            continue;
        };
        let fits: Vec<usize> = by_day
            .get(&day)
            .into_iter()
            .flatten()
            .copied()
            .filter(|&i| clusters[i].fits(r, summits))
            .collect();
        // An unplaced report that fits events in two places is neither: it joins the day's
        // unplaced event (one at most, since every unplaced report fits it).
        let target = only(&fits).or_else(|| {
            fits.iter()
                .copied()
                .find(|&i| clusters[i].places.is_empty() && r.place.is_none())
        });
        match target {
            Some(i) => clusters[i].join(r, None),
            None => {
                by_day.entry(day).or_default().push(clusters.len());
                clusters.push(Cluster::new(r));
            }
        }
    }
    // 2. A day apart across time zones; a visit's consecutive days.
    clusters.sort_by(|a, b| {
        a.day()
            .cmp(&b.day())
            .then_with(|| a.reports[0].report.cmp(&b.reports[0].report))
    });
    let mut i = 0;
    while i < clusters.len() {
        let mut j = i + 1;
        while j < clusters.len() {
            let (Some(d1), Some(d2)) = (clusters[i].day(), clusters[j].day()) else {
                break;
            };
            if d2 - d1 > 3 {
                break;
            }
            if let Some(reason) = day_apart(block, &clusters[i], &clusters[j], summits) {
                let c = clusters.remove(j);
                clusters[i].absorb(c, reason);
                // (A trip may take several days; any other event a second day only.)
                if block_family(block) != Some(InteractionFamily::Visit.key()) {
                    break;
                }
                continue;
            }
            j += 1;
        }
        i += 1;
    }
    for c in &mut clusters {
        settle_day(c);
    }
    // 3. A month or a year.
    let mut coarse: Vec<Cluster<'a>> = Vec::new();
    for r in month_or_year {
        let when = when_of(r.date.as_ref());
        let within = |c: &Cluster<'_>| match (when, c.when) {
            (When::Month(y, m), When::Day(n)) => year_month(n) == (y, m),
            (When::Year(y), When::Day(n)) => year_month(n).0 == y,
            (When::Year(y), When::Month(cy, _)) => cy == y,
            _ => false,
        };
        let published = r.published_day();
        // (A past event cannot be dated after the article that reports it.)
        let not_after = |c: &Cluster<'_>| {
            r.status != Status::Happened
                || published.is_none_or(|p| c.day().is_none_or(|d| d <= p + 1))
        };
        let dated: Vec<usize> = (0..clusters.len())
            .filter(|&i| {
                within(&clusters[i]) && not_after(&clusters[i]) && clusters[i].fits(r, summits)
            })
            .collect();
        let months: Vec<usize> = (0..coarse.len())
            .filter(|&i| within(&coarse[i]) && coarse[i].fits(r, summits))
            .collect();
        let d = r.date.as_ref().map_or("", |d| d.0.as_str());
        if let (Some(i), true) = (only(&dated), months.is_empty()) {
            let reason = format!("{d} in {}: the one event of that period", who(r));
            clusters[i].join(r, Some(reason));
            continue;
        }
        // Reports of the same month from different articles (when the month holds several
        // dated events, which one they are is left open).
        let same: Vec<usize> = (0..coarse.len())
            .filter(|&i| {
                coarse[i].date == r.date
                    && coarse[i].fits(r, summits)
                    && !coarse[i].has_article(&r.article)
            })
            .collect();
        // (An unplaced report that fits several joins the unplaced one, as on a day.)
        let target = only(&same).or_else(|| {
            same.iter()
                .copied()
                .find(|&i| coarse[i].places.is_empty() && r.place.is_none())
        });
        let period = if matches!(when, When::Month(..)) {
            "month"
        } else {
            "year"
        };
        match target {
            Some(i) => coarse[i].join(
                r,
                Some(format!(
                    "{d} in {}: the same {period}, no day given",
                    who(r)
                )),
            ),
            None => coarse.push(Cluster::new(r)),
        }
    }
    clusters.extend(coarse);
    // 4. No date.
    let mut loose: Vec<Cluster<'a>> = Vec::new();
    undated.sort_by(|a, b| {
        a.published
            .cmp(&b.published)
            .then_with(|| a.report.cmp(&b.report))
    });
    for r in undated {
        let statements = r.statements();
        match attach(&clusters, r, &statements, summits) {
            Some((i, reason)) => clusters[i].join(r, Some(reason)),
            None => {
                if matches!(
                    r.reference,
                    TimeReference::PreviousContact | TimeReference::SomePastContact
                ) && r.status == Status::Happened
                {
                    let mut c = Cluster::new(r);
                    c.reference_only = true;
                    loose.push(c);
                    continue;
                }
                // Undated news of other articles published within a day (plans: three), or
                // the undated plan it carries out, published up to three days before it.
                let window = if r.status == Status::Planned { 3 } else { 1 };
                let p = r.published_day();
                let carried_out = |c: &Cluster<'_>| {
                    r.status == Status::Happened
                        && c.reports.iter().all(|x| x.status == Status::Planned)
                };
                // The same sentence in another article first, whatever the days.
                let worded: Vec<usize> = (0..loose.len())
                    .filter(|&i| {
                        let c = &loose[i];
                        c.states_any(&statements)
                            && !c.reference_only
                            && c.reports[0].status == r.status
                            && !c.has_article(&r.article)
                            && c.fits(r, summits)
                    })
                    .collect();
                if let Some(i) = only(&worded) {
                    let reason = format!(
                        "undated in {}, the same sentence as the other undated report{}",
                        who(r),
                        if loose[i].reports.len() > 1 { "s" } else { "" }
                    );
                    loose[i].join(r, Some(reason));
                    continue;
                }
                let same: Vec<usize> = (0..loose.len())
                    .filter(|&i| {
                        let c = &loose[i];
                        let first = c.reports[0];
                        let near = |p: i64, q: i64| {
                            if first.status == r.status {
                                (p - q).abs() <= window
                            } else {
                                carried_out(c) && (0..=3).contains(&(p - q))
                            }
                        };
                        !c.reference_only
                            && p.zip(first.published_day())
                                .is_some_and(|(p, q)| near(p, q))
                            && !c.has_article(&r.article)
                            && c.fits(r, summits)
                            && (!summits || first.people() == r.people())
                    })
                    .collect();
                match only(&same) {
                    Some(i) => {
                        let reason = if carried_out(&loose[i]) {
                            format!(
                                "undated in {}, published within 3 days after the undated plan{}",
                                who(r),
                                if loose[i].reports.len() > 1 { "s" } else { "" }
                            )
                        } else {
                            format!(
                                "undated in {}, published within {window} day{} of the other undated report{}",
                                who(r),
                                if window == 1 { "" } else { "s" },
                                if loose[i].reports.len() > 1 { "s" } else { "" }
                            )
                        };
                        loose[i].join(r, Some(reason));
                    }
                    None => loose.push(Cluster::new(r)),
                }
            }
        }
    }
    // A contact only ever taken as known (会谈时, 两人的会面) that no event and no news took
    // up refers to one told elsewhere: stated, not counted.
    for c in &mut loose {
        if c.reports
            .iter()
            .all(|r| r.reference == TimeReference::KnownContact)
            && c.reports.iter().any(|r| r.status == Status::Happened)
        {
            c.reference_only = true;
        }
    }
    clusters.extend(loose);
    clusters
}

fn block_family(block: &Block) -> Option<&'static str> {
    match block {
        Block::Summits => None,
        Block::Group(f, _) => Some(f),
    }
}

/// Why two day clusters (`a` the earlier) are one event, if they are.
fn day_apart(block: &Block, a: &Cluster<'_>, b: &Cluster<'_>, summits: bool) -> Option<String> {
    let (d1, d2) = (a.day()?, b.day()?);
    if !a.places_fit(b) || (summits && !a.shares_people(b)) {
        return None;
    }
    // No article reports both: one that does tells two events.
    if a.reports.iter().any(|r| b.has_article(&r.article)) {
        return None;
    }
    let day = |n: i64| day_text(n).unwrap_or_default();
    if block_family(block) == Some(InteractionFamily::Visit.key()) {
        // A trip: days in one place a day or two apart, four days at most.
        let first = a
            .reports
            .iter()
            .filter_map(|r| r.date.as_ref())
            .filter_map(|d| day_number(&d.0))
            .min()?;
        let placed = !a.places.is_empty() && !b.places.is_empty();
        return (placed && d2 - first <= 3 && d2 - d1 <= 2 && !a.widened_beyond(d2)).then(|| {
            format!(
                "{} to {}: one trip, the same place on days close together",
                day(first),
                day(d2)
            )
        });
    }
    if d2 - d1 != 1 || a.widened || b.widened {
        return None;
    }
    // The earlier day from a publisher west of the later day's.
    let west = a.reports.iter().filter_map(|r| r.offset()).min()?;
    let east = b.reports.iter().filter_map(|r| r.offset()).max()?;
    (west < east).then(|| {
        format!(
            "{} and {}: a day apart, reported from time zones {} and {}",
            day(d1),
            day(d2),
            utc(west),
            utc(east)
        )
    })
}

impl Cluster<'_> {
    /// Whether the trip already spans more than four days with `day`.
    fn widened_beyond(&self, day: i64) -> bool {
        self.reports
            .iter()
            .filter_map(|r| r.date.as_ref())
            .filter_map(|d| day_number(&d.0))
            .any(|d| day - d > 3)
    }
}

fn utc(minutes: i32) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    let m = minutes.abs();
    if m % 60 == 0 {
        format!("UTC{sign}{}", m / 60)
    } else {
        format!("UTC{sign}{}:{:02}", m / 60, m % 60)
    }
}

/// A widened cluster's date: the day most sources give (ties: the earlier; a trip: its first
/// day).
fn settle_day(c: &mut Cluster<'_>) {
    if !c.widened {
        return;
    }
    let mut by_day: BTreeMap<i64, BTreeSet<&str>> = BTreeMap::new();
    for r in &c.reports {
        if let Some(n) = r.date.as_ref().and_then(|d| day_number(&d.0)) {
            by_day.entry(n).or_default().insert(r.source.as_str());
        }
    }
    let trip = c.reports.iter().all(|r| r.kind == InteractionKind::Visit);
    let pick = if trip {
        by_day.keys().next().copied()
    } else {
        by_day
            .iter()
            .max_by(|a, b| a.1.len().cmp(&b.1.len()).then(b.0.cmp(a.0)))
            .map(|(d, _)| *d)
    };
    if let Some(n) = pick {
        c.when = When::Day(n);
        if let (Some(text), Some(d)) = (day_text(n), c.date.as_mut()) {
            d.0 = text;
        }
    }
}

/// The event an undated report refers to, and why.
fn attach(
    clusters: &[Cluster<'_>],
    r: &ReportRow,
    statements: &[&str],
    summits: bool,
) -> Option<(usize, String)> {
    let p = r.published_day()?;
    let day = |n: i64| day_text(n).unwrap_or_default();
    // A summit report names some of the summit's participants; a visit is told by its place,
    // so a visit report ties to a trip only where it states the trip's place.
    let visit = r.kind.family() == InteractionFamily::Visit;
    let fits = |c: &Cluster<'_>| {
        c.fits(r, summits)
            && (!visit || (r.place.is_some() && !c.places.is_empty()))
            && !c.reference_only
            && (r.status == Status::Cancelled)
                == c.reports.iter().all(|x| x.status == Status::Cancelled)
    };
    let days_in = |lo: i64, hi: i64| -> Vec<(usize, i64)> {
        clusters
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.day().filter(|d| (lo..=hi).contains(d)).map(|d| (i, d)))
            .filter(|(i, _)| fits(&clusters[*i]))
            .collect()
    };
    // The latest (or first) of several, when no other event shares its day.
    let alone_on = |v: &[(usize, i64)], day: Option<i64>| -> Option<(usize, i64)> {
        let day = day?;
        let at: Vec<usize> = (0..v.len()).filter(|&k| v[k].1 == day).collect();
        only(&at).map(|k| v[k])
    };
    let latest = |v: &[(usize, i64)]| alone_on(v, v.iter().map(|x| x.1).max());
    let first = |v: &[(usize, i64)]| alone_on(v, v.iter().map(|x| x.1).min());
    let src = who(r);
    let published = day(p);
    // The same sentence in another article: the same statement, whatever the days.
    let same: Vec<usize> = (0..clusters.len())
        .filter(|&i| {
            let c = &clusters[i];
            c.states_any(statements)
                && c.fits(r, summits)
                && !c.reference_only
                && (r.status == Status::Cancelled)
                    == c.reports.iter().all(|x| x.status == Status::Cancelled)
        })
        .collect();
    if let Some(i) = only(&same) {
        return Some((
            i,
            format!(
                "undated in {src} (published {published}): the same sentence as a report of {}",
                clusters[i]
                    .date
                    .as_ref()
                    .map_or("no day".to_string(), |d| d.0.clone())
            ),
        ));
    }
    if r.status == Status::Planned {
        let (i, d) = first(&days_in(p - 1, p + 30))?;
        return Some((
            i,
            format!(
                "undated plan in {src} (published {published}): the first event after it, {}",
                day(d)
            ),
        ));
    }
    match r.reference {
        TimeReference::News | TimeReference::KnownContact => {
            // A visit's days in the place it states are days of one trip: its first.
            let trip = |v: &[(usize, i64)]| if visit { first(v) } else { None };
            let near = days_in(p - 2, p + 1);
            let ((i, d), what) = match near.as_slice() {
                [x] => (*x, "the one event of its days"),
                [] => match days_in(p - 7, p + 1).as_slice() {
                    [x] => (*x, "the one event of its days"),
                    // No day: the one event known only by the month of its week.
                    [] => return month_of(clusters, p, &fits).map(|(i, m)| {
                        (i, format!("undated in {src} (published {published}): the one event of its month, {m}"))
                    }),
                    week => (trip(week)?, "the first day of the trip to the place it states"),
                },
                days => (trip(days)?, "the first day of the trip to the place it states"),
            };
            Some((
                i,
                format!(
                    "undated in {src} (published {published}): {what}, {}",
                    day(d)
                ),
            ))
        }
        TimeReference::RecentPast => {
            let (i, d) = latest(&days_in(p - 10, p))?;
            Some((i, format!("undated, recent (日前) in {src} (published {published}): the latest event before it, {}", day(d))))
        }
        TimeReference::PreviousContact => {
            let (i, d) = latest(&days_in(p - 90, p))?;
            Some((i, format!("undated, referring back (此前) in {src} (published {published}): the latest event before it, {}", day(d))))
        }
        TimeReference::SomePastContact => None,
    }
}

/// The one event dated only by a month that holds the week before day `p`, when exactly one
/// fits (and no event of that block is dated to a day of that week).
fn month_of(
    clusters: &[Cluster<'_>],
    p: i64,
    fits: &dyn Fn(&Cluster<'_>) -> bool,
) -> Option<(usize, String)> {
    let months: BTreeSet<(i32, u32)> = [year_month(p), year_month(p - 7)].into_iter().collect();
    let found: Vec<usize> = clusters
        .iter()
        .enumerate()
        .filter(|(_, c)| matches!(c.when, When::Month(y, m) if months.contains(&(y, m))))
        .filter(|(_, c)| fits(c))
        .map(|(i, _)| i)
        .collect();
    let i = only(&found)?;
    Some((
        i,
        clusters[i]
            .date
            .as_ref()
            .map_or(String::new(), |d| d.0.clone()),
    ))
}

/// The events graph's quads for every report in the store.
pub fn merge(reports: &[ReportRow]) -> Vec<Quad> {
    resolve_blocks(reports, None)
}

/// The events graph's quads for the blocks in `only` (every block when `None`), from the
/// reports given (which must hold every report of those blocks).
pub fn resolve_blocks(reports: &[ReportRow], only: Option<&BTreeSet<Block>>) -> Vec<Quad> {
    let mut blocks: BTreeMap<Block, Vec<&ReportRow>> = BTreeMap::new();
    for r in reports {
        if let Some(b) = report_block(r) {
            if only.is_none_or(|o| o.contains(&b)) {
                blocks.entry(b).or_default().push(r);
            }
        }
    }
    let graph = GraphName::NamedNode(events_graph());
    let mut out = Vec::new();
    for (block, rs) in blocks {
        let mut seen = BTreeSet::new();
        for c in resolve(&block, rs) {
            write_event(&mut out, &graph, &c, &mut seen);
        }
    }
    out.sort_by_cached_key(|q| q.to_string());
    out.dedup();
    out
}

fn write_event(
    out: &mut Vec<Quad>,
    graph: &GraphName,
    c: &Cluster<'_>,
    seen: &mut BTreeSet<String>,
) {
    let Some(first) = c.reports.first() else {
        return;
    };
    let fam = first.kind.family().key();
    let lowest = c
        .reports
        .iter()
        .map(|r| r.report.as_str())
        .min()
        .unwrap_or_default();
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
    if c.date.is_none() || c.reference_only {
        // An undated event is named by its first report.
        key.push(lowest);
    }
    let mut hash = fnv(&key);
    if !seen.insert(hash.clone()) {
        // (Two events of one day and place: the second is named by its first report too.)
        key.push(lowest);
        hash = fnv(&key);
        seen.insert(hash.clone());
    }
    let node = NamedNode::new_unchecked(format!("{ID}interaction/{hash}"));
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
    if c.reference_only {
        add(&gx("referenceOnly"), Term::Literal(Literal::from(true)));
    } else if c.date.is_none() && status != Status::Happened {
        // Plans (or plans called off) with no day that no dated event took up: an intention.
        add(&gx("unscheduled"), Term::Literal(Literal::from(true)));
    }
    if c.reports.len() > 1 {
        let names: Vec<&str> = named
            .values()
            .chain(by_title.values())
            .map(|n| n.as_str())
            .collect();
        let mut reason = format!(
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
        for step in &c.reasons {
            reason.push_str("; ");
            reason.push_str(step);
        }
        add(
            &gx("mergeReason"),
            Term::Literal(Literal::new_simple_literal(reason)),
        );
    }
}
