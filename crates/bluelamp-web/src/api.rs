//! The JSON API under `/api/v1`, described by the OpenAPI document at `/api/openapi.json` (generated
//! from these handlers by utoipa). DTOs live here: core types never derive `Serialize`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bluelamp_core::Error;
use bluelamp_core::access::Principal;
use bluelamp_core::audit::AuditEvent;
use bluelamp_core::core::{By, DirectoryEntry, OfficerRecord};
use bluelamp_core::user::{NewUser, User};
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use uuid::Uuid;

use crate::AppState;
use crate::auth::{Ctx, CurrentUser};
use crate::error::{ApiError, ErrorJson, FieldErrorJson};
use crate::extract::ApiJson;
use crate::pages::{AuditFilters, audit_query};

type ApiResult<T> = Result<T, ApiError>;

#[derive(OpenApi)]
#[openapi(
    info(title = "bluelamp API", description = "Crime, incident and safeguarding records. Every call is audited."),
    paths(me, list_officers, get_officer, open_officer, list_users, create_user, disable_user, enable_user, search_audit, verify_audit,
        crate::api_incidents::queue, crate::api_incidents::create, crate::api_incidents::show, crate::api_incidents::add_log,
        crate::api_incidents::assess, crate::api_incidents::grade, crate::api_incidents::close, crate::api_incidents::checks,
        crate::api_incidents::ncrs, crate::api_incidents::deploy, crate::api_incidents::arrive, crate::api_incidents::clear,
        crate::api_incidents::resources, crate::api_incidents::add_resource, crate::api_incidents::resource_status,
        crate::api_incidents::thrive_quality, crate::api_incidents::review_thrive, crate::api_incidents::nsir_list, crate::api_incidents::offence_list,
        crate::api_people::search, crate::api_people::create, crate::api_people::show, crate::api_people::add_marker,
        crate::api_people::link, crate::api_crimes::create, crate::api_crimes::list, crate::api_crimes::show,
        crate::api_crimes::reclassify, crate::api_crimes::compliance,
        crate::api_pole::link, crate::api_pole::cancel, crate::api_pole::criteria, crate::api_pole::objects_by_identifier,
        crate::api_pole::delegations, crate::api_pole::delegate, crate::api_pole::revoke,
        crate::api_people::request_merge, crate::api_people::list_merges, crate::api_people::show_merge, crate::api_people::apply_merge, crate::api_people::reject_merge, crate::api_people::unmerge,
        crate::api_crimes::search,
        crate::api_triage::queue, crate::api_triage::screen, crate::api_triage::proposals, crate::api_triage::allocate,
        crate::api_triage::accept, crate::api_triage::backlog,
        crate::api_investigation::show, crate::api_investigation::add_action, crate::api_investigation::update_action,
        crate::api_investigation::review, crate::api_investigation::finalise, crate::api_investigation::authorise,
        crate::api_investigation::return_outcome, crate::api_investigation::reopen, crate::api_investigation::outcome_types,
        crate::api_investigation::workload, crate::api_investigation::reviews_overdue,
        crate::api_investigation::authorisations,
        crate::api_outcomes::analytics, crate::api_outcomes::records, crate::api_outcomes::draw_sample,
        crate::api_outcomes::samples, crate::api_outcomes::sample, crate::api_outcomes::review_file,
        crate::api_outcomes::statistics),
    components(schemas(ErrorJson, FieldErrorJson)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .description(Some("An API token from `bluelamp token create`"))
                        .build(),
                ),
            );
        }
    }
}

pub async fn openapi_json() -> Response {
    match ApiDoc::openapi().to_pretty_json() {
        Ok(json) => ([(axum::http::header::CONTENT_TYPE, "application/json")], json).into_response(),
        Err(e) => ApiError::from(Error::Storage(e.to_string())).into_response(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeJson {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<String>,
    pub permissions: Vec<String>,
}

/// Who the token or session belongs to, with their roles and permissions.
#[utoipa::path(get, path = "/api/v1/me", tag = "access",
    responses((status = 200, body = MeJson), (status = 401, body = ErrorJson)))]
pub async fn me(CurrentUser(user): CurrentUser) -> Json<MeJson> {
    Json(me_json(&user))
}

fn me_json(p: &Principal) -> MeJson {
    MeJson {
        id: p.user_id,
        username: p.username.clone(),
        display_name: p.display_name.clone(),
        roles: p.roles.iter().map(|r| r.as_str().to_string()).collect(),
        permissions: p.permissions().map(|x| x.as_str().to_string()).collect(),
    }
}

/// An officer or member of staff. A restricted record the caller may not see has only `id`,
/// `restricted` and `sealed`.
#[derive(Debug, Serialize, ToSchema)]
pub struct OfficerJson {
    pub id: Uuid,
    pub restricted: bool,
    pub sealed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<OfficerDetailsJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OfficerDetailsJson {
    pub username: String,
    pub display_name: String,
    pub collar_number: String,
    pub rank: String,
    pub team: String,
    pub station: String,
    pub division: String,
    pub pip_level: String,
    pub specialisms: Vec<String>,
    pub roles: Vec<String>,
    pub is_disabled: bool,
}

fn details(u: &User) -> OfficerDetailsJson {
    OfficerDetailsJson {
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        collar_number: u.collar_number.clone(),
        rank: u.rank.as_str().to_string(),
        team: u.team.clone(),
        station: u.station.clone(),
        division: u.division.clone(),
        pip_level: u.pip_level.as_str().to_string(),
        specialisms: u.specialisms.iter().map(|s| s.as_str().to_string()).collect(),
        roles: u.roles.iter().map(|r| r.as_str().to_string()).collect(),
        is_disabled: u.is_disabled,
    }
}

fn officer_json(record: OfficerRecord) -> OfficerJson {
    match record {
        OfficerRecord::Sealed { id } => OfficerJson { id, restricted: true, sealed: true, details: None },
        OfficerRecord::Open { user, restriction, .. } => {
            OfficerJson { id: user.id, restricted: restriction.is_some(), sealed: false, details: Some(details(&user)) }
        }
    }
}

/// The force directory. Restricted officers appear sealed.
#[utoipa::path(get, path = "/api/v1/officers", tag = "officers",
    responses((status = 200, body = Vec<OfficerJson>), (status = 401, body = ErrorJson), (status = 403, body = ErrorJson)))]
pub async fn list_officers(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
) -> ApiResult<Json<Vec<OfficerJson>>> {
    let entries = state.core.officer_directory(&user, &ctx).await?;
    Ok(Json(
        entries
            .into_iter()
            .map(|e| match e {
                DirectoryEntry::Open(u) => {
                    OfficerJson { id: u.id, restricted: false, sealed: false, details: Some(details(&u)) }
                }
                DirectoryEntry::Sealed(id) => OfficerJson { id, restricted: true, sealed: true, details: None },
            })
            .collect(),
    ))
}

fn parse_id(id: &str) -> ApiResult<Uuid> {
    Uuid::parse_str(id).map_err(|_| ApiError::from(Error::NotFound))
}

/// One officer. Restricted records come back sealed unless the caller is on the access list.
#[utoipa::path(get, path = "/api/v1/officers/{id}", tag = "officers",
    params(("id" = String, Path, description = "Officer id")),
    responses((status = 200, body = OfficerJson), (status = 404, body = ErrorJson), (status = 403, body = ErrorJson)))]
pub async fn get_officer(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<OfficerJson>> {
    Ok(Json(officer_json(state.core.view_officer(&user, parse_id(&id)?, None, &ctx).await?)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReasonJson {
    /// Why the caller needs to open the restricted record (10 to 1000 characters); kept in the audit trail.
    pub reason: String,
}

/// Opens a restricted record with a reason, which is audited.
#[utoipa::path(post, path = "/api/v1/officers/{id}/open", tag = "officers",
    params(("id" = String, Path, description = "Officer id")), request_body = ReasonJson,
    responses((status = 200, body = OfficerJson), (status = 422, body = ErrorJson), (status = 404, body = ErrorJson)))]
pub async fn open_officer(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReasonJson>,
) -> ApiResult<Json<OfficerJson>> {
    Ok(Json(officer_json(state.core.view_officer(&user, parse_id(&id)?, Some(&body.reason), &ctx).await?)))
}

/// All users, for administrators.
#[utoipa::path(get, path = "/api/v1/users", tag = "users",
    responses((status = 200, body = Vec<OfficerDetailsJson>), (status = 403, body = ErrorJson)))]
pub async fn list_users(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
) -> ApiResult<Json<Vec<OfficerDetailsJson>>> {
    Ok(Json(state.core.list_users(By::User(&user), &ctx).await?.iter().map(details).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewUserJson {
    pub username: String,
    pub display_name: String,
    pub collar_number: String,
    pub rank: String,
    #[serde(default)]
    pub team: String,
    #[serde(default)]
    pub station: String,
    #[serde(default)]
    pub division: String,
    #[serde(default)]
    pub pip_level: String,
    #[serde(default)]
    pub specialisms: Vec<String>,
    pub roles: Vec<String>,
    /// Optional: an account without a password can only use API tokens.
    #[serde(default)]
    pub password: Option<String>,
}

/// Adds a user.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUserJson,
    responses((status = 201, body = OfficerDetailsJson), (status = 422, body = ErrorJson), (status = 403, body = ErrorJson)))]
pub async fn create_user(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    ApiJson(body): ApiJson<NewUserJson>,
) -> ApiResult<(StatusCode, Json<OfficerDetailsJson>)> {
    let new = NewUser {
        username: body.username,
        display_name: body.display_name,
        collar_number: body.collar_number,
        rank: body.rank,
        team: body.team,
        station: body.station,
        division: body.division,
        pip_level: body.pip_level,
        specialisms: body.specialisms,
        roles: body.roles,
    };
    let created = state.core.create_user(By::User(&user), &new, body.password.as_deref(), &ctx).await?;
    Ok((StatusCode::CREATED, Json(details(&created))))
}

/// Disables an account and ends its sessions.
#[utoipa::path(post, path = "/api/v1/users/{username}/disable", tag = "users",
    params(("username" = String, Path)), responses((status = 200, body = OfficerDetailsJson), (status = 404, body = ErrorJson)))]
pub async fn disable_user(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(username): Path<String>,
) -> ApiResult<Json<OfficerDetailsJson>> {
    Ok(Json(details(&state.core.set_user_disabled(By::User(&user), &username, true, &ctx).await?)))
}

/// Re-enables an account.
#[utoipa::path(post, path = "/api/v1/users/{username}/enable", tag = "users",
    params(("username" = String, Path)), responses((status = 200, body = OfficerDetailsJson), (status = 404, body = ErrorJson)))]
pub async fn enable_user(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(username): Path<String>,
) -> ApiResult<Json<OfficerDetailsJson>> {
    Ok(Json(details(&state.core.set_user_disabled(By::User(&user), &username, false, &ctx).await?)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventJson {
    pub seq: i64,
    pub id: Uuid,
    /// UTC, RFC 3339.
    pub at: String,
    pub actor_id: Option<Uuid>,
    pub actor: String,
    pub action: String,
    pub category: String,
    pub outcome: String,
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    pub justification: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub request_id: Option<String>,
    pub hash: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPageJson {
    pub events: Vec<AuditEventJson>,
    /// Pass as `before_seq` for the next (older) page; absent on the last page.
    pub next_before_seq: Option<i64>,
}

fn event_json(e: AuditEvent) -> AuditEventJson {
    AuditEventJson {
        seq: e.seq,
        id: e.event.id,
        at: e.event.at.to_rfc3339(),
        actor_id: e.event.actor_id,
        actor: e.event.actor_name,
        action: e.event.action,
        category: e.event.category.as_str().to_string(),
        outcome: e.event.outcome.as_str().to_string(),
        record_type: e.event.record_type,
        record_id: e.event.record_id,
        justification: e.event.justification,
        before: e.event.before,
        after: e.event.after,
        request_id: e.event.request_id,
        hash: e.hash,
    }
}

/// Searches the audit trail, newest first. The search itself is audited.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit",
    params(
        ("actor" = Option<String>, Query, description = "User name"),
        ("record_type" = Option<String>, Query), ("record_id" = Option<String>, Query),
        ("action" = Option<String>, Query),
        ("from" = Option<String>, Query, description = "UK date YYYY-MM-DD, inclusive"),
        ("to" = Option<String>, Query, description = "UK date YYYY-MM-DD, inclusive"),
        ("before_seq" = Option<i64>, Query), ("limit" = Option<u32>, Query, description = "1 to 200, default 50")),
    responses((status = 200, body = AuditPageJson), (status = 422, body = ErrorJson), (status = 403, body = ErrorJson)))]
pub async fn search_audit(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Query(filters): Query<AuditFilters>,
) -> ApiResult<Json<AuditPageJson>> {
    let query = audit_query(&filters)?;
    let limit = query.limit.clamp(1, bluelamp_core::audit::MAX_PAGE);
    let events = state.core.search_audit(By::User(&user), &query, &ctx).await?;
    let next_before_seq = if events.len() as u32 >= limit { events.last().map(|e| e.seq) } else { None };
    Ok(Json(AuditPageJson { events: events.into_iter().map(event_json).collect(), next_before_seq }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VerifyJson {
    pub ok: bool,
    pub checked: u64,
    pub first_bad_seq: Option<i64>,
    pub problem: Option<String>,
}

/// Checks the audit trail's hash chain end to end.
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit",
    responses((status = 200, body = VerifyJson), (status = 403, body = ErrorJson)))]
pub async fn verify_audit(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> ApiResult<Json<VerifyJson>> {
    user.require(bluelamp_core::access::Permission::AuditVerify)?;
    Ok(Json(match state.core.verify_audit().await? {
        Ok(checked) => VerifyJson { ok: true, checked, first_bad_seq: None, problem: None },
        Err(fault) => {
            VerifyJson { ok: false, checked: 0, first_bad_seq: Some(fault.seq), problem: Some(fault.problem) }
        }
    }))
}
