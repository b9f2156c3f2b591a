//! The browser page in headless Chromium: it loads, runs a saved query from the link, draws
//! the results table and the ego graph (Chinese names with English below), and a screenshot
//! can be taken. Chromium is required (`scripts/test` installs it when it can).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::process::Command;

use common::Server;

fn chromium() -> String {
    for c in ["chromium", "chromium-browser", "google-chrome"] {
        if Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return c.to_string();
        }
    }
    panic!("no Chromium found: install it (apt-get install chromium) to run the browser test");
}

#[test]
fn page_runs_a_saved_query_and_draws_the_graph() {
    let server = Server::start(&[], &[]);
    let base = format!("{}/", server.base);
    let dir = tempfile::tempdir().unwrap();
    let url = format!("{base}#query=who-met-whom-most&ego=王毅");
    let profile = dir.path().join("chromium");
    let shot = dir.path().join("page.png");
    let browser = chromium();
    let run = |extra: &[String]| {
        Command::new(&browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--virtual-time-budget=15000",
                "--window-size=1400,900",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .args(extra)
            .arg(&url)
            .output()
            .unwrap()
    };
    let dom = String::from_utf8_lossy(&run(&["--dump-dom".to_string()]).stdout).to_string();
    let shot_out = run(&[format!("--screenshot={}", shot.display())]);
    drop(server);
    assert!(
        dom.contains("data-ready=\"true\""),
        "the page did not finish: {dom}"
    );
    // The saved query ran: its table has the header and a row naming 王毅.
    assert!(
        dom.contains("<th>events</th>") && dom.contains("<th>sources</th>"),
        "{dom}"
    );
    assert!(dom.contains("<td>王毅</td>"), "{dom}");
    // The ego graph: circles, and labels in Chinese with English below.
    assert!(dom.matches("<circle").count() >= 5, "{dom}");
    assert!(
        dom.contains(">王毅</text>") && dom.contains(">Wang Yi</text>"),
        "{dom}"
    );
    let png = std::fs::read(&shot).unwrap_or_default();
    assert!(
        png.starts_with(b"\x89PNG"),
        "no screenshot: {}",
        String::from_utf8_lossy(&shot_out.stderr)
    );
}
