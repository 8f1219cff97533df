//! The incidents API: record, read, list the queue, and change an incident (log, THRIVE, grade,
//! close). Every change names the `version` it saw; a stale version is a 409 and nothing is written.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use bluelamp_core::Error;
use bluelamp_core::incident::{Incident, IncidentRecord, NewIncident, ThriveInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::AppState;
use crate::auth::{Ctx, CurrentUser};
use crate::error::{ApiError, ErrorJson};
use crate::extract::ApiJson;

type ApiResult<T> = Result<T, ApiError>;

#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentJson {
    pub id: Uuid,
    pub reference: String,
    pub version: i64,
    pub status: String,
    pub channel: String,
    /// UTC, RFC 3339.
    pub received_at: String,
    pub recorded_at: String,
    pub caller_name: String,
    pub caller_phone: String,
    pub location_text: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub is_rural: bool,
    pub division: String,
    /// The beat and ward the coordinates fall in (force boundaries, at recording); empty if none.
    pub beat: String,
    pub ward: String,
    pub opening_category: String,
    pub qualifiers: Vec<String>,
    pub grade: Option<String>,
    pub due_at: Option<String>,
    pub closing_category: Option<String>,
    pub closed_at: Option<String>,
    pub result: Option<String>,
    pub crime_reference: Option<String>,
    pub ncrs_reason: Option<String>,
    /// When a crime, or the reason for none, is due under NCRS (crime-related incidents only).
    pub ncrs_due_at: Option<String>,
    /// The coordinates fall outside every configured force area (kept, with a warning).
    pub outside_force_area: bool,
}

pub fn incident_json(i: &Incident, areas: &bluelamp_core::area::AreaMap) -> IncidentJson {
    IncidentJson {
        id: i.id,
        reference: i.reference.clone(),
        version: i.version,
        status: i.status.as_str().into(),
        channel: i.channel.as_str().into(),
        received_at: i.received_at.to_rfc3339(),
        recorded_at: i.recorded_at.to_rfc3339(),
        caller_name: i.caller_name.clone(),
        caller_phone: i.caller_phone.clone(),
        location_text: i.location_text.clone(),
        latitude: i.latitude,
        longitude: i.longitude,
        is_rural: i.is_rural,
        division: i.division.clone(),
        beat: i.beat.clone(),
        ward: i.ward.clone(),
        opening_category: i.opening_category.clone(),
        qualifiers: i.qualifiers.clone(),
        grade: i.grade.map(|g| g.as_str().into()),
        due_at: i.due_at.map(|t| t.to_rfc3339()),
        closing_category: i.closing_category.clone(),
        closed_at: i.closed_at.map(|t| t.to_rfc3339()),
        result: i.result.clone(),
        crime_reference: i.crime_reference.clone(),
        ncrs_reason: i.ncrs_reason.clone(),
        ncrs_due_at: i.ncrs_due_at.map(|t| t.to_rfc3339()),
        outside_force_area: bluelamp_core::incident::is_outside_force_area(i, areas),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LogEntryJson {
    pub at: String,
    pub author: String,
    pub kind: String,
    pub text: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ThriveEntryJson {
    /// threat, harm, risk, investigation, vulnerability or engagement.
    pub element: String,
    /// low, medium or high.
    pub rating: String,
    pub rationale: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ThriveJson {
    pub assessed_by: String,
    pub assessed_at: String,
    pub entries: Vec<ThriveEntryJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GradeJson {
    pub grade: String,
    pub due_at: Option<String>,
    pub reason: Option<String>,
    pub decided_by: String,
    pub decided_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentRecordJson {
    pub incident: IncidentJson,
    pub log: Vec<LogEntryJson>,
    /// Every assessment, oldest first; the last is current.
    pub thrive: Vec<ThriveJson>,
    pub grades: Vec<GradeJson>,
    /// People linked to the incident, in the order they were linked.
    pub people: Vec<IncidentPersonJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentPersonJson {
    pub person_id: Uuid,
    pub name: String,
    /// caller, victim, suspect, witness, subject or other.
    pub role: String,
    pub linked_at: String,
    pub linked_by: String,
}

fn record_json(r: &IncidentRecord, areas: &bluelamp_core::area::AreaMap) -> IncidentRecordJson {
    IncidentRecordJson {
        incident: incident_json(&r.incident, areas),
        log: r
            .log
            .iter()
            .map(|l| LogEntryJson {
                at: l.at.to_rfc3339(),
                author: l.author_name.clone(),
                kind: l.kind.as_str().into(),
                text: l.text.clone(),
            })
            .collect(),
        thrive: r
            .thrive
            .iter()
            .map(|t| ThriveJson {
                assessed_by: t.assessed_by_name.clone(),
                assessed_at: t.assessed_at.to_rfc3339(),
                entries: t
                    .entries
                    .iter()
                    .map(|e| ThriveEntryJson {
                        element: e.element.as_str().into(),
                        rating: e.rating.as_str().into(),
                        rationale: e.rationale.clone(),
                    })
                    .collect(),
            })
            .collect(),
        grades: r
            .grades
            .iter()
            .map(|g| GradeJson {
                grade: g.grade.as_str().into(),
                due_at: g.due_at.map(|t| t.to_rfc3339()),
                reason: g.reason.clone(),
                decided_by: g.decided_by_name.clone(),
                decided_at: g.decided_at.to_rfc3339(),
            })
            .collect(),
        people: r
            .people
            .iter()
            .map(|p| IncidentPersonJson {
                person_id: p.person_id,
                name: p.name.clone(),
                role: p.role.as_str().into(),
                linked_at: p.linked_at.to_rfc3339(),
                linked_by: p.linked_by_name.clone(),
            })
            .collect(),
    }
}

pub(crate) fn parse_id(id: &str) -> ApiResult<Uuid> {
    Uuid::parse_str(id).map_err(|_| ApiError::from(Error::NotFound))
}

#[derive(Debug, Default, Deserialize)]
pub struct QueueParams {
    #[serde(default)]
    division: String,
}

/// The control-room queue: open incidents, ungraded first, then by attendance target.
#[utoipa::path(get, path = "/api/v1/incidents", tag = "incidents",
    params(("division" = Option<String>, Query, description = "Only this division")),
    responses((status = 200, body = Vec<IncidentJson>), (status = 403, body = ErrorJson)))]
pub async fn queue(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Query(q): Query<QueueParams>,
) -> ApiResult<Json<Vec<IncidentJson>>> {
    Ok(Json(
        state
            .core
            .incident_queue(&user, Some(&q.division), &ctx)
            .await?
            .iter()
            .map(|i| incident_json(i, &state.core.settings.areas))
            .collect(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewIncidentJson {
    /// 999, 101, online, walk-in, partner or officer.
    pub channel: String,
    /// When the call was received (RFC 3339); defaults to now.
    #[serde(default)]
    pub received_at: Option<String>,
    #[serde(default)]
    pub caller_name: String,
    #[serde(default)]
    pub caller_phone: String,
    pub location_text: String,
    #[serde(default)]
    pub latitude: Option<f64>,
    #[serde(default)]
    pub longitude: Option<f64>,
    #[serde(default)]
    pub is_rural: bool,
    #[serde(default)]
    pub division: String,
    /// An NSIR category code, e.g. PSW-DOM.
    pub opening_category: String,
    #[serde(default)]
    pub qualifiers: Vec<String>,
    /// What the caller says: the first log entry.
    pub summary: String,
    /// The first THRIVE assessment, recorded with the incident in one transaction: all six elements,
    /// each with a rating and a rationale, as for `POST /api/v1/incidents/{id}/thrive`. If any is
    /// missing or wrong the answer is 422 naming it (`thrive.<element>.rating` or `.rationale`) and
    /// nothing is saved.
    #[serde(default)]
    pub thrive: Option<Vec<ThriveEntryJson>>,
    /// People involved, linked in the same transaction (find them with `GET /api/v1/people`). An
    /// unknown person is a 422 on `people.<n>.person_id` and nothing is saved.
    #[serde(default)]
    pub people: Vec<NewIncidentPersonJson>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewIncidentPersonJson {
    pub person_id: Uuid,
    /// caller, victim, suspect, witness, subject or other.
    pub role: String,
}

/// Records a call for service, with its first THRIVE assessment when `thrive` is given and the
/// people involved when `people` is (the incident's version is still 1: one change, one audit event).
#[utoipa::path(post, path = "/api/v1/incidents", tag = "incidents", request_body = NewIncidentJson,
    responses((status = 201, body = IncidentJson), (status = 422, body = ErrorJson), (status = 403, body = ErrorJson)))]
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    ApiJson(body): ApiJson<NewIncidentJson>,
) -> ApiResult<(StatusCode, Json<IncidentJson>)> {
    let received_at = match body.received_at.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(text) => {
            Some(chrono::DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&chrono::Utc)).map_err(|_| {
                ApiError::from(Error::invalid("received_at", "Give the time as RFC 3339, e.g. 2026-11-26T09:40:00Z"))
            })?)
        }
    };
    let new = NewIncident {
        channel: body.channel,
        received_at,
        caller_name: body.caller_name,
        caller_phone: body.caller_phone,
        location_text: body.location_text,
        latitude: body.latitude,
        longitude: body.longitude,
        is_rural: body.is_rural,
        division: body.division,
        opening_category: body.opening_category,
        qualifiers: body.qualifiers,
        summary: body.summary,
    };
    let thrive = body.thrive.map(|entries| ThriveInput {
        entries: entries.into_iter().map(|e| (e.element, e.rating, e.rationale)).collect(),
    });
    let mut people = Vec::with_capacity(body.people.len());
    for (n, p) in body.people.iter().enumerate() {
        let role = p.role.trim().parse::<bluelamp_core::person::IncidentRole>().map_err(|_| {
            ApiError::from(Error::invalid(
                format!("people.{n}.role"),
                "Use caller, victim, suspect, witness, subject or other",
            ))
        })?;
        people.push((p.person_id, role));
    }
    let incident = state.core.record_assessed_incident(&user, &new, thrive.as_ref(), &people, &ctx).await?;
    Ok((StatusCode::CREATED, Json(incident_json(&incident, &state.core.settings.areas))))
}

/// One incident with its log, THRIVE history and grading history.
#[utoipa::path(get, path = "/api/v1/incidents/{id}", tag = "incidents", params(("id" = String, Path)),
    responses((status = 200, body = IncidentRecordJson), (status = 404, body = ErrorJson)))]
pub async fn show(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<IncidentRecordJson>> {
    Ok(Json(record_json(&state.core.view_incident(&user, parse_id(&id)?, &ctx).await?, &state.core.settings.areas)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LogJson {
    pub version: i64,
    pub text: String,
    #[serde(default)]
    pub is_correction: bool,
}

/// Adds a log entry (corrections are new entries; nothing is edited).
#[utoipa::path(post, path = "/api/v1/incidents/{id}/log", tag = "incidents", params(("id" = String, Path)), request_body = LogJson,
    responses((status = 200, body = IncidentJson), (status = 409, body = ErrorJson), (status = 422, body = ErrorJson)))]
pub async fn add_log(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<LogJson>,
) -> ApiResult<Json<IncidentJson>> {
    let i =
        state.core.add_incident_log(&user, parse_id(&id)?, body.version, &body.text, body.is_correction, &ctx).await?;
    Ok(Json(incident_json(&i, &state.core.settings.areas)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AssessJson {
    pub version: i64,
    /// All six elements, each with a rating and a rationale.
    pub entries: Vec<ThriveEntryJson>,
}

/// Records a complete THRIVE assessment.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/thrive", tag = "incidents", params(("id" = String, Path)), request_body = AssessJson,
    responses((status = 200, body = IncidentJson), (status = 409, body = ErrorJson), (status = 422, body = ErrorJson)))]
pub async fn assess(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AssessJson>,
) -> ApiResult<Json<IncidentJson>> {
    let input = ThriveInput { entries: body.entries.into_iter().map(|e| (e.element, e.rating, e.rationale)).collect() };
    Ok(Json(incident_json(
        &state.core.assess_thrive(&user, parse_id(&id)?, body.version, &input, &ctx).await?,
        &state.core.settings.areas,
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct GradeBodyJson {
    pub version: i64,
    /// emergency, priority, scheduled or resolution.
    pub grade: String,
    /// Required when changing an existing grade.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Grades or regrades against the current THRIVE assessment.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/grade", tag = "incidents", params(("id" = String, Path)), request_body = GradeBodyJson,
    responses((status = 200, body = IncidentJson), (status = 409, body = ErrorJson), (status = 422, body = ErrorJson)))]
pub async fn grade(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<GradeBodyJson>,
) -> ApiResult<Json<IncidentJson>> {
    let i = state
        .core
        .grade_incident(&user, parse_id(&id)?, body.version, &body.grade, body.reason.as_deref(), &ctx)
        .await?;
    Ok(Json(incident_json(&i, &state.core.settings.areas)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CloseJson {
    pub version: i64,
    pub closing_category: String,
    pub result: String,
    #[serde(default)]
    pub crime_reference: Option<String>,
    /// Why no crime was recorded, for a crime-related incident without one.
    #[serde(default)]
    pub ncrs_reason: Option<String>,
}

/// Closes an incident.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/close", tag = "incidents", params(("id" = String, Path)), request_body = CloseJson,
    responses((status = 200, body = IncidentJson), (status = 409, body = ErrorJson), (status = 422, body = ErrorJson)))]
pub async fn close(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CloseJson>,
) -> ApiResult<Json<IncidentJson>> {
    let i = state
        .core
        .close_incident(
            &user,
            parse_id(&id)?,
            body.version,
            &body.closing_category,
            &body.result,
            body.crime_reference.as_deref(),
            body.ncrs_reason.as_deref(),
            &ctx,
        )
        .await?;
    Ok(Json(incident_json(&i, &state.core.settings.areas)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IntakeMatchJson {
    /// marker:wanted, marker:missing, marker:safeguarding, marker:vulnerability, marker:warning,
    /// repeat-victim, person, phone or address (ranked in that order).
    pub kind: String,
    /// The person the match is about, for markers, repeat victims and people.
    pub person: Option<String>,
    /// Earlier incidents (0 for a marker).
    pub count: usize,
    pub span_days: i64,
    /// For example "same address: 3 earlier incidents in 60 days".
    pub explanation: String,
    pub references: Vec<String>,
    pub qualifiers: Vec<String>,
}

/// Checks at intake: markers on the people involved, repeat victims, earlier incidents involving the same
/// people, phone or address, ranked and explained.
#[utoipa::path(get, path = "/api/v1/incidents/{id}/checks", tag = "incidents", params(("id" = String, Path)),
    responses((status = 200, body = Vec<IntakeMatchJson>), (status = 404, body = ErrorJson)))]
pub async fn checks(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<IntakeMatchJson>>> {
    let record = state.core.view_incident(&user, parse_id(&id)?, &ctx).await?;
    let matches = state.core.intake_checks(&user, &record).await?;
    Ok(Json(
        matches
            .iter()
            .map(|m| IntakeMatchJson {
                kind: m.kind.code(),
                person: m.person.clone(),
                count: m.count,
                span_days: m.span_days,
                explanation: m.explanation(),
                references: m.references.clone(),
                qualifiers: m.qualifiers.clone(),
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize)]
pub struct NcrsParams {
    #[serde(default = "default_within")]
    within_hours: i64,
}

fn default_within() -> i64 {
    24
}

/// The NCRS 24-hour list: crime-related incidents with neither a crime nor a reason, overdue first.
#[utoipa::path(get, path = "/api/v1/ncrs", tag = "incidents",
    params(("within_hours" = Option<i64>, Query, description = "Also those due within this many hours (0 to 168, default 24)")),
    responses((status = 200, body = Vec<IncidentJson>), (status = 403, body = ErrorJson), (status = 422, body = ErrorJson)))]
pub async fn ncrs(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Query(q): Query<NcrsParams>,
) -> ApiResult<Json<Vec<IncidentJson>>> {
    Ok(Json(
        state
            .core
            .ncrs_list(&user, q.within_hours, &ctx)
            .await?
            .iter()
            .map(|i| incident_json(i, &state.core.settings.areas))
            .collect(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResourceJson {
    pub id: Uuid,
    pub call_sign: String,
    pub kind: String,
    pub division: String,
    /// available, assigned, at-scene or unavailable.
    pub status: String,
    pub incident_id: Option<Uuid>,
}

fn resource_json(r: &bluelamp_core::resource::Resource) -> ResourceJson {
    ResourceJson {
        id: r.id,
        call_sign: r.call_sign.clone(),
        kind: r.kind.clone(),
        division: r.division.clone(),
        status: r.status.as_str().into(),
        incident_id: r.incident_id,
    }
}

/// The force's units and their status.
#[utoipa::path(get, path = "/api/v1/resources", tag = "resources",
    params(("division" = Option<String>, Query, description = "Only this division")),
    responses((status = 200, body = Vec<ResourceJson>), (status = 403, body = ErrorJson)))]
pub async fn resources(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(q): Query<QueueParams>,
) -> ApiResult<Json<Vec<ResourceJson>>> {
    Ok(Json(state.core.resources(&user, Some(&q.division)).await?.iter().map(resource_json).collect()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NsirCategoryJson {
    pub code: String,
    pub label: String,
    /// crime, transport, anti-social-behaviour, public-safety-and-welfare or administration.
    pub chapter: String,
    /// Needs a crime, or the reason for none, within 24 hours (NCRS).
    pub crime_related: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NsirQualifierJson {
    pub code: String,
    pub label: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NsirListJson {
    /// The list's version, e.g. "NSIR 2011 (bluelamp default NICL list v1)" or the force's own.
    pub version: String,
    pub categories: Vec<NsirCategoryJson>,
    pub qualifiers: Vec<NsirQualifierJson>,
}

/// The NSIR categories and qualifiers this force records incidents against (the codes accepted by
/// `opening_category`, `closing_category` and `qualifiers`).
#[utoipa::path(get, path = "/api/v1/reference/nsir", tag = "incidents",
    responses((status = 200, body = NsirListJson), (status = 403, body = ErrorJson)))]
pub async fn nsir_list(State(state): State<AppState>, CurrentUser(user): CurrentUser) -> ApiResult<Json<NsirListJson>> {
    let list = state.core.nsir_list(&user)?;
    Ok(Json(NsirListJson {
        version: list.version.clone(),
        categories: list
            .categories
            .iter()
            .map(|c| NsirCategoryJson {
                code: c.code.clone(),
                label: c.label.clone(),
                chapter: c.chapter.as_str().into(),
                crime_related: c.is_crime_related,
            })
            .collect(),
        qualifiers: list
            .qualifiers
            .iter()
            .map(|q| NsirQualifierJson { code: q.code.clone(), label: q.label.clone() })
            .collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OffenceJson {
    /// The Home Office code, e.g. "8N", "105A", "4/10".
    pub code: String,
    pub label: String,
    /// The HOCR offence group, e.g. violence-against-the-person.
    pub group: String,
    /// The statistical sub-group, e.g. "Violence with injury".
    pub subgroup: String,
    /// False where the code or its label could not be confirmed.
    pub confirmed: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OffenceListJson {
    /// The list's version, e.g. "HOCR 2022/23 (bluelamp built-in, ONS code hierarchy)".
    pub version: String,
    pub offences: Vec<OffenceJson>,
}

/// The Home Office offence classification this force records crimes under.
#[utoipa::path(get, path = "/api/v1/reference/offences", tag = "crimes",
    responses((status = 200, body = OffenceListJson), (status = 403, body = ErrorJson)))]
pub async fn offence_list(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> ApiResult<Json<OffenceListJson>> {
    let list = state.core.offence_list(&user)?;
    Ok(Json(OffenceListJson {
        version: list.version.clone(),
        offences: list
            .offences
            .iter()
            .map(|o| OffenceJson {
                code: o.code.clone(),
                label: o.label.clone(),
                group: o.group.as_str().into(),
                subgroup: o.subgroup.clone(),
                confirmed: o.confirmed,
            })
            .collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewResourceJson {
    pub call_sign: String,
    pub kind: String,
    #[serde(default)]
    pub division: String,
}

/// Adds a unit.
#[utoipa::path(post, path = "/api/v1/resources", tag = "resources", request_body = NewResourceJson,
    responses((status = 201, body = ResourceJson), (status = 422, body = ErrorJson), (status = 403, body = ErrorJson)))]
pub async fn add_resource(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    ApiJson(body): ApiJson<NewResourceJson>,
) -> ApiResult<(StatusCode, Json<ResourceJson>)> {
    let r = state
        .core
        .add_resource(bluelamp_core::core::By::User(&user), &body.call_sign, &body.kind, &body.division, &ctx)
        .await?;
    Ok((StatusCode::CREATED, Json(resource_json(&r))))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ResourceStatusJson {
    /// available or unavailable.
    pub status: String,
}

/// Makes an uncommitted unit available or unavailable.
#[utoipa::path(post, path = "/api/v1/resources/{id}/status", tag = "resources", params(("id" = String, Path)),
    request_body = ResourceStatusJson,
    responses((status = 200, body = ResourceJson), (status = 409, body = ErrorJson), (status = 422, body = ErrorJson)))]
pub async fn resource_status(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ResourceStatusJson>,
) -> ApiResult<Json<ResourceJson>> {
    Ok(Json(resource_json(&state.core.set_resource_status(&user, parse_id(&id)?, &body.status, &ctx).await?)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DeployJson {
    pub version: i64,
    pub resource_id: Uuid,
}

/// Deploys an available unit to the incident.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/deploy", tag = "incidents", params(("id" = String, Path)), request_body = DeployJson,
    responses((status = 200, body = IncidentJson), (status = 409, body = ErrorJson), (status = 422, body = ErrorJson)))]
pub async fn deploy(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DeployJson>,
) -> ApiResult<Json<IncidentJson>> {
    Ok(Json(incident_json(
        &state.core.deploy_unit(&user, parse_id(&id)?, body.version, body.resource_id, &ctx).await?,
        &state.core.settings.areas,
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DeploymentActionJson {
    pub version: i64,
    pub deployment_id: Uuid,
    /// Arrival time (RFC 3339), for /arrive; defaults to now. Never before the call or the dispatch.
    #[serde(default)]
    pub arrived_at: Option<String>,
}

/// Records a deployed unit's arrival at scene.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/arrive", tag = "incidents", params(("id" = String, Path)),
    request_body = DeploymentActionJson,
    responses((status = 200, body = IncidentJson), (status = 409, body = ErrorJson), (status = 422, body = ErrorJson)))]
pub async fn arrive(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DeploymentActionJson>,
) -> ApiResult<Json<IncidentJson>> {
    let at = match body.arrived_at.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(text) => {
            Some(chrono::DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&chrono::Utc)).map_err(|_| {
                ApiError::from(Error::invalid("arrived_at", "Give the time as RFC 3339, e.g. 2026-11-26T09:40:00Z"))
            })?)
        }
    };
    Ok(Json(incident_json(
        &state.core.record_arrival(&user, parse_id(&id)?, body.version, body.deployment_id, at, &ctx).await?,
        &state.core.settings.areas,
    )))
}

/// Clears a unit from the incident; it becomes available.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/clear", tag = "incidents", params(("id" = String, Path)),
    request_body = DeploymentActionJson,
    responses((status = 200, body = IncidentJson), (status = 409, body = ErrorJson), (status = 422, body = ErrorJson)))]
pub async fn clear(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DeploymentActionJson>,
) -> ApiResult<Json<IncidentJson>> {
    Ok(Json(incident_json(
        &state.core.clear_unit(&user, parse_id(&id)?, body.version, body.deployment_id, &ctx).await?,
        &state.core.settings.areas,
    )))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QualityRateJson {
    pub group: String,
    pub reviewed: usize,
    pub met: usize,
    pub percent: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QualityJson {
    /// Sampled graded incidents not yet reviewed.
    pub to_review: Vec<IncidentJson>,
    pub by_handler: Vec<QualityRateJson>,
    pub by_team: Vec<QualityRateJson>,
    /// By UK month, `YYYY-MM`, oldest first.
    pub by_month: Vec<QualityRateJson>,
}

fn rates_json(rates: &[bluelamp_core::quality::QualityRate]) -> Vec<QualityRateJson> {
    rates
        .iter()
        .map(|r| QualityRateJson { group: r.group.clone(), reviewed: r.reviewed, met: r.met, percent: r.percent() })
        .collect()
}

#[derive(Debug, Deserialize)]
pub struct DaysParams {
    #[serde(default = "thirty_days")]
    days: i64,
}

fn thirty_days() -> i64 {
    30
}

/// THRIVE quality: the sample waiting for review and quality rates by handler, team and month.
#[utoipa::path(get, path = "/api/v1/quality/thrive", tag = "quality",
    params(("days" = Option<i64>, Query, description = "Look back this many days (1 to 366, default 30)")),
    responses((status = 200, body = QualityJson), (status = 403, body = ErrorJson), (status = 422, body = ErrorJson)))]
pub async fn thrive_quality(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Query(q): Query<DaysParams>,
) -> ApiResult<Json<QualityJson>> {
    let o = state.core.thrive_quality(&user, q.days, &ctx).await?;
    Ok(Json(QualityJson {
        to_review: o.to_review.iter().map(|i| incident_json(i, &state.core.settings.areas)).collect(),
        by_handler: rates_json(&o.by_handler),
        by_team: rates_json(&o.by_team),
        by_month: rates_json(&o.by_month),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReviewJson {
    pub right_grade: bool,
    pub vulnerability_identified: bool,
    pub rationale_adequate: bool,
    pub repeat_checked: bool,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewResultJson {
    pub incident_id: Uuid,
    pub meets_standard: bool,
}

/// Reviews one incident's THRIVE against the rubric (once; never one's own).
#[utoipa::path(post, path = "/api/v1/quality/thrive/{id}", tag = "quality", params(("id" = String, Path)), request_body = ReviewJson,
    responses((status = 201, body = ReviewResultJson), (status = 422, body = ErrorJson), (status = 403, body = ErrorJson)))]
pub async fn review_thrive(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReviewJson>,
) -> ApiResult<(StatusCode, Json<ReviewResultJson>)> {
    let yes = |b: bool| if b { "yes".to_string() } else { "no".to_string() };
    let answers = vec![
        ("right_grade".to_string(), yes(body.right_grade)),
        ("vulnerability_identified".to_string(), yes(body.vulnerability_identified)),
        ("rationale_adequate".to_string(), yes(body.rationale_adequate)),
        ("repeat_checked".to_string(), yes(body.repeat_checked)),
    ];
    let review = state.core.review_thrive(&user, parse_id(&id)?, &answers, &body.note, &ctx).await?;
    Ok((
        StatusCode::CREATED,
        Json(ReviewResultJson { incident_id: review.incident_id, meets_standard: review.meets_standard() }),
    ))
}
