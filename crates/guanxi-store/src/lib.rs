//! The Guanxi store: Oxigraph on RocksDB, or any SPARQL 1.1 service over HTTP, with
//! idempotent per-article loads and SPARQL over the union of all named graphs.
//!
//! Design decision: an article is one named graph. New articles go in by batch through the
//! bulk loader (atomic at commit); an article already stored is replaced in one transaction (clear, then
//! insert), so re-ingesting is idempotent and a crash never leaves half an article. Entity
//! descriptions go to the shared entities graph, where inserting them again is a no-op.
//! A remote store does the same with the Graph Store Protocol: one `PUT` per article graph,
//! `POST` for the shared descriptions (see [`remote`]). Everything above the store sees one
//! type, [`Store`], whichever backend it holds.
//! This crate is the one library crate that touches the disk (RocksDB needs a directory) and
//! the network (a remote store).

mod error;
mod local;
pub mod remote;

use std::path::Path;

pub use error::StoreError;
pub use oxigraph::model::Quad;
pub use oxigraph::sparql::{QueryResults, QuerySolution};
pub use remote::{is_remote, Endpoints};

use guanxi_rdf::ArticleQuads;
use oxigraph::model::{GraphNameRef, NamedNodeRef, Term};
use oxigraph::sparql::SparqlEvaluator;

/// A term's value: an IRI without brackets, a literal's lexical form.
pub fn term_value(t: &Term) -> String {
    match t {
        Term::NamedNode(n) => n.as_str().to_string(),
        Term::Literal(l) => l.value().to_string(),
        other => other.to_string(),
    }
}

/// Up to this many new articles are written in one transaction rather than by the bulk loader.
pub const SMALL_BATCH: usize = 64;

/// An open store.
pub struct Store {
    backend: Backend,
    /// Hashes of the shared entity quads this handle has written: an entity named by a
    /// thousand articles is written once per run, not a thousand times.
    written_shared: std::sync::Mutex<std::collections::HashSet<u64>>,
}

/// A 64-bit hash of a quad: how a run remembers the shared quads it has written.
pub fn quad_hash(q: &Quad) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    q.hash(&mut h);
    h.finish()
}

/// The shared quads not written yet in this run (each once), and their hashes to remember
/// once the write has committed.
fn fresh_shared<'a>(
    written: &std::collections::HashSet<u64>,
    shared: impl Iterator<Item = &'a Quad>,
) -> (Vec<&'a Quad>, Vec<u64>) {
    let mut seen = std::collections::HashSet::new();
    shared
        .map(|q| (quad_hash(q), q))
        .filter(|(h, _)| !written.contains(h) && seen.insert(*h))
        .map(|(h, q)| (q, h))
        .unzip()
}

/// A bulk load killed before its commit leaves its sorted files (`bulk-*.sst`) in the store's
/// directory, never part of the store; they are removed once the store is open, when this
/// process holds RocksDB's lock and no other can be writing them.
fn remove_stale_bulk_files(dir: &Path) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("bulk-") && name.ends_with(".sst") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Where the quads live.
enum Backend {
    /// Oxigraph in this process (RocksDB or memory).
    Local(oxigraph::store::Store),
    /// A SPARQL 1.1 service.
    Remote(remote::Remote),
}

impl Store {
    fn with(backend: Backend) -> Self {
        Store {
            backend,
            written_shared: Default::default(),
        }
    }

    /// Opens (creating when missing) the store in directory `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let inner = oxigraph::store::Store::open(path).map_err(|e| StoreError::Open {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        remove_stale_bulk_files(path);
        Ok(Self::with(Backend::Local(inner)))
    }

    /// A store in memory (tests, dry runs).
    pub fn in_memory() -> Result<Self, StoreError> {
        Ok(Self::with(Backend::Local(
            oxigraph::store::Store::new().map_err(StoreError::storage)?,
        )))
    }

    /// A remote store: the SPARQL 1.1 service at `endpoints`, whose query endpoint's default
    /// graph is the union of its named graphs. Nothing is sent until the first read or write.
    pub fn remote(endpoints: Endpoints) -> Result<Self, StoreError> {
        Ok(Self::with(Backend::Remote(remote::Remote::new(endpoints)?)))
    }

    /// Replaces the article's graph with `aq` and adds its entity descriptions, atomically
    /// (remotely: one `PUT` of the article's graph, then one `POST` of the descriptions).
    pub fn replace_article(&self, aq: &ArticleQuads) -> Result<(), StoreError> {
        let inner = match &self.backend {
            Backend::Local(inner) => inner,
            Backend::Remote(r) => {
                r.put_graph(aq.graph.as_str(), aq.quads.iter())?;
                let mut written = self
                    .written_shared
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let (fresh, hashes) = fresh_shared(&written, aq.shared.iter());
                r.post_quads(fresh)?;
                written.extend(hashes);
                return Ok(());
            }
        };
        let mut tx = inner.start_transaction().map_err(StoreError::storage)?;
        let g = NamedNodeRef::from(&aq.graph);
        tx.clear_graph(GraphNameRef::NamedNode(g))
            .map_err(StoreError::storage)?;
        tx.insert_named_graph(g);
        tx.extend(aq.quads.iter());
        let mut written = self
            .written_shared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (fresh, hashes) = fresh_shared(&written, aq.shared.iter());
        tx.extend(fresh);
        tx.commit().map_err(StoreError::storage)?;
        written.extend(hashes);
        Ok(())
    }

    /// Calls `f` with the subject and object value of every quad of `predicate`, in any graph:
    /// one index scan, much faster than a SPARQL join over the same triples.
    pub fn for_each_pair(
        &self,
        predicate: &str,
        mut f: impl FnMut(&str, &str),
    ) -> Result<(), StoreError> {
        let p = NamedNodeRef::new(predicate).map_err(|e| StoreError::Syntax(e.to_string()))?;
        let inner = match &self.backend {
            Backend::Local(inner) => inner,
            // One row per quad, as the index scan gives them.
            Backend::Remote(_) => {
                let q = format!("SELECT ?s ?o WHERE {{ GRAPH ?g {{ ?s {p} ?o }} }}");
                return self.each_row(&q, |get| {
                    if let (Some(Term::NamedNode(s)), Some(o)) = (get("s"), get("o")) {
                        f(s.as_str(), &term_value(&o));
                    }
                });
            }
        };
        for q in inner.quads_for_pattern(None, Some(p), None, None) {
            let q = q.map_err(StoreError::storage)?;
            let s = match &q.subject {
                oxigraph::model::NamedOrBlankNode::NamedNode(n) => n.as_str(),
                _ => continue,
            };
            f(s, &term_value(&q.object));
        }
        Ok(())
    }

    /// Writes a batch of articles: those the store does not hold yet through Oxigraph's bulk
    /// loader (one atomic commit for the batch, several times faster than a transaction per
    /// article; up to [`SMALL_BATCH`] of them in one transaction), those it holds already by
    /// replacement in a transaction each. A remote store
    /// takes one `PUT` per article graph (which replaces it) and one `POST` of the batch's new
    /// entity descriptions.
    pub fn load_articles(&self, batch: &[ArticleQuads]) -> Result<(), StoreError> {
        let inner = match &self.backend {
            Backend::Local(inner) => inner,
            Backend::Remote(r) => {
                for aq in batch {
                    r.put_graph(aq.graph.as_str(), aq.quads.iter())?;
                }
                let mut written = self
                    .written_shared
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let (fresh, hashes) =
                    fresh_shared(&written, batch.iter().flat_map(|aq| aq.shared.iter()));
                r.post_quads(fresh)?;
                written.extend(hashes);
                return Ok(());
            }
        };
        let mut fresh_articles: Vec<&ArticleQuads> = Vec::with_capacity(batch.len());
        for aq in batch {
            let g = NamedNodeRef::from(&aq.graph);
            if inner.contains_named_graph(g).map_err(StoreError::storage)? {
                self.replace_article(aq)?;
            } else {
                fresh_articles.push(aq);
            }
        }
        if fresh_articles.is_empty() {
            return Ok(());
        }
        let mut written = self
            .written_shared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (shared, hashes) = fresh_shared(
            &written,
            fresh_articles.iter().flat_map(|aq| aq.shared.iter()),
        );
        let quads: Vec<Quad> = fresh_articles
            .iter()
            .flat_map(|aq| aq.quads.iter())
            .chain(shared)
            .cloned()
            .collect();
        if fresh_articles.len() <= SMALL_BATCH {
            // A few articles (a feed's latest): one transaction, since a bulk load's sorted
            // files cost seconds to ingest into a large store.
            let mut tx = inner.start_transaction().map_err(StoreError::storage)?;
            tx.extend(quads.iter());
            tx.commit().map_err(StoreError::storage)?;
        } else {
            let mut loader = inner
                .bulk_loader()
                .with_num_threads(1)
                .with_max_memory_size_in_megabytes(256);
            loader.load_quads(quads).map_err(StoreError::storage)?;
            loader.commit().map_err(StoreError::storage)?;
        }
        written.extend(hashes);
        Ok(())
    }

    /// The article the store holds with this body key (`gx:bodyHash`), if any (the least
    /// IRI when several).
    pub fn article_with_body(&self, key: &str) -> Result<Option<String>, StoreError> {
        let lit = oxigraph::model::Literal::new_simple_literal(key);
        let p = guanxi_rdf::vocab::gx("bodyHash");
        match &self.backend {
            // (Sorted: the first is the least.)
            Backend::Local(inner) => {
                Ok(
                    local::subjects_of(inner, Some(&p), &lit.clone().into(), None)?
                        .into_iter()
                        .next(),
                )
            }
            Backend::Remote(_) => self.least_of(
                &format!("SELECT ?a WHERE {{ ?a <{p}> ?k }}"),
                ("k", lit.into()),
                "a",
            ),
        }
    }

    /// The file name an article stored under `article` (its IRI) was read from
    /// (`gx:sourceFile`), if it is stored.
    pub fn article_source_file(&self, article: &str) -> Result<Option<String>, StoreError> {
        let p = guanxi_rdf::vocab::gx("sourceFile");
        match &self.backend {
            Backend::Local(inner) => Ok(local::one(inner, article, &p)?.map(|t| term_value(&t))),
            Backend::Remote(_) => {
                let a = oxigraph::model::NamedNode::new(article)
                    .map_err(|e| StoreError::Query(e.to_string()))?;
                self.least_of(
                    &format!("SELECT ?f WHERE {{ ?a <{p}> ?f }}"),
                    ("a", a.into()),
                    "f",
                )
            }
        }
    }

    /// The least value of `var` over the rows of `sparql` with `binding` bound.
    fn least_of(
        &self,
        sparql: &str,
        binding: (&str, Term),
        var: &str,
    ) -> Result<Option<String>, StoreError> {
        let mut best: Option<String> = None;
        if let QueryResults::Solutions(rows) = self.query_bound(sparql, &[binding])? {
            for s in rows {
                let s = s.map_err(|e| StoreError::Query(e.to_string()))?;
                if let Some(v) = s.get(var).map(term_value) {
                    if best.as_ref().is_none_or(|b| v < *b) {
                        best = Some(v);
                    }
                }
            }
        }
        Ok(best)
    }

    /// The numbers of reports and of merged interactions in the store, as the last
    /// [`Store::rebuild_events`] left them.
    pub fn event_counts(&self) -> Result<(usize, usize), StoreError> {
        let count = |class: &str| -> Result<usize, StoreError> {
            let q = format!(
                "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a <{}{class}> }}",
                guanxi_rdf::vocab::GX
            );
            let mut n = 0;
            self.each_row(&q, |get| {
                n = get("n")
                    .map(|t| term_value(&t))
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
            })?;
            Ok(n)
        };
        Ok((count("InteractionReport")?, count("Interaction")?))
    }

    /// Rebuilds the merged interactions (the events graph) from every report in the store, in
    /// one transaction (remotely: one `PUT` of the events graph); returns (reports,
    /// interactions). The reports are read with SPARQL on either backend, so both merge the
    /// same rows with the same code.
    pub fn rebuild_events(&self) -> Result<(usize, usize), StoreError> {
        let reports = match &self.backend {
            Backend::Local(inner) => {
                let all = local::subjects(
                    inner,
                    None,
                    &guanxi_rdf::vocab::gx("InteractionReport"),
                    None,
                )?;
                local::report_rows(inner, &all, &|_| true)?
            }
            Backend::Remote(_) => self.read_reports()?,
        };
        let quads = guanxi_rdf::events::merge(&reports);
        let events: std::collections::HashSet<&oxigraph::model::NamedOrBlankNode> =
            quads.iter().map(|q| &q.subject).collect();
        let n_events = events.len();
        let g = guanxi_rdf::events::events_graph();
        let inner = match &self.backend {
            Backend::Local(inner) => inner,
            Backend::Remote(r) => {
                r.put_graph(g.as_str(), quads.iter())?;
                return Ok((reports.len(), n_events));
            }
        };
        let mut tx = inner.start_transaction().map_err(StoreError::storage)?;
        tx.clear_graph(GraphNameRef::NamedNode(g.as_ref()))
            .map_err(StoreError::storage)?;
        tx.insert_named_graph(g.as_ref());
        tx.extend(quads.iter());
        tx.commit().map_err(StoreError::storage)?;
        Ok((reports.len(), n_events))
    }

    /// Re-resolves only the events that the reports of `articles` touch: the blocks of their
    /// reports now in the store and of the events they were part of before (an article
    /// replaced or gone), found through the store's indexes by participant (by type for the
    /// summits), replaced in one transaction. The events graph is then what
    /// [`Store::rebuild_events`] would make. A remote store rebuilds it whole. Returns the
    /// numbers of reports read and of events written.
    pub fn update_events(&self, articles: &[String]) -> Result<(usize, usize), StoreError> {
        use guanxi_rdf::events::Block;
        use guanxi_rdf::vocab::gx;
        use std::collections::BTreeSet;
        let inner = match &self.backend {
            Backend::Local(inner) => inner,
            Backend::Remote(_) => return self.rebuild_events(),
        };
        // The blocks touched: those of the articles' reports and of their former events.
        let mut blocks: BTreeSet<Block> = BTreeSet::new();
        let events = guanxi_rdf::events::events_graph();
        let derived = format!("{}wasDerivedFrom", guanxi_rdf::vocab::PROV);
        for a in articles {
            let of_article = local::subjects(inner, Some(&derived), a, None)?;
            for r in local::report_rows(inner, &of_article, &|_| true)? {
                blocks.extend(guanxi_rdf::events::report_block(&r));
            }
            let former = local::subjects(inner, Some(&derived), a, Some(events.as_str()))?;
            blocks.extend(
                local::event_blocks(inner, &former)?
                    .into_iter()
                    .map(|x| x.1),
            );
        }
        // Their reports and their events now, by anchor (the summits by type).
        let mut reports = Vec::new();
        let mut old: BTreeSet<String> = BTreeSet::new();
        // Each block through its least cited participant.
        let mut weights: std::collections::BTreeMap<&str, usize> = Default::default();
        let mut anchors: BTreeSet<Option<&str>> = BTreeSet::new();
        for b in &blocks {
            let mut best: Option<(usize, &str)> = None;
            for p in b.people() {
                let w = match weights.get(p.as_str()) {
                    Some(w) => *w,
                    None => {
                        let w = local::weight(inner, p)?;
                        weights.insert(p, w);
                        w
                    }
                };
                if best.is_none_or(|(bw, _)| w < bw) {
                    best = Some((w, p.as_str()));
                }
            }
            anchors.insert(best.map(|b| b.1));
        }
        let people = [gx("participant"), gx("participantByTitle")];
        for anchor in anchors {
            let (found, events_found) = match anchor {
                Some(p) => {
                    let mut r = BTreeSet::new();
                    let mut e = BTreeSet::new();
                    for prop in &people {
                        r.extend(local::subjects(inner, Some(prop), p, None)?);
                        e.extend(local::subjects(
                            inner,
                            Some(prop),
                            p,
                            Some(events.as_str()),
                        )?);
                    }
                    (
                        r.into_iter().collect::<Vec<_>>(),
                        e.into_iter().collect::<Vec<_>>(),
                    )
                }
                None => (
                    local::subjects(inner, Some(&gx("reportedType")), &gx("Summit"), None)?,
                    local::subjects(inner, None, &gx("Summit"), Some(events.as_str()))?,
                ),
            };
            reports.extend(local::report_rows(inner, &found, &|b| blocks.contains(b))?);
            for (e, b) in local::event_blocks(inner, &events_found)? {
                if blocks.contains(&b) {
                    old.insert(e);
                }
            }
        }
        // (A report read through two anchors is one report.)
        reports.sort_by(|a, b| a.report.cmp(&b.report));
        reports.dedup_by(|a, b| a.report == b.report);
        let quads = guanxi_rdf::events::resolve_blocks(&reports, Some(&blocks));
        let n_events = quads
            .iter()
            .map(|q| &q.subject)
            .collect::<std::collections::HashSet<_>>()
            .len();
        // Only what changed is written: most events of a block come out as they were.
        let g = guanxi_rdf::events::events_graph();
        let old: Vec<String> = old.into_iter().collect();
        let before: std::collections::HashSet<Quad> =
            local::event_quads(inner, &old)?.into_iter().collect();
        let after: std::collections::HashSet<&Quad> = quads.iter().collect();
        let mut tx = inner.start_transaction().map_err(StoreError::storage)?;
        for q in before.iter().filter(|q| !after.contains(q)) {
            tx.remove(q);
        }
        tx.insert_named_graph(g.as_ref());
        tx.extend(quads.iter().filter(|q| !before.contains(*q)));
        tx.commit().map_err(StoreError::storage)?;
        Ok((reports.len(), n_events))
    }

    /// Every interaction report, read with SPARQL (a remote store; a local one reads them
    /// through its indexes, the same rows).
    fn read_reports(&self) -> Result<Vec<guanxi_rdf::events::ReportRow>, StoreError> {
        use guanxi_core::{InteractionKind, Status, TimeReference};
        use guanxi_rdf::events::ReportRow;
        use std::collections::BTreeMap;
        let mut rows: BTreeMap<String, ReportRow> = BTreeMap::new();
        self.each_row(guanxi_rdf::events::REPORTS_QUERY, |get| {
            let local = |t: Option<Term>| {
                t.map(|t| term_value(&t))
                    .and_then(|v| v.rsplit('#').next().map(str::to_string))
                    .unwrap_or_default()
            };
            let Some(r) = get("r").map(|t| term_value(&t)) else {
                return;
            };
            // (A type or status this version does not know is no report it can merge.)
            let (Some(kind), Some(status)) = (
                InteractionKind::from_name(&local(get("t"))),
                Status::from_name(&local(get("st"))),
            ) else {
                return;
            };
            rows.insert(
                r.clone(),
                ReportRow {
                    report: r,
                    article: get("a").map(|t| term_value(&t)).unwrap_or_default(),
                    source: get("src").map(|t| term_value(&t)).unwrap_or_default(),
                    kind,
                    label: get("label").map(|t| term_value(&t)).unwrap_or_default(),
                    date: get("d").and_then(|t| match t {
                        Term::Literal(l) => {
                            Some((l.value().to_string(), l.datatype().as_str().to_string()))
                        }
                        _ => None,
                    }),
                    place: get("pl").map(|t| term_value(&t)),
                    place_country: get("plc").map(|t| term_value(&t)),
                    status,
                    published: get("when").map(|t| term_value(&t)),
                    reference: TimeReference::from_name(&local(get("ref"))),
                    ..ReportRow::default()
                },
            );
        })?;
        for (q, which) in [
            (guanxi_rdf::events::REPORT_PARTICIPANTS_QUERY, 0),
            (guanxi_rdf::events::REPORT_PARTICIPANTS_BY_TITLE_QUERY, 1),
        ] {
            self.each_row(q, |get| {
                let (Some(r), Some(p)) = (get("r"), get("p")) else {
                    return;
                };
                if let Some(row) = rows.get_mut(&term_value(&r)) {
                    let name = get("n").map(|t| term_value(&t)).unwrap_or_default();
                    let set = if which == 0 {
                        &mut row.participants
                    } else {
                        &mut row.by_title
                    };
                    set.insert(term_value(&p), name);
                }
            })?;
        }
        self.each_row(guanxi_rdf::events::REPORT_EVIDENCE_QUERY, |get| {
            if let (Some(r), Some(e)) = (get("r"), get("e")) {
                if let Some(row) = rows.get_mut(&term_value(&r)) {
                    row.evidence.push(term_value(&e));
                    row.sentences.extend(get("text").map(|t| term_value(&t)));
                }
            }
        })?;
        Ok(rows
            .into_values()
            .map(|mut r| {
                r.evidence.sort();
                r.evidence.dedup();
                r.sentences.sort();
                r.sentences.dedup();
                r
            })
            .collect())
    }

    /// Runs a SELECT query and hands each solution's bindings to `f`.
    fn each_row(
        &self,
        sparql: &str,
        mut f: impl FnMut(&dyn Fn(&str) -> Option<Term>),
    ) -> Result<(), StoreError> {
        if let QueryResults::Solutions(solutions) = self.query(sparql)? {
            for s in solutions {
                let s = s.map_err(|e| StoreError::Query(e.to_string()))?;
                f(&|v: &str| s.get(v).cloned());
            }
        }
        Ok(())
    }

    /// Runs a SPARQL query; the default graph is the union of all named graphs.
    pub fn query(&self, sparql: &str) -> Result<QueryResults<'static>, StoreError> {
        self.query_with(sparql, None)
    }

    /// Runs a SPARQL query that `cancel` can stop (a server's timeout); the default graph is
    /// the union of all named graphs. `SERVICE` cannot reach the network: the store is built
    /// without an HTTP client. A remote store runs the query on its service (under the
    /// client's timeouts; `cancel` does not reach it).
    pub fn query_with(
        &self,
        sparql: &str,
        cancel: Option<oxigraph::sparql::CancellationToken>,
    ) -> Result<QueryResults<'static>, StoreError> {
        let inner = match &self.backend {
            Backend::Local(inner) => inner,
            Backend::Remote(r) => return r.query(sparql),
        };
        let mut evaluator = SparqlEvaluator::new();
        if let Some(c) = cancel {
            evaluator = evaluator.with_cancellation_token(c);
        }
        let mut prepared = evaluator
            .parse_query(sparql)
            .map_err(|e| StoreError::Syntax(e.to_string()))?;
        prepared.dataset_mut().set_default_graph_as_union();
        prepared
            .on_store(inner)
            .execute()
            .map_err(|e| StoreError::Query(e.to_string()))
    }

    /// Runs a SPARQL query with variables bound to terms (`?name` → `"王毅"`): user values are
    /// never pasted into query text. A remote store gets the query with the bindings joined in
    /// as a `VALUES` block at the start of its outermost group, serialised from the parsed
    /// query (so a value is always one escaped term).
    pub fn query_bound(
        &self,
        sparql: &str,
        bindings: &[(&str, Term)],
    ) -> Result<QueryResults<'static>, StoreError> {
        let inner = match &self.backend {
            Backend::Local(inner) => inner,
            Backend::Remote(r) => return r.query(&remote::bind_values(sparql, bindings)?),
        };
        let mut prepared = SparqlEvaluator::new()
            .parse_query(sparql)
            .map_err(|e| StoreError::Syntax(e.to_string()))?;
        prepared.dataset_mut().set_default_graph_as_union();
        for (name, term) in bindings {
            let v = oxigraph::model::Variable::new(*name)
                .map_err(|e| StoreError::Syntax(e.to_string()))?;
            prepared = prepared.substitute_variable(v, term.clone());
        }
        prepared
            .on_store(inner)
            .execute()
            .map_err(|e| StoreError::Query(e.to_string()))
    }

    /// Runs a SPARQL 1.1 update.
    pub fn update(&self, sparql: &str) -> Result<(), StoreError> {
        let inner = match &self.backend {
            Backend::Local(inner) => inner,
            Backend::Remote(r) => return r.update(sparql),
        };
        SparqlEvaluator::new()
            .parse_update(sparql)
            .map_err(|e| StoreError::Syntax(e.to_string()))?
            .on_store(inner)
            .execute()
            .map_err(|e| StoreError::Query(e.to_string()))
    }

    /// The quads of one named graph (`Some(iri)`), or of every graph (`None`: the union
    /// default graph).
    pub fn graph_quads(&self, graph: Option<&str>) -> Result<Quads<'_>, StoreError> {
        let g = match graph {
            Some(iri) => Some(
                oxigraph::model::NamedNode::new(iri)
                    .map_err(|e| StoreError::Syntax(e.to_string()))?,
            ),
            None => None,
        };
        match &self.backend {
            Backend::Local(inner) => Ok(Box::new(
                inner
                    .quads_for_pattern(
                        None,
                        None,
                        None,
                        g.as_ref().map(|g| GraphNameRef::NamedNode(g.as_ref())),
                    )
                    .map(|q| q.map_err(StoreError::storage)),
            )),
            Backend::Remote(r) => match &g {
                Some(g) => r.select_quads(
                    &format!("SELECT ?s ?p ?o WHERE {{ GRAPH {g} {{ ?s ?p ?o }} }}"),
                    Some(g),
                ),
                None => r.select_quads(ALL_QUADS, None),
            },
        }
    }

    /// Whether the store holds this named graph.
    pub fn has_graph(&self, iri: &str) -> Result<bool, StoreError> {
        let n = NamedNodeRef::new(iri).map_err(|e| StoreError::Syntax(e.to_string()))?;
        match &self.backend {
            Backend::Local(inner) => inner.contains_named_graph(n).map_err(StoreError::storage),
            Backend::Remote(r) => r.has_graph(iri),
        }
    }

    /// Every quad, in the store's index order (a remote store's: every quad of its named
    /// graphs, in the order its service gives them).
    pub fn quads(&self) -> Result<Quads<'_>, StoreError> {
        match &self.backend {
            Backend::Local(inner) => Ok(Box::new(
                inner.iter().map(|q| q.map_err(StoreError::storage)),
            )),
            Backend::Remote(r) => r.select_quads(ALL_QUADS, None),
        }
    }

    /// Number of quads.
    pub fn len(&self) -> Result<usize, StoreError> {
        match &self.backend {
            Backend::Local(inner) => inner.len().map_err(StoreError::storage),
            Backend::Remote(_) => {
                let mut n = 0;
                self.each_row(
                    "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                    |get| {
                        n = get("n")
                            .map(|t| term_value(&t))
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(0);
                    },
                )?;
                Ok(n)
            }
        }
    }

    /// Whether the store holds no quad.
    pub fn is_empty(&self) -> Result<bool, StoreError> {
        match &self.backend {
            Backend::Local(inner) => inner.is_empty().map_err(StoreError::storage),
            Backend::Remote(_) => Ok(self.len()? == 0),
        }
    }

    /// Writes everything committed to disk (a remote service has written it already).
    pub fn flush(&self) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Local(inner) => inner.flush().map_err(StoreError::storage),
            Backend::Remote(_) => Ok(()),
        }
    }
}

/// Quads read from a store, one by one.
pub type Quads<'a> = Box<dyn Iterator<Item = Result<Quad, StoreError>> + 'a>;

/// Every quad of a remote store's named graphs.
const ALL_QUADS: &str = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }";
