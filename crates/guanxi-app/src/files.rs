//! The files of a run: the paths walked into a sorted list, each file read (never past its
//! size limit) and parsed into its articles, every problem turned into a reason.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use guanxi_ingest::IngestConfig;

use crate::guard::guarded;
use crate::manifest::{fnv1a, Manifest};
use crate::{AppError, Progress};

/// Every file under `paths`, folders walked recursively, in sorted order; hidden entries skipped.
pub fn collect_files(paths: &[PathBuf], progress: &dyn Progress) -> Result<Vec<PathBuf>, AppError> {
    let mut out = Vec::new();
    // Folders already walked, by canonical path: a symlink loop is walked once.
    let mut seen: std::collections::HashSet<PathBuf> = std::collections::HashSet::new();
    for p in paths {
        let meta = fs::metadata(p).map_err(AppError::io("read", p))?;
        if meta.is_dir() {
            walk(p, &mut out, &mut seen, progress).map_err(AppError::io("list", p))?;
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn walk(
    dir: &Path,
    out: &mut Vec<PathBuf>,
    seen: &mut std::collections::HashSet<PathBuf>,
    progress: &dyn Progress,
) -> io::Result<()> {
    if !seen.insert(fs::canonicalize(dir)?) {
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        let hidden = p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if p.is_dir() {
            // An unreadable folder inside the input is skipped with a line, not fatal.
            if let Err(e) = walk(&p, out, seen, progress) {
                progress.skipped(&p.display().to_string(), &e.to_string());
            }
        } else if p.is_file() {
            out.push(p);
        }
    }
    Ok(())
}

/// One file's articles after the parallel parse.
pub(crate) struct ParsedFile {
    /// The file's canonical path: its key in the manifest.
    pub(crate) key: String,
    /// FNV-1a of the file's bytes (none when it could not be read).
    pub(crate) hash: Option<u64>,
    /// The manifest holds the same hash for this path: nothing to do.
    pub(crate) unchanged: bool,
    pub(crate) format: Option<&'static str>,
    pub(crate) items: Vec<ParsedItem>,
}

pub(crate) struct ParsedItem {
    pub(crate) label: String,
    pub(crate) article: Result<guanxi_core::Article, (&'static str, String)>,
    pub(crate) notes: Vec<String>,
}

/// Reads and parses one file; never fails, never panics: problems become reasons.
pub(crate) fn parse_path(path: &Path, config: &IngestConfig, manifest: &Manifest) -> ParsedFile {
    let name = path.display().to_string();
    let canonical = fs::canonicalize(path).ok();
    let key = path_key(canonical.as_deref().unwrap_or(path));
    let bytes = match fs::metadata(path) {
        // A device or a pipe named on the command line would be read forever or wait forever.
        Ok(m) if !m.is_file() => Err((
            "unreadable",
            "not a regular file (a device, a pipe or a socket)".to_string(),
        )),
        Ok(m) if m.len() > config.max_bytes as u64 => Err((
            "too large",
            format!(
                "file is {} bytes, more than the {}-byte limit",
                m.len(),
                config.max_bytes
            ),
        )),
        _ => read_at_most(path, config.max_bytes),
    };
    let bytes = match bytes {
        Ok(b) => b,
        Err(reason) => {
            return ParsedFile {
                key,
                hash: None,
                unchanged: false,
                items: vec![ParsedItem {
                    label: name.clone(),
                    article: Err(reason),
                    notes: Vec::new(),
                }],
                format: None,
            }
        }
    };
    let hash = fnv1a(&bytes);
    if manifest.get(&key) == Some(&hash) {
        return ParsedFile {
            key,
            hash: Some(hash),
            unchanged: true,
            items: Vec::new(),
            format: None,
        };
    }
    let file_url = canonical
        .and_then(|p| url::Url::from_file_path(p).ok())
        .map(|u| u.to_string());
    match guarded(|| guanxi_ingest::parse_file(&name, file_url.as_deref(), &bytes, config)) {
        Ok(read) => ParsedFile {
            key,
            hash: Some(hash),
            unchanged: false,
            format: read.format.map(|f| f.name()),
            items: read
                .items
                .into_iter()
                .map(|i| ParsedItem {
                    label: i.label,
                    article: i.result.map_err(|e| (e.kind(), e.to_string())),
                    notes: i.notes,
                })
                .collect(),
        },
        Err(reason) => ParsedFile {
            key,
            hash: None,
            unchanged: false,
            items: vec![ParsedItem {
                label: name.clone(),
                article: Err(("internal error", reason)),
                notes: Vec::new(),
            }],
            format: None,
        },
    }
}

/// A path as a manifest key, exact even for a name that is not UTF-8 (its stray bytes as
/// `\xNN`, a backslash doubled), so that two such names never share a key.
pub(crate) fn path_key(p: &Path) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let mut out = String::new();
        for chunk in p.as_os_str().as_bytes().utf8_chunks() {
            out.push_str(&chunk.valid().replace('\\', "\\\\"));
            for b in chunk.invalid() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        }
        out
    }
    #[cfg(not(unix))]
    {
        p.display().to_string()
    }
}

/// The bytes of a file, never more than `max` of them (a file may grow after its size was
/// read).
fn read_at_most(path: &Path, max: usize) -> Result<Vec<u8>, (&'static str, String)> {
    use std::io::Read;
    let mut bytes = Vec::new();
    File::open(path)
        .and_then(|f| f.take(max as u64 + 1).read_to_end(&mut bytes))
        .map_err(|e| ("unreadable", e.to_string()))?;
    if bytes.len() > max {
        return Err((
            "too large",
            format!("file is more than the {max}-byte limit"),
        ));
    }
    Ok(bytes)
}
