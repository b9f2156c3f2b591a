//! A remote store against the real Oxigraph server (`oxigraph serve`: oxigraph-cli as the
//! Oxigraph project builds it for PyPI, on loopback): ingest, the saved and contract queries,
//! graph, timeline and the full export equal to an embedded store built from the same files;
//! re-ingesting an edited article replaces its graph; errors name the URL. `scripts/test`
//! installs the server and sets `GUANXI_OXIGRAPH_SERVER`; without it this test fails and says
//! so.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;
use common::run;
use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `oxigraph` binary: `GUANXI_OXIGRAPH_SERVER`, which `scripts/test` sets.
fn oxigraph_binary() -> PathBuf {
    match std::env::var_os("GUANXI_OXIGRAPH_SERVER").map(PathBuf::from) {
        Some(bin) if bin.is_file() => bin,
        _ => panic!(
            "no Oxigraph server binary: run scripts/test (it installs Oxigraph's server from \
             the pip package `oxigraph` into the build cache), or set GUANXI_OXIGRAPH_SERVER \
             to an `oxigraph` binary"
        ),
    }
}

/// `oxigraph serve` on a free loopback port with its own data directory, stopped when dropped.
struct Oxigraph {
    child: Child,
    base: String,
    _dir: tempfile::TempDir,
}

impl Oxigraph {
    fn start() -> Oxigraph {
        let bin = oxigraph_binary();
        let dir = tempfile::tempdir().unwrap();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        // No --union-default-graph: the store asks for it per query.
        let mut child = Command::new(&bin)
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
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(2)))
            .build()
            .into();
        let start = Instant::now();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                let mut err = String::new();
                child
                    .stderr
                    .take()
                    .unwrap()
                    .read_to_string(&mut err)
                    .unwrap();
                panic!("oxigraph serve stopped ({status}): {err}");
            }
            if agent
                .get(format!("{base}/query"))
                .call()
                .is_ok_and(|r| r.status() == 200)
            {
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "oxigraph serve did not answer on {base} within a minute"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Oxigraph {
            child,
            base,
            _dir: dir,
        }
    }
}

impl Drop for Oxigraph {
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

/// `guanxi ARGS --store STORE`, its standard output.
fn guanxi(args: &[&str], store: &str) -> String {
    String::from_utf8(run(bin().args(args).args(["--store", store])).stdout).unwrap()
}

fn sorted_lines(s: &str) -> Vec<String> {
    let mut v: Vec<String> = s.lines().map(str::to_string).collect();
    v.sort();
    v
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

/// The remote store answers like the embedded one: every query (rows sorted: TSV keeps the
/// terms exact), the graph projection, a timeline, and the whole export.
fn assert_same(remote: &str, local: &str) {
    for (name, q) in queries() {
        let r = guanxi(&["query", "--query", &q, "--format", "tsv"], remote);
        let l = guanxi(&["query", "--query", &q, "--format", "tsv"], local);
        assert!(l.lines().count() > 1, "{name} gives no rows");
        assert_eq!(sorted_lines(&r), sorted_lines(&l), "{name}");
    }
    for args in [
        &["graph", "--kind", "all"][..],
        &["graph", "--interactions"],
        &["timeline", "王毅", "--format", "csv"],
    ] {
        assert_eq!(guanxi(args, remote), guanxi(args, local), "{args:?}");
    }
    let r = guanxi(&["export", "--format", "nquads"], remote);
    let l = guanxi(&["export", "--format", "nquads"], local);
    assert!(l.lines().count() > 1000);
    assert_eq!(sorted_lines(&r), sorted_lines(&l), "export");
}

#[test]
fn remote_store_round_trip_against_oxigraph_server() {
    let server = Oxigraph::start();
    let dir = tempfile::tempdir().unwrap();
    // Both stores read the same copies: articles without a URL are named by their file.
    let articles = dir.path().join("articles");
    std::fs::create_dir(&articles).unwrap();
    for e in std::fs::read_dir(root().join("examples/articles")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, articles.join(p.file_name().unwrap())).unwrap();
    }
    let local = dir.path().join("store");
    let local = local.to_str().unwrap();
    let remote = server.base.as_str();
    let articles_arg = articles.to_str().unwrap();

    let o = run(bin()
        .args(["ingest", articles_arg, "--store", remote])
        .env("GUANXI_STORE", "must/not/be/used"));
    let summary = String::from_utf8_lossy(&o.stderr);
    assert!(summary.contains("stored 10"), "{summary}");
    guanxi(&["ingest", articles_arg], local);
    assert_same(remote, local);

    // Explicit endpoints reach the same service (here Oxigraph's own paths).
    let explicit = |args: &[&str]| {
        let o = run(bin().args(args).args([
            "--store",
            "http://unused.invalid/",
            "--store-query",
            &format!("{remote}/query?union-default-graph"),
            "--store-gsp",
            &format!("{remote}/store"),
        ]));
        String::from_utf8(o.stdout).unwrap()
    };
    let q = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }";
    assert_eq!(
        explicit(&["query", "--query", q, "--format", "csv"]),
        guanxi(&["query", "--query", q, "--format", "csv"], local)
    );

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
    guanxi(&["ingest", articles_arg], local);
    for q in [met_lavrov, body_with.as_str()] {
        let got = guanxi(&["query", "--query", q], remote);
        assert_eq!(got.trim(), "false", "old triples remain: {q}");
    }
    assert_ne!(before, guanxi(&["export", "--format", "nquads"], remote));
    assert_same(remote, local);

    // Errors are one line naming the URL and the status.
    let o = bin()
        .args(["ingest", articles_arg, "--store", remote])
        .args(["--store-gsp", &format!("{remote}/nowhere")])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    let last = err.lines().last().unwrap_or("");
    assert!(!o.status.success());
    assert!(
        last.contains(&format!("PUT {remote}/nowhere")) && last.contains("404"),
        "{err}"
    );
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
