//! Text normalisation: whitespace folding, over-long runs of text cut into blocks, and
//! traditional → simplified conversion.

/// Folds runs of white space (including no-break and ideographic spaces) to one space, trimmed;
/// control characters (escape sequences, NUL) are dropped: they mean nothing in an article and
/// must not reach a terminal that shows it.
pub(crate) fn fold_whitespace(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    // Runs of kept characters are copied whole.
    let mut run: Option<usize> = None;
    let mut i = 0;
    while i < b.len() {
        // Only ASCII white space and controls, and characters whose UTF-8 opens with 0xc2
        // (U+0080–U+00BF), 0xe1 (U+1000–U+1FFF), 0xe2 (U+2000–U+2FFF) or 0xe3
        // (U+3000–U+3FFF) can be blank or control characters: other bytes are skipped by a
        // table read each.
        if !MAY_BE_BLANK[usize::from(b[i])] {
            if run.is_none() {
                if space && !out.is_empty() {
                    out.push(' ');
                }
                space = false;
                run = Some(i);
            }
            i += 1;
            while i < b.len() && !MAY_BE_BLANK[usize::from(b[i])] {
                i += 1;
            }
            continue;
        }
        let Some(c) = s.get(i..).and_then(|r| r.chars().next()) else {
            break;
        };
        if is_blank(c) || c.is_control() {
            if let Some(r) = run.take() {
                out.push_str(&s[r..i]);
            }
            space |= is_blank(c);
        } else if run.is_none() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            run = Some(i);
        }
        i += c.len_utf8();
    }
    if let Some(r) = run {
        out.push_str(&s[r..]);
    }
    out
}

/// The bytes that may open a blank or control character.
static MAY_BE_BLANK: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i <= 0x20 {
        t[i] = true;
        i += 1;
    }
    t[0x7f] = true;
    t[0xc2] = true;
    t[0xe1] = true;
    t[0xe2] = true;
    t[0xe3] = true;
    t
};

/// How many bytes of `b` `pred` holds for, counted in runs of 255 so that the count fits
/// a byte and the loop runs on vector registers.
pub(crate) fn count_bytes(b: &[u8], pred: impl Fn(u8) -> bool) -> usize {
    b.chunks(255)
        .map(|chunk| {
            let mut n = 0u8;
            for &x in chunk {
                n += u8::from(pred(x));
            }
            usize::from(n)
        })
        .sum()
}

/// White space, including no-break, ideographic and zero-width spaces.
fn is_blank(c: char) -> bool {
    c.is_whitespace() || c == '\u{a0}' || c == '\u{3000}' || c == '\u{200b}'
}

/// Characters that conversion changes: bit 1 for a traditional form (changed on the way to
/// simplified), bit 2 for a simplified form (changed on the way to traditional). Read off the
/// converters' own one-character table rows, for U+3400..U+9FFF.
static SCRIPT: std::sync::LazyLock<Vec<u8>> = std::sync::LazyLock::new(|| {
    let mut flags = vec![0u8; (CJK_END - CJK_START) as usize];
    for (variant, bit) in [
        (zhconv::Variant::ZhHans, 1u8),
        (zhconv::Variant::ZhHant, 2u8),
    ] {
        for &table in zhconv::get_builtin_tables(variant) {
            for (from, to) in zhconv::tables::expand_table(table) {
                let mut chars = from.chars();
                if let (Some(c), None) = (chars.next(), chars.next()) {
                    let i = (c as u32).wrapping_sub(CJK_START) as usize;
                    if from != to {
                        if let Some(f) = flags.get_mut(i) {
                            *f |= bit;
                        }
                    }
                }
            }
        }
    }
    flags
});
const CJK_START: u32 = 0x3400;
const CJK_END: u32 = 0xa000;

/// Whether the text is written in traditional characters: fewer than 45 % of the characters
/// that only one script writes are simplified ones. One table lookup per character.
pub(crate) fn is_traditional(text: &str) -> bool {
    let flags = &*SCRIPT;
    let (mut trad, mut simp) = (0usize, 0usize);
    for c in text.chars() {
        let i = (c as u32).wrapping_sub(CJK_START) as usize;
        if let Some(&f) = flags.get(i) {
            trad += usize::from(f & 1);
            simp += usize::from(f >> 1);
        }
    }
    let c = simp as f32 / (simp + trad) as f32;
    !c.is_nan() && c < 0.45
}

/// Converts to simplified characters when `traditional` is set.
pub(crate) fn to_simplified(text: &str, traditional: bool) -> String {
    if traditional {
        zhconv::zhconv(text, zhconv::Variant::ZhCN)
    } else {
        text.to_string()
    }
}

/// Converts traditional text to simplified, keeping every character's byte length, so that
/// offsets into the result are offsets into the original. Phrase conversions that would change
/// the length fall back to character-by-character conversion; a character whose simplified
/// form differs in length stays as it is.
pub(crate) fn to_simplified_aligned(text: &str) -> String {
    let whole = zhconv::zhconv(text, zhconv::Variant::ZhCN);
    if whole.len() == text.len() && same_boundaries(text, &whole) {
        return whole;
    }
    let mut out = String::with_capacity(text.len());
    let mut buf = [0u8; 4];
    for c in text.chars() {
        let one = c.encode_utf8(&mut buf);
        let conv = zhconv::zhconv(one, zhconv::Variant::ZhCN);
        if conv.len() == one.len() {
            out.push_str(&conv);
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether every character of `a` starts where a character of `b` starts.
fn same_boundaries(a: &str, b: &str) -> bool {
    a.char_indices().all(|(i, _)| b.is_char_boundary(i))
}

/// Where extraction ends a sentence.
const SENTENCE_END: &[char] = &['。', '！', '？', '!', '?', '；', ';'];

/// Where an over-long run may be cut with the least damage: a clause mark or a space.
const SOFT_BREAK: &[char] = &['，', ',', '、', '：', ':', ' '];

/// Cuts `text` so that no piece runs more than `max` characters without a sentence end: an
/// over-long run is cut after its last clause mark or space, else at the limit. Prose comes
/// back whole; a megabyte of text with no full stop (a script, a data blob) comes back as
/// pieces, so that extraction, whose cost grows with the square of a sentence's length,
/// stays linear in the size of the file.
pub(crate) fn split_long_runs(text: &str, max: usize) -> Vec<&str> {
    if text.len() <= max {
        return vec![text];
    }
    let max = max.max(1);
    let mut pieces = Vec::new();
    let mut piece_start = 0;
    // Characters since the last sentence end (or cut), and the byte after the last soft break.
    let mut run = 0usize;
    let mut soft: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if SENTENCE_END.contains(&c) {
            run = 0;
            soft = None;
            continue;
        }
        run += 1;
        // (A soft break is a place to cut only once it is behind: the character that passes
        // the limit stays out of the piece it would lengthen.)
        if run > max {
            let cut = soft.filter(|&s| s > piece_start).unwrap_or(i);
            let piece = text[piece_start..cut].trim();
            if !piece.is_empty() {
                pieces.push(piece);
            }
            piece_start = cut;
            run = text[cut..i].chars().count() + 1;
            soft = None;
        }
        if SOFT_BREAK.contains(&c) {
            soft = Some(i + c.len_utf8());
        }
    }
    let last = text[piece_start..].trim();
    if !last.is_empty() {
        pieces.push(last);
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whitespace folding as it was written first, character by character.
    fn fold_by_chars(s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        let mut space = false;
        let mut run: Option<usize> = None;
        for (i, c) in s.char_indices() {
            let blank = c.is_whitespace() || c == '\u{a0}' || c == '\u{3000}' || c == '\u{200b}';
            if blank || c.is_control() {
                if let Some(r) = run.take() {
                    out.push_str(&s[r..i]);
                }
                space |= blank;
            } else if run.is_none() {
                if space && !out.is_empty() {
                    out.push(' ');
                }
                space = false;
                run = Some(i);
            }
        }
        if let Some(r) = run {
            out.push_str(&s[r..]);
        }
        out
    }

    proptest::proptest! {
        /// Folding over bytes gives what folding character by character gives.
        #[test]
        fn folding_over_bytes_equals_folding_characters(
            s in "([ \\t\\n\\r\\x00-\\x1f\\x7f-\\u{a0}\\u{1680}\\u{2000}-\\u{200b}\\u{2028}\\u{2029}\\u{202f}\\u{205f}\\u{3000}-\\u{3003}\\u{1000}-\\u{1fff}\\u{2100}\\u{2e80}]|\\PC){0,60}"
        ) {
            proptest::prop_assert_eq!(fold_whitespace(&s), fold_by_chars(&s));
        }
    }

    #[test]
    fn long_runs_are_cut_prose_is_not() {
        let prose = "王毅会见拉夫罗夫。双方交换了意见。".repeat(50);
        assert_eq!(split_long_runs(&prose, 20), vec![prose.as_str()]);
        let run = "甲乙丙丁，戊己庚辛壬癸".repeat(3);
        let pieces = split_long_runs(&run, 12);
        assert_eq!(pieces.concat(), run);
        assert!(pieces.iter().all(|p| p.chars().count() <= 12), "{pieces:?}");
        assert_eq!(pieces[0], "甲乙丙丁，");
        assert_eq!(split_long_runs("ab", 1), vec!["a", "b"]);
        assert_eq!(split_long_runs("", 1), vec![""]);
    }

    /// A run that passes the limit on a soft break is cut right after it (it used to slice
    /// backwards and panic).
    #[test]
    fn soft_break_on_the_character_past_the_limit() {
        for text in [
            "长".repeat(12) + "，" + &"长".repeat(30),
            "ab,cd".to_string(),
        ] {
            for max in 1..14 {
                let pieces = split_long_runs(&text, max);
                assert_eq!(pieces.concat(), text, "{max}");
                assert!(
                    pieces.iter().all(|p| p.chars().count() <= max),
                    "{max}: {pieces:?}"
                );
            }
        }
        let text = "长".repeat(12) + "，" + &"长".repeat(12);
        assert_eq!(
            split_long_runs(&text, 12),
            vec!["长".repeat(12).as_str(), "，", &"长".repeat(12)]
        );
    }
}
