//! Step 6, dedup: reports with the same participants, compatible dates and kind family are
//! one interaction, keeping the most precise date and place and every evidence sentence.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use guanxi_core::{
    DateValue, EntityKey, Interaction, InteractionFamily, InteractionKind, PlaceKind,
};

use crate::implicit::{fill_places, share_sentence_places};

pub(crate) fn compatible(a: &Option<DateValue>, b: &Option<DateValue>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => x.compatible(y),
        _ => true,
    }
}

/// Dates of one trip: compatible, or days at most three apart.
pub(crate) fn same_trip(a: &Option<DateValue>, b: &Option<DateValue>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) if x.day.is_some() && y.day.is_some() => {
            let n = |d: &DateValue| {
                chrono::NaiveDate::from_ymd_opt(d.year, d.month.unwrap_or(1), d.day.unwrap_or(1))
            };
            match (n(x), n(y)) {
                (Some(p), Some(q)) => (p - q).num_days().abs() <= 3,
                _ => false,
            }
        }
        (Some(x), Some(y)) => x.compatible(y),
        _ => false,
    }
}

/// Whether two reports of one article may be one event by their kinds: kinds of one family,
/// but a phone call and a video call kept apart (an article that names both means two).
pub(crate) fn same_event_kinds(a: InteractionKind, b: InteractionKind) -> bool {
    a.family() == b.family() && (!a.is_call() || a == b)
}

/// Whether participants meet or speak in a report of this kind (not a summit or a visit, which
/// name a frame rather than a contact): on one day, a meeting and a call of the same people
/// are one event.
pub(crate) fn is_contact(k: InteractionKind) -> bool {
    matches!(
        k.family(),
        InteractionFamily::MeetingOrTalks | InteractionFamily::Call
    )
}

pub(crate) fn more_precise(a: Option<DateValue>, b: Option<DateValue>) -> Option<DateValue> {
    match (a, b) {
        (Some(x), Some(y)) => Some(if y.precision() > x.precision() { y } else { x }),
        (x, y) => x.or(y),
    }
}

/// Merges reports of the same event and drops visits that a meeting of the same trip covers.
pub(crate) fn dedup(
    raw: Vec<(Interaction, Option<String>)>,
    captions: &HashSet<usize>,
    place_kinds: &HashMap<EntityKey, PlaceKind>,
) -> Vec<Interaction> {
    let caption_only = |i: &Interaction| i.evidence.iter().all(|e| captions.contains(&e.sentence));
    let mut out: Vec<(Interaction, Option<String>)> = Vec::new();
    for (it, summit) in raw {
        let target = out.iter().position(|(o, os)| {
            // Captions carry old photos' dates: an undated report in the text is not that event.
            if o.date.is_some() && it.date.is_none() && caption_only(o) && !caption_only(&it) {
                return false;
            }
            if it.kind == InteractionKind::Summit && o.kind == InteractionKind::Summit {
                // A summit is one event per name; 这次峰会 refers to the last one.
                return match (&summit, os) {
                    (Some(n), Some(m)) => n.is_empty() || n == m,
                    _ => false,
                } && compatible(&o.date, &it.date);
            }
            let same_day = o.date.is_some_and(|d| d.day.is_some()) && o.date == it.date;
            let groups_match = same_event_kinds(o.kind, it.kind)
                || (same_day && is_contact(o.kind) && is_contact(it.kind));
            groups_match && o.participants == it.participants && compatible(&o.date, &it.date)
        });
        // 这次峰会 attaches to the latest summit.
        let target = if it.kind == InteractionKind::Summit && summit.as_deref() == Some("") {
            out.iter()
                .rposition(|(o, _)| o.kind == InteractionKind::Summit)
                .or(target)
        } else {
            target
        };
        match target {
            Some(i) => {
                let o = &mut out[i].0;
                for p in it.participants {
                    if !o.participants.contains(&p) {
                        o.participants.push(p);
                    }
                }
                o.participants.sort();
                // A call reported as talks is a call.
                if it.kind.is_call() && o.kind.family() == InteractionFamily::MeetingOrTalks {
                    o.kind = it.kind;
                    o.place = None;
                }
                o.date = more_precise(o.date, it.date);
                if o.place.is_none() {
                    o.place = it.place;
                }
                // One statement as news makes it news; else the most specific reference back.
                o.reference = o.reference.min(it.reference);
                o.evidence.extend(it.evidence);
            }
            None => out.push((it, summit)),
        }
    }
    let mut all: Vec<Interaction> = out.into_iter().map(|x| x.0).collect();
    share_sentence_places(&mut all);
    // Places inferred from the trip fill only what no report states.
    fill_places(&mut all, place_kinds);
    // A contact made at a meeting of the same people (两国外长在罗马签署协议) is that meeting.
    let at_meeting = |v: &Interaction| {
        v.kind == InteractionKind::Other
            && all.iter().any(|o| {
                !matches!(o.kind, InteractionKind::Other | InteractionKind::Visit)
                    && v.participants.iter().all(|p| o.participants.contains(p))
                    && compatible(&o.date, &v.date)
                    // (A dated contact is not part of a meeting the text leaves undated.)
                    && !(v.date.is_some() && o.date.is_none())
            })
    };
    let keep: Vec<bool> = all
        .iter()
        .map(|v| {
            !at_meeting(v)
                && (v.kind != InteractionKind::Visit
                    || !all.iter().any(|o| {
                        !matches!(o.kind, InteractionKind::Visit | InteractionKind::Other)
                            && !o.kind.is_call()
                            && o.participants.iter().any(|p| v.participants.contains(p))
                            && (o
                                .evidence
                                .iter()
                                .any(|e| v.evidence.iter().any(|f| f.sentence == e.sentence))
                                || (same_trip(&o.date, &v.date)
                                    && (o.place.is_none()
                                    || v.place.is_none()
                                    || o.place == v.place
                                    // (访华 and a meeting in 北京: the country holds the city.)
                                    || v.place.as_ref().is_some_and(|p| {
                                        place_kinds.get(p) == Some(&PlaceKind::Country)
                                    }))))
                    }))
        })
        .collect();
    all.into_iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(v, _)| v)
        .collect()
}
