//! Outcome analytics (issue 7, point 4): the outcome mix by crime type, team or officer over a
//! period and against the period before it, with outcome 16 — evidential difficulties, the victim
//! does not support — singled out. The inspection found Kent closing 26.4% of all its crimes as
//! outcome 16, up from 23.4% (`../shared/domain/INSPECTION-FIGURES.md`: "outcomes / recorded
//! crimes"), so the share is given both ways: of the outcomes in the period and of the crimes
//! recorded in it. Pure: the store counts, this module compares.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::access::named_enum;

named_enum!(
    /// What the mix is broken down by.
    Dimension {
        CrimeType => "crime-type", "Crime type";
        Team => "team", "Team";
        Officer => "officer", "Officer";
    }
);

/// The outcome the inspection watched.
pub const WATCHED: &str = "16";

/// A share of this many percentage points above the force's, or a rise of this many points on the
/// previous period, is highlighted.
pub const HIGHLIGHT_POINTS: f64 = 5.0;

/// One count from the store: crimes finalised in the period with this outcome, for one key of the
/// dimension (an offence group, a team name, an officer's id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MixCount {
    pub key: String,
    pub label: String,
    pub outcome: String,
    pub count: u64,
}

/// One outcome's line: its count and share now and before.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeLine {
    pub code: String,
    pub label: String,
    pub current: u64,
    pub previous: u64,
    pub current_share: f64,
    pub previous_share: f64,
}

impl OutcomeLine {
    /// Percentage points gained (or lost) on the previous period.
    pub fn change(&self) -> f64 {
        self.current_share - self.previous_share
    }
}

/// One key's line (a crime type, a team, an officer).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupLine {
    pub key: String,
    pub label: String,
    pub current: u64,
    pub previous: u64,
    /// Outcome code → count in the current period.
    pub counts: BTreeMap<String, u64>,
    /// Share of outcome 16 among this key's outcomes, now and before (`None` with no outcomes).
    pub watched_share: Option<f64>,
    pub previous_watched_share: Option<f64>,
    /// Outcome 16's share is at least [`HIGHLIGHT_POINTS`] above the force's…
    pub above: bool,
    /// …or has risen by at least that on the previous period.
    pub risen: bool,
    /// Either.
    pub highlighted: bool,
}

/// The comparison the analytics page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub dimension: Dimension,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub previous_from: DateTime<Utc>,
    pub current_total: u64,
    pub previous_total: u64,
    /// Crimes recorded in each period (the inspectorate's denominator for outcome 16).
    pub current_recorded: u64,
    pub previous_recorded: u64,
    /// Every outcome seen in either period, in the outcome list's order (unknown codes last).
    pub outcomes: Vec<OutcomeLine>,
    /// Largest current total first.
    pub groups: Vec<GroupLine>,
}

impl Comparison {
    /// Outcome 16 as a share of the period's outcomes.
    pub fn watched(&self) -> Option<&OutcomeLine> {
        self.outcomes.iter().find(|o| o.code == WATCHED)
    }

    /// Outcome 16 as a percentage of the crimes recorded in the period, now and before.
    pub fn watched_of_recorded(&self) -> (Option<f64>, Option<f64>) {
        let n = self.watched().map(|w| (w.current, w.previous)).unwrap_or((0, 0));
        (percent(n.0, self.current_recorded), percent(n.1, self.previous_recorded))
    }
}

/// The period of the same length just before [from, to). A period of whole UK days (both ends at
/// local midnight) gives the same number of whole UK days before it, so a clock change in between
/// never shifts it by an hour; any other period is the same length of time before.
pub fn previous_period(from: DateTime<Utc>, to: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let local = |t: DateTime<Utc>| t.with_timezone(&chrono_tz::Europe::London);
    let (a, b) = (local(from), local(to));
    let midnight = |t: &chrono::DateTime<chrono_tz::Tz>| t.time() == chrono::NaiveTime::MIN;
    if midnight(&a) && midnight(&b) {
        let days = (b.date_naive() - a.date_naive()).num_days();
        let start = a.date_naive() - chrono::Duration::days(days);
        if let Some(start) = crate::time::london_day_start(&start.format("%Y-%m-%d").to_string(), false) {
            return (start, from);
        }
    }
    (from - (to - from), from)
}

pub fn percent(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 * 100.0 / whole as f64)
}

/// Compares two periods' counts. `order` is the outcome list's codes with their labels, in order.
pub fn compare(
    dimension: Dimension,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    current: &[MixCount],
    previous: &[MixCount],
    recorded: (u64, u64),
    order: &[(String, String)],
) -> Comparison {
    let total = |rows: &[MixCount]| rows.iter().map(|r| r.count).sum::<u64>();
    let (current_total, previous_total) = (total(current), total(previous));
    let by_code = |rows: &[MixCount]| {
        let mut m: BTreeMap<String, u64> = BTreeMap::new();
        for r in rows {
            *m.entry(r.outcome.clone()).or_default() += r.count;
        }
        m
    };
    let (now, before) = (by_code(current), by_code(previous));
    let mut codes: Vec<(String, String)> =
        order.iter().filter(|(c, _)| now.contains_key(c) || before.contains_key(c)).cloned().collect();
    for code in now.keys().chain(before.keys()) {
        if !codes.iter().any(|(c, _)| c == code) {
            codes.push((code.clone(), format!("Outcome {code}")));
        }
    }
    let outcomes = codes
        .into_iter()
        .map(|(code, label)| {
            let (c, p) = (now.get(&code).copied().unwrap_or(0), before.get(&code).copied().unwrap_or(0));
            OutcomeLine {
                current_share: percent(c, current_total).unwrap_or(0.0),
                previous_share: percent(p, previous_total).unwrap_or(0.0),
                code,
                label,
                current: c,
                previous: p,
            }
        })
        .collect::<Vec<_>>();
    let force_share = percent(now.get(WATCHED).copied().unwrap_or(0), current_total);

    let mut groups: BTreeMap<String, GroupLine> = BTreeMap::new();
    let mut previous_watched: BTreeMap<String, u64> = BTreeMap::new();
    for r in current {
        let g = groups.entry(r.key.clone()).or_insert_with(|| empty_line(r));
        g.current += r.count;
        *g.counts.entry(r.outcome.clone()).or_default() += r.count;
    }
    for r in previous {
        let g = groups.entry(r.key.clone()).or_insert_with(|| empty_line(r));
        g.previous += r.count;
        if r.outcome == WATCHED {
            *previous_watched.entry(r.key.clone()).or_default() += r.count;
        }
    }
    let mut groups: Vec<GroupLine> = groups
        .into_values()
        .map(|mut g| {
            g.watched_share = percent(g.counts.get(WATCHED).copied().unwrap_or(0), g.current);
            g.previous_watched_share = percent(previous_watched.get(&g.key).copied().unwrap_or(0), g.previous);
            let above = matches!((g.watched_share, force_share), (Some(s), Some(f)) if s >= f + HIGHLIGHT_POINTS);
            let risen =
                matches!((g.watched_share, g.previous_watched_share), (Some(s), Some(p)) if s >= p + HIGHLIGHT_POINTS);
            (g.above, g.risen) = (above, risen);
            g.highlighted = above || risen;
            g
        })
        .collect();
    groups.sort_by(|a, b| b.current.cmp(&a.current).then_with(|| a.label.cmp(&b.label)));
    let (previous_from, _) = previous_period(from, to);
    Comparison {
        dimension,
        from,
        to,
        previous_from,
        current_total,
        previous_total,
        current_recorded: recorded.0,
        previous_recorded: recorded.1,
        outcomes,
        groups,
    }
}

fn empty_line(r: &MixCount) -> GroupLine {
    GroupLine {
        key: r.key.clone(),
        label: r.label.clone(),
        current: 0,
        previous: 0,
        counts: BTreeMap::new(),
        watched_share: None,
        previous_watched_share: None,
        above: false,
        risen: false,
        highlighted: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).single().expect("a valid date")
    }

    fn row(key: &str, outcome: &str, count: u64) -> MixCount {
        MixCount { key: key.into(), label: key.to_uppercase(), outcome: outcome.into(), count }
    }

    fn order() -> Vec<(String, String)> {
        ["1", "16", "18"].iter().map(|c| (c.to_string(), format!("label {c}"))).collect()
    }

    #[test]
    fn the_previous_period_is_the_same_length_before() {
        assert_eq!(previous_period(at(2026, 3, 1), at(2026, 3, 11)), (at(2026, 2, 19), at(2026, 3, 1)));
        assert_eq!(previous_period(at(2026, 4, 1), at(2026, 7, 1)), (at(2025, 12, 31), at(2026, 4, 1)), "91 days");
        // Whole UK days across the clocks going forward (29 March 2026): 1 April to 1 May BST is 30
        // days, so the period before starts at midnight GMT on 2 March, 24 × 30 − 1 hours earlier.
        let london = |y, m, d| crate::time::london_day_start(&format!("{y:04}-{m:02}-{d:02}"), false).expect("day");
        assert_eq!(previous_period(london(2026, 4, 1), london(2026, 5, 1)), (london(2026, 3, 2), london(2026, 4, 1)));
        assert_eq!(london(2026, 3, 2), at(2026, 3, 2), "GMT midnight");
        assert_eq!(london(2026, 4, 1), at(2026, 3, 31) + chrono::Duration::hours(23), "BST midnight");
    }

    /// Kent's figures: 37,278 outcome-16 closures of 141,197 recorded crimes is 26.4%.
    #[test]
    fn the_inspections_figure_is_reproduced() {
        let current = [row("violence", "16", 37_278), row("violence", "18", 60_000)];
        let c = compare(Dimension::CrimeType, (at(2017, 4, 1), at(2018, 4, 1)), &current, &[], (141_197, 0), &order());
        let (of_recorded, before) = c.watched_of_recorded();
        assert_eq!(format!("{:.1}", of_recorded.expect("share")), "26.4");
        assert_eq!(before, None, "no crimes recorded before: no share");
    }

    #[test]
    fn groups_are_compared_and_the_outliers_highlighted() {
        let current = [
            row("a", "16", 30),
            row("a", "1", 70),
            row("b", "16", 10),
            row("b", "18", 90),
            row("c", "16", 12),
            row("c", "1", 88),
            row("c", "99", 5),
        ];
        let previous = [row("a", "16", 20), row("a", "1", 80), row("c", "16", 5), row("c", "1", 95)];
        let c = compare(Dimension::Team, (at(2026, 4, 1), at(2026, 7, 1)), &current, &previous, (400, 300), &order());
        assert_eq!((c.current_total, c.previous_total), (305, 200));
        let codes: Vec<(&str, u64, u64)> =
            c.outcomes.iter().map(|o| (o.code.as_str(), o.current, o.previous)).collect();
        assert_eq!(codes, [("1", 158, 175), ("16", 52, 25), ("18", 90, 0), ("99", 5, 0)]);
        assert_eq!(c.outcomes[3].label, "Outcome 99", "unknown codes keep a label");
        let watched = c.watched().expect("16");
        assert!((watched.change() - (52.0 * 100.0 / 305.0 - 12.5)).abs() < 1e-9);
        let lines: Vec<(&str, u64, bool)> =
            c.groups.iter().map(|g| (g.key.as_str(), g.current, g.highlighted)).collect();
        // Force share is 17.0%: a is 30% (well above), b 10%, c 11.4% but up from 5% (risen).
        assert_eq!(lines, [("c", 105, true), ("a", 100, true), ("b", 100, false)]);
        let reasons: Vec<(bool, bool)> = c.groups.iter().map(|g| (g.above, g.risen)).collect();
        assert_eq!(reasons, [(false, true), (true, true), (false, false)], "c risen; a above (and up from 20%)");
        let b = &c.groups[2];
        assert_eq!((b.watched_share, b.previous_watched_share), (Some(10.0), None));
    }

    proptest! {
        /// Every count is accounted for: the outcome lines and the group lines both add up to the
        /// totals, and shares add up to 100 when there is anything.
        #[test]
        fn counts_add_up(rows in proptest::collection::vec((0usize..4, 0usize..5, 0u64..1000), 0..40),
                         before in proptest::collection::vec((0usize..4, 0usize..5, 0u64..1000), 0..40)) {
            let codes = ["1", "16", "18", "21", "x"];
            let make = |v: &[(usize, usize, u64)]| v.iter().map(|(k, o, n)| row(&format!("k{k}"), codes[*o], *n)).collect::<Vec<_>>();
            let (current, previous) = (make(&rows), make(&before));
            let c = compare(Dimension::Officer, (at(2026, 1, 1), at(2026, 2, 1)), &current, &previous, (10, 10), &order());
            prop_assert_eq!(c.outcomes.iter().map(|o| o.current).sum::<u64>(), c.current_total);
            prop_assert_eq!(c.outcomes.iter().map(|o| o.previous).sum::<u64>(), c.previous_total);
            prop_assert_eq!(c.groups.iter().map(|g| g.current).sum::<u64>(), c.current_total);
            prop_assert_eq!(c.groups.iter().map(|g| g.previous).sum::<u64>(), c.previous_total);
            if c.current_total > 0 {
                let shares: f64 = c.outcomes.iter().map(|o| o.current_share).sum();
                prop_assert!((shares - 100.0).abs() < 1e-6);
            }
        }
    }
}
