//! Investigation and outcome use cases (issue 7): the plan's actions, supervisors' reviews,
//! finalising with an outcome whose preconditions are checked ([`crate::outcome`]), authorising or
//! returning it, and reopening. The rules are pure and live in [`crate::investigation`] and
//! [`crate::outcome`]; here they meet the store, permissions and the audit trail.
//!
//! An outcome that needs authorisation (outcome 16 by default: `OutcomePolicy::authorise`) is
//! *proposed*: the crime stays open with the decision awaiting a supervisor of the configured rank,
//! who authorises it (the crime is finalised) or returns it with a note. Every decision is kept, so
//! a reopened crime shows the outcome it had, who authorised it, and why it was reopened.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::access::{Permission, Principal, named_enum};
use crate::audit::{AuditCategory, RequestContext};
use crate::core::{By, Core};
use crate::crime::{Crime, CrimeChange, CrimeFlag, CrimeRecord, CrimeRole, CrimeStatus};
use crate::error::FieldError;
use crate::investigation::{
    Action, ActionInput, ActionKind, ActionStatus, MandatoryEnquiries, OverdueReview, Review, ReviewPolicy, Standing,
};
use crate::outcome::{
    Availability, CheckError, EvidenceKind, OutcomeEvidence, OutcomeFacts, OutcomePolicy, OutcomeType, SuspectContact,
};
use crate::user::Rank;
use crate::{Error, Result};

/// The force's investigation policy: review schedule, mandatory lines of enquiry, outcome rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvestigationPolicy {
    pub reviews: ReviewPolicy,
    pub mandatory: MandatoryEnquiries,
    pub outcomes: OutcomePolicy,
}

named_enum!(
    /// Where an outcome decision stands.
    DecisionStatus {
        AwaitingAuthorisation => "awaiting-authorisation", "Awaiting authorisation";
        Returned => "returned", "Returned for more work";
        Final => "final", "Finalised";
        Reopened => "reopened", "Reopened";
    }
);

/// An outcome decision on a crime: proposed, then authorised (final) or returned; a final one is
/// marked reopened when the crime is reopened. Never deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeDecision {
    pub id: Uuid,
    pub crime_id: Uuid,
    pub code: String,
    pub label: String,
    /// The outcome list the code was taken from.
    pub list_version: String,
    pub status: DecisionStatus,
    pub evidence: OutcomeEvidence,
    /// The lowest rank that had to authorise it; `None` when it needed no authorisation.
    pub authoriser_rank: Option<Rank>,
    pub proposed_at: DateTime<Utc>,
    pub proposed_by: Option<Uuid>,
    pub proposed_by_name: String,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<Uuid>,
    pub decided_by_name: String,
    pub decision_note: String,
    pub reopened_at: Option<DateTime<Utc>>,
    pub reopened_by_name: String,
    pub reopen_reason: String,
}

impl OutcomeDecision {
    fn audit_json(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "code": self.code,
            "status": self.status.as_str(),
            "authoriser_rank": self.authoriser_rank.map(|r| r.as_str()),
            "evidence": evidence_json(&self.evidence),
            "note": self.decision_note,
            "reopen_reason": self.reopen_reason,
        })
    }
}

/// The evidence as stored (a JSON document beside the decision's columns) and audited.
pub fn evidence_json(e: &OutcomeEvidence) -> serde_json::Value {
    serde_json::json!({
        "rationale": e.rationale,
        "victim_non_support_on": e.victim_non_support_on,
        "victim_non_support_how": e.victim_non_support_how,
        "evidence_led_decision": e.evidence_led_decision,
        "evidence_considered": e.evidence_considered.iter()
            .map(|(k, a)| serde_json::json!({"kind": k.as_str(), "availability": a.as_str()}))
            .collect::<Vec<_>>(),
        "suspect_contact": e.suspect_contact.map(|s| s.as_str()),
        "suspect_contact_note": e.suspect_contact_note,
        "diversion_completed_on": e.diversion_completed_on,
        "victim_informed_on": e.victim_informed_on,
    })
}

/// Reads [`evidence_json`] back; anything missing or unknown is left empty.
pub fn evidence_from_json(v: &serde_json::Value) -> OutcomeEvidence {
    let text = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or_default().to_string();
    let date = |k: &str| v.get(k).and_then(|x| x.as_str()).and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok());
    let evidence_considered = v
        .get("evidence_considered")
        .and_then(|x| x.as_array())
        .map(|items| {
            items
                .iter()
                .filter_map(|i| {
                    let kind = i.get("kind")?.as_str()?.parse::<EvidenceKind>().ok()?;
                    let availability = i.get("availability")?.as_str()?.parse::<Availability>().ok()?;
                    Some((kind, availability))
                })
                .collect()
        })
        .unwrap_or_default();
    OutcomeEvidence {
        rationale: text("rationale"),
        victim_non_support_on: date("victim_non_support_on"),
        victim_non_support_how: text("victim_non_support_how"),
        evidence_led_decision: text("evidence_led_decision"),
        evidence_considered,
        suspect_contact: v
            .get("suspect_contact")
            .and_then(|x| x.as_str())
            .and_then(|s| s.parse::<SuspectContact>().ok()),
        suspect_contact_note: text("suspect_contact_note"),
        diversion_completed_on: date("diversion_completed_on"),
        victim_informed_on: date("victim_informed_on"),
    }
}

/// A crime's plan, reviews and outcome decisions, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Investigation {
    pub actions: Vec<Action>,
    pub reviews: Vec<Review>,
    pub decisions: Vec<OutcomeDecision>,
}

impl Investigation {
    /// The decision awaiting authorisation, if any (at most one: the stores enforce it).
    pub fn pending(&self) -> Option<&OutcomeDecision> {
        self.decisions.iter().find(|d| d.status == DecisionStatus::AwaitingAuthorisation)
    }
}

/// The investigation page: the crime, its plan and supervision, and what finalising needs.
#[derive(Debug, Clone)]
pub struct InvestigationView {
    pub record: CrimeRecord,
    pub investigation: Investigation,
    pub standing: Option<Standing>,
    pub missing_enquiries: Vec<ActionKind>,
    pub facts: OutcomeFacts,
    /// The outcome types valid today.
    pub outcome_types: Vec<OutcomeType>,
}

/// An open action with the crime it belongs to (an officer's workload).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedAction {
    pub action: Action,
    pub crime_number: String,
    pub offence_label: String,
}

/// An officer's workload across all their crimes.
#[derive(Debug, Clone)]
pub struct Workload {
    pub officer: crate::user::User,
    /// Open crimes allocated to them, next review due first, with where each review stands.
    pub crimes: Vec<(Crime, Option<Standing>)>,
    /// Open actions they own on any crime, soonest due first.
    pub actions: Vec<OwnedAction>,
}

/// What the supervisors' alerts count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SupervisionCounts {
    pub overdue: u64,
    pub escalated: u64,
    pub awaiting_authorisation: u64,
}

/// The shortest note accepted when returning an outcome or reopening a crime.
pub const MIN_NOTE: usize = 10;

fn london_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&chrono_tz::Europe::London).date_naive()
}

fn check_note(field: &str, note: &str, what: &str) -> Result<String> {
    let note = note.trim();
    if note.chars().count() < MIN_NOTE {
        return Err(Error::invalid(field, format!("{what} (at least {MIN_NOTE} characters)")));
    }
    if note.chars().count() > crate::investigation::MAX_TEXT {
        return Err(Error::invalid(field, format!("At most {} characters", crate::investigation::MAX_TEXT)));
    }
    Ok(note.to_string())
}

fn stale(crime: &Crime, version: i64) -> Result<()> {
    if crime.version != version {
        return Err(Error::Conflict(format!("crime {} was changed by someone else; reload it", crime.number)));
    }
    Ok(())
}

impl Core {
    fn policy(&self) -> &InvestigationPolicy {
        &self.settings.investigation
    }

    /// The facts the outcome rules read, as they stand at `at`.
    pub fn outcome_facts(
        &self,
        record: &CrimeRecord,
        investigation: &Investigation,
        at: DateTime<Utc>,
    ) -> OutcomeFacts {
        let crime = &record.crime;
        let has = |roles: &[CrimeRole]| record.people.iter().any(|p| roles.contains(&p.role));
        OutcomeFacts {
            on: london_date(at),
            has_suspect_or_offender: has(&[CrimeRole::Suspect, CrimeRole::Offender]),
            has_named_suspect: has(&[CrimeRole::Suspect]),
            domestic_abuse: crime.flags.contains(&CrimeFlag::DomesticAbuse),
            vulnerable_victim: crime
                .flags
                .iter()
                .any(|f| matches!(f, CrimeFlag::VulnerableVictim | CrimeFlag::ChildVictim)),
            engagement_attempts: investigation
                .actions
                .iter()
                .filter(|a| a.kind == ActionKind::VictimEngagement && a.status == ActionStatus::Done)
                .count() as u32,
            missing_enquiries: self
                .policy()
                .mandatory
                .missing(crime.offence_group, &investigation.actions)
                .iter()
                .map(|k| k.label().to_string())
                .collect(),
        }
    }

    /// When a crime allocated at `at` (for the first time, or again) has its first review due.
    pub fn first_review_due(&self, crime: &Crime, at: DateTime<Utc>) -> DateTime<Utc> {
        self.policy().reviews.due(ReviewPolicy::is_priority(crime), at, None)
    }

    /// The investigation page's content. Audited as a view of the crime.
    pub async fn investigation_view(
        &self,
        by: &Principal,
        id: Uuid,
        ctx: &RequestContext,
    ) -> Result<InvestigationView> {
        let record = self.view_crime(by, id, ctx).await?;
        let investigation = self.store.investigation(id).await?;
        let now = self.now();
        let facts = self.outcome_facts(&record, &investigation, now);
        let standing = record
            .crime
            .review_due_at
            .filter(|_| record.crime.status.is_open() && record.crime.allocated_to.is_some())
            .map(|due| self.policy().reviews.standing(due, now));
        let missing_enquiries = self.policy().mandatory.missing(record.crime.offence_group, &investigation.actions);
        let outcome_types = self.policy().outcomes.list.valid_on(facts.on).into_iter().cloned().collect();
        Ok(InvestigationView { record, investigation, standing, missing_enquiries, facts, outcome_types })
    }

    /// Adds an action to a crime's plan. The owner defaults to the crime's investigator.
    pub async fn add_action(
        &self,
        by: &Principal,
        crime_id: Uuid,
        input: &ActionInput,
        ctx: &RequestContext,
    ) -> Result<Action> {
        by.require(Permission::CrimeRecord)?;
        let record = self.store.find_crime(crime_id).await?.ok_or(Error::NotFound)?;
        let now = self.now();
        let mut errors = Vec::new();
        if !record.crime.status.is_open() {
            errors.push(FieldError::new(
                "status",
                format!("The crime is {}: reopen it to add to its plan", record.crime.status.label().to_lowercase()),
            ));
        }
        let checked =
            crate::investigation::check_action(input, london_date(now), "").map_err(|e| errors.extend(e)).ok();
        let owner_id = checked.and_then(|c| c.1).or(record.crime.allocated_to).unwrap_or(by.user_id);
        let owner = self.action_owner(owner_id, "owner", &mut errors).await?;
        let (Some((kind, _, due_on)), Some(owner), true) = (checked, owner, errors.is_empty()) else {
            return Err(Error::Invalid(errors));
        };
        let action = Action {
            id: Uuid::now_v7(),
            crime_id,
            kind,
            description: input.description.trim().to_string(),
            owner_id: owner.id,
            owner_name: owner.display_name,
            due_on,
            status: ActionStatus::Open,
            result: String::new(),
            created_at: now,
            created_by_name: by.username.clone(),
            closed_at: None,
            review_id: None,
        };
        let audit = self
            .event(&By::User(by).actor(), "crime.action.add", AuditCategory::Alter, ctx)
            .record("crime", crime_id)
            .after(&action.audit_json());
        self.store.insert_action(&action, &audit).await?;
        Ok(action)
    }

    /// The user who is to own an action, or a named error when there is no such active user.
    async fn action_owner(
        &self,
        id: Uuid,
        field: &str,
        errors: &mut Vec<FieldError>,
    ) -> Result<Option<crate::user::User>> {
        // Only someone who works crimes (holds crime.record) can own an action.
        let works_crimes =
            |u: &crate::user::User| u.roles.iter().any(|r| r.permissions().contains(&Permission::CrimeRecord));
        match self.store.find_user(id).await? {
            Some(user) if !user.is_disabled && works_crimes(&user) => Ok(Some(user)),
            _ => {
                errors
                    .push(FieldError::new(field, "Choose an active officer who investigates crimes to own the action"));
                Ok(None)
            }
        }
    }

    /// Closes an action of crime `crime_id` as done or not possible (with its result), or opens it
    /// again. An action of another crime is `NotFound`.
    #[allow(clippy::too_many_arguments)]
    pub async fn update_action(
        &self,
        by: &Principal,
        crime_id: Uuid,
        action_id: Uuid,
        status: &str,
        result: &str,
        ctx: &RequestContext,
    ) -> Result<Action> {
        by.require(Permission::CrimeRecord)?;
        let before =
            self.store.find_action(action_id).await?.filter(|a| a.crime_id == crime_id).ok_or(Error::NotFound)?;
        let crime = self.store.find_crime(before.crime_id).await?.ok_or(Error::NotFound)?.crime;
        if !crime.status.is_open() {
            return Err(Error::invalid(
                "status",
                format!("Crime {} is {}: its plan cannot change", crime.number, crime.status.label().to_lowercase()),
            ));
        }
        let status = crate::investigation::check_close(status, result).map_err(Error::Invalid)?;
        let mut action = before.clone();
        action.status = status;
        action.result = if status == ActionStatus::Open { String::new() } else { result.trim().to_string() };
        action.closed_at = (status != ActionStatus::Open).then(|| self.now());
        let audit = self
            .event(&By::User(by).actor(), "crime.action.update", AuditCategory::Alter, ctx)
            .record("crime", action.crime_id)
            .before(&before.audit_json())
            .after(&action.audit_json());
        self.store.update_action(&action, before.status, &audit).await?;
        Ok(action)
    }

    /// A supervisor's review: notes (required: a review says what it looked at and decided) and
    /// directions, each becoming an action. Sets when the next review falls due.
    pub async fn review_investigation(
        &self,
        by: &Principal,
        crime_id: Uuid,
        version: i64,
        notes: &str,
        directions: &[ActionInput],
        ctx: &RequestContext,
    ) -> Result<Review> {
        by.require(Permission::CrimeSupervise)?;
        let record = self.store.find_crime(crime_id).await?.ok_or(Error::NotFound)?;
        let now = self.now();
        let today = london_date(now);
        let mut errors = Vec::new();
        if !record.crime.status.is_open() || record.crime.allocated_to.is_none() {
            errors.push(FieldError::new("status", "Only an open crime allocated to an investigator is reviewed"));
        }
        if let Err(e) = crate::investigation::check_review_notes(notes) {
            errors.push(e);
        }
        let mut planned = Vec::new();
        for (i, direction) in directions.iter().enumerate() {
            let prefix = format!("directions.{}.", i + 1);
            match crate::investigation::check_action(direction, today, &prefix) {
                Ok((kind, owner, due_on)) => {
                    let owner_id = owner.or(record.crime.allocated_to).unwrap_or(by.user_id);
                    if let Some(owner) = self.action_owner(owner_id, &format!("{prefix}owner"), &mut errors).await? {
                        planned.push((kind, direction.description.trim().to_string(), owner, due_on));
                    }
                }
                Err(e) => errors.extend(e),
            }
        }
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        stale(&record.crime, version)?;
        let before = record.crime.audit_json();
        let mut crime = record.crime;
        let allocated_at = crime.allocated_at.unwrap_or(now);
        let next_due = self.policy().reviews.due(ReviewPolicy::is_priority(&crime), allocated_at, Some(now));
        let review = Review {
            id: Uuid::now_v7(),
            crime_id,
            reviewed_at: now,
            reviewer_id: by.user_id,
            reviewer_name: by.display_name.clone(),
            notes: notes.trim().to_string(),
            next_due,
        };
        let actions: Vec<Action> = planned
            .into_iter()
            .map(|(kind, description, owner, due_on)| Action {
                id: Uuid::now_v7(),
                crime_id,
                kind,
                description,
                owner_id: owner.id,
                owner_name: owner.display_name,
                due_on,
                status: ActionStatus::Open,
                result: String::new(),
                created_at: now,
                created_by_name: by.username.clone(),
                closed_at: None,
                review_id: Some(review.id),
            })
            .collect();
        crime.review_due_at = Some(next_due);
        crime.version += 1;
        let audit = self
            .event(&By::User(by).actor(), "crime.review", AuditCategory::Alter, ctx)
            .record("crime", crime_id)
            .before(&before)
            .after(&serde_json::json!({
                "crime": crime.audit_json(), "notes": review.notes, "next_due": next_due,
                "directions": actions.iter().map(Action::audit_json).collect::<Vec<_>>(),
            }));
        self.store
            .update_crime(&crime, version, &CrimeChange::Review { review: review.clone(), actions }, &audit)
            .await?;
        Ok(review)
    }

    /// Every rule the outcome breaks for this crime now: the classification rules, the outcome's
    /// validity on today's date and each of its preconditions, as field errors in words.
    fn outcome_errors(
        &self,
        record: &CrimeRecord,
        failures: Vec<crate::crime_rules::RuleFailure>,
        code: &str,
        evidence: &OutcomeEvidence,
        facts: &OutcomeFacts,
    ) -> Vec<FieldError> {
        let mut errors: Vec<FieldError> =
            failures.into_iter().map(|f| FieldError::new(format!("rules.{}", f.rule), f.why)).collect();
        if !record.crime.status.can_move_to(CrimeStatus::Finalised) {
            errors.push(FieldError::new(
                "status",
                format!("A {} crime cannot be finalised", record.crime.status.label().to_lowercase()),
            ));
        }
        if code.trim().is_empty() {
            errors.push(FieldError::new("outcome", "Choose the outcome from the list"));
            return errors;
        }
        match self.policy().outcomes.check(code.trim(), evidence, facts) {
            Ok(_) => {}
            Err(CheckError::NotValid(why)) => errors.push(FieldError::new("outcome", why)),
            Err(CheckError::Unmet(unmet)) => errors
                .extend(unmet.into_iter().map(|u| FieldError::new(u.field, format!("{}: {}", u.rule.label(), u.why)))),
        }
        errors
    }

    /// Finalises a crime with an outcome, or — when the outcome needs authorisation — proposes it
    /// to a supervisor. Every unmet precondition is a 422 naming it; nothing is written then.
    pub async fn finalise_crime(
        &self,
        by: &Principal,
        id: Uuid,
        version: i64,
        code: &str,
        evidence: &OutcomeEvidence,
        ctx: &RequestContext,
    ) -> Result<(Crime, OutcomeDecision)> {
        by.require(Permission::CrimeRecord)?;
        let record = self.store.find_crime(id).await?.ok_or(Error::NotFound)?;
        let investigation = self.store.investigation(id).await?;
        if let Some(pending) = investigation.pending() {
            return Err(Error::Conflict(format!(
                "outcome {} on crime {} already awaits authorisation; it must be authorised or returned first",
                pending.code, record.crime.number
            )));
        }
        let now = self.now();
        let facts = self.outcome_facts(&record, &investigation, now);
        let failures = self.crime_facts_failures(&record).await?;
        let errors = self.outcome_errors(&record, failures, code, evidence, &facts);
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        stale(&record.crime, version)?;
        let policy = &self.policy().outcomes;
        let code = code.trim();
        let outcome = policy.list.get(code).ok_or(Error::NotFound)?;
        let authoriser_rank = policy.authoriser_needed(code, &facts);
        let mut decision = OutcomeDecision {
            id: Uuid::now_v7(),
            crime_id: id,
            code: outcome.code.clone(),
            label: outcome.label.clone(),
            list_version: policy.list.version.clone(),
            status: DecisionStatus::AwaitingAuthorisation,
            evidence: evidence.clone(),
            authoriser_rank,
            proposed_at: now,
            proposed_by: Some(by.user_id),
            proposed_by_name: by.display_name.clone(),
            decided_at: None,
            decided_by: None,
            decided_by_name: String::new(),
            decision_note: String::new(),
            reopened_at: None,
            reopened_by_name: String::new(),
            reopen_reason: String::new(),
        };
        let before = record.crime.audit_json();
        let mut crime = record.crime;
        crime.version += 1;
        let action = if authoriser_rank.is_some() {
            "crime.outcome.propose"
        } else {
            decision.status = DecisionStatus::Final;
            decision.decided_at = Some(now);
            decision.decided_by = Some(by.user_id);
            decision.decided_by_name = by.display_name.clone();
            finalise(&mut crime, &decision.code, now);
            "crime.finalise"
        };
        let audit = self
            .event(&By::User(by).actor(), action, AuditCategory::Alter, ctx)
            .record("crime", id)
            .before(&before)
            .after(&serde_json::json!({"crime": crime.audit_json(), "decision": decision.audit_json()}));
        self.store.update_crime(&crime, version, &CrimeChange::Outcome(decision.clone()), &audit).await?;
        Ok((crime, decision))
    }

    /// Authorises the outcome awaiting authorisation and finalises the crime. Refused with the
    /// reason (403) for anyone without the permission or the rank, and for the proposer; refused
    /// (422) if a precondition no longer holds.
    pub async fn authorise_outcome(
        &self,
        by: &Principal,
        id: Uuid,
        version: i64,
        note: &str,
        ctx: &RequestContext,
    ) -> Result<(Crime, OutcomeDecision)> {
        let record = self.store.find_crime(id).await?.ok_or(Error::NotFound)?;
        let investigation = self.store.investigation(id).await?;
        let pending = investigation
            .pending()
            .cloned()
            .ok_or_else(|| Error::invalid("outcome", "No outcome on this crime awaits authorisation"))?;
        let now = self.now();
        let facts = self.outcome_facts(&record, &investigation, now);
        let policy = &self.policy().outcomes;
        let needed = [pending.authoriser_rank, policy.authoriser_needed(&pending.code, &facts)]
            .into_iter()
            .flatten()
            .max_by_key(|r| crate::outcome::seniority(*r))
            .unwrap_or(Rank::Sergeant);
        let rank = self.store.find_user(by.user_id).await?.map(|u| u.rank).unwrap_or(Rank::Staff);
        crate::outcome::may_authorise(
            &pending.code,
            needed,
            facts.domestic_abuse,
            rank,
            by.can(Permission::CrimeSupervise),
            pending.proposed_by == Some(by.user_id),
        )
        .map_err(Error::Forbidden)?;
        let failures = self.crime_facts_failures(&record).await?;
        let errors = self.outcome_errors(&record, failures, &pending.code, &pending.evidence, &facts);
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        stale(&record.crime, version)?;
        let mut decision = pending;
        decision.status = DecisionStatus::Final;
        decision.decided_at = Some(now);
        decision.decided_by = Some(by.user_id);
        decision.decided_by_name = by.display_name.clone();
        decision.decision_note = note.trim().to_string();
        let before = record.crime.audit_json();
        let mut crime = record.crime;
        crime.version += 1;
        finalise(&mut crime, &decision.code, now);
        let audit = self
            .event(&By::User(by).actor(), "crime.outcome.authorise", AuditCategory::Alter, ctx)
            .record("crime", id)
            .before(&before)
            .after(&serde_json::json!({"crime": crime.audit_json(), "decision": decision.audit_json()}));
        self.store.update_crime(&crime, version, &CrimeChange::Outcome(decision.clone()), &audit).await?;
        Ok((crime, decision))
    }

    /// Returns a proposed outcome to the investigator with a note: the supervisor challenges it.
    pub async fn return_outcome(
        &self,
        by: &Principal,
        id: Uuid,
        version: i64,
        note: &str,
        ctx: &RequestContext,
    ) -> Result<OutcomeDecision> {
        by.require(Permission::CrimeSupervise)?;
        let note = check_note("note", note, "Say what must be done before this outcome is used")?;
        let record = self.store.find_crime(id).await?.ok_or(Error::NotFound)?;
        let investigation = self.store.investigation(id).await?;
        let mut decision = investigation
            .pending()
            .cloned()
            .ok_or_else(|| Error::invalid("outcome", "No outcome on this crime awaits authorisation"))?;
        stale(&record.crime, version)?;
        decision.status = DecisionStatus::Returned;
        decision.decided_at = Some(self.now());
        decision.decided_by = Some(by.user_id);
        decision.decided_by_name = by.display_name.clone();
        decision.decision_note = note;
        let before = record.crime.audit_json();
        let mut crime = record.crime;
        crime.version += 1;
        let audit = self
            .event(&By::User(by).actor(), "crime.outcome.return", AuditCategory::Alter, ctx)
            .record("crime", id)
            .before(&before)
            .after(&serde_json::json!({"crime": crime.audit_json(), "decision": decision.audit_json()}));
        self.store.update_crime(&crime, version, &CrimeChange::Outcome(decision.clone()), &audit).await?;
        Ok(decision)
    }

    /// Reopens a finalised crime: it is under investigation again with its plan, reviews and
    /// decisions as they were; the outcome it had is kept, marked reopened with the reason.
    pub async fn reopen_crime(
        &self,
        by: &Principal,
        id: Uuid,
        version: i64,
        reason: &str,
        ctx: &RequestContext,
    ) -> Result<Crime> {
        by.require(Permission::CrimeSupervise)?;
        let reason = check_note("reason", reason, "Say why the crime is reopened")?;
        let record = self.store.find_crime(id).await?.ok_or(Error::NotFound)?;
        if record.crime.status != CrimeStatus::Finalised {
            return Err(Error::invalid(
                "status",
                format!(
                    "Only a finalised crime can be reopened; this one is {}",
                    record.crime.status.label().to_lowercase()
                ),
            ));
        }
        stale(&record.crime, version)?;
        let investigation = self.store.investigation(id).await?;
        let now = self.now();
        let crime_before = record.crime.clone();
        // The decision that finalised it; a crime finalised without one (screened out at triage)
        // gets one made from what the crime row says, so the reopening is on record beside it.
        let mut decision =
            investigation.decisions.iter().rev().find(|d| d.status == DecisionStatus::Final).cloned().unwrap_or_else(
                || {
                    let code = crime_before.outcome.clone().unwrap_or_default();
                    let policy = &self.policy().outcomes;
                    OutcomeDecision {
                        id: Uuid::now_v7(),
                        crime_id: id,
                        label: policy.list.get(&code).map(|t| t.label.clone()).unwrap_or_default(),
                        code,
                        list_version: policy.list.version.clone(),
                        status: DecisionStatus::Final,
                        evidence: OutcomeEvidence::default(),
                        authoriser_rank: None,
                        proposed_at: crime_before.finalised_at.unwrap_or(now),
                        proposed_by: None,
                        proposed_by_name: String::new(),
                        decided_at: crime_before.finalised_at,
                        decided_by: None,
                        decided_by_name: String::new(),
                        decision_note: String::new(),
                        reopened_at: None,
                        reopened_by_name: String::new(),
                        reopen_reason: String::new(),
                    }
                },
            );
        decision.status = DecisionStatus::Reopened;
        decision.reopened_at = Some(now);
        decision.reopened_by_name = by.display_name.clone();
        decision.reopen_reason = reason.clone();
        let mut crime = record.crime;
        crime.status = CrimeStatus::UnderInvestigation;
        crime.outcome = None;
        crime.finalised_at = None;
        crime.review_due_at = Some(self.first_review_due(&crime, now));
        crime.version += 1;
        let audit = self
            .event(&By::User(by).actor(), "crime.reopen", AuditCategory::Alter, ctx)
            .record("crime", id)
            .justification(&reason)
            .before(&crime_before.audit_json())
            .after(&serde_json::json!({"crime": crime.audit_json(), "decision": decision.audit_json()}));
        self.store.update_crime(&crime, version, &CrimeChange::Outcome(decision), &audit).await?;
        Ok(crime)
    }

    /// An officer's workload: their open crimes with review standing, and their open actions on any
    /// crime. Anyone sees their own; supervisors and triage see anyone's. Audited as a search.
    pub async fn workload_of(&self, by: &Principal, officer: Option<Uuid>, ctx: &RequestContext) -> Result<Workload> {
        by.require(Permission::CrimeView)?;
        let officer_id = officer.unwrap_or(by.user_id);
        if officer_id != by.user_id && !by.can(Permission::CrimeSupervise) && !by.can(Permission::CrimeTriage) {
            return Err(Error::Forbidden(
                "seeing another officer's workload needs crime.supervise or crime.triage".into(),
            ));
        }
        let officer = self.store.find_user(officer_id).await?.ok_or(Error::NotFound)?;
        let audit =
            self.event(&By::User(by).actor(), "crime.workload", AuditCategory::Consult, ctx).record("user", officer_id);
        self.store.append_audit(&audit).await?;
        let now = self.now();
        let crimes = self
            .store
            .officer_crimes(officer_id)
            .await?
            .into_iter()
            .map(|c| {
                let standing = c.review_due_at.map(|due| self.policy().reviews.standing(due, now));
                (c, standing)
            })
            .collect();
        let actions = self.store.officer_actions(officer_id).await?;
        Ok(Workload { officer, crimes, actions })
    }

    /// Reviews overdue now, the longest overdue first, with who is told (the supervisor, or an
    /// inspector once escalated). Audited as a search.
    pub async fn overdue_reviews(&self, by: &Principal, ctx: &RequestContext) -> Result<Vec<OverdueReview>> {
        by.require(Permission::CrimeSupervise)?;
        let audit = self.event(&By::User(by).actor(), "crime.reviews_overdue", AuditCategory::Consult, ctx);
        self.store.append_audit(&audit).await?;
        let now = self.now();
        Ok(self
            .store
            .overdue_reviews(now, 5_000)
            .await?
            .into_iter()
            .filter_map(|c| {
                let due = c.review_due_at?;
                Some(OverdueReview {
                    crime_id: c.id,
                    number: c.number,
                    offence_label: c.offence_label,
                    flags: c.flags,
                    allocated_to_name: c.allocated_to_name,
                    due_at: due,
                    standing: self.policy().reviews.standing(due, now),
                })
            })
            .collect())
    }

    /// Outcomes awaiting authorisation, oldest first, with their crimes. Audited as a search.
    pub async fn pending_outcomes(
        &self,
        by: &Principal,
        ctx: &RequestContext,
    ) -> Result<Vec<(OutcomeDecision, Crime)>> {
        by.require(Permission::CrimeSupervise)?;
        let audit = self.event(&By::User(by).actor(), "crime.outcomes_pending", AuditCategory::Consult, ctx);
        self.store.append_audit(&audit).await?;
        self.store.pending_outcomes().await
    }

    /// The supervisors' alert counts for the home page (zeros for anyone else).
    pub async fn supervision_counts(&self, by: &Principal) -> Result<SupervisionCounts> {
        if !by.can(Permission::CrimeSupervise) {
            return Ok(SupervisionCounts::default());
        }
        let now = self.now();
        // `Standing` escalates once a review is overdue by more than `escalate_after_days` whole
        // days, that is when due <= now - (days + 1); the store counts due < escalate_before.
        let escalate_before = now - chrono::Duration::days(self.policy().reviews.escalate_after_days + 1)
            + chrono::Duration::microseconds(1);
        self.store.supervision_counts(now, escalate_before).await
    }

    /// The outcome types valid on a date, in list order.
    pub fn outcome_types_on(&self, by: &Principal, on: NaiveDate) -> Result<Vec<OutcomeType>> {
        by.require(Permission::CrimeView)?;
        Ok(self.policy().outcomes.list.valid_on(on).into_iter().cloned().collect())
    }
}

fn finalise(crime: &mut Crime, code: &str, now: DateTime<Utc>) {
    crime.status = CrimeStatus::Finalised;
    crime.finalised_at = Some(now);
    crime.outcome = Some(code.to_string());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_round_trips_through_json() {
        let evidence = OutcomeEvidence {
            rationale: "Victim withdrew; no independent evidence".into(),
            victim_non_support_on: NaiveDate::from_ymd_opt(2026, 11, 20),
            victim_non_support_how: "Withdrawal statement in person".into(),
            evidence_led_decision: "Considered; BWV shows no injury".into(),
            evidence_considered: vec![
                (EvidenceKind::BodyWornVideo, Availability::Available),
                (EvidenceKind::Call999, Availability::NotAvailable),
            ],
            suspect_contact: Some(SuspectContact::Interviewed),
            suspect_contact_note: "Interviewed under caution".into(),
            diversion_completed_on: None,
            victim_informed_on: NaiveDate::from_ymd_opt(2026, 11, 21),
        };
        assert_eq!(evidence_from_json(&evidence_json(&evidence)), evidence);
        assert_eq!(evidence_from_json(&serde_json::json!({})), OutcomeEvidence::default());
    }
}
