//! Steps 4–7 over an article: which sentences are read, the clauses around each trigger,
//! the implicit facts, dedup, and the places and dates filled in last.

use crate::lexicon::{AT_A_DISTANCE, THE_TWO};

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use guanxi_core::{
    Article, BlockKind, DateValue, EntityKey, EntityKind, InteractionKind, LocalDate, PlaceKind,
    Span,
};

use crate::entities::Found;
use crate::interactions::{ClauseMention, SentenceFacts};

use crate::{dates, dedup, implicit, interactions, lexicon, text, Extractor, Read};

/// The lead: the first paragraph sentences, whose date may be the day of the news.
const LEAD_SENTENCES: usize = 2;

/// Which sentences of an article are read for what (`Extractor::reading_plan`).
struct ReadingPlan {
    /// A trigger stands in the sentence (or every sentence is read).
    triggered: Vec<bool>,
    /// The sentence's dates are read.
    dated: Vec<bool>,
    /// The block each sentence stands in.
    blocks: Vec<Option<guanxi_core::Block>>,
}

impl Extractor {
    /// The interactions the article reports, read from what its sentences hold.
    pub(crate) fn interactions(&self, read: &Read<'_, '_>) -> Vec<guanxi_core::Interaction> {
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
        implicit::join_attendees(text, &facts, &mut raw);
        let lead = lead_of(&facts, pub_date);
        implicit::fill_implicit(&mut raw, &facts, lead.as_ref());
        // A contact dated two days or more after the day the news was written has not taken
        // place: it is planned (克拉夫特14日晋见蔡英文 in a headline of the 11th). (A day later
        // may be the same day in another time zone: 蓬佩奥30日会见范平明 in Hanoi, written on
        // the 29th in Washington.)
        if let Some(reference) = read.reference {
            for (it, _) in raw.iter_mut().filter(|(it, _)| {
                it.status == guanxi_core::Status::Happened
                    && matches!(
                        it.reference,
                        guanxi_core::TimeReference::News | guanxi_core::TimeReference::KnownContact
                    )
            }) {
                let ahead = it
                    .date
                    .and_then(|d| dates::days_between(reference, d))
                    .is_some_and(|n| n >= 2);
                // (他曾于15日在北京会见了蓬佩奥: words of the past keep it past, whatever
                // the day was resolved to. Asked only of a contact dated ahead.)
                let past = || {
                    it.evidence.iter().any(|e| {
                        let clause =
                            text::clause_around(&read.article.text, e.span, e.trigger.start);
                        let words = read
                            .article
                            .text
                            .get(clause.start..clause.end)
                            .unwrap_or("");
                        ["曾", "已", "了", "过"].iter().any(|w| words.contains(w))
                    })
                };
                if ahead && !past() {
                    it.status = guanxi_core::Status::Planned;
                }
            }
        }
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
        let mut interactions = dedup::dedup(raw, &captions, &place_kinds);
        self.place_events(read, &facts, &mut interactions);
        implicit::fill_trip_dates(&mut interactions, &facts);
        // 在人民大会堂会见, 在白宫会见: a venue stands for its city.
        for it in &mut interactions {
            let city = it
                .place
                .as_ref()
                .and_then(|p| self.gazetteer.lookup(&p.name).filter(|e| e.key == *p))
                .and_then(|e| e.city.as_ref());
            if let Some(city) = city {
                it.place = Some(EntityKey {
                    kind: EntityKind::Place,
                    name: city.clone(),
                });
            }
        }
        // A visit is a journey to a place: with no destination in the text (抵达会场, 在访问中
        // as an interview, a ship's 造访该海域) it is no visit.
        interactions.retain(|it| it.kind != InteractionKind::Visit || it.place.is_some());
        // A message or a letter (贺电, 致电, 致函) joins people apart, like a call: it has no
        // venue, whatever the article's dateline or trip say.
        for it in &mut interactions {
            if it
                .evidence
                .iter()
                .all(|e| AT_A_DISTANCE.contains(&e.trigger.slice(text)))
            {
                it.place = None;
            }
        }
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
                    dates::find_event_dates(
                        s.span.slice(text),
                        s.span.start,
                        reference,
                        date_patterns,
                        &|phrase| self.gazetteer.trigger_set.occurs_in(phrase),
                    )
                })
                .clone()
        };
        // A person's country: the one the article's titles give (法国外长勒德里昂), else the
        // gazetteer's.
        let country_of = |k: &EntityKey| -> Option<EntityKey> {
            read.roles
                .iter()
                .filter(|r| &r.person == k)
                .find_map(|r| r.of.clone().filter(|o| o.kind == EntityKind::Place))
                .or_else(|| {
                    let name = self
                        .gazetteer
                        .lookup(&k.name)
                        .filter(|e| e.key == *k)?
                        .country
                        .clone()?;
                    Some(EntityKey {
                        kind: EntityKind::Place,
                        name,
                    })
                })
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
                    // (An organisation named after its seat, 白宫, is a venue too.)
                    place_kind: f.place_kind.or_else(|| {
                        f.entry
                            .and_then(|i| self.gazetteer.entries.get(i))
                            .and_then(|e| e.city.as_ref())
                            .map(|_| PlaceKind::Venue)
                    }),
                    head: triggered[si]
                        && f.key.kind == EntityKind::Person
                        && self.opens_clause(text, s.span, f, &per_sentence[si]),
                    nested: per_sentence[si]
                        .iter()
                        .any(|g| g.span != f.span && g.span.contains(f.span)),
                    // (Read by the clause rules only, in sentences with a trigger.)
                    country: (triggered[si] && f.key.kind == EntityKind::Person)
                        .then(|| country_of(&f.key))
                        .flatten(),
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
                                country: None,
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
pub(crate) fn dateline_day(
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
