//! HTML pages. Handlers are thin: parse the form, call one use case, render a template.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use bluelamp_core::access::{Permission, Role};
use bluelamp_core::audit::AuditQuery;
use bluelamp_core::core::{By, DirectoryEntry, OfficerRecord};
use bluelamp_core::restriction::RecordRef;
use bluelamp_core::user::{NewUser, PipLevel, Rank, Specialism};
use bluelamp_core::{Error, FieldError, time};
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::auth::{self, Ctx, CurrentUser, Identity};
use crate::error::{Failure, PageError};
use crate::shell::Shell;
use crate::templates::*;

type PageResult = Result<Response, PageError>;

fn page(template: &impl askama::Template) -> PageResult {
    Ok(render(StatusCode::OK, template))
}

// ---- Sign-in ------------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
pub struct SignInQuery {
    #[serde(default)]
    next: String,
    #[serde(default)]
    expired: Option<String>,
}

/// Only same-site paths are followed after sign-in, never another host.
fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") {
        next.to_string()
    } else {
        "/".into()
    }
}

pub async fn sign_in_form(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Query(q): Query<SignInQuery>,
) -> PageResult {
    if let Identity::User(_) = auth::identify(&state, &headers).await? {
        return Ok(Redirect::to(&safe_next(&q.next)).into_response());
    }
    let mut shell = Shell::bare("Sign in");
    if q.expired.is_some() {
        shell.notice = Some("Your session has ended. Sign in again to carry on where you were.".into());
    }
    page(&SignInPage {
        shell,
        username: String::new(),
        next: safe_next(&q.next),
        idle_minutes: state.core.settings.session.idle.num_minutes(),
        username_error: None,
        password_error: None,
    })
}

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn sign_in(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    form: crate::extract::PageForm<SignInForm>,
) -> PageResult {
    let form = form.0;
    auth::check_sign_in_rate(&state, &ctx)?;
    let sign_in_page = |status, errors: Vec<FieldError>| {
        let mut shell = Shell::bare("Sign in");
        let username_error = error_for(&errors, "username");
        let password_error = error_for(&errors, "password");
        shell.errors = errors;
        render(
            status,
            &SignInPage {
                shell,
                username: form.username.chars().take(64).collect(),
                next: safe_next(&form.next),
                idle_minutes: state.core.settings.session.idle.num_minutes(),
                username_error,
                password_error,
            },
        )
    };
    let mut missing = Vec::new();
    if form.username.trim().is_empty() {
        missing.push(FieldError::new("username", "Enter your user name"));
    }
    if form.password.is_empty() {
        missing.push(FieldError::new("password", "Enter your password"));
    }
    if !missing.is_empty() {
        return Ok(sign_in_page(StatusCode::UNPROCESSABLE_ENTITY, missing));
    }
    match state.core.sign_in(&form.username, &form.password, &ctx).await {
        Ok(signed_in) => {
            let mut response = Redirect::to(&safe_next(&form.next)).into_response();
            response
                .headers_mut()
                .insert(header::SET_COOKIE, auth::set_cookie(&signed_in.token, state.config.secure_cookies));
            Ok(response)
        }
        Err(Error::Unauthenticated) => Ok(sign_in_page(
            StatusCode::UNAUTHORIZED,
            vec![FieldError::new("username", "The user name or password is not right")],
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn sign_out(State(state): State<AppState>, CurrentUser(user): CurrentUser, Ctx(ctx): Ctx) -> PageResult {
    state.core.sign_out(&user, &ctx).await?;
    let mut response = Redirect::to("/sign-in").into_response();
    response.headers_mut().insert(header::SET_COOKIE, auth::clear_cookie(state.config.secure_cookies));
    Ok(response)
}

// ---- Home ---------------------------------------------------------------------------------------

/// The work queues each role sees. Modules still to come start empty: a count of zero is the truth
/// while no incidents or crimes exist.
/// Counts behind the home page's queues.
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    users: i64,
    locked: i64,
    ungraded: i64,
    mine_open: i64,
    breaching: i64,
    ncrs_overdue: i64,
    thrive_to_review: i64,
    triage_past_limit: i64,
    triage_inspector: i64,
    my_crimes: i64,
    my_actions_due: i64,
    reviews_overdue: i64,
    outcomes_to_authorise: i64,
}

fn queues(role: Role, c: Counts) -> Vec<Queue> {
    let q = |title, description, href: Option<&'static str>, count| Queue { title, description, href, count };
    match role {
        Role::Admin => vec![
            q("Users", "Officers and staff who can sign in.", Some("/admin/users"), c.users),
            q("Locked accounts", "Accounts locked after repeated failed sign-ins.", Some("/admin/users"), c.locked),
        ],
        Role::CallHandler => vec![
            q(
                "Calls awaiting a grade",
                "New incidents still to be THRIVE-assessed and graded.",
                Some("/incidents"),
                c.ungraded,
            ),
            q("My open incidents", "Incidents you recorded that are not yet closed.", Some("/incidents"), c.mine_open),
        ],
        Role::ControlRoomSupervisor => vec![
            q(
                "Breaching response targets",
                "Open incidents past their grade's attendance target.",
                Some("/incidents"),
                c.breaching,
            ),
            q(
                "Calls awaiting a grade",
                "New incidents still to be THRIVE-assessed and graded.",
                Some("/incidents"),
                c.ungraded,
            ),
            q(
                "THRIVE reviews due",
                "Sampled incidents waiting for your quality review.",
                Some("/quality/thrive"),
                c.thrive_to_review,
            ),
        ],
        Role::Triage => vec![
            q(
                "Past their triage limit",
                "Crimes in the triage queue waiting longer than their limit allows.",
                Some("/triage"),
                c.triage_past_limit,
            ),
            q(
                "Far past their limit",
                "Crimes in the queue waiting more than twice their limit.",
                Some("/triage/backlog"),
                c.triage_inspector,
            ),
        ],
        Role::Investigator => vec![
            q("My crimes", "Investigations allocated to you.", Some("/investigations"), c.my_crimes),
            q(
                "Actions due",
                "Lines of enquiry due today or overdue.",
                Some("/investigations#actions"),
                c.my_actions_due,
            ),
            q("Victim updates due", "Victims' Code contacts due within two working days.", None, 0),
        ],
        Role::Supervisor => vec![
            q(
                "Reviews overdue",
                "Investigations past their supervisory review.",
                Some("/investigations/reviews"),
                c.reviews_overdue,
            ),
            q(
                "Outcomes to authorise",
                "Proposed outcomes waiting for a supervisor's authority.",
                Some("/investigations/authorisations"),
                c.outcomes_to_authorise,
            ),
        ],
        Role::Safeguarding => vec![
            q("Referrals to assess", "New safeguarding referrals and DASH assessments.", None, 0),
            q("MARAC cases", "High-risk domestic abuse cases for the next MARAC.", None, 0),
        ],
        Role::Custody => vec![
            q("Detention clocks", "Detained people and time left on their clock.", None, 0),
            q("Bail returning", "Pre-charge bail ending in the next seven days.", None, 0),
        ],
        Role::OffenderManager => vec![
            q("Visits due", "Registered offenders due a visit.", None, 0),
            q("My caseload", "Offenders you manage.", None, 0),
        ],
        Role::Analyst => vec![q("Reports", "Performance and inspection figures.", None, 0)],
        Role::CrimeRegistrar => vec![
            q(
                "NCRS breaches",
                "Crime-related incidents without a crime or a reason after 24 hours.",
                Some("/ncrs"),
                c.ncrs_overdue,
            ),
            q("Cancellations to decide", "Requests to cancel or reclassify crimes.", None, 0),
        ],
        Role::Auditor => vec![q("Audit trail", "Search every view, change, sign-in and refusal.", Some("/audit"), 0)],
    }
}

pub async fn home(State(state): State<AppState>, CurrentUser(user): CurrentUser) -> PageResult {
    let now = state.core.now();
    let mut counts = Counts::default();
    if user.can(Permission::UserManage) {
        let all = state.core.store.list_users().await?;
        counts.users = all.len() as i64;
        counts.locked = all.iter().filter(|u| u.is_locked(now)).count() as i64;
    }
    if user.can(Permission::IncidentView) {
        let query = bluelamp_core::store::IncidentQuery {
            status: Some(bluelamp_core::incident::IncidentStatus::Open),
            division: None,
            limit: 1,
            offset: 0,
        };
        // Counted in the database: a force has thousands open, and the page needs three numbers.
        let open = state.core.store.count_incidents(&query, now, Some(user.user_id)).await?;
        counts.ungraded = open.ungraded;
        counts.mine_open = open.mine;
        counts.breaching = open.breaching;
    }
    if user.can(Permission::ThriveReview) {
        counts.thrive_to_review = state.core.thrive_to_review_count(&user, 30).await? as i64;
    }
    if user.can(Permission::NcrsView) {
        counts.ncrs_overdue = state.core.store.list_ncrs_due(now, 5000).await?.len() as i64;
    }
    let mut triage_alerts = Vec::new();
    if user.can(Permission::CrimeTriage) {
        let (past, inspector) = state.core.triage_alerts(&user).await?;
        counts.triage_past_limit = past as i64;
        counts.triage_inspector = inspector as i64;
        let crimes = |n: usize| if n == 1 { "1 crime has".to_string() } else { format!("{n} crimes have") };
        if past > 0 {
            triage_alerts.push(format!("{} waited past their triage limit", crimes(past)));
        }
        // The duty inspector's alert goes to inspectors and above.
        if inspector > 0
            && state.core.store.find_user(user.user_id).await?.is_some_and(|u| is_inspector_or_above(u.rank))
        {
            let more = if inspector == 1 { "1 has".to_string() } else { format!("{inspector} have") };
            triage_alerts.push(format!("{more} waited more than twice their limit: the duty inspector is alerted"));
        }
    }
    if user.roles.contains(&Role::Investigator) {
        // Counts only, like the other queues: the list itself is the audited workload page.
        let today = now.with_timezone(&chrono_tz::Europe::London).date_naive();
        counts.my_crimes = state.core.store.officer_crimes(user.user_id).await?.len() as i64;
        counts.my_actions_due =
            state.core.store.officer_actions(user.user_id).await?.iter().filter(|a| a.action.due_on <= today).count()
                as i64;
    }
    let mut supervision_alerts = Vec::new();
    if user.can(Permission::CrimeSupervise) {
        let supervision = state.core.supervision_counts(&user).await?;
        counts.reviews_overdue = supervision.overdue as i64;
        counts.outcomes_to_authorise = supervision.awaiting_authorisation as i64;
        supervision_alerts = investigation::supervision_alerts(supervision);
    }
    let first = user.roles.first().copied();
    let mut shell = Shell::for_user(&user, first.map(|r| r.label()).unwrap_or("Home"), "/");
    shell.main_role = first.map(|r| r.as_str().to_string());
    let sections = user
        .roles
        .iter()
        .map(|role| HomeSection { role: role.as_str(), label: role.label(), queues: queues(*role, counts) })
        .collect();
    page(&HomePage {
        shell,
        greeting: format!("{} · {}", user.display_name, time::london(state.core.now())),
        heading: user.roles.iter().map(|r| r.label()).collect::<Vec<_>>().join(" and "),
        sections,
        triage_alerts,
        supervision_alerts,
    })
}

/// Whether a rank is inspector or above (the duty inspector's alerts), not counting specials, PCSOs
/// and staff.
fn is_inspector_or_above(rank: Rank) -> bool {
    matches!(
        rank,
        Rank::Inspector
            | Rank::ChiefInspector
            | Rank::Superintendent
            | Rank::ChiefSuperintendent
            | Rank::AssistantChiefConstable
            | Rank::DeputyChiefConstable
            | Rank::ChiefConstable
    )
}

// ---- The force directory and restricted records --------------------------------------------------

pub async fn officers(State(state): State<AppState>, CurrentUser(user): CurrentUser, Ctx(ctx): Ctx) -> PageResult {
    let rows = state
        .core
        .officer_directory(&user, &ctx)
        .await?
        .into_iter()
        .map(|entry| match entry {
            DirectoryEntry::Open(u) => OfficerRow {
                id: u.id.to_string(),
                is_sealed: false,
                display_name: u.display_name,
                collar_number: u.collar_number,
                rank: u.rank.label().to_string(),
                team: u.team,
                station: u.station,
                division: u.division,
                pip_level: if u.pip_level == PipLevel::None {
                    "—".into()
                } else {
                    u.pip_level.as_str().to_uppercase()
                },
            },
            DirectoryEntry::Sealed(id) => OfficerRow {
                id: id.to_string(),
                is_sealed: true,
                display_name: String::new(),
                collar_number: String::new(),
                rank: String::new(),
                team: String::new(),
                station: String::new(),
                division: String::new(),
                pip_level: String::new(),
            },
        })
        .collect();
    page(&OfficerListPage { shell: Shell::for_user(&user, "Force directory", "/officers"), rows })
}

fn parse_id(id: &str) -> Result<Uuid, PageError> {
    Uuid::parse_str(id).map_err(|_| PageError(Failure::Core(Error::NotFound)))
}

fn officer_page(state: &AppState, user: &bluelamp_core::access::Principal, record: OfficerRecord) -> Response {
    match record {
        OfficerRecord::Sealed { id } => render(
            StatusCode::OK,
            &SealedPage {
                shell: Shell::for_user(user, "Restricted record", "/officers"),
                id: id.to_string(),
                reason: String::new(),
            },
        ),
        OfficerRecord::Open { user: officer, restriction, opened_with_reason } => {
            let o = *officer;
            let rows = vec![
                ("User name", o.username.clone()),
                ("Collar or staff number", o.collar_number.clone()),
                ("Rank", o.rank.label().to_string()),
                ("Team", o.team.clone()),
                ("Station", o.station.clone()),
                ("Division", o.division.clone()),
                ("PIP accreditation", o.pip_level.label().to_string()),
                ("Specialisms", join_or_none(o.specialisms.iter().map(|s| s.label()))),
                ("Roles", join_or_none(o.roles.iter().map(|r| r.label()))),
                ("Account", if o.is_disabled { "Disabled".into() } else { "Active".into() }),
                ("Added", time::london(o.created_at)),
            ];
            let _ = state;
            render(
                StatusCode::OK,
                &OfficerPage {
                    shell: Shell::for_user(user, &o.display_name, "/officers"),
                    id: o.id.to_string(),
                    display_name: o.display_name.clone(),
                    rank: o.rank.label().to_string(),
                    rows,
                    restriction: restriction.map(|r| {
                        format!(
                            "since {}: {} ({} people on the access list)",
                            time::london(r.restricted_at),
                            r.reason,
                            r.access_list.len()
                        )
                    }),
                    opened_with_reason,
                    can_restrict: user.can(Permission::RecordRestrict),
                },
            )
        }
    }
}

fn join_or_none<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let joined = items.collect::<Vec<_>>().join(", ");
    if joined.is_empty() { "None".into() } else { joined }
}

pub async fn officer(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let record = state.core.view_officer(&user, parse_id(&id)?, None, &ctx).await?;
    Ok(officer_page(&state, &user, record))
}

#[derive(Debug, Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

pub async fn open_officer(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    form: crate::extract::PageForm<ReasonForm>,
) -> PageResult {
    let id = parse_id(&id)?;
    match state.core.view_officer(&user, id, Some(&form.0.reason), &ctx).await {
        Ok(record) => Ok(officer_page(&state, &user, record)),
        Err(Error::Invalid(errors)) => {
            let mut shell = Shell::for_user(&user, "Restricted record", "/officers");
            shell.errors = errors;
            Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &SealedPage { shell, id: id.to_string(), reason: form.0.reason.chars().take(1000).collect() },
            ))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct RestrictForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    access_list: String,
}

pub async fn restrict_officer(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    form: crate::extract::PageForm<RestrictForm>,
) -> PageResult {
    let id = parse_id(&id)?;
    let names: Vec<String> = form.0.access_list.split(',').map(|s| s.trim().to_string()).collect();
    state.core.restrict_record(By::User(&user), &RecordRef::new("officer", id), &form.0.reason, &names, &ctx).await?;
    Ok(Redirect::to(&format!("/officers/{id}")).into_response())
}

pub async fn lift_officer_restriction(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let id = parse_id(&id)?;
    state.core.lift_restriction(By::User(&user), &RecordRef::new("officer", id), &ctx).await?;
    Ok(Redirect::to(&format!("/officers/{id}")).into_response())
}

// ---- User administration ------------------------------------------------------------------------

pub async fn users(State(state): State<AppState>, CurrentUser(user): CurrentUser, Ctx(ctx): Ctx) -> PageResult {
    let now = state.core.now();
    let rows = state
        .core
        .list_users(By::User(&user), &ctx)
        .await?
        .into_iter()
        .map(|u| UserRow {
            status: if u.is_disabled {
                "Disabled".into()
            } else if u.is_locked(now) {
                "Locked".into()
            } else {
                "Active".into()
            },
            is_disabled: u.is_disabled,
            roles: u.roles.iter().map(|r| r.label()).collect::<Vec<_>>().join(", "),
            username: u.username,
            display_name: u.display_name,
        })
        .collect();
    page(&UsersPage { shell: Shell::for_user(&user, "Users", "/admin/users"), rows })
}

#[derive(Debug, Default, Deserialize)]
pub struct NewUserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    collar_number: String,
    #[serde(default)]
    rank: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    station: String,
    #[serde(default)]
    division: String,
    #[serde(default)]
    pip_level: String,
    #[serde(default)]
    specialism: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
}

fn options<T: Copy>(
    all: &[T],
    name: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
    blank: bool,
) -> Vec<(String, String)> {
    let mut out = if blank { vec![(String::new(), "None".to_string())] } else { Vec::new() };
    out.extend(all.iter().map(|v| (name(*v).to_string(), label(*v).to_string())));
    out
}

fn new_user_fields(form: &NewUserForm, errors: &[FieldError]) -> Vec<FormField> {
    let field = |name: &'static str,
                 label: &'static str,
                 hint: Option<&'static str>,
                 value: &str,
                 options: Vec<(String, String)>| FormField {
        name,
        label,
        hint,
        input_type: if name == "password" { "password" } else { "text" },
        value: if name == "password" { String::new() } else { value.to_string() },
        error: error_for(
            errors,
            if name == "role" {
                "roles"
            } else if name == "specialism" {
                "specialisms"
            } else {
                name
            },
        ),
        options,
    };
    vec![
        field(
            "username",
            "User name",
            Some("Lower-case letters, digits, dots or hyphens, for example pc.smith"),
            &form.username,
            vec![],
        ),
        field(
            "display_name",
            "Name as shown to colleagues",
            Some("For example PC 1234 Jane Smith"),
            &form.display_name,
            vec![],
        ),
        field("collar_number", "Collar or staff number", None, &form.collar_number, vec![]),
        field("rank", "Rank", None, &form.rank, options(Rank::ALL, Rank::as_str, Rank::label, false)),
        field("team", "Team", None, &form.team, vec![]),
        field("station", "Station", None, &form.station, vec![]),
        field("division", "Division", None, &form.division, vec![]),
        field(
            "pip_level",
            "PIP accreditation",
            None,
            &form.pip_level,
            options(PipLevel::ALL, PipLevel::as_str, PipLevel::label, false),
        ),
        field(
            "specialism",
            "Specialism",
            None,
            &form.specialism,
            options(Specialism::ALL, Specialism::as_str, Specialism::label, true),
        ),
        field("role", "Role", None, &form.role, options(Role::ALL, Role::as_str, Role::label, false)),
        field(
            "password",
            "First password",
            Some("At least 12 characters; three random words work well. Not a common password."),
            "",
            vec![],
        ),
    ]
}

pub async fn new_user_form(CurrentUser(user): CurrentUser) -> PageResult {
    page(&NewUserPage {
        shell: Shell::for_user(&user, "Add a user", "/admin/users"),
        fields: new_user_fields(&NewUserForm::default(), &[]),
    })
}

pub async fn create_user(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    form: crate::extract::PageForm<NewUserForm>,
) -> PageResult {
    let form = form.0;
    let new = NewUser {
        username: form.username.clone(),
        display_name: form.display_name.clone(),
        collar_number: form.collar_number.clone(),
        rank: form.rank.clone(),
        team: form.team.clone(),
        station: form.station.clone(),
        division: form.division.clone(),
        pip_level: form.pip_level.clone(),
        specialisms: if form.specialism.is_empty() { vec![] } else { vec![form.specialism.clone()] },
        roles: if form.role.is_empty() { vec![] } else { vec![form.role.clone()] },
    };
    match state.core.create_user(By::User(&user), &new, Some(&form.password), &ctx).await {
        Ok(_) => Ok(Redirect::to("/admin/users").into_response()),
        Err(Error::Invalid(errors)) => {
            let mut shell = Shell::for_user(&user, "Add a user", "/admin/users");
            let fields = new_user_fields(&form, &errors);
            shell.errors = errors
                .into_iter()
                .map(|e| match e.field.as_str() {
                    "roles" => FieldError::new("role", e.rule),
                    "specialisms" => FieldError::new("specialism", e.rule),
                    _ => e,
                })
                .collect();
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &NewUserPage { shell, fields }))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn disable_user(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(username): Path<String>,
) -> PageResult {
    state.core.set_user_disabled(By::User(&user), &username, true, &ctx).await?;
    Ok(Redirect::to("/admin/users").into_response())
}

pub async fn enable_user(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(username): Path<String>,
) -> PageResult {
    state.core.set_user_disabled(By::User(&user), &username, false, &ctx).await?;
    Ok(Redirect::to("/admin/users").into_response())
}

// ---- The audit trail ----------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
pub struct AuditFilters {
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub record_type: String,
    #[serde(default)]
    pub record_id: String,
    #[serde(default)]
    pub action: String,
    /// Local (UK) date `YYYY-MM-DD`, inclusive.
    #[serde(default)]
    pub from: String,
    /// Local (UK) date `YYYY-MM-DD`, inclusive.
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub before_seq: Option<i64>,
    #[serde(default)]
    pub limit: Option<u32>,
}

/// Turns filters into a query, naming the field of any date that does not parse.
pub fn audit_query(f: &AuditFilters) -> Result<AuditQuery, Error> {
    let text = |s: &str| if s.trim().is_empty() { None } else { Some(s.trim().to_string()) };
    let mut errors = Vec::new();
    let mut date = |field: &str, s: &str, next_day: bool| {
        if s.trim().is_empty() {
            return None;
        }
        match time::london_day_start(s.trim(), next_day) {
            Some(at) => Some(at),
            None => {
                errors.push(FieldError::new(field, "Enter a date as YYYY-MM-DD, for example 2026-11-26"));
                None
            }
        }
    };
    let from = date("from", &f.from, false);
    let to = date("to", &f.to, true);
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    Ok(AuditQuery {
        actor_name: text(&f.actor),
        record_type: text(&f.record_type),
        record_id: text(&f.record_id),
        action: text(&f.action),
        from,
        to,
        before_seq: f.before_seq,
        limit: f.limit.unwrap_or(50),
    })
}

pub async fn audit(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Query(filters): Query<AuditFilters>,
) -> PageResult {
    let query = audit_query(&filters)?;
    let events = state.core.search_audit(By::User(&user), &query, &ctx).await?;
    let older = if events.len() as u32 >= query.limit.clamp(1, bluelamp_core::audit::MAX_PAGE) {
        events.last().map(|e| {
            format!(
                "/audit?actor={}&record_type={}&record_id={}&action={}&from={}&to={}&before_seq={}",
                auth::urlencode(&filters.actor),
                auth::urlencode(&filters.record_type),
                auth::urlencode(&filters.record_id),
                auth::urlencode(&filters.action),
                auth::urlencode(&filters.from),
                auth::urlencode(&filters.to),
                e.seq
            )
        })
    } else {
        None
    };
    let rows = events
        .into_iter()
        .map(|e| AuditRow {
            seq: e.seq,
            at: time::london_precise(e.event.at),
            actor: e.event.actor_name,
            action: e.event.action,
            outcome: e.event.outcome.label().to_string(),
            record: match (e.event.record_type, e.event.record_id) {
                (Some(t), Some(id)) => format!("{t} {id}"),
                _ => String::new(),
            },
            justification: e.event.justification.unwrap_or_default(),
        })
        .collect();
    page(&AuditPage {
        shell: Shell::for_user(&user, "Audit trail", "/audit"),
        filters: vec![
            ("actor", "User name", filters.actor),
            ("action", "Action, for example officer.view", filters.action),
            ("record_type", "Record type, for example officer", filters.record_type),
            ("record_id", "Record id", filters.record_id),
            ("from", "From date (YYYY-MM-DD)", filters.from),
            ("to", "To date (YYYY-MM-DD)", filters.to),
        ],
        rows,
        older,
    })
}
pub mod casefile;
pub mod crime_links;
pub mod crimes;
pub mod incidents;
pub mod investigation;
pub mod merge;
pub mod outcomes;
pub mod people;
pub mod quality;
pub mod triage;
