//! The `guanxi` command end to end: build, bad files among good ones, idempotent re-ingest,
//! saved queries on a fixture store, byte-identical exports.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;
use common::run;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_guanxi"));
    c.env_remove("GUANXI_STORE");
    c
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A store of the example articles in a temporary folder.
fn example_store() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = dir.path().join("store");
    run(bin()
        .arg("ingest")
        .arg(root().join("examples/articles"))
        .arg("--store")
        .arg(&store));
    (dir, store)
}

/// A store built once from the example articles, shared by the query tests.
static FIXTURE: LazyLock<(tempfile::TempDir, PathBuf)> = LazyLock::new(example_store);

/// A second copy for the graph tests: RocksDB lets one process open a store at a time, and
/// tests run in parallel.
static GRAPH_FIXTURE: LazyLock<(tempfile::TempDir, PathBuf)> = LazyLock::new(example_store);

fn query(store: &Path, args: &[&str]) -> String {
    let o = run(bin().arg("query").args(args).arg("--store").arg(store));
    String::from_utf8(o.stdout).expect("utf-8")
}

#[test]
fn saved_queries_on_the_example_store() {
    let store = &FIXTURE.1;
    insta::glob!("../../../queries", "*.rq", |path| {
        insta::assert_snapshot!(query(store, &[path.to_str().unwrap(), "--format", "csv"]));
    });
}

#[test]
fn build_writes_store_turtle_and_dot_identically_twice() {
    let mut outputs = Vec::new();
    for _ in 0..2 {
        let dir = tempfile::tempdir().unwrap();
        run(bin()
            .current_dir(dir.path())
            .arg("build")
            .arg(root().join("examples/articles")));
        let out = dir.path().join("output");
        assert!(out.join("store").is_dir());
        let ttl = std::fs::read(out.join("graph.ttl")).unwrap();
        let dot = std::fs::read(out.join("cooccurrence.dot")).unwrap();
        let nq = run(bin()
            .current_dir(dir.path())
            .args(["export", "--format", "nquads"]))
        .stdout;
        assert!(!ttl.is_empty() && !dot.is_empty() && !nq.is_empty());
        outputs.push((ttl, dot, nq));
    }
    assert!(outputs[0] == outputs[1], "two builds differ");
    insta::assert_snapshot!(String::from_utf8_lossy(&outputs[0].1));
}

#[test]
fn bad_files_are_skipped_with_a_reason_and_the_rest_land() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    let mut good = 0;
    for e in std::fs::read_dir(root().join("examples/articles")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, input.join(p.file_name().unwrap())).unwrap();
        good += 1;
    }
    std::fs::write(
        input.join("binary.txt"),
        (0..4000u32).map(|i| (i % 5) as u8).collect::<Vec<_>>(),
    )
    .unwrap();
    std::fs::write(input.join("empty.txt"), b"").unwrap();
    std::fs::write(
        input.join("deep.html"),
        format!("{}x{}", "<div>".repeat(100_000), "</div>".repeat(100_000)),
    )
    .unwrap();
    let store = dir.path().join("store");
    let o = run(bin().arg("ingest").arg(&input).arg("--store").arg(&store));
    let err = String::from_utf8_lossy(&o.stderr);
    for f in ["binary.txt", "empty.txt", "deep.html"] {
        assert!(
            err.lines()
                .any(|l| l.starts_with("skipped") && l.contains(f)),
            "no skip line for {f}: {err}"
        );
    }
    let files = format!("{} files: read {good} articles", good + 3);
    assert!(err.contains(&files), "{err}");
    let summary = format!("stored {good}, duplicates 0, skipped 3 (");
    assert!(err.contains(&summary), "{err}");
    let n = query(
        &store,
        &[
            "--query",
            "SELECT (COUNT(*) AS ?n) WHERE { ?a a <http://schema.org/NewsArticle> }",
            "--format",
            "csv",
        ],
    );
    assert_eq!(n.lines().nth(1), Some(good.to_string().as_str()));
}

#[test]
fn reingesting_replaces_an_article() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let seed = root().join("examples/articles/002_70d5c0d30332d6a0.txt");
    let count = |store: &Path| {
        query(
            store,
            &[
                "--query",
                "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                "--format",
                "csv",
            ],
        )
    };
    run(bin().arg("ingest").arg(&seed).arg("--store").arg(&store));
    let once = count(&store);
    // --full reads the unchanged file again: its graph is replaced, not added to.
    run(bin()
        .args(["ingest", "--full"])
        .arg(&seed)
        .arg("--store")
        .arg(&store));
    assert_eq!(once, count(&store));
}

/// A second run skips files whose content is unchanged (the manifest beside the store), and
/// reads a changed one again.
#[test]
fn unchanged_files_are_skipped_changed_ones_read_again() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    for f in ["002_70d5c0d30332d6a0.txt", "030_voa_20200911_dip.txt"] {
        std::fs::copy(root().join("examples/articles").join(f), input.join(f)).unwrap();
    }
    let store = dir.path().join("store");
    let ingest = || {
        let o = run(bin().arg("ingest").arg(&input).arg("--store").arg(&store));
        String::from_utf8_lossy(&o.stderr).to_string()
    };
    let first = ingest();
    assert!(
        first.contains("stored 2,") && first.contains("unchanged 0"),
        "{first}"
    );
    let second = ingest();
    assert!(
        second.contains("stored 0,") && second.contains("unchanged 2"),
        "{second}"
    );
    assert!(second.contains("the store holds"), "{second}");
    let changed = input.join("030_voa_20200911_dip.txt");
    let text = std::fs::read_to_string(&changed).unwrap();
    std::fs::write(&changed, text.replacen("王毅", "王毅 ", 1)).unwrap();
    let third = ingest();
    assert!(
        third.contains("stored 1,") && third.contains("unchanged 1"),
        "{third}"
    );
    // --full on one file reads it again and forgets nothing about the other.
    run(bin()
        .args(["ingest", "--full"])
        .arg(&changed)
        .arg("--store")
        .arg(&store));
    let fourth = ingest();
    assert!(fourth.contains("unchanged 2"), "{fourth}");
}

#[test]
fn fatal_errors_are_one_line_and_non_zero() {
    // Its own store: the shared one may be open in another test's process.
    let (_dir, store) = example_store();
    let missing = store.with_file_name("no-store-here");
    for (args, store, says) in [
        (
            ["query", "--query", "SELEC nothing"],
            &store,
            "does not parse",
        ),
        (["query", "--query", "SELECT * {}"], &missing, "no store"),
    ] {
        let o = bin().args(args).arg("--store").arg(store).output().unwrap();
        assert!(!o.status.success());
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.starts_with("guanxi: error:"), "{err}");
        assert!(err.contains(says), "{err}");
    }
}

#[test]
fn eval_scores_the_examples_against_their_gold() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("eval.json");
    let o = run(bin()
        .arg("eval")
        .arg("--gold")
        .arg(root().join("tests/data/gold/examples.jsonl"))
        .arg("--articles")
        .arg(root().join("examples/articles"))
        .arg("--json")
        .arg(&json));
    let text = String::from_utf8(o.stdout).unwrap();
    insta::assert_snapshot!(text);
    // The JSON holds the same figures as the table.
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let f1 = v["persons"]["f1"].as_f64().unwrap();
    assert!(text.contains(&format!("person F1 {f1:.3}")), "{text}");
    assert_eq!(v["articles"], 10);
}

#[test]
fn eval_names_a_bad_gold_line() {
    let dir = tempfile::tempdir().unwrap();
    let gold = dir.path().join("gold.jsonl");
    std::fs::write(&gold, "{\"file\": 1}\n").unwrap();
    let o = bin()
        .arg("eval")
        .arg("--gold")
        .arg(&gold)
        .arg("--articles")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("gold line 1"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

/// Two publishers report the same talks (联合早报 and VOA on 王毅 and 苏杰生 in Moscow on
/// 2020-09-10): one interaction with both articles as sources. The same pair of 王毅 and
/// 拉夫罗夫 meeting on different days stays several interactions.
#[test]
fn reports_of_one_meeting_become_one_interaction() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    run(bin()
        .arg("ingest")
        .arg(root().join("examples/articles"))
        .arg(root().join("tests/data/cross"))
        .arg("--store")
        .arg(&store));
    let tsv = |q: &str| query(&store, &["--format", "tsv", "--query", q]);
    let rows = tsv("PREFIX gx: <https://w3id.org/guanxi/ontology#>
             PREFIX schema: <http://schema.org/>
             PREFIX prov: <http://www.w3.org/ns/prov#>
             SELECT ?i ?n ?s (COUNT(DISTINCT ?a) AS ?articles) (COUNT(DISTINCT ?e) AS ?evidence) (SAMPLE(?why) AS ?reason) WHERE {
               ?i a gx:Interaction ; gx:participant ?p1 , ?p2 ; schema:startDate ?d ;
                  gx:reportCount ?n ; gx:sourceCount ?s ; prov:wasDerivedFrom ?a ; gx:report/gx:evidence ?e .
               ?p1 schema:name \"王毅\"@zh . ?p2 schema:name \"苏杰生\"@zh .
               FILTER(STR(?d) = \"2020-09-10\")
               OPTIONAL { ?i gx:mergeReason ?why }
               FILTER NOT EXISTS { ?i a gx:Summit }
               FILTER NOT EXISTS { ?i gx:participantByTitle ?third }
             } GROUP BY ?i ?n ?s");
    let lines: Vec<&str> = rows.lines().skip(1).collect();
    assert_eq!(lines.len(), 1, "one interaction for the talks:\n{rows}");
    let f: Vec<&str> = lines[0].split('\t').collect();
    assert_eq!(&f[1..4], &["2", "2", "2"], "{rows}");
    assert!(
        f[4].parse::<u32>().unwrap() >= 2,
        "evidence from both articles:\n{rows}"
    );
    assert!(f[5].contains("2 reports from 2 sources"), "{rows}");

    let days = tsv("PREFIX gx: <https://w3id.org/guanxi/ontology#>
             PREFIX schema: <http://schema.org/>
             SELECT ?i ?d WHERE {
               ?i a gx:Interaction ; gx:participant ?p1 , ?p2 ; schema:startDate ?d .
               ?p1 schema:name \"王毅\"@zh . ?p2 schema:name \"拉夫罗夫\"@zh .
             } ORDER BY ?d");
    let dates: Vec<&str> = days
        .lines()
        .skip(1)
        .filter_map(|l| l.split('\t').nth(1))
        .collect();
    let mut distinct = dates.clone();
    distinct.dedup();
    assert!(dates.len() >= 3, "{days}");
    assert_eq!(dates, distinct, "one interaction per day:\n{days}");
}

/// Every format in one folder: feeds and exports give one article per item, a copy of an
/// article is a duplicate, and the report lists skips, duplicates and notes as JSON Lines.
#[test]
fn mixed_formats_duplicates_and_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    let data = root().join("tests/data/ingest");
    for f in [
        "feed-rss.xml",
        "feed-atom.xml",
        "export.jsonl",
        "page-voa.html",
        "big5-traditional.txt",
    ] {
        std::fs::copy(data.join(f), input.join(f)).unwrap();
    }
    // The same article under another name, and again inside an export.
    let seed = root().join("examples/articles/030_voa_20200911_dip.txt");
    std::fs::copy(&seed, input.join("copy-of-voa.md")).unwrap();
    // Two headline-only items: their empty bodies are not the same article.
    for (f, t) in [
        ("only-a.md", "意大利小提琴工匠面临黑暗未来"),
        ("only-b.md", "肢体口音能披露你来自何方"),
    ] {
        std::fs::write(
            input.join(f),
            format!("[{t}](https://www.bbc.com/ukchina/simp/{f})\n------\n<div>{t}</div>\n"),
        )
        .unwrap();
    }
    let store = dir.path().join("store");
    let report = dir.path().join("report.jsonl");
    let o = run(bin()
        .arg("ingest")
        .arg(&input)
        .arg("--store")
        .arg(&store)
        .arg("--report")
        .arg(&report));
    let err = String::from_utf8_lossy(&o.stderr);
    // 2 RSS items, 2 Atom entries, 2 good JSON lines (2 bad), a page, a text, a copy, and
    // two headline-only articles.
    assert!(err.contains("8 files: read 11 articles"), "{err}");
    assert!(
        err.contains("stored 10, duplicates 1, skipped 2 (1 malformed, 1 no text)"),
        "{err}"
    );
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&report)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let has = |status: &str, reason: &str, file: &str| {
        lines.iter().any(|l| {
            l["status"] == status
                && l["reason"] == reason
                && l["file"].as_str().is_some_and(|f| f.ends_with(file))
        })
    };
    assert!(has("skipped", "malformed", "export.jsonl#L3"), "{lines:?}");
    assert!(has("skipped", "no text", "export.jsonl#L4"), "{lines:?}");
    assert!(has("duplicate", "same url", "page-voa.html"), "{lines:?}");
    assert!(
        has("note", "unknown publisher", "big5-traditional.txt"),
        "{lines:?}"
    );
    // The traditional article's body is stored in its own characters.
    let body = query(
        &store,
        &[
            "--query",
            "PREFIX schema: <http://schema.org/> SELECT ?b WHERE { ?a schema:url ?u ; schema:articleBody ?b FILTER(STRENDS(STR(?u), \"big5-traditional.txt\")) }",
            "--format",
            "tsv",
        ],
    );
    assert!(body.contains("德國外長"), "{body}");
}

/// `guanxi entities`: the store's entities with counts and an example sentence; `--unknown`
/// keeps the names the gazetteer lacks (none of the gazetteer's own), for review.
#[test]
fn entities_are_listed_with_unknown_names_for_review() {
    let store = &GRAPH_FIXTURE.1;
    let list = |args: &[&str]| {
        let o = run(bin().arg("entities").args(args).arg("--store").arg(store));
        String::from_utf8(o.stdout).unwrap()
    };
    let all = list(&["--format", "csv", "--limit", "1000"]);
    let unknown = list(&["--unknown", "--format", "csv", "--limit", "1000"]);
    assert!(all.lines().any(|l| l.starts_with("王毅,Person,")), "{all}");
    assert!(
        !unknown.lines().any(|l| l.starts_with("王毅,")),
        "{unknown}"
    );
    assert!(unknown.lines().count() < all.lines().count());
    assert_eq!(
        unknown,
        list(&["--unknown", "--format", "csv", "--limit", "1000"])
    );
    insta::assert_snapshot!("entities-unknown", unknown);
    let persons = list(&["--kind", "person", "--min-articles", "2", "--format", "csv"]);
    assert!(persons
        .lines()
        .skip(1)
        .all(|l| l.split(',').nth(1) == Some("Person")
            && l.split(',').nth(2).and_then(|n| n.parse::<usize>().ok()) >= Some(2)));
}

/// Every projection on the example store, as golden DOT (and the other serialisations once):
/// windows, weights, kinds, filters, the ego network, the interaction graph; and the timeline.
#[test]
fn graph_projections() {
    let store = &GRAPH_FIXTURE.1;
    let cases: &[(&str, &[&str])] = &[
        ("person-article", &[]),
        (
            "person-sentence-npmi",
            &["--window", "sentence", "--weight", "npmi"],
        ),
        (
            "all-kinds-by-kind",
            &[
                "--kind",
                "all",
                "--color-by-kind",
                "--top",
                "20",
                "--layout",
                "sfdp",
            ],
        ),
        (
            "person-org-sources",
            &[
                "--kind",
                "person,organization",
                "--weight",
                "sources",
                "--min-weight",
                "2",
            ],
        ),
        (
            "interactions",
            &["--interactions", "--size-by", "pagerank", "--layout", "dot"],
        ),
        (
            "interaction-window-places",
            &["--window", "interaction", "--kind", "person,place"],
        ),
        ("ego-wang-yi", &["--ego", "王毅", "--depth", "1"]),
        ("ego-depth-2", &["--ego", "耶伦", "--depth", "2"]),
        ("since-until", &["--since", "2024", "--until", "2024-12"]),
        ("publisher", &["--publisher", "联合早报"]),
        ("graphml", &["--top", "4", "--format", "graphml"]),
        ("gexf", &["--top", "4", "--format", "gexf"]),
        ("json", &["--top", "4", "--format", "json"]),
    ];
    for (name, args) in cases {
        let mut a = vec!["graph"];
        a.extend_from_slice(args);
        let run_once = || {
            let o = run(bin().args(&a).arg("--store").arg(store));
            String::from_utf8(o.stdout).unwrap()
        };
        let text = run_once();
        assert_eq!(text, run_once(), "{name} differs between runs");
        insta::assert_snapshot!(format!("graph-{name}"), text);
    }
    let o = run(bin()
        .args(["timeline", "王毅", "--format", "csv", "--store"])
        .arg(store));
    insta::assert_snapshot!("timeline-wang-yi", String::from_utf8_lossy(&o.stdout));
    // A name is bound as a term: text that would close the literal finds nobody.
    for evil in [
        "王毅\") } } SELECT * WHERE { ?s ?p ?o } #",
        "王毅' || true || '",
    ] {
        let o = bin()
            .args(["timeline", evil, "--store"])
            .arg(store)
            .output()
            .unwrap();
        assert!(!o.status.success());
        assert!(String::from_utf8_lossy(&o.stderr).contains("no interaction of"));
    }
    for name in ["无此人", "王毅\") } } SELECT * WHERE { ?s ?p ?o } #"] {
        let o = bin()
            .args(["graph", "--ego", name, "--store"])
            .arg(store)
            .output()
            .unwrap();
        assert!(!o.status.success());
        assert!(String::from_utf8_lossy(&o.stderr).contains(&format!("no entity named {name}")));
    }
}

/// `guanxi extract` streams the same article graphs and entity descriptions that `ingest`
/// stores (the store writes decimals in canonical form), identically on every run.
#[test]
fn extract_streams_what_ingest_stores() {
    let extract = || {
        let o = run(bin().arg("extract").arg(root().join("examples/articles")));
        String::from_utf8(o.stdout).unwrap()
    };
    let nq = extract();
    assert_eq!(nq, extract(), "two extractions differ");
    // Its own store: RocksDB lets one process open a store at a time.
    let (_dir, store) = example_store();
    let exported = run(bin()
        .args(["export", "--format", "nquads", "--store"])
        .arg(&store))
    .stdout;
    let exported = String::from_utf8(exported).unwrap();
    let stored: std::collections::HashSet<&str> = exported
        .lines()
        .filter(|l| !l.ends_with("<https://w3id.org/guanxi/id/graph/events> ."))
        .collect();
    let lines: Vec<&str> = nq.lines().collect();
    assert_eq!(lines.len(), stored.len());
    for l in lines.iter().filter(|l| !l.contains("XMLSchema#decimal")) {
        assert!(stored.contains(l), "not in the store: {l}");
    }
}

/// A folder holding a symlink to itself or to its parent is walked once.
#[cfg(unix)]
#[test]
fn symlink_loops_in_input_folders_are_walked_once() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let sub = input.join("sub");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::copy(
        root().join("examples/articles/002_70d5c0d30332d6a0.txt"),
        sub.join("a.txt"),
    )
    .unwrap();
    std::os::unix::fs::symlink(&input, sub.join("up")).unwrap();
    std::os::unix::fs::symlink(&sub, sub.join("same")).unwrap();
    let o = run(bin()
        .arg("ingest")
        .arg(&input)
        .arg("--store")
        .arg(dir.path().join("store")));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("1 files: read 1 articles"), "{err}");
}

/// A file a prerequisite check finds in a fake system folder.
#[derive(Clone, Copy)]
enum Fake {
    /// A 64-bit ELF object, as a real shared library starts.
    Elf64,
    /// A 32-bit one, which a 64-bit build cannot load.
    Elf32,
    /// A text file (a linker script named like a library).
    Text,
    /// An executable shell script with this body (a stand-in for `dot`, `fc-list`, `chromium`).
    Script(&'static str),
}

/// Files of a fake system folder: (path under the fake root, what it is).
type FakeFiles = Vec<(&'static str, Fake)>;
/// Environment variables of a check.
type FakeEnv = Vec<(&'static str, &'static str)>;

/// Runs `scripts/prereqs.sh`'s CALL with the system folders under a fake root holding FILES,
/// with no LIBCLANG_PATH, LD_LIBRARY_PATH or CXX but those ENV gives (`$ROOT` in a value is
/// the fake root; `bin/` of the fake root comes first on PATH). Its standard output, trimmed.
fn prereq_check(call: &str, files: &[(&str, Fake)], env: &[(&str, &str)]) -> String {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path();
    std::fs::create_dir_all(fake.join("bin")).unwrap();
    for (path, kind) in files {
        let file = fake.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        let mut bytes = match kind {
            Fake::Elf64 => b"\x7fELF\x02\x01\x01\0".to_vec(),
            Fake::Elf32 => b"\x7fELF\x01\x01\x01\0".to_vec(),
            Fake::Text => b"INPUT ( /usr/lib/libclang.so.1 )\n".to_vec(),
            Fake::Script(body) => format!("#!/bin/sh\n{body}\n").into_bytes(),
        };
        if !matches!(kind, Fake::Script(_)) {
            bytes.resize(64, 0);
        }
        std::fs::write(&file, bytes).unwrap();
        if let Fake::Script(_) = kind {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }
    let root_str = fake.to_str().unwrap();
    let path = format!(
        "{root_str}/bin:{}",
        std::env::var("PATH").unwrap_or_default()
    );
    let mut c = Command::new("bash");
    c.arg("-c")
        .arg(format!("set -euo pipefail; source \"$0\"; {call}"))
        .arg(root().join("scripts/prereqs.sh"))
        .env("GUANXI_SYSROOT", root_str)
        .env("PATH", path)
        .env_remove("LIBCLANG_PATH")
        .env_remove("LD_LIBRARY_PATH")
        .env_remove("CXX");
    for (k, v) in env {
        c.env(k, v.replace("$ROOT", root_str));
    }
    let o = c.output().unwrap();
    String::from_utf8(o.stdout)
        .unwrap()
        .trim()
        .replace(root_str, "$ROOT")
}

#[test]
fn prerequisite_checks_find_what_the_build_and_the_tests_load() {
    use Fake::*;
    let cpp = [
        ("usr/lib/llvm-14/lib/libclang-cpp.so.14", Elf64),
        ("usr/lib/x86_64-linux-gnu/libclang-cpp.so.14", Elf64),
    ];
    let with = |more: &[(&'static str, Fake)]| -> Vec<(&'static str, Fake)> {
        cpp.iter().chain(more).copied().collect()
    };
    // (what the row shows, files, environment, what the build is missing, libclang found)
    let rows: Vec<(&str, FakeFiles, FakeEnv, &str, &str)> = vec![
        (
            "libclang_cpp_alone_is_not_libclang",
            with(&[]),
            vec![],
            "libclang-dev",
            "",
        ),
        (
            "debian_llvm_folder",
            with(&[("usr/lib/llvm-14/lib/libclang.so.1", Elf64)]),
            vec![],
            "",
            "$ROOT/usr/lib/llvm-14/lib/libclang.so.1",
        ),
        (
            "multiarch_folder_versioned_name",
            with(&[("usr/lib/x86_64-linux-gnu/libclang-14.so.14", Elf64)]),
            vec![],
            "",
            "$ROOT/usr/lib/x86_64-linux-gnu/libclang-14.so.14",
        ),
        (
            "plain_name_in_usr_lib",
            vec![("usr/lib/libclang.so", Elf64)],
            vec![],
            "",
            "$ROOT/usr/lib/libclang.so",
        ),
        (
            "llvm_under_usr_local",
            vec![("usr/local/llvm18/lib/libclang.so", Elf64)],
            vec![],
            "",
            "$ROOT/usr/local/llvm18/lib/libclang.so",
        ),
        (
            "a_32_bit_library_is_passed_over",
            with(&[("usr/lib/i386-linux-gnu/libclang-14.so.1", Elf32)]),
            vec![],
            "libclang-dev",
            "",
        ),
        (
            "a_linker_script_is_not_a_library",
            vec![("usr/lib/libclang.so", Text)],
            vec![],
            "libclang-dev",
            "",
        ),
        (
            "other_clang_libraries_are_not_libclang",
            vec![
                ("usr/lib/x86_64-linux-gnu/libclang_rt.asan.so", Elf64),
                ("usr/lib/llvm-14/lib/libclangBasic.a", Elf64),
            ],
            vec![],
            "libclang-dev",
            "",
        ),
        (
            "libclang_path_names_a_folder",
            vec![("opt/clang/lib/libclang.so.13", Elf64)],
            vec![("LIBCLANG_PATH", "$ROOT/opt/clang/lib")],
            "",
            "$ROOT/opt/clang/lib/libclang.so.13",
        ),
        (
            "libclang_path_names_the_file",
            vec![("opt/clang/lib/libclang-13.so", Elf64)],
            vec![("LIBCLANG_PATH", "$ROOT/opt/clang/lib/libclang-13.so")],
            "",
            "$ROOT/opt/clang/lib/libclang-13.so",
        ),
        (
            "libclang_path_alone_is_searched",
            vec![("usr/lib/libclang.so", Elf64), ("opt/empty/README", Text)],
            vec![("LIBCLANG_PATH", "$ROOT/opt/empty")],
            "libclang-dev",
            "",
        ),
        (
            "ld_library_path_is_searched",
            vec![("home/me/llvm/libclang.so.17", Elf64)],
            vec![("LD_LIBRARY_PATH", "/nowhere:$ROOT/home/me/llvm")],
            "",
            "$ROOT/home/me/llvm/libclang.so.17",
        ),
        (
            "no_cxx_compiler",
            vec![("usr/lib/libclang.so", Elf64)],
            vec![("CXX", "no-such-c++")],
            "g++",
            "$ROOT/usr/lib/libclang.so",
        ),
    ];
    for (name, files, env, missing, found) in rows {
        assert_eq!(
            prereq_check("guanxi_missing_build", &files, &env),
            missing,
            "{name}: missing"
        );
        assert_eq!(
            prereq_check("guanxi_find_libclang || true", &files, &env),
            found,
            "{name}: found"
        );
    }

    // Drawing and browsing: a program counts when it does its job, not when its name exists.
    let svg = ("bin/dot", Script("cat >/dev/null; echo '<svg></svg>'"));
    let cjk = ("bin/fc-list", Script("echo 'Noto Sans CJK SC'"));
    let drawing: Vec<(&str, FakeFiles, &str)> = vec![
        ("graphviz_and_a_cjk_font", vec![svg, cjk], ""),
        (
            "dot_that_draws_nothing",
            vec![
                (
                    "bin/dot",
                    Script("echo 'Format: \"svg\" not recognized' >&2; exit 1"),
                ),
                cjk,
            ],
            "graphviz",
        ),
        (
            "no_cjk_font",
            vec![svg, ("bin/fc-list", Script("true"))],
            "fonts-noto-cjk",
        ),
    ];
    for (name, files, missing) in drawing {
        assert_eq!(
            prereq_check("guanxi_missing_drawing", &files, &[]),
            missing,
            "{name}"
        );
    }
    let working = [("bin/chromium", Script("echo 'Chromium 120'"))];
    assert_eq!(
        prereq_check("guanxi_chromium", &working, &[]),
        "$ROOT/bin/chromium"
    );
    let broken: Vec<(&str, Fake)> = ["bin/chromium", "bin/chromium-browser", "bin/google-chrome"]
        .into_iter()
        .map(|b| (b, Script("exit 1")))
        .collect();
    assert_eq!(prereq_check("guanxi_chromium || true", &broken, &[]), "");
}

/// The event gold (`tests/data/events/gold.jsonl`): reports drawn at random from the archive
/// that give no day, each tied by hand to the event it refers to or to none. The store of
/// their articles ties them with a precision of at least 0.9, and finds every one that refers
/// to an event.
#[test]
fn undated_reports_join_the_events_they_refer_to() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    run(bin()
        .arg("ingest")
        .arg(root().join("tests/data/events/articles"))
        .arg("--store")
        .arg(&store));
    let o = run(bin()
        .arg("eval-events")
        .arg("--gold")
        .arg(root().join("tests/data/events/gold.jsonl"))
        .arg("--store")
        .arg(&store));
    let text = String::from_utf8(o.stdout).unwrap();
    let last = text.lines().last().unwrap_or_default();
    let number = |after: &str| -> f64 {
        last.split(after)
            .nth(1)
            .and_then(|s| s.split_whitespace().next())
            .and_then(|s| s.trim_end_matches([',', ';']).parse().ok())
            .unwrap_or_else(|| panic!("no {after} in {last}"))
    };
    assert!(number("precision ") >= 0.9, "{text}");
    assert!(number("right ") >= 4.0, "{text}");
    // A report the extraction no longer makes costs nothing where it referred to no event.
    assert!(
        text.lines()
            .filter(|l| l.contains("[report not found]"))
            .all(|l| l.contains("(gold none)")),
        "{text}"
    );
}

/// Articles added a few at a time (and one read again) re-resolve only the events they touch,
/// and the store holds what one `--full` run over the same files makes, byte for byte.
#[test]
fn incremental_runs_give_the_graph_of_a_full_run() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("tests/data/events/articles"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let store = dir.path().join("store");
    let ingest = |store: &Path, full: bool| {
        let mut c = bin();
        c.arg("ingest").arg(&input).arg("--store").arg(store);
        if full {
            c.arg("--full");
        }
        String::from_utf8_lossy(&run(&mut c).stderr).to_string()
    };
    // Three runs, each adding every third article.
    for part in 0..3 {
        for (i, f) in files.iter().enumerate().filter(|(i, _)| i % 3 == part) {
            std::fs::copy(f, input.join(format!("{i:03}.md"))).unwrap();
        }
        ingest(&store, false);
    }
    // One article changed: read again, its events resolved again.
    let changed = input.join("001.md");
    let text = std::fs::read_to_string(&changed).unwrap();
    std::fs::write(&changed, text.replacen('，', "， ", 1)).unwrap();
    let again = ingest(&store, false);
    assert!(again.contains("stored 1,"), "{again}");
    let full = dir.path().join("full");
    ingest(&full, true);
    let export = |store: &Path| {
        run(bin()
            .args(["export", "--format", "nquads", "--store"])
            .arg(store))
        .stdout
    };
    let (a, b) = (export(&store), export(&full));
    assert!(a.len() > 100_000, "{} bytes", a.len());
    if a != b {
        let (a, b) = (String::from_utf8_lossy(&a), String::from_utf8_lossy(&b));
        let only_a: Vec<&str> = a.lines().filter(|l| !b.contains(l)).take(5).collect();
        let only_b: Vec<&str> = b.lines().filter(|l| !a.contains(l)).take(5).collect();
        panic!(
            "incremental and full differ:\nonly incremental: {only_a:#?}\nonly full: {only_b:#?}"
        );
    }
}

/// Ingests `d` into `store`, writing the skip report to `report`: what the run told.
fn ingest_reporting(d: &Path, store: &Path, report: &Path) -> String {
    let o = run(bin()
        .arg("ingest")
        .arg(d)
        .arg("--store")
        .arg(store)
        .arg("--report")
        .arg(report));
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// Stores the example article `name` from a folder `first`, then, in a later run, a copy
/// `later_name` edited by `edit` from a folder `later`, which must be a duplicate for `why`.
/// Gives the temporary folder, the first folder, the store and the report path, and the text.
fn stored_then_duplicate(
    name: &str,
    later_name: &str,
    edit: impl Fn(&str) -> String,
    why: &str,
) -> (tempfile::TempDir, PathBuf, PathBuf, PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let (first, later) = (dir.path().join("first"), dir.path().join("later"));
    std::fs::create_dir(&first).unwrap();
    std::fs::create_dir(&later).unwrap();
    let text = std::fs::read_to_string(root().join("examples/articles").join(name)).unwrap();
    std::fs::write(first.join(name), &text).unwrap();
    std::fs::write(later.join(later_name), edit(&text)).unwrap();
    let report = dir.path().join("report.jsonl");
    let one = ingest_reporting(&first, &store, &report);
    assert!(one.contains("stored 1,"), "{one}");
    let two = ingest_reporting(&later, &store, &report);
    assert!(
        two.contains("stored 0,") && two.contains("duplicates 1"),
        "{two}"
    );
    let lines = std::fs::read_to_string(&report).unwrap();
    assert!(lines.contains(why), "{lines}");
    (dir, first, store, report, text)
}

/// The same article under another URL, in a later run, is a duplicate of the stored one, as it
/// is within one run: runs of a few files keep what one run over them all keeps.
#[test]
fn a_copy_under_another_url_in_a_later_run_is_a_duplicate() {
    let name = "030_voa_20200911_dip.txt";
    stored_then_duplicate(
        name,
        name,
        |t| {
            t.replace(
                "china-india-diplomacy-/5579475",
                "china-india-diplomacy-copy/5579475",
            )
        },
        "same body as a stored article",
    );
}

/// The same URL read from another file in a later run, with other content (a live page
/// fetched again), is a duplicate of the stored one, as it is within one run; the same file
/// changed replaces it.
#[test]
fn a_url_stored_from_another_file_is_a_duplicate_in_a_later_run() {
    let name = "030_voa_20200911_dip.txt";
    let (_dir, first, store, report, text) = stored_then_duplicate(
        name,
        "refetched.txt",
        |t| t.replacen("中国国家媒体新华社报道说", "新华社报道说", 1),
        "same url as a stored article",
    );
    // The first file, changed, is read again and replaces its article.
    std::fs::write(first.join(name), text.replacen('，', "， ", 1)).unwrap();
    let three = ingest_reporting(&first, &store, &report);
    assert!(three.contains("stored 1,"), "{three}");
}
