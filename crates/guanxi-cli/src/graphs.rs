//! `guanxi graph` and `guanxi timeline`: the store read into graph units, projections written
//! and rendered, and one actor's interactions in date order.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use anyhow::{bail, Context, Result};
use guanxi_graph::{ColorBy, Entity, GraphConfig, Input, Kind, SizeBy, Unit, Weight};
use guanxi_store::{term_value, Store};

use crate::{GraphFilters, GraphFormat, NodeKind, RenderFormat, SizeArg, WeightArg, Window};

fn kind_of(iri: &str) -> Option<Kind> {
    match iri.rsplit('/').next()? {
        "Person" => Some(Kind::Person),
        "Organization" => Some(Kind::Organization),
        "Place" => Some(Kind::Place),
        _ => None,
    }
}

/// An English name: Latin letters, spaces and name punctuation only.
fn is_english(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && s.chars()
            .all(|c| c.is_ascii_alphabetic() || matches!(c, ' ' | '.' | '-' | '\''))
}

/// How plain an English name is (lower is plainer).
fn english_rank(s: &str) -> (bool, u8, usize, String) {
    const TITLES: &[&str] = &[
        "Sen.",
        "Rep.",
        "Dr.",
        "Dr",
        "Director",
        "Under",
        "Secretary",
        "President",
        "Dame",
        "Sir",
        "Mr.",
        "Mrs.",
        "Ms.",
        "Prof.",
        "General",
        "Gen.",
        "Minister",
        "Ambassador",
    ];
    let words: Vec<&str> = s.split(' ').filter(|w| !w.is_empty()).collect();
    let titled = words.first().is_some_and(|w| TITLES.contains(w));
    let order = match words.len() {
        2 => 0,
        3 => 1,
        1 => 2,
        _ => 3,
    };
    (titled, order, s.len(), s.to_string())
}

/// Rows of a SELECT query, each as variable → value.
fn rows(store: &Store, q: &str, vars: &[&str], f: impl FnMut(&[Option<String>])) -> Result<()> {
    rows_bound(store, q, &[], vars, f)
}

/// Rows of a SELECT query whose variables `bindings` are bound to terms first.
fn rows_bound(
    store: &Store,
    q: &str,
    bindings: &[(&str, oxigraph::model::Term)],
    vars: &[&str],
    mut f: impl FnMut(&[Option<String>]),
) -> Result<()> {
    if let guanxi_store::QueryResults::Solutions(solutions) = store.query_bound(q, bindings)? {
        for s in solutions {
            let s = s?;
            let vals: Vec<Option<String>> =
                vars.iter().map(|v| s.get(*v).map(term_value)).collect();
            f(&vals);
        }
    }
    Ok(())
}

/// Entities with their kind, name and English name, indexed by IRI.
fn entities(store: &Store) -> Result<(Vec<Entity>, HashMap<String, usize>)> {
    let q = guanxi_rdf::reads::GRAPH_ENTITIES_QUERY;
    let mut by_iri: BTreeMap<String, (Kind, String, Option<String>)> = BTreeMap::new();
    rows(store, q, &["e", "kind", "name"], |v| {
        let (Some(e), Some(k), Some(n)) = (&v[0], v[1].as_deref().and_then(kind_of), &v[2]) else {
            return;
        };
        by_iri.entry(e.clone()).or_insert((k, n.clone(), None));
    })?;
    // English names come from the gazetteer only: the alternate names gathered from articles
    // mix people who share a transliteration (哈里斯: Kamala Harris, Ben Harris, …).
    let gazetteer = guanxi_extract::gazetteer::Gazetteer::builtin();
    for (iri, (kind, _, english)) in by_iri.iter_mut() {
        let key_name = iri.rsplit('/').next().unwrap_or("");
        let want = match kind {
            Kind::Person => guanxi_core::EntityKind::Person,
            Kind::Organization => guanxi_core::EntityKind::Organization,
            Kind::Place => guanxi_core::EntityKind::Place,
        };
        *english = gazetteer
            .lookup(key_name)
            .filter(|g| g.key.kind == want && g.key.name == key_name)
            .and_then(|g| {
                g.aliases
                    .iter()
                    .filter(|a| is_english(a))
                    .min_by_key(|a| english_rank(a))
                    .cloned()
            });
    }
    let mut list = Vec::with_capacity(by_iri.len());
    let mut index = HashMap::with_capacity(by_iri.len());
    for (iri, (kind, name, english)) in by_iri {
        index.insert(iri.clone(), list.len());
        list.push(Entity {
            id: iri,
            name,
            english,
            kind,
        });
    }
    Ok((list, index))
}

/// An article's local publication date and publisher name.
type ArticleMeta = (Option<String>, Option<String>);

/// Articles' local publication dates and publisher names, from two index scans (a SPARQL
/// join decodes every term again and takes several times longer).
fn articles(store: &Store) -> Result<HashMap<String, ArticleMeta>> {
    let mut out: HashMap<String, ArticleMeta> = HashMap::new();
    // The lexical form carries the publisher's offset: its first ten characters are the
    // local date.
    store.for_each_pair(&guanxi_rdf::reads::date_published(), |a, d| {
        out.entry(a.to_string()).or_default().0 = d.get(..10).map(str::to_string);
    })?;
    let mut names: HashMap<String, String> = HashMap::new();
    let q = guanxi_rdf::reads::GRAPH_PUBLISHERS_QUERY;
    rows(store, q, &["p", "n"], |v| {
        if let (Some(p), Some(n)) = (&v[0], &v[1]) {
            names.insert(p.clone(), n.clone());
        }
    })?;
    store.for_each_pair(&guanxi_rdf::reads::publisher(), |a, p| {
        if let Some(n) = names.get(p) {
            out.entry(a.to_string()).or_default().1 = Some(n.clone());
        }
    })?;
    Ok(out)
}

/// The store as graph input for the chosen window.
pub fn load(store: &Store, window: Window) -> Result<Input> {
    let (entities, index) = entities(store)?;
    let mut units: Vec<Unit> = Vec::new();
    match window {
        Window::Article | Window::Sentence => {
            let meta = articles(store)?;
            // One literal per article (gx:mentionIndex): decoding each mention's terms
            // through SPARQL takes ten times longer at corpus scale.
            let mut groups: BTreeMap<String, BTreeMap<usize, Vec<usize>>> = BTreeMap::new();
            store.for_each_pair(guanxi_rdf::mention_index::PREDICATE, |a, idx| {
                let g = groups.entry(a.to_string()).or_default();
                for (sentences, iri) in guanxi_rdf::mention_index::read(idx) {
                    let Some(&e) = index.get(iri) else { continue };
                    match window {
                        Window::Sentence => {
                            for i in sentences {
                                g.entry(i).or_default().push(e);
                            }
                        }
                        _ => g.entry(0).or_default().push(e),
                    }
                }
            })?;
            for (a, sentences) in groups {
                let (date, publisher) = meta.get(&a).cloned().unwrap_or((None, None));
                for members in sentences.into_values() {
                    units.push(Unit {
                        members,
                        date: date.clone(),
                        sources: publisher.iter().cloned().collect(),
                        label: None,
                    });
                }
            }
        }
        Window::Interaction => {
            let q = guanxi_rdf::reads::GRAPH_INTERACTIONS_QUERY;
            let mut by_id: BTreeMap<String, Unit> = BTreeMap::new();
            rows(store, q, &["i", "type", "date", "p", "pl"], |v| {
                let Some(i) = &v[0] else { return };
                let u = by_id.entry(i.clone()).or_default();
                u.label = v[1]
                    .as_ref()
                    .and_then(|t| t.rsplit('#').next())
                    .map(str::to_string);
                u.date = v[2].clone();
                for m in [&v[3], &v[4]].into_iter().flatten() {
                    if let Some(&e) = index.get(m) {
                        if !u.members.contains(&e) {
                            u.members.push(e);
                        }
                    }
                }
            })?;
            let q = guanxi_rdf::reads::GRAPH_INTERACTION_SOURCES_QUERY;
            rows(store, q, &["i", "pub"], |v| {
                if let (Some(i), Some(p)) = (&v[0], &v[1]) {
                    if let Some(u) = by_id.get_mut(i) {
                        u.sources.push(p.clone());
                    }
                }
            })?;
            units = by_id.into_values().collect();
        }
    }
    Ok(Input { entities, units })
}

/// The graph configuration from the command line.
pub fn config(f: &GraphFilters) -> GraphConfig {
    let kinds: BTreeSet<Kind> = f
        .kind
        .iter()
        .flat_map(|k| match k {
            NodeKind::Person => vec![Kind::Person],
            NodeKind::Organization => vec![Kind::Organization],
            NodeKind::Place => vec![Kind::Place],
            NodeKind::All => vec![Kind::Person, Kind::Organization, Kind::Place],
        })
        .collect();
    let window = if f.interactions {
        Window::Interaction
    } else {
        f.window
    };
    let kinds_name: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
    let mut title = if f.interactions {
        format!("Guanxi interactions ({})", kinds_name.join(", "))
    } else {
        format!(
            "Guanxi co-occurrence ({}; same {})",
            kinds_name.join(", "),
            window.name()
        )
    };
    if f.since.is_some() || f.until.is_some() {
        title.push_str(&format!(
            " {}–{}",
            f.since.as_deref().unwrap_or(""),
            f.until.as_deref().unwrap_or("")
        ));
    }
    if let Some(p) = &f.publisher {
        title.push_str(&format!(" · {p}"));
    }
    GraphConfig {
        kinds,
        weight: match f.weight {
            WeightArg::Count => Weight::Count,
            WeightArg::Sources => Weight::Sources,
            WeightArg::Npmi => Weight::Npmi,
        },
        since: f.since.clone(),
        until: f.until.clone(),
        publisher: f.publisher.clone(),
        min_weight: f.min_weight,
        top: Some(f.top),
        ego: f.ego.clone(),
        depth: f.depth,
        size_by: match f.size_by {
            SizeArg::Degree => SizeBy::Degree,
            SizeArg::Pagerank => SizeBy::PageRank,
        },
        color_by: if f.color_by_kind {
            ColorBy::Kind
        } else {
            ColorBy::Community
        },
        layout: f.layout.name().to_string(),
        interaction_labels: f.interactions,
        title,
    }
}

/// Builds the projection `f` asks for and writes it in `format`.
pub fn render_text(store: &Store, f: &GraphFilters, format: GraphFormat) -> Result<String> {
    let window = if f.interactions {
        Window::Interaction
    } else {
        f.window
    };
    let input = load(store, window)?;
    let cfg = config(f);
    let p = guanxi_graph::project(&input, &cfg)?;
    Ok(match format {
        GraphFormat::Dot => p.to_dot(&cfg),
        GraphFormat::Graphml => p.to_graphml(&cfg),
        GraphFormat::Gexf => p.to_gexf(&cfg),
        GraphFormat::Json => p.to_json(&cfg),
    })
}

/// Renders a DOT file with Graphviz to `out` (`svg` or `png`); explains what is missing.
pub fn render(dot_path: &Path, out: &Path, format: RenderFormat) -> Result<()> {
    let fmt = match format {
        RenderFormat::Svg => "svg",
        RenderFormat::Png => "png",
    };
    let o = Process::new("dot")
        .arg(format!("-T{fmt}"))
        .args(if fmt == "png" {
            vec!["-Gdpi=150"]
        } else {
            vec![]
        })
        .arg(dot_path)
        .arg("-o")
        .arg(out)
        .output();
    match o {
        Ok(o) if o.status.success() => {}
        Ok(o) => bail!(
            "Graphviz could not render {}: {}",
            dot_path.display(),
            String::from_utf8_lossy(&o.stderr).trim()
        ),
        Err(_) => bail!(
            "Graphviz `dot` not found: install it (for example `sudo apt-get install graphviz`) to render {fmt}"
        ),
    }
    if !has_cjk_font() {
        eprintln!(
            "note: no font with Chinese glyphs found (fc-list :lang=zh is empty); labels will show as boxes. \
             Install one, for example `sudo apt-get install fonts-noto-cjk`"
        );
    }
    Ok(())
}

fn has_cjk_font() -> bool {
    Process::new("fc-list")
        .arg(":lang=zh")
        .output()
        .map(|o| !o.stdout.is_empty())
        .unwrap_or(true)
}

/// `guanxi graph`.
pub fn graph(
    loc: &crate::commands::Location,
    f: &GraphFilters,
    format: GraphFormat,
    path: Option<&Path>,
    render_as: Option<RenderFormat>,
) -> Result<()> {
    let store = crate::commands::open_location(loc, true)?;
    let text = render_text(&store, f, format)?;
    match (path, render_as) {
        (Some(p), Some(r)) => {
            if format != GraphFormat::Dot {
                bail!("--render needs --format dot");
            }
            fs::write(p, &text).with_context(|| format!("cannot write {}", p.display()))?;
            let ext = match r {
                RenderFormat::Svg => "svg",
                RenderFormat::Png => "png",
            };
            let out: PathBuf = p.with_extension(ext);
            render(p, &out, r)?;
            eprintln!("wrote {} and {}", p.display(), out.display());
        }
        (None, Some(_)) => bail!("--render needs --output FILE.dot (the picture goes beside it)"),
        (p, None) => {
            let mut out = crate::commands::output(p)?;
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(())
}

/// `guanxi timeline NAME`: the interactions of one actor in date order (undated last).
pub fn timeline(loc: &crate::commands::Location, name: &str, csv: bool) -> Result<()> {
    let store = crate::commands::open_location(loc, true)?;
    let q = guanxi_rdf::reads::TIMELINE_QUERY;
    #[derive(Default)]
    struct Row {
        kind: String,
        date: String,
        place: String,
        status: String,
        with: BTreeSet<String>,
        articles: BTreeSet<String>,
        sources: BTreeSet<String>,
        reference: bool,
        unscheduled: bool,
    }
    let mut by: BTreeMap<String, Row> = BTreeMap::new();
    // The name is bound as a term, never pasted into the query text.
    let target = oxigraph::model::Literal::new_simple_literal(name);
    rows_bound(
        &store,
        q,
        &[("target", target.into())],
        &[
            "i",
            "type",
            "date",
            "place",
            "status",
            "other",
            "a",
            "byTitle",
            "src",
            "ref",
            "unscheduled",
        ],
        |v| {
            let Some(i) = &v[0] else { return };
            let local = |x: &Option<String>| {
                x.as_deref()
                    .and_then(|t| t.rsplit('#').next())
                    .unwrap_or("")
                    .to_string()
            };
            let r = by.entry(i.clone()).or_default();
            r.kind = local(&v[1]);
            r.date = v[2].clone().unwrap_or_default();
            r.place = v[3].clone().unwrap_or_default();
            r.status = local(&v[4]);
            r.with.extend(v[5].clone());
            r.articles.extend(v[6].clone());
            // (An article without a publisher is its own source.)
            r.sources.extend(v[8].clone().or_else(|| v[6].clone()));
            r.reference |= v[9].as_deref() == Some("true");
            r.unscheduled |= v[10].as_deref() == Some("true");
            // Named only by title in the text (俄罗斯外长): marked as such.
            r.with.extend(v[7].as_ref().map(|n| format!("{n}（职务）")));
        },
    )?;
    if by.is_empty() {
        bail!("no interaction of {name} in the store (names are matched exactly: schema:name or an alternate name)");
    }
    // Events only: a reference to some past contact is stated, not counted, and so is a plan
    // with no day that no dated event took up.
    let (references, rest): (Vec<Row>, Vec<Row>) = by.into_values().partition(|r| r.reference);
    let (unscheduled, mut list): (Vec<Row>, Vec<Row>) =
        rest.into_iter().partition(|r| r.unscheduled);
    if !references.is_empty() {
        eprintln!(
            "({} more reports only refer to some past contact of {name} and are not events)",
            references.len()
        );
    }
    if !unscheduled.is_empty() {
        eprintln!(
            "({} more are plans of {name} with no day that no dated event took up, not events)",
            unscheduled.len()
        );
    }
    list.sort_by(|a, b| {
        (a.date.is_empty(), &a.date, &a.kind, &a.with).cmp(&(
            b.date.is_empty(),
            &b.date,
            &b.kind,
            &b.with,
        ))
    });
    let header: Vec<String> = [
        "date", "type", "with", "place", "status", "reports", "sources",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let table: Vec<Vec<String>> = list
        .into_iter()
        .map(|r| {
            vec![
                r.date,
                r.kind,
                r.with.into_iter().collect::<Vec<_>>().join("、"),
                r.place,
                r.status,
                r.articles.len().to_string(),
                r.sources.len().to_string(),
            ]
        })
        .collect();
    write_rows(&header, &table, csv)
}

/// Which entities `guanxi entities` lists.
pub struct EntityListing {
    /// Only those the gazetteer does not know (by name or alias).
    pub unknown: bool,
    /// Only this kind (`Person`, `Organization`, `Place`).
    pub kind: Option<&'static str>,
    /// Only those at least this many articles mention.
    pub min_articles: usize,
    /// At most this many rows.
    pub limit: usize,
    /// CSV instead of a table.
    pub csv: bool,
}

/// The sentence of `body` around bytes `start..end`, cut to about 40 characters on each side
/// of the mention; empty when the offsets do not fall on the text's characters.
fn sentence_around(body: &str, start: usize, end: usize) -> String {
    if start > end || !body.is_char_boundary(start) || !body.is_char_boundary(end) {
        return String::new();
    }
    let ends = |c: char| matches!(c, '。' | '！' | '？' | '!' | '?' | '\n');
    let from = body[..start].rfind(ends).map_or(0, |i| {
        i + body[i..].chars().next().map_or(0, char::len_utf8)
    });
    let to = body[end..].find(ends).map_or(body.len(), |i| end + i);
    let before: String = {
        let v: Vec<char> = body[from..start].chars().collect();
        v[v.len().saturating_sub(40)..].iter().collect()
    };
    let after: String = body[end..to].chars().take(40).collect();
    format!("{}{}{}", before.trim_start(), &body[start..end], after).replace(['\t', '\r'], " ")
}

/// `guanxi entities`: the entities of the store with how many articles mention them and how
/// often, most mentioned first, each with an example sentence; `--unknown` keeps the names the
/// gazetteer does not hold, for a person to review and add.
pub fn entities_report(loc: &crate::commands::Location, how: &EntityListing) -> Result<()> {
    let store = crate::commands::open_location(loc, true)?;
    let gazetteer = guanxi_extract::gazetteer::Gazetteer::builtin();
    #[derive(Default)]
    struct Row {
        kind: String,
        name: String,
        articles: usize,
        mentions: u64,
        example: Option<String>,
    }
    let mut by: BTreeMap<String, Row> = BTreeMap::new();
    rows(
        &store,
        guanxi_rdf::reads::ENTITY_MENTIONS_QUERY,
        &["e", "kind", "name", "m", "count"],
        |v| {
            let (Some(e), Some(kind), Some(name), Some(m)) = (&v[0], &v[1], &v[2], &v[3]) else {
                return;
            };
            let kind = kind.rsplit('/').next().unwrap_or("").to_string();
            let r = by.entry(e.clone()).or_default();
            r.kind = kind;
            r.name = name.clone();
            r.articles += 1;
            r.mentions += v[4].as_deref().and_then(|c| c.parse().ok()).unwrap_or(1);
            // The example: the mention whose IRI sorts first, the same on every run.
            if r.example.as_ref().is_none_or(|x| m < x) {
                r.example = Some(m.clone());
            }
        },
    )?;
    let mut list: Vec<Row> = by
        .into_values()
        .filter(|r| how.kind.is_none_or(|k| r.kind == k))
        .filter(|r| r.articles >= how.min_articles)
        .filter(|r| !how.unknown || gazetteer.lookup(&r.name).is_none())
        .collect();
    list.sort_by(|a, b| {
        (b.articles, b.mentions, &a.name, &a.kind).cmp(&(a.articles, a.mentions, &b.name, &b.kind))
    });
    list.truncate(how.limit);
    let header: Vec<String> = ["name", "kind", "articles", "mentions", "example", "url"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut table: Vec<Vec<String>> = Vec::with_capacity(list.len());
    for r in list {
        let (mut example, mut url) = (String::new(), String::new());
        if let Some(m) = &r.example {
            let m = oxigraph::model::NamedNode::new(m.as_str())?;
            rows_bound(
                &store,
                guanxi_rdf::reads::MENTION_CONTEXT_QUERY,
                &[("m", m.into())],
                &["start", "end", "body", "url"],
                |v| {
                    let n = |x: &Option<String>| x.as_deref().and_then(|s| s.parse().ok());
                    if let (Some(s), Some(e), Some(body)) = (n(&v[0]), n(&v[1]), &v[2]) {
                        example = sentence_around(body, s, e);
                    }
                    url = v[3].clone().unwrap_or_default();
                },
            )?;
        }
        table.push(vec![
            r.name,
            r.kind,
            r.articles.to_string(),
            r.mentions.to_string(),
            example,
            url,
        ]);
    }
    write_rows(&header, &table, how.csv)
}

/// Rows under a header, as a table or as CSV (a cell holding a comma, a quote or a line break
/// quoted), on standard output.
fn write_rows(header: &[String], table: &[Vec<String>], csv: bool) -> Result<()> {
    let mut out = crate::commands::output(None)?;
    if csv {
        writeln!(out, "{}", header.join(","))?;
        for r in table {
            let cells: Vec<String> = r
                .iter()
                .map(|c| {
                    if c.contains([',', '"', '\n']) {
                        format!("\"{}\"", c.replace('"', "\"\""))
                    } else {
                        c.clone()
                    }
                })
                .collect();
            writeln!(out, "{}", cells.join(","))?;
        }
    } else {
        crate::table::write(&mut out, header, table)?;
    }
    out.flush()?;
    Ok(())
}
