//! Bytes to text: byte-order marks, UTF-8, and a guessed legacy encoding (GBK, Big5) otherwise.

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
    if let Ok(s) = std::str::from_utf8(bytes) {
        return check_text(s.to_string());
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

fn check_text(s: String) -> Result<String, IngestError> {
    let total = s.chars().count().max(1);
    let control = s
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
        .count();
    if control * 20 > total {
        return Err(IngestError::NotText(format!(
            "{control} control characters in {total}"
        )));
    }
    Ok(s.replace("\r\n", "\n").replace('\r', "\n"))
}
