//! Checks every table of `data/` before the crate is built: a row that breaks its table's
//! schema (see `src/table.rs`) stops the build with its file, line and reason.

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
    if let Err(errors) = table::check_all(read) {
        for e in &errors {
            eprintln!("{e}");
        }
        eprintln!("{} bad rows in the tables of data/", errors.len());
        std::process::exit(1);
    }
}
