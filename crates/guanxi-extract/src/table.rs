//! The tables of `data/`, read strictly: every row of every table has the columns its schema
//! names, each value the form its column takes (a kind among the kinds, a date, a Wikidata
//! id, coordinates in range), no key twice, and no name or alias of the gazetteer claimed by
//! two entries. The build script runs [`check_all`] over the tables, so a bad row stops the
//! build with its file, line and reason, and the shipped readers never meet one. Standard
//! library only: the build script includes this file.

use std::collections::HashMap;
use std::fmt;

/// A row that breaks its table's schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableError {
    /// The table's file name under `data/`.
    pub table: String,
    /// The row's line, from 1.
    pub line: usize,
    /// What is wrong with it.
    pub reason: String,
}

impl fmt::Display for TableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "data/{}:{}: {}", self.table, self.line, self.reason)
    }
}

/// One data row: its line and its tab-separated fields, trimmed.
#[derive(Debug)]
pub struct Row<'a> {
    /// The line, from 1.
    pub line: usize,
    /// The fields.
    pub fields: Vec<&'a str>,
}

/// What a column holds.
#[derive(Debug, Clone, Copy)]
pub enum Column {
    /// Any text, possibly empty.
    Text,
    /// Text that is not empty.
    Required,
    /// A key: not empty, and on no other row of the table.
    Key,
    /// One character, on no other row.
    CharKey,
    /// One of the words listed.
    OneOf(&'static [&'static str]),
    /// A Wikidata item (`Q123`), or empty.
    Wikidata,
    /// A day or a month (`2020-09-15`, `2020-09`).
    Date,
    /// A day or a month, or empty.
    OptionalDate,
    /// A day (`2020-09-15`) or a day that recurs every year (`--09-15`).
    EventDay,
    /// An event day, or empty.
    OptionalEventDay,
    /// Decimal degrees within ±the limit.
    Degrees(f64),
    /// Aliases separated by `|`, none empty.
    Aliases,
}

/// A table: its file, whether its first row names the columns, and its columns.
#[derive(Debug)]
pub struct Schema {
    /// The file name under `data/`.
    pub file: &'static str,
    /// The first data row is a header starting with this word.
    pub header: Option<&'static str>,
    /// The columns, in order.
    pub columns: &'static [Column],
}

/// The kinds of place (`PlaceKind`).
pub const PLACE_KINDS: &[&str] = &["country", "city", "region", "venue", "continent", "area"];
/// The kinds of interaction (`InteractionKind`'s class names).
pub const INTERACTION_KINDS: &[&str] = &[
    "Meeting",
    "Talks",
    "PhoneCall",
    "VideoCall",
    "Summit",
    "Visit",
    "OtherInteraction",
];
/// The kinds of organisation.
pub const ORG_KINDS: &[&str] = &[
    "company", "gov", "intl", "media", "military", "other", "party", "univ",
];
/// The kinds of entity.
pub const ENTITY_KINDS: &[&str] = &["Person", "Organization", "Place"];

use Column::*;

/// Every table of `data/`.
pub const SCHEMAS: &[Schema] = &[
    Schema {
        file: "persons.tsv",
        header: Some("name"),
        columns: &[Key, Aliases, Wikidata, Text, Text],
    },
    Schema {
        file: "places.tsv",
        header: Some("name"),
        columns: &[Key, Aliases, Wikidata, OneOf(PLACE_KINDS), Text],
    },
    Schema {
        file: "orgs.tsv",
        header: Some("name"),
        columns: &[Key, Aliases, Wikidata, OneOf(ORG_KINDS), Text],
    },
    Schema {
        file: "city_countries.tsv",
        header: None,
        columns: &[Key, Required, Required],
    },
    Schema {
        file: "venues.tsv",
        header: None,
        columns: &[Key, Required, Required],
    },
    Schema {
        file: "coordinates.tsv",
        header: None,
        columns: &[Key, Degrees(90.0), Degrees(180.0), Required],
    },
    Schema {
        file: "offices.tsv",
        header: None,
        columns: &[Required, Required, Required, Date, OptionalDate, Required],
    },
    Schema {
        file: "titles.tsv",
        header: None,
        columns: &[Key, Required, Required],
    },
    Schema {
        file: "triggers.tsv",
        header: None,
        columns: &[Key, OneOf(INTERACTION_KINDS), Required],
    },
    Schema {
        file: "bodies.tsv",
        header: None,
        columns: &[Key, Required],
    },
    Schema {
        file: "compound_heads.tsv",
        header: None,
        columns: &[Key, Required],
    },
    Schema {
        file: "country_abbreviations.tsv",
        header: None,
        columns: &[CharKey, Required, OneOf(&["yes", "no"]), Required],
    },
    Schema {
        file: "surnames.tsv",
        header: None,
        columns: &[Key, OneOf(&["single", "compound"]), Required],
    },
    Schema {
        file: "not_names.tsv",
        header: None,
        columns: &[Key, OneOf(ENTITY_KINDS), Required],
    },
    Schema {
        file: "events.tsv",
        header: None,
        columns: &[Required, EventDay, OptionalEventDay, Required],
    },
    Schema {
        file: "lexicon_classes.tsv",
        header: None,
        columns: &[Key, OneOf(&["word", "char"]), Required],
    },
    Schema {
        file: "lexicon.tsv",
        header: None,
        columns: &[Required, Required, Text],
    },
];

/// The closed word classes the rules read (`data/lexicon_classes.tsv`: class, unit, what it
/// is for) and their words (`data/lexicon.tsv`: word, class, note), checked together: every
/// word's class is listed, a word of a `char` class is one character, and no word is given
/// twice to one class.
pub fn check_lexicon(classes: &str, words: &str) -> Result<(), Vec<TableError>> {
    let classes = rows("lexicon_classes.tsv", classes, None, 3).map_err(|e| vec![e])?;
    let words = rows("lexicon.tsv", words, None, 3).map_err(|e| vec![e])?;
    let units: HashMap<&str, &str> = classes.iter().map(|r| (r.fields[0], r.fields[1])).collect();
    let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
    let mut used: HashMap<&str, usize> = HashMap::new();
    let mut errors = Vec::new();
    let mut error = |line: usize, reason: String| {
        errors.push(TableError {
            table: "lexicon.tsv".to_string(),
            line,
            reason,
        })
    };
    for r in &words {
        let (word, class) = (r.fields[0], r.fields[1]);
        match units.get(class) {
            None => error(
                r.line,
                format!("{class:?} is no class of lexicon_classes.tsv"),
            ),
            Some(&"char") if word.chars().count() != 1 => error(
                r.line,
                format!("{word:?} is not one character, as {class:?} takes"),
            ),
            Some(_) => {}
        }
        if let Some(first) = seen.insert((word, class), r.line) {
            error(
                r.line,
                format!("{word:?} is already of {class:?} on line {first}"),
            );
        }
        *used.entry(class).or_default() += 1;
    }
    for c in &classes {
        if !used.contains_key(c.fields[0]) {
            errors.push(TableError {
                table: "lexicon_classes.tsv".to_string(),
                line: c.line,
                reason: format!("class {:?} has no word in lexicon.tsv", c.fields[0]),
            });
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// The lexicon as Rust: one constant per class, named as the class in upper case, its words
/// in the order of `lexicon.tsv`, documented with what the class is for. Call it on tables
/// [`check_lexicon`] accepts.
pub fn lexicon_rust(classes: &str, words: &str) -> String {
    let classes = rows("lexicon_classes.tsv", classes, None, 3).unwrap_or_default();
    let words = rows("lexicon.tsv", words, None, 3).unwrap_or_default();
    let mut out = String::from(
        "// Made by the build script from data/lexicon_classes.tsv and data/lexicon.tsv.\n",
    );
    for c in &classes {
        let (class, unit, what) = (c.fields[0], c.fields[1], c.fields[2]);
        let members = words
            .iter()
            .filter(|w| w.fields[1] == class)
            .map(|w| w.fields[0]);
        let (ty, items): (&str, Vec<String>) = if unit == "char" {
            let chars = members.filter_map(|w| w.chars().next());
            ("char", chars.map(|c| format!("{c:?}")).collect())
        } else {
            ("&str", members.map(|w| format!("{w:?}")).collect())
        };
        out.push_str(&format!(
            "\n/// {what}\npub(crate) const {}: &[{ty}] = &[{}];\n",
            class.to_uppercase(),
            items.join(", ")
        ));
    }
    out
}

/// The gazetteer's tables, whose names and aliases must each name one entry.
pub const GAZETTEER: &[&str] = &["persons.tsv", "places.tsv", "orgs.tsv"];

/// The data rows of `tsv` (comments, blank lines and the header left out), each with exactly
/// `columns` fields.
pub fn rows<'a>(
    table: &str,
    tsv: &'a str,
    header: Option<&str>,
    columns: usize,
) -> Result<Vec<Row<'a>>, TableError> {
    let mut out = Vec::new();
    let mut first = true;
    for (i, line) in tsv.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').map(str::trim).collect();
        if std::mem::take(&mut first) && header.is_some_and(|h| fields.first() == Some(&h)) {
            continue;
        }
        if fields.len() != columns {
            return Err(TableError {
                table: table.to_string(),
                line: i + 1,
                reason: format!("{} fields where the table has {columns}", fields.len()),
            });
        }
        out.push(Row {
            line: i + 1,
            fields,
        });
    }
    Ok(out)
}

/// Whether `s` is `YYYY-MM-DD` (a real day) or, with `month_ok`, `YYYY-MM`.
fn is_date(s: &str, month_ok: bool) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let num = |p: &str, len: usize| p.len() == len && p.bytes().all(|b| b.is_ascii_digit());
    let in_range =
        |p: &str, lo: u32, hi: u32| p.parse::<u32>().is_ok_and(|v| (lo..=hi).contains(&v));
    match parts.as_slice() {
        [y, m] => month_ok && num(y, 4) && num(m, 2) && in_range(m, 1, 12),
        [y, m, d] => {
            num(y, 4)
                && num(m, 2)
                && num(d, 2)
                && in_range(m, 1, 12)
                && in_range(
                    d,
                    1,
                    days_in_month(y.parse().unwrap_or(2000), m.parse().unwrap_or(1)),
                )
        }
        _ => false,
    }
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Why `value` does not fit `column`, if it does not.
fn misfit(column: Column, value: &str) -> Option<String> {
    let ok = match column {
        Text => true,
        Required | Key => !value.is_empty(),
        CharKey => value.chars().count() == 1,
        OneOf(words) => words.contains(&value),
        Wikidata => {
            value.is_empty()
                || value
                    .strip_prefix('Q')
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        }
        Date => is_date(value, true),
        OptionalDate => value.is_empty() || is_date(value, true),
        EventDay => {
            is_date(value, false)
                || value
                    .strip_prefix("--")
                    .is_some_and(|md| is_date(&format!("2000-{md}"), false))
        }
        OptionalEventDay => value.is_empty() || misfit(EventDay, value).is_none(),
        Degrees(limit) => value.parse::<f64>().is_ok_and(|v| v.abs() <= limit),
        Aliases => value.is_empty() || value.split('|').all(|a| !a.trim().is_empty()),
    };
    (!ok).then(|| match column {
        OneOf(words) => format!("{value:?} is none of {}", words.join(", ")),
        Key | Required => "an empty value where one is needed".to_string(),
        other => format!("{value:?} is not {}", describe(other)),
    })
}

fn describe(column: Column) -> &'static str {
    match column {
        CharKey => "one character",
        Wikidata => "a Wikidata item (Q123)",
        Date | OptionalDate => "a date (2020-09-15 or 2020-09)",
        EventDay | OptionalEventDay => "a day (2020-09-15, or --09-15 every year)",
        Degrees(_) => "decimal degrees in range",
        Aliases => "aliases separated by |, none empty",
        _ => "valid",
    }
}

/// Checks one table against its schema: every row's fields, and no key twice.
pub fn check(schema: &Schema, tsv: &str) -> Result<(), Vec<TableError>> {
    let rows = rows(schema.file, tsv, schema.header, schema.columns.len()).map_err(|e| vec![e])?;
    let mut errors = Vec::new();
    let mut keys: HashMap<(usize, &str), usize> = HashMap::new();
    for row in &rows {
        for (c, (&column, value)) in schema.columns.iter().zip(&row.fields).enumerate() {
            if let Some(reason) = misfit(column, value) {
                errors.push(TableError {
                    table: schema.file.to_string(),
                    line: row.line,
                    reason: format!("column {}: {reason}", c + 1),
                });
            }
            if matches!(column, Key | CharKey) {
                if let Some(first) = keys.insert((c, value), row.line) {
                    errors.push(TableError {
                        table: schema.file.to_string(),
                        line: row.line,
                        reason: format!("{value:?} is already the key of line {first}"),
                    });
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Checks that no name or alias (of two characters or more, as the gazetteer matches them)
/// belongs to two entries of the gazetteer's tables, `tables` as (file, text).
pub fn check_surfaces(tables: &[(&str, &str)]) -> Result<(), Vec<TableError>> {
    let mut claimed: HashMap<String, (String, usize, String)> = HashMap::new();
    let mut errors = Vec::new();
    for (file, tsv) in tables {
        let Ok(rows) = rows(file, tsv, Some("name"), 5) else {
            continue; // (`check` reports it.)
        };
        for row in rows {
            let name = row.fields[0];
            let mut surfaces = vec![name];
            surfaces.extend(
                row.fields[1]
                    .split('|')
                    .map(str::trim)
                    .filter(|a| *a != name),
            );
            for s in surfaces.into_iter().filter(|s| s.chars().count() >= 2) {
                match claimed.get(s) {
                    Some((f, line, owner)) if owner != name || f != file => {
                        errors.push(TableError {
                            table: file.to_string(),
                            line: row.line,
                            reason: format!(
                                "{s:?} already names {owner:?} (data/{f}:{line}): one surface, one entry"
                            ),
                        });
                    }
                    Some(_) => {}
                    None => {
                        claimed.insert(
                            s.to_string(),
                            (file.to_string(), row.line, name.to_string()),
                        );
                    }
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Every table of [`SCHEMAS`], read once by `read` (which gives a table's text by its file
/// name), by file name; a table that cannot be read is an error.
pub fn read_all(
    read: impl Fn(&str) -> Result<String, String>,
) -> (HashMap<&'static str, String>, Vec<TableError>) {
    let mut tables = HashMap::new();
    let mut errors = Vec::new();
    for schema in SCHEMAS {
        match read(schema.file) {
            Ok(t) => {
                tables.insert(schema.file, t);
            }
            Err(reason) => errors.push(TableError {
                table: schema.file.to_string(),
                line: 0,
                reason,
            }),
        }
    }
    (tables, errors)
}

/// Checks the tables [`read_all`] read: each against its schema, the gazetteer's surfaces
/// together, and the lexicon.
pub fn check_tables(tables: &HashMap<&'static str, String>) -> Result<(), Vec<TableError>> {
    let mut errors = Vec::new();
    for schema in SCHEMAS {
        if let Some(tsv) = tables.get(schema.file) {
            if let Err(e) = check(schema, tsv) {
                errors.extend(e);
            }
        }
    }
    let gazetteer: Vec<(&str, &str)> = GAZETTEER
        .iter()
        .filter_map(|f| Some((*f, tables.get(f)?.as_str())))
        .collect();
    if let Err(e) = check_surfaces(&gazetteer) {
        errors.extend(e);
    }
    if let (Some(classes), Some(words)) =
        (tables.get("lexicon_classes.tsv"), tables.get("lexicon.tsv"))
    {
        if let Err(e) = check_lexicon(classes, words) {
            errors.extend(e);
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Checks every table of [`SCHEMAS`], `read` giving a table's text by its file name.
pub fn check_all(read: impl Fn(&str) -> Result<String, String>) -> Result<(), Vec<TableError>> {
    let (tables, mut errors) = read_all(read);
    if let Err(e) = check_tables(&tables) {
        errors.extend(e);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    fn schema(file: &str) -> &'static Schema {
        SCHEMAS.iter().find(|s| s.file == file).unwrap()
    }

    /// The tables shipped pass their schemas (the build checks it too).
    #[test]
    fn every_table_row_parses() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
        let read = |f: &str| std::fs::read_to_string(dir.join(f)).map_err(|e| e.to_string());
        assert_eq!(check_all(read), Ok(()));
        let mut listed: Vec<&str> = SCHEMAS.iter().map(|s| s.file).collect();
        listed.sort_unstable();
        let mut present: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|f| f.ends_with(".tsv"))
            .collect();
        present.sort_unstable();
        assert_eq!(listed, present, "every table has a schema");
    }

    /// Each kind of bad row fails loudly, naming its line and what is wrong.
    #[test]
    fn a_bad_row_fails_with_its_line_and_reason() {
        let person_header = "name\taliases\twikidata\tcountry\tsource\n";
        let rows: &[(&str, String, usize, &str)] = &[
            (
                "titles.tsv",
                "# surface\tnormalised\treason\n外长\t外长\n".into(),
                2,
                "2 fields where the table has 3",
            ),
            (
                "triggers.tsv",
                "会见\tMeet\tmeeting\n".into(),
                1,
                "\"Meet\" is none of Meeting",
            ),
            (
                "places.tsv",
                "name\taliases\twikidata\tkind\tsource\n北京\tPeking\tQ956\tcapital\tcapital\n"
                    .into(),
                2,
                "\"capital\" is none of country",
            ),
            (
                "persons.tsv",
                format!("{person_header}王毅\tWang Yi\t956\t中国\tminister\n"),
                2,
                "\"956\" is not a Wikidata item",
            ),
            (
                "offices.tsv",
                "王毅\t外长\t中国\t2018-02-30\t\tsource\n".into(),
                1,
                "\"2018-02-30\" is not a date",
            ),
            (
                "events.tsv",
                "国庆\t--13-01\t\tnational day\n".into(),
                1,
                "\"--13-01\" is not a day",
            ),
            (
                "coordinates.tsv",
                "北京\t139.9\t116.4\tsource\n".into(),
                1,
                "\"139.9\" is not decimal degrees",
            ),
            (
                "country_abbreviations.tsv",
                "中国\t中国\tyes\t中俄\n".into(),
                1,
                "is not one character",
            ),
            (
                "bodies.tsv",
                "外交部\tforeign ministry\n国防部\tdefence\n外交部\tagain\n".into(),
                3,
                "\"外交部\" is already the key of line 1",
            ),
            (
                "persons.tsv",
                format!("{person_header}\tWang Yi\t\t中国\tminister\n"),
                2,
                "an empty value where one is needed",
            ),
            (
                "persons.tsv",
                format!("{person_header}王毅\tWang Yi||王外长\t\t中国\tminister\n"),
                2,
                "aliases separated by |, none empty",
            ),
        ];
        for (file, tsv, line, reason) in rows {
            let errors = check(schema(file), tsv).expect_err(file);
            assert_eq!(errors.len(), 1, "{file}: {errors:?}");
            assert_eq!((errors[0].line, errors[0].table.as_str()), (*line, *file));
            assert!(
                errors[0].to_string().contains(reason),
                "{file}: {} lacks {reason:?}",
                errors[0]
            );
        }
    }

    /// The lexicon's words belong to listed classes, once each, one character where the class
    /// takes characters; every class has words; the constants keep the table's order.
    #[test]
    fn the_lexicon_fails_on_a_bad_word_and_keeps_its_order() {
        let classes = "speech\tword\tspeech verbs\nname_tail\tchar\tparticles after names\n";
        let bad: &[(&str, &str)] = &[
            (
                "说\tspeach\t\n说\tspeech\t\n称\tname_tail\t\n",
                "\"speach\" is no class",
            ),
            (
                "说话\tname_tail\t\n说\tspeech\t\n",
                "\"说话\" is not one character",
            ),
            (
                "说\tspeech\t\n说\tspeech\t\n称\tname_tail\t\n",
                "is already of \"speech\" on line 1",
            ),
            ("说\tspeech\t\n", "class \"name_tail\" has no word"),
        ];
        for (words, reason) in bad {
            let errors = check_lexicon(classes, words).unwrap_err();
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert!(
                errors[0].to_string().contains(reason),
                "{} lacks {reason}",
                errors[0]
            );
        }
        let words = "表示\tspeech\t\n说\tspeech\tthe commonest\n称\tname_tail\t\n";
        assert_eq!(check_lexicon(classes, words), Ok(()));
        let rust = lexicon_rust(classes, words);
        assert!(
            rust.contains(
                "/// speech verbs\npub(crate) const SPEECH: &[&str] = &[\"表示\", \"说\"];"
            ),
            "{rust}"
        );
        assert!(
            rust.contains("pub(crate) const NAME_TAIL: &[char] = &['称'];"),
            "{rust}"
        );
    }

    /// A name or alias of two entries fails, across the gazetteer's tables.
    #[test]
    fn a_surface_claimed_twice_fails() {
        let places =
            "name\taliases\twikidata\tkind\tsource\n印太地区\t印太|Indo-Pacific\t\tarea\tx\n";
        let orgs = "name\taliases\twikidata\tkind\tsource\n印太司令部\t印太\t\tmilitary\tx\n";
        let errors = check_surfaces(&[("places.tsv", places), ("orgs.tsv", orgs)]).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(
            errors[0].to_string(),
            "data/orgs.tsv:2: \"印太\" already names \"印太地区\" (data/places.tsv:2): one surface, one entry"
        );
        // One entry may list a surface twice (its name among its aliases).
        let same = "name\taliases\twikidata\tkind\tsource\n北京\t北京|Beijing\t\tcity\tx\n";
        assert_eq!(check_surfaces(&[("places.tsv", same)]), Ok(()));
    }
}
