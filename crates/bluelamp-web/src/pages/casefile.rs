//! Case-file quality review pages (issue 7, point 5): the inspectorate's figures over a period of
//! reviews ("43 of 62 files good (69%)" overall, per criterion, by team, crime type and outcome) with
//! the quarterly trend as a chart and its table; the samples drawn and the form to draw another;
//! a sample's files in drawing order with its seed, to redraw it; and the review form, the rubric's
//! criteria each a Good / Not good question.
//!
//! Sampling, the rubric and the statistics are the core's (`bluelamp_core::casefile`,
//! `bluelamp_core::casefile_use`). A refused form is shown again with every error and what was
//! typed.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use bluelamp_core::access::Principal;
use bluelamp_core::casefile::{Answers, Criterion, Judgement, Statistics, Stratify, Tally, TrendRow};
use bluelamp_core::casefile_use::{FileReview, Sample, SampleInput, parse_period};
use bluelamp_core::offence::OffenceGroup;
use bluelamp_core::{Error, FieldError, time};
use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::auth::{Ctx, CurrentUser};
use crate::error::{Failure, PageError};
use crate::extract::PageForm;
use crate::pages::investigation::{Opt, london_today};
use crate::pages::outcomes::nearest_day;
use crate::pages::triage::{SvgBar, Tick, band_bars};
use crate::shell::Shell;
use crate::templates::render;

type PageResult = Result<Response, PageError>;
type RequestContext = bluelamp_core::audit::RequestContext;

fn parse_id(id: &str) -> Result<Uuid, PageError> {
    Uuid::parse_str(id).map_err(|_| PageError(Failure::Core(Error::NotFound)))
}

fn error_of(errors: &[FieldError], field: &str) -> Option<String> {
    let all: Vec<&str> = errors.iter().filter(|e| e.field == field).map(|e| e.rule.as_str()).collect();
    (!all.is_empty()).then(|| all.join(". "))
}

// ---- Shared with the API -------------------------------------------------------------------------

/// A period of UK days as typed or defaulted (`YYYY-MM-DD`, inclusive) and the instants
/// [start, end) it covers.
#[derive(Debug, Clone)]
pub struct Period {
    pub from: String,
    pub to: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// The statistics' period: UK days, inclusive; blank `to` is today and blank `from` the day after
/// the same date a year before `to` (the last 12 months). Every problem is named by its field
/// (`from`, `to`).
pub fn statistics_period(from: &str, to: &str, today: NaiveDate) -> Result<Period, Vec<FieldError>> {
    let to = match to.trim() {
        "" => today.format("%Y-%m-%d").to_string(),
        text => text.to_string(),
    };
    let from = match from.trim() {
        "" => {
            let last = NaiveDate::parse_from_str(&to, "%Y-%m-%d").unwrap_or(today);
            let year_before = last.checked_sub_months(Months::new(12)).unwrap_or(last);
            year_before.succ_opt().unwrap_or(year_before).format("%Y-%m-%d").to_string()
        }
        text => text.to_string(),
    };
    let mut errors = Vec::new();
    match parse_period(&from, &to, &mut errors) {
        Some((start, end)) if errors.is_empty() => Ok(Period { from, to, start, end }),
        _ => Err(errors),
    }
}

/// The first and last UK day of a sample's period.
pub fn sample_days(s: &Sample) -> (NaiveDate, NaiveDate) {
    let first = nearest_day(s.from);
    (first, nearest_day(s.to).pred_opt().unwrap_or(first))
}

/// An offence group's name from its key ("theft" → "Theft").
pub fn crime_type_label(key: &str) -> String {
    match key.parse::<OffenceGroup>() {
        Ok(g) => g.label().to_string(),
        Err(_) if key.is_empty() => "Not known".into(),
        Err(_) => key.to_string(),
    }
}

/// "16 — Evidential difficulties: victim does not support" from the force's outcome list.
pub fn outcome_label(state: &AppState, code: &str) -> String {
    state
        .core
        .settings
        .investigation
        .outcomes
        .list
        .types
        .iter()
        .find(|t| t.code == code)
        .map(|t| format!("{} — {}", t.code, t.label))
        .unwrap_or_else(|| if code.is_empty() { "None".into() } else { code.to_string() })
}

fn team_label(team: &str) -> String {
    if team.is_empty() { "No team".into() } else { team.to_string() }
}

/// The rubric's answers from form fields `criterion.<name>`, `overall` and `notes`: an answer that
/// is neither good nor not-good counts as not given (the core then says what is missing).
pub fn answers_of(pairs: &[(String, String)]) -> Answers {
    let mut answers = Answers { judgements: Vec::new(), overall: None, notes: String::new() };
    for (key, value) in pairs {
        match key.as_str() {
            "overall" => answers.overall = value.trim().parse::<Judgement>().ok().or(answers.overall),
            "notes" => answers.notes = value.clone(),
            k => {
                let criterion = k.strip_prefix("criterion.").and_then(|name| name.parse::<Criterion>().ok());
                if let (Some(c), Ok(j)) = (criterion, value.trim().parse::<Judgement>()) {
                    answers.judgements.push((c, j));
                }
            }
        }
    }
    answers
}

/// "Team Response A; crime type Theft; outcome 16", or "None".
pub fn filters_text(state: &AppState, s: &Sample) -> String {
    let mut parts = Vec::new();
    if !s.team.is_empty() {
        parts.push(format!("team {}", s.team));
    }
    if !s.crime_type.is_empty() {
        parts.push(format!("crime type {}", crime_type_label(&s.crime_type)));
    }
    if !s.outcome.is_empty() {
        parts.push(format!("outcome {}", outcome_label(state, &s.outcome)));
    }
    if parts.is_empty() {
        return "None".into();
    }
    let text = parts.join("; ");
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}

// ---- The overview: figures, samples, the draw form --------------------------------------------------

/// A tally as a table row.
pub struct TallyRow {
    pub label: String,
    pub reviewed: u32,
    pub good: u32,
    pub percent: String,
    pub sentence: String,
}

fn tally_row(label: String, t: &Tally) -> TallyRow {
    TallyRow {
        label,
        reviewed: t.reviewed,
        good: t.good,
        percent: t.percent().map(|p| format!("{:.0}%", p.round())).unwrap_or_else(|| "no figure".into()),
        sentence: t.sentence(),
    }
}

pub struct Breakdown {
    pub id: &'static str,
    pub noun: &'static str,
    pub caption: &'static str,
    pub rows: Vec<TallyRow>,
}

/// One quarter of the trend as shown.
pub struct TrendView {
    pub quarter: String,
    pub reviewed: u32,
    pub good: u32,
    pub percent: String,
    pub criteria: Vec<String>,
}

pub struct SampleRow {
    pub id: String,
    pub drawn: String,
    pub by: String,
    pub period: String,
    pub filters: String,
    pub stratify: String,
    pub size: usize,
    pub files: usize,
    pub seed: String,
    pub population: usize,
    pub reviewed: usize,
}

/// The draw form as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct DrawForm {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub size: String,
    #[serde(default)]
    pub seed: String,
    #[serde(default)]
    pub stratify: String,
    #[serde(default)]
    pub team: String,
    #[serde(default)]
    pub crime_type: String,
    #[serde(default)]
    pub outcome: String,
}

impl DrawForm {
    pub fn input(&self) -> SampleInput {
        SampleInput {
            from: self.from.clone(),
            to: self.to.clone(),
            size: self.size.clone(),
            seed: self.seed.clone(),
            stratify: self.stratify.clone(),
            team: self.team.clone(),
            crime_type: self.crime_type.clone(),
            outcome: self.outcome.clone(),
        }
    }

    /// What was typed, cut to lengths a page can show.
    fn shown(&self) -> DrawForm {
        let cut = |s: &str, n: usize| s.chars().take(n).collect::<String>();
        DrawForm {
            from: cut(&self.from, 20),
            to: cut(&self.to, 20),
            size: cut(&self.size, 20),
            seed: cut(&self.seed, 30),
            stratify: cut(&self.stratify, 20),
            team: cut(&self.team, 200),
            crime_type: cut(&self.crime_type, 60),
            outcome: cut(&self.outcome, 20),
        }
    }
}

#[derive(Template)]
#[template(path = "casefile/overview.html")]
pub struct OverviewPage {
    pub shell: Shell,
    pub stats_from: String,
    pub stats_to: String,
    pub has_stats: bool,
    pub period: String,
    pub overall: String,
    pub criteria: Vec<TallyRow>,
    pub breakdowns: Vec<Breakdown>,
    pub trend: Vec<TrendView>,
    pub trend_bars: Vec<SvgBar>,
    pub trend_ticks: Vec<Tick>,
    pub trend_max: usize,
    pub trend_width: usize,
    pub criterion_labels: Vec<&'static str>,
    pub samples: Vec<SampleRow>,
    pub typed: DrawForm,
    pub stratify: Vec<Opt>,
    pub crime_types: Vec<Opt>,
    pub outcomes: Vec<Opt>,
}

impl OverviewPage {
    fn error(&self, field: &str) -> Option<String> {
        error_of(&self.shell.errors, field)
    }
}

fn trend_views(trend: &[TrendRow]) -> Vec<TrendView> {
    trend
        .iter()
        .map(|(quarter, _, overall, criteria)| {
            let row = tally_row(quarter.clone(), overall);
            TrendView {
                quarter: row.label,
                reviewed: row.reviewed,
                good: row.good,
                percent: row.percent,
                criteria: criteria.iter().map(|(_, t)| t.sentence()).collect(),
            }
        })
        .collect()
}

fn fill_statistics(page: &mut OverviewPage, state: &AppState, stats: &Statistics, trend: &[TrendRow]) {
    page.has_stats = true;
    page.overall = stats.overall.sentence();
    page.criteria = stats.by_criterion.iter().map(|(c, t)| tally_row(c.label().to_string(), t)).collect();
    page.breakdowns = vec![
        Breakdown {
            id: "by-team",
            noun: "Team",
            caption: "Files good overall by team",
            rows: stats.by_team.iter().map(|(k, t)| tally_row(team_label(k), t)).collect(),
        },
        Breakdown {
            id: "by-crime-type",
            noun: "Crime type",
            caption: "Files good overall by crime type",
            rows: stats.by_crime_type.iter().map(|(k, t)| tally_row(crime_type_label(k), t)).collect(),
        },
        Breakdown {
            id: "by-outcome",
            noun: "Outcome",
            caption: "Files good overall by outcome",
            rows: stats.by_outcome.iter().map(|(k, t)| tally_row(outcome_label(state, k), t)).collect(),
        },
    ];
    // Good at the foot of each quarter's bar, not good stacked on it; the figure on top is how many
    // were reviewed.
    let stacks: Vec<(String, usize, usize)> = trend
        .iter()
        .map(|(q, _, t, _)| (q.clone(), t.reviewed.saturating_sub(t.good) as usize, t.good as usize))
        .collect();
    let (bars, ticks, max) = band_bars(&stacks);
    page.trend_bars = bars;
    page.trend_ticks = ticks;
    page.trend_max = max;
    // A few quarters must not fill the page: the chart is never narrower than six quarters' room.
    page.trend_width = 60 + stacks.len().max(6) * 100;
    page.trend = trend_views(trend);
}

fn sample_row(state: &AppState, s: &Sample) -> SampleRow {
    let (first, last) = sample_days(s);
    SampleRow {
        id: s.id.to_string(),
        drawn: time::london(s.drawn_at),
        by: s.drawn_by_name.clone(),
        period: format!("{} to {}", first.format("%-d %b %Y"), last.format("%-d %b %Y")),
        filters: filters_text(state, s),
        stratify: s.stratify.label().to_string(),
        size: s.size,
        files: s.files(),
        seed: s.seed.to_string(),
        population: s.population,
        reviewed: s.reviewed,
    }
}

fn options(all: impl Iterator<Item = (String, String)>, typed: &str) -> Vec<Opt> {
    all.map(|(value, label)| Opt { selected: value == typed.trim(), value, label }).collect()
}

/// The overview with the statistics for the period asked (errors on it are named `stats-from` and
/// `stats-to`), the samples, and the draw form as typed with its errors.
async fn overview_page(
    state: &AppState,
    user: &Principal,
    (from, to): (&str, &str),
    typed: DrawForm,
    mut errors: Vec<FieldError>,
    ctx: &RequestContext,
) -> Result<OverviewPage, PageError> {
    let today = london_today(state);
    let typed = if typed.stratify.is_empty() { DrawForm { stratify: "none".into(), ..typed } } else { typed };
    let mut page = OverviewPage {
        shell: Shell::for_user(user, "Case-file review", "/casefile"),
        stats_from: from.chars().take(20).collect(),
        stats_to: to.chars().take(20).collect(),
        has_stats: false,
        period: String::new(),
        overall: String::new(),
        criteria: Vec::new(),
        breakdowns: Vec::new(),
        trend: Vec::new(),
        trend_bars: Vec::new(),
        trend_ticks: Vec::new(),
        trend_max: 0,
        trend_width: 660,
        criterion_labels: Criterion::ALL.iter().map(|c| c.label()).collect(),
        samples: Vec::new(),
        stratify: options(Stratify::ALL.iter().map(|s| (s.as_str().into(), s.label().into())), &typed.stratify),
        crime_types: options(
            OffenceGroup::ALL.iter().map(|g| (g.as_str().into(), g.label().into())),
            &typed.crime_type,
        ),
        outcomes: options(
            state.core.settings.investigation.outcomes.list.types.iter().map(|t| {
                let label = format!("{} — {}", t.code, t.label);
                (t.code.clone(), label)
            }),
            &typed.outcome,
        ),
        typed: typed.shown(),
    };
    match statistics_period(from, to, today) {
        Ok(p) => {
            let (stats, trend) = state.core.casefile_statistics(user, p.start, p.end, ctx).await?;
            let day = |t: &str| NaiveDate::parse_from_str(t, "%Y-%m-%d").map(|d| d.format("%-d %b %Y").to_string());
            page.period = format!("{} to {}", day(&p.from).unwrap_or_default(), day(&p.to).unwrap_or_default());
            page.stats_from = p.from;
            page.stats_to = p.to;
            fill_statistics(&mut page, state, &stats, &trend);
        }
        Err(period_errors) => {
            errors.extend(period_errors.into_iter().map(|e| FieldError::new(format!("stats-{}", e.field), e.rule)));
        }
    }
    page.samples = state.core.casefile_samples(user).await?.iter().map(|s| sample_row(state, s)).collect();
    page.shell.errors = errors;
    Ok(page)
}

#[derive(Debug, Default, Deserialize)]
pub struct StatsQuery {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

/// The figures for a period of reviews (the last 12 months unless asked), the samples drawn and the
/// form to draw another.
pub async fn overview(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Query(q): Query<StatsQuery>,
) -> PageResult {
    let page = overview_page(&state, &user, (&q.from, &q.to), DrawForm::default(), Vec::new(), &ctx).await?;
    let status = if page.shell.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok(render(status, &page))
}

/// Draws a sample and goes to it; or the overview again with every error and what was typed.
pub async fn draw(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    PageForm(form): PageForm<DrawForm>,
) -> PageResult {
    match state.core.draw_casefile_sample(&user, &form.input(), &ctx).await {
        Ok(sample) => Ok(Redirect::to(&format!("/casefile/samples/{}?done=drawn", sample.id)).into_response()),
        Err(Error::Invalid(errors)) => {
            let page = overview_page(&state, &user, ("", ""), form, errors, &ctx).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

// ---- A sample ----------------------------------------------------------------------------------------

pub struct FileRow {
    pub position: usize,
    pub crime_id: String,
    pub number: String,
    pub offence: String,
    pub team: String,
    pub crime_type: String,
    pub outcome: String,
    pub reviewed: bool,
    /// "Good overall, by Sergeant sgt on 26 Nov 2026 10:00".
    pub verdict: String,
    pub good: bool,
}

#[derive(Template)]
#[template(path = "casefile/sample.html")]
pub struct SamplePage {
    pub shell: Shell,
    pub id: String,
    pub seed: String,
    pub spec: Vec<(&'static str, String)>,
    pub files: Vec<FileRow>,
    /// The sample's own form values, to draw it again.
    pub redraw: DrawForm,
}

fn verdict(r: &FileReview) -> String {
    let overall = match r.answers.overall {
        Some(Judgement::Good) => "Good overall",
        Some(Judgement::NotGood) => "Not good overall",
        None => "No overall judgement",
    };
    format!("{overall}, by {} on {}", r.reviewer_name, time::london(r.reviewed_at))
}

#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    pub done: String,
}

/// A sample's specification (its seed prominent) and its files in drawing order, each reviewed or
/// with its review form.
pub async fn sample(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let view = state.core.casefile_sample(&user, parse_id(&id)?, &ctx).await?;
    let s = &view.sample;
    let (first, last) = sample_days(s);
    let reviewed = view.items.iter().filter(|i| i.reviewed).count();
    let mut shell = Shell::for_user(&user, "Case-file sample", "/casefile");
    shell.notice = match q.done.as_str() {
        "drawn" => Some(format!("Sample drawn: {} files to review", view.items.len())),
        "reviewed" => Some(format!("Review saved: {reviewed} of {} files reviewed", view.items.len())),
        _ => None,
    };
    let files = view
        .items
        .iter()
        .map(|i| {
            let review = view.reviews.iter().find(|r| r.crime_id == i.crime_id);
            FileRow {
                position: i.position,
                crime_id: i.crime_id.to_string(),
                number: i.number.clone(),
                offence: i.offence_label.clone(),
                team: team_label(&i.team),
                crime_type: crime_type_label(&i.crime_type),
                outcome: outcome_label(&state, &i.outcome),
                reviewed: i.reviewed,
                verdict: review.map(verdict).unwrap_or_else(|| "Reviewed".into()),
                good: review.and_then(|r| r.answers.overall) == Some(Judgement::Good),
            }
        })
        .collect();
    let page = SamplePage {
        shell,
        id: s.id.to_string(),
        seed: s.seed.to_string(),
        spec: vec![
            ("Drawn", format!("{} by {}", time::london(s.drawn_at), s.drawn_by_name)),
            ("Finalised between", format!("{} and {}", first.format("%-d %b %Y"), last.format("%-d %b %Y"))),
            ("Filters", filters_text(&state, s)),
            ("Spread", s.stratify.label().to_string()),
            ("Files asked for", s.size.to_string()),
            ("Drawn from", format!("{} finalised investigations", s.population)),
            ("Seed", s.seed.to_string()),
            ("Reviewed", format!("{reviewed} of {} files", view.items.len())),
        ],
        files,
        redraw: DrawForm {
            from: first.format("%Y-%m-%d").to_string(),
            to: last.format("%Y-%m-%d").to_string(),
            size: s.size.to_string(),
            seed: s.seed.to_string(),
            stratify: s.stratify.as_str().to_string(),
            team: s.team.clone(),
            crime_type: s.crime_type.clone(),
            outcome: s.outcome.clone(),
        },
    };
    Ok(render(StatusCode::OK, &page))
}

// ---- Reviewing a file --------------------------------------------------------------------------------

/// One criterion's radios, as typed.
pub struct CriterionRow {
    /// The field name and the first radio's id: `criterion.<name>`.
    pub name: String,
    pub label: &'static str,
    pub good: bool,
    pub not_good: bool,
    pub error: Option<String>,
}

/// A review already saved.
pub struct DoneReview {
    pub verdict: String,
    pub judgements: Vec<(&'static str, &'static str)>,
    pub notes: String,
}

#[derive(Template)]
#[template(path = "casefile/review.html")]
pub struct ReviewPage {
    pub shell: Shell,
    pub sample_id: String,
    pub crime_id: String,
    pub number: String,
    pub summary: Vec<(&'static str, String)>,
    pub criteria: Vec<CriterionRow>,
    pub overall_good: bool,
    pub overall_not_good: bool,
    pub notes: String,
    pub done: Option<DoneReview>,
}

impl ReviewPage {
    fn error(&self, field: &str) -> Option<String> {
        error_of(&self.shell.errors, field)
    }
}

async fn review_page(
    state: &AppState,
    user: &Principal,
    sample_id: Uuid,
    crime_id: Uuid,
    typed: &[(String, String)],
    errors: Vec<FieldError>,
    ctx: &RequestContext,
) -> Result<ReviewPage, PageError> {
    let view = state.core.casefile_sample(user, sample_id, ctx).await?;
    let item = view.items.iter().find(|i| i.crime_id == crime_id).ok_or(PageError(Failure::Core(Error::NotFound)))?;
    let typed_value = |field: &str| typed.iter().rev().find(|(k, _)| k == field).map(|(_, v)| v.trim().to_string());
    let criteria = Criterion::ALL
        .iter()
        .map(|c| {
            let name = format!("criterion.{}", c.as_str());
            let value = typed_value(&name).unwrap_or_default();
            CriterionRow {
                label: c.label(),
                good: value == Judgement::Good.as_str(),
                not_good: value == Judgement::NotGood.as_str(),
                error: error_of(&errors, &name),
                name,
            }
        })
        .collect();
    let overall = typed_value("overall").unwrap_or_default();
    let done = view.reviews.iter().find(|r| r.crime_id == crime_id).map(|r| DoneReview {
        verdict: verdict(r),
        judgements: r.answers.judgements.iter().map(|(c, j)| (c.label(), j.label())).collect(),
        notes: r.answers.notes.clone(),
    });
    let mut shell = Shell::for_user(user, &format!("Review case file {}", item.number), "/casefile");
    shell.errors = errors;
    Ok(ReviewPage {
        shell,
        sample_id: sample_id.to_string(),
        crime_id: crime_id.to_string(),
        number: item.number.clone(),
        summary: vec![
            ("Offence", item.offence_label.clone()),
            ("Crime type", crime_type_label(&item.crime_type)),
            ("Team", team_label(&item.team)),
            ("Outcome", outcome_label(state, &item.outcome)),
            ("File", format!("{} of {} in the sample", item.position + 1, view.items.len())),
        ],
        criteria,
        overall_good: overall == Judgement::Good.as_str(),
        overall_not_good: overall == Judgement::NotGood.as_str(),
        notes: typed_value("notes").map(|n| n.chars().take(4000).collect()).unwrap_or_default(),
        done,
    })
}

/// The rubric for one file of a sample (or its review, once saved).
pub async fn review_form(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path((id, crime_id)): Path<(String, String)>,
) -> PageResult {
    let page = review_page(&state, &user, parse_id(&id)?, parse_id(&crime_id)?, &[], Vec::new(), &ctx).await?;
    Ok(render(StatusCode::OK, &page))
}

/// Saves a file's review and goes back to the sample; or the form again with every error (422), or
/// with the review already saved (409).
pub async fn review(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path((id, crime_id)): Path<(String, String)>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let (id, crime_id) = (parse_id(&id)?, parse_id(&crime_id)?);
    let (status, errors) = match state.core.review_casefile(&user, id, crime_id, &answers_of(&pairs), &ctx).await {
        Ok(_) => return Ok(Redirect::to(&format!("/casefile/samples/{id}?done=reviewed")).into_response()),
        Err(Error::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
        Err(Error::Conflict(message)) => (
            StatusCode::CONFLICT,
            vec![FieldError::new("review", format!("{message}: the review below was saved first"))],
        ),
        Err(e) => return Err(e.into()),
    };
    // A file already reviewed is a 409 whatever the form says (the core checks that first).
    let page = review_page(&state, &user, id, crime_id, &pairs, errors, &ctx).await?;
    Ok(render(status, &page))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn the_rubric_is_read_from_the_form() {
        let answers = answers_of(&pairs(&[
            ("criterion.investigation-standard", "good"),
            ("criterion.victim-care", "not-good"),
            ("criterion.supervision", "maybe"),
            ("criterion.tidiness", "good"),
            ("overall", "not-good"),
            ("notes", "Victim not updated for six weeks"),
        ]));
        assert_eq!(
            answers.judgements,
            [(Criterion::InvestigationStandard, Judgement::Good), (Criterion::VictimCare, Judgement::NotGood)]
        );
        assert_eq!(answers.overall, Some(Judgement::NotGood));
        assert_eq!(answers.notes, "Victim not updated for six weeks");
        assert_eq!(answers_of(&pairs(&[("overall", "so-so")])).overall, None);
    }

    #[test]
    fn the_statistics_default_to_the_last_12_months() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default();
        let p = statistics_period("", "", today).expect("valid");
        assert_eq!((p.from.as_str(), p.to.as_str()), ("2025-11-27", "2026-11-26"));
        assert_eq!((p.end - p.start).num_days(), 365);
        let errors = statistics_period("2026-02-30", "yesterday", today).expect_err("refused");
        assert_eq!(errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["from", "to"]);
    }

    #[test]
    fn crime_types_and_teams_read_as_words() {
        assert_eq!(crime_type_label("violence-against-the-person"), "Violence against the person");
        assert_eq!(crime_type_label(""), "Not known");
        assert_eq!(team_label(""), "No team");
    }
}
