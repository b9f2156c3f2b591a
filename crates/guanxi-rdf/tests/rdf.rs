//! RDF output: per-seed sorted N-Quads snapshots, and the ontology kept in sync with the code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::sync::LazyLock;

use guanxi_extract::Extractor;
use guanxi_ingest::{parse_article, IngestConfig};
use guanxi_rdf::vocab::{GX, GX_TERMS};
use guanxi_rdf::{article_quads, write_sorted, RdfFormat};
use oxrdf::{NamedOrBlankNode, Term};

static EXTRACTOR: LazyLock<Extractor> = LazyLock::new(Extractor::new);

fn nquads(path: &std::path::Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_default();
    let Ok(a) = parse_article(
        &path.display().to_string(),
        &bytes,
        &IngestConfig::default(),
    ) else {
        return "unreadable".into();
    };
    let ex = EXTRACTOR.extract(&a);
    let Ok(q) = article_quads(&a, &ex) else {
        return "no quads".into();
    };
    let mut out = Vec::new();
    let all = q.quads.into_iter().chain(q.shared);
    if write_sorted(all, RdfFormat::NQuads, &mut out).is_err() {
        return "cannot write".into();
    }
    String::from_utf8(out).unwrap_or_default()
}

#[test]
fn seed_nquads() {
    insta::glob!("../../../examples/articles", "*.txt", |path| {
        let first = nquads(path);
        assert_eq!(first, nquads(path), "two runs must give the same bytes");
        insta::assert_snapshot!(first);
    });
}

#[test]
fn ontology_declares_exactly_the_terms_the_code_writes() {
    let ttl = include_str!("../../../ontology/guanxi.ttl");
    let parser = oxrdfio::RdfParser::from_format(RdfFormat::Turtle);
    let mut declared: Vec<(String, bool)> = Vec::new();
    for q in parser.for_slice(ttl.as_bytes()) {
        let q = match q {
            Ok(q) => q,
            Err(e) => panic!("ontology/guanxi.ttl does not parse: {e}"),
        };
        if q.predicate.as_str() != "http://www.w3.org/1999/02/22-rdf-syntax-ns#type" {
            continue;
        }
        let NamedOrBlankNode::NamedNode(s) = &q.subject else {
            continue;
        };
        let Some(local) = s.as_str().strip_prefix(GX) else {
            continue;
        };
        let Term::NamedNode(t) = &q.object else {
            continue;
        };
        let is_class = t.as_str() == "http://www.w3.org/2002/07/owl#Class";
        if !declared.iter().any(|(l, _)| l == local) {
            declared.push((local.to_string(), is_class));
        } else if is_class {
            for d in declared.iter_mut().filter(|(l, _)| l == local) {
                d.1 = true;
            }
        }
    }
    for (local, is_class) in GX_TERMS {
        assert!(
            declared.iter().any(|(l, c)| l == local && c == is_class),
            "gx:{local} is written by the code but not declared (as {}) in ontology/guanxi.ttl",
            if *is_class {
                "a class"
            } else {
                "a property or individual"
            }
        );
    }
    for (local, _) in &declared {
        assert!(
            GX_TERMS.iter().any(|(l, _)| l == local),
            "gx:{local} is declared in the ontology but unknown to the code"
        );
    }
}

#[test]
fn urls_with_stray_percent_signs_become_valid_iris() {
    let url = "https://www.dw.com/zh/仅17%的德国人/a-56195763";
    assert_eq!(
        guanxi_rdf::repair_iri(url),
        "https://www.dw.com/zh/仅17%25的德国人/a-56195763"
    );
    assert!(oxrdf::NamedNode::new(guanxi_rdf::repair_iri("https://x.org/a b%2Fc")).is_ok());
}

#[test]
fn interactions_carry_the_event_codes_the_ontology_gives_their_type() {
    let ttl = include_str!("../../../ontology/guanxi.ttl");
    let quads: Vec<_> = oxrdfio::RdfParser::from_format(RdfFormat::Turtle)
        .for_slice(ttl.as_bytes())
        .map(|q| q.unwrap())
        .collect();
    let annotation = |class: &str, prop: &str| -> Option<String> {
        quads.iter().find_map(|q| {
            (q.subject.to_string() == format!("<{GX}{class}>")
                && q.predicate.as_str() == format!("{GX}{prop}"))
            .then(|| match &q.object {
                Term::Literal(l) => l.value().to_string(),
                other => other.to_string(),
            })
        })
    };
    for kind in guanxi_core::InteractionKind::ALL {
        let class = kind.name();
        assert_eq!(
            annotation(class, "cameoCode").as_deref(),
            Some(kind.cameo_code()),
            "{class}"
        );
        assert_eq!(
            annotation(class, "ploverMode").as_deref(),
            kind.plover_mode(),
            "{class}"
        );
        assert_eq!(
            annotation(class, "ploverType").as_deref(),
            Some(kind.plover_type()),
            "{class}"
        );
        // The class name reads back as the kind.
        assert_eq!(guanxi_core::InteractionKind::from_name(class), Some(kind));
    }
}
