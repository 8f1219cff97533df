//! Instants are stored in UTC and shown in Europe/London (PRODUCT.md, "How it is put together").

use chrono::{DateTime, Utc};
use chrono_tz::Europe::London;

/// "26 Nov 2026 09:40" in UK local time (GMT or BST as the date requires).
pub fn london(at: DateTime<Utc>) -> String {
    at.with_timezone(&London).format("%-d %b %Y %H:%M").to_string()
}

/// Full local time with seconds and zone abbreviation, for audit views.
pub fn london_precise(at: DateTime<Utc>) -> String {
    at.with_timezone(&London).format("%-d %b %Y %H:%M:%S %Z").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn summer_time_is_shown_as_bst() {
        let at = Utc.with_ymd_and_hms(2026, 7, 1, 12, 0, 0).single().expect("valid");
        assert_eq!(london(at), "1 Jul 2026 13:00");
        assert_eq!(london_precise(at), "1 Jul 2026 13:00:00 BST");
    }

    #[test]
    fn winter_time_is_gmt() {
        let at = Utc.with_ymd_and_hms(2026, 11, 26, 9, 40, 0).single().expect("valid");
        assert_eq!(london(at), "26 Nov 2026 09:40");
        assert_eq!(london_precise(at), "26 Nov 2026 09:40:00 GMT");
    }
}

/// The UTC instant a UK calendar day (`YYYY-MM-DD`) starts, or the next day starts with `next_day`
/// (for inclusive "to" dates). `None` if the text is not a date.
pub fn london_day_start(date: &str, next_day: bool) -> Option<DateTime<Utc>> {
    use chrono::{NaiveDate, TimeZone};
    let mut day = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    if next_day {
        day = day.succ_opt()?;
    }
    let midnight = day.and_hms_opt(0, 0, 0)?;
    London.from_local_datetime(&midnight).earliest().map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod day_tests {
    use super::*;

    #[test]
    fn uk_days_start_at_local_midnight() {
        assert_eq!(
            london_day_start("2026-07-01", false).map(|t| t.to_rfc3339()),
            Some("2026-06-30T23:00:00+00:00".into())
        );
        assert_eq!(
            london_day_start("2026-11-26", true).map(|t| t.to_rfc3339()),
            Some("2026-11-27T00:00:00+00:00".into())
        );
        assert_eq!(london_day_start("26/11/2026", false), None);
    }
}
