//! Hostile input through the real `guanxi ingest`: empty, truncated and binary files, wrong
//! and mixed encodings, a 100 MB file, HTML nested 100,000 deep or with 100,000 attributes, a
//! million-character line, control and bidirectional-override characters, YAML and XML bombs,
//! XXE, huge and unclosed front matter, odd file names, symlink loops, devices and pipes.
//! Every file ends in its expected skip reason or is stored correctly; a second run finds the
//! stored files unchanged; the runs stay within a generous time (a hang guard, not a
//! benchmark) and a memory bound read from /proc.
//!
//! The small cases are fixtures in `tests/hostile/`; the big ones are made here.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::BTreeMap;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// What became of a run: its exit status, stderr, wall time and peak memory (MB).
struct Run {
    ok: bool,
    stderr: String,
    secs: f64,
    peak_mb: u64,
}

/// Runs `guanxi` with `args`, reading its peak resident memory (VmHWM) from /proc while it
/// runs; killed after `limit` (the hang guard).
fn run(args: &[&std::ffi::OsStr], limit: Duration) -> Run {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_guanxi"))
        .env_remove("GUANXI_STORE")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut s).unwrap();
        s
    });
    let mut peak_kb = 0u64;
    let status = loop {
        if let Ok(text) = std::fs::read_to_string(&status_file) {
            if let Some(kb) = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            {
                peak_kb = peak_kb.max(kb);
            }
        }
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if started.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("guanxi {args:?} ran longer than {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        ok: status.success(),
        stderr: String::from_utf8_lossy(&reader.join().unwrap()).into_owned(),
        secs: started.elapsed().as_secs_f64(),
        peak_mb: peak_kb / 1024,
    }
}

/// A real article, made distinct by `n` (its URL and a sentence of its own).
fn article(n: usize) -> String {
    format!(
        "<!--1599800000000-->\n[王毅会见拉夫罗夫（{n}）](https://www.rfi.fr/cn/hostile-{n})\n------\n\
         <p>中国外交部长王毅周四在莫斯科与俄罗斯外长拉夫罗夫举行会谈，双方就中俄关系交换了意见。这是第{n}篇。</p>\n"
    )
}

/// xorshift bytes: binary junk that is the same on every run.
fn junk(len: usize, mut x: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn gbk(s: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(s);
    assert!(!unmappable);
    bytes.into_owned()
}

/// How a file must end: stored (as this many articles, skipping this many items), or skipped
/// for this reason.
#[derive(Debug, Clone, Copy)]
enum Want {
    Stored(usize),
    StoredSkipping(usize, usize, &'static str),
    Skipped(&'static str),
}

fn write(dir: &Path, name: impl AsRef<Path>, bytes: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn hostile_files_end_in_a_reason_or_a_correct_article() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let mut want: BTreeMap<PathBuf, Want> = BTreeMap::new();
    let mut n = 0;
    let mut next = || {
        n += 1;
        n
    };

    // The fixtures.
    for (name, w) in [
        ("empty.txt", Want::Skipped("no text")),
        ("blank.txt", Want::Skipped("no text")),
        (
            "truncated-feed.xml",
            Want::StoredSkipping(2, 1, "malformed"),
        ),
        (
            "truncated-export.jsonl",
            Want::StoredSkipping(2, 1, "malformed"),
        ),
        ("truncated-front-matter.md", Want::Skipped("malformed")),
        ("yaml-bomb.md", Want::Stored(1)),
        ("xml-bomb.xml", Want::Stored(1)),
        ("xxe.xml", Want::Stored(1)),
        ("bidi-control.md", Want::Stored(1)),
    ] {
        let bytes = std::fs::read(root().join("tests/hostile").join(name)).unwrap();
        want.insert(write(&input, name, bytes), w);
    }

    // Truncated, binary, and wrongly or doubly encoded.
    let whole = article(next());
    let cut = whole.len() - 4; // inside the last full stop's neighbour
    let cut = (1..cut)
        .rev()
        .find(|&i| !whole.is_char_boundary(i))
        .unwrap();
    want.insert(
        write(&input, "truncated-utf8.md", &whole.as_bytes()[..cut]),
        Want::Stored(1),
    );
    for (name, bytes) in [
        ("random.bin", junk(64 * 1024, 7)),
        ("nul.txt", vec![0u8; 1024 * 1024]),
        (
            "png.txt",
            [&b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"[..], &[0u8; 8192]].concat(),
        ),
        (
            "utf16-without-bom.txt",
            article(next())
                .encode_utf16()
                .flat_map(u16::to_le_bytes)
                .collect(),
        ),
    ] {
        want.insert(write(&input, name, bytes), Want::Skipped("not text"));
    }
    // A page in GBK that says it is UTF-8; an archive's UTF-8 header around a GBK body.
    let page = "<html><head><meta charset=\"utf-8\"><title>中印外长会晤</title>\
         <link rel=\"canonical\" href=\"https://www.rfi.fr/cn/gbk-page\"></head>\
         <body><p>中国外交部长王毅周四在莫斯科会见印度外长苏杰生，双方就边境局势坦诚深入交换意见。</p></body></html>";
    want.insert(
        write(&input, "gbk-says-utf8.html", gbk(page)),
        Want::Stored(1),
    );
    let header =
        "<!--1599800000000-->\n[王毅与拉夫罗夫会谈](https://www.rfi.fr/cn/mixed)\n------\n";
    let body = gbk("<p>俄罗斯外长拉夫罗夫表示，俄中关系处于历史最好水平。</p>\n");
    want.insert(
        write(
            &input,
            "mixed-encoding.md",
            [header.as_bytes(), &body].concat(),
        ),
        Want::Stored(1),
    );

    // Markup built to be slow: deep, wide, escaped, in every envelope.
    let deep = format!("{}x{}", "<div>".repeat(100_000), "</div>".repeat(100_000));
    let escaped = format!(
        "{}x{}",
        "&lt;div&gt;".repeat(100_000),
        "&lt;/div&gt;".repeat(100_000)
    );
    let head =
        |k: usize| format!("[标题{k}](https://www.rfi.fr/cn/deep-{k})\n------\n<p>正文。</p>");
    for (name, text) in [
        (
            "deep-page.html",
            format!("<!DOCTYPE html><html><body>{deep}</body></html>"),
        ),
        ("deep-fragment.md", format!("{}{deep}", head(1))),
        ("deep-escaped.md", format!("{}<p>{escaped}</p>", head(2))),
        (
            "deep-feed.xml",
            format!(
                "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><item>\
                 <title>t</title><link>https://www.rfi.fr/cn/deep-3</link>\
                 <description>&lt;p&gt;{escaped}</description></item></channel></rss>"
            ),
        ),
        (
            "deep-export.jsonl",
            format!(
                "{{\"title\": \"t\", \"url\": \"https://www.rfi.fr/cn/deep-4\", \"html\": \"{deep}\"}}\n"
            ),
        ),
        (
            "unclosed-tags.md",
            format!("{}{}", head(5), "<b><i><span>".repeat(50_000)),
        ),
    ] {
        want.insert(write(&input, name, text), Want::Skipped("html too deep"));
    }
    let attrs: Vec<String> = (0..100_000).map(|i| format!("a{i}=\"{i}\"")).collect();
    want.insert(
        write(
            &input,
            "wide-tag.md",
            format!("{}<div {}>x</div>", head(6), attrs.join(" ")),
        ),
        Want::Skipped("html attributes"),
    );
    want.insert(
        write(
            &input,
            "deep-array.json",
            format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
        ),
        Want::Skipped("malformed"),
    );

    // A million characters on one line, with and without full stops; a long run under the
    // text limit is read, cut into blocks.
    let words = [
        "王毅",
        "会见",
        "拉夫罗夫",
        "在",
        "北京",
        "举行",
        "会谈",
        "双方",
        "表示",
    ];
    let run_of = |chars: usize, stop: bool| -> String {
        let mut s = String::new();
        let (mut i, mut n) = (0, 0);
        while n < chars {
            let w = words[i % words.len()];
            s.push_str(w);
            n += w.chars().count();
            if stop && i % 7 == 6 {
                s.push('。');
                n += 1;
            }
            i += 1;
        }
        s
    };
    let million = run_of(1_000_000, false);
    want.insert(
        write(&input, "million-line.txt", format!("标题\n{million}\n")),
        Want::Skipped("too long"),
    );
    want.insert(
        write(
            &input,
            "million-line-stops.txt",
            format!("标题\n{}\n", run_of(1_000_000, true)),
        ),
        Want::Skipped("too long"),
    );
    want.insert(
        write(
            &input,
            "long-run.md",
            format!("{}<p>{}</p>", head(7), &million[..150_000 * 3]),
        ),
        Want::Stored(1),
    );

    // Front matter: huge and closed, huge and never closed, a title of a million characters.
    let keys: String = (0..100_000)
        .map(|i| format!("key{i}: &a{i} [*a{i}, *a{i}, *a{i}]\n"))
        .collect();
    want.insert(
        write(
            &input,
            "front-matter-huge.md",
            format!("---\n{keys}title: 巨大的前言\n---\n{}", article(next())),
        ),
        Want::Stored(1),
    );
    want.insert(
        write(&input, "front-matter-unclosed.md", format!("---\n{keys}")),
        Want::Skipped("malformed"),
    );
    want.insert(
        write(
            &input,
            "front-matter-long-title.md",
            format!("---\ntitle: {million}\n---\n<p>正文。</p>\n"),
        ),
        Want::Skipped("too long"),
    );

    // Odd file names, each holding a good article; one bad file with a hostile name.
    let odd: Vec<Vec<u8>> = vec![
        b"new\nline.md".to_vec(),
        b"tab\there.md".to_vec(),
        b"back\\slash.md".to_vec(),
        b"-rf --full.md".to_vec(),
        b"  spaces  .md".to_vec(),
        b"quotes\"'`.md".to_vec(),
        b"hash#1?x=%20.md".to_vec(),
        "\u{202e}dm.txt".as_bytes().to_vec(),
        b"esc\x1b[31mred.md".to_vec(),
        b"latin1-\xe9.md".to_vec(),
        b"bad-\xff\xfe.md".to_vec(),
        b"bad-\xfe\xff.md".to_vec(),
        "名".repeat(80).into_bytes(),
    ];
    for name in &odd {
        let p = input.join("names").join(std::ffi::OsStr::from_bytes(name));
        want.insert(write(&input, &p, article(next())), Want::Stored(1));
    }
    let hostile_name = input.join("names").join(std::ffi::OsStr::from_bytes(
        b"junk\n\x1b[2J\xe2\x80\xae.bin",
    ));
    want.insert(
        write(&input, &hostile_name, junk(4096, 3)),
        Want::Skipped("not text"),
    );

    // Symlink loops, a dangling link, a device and a pipe inside the input folder.
    let sub = input.join("loops/sub");
    want.insert(
        write(&input, sub.join("a.md"), article(next())),
        Want::Stored(1),
    );
    std::os::unix::fs::symlink(input.join("loops"), sub.join("up")).unwrap();
    std::os::unix::fs::symlink(&sub, sub.join("self")).unwrap();
    std::os::unix::fs::symlink(sub.join("nowhere"), sub.join("dangling")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", sub.join("zero.md")).unwrap();
    let fifo = sub.join("pipe.md");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());

    // One run over all of it.
    let store = dir.path().join("store");
    let report = dir.path().join("report.jsonl");
    let r = run(
        &[
            "ingest".as_ref(),
            input.as_os_str(),
            "--store".as_ref(),
            store.as_os_str(),
            "--report".as_ref(),
            report.as_os_str(),
        ],
        Duration::from_secs(600),
    );
    assert!(r.ok, "{}", r.stderr);
    eprintln!(
        "hostile run: {} files in {:.1} s, peak {} MB",
        want.len(),
        r.secs,
        r.peak_mb
    );
    assert!(r.peak_mb < 2048, "peak memory {} MB", r.peak_mb);

    // Each file as expected, by the report.
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&report)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let (mut stored, mut skipped) = (0, 0);
    for (path, w) in &want {
        let label = path.display().to_string();
        let skips: Vec<&str> = lines
            .iter()
            .filter(|l| l["status"] == "skipped")
            .filter(|l| {
                let f = l["file"].as_str().unwrap();
                f == label
                    || f.strip_prefix(label.as_str())
                        .is_some_and(|r| r.starts_with('#'))
            })
            .map(|l| l["reason"].as_str().unwrap())
            .collect();
        match *w {
            Want::Stored(k) => {
                assert!(skips.is_empty(), "{label}: skipped {skips:?}");
                stored += k;
            }
            Want::StoredSkipping(k, s, why) => {
                assert_eq!(skips, vec![why; s], "{label}");
                stored += k;
                skipped += s;
            }
            Want::Skipped(why) => {
                assert_eq!(skips, vec![why], "{label}");
                skipped += 1;
            }
        }
    }
    let summary = format!("stored {stored}, duplicates 0, skipped {skipped} (");
    assert!(r.stderr.contains(&summary), "want {summary}\n{}", r.stderr);
    // One line per skip, hostile names escaped: no control character reaches the terminal.
    assert_eq!(
        r.stderr
            .lines()
            .filter(|l| l.starts_with("skipped "))
            .count(),
        skipped,
        "{}",
        r.stderr
    );
    assert!(
        !r.stderr
            .chars()
            .any(|c| c.is_control() && c != '\n' || c == '\u{202e}'),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains(r"junk\u{a}\u{1b}[2J\u{202e}.bin: not text"),
        "{}",
        r.stderr
    );

    // The store: valid N-Quads, nothing expanded, nothing fetched, the text as written.
    let o = Command::new(env!("CARGO_BIN_EXE_guanxi"))
        .args(["export", "--format", "nquads", "--store"])
        .arg(&store)
        .output()
        .unwrap();
    assert!(o.status.success());
    let nq = String::from_utf8(o.stdout).unwrap();
    let quads = oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::NQuads)
        .for_slice(nq.as_bytes())
        .count();
    assert_eq!(quads, nq.lines().count(), "export is not valid N-Quads");
    assert!(!nq.contains("root:x:0"), "XXE resolved a file");
    assert!(
        nq.contains("&xxe;") && nq.contains("&lol9;"),
        "entities expanded"
    );
    assert!(!nq.contains("lollol"), "an entity or alias expanded");
    // Control characters never reach article text; a hostile file name is kept as the
    // article's source file, and a terminal table shows it escaped.
    let ctl = |l: &&str| {
        let l = l.to_ascii_lowercase();
        l.contains("\\u001b") || l.contains("\\u0000") || l.contains("\\u0007")
    };
    let with_ctl: Vec<&str> = nq.lines().filter(ctl).collect();
    assert!(
        with_ctl.iter().all(|l| l.contains("ontology#sourceFile")),
        "control characters stored: {with_ctl:?}"
    );
    let o = Command::new(env!("CARGO_BIN_EXE_guanxi"))
        .args([
            "query",
            "--query",
            "SELECT ?f WHERE { ?a <https://w3id.org/guanxi/ontology#sourceFile> ?f }",
            "--store",
        ])
        .arg(&store)
        .output()
        .unwrap();
    let table = String::from_utf8(o.stdout).unwrap();
    assert!(table.contains(r"esc\u{1b}[31mred.md"), "{table}");
    assert!(
        !table.chars().any(|c| c.is_control() && c != '\n'),
        "{table}"
    );
    assert!(
        nq.contains("\u{202e}王毅会见拉夫罗夫\u{202c}"),
        "bidi overrides lost"
    );
    for needle in [
        "中俄外长在莫斯科会谈",
        "双方就边境局势坦诚深入交换意见",
        "俄中关系处于历史最好水平",
        "这是第1篇",
    ] {
        assert!(nq.contains(needle), "{needle} not stored as written");
    }

    // A second run finds every file that read cleanly unchanged, odd names included; files
    // with a bad item are read again (the two truncated exports store their two items again).
    let r2 = run(
        &[
            "ingest".as_ref(),
            input.as_os_str(),
            "--store".as_ref(),
            store.as_os_str(),
        ],
        Duration::from_secs(600),
    );
    assert!(r2.ok);
    let clean = want
        .values()
        .filter(|w| matches!(w, Want::Stored(_)))
        .count();
    assert!(
        r2.stderr
            .contains(&format!("stored 4, duplicates 0, skipped {skipped} ("))
            && r2.stderr.contains(&format!("unchanged {clean};")),
        "{}",
        r2.stderr
    );

    // Named on the command line: a 100 MB file, a device and a pipe, without reading them.
    let big = dir.path().join("big.txt");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(100 * 1024 * 1024).unwrap();
    std::io::Write::write_all(&mut &f, article(next()).as_bytes()).unwrap();
    let r3 = run(
        &[
            "ingest".as_ref(),
            big.as_os_str(),
            "/dev/zero".as_ref(),
            fifo.as_os_str(),
            "--store".as_ref(),
            store.as_os_str(),
        ],
        Duration::from_secs(120),
    );
    assert!(r3.ok, "{}", r3.stderr);
    assert!(
        r3.stderr.contains("skipped 3 (1 too large, 2 unreadable)"),
        "{}",
        r3.stderr
    );
    assert!(
        r3.peak_mb < 512,
        "peak memory {} MB on files it refuses",
        r3.peak_mb
    );
}
