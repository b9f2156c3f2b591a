//! The closed word classes the rules read: speech verbs, clause openings, status cues, name
//! endings and the rest, one constant per class. Their words live in `data/lexicon.tsv` and
//! the classes in `data/lexicon_classes.tsv`; the build script checks both and writes the
//! constants included here.

include!(concat!(env!("OUT_DIR"), "/lexicon.rs"));
