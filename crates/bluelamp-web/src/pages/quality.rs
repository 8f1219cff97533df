//! THRIVE quality pages: the supervisor's sample to review with quality rates, and the review form.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use bluelamp_core::access::Principal;
use bluelamp_core::quality::{QualityRate, RUBRIC};
use bluelamp_core::{Error, FieldError, time};
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::auth::{Ctx, CurrentUser};
use crate::error::{Failure, PageError};
use crate::extract::PageForm;
use crate::shell::Shell;
use crate::templates::{error_for, render};

type PageResult = Result<Response, PageError>;

#[derive(Template)]
#[template(path = "quality/thrive.html")]
pub struct QualityPage {
    pub shell: Shell,
    pub days: i64,
    /// Id, reference, category, grade, graded.
    pub to_review: Vec<(String, String, String, String, String)>,
    pub tables: Vec<RateTable>,
    pub month_bars: Vec<Bar>,
    pub chart_width: usize,
}

/// One bar of a server-rendered SVG bar chart (0–100 %), laid out in a 160-unit-high plot area.
pub struct Bar {
    pub x: usize,
    pub y: usize,
    pub width: usize,
    pub height: usize,
    pub label_x: usize,
    pub value_y: usize,
    pub label: String,
    pub value: String,
}

/// Lays out percentages as bars, left to right, 60 units apart.
pub fn bars(values: &[(String, f64)]) -> Vec<Bar> {
    values
        .iter()
        .enumerate()
        .map(|(n, (label, percent))| {
            let height = (percent.clamp(0.0, 100.0) * 1.6).round() as usize;
            let x = 50 + n * 60;
            Bar {
                x,
                y: 180 - height,
                width: 40,
                height,
                label_x: x + 20,
                value_y: (180 - height).saturating_sub(4).max(12),
                label: label.clone(),
                value: format!("{percent:.0}%"),
            }
        })
        .collect()
}

/// One table of quality rates: title, group heading, rows of (group, reviewed, met, percent).
pub type RateTable = (&'static str, &'static str, Vec<(String, usize, usize, String)>);

#[derive(Debug, Deserialize)]
pub struct DaysQuery {
    #[serde(default = "thirty")]
    pub days: i64,
}

fn thirty() -> i64 {
    30
}

fn rows(rates: &[QualityRate]) -> Vec<(String, usize, usize, String)> {
    rates.iter().map(|r| (r.group.clone(), r.reviewed, r.met, format!("{:.0}%", r.percent()))).collect()
}

pub async fn overview(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Query(q): Query<DaysQuery>,
) -> PageResult {
    let o = state.core.thrive_quality(&user, q.days, &ctx).await?;
    let to_review = o
        .to_review
        .iter()
        .map(|i| {
            (
                i.id.to_string(),
                i.reference.clone(),
                super::incidents::category_label(&state.core.settings.nsir, &i.opening_category),
                i.grade.map(|g| g.label().to_string()).unwrap_or_default(),
                i.graded_at.map(time::london).unwrap_or_default(),
            )
        })
        .collect();
    let month_bars = bars(&o.by_month.iter().map(|r| (r.group.clone(), r.percent())).collect::<Vec<_>>());
    let page = QualityPage {
        chart_width: (60 + month_bars.len() * 60).max(480),
        month_bars,
        shell: Shell::for_user(&user, "THRIVE quality", "/quality/thrive"),
        days: q.days,
        to_review,
        tables: vec![
            ("call handler", "Handler", rows(&o.by_handler)),
            ("team", "Team", rows(&o.by_team)),
            ("month", "Month", rows(&o.by_month)),
        ],
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "quality/review.html")]
pub struct ReviewPage {
    pub shell: Shell,
    pub id: String,
    pub reference: String,
    pub handler: String,
    pub caption: String,
    pub thrive_rows: Vec<(&'static str, &'static str, String)>,
    /// Name, question, chosen ("yes"/"no"/""), error.
    pub questions: Vec<(&'static str, &'static str, String, Option<String>)>,
    pub note: String,
}

async fn review_page(
    state: &AppState,
    user: &Principal,
    id: Uuid,
    ctx: &bluelamp_core::audit::RequestContext,
    chosen: &[(String, String)],
    note: String,
    errors: Vec<FieldError>,
) -> Result<ReviewPage, PageError> {
    let record = state.core.view_incident(user, id, ctx).await?;
    let current = record.current_thrive();
    let mut shell = Shell::for_user(user, "Review THRIVE", "/quality/thrive");
    let questions = RUBRIC
        .iter()
        .map(|(name, question)| {
            let value = chosen.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
            (*name, *question, value, error_for(&errors, name))
        })
        .collect();
    shell.errors = errors;
    Ok(ReviewPage {
        shell,
        id: id.to_string(),
        reference: record.incident.reference.clone(),
        handler: record.log.first().map(|l| l.author_name.clone()).unwrap_or_default(),
        caption: current
            .map(|t| format!("Assessed by {} at {}", t.assessed_by_name, time::london(t.assessed_at)))
            .unwrap_or_else(|| "Not assessed".into()),
        thrive_rows: current
            .map(|t| t.entries.iter().map(|e| (e.element.label(), e.rating.label(), e.rationale.clone())).collect())
            .unwrap_or_default(),
        questions,
        note,
    })
}

fn parse_id(id: &str) -> Result<Uuid, PageError> {
    Uuid::parse_str(id).map_err(|_| PageError(Failure::Core(Error::NotFound)))
}

pub async fn review_form(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
) -> PageResult {
    user.require(bluelamp_core::access::Permission::ThriveReview)?;
    let page = review_page(&state, &user, parse_id(&id)?, &ctx, &[], String::new(), Vec::new()).await?;
    Ok(render(StatusCode::OK, &page))
}

#[derive(Debug, Deserialize)]
pub struct ReviewForm {
    #[serde(flatten)]
    fields: std::collections::HashMap<String, String>,
}

pub async fn review(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    PageForm(form): PageForm<ReviewForm>,
) -> PageResult {
    let id = parse_id(&id)?;
    let answers: Vec<(String, String)> =
        RUBRIC.iter().filter_map(|(k, _)| form.fields.get(*k).map(|v| (k.to_string(), v.clone()))).collect();
    let note = form.fields.get("note").cloned().unwrap_or_default();
    match state.core.review_thrive(&user, id, &answers, &note, &ctx).await {
        Ok(_) => Ok(Redirect::to("/quality/thrive").into_response()),
        Err(Error::Invalid(errors)) => {
            let page = review_page(&state, &user, id, &ctx, &answers, note, errors).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_proportional_and_labelled() {
        let b = bars(&[("2026-10".into(), 50.0), ("2026-11".into(), 100.0), ("2026-12".into(), 130.0)]);
        assert_eq!((b[0].height, b[0].y), (80, 100));
        assert_eq!((b[1].height, b[1].y), (160, 20));
        assert_eq!(b[2].height, 160, "clamped to 100%");
        assert_eq!(b[1].x - b[0].x, 60);
        assert_eq!(b[0].value, "50%");
    }
}
