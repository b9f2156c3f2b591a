//! Guanxi's application layer: the runs by which articles become quads and reach a store.
//!
//! Main design decision: there is one ingest path. [`ingest`] is the only way articles reach
//! a store, whichever command asks (the CLI's `ingest`, `build` and `eval`, a service), so a
//! score describes exactly the store an ingest builds. A run never stops on a bad file: it is
//! skipped with a one-line reason, counted, and told to the run's [`Progress`]; only the
//! store, the report or the manifest failing stops it ([`AppError`]).

mod error;
mod files;
mod guard;
mod manifest;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use guanxi_core::Extraction;
use guanxi_extract::{ExtractOptions, Extractor};
use guanxi_ingest::IngestConfig;
use guanxi_rdf::{ArticleQuads, RdfFormat};
use guanxi_store::Store;

pub use error::AppError;
pub use files::collect_files;
pub use guard::printable;

use files::{parse_path, ParsedFile};
use guard::guarded;
use manifest::{load_manifest, program_fingerprint, save_manifest, Manifest, READ_AGAIN};

/// What a run tells as it goes: skipped files and items, and batches done. Skips are also
/// counted in the summary; a progress only shows them.
pub trait Progress: Sync {
    /// A file or item was skipped: its label (a file name, or a feed item's) and one line of
    /// reason.
    fn skipped(&self, label: &str, reason: &str);
    /// A batch of `files` files is done; `stored` articles so far.
    fn advanced(&self, files: usize, stored: usize);
    /// The run is over (its last batch done).
    fn finished(&self);
}

/// A progress that only prints skip lines on stderr, safely on one line each.
#[derive(Debug, Default, Clone, Copy)]
pub struct SkipLines;

impl Progress for SkipLines {
    fn skipped(&self, label: &str, reason: &str) {
        eprintln!("skipped {}: {}", printable(label), printable(reason));
    }
    fn advanced(&self, _files: usize, _stored: usize) {}
    fn finished(&self) {}
}

/// A progress that tells nothing (tests, services that report only the summary).
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

impl Progress for Silent {
    fn skipped(&self, _label: &str, _reason: &str) {}
    fn advanced(&self, _files: usize, _stored: usize) {}
    fn finished(&self) {}
}

/// What an ingest run did.
#[derive(Debug, Default)]
pub struct IngestSummary {
    /// Files found under the given paths.
    pub files: usize,
    /// Articles read from them (a feed or an export holds several).
    pub read: usize,
    /// Articles written to the store.
    pub stored: usize,
    /// Articles not stored because an earlier one had the same URL or the same body.
    pub duplicates: usize,
    /// Files or items skipped, by reason.
    pub skipped: BTreeMap<&'static str, usize>,
    /// Articles per detected format.
    pub formats: BTreeMap<&'static str, usize>,
    /// Articles whose publisher is unknown (publication dates read in UTC).
    pub unknown_publisher: usize,
    /// Files skipped because their content is unchanged since they were ingested.
    pub unchanged: usize,
    /// Quads written.
    pub quads: usize,
    /// Entity mentions in the stored articles.
    pub entities: usize,
    /// Interaction reports in the stored articles.
    pub reports: usize,
    /// Merged interactions in the whole store after the run.
    pub interactions: usize,
    /// Reports in the whole store after the run.
    pub stored_reports: usize,
}

impl IngestSummary {
    /// Files or items skipped, whatever the reason.
    pub fn skipped_total(&self) -> usize {
        self.skipped.values().sum()
    }
}

/// Options of an ingest run.
#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// Write every skipped file or item and every duplicate here, one JSON object per line.
    pub report: Option<PathBuf>,
    /// Refuse files larger than this (bytes).
    pub max_bytes: Option<usize>,
    /// Read every file again, even those the manifest says are unchanged, and resolve every
    /// event again from all the reports in the store.
    pub full: bool,
    /// Files per batch (default 512).
    pub batch: Option<usize>,
}

/// What a store-less extraction did.
#[derive(Debug, Default)]
pub struct ExtractSummary {
    /// Files found.
    pub files: usize,
    /// Articles written as quads.
    pub articles: usize,
    /// Quads written.
    pub quads: usize,
    /// Articles not written because an earlier one had the same URL.
    pub duplicates: usize,
    /// Files or items skipped.
    pub skipped: usize,
}

/// Options of a store-less extraction.
#[derive(Debug, Clone, Copy)]
pub struct ExtractConfig {
    /// Refuse files larger than this (bytes).
    pub max_bytes: usize,
    /// How much of each article the extractor reads.
    pub options: ExtractOptions,
}

/// Files read, parsed and extracted in parallel at a time (unless `--batch` says otherwise);
/// memory is bounded by one batch.
const BATCH: usize = 512;

/// Articles one worker extracts together (see [`Extractor::extract_many`]).
pub const EXTRACT_CHUNK: usize = 128;

type Extracted = Result<(Extraction, ArticleQuads), (&'static str, String)>;

/// Extracts and maps articles in parallel, [`EXTRACT_CHUNK`] at a time per worker, in order.
/// A panic in a chunk sends its articles through one by one, so only the article that
/// panics is lost, with the reason.
fn extract_articles(
    keep: &[(String, guanxi_core::Article)],
    extractor: &Extractor,
) -> Vec<Extracted> {
    use rayon::prelude::*;
    keep.par_chunks(EXTRACT_CHUNK)
        .flat_map_iter(|chunk| {
            let articles: Vec<&guanxi_core::Article> = chunk.iter().map(|(_, a)| a).collect();
            let together = guarded(|| extractor.extract_many(&articles));
            match together {
                Ok(exs) if exs.len() == articles.len() => articles
                    .iter()
                    .zip(exs)
                    .map(|(a, ex)| map_article(a, ex))
                    .collect::<Vec<_>>(),
                _ => articles
                    .iter()
                    .map(|a| extract_article(a, extractor))
                    .collect(),
            }
        })
        .collect()
}

/// Extracts and maps one article; a panic becomes a reason.
fn extract_article(article: &guanxi_core::Article, extractor: &Extractor) -> Extracted {
    match guarded(|| extractor.extract(article)) {
        Ok(ex) => map_article(article, ex),
        Err(r) => Err(("internal error", r)),
    }
}

/// Maps one article's extraction to its quads; a panic becomes a reason.
fn map_article(article: &guanxi_core::Article, ex: Extraction) -> Extracted {
    match guarded(|| guanxi_rdf::article_quads(article, &ex)) {
        Ok(Ok(aq)) => Ok((ex, aq)),
        Ok(Err(e)) => Err(("unmappable", e.to_string())),
        Err(r) => Err(("internal error", r)),
    }
}

/// Writes the skip-and-duplicate report, one JSON object per line.
struct Report(Option<(PathBuf, BufWriter<File>)>);

impl Report {
    /// A skipped file or item: told to the progress, counted by reason, and written to the
    /// report.
    fn skip(
        &mut self,
        progress: &dyn Progress,
        sum: &mut IngestSummary,
        label: &str,
        kind: &'static str,
        reason: &str,
    ) -> Result<(), AppError> {
        progress.skipped(label, reason);
        *sum.skipped.entry(kind).or_default() += 1;
        self.line(label, "skipped", kind, reason)
    }

    fn line(
        &mut self,
        file: &str,
        status: &str,
        reason: &str,
        detail: &str,
    ) -> Result<(), AppError> {
        if let Some((path, w)) = self.0.as_mut() {
            let v = serde_json::json!({"file": file, "status": status, "reason": reason, "detail": detail});
            writeln!(w, "{v}").map_err(AppError::io("write", path))?;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), AppError> {
        if let Some((path, w)) = self.0.as_mut() {
            w.flush().map_err(AppError::io("write", path))?;
        }
        Ok(())
    }
}

/// Up to this many articles written, a run resolves only the events they touch; beyond, all
/// (reading every report once is then cheaper than reading each article's blocks).
pub const INCREMENTAL_MAX: usize = 2_000;

/// A value built on another thread, waited for when first needed.
enum Deferred<T> {
    Building(std::thread::JoinHandle<T>),
    Built(T),
    /// The thread building it stopped.
    Lost,
}

impl<T> Deferred<T> {
    fn get(&mut self) -> Result<&T, AppError> {
        if let Deferred::Building(_) = self {
            let Deferred::Building(h) = std::mem::replace(self, Deferred::Lost) else {
                return Err(AppError::ExtractorLost);
            };
            *self = h.join().map_or(Deferred::Lost, Deferred::Built);
        }
        match self {
            Deferred::Built(v) => Ok(v),
            _ => Err(AppError::ExtractorLost),
        }
    }
}

/// An ingest run of `files` into `store`: the one path by which articles reach a store
/// (`ingest`, `build` and `eval` all take it). Batches of files are parsed in parallel,
/// duplicates decided in file order, articles extracted in parallel and written one batch
/// behind by a writer thread; then the merged interactions are rebuilt. With `manifest_dir`,
/// the manifest there says which files are unchanged and is written after the run.
pub fn ingest(
    store: &Store,
    files: &[PathBuf],
    manifest_dir: Option<&Path>,
    opts: &IngestOptions,
    progress: &dyn Progress,
) -> Result<IngestSummary, AppError> {
    use rayon::prelude::*;
    // The extractor (its dictionaries take a tenth of a second and more) is built while the
    // manifest is read and the first files parsed; a run with nothing new never waits for it.
    let mut extractor = Deferred::Building(std::thread::spawn(Extractor::new));
    let mut config = IngestConfig::default();
    if let Some(m) = opts.max_bytes {
        config.max_bytes = m;
    }
    let mut report = Report(match &opts.report {
        Some(p) => Some((
            p.clone(),
            BufWriter::new(File::create(p).map_err(AppError::io("write", p))?),
        )),
        None => None,
    });
    let mut sum = IngestSummary {
        files: files.len(),
        ..IngestSummary::default()
    };
    // --full reads every file, but keeps what the manifest knows of files outside this run.
    // Hashing the executable (tens of MB) is done once per run.
    let fingerprint = program_fingerprint();
    let mut manifest = manifest_dir
        .map(|d| load_manifest(d, &fingerprint))
        .unwrap_or_default();
    let had_manifest = !manifest.is_empty() && !opts.full;
    let no_skip = Manifest::new();
    let skip_known = if opts.full { &no_skip } else { &manifest };
    let mut updated: Vec<(String, u64)> = Vec::new();
    // The articles written: their events are resolved again.
    let mut written: Vec<String> = Vec::new();
    let mut seen_urls: HashMap<String, String> = HashMap::new();
    let mut seen_bodies: HashMap<String, String> = HashMap::new();
    // Store writes run on their own thread, one batch behind parsing and extraction.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<(String, ArticleQuads)>>(1);
    let store_ref = store;
    std::thread::scope(|scope| -> Result<(), AppError> {
        let writer = scope.spawn(move || -> Result<(), AppError> {
            for batch in rx {
                let quads: Vec<ArticleQuads> = batch.into_iter().map(|(_, aq)| aq).collect();
                store_ref
                    .load_articles(&quads)
                    .map_err(AppError::store("write to the store"))?;
            }
            Ok(())
        });
        for batch in files.chunks(opts.batch.unwrap_or(BATCH).max(1)) {
            let parsed: Vec<ParsedFile> = batch
                .par_iter()
                .map(|f| parse_path(f, &config, skip_known))
                .collect();
            // Sequential, in file order: duplicates are decided the same way on every run.
            let mut keep: Vec<(String, guanxi_core::Article)> = Vec::new();
            for pf in parsed {
                if pf.unchanged {
                    sum.unchanged += 1;
                    continue;
                }
                // A file that read cleanly is remembered; one with a bad item is remembered as
                // one to read again next time.
                let all_ok = pf.items.iter().all(|i| i.article.is_ok());
                if let Some(h) = pf.hash {
                    updated.push((pf.key.clone(), if all_ok { h } else { READ_AGAIN }));
                }
                for item in pf.items {
                    let article = match item.article {
                        Ok(a) => a,
                        Err((kind, reason)) => {
                            report.skip(progress, &mut sum, &item.label, kind, &reason)?;
                            continue;
                        }
                    };
                    sum.read += 1;
                    *sum.formats
                        .entry(pf.format.unwrap_or("unknown"))
                        .or_default() += 1;
                    if !item.notes.is_empty() {
                        sum.unknown_publisher += 1;
                    }
                    for n in &item.notes {
                        report.line(&item.label, "note", "unknown publisher", n)?;
                    }
                    let url_key = guanxi_rdf::article_key(&article);
                    let body = guanxi_rdf::body_key(&article);
                    // An article a run before took in under another URL is one too, so that
                    // runs of a few files at a time keep what one run over them all keeps.
                    let stored_before = match &body {
                        Some(b) if !seen_bodies.contains_key(b) => store
                            .article_with_body(b)
                            .map_err(AppError::store("look up an article's body"))?
                            .filter(|a| a.as_str() != guanxi_rdf::article_iri(&url_key).as_str()),
                        _ => None,
                    };
                    // An article a run before took in from another file under this URL: the
                    // first file keeps it, as in one run over them all. A file the manifest
                    // knows is the same file, changed: it replaces its article (with no
                    // manifest, as after an upgrade, the same file name tells it).
                    let url_stored_before = if seen_urls.contains_key(&url_key)
                        || manifest.contains_key(&pf.key)
                    {
                        None
                    } else {
                        let iri = guanxi_rdf::article_iri(&url_key);
                        store
                            .article_source_file(iri.as_str())
                            .map_err(AppError::store("look up an article's file"))?
                            .filter(|f| {
                                !manifest.is_empty()
                                    || f.as_str() != guanxi_rdf::source_file_name(&article.source)
                            })
                    };
                    let earlier = seen_urls
                        .get(&url_key)
                        .map(|f| ("same url", f.clone()))
                        .or_else(|| url_stored_before.map(|f| ("same url as a stored article", f)))
                        .or_else(|| {
                            body.as_ref()
                                .and_then(|b| seen_bodies.get(b))
                                .map(|f| ("same body", f.clone()))
                        })
                        .or_else(|| stored_before.map(|a| ("same body as a stored article", a)));
                    if let Some((why, first)) = earlier {
                        sum.duplicates += 1;
                        report.line(&item.label, "duplicate", why, &first)?;
                        continue;
                    }
                    seen_urls.insert(url_key, item.label.clone());
                    if let Some(b) = body {
                        seen_bodies.insert(b, item.label.clone());
                    }
                    keep.push((item.label, article));
                }
            }
            let extracted = if keep.is_empty() {
                Vec::new()
            } else {
                extract_articles(&keep, extractor.get()?)
            };
            let mut writes = Vec::with_capacity(keep.len());
            for ((label, _), r) in keep.iter().zip(extracted) {
                match r {
                    Ok((ex, aq)) => {
                        sum.stored += 1;
                        written.push(guanxi_rdf::article_of_graph(&aq.graph));
                        sum.quads += aq.quads.len();
                        sum.entities += ex.entities.len();
                        sum.reports += ex.interactions.len();
                        writes.push((label.clone(), aq));
                    }
                    Err((kind, reason)) => {
                        report.skip(progress, &mut sum, label, kind, &reason)?;
                    }
                }
            }
            if tx.send(writes).is_err() {
                // The writer stopped on an error; join it below to report it.
                break;
            }
            progress.advanced(batch.len(), sum.stored);
        }
        drop(tx);
        writer.join().map_err(|_| AppError::WriterStopped)?
    })?;
    progress.finished();
    report.finish()?;
    // Nothing new: the merged interactions are those of the last run. A few articles added
    // to a store that knows its events: only the events they touch are resolved again (the
    // same graph as resolving all, which --full and large runs do).
    let (reports, events) = if sum.stored == 0 && had_manifest {
        store
            .event_counts()
            .map_err(AppError::store("count the interactions"))?
    } else if !opts.full && had_manifest && written.len() <= INCREMENTAL_MAX {
        store
            .update_events(&written)
            .map_err(AppError::store("resolve the events"))?;
        store
            .event_counts()
            .map_err(AppError::store("count the interactions"))?
    } else {
        store
            .rebuild_events()
            .map_err(AppError::store("merge the interactions"))?
    };
    sum.interactions = events;
    sum.stored_reports = reports;
    store.flush().map_err(AppError::store("flush the store"))?;
    if let Some(dir) = manifest_dir {
        manifest.extend(updated);
        save_manifest(dir, &manifest, &fingerprint)?;
    }
    Ok(sum)
}

/// Store-less extraction (`guanxi extract`): every article of `files` as N-Quads on `out`, with no store — its named
/// graph, then the entity descriptions not written before in this run — so a batch engine can
/// shard extraction over machines and load the pieces anywhere. Same parsing and skip lines
/// as `ingest`; duplicates by URL only (a shard cannot know other shards' bodies); the merged
/// interactions are left to the store that loads them. `options` say how much of each
/// article is read (the exhaustive reading gives the same quads, slowly).
pub fn extract(
    files: &[PathBuf],
    config: &ExtractConfig,
    out: &mut dyn Write,
    progress: &dyn Progress,
) -> Result<ExtractSummary, AppError> {
    use rayon::prelude::*;
    let mut extractor = Extractor::new();
    extractor.set_options(config.options);
    let ingest_config = IngestConfig {
        max_bytes: config.max_bytes,
        ..IngestConfig::default()
    };
    let none = Manifest::new();
    let mut seen_urls: HashSet<String> = HashSet::new();
    let mut shared_seen: HashSet<u64> = HashSet::new();
    let mut sum = ExtractSummary {
        files: files.len(),
        ..ExtractSummary::default()
    };
    let stdout = PathBuf::from("-");
    for batch in files.chunks(BATCH) {
        let parsed: Vec<ParsedFile> = batch
            .par_iter()
            .map(|f| parse_path(f, &ingest_config, &none))
            .collect();
        let mut keep = Vec::new();
        for item in parsed.into_iter().flat_map(|p| p.items) {
            match item.article {
                Ok(a) => {
                    if seen_urls.insert(guanxi_rdf::article_key(&a)) {
                        keep.push((item.label, a));
                    } else {
                        sum.duplicates += 1;
                    }
                }
                Err((_, reason)) => {
                    progress.skipped(&item.label, &reason);
                    sum.skipped += 1;
                }
            }
        }
        let done = extract_articles(&keep, &extractor);
        for ((label, _), r) in keep.iter().zip(done) {
            match r {
                Ok((_, aq)) => {
                    let mut q = aq.quads;
                    for s in aq.shared {
                        if shared_seen.insert(guanxi_store::quad_hash(&s)) {
                            q.push(s);
                        }
                    }
                    sum.quads += q.len();
                    guanxi_rdf::write_sorted(q, RdfFormat::NQuads, &mut *out)?;
                    sum.articles += 1;
                }
                Err((_, reason)) => {
                    progress.skipped(label, &reason);
                    sum.skipped += 1;
                }
            }
        }
        progress.advanced(batch.len(), sum.articles);
    }
    out.flush().map_err(AppError::io("write", &stdout))?;
    progress.finished();
    Ok(sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn names_that_are_not_utf8_have_their_own_keys() {
        use std::os::unix::ffi::OsStrExt;
        let key = |b: &[u8]| files::path_key(Path::new(std::ffi::OsStr::from_bytes(b)));
        assert_ne!(key(b"a\xff.txt"), key(b"a\xfe.txt"));
        assert_ne!(key(b"a\xff.txt"), key(b"a\\xff.txt"));
        assert_eq!(key("新闻/a b.md".as_bytes()), "新闻/a b.md");
    }

    #[test]
    fn hostile_names_print_on_one_line() {
        assert_eq!(printable("新闻.md"), "新闻.md");
        assert_eq!(
            printable("a\nb\u{1b}[2J\u{202e}c"),
            "a\\u{a}b\\u{1b}[2J\\u{202e}c"
        );
    }

    #[test]
    fn manifest_paths_survive_tabs_newlines_and_backslashes() {
        for p in [
            "a/b.md",
            "odd\nname\t2.md",
            "back\\slash\\n.md",
            "trailing\\",
        ] {
            assert_eq!(manifest::unescape_path(&manifest::escape_path(p)), p);
            assert!(!manifest::escape_path(p).contains(['\n', '\t']));
        }
    }

    /// Records what a run tells its progress.
    #[derive(Default)]
    struct Recorder(std::sync::Mutex<(Vec<String>, usize, bool)>);

    impl Progress for Recorder {
        fn skipped(&self, label: &str, reason: &str) {
            if let Ok(mut r) = self.0.lock() {
                r.0.push(format!("{label}: {reason}"));
            }
        }
        fn advanced(&self, files: usize, _stored: usize) {
            if let Ok(mut r) = self.0.lock() {
                r.1 += files;
            }
        }
        fn finished(&self) {
            if let Ok(mut r) = self.0.lock() {
                r.2 = true;
            }
        }
    }

    /// An ingest run, tested without the binary: duplicates decided in file order, a bad
    /// file skipped with its reason and counted, the rest stored, the manifest making a
    /// second run read nothing, and the progress told each of these.
    #[test]
    fn an_ingest_run_stores_skips_and_remembers() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in");
        std::fs::create_dir(&input).unwrap();
        let example = root.join("examples/articles/030_voa_20200911_dip.txt");
        std::fs::copy(&example, input.join("a.txt")).unwrap();
        std::fs::copy(&example, input.join("b-copy.txt")).unwrap();
        std::fs::write(input.join("c-empty.txt"), "").unwrap();
        let files = collect_files(std::slice::from_ref(&input), &Silent).unwrap();
        assert_eq!(files.len(), 3);
        let store_dir = dir.path().join("store");
        std::fs::create_dir(&store_dir).unwrap();
        let store = Store::in_memory().unwrap();
        let opts = IngestOptions {
            batch: Some(1),
            ..IngestOptions::default()
        };
        let progress = Recorder::default();
        let sum = ingest(&store, &files, Some(&store_dir), &opts, &progress).unwrap();
        assert_eq!((sum.read, sum.stored, sum.duplicates), (2, 1, 1), "{sum:?}");
        assert_eq!(sum.skipped_total(), 1, "{sum:?}");
        assert!(sum.quads > 0 && sum.interactions > 0, "{sum:?}");
        let (skips, advanced, finished) = progress.0.into_inner().unwrap();
        assert_eq!(skips.len(), 1);
        assert!(skips[0].contains("c-empty.txt"), "{skips:?}");
        assert_eq!((advanced, finished), (3, true));
        // The same files again: the manifest says every readable one is unchanged, and the
        // empty file is tried again.
        let again = ingest(&store, &files, Some(&store_dir), &opts, &Silent).unwrap();
        assert_eq!((again.unchanged, again.stored), (2, 0), "{again:?}");
        assert_eq!(again.interactions, sum.interactions);
    }
}
