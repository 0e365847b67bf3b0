//! Scoring periods: calendar months written `YYYY-MM`.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::{fmt, str::FromStr};

/// A calendar month. Its last day is the date on which configuration is resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    year: i32,
    month: u32,
}

/// Why a text is not a period.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// Not of the form `YYYY-MM`.
    #[error("period must be YYYY-MM, got `{0}`")]
    Format(String),
    /// The month is not 01-12.
    #[error("period month must be 01-12, got `{0}`")]
    Month(String),
    /// The year is outside 2000-9999.
    #[error("period year must be 2000-9999, got `{0}`")]
    Year(String),
}

impl Period {
    /// The month `month` (1-12) of `year` (2000-9999).
    ///
    /// # Errors
    /// When the year or month is out of range.
    pub fn new(year: i32, month: u32) -> Result<Self, PeriodError> {
        let text = format!("{year:04}-{month:02}");
        if !(2000..=9999).contains(&year) {
            return Err(PeriodError::Year(text));
        }
        if !(1..=12).contains(&month) {
            return Err(PeriodError::Month(text));
        }
        Ok(Self { year, month })
    }

    /// Parses `YYYY-MM` exactly: four digits, a dash, two digits.
    ///
    /// # Errors
    /// When the text has another shape or names no real month.
    pub fn parse(text: &str) -> Result<Self, PeriodError> {
        let bytes = text.as_bytes();
        let shaped = bytes.len() == 7
            && bytes[4] == b'-'
            && bytes[..4].iter().all(u8::is_ascii_digit)
            && bytes[5..].iter().all(u8::is_ascii_digit);
        if !shaped {
            return Err(PeriodError::Format(text.to_owned()));
        }
        let year: i32 = text[..4]
            .parse()
            .map_err(|_| PeriodError::Format(text.to_owned()))?;
        let month: u32 = text[5..]
            .parse()
            .map_err(|_| PeriodError::Format(text.to_owned()))?;
        Self::new(year, month)
    }

    /// The period holding `date`.
    pub fn of_date(date: NaiveDate) -> Self {
        Self {
            year: date.year(),
            month: date.month(),
        }
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1-12.
    pub fn month(self) -> u32 {
        self.month
    }

    /// The first day of the month.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }

    /// The last day of the month: the resolution date `D` of the scoring rules.
    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().unwrap_or(NaiveDate::MAX)
    }

    /// The month before.
    pub fn previous(self) -> Self {
        if self.month == 1 {
            Self {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Self {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// The month after.
    pub fn next(self) -> Self {
        if self.month == 12 {
            Self {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Self {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// Whole months from `earlier` to `self` (`2026-02` minus `2025-12` is 2); negative when
    /// `earlier` is later.
    pub fn months_since(self, earlier: Period) -> i32 {
        (self.year - earlier.year) * 12 + self.month as i32 - earlier.month as i32
    }

    /// True when `date` falls in this month.
    pub fn contains(self, date: NaiveDate) -> bool {
        Period::of_date(date) == self
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Period {
    type Err = PeriodError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn parses_and_prints_yyyy_mm() {
        let p = Period::parse("2026-02").unwrap();
        assert_eq!((p.year(), p.month()), (2026, 2));
        assert_eq!(p.to_string(), "2026-02");
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"2026-02\"");
    }

    #[test]
    fn rejects_bad_shapes_and_months() {
        for bad in [
            "26-02",
            "2026-2",
            "2026/02",
            "2026-02-01",
            "",
            "abcd-ef",
            "+026-02",
        ] {
            assert_eq!(
                Period::parse(bad),
                Err(PeriodError::Format(bad.to_owned())),
                "{bad}"
            );
        }
        assert_eq!(
            Period::parse("2026-13"),
            Err(PeriodError::Month("2026-13".into()))
        );
        assert_eq!(
            Period::parse("2026-00"),
            Err(PeriodError::Month("2026-00".into()))
        );
        assert_eq!(
            Period::parse("1999-12"),
            Err(PeriodError::Year("1999-12".into()))
        );
        assert!(serde_json::from_str::<Period>("\"2026-13\"").is_err());
    }

    #[test]
    fn first_last_previous_next() {
        let feb = Period::parse("2026-02").unwrap();
        assert_eq!(feb.first_day(), date(2026, 2, 1));
        assert_eq!(feb.last_day(), date(2026, 2, 28));
        assert_eq!(
            Period::parse("2028-02").unwrap().last_day(),
            date(2028, 2, 29)
        );
        assert_eq!(
            Period::parse("2026-12").unwrap().last_day(),
            date(2026, 12, 31)
        );
        assert_eq!(
            Period::parse("2026-01").unwrap().previous().to_string(),
            "2025-12"
        );
        assert_eq!(
            Period::parse("2026-12").unwrap().next().to_string(),
            "2027-01"
        );
        assert_eq!(feb.months_since(Period::parse("2025-12").unwrap()), 2);
        assert!(feb.contains(date(2026, 2, 28)));
        assert!(!feb.contains(date(2026, 3, 1)));
    }
}
