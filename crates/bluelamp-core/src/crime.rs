//! Crimes, the pure part (issue 4): the status a crime moves through, its flags (hate crime with its
//! strands, domestic abuse, vulnerable, repeat and child victim, online, modern slavery, alcohol…),
//! the force's crime-number format, and the NCRS 24-hour test with the registrar's compliance figure
//! (`../shared/domain/REFERENCE.md` §2.1: a crime is recorded within 24 hours of the first report of
//! it, or of the crime-related incident). Storage and pages come on top of these.

use chrono::{DateTime, Duration, Utc};

use crate::access::named_enum;

named_enum!(
    /// Where a crime is in its life (issue 4). Cancelled and transferred end it as finalisation does,
    /// but the crime keeps its number and its history.
    CrimeStatus {
        Recorded => "recorded", "Recorded";
        AwaitingTriage => "awaiting-triage", "Awaiting triage";
        Allocated => "allocated", "Allocated";
        UnderInvestigation => "under-investigation", "Under investigation";
        Finalised => "finalised", "Finalised";
        Cancelled => "cancelled", "Cancelled";
        Transferred => "transferred", "Transferred";
    }
);

impl CrimeStatus {
    /// The statuses a crime may move to from this one. Finalised crimes can be reopened for further
    /// investigation (new evidence); cancelled and transferred ones cannot move again.
    pub fn next(self) -> &'static [CrimeStatus] {
        use CrimeStatus::*;
        match self {
            Recorded => &[AwaitingTriage, Allocated, Finalised, Cancelled, Transferred],
            AwaitingTriage => &[Allocated, Finalised, Cancelled, Transferred],
            Allocated => &[UnderInvestigation, AwaitingTriage, Finalised, Cancelled, Transferred],
            UnderInvestigation => &[Allocated, Finalised, Cancelled, Transferred],
            Finalised => &[UnderInvestigation, Cancelled],
            Cancelled | Transferred => &[],
        }
    }

    pub fn can_move_to(self, to: CrimeStatus) -> bool {
        self.next().contains(&to)
    }

    /// Open crimes are those still being worked.
    pub fn is_open(self) -> bool {
        !matches!(self, CrimeStatus::Finalised | CrimeStatus::Cancelled | CrimeStatus::Transferred)
    }
}

named_enum!(
    /// The five monitored hate-crime strands (HOCR "Home Office Crime Flags").
    HateStrand {
        Race => "race", "Race or ethnicity";
        Religion => "religion", "Religion or belief";
        SexualOrientation => "sexual-orientation", "Sexual orientation";
        Disability => "disability", "Disability";
        Transgender => "transgender", "Transgender identity";
    }
);

named_enum!(
    /// Flags on a crime (HOCR "Home Office Crime Flags" and the force's own markers).
    CrimeFlag {
        DomesticAbuse => "domestic-abuse", "Domestic abuse";
        VulnerableVictim => "vulnerable-victim", "Vulnerable victim";
        RepeatVictim => "repeat-victim", "Repeat victim";
        ChildVictim => "child-victim", "Child victim";
        Online => "online", "Online (cyber-enabled)";
        ModernSlavery => "modern-slavery", "Modern slavery";
        Alcohol => "alcohol", "Alcohol-related";
        Knife => "knife", "Knife or sharp instrument";
        Firearm => "firearm", "Firearm";
        ChildSexualExploitation => "cse", "Child sexual exploitation";
        HonourBased => "honour-based", "Honour-based abuse";
    }
);

/// `{yyyy}`, `{yy}` (year the crime was recorded, UK time) and `{seq}` / `{seq:N}` (that year's
/// sequence number, zero-padded to N) in a force's crime-number format, e.g.
/// `"CR-{yyyy}-{seq:6}"` → `CR-2026-000123`. Numbers are unique per year and never reused.
pub fn format_crime_number(pattern: &str, year: i32, seq: i64) -> String {
    let mut out =
        pattern.replace("{yyyy}", &format!("{year:04}")).replace("{yy}", &format!("{:02}", year.rem_euclid(100)));
    while let Some(start) = out.find("{seq") {
        let Some(end) = out[start..].find('}').map(|e| start + e) else { break };
        let width: usize = out[start + 4..end].trim_start_matches(':').parse().unwrap_or(0);
        out.replace_range(start..=end, &format!("{seq:0width$}"));
    }
    out
}

/// Whether a crime-number format can make unique numbers: it must contain the sequence and the
/// year (numbers restart each year).
pub fn check_crime_number_format(pattern: &str) -> Result<(), String> {
    if !pattern.contains("{seq") {
        return Err("the crime-number format needs {seq} (the year's sequence number)".into());
    }
    if !pattern.contains("{yyyy}") && !pattern.contains("{yy}") {
        return Err("the crime-number format needs {yyyy} or {yy}: numbers restart each year".into());
    }
    Ok(())
}

/// The NCRS limit: a crime is recorded within 24 hours of the first report (REFERENCE.md §2.1).
pub const NCRS_LIMIT_HOURS: i64 = 24;

/// Whether a crime was recorded within 24 hours of when it was first reported (the crime-related
/// incident's call, or the first report when there was no incident).
pub fn ncrs_compliant(first_reported_at: DateTime<Utc>, recorded_at: DateTime<Utc>) -> bool {
    recorded_at - first_reported_at <= Duration::hours(NCRS_LIMIT_HOURS)
}

/// The registrar's compliance figure over a set of crimes: how many were recorded within 24 hours,
/// of how many, and the percentage (None for an empty set).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Compliance {
    pub compliant: usize,
    pub total: usize,
}

impl Compliance {
    /// (first reported, recorded) for each crime.
    pub fn of(crimes: impl IntoIterator<Item = (DateTime<Utc>, DateTime<Utc>)>) -> Compliance {
        let mut c = Compliance { compliant: 0, total: 0 };
        for (reported, recorded) in crimes {
            c.total += 1;
            if ncrs_compliant(reported, recorded) {
                c.compliant += 1;
            }
        }
        c
    }

    /// Percentage to one decimal place, as inspections quote it ("96.6%").
    pub fn percent(&self) -> Option<f64> {
        (self.total > 0).then(|| (self.compliant as f64 * 1000.0 / self.total as f64).round() / 10.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, h, m, 0).single().expect("valid")
    }

    #[test]
    fn status_moves_only_forward_or_back_for_more_work() {
        use CrimeStatus::*;
        assert!(Recorded.can_move_to(AwaitingTriage));
        assert!(AwaitingTriage.can_move_to(Allocated));
        assert!(Allocated.can_move_to(UnderInvestigation));
        assert!(UnderInvestigation.can_move_to(Finalised));
        assert!(Finalised.can_move_to(UnderInvestigation), "reopened on new evidence");
        assert!(!Finalised.can_move_to(Recorded));
        assert!(!Cancelled.can_move_to(Recorded) && Cancelled.next().is_empty());
        assert!(!Transferred.is_open() && !Finalised.is_open() && Allocated.is_open());
    }

    #[test]
    fn crime_numbers_follow_the_force_format() {
        assert_eq!(format_crime_number("CR-{yyyy}-{seq:6}", 2026, 123), "CR-2026-000123");
        assert_eq!(format_crime_number("{yy}/{seq}", 2026, 45), "26/45");
        assert!(check_crime_number_format("CR-{yyyy}-{seq:6}").is_ok());
        assert!(check_crime_number_format("CR-{seq:6}").expect_err("no year").contains("restart each year"));
        assert!(check_crime_number_format("CR-{yyyy}").expect_err("no seq").contains("{seq}"));
    }

    #[test]
    fn the_24_hour_test_and_the_compliance_figure() {
        let reported = at(9, 0);
        assert!(ncrs_compliant(reported, reported + Duration::hours(24)));
        assert!(!ncrs_compliant(reported, reported + Duration::hours(24) + Duration::seconds(1)));
        let set = (0..1000).map(|n| (reported, reported + Duration::hours(if n < 966 { 3 } else { 30 })));
        let c = Compliance::of(set);
        assert_eq!((c.compliant, c.total, c.percent()), (966, 1000, Some(96.6)));
        assert_eq!(Compliance::of(Vec::new()).percent(), None);
    }

    proptest! {
        #[test]
        fn no_status_moves_to_itself_and_ended_ones_stay_ended(from in 0usize..7, to in 0usize..7) {
            let (from, to) = (CrimeStatus::ALL[from], CrimeStatus::ALL[to]);
            prop_assert!(!from.can_move_to(from));
            if matches!(from, CrimeStatus::Cancelled | CrimeStatus::Transferred) {
                prop_assert!(!from.can_move_to(to));
            }
        }

        #[test]
        fn compliance_is_between_0_and_100(hours in proptest::collection::vec(0i64..100, 1..50)) {
            let reported = at(0, 0);
            let c = Compliance::of(hours.iter().map(|h| (reported, reported + Duration::hours(*h))));
            let p = c.percent().unwrap_or(-1.0);
            prop_assert!((0.0..=100.0).contains(&p));
            prop_assert_eq!(c.compliant, hours.iter().filter(|h| **h <= 24).count());
        }

        #[test]
        fn crime_numbers_are_distinct_for_distinct_sequences(a in 1i64..1_000_000, b in 1i64..1_000_000) {
            prop_assume!(a != b);
            prop_assert_ne!(format_crime_number("CR-{yyyy}-{seq:6}", 2026, a), format_crime_number("CR-{yyyy}-{seq:6}", 2026, b));
        }
    }
}
