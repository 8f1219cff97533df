//! The triage and allocation API (issue 6): the queue with each crime's priority and its reasons,
//! screening a crime, the proposed allocations for the whole queue, allocating one crime, accepting
//! allocations in bulk (one transaction) and the backlog figures. Changes name the `version` they
//! saw; a stale one is a 409 naming the crimes someone else changed, and nothing is written.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bluelamp_core::Error;
use bluelamp_core::crime::Crime;
use bluelamp_core::triage::{Breach, QueueCrime, QueueItem, Screening};
use bluelamp_core::triage_use::{Choice, ScreenInput};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::AppState;
use crate::api_crimes::{CrimeJson, crime_json};
use crate::api_incidents::parse_id;
use crate::auth::{Ctx, CurrentUser};
use crate::error::{ApiError, ErrorJson, FieldErrorJson};
use crate::extract::ApiJson;

type ApiResult<T> = Result<T, ApiError>;

/// A crime with what triage decided about it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TriageCrimeJson {
    pub crime: CrimeJson,
    /// `investigate` or `desk` once screened in; empty before screening (a screened-out crime is
    /// finalised instead).
    pub route: String,
    pub allocated_to: Option<Uuid>,
    /// The officer's name as it was when the crime was allocated; empty when not allocated.
    pub allocated_to_name: String,
    /// When the crime was first allocated (RFC 3339).
    pub allocated_at: Option<String>,
    /// The Home Office outcome it was finalised with (18 when screened out).
    pub outcome: Option<String>,
}

fn triage_crime_json(c: &Crime) -> TriageCrimeJson {
    TriageCrimeJson {
        crime: crime_json(c),
        route: c.route.clone(),
        allocated_to: c.allocated_to,
        allocated_to_name: c.allocated_to_name.clone(),
        allocated_at: c.allocated_at.map(|t| t.to_rfc3339()),
        outcome: c.outcome.clone(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReasonJson {
    /// In words, e.g. "Vulnerable victim" or "Waiting 2 days 4 h".
    pub why: String,
    pub points: i64,
}

/// A waiting crime as the queue shows it: what ranks it and what a triage officer needs to see
/// (the whole record is at `GET /api/v1/crimes/{id}`).
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueCrimeJson {
    pub id: Uuid,
    pub number: String,
    /// Give it back when screening or allocating, so a change by someone else is caught.
    pub version: i64,
    /// `recorded` or `awaiting-triage`.
    pub status: String,
    pub offence_code: String,
    pub offence_label: String,
    pub offence_group: String,
    /// RFC 3339.
    pub recorded_at: String,
    pub division: String,
    pub flags: Vec<String>,
    pub hate_strands: Vec<String>,
    /// `investigate` or `desk` once screened in; empty before screening.
    pub route: String,
}

fn queue_crime_json(c: &QueueCrime) -> QueueCrimeJson {
    QueueCrimeJson {
        id: c.id,
        number: c.number.clone(),
        version: c.version,
        status: c.status.as_str().to_string(),
        offence_code: c.offence_code.clone(),
        offence_label: c.offence_label.clone(),
        offence_group: c.offence_group.as_str().to_string(),
        recorded_at: c.recorded_at.to_rfc3339(),
        division: c.division.clone(),
        flags: c.flags.iter().map(|f| f.as_str().to_string()).collect(),
        hate_strands: c.hate_strands.iter().map(|h| h.as_str().to_string()).collect(),
        route: c.route.clone(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueueItemJson {
    pub crime: QueueCrimeJson,
    /// The sum of `reasons`' points: higher is allocated first.
    pub priority: i64,
    /// Every reason for the priority, largest first.
    pub reasons: Vec<ReasonJson>,
    /// A victim at higher risk (vulnerable, child, domestic abuse, hate crime): the shorter limit.
    pub high_risk: bool,
    /// Minutes since the crime was recorded.
    pub waited_minutes: i64,
    /// The same in words, e.g. "2 days 4 h".
    pub waited: String,
    /// How long it may wait before the triage supervisor is alerted.
    pub limit_hours: i64,
    /// `none`, `supervisor` (past its limit) or `inspector` (past the inspector's multiple of it).
    pub breach: String,
}

fn breach_name(breach: Breach) -> &'static str {
    match breach {
        Breach::None => "none",
        Breach::Supervisor => "supervisor",
        Breach::Inspector => "inspector",
    }
}

fn queue_item_json(item: &QueueItem) -> QueueItemJson {
    QueueItemJson {
        crime: queue_crime_json(&item.row.crime),
        priority: item.priority,
        reasons: item.reasons.iter().map(|r| ReasonJson { why: r.why.clone(), points: r.points }).collect(),
        high_risk: item.high_risk,
        waited_minutes: item.waited.num_minutes(),
        waited: item.waited_text(),
        limit_hours: item.limit_hours,
        breach: breach_name(item.breach).into(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueueJson {
    /// Every crime waiting for allocation, highest priority first.
    pub crimes: Vec<QueueItemJson>,
    pub total: usize,
    /// Waiting past their limit (the triage supervisor is alerted), not counting those past the
    /// inspector's.
    pub supervisor_breaches: usize,
    /// Waiting past the inspector's multiple of their limit (the duty inspector is alerted).
    pub inspector_breaches: usize,
}

/// The triage queue: every recorded crime not yet allocated, highest priority first, each point of
/// its priority explained. Audited.
#[utoipa::path(get, path = "/api/v1/triage/queue", tag = "triage",
    responses((status = 200, body = QueueJson), (status = 403, body = ErrorJson)))]
pub async fn queue(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
) -> ApiResult<Json<QueueJson>> {
    let items = state.core.triage_queue(&user, &ctx).await?;
    let count = |b: Breach| items.iter().filter(|i| i.breach == b).count();
    Ok(Json(QueueJson {
        total: items.len(),
        supervisor_breaches: count(Breach::Supervisor),
        inspector_breaches: count(Breach::Inspector),
        crimes: items.iter().map(queue_item_json).collect(),
    }))
}

/// A conflict on a triage write: 409 with the core's words (which crimes someone else changed), as
/// field `version`, so the caller knows what to reload. Other errors render as usual.
fn conflict_or(e: Error) -> Response {
    match e {
        Error::Conflict(message) => (
            StatusCode::CONFLICT,
            Json(ErrorJson {
                error: "conflict",
                message: format!("{message}."),
                fields: vec![FieldErrorJson { field: "version".into(), rule: message }],
            }),
        )
            .into_response(),
        other => ApiError::from(other).into_response(),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ScreenJson {
    /// The crime's version as read.
    pub version: i64,
    /// The keys of the solvability factors present (see the model on the screening page); at most
    /// one from a group of alternative answers.
    #[serde(default)]
    pub factors: Vec<String>,
    /// `investigate`, `desk` or `screen-out`.
    pub decision: String,
    /// Needed (10 characters or more) when the decision goes against the model's recommendation.
    #[serde(default)]
    pub override_reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScreeningJson {
    /// The model applied and its version; empty when none applied.
    pub model: String,
    pub model_version: u32,
    pub score: Option<f64>,
    pub threshold: Option<f64>,
    /// The keys of the factors present.
    pub factors: Vec<String>,
    /// `screen-in`, `screen-out`, or empty when no model applied.
    pub recommendation: String,
    /// Why no model may apply (domestic abuse, hate crime…), or empty.
    pub exclusion: String,
    /// `investigate`, `desk` or `screen-out`.
    pub decision: String,
    pub override_reason: String,
    pub decided_by: String,
    pub decided_at: String,
}

fn screening_json(s: &Screening) -> ScreeningJson {
    ScreeningJson {
        model: s.model_id.clone(),
        model_version: s.model_version,
        score: s.score,
        threshold: s.threshold,
        factors: s.factors.clone(),
        recommendation: s.recommendation.clone(),
        exclusion: s.exclusion.clone(),
        decision: s.decision.clone(),
        override_reason: s.override_reason.clone(),
        decided_by: s.decided_by_name.clone(),
        decided_at: s.decided_at.to_rfc3339(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScreenedJson {
    pub crime: TriageCrimeJson,
    /// The screening just recorded: the score and recommendation computed from the factors, and the
    /// decision.
    pub screening: Option<ScreeningJson>,
}

/// Records a screening decision. The score and recommendation are computed from the factors, never
/// taken from the caller. An excluded crime (domestic abuse, hate crime, a vulnerable or child
/// victim…) is never screened out (422, field `decision`, naming the rule); a decision against the
/// recommendation needs `override_reason`; screening out finalises the crime with outcome 18.
#[utoipa::path(post, path = "/api/v1/triage/crimes/{id}/screen", tag = "triage", params(("id" = String, Path)),
    request_body = ScreenJson,
    responses((status = 200, body = ScreenedJson), (status = 409, body = ErrorJson), (status = 422, body = ErrorJson),
        (status = 404, body = ErrorJson)))]
pub async fn screen(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ScreenJson>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    let input = ScreenInput { factors: body.factors, decision: body.decision, override_reason: body.override_reason };
    let crime = match state.core.screen_crime(&user, id, body.version, &input, &ctx).await {
        Ok(crime) => crime,
        Err(e) => return Ok(conflict_or(e)),
    };
    let (screenings, _) = state.core.crime_triage_history(&user, id).await?;
    Ok(Json(ScreenedJson { crime: triage_crime_json(&crime), screening: screenings.last().map(screening_json) })
        .into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalJson {
    pub crime_id: Uuid,
    pub crime_number: String,
    /// The crime's version: send it back when accepting.
    pub version: i64,
    pub priority: i64,
    /// The proposed officer; absent when no one can take the crime now (see `infeasible`).
    pub officer_id: Option<Uuid>,
    pub officer_name: Option<String>,
    /// The assignment's cost (lower is better); for comparing proposals, not a unit.
    pub cost: i64,
    /// Why this officer, in words.
    pub reasons: Vec<String>,
    /// Why no one, when `officer_id` is absent.
    pub infeasible: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalsJson {
    /// One per crime in the queue, highest priority first.
    pub proposals: Vec<ProposalJson>,
    pub total_cost: i64,
}

/// Proposes an officer for every crime in the queue at once (an exact minimum-cost assignment that
/// respects accreditation, leave and caps), each with the reasons, or why no one. Audited.
#[utoipa::path(get, path = "/api/v1/triage/proposals", tag = "triage",
    responses((status = 200, body = ProposalsJson), (status = 403, body = ErrorJson)))]
pub async fn proposals(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
) -> ApiResult<Json<ProposalsJson>> {
    let p = state.core.propose_allocations(&user, &ctx).await?;
    let proposals = p
        .items
        .iter()
        .zip(p.plan.proposals.iter())
        .map(|(item, proposal)| ProposalJson {
            crime_id: item.row.crime.id,
            crime_number: item.row.crime.number.clone(),
            version: item.row.crime.version,
            priority: item.priority,
            officer_id: proposal.officer_id,
            officer_name: proposal.officer_id.and_then(|o| p.officers.get(&o)).map(|o| o.name.clone()),
            cost: proposal.cost,
            reasons: proposal.reasons.clone(),
            infeasible: proposal.infeasible.clone(),
        })
        .collect();
    Ok(Json(ProposalsJson { proposals, total_cost: p.plan.total_cost }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AllocateJson {
    pub version: i64,
    pub officer_id: Uuid,
    /// Why this officer (optional, up to 2,000 characters); kept with the allocation.
    #[serde(default)]
    pub note: String,
}

/// Allocates one crime to the officer the caller chose. Refused (422, field `officer_id`, with the
/// reason) when the officer lacks the accreditation the crime needs, is away or is at their cap; a
/// stale version is a 409.
#[utoipa::path(post, path = "/api/v1/triage/crimes/{id}/allocate", tag = "triage", params(("id" = String, Path)),
    request_body = AllocateJson,
    responses((status = 200, body = TriageCrimeJson), (status = 409, body = ErrorJson), (status = 422, body = ErrorJson),
        (status = 404, body = ErrorJson)))]
pub async fn allocate(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AllocateJson>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    Ok(match state.core.allocate_crime(&user, id, body.version, body.officer_id, &body.note, &ctx).await {
        Ok(crime) => Json(triage_crime_json(&crime)).into_response(),
        Err(e) => conflict_or(e),
    })
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AcceptedAllocationJson {
    pub crime_id: Uuid,
    /// The crime's version as read with the proposals.
    pub version: i64,
    pub officer_id: Uuid,
    /// The officer `GET /api/v1/triage/proposals` named for the crime, if any: kept with the
    /// allocation, so that a choice other than the proposal shows as one.
    #[serde(default)]
    pub proposed_officer_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AcceptJson {
    pub allocations: Vec<AcceptedAllocationJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AcceptedJson {
    /// How many crimes were allocated: all of those sent.
    pub allocated: usize,
    pub crimes: Vec<TriageCrimeJson>,
}

/// Accepts allocations in bulk, in one transaction: every one or none. Each refused allocation is a
/// 422 field `allocations.<n>.officer_id` with the reason; a crime someone else changed since the
/// proposals is a 409 naming it.
#[utoipa::path(post, path = "/api/v1/triage/allocations/accept", tag = "triage", request_body = AcceptJson,
    responses((status = 200, body = AcceptedJson), (status = 409, body = ErrorJson), (status = 422, body = ErrorJson)))]
pub async fn accept(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    ApiJson(body): ApiJson<AcceptJson>,
) -> Result<Response, ApiError> {
    let choices: Vec<Choice> = body
        .allocations
        .iter()
        .map(|a| Choice {
            crime_id: a.crime_id,
            version: a.version,
            officer_id: a.officer_id,
            proposed: a.proposed_officer_id,
        })
        .collect();
    Ok(match state.core.accept_allocations(&user, &choices, &ctx).await {
        Ok(crimes) => {
            Json(AcceptedJson { allocated: crimes.len(), crimes: crimes.iter().map(triage_crime_json).collect() })
                .into_response()
        }
        Err(e) => conflict_or(e),
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BacklogParams {
    /// UK days to look back over, 1 to 90 (14 if not given).
    #[serde(default)]
    pub days: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgeBandJson {
    pub label: String,
    pub high_risk: usize,
    pub standard: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DayFlowJson {
    /// The UK day, YYYY-MM-DD.
    pub day: String,
    /// Crimes recorded (entering the queue).
    pub inflow: usize,
    /// Crimes first allocated.
    pub allocated: usize,
    pub screened_out: usize,
    /// Allocated plus screened out.
    pub outflow: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BacklogJson {
    pub days: u32,
    pub waiting: usize,
    /// Crimes waiting by how long, split by risk.
    pub bands: Vec<AgeBandJson>,
    /// Oldest day first; the last is today so far.
    pub flow: Vec<DayFlowJson>,
    /// Mean crimes in and out per whole day shown.
    pub mean_inflow: f64,
    pub mean_outflow: f64,
    /// Free places (cap less open crimes) across available investigators.
    pub capacity: u32,
    pub officers_with_room: usize,
    /// Days to clear at the current net rate; absent when crimes arrive at least as fast as they
    /// leave (not clearing).
    pub projected_days: Option<f64>,
    pub supervisor_breaches: usize,
    pub inspector_breaches: usize,
    /// The 10 longest waiting, oldest first.
    pub oldest: Vec<QueueItemJson>,
}

/// The backlog recovery figures: crimes waiting by age and risk, in and out per day, capacity, the
/// projected days to clear, breaches and the oldest crimes. Audited.
#[utoipa::path(get, path = "/api/v1/triage/backlog", tag = "triage", params(BacklogParams),
    responses((status = 200, body = BacklogJson), (status = 422, body = ErrorJson), (status = 403, body = ErrorJson)))]
pub async fn backlog(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Query(params): Query<BacklogParams>,
) -> ApiResult<Json<BacklogJson>> {
    let days = match params.days.as_deref().map(str::trim) {
        None | Some("") => 14,
        Some(text) => text
            .parse::<u32>()
            .map_err(|_| ApiError::from(Error::invalid("days", "Give the days as a whole number from 1 to 90")))?,
    };
    let b = state.core.backlog_view(&user, days, &ctx).await?;
    Ok(Json(BacklogJson {
        days,
        waiting: b.waiting,
        bands: b
            .bands
            .iter()
            .map(|band| AgeBandJson {
                label: band.label.to_string(),
                high_risk: band.high_risk,
                standard: band.standard,
            })
            .collect(),
        flow: b
            .days
            .iter()
            .map(|d| DayFlowJson {
                day: d.day.to_string(),
                inflow: d.inflow,
                allocated: d.allocated,
                screened_out: d.screened_out,
                outflow: d.outflow(),
            })
            .collect(),
        mean_inflow: b.mean_inflow,
        mean_outflow: b.mean_outflow,
        capacity: b.capacity,
        officers_with_room: b.officers_with_room,
        projected_days: b.projected_days,
        supervisor_breaches: b.supervisor_breaches,
        inspector_breaches: b.inspector_breaches,
        oldest: b.oldest.iter().map(queue_item_json).collect(),
    }))
}
