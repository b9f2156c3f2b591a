//! Crash consistency: `guanxi ingest` killed with SIGKILL at random moments never leaves a
//! half-written store. After each kill the store opens, every article graph it holds is
//! exactly that article's graph in an uninterrupted run (no partial article), the shared
//! entity descriptions are a subset of the uninterrupted run's, the merged interactions are
//! absent or complete, a manifest is written only with everything it names; and a run to
//! completion ends with byte-identical N-Quads.
//!
//! Short by default (3 kills over 200 articles made from the examples, batches of 32 files).
//! `scripts/crashtest` runs it at length; the environment scales it:
//! `GUANXI_CRASH_KILLS`, `GUANXI_CRASH_ARTICLES`, `GUANXI_CRASH_INPUT` (a folder of real
//! articles: its first files in sorted order), `GUANXI_CRASH_BATCH` (files per batch),
//! `GUANXI_CRASH_SEED` (the random delays and modes), `GUANXI_CRASH_BIN` (the binary).
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// xorshift64*: the same kills for the same seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Every file under `dir`, sorted.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if e.file_type().unwrap().is_dir() {
                stack.push(p);
            } else if e.file_type().unwrap().is_file() {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The input: the first `n` files of a real corpus, or `n` articles made from the examples,
/// each with its own URL and a paragraph of its own; every 50th repeats the URL of the one
/// before (a duplicate) and every 40th is binary junk (a skipped file).
fn make_input(dir: &Path, n: usize) {
    std::fs::create_dir_all(dir).unwrap();
    if let Ok(corpus) = std::env::var("GUANXI_CRASH_INPUT") {
        let files = files_under(Path::new(&corpus));
        assert!(files.len() >= n, "{corpus} holds {} files", files.len());
        for (i, f) in files.iter().take(n).enumerate() {
            std::fs::copy(f, dir.join(format!("{i:05}.md"))).unwrap();
        }
        return;
    }
    let examples = files_under(&root().join("examples/articles"));
    let mut last_url = String::new();
    for i in 0..n {
        let path = dir.join(format!("{i:05}.txt"));
        if i % 40 == 39 {
            let junk: Vec<u8> = (0..3000u32).map(|k| (k * 7 + i as u32) as u8 % 9).collect();
            std::fs::write(path, junk).unwrap();
            continue;
        }
        let text = std::fs::read_to_string(&examples[i % examples.len()]).unwrap();
        let mut out = String::new();
        let mut done = false;
        for line in text.split_inclusive('\n') {
            let trimmed = line.trim_end();
            if !done && trimmed.starts_with('[') && trimmed.ends_with(')') {
                let (head, url) = trimmed.rsplit_once("](").unwrap();
                let url = url.trim_end_matches(')');
                let url = if i % 50 == 49 {
                    last_url.clone()
                } else {
                    format!("{url}-v{i}")
                };
                last_url = url.clone();
                out.push_str(&format!("{head}]({url})\n"));
                done = true;
            } else {
                out.push_str(line);
            }
        }
        assert!(done, "no link line in an example");
        out.push_str(&format!("\n<p>（本文为第{i}号稿件。）</p>\n"));
        std::fs::write(path, out).unwrap();
    }
}

/// The binary under test: `GUANXI_CRASH_BIN` (a copy, so that a rebuild during a long run
/// changes nothing), else the one cargo built.
fn bin() -> Command {
    let exe = std::env::var_os("GUANXI_CRASH_BIN").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_guanxi")),
        PathBuf::from,
    );
    let mut c = Command::new(exe);
    c.env_remove("GUANXI_STORE");
    c
}

fn ingest(input: &Path, store: &Path, batch: usize, full: bool) -> Command {
    let mut c = bin();
    c.arg("ingest")
        .arg(input)
        .arg("--store")
        .arg(store)
        .args(["--batch", &batch.to_string()]);
    if full {
        c.arg("--full");
    }
    c.stdout(Stdio::null()).stderr(Stdio::null());
    c
}

/// The store's sorted N-Quads; the store must open.
fn dump(store: &Path) -> String {
    let o = bin()
        .args(["export", "--format", "nquads", "--store"])
        .arg(store)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "the store does not open after the kill: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

/// N-Quads lines by graph name (the last term of a line).
fn by_graph(nq: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in nq.lines() {
        let body = line.strip_suffix(" .").unwrap();
        let (_, g) = body.rsplit_once(' ').unwrap();
        out.entry(g.to_string())
            .or_default()
            .insert(line.to_string());
    }
    out
}

const ARTICLE_GRAPH: &str = "<https://w3id.org/guanxi/id/graph/article/";
const ENTITIES: &str = "<https://w3id.org/guanxi/id/graph/entities>";
const EVENTS: &str = "<https://w3id.org/guanxi/id/graph/events>";

/// What a killed run may leave: every article graph whole, entity descriptions of the
/// reference, interactions absent or complete, and a manifest only beside a complete store.
/// Returns the number of article graphs present.
fn check_killed(
    store: &Path,
    reference: &BTreeMap<String, BTreeSet<String>>,
    reference_nq: &str,
    after_complete_run: bool,
) -> usize {
    if !store.exists() {
        // Killed before it created the store (an early kill on a slow start): nothing was
        // written, which is consistent, and the next run starts afresh.
        assert!(
            !after_complete_run,
            "a killed run removed the complete store"
        );
        return 0;
    }
    let nq = dump(store);
    let got = by_graph(&nq);
    let mut articles = 0;
    for (g, lines) in &got {
        let want = reference.get(g);
        if g.starts_with(ARTICLE_GRAPH) {
            let want = want.unwrap_or_else(|| panic!("{g} is not in the uninterrupted run"));
            assert!(
                lines == want,
                "{g}: partial or different article graph ({} quads, {} in the uninterrupted run)",
                lines.len(),
                want.len()
            );
            articles += 1;
        } else if g == ENTITIES {
            let want = want.unwrap();
            let extra: Vec<_> = lines.difference(want).take(3).collect();
            assert!(
                extra.is_empty(),
                "entity quads not in the uninterrupted run: {extra:?}"
            );
        } else if g == EVENTS {
            assert!(
                Some(lines) == want,
                "merged interactions half-written: {} quads, {} in the uninterrupted run",
                lines.len(),
                want.map_or(0, BTreeSet::len)
            );
        } else {
            panic!("unexpected graph {g}");
        }
    }
    if after_complete_run {
        // Replacing articles one transaction at a time never loses one.
        let want = reference
            .keys()
            .filter(|g| g.starts_with(ARTICLE_GRAPH))
            .count();
        assert_eq!(articles, want, "articles lost while being replaced");
    } else if store.join("guanxi-manifest.tsv").exists() {
        // The manifest is written last: with it, the store is complete.
        assert!(nq == reference_nq, "a manifest beside an incomplete store");
    }
    articles
}

#[test]
fn killed_ingest_leaves_whole_articles_and_a_rerun_the_same_store() {
    let kills: usize = env_or("GUANXI_CRASH_KILLS", 3);
    let n: usize = env_or("GUANXI_CRASH_ARTICLES", 200);
    let batch: usize = env_or("GUANXI_CRASH_BATCH", 32);
    let seed: u64 = env_or("GUANXI_CRASH_SEED", 20_200_911);
    let mut rng = Rng(seed.max(1));
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    make_input(&input, n);

    // The uninterrupted run.
    let reference_store = dir.path().join("reference");
    let started = Instant::now();
    let st = ingest(&input, &reference_store, batch, false)
        .status()
        .unwrap();
    assert!(st.success());
    let run_time = started.elapsed();
    let reference_nq = dump(&reference_store);
    let reference = by_graph(&reference_nq);
    let n_articles = reference
        .keys()
        .filter(|g| g.starts_with(ARTICLE_GRAPH))
        .count();
    assert!(n_articles > n / 2, "only {n_articles} articles stored");

    let store = dir.path().join("store");
    let (mut killed, mut finished_first, mut seen_partial) = (0, 0, 0);
    let mut modes = [0usize; 3];
    let started = Instant::now();
    for k in 0..kills {
        // 0: a fresh store; 1: `--full` over the complete store (articles replaced in
        // transactions); 2: a fresh store killed twice before it completes.
        let mode = if k == 0 { 0 } else { rng.below(3) as usize };
        modes[mode] += 1;
        if mode != 1 {
            let _ = std::fs::remove_dir_all(&store);
        }
        let rounds = if mode == 2 { 2 } else { 1 };
        for _ in 0..rounds {
            let delay = Duration::from_micros(rng.below(run_time.as_micros() as u64 * 11 / 10));
            let mut child = ingest(&input, &store, batch, mode == 1).spawn().unwrap();
            std::thread::sleep(delay);
            let done_before = child.try_wait().unwrap().is_some();
            child.kill().ok(); // SIGKILL
            child.wait().unwrap();
            if done_before {
                finished_first += 1;
            } else {
                killed += 1;
            }
            let present = check_killed(&store, &reference, &reference_nq, mode == 1);
            if present > 0 && present < n_articles {
                seen_partial += 1;
            }
        }
        let st = ingest(&input, &store, batch, false).status().unwrap();
        assert!(st.success(), "the run after kill {k} failed");
        assert!(
            dump(&store) == reference_nq,
            "after kill {k} (mode {mode}) a run to completion differs from the uninterrupted run"
        );
        eprintln!(
            "kill {}/{kills} (mode {mode}): consistent, completed identically ({:.0} s)",
            k + 1,
            started.elapsed().as_secs_f64()
        );
        let leftovers: Vec<_> = std::fs::read_dir(&store)
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("bulk-"))
            .map(|e| e.file_name())
            .collect();
        assert!(leftovers.is_empty(), "bulk files left over: {leftovers:?}");
    }
    eprintln!(
        "crash test (seed {seed}): {killed} kills, {finished_first} runs finished before their kill, \
         {seen_partial} kills left a partly ingested store; modes fresh/full/twice {modes:?}; \
         {n} files, {n_articles} articles, {} quads; every store after a kill consistent, every \
         final store identical to the uninterrupted run ({:.0} s)",
        reference_nq.lines().count(),
        started.elapsed().as_secs_f64()
    );
}
