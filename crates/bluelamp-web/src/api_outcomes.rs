//! The outcome analytics and case-file review API (issue 7, points 4 and 5): the outcome mix by
//! crime type, team or officer against the previous period with outcome 16's share of outcomes and
//! of crimes recorded, and the crimes behind a count; drawing reproducible samples of finalised
//! investigations, listing and reading them, reviewing a file against the rubric, and the
//! inspectorate's figures with their quarterly trend. Periods are UK days, inclusive; a bad one is
//! a 422 naming `from`, `to` or `by`.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use bluelamp_core::Error;
use bluelamp_core::FieldError;
use bluelamp_core::casefile::{Criterion, Tally, TrendRow, check_answers};
use bluelamp_core::casefile_use::{FileReview, Sample, SampleItem};
use bluelamp_core::outcome_stats::{Comparison, WATCHED, percent};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::AppState;
use crate::api_incidents::parse_id;
use crate::api_investigation::{InvestigatedCrimeJson, investigated_crime_json};
use crate::auth::{Ctx, CurrentUser};
use crate::error::{ApiError, ErrorJson};
use crate::extract::ApiJson;
use crate::pages::casefile::{answers_of, crime_type_label, sample_days, statistics_period};
use crate::pages::investigation::london_today;
use crate::pages::outcomes::{RECORDS_LIMIT, asked, asked_records, group_label, limited, previous_days};

type ApiResult<T> = Result<T, ApiError>;

// ---- Outcome analytics -------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AnalyticsParams {
    /// The first UK day, YYYY-MM-DD (the 90 days ending `to` if not given).
    #[serde(default)]
    pub from: Option<String>,
    /// The last UK day, included, YYYY-MM-DD (today if not given).
    #[serde(default)]
    pub to: Option<String>,
    /// crime-type (if not given), team or officer.
    #[serde(default)]
    pub by: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeLineJson {
    /// The Home Office outcome code.
    pub code: String,
    pub label: String,
    /// Crimes finalised with it this period and in the previous one.
    pub current: u64,
    pub previous: u64,
    /// Its share of each period's outcomes, in per cent (absent when the period has none).
    pub current_share: Option<f64>,
    pub previous_share: Option<f64>,
    /// Percentage points gained on the previous period (absent unless both periods have outcomes).
    pub change: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupLineJson {
    /// The offence group (crime-type), the team name, or the officer's user id; empty for crimes
    /// nobody was allocated, or whose officer has no team.
    pub key: String,
    pub label: String,
    /// Crimes finalised this period and in the previous one.
    pub current: u64,
    pub previous: u64,
    /// Outcome code → crimes finalised with it this period.
    pub counts: BTreeMap<String, u64>,
    /// Outcome 16's share of the group's outcomes, in per cent, now and before.
    pub watched_share: Option<f64>,
    pub previous_watched_share: Option<f64>,
    /// Well above the force's share of outcome 16, or sharply risen (5 points or more).
    pub highlighted: bool,
    pub above_force_average: bool,
    pub risen: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeAnalyticsJson {
    /// crime-type, team or officer.
    pub by: String,
    /// The period: UK days, inclusive (YYYY-MM-DD).
    pub from: String,
    pub to: String,
    /// The previous period of the same length, ending the day before `from`.
    pub previous_from: String,
    pub previous_to: String,
    /// Crimes finalised in each period.
    pub current_total: u64,
    pub previous_total: u64,
    /// Crimes recorded in each period (the inspectorate's denominator for outcome 16).
    pub current_recorded: u64,
    pub previous_recorded: u64,
    /// The outcome singled out: "16".
    pub watched: String,
    /// Outcome 16 as a percentage of the period's outcomes, now and before.
    pub watched_share_of_outcomes: Option<f64>,
    pub previous_watched_share_of_outcomes: Option<f64>,
    /// Outcome 16 as a percentage of the crimes recorded in the period, now and before.
    pub watched_share_of_recorded: Option<f64>,
    pub previous_watched_share_of_recorded: Option<f64>,
    /// Every outcome seen in either period, in the outcome list's order.
    pub outcomes: Vec<OutcomeLineJson>,
    /// Largest current total first.
    pub groups: Vec<GroupLineJson>,
}

fn analytics_json(c: &Comparison, from: &str, to: &str) -> OutcomeAnalyticsJson {
    let (before_first, before_last) = previous_days(c);
    let (now, before) = c.watched().map(|w| (w.current, w.previous)).unwrap_or((0, 0));
    let (of_recorded, of_recorded_before) = c.watched_of_recorded();
    let both = c.current_total > 0 && c.previous_total > 0;
    OutcomeAnalyticsJson {
        by: c.dimension.as_str().to_string(),
        from: from.to_string(),
        to: to.to_string(),
        previous_from: before_first.to_string(),
        previous_to: before_last.to_string(),
        current_total: c.current_total,
        previous_total: c.previous_total,
        current_recorded: c.current_recorded,
        previous_recorded: c.previous_recorded,
        watched: WATCHED.to_string(),
        watched_share_of_outcomes: percent(now, c.current_total),
        previous_watched_share_of_outcomes: percent(before, c.previous_total),
        watched_share_of_recorded: of_recorded,
        previous_watched_share_of_recorded: of_recorded_before,
        outcomes: c
            .outcomes
            .iter()
            .map(|o| OutcomeLineJson {
                code: o.code.clone(),
                label: o.label.clone(),
                current: o.current,
                previous: o.previous,
                current_share: percent(o.current, c.current_total),
                previous_share: percent(o.previous, c.previous_total),
                change: both.then(|| o.change()),
            })
            .collect(),
        groups: c
            .groups
            .iter()
            .map(|g| {
                let (above, risen) = (g.above, g.risen);
                GroupLineJson {
                    key: g.key.clone(),
                    label: group_label(c.dimension, &g.key, &g.label),
                    current: g.current,
                    previous: g.previous,
                    counts: g.counts.clone(),
                    watched_share: g.watched_share,
                    previous_watched_share: g.previous_watched_share,
                    highlighted: g.highlighted,
                    above_force_average: g.highlighted && above,
                    risen: g.highlighted && risen,
                }
            })
            .collect(),
    }
}

/// The outcome mix of the crimes finalised in a period, by crime type, team or officer, against the
/// period of the same length before it, with outcome 16's share of outcomes and of crimes recorded.
/// Audited as a search.
#[utoipa::path(get, path = "/api/v1/outcomes/analytics", tag = "outcomes", params(AnalyticsParams),
    responses((status = 200, body = OutcomeAnalyticsJson), (status = 422, body = ErrorJson),
        (status = 403, body = ErrorJson)))]
pub async fn analytics(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Query(params): Query<AnalyticsParams>,
) -> ApiResult<Json<OutcomeAnalyticsJson>> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let a = asked(&text(&params.from), &text(&params.to), &text(&params.by), london_today(&state))
        .map_err(|errors| ApiError::from(Error::Invalid(errors)))?;
    let c = state.core.outcome_analytics(&user, a.start, a.end, a.dimension, &ctx).await?;
    Ok(Json(analytics_json(&c, &a.from, &a.to)))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecordsParams {
    /// The first UK day, YYYY-MM-DD.
    #[serde(default)]
    pub from: String,
    /// The last UK day, included.
    #[serde(default)]
    pub to: String,
    /// crime-type, team or officer.
    #[serde(default)]
    pub by: String,
    /// The group's key as the analytics give it (empty: nobody allocated, or no team); leave it
    /// out for every group.
    #[serde(default)]
    pub key: Option<String>,
    /// One outcome code; any if not given.
    #[serde(default)]
    pub outcome: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeRecordsJson {
    /// Newest finalised first, at most `limit`.
    pub crimes: Vec<InvestigatedCrimeJson>,
    pub limit: u32,
    /// More crimes match than are listed.
    pub more: bool,
}

/// The crimes behind one count of the analytics: finalised in the period, of the group, with the
/// outcome (or any), newest first, at most 500. Needs crime.view as well. Audited as a search.
#[utoipa::path(get, path = "/api/v1/outcomes/records", tag = "outcomes", params(RecordsParams),
    responses((status = 200, body = OutcomeRecordsJson), (status = 422, body = ErrorJson),
        (status = 403, body = ErrorJson)))]
pub async fn records(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Query(params): Query<RecordsParams>,
) -> ApiResult<Json<OutcomeRecordsJson>> {
    let a =
        asked_records(&params.from, &params.to, &params.by).map_err(|errors| ApiError::from(Error::Invalid(errors)))?;
    let outcome = Some(params.outcome.trim()).filter(|o| !o.is_empty());
    let found = state
        .core
        .outcome_records(
            &user,
            a.start,
            a.end,
            a.dimension,
            params.key.as_deref().map(str::trim),
            outcome,
            RECORDS_LIMIT + 1,
            &ctx,
        )
        .await?;
    let (crimes, more) = limited(found, RECORDS_LIMIT);
    Ok(Json(OutcomeRecordsJson {
        crimes: crimes.iter().map(investigated_crime_json).collect(),
        limit: RECORDS_LIMIT,
        more,
    }))
}

// ---- Case-file samples --------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct NewSampleJson {
    /// The first UK day the files were finalised on, YYYY-MM-DD.
    #[serde(default)]
    pub from: String,
    /// The last UK day, included.
    #[serde(default)]
    pub to: String,
    /// How many files, 1 to 500.
    #[serde(default)]
    #[schema(value_type = Option<u64>)]
    pub size: serde_json::Value,
    /// The seed of an earlier sample, to draw it again; a new one if not given. A number or a string
    /// of digits (JavaScript numbers lose precision above 2^53, and seeds go up to 2^64 - 1).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub seed: serde_json::Value,
    /// none, team, crime-type or outcome.
    #[serde(default)]
    pub stratify: String,
    /// Only files of this team, offence group (e.g. theft) or outcome code.
    #[serde(default)]
    pub team: Option<String>,
    #[serde(default)]
    pub crime_type: Option<String>,
    #[serde(default)]
    pub outcome: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SampleJson {
    pub id: Uuid,
    /// RFC 3339.
    pub drawn_at: String,
    pub drawn_by: Uuid,
    pub drawn_by_name: String,
    /// As a string: it is a 64-bit number.
    pub seed: String,
    /// Files asked for.
    pub size: usize,
    /// Files it holds: the size, or the whole population when that was smaller.
    pub files: usize,
    /// none, team, crime-type or outcome.
    pub stratify: String,
    /// The period the files were finalised in: UK days, inclusive.
    pub from: String,
    pub to: String,
    /// Filters; empty means all.
    pub team: String,
    pub crime_type: String,
    pub outcome: String,
    /// Finalised investigations it was drawn from.
    pub population: usize,
    /// Files reviewed so far.
    pub reviewed: usize,
}

/// A number or a string as the text the core checks (and names the field of when it is neither).
fn text_of(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn sample_json(s: &Sample) -> SampleJson {
    let (first, last) = sample_days(s);
    SampleJson {
        id: s.id,
        drawn_at: s.drawn_at.to_rfc3339(),
        drawn_by: s.drawn_by,
        drawn_by_name: s.drawn_by_name.clone(),
        seed: s.seed.to_string(),
        size: s.size,
        files: s.files(),
        stratify: s.stratify.as_str().to_string(),
        from: first.to_string(),
        to: last.to_string(),
        team: s.team.clone(),
        crime_type: s.crime_type.clone(),
        outcome: s.outcome.clone(),
        population: s.population,
        reviewed: s.reviewed,
    }
}

/// Draws a reproducible sample of the investigations finalised in a period and stores it with its
/// seed. Every problem is a 422 naming its field (`from`, `to`, `size`, `seed`, `stratify`).
#[utoipa::path(post, path = "/api/v1/casefile/samples", tag = "casefile", request_body = NewSampleJson,
    responses((status = 201, body = SampleJson), (status = 422, body = ErrorJson), (status = 403, body = ErrorJson)))]
pub async fn draw_sample(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    ApiJson(body): ApiJson<NewSampleJson>,
) -> ApiResult<(StatusCode, Json<SampleJson>)> {
    let input = bluelamp_core::casefile_use::SampleInput {
        from: body.from,
        to: body.to,
        size: text_of(&body.size),
        seed: text_of(&body.seed),
        stratify: body.stratify,
        team: body.team.unwrap_or_default(),
        crime_type: body.crime_type.unwrap_or_default(),
        outcome: body.outcome.unwrap_or_default(),
    };
    let sample = state.core.draw_casefile_sample(&user, &input, &ctx).await?;
    Ok((StatusCode::CREATED, Json(sample_json(&sample))))
}

/// The samples drawn, newest first (the latest 200), with how many files of each are reviewed.
#[utoipa::path(get, path = "/api/v1/casefile/samples", tag = "casefile",
    responses((status = 200, body = Vec<SampleJson>), (status = 403, body = ErrorJson)))]
pub async fn samples(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> ApiResult<Json<Vec<SampleJson>>> {
    let samples = state.core.casefile_samples(&user).await?;
    Ok(Json(samples.iter().map(sample_json).collect()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SampleFileJson {
    /// 0-based, in drawing order.
    pub position: usize,
    pub crime_id: Uuid,
    pub number: String,
    pub offence_label: String,
    pub team: String,
    /// The offence group, e.g. theft.
    pub crime_type: String,
    pub crime_type_label: String,
    pub outcome: String,
    pub reviewed: bool,
}

fn file_json(i: &SampleItem) -> SampleFileJson {
    SampleFileJson {
        position: i.position,
        crime_id: i.crime_id,
        number: i.number.clone(),
        offence_label: i.offence_label.clone(),
        team: i.team.clone(),
        crime_type: i.crime_type.clone(),
        crime_type_label: crime_type_label(&i.crime_type),
        outcome: i.outcome.clone(),
        reviewed: i.reviewed,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FileReviewJson {
    pub id: Uuid,
    pub sample_id: Uuid,
    pub crime_id: Uuid,
    /// RFC 3339.
    pub reviewed_at: String,
    pub reviewer_id: Uuid,
    pub reviewer_name: String,
    /// Criterion (investigation-standard, supervision, victim-care, outcome-correct) → good or
    /// not-good.
    pub judgements: BTreeMap<String, String>,
    /// good or not-good.
    pub overall: Option<String>,
    pub notes: String,
    /// The file's team, crime type and outcome when it was drawn.
    pub team: String,
    pub crime_type: String,
    pub outcome: String,
}

fn review_json(r: &FileReview) -> FileReviewJson {
    FileReviewJson {
        id: r.id,
        sample_id: r.sample_id,
        crime_id: r.crime_id,
        reviewed_at: r.reviewed_at.to_rfc3339(),
        reviewer_id: r.reviewer_id,
        reviewer_name: r.reviewer_name.clone(),
        judgements: r
            .answers
            .judgements
            .iter()
            .map(|(c, j)| (c.as_str().to_string(), j.as_str().to_string()))
            .collect(),
        overall: r.answers.overall.map(|j| j.as_str().to_string()),
        notes: r.answers.notes.clone(),
        team: r.team.clone(),
        crime_type: r.crime_type.clone(),
        outcome: r.outcome.clone(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SampleDetailJson {
    pub sample: SampleJson,
    /// In drawing order.
    pub files: Vec<SampleFileJson>,
    pub reviews: Vec<FileReviewJson>,
}

/// A sample with its files in drawing order and the reviews so far. Audited as a view.
#[utoipa::path(get, path = "/api/v1/casefile/samples/{id}", tag = "casefile", params(("id" = String, Path)),
    responses((status = 200, body = SampleDetailJson), (status = 404, body = ErrorJson), (status = 403, body = ErrorJson)))]
pub async fn sample(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<SampleDetailJson>> {
    let view = state.core.casefile_sample(&user, parse_id(&id)?, &ctx).await?;
    Ok(Json(SampleDetailJson {
        sample: sample_json(&view.sample),
        files: view.items.iter().map(file_json).collect(),
        reviews: view.reviews.iter().map(review_json).collect(),
    }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ReviewBodyJson {
    /// Every criterion (investigation-standard, supervision, victim-care, outcome-correct) → good or
    /// not-good.
    #[serde(default)]
    pub judgements: BTreeMap<String, String>,
    /// good or not-good.
    #[serde(default)]
    pub overall: Option<String>,
    /// Needed (at least 10 characters) when anything is not-good.
    #[serde(default)]
    pub notes: String,
}

/// Reviews one file of a sample against the rubric. Every problem is a 422 naming its field
/// (`criterion.<name>`, `overall`, `notes`); a file already reviewed is a 409; a crime not in the
/// sample a 404.
#[utoipa::path(post, path = "/api/v1/casefile/samples/{id}/files/{crime_id}/review", tag = "casefile",
    params(("id" = String, Path), ("crime_id" = String, Path)), request_body = ReviewBodyJson,
    responses((status = 201, body = FileReviewJson), (status = 422, body = ErrorJson), (status = 409, body = ErrorJson),
        (status = 404, body = ErrorJson)))]
pub async fn review_file(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Path((id, crime_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<ReviewBodyJson>,
) -> ApiResult<(StatusCode, Json<FileReviewJson>)> {
    let (id, crime_id) = (parse_id(&id)?, parse_id(&crime_id)?);
    let names = Criterion::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ");
    let mut errors: Vec<FieldError> = body
        .judgements
        .keys()
        .filter(|k| k.parse::<Criterion>().is_err())
        .map(|k| {
            FieldError::new(format!("criterion.{k}"), format!("'{k}' is not a criterion of the rubric: use {names}"))
        })
        .collect();
    let mut pairs: Vec<(String, String)> =
        body.judgements.iter().map(|(k, v)| (format!("criterion.{k}"), v.clone())).collect();
    pairs.extend(body.overall.map(|o| ("overall".to_string(), o)));
    pairs.push(("notes".to_string(), body.notes));
    let answers = answers_of(&pairs);
    if !errors.is_empty() {
        // Refused before the core is asked, so nothing is written; the rubric's own checks add the rest.
        errors.extend(check_answers(&answers).err().unwrap_or_default());
        return Err(Error::Invalid(errors).into());
    }
    let review = state.core.review_casefile(&user, id, crime_id, &answers, &ctx).await?;
    Ok((StatusCode::CREATED, Json(review_json(&review))))
}

// ---- Statistics ---------------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatisticsParams {
    /// The first UK day reviews were done on, YYYY-MM-DD (the last 12 months if not given).
    #[serde(default)]
    pub from: Option<String>,
    /// The last UK day, included (today if not given).
    #[serde(default)]
    pub to: Option<String>,
}

/// "43 of 62 files good (69%)".
#[derive(Debug, Serialize, ToSchema)]
pub struct TallyJson {
    pub good: u32,
    pub reviewed: u32,
    /// Absent when nothing was reviewed.
    pub percent: Option<f64>,
    pub sentence: String,
}

fn tally_json(t: &Tally) -> TallyJson {
    TallyJson { good: t.good, reviewed: t.reviewed, percent: t.percent(), sentence: t.sentence() }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CriterionTallyJson {
    /// investigation-standard, supervision, victim-care or outcome-correct.
    pub criterion: String,
    pub label: String,
    #[serde(flatten)]
    pub tally: TallyJson,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KeyTallyJson {
    /// The team, offence group or outcome code.
    pub key: String,
    #[serde(flatten)]
    pub tally: TallyJson,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuarterJson {
    /// "2026 Q1" (calendar quarters of the day reviewed, UTC).
    pub quarter: String,
    /// Its first day, YYYY-MM-DD.
    pub starts_on: String,
    pub overall: TallyJson,
    pub by_criterion: Vec<CriterionTallyJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatisticsJson {
    /// The reviews counted: done on these UK days, inclusive.
    pub from: String,
    pub to: String,
    /// Files good overall.
    pub overall: TallyJson,
    /// In the rubric's order.
    pub by_criterion: Vec<CriterionTallyJson>,
    /// Files good overall by team, crime type and outcome, sorted by key.
    pub by_team: Vec<KeyTallyJson>,
    pub by_crime_type: Vec<KeyTallyJson>,
    pub by_outcome: Vec<KeyTallyJson>,
    /// Quarter by quarter, empty quarters included.
    pub trend: Vec<QuarterJson>,
}

fn criteria_json(rows: &[(Criterion, Tally)]) -> Vec<CriterionTallyJson> {
    rows.iter()
        .map(|(c, t)| CriterionTallyJson {
            criterion: c.as_str().to_string(),
            label: c.label().to_string(),
            tally: tally_json(t),
        })
        .collect()
}

fn keyed_json(rows: &[(String, Tally)]) -> Vec<KeyTallyJson> {
    rows.iter().map(|(k, t)| KeyTallyJson { key: k.clone(), tally: tally_json(t) }).collect()
}

fn quarter_json((quarter, starts, overall, criteria): &TrendRow) -> QuarterJson {
    QuarterJson {
        quarter: quarter.clone(),
        starts_on: starts.to_string(),
        overall: tally_json(overall),
        by_criterion: criteria_json(criteria),
    }
}

/// The inspectorate's figures over the reviews done in a period: files good overall, on each
/// criterion, and by team, crime type and outcome, with the quarterly trend. Audited.
#[utoipa::path(get, path = "/api/v1/casefile/statistics", tag = "casefile", params(StatisticsParams),
    responses((status = 200, body = StatisticsJson), (status = 422, body = ErrorJson), (status = 403, body = ErrorJson)))]
pub async fn statistics(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Query(params): Query<StatisticsParams>,
) -> ApiResult<Json<StatisticsJson>> {
    let p = statistics_period(
        params.from.as_deref().unwrap_or(""),
        params.to.as_deref().unwrap_or(""),
        london_today(&state),
    )
    .map_err(|errors| ApiError::from(Error::Invalid(errors)))?;
    let (stats, trend) = state.core.casefile_statistics(&user, p.start, p.end, &ctx).await?;
    Ok(Json(StatisticsJson {
        from: p.from,
        to: p.to,
        overall: tally_json(&stats.overall),
        by_criterion: criteria_json(&stats.by_criterion),
        by_team: keyed_json(&stats.by_team),
        by_crime_type: keyed_json(&stats.by_crime_type),
        by_outcome: keyed_json(&stats.by_outcome),
        trend: trend.iter().map(quarter_json).collect(),
    }))
}
