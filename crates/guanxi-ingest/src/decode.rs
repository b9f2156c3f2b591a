//! Bytes to text: byte-order marks, UTF-8, and a guessed legacy encoding (GBK, Big5) otherwise;
//! a file cut inside its last character, and UTF-8 lines around legacy-encoded ones (an archive
//! tool's header around a body it did not convert), are read too.

use crate::IngestError;

/// Decodes `bytes`, refusing what is clearly binary.
pub(crate) fn decode(bytes: &[u8]) -> Result<String, IngestError> {
    if bytes.is_empty() {
        return Err(IngestError::NoText);
    }
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return check_text(text.into_owned());
    }
    // (Valid UTF-8, most files, is checked by a vectorised validator; the standard one says
    // where invalid text goes wrong.)
    if let Ok(s) = simdutf8::basic::from_utf8(bytes) {
        return check_text(s.to_string());
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => return check_text(s.to_string()),
        // A file cut short inside its last character: the text before it.
        Err(e) if e.error_len().is_none() && e.valid_up_to() > 0 => {
            return check_text(String::from_utf8_lossy(&bytes[..e.valid_up_to()]).into_owned());
        }
        Err(_) => {}
    }
    if let Some(text) = mixed(bytes) {
        return check_text(text);
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(bytes, true);
    let enc = det.guess(None, chardetng::Utf8Detection::Allow);
    let (text, _, had_errors) = enc.decode(bytes);
    if had_errors && enc == encoding_rs::UTF_8 {
        return Err(IngestError::NotText(
            "invalid UTF-8 and no other encoding fits".into(),
        ));
    }
    check_text(text.into_owned())
}

/// A piece of a file in one encoding.
enum Piece<'a> {
    Utf8(&'a str),
    Legacy(&'a [u8]),
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// A line cut into UTF-8 and legacy pieces: a valid line is one UTF-8 piece; in an invalid one,
/// runs of wide characters (U+2000 and above) holding at least three Chinese ideographs are
/// UTF-8 (text in another encoding makes such a run by chance about once in ten million
/// characters), and the bytes between them are in the legacy encoding.
fn pieces(line: &[u8]) -> Vec<Piece<'_>> {
    if let Ok(s) = std::str::from_utf8(line) {
        return vec![Piece::Utf8(s)];
    }
    let mut out = Vec::new();
    let mut legacy_from = 0;
    let mut at = 0;
    for chunk in line.utf8_chunks() {
        let valid = chunk.valid();
        let mut run: Option<(usize, usize)> = None; // (start, ideographs)
        let ends = valid
            .char_indices()
            .map(|(i, c)| (i, Some(c)))
            .chain(std::iter::once((valid.len(), None)));
        for (i, c) in ends {
            match (c, run) {
                (Some(c), None) if c >= '\u{2000}' => run = Some((i, usize::from(is_cjk(c)))),
                (Some(c), Some((s, n))) if c >= '\u{2000}' => {
                    run = Some((s, n + usize::from(is_cjk(c))))
                }
                (_, Some((s, n))) => {
                    if n >= 3 {
                        if legacy_from < at + s {
                            out.push(Piece::Legacy(&line[legacy_from..at + s]));
                        }
                        out.push(Piece::Utf8(&valid[s..i]));
                        legacy_from = at + i;
                    }
                    run = None;
                }
                _ => {}
            }
        }
        at += valid.len() + chunk.invalid().len();
    }
    if legacy_from < line.len() {
        out.push(Piece::Legacy(&line[legacy_from..]));
    }
    out
}

/// A file that is partly UTF-8 with Chinese text, partly another encoding (an archive tool's
/// header around a body it did not convert, or two files run together): each piece in its own
/// encoding, the legacy one guessed from the pieces that are not UTF-8. `None` when no piece
/// holds UTF-8 Chinese (a legacy file is read whole by the detector).
fn mixed(bytes: &[u8]) -> Option<String> {
    let all: Vec<Piece<'_>> = bytes
        .split_inclusive(|&b| b == b'\n')
        .flat_map(pieces)
        .collect();
    let utf8_chinese = all
        .iter()
        .any(|p| matches!(p, Piece::Utf8(s) if s.chars().any(is_cjk)));
    if !utf8_chinese {
        return None;
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    for p in &all {
        if let Piece::Legacy(b) = p {
            det.feed(b, false);
        }
    }
    det.feed(b"", true);
    let enc = det.guess(None, chardetng::Utf8Detection::Deny);
    let mut out = String::with_capacity(bytes.len() * 3 / 2);
    for p in all {
        match p {
            Piece::Utf8(s) => out.push_str(s),
            Piece::Legacy(b) => out.push_str(&enc.decode_without_bom_handling(b).0),
        }
    }
    Some(out)
}

fn check_text(s: String) -> Result<String, IngestError> {
    // Counted over the bytes: a character is a byte that continues none, a control character
    // (other than line breaks, tabs and form feeds) a byte below 0x20, 0x7f, or U+0080–U+009F
    // (0xc2 and a byte 0x80–0x9f).
    let b = s.as_bytes();
    let total = crate::normalize::count_bytes(b, |x| (x as i8) >= -0x40);
    let mut control = crate::normalize::count_bytes(b, |x| {
        (x < 0x20 && x != b'\n' && x != b'\r' && x != b'\t' && x != 0x0c) || x == 0x7f
    });
    control += memchr::memchr_iter(0xc2, b)
        .filter(|&i| b.get(i + 1).is_some_and(|n| (0x80..=0x9f).contains(n)))
        .count();
    let total = total.max(1);
    if control * 20 > total {
        return Err(IngestError::NotText(format!(
            "{control} control characters in {total}"
        )));
    }
    if memchr::memchr(b'\r', s.as_bytes()).is_some() {
        Ok(s.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Characters and control characters counted over bytes are those counted over
        /// characters.
        #[test]
        fn control_characters_are_counted_as_characters(s in "\\PC*[\\x00-\\x1f\\x7f-\\u{9f}]{0,40}\\PC*") {
            let total = s.chars().count().max(1);
            let control = s
                .chars()
                .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
                .count();
            let refused = control * 20 > total;
            proptest::prop_assert_eq!(check_text(s.clone()).is_err(), refused);
        }
    }

    #[test]
    fn cut_short_and_mixed_files_read_as_their_writers_meant() {
        let text = "王毅会见拉夫罗夫，双方交换了意见。";
        let bytes = text.as_bytes();
        assert_eq!(
            decode(&bytes[..bytes.len() - 1]).as_deref(),
            Ok("王毅会见拉夫罗夫，双方交换了意见")
        );
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let header = "标题：中俄外长会谈\n".as_bytes();
        for joined in [
            [header, &gbk[..]].concat(),
            ["中俄外长".as_bytes(), &gbk[..]].concat(),
            [&gbk[..], "。中俄外长会谈".as_bytes()].concat(),
        ] {
            let got = decode(&joined).unwrap();
            assert!(got.contains(text) && got.contains("中俄外长"), "{got}");
        }
        assert_eq!(decode(&gbk).as_deref(), Ok(text));
    }
}
