//! Stage 6 of recognition: Chinese personal names the gazetteer does not hold (教授李学勤,
//! 判处钟建生, 王滨雁、梁兆鹏和张永祥).
//!
//! A Chinese name is a surname (`data/surnames.tsv`) and a given name of one or two
//! characters. The segmenter proposes it: a word it tags as a person's name (its dictionary's
//! `nr`, or the guess of its model for a word its dictionary lacks), or a surname it cut off
//! from the given name that follows (卜|兴华). Evidence in the text accepts it:
//! - a full name (a given name of two characters) that the segmenter's dictionary lacks and
//!   its model tags as a name: the model's guess is the evidence;
//! - any other candidate needs its context: a title or a role before it (外交部长, 教授), a
//!   verb that takes a person (判处, 会见), a word after it that only follows persons (同志,
//!   等人, a speech verb), or a list joining it to a person (、 和 与).
//!
//! Precision first: a candidate is dropped when it is a credit (记者X摄, 责编X), when a
//! transliteration or dotted name runs through it, when what follows makes it a place or a
//! thing (都柏林市长, 邓小平理论), when its first two characters are a common word of their own
//! (宣传|部, 安全|感), or when its given name is a form of address (王先生).

use guanxi_core::{EntityKind, Span};

use super::{is_credit, is_han, Found, Recognition};
use crate::lexicon::{
    ADDRESS_TERM, AFTER_PERSON, BEFORE_PERSON, CREDIT_BEFORE, GLUED_AFTER_THIRD,
    NOT_AFTER_HAN_NAME, NOT_GIVEN_NAME, PERSON_JOINER, PERSON_ROLE, SPEECH,
};
use crate::segment::Tok;

/// How the segmenter proposed a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Proposal {
    /// One word tagged as a name, with a given name of two characters, that the dictionary
    /// lacks: the model guessed it.
    GuessedFull,
    /// One word tagged as a name, from the dictionary, or with a one-character given name.
    Tagged,
    /// A surname word and the given name after it (卜|兴华).
    Joined,
}

/// A candidate name: its bytes in the sentence, and how it was proposed.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    start: usize,
    end: usize,
    proposal: Proposal,
}

/// The surname a word starts with: a compound one (欧阳) when the word is long enough to
/// hold a given name after it, else a single character.
fn surname_len(gz: &crate::gazetteer::Gazetteer, word: &str) -> Option<usize> {
    let mut chars = word.chars();
    let first = chars.next()?;
    // (Most words open with no surname: one look at the first character settles them.)
    if !gz.surname_chars.contains(&first) {
        return None;
    }
    let first_end = first.len_utf8();
    if let (Some(second), Some(_)) = (chars.next(), chars.next()) {
        let second_end = first_end + second.len_utf8();
        if gz.surnames.contains(&word[..second_end]) {
            return Some(second_end);
        }
    }
    gz.surnames
        .contains(&word[..first_end])
        .then_some(first_end)
}

/// Whether a word is a Chinese word of Han characters only.
fn all_han(w: &str) -> bool {
    !w.is_empty() && w.chars().all(is_han)
}

/// Whether the segmenter tags this word as a person's name.
fn name_tag(t: &Tok<'_>) -> bool {
    matches!(t.tag(), "nr" | "nrfg")
}

/// Stage 6: Chinese personal names beyond the gazetteer, from the segmenter's proposals and
/// the evidence around them.
pub(crate) fn han_names(r: &Recognition<'_, '_>, out: &mut Vec<Found>) {
    let &Recognition { s, base, toks, .. } = r;
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        let next = toks.get(i + 1).filter(|n| n.start == t.end);
        let proposed = propose(r, t, next);
        let Some(c) = proposed else {
            i += 1;
            continue;
        };
        if !r.free(out, c.start, c.end) || !plausible(r, &c) {
            i += 1;
            continue;
        }
        candidates.push(c);
        i += if c.proposal == Proposal::Joined { 2 } else { 1 };
    }
    if candidates.is_empty() {
        return;
    }
    // Accept on the model's guess or the context, then through lists, until nothing changes.
    let mut accepted: Vec<bool> = candidates
        .iter()
        .map(|c| c.proposal == Proposal::GuessedFull || in_person_context(r, c))
        .collect();
    // (A common word of two characters is never taken in through a list: 宣言, 顾客.)
    let joinable: Vec<bool> = candidates
        .iter()
        .map(|c| {
            let word = &s[c.start..c.end];
            word.chars().count() != 2 || !r.seg.common_word(word)
        })
        .collect();
    // A list of three names or more, two of them full names of three characters (傅全有、
    // 于永波、王克、王瑞林): each is a person, as names are listed in the news. (Short words
    // listed are as often things: 张姐、王姐、陈姐, 姜粉、姜汁.)
    let mut k = 0;
    while k < candidates.len() {
        let mut last = k;
        while last + 1 < candidates.len()
            && listed_together(s, &candidates[last], &candidates[last + 1])
        {
            last += 1;
        }
        let n = last - k + 1;
        let full = candidates[k..=last]
            .iter()
            .filter(|c| s[c.start..c.end].chars().count() == 3)
            .count();
        if n >= 3 && full >= 2 {
            for (a, &j) in accepted[k..=last].iter_mut().zip(&joinable[k..=last]) {
                *a = *a || j;
            }
        }
        k = last + 1;
    }
    loop {
        let mut changed = false;
        for k in 0..candidates.len() {
            if accepted[k] || !joinable[k] {
                continue;
            }
            let c = candidates[k];
            // Whether a person found so far starts (or ends, `at_end`) at byte `at`.
            let person_edge = |at: usize, at_end: bool| {
                let edge = |start: usize, end: usize, at: usize| {
                    if at_end {
                        end == at
                    } else {
                        start == at
                    }
                };
                out.iter().any(|f| {
                    f.key.kind == EntityKind::Person
                        && !f.nested
                        && edge(f.span.start, f.span.end, base + at)
                }) || candidates
                    .iter()
                    .zip(&accepted)
                    .any(|(o, &ok)| ok && edge(o.start, o.end, at))
            };
            let before = s[..c.start].chars().next_back();
            let after = s[c.end..].chars().next();
            let joined_before = before.is_some_and(|j| PERSON_JOINER.contains(&j))
                && person_edge(c.start - before.map_or(0, char::len_utf8), true);
            let joined_after = after.is_some_and(|j| PERSON_JOINER.contains(&j))
                && person_edge(c.end + after.map_or(0, char::len_utf8), false);
            if joined_before || joined_after {
                accepted[k] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    for (c, ok) in candidates.iter().zip(accepted) {
        if ok {
            out.push(Found::unknown(
                EntityKind::Person,
                &s[c.start..c.end],
                Span::new(base + c.start, base + c.end),
            ));
        }
    }
}

/// The candidate the segmenter proposes at word `t` (`next` is the word right after it).
fn propose(r: &Recognition<'_, '_>, t: &Tok<'_>, next: Option<&Tok<'_>>) -> Option<Candidate> {
    let gz = r.gz;
    // (A name or a surname is one to four characters: three to twelve bytes.)
    if t.word.len() < 3 || t.word.len() > 12 {
        return None;
    }
    let sl = surname_len(gz, t.word)?;
    if !all_han(t.word) {
        return None;
    }
    let given = t.word[sl..].chars().count();
    if (1..=2).contains(&given) {
        if !name_tag(t) {
            return None;
        }
        let guessed = given == 2 && !r.seg.jieba.has_word(t.word);
        // A third character the segmenter left on its own (阮光|阿（, 袁弓|夷说): the name
        // ends where the sentence's words start again.
        let end = match next {
            Some(n) if given == 1 && third_character(r, n) => n.end,
            // 张茗|喧摄, 林朗|彦及: the third character glued to a particle after the name.
            Some(n) if given == 1 && !r.seg.jieba.has_word(n.word) => {
                t.end + glued_third(n).map_or(0, char::len_utf8)
            }
            _ => t.end,
        };
        return Some(Candidate {
            start: t.start,
            end,
            proposal: if guessed {
                Proposal::GuessedFull
            } else {
                Proposal::Tagged
            },
        });
    }
    // A surname the segmenter cut off, tagged as a name, and the given name after it.
    let next = next?;
    let n = next.word.chars().count();
    if given != 0 || t.tag() != "nr" || !all_han(next.word) || !(1..=2).contains(&n) {
        return None;
    }
    if crate::segment::function_tag(next.tag()) {
        return None;
    }
    Some(Candidate {
        start: t.start,
        end: next.end,
        proposal: Proposal::Joined,
    })
}

/// Whether the one-character word `n` after a surname and a one-character given name is the
/// name's third character: a character that may end a given name, and after it a bracket,
/// a punctuation mark, a speech word, 是, 的 or 等 (孙龙|光是, 崔相|焄(Choe), 胡谧|空（, 李国|爱|等).
fn third_character(r: &Recognition<'_, '_>, n: &Tok<'_>) -> bool {
    let mut chars = n.word.chars();
    let (Some(c), None) = (chars.next(), chars.next()) else {
        return false;
    };
    if !is_han(c) || NOT_GIVEN_NAME.contains(&c) {
        return false;
    }
    let after = &r.s[n.end..];
    // (李海|瓒: the segmenter tags the lone character as a name as well.)
    matches!(n.tag(), "nr" | "nrfg")
        || after.is_empty()
        || after.starts_with(|x: char| !is_han(x) && !x.is_ascii_alphanumeric())
        || SPEECH.iter().any(|w| after.starts_with(w))
        || after.starts_with(['是', '的', '等'])
}

/// The first character of the two-character word `n` after a surname and a one-character
/// given name, when the second is one the segmenter glues after names (喧|摄, 彦|及; not 称
/// or 说, which make verbs: 声|称): that first character is the name's third.
fn glued_third(n: &Tok<'_>) -> Option<char> {
    let mut chars = n.word.chars();
    let (Some(c), Some(x), None) = (chars.next(), chars.next(), chars.next()) else {
        return None;
    };
    (is_han(c) && !NOT_GIVEN_NAME.contains(&c) && GLUED_AFTER_THIRD.contains(&x)).then_some(c)
}

/// Whether nothing around or inside a candidate says it is no name of a person.
fn plausible(r: &Recognition<'_, '_>, c: &Candidate) -> bool {
    let &Recognition { gz, s, toks, .. } = r;
    let name = &s[c.start..c.end];
    let Some(sl) = surname_len(gz, name) else {
        return false;
    };
    let given = &name[sl..];
    let before = &s[..c.start];
    let after = &s[c.end..];
    if gz.not_names.contains(name) || gz.by_surface.contains_key(name) {
        return false;
    }
    // A name alone in its sentence or line is a signature (邹宗翰 under the article).
    if s.trim_matches(|c: char| c.is_whitespace() || !is_han(c)) == name {
        return false;
    }
    // 第5任|宋哲, 3支|安打: after a number, the "surname" is a measure word.
    if before
        .chars()
        .next_back()
        .is_some_and(|c| c.is_numeric() || "第一二三四五六七八九十百千万两几数每".contains(c))
    {
        return false;
    }
    // 韩方, 巴方愿: a country's abbreviation and 方 are that country's side.
    if given.starts_with('方')
        && name
            .chars()
            .next()
            .is_some_and(|c| gz.abbreviations.contains_key(&c))
    {
        return false;
    }
    // 董宏犯了, 汪文用了: an aspect particle after it makes its last character a verb.
    if after.starts_with(['了', '着', '过']) {
        return false;
    }
    // 柯萧背疾: a guessed name whose last character is a verb of its own, run into the words
    // after it, is a shorter name and that verb.
    if c.proposal == Proposal::GuessedFull
        && after.starts_with(is_han)
        && !SPEECH.iter().any(|w| after.starts_with(w))
        && given
            .char_indices()
            .next_back()
            .is_some_and(|(i, _)| r.seg.single_verb(&given[i..]))
    {
        return false;
    }
    // 王先生, 张某: a form of address where the given name would be. (家 opens many given
    // names of two characters: a full name the segmenter's dictionary holds whole right
    // after a title is one, 部长|孙家正, 行政长官|王家卫.)
    let listed = c.proposal == Proposal::Tagged
        && name.chars().count() == 3
        && given.starts_with('家')
        && r.seg.jieba.has_word(name)
        && after_title(r, c, word_before(r, c));
    if !listed && ADDRESS_TERM.iter().any(|a| given.starts_with(a)) {
        return false;
    }
    // 王毅称, 阿札来: a particle or a verb glued to the name.
    if given
        .chars()
        .next_back()
        .is_some_and(|c| NOT_GIVEN_NAME.contains(&c))
    {
        return false;
    }
    // 宣传|部, 安全|感: the first two characters make a common word of their own.
    if c.proposal != Proposal::Joined && name.chars().count() == 3 {
        let two_end = name.char_indices().nth(2).map_or(name.len(), |(i, _)| i);
        if r.seg.common_word(&name[..two_end]) {
            return false;
        }
    }
    // A transliteration of three characters is read by the stages before: every character
    // one of its own (蒙博托). (Two such characters are as often a Chinese name: 吕波.)
    if name.chars().count() >= 3
        && !gz.transliteration_chars.is_empty()
        && name
            .chars()
            .all(|ch| gz.transliteration_chars.contains(&ch))
    {
        return false;
    }
    // A dotted name or a transliteration runs through it (霍尔格·伯尔纳, 施图岑|贝格).
    let separators = ['·', '•', '・', '‧', '．', '-', '－'];
    if before.ends_with(separators) || after.starts_with(separators) {
        return false;
    }
    if let Some(next) = toks.iter().find(|t| t.start == c.end) {
        let tag = next.tag();
        if tag == "nrt" || (matches!(tag, "nr" | "ns") && !r.seg.jieba.has_word(next.word)) {
            return false;
        }
    }
    // 都柏林市长, 邓小平理论, 茅盾文学奖: what follows makes it a place, a doctrine, a prize.
    if NOT_AFTER_HAN_NAME.iter().any(|w| after.starts_with(w)) {
        return false;
    }
    // A credit: 记者李宗翰摄, 责编 许书婷, names in a list split by slashes.
    let before_trim = before
        .trim_end_matches(|c: char| c.is_whitespace() || matches!(c, '：' | ':' | '\u{3000}'));
    // (责编：胡力汉 许书婷: a credit word and its colon earlier on the line, names after it.)
    let line = before
        .rsplit(|c: char| {
            c == '\n' || (!is_han(c) && !c.is_whitespace() && !matches!(c, '：' | ':' | '、'))
        })
        .next()
        .unwrap_or("");
    let credit_line = CREDIT_BEFORE.iter().any(|w| {
        line.match_indices(w)
            .any(|(i, _)| line[i + w.len()..].starts_with(['：', ':']))
    });
    // (记者李先凤、张祈、黄丽芸台北17日电: the reporters of a byline listed after its word.)
    let credit_list = CREDIT_BEFORE.iter().any(|w| {
        before_trim.rfind(w).is_some_and(|p| {
            before_trim[p + w.len()..]
                .strip_suffix('、')
                .is_some_and(|list| {
                    list.split('、')
                        .all(|it| (2..=4).contains(&it.chars().count()) && it.chars().all(is_han))
                })
        })
    });
    if is_credit(after)
        || credit_line
        || credit_list
        || CREDIT_BEFORE.iter().any(|w| before_trim.ends_with(w))
        || before.ends_with('/')
        || after.starts_with('/')
    {
        return false;
    }
    true
}

/// The segmenter's word right before the candidate.
fn word_before<'r, 't>(r: &Recognition<'r, 't>, c: &Candidate) -> Option<&'r Tok<'t>> {
    r.toks.iter().rev().find(|t| t.end == c.start)
}

/// Whether a title or a role noun (the end of `prev`, the word before) stands right before
/// the candidate (外交部长|王毅, 教授|李学勤).
fn after_title(r: &Recognition<'_, '_>, c: &Candidate, prev: Option<&Tok<'_>>) -> bool {
    r.scan.title_ends.binary_search(&c.start).is_ok()
        || prev.is_some_and(|p| PERSON_ROLE.iter().any(|w| p.word.ends_with(w)))
}

/// Whether the words around a candidate make it a person: a title or a role before it, a
/// verb that takes a person, or a word after it that only follows persons.
fn in_person_context(r: &Recognition<'_, '_>, c: &Candidate) -> bool {
    let &Recognition { s, .. } = r;
    let after = &s[c.end..];
    let prev = word_before(r, c);
    if after_title(r, c, prev) {
        return true;
    }
    // A common word of two characters (宣言, 顾客, 高峰) is a name only after a title or a role.
    let word = &s[c.start..c.end];
    if word.chars().count() == 2 && r.seg.common_word(word) {
        return false;
    }
    AFTER_PERSON.iter().any(|w| after.starts_with(w))
        || SPEECH.iter().any(|w| after.starts_with(w))
        || prev.is_some_and(|p| BEFORE_PERSON.contains(&p.word))
}

/// Whether candidates `k` and `k + 1` stand in one list, joined by 、 alone.
fn listed_together(s: &str, a: &Candidate, b: &Candidate) -> bool {
    s.get(a.end..b.start) == Some("、")
}
