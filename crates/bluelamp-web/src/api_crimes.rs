//! The crimes API: record (from an incident or directly), read with everything linked and the
//! classification rules' verdict, reclassify with a reason, and the registrar's NCRS 24-hour
//! compliance report (finalising with an outcome is in `api_investigation`). Changes name the
//! `version` they saw; a stale one is a 409.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use bluelamp_core::Error;
use bluelamp_core::crime::{Crime, CrimeRecord, CrimeRole, NewCrime};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::AppState;
use crate::api_incidents::parse_id;
use crate::auth::{Ctx, CurrentUser};
use crate::error::{ApiError, ErrorJson};
use crate::extract::ApiJson;

type ApiResult<T> = Result<T, ApiError>;

#[derive(Debug, Serialize, ToSchema)]
pub struct CrimeJson {
    pub id: Uuid,
    pub number: String,
    pub version: i64,
    /// recorded, awaiting-triage, allocated, under-investigation, finalised, cancelled or transferred.
    pub status: String,
    pub offence_code: String,
    pub offence_label: String,
    pub offence_group: String,
    pub offence_list_version: String,
    pub occurred_from: String,
    pub occurred_to: Option<String>,
    /// When the crime was first reported (the incident's call, or the report itself).
    pub reported_at: String,
    pub recorded_at: String,
    pub recorded_by: String,
    /// Recorded within 24 hours of the first report (NCRS).
    pub ncrs_compliant: bool,
    pub location_text: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub division: String,
    pub modus_operandi: String,
    pub flags: Vec<String>,
    pub hate_strands: Vec<String>,
    pub injury_recorded: bool,
    pub incident_id: Option<Uuid>,
}

pub fn crime_json(c: &Crime) -> CrimeJson {
    CrimeJson {
        id: c.id,
        number: c.number.clone(),
        version: c.version,
        status: c.status.as_str().into(),
        offence_code: c.offence_code.clone(),
        offence_label: c.offence_label.clone(),
        offence_group: c.offence_group.as_str().into(),
        offence_list_version: c.offence_list_version.clone(),
        occurred_from: c.occurred_from.to_rfc3339(),
        occurred_to: c.occurred_to.map(|t| t.to_rfc3339()),
        reported_at: c.reported_at.to_rfc3339(),
        recorded_at: c.recorded_at.to_rfc3339(),
        recorded_by: c.recorded_by_name.clone(),
        ncrs_compliant: c.is_ncrs_compliant(),
        location_text: c.location_text.clone(),
        latitude: c.latitude,
        longitude: c.longitude,
        division: c.division.clone(),
        modus_operandi: c.modus_operandi.clone(),
        flags: c.flags.iter().map(|f| f.as_str().to_string()).collect(),
        hate_strands: c.hate_strands.iter().map(|h| h.as_str().to_string()).collect(),
        injury_recorded: c.injury_recorded,
        incident_id: c.incident_id,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CrimePersonJson {
    pub person_id: Uuid,
    pub name: String,
    /// victim, suspect, offender, witness or reporting-person.
    pub role: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClassificationJson {
    pub offence_code: String,
    pub offence_label: String,
    pub offence_list_version: String,
    /// Empty for the first classification.
    pub reason: String,
    pub decided_by: String,
    pub decided_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RuleFailureJson {
    /// The rule's name, e.g. with-injury-needs-an-injury.
    pub rule: String,
    pub why: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CrimeRecordJson {
    pub crime: CrimeJson,
    pub people: Vec<CrimePersonJson>,
    /// Oldest first; the last is current.
    pub classifications: Vec<ClassificationJson>,
    /// The classification rules the crime breaks now (finalising needs none).
    pub rule_failures: Vec<RuleFailureJson>,
    pub organisations: Vec<crate::api_pole::CrimeOrganisationJson>,
    pub objects: Vec<crate::api_pole::CrimeObjectJson>,
    pub locations: Vec<crate::api_pole::CrimeLocationJson>,
    /// The cancellation decision, when the crime is cancelled or transferred.
    pub cancellation: Option<crate::api_pole::CancellationJson>,
}

fn record_json(r: &CrimeRecord, failures: Vec<bluelamp_core::crime_rules::RuleFailure>) -> CrimeRecordJson {
    CrimeRecordJson {
        crime: crime_json(&r.crime),
        people: r
            .people
            .iter()
            .map(|p| CrimePersonJson { person_id: p.person_id, name: p.name.clone(), role: p.role.as_str().into() })
            .collect(),
        classifications: r
            .classifications
            .iter()
            .map(|c| ClassificationJson {
                offence_code: c.offence_code.clone(),
                offence_label: c.offence_label.clone(),
                offence_list_version: c.offence_list_version.clone(),
                reason: c.reason.clone(),
                decided_by: c.decided_by_name.clone(),
                decided_at: c.decided_at.to_rfc3339(),
            })
            .collect(),
        rule_failures: failures.into_iter().map(|f| RuleFailureJson { rule: f.rule.into(), why: f.why }).collect(),
        organisations: r.organisations.iter().map(crate::api_pole::organisation_json).collect(),
        objects: r.objects.iter().map(crate::api_pole::object_json).collect(),
        locations: r.locations.iter().map(crate::api_pole::location_json).collect(),
        cancellation: r.cancellation.as_ref().map(crate::api_pole::cancellation_json),
    }
}

fn parse_time(field: &str, text: Option<&str>) -> ApiResult<Option<chrono::DateTime<chrono::Utc>>> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => chrono::DateTime::parse_from_rfc3339(t)
            .map(|d| Some(d.with_timezone(&chrono::Utc)))
            .map_err(|_| ApiError::from(Error::invalid(field, "Give the time as RFC 3339, e.g. 2026-11-26T09:40:00Z"))),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CrimePersonInput {
    pub person_id: Uuid,
    /// victim, suspect, offender, witness or reporting-person.
    pub role: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewCrimeJson {
    /// The crime-related incident it is recorded from (its call is the first report; it gets the
    /// crime number as its NCRS decision).
    #[serde(default)]
    pub incident_id: Option<Uuid>,
    /// A Home Office offence code from `GET /api/v1/reference/offences`, e.g. 46.
    pub offence_code: String,
    /// RFC 3339; defaults to now.
    #[serde(default)]
    pub occurred_from: Option<String>,
    #[serde(default)]
    pub occurred_to: Option<String>,
    pub location_text: String,
    #[serde(default)]
    pub latitude: Option<f64>,
    #[serde(default)]
    pub longitude: Option<f64>,
    #[serde(default)]
    pub modus_operandi: String,
    #[serde(default)]
    pub flags: Vec<String>,
    #[serde(default)]
    pub hate_strands: Vec<String>,
    #[serde(default)]
    pub injury_recorded: bool,
    /// People with their roles. There is at least one victim, here or among `organisations`.
    #[serde(default)]
    pub people: Vec<CrimePersonInput>,
    /// Organisations (a shop, a school) with their roles; one with the same name and address is
    /// linked rather than stored again.
    #[serde(default)]
    pub organisations: Vec<crate::api_pole::OrganisationInput>,
    /// Property, vehicles, phones, weapons with their roles; one with the same identifier is linked
    /// rather than stored again.
    #[serde(default)]
    pub objects: Vec<crate::api_pole::ObjectInput>,
}

/// Records a crime. Every broken entry rule is a 422 naming its field; nothing is saved.
#[utoipa::path(post, path = "/api/v1/crimes", tag = "crimes", request_body = NewCrimeJson,
    responses((status = 201, body = CrimeJson), (status = 422, body = ErrorJson), (status = 403, body = ErrorJson)))]
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    ApiJson(body): ApiJson<NewCrimeJson>,
) -> ApiResult<(StatusCode, Json<CrimeJson>)> {
    let mut people = Vec::with_capacity(body.people.len());
    for (n, p) in body.people.iter().enumerate() {
        let role = p.role.trim().parse::<CrimeRole>().map_err(|_| {
            ApiError::from(Error::invalid(
                format!("people.{n}.role"),
                "Use victim, suspect, offender, witness or reporting-person",
            ))
        })?;
        people.push((p.person_id, role));
    }
    let organisations = crate::api_pole::organisations(&body.organisations)?;
    let objects = crate::api_pole::objects(&body.objects)?;
    let new = NewCrime {
        organisations,
        objects,
        incident_id: body.incident_id,
        offence_code: body.offence_code,
        occurred_from: parse_time("occurred_from", body.occurred_from.as_deref())?,
        occurred_to: parse_time("occurred_to", body.occurred_to.as_deref())?,
        location_text: body.location_text,
        latitude: body.latitude,
        longitude: body.longitude,
        modus_operandi: body.modus_operandi,
        flags: body.flags,
        hate_strands: body.hate_strands,
        injury_recorded: body.injury_recorded,
        people,
    };
    let crime = state.core.record_crime(&user, &new, &ctx).await?;
    Ok((StatusCode::CREATED, Json(crime_json(&crime))))
}

/// The most recently recorded crimes, newest first (up to 100).
#[utoipa::path(get, path = "/api/v1/crimes", tag = "crimes", responses((status = 200, body = Vec<CrimeJson>)))]
pub async fn list(State(state): State<AppState>, CurrentUser(user): CurrentUser) -> ApiResult<Json<Vec<CrimeJson>>> {
    Ok(Json(state.core.recent_crimes(&user, 100).await?.iter().map(crime_json).collect()))
}

/// One crime with its people, classification history and the rules it breaks now.
#[utoipa::path(get, path = "/api/v1/crimes/{id}", tag = "crimes", params(("id" = String, Path)),
    responses((status = 200, body = CrimeRecordJson), (status = 404, body = ErrorJson)))]
pub async fn show(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<CrimeRecordJson>> {
    let record = state.core.view_crime(&user, parse_id(&id)?, &ctx).await?;
    let failures = state.core.crime_facts_failures(&record).await?;
    Ok(Json(record_json(&record, failures)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReclassifyJson {
    pub version: i64,
    pub offence_code: String,
    pub reason: String,
}

/// Reclassifies the crime under another code; the reason is kept with the history.
#[utoipa::path(post, path = "/api/v1/crimes/{id}/reclassify", tag = "crimes", params(("id" = String, Path)),
    request_body = ReclassifyJson,
    responses((status = 200, body = CrimeJson), (status = 409, body = ErrorJson), (status = 422, body = ErrorJson)))]
pub async fn reclassify(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReclassifyJson>,
) -> ApiResult<Json<CrimeJson>> {
    let crime = state
        .core
        .reclassify_crime(&user, parse_id(&id)?, body.version, &body.offence_code, &body.reason, &ctx)
        .await?;
    Ok(Json(crime_json(&crime)))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct PeriodParams {
    /// First UK day of the period, YYYY-MM-DD.
    pub from: String,
    /// Last UK day of the period (inclusive), YYYY-MM-DD.
    pub to: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ComplianceJson {
    pub compliant: usize,
    pub total: usize,
    /// To one decimal place; absent when no crimes were recorded in the period.
    pub percent: Option<f64>,
    /// The crimes recorded more than 24 hours after the first report.
    pub non_compliant: Vec<CrimeJson>,
}

/// The NCRS 24-hour compliance figure for crimes recorded in a period, with the failures listed.
#[utoipa::path(get, path = "/api/v1/crimes/compliance", tag = "crimes", params(PeriodParams),
    responses((status = 200, body = ComplianceJson), (status = 422, body = ErrorJson)))]
pub async fn compliance(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Query(params): Query<PeriodParams>,
) -> ApiResult<Json<ComplianceJson>> {
    let day = |field: &str, text: &str, next: bool| {
        bluelamp_core::time::london_day_start(text.trim(), next)
            .ok_or_else(|| ApiError::from(Error::invalid(field, "Give the day as YYYY-MM-DD")))
    };
    let (from, to) = (day("from", &params.from, false)?, day("to", &params.to, true)?);
    let (figure, failing) = state.core.ncrs_compliance(&user, from, to, &ctx).await?;
    Ok(Json(ComplianceJson {
        compliant: figure.compliant,
        total: figure.total,
        percent: figure.percent(),
        non_compliant: failing.iter().map(crime_json).collect(),
    }))
}

// ---- Crime search -----------------------------------------------------------------------------------

/// What a crime search may be given; the crimes page's GET form uses the same names. Every part is
/// optional; those given must all hold.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CrimeSearchParams {
    /// A whole crime number (any case) finds that crime; the start of one finds every number
    /// starting so.
    #[serde(default)]
    pub number: String,
    /// A person's id: crimes linking them.
    #[serde(default)]
    pub person: String,
    /// A person's name ("Jane Smith", "Smith, Jane"): crimes linking anyone the person search
    /// finds close to the best match (listed in `people`).
    #[serde(default)]
    pub name: String,
    /// With `person` or `name`: their part (victim, suspect, offender, witness, reporting-person).
    #[serde(default)]
    pub role: String,
    /// An object's identifier (registration mark, VIN, IMEI, serial or frame number), in any case
    /// and spacing: crimes linking that object.
    #[serde(default)]
    pub object: String,
    /// With `lon` and `radius_m`: crimes within `radius_m` metres (at most 10,000) of the point.
    #[serde(default)]
    pub lat: String,
    #[serde(default)]
    pub lon: String,
    #[serde(default)]
    pub radius_m: String,
    #[serde(default)]
    pub division: String,
    /// A Home Office offence code, e.g. 8N.
    #[serde(default)]
    pub offence: String,
    /// An offence group, e.g. burglary (see `GET /api/v1/reference/offences`).
    #[serde(default)]
    pub offence_group: String,
    /// Flags the crime must all have: repeat the parameter or separate them with commas.
    #[serde(default)]
    pub flags: Vec<String>,
    /// Recorded on or after this UK day (YYYY-MM-DD) or RFC 3339 instant.
    #[serde(default)]
    pub recorded_from: String,
    /// Recorded on or before this UK day (the whole day), or before this RFC 3339 instant.
    #[serde(default)]
    pub recorded_to: String,
    /// Happened (in part) on or after this day or instant.
    #[serde(default)]
    pub occurred_from: String,
    /// Happened (in part) on or before this day, or before this instant.
    #[serde(default)]
    pub occurred_to: String,
    /// Recorded by this user: a username or a user id.
    #[serde(default)]
    pub officer: String,
    /// recorded, awaiting-triage, allocated, under-investigation, finalised, cancelled or transferred.
    #[serde(default)]
    pub status: String,
    /// Crimes per page, 1 to 100 (25 if not given).
    #[serde(default)]
    pub limit: String,
    /// Crimes to skip first (at most 10,000).
    #[serde(default)]
    pub offset: String,
}

impl CrimeSearchParams {
    pub fn into_input(self) -> bluelamp_core::crime_search::CrimeSearchInput {
        bluelamp_core::crime_search::CrimeSearchInput {
            number: self.number,
            person: self.person,
            name: self.name,
            role: self.role,
            object: self.object,
            lat: self.lat,
            lon: self.lon,
            radius_m: self.radius_m,
            division: self.division,
            offence: self.offence,
            offence_group: self.offence_group,
            flags: self.flags.iter().flat_map(|f| f.split(',')).map(|f| f.trim().to_string()).collect(),
            recorded_from: self.recorded_from,
            recorded_to: self.recorded_to,
            occurred_from: self.occurred_from,
            occurred_to: self.occurred_to,
            officer: self.officer,
            status: self.status,
            limit: self.limit,
            offset: self.offset,
        }
    }
}

/// A query string with repeated keys (`flags=a&flags=b`), whose rejection is a JSON 400.
pub struct ApiQuery<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequest<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        // On a GET, axum-extra's Form reads the query string.
        match axum_extra::extract::Form::<T>::from_request(req, state).await {
            Ok(axum_extra::extract::Form(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(ApiError(crate::error::Failure::BadRequest(rejection.body_text()))),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchPersonJson {
    pub id: Uuid,
    pub name: String,
    /// Higher is closer.
    pub score: u32,
    /// Why the name matched, in words.
    pub reasons: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CrimeSearchJson {
    /// Newest recorded first.
    pub crimes: Vec<CrimeJson>,
    /// How many crimes match, counted up to 10,000.
    pub total: u64,
    /// More than 10,000 match: narrow the search.
    pub more: bool,
    pub limit: u32,
    pub offset: u32,
    /// The people `name` was taken to mean, closest first.
    pub people: Vec<SearchPersonJson>,
    /// The username of the officer searched for.
    pub officer: Option<String>,
}

/// Searches crimes by number, person, place, offence, flags, dates, officer and status; newest
/// recorded first, paged. Bad input is a 422 naming each field. Every search is audited.
#[utoipa::path(get, path = "/api/v1/crimes/search", tag = "crimes", params(CrimeSearchParams),
    responses((status = 200, body = CrimeSearchJson), (status = 422, body = ErrorJson), (status = 403, body = ErrorJson)))]
pub async fn search(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    ApiQuery(params): ApiQuery<CrimeSearchParams>,
) -> ApiResult<Json<CrimeSearchJson>> {
    let result = state.core.search_crimes(&user, &params.into_input(), &ctx).await?;
    Ok(Json(CrimeSearchJson {
        crimes: result.crimes.iter().map(crime_json).collect(),
        total: result.total,
        more: result.more,
        limit: result.limit,
        offset: result.offset,
        people: result
            .people
            .iter()
            .map(|m| SearchPersonJson {
                id: m.person.id,
                name: m.person.display_name(),
                score: m.score,
                reasons: m.reasons.clone(),
            })
            .collect(),
        officer: result.officer.map(|(_, username)| username),
    }))
}
