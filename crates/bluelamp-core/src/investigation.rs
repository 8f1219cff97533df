//! The investigation of an allocated crime (issue 7): its plan — lines of enquiry and actions, each
//! with an owner, a due date, a status and a result — and its supervision — reviews on a schedule,
//! whose directions become actions, escalating when overdue.
//!
//! The inspection found "supervisors who accept rather than challenge" and investigations by response
//! officers that "still require improvements" (`../shared/seed/000_058ba65e7a43c4ff.txt`). So a
//! review needs written notes, the schedule is tighter for domestic abuse and vulnerable victims, and
//! outcome 18 ("no suspect identified") needs the crime type's mandatory lines of enquiry done
//! (`crate::outcome`). The review intervals and the mandatory lines are force policy, not national
//! rules (the domain notes give none), so every figure here is configuration with a default.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use uuid::Uuid;

use crate::access::named_enum;
use crate::crime::{Crime, CrimeFlag};
use crate::error::FieldError;
use crate::offence::OffenceGroup;

named_enum!(
    /// A line of enquiry.
    ActionKind {
        Cctv => "cctv", "CCTV";
        HouseToHouse => "house-to-house", "House-to-house";
        Forensics => "forensics", "Forensics";
        WitnessStatements => "witness-statements", "Witness statements";
        DigitalDevices => "digital-devices", "Digital devices";
        BodyWornVideo => "body-worn-video", "Body-worn video";
        Call999 => "999-recording", "999 recording";
        MedicalEvidence => "medical-evidence", "Medical evidence";
        SuspectInterview => "suspect-interview", "Suspect interview";
        VictimEngagement => "victim-engagement", "Victim engagement";
        Other => "other", "Other enquiry";
    }
);

named_enum!(
    /// Where an action stands. An action that could not be done is closed with the reason, so a
    /// line of enquiry is never left looking open when it was pursued.
    ActionStatus {
        Open => "open", "Open";
        Done => "done", "Done";
        NotPossible => "not-possible", "Not possible";
    }
);

/// One action in an investigation plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub id: Uuid,
    pub crime_id: Uuid,
    pub kind: ActionKind,
    pub description: String,
    pub owner_id: Uuid,
    pub owner_name: String,
    pub due_on: NaiveDate,
    pub status: ActionStatus,
    /// What the enquiry found, or why it was not possible; empty while open.
    pub result: String,
    pub created_at: DateTime<Utc>,
    pub created_by_name: String,
    pub closed_at: Option<DateTime<Utc>>,
    /// The review whose direction created it.
    pub review_id: Option<Uuid>,
}

impl Action {
    /// Done, or closed as not possible with the reason.
    pub fn is_closed(&self) -> bool {
        self.status != ActionStatus::Open
    }

    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        !self.is_closed() && self.due_on < today
    }

    pub(crate) fn audit_json(&self) -> serde_json::Value {
        serde_json::json!({
            "crime": self.crime_id,
            "kind": self.kind.as_str(),
            "owner": self.owner_id,
            "due_on": self.due_on,
            "status": self.status.as_str(),
            "result": self.result,
            "review": self.review_id,
        })
    }
}

/// An action as entered (a plan line, or a supervisor's direction).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionInput {
    pub kind: String,
    pub description: String,
    /// The owner's user id; empty means the crime's investigator.
    pub owner: String,
    /// `YYYY-MM-DD`.
    pub due_on: String,
}

/// The longest description or result kept.
pub const MAX_TEXT: usize = 2000;

/// Checks an action as entered; `prefix` names the fields ("directions.2.") when it is one of many.
/// Returns the kind, the owner (when one was given) and the due date, or every broken rule.
pub fn check_action(
    input: &ActionInput,
    today: NaiveDate,
    prefix: &str,
) -> Result<(ActionKind, Option<Uuid>, NaiveDate), Vec<FieldError>> {
    let mut errors = Vec::new();
    let kind = match input.kind.trim().parse::<ActionKind>() {
        Ok(kind) => Some(kind),
        Err(_) => {
            errors.push(FieldError::new(format!("{prefix}kind"), "Choose a line of enquiry from the list"));
            None
        }
    };
    let description = input.description.trim();
    if kind == Some(ActionKind::Other) && description.is_empty() {
        errors.push(FieldError::new(format!("{prefix}description"), "Describe the enquiry"));
    }
    if description.chars().count() > MAX_TEXT {
        errors.push(FieldError::new(
            format!("{prefix}description"),
            format!("The description must be at most {MAX_TEXT} characters"),
        ));
    }
    let owner = match input.owner.trim() {
        "" => None,
        text => match text.parse::<Uuid>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.push(FieldError::new(format!("{prefix}owner"), "Choose the officer who owns the action"));
                None
            }
        },
    };
    let due = match NaiveDate::parse_from_str(input.due_on.trim(), "%Y-%m-%d") {
        Ok(due) if due < today => {
            errors.push(FieldError::new(format!("{prefix}due_on"), "The due date cannot be in the past"));
            None
        }
        Ok(due) => Some(due),
        Err(_) => {
            errors.push(FieldError::new(format!("{prefix}due_on"), "Enter the due date as a date (YYYY-MM-DD)"));
            None
        }
    };
    match (kind, due) {
        (Some(kind), Some(due)) if errors.is_empty() => Ok((kind, owner, due)),
        _ => Err(errors),
    }
}

/// Checks closing (or reopening) an action: done needs what it found, not possible needs why.
pub fn check_close(status: &str, result: &str) -> Result<ActionStatus, Vec<FieldError>> {
    let status = status
        .trim()
        .parse::<ActionStatus>()
        .map_err(|_| vec![FieldError::new("status", "Choose open, done or not possible")])?;
    let result = result.trim();
    let mut errors = Vec::new();
    match status {
        ActionStatus::Done if result.chars().count() < 3 => {
            errors.push(FieldError::new("result", "Say what the enquiry found"));
        }
        ActionStatus::NotPossible if result.chars().count() < 3 => {
            errors.push(FieldError::new("result", "Say why the enquiry was not possible"));
        }
        _ => {}
    }
    if result.chars().count() > MAX_TEXT {
        errors.push(FieldError::new("result", format!("The result must be at most {MAX_TEXT} characters")));
    }
    if errors.is_empty() { Ok(status) } else { Err(errors) }
}

/// The lines of enquiry a crime type must have done (or closed as not possible, with the reason)
/// before it may be finalised as outcome 18, "investigation complete – no suspect identified".
/// Force policy: the default table below is ours, not a national list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MandatoryEnquiries {
    pub by_group: BTreeMap<OffenceGroup, Vec<ActionKind>>,
}

impl Default for MandatoryEnquiries {
    fn default() -> Self {
        use ActionKind::*;
        use OffenceGroup::*;
        let by_group = BTreeMap::from([
            (Burglary, vec![Cctv, HouseToHouse, Forensics]),
            (Robbery, vec![Cctv, WitnessStatements, Forensics]),
            (VehicleOffences, vec![Cctv, Forensics]),
            (Theft, vec![Cctv]),
            (ArsonAndCriminalDamage, vec![Cctv, HouseToHouse]),
            (ViolenceAgainstThePerson, vec![WitnessStatements, BodyWornVideo]),
            (SexualOffences, vec![WitnessStatements, Forensics, MedicalEvidence]),
        ]);
        MandatoryEnquiries { by_group }
    }
}

impl MandatoryEnquiries {
    pub fn required(&self, group: OffenceGroup) -> &[ActionKind] {
        self.by_group.get(&group).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The required lines with no closed action of their kind, in the table's order.
    pub fn missing(&self, group: OffenceGroup, actions: &[Action]) -> Vec<ActionKind> {
        self.required(group)
            .iter()
            .copied()
            .filter(|kind| !actions.iter().any(|a| a.kind == *kind && a.is_closed()))
            .collect()
    }
}

/// How often an investigation is reviewed by a supervisor. Force policy (defaults are ours).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewPolicy {
    /// The first review is due this many days after allocation…
    pub first_days: i64,
    /// …and the next this many days after each review.
    pub interval_days: i64,
    /// The same for domestic abuse, a vulnerable victim or a child victim.
    pub priority_first_days: i64,
    pub priority_interval_days: i64,
    /// A review overdue by more than this many days is escalated to an inspector.
    pub escalate_after_days: i64,
}

impl Default for ReviewPolicy {
    fn default() -> Self {
        ReviewPolicy {
            first_days: 7,
            interval_days: 28,
            priority_first_days: 3,
            priority_interval_days: 14,
            escalate_after_days: 7,
        }
    }
}

impl ReviewPolicy {
    /// Whether the crime is reviewed on the tighter schedule.
    pub fn is_priority(crime: &Crime) -> bool {
        crime
            .flags
            .iter()
            .any(|f| matches!(f, CrimeFlag::DomesticAbuse | CrimeFlag::VulnerableVictim | CrimeFlag::ChildVictim))
    }

    /// When the next review is due: after the last review, or after allocation when there has
    /// been none.
    pub fn due(
        &self,
        priority: bool,
        allocated_at: DateTime<Utc>,
        last_review: Option<DateTime<Utc>>,
    ) -> DateTime<Utc> {
        let (first, interval) = if priority {
            (self.priority_first_days, self.priority_interval_days)
        } else {
            (self.first_days, self.interval_days)
        };
        match last_review {
            Some(at) => at + Duration::days(interval),
            None => allocated_at + Duration::days(first),
        }
    }

    /// Where a review due at `due` stands at `now`.
    pub fn standing(&self, due: DateTime<Utc>, now: DateTime<Utc>) -> Standing {
        if now <= due {
            return Standing::OnTime;
        }
        let days = (now - due).num_days();
        if days > self.escalate_after_days { Standing::Escalated { days } } else { Standing::Overdue { days } }
    }

    /// Checks the figures a force configured.
    pub fn check(&self) -> Result<(), String> {
        let all = [
            ("first_days", self.first_days),
            ("interval_days", self.interval_days),
            ("priority_first_days", self.priority_first_days),
            ("priority_interval_days", self.priority_interval_days),
        ];
        let mut problems: Vec<String> = all
            .iter()
            .filter(|(_, v)| !(1..=365).contains(v))
            .map(|(n, _)| format!("{n} must be 1 to 365 days"))
            .collect();
        if !(0..=365).contains(&self.escalate_after_days) {
            problems.push("escalate_after_days must be 0 to 365 days".into());
        }
        if self.priority_first_days > self.first_days || self.priority_interval_days > self.interval_days {
            problems.push("the priority schedule must not be slower than the ordinary one".into());
        }
        if problems.is_empty() { Ok(()) } else { Err(problems.join("; ")) }
    }
}

/// Where a crime's supervision review stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    OnTime,
    /// Overdue by whole days: the supervisor's list.
    Overdue {
        days: i64,
    },
    /// Overdue past the escalation limit: the inspector is told too.
    Escalated {
        days: i64,
    },
}

impl Standing {
    pub fn label(self) -> String {
        match self {
            Standing::OnTime => "On time".into(),
            Standing::Overdue { days } => format!("Overdue by {}", plural_days(days)),
            Standing::Escalated { days } => format!("Overdue by {} — escalated to an inspector", plural_days(days)),
        }
    }
}

fn plural_days(days: i64) -> String {
    if days == 1 { "1 day".into() } else { format!("{days} days") }
}

/// A supervisor's review of an investigation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub id: Uuid,
    pub crime_id: Uuid,
    pub reviewed_at: DateTime<Utc>,
    pub reviewer_id: Uuid,
    pub reviewer_name: String,
    pub notes: String,
    /// When the next review falls due, set by this one.
    pub next_due: DateTime<Utc>,
}

/// The shortest review note accepted: a review says what was looked at and what was decided.
pub const MIN_REVIEW_NOTES: usize = 20;

/// Checks review notes.
pub fn check_review_notes(notes: &str) -> Result<(), FieldError> {
    let n = notes.trim().chars().count();
    if n < MIN_REVIEW_NOTES {
        Err(FieldError::new(
            "notes",
            format!("Write what you reviewed and what you decided (at least {MIN_REVIEW_NOTES} characters)"),
        ))
    } else if n > MAX_TEXT {
        Err(FieldError::new("notes", format!("The notes must be at most {MAX_TEXT} characters")))
    } else {
        Ok(())
    }
}

/// An overdue review on the supervisors' list.
#[derive(Debug, Clone, PartialEq)]
pub struct OverdueReview {
    pub crime_id: Uuid,
    pub number: String,
    pub offence_label: String,
    pub flags: Vec<CrimeFlag>,
    pub allocated_to_name: String,
    pub due_at: DateTime<Utc>,
    pub standing: Standing,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, se: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, se).single().expect("a valid time")
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid")
    }

    fn action(kind: ActionKind, status: ActionStatus) -> Action {
        Action {
            id: Uuid::now_v7(),
            crime_id: Uuid::nil(),
            kind,
            description: String::new(),
            owner_id: Uuid::nil(),
            owner_name: "PC Smith".into(),
            due_on: day(2026, 11, 30),
            status,
            result: String::new(),
            created_at: at(2026, 11, 20, 9, 0, 0),
            created_by_name: "pc".into(),
            closed_at: None,
            review_id: None,
        }
    }

    #[test]
    fn action_input_rules_are_named() {
        let today = day(2026, 11, 27);
        let ok = ActionInput { kind: "cctv".into(), due_on: "2026-11-30".into(), ..Default::default() };
        assert_eq!(check_action(&ok, today, ""), Ok((ActionKind::Cctv, None, day(2026, 11, 30))));
        let bad = ActionInput {
            kind: "other".into(),
            description: " ".into(),
            owner: "someone".into(),
            due_on: "2026-11-26".into(),
        };
        let fields: Vec<String> =
            check_action(&bad, today, "directions.1.").expect_err("refused").into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            ["directions.1.description", "directions.1.owner", "directions.1.due_on"].map(String::from).to_vec()
        );
        let unknown = ActionInput { kind: "seance".into(), due_on: "soon".into(), ..Default::default() };
        let rules: Vec<String> =
            check_action(&unknown, today, "").expect_err("refused").into_iter().map(|e| e.rule).collect();
        assert_eq!(rules, ["Choose a line of enquiry from the list", "Enter the due date as a date (YYYY-MM-DD)"]);
    }

    #[test]
    fn closing_needs_a_result() {
        assert_eq!(check_close("done", "Two cameras, no footage of the street").expect("valid"), ActionStatus::Done);
        assert_eq!(check_close("done", " ").expect_err("refused")[0].rule, "Say what the enquiry found");
        assert_eq!(
            check_close("not-possible", "").expect_err("refused")[0].rule,
            "Say why the enquiry was not possible"
        );
        assert_eq!(check_close("open", "").expect("valid"), ActionStatus::Open);
        assert_eq!(check_close("finished", "x").expect_err("refused")[0].field, "status");
    }

    #[test]
    fn mandatory_lines_count_only_closed_actions() {
        let table = MandatoryEnquiries::default();
        assert_eq!(table.required(OffenceGroup::Fraud), &[] as &[ActionKind]);
        let actions = vec![
            action(ActionKind::Cctv, ActionStatus::Done),
            action(ActionKind::HouseToHouse, ActionStatus::Open),
            action(ActionKind::Forensics, ActionStatus::NotPossible),
        ];
        assert_eq!(table.missing(OffenceGroup::Burglary, &actions), vec![ActionKind::HouseToHouse]);
        assert_eq!(
            table.missing(OffenceGroup::Robbery, &[]),
            vec![ActionKind::Cctv, ActionKind::WitnessStatements, ActionKind::Forensics]
        );
    }

    #[test]
    fn reviews_fall_due_on_the_schedule_and_escalate() {
        let policy = ReviewPolicy::default();
        let allocated = at(2026, 11, 1, 10, 0, 0);
        assert_eq!(policy.due(false, allocated, None), at(2026, 11, 8, 10, 0, 0));
        assert_eq!(policy.due(true, allocated, None), at(2026, 11, 4, 10, 0, 0));
        let reviewed = at(2026, 11, 6, 15, 0, 0);
        assert_eq!(policy.due(false, allocated, Some(reviewed)), at(2026, 12, 4, 15, 0, 0));
        assert_eq!(policy.due(true, allocated, Some(reviewed)), at(2026, 11, 20, 15, 0, 0));

        let due = at(2026, 11, 8, 10, 0, 0);
        assert_eq!(policy.standing(due, due), Standing::OnTime);
        assert_eq!(policy.standing(due, due + Duration::hours(30)), Standing::Overdue { days: 1 });
        assert_eq!(policy.standing(due, due + Duration::days(7)), Standing::Overdue { days: 7 });
        assert_eq!(policy.standing(due, due + Duration::days(8)), Standing::Escalated { days: 8 });
        assert_eq!(Standing::Escalated { days: 8 }.label(), "Overdue by 8 days — escalated to an inspector");
        assert_eq!(Standing::Overdue { days: 1 }.label(), "Overdue by 1 day");
    }

    #[test]
    fn policy_figures_are_checked() {
        assert_eq!(ReviewPolicy::default().check(), Ok(()));
        let slow = ReviewPolicy { priority_first_days: 10, ..ReviewPolicy::default() };
        assert!(slow.check().expect_err("refused").contains("priority schedule"));
        let zero = ReviewPolicy { interval_days: 0, ..ReviewPolicy::default() };
        assert!(zero.check().expect_err("refused").contains("interval_days must be 1 to 365 days"));
    }

    #[test]
    fn review_notes_must_say_something() {
        assert_eq!(check_review_notes("ok").expect_err("refused").field, "notes");
        assert!(check_review_notes("Plan reviewed; CCTV still outstanding, chase by Friday").is_ok());
    }

    proptest! {
        /// The priority schedule is never later than the ordinary one, and a review is always due
        /// after the event that set it.
        #[test]
        fn priority_is_never_later(first in 1i64..60, interval in 1i64..90, pf in 1i64..60, pi in 1i64..90,
                                   offset in 0i64..10_000_000, reviewed in proptest::option::of(0i64..10_000_000)) {
            let policy = ReviewPolicy { first_days: first.max(pf), interval_days: interval.max(pi),
                priority_first_days: pf.min(first), priority_interval_days: pi.min(interval), escalate_after_days: 7 };
            prop_assert!(policy.check().is_ok());
            let allocated = at(2020, 1, 1, 0, 0, 0) + Duration::seconds(offset);
            let last = reviewed.map(|s| allocated + Duration::seconds(s));
            let ordinary = policy.due(false, allocated, last);
            let priority = policy.due(true, allocated, last);
            prop_assert!(priority <= ordinary);
            prop_assert!(priority > last.unwrap_or(allocated));
        }

        /// Standing only gets worse as time passes.
        #[test]
        fn standing_is_monotone(a in 0i64..100_000_000, b in 0i64..100_000_000) {
            let policy = ReviewPolicy::default();
            let due = at(2026, 1, 1, 0, 0, 0);
            let rank = |s: Standing| match s { Standing::OnTime => (0, 0), Standing::Overdue { days } => (1, days), Standing::Escalated { days } => (2, days) };
            let (early, late) = (a.min(b), a.max(b));
            prop_assert!(rank(policy.standing(due, due + Duration::seconds(early))) <= rank(policy.standing(due, due + Duration::seconds(late))));
        }
    }
}
