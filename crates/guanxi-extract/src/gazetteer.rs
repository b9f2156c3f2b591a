//! The gazetteer and rule tables, loaded once from the TSV files under `data/`.
//!
//! Every table row carries its source or reason in its last column. Names are simplified
//! Chinese; the matcher is an Aho–Corasick automaton over every name and alias
//! (leftmost-longest, so `美国之音` wins over `美国`).

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, MatchKind};
use guanxi_core::{EntityKey, EntityKind, InteractionKind, PlaceKind};

/// One known entity.
#[derive(Debug, Clone)]
pub struct GazetteerEntry {
    /// Identity.
    pub key: EntityKey,
    /// For places: country, city, region, venue, continent.
    pub place_kind: Option<PlaceKind>,
    /// Other names (traditional, full transliterations, English).
    pub aliases: Vec<String>,
    /// Wikidata item.
    pub wikidata: Option<String>,
    /// For persons: the country they serve (its canonical place name), when known.
    pub country: Option<String>,
}

/// Tables used by the extractor.
pub struct Gazetteer {
    /// Known entities.
    pub entries: Vec<GazetteerEntry>,
    /// Surface form → entry index, for every name and alias.
    pub by_surface: HashMap<String, usize>,
    /// Matcher over `surfaces` (pattern id indexes `surfaces`).
    pub matcher: Option<AhoCorasick>,
    /// Surface forms in pattern order, with their entry.
    pub surfaces: Vec<(String, usize)>,
    /// Title surface → normalised title, longest surfaces first.
    pub titles: Vec<(String, String)>,
    /// Trigger surface → interaction kind, longest surfaces first.
    pub triggers: Vec<(String, InteractionKind)>,
    /// Government-body words that follow a country (`外交部`), longest first.
    pub bodies: Vec<String>,
    /// One-character country abbreviations of compounds (中俄外长: 中 → 中国, 俄 → 俄罗斯).
    pub abbreviations: HashMap<char, String>,
    /// Abbreviations that mention their country in compounds (中美关系, 访日).
    pub compound_mentions: HashMap<char, String>,
    /// Characters seen in foreign full names (`谢尔盖·拉夫罗夫`), for trimming dotted names.
    pub transliteration_chars: std::collections::HashSet<char>,
}

fn rows(tsv: &str) -> impl Iterator<Item = Vec<&str>> {
    tsv.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').map(str::trim).collect::<Vec<_>>())
}

fn place_kind(s: &str) -> Option<PlaceKind> {
    Some(match s {
        "country" => PlaceKind::Country,
        "city" => PlaceKind::City,
        "region" => PlaceKind::Region,
        "venue" => PlaceKind::Venue,
        "continent" => PlaceKind::Continent,
        _ => return None,
    })
}

fn interaction_kind(s: &str) -> Option<InteractionKind> {
    Some(match s {
        "Meeting" => InteractionKind::Meeting,
        "Talks" => InteractionKind::Talks,
        "PhoneCall" => InteractionKind::PhoneCall,
        "VideoCall" => InteractionKind::VideoCall,
        "Summit" => InteractionKind::Summit,
        "Visit" => InteractionKind::Visit,
        _ => return None,
    })
}

impl Gazetteer {
    /// The built-in tables.
    pub fn builtin() -> Self {
        let mut entries = Vec::new();
        let mut add_table = |tsv: &str, kind: EntityKind| {
            for f in rows(tsv) {
                // Header rows start with "name".
                if f.first().is_none_or(|n| n.is_empty() || *n == "name") {
                    continue;
                }
                let name = f[0].to_string();
                let aliases = f
                    .get(1)
                    .map(|a| {
                        a.split('|')
                            .map(str::trim)
                            .filter(|s| !s.is_empty() && *s != name)
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default();
                let wikidata = f
                    .get(2)
                    .filter(|q| {
                        q.starts_with('Q')
                            && q[1..].chars().all(|c| c.is_ascii_digit())
                            && q.len() > 1
                    })
                    .map(|q| q.to_string());
                let pk = if kind == EntityKind::Place {
                    f.get(3).and_then(|k| place_kind(k))
                } else {
                    None
                };
                let country = if kind == EntityKind::Person {
                    f.get(3).filter(|c| !c.is_empty()).map(|c| c.to_string())
                } else {
                    None
                };
                entries.push(GazetteerEntry {
                    key: EntityKey { kind, name },
                    place_kind: pk,
                    aliases,
                    wikidata,
                    country,
                });
            }
        };
        add_table(include_str!("../data/persons.tsv"), EntityKind::Person);
        add_table(include_str!("../data/places.tsv"), EntityKind::Place);
        add_table(include_str!("../data/orgs.tsv"), EntityKind::Organization);
        Self::from_entries(entries)
    }

    /// Tables over the given entries (the rule tables are always the built-in ones).
    pub fn from_entries(entries: Vec<GazetteerEntry>) -> Self {
        let mut by_surface: HashMap<String, usize> = HashMap::new();
        let mut surfaces = Vec::new();
        let mut transliteration_chars = std::collections::HashSet::new();
        for (i, e) in entries.iter().enumerate() {
            for s in std::iter::once(&e.key.name).chain(e.aliases.iter()) {
                if s.chars().count() < 2 {
                    continue;
                }
                if e.key.kind == EntityKind::Person && s.contains('·') {
                    transliteration_chars.extend(s.chars().filter(|c| *c != '·'));
                }
                // First row wins a surface claimed twice.
                if !by_surface.contains_key(s) {
                    by_surface.insert(s.clone(), i);
                    surfaces.push((s.clone(), i));
                }
            }
        }
        let matcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(surfaces.iter().map(|(s, _)| s.as_str()))
            .ok();
        let mut titles: Vec<(String, String)> = rows(include_str!("../data/titles.tsv"))
            .filter(|f| f.len() >= 2)
            .map(|f| (f[0].to_string(), f[1].to_string()))
            .collect();
        titles.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        let mut triggers: Vec<(String, InteractionKind)> =
            rows(include_str!("../data/triggers.tsv"))
                .filter_map(|f| Some((f.first()?.to_string(), interaction_kind(f.get(1)?)?)))
                .collect();
        triggers.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        let mut bodies: Vec<String> = rows(include_str!("../data/bodies.tsv"))
            .filter_map(|f| f.first().map(|s| s.to_string()))
            .collect();
        bodies.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        let abbreviation_rows: Vec<Vec<&str>> =
            rows(include_str!("../data/country_abbreviations.tsv")).collect();
        let abbreviations = abbreviation_rows
            .iter()
            .filter(|f| f.first() != Some(&"华"))
            .filter_map(|f| Some((f.first()?.chars().next()?, f.get(1)?.to_string())))
            .collect();
        let compound_mentions = abbreviation_rows
            .iter()
            .filter(|f| f.get(2) == Some(&"yes"))
            .filter_map(|f| Some((f.first()?.chars().next()?, f.get(1)?.to_string())))
            .collect();
        Gazetteer {
            entries,
            by_surface,
            matcher,
            surfaces,
            titles,
            triggers,
            bodies,
            abbreviations,
            compound_mentions,
            transliteration_chars,
        }
    }

    /// The entry known by `surface`.
    pub fn lookup(&self, surface: &str) -> Option<&GazetteerEntry> {
        self.by_surface.get(surface).map(|&i| &self.entries[i])
    }
}
