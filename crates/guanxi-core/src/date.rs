//! Calendar dates with precision, as extracted from text.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A proleptic Gregorian calendar day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LocalDate {
    /// Year, e.g. 2024.
    pub year: i32,
    /// Month 1–12.
    pub month: u32,
    /// Day 1–31.
    pub day: u32,
}

impl fmt::Display for LocalDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// How much of a date the text gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Precision {
    /// Only the year (`xsd:gYear`).
    Year,
    /// Year and month (`xsd:gYearMonth`).
    Month,
    /// A day (`xsd:date`).
    Day,
}

/// A date as precise as the text makes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct DateValue {
    /// Year.
    pub year: i32,
    /// Month when the precision is `Month` or `Day`.
    pub month: Option<u32>,
    /// Day when the precision is `Day`.
    pub day: Option<u32>,
}

impl DateValue {
    /// A whole day.
    #[inline]
    pub fn day(d: LocalDate) -> Self {
        DateValue {
            year: d.year,
            month: Some(d.month),
            day: Some(d.day),
        }
    }

    /// A month of a year.
    #[inline]
    pub fn month(year: i32, month: u32) -> Self {
        DateValue {
            year,
            month: Some(month),
            day: None,
        }
    }

    /// A year.
    #[inline]
    pub fn year(year: i32) -> Self {
        DateValue {
            year,
            month: None,
            day: None,
        }
    }

    /// The month it falls in (the year itself when only the year is known).
    #[inline]
    pub fn to_month(self) -> Self {
        match self.month {
            Some(m) => DateValue::month(self.year, m),
            None => self,
        }
    }

    /// Its precision.
    #[inline]
    pub fn precision(&self) -> Precision {
        match (self.month, self.day) {
            (Some(_), Some(_)) => Precision::Day,
            (Some(_), None) => Precision::Month,
            _ => Precision::Year,
        }
    }

    /// Whether `other` names the same period or a period inside this one (or vice versa).
    #[inline]
    pub fn compatible(&self, other: &DateValue) -> bool {
        self.year == other.year
            && (self.month.is_none() || other.month.is_none() || self.month == other.month)
            && (self.day.is_none() || other.day.is_none() || self.day == other.day)
    }
}

impl fmt::Display for DateValue {
    /// The XSD lexical form: `2024-02-28`, `2024-02` or `2024`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.month, self.day) {
            (Some(m), Some(d)) => write!(f, "{:04}-{:02}-{:02}", self.year, m, d),
            (Some(m), None) => write!(f, "{:04}-{:02}", self.year, m),
            _ => write!(f, "{:04}", self.year),
        }
    }
}
