//! The first-pass scan of an article: where the gazetteer's names and the cue words are, so
//! that only the parts of a sentence that can hold a fact are segmented.

use crate::lexicon::{INSTITUTION_HEAD, ORG_SUFFIX, SPEECH};

use guanxi_core::EntityKind;

use crate::entities::{is_han, ANY_BRACKET, ANY_SEPARATOR, BRACKETS, DOTTED, SEPARATORS};
use crate::gazetteer::{CharTrie, Gazetteer};
use crate::segment::in_segmenter_run;

/// Whether a gazetteer name must align with the segmenter's words to count. Names of up to
/// four characters must, so that 消息报 is not read in 消息报道, nor 美军 in 中美军事, nor 外交部
/// in 外交部门. (Persons of three or more characters are distinctive enough on their own:
/// 博索纳罗 even when the segmenter splits it as 同博索/纳罗.)
pub(crate) fn must_align(entry: &crate::gazetteer::GazetteerEntry, surface: &str) -> bool {
    let limit = if entry.key.kind == EntityKind::Person {
        2
    } else {
        4
    };
    surface.chars().count() <= limit && surface.chars().all(is_han)
}

/// A title word: the word after it may be a name.
const CUE_TITLE: u8 = 1;
/// A speech word: a name may stand just before it.
const CUE_SPEECH: u8 = 2;
/// An organisation's ending: the word that ends with it may be an organisation.
const CUE_ORG: u8 = 4;
/// Two country abbreviations (中美), or 访 and one (访华): a compound may start here.
const CUE_PAIR: u8 = 8;
/// An interaction trigger (会见, 会谈, …).
const CUE_TRIGGER: u8 = 16;
/// An institution's head (法院, 公安局): the places and name before it may make an
/// organisation.
const CUE_INSTITUTION: u8 = 32;

/// The gazetteer's names and the words around which the rules read the segmenter's words,
/// found in one pass.
pub struct Cues {
    /// Every name and cue word, once.
    trie: CharTrie,
    /// For each word of the trie: the gazetteer surface it is (its first id in
    /// `Gazetteer::surfaces`), and its cue kinds (`CUE_*` bits).
    words: Vec<(Option<usize>, u8)>,
    /// For each word of the trie that is a title: its first row in `Gazetteer::titles`.
    title_rows: rustc_hash::FxHashMap<usize, usize>,
    /// For each word of the trie that is a trigger: its first row in `Gazetteer::triggers`.
    trigger_rows: rustc_hash::FxHashMap<usize, usize>,
}

impl Cues {
    /// The gazetteer's names, the cues of its titles and country abbreviations, and of the
    /// speech words and organisation endings.
    pub fn new(gz: &Gazetteer) -> Self {
        let mut words: Vec<(String, Option<usize>, u8)> = Vec::new();
        let mut index: rustc_hash::FxHashMap<String, usize> = Default::default();
        for (pid, (w, _)) in gz.surfaces.iter().enumerate() {
            if !index.contains_key(w) {
                index.insert(w.clone(), words.len());
                words.push((w.clone(), Some(pid), 0));
            }
        }
        let mut cue = |w: String, kind: u8| match index.get(&w) {
            Some(&i) => {
                if let Some(w) = words.get_mut(i) {
                    w.2 |= kind;
                }
            }
            None => {
                index.insert(w.clone(), words.len());
                words.push((w, None, kind));
            }
        };
        for (w, _) in &gz.titles {
            cue(w.clone(), CUE_TITLE);
        }
        for (w, _) in &gz.triggers {
            cue(w.clone(), CUE_TRIGGER);
        }
        for w in SPEECH {
            cue((*w).to_string(), CUE_SPEECH);
        }
        for w in ORG_SUFFIX {
            cue((*w).to_string(), CUE_ORG);
        }
        for w in INSTITUTION_HEAD {
            cue((*w).to_string(), CUE_INSTITUTION);
        }
        let mut abbreviations: Vec<char> = gz.compound_mentions.keys().copied().collect();
        abbreviations.sort_unstable();
        for &a in abbreviations.iter().chain(&['访']) {
            for &b in &abbreviations {
                cue(format!("{a}{b}"), CUE_PAIR);
            }
        }
        let first_rows = |words: &mut dyn Iterator<Item = &String>| {
            let mut rows: rustc_hash::FxHashMap<usize, usize> = Default::default();
            for (row, w) in words.enumerate() {
                if let Some(&i) = index.get(w) {
                    rows.entry(i).or_insert(row);
                }
            }
            rows
        };
        let title_rows = first_rows(&mut gz.titles.iter().map(|(w, _)| w));
        let trigger_rows = first_rows(&mut gz.triggers.iter().map(|(w, _)| w));
        Cues {
            title_rows,
            trigger_rows,
            trie: CharTrie::new(words.iter().map(|(w, _, _)| w.as_str())),
            words: words
                .into_iter()
                .map(|(_, pid, kind)| (pid, kind))
                .collect(),
        }
    }
}

/// What the rules find in a sentence before reading any word of it.
#[derive(Debug, Default)]
pub struct Scan {
    /// Gazetteer matches `(start, end, surface id)`, leftmost-longest.
    pub matches: Vec<(usize, usize, usize)>,
    /// Where speech words start.
    pub speech_at: Vec<usize>,
    /// Every title `(row of Gazetteer::titles, start)`, by row, then by position (as
    /// `WordSet::occurrences` gives them).
    pub titles: Vec<(usize, usize)>,
    /// Where titles end, in order.
    pub title_ends: Vec<usize>,
    /// Every interaction trigger `(row of Gazetteer::triggers, start)`, by row, then by
    /// position (as `WordSet::occurrences` gives them).
    pub triggers: Vec<(usize, usize)>,
    /// Where two country abbreviations, or 访 and one, stand together.
    pub pairs: Vec<usize>,
    /// Dotted names `(start, end)` (谢尔盖·拉夫罗夫).
    pub dotted: Vec<(usize, usize)>,
    /// Where opening brackets stand.
    pub brackets: Vec<usize>,
    /// Byte ranges of the sentence whose words some rule reads, in order.
    pub needs: Vec<(usize, usize)>,
}

/// The largest char boundary of `s` at or below `x`.
fn floor_boundary(s: &str, mut x: usize) -> usize {
    x = x.min(s.len());
    while !s.is_char_boundary(x) {
        x -= 1;
    }
    x
}

/// The dotted names of the run `s[start..end]`: two names joined by a conjunction in a part
/// between separators (卡斯滕·蒂森·汉森和英加·拉斯穆森) are two runs.
fn split_at_conjunctions(s: &str, start: usize, end: usize) -> Vec<(usize, usize)> {
    let run = &s[start..end];
    let seps: Vec<usize> = run.match_indices(SEPARATORS).map(|(i, _)| i).collect();
    let mut out = Vec::new();
    let mut from = 0;
    for pair in seps.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let part = &run[a..b];
        let conj = part
            .char_indices()
            .skip(1)
            .find(|&(_, c)| CONJUNCTIONS.contains(&c));
        // (A name of one character at least ends before it, of two starts after it.)
        if let Some((i, c)) = conj {
            let left = &run[a..a + i];
            let right = &run[a + i + c.len_utf8()..b];
            if left.chars().count() >= 2 && right.chars().count() >= 2 {
                out.push((start + from, start + a + i));
                from = a + i + c.len_utf8();
            }
        }
    }
    out.push((start + from, end));
    out
}

/// Conjunctions that join two names and never stand inside a transliteration.
const CONJUNCTIONS: &[char] = &['和', '与', '及'];

/// Scans sentence `s` for gazetteer names, cues and dotted names, and notes the ranges whose
/// words the rules of [`recognise`] and the title references read:
/// - a gazetteer name that must align with words: the name (and the word it is glued in,
///   for a person's: 向普京);
/// - a title: the word after it;
/// - a speech word: the words up to six characters before it;
/// - an organisation's ending, or a pair of country abbreviations: the word holding it;
/// - an institution's head: it and the fourteen characters before it;
/// - a dotted name: the name;
/// - an opening bracket: the word before it (and a space).
///
/// The segmenter cuts each run of Chinese characters, letters and digits on its own, so the
/// runs that hold these ranges give the same words as a cut of the whole sentence.
pub fn scan(gz: &Gazetteer, cues: &Cues, s: &str) -> Scan {
    let mut needs = Vec::new();
    let mut matches: Vec<(usize, usize, usize)> = Vec::new();
    let mut speech_at = Vec::new();
    let mut titles = Vec::new();
    let mut title_ends = Vec::new();
    let mut triggers = Vec::new();
    let mut pairs = Vec::new();
    // Gazetteer names leftmost-longest: at the first position where one starts, the longest
    // (the walk gives a position's words shortest first), then on from its end. Cues count
    // wherever they stand.
    let mut skip_to = 0;
    let mut longest: Option<(usize, usize, usize)> = None;
    cues.trie.overlapping(s, |start, end, id| {
        let Some(&(pid, kind)) = cues.words.get(id) else {
            return;
        };
        if let Some(pid) = pid {
            if longest.is_some_and(|m| m.0 != start) {
                if let Some(m) = longest.take() {
                    matches.push(m);
                    skip_to = m.1;
                }
            }
            if start >= skip_to {
                longest = Some((start, end, pid));
            }
        }
        if kind & CUE_SPEECH != 0 {
            speech_at.push(start);
            needs.push((floor_boundary(s, start.saturating_sub(6 * 4)), end));
        }
        if kind & CUE_TITLE != 0 {
            if let Some(&row) = cues.title_rows.get(&id) {
                titles.push((row, start));
            }
            title_ends.push(end);
            if let Some(c) = s[end..].chars().next() {
                needs.push((end, end + c.len_utf8()));
            }
        }
        if kind & CUE_TRIGGER != 0 {
            if let Some(&row) = cues.trigger_rows.get(&id) {
                triggers.push((row, start));
            }
        }
        if kind & CUE_INSTITUTION != 0 {
            // (The places and the name before the head: fourteen characters at most.)
            needs.push((floor_boundary(s, start.saturating_sub(14 * 3)), end));
        }
        if kind & (CUE_ORG | CUE_PAIR) != 0 {
            needs.push((start, end));
        }
        if kind & CUE_PAIR != 0 {
            pairs.push(start);
        }
    });
    matches.extend(longest);
    titles.sort_unstable();
    title_ends.sort_unstable();
    title_ends.dedup();
    triggers.sort_unstable();
    for &(a, b, pid) in &matches {
        let Some((surface, idx)) = gz.surfaces.get(pid) else {
            continue;
        };
        let Some(entry) = gz.entries.get(*idx) else {
            continue;
        };
        if must_align(entry, surface) {
            needs.push((a, b));
        }
    }
    let mut dotted = Vec::new();
    if let Some(re) = DOTTED.as_ref().filter(|_| ANY_SEPARATOR.in_text(s)) {
        for m in re.find_iter(s) {
            for (a, b) in split_at_conjunctions(s, m.start(), m.end()) {
                dotted.push((a, b));
            }
            needs.push((m.start(), m.end()));
        }
    }
    let mut brackets = Vec::new();
    if ANY_BRACKET.in_text(s) {
        for (i, _) in s.match_indices(BRACKETS) {
            brackets.push(i);
            let from = s[..i].char_indices().rev().nth(1).map_or(0, |(j, _)| j);
            if from < i {
                needs.push((from, i));
            }
        }
    }
    // A Chinese name may start at any surname: the stage that reads them needs the words of
    // each run of the sentence that holds one (a name, and the words around it that are its
    // context, stand in one run; a list's names each in their own, between 、). (The places
    // named with the ending of their kind are read in the same words, and go unread in a run
    // with no surname's character: rare, and cutting every run costs a tenth of the time.)
    let mut run: Option<(usize, bool)> = None;
    for (i, c) in s.char_indices() {
        if crate::segment::in_segmenter_run(c) {
            let (start, has) = run.unwrap_or((i, false));
            run = Some((start, has || gz.surname_chars.contains(&c)));
        } else if let Some((start, has)) = run.take() {
            if has {
                needs.push((start, i));
            }
        }
    }
    if let Some((start, true)) = run {
        needs.push((start, s.len()));
    }
    needs.sort_unstable();
    Scan {
        matches,
        speech_at,
        titles,
        title_ends,
        triggers,
        pairs,
        dotted,
        brackets,
        needs,
    }
}

/// The start of the segmenter run (or the single character) holding byte `x` of `s`.
pub(crate) fn run_start(s: &str, x: usize) -> usize {
    let x = floor_boundary(s, x);
    match s[x..].chars().next() {
        Some(c) if in_segmenter_run(c) => s[..x]
            .char_indices()
            .rev()
            .take_while(|&(_, c)| in_segmenter_run(c))
            .last()
            .map_or(x, |(i, _)| i),
        // (The segmenter keeps \r\n together.)
        Some('\n') if s[..x].ends_with('\r') => x - 1,
        _ => x,
    }
}

/// The end of the segmenter run (or the single character) that ends at or holds the
/// character before byte `y` of `s`.
pub(crate) fn run_end(s: &str, y: usize) -> usize {
    let y = floor_boundary(s, y);
    match s[..y].chars().next_back() {
        Some(c) if in_segmenter_run(c) => {
            // (Characters led by bytes E5..E9, U+5000..U+9FFF, are all in runs: they are
            // skipped without decoding.)
            let b = s.as_bytes();
            let mut i = y;
            while b.get(i).is_some_and(|x| (0xe5..=0xe9).contains(x)) {
                i += 3;
            }
            s[i..]
                .char_indices()
                .find(|&(_, c)| !in_segmenter_run(c))
                .map_or(s.len(), |(j, _)| i + j)
        }
        Some('\r') if s[y..].starts_with('\n') => y + 1,
        _ => y,
    }
}
