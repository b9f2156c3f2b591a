//! Date resolution is total: any text against any reference day (real, impossible or at the
//! ends of the calendar) gives date mentions or none, never a panic, and every mention is a
//! valid calendar date on character boundaries of the text.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use chrono::{Datelike, NaiveDate};
use guanxi_core::{DateValue, LocalDate};
use guanxi_extract::dates::{dateline_day, find_dates, parse_num};
use proptest::prelude::*;

/// Pieces of date expressions and their surroundings, as news text writes them.
const PIECES: &[&str] = &[
    "年",
    "月",
    "日",
    "号",
    "份",
    "周",
    "星期",
    "礼拜",
    "上",
    "上上",
    "下",
    "本",
    "这",
    "个",
    "今天",
    "昨天",
    "前天",
    "明天",
    "后天",
    "今年",
    "去年",
    "明年",
    "前年",
    "当天",
    "当日",
    "同一天",
    "本月",
    "上月",
    "下个月",
    "上周",
    "下星期",
    "本周末",
    "年前",
    "年后",
    "以来",
    "自",
    "从",
    "起自",
    "将",
    "计划",
    "拟于",
    "本来计划",
    "当地时间",
    "至",
    "到",
    "-",
    "—",
    "～",
    "和",
    "、",
    "（",
    "）",
    "(",
    ")",
    "，",
    "。",
    "电",
    "中央社柏林",
    "新华社北京",
    "一",
    "二",
    "三",
    "十",
    "两",
    "十二",
    "三十一",
    "九十九",
    "0",
    "1",
    "2",
    "9",
    "12",
    "29",
    "30",
    "31",
    "99",
    "2020",
    "1900",
    "2100",
    "9999",
    "0000",
    "２０２０",
    "１１",
    "春节",
    "前夕",
    "期间",
    "开幕式",
    "闭幕式",
    "二十国集团峰会",
    "的",
    " ",
    "\u{3000}",
    "A",
    "é",
    "\u{202e}",
    "\u{0}",
];

/// A reference day anywhere: plausible, at the ends of chrono's calendar, or impossible
/// (month 13, day 0, year `i32::MAX`).
fn reference() -> impl Strategy<Value = Option<LocalDate>> {
    let year = prop_oneof![
        1900i32..2100,
        Just(0),
        Just(1),
        Just(9999),
        Just(NaiveDate::MIN.year()),
        Just(NaiveDate::MAX.year()),
        Just(i32::MIN),
        Just(i32::MAX),
        any::<i32>(),
    ];
    let month = prop_oneof![1u32..=12, Just(0), Just(13), any::<u32>()];
    let day = prop_oneof![1u32..=31, Just(0), Just(32), any::<u32>()];
    proptest::option::weighted(
        0.95,
        (year, month, day, any::<bool>()).prop_map(|(year, month, day, edge)| {
            // The very first and last days of the calendar, where a day more or less overflows.
            match (edge, year) {
                (true, y) if y == NaiveDate::MIN.year() => LocalDate {
                    year: y,
                    month: 1,
                    day: 1,
                },
                (true, y) if y == NaiveDate::MAX.year() => LocalDate {
                    year: y,
                    month: 12,
                    day: 31,
                },
                _ => LocalDate { year, month, day },
            }
        }),
    )
}

/// Text made of date pieces and arbitrary characters.
fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            4 => (0usize..PIECES.len()).prop_map(|i| PIECES[i].to_string()),
            1 => "\\PC{0,3}",
            1 => any::<char>().prop_map(String::from),
        ],
        0..40,
    )
    .prop_map(|v| v.concat())
}

/// A date value is a real period: month 1–12, a day that month has.
fn valid(v: &DateValue) -> bool {
    match (v.month, v.day) {
        (None, None) => true,
        (Some(m), None) => (1..=12).contains(&m),
        (Some(m), Some(d)) => NaiveDate::from_ymd_opt(v.year, m, d).is_some(),
        (None, Some(_)) => false,
    }
}

fn check(text: &str, offset: usize, reference: Option<LocalDate>) -> Result<(), TestCaseError> {
    for d in find_dates(text, offset, reference) {
        let (s, e) = (d.span.start - offset, d.span.end - offset);
        prop_assert!(
            s <= e && text.get(s..e).is_some(),
            "span {:?} off the text",
            d.span
        );
        prop_assert!(
            valid(&d.value),
            "{} resolves to an impossible date {:?}",
            &text[s..e],
            d.value
        );
    }
    if let Some(day) = dateline_day(text, reference) {
        prop_assert!(
            NaiveDate::from_ymd_opt(day.year, day.month, day.day).is_some(),
            "dateline day {day:?}"
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    /// Date expressions and noise against any reference day.
    #[test]
    fn any_text_any_reference(text in text(), offset in 0usize..1000, reference in reference()) {
        check(&text, offset, reference)?;
    }

    /// Arbitrary Unicode against any reference day.
    #[test]
    fn arbitrary_unicode(text in "\\PC{0,64}", reference in reference()) {
        check(&text, 0, reference)?;
    }

    /// Numbers in digits, full-width digits or Chinese numerals: a value or none.
    #[test]
    fn numbers(s in "[0-9０-９一二三四五六七八九十两零]{0,12}") {
        let _ = parse_num(&s);
    }
}

/// Every kind of relative expression on the first and last days chrono can represent.
#[test]
fn relative_dates_at_the_ends_of_the_calendar() {
    let text = "今天、昨天、前天、明天、后天、上上周一、下周日、周三、上周、下星期、本月3日、\
                上个月、下个月5日、去年10月、明年3月5日、三年前、九十九年后、当天、\
                12月31日、1月1日、30日、5月份、二十国集团峰会前夕、春节期间";
    for day in [
        NaiveDate::MIN,
        NaiveDate::MAX,
        NaiveDate::from_ymd_opt(0, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(9999, 12, 31).unwrap(),
    ] {
        let reference = LocalDate {
            year: day.year(),
            month: day.month(),
            day: day.day(),
        };
        for d in find_dates(text, 0, Some(reference)) {
            assert!(valid(&d.value), "{day}: {:?}", d.value);
        }
        let _ = dateline_day("（中央社柏林1日电）", Some(reference));
    }
    for reference in [
        LocalDate {
            year: i32::MAX,
            month: u32::MAX,
            day: u32::MAX,
        },
        LocalDate {
            year: i32::MIN,
            month: 2,
            day: 30,
        },
    ] {
        for d in find_dates(text, 0, Some(reference)) {
            assert!(valid(&d.value), "{reference:?}: {:?}", d.value);
        }
    }
}
