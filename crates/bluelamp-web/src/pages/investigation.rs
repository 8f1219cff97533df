//! Investigation pages (issue 7): a crime's investigation plan (actions added, closed and reopened),
//! its supervision (when the next review is due and how it stands, the reviews so far, the review
//! form with directions), its outcome decisions (authorising, returning, reopening), the outcome form
//! with what each outcome needs, an officer's open investigations and actions, and the supervisors'
//! lists of overdue reviews and outcomes awaiting authorisation.
//!
//! Handlers parse the request, call one use case and render; a refused form is rendered again with
//! every error in the summary (each linked to its input) and what was typed. The rules themselves
//! are the core's (`bluelamp_core::investigation`, `bluelamp_core::outcome`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use bluelamp_core::access::{Permission, Principal};
use bluelamp_core::crime::CrimeStatus;
use bluelamp_core::investigation::{ActionInput, ActionKind, ActionStatus, Standing};
use bluelamp_core::investigation_use::{DecisionStatus, InvestigationView, OutcomeDecision};
use bluelamp_core::outcome::{Availability, EvidenceKind, OutcomeEvidence, OutcomeFacts, SuspectContact};
use bluelamp_core::user::Rank;
use bluelamp_core::{Error, FieldError, time};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::auth::{Ctx, CurrentUser};
use crate::error::{Failure, PageError};
use crate::extract::PageForm;
use crate::shell::Shell;
use crate::templates::render;

type PageResult = Result<Response, PageError>;
type RequestContext = bluelamp_core::audit::RequestContext;

/// How many direction rows the review form offers; blank rows are ignored.
pub const DIRECTION_ROWS: usize = 3;

fn parse_id(id: &str) -> Result<Uuid, PageError> {
    Uuid::parse_str(id).map_err(|_| PageError(Failure::Core(Error::NotFound)))
}

/// Today in the UK, by the core's clock.
pub(crate) fn london_today(state: &AppState) -> NaiveDate {
    state.core.now().with_timezone(&chrono_tz::Europe::London).date_naive()
}

/// "a Sergeant", "an Inspector", "police staff".
fn a_rank(rank: Rank) -> String {
    match rank {
        Rank::Staff => "police staff".into(),
        _ => {
            let label = rank.label();
            let article = if label.starts_with(['A', 'E', 'I', 'O', 'U']) { "an" } else { "a" };
            format!("{article} {label}")
        }
    }
}

/// Who must authorise an outcome under the force's settings: on an ordinary crime, and on a
/// domestic-abuse crime.
pub(crate) fn authorisers(state: &AppState, code: &str) -> (Option<Rank>, Option<Rank>) {
    let policy = &state.core.settings.investigation.outcomes;
    let facts = |domestic_abuse| OutcomeFacts {
        on: london_today(state),
        has_suspect_or_offender: false,
        has_named_suspect: false,
        domestic_abuse,
        vulnerable_victim: false,
        engagement_attempts: 0,
        missing_enquiries: Vec::new(),
    };
    (policy.authoriser_needed(code, &facts(false)), policy.authoriser_needed(code, &facts(true)))
}

/// "Outcome 16 needs authorisation by a Sergeant or above, or an Inspector or above on a
/// domestic-abuse crime", for every outcome the settings name.
fn authorisation_rules(state: &AppState, codes: &[String]) -> Vec<String> {
    codes
        .iter()
        .filter_map(|code| match authorisers(state, code) {
            (Some(o), Some(d)) if o == d => {
                Some(format!("Outcome {code} needs authorisation by {} or above.", a_rank(o)))
            }
            (Some(o), Some(d)) => Some(format!(
                "Outcome {code} needs authorisation by {} or above, or {} or above on a domestic-abuse crime.",
                a_rank(o),
                a_rank(d)
            )),
            (None, Some(d)) => {
                Some(format!("Outcome {code} on a domestic-abuse crime needs authorisation by {} or above.", a_rank(d)))
            }
            (Some(o), None) => Some(format!("Outcome {code} needs authorisation by {} or above.", a_rank(o))),
            (None, None) => None,
        })
        .collect()
}

fn day(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

fn standing_tag(s: Standing) -> &'static str {
    match s {
        Standing::OnTime => "govuk-tag--green",
        Standing::Overdue { .. } => "govuk-tag--orange",
        Standing::Escalated { .. } => "govuk-tag--red",
    }
}

fn decision_tag(s: DecisionStatus) -> &'static str {
    match s {
        DecisionStatus::AwaitingAuthorisation => "govuk-tag--yellow",
        DecisionStatus::Returned => "govuk-tag--orange",
        DecisionStatus::Final => "govuk-tag--green",
        DecisionStatus::Reopened => "govuk-tag--grey",
    }
}

/// An option of a select or a radio: value, label, chosen.
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn kind_options(typed: &str) -> Vec<Opt> {
    ActionKind::ALL
        .iter()
        .map(|k| Opt { value: k.as_str().into(), label: k.label().into(), selected: typed.trim() == k.as_str() })
        .collect()
}

/// The officers who may own an action: investigators as the allocation engine lists them, each with
/// what stops them taking work.
fn officer_options(officers: &[(Uuid, String)], typed: &str) -> Vec<Opt> {
    officers
        .iter()
        .map(|(id, label)| Opt {
            value: id.to_string(),
            label: label.clone(),
            selected: typed.trim() == id.to_string(),
        })
        .collect()
}

/// The officers a select offers, labelled. With `owners_of`, only who may own an action on that
/// crime as the plan's selects offer them: the investigator's team (or, on a crime not yet
/// allocated, the user's), the investigator and the user — a county force has thousands of
/// officers; another owner can still be given by id through the API.
async fn officers(
    state: &AppState,
    owners_of: Option<(&bluelamp_core::crime::Crime, &Principal)>,
) -> Result<Vec<(Uuid, String)>, PageError> {
    let all = state.core.officer_profiles().await?;
    let scope = owners_of.map(|(crime, user)| {
        let lead = crime.allocated_to.unwrap_or(user.user_id);
        let team = all.iter().find(|o| o.id == lead).map(|o| o.team.clone()).unwrap_or_default();
        (lead, user.user_id, team)
    });
    Ok(all
        .into_iter()
        .filter(|o| match &scope {
            None => true,
            Some((lead, me, team)) => o.id == *lead || o.id == *me || (!team.is_empty() && o.team == *team),
        })
        .map(|o| {
            let mut label = format!("{} — {}", o.name, o.rank.label());
            if !o.team.is_empty() {
                label.push_str(&format!(", {}", o.team));
            }
            if let Some(why) = &o.unavailable_reason {
                label.push_str(&format!(" ({why})"));
            }
            (o.id, label)
        })
        .collect())
}

// ---- The outcome form's evidence ---------------------------------------------------------------------

/// The outcome evidence as typed (a form or a JSON body): every value is text until checked.
#[derive(Debug, Default, Clone)]
pub struct EvidenceText {
    pub rationale: String,
    pub victim_non_support_on: String,
    pub victim_non_support_how: String,
    pub evidence_led_decision: String,
    /// (kind, answer) as given.
    pub evidence_considered: Vec<(String, String)>,
    pub suspect_contact: String,
    pub suspect_contact_note: String,
    pub diversion_completed_on: String,
    pub victim_informed_on: String,
}

/// A date typed as YYYY-MM-DD; blank is `None`, anything else that is not a date an error naming
/// the field.
fn typed_date(field: &str, text: &str, what: &str, errors: &mut Vec<FieldError>) -> Option<NaiveDate> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let parsed = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
    if parsed.is_none() {
        errors.push(FieldError::new(field, format!("Enter {what} as a date, for example 2026-11-20")));
    }
    parsed
}

/// The evidence checked for form: dates are dates, each evidence kind and answer and the suspect
/// contact are ones the core knows. Every problem is named by its field; the core then checks the
/// outcome's rules.
pub(crate) fn evidence_of(t: &EvidenceText) -> Result<OutcomeEvidence, Vec<FieldError>> {
    let mut errors = Vec::new();
    let victim_non_support_on = typed_date(
        "victim_non_support_on",
        &t.victim_non_support_on,
        "the day the victim said they do not support police action",
        &mut errors,
    );
    let kinds = EvidenceKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ");
    let mut evidence_considered = Vec::new();
    for (kind, answer) in &t.evidence_considered {
        let answer = answer.trim();
        if answer.is_empty() {
            continue;
        }
        let Ok(kind) = kind.trim().parse::<EvidenceKind>() else {
            errors.push(FieldError::new(
                "evidence_considered",
                format!("'{}' is not a kind of evidence: use {kinds}", kind.trim()),
            ));
            continue;
        };
        match answer.parse::<Availability>() {
            Ok(a) => evidence_considered.push((kind, a)),
            Err(_) => errors.push(FieldError::new(
                "evidence_considered",
                format!(
                    "Say whether {} is available or not-available ('{answer}' is neither)",
                    kind.label().to_lowercase()
                ),
            )),
        }
    }
    let suspect_contact = match t.suspect_contact.trim() {
        "" => None,
        text => match text.parse::<SuspectContact>() {
            Ok(s) => Some(s),
            Err(_) => {
                errors.push(FieldError::new(
                    "suspect_contact",
                    format!("'{text}' is not an answer: say interviewed, contacted or not-contacted"),
                ));
                None
            }
        },
    };
    let diversion_completed_on = typed_date(
        "diversion_completed_on",
        &t.diversion_completed_on,
        "the day the diversionary activity was completed",
        &mut errors,
    );
    let victim_informed_on =
        typed_date("victim_informed_on", &t.victim_informed_on, "the day the victim was told", &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(OutcomeEvidence {
        rationale: t.rationale.trim().to_string(),
        victim_non_support_on,
        victim_non_support_how: t.victim_non_support_how.trim().to_string(),
        evidence_led_decision: t.evidence_led_decision.trim().to_string(),
        evidence_considered,
        suspect_contact,
        suspect_contact_note: t.suspect_contact_note.trim().to_string(),
        diversion_completed_on,
        victim_informed_on,
    })
}

// ---- The investigation page --------------------------------------------------------------------------

/// One action of the plan as shown, with its close form as typed.
pub struct ActionRow {
    pub id: String,
    /// Its place in the plan (1, 2, …): names its buttons apart when two are of one kind.
    pub n: usize,
    pub kind: String,
    pub description: String,
    pub owner: String,
    pub due: String,
    pub status: String,
    pub result: String,
    pub is_open: bool,
    pub overdue: bool,
    pub from_review: bool,
    /// The close form's chosen status and result, as typed.
    pub typed_status: String,
    pub typed_result: String,
    pub status_error: Option<String>,
    pub result_error: Option<String>,
}

pub struct ReviewRow {
    pub when: String,
    pub by: String,
    pub notes: String,
    pub next_due: String,
    /// The directions it gave, in words.
    pub directions: Vec<String>,
}

pub struct DecisionRow {
    pub code: String,
    pub label: String,
    pub status: String,
    pub tag: &'static str,
    pub proposed: String,
    pub rank: String,
    pub decided: String,
    pub note: String,
    pub reopened: String,
    pub reason: String,
}

/// The decision awaiting authorisation, with its evidence.
pub struct PendingView {
    pub code: String,
    pub label: String,
    pub proposed: String,
    pub rank: String,
    pub evidence: Vec<(&'static str, String)>,
}

/// One direction row of the review form, as typed.
pub struct DirectionRow {
    pub n: usize,
    pub kinds: Vec<Opt>,
    pub description: String,
    pub owners: Vec<Opt>,
    pub due_on: String,
    pub kind_error: Option<String>,
    pub description_error: Option<String>,
    pub owner_error: Option<String>,
    pub due_on_error: Option<String>,
}

/// What was typed into the page's forms, kept when one is refused.
#[derive(Debug, Default, Clone)]
pub struct Typed {
    pub kind: String,
    pub description: String,
    pub owner: String,
    pub due_on: String,
    /// The action whose close form was sent, with its status and result.
    pub close: Option<(Uuid, String, String)>,
    pub notes: String,
    pub directions: Vec<ActionInput>,
    pub authorise_note: String,
    pub return_note: String,
    pub reopen_reason: String,
}

#[derive(Template)]
#[template(path = "investigation/show.html")]
pub struct InvestigationPage {
    pub shell: Shell,
    pub id: String,
    pub number: String,
    pub version: i64,
    pub status: String,
    pub heading: String,
    pub offence: String,
    pub flags: String,
    pub investigator: String,
    pub crime_open: bool,
    pub actions: Vec<ActionRow>,
    pub missing: Vec<String>,
    pub engagement: u32,
    pub kinds: Vec<Opt>,
    pub owners: Vec<Opt>,
    pub typed: Typed,
    pub directions: Vec<DirectionRow>,
    pub review_due: String,
    pub standing: String,
    pub standing_tag: &'static str,
    pub reviews: Vec<ReviewRow>,
    pub decisions: Vec<DecisionRow>,
    pub pending: Option<PendingView>,
    pub can_record: bool,
    pub can_supervise: bool,
    /// Open, nothing pending and the user records crimes: the link to the outcome form.
    pub can_propose: bool,
    pub can_reopen: bool,
    pub can_review: bool,
}

impl InvestigationPage {
    fn error(&self, field: &str) -> Option<String> {
        error_of(&self.shell.errors, field)
    }
}

fn error_of(errors: &[FieldError], field: &str) -> Option<String> {
    let all: Vec<&str> = errors.iter().filter(|e| e.field == field).map(|e| e.rule.as_str()).collect();
    (!all.is_empty()).then(|| all.join(". "))
}

fn evidence_rows(e: &OutcomeEvidence) -> Vec<(&'static str, String)> {
    let mut rows = Vec::new();
    if !e.rationale.is_empty() {
        rows.push(("Rationale", e.rationale.clone()));
    }
    if e.victim_non_support_on.is_some() || !e.victim_non_support_how.is_empty() {
        let on = e.victim_non_support_on.map(day).unwrap_or_else(|| "Date not recorded".into());
        rows.push(("Victim's non-support", format!("{on}: {}", e.victim_non_support_how)));
    }
    if !e.evidence_led_decision.is_empty() {
        rows.push(("Evidence-led prosecution", e.evidence_led_decision.clone()));
    }
    if !e.evidence_considered.is_empty() {
        rows.push((
            "Evidence considered",
            e.evidence_considered
                .iter()
                .map(|(k, a)| format!("{}: {}", k.label(), a.label().to_lowercase()))
                .collect::<Vec<_>>()
                .join("; "),
        ));
    }
    if let Some(s) = e.suspect_contact {
        let note =
            if e.suspect_contact_note.is_empty() { String::new() } else { format!(": {}", e.suspect_contact_note) };
        rows.push(("Suspect", format!("{}{note}", s.label())));
    }
    if let Some(d) = e.diversion_completed_on {
        rows.push(("Diversion completed", day(d)));
    }
    if let Some(d) = e.victim_informed_on {
        rows.push(("Victim told", day(d)));
    }
    rows
}

fn by_at(name: &str, at: Option<DateTime<Utc>>) -> String {
    match (name.is_empty(), at) {
        (_, None) => String::new(),
        (true, Some(at)) => time::london(at),
        (false, Some(at)) => format!("{name}, {}", time::london(at)),
    }
}

fn decision_row(d: &OutcomeDecision) -> DecisionRow {
    DecisionRow {
        code: d.code.clone(),
        label: d.label.clone(),
        status: d.status.label().to_string(),
        tag: decision_tag(d.status),
        proposed: by_at(&d.proposed_by_name, Some(d.proposed_at)),
        rank: d.authoriser_rank.map(|r| format!("{} or above", r.label())).unwrap_or_else(|| "None".into()),
        decided: by_at(&d.decided_by_name, d.decided_at),
        note: d.decision_note.clone(),
        reopened: by_at(&d.reopened_by_name, d.reopened_at),
        reason: d.reopen_reason.clone(),
    }
}

/// The notice after a change, from what the page now shows.
fn notice(done: &str, view: &InvestigationView) -> Option<String> {
    let crime = &view.record.crime;
    match done {
        "proposed" => view.investigation.pending().map(|p| match p.authoriser_rank {
            Some(rank) => format!("Outcome {} proposed: awaiting authorisation by {}", p.code, a_rank(rank)),
            None => format!("Outcome {} proposed: awaiting authorisation", p.code),
        }),
        "finalised" | "authorised" => crime.outcome.as_ref().map(|code| format!("Crime finalised as outcome {code}")),
        "action-added" => Some("Action added to the plan".into()),
        "action-updated" => Some("Action updated".into()),
        "reviewed" => Some(match crime.review_due_at {
            Some(due) => format!("Review recorded. The next review is due {}", time::london(due)),
            None => "Review recorded".into(),
        }),
        "returned" => Some("Outcome returned to the investigator".into()),
        "reopened" => Some(format!("Crime {} reopened: it is under investigation again", crime.number)),
        _ => None,
    }
}

async fn investigation_page(
    state: &AppState,
    user: &Principal,
    id: Uuid,
    typed: Typed,
    errors: Vec<FieldError>,
    done: &str,
    ctx: &RequestContext,
) -> Result<InvestigationPage, PageError> {
    let view = state.core.investigation_view(user, id, ctx).await?;
    let today = london_today(state);
    let c = &view.record.crime;
    let inv = &view.investigation;
    let crime_open = c.status.is_open();
    let can_record = user.can(Permission::CrimeRecord);
    let can_supervise = user.can(Permission::CrimeSupervise);
    // Only the add-action and review forms choose an owner.
    let officers =
        if crime_open && (can_record || can_supervise) { officers(state, Some((c, user))).await? } else { Vec::new() };
    let actions = inv
        .actions
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let aid = a.id.to_string();
            let (typed_status, typed_result) = match &typed.close {
                Some((which, status, result)) if *which == a.id => (status.clone(), result.clone()),
                _ => (String::new(), String::new()),
            };
            ActionRow {
                n: i + 1,
                kind: a.kind.label().to_string(),
                description: a.description.clone(),
                owner: a.owner_name.clone(),
                due: day(a.due_on),
                status: a.status.label().to_string(),
                result: a.result.clone(),
                is_open: a.status == ActionStatus::Open,
                overdue: a.is_overdue(today),
                from_review: a.review_id.is_some(),
                typed_status,
                typed_result,
                status_error: error_of(&errors, &format!("status-{aid}")),
                result_error: error_of(&errors, &format!("result-{aid}")),
                id: aid,
            }
        })
        .collect();
    let directions = (1..=DIRECTION_ROWS)
        .map(|n| {
            let t = typed.directions.get(n - 1).cloned().unwrap_or_default();
            let e = |field: &str| error_of(&errors, &format!("directions-{n}-{field}"));
            DirectionRow {
                n,
                kinds: kind_options(&t.kind),
                description: t.description,
                owners: officer_options(&officers, &t.owner),
                due_on: t.due_on,
                kind_error: e("kind"),
                description_error: e("description"),
                owner_error: e("owner"),
                due_on_error: e("due_on"),
            }
        })
        .collect();
    let reviews = inv
        .reviews
        .iter()
        .rev()
        .map(|r| ReviewRow {
            when: time::london(r.reviewed_at),
            by: r.reviewer_name.clone(),
            notes: r.notes.clone(),
            next_due: time::london(r.next_due),
            directions: inv
                .actions
                .iter()
                .filter(|a| a.review_id == Some(r.id))
                .map(|a| {
                    let what = if a.description.is_empty() { String::new() } else { format!(": {}", a.description) };
                    format!("{}{what} ({}, due {})", a.kind.label(), a.owner_name, day(a.due_on))
                })
                .collect(),
        })
        .collect();
    let pending = inv.pending().map(|p| PendingView {
        code: p.code.clone(),
        label: p.label.clone(),
        proposed: by_at(&p.proposed_by_name, Some(p.proposed_at)),
        rank: p.authoriser_rank.map(|r| format!("{} or above", r.label())).unwrap_or_else(|| "A supervisor".into()),
        evidence: evidence_rows(&p.evidence),
    });
    let mut shell = Shell::for_user(user, &format!("Investigation of crime {}", c.number), "/investigations");
    shell.notice = notice(done, &view);
    shell.errors = errors;
    Ok(InvestigationPage {
        id: c.id.to_string(),
        number: c.number.clone(),
        version: c.version,
        status: c.status.label().to_string(),
        heading: c.offence_label.clone(),
        offence: format!("{} {} ({})", c.offence_code, c.offence_label, c.offence_group.label()),
        flags: if c.flags.is_empty() {
            "None".into()
        } else {
            c.flags.iter().map(|f| f.label()).collect::<Vec<_>>().join(", ")
        },
        investigator: match (c.allocated_to, c.allocated_at) {
            (Some(_), Some(at)) => format!("{} since {}", c.allocated_to_name, time::london(at)),
            (Some(_), None) => c.allocated_to_name.clone(),
            (None, _) => "Not allocated".into(),
        },
        crime_open,
        actions,
        missing: view.missing_enquiries.iter().map(|k| k.label().to_string()).collect(),
        engagement: view.facts.engagement_attempts,
        kinds: kind_options(&typed.kind),
        owners: officer_options(&officers, &typed.owner),
        directions,
        review_due: match (view.standing, c.review_due_at) {
            (Some(_), Some(due)) => time::london(due),
            _ => String::new(),
        },
        standing: view.standing.map(Standing::label).unwrap_or_default(),
        standing_tag: view.standing.map(standing_tag).unwrap_or(""),
        reviews,
        decisions: inv.decisions.iter().rev().map(decision_row).collect(),
        can_propose: can_record && crime_open && pending.is_none(),
        can_reopen: can_supervise && c.status == CrimeStatus::Finalised,
        can_review: can_supervise && crime_open && c.allocated_to.is_some(),
        pending,
        can_record,
        can_supervise,
        typed,
        shell,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    /// What was just done (for the notice); anything else shows none.
    #[serde(default)]
    pub done: String,
}

/// A crime's investigation: plan, supervision and outcome.
pub async fn show(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let page = investigation_page(&state, &user, parse_id(&id)?, Typed::default(), Vec::new(), &q.done, &ctx).await?;
    Ok(render(StatusCode::OK, &page))
}

/// After a change on the investigation page: back to it with a notice (303), or the page again with
/// every error placed by `place` on its form's inputs (422), or with why the change clashed (409).
#[allow(clippy::too_many_arguments)]
async fn after<T>(
    state: &AppState,
    user: &Principal,
    id: Uuid,
    result: bluelamp_core::Result<T>,
    done: &str,
    typed: Typed,
    place: impl Fn(FieldError) -> FieldError,
    ctx: &RequestContext,
) -> PageResult {
    let (status, errors) = match result {
        Ok(_) => return Ok(Redirect::to(&format!("/crimes/{id}/investigation?done={done}")).into_response()),
        Err(Error::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors.into_iter().map(&place).collect()),
        Err(Error::Conflict(message)) => (
            StatusCode::CONFLICT,
            vec![place(FieldError::new("version", format!("{message}. What you typed is still below.")))],
        ),
        // The route let them in; the core refused this one decision (an authoriser below the rank
        // the outcome needs, or the officer who proposed it): the page again, with the reason.
        Err(Error::Forbidden(why)) => {
            (StatusCode::FORBIDDEN, vec![place(FieldError::new("version", format!("You may not do this: {why}")))])
        }
        Err(e) => return Err(e.into()),
    };
    let page = investigation_page(state, user, id, typed, errors, "", ctx).await?;
    Ok(render(status, &page))
}

#[derive(Debug, Default, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub due_on: String,
}

/// Adds an action to the plan.
pub async fn add_action(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    PageForm(form): PageForm<ActionForm>,
) -> PageResult {
    let id = parse_id(&id)?;
    let input = ActionInput { kind: form.kind, description: form.description, owner: form.owner, due_on: form.due_on };
    let result = state.core.add_action(&user, id, &input, &ctx).await;
    let typed = Typed {
        kind: input.kind,
        description: input.description,
        owner: input.owner,
        due_on: input.due_on,
        ..Typed::default()
    };
    let place = |e: FieldError| match e.field.as_str() {
        "kind" | "description" | "owner" | "due_on" => e,
        _ => FieldError::new("plan", e.rule),
    };
    after(&state, &user, id, result, "action-added", typed, place, &ctx).await
}

#[derive(Debug, Default, Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub result: String,
}

/// Closes an action as done or not possible, with its result, or opens it again.
pub async fn update_action(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path((id, action_id)): Path<(String, String)>,
    PageForm(form): PageForm<CloseForm>,
) -> PageResult {
    let id = parse_id(&id)?;
    let action_id = parse_id(&action_id)?;
    let result = state.core.update_action(&user, id, action_id, &form.status, &form.result, &ctx).await;
    let place = move |e: FieldError| match e.field.as_str() {
        "result" => FieldError::new(format!("result-{action_id}"), e.rule),
        _ => FieldError::new(format!("status-{action_id}"), e.rule),
    };
    let typed = Typed { close: Some((action_id, form.status, form.result)), ..Typed::default() };
    after(&state, &user, id, result, "action-updated", typed, place, &ctx).await
}

/// The review form: `version`, `notes` and `directions-<n>-<field>` for each direction row.
fn review_input(pairs: &[(String, String)]) -> (i64, String, Vec<ActionInput>) {
    let mut version = 0;
    let mut notes = String::new();
    let mut rows = vec![ActionInput::default(); DIRECTION_ROWS];
    for (key, value) in pairs {
        match key.as_str() {
            "version" => version = value.trim().parse().unwrap_or(0),
            "notes" => notes = value.clone(),
            k => {
                let Some((n, field)) = k.strip_prefix("directions-").and_then(|rest| rest.split_once('-')) else {
                    continue;
                };
                let Some(row) = n.parse::<usize>().ok().and_then(|n| n.checked_sub(1)).and_then(|i| rows.get_mut(i))
                else {
                    continue;
                };
                match field {
                    "kind" => row.kind = value.clone(),
                    "description" => row.description = value.clone(),
                    "owner" => row.owner = value.clone(),
                    "due_on" => row.due_on = value.clone(),
                    _ => {}
                }
            }
        }
    }
    (version, notes, rows)
}

/// Whether a direction row was left blank (an owner alone is not a direction).
fn is_blank(row: &ActionInput) -> bool {
    row.kind.trim().is_empty() && row.description.trim().is_empty() && row.due_on.trim().is_empty()
}

/// Records a supervisor's review with its directions (blank rows ignored).
pub async fn review(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let id = parse_id(&id)?;
    let (version, notes, rows) = review_input(&pairs);
    // The core numbers the directions it is given from 1; the page's rows keep their own numbers.
    let given: Vec<usize> = (0..rows.len()).filter(|i| !is_blank(&rows[*i])).collect();
    let directions: Vec<ActionInput> = given.iter().map(|i| rows[*i].clone()).collect();
    let result = state.core.review_investigation(&user, id, version, &notes, &directions, &ctx).await;
    let place = |e: FieldError| {
        let row = e.field.strip_prefix("directions.").and_then(|rest| rest.split_once('.')).and_then(|(n, field)| {
            let i = n.parse::<usize>().ok()?.checked_sub(1)?;
            Some((given.get(i)? + 1, field.to_string()))
        });
        match (row, e.field.as_str()) {
            (Some((n, field)), _) => FieldError::new(format!("directions-{n}-{field}"), e.rule),
            (None, "notes") => e,
            (None, _) => FieldError::new("review", e.rule),
        }
    };
    let typed = Typed { notes, directions: rows, ..Typed::default() };
    after(&state, &user, id, result, "reviewed", typed, place, &ctx).await
}

#[derive(Debug, Default, Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    pub version: i64,
    #[serde(default)]
    pub note: String,
}

/// Authorises the outcome awaiting authorisation.
pub async fn authorise(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    PageForm(form): PageForm<NoteForm>,
) -> PageResult {
    let id = parse_id(&id)?;
    let result = state.core.authorise_outcome(&user, id, form.version, &form.note, &ctx).await;
    let typed = Typed { authorise_note: form.note, ..Typed::default() };
    after(&state, &user, id, result, "authorised", typed, |e| FieldError::new("authorise-note", e.rule), &ctx).await
}

/// Returns the proposed outcome to the investigator with a note.
pub async fn return_outcome(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    PageForm(form): PageForm<NoteForm>,
) -> PageResult {
    let id = parse_id(&id)?;
    let result = state.core.return_outcome(&user, id, form.version, &form.note, &ctx).await;
    let typed = Typed { return_note: form.note, ..Typed::default() };
    after(&state, &user, id, result, "returned", typed, |e| FieldError::new("return-note", e.rule), &ctx).await
}

#[derive(Debug, Default, Deserialize)]
pub struct ReopenForm {
    #[serde(default)]
    pub version: i64,
    #[serde(default)]
    pub reason: String,
}

/// Reopens a finalised crime with the reason.
pub async fn reopen(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    PageForm(form): PageForm<ReopenForm>,
) -> PageResult {
    let id = parse_id(&id)?;
    let result = state.core.reopen_crime(&user, id, form.version, &form.reason, &ctx).await;
    let typed = Typed { reopen_reason: form.reason, ..Typed::default() };
    after(&state, &user, id, result, "reopened", typed, |e| FieldError::new("reopen-reason", e.rule), &ctx).await
}

// ---- The outcome form ----------------------------------------------------------------------------------

/// One outcome in the "what each outcome needs" table.
pub struct NeedRow {
    pub code: String,
    pub label: String,
    pub rules: Vec<String>,
    pub authorisation: String,
}

/// One kind of evidence's radios.
pub struct EvidenceChoice {
    pub key: &'static str,
    pub label: &'static str,
    /// This kind's unmet rule, if any; its first radio has the id `evidence-<key>` (the error link).
    pub error: Option<String>,
    pub available: bool,
    pub not_available: bool,
}

#[derive(Template)]
#[template(path = "investigation/outcome.html")]
pub struct OutcomePage {
    pub shell: Shell,
    pub id: String,
    pub number: String,
    pub version: i64,
    pub status: String,
    pub heading: String,
    /// Why no outcome can be chosen now (finalised, one awaiting authorisation), or empty.
    pub closed: String,
    pub outcomes: Vec<Opt>,
    pub needs: Vec<NeedRow>,
    pub authorisation_rules: Vec<String>,
    pub typed: EvidenceText,
    pub evidence: Vec<EvidenceChoice>,
    /// Whether any kind of evidence is unanswered.
    pub evidence_error: bool,
    pub contacts: Vec<Opt>,
    /// The facts the rules read, each with the id its errors link to.
    pub people: String,
    pub plan: String,
    pub rules: String,
}

impl OutcomePage {
    fn error(&self, field: &str) -> Option<String> {
        error_of(&self.shell.errors, field)
    }
}

/// The outcome form, as typed (`code` is the chosen outcome).
async fn outcome_page(
    state: &AppState,
    user: &Principal,
    id: Uuid,
    code: &str,
    typed: EvidenceText,
    errors: Vec<FieldError>,
    ctx: &RequestContext,
) -> Result<OutcomePage, PageError> {
    let view = state.core.investigation_view(user, id, ctx).await?;
    let failures = state.core.crime_facts_failures(&view.record).await?;
    let c = &view.record.crime;
    let policy = &state.core.settings.investigation.outcomes;
    let closed = match view.investigation.pending() {
        Some(p) => {
            format!("Outcome {} ({}) awaits authorisation: it must be authorised or returned first.", p.code, p.label)
        }
        None if !c.status.is_open() => {
            format!("This crime is {}, so no outcome can be recorded.", c.status.label().to_lowercase())
        }
        None => String::new(),
    };
    let needs = view
        .outcome_types
        .iter()
        .map(|t| NeedRow {
            code: t.code.clone(),
            label: t.label.clone(),
            rules: policy.rules_for(t, &view.facts).iter().map(|r| r.label().to_string()).collect(),
            authorisation: match policy.authoriser_needed(&t.code, &view.facts) {
                Some(rank) => format!("{} or above", a_rank(rank)),
                None => "Not needed".into(),
            },
        })
        .collect();
    let codes: Vec<String> = view.outcome_types.iter().map(|t| t.code.clone()).collect();
    let answer = |kind: EvidenceKind| {
        typed.evidence_considered.iter().find(|(k, _)| k == kind.as_str()).map(|(_, a)| a.trim().to_string())
    };
    let evidence: Vec<EvidenceChoice> = EvidenceKind::ALL
        .iter()
        .map(|k| EvidenceChoice {
            key: k.as_str(),
            label: k.label(),
            error: error_of(&errors, &format!("evidence-{}", k.as_str())),
            available: answer(*k).as_deref() == Some(Availability::Available.as_str()),
            not_available: answer(*k).as_deref() == Some(Availability::NotAvailable.as_str()),
        })
        .collect();
    let contacts = SuspectContact::ALL
        .iter()
        .map(|s| Opt {
            value: s.as_str().into(),
            label: s.label().into(),
            selected: typed.suspect_contact.trim() == s.as_str(),
        })
        .collect();
    let people = if view.record.people.is_empty() {
        "None linked".to_string()
    } else {
        view.record.people.iter().map(|p| format!("{} ({})", p.name, p.role.label())).collect::<Vec<_>>().join(", ")
    };
    let attempts = view.facts.engagement_attempts;
    let mut plan =
        format!("{attempts} completed victim-engagement {}", if attempts == 1 { "attempt" } else { "attempts" });
    if !view.facts.missing_enquiries.is_empty() {
        plan.push_str(&format!(
            "; mandatory lines of enquiry outstanding: {}",
            view.facts.missing_enquiries.join(", ")
        ));
    }
    let rules = if failures.is_empty() {
        "The crime meets every classification and recording rule".to_string()
    } else {
        failures.iter().map(|f| f.why.clone()).collect::<Vec<_>>().join("; ")
    };
    let mut shell = Shell::for_user(user, &format!("Outcome for crime {}", c.number), "/investigations");
    shell.errors = errors;
    Ok(OutcomePage {
        id: c.id.to_string(),
        number: c.number.clone(),
        version: c.version,
        status: c.status.label().to_string(),
        heading: c.offence_label.clone(),
        closed,
        outcomes: view
            .outcome_types
            .iter()
            .map(|t| Opt {
                value: t.code.clone(),
                label: format!("{} — {}", t.code, t.label),
                selected: t.code.eq_ignore_ascii_case(code.trim()),
            })
            .collect(),
        needs,
        authorisation_rules: authorisation_rules(state, &codes),
        typed,
        evidence_error: evidence.iter().any(|k| k.error.is_some()),
        evidence,
        contacts,
        people,
        plan,
        rules,
        shell,
    })
}

/// The outcome form.
pub async fn outcome_form(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let page = outcome_page(&state, &user, parse_id(&id)?, "", EvidenceText::default(), Vec::new(), &ctx).await?;
    Ok(render(StatusCode::OK, &page))
}

/// The outcome form's fields: `version`, `outcome`, the evidence's text fields, one
/// `evidence-<kind>` radio per kind of evidence and `suspect_contact`.
fn outcome_input(pairs: &[(String, String)]) -> (i64, String, EvidenceText) {
    let mut version = 0;
    let mut code = String::new();
    let mut t = EvidenceText::default();
    for (key, value) in pairs {
        let value = value.clone();
        match key.as_str() {
            "version" => version = value.trim().parse().unwrap_or(0),
            "outcome" => code = value,
            "rationale" => t.rationale = value,
            "victim_non_support_on" => t.victim_non_support_on = value,
            "victim_non_support_how" => t.victim_non_support_how = value,
            "evidence_led_decision" => t.evidence_led_decision = value,
            "suspect_contact" => t.suspect_contact = value,
            "suspect_contact_note" => t.suspect_contact_note = value,
            "diversion_completed_on" => t.diversion_completed_on = value,
            "victim_informed_on" => t.victim_informed_on = value,
            k => {
                if let Some(kind) = k.strip_prefix("evidence-") {
                    t.evidence_considered.push((kind.to_string(), value));
                }
            }
        }
    }
    (version, code, t)
}

/// The field an outcome error is shown against on the form.
fn outcome_field(e: FieldError) -> FieldError {
    match e.field.as_str() {
        f if f.starts_with("rules.") => FieldError::new("rules", e.rule),
        f if f.starts_with("evidence_considered.") => {
            FieldError::new(format!("evidence-{}", &f["evidence_considered.".len()..]), e.rule)
        }
        "outcome"
        | "rationale"
        | "victim_non_support_on"
        | "victim_non_support_how"
        | "evidence_led_decision"
        | "evidence_considered"
        | "suspect_contact"
        | "suspect_contact_note"
        | "diversion_completed_on"
        | "victim_informed_on"
        | "people"
        | "plan"
        | "status" => e,
        _ => FieldError::new("outcome", e.rule),
    }
}

/// Finalises the crime with the outcome, or proposes it for authorisation; on a refusal the form
/// again with what was typed and every unmet rule.
pub async fn finalise(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let id = parse_id(&id)?;
    let (version, code, typed) = outcome_input(&pairs);
    let (status, errors) = match evidence_of(&typed) {
        // A date or answer that cannot be read is refused before the core is asked.
        Err(errors) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
        Ok(evidence) => match state.core.finalise_crime(&user, id, version, &code, &evidence, &ctx).await {
            Ok((_, decision)) => {
                let done =
                    if decision.status == DecisionStatus::AwaitingAuthorisation { "proposed" } else { "finalised" };
                return Ok(Redirect::to(&format!("/crimes/{id}/investigation?done={done}")).into_response());
            }
            Err(Error::Invalid(errors)) => {
                (StatusCode::UNPROCESSABLE_ENTITY, errors.into_iter().map(outcome_field).collect())
            }
            Err(Error::Conflict(message)) => (
                StatusCode::CONFLICT,
                vec![FieldError::new("outcome", format!("{message}. What you typed is still below."))],
            ),
            Err(e) => return Err(e.into()),
        },
    };
    let page = outcome_page(&state, &user, id, &code, typed, errors, &ctx).await?;
    Ok(render(status, &page))
}

// ---- Workload and the supervisors' lists ------------------------------------------------------------

pub struct WorkloadCrimeRow {
    pub id: String,
    pub number: String,
    pub offence: String,
    pub status: String,
    pub review_due: String,
    pub standing: String,
    pub tag: &'static str,
}

pub struct WorkloadActionRow {
    pub crime_id: String,
    pub crime_number: String,
    pub kind: String,
    pub description: String,
    pub due: String,
    pub overdue: bool,
}

#[derive(Template)]
#[template(path = "investigation/workload.html")]
pub struct WorkloadPage {
    pub shell: Shell,
    pub heading: String,
    pub can_supervise: bool,
    /// Supervisors and triage may look at another officer's workload.
    pub can_choose: bool,
    pub officers: Vec<Opt>,
    pub officer: String,
    pub shown: bool,
    pub crimes: Vec<WorkloadCrimeRow>,
    pub actions: Vec<WorkloadActionRow>,
}

impl WorkloadPage {
    fn error(&self, field: &str) -> Option<String> {
        error_of(&self.shell.errors, field)
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct OfficerQuery {
    #[serde(default)]
    pub officer: String,
}

/// An officer's open investigations and actions: your own, or (supervisors and triage) another's.
pub async fn workload(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Query(q): Query<OfficerQuery>,
) -> PageResult {
    let can_choose = user.can(Permission::CrimeSupervise) || user.can(Permission::CrimeTriage);
    let officers = if can_choose { officers(&state, None).await? } else { Vec::new() };
    let mut page = WorkloadPage {
        shell: Shell::for_user(&user, "My investigations", "/investigations"),
        heading: "My investigations".into(),
        can_supervise: user.can(Permission::CrimeSupervise),
        can_choose,
        officers: officer_options(&officers, &q.officer),
        officer: q.officer.chars().take(60).collect(),
        shown: false,
        crimes: Vec::new(),
        actions: Vec::new(),
    };
    let officer = match q.officer.trim() {
        "" => None,
        text => match Uuid::parse_str(text) {
            Ok(id) => Some(id),
            Err(_) => {
                page.shell.errors = vec![FieldError::new("officer", "Choose an officer from the list")];
                return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
            }
        },
    };
    let w = state.core.workload_of(&user, officer, &ctx).await?;
    let today = london_today(&state);
    if w.officer.id != user.user_id {
        page.heading = format!("Investigations of {}", w.officer.display_name);
        page.shell.title = page.heading.clone();
    }
    page.shown = true;
    page.crimes = w
        .crimes
        .iter()
        .map(|(c, s)| WorkloadCrimeRow {
            id: c.id.to_string(),
            number: c.number.clone(),
            offence: format!("{} {}", c.offence_code, c.offence_label),
            status: c.status.label().to_string(),
            review_due: c.review_due_at.map(time::london).unwrap_or_else(|| "Not set".into()),
            standing: s.map(Standing::label).unwrap_or_default(),
            tag: s.map(standing_tag).unwrap_or(""),
        })
        .collect();
    page.actions = w
        .actions
        .iter()
        .map(|a| WorkloadActionRow {
            crime_id: a.action.crime_id.to_string(),
            crime_number: a.crime_number.clone(),
            kind: a.action.kind.label().to_string(),
            description: a.action.description.clone(),
            due: day(a.action.due_on),
            overdue: a.action.is_overdue(today),
        })
        .collect();
    Ok(render(StatusCode::OK, &page))
}

pub struct OverdueRow {
    pub id: String,
    pub number: String,
    pub offence: String,
    pub flags: String,
    pub investigator: String,
    pub due: String,
    pub standing: String,
}

#[derive(Template)]
#[template(path = "investigation/reviews.html")]
pub struct ReviewsPage {
    pub shell: Shell,
    pub can_supervise: bool,
    pub escalated: Vec<OverdueRow>,
    pub overdue: Vec<OverdueRow>,
}

/// Reviews overdue now: those escalated to an inspector first, then the rest, longest overdue first.
pub async fn overdue_reviews(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
) -> PageResult {
    let all = state.core.overdue_reviews(&user, &ctx).await?;
    let row = |o: &bluelamp_core::investigation::OverdueReview| OverdueRow {
        id: o.crime_id.to_string(),
        number: o.number.clone(),
        offence: o.offence_label.clone(),
        flags: o.flags.iter().map(|f| f.label()).collect::<Vec<_>>().join(", "),
        investigator: o.allocated_to_name.clone(),
        due: time::london(o.due_at),
        standing: o.standing.label(),
    };
    let escalated = all.iter().filter(|o| matches!(o.standing, Standing::Escalated { .. })).map(row).collect();
    let overdue = all.iter().filter(|o| !matches!(o.standing, Standing::Escalated { .. })).map(row).collect();
    let page = ReviewsPage {
        shell: Shell::for_user(&user, "Overdue reviews", "/investigations"),
        can_supervise: true,
        escalated,
        overdue,
    };
    Ok(render(StatusCode::OK, &page))
}

pub struct PendingRow {
    pub id: String,
    pub number: String,
    pub offence: String,
    pub outcome: String,
    pub proposed_by: String,
    pub proposed_at: String,
    pub rank: String,
}

#[derive(Template)]
#[template(path = "investigation/authorisations.html")]
pub struct AuthorisationsPage {
    pub shell: Shell,
    pub can_supervise: bool,
    pub rows: Vec<PendingRow>,
}

/// Outcomes awaiting authorisation, oldest proposed first, with the rank each needs.
pub async fn authorisations(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
) -> PageResult {
    let rows = state
        .core
        .pending_outcomes(&user, &ctx)
        .await?
        .iter()
        .map(|(d, c)| PendingRow {
            id: c.id.to_string(),
            number: c.number.clone(),
            offence: format!("{} {}", c.offence_code, c.offence_label),
            outcome: format!("{} — {}", d.code, d.label),
            proposed_by: d.proposed_by_name.clone(),
            proposed_at: time::london(d.proposed_at),
            rank: d.authoriser_rank.map(|r| format!("{} or above", r.label())).unwrap_or_else(|| "A supervisor".into()),
        })
        .collect();
    let page = AuthorisationsPage {
        shell: Shell::for_user(&user, "Outcomes to authorise", "/investigations"),
        can_supervise: true,
        rows,
    };
    Ok(render(StatusCode::OK, &page))
}

/// The home page's alert lines for supervisors: (text, where the list is).
pub(crate) fn supervision_alerts(
    c: bluelamp_core::investigation_use::SupervisionCounts,
) -> Vec<(String, &'static str)> {
    let mut alerts = Vec::new();
    if c.overdue > 0 {
        let text = if c.overdue == 1 {
            "1 investigation review is overdue".to_string()
        } else {
            format!("{} investigation reviews are overdue", c.overdue)
        };
        alerts.push((text, "/investigations/reviews"));
    }
    if c.escalated > 0 {
        alerts.push((format!("{} escalated to an inspector", c.escalated), "/investigations/reviews"));
    }
    if c.awaiting_authorisation > 0 {
        let text = if c.awaiting_authorisation == 1 {
            "1 outcome awaits authorisation".to_string()
        } else {
            format!("{} outcomes await authorisation", c.awaiting_authorisation)
        };
        alerts.push((text, "/investigations/authorisations"));
    }
    alerts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn review_rows_keep_their_numbers() {
        let pairs: Vec<(String, String)> = [
            ("version", "4"),
            ("notes", "Reviewed the plan"),
            ("directions-2-kind", "cctv"),
            ("directions-2-due_on", "2026-12-01"),
            ("directions-1-owner", ""),
            ("directions-9-kind", "cctv"),
            ("directions-x-kind", "cctv"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let (version, notes, rows) = review_input(&pairs);
        assert_eq!((version, notes.as_str()), (4, "Reviewed the plan"));
        assert_eq!(rows.len(), DIRECTION_ROWS);
        assert!(is_blank(&rows[0]) && is_blank(&rows[2]));
        assert_eq!((rows[1].kind.as_str(), rows[1].due_on.as_str()), ("cctv", "2026-12-01"));
    }

    #[test]
    fn outcome_form_fields_are_read() {
        let pairs: Vec<(String, String)> = [
            ("version", "3"),
            ("outcome", "16"),
            ("evidence-body-worn-video", "available"),
            ("evidence-999-call", ""),
            ("suspect_contact", "interviewed"),
            ("victim_informed_on", "2026-11-26"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let (version, code, typed) = outcome_input(&pairs);
        assert_eq!((version, code.as_str()), (3, "16"));
        let evidence = evidence_of(&typed).expect("valid");
        assert_eq!(evidence.evidence_considered, [(EvidenceKind::BodyWornVideo, Availability::Available)]);
        assert_eq!(evidence.suspect_contact, Some(SuspectContact::Interviewed));
        assert_eq!(evidence.victim_informed_on, NaiveDate::from_ymd_opt(2026, 11, 26));
        let bad = EvidenceText { diversion_completed_on: "last week".into(), ..EvidenceText::default() };
        let errors = evidence_of(&bad).expect_err("refused");
        assert_eq!(errors[0].field, "diversion_completed_on");
        assert!(errors[0].rule.contains("2026-11-20"));
    }

    #[test]
    fn ranks_take_their_article_and_alerts_their_number() {
        assert_eq!(a_rank(Rank::Inspector), "an Inspector");
        assert_eq!(a_rank(Rank::Sergeant), "a Sergeant");
        assert_eq!(a_rank(Rank::Staff), "police staff");
        let counts =
            bluelamp_core::investigation_use::SupervisionCounts { overdue: 3, escalated: 1, awaiting_authorisation: 2 };
        let alerts: Vec<String> = supervision_alerts(counts).into_iter().map(|(t, _)| t).collect();
        assert_eq!(
            alerts,
            ["3 investigation reviews are overdue", "1 escalated to an inspector", "2 outcomes await authorisation"]
        );
        assert!(supervision_alerts(Default::default()).is_empty());
    }
}
