//! People (POLE) pages: search as you type, a person's record with its history, adding a person with
//! likely duplicates offered first, and linking people to an incident. A failed form re-renders the
//! page with the user's words kept.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use bluelamp_core::access::{Permission, Principal};
use bluelamp_core::core::By;
use bluelamp_core::person::{
    IncidentRole, MarkerCategory, NameKind, NewPerson, Person, PersonEdit, PersonMatch, PersonSearch,
};
use bluelamp_core::{Error, FieldError, time};
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::auth::{Ctx, CurrentUser};
use crate::error::{Failure, PageError};
use crate::extract::PageForm;
use crate::shell::Shell;
use crate::templates::render;

type PageResult = Result<Response, PageError>;

fn parse_id(id: &str) -> Result<Uuid, PageError> {
    Uuid::parse_str(id).map_err(|_| PageError(Failure::Core(Error::NotFound)))
}

/// A date from the three GOV.UK date inputs; all empty is `None`; anything else invalid is an error
/// on `field`.
pub fn date_from_parts(
    field: &str,
    day: &str,
    month: &str,
    year: &str,
    errors: &mut Vec<FieldError>,
) -> Option<NaiveDate> {
    let (d, m, y) = (day.trim(), month.trim(), year.trim());
    if d.is_empty() && m.is_empty() && y.is_empty() {
        return None;
    }
    let parsed = match (d.parse::<u32>(), m.parse::<u32>(), y.parse::<i32>()) {
        (Ok(d), Ok(m), Ok(y)) if y >= 1000 => NaiveDate::from_ymd_opt(y, m, d),
        _ => None,
    };
    if parsed.is_none() {
        errors.push(FieldError::new(field, "Enter a real date, for example 27 3 1990"));
    }
    parsed
}

/// One search result as shown.
pub struct ResultRow {
    pub id: String,
    pub name: String,
    pub other_names: String,
    pub dob: String,
    pub address: String,
    pub reasons: String,
    pub markers: Vec<(String, String)>,
}

fn result_row(m: &PersonMatch, today: NaiveDate) -> ResultRow {
    let p = &m.person;
    ResultRow {
        id: p.id.to_string(),
        name: p.display_name(),
        other_names: p.names.iter().skip(1).map(|n| n.full()).collect::<Vec<_>>().join(", "),
        dob: dob_text(p, today),
        address: p.current_address().map(|a| a.text.clone()).unwrap_or_default(),
        reasons: m.reasons.join("; "),
        markers: p
            .active_markers()
            .map(|mk| (mk.category.as_str().to_string(), mk.category.label().to_string()))
            .collect(),
    }
}

fn dob_text(p: &Person, today: NaiveDate) -> String {
    match (p.date_of_birth, p.age_on(today)) {
        (Some(d), Some(age)) => format!("{} (age {age})", d.format("%-d %b %Y")),
        (Some(d), None) => d.format("%-d %b %Y").to_string(),
        _ => "Not known".into(),
    }
}

fn today(state: &AppState) -> NaiveDate {
    state.core.now().with_timezone(&chrono_tz::Europe::London).date_naive()
}

#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    name: String,
    #[serde(default)]
    dob_day: String,
    #[serde(default)]
    dob_month: String,
    #[serde(default)]
    dob_year: String,
    #[serde(default)]
    address: String,
}

#[derive(Template)]
#[template(path = "people/search.html")]
pub struct SearchPage {
    pub shell: Shell,
    pub action: String,
    pub q: SearchQuery,
    pub searched: bool,
    pub results: Vec<ResultRow>,
    /// Set when linking people to an incident: (id, reference, version).
    pub incident: Option<(String, String, i64)>,
    pub roles: Vec<(&'static str, &'static str)>,
    pub can_create: bool,
    pub new_href: String,
}

impl SearchPage {
    fn dob_error(&self) -> Option<String> {
        self.shell.errors.iter().find(|e| e.field == "dob_day").map(|e| e.rule.clone())
    }
}

async fn search_page(
    state: &AppState,
    user: &Principal,
    q: SearchQuery,
    incident: Option<(String, String, i64)>,
    ctx: &bluelamp_core::audit::RequestContext,
    extra_errors: Vec<FieldError>,
) -> Result<SearchPage, PageError> {
    let mut errors = Vec::new();
    let dob = date_from_parts("dob_day", &q.dob_day, &q.dob_month, &q.dob_year, &mut errors);
    let search =
        PersonSearch { name: q.name.clone(), date_of_birth: dob, address: q.address.clone(), phone: String::new() };
    let searched = !search.is_empty();
    let results = if errors.is_empty() && searched {
        let day = today(state);
        state.core.search_people(By::User(user), &search, 25, ctx).await?.iter().map(|m| result_row(m, day)).collect()
    } else {
        Vec::new()
    };
    let title = match &incident {
        Some((_, reference, _)) => format!("Add a person to incident {reference}"),
        None => "Find a person".to_string(),
    };
    let mut shell = Shell::for_user(user, &title, "/people");
    shell.errors = errors.into_iter().chain(extra_errors).collect();
    let action = match &incident {
        Some((id, _, _)) => format!("/incidents/{id}/people"),
        None => "/people".into(),
    };
    let (fore, sur) = bluelamp_core::person::split_name(&q.name);
    let mut new_href = format!("/people/new?forenames={}&surname={}", urlencoding(&fore), urlencoding(&sur));
    if let Some((id, _, _)) = &incident {
        new_href.push_str(&format!("&incident={id}"));
    }
    Ok(SearchPage {
        shell,
        action,
        q,
        searched,
        results,
        incident,
        roles: IncidentRole::ALL.iter().map(|r| (r.as_str(), r.label())).collect(),
        can_create: user.can(Permission::PersonRecord),
        new_href,
    })
}

/// Percent-encodes a query-string value (letters, digits and `-._~` pass through).
fn urlencoding(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub async fn search(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Query(q): Query<SearchQuery>,
) -> PageResult {
    let page = search_page(&state, &user, q, None, &ctx, Vec::new()).await?;
    let status = if page.shell.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok(render(status, &page))
}

/// Search to link a person to an incident.
pub async fn incident_search(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    Query(q): Query<SearchQuery>,
) -> PageResult {
    let record = state.core.view_incident(&user, parse_id(&id)?, &ctx).await?;
    let i = &record.incident;
    let page =
        search_page(&state, &user, q, Some((i.id.to_string(), i.reference.clone(), i.version)), &ctx, Vec::new())
            .await?;
    let status = if page.shell.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok(render(status, &page))
}

#[derive(Debug, Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    version: i64,
    #[serde(default)]
    person_id: String,
    #[serde(default)]
    role: String,
}

pub async fn link(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    PageForm(form): PageForm<LinkForm>,
) -> PageResult {
    let id = parse_id(&id)?;
    let result = match (Uuid::parse_str(form.person_id.trim()), form.role.parse::<IncidentRole>()) {
        (Ok(person), Ok(role)) => state.core.link_person(&user, id, form.version, person, role, &ctx).await,
        (Err(_), _) => Err(Error::invalid("person_id", "Choose a person from the search")),
        (_, Err(_)) => Err(Error::invalid("role", "Choose the person's part in the incident")),
    };
    let errors = match result {
        Ok(_) => return Ok(Redirect::to(&format!("/incidents/{id}")).into_response()),
        Err(Error::Invalid(errors)) => errors,
        Err(Error::Conflict(message)) => vec![FieldError::new("version", format!("{message}. Try again."))],
        Err(e) => return Err(e.into()),
    };
    let record = state.core.view_incident(&user, id, &ctx).await?;
    let i = &record.incident;
    let page = search_page(
        &state,
        &user,
        SearchQuery::default(),
        Some((i.id.to_string(), i.reference.clone(), i.version)),
        &ctx,
        errors,
    )
    .await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

// ---- New person -------------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
pub struct NewPersonForm {
    #[serde(default)]
    pub forenames: String,
    #[serde(default)]
    pub surname: String,
    #[serde(default)]
    pub dob_day: String,
    #[serde(default)]
    pub dob_month: String,
    #[serde(default)]
    pub dob_year: String,
    #[serde(default)]
    pub sex: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
    /// The incident to link the new person to, if adding from an incident.
    #[serde(default)]
    pub incident: String,
    #[serde(default)]
    pub role: String,
    /// "yes" once the handler has seen the likely duplicates and says this is someone new.
    #[serde(default)]
    pub confirmed: String,
}

#[derive(Template)]
#[template(path = "people/new.html")]
pub struct NewPersonPage {
    pub shell: Shell,
    pub form: NewPersonForm,
    pub sexes: Vec<(&'static str, &'static str)>,
    pub roles: Vec<(&'static str, &'static str)>,
    pub duplicates: Vec<ResultRow>,
    /// (id, reference, version) of the incident being added to.
    pub incident: Option<(String, String, i64)>,
}

impl NewPersonPage {
    fn name_fields(&self) -> Vec<(&'static str, &'static str, String)> {
        vec![("forenames", "Forenames", self.form.forenames.clone()), ("surname", "Surname", self.form.surname.clone())]
    }

    fn contact_fields(&self) -> Vec<(&'static str, &'static str, String)> {
        vec![
            ("address", "Current address", self.form.address.clone()),
            ("phone", "Phone number", self.form.phone.clone()),
        ]
    }

    fn error(&self, field: &str) -> Option<String> {
        self.shell.errors.iter().find(|e| e.field == field).map(|e| e.rule.clone())
    }
}

fn new_person_page(
    user: &Principal,
    form: NewPersonForm,
    incident: Option<(String, String, i64)>,
    duplicates: Vec<ResultRow>,
    errors: Vec<FieldError>,
) -> NewPersonPage {
    let mut shell = Shell::for_user(user, "Add a person", "/people");
    shell.errors = errors
        .into_iter()
        .map(|e| match e.field.as_str() {
            "date_of_birth" => FieldError::new("dob_day", e.rule),
            "duplicates" => FieldError::new("possible-matches", e.rule),
            _ => e,
        })
        .collect();
    NewPersonPage {
        shell,
        form,
        sexes: bluelamp_core::person::Sex::ALL.iter().map(|s| (s.as_str(), s.label())).collect(),
        roles: IncidentRole::ALL.iter().map(|r| (r.as_str(), r.label())).collect(),
        duplicates,
        incident,
    }
}

async fn incident_context(
    state: &AppState,
    user: &Principal,
    incident: &str,
    ctx: &bluelamp_core::audit::RequestContext,
) -> Result<Option<(String, String, i64)>, PageError> {
    if incident.trim().is_empty() {
        return Ok(None);
    }
    let record = state.core.view_incident(user, parse_id(incident.trim())?, ctx).await?;
    let i = record.incident;
    Ok(Some((i.id.to_string(), i.reference, i.version)))
}

pub async fn new_form(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Query(form): Query<NewPersonForm>,
) -> PageResult {
    let incident = incident_context(&state, &user, &form.incident, &ctx).await?;
    let form = NewPersonForm { role: if form.role.is_empty() { "victim".into() } else { form.role }, ..form };
    Ok(render(StatusCode::OK, &new_person_page(&user, form, incident, Vec::new(), Vec::new())))
}

pub async fn create(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    PageForm(form): PageForm<NewPersonForm>,
) -> PageResult {
    let incident = incident_context(&state, &user, &form.incident, &ctx).await?;
    let mut errors = Vec::new();
    let dob = date_from_parts("date_of_birth", &form.dob_day, &form.dob_month, &form.dob_year, &mut errors);
    let role = if incident.is_some() {
        match form.role.parse::<IncidentRole>() {
            Ok(role) => Some(role),
            Err(_) => {
                errors.push(FieldError::new("role", "Choose the person's part in the incident"));
                None
            }
        }
    } else {
        None
    };
    let new = NewPerson {
        forenames: form.forenames.clone(),
        surname: form.surname.clone(),
        date_of_birth: dob,
        sex: form.sex.clone(),
        address: form.address.clone(),
        phone: form.phone.clone(),
    };
    let by = By::User(&user);
    let result = if errors.is_empty() {
        state.core.create_person(by, &new, form.confirmed == "yes", &ctx).await
    } else {
        Err(Error::Invalid(errors))
    };
    match result {
        Ok(person) => {
            if let (Some((id, _, version)), Some(role)) = (&incident, role) {
                let incident_id = parse_id(id)?;
                state.core.link_person(&user, incident_id, *version, person.id, role, &ctx).await?;
                return Ok(Redirect::to(&format!("/incidents/{incident_id}")).into_response());
            }
            Ok(Redirect::to(&format!("/people/{}", person.id)).into_response())
        }
        Err(Error::Invalid(errors)) => {
            let duplicates = if errors.iter().any(|e| e.field == "duplicates") {
                let day = today(&state);
                state.core.person_duplicates(by, &new).await?.iter().map(|m| result_row(m, day)).collect()
            } else {
                Vec::new()
            };
            let page = new_person_page(&user, form, incident, duplicates, errors);
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

// ---- A person's record ----------------------------------------------------------------------------

pub struct MarkerRow {
    pub id: String,
    pub category: String,
    pub category_code: String,
    pub detail: String,
    pub set: String,
    pub ended: String,
}

#[derive(Template)]
#[template(path = "people/show.html")]
pub struct PersonPage {
    pub shell: Shell,
    pub id: String,
    pub name: String,
    pub version: i64,
    pub rows: Vec<(&'static str, String)>,
    pub names: Vec<(String, String)>,
    pub addresses: Vec<(String, String, String)>,
    pub phones: Vec<String>,
    pub active_markers: Vec<MarkerRow>,
    pub ended_markers: Vec<MarkerRow>,
    /// (incident id, reference, received, role, category)
    pub incidents: Vec<(String, String, String, String, String)>,
    pub can_record: bool,
    pub name_kinds: Vec<(&'static str, &'static str)>,
    pub marker_categories: Vec<(&'static str, &'static str)>,
    pub typed: EditForm,
    pub merge: super::merge::PersonMergePanel,
}

impl PersonPage {
    fn error(&self, field: &str) -> Option<String> {
        self.shell.errors.iter().find(|e| e.field == field).map(|e| e.rule.clone())
    }
}

fn marker_row(m: &bluelamp_core::person::Marker) -> MarkerRow {
    MarkerRow {
        id: m.id.to_string(),
        category: m.category.label().to_string(),
        category_code: m.category.as_str().to_string(),
        detail: m.detail.clone(),
        set: format!("{} by {}", time::london(m.set_at), m.set_by_name),
        ended: match (m.ended_at, &m.ended_by_name, &m.end_reason) {
            (Some(at), by, reason) => {
                format!("{} by {}: {}", time::london(at), by.as_deref().unwrap_or(""), reason.as_deref().unwrap_or(""))
            }
            _ => String::new(),
        },
    }
}

async fn person_page(
    state: &AppState,
    user: &Principal,
    person: Person,
    typed: EditForm,
    errors: Vec<FieldError>,
    ctx: &bluelamp_core::audit::RequestContext,
) -> Result<PersonPage, PageError> {
    let day = today(state);
    let merge = super::merge::panel(state, user, &person, ctx).await?;
    let incidents = if user.can(Permission::IncidentView) {
        state
            .core
            .person_incidents(By::User(user), person.id)
            .await?
            .into_iter()
            .map(|(role, i)| {
                (
                    i.id.to_string(),
                    i.reference.clone(),
                    time::london(i.received_at),
                    role.label().to_string(),
                    super::incidents::category_label(&state.core.settings.nsir, &i.opening_category),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut shell = Shell::for_user(user, &person.display_name(), "/people");
    shell.errors = errors;
    Ok(PersonPage {
        shell,
        id: person.id.to_string(),
        name: person.display_name(),
        version: person.version,
        rows: vec![
            ("Date of birth", dob_text(&person, day)),
            ("Sex", person.sex.label().to_string()),
            ("Recorded", format!("{} by {}", time::london(person.created_at), person.created_by_name)),
        ],
        names: person.names.iter().map(|n| (n.full(), n.kind.label().to_string())).collect(),
        addresses: person
            .addresses
            .iter()
            .rev()
            .map(|a| {
                (
                    a.text.clone(),
                    a.from.map(|d| d.format("%-d %b %Y").to_string()).unwrap_or_else(|| "Not known".into()),
                    a.to.map(|d| d.format("%-d %b %Y").to_string()).unwrap_or_else(|| "Current".into()),
                )
            })
            .collect(),
        phones: person.phones.iter().map(|p| p.number.clone()).collect(),
        active_markers: person.active_markers().map(marker_row).collect(),
        ended_markers: person.markers.iter().filter(|m| !m.is_active()).map(marker_row).collect(),
        incidents,
        can_record: user.can(Permission::PersonRecord) && person.merged_into.is_none(),
        name_kinds: NameKind::ALL
            .iter()
            .filter(|k| **k != NameKind::Primary)
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        marker_categories: MarkerCategory::ALL.iter().map(|c| (c.as_str(), c.label())).collect(),
        typed,
        merge,
    })
}

pub async fn show(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let person = state.core.view_person(By::User(&user), parse_id(&id)?, &ctx).await?;
    Ok(render(StatusCode::OK, &person_page(&state, &user, person, EditForm::default(), Vec::new(), &ctx).await?))
}

/// Every edit form on the person page posts these fields (each form only some of them).
#[derive(Debug, Default, Deserialize)]
pub struct EditForm {
    #[serde(default)]
    pub version: i64,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub forenames: String,
    #[serde(default)]
    pub surname: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub from_day: String,
    #[serde(default)]
    pub from_month: String,
    #[serde(default)]
    pub from_year: String,
    #[serde(default)]
    pub number: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub detail: String,
    #[serde(default)]
    pub reason: String,
}

/// Which edit a form post is.
#[derive(Debug, Clone, Copy)]
pub enum EditKind {
    Name,
    Address,
    Phone,
    Marker,
}

async fn apply(
    state: &AppState,
    user: &Principal,
    ctx: &bluelamp_core::audit::RequestContext,
    id: Uuid,
    form: EditForm,
    edit: Result<PersonEdit, Vec<FieldError>>,
) -> PageResult {
    let result = match edit {
        Ok(edit) => state.core.edit_person(By::User(user), id, form.version, &edit, ctx).await,
        Err(errors) => Err(Error::Invalid(errors)),
    };
    let errors = match result {
        Ok(_) => return Ok(Redirect::to(&format!("/people/{id}")).into_response()),
        // The moved-in date's first input carries its errors, so the summary's link lands on it.
        Err(Error::Invalid(errors)) => errors
            .into_iter()
            .map(|e| if e.field == "from" { FieldError::new("from_day", e.rule) } else { e })
            .collect(),
        Err(Error::Conflict(message)) => vec![FieldError::new("version", message)],
        Err(e) => return Err(e.into()),
    };
    let status = if errors.iter().any(|e| e.field == "version") {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let person = state.core.view_person(By::User(user), id, ctx).await?;
    Ok(render(status, &person_page(state, user, person, form, errors, ctx).await?))
}

fn edit_of(kind: EditKind, form: &EditForm) -> Result<PersonEdit, Vec<FieldError>> {
    match kind {
        EditKind::Name => match form.kind.parse::<NameKind>() {
            Ok(kind) => {
                Ok(PersonEdit::AddName { kind, forenames: form.forenames.clone(), surname: form.surname.clone() })
            }
            Err(_) => Err(vec![FieldError::new("kind", "Choose what kind of name this is")]),
        },
        EditKind::Address => {
            let mut errors = Vec::new();
            let from = date_from_parts("from_day", &form.from_day, &form.from_month, &form.from_year, &mut errors);
            if errors.is_empty() { Ok(PersonEdit::MoveTo { address: form.address.clone(), from }) } else { Err(errors) }
        }
        EditKind::Phone => Ok(PersonEdit::AddPhone { number: form.number.clone() }),
        EditKind::Marker => match form.category.parse::<MarkerCategory>() {
            Ok(category) => Ok(PersonEdit::AddMarker { category, detail: form.detail.clone() }),
            Err(_) => Err(vec![FieldError::new("category", "Choose the kind of marker")]),
        },
    }
}

macro_rules! edit_handler {
    ($name:ident, $kind:expr) => {
        pub async fn $name(
            State(state): State<AppState>,
            CurrentUser(user): CurrentUser,
            Ctx(ctx): Ctx,
            Path(id): Path<String>,
            PageForm(form): PageForm<EditForm>,
        ) -> PageResult {
            let id = parse_id(&id)?;
            let edit = edit_of($kind, &form);
            apply(&state, &user, &ctx, id, form, edit).await
        }
    };
}

edit_handler!(add_name, EditKind::Name);
edit_handler!(add_address, EditKind::Address);
edit_handler!(add_phone, EditKind::Phone);
edit_handler!(add_marker, EditKind::Marker);

pub async fn end_marker(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path((id, marker)): Path<(String, String)>,
    PageForm(form): PageForm<EditForm>,
) -> PageResult {
    let id = parse_id(&id)?;
    let marker_id = parse_id(&marker)?;
    let edit = Ok(PersonEdit::EndMarker { marker_id, reason: form.reason.clone() });
    apply(&state, &user, &ctx, id, form, edit).await
}
