//! A remote store: any SPARQL 1.1 service, spoken to over HTTP.
//!
//! Writes use the SPARQL 1.1 Graph Store HTTP Protocol (`PUT ?graph=IRI` replaces a graph,
//! `POST ?graph=IRI` adds to one, both with an N-Triples body); reads use the SPARQL 1.1
//! Protocol (`POST` of the URL-encoded form `query=…`, which every service takes), results
//! parsed back from SPARQL JSON or N-Triples. Blocking HTTP (ureq) with timeouts; no retries: a failed request is an error
//! naming the method, the URL and the status.

use std::collections::BTreeMap;
use std::io::Read;
use std::time::Duration;

use oxigraph::io::{RdfFormat, RdfParser, RdfSerializer};
use oxigraph::model::{GraphName, NamedNode, NamedOrBlankNode, Quad, Term, Triple};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsParser};
use oxigraph::sparql::{QueryEvaluationError, QueryResults, QueryTripleIter};

use crate::StoreError;

/// The endpoints of a SPARQL 1.1 service used as a store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// SPARQL 1.1 Protocol query endpoint; its default graph must be the union of all named
    /// graphs.
    pub query: String,
    /// SPARQL 1.1 Update endpoint.
    pub update: String,
    /// SPARQL 1.1 Graph Store HTTP Protocol endpoint (`?graph=IRI` is appended).
    pub gsp: String,
}

impl Endpoints {
    /// The layout of Oxigraph's server under `base` (`http://127.0.0.1:7878`): `/query` (asked
    /// for the union default graph with Oxigraph's `union-default-graph` parameter),
    /// `/update` and `/store`.
    pub fn oxigraph(base: &str) -> Self {
        let base = base.trim_end_matches('/');
        Endpoints {
            query: format!("{base}/query?union-default-graph"),
            update: format!("{base}/update"),
            gsp: format!("{base}/store"),
        }
    }
}

/// Whether a store location names a remote service (`http://…` or `https://…`) rather than a
/// directory.
pub fn is_remote(location: &str) -> bool {
    let l = location.to_ascii_lowercase();
    l.starts_with("http://") || l.starts_with("https://")
}

/// How long to wait for a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a request may wait for the server's answer to begin, and the longest silence
/// within a transfer: a query or a write may take this long.
const IO_TIMEOUT: Duration = Duration::from_secs(300);
/// The most of an error body quoted in an error message.
const ERROR_EXCERPT: usize = 300;

/// A remote store's HTTP client.
pub(crate) struct Remote {
    endpoints: Endpoints,
    agent: ureq::Agent,
}

/// One line: what went wrong with which request.
fn remote_error(method: &'static str, url: &str, reason: impl std::fmt::Display) -> StoreError {
    StoreError::Remote {
        method,
        url: url.to_string(),
        reason: reason.to_string(),
    }
}

impl Remote {
    /// A client for `endpoints`; nothing is sent until the first request.
    pub(crate) fn new(endpoints: Endpoints) -> Result<Self, StoreError> {
        for url in [&endpoints.query, &endpoints.update, &endpoints.gsp] {
            if !is_remote(url) {
                return Err(StoreError::Open {
                    path: url.clone(),
                    reason: "a remote endpoint must be an http:// or https:// URL".to_string(),
                });
            }
        }
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .timeout_recv_response(Some(IO_TIMEOUT))
            .timeout_per_read(Some(IO_TIMEOUT))
            .timeout_per_write(Some(IO_TIMEOUT))
            .user_agent(concat!("guanxi/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Ok(Remote { endpoints, agent })
    }

    /// Checks the answer's status: a 2xx answer is returned, anything else is an error quoting
    /// the first line of the server's message.
    fn check(
        method: &'static str,
        url: &str,
        answer: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<ureq::http::Response<ureq::Body>, StoreError> {
        let mut resp = answer.map_err(|e| remote_error(method, url, e))?;
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        let mut bytes = Vec::new();
        let _ = resp
            .body_mut()
            .as_reader()
            .take(ERROR_EXCERPT as u64 * 4)
            .read_to_end(&mut bytes);
        let line: String = String::from_utf8_lossy(&bytes)
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim()
            .chars()
            .take(ERROR_EXCERPT)
            .collect();
        let reason = if line.is_empty() {
            format!("HTTP {status}")
        } else {
            format!("HTTP {status}: {line}")
        };
        Err(remote_error(method, url, reason))
    }

    /// Sends triples to the graph store: `PUT` replaces graph `graph`, `POST` adds to it.
    fn send_graph<'a>(
        &self,
        method: &'static str,
        graph: Option<&str>,
        quads: impl IntoIterator<Item = &'a Quad>,
    ) -> Result<(), StoreError> {
        let url = &self.endpoints.gsp;
        let mut ser = RdfSerializer::from_format(RdfFormat::NTriples).for_writer(Vec::new());
        for q in quads {
            ser.serialize_triple(q.as_ref())
                .map_err(|e| remote_error(method, url, e))?;
        }
        let body = ser.finish().map_err(|e| remote_error(method, url, e))?;
        let req = match method {
            "PUT" => self.agent.put(url),
            _ => self.agent.post(url),
        };
        let req = match graph {
            Some(g) => req.query("graph", g),
            None => req.query("default", ""),
        };
        let answer = req
            .header("Content-Type", "application/n-triples")
            .send(&body[..]);
        Self::check(method, url, answer).map(drop)
    }

    /// Replaces named graph `graph` with `quads` (their graph names are ignored).
    pub(crate) fn put_graph<'a>(
        &self,
        graph: &str,
        quads: impl IntoIterator<Item = &'a Quad>,
    ) -> Result<(), StoreError> {
        self.send_graph("PUT", Some(graph), quads)
    }

    /// Adds `quads` to their graphs, one request per graph.
    pub(crate) fn post_quads<'a>(
        &self,
        quads: impl IntoIterator<Item = &'a Quad>,
    ) -> Result<(), StoreError> {
        let mut by_graph: BTreeMap<Option<&str>, Vec<&Quad>> = BTreeMap::new();
        for q in quads {
            let g = match &q.graph_name {
                GraphName::NamedNode(n) => Some(n.as_str()),
                _ => None,
            };
            by_graph.entry(g).or_default().push(q);
        }
        for (g, qs) in by_graph {
            self.send_graph("POST", g, qs)?;
        }
        Ok(())
    }

    /// Whether the graph store holds named graph `graph` (`HEAD ?graph=IRI`).
    pub(crate) fn has_graph(&self, graph: &str) -> Result<bool, StoreError> {
        let url = &self.endpoints.gsp;
        let answer = self.agent.head(url).query("graph", graph).call();
        match answer {
            Ok(r) if r.status() == 404 => Ok(false),
            other => Self::check("HEAD", url, other).map(|_| true),
        }
    }

    /// Runs a SPARQL query; solutions and booleans come back as SPARQL JSON, graphs as
    /// N-Triples, both parsed as they stream in.
    pub(crate) fn query(&self, sparql: &str) -> Result<QueryResults<'static>, StoreError> {
        let url = &self.endpoints.query;
        // The URL-encoded form (`query=…`): every service takes it, where some never answer
        // a body sent as `application/sparql-query` (Virtuoso 7).
        let answer = self
            .agent
            .post(url)
            .header(
                "Accept",
                "application/sparql-results+json, application/n-triples;q=0.9",
            )
            .send_form([("query", sparql)]);
        let resp = Self::check("POST", url, answer)?;
        let media = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let reader = resp.into_body().into_reader();
        if let Some(f) = QueryResultsFormat::from_media_type(&media) {
            let parsed = QueryResultsParser::from_format(f)
                .for_reader(reader)
                .map_err(|e| remote_error("POST", url, format!("unreadable results: {e}")))?;
            return Ok(parsed.into());
        }
        if let Some(f) = RdfFormat::from_media_type(&media) {
            let triples = RdfParser::from_format(f).for_reader(reader).map(|q| {
                q.map(Triple::from)
                    .map_err(|e| QueryEvaluationError::Unexpected(Box::new(e)))
            });
            return Ok(QueryResults::Graph(QueryTripleIter::new(triples)));
        }
        Err(remote_error(
            "POST",
            url,
            format!("unexpected content type {media:?} in the answer to a query"),
        ))
    }

    /// Runs a SPARQL 1.1 update.
    pub(crate) fn update(&self, sparql: &str) -> Result<(), StoreError> {
        let url = &self.endpoints.update;
        let answer = self
            .agent
            .post(url)
            .header("Content-Type", "application/sparql-update")
            .send(sparql);
        Self::check("POST", url, answer).map(drop)
    }

    /// The quads a SELECT of `?s ?p ?o` (and `?g`, unless `graph` names the one graph) gives.
    pub(crate) fn select_quads(
        &self,
        sparql: &str,
        graph: Option<&NamedNode>,
    ) -> Result<Box<dyn Iterator<Item = Result<Quad, StoreError>>>, StoreError> {
        let url = self.endpoints.query.clone();
        let QueryResults::Solutions(solutions) = self.query(sparql)? else {
            return Err(remote_error("POST", &url, "expected solutions"));
        };
        let fixed = graph.cloned();
        Ok(Box::new(solutions.map(move |s| {
            let s = s.map_err(|e| remote_error("POST", &url, e))?;
            let subject = match s.get("s") {
                Some(Term::NamedNode(n)) => NamedOrBlankNode::NamedNode(n.clone()),
                Some(Term::BlankNode(b)) => NamedOrBlankNode::BlankNode(b.clone()),
                _ => return Err(remote_error("POST", &url, "a row without a subject")),
            };
            let Some(Term::NamedNode(predicate)) = s.get("p").cloned() else {
                return Err(remote_error("POST", &url, "a row without a predicate"));
            };
            let Some(object) = s.get("o").cloned() else {
                return Err(remote_error("POST", &url, "a row without an object"));
            };
            let graph_name = match (&fixed, s.get("g")) {
                (Some(g), _) => GraphName::NamedNode(g.clone()),
                (None, Some(Term::NamedNode(g))) => GraphName::NamedNode(g.clone()),
                (None, Some(Term::BlankNode(b))) => GraphName::BlankNode(b.clone()),
                _ => GraphName::DefaultGraph,
            };
            Ok(Quad::new(subject, predicate, object, graph_name))
        })))
    }
}

/// `sparql` with `bindings` joined in as a `VALUES` block at the start of its outermost group
/// (under the solution modifiers, projection and filters), so that filters and the rest of the
/// pattern see them bound: what substituting them does on the embedded store, written as text
/// a remote service understands.
pub(crate) fn bind_values(sparql: &str, bindings: &[(&str, Term)]) -> Result<String, StoreError> {
    use spargebra::algebra::GraphPattern;
    use spargebra::term::GroundTerm;
    use spargebra::Query;
    if bindings.is_empty() {
        return Ok(sparql.to_string());
    }
    let mut query = spargebra::SparqlParser::new()
        .parse_query(sparql)
        .map_err(|e| StoreError::Syntax(e.to_string()))?;
    let mut variables = Vec::with_capacity(bindings.len());
    let mut row = Vec::with_capacity(bindings.len());
    for (name, term) in bindings {
        variables.push(
            oxigraph::model::Variable::new(*name).map_err(|e| StoreError::Syntax(e.to_string()))?,
        );
        row.push(Some(match term {
            Term::NamedNode(n) => GroundTerm::NamedNode(n.clone()),
            Term::Literal(l) => GroundTerm::Literal(l.clone()),
            other => {
                return Err(StoreError::Syntax(format!(
                    "cannot bind {name} to {other}: only IRIs and literals can be sent"
                )))
            }
        }));
    }
    let values = GraphPattern::Values {
        variables,
        bindings: vec![row],
    };
    /// Joins `values` to the leftmost pattern of the outermost group, below the solution
    /// modifiers (`top`: above the projection or grouping) and the group's filters, binds and
    /// joins; never inside a subquery.
    fn inject(p: GraphPattern, values: GraphPattern, top: bool) -> GraphPattern {
        use GraphPattern as G;
        let down = |inner: Box<G>, values| Box::new(inject(*inner, values, top));
        match p {
            // (Below the projection a grouping may still come: the values go below it too.)
            G::Project { inner, variables } if top => G::Project {
                inner: Box::new(inject(*inner, values, true)),
                variables,
            },
            G::Distinct { inner } if top => G::Distinct {
                inner: down(inner, values),
            },
            G::Reduced { inner } if top => G::Reduced {
                inner: down(inner, values),
            },
            G::Slice {
                inner,
                start,
                length,
            } if top => G::Slice {
                inner: down(inner, values),
                start,
                length,
            },
            G::OrderBy { inner, expression } => G::OrderBy {
                inner: down(inner, values),
                expression,
            },
            G::Group {
                inner,
                variables,
                aggregates,
            } if top => G::Group {
                inner: Box::new(inject(*inner, values, false)),
                variables,
                aggregates,
            },
            G::Filter { expr, inner } => G::Filter {
                expr,
                inner: down(inner, values),
            },
            G::Extend {
                inner,
                variable,
                expression,
            } => G::Extend {
                inner: down(inner, values),
                variable,
                expression,
            },
            G::Join { left, right } => G::Join {
                left: Box::new(inject(*left, values, false)),
                right,
            },
            G::LeftJoin {
                left,
                right,
                expression,
            } => G::LeftJoin {
                left: Box::new(inject(*left, values, false)),
                right,
                expression,
            },
            G::Minus { left, right } => G::Minus {
                left: Box::new(inject(*left, values, false)),
                right,
            },
            other => G::Join {
                left: Box::new(values),
                right: Box::new(other),
            },
        }
    }
    match &mut query {
        Query::Select { pattern, .. }
        | Query::Construct { pattern, .. }
        | Query::Describe { pattern, .. }
        | Query::Ask { pattern, .. } => {
            let p = std::mem::replace(pattern, GraphPattern::Bgp { patterns: vec![] });
            *pattern = inject(p, values, true);
        }
    }
    Ok(query.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oxigraph_layout_under_a_base_url() {
        let e = Endpoints::oxigraph("http://127.0.0.1:7878/");
        assert_eq!(e.query, "http://127.0.0.1:7878/query?union-default-graph");
        assert_eq!(e.update, "http://127.0.0.1:7878/update");
        assert_eq!(e.gsp, "http://127.0.0.1:7878/store");
        assert!(is_remote("HTTPS://example.org/ds"));
        assert!(!is_remote("output/store"));
        assert!(!is_remote("http:store"));
    }

    #[test]
    fn bound_values_reach_filters_and_survive_quotes() {
        let q = "SELECT ?x WHERE { ?x <http://schema.org/name> ?n . FILTER(STR(?n) = ?target) } ORDER BY ?x LIMIT 3";
        let target = oxigraph::model::Literal::new_simple_literal("王\"毅\n");
        let out = bind_values(q, &[("target", target.into())]).unwrap();
        spargebra::SparqlParser::new().parse_query(&out).unwrap();
        assert!(
            out.find("VALUES").unwrap() < out.find("FILTER").unwrap(),
            "{out}"
        );
        assert!(out.contains(r#""王\"毅\n""#), "{out}");
        assert!(out.contains("LIMIT 3"), "{out}");
    }

    /// A bound variable restricts what an aggregate reads, not its result (where it would be
    /// joined to every group).
    #[test]
    fn bound_values_reach_below_an_aggregate() {
        use oxigraph::model::{GraphNameRef, Literal, NamedNode, QuadRef};
        let store = oxigraph::store::Store::new().unwrap();
        let p = NamedNode::new("http://example.org/key").unwrap();
        for (s, k) in [("http://example.org/a", "1"), ("http://example.org/b", "2")] {
            let s = NamedNode::new(s).unwrap();
            let k = Literal::new_simple_literal(k);
            store
                .insert(QuadRef::new(&s, &p, &k, GraphNameRef::DefaultGraph))
                .unwrap();
        }
        let q = "SELECT (MAX(STR(?x)) AS ?a) WHERE { ?x <http://example.org/key> ?k }";
        let out = bind_values(q, &[("k", Literal::new_simple_literal("1").into())]).unwrap();
        let results = oxigraph::sparql::SparqlEvaluator::new()
            .parse_query(&out)
            .unwrap()
            .on_store(&store)
            .execute()
            .unwrap();
        let oxigraph::sparql::QueryResults::Solutions(rows) = results else {
            panic!("{out}");
        };
        let got: Vec<String> = rows
            .map(|r| {
                r.unwrap()
                    .get("a")
                    .map(|t| t.to_string())
                    .unwrap_or_default()
            })
            .collect();
        assert_eq!(got, vec!["\"http://example.org/a\"".to_string()], "{out}");
    }
}
