//! Prints the words and parts of speech the segmenter gives each line of standard input (or
//! each argument), as the extraction rules read them: `word/tag word/tag …`.
//!
//! `cargo run --release --example words -p guanxi-extract -- '李岚清对这项工作非常关心'`

use std::io::BufRead;

fn main() {
    let ex = guanxi_extract::Extractor::new();
    let show = |line: &str| {
        let words: Vec<String> = ex
            .words(line)
            .into_iter()
            .map(|(w, t)| format!("{w}/{t}"))
            .collect();
        println!("{}", words.join(" "));
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() {
        for line in std::io::stdin().lock().lines().map_while(Result::ok) {
            show(&line);
        }
    } else {
        args.iter().for_each(|a| show(a));
    }
}
