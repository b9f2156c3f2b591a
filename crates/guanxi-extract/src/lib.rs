//! Chinese news extraction: entities, roles, dates and interactions.
//!
//! Design decision: rules over a segmenter, not a statistical model. jieba-rs segments and
//! tags each sentence (with every gazetteer name added to its dictionary); an Aho–Corasick
//! gazetteer links names to canonical entities; hand-written rules in data tables (titles,
//! trigger verbs, government bodies) read roles and interactions from the clause around a
//! trigger. Every result carries the byte span of the sentence that states it. Extraction
//! never fails: odd input yields fewer facts and diagnostics, never an error.

pub mod dates;
mod dedup;
mod entities;
pub mod gazetteer;
mod implicit;
mod interactions;
mod lexicon;
mod names;
mod reading;
mod roles;
mod scan;
mod segment;
pub mod table;
mod text;
mod title_refs;

use std::collections::BTreeMap;

use guanxi_core::{
    Article, Diagnostic, Entity, EntityKey, EntityKind, Extraction, LocalDate, Role, Span,
};
use jieba_rs::Jieba;

use crate::entities::Found;
use crate::gazetteer::Gazetteer;
use crate::names::new_entity;
use crate::reading::dateline_day;
use crate::scan::{Cues, Scan};
use crate::segment::{Segmenter, Tok};

/// An article's sentences, what was found in each before reading words, and the
/// segmenter's words where the rules read them.
struct Segmented<'a> {
    sentences: Vec<guanxi_core::Sentence>,
    scans: Vec<Scan>,
    toks: Vec<Vec<Tok<'a>>>,
}

/// How much of each article extraction reads. The default reads only where a rule can find
/// something; [`ExtractOptions::exhaustive`] reads everything, the slow way: the reference
/// each of the shortcuts is held to (`guanxi extract --exhaustive` gives the same N-Quads as
/// `guanxi extract`, over any corpus).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExtractOptions {
    /// Cut every sentence into words whole, not only the ranges the rules read.
    pub cut_every_word: bool,
    /// Read interactions (clauses, title references, dates) in every sentence of every
    /// article, not only where a trigger stands, and follow the day last named from sentence
    /// to sentence rather than searching back from a 当天 for it.
    pub read_every_sentence: bool,
    /// Run every date pattern whose cues a sentence holds, also where each of its matches
    /// would fall in a date already taken.
    pub run_every_date_pattern: bool,
}

impl ExtractOptions {
    /// Everything read: the reference of every shortcut.
    pub fn exhaustive() -> Self {
        ExtractOptions {
            cut_every_word: true,
            read_every_sentence: true,
            run_every_date_pattern: true,
        }
    }
}

/// An article as read before its interactions: its sentences, what each holds, who is
/// named and in what role, and the days relative dates are read from.
struct Read<'r, 'a> {
    article: &'r Article,
    sentences: &'r [guanxi_core::Sentence],
    scans: &'r [Scan],
    toks: &'r [Vec<Tok<'a>>],
    found: &'r [Vec<Found>],
    roles: &'r [Role],
    ents: &'r BTreeMap<EntityKey, Entity>,
    pub_date: Option<LocalDate>,
    dateline: Option<LocalDate>,
    reference: Option<LocalDate>,
}

/// The extractor: gazetteer and segmenter, loaded once and shared by every article.
pub struct Extractor {
    gazetteer: Gazetteer,
    segmenter: Segmenter,
    cues: Cues,
    options: ExtractOptions,
}

impl Default for Extractor {
    fn default() -> Self {
        Self::new()
    }
}

impl Extractor {
    /// Loads the built-in gazetteer and the segmenter's dictionary (about 0.2 s).
    pub fn new() -> Self {
        Self::with_gazetteer(Gazetteer::builtin())
    }

    /// An extractor over the given gazetteer.
    pub fn with_gazetteer(gazetteer: Gazetteer) -> Self {
        let mut jieba = Jieba::new();
        for (surface, idx) in &gazetteer.surfaces {
            if surface
                .chars()
                .all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || c == '·')
            {
                let tag = match gazetteer.entries[*idx].key.kind {
                    EntityKind::Person => "nr",
                    EntityKind::Place => "ns",
                    EntityKind::Organization => "nt",
                };
                jieba.add_word(surface, Some(3000), Some(tag));
            }
        }
        for (t, _) in &gazetteer.titles {
            jieba.add_word(t, Some(3000), Some("n"));
        }
        Extractor {
            cues: Cues::new(&gazetteer),
            gazetteer,
            segmenter: Segmenter::new(jieba),
            options: ExtractOptions::default(),
        }
    }

    /// Reads articles as `options` says from now on.
    pub fn set_options(&mut self, options: ExtractOptions) {
        self.options = options;
    }

    /// How this extractor reads articles.
    pub fn options(&self) -> ExtractOptions {
        self.options
    }

    /// Forgets the parts of speech this thread remembers from earlier articles, so that the
    /// next run starts cold as the first did (benchmarks that repeat a run).
    pub fn forget(&self) {
        self.segmenter.forget();
    }

    /// The words and parts of speech the segmenter gives a text (with the gazetteer's names in
    /// its dictionary, the model guessing words it lacks): what the rules read.
    pub fn words(&self, text: &str) -> Vec<(String, String)> {
        self.segmenter
            .jieba
            .tag(text, true)
            .into_iter()
            .map(|t| (t.word.to_string(), t.tag.to_string()))
            .collect()
    }

    /// The gazetteer in use.
    pub fn gazetteer(&self) -> &Gazetteer {
        &self.gazetteer
    }

    /// Extracts everything from one article.
    pub fn extract(&self, article: &Article) -> Extraction {
        let mut seg = self.scan(article);
        self.cut(article, &mut seg);
        self.extract_segmented(article, seg)
    }

    /// Extracts everything from several articles: all are scanned, then all are cut, then
    /// all are read. The segmenter's dictionary stays in the processor's cache while it cuts,
    /// instead of being pushed out by the rules' tables between sentences. The result is the
    /// same as [`Extractor::extract`] on each.
    pub fn extract_many(&self, articles: &[&Article]) -> Vec<Extraction> {
        let mut segmented: Vec<Segmented<'_>> = articles.iter().map(|a| self.scan(a)).collect();
        for (a, seg) in articles.iter().zip(segmented.iter_mut()) {
            self.cut(a, seg);
        }
        articles
            .iter()
            .zip(segmented)
            .map(|(a, seg)| self.extract_segmented(a, seg))
            .collect()
    }

    /// The article's sentences and what each holds, before any word is cut.
    fn scan(&self, article: &Article) -> Segmented<'_> {
        let sentences = text::sentences(article);
        let scans = sentences
            .iter()
            .map(|s| scan::scan(&self.gazetteer, &self.cues, s.span.slice(&article.text)))
            .collect();
        Segmented {
            sentences,
            scans,
            toks: Vec::new(),
        }
    }

    /// The words of each sentence where the rules read them.
    fn cut<'a>(&'a self, article: &'a Article, seg: &mut Segmented<'a>) {
        seg.toks = seg
            .sentences
            .iter()
            .zip(&seg.scans)
            .map(|(s, scan)| {
                let sentence = s.span.slice(&article.text);
                let whole = [(0, sentence.len())];
                let needs = if self.options.cut_every_word {
                    &whole[..]
                } else {
                    &scan.needs[..]
                };
                Tok::cut_needed(&self.segmenter, sentence, needs)
            })
            .collect();
    }

    fn extract_segmented(&self, article: &Article, seg: Segmented<'_>) -> Extraction {
        let gz = &self.gazetteer;
        let text = &article.text;
        let Segmented {
            sentences,
            scans,
            toks: sentence_toks,
        } = seg;
        let pub_date = article.published.as_ref().map(|p| p.local_date);
        let mut diagnostics = Vec::new();
        if pub_date.is_none() {
            diagnostics.push(Diagnostic {
                span: None,
                message: "no publication date: relative dates left unresolved".into(),
            });
        }

        let mut per_sentence = self.recognise_sentences(text, &sentences, &sentence_toks, &scans);
        self.find_names_again(text, &sentences, &mut per_sentence);
        // Roles: titles standing before person mentions.
        let mut roles = Vec::new();
        for (si, found) in per_sentence.iter().enumerate() {
            for f in found.iter().filter(|f| f.key.kind == EntityKind::Person) {
                roles.extend(self.roles_before(text, sentences[si].span, si, f, found));
            }
        }
        // The reference day dates roles and interactions: the dateline's day, else the
        // publication day (the dateline is read only where one of them stands).
        let has_trigger =
            self.options.read_every_sentence || scans.iter().any(|s| !s.triggers.is_empty());
        let dateline = if has_trigger || !roles.is_empty() {
            dateline_day(article, &sentences, pub_date)
        } else {
            None
        };
        let reference = dateline.or(pub_date);
        self.resolve_office_holders(&mut per_sentence, &mut roles, reference);
        let ents = self.entities_of(text, &per_sentence);
        self.date_roles(&mut roles, reference);
        // Interactions. Only an article where a trigger stands holds any: in the others
        // (most) no date, title reference or clause is read.
        let interactions = if has_trigger {
            self.interactions(&Read {
                article,
                sentences: &sentences,
                scans: &scans,
                toks: &sentence_toks,
                found: &per_sentence,
                roles: &roles,
                ents: &ents,
                pub_date,
                dateline,
                reference,
            })
        } else {
            Vec::new()
        };

        // People resolved from a title, and cities that stand for a venue, which the
        // article may not name.
        let mut referenced: Vec<Entity> = interactions
            .iter()
            .flat_map(|it| it.by_title.iter().chain(it.place.iter()))
            .filter(|k| !ents.contains_key(k))
            .map(|k| new_entity(k, gz.lookup(&k.name)))
            .collect();
        referenced.sort_by(|a, b| a.key.cmp(&b.key));
        referenced.dedup_by(|a, b| a.key == b.key);
        Extraction {
            sentences,
            referenced,
            entities: ents.into_values().collect(),
            roles,
            interactions,
            diagnostics,
        }
    }
}

trait SpanLen {
    fn len_key(&self) -> usize;
}

impl SpanLen for Span {
    fn len_key(&self) -> usize {
        self.end - self.start
    }
}
