//! One function per command; all file, stdout and process handling lives here.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use guanxi_extract::ExtractOptions;
use guanxi_rdf::{JsonLdProfileSet, RdfFormat};
use guanxi_store::{term_value, QueryResults, Store};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};

use crate::{ExportFormat, GraphFilters};

pub use guanxi_app::{IngestOptions, IngestSummary};
use guanxi_app::{Progress, SkipLines};

/// A run's progress on the terminal: a bar (drawn only when stderr is a terminal), skip
/// lines above it.
struct Bar(indicatif::ProgressBar);

impl Bar {
    fn new(files: usize) -> Self {
        Bar(indicatif::ProgressBar::new(files as u64).with_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} files {per_sec} eta {eta} {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        ))
    }
}

impl Progress for Bar {
    fn skipped(&self, label: &str, reason: &str) {
        self.0.suspend(|| SkipLines.skipped(label, reason));
    }
    fn advanced(&self, files: usize, stored: usize) {
        self.0.inc(files as u64);
        self.0.set_message(format!("{stored} stored"));
    }
    fn finished(&self) {
        self.0.finish_and_clear();
    }
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

/// `guanxi ingest`. A remote store keeps no manifest: every file is read on every run (the
/// service may be changed by others, so a local record of what it holds could be wrong).
pub fn ingest(paths: &[PathBuf], loc: &Location, opts: &IngestOptions) -> Result<IngestSummary> {
    let files = guanxi_app::collect_files(paths, &SkipLines)?;
    let store = open_location(loc, false)?;
    let manifest_dir = match loc {
        Location::Dir(p) => Some(p.as_path()),
        Location::Remote(_) => None,
    };
    let sum = guanxi_app::ingest(&store, &files, manifest_dir, opts, &Bar::new(files.len()))?;
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

/// `guanxi extract`: every article of `paths` as N-Quads, with no store (see
/// [`guanxi_app::extract`]).
pub fn extract(
    paths: &[PathBuf],
    max_bytes: usize,
    options: ExtractOptions,
    path: Option<&Path>,
) -> Result<()> {
    let files = guanxi_app::collect_files(paths, &SkipLines)?;
    let mut out = output(path)?;
    let sum = guanxi_app::extract(
        &files,
        &guanxi_app::ExtractConfig { max_bytes, options },
        &mut out,
        &SkipLines,
    )?;
    eprintln!(
        "{} files: {} articles as {} quads, duplicates {}, skipped {}",
        sum.files, sum.articles, sum.quads, sum.duplicates, sum.skipped
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
    let sum = guanxi_app::ingest(
        &store,
        &files,
        None,
        &IngestOptions::default(),
        &Bar::new(files.len()),
    )?;
    Ok((store, sum))
}

/// `guanxi eval-events`: the store's event resolution against a hand-made gold.
pub fn eval_events(gold_path: &Path, loc: &Location) -> Result<()> {
    let text = fs::read_to_string(gold_path)
        .with_context(|| format!("cannot read {}", gold_path.display()))?;
    let gold = guanxi_eval::events::parse_event_gold(&text)
        .with_context(|| gold_path.display().to_string())?;
    let store = open_location(loc, true)?;
    let field = |s: &oxigraph::sparql::QuerySolution, v: &str| s.get(v).map(term_value);
    let mut rows = Vec::new();
    if let QueryResults::Solutions(solutions) =
        store.query(guanxi_eval::events::EVENT_REPORTS_QUERY)?
    {
        for s in solutions {
            let s = s?;
            rows.push(guanxi_eval::events::EventReportRow {
                url: field(&s, "url").unwrap_or_default(),
                report: field(&s, "r").unwrap_or_default(),
                kind: field(&s, "t").unwrap_or_default(),
                report_date: field(&s, "rd"),
                interaction: field(&s, "i").unwrap_or_default(),
                date: field(&s, "d"),
                name: field(&s, "name").unwrap_or_default(),
            });
        }
    }
    let score = guanxi_eval::events::score_events(&gold, &rows);
    let mut out = output(None)?;
    write!(out, "{}", score.render())?;
    out.flush()?;
    Ok(())
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
