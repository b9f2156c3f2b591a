//! Entity recognition in one sentence: gazetteer matches, country + government body,
//! dotted transliterated names, and segmenter-tagged names in a title or speech context.

use std::collections::HashSet;
use std::sync::LazyLock;

use guanxi_core::{EntityKey, EntityKind, PlaceKind, Span};
use regex::Regex;

use crate::gazetteer::Gazetteer;

/// A recognised mention, before entities are grouped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Where (article bytes).
    pub span: Span,
    /// Which entity.
    pub key: EntityKey,
    /// Gazetteer entry, when known.
    pub entry: Option<usize>,
    /// Place kind, when a place.
    pub place_kind: Option<PlaceKind>,
    /// The surface as written.
    pub surface: String,
    /// A country read inside an organisation's name (俄罗斯 in 俄罗斯外交部): it anchors
    /// roles (俄罗斯外长) but is not a mention of its own.
    pub nested: bool,
}

impl Found {
    /// A mention of gazetteer entry `idx`.
    pub fn known(gz: &Gazetteer, idx: usize, span: Span, surface: &str) -> Self {
        let e = &gz.entries[idx];
        Found {
            span,
            key: e.key.clone(),
            entry: Some(idx),
            place_kind: e.place_kind,
            surface: surface.to_string(),
            nested: false,
        }
    }

    /// A country read inside an organisation's name: it anchors roles, it is no mention.
    pub fn nested(gz: &Gazetteer, idx: usize, span: Span, surface: &str) -> Self {
        Found {
            nested: true,
            ..Found::known(gz, idx, span, surface)
        }
    }

    /// A mention of an entity the gazetteer does not know.
    pub fn unknown(kind: EntityKind, name: &str, span: Span) -> Self {
        Found {
            span,
            key: EntityKey {
                kind,
                name: name.to_string(),
            },
            entry: None,
            place_kind: None,
            surface: name.to_string(),
            nested: false,
        }
    }
}

/// Sorts mentions by start, longer first.
pub fn sort_mentions(found: &mut [Found]) {
    found.sort_by(|a, b| {
        a.span
            .start
            .cmp(&b.span.start)
            .then(b.span.end.cmp(&a.span.end))
    });
}

/// What joins the parts of a transliterated name.
const SEPARATORS: &[char] = &['·', '•', '・', '‧', '-', '－'];

static DOTTED: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"\p{Han}+(?:[·•・‧\-－]\p{Han}+)+").ok());

/// Function words the segmenter glues to names (向普京, 与王毅).
const GLUE: &[&str] = &[
    "向", "与", "和", "同", "对", "跟", "将", "在", "给", "被", "把", "及", "说", "称",
];

/// What turns a ministry into a title: 外交部 + 长 = 外交部长.
const TITLE_SUFFIX: char = '长';

const SPEECH: &[&str] = &[
    "说",
    "表示",
    "称",
    "指出",
    "强调",
    "认为",
    "透露",
    "告诉",
    "宣布",
    "回应",
    "呼吁",
    "会见",
    "会晤",
    "会谈",
    "访问",
    "通电话",
    "通话",
];
const ORG_SUFFIX: &[&str] = &[
    "部",
    "委员会",
    "组织",
    "大学",
    "公司",
    "集团",
    "银行",
    "通讯社",
    "新闻社",
    "日报",
    "时报",
    "电视台",
    "协会",
    "基金会",
    "研究所",
    "研究院",
    "法院",
    "议会",
    "联盟",
    "理事会",
    "党",
];

/// A segmenter token (bytes relative to the sentence).
#[derive(Debug, Clone)]
pub struct Tok<'a> {
    /// The word.
    pub word: &'a str,
    /// Part-of-speech tag.
    pub tag: &'a str,
    /// Start byte in the sentence.
    pub start: usize,
    /// End byte in the sentence.
    pub end: usize,
}

/// Recognises the entity mentions of a sentence `s` that starts at article byte `base`.
///
/// `is_name` says whether a word the segmenter tagged as a name may be one (a dictionary word
/// with another part of speech, such as 祝贺 after 总统, is not).
pub fn recognise(
    gz: &Gazetteer,
    s: &str,
    base: usize,
    toks: &[Tok<'_>],
    is_name: &dyn Fn(&str) -> bool,
) -> Vec<Found> {
    let bounds: HashSet<usize> = toks.iter().flat_map(|t| [t.start, t.end]).collect();
    let mut out: Vec<Found> = Vec::new();
    let free = |out: &Vec<Found>, a: usize, b: usize| {
        !out.iter()
            .any(|f| f.span.start < base + b && base + a < f.span.end)
    };

    // 1. Dotted full names: 谢尔盖·拉夫罗夫 (a title glued in front is trimmed off).
    if let Some(re) = DOTTED.as_ref() {
        for m in re.find_iter(s) {
            let full = m.as_str();
            let first_len = full
                .find(['·', '•', '・', '‧', '-', '－'])
                .unwrap_or(full.len());
            let first = &full[..first_len];
            let keep = trim_to_transliteration(gz, first);
            if keep.is_empty() {
                continue;
            }
            let start = m.start() + (first.len() - keep.len());
            // The last part may run into the next word (绍伊古握手): cut it after the longest
            // known name, or after its transliteration characters.
            let last_start = full
                .char_indices()
                .rfind(|(_, c)| SEPARATORS.contains(c))
                .map_or(m.start(), |(i, c)| m.start() + i + c.len_utf8());
            let last = &s[last_start..m.end()];
            let known = last
                .char_indices()
                .map(|(i, c)| i + c.len_utf8())
                .rfind(|&e| {
                    gz.by_surface
                        .get(&last[..e])
                        .is_some_and(|&i| gz.entries[i].key.kind == EntityKind::Person)
                });
            let end = match known {
                Some(e) => last_start + e,
                None => {
                    // Otherwise the segmenter's name-like words from there (克里斯托弗·雷|和司法部长…,
                    // 汤普森|表示), within the transliteration characters, six at most.
                    let mut pos = last_start;
                    for t in toks.iter().filter(|t| t.start >= last_start) {
                        let namelike = t.tag.starts_with("nr")
                            || matches!(t.tag, "nz" | "x" | "ng")
                            || (t.word.chars().count() == 1
                                && gz
                                    .transliteration_chars
                                    .contains(&t.word.chars().next().unwrap_or(' ')));
                        if t.start != pos || !namelike {
                            break;
                        }
                        pos = t.end;
                    }
                    let by_chars = last_start + trim_tail_to_transliteration(gz, last).len();
                    let end = if pos > last_start {
                        pos.min(by_chars)
                    } else {
                        by_chars
                    };
                    let cap = s[last_start..end]
                        .char_indices()
                        .nth(6)
                        .map_or(end, |(i, _)| last_start + i);
                    end.min(cap)
                }
            };
            if end <= last_start {
                continue;
            }
            let surface = &s[start..end];
            let norm: String = surface
                .chars()
                .map(|c| if "•・‧-－".contains(c) { '·' } else { c })
                .collect();
            let short = norm.rsplit('·').next().unwrap_or("");
            if short.chars().count() < 2 {
                continue;
            }
            let entry = gz
                .by_surface
                .get(&norm)
                .or_else(|| gz.by_surface.get(short))
                .copied()
                .filter(|&i| gz.entries[i].key.kind == EntityKind::Person);
            // A hyphen joins names only for a person the gazetteer knows (凯莉-克拉夫特).
            if entry.is_none() && surface.contains(['-', '－']) {
                continue;
            }
            let key = match entry {
                Some(i) => gz.entries[i].key.clone(),
                None => EntityKey {
                    kind: EntityKind::Person,
                    name: short.to_string(),
                },
            };
            out.push(Found {
                span: Span::new(base + start, base + end),
                key,
                entry,
                place_kind: None,
                surface: norm,
                nested: false,
            });
        }
    }

    // 2. Gazetteer, with country + government body (中国外交部) joined into one organisation.
    if let Some(ac) = gz.matcher.as_ref() {
        let matches: Vec<(usize, usize, usize)> = ac
            .find_iter(s)
            .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
            .collect();
        // A segmenter word made of gazetteer names only (北京人民大会堂 = 北京 + 人民大会堂).
        let tiled = |a: usize, b: usize| -> bool {
            toks.iter().filter(|t| t.start <= a && b <= t.end).any(|t| {
                let mut pos = t.start;
                for &(x, y, _) in matches.iter().filter(|m| t.start <= m.0 && m.1 <= t.end) {
                    if x != pos {
                        return false;
                    }
                    pos = y;
                }
                pos == t.end
            })
        };
        for &(a, b, pid) in &matches {
            let (surface, idx) = &gz.surfaces[pid];
            let entry = &gz.entries[*idx];
            // Names of up to four characters must align with the segmenter's words, so that
            // 消息报 is not read in 消息报道, nor 美军 in 中美军事, nor 外交部 in 外交部门.
            // (Persons of three or more characters are distinctive enough on their own: 博索纳罗
            // even when the segmenter splits it as 同博索/纳罗.)
            let limit = if entry.key.kind == EntityKind::Person {
                2
            } else {
                4
            };
            let short = surface.chars().count() <= limit && surface.chars().all(is_han);
            // A person's name glued to a preposition inside a name-tagged word (向普京/nr).
            let in_proper = entry.key.kind == EntityKind::Person
                && toks.iter().any(|t| {
                    t.start <= a
                        && b <= t.end
                        && matches!(t.tag, "nr" | "nrt" | "nrfg")
                        && ((t.end == b && GLUE.contains(&&s[t.start..a]))
                            || (t.start == a && GLUE.contains(&&s[b..t.end])))
                });
            let aligned = (bounds.contains(&a) && bounds.contains(&b)) || in_proper;
            if short && !aligned && !glued_to_body(gz, entry, &s[b..]) && !tiled(a, b) {
                continue;
            }
            // Latin names must stand as whole words (Putin, not Putinism).
            if surface.is_ascii()
                && (s[..a].ends_with(|c: char| c.is_ascii_alphanumeric())
                    || s[b..].starts_with(|c: char| c.is_ascii_alphanumeric()))
            {
                continue;
            }
            if s[..a].ends_with('·') || s[b..].starts_with('·') || !free(&out, a, b) {
                continue;
            }
            if is_country(entry) {
                if let Some(body) = gz.bodies.iter().find(|w| {
                    s[b..].starts_with(w.as_str()) && !s[b + w.len()..].starts_with(TITLE_SUFFIX)
                }) {
                    let name = format!("{}{}", entry.key.name, body);
                    let end = b + body.len();
                    let org_entry = gz
                        .by_surface
                        .get(&name)
                        .copied()
                        .or_else(|| gz.by_surface.get(&s[a..end]).copied());
                    let key = match org_entry {
                        Some(i) => gz.entries[i].key.clone(),
                        None => EntityKey {
                            kind: EntityKind::Organization,
                            name,
                        },
                    };
                    out.push(Found {
                        span: Span::new(base + a, base + end),
                        key,
                        entry: org_entry,
                        place_kind: None,
                        surface: s[a..end].to_string(),
                        nested: false,
                    });
                    // The country inside anchors roles (中国外交部发言人).
                    out.push(Found::nested(
                        gz,
                        *idx,
                        Span::new(base + a, base + b),
                        surface,
                    ));
                    continue;
                }
            }
            // 外交部长 is a title: no ministry is mentioned in 中国外交部长王毅.
            let is_title = entry.key.kind == EntityKind::Organization
                && surface.ends_with('部')
                && s[b..].starts_with(TITLE_SUFFIX);
            if !is_title {
                out.push(Found::known(
                    gz,
                    *idx,
                    Span::new(base + a, base + b),
                    surface,
                ));
            }
            // 俄罗斯外交部: the country inside an organisation's name anchors roles too.
            if entry.key.kind == EntityKind::Organization {
                let name = &s[a..b];
                let prefix = name
                    .char_indices()
                    .skip(2)
                    .map(|(i, _)| &name[..i])
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .find_map(|p| gz.by_surface.get(p).map(|&i| (p, i)))
                    .filter(|&(_, i)| is_country(&gz.entries[i]));
                if let Some((p, pi)) = prefix {
                    out.push(Found::nested(
                        gz,
                        pi,
                        Span::new(base + a, base + a + p.len()),
                        p,
                    ));
                }
            }
        }
    }

    // 3. Countries abbreviated in compounds: 中美关系, 韩中日, 访日.
    for t in toks {
        let chars: Vec<(usize, char)> = t.word.char_indices().collect();
        let body: &[(usize, char)] = match chars.as_slice() {
            [(_, '访'), rest @ ..] if rest.len() == 1 => rest,
            all if (2..=3).contains(&all.len()) => all,
            _ => continue,
        };
        let countries: Option<Vec<&String>> = body
            .iter()
            .map(|(_, c)| gz.compound_mentions.get(c))
            .collect();
        let Some(countries) = countries else { continue };
        if !free(&out, t.start, t.end) {
            continue;
        }
        for ((i, c), name) in body.iter().zip(countries) {
            let Some(&idx) = gz.by_surface.get(name) else {
                continue;
            };
            let e = &gz.entries[idx];
            let (a, b) = (t.start + i, t.start + i + c.len_utf8());
            out.push(Found {
                span: Span::new(base + a, base + b),
                key: e.key.clone(),
                entry: Some(idx),
                place_kind: e.place_kind,
                surface: c.to_string(),
                nested: false,
            });
        }
    }

    // 4. Segmenter names in a title or speech context; organisation names by their suffix.
    for t in toks {
        if !free(&out, t.start, t.end) || !t.word.chars().all(is_han) {
            continue;
        }
        let n = t.word.chars().count();
        let is_person_tag = t.tag == "nr" || t.tag == "nrt" || t.tag == "nrfg";
        if is_person_tag && (2..=5).contains(&n) {
            let before = &s[..t.start];
            let after = &s[t.end..];
            let titled = gz.titles.iter().any(|(w, _)| before.ends_with(w.as_str()));
            let speaks = SPEECH.iter().any(|w| after.starts_with(w));
            // Not a name: glued to a preposition (同博索), holding a trigger (麦克阿瑟访台), or
            // standing where a place stands (在查托会见).
            let glued = GLUE.iter().any(|g| t.word.starts_with(g))
                || gz.triggers.iter().any(|(w, _)| t.word.contains(w.as_str()))
                || ["在", "于", "赴", "到", "抵达", "访问"]
                    .iter()
                    .any(|c| before.ends_with(c));
            if (titled || (speaks && (t.tag == "nrt" || n == 3))) && is_name(t.word) && !glued {
                out.push(Found::unknown(
                    EntityKind::Person,
                    t.word,
                    Span::new(base + t.start, base + t.end),
                ));
            }
        } else if t.tag == "nt"
            && n >= 3
            && ORG_SUFFIX
                .iter()
                .any(|x| t.word.ends_with(x) && t.word.len() >= x.len() + 6)
        {
            out.push(Found::unknown(
                EntityKind::Organization,
                t.word,
                Span::new(base + t.start, base + t.end),
            ));
        }
    }
    sort_mentions(&mut out);
    out
}

/// A country or a country-like region (台湾, 香港), which government bodies follow.
fn is_country(entry: &crate::gazetteer::GazetteerEntry) -> bool {
    entry.key.kind == EntityKind::Place
        && matches!(
            entry.place_kind,
            Some(PlaceKind::Country) | Some(PlaceKind::Region)
        )
}

fn glued_to_body(gz: &Gazetteer, entry: &crate::gazetteer::GazetteerEntry, after: &str) -> bool {
    entry.key.kind == EntityKind::Place && gz.bodies.iter().any(|w| after.starts_with(w.as_str()))
}

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || c == '·'
}

/// The longest head of `last` made of characters used in transliterated names.
fn trim_tail_to_transliteration<'a>(gz: &Gazetteer, last: &'a str) -> &'a str {
    if gz.transliteration_chars.is_empty() {
        return last;
    }
    let end = last
        .char_indices()
        .find(|(_, c)| !gz.transliteration_chars.contains(c))
        .map_or(last.len(), |(i, _)| i);
    &last[..end]
}

/// The longest tail of `first` made of characters used in transliterated names.
fn trim_to_transliteration<'a>(gz: &Gazetteer, first: &'a str) -> &'a str {
    if gz.transliteration_chars.is_empty() {
        return first;
    }
    let mut start = first.len();
    for (i, c) in first.char_indices().rev() {
        if gz.transliteration_chars.contains(&c) {
            start = i;
        } else {
            break;
        }
    }
    &first[start..]
}
