//! The API for what is linked to a crime besides its people (organisations, objects, locations),
//! adding links after recording, cancellation (HOCR Section C) with the registrar's delegations,
//! the cancellation criteria, and the object search by identifier.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use bluelamp_core::cancel::{CancelRequest, Cancellation, Delegation};
use bluelamp_core::crime::CrimeRole;
use bluelamp_core::pole::{
    CrimeLink, CrimeLocation, CrimeObject, CrimeOrganisation, NewObject, NewOrganisation, ObjectRole,
};
use bluelamp_core::{Error, FieldError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::AppState;
use crate::api_crimes::{CrimeJson, crime_json};
use crate::api_incidents::parse_id;
use crate::auth::{Ctx, CurrentUser};
use crate::error::{ApiError, ErrorJson};
use crate::extract::ApiJson;

type ApiResult<T> = Result<T, ApiError>;

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct OrganisationInput {
    pub name: String,
    /// business (default), charity, public-body, school or other.
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
    /// victim, suspect, offender, witness or reporting-person.
    pub role: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ObjectInput {
    /// vehicle, mobile-phone, bicycle, property, cash, weapon or document.
    pub kind: String,
    pub description: String,
    /// none (default), vrm, vin, imei, serial or frame-number.
    #[serde(default)]
    pub identifier_kind: String,
    #[serde(default)]
    pub identifier: String,
    #[serde(default)]
    pub make: String,
    #[serde(default)]
    pub model: String,
    #[serde(default)]
    pub colour: String,
    /// In pounds, e.g. "40" or "12.50".
    #[serde(default)]
    pub value: String,
    /// stolen, damaged, used-as-weapon, used-in-crime, recovered or evidence.
    pub role: String,
}

fn new_organisation(o: &OrganisationInput) -> NewOrganisation {
    NewOrganisation { name: o.name.clone(), kind: o.kind.clone(), address: o.address.clone(), phone: o.phone.clone() }
}

fn new_object(o: &ObjectInput) -> NewObject {
    NewObject {
        kind: o.kind.clone(),
        description: o.description.clone(),
        identifier_kind: o.identifier_kind.clone(),
        identifier: o.identifier.clone(),
        make: o.make.clone(),
        model: o.model.clone(),
        colour: o.colour.clone(),
        value: o.value.clone(),
    }
}

/// The organisations of a new crime with their roles; an unknown role is a 422 naming its field.
pub(crate) fn organisations(list: &[OrganisationInput]) -> ApiResult<Vec<(NewOrganisation, CrimeRole)>> {
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for (n, o) in list.iter().enumerate() {
        match o.role.trim().parse::<CrimeRole>() {
            Ok(role) => out.push((new_organisation(o), role)),
            Err(_) => errors.push(FieldError::new(
                format!("organisations.{n}.role"),
                "Use victim, suspect, offender, witness or reporting-person",
            )),
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(Error::Invalid(errors).into()) }
}

/// The objects of a new crime with their roles; an unknown role is a 422 naming its field.
pub(crate) fn objects(list: &[ObjectInput]) -> ApiResult<Vec<(NewObject, ObjectRole)>> {
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for (n, o) in list.iter().enumerate() {
        match o.role.trim().parse::<ObjectRole>() {
            Ok(role) => out.push((new_object(o), role)),
            Err(_) => errors.push(FieldError::new(
                format!("objects.{n}.role"),
                "Use stolen, damaged, used-as-weapon, used-in-crime, recovered or evidence",
            )),
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(Error::Invalid(errors).into()) }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CrimeOrganisationJson {
    pub id: Uuid,
    pub name: String,
    pub kind: String,
    pub address: String,
    pub role: String,
}

pub(crate) fn organisation_json(o: &CrimeOrganisation) -> CrimeOrganisationJson {
    CrimeOrganisationJson {
        id: o.organisation.id,
        name: o.organisation.name.clone(),
        kind: o.organisation.kind.as_str().into(),
        address: o.organisation.address.clone(),
        role: o.role.as_str().into(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ObjectJson {
    pub id: Uuid,
    pub kind: String,
    pub description: String,
    pub identifier_kind: String,
    /// Normalised: upper case, letters and digits only.
    pub identifier: String,
    pub make: String,
    pub model: String,
    pub colour: String,
    pub value_pence: Option<i64>,
}

fn object_body(o: &bluelamp_core::pole::PoleObject) -> ObjectJson {
    ObjectJson {
        id: o.id,
        kind: o.kind.as_str().into(),
        description: o.description.clone(),
        identifier_kind: o.identifier_kind.as_str().into(),
        identifier: o.identifier.clone(),
        make: o.make.clone(),
        model: o.model.clone(),
        colour: o.colour.clone(),
        value_pence: o.value_pence,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CrimeObjectJson {
    pub object: ObjectJson,
    pub role: String,
}

pub(crate) fn object_json(o: &CrimeObject) -> CrimeObjectJson {
    CrimeObjectJson { object: object_body(&o.object), role: o.role.as_str().into() }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CrimeLocationJson {
    pub id: Uuid,
    pub text: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// scene, victim-home, suspect-home, recovered-at or other.
    pub role: String,
}

pub(crate) fn location_json(l: &CrimeLocation) -> CrimeLocationJson {
    CrimeLocationJson {
        id: l.location.id,
        text: l.location.text.clone(),
        latitude: l.location.latitude,
        longitude: l.location.longitude,
        role: l.role.as_str().into(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CancellationJson {
    pub criterion: String,
    pub criterion_title: String,
    pub criteria_version: String,
    pub verifiable_info: String,
    pub related_crime_number: String,
    pub transferred_to: String,
    /// registrar or delegate.
    pub authority: String,
    pub decided_by: String,
    pub decided_at: String,
}

pub(crate) fn cancellation_json(c: &Cancellation) -> CancellationJson {
    CancellationJson {
        criterion: c.criterion.clone(),
        criterion_title: c.criterion_title.clone(),
        criteria_version: c.criteria_version.clone(),
        verifiable_info: c.verifiable_info.clone(),
        related_crime_number: c.related_crime_number.clone(),
        transferred_to: c.transferred_to.clone(),
        authority: c.authority.as_str().into(),
        decided_by: c.decided_by_name.clone(),
        decided_at: c.decided_at.to_rfc3339(),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LocationInput {
    pub text: String,
    #[serde(default)]
    pub latitude: Option<f64>,
    #[serde(default)]
    pub longitude: Option<f64>,
    /// scene, victim-home, suspect-home, recovered-at or other.
    pub role: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LinkJson {
    /// The crime's version as last read.
    pub version: i64,
    /// Exactly one of the four.
    #[serde(default)]
    pub person: Option<crate::api_crimes::CrimePersonInput>,
    #[serde(default)]
    pub organisation: Option<OrganisationInput>,
    #[serde(default)]
    pub object: Option<ObjectInput>,
    #[serde(default)]
    pub location: Option<LocationInput>,
}

/// Links a person, organisation, object or location to a crime in a role.
#[utoipa::path(post, path = "/api/v1/crimes/{id}/links", tag = "crimes", params(("id" = String, Path)),
    request_body = LinkJson,
    responses((status = 200, body = CrimeJson), (status = 409, body = ErrorJson), (status = 422, body = ErrorJson)))]
pub async fn link(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<LinkJson>,
) -> ApiResult<Json<CrimeJson>> {
    let id = parse_id(&id)?;
    let link = match (body.person, body.organisation, body.object, body.location) {
        (Some(p), None, None, None) => CrimeLink::Person { person_id: p.person_id, role: p.role },
        (None, Some(o), None, None) => CrimeLink::Organisation { organisation: new_organisation(&o), role: o.role },
        (None, None, Some(o), None) => CrimeLink::Object { object: new_object(&o), role: o.role },
        (None, None, None, Some(l)) => {
            CrimeLink::Location { text: l.text, latitude: l.latitude, longitude: l.longitude, role: l.role }
        }
        _ => {
            return Err(Error::invalid("link", "Give exactly one of person, organisation, object or location").into());
        }
    };
    Ok(Json(crime_json(&state.core.link_to_crime(&user, id, body.version, &link, &ctx).await?)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CancelJson {
    pub version: i64,
    /// A criterion code from `GET /api/v1/reference/cancellation-criteria`, e.g. C2.
    pub criterion: String,
    /// The additional verifiable information: what was found, by whom, how it was checked.
    pub verifiable_info: String,
    /// For a duplicate (C3): the crime it duplicates.
    #[serde(default)]
    pub related_crime_number: String,
    /// For a transfer (C1): the force it goes to.
    #[serde(default)]
    pub transferred_to: String,
}

/// Cancels (or transfers) a crime under a HOCR Section C criterion. Only the Force Crime Registrar
/// or a delegate (403 otherwise, with the reason); every missing piece of information is a 422.
#[utoipa::path(post, path = "/api/v1/crimes/{id}/cancel", tag = "crimes", params(("id" = String, Path)),
    request_body = CancelJson,
    responses((status = 200, body = CrimeJson), (status = 403, body = ErrorJson), (status = 409, body = ErrorJson),
        (status = 422, body = ErrorJson)))]
pub async fn cancel(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CancelJson>,
) -> ApiResult<Json<CrimeJson>> {
    let request = CancelRequest {
        criterion: body.criterion,
        verifiable_info: body.verifiable_info,
        related_crime_number: body.related_crime_number,
        transferred_to: body.transferred_to,
    };
    Ok(Json(crime_json(&state.core.cancel_crime(&user, parse_id(&id)?, body.version, &request, &ctx).await?)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CriterionJson {
    pub code: String,
    pub title: String,
    pub description: String,
    /// verifiable-info, related-crime, transferred-to.
    pub needs: Vec<String>,
    /// cancelled or transferred.
    pub ends_as: String,
    pub confirmed: bool,
    pub enabled: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CriteriaJson {
    pub version: String,
    pub criteria: Vec<CriterionJson>,
    /// Offence groups only the registrar may cancel.
    pub reserved_groups: Vec<String>,
    pub reserved_subgroups: Vec<String>,
}

/// The cancellation criteria in force (HOCR Section C) and the offences reserved to the registrar.
#[utoipa::path(get, path = "/api/v1/reference/cancellation-criteria", tag = "reference",
    responses((status = 200, body = CriteriaJson)))]
pub async fn criteria(State(state): State<AppState>, CurrentUser(user): CurrentUser) -> ApiResult<Json<CriteriaJson>> {
    let p = state.core.cancellation_policy(&user)?;
    Ok(Json(CriteriaJson {
        version: p.version.clone(),
        criteria: p
            .criteria
            .iter()
            .map(|c| CriterionJson {
                code: c.code.clone(),
                title: c.title.clone(),
                description: c.description.clone(),
                needs: c.needs.iter().map(|n| n.as_str().to_string()).collect(),
                ends_as: c.ends_as.as_str().into(),
                confirmed: c.confirmed,
                enabled: c.enabled,
            })
            .collect(),
        reserved_groups: p.reserved_groups.iter().map(|g| g.as_str().to_string()).collect(),
        reserved_subgroups: p.reserved_subgroups.clone(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ObjectParams {
    /// A registration mark, VIN, IMEI, serial or frame number; spaces and hyphens do not matter.
    pub identifier: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ObjectCrimeJson {
    pub role: String,
    pub crime: CrimeJson,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ObjectCrimesJson {
    pub object: ObjectJson,
    /// Newest first.
    pub crimes: Vec<ObjectCrimeJson>,
}

/// Every object stored under an identifier, with the crimes it appears in.
#[utoipa::path(get, path = "/api/v1/objects", tag = "crimes", params(ObjectParams),
    responses((status = 200, body = Vec<ObjectCrimesJson>), (status = 422, body = ErrorJson)))]
pub async fn objects_by_identifier(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Query(params): Query<ObjectParams>,
) -> ApiResult<Json<Vec<ObjectCrimesJson>>> {
    let found = state.core.crimes_with_object(&user, &params.identifier, &ctx).await?;
    Ok(Json(
        found
            .iter()
            .map(|(object, crimes)| ObjectCrimesJson {
                object: object_body(object),
                crimes: crimes
                    .iter()
                    .map(|(role, c)| ObjectCrimeJson { role: role.as_str().into(), crime: crime_json(c) })
                    .collect(),
            })
            .collect(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DelegationJson {
    pub id: Uuid,
    pub username: String,
    pub granted_by: String,
    pub granted_at: String,
    pub reason: String,
    pub ends_at: Option<String>,
    pub revoked_at: Option<String>,
    pub active: bool,
}

fn delegation_json(d: &Delegation, now: chrono::DateTime<chrono::Utc>) -> DelegationJson {
    DelegationJson {
        id: d.id,
        username: d.username.clone(),
        granted_by: d.granted_by_name.clone(),
        granted_at: d.granted_at.to_rfc3339(),
        reason: d.reason.clone(),
        ends_at: d.ends_at.map(|t| t.to_rfc3339()),
        revoked_at: d.revoked_at.map(|t| t.to_rfc3339()),
        active: d.is_active(now),
    }
}

/// The registrar's delegations of the authority to cancel, newest first.
#[utoipa::path(get, path = "/api/v1/cancel-delegations", tag = "crimes",
    responses((status = 200, body = Vec<DelegationJson>), (status = 403, body = ErrorJson)))]
pub async fn delegations(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> ApiResult<Json<Vec<DelegationJson>>> {
    let now = state.core.now();
    Ok(Json(state.core.cancel_delegations(&user).await?.iter().map(|d| delegation_json(d, now)).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DelegateJson {
    pub username: String,
    pub reason: String,
    /// RFC 3339; absent for until revoked.
    #[serde(default)]
    pub ends_at: Option<String>,
}

/// The registrar delegates the authority to cancel to a user.
#[utoipa::path(post, path = "/api/v1/cancel-delegations", tag = "crimes", request_body = DelegateJson,
    responses((status = 201, body = DelegationJson), (status = 403, body = ErrorJson), (status = 422, body = ErrorJson)))]
pub async fn delegate(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    ApiJson(body): ApiJson<DelegateJson>,
) -> ApiResult<(StatusCode, Json<DelegationJson>)> {
    let ends_at = match body.ends_at.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => None,
        Some(t) => Some(
            chrono::DateTime::parse_from_rfc3339(t)
                .map_err(|_| ApiError::from(Error::invalid("ends_at", "Give the time as RFC 3339")))?
                .with_timezone(&chrono::Utc),
        ),
    };
    let d = state.core.delegate_cancellation(&user, &body.username, &body.reason, ends_at, &ctx).await?;
    Ok((StatusCode::CREATED, Json(delegation_json(&d, state.core.now()))))
}

/// Revokes a delegation now.
#[utoipa::path(post, path = "/api/v1/cancel-delegations/{id}/revoke", tag = "crimes", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorJson), (status = 404, body = ErrorJson), (status = 409, body = ErrorJson)))]
pub async fn revoke(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.core.revoke_delegation(&user, parse_id(&id)?, &ctx).await?;
    Ok(StatusCode::NO_CONTENT)
}
