//! The scorer over a small gold file and hand-written query rows (tests/data/eval): alias lists,
//! URL and name normalisation, dates that pick the right one of two meetings of a pair, a
//! summit's pairs, an article with no output, entities of the wrong kind.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
use std::path::PathBuf;

use guanxi_eval::{parse_gold, score, EntityRow, InteractionRow};

fn data(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data/eval")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn rows(name: &str) -> Vec<Vec<String>> {
    data(name)
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

fn bound(s: &str) -> Option<String> {
    (s != "-").then(|| s.to_string())
}

fn interactions() -> Vec<InteractionRow> {
    rows("interactions.tsv")
        .into_iter()
        .map(|f| InteractionRow {
            url: f[0].clone(),
            interaction: f[1].clone(),
            kind: f[2].clone(),
            name: f[3].clone(),
            date: bound(&f[4]),
            place: bound(&f[5]),
        })
        .collect()
}

fn entities() -> Vec<EntityRow> {
    rows("entities.tsv")
        .into_iter()
        .map(|f| EntityRow {
            url: f[0].clone(),
            kind: f[1].clone(),
            name: f[2].clone(),
        })
        .collect()
}

#[test]
fn check_scores_against_gold() {
    let gold = parse_gold(&data("gold.jsonl")).unwrap();
    let report = score(&gold, &interactions(), &entities());
    insta::assert_snapshot!(report.render());

    // The order of the rows does not change a figure.
    let mut reversed = interactions();
    reversed.reverse();
    let mut ents = entities();
    ents.reverse();
    assert_eq!(score(&gold, &reversed, &ents), report);
}

#[test]
fn check_bad_gold_lines_are_named() {
    let err = parse_gold("{\"file\": \"a\", \"url\": \"u\"}\n\n{\"file\": 3}\n").unwrap_err();
    assert_eq!(err.to_string().split(':').next(), Some("gold line 3"));
}
