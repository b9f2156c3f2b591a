//! Interactions: a trigger word (会见, 会谈, 通电话, 峰会, 访问…) with its participants, date,
//! place and status, read from the clause and sentence around it; then deduplicated so that
//! one event reported several times in an article is one interaction.

use guanxi_core::{
    BlockKind, DateValue, EntityKey, EntityKind, Evidence, Interaction, InteractionKind, Span, Status,
};

use crate::dates::DateMention;
use crate::text::clause_around;

/// A mention as interactions see it.
#[derive(Debug, Clone)]
pub struct M {
    /// Where.
    pub span: Span,
    /// Which entity.
    pub key: EntityKey,
    /// Whether this place mention is the country inside an organisation name (`中国外交部`).
    pub nested: bool,
}

/// One sentence with what was found in it.
#[derive(Debug, Clone)]
pub struct SentenceFacts {
    /// Index in the article's sentence list.
    pub index: usize,
    /// Where.
    pub span: Span,
    /// The kind of block holding it.
    pub block_kind: BlockKind,
    /// The block's span.
    pub block: Span,
    /// Entity mentions, in text order.
    pub mentions: Vec<M>,
    /// Date expressions, in text order.
    pub dates: Vec<DateMention>,
    /// Who a pronoun at the start of this sentence most likely means (the previous subject).
    pub prior_subject: Option<EntityKey>,
}

const PLANNED: &[&str] = &["将于", "将在", "将同", "将与", "将会", "将", "计划", "拟", "预计", "即将", "准备", "打算", "有望", "安排"];
const CANCELLED: &[&str] = &["取消", "推迟", "延期", "搁置", "叫停"];
const PLACE_CUES: &[&str] = &["在", "于", "赴", "到访", "访问", "抵达", "前往", "飞抵", "出访", "来到", "到"];
const CONJ: &[char] = &['与', '同', '跟', '和', '及'];
const PRONOUNS: &[&str] = &["他", "她"];
const ANAPHORIC_SUMMIT: &[&str] = &["这次", "此次", "该", "本次", "那次", "这一", "这场", "该次"];

/// Finds the interactions of one sentence.
pub fn in_sentence(
    text: &str,
    triggers: &[(String, InteractionKind)],
    sf: &SentenceFacts,
    block_dates: &[DateMention],
    out: &mut Vec<(Interaction, Option<String>)>,
) {
    let s = sf.span.slice(text);
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let mut found: Vec<(usize, usize, InteractionKind)> = Vec::new();
    for (w, kind) in triggers {
        for (i, _) in s.match_indices(w.as_str()) {
            let (a, b) = (sf.span.start + i, sf.span.start + i + w.len());
            if taken.iter().any(|&(x, y)| a < y && x < b) || sf.mentions.iter().any(|m| m.span.start < b && a < m.span.end) {
                continue;
            }
            taken.push((a, b));
            found.push((a, b, *kind));
        }
    }
    found.sort();
    for (a, b, kind) in found {
        if let Some(x) = one(text, sf, block_dates, a, b, kind) {
            out.push(x);
        }
    }
}

fn persons(ms: &[M]) -> impl Iterator<Item = &M> {
    ms.iter().filter(|m| m.key.kind == EntityKind::Person)
}

fn one(
    text: &str,
    sf: &SentenceFacts,
    block_dates: &[DateMention],
    a: usize,
    b: usize,
    kind: InteractionKind,
) -> Option<(Interaction, Option<String>)> {
    let clause = clause_around(text, sf.span, a);
    let before = &text[clause.start..a];
    let in_clause: Vec<&M> = persons(&sf.mentions).filter(|m| clause.contains(m.span)).collect();
    let left: Vec<&M> = in_clause.iter().copied().filter(|m| m.span.end <= a).collect();
    let right: Vec<&M> = in_clause.iter().copied().filter(|m| m.span.start >= b).collect();

    let mut parts: Vec<EntityKey> = Vec::new();
    let conj_first = left.first().is_some_and(|m| text[clause.start..m.span.start].contains(CONJ));
    if left.is_empty() || conj_first {
        // The subject stands earlier: a pronoun in this clause, or the sentence's first person.
        let pronoun = PRONOUNS.iter().any(|p| before.contains(p));
        let earlier = persons(&sf.mentions).find(|m| m.span.end <= clause.start).map(|m| m.key.clone());
        let sentence_pronoun = PRONOUNS.iter().any(|p| sf.span.slice(text).starts_with(p));
        let subject = if pronoun && earlier.is_none() {
            sf.prior_subject.clone()
        } else {
            earlier.or_else(|| if sentence_pronoun { sf.prior_subject.clone() } else { None })
        };
        if let Some(k) = subject {
            parts.push(k);
        }
    }
    parts.extend(left.iter().map(|m| m.key.clone()));
    if kind != InteractionKind::Visit {
        parts.extend(right.iter().map(|m| m.key.clone()));
    }
    parts.sort();
    parts.dedup();
    let enough = match kind {
        InteractionKind::Visit | InteractionKind::Summit | InteractionKind::Talks => !parts.is_empty(),
        _ => parts.len() >= 2,
    };
    if !enough {
        return None;
    }

    let clause_text = clause.slice(text);
    let status = if CANCELLED.iter().any(|w| clause_text.contains(w)) {
        Status::Cancelled
    } else if PLANNED.iter().any(|w| before.contains(w)) && !before.contains('已') && !before.contains("曾") {
        Status::Planned
    } else {
        Status::Happened
    };

    let date = pick_date(sf, block_dates, clause, a, b);
    let place = match kind {
        InteractionKind::PhoneCall | InteractionKind::VideoCall => None,
        _ => pick_place(text, sf, clause, a, b, kind),
    };
    let summit = (kind == InteractionKind::Summit).then(|| summit_name(before));
    let evidence = Evidence { sentence: sf.index, span: sf.span, trigger: Span::new(a, b) };
    Some((Interaction { kind, participants: parts, date, place, status, evidence: vec![evidence] }, summit))
}

fn pick_date(sf: &SentenceFacts, block_dates: &[DateMention], clause: Span, a: usize, b: usize) -> Option<DateValue> {
    let in_clause = |d: &&DateMention| clause.contains(d.span);
    // Nearest before the trigger in the clause, then after it in the clause.
    if let Some(d) = sf.dates.iter().filter(in_clause).filter(|d| d.span.end <= a).last() {
        return Some(d.value);
    }
    if let Some(d) = sf.dates.iter().filter(in_clause).find(|d| d.span.start >= b) {
        return Some(d.value);
    }
    // Elsewhere in the sentence: nearest, but never a bare year far from the trigger.
    let near = sf
        .dates
        .iter()
        .filter(|d| d.value.month.is_some())
        .min_by_key(|d| if d.span.end <= a { a - d.span.end } else { d.span.start.saturating_sub(b) + 1 });
    if let Some(d) = near {
        return Some(d.value);
    }
    // Photo captions carry their date apart: `……握手。(2013年3月23日)`.
    if sf.block_kind == BlockKind::Caption {
        return block_dates.iter().find(|d| sf.block.contains(d.span) && d.value.day.is_some()).map(|d| d.value);
    }
    None
}

fn pick_place(text: &str, sf: &SentenceFacts, clause: Span, a: usize, b: usize, kind: InteractionKind) -> Option<EntityKey> {
    let places: Vec<&M> = sf.mentions.iter().filter(|m| m.key.kind == EntityKind::Place && !m.nested).collect();
    let cued = |m: &&M| PLACE_CUES.iter().any(|c| text[sf.span.start..m.span.start].ends_with(c));
    if kind == InteractionKind::Visit {
        if let Some(m) = places.iter().find(|m| m.span.start == b || (m.span.start > b && clause.contains(m.span) && m.span.start - b <= 6)) {
            return Some(m.key.clone());
        }
    }
    if let Some(m) = places.iter().filter(|m| m.span.end <= a).filter(cued).last() {
        return Some(m.key.clone());
    }
    places.iter().filter(|m| m.span.start >= b && clause.contains(m.span)).find(cued).map(|m| m.key.clone())
}

/// A name for the summit (text before 峰会 in its clause), or `""` for 这次峰会.
fn summit_name(before: &str) -> String {
    if ANAPHORIC_SUMMIT.iter().any(|w| before.ends_with(w)) {
        return String::new();
    }
    let start = before.rfind(['在', '的', '了']).map_or(0, |i| i + '在'.len_utf8());
    before[start..].chars().rev().take(12).collect::<Vec<_>>().into_iter().rev().collect()
}

fn compatible(a: &Option<DateValue>, b: &Option<DateValue>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => x.compatible(y),
        _ => true,
    }
}

fn group(k: InteractionKind) -> u8 {
    match k {
        InteractionKind::Meeting | InteractionKind::Talks => 0,
        InteractionKind::PhoneCall => 1,
        InteractionKind::VideoCall => 2,
        InteractionKind::Summit => 3,
        InteractionKind::Visit => 4,
    }
}

fn more_precise(a: Option<DateValue>, b: Option<DateValue>) -> Option<DateValue> {
    match (a, b) {
        (Some(x), Some(y)) => Some(if y.precision() > x.precision() { y } else { x }),
        (x, y) => x.or(y),
    }
}

/// Merges reports of the same event and drops visits that a meeting of the same trip covers.
pub fn dedup(raw: Vec<(Interaction, Option<String>)>) -> Vec<Interaction> {
    let mut out: Vec<(Interaction, Option<String>)> = Vec::new();
    for (it, summit) in raw {
        let target = out.iter().position(|(o, os)| {
            if it.kind == InteractionKind::Summit && o.kind == InteractionKind::Summit {
                // A summit is one event per name; 这次峰会 refers to the last one.
                return match (&summit, os) {
                    (Some(n), Some(m)) => n.is_empty() || n == m,
                    _ => false,
                } && compatible(&o.date, &it.date);
            }
            group(o.kind) == group(it.kind) && o.participants == it.participants && compatible(&o.date, &it.date)
        });
        // 这次峰会 attaches to the latest summit.
        let target = if it.kind == InteractionKind::Summit && summit.as_deref() == Some("") {
            out.iter().rposition(|(o, _)| o.kind == InteractionKind::Summit).or(target)
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
                o.date = more_precise(o.date, it.date);
                if o.place.is_none() {
                    o.place = it.place;
                }
                o.evidence.extend(it.evidence);
            }
            None => out.push((it, summit)),
        }
    }
    let all: Vec<Interaction> = out.into_iter().map(|x| x.0).collect();
    let keep: Vec<bool> = all
        .iter()
        .map(|v| {
            v.kind != InteractionKind::Visit
                || !all.iter().any(|o| {
                    o.kind != InteractionKind::Visit
                        && o.participants.iter().any(|p| v.participants.contains(p))
                        && (o.evidence.iter().any(|e| v.evidence.iter().any(|f| f.sentence == e.sentence))
                            || (o.date.is_some() && v.date.is_some() && compatible(&o.date, &v.date) && (o.place.is_none() || o.place == v.place)))
                })
        })
        .collect();
    all.into_iter().zip(keep).filter(|(_, k)| *k).map(|(v, _)| v).collect()
}
