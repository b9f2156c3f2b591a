//! Shared by the integration tests: `guanxi serve` on its own copy of the example store.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    dead_code
)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// Runs a command that must succeed; its stderr is the failure message.
pub fn run(c: &mut Command) -> Output {
    let o = c.output().expect("guanxi runs");
    assert!(
        o.status.success(),
        "guanxi failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A server on its own copy of the example store, stopped when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    _dir: tempfile::TempDir,
}

impl Server {
    pub fn start(args: &[&str], envs: &[(&str, &str)]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("store");
        let st = Command::new(env!("CARGO_BIN_EXE_guanxi"))
            .arg("ingest")
            .arg(root().join("examples/articles"))
            .arg("--store")
            .arg(&store)
            .env_remove("GUANXI_STORE")
            .output()
            .unwrap();
        assert!(st.status.success());
        let mut child = Command::new(env!("CARGO_BIN_EXE_guanxi"))
            .args(["serve", "--bind", "127.0.0.1:0", "--store"])
            .arg(&store)
            .args(args)
            .envs(envs.iter().copied())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The first line names the address: "… at http://127.0.0.1:PORT/ …".
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let first = lines.next().unwrap().unwrap();
        let base = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap()
            .trim_end_matches('/')
            .to_string();
        // Keep draining the log so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server {
            child,
            base,
            _dir: dir,
        }
    }
}

impl Server {
    /// The server's process id (for its memory and CPU time in /proc).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
