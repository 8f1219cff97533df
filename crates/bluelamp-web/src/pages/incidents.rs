//! Control-room pages: the queue, recording an incident, and the incident page with its log, THRIVE,
//! grading and closing forms. A failed form re-renders the page with the user's words kept.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use bluelamp_core::access::{Permission, Principal};
use bluelamp_core::incident::{
    self, Channel, Grade, IncidentRecord, IncidentStatus, NewIncident, ThriveElement, ThriveInput, ThriveRating,
};
use bluelamp_core::reference::NsirList;
use bluelamp_core::resource::ResourceStatus;
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

/// The force's categories grouped by NSIR chapter for `<optgroup>`s: (chapter, [(code, label)]).
pub fn category_groups(nsir: &NsirList) -> Vec<(&'static str, Vec<(String, String)>)> {
    nsir.by_chapter()
        .into_iter()
        .map(|(chapter, list)| (chapter.label(), list.iter().map(|c| (c.code.clone(), c.label.clone())).collect()))
        .collect()
}

/// The category's label, or its code when it is not in the force's current list.
pub fn category_label(nsir: &NsirList, code: &str) -> String {
    nsir.category(code).map(|c| c.label.clone()).unwrap_or_else(|| code.to_string())
}

fn qualifier_labels(nsir: &NsirList, codes: &[String]) -> Vec<String> {
    codes.iter().map(|q| nsir.qualifier_label(q).unwrap_or(q).to_string()).collect()
}

/// "in 12 min" / "23 min late" from now to `due`.
fn due_text(due: Option<chrono::DateTime<chrono::Utc>>, now: chrono::DateTime<chrono::Utc>) -> String {
    match due {
        None => "No target".into(),
        Some(due) => {
            let minutes = (due - now).num_minutes();
            let at = time::london(due);
            if minutes >= 0 { format!("{at} (in {minutes} min)") } else { format!("{at} ({} min late)", -minutes) }
        }
    }
}

// ---- The queue ----------------------------------------------------------------------------------

pub struct UnitRow {
    pub call_sign: String,
    pub kind: String,
    pub division: String,
    pub status: &'static str,
    pub tag: &'static str,
    pub incident_id: Option<String>,
}

pub struct QueueRow {
    pub id: String,
    pub reference: String,
    pub received: String,
    pub category: String,
    pub qualifiers: Vec<String>,
    pub location: String,
    pub division: String,
    pub grade: String,
    pub due: String,
    pub is_breaching: bool,
}

#[derive(Template)]
#[template(path = "incidents/queue.html")]
pub struct QueuePage {
    pub shell: Shell,
    pub units: Vec<UnitRow>,
    pub available: usize,
    pub total: usize,
    pub page: usize,
    pub pages: usize,
    pub next_page: Option<String>,
    pub previous_page: Option<String>,
    pub rows: Vec<QueueRow>,
    pub breaches: usize,
    pub divisions: Vec<String>,
    pub division: String,
    pub can_record: bool,
    pub updated: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct QueueQuery {
    #[serde(default)]
    division: String,
    /// 1-based page of [`QUEUE_PAGE_SIZE`] rows, most urgent first.
    #[serde(default)]
    page: Option<usize>,
}

/// Rows per page of the queue: the most urgent first; the counts above the table cover them all.
pub const QUEUE_PAGE_SIZE: usize = 100;

pub async fn queue(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Query(q): Query<QueueQuery>,
) -> PageResult {
    // Only the rows shown are loaded; the counts cover the whole queue. The page number is
    // clamped to the pages there are once the count is known.
    let size = QUEUE_PAGE_SIZE as u32;
    let wanted = q.page.unwrap_or(1).max(1);
    let offset = u32::try_from((wanted - 1).saturating_mul(QUEUE_PAGE_SIZE)).unwrap_or(u32::MAX);
    let mut slice = state.core.incident_queue_page(&user, Some(&q.division), offset, size, &ctx).await?;
    let total = usize::try_from(slice.total).unwrap_or(0);
    let pages = total.div_ceil(QUEUE_PAGE_SIZE).max(1);
    let page = wanted.min(pages);
    if page != wanted {
        slice = state
            .core
            .incident_queue_page(&user, Some(&q.division), ((page - 1) * QUEUE_PAGE_SIZE) as u32, size, &ctx)
            .await?;
    }
    let now = slice.now;
    let divisions = state.core.store.list_divisions().await?;
    let breaches = usize::try_from(slice.breaching).unwrap_or(0);
    let rows: Vec<QueueRow> = slice
        .incidents
        .iter()
        .map(|i| QueueRow {
            id: i.id.to_string(),
            reference: i.reference.clone(),
            received: time::london(i.received_at),
            category: category_label(&state.core.settings.nsir, &i.opening_category),
            qualifiers: qualifier_labels(&state.core.settings.nsir, &i.qualifiers),
            location: i.location_text.clone(),
            division: i.division.clone(),
            grade: i.grade.map(|g| g.label().to_string()).unwrap_or_default(),
            due: if i.grade.is_some() { due_text(i.due_at, now) } else { String::new() },
            is_breaching: incident::is_breaching(i, now),
        })
        .collect();
    let units: Vec<UnitRow> = state
        .core
        .resources(&user, Some(&q.division))
        .await?
        .into_iter()
        .map(|r| UnitRow {
            tag: match r.status {
                ResourceStatus::Available => "govuk-tag--green",
                ResourceStatus::Assigned => "govuk-tag--blue",
                ResourceStatus::AtScene => "govuk-tag--purple",
                ResourceStatus::Unavailable => "govuk-tag--grey",
            },
            status: r.status.label(),
            call_sign: r.call_sign,
            kind: r.kind,
            division: r.division,
            incident_id: r.incident_id.map(|id| id.to_string()),
        })
        .collect();
    let available = units.iter().filter(|u| u.status == ResourceStatus::Available.label()).count();
    Ok(render(
        StatusCode::OK,
        &QueuePage {
            units,
            available,
            total,
            page,
            pages,
            next_page: (page < pages)
                .then(|| format!("/incidents?division={}&page={}", crate::auth::urlencode(&q.division), page + 1)),
            previous_page: (page > 1)
                .then(|| format!("/incidents?division={}&page={}", crate::auth::urlencode(&q.division), page - 1)),
            shell: Shell::for_user(&user, "Control room queue", "/incidents"),
            rows,
            breaches,
            divisions,
            division: q.division,
            can_record: user.can(Permission::IncidentRecord),
            updated: time::london_precise(now),
        },
    ))
}

// ---- Recording ----------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
pub struct NewIncidentForm {
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub caller_name: String,
    #[serde(default)]
    pub caller_phone: String,
    #[serde(default)]
    pub location_text: String,
    #[serde(default)]
    pub latitude: String,
    #[serde(default)]
    pub longitude: String,
    #[serde(default)]
    pub is_rural: Option<String>,
    #[serde(default)]
    pub division: String,
    #[serde(default)]
    pub opening_category: String,
    #[serde(default)]
    pub qualifiers: Vec<String>,
    #[serde(default)]
    pub summary: String,
    #[serde(skip)]
    pub errors: Vec<FieldError>,
}

impl NewIncidentForm {
    pub fn error(&self, field: &str) -> Option<String> {
        crate::templates::error_for(&self.errors, field)
    }

    pub fn has_qualifier(&self, code: &str) -> bool {
        self.qualifiers.iter().any(|q| q == code)
    }

    /// Name, label, value and error of each plain text field, in form order.
    pub fn text_fields(&self) -> Vec<(&'static str, &'static str, String, Option<String>)> {
        [
            ("caller_name", "Caller's name", &self.caller_name),
            ("caller_phone", "Caller's phone number", &self.caller_phone),
            ("location_text", "Where is it happening?", &self.location_text),
            ("latitude", "Latitude (optional)", &self.latitude),
            ("longitude", "Longitude (optional)", &self.longitude),
            ("division", "Division (leave blank to take it from the coordinates)", &self.division),
        ]
        .into_iter()
        .map(|(name, label, value)| (name, label, value.clone(), self.error(name)))
        .collect()
    }
}

#[derive(Template)]
#[template(path = "incidents/new.html")]
pub struct NewIncidentPage {
    pub shell: Shell,
    pub form: NewIncidentForm,
    pub channels: Vec<(&'static str, &'static str)>,
    pub categories: Vec<(&'static str, Vec<(String, String)>)>,
    pub qualifiers: Vec<(String, String)>,
}

fn new_page(nsir: &NsirList, user: &Principal, form: NewIncidentForm) -> NewIncidentPage {
    let mut shell = Shell::for_user(user, "Record an incident", "/incidents");
    shell.errors = form.errors.clone();
    NewIncidentPage {
        shell,
        form,
        channels: Channel::ALL.iter().map(|c| (c.as_str(), c.label())).collect(),
        categories: category_groups(nsir),
        qualifiers: nsir.qualifiers.iter().map(|q| (q.code.clone(), q.label.clone())).collect(),
    }
}

pub async fn new_form(State(state): State<AppState>, CurrentUser(user): CurrentUser) -> PageResult {
    let form = NewIncidentForm { channel: "999".into(), ..Default::default() };
    Ok(render(StatusCode::OK, &new_page(&state.core.settings.nsir, &user, form)))
}

/// Parses an optional number, naming the field if it is not one.
pub fn optional_number(field: &str, text: &str, errors: &mut Vec<FieldError>) -> Option<f64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Some(v),
        _ => {
            errors.push(FieldError::new(field, "Enter a number in degrees, for example 51.2719"));
            None
        }
    }
}

pub async fn create(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    PageForm(mut form): PageForm<NewIncidentForm>,
) -> PageResult {
    let mut errors = Vec::new();
    let latitude = optional_number("latitude", &form.latitude, &mut errors);
    let longitude = optional_number("longitude", &form.longitude, &mut errors);
    let new = NewIncident {
        channel: form.channel.clone(),
        received_at: None,
        caller_name: form.caller_name.clone(),
        caller_phone: form.caller_phone.clone(),
        location_text: form.location_text.clone(),
        latitude,
        longitude,
        is_rural: form.is_rural.is_some(),
        division: form.division.clone(),
        opening_category: form.opening_category.clone(),
        qualifiers: form.qualifiers.clone(),
        summary: form.summary.clone(),
    };
    let result = if errors.is_empty() {
        state.core.record_incident(&user, &new, &ctx).await
    } else {
        Err(Error::Invalid(errors))
    };
    match result {
        Ok(incident) => Ok(Redirect::to(&format!("/incidents/{}", incident.id)).into_response()),
        Err(Error::Invalid(errors)) => {
            form.errors = errors;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &new_page(&state.core.settings.nsir, &user, form)))
        }
        Err(e) => Err(e.into()),
    }
}

// ---- The incident page --------------------------------------------------------------------------

/// What the user typed into the page's forms, kept when a submission fails.
#[derive(Debug, Default)]
pub struct Forms {
    pub log_text: String,
    pub thrive: Vec<(String, String, String)>,
    pub grade: String,
    pub grade_reason: String,
    pub closing_category: String,
    pub result: String,
    pub crime_reference: String,
    pub ncrs_reason: String,
}

pub struct IncidentView {
    pub id: String,
    pub reference: String,
    pub version: i64,
    pub status: String,
    pub category: String,
    pub qualifiers: Vec<String>,
    pub rows: Vec<(&'static str, String)>,
    pub is_graded: bool,
    pub is_breaching: bool,
    pub due: String,
    pub ncrs_due: Option<String>,
    pub division_name: String,
    pub is_outside_area: bool,
}

pub struct ThriveField {
    pub name: &'static str,
    pub label: &'static str,
    pub rating: String,
    pub rationale: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "incidents/show.html")]
pub struct IncidentPage {
    pub shell: Shell,
    pub i: IncidentView,
    pub thrive_caption: String,
    pub thrive_rows: Vec<(&'static str, &'static str, String)>,
    pub grade_rows: Vec<String>,
    pub log_rows: Vec<(String, String, &'static str, String)>,
    pub thrive_form: Vec<ThriveField>,
    pub ratings: Vec<(&'static str, &'static str)>,
    pub grades: Vec<(&'static str, &'static str)>,
    pub categories: Vec<(&'static str, Vec<(String, String)>)>,
    pub forms: Forms,
    pub can_record: bool,
    pub is_open: bool,
    /// Explanation, references, qualifiers seen.
    pub checks: Vec<(String, String, String)>,
    pub lookback_days: i64,
    /// (person id, name, role) of each person linked to the incident.
    pub people: Vec<(String, String, String)>,
    pub can_record_crime: bool,
    pub deployments: Vec<DeploymentRow>,
    /// Id and "EA21 (Response car, East)" of each available unit, the incident's division first.
    pub available_units: Vec<(String, String)>,
}

pub struct DeploymentRow {
    pub id: String,
    pub call_sign: String,
    pub deployed: String,
    pub arrived: String,
    pub cleared: String,
    pub can_arrive: bool,
    pub can_clear: bool,
}

#[allow(clippy::too_many_arguments)]
fn incident_page(
    state: &AppState,
    user: &Principal,
    record: IncidentRecord,
    checks: Vec<incident::IntakeMatch>,
    units: Vec<bluelamp_core::resource::Resource>,
    forms: Forms,
    errors: Vec<FieldError>,
) -> IncidentPage {
    let now = state.core.now();
    let i = &record.incident;
    let mut shell = Shell::for_user(user, &format!("Incident {}", i.reference), "/incidents");
    let current = record.current_thrive();
    let thrive_form = ThriveElement::ALL
        .iter()
        .map(|e| {
            let typed = forms.thrive.iter().find(|(name, _, _)| name == e.as_str());
            let stored = current.and_then(|t| t.entries.iter().find(|x| x.element == *e));
            let (rating, rationale) = match (typed, stored) {
                (Some((_, r, why)), _) => (r.clone(), why.clone()),
                (None, Some(s)) => (s.rating.as_str().to_string(), s.rationale.clone()),
                (None, None) => (String::new(), String::new()),
            };
            let prefix = format!("thrive.{}.", e.as_str());
            let error =
                errors.iter().filter(|x| x.field.starts_with(&prefix)).map(|x| x.rule.clone()).collect::<Vec<_>>();
            ThriveField {
                name: e.as_str(),
                label: e.label(),
                rating,
                rationale,
                error: (!error.is_empty()).then(|| error.join(". ")),
            }
        })
        .collect();
    shell.errors = errors
        .into_iter()
        .map(|e| {
            // Point the error summary at the inputs on this page.
            let field = match e.field.split('.').collect::<Vec<_>>().as_slice() {
                ["thrive", element, _] => format!("thrive-{element}"),
                ["thrive"] => "thrive-threat".to_string(),
                ["reason"] => "grade-reason".to_string(),
                ["grade"] => "grade-emergency".to_string(),
                _ => e.field.clone(),
            };
            FieldError::new(field, e.rule)
        })
        .collect();
    let mut rows = vec![
        ("Channel", i.channel.label().to_string()),
        ("Call received", time::london_precise(i.received_at)),
        ("Recorded", time::london_precise(i.recorded_at)),
        ("Caller", format!("{} {}", i.caller_name, i.caller_phone).trim().to_string()),
        ("Location", i.location_text.clone()),
    ];
    if let (Some(lat), Some(lon)) = (i.latitude, i.longitude) {
        rows.push(("Coordinates", format!("{lat:.5}, {lon:.5}")));
    }
    let or_not_set = |v: &str| if v.is_empty() { "Not set".to_string() } else { v.to_string() };
    rows.push(("Division", or_not_set(&i.division)));
    rows.push(("Beat", or_not_set(&i.beat)));
    rows.push(("Ward", or_not_set(&i.ward)));
    rows.push(("Area type", if i.is_rural { "Rural".into() } else { "Urban".into() }));
    rows.push(("Grade", i.grade.map(|g| g.label().to_string()).unwrap_or_else(|| "Not graded".into())));
    if i.grade.is_some() {
        rows.push(("Attend by", due_text(i.due_at, now)));
    }
    if let Some(c) = &i.closing_category {
        rows.push(("Closing category", category_label(&state.core.settings.nsir, c)));
        rows.push(("Result", i.result.clone().unwrap_or_default()));
        rows.push(("Closed", i.closed_at.map(time::london_precise).unwrap_or_default()));
    }
    if let Some(c) = &i.crime_reference {
        rows.push(("Crime reference", c.clone()));
    }
    if let Some(r) = &i.ncrs_reason {
        rows.push(("Why no crime was recorded", r.clone()));
    }
    let thrive_caption = match current {
        Some(t) => format!(
            "Assessed by {} at {}{}",
            t.assessed_by_name,
            time::london(t.assessed_at),
            if record.thrive.len() > 1 {
                format!(" ({} assessments in all)", record.thrive.len())
            } else {
                String::new()
            }
        ),
        None => String::new(),
    };
    IncidentPage {
        shell,
        i: IncidentView {
            id: i.id.to_string(),
            reference: i.reference.clone(),
            version: i.version,
            status: i.status.label().to_string(),
            category: category_label(&state.core.settings.nsir, &i.opening_category),
            qualifiers: qualifier_labels(&state.core.settings.nsir, &i.qualifiers),
            rows,
            is_graded: i.grade.is_some(),
            is_breaching: incident::is_breaching(i, now),
            due: due_text(i.due_at, now),
            ncrs_due: i.ncrs_due_at.map(time::london),
            division_name: i.division.clone(),
            is_outside_area: incident::is_outside_force_area(i, &state.core.settings.areas),
        },
        thrive_caption,
        thrive_rows: current
            .map(|t| t.entries.iter().map(|e| (e.element.label(), e.rating.label(), e.rationale.clone())).collect())
            .unwrap_or_default(),
        grade_rows: record
            .grades
            .iter()
            .map(|g| {
                format!(
                    "{} by {} at {}{}",
                    g.grade.label(),
                    g.decided_by_name,
                    time::london(g.decided_at),
                    g.reason.as_ref().map(|r| format!(": {r}")).unwrap_or_default()
                )
            })
            .collect(),
        log_rows: record
            .log
            .iter()
            .map(|l| {
                let kind = match l.kind {
                    incident::LogKind::Correction => "Correction",
                    _ => "",
                };
                (time::london_precise(l.at), l.author_name.clone(), kind, l.text.clone())
            })
            .collect(),
        thrive_form,
        ratings: ThriveRating::ALL.iter().map(|r| (r.as_str(), r.label())).collect(),
        grades: Grade::ALL.iter().map(|g| (g.as_str(), g.label())).collect(),
        categories: category_groups(&state.core.settings.nsir),
        forms,
        can_record: user.can(Permission::IncidentRecord),
        is_open: i.status == IncidentStatus::Open,
        checks: checks
            .iter()
            .map(|m| {
                let refs = m.references.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
                let more = if m.references.len() > 5 {
                    format!(" and {} more", m.references.len() - 5)
                } else {
                    String::new()
                };
                let seen = qualifier_labels(&state.core.settings.nsir, &m.qualifiers).join(", ");
                (m.explanation(), format!("{refs}{more}"), seen)
            })
            .collect(),
        lookback_days: state.core.settings.intake_lookback_days,
        can_record_crime: user.can(Permission::CrimeRecord),
        people: record
            .people
            .iter()
            .map(|p| (p.person_id.to_string(), p.name.clone(), p.role.label().to_string()))
            .collect(),
        deployments: record
            .deployments
            .iter()
            .map(|d| DeploymentRow {
                id: d.id.to_string(),
                call_sign: d.call_sign.clone(),
                deployed: time::london(d.deployed_at),
                arrived: d.arrived_at.map(time::london).unwrap_or_default(),
                cleared: d.cleared_at.map(time::london).unwrap_or_default(),
                can_arrive: d.is_active() && d.arrived_at.is_none(),
                can_clear: d.is_active(),
            })
            .collect(),
        available_units: {
            let mut available: Vec<_> = units.into_iter().filter(|u| u.status == ResourceStatus::Available).collect();
            available.sort_by_key(|u| (u.division != i.division, u.call_sign.clone()));
            available
                .into_iter()
                .map(|u| (u.id.to_string(), format!("{} ({}, {})", u.call_sign, u.kind, u.division)))
                .collect()
        },
    }
}

fn parse_id(id: &str) -> Result<Uuid, PageError> {
    Uuid::parse_str(id).map_err(|_| PageError(Failure::Core(Error::NotFound)))
}

pub async fn show(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let record = state.core.view_incident(&user, parse_id(&id)?, &ctx).await?;
    let checks = state.core.intake_checks(&user, &record).await?;
    let units = state.core.resources(&user, None).await?;
    Ok(render(StatusCode::OK, &incident_page(&state, &user, record, checks, units, Forms::default(), Vec::new())))
}

/// After a form post: back to the page, or the page again with the errors and what was typed.
async fn after_change(
    state: &AppState,
    user: &Principal,
    id: Uuid,
    result: bluelamp_core::Result<bluelamp_core::incident::Incident>,
    forms: Forms,
    ctx: &bluelamp_core::audit::RequestContext,
) -> PageResult {
    let (status, errors) = match result {
        Ok(_) => return Ok(Redirect::to(&format!("/incidents/{id}")).into_response()),
        Err(Error::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
        Err(Error::Conflict(message)) => (
            StatusCode::CONFLICT,
            vec![FieldError::new("version", format!("{message}. What you typed is still below."))],
        ),
        Err(e) => return Err(e.into()),
    };
    let record = state.core.view_incident(user, id, ctx).await?;
    let checks = state.core.intake_checks(user, &record).await?;
    let units = state.core.resources(user, None).await?;
    Ok(render(status, &incident_page(state, user, record, checks, units, forms, errors)))
}

#[derive(Debug, Deserialize)]
pub struct LogForm {
    #[serde(default)]
    version: i64,
    #[serde(default)]
    text: String,
    #[serde(default)]
    is_correction: Option<String>,
}

pub async fn add_log(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    PageForm(form): PageForm<LogForm>,
) -> PageResult {
    let id = parse_id(&id)?;
    let result =
        state.core.add_incident_log(&user, id, form.version, &form.text, form.is_correction.is_some(), &ctx).await;
    after_change(&state, &user, id, result, Forms { log_text: form.text, ..Forms::default() }, &ctx).await
}

#[derive(Debug, Deserialize)]
pub struct ThriveForm {
    #[serde(default)]
    version: i64,
    #[serde(flatten)]
    fields: std::collections::HashMap<String, String>,
}

/// THRIVE as the form sends it: `<element>_rating` and `<element>_rationale`.
pub fn thrive_input(fields: &std::collections::HashMap<String, String>) -> ThriveInput {
    ThriveInput {
        entries: ThriveElement::ALL
            .iter()
            .map(|e| {
                let get = |suffix: &str| fields.get(&format!("{}_{suffix}", e.as_str())).cloned().unwrap_or_default();
                (e.as_str().to_string(), get("rating"), get("rationale"))
            })
            .collect(),
    }
}

pub async fn assess(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    PageForm(form): PageForm<ThriveForm>,
) -> PageResult {
    let id = parse_id(&id)?;
    let input = thrive_input(&form.fields);
    let result = state.core.assess_thrive(&user, id, form.version, &input, &ctx).await;
    after_change(&state, &user, id, result, Forms { thrive: input.entries, ..Forms::default() }, &ctx).await
}

#[derive(Debug, Deserialize)]
pub struct GradeForm {
    #[serde(default)]
    version: i64,
    #[serde(default)]
    grade: String,
    #[serde(default)]
    reason: String,
}

pub async fn grade(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    PageForm(form): PageForm<GradeForm>,
) -> PageResult {
    let id = parse_id(&id)?;
    let result = state.core.grade_incident(&user, id, form.version, &form.grade, Some(&form.reason), &ctx).await;
    after_change(
        &state,
        &user,
        id,
        result,
        Forms { grade: form.grade, grade_reason: form.reason, ..Forms::default() },
        &ctx,
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    version: i64,
    #[serde(default)]
    closing_category: String,
    #[serde(default)]
    result: String,
    #[serde(default)]
    crime_reference: String,
    #[serde(default)]
    ncrs_reason: String,
}

pub async fn close(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    PageForm(form): PageForm<CloseForm>,
) -> PageResult {
    let id = parse_id(&id)?;
    let result = state
        .core
        .close_incident(
            &user,
            id,
            form.version,
            &form.closing_category,
            &form.result,
            Some(&form.crime_reference),
            Some(&form.ncrs_reason),
            &ctx,
        )
        .await;
    let forms = Forms {
        closing_category: form.closing_category,
        result: form.result,
        crime_reference: form.crime_reference,
        ncrs_reason: form.ncrs_reason,
        ..Forms::default()
    };
    after_change(&state, &user, id, result, forms, &ctx).await
}

// ---- NCRS ---------------------------------------------------------------------------------------

pub struct NcrsRow {
    pub id: String,
    pub reference: String,
    pub category: String,
    pub recorded: String,
    pub due: String,
    pub status: String,
    pub is_overdue: bool,
}

#[derive(Template)]
#[template(path = "incidents/ncrs.html")]
pub struct NcrsPage {
    pub shell: Shell,
    pub rows: Vec<NcrsRow>,
    pub overdue: usize,
    pub within_hours: i64,
}

#[derive(Debug, Deserialize)]
pub struct NcrsQuery {
    #[serde(default = "default_within")]
    pub within_hours: i64,
}

fn default_within() -> i64 {
    24
}

pub async fn ncrs(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Query(q): Query<NcrsQuery>,
) -> PageResult {
    let now = state.core.now();
    let rows: Vec<NcrsRow> = state
        .core
        .ncrs_list(&user, q.within_hours, &ctx)
        .await?
        .into_iter()
        .filter_map(|i| {
            let due = i.ncrs_due_at?;
            let hours = (due - now).num_minutes() as f64 / 60.0;
            Some(NcrsRow {
                id: i.id.to_string(),
                reference: i.reference.clone(),
                category: category_label(
                    &state.core.settings.nsir,
                    i.closing_category.as_deref().unwrap_or(&i.opening_category),
                ),
                recorded: time::london(i.recorded_at),
                due: time::london(due),
                status: if hours < 0.0 {
                    format!("{:.1} hours overdue", -hours)
                } else {
                    format!("due in {hours:.1} hours")
                },
                is_overdue: hours < 0.0,
            })
        })
        .collect();
    let overdue = rows.iter().filter(|r| r.is_overdue).count();
    Ok(render(
        StatusCode::OK,
        &NcrsPage {
            shell: Shell::for_user(&user, "NCRS 24-hour list", "/ncrs"),
            rows,
            overdue,
            within_hours: q.within_hours,
        },
    ))
}

// ---- Units --------------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
pub struct DeployForm {
    #[serde(default)]
    version: i64,
    #[serde(default)]
    resource_id: String,
}

pub async fn deploy(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    PageForm(form): PageForm<DeployForm>,
) -> PageResult {
    let id = parse_id(&id)?;
    let result = match Uuid::parse_str(form.resource_id.trim()) {
        Ok(resource) => state.core.deploy_unit(&user, id, form.version, resource, &ctx).await,
        Err(_) => Err(Error::invalid("resource_id", "Choose a unit")),
    };
    after_change(&state, &user, id, result, Forms::default(), &ctx).await
}

#[derive(Debug, Deserialize)]
pub struct DeploymentForm {
    #[serde(default)]
    version: i64,
    #[serde(default)]
    deployment_id: String,
}

pub async fn arrive(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    PageForm(form): PageForm<DeploymentForm>,
) -> PageResult {
    deployment_action(&state, &user, &ctx, &id, &form, false).await
}

pub async fn clear(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    PageForm(form): PageForm<DeploymentForm>,
) -> PageResult {
    deployment_action(&state, &user, &ctx, &id, &form, true).await
}

/// Marks a deployment arrived (now) or cleared.
async fn deployment_action(
    state: &AppState,
    user: &Principal,
    ctx: &bluelamp_core::audit::RequestContext,
    id: &str,
    form: &DeploymentForm,
    is_clear: bool,
) -> PageResult {
    let id = parse_id(id)?;
    let result = match Uuid::parse_str(form.deployment_id.trim()) {
        Ok(d) if is_clear => state.core.clear_unit(user, id, form.version, d, ctx).await,
        Ok(d) => state.core.record_arrival(user, id, form.version, d, None, ctx).await,
        Err(_) => Err(Error::invalid("deployment", "Choose a deployed unit")),
    };
    after_change(state, user, id, result, Forms::default(), ctx).await
}
