//! Case-file quality review and outcome analytics use cases (issue 7, points 4 and 5). The sampling,
//! rubric and statistics are pure in [`crate::casefile`]; the comparison of outcome mixes in
//! [`crate::outcome_stats`]. Here they meet the store, permissions and the audit trail.
//!
//! A sample is stored with everything needed to draw it again — the period, the filters, the
//! stratification, the size and the seed — and the files it drew, in order. Anyone can redraw it
//! from those and get the same files while the finalised crimes of the period are unchanged.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use uuid::Uuid;

use crate::access::{Permission, Principal};
use crate::audit::{AuditCategory, RequestContext};
use crate::casefile::{Answers, Candidate, ReviewedFile, SampleSpec, Statistics, Stratify, TrendRow};
use crate::core::{By, Core};
use crate::crime::Crime;
use crate::error::FieldError;
use crate::outcome_stats::{Comparison, Dimension};
use crate::{Error, Result};

/// A drawn sample, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    pub id: Uuid,
    pub drawn_at: DateTime<Utc>,
    pub drawn_by: Uuid,
    pub drawn_by_name: String,
    pub seed: u64,
    pub size: usize,
    pub stratify: Stratify,
    /// Crimes finalised in [from, to) were the population.
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Filters on the population; empty means all.
    pub team: String,
    pub crime_type: String,
    pub outcome: String,
    /// How many finalised investigations the sample was drawn from.
    pub population: usize,
    /// How many of its files are reviewed (counted by the store when it reads the sample).
    pub reviewed: usize,
}

impl Sample {
    /// The files it holds: the size asked for, or the whole population when that was smaller.
    pub fn files(&self) -> usize {
        self.size.min(self.population)
    }
}

/// A file in a sample, with what the list shows of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleItem {
    pub sample_id: Uuid,
    pub crime_id: Uuid,
    pub position: usize,
    pub number: String,
    pub offence_label: String,
    pub team: String,
    pub crime_type: String,
    pub outcome: String,
    pub reviewed: bool,
}

/// A reviewer's review of one file of a sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReview {
    pub id: Uuid,
    pub sample_id: Uuid,
    pub crime_id: Uuid,
    pub reviewed_at: DateTime<Utc>,
    pub reviewer_id: Uuid,
    pub reviewer_name: String,
    pub answers: Answers,
    /// The file's team, crime type and outcome when it was drawn (the statistics' breakdowns).
    pub team: String,
    pub crime_type: String,
    pub outcome: String,
}

impl FileReview {
    pub fn as_reviewed(&self) -> Option<ReviewedFile> {
        Some(ReviewedFile {
            reviewed_at: self.reviewed_at,
            team: self.team.clone(),
            crime_type: self.crime_type.clone(),
            outcome: self.outcome.clone(),
            overall: self.answers.overall?,
            judgements: self.answers.judgements.clone(),
        })
    }
}

/// A sample as asked for on the form or through the API.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SampleInput {
    /// First and last UK day of the period the files were finalised in, `YYYY-MM-DD`.
    pub from: String,
    pub to: String,
    pub size: String,
    /// Empty: a new seed is chosen (and kept with the sample).
    pub seed: String,
    pub stratify: String,
    pub team: String,
    pub crime_type: String,
    pub outcome: String,
}

/// A stored sample and its files.
#[derive(Debug, Clone)]
pub struct SampleView {
    pub sample: Sample,
    pub items: Vec<SampleItem>,
    pub reviews: Vec<FileReview>,
}

/// The longest period a sample or an analysis may cover.
pub const MAX_PERIOD_DAYS: i64 = 6 * 366;

/// Parses a period of UK days (inclusive) into [from, to), naming the fields.
pub fn parse_period(from: &str, to: &str, errors: &mut Vec<FieldError>) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let day = |field: &str, text: &str, errors: &mut Vec<FieldError>| {
        let parsed = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok();
        if parsed.is_none() {
            errors.push(FieldError::new(field, "Enter a date as YYYY-MM-DD"));
        }
        parsed
    };
    let (Some(a), Some(b)) = (day("from", from, errors), day("to", to, errors)) else { return None };
    if b < a {
        errors.push(FieldError::new("to", "The period must end on or after its first day"));
        return None;
    }
    if (b - a).num_days() > MAX_PERIOD_DAYS {
        errors.push(FieldError::new("to", "The period may be at most six years"));
        return None;
    }
    let start = crate::time::london_day_start(&a.format("%Y-%m-%d").to_string(), false)?;
    let end = crate::time::london_day_start(&b.format("%Y-%m-%d").to_string(), true)?;
    Some((start, end))
}

impl Core {
    /// Draws a reproducible sample of finalised investigations and stores it. Audited.
    pub async fn draw_casefile_sample(
        &self,
        by: &Principal,
        input: &SampleInput,
        ctx: &RequestContext,
    ) -> Result<Sample> {
        by.require(Permission::CaseFileReview)?;
        let mut errors = Vec::new();
        let period = parse_period(&input.from, &input.to, &mut errors);
        let size = input
            .size
            .trim()
            .parse::<usize>()
            .map_err(|_| errors.push(FieldError::new("size", "Enter how many files to draw, as a number")))
            .ok();
        let stratify = input
            .stratify
            .trim()
            .parse::<Stratify>()
            .map_err(|_| errors.push(FieldError::new("stratify", "Choose how to spread the sample")))
            .ok();
        let seed = match input.seed.trim() {
            // A fresh seed from a new id's random bits; it is stored, so the draw can be repeated.
            "" => Some(Uuid::now_v7().as_u64_pair().1),
            text => text
                .parse::<u64>()
                .map_err(|_| {
                    errors.push(FieldError::new("seed", "The seed is a whole number; leave it blank for a new one"))
                })
                .ok(),
        };
        let spec = match (size, stratify, seed) {
            (Some(size), Some(stratify), Some(seed)) => {
                let spec = SampleSpec { seed, size, stratify };
                if let Err(e) = crate::casefile::check_spec(&spec) {
                    errors.extend(e);
                }
                Some(spec)
            }
            _ => None,
        };
        let (Some((from, to)), Some(spec), true) = (period, spec, errors.is_empty()) else {
            return Err(Error::Invalid(errors));
        };
        let (team, crime_type, outcome) = (input.team.trim(), input.crime_type.trim(), input.outcome.trim());
        let finalised = self.store.casefile_candidates(from, to).await?;
        if finalised.is_empty() {
            return Err(Error::invalid("from", "No investigation was finalised in that period: nothing to draw"));
        }
        let candidates: Vec<Candidate> = finalised
            .into_iter()
            .filter(|c| (team.is_empty() || c.team == team) && (crime_type.is_empty() || c.crime_type == crime_type))
            .filter(|c| outcome.is_empty() || c.outcome == outcome)
            .collect();
        if candidates.is_empty() {
            let field = [("team", team), ("crime_type", crime_type), ("outcome", outcome)]
                .into_iter()
                .find(|(_, v)| !v.is_empty())
                .map_or("from", |(f, _)| f);
            return Err(Error::invalid(field, "No investigation finalised in that period matches the filters"));
        }
        let drawn = crate::casefile::draw(&candidates, &spec);
        let files: Vec<Candidate> =
            drawn.iter().filter_map(|id| candidates.iter().find(|c| c.crime_id == *id).cloned()).collect();
        let sample = Sample {
            id: Uuid::now_v7(),
            drawn_at: self.now(),
            drawn_by: by.user_id,
            drawn_by_name: by.display_name.clone(),
            seed: spec.seed,
            size: spec.size,
            stratify: spec.stratify,
            from,
            to,
            team: team.to_string(),
            crime_type: crime_type.to_string(),
            outcome: outcome.to_string(),
            population: candidates.len(),
            reviewed: 0,
        };
        let audit = self
            .event(&By::User(by).actor(), "casefile.sample", AuditCategory::Collect, ctx)
            .record("casefile_sample", sample.id)
            .after(&serde_json::json!({
                "seed": sample.seed.to_string(), "size": sample.size, "stratify": sample.stratify.as_str(),
                "from": from, "to": to, "team": team, "crime_type": crime_type, "outcome": outcome,
                "population": sample.population, "drawn": drawn,
            }));
        self.store.insert_casefile_sample(&sample, &files, &audit).await?;
        Ok(sample)
    }

    /// The samples drawn, newest first.
    pub async fn casefile_samples(&self, by: &Principal) -> Result<Vec<Sample>> {
        by.require(Permission::CaseFileReview)?;
        self.store.list_casefile_samples(200).await
    }

    /// A sample with its files and the reviews done so far. Audited as a view.
    pub async fn casefile_sample(&self, by: &Principal, id: Uuid, ctx: &RequestContext) -> Result<SampleView> {
        by.require(Permission::CaseFileReview)?;
        let (sample, items) = self.store.find_casefile_sample(id).await?.ok_or(Error::NotFound)?;
        let audit = self
            .event(&By::User(by).actor(), "casefile.view", AuditCategory::Consult, ctx)
            .record("casefile_sample", id);
        self.store.append_audit(&audit).await?;
        let reviews = self.store.list_casefile_reviews(Some(id), None).await?;
        Ok(SampleView { sample, items, reviews })
    }

    /// Records the review of one file of a sample against the rubric. A file is reviewed once.
    pub async fn review_casefile(
        &self,
        by: &Principal,
        sample_id: Uuid,
        crime_id: Uuid,
        answers: &Answers,
        ctx: &RequestContext,
    ) -> Result<FileReview> {
        by.require(Permission::CaseFileReview)?;
        let (_, items) = self.store.find_casefile_sample(sample_id).await?.ok_or(Error::NotFound)?;
        let item = items.into_iter().find(|i| i.crime_id == crime_id).ok_or(Error::NotFound)?;
        if item.reviewed {
            return Err(Error::Conflict(format!("crime {} in this sample is already reviewed", item.number)));
        }
        crate::casefile::check_answers(answers).map_err(Error::Invalid)?;
        let review = FileReview {
            id: Uuid::now_v7(),
            sample_id,
            crime_id,
            reviewed_at: self.now(),
            reviewer_id: by.user_id,
            reviewer_name: by.display_name.clone(),
            answers: Answers { notes: answers.notes.trim().to_string(), ..answers.clone() },
            team: item.team,
            crime_type: item.crime_type,
            outcome: item.outcome,
        };
        let audit = self
            .event(&By::User(by).actor(), "casefile.review", AuditCategory::Collect, ctx)
            .record("crime", crime_id)
            .after(&serde_json::json!({
                "sample": sample_id,
                "overall": review.answers.overall.map(|j| j.as_str()),
                "judgements": review.answers.judgements.iter().map(|(c, j)| (c.as_str(), j.as_str())).collect::<Vec<_>>(),
                "notes": review.answers.notes,
            }));
        self.store.insert_casefile_review(&review, &audit).await?;
        Ok(review)
    }

    /// The inspectorate's statistics over reviews done in [from, to), with the quarterly trend.
    pub async fn casefile_statistics(
        &self,
        by: &Principal,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        ctx: &RequestContext,
    ) -> Result<(Statistics, Vec<TrendRow>)> {
        by.require(Permission::CaseFileReview)?;
        let audit = self
            .event(&By::User(by).actor(), "casefile.statistics", AuditCategory::Consult, ctx)
            .after(&serde_json::json!({"from": from, "to": to}));
        self.store.append_audit(&audit).await?;
        let files: Vec<ReviewedFile> = self
            .store
            .list_casefile_reviews(None, Some((from, to)))
            .await?
            .iter()
            .filter_map(FileReview::as_reviewed)
            .collect();
        Ok((crate::casefile::statistics(&files), crate::casefile::trend(&files)))
    }

    /// The outcome mix over crimes finalised in [from, to) by `dimension`, against the period of
    /// the same length before it. Audited as a search.
    pub async fn outcome_analytics(
        &self,
        by: &Principal,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        dimension: Dimension,
        ctx: &RequestContext,
    ) -> Result<Comparison> {
        by.require(Permission::PerformanceView)?;
        if to <= from || to - from > Duration::days(MAX_PERIOD_DAYS) {
            return Err(Error::invalid("to", "The period must end after it starts and be at most six years"));
        }
        let audit = self
            .event(&By::User(by).actor(), "outcome.analytics", AuditCategory::Consult, ctx)
            .after(&serde_json::json!({"from": from, "to": to, "by": dimension.as_str()}));
        self.store.append_audit(&audit).await?;
        let (pfrom, pto) = crate::outcome_stats::previous_period(from, to);
        let mut current = self.store.outcome_mix(from, to, dimension).await?;
        let mut previous = self.store.outcome_mix(pfrom, pto, dimension).await?;
        let recorded =
            (self.store.count_crimes_recorded(from, to).await?, self.store.count_crimes_recorded(pfrom, pto).await?);
        if dimension == Dimension::CrimeType {
            for row in current.iter_mut().chain(previous.iter_mut()) {
                if let Ok(group) = row.key.parse::<crate::offence::OffenceGroup>() {
                    row.label = group.label().to_string();
                }
            }
        }
        let order: Vec<(String, String)> =
            self.policy_outcomes().list.types.iter().map(|t| (t.code.clone(), t.label.clone())).collect();
        Ok(crate::outcome_stats::compare(dimension, (from, to), &current, &previous, recorded, &order))
    }

    /// The crimes behind one cell of the analytics: finalised in [from, to), of one key of the
    /// dimension (or of every key: `None`), with one outcome (or any), newest first, at most
    /// `limit`. Audited as a search.
    #[allow(clippy::too_many_arguments)]
    pub async fn outcome_records(
        &self,
        by: &Principal,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        dimension: Dimension,
        key: Option<&str>,
        outcome: Option<&str>,
        limit: u32,
        ctx: &RequestContext,
    ) -> Result<Vec<Crime>> {
        by.require(Permission::PerformanceView)?;
        by.require(Permission::CrimeView)?;
        let audit = self.event(&By::User(by).actor(), "outcome.records", AuditCategory::Consult, ctx).after(
            &serde_json::json!({"from": from, "to": to, "by": dimension.as_str(), "key": key, "outcome": outcome}),
        );
        self.store.append_audit(&audit).await?;
        self.store.outcome_records(from, to, dimension, key, outcome, limit).await
    }

    fn policy_outcomes(&self) -> &crate::outcome::OutcomePolicy {
        &self.settings.investigation.outcomes
    }
}
