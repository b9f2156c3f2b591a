//! Extraction, feature by feature: entities, roles, interactions, dates — on real articles
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! and real sentences, with snapshot or table expectations.

use std::sync::LazyLock;

use guanxi_core::{Article, Extraction, LocalDate};
use guanxi_extract::dates::find_dates;
use guanxi_extract::Extractor;
use guanxi_ingest::{parse_article, IngestConfig};

static EXTRACTOR: LazyLock<Extractor> = LazyLock::new(Extractor::new);

fn load(path: &std::path::Path) -> Option<Article> {
    let bytes = std::fs::read(path).ok()?;
    parse_article(
        &path.display().to_string(),
        &bytes,
        &IngestConfig::default(),
    )
    .ok()
}

/// An article of blocks (the first is the headline, `资料照…` is a caption), published on `date`.
fn article_from(name: &str, date: LocalDate, parts: &[String]) -> Article {
    use guanxi_core::{Block, BlockKind, Published, Span};
    let mut text = String::new();
    let mut blocks = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        if !text.is_empty() {
            text.push('\n');
        }
        let start = text.len();
        text.push_str(part);
        let kind = if i == 0 {
            BlockKind::Title
        } else if part.starts_with("资料照") {
            BlockKind::Caption
        } else {
            BlockKind::Paragraph
        };
        blocks.push(Block {
            kind,
            span: Span::new(start, text.len()),
        });
    }
    Article {
        source: name.to_string(),
        url: None,
        title: parts.first().cloned().unwrap_or_default(),
        publisher: None,
        published: Some(Published {
            epoch_millis: 0,
            offset_seconds: 0,
            local_date: date,
            date_time: String::new(),
        }),
        text,
        original: None,
        blocks,
        traditional: false,
    }
}

/// One interaction: kind, participants, date, place, status, and how its wording sets it
/// against the news (when it is not the news itself).
fn interaction_line(i: &guanxi_core::Interaction) -> String {
    let names: Vec<&str> = i.participants.iter().map(|p| p.name.as_str()).collect();
    format!(
        "{:?} {} date={} place={} {:?}{}\n",
        i.kind,
        names.join("+"),
        i.date.map(|d| d.to_string()).unwrap_or("-".into()),
        i.place.as_ref().map(|p| p.name.as_str()).unwrap_or("-"),
        i.status,
        i.reference
            .name()
            .map(|r| format!(" {r}"))
            .unwrap_or_default()
    )
}

/// Entities, roles and interactions of an article, one per line.
fn digest(a: &Article, ex: &Extraction) -> String {
    let mut s = String::from("## entities\n");
    for e in &ex.entities {
        s.push_str(&format!(
            "{:?} {} [{}]{} x{}\n",
            e.key.kind,
            e.key.name,
            e.alternate_names.join("|"),
            e.wikidata
                .as_deref()
                .map(|q| format!(" {q}"))
                .unwrap_or_default(),
            e.mentions.len()
        ));
    }
    s.push_str("## roles\n");
    for r in &ex.roles {
        s.push_str(&format!(
            "{} {}{}{}\n",
            r.person.name,
            if r.former { "former " } else { "" },
            r.title,
            r.of.as_ref()
                .map(|o| format!(" of {}", o.name))
                .unwrap_or_default()
        ));
    }
    s.push_str("## interactions\n");
    for i in &ex.interactions {
        s.push_str(&interaction_line(i));
        for e in &i.evidence {
            s.push_str(&format!(
                "  <{}> {}\n",
                e.trigger.slice(&a.text),
                e.span.slice(&a.text)
            ));
        }
    }
    s
}

#[test]
fn seed_extractions() {
    insta::glob!("../../../examples/articles", "*.txt", |path| {
        let a = load(path).unwrap_or_else(|| Article {
            source: String::new(),
            url: None,
            title: String::new(),
            publisher: None,
            published: None,
            text: String::new(),
            original: None,
            blocks: Vec::new(),
            traditional: false,
        });
        let ex = EXTRACTOR.extract(&a);
        insta::assert_snapshot!(digest(&a, &ex));
    });
}

/// `tests/data/interactions.tsv`: one rule per row, read from real sentences; the snapshot
/// lists what each row yields.
#[test]
fn interaction_rules() {
    let table = include_str!("../../../tests/data/interactions.tsv");
    let mut out = String::new();
    for line in table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 3, "interactions.tsv rows need 3 fields: {line}");
        let p: Vec<u32> = f[1].split('-').filter_map(|x| x.parse().ok()).collect();
        let local_date = LocalDate {
            year: p[0] as i32,
            month: p[1],
            day: p[2],
        };
        let parts: Vec<String> = f[2].split('|').map(str::to_string).collect();
        let a = article_from(f[0], local_date, &parts);
        let ex = EXTRACTOR.extract(&a);
        out.push_str(&format!("# {}\n", f[0]));
        for i in &ex.interactions {
            out.push_str(&interaction_line(i));
        }
    }
    insta::assert_snapshot!(out);
}

/// `tests/data/dates.tsv`: publication date, sentence, expected dates (`;`-separated).
#[test]
fn date_expressions() {
    let table = include_str!("../../../tests/data/dates.tsv");
    let mut failures = Vec::new();
    for (n, line) in table
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty())
    {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 3, "line {} of dates.tsv needs 3 fields", n + 1);
        let p: Vec<u32> = f[0].split('-').filter_map(|x| x.parse().ok()).collect();
        let published = LocalDate {
            year: p[0] as i32,
            month: p[1],
            day: p[2],
        };
        // The reference day: a dateline's at the head of the text, else publication.
        let reference =
            guanxi_extract::dates::dateline_day(f[1], Some(published)).or(Some(published));
        let got: Vec<String> = find_dates(f[1], 0, reference)
            .iter()
            .map(|d| format!("{}={}", d.span.slice(f[1]), d.value))
            .collect();
        let got = got.join(";");
        if got != f[2] {
            failures.push(format!(
                "line {}: {}\n  expected {}\n  got      {}",
                n + 1,
                f[1],
                f[2],
                got
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn extraction_is_deterministic() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/articles");
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if let Some(a) = load(&entry.path()) {
            assert_eq!(EXTRACTOR.extract(&a), EXTRACTOR.extract(&a));
        }
    }
}

mod properties {
    use super::*;
    use guanxi_core::Span;
    use proptest::prelude::*;

    /// Pieces of real news text: names, titles, triggers, dates, punctuation.
    const PIECES: &[&str] = &[
        "王毅",
        "拉夫罗夫",
        "谢尔盖·绍伊古",
        "习近平",
        "普京",
        "俄罗斯",
        "中国外交部",
        "外长",
        "总统",
        "会见",
        "会谈",
        "通电话",
        "峰会",
        "访问",
        "访日",
        "在",
        "北京",
        "与",
        "和",
        "、",
        "，",
        "。",
        "（",
        "）",
        "他",
        "还",
        "将",
        "周二",
        "昨天",
        "今天",
        "2月3日",
        "去年10月",
        "当天",
        "11日",
        "上周",
        "三年前",
        "中俄",
        "韩中日",
        "长",
        "·",
        "-",
        " ",
        "A",
        "1",
        "年",
        "月",
        "日",
        "\u{3000}",
    ];

    fn article(parts: &[Vec<usize>]) -> Article {
        let blocks: Vec<String> = parts
            .iter()
            .map(|p| p.iter().map(|&k| PIECES[k % PIECES.len()]).collect())
            .collect();
        article_from(
            "p",
            LocalDate {
                year: 2024,
                month: 3,
                day: 1,
            },
            &blocks,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Any mix of names, triggers and dates: no panic, and every span indexes the text.
        #[test]
        fn spans_stay_on_the_text(parts in proptest::collection::vec(proptest::collection::vec(0usize..1000, 0..30), 1..5)) {
            let a = article(&parts);
            let ex = EXTRACTOR.extract(&a);
            let ok = |s: Span| a.text.get(s.start..s.end).is_some();
            for e in &ex.entities {
                for m in &e.mentions {
                    prop_assert!(ok(m.span), "mention {:?}", m);
                }
            }
            for i in &ex.interactions {
                prop_assert!(!i.participants.is_empty() || !i.by_title.is_empty());
                for e in &i.evidence {
                    prop_assert!(ok(e.span) && ok(e.trigger));
                }
            }
            for r in &ex.roles {
                prop_assert!(ok(r.evidence.trigger));
            }
        }
    }
}

/// An article read by the real ingest (so traditional text is converted), published at noon
/// UTC+8 on `date`.
fn ingested(name: &str, date: &str, body: &str) -> Article {
    let md = format!(
        "---\ntitle: \"{name}\"\ndate: {date}T04:00:00.000Z\nfrom: https://www.zaobao.com.sg/test/{name}\n---\n\n{body}\n"
    );
    parse_article(
        &format!("{name}.md"),
        md.as_bytes(),
        &IngestConfig::default(),
    )
    .unwrap()
}

/// `tests/data/entities.tsv`: one recognition path per row, on a real sentence, with what it
/// must find and the false positives it must reject; the snapshot lists every entity.
#[test]
fn entity_recognition() {
    let table = include_str!("../../../tests/data/entities.tsv");
    let mut failures = Vec::new();
    let mut out = String::new();
    for line in table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 4, "entities.tsv rows need 4 fields: {line}");
        let a = ingested(f[0], f[1], f[2]);
        let ex = EXTRACTOR.extract(&a);
        let has = |kind: &str, key: &str| {
            ex.entities
                .iter()
                .any(|e| format!("{:?}", e.key.kind) == kind && e.key.name == key)
        };
        // Items start with + or - after a space (an alias may hold spaces).
        let mut items: Vec<String> = Vec::new();
        for word in f[3].split(' ') {
            match items.last_mut() {
                Some(last) if !word.starts_with(['+', '-']) => {
                    last.push(' ');
                    last.push_str(word);
                }
                _ => items.push(word.to_string()),
            }
        }
        for item in &items {
            let (sign, rest) = item.split_at(1);
            let (what, arg) = rest.split_once(':').unwrap();
            let ok = match (sign, what) {
                ("+", "alias") => {
                    let (key, alias) = arg.split_once('=').unwrap();
                    ex.entities
                        .iter()
                        .any(|e| e.key.name == key && e.alternate_names.iter().any(|n| n == alias))
                }
                ("+", "name") => {
                    let (key, name) = arg.split_once('=').unwrap();
                    ex.entities
                        .iter()
                        .any(|e| e.key.name == key && e.name == name)
                }
                ("+", "by_title") => ex
                    .interactions
                    .iter()
                    .any(|i| i.by_title.iter().any(|p| p.name == arg)),
                ("-", "by_title") => ex
                    .interactions
                    .iter()
                    .all(|i| i.by_title.iter().all(|p| arg != "any" && p.name != arg)),
                ("+", kind) => has(kind, arg),
                ("-", kind) => !has(kind, arg),
                _ => false,
            };
            if !ok {
                failures.push(format!("{}: {item}", f[0]));
            }
        }
        out.push_str(&format!("# {}\n", f[0]));
        for e in &ex.entities {
            out.push_str(&format!(
                "{:?} {} ({}) [{}]\n",
                e.key.kind,
                e.key.name,
                e.name,
                e.alternate_names.join("|")
            ));
        }
        for i in ex.interactions.iter().filter(|i| !i.by_title.is_empty()) {
            let by: Vec<&str> = i.by_title.iter().map(|p| p.name.as_str()).collect();
            out.push_str(&format!("by title: {}", by.join("+")));
            out.push_str(&format!(" in {}", interaction_line(i)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    insta::assert_snapshot!(out);
}
