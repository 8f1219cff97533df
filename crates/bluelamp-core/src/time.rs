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
