//! Plain-text tables for `guanxi query --format table`, aligned by display width, safe to
//! print on a terminal.

use std::io::{self, Write};

fn width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            if (c as u32) >= 0x1100 && !c.is_ascii() {
                2
            } else {
                1
            }
        })
        .sum()
}

/// Writes `rows` under `header`, columns padded to their widest cell. A terminal shows
/// the table: control characters and bidirectional overrides in a value (a file name, a
/// hostile page's text) are written as escapes.
pub fn write(out: &mut impl Write, header: &[String], rows: &[Vec<String>]) -> io::Result<()> {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| guanxi_app::printable(c).into_owned())
                .collect()
        })
        .collect();
    let rows = rows.as_slice();
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(width(c));
            }
        }
    }
    let line = |out: &mut dyn Write, cells: &[String]| -> io::Result<()> {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                format!(
                    "{c}{}",
                    " ".repeat(widths.get(i).copied().unwrap_or(0).saturating_sub(width(c)))
                )
            })
            .collect();
        writeln!(out, "{}", parts.join(" | ").trim_end())
    };
    line(out, header)?;
    writeln!(
        out,
        "{}",
        widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .join("-+-")
    )?;
    for r in rows {
        line(out, r)?;
    }
    writeln!(out, "({} rows)", rows.len())
}
