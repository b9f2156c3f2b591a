//! The manifest beside a store: which files it has taken in, by the hash of their bytes,
//! so that a second run reads only what changed.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::AppError;

/// File path → FNV-1a of its bytes, for the files a store has taken in.
pub(crate) type Manifest = HashMap<String, u64>;

/// The hash a file with a bad item is remembered by: no content hashes to it (FNV-1a of any
/// text is never 0 in practice), so the file is read again next time, and it is still known
/// as a file a run took in (its articles replace their own, not another file's).
pub(crate) const READ_AGAIN: u64 = 0;

/// The manifest beside the store: one line per file, `hash<TAB>path`.
pub(crate) fn manifest_path(store: &Path) -> PathBuf {
    store.join("guanxi-manifest.tsv")
}

/// What made the manifest: this very program (its executable's hash), so that a new version
/// of the rules reads every file again.
pub(crate) fn program_fingerprint() -> String {
    let exe = std::env::current_exe()
        .ok()
        .and_then(|p| fs::read(p).ok())
        .unwrap_or_default();
    format!("{} {:016x}", env!("CARGO_PKG_VERSION"), wide_hash(&exe))
}

/// A 64-bit hash of a large byte string, eight bytes at a step (the executable is tens of
/// megabytes, hashed on every run: a byte at a time costs a tenth of a second).
fn wide_hash(bytes: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h.write_u64(u64::from_le_bytes(w));
    }
    h.write(chunks.remainder());
    h.write_usize(bytes.len());
    h.finish()
}

pub(crate) fn load_manifest(store: &Path, fingerprint: &str) -> Manifest {
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
pub(crate) fn escape_path(p: &str) -> String {
    p.replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\t', "\\t")
        .replace('\r', "\\r")
}

pub(crate) fn unescape_path(p: &str) -> String {
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
pub(crate) fn save_manifest(store: &Path, m: &Manifest, fingerprint: &str) -> Result<(), AppError> {
    let mut lines: Vec<String> = m
        .iter()
        .map(|(p, h)| format!("{h:016x}\t{}", escape_path(p)))
        .collect();
    lines.sort_by(|a, b| a[17..].cmp(&b[17..]));
    lines.insert(0, format!("# guanxi {fingerprint}"));
    let tmp = store.join("guanxi-manifest.tsv.tmp");
    fs::write(&tmp, lines.join("\n") + "\n").map_err(AppError::io("write", &tmp))?;
    let path = manifest_path(store);
    fs::rename(&tmp, &path).map_err(AppError::io("replace", &path))?;
    Ok(())
}

/// 64-bit FNV-1a: a stable hash of a file's content.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}
