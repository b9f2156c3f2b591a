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
