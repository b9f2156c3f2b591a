//! The gazetteer and rule tables, loaded once from the TSV files under `data/`.
//!
//! Every table row carries its source or reason in its last column. Names are simplified
//! Chinese; the matcher is a character trie over every name and alias, read leftmost-longest
//! (so `美国之音` wins over `美国`). A trie walked from each character touches a few small
//! nodes; an Aho–Corasick automaton over the same 20,000 names is tens of megabytes, and
//! every byte of text cost a cache miss in it.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use guanxi_core::{
    Coordinates, DateValue, EntityKey, EntityKind, InteractionKind, LocalDate, PlaceKind, Term,
};

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
    /// For persons, the country they serve; for cities and venues, the country they are in
    /// (`data/city_countries.tsv`); its canonical place name.
    pub country: Option<String>,
    /// For venues, and organisations named after their seat (白宫), the city they stand in
    /// (`data/venues.tsv`): an interaction held there took place in that city.
    pub city: Option<String>,
    /// For places: where it is (`data/coordinates.tsv`).
    pub coordinates: Option<Coordinates>,
}

/// A term of office: 拉夫罗夫 held 外交部长 of 俄罗斯 from 2004-03-09, per its source.
#[derive(Debug, Clone)]
pub struct Office {
    /// The holder's canonical name (a person of the gazetteer).
    pub person: String,
    /// Normalised title (`外交部长`), as in `titles.tsv`.
    pub title: String,
    /// Canonical name of the country or organisation.
    pub of: String,
    /// The term's dates and source.
    pub term: Term,
}

impl Office {
    /// Whether the term covers `day` (a term given to the month covers that whole month).
    pub fn covers(&self, day: LocalDate) -> bool {
        let d = (day.year, day.month, day.day);
        let first = |v: &DateValue| (v.year, v.month.unwrap_or(1), v.day.unwrap_or(1));
        let last = |v: &DateValue| (v.year, v.month.unwrap_or(12), v.day.unwrap_or(31));
        first(&self.term.start) <= d && self.term.end.as_ref().is_none_or(|e| d <= last(e))
    }
}

fn parse_date_value(s: &str) -> Option<DateValue> {
    let mut it = s.split('-');
    let year = it.next()?.parse().ok()?;
    let month = it.next().map(str::parse::<u32>).transpose().ok()?;
    let day = it.next().map(str::parse::<u32>).transpose().ok()?;
    match (month, day) {
        (Some(m), Some(d)) if (1..=12).contains(&m) && (1..=31).contains(&d) => {
            Some(DateValue::day(LocalDate {
                year,
                month: m,
                day: d,
            }))
        }
        (Some(m), None) if (1..=12).contains(&m) => Some(DateValue::month(year, m)),
        (None, None) => Some(DateValue::year(year)),
        _ => None,
    }
}

/// Place → coordinates, from a table with columns place, latitude, longitude, source. Rows
/// whose numbers are not decimal degrees in range are left out.
pub fn parse_coordinates(tsv: &str) -> HashMap<&str, Coordinates> {
    let valid = |s: &str, limit: f64| s.parse::<f64>().is_ok_and(|v| v.abs() <= limit);
    rows(tsv)
        .filter_map(|f| {
            let (lat, lon) = (*f.get(1)?, *f.get(2)?);
            let place = *f.first()?;
            (valid(lat, 90.0) && valid(lon, 180.0)).then(|| {
                (
                    place,
                    Coordinates {
                        latitude: lat.to_string(),
                        longitude: lon.to_string(),
                    },
                )
            })
        })
        .collect()
}

/// Terms of office from a table with columns person, title, of, start, end, source.
pub fn parse_offices(tsv: &str) -> Vec<Office> {
    rows(tsv)
        .filter_map(|f| {
            let start = parse_date_value(f.get(3)?)?;
            let end = match f.get(4).copied().unwrap_or("") {
                "" => None,
                e => Some(parse_date_value(e)?),
            };
            Some(Office {
                person: f.first()?.to_string(),
                title: f.get(1)?.to_string(),
                of: f.get(2)?.to_string(),
                term: Term {
                    start,
                    end,
                    source: f.get(5).copied().unwrap_or("").to_string(),
                },
            })
        })
        .collect()
}

/// Words in a character trie, for finding them in text. Walks start from the first two
/// characters: a bit filter over their first character (8 KiB) and one over their pair
/// (32 KiB), both small enough to stay in the fastest cache, turn most positions away before
/// any table is read; a hash of the pairs gives the word they spell and the node after them;
/// deeper nodes keep sorted runs of edges in one array. One-character words have their own
/// table.
#[derive(Debug, Default)]
pub struct CharTrie {
    nodes: Vec<TrieNode>,
    /// The edges of every node, each node's a run sorted by character.
    edges: Vec<(char, u32)>,
    /// One-character words: the character → word id.
    singles: HashMap<char, u32>,
    /// Bit `first_bit(a)` is set for every one-character word `a` (8 KiB).
    single_bits: Vec<u64>,
    /// The first two characters → the word they spell and the node after them.
    pairs: HashMap<u64, TrieNode>,
    /// Bit `pair_bit(a, b)` is set for every pair in `pairs`.
    filter: Vec<u64>,
    /// Bit `first_bit(a)` is set for the first character `a` of every word (8 KiB).
    first: Vec<u64>,
}

/// A node: the word ending here and the run of edges leaving it.
#[derive(Debug, Clone, Copy)]
struct TrieNode {
    /// The id of the word ending here, or [`NO_WORD`].
    word: u32,
    /// The first edge in [`CharTrie::edges`].
    from: u32,
    /// How many edges.
    len: u32,
}

const NO_WORD: u32 = u32::MAX;

impl TrieNode {
    fn word(self) -> Option<usize> {
        (self.word != NO_WORD).then_some(self.word as usize)
    }
}

/// A node while the trie is built.
#[derive(Default)]
struct BuildNode {
    children: Vec<(char, u32)>,
    word: Option<u32>,
}

const FILTER_BITS: u32 = 18;

fn pair_key(a: char, b: char) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

fn first_bit(a: char) -> usize {
    (u32::from(a) & 0xffff) as usize
}

fn pair_bit(a: char, b: char) -> usize {
    let h = pair_key(a, b).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (h >> (64 - FILTER_BITS)) as usize
}

impl CharTrie {
    /// A trie over `words`; a word's id is its position. A repeated word keeps its first id;
    /// the empty word is never found.
    pub fn new<'a>(words: impl IntoIterator<Item = &'a str>) -> Self {
        let mut t = CharTrie {
            filter: vec![0; 1 << (FILTER_BITS - 6)],
            first: vec![0; 1 << (16 - 6)],
            single_bits: vec![0; 1 << (16 - 6)],
            ..CharTrie::default()
        };
        let mut nodes: Vec<BuildNode> = Vec::new();
        let mut pairs: HashMap<u64, u32> = HashMap::default();
        let push = |nodes: &mut Vec<BuildNode>| {
            nodes.push(BuildNode::default());
            (nodes.len() - 1) as u32
        };
        for (id, w) in words.into_iter().enumerate() {
            let Ok(id) = u32::try_from(id) else { break };
            if id == NO_WORD {
                break;
            }
            let mut chars = w.chars();
            let Some(a) = chars.next() else { continue };
            let bit = first_bit(a);
            t.first[bit / 64] |= 1 << (bit % 64);
            let Some(b) = chars.next() else {
                t.singles.entry(a).or_insert(id);
                t.single_bits[bit / 64] |= 1 << (bit % 64);
                continue;
            };
            let mut node = match pairs.get(&pair_key(a, b)) {
                Some(&n) => n,
                None => {
                    let n = push(&mut nodes);
                    pairs.insert(pair_key(a, b), n);
                    let bit = pair_bit(a, b);
                    t.filter[bit / 64] |= 1 << (bit % 64);
                    n
                }
            };
            for c in chars {
                let children = &nodes[node as usize].children;
                node = match children.binary_search_by_key(&c, |&(k, _)| k) {
                    Ok(i) => children[i].1,
                    Err(i) => {
                        let n = push(&mut nodes);
                        nodes[node as usize].children.insert(i, (c, n));
                        n
                    }
                };
            }
            let slot = &mut nodes[node as usize].word;
            if slot.is_none() {
                *slot = Some(id);
            }
        }
        // Flatten: every node's edges become one run of the edge array.
        for n in &nodes {
            t.nodes.push(TrieNode {
                word: n.word.unwrap_or(NO_WORD),
                from: t.edges.len() as u32,
                len: n.children.len() as u32,
            });
            t.edges.extend_from_slice(&n.children);
        }
        t.pairs = pairs
            .into_iter()
            .filter_map(|(k, n)| Some((k, *t.nodes.get(n as usize)?)))
            .collect();
        t
    }

    /// Calls `f(end, id)` for every word starting with character `a` at byte `at` of `text`,
    /// shortest first; `next` is the character after `a` and its byte position.
    fn walk(
        &self,
        text: &str,
        at: usize,
        a: char,
        next: Option<(usize, char)>,
        mut f: impl FnMut(usize, usize),
    ) {
        let bit = first_bit(a);
        if self
            .first
            .get(bit / 64)
            .is_none_or(|w| w & (1 << (bit % 64)) == 0)
        {
            return;
        }
        if self
            .single_bits
            .get(bit / 64)
            .is_some_and(|w| w & (1 << (bit % 64)) != 0)
        {
            if let Some(&id) = self.singles.get(&a) {
                f(at + a.len_utf8(), id as usize);
            }
        }
        let Some((i, b)) = next else { return };
        let bit = pair_bit(a, b);
        if self
            .filter
            .get(bit / 64)
            .is_none_or(|w| w & (1 << (bit % 64)) == 0)
        {
            return;
        }
        let Some(&pair) = self.pairs.get(&pair_key(a, b)) else {
            return;
        };
        let mut node = pair;
        let mut end = i + b.len_utf8();
        let mut rest = text[end..].char_indices();
        let base = end;
        loop {
            if let Some(id) = node.word() {
                f(end, id);
            }
            if node.len == 0 {
                return;
            }
            let Some((k, c)) = rest.next() else { return };
            let Some(edges) = self
                .edges
                .get(node.from as usize..(node.from + node.len) as usize)
            else {
                return;
            };
            let Ok(j) = edges.binary_search_by_key(&c, |&(k, _)| k) else {
                return;
            };
            let Some(&next) = self.nodes.get(edges[j].1 as usize) else {
                return;
            };
            node = next;
            end = base + k + c.len_utf8();
        }
    }

    /// Leftmost-longest matches `(start, end, id)`, without overlaps, left to right: at the
    /// first position where a word starts, the longest one, then on from its end.
    pub fn find_iter(&self, text: &str) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        let mut chars = text.char_indices().peekable();
        let mut skip_to = 0;
        while let Some((i, a)) = chars.next() {
            if i < skip_to {
                continue;
            }
            let mut longest = None;
            self.walk(text, i, a, chars.peek().copied(), |end, id| {
                longest = Some((end, id))
            });
            if let Some((end, id)) = longest {
                out.push((i, end, id));
                skip_to = end;
            }
        }
        out
    }

    /// Calls `f(start, end, id)` for every occurrence of every word, overlapping ones
    /// included.
    pub fn overlapping(&self, text: &str, mut f: impl FnMut(usize, usize, usize)) {
        let mut chars = text.char_indices().peekable();
        while let Some((i, a)) = chars.next() {
            self.walk(text, i, a, chars.peek().copied(), |end, id| f(i, end, id));
        }
    }

    /// Whether some word occurs in `text`.
    pub fn occurs_in(&self, text: &str) -> bool {
        let mut found = false;
        let mut chars = text.char_indices().peekable();
        while let Some((i, a)) = chars.next() {
            self.walk(text, i, a, chars.peek().copied(), |_, _| found = true);
            if found {
                return true;
            }
        }
        false
    }
}

/// A word table searched by prefix, suffix or occurrence in time that does not grow with the
/// table. Rows keep the table's order (longest words first), so the first row that matches
/// is the longest word that does.
pub struct WordSet {
    /// The distinct words with their first row, in row order.
    words: Vec<(String, usize)>,
    /// First character → indices into `words`, in row order.
    by_first: HashMap<char, Vec<usize>>,
    /// Last character → indices into `words`, in row order.
    by_last: HashMap<char, Vec<usize>>,
    /// Every word, for occurrences (word id = index into `words`).
    trie: CharTrie,
}

impl WordSet {
    /// A set over `words`, in row order.
    pub fn new<'a>(rows: impl IntoIterator<Item = &'a str>) -> Self {
        let mut words: Vec<(String, usize)> = Vec::new();
        let mut seen = HashSet::default();
        for (row, w) in rows.into_iter().enumerate() {
            if !w.is_empty() && seen.insert(w) {
                words.push((w.to_string(), row));
            }
        }
        let mut by_first: HashMap<char, Vec<usize>> = HashMap::default();
        let mut by_last: HashMap<char, Vec<usize>> = HashMap::default();
        for (i, (w, _)) in words.iter().enumerate() {
            if let (Some(a), Some(z)) = (w.chars().next(), w.chars().next_back()) {
                by_first.entry(a).or_default().push(i);
                by_last.entry(z).or_default().push(i);
            }
        }
        let trie = CharTrie::new(words.iter().map(|(w, _)| w.as_str()));
        WordSet {
            words,
            by_first,
            by_last,
            trie,
        }
    }

    /// The row of the first word (in row order: the longest) that `text` ends with.
    pub fn suffix_of(&self, text: &str) -> Option<usize> {
        let z = text.chars().next_back()?;
        self.by_last.get(&z)?.iter().find_map(|&i| {
            let (w, row) = self.words.get(i)?;
            text.ends_with(w.as_str()).then_some(*row)
        })
    }

    /// The row of the first word (in row order: the longest) that `text` starts with.
    pub fn prefix_of(&self, text: &str) -> Option<usize> {
        let a = text.chars().next()?;
        self.by_first.get(&a)?.iter().find_map(|&i| {
            let (w, row) = self.words.get(i)?;
            text.starts_with(w.as_str()).then_some(*row)
        })
    }

    /// Whether some word occurs in `text`.
    pub fn occurs_in(&self, text: &str) -> bool {
        self.trie.occurs_in(text)
    }

    /// Every occurrence `(row, start)` of every word, overlapping ones included, in row
    /// order, then by position: the order of scanning the table word by word.
    pub fn occurrences(&self, text: &str) -> Vec<(usize, usize)> {
        let mut out: Vec<(usize, usize)> = Vec::new();
        self.trie.overlapping(text, |start, _, id| {
            if let Some((_, row)) = self.words.get(id) {
                out.push((*row, start));
            }
        });
        out.sort_unstable();
        out
    }
}

/// Tables used by the extractor.
pub struct Gazetteer {
    /// Known entities.
    pub entries: Vec<GazetteerEntry>,
    /// Surface form → entry index, for every name and alias.
    pub by_surface: HashMap<String, usize>,
    /// Matcher over `surfaces` (word id indexes `surfaces`).
    pub matcher: CharTrie,
    /// Surface forms in pattern order, with their entry.
    pub surfaces: Vec<(String, usize)>,
    /// Title surface → normalised title, longest surfaces first.
    pub titles: Vec<(String, String)>,
    /// The title surfaces, by row of `titles`.
    pub title_set: WordSet,
    /// Trigger surface → interaction kind, longest surfaces first.
    pub triggers: Vec<(String, InteractionKind)>,
    /// The trigger surfaces, by row of `triggers`.
    pub trigger_set: WordSet,
    /// Government-body words that follow a country (`外交部`), longest first.
    pub bodies: Vec<String>,
    /// The government-body words, by row of `bodies`.
    pub body_set: WordSet,
    /// One-character country abbreviations of compounds (中俄外长: 中 → 中国, 俄 → 俄罗斯).
    pub abbreviations: HashMap<char, String>,
    /// Abbreviations that mention their country in compounds (中美关系, 访日).
    pub compound_mentions: HashMap<char, String>,
    /// Characters seen in foreign full names (`谢尔盖·拉夫罗夫`), for trimming dotted names.
    pub transliteration_chars: HashSet<char>,
    /// Every run of three to six characters inside a place's name (哈萨克 in 哈萨克斯坦, 内瑞拉
    /// in 委内瑞拉): a name that is one is no person's.
    pub place_parts: HashSet<String>,
    /// Terms of office.
    pub offices: Vec<Office>,
    /// The terms of each person, by row of `offices`, in table order.
    offices_by_person: HashMap<String, Vec<usize>>,
    /// The terms of each title of each country or organisation, by row of `offices`, in
    /// table order.
    offices_by_post: HashMap<(String, String), Vec<usize>>,
    /// Words after a run of country abbreviations that make it a compound (中美|关系).
    pub compound_heads: Vec<String>,
    /// Words that are never names of a kind the context rules guess (`data/not_names.tsv`).
    pub not_names: HashSet<String>,
    /// Chinese surnames, single characters and compound ones (`data/surnames.tsv`).
    pub surnames: HashSet<String>,
    /// The first characters of the surnames.
    pub surname_chars: HashSet<char>,
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
        "area" => PlaceKind::Area,
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
        "OtherInteraction" => InteractionKind::Other,
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
                    city: None,
                    coordinates: None,
                });
            }
        };
        add_table(include_str!("../data/persons.tsv"), EntityKind::Person);
        add_table(include_str!("../data/places.tsv"), EntityKind::Place);
        add_table(include_str!("../data/orgs.tsv"), EntityKind::Organization);
        let city_countries: HashMap<&str, &str> = rows(include_str!("../data/city_countries.tsv"))
            .filter_map(|f| Some((*f.first()?, *f.get(1)?)))
            .collect();
        for e in entries
            .iter_mut()
            .filter(|e| e.key.kind == EntityKind::Place)
        {
            e.country = city_countries
                .get(e.key.name.as_str())
                .map(|c| c.to_string());
        }
        let venue_cities: HashMap<&str, &str> = rows(include_str!("../data/venues.tsv"))
            .filter_map(|f| Some((*f.first()?, *f.get(1)?)))
            .collect();
        for e in entries
            .iter_mut()
            .filter(|e| e.key.kind != EntityKind::Person)
        {
            e.city = venue_cities.get(e.key.name.as_str()).map(|c| c.to_string());
        }
        let coordinates = parse_coordinates(include_str!("../data/coordinates.tsv"));
        for e in entries
            .iter_mut()
            .filter(|e| e.key.kind == EntityKind::Place)
        {
            e.coordinates = coordinates.get(e.key.name.as_str()).cloned();
        }
        Self::from_entries(entries)
    }

    /// Tables over the given entries (the rule tables are always the built-in ones).
    pub fn from_entries(entries: Vec<GazetteerEntry>) -> Self {
        let mut by_surface: HashMap<String, usize> = HashMap::default();
        let mut surfaces = Vec::new();
        let mut transliteration_chars = HashSet::default();
        let mut place_parts = HashSet::default();
        for (i, e) in entries.iter().enumerate() {
            for s in std::iter::once(&e.key.name).chain(e.aliases.iter()) {
                if s.chars().count() < 2 {
                    continue;
                }
                if e.key.kind == EntityKind::Person && s.contains('·') {
                    transliteration_chars.extend(s.chars().filter(|c| *c != '·'));
                }
                if e.key.kind == EntityKind::Place {
                    let chars: Vec<char> = s.chars().collect();
                    for len in 3..=6.min(chars.len()) {
                        for w in chars.windows(len) {
                            place_parts.insert(w.iter().collect::<String>());
                        }
                    }
                }
                // First row wins a surface claimed twice.
                if !by_surface.contains_key(s) {
                    by_surface.insert(s.clone(), i);
                    surfaces.push((s.clone(), i));
                }
            }
        }
        let surnames: HashSet<String> = rows(include_str!("../data/surnames.tsv"))
            .filter_map(|f| f.first().map(|w| w.to_string()))
            .collect();
        let matcher = CharTrie::new(surfaces.iter().map(|(s, _)| s.as_str()));
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
        let offices = parse_offices(include_str!("../data/offices.tsv"));
        let mut offices_by_person: HashMap<String, Vec<usize>> = HashMap::default();
        let mut offices_by_post: HashMap<(String, String), Vec<usize>> = HashMap::default();
        for (i, o) in offices.iter().enumerate() {
            offices_by_person
                .entry(o.person.clone())
                .or_default()
                .push(i);
            offices_by_post
                .entry((o.title.clone(), o.of.clone()))
                .or_default()
                .push(i);
        }
        Gazetteer {
            offices,
            offices_by_person,
            offices_by_post,
            compound_heads: rows(include_str!("../data/compound_heads.tsv"))
                .filter_map(|f| f.first().map(|w| w.to_string()))
                .collect(),
            title_set: WordSet::new(titles.iter().map(|(w, _)| w.as_str())),
            trigger_set: WordSet::new(triggers.iter().map(|(w, _)| w.as_str())),
            body_set: WordSet::new(bodies.iter().map(String::as_str)),
            not_names: rows(include_str!("../data/not_names.tsv"))
                .filter_map(|f| f.first().map(|w| w.to_string()))
                .collect(),
            surname_chars: surnames.iter().filter_map(|s| s.chars().next()).collect(),
            surnames,
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
            place_parts,
        }
    }

    /// Who held `title` of `of` on `day`.
    pub fn office_holders(&self, title: &str, of: &str, day: LocalDate) -> Vec<&Office> {
        self.offices_by_post
            .get(&(title.to_string(), of.to_string()))
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|&i| &self.offices[i])
            .filter(|o| o.covers(day))
            .collect()
    }

    /// The terms of office `person` held, in table order.
    pub fn offices_of(&self, person: &str) -> impl Iterator<Item = &Office> {
        self.offices_by_person
            .get(person)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|&i| &self.offices[i])
    }

    /// The term in which `person` held `title` (of `of`, when given) on `day`.
    pub fn term_of(
        &self,
        person: &str,
        title: &str,
        of: Option<&str>,
        day: LocalDate,
    ) -> Option<&Office> {
        self.offices_of(person)
            .find(|o| o.title == title && of.is_none_or(|of| o.of == of) && o.covers(day))
    }

    /// The entry known by `surface`.
    pub fn lookup(&self, surface: &str) -> Option<&GazetteerEntry> {
        self.by_surface.get(surface).map(|&i| &self.entries[i])
    }
}

#[cfg(test)]
mod trie_tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::CharTrie;
    use aho_corasick::{AhoCorasick, MatchKind};
    use proptest::prelude::*;

    /// Words and texts over a few characters, so that words overlap, nest and repeat; one- and
    /// four-byte characters among them.
    fn word() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            proptest::sample::select(vec!['中', '美', '国', '人', '大', 'a', '𠀀']),
            1..5,
        )
        .prop_map(|v| v.into_iter().collect())
    }

    fn distinct(words: Vec<String>) -> Vec<String> {
        let mut seen = std::collections::HashSet::new();
        words
            .into_iter()
            .filter(|w| seen.insert(w.clone()))
            .collect()
    }

    proptest! {
        /// Leftmost-longest matches are those of an Aho–Corasick automaton of that kind.
        #[test]
        fn leftmost_longest_as_aho_corasick(words in proptest::collection::vec(word(), 1..30), text in proptest::collection::vec(word(), 0..20).prop_map(|v| v.concat())) {
            let words = distinct(words);
            let trie = CharTrie::new(words.iter().map(String::as_str));
            let ac = AhoCorasick::builder().match_kind(MatchKind::LeftmostLongest).build(&words).unwrap();
            let expected: Vec<(usize, usize, usize)> = ac.find_iter(&text).map(|m| (m.start(), m.end(), m.pattern().as_usize())).collect();
            prop_assert_eq!(trie.find_iter(&text), expected);
        }

        /// Every occurrence, overlapping ones included, as an Aho–Corasick automaton finds them.
        #[test]
        fn overlapping_as_aho_corasick(words in proptest::collection::vec(word(), 1..30), text in proptest::collection::vec(word(), 0..20).prop_map(|v| v.concat())) {
            let words = distinct(words);
            let trie = CharTrie::new(words.iter().map(String::as_str));
            let ac = AhoCorasick::new(&words).unwrap();
            let mut expected: Vec<(usize, usize, usize)> = ac.find_overlapping_iter(&text).map(|m| (m.start(), m.end(), m.pattern().as_usize())).collect();
            expected.sort_unstable();
            let mut got = Vec::new();
            trie.overlapping(&text, |s, e, id| got.push((s, e, id)));
            got.sort_unstable();
            prop_assert_eq!(&got, &expected);
            prop_assert_eq!(trie.occurs_in(&text), !expected.is_empty());
        }
    }
}

#[cfg(test)]
mod venue_tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    /// Every row of `data/venues.tsv` names a venue or a seat the gazetteer knows, and a city
    /// it knows as a city: a typo would silently place nothing.
    #[test]
    fn every_venue_stands_in_a_known_city() {
        let gz = Gazetteer::builtin();
        let rows: Vec<Vec<&str>> = rows(include_str!("../data/venues.tsv")).collect();
        assert!(rows.len() >= 20);
        for f in rows {
            let venue = gz
                .lookup(f[0])
                .unwrap_or_else(|| panic!("{} is unknown", f[0]));
            assert_eq!(venue.key.name, f[0], "{} is not a canonical name", f[0]);
            assert_eq!(venue.city.as_deref(), Some(f[1]));
            let city = gz
                .lookup(f[1])
                .unwrap_or_else(|| panic!("{} is unknown", f[1]));
            assert_eq!(
                city.place_kind,
                Some(PlaceKind::City),
                "{} is no city",
                f[1]
            );
        }
    }
}
