//! `guanxi bench`: throughput of each stage on the same articles, and the two reference
//! ratios — the pipeline against bare jieba-rs segmentation of the same texts, and our store
//! loading against Oxigraph's own bulk loader on the same quads. Prints a table; asserts nothing.

use std::fs;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use guanxi_extract::Extractor;
use guanxi_ingest::IngestConfig;
use guanxi_rdf::ArticleQuads;

/// Files per block: the stages take turns on blocks of this many files. A block's bare cut
/// takes about a tenth of a second, long enough for the segmenter's tables to be as warm as
/// in a cut of the whole.
const BENCH_BLOCK: usize = 1000;

/// Seconds `f` takes, with its result.
fn timed<T>(f: impl FnOnce() -> T) -> (f64, T) {
    let t = Instant::now();
    let out = f();
    (t.elapsed().as_secs_f64(), out)
}

/// Seconds of one round of the in-memory stages.
#[derive(Clone, Copy)]
struct Round {
    parse: f64,
    cut: f64,
    extract: f64,
    map: f64,
}

impl Round {
    /// Ratio (a) of this round: parse + extract throughput against the bare cut's.
    fn ratio(&self) -> f64 {
        self.cut / (self.parse + self.extract).max(f64::MIN_POSITIVE)
    }
}

/// The median of `xs` (0 for none).
fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    match xs.len() {
        0 => 0.0,
        n if n % 2 == 1 => xs[n / 2],
        n => (xs[n / 2 - 1] + xs[n / 2]) / 2.0,
    }
}

/// Runs every stage over the first `limit` files of `paths`, single-threaded, so the
/// ratios compare like with like. The in-memory stages run in `repeat` rounds; in each, the
/// stages (parse, bare cut, extraction, mapping) take turns on each block of
/// [`BENCH_BLOCK`] files, so that none is timed in a quieter or busier spell of the machine
/// than the stage it is compared with. Each stage's fastest round counts; `no_store` skips
/// the two store loads.
pub fn bench(paths: &[PathBuf], limit: Option<usize>, repeat: u32, no_store: bool) -> Result<()> {
    let mut files = guanxi_app::collect_files(paths, &guanxi_app::SkipLines)?;
    if let Some(n) = limit {
        files.truncate(n);
    }
    let t = Instant::now();
    let inputs: Vec<(String, Vec<u8>)> = files
        .iter()
        .filter_map(|f| fs::read(f).ok().map(|b| (f.display().to_string(), b)))
        .collect();
    let read_s = t.elapsed().as_secs_f64();
    let bytes: usize = inputs.iter().map(|(_, b)| b.len()).sum();
    let mb = bytes as f64 / 1e6;
    let config = IngestConfig::default();

    let (load_jieba_s, jieba) = timed(jieba_rs::Jieba::new);
    let (load_extractor_s, extractor) = timed(Extractor::new);
    let mut rounds: Vec<Round> = Vec::new();
    let mut articles: Vec<guanxi_core::Article> = Vec::new();
    let mut words = 0;
    let mut mapped: Vec<ArticleQuads> = Vec::new();
    for _ in 0..repeat.max(1) {
        // (The last round's results are dropped first, so that each round starts alike.)
        mapped.clear();
        articles.clear();
        words = 0;
        extractor.forget();
        let mut round = Round {
            parse: 0.0,
            cut: 0.0,
            extract: 0.0,
            map: 0.0,
        };
        // The stages take turns on blocks of files, so that a busy spell of the machine
        // falls on all of them alike.
        for block in inputs.chunks(BENCH_BLOCK) {
            let (parse, parsed) = timed(|| {
                block
                    .iter()
                    .flat_map(|(name, b)| guanxi_ingest::parse_file(name, None, b, &config).items)
                    .filter_map(|i| i.result.ok())
                    .collect::<Vec<guanxi_core::Article>>()
            });
            let (cut, cut_words) = timed(|| {
                parsed
                    .iter()
                    .map(|a| jieba.cut(&a.text, true).len())
                    .sum::<usize>()
            });
            let (extract, extractions) = timed(|| {
                parsed
                    .chunks(guanxi_app::EXTRACT_CHUNK)
                    .flat_map(|c| extractor.extract_many(&c.iter().collect::<Vec<_>>()))
                    .collect::<Vec<guanxi_core::Extraction>>()
            });
            let (map, quads) = timed(|| {
                parsed
                    .iter()
                    .zip(&extractions)
                    .filter_map(|(a, ex)| guanxi_rdf::article_quads(a, ex).ok())
                    .collect::<Vec<ArticleQuads>>()
            });
            round.parse += parse;
            round.cut += cut;
            round.extract += extract;
            round.map += map;
            words += cut_words;
            articles.extend(parsed);
            mapped.extend(quads);
        }
        rounds.push(round);
    }
    let fastest = |f: fn(&Round) -> f64| rounds.iter().map(f).fold(f64::INFINITY, f64::min);
    let (parse_s, cut_s, extract_s, map_s) = (
        fastest(|r| r.parse),
        fastest(|r| r.cut),
        fastest(|r| r.extract),
        fastest(|r| r.map),
    );
    let n = articles.len() as f64;
    let text_mb = articles.iter().map(|a| a.text.len()).sum::<usize>() as f64 / 1e6;
    let quads: usize = mapped.iter().map(|m| m.quads.len() + m.shared.len()).sum();

    let loads = if no_store {
        None
    } else {
        Some(load_both(&mapped)?)
    };

    let rate = |count: f64, s: f64| if s > 0.0 { count / s } else { 0.0 };
    println!(
        "files {} ({mb:.1} MB), articles {n}, text {text_mb:.1} MB, quads {quads}{}; fastest of {} round(s)",
        inputs.len(),
        loads.map_or(String::new(), |((_, stored), (_, bulk))| format!(
            " (stored {stored}, bulk {bulk})"
        )),
        rounds.len()
    );
    println!("stage                         seconds   articles/s       MB/s");
    let row = |name: &str, s: f64, m: f64| {
        println!(
            "{name:<28} {s:>8.2} {:>12.1} {:>10.2}",
            rate(n, s),
            rate(m, s)
        )
    };
    row("read files", read_s, mb);
    row("parse (ingest)", parse_s, mb);
    row("bare jieba cut (same texts)", cut_s, text_mb);
    row("extract", extract_s, text_mb);
    row("map to RDF", map_s, text_mb);
    row("parse + extract", parse_s + extract_s, mb);
    row("parse + extract + map", parse_s + extract_s + map_s, mb);
    if let Some(((ours_s, _), (bulk_s, _))) = loads {
        println!(
            "store load (ours)            {ours_s:>8.2} {:>12.1}   {:>8.0} quads/s",
            rate(n, ours_s),
            rate(quads as f64, ours_s)
        );
        println!(
            "Oxigraph bulk loader         {bulk_s:>8.2} {:>12.1}   {:>8.0} quads/s",
            rate(n, bulk_s),
            rate(quads as f64, bulk_s)
        );
    }
    println!("one-off: jieba dictionary {load_jieba_s:.2} s, extractor {load_extractor_s:.2} s; {words} words cut");
    println!(
        "ratio (a) parse+extract throughput / bare segmentation: {:.1} % ({:.1} % with the mapping to RDF)",
        100.0 * rate(n, parse_s + extract_s) / rate(n, cut_s).max(f64::MIN_POSITIVE),
        100.0 * rate(n, parse_s + extract_s + map_s) / rate(n, cut_s).max(f64::MIN_POSITIVE)
    );
    if rounds.len() > 1 {
        let each: Vec<String> = rounds
            .iter()
            .map(|r| format!("{:.1}", 100.0 * r.ratio()))
            .collect();
        println!(
            "ratio (a) round by round: {} % (median {:.1} %)",
            each.join(", "),
            100.0 * median(rounds.iter().map(Round::ratio).collect())
        );
    }
    if let Some(((ours_s, _), (bulk_s, _))) = loads {
        println!(
            "ratio (b) our store load / Oxigraph bulk loader:        {:.1} %",
            100.0 * rate(quads as f64, ours_s) / rate(quads as f64, bulk_s).max(f64::MIN_POSITIVE)
        );
    }
    Ok(())
}

/// Our store loading and Oxigraph's bulk loader on the same quads: seconds and stored quads
/// for each.
fn load_both(mapped: &[ArticleQuads]) -> Result<((f64, usize), (f64, usize))> {
    // Our loading: batches of 512 articles through `load_articles`, as `ingest` does.
    let dir = std::env::temp_dir().join(format!("guanxi-bench-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let ours = guanxi_store::Store::open(&dir.join("ours")).context("cannot open a bench store")?;
    let t = Instant::now();
    for chunk in mapped.chunks(512) {
        ours.load_articles(chunk)?;
    }
    ours.flush()?;
    let ours_s = t.elapsed().as_secs_f64();
    let stored = ours.len()?;
    drop(ours);

    // Oxigraph's bulk loader on the same quads, in one go.
    let theirs = oxigraph::store::Store::open(dir.join("oxigraph"))?;
    let all: Vec<oxigraph::model::Quad> = mapped
        .iter()
        .flat_map(|m| m.quads.iter().chain(m.shared.iter()).cloned())
        .collect();
    let t = Instant::now();
    let mut loader = theirs.bulk_loader().with_num_threads(1);
    loader.load_quads(all)?;
    loader.commit()?;
    theirs.flush()?;
    let bulk_s = t.elapsed().as_secs_f64();
    let bulk_len = theirs.len()?;
    drop(theirs);
    let _ = fs::remove_dir_all(&dir);

    Ok(((ours_s, stored), (bulk_s, bulk_len)))
}
