//! A remote store against real SPARQL servers of two vendors on loopback: Oxigraph's
//! (`oxigraph serve`: oxigraph-cli as the Oxigraph project builds it for PyPI) and OpenLink
//! Virtuoso Open Source (Debian's `virtuoso-opensource`). Ingest, the saved and contract
//! queries, graph, timeline and the full export equal an embedded store built from the same
//! files (Virtuoso writes some literals its own way, `"1"` for `"true"`, `35` for `35.0000`:
//! there the terms are compared by value); re-ingesting an edited article replaces its graph;
//! errors name the URL. `scripts/test` installs both servers and sets
//! `GUANXI_OXIGRAPH_SERVER` and `GUANXI_VIRTUOSO`; without them these tests fail and say so.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;
use common::run;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::Term;
use oxigraph::sparql::results::{
    QueryResultsFormat, QueryResultsParser, SliceQueryResultsParserOutput,
};
use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A binary named by environment variable `var`, which `scripts/test` sets.
fn server_binary(var: &str, what: &str) -> PathBuf {
    match std::env::var_os(var).map(PathBuf::from) {
        Some(bin) if bin.is_file() => bin,
        _ => panic!("no {what}: run scripts/test (it installs it), or set {var} to its path"),
    }
}

/// A free loopback port.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// How two stores' answers are compared.
#[derive(Clone, Copy, PartialEq)]
enum Compare {
    /// Term for term.
    Exact,
    /// Literals of numbers and booleans by their value (a service may keep another lexical
    /// form of the same value), language tags in lower case.
    Values,
}

/// A SPARQL server of its own on a free loopback port with its own data directory, stopped
/// when dropped.
struct Service {
    child: Child,
    /// Its base URL.
    base: String,
    /// What names it to `guanxi`: `--store` and, unless it has Oxigraph's layout, the
    /// endpoints.
    store: Vec<String>,
    compare: Compare,
    _dir: tempfile::TempDir,
}

impl Service {
    /// `oxigraph serve`: Oxigraph's layout under its base URL.
    fn oxigraph() -> Service {
        let bin = server_binary("GUANXI_OXIGRAPH_SERVER", "Oxigraph server binary");
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        // No --union-default-graph: the store asks for it per query.
        let child = Command::new(&bin)
            .arg("serve")
            .arg("--location")
            .arg(dir.path().join("data"))
            .arg("--bind")
            .arg(format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let base = format!("http://127.0.0.1:{port}");
        let service = Service {
            child,
            store: vec!["--store".into(), base.clone()],
            base,
            compare: Compare::Exact,
            _dir: dir,
        };
        service.wait_until_it_answers("/query")
    }

    /// Virtuoso with a database of its own, its system graphs hidden from the union default
    /// graph (which is what Virtuoso queries when none is named) and the SPARQL user allowed
    /// to write through the Graph Store Protocol: the set-up the README gives.
    fn virtuoso() -> Service {
        let bin = server_binary("GUANXI_VIRTUOSO", "Virtuoso server (virtuoso-t)");
        let dir = tempfile::tempdir().unwrap();
        let (http, sql) = (free_port(), free_port());
        let d = dir.path().to_str().unwrap();
        let ini = format!(
            "[Database]\nDatabaseFile = {d}/virtuoso.db\nErrorLogFile = {d}/virtuoso.log\n\
             LockFile = {d}/virtuoso.lck\nTransactionFile = {d}/virtuoso.trx\n\
             xa_persistent_file = {d}/virtuoso.pxa\nStriping = 0\nTempStorage = TempDatabase\n\
             [TempDatabase]\nDatabaseFile = {d}/virtuoso-temp.db\n\
             TransactionFile = {d}/virtuoso-temp.trx\nStriping = 0\n\
             [Parameters]\nServerPort = 127.0.0.1:{sql}\nDisableUnixSocket = 1\nCaseMode = 2\n\
             DirsAllowed = ., {d}\nNumberOfBuffers = 10000\nMaxDirtyBuffers = 6000\n\
             ThreadsPerQuery = 2\n\
             [HTTPServer]\nServerPort = 127.0.0.1:{http}\nServerRoot = {d}\nServerThreads = 10\n\
             Charset = UTF-8\nEnabledGzipContent = 0\n\
             [SPARQL]\nResultSetMaxRows = 1000000\nMaxQueryExecutionTime = 120\n"
        );
        let ini_path = dir.path().join("virtuoso.ini");
        std::fs::write(&ini_path, ini).unwrap();
        let child = Command::new(&bin)
            .arg("+foreground")
            .arg("+configfile")
            .arg(&ini_path)
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let base = format!("http://127.0.0.1:{http}");
        let service = Service {
            child,
            store: vec![
                "--store".into(),
                base.clone(),
                "--store-query".into(),
                format!("{base}/sparql"),
                "--store-gsp".into(),
                format!("{base}/sparql-graph-crud"),
            ],
            base,
            compare: Compare::Values,
            _dir: dir,
        };
        let service = service.wait_until_it_answers("/sparql?query=ASK%7B%7D");
        let private = "http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs";
        let mut setup = format!(
            "GRANT SPARQL_UPDATE TO \"SPARQL\";\n\
             DB.DBA.RDF_GRAPH_GROUP_CREATE ('{private}', 1);\n"
        );
        for g in [
            "http://www.openlinksw.com/schemas/virtrdf#",
            "http://www.w3.org/ns/ldp#",
            "http://localuriqaserver/sparql",
        ] {
            setup.push_str(&format!(
                "DB.DBA.RDF_GRAPH_GROUP_INS ('{private}', '{g}');\n"
            ));
        }
        setup.push_str("DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 0, 1);\n");
        let sql_file = service._dir.path().join("setup.sql");
        std::fs::write(&sql_file, setup).unwrap();
        let isql = bin.with_file_name("isql-vt");
        let o = Command::new(&isql)
            .arg(format!("127.0.0.1:{sql}"))
            .args(["dba", "dba"])
            .arg(&sql_file)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", isql.display()));
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(
            o.status.success() && !out.contains("*** Error"),
            "Virtuoso's set-up failed: {out}{}",
            String::from_utf8_lossy(&o.stderr)
        );
        service
    }

    /// Waits until `GET base+path` answers 200 (a minute at most).
    fn wait_until_it_answers(mut self, path: &str) -> Service {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(2)))
            .build()
            .into();
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let mut err = String::new();
                let _ = self.child.stderr.take().unwrap().read_to_string(&mut err);
                panic!("the server stopped ({status}): {err}");
            }
            if agent
                .get(format!("{}{path}", self.base))
                .call()
                .is_ok_and(|r| r.status() == 200)
            {
                return self;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "the server did not answer on {} within a minute",
                self.base
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_guanxi"));
    for v in ["GUANXI_STORE", "GUANXI_STORE_QUERY", "GUANXI_STORE_GSP"] {
        c.env_remove(v);
    }
    c
}

/// `guanxi ARGS STORE…` (`STORE`: `--store` and the rest that names a store), its standard
/// output.
fn guanxi<S: AsRef<std::ffi::OsStr>>(args: &[&str], store: &[S]) -> String {
    String::from_utf8(run(bin().args(args).args(store)).stdout).unwrap()
}

/// A term as `compare` sees it: numbers and booleans by value, language tags in lower case.
fn comparable(term: Term, compare: Compare) -> String {
    const XSD: &str = "http://www.w3.org/2001/XMLSchema#";
    let Term::Literal(l) = &term else {
        return term.to_string();
    };
    if compare == Compare::Exact {
        return term.to_string();
    }
    if let Some(lang) = l.language() {
        return format!("{:?}@{}", l.value(), lang.to_ascii_lowercase());
    }
    let datatype = l.datatype().as_str().strip_prefix(XSD).unwrap_or("");
    let value = l.value();
    match datatype {
        "boolean" => format!("{}", matches!(value, "true" | "1")),
        "integer" | "decimal" | "double" | "float" | "int" | "long" => value
            .parse::<f64>()
            .map_or_else(|_| term.to_string(), |v| format!("{v}^^number")),
        _ => term.to_string(),
    }
}

/// Variables of the saved queries bound by `GROUP_CONCAT` (separator 、), compared by value as
/// the set of what they join: SPARQL leaves the order of the values open, and leaves the
/// result a simple literal (Oxigraph keeps a language tag that every value shares); Virtuoso
/// 7.2 also writes the separator as `?`.
const CONCATENATED: &[&str] = &["participants"];

/// The sorted rows of a query's SPARQL JSON results (or its boolean), terms made comparable.
fn result_rows(json: &str, compare: Compare) -> Vec<String> {
    let parser = QueryResultsParser::from_format(QueryResultsFormat::Json);
    match parser.for_slice(json.as_bytes()).unwrap() {
        SliceQueryResultsParserOutput::Boolean(b) => vec![b.to_string()],
        SliceQueryResultsParserOutput::Solutions(solutions) => {
            let mut rows: Vec<String> = solutions
                .map(|s| {
                    let s = s.unwrap();
                    let mut cells: Vec<String> = s
                        .iter()
                        .map(|(v, t)| match t {
                            Term::Literal(l)
                                if compare == Compare::Values
                                    && CONCATENATED.contains(&v.as_str()) =>
                            {
                                let mut parts: Vec<&str> = l.value().split(['、', '?']).collect();
                                parts.sort_unstable();
                                format!("{v}={}", parts.join("、"))
                            }
                            _ => format!("{v}={}", comparable(t.clone(), compare)),
                        })
                        .collect();
                    cells.sort();
                    cells.join("\t")
                })
                .collect();
            rows.sort();
            rows
        }
    }
}

/// The sorted quads of an N-Quads export, terms made comparable.
fn quad_rows(nquads: &str, compare: Compare) -> Vec<String> {
    let mut rows: Vec<String> = RdfParser::from_format(RdfFormat::NQuads)
        .for_slice(nquads.as_bytes())
        .map(|q| {
            let q = q.unwrap();
            format!(
                "{} {} {} {}",
                q.subject,
                q.predicate,
                comparable(q.object, compare),
                q.graph_name
            )
        })
        .collect();
    rows.sort();
    rows
}

/// Every saved query and the two contract queries, as (name, text).
fn queries() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(root().join("queries"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rq"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out.push((
        "contract interactions".into(),
        guanxi_eval::INTERACTIONS_QUERY.into(),
    ));
    out.push((
        "contract entities".into(),
        guanxi_eval::ENTITIES_QUERY.into(),
    ));
    out
}

/// The remote store answers like the embedded one: every query (rows sorted; terms exact, or
/// by value as `compare` says), the graph projection, a timeline, and the whole export.
fn assert_same(remote: &Service, local: &[&str]) {
    let compare = remote.compare;
    // Every difference, so that one run shows them all.
    let mut differences = Vec::new();
    for (name, q) in queries() {
        let r = guanxi(&["query", "--query", &q, "--format", "json"], &remote.store);
        let l = guanxi(&["query", "--query", &q, "--format", "json"], local);
        let (r, l) = (result_rows(&r, compare), result_rows(&l, compare));
        assert!(!l.is_empty(), "{name} gives no rows");
        if r != l {
            differences.push(format!("{name}:\n  remote {r:?}\n  local  {l:?}"));
        }
    }
    for args in [
        &["graph", "--kind", "all"][..],
        &["graph", "--interactions"],
        &["timeline", "王毅", "--format", "csv"],
    ] {
        let (r, l) = (guanxi(args, &remote.store), guanxi(args, local));
        if r != l {
            differences.push(format!("{args:?}:\n  remote {r}\n  local  {l}"));
        }
    }
    let r = guanxi(&["export", "--format", "nquads"], &remote.store);
    let l = guanxi(&["export", "--format", "nquads"], local);
    let (r, l) = (quad_rows(&r, compare), quad_rows(&l, compare));
    assert!(l.len() > 1000);
    if r != l {
        let only_r: Vec<&String> = r.iter().filter(|q| !l.contains(q)).take(20).collect();
        let only_l: Vec<&String> = l.iter().filter(|q| !r.contains(q)).take(20).collect();
        differences.push(format!(
            "export:\n  only remote {only_r:#?}\n  only local {only_l:#?}"
        ));
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

/// Ingest into `server` and into an embedded store, the same answers from both; an edited
/// article re-ingested replaces its graph on both; a write to a wrong endpoint is one line
/// naming the method, the URL and the status.
fn round_trip(server: &Service) {
    let dir = tempfile::tempdir().unwrap();
    // Both stores read the same copies: articles without a URL are named by their file.
    let articles = dir.path().join("articles");
    std::fs::create_dir(&articles).unwrap();
    for e in std::fs::read_dir(root().join("examples/articles")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, articles.join(p.file_name().unwrap())).unwrap();
    }
    let local = dir.path().join("store");
    let local = ["--store", local.to_str().unwrap()];
    let remote = &server.store;
    let articles_arg = articles.to_str().unwrap();

    let o = run(bin()
        .args(["ingest", articles_arg])
        .args(remote)
        .env("GUANXI_STORE", "must/not/be/used"));
    let summary = String::from_utf8_lossy(&o.stderr);
    assert!(summary.contains("stored 10"), "{summary}");
    guanxi(&["ingest", articles_arg], &local);
    assert_same(server, &local);

    // Edit one article: the meeting with Lavrov goes. Re-ingesting replaces its graph.
    let file = articles.join("000_61ca445ba933acfa.txt");
    let text = std::fs::read_to_string(&file).unwrap();
    let sentence = "他还会见了俄罗斯外交部长拉夫罗夫。";
    assert!(text.contains(sentence));
    std::fs::write(&file, text.replace(sentence, "")).unwrap();
    let met_lavrov = "PREFIX gx: <https://w3id.org/guanxi/ontology#> PREFIX schema: <http://schema.org/> \
        PREFIX prov: <http://www.w3.org/ns/prov#> \
        ASK { ?r a gx:InteractionReport ; gx:participant ?p ; prov:wasDerivedFrom ?a . \
        ?p schema:name \"拉夫罗夫\"@zh . ?a schema:headline ?h FILTER(CONTAINS(?h, \"亚太协调合作\")) }";
    let body_with = format!(
        "PREFIX schema: <http://schema.org/> ASK {{ ?a schema:articleBody ?b FILTER(CONTAINS(?b, \"{sentence}\")) }}"
    );
    for (q, before) in [(met_lavrov, "true"), (body_with.as_str(), "true")] {
        let got = guanxi(&["query", "--query", q], remote);
        assert_eq!(got.trim(), before, "{q}");
    }
    let before = guanxi(&["export", "--format", "nquads"], remote);
    guanxi(&["ingest", articles_arg], remote);
    guanxi(&["ingest", articles_arg], &local);
    for q in [met_lavrov, body_with.as_str()] {
        let got = guanxi(&["query", "--query", q], remote);
        assert_eq!(got.trim(), "false", "old triples remain: {q}");
    }
    assert_ne!(before, guanxi(&["export", "--format", "nquads"], remote));
    assert_same(server, &local);

    // Errors are one line naming the URL and the status.
    let nowhere = format!("{}/nowhere", server.base);
    let mut wrong = remote.clone();
    match wrong.iter().position(|a| a == "--store-gsp") {
        Some(i) => wrong[i + 1] = nowhere.clone(),
        None => wrong.extend(["--store-gsp".to_string(), nowhere.clone()]),
    }
    let o = bin()
        .args(["ingest", articles_arg])
        .args(&wrong)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    let last = err.lines().last().unwrap_or("");
    assert!(!o.status.success());
    // (Oxigraph answers 404 Not Found, Virtuoso 501 Not Implemented.)
    assert!(
        last.contains(&format!("PUT {nowhere}: HTTP 404"))
            || last.contains(&format!("PUT {nowhere}: HTTP 501")),
        "{err}"
    );
}

#[test]
fn remote_store_round_trip_against_oxigraph_server() {
    let server = Service::oxigraph();
    round_trip(&server);
    // Explicit endpoints reach the same service (here Oxigraph's own paths).
    let remote = server.base.as_str();
    let explicit = [
        "--store".to_string(),
        "http://unused.invalid/".into(),
        "--store-query".into(),
        format!("{remote}/query?union-default-graph"),
        "--store-gsp".into(),
        format!("{remote}/store"),
    ];
    let q = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }";
    assert_eq!(
        guanxi(&["query", "--query", q, "--format", "csv"], &explicit),
        guanxi(&["query", "--query", q, "--format", "csv"], &server.store)
    );
}

#[test]
fn remote_store_round_trip_against_virtuoso() {
    round_trip(&Service::virtuoso());
}

#[test]
fn an_unreachable_remote_store_is_one_line_naming_the_url() {
    // A port nothing listens on.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let o = bin()
        .args(["query", "--query", "ASK {}", "--store", &url])
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(&format!("POST {url}/query")), "{err}");
    let o = bin().args(["serve", "--store", &url]).output().unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("serve needs a store directory"));
}
