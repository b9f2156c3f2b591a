//! One function per command; all file, stdout and process handling lives here.

use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use guanxi_core::Extraction;
use guanxi_extract::{ExtractOptions, Extractor};
use guanxi_ingest::IngestConfig;
use guanxi_rdf::{ArticleQuads, JsonLdProfileSet, RdfFormat};
use guanxi_store::{term_value, QueryResults, Store};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};

use crate::{ExportFormat, GraphFilters};

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
    pub quads: usize,
    pub entities: usize,
    pub reports: usize,
    pub interactions: usize,
    /// Reports in the whole store after the run.
    pub stored_reports: usize,
}

impl IngestSummary {
    fn skipped_total(&self) -> usize {
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
    /// Read every file again, even those the manifest says are unchanged.
    pub full: bool,
    /// Files per batch (default 512).
    pub batch: Option<usize>,
}

/// Every file under `paths`, folders walked recursively, in sorted order; hidden entries skipped.
pub(crate) fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    // Folders already walked, by canonical path: a symlink loop is walked once.
    let mut seen: std::collections::HashSet<PathBuf> = std::collections::HashSet::new();
    for p in paths {
        let meta = fs::metadata(p).with_context(|| format!("cannot read {}", p.display()))?;
        if meta.is_dir() {
            walk(p, &mut out, &mut seen).with_context(|| format!("cannot list {}", p.display()))?;
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn walk(
    dir: &Path,
    out: &mut Vec<PathBuf>,
    seen: &mut std::collections::HashSet<PathBuf>,
) -> io::Result<()> {
    if !seen.insert(fs::canonicalize(dir)?) {
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        let hidden = p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if p.is_dir() {
            // An unreadable folder inside the input is skipped with a line, not fatal.
            if let Err(e) = walk(&p, out, seen) {
                eprintln!("skipped {}: {e}", printable(&p.display().to_string()));
            }
        } else if p.is_file() {
            out.push(p);
        }
    }
    Ok(())
}

/// Where a command's store is.
#[derive(Debug, Clone)]
pub enum Location {
    /// Oxigraph on RocksDB in this directory.
    Dir(PathBuf),
    /// A SPARQL 1.1 service.
    Remote(guanxi_store::Endpoints),
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Dir(p) => write!(f, "{}", p.display()),
            Location::Remote(e) => write!(f, "{}", e.gsp),
        }
    }
}

/// Opens the store at `loc`; with `existing`, a missing store directory is an error that says
/// to ingest first (a remote store is created by its server).
pub(crate) fn open_location(loc: &Location, existing: bool) -> Result<Store> {
    match loc {
        Location::Dir(path) => {
            if existing && !path.exists() {
                bail!(
                    "no store at {}: run `guanxi ingest` or `guanxi build` first, or pass --store DIR",
                    path.display()
                );
            }
            open_store(path)
        }
        Location::Remote(e) => Ok(Store::remote(e.clone())?),
    }
}

pub(crate) fn open_store(path: &Path) -> Result<Store> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    Store::open(path).context(
        "run `guanxi ingest` first, or pass --store DIR; another guanxi process may hold the store",
    )
}

/// Files read, parsed and extracted in parallel at a time (unless `--batch` says otherwise);
/// memory is bounded by one batch.
const BATCH: usize = 512;

/// One file's articles after the parallel parse.
struct ParsedFile {
    /// The file's canonical path: its key in the manifest.
    key: String,
    /// FNV-1a of the file's bytes (none when it could not be read).
    hash: Option<u64>,
    /// The manifest holds the same hash for this path: nothing to do.
    unchanged: bool,
    format: Option<&'static str>,
    items: Vec<ParsedItem>,
}

struct ParsedItem {
    label: String,
    article: std::result::Result<guanxi_core::Article, (&'static str, String)>,
    notes: Vec<String>,
}

/// Reads and parses one file; never fails, never panics: problems become reasons.
fn parse_path(path: &Path, config: &IngestConfig, manifest: &Manifest) -> ParsedFile {
    let name = path.display().to_string();
    let canonical = fs::canonicalize(path).ok();
    let key = path_key(canonical.as_deref().unwrap_or(path));
    let bytes = match fs::metadata(path) {
        // A device or a pipe named on the command line would be read forever or wait forever.
        Ok(m) if !m.is_file() => Err((
            "unreadable",
            "not a regular file (a device, a pipe or a socket)".to_string(),
        )),
        Ok(m) if m.len() > config.max_bytes as u64 => Err((
            "too large",
            format!(
                "file is {} bytes, more than the {}-byte limit",
                m.len(),
                config.max_bytes
            ),
        )),
        _ => read_at_most(path, config.max_bytes),
    };
    let bytes = match bytes {
        Ok(b) => b,
        Err(reason) => {
            return ParsedFile {
                key,
                hash: None,
                unchanged: false,
                items: vec![ParsedItem {
                    label: name.clone(),
                    article: Err(reason),
                    notes: Vec::new(),
                }],
                format: None,
            }
        }
    };
    let hash = fnv1a(&bytes);
    if manifest.get(&key) == Some(&hash) {
        return ParsedFile {
            key,
            hash: Some(hash),
            unchanged: true,
            items: Vec::new(),
            format: None,
        };
    }
    let file_url = canonical
        .and_then(|p| url::Url::from_file_path(p).ok())
        .map(|u| u.to_string());
    match guarded(|| guanxi_ingest::parse_file(&name, file_url.as_deref(), &bytes, config)) {
        Ok(read) => ParsedFile {
            key,
            hash: Some(hash),
            unchanged: false,
            format: read.format.map(|f| f.name()),
            items: read
                .items
                .into_iter()
                .map(|i| ParsedItem {
                    label: i.label,
                    article: i.result.map_err(|e| (e.kind(), e.to_string())),
                    notes: i.notes,
                })
                .collect(),
        },
        Err(reason) => ParsedFile {
            key,
            hash: None,
            unchanged: false,
            items: vec![ParsedItem {
                label: name.clone(),
                article: Err(("internal error", reason)),
                notes: Vec::new(),
            }],
            format: None,
        },
    }
}

/// A path as a manifest key, exact even for a name that is not UTF-8 (its stray bytes as
/// `\xNN`, a backslash doubled), so that two such names never share a key.
fn path_key(p: &Path) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let mut out = String::new();
        for chunk in p.as_os_str().as_bytes().utf8_chunks() {
            out.push_str(&chunk.valid().replace('\\', "\\\\"));
            for b in chunk.invalid() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        }
        out
    }
    #[cfg(not(unix))]
    {
        p.display().to_string()
    }
}

/// The bytes of a file, never more than `max` of them (a file may grow after its size was
/// read).
fn read_at_most(path: &Path, max: usize) -> std::result::Result<Vec<u8>, (&'static str, String)> {
    use std::io::Read;
    let mut bytes = Vec::new();
    File::open(path)
        .and_then(|f| f.take(max as u64 + 1).read_to_end(&mut bytes))
        .map_err(|e| ("unreadable", e.to_string()))?;
    if bytes.len() > max {
        return Err((
            "too large",
            format!("file is more than the {max}-byte limit"),
        ));
    }
    Ok(bytes)
}

/// File path → FNV-1a of its bytes, for the files a store has taken in.
type Manifest = HashMap<String, u64>;

/// The manifest beside the store: one line per file, `hash<TAB>path`.
fn manifest_path(store: &Path) -> PathBuf {
    store.join("guanxi-manifest.tsv")
}

/// What made the manifest: this very program (its executable's hash), so that a new version
/// of the rules reads every file again.
fn program_fingerprint() -> String {
    let exe = std::env::current_exe()
        .ok()
        .and_then(|p| fs::read(p).ok())
        .unwrap_or_default();
    format!("{} {:016x}", env!("CARGO_PKG_VERSION"), fnv1a(&exe))
}

fn load_manifest(store: &Path, fingerprint: &str) -> Manifest {
    let text = fs::read_to_string(manifest_path(store)).unwrap_or_default();
    let mut lines = text.lines();
    if lines.next() != Some(&format!("# guanxi {fingerprint}")) {
        return Manifest::new();
    }
    lines
        .filter_map(|l| {
            let (h, p) = l.split_once('\t')?;
            Some((unescape_path(p), u64::from_str_radix(h, 16).ok()?))
        })
        .collect()
}

/// File names may hold tabs and newlines (real archives do): escaped in the manifest.
fn escape_path(p: &str) -> String {
    p.replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\t', "\\t")
        .replace('\r', "\\r")
}

fn unescape_path(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    let mut chars = p.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// Writes the manifest whole, through a temporary file and a rename.
fn save_manifest(store: &Path, m: &Manifest, fingerprint: &str) -> Result<()> {
    let mut lines: Vec<String> = m
        .iter()
        .map(|(p, h)| format!("{h:016x}\t{}", escape_path(p)))
        .collect();
    lines.sort_by(|a, b| a[17..].cmp(&b[17..]));
    lines.insert(0, format!("# guanxi {fingerprint}"));
    let tmp = store.join("guanxi-manifest.tsv.tmp");
    fs::write(&tmp, lines.join("\n") + "\n")
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    fs::rename(&tmp, manifest_path(store)).context("cannot replace the manifest")?;
    Ok(())
}

/// 64-bit FNV-1a: a stable hash of a file's content.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Articles one worker extracts together (see [`Extractor::extract_many`]).
pub(crate) const EXTRACT_CHUNK: usize = 128;

type Extracted = std::result::Result<(Extraction, ArticleQuads), (&'static str, String)>;

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

/// The same body, whatever its URL: the text without its headline and white space. Bodies
/// shorter than [`MIN_BODY_CHARS`] (a headline-only item, a photo caption) identify nothing.
fn body_hash(a: &guanxi_core::Article) -> Option<u64> {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    let mut n = 0usize;
    for b in a
        .blocks
        .iter()
        .filter(|b| b.kind != guanxi_core::BlockKind::Title)
    {
        for c in b.span.slice(&a.text).chars().filter(|c| !c.is_whitespace()) {
            c.hash(&mut h);
            n += 1;
        }
    }
    (n >= MIN_BODY_CHARS).then(|| h.finish())
}

/// Least body (characters) for two articles to be duplicates by body alone.
const MIN_BODY_CHARS: usize = 50;

/// A file name or reason as one line of a terminal: control characters (a newline, an escape
/// sequence) and bidirectional overrides in a hostile file name are shown as `\u{…}`, not
/// obeyed. The JSON report keeps names exact.
pub(crate) fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    let hostile = |c: char| {
        c.is_control()
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}')
    };
    if !s.chars().any(hostile) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
        s.chars()
            .map(|c| {
                if hostile(c) {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

/// Writes the skip-and-duplicate report, one JSON object per line.
struct Report(Option<BufWriter<File>>);

impl Report {
    /// A skipped file or item: one line on stderr (above the progress bar), counted by
    /// reason, and written to the report.
    fn skip(
        &mut self,
        bar: &indicatif::ProgressBar,
        sum: &mut IngestSummary,
        label: &str,
        kind: &'static str,
        reason: &str,
    ) -> Result<()> {
        bar.suspend(|| eprintln!("skipped {}: {}", printable(label), printable(reason)));
        *sum.skipped.entry(kind).or_default() += 1;
        self.line(label, "skipped", kind, reason)
    }

    fn line(&mut self, file: &str, status: &str, reason: &str, detail: &str) -> Result<()> {
        if let Some(w) = self.0.as_mut() {
            let v = serde_json::json!({"file": file, "status": status, "reason": reason, "detail": detail});
            writeln!(w, "{v}")?;
        }
        Ok(())
    }
}

/// `guanxi ingest`. A remote store keeps no manifest: every file is read on every run (the
/// service may be changed by others, so a local record of what it holds could be wrong).
pub fn ingest(paths: &[PathBuf], loc: &Location, opts: &IngestOptions) -> Result<IngestSummary> {
    let files = collect_files(paths)?;
    let store = open_location(loc, false)?;
    let manifest_dir = match loc {
        Location::Dir(p) => Some(p.as_path()),
        Location::Remote(_) => None,
    };
    let sum = ingest_into(&store, &files, manifest_dir, opts)?;
    let skipped = if sum.skipped.is_empty() {
        "0".to_string()
    } else {
        let by: Vec<String> = sum
            .skipped
            .iter()
            .map(|(k, v)| format!("{v} {k}"))
            .collect();
        format!("{} ({})", sum.skipped_total(), by.join(", "))
    };
    let formats: Vec<String> = sum
        .formats
        .iter()
        .map(|(k, v)| format!("{v} {k}"))
        .collect();
    eprintln!(
        "{} files: read {} articles ({}), stored {}, duplicates {}, skipped {}, unchanged {}; {} with an unknown publisher (UTC dates)",
        sum.files,
        sum.read,
        formats.join(", "),
        sum.stored,
        sum.duplicates,
        skipped,
        sum.unchanged,
        sum.unknown_publisher,
    );
    eprintln!(
        "wrote {} quads ({} entity mentions, {} interaction reports) to {}; the store holds {} interactions from {} reports",
        sum.quads,
        sum.entities,
        sum.reports,
        loc,
        sum.interactions,
        sum.stored_reports
    );
    Ok(sum)
}

/// An ingest run of `files` into `store`: the one path by which articles reach a store
/// (`ingest`, `build` and `eval` all take it). Batches of files are parsed in parallel,
/// duplicates decided in file order, articles extracted in parallel and written one batch
/// behind by a writer thread; then the merged interactions are rebuilt. With `manifest_dir`,
/// the manifest there says which files are unchanged and is written after the run.
pub(crate) fn ingest_into(
    store: &Store,
    files: &[PathBuf],
    manifest_dir: Option<&Path>,
    opts: &IngestOptions,
) -> Result<IngestSummary> {
    use rayon::prelude::*;
    let extractor = Extractor::new();
    let mut config = IngestConfig::default();
    if let Some(m) = opts.max_bytes {
        config.max_bytes = m;
    }
    let mut report = Report(match &opts.report {
        Some(p) => Some(BufWriter::new(
            File::create(p).with_context(|| format!("cannot write {}", p.display()))?,
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
    let mut seen_urls: HashMap<String, String> = HashMap::new();
    let mut seen_bodies: HashMap<u64, String> = HashMap::new();
    // Drawn only when stderr is a terminal; skip lines go above it.
    let bar = indicatif::ProgressBar::new(files.len() as u64).with_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} files {per_sec} eta {eta} {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    // Store writes run on their own thread, one batch behind parsing and extraction.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<(String, ArticleQuads)>>(1);
    let store_ref = store;
    std::thread::scope(|scope| -> Result<()> {
        let writer = scope.spawn(move || -> Result<()> {
            for batch in rx {
                let quads: Vec<ArticleQuads> = batch.into_iter().map(|(_, aq)| aq).collect();
                store_ref
                    .load_articles(&quads)
                    .context("cannot write to the store")?;
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
                // A file that read cleanly is remembered; a failing one is tried again next time.
                let all_ok = pf.items.iter().all(|i| i.article.is_ok());
                if let (Some(h), true) = (pf.hash, all_ok) {
                    updated.push((pf.key.clone(), h));
                }
                for item in pf.items {
                    let article = match item.article {
                        Ok(a) => a,
                        Err((kind, reason)) => {
                            report.skip(&bar, &mut sum, &item.label, kind, &reason)?;
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
                    let body = body_hash(&article);
                    let earlier = seen_urls
                        .get(&url_key)
                        .map(|f| ("same url", f))
                        .or_else(|| {
                            body.and_then(|b| seen_bodies.get(&b))
                                .map(|f| ("same body", f))
                        });
                    if let Some((why, first)) = earlier {
                        sum.duplicates += 1;
                        report.line(&item.label, "duplicate", why, first)?;
                        continue;
                    }
                    seen_urls.insert(url_key, item.label.clone());
                    if let Some(b) = body {
                        seen_bodies.insert(b, item.label.clone());
                    }
                    keep.push((item.label, article));
                }
            }
            let extracted = extract_articles(&keep, &extractor);
            let mut writes = Vec::with_capacity(keep.len());
            for ((label, _), r) in keep.iter().zip(extracted) {
                match r {
                    Ok((ex, aq)) => {
                        sum.stored += 1;
                        sum.quads += aq.quads.len();
                        sum.entities += ex.entities.len();
                        sum.reports += ex.interactions.len();
                        writes.push((label.clone(), aq));
                    }
                    Err((kind, reason)) => {
                        report.skip(&bar, &mut sum, label, kind, &reason)?;
                    }
                }
            }
            if tx.send(writes).is_err() {
                // The writer stopped on an error; join it below to report it.
                break;
            }
            bar.inc(batch.len() as u64);
            bar.set_message(format!("{} stored", sum.stored));
        }
        drop(tx);
        writer
            .join()
            .map_err(|_| anyhow::anyhow!("the store writer stopped unexpectedly"))?
    })?;
    bar.finish_and_clear();
    if let Some(w) = report.0.as_mut() {
        w.flush().context("cannot write the report")?;
    }
    // Nothing new: the merged interactions are those of the last run.
    let (reports, events) = if sum.stored == 0 && had_manifest {
        store
            .event_counts()
            .context("cannot count the interactions")?
    } else {
        store
            .rebuild_events()
            .context("cannot merge the interactions")?
    };
    sum.interactions = events;
    sum.stored_reports = reports;
    store.flush().context("cannot flush the store")?;
    if let Some(dir) = manifest_dir {
        manifest.extend(updated);
        save_manifest(dir, &manifest, &fingerprint)?;
    }
    Ok(sum)
}

/// `guanxi extract`: every article of `paths` as N-Quads on `out`, with no store — its named
/// graph, then the entity descriptions not written before in this run — so a batch engine can
/// shard extraction over machines and load the pieces anywhere. Same parsing and skip lines
/// as `ingest`; duplicates by URL only (a shard cannot know other shards' bodies); the merged
/// interactions are left to the store that loads them. `options` say how much of each
/// article is read (the exhaustive reading gives the same quads, slowly).
pub fn extract(
    paths: &[PathBuf],
    max_bytes: usize,
    options: ExtractOptions,
    path: Option<&Path>,
) -> Result<()> {
    use rayon::prelude::*;
    let files = collect_files(paths)?;
    let mut extractor = Extractor::new();
    extractor.set_options(options);
    let config = IngestConfig {
        max_bytes,
        ..IngestConfig::default()
    };
    let mut out = output(path)?;
    let none = Manifest::new();
    let mut seen_urls: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut shared_seen: std::collections::HashSet<u64> = std::collections::HashSet::new();
    let (mut articles, mut skipped, mut duplicates, mut quads) = (0usize, 0usize, 0usize, 0usize);
    for batch in files.chunks(BATCH) {
        let parsed: Vec<ParsedFile> = batch
            .par_iter()
            .map(|f| parse_path(f, &config, &none))
            .collect();
        let mut keep = Vec::new();
        for item in parsed.into_iter().flat_map(|p| p.items) {
            match item.article {
                Ok(a) => {
                    if seen_urls.insert(guanxi_rdf::article_key(&a)) {
                        keep.push((item.label, a));
                    } else {
                        duplicates += 1;
                    }
                }
                Err((_, reason)) => {
                    eprintln!("skipped {}: {}", printable(&item.label), printable(&reason));
                    skipped += 1;
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
                    quads += q.len();
                    guanxi_rdf::write_sorted(q, RdfFormat::NQuads, &mut out)?;
                    articles += 1;
                }
                Err((_, reason)) => {
                    eprintln!("skipped {}: {}", printable(label), printable(&reason));
                    skipped += 1;
                }
            }
        }
    }
    out.flush()?;
    eprintln!(
        "{} files: {articles} articles as {quads} quads, duplicates {duplicates}, skipped {skipped}",
        files.len()
    );
    Ok(())
}

/// The gold's article files ingested into a store in memory, as `guanxi ingest` would
/// store them.
fn eval_store(
    gold: &[guanxi_eval::GoldArticle],
    articles: &Path,
) -> Result<(Store, IngestSummary)> {
    let store = Store::in_memory()?;
    let files: Vec<PathBuf> = gold.iter().map(|g| articles.join(&g.file)).collect();
    let sum = ingest_into(&store, &files, None, &IngestOptions::default())?;
    Ok((store, sum))
}

/// `guanxi eval`: ingests the gold's articles into a store in memory and scores it.
pub fn eval(gold_path: &Path, articles: &Path, json: Option<&Path>, errors: bool) -> Result<()> {
    let text = fs::read_to_string(gold_path)
        .with_context(|| format!("cannot read {}", gold_path.display()))?;
    let gold = guanxi_eval::parse_gold(&text).with_context(|| gold_path.display().to_string())?;
    let (store, sum) = eval_store(&gold, articles)?;
    let skipped = sum.skipped_total();
    let field = |s: &oxigraph::sparql::QuerySolution, v: &str| s.get(v).map(term_value);
    let mut interactions = Vec::new();
    if let QueryResults::Solutions(rows) = store.query(guanxi_eval::INTERACTIONS_QUERY)? {
        for s in rows {
            let s = s?;
            interactions.push(guanxi_eval::InteractionRow {
                url: field(&s, "url").unwrap_or_default(),
                interaction: field(&s, "interaction").unwrap_or_default(),
                kind: field(&s, "type").unwrap_or_default(),
                name: field(&s, "name").unwrap_or_default(),
                date: field(&s, "date"),
                place: field(&s, "placeName"),
            });
        }
    }
    let mut entities = Vec::new();
    if let QueryResults::Solutions(rows) = store.query(guanxi_eval::ENTITIES_QUERY)? {
        for s in rows {
            let s = s?;
            entities.push(guanxi_eval::EntityRow {
                url: field(&s, "url").unwrap_or_default(),
                kind: field(&s, "kind").unwrap_or_default(),
                name: field(&s, "name").unwrap_or_default(),
            });
        }
    }
    let report = guanxi_eval::score(&gold, &interactions, &entities);
    let mut out = output(None)?;
    if errors {
        write!(out, "{}", report.render_errors())?;
    }
    write!(out, "{}", report.render())?;
    out.flush()?;
    if let Some(p) = json {
        let mut f = output(Some(p))?;
        serde_json::to_writer_pretty(&mut f, &report)?;
        writeln!(f)?;
        f.flush()?;
    }
    if skipped > 0 {
        eprintln!("skipped {skipped} of {} gold articles", gold.len());
    }
    Ok(())
}

thread_local! {
    static PANIC_MESSAGE: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Runs `f`, turning a panic into a one-line reason instead of ending the process.
fn guarded<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let at = info
                .location()
                .map(|l| format!(" at {}:{}", l.file(), l.line()))
                .unwrap_or_default();
            let msg = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            PANIC_MESSAGE.with(|p| *p.borrow_mut() = Some(format!("{msg}{at}")));
        }))
    });
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|_| {
        let msg = PANIC_MESSAGE
            .with(|p| p.borrow_mut().take())
            .unwrap_or_default();
        format!(
            "internal error, please report it with this file ({})",
            msg.lines().next().unwrap_or("")
        )
    })
}

pub(crate) fn output(path: Option<&Path>) -> Result<Box<dyn Write>> {
    Ok(match path {
        Some(p) => {
            if let Some(parent) = p.parent().filter(|p| !p.as_os_str().is_empty()) {
                fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create {}", parent.display()))?;
            }
            Box::new(BufWriter::new(
                File::create(p).with_context(|| format!("cannot write {}", p.display()))?,
            ))
        }
        None => Box::new(BufWriter::new(io::stdout().lock())),
    })
}

fn rdf_format(name: &str) -> Option<RdfFormat> {
    Some(match name {
        "turtle" | "ttl" => RdfFormat::Turtle,
        "ntriples" | "nt" => RdfFormat::NTriples,
        "nquads" | "nq" => RdfFormat::NQuads,
        "trig" => RdfFormat::TriG,
        "jsonld" | "json-ld" => RdfFormat::JsonLd {
            profile: JsonLdProfileSet::empty(),
        },
        "rdfxml" | "xml" => RdfFormat::RdfXml,
        _ => return None,
    })
}

/// `guanxi query`.
pub fn query(file: Option<&Path>, text: Option<&str>, loc: &Location, format: &str) -> Result<()> {
    let (sparql, origin) = match (file, text) {
        (Some(f), _) => (
            fs::read_to_string(f).with_context(|| format!("cannot read query {}", f.display()))?,
            f.display().to_string(),
        ),
        (None, Some(t)) => (t.to_string(), "--query".to_string()),
        (None, None) => bail!("give a query file or --query TEXT"),
    };
    let store = open_location(loc, true)?;
    let results = store
        .query(&sparql)
        .with_context(|| format!("in {origin}"))?;
    let mut out = output(None)?;
    match results {
        QueryResults::Solutions(solutions) => {
            let vars = solutions.variables().to_vec();
            if format == "table" {
                let mut rows = Vec::new();
                for s in solutions {
                    let s = s.with_context(|| format!("in {origin}"))?;
                    rows.push(
                        vars.iter()
                            .map(|v| s.get(v).map(term_value).unwrap_or_default())
                            .collect::<Vec<_>>(),
                    );
                }
                let header: Vec<String> = vars.iter().map(|v| v.as_str().to_string()).collect();
                crate::table::write(&mut out, &header, &rows)?;
            } else {
                let f = results_format(format)?;
                let mut ser = QueryResultsSerializer::from_format(f)
                    .serialize_solutions_to_writer(&mut out, vars)?;
                for s in solutions {
                    ser.serialize(&s.with_context(|| format!("in {origin}"))?)?;
                }
                ser.finish()?;
            }
        }
        QueryResults::Boolean(b) => {
            if format == "table" {
                writeln!(out, "{b}")?;
            } else {
                QueryResultsSerializer::from_format(results_format(format)?)
                    .serialize_boolean_to_writer(&mut out, b)?;
            }
        }
        QueryResults::Graph(triples) => {
            let f = rdf_format(if format == "table" { "turtle" } else { format })
                .with_context(|| format!("unknown RDF format {format}: use turtle, ntriples, nquads, trig, jsonld or rdfxml"))?;
            let mut quads = Vec::new();
            for t in triples {
                let t = t.with_context(|| format!("in {origin}"))?;
                quads.push(t.in_graph(oxigraph::model::GraphName::DefaultGraph));
            }
            guanxi_rdf::write_sorted(quads, f, &mut out)?;
        }
    }
    out.flush()?;
    Ok(())
}

fn results_format(name: &str) -> Result<QueryResultsFormat> {
    Ok(match name {
        "json" => QueryResultsFormat::Json,
        "xml" => QueryResultsFormat::Xml,
        "csv" => QueryResultsFormat::Csv,
        "tsv" => QueryResultsFormat::Tsv,
        _ => bail!("unknown results format {name}: use table, json, xml, csv or tsv"),
    })
}

fn export_format(f: ExportFormat) -> RdfFormat {
    match f {
        ExportFormat::Turtle => RdfFormat::Turtle,
        ExportFormat::Ntriples => RdfFormat::NTriples,
        ExportFormat::Nquads => RdfFormat::NQuads,
        ExportFormat::Trig => RdfFormat::TriG,
        ExportFormat::Jsonld => RdfFormat::JsonLd {
            profile: JsonLdProfileSet::empty(),
        },
        ExportFormat::Rdfxml => RdfFormat::RdfXml,
    }
}

fn write_export(store: &Store, format: RdfFormat, path: Option<&Path>) -> Result<()> {
    let quads = store.quads()?.collect::<std::result::Result<Vec<_>, _>>()?;
    let mut out = output(path)?;
    guanxi_rdf::write_sorted(quads, format, &mut out)?;
    out.flush()?;
    Ok(())
}

/// `guanxi export`.
pub fn export(loc: &Location, format: ExportFormat, path: Option<&Path>) -> Result<()> {
    let store = open_location(loc, true)?;
    write_export(&store, export_format(format), path)
}

/// `guanxi build`: ingest, Turtle export, DOT, and SVG when Graphviz is installed.
pub fn build(paths: &[PathBuf], out_dir: &Path, filters: &GraphFilters) -> Result<()> {
    let store_path = out_dir.join("store");
    ingest(
        paths,
        &Location::Dir(store_path.clone()),
        &IngestOptions::default(),
    )?;
    let store = open_store(&store_path)?;
    let ttl = out_dir.join("graph.ttl");
    write_export(&store, RdfFormat::Turtle, Some(&ttl))?;
    let dot_path = out_dir.join("cooccurrence.dot");
    let dot = crate::graphs::render_text(&store, filters, crate::GraphFormat::Dot)?;
    fs::write(&dot_path, dot).with_context(|| format!("cannot write {}", dot_path.display()))?;
    eprintln!("wrote {} and {}", ttl.display(), dot_path.display());
    let svg = out_dir.join("cooccurrence.svg");
    match crate::graphs::render(&dot_path, &svg, crate::RenderFormat::Svg) {
        Ok(()) => eprintln!("wrote {}", svg.display()),
        Err(e) => eprintln!("note: no SVG: {e}"),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn names_that_are_not_utf8_have_their_own_keys() {
        use std::os::unix::ffi::OsStrExt;
        let key = |b: &[u8]| path_key(Path::new(std::ffi::OsStr::from_bytes(b)));
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
            assert_eq!(unescape_path(&escape_path(p)), p);
            assert!(!escape_path(p).contains(['\n', '\t']));
        }
    }

    /// Every quad of a store, sorted.
    fn dump(store: &Store) -> Vec<String> {
        let mut v: Vec<String> = store
            .quads()
            .unwrap()
            .map(|q| q.unwrap().to_string())
            .collect();
        v.sort();
        v
    }

    /// `guanxi eval` scores the store `guanxi ingest` builds from the same files: a feed's
    /// every item, duplicates stored once, the merged interactions.
    #[test]
    fn eval_and_ingest_build_the_same_store() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let dir = tempfile::tempdir().unwrap();
        // The examples, a copy of one (a duplicate by URL), and a feed of two items.
        let articles = dir.path().join("articles");
        fs::create_dir(&articles).unwrap();
        let mut names = Vec::new();
        for e in fs::read_dir(root.join("examples/articles")).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            fs::copy(&p, articles.join(&name)).unwrap();
            names.push(name);
        }
        names.sort();
        fs::copy(articles.join(&names[0]), articles.join("zz-copy.txt")).unwrap();
        let feed = r#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>
<item><title>王毅会见拉夫罗夫</title><link>https://example.org/a</link><pubDate>Tue, 15 Sep 2020 08:00:00 GMT</pubDate><description>中国外交部长王毅周二在北京会见俄罗斯外长拉夫罗夫。双方就两国关系交换了意见。</description></item>
<item><title>普京同习近平通电话</title><link>https://example.org/b</link><pubDate>Wed, 16 Sep 2020 08:00:00 GMT</pubDate><description>俄罗斯总统普京周三同中国国家主席习近平通电话，双方讨论了双边合作。</description></item>
</channel></rss>"#;
        fs::write(articles.join("feed.xml"), feed).unwrap();
        names.extend(["zz-copy.txt".to_string(), "feed.xml".to_string()]);
        let gold: String = names
            .iter()
            .map(|n| {
                format!("{{\"file\": \"{n}\", \"url\": \"https://example.org/{n}\", \"interactions\": [], \"entities\": {{}}}}\n")
            })
            .collect();
        let gold = guanxi_eval::parse_gold(&gold).unwrap();
        let (evaluated, sum) = eval_store(&gold, &articles).unwrap();
        // The ten examples and the feed's two items; the copy is a duplicate.
        assert_eq!((sum.duplicates, sum.stored), (1, 12), "{sum:?}");
        let stored = dir.path().join("store");
        ingest(
            std::slice::from_ref(&articles),
            &Location::Dir(stored.clone()),
            &IngestOptions::default(),
        )
        .unwrap();
        let ingested = open_store(&stored).unwrap();
        let (e, i) = (dump(&evaluated), dump(&ingested));
        assert!(i.len() > 1000);
        assert!(e == i, "eval's store differs from ingest's");
    }
}
