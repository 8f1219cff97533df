//! The investigations and outcomes API (issue 7): a crime's plan, reviews and outcome decisions; adding
//! and closing actions; supervisors' reviews with directions; finalising with an outcome (every
//! unmet precondition named), authorising, returning and reopening; the outcome types in force on a
//! day; and the lists behind the supervisors' alerts. Changes name the crime's `version`; a stale
//! one is a 409 with the core's words, and nothing is written.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bluelamp_core::Error;
use bluelamp_core::crime::Crime;
use bluelamp_core::investigation::{Action, ActionInput, OverdueReview, Review, Standing};
use bluelamp_core::investigation_use::{InvestigationView, OutcomeDecision, OwnedAction};
use bluelamp_core::outcome::{OutcomeEvidence, OutcomeFacts, OutcomeType};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::AppState;
use crate::api_crimes::{CrimeJson, crime_json};
use crate::api_incidents::parse_id;
use crate::auth::{Ctx, CurrentUser};
use crate::error::{ApiError, ErrorJson};
use crate::extract::ApiJson;
use crate::pages::investigation::{EvidenceText, evidence_of, london_today};

type ApiResult<T> = Result<T, ApiError>;

/// A crime as the investigation API shows it: the record's fields with who investigates it, its
/// outcome and when its next review is due.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvestigatedCrimeJson {
    #[serde(flatten)]
    pub crime: CrimeJson,
    pub allocated_to: Option<Uuid>,
    /// The investigator's name as it was when the crime was allocated; empty when not allocated.
    pub allocated_to_name: String,
    /// The Home Office outcome code it was finalised with.
    pub outcome: Option<String>,
    /// RFC 3339.
    pub finalised_at: Option<String>,
    /// When the supervisor's next review is due (RFC 3339).
    pub review_due_at: Option<String>,
}

pub(crate) fn investigated_crime_json(c: &Crime) -> InvestigatedCrimeJson {
    InvestigatedCrimeJson {
        crime: crime_json(c),
        allocated_to: c.allocated_to,
        allocated_to_name: c.allocated_to_name.clone(),
        outcome: c.outcome.clone(),
        finalised_at: c.finalised_at.map(|t| t.to_rfc3339()),
        review_due_at: c.review_due_at.map(|t| t.to_rfc3339()),
    }
}

/// One action of an investigation plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionJson {
    pub id: Uuid,
    pub crime_id: Uuid,
    /// The line of enquiry: cctv, house-to-house, forensics, witness-statements, digital-devices,
    /// body-worn-video, 999-recording, medical-evidence, suspect-interview, victim-engagement or other.
    pub kind: String,
    pub kind_label: String,
    pub description: String,
    pub owner_id: Uuid,
    pub owner_name: String,
    /// YYYY-MM-DD.
    pub due_on: String,
    /// open, done or not-possible.
    pub status: String,
    /// What the enquiry found, or why it was not possible; empty while open.
    pub result: String,
    pub created_at: String,
    pub created_by: String,
    pub closed_at: Option<String>,
    /// The review whose direction created it.
    pub review_id: Option<Uuid>,
    /// Open and past its due date (UK today).
    pub overdue: bool,
}

pub(crate) fn action_json(a: &Action, today: NaiveDate) -> ActionJson {
    ActionJson {
        id: a.id,
        crime_id: a.crime_id,
        kind: a.kind.as_str().to_string(),
        kind_label: a.kind.label().to_string(),
        description: a.description.clone(),
        owner_id: a.owner_id,
        owner_name: a.owner_name.clone(),
        due_on: a.due_on.to_string(),
        status: a.status.as_str().to_string(),
        result: a.result.clone(),
        created_at: a.created_at.to_rfc3339(),
        created_by: a.created_by_name.clone(),
        closed_at: a.closed_at.map(|t| t.to_rfc3339()),
        review_id: a.review_id,
        overdue: a.is_overdue(today),
    }
}

/// A supervisor's review.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewJson {
    pub id: Uuid,
    pub crime_id: Uuid,
    pub reviewed_at: String,
    pub reviewer_id: Uuid,
    pub reviewer: String,
    pub notes: String,
    /// When the next review falls due, set by this one (RFC 3339).
    pub next_due: String,
    /// The actions its directions created.
    pub directions: Vec<Uuid>,
}

fn review_json(r: &Review, actions: &[Action]) -> ReviewJson {
    ReviewJson {
        id: r.id,
        crime_id: r.crime_id,
        reviewed_at: r.reviewed_at.to_rfc3339(),
        reviewer_id: r.reviewer_id,
        reviewer: r.reviewer_name.clone(),
        notes: r.notes.clone(),
        next_due: r.next_due.to_rfc3339(),
        directions: actions.iter().filter(|a| a.review_id == Some(r.id)).map(|a| a.id).collect(),
    }
}

/// What the officer recorded with an outcome.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvidenceJson {
    pub rationale: String,
    /// YYYY-MM-DD.
    pub victim_non_support_on: Option<String>,
    pub victim_non_support_how: String,
    pub evidence_led_decision: String,
    /// Each kind of evidence considered (body-worn-video, 999-call, independent-witnesses,
    /// photographed-injuries) → available or not-available.
    pub evidence_considered: BTreeMap<String, String>,
    /// interviewed, contacted or not-contacted.
    pub suspect_contact: Option<String>,
    pub suspect_contact_note: String,
    pub diversion_completed_on: Option<String>,
    pub victim_informed_on: Option<String>,
}

fn evidence_json(e: &OutcomeEvidence) -> EvidenceJson {
    EvidenceJson {
        rationale: e.rationale.clone(),
        victim_non_support_on: e.victim_non_support_on.map(|d| d.to_string()),
        victim_non_support_how: e.victim_non_support_how.clone(),
        evidence_led_decision: e.evidence_led_decision.clone(),
        evidence_considered: e
            .evidence_considered
            .iter()
            .map(|(k, a)| (k.as_str().to_string(), a.as_str().to_string()))
            .collect(),
        suspect_contact: e.suspect_contact.map(|s| s.as_str().to_string()),
        suspect_contact_note: e.suspect_contact_note.clone(),
        diversion_completed_on: e.diversion_completed_on.map(|d| d.to_string()),
        victim_informed_on: e.victim_informed_on.map(|d| d.to_string()),
    }
}

/// An outcome decision: proposed, then authorised (final) or returned; a final one is marked
/// reopened when the crime is reopened. Never deleted.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionJson {
    pub id: Uuid,
    pub crime_id: Uuid,
    pub code: String,
    pub label: String,
    /// The outcome list the code was taken from.
    pub list_version: String,
    /// awaiting-authorisation, returned, final or reopened.
    pub status: String,
    pub evidence: EvidenceJson,
    /// The lowest rank that had to authorise it (sergeant, inspector …); absent when it needed none.
    pub authoriser_rank: Option<String>,
    pub proposed_at: String,
    pub proposed_by: Option<Uuid>,
    pub proposed_by_name: String,
    pub decided_at: Option<String>,
    pub decided_by: Option<Uuid>,
    pub decided_by_name: String,
    /// The authoriser's note, or why it was returned.
    pub decision_note: String,
    pub reopened_at: Option<String>,
    pub reopened_by_name: String,
    pub reopen_reason: String,
}

pub(crate) fn decision_json(d: &OutcomeDecision) -> DecisionJson {
    DecisionJson {
        id: d.id,
        crime_id: d.crime_id,
        code: d.code.clone(),
        label: d.label.clone(),
        list_version: d.list_version.clone(),
        status: d.status.as_str().to_string(),
        evidence: evidence_json(&d.evidence),
        authoriser_rank: d.authoriser_rank.map(|r| r.as_str().to_string()),
        proposed_at: d.proposed_at.to_rfc3339(),
        proposed_by: d.proposed_by,
        proposed_by_name: d.proposed_by_name.clone(),
        decided_at: d.decided_at.map(|t| t.to_rfc3339()),
        decided_by: d.decided_by,
        decided_by_name: d.decided_by_name.clone(),
        decision_note: d.decision_note.clone(),
        reopened_at: d.reopened_at.map(|t| t.to_rfc3339()),
        reopened_by_name: d.reopened_by_name.clone(),
        reopen_reason: d.reopen_reason.clone(),
    }
}

/// Where a supervision review stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct StandingJson {
    /// on-time, overdue or escalated (overdue past the limit: an inspector is told).
    pub state: String,
    /// Whole days overdue (0 when on time).
    pub days_overdue: i64,
    /// In words, e.g. "Overdue by 8 days — escalated to an inspector".
    pub label: String,
}

pub(crate) fn standing_json(s: Standing) -> StandingJson {
    let (state, days) = match s {
        Standing::OnTime => ("on-time", 0),
        Standing::Overdue { days } => ("overdue", days),
        Standing::Escalated { days } => ("escalated", days),
    };
    StandingJson { state: state.into(), days_overdue: days, label: s.label() }
}

/// A line of enquiry, by name and in words.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnquiryJson {
    pub kind: String,
    pub label: String,
}

/// The facts about the crime that the outcome rules read, as they stand today.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeFactsJson {
    /// The finalisation date if finalised today (UK), YYYY-MM-DD.
    pub on: String,
    pub has_suspect_or_offender: bool,
    pub has_named_suspect: bool,
    pub domestic_abuse: bool,
    pub vulnerable_victim: bool,
    /// Completed victim-engagement actions in the plan.
    pub engagement_attempts: u32,
    /// Mandatory lines of enquiry for the crime type not yet done or closed, in words.
    pub missing_enquiries: Vec<String>,
}

fn facts_json(f: &OutcomeFacts) -> OutcomeFactsJson {
    OutcomeFactsJson {
        on: f.on.to_string(),
        has_suspect_or_offender: f.has_suspect_or_offender,
        has_named_suspect: f.has_named_suspect,
        domestic_abuse: f.domestic_abuse,
        vulnerable_victim: f.vulnerable_victim,
        engagement_attempts: f.engagement_attempts,
        missing_enquiries: f.missing_enquiries.clone(),
    }
}

/// A crime's investigation: its plan, reviews, outcome decisions and what finalising needs.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvestigationJson {
    pub crime: InvestigatedCrimeJson,
    /// Oldest first.
    pub actions: Vec<ActionJson>,
    /// Oldest first.
    pub reviews: Vec<ReviewJson>,
    /// Oldest first, with the evidence recorded for each.
    pub decisions: Vec<DecisionJson>,
    /// When the next review is due (RFC 3339), while the crime is open and allocated.
    pub review_due_at: Option<String>,
    pub standing: Option<StandingJson>,
    /// The crime type's mandatory lines of enquiry with no closed action yet.
    pub missing_enquiries: Vec<EnquiryJson>,
    pub facts: OutcomeFactsJson,
    /// The codes of the outcome types valid today (details at `/api/v1/outcome-types`).
    pub outcome_types: Vec<String>,
}

fn investigation_json(v: &InvestigationView, today: NaiveDate) -> InvestigationJson {
    let inv = &v.investigation;
    InvestigationJson {
        crime: investigated_crime_json(&v.record.crime),
        actions: inv.actions.iter().map(|a| action_json(a, today)).collect(),
        reviews: inv.reviews.iter().map(|r| review_json(r, &inv.actions)).collect(),
        decisions: inv.decisions.iter().map(decision_json).collect(),
        review_due_at: v.standing.and(v.record.crime.review_due_at).map(|t| t.to_rfc3339()),
        standing: v.standing.map(standing_json),
        missing_enquiries: v
            .missing_enquiries
            .iter()
            .map(|k| EnquiryJson { kind: k.as_str().to_string(), label: k.label().to_string() })
            .collect(),
        facts: facts_json(&v.facts),
        outcome_types: v.outcome_types.iter().map(|t| t.code.clone()).collect(),
    }
}

/// A conflict answered with the core's words (which crime, what to do), so the caller knows what to
/// reload; other errors render as usual.
fn conflict_or(e: Error) -> Response {
    match e {
        Error::Conflict(message) => (
            StatusCode::CONFLICT,
            Json(ErrorJson { error: "conflict", message: format!("{message}."), fields: vec![] }),
        )
            .into_response(),
        other => ApiError::from(other).into_response(),
    }
}

/// A crime's investigation plan, supervision reviews, outcome decisions (with their evidence), the
/// review's due date and standing, the mandatory lines of enquiry still missing and the facts the
/// outcome rules read. Audited as a view of the crime.
#[utoipa::path(get, path = "/api/v1/crimes/{id}/investigation", tag = "investigations", params(("id" = String, Path)),
    responses((status = 200, body = InvestigationJson), (status = 404, body = ErrorJson), (status = 403, body = ErrorJson)))]
pub async fn show(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<InvestigationJson>> {
    let view = state.core.investigation_view(&user, parse_id(&id)?, &ctx).await?;
    Ok(Json(investigation_json(&view, london_today(&state))))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewActionJson {
    /// The line of enquiry (see `ActionJson.kind`).
    pub kind: String,
    /// Needed for `other`; at most 2,000 characters.
    #[serde(default)]
    pub description: String,
    /// The owner's user id; absent means the crime's investigator.
    #[serde(default)]
    pub owner: Option<String>,
    /// YYYY-MM-DD, today or later.
    pub due_on: String,
}

impl NewActionJson {
    fn input(&self) -> ActionInput {
        ActionInput {
            kind: self.kind.clone(),
            description: self.description.clone(),
            owner: self.owner.clone().unwrap_or_default(),
            due_on: self.due_on.clone(),
        }
    }
}

/// Adds an action to the crime's plan. Every broken rule is a 422 naming its field (`kind`,
/// `description`, `owner`, `due_on`, or `status` when the crime is not open).
#[utoipa::path(post, path = "/api/v1/crimes/{id}/actions", tag = "investigations", params(("id" = String, Path)),
    request_body = NewActionJson,
    responses((status = 201, body = ActionJson), (status = 422, body = ErrorJson), (status = 404, body = ErrorJson)))]
pub async fn add_action(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewActionJson>,
) -> ApiResult<(StatusCode, Json<ActionJson>)> {
    let action = state.core.add_action(&user, parse_id(&id)?, &body.input(), &ctx).await?;
    Ok((StatusCode::CREATED, Json(action_json(&action, london_today(&state)))))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateActionJson {
    /// done, not-possible, or open to reopen it.
    pub status: String,
    /// What the enquiry found (done) or why it was not possible; at least 3 characters.
    #[serde(default)]
    pub result: String,
}

/// Closes an action as done or not possible (with its result), or opens it again. The action must
/// belong to the crime in the path (otherwise 404).
#[utoipa::path(post, path = "/api/v1/crimes/{id}/actions/{action_id}", tag = "investigations",
    params(("id" = String, Path), ("action_id" = String, Path)), request_body = UpdateActionJson,
    responses((status = 200, body = ActionJson), (status = 409, body = ErrorJson), (status = 422, body = ErrorJson),
        (status = 404, body = ErrorJson)))]
pub async fn update_action(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path((id, action_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<UpdateActionJson>,
) -> Result<Response, ApiError> {
    let (id, action_id) = (parse_id(&id)?, parse_id(&action_id)?);
    Ok(match state.core.update_action(&user, id, action_id, &body.status, &body.result, &ctx).await {
        Ok(action) => Json(action_json(&action, london_today(&state))).into_response(),
        Err(e) => conflict_or(e),
    })
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewReviewJson {
    /// The crime's version as read.
    pub version: i64,
    /// What was reviewed and decided: at least 20 characters.
    pub notes: String,
    /// Directions to the investigator, each becoming an action (fields named
    /// `directions.<n>.<field>`, counting from 1).
    #[serde(default)]
    pub directions: Vec<NewActionJson>,
}

/// A supervisor's review of the investigation: notes and directions (each becomes an action). Sets
/// when the next review falls due.
#[utoipa::path(post, path = "/api/v1/crimes/{id}/reviews", tag = "investigations", params(("id" = String, Path)),
    request_body = NewReviewJson,
    responses((status = 201, body = ReviewJson), (status = 409, body = ErrorJson), (status = 422, body = ErrorJson),
        (status = 403, body = ErrorJson)))]
pub async fn review(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewReviewJson>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    let directions: Vec<ActionInput> = body.directions.iter().map(NewActionJson::input).collect();
    let review = match state.core.review_investigation(&user, id, body.version, &body.notes, &directions, &ctx).await {
        Ok(review) => review,
        Err(e) => return Ok(conflict_or(e)),
    };
    // The directions' ids, from the plan as it now stands.
    let view = state.core.investigation_view(&user, id, &ctx).await?;
    Ok((StatusCode::CREATED, Json(review_json(&review, &view.investigation.actions))).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct FinaliseJson {
    /// The crime's version as read.
    pub version: i64,
    /// The Home Office outcome code, e.g. "16" (see `/api/v1/outcome-types`).
    pub outcome: String,
    #[serde(default)]
    pub rationale: String,
    /// YYYY-MM-DD: when the victim said they do not support police action.
    #[serde(default)]
    pub victim_non_support_on: Option<String>,
    /// How the non-support was obtained (a signed statement, a recorded call …).
    #[serde(default)]
    pub victim_non_support_how: String,
    /// The decision on an evidence-led prosecution, and why.
    #[serde(default)]
    pub evidence_led_decision: String,
    /// Each kind of evidence considered → `available` or `not-available`, e.g.
    /// `{"body-worn-video": "available", "999-call": "not-available"}`.
    #[serde(default)]
    pub evidence_considered: BTreeMap<String, String>,
    /// interviewed, contacted or not-contacted.
    #[serde(default)]
    pub suspect_contact: Option<String>,
    /// Why the suspect was not contacted, when they were not.
    #[serde(default)]
    pub suspect_contact_note: String,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub diversion_completed_on: Option<String>,
    /// YYYY-MM-DD: when the victim was told of the decision.
    #[serde(default)]
    pub victim_informed_on: Option<String>,
}

impl FinaliseJson {
    fn text(&self) -> EvidenceText {
        EvidenceText {
            rationale: self.rationale.clone(),
            victim_non_support_on: self.victim_non_support_on.clone().unwrap_or_default(),
            victim_non_support_how: self.victim_non_support_how.clone(),
            evidence_led_decision: self.evidence_led_decision.clone(),
            evidence_considered: self.evidence_considered.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            suspect_contact: self.suspect_contact.clone().unwrap_or_default(),
            suspect_contact_note: self.suspect_contact_note.clone(),
            diversion_completed_on: self.diversion_completed_on.clone().unwrap_or_default(),
            victim_informed_on: self.victim_informed_on.clone().unwrap_or_default(),
        }
    }
}

/// A crime with the outcome decision just made or changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeResultJson {
    pub crime: InvestigatedCrimeJson,
    pub decision: DecisionJson,
}

/// Finalises the crime with an outcome, or — when the outcome needs authorisation (16 by default) —
/// proposes it: the decision then awaits a supervisor of the rank named in `authoriser_rank` and the
/// crime stays open. Every unmet precondition is a 422 naming its field and the rule in words
/// (`rules.<rule>` for a classification rule, `people` and `plan` for facts about the crime); a
/// date that is not YYYY-MM-DD, an unknown evidence kind or answer, or an unknown `suspect_contact`
/// is a 422 on that field. An outcome already awaiting authorisation is a 409.
#[utoipa::path(post, path = "/api/v1/crimes/{id}/finalise", tag = "investigations", params(("id" = String, Path)),
    request_body = FinaliseJson,
    responses((status = 200, body = OutcomeResultJson), (status = 409, body = ErrorJson), (status = 422, body = ErrorJson),
        (status = 404, body = ErrorJson)))]
pub async fn finalise(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<FinaliseJson>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    let evidence = evidence_of(&body.text()).map_err(|errors| ApiError::from(Error::Invalid(errors)))?;
    Ok(match state.core.finalise_crime(&user, id, body.version, &body.outcome, &evidence, &ctx).await {
        Ok((crime, decision)) => {
            Json(OutcomeResultJson { crime: investigated_crime_json(&crime), decision: decision_json(&decision) })
                .into_response()
        }
        Err(e) => conflict_or(e),
    })
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AuthoriseJson {
    pub version: i64,
    /// Optional note kept with the decision.
    #[serde(default)]
    pub note: String,
}

/// Authorises the outcome awaiting authorisation and finalises the crime. A 403 says why when the
/// caller lacks the rank (naming the rank needed), the permission, or proposed it themselves; a
/// precondition that no longer holds is a 422.
#[utoipa::path(post, path = "/api/v1/crimes/{id}/outcome/authorise", tag = "investigations", params(("id" = String, Path)),
    request_body = AuthoriseJson,
    responses((status = 200, body = OutcomeResultJson), (status = 403, body = ErrorJson), (status = 409, body = ErrorJson),
        (status = 422, body = ErrorJson)))]
pub async fn authorise(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AuthoriseJson>,
) -> Result<Response, ApiError> {
    Ok(match state.core.authorise_outcome(&user, parse_id(&id)?, body.version, &body.note, &ctx).await {
        Ok((crime, decision)) => {
            Json(OutcomeResultJson { crime: investigated_crime_json(&crime), decision: decision_json(&decision) })
                .into_response()
        }
        Err(e) => conflict_or(e),
    })
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReturnJson {
    pub version: i64,
    /// What must be done before this outcome is used: at least 10 characters.
    pub note: String,
}

/// Returns a proposed outcome to the investigator with a note; the crime stays open.
#[utoipa::path(post, path = "/api/v1/crimes/{id}/outcome/return", tag = "investigations", params(("id" = String, Path)),
    request_body = ReturnJson,
    responses((status = 200, body = DecisionJson), (status = 409, body = ErrorJson), (status = 422, body = ErrorJson)))]
pub async fn return_outcome(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReturnJson>,
) -> Result<Response, ApiError> {
    Ok(match state.core.return_outcome(&user, parse_id(&id)?, body.version, &body.note, &ctx).await {
        Ok(decision) => Json(decision_json(&decision)).into_response(),
        Err(e) => conflict_or(e),
    })
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReopenJson {
    pub version: i64,
    /// Why the crime is reopened: at least 10 characters; kept with the decision and in the audit
    /// trail.
    pub reason: String,
}

/// Reopens a finalised crime: it is under investigation again with its plan, reviews and decisions
/// as they were; the outcome it had is kept, marked reopened with the reason.
#[utoipa::path(post, path = "/api/v1/crimes/{id}/reopen", tag = "investigations", params(("id" = String, Path)),
    request_body = ReopenJson,
    responses((status = 200, body = InvestigatedCrimeJson), (status = 409, body = ErrorJson), (status = 422, body = ErrorJson)))]
pub async fn reopen(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReopenJson>,
) -> Result<Response, ApiError> {
    Ok(match state.core.reopen_crime(&user, parse_id(&id)?, body.version, &body.reason, &ctx).await {
        Ok(crime) => Json(investigated_crime_json(&crime)).into_response(),
        Err(e) => conflict_or(e),
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OnParams {
    /// The UK day, YYYY-MM-DD (today if not given).
    #[serde(default)]
    pub on: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RuleJson {
    /// The rule's stable name, e.g. victim-non-support.
    pub name: String,
    /// What it needs, in words.
    pub words: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeTypeJson {
    pub code: String,
    pub label: String,
    pub meaning: String,
    /// The Home Office statistics group.
    pub group: String,
    /// YYYY-MM-DD, inclusive.
    pub valid_from: String,
    pub valid_to: Option<String>,
    /// Counted as a positive outcome.
    pub positive: bool,
    /// False where the reference marks the type unconfirmed.
    pub confirmed: bool,
    /// Its preconditions (a force may add more for domestic abuse or vulnerable victims).
    pub rules: Vec<RuleJson>,
    /// The lowest rank that must authorise it (sergeant, inspector …), if any.
    pub authorised_by: Option<String>,
    /// The same on a domestic-abuse crime.
    pub authorised_by_on_domestic_abuse: Option<String>,
}

fn outcome_type_json(state: &AppState, t: &OutcomeType) -> OutcomeTypeJson {
    let (ordinary, domestic) = crate::pages::investigation::authorisers(state, &t.code);
    OutcomeTypeJson {
        code: t.code.clone(),
        label: t.label.clone(),
        meaning: t.meaning.clone(),
        group: t.group.clone(),
        valid_from: t.valid_from.to_string(),
        valid_to: t.valid_to.map(|d| d.to_string()),
        positive: t.positive,
        confirmed: t.confirmed,
        rules: t
            .rules
            .iter()
            .map(|r| RuleJson { name: r.as_str().to_string(), words: r.label().to_string() })
            .collect(),
        authorised_by: ordinary.map(|r| r.as_str().to_string()),
        authorised_by_on_domestic_abuse: domestic.map(|r| r.as_str().to_string()),
    }
}

/// The outcome types valid on a day, in list order, with their preconditions and who authorises
/// them.
#[utoipa::path(get, path = "/api/v1/outcome-types", tag = "investigations", params(OnParams),
    responses((status = 200, body = Vec<OutcomeTypeJson>), (status = 422, body = ErrorJson)))]
pub async fn outcome_types(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(params): Query<OnParams>,
) -> ApiResult<Json<Vec<OutcomeTypeJson>>> {
    let on = match params.on.as_deref().map(str::trim) {
        None | Some("") => london_today(&state),
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| ApiError::from(Error::invalid("on", "Give the day as YYYY-MM-DD, for example 2026-02-01")))?,
    };
    let types = state.core.outcome_types_on(&user, on)?;
    Ok(Json(types.iter().map(|t| outcome_type_json(&state, t)).collect()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OfficerParams {
    /// Another officer's user id (supervisors and triage only); yourself if not given.
    #[serde(default)]
    pub officer: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkloadCrimeJson {
    pub crime: InvestigatedCrimeJson,
    pub standing: Option<StandingJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OwnedActionJson {
    pub action: ActionJson,
    pub crime_number: String,
    pub offence_label: String,
}

pub(crate) fn owned_action_json(a: &OwnedAction, today: NaiveDate) -> OwnedActionJson {
    OwnedActionJson {
        action: action_json(&a.action, today),
        crime_number: a.crime_number.clone(),
        offence_label: a.offence_label.clone(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkloadJson {
    pub officer_id: Uuid,
    pub officer_name: String,
    pub rank: String,
    /// Open crimes allocated to the officer, next review due first.
    pub crimes: Vec<WorkloadCrimeJson>,
    /// Open actions they own on any crime, soonest due first.
    pub actions: Vec<OwnedActionJson>,
}

/// An officer's workload: their open crimes with each review's standing, and their open actions on
/// any crime. Your own, or (supervisors and triage) another officer's. Audited.
#[utoipa::path(get, path = "/api/v1/investigations/workload", tag = "investigations", params(OfficerParams),
    responses((status = 200, body = WorkloadJson), (status = 403, body = ErrorJson), (status = 404, body = ErrorJson),
        (status = 422, body = ErrorJson)))]
pub async fn workload(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Query(params): Query<OfficerParams>,
) -> ApiResult<Json<WorkloadJson>> {
    let officer = match params.officer.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(
            Uuid::parse_str(text)
                .map_err(|_| ApiError::from(Error::invalid("officer", "Give the officer's user id")))?,
        ),
    };
    let w = state.core.workload_of(&user, officer, &ctx).await?;
    let today = london_today(&state);
    Ok(Json(WorkloadJson {
        officer_id: w.officer.id,
        officer_name: w.officer.display_name.clone(),
        rank: w.officer.rank.as_str().to_string(),
        crimes: w
            .crimes
            .iter()
            .map(|(c, s)| WorkloadCrimeJson { crime: investigated_crime_json(c), standing: s.map(standing_json) })
            .collect(),
        actions: w.actions.iter().map(|a| owned_action_json(a, today)).collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OverdueReviewJson {
    pub crime_id: Uuid,
    pub number: String,
    pub offence_label: String,
    pub flags: Vec<String>,
    pub investigator: String,
    /// When the review was due (RFC 3339).
    pub due_at: String,
    pub standing: StandingJson,
}

fn overdue_json(o: &OverdueReview) -> OverdueReviewJson {
    OverdueReviewJson {
        crime_id: o.crime_id,
        number: o.number.clone(),
        offence_label: o.offence_label.clone(),
        flags: o.flags.iter().map(|f| f.as_str().to_string()).collect(),
        investigator: o.allocated_to_name.clone(),
        due_at: o.due_at.to_rfc3339(),
        standing: standing_json(o.standing),
    }
}

/// Supervision reviews overdue now, the longest overdue first; `standing.state` is `escalated` once
/// an inspector is told. Audited.
#[utoipa::path(get, path = "/api/v1/investigations/reviews-overdue", tag = "investigations",
    responses((status = 200, body = Vec<OverdueReviewJson>), (status = 403, body = ErrorJson)))]
pub async fn reviews_overdue(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
) -> ApiResult<Json<Vec<OverdueReviewJson>>> {
    Ok(Json(state.core.overdue_reviews(&user, &ctx).await?.iter().map(overdue_json).collect()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PendingOutcomeJson {
    pub crime: InvestigatedCrimeJson,
    /// The decision awaiting authorisation; its `authoriser_rank` is the lowest rank that may
    /// authorise it.
    pub decision: DecisionJson,
}

/// Outcomes awaiting authorisation, oldest proposed first, with their crimes. Audited.
#[utoipa::path(get, path = "/api/v1/investigations/authorisations", tag = "investigations",
    responses((status = 200, body = Vec<PendingOutcomeJson>), (status = 403, body = ErrorJson)))]
pub async fn authorisations(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
) -> ApiResult<Json<Vec<PendingOutcomeJson>>> {
    let pending = state.core.pending_outcomes(&user, &ctx).await?;
    Ok(Json(
        pending
            .iter()
            .map(|(d, c)| PendingOutcomeJson { crime: investigated_crime_json(c), decision: decision_json(d) })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(errors: &[bluelamp_core::FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn bad_dates_and_answers_are_named_by_field() {
        let body: FinaliseJson = serde_json::from_str(
            r#"{"version":1,"outcome":"16","victim_non_support_on":"20/11/2026","victim_informed_on":"",
                "evidence_considered":{"body-worn-video":"available","dashcam":"available","999-call":"maybe"},
                "suspect_contact":"waved"}"#,
        )
        .expect("parses");
        let errors = evidence_of(&body.text()).expect_err("refused");
        assert_eq!(
            fields(&errors),
            ["victim_non_support_on", "evidence_considered", "evidence_considered", "suspect_contact"]
        );
        assert!(errors[1].rule.contains("dashcam") || errors[2].rule.contains("dashcam"), "{errors:?}");
        let good: FinaliseJson = serde_json::from_str(
            r#"{"version":1,"outcome":"16","victim_non_support_on":"2026-11-20",
                "evidence_considered":{"body-worn-video":"available"},"suspect_contact":"interviewed"}"#,
        )
        .expect("parses");
        let evidence = evidence_of(&good.text()).expect("valid");
        assert_eq!(evidence.victim_non_support_on, NaiveDate::from_ymd_opt(2026, 11, 20));
        assert_eq!(evidence.evidence_considered.len(), 1);
        assert_eq!(evidence.victim_informed_on, None);
    }
}
