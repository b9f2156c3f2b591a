//! `guanxi serve`: the SPARQL 1.1 Protocol, the read side of the Graph Store Protocol and a
//! service description, at the paths Oxigraph's server uses (`/query`, `/update`, `/store`),
//! and the browser page at `/`.
//!
//! Safe by default: loopback, read-only (updates need `--allow-updates` and a bearer token),
//! a timeout that cancels the evaluation, a result-size limit, request bodies of at most
//! [`MAX_BODY_BYTES`], no federated `SERVICE` (the store has no HTTP client), at most one
//! uncancellable graph job per core, CORS only when asked for, one log line per request.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use guanxi_rdf::{JsonLdProfileSet, RdfFormat};
use guanxi_store::{QueryResults, Store};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::CancellationToken;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Address to listen on.
    pub bind: SocketAddr,
    /// Longest a query may run.
    pub timeout: Duration,
    /// Most results (rows, triples) a response may carry.
    pub max_results: usize,
    /// Bearer token that allows SPARQL updates; none means updates are refused.
    pub update_token: Option<String>,
    /// Send `Access-Control-Allow-Origin: *`.
    pub cors: bool,
}

struct AppState {
    store: Store,
    opts: ServeOptions,
    /// Store work that cannot be cancelled (graph projections, graph reads) running now; it
    /// runs on after its request timed out, so at most one per core is started.
    uncancellable: Arc<AtomicUsize>,
}

/// The largest request body (a query or an update) the server reads; a larger one is a 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A place among the uncancellable jobs, given back when the job ends (not when its request
/// times out).
struct Slot(Arc<AtomicUsize>);

impl Slot {
    fn take(running: &Arc<AtomicUsize>, limit: usize) -> Option<Slot> {
        running
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < limit).then_some(n + 1)
            })
            .ok()
            .map(|_| Slot(running.clone()))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

type Shared = Arc<AppState>;

/// An HTTP error with a one-line plain-text reason.
struct HttpError(StatusCode, String);

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        (
            self.0,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("{}\n", self.1),
        )
            .into_response()
    }
}

fn err(status: StatusCode, msg: impl Into<String>) -> HttpError {
    HttpError(status, msg.into())
}

/// Runs the server until Ctrl-C.
pub fn serve(store_path: &Path, opts: ServeOptions) -> Result<()> {
    if !store_path.exists() {
        anyhow::bail!(
            "no store at {}: run `guanxi ingest` first, or pass --store DIR",
            store_path.display()
        );
    }
    let store = crate::commands::open_store(store_path)?;
    let bind = opts.bind;
    let state = Arc::new(AppState {
        store,
        opts,
        uncancellable: Arc::new(AtomicUsize::new(0)),
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the server runtime")?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .with_context(|| format!("cannot listen on {bind}"))?;
        let addr = listener.local_addr()?;
        eprintln!(
            "guanxi: serving {} at http://{addr}/ (SPARQL at /query{}; Ctrl-C stops)",
            store_path.display(),
            if state.opts.update_token.is_some() {
                ", updates at /update with the bearer token"
            } else {
                ", read-only"
            }
        );
        axum::serve(listener, router(state))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .context("server stopped")
    })
}

/// The routes.
fn router(state: Shared) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/queries.json", get(saved_queries))
        .route("/query", get(query_get).post(query_post))
        .route("/update", axum::routing::post(update_post))
        .route("/store", get(store_get))
        .route("/graph.json", get(graph_json))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(state.clone(), log_and_cors))
        .with_state(state)
}

/// One log line per request; CORS headers when enabled (and preflight answered).
async fn log_and_cors(State(state): State<Shared>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let mut resp = if req.method() == Method::OPTIONS && state.opts.cors {
        StatusCode::NO_CONTENT.into_response()
    } else {
        next.run(req).await
    };
    if state.opts.cors {
        let h = resp.headers_mut();
        h.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("Accept, Content-Type, Authorization"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST, OPTIONS"),
        );
    }
    eprintln!(
        "{method} {path} {} {:.1} ms",
        resp.status().as_u16(),
        start.elapsed().as_secs_f64() * 1000.0
    );
    resp
}

const PAGE: &str = include_str!("../assets/index.html");

async fn page() -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], PAGE).into_response()
}

/// The saved queries of `queries/`, built into the binary.
const SAVED: &[(&str, &str)] = &[
    (
        "interactions",
        include_str!("../../../queries/interactions.rq"),
    ),
    ("entities", include_str!("../../../queries/entities.rq")),
    (
        "interactions-of-person",
        include_str!("../../../queries/interactions-of-person.rq"),
    ),
    (
        "who-met-whom-most",
        include_str!("../../../queries/who-met-whom-most.rq"),
    ),
    (
        "organizations-with-person",
        include_str!("../../../queries/organizations-with-person.rq"),
    ),
    (
        "articles-per-publisher",
        include_str!("../../../queries/articles-per-publisher.rq"),
    ),
    (
        "interactions-at-place",
        include_str!("../../../queries/interactions-at-place.rq"),
    ),
];

async fn saved_queries() -> Response {
    let list: Vec<serde_json::Value> = SAVED
        .iter()
        .map(|(name, q)| serde_json::json!({"name": name, "query": q}))
        .collect();
    (
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::Value::Array(list).to_string(),
    )
        .into_response()
}

/// The media types of SPARQL results and RDF the server writes, in order of preference.
const RESULT_TYPES: &[(&str, QueryResultsFormat)] = &[
    ("application/sparql-results+json", QueryResultsFormat::Json),
    ("application/json", QueryResultsFormat::Json),
    ("application/sparql-results+xml", QueryResultsFormat::Xml),
    ("application/xml", QueryResultsFormat::Xml),
    ("text/csv", QueryResultsFormat::Csv),
    ("text/tab-separated-values", QueryResultsFormat::Tsv),
];

fn rdf_types() -> Vec<(&'static str, RdfFormat)> {
    vec![
        ("text/turtle", RdfFormat::Turtle),
        ("application/n-triples", RdfFormat::NTriples),
        ("text/plain", RdfFormat::NTriples),
        (
            "application/ld+json",
            RdfFormat::JsonLd {
                profile: JsonLdProfileSet::empty(),
            },
        ),
        ("application/rdf+xml", RdfFormat::RdfXml),
        ("application/n-quads", RdfFormat::NQuads),
        ("application/trig", RdfFormat::TriG),
    ]
}

/// The best of `offered` (media types in the server's order of preference) for an `Accept`
/// header; `None` when the client accepts none of them. No header accepts anything.
fn negotiate<T: Clone>(headers: &HeaderMap, offered: &[(&str, T)]) -> Option<(String, T)> {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("*/*");
    let mut best: Option<(f32, usize)> = None;
    for part in accept.split(',') {
        let mut pieces = part.split(';');
        let range = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
        let q: f32 = pieces
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|v| v.parse().ok())
            .unwrap_or(1.0);
        if q <= 0.0 {
            continue;
        }
        for (i, (mt, _)) in offered.iter().enumerate() {
            let matches = range == *mt
                || range == "*/*"
                || range
                    .strip_suffix("/*")
                    .is_some_and(|major| mt.starts_with(&format!("{major}/")));
            if matches && best.is_none_or(|(bq, bi)| q > bq || (q == bq && i < bi)) {
                best = Some((q, i));
            }
        }
    }
    best.and_then(|(_, i)| offered.get(i).map(|(mt, f)| (mt.to_string(), f.clone())))
}

fn params(query: Option<&str>) -> HashMap<String, Vec<String>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        out.entry(k.into_owned()).or_default().push(v.into_owned());
    }
    out
}

async fn query_get(State(state): State<Shared>, req: Request) -> Result<Response, HttpError> {
    let p = params(req.uri().query());
    let headers = req.headers().clone();
    match p.get("query").and_then(|v| v.first()) {
        Some(q) => {
            check_dataset(&p)?;
            run_query(state, q.clone(), headers).await
        }
        None => service_description(&headers),
    }
}

async fn query_post(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, HttpError> {
    let ctype = content_type(&headers);
    let text = String::from_utf8(body.to_vec())
        .map_err(|_| err(StatusCode::BAD_REQUEST, "the body is not UTF-8"))?;
    let q = match ctype.as_str() {
        "application/sparql-query" => text,
        "application/x-www-form-urlencoded" => {
            let p = params(Some(&text));
            check_dataset(&p)?;
            p.get("query")
                .and_then(|v| v.first())
                .cloned()
                .ok_or_else(|| err(StatusCode::BAD_REQUEST, "no query parameter in the form"))?
        }
        other => {
            return Err(err(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("cannot read a query sent as {other:?}: use application/sparql-query or application/x-www-form-urlencoded"),
            ))
        }
    };
    run_query(state, q, headers).await
}

fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// The store's default graph is the union of its graphs; dataset parameters would change
/// that silently, so they are refused.
fn check_dataset(p: &HashMap<String, Vec<String>>) -> Result<(), HttpError> {
    if p.contains_key("default-graph-uri") || p.contains_key("named-graph-uri") {
        return Err(err(
            StatusCode::BAD_REQUEST,
            "default-graph-uri and named-graph-uri are not supported: the default graph is the union of all graphs; use GRAPH in the query",
        ));
    }
    Ok(())
}

/// Evaluates on a blocking thread under the timeout, and serialises in the negotiated format.
async fn run_query(state: Shared, q: String, headers: HeaderMap) -> Result<Response, HttpError> {
    let cancel = CancellationToken::new();
    let token = cancel.clone();
    let st = state.clone();
    in_pool(&state, Some(cancel), "query", move || {
        evaluate(&st, &q, &headers, token)
    })
    .await?
}

/// Runs blocking store work on the pool under the server's timeout; on timeout the work's
/// token (when it has one) is cancelled and the client gets 503. Work without a token runs
/// to its end whatever the client does, so no more of it than cores is started at once: the
/// rest is a 503 at once.
async fn in_pool<T: Send + 'static>(
    state: &AppState,
    cancel: Option<CancellationToken>,
    what: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, HttpError> {
    let timeout = state.opts.timeout;
    let slot = match cancel {
        Some(_) => None,
        None => {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            Some(Slot::take(&state.uncancellable, cores).ok_or_else(|| {
                err(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!(
                        "the server is busy with {cores} requests of this kind; try again shortly"
                    ),
                )
            })?)
        }
    };
    let work = move || {
        let _slot = slot;
        f()
    };
    match tokio::time::timeout(timeout, tokio::task::spawn_blocking(work)).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(_)) => Err(err(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the {what} stopped unexpectedly"),
        )),
        Err(_) => {
            if let Some(c) = cancel {
                c.cancel();
            }
            Err(err(
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "the {what} ran longer than {} s and was stopped (--timeout)",
                    timeout.as_secs_f64()
                ),
            ))
        }
    }
}

fn evaluate(
    state: &AppState,
    q: &str,
    headers: &HeaderMap,
    cancel: CancellationToken,
) -> Result<Response, HttpError> {
    let max = state.opts.max_results;
    let too_many = || {
        err(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the result has more than {max} rows or triples (--max-results); add LIMIT"),
        )
    };
    let results = state
        .store
        .query_with(q, Some(cancel))
        .map_err(|e| match e {
            guanxi_store::StoreError::Syntax(m) => err(StatusCode::BAD_REQUEST, m),
            guanxi_store::StoreError::Query(m) => evaluation_error(m),
            other => err(StatusCode::INTERNAL_SERVER_ERROR, other.to_string()),
        })?;
    let eval_err = |e: oxigraph::sparql::QueryEvaluationError| evaluation_error(e.to_string());
    match results {
        QueryResults::Solutions(solutions) => {
            let (mt, f) = negotiate(headers, RESULT_TYPES).ok_or_else(not_acceptable)?;
            let vars = solutions.variables().to_vec();
            let mut buf = Vec::new();
            let mut ser = QueryResultsSerializer::from_format(f)
                .serialize_solutions_to_writer(&mut buf, vars)
                .map_err(|e| err(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
            for (n, s) in solutions.enumerate() {
                if n >= max {
                    return Err(too_many());
                }
                ser.serialize(&s.map_err(eval_err)?)
                    .map_err(|e| err(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
            }
            ser.finish()
                .map_err(|e| err(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
            Ok(body(&mt, buf))
        }
        QueryResults::Boolean(b) => {
            let (mt, f) = negotiate(headers, RESULT_TYPES).ok_or_else(not_acceptable)?;
            let mut buf = Vec::new();
            QueryResultsSerializer::from_format(f)
                .serialize_boolean_to_writer(&mut buf, b)
                .map_err(|e| err(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
            Ok(body(&mt, buf))
        }
        QueryResults::Graph(triples) => {
            let (mt, f) = negotiate(headers, &rdf_types()).ok_or_else(not_acceptable)?;
            let mut quads = Vec::new();
            for t in triples {
                if quads.len() >= max {
                    return Err(too_many());
                }
                quads.push(
                    t.map_err(eval_err)?
                        .in_graph(oxigraph::model::GraphName::DefaultGraph),
                );
            }
            let mut buf = Vec::new();
            guanxi_rdf::write_sorted(quads, f, &mut buf)
                .map_err(|e| err(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
            Ok(body(&mt, buf))
        }
    }
}

/// An evaluation error: a SERVICE call is the client's (the store is built without an HTTP
/// client, so SERVICE reaches nothing); anything else is the server's.
fn evaluation_error(m: String) -> HttpError {
    if m.starts_with("The service") {
        err(
            StatusCode::BAD_REQUEST,
            format!("federated SERVICE calls are disabled on this server ({m})"),
        )
    } else {
        err(StatusCode::INTERNAL_SERVER_ERROR, m)
    }
}

fn not_acceptable() -> HttpError {
    err(
        StatusCode::NOT_ACCEPTABLE,
        "none of the accepted media types can be written: SELECT/ASK give application/sparql-results+json, +xml, text/csv, text/tab-separated-values; CONSTRUCT/DESCRIBE give text/turtle, application/n-triples, application/ld+json, application/rdf+xml",
    )
}

fn body(media_type: &str, bytes: Vec<u8>) -> Response {
    let ct = if media_type.starts_with("text/") || media_type.ends_with("json") {
        format!("{media_type}; charset=utf-8")
    } else {
        media_type.to_string()
    };
    Response::builder()
        .header(header::CONTENT_TYPE, ct)
        .body(Body::from(bytes))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// The SPARQL 1.1 Service Description of `/query`.
fn service_description(headers: &HeaderMap) -> Result<Response, HttpError> {
    let ttl = "@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .\n\
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n\
        [] a sd:Service ;\n\
        \x20   rdfs:label \"Guanxi SPARQL endpoint\" ;\n\
        \x20   sd:endpoint <query> ;\n\
        \x20   sd:supportedLanguage sd:SPARQL11Query ;\n\
        \x20   sd:feature sd:UnionDefaultGraph ;\n\
        \x20   sd:resultFormat <http://www.w3.org/ns/formats/SPARQL_Results_JSON> ,\n\
        \x20       <http://www.w3.org/ns/formats/SPARQL_Results_XML> ,\n\
        \x20       <http://www.w3.org/ns/formats/SPARQL_Results_CSV> ,\n\
        \x20       <http://www.w3.org/ns/formats/SPARQL_Results_TSV> ,\n\
        \x20       <http://www.w3.org/ns/formats/Turtle> ,\n\
        \x20       <http://www.w3.org/ns/formats/N-Triples> ,\n\
        \x20       <http://www.w3.org/ns/formats/JSON-LD> ,\n\
        \x20       <http://www.w3.org/ns/formats/RDF_XML> .\n";
    let offered = [("text/turtle", ()), ("text/plain", ())];
    let (mt, _) = negotiate(headers, &offered).unwrap_or(("text/turtle".into(), ()));
    Ok(body(&mt, ttl.as_bytes().to_vec()))
}

/// Graph Store Protocol, read side: `GET /store?graph=IRI` or `GET /store?default`.
async fn store_get(State(state): State<Shared>, req: Request) -> Result<Response, HttpError> {
    let p = params(req.uri().query());
    let headers = req.headers().clone();
    let graph = match (
        p.get("graph").and_then(|v| v.first()),
        p.contains_key("default"),
    ) {
        (Some(g), false) => Some(g.clone()),
        (None, true) => None,
        _ => {
            return Err(err(
                StatusCode::BAD_REQUEST,
                "give exactly one of ?graph=IRI or ?default",
            ))
        }
    };
    let st = state.clone();
    in_pool(
        &state,
        None,
        "graph read",
        move || -> Result<Response, HttpError> {
            let (mt, f) = negotiate(&headers, &rdf_types()).ok_or_else(not_acceptable)?;
            if let Some(g) = &graph {
                let known = st
                    .store
                    .has_graph(g)
                    .map_err(|e| err(StatusCode::BAD_REQUEST, e.to_string()))?;
                if !known {
                    return Err(err(
                        StatusCode::NOT_FOUND,
                        format!("no graph {g} in the store"),
                    ));
                }
            }
            let mut quads = Vec::new();
            let iter = st
                .store
                .graph_quads(graph.as_deref())
                .map_err(|e| err(StatusCode::BAD_REQUEST, e.to_string()))?;
            for q in iter {
                if quads.len() >= st.opts.max_results {
                    return Err(err(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        format!(
                            "the graph has more than {} triples (--max-results)",
                            st.opts.max_results
                        ),
                    ));
                }
                let q = q.map_err(|e| err(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
                quads.push(oxigraph::model::Quad::new(
                    q.subject,
                    q.predicate,
                    q.object,
                    oxigraph::model::GraphName::DefaultGraph,
                ));
            }
            // The union of graphs repeats a triple that several graphs hold.
            let unique: std::collections::HashSet<oxigraph::model::Quad> =
                quads.into_iter().collect();
            let quads: Vec<oxigraph::model::Quad> = unique.into_iter().collect();
            let mut buf = Vec::new();
            guanxi_rdf::write_sorted(quads, f, &mut buf)
                .map_err(|e| err(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
            Ok(body(&mt, buf))
        },
    )
    .await?
}

/// A graph projection as JSON node-link, for the page: `?ego=NAME&depth=1&top=40`, with
/// `kind` (person, organization, place, all) and `window` (sentence, article, interaction).
async fn graph_json(State(state): State<Shared>, req: Request) -> Result<Response, HttpError> {
    let p = params(req.uri().query());
    let one = |k: &str| p.get(k).and_then(|v| v.first()).cloned();
    let num = |k: &str, d: usize| -> Result<usize, HttpError> {
        one(k).map_or(Ok(d), |v| {
            v.parse()
                .map_err(|_| err(StatusCode::BAD_REQUEST, format!("{k} must be a number")))
        })
    };
    let kind = match one("kind").as_deref().unwrap_or("person") {
        "person" => crate::NodeKind::Person,
        "organization" => crate::NodeKind::Organization,
        "place" => crate::NodeKind::Place,
        "all" => crate::NodeKind::All,
        other => {
            return Err(err(
                StatusCode::BAD_REQUEST,
                format!("unknown kind {other}"),
            ))
        }
    };
    let window = match one("window").as_deref().unwrap_or("article") {
        "sentence" => crate::Window::Sentence,
        "article" => crate::Window::Article,
        "interaction" => crate::Window::Interaction,
        other => {
            return Err(err(
                StatusCode::BAD_REQUEST,
                format!("unknown window {other}"),
            ))
        }
    };
    let filters = crate::GraphFilters {
        kind: vec![kind],
        window,
        interactions: false,
        weight: crate::WeightArg::Count,
        since: one("since"),
        until: one("until"),
        publisher: one("publisher"),
        min_weight: num("min_weight", 1)? as u32,
        top: num("top", 60)?.min(500),
        ego: one("ego").filter(|e| !e.is_empty()),
        depth: num("depth", 1)?.min(3),
        size_by: crate::SizeArg::Degree,
        color_by_kind: false,
        layout: crate::Layout::Neato,
    };
    let st = state.clone();
    match in_pool(&state, None, "graph", move || {
        crate::graphs::render_text(&st.store, &filters, crate::GraphFormat::Json)
    })
    .await?
    {
        Ok(json) => Ok(body("application/json", json.into_bytes())),
        Err(e) => Err(err(StatusCode::NOT_FOUND, e.to_string())),
    }
}

/// SPARQL 1.1 Update: refused unless the server was started with a token, and then only with
/// `Authorization: Bearer TOKEN`.
async fn update_post(
    State(state): State<Shared>,
    headers: HeaderMap,
    body_bytes: Bytes,
) -> Result<Response, HttpError> {
    let Some(token) = state.opts.update_token.clone() else {
        return Err(err(
            StatusCode::FORBIDDEN,
            "updates are disabled: start `guanxi serve` with --allow-updates (and GUANXI_UPDATE_TOKEN)",
        ));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if given != Some(token.as_str()) {
        return Err(err(
            StatusCode::UNAUTHORIZED,
            "a valid bearer token is needed for updates",
        ));
    }
    let text = String::from_utf8(body_bytes.to_vec())
        .map_err(|_| err(StatusCode::BAD_REQUEST, "the body is not UTF-8"))?;
    let update = match content_type(&headers).as_str() {
        "application/sparql-update" => text,
        "application/x-www-form-urlencoded" => params(Some(&text))
            .get("update")
            .and_then(|v| v.first())
            .cloned()
            .ok_or_else(|| err(StatusCode::BAD_REQUEST, "no update parameter in the form"))?,
        other => {
            return Err(err(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("cannot read an update sent as {other:?}"),
            ))
        }
    };
    let st = state.clone();
    let r = tokio::task::spawn_blocking(move || st.store.update(&update))
        .await
        .map_err(|_| {
            err(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the update stopped unexpectedly",
            )
        })?;
    match r {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(guanxi_store::StoreError::Syntax(m)) => Err(err(StatusCode::BAD_REQUEST, m)),
        Err(e) => Err(err(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_follows_q_values_and_server_order() {
        let h = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert(
                header::ACCEPT,
                HeaderValue::from_str(v).unwrap_or(HeaderValue::from_static("*/*")),
            );
            m
        };
        let pick = |v: &str| negotiate(&h(v), RESULT_TYPES).map(|x| x.0);
        assert_eq!(pick("text/csv").as_deref(), Some("text/csv"));
        assert_eq!(
            pick("*/*").as_deref(),
            Some("application/sparql-results+json")
        );
        assert_eq!(
            pick("text/csv;q=0.5, application/sparql-results+xml").as_deref(),
            Some("application/sparql-results+xml")
        );
        assert_eq!(pick("text/*").as_deref(), Some("text/csv"));
        assert_eq!(pick("image/png"), None);
    }
}
