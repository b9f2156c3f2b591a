//! Interactions: a trigger word (会见, 会谈, 通电话, 峰会, 访问…) with its participants, date,
//! place and status, read from the clause and sentence around it; then deduplicated so that
//! one event reported several times in an article is one interaction.

use crate::lexicon::{
    ACCESS_BEFORE, ANAPHORIC_SUMMIT, ASSERTING_VERB, BREAKS, CANCELLED, CAPITAL, CONJ, DONE_MARKER,
    DURING, EXPERIENTIAL, FIRST_PERSON, FRAME_CLOSE, FRONTED_TIME, HELD, HELD_TOGETHER,
    INTERVIEW_CUE, INVITATION, IRREALIS, JOINT_CONTACT, KNOWN_AFTER, KNOWN_DETERMINER,
    LEGAL_CONTEXT, NEGATION, NOT_A_VENUE, NOT_EXPERIENTIAL, NOT_KNOWN_AFTER, NOT_PLANNED,
    ONCE_BEFORE, ON_BEHALF, PARTY_BREAK, PERSON_JOINER, PHOTO_MARKS, PLACE_CUES, PLANNED,
    POSSESSIVE, PREVIOUS_CONTACT, PRONOUNS, QUESTION_BEFORE, RANGE_JOINERS, RECENT_PAST, REPORTING,
    SEQUENCE, SEVERAL_SIDES, SEVERAL_TIMES, SUMMIT_CUES, SUMMIT_NAME_AFTER, TIMES_NUMERAL,
    TIMES_UNIT, TIME_AFTER, TOGETHER, TRAVEL, TRIGGER_NOUN_AFTER, VISIT_RANGE_MARK, WEB_OBJECT,
};

use guanxi_core::{
    BlockKind, DateValue, EntityKey, EntityKind, Evidence, Interaction, InteractionKind, PlaceKind,
    Span, Status, TimeReference,
};

use crate::dates::DateMention;
use crate::text::{clause_around, in_quotation, CLAUSE_END};

/// The most bytes a capital word (首都) puts between a country and its city.
const CAPITAL_GAP: usize = longest(CAPITAL);

/// The length in bytes of the longest of `words`.
const fn longest(words: &[&str]) -> usize {
    let (mut i, mut most) = (0, 0);
    while i < words.len() {
        if words[i].len() > most {
            most = words[i].len();
        }
        i += 1;
    }
    most
}

/// A mention as interactions see it.
#[derive(Debug, Clone)]
pub struct ClauseMention {
    /// Where.
    pub span: Span,
    /// Which entity.
    pub key: EntityKey,
    /// Whether this place mention is the country inside an organisation name (`中国外交部`).
    pub nested: bool,
    /// The finer kind, for places.
    pub place_kind: Option<PlaceKind>,
    /// Whether this person opens its clause (only titles, names and connectives before it).
    pub head: bool,
    /// For a person, the country the article's titles give them (法国外长勒德里昂), or else
    /// the gazetteer.
    pub country: Option<EntityKey>,
}

/// One sentence with what was found in it.
#[derive(Debug, Clone)]
pub struct SentenceFacts<'a> {
    /// Index in the article's sentence list.
    pub index: usize,
    /// Where.
    pub span: Span,
    /// The kind of block holding it.
    pub block_kind: BlockKind,
    /// The block's span.
    pub block: Span,
    /// Entity mentions, in text order.
    pub mentions: Vec<ClauseMention>,
    /// Date expressions, in text order.
    pub dates: Vec<DateMention>,
    /// Who a pronoun at the start of this sentence most likely means (the previous subject).
    pub prior_subject: Option<EntityKey>,
    /// The sentence's text.
    pub text: &'a str,
    /// Titles standing for a person named elsewhere in the article (法国总统 → 马克龙).
    pub title_refs: Vec<ClauseMention>,
}

/// Finds the interactions of one sentence, from the triggers found in it (`occurrences`:
/// rows of `triggers` and where they start, in the order `WordSet::occurrences` gives).
pub fn in_sentence(
    text: &str,
    triggers: &[(String, InteractionKind)],
    occurrences: &[(usize, usize)],
    sf: &SentenceFacts,
    block_dates: &[DateMention],
    out: &mut Vec<(Interaction, Option<String>)>,
) {
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let mut found: Vec<(usize, usize, InteractionKind)> = Vec::new();
    // Longest triggers first (the table's order), then left to right.
    for &(row, i) in occurrences {
        let Some((w, kind)) = triggers.get(row) else {
            continue;
        };
        let (a, b) = (sf.span.start + i, sf.span.start + i + w.len());
        // A trigger inside a name is not one (四方会谈); a place inside a trigger is its
        // destination (访日).
        let inside_name = sf.mentions.iter().any(|m| {
            m.span.start < b
                && a < m.span.end
                && !(m.key.kind == EntityKind::Place && a <= m.span.start && m.span.end <= b)
        });
        if taken.iter().any(|&(x, y)| a < y && x < b) || inside_name {
            continue;
        }
        // 访问团, 访问学者: the trigger is part of a noun.
        if TRIGGER_NOUN_AFTER.iter().any(|w| text[b..].starts_with(w)) {
            taken.push((a, b));
            continue;
        }
        taken.push((a, b));
        found.push((a, b, *kind));
    }
    found.sort();
    for (a, b, kind) in found {
        out.extend(read_trigger(&TriggerSite {
            text,
            sf,
            block_dates,
            a,
            b,
            kind,
            clause: clause_around(text, sf.span, a),
        }));
    }
}

/// Whether only a conjunction, titles and places separate two person mentions (和国防部长).
fn joined(text: &str, a: &ClauseMention, b: &ClauseMention) -> bool {
    let gap = text.get(a.span.end..b.span.start).unwrap_or("");
    gap.contains(PERSON_JOINER) && gap.chars().count() <= 8 && !gap.contains(PARTY_BREAK)
}

pub(crate) fn persons(ms: &[ClauseMention]) -> impl Iterator<Item = &ClauseMention> {
    ms.iter().filter(|m| m.key.kind == EntityKind::Person)
}

/// A trigger being read: the sentence it stands in, where, the kind of contact it names, and
/// the clause around it.
struct TriggerSite<'s, 'a> {
    text: &'a str,
    sf: &'s SentenceFacts<'a>,
    /// The dates of the article, for a date the sentence leaves to its block.
    block_dates: &'s [DateMention],
    /// The trigger's first byte in the text, and the byte after it.
    a: usize,
    b: usize,
    kind: InteractionKind,
    clause: Span,
}

/// The interactions one trigger reports: its subjects and objects read from the clause around
/// it (or, where the clause names nobody before it, from earlier in the sentence), one
/// interaction per pair where the trigger is bilateral and a list stands on one side.
fn read_trigger(site: &TriggerSite<'_, '_>) -> Vec<(Interaction, Option<String>)> {
    let &TriggerSite {
        text,
        sf,
        a,
        b,
        kind,
        clause,
        ..
    } = site;
    let before = &text[clause.start..a];
    if no_contact(site) {
        return Vec::new();
    }
    let ClauseSides {
        in_clause,
        left,
        right,
    } = clause_sides(site);
    if kind == InteractionKind::Summit && in_clause.is_empty() {
        // 上海合作组织成员国召开元首理事会，席间……习近平……莫迪……: the sentence names them.
        let mut parts: Vec<EntityKey> = persons(&sf.mentions).map(|m| m.key.clone()).collect();
        // 她原本计划在莱比锡举行一场巨大的欧中峰会: a pronoun before the word in its clause is a
        // participant too, the one it stands for.
        if PRONOUNS.iter().any(|p| before.contains(p)) {
            parts.extend(sf.prior_subject.clone());
        }
        parts.sort();
        parts.dedup();
        if parts.is_empty() {
            return Vec::new();
        }
        return report(site, parts).into_iter().collect();
    }
    let conj_first = left
        .first()
        .is_some_and(|m| text[clause.start..m.span.start].contains(CONJ));
    let mut subjects: Vec<EntityKey> = if left.is_empty() || conj_first {
        earlier_subjects(site, &left, &right)
    } else {
        Vec::new()
    };
    let mut objects: Vec<EntityKey> = Vec::new();
    if kind == InteractionKind::Visit {
        // The visitor is the person nearest before the verb in the clause (作为普京顾问的绍伊古访华),
        // or the one a pronoun there stands for.
        // Visitors joined by 和/同 travel together (蓬佩奥和国防部长埃斯珀访问印度; 习近平同博索纳罗互访).
        subjects.clear();
        // (应游锡堃的邀请访问台湾: who invites is the host, not the visitor.)
        let left: Vec<&ClauseMention> = left
            .iter()
            .copied()
            .filter(|m| !invites(text, clause.start, m))
            .collect();
        if let Some(i) = left.len().checked_sub(1) {
            let mut first = i;
            while first > 0 && joined(text, left[first - 1], left[first]) {
                first -= 1;
            }
            subjects.extend(left[first..].iter().map(|m| m.key.clone()));
        } else if PRONOUNS.iter().any(|p| before.contains(p)) {
            // The previous sentence's subject, unless someone else speaks before the pronoun
            // (朱莉·钟说，……当她访问拉美国家时; 史达伟说，这将是他首次访问蒙古): then whom it
            // stands for is open.
            let opening = text.get(sf.span.start..clause.start).unwrap_or("");
            let speaks = REPORTING.iter().find_map(|w| {
                opening
                    .find(&format!("{w}，"))
                    .or_else(|| opening.find(&format!("{w}：")))
            });
            let speaker = speaks.and_then(|at| {
                sf.mentions
                    .iter()
                    .rfind(|m| m.key.kind == EntityKind::Person && m.span.end <= sf.span.start + at)
                    .map(|m| &m.key)
            });
            if speaks.is_none() || speaker == sf.prior_subject.as_ref() {
                subjects.extend(sf.prior_subject.clone());
            }
        }
    } else {
        // 代表特朗普会见……: the one represented does not take part.
        let represented = |m: &&&ClauseMention| {
            ON_BEHALF
                .iter()
                .any(|w| text[clause.start..m.span.start].ends_with(w))
        };
        if conj_first {
            objects.extend(
                left.iter()
                    .filter(|m| !represented(m))
                    .map(|m| m.key.clone()),
            );
        } else if JOINT_CONTACT.contains(&&text[a..b]) {
            subjects.extend(joined_before(text, &left));
        } else if let Some(k) = comitative_split(text, sf.span, clause, kind, &left) {
            // 马克龙与亚美尼亚总理帕希尼扬及阿塞拜疆总统阿利耶夫通电话: the people after 与
            // are the other party, each called on their own (those before it are one side).
            subjects.extend(
                left[..k]
                    .iter()
                    .filter(|m| !represented(m))
                    .map(|m| m.key.clone()),
            );
            objects.extend(left[k..].iter().map(|m| m.key.clone()));
        } else {
            subjects.extend(
                left.iter()
                    .filter(|m| !represented(m))
                    .map(|m| m.key.clone()),
            );
        }
        // 会见时, 会谈后: the trigger is a time adverbial; what follows is not its object.
        let adverbial = TIME_AFTER
            .iter()
            .any(|w| text[b..clause.end.max(b)].starts_with(w))
            && !sf.mentions.iter().any(|m| m.span.start == b);
        // A contact made together (A与B签署) has no object after it (签署制裁C的法案).
        let joint = JOINT_CONTACT.contains(&&text[a..b]);
        if !adverbial && !joint {
            objects.extend(right.iter().map(|m| m.key.clone()));
        }
        // 会见了一批外国知名人士，其中包括美国前国务卿基辛格: a group met, and the next clause
        // names who was among them.
        // (Only the subject stands before the trigger: in 特朗普与普京通电话，包括蓬佩奥在内的
        // 多名官员提出批评, the other party is named, and the list is of others.)
        if !adverbial && !joint && right.is_empty() && left.len() <= 1 {
            objects.extend(included(site));
        }
    }
    subjects.dedup();
    objects.retain(|o| !subjects.contains(o));
    objects.dedup();
    // 拜会台副总统以及外长 with its subject unknown: the people visited did not meet each other.
    if is_bilateral(kind) && subjects.is_empty() && !conj_first && objects.len() >= 2 {
        return Vec::new();
    }

    let groups = participant_groups(site, &subjects, &objects);
    let mut out = Vec::new();
    for mut parts in groups {
        parts.sort();
        parts.dedup();
        let enough = enough_participants(site.kind, before, &parts);
        if enough {
            out.extend(report(site, parts));
        }
    }
    out
}

/// The persons of a trigger's clause (named, or by title: 法国总统 → 马克龙), in text order,
/// and those before and after the trigger.
struct ClauseSides<'s> {
    in_clause: Vec<&'s ClauseMention>,
    left: Vec<&'s ClauseMention>,
    right: Vec<&'s ClauseMention>,
}

/// The persons around a trigger; the right side ends at a new predicate (`BREAKS`: 转达).
fn clause_sides<'s>(site: &TriggerSite<'s, '_>) -> ClauseSides<'s> {
    let &TriggerSite {
        text,
        sf,
        a,
        b,
        clause,
        ..
    } = site;
    // (阿泽维多的后继者: a person who owns what follows takes no part, unless the trigger
    // follows: 与普京的会晤.)
    let possessor = |m: &&ClauseMention| {
        text[m.span.end..].starts_with(POSSESSIVE)
            && !(m.span.end < a && text[m.span.end..a].chars().count() <= 3)
    };
    let mut in_clause: Vec<&ClauseMention> = persons(&sf.mentions)
        .filter(|m| clause.contains(m.span))
        .filter(|m| !possessor(m))
        .collect();
    in_clause.extend(
        sf.title_refs
            .iter()
            .filter(|m| clause.contains(m.span))
            .filter(|m| !possessor(m)),
    );
    in_clause.sort_by_key(|m| m.span.start);
    let left: Vec<&ClauseMention> = in_clause
        .iter()
        .copied()
        .filter(|m| m.span.end <= a)
        .collect();
    let stop = BREAKS
        .iter()
        .filter_map(|w| text[b..clause.end.max(b)].find(w).map(|i| b + i))
        .min()
        .unwrap_or(clause.end);
    let right: Vec<&ClauseMention> = in_clause
        .iter()
        .copied()
        .filter(|m| m.span.start >= b && m.span.end <= stop)
        .collect();
    ClauseSides {
        in_clause,
        left,
        right,
    }
}

/// Whether the trigger's sentence says it is no contact: a lawyer's or a prosecutor's meeting
/// in the sentence up to the end of the trigger's clause (不让律师会见, 以被告身分约谈;
/// 斯伟江律师通报说：……在南京市第二看守所，会见郭泉), or a press conference not held together
/// (赵立坚在记者会上; 菅义伟与维多多共同出席记者会 is one), or 访问 as an interview or access
/// to a site, or a question whether it takes place (是否安排通话).
fn no_contact(site: &TriggerSite<'_, '_>) -> bool {
    let &TriggerSite {
        text,
        sf,
        a,
        b,
        kind,
        clause,
        ..
    } = site;
    let up_to_clause_end = &text[sf.span.start.min(clause.start)..clause.end];
    let legal = matches!(kind, InteractionKind::Meeting | InteractionKind::Other)
        && LEGAL_CONTEXT.iter().any(|w| up_to_clause_end.contains(w));
    let before = &text[clause.start..a];
    let alone =
        HELD_TOGETHER.contains(&&text[a..b]) && !TOGETHER.iter().any(|w| before.contains(w));
    // 访问 is also an interview (接受福斯新闻电话访问) and access to a site (无法访问).
    let interview = kind == InteractionKind::Visit
        && (INTERVIEW_CUE.iter().any(|w| {
            before
                .rfind(w)
                .is_some_and(|i| !INVITATION.iter().any(|v| before[i..].contains(v)))
        }) || ACCESS_BEFORE.iter().any(|w| before.ends_with(w))
            || WEB_OBJECT.iter().any(|w| text[b..clause.end].contains(w)));
    // 是否安排通话, 是否会会面: a question asks whether the contact takes place.
    let question = QUESTION_BEFORE.iter().any(|w| before.contains(w));
    legal || alone || interview || question
}

/// Those who act together before a contact's word: the last person before it and those joined
/// to it by a conjunction (蓬佩奥和巴比什在5月签署, 王毅在与索雷德共同出席的新闻发布会), never
/// a person of another clause part (阿扎将成为特朗普签署……后的首位官员: nobody signed with
/// 特朗普).
fn joined_before(text: &str, left: &[&ClauseMention]) -> Vec<EntityKey> {
    let mut run: Vec<&ClauseMention> = left.iter().rev().take(1).copied().collect();
    for m in left.iter().rev().skip(1) {
        let Some(next) = run.last() else { break };
        // (A mention nested in another has no gap to the next.)
        let gap = text.get(m.span.end..next.span.start).unwrap_or("");
        if gap.contains(PERSON_JOINER) && !gap.contains(CLAUSE_END) && gap.chars().count() <= 24 {
            run.push(m);
        } else {
            break;
        }
    }
    run.iter().rev().map(|m| m.key.clone()).collect()
}

/// Whether `parts` are enough for a report of `kind` whose clause opens with `before`: two
/// people, or one where the clause says what one person does (访问; 举行会谈; 出席峰会).
fn enough_participants(kind: InteractionKind, before: &str, parts: &[EntityKey]) -> bool {
    // One person at a summit only when the clause says they attend (出席峰会, 在峰会上).
    let attends = SUMMIT_CUES.iter().any(|c| before.contains(c));
    match kind {
        InteractionKind::Visit => !parts.is_empty(),
        // One person's talks only when the clause says they were held (举行会谈).
        InteractionKind::Talks => {
            parts.len() >= 2 || (!parts.is_empty() && HELD.iter().any(|c| before.contains(c)))
        }
        InteractionKind::Summit => parts.len() >= 2 || (attends && !parts.is_empty()),
        _ => parts.len() >= 2,
    }
}

/// The subjects of a trigger whose clause names nobody before it (or only after a
/// conjunction): a pronoun's person, the subject of the nearest earlier clause, the next
/// clause's subject after a fronted time clause, or a pair opening an earlier clause.
fn earlier_subjects(
    site: &TriggerSite<'_, '_>,
    left: &[&ClauseMention],
    right: &[&ClauseMention],
) -> Vec<EntityKey> {
    let &TriggerSite {
        text,
        sf,
        a,
        kind,
        clause,
        ..
    } = site;
    let before = &text[clause.start..a];
    let mut subjects: Vec<EntityKey> = Vec::new();
    // 我和德国总理默克尔女士……会面: outside a quotation, the first person joined to the
    // others is the writer, whom the article does not name; no earlier subject stands for it.
    // (In a quotation, 他说：“当我与中国政府官员会面时, the speaker does, as before.)
    if let Some(m) = left.first() {
        let lead = &text[clause.start..m.span.start];
        let head = lead.rfind(CONJ).map_or("", |i| &lead[..i]);
        if FIRST_PERSON.iter().any(|p| head.ends_with(p)) && !in_quotation(&text[sf.span.start..a])
        {
            return subjects;
        }
    }
    // The subject stands earlier: a pronoun in this clause, or the sentence's first person.
    let pronoun = PRONOUNS.iter().any(|p| before.contains(p));
    let sentence_pronoun = PRONOUNS.iter().any(|p| sf.span.slice(text).starts_with(p));
    let earlier = if sentence_pronoun {
        sf.prior_subject.clone()
    } else {
        // The subject of the nearest earlier clause that opens with a person
        // (至于王金平如果成行，要……和汪洋会面), else the sentence's first person.
        persons(&sf.mentions)
            .filter(|m| m.span.end <= clause.start && m.head)
            .last()
            .or_else(|| persons(&sf.mentions).find(|m| m.span.end <= clause.start))
            .map(|m| m.key.clone())
    };
    // (而在这一天，她原本计划……，改为与习近平举行视频会议: a pronoun in an earlier clause
    // of the sentence, with nobody named before the clause, is the subject too.)
    let pronoun_before = PRONOUNS
        .iter()
        .any(|p| text[sf.span.start..clause.start].contains(p))
        && !persons(&sf.mentions).any(|m| m.span.end <= clause.start);
    let subject = if (pronoun || pronoun_before) && earlier.is_none() {
        sf.prior_subject.clone()
    } else {
        earlier
    };
    // 26日会见文在寅时，王毅向其转达……: a fronted time clause takes the next clause's subject.
    let subject = subject.or_else(|| {
        let c = text[clause.start..clause.end].trim_end();
        let fronted = FRONTED_TIME.iter().any(|w| c.ends_with(w));
        let next_start = clause.end + text[clause.end..].chars().next().map_or(0, char::len_utf8);
        (fronted && next_start < sf.span.end)
            .then(|| clause_around(text, sf.span, next_start))
            .and_then(|next| {
                persons(&sf.mentions)
                    .find(|m| next.contains(m.span) && m.head)
                    .map(|m| m.key.clone())
            })
    });
    // 习近平主席同博索纳罗总统去年成功互访，疫情发生以来多次通电话: a pair that opens an
    // earlier clause is the subject of a clause that names nobody.
    if kind != InteractionKind::Visit && left.is_empty() && right.is_empty() {
        if let Some(head) = subject
            .as_ref()
            .and_then(|k| persons(&sf.mentions).find(|m| &m.key == k && m.span.end <= clause.start))
        {
            // (蓬佩奥、佩恩、苏杰生和茂木敏充这次齐聚东京，举行……会谈: the whole list is
            // the subject, whichever of it was found.)
            let mut first = head;
            while let Some(prev) = persons(&sf.mentions)
                .filter(|m| m.span.end <= first.span.start && m.span.start >= sf.span.start)
                .last()
                .filter(|m| joined(text, m, first))
            {
                subjects.push(prev.key.clone());
                first = prev;
            }
            let mut last = head;
            while let Some(next) = persons(&sf.mentions)
                .find(|m| m.span.start > last.span.end && m.span.end <= clause.start)
                .filter(|m| joined(text, last, m))
            {
                subjects.push(next.key.clone());
                last = next;
            }
        }
    }
    subjects.extend(subject);
    subjects
}

/// The persons the clause after a trigger's lists as among those it met, when it opens with
/// 包括 or 其中包括 (与多个团体代表会面，包括法轮功华府代表林晓旭).
fn included(site: &TriggerSite<'_, '_>) -> Vec<EntityKey> {
    let &TriggerSite {
        text, sf, clause, ..
    } = site;
    let Some(mark) = text.get(clause.end..).and_then(|t| t.chars().next()) else {
        return Vec::new();
    };
    let next_start = clause.end + mark.len_utf8();
    let opens = text
        .get(next_start..sf.span.end)
        .is_some_and(|t| INCLUDING.iter().any(|w| t.starts_with(w)));
    if mark != '，' || !opens {
        return Vec::new();
    }
    let next = clause_around(text, sf.span, next_start);
    // (包括X在内的多名官员提出批评: a list inside a subject of its own.)
    if next.slice(text).contains("在内") {
        return Vec::new();
    }
    persons(&sf.mentions)
        .filter(|m| next.contains(m.span))
        .map(|m| m.key.clone())
        .collect()
}

/// Words that open a list of those among a group (其中包括).
const INCLUDING: &[&str] = &["其中包括", "包括"];

/// Where the other party starts among the persons before a bilateral trigger: at the first
/// person after a comitative (与, 同, 跟) when two persons or more follow it, unless the
/// clause makes it one contact of them all (三方, 共同). A call joins two parties (X与A及B
/// 通电话: X spoke with A and with B); a meeting so worded is one with each only when they are
/// one country's side (蓬佩奥将与马克龙和勒德里昂会面), for it may be one of three countries
/// (王毅与苏杰生和拉夫罗夫举行了会谈).
fn comitative_split(
    text: &str,
    sentence: Span,
    clause: Span,
    kind: InteractionKind,
    left: &[&ClauseMention],
) -> Option<usize> {
    if !is_bilateral(kind)
        || left.len() < 3
        || TOGETHER
            .iter()
            .any(|w| text[clause.start..clause.end].contains(w))
        || SEVERAL_SIDES
            .iter()
            .any(|w| sentence.slice(text).contains(w))
    {
        return None;
    }
    // (Mentions may overlap: a title reference holds a name.)
    let k = (1..left.len()).find(|&k| {
        text.get(left[k - 1].span.end..left[k].span.start)
            .is_some_and(comitative_in)
    })?;
    // (A meeting so worded is one with each only when they are one side: one country's.)
    let others = &left[k..];
    let one_side = others
        .first()
        .and_then(|m| m.country.as_ref())
        .is_some_and(|c| others.iter().all(|m| m.country.as_ref() == Some(c)));
    (others.len() >= 2 && (kind == InteractionKind::PhoneCall || one_side)).then_some(k)
}

/// Comitative prepositions: the person after one is the other party of a contact.
const COMITATIVE: &[char] = &['与', '同', '跟'];

/// Whether `between` holds a comitative standing as a word of its own (将与, 周五与), not
/// inside one (同时, 同事, 与会, 跟随, 共同, 陪同).
fn comitative_in(between: &str) -> bool {
    let chars: Vec<char> = between.chars().collect();
    chars.iter().enumerate().any(|(i, c)| {
        COMITATIVE.contains(c)
            && !chars
                .get(i + 1)
                .is_some_and(|n| "时事意会随样期日行盟胞学志伴步".contains(*n))
            && !i
                .checked_sub(1)
                .and_then(|j| chars.get(j))
                .is_some_and(|p| "共陪不如相参赞认".contains(*p))
    })
}

/// Whether a trigger of this kind joins one party to another (会见, 会谈, 通电话), not
/// everyone it names to each other.
fn is_bilateral(kind: InteractionKind) -> bool {
    matches!(
        kind,
        InteractionKind::Meeting | InteractionKind::Talks | InteractionKind::PhoneCall
    )
}

/// Who takes part in each interaction a trigger reports: 会见 is bilateral, so one subject
/// meeting a list (会见了文在寅、康京和) is one meeting each, and so is a list meeting one
/// person 分别; otherwise everyone named, in one interaction.
fn participant_groups(
    site: &TriggerSite<'_, '_>,
    subjects: &[EntityKey],
    objects: &[EntityKey],
) -> Vec<Vec<EntityKey>> {
    let &TriggerSite {
        text, kind, clause, ..
    } = site;
    // 会见 is bilateral: one subject meeting a list (会见了文在寅、康京和) is one meeting each.
    let bilateral = is_bilateral(kind);
    let respectively = text[clause.start..clause.end].contains("分别");
    if bilateral && subjects.len() == 1 && objects.len() >= 2 {
        objects
            .iter()
            .map(|o| vec![subjects[0].clone(), o.clone()])
            .collect()
    } else if bilateral && respectively && subjects.len() >= 2 && objects.len() == 1 {
        subjects
            .iter()
            .map(|s| vec![s.clone(), objects[0].clone()])
            .collect()
    } else {
        vec![subjects.iter().chain(objects.iter()).cloned().collect()]
    }
}

/// The interaction of `parts` at a trigger: its status, date, place and evidence.
fn report(
    site: &TriggerSite<'_, '_>,
    parts: Vec<EntityKey>,
) -> Option<(Interaction, Option<String>)> {
    let &TriggerSite {
        text,
        sf,
        block_dates,
        a,
        b,
        kind,
        clause,
    } = site;
    let before = &text[clause.start..a];
    let clause_text = clause.slice(text);
    let prev_clause = if clause.start > sf.span.start {
        clause_around(text, sf.span, clause.start.saturating_sub(1)).start
    } else {
        clause.start
    };
    let planned = {
        let mut b = text[prev_clause..a].to_string();
        for w in NOT_PLANNED {
            b = b.replace(w, "");
        }
        PLANNED.iter().any(|w| b.contains(w)) && !b.contains(DONE_MARKER)
    } || wished(before);
    // A contact its clause denies (并未和蓬佩奥见面, 拒绝接见) did not take place: called off.
    let denied = NEGATION.iter().any(|w| before.contains(w));
    let status = if denied || CANCELLED.iter().any(|w| clause_text.contains(w)) {
        Status::Cancelled
    } else if planned {
        Status::Planned
    } else {
        Status::Happened
    };

    let reference = if status == Status::Planned {
        TimeReference::News
    } else {
        // 会见过: the experiential aspect sets it some time before.
        let after = text.get(b..clause.end.max(b)).unwrap_or("");
        let experiential = EXPERIENTIAL.iter().any(|w| after.starts_with(w))
            && !NOT_EXPERIENTIAL.iter().any(|w| after.starts_with(w));
        match time_reference(&text[prev_clause..a]) {
            TimeReference::News if experiential => TimeReference::SomePastContact,
            TimeReference::News if taken_as_known(site, before) => TimeReference::KnownContact,
            // A caption shows a contact (彭斯（左）和教皇方济各会面): it does not report it.
            TimeReference::News
                if sf.block_kind == BlockKind::Caption
                    || PHOTO_MARKS.iter().any(|w| sf.text.contains(w)) =>
            {
                TimeReference::KnownContact
            }
            r => r,
        }
    };
    let date = pick_date(sf, block_dates, clause, a, b, status == Status::Planned);
    let place = match kind {
        InteractionKind::PhoneCall | InteractionKind::VideoCall => None,
        _ => pick_place(text, sf, clause, a, b, kind),
    };
    let summit = (kind == InteractionKind::Summit).then(|| summit_name(before));
    let evidence = Evidence {
        sentence: sf.index,
        span: sf.span,
        trigger: Span::new(a, b),
    };
    Some((
        Interaction {
            kind,
            participants: parts,
            by_title: Vec::new(),
            date,
            place,
            status,
            reference,
            evidence: vec![evidence],
        },
        summit,
    ))
}

/// Whether the person `m` is named as who invites (应游锡堃的邀请, 应德国联邦议院之邀): the
/// host of the contact that follows.
fn invites(text: &str, clause_start: usize, m: &ClauseMention) -> bool {
    let pre = text.get(clause_start..m.span.start).unwrap_or("");
    let post = text.get(m.span.end..).unwrap_or("");
    let post = post
        .strip_prefix('的')
        .or_else(|| post.strip_prefix('之'))
        .unwrap_or(post);
    pre.rfind('应').is_some_and(|k| !pre[k..].contains('邀'))
        && (post.starts_with("邀请") || post.starts_with('邀'))
}

/// Whether a contact's own clause (`before`: up to the trigger) wishes, urges or aims at it
/// rather than reports it held (鼓励……与台湾总统会晤, 为了促成习近平访韩, 邀请游锡堃率团访问):
/// not when the invitation was taken up (应蓬佩奥邀请访问, 接受邀请).
fn wished(before: &str) -> bool {
    IRREALIS.iter().any(|w| {
        before.rfind(w).is_some_and(|i| {
            let taken_up = || before[..i].contains('应') || before[..i].contains("接受");
            !(INVITATION.contains(w) && taken_up())
        })
    })
}

/// Whether the sentence takes the contact as known rather than reporting it (`before`: its
/// clause up to the trigger). A contact is reported by a verb (会见了, 举行了会谈); one named
/// in a noun phrase (两人的会面, 访台的行程, 所访问的), as a time frame (访台期间, 会谈时,
/// 在峰会上) or pointed at (此次峰会) is one the reader is told of elsewhere.
fn taken_as_known(site: &TriggerSite<'_, '_>, before: &str) -> bool {
    let &TriggerSite {
        text,
        sf,
        a,
        b,
        clause,
        ..
    } = site;
    let mentions = || sf.mentions.iter().chain(&sf.title_refs);
    // After the contact and its object (names joined by 、和与及).
    let mut pos = b;
    while let Some(m) = mentions().find(|m| m.span.start == pos && m.span.end > pos) {
        pos = m.span.end;
        if let Some(j) = text[pos..]
            .chars()
            .next()
            .filter(|c| "、和与及".contains(*c))
        {
            if mentions().any(|m| m.span.start == pos + j.len_utf8()) {
                pos += j.len_utf8();
            }
        }
    }
    let after = text.get(pos..clause.end.max(pos)).unwrap_or("");
    // (是应游锡堃的邀请访问台湾的: a 的 that closes its clause heads no noun.)
    let closing = after
        .strip_prefix('的')
        .is_some_and(|rest| !rest.chars().next().is_some_and(crate::entities::is_han));
    if !closing
        && KNOWN_AFTER.iter().any(|w| after.starts_with(w))
        && !NOT_KNOWN_AFTER.iter().any(|w| after.starts_with(w))
        && !mentions().any(|m| m.span.start == pos)
    {
        return true;
    }
    // 在造访新德里一家政府医院时: a frame 在 opens before the contact and a word closes after
    // its object.
    let rest = text.get(b..clause.end.max(b)).unwrap_or("");
    if before.contains('在')
        && rest.char_indices().any(|(k, _)| {
            let here = &rest[k..];
            FRAME_CLOSE.iter().any(|w| here.starts_with(w))
                && !NOT_KNOWN_AFTER.iter().any(|w| here.starts_with(w))
                // (同时, 及时, 当时, 临时: 时 ends another word.)
                && !rest[..k]
                    .chars()
                    .last()
                    .is_some_and(|c| "同及临当按准暂随届平适小顿那此彼历".contains(c))
        })
    {
        return true;
    }
    // A noun the particle 的 (or 所) ties to what comes before: reported when a verb before
    // holds it as its object (举行了富有成果的会谈), not when that verb modifies it too
    // (共同举行的联合记者会).
    let trimmed = before.trim_end();
    if let Some(head) = trimmed
        .strip_suffix('的')
        .or_else(|| trimmed.strip_suffix('所'))
    {
        let verbs = || HELD.iter().chain(ASSERTING_VERB);
        let bare = head.strip_suffix('了').unwrap_or(head);
        return verbs().any(|w| bare.ends_with(w)) || !verbs().any(|w| head.contains(w));
    }
    // 此次欧盟峰会: pointed at, with no person named between.
    KNOWN_DETERMINER.iter().any(|w| {
        before.rfind(w).is_some_and(|k| {
            let from = a - (before.len() - k);
            !sf.mentions.iter().any(|m| {
                m.key.kind == guanxi_core::EntityKind::Person
                    && m.span.start >= from
                    && m.span.end <= a
            })
        })
    })
}

/// Whether the words before a trigger (its clause and the one before) set the contact before
/// the news, and how: a contact among several (多次) is none in particular even when it is
/// also the previous one (此前曾多次会晤); a recent one (日前) or the previous one (此前,
/// 当时) is one contact; 曾 alone (曾与拜登会面) is some past contact.
fn time_reference(before: &str) -> TimeReference {
    let has = |words: &[&str]| words.iter().any(|w| before.contains(w));
    if has(SEVERAL_TIMES) || times_counted(before) {
        TimeReference::SomePastContact
    } else if has(RECENT_PAST) {
        TimeReference::RecentPast
    } else if has(PREVIOUS_CONTACT) {
        TimeReference::PreviousContact
    } else if has(ONCE_BEFORE) {
        TimeReference::SomePastContact
    } else {
        TimeReference::News
    }
}

/// Whether `before` counts the times of a contact (三次, 八度, 十几次), not after 第 (an
/// ordinal: 第23次东盟与中日韩领导人会议).
fn times_counted(before: &str) -> bool {
    let chars: Vec<char> = before.chars().collect();
    (1..chars.len()).any(|i| {
        if !TIMES_UNIT.contains(&chars[i]) || !TIMES_NUMERAL.contains(&chars[i - 1]) {
            return false;
        }
        let mut start = i - 1;
        while start > 0 && TIMES_NUMERAL.contains(&chars[start - 1]) {
            start -= 1;
        }
        // (30度 is a temperature: digits count times only before 次.)
        let digits = chars[start..i].iter().all(|c| c.is_ascii_digit());
        let ordinal = start > 0 && chars[start - 1] == '第';
        let temperature = digits && chars[i] == '度';
        !ordinal && !temperature
    })
}

fn text_between<'a>(sf: &SentenceFacts<'a>, a: usize, b: usize) -> &'a str {
    sf.text
        .get(a.saturating_sub(sf.span.start)..b.saturating_sub(sf.span.start))
        .unwrap_or("")
}

/// `11月24-25日访问日本，在与菅义伟首相会谈以后`: a range that dates a visit named between it and
/// the trigger dates the visit; the talks fall somewhere in it, so only the month is known.
fn visit_range_month(sf: &SentenceFacts, d: &DateMention, a: usize) -> Option<DateValue> {
    let range = text_between(sf, d.span.start, d.span.end).contains(VISIT_RANGE_MARK);
    let visit_between = TRAVEL
        .iter()
        .any(|w| text_between(sf, d.span.end, a).contains(w));
    (range && visit_between).then(|| d.value.to_month())
}

fn pick_date(
    sf: &SentenceFacts,
    block_dates: &[DateMention],
    clause: Span,
    a: usize,
    b: usize,
    planned: bool,
) -> Option<DateValue> {
    let in_clause = |d: &&DateMention| clause.contains(d.span);
    // Nearest before the trigger in the clause, then after it in the clause.
    let before: Vec<&DateMention> = sf
        .dates
        .iter()
        .filter(in_clause)
        .filter(|d| d.span.end <= a)
        .collect();
    if let Some(mut i) = before.len().checked_sub(1) {
        // A range or pair (周一和周二, 11日至12日) starts at its first date.
        let last = i;
        while i > 0
            && RANGE_JOINERS.contains(&text_between(
                sf,
                before[i - 1].span.end,
                before[i].span.start,
            ))
        {
            i -= 1;
        }
        if i < last {
            if let Some(m) = visit_range_month(sf, before[last], a) {
                return Some(m);
            }
            // 10月29日至30日前往越南河内，会见……: a range of days that dates a trip named
            // before the trigger dates the trip; the meeting falls somewhere in it.
            if TRAVEL
                .iter()
                .any(|w| text_between(sf, before[last].span.end, a).contains(w))
            {
                return Some(before[i].value.to_month());
            }
        }
        return Some(visit_range_month(sf, before[i], a).unwrap_or(before[i].value));
    }
    if let Some(d) = sf
        .dates
        .iter()
        .filter(in_clause)
        .find(|d| d.span.start >= b)
    {
        return Some(d.value);
    }
    // Elsewhere in the sentence: nearest, but a bare year only when it opens the sentence
    // (三年前，普京……举行峰会), never one far inside it (于2001年建立的组织).
    let sequenced = SEQUENCE.iter().any(|w| {
        sf.text
            .get(clause.start - sf.span.start..)
            .is_some_and(|c| c.starts_with(w))
    });
    // (蓬佩奥1月7日宣布，克拉夫特将率团访问台湾: a date before a reporting verb in another
    // clause is the day a plan was announced, not the day planned.)
    let said = |d: &&DateMention| {
        if !planned {
            return false;
        }
        let after = text_between(sf, d.span.end, sf.span.end);
        REPORTING.iter().any(|w| after.starts_with(w))
    };
    let near = sf
        .dates
        .iter()
        .filter(|d| d.value.month.is_some() || d.span.start == sf.span.start)
        .filter(|d| !said(d))
        .min_by_key(|d| {
            if d.span.end <= a {
                a - d.span.end
            } else {
                d.span.start.saturating_sub(b) + 1
            }
        });
    if let Some(d) = near {
        // 当晚离开日本，……其间将会晤文在寅: the meeting follows that day; only its month is known.
        if sequenced {
            return Some(d.value.to_month());
        }
        if d.span.end <= a {
            if let Some(m) = visit_range_month(sf, d, a) {
                return Some(m);
            }
        }
        return Some(d.value);
    }
    // Photo captions carry their date apart: `……握手。(2013年3月23日)`.
    if sf.block_kind == BlockKind::Caption {
        return block_dates
            .iter()
            .find(|d| sf.block.contains(d.span) && d.value.day.is_some())
            .map(|d| d.value);
    }
    None
}

fn pick_place(
    text: &str,
    sf: &SentenceFacts,
    clause: Span,
    a: usize,
    b: usize,
    kind: InteractionKind,
) -> Option<EntityKey> {
    // A place of its own: not inside another name, nor a country named by one character of a
    // compound (在中印边境).
    let whole = |m: &ClauseMention| !m.nested && m.span.end - m.span.start > '中'.len_utf8();
    let places: Vec<&ClauseMention> = sf
        .mentions
        .iter()
        .filter(|m| {
            (m.key.kind == EntityKind::Place || m.place_kind == Some(PlaceKind::Venue))
                && whole(m)
                && !matches!(m.place_kind, Some(PlaceKind::Continent | PlaceKind::Area))
                && !NOT_A_VENUE
                    .iter()
                    .any(|w| text[m.span.end..].starts_with(w))
        })
        .collect();
    // 在罗马会面, 到访北京, and a place right before the verb (罗马会面).
    // (在蒙古首都乌兰巴托: the cue may stand before the country and 首都.)
    let cued = |m: &ClauseMention| {
        let before = &text[sf.span.start..m.span.start];
        let before = match CAPITAL.iter().find_map(|w| before.strip_suffix(w)) {
            Some(b) => b
                .char_indices()
                .rev()
                .take(6)
                .map(|(i, _)| &b[..i])
                .find(|h| PLACE_CUES.iter().any(|c| h.ends_with(c)))
                .unwrap_or(b),
            None => before,
        };
        PLACE_CUES.iter().any(|c| before.ends_with(c)) || m.span.end == a
    };
    // The trigger's own clause first, then the sentence before it.
    let clause_start = clause.start;
    if kind == InteractionKind::Visit {
        // The destination inside the verb (访日), named by one character.
        if let Some(m) = sf
            .mentions
            .iter()
            .find(|m| m.key.kind == EntityKind::Place && a <= m.span.start && m.span.end <= b)
        {
            return Some(m.key.clone());
        }
        // The visit's object is where it goes, a continent or a region too (出访欧洲, 访问南亚),
        // whatever follows it (访问平壤之际).
        // (到访的中国外长: the visitor's country, not the destination.)
        if let Some(m) = sf.mentions.iter().find(|m| {
            m.key.kind == EntityKind::Place
                && whole(m)
                && (m.span.start == b
                    || (m.span.start > b && clause.contains(m.span) && m.span.start - b <= 6))
                && !text[b..m.span.start].ends_with('的')
        }) {
            // 访问印度首都新德里: the capital named after the country.
            let capital = places.iter().find(|c| {
                c.place_kind == Some(PlaceKind::City)
                    && CAPITAL.iter().any(|w| {
                        text[m.span.end..].starts_with(w) && c.span.start == m.span.end + w.len()
                    })
            });
            return Some(capital.map_or(m, |c| *c).key.clone());
        }
    }
    if kind != InteractionKind::Visit {
        // 王毅访日期间……会谈, 在访问俄罗斯期间会见, 转往韩国首尔访问3天，其间将会晤:
        // the destination of the visit that frames the trigger, unless its own clause
        // names a venue.
        let own = places
            .iter()
            .any(|m| m.span.start >= clause_start && m.span.end <= a && cued(m));
        if !own {
            if let Some(p) = visit_frame(text, sf, a) {
                return Some(p);
            }
        }
    }
    let pick = places
        .iter()
        .rposition(|m| m.span.start >= clause_start && m.span.end <= a && cued(m))
        .or_else(|| places.iter().rposition(|m| m.span.end <= a && cued(m)));
    if let Some(i) = pick {
        // 在沙特阿拉伯首都利雅得, 在巴黎爱丽舍宫: the city of a run of adjacent places.
        let mut i = i;
        while i > 0
            && places[i - 1].span.end + CAPITAL_GAP >= places[i].span.start
            && places[i - 1].span.end <= places[i].span.start
        {
            i -= 1;
        }
        let mut run = vec![places[i]];
        while let Some(next) = places.get(i + run.len()).filter(|n| {
            n.span.end <= a
                && run
                    .last()
                    .is_some_and(|l| n.span.start <= l.span.end + CAPITAL_GAP)
        }) {
            run.push(next);
        }
        let best = run
            .iter()
            .find(|m| m.place_kind == Some(PlaceKind::City))
            .unwrap_or(&run[0]);
        return Some(best.key.clone());
    }
    places
        .iter()
        .find(|m| m.span.start >= b && clause.contains(m.span) && cued(m))
        .map(|m| m.key.clone())
}

/// The destination of a visit whose period frames the text before `a`: the last place with a
/// place cue (`PLACE_CUES`) before it, at most a few words before `期间` or `其间`.
pub fn visit_frame(text: &str, sf: &SentenceFacts, a: usize) -> Option<EntityKey> {
    let before = text.get(sf.span.start..a)?;
    let at = DURING.iter().filter_map(|w| before.rfind(w)).max()?;
    let frame = sf.span.start + at;
    // Places ending before the frame, at most eight characters before it, with no full stop
    // between (访日期间, 访问俄罗斯期间, 首尔访问3天，其间).
    let near = |m: &&ClauseMention| {
        m.key.kind == EntityKind::Place
            && !m.nested
            && m.span.end <= frame
            && text
                .get(m.span.end..frame)
                .is_some_and(|g| g.chars().count() <= 8 && !g.contains(['。', '；', '的']))
    };
    let cands: Vec<&ClauseMention> = sf.mentions.iter().filter(near).collect();
    // The first of a run of adjacent places (韩国首尔) must follow a place cue.
    let first = cands.iter().position(|m| {
        let pre = &text[sf.span.start..m.span.start];
        PLACE_CUES.iter().any(|c| pre.ends_with(c))
    })?;
    let mut run = vec![cands[first]];
    while let Some(n) = cands.get(first + run.len()).filter(|n| {
        run.last()
            .is_some_and(|l| n.span.start <= l.span.end + CAPITAL_GAP)
    }) {
        run.push(n);
    }
    let best = run
        .iter()
        .find(|m| m.place_kind == Some(PlaceKind::City))
        .unwrap_or(&run[0]);
    Some(best.key.clone())
}

/// A name for the summit (text before 峰会 in its clause), or `""` for 这次峰会.
fn summit_name(before: &str) -> String {
    if ANAPHORIC_SUMMIT.iter().any(|w| before.ends_with(w)) {
        return String::new();
    }
    let start = before.rfind(SUMMIT_NAME_AFTER).map_or(0, |i| {
        i + before[i..].chars().next().map_or(0, char::len_utf8)
    });
    before[start..]
        .chars()
        .rev()
        .take(12)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect()
}
