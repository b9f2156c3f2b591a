//! Ingest, feature by feature, over real article files with snapshot expectations.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use guanxi_core::{Article, BlockKind};
use guanxi_ingest::{parse_article, parse_file, IngestConfig, IngestError};

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
    let paragraphs: Vec<&guanxi_core::Block> = a
        .blocks
        .iter()
        .filter(|b| b.kind == BlockKind::Paragraph)
        .collect();
    s.push_str(&format!("paragraphs: {}\n", paragraphs.len()));
    let first_sentence = paragraphs
        .first()
        .map(|b| {
            let p = b.span.slice(a.own_text());
            p.split_inclusive(['。', '！', '？'])
                .next()
                .unwrap_or(p)
                .to_string()
        })
        .unwrap_or_default();
    s.push_str(&format!("first sentence: {first_sentence}\n"));
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

/// Every article a file holds (a feed or an export holds several), or why it was skipped.
fn check(path: &std::path::Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_default();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let read = parse_file(
        &name,
        Some(&format!("file:///data/{name}")),
        &bytes,
        &IngestConfig::default(),
    );
    let mut s = format!(
        "format: {}\n",
        read.format.map_or("-", guanxi_ingest::Format::name)
    );
    for item in &read.items {
        s.push_str(&format!("\n== {}\n", item.label));
        for n in &item.notes {
            s.push_str(&format!("note: {n}\n"));
        }
        match &item.result {
            Ok(a) => s.push_str(&digest(a)),
            Err(e) => s.push_str(&format!("skipped ({}): {e}\n", e.kind())),
        }
    }
    s
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
            if let Some(o) = &a.original {
                assert!(
                    o.get(b.span.start..b.span.end).is_some(),
                    "block {:?} off the original",
                    b.span
                );
            }
        }
        if let Some(o) = &a.original {
            assert_eq!(
                o.len(),
                a.text.len(),
                "original and simplified text must align"
            );
        }
    }

    /// Published dates are calendar days of the years the metadata formats can write (a
    /// zone's offset may move 0000-01-01 to the last day of year -1).
    fn check_published(a: &Article) {
        if let Some(p) = &a.published {
            let d = p.local_date;
            assert!(
                chrono::NaiveDate::from_ymd_opt(d.year, d.month, d.day).is_some()
                    && (-1..=10_000).contains(&d.year),
                "impossible publication day {d:?}"
            );
        }
    }

    /// Every item of any file: spans on the text, a real publication day, and no expansion —
    /// an article's text is never more than three times the file (a legacy single-byte
    /// encoding may take three bytes of UTF-8 for one), so aliases, entities or references
    /// cannot blow it up.
    fn check_file(bytes: &[u8]) {
        let read = parse_file("p", Some("file:///p"), bytes, &IngestConfig::default());
        for item in &read.items {
            if let Ok(a) = &item.result {
                check_spans(a);
                check_published(a);
                assert!(
                    a.text.len() <= 3 * bytes.len() + 64 && a.title.len() <= 3 * bytes.len() + 64,
                    "{} bytes of text from a file of {} bytes",
                    a.text.len(),
                    bytes.len()
                );
            }
        }
        // The detector reads decoded text: on plain UTF-8 it agrees with the parser.
        if let (Ok(text), Some(format)) = (std::str::from_utf8(bytes), read.format) {
            if !text.starts_with('\u{feff}') {
                assert_eq!(guanxi_ingest::detect(&text.replace('\r', "\n")), format);
            }
        }
    }

    /// Front matter as YAML writes it, and as an attacker would: anchors, aliases, merge keys,
    /// block scalars, flow collections, long values, stray separators.
    fn front_matter() -> impl Strategy<Value = String> {
        let key = prop_oneof![
            Just("title"),
            Just("date"),
            Just("from"),
            Just("url"),
            Just("link"),
            Just("author"),
            Just("tags"),
            Just("<<"),
            Just("a"),
            Just("b"),
            Just("- "),
            Just(""),
            Just("title "),
            Just("\"title\""),
        ];
        let value = prop_oneof![
            Just("&a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]".to_string()),
            Just("&b [*a, *a, *a, *a, *a, *a, *a, *a, *a]".to_string()),
            Just("*a".to_string()),
            Just("*b".to_string()),
            Just("!!binary aGVsbG8=".to_string()),
            Just("|".to_string()),
            Just(">-".to_string()),
            Just("\"王毅会见拉夫罗夫\"".to_string()),
            Just("'中\\\"美'".to_string()),
            Just("\"".to_string()),
            Just("https://www.zaobao.com.sg/news/x".to_string()),
            Just("2020-09-11T10:00:00.000Z".to_string()),
            Just("2020-09-11 18:00".to_string()),
            Just("1599800000000".to_string()),
            Just("99999999999999999999".to_string()),
            Just("-62135596800".to_string()),
            Just("9999-12-31T23:59:59+14:00".to_string()),
            Just("0000-01-01T00:00:00-12:00".to_string()),
            Just("Fri, 11 Sep 2020 01:11:43 GMT".to_string()),
            Just("2020年9月11日 10:00".to_string()),
            Just("联合早报".to_string()),
            "[\\PC]{0,16}",
            (1usize..2000).prop_map(|n| "长".repeat(n)),
        ];
        let line = prop_oneof![
            6 => (key, prop_oneof![Just(": "), Just(":"), Just(" : "), Just(":\t")], value)
                .prop_map(|(k, sep, v)| format!("{k}{sep}{v}")),
            1 => Just("  - *a".to_string()),
            1 => Just("---".to_string()),
            1 => Just("...".to_string()),
            1 => Just(String::new()),
            1 => "[\\PC]{0,20}",
        ];
        (
            proptest::collection::vec(line, 0..12),
            any::<bool>(),
            prop_oneof![
                Just(""),
                Just("<!--1599800000000-->\n[标题](https://www.rfi.fr/cn/x)\n------\n"),
                Just("[标题](https://www.voachinese.com/a/x)\n"),
            ],
            prop_oneof![
                Just("<p>中国外交部长王毅周二与俄罗斯外长拉夫罗夫会晤。</p>"),
                Just("王毅会见拉夫罗夫。"),
                Just(""),
                Just("---"),
            ],
        )
            .prop_map(|(lines, closed, header, body)| {
                format!(
                    "---\n{}\n{}{header}{body}",
                    lines.join("\n"),
                    if closed { "---\n" } else { "" }
                )
            })
    }

    /// A date as metadata of each format carries it.
    fn when() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<i64>().prop_map(|n| n.to_string()),
            (0i64..10_000_000_000_000).prop_map(|n| n.to_string()),
            (0u32..10_000, 0u32..14, 0u32..33, 0u32..25, 0u32..61).prop_map(|(y, m, d, h, mi)| {
                format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:00Z")
            }),
            (0u32..10_000, 0u32..14, 0u32..33)
                .prop_map(|(y, m, d)| format!("{y}年{m}月{d}日 10:00")),
            Just("9999-12-31T23:59:59-23:59".to_string()),
            Just("0000-01-01T00:00:00+23:59".to_string()),
            Just("Sat, 31 Dec 9999 23:59:59 -1200".to_string()),
            "[\\PC]{0,30}",
        ]
    }

    /// Every fixture and example article, read once.
    fn fixtures() -> &'static [Vec<u8>] {
        static FILES: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
        FILES.get_or_init(|| {
            let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
            let mut out = Vec::new();
            for dir in ["tests/data/ingest", "examples/articles"] {
                let mut paths: Vec<_> = std::fs::read_dir(format!("{root}/{dir}"))
                    .into_iter()
                    .flatten()
                    .flatten()
                    .map(|e| e.path())
                    .collect();
                paths.sort();
                out.extend(paths.iter().filter_map(|p| std::fs::read(p).ok()));
            }
            assert!(out.len() >= 10, "fixtures missing");
            out
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Any bytes: articles or reasons, never a panic, and spans that index the text.
        #[test]
        fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            check_file(&bytes);
        }

        /// Each format's opening followed by random markup-like text: the detector sends it to
        /// that format's parser, which must not panic.
        #[test]
        fn every_parser(
            opening in prop_oneof![
                Just("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><item><title>"),
                Just("<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><content type=\"html\">"),
                Just("{\"title\": \"t\", \"url\": \"https://www.rfi.fr/cn/x\", \"body\": \""),
                Just("[{\"headline\": "),
                Just("{\n \"items\": [{\"html\": \"<p>"),
                Just("<!DOCTYPE html><html><head><meta property=\"og:title\" content=\""),
                Just("<script type=\"application/ld+json\">{\"@type\": \"NewsArticle\", \"datePublished\": \""),
                Just("---\ntitle: "),
                Just("<!--1600000000000-->\n[t](https://www.zaobao.com/x)\n------\n"),
            ],
            rest in proptest::collection::vec(
                prop_oneof![
                    Just("<p>"), Just("</p>"), Just("</item>"), Just("</entry>"), Just("</rss>"),
                    Just("\"}"), Just("\",\"date\":1600000000}\n{"), Just("]"), Just("<![CDATA["),
                    Just("]]>"), Just("&lt;p&gt;"), Just("王毅会见拉夫罗夫。"), Just("\n"), Just("2020-09-11T10:00:00Z"),
                    Just("<pubDate>Fri, 11 Sep 2020 01:11:43 GMT</pubDate>"), Just("</script>"), Just("<div>"),
                ],
                0..40,
            ),
        ) {
            let text = format!("{opening}{}", rest.concat());
            check_file(text.as_bytes());
        }

        /// Real articles of every format with random damage: cut short, a range deleted, bytes
        /// inserted or overwritten.
        #[test]
        fn mutated_real_articles(
            which in any::<proptest::sample::Index>(),
            cut in any::<proptest::sample::Index>(),
            span in 0usize..400,
            noise in proptest::collection::vec(any::<u8>(), 0..64),
            how in 0u8..4,
        ) {
            let files = fixtures();
            let mut bytes = files[which.index(files.len())].clone();
            let at = cut.index(bytes.len().max(1)).min(bytes.len());
            match how {
                0 => bytes.truncate(at),
                1 => { let end = (at + span).min(bytes.len()); bytes.drain(at..end); }
                2 => { bytes.splice(at..at, noise.iter().copied()); }
                _ => {
                    for (i, b) in noise.iter().enumerate() {
                        if let Some(x) = bytes.get_mut(at + i * 7) { *x = *b; }
                    }
                }
            }
            check_file(&bytes);
        }

        /// Front matter with YAML anchors, aliases and merge keys, unclosed, huge or broken:
        /// read line by line as text, never expanded.
        #[test]
        fn front_matter_never_expands(text in front_matter()) {
            check_file(text.as_bytes());
        }

        /// Publication times of every metadata format, real, extreme or garbage: a real day
        /// or none.
        #[test]
        fn metadata_dates(when in when(), which in 0u8..5) {
            let body = "<p>中国外交部长王毅周二与俄罗斯外长拉夫罗夫会晤。</p>";
            let esc = when.replace('\\', "\\\\").replace('"', "\\\"");
            let xml = when.replace('&', "&amp;").replace('<', "&lt;");
            let file = match which {
                0 => format!("---\ntitle: 标题\ndate: {when}\nfrom: https://www.rfi.fr/cn/x\n---\n{body}"),
                1 => format!("{{\"title\": \"标题\", \"url\": \"https://www.rfi.fr/cn/x\", \"date\": \"{esc}\", \"html\": \"{body}\"}}\n"),
                2 => format!("{{\"title\": \"标题\", \"url\": \"https://www.rfi.fr/cn/x\", \"timestamp\": {}, \"body\": \"王毅会见拉夫罗夫。\"}}\n", when.trim().parse::<i64>().unwrap_or(0)),
                3 => format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><item><title>标题</title><link>https://www.rfi.fr/cn/x</link><pubDate>{xml}</pubDate><description>王毅会见拉夫罗夫。</description></item></channel></rss>"),
                _ => format!("<!DOCTYPE html><html><head><meta property=\"article:published_time\" content=\"{}\"><title>标题</title></head><body>{body}</body></html>", xml.replace('"', "&quot;")),
            };
            check_file(file.as_bytes());
        }

        /// The detector on any text: a format, never a panic.
        #[test]
        fn detection_is_total(
            opening in prop_oneof![
                Just(""), Just("\u{feff}"), Just("---\n"), Just("<!--"), Just("<?xml"), Just("<rss"),
                Just("<feed"), Just("<rdf:RDF"), Just("{"), Just("["), Just("<html"), Just("<!doctype html"),
                Just("["), Just("<!--12345678901-->"), Just("\n \t"),
            ],
            rest in "\\PC{0,200}",
        ) {
            let _ = guanxi_ingest::detect(&format!("{opening}{rest}"));
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
