//! Reports and events read through Oxigraph's indexes, not SPARQL: resolving the events of
//! one article must not cost a scan of every article (a left join in SPARQL reads its right
//! side whole). Every single-valued field takes the least value when a store holds several,
//! so the rows never depend on the order quads come in.

use std::collections::{BTreeMap, BTreeSet};

use guanxi_core::{InteractionKind, Status, TimeReference};
use guanxi_rdf::events::{Block, ReportRow};
use guanxi_rdf::vocab::{gx, schema, PROV, RDF_TYPE};
use oxigraph::model::{GraphNameRef, NamedNode, NamedNodeRef, NamedOrBlankNodeRef, Term};
use oxigraph::store::Store;

use crate::{term_value, StoreError};

fn node(iri: &str) -> Result<NamedNode, StoreError> {
    NamedNode::new(iri).map_err(|e| StoreError::Query(e.to_string()))
}

/// The IRIs of the subjects of `? predicate object` (`rdf:type` when `predicate` is `None`),
/// in graph `graph` (every graph when `None`), sorted.
pub(crate) fn subjects(
    inner: &Store,
    predicate: Option<&str>,
    object: &str,
    graph: Option<&str>,
) -> Result<Vec<String>, StoreError> {
    subjects_of(inner, predicate, &Term::NamedNode(node(object)?), graph)
}

/// [`subjects`] of any object term (a literal too).
pub(crate) fn subjects_of(
    inner: &Store,
    predicate: Option<&str>,
    object: &Term,
    graph: Option<&str>,
) -> Result<Vec<String>, StoreError> {
    let p = node(predicate.unwrap_or(RDF_TYPE))?;
    let g = graph.map(node).transpose()?;
    let mut out = BTreeSet::new();
    for q in inner.quads_for_pattern(
        None,
        Some(p.as_ref()),
        Some(object.as_ref()),
        g.as_ref().map(|g| GraphNameRef::NamedNode(g.as_ref())),
    ) {
        let q = q.map_err(StoreError::storage)?;
        if let oxigraph::model::NamedOrBlankNode::NamedNode(n) = q.subject {
            out.insert(n.into_string());
        }
    }
    Ok(out.into_iter().collect())
}

/// Every (predicate, object) of `subject` in `graph` (every graph when `None`).
fn properties(
    inner: &Store,
    subject: NamedNodeRef<'_>,
    graph: Option<NamedNodeRef<'_>>,
) -> Result<Vec<(String, Term)>, StoreError> {
    inner
        .quads_for_pattern(
            Some(NamedOrBlankNodeRef::NamedNode(subject)),
            None,
            None,
            graph.map(GraphNameRef::NamedNode),
        )
        .map(|q| {
            q.map(|q| (q.predicate.into_string(), q.object))
                .map_err(StoreError::storage)
        })
        .collect()
}

/// The least value of `predicate` among `props`.
fn least<'a>(props: &'a [(String, Term)], predicate: &str) -> Option<&'a Term> {
    props
        .iter()
        .filter(|(p, _)| p == predicate)
        .map(|(_, o)| o)
        .min_by_key(|o| term_value(o))
}

/// The IRIs of the participants among `props`, named or by title: what places a report or
/// an event in its block.
fn participants_of(props: &[(String, Term)]) -> Vec<String> {
    static PROPS: std::sync::LazyLock<[String; 2]> =
        std::sync::LazyLock::new(|| [gx("participant"), gx("participantByTitle")]);
    props
        .iter()
        .filter(|(p, _)| PROPS.contains(p))
        .map(|(_, o)| term_value(o))
        .collect()
}

/// Runs `f` on every item in parallel and joins the results in the order of the items.
fn in_parallel<I: Sync, T: Send>(
    items: &[I],
    f: impl Fn(&I) -> Result<Vec<T>, StoreError> + Sync + Send,
) -> Result<Vec<T>, StoreError> {
    use rayon::prelude::*;
    let parts: Vec<Vec<T>> = items.par_iter().map(f).collect::<Result<_, _>>()?;
    Ok(parts.into_iter().flatten().collect())
}

/// The least value of `predicate` of `subject`.
pub(crate) fn one(
    inner: &Store,
    subject: &str,
    predicate: &str,
) -> Result<Option<Term>, StoreError> {
    let s = node(subject)?;
    let p = node(predicate)?;
    let mut best: Option<Term> = None;
    for q in inner.quads_for_pattern(
        Some(NamedOrBlankNodeRef::NamedNode(s.as_ref())),
        Some(p.as_ref()),
        None,
        None,
    ) {
        let o = q.map_err(StoreError::storage)?.object;
        if best.as_ref().is_none_or(|b| term_value(&o) < term_value(b)) {
            best = Some(o);
        }
    }
    Ok(best)
}

fn local_name(t: &Term) -> String {
    term_value(t).rsplit('#').next().unwrap_or("").to_string()
}

/// The rows of the reports among `iris` (other subjects are left out), as the report queries
/// read them; `keep` chooses by block, before the rest of a row is read. Read in parallel, in
/// the order of `iris`.
pub(crate) fn report_rows(
    inner: &Store,
    iris: &[String],
    keep: &(dyn Fn(&Block) -> bool + Sync),
) -> Result<Vec<ReportRow>, StoreError> {
    let chunks: Vec<&[String]> = iris.chunks(ROWS_CHUNK).collect();
    in_parallel(&chunks, |chunk| report_rows_of(inner, chunk, keep))
}

/// How many reports one task of [`report_rows`] reads (with caches of its own).
const ROWS_CHUNK: usize = 128;

fn report_rows_of(
    inner: &Store,
    iris: &[String],
    keep: &(dyn Fn(&Block) -> bool + Sync),
) -> Result<Vec<ReportRow>, StoreError> {
    let report_class = gx("InteractionReport");
    let sentence_text = gx("sentenceText");
    let mut out = Vec::new();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    // (Reports of one article share its publisher and day.)
    let mut articles: BTreeMap<String, (String, Option<String>)> = BTreeMap::new();
    let mut countries: BTreeMap<String, Option<String>> = BTreeMap::new();
    for iri in iris {
        let r = node(iri)?;
        let props = properties(inner, r.as_ref(), None)?;
        let is_report = props
            .iter()
            .any(|(p, o)| p == RDF_TYPE && term_value(o) == report_class);
        if !is_report {
            continue;
        }
        let (Some(kind), Some(status)) = (
            least(&props, &gx("reportedType"))
                .and_then(|t| InteractionKind::from_name(&local_name(t))),
            least(&props, &gx("status")).and_then(|t| Status::from_name(&local_name(t))),
        ) else {
            continue;
        };
        let people = participants_of(&props);
        let block = guanxi_rdf::events::block_of(kind, people.iter().map(String::as_str));
        if !block.as_ref().is_some_and(keep) {
            continue;
        }
        let Some(article) = least(&props, &format!("{PROV}wasDerivedFrom")).map(term_value) else {
            continue;
        };
        let (source, published) = match articles.get(&article) {
            Some(known) => known.clone(),
            None => {
                let source = one(inner, &article, &schema("publisher"))?
                    .map_or_else(|| article.clone(), |t| term_value(&t));
                let published =
                    one(inner, &article, &schema("datePublished"))?.map(|t| term_value(&t));
                articles.insert(article.clone(), (source.clone(), published.clone()));
                (source, published)
            }
        };
        let place = least(&props, &schema("location")).map(term_value);
        let place_country = match &place {
            Some(p) => match countries.get(p) {
                Some(c) => c.clone(),
                None => {
                    let c = one(inner, p, &schema("containedInPlace"))?.map(|t| term_value(&t));
                    countries.insert(p.clone(), c.clone());
                    c
                }
            },
            None => None,
        };
        let mut people = |prop: &str| -> Result<BTreeMap<String, String>, StoreError> {
            let mut m = BTreeMap::new();
            for (_, o) in props.iter().filter(|(p, _)| p == prop) {
                let p = term_value(o);
                let name = match names.get(&p) {
                    Some(n) => n.clone(),
                    None => {
                        let n = one(inner, &p, &schema("name"))?
                            .map(|t| term_value(&t))
                            .unwrap_or_default();
                        names.insert(p.clone(), n.clone());
                        n
                    }
                };
                m.insert(p, name);
            }
            Ok(m)
        };
        let participants = people(&gx("participant"))?;
        let by_title = people(&gx("participantByTitle"))?;
        let mut evidence: Vec<String> = props
            .iter()
            .filter(|(p, _)| *p == gx("evidence"))
            .map(|(_, o)| term_value(o))
            .collect();
        evidence.sort();
        evidence.dedup();
        let mut sentences = Vec::new();
        for e in &evidence {
            if let Some(t) = one(inner, e, &sentence_text)? {
                sentences.push(term_value(&t));
            }
        }
        sentences.sort();
        sentences.dedup();
        out.push(ReportRow {
            report: iri.clone(),
            article,
            source,
            kind,
            label: least(&props, &schema("name"))
                .map(term_value)
                .unwrap_or_default(),
            participants,
            by_title,
            date: least(&props, &schema("startDate")).and_then(|t| match t {
                Term::Literal(l) => {
                    Some((l.value().to_string(), l.datatype().as_str().to_string()))
                }
                _ => None,
            }),
            place,
            place_country,
            status,
            published,
            reference: least(&props, &gx("timeReference")).map_or(TimeReference::News, |t| {
                TimeReference::from_name(&local_name(t))
            }),
            evidence,
            sentences,
        });
    }
    Ok(out)
}

/// The blocks of the events among `iris` in the events graph (read in parallel, in order).
pub(crate) fn event_blocks(
    inner: &Store,
    iris: &[String],
) -> Result<Vec<(String, Block)>, StoreError> {
    let g = guanxi_rdf::events::events_graph();
    in_parallel(iris, |iri| {
        let e = node(iri)?;
        let props = properties(inner, e.as_ref(), Some(g.as_ref()))?;
        let kind = props
            .iter()
            .filter(|(p, _)| p == RDF_TYPE)
            .find_map(|(_, o)| InteractionKind::from_name(&local_name(o)));
        let people = participants_of(&props);
        Ok(kind
            .and_then(|k| guanxi_rdf::events::block_of(k, people.iter().map(String::as_str)))
            .map(|b| (iri.clone(), b))
            .into_iter()
            .collect())
    })
}

/// Every quad of the events among `iris` in the events graph (read in parallel).
pub(crate) fn event_quads(
    inner: &Store,
    iris: &[String],
) -> Result<Vec<oxigraph::model::Quad>, StoreError> {
    let g = guanxi_rdf::events::events_graph();
    in_parallel(iris, |iri| {
        let e = node(iri)?;
        inner
            .quads_for_pattern(
                Some(NamedOrBlankNodeRef::NamedNode(e.as_ref())),
                None,
                None,
                Some(GraphNameRef::NamedNode(g.as_ref())),
            )
            .map(|q| q.map_err(StoreError::storage))
            .collect()
    })
}

/// How many quads link a report or event to `person` (as a participant, named or by title):
/// the cost of reading a block through that person.
pub(crate) fn weight(inner: &Store, person: &str) -> Result<usize, StoreError> {
    let o = node(person)?;
    let mut n = 0;
    for prop in [gx("participant"), gx("participantByTitle")] {
        let p = node(&prop)?;
        for q in inner.quads_for_pattern(None, Some(p.as_ref()), Some(o.as_ref().into()), None) {
            q.map_err(StoreError::storage)?;
            n += 1;
        }
    }
    Ok(n)
}
