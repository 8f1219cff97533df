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
