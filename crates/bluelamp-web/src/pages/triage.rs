//! Triage and allocation pages (issue 6): the queue in priority order with every point explained,
//! screening a crime against its solvability model, the proposed allocations for the whole queue and
//! accepting them in one go, choosing another officer for one crime, the backlog recovery view (its
//! charts drawn here as SVG, each with its data table) and investigators' workload, caps and leave.
//!
//! Handlers parse the request, call one use case and render; a refused form is rendered again with
//! every error in the summary and by its field, and with what was typed.

use std::collections::{HashMap, HashSet};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use bluelamp_core::access::{Permission, Principal};
use bluelamp_core::allocation::OfficerProfile;
use bluelamp_core::crime::{CrimeRecord, CrimeStatus};
use bluelamp_core::solvability::{Assessment, Decision, Recommendation};
use bluelamp_core::triage::{Allocation, Backlog, Breach, QueueItem, Screening};
use bluelamp_core::triage_use::{Choice, ScreenInput};
use bluelamp_core::user::PipLevel;
use bluelamp_core::{Error, FieldError, Settings, time};
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

/// Crimes per page of the queue.
pub const QUEUE_PAGE_SIZE: usize = 200;

fn parse_id(id: &str) -> Result<Uuid, PageError> {
    Uuid::parse_str(id).map_err(|_| PageError(Failure::Core(Error::NotFound)))
}

/// `1234` as "1,234".
pub(crate) fn thousands(n: usize) -> String {
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

/// A score or weight as people write it: "7", "10.4", "-0.25".
pub(crate) fn number(x: f64) -> String {
    let text = format!("{x:.2}");
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.') } else { &text };
    if text == "-0" { "0".into() } else { text.to_string() }
}

/// "1 crime" or "2 crimes".
fn crimes(n: usize) -> String {
    format!("{} {}", thousands(n), if n == 1 { "crime" } else { "crimes" })
}

/// The route triage chose, in words: "Investigate", "Desk investigation", or empty before screening.
pub(crate) fn route_label(route: &str) -> &'static str {
    match route.parse::<Decision>() {
        Ok(Decision::Investigate) => "Investigate",
        Ok(Decision::DeskInvestigation) => "Desk investigation",
        Ok(Decision::ScreenOut) => "Screened out",
        Err(_) => "",
    }
}

/// "Vulnerable victim +40; Waiting 2 days +40".
pub(crate) fn reasons_text(item: &QueueItem) -> String {
    if item.reasons.is_empty() {
        return "Nothing raises it yet".into();
    }
    item.reasons.iter().map(|r| format!("{} {:+}", r.why, r.points)).collect::<Vec<_>>().join("; ")
}

/// The GOV.UK tag class for a breach (its label says the same in words).
fn breach_tag(breach: Breach) -> &'static str {
    match breach {
        Breach::None => "",
        Breach::Supervisor => "govuk-tag--orange",
        Breach::Inspector => "govuk-tag--red",
    }
}

// ---- The queue --------------------------------------------------------------------------------------

/// One crime of the queue as shown.
pub struct QueueRowView {
    pub id: String,
    pub number: String,
    pub offence: String,
    pub division: String,
    pub waited: String,
    pub limit: String,
    pub priority: i64,
    pub reasons: String,
    pub route: &'static str,
    pub high_risk: bool,
    pub breach: &'static str,
    pub breach_tag: &'static str,
}

pub(crate) fn queue_row(item: &QueueItem) -> QueueRowView {
    let c = &item.row.crime;
    QueueRowView {
        id: c.id.to_string(),
        number: c.number.clone(),
        offence: format!("{} {}", c.offence_code, c.offence_label),
        division: if c.division.is_empty() { "Not known".into() } else { c.division.clone() },
        waited: item.waited_text(),
        limit: format!("{} h", item.limit_hours),
        priority: item.priority,
        reasons: reasons_text(item),
        route: route_label(&c.route),
        high_risk: item.high_risk,
        breach: item.breach.label(),
        breach_tag: breach_tag(item.breach),
    }
}

#[derive(Template)]
#[template(path = "triage/queue.html")]
pub struct QueuePage {
    pub shell: Shell,
    pub rows: Vec<QueueRowView>,
    pub total: String,
    pub supervisor_breaches: usize,
    pub inspector_breaches: usize,
    /// "Crimes 1 to 200 of 1,942, highest priority first".
    pub summary: String,
    pub page: usize,
    pub pages: usize,
    pub previous: Option<String>,
    pub next: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    /// 1-based; anything that is not a page number shows the first.
    #[serde(default)]
    pub page: String,
}

/// The triage queue: every recorded crime waiting for allocation, highest priority first.
pub async fn queue(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Query(q): Query<PageQuery>,
) -> PageResult {
    let items = state.core.triage_queue(&user, &ctx).await?;
    let total = items.len();
    let pages = total.div_ceil(QUEUE_PAGE_SIZE).max(1);
    let page = q.page.trim().parse::<usize>().unwrap_or(1).clamp(1, pages);
    let first = (page - 1) * QUEUE_PAGE_SIZE;
    let rows: Vec<QueueRowView> = items.iter().skip(first).take(QUEUE_PAGE_SIZE).map(queue_row).collect();
    let count = |b: Breach| items.iter().filter(|i| i.breach == b).count();
    let summary = if rows.is_empty() {
        "No crimes are waiting for allocation".to_string()
    } else {
        format!(
            "Crimes {} to {} of {}, highest priority first",
            thousands(first + 1),
            thousands(first + rows.len()),
            thousands(total)
        )
    };
    let page_view = QueuePage {
        shell: Shell::for_user(&user, "Triage queue", "/triage"),
        rows,
        total: thousands(total),
        supervisor_breaches: count(Breach::Supervisor),
        inspector_breaches: count(Breach::Inspector),
        summary,
        page,
        pages,
        previous: (page > 1).then(|| format!("/triage?page={}", page - 1)),
        next: (page < pages).then(|| format!("/triage?page={}", page + 1)),
    };
    Ok(render(StatusCode::OK, &page_view))
}

// ---- A crime's screening and allocation history (also on the crime page) ---------------------------

/// One screening decision as shown.
pub struct ScreeningRow {
    pub when: String,
    pub by: String,
    pub model: String,
    pub score: String,
    pub factors: String,
    pub recommendation: String,
    pub decision: String,
    /// The override reason, or why no model applied.
    pub note: String,
}

/// One allocation as shown.
pub struct AllocationRow {
    pub when: String,
    pub officer: String,
    pub by: String,
    pub proposal: &'static str,
    pub reasons: String,
}

fn decision_label(decision: &str) -> String {
    decision.parse::<Decision>().map(|d| d.label().to_string()).unwrap_or_else(|_| decision.to_string())
}

fn recommendation_label(recommendation: &str) -> String {
    recommendation.parse::<Recommendation>().map(|r| r.label().to_string()).unwrap_or_default()
}

/// Screenings as rows, with factor labels from the model version each used.
pub(crate) fn screening_rows(settings: &Settings, screenings: &[Screening]) -> Vec<ScreeningRow> {
    screenings
        .iter()
        .rev()
        .map(|s| {
            let model = settings.triage.models.model(&s.model_id, s.model_version);
            let factor = |key: &String| {
                model.and_then(|m| m.factor(key)).map(|f| f.label.clone()).unwrap_or_else(|| key.clone())
            };
            ScreeningRow {
                when: time::london(s.decided_at),
                by: s.decided_by_name.clone(),
                model: match model {
                    Some(m) => format!("{} (version {})", m.name, m.version),
                    None if s.model_id.is_empty() => "None".into(),
                    None => format!("{} (version {})", s.model_id, s.model_version),
                },
                score: match (s.score, s.threshold) {
                    (Some(score), Some(threshold)) => format!("{} (threshold {})", number(score), number(threshold)),
                    _ => "Not scored".into(),
                },
                factors: if s.factors.is_empty() {
                    "None".into()
                } else {
                    s.factors.iter().map(factor).collect::<Vec<_>>().join("; ")
                },
                recommendation: {
                    let r = recommendation_label(&s.recommendation);
                    if r.is_empty() { "None".into() } else { r }
                },
                decision: decision_label(&s.decision),
                note: match (s.override_reason.is_empty(), s.exclusion.is_empty()) {
                    (false, _) => format!("Against the recommendation: {}", s.override_reason),
                    (true, false) => format!("Not screened: {}", s.exclusion),
                    (true, true) => String::new(),
                },
            }
        })
        .collect()
}

/// Allocations as rows, newest first.
pub(crate) fn allocation_rows(allocations: &[Allocation]) -> Vec<AllocationRow> {
    allocations
        .iter()
        .rev()
        .map(|a| AllocationRow {
            when: time::london(a.allocated_at),
            officer: a.officer_name.clone(),
            by: if a.automatic { format!("{} (automatic)", a.allocated_by_name) } else { a.allocated_by_name.clone() },
            proposal: match a.proposed_officer {
                Some(p) if p == a.officer_id => "As proposed",
                Some(_) => "Another officer than proposed",
                None => "Chosen without a proposal",
            },
            reasons: a.reasons.join("; "),
        })
        .collect()
}

// ---- Screening ----------------------------------------------------------------------------------------

/// A factor checkbox or radio.
pub struct FactorView {
    pub key: String,
    pub label: String,
    pub help: String,
    pub weight: String,
    pub checked: bool,
}

/// Factors that are alternative answers to one question: radios, one or none.
pub struct FactorGroupView {
    pub name: String,
    pub legend: String,
    pub factors: Vec<FactorView>,
    pub none_checked: bool,
}

pub struct ModelView {
    pub name: String,
    pub version: u32,
    pub threshold: String,
    pub intercept: String,
    pub source: String,
    pub notes: String,
}

#[derive(Template)]
#[template(path = "triage/screen.html")]
pub struct ScreeningPage {
    pub shell: Shell,
    pub id: String,
    pub number: String,
    pub version: i64,
    pub status: String,
    pub heading: String,
    pub rows: Vec<(&'static str, String)>,
    /// Why the crime cannot be screened now (already allocated, finalised…), or empty.
    pub closed: String,
    /// The exclusion banner, when no model may apply.
    pub exclusion: Option<String>,
    pub model: Option<ModelView>,
    pub factors: Vec<FactorView>,
    pub groups: Vec<FactorGroupView>,
    /// (value, label, checked)
    pub decisions: Vec<(&'static str, &'static str, bool)>,
    pub override_reason: String,
    pub screenings: Vec<ScreeningRow>,
    pub allocations: Vec<AllocationRow>,
    pub can_allocate: bool,
}

impl ScreeningPage {
    fn error(&self, field: &str) -> Option<String> {
        let all: Vec<&str> = self.shell.errors.iter().filter(|e| e.field == field).map(|e| e.rule.as_str()).collect();
        (!all.is_empty()).then(|| all.join(". "))
    }
}

/// "Domestic abuse; a child victim: solvability screening does not apply; this crime goes to an
/// investigator".
fn exclusion_banner(assessment: &Assessment) -> Option<String> {
    assessment.exclusion.as_ref().map(|e| {
        let words = e.to_string();
        let mut chars = words.chars();
        let first = chars.next().map(|c| c.to_uppercase().collect::<String>()).unwrap_or_default();
        format!("{first}{}: solvability screening does not apply; this crime goes to an investigator", chars.as_str())
    })
}

/// What was typed into the screening form.
#[derive(Debug, Default, Clone)]
pub struct ScreenTyped {
    pub factors: Vec<String>,
    pub decision: String,
    pub override_reason: String,
}

fn crime_summary(record: &CrimeRecord) -> Vec<(&'static str, String)> {
    let c = &record.crime;
    let mut rows = vec![
        ("Offence", format!("{} {} ({})", c.offence_code, c.offence_label, c.offence_group.label())),
        ("Recorded", format!("{} by {}", time::london(c.recorded_at), c.recorded_by_name)),
        ("Location", c.location_text.clone()),
        ("Division", if c.division.is_empty() { "Not known".into() } else { c.division.clone() }),
        (
            "Flags",
            if c.flags.is_empty() {
                "None".into()
            } else {
                c.flags.iter().map(|f| f.label()).collect::<Vec<_>>().join(", ")
            },
        ),
    ];
    if !c.hate_strands.is_empty() {
        rows.push(("Hate crime strands", c.hate_strands.iter().map(|h| h.label()).collect::<Vec<_>>().join(", ")));
    }
    rows.push((
        "People",
        if record.people.is_empty() {
            "None linked".into()
        } else {
            record.people.iter().map(|p| format!("{} ({})", p.name, p.role.label())).collect::<Vec<_>>().join(", ")
        },
    ));
    if !c.modus_operandi.is_empty() {
        rows.push(("Method", c.modus_operandi.clone()));
    }
    if !c.route.is_empty() {
        rows.push(("Route", route_label(&c.route).to_string()));
    }
    if c.allocated_to.is_some() {
        rows.push((
            "Allocated to",
            match c.allocated_at {
                Some(at) => format!("{} since {}", c.allocated_to_name, time::london(at)),
                None => c.allocated_to_name.clone(),
            },
        ));
    }
    if let Some(outcome) = &c.outcome {
        rows.push(("Outcome", outcome.clone()));
    }
    rows
}

/// The screening page; with `just_screened`, its notice says what the latest screening recorded.
async fn screening_page(
    state: &AppState,
    user: &Principal,
    id: Uuid,
    typed: ScreenTyped,
    errors: Vec<FieldError>,
    just_screened: bool,
    ctx: &RequestContext,
) -> Result<ScreeningPage, PageError> {
    let view = state.core.screening_view(user, id, ctx).await?;
    let c = &view.record.crime;
    let screenable = matches!(c.status, CrimeStatus::Recorded | CrimeStatus::AwaitingTriage);
    let closed = if screenable {
        String::new()
    } else {
        format!("This crime is {}, so it is not screened now.", c.status.label().to_lowercase())
    };
    let chosen: HashSet<&str> = typed.factors.iter().map(|f| f.trim()).collect();
    let model = view.assessment.model.as_ref();
    let factor_view = |f: &bluelamp_core::solvability::Factor| FactorView {
        key: f.key.clone(),
        label: f.label.clone(),
        help: f.help.clone(),
        weight: if f.weight < 0.0 { number(f.weight) } else { format!("+{}", number(f.weight)) },
        checked: chosen.contains(f.key.as_str()),
    };
    let factors = model.map(|m| m.factors.iter().filter(|f| f.group.is_none()).map(factor_view).collect());
    let mut groups: Vec<FactorGroupView> = Vec::new();
    for f in model.map(|m| m.factors.as_slice()).unwrap_or_default() {
        let Some(name) = &f.group else { continue };
        let view = factor_view(f);
        match groups.iter_mut().find(|g| &g.name == name) {
            Some(g) => g.factors.push(view),
            None => {
                let mut legend = name.replace(['-', '_'], " ");
                if let Some(first) = legend.get(..1) {
                    legend = format!("{}{}", first.to_uppercase(), legend.get(1..).unwrap_or_default());
                }
                groups.push(FactorGroupView {
                    name: name.clone(),
                    legend: format!("{legend}: choose one answer, or none"),
                    factors: vec![view],
                    none_checked: false,
                })
            }
        }
    }
    for g in &mut groups {
        g.none_checked = !g.factors.iter().any(|f| f.checked);
    }
    let heading = c.offence_label.clone();
    let mut shell = Shell::for_user(user, &format!("Screen crime {}", c.number), "/triage");
    shell.errors = errors;
    if just_screened {
        shell.notice = view.screenings.last().map(screened_notice);
    }
    let decisions = [Decision::Investigate, Decision::DeskInvestigation, Decision::ScreenOut]
        .iter()
        .map(|d| (d.as_str(), d.label(), typed.decision.trim() == d.as_str()))
        .collect();
    Ok(ScreeningPage {
        id: c.id.to_string(),
        number: c.number.clone(),
        version: c.version,
        status: c.status.label().to_string(),
        heading,
        rows: crime_summary(&view.record),
        closed,
        exclusion: exclusion_banner(&view.assessment),
        model: model.map(|m| ModelView {
            name: m.name.clone(),
            version: m.version,
            threshold: number(m.threshold),
            intercept: number(m.intercept),
            source: m.source.clone(),
            notes: m.notes.clone(),
        }),
        factors: factors.unwrap_or_default(),
        groups,
        decisions,
        override_reason: typed.override_reason,
        screenings: screening_rows(&state.core.settings, &view.screenings),
        allocations: allocation_rows(&view.allocations),
        can_allocate: c.status.is_open() && user.can(Permission::CrimeTriage),
        shell,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct ScreenedQuery {
    #[serde(default)]
    pub screened: Option<String>,
}

/// A crime with what its solvability model says and the screening form.
pub async fn screening(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    Query(q): Query<ScreenedQuery>,
) -> PageResult {
    let page =
        screening_page(&state, &user, parse_id(&id)?, ScreenTyped::default(), Vec::new(), q.screened.is_some(), &ctx)
            .await?;
    Ok(render(StatusCode::OK, &page))
}

/// What the screening just recorded: the score, the recommendation and the decision.
fn screened_notice(s: &Screening) -> String {
    let decision = decision_label(&s.decision);
    match (s.score, s.threshold) {
        (Some(score), Some(threshold)) => format!(
            "Screened: score {} against a threshold of {}; the model recommends {}. Decision: {decision}.",
            number(score),
            number(threshold),
            recommendation_label(&s.recommendation).to_lowercase()
        ),
        _ if !s.exclusion.is_empty() => format!("Not screened ({}). Decision: {decision}.", s.exclusion),
        _ => format!("No solvability model applies. Decision: {decision}."),
    }
}

/// The screening form's fields: `factors` checkboxes, one `group-<name>` radio per group of
/// alternative answers, `decision`, `override_reason` and `version`.
fn screen_input(pairs: &[(String, String)]) -> (i64, ScreenTyped) {
    let mut typed = ScreenTyped::default();
    let mut version = 0;
    for (key, value) in pairs {
        match key.as_str() {
            "factors" => typed.factors.push(value.clone()),
            "decision" => typed.decision = value.clone(),
            "override_reason" => typed.override_reason = value.clone(),
            "version" => version = value.trim().parse().unwrap_or(0),
            k if k.starts_with("group-") && !value.trim().is_empty() => typed.factors.push(value.clone()),
            _ => {}
        }
    }
    (version, typed)
}

/// Records the screening decision; on a refusal the form again with every error.
pub async fn screen(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let id = parse_id(&id)?;
    let (version, typed) = screen_input(&pairs);
    let input = ScreenInput {
        factors: typed.factors.clone(),
        decision: typed.decision.clone(),
        override_reason: typed.override_reason.clone(),
    };
    let (status, errors) = match state.core.screen_crime(&user, id, version, &input, &ctx).await {
        Ok(_) => return Ok(Redirect::to(&format!("/triage/crimes/{id}?screened=1")).into_response()),
        Err(Error::Invalid(errors)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            errors
                .into_iter()
                .map(|e| match e.field.as_str() {
                    "factors" | "decision" | "override_reason" | "status" => e,
                    // A classification rule that blocks finalising: the decision to screen out.
                    _ => FieldError::new("decision", e.rule),
                })
                .collect(),
        ),
        Err(Error::Conflict(message)) => (
            StatusCode::CONFLICT,
            vec![FieldError::new(
                "decision",
                format!("{message}. Your answers are still below: check and save again."),
            )],
        ),
        Err(e) => return Err(e.into()),
    };
    let page = screening_page(&state, &user, id, typed, errors, false, &ctx).await?;
    Ok(render(status, &page))
}

// ---- Proposed allocations -----------------------------------------------------------------------------

/// One crime of the proposals page.
pub struct ProposalRow {
    pub crime_id: String,
    pub number: String,
    pub offence: String,
    pub division: String,
    pub priority: i64,
    pub waited: String,
    pub route: &'static str,
    /// The checkbox value, `crime_id:version:officer_id`, when someone is proposed.
    pub value: Option<String>,
    pub checked: bool,
    pub officer: String,
    pub officer_detail: String,
    pub reasons: String,
    pub infeasible: String,
    /// Why accepting this row was refused, shown beside it.
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "triage/allocations.html")]
pub struct ProposalsPage {
    pub shell: Shell,
    pub rows: Vec<ProposalRow>,
    pub waiting: String,
    pub proposed: String,
    pub unplaced: usize,
    /// A refusal of the whole acceptance (a conflict, an unreadable tick), shown above the table.
    pub form_error: Option<String>,
}

/// "West · Team A · 3 of 16 open".
fn officer_detail(o: &OfficerProfile) -> String {
    let mut parts = Vec::new();
    if !o.team.is_empty() {
        parts.push(o.team.clone());
    }
    if !o.division.is_empty() {
        parts.push(o.division.clone());
    }
    parts.push(format!("{} of {} open", o.open_crimes, o.cap));
    parts.join(" · ")
}

/// The proposals page. `selected` is `None` for a fresh page (every proposal ticked), or the crimes
/// ticked when the form is shown again.
async fn proposals_page(
    state: &AppState,
    user: &Principal,
    selected: Option<&HashSet<Uuid>>,
    errors: Vec<FieldError>,
    ctx: &RequestContext,
) -> Result<ProposalsPage, PageError> {
    let proposals = state.core.propose_allocations(user, ctx).await?;
    let error_of = |field: &str| errors.iter().find(|e| e.field == field).map(|e| e.rule.clone());
    let rows: Vec<ProposalRow> = proposals
        .items
        .iter()
        .zip(proposals.plan.proposals.iter())
        .map(|(item, p)| {
            let c = &item.row.crime;
            let officer = p.officer_id.and_then(|id| proposals.officers.get(&id));
            ProposalRow {
                crime_id: c.id.to_string(),
                number: c.number.clone(),
                offence: format!("{} {}", c.offence_code, c.offence_label),
                division: c.division.clone(),
                priority: item.priority,
                waited: item.waited_text(),
                route: route_label(&c.route),
                value: p.officer_id.map(|o| format!("{}:{}:{o}", c.id, c.version)),
                checked: p.officer_id.is_some() && selected.is_none_or(|s| s.contains(&c.id)),
                officer: officer.map(|o| o.name.clone()).unwrap_or_default(),
                officer_detail: officer.map(officer_detail).unwrap_or_default(),
                reasons: p.reasons.join("; "),
                infeasible: p.infeasible.clone().unwrap_or_else(|| {
                    if p.officer_id.is_none() {
                        "No investigator can take this crime now".into()
                    } else {
                        String::new()
                    }
                }),
                error: error_of(&format!("accept-{}", c.id)),
            }
        })
        .collect();
    let form_error = error_of("accept");
    let proposed = rows.iter().filter(|r| r.value.is_some()).count();
    let mut shell = Shell::for_user(user, "Proposed allocations", "/triage");
    shell.errors = errors;
    Ok(ProposalsPage {
        form_error,
        shell,
        waiting: crimes(rows.len()),
        proposed: thousands(proposed),
        unplaced: rows.len() - proposed,
        rows,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct AllocatedQuery {
    /// How many were just allocated (after accepting); anything not a number shows no notice.
    #[serde(default)]
    pub allocated: String,
}

/// A proposed officer for every crime in the queue, with the reasons, to accept in one go.
pub async fn allocations(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Query(q): Query<AllocatedQuery>,
) -> PageResult {
    let mut page = proposals_page(&state, &user, None, Vec::new(), &ctx).await?;
    if let Ok(n) = q.allocated.trim().parse::<usize>() {
        page.shell.notice = Some(format!("{} allocated", crimes(n)));
    }
    Ok(render(StatusCode::OK, &page))
}

#[derive(Debug, Default, Deserialize)]
pub struct AcceptForm {
    /// One per ticked row: `crime_id:version:officer_id`.
    #[serde(default)]
    pub accept: Vec<String>,
}

/// `crime_id:version:officer_id` as the choice it names (the officer was proposed).
fn parse_choice(value: &str) -> Option<Choice> {
    let mut parts = value.trim().split(':');
    let crime_id = Uuid::parse_str(parts.next()?).ok()?;
    let version = parts.next()?.parse::<i64>().ok()?;
    let officer_id = Uuid::parse_str(parts.next()?).ok()?;
    if parts.next().is_some() {
        return None;
    }
    Some(Choice { crime_id, version, officer_id, proposed: Some(officer_id) })
}

/// Accepts the ticked proposals in one transaction; back to the proposals with how many were
/// allocated, or the page again naming each refusal (422) or the crimes someone else changed (409).
pub async fn accept(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    PageForm(form): PageForm<AcceptForm>,
) -> PageResult {
    let mut choices = Vec::new();
    let mut errors = Vec::new();
    for value in form.accept.iter().filter(|v| !v.trim().is_empty()) {
        match parse_choice(value) {
            Some(choice) => choices.push(choice),
            None => errors.push(FieldError::new(
                "accept",
                "A ticked allocation could not be read: reload the proposals and tick again",
            )),
        }
    }
    let selected: HashSet<Uuid> = choices.iter().map(|c| c.crime_id).collect();
    let (status, errors) = if !errors.is_empty() {
        (StatusCode::UNPROCESSABLE_ENTITY, errors)
    } else {
        match state.core.accept_allocations(&user, &choices, &ctx).await {
            Ok(done) => {
                return Ok(Redirect::to(&format!("/triage/allocations?allocated={}", done.len())).into_response());
            }
            Err(Error::Invalid(errors)) => {
                (StatusCode::UNPROCESSABLE_ENTITY, errors.into_iter().map(|e| choice_error(&choices, e)).collect())
            }
            Err(Error::Conflict(message)) => {
                (StatusCode::CONFLICT, vec![FieldError::new("accept", format!("{message}."))])
            }
            Err(e) => return Err(e.into()),
        }
    };
    let page = proposals_page(&state, &user, Some(&selected), errors, &ctx).await?;
    Ok(render(status, &page))
}

/// The core names a bulk refusal `allocations.<n>.officer_id`; the page's field is that crime's
/// checkbox.
fn choice_error(choices: &[Choice], e: FieldError) -> FieldError {
    let n = e
        .field
        .strip_prefix("allocations.")
        .and_then(|rest| rest.split('.').next())
        .and_then(|n| n.parse::<usize>().ok());
    match n.and_then(|n| choices.get(n)).or(if choices.len() == 1 { choices.first() } else { None }) {
        Some(choice) => FieldError::new(format!("accept-{}", choice.crime_id), e.rule),
        None => FieldError::new("accept", e.rule),
    }
}

// ---- Choosing another officer for one crime -----------------------------------------------------------

pub struct OfficerOption {
    pub id: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "triage/allocate.html")]
pub struct AllocatePage {
    pub shell: Shell,
    pub id: String,
    pub number: String,
    pub version: i64,
    pub heading: String,
    pub rows: Vec<(&'static str, String)>,
    pub officers: Vec<OfficerOption>,
    pub note: String,
    pub closed: String,
}

impl AllocatePage {
    fn error(&self, field: &str) -> Option<String> {
        let all: Vec<&str> = self.shell.errors.iter().filter(|e| e.field == field).map(|e| e.rule.as_str()).collect();
        (!all.is_empty()).then(|| all.join(". "))
    }
}

/// "PC Smith — CID, West, PIP level 2, Sexual offences liaison; 3 of 16 open" and what stops them.
fn officer_option_label(o: &OfficerProfile) -> String {
    let mut parts = vec![o.rank.label().to_string()];
    if !o.team.is_empty() {
        parts.push(o.team.clone());
    }
    if !o.division.is_empty() {
        parts.push(o.division.clone());
    }
    if o.pip_level != PipLevel::None {
        parts.push(o.pip_level.as_str().to_uppercase());
    }
    parts.extend(o.specialisms.iter().map(|s| s.label().to_string()));
    let mut label = format!("{} — {}; {} of {} open", o.name, parts.join(", "), o.open_crimes, o.cap);
    if let Some(why) = &o.unavailable_reason {
        label.push_str(&format!(" ({why})"));
    } else if o.open_crimes >= o.cap {
        label.push_str(" (at their cap)");
    }
    label
}

async fn allocate_page(
    state: &AppState,
    user: &Principal,
    id: Uuid,
    chosen: Option<Uuid>,
    note: String,
    errors: Vec<FieldError>,
    ctx: &RequestContext,
) -> Result<AllocatePage, PageError> {
    let record = state.core.view_crime(user, id, ctx).await?;
    let (mut profiles, _) = state.core.workload(user, ctx).await?;
    // Those who could take it first, then the rest with what stops them.
    profiles.sort_by_key(|o| !(o.available && o.open_crimes < o.cap));
    let c = &record.crime;
    let selected = chosen.or(c.allocated_to);
    let officers = profiles
        .iter()
        .map(|o| OfficerOption {
            id: o.id.to_string(),
            label: officer_option_label(o),
            selected: Some(o.id) == selected,
        })
        .collect();
    let mut shell = Shell::for_user(user, &format!("Allocate crime {}", c.number), "/triage");
    shell.errors = errors;
    Ok(AllocatePage {
        id: c.id.to_string(),
        number: c.number.clone(),
        version: c.version,
        heading: c.offence_label.clone(),
        rows: crime_summary(&record),
        officers,
        note,
        closed: if c.status.is_open() {
            String::new()
        } else {
            format!("This crime is {}, so it cannot be allocated.", c.status.label().to_lowercase())
        },
        shell,
    })
}

/// The form to allocate one crime to an officer the supervisor chooses.
pub async fn allocate_form(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let page = allocate_page(&state, &user, parse_id(&id)?, None, String::new(), Vec::new(), &ctx).await?;
    Ok(render(StatusCode::OK, &page))
}

#[derive(Debug, Default, Deserialize)]
pub struct AllocateForm {
    #[serde(default)]
    pub version: i64,
    #[serde(default)]
    pub officer_id: String,
    #[serde(default)]
    pub note: String,
}

/// Allocates the crime to the chosen officer, or the form again with the reason it was refused.
pub async fn allocate(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    PageForm(form): PageForm<AllocateForm>,
) -> PageResult {
    let id = parse_id(&id)?;
    let officer = Uuid::parse_str(form.officer_id.trim()).ok();
    let result = match officer {
        Some(officer) => state.core.allocate_crime(&user, id, form.version, officer, &form.note, &ctx).await,
        None => Err(Error::invalid("officer_id", "Choose the officer to allocate the crime to")),
    };
    let (status, errors) = match result {
        Ok(_) => return Ok(Redirect::to(&format!("/crimes/{id}#allocation")).into_response()),
        Err(Error::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
        Err(Error::Conflict(message)) => (
            StatusCode::CONFLICT,
            vec![FieldError::new("officer_id", format!("{message}. Check the crime below and choose again."))],
        ),
        Err(e) => return Err(e.into()),
    };
    let page = allocate_page(&state, &user, id, officer, form.note, errors, &ctx).await?;
    Ok(render(status, &page))
}

// ---- The backlog recovery view ------------------------------------------------------------------------

/// One bar (or bar segment) of a server-rendered SVG chart, in chart units.
pub struct SvgBar {
    pub x: usize,
    pub y: usize,
    pub width: usize,
    pub height: usize,
    pub class: &'static str,
    /// Drawn above or inside the bar when not empty.
    pub value: String,
    pub value_x: usize,
    pub value_y: usize,
}

/// A label under the x axis.
pub struct Tick {
    pub x: usize,
    pub label: String,
}

/// The chart's plot area: bars stand on y = 180 and reach at most y = 20.
const PLOT_BOTTOM: usize = 180;
const PLOT_HEIGHT: f64 = 160.0;

fn bar_height(value: usize, max: usize) -> usize {
    scaled(value as f64, max as f64, PLOT_HEIGHT)
}

/// How many chart units a bar of `value` takes when `max` fills `length`: the one scale every
/// server-rendered bar chart uses (upright here, sideways on the outcomes page). Nothing, not a
/// number or below zero, is no bar.
pub(crate) fn scaled(value: f64, max: f64, length: f64) -> usize {
    if max > 0.0 && value > 0.0 { (value.min(max) / max * length).round() as usize } else { 0 }
}

/// The age bands as stacked bars: standard at the bottom, high risk on top, each band 90 units wide.
pub fn band_bars(bands: &[(String, usize, usize)]) -> (Vec<SvgBar>, Vec<Tick>, usize) {
    let max = bands.iter().map(|(_, h, s)| h + s).max().unwrap_or(0);
    let mut bars = Vec::new();
    let mut ticks = Vec::new();
    for (n, (label, high, standard)) in bands.iter().enumerate() {
        let x = 60 + n * 100;
        let standard_h = bar_height(*standard, max);
        let high_h = bar_height(high + standard, max).saturating_sub(standard_h);
        let standard_y = PLOT_BOTTOM - standard_h;
        let high_y = standard_y - high_h;
        bars.push(SvgBar {
            x,
            y: standard_y,
            width: 60,
            height: standard_h,
            class: "app-chart__bar",
            value: String::new(),
            value_x: x + 30,
            value_y: 0,
        });
        bars.push(SvgBar {
            x,
            y: high_y,
            width: 60,
            height: high_h,
            class: "app-chart__bar app-chart__bar--high-risk",
            value: format!("{}", high + standard),
            value_x: x + 30,
            value_y: high_y.saturating_sub(4).max(12),
        });
        ticks.push(Tick { x: x + 30, label: label.clone() });
    }
    (bars, ticks, max)
}

/// Inflow and outflow per day as pairs of bars, 24 units a day; a tick every few days.
pub fn flow_bars(days: &[(String, usize, usize)]) -> (Vec<SvgBar>, Vec<Tick>, usize) {
    let max = days.iter().map(|(_, i, o)| (*i).max(*o)).max().unwrap_or(0);
    let every = days.len().div_ceil(10).max(1);
    let labelled = days.len() <= 14;
    let mut bars = Vec::new();
    let mut ticks = Vec::new();
    for (n, (label, inflow, outflow)) in days.iter().enumerate() {
        let x = 60 + n * 24;
        for (offset, value, class) in [
            (0, inflow, "app-chart__bar app-chart__bar--inflow"),
            (10, outflow, "app-chart__bar app-chart__bar--outflow"),
        ] {
            let h = bar_height(*value, max);
            let y = PLOT_BOTTOM - h;
            bars.push(SvgBar {
                x: x + offset,
                y,
                width: 9,
                height: h,
                class,
                value: if labelled { value.to_string() } else { String::new() },
                value_x: x + offset + 4,
                value_y: y.saturating_sub(4).max(12),
            });
        }
        if n % every == 0 {
            ticks.push(Tick { x: x + 10, label: label.clone() });
        }
    }
    (bars, ticks, max)
}

pub struct BandRow {
    pub label: String,
    pub high_risk: usize,
    pub standard: usize,
    pub total: usize,
}

pub struct FlowRow {
    pub day: String,
    pub inflow: usize,
    pub allocated: usize,
    pub screened_out: usize,
    pub outflow: usize,
}

#[derive(Template)]
#[template(path = "triage/backlog.html")]
pub struct BacklogPage {
    pub shell: Shell,
    pub days: String,
    /// Suggested spans, for the hint.
    pub day_choices: Vec<u32>,
    pub has_figures: bool,
    pub figures: Vec<(&'static str, String)>,
    pub bands: Vec<BandRow>,
    pub band_bars: Vec<SvgBar>,
    pub band_ticks: Vec<Tick>,
    pub band_max: usize,
    pub band_width: usize,
    pub flow: Vec<FlowRow>,
    pub flow_bars: Vec<SvgBar>,
    pub flow_ticks: Vec<Tick>,
    pub flow_max: usize,
    pub flow_width: usize,
    pub oldest: Vec<QueueRowView>,
}

#[derive(Debug, Default, Deserialize)]
pub struct DaysQuery {
    #[serde(default)]
    pub days: Option<String>,
}

/// The headline figures of the backlog, in words.
pub(crate) fn headline(b: &Backlog, days: u32) -> Vec<(&'static str, String)> {
    vec![
        ("Waiting for allocation", crimes(b.waiting)),
        (
            "Past their limit",
            format!(
                "{} (triage supervisor alerted), {} of them far past (duty inspector alerted)",
                thousands(b.supervisor_breaches + b.inspector_breaches),
                thousands(b.inspector_breaches)
            ),
        ),
        ("Arriving", format!("{:.1} a day on average over the last {days} days", b.mean_inflow)),
        ("Leaving (allocated or screened out)", format!("{:.1} a day on average", b.mean_outflow)),
        (
            "Capacity",
            format!(
                "{} more crimes across {} available {} with room",
                thousands(b.capacity as usize),
                thousands(b.officers_with_room),
                if b.officers_with_room == 1 { "investigator" } else { "investigators" }
            ),
        ),
        (
            "Projected time to clear",
            match b.projected_days {
                _ if b.waiting == 0 => "Nothing is waiting".into(),
                Some(d) => format!("{} days at the current rates", number(d)),
                None => "Not clearing: more arrive than leave".into(),
            },
        ),
    ]
}

/// The backlog recovery view: how many wait and for how long, in and out per day, capacity, the
/// projection and the oldest crimes.
pub async fn backlog(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Query(q): Query<DaysQuery>,
) -> PageResult {
    let typed = q.days.unwrap_or_else(|| "14".into());
    let result = match typed.trim().parse::<u32>() {
        Ok(days) => state.core.backlog_view(&user, days, &ctx).await.map(|b| (days, b)),
        Err(_) => Err(Error::invalid("days", "Show between 1 and 90 days, as a whole number")),
    };
    let mut page = BacklogPage {
        shell: Shell::for_user(&user, "Backlog", "/triage"),
        days: typed.chars().take(10).collect(),
        day_choices: vec![7, 14, 28, 90],
        has_figures: false,
        figures: Vec::new(),
        bands: Vec::new(),
        band_bars: Vec::new(),
        band_ticks: Vec::new(),
        band_max: 0,
        band_width: 560,
        flow: Vec::new(),
        flow_bars: Vec::new(),
        flow_ticks: Vec::new(),
        flow_max: 0,
        flow_width: 480,
        oldest: Vec::new(),
    };
    let (days, b) = match result {
        Ok(found) => found,
        Err(Error::Invalid(errors)) => {
            page.shell.errors = errors;
            return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
        Err(e) => return Err(e.into()),
    };
    let bands: Vec<(String, usize, usize)> =
        b.bands.iter().map(|band| (band.label.to_string(), band.high_risk, band.standard)).collect();
    let (band_bars, band_ticks, band_max) = band_bars(&bands);
    let flow: Vec<(String, usize, usize)> =
        b.days.iter().map(|d| (d.day.format("%-d %b").to_string(), d.inflow, d.outflow())).collect();
    let (flow_bars, flow_ticks, flow_max) = flow_bars(&flow);
    page.has_figures = true;
    page.figures = headline(&b, days);
    page.bands = b
        .bands
        .iter()
        .map(|band| BandRow {
            label: band.label.to_string(),
            high_risk: band.high_risk,
            standard: band.standard,
            total: band.high_risk + band.standard,
        })
        .collect();
    page.band_width = 60 + bands.len() * 100;
    page.band_bars = band_bars;
    page.band_ticks = band_ticks;
    page.band_max = band_max;
    page.flow = b
        .days
        .iter()
        .map(|d| FlowRow {
            day: d.day.format("%a %-d %b %Y").to_string(),
            inflow: d.inflow,
            allocated: d.allocated,
            screened_out: d.screened_out,
            outflow: d.outflow(),
        })
        .collect();
    page.flow_width = (70 + flow.len() * 24).max(300);
    page.flow_bars = flow_bars;
    page.flow_ticks = flow_ticks;
    page.flow_max = flow_max;
    page.oldest = b.oldest.iter().map(queue_row).collect();
    Ok(render(StatusCode::OK, &page))
}

// ---- Workload: caps and leave -------------------------------------------------------------------------

pub struct LeaveView {
    pub id: String,
    pub text: String,
}

/// One investigator on the workload page, with their forms as typed.
pub struct WorkloadRow {
    pub id: String,
    pub name: String,
    pub rank: String,
    pub team: String,
    pub division: String,
    pub pip: String,
    pub specialisms: String,
    pub open: u32,
    pub cap: u32,
    pub load: u32,
    pub status: String,
    pub is_away: bool,
    pub desk: bool,
    pub leave: Vec<LeaveView>,
    pub cap_value: String,
    pub cap_error: Option<String>,
    pub leave_open: bool,
    pub starts: String,
    pub ends: String,
    pub kind: String,
    pub starts_error: Option<String>,
    pub ends_error: Option<String>,
    pub kind_error: Option<String>,
}

#[derive(Template)]
#[template(path = "triage/workload.html")]
pub struct WorkloadPage {
    pub shell: Shell,
    pub rows: Vec<WorkloadRow>,
    pub available: usize,
}

/// What was typed into one officer's cap or leave form.
#[derive(Debug, Default, Clone)]
pub struct WorkloadTyped {
    pub officer: Option<Uuid>,
    pub cap: Option<String>,
    pub starts: String,
    pub ends: String,
    pub kind: String,
}

async fn workload_page(
    state: &AppState,
    user: &Principal,
    typed: WorkloadTyped,
    errors: Vec<FieldError>,
    ctx: &RequestContext,
) -> Result<WorkloadPage, PageError> {
    let (profiles, leave) = state.core.workload(user, ctx).await?;
    let mut leave_of: HashMap<Uuid, Vec<LeaveView>> = HashMap::new();
    for l in &leave {
        leave_of.entry(l.user_id).or_default().push(LeaveView {
            id: l.id.to_string(),
            text: format!(
                "{} from {} until {} (recorded by {})",
                l.kind,
                time::london(l.starts_at),
                time::london(l.ends_at),
                l.recorded_by_name
            ),
        });
    }
    let error = |field: &str, id: Uuid| {
        let key = format!("{field}-{id}");
        errors.iter().find(|e| e.field == key).map(|e| e.rule.clone())
    };
    let rows: Vec<WorkloadRow> = profiles
        .iter()
        .map(|o| {
            let mine = typed.officer == Some(o.id);
            let starts_error = error("starts_at", o.id);
            let ends_error = error("ends_at", o.id);
            let kind_error = error("kind", o.id);
            WorkloadRow {
                id: o.id.to_string(),
                name: o.name.clone(),
                rank: o.rank.label().to_string(),
                team: o.team.clone(),
                division: o.division.clone(),
                pip: if o.pip_level == PipLevel::None { "None".into() } else { o.pip_level.as_str().to_uppercase() },
                specialisms: if o.specialisms.is_empty() {
                    "None".into()
                } else {
                    o.specialisms.iter().map(|s| s.label()).collect::<Vec<_>>().join(", ")
                },
                open: o.open_crimes,
                cap: o.cap,
                load: o.workload,
                status: match &o.unavailable_reason {
                    Some(why) => why.clone(),
                    None if o.open_crimes >= o.cap => "Available, at their cap".into(),
                    None => "Available".into(),
                },
                is_away: !o.available,
                desk: o.desk,
                leave: leave_of.remove(&o.id).unwrap_or_default(),
                cap_value: match (&typed.cap, mine) {
                    (Some(cap), true) => cap.clone(),
                    _ => o.cap.to_string(),
                },
                cap_error: error("cap", o.id),
                leave_open: mine && typed.cap.is_none(),
                starts: if mine { typed.starts.clone() } else { String::new() },
                ends: if mine { typed.ends.clone() } else { String::new() },
                kind: if mine { typed.kind.clone() } else { String::new() },
                starts_error,
                ends_error,
                kind_error,
            }
        })
        .collect();
    let mut shell = Shell::for_user(user, "Investigators' workload", "/triage");
    shell.errors = errors;
    Ok(WorkloadPage { available: profiles.iter().filter(|o| o.available).count(), shell, rows })
}

#[derive(Debug, Default, Deserialize)]
pub struct WorkloadQuery {
    #[serde(default)]
    pub done: String,
}

/// Investigators with their caseloads, caps and leave.
pub async fn workload(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Query(q): Query<WorkloadQuery>,
) -> PageResult {
    let mut page = workload_page(&state, &user, WorkloadTyped::default(), Vec::new(), &ctx).await?;
    page.shell.notice = match q.done.as_str() {
        "cap" => Some("Caseload cap saved".into()),
        "leave" => Some("Leave recorded: no new crimes go to the officer while it lasts".into()),
        "cancelled" => Some("Leave cancelled".into()),
        _ => None,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Debug, Default, Deserialize)]
pub struct CapForm {
    #[serde(default)]
    pub cap: String,
}

/// Sets an officer's caseload cap.
pub async fn set_cap(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    PageForm(form): PageForm<CapForm>,
) -> PageResult {
    let id = parse_id(&id)?;
    match state.core.set_caseload_cap(&user, id, &form.cap, &ctx).await {
        Ok(_) => Ok(Redirect::to("/triage/workload?done=cap").into_response()),
        Err(Error::Invalid(errors)) => {
            let errors = errors.into_iter().map(|e| FieldError::new(format!("cap-{id}"), e.rule)).collect();
            let typed = WorkloadTyped { officer: Some(id), cap: Some(form.cap), ..Default::default() };
            let page = workload_page(&state, &user, typed, errors, &ctx).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct LeaveForm {
    /// The first UK day away, `YYYY-MM-DD` (a date input).
    #[serde(default)]
    pub starts_on: String,
    /// The last UK day away, inclusive.
    #[serde(default)]
    pub ends_on: String,
    #[serde(default)]
    pub kind: String,
}

/// Records leave for an officer: from the start of the first day to the end of the last (UK days).
pub async fn record_leave(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    PageForm(form): PageForm<LeaveForm>,
) -> PageResult {
    let id = parse_id(&id)?;
    let mut errors = Vec::new();
    let mut day = |field: &str, text: &str, next_day: bool, what: &str| {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let at = time::london_day_start(text, next_day);
        if at.is_none() {
            errors.push(FieldError::new(field, format!("Enter the {what} as a date, for example 2026-12-01")));
        }
        at
    };
    let starts_at = day("starts_at", &form.starts_on, false, "first day away");
    let ends_at = day("ends_at", &form.ends_on, true, "last day away");
    // A date that does not parse is passed as missing, which the core refuses: nothing is written
    // unless every field is right, and its errors join the page's own.
    match state.core.record_leave(&user, id, starts_at, ends_at, &form.kind, &ctx).await {
        Ok(_) => return Ok(Redirect::to("/triage/workload?done=leave").into_response()),
        Err(Error::Invalid(core_errors)) => {
            let mine: HashSet<String> = errors.iter().map(|e| e.field.clone()).collect();
            errors.extend(core_errors.into_iter().filter(|e| !mine.contains(&e.field)));
        }
        Err(e) => return Err(e.into()),
    }
    let errors = errors
        .into_iter()
        .map(|e| {
            let field = if e.field == "user_id" { "starts_at" } else { e.field.as_str() };
            FieldError::new(format!("{field}-{id}"), e.rule)
        })
        .collect();
    let typed = WorkloadTyped {
        officer: Some(id),
        cap: None,
        starts: form.starts_on.chars().take(20).collect(),
        ends: form.ends_on.chars().take(20).collect(),
        kind: form.kind.chars().take(200).collect(),
    };
    let page = workload_page(&state, &user, typed, errors, &ctx).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// Cancels a period of leave.
pub async fn cancel_leave(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
) -> PageResult {
    state.core.cancel_leave(&user, parse_id(&id)?, &ctx).await?;
    Ok(Redirect::to("/triage/workload?done=cancelled").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(number(7.0), "7");
        assert_eq!(number(10.05), "10.05");
        assert_eq!(number(5.2), "5.2");
        assert_eq!(number(-0.0), "0");
        assert_eq!(number(-1.5), "-1.5");
        assert_eq!(thousands(1942), "1,942");
        assert_eq!(thousands(12), "12");
    }

    #[test]
    fn a_ticked_proposal_names_crime_version_and_officer() {
        let (c, o) = (Uuid::now_v7(), Uuid::now_v7());
        let choice = parse_choice(&format!("{c}:3:{o}")).expect("parses");
        assert_eq!((choice.crime_id, choice.version, choice.officer_id, choice.proposed), (c, 3, o, Some(o)));
        assert!(parse_choice(&format!("{c}:x:{o}")).is_none());
        assert!(parse_choice(&format!("{c}:3:{o}:4")).is_none());
        assert!(parse_choice("").is_none());
    }

    #[test]
    fn stacked_bars_are_proportional_and_stand_on_the_axis() {
        let (bars, ticks, max) = band_bars(&[("A".into(), 2, 6), ("B".into(), 0, 4), ("C".into(), 0, 0)]);
        assert_eq!(max, 8);
        assert_eq!((bars[0].height, bars[0].y), (120, 60), "six of eight standard");
        assert_eq!((bars[1].height, bars[1].y), (40, 20), "two high risk on top");
        assert_eq!(bars[1].value, "8");
        assert_eq!(bars[2].height + bars[2].y, PLOT_BOTTOM);
        assert_eq!(bars[5].height, 0);
        assert_eq!(ticks.len(), 3);
        let (flow, ticks, max) = flow_bars(&[("1 Dec".into(), 3, 6), ("2 Dec".into(), 0, 0)]);
        assert_eq!(max, 6);
        assert_eq!((flow[0].height, flow[1].height), (80, 160));
        assert_eq!(flow[0].value, "3");
        assert_eq!(ticks.len(), 2);
    }
}
