//! Person merge pages: the likely duplicates on a person's page, asking for a merge with both records
//! side by side, the reviewers' queue, and the review itself (apply, reject, and undo once applied).
//! Forms work without JavaScript; a refused form is shown again with the error by its field.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use bluelamp_core::access::{Permission, Principal};
use bluelamp_core::audit::{Actor, RequestContext};
use bluelamp_core::core::By;
use bluelamp_core::merge::{MergeReview, MergeStatus, PersonMerge, likeness, summarise};
use bluelamp_core::person::Person;
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
    Uuid::parse_str(id.trim()).map_err(|_| PageError(Failure::Core(Error::NotFound)))
}

fn today(state: &AppState) -> NaiveDate {
    state.core.now().with_timezone(&chrono_tz::Europe::London).date_naive()
}

fn date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%-d %b %Y").to_string()).unwrap_or_else(|| "Not known".into())
}

fn dob(p: &Person, today: NaiveDate) -> String {
    match (p.date_of_birth, p.age_on(today)) {
        (Some(d), Some(age)) => format!("{} (age {age})", d.format("%-d %b %Y")),
        (d, _) => date(d),
    }
}

fn none_if_empty(items: Vec<String>) -> String {
    if items.is_empty() { "None recorded".into() } else { items.join("; ") }
}

/// The two records row by row: (what, the survivor's, the duplicate's).
fn compare(a: &Person, b: &Person, today: NaiveDate) -> Vec<(&'static str, String, String)> {
    let other_names = |p: &Person| {
        none_if_empty(p.names.iter().skip(1).map(|n| format!("{} ({})", n.full(), n.kind.label())).collect())
    };
    let addresses = |p: &Person| {
        none_if_empty(
            p.addresses
                .iter()
                .rev()
                .map(|x| {
                    let to = x.to.map(|d| d.format("%-d %b %Y").to_string()).unwrap_or_else(|| "now".into());
                    format!("{} ({} to {to})", x.text, date(x.from))
                })
                .collect(),
        )
    };
    let phones = |p: &Person| none_if_empty(p.phones.iter().map(|x| x.number.clone()).collect());
    let markers = |p: &Person| {
        none_if_empty(p.active_markers().map(|m| format!("{}: {}", m.category.label(), m.detail)).collect())
    };
    let recorded = |p: &Person| format!("{} by {}", time::london(p.created_at), p.created_by_name);
    vec![
        ("Name used", a.display_name(), b.display_name()),
        ("Other names", other_names(a), other_names(b)),
        ("Date of birth", dob(a, today), dob(b, today)),
        ("Sex", a.sex.label().to_string(), b.sex.label().to_string()),
        ("Addresses", addresses(a), addresses(b)),
        ("Phone numbers", phones(a), phones(b)),
        ("Current markers", markers(a), markers(b)),
        ("Recorded", recorded(a), recorded(b)),
    ]
}

// ---- On a person's page ---------------------------------------------------------------------------

pub struct DuplicateRow {
    pub id: String,
    pub name: String,
    pub dob: String,
    pub address: String,
    pub score: u32,
    pub reasons: String,
}

pub struct MergeRow {
    pub id: String,
    pub text: String,
    pub status: String,
    pub when: String,
}

/// Where a merged-away person went: (survivor id, survivor name, merge id, when).
pub struct MergedInto {
    pub person_id: String,
    pub name: String,
    pub merge_id: String,
    pub when: String,
}

/// The merge part of a person's page.
pub struct PersonMergePanel {
    pub merged_into: Option<MergedInto>,
    pub merges: Vec<MergeRow>,
    pub duplicates: Vec<DuplicateRow>,
    pub can_request: bool,
}

fn merge_row(m: &PersonMerge, person_id: Uuid) -> MergeRow {
    let text = if m.duplicate_id == person_id {
        format!("This record into {}", m.survivor_name)
    } else {
        format!("{} into this record", m.duplicate_name)
    };
    let when = m.reversed.as_ref().or(m.decided.as_ref()).map(|d| d.at).unwrap_or(m.requested_at);
    MergeRow { id: m.id.to_string(), text, status: m.status.label().to_string(), when: time::london(when) }
}

/// The likely duplicates of `person` (for those who may ask for a merge), the merges they are part
/// of, and where they went if merged away.
pub async fn panel(
    state: &AppState,
    user: &Principal,
    person: &Person,
    ctx: &RequestContext,
) -> Result<PersonMergePanel, PageError> {
    let by = By::User(user);
    let merges = state.core.person_merges(by, person.id).await?;
    let merged_into = person.merged_into.map(|into| {
        let applied = merges
            .iter()
            .find(|m| m.status == MergeStatus::Applied && m.duplicate_id == person.id && m.survivor_id == into);
        MergedInto {
            person_id: into.to_string(),
            name: applied.map(|m| m.survivor_name.clone()).unwrap_or_else(|| "another record".into()),
            merge_id: applied.map(|m| m.id.to_string()).unwrap_or_default(),
            when: applied.and_then(|m| m.decided.as_ref()).map(|d| time::london(d.at)).unwrap_or_default(),
        }
    });
    let can_request = user.can(Permission::PersonRecord) && person.merged_into.is_none();
    let duplicates = if can_request {
        let day = today(state);
        state
            .core
            .likely_duplicates_of(by, person, ctx)
            .await?
            .into_iter()
            .map(|m| DuplicateRow {
                id: m.person.id.to_string(),
                name: m.person.display_name(),
                dob: dob(&m.person, day),
                address: m.person.current_address().map(|a| a.text.clone()).unwrap_or_default(),
                score: m.score,
                reasons: m.reasons.join("; "),
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(PersonMergePanel {
        merged_into,
        merges: merges.iter().map(|m| merge_row(m, person.id)).collect(),
        duplicates,
        can_request,
    })
}

// ---- Asking for a merge -----------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
pub struct RequestQuery {
    #[serde(default)]
    pub duplicate: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct RequestForm {
    #[serde(default)]
    pub duplicate_id: String,
    #[serde(default)]
    pub reason: String,
}

#[derive(Template)]
#[template(path = "people/merge_request.html")]
pub struct RequestPage {
    pub shell: Shell,
    pub survivor_id: String,
    pub survivor_name: String,
    /// (id, name) of the person to merge in, when known.
    pub duplicate: Option<(String, String)>,
    pub rows: Vec<(&'static str, String, String)>,
    pub score: u32,
    pub reasons: String,
    pub reason: String,
}

impl RequestPage {
    fn error(&self, field: &str) -> Option<String> {
        self.shell.errors.iter().find(|e| e.field == field).map(|e| e.rule.clone())
    }
}

async fn request_page(
    state: &AppState,
    user: &Principal,
    ctx: &RequestContext,
    survivor: Uuid,
    duplicate: Option<Uuid>,
    reason: String,
    errors: Vec<FieldError>,
) -> Result<RequestPage, PageError> {
    let by = By::User(user);
    let a = state.core.view_person(by, survivor, ctx).await?;
    let b = match duplicate {
        Some(id) => match state.core.view_person(by, id, ctx).await {
            Ok(b) => Some(b),
            Err(Error::NotFound) => None,
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    let mut shell = Shell::for_user(user, &format!("Ask to merge a duplicate into {}", a.display_name()), "/people");
    shell.errors = errors;
    if b.is_none() && !shell.errors.iter().any(|e| e.field == "duplicate_id") {
        shell.errors.push(FieldError::new("duplicate_id", "Choose the duplicate from this person's likely duplicates"));
    }
    let (score, reasons) = b.as_ref().map(|b| likeness(&a, b)).unwrap_or_default();
    Ok(RequestPage {
        survivor_id: a.id.to_string(),
        survivor_name: a.display_name(),
        duplicate: b.as_ref().map(|b| (b.id.to_string(), b.display_name())),
        rows: b.as_ref().map(|b| compare(&a, b, today(state))).unwrap_or_default(),
        score,
        reasons: reasons.join("; "),
        reason,
        shell,
    })
}

pub async fn request_form(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    Query(q): Query<RequestQuery>,
) -> PageResult {
    let survivor = parse_id(&id)?;
    let duplicate = Uuid::parse_str(q.duplicate.trim()).ok();
    let page = request_page(&state, &user, &ctx, survivor, duplicate, String::new(), Vec::new()).await?;
    let status = if page.shell.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok(render(status, &page))
}

pub async fn request(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    PageForm(form): PageForm<RequestForm>,
) -> PageResult {
    let survivor = parse_id(&id)?;
    let duplicate = Uuid::parse_str(form.duplicate_id.trim()).ok();
    let result = match duplicate {
        Some(d) => state.core.request_person_merge(By::User(&user), survivor, d, &form.reason, &ctx).await,
        None => Err(Error::invalid("duplicate_id", "Choose the duplicate from this person's likely duplicates")),
    };
    let errors = match result {
        Ok(_) => return Ok(Redirect::to(&format!("/people/{survivor}#merges")).into_response()),
        Err(Error::Invalid(errors)) => errors,
        Err(Error::Conflict(message)) => vec![FieldError::new("duplicate_id", message)],
        Err(e) => return Err(e.into()),
    };
    let page = request_page(&state, &user, &ctx, survivor, duplicate, form.reason, errors).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

// ---- The reviewers' queue ---------------------------------------------------------------------------

pub struct QueueRow {
    pub id: String,
    pub duplicate: String,
    pub survivor: String,
    pub score: u32,
    pub by: String,
    pub when: String,
}

#[derive(Template)]
#[template(path = "people/merge_queue.html")]
pub struct QueuePage {
    pub shell: Shell,
    pub open: Vec<QueueRow>,
    pub applied: Vec<QueueRow>,
}

fn queue_row(m: &PersonMerge) -> QueueRow {
    let (by, at) = match &m.decided {
        Some(d) => (d.by_name.clone(), d.at),
        None => (m.requested_by_name.clone(), m.requested_at),
    };
    QueueRow {
        id: m.id.to_string(),
        duplicate: m.duplicate_name.clone(),
        survivor: m.survivor_name.clone(),
        score: m.score,
        by,
        when: time::london(at),
    }
}

pub async fn queue(State(state): State<AppState>, CurrentUser(user): CurrentUser, Ctx(ctx): Ctx) -> PageResult {
    let by = By::User(&user);
    let open = state.core.list_person_merges(by, MergeStatus::Requested, 200, &ctx).await?;
    let applied = state.core.list_person_merges(by, MergeStatus::Applied, 20, &ctx).await?;
    let page = QueuePage {
        shell: Shell::for_user(&user, "Person merges", "/merges"),
        open: open.iter().map(queue_row).collect(),
        applied: applied.iter().map(queue_row).collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

// ---- One merge: review, apply, reject, undo -----------------------------------------------------------

#[derive(Template)]
#[template(path = "people/merge_review.html")]
pub struct ReviewPage {
    pub shell: Shell,
    pub id: String,
    pub status: String,
    pub survivor: (String, String),
    pub duplicate: (String, String),
    pub versions: (i64, i64),
    pub details: Vec<(&'static str, String)>,
    pub rows: Vec<(&'static str, String, String)>,
    /// (what, moved to the survivor, left with the duplicate)
    pub moved: Vec<(&'static str, usize, usize)>,
    pub can_decide: bool,
    pub own_request: bool,
    pub can_undo: bool,
    pub reason: String,
}

impl ReviewPage {
    fn error(&self, field: &str) -> Option<String> {
        self.shell.errors.iter().find(|e| e.field == field).map(|e| e.rule.clone())
    }
}

fn review_page(
    state: &AppState,
    user: &Principal,
    review: MergeReview,
    reason: String,
    errors: Vec<FieldError>,
) -> ReviewPage {
    let MergeReview { merge: m, survivor: a, duplicate: b, moves } = review;
    let mut details = vec![
        ("Requested", format!("{} by {}", time::london(m.requested_at), m.requested_by_name)),
        ("Why", m.reason.clone()),
        ("Match when requested", format!("Score {}: {}", m.score, m.match_reasons.join("; "))),
    ];
    if let Some(d) = &m.decided {
        let what = if m.status == MergeStatus::Rejected { "Rejected" } else { "Merged" };
        let why = d.reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default();
        details.push((what, format!("{} by {}{why}", time::london(d.at), d.by_name)));
    }
    if let Some(r) = &m.reversed {
        details.push((
            "Undone",
            format!("{} by {}: {}", time::london(r.at), r.by_name, r.reason.as_deref().unwrap_or("")),
        ));
    }
    let is_mine = m.requested_by(&Actor { id: Some(user.user_id), name: user.username.clone() });
    let reviewer = user.can(Permission::PersonMerge);
    let mut shell = Shell::for_user(user, &format!("Merge {} into {}", b.display_name(), a.display_name()), "/merges");
    shell.errors = errors;
    ReviewPage {
        id: m.id.to_string(),
        status: m.status.label().to_string(),
        survivor: (a.id.to_string(), a.display_name()),
        duplicate: (b.id.to_string(), b.display_name()),
        versions: (a.version, b.version),
        details,
        rows: compare(&a, &b, today(state)),
        moved: summarise(&moves).into_iter().map(|(k, moved, kept)| (k.label(), moved, kept)).collect(),
        can_decide: m.status == MergeStatus::Requested && reviewer && !is_mine,
        own_request: m.status == MergeStatus::Requested && is_mine,
        can_undo: m.status == MergeStatus::Applied && reviewer,
        reason,
        shell,
    }
}

pub async fn show(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let review = state.core.view_person_merge(By::User(&user), parse_id(&id)?, &ctx).await?;
    Ok(render(StatusCode::OK, &review_page(&state, &user, review, String::new(), Vec::new())))
}

#[derive(Debug, Default, Deserialize)]
pub struct DecisionForm {
    /// The versions of the survivor and the duplicate the reviewer compared (apply).
    #[serde(default)]
    pub survivor_version: Option<i64>,
    #[serde(default)]
    pub duplicate_version: Option<i64>,
    /// Why (reject, undo).
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, Copy)]
enum Action {
    Apply,
    Reject,
    Undo,
}

async fn decide(
    state: &AppState,
    user: &Principal,
    ctx: &RequestContext,
    id: &str,
    form: DecisionForm,
    action: Action,
) -> PageResult {
    let id = parse_id(id)?;
    let by = By::User(user);
    let result = match action {
        Action::Apply => {
            let seen = form.survivor_version.zip(form.duplicate_version);
            state.core.apply_person_merge(by, id, seen, ctx).await.map(|_| ())
        }
        Action::Reject => state.core.reject_person_merge(by, id, &form.reason, ctx).await.map(|_| ()),
        Action::Undo => state.core.unmerge_person(by, id, &form.reason, ctx).await.map(|_| ()),
    };
    // Errors other than the reason's are shown by the button they came from.
    let anchor = match action {
        Action::Apply => "apply",
        Action::Reject => "reject",
        Action::Undo => "undo",
    };
    let (status, errors) = match result {
        Ok(()) => return Ok(Redirect::to(&format!("/merges/{id}")).into_response()),
        Err(Error::Invalid(errors)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            errors.into_iter().map(|e| if e.field == "reason" { e } else { FieldError::new(anchor, e.rule) }).collect(),
        ),
        Err(Error::Conflict(message)) => (StatusCode::CONFLICT, vec![FieldError::new(anchor, message)]),
        Err(e) => return Err(e.into()),
    };
    let review = state.core.view_person_merge(by, id, ctx).await?;
    Ok(render(status, &review_page(state, user, review, form.reason, errors)))
}

macro_rules! decision_handler {
    ($name:ident, $action:expr) => {
        pub async fn $name(
            State(state): State<AppState>,
            CurrentUser(user): CurrentUser,
            Ctx(ctx): Ctx,
            Path(id): Path<String>,
            PageForm(form): PageForm<DecisionForm>,
        ) -> PageResult {
            decide(&state, &user, &ctx, &id, form, $action).await
        }
    };
}

decision_handler!(apply, Action::Apply);
decision_handler!(reject, Action::Reject);
decision_handler!(unmerge, Action::Undo);
