//! Sentences and clauses of the normalised text.

use guanxi_core::{Article, Sentence, Span};

const SENTENCE_END: &[char] = &['。', '！', '？', '!', '?', '；', ';'];
const CLOSERS: &[char] = &['”', '」', '』', '’', '"', '）', ')'];
const CLAUSE_END: &[char] = &['，', ',', '：', ':', '；', ';', '。', '！', '？', '!', '?'];

/// Splits every block of the article into sentences.
pub fn sentences(article: &Article) -> Vec<Sentence> {
    let mut out = Vec::new();
    for b in &article.blocks {
        let text = b.span.slice(&article.text);
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
                push(&mut out, text, b.span.start, start, end);
                start = end;
            }
        }
        push(&mut out, text, b.span.start, start, text.len());
    }
    out
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
    let mut bounds = Vec::new();
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

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}
