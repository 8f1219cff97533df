//! Triage (issue 6): the queue every recorded, unallocated crime sits in until someone takes it, the
//! priority that orders it (risk and age, each point explained), the ageing limits that alert the
//! triage supervisor and then the duty inspector, and the backlog figures a force needs when the
//! queue grows. The inspection this answers found about 2,000 crimes waiting about 14 days for
//! allocation with "minimal evidence of proactive management" (`../shared/seed/000_058ba65e7a43c4ff.txt`).
//!
//! Everything here is pure. The use cases that read the queue, screen crimes (with
//! [`crate::solvability`]) and allocate them (with [`crate::allocation`]) are in
//! [`crate::triage_use`].

use chrono::{DateTime, Duration, NaiveDate, Utc};
use uuid::Uuid;

use crate::crime::{Crime, CrimeFlag, CrimeStatus, HateStrand};
use crate::offence::OffenceGroup;

/// Points each risk adds to a crime's place in the queue, and how fast waiting raises it. The
/// values are the force's to set (`[triage.priority]` in the configuration); the defaults put a
/// vulnerable or child victim first, and let a day's wait count about as much as a repeat victim
/// so that nothing sits at the bottom for ever.
#[derive(Debug, Clone, PartialEq)]
pub struct PriorityWeights {
    pub vulnerable_victim: i64,
    pub child_victim: i64,
    pub domestic_abuse: i64,
    pub hate_crime: i64,
    pub repeat_victim: i64,
    pub named_suspect: i64,
    pub perishable_evidence: i64,
    /// Points per full day waited since the crime was recorded.
    pub per_day_waiting: i64,
    /// Offence seriousness by group; groups not listed add nothing.
    pub seriousness: Vec<(OffenceGroup, i64)>,
}

impl Default for PriorityWeights {
    fn default() -> Self {
        use OffenceGroup::*;
        PriorityWeights {
            vulnerable_victim: 40,
            child_victim: 40,
            domestic_abuse: 35,
            hate_crime: 30,
            repeat_victim: 20,
            named_suspect: 15,
            perishable_evidence: 15,
            per_day_waiting: 20,
            seriousness: vec![
                (SexualOffences, 30),
                (Robbery, 25),
                (ViolenceAgainstThePerson, 20),
                (PossessionOfWeapons, 15),
                (Burglary, 15),
                (ArsonAndCriminalDamage, 5),
            ],
        }
    }
}

/// How long a crime may wait for allocation before the triage supervisor is alerted, and when the
/// duty inspector is. Configurable (`[triage]`); the defaults are the examples: 24 hours
/// when the victim is at higher risk, 72 otherwise, and the inspector at twice that.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AgeingLimits {
    pub high_risk_hours: i64,
    pub standard_hours: i64,
    /// The inspector is alerted once a crime has waited this many times its limit.
    pub inspector_multiple: i64,
}

impl Default for AgeingLimits {
    fn default() -> Self {
        AgeingLimits { high_risk_hours: 24, standard_hours: 72, inspector_multiple: 2 }
    }
}

/// The force's triage settings, in [`crate::Settings`].
#[derive(Debug, Clone, PartialEq)]
pub struct TriagePolicy {
    pub priority: PriorityWeights,
    pub limits: AgeingLimits,
    /// The team (or the end of its name: "East Incident Management Unit" matches "Incident
    /// Management Unit") that does desk investigation by telephone.
    pub desk_team: String,
    /// Caseload caps (open crimes) for officers without one of their own.
    pub default_cap: u32,
    pub desk_cap: u32,
    /// Offence groups whose crimes are allocated without a supervisor's acceptance.
    pub auto_allocate: Vec<OffenceGroup>,
    pub requirements: crate::allocation::RequirementTable,
    pub costs: crate::allocation::CostWeights,
    pub models: crate::solvability::ModelSet,
}

impl Default for TriagePolicy {
    fn default() -> Self {
        TriagePolicy {
            priority: PriorityWeights::default(),
            limits: AgeingLimits::default(),
            desk_team: "Incident Management Unit".into(),
            default_cap: 16,
            desk_cap: 30,
            auto_allocate: Vec::new(),
            requirements: crate::allocation::RequirementTable::builtin(),
            costs: crate::allocation::CostWeights::default(),
            models: crate::solvability::ModelSet::builtin(),
        }
    }
}

impl TriagePolicy {
    /// Whether an officer's team is the desk-investigation team.
    pub fn is_desk_team(&self, team: &str) -> bool {
        !self.desk_team.is_empty() && team.trim().ends_with(self.desk_team.trim())
    }
}

/// What the queue needs of a crime. The queue reads every waiting crime at once (thousands when a
/// backlog builds), so the stores read these columns only: the whole row took five times as long.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueCrime {
    pub id: Uuid,
    pub number: String,
    pub version: i64,
    pub status: CrimeStatus,
    pub offence_code: String,
    pub offence_label: String,
    pub offence_group: OffenceGroup,
    pub recorded_at: DateTime<Utc>,
    pub division: String,
    pub flags: Vec<CrimeFlag>,
    pub hate_strands: Vec<HateStrand>,
    /// Empty until screened, then `investigate` or `desk`.
    pub route: String,
}

impl From<&Crime> for QueueCrime {
    fn from(c: &Crime) -> Self {
        QueueCrime {
            id: c.id,
            number: c.number.clone(),
            version: c.version,
            status: c.status,
            offence_code: c.offence_code.clone(),
            offence_label: c.offence_label.clone(),
            offence_group: c.offence_group,
            recorded_at: c.recorded_at,
            division: c.division.clone(),
            flags: c.flags.clone(),
            hate_strands: c.hate_strands.clone(),
            route: c.route.clone(),
        }
    }
}

/// A crime waiting in the queue with what the store knows about its people.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueRow {
    pub crime: QueueCrime,
    /// People linked as victims.
    pub victims: Vec<Uuid>,
    /// People linked as suspects or offenders (a named suspect).
    pub suspects: Vec<Uuid>,
}

/// Who is alerted about a crime that has waited too long.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Breach {
    None,
    /// Past its limit: the triage supervisor.
    Supervisor,
    /// Past the limit times `inspector_multiple`: the duty inspector too.
    Inspector,
}

impl Breach {
    pub fn label(self) -> &'static str {
        match self {
            Breach::None => "Within its limit",
            Breach::Supervisor => "Past its limit: triage supervisor alerted",
            Breach::Inspector => "Far past its limit: duty inspector alerted",
        }
    }
}

/// One reason a crime sits where it does, with the points it adds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    pub why: String,
    pub points: i64,
}

/// A crime in the queue, ranked.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueItem {
    pub row: QueueRow,
    pub priority: i64,
    /// Every reason for the priority, largest first; they add up to it.
    pub reasons: Vec<Reason>,
    /// A victim at higher risk (vulnerable, child, domestic abuse, hate crime): the shorter limit.
    pub high_risk: bool,
    pub waited: Duration,
    pub limit_hours: i64,
    pub breach: Breach,
}

impl QueueItem {
    /// "2 days 4 hours", for the page.
    pub fn waited_text(&self) -> String {
        duration_text(self.waited)
    }
}

/// Days and hours, or minutes under an hour.
pub fn duration_text(d: Duration) -> String {
    let minutes = d.num_minutes().max(0);
    let (days, hours) = (minutes / (24 * 60), (minutes / 60) % 24);
    match (days, hours) {
        (0, 0) => format!("{minutes} min"),
        (0, h) => format!("{h} h"),
        (d, 0) => format!("{d} {}", if d == 1 { "day" } else { "days" }),
        (d, h) => format!("{d} {} {h} h", if d == 1 { "day" } else { "days" }),
    }
}

/// Whether the victim is at higher risk: the flags that give a crime the shorter ageing limit and
/// that the solvability models never apply to (REFERENCE.md §10.1: the EBIT model is non-domestic).
pub fn high_risk(crime: &QueueCrime) -> bool {
    !crime.hate_strands.is_empty()
        || crime.flags.iter().any(|f| {
            matches!(
                f,
                CrimeFlag::VulnerableVictim
                    | CrimeFlag::ChildVictim
                    | CrimeFlag::DomesticAbuse
                    | CrimeFlag::ChildSexualExploitation
                    | CrimeFlag::HonourBased
                    | CrimeFlag::ModernSlavery
            )
        })
}

/// A crime's priority and its reasons at `now`.
pub fn assess(row: QueueRow, now: DateTime<Utc>, policy: &TriagePolicy) -> QueueItem {
    let w = &policy.priority;
    let crime = &row.crime;
    let mut reasons = Vec::new();
    let mut add = |why: String, points: i64| {
        if points != 0 {
            reasons.push(Reason { why, points });
        }
    };
    let has = |f: CrimeFlag| crime.flags.contains(&f);
    if has(CrimeFlag::VulnerableVictim) {
        add("Vulnerable victim".into(), w.vulnerable_victim);
    }
    if has(CrimeFlag::ChildVictim) || has(CrimeFlag::ChildSexualExploitation) {
        add("Child victim".into(), w.child_victim);
    }
    if has(CrimeFlag::DomesticAbuse) {
        add("Domestic abuse".into(), w.domestic_abuse);
    }
    if !crime.hate_strands.is_empty() {
        add("Hate crime".into(), w.hate_crime);
    }
    if has(CrimeFlag::RepeatVictim) {
        add("Repeat victim".into(), w.repeat_victim);
    }
    if !row.suspects.is_empty() {
        add("Named suspect".into(), w.named_suspect);
    }
    if has(CrimeFlag::PerishableEvidence) {
        add("Perishable evidence".into(), w.perishable_evidence);
    }
    if let Some((group, points)) = w.seriousness.iter().find(|(g, _)| *g == crime.offence_group) {
        add(format!("Offence: {}", group.label()), *points);
    }
    let waited = (now - crime.recorded_at).max(Duration::zero());
    add(format!("Waiting {}", duration_text(waited)), waited.num_days() * w.per_day_waiting);
    reasons.sort_by(|a, b| b.points.cmp(&a.points).then_with(|| a.why.cmp(&b.why)));
    let priority = reasons.iter().map(|r| r.points).sum();
    let high_risk = high_risk(crime);
    let limit_hours = if high_risk { policy.limits.high_risk_hours } else { policy.limits.standard_hours };
    let breach = if waited > Duration::hours(limit_hours * policy.limits.inspector_multiple.max(1)) {
        Breach::Inspector
    } else if waited > Duration::hours(limit_hours) {
        Breach::Supervisor
    } else {
        Breach::None
    };
    QueueItem { row, priority, reasons, high_risk, waited, limit_hours, breach }
}

/// The queue in order: highest priority first, then the longest waiting, then by crime number, so
/// the order is total and the same on every page load.
pub fn rank(rows: Vec<QueueRow>, now: DateTime<Utc>, policy: &TriagePolicy) -> Vec<QueueItem> {
    let mut items: Vec<QueueItem> = rows.into_iter().map(|r| assess(r, now, policy)).collect();
    items.sort_by(|a, b| {
        b.priority
            .cmp(&a.priority)
            .then_with(|| a.row.crime.recorded_at.cmp(&b.row.crime.recorded_at))
            .then_with(|| a.row.crime.number.cmp(&b.row.crime.number))
    });
    items
}

// ---- Screening and allocation records ------------------------------------------------------------

/// A screening decision as kept (REFERENCE.md §10.1: the score, the factors, the recommendation, the
/// human decision and any override reason). Screening never changes whether a crime is recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Screening {
    pub id: Uuid,
    pub crime_id: Uuid,
    /// The model applied; empty when none applied (excluded, or no model for the crime type).
    pub model_id: String,
    pub model_version: u32,
    pub score: Option<f64>,
    pub threshold: Option<f64>,
    /// The keys of the factors present.
    pub factors: Vec<String>,
    /// `screen-in`, `screen-out`, or empty when no model applied.
    pub recommendation: String,
    /// Why no model may apply (domestic abuse, hate crime…), or empty.
    pub exclusion: String,
    /// `investigate`, `desk` or `screen-out` ([`crate::solvability::Decision`]).
    pub decision: String,
    pub override_reason: String,
    pub decided_by: Option<Uuid>,
    pub decided_by_name: String,
    pub decided_at: DateTime<Utc>,
}

/// An allocation to an officer, as kept: who, who proposed whom, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Allocation {
    pub id: Uuid,
    pub crime_id: Uuid,
    pub officer_id: Uuid,
    pub officer_name: String,
    /// The officer the engine proposed, when there was a proposal.
    pub proposed_officer: Option<Uuid>,
    /// Why this officer (the engine's reasons, or the supervisor's when they chose someone else).
    pub reasons: Vec<String>,
    /// Allocated by the engine for a category the force auto-allocates.
    pub automatic: bool,
    pub allocated_by: Option<Uuid>,
    pub allocated_by_name: String,
    pub allocated_at: DateTime<Utc>,
}

/// One crime of a bulk allocation: the crime as it will be, the version it was read at, and the row.
#[derive(Debug, Clone, PartialEq)]
pub struct AllocationWrite {
    pub crime: Crime,
    pub expected_version: i64,
    pub allocation: Allocation,
}

/// An officer's open crimes of one offence group (their caseload, by workload weight).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caseload {
    pub user_id: Uuid,
    pub group: OffenceGroup,
    pub open: u32,
}

/// A period an officer is away (leave, sickness, a course) and gets no new crimes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leave {
    pub id: Uuid,
    pub user_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// "Annual leave", "Sickness", "Course"…
    pub kind: String,
    pub recorded_by_name: String,
    pub recorded_at: DateTime<Utc>,
}

impl Leave {
    pub fn covers(&self, at: DateTime<Utc>) -> bool {
        self.starts_at <= at && at < self.ends_at
    }
}

/// The times crimes entered and left the queue since a day, for the backlog view.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TriageFlow {
    pub recorded: Vec<DateTime<Utc>>,
    /// First allocations.
    pub allocated: Vec<DateTime<Utc>>,
    pub screened_out: Vec<DateTime<Utc>>,
}

// ---- The backlog view ------------------------------------------------------------------------------

/// Crimes waiting by how long, split by risk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgeBand {
    pub label: &'static str,
    pub high_risk: usize,
    pub standard: usize,
}

/// One day's movement through the queue (UK days).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayFlow {
    pub day: NaiveDate,
    pub inflow: usize,
    pub allocated: usize,
    pub screened_out: usize,
}

impl DayFlow {
    pub fn outflow(&self) -> usize {
        self.allocated + self.screened_out
    }
}

/// The figures the backlog recovery view shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Backlog {
    pub waiting: usize,
    pub bands: Vec<AgeBand>,
    pub days: Vec<DayFlow>,
    /// Mean crimes in and out per day over the days shown.
    pub mean_inflow: f64,
    pub mean_outflow: f64,
    /// Free places (cap minus open crimes) across available investigators, and how many have room.
    pub capacity: u32,
    pub officers_with_room: usize,
    /// Days to clear at the current net rate; `None` when crimes arrive at least as fast as they leave.
    pub projected_days: Option<f64>,
    pub supervisor_breaches: usize,
    pub inspector_breaches: usize,
    /// The longest waiting, oldest first.
    pub oldest: Vec<QueueItem>,
}

/// The age bands of the backlog view, as (label, upper bound in hours).
pub const AGE_BANDS: &[(&str, i64)] = &[
    ("Under 24 hours", 24),
    ("1 to 3 days", 72),
    ("3 to 7 days", 168),
    ("7 to 14 days", 336),
    ("14 days or more", i64::MAX),
];

/// The backlog figures from the ranked queue, the flow since `days` UK days ago, and the capacity.
pub fn backlog(
    items: &[QueueItem],
    flow: &TriageFlow,
    now: DateTime<Utc>,
    days: u32,
    capacity: u32,
    officers_with_room: usize,
) -> Backlog {
    let mut bands: Vec<AgeBand> =
        AGE_BANDS.iter().map(|(label, _)| AgeBand { label, high_risk: 0, standard: 0 }).collect();
    for item in items {
        let hours = item.waited.num_hours();
        let k = AGE_BANDS.iter().position(|(_, upper)| hours < *upper).unwrap_or(AGE_BANDS.len() - 1);
        if item.high_risk {
            bands[k].high_risk += 1;
        } else {
            bands[k].standard += 1;
        }
    }
    let today = london_day(now);
    let first = today - Duration::days(i64::from(days.max(1)) - 1);
    let mut day_flows: Vec<DayFlow> = (0..days.max(1))
        .map(|k| DayFlow { day: first + Duration::days(i64::from(k)), inflow: 0, allocated: 0, screened_out: 0 })
        .collect();
    let mut count = |times: &[DateTime<Utc>], pick: fn(&mut DayFlow) -> &mut usize| {
        for t in times {
            let d = london_day(*t);
            if d >= first && d <= today {
                let k = (d - first).num_days() as usize;
                if let Some(day) = day_flows.get_mut(k) {
                    *pick(day) += 1;
                }
            }
        }
    };
    count(&flow.recorded, |d| &mut d.inflow);
    count(&flow.allocated, |d| &mut d.allocated);
    count(&flow.screened_out, |d| &mut d.screened_out);
    // Today is not over: the means use whole days only (all of them when only today is shown).
    let whole: Vec<&DayFlow> = if day_flows.len() > 1 {
        day_flows[..day_flows.len() - 1].iter().collect()
    } else {
        day_flows.iter().collect()
    };
    let n = whole.len().max(1) as f64;
    let mean_inflow = whole.iter().map(|d| d.inflow).sum::<usize>() as f64 / n;
    let mean_outflow = whole.iter().map(|d| d.outflow()).sum::<usize>() as f64 / n;
    let net = mean_outflow - mean_inflow;
    let waiting = items.len();
    let projected_days = if waiting == 0 {
        Some(0.0)
    } else if net > 0.0 {
        Some((waiting as f64 / net * 10.0).ceil() / 10.0)
    } else {
        None
    };
    let mut oldest: Vec<QueueItem> = items.to_vec();
    oldest.sort_by(|a, b| b.waited.cmp(&a.waited).then_with(|| a.row.crime.number.cmp(&b.row.crime.number)));
    oldest.truncate(10);
    Backlog {
        waiting,
        bands,
        days: day_flows,
        mean_inflow,
        mean_outflow,
        capacity,
        officers_with_room,
        projected_days,
        supervisor_breaches: items.iter().filter(|i| i.breach == Breach::Supervisor).count(),
        inspector_breaches: items.iter().filter(|i| i.breach == Breach::Inspector).count(),
        oldest,
    }
}

/// The UK calendar day of an instant.
pub fn london_day(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&chrono_tz::Europe::London).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::offence::OffenceGroup;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).single().expect("valid")
    }

    pub(crate) fn crime(number: &str, group: OffenceGroup, flags: &[CrimeFlag], hours_ago: i64) -> QueueCrime {
        QueueCrime {
            id: Uuid::now_v7(),
            number: number.into(),
            version: 1,
            status: CrimeStatus::Recorded,
            offence_code: "105A".into(),
            offence_label: "Assault without injury".into(),
            offence_group: group,
            recorded_at: now() - Duration::hours(hours_ago),
            division: "East".into(),
            flags: flags.to_vec(),
            hate_strands: Vec::new(),
            route: String::new(),
        }
    }

    fn row(c: QueueCrime, suspect: bool) -> QueueRow {
        QueueRow {
            crime: c,
            victims: vec![Uuid::now_v7()],
            suspects: if suspect { vec![Uuid::now_v7()] } else { vec![] },
        }
    }

    #[test]
    fn risk_comes_first_and_every_point_is_explained() {
        let policy = TriagePolicy::default();
        let theft = row(crime("CR-1", OffenceGroup::Theft, &[], 2), false);
        let vulnerable = row(crime("CR-2", OffenceGroup::Theft, &[CrimeFlag::VulnerableVictim], 1), false);
        let suspect = row(crime("CR-3", OffenceGroup::Theft, &[], 1), true);
        let items = rank(vec![theft, vulnerable, suspect], now(), &policy);
        let order: Vec<&str> = items.iter().map(|i| i.row.crime.number.as_str()).collect();
        assert_eq!(order, ["CR-2", "CR-3", "CR-1"]);
        for item in &items {
            assert_eq!(item.priority, item.reasons.iter().map(|r| r.points).sum::<i64>(), "reasons add up");
        }
        assert_eq!(items[0].reasons[0], Reason { why: "Vulnerable victim".into(), points: 40 });
        assert_eq!(items[1].reasons[0], Reason { why: "Named suspect".into(), points: 15 });
        assert!(items[2].reasons.is_empty(), "a two-hour-old theft has nothing to raise it yet");
    }

    #[test]
    fn waiting_raises_a_crime_so_nothing_stays_at_the_bottom() {
        let policy = TriagePolicy::default();
        let old_theft = row(crime("CR-1", OffenceGroup::Theft, &[], 24 * 3 + 1), false);
        let fresh_da = row(crime("CR-2", OffenceGroup::Theft, &[CrimeFlag::DomesticAbuse], 1), false);
        let items = rank(vec![fresh_da, old_theft], now(), &policy);
        assert_eq!(items[0].row.crime.number, "CR-1", "three days' wait (60) outranks domestic abuse (35)");
        assert_eq!(items[0].reasons[0], Reason { why: "Waiting 3 days 1 h".into(), points: 60 });
    }

    #[test]
    fn ageing_limits_alert_the_supervisor_then_the_inspector() {
        let policy = TriagePolicy::default();
        let at = |flags: &[CrimeFlag], hours| {
            assess(row(crime("CR-1", OffenceGroup::Theft, flags, hours), false), now(), &policy)
        };
        let v = [CrimeFlag::VulnerableVictim];
        assert_eq!(at(&v, 23).breach, Breach::None);
        assert_eq!(at(&v, 25).breach, Breach::Supervisor);
        assert_eq!(at(&v, 49).breach, Breach::Inspector);
        assert_eq!(at(&[], 25).breach, Breach::None, "standard crimes have 72 hours");
        assert_eq!(at(&[], 73).breach, Breach::Supervisor);
        assert_eq!(at(&[], 145).breach, Breach::Inspector);
        assert_eq!(at(&v, 25).limit_hours, 24);
    }

    #[test]
    fn the_backlog_counts_bands_flow_and_projects_days_to_clear() {
        let policy = TriagePolicy::default();
        let rows: Vec<QueueRow> = [1, 30, 100, 200, 400, 400]
            .iter()
            .enumerate()
            .map(|(k, h)| row(crime(&format!("CR-{k}"), OffenceGroup::Theft, &[], *h), false))
            .collect();
        let items = rank(rows, now(), &policy);
        let day =
            |d: i64, h: u32| Utc.with_ymd_and_hms(2026, 11, 27, h, 0, 0).single().expect("valid") - Duration::days(d);
        // Over the six whole days before today: 12 in, 24 out (18 allocated, 6 screened out).
        let flow = TriageFlow {
            recorded: (1..=6).flat_map(|d| [day(d, 9), day(d, 10)]).chain([day(0, 9)]).collect(),
            allocated: (1..=6).flat_map(|d| [day(d, 9), day(d, 10), day(d, 11)]).collect(),
            screened_out: (1..=6).map(|d| day(d, 9)).collect(),
        };
        let b = backlog(&items, &flow, now(), 7, 40, 5);
        assert_eq!(b.waiting, 6);
        let counts: Vec<usize> = b.bands.iter().map(|band| band.standard).collect();
        assert_eq!(counts, [1, 1, 1, 1, 2]);
        assert_eq!(b.days.len(), 7);
        assert_eq!(b.days[6].inflow, 1, "today");
        assert_eq!((b.mean_inflow, b.mean_outflow), (2.0, 4.0));
        assert_eq!(b.projected_days, Some(3.0), "6 waiting at 2 a day net");
        assert_eq!(b.oldest[0].waited, Duration::hours(400));
        assert_eq!((b.supervisor_breaches, b.inspector_breaches), (1, 3));
        let stuck =
            TriageFlow { recorded: flow.allocated.clone(), allocated: flow.recorded.clone(), screened_out: vec![] };
        assert_eq!(backlog(&items, &stuck, now(), 7, 40, 5).projected_days, None, "not clearing");
    }

    proptest! {
        #[test]
        fn the_queue_is_totally_ordered_and_priorities_explain_themselves(
            specs in proptest::collection::vec((0usize..12, 0u64..2048, 0i64..500, any::<bool>()), 0..40)
        ) {
            let policy = TriagePolicy::default();
            let rows: Vec<QueueRow> = specs.iter().enumerate().map(|(k, (g, flagbits, hours, suspect))| {
                let flags: Vec<CrimeFlag> = CrimeFlag::ALL.iter().enumerate()
                    .filter(|(b, _)| flagbits & (1 << b) != 0).map(|(_, f)| *f).collect();
                row(crime(&format!("CR-{k:03}"), OffenceGroup::ALL[*g], &flags, *hours), *suspect)
            }).collect();
            let n = rows.len();
            let items = rank(rows, now(), &policy);
            prop_assert_eq!(items.len(), n, "nothing is lost");
            for pair in items.windows(2) {
                prop_assert!(pair[0].priority >= pair[1].priority);
            }
            for item in &items {
                prop_assert_eq!(item.priority, item.reasons.iter().map(|r| r.points).sum::<i64>());
                prop_assert!(item.reasons.iter().all(|r| r.points != 0 && !r.why.is_empty()));
            }
        }
    }
}
