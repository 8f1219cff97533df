//! Outcome analytics pages (issue 7, point 4): the outcome mix of the crimes finalised in a period
//! against the period of the same length before it, outcome 16 singled out as the inspection did (as
//! a share of outcomes and of crimes recorded), the share of outcome 16 by crime type, team or
//! officer with the groups well above the force or sharply risen marked, and the crimes behind a
//! group's count.
//!
//! The comparison itself is the core's (`bluelamp_core::outcome_stats`); here it is laid out as two
//! sideways bar charts, each drawn as SVG with the scale the triage charts use and a table of the
//! same figures under it. The request's period is checked here and in the API alike
//! ([`asked`], [`asked_records`]).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use bluelamp_core::access::Permission;
use bluelamp_core::casefile_use::parse_period;
use bluelamp_core::crime::Crime;
use bluelamp_core::offence::OffenceGroup;
use bluelamp_core::outcome_stats::{Comparison, Dimension, WATCHED, percent};
use bluelamp_core::{Error, FieldError, time};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Europe::London;
use serde::Deserialize;

use crate::AppState;
use crate::auth::{Ctx, CurrentUser, urlencode};
use crate::error::PageError;
use crate::pages::investigation::{Opt, london_today};
use crate::pages::triage::{SvgBar, Tick, scaled};
use crate::shell::Shell;
use crate::templates::render;

type PageResult = Result<Response, PageError>;

/// The period shown when none is asked for: the 90 UK days ending today.
pub const DEFAULT_DAYS: i64 = 90;

/// The most crimes the drill-down lists.
pub const RECORDS_LIMIT: u32 = 500;

/// The most groups drawn in the outcome-16 chart (the table under it lists them all).
pub const CHART_GROUPS: usize = 25;

// ---- What was asked ------------------------------------------------------------------------------

/// A period of UK days and a dimension, checked.
#[derive(Debug, Clone)]
pub struct Asked {
    /// As typed or defaulted, `YYYY-MM-DD` (the first and last UK day, inclusive).
    pub from: String,
    pub to: String,
    /// The instants [start, end) those days cover.
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub dimension: Dimension,
}

fn day_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn dimension_of(text: &str, errors: &mut Vec<FieldError>) -> Option<Dimension> {
    let parsed = text.trim().parse::<Dimension>().ok();
    if parsed.is_none() {
        errors.push(FieldError::new("by", "Break the outcomes down by crime-type, team or officer"));
    }
    parsed
}

/// The analytics' period and dimension: `from` and `to` are UK days, inclusive (blank `to` is
/// today, blank `from` the 90 days ending on `to`), `by` is crime-type (when blank), team or
/// officer. Every problem is named by its field.
pub fn asked(from: &str, to: &str, by: &str, today: NaiveDate) -> Result<Asked, Vec<FieldError>> {
    let to = match to.trim() {
        "" => day_text(today),
        text => text.to_string(),
    };
    let from = match from.trim() {
        "" => {
            let last = NaiveDate::parse_from_str(&to, "%Y-%m-%d").unwrap_or(today);
            day_text(last - Duration::days(DEFAULT_DAYS - 1))
        }
        text => text.to_string(),
    };
    let mut errors = Vec::new();
    let period = parse_period(&from, &to, &mut errors);
    let dimension = if by.trim().is_empty() { Some(Dimension::CrimeType) } else { dimension_of(by, &mut errors) };
    match (period, dimension) {
        (Some((start, end)), Some(dimension)) if errors.is_empty() => Ok(Asked { from, to, start, end, dimension }),
        _ => Err(errors),
    }
}

/// One cell of the analytics asked for: the period, the dimension, the group's key and the outcome
/// (blank: any). Everything but the key and the outcome must be given.
pub fn asked_records(from: &str, to: &str, by: &str) -> Result<Asked, Vec<FieldError>> {
    let mut errors = Vec::new();
    let period = parse_period(from, to, &mut errors);
    let dimension = dimension_of(by, &mut errors);
    match (period, dimension) {
        (Some((start, end)), Some(dimension)) if errors.is_empty() => {
            Ok(Asked { from: from.trim().to_string(), to: to.trim().to_string(), start, end, dimension })
        }
        _ => Err(errors),
    }
}

/// The UK day an instant falls on, to the nearest midnight: the period before a UK-day period is
/// the same length in hours, so across a change of the clocks it starts an hour either side of
/// midnight.
pub fn nearest_day(at: DateTime<Utc>) -> NaiveDate {
    (at + Duration::hours(12)).with_timezone(&London).date_naive()
}

/// The first and last UK day of the previous period (which ends where this one starts).
pub fn previous_days(c: &Comparison) -> (NaiveDate, NaiveDate) {
    let first = nearest_day(c.previous_from);
    let last = nearest_day(c.from).pred_opt().unwrap_or(first);
    (first, last)
}

/// "3 Dec 2026 to 9 Dec 2026".
fn days_words(first: NaiveDate, last: NaiveDate) -> String {
    format!("{} to {}", first.format("%-d %b %Y"), last.format("%-d %b %Y"))
}

/// A group as people know it: the offence group's name, the team, the officer; an empty key is
/// the crimes nobody was allocated (or whose officer has no team).
pub fn group_label(dimension: Dimension, key: &str, label: &str) -> String {
    match (dimension, key.is_empty()) {
        (Dimension::CrimeType, false) => {
            key.parse::<OffenceGroup>().map(|g| g.label().to_string()).unwrap_or_else(|_| label.to_string())
        }
        (Dimension::CrimeType, true) => "Crime type not known".into(),
        (Dimension::Team, true) => "No team".into(),
        (Dimension::Officer, true) => "Not allocated".into(),
        (_, false) if label.is_empty() => key.to_string(),
        (_, false) => label.to_string(),
    }
}

/// "26.4%", or "no figure" when nothing was there to share.
pub fn share(p: Option<f64>) -> String {
    match p {
        Some(p) => format!("{p:.1}%"),
        None => "no figure".into(),
    }
}

/// Percentage points gained or lost: "+3.0", "-1.2", "0.0".
pub fn points(change: f64) -> String {
    if change.abs() < 0.05 { "0.0".into() } else { format!("{change:+.1}") }
}

// ---- The sideways bar chart ------------------------------------------------------------------------

/// A category's name, left of its bars.
pub struct RowLabel {
    pub y: usize,
    pub label: String,
}

/// Pairs of sideways bars, this period above the previous one, on one percentage scale.
pub struct PairChart {
    /// Where the bars start (the axis) and where the names end.
    pub axis_x: usize,
    pub label_x: usize,
    pub width: usize,
    pub height: usize,
    pub bars: Vec<SvgBar>,
    pub labels: Vec<RowLabel>,
    pub axis_top: usize,
    pub axis_bottom: usize,
    pub ticks: Vec<Tick>,
    pub tick_y: usize,
    pub legend_y: usize,
    pub legend_text_y: usize,
}

/// Where the bars start, how long the longest is, the names' right edge.
const BAR_LEFT: usize = 240;
const BAR_LENGTH: f64 = 320.0;
const LABEL_RIGHT: usize = 232;
const CHART_TOP: usize = 12;
/// Each category: two 12-unit bars, 2 apart, and 14 to the next.
const ROW_PITCH: usize = 40;
const BAR_THICKNESS: usize = 12;

/// Shortens a category's name to fit left of the bars (the table gives it in full).
fn fit(label: &str) -> String {
    const MOST: usize = 36;
    if label.chars().count() <= MOST {
        label.to_string()
    } else {
        format!("{}…", label.chars().take(MOST - 1).collect::<String>().trim_end())
    }
}

/// The chart of `rows` (name, share now, share before); a share of `None` is no bar, marked "no
/// figure". The scale runs from 0 to the next 10% above the largest share.
pub fn pair_chart(rows: &[(String, Option<f64>, Option<f64>)]) -> PairChart {
    let largest = rows.iter().flat_map(|(_, a, b)| [*a, *b]).flatten().fold(0.0_f64, f64::max);
    let max = ((largest / 10.0).ceil() * 10.0).clamp(10.0, 100.0);
    let mut bars = Vec::new();
    let mut labels = Vec::new();
    for (n, (label, now, before)) in rows.iter().enumerate() {
        let y = CHART_TOP + n * ROW_PITCH;
        for (offset, value, class) in
            [(0, now, "app-chart__bar"), (BAR_THICKNESS + 2, before, "app-chart__bar app-chart__bar--high-risk")]
        {
            let width = value.map(|v| scaled(v, max, BAR_LENGTH)).unwrap_or(0);
            bars.push(SvgBar {
                x: BAR_LEFT,
                y: y + offset,
                width,
                height: BAR_THICKNESS,
                class,
                value: share(*value),
                value_x: BAR_LEFT + width + 4,
                value_y: y + offset + 10,
            });
        }
        labels.push(RowLabel { y: y + BAR_THICKNESS + 5, label: fit(label) });
    }
    let axis_bottom = CHART_TOP + rows.len() * ROW_PITCH;
    let tick = |fraction: f64| Tick {
        x: BAR_LEFT + scaled(fraction * max, max, BAR_LENGTH),
        label: format!("{:.0}%", fraction * max),
    };
    PairChart {
        axis_x: BAR_LEFT,
        label_x: LABEL_RIGHT,
        width: BAR_LEFT + BAR_LENGTH as usize + 80,
        height: axis_bottom + 56,
        bars,
        labels,
        axis_top: CHART_TOP.saturating_sub(4),
        axis_bottom,
        ticks: vec![tick(0.0), tick(0.5), tick(1.0)],
        tick_y: axis_bottom + 16,
        legend_y: axis_bottom + 28,
        legend_text_y: axis_bottom + 40,
    }
}

// ---- The analytics page ------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
pub struct AnalyticsQuery {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub by: String,
}

/// One outcome's line in the mix table.
pub struct MixRow {
    /// The crimes behind the counts, this period and the one before.
    pub now_href: String,
    pub before_href: String,
    pub code: String,
    pub label: String,
    pub now: u64,
    pub now_share: String,
    pub before: u64,
    pub before_share: String,
    pub change: String,
    pub watched: bool,
}

/// One group's line in the outcome-16 table, with the drill-down behind each count.
pub struct GroupRow {
    pub label: String,
    pub now: u64,
    pub now_href: String,
    pub before: u64,
    pub before_href: String,
    pub watched_now: u64,
    pub watched_href: String,
    pub share_now: String,
    pub share_before: String,
    pub above: bool,
    pub risen: bool,
}

#[derive(Template)]
#[template(path = "outcomes/analytics.html")]
pub struct AnalyticsPage {
    pub shell: Shell,
    pub from: String,
    pub to: String,
    pub dimensions: Vec<Opt>,
    /// The figures are there to show (nothing was refused).
    pub shown: bool,
    pub period: String,
    pub previous: String,
    pub headline: String,
    /// The rise of outcome 16's share of outcomes, in words, when it rose.
    pub rise: Option<String>,
    pub figures: Vec<(&'static str, String)>,
    pub any: bool,
    pub mix_chart: PairChart,
    pub mix: Vec<MixRow>,
    pub group_noun: &'static str,
    pub group_chart: PairChart,
    pub charted: usize,
    pub groups: Vec<GroupRow>,
    /// Drill-downs need crime.view as well.
    pub can_drill: bool,
}

impl AnalyticsPage {
    fn error(&self, field: &str) -> Option<String> {
        let all: Vec<&str> = self.shell.errors.iter().filter(|e| e.field == field).map(|e| e.rule.as_str()).collect();
        (!all.is_empty()).then(|| all.join(". "))
    }
}

fn dimension_options(typed: &str) -> Vec<Opt> {
    let typed = if typed.trim().is_empty() { Dimension::CrimeType.as_str() } else { typed.trim() };
    Dimension::ALL
        .iter()
        .map(|d| Opt { value: d.as_str().into(), label: d.label().into(), selected: d.as_str() == typed })
        .collect()
}

/// The drill-down's address for a group's count in a period (every group's: `None`), one outcome or
/// any.
pub fn records_href(
    from: NaiveDate,
    to: NaiveDate,
    dimension: Dimension,
    key: Option<&str>,
    outcome: Option<&str>,
) -> String {
    format!(
        "/outcomes/records?from={}&to={}&by={}{}&outcome={}",
        day_text(from),
        day_text(to),
        dimension.as_str(),
        key.map(|k| format!("&key={}", urlencode(k))).unwrap_or_default(),
        urlencode(outcome.unwrap_or(""))
    )
}

/// "Outcome 16: 26.4% of outcomes (21.0% of crimes recorded) this period; was 23.4% (19.9%) in the
/// previous period".
pub fn headline(c: &Comparison) -> String {
    let (now, before) = c.watched().map(|w| (w.current, w.previous)).unwrap_or((0, 0));
    let (of_recorded, of_recorded_before) = c.watched_of_recorded();
    format!(
        "Outcome {WATCHED}: {} of outcomes ({} of crimes recorded) this period; was {} ({}) in the previous period",
        share(percent(now, c.current_total)),
        share(of_recorded),
        share(percent(before, c.previous_total)),
        share(of_recorded_before)
    )
}

fn fill(page: &mut AnalyticsPage, c: &Comparison, asked: &Asked) {
    let (first, last) = (
        NaiveDate::parse_from_str(&asked.from, "%Y-%m-%d").unwrap_or_default(),
        NaiveDate::parse_from_str(&asked.to, "%Y-%m-%d").unwrap_or_default(),
    );
    let (before_first, before_last) = previous_days(c);
    page.shown = true;
    page.period = days_words(first, last);
    page.previous = days_words(before_first, before_last);
    page.headline = headline(c);
    page.rise = c.watched().filter(|w| w.change() >= 0.05 && c.previous_total > 0).map(|w| {
        format!(
            "Outcome {WATCHED}'s share of outcomes rose by {:.1} percentage points on the previous period",
            w.change()
        )
    });
    let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    page.figures = vec![
        (
            "Crimes finalised",
            format!(
                "{} this period; {} in the previous period",
                plural(c.current_total, "crime", "crimes"),
                c.previous_total
            ),
        ),
        (
            "Crimes recorded",
            format!(
                "{} this period; {} in the previous period",
                plural(c.current_recorded, "crime", "crimes"),
                c.previous_recorded
            ),
        ),
    ];
    page.any = c.current_total + c.previous_total > 0;
    page.mix = c
        .outcomes
        .iter()
        .map(|o| MixRow {
            now_href: records_href(first, last, asked.dimension, None, Some(&o.code)),
            before_href: records_href(before_first, before_last, asked.dimension, None, Some(&o.code)),
            code: o.code.clone(),
            label: o.label.clone(),
            now: o.current,
            now_share: share(percent(o.current, c.current_total)),
            before: o.previous,
            before_share: share(percent(o.previous, c.previous_total)),
            change: if c.current_total > 0 && c.previous_total > 0 { points(o.change()) } else { "no figure".into() },
            watched: o.code == WATCHED,
        })
        .collect();
    let mix_rows: Vec<(String, Option<f64>, Option<f64>)> = c
        .outcomes
        .iter()
        .map(|o| {
            (
                format!("{} {}", o.code, o.label),
                percent(o.current, c.current_total),
                percent(o.previous, c.previous_total),
            )
        })
        .collect();
    page.mix_chart = pair_chart(&mix_rows);
    let d = asked.dimension;
    page.group_noun = match d {
        Dimension::CrimeType => "Crime type",
        Dimension::Team => "Team",
        Dimension::Officer => "Officer",
    };
    let group_rows: Vec<(String, Option<f64>, Option<f64>)> = c
        .groups
        .iter()
        .take(CHART_GROUPS)
        .map(|g| (group_label(d, &g.key, &g.label), g.watched_share, g.previous_watched_share))
        .collect();
    page.charted = group_rows.len();
    page.group_chart = pair_chart(&group_rows);
    page.groups = c
        .groups
        .iter()
        .map(|g| {
            let (above, risen) = (g.above, g.risen);
            GroupRow {
                label: group_label(d, &g.key, &g.label),
                now: g.current,
                now_href: records_href(first, last, d, Some(&g.key), None),
                before: g.previous,
                before_href: records_href(before_first, before_last, d, Some(&g.key), None),
                watched_now: g.counts.get(WATCHED).copied().unwrap_or(0),
                watched_href: records_href(first, last, d, Some(&g.key), Some(WATCHED)),
                share_now: share(g.watched_share),
                share_before: share(g.previous_watched_share),
                above: g.highlighted && above,
                risen: g.highlighted && risen,
            }
        })
        .collect();
}

/// The outcome mix this period against the previous, outcome 16's share by group, with the crimes
/// behind each group's counts.
pub async fn analytics(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Query(q): Query<AnalyticsQuery>,
) -> PageResult {
    let today = london_today(&state);
    let mut page = AnalyticsPage {
        shell: Shell::for_user(&user, "Outcomes", "/outcomes"),
        from: q.from.chars().take(20).collect(),
        to: q.to.chars().take(20).collect(),
        dimensions: dimension_options(&q.by),
        shown: false,
        period: String::new(),
        previous: String::new(),
        headline: String::new(),
        rise: None,
        figures: Vec::new(),
        any: false,
        mix_chart: pair_chart(&[]),
        mix: Vec::new(),
        group_noun: "",
        group_chart: pair_chart(&[]),
        charted: 0,
        groups: Vec::new(),
        can_drill: user.can(Permission::CrimeView),
    };
    let result = match asked(&q.from, &q.to, &q.by, today) {
        Ok(a) => state.core.outcome_analytics(&user, a.start, a.end, a.dimension, &ctx).await.map(|c| (a, c)),
        Err(errors) => Err(Error::Invalid(errors)),
    };
    match result {
        Ok((a, c)) => {
            page.from = a.from.clone();
            page.to = a.to.clone();
            fill(&mut page, &c, &a);
            Ok(render(StatusCode::OK, &page))
        }
        Err(Error::Invalid(errors)) => {
            page.shell.errors = errors;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

// ---- The drill-down ----------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
pub struct RecordsQuery {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub by: String,
    /// Left out: every group.
    #[serde(default)]
    pub key: Option<String>,
    #[serde(default)]
    pub outcome: String,
}

pub struct RecordRow {
    pub id: String,
    pub number: String,
    pub offence: String,
    pub outcome: String,
    pub finalised: String,
    pub investigator: String,
}

#[derive(Template)]
#[template(path = "outcomes/records.html")]
pub struct RecordsPage {
    pub shell: Shell,
    pub heading: String,
    pub description: String,
    pub rows: Vec<RecordRow>,
    /// More crimes match than the list shows.
    pub limited: bool,
    pub limit: u32,
    pub back: String,
}

/// The crimes (at most `limit`) and whether more matched: the core is asked for one more.
pub fn limited(mut crimes: Vec<Crime>, limit: u32) -> (Vec<Crime>, bool) {
    let more = crimes.len() > limit as usize;
    crimes.truncate(limit as usize);
    (crimes, more)
}

/// The crimes behind one count of the analytics: finalised in the period, of the group, with the
/// outcome (or any), newest first.
pub async fn records(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Ctx(ctx): Ctx,
    Query(q): Query<RecordsQuery>,
) -> PageResult {
    let a = asked_records(&q.from, &q.to, &q.by).map_err(|errors| PageError::from(Error::Invalid(errors)))?;
    let outcome = Some(q.outcome.trim()).filter(|o| !o.is_empty());
    let key = q.key.as_deref().map(str::trim);
    let found =
        state.core.outcome_records(&user, a.start, a.end, a.dimension, key, outcome, RECORDS_LIMIT + 1, &ctx).await?;
    let (crimes, more) = limited(found, RECORDS_LIMIT);
    let label = match (a.dimension, crimes.first(), key) {
        (_, _, None) => "all".to_string(),
        (Dimension::Officer, Some(c), Some(key)) if !key.is_empty() => c.allocated_to_name.clone(),
        (_, _, Some(key)) => group_label(a.dimension, key, key),
    };
    let first = NaiveDate::parse_from_str(&a.from, "%Y-%m-%d").unwrap_or_default();
    let last = NaiveDate::parse_from_str(&a.to, "%Y-%m-%d").unwrap_or_default();
    let what = match outcome {
        Some(code) => format!("with outcome {code}"),
        None => "with any outcome".into(),
    };
    let heading = format!("{}: {label}", a.dimension.label());
    let page = RecordsPage {
        shell: Shell::for_user(&user, &format!("Crimes finalised — {heading}"), "/outcomes"),
        description: format!(
            "Crimes finalised {} {what}, newest first: {}.",
            days_words(first, last),
            match crimes.len() {
                0 => "none".to_string(),
                1 => "1 crime".to_string(),
                n => format!("{n} crimes"),
            }
        ),
        heading,
        rows: crimes
            .iter()
            .map(|c| RecordRow {
                id: c.id.to_string(),
                number: c.number.clone(),
                offence: format!("{} {}", c.offence_code, c.offence_label),
                outcome: c.outcome.clone().unwrap_or_default(),
                finalised: c.finalised_at.map(time::london).unwrap_or_default(),
                investigator: if c.allocated_to_name.is_empty() {
                    "Not allocated".into()
                } else {
                    c.allocated_to_name.clone()
                },
            })
            .collect(),
        limited: more,
        limit: RECORDS_LIMIT,
        back: format!("/outcomes?from={}&to={}&by={}", a.from, a.to, a.dimension.as_str()),
    };
    Ok(render(StatusCode::OK, &page))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn the_period_defaults_to_the_90_days_ending_today() {
        let a = asked("", "", "", day("2026-11-26")).expect("valid");
        assert_eq!((a.from.as_str(), a.to.as_str(), a.dimension), ("2026-08-29", "2026-11-26", Dimension::CrimeType));
        assert_eq!((a.end - a.start).num_days(), 90);
        let a = asked("", "2026-03-31", "team", day("2026-11-26")).expect("valid");
        assert_eq!((a.from.as_str(), a.dimension), ("2026-01-01", Dimension::Team));
    }

    #[test]
    fn every_problem_is_named() {
        let fields = |r: Result<Asked, Vec<FieldError>>| -> Vec<String> {
            r.err().unwrap_or_default().into_iter().map(|e| e.field).collect()
        };
        assert_eq!(fields(asked("2026-13-01", "2026-12-01", "division", day("2026-11-26"))), ["from", "by"]);
        assert_eq!(fields(asked("2026-12-09", "2026-12-03", "team", day("2026-11-26"))), ["to"]);
        assert_eq!(fields(asked_records("", "", "")), ["from", "to", "by"]);
    }

    #[test]
    fn bars_share_one_scale_and_keep_their_figures() {
        let chart =
            pair_chart(&[("16 Evidential difficulties".into(), Some(26.4), Some(23.4)), ("1".into(), None, Some(0.0))]);
        assert_eq!(chart.bars.len(), 4);
        assert_eq!(chart.bars[0].width, scaled(26.4, 30.0, BAR_LENGTH), "the scale runs to 30%");
        assert_eq!(chart.bars[0].value, "26.4%");
        assert_eq!((chart.bars[2].width, chart.bars[2].value.as_str()), (0, "no figure"));
        assert!(chart.bars[1].y > chart.bars[0].y && chart.bars[2].y > chart.bars[1].y);
        assert_eq!(chart.ticks.iter().map(|t| t.label.as_str()).collect::<Vec<_>>(), ["0%", "15%", "30%"]);
        assert_eq!(fit(&"x".repeat(50)).chars().count(), 36);
    }

    #[test]
    fn shares_and_points_read_as_people_write_them() {
        assert_eq!(share(Some(26.44)), "26.4%");
        assert_eq!(share(None), "no figure");
        assert_eq!(points(3.0), "+3.0");
        assert_eq!(points(-0.01), "0.0");
        assert_eq!(points(-1.25), "-1.2");
        assert_eq!(group_label(Dimension::CrimeType, "theft", "theft"), "Theft");
        assert_eq!(group_label(Dimension::Team, "", ""), "No team");
    }

    #[test]
    fn the_previous_period_is_named_by_its_uk_days() {
        use chrono::TimeZone;
        let at = |y, m, d, h| Utc.with_ymd_and_hms(y, m, d, h, 0, 0).single().unwrap_or_default();
        // The UK day 30 Mar 2026 starts at 23:00 UTC on the 29th (BST); an hour off still names the day.
        assert_eq!(nearest_day(at(2026, 3, 29, 23)), day("2026-03-30"));
        assert_eq!(nearest_day(at(2026, 3, 29, 22)), day("2026-03-30"));
        assert_eq!(nearest_day(at(2026, 3, 30, 0)), day("2026-03-30"));
    }
}
