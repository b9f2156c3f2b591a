//! Sentences and clauses of the normalised text.

use std::sync::LazyLock;

use guanxi_core::{Article, Sentence, Span};
use regex::Regex;

const SENTENCE_END: &[char] = &['。', '！', '？', '!', '?', '；', ';'];
const CLOSERS: &[char] = &['”', '」', '』', '’', '"', '）', ')'];
pub(crate) const CLAUSE_END: &[char] =
    &['，', ',', '：', ':', '；', ';', '。', '！', '？', '!', '?'];

/// Splits every block of the article into sentences.
pub fn sentences(article: &Article) -> Vec<Sentence> {
    let mut out = Vec::new();
    for b in &article.blocks {
        split_block(b.span.slice(&article.text), b.span.start, &mut out);
    }
    out
}

/// The sentence ends, found by a vectorised search for the seven of them.
static SENTENCE_ENDS: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new("[。！？!?；;]").ok());

/// Splits one block (at article byte `base`) after each sentence end and the closing quotes
/// and brackets right after it.
fn split_block(text: &str, base: usize, out: &mut Vec<Sentence>) {
    let Some(ends) = SENTENCE_ENDS.as_ref() else {
        return split_block_by_chars(text, base, out);
    };
    let mut start = 0;
    for m in ends.find_iter(text) {
        // (A sentence end among the closers just taken starts no sentence of its own here:
        // none is a closer.)
        if m.start() < start {
            continue;
        }
        let mut end = m.end();
        while let Some(c) = text[end..].chars().next().filter(|c| CLOSERS.contains(c)) {
            end += c.len_utf8();
        }
        push(out, text, base, start, end);
        start = end;
    }
    push(out, text, base, start, text.len());
}

/// [`split_block`] character by character.
fn split_block_by_chars(text: &str, base: usize, out: &mut Vec<Sentence>) {
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if SENTENCE_END.contains(&c) {
            let mut end = i + c.len_utf8();
            while let Some(&(j, n)) = chars.peek() {
                if CLOSERS.contains(&n) {
                    end = j + n.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            push(out, text, base, start, end);
            start = end;
        }
    }
    push(out, text, base, start, text.len());
}

fn push(out: &mut Vec<Sentence>, text: &str, base: usize, start: usize, end: usize) {
    let s = &text[start..end];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if end - trail > start + lead {
        out.push(Sentence {
            span: Span::new(base + start + lead, base + end - trail),
        });
    }
}

/// The clause (comma-delimited part of the sentence) holding byte `at`, parentheses skipped.
pub fn clause_around(text: &str, sentence: Span, at: usize) -> Span {
    let s = sentence.slice(text);
    let rel = at.saturating_sub(sentence.start).min(s.len());
    let mut depth = 0i32;
    let mut start = 0;
    // (Clauses come in order: the first to end at or after `rel` holds it, or none does.)
    let holding = |a: usize, b: usize| {
        if rel >= a {
            Span::new(sentence.start + a, sentence.start + b)
        } else {
            sentence
        }
    };
    for (i, c) in s.char_indices() {
        match c {
            '（' | '(' | '“' | '《' => depth += 1,
            '）' | ')' | '”' | '》' => depth = (depth - 1).max(0),
            _ => {}
        }
        // A space between two Chinese characters separates headline clauses
        // (中加外长罗马会面 孟晚舟案仍无解).
        let spaced = c == ' '
            && s[..i].chars().next_back().is_some_and(is_cjk)
            && s[i + 1..].chars().next().is_some_and(is_cjk);
        if depth == 0 && (CLAUSE_END.contains(&c) || spaced) {
            if i >= rel {
                return holding(start, i);
            }
            start = i + c.len_utf8();
        }
    }
    holding(start, s.len())
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// Whether the end of `s` stands inside a quotation: an opening quotation mark after the
/// last closing one.
pub(crate) fn in_quotation(s: &str) -> bool {
    let open = s.rfind(['“', '「', '『']);
    let close = s.rfind(['”', '」', '』']);
    match (open, close) {
        (Some(o), Some(c)) => o > c,
        (Some(_), None) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The clause around a byte as first written: every clause listed, then searched.
    fn clause_by_list(text: &str, sentence: Span, at: usize) -> Span {
        let s = sentence.slice(text);
        let rel = at.saturating_sub(sentence.start).min(s.len());
        let mut depth = 0i32;
        let mut start = 0;
        let mut bounds = Vec::new();
        for (i, c) in s.char_indices() {
            match c {
                '（' | '(' | '“' | '《' => depth += 1,
                '）' | ')' | '”' | '》' => depth = (depth - 1).max(0),
                _ => {}
            }
            let spaced = c == ' '
                && s[..i].chars().next_back().is_some_and(is_cjk)
                && s[i + 1..].chars().next().is_some_and(is_cjk);
            if depth == 0 && (CLAUSE_END.contains(&c) || spaced) {
                bounds.push((start, i));
                start = i + c.len_utf8();
            }
        }
        bounds.push((start, s.len()));
        for (a, b) in bounds {
            if rel >= a && rel <= b {
                return Span::new(sentence.start + a, sentence.start + b);
            }
        }
        sentence
    }

    proptest::proptest! {
        /// The clause around every byte is the one the full list of clauses gives.
        #[test]
        fn clauses_end_where_listed(
            s in r#"([，,：:；;。！？!?（()）“”《》 王毅会见a]|\PC){0,30}"#,
            lead in 0usize..4,
        ) {
            let text = format!("{}{s}", "前".repeat(lead));
            let sentence = Span::new(lead * 3, text.len());
            for at in 0..=text.len() + 2 {
                proptest::prop_assert_eq!(
                    clause_around(&text, sentence, at),
                    clause_by_list(&text, sentence, at),
                    "{} in {:?}", at, text
                );
            }
        }

        /// The vectorised search splits blocks where reading them character by character does.
        #[test]
        fn sentences_split_as_read_by_characters(
            s in r#"([。！？!?；;”」』’"）) a\u{3000}王毅会见，]|\PC){0,40}"#
        ) {
            let (mut fast, mut slow) = (Vec::new(), Vec::new());
            split_block(&s, 7, &mut fast);
            split_block_by_chars(&s, 7, &mut slow);
            proptest::prop_assert_eq!(fast, slow);
        }
    }
}
