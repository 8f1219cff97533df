//! What is added to a crime after it is recorded (property, locations, organisations), its
//! cancellation, the registrar's delegations of the authority to cancel, and the object search (every
//! crime a registration mark, IMEI or serial number appears in). A failed form re-renders the crime
//! page with what was typed.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use bluelamp_core::access::Principal;
use bluelamp_core::cancel::CancelRequest;
use bluelamp_core::crime::Crime;
use bluelamp_core::pole::{CrimeLink, NewObject, NewOrganisation};
use bluelamp_core::{Error, FieldError, time};
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::auth::{Ctx, CurrentUser};
use crate::error::{Failure, PageError};
use crate::extract::PageForm;
use crate::shell::Shell;
use crate::templates::render;

type PageResult = Result<Response, PageError>;
type Ctx2 = bluelamp_core::audit::RequestContext;

fn parse_id(id: &str) -> Result<Uuid, PageError> {
    Uuid::parse_str(id).map_err(|_| PageError(Failure::Core(Error::NotFound)))
}

/// Back to the crime page (at `anchor`) on success; otherwise the page again, with the errors and
/// what was typed: the reclassification form's (code, reason) and the other forms' fields by name.
#[allow(clippy::too_many_arguments)]
pub(super) async fn after(
    state: &AppState,
    user: &Principal,
    id: Uuid,
    result: bluelamp_core::Result<Crime>,
    reclassify: (String, String),
    typed: BTreeMap<String, String>,
    anchor: &str,
    ctx: &Ctx2,
) -> PageResult {
    let (status, errors) = match result {
        Ok(_) if anchor.is_empty() => return Ok(Redirect::to(&format!("/crimes/{id}")).into_response()),
        Ok(_) => return Ok(Redirect::to(&format!("/crimes/{id}#{anchor}")).into_response()),
        Err(Error::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
        Err(Error::Conflict(message)) => (
            StatusCode::CONFLICT,
            vec![FieldError::new("version", format!("{message}. What you typed is still below."))],
        ),
        Err(e) => return Err(e.into()),
    };
    let record = state.core.view_crime(user, id, ctx).await?;
    let page = super::crimes::crime_page_typed(state, user, record, reclassify, typed, errors).await?;
    Ok(render(status, &page))
}

/// The form fields as typed, for re-rendering. Every field is text.
fn typed(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect()
}

#[derive(Debug, Default, Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    pub version: i64,
    /// object, location or organisation.
    #[serde(default)]
    pub link: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub object_kind: String,
    #[serde(default)]
    pub object_description: String,
    #[serde(default)]
    pub object_identifier_kind: String,
    #[serde(default)]
    pub object_identifier: String,
    #[serde(default)]
    pub object_value: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub address: String,
}

pub async fn link(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    PageForm(form): PageForm<LinkForm>,
) -> PageResult {
    let id = parse_id(&id)?;
    let (link, anchor) = match form.link.as_str() {
        "object" => (
            CrimeLink::Object {
                object: NewObject {
                    kind: form.object_kind.clone(),
                    description: form.object_description.clone(),
                    identifier_kind: form.object_identifier_kind.clone(),
                    identifier: form.object_identifier.clone(),
                    value: form.object_value.clone(),
                    ..Default::default()
                },
                role: form.role.clone(),
            },
            "add-property",
        ),
        "location" => (
            CrimeLink::Location { text: form.text.clone(), latitude: None, longitude: None, role: form.role.clone() },
            "add-location",
        ),
        "organisation" => (
            CrimeLink::Organisation {
                organisation: NewOrganisation {
                    name: form.name.clone(),
                    kind: String::new(),
                    address: form.address.clone(),
                    phone: String::new(),
                },
                role: form.role.clone(),
            },
            "add-organisation",
        ),
        _ => return Err(Error::invalid("link", "Choose what to add: property, a location or an organisation").into()),
    };
    let result = state.core.link_to_crime(&user, id, form.version, &link, &ctx).await;
    let typed = typed(&[
        ("role", &form.role),
        ("object_kind", &form.object_kind),
        ("object_description", &form.object_description),
        ("object_identifier_kind", &form.object_identifier_kind),
        ("object_identifier", &form.object_identifier),
        ("object_value", &form.object_value),
        ("text", &form.text),
        ("name", &form.name),
        ("address", &form.address),
    ]);
    after(&state, &user, id, result, Default::default(), typed, anchor, &ctx).await
}

#[derive(Debug, Default, Deserialize)]
pub struct CancelForm {
    #[serde(default)]
    pub version: i64,
    #[serde(default)]
    pub criterion: String,
    #[serde(default)]
    pub verifiable_info: String,
    #[serde(default)]
    pub related_crime_number: String,
    #[serde(default)]
    pub transferred_to: String,
}

pub async fn cancel(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    PageForm(form): PageForm<CancelForm>,
) -> PageResult {
    let id = parse_id(&id)?;
    let request = CancelRequest {
        criterion: form.criterion.clone(),
        verifiable_info: form.verifiable_info.clone(),
        related_crime_number: form.related_crime_number.clone(),
        transferred_to: form.transferred_to.clone(),
    };
    let result = state.core.cancel_crime(&user, id, form.version, &request, &ctx).await;
    let typed = typed(&[
        ("criterion", &form.criterion),
        ("verifiable_info", &form.verifiable_info),
        ("related_crime_number", &form.related_crime_number),
        ("transferred_to", &form.transferred_to),
    ]);
    after(&state, &user, id, result, Default::default(), typed, "cancellation", &ctx).await
}

// ---- The registrar's delegations --------------------------------------------------------------------

/// One delegation as listed.
pub struct DelegationRow {
    pub id: String,
    pub delegate: String,
    pub granted: String,
    pub by: String,
    pub reason: String,
    pub ends: String,
    pub state: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "crimes/delegations.html")]
pub struct DelegationsPage {
    pub shell: Shell,
    pub rows: Vec<DelegationRow>,
    pub typed_username: String,
    pub typed_reason: String,
    pub typed_ends: String,
}

impl DelegationsPage {
    fn error(&self, field: &str) -> Option<String> {
        self.shell.errors.iter().find(|e| e.field == field).map(|e| e.rule.clone())
    }
}

async fn delegations_page(
    state: &AppState,
    user: &Principal,
    typed: (String, String, String),
    errors: Vec<FieldError>,
) -> Result<DelegationsPage, PageError> {
    let now = state.core.now();
    let rows = state
        .core
        .cancel_delegations(user)
        .await?
        .into_iter()
        .map(|d| {
            let active = d.is_active(now);
            let status = match (&d.revoked_at, active) {
                (Some(at), _) => {
                    format!("Revoked {} by {}", time::london(*at), d.revoked_by_name.clone().unwrap_or_default())
                }
                (None, true) => "Active".to_string(),
                (None, false) => "Ended".to_string(),
            };
            DelegationRow {
                id: d.id.to_string(),
                delegate: d.username,
                granted: time::london(d.granted_at),
                by: d.granted_by_name,
                reason: d.reason,
                ends: d.ends_at.map(time::london).unwrap_or_else(|| "Until revoked".into()),
                state: status,
                active,
            }
        })
        .collect();
    let mut shell = Shell::for_user(user, "Delegations of the authority to cancel crimes", "/crimes");
    shell.errors = errors;
    Ok(DelegationsPage { shell, rows, typed_username: typed.0, typed_reason: typed.1, typed_ends: typed.2 })
}

pub async fn delegations(State(state): State<AppState>, CurrentUser(user): CurrentUser) -> PageResult {
    Ok(render(StatusCode::OK, &delegations_page(&state, &user, Default::default(), Vec::new()).await?))
}

#[derive(Debug, Default, Deserialize)]
pub struct DelegateForm {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub reason: String,
    /// The last day (YYYY-MM-DD), or empty for until revoked.
    #[serde(default)]
    pub ends: String,
}

pub async fn delegate(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    PageForm(form): PageForm<DelegateForm>,
) -> PageResult {
    let ends = form.ends.trim();
    let ends_at = if ends.is_empty() { Ok(None) } else { time::london_day_start(ends, true).map(Some).ok_or(()) };
    let result = match ends_at {
        Ok(ends_at) => state.core.delegate_cancellation(&user, &form.username, &form.reason, ends_at, &ctx).await,
        Err(()) => Err(Error::invalid("ends", "Enter the last day as YYYY-MM-DD, or leave it blank")),
    };
    match result {
        Ok(_) => Ok(Redirect::to("/crimes/delegations").into_response()),
        Err(Error::Invalid(errors)) => {
            let page = delegations_page(&state, &user, (form.username, form.reason, form.ends), errors).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn revoke(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
) -> PageResult {
    state.core.revoke_delegation(&user, parse_id(&id)?, &ctx).await?;
    Ok(Redirect::to("/crimes/delegations").into_response())
}

// ---- Object search --------------------------------------------------------------------------------

/// One object found, with the crimes it is in.
pub struct ObjectHit {
    pub summary: String,
    pub crimes: Vec<ObjectCrimeRow>,
}

pub struct ObjectCrimeRow {
    pub id: String,
    pub number: String,
    pub offence: String,
    pub role: String,
    pub recorded: String,
}

#[derive(Template)]
#[template(path = "crimes/objects.html")]
pub struct ObjectsPage {
    pub shell: Shell,
    pub identifier: String,
    pub searched: bool,
    pub found: Vec<ObjectHit>,
}

impl ObjectsPage {
    fn error(&self, field: &str) -> Option<String> {
        self.shell.errors.iter().find(|e| e.field == field).map(|e| e.rule.clone())
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ObjectQuery {
    #[serde(default)]
    pub identifier: String,
}

pub async fn objects(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Query(q): Query<ObjectQuery>,
) -> PageResult {
    let searched = !q.identifier.trim().is_empty();
    let mut shell = Shell::for_user(&user, "Find property by identifier", "/crimes");
    let mut found = Vec::new();
    let mut status = StatusCode::OK;
    if searched {
        match state.core.crimes_with_object(&user, &q.identifier, &ctx).await {
            Ok(list) => {
                found = list
                    .into_iter()
                    .map(|(object, crimes)| ObjectHit {
                        summary: object.summary(),
                        crimes: crimes
                            .into_iter()
                            .map(|(role, c)| ObjectCrimeRow {
                                id: c.id.to_string(),
                                number: c.number,
                                offence: format!("{} {}", c.offence_code, c.offence_label),
                                role: role.label().to_string(),
                                recorded: time::london(c.recorded_at),
                            })
                            .collect(),
                    })
                    .collect()
            }
            Err(Error::Invalid(errors)) => {
                shell.errors = errors;
                status = StatusCode::UNPROCESSABLE_ENTITY;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(render(status, &ObjectsPage { shell, identifier: q.identifier, searched, found }))
}
