//! Ingest, feature by feature, over real article files with snapshot expectations.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use guanxi_core::{Article, BlockKind};
use guanxi_ingest::{parse_article, IngestConfig, IngestError};

/// A readable digest of an article: metadata, then one line per block.
fn digest(a: &Article) -> String {
    let mut s = String::new();
    s.push_str(&format!("url: {}\n", a.url.as_deref().unwrap_or("-")));
    s.push_str(&format!("title: {}\n", a.title));
    s.push_str(&format!(
        "publisher: {}\n",
        a.publisher
            .as_ref()
            .map(|p| format!("{} ({}, {})", p.name, p.domain, p.time_zone))
            .unwrap_or("-".into())
    ));
    s.push_str(&format!(
        "published: {}\n",
        a.published
            .as_ref()
            .map(|p| format!("{} local date {}", p.date_time, p.local_date))
            .unwrap_or("-".into())
    ));
    s.push_str(&format!("traditional: {}\n", a.traditional));
    for b in &a.blocks {
        let kind = match b.kind {
            BlockKind::Title => "T",
            BlockKind::Paragraph => "P",
            BlockKind::Caption => "C",
        };
        s.push_str(&format!(
            "{kind} {}..{} {}\n",
            b.span.start,
            b.span.end,
            b.span.slice(&a.text)
        ));
    }
    s
}

fn check(path: &std::path::Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_default();
    match parse_article(
        &path.display().to_string(),
        &bytes,
        &IngestConfig::default(),
    ) {
        Ok(a) => digest(&a),
        Err(e) => format!("error: {e}\n"),
    }
}

#[test]
fn seed_articles() {
    insta::glob!("../../../examples/articles", "*.txt", |path| {
        insta::assert_snapshot!(check(path));
    });
}

#[test]
fn odd_inputs() {
    insta::glob!("../../../tests/data/ingest", "*", |path| {
        insta::assert_snapshot!(check(path));
    });
}

#[test]
fn refuses_binary_and_deep_html() {
    let cfg = IngestConfig::default();
    let binary: Vec<u8> = (0..2000u32).map(|i| (i % 7) as u8).collect();
    assert!(matches!(
        parse_article("bin", &binary, &cfg),
        Err(IngestError::NotText(_))
    ));
    let deep = format!(
        "[t](https://example.com/a)\n------\n{}x{}",
        "<div>".repeat(5000),
        "</div>".repeat(5000)
    );
    assert_eq!(
        parse_article("deep", deep.as_bytes(), &cfg),
        Err(IngestError::TooDeep { limit: 256 })
    );
    assert_eq!(parse_article("empty", b"", &cfg), Err(IngestError::NoText));
}

#[test]
fn spans_index_the_text() {
    for entry in std::fs::read_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/articles"
    ))
    .into_iter()
    .flatten()
    .flatten()
    {
        let bytes = std::fs::read(entry.path()).unwrap_or_default();
        let Ok(a) = parse_article("x", &bytes, &IngestConfig::default()) else {
            continue;
        };
        for b in &a.blocks {
            assert!(
                a.text.get(b.span.start..b.span.end).is_some(),
                "{:?} in {}",
                b,
                entry.path().display()
            );
        }
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn check_spans(a: &Article) {
        for b in &a.blocks {
            assert!(
                a.text.get(b.span.start..b.span.end).is_some(),
                "block {:?} off the text",
                b.span
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Any bytes: an article or a reason, never a panic, and spans that index the text.
        #[test]
        fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            if let Ok(a) = parse_article("p", &bytes, &IngestConfig::default()) {
                check_spans(&a);
            }
        }

        /// Feed-dump-shaped files with random markup, entities and escaped HTML in the body.
        #[test]
        fn feed_dump_shaped(
            epoch in proptest::option::of(0i64..4_000_000_000_000),
            title in "[\\PC]{0,20}",
            body in proptest::collection::vec(
                prop_oneof![
                    Just("<p>".to_string()), Just("</p>".to_string()), Just("<div>".to_string()),
                    Just("</div>".to_string()), Just("<br>".to_string()), Just("&lt;p&gt;".to_string()),
                    Just("&amp;".to_string()), Just("<img alt=\"中国外交部长王毅（右）昨天会见拉夫罗夫\">".to_string()),
                    Just("<figcaption>图</figcaption>".to_string()), Just("分享 :".to_string()),
                    Just("28/02/2024 - 11:37".to_string()), "[\\PC]{0,12}",
                ],
                0..40,
            ),
        ) {
            let head = epoch.map(|e| format!("<!--{e}-->\n")).unwrap_or_default();
            let text = format!("{head}[{title}](https://www.rfi.fr/cn/x)\n------\n{}", body.concat());
            if let Ok(a) = parse_article("p", text.as_bytes(), &IngestConfig::default()) {
                check_spans(&a);
            }
        }
    }
}
