//! Text normalisation: whitespace folding and traditional → simplified conversion.

/// Folds runs of white space (including no-break and ideographic spaces) to one space, trimmed.
pub(crate) fn fold_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() || c == '\u{a0}' || c == '\u{3000}' || c == '\u{200b}' {
            space = true;
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    out
}

/// Whether the text is written in traditional characters.
pub(crate) fn is_traditional(text: &str) -> bool {
    let c = zhconv::is_hans_confidence(text);
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
