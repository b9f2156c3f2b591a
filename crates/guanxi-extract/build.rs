//! Checks every table of `data/` before the crate is built: a row that breaks its table's
//! schema (see `src/table.rs`) stops the build with its file, line and reason. Then writes
//! the lexicon's word classes as constants (`src/lexicon.rs` includes them).

#[allow(dead_code)]
#[path = "src/table.rs"]
mod table;

fn main() {
    for schema in table::SCHEMAS {
        println!("cargo::rerun-if-changed=data/{}", schema.file);
    }
    println!("cargo::rerun-if-changed=src/table.rs");
    let read = |file: &str| {
        std::fs::read_to_string(format!("data/{file}")).map_err(|e| format!("cannot read: {e}"))
    };
    // Each table is read once, checked, and the lexicon's written from the same text.
    let (tables, mut errors) = table::read_all(read);
    if let Err(e) = table::check_tables(&tables) {
        errors.extend(e);
    }
    if !errors.is_empty() {
        for e in &errors {
            eprintln!("{e}");
        }
        eprintln!("{} bad rows in the tables of data/", errors.len());
        std::process::exit(1);
    }
    // The lexicon's classes become constants of `src/lexicon.rs`.
    let (Some(classes), Some(words)) =
        (tables.get("lexicon_classes.tsv"), tables.get("lexicon.tsv"))
    else {
        eprintln!("no lexicon among the tables");
        std::process::exit(1);
    };
    let Some(out) = std::env::var_os("OUT_DIR") else {
        eprintln!("no OUT_DIR");
        std::process::exit(1);
    };
    let path = std::path::Path::new(&out).join("lexicon.rs");
    if let Err(e) = std::fs::write(&path, table::lexicon_rust(classes, words)) {
        eprintln!("cannot write {}: {e}", path.display());
        std::process::exit(1);
    }
}
