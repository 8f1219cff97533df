//! THRIVE quality assurance (issue 3, point 6; the inspection found THRIVE "applied poorly" by newer
//! control-room staff). Supervisors review a sample of each handler's graded incidents against a
//! rubric; the sample is larger for newer staff; quality rates per handler and per team follow.
//!
//! Sampling is deterministic: an incident is in the sample when a number drawn from its id (the
//! random bits of its UUIDv7) falls under the handler's rate, so every supervisor sees the same
//! sample and nobody can choose which calls get checked.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::Core;
use crate::access::{Permission, Principal};
use crate::audit::{AuditCategory, RequestContext};
use crate::core::By;
use crate::error::{Error, FieldError, Result};
use crate::incident::Incident;

/// How much of each handler's work is sampled. Configurable per force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SamplingRates {
    /// Percentage of an experienced handler's graded incidents.
    pub base_percent: u32,
    /// Percentage for handlers newer than `new_staff_days`.
    pub new_staff_percent: u32,
    pub new_staff_days: i64,
}

impl Default for SamplingRates {
    fn default() -> Self {
        SamplingRates { base_percent: 10, new_staff_percent: 40, new_staff_days: 180 }
    }
}

/// The rubric's questions, in order.
pub const RUBRIC: [(&str, &str); 4] = [
    ("right_grade", "Was the grade right for what the caller said?"),
    ("vulnerability_identified", "Was vulnerability identified and recorded?"),
    ("rationale_adequate", "Does each THRIVE rationale explain the rating?"),
    ("repeat_checked", "Were repeat calls and earlier incidents checked?"),
];

/// A supervisor's review of one incident's THRIVE and grading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThriveReview {
    pub id: Uuid,
    pub incident_id: Uuid,
    pub handler_id: Uuid,
    pub handler_name: String,
    pub team: String,
    pub reviewer_id: Uuid,
    pub reviewer_name: String,
    pub reviewed_at: DateTime<Utc>,
    /// Answers to [`RUBRIC`], in order.
    pub answers: [bool; 4],
    pub note: String,
}

impl ThriveReview {
    /// Meets the standard when every rubric answer is yes.
    pub fn meets_standard(&self) -> bool {
        self.answers.iter().all(|a| *a)
    }
}

/// The percentage that applies to a handler who joined at `joined` for work done at `at`.
pub fn rate_for(rates: &SamplingRates, joined: DateTime<Utc>, at: DateTime<Utc>) -> u32 {
    if at - joined < Duration::days(rates.new_staff_days) { rates.new_staff_percent } else { rates.base_percent }
}

/// Whether the incident is in the sample at `percent`.
pub fn is_sampled(incident_id: Uuid, percent: u32) -> bool {
    let bytes = incident_id.as_bytes();
    let draw =
        u64::from_be_bytes([bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]]);
    (draw % 100) < u64::from(percent.min(100))
}

/// Parses the rubric answers ("yes"/"no" per question); every unanswered question is named.
pub fn parse_answers(answers: &[(String, String)]) -> std::result::Result<[bool; 4], Vec<FieldError>> {
    let mut out = [false; 4];
    let mut errors = Vec::new();
    for (n, (key, question)) in RUBRIC.iter().enumerate() {
        match answers.iter().find(|(k, _)| k == key).map(|(_, v)| v.trim()) {
            Some("yes") => out[n] = true,
            Some("no") => out[n] = false,
            _ => errors.push(FieldError::new(*key, format!("Answer yes or no: {question}"))),
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// Quality over a group of reviews: how many, how many met the standard, the rate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualityRate {
    pub group: String,
    pub reviewed: usize,
    pub met: usize,
}

impl QualityRate {
    pub fn percent(&self) -> f64 {
        if self.reviewed == 0 { 0.0 } else { 100.0 * self.met as f64 / self.reviewed as f64 }
    }
}

/// Rates grouped by `key` (handler or team), largest group first.
pub fn rates_by(reviews: &[ThriveReview], key: impl Fn(&ThriveReview) -> String) -> Vec<QualityRate> {
    let mut out: Vec<QualityRate> = Vec::new();
    for r in reviews {
        let group = key(r);
        let entry = match out.iter().position(|q| q.group == group) {
            Some(i) => &mut out[i],
            None => {
                out.push(QualityRate { group, reviewed: 0, met: 0 });
                let last = out.len() - 1;
                &mut out[last]
            }
        };
        entry.reviewed += 1;
        if r.meets_standard() {
            entry.met += 1;
        }
    }
    out.sort_by(|a, b| b.reviewed.cmp(&a.reviewed).then(a.group.cmp(&b.group)));
    out
}

/// The supervisor's view: incidents waiting for review, and the rates so far.
#[derive(Debug, Clone, PartialEq)]
pub struct QualityOverview {
    pub to_review: Vec<Incident>,
    pub by_handler: Vec<QualityRate>,
    pub by_team: Vec<QualityRate>,
    /// Month (`YYYY-MM`, UK) → rate, oldest first.
    pub by_month: Vec<QualityRate>,
}

/// The most graded incidents the sample is drawn from (the most recently graded).
const GRADED_LIMIT: u32 = 20_000;

impl Core {
    /// Sampled graded incidents from the last `days` not yet reviewed, and quality rates over them.
    pub async fn thrive_quality(&self, by: &Principal, days: i64, ctx: &RequestContext) -> Result<QualityOverview> {
        by.require(Permission::ThriveReview)?;
        if !(1..=366).contains(&days) {
            return Err(Error::invalid("days", "Choose 1 to 366 days"));
        }
        let since = self.now() - Duration::days(days);
        let audit = self
            .event(&By::User(by).actor(), "quality.thrive_view", AuditCategory::Consult, ctx)
            .after(&serde_json::json!({ "days": days }));
        self.store.append_audit(&audit).await?;
        if let Some(overview) = self.recent.thrive.get(&days) {
            return Ok(overview);
        }
        let reviews = self.store.list_thrive_reviews(since).await?;
        let to_review = self.thrive_to_review(since, &reviews).await?;
        let month =
            |r: &ThriveReview| r.reviewed_at.with_timezone(&chrono_tz::Europe::London).format("%Y-%m").to_string();
        let mut by_month = rates_by(&reviews, month);
        by_month.sort_by(|a, b| a.group.cmp(&b.group));
        let overview = QualityOverview {
            to_review,
            by_handler: rates_by(&reviews, |r| r.handler_name.clone()),
            by_team: rates_by(&reviews, |r| if r.team.is_empty() { "No team".into() } else { r.team.clone() }),
            by_month,
        };
        self.recent.thrive.put(days, overview.clone());
        Ok(overview)
    }

    /// How many sampled graded incidents from the last `days` wait for review: the count on a
    /// supervisor's home page. A count, not a view of records, so not audited.
    pub async fn thrive_to_review_count(&self, by: &Principal, days: i64) -> Result<usize> {
        by.require(Permission::ThriveReview)?;
        if let Some(count) = self.recent.thrive_count.get(&days) {
            return Ok(count);
        }
        let since = self.now() - Duration::days(days.clamp(1, 366));
        let reviews = self.store.list_thrive_reviews(since).await?;
        let reviewed: std::collections::HashSet<Uuid> = reviews.iter().map(|r| r.incident_id).collect();
        let joined = self.joined_by_user().await?;
        let keys = self.store.list_graded_keys(since, GRADED_LIMIT).await?;
        let count = keys
            .iter()
            .filter(|k| !reviewed.contains(&k.id))
            .filter(|k| self.sampled(&joined, k.id, k.recorded_by, k.recorded_at, k.graded_at))
            .count();
        self.recent.thrive_count.put(days, count);
        Ok(count)
    }

    /// When each user joined (the sampling rate is higher for new staff).
    async fn joined_by_user(&self) -> Result<std::collections::HashMap<Uuid, DateTime<Utc>>> {
        Ok(self.store.list_users().await?.into_iter().map(|u| (u.id, u.created_at)).collect())
    }

    fn sampled(
        &self,
        joined: &std::collections::HashMap<Uuid, DateTime<Utc>>,
        id: Uuid,
        recorded_by: Uuid,
        recorded_at: DateTime<Utc>,
        graded_at: Option<DateTime<Utc>>,
    ) -> bool {
        let joined = joined.get(&recorded_by).copied().unwrap_or(recorded_at);
        is_sampled(id, rate_for(&self.settings.sampling, joined, graded_at.unwrap_or(recorded_at)))
    }

    /// Graded incidents since `since`, sampled for review (by their handler's time in post) and not
    /// in `reviews`. Sets and maps, not nested scans: a county force grades tens of thousands a month.
    async fn thrive_to_review(&self, since: DateTime<Utc>, reviews: &[ThriveReview]) -> Result<Vec<Incident>> {
        let graded = self.store.list_graded_incidents(since, GRADED_LIMIT).await?;
        let reviewed: std::collections::HashSet<Uuid> = reviews.iter().map(|r| r.incident_id).collect();
        let joined = self.joined_by_user().await?;
        Ok(graded
            .into_iter()
            .filter(|i| !reviewed.contains(&i.id))
            .filter(|i| self.sampled(&joined, i.id, i.recorded_by, i.recorded_at, i.graded_at))
            .collect())
    }

    /// Records a review of one incident's THRIVE against the rubric. Nobody reviews their own calls,
    /// and each incident is reviewed once.
    pub async fn review_thrive(
        &self,
        by: &Principal,
        incident_id: Uuid,
        answers: &[(String, String)],
        note: &str,
        ctx: &RequestContext,
    ) -> Result<ThriveReview> {
        by.require(Permission::ThriveReview)?;
        let record = self.store.find_incident(incident_id).await?.ok_or(Error::NotFound)?;
        let i = &record.incident;
        if i.grade.is_none() {
            return Err(Error::invalid("incident", "Only graded incidents are reviewed"));
        }
        if i.recorded_by == by.user_id {
            return Err(Error::invalid("incident", "You cannot review your own incident"));
        }
        let answers = parse_answers(answers).map_err(Error::Invalid)?;
        if note.trim().chars().count() > 2000 {
            return Err(Error::invalid("note", "Keep the note to 2000 characters"));
        }
        let handler = self.store.find_user(i.recorded_by).await?.ok_or(Error::NotFound)?;
        let review = ThriveReview {
            id: Uuid::now_v7(),
            incident_id,
            handler_id: handler.id,
            handler_name: handler.username.clone(),
            team: handler.team.clone(),
            reviewer_id: by.user_id,
            reviewer_name: by.username.clone(),
            reviewed_at: self.now(),
            answers,
            note: note.trim().to_string(),
        };
        let audit = self
            .event(&By::User(by).actor(), "quality.thrive_review", AuditCategory::Collect, ctx)
            .record("incident", incident_id)
            .after(&serde_json::json!({ "answers": answers, "meets_standard": review.meets_standard(), "note": review.note }));
        let saved = match self.store.insert_thrive_review(&review, &audit).await {
            Err(Error::Conflict(_)) => Err(Error::invalid("incident", "This incident has already been reviewed")),
            other => other.map(|()| review),
        };
        // The reviewer's next look shows the review at once.
        self.recent.thrive.clear();
        self.recent.thrive_count.clear();
        saved
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn newer_staff_are_sampled_more() {
        let rates = SamplingRates::default();
        let joined = Utc::now() - Duration::days(30);
        assert_eq!(rate_for(&rates, joined, Utc::now()), 40);
        assert_eq!(rate_for(&rates, joined - Duration::days(400), Utc::now()), 10);
        let ids: Vec<Uuid> = (0..4000).map(|_| Uuid::now_v7()).collect();
        let share = |p| ids.iter().filter(|id| is_sampled(**id, p)).count() as f64 / ids.len() as f64;
        assert!((share(10) - 0.10).abs() < 0.03, "{}", share(10));
        assert!((share(40) - 0.40).abs() < 0.04, "{}", share(40));
        assert_eq!(share(0), 0.0);
        assert_eq!(share(100), 1.0);
    }

    #[test]
    fn answers_are_required_and_rates_computed() {
        let errors = parse_answers(&[("right_grade".into(), "yes".into())]).expect_err("incomplete");
        assert_eq!(errors.len(), 3);
        let all: Vec<(String, String)> = RUBRIC.iter().map(|(k, _)| (k.to_string(), "yes".to_string())).collect();
        assert_eq!(parse_answers(&all), Ok([true; 4]));
        let review = |handler: &str, team: &str, ok: bool| ThriveReview {
            id: Uuid::nil(),
            incident_id: Uuid::nil(),
            handler_id: Uuid::nil(),
            handler_name: handler.into(),
            team: team.into(),
            reviewer_id: Uuid::nil(),
            reviewer_name: "sup".into(),
            reviewed_at: Utc::now(),
            answers: [ok, true, true, true],
            note: String::new(),
        };
        let reviews = vec![review("a", "Blue", true), review("a", "Blue", false), review("b", "Red", true)];
        let by_handler = rates_by(&reviews, |r| r.handler_name.clone());
        assert_eq!(by_handler[0], QualityRate { group: "a".into(), reviewed: 2, met: 1 });
        assert_eq!(by_handler[0].percent(), 50.0);
        assert_eq!(rates_by(&reviews, |r| r.team.clone())[1].percent(), 100.0);
    }

    proptest! {
        #[test]
        fn sampling_is_monotonic_in_the_rate(low in 0u32..100, extra in 0u32..100) {
            let id = Uuid::now_v7();
            if is_sampled(id, low) {
                prop_assert!(is_sampled(id, (low + extra).min(100)));
            }
        }
    }
}
