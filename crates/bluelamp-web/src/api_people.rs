//! The people (POLE) API: fuzzy search with reasons, create (likely duplicates refused unless
//! confirmed), read, add a marker, and link a person to an incident. Changes name the `version`
//! they saw; a stale version is a 409 and nothing is written.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use bluelamp_core::Error;
use bluelamp_core::core::By;
use bluelamp_core::person::{IncidentRole, MarkerCategory, NewPerson, Person, PersonEdit, PersonSearch};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::AppState;
use crate::api_incidents::{IncidentJson, incident_json, parse_id};
use crate::auth::{Ctx, CurrentUser};
use crate::error::{ApiError, ErrorJson};
use crate::extract::ApiJson;

type ApiResult<T> = Result<T, ApiError>;

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonNameJson {
    /// primary, alias, birth or known-as.
    pub kind: String,
    pub forenames: String,
    pub surname: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AddressJson {
    pub text: String,
    /// YYYY-MM-DD, when known.
    pub from: Option<String>,
    /// YYYY-MM-DD; absent for the current address.
    pub to: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MarkerJson {
    pub id: Uuid,
    /// wanted, missing, safeguarding, vulnerability or warning.
    pub category: String,
    pub detail: String,
    pub set_by: String,
    pub set_at: String,
    pub ended_at: Option<String>,
    pub end_reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonJson {
    pub id: Uuid,
    pub version: i64,
    /// The first is the name used.
    pub names: Vec<PersonNameJson>,
    pub date_of_birth: Option<String>,
    pub sex: String,
    pub addresses: Vec<AddressJson>,
    pub phones: Vec<String>,
    pub markers: Vec<MarkerJson>,
    /// The person this record was merged into; such a record is kept but no longer found by search.
    pub merged_into: Option<Uuid>,
}

fn person_json(p: &Person) -> PersonJson {
    PersonJson {
        id: p.id,
        version: p.version,
        names: p
            .names
            .iter()
            .map(|n| PersonNameJson {
                kind: n.kind.as_str().into(),
                forenames: n.forenames.clone(),
                surname: n.surname.clone(),
            })
            .collect(),
        date_of_birth: p.date_of_birth.map(|d| d.to_string()),
        sex: p.sex.as_str().into(),
        addresses: p
            .addresses
            .iter()
            .map(|a| AddressJson {
                text: a.text.clone(),
                from: a.from.map(|d| d.to_string()),
                to: a.to.map(|d| d.to_string()),
            })
            .collect(),
        phones: p.phones.iter().map(|ph| ph.number.clone()).collect(),
        markers: p
            .markers
            .iter()
            .map(|m| MarkerJson {
                id: m.id,
                category: m.category.as_str().into(),
                detail: m.detail.clone(),
                set_by: m.set_by_name.clone(),
                set_at: m.set_at.to_rfc3339(),
                ended_at: m.ended_at.map(|t| t.to_rfc3339()),
                end_reason: m.end_reason.clone(),
            })
            .collect(),
        merged_into: p.merged_into,
    }
}

fn parse_date(field: &str, text: &str) -> ApiResult<Option<NaiveDate>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| ApiError::from(Error::invalid(field, "Give the date as YYYY-MM-DD, e.g. 1990-03-27")))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct SearchParams {
    /// "Jane Smith", "Smith" or "Smith, Jane".
    #[serde(default)]
    pub name: String,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub date_of_birth: String,
    /// The start of an address is enough.
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonMatchJson {
    pub person: PersonJson,
    /// Higher is closer; 50 or more is offered as a likely duplicate.
    pub score: u32,
    /// Why it matched, in words.
    pub reasons: Vec<String>,
}

/// Finds people by name (fuzzy: spelling, aliases, former names), date of birth, address (current or
/// earlier) and phone, closest first, each with the reasons it matched.
#[utoipa::path(get, path = "/api/v1/people", tag = "people", params(SearchParams),
    responses((status = 200, body = Vec<PersonMatchJson>), (status = 422, body = ErrorJson)))]
pub async fn search(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Query(params): Query<SearchParams>,
) -> ApiResult<Json<Vec<PersonMatchJson>>> {
    let search = PersonSearch {
        name: params.name,
        date_of_birth: parse_date("date_of_birth", &params.date_of_birth)?,
        address: params.address,
        phone: params.phone,
    };
    let found = state.core.search_people(By::User(&user), &search, 50, &ctx).await?;
    Ok(Json(
        found
            .iter()
            .map(|m| PersonMatchJson { person: person_json(&m.person), score: m.score, reasons: m.reasons.clone() })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewPersonJson {
    #[serde(default)]
    pub forenames: String,
    pub surname: String,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub date_of_birth: String,
    /// female, male or unknown (the default).
    #[serde(default)]
    pub sex: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
    /// Likely duplicates refuse the request (422 on `duplicates`) unless this is true.
    #[serde(default)]
    pub confirm_new: bool,
}

/// Records a person. Likely duplicates are refused with a 422 on `duplicates` naming them; search
/// for them, or send `confirm_new: true`.
#[utoipa::path(post, path = "/api/v1/people", tag = "people", request_body = NewPersonJson,
    responses((status = 201, body = PersonJson), (status = 422, body = ErrorJson)))]
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    ApiJson(body): ApiJson<NewPersonJson>,
) -> ApiResult<(StatusCode, Json<PersonJson>)> {
    let new = NewPerson {
        forenames: body.forenames,
        surname: body.surname,
        date_of_birth: parse_date("date_of_birth", &body.date_of_birth)?,
        sex: body.sex,
        address: body.address,
        phone: body.phone,
    };
    let person = state.core.create_person(By::User(&user), &new, body.confirm_new, &ctx).await?;
    Ok((StatusCode::CREATED, Json(person_json(&person))))
}

/// One person with names, addresses over time, phones and markers (current and ended).
#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "people", params(("id" = String, Path)),
    responses((status = 200, body = PersonJson), (status = 404, body = ErrorJson)))]
pub async fn show(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<PersonJson>> {
    Ok(Json(person_json(&state.core.view_person(By::User(&user), parse_id(&id)?, &ctx).await?)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct MarkerBody {
    pub version: i64,
    /// wanted, missing, safeguarding, vulnerability or warning.
    pub category: String,
    pub detail: String,
}

/// Adds a marker (vulnerability, safeguarding, warning signal, wanted, missing).
#[utoipa::path(post, path = "/api/v1/people/{id}/markers", tag = "people", params(("id" = String, Path)),
    request_body = MarkerBody,
    responses((status = 200, body = PersonJson), (status = 409, body = ErrorJson), (status = 422, body = ErrorJson)))]
pub async fn add_marker(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<MarkerBody>,
) -> ApiResult<Json<PersonJson>> {
    let category = body.category.trim().parse::<MarkerCategory>().map_err(|_| {
        ApiError::from(Error::invalid("category", "Use wanted, missing, safeguarding, vulnerability or warning"))
    })?;
    let edit = PersonEdit::AddMarker { category, detail: body.detail };
    let person = state.core.edit_person(By::User(&user), parse_id(&id)?, body.version, &edit, &ctx).await?;
    Ok(Json(person_json(&person)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LinkBody {
    /// The incident's version.
    pub version: i64,
    pub person_id: Uuid,
    /// caller, victim, suspect, witness, subject or other.
    pub role: String,
}

/// Links a person to an incident in a role; their markers and history then show in the checks.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/people", tag = "incidents", params(("id" = String, Path)),
    request_body = LinkBody,
    responses((status = 200, body = IncidentJson), (status = 409, body = ErrorJson), (status = 422, body = ErrorJson)))]
pub async fn link(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<LinkBody>,
) -> ApiResult<Json<IncidentJson>> {
    let role = body.role.trim().parse::<IncidentRole>().map_err(|_| {
        ApiError::from(Error::invalid("role", "Use caller, victim, suspect, witness, subject or other"))
    })?;
    let incident = state.core.link_person(&user, parse_id(&id)?, body.version, body.person_id, role, &ctx).await?;
    Ok(Json(incident_json(&incident, &state.core.settings.areas)))
}

// ---- Person merges --------------------------------------------------------------------------------

#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionJson {
    pub by: String,
    pub at: String,
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MergeJson {
    pub id: Uuid,
    /// The person kept.
    pub survivor_id: Uuid,
    /// The person merged into the survivor.
    pub duplicate_id: Uuid,
    pub survivor_name: String,
    pub duplicate_name: String,
    /// requested, applied, rejected or reversed.
    pub status: String,
    /// Why the requester thinks they are the same person.
    pub reason: String,
    /// The match score when requested (50 or more is a likely duplicate), with its reasons.
    pub score: u32,
    pub match_reasons: Vec<String>,
    pub requested_by: String,
    pub requested_at: String,
    /// Applied or rejected: by whom, when, and (rejected) why.
    pub decided: Option<DecisionJson>,
    /// Undone: by whom, when and why.
    pub reversed: Option<DecisionJson>,
}

fn decision_json(d: &bluelamp_core::merge::Decision) -> DecisionJson {
    DecisionJson { by: d.by_name.clone(), at: d.at.to_rfc3339(), reason: d.reason.clone() }
}

fn merge_json(m: &bluelamp_core::merge::PersonMerge) -> MergeJson {
    MergeJson {
        id: m.id,
        survivor_id: m.survivor_id,
        duplicate_id: m.duplicate_id,
        survivor_name: m.survivor_name.clone(),
        duplicate_name: m.duplicate_name.clone(),
        status: m.status.as_str().into(),
        reason: m.reason.clone(),
        score: m.score,
        match_reasons: m.match_reasons.clone(),
        requested_by: m.requested_by_name.clone(),
        requested_at: m.requested_at.to_rfc3339(),
        decided: m.decided.as_ref().map(decision_json),
        reversed: m.reversed.as_ref().map(decision_json),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MergeRowJson {
    /// name, address, phone, marker, incident or crime.
    pub kind: String,
    /// The address, phone or marker id, or the incident or crime id of a link; absent for names.
    pub ref_id: Option<Uuid>,
    /// The link's role (incidents and crimes).
    pub role: Option<String>,
    /// A copied name and its kind.
    pub detail: Option<String>,
    /// True: moved to the survivor (or, undoing, back). False: left with the duplicate because the
    /// survivor already had it.
    pub moved: bool,
}

fn rows_json(moves: &[bluelamp_core::merge::MergeMove]) -> Vec<MergeRowJson> {
    let some = |s: &String| (!s.is_empty()).then(|| s.clone());
    moves
        .iter()
        .map(|m| MergeRowJson {
            kind: m.kind.as_str().into(),
            ref_id: m.ref_id,
            role: some(&m.role),
            detail: some(&m.detail),
            moved: m.moved,
        })
        .collect()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MergeResultJson {
    pub merge: MergeJson,
    /// The rows moved (applying: also those left with the duplicate; undoing: those moved back).
    pub rows: Vec<MergeRowJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MergeReviewJson {
    pub merge: MergeJson,
    pub survivor: PersonJson,
    pub duplicate: PersonJson,
    /// What the merge moved or left, once applied.
    pub rows: Vec<MergeRowJson>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct MergeRequestBody {
    /// The person to merge into this one (the one in the path is kept).
    #[serde(default)]
    pub duplicate_id: String,
    /// Why they are the same person.
    #[serde(default)]
    pub reason: String,
}

/// Asks for `duplicate_id` to be merged into this person. A reviewer other than the requester
/// applies or rejects it; nothing changes until then.
#[utoipa::path(post, path = "/api/v1/people/{id}/merge-requests", tag = "people", params(("id" = String, Path)),
    request_body = MergeRequestBody,
    responses((status = 201, body = MergeJson), (status = 404, body = ErrorJson), (status = 409, body = ErrorJson),
        (status = 422, body = ErrorJson)))]
pub async fn request_merge(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<MergeRequestBody>,
) -> ApiResult<(StatusCode, Json<MergeJson>)> {
    let survivor = parse_id(&id)?;
    let duplicate = Uuid::parse_str(body.duplicate_id.trim())
        .map_err(|_| ApiError::from(Error::invalid("duplicate_id", "Give the duplicate person's id")))?;
    let merge = state.core.request_person_merge(By::User(&user), survivor, duplicate, &body.reason, &ctx).await?;
    Ok((StatusCode::CREATED, Json(merge_json(&merge))))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct MergeListParams {
    /// requested (the default: awaiting review, oldest first), applied, rejected or reversed
    /// (newest decision first).
    #[serde(default)]
    pub status: String,
    /// At most this many (default 100, up to 500).
    pub limit: Option<u32>,
}

/// The merge queue: requests awaiting review, oldest first, or decided ones by status.
#[utoipa::path(get, path = "/api/v1/merges", tag = "people", params(MergeListParams),
    responses((status = 200, body = Vec<MergeJson>), (status = 422, body = ErrorJson)))]
pub async fn list_merges(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Query(params): Query<MergeListParams>,
) -> ApiResult<Json<Vec<MergeJson>>> {
    let status = match params.status.trim() {
        "" => bluelamp_core::merge::MergeStatus::Requested,
        s => s
            .parse()
            .map_err(|_| ApiError::from(Error::invalid("status", "Use requested, applied, rejected or reversed")))?,
    };
    let merges = state.core.list_person_merges(By::User(&user), status, params.limit.unwrap_or(100), &ctx).await?;
    Ok(Json(merges.iter().map(merge_json).collect()))
}

/// One merge with both people as they are now and what it moved.
#[utoipa::path(get, path = "/api/v1/merges/{id}", tag = "people", params(("id" = String, Path)),
    responses((status = 200, body = MergeReviewJson), (status = 404, body = ErrorJson)))]
pub async fn show_merge(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<MergeReviewJson>> {
    let r = state.core.view_person_merge(By::User(&user), parse_id(&id)?, &ctx).await?;
    Ok(Json(MergeReviewJson {
        merge: merge_json(&r.merge),
        survivor: person_json(&r.survivor),
        duplicate: person_json(&r.duplicate),
        rows: rows_json(&r.moves),
    }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ApplyBody {
    /// The survivor's version you compared; if it has changed since, 409.
    pub survivor_version: Option<i64>,
    /// The duplicate's version you compared; if it has changed since, 409.
    pub duplicate_version: Option<i64>,
}

/// Applies a merge awaiting review (not your own request), in one transaction: the duplicate's
/// addresses, phones, markers and incident and crime links move to the survivor, its names become
/// aliases, and it is marked merged.
#[utoipa::path(post, path = "/api/v1/merges/{id}/apply", tag = "people", params(("id" = String, Path)),
    request_body = ApplyBody,
    responses((status = 200, body = MergeResultJson), (status = 403, body = ErrorJson), (status = 404, body = ErrorJson),
        (status = 409, body = ErrorJson), (status = 422, body = ErrorJson)))]
pub async fn apply_merge(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ApplyBody>,
) -> ApiResult<Json<MergeResultJson>> {
    let seen = body.survivor_version.zip(body.duplicate_version);
    let (merge, moves) = state.core.apply_person_merge(By::User(&user), parse_id(&id)?, seen, &ctx).await?;
    Ok(Json(MergeResultJson { merge: merge_json(&merge), rows: rows_json(&moves) }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReasonBody {
    #[serde(default)]
    pub reason: String,
}

/// Rejects a merge awaiting review (not your own request), saying why.
#[utoipa::path(post, path = "/api/v1/merges/{id}/reject", tag = "people", params(("id" = String, Path)),
    request_body = ReasonBody,
    responses((status = 200, body = MergeJson), (status = 403, body = ErrorJson), (status = 404, body = ErrorJson),
        (status = 409, body = ErrorJson), (status = 422, body = ErrorJson)))]
pub async fn reject_merge(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReasonBody>,
) -> ApiResult<Json<MergeJson>> {
    let merge = state.core.reject_person_merge(By::User(&user), parse_id(&id)?, &body.reason, &ctx).await?;
    Ok(Json(merge_json(&merge)))
}

/// Undoes an applied merge, saying why: exactly the rows it moved go back to the duplicate, the
/// names it copied leave the survivor, and anything added to the survivor since stays.
#[utoipa::path(post, path = "/api/v1/merges/{id}/unmerge", tag = "people", params(("id" = String, Path)),
    request_body = ReasonBody,
    responses((status = 200, body = MergeResultJson), (status = 403, body = ErrorJson), (status = 404, body = ErrorJson),
        (status = 409, body = ErrorJson), (status = 422, body = ErrorJson)))]
pub async fn unmerge(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReasonBody>,
) -> ApiResult<Json<MergeResultJson>> {
    let (merge, moves) = state.core.unmerge_person(By::User(&user), parse_id(&id)?, &body.reason, &ctx).await?;
    Ok(Json(MergeResultJson { merge: merge_json(&merge), rows: rows_json(&moves) }))
}
