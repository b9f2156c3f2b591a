//! What extraction finds in one article: entities, roles, interactions, with evidence.

use crate::{DateValue, LocalDate, Span};
use serde::{Deserialize, Serialize};

/// The kind of a named entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum EntityKind {
    /// A real person.
    Person,
    /// A government body, party, international organisation, company, outlet, university.
    Organization,
    /// A country, region, city or venue.
    Place,
}

/// The finer kind of a place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum PlaceKind {
    /// A sovereign state or territory (`schema:Country`).
    Country,
    /// A city (`schema:City`).
    City,
    /// A province, state or wider region.
    Region,
    /// A building or site.
    Venue,
    /// A continent.
    Continent,
    /// An area spanning several countries, a sea or an ocean (东亚, 印太, 南海).
    Area,
}

/// The identity of an entity: its kind and canonical name (simplified Chinese short form).
///
/// Invariant: two mentions denote the same entity exactly when their keys are equal; the RDF
/// layer mints the entity's IRI from this key alone.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct EntityKey {
    /// Person, organisation or place.
    pub kind: EntityKind,
    /// Canonical name, e.g. `拉夫罗夫`.
    pub name: String,
}

/// One occurrence of an entity in the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mention {
    /// Where it is in the normalised text.
    pub span: Span,
    /// Index of the sentence holding it in [`Extraction::sentences`].
    pub sentence: usize,
    /// The surface form as written (normalised).
    pub surface: String,
}

/// A distinct entity mentioned in the article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    /// Identity.
    pub key: EntityKey,
    /// The name it is shown by (`schema:name`): the key's name, or for a person of the
    /// gazetteer known by a full transliteration, its common short form (拉杰纳特·辛格 → 辛格).
    pub name: String,
    /// Finer kind, for places.
    pub place_kind: Option<PlaceKind>,
    /// Other known or seen names (full transliterations, traditional, English), sorted.
    pub alternate_names: Vec<String>,
    /// Wikidata item (`Q7747`) when linked.
    pub wikidata: Option<String>,
    /// WGS84 latitude and longitude in decimal degrees, for places the gazetteer locates.
    pub coordinates: Option<Coordinates>,
    /// For cities and venues, the country they are in.
    pub contained_in: Option<EntityKey>,
    /// Every occurrence, in text order.
    pub mentions: Vec<Mention>,
}

/// A point on the earth: WGS84 decimal degrees, kept as written in the gazetteer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coordinates {
    /// Latitude, south negative (`55.7558`).
    pub latitude: String,
    /// Longitude, west negative (`37.6173`).
    pub longitude: String,
}

/// A sentence of the normalised text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sentence {
    /// Where it is.
    pub span: Span,
}

/// Where a fact is stated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// Index of the sentence in [`Extraction::sentences`].
    pub sentence: usize,
    /// The sentence's span.
    pub span: Span,
    /// The word that triggered the fact (interaction verb, title), with its span.
    pub trigger: Span,
}

/// A title held by a person: `俄罗斯外长拉夫罗夫` → 拉夫罗夫 holds 外交部长 of 俄罗斯.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    /// The person.
    pub person: EntityKey,
    /// Normalised title, e.g. `外交部长`.
    pub title: String,
    /// The country or organisation the title belongs to, when stated.
    pub of: Option<EntityKey>,
    /// Whether the text marks it as former (`前`, `时任`).
    pub former: bool,
    /// The day the article states it (its reference day: publication or dateline).
    pub stated_on: Option<LocalDate>,
    /// The term of office the gazetteer knows for this person, title and country on that day.
    pub term: Option<Term>,
    /// Where it is stated.
    pub evidence: Evidence,
}

/// A term of office from the gazetteer: who held which title of which country or
/// organisation, from when to when, and where that is documented.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Term {
    /// First day (or month) in office.
    pub start: DateValue,
    /// Last day (or month); `None` while in office.
    pub end: Option<DateValue>,
    /// Where the dates come from (a URL).
    pub source: String,
}

/// The kind of an interaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum InteractionKind {
    /// 会见, 会晤, 会面, 接见.
    Meeting,
    /// 会谈, 磋商.
    Talks,
    /// 通话, 通电话.
    PhoneCall,
    /// 视频会晤, 视频通话.
    VideoCall,
    /// 峰会 with named participants.
    Summit,
    /// 访问, 到访 with no partner named.
    Visit,
    /// A contact the six above do not name: a joint press conference or announcement, a
    /// shared meal, a letter or message (贺电, 致电), an agreement signed together.
    Other,
}

/// Kinds whose reports may describe one event: an article or an outlet may call the same
/// meeting 会见 or 会谈, the same call 通话 or 视频通话.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InteractionFamily {
    /// Meetings and talks.
    MeetingOrTalks,
    /// Phone and video calls.
    Call,
    /// Summits.
    Summit,
    /// Visits.
    Visit,
    /// Other contacts.
    Other,
}

impl InteractionFamily {
    /// The family's key in the identifiers of merged interactions (a stable string: changing
    /// it changes every interaction IRI).
    pub fn key(self) -> &'static str {
        match self {
            InteractionFamily::MeetingOrTalks => "meeting or talks",
            InteractionFamily::Call => "call",
            InteractionFamily::Summit => "summit",
            InteractionFamily::Visit => "visit",
            InteractionFamily::Other => "other",
        }
    }
}

impl InteractionKind {
    /// Every kind.
    pub const ALL: [InteractionKind; 7] = [
        InteractionKind::Meeting,
        InteractionKind::Talks,
        InteractionKind::PhoneCall,
        InteractionKind::VideoCall,
        InteractionKind::Summit,
        InteractionKind::Visit,
        InteractionKind::Other,
    ];

    /// The kind's class in the ontology, a local name of `gx:` (`Meeting`).
    pub fn name(self) -> &'static str {
        match self {
            InteractionKind::Meeting => "Meeting",
            InteractionKind::Talks => "Talks",
            InteractionKind::PhoneCall => "PhoneCall",
            InteractionKind::VideoCall => "VideoCall",
            InteractionKind::Summit => "Summit",
            InteractionKind::Visit => "Visit",
            InteractionKind::Other => "OtherInteraction",
        }
    }

    /// The kind whose class is `name` (`Meeting`), if any.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The family of kinds that may report the same event.
    pub fn family(self) -> InteractionFamily {
        match self {
            InteractionKind::Meeting | InteractionKind::Talks => InteractionFamily::MeetingOrTalks,
            InteractionKind::PhoneCall | InteractionKind::VideoCall => InteractionFamily::Call,
            InteractionKind::Summit => InteractionFamily::Summit,
            InteractionKind::Visit => InteractionFamily::Visit,
            InteractionKind::Other => InteractionFamily::Other,
        }
    }

    /// Whether the participants were apart (a phone or video call).
    pub fn is_call(self) -> bool {
        self.family() == InteractionFamily::Call
    }

    /// The PLOVER event type: every kind is a consultation.
    pub fn plover_type(self) -> &'static str {
        "CONSULT"
    }

    /// The PLOVER mode of a consultation, where PLOVER names one.
    pub fn plover_mode(self) -> Option<&'static str> {
        match self {
            InteractionKind::PhoneCall | InteractionKind::VideoCall => Some("phone"),
            InteractionKind::Visit => Some("visit"),
            _ => None,
        }
    }

    /// The CAMEO code: 046 engage in negotiation, 041 discuss by telephone, 042 make a visit,
    /// 040 consult (meetings, summits and other contacts).
    pub fn cameo_code(self) -> &'static str {
        match self {
            InteractionKind::Talks => "046",
            InteractionKind::PhoneCall | InteractionKind::VideoCall => "041",
            InteractionKind::Visit => "042",
            _ => "040",
        }
    }
}

/// Whether an interaction took place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Status {
    /// It took place.
    Happened,
    /// It is announced or planned.
    Planned,
    /// It was called off or postponed.
    Cancelled,
}

impl Status {
    /// Every status.
    pub const ALL: [Status; 3] = [Status::Happened, Status::Planned, Status::Cancelled];

    /// The status's individual in the ontology, a local name of `gx:` (`Happened`).
    pub fn name(self) -> &'static str {
        match self {
            Status::Happened => "Happened",
            Status::Planned => "Planned",
            Status::Cancelled => "Cancelled",
        }
    }

    /// The status whose individual is `name` (`Happened`), if any.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// Whether a report speaks of the news of its day or of an earlier contact, and of which: what
/// event resolution reads to tie a report that gives no date to the event it refers to.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub enum TimeReference {
    /// No word sets it before the news (the news of the article's own days, or planned).
    #[default]
    News,
    /// A contact of the last days (日前, 近日, 前不久): the latest one, within days.
    RecentPast,
    /// The previous contact (此前, 上次, 当时): the latest one before the article.
    PreviousContact,
    /// Some past contact or several (曾, 多次, 近年来): none in particular.
    SomePastContact,
    /// A contact the sentence takes as known rather than reports (习近平与拜登的会面,
    /// 阿扎尔访台期间, 在峰会上): the news of the article's days when an event of those days
    /// is known, else a reference to some contact the reader is told of elsewhere.
    KnownContact,
}

impl TimeReference {
    /// Every reference with an individual (the news itself has none).
    pub const NAMED: [TimeReference; 4] = [
        TimeReference::RecentPast,
        TimeReference::PreviousContact,
        TimeReference::SomePastContact,
        TimeReference::KnownContact,
    ];

    /// Its individual in the ontology, a local name of `gx:`; `None` for the news itself.
    pub fn name(self) -> Option<&'static str> {
        match self {
            TimeReference::News => None,
            TimeReference::RecentPast => Some("RecentPast"),
            TimeReference::PreviousContact => Some("PreviousContact"),
            TimeReference::SomePastContact => Some("SomePastContact"),
            TimeReference::KnownContact => Some("KnownContact"),
        }
    }

    /// The reference whose individual is `name` (`RecentPast`); the news itself otherwise.
    pub fn from_name(name: &str) -> Self {
        Self::NAMED
            .into_iter()
            .find(|r| r.name() == Some(name))
            .unwrap_or_default()
    }
}

/// Who met whom, when, where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interaction {
    /// Meeting, talks, call, summit, visit.
    pub kind: InteractionKind,
    /// Participants named in the article, sorted by key (persons, or organisations when no
    /// person is named).
    pub participants: Vec<EntityKey>,
    /// Participants the article names only by their title (俄罗斯外长), resolved to the
    /// holder of that office on the article's day through the gazetteer, sorted.
    pub by_title: Vec<EntityKey>,
    /// When, as precise as the text says; `None` when it does not say.
    pub date: Option<DateValue>,
    /// Where, when stated.
    pub place: Option<EntityKey>,
    /// Happened, planned or cancelled.
    pub status: Status,
    /// Whether the wording sets it before the news (此前, 曾, 多次), and how.
    #[serde(default)]
    pub reference: TimeReference,
    /// Every statement of it in the article (one event reported twice keeps both).
    pub evidence: Vec<Evidence>,
}

/// Something extraction noticed and could not use (never fatal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Where in the text, when it applies.
    pub span: Option<Span>,
    /// What happened, lowercase, no trailing period.
    pub message: String,
}

/// Everything extracted from one article.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extraction {
    /// Sentences of the text, in order.
    pub sentences: Vec<Sentence>,
    /// Distinct entities, sorted by key.
    pub entities: Vec<Entity>,
    /// Persons the article refers to only by title (see [`Interaction::by_title`]), sorted.
    pub referenced: Vec<Entity>,
    /// Titles held by persons.
    pub roles: Vec<Role>,
    /// Interactions, deduplicated within the article, in text order of first evidence.
    pub interactions: Vec<Interaction>,
    /// Notes on what could not be used.
    pub diagnostics: Vec<Diagnostic>,
}
