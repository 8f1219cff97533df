//! Crime pages: recent crimes, recording a crime (from an incident, with its people already there, or
//! directly), the crime page with everything linked (its investigation and outcome are on their own
//! page, `pages::investigation`), reclassification, and the registrar's NCRS compliance report. A
//! failed form re-renders with what was typed.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use bluelamp_core::access::{Permission, Principal};
use bluelamp_core::core::By;
use bluelamp_core::crime::{Crime, CrimeFlag, CrimeRecord, CrimeRole, CrimeStatus, HateStrand, NewCrime};
use bluelamp_core::person::{IncidentRole, PersonSearch};
use bluelamp_core::pole::{
    IdentifierKind, LocationRole, NewObject, NewOrganisation, ObjectKind, ObjectRole, OrganisationKind,
};
use bluelamp_core::{Error, FieldError, time};
use chrono::{DateTime, NaiveTime, TimeZone, Utc};
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

/// A UK local date and time from the GOV.UK date inputs and an "HH:MM" field; all empty is `None`.
fn local_time(
    field: &str,
    (day, month, year, clock): (&str, &str, &str, &str),
    errors: &mut Vec<FieldError>,
) -> Option<DateTime<Utc>> {
    let date = super::people::date_from_parts(&format!("{field}_day"), day, month, year, errors)?;
    let clock = clock.trim();
    let t = if clock.is_empty() {
        NaiveTime::from_hms_opt(0, 0, 0)
    } else {
        NaiveTime::parse_from_str(clock, "%H:%M").ok()
    };
    let Some(t) = t else {
        errors.push(FieldError::new(format!("{field}_time"), "Enter the time as hours and minutes, for example 21:30"));
        return None;
    };
    chrono_tz::Europe::London.from_local_datetime(&date.and_time(t)).earliest().map(|l| l.with_timezone(&Utc))
}

fn offence_groups(state: &AppState) -> Vec<(&'static str, Vec<(String, String)>)> {
    state
        .core
        .settings
        .offences
        .by_group()
        .into_iter()
        .map(|(g, list)| {
            (g.label(), list.into_iter().map(|o| (o.code.clone(), format!("{} – {}", o.code, o.label))).collect())
        })
        .collect()
}

// ---- Recent crimes ----------------------------------------------------------------------------------

pub struct CrimeRow {
    pub id: String,
    pub number: String,
    pub offence: String,
    pub recorded: String,
    pub status: String,
    pub ncrs: &'static str,
    pub division: String,
    pub recorded_by: String,
}

fn crime_row(c: &Crime) -> CrimeRow {
    CrimeRow {
        id: c.id.to_string(),
        number: c.number.clone(),
        offence: format!("{} {}", c.offence_code, c.offence_label),
        recorded: time::london(c.recorded_at),
        status: c.status.label().to_string(),
        ncrs: if c.is_ncrs_compliant() { "Within 24 hours" } else { "Over 24 hours" },
        division: c.division.clone(),
        recorded_by: c.recorded_by_name.clone(),
    }
}

#[derive(Template)]
#[template(path = "crimes/list.html")]
pub struct ListPage {
    pub shell: Shell,
    pub rows: Vec<CrimeRow>,
    pub can_record: bool,
    pub can_report: bool,
    /// The search as typed, and whether one was made.
    pub q: bluelamp_core::crime_search::CrimeSearchInput,
    pub searched: bool,
    /// "Crimes 1 to 25 of 1,234", and links to the pages either side.
    pub summary: String,
    pub previous: Option<String>,
    pub next: Option<String>,
    /// Who a name was taken to mean.
    pub people: Vec<(String, String)>,
    pub groups: Vec<(&'static str, &'static str)>,
    pub flags: Vec<(&'static str, &'static str, bool)>,
    pub statuses: Vec<(&'static str, &'static str)>,
    pub roles: Vec<(&'static str, &'static str)>,
}

impl ListPage {
    fn error(&self, field: &str) -> Option<String> {
        let all: Vec<&str> = self.shell.errors.iter().filter(|e| e.field == field).map(|e| e.rule.as_str()).collect();
        (!all.is_empty()).then(|| all.join(". "))
    }

    /// (field, label, value) of the point's inputs.
    fn point_fields(&self) -> Vec<(&'static str, &'static str, String)> {
        vec![
            ("lat", "Latitude", self.q.lat.clone()),
            ("lon", "Longitude", self.q.lon.clone()),
            ("radius_m", "Radius (metres)", self.q.radius_m.clone()),
        ]
    }

    /// (field, label, value) of the date inputs.
    fn date_fields(&self) -> Vec<(&'static str, &'static str, String)> {
        vec![
            ("recorded_from", "Recorded from", self.q.recorded_from.clone()),
            ("recorded_to", "Recorded to", self.q.recorded_to.clone()),
            ("occurred_from", "Happened from", self.q.occurred_from.clone()),
            ("occurred_to", "Happened to", self.q.occurred_to.clone()),
        ]
    }

    fn paging_fields(&self) -> [&'static str; 2] {
        ["limit", "offset"]
    }
}

/// `1234` as "1,234".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The search's query string with another offset, for the paging links.
fn search_href(q: &bluelamp_core::crime_search::CrimeSearchInput, offset: u32) -> String {
    fn encode(s: &str) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    }
    let mut parts: Vec<String> = q
        .fields()
        .into_iter()
        .filter(|(k, v)| *k != "offset" && !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v.trim())))
        .collect();
    parts.extend(q.flags.iter().filter(|f| !f.trim().is_empty()).map(|f| format!("flags={}", encode(f.trim()))));
    parts.push(format!("offset={offset}"));
    format!("/crimes?{}", parts.join("&"))
}

/// Recent crimes, or a search when anything is given to search by (GET, so it works without
/// script and a search can be bookmarked).
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    PageForm(params): PageForm<crate::api_crimes::CrimeSearchParams>,
) -> PageResult {
    let q = params.into_input();
    let searched = !q.is_empty();
    let mut page = ListPage {
        shell: Shell::for_user(&user, "Crimes", "/crimes"),
        rows: Vec::new(),
        can_record: user.can(Permission::CrimeRecord),
        can_report: user.can(Permission::NcrsView),
        flags: CrimeFlag::ALL
            .iter()
            .map(|f| (f.as_str(), f.label(), q.flags.iter().any(|x| x == f.as_str())))
            .collect(),
        q,
        searched,
        summary: String::new(),
        previous: None,
        next: None,
        people: Vec::new(),
        groups: bluelamp_core::offence::OffenceGroup::ALL.iter().map(|g| (g.as_str(), g.label())).collect(),
        statuses: CrimeStatus::ALL.iter().map(|s| (s.as_str(), s.label())).collect(),
        roles: CrimeRole::ALL.iter().map(|r| (r.as_str(), r.label())).collect(),
    };
    if !searched {
        page.rows = state.core.recent_crimes(&user, 100).await?.iter().map(crime_row).collect();
        return Ok(render(StatusCode::OK, &page));
    }
    match state.core.search_crimes(&user, &page.q, &ctx).await {
        Ok(result) => {
            page.rows = result.crimes.iter().map(crime_row).collect();
            let of =
                if result.more { format!("more than {}", thousands(result.total)) } else { thousands(result.total) };
            page.summary = if result.crimes.is_empty() {
                if result.total == 0 { "No crimes match".into() } else { format!("No crimes on this page, of {of}") }
            } else {
                let first = u64::from(result.offset) + 1;
                format!("Crimes {} to {} of {of}", thousands(first), thousands(first + result.crimes.len() as u64 - 1))
            };
            if result.offset > 0 {
                page.previous = Some(search_href(&page.q, result.offset.saturating_sub(result.limit)));
            }
            let shown = u64::from(result.offset) + result.crimes.len() as u64;
            if (shown < result.total || result.more) && shown < u64::from(bluelamp_core::crime_search::MAX_OFFSET) {
                page.next = Some(search_href(&page.q, result.offset + result.limit));
            }
            page.people = result.people.iter().map(|m| (m.person.id.to_string(), m.person.display_name())).collect();
            Ok(render(StatusCode::OK, &page))
        }
        Err(Error::Invalid(errors)) => {
            page.shell.errors = errors;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

// ---- Recording a crime ------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
pub struct NewCrimeForm {
    #[serde(default)]
    pub incident: String,
    /// A name to search for people to add (the search form).
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub offence_code: String,
    #[serde(default)]
    pub from_day: String,
    #[serde(default)]
    pub from_month: String,
    #[serde(default)]
    pub from_year: String,
    #[serde(default)]
    pub from_time: String,
    #[serde(default)]
    pub to_day: String,
    #[serde(default)]
    pub to_month: String,
    #[serde(default)]
    pub to_year: String,
    #[serde(default)]
    pub to_time: String,
    #[serde(default)]
    pub location_text: String,
    #[serde(default)]
    pub modus_operandi: String,
    #[serde(default)]
    pub flags: Vec<String>,
    #[serde(default)]
    pub hate_strands: Vec<String>,
    #[serde(default)]
    pub injury_recorded: Option<String>,
    /// One per candidate person: "<person id>:<role>", or empty when not involved.
    #[serde(default)]
    pub people: Vec<String>,
    /// A victim organisation (a shop, a business): its name, address and kind.
    #[serde(default)]
    pub org_name: String,
    #[serde(default)]
    pub org_address: String,
    #[serde(default)]
    pub org_kind: String,
    /// Property rows: each list holds one entry per row of the form.
    #[serde(default)]
    pub object_kind: Vec<String>,
    #[serde(default)]
    pub object_description: Vec<String>,
    #[serde(default)]
    pub object_identifier_kind: Vec<String>,
    #[serde(default)]
    pub object_identifier: Vec<String>,
    #[serde(default)]
    pub object_value: Vec<String>,
    #[serde(default)]
    pub object_role: Vec<String>,
}

/// The organisations and objects a new-crime form names, with their roles.
type Pole = (Vec<(NewOrganisation, CrimeRole)>, Vec<(NewObject, ObjectRole)>);

/// How many property rows the form shows.
const PROPERTY_ROWS: usize = 2;

/// One property row as typed (for re-rendering the form).
pub struct PropertyRow {
    pub n: usize,
    pub kind: String,
    pub description: String,
    pub identifier_kind: String,
    pub identifier: String,
    pub value: String,
    pub role: String,
}

impl NewCrimeForm {
    fn nth(list: &[String], n: usize) -> String {
        list.get(n).cloned().unwrap_or_default()
    }

    /// The property rows as typed, padded to [`PROPERTY_ROWS`].
    pub fn property_rows(&self) -> Vec<PropertyRow> {
        let filled = self.object_description.len().max(self.object_identifier.len()).max(self.object_value.len());
        (0..filled.max(PROPERTY_ROWS))
            .map(|n| PropertyRow {
                n,
                kind: Self::nth(&self.object_kind, n),
                description: Self::nth(&self.object_description, n),
                identifier_kind: Self::nth(&self.object_identifier_kind, n),
                identifier: Self::nth(&self.object_identifier, n),
                value: Self::nth(&self.object_value, n),
                role: Self::nth(&self.object_role, n),
            })
            .collect()
    }

    /// The organisation and property the form names (blank rows are left out), with their roles.
    fn pole(&self) -> Pole {
        // The address is filled in from the incident, so only a name makes an organisation.
        let organisations = if self.org_name.trim().is_empty() {
            Vec::new()
        } else {
            vec![(
                NewOrganisation {
                    name: self.org_name.clone(),
                    kind: self.org_kind.clone(),
                    address: self.org_address.clone(),
                    phone: String::new(),
                },
                CrimeRole::Victim,
            )]
        };
        let objects = self
            .property_rows()
            .into_iter()
            .map(|r| {
                let object = NewObject {
                    kind: if r.kind.is_empty() { "property".into() } else { r.kind },
                    description: r.description,
                    identifier_kind: r.identifier_kind,
                    identifier: r.identifier,
                    value: r.value,
                    ..Default::default()
                };
                (object, r.role.parse::<ObjectRole>().unwrap_or(ObjectRole::Stolen))
            })
            .filter(|(o, _)| !o.is_blank())
            .collect();
        (organisations, objects)
    }
}

/// A person who may be added, and the role chosen (empty: not involved).
pub struct Candidate {
    pub id: String,
    pub name: String,
    pub detail: String,
    pub role: String,
}

#[derive(Template)]
#[template(path = "crimes/new.html")]
pub struct NewCrimePage {
    pub shell: Shell,
    pub form: NewCrimeForm,
    /// (id, reference) of the incident it comes from.
    pub incident: Option<(String, String)>,
    pub offence_groups: Vec<(&'static str, Vec<(String, String)>)>,
    pub flags: Vec<(&'static str, &'static str)>,
    pub strands: Vec<(&'static str, &'static str)>,
    pub roles: Vec<(&'static str, &'static str)>,
    pub candidates: Vec<Candidate>,
    pub searched: bool,
    pub organisation_kinds: Vec<(&'static str, &'static str)>,
    pub object_kinds: Vec<(&'static str, &'static str)>,
    pub identifier_kinds: Vec<(&'static str, &'static str)>,
    pub object_roles: Vec<(&'static str, &'static str)>,
}

impl NewCrimePage {
    fn error(&self, field: &str) -> Option<String> {
        self.shell.errors.iter().find(|e| e.field == field).map(|e| e.rule.clone())
    }

    fn object_error(&self, n: &usize, field: &str) -> Option<String> {
        self.error(&format!("object-{n}-{field}"))
    }

    fn people_error(&self) -> Option<String> {
        let all: Vec<String> =
            self.shell.errors.iter().filter(|e| e.field.starts_with("people")).map(|e| e.rule.clone()).collect();
        (!all.is_empty()).then(|| all.join(". "))
    }
}

fn role_for_incident(role: IncidentRole) -> &'static str {
    match role {
        IncidentRole::Victim => "victim",
        IncidentRole::Suspect => "suspect",
        IncidentRole::Witness => "witness",
        IncidentRole::Caller => "reporting-person",
        IncidentRole::Subject | IncidentRole::Other => "",
    }
}

async fn new_page(
    state: &AppState,
    user: &Principal,
    mut form: NewCrimeForm,
    errors: Vec<FieldError>,
    ctx: &Ctx2,
) -> Result<NewCrimePage, PageError> {
    let mut candidates: Vec<Candidate> = Vec::new();
    let chosen = |id: &str| {
        form.people.iter().find_map(|p| p.split_once(':').filter(|(pid, _)| *pid == id).map(|(_, r)| r.to_string()))
    };
    let incident = match form.incident.trim() {
        "" => None,
        id => {
            let record = state.core.view_incident(user, parse_id(id)?, ctx).await?;
            if form.location_text.is_empty() {
                form.location_text = record.incident.location_text.clone();
            }
            if form.org_address.is_empty() {
                form.org_address = record.incident.location_text.clone();
            }
            for p in &record.people {
                if candidates.iter().any(|c| c.id == p.person_id.to_string()) {
                    continue;
                }
                let id = p.person_id.to_string();
                let role = chosen(&id).unwrap_or_else(|| role_for_incident(p.role).to_string());
                candidates.push(Candidate {
                    id,
                    name: p.name.clone(),
                    detail: format!("{} on the incident", p.role.label()),
                    role,
                });
            }
            Some((record.incident.id.to_string(), record.incident.reference.clone()))
        }
    };
    // People chosen in an earlier step stay on the form.
    let earlier: Vec<Uuid> = form
        .people
        .iter()
        .filter_map(|p| p.split_once(':').filter(|(_, r)| !r.is_empty()))
        .filter_map(|(id, _)| Uuid::parse_str(id).ok())
        .filter(|id| !candidates.iter().any(|c| c.id == id.to_string()))
        .collect();
    for (id, name) in state.core.store.person_names(&earlier).await? {
        let id_text = id.to_string();
        candidates.push(Candidate {
            role: chosen(&id_text).unwrap_or_default(),
            id: id_text,
            name,
            detail: String::new(),
        });
    }
    let searched = !form.name.trim().is_empty();
    if searched {
        let search = PersonSearch { name: form.name.clone(), ..Default::default() };
        for m in state.core.search_people(By::User(user), &search, 10, ctx).await? {
            let id = m.person.id.to_string();
            if candidates.iter().any(|c| c.id == id) {
                continue;
            }
            candidates.push(Candidate {
                role: chosen(&id).unwrap_or_default(),
                id,
                name: m.person.display_name(),
                detail: m.reasons.join("; "),
            });
        }
    }
    let mut shell = Shell::for_user(user, "Record a crime", "/crimes");
    shell.errors = errors
        .into_iter()
        .map(|e| match e.field.as_str() {
            f if f.starts_with("people") => FieldError::new("people", e.rule),
            f if f.starts_with("organisations.") => {
                FieldError::new(format!("org_{}", f.rsplit('.').next().unwrap_or("name")), e.rule)
            }
            f if f.starts_with("objects.") => {
                FieldError::new(f.replace('.', "-").replacen("objects", "object", 1), e.rule)
            }
            "occurred_from" => FieldError::new("from_day", e.rule),
            "occurred_to" => FieldError::new("to_day", e.rule),
            _ => e,
        })
        .collect();
    Ok(NewCrimePage {
        shell,
        form,
        incident,
        offence_groups: offence_groups(state),
        flags: CrimeFlag::ALL.iter().map(|f| (f.as_str(), f.label())).collect(),
        strands: HateStrand::ALL.iter().map(|h| (h.as_str(), h.label())).collect(),
        roles: CrimeRole::ALL.iter().map(|r| (r.as_str(), r.label())).collect(),
        candidates,
        searched,
        organisation_kinds: OrganisationKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect(),
        object_kinds: ObjectKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect(),
        identifier_kinds: IdentifierKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect(),
        object_roles: ObjectRole::ALL.iter().map(|k| (k.as_str(), k.label())).collect(),
    })
}

pub async fn new_form(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Query(form): Query<NewCrimeForm>,
) -> PageResult {
    Ok(render(StatusCode::OK, &new_page(&state, &user, form, Vec::new(), &ctx).await?))
}

pub async fn create(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    PageForm(form): PageForm<NewCrimeForm>,
) -> PageResult {
    let mut errors = Vec::new();
    let occurred_from =
        local_time("from", (&form.from_day, &form.from_month, &form.from_year, &form.from_time), &mut errors);
    let occurred_to = local_time("to", (&form.to_day, &form.to_month, &form.to_year, &form.to_time), &mut errors);
    let incident_id = match form.incident.trim() {
        "" => None,
        id => Some(parse_id(id)?),
    };
    let mut people = Vec::new();
    for entry in &form.people {
        match entry.split_once(':') {
            Some((_, "")) | None => {}
            Some((id, role)) => match (Uuid::parse_str(id), role.parse::<CrimeRole>()) {
                (Ok(id), Ok(role)) => people.push((id, role)),
                _ => errors.push(FieldError::new("people", "Choose each person's part from the list")),
            },
        }
    }
    let (organisations, objects) = form.pole();
    let new = NewCrime {
        organisations,
        objects,
        incident_id,
        offence_code: form.offence_code.clone(),
        occurred_from,
        occurred_to,
        location_text: form.location_text.clone(),
        latitude: None,
        longitude: None,
        modus_operandi: form.modus_operandi.clone(),
        flags: form.flags.clone(),
        hate_strands: form.hate_strands.clone(),
        injury_recorded: form.injury_recorded.is_some(),
        people,
    };
    let result = if errors.is_empty() {
        state.core.record_crime(&user, &new, &ctx).await
    } else {
        // Name every broken rule at once: the form's own and the crime's.
        errors.extend(state.core.crime_entry_errors(&user, &new).await?);
        Err(Error::Invalid(errors))
    };
    match result {
        Ok(crime) => Ok(Redirect::to(&format!("/crimes/{}", crime.id)).into_response()),
        Err(Error::Invalid(errors)) => {
            let page = new_page(&state, &user, form, errors, &ctx).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

// ---- The crime page ---------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "crimes/show.html")]
pub struct CrimePage {
    pub shell: Shell,
    pub id: String,
    pub number: String,
    pub version: i64,
    pub status: String,
    pub heading: String,
    pub rows: Vec<(&'static str, String)>,
    /// (incident id, reference)
    pub incident: Option<(String, String)>,
    /// (person id, name, role)
    pub people: Vec<(String, String, String)>,
    /// (when, code and label, list version, by, reason)
    pub history: Vec<(String, String, String, String, String)>,
    /// (rule, why)
    pub failures: Vec<(String, String)>,
    pub can_record: bool,
    pub offence_groups: Vec<(&'static str, Vec<(String, String)>)>,
    pub typed_code: String,
    pub typed_reason: String,
    /// (name, kind, address, role)
    pub organisations: Vec<(String, String, String, String)>,
    /// (summary, role, identifier for the object search)
    pub objects: Vec<(String, String, String)>,
    /// (address, role)
    pub locations: Vec<(String, String)>,
    /// (label, value) rows of the cancellation decision.
    pub cancellation: Vec<(&'static str, String)>,
    /// Why this user may not cancel, or empty when they may (on the registrar's or a delegated
    /// authority: the label).
    pub cancel_authority: Result<String, String>,
    /// (code, title, description, enabled)
    pub criteria: Vec<(String, String, String, bool)>,
    pub object_kinds: Vec<(&'static str, &'static str)>,
    pub identifier_kinds: Vec<(&'static str, &'static str)>,
    pub object_roles: Vec<(&'static str, &'static str)>,
    pub location_roles: Vec<(&'static str, &'static str)>,
    pub roles: Vec<(&'static str, &'static str)>,
    /// What was typed into the link and cancel forms, by field name.
    pub typed: std::collections::BTreeMap<String, String>,
    /// Screening decisions and allocations, newest first (issue 6).
    pub screenings: Vec<super::triage::ScreeningRow>,
    pub allocations: Vec<super::triage::AllocationRow>,
    /// The user triages and the crime is still open: link to screening and allocating it.
    pub can_triage: bool,
}

impl CrimePage {
    fn error(&self, field: &str) -> Option<String> {
        self.shell.errors.iter().find(|e| e.field == field).map(|e| e.rule.clone())
    }

    fn typed(&self, field: &str) -> String {
        self.typed.get(field).cloned().unwrap_or_default()
    }
}

pub(crate) async fn crime_page(
    state: &AppState,
    user: &Principal,
    record: CrimeRecord,
    typed: (String, String),
    errors: Vec<FieldError>,
) -> Result<CrimePage, PageError> {
    crime_page_typed(state, user, record, typed, Default::default(), errors).await
}

pub(crate) async fn crime_page_typed(
    state: &AppState,
    user: &Principal,
    record: CrimeRecord,
    typed: (String, String),
    typed_links: std::collections::BTreeMap<String, String>,
    errors: Vec<FieldError>,
) -> Result<CrimePage, PageError> {
    let cancel_authority = match state.core.cancel_authority(user, &record.crime).await? {
        Ok(a) if record.crime.status.is_open() || record.crime.status == CrimeStatus::Finalised => {
            Ok(a.label().to_string())
        }
        Ok(_) => Err(format!("The crime is {}", record.crime.status.label().to_lowercase())),
        Err(why) => Err(why),
    };
    let failures = state.core.crime_facts_failures(&record).await?;
    let (screenings, allocations) = state.core.crime_triage_history(user, record.crime.id).await?;
    let c = &record.crime;
    let incident = match c.incident_id {
        Some(id) => state.core.store.find_incident(id).await?.map(|r| (id.to_string(), r.incident.reference)),
        None => None,
    };
    let mut rows = vec![
        ("Offence", format!("{} {} ({})", c.offence_code, c.offence_label, c.offence_group.label())),
        ("Classified under", c.offence_list_version.clone()),
        (
            "Occurred",
            match c.occurred_to {
                Some(to) => format!("{} to {}", time::london(c.occurred_from), time::london(to)),
                None => time::london(c.occurred_from),
            },
        ),
        ("First reported", time::london_precise(c.reported_at)),
        ("Recorded", format!("{} by {}", time::london_precise(c.recorded_at), c.recorded_by_name)),
        (
            "NCRS 24 hours",
            if c.is_ncrs_compliant() { "Recorded within 24 hours".into() } else { "Recorded after 24 hours".into() },
        ),
        ("Location", c.location_text.clone()),
    ];
    if !c.division.is_empty() {
        rows.push(("Division", c.division.clone()));
    }
    rows.push(("Method", if c.modus_operandi.is_empty() { "Not recorded".into() } else { c.modus_operandi.clone() }));
    rows.push((
        "Flags",
        if c.flags.is_empty() {
            "None".into()
        } else {
            c.flags.iter().map(|f| f.label()).collect::<Vec<_>>().join(", ")
        },
    ));
    if !c.hate_strands.is_empty() {
        rows.push(("Hate crime strands", c.hate_strands.iter().map(|h| h.label()).collect::<Vec<_>>().join(", ")));
    }
    rows.push(("Injury recorded", if c.injury_recorded { "Yes".into() } else { "No".into() }));
    rows.push((
        "Allocated to",
        match (c.allocated_to, c.allocated_at) {
            (Some(_), Some(at)) => format!("{} since {}", c.allocated_to_name, time::london(at)),
            (Some(_), None) => c.allocated_to_name.clone(),
            (None, _) => "Not allocated".into(),
        },
    ));
    if !c.route.is_empty() {
        rows.push(("Triage route", super::triage::route_label(&c.route).to_string()));
    }
    if let Some(outcome) = &c.outcome {
        rows.push(("Outcome", outcome.clone()));
    }
    if let Some(cancelled) = &record.cancellation {
        rows.push((
            if c.status == CrimeStatus::Transferred { "Transferred" } else { "Cancelled" },
            format!("{} under {}", time::london(cancelled.decided_at), cancelled.criterion),
        ));
    }
    let mut shell = Shell::for_user(user, &format!("Crime {}", c.number), "/crimes");
    shell.errors = errors
        .into_iter()
        .map(|e| if e.field.starts_with("rules.") { FieldError::new("finalise", e.rule) } else { e })
        .collect();
    Ok(CrimePage {
        shell,
        id: c.id.to_string(),
        number: c.number.clone(),
        version: c.version,
        status: c.status.label().to_string(),
        heading: c.offence_label.clone(),
        rows,
        incident,
        people: record
            .people
            .iter()
            .map(|p| (p.person_id.to_string(), p.name.clone(), p.role.label().to_string()))
            .collect(),
        history: record
            .classifications
            .iter()
            .map(|h| {
                (
                    time::london(h.decided_at),
                    format!("{} {}", h.offence_code, h.offence_label),
                    h.offence_list_version.clone(),
                    h.decided_by_name.clone(),
                    if h.reason.is_empty() { "First classification".into() } else { h.reason.clone() },
                )
            })
            .collect(),
        failures: failures.into_iter().map(|f| (f.rule.to_string(), f.why)).collect(),
        can_record: user.can(Permission::CrimeRecord) && c.status.is_open(),
        offence_groups: offence_groups(state),
        typed_code: typed.0,
        typed_reason: typed.1,
        organisations: record
            .organisations
            .iter()
            .map(|o| {
                (
                    o.organisation.name.clone(),
                    o.organisation.kind.label().to_string(),
                    o.organisation.address.clone(),
                    o.role.label().to_string(),
                )
            })
            .collect(),
        objects: record
            .objects
            .iter()
            .map(|o| (o.object.summary(), o.role.label().to_string(), o.object.identifier.clone()))
            .collect(),
        locations: record.locations.iter().map(|l| (l.location.text.clone(), l.role.label().to_string())).collect(),
        cancellation: record
            .cancellation
            .iter()
            .flat_map(|c| {
                let mut rows = vec![
                    ("Criterion", format!("{}: {}", c.criterion, c.criterion_title)),
                    ("Verifiable information", c.verifiable_info.clone()),
                    (
                        "Decided",
                        format!(
                            "{} by {} ({})",
                            time::london_precise(c.decided_at),
                            c.decided_by_name,
                            c.authority.label()
                        ),
                    ),
                    ("Criteria", c.criteria_version.clone()),
                ];
                if !c.related_crime_number.is_empty() {
                    rows.push(("Duplicate of", c.related_crime_number.clone()));
                }
                if !c.transferred_to.is_empty() {
                    rows.push(("Transferred to", c.transferred_to.clone()));
                }
                rows
            })
            .collect(),
        cancel_authority,
        criteria: state
            .core
            .settings
            .cancellation
            .criteria
            .iter()
            .map(|c| (c.code.clone(), c.title.clone(), c.description.clone(), c.enabled))
            .collect(),
        object_kinds: ObjectKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect(),
        identifier_kinds: IdentifierKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect(),
        object_roles: ObjectRole::ALL.iter().map(|k| (k.as_str(), k.label())).collect(),
        location_roles: LocationRole::ALL.iter().map(|k| (k.as_str(), k.label())).collect(),
        roles: CrimeRole::ALL.iter().map(|r| (r.as_str(), r.label())).collect(),
        typed: typed_links,
        screenings: super::triage::screening_rows(&state.core.settings, &screenings),
        allocations: super::triage::allocation_rows(&allocations),
        can_triage: user.can(Permission::CrimeTriage) && c.status.is_open(),
    })
}

pub async fn show(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let record = state.core.view_crime(&user, parse_id(&id)?, &ctx).await?;
    Ok(render(StatusCode::OK, &crime_page(&state, &user, record, Default::default(), Vec::new()).await?))
}

#[derive(Debug, Default, Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    pub version: i64,
    #[serde(default)]
    pub offence_code: String,
    #[serde(default)]
    pub reason: String,
}

async fn after_change(
    state: &AppState,
    user: &Principal,
    id: Uuid,
    result: bluelamp_core::Result<Crime>,
    form: ChangeForm,
    ctx: &Ctx2,
) -> PageResult {
    let typed = (form.offence_code, form.reason);
    super::crime_links::after(state, user, id, result, typed, Default::default(), "", ctx).await
}

pub async fn reclassify(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    PageForm(form): PageForm<ChangeForm>,
) -> PageResult {
    let id = parse_id(&id)?;
    let result = state.core.reclassify_crime(&user, id, form.version, &form.offence_code, &form.reason, &ctx).await;
    after_change(&state, &user, id, result, form, &ctx).await
}

// ---- NCRS compliance -------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
pub struct PeriodQuery {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

#[derive(Template)]
#[template(path = "crimes/compliance.html")]
pub struct CompliancePage {
    pub shell: Shell,
    pub from: String,
    pub to: String,
    pub figure: String,
    pub counts: String,
    pub failing: Vec<CrimeRow>,
}

pub async fn compliance(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    use chrono::Datelike;
    let today = state.core.now().with_timezone(&chrono_tz::Europe::London).date_naive();
    let first = today.with_day(1).unwrap_or(today);
    let from = if q.from.trim().is_empty() { first.to_string() } else { q.from.trim().to_string() };
    let to = if q.to.trim().is_empty() { today.to_string() } else { q.to.trim().to_string() };
    let mut errors = Vec::new();
    let start = time::london_day_start(&from, false);
    if start.is_none() {
        errors.push(FieldError::new("from", "Enter the first day as YYYY-MM-DD"));
    }
    let end = time::london_day_start(&to, true);
    if end.is_none() {
        errors.push(FieldError::new("to", "Enter the last day as YYYY-MM-DD"));
    }
    let result = match (start, end) {
        (Some(s), Some(e)) => Some(state.core.ncrs_compliance(&user, s, e, &ctx).await),
        _ => None,
    };
    let (figure, counts, failing) = match result {
        Some(Ok((c, failing))) => (
            c.percent().map(|p| format!("{p:.1}%")).unwrap_or_else(|| "No crimes recorded".into()),
            format!("{} of {} crimes recorded within 24 hours of the first report", c.compliant, c.total),
            failing.iter().map(crime_row).collect(),
        ),
        Some(Err(Error::Invalid(e))) => {
            errors.extend(e);
            (String::new(), String::new(), Vec::new())
        }
        Some(Err(e)) => return Err(e.into()),
        None => (String::new(), String::new(), Vec::new()),
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut shell = Shell::for_user(&user, "NCRS compliance", "/crimes");
    shell.errors = errors;
    Ok(render(status, &CompliancePage { shell, from, to, figure, counts, failing }))
}
