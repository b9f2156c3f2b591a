//! Guanxi extractions to RDF quads; the only place IRIs are minted.
//!
//! Design decision: every IRI is a pure function of what it names — an entity's kind and
//! canonical name, an article's URL, a fact's article and content — so re-ingesting gives the
//! same quads, and output sorted by term is byte-identical across runs. No blank nodes.
//! An article's facts live in the article's own named graph; the descriptions of entities and
//! publishers (shared by many articles) live in one `entities` graph.

mod error;
pub mod events;
pub mod vocab;

use std::io::Write;

pub mod mention_index;
pub mod reads;
pub use error::RdfError;
pub use oxrdfio::{JsonLdProfileSet, RdfFormat};

use guanxi_core::{
    Article, DateValue, Entity, EntityKey, EntityKind, Evidence, Extraction, PlaceKind, Precision,
};
use oxrdf::{GraphName, Literal, NamedNode, NamedOrBlankNode, Quad, Term};
use vocab::{gx, schema, ID, OWL, PROV, RDF_TYPE, WIKIDATA, XSD};

/// The quads of one article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleQuads {
    /// The article's named graph.
    pub graph: NamedNode,
    /// Everything in that graph.
    pub quads: Vec<Quad>,
    /// Descriptions of entities and the publisher, for the shared entities graph.
    pub shared: Vec<Quad>,
}

/// The article an article's named graph holds (`…/graph/article/{key}` → `…/article/{key}`).
pub fn article_of_graph(graph: &NamedNode) -> String {
    graph.as_str().replacen("/graph/article/", "/article/", 1)
}

/// The named graph holding entity and publisher descriptions.
pub fn entities_graph() -> NamedNode {
    NamedNode::new_unchecked(format!("{ID}graph/entities"))
}

/// FNV-1a, 64 bits: a stable, dependency-free content hash for IRI keys.
pub(crate) fn fnv(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0x1f)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// Least body (characters) for two articles to be the same by their body alone.
pub const MIN_BODY_CHARS: usize = 50;

/// The same body, whatever its URL: FNV-1a of the text without its headline and white space
/// (stable across runs and versions, so a store can tell an article it took in a year ago
/// under another URL). Bodies shorter than [`MIN_BODY_CHARS`] (a headline-only item, a photo
/// caption) identify nothing.
pub fn body_key(a: &Article) -> Option<String> {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut n = 0usize;
    for b in a
        .blocks
        .iter()
        .filter(|b| b.kind != guanxi_core::BlockKind::Title)
    {
        for c in b.span.slice(&a.text).chars().filter(|c| !c.is_whitespace()) {
            let mut buf = [0u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                h ^= u64::from(byte);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
            n += 1;
        }
    }
    (n >= MIN_BODY_CHARS).then(|| format!("{h:016x}"))
}

/// The name of the file an article was read from (`gx:sourceFile`): the last part of its
/// source path.
pub fn source_file_name(source: &str) -> &str {
    source.rsplit(['/', '\\']).next().unwrap_or(source)
}

/// The stable key of an article: a hash of its URL (http/https and a trailing slash ignored),
/// or of its text when it has no URL.
pub fn article_key(article: &Article) -> String {
    match &article.url {
        Some(u) => {
            let u = u.trim().trim_end_matches('/');
            let u = u
                .strip_prefix("http://")
                .or_else(|| u.strip_prefix("https://"))
                .unwrap_or(u);
            fnv(&[u])
        }
        None => fnv(&[&article.title, &article.text]),
    }
}

/// The article's IRI.
pub fn article_iri(key: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{ID}article/{key}"))
}

/// The article's named graph.
pub fn article_graph(key: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{ID}graph/article/{key}"))
}

/// Percent-encodes what an IRI path segment cannot hold; keeps non-ASCII characters (IRIs allow them).
fn segment(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric()
            || "-._~".contains(c)
            || (!c.is_ascii() && !c.is_whitespace() && !c.is_control())
        {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// The IRI of an entity, from its key alone.
pub fn entity_iri(key: &EntityKey) -> NamedNode {
    let kind = match key.kind {
        EntityKind::Person => "person",
        EntityKind::Organization => "organization",
        EntityKind::Place => "place",
    };
    NamedNode::new_unchecked(format!("{ID}{kind}/{}", segment(&key.name)))
}

/// Escapes what real feeds put in URLs but IRIs forbid: a `%` not starting an escape
/// (`…仅17%的…`), spaces, quotes and angle brackets.
pub fn repair_iri(url: &str) -> String {
    let u = url.trim();
    let b = u.as_bytes();
    let hex = |i: usize| b.get(i).is_some_and(u8::is_ascii_hexdigit);
    let mut out = String::with_capacity(u.len());
    for (i, c) in u.char_indices() {
        match c {
            '%' if !(hex(i + 1) && hex(i + 2)) => out.push_str("%25"),
            ' ' | '"' | '<' | '>' | '{' | '}' | '|' | '\\' | '^' | '`' => {
                out.push_str(&format!("%{:02X}", c as u32))
            }
            _ => out.push(c),
        }
    }
    out
}

fn iri(s: &str) -> NamedNode {
    NamedNode::new_unchecked(s)
}

fn lang(text: &str) -> Literal {
    let tag = if text.is_ascii() { "en" } else { "zh" };
    Literal::new_language_tagged_literal_unchecked(text, tag)
}

fn typed(value: impl Into<String>, dt: &str) -> Literal {
    Literal::new_typed_literal(value, iri(&format!("{XSD}{dt}")))
}

/// The `schema:startDate` literal of a date, typed by precision.
pub fn date_literal(d: &DateValue) -> Literal {
    let dt = match d.precision() {
        Precision::Day => "date",
        Precision::Month => "gYearMonth",
        Precision::Year => "gYear",
    };
    typed(d.to_string(), dt)
}

struct Out<'a> {
    graph: &'a GraphName,
    quads: Vec<Quad>,
}

impl Out<'_> {
    fn add(&mut self, s: &NamedNode, p: &str, o: impl Into<Term>) {
        self.quads.push(Quad::new(
            NamedOrBlankNode::NamedNode(s.clone()),
            iri(p),
            o.into(),
            self.graph.clone(),
        ));
    }
}

fn describe_entity(out: &mut Out<'_>, e: &Entity) {
    let node = entity_iri(&e.key);
    let class = match e.key.kind {
        EntityKind::Person => "Person",
        EntityKind::Organization => "Organization",
        EntityKind::Place => "Place",
    };
    out.add(&node, RDF_TYPE, iri(&schema(class)));
    match e.place_kind {
        Some(PlaceKind::Country) => out.add(&node, RDF_TYPE, iri(&schema("Country"))),
        Some(PlaceKind::City) => out.add(&node, RDF_TYPE, iri(&schema("City"))),
        _ => {}
    }
    out.add(&node, &schema("name"), lang(&e.name));
    if e.name != e.key.name {
        out.add(&node, &schema("alternateName"), lang(&e.key.name));
    }
    for a in e.alternate_names.iter().filter(|a| **a != e.name) {
        out.add(&node, &schema("alternateName"), lang(a));
    }
    if let Some(c) = &e.coordinates {
        out.add(
            &node,
            &schema("latitude"),
            typed(c.latitude.clone(), "decimal"),
        );
        out.add(
            &node,
            &schema("longitude"),
            typed(c.longitude.clone(), "decimal"),
        );
    }
    if let Some(c) = &e.contained_in {
        out.add(&node, &schema("containedInPlace"), entity_iri(c));
    }
    if let Some(q) = &e.wikidata {
        out.add(
            &node,
            &format!("{OWL}sameAs"),
            iri(&format!("{WIKIDATA}{q}")),
        );
    }
}

fn evidence_node(
    out: &mut Out<'_>,
    text: &str,
    akey: &str,
    article: &NamedNode,
    ev: &Evidence,
) -> NamedNode {
    let node = iri(&format!(
        "{ID}evidence/{akey}/{}-{}",
        ev.span.start, ev.span.end
    ));
    out.add(&node, RDF_TYPE, iri(&gx("Evidence")));
    out.add(&node, &gx("sentenceText"), lang(ev.span.slice(text)));
    out.add(
        &node,
        &gx("startOffset"),
        Literal::from(ev.span.start as i64),
    );
    out.add(&node, &gx("endOffset"), Literal::from(ev.span.end as i64));
    out.add(&node, &format!("{PROV}wasDerivedFrom"), article.clone());
    node
}

/// Turns one article and its extraction into quads.
pub fn article_quads(article: &Article, ex: &Extraction) -> Result<ArticleQuads, RdfError> {
    let akey = article_key(article);
    let graph = article_graph(&akey);
    let gname = GraphName::NamedNode(graph.clone());
    let shared_name = GraphName::NamedNode(entities_graph());
    let mut out = Out {
        graph: &gname,
        quads: Vec::new(),
    };
    let mut shared = Out {
        graph: &shared_name,
        quads: Vec::new(),
    };
    let art = article_iri(&akey);
    // The body and the quoted evidence are the article's own characters (traditional when it
    // was so written); spans index both forms alike.
    let text = article.own_text();
    let derived = format!("{PROV}wasDerivedFrom");

    out.add(&art, RDF_TYPE, iri(&schema("NewsArticle")));
    if let Some(u) = &article.url {
        match NamedNode::new(repair_iri(u)) {
            Ok(n) => out.add(&art, &schema("url"), n),
            Err(e) => {
                return Err(RdfError::InvalidIri {
                    iri: u.clone(),
                    reason: e.to_string(),
                })
            }
        }
    }
    out.add(&art, &schema("headline"), lang(&article.title));
    out.add(
        &art,
        &schema("inLanguage"),
        Literal::new_simple_literal("zh"),
    );
    out.add(&art, &schema("articleBody"), lang(text));
    if let Some(k) = body_key(article) {
        out.add(&art, &gx("bodyHash"), Literal::new_simple_literal(k));
    }
    if let Some(p) = &article.published {
        out.add(
            &art,
            &schema("datePublished"),
            typed(p.date_time.clone(), "dateTime"),
        );
    }
    if let Some(p) = &article.publisher {
        let e = Entity {
            key: EntityKey {
                kind: EntityKind::Organization,
                name: p.name.clone(),
            },
            name: p.name.clone(),
            place_kind: None,
            alternate_names: p.alternate_names.clone(),
            wikidata: None,
            coordinates: None,
            contained_in: None,
            mentions: Vec::new(),
        };
        describe_entity(&mut shared, &e);
        out.add(&art, &schema("publisher"), entity_iri(&e.key));
    }
    out.add(
        &art,
        &gx("sourceFile"),
        Literal::new_simple_literal(source_file_name(&article.source)),
    );

    for e in &ex.entities {
        let node = entity_iri(&e.key);
        describe_entity(&mut shared, e);
        out.add(&art, &schema("mentions"), node.clone());
        if let Some(first) = e.mentions.first() {
            let m = iri(&format!(
                "{ID}mention/{akey}/{}-{}",
                first.span.start, first.span.end
            ));
            out.add(&m, RDF_TYPE, iri(&gx("Mention")));
            out.add(&m, &gx("mentionOf"), node.clone());
            out.add(&m, &gx("surface"), lang(&first.surface));
            out.add(
                &m,
                &gx("startOffset"),
                Literal::from(first.span.start as i64),
            );
            out.add(&m, &gx("endOffset"), Literal::from(first.span.end as i64));
            out.add(
                &m,
                &gx("mentionCount"),
                Literal::from(e.mentions.len() as i64),
            );
            out.add(&m, &derived, art.clone());
        }
    }
    // Graph projections read this one literal per article instead of joining every mention.
    let index: Vec<(Vec<usize>, String)> = ex
        .entities
        .iter()
        .map(|e| {
            let mut s: Vec<usize> = e.mentions.iter().map(|m| m.sentence).collect();
            s.dedup();
            (s, entity_iri(&e.key).as_str().to_string())
        })
        .collect();
    if !index.is_empty() {
        out.add(
            &art,
            &gx("mentionIndex"),
            Literal::new_simple_literal(mention_index::write(&index)),
        );
    }

    for e in &ex.referenced {
        describe_entity(&mut shared, e);
    }

    for r in &ex.roles {
        let of = r.of.as_ref().map(|k| k.name.as_str()).unwrap_or("");
        let node = iri(&format!(
            "{ID}role/{akey}-{}",
            fnv(&[
                &r.person.name,
                &r.title,
                of,
                if r.former { "1" } else { "0" }
            ])
        ));
        let person = entity_iri(&r.person);
        out.add(&node, RDF_TYPE, iri(&gx("RoleAssignment")));
        out.add(&node, &gx("holder"), person.clone());
        out.add(&node, &gx("title"), lang(&r.title));
        if let Some(k) = &r.of {
            out.add(&node, &gx("roleOf"), entity_iri(k));
        }
        if r.former {
            out.add(&node, &gx("former"), Literal::from(true));
        }
        if let Some(d) = r.stated_on {
            out.add(&node, &gx("statedOn"), date_literal(&DateValue::day(d)));
        }
        if let Some(t) = &r.term {
            out.add(&node, &schema("startDate"), date_literal(&t.start));
            if let Some(e) = &t.end {
                out.add(&node, &schema("endDate"), date_literal(e));
            }
            if let Ok(src) = NamedNode::new(repair_iri(&t.source)) {
                out.add(&node, &gx("termSource"), src);
            }
        }
        out.add(&node, &derived, art.clone());
        let ev = evidence_node(&mut out, text, &akey, &art, &r.evidence);
        out.add(&node, &gx("evidence"), ev);
        out.add(&person, &gx("holdsRole"), node);
    }

    for it in &ex.interactions {
        let names: Vec<&str> = it
            .participants
            .iter()
            .chain(it.by_title.iter())
            .map(|p| p.name.as_str())
            .collect();
        let date = it.date.map(|d| d.to_string()).unwrap_or_default();
        let mut key_parts = vec![it.kind.name(), date.as_str()];
        key_parts.extend(names.iter().copied());
        // A report: what this article says of one interaction. The interaction itself, merged
        // across every article that reports it, is written by `events::merge`.
        let node = iri(&format!("{ID}report/{akey}-{}", fnv(&key_parts)));
        out.add(&node, RDF_TYPE, iri(&gx("InteractionReport")));
        out.add(&node, &gx("reportedType"), iri(&gx(it.kind.name())));
        out.add(
            &node,
            &schema("name"),
            lang(&format!(
                "{}：{}",
                trigger_label(text, it),
                names.join("、")
            )),
        );
        for p in &it.participants {
            out.add(&node, &gx("participant"), entity_iri(p));
        }
        for p in &it.by_title {
            out.add(&node, &gx("participantByTitle"), entity_iri(p));
        }
        if let Some(d) = &it.date {
            out.add(&node, &schema("startDate"), date_literal(d));
        }
        if let Some(pl) = &it.place {
            out.add(&node, &schema("location"), entity_iri(pl));
        }
        out.add(&node, &gx("status"), iri(&gx(it.status.name())));
        if let Some(r) = it.reference.name() {
            out.add(&node, &gx("timeReference"), iri(&gx(r)));
        }
        out.add(&node, &derived, art.clone());
        for ev in &it.evidence {
            let evn = evidence_node(&mut out, text, &akey, &art, ev);
            out.add(&node, &gx("evidence"), evn.clone());
            out.add(&evn, &gx("triggerText"), lang(ev.trigger.slice(text)));
            out.add(
                &evn,
                &gx("triggerStart"),
                Literal::from(ev.trigger.start as i64),
            );
        }
    }
    // Each quad once, in the order built (the same for the same input); serialisations
    // sort (`write_sorted`), the store does not need to.
    Ok(ArticleQuads {
        graph,
        quads: distinct(out.quads),
        shared: distinct(shared.quads),
    })
}

/// The quads without repeats, first occurrences in order.
fn distinct(quads: Vec<Quad>) -> Vec<Quad> {
    let mut seen: rustc_hash::FxHashSet<&Quad> = rustc_hash::FxHashSet::default();
    let keep: Vec<bool> = quads.iter().map(|q| seen.insert(q)).collect();
    drop(seen);
    quads
        .into_iter()
        .zip(keep)
        .filter_map(|(q, k)| k.then_some(q))
        .collect()
}

fn trigger_label(text: &str, it: &guanxi_core::Interaction) -> String {
    it.evidence
        .first()
        .map(|e| e.trigger.slice(text).to_string())
        .unwrap_or_default()
}

/// Prefixes used in Turtle, TriG and RDF/XML output.
pub const PREFIXES: &[(&str, &str)] = &[
    ("gx", vocab::GX),
    ("schema", vocab::SCHEMA),
    ("prov", vocab::PROV),
    ("owl", vocab::OWL),
    ("xsd", vocab::XSD),
    ("gxid", vocab::ID),
];

/// Writes quads sorted by their N-Quads form, so that the same content always gives the same
/// bytes. Formats without graphs (Turtle, N-Triples, RDF/XML) get the union of the graphs.
pub fn write_sorted(
    quads: impl IntoIterator<Item = Quad>,
    format: RdfFormat,
    w: impl Write,
) -> Result<(), RdfError> {
    let mut all: Vec<Quad> = quads.into_iter().collect();
    let graphs = format.supports_datasets();
    if !graphs {
        for q in &mut all {
            q.graph_name = GraphName::DefaultGraph;
        }
    }
    if matches!(format, RdfFormat::NTriples | RdfFormat::NQuads) {
        // A line is the term's display and " ."; sort the lines themselves.
        let mut lines: Vec<String> = all.iter().map(|q| format!("{q} .\n")).collect();
        drop(all);
        lines.sort_unstable();
        lines.dedup();
        let mut w = w;
        for l in &lines {
            w.write_all(l.as_bytes())?;
        }
        w.flush()?;
        return Ok(());
    }
    all.sort_by_cached_key(|q| q.to_string());
    all.dedup();
    let mut ser = oxrdfio::RdfSerializer::from_format(format);
    if !matches!(format, RdfFormat::NTriples | RdfFormat::NQuads) {
        for (p, ns) in PREFIXES {
            ser = ser.with_prefix(*p, *ns).map_err(|e| RdfError::InvalidIri {
                iri: ns.to_string(),
                reason: e.to_string(),
            })?;
        }
    }
    let mut w = ser.for_writer(w);
    for q in &all {
        w.serialize_quad(q)?;
    }
    w.finish()?;
    Ok(())
}
