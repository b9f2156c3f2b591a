//! Segmentation: jieba-rs over the parts of a sentence the rules read, with a per-thread memory
//! of the parts of speech it gave words on their own.

use std::cell::OnceCell;

use jieba_rs::Jieba;

use crate::scan::{run_end, run_start};

/// What turns a ministry into a title: 外交部 + 长 = 外交部长.
pub(crate) const TITLE_SUFFIX: char = '长';

/// The segmenter, with a memory of the parts of speech it gave words on their own.
pub struct Segmenter {
    /// jieba-rs, with the gazetteer's names in its dictionary.
    pub jieba: Jieba,
    /// Which segmenter this is, for the per-thread memory.
    id: u64,
}

/// Word → part of speech, for words tagged on their own by one segmenter.
type TagMemory = rustc_hash::FxHashMap<Box<str>, &'static str>;

thread_local! {
    /// The memory of each segmenter (by id) on this thread.
    static TAG_MEMORY: std::cell::RefCell<rustc_hash::FxHashMap<u64, TagMemory>> =
        Default::default();
}

/// How often the segmenter's dictionary counts a word it calls common.
pub const COMMON_WORD_FREQ: usize = 90;

/// The most words the per-thread memory keeps before it starts afresh.
const TAG_MEMORY_MAX: usize = 200_000;

/// Parts of speech as `'static` strings: the segmenter has a few dozen. Past a bound (a
/// dictionary with odd tags), tags are not remembered.
fn intern(tag: &str) -> Option<&'static str> {
    static TAGS: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());
    let mut tags = TAGS.lock().ok()?;
    if let Some(t) = tags.iter().find(|t| **t == tag) {
        return Some(t);
    }
    if tags.len() >= 256 {
        return None;
    }
    let t: &'static str = Box::leak(tag.to_string().into_boxed_str());
    tags.push(t);
    Some(t)
}

impl Segmenter {
    /// A segmenter over `jieba`.
    pub fn new(jieba: Jieba) -> Self {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        Segmenter {
            jieba,
            id: NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// The part of speech of `word` as remembered on this thread, or tagged on its own when
    /// the segmenter keeps it whole: a dictionary word's entry, or the guess for any other
    /// word.
    fn tag_alone<'a>(&'a self, word: &'a str) -> Option<&'a str> {
        let known = TAG_MEMORY.with(|m| m.borrow().get(&self.id)?.get(word).copied());
        if let Some(t) = known {
            return Some(t);
        }
        let alone = self.jieba.tag(word, !self.jieba.has_word(word));
        let [one] = alone.as_slice() else {
            return None;
        };
        if one.word != word {
            return None;
        }
        self.remember_tag(word, one.tag);
        Some(one.tag)
    }

    /// Whether `word` is a common word of the segmenter's dictionary: one it counts at least
    /// [`COMMON_WORD_FREQ`] times (宣传, 安全; not 江泽 or 温家, rare entries cut from names).
    pub fn common_word(&self, word: &str) -> bool {
        self.jieba.has_word(word) && self.jieba.suggest_freq(word) >= COMMON_WORD_FREQ
    }

    /// Whether `word` is a common word of the segmenter's dictionary that it does not take
    /// for a place (偏远, 中心, 回国; not 松江).
    pub fn common_non_place(&self, word: &str) -> bool {
        self.common_word(word) && !self.by_itself(word, |t| t == "ns")
    }

    /// Whether `word` is in the segmenter's dictionary as anything but a place (a proper
    /// noun, an idiom).
    pub fn listed_non_place(&self, word: &str) -> bool {
        self.jieba.has_word(word) && !self.by_itself(word, |t| t == "ns")
    }

    /// Whether the segmenter takes `word` for a place, judged on the word by itself: one word
    /// tagged as a place, in its dictionary or guessed (故城, 松江县). A tag remembered from
    /// another sentence is not asked: a word the segmenter cuts when alone (不来梅|港) would
    /// get whichever tag the sentences read first gave it.
    pub fn place_word(&self, word: &str) -> bool {
        self.by_itself(word, |t| t == "ns")
    }

    /// Whether the segmenter takes `word` for a person's name, judged on the word by itself
    /// (长拉杰, 特和乔琪亚: its model's guesses), as [`Segmenter::place_word`] judges places.
    pub fn name_word(&self, word: &str) -> bool {
        self.by_itself(word, |t| t.starts_with("nr"))
    }

    /// Whether the segmenter keeps `word` whole when tagging it by itself, with a tag that
    /// `accept` takes. (Never a tag remembered from another sentence, so that no article's
    /// reading depends on which articles this thread read before.)
    fn by_itself(&self, word: &str, accept: impl Fn(&str) -> bool) -> bool {
        matches!(
            self.jieba.tag(word, !self.jieba.has_word(word)).as_slice(),
            [one] if one.word == word && accept(one.tag)
        )
    }

    /// Whether `word` is a common noun, verb or adjective of the segmenter's dictionary
    /// (日落, 上山; not 三门, a numeral, or 大兴, a modifier).
    pub fn common_content_word(&self, word: &str) -> bool {
        self.common_word(word)
            && self.by_itself(word, |t| matches!(t, "n" | "v" | "vn" | "a" | "ad" | "an"))
    }

    /// Whether the one-character `word` is a verb of the segmenter's dictionary (背, 立).
    pub fn single_verb(&self, word: &str) -> bool {
        self.jieba.has_word(word) && self.tag_alone(word) == Some("v")
    }

    /// Forgets the parts of speech this thread remembers for this segmenter.
    pub fn forget(&self) {
        TAG_MEMORY.with(|m| m.borrow_mut().remove(&self.id));
    }

    /// Remembers the part of speech of `word` on this thread.
    fn remember_tag(&self, word: &str, tag: &str) {
        if let Some(t) = intern(tag) {
            TAG_MEMORY.with(|m| {
                let mut m = m.borrow_mut();
                let words = m.entry(self.id).or_default();
                if words.len() >= TAG_MEMORY_MAX {
                    words.clear();
                }
                words.insert(word.into(), t);
            });
        }
    }
}

/// The characters the segmenter cuts in runs (jieba-rs's `RE_HAN_DEFAULT`: Chinese
/// characters, ASCII letters and digits, `+#&._%-`); each run is cut and tagged on its own.
pub(crate) fn in_segmenter_run(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2A6DF}'
        | '\u{2A700}'..='\u{2B73F}'
        | '\u{2B740}'..='\u{2B81F}'
        | '\u{2B820}'..='\u{2CEAF}'
        | '\u{2CEB0}'..='\u{2EBEF}'
        | '\u{2F800}'..='\u{2FA1F}'
        | 'a'..='z' | 'A'..='Z' | '0'..='9'
        | '+' | '#' | '&' | '.' | '_' | '%' | '-')
}

/// A segmenter token (bytes relative to the sentence). Its part of speech is looked up when
/// a rule first asks for it: most words are never asked about, and guessing the part of
/// speech of a word the dictionary lacks runs a model.
#[derive(Clone)]
pub struct Tok<'a> {
    /// The word.
    pub word: &'a str,
    /// Start byte in the sentence.
    pub start: usize,
    /// End byte in the sentence.
    pub end: usize,
    tag: OnceCell<&'a str>,
    /// The segmenter and the sentence, to tag the word in.
    source: Option<(&'a Segmenter, &'a str)>,
}

impl std::fmt::Debug for Tok<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}/{}@{}..{}",
            self.word,
            self.tag(),
            self.start,
            self.end
        )
    }
}

impl<'a> Tok<'a> {
    /// The tokens of `sentence` in the ranges some rule reads (`needs`, in order): the
    /// segmenter cuts each run of Chinese characters, letters and digits on its own, so the
    /// runs that hold the ranges are cut, close ones together, and give the words a cut of the
    /// whole sentence gives there. The tokens come in order, none overlapping.
    pub fn cut_needed(
        seg: &'a Segmenter,
        sentence: &'a str,
        needs: &[(usize, usize)],
    ) -> Vec<Self> {
        debug_assert!(needs.is_sorted());
        // (A run is a dozen words or so.)
        let mut out = Vec::with_capacity(needs.len() * 12);
        let mut i = 0;
        while let Some(&(a, b)) = needs.get(i) {
            if a >= b {
                i += 1;
                continue;
            }
            let from = run_start(sentence, a);
            let mut to = run_end(sentence, b);
            i += 1;
            while let Some(&(a, b)) = needs.get(i) {
                if a > to + CUT_GAP {
                    break;
                }
                // (A range ending inside what is cut already adds nothing, nor does an empty one.)
                if b > to && a < b {
                    to = run_end(sentence, b);
                }
                i += 1;
            }
            out.extend(
                seg.jieba
                    .cut(&sentence[from..to], true)
                    .into_iter()
                    .map(|t| Tok {
                        word: t.word,
                        start: from + t.byte_start,
                        end: from + t.byte_end,
                        tag: OnceCell::new(),
                        source: Some((seg, sentence)),
                    }),
            );
        }
        out
    }

    /// The part of speech the segmenter gives this word in its sentence.
    ///
    /// A word's tag depends on the word alone: a dictionary word carries its entry's tag, any
    /// other is guessed from its characters. Tagging the word by itself gives that tag
    /// whenever the segmenter keeps the word whole (a dictionary word alone is always its own
    /// best route); otherwise the whole sentence is tagged and the token found in it.
    pub fn tag(&self) -> &'a str {
        self.tag.get_or_init(|| {
            let Some((seg, sentence)) = self.source else {
                return "x";
            };
            if let Some(tag) = seg.tag_alone(self.word) {
                return tag;
            }
            // Tag the run of the sentence the word stands in (the segmenter cuts and tags
            // each run on its own), and find the word there. Its tag is the dictionary's or
            // the guess from its characters, so it is remembered for the word.
            let from = sentence[..self.start]
                .char_indices()
                .rev()
                .take_while(|&(_, c)| in_segmenter_run(c))
                .last()
                .map_or(self.start, |(i, _)| i);
            let to = sentence[self.end..]
                .char_indices()
                .find(|&(_, c)| !in_segmenter_run(c))
                .map_or(sentence.len(), |(i, _)| self.end + i);
            let tag = seg
                .jieba
                .tag(&sentence[from..to], true)
                .into_iter()
                .find(|t| from + t.byte_start == self.start && from + t.byte_end == self.end)
                .map_or("x", |t| t.tag);
            seg.remember_tag(self.word, tag);
            tag
        })
    }
}

/// Ranges closer than this are cut together (the few characters between are cut too).
const CUT_GAP: usize = 8;

/// Whether a part of speech is a function word's or a number's: a preposition, conjunction,
/// particle, adverb, numeral, measure word, pronoun, direction or time word. No such word
/// stands inside a name.
pub(crate) fn function_tag(tag: &str) -> bool {
    matches!(
        tag,
        "p" | "c" | "u" | "uj" | "ul" | "uz" | "ug" | "d" | "m" | "q" | "r" | "f" | "t"
    )
}
