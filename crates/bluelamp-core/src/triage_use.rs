//! Triage and allocation use cases (issue 6): the queue, screening a crime, proposing and accepting
//! allocations, auto-allocation, the backlog view, and officers' leave and caseload caps. The rules
//! are pure and live in [`crate::triage`], [`crate::solvability`] and [`crate::allocation`]; here
//! they meet the store, the permission checks and the audit trail.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::access::{Permission, Principal, Role};
use crate::allocation::{CrimeToAllocate, OfficerProfile, Plan};
use crate::audit::{AuditCategory, NewAuditEvent, RequestContext};
use crate::core::{By, Core};
use crate::crime::{Crime, CrimeRecord, CrimeStatus};
use crate::error::FieldError;
use crate::solvability::{Assessment, Decision};
use crate::triage::{Allocation, AllocationWrite, Backlog, Breach, Leave, QueueItem, Screening};
use crate::{Error, Result};

/// The most crimes the queue reads at once. A force with more waiting than this has a problem the
/// backlog view shows; the queue still shows the highest-priority of these.
pub const QUEUE_LIMIT: u32 = 20_000;

/// A screening as entered on the form or through the API.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScreenInput {
    /// The keys of the solvability factors present.
    pub factors: Vec<String>,
    /// `investigate`, `desk` or `screen-out`.
    pub decision: String,
    pub override_reason: String,
}

/// What the screening page shows: the crime, what the models say about it, and its history.
#[derive(Debug, Clone)]
pub struct ScreeningView {
    pub record: CrimeRecord,
    pub assessment: Assessment,
    pub screenings: Vec<Screening>,
    pub allocations: Vec<Allocation>,
}

/// Proposed allocations for the whole queue, with the officers they name.
#[derive(Debug, Clone)]
pub struct Proposals {
    pub items: Vec<QueueItem>,
    pub plan: Plan,
    pub officers: HashMap<Uuid, OfficerProfile>,
}

/// One accepted (or changed) allocation of a bulk acceptance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    pub crime_id: Uuid,
    pub version: i64,
    pub officer_id: Uuid,
    /// The officer the engine proposed, if any.
    pub proposed: Option<Uuid>,
}

/// The facts the solvability models and the requirement table look at.
fn screening_facts(crime: &Crime) -> crate::solvability::ScreeningFacts {
    crate::solvability::ScreeningFacts {
        offence_code: crime.offence_code.clone(),
        offence_group: crime.offence_group,
        flags: crime.flags.clone(),
        hate: !crime.hate_strands.is_empty(),
    }
}

fn requirement_facts(crime: &crate::triage::QueueCrime) -> crate::allocation::CrimeFacts {
    crate::allocation::CrimeFacts {
        offence_code: crime.offence_code.clone(),
        offence_group: crime.offence_group,
        flags: crime.flags.clone(),
        hate: !crime.hate_strands.is_empty(),
    }
}

impl Core {
    async fn queue_items(&self) -> Result<Vec<QueueItem>> {
        let rows = self.store.list_unallocated_crimes(QUEUE_LIMIT).await?;
        Ok(crate::triage::rank(rows, self.now(), &self.settings.triage))
    }

    /// The triage queue: every recorded crime not yet allocated, in priority order with its reasons.
    /// Audited as a search before it is returned.
    pub async fn triage_queue(&self, by: &Principal, ctx: &RequestContext) -> Result<Vec<QueueItem>> {
        by.require(Permission::CrimeTriage)?;
        let audit = self.event(&By::User(by).actor(), "crime.triage_queue", AuditCategory::Consult, ctx);
        self.store.append_audit(&audit).await?;
        self.queue_items().await
    }

    /// How many waiting crimes have passed their limit, for the home page's alert: (past the limit,
    /// past the inspector's). Counts only, so not audited; kept for `dashboard_cache` like the other
    /// dashboards (every home view would otherwise read the whole queue). Inspectors and above see
    /// both; others who triage see the first.
    pub async fn triage_alerts(&self, by: &Principal) -> Result<(usize, usize)> {
        by.require(Permission::CrimeTriage)?;
        if let Some(kept) = self.recent.triage_alerts.get(&()) {
            return Ok(kept);
        }
        let items = self.queue_items().await?;
        let count = |b: Breach| items.iter().filter(|i| i.breach == b).count();
        let alerts = (count(Breach::Supervisor) + count(Breach::Inspector), count(Breach::Inspector));
        self.recent.triage_alerts.put((), alerts);
        Ok(alerts)
    }

    /// A crime with what screening would say about it, audited as a view.
    pub async fn screening_view(&self, by: &Principal, id: Uuid, ctx: &RequestContext) -> Result<ScreeningView> {
        by.require(Permission::CrimeTriage)?;
        let record = self.view_crime(by, id, ctx).await?;
        let assessment = self.settings.triage.models.assess(&screening_facts(&record.crime), &[]);
        let (screenings, allocations) = self.store.crime_triage_history(id).await?;
        Ok(ScreeningView { record, assessment, screenings, allocations })
    }

    /// A crime's screening decisions and allocations (for its page).
    pub async fn crime_triage_history(&self, by: &Principal, id: Uuid) -> Result<(Vec<Screening>, Vec<Allocation>)> {
        by.require(Permission::CrimeView)?;
        self.store.crime_triage_history(id).await
    }

    /// Records a screening decision. The model's score and recommendation are computed here from the
    /// factors present, never taken from the caller; an excluded crime (domestic abuse, hate crime,
    /// a vulnerable or child victim, a category the force excludes) is never screened out; a decision
    /// against the recommendation needs a reason. Screening out finalises the crime with the
    /// configured outcome (18) after the classification rules are checked, as any finalisation; the
    /// crime stays recorded with its number.
    pub async fn screen_crime(
        &self,
        by: &Principal,
        id: Uuid,
        version: i64,
        input: &ScreenInput,
        ctx: &RequestContext,
    ) -> Result<Crime> {
        by.require(Permission::CrimeTriage)?;
        let record = self.store.find_crime(id).await?.ok_or(Error::NotFound)?;
        let mut errors = Vec::new();
        if !matches!(record.crime.status, CrimeStatus::Recorded | CrimeStatus::AwaitingTriage) {
            errors.push(FieldError::new(
                "status",
                format!(
                    "Only crimes waiting for allocation are screened; this one is {}",
                    record.crime.status.label().to_lowercase()
                ),
            ));
        }
        let models = &self.settings.triage.models;
        let assessment = models.assess(&screening_facts(&record.crime), &input.factors);
        let decision = match input.decision.trim().parse::<Decision>() {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(FieldError::new(
                    "decision",
                    "Choose a decision: investigate, desk investigation or screen out",
                ));
                None
            }
        };
        let score = match &assessment.score {
            Some(Ok(score)) => Some(score.clone()),
            _ => None,
        };
        match decision {
            Some(decision) => {
                if let Err(e) = assessment.check(decision, &input.override_reason) {
                    errors.extend(e);
                }
            }
            // The factors' own errors still show with the missing decision.
            None => {
                if let Some(Err(e)) = &assessment.score
                    && assessment.exclusion.is_none()
                {
                    errors.extend(e.iter().cloned());
                }
            }
        }
        crate::incident::text_rule(&mut errors, "override_reason", &input.override_reason, false, 2000, "the reason");
        let Some(decision) = decision.filter(|_| errors.is_empty()) else { return Err(Error::Invalid(errors)) };
        if decision == Decision::ScreenOut {
            let failures = self.crime_facts_failures(&record).await?;
            if !failures.is_empty() {
                return Err(Error::Invalid(
                    failures.into_iter().map(|f| FieldError::new(format!("rules.{}", f.rule), f.why)).collect(),
                ));
            }
        }
        if record.crime.version != version {
            return Err(Error::Conflict(format!("crime {} was changed by someone else", record.crime.number)));
        }
        let now = self.now();
        let screening = Screening {
            id: Uuid::now_v7(),
            crime_id: id,
            model_id: score.as_ref().map(|s| s.model_id.clone()).unwrap_or_default(),
            model_version: score.as_ref().map(|s| s.model_version).unwrap_or(0),
            score: score.as_ref().map(|s| s.score),
            threshold: score.as_ref().map(|s| s.threshold),
            factors: score.as_ref().map(|s| s.present.iter().map(|f| f.key.clone()).collect()).unwrap_or_default(),
            recommendation: score.as_ref().map(|s| s.recommendation.as_str().to_string()).unwrap_or_default(),
            exclusion: assessment.exclusion.as_ref().map(|e| e.to_string()).unwrap_or_default(),
            decision: decision.as_str().to_string(),
            override_reason: input.override_reason.trim().to_string(),
            decided_by: Some(by.user_id),
            decided_by_name: by.username.clone(),
            decided_at: now,
        };
        let before = record.crime.audit_json();
        let mut crime = record.crime;
        crime.version += 1;
        if decision == Decision::ScreenOut {
            crime.status = CrimeStatus::Finalised;
            crime.finalised_at = Some(now);
            crime.outcome = Some(models.screen_out_outcome.clone());
            crime.route = String::new();
        } else {
            crime.route = decision.as_str().to_string();
        }
        let mut audit = self
            .event(&By::User(by).actor(), "crime.screen", AuditCategory::Alter, ctx)
            .record("crime", id)
            .before(&before)
            .after(&serde_json::json!({
                "crime": crime.audit_json(),
                "model": screening.model_id, "model_version": screening.model_version,
                "score": screening.score, "threshold": screening.threshold, "factors": screening.factors,
                "recommendation": screening.recommendation, "exclusion": screening.exclusion,
                "decision": screening.decision, "override_reason": screening.override_reason,
            }));
        if !screening.override_reason.is_empty() {
            audit = audit.justification(&screening.override_reason);
        }
        self.store.update_crime(&crime, version, &crate::crime::CrimeChange::Screen(screening), &audit).await?;
        Ok(crime)
    }

    /// Every investigator's profile as the allocation engine sees it at `now`: rank, team, division,
    /// accreditation, open crimes and their weighted load, cap, and whether they are away.
    pub async fn officer_profiles(&self) -> Result<Vec<OfficerProfile>> {
        let now = self.now();
        let policy = &self.settings.triage;
        let users = self.store.list_users().await?;
        let caseloads = self.store.officer_caseloads().await?;
        let leave = self.store.list_leave(now).await?;
        let caps: HashMap<Uuid, u32> = self.store.list_officer_caps().await?.into_iter().collect();
        let mut open: HashMap<Uuid, (u32, u32)> = HashMap::new();
        for c in caseloads {
            let e = open.entry(c.user_id).or_default();
            e.0 += c.open;
            e.1 += c.open * policy.requirements.weight_of(c.group);
        }
        let mut profiles = Vec::new();
        for u in users {
            let desk = policy.is_desk_team(&u.team) && u.roles.contains(&Role::Triage);
            if !(u.roles.contains(&Role::Investigator) || desk) {
                continue;
            }
            let away = leave.iter().find(|l| l.user_id == u.id && l.covers(now));
            let unavailable_reason = if u.is_disabled {
                Some(format!("{} is disabled", u.display_name))
            } else {
                away.map(|l| {
                    format!("{} is away ({}) until {}", u.display_name, l.kind, crate::time::london(l.ends_at))
                })
            };
            let (open_crimes, workload) = open.get(&u.id).copied().unwrap_or_default();
            let cap = caps.get(&u.id).copied().unwrap_or(if desk { policy.desk_cap } else { policy.default_cap });
            profiles.push(OfficerProfile {
                id: u.id,
                name: u.display_name.clone(),
                rank: u.rank,
                team: u.team.clone(),
                division: u.division.clone(),
                pip_level: u.pip_level,
                specialisms: u.specialisms.clone(),
                open_crimes,
                workload,
                cap,
                available: unavailable_reason.is_none(),
                unavailable_reason,
                desk,
            });
        }
        profiles.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        Ok(profiles)
    }

    /// The allocation problem for these queue items: what each crime needs and who already knows
    /// its people.
    async fn to_allocate(&self, items: &[QueueItem]) -> Result<Vec<CrimeToAllocate>> {
        let policy = &self.settings.triage;
        let people: Vec<Uuid> = items
            .iter()
            .flat_map(|i| i.row.victims.iter().chain(i.row.suspects.iter()).copied())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut knowing: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        if !people.is_empty() {
            for (person, officer) in self.store.officers_knowing(&people).await? {
                knowing.entry(person).or_default().push(officer);
            }
        }
        Ok(items
            .iter()
            .map(|item| {
                let crime = &item.row.crime;
                let mut continuity: Vec<Uuid> = item
                    .row
                    .victims
                    .iter()
                    .chain(item.row.suspects.iter())
                    .flat_map(|p| knowing.get(p).into_iter().flatten().copied())
                    .collect();
                continuity.sort();
                continuity.dedup();
                CrimeToAllocate {
                    crime_id: crime.id,
                    number: crime.number.clone(),
                    division: crime.division.clone(),
                    need: policy.requirements.need_for(&requirement_facts(crime)),
                    desk: crime.route == Decision::DeskInvestigation.as_str(),
                    priority: u32::try_from(item.priority.max(0)).unwrap_or(u32::MAX),
                    continuity,
                }
            })
            .collect())
    }

    /// Proposes an allocation for every crime in the queue at once (an exact min-cost assignment,
    /// [`crate::allocation::propose`]), each with why that officer, or why no one. Audited as a
    /// search.
    pub async fn propose_allocations(&self, by: &Principal, ctx: &RequestContext) -> Result<Proposals> {
        by.require(Permission::CrimeTriage)?;
        let audit = self.event(&By::User(by).actor(), "crime.propose_allocations", AuditCategory::Consult, ctx);
        self.store.append_audit(&audit).await?;
        let items = self.queue_items().await?;
        let officers = self.officer_profiles().await?;
        let crimes = self.to_allocate(&items).await?;
        let plan = crate::allocation::propose(&crimes, &officers, &self.settings.triage.costs);
        Ok(Proposals { items, plan, officers: officers.into_iter().map(|o| (o.id, o)).collect() })
    }

    /// Allocates one crime to an officer the supervisor chose. Refused with the reason when the
    /// officer lacks the accreditation, is away or at their cap; a crime changed by someone else
    /// since it was read is a conflict and nothing is written.
    pub async fn allocate_crime(
        &self,
        by: &Principal,
        crime_id: Uuid,
        version: i64,
        officer_id: Uuid,
        note: &str,
        ctx: &RequestContext,
    ) -> Result<Crime> {
        by.require(Permission::CrimeTriage)?;
        let mut errors = Vec::new();
        crate::incident::text_rule(&mut errors, "note", note, false, 2000, "the note");
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        let choice = Choice { crime_id, version, officer_id, proposed: None };
        let reasons = if note.trim().is_empty() {
            vec![format!("Chosen by {}", by.username)]
        } else {
            vec![format!("Chosen by {}: {}", by.username, note.trim())]
        };
        let mut done = self.allocate(&By::User(by), &[(choice, reasons)], false, ctx).await?;
        done.pop().ok_or(Error::NotFound)
    }

    /// Accepts (or, where the supervisor changed the officer, makes) many allocations in one
    /// transaction: every one is checked against the officers' caps as they stand, counting the
    /// others in the same acceptance, and if any crime was changed by someone else nothing is
    /// written and the conflict names it.
    pub async fn accept_allocations(
        &self,
        by: &Principal,
        choices: &[Choice],
        ctx: &RequestContext,
    ) -> Result<Vec<Crime>> {
        by.require(Permission::CrimeTriage)?;
        if choices.is_empty() {
            return Err(Error::invalid("allocations", "Choose at least one proposed allocation to accept"));
        }
        let proposals = self.propose_for(&choices.iter().map(|c| c.crime_id).collect::<Vec<_>>()).await?;
        let with_reasons: Vec<(Choice, Vec<String>)> = choices
            .iter()
            .map(|c| {
                // What the engine proposed is its own fresh proposal, never the caller's say-so.
                let proposed = proposals.get(&c.crime_id).and_then(|(officer, _)| *officer);
                let reasons = match proposals.get(&c.crime_id) {
                    Some((Some(officer), reasons)) if *officer == c.officer_id => reasons.clone(),
                    _ => vec![format!("Chosen by {}", by.username)],
                };
                (Choice { proposed, ..*c }, reasons)
            })
            .collect();
        self.allocate(&By::User(by), &with_reasons, false, ctx).await
    }

    /// The engine's proposal and reasons for these crimes, from a fresh proposal over the queue.
    async fn propose_for(&self, crime_ids: &[Uuid]) -> Result<HashMap<Uuid, (Option<Uuid>, Vec<String>)>> {
        let wanted: HashSet<Uuid> = crime_ids.iter().copied().collect();
        let items: Vec<QueueItem> =
            self.queue_items().await?.into_iter().filter(|i| wanted.contains(&i.row.crime.id)).collect();
        let officers = self.officer_profiles().await?;
        let crimes = self.to_allocate(&items).await?;
        let plan = crate::allocation::propose(&crimes, &officers, &self.settings.triage.costs);
        Ok(plan.proposals.into_iter().map(|p| (p.crime_id, (p.officer_id, p.reasons))).collect())
    }

    /// Allocates crimes in the configured auto-allocation categories as the engine proposes, without
    /// a supervisor (run by `bluelamp serve` on a timer). Returns how many were allocated.
    pub async fn auto_allocate(&self, ctx: &RequestContext) -> Result<usize> {
        let groups = &self.settings.triage.auto_allocate;
        if groups.is_empty() {
            return Ok(0);
        }
        let items: Vec<QueueItem> = self
            .queue_items()
            .await?
            .into_iter()
            .filter(|i| groups.contains(&i.row.crime.offence_group) && !crate::triage::high_risk(&i.row.crime))
            .collect();
        if items.is_empty() {
            return Ok(0);
        }
        let officers = self.officer_profiles().await?;
        let crimes = self.to_allocate(&items).await?;
        let plan = crate::allocation::propose(&crimes, &officers, &self.settings.triage.costs);
        let versions: HashMap<Uuid, i64> = items.iter().map(|i| (i.row.crime.id, i.row.crime.version)).collect();
        let choices: Vec<(Choice, Vec<String>)> = plan
            .proposals
            .into_iter()
            .filter_map(|p| {
                let officer = p.officer_id?;
                let version = *versions.get(&p.crime_id)?;
                Some((
                    Choice { crime_id: p.crime_id, version, officer_id: officer, proposed: Some(officer) },
                    p.reasons,
                ))
            })
            .collect();
        if choices.is_empty() {
            return Ok(0);
        }
        Ok(self.allocate(&By::System("auto-allocation"), &choices, true, ctx).await?.len())
    }

    /// Checks and writes allocations: each crime open and still at the version read, each officer
    /// eligible (accreditation, availability, cap counting this batch).
    async fn allocate(
        &self,
        by: &By<'_>,
        choices: &[(Choice, Vec<String>)],
        automatic: bool,
        ctx: &RequestContext,
    ) -> Result<Vec<Crime>> {
        let now = self.now();
        let officers: HashMap<Uuid, OfficerProfile> =
            self.officer_profiles().await?.into_iter().map(|o| (o.id, o)).collect();
        let mut errors = Vec::new();
        let mut records = Vec::new();
        let mut seen = HashSet::new();
        let mut stale = Vec::new();
        for (n, (choice, _)) in choices.iter().enumerate() {
            let field =
                if choices.len() == 1 { "officer_id".to_string() } else { format!("allocations.{n}.officer_id") };
            if !seen.insert(choice.crime_id) {
                errors.push(FieldError::new(field, "The same crime is listed twice"));
                continue;
            }
            let Some(record) = self.store.find_crime(choice.crime_id).await? else { return Err(Error::NotFound) };
            if record.crime.version != choice.version {
                stale.push(record.crime.number.clone());
            }
            if !record.crime.status.is_open() {
                errors.push(FieldError::new(
                    field,
                    format!("Crime {} is {}", record.crime.number, record.crime.status.label().to_lowercase()),
                ));
            }
            records.push(record);
        }
        // Someone else got there first: say so before judging the choice against the changed crime.
        if !stale.is_empty() {
            return Err(Error::Conflict(format!(
                "someone else changed {} since you read it: {}; nothing was allocated, reload and try again",
                if stale.len() == 1 { "this crime" } else { "these crimes" },
                stale.join(", ")
            )));
        }
        // Officers' open crimes grow with each allocation of the batch, so caps hold across it.
        let mut taken: HashMap<Uuid, u32> = HashMap::new();
        let items_for: Vec<QueueItem> = records
            .iter()
            .map(|r| {
                let (victims, suspects) = people_of(r);
                crate::triage::assess(
                    crate::triage::QueueRow { crime: (&r.crime).into(), victims, suspects },
                    now,
                    &self.settings.triage,
                )
            })
            .collect();
        let needs = self.to_allocate(&items_for).await?;
        let mut writes = Vec::new();
        let mut audits = Vec::new();
        for (n, ((choice, reasons), (record, need))) in choices.iter().zip(records.iter().zip(needs.iter())).enumerate()
        {
            let field =
                if choices.len() == 1 { "officer_id".to_string() } else { format!("allocations.{n}.officer_id") };
            let Some(officer) = officers.get(&choice.officer_id) else {
                errors.push(FieldError::new(field, "No such investigator: choose an officer who investigates crimes"));
                continue;
            };
            let mut counted = officer.clone();
            counted.open_crimes += taken.get(&officer.id).copied().unwrap_or(0);
            if record.crime.allocated_to == Some(officer.id) {
                errors.push(FieldError::new(
                    field,
                    format!("Crime {} is already allocated to {}", record.crime.number, officer.name),
                ));
                continue;
            }
            if let Err(why) = crate::allocation::check(need, &counted) {
                errors.push(FieldError::new(field, format!("Crime {}: {why}", record.crime.number)));
                continue;
            }
            *taken.entry(officer.id).or_default() += 1;
            let allocation = Allocation {
                id: Uuid::now_v7(),
                crime_id: record.crime.id,
                officer_id: officer.id,
                officer_name: officer.name.clone(),
                proposed_officer: choice.proposed,
                reasons: reasons.clone(),
                automatic,
                allocated_by: match by {
                    By::User(p) => Some(p.user_id),
                    By::System(_) => None,
                },
                allocated_by_name: by.actor().name,
                allocated_at: now,
            };
            let before = record.crime.audit_json();
            let mut crime = record.crime.clone();
            crime.version += 1;
            crime.status = CrimeStatus::Allocated;
            crime.allocated_to = Some(officer.id);
            crime.allocated_to_name = officer.name.clone();
            // The first allocation: when the crime left the queue (the backlog's outflow).
            crime.allocated_at = record.crime.allocated_at.or(Some(now));
            // The first supervision review falls due a set time after allocation (issue 7); a
            // reallocation never puts off one already due sooner.
            let first_review = self.first_review_due(&crime, now);
            crime.review_due_at = Some(record.crime.review_due_at.map_or(first_review, |d| d.min(first_review)));
            let audit: NewAuditEvent = self
                .event(&by.actor(), "crime.allocate", AuditCategory::Alter, ctx)
                .record("crime", crime.id)
                .before(&before)
                .after(&serde_json::json!({
                    "crime": crime.audit_json(), "officer": officer.id, "officer_name": officer.name,
                    "proposed": choice.proposed, "reasons": allocation.reasons, "automatic": automatic,
                }));
            audits.push(audit);
            writes.push(AllocationWrite { crime, expected_version: choice.version, allocation });
        }
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        self.store.allocate_crimes(&writes, &audits).await?;
        Ok(writes.into_iter().map(|w| w.crime).collect())
    }

    /// The backlog recovery view: the queue by age and risk, inflow and outflow per day over `days`
    /// UK days, capacity, projected days to clear, breaches and the oldest crimes. Audited.
    pub async fn backlog_view(&self, by: &Principal, days: u32, ctx: &RequestContext) -> Result<Backlog> {
        by.require(Permission::CrimeTriage)?;
        if !(1..=90).contains(&days) {
            return Err(Error::invalid("days", "Show between 1 and 90 days"));
        }
        let audit = self
            .event(&By::User(by).actor(), "crime.backlog", AuditCategory::Consult, ctx)
            .after(&serde_json::json!({"days": days}));
        self.store.append_audit(&audit).await?;
        let now = self.now();
        let items = self.queue_items().await?;
        let since = now - Duration::days(i64::from(days) + 1);
        let flow = self.store.triage_flow(since).await?;
        let officers = self.officer_profiles().await?;
        let with_room: Vec<&OfficerProfile> =
            officers.iter().filter(|o| o.available && o.open_crimes < o.cap).collect();
        let capacity = with_room.iter().map(|o| o.cap - o.open_crimes).sum();
        Ok(crate::triage::backlog(&items, &flow, now, days, capacity, with_room.len()))
    }

    /// Investigators with their caseloads, caps and leave (the workload page). Audited as a view.
    pub async fn workload(&self, by: &Principal, ctx: &RequestContext) -> Result<(Vec<OfficerProfile>, Vec<Leave>)> {
        by.require(Permission::CrimeTriage)?;
        let audit = self.event(&By::User(by).actor(), "officer.workload", AuditCategory::Consult, ctx);
        self.store.append_audit(&audit).await?;
        let profiles = self.officer_profiles().await?;
        let leave = self.store.list_leave(self.now()).await?;
        Ok((profiles, leave))
    }

    /// Records a period an officer is away; they get no new crimes while it lasts.
    pub async fn record_leave(
        &self,
        by: &Principal,
        user_id: Uuid,
        starts_at: Option<DateTime<Utc>>,
        ends_at: Option<DateTime<Utc>>,
        kind: &str,
        ctx: &RequestContext,
    ) -> Result<Leave> {
        by.require(Permission::CrimeTriage)?;
        let mut errors = Vec::new();
        let user = self.store.find_user(user_id).await?;
        if user.is_none() {
            errors.push(FieldError::new("user_id", "No such officer"));
        }
        crate::incident::text_rule(&mut errors, "kind", kind, true, 100, "the kind of leave");
        if starts_at.is_none() {
            errors.push(FieldError::new("starts_at", "Enter when the leave starts"));
        }
        match (starts_at, ends_at) {
            (_, None) => errors.push(FieldError::new("ends_at", "Enter when the leave ends")),
            (Some(s), Some(e)) if e <= s => {
                errors.push(FieldError::new("ends_at", "The leave must end after it starts"))
            }
            (_, Some(e)) if e <= self.now() => errors.push(FieldError::new("ends_at", "The leave has already ended")),
            (Some(s), Some(e)) if e - s > Duration::days(366) => {
                errors.push(FieldError::new("ends_at", "Record leave of a year or less at a time"))
            }
            _ => {}
        }
        let (Some(starts_at), Some(ends_at), Some(user)) = (starts_at, ends_at, user) else {
            return Err(Error::Invalid(errors));
        };
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        let leave = Leave {
            id: Uuid::now_v7(),
            user_id,
            starts_at,
            ends_at,
            kind: kind.trim().to_string(),
            recorded_by_name: by.username.clone(),
            recorded_at: self.now(),
        };
        let audit = self
            .event(&By::User(by).actor(), "officer.leave_record", AuditCategory::Alter, ctx)
            .record("user", user.id)
            .after(&serde_json::json!({"starts_at": starts_at, "ends_at": ends_at, "kind": leave.kind}));
        self.store.insert_leave(&leave, &audit).await?;
        Ok(leave)
    }

    /// Removes a period of leave not yet ended (entered in error, or cancelled); ended leave stays.
    pub async fn cancel_leave(&self, by: &Principal, id: Uuid, ctx: &RequestContext) -> Result<()> {
        by.require(Permission::CrimeTriage)?;
        let leave = self.store.list_leave(self.now()).await?.into_iter().find(|l| l.id == id);
        let leave = leave.ok_or(Error::NotFound)?;
        let audit = self
            .event(&By::User(by).actor(), "officer.leave_cancel", AuditCategory::Alter, ctx)
            .record("user", leave.user_id)
            .before(&serde_json::json!({"starts_at": leave.starts_at, "ends_at": leave.ends_at, "kind": leave.kind}));
        self.store.delete_leave(id, &audit).await
    }

    /// Sets an officer's caseload cap (open crimes), 1 to 200.
    pub async fn set_caseload_cap(
        &self,
        by: &Principal,
        user_id: Uuid,
        cap: &str,
        ctx: &RequestContext,
    ) -> Result<u32> {
        by.require(Permission::CrimeTriage)?;
        let user = self.store.find_user(user_id).await?.ok_or(Error::NotFound)?;
        let cap: u32 = match cap.trim().parse::<u32>() {
            Ok(c) if (1..=200).contains(&c) => c,
            _ => return Err(Error::invalid("cap", "Enter a caseload cap from 1 to 200 open crimes")),
        };
        let audit = self
            .event(&By::User(by).actor(), "officer.cap", AuditCategory::Alter, ctx)
            .record("user", user.id)
            .after(&serde_json::json!({"cap": cap}));
        self.store.set_officer_cap(user.id, cap, &by.username, self.now(), &audit).await?;
        Ok(cap)
    }
}

/// A crime's victims and its suspects or offenders, from its record.
fn people_of(record: &CrimeRecord) -> (Vec<Uuid>, Vec<Uuid>) {
    use crate::crime::CrimeRole;
    let pick = |roles: &[CrimeRole]| -> Vec<Uuid> {
        let mut ids: Vec<Uuid> =
            record.people.iter().filter(|p| roles.contains(&p.role)).map(|p| p.person_id).collect();
        ids.sort();
        ids.dedup();
        ids
    };
    (pick(&[CrimeRole::Victim]), pick(&[CrimeRole::Suspect, CrimeRole::Offender]))
}
