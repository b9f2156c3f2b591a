//! Date expressions: absolute (`2025年2月28日`, `2月3日`) and relative (`今天`, `周二`,
//! `去年10月`, `三月份`, `上周`), resolved against the publication date in the publisher's zone.

use crate::lexicon::{
    FUTURE_AFTER, FUTURE_CUES, NAME_AFTER_SAME_DAY, PARTS_OF_DAY, PAST_PLAN, SINCE, SINCE_AFTER,
    WORD_AFTER_THIS_DAY,
};
use std::sync::LazyLock;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use guanxi_core::{DateValue, LocalDate, Span};
use regex::Regex;

/// A date expression found in a sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateMention {
    /// Where it is (bytes, article text).
    pub span: Span,
    /// What it resolves to.
    pub value: DateValue,
    /// Whether the year (or month) was inferred from the publication date.
    pub inferred: bool,
    /// `当天`, `当日`: the day last mentioned before (the caller resolves it; `value` holds the
    /// reference date meanwhile).
    pub same_day: bool,
}

const NUM: &str = r"(?:\d{1,2}|[一二三四五六七八九十两]{1,3})";

static PATTERNS: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    let p = |form: Form, needs: &'static [u32], s: String| {
        Regex::new(&s).ok().map(|re| Pattern { form, needs, re })
    };
    [
        p(
            Form::YMD, &[DIGIT_YEAR, NUM_MONTH, NUM_DAY],
            format!(r"(\d{{4}})\s*年\s*({NUM})\s*月\s*({NUM})\s*[日号]"),
        ),
        p(Form::YM, &[DIGIT_YEAR, NUM_MONTH], format!(r"(\d{{4}})\s*年\s*({NUM})\s*月份?")),
        p(
            Form::RelYearMD, &[REL_YEAR_WORD, NUM_MONTH, DIGIT | NUMERAL],
            format!(r"(去年|今年|明年|前年)\s*({NUM})\s*月(?:\s*({NUM})\s*[日号])?份?"),
        ),
        // 10月26至27日, 9月9日至11日: a range starts on its first day.
        p(
            Form::MD, &[NUM_MONTH, NUM_DAY, DIGIT, RANGE],
            format!(
                r"({NUM})\s*月\s*({NUM})\s*[日号]?\s*(?:至|到|-|—|–|～|~)\s*\d{{1,2}}\s*[日号]"
            ),
        ),
        p(Form::MD, &[NUM_MONTH, NUM_DAY, DIGIT | NUMERAL], format!(r"({NUM})\s*月\s*({NUM})\s*[日号]")),
        p(
            Form::RelMonthD, &[REL_MONTH_WORD, NUM_DAY, DIGIT | NUMERAL],
            format!(r"(本月|上月|上个月|下月|下个月)\s*({NUM})\s*[日号]"),
        ),
        // 周一和周二, 星期六至星期日, 下周四和周五: a range of days starts on its first.
        p(
            Form::Weekday, &[WEEK_WORD, NUMERAL | DAY_CHAR | TIAN, WEEK_RANGE],
            r"(上上|上|本|这|下)?(?:个)?(?:周|星期|礼拜)([一二三四五六日天])(?:和|与|及|至|到|、|-)(?:周|星期|礼拜)?[一二三四五六日天]".to_string(),
        ),
        p(
            Form::Weekday, &[WEEK_WORD, NUMERAL | DAY_CHAR | TIAN],
            r"(上上|上|本|这|下)?(?:个)?(?:周|星期|礼拜)([一二三四五六日天])".to_string(),
        ),
        p(
            Form::RelDay, &[REL_DAY_WORD],
            r"(今天|今日|昨天|昨日|前天|明天|明日|后天|本周末|上周末)".to_string(),
        ),
        p(Form::SameDay, &[SAME_DAY_WORD], r"(当天|当日|当晚|同日|同一天|这一天)".to_string()),
        p(
            Form::RelWeek, &[REL_WEEK_WORD],
            r"(上周|上星期|上个星期|本周|这周|这个星期|下周|下星期|下个星期)".to_string(),
        ),
        p(
            Form::RelMonth, &[REL_MONTH_WORD],
            r"(上个月|上月|本月|这个月|下个月|下月)".to_string(),
        ),
        p(Form::YearsAgo, &[NUM_YEAR, YEARS_AGO_WORD], format!(r"({NUM})年(前|后)")),
        p(
            Form::Y, &[DIGIT_YEAR],
            r"(\d{4})\s*年(?:[^\d一二三四五六七八九十两代]|$)".to_string(),
        ),
        p(Form::RelYear, &[REL_YEAR_WORD], r"(去年|今年|明年|前年)".to_string()),
        p(Form::M, &[NUM_MONTH, DIGIT | NUMERAL], format!(r"({NUM})月份?")),
        p(
            Form::D, &[NUM_DAY, DIGIT, RANGE],
            r"(当地时间|本月)?(\d{1,2})[日号]?(?:至|到|-|—|–|～|~)\d{1,2}[日号]".to_string(),
        ),
        // (十四日, 二十三日: a day in numerals with 十 is a day; 一日 alone may be "one day".)
        p(
            Form::D, &[NUM_DAY, DIGIT | NUMERAL],
            r"(当地时间|本月)?(\d{1,2}|[二三]?十[一二三四五六七八九]?)[日号]".to_string(),
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
});

/// A date pattern, with the cues a sentence must hold for it to match: one of each group.
struct Pattern {
    form: Form,
    needs: &'static [u32],
    re: Regex,
}

// Cues (bits of a sentence's cue set).
const YEAR: u32 = 1; // 年
const MONTH: u32 = 1 << 1; // 月
const DAY: u32 = 1 << 2; // 日 or 号
const DAY_CHAR: u32 = 1 << 3; // 日 (of 星期日)
const TIAN: u32 = 1 << 4; // 天
const ZHOU: u32 = 1 << 5; // 周
const XING: u32 = 1 << 6; // 星
const BAI: u32 = 1 << 7; // 拜 (of 礼拜)
const DIGIT: u32 = 1 << 8; // any decimal digit
const NUMERAL: u32 = 1 << 9; // 一 to 六, 七 to 十, 两
const REL_YEAR: u32 = 1 << 10; // 去, 今, 明 or 前 (of 去年 …)
const REL_MONTH: u32 = 1 << 11; // 本, 上 or 下 (of 本月 …)
const BEFORE_AFTER: u32 = 1 << 12; // 前 or 后
const SAME: u32 = 1 << 13; // 当 or 同
const ANCHOR: u32 = 1 << 14; // 前, 期, 之, 当, 上, 开 or 闭: every word of [`ANCHORS`] holds one
const NUM_YEAR: u32 = 1 << 15; // 年 after a digit or numeral (white space between)
const NUM_MONTH: u32 = 1 << 16; // 月 after a digit or numeral
const NUM_DAY: u32 = 1 << 17; // 日 or 号 after a digit or numeral
const WEEK_WORD: u32 = 1 << 18; // 周, 星期 or 礼拜
const REL_DAY_WORD: u32 = 1 << 19; // 今天 … 后天 (天 or 日 after 今, 昨, 前, 明 or 后), 周末
const SAME_DAY_WORD: u32 = 1 << 20; // 当天, 当日, 当晚, 同日, 同一, 这一
const REL_MONTH_WORD: u32 = 1 << 21; // 月 after 上, 本, 下 or 个
const REL_YEAR_WORD: u32 = 1 << 22; // 年 after 去, 今, 明 or 前
const RANGE: u32 = 1 << 23; // 至, 到, -, —, –, ～ or ~: what joins the days of a range
const WEEK_RANGE: u32 = 1 << 24; // 和, 与, 及, 至, 到, 、 or -: what joins two weekdays
const DIGIT_YEAR: u32 = 1 << 25; // 年 after a digit (white space between)
const REL_WEEK_WORD: u32 = 1 << 26; // 周 after 上, 本, 这 or 下; 星 after 上, 下 or 个
const YEARS_AGO_WORD: u32 = 1 << 27; // 前 or 后 after 年

/// The cues two characters make together (the word cues).
fn word_cue(prev: char, c: char) -> u32 {
    (match (prev, c) {
        (_, '周') | ('星', '期') | ('礼', '拜') => WEEK_WORD,
        ('今' | '昨' | '前' | '明' | '后', '天' | '日') | ('周', '末') => REL_DAY_WORD,
        ('当', '天' | '日' | '晚') | ('同' | '这', '日' | '一') => SAME_DAY_WORD,
        ('上' | '本' | '下' | '个', '月') => REL_MONTH_WORD,
        ('去' | '今' | '明' | '前', '年') => REL_YEAR_WORD,
        ('年', '前' | '后') => YEARS_AGO_WORD,
        _ => 0,
    }) | match (prev, c) {
        ('上' | '本' | '这' | '下', '周') | ('上' | '下' | '个', '星') => REL_WEEK_WORD,
        _ => 0,
    }
}

/// The cues `text` holds, in one pass over its characters.
#[cfg(test)]
fn cues(text: &str) -> u32 {
    cues_and_units(text).0
}

/// The cues of a number's unit: 年 after a digit, 月 after a number, 日 or 号 after a number.
const UNITS: u32 = DIGIT_YEAR | NUM_MONTH | NUM_DAY;

/// The cues `text` holds, and where each unit cue ([`UNITS`]) stands: its bit and the byte
/// offset of its character.
fn cues_and_units(text: &str) -> (u32, Vec<(u32, usize)>) {
    let mut units = Vec::new();
    let mut set = 0;
    // Whether the last character other than white space was a digit or a numeral, and
    // whether it was a digit.
    let mut after_number = false;
    let mut after_digit = false;
    // The character before (white space too: words are read as written).
    let mut prev = ' ';
    for (i, c) in text.char_indices() {
        let before = std::mem::replace(&mut prev, c);
        let u = c as u32;
        let bits = if u < 0x80 {
            if c.is_ascii_digit() {
                DIGIT
            } else if c.is_ascii_whitespace() || c == '\u{b}' {
                continue;
            } else {
                cue_of(c)
            }
        } else if is_cjk_or_punctuation(u) {
            // Most such characters are no cue and no space: one bit of a small filter says so.
            let k = (u & 1023) as usize;
            if CUE_FILTER[k >> 6] >> (k & 63) & 1 == 0 {
                after_number = false;
                after_digit = false;
                continue;
            }
            if c.is_whitespace() {
                continue;
            }
            cue_of(c) | word_cue(before, c)
        } else if c.is_whitespace() {
            continue;
        } else {
            cue_of(c)
        };
        let mut unit = 0;
        if after_number {
            unit |= match c {
                '年' => NUM_YEAR,
                '月' => NUM_MONTH,
                '日' | '号' => NUM_DAY,
                _ => 0,
            };
        }
        if after_digit && c == '年' {
            unit |= DIGIT_YEAR;
        }
        if unit & UNITS != 0 {
            units.push((unit & UNITS, i));
        }
        after_number = bits & (DIGIT | NUMERAL) != 0;
        after_digit = bits & DIGIT != 0;
        set |= bits | unit;
    }
    (set, units)
}

/// Which of the patterns whose cues a sentence holds are run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternRun {
    /// All but those each of whose matches would fall in a date already taken (they can
    /// add nothing).
    SkipTaken,
    /// Every one: the reference the skipping is held to.
    Every,
}

/// Whether every match of a pattern needing `needs` would overlap a date already `taken`:
/// each match holds a unit cue of each unit the pattern needs, so when every such cue stands
/// inside a date taken, so does part of every match.
fn all_taken(needs: &[u32], units: &[(u32, usize)], taken: &[(usize, usize)]) -> bool {
    !taken.is_empty()
        && needs.iter().any(|&group| {
            group & UNITS == group
                && units
                    .iter()
                    .filter(|(bit, _)| bit & group != 0)
                    .all(|&(_, at)| taken.iter().any(|&(a, b)| a <= at && at < b))
        })
}

/// Chinese characters, punctuation and full-width forms: the ranges where the only cues
/// are the characters [`CUE_CHARS`] lists.
fn is_cjk_or_punctuation(u: u32) -> bool {
    matches!(u, 0x2000..=0x2bff | 0x3000..=0x9fff | 0xff00..=0xffef)
}

/// The cue characters among Chinese characters, punctuation and full-width forms.
const CUE_CHARS: &str = "年月日号天周星拜一二三四五六七八九十两去今明前后上本下当同期之开闭晚末０１２３４５６７８９至到和与及、—–～";

/// The white space among Chinese characters, punctuation and full-width forms.
const SPACES: &str = "\u{2000}\u{2001}\u{2002}\u{2003}\u{2004}\u{2005}\u{2006}\u{2007}\u{2008}\u{2009}\u{200a}\u{2028}\u{2029}\u{202f}\u{205f}\u{3000}";

/// A bit for each code point modulo 1024 that some cue character or space has.
static CUE_FILTER: LazyLock<[u64; 16]> = LazyLock::new(|| {
    let mut bits = [0u64; 16];
    for c in CUE_CHARS.chars().chain(SPACES.chars()) {
        let k = (c as u32 & 1023) as usize;
        bits[k >> 6] |= 1 << (k & 63);
    }
    bits
});

/// The cues of one character.
fn cue_of(c: char) -> u32 {
    match c {
        '0'..='9' => DIGIT,
        '年' => YEAR,
        '月' => MONTH,
        '日' => DAY | DAY_CHAR,
        '号' => DAY,
        '天' => TIAN,
        '周' => ZHOU,
        '星' => XING,
        '拜' => BAI,
        '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十' | '两' => {
            NUMERAL
        }
        '去' | '今' | '明' => REL_YEAR,
        '前' => REL_YEAR | BEFORE_AFTER | ANCHOR,
        '后' => BEFORE_AFTER,
        '上' => REL_MONTH | ANCHOR,
        '本' | '下' => REL_MONTH,
        '当' => SAME | ANCHOR,
        '同' => SAME,
        '期' | '之' | '开' | '闭' => ANCHOR,
        '至' | '到' | '-' => RANGE | WEEK_RANGE,
        '—' | '–' | '～' | '~' => RANGE,
        '和' | '与' | '及' | '、' => WEEK_RANGE,
        // (Only other scripts need the table: Chinese characters, punctuation and the
        // full-width forms other than ０–９ hold no digit.)
        '０'..='９' => DIGIT,
        '\u{0}'..='\u{7f}'
        | '\u{2000}'..='\u{2bff}'
        | '\u{3000}'..='\u{9fff}'
        | '\u{ff00}'..='\u{ffef}' => 0,
        c if c.is_numeric() => DIGIT,
        _ => 0,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::upper_case_acronyms)]
enum Form {
    YMD,
    YM,
    RelYearMD,
    MD,
    RelMonthD,
    Weekday,
    RelDay,
    SameDay,
    RelWeek,
    RelMonth,
    YearsAgo,
    Y,
    RelYear,
    M,
    D,
}

/// Parses a number written in digits or Chinese numerals up to 99.
pub fn parse_num(s: &str) -> Option<u32> {
    if let Ok(n) = s.parse::<u32>() {
        return Some(n);
    }
    // Full-width digits (２０２０年１１月): the patterns' \d matches them, so must this.
    if s.chars().all(|c| ('０'..='９').contains(&c)) && !s.is_empty() {
        return s.chars().try_fold(0u32, |n, c| {
            n.checked_mul(10)?.checked_add(c as u32 - '０' as u32)
        });
    }
    let digit = |c: char| {
        "零一二三四五六七八九"
            .find(c)
            .map(|i| (i / 3) as u32)
            .or((c == '两').then_some(2))
    };
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        [c] if *c == '十' => Some(10),
        [c] => digit(*c),
        ['十', u] => Some(10 + digit(*u)?),
        [t, '十'] => Some(10 * digit(*t)?),
        [t, '十', u] => Some(10 * digit(*t)? + digit(*u)?),
        _ => None,
    }
}

/// Days from `from` to the day of `to`, when `to` is a day.
pub(crate) fn days_between(from: LocalDate, to: DateValue) -> Option<i64> {
    let to = LocalDate {
        year: to.year,
        month: to.month?,
        day: to.day?,
    };
    Some((to_naive(to)? - to_naive(from)?).num_days())
}

fn to_naive(d: LocalDate) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(d.year, d.month, d.day)
}

/// A reference day that relative dates can be counted from: a real day of the years 1–9999,
/// so that a century more or less stays in the calendar. Against any other day (the metadata
/// of a hostile file) only explicit dates resolve.
fn reckonable(d: LocalDate) -> bool {
    (1..=9999).contains(&d.year) && to_naive(d).is_some()
}

fn from_naive(d: NaiveDate) -> LocalDate {
    LocalDate {
        year: d.year(),
        month: d.month(),
        day: d.day(),
    }
}

fn weekday(c: &str) -> Option<Weekday> {
    Some(match c {
        "一" => Weekday::Mon,
        "二" => Weekday::Tue,
        "三" => Weekday::Wed,
        "四" => Weekday::Thu,
        "五" => Weekday::Fri,
        "六" => Weekday::Sat,
        "日" | "天" => Weekday::Sun,
        _ => return None,
    })
}

fn valid_day(y: i32, m: u32, d: u32) -> Option<DateValue> {
    NaiveDate::from_ymd_opt(y, m, d).map(|n| DateValue::day(from_naive(n)))
}

/// The month precision of a week, when the whole week lies in one month.
fn week_month(monday: NaiveDate) -> Option<DateValue> {
    let sunday = monday + Duration::days(6);
    (monday.month() == sunday.month()).then(|| DateValue::month(monday.year(), monday.month()))
}

/// Gives each 当天 of a sentence's dates (in order) the day last named: an earlier day of the
/// sentence, else `last_day` (the last day named before it), if any. Returns the last day
/// named once the sentence is read.
pub(crate) fn same_day_is_last_day(
    dates: &mut [DateMention],
    mut last_day: Option<DateValue>,
) -> Option<DateValue> {
    for d in dates {
        if d.same_day {
            if let Some(day) = last_day {
                d.value = day;
            }
        } else if d.value.day.is_some() {
            last_day = Some(d.value);
        }
    }
    last_day
}

/// Finds the date expressions of `text` (a sentence starting at byte `offset` of the article),
/// resolved against `published` (the local publication date). Without a publication date only
/// fully explicit dates resolve.
pub fn find_dates(text: &str, offset: usize, published: Option<LocalDate>) -> Vec<DateMention> {
    find_dates_with(text, offset, published, PatternRun::SkipTaken)
}

/// [`find_dates`], running the patterns `run` says (the same dates either way).
pub fn find_dates_with(
    text: &str,
    offset: usize,
    published: Option<LocalDate>,
    run: PatternRun,
) -> Vec<DateMention> {
    find_event_dates(text, offset, published, run, &|_| false)
}

/// [`find_dates_with`], where `holds_event` says whether a phrase names an event (an
/// interaction trigger): a date that starts a duration at such an event (自1972年尼克松访华
/// 以来) is that event's date.
pub fn find_event_dates(
    text: &str,
    offset: usize,
    published: Option<LocalDate>,
    run: PatternRun,
    holds_event: &dyn Fn(&str) -> bool,
) -> Vec<DateMention> {
    let published = published.filter(|&p| reckonable(p));
    let mut found: Vec<DateMention> = Vec::new();
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let pub_naive = published.and_then(to_naive);
    // Most sentences hold the cues of no pattern at all.
    let (cues, units) = cues_and_units(text);
    for Pattern { form, needs, re } in PATTERNS.iter() {
        if !needs.iter().all(|&group| cues & group != 0)
            || (run == PatternRun::SkipTaken && all_taken(needs, &units, &taken))
        {
            continue;
        }
        for c in re.captures_iter(text) {
            let Some(m) = c.get(0) else { continue };
            let (mut s, mut e) = (m.start(), m.end());
            if *form == Form::Y {
                // The pattern looks one character past 年 to exclude 年代 etc.
                e = s + text[s..e].find('年').map_or(e - s, |i| i + '年'.len_utf8());
            }
            if *form == Form::D && c.get(1).is_none() {
                // A bare day must not follow a month or digit (`3月5日` is handled above).
                if text[..s].ends_with(|ch: char| ch.is_ascii_digit() || ch == '月') {
                    continue;
                }
            }
            if *form == Form::M {
                let prev = text[..s].chars().next_back();
                if prev.is_some_and(|ch| ch.is_ascii_digit() || ch == '年' || "个几数".contains(ch))
                {
                    continue;
                }
                // 一月 as a count (一个月) is excluded above; `月` followed by 份 or nothing is a month.
            }
            if taken.iter().any(|&(a, b)| s < b && a < e) {
                continue;
            }
            let g = |i: usize| c.get(i).map(|x| x.as_str());
            // 同日本外相会谈: with Japan's minister, not the same day; 这一天然气管道: this gas
            // pipeline, not this day.
            if *form == Form::SameDay
                && ((g(1).is_some_and(|w| w.starts_with('同'))
                    && text[e..].starts_with(NAME_AFTER_SAME_DAY))
                    || (g(1).is_some_and(|w| w.starts_with('这'))
                        && text[e..].starts_with(WORD_AFTER_THIS_DAY)))
            {
                continue;
            }
            // “他说他今天来外滩峰会”: in a quotation, 今天 is the day the words were said, which
            // the news may not be written on.
            if *form == Form::RelDay && crate::text::in_quotation(&text[..s]) {
                taken.push((s, e));
                continue;
            }
            // The eight characters before the date.
            let lead_start = text[..s].char_indices().rev().nth(7).map_or(0, |(i, _)| i);
            let lead = &text[lead_start..s];
            let has = |cues: &[&str]| cues.iter().any(|c| lead.contains(c));
            // 拟于周五, 周一和周二将会晤, 可能会在星期二 — but not a plan that fell through
            // (本来计划九月份…也无法进行).
            let future = (has(FUTURE_CUES)
                || FUTURE_AFTER.iter().any(|c| text[e..].starts_with(c)))
                && !has(PAST_PLAN);
            // 在捷克前总统哈维尔访台16年后, 两年后返回南非时被捕: N years after an event the text
            // names, not after the reference day; only what is to come (将在两年后) counts from it.
            if *form == Form::YearsAgo && g(2) == Some("后") && !future {
                taken.push((s, e));
                continue;
            }
            let Some((value, inferred)) = resolve(*form, &g, published, pub_naive, future) else {
                continue;
            };
            if *form == Form::D {
                if let Some(pre) = c.get(1) {
                    if pre.as_str() == "当地时间" {
                        s = pre.end();
                    }
                }
            }
            // trim spaces
            while text[s..e].starts_with(' ') {
                s += 1;
            }
            // 自5月初对峙以来: the start of a duration, not the time of an event (but 起自9月1日
            // starts a visit).
            let since =
                SINCE.iter().any(|w| text[..s].ends_with(w)) && !text[..s].ends_with("起自");
            // (16日就任首相以来: the date starts a duration however far in its clause 以来 comes.)
            let clause_after = text[e..]
                .find(crate::text::CLAUSE_END)
                .map_or(&text[e..], |k| &text[e..e + k]);
            let since_after = SINCE_AFTER.iter().any(|w| {
                clause_after
                    .find(w)
                    .is_some_and(|k| clause_after[..k].chars().count() <= 8)
            });
            // (自1972年尼克松访华以来: unless the phrase up to 以来 names the event that starts
            // the duration; the date is that event's.)
            let phrase = SINCE_AFTER
                .iter()
                .filter_map(|w| clause_after.find(w))
                .min()
                .map(|k| &clause_after[..k]);
            if (since || since_after) && !phrase.is_some_and(holds_event) {
                taken.push((s, e));
                continue;
            }
            taken.push((s, e));
            found.push(DateMention {
                span: Span::new(offset + s, offset + e),
                value,
                inferred,
                same_day: *form == Form::SameDay,
            });
        }
    }
    let anchors = if cues & ANCHOR != 0 && may_anchor_event(text) {
        event_anchors(text, published)
    } else {
        Vec::new()
    };
    for ev in anchors {
        let (s, e) = ev.0;
        if taken.iter().any(|&(a, b)| s < b && a < e) {
            continue;
        }
        taken.push((s, e));
        found.push(DateMention {
            span: Span::new(offset + s, offset + e),
            value: ev.1,
            inferred: false,
            same_day: false,
        });
    }
    found.sort_by_key(|d| d.span.start);
    for i in 0..found.len() {
        // 周二（9月15日）, 昨天（2月3日）, 周五晚(9月18日): the date in brackets says which day
        // is meant (a part of the day may stand between).
        if let Some(next) = found.get(i + 1).copied() {
            let between = &text[found[i].span.end - offset..next.span.start - offset];
            let between = PARTS_OF_DAY
                .iter()
                .find_map(|p| between.strip_prefix(p))
                .unwrap_or(between);
            if matches!(between, "（" | "(") && next.value.day.is_some() && !found[i].same_day {
                found[i].value = next.value;
            }
        }
        // 下周三拜登就任总统当日: 当日 is the day named before it.
        if found[i].same_day {
            if let Some(day) = found[..i].iter().rev().find(|d| d.value.day.is_some()) {
                found[i].value = day.value;
            }
        }
    }
    found
}

/// The day of a dateline at the head of a text (`（中央社柏林1日综合外电报导）`,
/// `新华社北京9月1日电`): reports filed abroad say 今天 for the dateline's day, which may
/// precede the publication day. It is the latest such day of the week up to publication.
pub fn dateline_day(head: &str, published: Option<LocalDate>) -> Option<LocalDate> {
    let p = published.filter(|&p| reckonable(p))?;
    let caps = DATELINE.as_ref()?.captures(head)?;
    let day: u32 = caps.get(1)?.as_str().parse().ok()?;
    let pub_day = to_naive(p)?;
    (0..7)
        .map(|back| pub_day - Duration::days(back))
        .find(|d| d.day() == day)
        .map(from_naive)
}

/// A dateline at the head of a paragraph; group 1 is its day.
pub static DATELINE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^[（(]?[^）)。，]{0,24}?(?:\d{1,2}月)?(\d{1,2})日[^）)。，]{0,10}?(?:电|报导|报道|专电|讯)[）)]?").ok()
});

type Groups<'a> = dyn Fn(usize) -> Option<&'a str> + 'a;

fn resolve(
    form: Form,
    g: &Groups<'_>,
    published: Option<LocalDate>,
    pn: Option<NaiveDate>,
    future: bool,
) -> Option<(DateValue, bool)> {
    let num = |i: usize| g(i).and_then(parse_num);
    let pubd = published;
    match form {
        Form::YMD => Some((valid_day(num(1)? as i32, num(2)?, num(3)?)?, false)),
        Form::YM => {
            let m = num(2)?;
            let y = num(1)? as i32;
            (1..=12)
                .contains(&m)
                .then_some((DateValue::month(y, m), false))
        }
        Form::Y => {
            let y = num(1)? as i32;
            (1900..=2100)
                .contains(&y)
                .then_some((DateValue::year(y), false))
        }
        Form::RelYearMD => {
            let p = pubd?;
            let y = p.year + rel_year(g(1)?)?;
            let m = num(2)?;
            if !(1..=12).contains(&m) {
                return None;
            }
            match num(3) {
                Some(d) => Some((valid_day(y, m, d)?, false)),
                None => Some((DateValue::month(y, m), false)),
            }
        }
        Form::RelYear => Some((DateValue::year(pubd?.year + rel_year(g(1)?)?), false)),
        Form::MD => Some((month_day(pubd?, num(1)?, num(2)?, future)?, true)),
        Form::RelMonthD => {
            let p = pn?;
            let first = NaiveDate::from_ymd_opt(p.year(), p.month(), 1)?;
            let base = match g(1)? {
                "本月" => first,
                "上月" | "上个月" => first.checked_sub_months(chrono::Months::new(1))?,
                _ => first.checked_add_months(chrono::Months::new(1))?,
            };
            Some((valid_day(base.year(), base.month(), num(2)?)?, false))
        }
        Form::D => {
            let p = pn?;
            let d = num(2)?;
            if !(1..=31).contains(&d) {
                return None;
            }
            // The day of the publication month; a day after publication (beyond a short
            // look-ahead) belongs to the previous month.
            if d <= p.day() + 7 || future || g(1) == Some("本月") {
                Some((valid_day(p.year(), p.month(), d)?, true))
            } else {
                let prev = p.checked_sub_months(chrono::Months::new(1))?;
                Some((valid_day(prev.year(), prev.month(), d)?, true))
            }
        }
        Form::M => Some((month_alone(pubd?, num(1)?, future)?, true)),
        Form::Weekday => Some((weekday_date(pn?, weekday(g(2)?)?, g(1), future), false)),
        Form::SameDay => Some((DateValue::day(from_naive(pn?)), false)),
        Form::RelDay => {
            let p = pn?;
            let d = match g(1)? {
                "今天" | "今日" => p,
                "昨天" | "昨日" => p - Duration::days(1),
                "前天" => p - Duration::days(2),
                "明天" | "明日" => p + Duration::days(1),
                "后天" => p + Duration::days(2),
                _ => return None,
            };
            Some((DateValue::day(from_naive(d)), false))
        }
        Form::RelWeek => {
            let p = pn?;
            let monday = p - Duration::days(p.weekday().num_days_from_monday() as i64);
            let m = match g(1)? {
                "上周" | "上星期" | "上个星期" => monday - Duration::days(7),
                "下周" | "下星期" | "下个星期" => monday + Duration::days(7),
                _ => monday,
            };
            week_month(m).map(|v| (v, false))
        }
        Form::RelMonth => {
            let p = pn?;
            let first = NaiveDate::from_ymd_opt(p.year(), p.month(), 1)?;
            let d = match g(1)? {
                "上个月" | "上月" => first.checked_sub_months(chrono::Months::new(1))?,
                "下个月" | "下月" => first.checked_add_months(chrono::Months::new(1))?,
                _ => first,
            };
            Some((DateValue::month(d.year(), d.month()), false))
        }
        Form::YearsAgo => {
            let p = pubd?;
            let n = num(1)? as i32;
            let y = if g(2)? == "前" {
                p.year - n
            } else {
                p.year + n
            };
            Some((DateValue::year(y), false))
        }
    }
}

/// The day of weekday `wd` a weekday expression names, against publication day `p`: of this
/// week (本, 这), the last (上), the one before (上上) or the next (下); a bare weekday is the
/// latest such day on or before publication, or for something planned (拟于周五), the next one
/// on or after it.
fn weekday_date(p: NaiveDate, wd: chrono::Weekday, which: Option<&str>, future: bool) -> DateValue {
    let monday = p - Duration::days(p.weekday().num_days_from_monday() as i64);
    let target =
        |week_monday: NaiveDate| week_monday + Duration::days(wd.num_days_from_monday() as i64);
    let d = match which {
        Some("本") | Some("这") => target(monday),
        Some("上") => target(monday - Duration::days(7)),
        Some("上上") => target(monday - Duration::days(14)),
        Some("下") => target(monday + Duration::days(7)),
        // A bare weekday is the latest such day on or before publication, or for
        // something planned (拟于周五), the next one on or after it.
        _ if future => {
            let t = target(monday);
            if t < p {
                t + Duration::days(7)
            } else {
                t
            }
        }
        _ => {
            let t = target(monday);
            if t > p {
                t - Duration::days(7)
            } else {
                t
            }
        }
    };
    DateValue::day(from_naive(d))
}

/// A month and day without a year (3月5日), against publication day `p`: a past one more than
/// two months after publication is last year's; one more than nine months before it, next
/// year's; a future one before publication, next year's.
fn month_day(p: LocalDate, m: u32, d: u32, future: bool) -> Option<DateValue> {
    let mut v = valid_day(p.year, m, d)?;
    if future {
        if (p.month as i32) - (m as i32) > 2 {
            v = valid_day(p.year + 1, m, d)?;
        }
    } else if (m as i32) - (p.month as i32) > 2 {
        v = valid_day(p.year - 1, m, d)?;
    } else if (p.month as i32) - (m as i32) > 9 {
        v = valid_day(p.year + 1, m, d)?;
    }
    Some(v)
}

/// A month without a year (3月), against publication day `p`: more than two months after
/// publication, last year's; for something planned, more than two months before it, next
/// year's.
fn month_alone(p: LocalDate, m: u32, future: bool) -> Option<DateValue> {
    if !(1..=12).contains(&m) {
        return None;
    }
    let y = if future {
        if m + 2 < p.month {
            p.year + 1
        } else {
            p.year
        }
    } else if m > p.month + 2 {
        p.year - 1
    } else {
        p.year
    };
    Some(DateValue::month(y, m))
}

/// A dated event of `data/events.tsv`: one occurrence of a named event.
struct Event {
    start: EventDay,
    end: Option<EventDay>,
}

/// A day of an event: a calendar date, or a month and day that recur every year.
#[derive(Clone, Copy)]
enum EventDay {
    Date(NaiveDate),
    Yearly(u32, u32),
}

impl EventDay {
    fn parse(s: &str) -> Option<EventDay> {
        if let Some(md) = s.strip_prefix("--") {
            let (m, d) = md.split_once('-')?;
            let (m, d) = (m.parse().ok()?, d.parse().ok()?);
            NaiveDate::from_ymd_opt(2000, m, d)?;
            return Some(EventDay::Yearly(m, d));
        }
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .map(EventDay::Date)
    }

    fn in_year(self, y: i32) -> Option<NaiveDate> {
        match self {
            EventDay::Date(d) => Some(d),
            EventDay::Yearly(m, d) => NaiveDate::from_ymd_opt(y, m, d),
        }
    }
}

/// Names of events and their occurrences, matched leftmost-longest.
struct EventTable {
    matcher: crate::gazetteer::CharTrie,
    occurrences: Vec<Vec<Event>>,
    /// The last characters of the names.
    ends: rustc_hash::FxHashSet<char>,
}

static EVENTS: LazyLock<EventTable> = LazyLock::new(|| {
    let mut names: Vec<String> = Vec::new();
    let mut occurrences: Vec<Vec<Event>> = Vec::new();
    for line in include_str!("../data/events.tsv").lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        let (Some(name), Some(start)) = (f.first(), f.get(1).and_then(|s| EventDay::parse(s)))
        else {
            continue;
        };
        let end = f.get(2).and_then(|s| EventDay::parse(s));
        let ev = Event { start, end };
        match names.iter().position(|n| n == name) {
            Some(i) => occurrences[i].push(ev),
            None => {
                names.push(name.to_string());
                occurrences.push(vec![ev]);
            }
        }
    }
    let matcher = crate::gazetteer::CharTrie::new(names.iter().map(String::as_str));
    let ends = names.iter().filter_map(|n| n.chars().next_back()).collect();
    EventTable {
        matcher,
        occurrences,
        ends,
    }
});

/// How an event dates what happens around it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Anchor {
    /// 前夕: shortly before it — the month of its eve.
    Eve,
    /// 期间, 上, 之际: while it lasts — its day, or its month when it spans several days
    /// of one month.
    During,
    /// 开幕式: its first day.
    Opening,
    /// 闭幕式: its last day.
    Closing,
}

/// Words after an event's name that make it a time (`的` may come between), with the time
/// each makes (the lexicon's `anchor_*` classes).
static ANCHORS: LazyLock<Vec<(&'static str, Anchor)>> = LazyLock::new(|| {
    let classes = [
        (crate::lexicon::ANCHOR_EVE, Anchor::Eve),
        (crate::lexicon::ANCHOR_DURING, Anchor::During),
        (crate::lexicon::ANCHOR_OPENING, Anchor::Opening),
        (crate::lexicon::ANCHOR_CLOSING, Anchor::Closing),
    ];
    classes
        .iter()
        .flat_map(|&(words, anchor)| words.iter().map(move |&w| (w, anchor)))
        .collect()
});

/// The first characters of the anchor words, and a bit for each of them modulo 64.
static ANCHOR_STARTS: LazyLock<(u64, Vec<char>)> = LazyLock::new(|| {
    let mut chars: Vec<char> = ANCHORS
        .iter()
        .filter_map(|(w, _)| w.chars().next())
        .collect();
    chars.sort_unstable();
    chars.dedup();
    let bits = chars.iter().fold(0u64, |b, &c| b | 1 << (c as u32 & 63));
    (bits, chars)
});

/// Whether an anchor word stands right after a character that ends an event's name (or
/// after that and 的): without one, no event is named as a time, and the names need not be
/// looked for.
fn may_anchor_event(text: &str) -> bool {
    let (bits, starts) = &*ANCHOR_STARTS;
    let mut before = [' ', ' '];
    for (i, c) in text.char_indices() {
        if bits >> (c as u32 & 63) & 1 != 0
            && starts.contains(&c)
            && ANCHORS.iter().any(|(w, _)| text[i..].starts_with(w))
            && (EVENTS.ends.contains(&before[1])
                || (before[1] == '的' && EVENTS.ends.contains(&before[0])))
        {
            return true;
        }
        before = [before[1], c];
    }
    false
}

/// Dated events named as a time (`发动对乌克兰全面侵略战争的前夕`, `二十国集团峰会期间`,
/// `春节前夕`): the occurrence nearest the reference day, or the one in the year written just
/// before the name (`2016年美国大选前夕`).
fn event_anchors(text: &str, published: Option<LocalDate>) -> Vec<((usize, usize), DateValue)> {
    let mut out = Vec::new();
    let Some(reference) = published.and_then(to_naive) else {
        return out;
    };
    for (hit_start, hit_end, hit_id) in EVENTS.matcher.find_iter(text) {
        let after = &text[hit_end..];
        let after = after.strip_prefix('的').unwrap_or(after);
        let Some((word, anchor)) = ANCHORS
            .iter()
            .filter(|(w, _)| after.starts_with(w))
            .max_by_key(|(w, _)| w.len())
        else {
            continue;
        };
        let end = text.len() - after.len() + word.len();
        let year_before = YEAR_BEFORE
            .as_ref()
            .and_then(|re| re.captures(&text[..hit_start]))
            .and_then(|c| c.get(1)?.as_str().parse::<i32>().ok());
        let Some(ev) = EVENTS.occurrences.get(hit_id) else {
            continue;
        };
        let Some((start, last)) = nearest(ev, reference, year_before) else {
            continue;
        };
        let value = match anchor {
            Anchor::Eve => {
                let eve = start - Duration::days(1);
                DateValue::month(eve.year(), eve.month())
            }
            Anchor::Opening => DateValue::day(from_naive(start)),
            Anchor::Closing => DateValue::day(from_naive(last)),
            Anchor::During if start == last => DateValue::day(from_naive(start)),
            Anchor::During if (start.year(), start.month()) == (last.year(), last.month()) => {
                DateValue::month(start.year(), start.month())
            }
            Anchor::During => continue,
        };
        out.push(((hit_start, end), value));
    }
    out
}

/// A year written just before an event's name (`2016年`, `2016年的`).
static YEAR_BEFORE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(\d{4})年(?:的)?$").ok());

/// The occurrence of an event nearest `reference` (or in `year`), as first and last day.
fn nearest(
    ev: &[Event],
    reference: NaiveDate,
    year: Option<i32>,
) -> Option<(NaiveDate, NaiveDate)> {
    let mut best: Option<(i64, NaiveDate, NaiveDate)> = None;
    for e in ev {
        let years: Vec<i32> = match (e.start, year) {
            (EventDay::Yearly(..), Some(y)) => vec![y],
            (EventDay::Yearly(..), None) => {
                vec![reference.year() - 1, reference.year(), reference.year() + 1]
            }
            (EventDay::Date(_), _) => vec![0],
        };
        for y in years {
            let Some(start) = e.start.in_year(y) else {
                continue;
            };
            if year.is_some_and(|want| start.year() != want) {
                continue;
            }
            let mut last = e.end.and_then(|d| d.in_year(y)).unwrap_or(start);
            if last < start {
                // A yearly span across New Year.
                last = e.end.and_then(|d| d.in_year(y + 1)).unwrap_or(start);
            }
            let dist = (start - reference).num_days().abs();
            if best.is_none_or(|(b, _, _)| dist < b) {
                best = Some((dist, start, last));
            }
        }
    }
    best.map(|(_, s, l)| (s, l))
}

fn rel_year(s: &str) -> Option<i32> {
    Some(match s {
        "去年" => -1,
        "今年" => 0,
        "明年" => 1,
        "前年" => -2,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// How many patterns match `text`, or the first that matches it without the cues it
    /// needs.
    fn patterns_matching_with_cues(text: &str) -> Result<usize, String> {
        let set = cues(text);
        let mut matched = 0;
        for p in PATTERNS.iter().filter(|p| p.re.is_match(text)) {
            if !p.needs.iter().all(|&g| set & g != 0) {
                return Err(format!("{} in {text:?}", p.re.as_str()));
            }
            matched += 1;
        }
        Ok(matched)
    }

    /// Characters of every pattern, and others.
    const ALPHABET: &str = "0123456789２٣年月日号周星期礼拜天晚一二三四五六七八九十两去今明前后当同上本下这个至到-—–～~和与及、份代地时间 说\u{3000}\t中昨末礼";

    /// The filter passes every character with a cue in the ranges it guards.
    #[test]
    fn the_cue_filter_passes_every_cue_character() {
        for u in (0x2000..=0x2bff)
            .chain(0x3000..=0x9fff)
            .chain(0xff00..=0xffef)
        {
            let Some(c) = char::from_u32(u) else { continue };
            assert_eq!(c.is_whitespace(), SPACES.contains(c), "{c:?}");
            if cue_of(c) != 0 {
                assert!(CUE_CHARS.contains(c), "{c}");
                assert_eq!(cues(&c.to_string()), cue_of(c) | word_cue(' ', c), "{c}");
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(50_000))]
        /// A sentence that a pattern matches holds the cues the pattern needs, so passing
        /// over the others loses nothing.
        #[test]
        fn cues_never_hide_a_match(
            chars in proptest::collection::vec(
                proptest::sample::select(ALPHABET.chars().collect::<Vec<_>>()),
                0..14,
            )
        ) {
            let text: String = chars.into_iter().collect();
            let checked = patterns_matching_with_cues(&text);
            prop_assert!(checked.is_ok(), "{:?}", checked);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(50_000))]
        /// The same over texts made of numbers, date words and cue characters, where whole
        /// dates (`2020年9月5日`, `上个星期`, `两年前`) are likely.
        #[test]
        fn cues_never_hide_a_match_in_words(
            words in proptest::collection::vec(
                proptest::sample::select(vec![
                    "2020", "2021", "12", "5", "０９", "２０２０", "٣٣٣٣", "年", "月", "日", "号",
                    " ", "\u{3000}", "前", "后", "上", "本", "这", "下", "个", "周", "星期", "礼拜",
                    "去", "今", "明", "昨", "天", "当", "同", "晚", "末", "至", "到", "-", "～", "~",
                    "—", "和", "与", "及", "、", "十", "两", "一", "三", "份", "代", "当地时间",
                    "本月", "中",
                ]),
                0..8,
            )
        ) {
            let text: String = words.concat();
            // Every match holds a unit cue of each unit its pattern needs, inside the match.
            let (_, units) = cues_and_units(&text);
            for p in PATTERNS.iter() {
                for m in p.re.find_iter(&text) {
                    for &group in p.needs.iter().filter(|&&g| g & UNITS == g) {
                        prop_assert!(
                            units.iter().any(|&(bit, at)| bit & group != 0 && m.range().contains(&at)),
                            "{} in {text:?}",
                            p.re.as_str()
                        );
                    }
                }
            }
            // Passing over the patterns whose every match falls in a date taken finds the
            // same dates.
            let published = Some(LocalDate { year: 2020, month: 9, day: 15 });
            let skipping = find_dates(&text, 0, published);
            let every = find_dates_with(&text, 0, published, PatternRun::Every);
            prop_assert_eq!(skipping, every, "{}", text);
            let checked = patterns_matching_with_cues(&text);
            prop_assert!(checked.is_ok(), "{:?}", checked);
        }
    }

    /// Dates of every form, with every connector of a range: each holds the cues of every
    /// pattern that matches it.
    #[test]
    fn written_dates_hold_their_cues() {
        let mut matched = 0;
        for text in [
            "2020年9月5日",
            "２０２０年１１月",
            "2020 年",
            "٣٣٣٣年",
            "去年3月5日",
            "9月5日至7日",
            "9月5日到7日",
            "9月5日-7日",
            "9月5日—7日",
            "9月5日–7日",
            "9月5日～7日",
            "9月5日~7日",
            "5至7日",
            "5到7日",
            "5-7日",
            "5—7日",
            "5–7日",
            "5～7日",
            "5~7日",
            "本月5日",
            "周一和周二",
            "周一与周三",
            "星期一及星期二",
            "礼拜一至礼拜三",
            "周一到周五",
            "周一、周二",
            "周一-周二",
            "下周三",
            "今天",
            "当天",
            "上周",
            "本周",
            "这周",
            "下周",
            "上星期",
            "下星期",
            "上个星期",
            "这个星期",
            "下个星期",
            "上个月",
            "两年前",
            "3年后",
            "十年前",
            "5月份",
            "当地时间5日",
        ] {
            match patterns_matching_with_cues(text) {
                Ok(n) => matched += n,
                Err(e) => panic!("{e}"),
            }
        }
        assert!(matched > 60, "{matched}");
    }

    /// Texts of event names, anchor words, 的 and other characters.
    fn event_text() -> impl Strategy<Value = String> {
        let names: Vec<String> = include_str!("../data/events.tsv")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split('\t').next().map(String::from))
            .filter(|n| !n.is_empty())
            .collect();
        let pieces: Vec<String> = names
            .into_iter()
            .chain(ANCHORS.iter().map(|(w, _)| (*w).to_string()))
            .chain(["的", "在", "节", "会", "，", "2020年"].map(String::from))
            .collect();
        proptest::collection::vec(proptest::sample::select(pieces), 0..6).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        /// A text where no anchor word follows the end of an event's name names no event as a
        /// time.
        #[test]
        fn the_anchor_test_never_hides_an_event(text in event_text()) {
            let published = Some(LocalDate { year: 2020, month: 9, day: 15 });
            if !may_anchor_event(&text) {
                prop_assert!(event_anchors(&text, published).is_empty(), "{text}");
            }
        }
    }

    #[test]
    fn every_anchor_word_holds_an_anchor_cue() {
        for (word, _) in ANCHORS.iter() {
            assert!(cues(word) & ANCHOR != 0, "{word}");
        }
    }

    #[test]
    fn every_pattern_compiles() {
        assert_eq!(PATTERNS.len(), 18);
    }
}
