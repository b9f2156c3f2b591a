//! Step 5, implicit facts: attendee lists joined to the meeting they attend, undated reports
//! dated by the lead or the trip they belong to, and places shared within a sentence.

use crate::lexicon::{
    ALSO, ATTEND, ATTENDED, ATTENDEE_BREAK, ATTENDEE_OPENING, ATTENDING, CONTINUATION, EARLIER,
    OTHER_TIME, PAST_CONTEXT, SEVERAL_TIMES,
};
use rustc_hash::FxHashMap as HashMap;

use guanxi_core::{
    BlockKind, DateValue, EntityKey, Interaction, InteractionFamily, InteractionKind, PlaceKind,
    Status, TimeReference,
};

use crate::dedup::{compatible, same_trip};
use crate::interactions::{persons, SentenceFacts};

/// Where a list of attendees opens in a sentence (参加会谈的有, 出席会见的还有): the end of
/// the opening.
pub(crate) fn attendee_lists(s: &str) -> Vec<usize> {
    // Every attended word starts with 会: the sentence is searched for that one character.
    let mut out = Vec::new();
    for (k, _) in s.match_indices('会') {
        let rest = &s[k..];
        let Some(t) = ATTENDED.iter().find(|t| rest.starts_with(*t)) else {
            continue;
        };
        if !ATTEND.iter().any(|v| s[..k].ends_with(v)) {
            continue;
        }
        let rest = &rest[t.len()..];
        for opening in ATTENDEE_OPENING {
            if rest.starts_with(opening) {
                out.push(k + t.len() + opening.len());
            }
        }
    }
    out.sort();
    out
}

/// `会谈进行了15分钟，日本方面参加会谈的有外相茂木敏充、国家安全保障局局长北村滋`: the persons
/// listed take part in the last meeting or talks reported before, not in a new one.
pub(crate) fn join_attendees(
    text: &str,
    facts: &[SentenceFacts],
    raw: &mut Vec<(Interaction, Option<String>)>,
) {
    // 参加……联合会议的魏凤和与参会的辛格举行了会晤: a person said to attend takes part in
    // the summit of the sentence.
    for (it, _) in raw.iter_mut() {
        if it.kind != InteractionKind::Summit {
            continue;
        }
        let Some(sf) = it.evidence.first().and_then(|e| facts.get(e.sentence)) else {
            continue;
        };
        for m in persons(&sf.mentions) {
            let before = &text[sf.span.start..m.span.start];
            let attending = ATTENDING.iter().any(|w| {
                before.rfind(w).is_some_and(|i| {
                    let gap = &before[i + w.len()..];
                    gap.chars().count() <= 8 && !gap.contains(ATTENDEE_BREAK)
                })
            });
            if attending && !it.participants.contains(&m.key) {
                it.participants.push(m.key.clone());
                it.participants.sort();
            }
        }
    }
    for sf in facts {
        let opens = attendee_lists(sf.text);
        let Some(&first) = opens.first() else {
            continue;
        };
        let list_start = sf.span.start + first;
        let attendees: Vec<EntityKey> = persons(&sf.mentions)
            .filter(|m| m.span.start >= list_start)
            .map(|m| m.key.clone())
            .collect();
        if attendees.is_empty() {
            continue;
        }
        // What the list itself reads as (参加会谈的有A、B: A and B in talks) is not a meeting.
        raw.retain(|(o, _)| {
            !(o.evidence.iter().all(|e| e.sentence == sf.index)
                && o.participants.iter().all(|p| attendees.contains(p)))
        });
        let Some((o, _)) = raw.iter_mut().rev().find(|(o, _)| {
            o.kind.family() == InteractionFamily::MeetingOrTalks
                && o.status == Status::Happened
                && o.participants.len() >= 2
                && o.evidence
                    .iter()
                    .any(|e| e.sentence < sf.index || e.trigger.start < list_start)
        }) else {
            continue;
        };
        for p in attendees {
            if !o.participants.contains(&p) {
                o.participants.push(p);
            }
        }
        o.participants.sort();
    }
}

/// Dates the text leaves implicit:
/// - a report in the headline or body (not a caption) with no date of its own, about a person
///   named in the headline or the lead sentence, takes the lead's date (the day of the news);
/// - `他还会见了…` continues the previous interaction of the same person: it takes that
///   interaction's month and place.
pub(crate) fn fill_implicit(
    raw: &mut [(Interaction, Option<String>)],
    facts: &[SentenceFacts],
    lead: Option<&(DateValue, Vec<EntityKey>)>,
) {
    for i in 0..raw.len() {
        if raw[i].0.date.is_some() {
            continue;
        }
        let Some(ev) = raw[i].0.evidence.first().cloned() else {
            continue;
        };
        let Some(sf) = facts.get(ev.sentence) else {
            continue;
        };
        if sf.block_kind == BlockKind::Caption {
            continue;
        }
        // 王岐山也致电哈里斯 after 习近平星期三致电拜登: an act done "also", with no time of its
        // own, is a repeat of the last one of its kind, on its day.
        let before_trigger = ev
            .trigger
            .start
            .checked_sub(sf.span.start)
            .and_then(|k| sf.text.get(..k));
        if before_trigger.is_some_and(|b| ALSO.iter().any(|w| b.ends_with(w)))
            && sf.dates.is_empty()
        {
            let kind = raw[i].0.kind;
            let repeated = raw[..i]
                .iter()
                .rev()
                .find(|(o, _)| o.kind == kind && o.date.is_some())
                .and_then(|(o, _)| o.date);
            if repeated.is_some() {
                raw[i].0.date = repeated;
                continue;
            }
        }
        if CONTINUATION.iter().any(|w| sf.text.starts_with(w)) {
            if let Some(subject) = &sf.prior_subject {
                let prev = raw[..i]
                    .iter()
                    .rev()
                    .find(|(o, _)| o.date.is_some() && o.participants.contains(subject))
                    .map(|(o, _)| (o.date, o.place.clone()));
                if let Some((date, place)) = prev {
                    raw[i].0.date = date.map(DateValue::to_month);
                    if raw[i].0.place.is_none() {
                        raw[i].0.place = place;
                    }
                    continue;
                }
            }
        }
        if let Some((date, persons)) = lead {
            // A sentence with a time of its own (三年前) is not about the day of the news.
            let past = PAST_CONTEXT
                .iter()
                .chain(EARLIER)
                .any(|w| sf.text.contains(w));
            // Nor is a contact of the last days (日前, 近期) or one of several (多次): no news
            // of the day. (曾 may be earlier the same day: 他在会见习近平之前，曾与王毅举行了会谈.)
            let several = SEVERAL_TIMES.iter().any(|w| sf.text.contains(w));
            if !sf.dates.is_empty()
                || past
                || several
                || raw[i].0.reference == TimeReference::RecentPast
            {
                continue;
            }
            if raw[i].0.participants.iter().any(|p| persons.contains(p))
                && raw[i].0.status == Status::Happened
            {
                raw[i].0.date = Some(*date);
            }
        }
    }
}

/// Interactions stated in one sentence that share a participant, a status and a date share
/// the one place either states (在出席上海合作组织外长会议期间……在莫斯科举行了会谈).
pub(crate) fn share_sentence_places(all: &mut [Interaction]) {
    for i in 0..all.len() {
        if all[i].place.is_some() || all[i].kind.is_call() {
            continue;
        }
        let it = &all[i];
        let mut found: Vec<EntityKey> = all
            .iter()
            .enumerate()
            .filter(|&(j, o)| {
                j != i
                    && !o.kind.is_call()
                    && o.kind != InteractionKind::Visit
                    && o.status == it.status
                    && o.participants.iter().any(|p| it.participants.contains(p))
                    && compatible(&o.date, &it.date)
                    && o.evidence
                        .iter()
                        .any(|e| it.evidence.iter().any(|f| f.sentence == e.sentence))
            })
            .filter_map(|(_, o)| o.place.clone())
            .collect();
        found.sort();
        found.dedup();
        if let [p] = found.as_slice() {
            all[i].place = Some(p.clone());
        }
    }
}

/// Places the text leaves implicit: an interaction with no place of its own, of a person
/// whose visit the article reports (王毅访问日本 … 王毅会见菅义伟), took place on that visit.
pub(crate) fn fill_places(all: &mut [Interaction], place_kinds: &HashMap<EntityKey, PlaceKind>) {
    let visits: Vec<(EntityKey, Option<DateValue>, EntityKey)> = all
        .iter()
        .filter(|v| v.kind == InteractionKind::Visit)
        .filter_map(|v| Some((v.participants.first()?.clone(), v.date, v.place.clone()?)))
        // (An area is where a tour goes, not where a meeting is: 首度访问东亚.)
        .filter(|(_, _, p)| {
            !matches!(
                place_kinds.get(p),
                Some(PlaceKind::Area | PlaceKind::Continent)
            )
        })
        .collect();
    for it in all.iter_mut() {
        if it.place.is_some() || it.kind.is_call() || it.kind == InteractionKind::Visit {
            continue;
        }
        let mut found: Vec<EntityKey> = visits
            .iter()
            .filter(|(who, date, _)| {
                it.participants.contains(who)
                    && (same_trip(date, &it.date) || date.is_none() || it.date.is_none())
            })
            .map(|(_, _, place)| place.clone())
            .collect::<Vec<_>>();
        found.sort();
        found.dedup();
        if let [p] = found.as_slice() {
            it.place = Some(p.clone());
        }
    }
}

/// Dates of a trip the text leaves implicit: an undated meeting of someone whose stay at the same
/// place the article dates (王毅于11月25日……抵达韩国 … 王毅此行在首尔会见了……康京和) falls in
/// that stay's month; only the month, as the day is not said.
pub(crate) fn fill_trip_dates(all: &mut [Interaction], facts: &[SentenceFacts]) {
    for i in 0..all.len() {
        let it = &all[i];
        if it.date.is_some()
            || it.status != Status::Happened
            || it.kind.is_call()
            || it.kind == InteractionKind::Visit
        {
            continue;
        }
        let Some(place) = it.place.as_ref() else {
            continue;
        };
        let elsewhere = it.evidence.iter().any(|e| {
            facts
                .get(e.sentence)
                .is_none_or(|f| OTHER_TIME.iter().chain(EARLIER).any(|w| f.text.contains(w)))
        });
        if elsewhere {
            continue;
        }
        let mut months: Vec<DateValue> = all
            .iter()
            .filter(|o| {
                o.status == Status::Happened
                    && !o.kind.is_call()
                    && o.place.as_ref() == Some(place)
                    && o.participants.iter().any(|p| it.participants.contains(p))
            })
            .filter_map(|o| o.date)
            .filter(|d| d.month.is_some())
            .map(DateValue::to_month)
            .collect();
        months.sort();
        months.dedup();
        if let [m] = months.as_slice() {
            all[i].date = Some(*m);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Attendee lists are found from the 会 every attended word starts with.
    #[test]
    fn attendee_lists_open_where_they_are_written() {
        assert!(ATTENDED.iter().all(|w| w.starts_with('会')));
        let s = "会谈进行了15分钟，日本方面参加会谈的有外相茂木敏充，出席会见的还有北村滋";
        let opens: Vec<&str> = attendee_lists(s).iter().map(|&i| &s[i..]).collect();
        assert_eq!(opens, ["外相茂木敏充，出席会见的还有北村滋", "北村滋"]);
        assert!(attendee_lists("会谈的有人参加").is_empty());
    }
}
