//! Entity recognition in one sentence: gazetteer matches, country + government body,
//! dotted transliterated names, and segmenter-tagged names in a title or speech context.

use crate::lexicon::{
    CREDIT_AFTER, CREDIT_BEFORE, FRONT_GLUE, GENERIC_HEADS, GENERIC_MODIFIER, GLUE,
    GLUED_AFTER_THIRD, INSTITUTION_HEAD, NAMED_AFTER_PERSON, NAME_TAIL, NOT_A_NAME_END,
    NOT_A_PERSON_AFTER, NOT_A_PERSON_END, NOT_GIVEN_NAME, NOT_PERSONAL_LATIN, ORG_SUFFIX,
    PERSON_JOINER, PERSON_ROLE, PLACE_BEFORE_NAME, PLACE_SUFFIX, SPEECH, TITLE_AFTER_NAME,
};
use std::cell::OnceCell;
use std::sync::LazyLock;

use guanxi_core::{EntityKey, EntityKind, PlaceKind, Span};
use regex::Regex;

use crate::gazetteer::Gazetteer;
use crate::scan::{must_align, Scan};
use crate::segment::{function_tag, Segmenter, Tok, TITLE_SUFFIX};

#[path = "han_names.rs"]
mod han_names;

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
pub(crate) const SEPARATORS: &[char] = &['·', '•', '・', '‧', '．', '-', '－'];

/// A few characters, each searched for with a vectorised searcher built once.
pub(crate) struct AnyOf(Vec<memchr::memmem::Finder<'static>>);

impl AnyOf {
    fn new(chars: &[char]) -> Self {
        AnyOf(
            chars
                .iter()
                .map(|c| memchr::memmem::Finder::new(c.to_string().as_bytes()).into_owned())
                .collect(),
        )
    }

    /// Whether `s` holds one of the characters.
    pub(crate) fn in_text(&self, s: &str) -> bool {
        self.0.iter().any(|f| f.find(s.as_bytes()).is_some())
    }
}

pub(crate) static ANY_SEPARATOR: LazyLock<AnyOf> = LazyLock::new(|| AnyOf::new(SEPARATORS));
pub(crate) static ANY_BRACKET: LazyLock<AnyOf> = LazyLock::new(|| AnyOf::new(BRACKETS));

/// What opens a bracketed Latin name.
pub(crate) const BRACKETS: &[char] = &['（', '('];

pub(crate) static DOTTED: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"\p{Han}+(?:[·•・‧．\-－]\p{Han}+)+").ok());

static DATELINE_AFTER: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^\p{Han}{0,6}?\d{1,2}日(?:电|专电|报导|报道|综合外电)").ok());

/// What follows a reporter's name in a byline with no bracket: a place, or a character the
/// segmenter cut off the name, and the credit's verb (`巴黎报导`, `喧传真`).
static BYLINE_TAIL: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^\p{Han}{0,8}?(?:报导|报道|報導|報道|传真|傳真|摄|攝)").ok());

/// A byline's place and its end after the reporter's name: `（大纪元记者钟元台北报导）`.
static BYLINE_AFTER: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^\p{Han}{2,4}?(?:报导|报道)[）)]").ok());

/// Whether the text after a name makes it a credit or byline (摄, 报导, a dateline).
fn is_credit(after: &str) -> bool {
    CREDIT_AFTER.iter().any(|w| after.starts_with(w))
        || DATELINE_AFTER.as_ref().is_some_and(|re| re.is_match(after))
        || BYLINE_AFTER.as_ref().is_some_and(|re| re.is_match(after))
}

/// Whether the words right before a name make it a byline or credit, whoever the name is:
/// a photo credit (；摄影娜迪亚·希拉·科恩; not 摄影师, a person in the news), or 作者 after a
/// dash (——作者汉娜·比奇) or with a colon, opening a line (作者：马西莫·英特罗维吉). (作者 in a
/// sentence names a person in the news: 《西游记》作者吴承恩曾说过, 作者黄清龙认为.)
fn credited_before(before: &str) -> bool {
    let b = before.trim_end();
    if b.ends_with("摄影") {
        return true;
    }
    let (b, colon) = match b.strip_suffix(['：', ':']) {
        Some(x) => (x.trim_end(), true),
        None => (b, false),
    };
    let Some(x) = b.strip_suffix("作者") else {
        return false;
    };
    let prev = x.chars().next_back();
    let dash = prev.is_some_and(|c| matches!(c, '—' | '－' | '-'));
    let opens = prev.is_none_or(|c| c.is_whitespace() || matches!(c, '（' | '(' | '|'));
    dash || (colon && opens)
}

/// A name with every separator written as the middle dot (`杰夫．扎克` → `杰夫·扎克`).
fn one_dot(name: &str) -> String {
    name.chars()
        .map(|c| if SEPARATORS.contains(&c) { '·' } else { c })
        .collect()
}

/// Whether every character of `w` is seen in transliterated names.
fn word_translit(gz: &Gazetteer, w: &str) -> bool {
    !gz.transliteration_chars.is_empty() && w.chars().all(|c| gz.transliteration_chars.contains(&c))
}

/// Recognises the entity mentions of a sentence `s` that starts at article byte `base`.
///
/// `is_name` says whether a word the segmenter tagged as a name may be one (a dictionary word
/// with another part of speech, such as 祝贺 after 总统, is not).
pub fn recognise(
    gz: &Gazetteer,
    seg: &Segmenter,
    s: &str,
    base: usize,
    toks: &[Tok<'_>],
    scan: &Scan,
    is_name: &dyn Fn(&str) -> bool,
) -> Vec<Found> {
    let r = Recognition {
        gz,
        seg,
        s,
        base,
        toks,
        scan,
        is_name,
        order: OnceCell::new(),
    };
    let mut out: Vec<Found> = Vec::new();
    dotted_names(&r, &mut out);
    gazetteer_names(&r, &mut out);
    abbreviated_countries(&r, &mut out);
    context_names(&r, &mut out);
    titled_transliterations(&r, &mut out);
    titled_two_word_names(&r, &mut out);
    bracketed_latin(&r, &mut out);
    titled_latin(&r, &mut out);
    han_names::han_names(&r, &mut out);
    suffixed_places(&r, &mut out);
    anchored_institutions(&r, &mut out);
    // Known non-names, generic phrases (美国公司: a country and a generic head), and 部 that
    // begins 部门 (卫生部门 is no ministry).
    let mut places_inside = Vec::new();
    out.retain(|f| {
        let after = &s[(f.span.end - base).min(s.len())..];
        let generic = f.entry.is_none() && generic_org(gz, f);
        if generic {
            // 美国公司: the country stays a mention.
            if let Some((m, i)) = GENERIC_HEADS.iter().find_map(|h| {
                let m = f.key.name.strip_suffix(h)?;
                Some((m, *gz.by_surface.get(m)?))
            }) {
                let span = Span::new(f.span.start, f.span.start + m.len());
                places_inside.push(Found::known(gz, i, span, m));
            }
        }
        !(f.entry.is_none() && (gz.not_names.contains(&f.key.name) || generic))
            && !(f.key.kind == EntityKind::Organization
                && f.surface.ends_with('部')
                && after.starts_with('门'))
    });
    out.extend(places_inside);
    sort_mentions(&mut out);
    drop_credits(s, base, out)
}

/// The mentions but the persons beyond the gazetteer that a byline or credit names (作者：马西莫·
/// 英特罗维吉, ；摄影伊沃·普里克特(Ivor Prickett)), and those listed after them (——作者托马斯·
/// 埃德布林克(Thomas Erdbrink)和马丁·塞尔索·索伦森): who wrote or photographed the story, not
/// a person in it. `out` is sorted by start.
fn drop_credits(s: &str, base: usize, out: Vec<Found>) -> Vec<Found> {
    let mut kept = Vec::with_capacity(out.len());
    let mut credit_end: Option<usize> = None;
    for f in out {
        if f.key.kind == EntityKind::Person && f.entry.is_none() && !f.nested {
            let (Some(at), Some(end)) =
                (f.span.start.checked_sub(base), f.span.end.checked_sub(base))
            else {
                kept.push(f);
                continue;
            };
            let before = s.get(..at).unwrap_or("");
            // (The short form of a dotted name: the first part goes with it.)
            let before_name = match before.strip_suffix(SEPARATORS) {
                Some(x) => x.trim_end_matches(is_han),
                None => before,
            };
            let listed = credit_end
                .and_then(|e| s.get(e..at))
                .is_some_and(listed_after);
            // (记者蔡凌巴黎报导, 记者张茗|喧传真: a credit word, the name, a place and the
            // credit's verb.)
            let byline = CREDIT_BEFORE
                .iter()
                .any(|w| before_name.trim_end().ends_with(w))
                && BYLINE_TAIL
                    .as_ref()
                    .is_some_and(|re| re.is_match(s.get(end..).unwrap_or("")));
            if credited_before(before_name) || listed || byline {
                credit_end = Some(end);
                continue;
            }
        }
        kept.push(f);
    }
    kept
}

/// Whether what stands between two names lists the second after the first: 和, 与 or 、,
/// after the first name's bracketed Latin form, if any.
fn listed_after(between: &str) -> bool {
    let rest = match between.strip_prefix(BRACKETS) {
        Some(inner) => inner
            .find([')', '）'])
            .and_then(|i| inner.get(i..))
            .map_or("", |x| x.trim_start_matches([')', '）'])),
        None => between,
    };
    matches!(rest.trim(), "和" | "与" | "、")
}

/// A sentence being recognised: the first pass's findings and the segmenter's words.
struct Recognition<'r, 't> {
    gz: &'r Gazetteer,
    /// The segmenter, for its dictionary.
    seg: &'r Segmenter,
    s: &'r str,
    base: usize,
    toks: &'r [Tok<'t>],
    scan: &'r Scan,
    is_name: &'r dyn Fn(&str) -> bool,
    /// The words' bounds sorted, when the words do not come in order (made when first asked).
    order: OnceCell<Option<Vec<usize>>>,
}

impl<'r, 't> Recognition<'r, 't> {
    /// Whether a word starts or ends at byte `x`. The segmenter's words come in order, none
    /// overlapping, so the word ending at `x` is the last to start before it; words in any
    /// other order are listed and sorted first. (Checked when first asked: most sentences
    /// never ask.)
    fn bound(&self, x: usize) -> bool {
        let toks = self.toks;
        let listed = self.order.get_or_init(|| {
            let in_order = toks
                .windows(2)
                .all(|w| w[0].start < w[0].end && w[0].end <= w[1].start);
            (!in_order).then(|| {
                let mut v: Vec<usize> = toks.iter().flat_map(|t| [t.start, t.end]).collect();
                v.sort_unstable();
                v
            })
        });
        if let Some(listed) = listed {
            return listed.binary_search(&x).is_ok();
        }
        let i = toks.partition_point(|t| t.start < x);
        toks.get(i).is_some_and(|t| t.start == x)
            || i.checked_sub(1)
                .and_then(|j| toks.get(j))
                .is_some_and(|t| t.end == x)
    }

    /// The segmenter's word that runs across byte `x` (starts before it and ends after it).
    fn word_across(&self, x: usize) -> Option<&'r Tok<'t>> {
        self.toks.iter().find(|t| t.start < x && x < t.end)
    }

    /// Whether bytes `a..b` of the sentence overlap no mention found so far.
    fn free(&self, out: &[Found], a: usize, b: usize) -> bool {
        let base = self.base;
        !out.iter()
            .any(|f| f.span.start < base + b && base + a < f.span.end)
    }
}

/// Stage 1: dotted full names (谢尔盖·拉夫罗夫), as the scan found them; a title, date or function
/// word glued in front is trimmed off, and a last part run into the next word is cut.
fn dotted_names(r: &Recognition<'_, '_>, out: &mut Vec<Found>) {
    let &Recognition {
        gz, s, base, scan, ..
    } = r;
    // 1. Dotted full names: 谢尔盖·拉夫罗夫 (a title glued in front is trimmed off), as the
    //    scan found them.
    for &(m_start, m_end) in &scan.dotted {
        let full = &s[m_start..m_end];
        let first_len = full.find(SEPARATORS).unwrap_or(full.len());
        let first = &full[..first_len];
        let keep = trim_to_transliteration(gz, first);
        if keep.is_empty() {
            continue;
        }
        let mut start = m_start + (first.len() - keep.len());
        // The last character of a title, a role noun, a date or a function word may stand glued
        // in front (主任|索菲·理查森, 经理|丹·罗斯, 4日|迈克尔·乔丹, 和|约翰·克里).
        while let Some(c) = s[start..].chars().next() {
            let with = &s[..start + c.len_utf8()];
            let rest = s[start + c.len_utf8()..]
                .split(SEPARATORS)
                .next()
                .unwrap_or("");
            let glued = gz.title_set.suffix_of(with).is_some()
                || PERSON_ROLE.iter().any(|w| with.ends_with(w))
                || (c == '日' && s[..start].ends_with(|d: char| d.is_ascii_digit()))
                || FRONT_GLUE.contains(&c);
            if !glued || rest.is_empty() {
                break;
            }
            start += c.len_utf8();
        }
        // A word of the segmenter's dictionary that runs across the start (亿万富翁|卡洛斯·斯利姆:
        // 万, 富 and 翁 are transliteration characters as well), or a role noun that opens the
        // first part (哥哥|塔默兰·查纳耶夫, 大亨|根纳季·季姆琴科), is no part of the name, when
        // two characters of the first part remain after it.
        let sep_at = m_start + first_len;
        loop {
            let across = r
                .word_across(start)
                .filter(|t| t.end < sep_at)
                .filter(|t| r.seg.jieba.has_word(t.word) && !r.seg.name_word(t.word))
                .map(|t| t.end);
            let role = PERSON_ROLE
                .iter()
                .filter(|w| s[start..sep_at].starts_with(*w))
                .map(|w| start + w.len())
                .max();
            match across.or(role) {
                Some(e) if s[e..sep_at].chars().count() >= 2 => start = e,
                _ => break,
            }
        }
        // The last part may run into the next word (绍伊古握手): cut it after the longest
        // known name, or after its transliteration characters.
        let last_start = full
            .char_indices()
            .rfind(|(_, c)| SEPARATORS.contains(c))
            .map_or(m_start, |(i, c)| m_start + i + c.len_utf8());
        // The whole dotted name as the gazetteer knows it, if it does (穆罕默德·本·萨勒曼: its
        // last part is not cut at 萨勒, another person's name).
        let whole = s[last_start..m_end]
            .char_indices()
            .map(|(i, c)| last_start + i + c.len_utf8())
            .rfind(|&e| {
                gz.by_surface
                    .get(&one_dot(&s[start..e]))
                    .is_some_and(|&i| gz.entries[i].key.kind == EntityKind::Person)
            });
        let end = whole.unwrap_or_else(|| dotted_name_end(r, last_start, m_end));
        if end <= last_start {
            continue;
        }
        // A first part of one character that starts inside a word the segmenter takes for a
        // name (特和乔琪|亚·凯特: 琪 is no transliteration character we know) is a name cut
        // short: the last part alone is certain. (本·萨斯 after 参议员 starts a word; 丹·伊瓦辛
        // follows a title, 首席投资官|丹.)
        let one_left = s[start..sep_at].chars().count() == 1
            && gz.title_set.suffix_of(&s[..start]).is_none()
            && r.word_across(start)
                .is_some_and(|t| r.seg.name_word(t.word));
        let start = if one_left
            && !full[first_len..]
                .trim_start_matches(SEPARATORS)
                .contains(SEPARATORS)
        {
            last_start
        } else {
            start
        };
        // 约翰斯·霍普金斯大学, 罗伯特·科赫研究所: an institution named after a person.
        let tail = &s[last_start..];
        if NOT_A_PERSON_AFTER
            .iter()
            .any(|x| tail.find(x).is_some_and(|p| p <= end - last_start))
        {
            continue;
        }
        let institution = NAMED_AFTER_PERSON
            .iter()
            .filter_map(|x| tail.find(x).map(|p| (p, x.len())))
            .filter(|&(p, _)| p <= end - last_start)
            .min();
        if let Some((p, len)) = institution {
            let org_end = last_start + p + len;
            if r.free(out, start, org_end) {
                let name = one_dot(&s[start..org_end]);
                let entry = gz
                    .by_surface
                    .get(&name)
                    .copied()
                    .filter(|&i| gz.entries[i].key.kind == EntityKind::Organization);
                let mut f = match entry {
                    Some(i) => Found::known(gz, i, Span::new(base + start, base + org_end), &name),
                    None => Found::unknown(
                        EntityKind::Organization,
                        &name,
                        Span::new(base + start, base + org_end),
                    ),
                };
                f.surface = name;
                out.push(f);
            }
            continue;
        }
        let surface = &s[start..end];
        let norm = one_dot(surface);
        // A dotted name the gazetteer holds as a place or organisation (纳戈尔诺·卡拉巴赫) is
        // read by the gazetteer's stage.
        if gz
            .by_surface
            .get(&norm)
            .is_some_and(|&i| gz.entries[i].key.kind != EntityKind::Person)
        {
            continue;
        }
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
        // An unknown person is keyed by the full name, so that 斯蒂芬·米勒 and 杰森·米勒 stay
        // two people, and shown by it; their short form (米勒) is an alternate name.
        let key = match entry {
            Some(i) => gz.entries[i].key.clone(),
            None => EntityKey {
                kind: EntityKind::Person,
                name: norm.clone(),
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

/// Where the last part of a dotted name that starts at `last_start` ends, when it may run
/// into the next word (绍伊古握手): after the longest name the gazetteer knows there, or
/// else after the segmenter's name-like words within the transliteration characters (six at
/// most), and never after a function word glued to it (米格尔·费尔南德斯以).
fn dotted_name_end(r: &Recognition<'_, '_>, last_start: usize, m_end: usize) -> usize {
    let (gz, s, toks) = (r.gz, r.s, r.toks);
    let last = &s[last_start..m_end];
    let known = last
        .char_indices()
        .map(|(i, c)| i + c.len_utf8())
        .rfind(|&e| {
            gz.by_surface
                .get(&last[..e])
                .is_some_and(|&i| gz.entries[i].key.kind == EntityKind::Person)
        });
    // A last part of two to four characters after a dot whose every word is name-like
    // (达恩·蒂雄２月: 蒂雄 is one word, tagged as a morpheme) is whole, but for a particle or verb
    // glued after it (布朗温·弗莱尔著); a word of the dictionary (罗斯|说, 真·老年) or a
    // place the gazetteer knows (花蓮-台北) ends it as before.
    // (A transliteration's own last syllable is no glue: 马洛里, 克莱因.)
    let glue = |c: char| {
        (FRONT_GLUE.contains(&c) || NOT_GIVEN_NAME.contains(&c))
            && !gz.transliteration_chars.contains(&c)
    };
    let core_end = match last.chars().last() {
        Some(c) if glue(c) && last.chars().count() >= 3 => m_end - c.len_utf8(),
        _ => m_end,
    };
    let core = &s[last_start..core_end];
    let whole_part = (2..=4).contains(&core.chars().count())
        && s[..last_start].ends_with(['·', '•', '・', '‧', '．'])
        && toks
            .iter()
            .filter(|t| t.start >= last_start && t.start < core_end)
            .all(|t| {
                !gz.by_surface.contains_key(t.word)
                    && (t.tag().starts_with("nr")
                        || matches!(t.tag(), "nz" | "ng" | "ns")
                        || !r.seg.jieba.has_word(t.word))
            })
        && toks.iter().any(|t| t.start == last_start && t.end <= m_end)
        // (乔莉·刘说: a speech word glued after a short name.)
        && !core
            .char_indices()
            .skip(1)
            .any(|(i, _)| SPEECH.iter().any(|w| core[i..].starts_with(w)))
        && !core
            .chars()
            .last()
            .is_some_and(|c| glue(c) || NOT_A_PERSON_END.contains(&c));
    let end = match known {
        Some(e) => last_start + e,
        None if whole_part => core_end,
        None => {
            // Otherwise the segmenter's name-like words from there (克里斯托弗·雷|和司法部长…,
            // 汤普森|表示), within the transliteration characters, six at most.
            let mut pos = last_start;
            for t in toks.iter().filter(|t| t.start >= last_start) {
                let namelike = t.tag().starts_with("nr")
                    || matches!(t.tag(), "nz" | "x" | "ng")
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
            // (A word of the segmenter runs on past six characters: 克瓦希涅夫斯基, 乌里亚诺|夫斯基.)
            let cap = toks
                .iter()
                .find(|t| t.start < cap && cap < t.end && t.end <= end)
                .filter(|t| s[last_start..t.end].chars().count() <= 8)
                .map_or(cap, |t| t.end);
            end.min(cap)
        }
    };
    // A function word glued after the name (米格尔·费尔南德斯以夸张的形式) is not part of it.
    let mut end = end;
    while let Some(c) = s[last_start..end].chars().last() {
        if !FRONT_GLUE.contains(&c) || s[last_start..end].chars().count() <= 2 {
            break;
        }
        end -= c.len_utf8();
    }
    end
}

/// Stage 2: the gazetteer's names, with a country and a government body (中国外交部) joined into one
/// organisation.
fn gazetteer_names(r: &Recognition<'_, '_>, out: &mut Vec<Found>) {
    let &Recognition {
        gz,
        s,
        base,
        toks,
        scan,
        ..
    } = r;
    // 2. Gazetteer, with country + government body (中国外交部) joined into one organisation.
    {
        let matches = &scan.matches;
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
        for &(a, b, pid) in matches {
            let (surface, idx) = &gz.surfaces[pid];
            let entry = &gz.entries[*idx];
            let short = must_align(entry, surface);
            // A person's name glued to a preposition inside a name-tagged word (向普京/nr).
            let in_proper = entry.key.kind == EntityKind::Person
                && toks.iter().any(|t| {
                    t.start <= a
                        && b <= t.end
                        && ((t.end == b && GLUE.contains(&&s[t.start..a]))
                            || (t.start == a && GLUE.contains(&&s[b..t.end])))
                        && matches!(t.tag(), "nr" | "nrt" | "nrfg")
                });
            let aligned = (r.bound(a) && r.bound(b)) || in_proper;
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
            if s[..a].ends_with('·') || s[b..].starts_with('·') || !r.free(out, a, b) {
                continue;
            }
            // A city's name that opens another place's (南平路, 泰安乡, 纽约州, 衡水湖) is not
            // that city: the place named with its ending is read later.
            // (台北街头: the ending opens a common word of its own, and the city stays.)
            let two_after = s[b..]
                .char_indices()
                .nth(2)
                .map_or(&s[b..], |(i, _)| &s[b..b + i]);
            if entry.place_kind == Some(PlaceKind::City)
                && !surface.ends_with(CITY_OWN_ENDINGS)
                && s[b..].starts_with(NOT_THE_CITY_AFTER)
                && !r.seg.common_word(two_after)
            {
                continue;
            }
            // (Most countries stand before no body: one lookup by the next character says so.)
            if is_country(entry)
                && gz.body_set.prefix_of(&s[b..]).is_some()
                && country_with_body(r, (a, b), (surface, *idx), out)
            {
                continue;
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
}

/// A country and the government body after it (中国外交部) as one organisation, the country
/// nested inside it; false when no body follows the country at `a..b` (its gazetteer surface
/// and entry).
fn country_with_body(
    r: &Recognition<'_, '_>,
    (a, b): (usize, usize),
    (surface, idx): (&str, usize),
    out: &mut Vec<Found>,
) -> bool {
    let &Recognition { gz, s, base, .. } = r;
    let entry = &gz.entries[idx];
    let Some(body) = gz
        .bodies
        .iter()
        .find(|w| s[b..].starts_with(w.as_str()) && !s[b + w.len()..].starts_with(TITLE_SUFFIX))
    else {
        return false;
    };
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
        idx,
        Span::new(base + a, base + b),
        surface,
    ));
    true
}

/// Stage 3: countries abbreviated in compounds (中美, 韩中日, 访日; 中美关系, 中俄外长).
fn abbreviated_countries(r: &Recognition<'_, '_>, out: &mut Vec<Found>) {
    let &Recognition {
        gz,
        s,
        base,
        toks,
        scan,
        ..
    } = r;
    // 3. Countries abbreviated in compounds: 中美, 韩中日, 访日 as words, and 中美关系, 中俄外长
    //    (a run of abbreviations at a word start, before a compound head or a title). Each
    //    starts with two abbreviations, or 访 and one: the scan found where such pairs stand.
    for t in toks.iter().filter(|_| !scan.pairs.is_empty()) {
        // (Most words start with no abbreviation at all.)
        if !t
            .word
            .starts_with(|c: char| c == '访' || gz.compound_mentions.contains_key(&c))
        {
            continue;
        }
        let chars: Vec<(usize, char)> = t.word.char_indices().collect();
        let body: Vec<(usize, char)> = match chars.as_slice() {
            [(_, '访'), rest @ ..] if rest.len() == 1 => rest.to_vec(),
            all if (2..=3).contains(&all.len())
                && all
                    .iter()
                    .all(|(_, c)| gz.compound_mentions.contains_key(c)) =>
            {
                all.to_vec()
            }
            _ => {
                let run: Vec<(usize, char)> = s[t.start..]
                    .char_indices()
                    .take_while(|(_, c)| gz.compound_mentions.contains_key(c))
                    .take(4)
                    .collect();
                if !(2..=3).contains(&run.len()) {
                    continue;
                }
                let run_end = run.last().map_or(0, |(i, c)| i + c.len_utf8());
                let rest = &s[t.start + run_end..];
                let headed = gz
                    .compound_heads
                    .iter()
                    .any(|h| rest.starts_with(h.as_str()))
                    || gz.title_set.prefix_of(rest).is_some();
                if !headed {
                    continue;
                }
                run
            }
        };
        let countries: Option<Vec<&String>> = body
            .iter()
            .map(|(_, c)| gz.compound_mentions.get(c))
            .collect();
        let Some(countries) = countries else { continue };
        let run_end = body.last().map_or(0, |(i, c)| i + c.len_utf8());
        if !r.free(out, t.start + body[0].0, t.start + run_end) {
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
}

/// Stage 4: names the segmenter guesses, in a title or speech context, and organisation names
/// by their suffix.
fn context_names(r: &Recognition<'_, '_>, out: &mut Vec<Found>) {
    let &Recognition {
        gz,
        s,
        base,
        toks,
        scan,
        is_name,
        ..
    } = r;
    // 4. Segmenter names in a title or speech context; organisation names by their suffix.
    // (Where speech words start: a name speaks when one follows it.)
    let speech_at = &scan.speech_at;
    // (A title ends right before the word: one of the titles the scan found ends there.)
    let after_title = |at: usize| scan.title_ends.binary_search(&at).is_ok();
    for t in toks {
        // (A word of one character is neither: two characters take four bytes at least.)
        if t.word.len() < 4 {
            continue;
        }
        let n = t.word.chars().count();
        if n < 2 || !t.word.chars().all(is_han) {
            continue;
        }
        // Only a word after a title or before a speech word can be taken for a person, and
        // only one with an organisation's ending for an organisation: other words need no tag.
        // (The name, mended below, ends at most one character before the word's end and
        // runs on to six characters at most.)
        let may_be_person = (2..=5).contains(&n)
            && (speech_at
                .iter()
                .any(|&p| p + 3 >= t.end && p <= t.start + 6 * 4)
                || after_title(t.start));
        let may_be_org = n >= 3
            && ORG_SUFFIX
                .iter()
                .any(|x| t.word.ends_with(x) && t.word.len() >= x.len() + 6);
        if (!may_be_person && !may_be_org) || !r.free(out, t.start, t.end) {
            continue;
        }
        let tag = t.tag();
        // Other proper nouns (nz) count when spelt like a transliteration after a title (防长辛格).
        let is_person_tag = tag == "nr"
            || tag == "nrt"
            || tag == "nrfg"
            || (tag == "nz"
                && t.word
                    .chars()
                    .all(|c| gz.transliteration_chars.contains(&c))
                && after_title(t.start));
        if is_person_tag && (2..=5).contains(&n) {
            // After a title, a transliteration the segmenter cut short runs to where a titled
            // run closes (副主席克拉|里达、).
            let end = mended_name_end(r, t, n);
            let end = if after_title(t.start) && word_translit(gz, t.word) {
                titled_run_end(r, t.start)
                    .filter(|&e| e > end)
                    .unwrap_or(end)
            } else {
                end
            };
            let word = &s[t.start..end];
            let before = &s[..t.start];
            let after = &s[end..];
            // A given name before a separator or a space is half of a full name (弗拉基米尔 · 普京).
            let rest = after.trim_start_matches([' ', '\u{3000}', '\u{a0}']);
            if rest.starts_with(SEPARATORS)
                || (rest.len() < after.len() && rest.starts_with(|c: char| is_han(c)))
            {
                continue;
            }
            // A credit or byline (中央社记者张谦香港4日电, 王飞华摄, 记者X报导) names the
            // reporter, who is not in the news.
            if is_credit(after)
                || (after.starts_with('、')
                    && CREDIT_BEFORE.iter().any(|w| before.trim_end().ends_with(w)))
            {
                continue;
            }
            let titled = after_title(t.start);
            let speaks = SPEECH.iter().any(|w| after.starts_with(w))
                || (end < t.end && SPEECH.iter().any(|w| s[end..].starts_with(w)));
            // Not a name: glued to a preposition (同博索), holding a trigger (麦克阿瑟访台), or
            // standing where a place stands (在查托会见).
            let glued = GLUE.iter().any(|g| t.word.starts_with(g))
                || gz.trigger_set.occurs_in(t.word)
                || PLACE_BEFORE_NAME.iter().any(|c| before.ends_with(c));
            let m = word.chars().count();
            if (titled || (speaks && (tag == "nrt" || m == 3)))
                && is_name(t.word)
                && !glued
                && m >= 2
            {
                out.push(Found::unknown(
                    EntityKind::Person,
                    word,
                    Span::new(base + t.start, base + end),
                ));
            }
        } else if tag == "nt" && may_be_org {
            out.push(Found::unknown(
                EntityKind::Organization,
                t.word,
                Span::new(base + t.start, base + t.end),
            ));
        }
    }
}

/// Where a name the segmenter tagged ends once its cut is mended (`t` is the word, `n` its
/// characters).
fn mended_name_end(r: &Recognition<'_, '_>, t: &Tok<'_>, n: usize) -> usize {
    let &Recognition {
        gz,
        s,
        toks,
        is_name,
        ..
    } = r;
    // Mend the segmenter's cut: a particle glued after the name goes (叶彦伯说, 吕植则),
    // a third character taken by the next word comes back (邓振|中等人).
    let mut end = t.end;
    if let Some(c) = t
        .word
        .chars()
        .last()
        .filter(|c| n >= 3 && NAME_TAIL.contains(c))
    {
        end -= c.len_utf8();
    } else if n == 2 {
        if let Some(next) = toks.iter().find(|x| x.start == t.end) {
            let nc: Vec<char> = next.word.chars().collect();
            // (A Chinese name: a surname first, not spelt like a transliteration.)
            let chinese = t
                .word
                .chars()
                .next()
                .is_some_and(|f| gz.surname_chars.contains(&f))
                && !word_translit(gz, t.word);
            // (邓振|中等人, 张茗|喧摄, 林朗|彦及: the third character glued to 等, 摄 or 及; not
            // to 称 or 说, which make verbs of their own: 张丙|声称, 汪涛|并称; nor a word of
            // the dictionary: 王颖|拍摄.)
            if let [c, x] = nc.as_slice() {
                if is_han(*c)
                    && !NOT_A_NAME_END.contains(c)
                    && (*x == '等'
                        || (chinese
                            && GLUED_AFTER_THIRD.contains(x)
                            && !NOT_GIVEN_NAME.contains(c)
                            && !r.seg.jieba.has_word(next.word)))
                {
                    end += c.len_utf8();
                }
            }
            // 李海|瓒: a Chinese name's third character the segmenter cut off on its own and
            // tags as a name too (not a transliteration's next syllable: 卡利|尼|琴科).
            if let [c] = nc.as_slice() {
                if chinese
                    && is_han(*c)
                    && !NOT_A_NAME_END.contains(c)
                    && !NAME_TAIL.contains(c)
                    && matches!(next.tag(), "nr" | "nrfg")
                {
                    end += c.len_utf8();
                }
            }
        }
    }
    // A transliterated name the segmenter cut in two (彼得|罗斯扬, 卡斯特|克斯, 施图岑|贝格,
    // 德雷斯|德尔) runs on over the words that follow, six characters at most: words spelt
    // like a transliteration that the segmenter takes for a name, or for a place the gazetteer
    // does not know (the last syllables of a name read as a place). The first word is spelt
    // so too, or the segmenter tags the next as a transliteration.
    let first_of_two = toks
        .iter()
        .find(|x| x.start == t.end)
        .is_some_and(|x| x.tag() == "nrt" && word_translit(gz, x.word));
    if end == t.end && (word_translit(gz, t.word) || first_of_two) {
        for next in toks.iter().filter(|x| x.start >= t.end) {
            let total = s[t.start..next.end].chars().count();
            let name_like = next.tag().starts_with("nr")
                || next.tag() == "nz"
                || is_name(next.word)
                || (next.tag() == "ns"
                    && next.word.chars().count() >= 2
                    && !gz.by_surface.contains_key(next.word));
            if next.start != end || total > 6 || !word_translit(gz, next.word) || !name_like {
                break;
            }
            end = next.end;
        }
    }
    end
}

/// Whether what follows a run after a title ends it as a name: nothing, punctuation, a
/// conjunction, 等 (which closes a list of persons: 国防部长罗季奥诺夫等), a bracket, a speech
/// word or a trigger.
fn closes_name(gz: &Gazetteer, after: &str) -> bool {
    after.is_empty()
        || after.starts_with(crate::text::CLAUSE_END)
        || after.starts_with(PERSON_JOINER)
        || after.starts_with('等')
        || after.starts_with(BRACKETS)
        || SPEECH.iter().any(|w| after.starts_with(w))
        || gz.trigger_set.prefix_of(after).is_some()
}

/// Stage 4c: a name of four characters right after a title, cut by the segmenter into two
/// words of two characters, the first a name, a place or a proper noun to it, neither a common
/// word nor a name of the gazetteer, the second no function word, common word, title or role
/// and not ending with a particle (官房长官冈田|直树, not 特聘|教授, 高阶|顾问, 李成|东说;
/// 召集人赤池|诚章等人: a Japanese surname and given name), when what follows ends it as it
/// ends a transliteration after a title.
fn titled_two_word_names(r: &Recognition<'_, '_>, out: &mut Vec<Found>) {
    let &Recognition {
        gz,
        s,
        base,
        toks,
        scan,
        ..
    } = r;
    for &at in &scan.title_ends {
        let Some(first) = toks.iter().find(|t| t.start == at) else {
            continue;
        };
        let Some(second) = toks.iter().find(|t| t.start == first.end) else {
            continue;
        };
        let two = |t: &Tok<'_>| t.word.chars().count() == 2 && t.word.chars().all(is_han);
        if !two(first)
            || !two(second)
            || !(first.tag().starts_with("nr") || matches!(first.tag(), "ns" | "nz"))
            || function_tag(second.tag())
            || matches!(second.tag(), "v" | "vn" | "ns" | "nt")
            || r.seg.common_word(first.word)
            || r.seg.common_word(second.word)
            || gz.by_surface.contains_key(first.word)
            || gz.by_surface.contains_key(second.word)
            || gz.title_set.suffix_of(second.word).is_some()
            || PERSON_ROLE.iter().any(|w| second.word.ends_with(w))
            || second
                .word
                .chars()
                .last()
                .is_some_and(|c| NOT_GIVEN_NAME.contains(&c))
            || !r.free(out, at, second.end)
        {
            continue;
        }
        if closes_name(gz, &s[second.end..]) {
            out.push(Found::unknown(
                EntityKind::Person,
                &s[at..second.end],
                Span::new(base + at, base + second.end),
            ));
        }
    }
}

/// Whether a run opens or closes with two characters that are a word of the dictionary, and
/// so is no name (加大努力, 林信任).
fn bigram_is_word(is_name: &dyn Fn(&str) -> bool, w: &str) -> bool {
    let chars: Vec<(usize, char)> = w.char_indices().collect();
    let first = chars.get(2).map_or(w, |&(i, _)| &w[..i]);
    let last = chars.len().checked_sub(2).map_or(w, |k| &w[chars[k].0..]);
    !is_name(first) || !is_name(last)
}

/// Where a run of three to six transliteration characters that starts right after a title at
/// `at` ends, when it is a name: it neither ends with a head noun nor opens or closes with a
/// word of the dictionary (希望同中方加大努力), and what follows closes it.
fn titled_run_end(r: &Recognition<'_, '_>, at: usize) -> Option<usize> {
    let &Recognition { gz, s, is_name, .. } = r;
    let rest = s.get(at..)?;
    let end = rest
        .char_indices()
        .take(7)
        .find(|&(_, c)| !gz.transliteration_chars.contains(&c))
        .map_or(rest.len(), |(i, _)| i);
    let name = &rest[..end];
    let n = name.chars().count();
    let ok = (3..=6).contains(&n)
        && !name
            .chars()
            .last()
            .is_some_and(|c| NOT_A_PERSON_END.contains(&c))
        && name.chars().next().is_some_and(is_han)
        && !bigram_is_word(is_name, name)
        && closes_name(gz, &rest[end..]);
    ok.then_some(at + end)
}

/// Stage 4b: a transliterated name of three to six characters right after a title, however
/// the segmenter cut it (蒙古副总理索德巴塔尔签署, 总理呼日勒苏赫和副总理), when what follows ends
/// it: punctuation, a conjunction, a bracket, a speech word or a trigger. An interaction with a
/// counterpart the gazetteer does not know keeps that counterpart.
fn titled_transliterations(r: &Recognition<'_, '_>, out: &mut Vec<Found>) {
    let &Recognition {
        gz,
        s,
        base,
        scan,
        is_name,
        ..
    } = r;
    if gz.transliteration_chars.is_empty() {
        return;
    }
    for &at in &scan.title_ends {
        let Some(end) = titled_run_end(r, at) else {
            continue;
        };
        if r.free(out, at, end) {
            out.push(Found::unknown(
                EntityKind::Person,
                &s[at..end],
                Span::new(base + at, base + end),
            ));
        }
    }
    // A head of state's or government's title may follow the name (塞迪略总统, 内塔尼亚胡总理):
    // the transliteration that ends where the title starts, back to the first character
    // that is none (恰逢|塞迪略总统), and not opened by a verb or a preposition (让|林肯总统,
    // 历|代肯尼迪总统), nor by the end of a word of the segmenter's dictionary (丈夫|菲利普,
    // 以来|林肯), nor a part of a place's name (哈萨克总统).
    // (The scan has found the titles: their starts, in order, once each.)
    let mut heads: Vec<(usize, &str)> = scan
        .titles
        .iter()
        .filter_map(|&(row, at)| Some((at, gz.titles.get(row)?.0.as_str())))
        .filter(|(_, w)| TITLE_AFTER_NAME.contains(w))
        .collect();
    heads.sort_unstable();
    heads.dedup();
    for (at, title) in heads {
        // (总统府, 总统山, 总统选举: the title heads a longer noun.)
        if s[at + title.len()..]
            .starts_with(['府', '山', '制', '职', '选', '候', '令', '办', '官', '级'])
        {
            continue;
        }
        let Some(head) = s.get(..at) else { continue };
        let from = head
            .char_indices()
            .rev()
            .take(7)
            .take_while(|&(_, c)| gz.transliteration_chars.contains(&c))
            .last()
            .map_or(at, |(i, _)| i);
        let name = &s[from..at];
        let n = name.chars().count();
        // (Most titles follow a name already read: 特朗普总统.)
        if !(3..=6).contains(&n)
            || !r.free(out, from, at)
            || name
                .chars()
                .last()
                .is_some_and(|c| NOT_A_PERSON_END.contains(&c))
            || name.starts_with(FRONT_GLUE)
            || name.starts_with(['让', '比', '连', '代', '任', '当'])
            || name.ends_with(['当', '任', '为', '是'])
            || !name.chars().all(|c| c != '·' && is_han(c))
            || gz.place_parts.contains(name)
            || r.word_across(from)
                .is_some_and(|t| r.seg.jieba.has_word(t.word))
            || bigram_is_word(is_name, name)
        {
            continue;
        }
        out.push(Found::unknown(
            EntityKind::Person,
            name,
            Span::new(base + from, base + at),
        ));
    }
}

/// Stage 7: places the gazetteer does not hold, named with the ending of their kind
/// (松江县, 马拉维湖, 高尔基大街): a word the segmenter takes for a place that ends with one,
/// or such a word and the ending cut off after it (故城|县).
fn suffixed_places(r: &Recognition<'_, '_>, out: &mut Vec<Found>) {
    let &Recognition {
        gz, s, base, toks, ..
    } = r;
    // (The last characters of the endings, to pass over most words at one look.)
    let ends = &*PLACE_SUFFIX_END;
    for (i, t) in toks.iter().enumerate() {
        // (The ending first: a word's part of speech costs more to learn.)
        let next = toks
            .get(i + 1)
            .filter(|n| n.start == t.end && n.word.chars().count() == 1);
        let last = |w: &str| w.chars().next_back().is_some_and(|c| ends.contains(&c));
        if !last(t.word) && !next.is_some_and(|n| last(n.word)) {
            continue;
        }
        let end = match next {
            Some(n) if PLACE_SUFFIX.contains(&n.word) => n.end,
            _ if PLACE_SUFFIX.iter().any(|x| t.word.ends_with(x)) => t.end,
            _ => continue,
        };
        if t.word.len() < 6
            || !t.word.chars().all(|c| is_han(c) && c != '·')
            || !r.seg.place_word(t.word)
        {
            continue;
        }
        let name = &s[t.start..end];
        let n = name.chars().count();
        let stem = PLACE_SUFFIX
            .iter()
            .find_map(|x| name.strip_suffix(x))
            .unwrap_or(name);
        // (本市, 全省, 该县: a determiner and the kind are no name; 偏远地区, 中心区, 回国路:
        // nor a common word and the kind; 日落西山: nor an idiom, a word of four characters
        // in the dictionary that opens with a common noun, verb or adjective; 三门峡市 opens
        // with a numeral, 大兴安岭 with a modifier.)
        if !(3..=8).contains(&n)
            || stem.chars().count() < 2
            || r.seg.common_non_place(stem)
            || r.seg.listed_non_place(name)
            || (n == 4
                && r.seg.jieba.has_word(name)
                && name
                    .char_indices()
                    .nth(2)
                    .is_some_and(|(i, _)| r.seg.common_content_word(&name[..i])))
            || stem.ends_with(['地', '山', '脉', '国', '州', '省', '市', '县'])
            || stem.starts_with([
                '以', '或', '两', '个', '各', '该', '本', '全', '每', '一', '这', '那', '从', '对',
                '距', '遭', '在', '到', '往', '赴', '至', '自', '向', '由',
            ])
            || gz.by_surface.contains_key(name)
            || gz.not_names.contains(name)
            || !r.free(out, t.start, end)
        {
            continue;
        }
        out.push(Found::unknown(
            EntityKind::Place,
            name,
            Span::new(base + t.start, base + end),
        ));
    }
}

/// Stage 8: institutions named by the place they serve and their kind (南京市玄武区法院,
/// 厦门市公安局, 浙江理工大学): a run of places found (a city, a region, or a place named with
/// its ending; never a country, whose bodies stage 2 reads), up to six characters of the
/// institution's own name, then a head of `institution_head` that ends a word of the segmenter
/// (not 南京大学|生), all one run of Chinese characters with no function word, verb or person
/// in it. The places stay mentions of their own.
fn anchored_institutions(r: &Recognition<'_, '_>, out: &mut Vec<Found>) {
    let &Recognition {
        gz, s, base, toks, ..
    } = r;
    let mut places: Vec<(usize, usize)> = out
        .iter()
        .filter(|f| {
            f.key.kind == EntityKind::Place
                && !f.nested
                && !matches!(
                    f.place_kind,
                    Some(PlaceKind::Country | PlaceKind::Continent | PlaceKind::Venue)
                )
        })
        .filter_map(|f| {
            Some((
                f.span.start.checked_sub(base)?,
                f.span.end.checked_sub(base)?,
            ))
        })
        .collect();
    places.sort_unstable();
    let mut found = Vec::new();
    for (k, &(start, first_end)) in places.iter().enumerate() {
        // (Only from the first place of a run: 南京市|玄武区 is read from 南京市.)
        if k > 0 && places[..k].iter().any(|p| p.1 == start) {
            continue;
        }
        let mut end = first_end;
        while let Some(&(_, e)) = places.iter().find(|p| p.0 == end) {
            end = e;
        }
        let rest = &s[end..];
        // The earliest head within six characters of Chinese, the longest there.
        let head = rest
            .char_indices()
            .take(7)
            .take_while(|&(_, c)| is_han(c))
            .find_map(|(i, _)| {
                INSTITUTION_HEAD
                    .iter()
                    .filter(|h| rest[i..].starts_with(**h))
                    .max_by_key(|h| h.len())
                    .map(|h| (i, h.len()))
            });
        let Some((at, len)) = head else { continue };
        let org_end = end + at + len;
        let middle_ok = toks
            .iter()
            .filter(|t| t.start >= end && t.start < end + at)
            .all(|t| {
                // (A name, not a modifier: 上海市|各大|医院, 龙南县|当地|政府, 丽江|境内|非|政府,
                // 朝阳区|三级|医院, 武汉|女子|状告|政府.)
                !(function_tag(t.tag())
                    || matches!(
                        t.tag(),
                        "v" | "x" | "s" | "h" | "b" | "z" | "a" | "ad" | "an"
                    ))
            });
        // The head ends a word: no word of the segmenter runs on past it; and a word that runs
        // across its start, unless the segmenter takes it for a name (理工大学), opens with no
        // common word (龙南县|当地政府).
        let head_at = end + at;
        let ends_word = !toks.iter().any(|t| {
            (t.start < org_end && t.end > org_end)
                || (t.start < head_at
                    && t.end > head_at
                    && !matches!(t.tag(), "nt" | "nz")
                    && t.word
                        .get(..head_at - t.start)
                        .is_some_and(|w| w.chars().count() >= 2 && r.seg.common_word(w)))
        });
        // (An organisation found by its ending inside it is the same one, named short:
        // 浙江|理工大学.)
        let inside = |f: &Found| {
            f.key.kind == EntityKind::Organization
                && f.entry.is_none()
                && f.span.start >= base + start
                && f.span.end == base + org_end
        };
        let clear = !out.iter().any(|f| {
            f.key.kind != EntityKind::Place
                && !inside(f)
                && f.span.start < base + org_end
                && base + start < f.span.end
        });
        if !middle_ok || !ends_word || !clear {
            continue;
        }
        out.retain(|f| !inside(f));
        let name = &s[start..org_end];
        let span = Span::new(base + start, base + org_end);
        let known = gz
            .by_surface
            .get(name)
            .copied()
            .filter(|&i| gz.entries[i].key.kind == EntityKind::Organization);
        found.push(match known {
            Some(i) => Found::known(gz, i, span, name),
            None => Found::unknown(EntityKind::Organization, name, span),
        });
    }
    out.extend(found);
}

/// What a city's name ends with when it holds its own ending (北京市, 东京都).
const CITY_OWN_ENDINGS: &[char] = &['市', '都'];

/// Endings that make a city's name the name of another place (南平路, 泰安乡, 纽约州).
const NOT_THE_CITY_AFTER: &[char] = &[
    '路', '街', '巷', '乡', '村', '镇', '湖', '港', '县', '区', '州',
];

/// The last characters of the endings of places' names (县 of 松江县, 岭 of 兴安岭), sorted.
static PLACE_SUFFIX_END: LazyLock<Vec<char>> = LazyLock::new(|| {
    let mut v: Vec<char> = PLACE_SUFFIX
        .iter()
        .filter_map(|w| w.chars().next_back())
        .collect();
    v.sort_unstable();
    v.dedup();
    v
});

/// Stage 5: a transliterated name followed by a Latin personal name in brackets (贝林格（Cody
/// Bellinger）).
fn bracketed_latin(r: &Recognition<'_, '_>, out: &mut Vec<Found>) {
    let &Recognition {
        gz,
        s,
        base,
        toks,
        scan,
        is_name,
        ..
    } = r;
    // 5. A transliterated name followed by a Latin personal name in brackets:
    //    贝林格（Cody Bellinger）, 索雷德（Ine Eriksen Søreide）.
    if let Some(re) = LATIN_PERSON.as_ref().filter(|_| !scan.brackets.is_empty()) {
        for caps in re.captures_iter(s) {
            let (Some(open), Some(latin)) = (caps.get(0), caps.get(1)) else {
                continue;
            };
            if latin
                .as_str()
                .split_whitespace()
                .any(|w| NOT_PERSONAL_LATIN.contains(&w.trim_matches(|c: char| !c.is_alphabetic())))
            {
                continue;
            }
            let end = open.start();
            // The transliteration characters before the bracket, from the first token
            // boundary that does not open with a function word (由冈索林 → 冈索林).
            let head = trim_to_transliteration(gz, &s[..end]);
            let mut run_start = end - head.len();
            // A title or role one or two characters before the run marks where the name
            // starts (官员柏|克斯（Deborah Birx）: 柏 is no transliteration character we know).
            if let Some(x) = s[..run_start]
                .char_indices()
                .rev()
                .take(2)
                .map(|(i, _)| i)
                .find(|&x| {
                    s[x..run_start].chars().all(is_han)
                        && (scan.title_ends.binary_search(&x).is_ok()
                            || PERSON_ROLE.iter().any(|w| s[..x].ends_with(w)))
                })
            {
                run_start = x;
            }
            // A title between the name and the bracket (黑德博士（Michael Head）) stays out.
            let end = gz
                .title_set
                .suffix_of(&s[..end])
                .and_then(|i| gz.titles.get(i))
                .map_or(end, |(w, _)| end - w.len());
            // The name starts at the earliest word from which every word up to the bracket is
            // name-like (马拉松|赛 has none; 卡斯特|克斯 both).
            let in_run: Vec<&Tok<'_>> = toks
                .iter()
                .filter(|t| t.start >= run_start && t.end <= end)
                .collect();
            let namelike = |t: &Tok<'_>| {
                t.tag().starts_with("nr")
                    || t.tag() == "nz"
                    || t.word.chars().count() == 1
                    || is_name(t.word)
            };
            let start = (0..in_run.len())
                .find(|&i| {
                    let first = in_run[i];
                    !(first.word.chars().count() == 1
                        && first.word.chars().all(|c| FRONT_GLUE.contains(&c)))
                        && in_run[i..].iter().all(|t| namelike(t))
                        && in_run.last().is_some_and(|t| t.end == end)
                })
                .map(|i| in_run[i].start);
            let Some(start) = start else { continue };
            let name = &s[start..end];
            // 东京马拉松赛(Tokyo Marathon): a head noun ends events, bodies and places.
            if name.ends_with(NOT_A_PERSON_END) {
                continue;
            }
            let n = name.chars().count();
            if !(2..=6).contains(&n) || !name.chars().all(is_han) || !r.free(out, start, end) {
                continue;
            }
            out.push(Found::unknown(
                EntityKind::Person,
                name,
                Span::new(base + start, base + end),
            ));
        }
    }
}

/// Stage 5, too: a Latin personal name right after a title or a role (白宫幕僚长Mark Meadows,
/// 州务卿、共和党人Brad Raffensperger), left untranslated.
fn titled_latin(r: &Recognition<'_, '_>, out: &mut Vec<Found>) {
    let &Recognition { gz, s, base, .. } = r;
    let Some(re) = LATIN_RUN.as_ref() else { return };
    if !s.bytes().any(|b| b.is_ascii_uppercase()) {
        return;
    }
    for m in re.find_iter(s) {
        let before = &s[..m.start()];
        let titled = gz.title_set.suffix_of(before).is_some()
            || PERSON_ROLE.iter().any(|w| before.ends_with(w))
            || before.ends_with("党人");
        let words: Vec<&str> = m.as_str().split_whitespace().collect();
        let after = &s[m.end()..];
        if !titled
            || words.last().is_some_and(|w| w.chars().count() < 2)
            || words
                .iter()
                .any(|w| NOT_PERSONAL_LATIN.contains(&w.trim_matches(|c: char| !c.is_alphabetic())))
            || after.starts_with(|c: char| c.is_ascii_alphanumeric())
            || !r.free(out, m.start(), m.end())
        {
            continue;
        }
        out.push(Found::unknown(
            EntityKind::Person,
            &words.join(" "),
            Span::new(base + m.start(), base + m.end()),
        ));
    }
}

/// Capitalised Latin words (a personal name) right after Han characters: `Mark Meadows`.
static LATIN_RUN: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"\p{Lu}[\p{Latin}'’\-]*(?: \p{Lu}[\p{Latin}'’\-]*){1,3}").ok());

/// An unknown organisation named only by a country (or a generic modifier) and a head.
fn generic_org(gz: &Gazetteer, f: &Found) -> bool {
    f.key.kind == EntityKind::Organization
        && GENERIC_HEADS.iter().any(|h| {
            f.key.name.strip_suffix(h).is_some_and(|m| {
                GENERIC_MODIFIER.contains(&m)
                    || gz.lookup(m).is_some_and(|e| {
                        e.key.kind == EntityKind::Place && e.place_kind == Some(PlaceKind::Country)
                    })
            })
        })
}

/// A Latin name in brackets right after a Chinese one: `（Ine Eriksen Søreide）`.
pub static LATIN_AFTER: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^\s?[（(]\s*(\p{Latin}[\p{Latin}\s.'’\-]{1,60}?)\s*[）)]").ok());

/// 2–4 capitalised Latin words in brackets after Han characters (a personal name).
static LATIN_PERSON: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"\s?[（(]\s*(\p{Lu}[\p{Latin}.'’\-]*(?:\s+\p{Lu}[\p{Latin}.'’\-]*){1,3})\s*[）)]")
        .ok()
});

/// A country or a country-like region (台湾, 香港), which government bodies follow.
fn is_country(entry: &crate::gazetteer::GazetteerEntry) -> bool {
    entry.key.kind == EntityKind::Place
        && matches!(
            entry.place_kind,
            Some(PlaceKind::Country) | Some(PlaceKind::Region)
        )
}

fn glued_to_body(gz: &Gazetteer, entry: &crate::gazetteer::GazetteerEntry, after: &str) -> bool {
    entry.key.kind == EntityKind::Place && gz.body_set.prefix_of(after).is_some()
}

pub(crate) fn is_han(c: char) -> bool {
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::scan::{run_end, scan};
    use crate::segment::in_segmenter_run;

    /// The example articles, parsed.
    fn examples() -> Vec<guanxi_core::Article> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/articles");
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        assert!(paths.len() >= 10, "examples missing in {}", dir.display());
        paths
            .iter()
            .map(|p| {
                let bytes = std::fs::read(p).unwrap();
                guanxi_ingest::parse_article(
                    &p.display().to_string(),
                    &bytes,
                    &guanxi_ingest::IngestConfig::default(),
                )
                .unwrap()
            })
            .collect()
    }

    /// Every article the repository holds: the examples, the seeds of the extraction tests,
    /// the ingest fixtures and the hostile inputs, and one per row of the rule tables.
    fn fixtures() -> Vec<guanxi_core::Article> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut out = examples();
        let config = guanxi_ingest::IngestConfig::default();
        for dir in ["tests/data/ingest", "tests/data/cross", "tests/hostile"] {
            let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            paths.sort();
            for p in paths {
                let bytes = std::fs::read(&p).unwrap();
                let parsed =
                    guanxi_ingest::parse_file(&p.display().to_string(), None, &bytes, &config);
                out.extend(parsed.items.into_iter().filter_map(|i| i.result.ok()));
            }
        }
        for table in [
            "tests/data/entities.tsv",
            "tests/data/interactions.tsv",
            "tests/data/words.tsv",
        ] {
            let text = std::fs::read_to_string(root.join(table)).unwrap();
            for (n, line) in text.lines().filter(|l| !l.starts_with('#')).enumerate() {
                let cols: Vec<&str> = line.split('\t').collect();
                let (Some(date), Some(body)) = (cols.get(1), cols.get(2)) else {
                    continue;
                };
                let md = format!(
                    "---\ntitle: \"t{n}\"\ndate: {date}T04:00:00.000Z\nfrom: https://www.zaobao.com.sg/t/{n}\n---\n\n{}\n",
                    body.replace('|', "\n\n")
                );
                out.push(
                    guanxi_ingest::parse_article(&format!("t{n}.md"), md.as_bytes(), &config)
                        .unwrap(),
                );
            }
        }
        out
    }

    /// The words cut where the rules read them are the words, with the tags, that tagging
    /// the whole sentence gives there, and they cover what the rules read.
    #[test]
    fn words_cut_where_needed_are_those_of_the_whole_sentence() {
        let ex = crate::Extractor::new();
        let seg = &ex.segmenter;
        let (mut words, mut all) = (0, 0);
        for a in examples() {
            for s in crate::text::sentences(&a) {
                let sentence = s.span.slice(&a.text);
                let scan = scan(&ex.gazetteer, &ex.cues, sentence);
                let toks = Tok::cut_needed(seg, sentence, &scan.needs);
                let eager: Vec<(&str, usize, usize, &str)> = seg
                    .jieba
                    .tag(sentence, true)
                    .iter()
                    .map(|t| (t.word, t.byte_start, t.byte_end, t.tag))
                    .collect();
                for t in &toks {
                    let word = (t.word, t.start, t.end, t.tag());
                    assert!(eager.contains(&word), "{word:?} not cut so in {sentence}");
                }
                assert!(
                    toks.windows(2).all(|w| w[0].end <= w[1].start),
                    "{sentence}"
                );
                for &(x, y) in &scan.needs {
                    let covered = toks
                        .iter()
                        .filter(|t| t.end > x && t.start < y)
                        .map(|t| t.end.min(y) - t.start.max(x))
                        .sum::<usize>();
                    assert_eq!(covered, y - x, "{x}..{y} of {sentence}");
                }
                words += toks.len();
                all += eager.len();
            }
        }
        // (Most sentences need some of their words, few need all of them.)
        assert!(words > 1000 && words < all, "{words} of {all} words cut");
    }

    /// The one pass over names and cues finds the gazetteer's leftmost-longest matches and
    /// every title: over
    /// every sentence of the fixtures, and over random runs of names, cue words and
    /// characters.
    #[test]
    fn one_pass_finds_the_gazetteer_matches() {
        let ex = crate::Extractor::new();
        let gz = &ex.gazetteer;
        let mut texts: Vec<String> = Vec::new();
        for a in fixtures() {
            for sentence in crate::text::sentences(&a) {
                texts.push(sentence.span.slice(&a.text).to_string());
            }
        }
        let pieces: Vec<String> = gz
            .surfaces
            .iter()
            .map(|(w, _)| w.clone())
            .chain(gz.titles.iter().map(|(w, _)| w.clone()))
            .chain(gz.triggers.iter().map(|(w, _)| w.clone()))
            .chain(SPEECH.iter().chain(ORG_SUFFIX).map(|w| (*w).to_string()))
            .chain(["中", "美", "，", "的", "a", " "].map(String::from))
            .collect();
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for _ in 0..3000 {
            let k = 1 + next(8);
            // (Cut pieces too: a name's head or tail next to another name.)
            let text: String = (0..k)
                .map(|_| {
                    let w = &pieces[next(pieces.len())];
                    let chars: Vec<char> = w.chars().collect();
                    let (a, b) = match next(4) {
                        0 => (next(chars.len()), chars.len()),
                        1 => (0, 1 + next(chars.len())),
                        _ => (0, chars.len()),
                    };
                    chars[a..b].iter().collect::<String>()
                })
                .collect();
            texts.push(text);
        }
        for t in &texts {
            let one = scan(gz, &ex.cues, t);
            assert_eq!(one.matches, gz.matcher.find_iter(t), "{t}");
            assert_eq!(one.titles, gz.title_set.occurrences(t), "{t}");
            assert_eq!(one.triggers, gz.trigger_set.occurrences(t), "{t}");
            let ends: Vec<usize> = (0..=t.len())
                .filter(|&i| t.is_char_boundary(i) && gz.title_set.suffix_of(&t[..i]).is_some())
                .collect();
            assert_eq!(one.title_ends, ends, "{t}");
        }
    }

    /// The end of a run, found by skipping the bytes of common Chinese characters, is the
    /// end found character by character.
    #[test]
    fn runs_end_where_their_characters_end() {
        let by_chars = |s: &str, y: usize| match s[..y].chars().next_back() {
            Some(c) if in_segmenter_run(c) => s[y..]
                .char_indices()
                .find(|&(_, c)| !in_segmenter_run(c))
                .map_or(s.len(), |(i, _)| y + i),
            _ => run_end(s, y),
        };
        let mut texts: Vec<String> = fixtures()
            .iter()
            .flat_map(|a| {
                crate::text::sentences(a)
                    .into_iter()
                    .map(|s| s.span.slice(&a.text).to_string())
                    .collect::<Vec<_>>()
            })
            .collect();
        texts.push("中文abc㐀䷀一\u{4dff}丁\u{9fff}\u{a000}，x\r\n𠀀z".to_string());
        let mut checked = 0;
        for t in &texts {
            for y in (0..=t.len()).filter(|&y| t.is_char_boundary(y)) {
                assert_eq!(run_end(t, y), by_chars(t, y), "{y} in {t:?}");
                checked += 1;
            }
        }
        assert!(checked > 10_000, "{checked}");
    }

    /// Extraction from the words the rules read equals extraction from every word of every
    /// sentence.
    #[test]
    fn rules_read_only_words_that_are_cut() {
        let ex = crate::Extractor::new();
        let mut cutting = crate::Extractor::new();
        cutting.set_options(crate::ExtractOptions {
            cut_every_word: true,
            ..Default::default()
        });
        let articles = fixtures();
        assert!(articles.len() > 80, "{} articles", articles.len());
        for a in &articles {
            assert_eq!(ex.extract(a), cutting.extract(a), "in {}", a.source);
        }
    }

    /// Extraction that reads no interactions in an article without a trigger equals
    /// extraction that reads them in every article.
    #[test]
    fn articles_without_a_trigger_report_no_interaction() {
        let ex = crate::Extractor::new();
        let mut reading = crate::Extractor::new();
        reading.set_options(crate::ExtractOptions {
            read_every_sentence: true,
            ..Default::default()
        });
        let articles = fixtures();
        let mut without = 0;
        for a in &articles {
            assert_eq!(ex.extract(a), reading.extract(a), "in {}", a.source);
            without += usize::from(crate::text::sentences(a).iter().all(|s| {
                scan(ex.gazetteer(), &ex.cues, s.span.slice(&a.text))
                    .triggers
                    .is_empty()
            }));
        }
        // (Both kinds of article are among the fixtures.)
        assert!(
            without > 5 && without + 5 < articles.len(),
            "{without} of {}",
            articles.len()
        );
    }

    /// The same over every article of a corpus: `GUANXI_CORPUS=DIR cargo test -p
    /// guanxi-extract --release -- --ignored` (an absolute path). The reading of every
    /// article is held to reading every word and every article's interactions. (`guanxi
    /// extract --exhaustive` against `guanxi extract` checks the same from the binary.)
    #[test]
    #[ignore = "reads a whole corpus named by GUANXI_CORPUS"]
    fn corpus_extracts_the_same() {
        let Ok(dir) = std::env::var("GUANXI_CORPUS") else {
            return;
        };
        let ex = crate::Extractor::new();
        let mut exhaustive = crate::Extractor::new();
        exhaustive.set_options(crate::ExtractOptions::exhaustive());
        let config = guanxi_ingest::IngestConfig::default();
        let mut stack = vec![std::path::PathBuf::from(dir)];
        let mut articles = 0;
        while let Some(p) = stack.pop() {
            if p.is_dir() {
                stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            let bytes = std::fs::read(&p).unwrap();
            let parsed = guanxi_ingest::parse_file(&p.display().to_string(), None, &bytes, &config);
            for a in parsed.items.into_iter().filter_map(|i| i.result.ok()) {
                assert_eq!(ex.extract(&a), exhaustive.extract(&a), "in {}", a.source);
                articles += 1;
            }
        }
        eprintln!("{articles} articles extract the same");
    }

    /// The vectorised search for characters finds what `str::contains` finds.
    #[test]
    fn holding_any_is_containing_any() {
        for s in [
            "",
            "谢尔盖·拉夫罗夫",
            "a-b",
            "（注）",
            "(x)",
            "中文",
            "・",
            "－",
            "x．y",
            "•",
        ] {
            for (any, chars) in [(&ANY_SEPARATOR, SEPARATORS), (&ANY_BRACKET, BRACKETS)] {
                assert_eq!(any.in_text(s), s.contains(chars), "{s}");
            }
        }
    }

    /// Extracting articles together gives what extracting each alone gives.
    #[test]
    fn extracting_together_equals_extracting_alone() {
        let ex = crate::Extractor::new();
        let articles = examples();
        let refs: Vec<&guanxi_core::Article> = articles.iter().collect();
        let together = ex.extract_many(&refs);
        let alone: Vec<_> = articles.iter().map(|a| ex.extract(a)).collect();
        assert_eq!(together, alone);
    }
}
