//! Chinese news extraction: entities, roles, dates and interactions.
//!
//! Design decision: rules over a segmenter, not a statistical model. jieba-rs segments and
//! tags each sentence (with every gazetteer name added to its dictionary); an Aho–Corasick
//! gazetteer links names to canonical entities; hand-written rules in data tables (titles,
//! trigger verbs, government bodies) read roles and interactions from the clause around a
//! trigger. Every result carries the byte span of the sentence that states it. Extraction
//! never fails: odd input yields fewer facts and diagnostics, never an error.

pub mod dates;
mod entities;
pub mod gazetteer;
mod interactions;
mod lexicon;
pub mod table;
mod text;

use crate::lexicon::{CONNECTIVES, CURRENT, FORMER, GROUP_BEFORE, THE_TWO};
use std::collections::BTreeMap;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use guanxi_core::{
    Article, BlockKind, DateValue, Diagnostic, Entity, EntityKey, EntityKind, Evidence, Extraction,
    InteractionKind, LocalDate, Mention, PlaceKind, Role, Span,
};
use jieba_rs::Jieba;

use crate::entities::{Cues, Found, Scan, Segmenter, Tok};
use crate::gazetteer::Gazetteer;
use crate::interactions::{ClauseMention, SentenceFacts};

/// The lead: the first paragraph sentences, whose date may be the day of the news.
const LEAD_SENTENCES: usize = 2;

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

/// Which sentences of an article are read for what (`Extractor::reading_plan`).
struct ReadingPlan {
    /// A trigger stands in the sentence (or every sentence is read).
    triggered: Vec<bool>,
    /// The sentence's dates are read.
    dated: Vec<bool>,
    /// The block each sentence stands in.
    blocks: Vec<Option<guanxi_core::Block>>,
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
            .map(|s| entities::scan(&self.gazetteer, &self.cues, s.span.slice(&article.text)))
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

        let mut referenced: Vec<Entity> = interactions
            .iter()
            .flat_map(|it| it.by_title.iter())
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

    /// Recognition, first pass: the mentions of each sentence, from the gazetteer and the
    /// context rules.
    fn recognise_sentences(
        &self,
        text: &str,
        sentences: &[guanxi_core::Sentence],
        sentence_toks: &[Vec<Tok<'_>>],
        scans: &[Scan],
    ) -> Vec<Vec<Found>> {
        let gz = &self.gazetteer;
        // Pass 1: mentions per sentence.
        let mut per_sentence: Vec<Vec<Found>> = Vec::with_capacity(sentences.len());
        for ((s, toks), scan) in sentences.iter().zip(sentence_toks).zip(scans) {
            let st = s.span.slice(text);
            // A word of the segmenter's own dictionary (祝贺) is not a name it guessed; real
            // names it knows are in the gazetteer, matched before this point.
            // A dictionary name spelt like a transliteration (辛格, 贝林格) stays a name.
            let is_name = |w: &str| {
                !self.segmenter.jieba.has_word(w)
                    || (w.chars().all(|c| gz.transliteration_chars.contains(&c))
                        && !gz.not_names.contains(w)
                        && matches!(
                            self.segmenter.jieba.tag(w, false).as_slice(),
                            [t] if matches!(t.tag, "nr" | "nrt" | "nrfg" | "nz")
                        ))
            };
            per_sentence.push(entities::recognise(
                gz,
                st,
                s.span.start,
                toks,
                scan,
                &is_name,
            ));
        }
        per_sentence
    }

    /// Recognition, second pass: names the context rules found (not in the gazetteer) are
    /// found again anywhere in the article, and so are the short forms of its full
    /// transliterated names, when only one of its persons has that short form.
    fn find_names_again(
        &self,
        text: &str,
        sentences: &[guanxi_core::Sentence],
        per_sentence: &mut [Vec<Found>],
    ) {
        let gz = &self.gazetteer;
        // Pass 2: names discovered in context (not in the gazetteer) found again anywhere.
        let discovered: Vec<EntityKey> = {
            let mut v: Vec<EntityKey> = per_sentence
                .iter()
                .flatten()
                .filter(|f| f.entry.is_none() && f.key.kind == EntityKind::Person)
                .map(|f| f.key.clone())
                .collect();
            v.sort();
            v.dedup();
            v
        };
        // Short forms of the full transliterated names the article gives (参会的辛格 after
        // 拉杰纳特·辛格), when only one of its persons has that short form.
        let mut shorts: BTreeMap<String, Vec<EntityKey>> = BTreeMap::new();
        for f in per_sentence.iter().flatten() {
            if f.key.kind == EntityKind::Person && f.key.name.contains('·') {
                let short = short_name(&f.key);
                if short.chars().count() >= 2 {
                    let v = shorts.entry(short).or_default();
                    if !v.contains(&f.key) {
                        v.push(f.key.clone());
                    }
                }
            }
        }
        // (Each name is searched for with one searcher, built once for the article.)
        let short_finders: Vec<(&String, &EntityKey, memchr::memmem::Finder<'_>)> = shorts
            .iter()
            .filter(|(short, _)| !short.is_empty())
            .filter_map(|(short, keys)| match keys.as_slice() {
                [key] => Some((short, key, memchr::memmem::Finder::new(short.as_bytes()))),
                _ => None,
            })
            .collect();
        let discovered_finders: Vec<(&EntityKey, memchr::memmem::Finder<'_>)> = discovered
            .iter()
            .filter(|k| !k.name.is_empty())
            .map(|k| (k, memchr::memmem::Finder::new(k.name.as_bytes())))
            .collect();
        for (s, found) in sentences.iter().zip(per_sentence.iter_mut()) {
            let st = s.span.slice(text);
            for (short, key, finder) in &short_finders {
                for i in finder.find_iter(st.as_bytes()) {
                    let span = Span::new(s.span.start + i, s.span.start + i + short.len());
                    let glued = st[..i].ends_with(['·', '•', '・', '－', '-']);
                    if !glued && !found.iter().any(|f| f.span.overlaps(span)) {
                        let mut f = Found::unknown(key.kind, short, span);
                        f.key = (*key).clone();
                        f.entry = gz.by_surface.get(&key.name).copied();
                        found.push(f);
                    }
                }
            }
            for (key, finder) in &discovered_finders {
                for i in finder.find_iter(st.as_bytes()) {
                    let span = Span::new(s.span.start + i, s.span.start + i + key.name.len());
                    if !found.iter().any(|f| f.span.overlaps(span)) {
                        found.push(Found::unknown(key.kind, &key.name, span));
                    }
                }
            }
            entities::sort_mentions(found);
        }

        // Short forms of unknown full names: 米勒 after 斯蒂芬·米勒 is that person when the
        // article names no other 米勒.
        let mut by_short: BTreeMap<String, Vec<EntityKey>> = BTreeMap::new();
        for k in discovered.iter().filter(|k| k.name.contains('·')) {
            by_short.entry(short_name(k)).or_default().push(k.clone());
        }
        for found in per_sentence.iter_mut() {
            for f in found.iter_mut().filter(|f| f.entry.is_none()) {
                if let Some([full]) = by_short.get(&f.key.name).map(Vec::as_slice) {
                    f.key = full.clone();
                }
            }
        }
    }

    /// A name the gazetteer does not know under its title, which is the short form of the
    /// office holder's on the reference day (印度防长辛格 in 2020 → 拉杰纳特·辛格), is that
    /// holder, in the mentions and in the roles.
    fn resolve_office_holders(
        &self,
        per_sentence: &mut [Vec<Found>],
        roles: &mut [Role],
        reference: Option<LocalDate>,
    ) {
        let gz = &self.gazetteer;
        // A name the gazetteer does not know under its title, which is the short form of the
        // office holder's (印度防长辛格 in 2020 → 拉杰纳特·辛格), is that holder.
        let mut same_as: BTreeMap<EntityKey, EntityKey> = BTreeMap::new();
        for r in roles.iter().filter(|r| !r.former) {
            let known = per_sentence
                .iter()
                .flatten()
                .any(|f| f.key == r.person && f.entry.is_some());
            let (Some(of), Some(day), false) = (r.of.as_ref(), reference, known) else {
                continue;
            };
            if let [o] = gz.office_holders(&r.title, &of.name, day).as_slice() {
                let holder = EntityKey {
                    kind: EntityKind::Person,
                    name: o.person.clone(),
                };
                let aliases = gz
                    .lookup(&o.person)
                    .map(|e| e.aliases.clone())
                    .unwrap_or_default();
                if holder != r.person
                    && (short_name(&holder) == r.person.name || aliases.contains(&r.person.name))
                {
                    same_as.insert(r.person.clone(), holder);
                }
            }
        }
        for found in per_sentence.iter_mut() {
            for f in found.iter_mut() {
                if let Some(h) = same_as.get(&f.key) {
                    f.entry = gz.by_surface.get(&h.name).copied();
                    f.key = h.clone();
                }
            }
        }
        for r in roles.iter_mut() {
            if let Some(h) = same_as.get(&r.person) {
                r.person = h.clone();
            }
        }
    }

    /// The article's entities, each with its mentions and the other names it is given (a
    /// surface of its own, a bracketed Latin name).
    fn entities_of(&self, text: &str, per_sentence: &[Vec<Found>]) -> BTreeMap<EntityKey, Entity> {
        let gz = &self.gazetteer;
        // Entities.
        let mut ents: BTreeMap<EntityKey, Entity> = BTreeMap::new();
        for (si, found) in per_sentence.iter().enumerate() {
            for f in found.iter().filter(|f| !f.nested) {
                // (The key is copied only for an entity not seen before.)
                if !ents.contains_key(&f.key) {
                    let mut e = new_entity(&f.key, f.entry.map(|i| &gz.entries[i]));
                    e.place_kind = f.place_kind.or(e.place_kind);
                    ents.insert(f.key.clone(), e);
                }
                let Some(e) = ents.get_mut(&f.key) else {
                    continue;
                };
                if f.surface != e.key.name
                    && f.surface.chars().count() > 1
                    && !e.alternate_names.contains(&f.surface)
                {
                    e.alternate_names.push(f.surface.clone());
                }
                // 拉夫罗夫（Sergei Lavrov）: the bracketed Latin name is another name.
                let after = &text[f.span.end..];
                let bracket = |r: &str| r.starts_with(['（', '(']);
                let opens_bracket = bracket(after)
                    || after
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_whitespace() && bracket(&after[c.len_utf8()..]));
                // (The groups are read in the match alone, not in the rest of the article.)
                if let Some(latin) = entities::LATIN_AFTER
                    .as_ref()
                    .filter(|_| opens_bracket)
                    .and_then(|re| re.captures(&after[..re.find(after)?.end()]))
                    .and_then(|c| c.get(1))
                {
                    let latin = latin
                        .as_str()
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ");
                    if latin.chars().filter(|c| c.is_alphabetic()).count() >= 2
                        && !e.alternate_names.contains(&latin)
                    {
                        e.alternate_names.push(latin);
                    }
                }
                e.mentions.push(Mention {
                    span: f.span,
                    sentence: si,
                    surface: f.surface.clone(),
                });
            }
        }
        for e in ents.values_mut() {
            e.alternate_names.sort();
            e.alternate_names.dedup();
        }

        ents
    }

    /// Roles are dated by the reference day (the dateline's, else the publication day in the
    /// publisher's zone), with the gazetteer's term when it knows one.
    fn date_roles(&self, roles: &mut [Role], reference: Option<LocalDate>) {
        let gz = &self.gazetteer;
        for r in roles.iter_mut() {
            r.stated_on = reference;
            r.term = reference
                .filter(|_| !r.former)
                .and_then(|day| {
                    gz.term_of(
                        &r.person.name,
                        &r.title,
                        r.of.as_ref().map(|k| k.name.as_str()),
                        day,
                    )
                })
                .map(|o| o.term.clone());
        }
    }

    /// The interactions the article reports, read from what its sentences hold.
    fn interactions(&self, read: &Read<'_, '_>) -> Vec<guanxi_core::Interaction> {
        let &Read {
            article,
            ents,
            pub_date,
            ..
        } = read;
        let text = &article.text;
        let plan = self.reading_plan(read);
        let (mut facts, all_dates) = self.sentence_facts(read, &plan);
        let mut raw = self.read_clauses(read, &mut facts, &all_dates);
        // Implicit facts, then one report per event.
        interactions::join_attendees(text, &facts, &mut raw);
        let lead = lead_of(&facts, pub_date);
        interactions::fill_implicit(&mut raw, &facts, lead.as_ref());
        let captions: HashSet<usize> = facts
            .iter()
            .filter(|f| f.block_kind == BlockKind::Caption)
            .map(|f| f.index)
            .collect();
        // The kind of each place mentioned: areas and continents are where tours go, never
        // where a meeting is placed by inference; a country holds the cities a trip reaches.
        let place_kinds: HashMap<EntityKey, PlaceKind> = facts
            .iter()
            .flat_map(|f| f.mentions.iter())
            .filter_map(|m| Some((m.key.clone(), m.place_kind?)))
            .collect();
        let mut interactions = interactions::dedup(raw, &captions, &place_kinds);
        self.place_events(read, &facts, &mut interactions);
        interactions::fill_trip_dates(&mut interactions, &facts);
        // A participant the article never names came from a title resolved through the
        // gazetteer's terms of office: it is kept apart from the named participants.
        for it in &mut interactions {
            let (named, by_title): (Vec<EntityKey>, Vec<EntityKey>) = it
                .participants
                .drain(..)
                .partition(|p| ents.contains_key(p) || p.kind != EntityKind::Person);
            it.participants = named;
            it.by_title = by_title;
        }
        interactions
    }

    /// Which sentences are read for what: only a sentence where a trigger stands reports an
    /// interaction, so only such a sentence's clauses and title references are read; dates
    /// are read there, in the lead, and in the block of a caption that reports one.
    fn reading_plan(&self, read: &Read<'_, '_>) -> ReadingPlan {
        let &Read {
            article,
            sentences,
            scans,
            ..
        } = read;
        let block_of = |span: Span| {
            article
                .blocks
                .iter()
                .find(|b| b.span.contains(span))
                .copied()
        };
        // Only a sentence where a trigger stands reports an interaction, so only such a
        // sentence's clauses and title references are read. Dates are read there, in the
        // lead (which may date the news: `lead_of`), in the block of a caption that reports
        // one (a caption's date may stand apart), and back to the last day named before a
        // 当天 of those.
        let n = sentences.len();
        let triggered: Vec<bool> = scans
            .iter()
            .map(|s| self.options.read_every_sentence || !s.triggers.is_empty())
            .collect();
        let mut dated = triggered.clone();
        let blocks: Vec<Option<guanxi_core::Block>> =
            sentences.iter().map(|s| block_of(s.span)).collect();
        let kind_of = |si: usize| {
            blocks
                .get(si)
                .copied()
                .flatten()
                .map_or(BlockKind::Paragraph, |b| b.kind)
        };
        for si in (0..n)
            .filter(|&si| kind_of(si) == BlockKind::Paragraph)
            .take(LEAD_SENTENCES)
        {
            dated[si] = true;
        }
        for si in (0..n).filter(|&si| triggered[si] && kind_of(si) == BlockKind::Caption) {
            let block = blocks[si].map_or(sentences[si].span, |b| b.span);
            for (sj, other) in sentences.iter().enumerate() {
                if other.span.overlaps(block) {
                    dated[sj] = true;
                }
            }
        }
        ReadingPlan {
            triggered,
            dated,
            blocks,
        }
    }

    /// What each sentence holds for the clause rules: its mentions (who opens a clause), its
    /// dates (当天 resolved to the day last named), its title references, its block, and the
    /// subject a pronoun at its start would mean; with every date of the article.
    fn sentence_facts<'r>(
        &self,
        read: &Read<'r, '_>,
        plan: &ReadingPlan,
    ) -> (Vec<SentenceFacts<'r>>, Vec<dates::DateMention>) {
        let &Read {
            article,
            sentences,
            found: per_sentence,
            reference,
            ..
        } = read;
        let text = &article.text;
        let ReadingPlan {
            triggered,
            dated,
            blocks,
        } = plan;
        let n = sentences.len();
        let date_patterns = if self.options.run_every_date_pattern {
            dates::PatternRun::Every
        } else {
            dates::PatternRun::SkipTaken
        };
        let mut found_dates: Vec<Option<Vec<dates::DateMention>>> = vec![None; n];
        let mut dates_of = |si: usize| -> Vec<dates::DateMention> {
            found_dates[si]
                .get_or_insert_with(|| {
                    let s = &sentences[si];
                    dates::find_dates_with(
                        s.span.slice(text),
                        s.span.start,
                        reference,
                        date_patterns,
                    )
                })
                .clone()
        };
        let mut facts: Vec<SentenceFacts> = Vec::with_capacity(sentences.len());
        let mut prior_subject: Option<EntityKey> = None;
        let mut all_dates = Vec::new();
        // (Reading every sentence, the day last named is followed from sentence to sentence,
        // to hold the search back from a 当天 to it.)
        let mut running_day: Option<DateValue> = None;
        for (si, s) in sentences.iter().enumerate() {
            let st = s.span.slice(text);
            let mut dates = if dated[si] { dates_of(si) } else { Vec::new() };
            // 当天 is the day last named; before any, the reference day.
            if self.options.read_every_sentence {
                running_day = dates::same_day_is_last_day(&mut dates, running_day);
            }
            let searched_back = !self.options.read_every_sentence;
            if searched_back && dates.iter().any(|d| d.same_day) {
                let last_day = (0..si).rev().find_map(|sj| {
                    dates_of(sj)
                        .iter()
                        .rev()
                        .find(|d| !d.same_day && d.value.day.is_some())
                        .map(|d| d.value)
                });
                dates::same_day_is_last_day(&mut dates, last_day);
            }
            all_dates.extend(dates.iter().copied());
            let mentions: Vec<ClauseMention> = per_sentence[si]
                .iter()
                .map(|f| ClauseMention {
                    span: f.span,
                    key: f.key.clone(),
                    place_kind: f.place_kind,
                    head: triggered[si]
                        && f.key.kind == EntityKind::Person
                        && self.opens_clause(text, s.span, f, &per_sentence[si]),
                    nested: per_sentence[si]
                        .iter()
                        .any(|g| g.span != f.span && g.span.contains(f.span)),
                })
                .collect();
            let block = blocks[si];
            let title_refs = if triggered[si] {
                self.title_refs(read, si)
            } else {
                Vec::new()
            };
            let sf = SentenceFacts {
                index: si,
                span: s.span,
                block_kind: block.map_or(BlockKind::Paragraph, |b| b.kind),
                block: block.map_or(s.span, |b| b.span),
                mentions,
                dates,
                prior_subject: prior_subject.clone(),
                text: st,
                title_refs,
            };
            // The subject of this sentence: its first person, or whom its opening pronoun means.
            let starts_with_pronoun = st.starts_with('他') || st.starts_with('她');
            let first_person = sf
                .mentions
                .iter()
                .find(|m| m.key.kind == EntityKind::Person)
                .map(|m| m.key.clone());
            if starts_with_pronoun {
                // unchanged: the pronoun continues the previous subject
            } else if let Some(p) = first_person {
                prior_subject = Some(p);
            }
            facts.push(sf);
        }
        (facts, all_dates)
    }

    /// The interactions each sentence reports, its clauses read around each trigger (两人
    /// standing for the pair of the last interaction).
    fn read_clauses(
        &self,
        read: &Read<'_, '_>,
        facts: &mut [SentenceFacts<'_>],
        all_dates: &[dates::DateMention],
    ) -> Vec<(guanxi_core::Interaction, Option<String>)> {
        let gz = &self.gazetteer;
        let text = &read.article.text;
        let scans = read.scans;
        let mut raw: Vec<(guanxi_core::Interaction, Option<String>)> = Vec::new();
        for sf in facts.iter_mut() {
            // 两人曾于2019年11月在日本举行会谈: "the two" are the pair of the last interaction.
            let pair: Option<Vec<EntityKey>> = raw
                .iter()
                .rev()
                .map(|(it, _)| &it.participants)
                .find(|p| p.len() == 2 && p.iter().all(|k| k.kind == EntityKind::Person))
                .cloned();
            if let Some(pair) = pair {
                let st = sf.span.slice(text);
                for w in THE_TWO {
                    for (i, _) in st.match_indices(w) {
                        let span = Span::new(sf.span.start + i, sf.span.start + i + w.len());
                        let opens =
                            text::clause_around(text, sf.span, span.start).start == span.start;
                        if sf.mentions.iter().any(|m| m.span.overlaps(span)) || !opens {
                            continue;
                        }
                        for key in &pair {
                            sf.mentions.push(ClauseMention {
                                span,
                                key: key.clone(),
                                nested: false,
                                place_kind: None,
                                head: true,
                            });
                        }
                    }
                }
                sf.mentions.sort_by_key(|m| m.span.start);
            }
            interactions::in_sentence(
                text,
                &gz.triggers,
                &scans[sf.index].triggers,
                sf,
                all_dates,
                &mut raw,
            );
        }
        raw
    }

    /// Places, finally: a mutual visit becomes two visits, each to the other's country; an
    /// unplaced event of the dateline's day happened where the report was filed; a country
    /// gives way to the one city of it where the article puts a participant.
    fn place_events(
        &self,
        read: &Read<'_, '_>,
        facts: &[SentenceFacts<'_>],
        interactions: &mut Vec<guanxi_core::Interaction>,
    ) {
        let gz = &self.gazetteer;
        let &Read {
            article,
            sentences,
            found: per_sentence,
            dateline,
            ..
        } = read;
        let text = &article.text;
        // 习近平同博索纳罗互访: two visits, each to the other's country.
        let country = |k: &EntityKey| {
            let name = gz.lookup(&k.name)?.country.clone()?;
            Some(EntityKey {
                kind: EntityKind::Place,
                name,
            })
        };
        let mut mutual = Vec::new();
        for it in interactions.iter_mut() {
            let is_mutual = it.kind == InteractionKind::Visit
                && it.evidence.iter().any(|e| e.trigger.slice(text) == "互访");
            let [a, b] = it.participants.as_slice() else {
                continue;
            };
            if let (true, Some(ca), Some(cb)) = (is_mutual, country(a), country(b)) {
                if ca != cb {
                    let mut other = it.clone();
                    it.place = Some(cb);
                    other.place = Some(ca);
                    mutual.push(other);
                }
            }
        }
        interactions.extend(mutual);
        // An event of the dateline's day that the text places nowhere happened where the
        // report was filed (（中央社柏林1日综合外电报导）德国外长马斯今天会晤王毅).
        if let (Some(city), Some(day)) = (dateline_city(article, sentences, per_sentence), dateline)
        {
            for it in interactions.iter_mut().filter(|it| {
                it.place.is_none()
                    && it.status == guanxi_core::Status::Happened
                    && it.date == Some(DateValue::day(day))
                    && !matches!(
                        it.kind,
                        InteractionKind::PhoneCall | InteractionKind::VideoCall
                    )
            }) {
                it.place = Some(city.clone());
            }
        }
        // A country as the place gives way to the one city of that country the article puts
        // someone in (来到东京, 在首尔): the guidelines' place is the city. (Only for what
        // happened, and a city where a participant is put: 王毅在东京.)
        for it in interactions
            .iter_mut()
            .filter(|it| it.status == guanxi_core::Status::Happened)
        {
            let Some(country) = it.place.clone() else {
                continue;
            };
            // (Not the country a visit's period names: 王毅访日期间……会谈 is in 日本.)
            let framed = it.evidence.iter().any(|e| {
                facts.get(e.sentence).is_some_and(|f| {
                    interactions::visit_frame(text, f, e.trigger.start).as_ref() == Some(&country)
                })
            });
            if framed {
                continue;
            }
            let mut cities: Vec<&EntityKey> = facts
                .iter()
                .filter(|f| f.mentions.iter().any(|m| it.participants.contains(&m.key)))
                .flat_map(|f| {
                    f.mentions.iter().filter(move |m| {
                        m.place_kind == Some(PlaceKind::City)
                            && lexicon::PLACE_CUES
                                .iter()
                                .any(|c| text[f.span.start..m.span.start].ends_with(c))
                    })
                })
                .map(|m| &m.key)
                .filter(|c| {
                    gz.lookup(&c.name).and_then(|e| e.country.as_deref())
                        == Some(country.name.as_str())
                })
                .collect();
            cities.sort();
            cities.dedup();
            if let [city] = cities.as_slice() {
                it.place = Some((*city).clone());
            }
        }
    }

    /// Whether a name-like word starts at byte `at` of the sentence: one the segmenter tags
    /// as a name, or two or more Chinese characters that are not in its dictionary. A title
    /// before one is not a bare title (印度总理尼赫鲁).
    fn name_starts_at(&self, toks: &[Tok<'_>], at: usize) -> bool {
        toks.iter().any(|t| {
            t.start == at
                && ((t.word.chars().count() >= 2
                    && t.word
                        .chars()
                        .all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
                    && !self.segmenter.jieba.has_word(t.word))
                    || t.tag().starts_with("nr"))
        })
    }

    /// Titles that stand for a person without naming them (法国总统避开媒体会晤…): resolved
    /// when exactly one person of the article holds that title (of that country, when given).
    fn title_refs(&self, read: &Read<'_, '_>, si: usize) -> Vec<ClauseMention> {
        let text = &read.article.text;
        let sentence = read.sentences[si].span;
        let found = &read.found[si][..];
        let roles = read.roles;
        let toks = &read.toks[si][..];
        let titles = &read.scans[si].titles[..];
        let mut out: Vec<ClauseMention> = Vec::new();
        let mut taken: Vec<(usize, usize)> = Vec::new();
        for &(row, i) in titles {
            let Some((surface, title)) = self.gazetteer.titles.get(row) else {
                continue;
            };
            let span = Span::new(sentence.start + i, sentence.start + i + surface.len());
            if taken.iter().any(|&(a, b)| span.start < b && a < span.end) {
                continue;
            }
            taken.push((span.start, span.end));
            // A title before a name, or inside a name or organisation, is not a reference.
            // (习近平主席: a title after the name is an apposition.)
            let named = found.iter().any(|f| {
                f.key.kind == EntityKind::Person
                    && (f.span.start == span.end
                        || f.span.end == span.start
                        || f.span.overlaps(span))
            }) || roles.iter().any(|r| r.evidence.trigger == span)
                || found
                    .iter()
                    .any(|f| f.key.kind != EntityKind::Person && f.span.contains(span));
            // (三国外长, 各国外长, 外长们: a group, not one person.)
            // (中印俄三国外长: the countries are named; the title is theirs.)
            let group_word = GROUP_BEFORE
                .iter()
                .find(|w| text[..span.start].ends_with(*w));
            let listed_end = group_word.map(|w| span.start - w.len()).filter(|&e| {
                found
                    .iter()
                    .any(|f| f.key.kind == EntityKind::Place && f.span.end == e)
                    || text[sentence.start..e]
                        .chars()
                        .rev()
                        .take_while(|c| self.gazetteer.abbreviations.contains_key(c))
                        .count()
                        >= 2
            });
            let group = (group_word.is_some() && listed_end.is_none())
                || text[span.end..].starts_with('们');
            if named
                || group
                || self.name_starts_at(toks, span.end - sentence.start)
                || text[span.end..].starts_with(['、', '和', '兼'])
            {
                continue;
            }
            let owners = self.title_owners(read, si, span, listed_end);
            for of in owners {
                let holders = self.title_holders(read, si, span, title, of.as_ref());
                if let [person] = holders.as_slice() {
                    out.push(ClauseMention {
                        span,
                        key: (*person).clone(),
                        nested: false,
                        place_kind: None,
                        head: false,
                    });
                }
            }
        }
        out.sort_by_key(|m| m.span.start);
        out
    }

    /// Whose title a title reference is: the country before it and those coordinated with
    /// it (加拿大和中国外长), the countries of a compound (中俄外长, 中印两国外长), or nobody
    /// named (`None`).
    fn title_owners(
        &self,
        read: &Read<'_, '_>,
        si: usize,
        span: Span,
        listed_end: Option<usize>,
    ) -> Vec<Option<EntityKey>> {
        let text = &read.article.text;
        let sentence = read.sentences[si].span;
        let found = &read.found[si][..];
        let of_mention = found
            .iter()
            .filter(|f| {
                f.key.kind != EntityKind::Person
                    && (f.span.end == span.start
                        || Some(f.span.end) == listed_end
                        || (f.span.start < span.start && f.span.end > span.start))
            })
            .min_by_key(|f| f.span.len_key());
        let mut owners: Vec<Option<EntityKey>> = Vec::new();
        match of_mention {
            Some(o) => {
                owners.push(Some(o.key.clone()));
                let mut start = o.span.start;
                // 中俄外长: the abbreviations of a compound stand side by side.
                while let Some(prev) = found.iter().find(|f| {
                    f.span.end == start
                        && f.key.kind == EntityKind::Place
                        && f.surface.chars().count() == 1
                        && o.surface.chars().count() == 1
                }) {
                    owners.push(Some(prev.key.clone()));
                    start = prev.span.start;
                }
                while let Some(joiner) = ["和", "与", "、", "及"]
                    .iter()
                    .find(|j| text[sentence.start..start].ends_with(*j))
                {
                    let at = start - joiner.len();
                    let Some(prev) = found
                        .iter()
                        .find(|f| f.span.end == at && f.key.kind == EntityKind::Place)
                    else {
                        break;
                    };
                    owners.push(Some(prev.key.clone()));
                    start = prev.span.start;
                }
            }
            None => {
                // 中印两国外长: the compound may stand before 两国 or 双方.
                let head = &text[sentence.start..span.start];
                let head = ["两国", "双方", "三国", "各国"]
                    .iter()
                    .find_map(|w| head.strip_suffix(w))
                    .unwrap_or(head);
                let compound: Vec<&String> = head
                    .chars()
                    .rev()
                    .map_while(|c| self.gazetteer.abbreviations.get(&c))
                    .collect();
                if compound.len() >= 2 {
                    owners.extend(compound.into_iter().map(|n| {
                        Some(EntityKey {
                            kind: EntityKind::Place,
                            name: n.clone(),
                        })
                    }));
                } else {
                    owners.push(None);
                }
            }
        }
        owners
    }

    /// Who holds `title` of `of` for a title reference: the one person of the article with
    /// that role (a surname before the title choosing among several: 蔡总统), else the
    /// gazetteer's one holder on the reference day (俄罗斯外长 on 2020-09-11 → 拉夫罗夫).
    fn title_holders(
        &self,
        read: &Read<'_, '_>,
        si: usize,
        span: Span,
        title: &str,
        of: Option<&EntityKey>,
    ) -> Vec<EntityKey> {
        let text = &read.article.text;
        let sentence = read.sentences[si].span;
        let (roles, day) = (read.roles, read.reference);
        let mut holders: Vec<&EntityKey> = roles
            .iter()
            .filter(|r| {
                r.title == title
                    && !r.former
                    && (of.is_none()
                        || r.of.as_ref() == of
                        || (r.of.is_none() && self.serves(&r.person, of)))
            })
            .map(|r| &r.person)
            .collect();
        // 蔡总统: a surname before the title picks the holder of that surname.
        if let Some(c) = text[sentence.start..span.start].chars().last() {
            if holders.iter().any(|h| h.name.starts_with(c)) {
                holders.retain(|h| h.name.starts_with(c));
            }
        }
        holders.sort();
        holders.dedup();
        // Nobody of the article holds it: the gazetteer's holder on the day, when
        // it knows exactly one (俄罗斯外长 on 2020-09-11 → 拉夫罗夫).
        let from_office: Vec<EntityKey> = match (holders.is_empty(), of, day) {
            (true, Some(of), Some(day)) => self
                .gazetteer
                .office_holders(title, &of.name, day)
                .into_iter()
                .map(|o| EntityKey {
                    kind: EntityKind::Person,
                    name: o.person.clone(),
                })
                .collect(),
            _ => Vec::new(),
        };
        if holders.is_empty() {
            holders = from_office.iter().collect();
            holders.dedup();
        }
        holders.into_iter().cloned().collect()
    }

    /// Whether the gazetteer says `person` serves the country `of` (外长商鹏飞 is Canada's):
    /// their country, or a term of office of that country.
    fn serves(&self, person: &EntityKey, of: Option<&EntityKey>) -> bool {
        let Some(of) = of else { return false };
        self.gazetteer
            .lookup(&person.name)
            .and_then(|e| e.country.as_deref())
            == Some(of.name.as_str())
            || self
                .gazetteer
                .offices_of(&person.name)
                .any(|o| o.of == of.name)
    }

    /// Whether only titles, other names and connectives stand between the start of the
    /// person's clause and the person (至于王金平, 美国总统唐纳德·特朗普), not a verb
    /// (不仅一改前总统乔·拜登).
    fn opens_clause(&self, text: &str, sentence: Span, person: &Found, found: &[Found]) -> bool {
        let clause = text::clause_around(text, sentence, person.span.start);
        let mut pos = clause.start;
        while pos < person.span.start {
            let rest = &text[pos..person.span.start];
            if let Some(f) = found
                .iter()
                .filter(|f| f.span.start == pos && f.span.end <= person.span.start)
                .max_by_key(|f| f.span.end)
            {
                pos = f.span.end;
            } else if let Some((t, _)) = self
                .gazetteer
                .title_set
                .prefix_of(rest)
                .and_then(|i| self.gazetteer.titles.get(i))
            {
                pos += t.len();
            } else if let Some(c) = CONNECTIVES.iter().find(|c| rest.starts_with(*c)) {
                pos += c.len();
            } else if let Some(c) = rest
                .chars()
                .next()
                .filter(|c| !c.is_alphanumeric() || c.is_ascii_digit())
            {
                pos += c.len_utf8();
            } else {
                return false;
            }
        }
        true
    }

    /// Titles standing right before a person mention: `俄罗斯联邦安全会议秘书、前国防部长谢尔盖·绍伊古`.
    fn roles_before(
        &self,
        text: &str,
        sentence: Span,
        si: usize,
        person: &Found,
        found: &[Found],
    ) -> Vec<Role> {
        let mut out = Vec::new();
        let mut end = person.span.start;
        let start = sentence.start;
        loop {
            let before = &text[start..end];
            let Some((surface, title)) = self
                .gazetteer
                .title_set
                .suffix_of(before)
                .and_then(|i| self.gazetteer.titles.get(i))
            else {
                break;
            };
            let title_span = Span::new(end - surface.len(), end);
            end = title_span.start;
            let mut former = false;
            let b = &text[start..end];
            if let Some(p) = FORMER.iter().find(|p| b.ends_with(*p)) {
                former = true;
                end -= p.len();
            } else if let Some(p) = CURRENT.iter().find(|p| b.ends_with(*p)) {
                end -= p.len();
            }
            let exact = found
                .iter()
                .filter(|f| f.span.end == end && f.key.kind != EntityKind::Person)
                .min_by_key(|f| f.span.len_key());
            // 中国外交部副部长: the organisation runs into the title.
            let overlapping = found.iter().find(|f| {
                f.key.kind == EntityKind::Organization
                    && f.span.start < title_span.start
                    && f.span.end > title_span.start
                    && f.span.end <= title_span.end
            });
            let of_mention = exact.or(overlapping);
            let of = of_mention.map(|f| f.key.clone());
            out.push(Role {
                person: person.key.clone(),
                title: title.clone(),
                of,
                former,
                stated_on: None,
                term: None,
                evidence: Evidence {
                    sentence: si,
                    span: sentence,
                    trigger: title_span,
                },
            });
            if let Some(o) = of_mention {
                end = o.span.start;
            }
            if text[start..end].ends_with('、') {
                end -= '、'.len_utf8();
            } else {
                break;
            }
        }
        out
    }
}

/// The city of a dateline (`（法新社东京6日电）` → 东京), when it names one the gazetteer knows.
fn dateline_city(
    article: &Article,
    sentences: &[guanxi_core::Sentence],
    found: &[Vec<Found>],
) -> Option<EntityKey> {
    let first = article
        .blocks
        .iter()
        .find(|b| b.kind == BlockKind::Paragraph)?;
    let si = sentences.iter().position(|s| first.span.contains(s.span))?;
    let start = sentences[si].span.start;
    let m = dates::DATELINE
        .as_ref()?
        .find(sentences[si].span.slice(&article.text))?;
    found
        .get(si)?
        .iter()
        .find(|f| {
            f.place_kind == Some(PlaceKind::City)
                && f.span.start >= start
                && f.span.end <= start + m.end()
        })
        .map(|f| f.key.clone())
}

/// The day of the dateline that opens the article's first paragraph, if any.
fn dateline_day(
    article: &Article,
    sentences: &[guanxi_core::Sentence],
    published: Option<LocalDate>,
) -> Option<LocalDate> {
    let first = article
        .blocks
        .iter()
        .find(|b| b.kind == BlockKind::Paragraph)?;
    let head = sentences
        .iter()
        .find(|s| first.span.contains(s.span))?
        .span
        .slice(&article.text);
    dates::dateline_day(head, published)
}

/// An entity with no mention yet, described by its gazetteer entry when it has one.
fn new_entity(key: &EntityKey, entry: Option<&gazetteer::GazetteerEntry>) -> Entity {
    Entity {
        key: key.clone(),
        name: short_name(key),
        place_kind: entry.and_then(|e| e.place_kind),
        alternate_names: entry.map(|e| e.aliases.clone()).unwrap_or_default(),
        wikidata: entry.and_then(|e| e.wikidata.clone()),
        coordinates: entry.and_then(|e| e.coordinates.clone()),
        contained_in: entry
            .filter(|e| e.key.kind == EntityKind::Place)
            .and_then(|e| e.country.as_ref())
            .map(|c| EntityKey {
                kind: EntityKind::Place,
                name: c.clone(),
            }),
        mentions: Vec::new(),
    }
}

/// The short form of a person known by a full transliteration (拉杰纳特·辛格 → 辛格).
fn short_name(key: &EntityKey) -> String {
    match key.name.rsplit_once('·') {
        Some((_, last)) if key.kind == EntityKind::Person && last.chars().count() >= 2 => {
            last.to_string()
        }
        _ => key.name.clone(),
    }
}

/// The lead: the first day-precise date of the first [`LEAD_SENTENCES`] body sentences (within
/// the week before publication), with the persons named in the headline and that sentence.
fn lead_of(
    facts: &[SentenceFacts],
    published: Option<LocalDate>,
) -> Option<(DateValue, Vec<EntityKey>)> {
    let published = published.map(DateValue::day)?;
    let persons = |f: &SentenceFacts| -> Vec<EntityKey> {
        f.mentions
            .iter()
            .filter(|m| m.key.kind == EntityKind::Person)
            .map(|m| m.key.clone())
            .collect()
    };
    let mut people: Vec<EntityKey> = facts
        .iter()
        .filter(|f| f.block_kind == BlockKind::Title)
        .flat_map(persons)
        .collect();
    for f in facts
        .iter()
        .filter(|f| f.block_kind == BlockKind::Paragraph)
        .take(LEAD_SENTENCES)
    {
        let date = f
            .dates
            .iter()
            .map(|d| d.value)
            .find(|d| d.day.is_some() && *d <= published && within_week(d, &published));
        if let Some(date) = date {
            people.extend(persons(f));
            people.sort();
            people.dedup();
            return Some((date, people));
        }
    }
    None
}

fn within_week(d: &DateValue, published: &DateValue) -> bool {
    let n = |d: &DateValue| {
        chrono::NaiveDate::from_ymd_opt(d.year, d.month.unwrap_or(1), d.day.unwrap_or(1))
    };
    match (n(d), n(published)) {
        (Some(a), Some(b)) => (b - a).num_days() <= 7,
        _ => false,
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
