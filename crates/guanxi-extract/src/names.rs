//! Step 1's second half: the mentions of each sentence found, names found again where the
//! article names them elsewhere, office holders resolved, and the article's entities built.

use std::collections::BTreeMap;

use guanxi_core::{Entity, EntityKey, EntityKind, LocalDate, Mention, Role, Span};

use crate::entities::Found;
use crate::scan::Scan;
use crate::segment::Tok;

use crate::{entities, gazetteer, Extractor};

impl Extractor {
    /// Recognition, first pass: the mentions of each sentence, from the gazetteer and the
    /// context rules.
    pub(crate) fn recognise_sentences(
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
                &self.segmenter,
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
    pub(crate) fn find_names_again(
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
    pub(crate) fn resolve_office_holders(
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
    pub(crate) fn entities_of(
        &self,
        text: &str,
        per_sentence: &[Vec<Found>],
    ) -> BTreeMap<EntityKey, Entity> {
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
}

/// An entity with no mention yet, described by its gazetteer entry when it has one.
pub(crate) fn new_entity(key: &EntityKey, entry: Option<&gazetteer::GazetteerEntry>) -> Entity {
    Entity {
        key: key.clone(),
        // A person the gazetteer does not know is shown by the full name the text gives
        // (克劳斯·金克尔): its short form (金克尔) is only an alternate name.
        name: match entry {
            Some(_) => short_name(key),
            None => key.name.clone(),
        },
        place_kind: entry.and_then(|e| e.place_kind),
        alternate_names: match entry {
            Some(e) => e.aliases.clone(),
            None => std::iter::once(short_name(key))
                .filter(|short| *short != key.name)
                .collect(),
        },
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
