//! Step 2: roles read right-to-left from a person mention (titles, 前/时任, the country or
//! body), dated by the terms of office.

use crate::lexicon::{CONNECTIVES, CURRENT, FORMER};

use guanxi_core::{EntityKey, EntityKind, Evidence, LocalDate, Role, Span};

use crate::entities::Found;
use crate::segment::Tok;

use crate::{text, Extractor, SpanLen};

impl Extractor {
    /// Roles are dated by the reference day (the dateline's, else the publication day in the
    /// publisher's zone), with the gazetteer's term when it knows one.
    pub(crate) fn date_roles(&self, roles: &mut [Role], reference: Option<LocalDate>) {
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

    /// Whether a name-like word starts at byte `at` of the sentence: one the segmenter tags
    /// as a name, or two or more Chinese characters that are not in its dictionary. A title
    /// before one is not a bare title (印度总理尼赫鲁).
    pub(crate) fn name_starts_at(&self, toks: &[Tok<'_>], at: usize) -> bool {
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

    /// Whether the gazetteer says `person` serves the country `of` (外长商鹏飞 is Canada's):
    /// their country, or a term of office of that country.
    pub(crate) fn serves(&self, person: &EntityKey, of: Option<&EntityKey>) -> bool {
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
    pub(crate) fn opens_clause(
        &self,
        text: &str,
        sentence: Span,
        person: &Found,
        found: &[Found],
    ) -> bool {
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
    pub(crate) fn roles_before(
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
