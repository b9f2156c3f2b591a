//! Title references: a title standing for its holder (两国外长, 美国国务卿), resolved to the
//! person who held it.

use crate::lexicon::{
    COUNTRIES_TOGETHER, GROUP_BEFORE, MEETING_AFTER_TITLE, PLACE_JOINER, STAFF_OF_TITLE,
    TITLE_LIST_JOINER,
};

use guanxi_core::{EntityKey, EntityKind, Span};

use crate::interactions::ClauseMention;

use crate::{Extractor, Read, SpanLen};

impl Extractor {
    /// Titles that stand for a person without naming them (法国总统避开媒体会晤…): resolved
    /// when exactly one person of the article holds that title (of that country, when given).
    pub(crate) fn title_refs(&self, read: &Read<'_, '_>, si: usize) -> Vec<ClauseMention> {
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
                || text[span.end..].starts_with(TITLE_LIST_JOINER)
                // (法国总统外事顾问博纳: the title owns another office.)
                || STAFF_OF_TITLE.iter().any(|w| text[span.end..].starts_with(w))
                // (贸易部长视频会议: the title names a meeting, not a person.)
                || MEETING_AFTER_TITLE
                    .iter()
                    .any(|w| text[span.end..].starts_with(w))
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
                        country: of.clone().filter(|o| o.kind == EntityKind::Place),
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
                while let Some(joiner) = PLACE_JOINER
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
                let head = COUNTRIES_TOGETHER
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
}
