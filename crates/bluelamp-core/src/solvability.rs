//! Solvability screening, the idea behind Kent Police's Evidence-Based Investigation Tool (issue 6;
//! `../shared/domain/REFERENCE.md` §10). For a crime type, a model lists the evidential factors known
//! by the end of the preliminary investigation, each with a weight; the score is the model's intercept
//! plus the weights of the factors present, and a crime scoring at least the threshold is recommended
//! for investigation ("screen in"), any other for no further investigation ("screen out").
//!
//! Why it is shaped like this:
//! - Models are data ([`ModelSet::parse`], a force's TOML file; the defaults are
//!   `data/solvability-models.toml`). The published EBIT coefficients are not in the reference notes
//!   and the SRI burglary weights are "unconfirmed" there (§10.2), so every weight and threshold must be
//!   replaceable, and each model says where it came from in its `source` and `notes`.
//! - Models are versioned: a screening records the model id and version it used, and a set may keep
//!   older versions so that past decisions can be shown against the model that made them. The newest
//!   version of each model is the one applied.
//! - Some crimes are never screened, whatever their score: domestic abuse (the EBIT model is
//!   non-domestic, §10.1), hate crime, a vulnerable or child victim, child sexual exploitation, modern
//!   slavery and honour-based abuse (all public-protection categories where a low evidential score
//!   says nothing about risk), and any category the force excludes. These always go to an
//!   investigator ([`ModelSet::exclusion`]).
//! - The score is advice. A person decides ([`Decision`]); a decision against the recommendation
//!   needs a reason ([`check_decision`]), as the EBIT two-step review lets judgement override the
//!   actuarial score (§10.1). Only after that decision is a screened-out crime finalised, with
//!   [`ModelSet::screen_out_outcome`] (HOCR outcome 18, "investigation complete – no suspect
//!   identified", REFERENCE.md §1.1).
//! - Screening never changes whether a crime is recorded (Kent policy O52 2.6, §10.1): nothing here
//!   touches the crime record; a screened-out crime keeps its number and is finalised, not cancelled.
//!
//! Everything here is pure: no I/O.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use crate::access::named_enum;
use crate::crime::CrimeFlag;
use crate::error::FieldError;
use crate::offence::{OffenceGroup, is_code_shaped};

/// The outcome a screened-out crime is finalised with unless the force's file says otherwise: HOCR
/// outcome 18, "Investigation complete – no suspect identified: investigated as far as reasonably
/// possible; closed pending new investigative opportunities" (REFERENCE.md §1.1).
pub const DEFAULT_SCREEN_OUT_OUTCOME: &str = "18";

/// The shortest reason accepted for a decision that goes against the recommendation: long enough
/// that "n/a" or "see log" will not do.
pub const MIN_OVERRIDE_REASON_CHARS: usize = 10;

/// The largest weight, intercept or threshold (either sign) a model may hold. Logistic regression
/// coefficients and hand-set points are far smaller; the bound keeps sums exact enough to compare
/// against a threshold and catches a slipped decimal point.
pub const MAX_MAGNITUDE: f64 = 1_000_000.0;

/// Flags that always keep a crime away from the models, whatever the force's file says: domestic
/// abuse, a vulnerable or child victim, child sexual exploitation, modern slavery and honour-based
/// abuse (REFERENCE.md §10.1; the issue's exclusions, with CSE, modern slavery and honour-based abuse
/// added because each implies a vulnerable victim or is a form of domestic abuse). Hate crime, the
/// other fixed exclusion, comes from the hate strands ([`ScreeningFacts::hate`]).
pub const ALWAYS_EXCLUDED_FLAGS: &[CrimeFlag] = &[
    CrimeFlag::DomesticAbuse,
    CrimeFlag::VulnerableVictim,
    CrimeFlag::ChildVictim,
    CrimeFlag::ChildSexualExploitation,
    CrimeFlag::ModernSlavery,
    CrimeFlag::HonourBased,
];

/// The version given to the fallback set if the built-in file ever failed to load.
const FALLBACK_VERSION: &str = "no solvability models (the built-in file failed to load)";

const BUILTIN_TOML: &str = include_str!("../data/solvability-models.toml");

/// Scores are rounded to millionths so that sums such as 9.0 + 1.0 compare exactly with a
/// threshold, whatever order the weights were added in.
const SCORE_PRECISION: f64 = 1_000_000.0;

named_enum!(
    /// What a model recommends for a crime.
    Recommendation {
        ScreenIn => "screen-in", "Screen in: investigate";
        ScreenOut => "screen-out", "Screen out: no further investigation";
    }
);

named_enum!(
    /// The human decision on a screened crime (issue 6).
    Decision {
        Investigate => "investigate", "Investigate: allocate to an investigator";
        DeskInvestigation => "desk", "Desk investigation: by telephone in the incident management unit";
        ScreenOut => "screen-out", "Screen out: no further investigation (the crime is finalised)";
    }
);

impl Decision {
    /// Whether the decision follows the recommendation, so needs no override reason. Desk
    /// investigation follows either: on a screen-in it is investigation (the route within it is an
    /// allocation choice), and on a screen-out it does more than recommended, and is the route meant
    /// for crimes with limited lines of enquiry. Only a departure that drops an investigation the
    /// model recommends (screen out) or commits a full investigation the model advises against
    /// (investigate) must be explained.
    pub fn follows(self, recommendation: Recommendation) -> bool {
        matches!(
            (self, recommendation),
            (Decision::DeskInvestigation, _)
                | (Decision::Investigate, Recommendation::ScreenIn)
                | (Decision::ScreenOut, Recommendation::ScreenOut)
        )
    }
}

/// One evidential factor of a model.
#[derive(Debug, Clone, PartialEq)]
pub struct Factor {
    /// Stable key, used in forms, the API and the screening record ("named-suspect").
    pub key: String,
    pub label: String,
    /// Added to the score when the factor is present. May be negative (a regression coefficient).
    pub weight: f64,
    /// Factors sharing a group are alternative answers to one question (the SRI time-of-occurrence
    /// ranges): at most one of them is present.
    pub group: Option<String>,
    /// What counts as present, for the person screening.
    pub help: String,
}

/// A solvability model for one crime type, versioned.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Stable id ("ebit-apo"); with `version`, names the model a screening used.
    pub id: String,
    pub version: u32,
    pub name: String,
    /// Offence groups the model applies to, for offence codes no model names.
    pub applies_to_groups: Vec<OffenceGroup>,
    /// Offence codes (upper case) the model applies to; these win over groups.
    pub applies_to_codes: Vec<String>,
    pub factors: Vec<Factor>,
    /// The score with no factor present (0 for points models; the regression intercept otherwise).
    pub intercept: f64,
    /// A score at or above this is recommended for investigation.
    pub threshold: f64,
    /// Where the factors and weights came from, and whether they are confirmed.
    pub source: String,
    /// Anything else a reader needs: placeholders, how the threshold was chosen.
    pub notes: String,
}

/// A factor as scored.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredFactor {
    pub key: String,
    pub label: String,
    pub weight: f64,
}

/// A model's score for one crime, with everything a reviewer needs to see how it was reached.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    pub model_id: String,
    pub model_version: u32,
    pub intercept: f64,
    /// `intercept` plus the weights of `present`, rounded to six decimal places.
    pub score: f64,
    pub threshold: f64,
    /// The factors present, in the model's order.
    pub present: Vec<ScoredFactor>,
    /// The model's other factors, in its order.
    pub absent: Vec<ScoredFactor>,
    pub recommendation: Recommendation,
}

fn round_score(x: f64) -> f64 {
    (x * SCORE_PRECISION).round() / SCORE_PRECISION
}

impl Model {
    pub fn factor(&self, key: &str) -> Option<&Factor> {
        self.factors.iter().find(|f| f.key == key)
    }

    /// The lowest and highest scores the model can give, taking each group as one answer or none.
    /// A threshold outside (lowest, highest] would screen every crime in or every crime out.
    pub fn score_range(&self) -> (f64, f64) {
        let (mut low, mut high) = (self.intercept, self.intercept);
        let mut groups: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
        for f in &self.factors {
            match &f.group {
                None => {
                    low += f.weight.min(0.0);
                    high += f.weight.max(0.0);
                }
                Some(g) => {
                    let range = groups.entry(g.as_str()).or_insert((0.0, 0.0));
                    range.0 = range.0.min(f.weight);
                    range.1 = range.1.max(f.weight);
                }
            }
        }
        for (l, h) in groups.values() {
            low += l;
            high += h;
        }
        (round_score(low), round_score(high))
    }

    /// The recommendation for a score. Written so that a threshold that is not a number (possible
    /// only for a model built in code, never one loaded by [`ModelSet::parse`]) screens in: the safe
    /// side.
    pub fn recommend(&self, score: f64) -> Recommendation {
        if score < self.threshold { Recommendation::ScreenOut } else { Recommendation::ScreenIn }
    }

    /// Scores a crime from the keys of the factors present. Blank keys are ignored and a key given
    /// twice counts once; an unknown key, or two answers from one group, is refused (field
    /// `factors`), since either means the form and the model disagree and a score from it would be
    /// wrong.
    pub fn score(&self, present: &[String]) -> Result<Score, Vec<FieldError>> {
        let wanted: BTreeSet<&str> = present.iter().map(|k| k.trim()).filter(|k| !k.is_empty()).collect();
        let mut errors = Vec::new();
        for key in &wanted {
            if self.factor(key).is_none() {
                errors.push(FieldError::new(
                    "factors",
                    format!("\"{key}\" is not a factor of the model {} (version {})", self.name, self.version),
                ));
            }
        }
        let mut answers: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for f in self.factors.iter().filter(|f| wanted.contains(f.key.as_str())) {
            if let Some(group) = &f.group {
                answers.entry(group.as_str()).or_default().push(f.label.as_str());
            }
        }
        for labels in answers.values().filter(|labels| labels.len() > 1) {
            errors.push(FieldError::new(
                "factors",
                format!("{} are alternative answers to one question: choose one", labels.join(" and ")),
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let scored = |f: &Factor| ScoredFactor { key: f.key.clone(), label: f.label.clone(), weight: f.weight };
        let (on, off): (Vec<&Factor>, Vec<&Factor>) =
            self.factors.iter().partition(|f| wanted.contains(f.key.as_str()));
        let score = round_score(on.iter().fold(self.intercept, |sum, f| sum + f.weight));
        Ok(Score {
            model_id: self.id.clone(),
            model_version: self.version,
            intercept: self.intercept,
            score,
            threshold: self.threshold,
            present: on.into_iter().map(scored).collect(),
            absent: off.into_iter().map(scored).collect(),
            recommendation: self.recommend(score),
        })
    }
}

/// The facts screening looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreeningFacts {
    pub offence_code: String,
    pub offence_group: OffenceGroup,
    pub flags: Vec<CrimeFlag>,
    /// Any hate strand is flagged.
    pub hate: bool,
}

/// One reason a crime is kept away from the models.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExclusionReason {
    /// One of [`ALWAYS_EXCLUDED_FLAGS`].
    Safeguarding(CrimeFlag),
    HateCrime,
    /// A flag the force excludes (`excluded_flags`).
    ForceFlag(CrimeFlag),
    /// An offence group the force excludes (`excluded_groups`).
    ForceGroup(OffenceGroup),
    /// An offence code the force excludes (`excluded_codes`).
    ForceCode(String),
}

impl fmt::Display for ExclusionReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExclusionReason::Safeguarding(flag) => f.write_str(match flag {
                CrimeFlag::DomesticAbuse => "domestic abuse",
                CrimeFlag::VulnerableVictim => "a vulnerable victim",
                CrimeFlag::ChildVictim => "a child victim",
                CrimeFlag::ChildSexualExploitation => "child sexual exploitation",
                CrimeFlag::ModernSlavery => "modern slavery",
                CrimeFlag::HonourBased => "honour-based abuse",
                other => other.label(),
            }),
            ExclusionReason::HateCrime => f.write_str("hate crime"),
            ExclusionReason::ForceFlag(flag) => {
                write!(f, "the force excludes crimes flagged {}", flag.label().to_lowercase())
            }
            ExclusionReason::ForceGroup(group) => write!(f, "the force excludes {}", group.label().to_lowercase()),
            ExclusionReason::ForceCode(code) => write!(f, "the force excludes offence code {code}"),
        }
    }
}

/// Why a crime is never screened: every reason that applies, never empty. Shown as the reasons in
/// words ("domestic abuse; a child victim").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exclusion {
    pub reasons: Vec<ExclusionReason>,
}

impl fmt::Display for Exclusion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let words: Vec<String> = self.reasons.iter().map(ToString::to_string).collect();
        f.write_str(&words.join("; "))
    }
}

/// What screening says about one crime: excluded (no model may apply), no model for its type, or
/// the applicable model and its score. `score` is `Err` when the answers do not fit the model.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub exclusion: Option<Exclusion>,
    /// The model that applies (newest version), for showing its factors, groups and help.
    pub model: Option<Model>,
    pub score: Option<Result<Score, Vec<FieldError>>>,
}

impl Assessment {
    /// The model's recommendation, when a model applies and the answers fit it.
    pub fn recommendation(&self) -> Option<Recommendation> {
        match &self.score {
            Some(Ok(score)) => Some(score.recommendation),
            _ => None,
        }
    }

    /// Checks a human decision against this assessment: the answers' own errors if they did not fit
    /// the model, otherwise [`check_decision`].
    pub fn check(&self, decision: Decision, override_reason: &str) -> Result<(), Vec<FieldError>> {
        match &self.score {
            Some(Err(errors)) if self.exclusion.is_none() => Err(errors.clone()),
            Some(Ok(score)) => check_decision(self.exclusion.as_ref(), Some(score), decision, override_reason),
            _ => check_decision(self.exclusion.as_ref(), None, decision, override_reason),
        }
    }
}

/// Whether a human decision may be recorded.
///
/// - Screening out is refused for an excluded crime, always, whatever any score says (the exclusion
///   wins over a score passed alongside it), and when no model applies (there is no score to rely
///   on): those crimes go to an investigator (field `decision`).
/// - A decision against the recommendation ([`Decision::follows`]) needs a reason of at least
///   [`MIN_OVERRIDE_REASON_CHARS`] characters (field `override_reason`). An excluded crime has no
///   recommendation, so investigating it or sending it to desk investigation needs none.
pub fn check_decision(
    exclusion: Option<&Exclusion>,
    score: Option<&Score>,
    decision: Decision,
    override_reason: &str,
) -> Result<(), Vec<FieldError>> {
    if let Some(exclusion) = exclusion {
        return if decision == Decision::ScreenOut {
            Err(vec![FieldError::new(
                "decision",
                format!("This crime cannot be screened out ({exclusion}): it always goes to an investigator"),
            )])
        } else {
            Ok(())
        };
    }
    let Some(score) = score else {
        return if decision == Decision::ScreenOut {
            Err(vec![FieldError::new(
                "decision",
                "No solvability model applies to this crime, so it cannot be screened out: allocate it for investigation",
            )])
        } else {
            Ok(())
        };
    };
    if !decision.follows(score.recommendation) && override_reason.trim().chars().count() < MIN_OVERRIDE_REASON_CHARS {
        let rule = if decision == Decision::ScreenOut {
            "The model recommends investigating this crime: give the reason for screening it out"
        } else {
            "The model recommends screening this crime out: give the reason for investigating it"
        };
        return Err(vec![FieldError::new(
            "override_reason",
            format!("{rule}, in at least {MIN_OVERRIDE_REASON_CHARS} characters"),
        )]);
    }
    Ok(())
}

/// The threshold that screens in about `share` (0 < share ≤ 1) of past crimes, given their scores
/// under a model: how a force recalibrates a model so that, as in the EBIT study, about the strongest
/// 31% screen in (REFERENCE.md §10.1). It is the score of the `round(share × n)`-th highest crime (at
/// least the first); crimes tied with it also screen in, so ties can push the share above the target.
/// `None` without finite scores or with a share outside (0, 1].
pub fn threshold_for_share(scores: &[f64], share: f64) -> Option<f64> {
    if !(share > 0.0 && share <= 1.0) {
        return None;
    }
    let mut finite: Vec<f64> = scores.iter().copied().filter(|s| s.is_finite()).collect();
    if finite.is_empty() {
        return None;
    }
    finite.sort_by(|a, b| b.total_cmp(a));
    let wanted = (share * finite.len() as f64).round().max(1.0) as usize;
    finite.get(wanted.min(finite.len()) - 1).copied()
}

/// The force's solvability models and exclusions, versioned as a whole.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelSet {
    pub version: String,
    /// The outcome a screened-out crime is finalised with after the human decision: HOCR outcome 18
    /// by default ([`DEFAULT_SCREEN_OUT_OUTCOME`], REFERENCE.md §1.1).
    pub screen_out_outcome: String,
    /// Every model, older versions included.
    pub models: Vec<Model>,
    pub excluded_groups: Vec<OffenceGroup>,
    /// Upper case.
    pub excluded_codes: Vec<String>,
    /// Flags the force excludes besides [`ALWAYS_EXCLUDED_FLAGS`].
    pub excluded_flags: Vec<CrimeFlag>,
}

impl Default for ModelSet {
    fn default() -> Self {
        ModelSet::builtin()
    }
}

fn normalise_code(code: &str) -> String {
    code.trim().to_ascii_uppercase()
}

impl ModelSet {
    /// The built-in models (`data/solvability-models.toml`): the eight EBIT factors for minor
    /// non-domestic assault and public order, with placeholder weights, and the SRI burglary model
    /// with its unconfirmed weights (REFERENCE.md §10). A unit test checks the file; were it ever to
    /// fail to load, the set has no models, so nothing can be screened out: the safe failure.
    pub fn builtin() -> ModelSet {
        ModelSet::parse(BUILTIN_TOML).unwrap_or_else(|_| ModelSet {
            version: FALLBACK_VERSION.to_string(),
            screen_out_outcome: DEFAULT_SCREEN_OUT_OUTCOME.to_string(),
            models: Vec::new(),
            excluded_groups: Vec::new(),
            excluded_codes: Vec::new(),
            excluded_flags: Vec::new(),
        })
    }

    /// The newest version of each model: the ones applied to new screenings.
    pub fn current_models(&self) -> impl Iterator<Item = &Model> {
        self.models.iter().filter(|m| !self.models.iter().any(|o| o.id == m.id && o.version > m.version))
    }

    /// A model by id and version, current or not (to show a past screening against its model).
    pub fn model(&self, id: &str, version: u32) -> Option<&Model> {
        self.models.iter().find(|m| m.id == id && m.version == version)
    }

    /// The current model for an offence: one naming the code (case-insensitive) first, else one
    /// naming its group. Exclusions are not checked here; [`ModelSet::assess`] checks them first.
    pub fn model_for(&self, offence_code: &str, group: OffenceGroup) -> Option<&Model> {
        let code = normalise_code(offence_code);
        self.current_models()
            .find(|m| m.applies_to_codes.contains(&code))
            .or_else(|| self.current_models().find(|m| m.applies_to_groups.contains(&group)))
    }

    /// Why the crime may never be screened, if it may not (every reason, in a fixed order).
    pub fn exclusion(&self, facts: &ScreeningFacts) -> Option<Exclusion> {
        let mut reasons: Vec<ExclusionReason> = ALWAYS_EXCLUDED_FLAGS
            .iter()
            .filter(|flag| facts.flags.contains(flag))
            .map(|flag| ExclusionReason::Safeguarding(*flag))
            .collect();
        if facts.hate {
            reasons.push(ExclusionReason::HateCrime);
        }
        for flag in &self.excluded_flags {
            if !ALWAYS_EXCLUDED_FLAGS.contains(flag) && facts.flags.contains(flag) {
                reasons.push(ExclusionReason::ForceFlag(*flag));
            }
        }
        if self.excluded_groups.contains(&facts.offence_group) {
            reasons.push(ExclusionReason::ForceGroup(facts.offence_group));
        }
        let code = normalise_code(&facts.offence_code);
        if self.excluded_codes.contains(&code) {
            reasons.push(ExclusionReason::ForceCode(code));
        }
        (!reasons.is_empty()).then_some(Exclusion { reasons })
    }

    /// Everything screening says about a crime, in one call: an excluded crime gets no model and no
    /// score (so it can never be recommended for screening out, and its answers are not looked at);
    /// otherwise the current model for its offence, if any, and the score of the factors present.
    pub fn assess(&self, facts: &ScreeningFacts, present: &[String]) -> Assessment {
        if let Some(exclusion) = self.exclusion(facts) {
            return Assessment { exclusion: Some(exclusion), model: None, score: None };
        }
        match self.model_for(&facts.offence_code, facts.offence_group) {
            None => Assessment { exclusion: None, model: None, score: None },
            Some(model) => {
                Assessment { exclusion: None, model: Some(model.clone()), score: Some(model.score(present)) }
            }
        }
    }

    /// Reads a force's model set from TOML (the layout of `data/solvability-models.toml`): `version`,
    /// optional `screen_out_outcome`, `excluded_groups`, `excluded_codes` and `excluded_flags`, then
    /// `[[model]]` tables (`id`, `version`, `name`, `applies_to_codes`, `applies_to_groups`, optional
    /// `intercept`, `threshold`, `source`, optional `notes`), each with `[[model.factor]]` tables (`key`,
    /// `label`, `weight`, optional `group` and `help`).
    ///
    /// Every problem is reported, in line order, naming the line and the field: a weight, intercept
    /// or threshold that is not a finite number within ±[`MAX_MAGNITUDE`]; a threshold outside the
    /// model's (lowest, highest] possible score; an empty or duplicated factor key; an unknown offence
    /// group or crime flag; a code not shaped like a Home Office code; a model with no factors or
    /// applying to nothing; a model id and version used twice; a code or group claimed by two current
    /// models. A file TOML cannot read at all gives one problem, with its line.
    pub fn parse(text: &str) -> Result<ModelSet, Vec<String>> {
        let file: SetFile = toml::from_str(text).map_err(|e| vec![toml_problem(text, &e)])?;
        let mut p = Problems { text, list: Vec::new() };

        let version = file.version.get_ref().trim().to_string();
        if version.is_empty() || version.chars().count() > 100 {
            p.at(file.version.span(), "", "version", "must be 1 to 100 characters");
        }
        let screen_out_outcome = match &file.screen_out_outcome {
            None => DEFAULT_SCREEN_OUT_OUTCOME.to_string(),
            Some(outcome) => {
                let code = outcome.get_ref().trim();
                if code.is_empty() || code.len() > 10 || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
                    p.at(
                        outcome.span(),
                        "",
                        "screen_out_outcome",
                        "must be an outcome code such as 18 (1 to 10 letters or digits)",
                    );
                }
                code.to_string()
            }
        };
        let excluded_groups = p.groups(&file.excluded_groups, "", "excluded_groups");
        let excluded_codes = p.codes(&file.excluded_codes, "", "excluded_codes");
        let mut excluded_flags = Vec::new();
        for flag in &file.excluded_flags {
            match flag.get_ref().trim().parse::<CrimeFlag>() {
                Ok(f) => excluded_flags.push(f),
                Err(_) => {
                    let known: Vec<&str> = CrimeFlag::ALL.iter().map(|f| f.as_str()).collect();
                    let rule = format!("\"{}\" is not a crime flag (one of {})", flag.get_ref(), known.join(", "));
                    p.at(flag.span(), "", "excluded_flags", rule);
                }
            }
        }

        let models: Vec<Model> = file.models.iter().filter_map(|m| p.model(m)).collect();
        p.conflicts(&file.models);

        if p.list.is_empty() {
            Ok(ModelSet { version, screen_out_outcome, models, excluded_groups, excluded_codes, excluded_flags })
        } else {
            p.list.sort_by_key(|(line, _)| *line);
            Err(p.list.into_iter().map(|(_, problem)| problem).collect())
        }
    }
}

// ---- Reading a force's file -----------------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SetFile {
    version: Spanned<String>,
    screen_out_outcome: Option<Spanned<String>>,
    #[serde(default)]
    excluded_groups: Vec<Spanned<String>>,
    #[serde(default)]
    excluded_codes: Vec<Spanned<String>>,
    #[serde(default)]
    excluded_flags: Vec<Spanned<String>>,
    #[serde(default, rename = "model")]
    models: Vec<ModelFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelFile {
    id: Spanned<String>,
    version: Spanned<i64>,
    name: Spanned<String>,
    #[serde(default)]
    applies_to_groups: Vec<Spanned<String>>,
    #[serde(default)]
    applies_to_codes: Vec<Spanned<String>>,
    /// Numbers are read as TOML values so that every bad one is reported, not just the first.
    intercept: Option<Spanned<toml::Value>>,
    threshold: Spanned<toml::Value>,
    source: Spanned<String>,
    #[serde(default)]
    notes: String,
    #[serde(default, rename = "factor")]
    factors: Vec<FactorFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FactorFile {
    key: Spanned<String>,
    label: Spanned<String>,
    weight: Spanned<toml::Value>,
    group: Option<Spanned<String>>,
    #[serde(default)]
    help: String,
}

fn line_of(text: &str, offset: usize) -> usize {
    text.bytes().take(offset).filter(|b| *b == b'\n').count() + 1
}

/// A file TOML cannot read: the line, TOML's message, and the line itself (which names the field).
fn toml_problem(text: &str, e: &toml::de::Error) -> String {
    let message = e.message().trim();
    match e.span() {
        Some(span) => {
            let line = line_of(text, span.start);
            let source = text.lines().nth(line - 1).map(str::trim).unwrap_or_default();
            if source.is_empty() {
                format!("line {line}: {message}")
            } else {
                format!("line {line}: {message} (at `{source}`)")
            }
        }
        None => format!("not a valid set of solvability models: {message}"),
    }
}

/// Keys and group names: short, lower-case letters, digits and hyphens, as they appear in forms and
/// the stored screening.
fn key_problem(key: &str) -> Option<&'static str> {
    if key.is_empty() {
        Some("must not be empty")
    } else if key.chars().count() > 40 {
        Some("must be at most 40 characters")
    } else if !key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        Some("may hold only lower-case letters, digits and hyphens")
    } else {
        None
    }
}

/// A weight, intercept or threshold: a TOML number, finite and within ±[`MAX_MAGNITUDE`].
fn number(value: &toml::Value) -> Result<f64, String> {
    let x = match value {
        toml::Value::Integer(i) => *i as f64,
        toml::Value::Float(f) => *f,
        toml::Value::String(s) => return Err(format!("must be a number written without quotes, not the text \"{s}\"")),
        other => return Err(format!("must be a number, not {}", other.type_str())),
    };
    if !x.is_finite() {
        Err("must be a finite number (not nan or inf)".to_string())
    } else if x.abs() > MAX_MAGNITUDE {
        Err(format!("must be between -{MAX_MAGNITUDE} and {MAX_MAGNITUDE}"))
    } else {
        Ok(x)
    }
}

struct Problems<'t> {
    text: &'t str,
    list: Vec<(usize, String)>,
}

impl Problems<'_> {
    /// Records a problem: "line 12 (model ebit-apo v1, factor cctv): weight must be …".
    fn at(&mut self, span: Range<usize>, place: &str, field: &str, rule: impl fmt::Display) {
        let line = line_of(self.text, span.start);
        let problem = if place.is_empty() {
            format!("line {line}: {field} {rule}")
        } else {
            format!("line {line} ({place}): {field} {rule}")
        };
        self.list.push((line, problem));
    }

    fn number(&mut self, value: &Spanned<toml::Value>, place: &str, field: &str) -> Option<f64> {
        number(value.get_ref()).map_err(|rule| self.at(value.span(), place, field, rule)).ok()
    }

    fn groups(&mut self, list: &[Spanned<String>], place: &str, field: &str) -> Vec<OffenceGroup> {
        let mut groups = Vec::new();
        for g in list {
            match g.get_ref().trim().parse::<OffenceGroup>() {
                Ok(group) if groups.contains(&group) => self.at(g.span(), place, field, format!("lists {group} twice")),
                Ok(group) => groups.push(group),
                Err(_) => {
                    let known: Vec<&str> = OffenceGroup::ALL.iter().map(|g| g.as_str()).collect();
                    let rule = format!("\"{}\" is not an offence group (one of {})", g.get_ref(), known.join(", "));
                    self.at(g.span(), place, field, rule);
                }
            }
        }
        groups
    }

    fn codes(&mut self, list: &[Spanned<String>], place: &str, field: &str) -> Vec<String> {
        let mut codes: Vec<String> = Vec::new();
        for c in list {
            let code = normalise_code(c.get_ref());
            if !is_code_shaped(&code) {
                let rule = format!("\"{}\" is not a Home Office offence code (like 105A, 9A or 4/10)", c.get_ref());
                self.at(c.span(), place, field, rule);
            } else if codes.contains(&code) {
                self.at(c.span(), place, field, format!("lists {code} twice"));
            } else {
                codes.push(code);
            }
        }
        codes
    }

    /// One model, with every problem in it recorded; `None` when a number could not be read.
    fn model(&mut self, m: &ModelFile) -> Option<Model> {
        let id = m.id.get_ref().trim().to_string();
        let place = format!("model {id} v{}", m.version.get_ref());
        if let Some(rule) = key_problem(&id) {
            self.at(m.id.span(), &place, "id", rule);
        }
        let version = match u32::try_from(*m.version.get_ref()) {
            Ok(v) if v >= 1 => v,
            _ => {
                self.at(m.version.span(), &place, "version", "must be a whole number, 1 or more");
                0
            }
        };
        let name = m.name.get_ref().trim().to_string();
        if name.is_empty() || name.chars().count() > 200 {
            self.at(m.name.span(), &place, "name", "must be 1 to 200 characters");
        }
        let source = m.source.get_ref().trim().to_string();
        if source.is_empty() {
            self.at(m.source.span(), &place, "source", "must say where the factors and weights came from");
        }
        let applies_to_groups = self.groups(&m.applies_to_groups, &place, "applies_to_groups");
        let applies_to_codes = self.codes(&m.applies_to_codes, &place, "applies_to_codes");
        if m.applies_to_groups.is_empty() && m.applies_to_codes.is_empty() {
            self.at(
                m.id.span(),
                &place,
                "applies_to_codes",
                "and applies_to_groups are both empty: the model would apply to no crime",
            );
        }
        let intercept = match &m.intercept {
            None => Some(0.0),
            Some(value) => self.number(value, &place, "intercept"),
        };
        let threshold = self.number(&m.threshold, &place, "threshold");
        if m.factors.is_empty() {
            self.at(m.id.span(), &place, "factor", "list is empty: a model needs at least one [[model.factor]]");
        }
        let mut factors = Vec::new();
        let mut all_weights = true;
        for f in &m.factors {
            let key = f.key.get_ref().trim().to_string();
            let at = format!("{place}, factor {key}");
            if let Some(rule) = key_problem(&key) {
                self.at(f.key.span(), &at, "key", rule);
            } else if factors.iter().any(|x: &Factor| x.key == key) {
                self.at(f.key.span(), &at, "key", format!("\"{key}\" is used twice in this model"));
            }
            let label = f.label.get_ref().trim().to_string();
            if label.is_empty() || label.chars().count() > 200 {
                self.at(f.label.span(), &at, "label", "must be 1 to 200 characters");
            }
            let group = f.group.as_ref().map(|g| {
                let name = g.get_ref().trim().to_string();
                if let Some(rule) = key_problem(&name) {
                    self.at(g.span(), &at, "group", rule);
                }
                name
            });
            let weight = self.number(&f.weight, &at, "weight");
            all_weights &= weight.is_some();
            factors.push(Factor {
                key,
                label,
                weight: weight.unwrap_or_default(),
                group,
                help: f.help.trim().to_string(),
            });
        }
        let (Some(intercept), Some(threshold), true) = (intercept, threshold, all_weights) else { return None };
        let model = Model {
            id,
            version,
            name,
            applies_to_groups,
            applies_to_codes,
            factors,
            intercept,
            threshold,
            source,
            notes: m.notes.trim().to_string(),
        };
        let (low, high) = model.score_range();
        let in_range = threshold > low && threshold <= high;
        if !m.factors.is_empty() && !in_range {
            self.at(
                m.threshold.span(),
                &place,
                "threshold",
                format!(
                    "{threshold} is out of range: it must be above the lowest possible score ({low}) and at most the \
                     highest ({high}), or the model would screen every crime in or every crime out"
                ),
            );
        }
        Some(model)
    }

    /// A model id and version used twice; a code or group claimed by two current models (the newest
    /// version of each id), which would make the model applied depend on the order of the file.
    fn conflicts(&mut self, models: &[ModelFile]) {
        let id = |m: &ModelFile| m.id.get_ref().trim().to_string();
        let mut seen: BTreeMap<(String, i64), usize> = BTreeMap::new();
        let mut newest: BTreeMap<String, i64> = BTreeMap::new();
        for m in models {
            let version = *m.version.get_ref();
            let line = line_of(self.text, m.id.span().start);
            let place = format!("model {} v{version}", id(m));
            if let Some(first) = seen.get(&(id(m), version)) {
                let rule = format!("and version are already used by the model at line {first}");
                self.at(m.id.span(), &place, "id", rule);
            } else {
                seen.insert((id(m), version), line);
            }
            let top = newest.entry(id(m)).or_insert(version);
            *top = (*top).max(version);
        }
        let mut codes: BTreeMap<String, (String, usize)> = BTreeMap::new();
        let mut groups: BTreeMap<OffenceGroup, (String, usize)> = BTreeMap::new();
        for m in models.iter().filter(|m| newest.get(&id(m)) == Some(m.version.get_ref())) {
            let place = format!("model {} v{}", id(m), m.version.get_ref());
            for c in &m.applies_to_codes {
                let code = normalise_code(c.get_ref());
                let line = line_of(self.text, c.span().start);
                match codes.get(&code) {
                    Some((other, at)) if *other != id(m) => {
                        let rule = format!("{code} is already claimed by the model {other} (line {at})");
                        self.at(c.span(), &place, "applies_to_codes", rule);
                    }
                    Some(_) => {}
                    None => {
                        codes.insert(code, (id(m), line));
                    }
                }
            }
            for g in &m.applies_to_groups {
                let Ok(group) = g.get_ref().trim().parse::<OffenceGroup>() else { continue };
                let line = line_of(self.text, g.span().start);
                match groups.get(&group) {
                    Some((other, at)) if *other != id(m) => {
                        let rule = format!("{group} is already claimed by the model {other} (line {at})");
                        self.at(g.span(), &place, "applies_to_groups", rule);
                    }
                    Some(_) => {}
                    None => {
                        groups.insert(group, (id(m), line));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn keys(list: &[&str]) -> Vec<String> {
        list.iter().map(|k| (*k).to_string()).collect()
    }

    fn builtin_model(id: &str) -> Model {
        ModelSet::builtin().current_models().find(|m| m.id == id).cloned().expect("a built-in model")
    }

    fn facts(code: &str, group: OffenceGroup, flags: &[CrimeFlag], hate: bool) -> ScreeningFacts {
        ScreeningFacts { offence_code: code.into(), offence_group: group, flags: flags.to_vec(), hate }
    }

    fn score_of(model: &Model, present: &[&str]) -> Score {
        model.score(&keys(present)).expect("valid answers")
    }

    /// The line of the first line of `text` containing `needle`.
    fn line_with(text: &str, needle: &str) -> usize {
        text.lines().position(|l| l.contains(needle)).expect("the needle is in the text") + 1
    }

    #[test]
    fn the_builtin_set_parses_whole() {
        let set = ModelSet::parse(BUILTIN_TOML).expect("the built-in models are valid");
        assert_eq!(ModelSet::builtin(), set);
        assert_eq!(set.screen_out_outcome, "18");
        let ids: Vec<(&str, u32)> = set.models.iter().map(|m| (m.id.as_str(), m.version)).collect();
        assert_eq!(ids, [("ebit-apo", 1), ("sri-burglary", 1)]);
        let ebit = builtin_model("ebit-apo");
        assert_eq!(ebit.factors.len(), 8, "the eight published EBIT factors");
        assert!(ebit.source.contains("PLACEHOLDERS") && ebit.notes.contains("31%"));
        let sri = builtin_model("sri-burglary");
        assert!(sri.source.contains("UNCONFIRMED"));
        assert_eq!(sri.factors.iter().filter(|f| f.group.as_deref() == Some("time-range")).count(), 3);
        assert!(set.models.iter().all(|m| m.factors.iter().all(|f| !f.help.is_empty())));
        assert_eq!(ebit.score_range(), (0.0, 15.0));
        assert_eq!(sri.score_range(), (0.0, 29.3));
    }

    #[test]
    fn ebit_worked_examples() {
        let ebit = builtin_model("ebit-apo");
        let s = score_of(&ebit, &["named-suspect", "victim-supports", "reported-within-28-days"]);
        assert_eq!((s.score, s.recommendation), (6.0, Recommendation::ScreenIn));
        assert_eq!((s.model_id.as_str(), s.model_version, s.threshold), ("ebit-apo", 1, 6.0));
        let present: Vec<&str> = s.present.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(present, ["victim-supports", "named-suspect", "reported-within-28-days"], "in model order");
        assert_eq!(s.absent.len(), 5);
        let s = score_of(&ebit, &["named-suspect", "reported-within-28-days"]);
        assert_eq!((s.score, s.recommendation), (4.0, Recommendation::ScreenOut));
        let s = score_of(&ebit, &["victim-supports", "cooperative-witness", "cctv"]);
        assert_eq!((s.score, s.recommendation), (6.0, Recommendation::ScreenIn), "three strands, no suspect");
        let s = score_of(&ebit, &[]);
        assert_eq!((s.score, s.recommendation, s.present.len()), (0.0, Recommendation::ScreenOut, 0));
        let all: Vec<&str> = ebit.factors.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(score_of(&ebit, &all).score, 15.0);
        let s = score_of(&ebit, &[" cctv ", "cctv", ""]);
        assert_eq!((s.score, s.present.len()), (2.0, 1), "trimmed, counted once, blanks ignored");
    }

    #[test]
    fn sri_worked_examples() {
        let sri = builtin_model("sri-burglary");
        let s = score_of(&sri, &["suspect-information", "witness-report"]);
        assert_eq!((s.score, s.recommendation), (16.0, Recommendation::ScreenIn), "9 + 7 > 10");
        let s = score_of(&sri, &["vehicle-description"]);
        assert_eq!((s.score, s.recommendation), (0.1, Recommendation::ScreenOut));
        let s = score_of(&sri, &["suspect-information", "on-view-report"]);
        assert_eq!((s.score, s.recommendation), (10.0, Recommendation::ScreenOut), "exactly 10 is not more than 10");
        let s = score_of(&sri, &["suspect-information", "on-view-report", "vehicle-description"]);
        assert_eq!((s.score, s.recommendation), (10.1, Recommendation::ScreenIn));
        let s = score_of(&sri, &["usable-fingerprints", "occurred-under-1h"]);
        assert_eq!((s.score, s.recommendation), (12.2, Recommendation::ScreenIn));
        let s = score_of(&sri, &["usable-fingerprints", "occurred-1-12h"]);
        assert_eq!((s.score, s.recommendation), (8.2, Recommendation::ScreenOut));
    }

    #[test]
    fn answers_that_do_not_fit_the_model_are_refused() {
        let sri = builtin_model("sri-burglary");
        let e = sri.score(&keys(&["occurred-under-1h", "occurred-12-24h"])).expect_err("two time ranges");
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].field, "factors");
        assert!(e[0].rule.contains("alternative answers"), "{e:?}");
        let e = sri.score(&keys(&["named-suspect", "cctv", "witness-report"])).expect_err("EBIT keys");
        assert_eq!(e.len(), 2);
        assert!(e.iter().all(|e| e.field == "factors"));
        assert!(e[0].rule.contains("\"cctv\" is not a factor"), "{e:?}");
    }

    #[test]
    fn models_are_found_by_code_before_group() {
        let set = ModelSet::builtin();
        let id = |code: &str, group| set.model_for(code, group).map(|m| m.id.clone());
        assert_eq!(id("105A", OffenceGroup::ViolenceAgainstThePerson).as_deref(), Some("ebit-apo"));
        assert_eq!(id(" 9a ", OffenceGroup::PublicOrderOffences).as_deref(), Some("ebit-apo"));
        assert_eq!(id("28E", OffenceGroup::Burglary).as_deref(), Some("sri-burglary"));
        assert_eq!(id("29A", OffenceGroup::Burglary), None, "aggravated burglary has no model");
        assert_eq!(id("8N", OffenceGroup::ViolenceAgainstThePerson), None);

        let text = BUILTIN_TOML.replace(
            "applies_to_groups = []\nintercept = 0\nthreshold = 10.05",
            "applies_to_groups = [\"violence-against-the-person\"]\nintercept = 0\nthreshold = 10.05",
        );
        let set = ModelSet::parse(&text).expect("valid");
        let id = |code: &str, group| set.model_for(code, group).map(|m| m.id.clone());
        assert_eq!(id("105A", OffenceGroup::ViolenceAgainstThePerson).as_deref(), Some("ebit-apo"), "code first");
        assert_eq!(id("8N", OffenceGroup::ViolenceAgainstThePerson).as_deref(), Some("sri-burglary"), "then group");
    }

    #[test]
    fn the_newest_version_applies_and_older_ones_stay_readable() {
        let v1 = BUILTIN_TOML.split("# ----").nth(1).expect("the EBIT model").to_string();
        let v2 = v1.replace("version = 1", "version = 2").replace("threshold = 6", "threshold = 5");
        let text = format!("version = \"two versions\"\n#{v1}\n#{v2}");
        let set = ModelSet::parse(&text).expect("two versions of one model may claim the same codes");
        let current = set.model_for("105A", OffenceGroup::ViolenceAgainstThePerson).expect("a model");
        assert_eq!((current.version, current.threshold), (2, 5.0));
        assert_eq!(set.model("ebit-apo", 1).map(|m| m.threshold), Some(6.0));
        assert_eq!(set.current_models().count(), 1);
        assert!(set.model("ebit-apo", 3).is_none());
    }

    const SMALL: &str = r#"version = "Test set"
excluded_codes = ["105B"]

[[model]]
id = "assault"
version = 1
name = "Assault"
applies_to_codes = ["105A"]
threshold = 2
source = "Test"

[[model.factor]]
key = "suspect"
label = "Named suspect"
weight = 2

[[model.factor]]
key = "witness"
label = "Witness"
weight = 1
"#;

    fn errors_of(text: &str) -> Vec<String> {
        ModelSet::parse(text).expect_err("invalid")
    }

    #[test]
    fn the_small_set_is_valid() {
        let set = ModelSet::parse(SMALL).expect("valid");
        assert_eq!(set.screen_out_outcome, DEFAULT_SCREEN_OUT_OUTCOME, "defaults to outcome 18");
        assert_eq!(set.models[0].intercept, 0.0, "intercept defaults to 0");
        assert_eq!(set.excluded_codes, ["105B"]);
    }

    #[test]
    fn a_weight_that_is_not_a_number_is_named_by_line_and_field() {
        let text = SMALL.replace("weight = 2", "weight = \"high\"").replace("weight = 1", "weight = nan");
        let e = errors_of(&text);
        assert_eq!(e.len(), 2, "{e:?}");
        let line = line_with(&text, "\"high\"");
        assert_eq!(
            e[0],
            format!(
                "line {line} (model assault v1, factor suspect): weight must be a number written without quotes, not the text \"high\""
            )
        );
        let line = line_with(&text, "nan");
        assert!(e[1].starts_with(&format!("line {line} (model assault v1, factor witness): weight must be a finite")));
        let e = errors_of(&SMALL.replace("weight = 1", "weight = 1e9"));
        assert!(e[0].contains("weight must be between"), "{e:?}");
        let e = errors_of(&SMALL.replace("weight = 1", "weight = true"));
        assert!(e[0].contains("weight must be a number, not boolean"), "{e:?}");
    }

    #[test]
    fn a_threshold_out_of_range_is_named_by_line() {
        for (threshold, why) in [("threshold = 4", "above the highest (3)"), ("threshold = 0", "at the lowest (0)")] {
            let text = SMALL.replace("threshold = 2", threshold);
            let e = errors_of(&text);
            assert_eq!(e.len(), 1, "{why}: {e:?}");
            let line = line_with(&text, threshold);
            assert!(e[0].starts_with(&format!("line {line} (model assault v1): threshold ")), "{e:?}");
            assert!(e[0].contains("lowest possible score (0)") && e[0].contains("highest (3)"), "{e:?}");
        }
        let e = errors_of(&SMALL.replace("threshold = 2", "threshold = \"2\""));
        assert!(e[0].contains("threshold must be a number written without quotes"), "{e:?}");
        let negative = SMALL.replace("weight = 1\n", "weight = -1\n").replace("threshold = 2", "threshold = -0.5");
        assert!(ModelSet::parse(&negative).is_ok(), "negative weights lower the lowest possible score");
    }

    #[test]
    fn structural_problems_are_each_named() {
        let text = SMALL
            .replace("key = \"witness\"", "key = \"suspect\"")
            .replace(
                "excluded_codes = [\"105B\"]",
                "excluded_codes = [\"105B\", \"X9\"]\nexcluded_groups = [\"thievery\"]",
            )
            .replace(
                "applies_to_codes = [\"105A\"]",
                "applies_to_codes = [\"105A\"]\napplies_to_groups = [\"assaults\"]",
            )
            .replace("version = 1", "version = 0");
        let e = errors_of(&text);
        assert_eq!(e.len(), 5, "{e:?}");
        assert!(e[0].contains("excluded_codes \"X9\" is not a Home Office offence code"), "{e:?}");
        assert!(e[1].contains("excluded_groups \"thievery\" is not an offence group"), "{e:?}");
        assert!(e[1].contains("violence-against-the-person"), "the known groups are listed: {e:?}");
        assert!(e[2].contains("(model assault v0): version must be a whole number"), "{e:?}");
        assert!(e[3].contains("applies_to_groups \"assaults\" is not an offence group"), "{e:?}");
        assert!(e[4].contains("factor suspect): key \"suspect\" is used twice"), "{e:?}");
        let lines: Vec<usize> =
            e.iter().map(|p| p[5..].split([' ', ':']).next().and_then(|n| n.parse().ok()).expect("a line")).collect();
        assert!(lines.windows(2).all(|w| w[0] <= w[1]), "in line order: {lines:?}");
    }

    #[test]
    fn a_model_without_factors_or_crimes_is_refused() {
        let text =
            SMALL.split("[[model.factor]]").next().expect("the model").replace("applies_to_codes = [\"105A\"]\n", "");
        let e = errors_of(&text);
        let line = line_with(&text, "id = \"assault\"");
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e.iter().all(|p| p.starts_with(&format!("line {line} (model assault v1)"))), "{e:?}");
        assert!(e.iter().any(|p| p.contains("the model would apply to no crime")));
        assert!(e.iter().any(|p| p.contains("factor list is empty")));
    }

    #[test]
    fn two_models_may_not_share_an_id_and_version_or_a_code_or_group() {
        let model = &SMALL[SMALL.find("[[model]]").expect("a model")..];
        let text = format!("{SMALL}\n{model}");
        let e = errors_of(&text);
        assert_eq!(e.len(), 1, "same id, same version: {e:?}");
        assert!(e[0].contains("id and version are already used by the model at line 5"), "{e:?}");

        let other = model.replace("id = \"assault\"", "id = \"other\"");
        let text = format!("{SMALL}\n{other}");
        let e = errors_of(&text);
        assert_eq!(e.len(), 1, "{e:?}");
        let line = text.lines().enumerate().filter(|(_, l)| l.contains("105A")).nth(1).map(|(n, _)| n + 1);
        assert_eq!(
            Some(e[0].clone()),
            line.map(|l| format!(
                "line {l} (model other v1): applies_to_codes 105A is already claimed by the model assault (line 8)"
            ))
        );

        let grouped = |id: &str| {
            model
                .replace("id = \"assault\"", &format!("id = \"{id}\""))
                .replace("applies_to_codes = [\"105A\"]", "applies_to_groups = [\"public-order-offences\"]")
        };
        let e = errors_of(&format!("version = \"x\"\n{}\n{}", grouped("a"), grouped("b")));
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].contains("public-order-offences is already claimed by the model a"), "{e:?}");
    }

    #[test]
    fn a_file_toml_cannot_read_names_its_line() {
        let e = errors_of(&SMALL.replace("label = \"Witness\"", "label = \"Witness\"\ncolour = \"red\""));
        assert_eq!(e.len(), 1);
        assert!(e[0].starts_with("line 20: unknown field `colour`"), "{e:?}");
        let e = errors_of(&SMALL.replace("version = 1", "version = \"one\""));
        assert!(e[0].starts_with("line 6:") && e[0].contains("version = \"one\""), "{e:?}");
        let e = errors_of("version = \"x\"\n[[model]\n");
        assert!(e[0].starts_with("line 2:"), "{e:?}");
        let e = errors_of(&SMALL.replace("threshold = 2\n", ""));
        assert!(e[0].contains("missing field `threshold`"), "{e:?}");
        let e = errors_of(&SMALL.replace("version = \"Test set\"", "version = \" \"\nscreen_out_outcome = \"1 8\""));
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e[0].starts_with("line 1: version must be") && e[1].starts_with("line 2: screen_out_outcome"));
    }

    #[test]
    fn a_force_can_set_the_outcome_and_its_own_exclusions() {
        let text = SMALL.replace(
            "excluded_codes = [\"105B\"]",
            "excluded_codes = [\"105b\"]\nexcluded_groups = [\"fraud\"]\nexcluded_flags = [\"knife\", \"domestic-abuse\"]\nscreen_out_outcome = \"18\"",
        );
        let set = ModelSet::parse(&text).expect("valid");
        assert_eq!(set.excluded_codes, ["105B"], "codes are upper-cased");
        let knife = set.exclusion(&facts("105A", OffenceGroup::ViolenceAgainstThePerson, &[CrimeFlag::Knife], false));
        assert_eq!(
            knife.map(|e| e.to_string()).as_deref(),
            Some("the force excludes crimes flagged knife or sharp instrument")
        );
        let da =
            set.exclusion(&facts("105A", OffenceGroup::ViolenceAgainstThePerson, &[CrimeFlag::DomesticAbuse], false));
        assert_eq!(da.map(|e| e.reasons), Some(vec![ExclusionReason::Safeguarding(CrimeFlag::DomesticAbuse)]), "once");
        let fraud = set.exclusion(&facts("53A", OffenceGroup::Fraud, &[], false)).map(|e| e.to_string());
        assert_eq!(fraud.as_deref(), Some("the force excludes fraud"));
        let both = ModelSet::parse(&SMALL.replace("[\"105B\"]", "[\"105A\"]")).expect("valid");
        let a = both.assess(&facts("105A", OffenceGroup::ViolenceAgainstThePerson, &[], false), &keys(&["suspect"]));
        assert!(a.exclusion.is_some() && a.score.is_none(), "an exclusion wins over a model naming the code");
        let e = errors_of(&SMALL.replace("excluded_codes = [\"105B\"]", "excluded_flags = [\"spicy\"]"));
        assert!(e[0].contains("excluded_flags \"spicy\" is not a crime flag"), "{e:?}");
    }

    #[test]
    fn the_fixed_exclusions_always_apply() {
        let set = ModelSet::builtin();
        for flag in ALWAYS_EXCLUDED_FLAGS {
            let f = facts("105A", OffenceGroup::ViolenceAgainstThePerson, &[*flag], false);
            let exclusion = set.exclusion(&f).expect("excluded");
            assert_eq!(exclusion.reasons, [ExclusionReason::Safeguarding(*flag)]);
        }
        let f = facts("105A", OffenceGroup::ViolenceAgainstThePerson, &[CrimeFlag::ChildVictim], true);
        assert_eq!(set.exclusion(&f).map(|e| e.to_string()).as_deref(), Some("a child victim; hate crime"));
        let rra = facts("105B", OffenceGroup::ViolenceAgainstThePerson, &[], false);
        assert_eq!(set.exclusion(&rra).map(|e| e.to_string()).as_deref(), Some("the force excludes offence code 105B"));
        let sexual = facts("17A", OffenceGroup::SexualOffences, &[], false);
        assert_eq!(
            set.exclusion(&sexual).map(|e| e.to_string()).as_deref(),
            Some("the force excludes sexual offences")
        );
        let ordinary = [CrimeFlag::Alcohol, CrimeFlag::Online, CrimeFlag::RepeatVictim, CrimeFlag::PerishableEvidence];
        assert_eq!(set.exclusion(&facts("105A", OffenceGroup::ViolenceAgainstThePerson, &ordinary, false)), None);
    }

    #[test]
    fn assessing_ties_it_together() {
        let set = ModelSet::builtin();
        let da = facts("105A", OffenceGroup::ViolenceAgainstThePerson, &[CrimeFlag::DomesticAbuse], false);
        let a = set.assess(&da, &keys(&["not-a-factor"]));
        assert!(a.exclusion.is_some() && a.model.is_none() && a.score.is_none(), "answers are not looked at");
        assert_eq!(a.recommendation(), None);
        assert!(a.check(Decision::ScreenOut, "a long enough reason").is_err());
        assert_eq!(a.check(Decision::Investigate, ""), Ok(()));

        let none = set.assess(&facts("8N", OffenceGroup::ViolenceAgainstThePerson, &[], false), &[]);
        assert_eq!(none, Assessment { exclusion: None, model: None, score: None });
        assert!(none.check(Decision::ScreenOut, "a long enough reason").is_err());

        let burglary = facts("28e", OffenceGroup::Burglary, &[], false);
        let a = set.assess(&burglary, &keys(&["vehicle-description"]));
        assert_eq!(a.model.as_ref().map(|m| m.id.as_str()), Some("sri-burglary"));
        assert_eq!(a.recommendation(), Some(Recommendation::ScreenOut));
        assert_eq!(a.check(Decision::ScreenOut, ""), Ok(()));
        let bad = set.assess(&burglary, &keys(&["cctv"]));
        let e = bad.check(Decision::Investigate, "").expect_err("the answers do not fit");
        assert_eq!(e[0].field, "factors");
    }

    fn a_score(recommendation: Recommendation) -> Score {
        Score {
            model_id: "m".into(),
            model_version: 1,
            intercept: 0.0,
            score: 1.0,
            threshold: 1.0,
            present: vec![],
            absent: vec![],
            recommendation,
        }
    }

    #[test]
    fn decisions_against_the_recommendation_need_a_reason() {
        let field = |r: Result<(), Vec<FieldError>>| r.expect_err("refused")[0].field.clone();
        let screen_in = a_score(Recommendation::ScreenIn);
        let screen_out = a_score(Recommendation::ScreenOut);
        let check = |s: &Score, d, reason| check_decision(None, Some(s), d, reason);

        assert_eq!(check(&screen_in, Decision::Investigate, ""), Ok(()));
        assert_eq!(check(&screen_in, Decision::DeskInvestigation, ""), Ok(()));
        assert_eq!(field(check(&screen_in, Decision::ScreenOut, "")), "override_reason");
        assert_eq!(field(check(&screen_in, Decision::ScreenOut, "   too short   ")), "override_reason", "9 chars");
        assert_eq!(check(&screen_in, Decision::ScreenOut, "victim withdrew"), Ok(()));

        assert_eq!(check(&screen_out, Decision::ScreenOut, ""), Ok(()));
        assert_eq!(check(&screen_out, Decision::DeskInvestigation, ""), Ok(()));
        assert_eq!(field(check(&screen_out, Decision::Investigate, "")), "override_reason");
        assert_eq!(check(&screen_out, Decision::Investigate, "prolific offender in the area"), Ok(()));
    }

    #[test]
    fn screening_out_needs_a_model_and_no_exclusion() {
        let exclusion = Exclusion { reasons: vec![ExclusionReason::HateCrime] };
        let screen_out = a_score(Recommendation::ScreenOut);
        let e = check_decision(Some(&exclusion), Some(&screen_out), Decision::ScreenOut, "reason enough here")
            .expect_err("excluded");
        assert_eq!(e[0].field, "decision");
        assert!(e[0].rule.contains("hate crime") && e[0].rule.contains("investigator"), "{e:?}");
        assert_eq!(check_decision(Some(&exclusion), Some(&screen_out), Decision::Investigate, ""), Ok(()));
        assert_eq!(check_decision(Some(&exclusion), None, Decision::DeskInvestigation, ""), Ok(()));
        let e = check_decision(None, None, Decision::ScreenOut, "reason enough here").expect_err("no model");
        assert_eq!(e[0].field, "decision");
        assert_eq!(check_decision(None, None, Decision::Investigate, ""), Ok(()));
    }

    #[test]
    fn names_round_trip() {
        for d in Decision::ALL {
            assert_eq!(d.as_str().parse::<Decision>(), Ok(*d));
        }
        assert_eq!("desk".parse::<Decision>(), Ok(Decision::DeskInvestigation));
        for r in Recommendation::ALL {
            assert_eq!(r.as_str().parse::<Recommendation>(), Ok(*r));
        }
    }

    #[test]
    fn thresholds_for_a_share() {
        let scores: Vec<f64> = (0..10).map(f64::from).collect();
        assert_eq!(threshold_for_share(&scores, 0.31), Some(7.0), "7, 8 and 9: the top 30%");
        assert_eq!(threshold_for_share(&scores, 1.0), Some(0.0));
        assert_eq!(threshold_for_share(&scores, 0.01), Some(9.0), "at least one");
        assert_eq!(threshold_for_share(&[1.0, 1.0, 1.0, 0.0], 0.25), Some(1.0), "ties screen in together");
        assert_eq!(threshold_for_share(&[f64::NAN, 2.0], 0.5), Some(2.0));
        assert_eq!(threshold_for_share(&[], 0.31), None);
        assert_eq!(threshold_for_share(&scores, 0.0), None);
        assert_eq!(threshold_for_share(&scores, 1.5), None);
        assert_eq!(threshold_for_share(&scores, f64::NAN), None);
    }

    /// Every factor key of the built-in models, and some that are not.
    fn any_answers() -> impl Strategy<Value = Vec<String>> {
        let set = ModelSet::builtin();
        let mut all: Vec<String> = set.models.iter().flat_map(|m| m.factors.iter().map(|f| f.key.clone())).collect();
        all.extend(keys(&["junk", "", "Named-Suspect"]));
        let n = all.len();
        proptest::sample::subsequence(all, 0..=n)
    }

    fn any_triggered_facts() -> impl Strategy<Value = ScreeningFacts> {
        let codes = vec!["105A", "9A", "28E", "28F", "30C", "30D", "105B", "8N", "17A"];
        let groups = OffenceGroup::ALL.to_vec();
        let flags = CrimeFlag::ALL.to_vec();
        let triggers = ALWAYS_EXCLUDED_FLAGS.len() + 2;
        (
            proptest::sample::select(codes),
            proptest::sample::select(groups),
            proptest::sample::subsequence(flags, 0..=CrimeFlag::ALL.len()),
            0..triggers,
            any::<bool>(),
        )
            .prop_map(|(code, group, mut flags, trigger, hate)| {
                let mut facts =
                    ScreeningFacts { offence_code: code.to_string(), offence_group: group, flags: vec![], hate };
                match ALWAYS_EXCLUDED_FLAGS.get(trigger) {
                    Some(flag) => flags.push(*flag),
                    None if trigger == ALWAYS_EXCLUDED_FLAGS.len() => facts.hate = true,
                    None => facts.offence_code = "105B".into(), // excluded by the built-in set
                }
                facts.flags = flags;
                facts
            })
    }

    proptest! {
        #[test]
        fn no_excluded_crime_is_ever_screened_out(
            facts in any_triggered_facts(),
            answers in any_answers(),
            reason in ".{0,40}",
            forged in prop_oneof![Just(Recommendation::ScreenIn), Just(Recommendation::ScreenOut)],
        ) {
            let set = ModelSet::builtin();
            let assessment = set.assess(&facts, &answers);
            let exclusion = assessment.exclusion.clone();
            prop_assert!(exclusion.is_some());
            prop_assert!(assessment.score.is_none() && assessment.recommendation().is_none());
            prop_assert!(assessment.check(Decision::ScreenOut, &reason).is_err());
            // Even with a score passed alongside (whatever it recommends), the exclusion wins.
            let forged = a_score(forged);
            prop_assert!(check_decision(exclusion.as_ref(), Some(&forged), Decision::ScreenOut, &reason).is_err());
            prop_assert!(check_decision(exclusion.as_ref(), None, Decision::ScreenOut, &reason).is_err());
            prop_assert!(assessment.check(Decision::Investigate, "").is_ok());
        }

        #[test]
        fn adding_a_positive_factor_never_lowers_the_score(
            model in 0usize..2,
            mask in any::<u16>(),
            extra in 0usize..16,
        ) {
            let set = ModelSet::builtin();
            let model = &set.models[model];
            let mut answered = BTreeSet::new();
            let mut present = Vec::new();
            for (i, f) in model.factors.iter().enumerate() {
                if mask & (1 << i) != 0 && f.group.as_ref().is_none_or(|g| answered.insert(g.clone())) {
                    present.push(f.key.clone());
                }
            }
            let candidates: Vec<&Factor> = model.factors.iter()
                .filter(|f| f.weight > 0.0 && !present.contains(&f.key))
                .filter(|f| f.group.as_ref().is_none_or(|g| !answered.contains(g)))
                .collect();
            prop_assume!(!candidates.is_empty());
            let added = candidates[extra % candidates.len()];
            let before = model.score(&present).expect("valid answers");
            present.push(added.key.clone());
            let after = model.score(&present).expect("still valid");
            prop_assert!(after.score > before.score);
            prop_assert!((after.score - before.score - added.weight).abs() < 1e-6);
            let kept_in = after.recommendation == Recommendation::ScreenIn;
            prop_assert!(before.recommendation == Recommendation::ScreenOut || kept_in);
        }

        #[test]
        fn any_models_score_is_monotone(
            weights in proptest::collection::vec(-50.0f64..50.0, 1..10),
            threshold in -100.0f64..100.0,
            mask in any::<u16>(),
            extra in 0usize..10,
        ) {
            let factors: Vec<Factor> = weights.iter().enumerate().map(|(i, w)| Factor {
                key: format!("f{i}"), label: format!("F{i}"), weight: *w, group: None, help: String::new(),
            }).collect();
            let model = Model {
                id: "m".into(),
                version: 1,
                name: "M".into(),
                applies_to_groups: vec![],
                applies_to_codes: vec!["1".into()],
                factors,
                intercept: 0.0,
                threshold,
                source: "test".into(),
                notes: String::new(),
            };
            let extra = extra % weights.len();
            prop_assume!(weights[extra] > 0.0 && mask & (1 << extra) == 0);
            let mut present: Vec<String> =
                (0..weights.len()).filter(|i| mask & (1 << i) != 0).map(|i| format!("f{i}")).collect();
            let before = model.score(&present).expect("valid");
            present.push(format!("f{extra}"));
            let after = model.score(&present).expect("valid");
            prop_assert!(after.score >= before.score);
            let kept_in = after.recommendation == Recommendation::ScreenIn;
            prop_assert!(before.recommendation == Recommendation::ScreenOut || kept_in);
        }

        #[test]
        fn parsing_never_panics(text in "(.{0,40}\n){0,8}") {
            let _ = ModelSet::parse(&text);
        }

        #[test]
        fn parsing_a_damaged_builtin_never_panics(at in 0usize..6000, with in "[ \"=\\[\\]a-z0-9.\n-]{0,3}") {
            let mut text = BUILTIN_TOML.to_string();
            let mut at = at.min(text.len());
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            text.insert_str(at, &with);
            let _ = ModelSet::parse(&text);
        }
    }
}
