//! Crime outcomes (issue 7; `../shared/domain/REFERENCE.md` §1, the Home Office Counting Rules
//! crime outcomes framework). Every recorded crime is finalised with an outcome type that says why
//! the investigation was closed. The types are versioned reference data with valid-from / valid-to
//! dates (the list still grows: outcome 23 arrived in 2026), loaded from TOML
//! (`data/outcome-types.toml` is the built-in list; a force loads its own). Each type names its
//! preconditions as [`Rule`]s; finalising is blocked, with every unmet precondition named in
//! words, until they are all met. Some outcomes also need a supervisor of a minimum rank to
//! authorise them (by default 16 needs a Sergeant, and an Inspector on a domestic-abuse crime).
//! Which outcomes count as "positive", which rules apply and who authorises are all configuration,
//! not hard-coded logic (REFERENCE.md §1.1 implementation notes).
//!
//! Everything here is pure: the caller gathers the facts about the crime ([`OutcomeFacts`]) and
//! the officer's outcome form ([`OutcomeEvidence`]), and this module decides.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::access::named_enum;
use crate::user::Rank;

named_enum!(
    /// A precondition an outcome can require. Each is checked by its own `rule_*` function below,
    /// which documents exactly what it reads and what it asks the officer to fix.
    Rule {
        SuspectOrOffender => "suspect-or-offender", "An identified suspect or offender is linked to the crime";
        NamedSuspect => "named-suspect", "A named suspect is linked to the crime";
        VictimNonSupport => "victim-non-support", "The victim's non-support is recorded: when, and how it was obtained";
        VictimEngagement => "victim-engagement", "Attempts to keep the victim engaged are recorded";
        EvidenceLedDecision => "evidence-led-decision",
            "A decision on an evidence-led prosecution is recorded, with the evidence considered";
        SuspectContact => "suspect-contact", "Whether the suspect was contacted or interviewed is recorded";
        SuspectSpokenTo => "suspect-spoken-to", "The suspect was contacted or interviewed";
        MandatoryEnquiries => "mandatory-enquiries", "The mandatory lines of enquiry for this crime type are complete";
        Rationale => "rationale", "A rationale for the outcome is recorded";
        VictimInformed => "victim-informed", "The victim was told of the decision";
        DiversionCompleted => "diversion-completed", "The diversionary activity is completed";
    }
);

named_enum!(
    /// Evidence an evidence-led prosecution decision must consider (issue 7).
    EvidenceKind {
        BodyWornVideo => "body-worn-video", "Body-worn video";
        Call999 => "999-call", "999 call recording";
        IndependentWitnesses => "independent-witnesses", "Independent witnesses";
        PhotographedInjuries => "photographed-injuries", "Photographed injuries";
    }
);

named_enum!(
    /// Whether a kind of evidence exists, as the officer answered.
    Availability {
        Available => "available", "Available";
        NotAvailable => "not-available", "Not available";
    }
);

named_enum!(
    /// Whether the suspect was spoken to before the outcome.
    SuspectContact {
        Interviewed => "interviewed", "Interviewed";
        Contacted => "contacted", "Contacted, not interviewed";
        NotContacted => "not-contacted", "Not contacted";
    }
);

/// One outcome type, as listed in the reference data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeType {
    /// "1", "1A", "16", "22" …
    pub code: String,
    /// The short label.
    pub label: String,
    /// The meaning, paraphrased.
    pub meaning: String,
    /// The Home Office statistics group, e.g. "Charge/summons".
    pub group: String,
    /// The first day it may be used.
    pub valid_from: NaiveDate,
    /// The last day it may be used (inclusive); `None` while it is still valid.
    pub valid_to: Option<NaiveDate>,
    /// Counted as a "positive outcome" (by default 1, 2, 3, 6, 7, 8 and 22, with their variants).
    pub positive: bool,
    /// `false` where the reference notes mark the type unconfirmed.
    pub confirmed: bool,
    /// Its preconditions.
    pub rules: Vec<Rule>,
}

/// The outcome types, versioned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeList {
    pub version: String,
    pub types: Vec<OutcomeType>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListFile {
    version: String,
    #[serde(rename = "outcome", default)]
    types: Vec<TypeFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TypeFile {
    code: String,
    label: String,
    meaning: String,
    group: String,
    valid_from: String,
    #[serde(default)]
    valid_to: Option<String>,
    positive: bool,
    #[serde(default = "yes")]
    confirmed: bool,
    #[serde(default)]
    rules: Vec<String>,
}

fn yes() -> bool {
    true
}

const BUILTIN_TOML: &str = include_str!("../data/outcome-types.toml");

/// A date as people write it: "1 March 2025".
fn day(date: NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

/// Whether the type may be used on that day (both ends inclusive).
fn in_force(t: &OutcomeType, on: NaiveDate) -> bool {
    t.valid_from <= on && t.valid_to.is_none_or(|to| on <= to)
}

fn all_rule_names() -> String {
    Rule::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")
}

impl OutcomeList {
    /// The built-in list: outcomes 1–23 with the unconfirmed alternate-offence variants 1A, 2A, 3A.
    pub fn builtin() -> OutcomeList {
        OutcomeList::from_toml(BUILTIN_TOML).expect("the built-in outcome types are valid")
    }

    /// Reads a force's outcome types from TOML: `version`, then `[[outcome]]` tables (`code`,
    /// `label`, `meaning`, `group`, `valid_from`, optional `valid_to`, `positive`, optional
    /// `confirmed` and `rules`). Every problem is reported, naming the entry and the field.
    pub fn from_toml(text: &str) -> Result<OutcomeList, String> {
        let file: ListFile = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| text.bytes().take(s.start).filter(|b| *b == b'\n').count() + 1);
            let at = line.map(|l| format!(" (line {l})")).unwrap_or_default();
            format!("not a valid list of outcome types{at}: {}", e.message().trim())
        })?;
        let mut problems = Vec::new();
        let version = file.version.trim().to_string();
        if version.is_empty() || version.chars().count() > 100 {
            problems.push("version must be 1 to 100 characters".to_string());
        }
        let mut types: Vec<OutcomeType> = Vec::new();
        for (n, t) in file.types.iter().enumerate() {
            let code = t.code.trim();
            let at = format!("outcome {} ({code})", n + 1);
            if code.is_empty() || code.chars().count() > 5 {
                problems.push(format!("{at}: code must be 1 to 5 characters"));
            }
            if types.iter().any(|x| x.code.eq_ignore_ascii_case(code)) {
                problems.push(format!("{at}: code {code} is listed twice"));
            }
            for (field, value) in [("label", &t.label), ("meaning", &t.meaning), ("group", &t.group)] {
                if value.trim().is_empty() {
                    problems.push(format!("{at}: {field} must not be blank"));
                }
            }
            let parse = |field: &str, value: &str, problems: &mut Vec<String>| {
                let parsed = NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").ok();
                if parsed.is_none() {
                    problems.push(format!("{at}: {field} '{value}' is not a date (YYYY-MM-DD)"));
                }
                parsed
            };
            let valid_from = parse("valid_from", &t.valid_from, &mut problems);
            let valid_to = t.valid_to.as_deref().and_then(|v| parse("valid_to", v, &mut problems));
            if let (Some(from), Some(to)) = (valid_from, valid_to)
                && to < from
            {
                problems.push(format!("{at}: valid_to {to} is before valid_from {from}"));
            }
            let mut rules = Vec::new();
            for name in &t.rules {
                match name.trim().parse::<Rule>() {
                    Ok(rule) if rules.contains(&rule) => problems.push(format!("{at}: rule '{name}' is listed twice")),
                    Ok(rule) => rules.push(rule),
                    Err(_) => problems.push(format!("{at}: rules '{name}' is not one of {}", all_rule_names())),
                }
            }
            types.push(OutcomeType {
                code: code.to_string(),
                label: t.label.trim().to_string(),
                meaning: t.meaning.trim().to_string(),
                group: t.group.trim().to_string(),
                valid_from: valid_from.unwrap_or(NaiveDate::MIN),
                valid_to,
                positive: t.positive,
                confirmed: t.confirmed,
                rules,
            });
        }
        if types.is_empty() {
            problems.push("there must be at least one [[outcome]]".to_string());
        }
        if problems.is_empty() { Ok(OutcomeList { version, types }) } else { Err(problems.join("; ")) }
    }

    /// The type with this code (surrounding spaces and letter case ignored: "1a" finds 1A).
    pub fn get(&self, code: &str) -> Option<&OutcomeType> {
        let code = code.trim();
        self.types.iter().find(|t| t.code.eq_ignore_ascii_case(code))
    }

    /// The types that may be used on that day, in list order.
    pub fn valid_on(&self, on: NaiveDate) -> Vec<&OutcomeType> {
        self.types.iter().filter(|t| in_force(t, on)).collect()
    }

    /// The type if it exists and is valid on that date; otherwise why not, in a sentence.
    pub fn type_on(&self, code: &str, on: NaiveDate) -> Result<&OutcomeType, String> {
        let Some(t) = self.get(code) else {
            return Err(format!("There is no outcome {}", code.trim()));
        };
        if on < t.valid_from {
            return Err(format!(
                "Outcome {} is not valid on {}: it is in force from {}",
                t.code,
                day(on),
                day(t.valid_from)
            ));
        }
        match t.valid_to {
            Some(to) if to < on => {
                Err(format!("Outcome {} is not valid on {}: it was withdrawn after {}", t.code, day(on), day(to)))
            }
            _ => Ok(t),
        }
    }
}

/// What the officer records with the outcome (the outcome form).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutcomeEvidence {
    pub rationale: String,
    /// When the victim said they do not support police action.
    pub victim_non_support_on: Option<NaiveDate>,
    /// How the non-support was obtained (e.g. a signed statement, a recorded call).
    pub victim_non_support_how: String,
    /// The decision on an evidence-led prosecution, and why.
    pub evidence_led_decision: String,
    /// Each kind of evidence considered, and whether it is available.
    pub evidence_considered: Vec<(EvidenceKind, Availability)>,
    pub suspect_contact: Option<SuspectContact>,
    /// Why the suspect was not contacted, when they were not.
    pub suspect_contact_note: String,
    pub diversion_completed_on: Option<NaiveDate>,
    pub victim_informed_on: Option<NaiveDate>,
}

/// Facts about the crime the rules read, gathered by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeFacts {
    /// The finalisation date (Europe/London).
    pub on: NaiveDate,
    /// A person is linked as suspect or offender.
    pub has_suspect_or_offender: bool,
    /// A person is linked as suspect.
    pub has_named_suspect: bool,
    pub domestic_abuse: bool,
    pub vulnerable_victim: bool,
    /// Completed victim-engagement actions in the investigation plan.
    pub engagement_attempts: u32,
    /// Labels of mandatory lines of enquiry not yet done, e.g. "CCTV".
    pub missing_enquiries: Vec<String>,
}

/// One unmet precondition: the rule, the form field to fix, and why, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmet {
    pub rule: Rule,
    pub field: String,
    pub why: String,
}

/// Why an outcome cannot be recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckError {
    /// The code does not exist, or is not in force on the finalisation date.
    NotValid(String),
    /// Preconditions are not met: every one, named.
    Unmet(Vec<Unmet>),
}

/// The force's outcome policy. Configurable; `Default` is the built-in list and the defaults below.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomePolicy {
    pub list: OutcomeList,
    /// Extra rules per outcome code for domestic-abuse crimes, and for vulnerable victims (forces
    /// make rules stricter). Default: both empty.
    pub domestic_abuse_rules: BTreeMap<String, Vec<Rule>>,
    pub vulnerable_rules: BTreeMap<String, Vec<Rule>>,
    /// Completed engagement attempts [`Rule::VictimEngagement`] needs: ordinarily (default 1) and
    /// for domestic abuse or a vulnerable victim (default 2).
    pub min_engagement_attempts: u32,
    pub min_engagement_attempts_strict: u32,
    /// Shortest rationale / free-text answer accepted, in characters after trimming (default 20).
    pub min_text_chars: usize,
    /// Outcome code → the lowest rank that may authorise it. Default {"16": Sergeant}.
    pub authorise: BTreeMap<String, Rank>,
    /// The same for domestic-abuse crimes; overrides `authorise` when higher. Default {"16": Inspector}.
    pub domestic_abuse_authorise: BTreeMap<String, Rank>,
}

impl Default for OutcomePolicy {
    fn default() -> Self {
        OutcomePolicy {
            list: OutcomeList::builtin(),
            domestic_abuse_rules: BTreeMap::new(),
            vulnerable_rules: BTreeMap::new(),
            min_engagement_attempts: 1,
            min_engagement_attempts_strict: 2,
            min_text_chars: 20,
            authorise: BTreeMap::from([("16".to_string(), Rank::Sergeant)]),
            domestic_abuse_authorise: BTreeMap::from([("16".to_string(), Rank::Inspector)]),
        }
    }
}

/// The rules configured for this code in a per-code map (code letter case ignored).
fn extras<'m>(map: &'m BTreeMap<String, Vec<Rule>>, code: &str) -> &'m [Rule] {
    map.iter().find(|(k, _)| k.trim().eq_ignore_ascii_case(code)).map(|(_, v)| v.as_slice()).unwrap_or(&[])
}

fn rank_for(map: &BTreeMap<String, Rank>, code: &str) -> Option<Rank> {
    map.iter().find(|(k, _)| k.trim().eq_ignore_ascii_case(code)).map(|(_, r)| *r)
}

fn unmet(rule: Rule, field: &str, why: String) -> Unmet {
    Unmet { rule, field: field.to_string(), why }
}

fn length(text: &str) -> usize {
    text.trim().chars().count()
}

impl OutcomePolicy {
    /// The rules that apply to this outcome for this crime: the type's own, then the
    /// domestic-abuse extras (on a domestic-abuse crime) and the vulnerable-victim extras (for a
    /// vulnerable victim), without repeats, in that order.
    pub fn rules_for(&self, outcome: &OutcomeType, facts: &OutcomeFacts) -> Vec<Rule> {
        let da: &[Rule] = if facts.domestic_abuse { extras(&self.domestic_abuse_rules, &outcome.code) } else { &[] };
        let vulnerable: &[Rule] =
            if facts.vulnerable_victim { extras(&self.vulnerable_rules, &outcome.code) } else { &[] };
        let mut rules: Vec<Rule> = Vec::new();
        for rule in outcome.rules.iter().chain(da).chain(vulnerable) {
            if !rules.contains(rule) {
                rules.push(*rule);
            }
        }
        rules
    }

    /// Every unmet rule (empty when all are met), in [`OutcomePolicy::rules_for`] order. A rule
    /// may produce several entries, one per thing to fix.
    pub fn unmet(&self, outcome: &OutcomeType, evidence: &OutcomeEvidence, facts: &OutcomeFacts) -> Vec<Unmet> {
        let mut out = Vec::new();
        for rule in self.rules_for(outcome, facts) {
            let code = outcome.code.as_str();
            out.extend(match rule {
                Rule::SuspectOrOffender => rule_suspect_or_offender(code, facts),
                Rule::NamedSuspect => rule_named_suspect(code, facts),
                Rule::VictimNonSupport => self.rule_victim_non_support(evidence, facts),
                Rule::VictimEngagement => self.rule_victim_engagement(code, facts),
                Rule::EvidenceLedDecision => self.rule_evidence_led_decision(evidence),
                Rule::SuspectContact => self.rule_suspect_contact(evidence),
                Rule::SuspectSpokenTo => rule_suspect_spoken_to(code, evidence),
                Rule::MandatoryEnquiries => rule_mandatory_enquiries(facts),
                Rule::Rationale => self.rule_rationale(code, evidence),
                Rule::VictimInformed => rule_victim_informed(evidence, facts),
                Rule::DiversionCompleted => rule_diversion_completed(code, evidence, facts),
            });
        }
        out
    }

    /// The whole check: the code must exist and be in force on `facts.on`, then every rule must be met.
    pub fn check<'a>(
        &'a self,
        code: &str,
        evidence: &OutcomeEvidence,
        facts: &OutcomeFacts,
    ) -> Result<&'a OutcomeType, CheckError> {
        let outcome = self.list.type_on(code, facts.on).map_err(CheckError::NotValid)?;
        let unmet = self.unmet(outcome, evidence, facts);
        if unmet.is_empty() { Ok(outcome) } else { Err(CheckError::Unmet(unmet)) }
    }

    /// The lowest rank that must authorise this outcome for this crime, or `None` when it needs no
    /// authorisation. On a domestic-abuse crime the domestic-abuse rank applies when it is higher.
    pub fn authoriser_needed(&self, code: &str, facts: &OutcomeFacts) -> Option<Rank> {
        let code = code.trim();
        let ordinary = rank_for(&self.authorise, code);
        let da = if facts.domestic_abuse { rank_for(&self.domestic_abuse_authorise, code) } else { None };
        match (ordinary, da) {
            (Some(o), Some(d)) => Some(if seniority(d) > seniority(o) { d } else { o }),
            (o, d) => o.or(d),
        }
    }

    /// [`Rule::VictimNonSupport`]: the date the victim said they do not support police action is
    /// recorded and is not after the finalisation date, and how it was obtained is described in at
    /// least `min_text_chars` characters.
    fn rule_victim_non_support(&self, evidence: &OutcomeEvidence, facts: &OutcomeFacts) -> Vec<Unmet> {
        let rule = Rule::VictimNonSupport;
        let mut out = Vec::new();
        match evidence.victim_non_support_on {
            None => out.push(unmet(
                rule,
                "victim_non_support_on",
                "Record when the victim said they do not support police action".to_string(),
            )),
            Some(d) if d > facts.on => out.push(unmet(
                rule,
                "victim_non_support_on",
                format!(
                    "The victim's non-support is dated {}, after the finalisation date {}; correct the date",
                    day(d),
                    day(facts.on)
                ),
            )),
            Some(_) => {}
        }
        let have = length(&evidence.victim_non_support_how);
        if have < self.min_text_chars {
            out.push(unmet(
                rule,
                "victim_non_support_how",
                format!(
                    "Record how the victim's non-support was obtained (for example a signed statement or a recorded \
                     call), in at least {} characters; {have} given",
                    self.min_text_chars
                ),
            ));
        }
        out
    }

    /// [`Rule::VictimEngagement`]: the investigation plan holds at least `min_engagement_attempts`
    /// completed victim-engagement actions, or `min_engagement_attempts_strict` on a
    /// domestic-abuse crime or for a vulnerable victim.
    fn rule_victim_engagement(&self, code: &str, facts: &OutcomeFacts) -> Vec<Unmet> {
        let strict = facts.domestic_abuse || facts.vulnerable_victim;
        let needed = if strict { self.min_engagement_attempts_strict } else { self.min_engagement_attempts };
        if facts.engagement_attempts >= needed {
            return Vec::new();
        }
        let context = match (facts.domestic_abuse, facts.vulnerable_victim) {
            (true, _) => " on a domestic-abuse crime",
            (false, true) => " with a vulnerable victim",
            (false, false) => "",
        };
        let plural = |n: u32| if n == 1 { "attempt" } else { "attempts" };
        vec![unmet(
            Rule::VictimEngagement,
            "plan",
            format!(
                "Outcome {code}{context} needs {needed} completed victim-engagement {} in the investigation plan; \
                 {} recorded",
                plural(needed),
                facts.engagement_attempts
            ),
        )]
    }

    /// [`Rule::EvidenceLedDecision`]: the decision on an evidence-led prosecution is recorded in at
    /// least `min_text_chars` characters, and every [`EvidenceKind`] has been answered (available or
    /// not). Each missing kind is named separately, in the field `evidence_considered.<kind>`.
    fn rule_evidence_led_decision(&self, evidence: &OutcomeEvidence) -> Vec<Unmet> {
        let rule = Rule::EvidenceLedDecision;
        let mut out = Vec::new();
        let have = length(&evidence.evidence_led_decision);
        if have < self.min_text_chars {
            out.push(unmet(
                rule,
                "evidence_led_decision",
                format!(
                    "Record the decision on an evidence-led prosecution and why, in at least {} characters; {have} \
                     given",
                    self.min_text_chars
                ),
            ));
        }
        for kind in EvidenceKind::ALL {
            if !evidence.evidence_considered.iter().any(|(k, _)| k == kind) {
                out.push(unmet(
                    rule,
                    &format!("evidence_considered.{}", kind.as_str()),
                    format!(
                        "Say whether {} is available for the evidence-led prosecution decision",
                        kind.label().to_lowercase()
                    ),
                ));
            }
        }
        out
    }

    /// [`Rule::SuspectContact`]: whether the suspect was interviewed, contacted or not contacted is
    /// recorded; when not contacted, the reason is given in at least `min_text_chars` characters.
    fn rule_suspect_contact(&self, evidence: &OutcomeEvidence) -> Vec<Unmet> {
        match evidence.suspect_contact {
            None => vec![unmet(
                Rule::SuspectContact,
                "suspect_contact",
                "Record whether the suspect was interviewed, contacted or not contacted".to_string(),
            )],
            Some(SuspectContact::NotContacted) if length(&evidence.suspect_contact_note) < self.min_text_chars => {
                vec![unmet(
                    Rule::SuspectContact,
                    "suspect_contact_note",
                    format!(
                        "Record why the suspect was not contacted, in at least {} characters; {} given",
                        self.min_text_chars,
                        length(&evidence.suspect_contact_note)
                    ),
                )]
            }
            Some(_) => Vec::new(),
        }
    }

    /// [`Rule::Rationale`]: a rationale for the outcome of at least `min_text_chars` characters.
    fn rule_rationale(&self, code: &str, evidence: &OutcomeEvidence) -> Vec<Unmet> {
        let have = length(&evidence.rationale);
        if have >= self.min_text_chars {
            return Vec::new();
        }
        vec![unmet(
            Rule::Rationale,
            "rationale",
            format!(
                "Record the rationale for outcome {code} in at least {} characters; {have} given",
                self.min_text_chars
            ),
        )]
    }
}

/// [`Rule::SuspectOrOffender`]: a person is linked to the crime as suspect or offender.
fn rule_suspect_or_offender(code: &str, facts: &OutcomeFacts) -> Vec<Unmet> {
    if facts.has_suspect_or_offender {
        return Vec::new();
    }
    vec![unmet(
        Rule::SuspectOrOffender,
        "people",
        format!("Link the suspect or offender to the crime before using outcome {code}"),
    )]
}

/// [`Rule::NamedSuspect`]: a person is linked to the crime as a named suspect.
fn rule_named_suspect(code: &str, facts: &OutcomeFacts) -> Vec<Unmet> {
    if facts.has_named_suspect {
        return Vec::new();
    }
    vec![unmet(
        Rule::NamedSuspect,
        "people",
        format!("Link the named suspect to the crime before using outcome {code}"),
    )]
}

/// [`Rule::SuspectSpokenTo`]: the suspect was interviewed or at least contacted (a force rule,
/// typically added for domestic abuse).
fn rule_suspect_spoken_to(code: &str, evidence: &OutcomeEvidence) -> Vec<Unmet> {
    match evidence.suspect_contact {
        Some(SuspectContact::Interviewed | SuspectContact::Contacted) => Vec::new(),
        _ => vec![unmet(
            Rule::SuspectSpokenTo,
            "suspect_contact",
            format!("Contact or interview the suspect before using outcome {code} on this crime"),
        )],
    }
}

/// [`Rule::MandatoryEnquiries`]: none of the crime type's mandatory lines of enquiry is still
/// outstanding in the investigation plan.
fn rule_mandatory_enquiries(facts: &OutcomeFacts) -> Vec<Unmet> {
    if facts.missing_enquiries.is_empty() {
        return Vec::new();
    }
    vec![unmet(
        Rule::MandatoryEnquiries,
        "plan",
        format!("Complete or close these lines of enquiry: {}", facts.missing_enquiries.join(", ")),
    )]
}

/// [`Rule::VictimInformed`]: the date the victim was told of the decision is recorded and is not
/// after the finalisation date.
fn rule_victim_informed(evidence: &OutcomeEvidence, facts: &OutcomeFacts) -> Vec<Unmet> {
    let why = match evidence.victim_informed_on {
        None => "Record when the victim was told of the decision".to_string(),
        Some(d) if d > facts.on => format!(
            "The victim is recorded as told on {}, after the finalisation date {}; correct the date",
            day(d),
            day(facts.on)
        ),
        Some(_) => return Vec::new(),
    };
    vec![unmet(Rule::VictimInformed, "victim_informed_on", why)]
}

/// [`Rule::DiversionCompleted`]: the diversionary activity has a completion date, not after the
/// finalisation date (outcome 22 is recorded only once the activity is completed).
fn rule_diversion_completed(code: &str, evidence: &OutcomeEvidence, facts: &OutcomeFacts) -> Vec<Unmet> {
    let why = match evidence.diversion_completed_on {
        None => format!(
            "Outcome {code} may be recorded only once the diversionary activity is completed: record the date it was \
             completed"
        ),
        Some(d) if d > facts.on => format!(
            "The diversionary activity is recorded as completed on {}, after the finalisation date {}; correct the \
             date",
            day(d),
            day(facts.on)
        ),
        Some(_) => return Vec::new(),
    };
    vec![unmet(Rule::DiversionCompleted, "diversion_completed_on", why)]
}

/// Seniority of a rank for authorisation: Constable 1, Sergeant 2, Inspector 3, Chief Inspector 4,
/// Superintendent 5, Chief Superintendent 6, ACC 7, DCC 8, Chief Constable 9; Special Constable,
/// PCSO and Staff 0.
pub fn seniority(rank: Rank) -> u8 {
    match rank {
        Rank::Constable => 1,
        Rank::Sergeant => 2,
        Rank::Inspector => 3,
        Rank::ChiefInspector => 4,
        Rank::Superintendent => 5,
        Rank::ChiefSuperintendent => 6,
        Rank::AssistantChiefConstable => 7,
        Rank::DeputyChiefConstable => 8,
        Rank::ChiefConstable => 9,
        Rank::SpecialConstable | Rank::Pcso | Rank::Staff => 0,
    }
}

/// "a Sergeant", "an Inspector", "police staff".
fn a_rank(rank: Rank) -> String {
    match rank {
        Rank::Staff => "police staff".to_string(),
        _ => {
            let label = rank.label();
            let article = if label.starts_with(['A', 'E', 'I', 'O', 'U']) { "an" } else { "a" };
            format!("{article} {label}")
        }
    }
}

/// May this person authorise an outcome needing `needed`? `Err` carries the reason in words: the
/// authoriser must hold the supervise permission, must not be the officer who proposed the
/// outcome, and must be of at least that rank (by [`seniority`]).
pub fn may_authorise(
    code: &str,
    needed: Rank,
    domestic_abuse: bool,
    authoriser: Rank,
    can_supervise: bool,
    is_proposer: bool,
) -> Result<(), String> {
    let code = code.trim();
    if !can_supervise {
        return Err(format!(
            "Only a supervisor may authorise outcome {code}; you do not hold the supervise permission"
        ));
    }
    if is_proposer {
        return Err("You proposed this outcome; another supervisor must authorise it".to_string());
    }
    if seniority(authoriser) < seniority(needed) {
        let on = if domestic_abuse { " on a domestic-abuse crime" } else { "" };
        return Err(format!(
            "Outcome {code}{on} needs {} or above to authorise it; you are {}",
            a_rank(needed),
            a_rank(authoriser)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a real date")
    }

    fn finalised() -> NaiveDate {
        date(2026, 3, 1)
    }

    const LONG: &str = "Victim signed a withdrawal statement at home";

    /// Evidence that meets every rule.
    fn full_evidence() -> OutcomeEvidence {
        OutcomeEvidence {
            rationale: "Suspect admitted the offence in interview; victim content".to_string(),
            victim_non_support_on: Some(date(2026, 2, 20)),
            victim_non_support_how: LONG.to_string(),
            evidence_led_decision: "No independent evidence sufficient to proceed without the victim".to_string(),
            evidence_considered: vec![
                (EvidenceKind::BodyWornVideo, Availability::NotAvailable),
                (EvidenceKind::Call999, Availability::Available),
                (EvidenceKind::IndependentWitnesses, Availability::NotAvailable),
                (EvidenceKind::PhotographedInjuries, Availability::NotAvailable),
            ],
            suspect_contact: Some(SuspectContact::Interviewed),
            suspect_contact_note: String::new(),
            diversion_completed_on: Some(date(2026, 2, 27)),
            victim_informed_on: Some(finalised()),
        }
    }

    /// Facts that meet every rule, even the strict engagement minimum.
    fn full_facts() -> OutcomeFacts {
        OutcomeFacts {
            on: finalised(),
            has_suspect_or_offender: true,
            has_named_suspect: true,
            domestic_abuse: false,
            vulnerable_victim: false,
            engagement_attempts: 2,
            missing_enquiries: Vec::new(),
        }
    }

    fn pairs(unmet: &[Unmet]) -> Vec<(Rule, &str)> {
        unmet.iter().map(|u| (u.rule, u.field.as_str())).collect()
    }

    fn check_pairs(policy: &OutcomePolicy, code: &str, e: &OutcomeEvidence, f: &OutcomeFacts) -> Vec<(Rule, String)> {
        match policy.check(code, e, f) {
            Ok(_) => Vec::new(),
            Err(CheckError::Unmet(u)) => u.into_iter().map(|u| (u.rule, u.field)).collect(),
            Err(CheckError::NotValid(why)) => panic!("outcome {code} not valid: {why}"),
        }
    }

    #[test]
    fn the_builtin_list_is_outcomes_1_to_23_with_variants_and_no_0() {
        let list = OutcomeList::builtin();
        assert_eq!(list.version, "Home Office crime outcomes framework, as at 2026 (bluelamp built-in)");
        let codes: Vec<&str> = list.types.iter().map(|t| t.code.as_str()).collect();
        assert_eq!(codes.len(), 26);
        for n in 1..=23 {
            assert!(codes.contains(&n.to_string().as_str()), "outcome {n} is listed");
        }
        assert!(list.get("0").is_none(), "0 is not an outcome");
        for variant in ["1A", "2A", "3A"] {
            let t = list.get(variant).expect("variant listed");
            assert!(!t.confirmed, "{variant} is unconfirmed");
            assert!(t.positive);
        }
        let positive: Vec<&str> = list.types.iter().filter(|t| t.positive).map(|t| t.code.as_str()).collect();
        assert_eq!(positive, ["1", "1A", "2", "2A", "3", "3A", "6", "7", "8", "22"]);
        let unconfirmed: Vec<&str> = list.types.iter().filter(|t| !t.confirmed).map(|t| t.code.as_str()).collect();
        assert_eq!(unconfirmed, ["1A", "2A", "3A", "23"]);
        assert_eq!(list.get("1a").map(|t| t.code.as_str()), Some("1A"), "case and spaces ignored");
        assert_eq!(
            list.get(" 16 ").map(|t| t.group.as_str()),
            Some("Evidential difficulties (victim does not support)")
        );
        let sixteen = list.get("16").expect("listed");
        assert_eq!(
            sixteen.rules,
            [
                Rule::NamedSuspect,
                Rule::VictimNonSupport,
                Rule::VictimEngagement,
                Rule::EvidenceLedDecision,
                Rule::SuspectContact
            ]
        );
        assert!(list.get("19").expect("listed").rules.is_empty());
        assert_eq!(list.get("21").map(|t| t.valid_from), Some(date(2016, 1, 1)));
        assert!(list.types.iter().all(|t| t.valid_to.is_none()));
    }

    #[test]
    fn outcomes_are_valid_only_from_their_start_dates() {
        let list = OutcomeList::builtin();
        let codes = |on| list.valid_on(on).iter().map(|t| t.code.clone()).collect::<Vec<_>>();
        assert!(!codes(date(2025, 3, 1)).contains(&"23".to_string()));
        assert!(codes(date(2026, 3, 1)).contains(&"23".to_string()));
        assert!(list.type_on("23", date(2026, 1, 31)).is_err());
        assert!(list.type_on("23", date(2026, 2, 1)).is_ok());
        assert!(list.type_on("22", date(2019, 3, 31)).is_err());
        assert_eq!(list.type_on("22", date(2019, 4, 1)).map(|t| t.code.as_str()), Ok("22"));
        assert!(list.type_on("21", date(2015, 12, 31)).is_err());
        assert_eq!(list.valid_on(date(2014, 3, 31)), Vec::<&OutcomeType>::new());
        assert_eq!(codes(date(2018, 1, 1)).len(), 24, "all but 22 and 23");
        let now = codes(date(2026, 3, 1));
        let all: Vec<String> = list.types.iter().map(|t| t.code.clone()).collect();
        assert_eq!(now, all, "list order kept");
    }

    #[test]
    fn type_on_explains_in_a_sentence() {
        let list = OutcomeList::builtin();
        assert_eq!(
            list.type_on("23", date(2025, 3, 1)),
            Err("Outcome 23 is not valid on 1 March 2025: it is in force from 1 February 2026".to_string())
        );
        assert_eq!(list.type_on("99", date(2026, 3, 1)), Err("There is no outcome 99".to_string()));
        assert_eq!(list.type_on("0", date(2026, 3, 1)), Err("There is no outcome 0".to_string()));
        let mut withdrawn = list.clone();
        withdrawn.types[0].valid_to = Some(date(2026, 3, 31));
        assert!(withdrawn.type_on("1", date(2026, 3, 31)).is_ok(), "valid_to is inclusive");
        assert_eq!(
            withdrawn.type_on("1", date(2026, 4, 1)),
            Err("Outcome 1 is not valid on 1 April 2026: it was withdrawn after 31 March 2026".to_string())
        );
    }

    #[test]
    fn check_refuses_unknown_and_not_yet_valid_codes() {
        let policy = OutcomePolicy::default();
        let e = full_evidence();
        let mut f = full_facts();
        assert_eq!(policy.check("99", &e, &f), Err(CheckError::NotValid("There is no outcome 99".to_string())));
        f.on = date(2025, 3, 1);
        assert_eq!(
            policy.check("23", &e, &f),
            Err(CheckError::NotValid(
                "Outcome 23 is not valid on 1 March 2025: it is in force from 1 February 2026".to_string()
            ))
        );
    }

    #[test]
    fn every_outcome_passes_with_everything_recorded() {
        let policy = OutcomePolicy::default();
        let (e, f) = (full_evidence(), full_facts());
        for t in policy.list.valid_on(f.on) {
            assert_eq!(policy.unmet(t, &e, &f), Vec::new(), "outcome {}", t.code);
            assert_eq!(policy.check(&t.code, &e, &f).map(|x| x.code.as_str()), Ok(t.code.as_str()));
        }
    }

    type Breaker = fn(&mut OutcomeEvidence, &mut OutcomeFacts);
    /// A table case: its name, the outcome code, what it breaks, and the (rule, field) pairs expected.
    type Case = (&'static str, &'static str, Breaker, Vec<(Rule, &'static str)>);

    /// One case per precondition (and per sub-condition): start from everything met, break exactly
    /// one thing, and expect exactly these (rule, field) pairs.
    fn cases() -> Vec<Case> {
        vec![
            (
                "no suspect or offender",
                "1",
                |_, f| f.has_suspect_or_offender = false,
                vec![(Rule::SuspectOrOffender, "people")],
            ),
            (
                "no suspect or offender (10)",
                "10",
                |_, f| f.has_suspect_or_offender = false,
                vec![(Rule::SuspectOrOffender, "people")],
            ),
            ("no named suspect", "15", |_, f| f.has_named_suspect = false, vec![(Rule::NamedSuspect, "people")]),
            ("no named suspect (16)", "16", |_, f| f.has_named_suspect = false, vec![(Rule::NamedSuspect, "people")]),
            (
                "non-support date missing",
                "14",
                |e, _| e.victim_non_support_on = None,
                vec![(Rule::VictimNonSupport, "victim_non_support_on")],
            ),
            (
                "non-support date after finalisation",
                "14",
                |e, f| e.victim_non_support_on = Some(f.on + TimeDelta::days(1)),
                vec![(Rule::VictimNonSupport, "victim_non_support_on")],
            ),
            (
                "non-support how too short",
                "14",
                |e, _| e.victim_non_support_how = "  by phone   ".to_string(),
                vec![(Rule::VictimNonSupport, "victim_non_support_how")],
            ),
            (
                "non-support how blank",
                "16",
                |e, _| e.victim_non_support_how = String::new(),
                vec![(Rule::VictimNonSupport, "victim_non_support_how")],
            ),
            (
                "non-support date and how both missing",
                "16",
                |e, _| {
                    e.victim_non_support_on = None;
                    e.victim_non_support_how.clear()
                },
                vec![
                    (Rule::VictimNonSupport, "victim_non_support_on"),
                    (Rule::VictimNonSupport, "victim_non_support_how"),
                ],
            ),
            ("no engagement attempts", "16", |_, f| f.engagement_attempts = 0, vec![(Rule::VictimEngagement, "plan")]),
            (
                "one engagement attempt on domestic abuse",
                "16",
                |_, f| {
                    f.domestic_abuse = true;
                    f.engagement_attempts = 1
                },
                vec![(Rule::VictimEngagement, "plan")],
            ),
            (
                "one engagement attempt with a vulnerable victim",
                "16",
                |_, f| {
                    f.vulnerable_victim = true;
                    f.engagement_attempts = 1
                },
                vec![(Rule::VictimEngagement, "plan")],
            ),
            (
                "evidence-led decision too short",
                "16",
                |e, _| e.evidence_led_decision = "No".to_string(),
                vec![(Rule::EvidenceLedDecision, "evidence_led_decision")],
            ),
            (
                "two evidence kinds unanswered",
                "16",
                |e, _| {
                    e.evidence_considered
                        .retain(|(k, _)| !matches!(k, EvidenceKind::BodyWornVideo | EvidenceKind::Call999))
                },
                vec![
                    (Rule::EvidenceLedDecision, "evidence_considered.body-worn-video"),
                    (Rule::EvidenceLedDecision, "evidence_considered.999-call"),
                ],
            ),
            (
                "suspect contact not recorded",
                "16",
                |e, _| e.suspect_contact = None,
                vec![(Rule::SuspectContact, "suspect_contact")],
            ),
            (
                "suspect not contacted, no reason",
                "16",
                |e, _| {
                    e.suspect_contact = Some(SuspectContact::NotContacted);
                    e.suspect_contact_note = "abroad".to_string()
                },
                vec![(Rule::SuspectContact, "suspect_contact_note")],
            ),
            (
                "suspect not spoken to on DA (force rule)",
                "16",
                |e, f| {
                    f.domestic_abuse = true;
                    e.suspect_contact = Some(SuspectContact::NotContacted);
                    e.suspect_contact_note = "Suspect has left the country, whereabouts unknown".to_string()
                },
                vec![(Rule::SuspectSpokenTo, "suspect_contact")],
            ),
            (
                "suspect contact missing on DA (two rules)",
                "16",
                |e, f| {
                    f.domestic_abuse = true;
                    e.suspect_contact = None
                },
                vec![(Rule::SuspectContact, "suspect_contact"), (Rule::SuspectSpokenTo, "suspect_contact")],
            ),
            (
                "mandatory enquiries outstanding",
                "18",
                |_, f| f.missing_enquiries = vec!["CCTV".to_string(), "House-to-house".to_string()],
                vec![(Rule::MandatoryEnquiries, "plan")],
            ),
            (
                "rationale too short",
                "10",
                |e, _| e.rationale = "not in PI".to_string(),
                vec![(Rule::Rationale, "rationale")],
            ),
            ("rationale only spaces", "23", |e, _| e.rationale = " ".repeat(40), vec![(Rule::Rationale, "rationale")]),
            (
                "victim not informed",
                "20",
                |e, _| e.victim_informed_on = None,
                vec![(Rule::VictimInformed, "victim_informed_on")],
            ),
            (
                "victim informed after finalisation",
                "21",
                |e, f| e.victim_informed_on = Some(f.on + TimeDelta::days(3)),
                vec![(Rule::VictimInformed, "victim_informed_on")],
            ),
            (
                "diversion not completed",
                "22",
                |e, _| e.diversion_completed_on = None,
                vec![(Rule::DiversionCompleted, "diversion_completed_on")],
            ),
            (
                "diversion completed after finalisation",
                "22",
                |e, f| e.diversion_completed_on = Some(f.on + TimeDelta::days(1)),
                vec![(Rule::DiversionCompleted, "diversion_completed_on")],
            ),
        ]
    }

    fn table_policy() -> OutcomePolicy {
        let mut policy = OutcomePolicy::default();
        policy.domestic_abuse_rules.insert("16".to_string(), vec![Rule::SuspectSpokenTo]);
        policy
    }

    #[test]
    fn each_precondition_when_broken_is_named_alone() {
        let policy = table_policy();
        let mut covered = Vec::new();
        for (name, code, breaker, expected) in cases() {
            let (mut e, mut f) = (full_evidence(), full_facts());
            let outcome = policy.list.get(code).expect("listed");
            assert!(policy.unmet(outcome, &e, &f).is_empty(), "{name}: starts satisfied");
            breaker(&mut e, &mut f);
            let got = policy.unmet(outcome, &e, &f);
            assert_eq!(pairs(&got), expected, "{name}");
            for u in &got {
                assert!(policy.rules_for(outcome, &f).contains(&u.rule), "{name}: {} applies to {code}", u.rule);
                assert!(u.why.chars().count() > 20, "{name}: why is a sentence: {}", u.why);
            }
            let via_check = check_pairs(&policy, code, &e, &f);
            assert_eq!(via_check, expected.iter().map(|(r, s)| (*r, s.to_string())).collect::<Vec<_>>(), "{name}");
            covered.extend(expected.iter().map(|(r, _)| *r));
        }
        for rule in Rule::ALL {
            assert!(covered.contains(rule), "rule {rule} has a case");
        }
    }

    #[test]
    fn the_reasons_are_concrete() {
        let policy = OutcomePolicy::default();
        let list = &policy.list;
        let (mut e, mut f) = (full_evidence(), full_facts());
        let whys = |e: &OutcomeEvidence, f: &OutcomeFacts, code: &str| {
            policy.unmet(list.get(code).expect("listed"), e, f).into_iter().map(|u| u.why).collect::<Vec<_>>()
        };

        f.missing_enquiries = vec!["CCTV".to_string(), "House-to-house".to_string()];
        assert_eq!(whys(&e, &f, "18"), ["Complete or close these lines of enquiry: CCTV, House-to-house"]);
        f.missing_enquiries.clear();

        f.has_named_suspect = false;
        assert_eq!(whys(&e, &f, "16"), ["Link the named suspect to the crime before using outcome 16"]);
        f.has_named_suspect = true;

        f.domestic_abuse = true;
        f.engagement_attempts = 1;
        assert_eq!(
            whys(&e, &f, "16"),
            ["Outcome 16 on a domestic-abuse crime needs 2 completed victim-engagement attempts in the investigation \
                 plan; 1 recorded"]
        );
        f.domestic_abuse = false;
        assert!(whys(&e, &f, "16").is_empty(), "one attempt is enough ordinarily");
        f.engagement_attempts = 0;
        assert_eq!(
            whys(&e, &f, "16"),
            ["Outcome 16 needs 1 completed victim-engagement attempt in the investigation plan; 0 recorded"]
        );
        f.engagement_attempts = 2;

        e.victim_non_support_on = None;
        assert_eq!(whys(&e, &f, "14"), ["Record when the victim said they do not support police action"]);
        e.victim_non_support_on = Some(date(2026, 3, 2));
        assert_eq!(
            whys(&e, &f, "14"),
            ["The victim's non-support is dated 2 March 2026, after the finalisation date 1 March 2026; correct \
                 the date"]
        );
        e = full_evidence();

        e.evidence_considered.retain(|(k, _)| *k == EvidenceKind::Call999);
        let w = whys(&e, &f, "16");
        assert_eq!(w.len(), 3);
        assert!(w[0].contains("body-worn video"), "{}", w[0]);
        assert!(w[1].contains("independent witnesses"), "{}", w[1]);
        assert!(w[2].contains("photographed injuries"), "{}", w[2]);
        e = full_evidence();

        e.rationale = "short".to_string();
        assert_eq!(whys(&e, &f, "15"), ["Record the rationale for outcome 15 in at least 20 characters; 5 given"]);
    }

    #[test]
    fn text_length_is_counted_after_trimming_and_is_configurable() {
        let mut policy = OutcomePolicy::default();
        let mut e = full_evidence();
        let f = full_facts();
        let ten = policy.list.get("10").expect("listed").clone();
        e.rationale = format!("   {}   ", "x".repeat(19));
        assert_eq!(pairs(&policy.unmet(&ten, &e, &f)), [(Rule::Rationale, "rationale")]);
        e.rationale = format!("   {}   ", "é".repeat(20));
        assert!(policy.unmet(&ten, &e, &f).is_empty(), "characters, not bytes");
        policy.min_text_chars = 50;
        assert_eq!(pairs(&policy.unmet(&ten, &e, &f)), [(Rule::Rationale, "rationale")]);
    }

    #[test]
    fn not_contacted_with_a_reason_satisfies_suspect_contact() {
        let policy = OutcomePolicy::default();
        let mut e = full_evidence();
        let f = full_facts();
        e.suspect_contact = Some(SuspectContact::NotContacted);
        e.suspect_contact_note = "Suspect has left the country, whereabouts unknown".to_string();
        assert_eq!(policy.check("16", &e, &f).map(|t| t.code.as_str()), Ok("16"));
        e.suspect_contact = Some(SuspectContact::Contacted);
        e.suspect_contact_note.clear();
        assert!(policy.check("16", &e, &f).is_ok(), "a reason is only needed when not contacted");
    }

    #[test]
    fn domestic_abuse_16_needs_two_engagement_attempts() {
        let policy = OutcomePolicy::default();
        let e = full_evidence();
        let mut f = full_facts();
        f.domestic_abuse = true;
        f.engagement_attempts = 1;
        assert_eq!(check_pairs(&policy, "16", &e, &f), [(Rule::VictimEngagement, "plan".to_string())]);
        f.engagement_attempts = 2;
        assert!(policy.check("16", &e, &f).is_ok());
        let mut stricter = OutcomePolicy { min_engagement_attempts_strict: 3, ..OutcomePolicy::default() };
        assert!(stricter.check("16", &e, &f).is_err());
        stricter.min_engagement_attempts = 0;
        f.domestic_abuse = false;
        f.engagement_attempts = 0;
        assert!(stricter.check("16", &e, &f).is_ok(), "the ordinary minimum is configurable too");
    }

    #[test]
    fn force_extras_apply_to_the_right_crimes_without_repeats() {
        let mut policy = OutcomePolicy::default();
        policy.domestic_abuse_rules.insert("16".to_string(), vec![Rule::SuspectSpokenTo, Rule::NamedSuspect]);
        policy.vulnerable_rules.insert("16".to_string(), vec![Rule::Rationale, Rule::SuspectSpokenTo]);
        policy.vulnerable_rules.insert("1".to_string(), vec![Rule::VictimInformed]);
        let sixteen = policy.list.get("16").expect("listed").clone();
        let own = sixteen.rules.clone();
        let mut f = full_facts();
        assert_eq!(policy.rules_for(&sixteen, &f), own, "no extras on an ordinary crime");
        f.domestic_abuse = true;
        let mut expected = own.clone();
        expected.push(Rule::SuspectSpokenTo);
        assert_eq!(policy.rules_for(&sixteen, &f), expected, "NamedSuspect is not repeated");
        f.vulnerable_victim = true;
        expected.push(Rule::Rationale);
        assert_eq!(policy.rules_for(&sixteen, &f), expected, "SuspectSpokenTo is not repeated");
        f.domestic_abuse = false;
        let mut vulnerable_only = own.clone();
        vulnerable_only.extend([Rule::Rationale, Rule::SuspectSpokenTo]);
        assert_eq!(policy.rules_for(&sixteen, &f), vulnerable_only);

        let one = policy.list.get("1").expect("listed").clone();
        let mut e = full_evidence();
        e.victim_informed_on = None;
        assert_eq!(pairs(&policy.unmet(&one, &e, &f)), [(Rule::VictimInformed, "victim_informed_on")]);
        f.vulnerable_victim = false;
        assert!(policy.unmet(&one, &e, &f).is_empty());

        for t in &policy.list.types {
            for (da, vul) in [(false, false), (true, false), (false, true), (true, true)] {
                let facts = OutcomeFacts { domestic_abuse: da, vulnerable_victim: vul, ..full_facts() };
                let rules = policy.rules_for(t, &facts);
                let mut unique = rules.clone();
                unique.sort();
                unique.dedup();
                assert_eq!(unique.len(), rules.len(), "outcome {} has no repeated rule", t.code);
            }
        }
    }

    #[test]
    fn who_must_authorise() {
        let policy = OutcomePolicy::default();
        let mut f = full_facts();
        assert_eq!(policy.authoriser_needed("16", &f), Some(Rank::Sergeant));
        assert_eq!(policy.authoriser_needed("1", &f), None);
        assert_eq!(policy.authoriser_needed("18", &f), None);
        f.domestic_abuse = true;
        assert_eq!(policy.authoriser_needed("16", &f), Some(Rank::Inspector));
        assert_eq!(policy.authoriser_needed("1", &f), None);

        let mut custom = OutcomePolicy::default();
        custom.domestic_abuse_authorise.insert("16".to_string(), Rank::Constable);
        custom.domestic_abuse_authorise.insert("21".to_string(), Rank::Sergeant);
        assert_eq!(custom.authoriser_needed("16", &f), Some(Rank::Sergeant), "the DA rank only overrides when higher");
        assert_eq!(custom.authoriser_needed("21", &f), Some(Rank::Sergeant), "DA only");
        f.domestic_abuse = false;
        assert_eq!(custom.authoriser_needed("21", &f), None);
    }

    #[test]
    fn may_authorise_refuses_with_reasons() {
        assert_eq!(
            may_authorise("16", Rank::Inspector, true, Rank::Sergeant, true, false),
            Err("Outcome 16 on a domestic-abuse crime needs an Inspector or above to authorise it; you are a Sergeant"
                .to_string())
        );
        assert_eq!(
            may_authorise("16", Rank::Sergeant, false, Rank::Constable, true, false),
            Err("Outcome 16 needs a Sergeant or above to authorise it; you are a Constable".to_string())
        );
        assert_eq!(
            may_authorise("16", Rank::Sergeant, false, Rank::Staff, true, false),
            Err("Outcome 16 needs a Sergeant or above to authorise it; you are police staff".to_string())
        );
        assert_eq!(
            may_authorise("16", Rank::Inspector, true, Rank::Inspector, true, true),
            Err("You proposed this outcome; another supervisor must authorise it".to_string())
        );
        assert_eq!(
            may_authorise("16", Rank::Inspector, true, Rank::ChiefInspector, false, false),
            Err("Only a supervisor may authorise outcome 16; you do not hold the supervise permission".to_string())
        );
        assert_eq!(may_authorise("16", Rank::Inspector, true, Rank::ChiefInspector, true, false), Ok(()));
        assert_eq!(may_authorise("16", Rank::Inspector, true, Rank::Inspector, true, false), Ok(()));
        assert_eq!(may_authorise("16", Rank::Sergeant, false, Rank::ChiefConstable, true, false), Ok(()));
    }

    #[test]
    fn seniority_orders_the_ranks() {
        let sworn = [
            Rank::Constable,
            Rank::Sergeant,
            Rank::Inspector,
            Rank::ChiefInspector,
            Rank::Superintendent,
            Rank::ChiefSuperintendent,
            Rank::AssistantChiefConstable,
            Rank::DeputyChiefConstable,
            Rank::ChiefConstable,
        ];
        assert_eq!(sworn.map(seniority), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        for other in [Rank::SpecialConstable, Rank::Pcso, Rank::Staff] {
            assert_eq!(seniority(other), 0);
        }
        assert_eq!(Rank::ALL.len(), sworn.len() + 3, "every rank has a seniority");
    }

    const ONE: &str = r#"
version = "Test force list"
[[outcome]]
code = "1"
label = "Charged"
meaning = "Charged or summonsed."
group = "Charge/summons"
valid_from = "2014-04-01"
positive = true
rules = ["suspect-or-offender"]
"#;

    fn with_outcome(fields: &str) -> String {
        let two = "code = \"2\"\nlabel = \"Caution\"\nmeaning = \"Cautioned.\"\ngroup = \"OOCD\"\npositive = false";
        format!("{ONE}\n[[outcome]]\n{two}\n{fields}\n")
    }

    #[test]
    fn a_force_list_loads_with_defaults() {
        let list = OutcomeList::from_toml(ONE).expect("valid");
        assert_eq!(list.version, "Test force list");
        let t = list.get("1").expect("listed");
        assert!(t.confirmed, "confirmed defaults to true");
        assert_eq!(t.valid_to, None);
        let two = OutcomeList::from_toml(&with_outcome("valid_from = \"2014-04-01\"\nvalid_to = \"2020-03-31\""))
            .expect("valid");
        let t = two.get("2").expect("listed");
        assert!(t.rules.is_empty(), "rules default to none");
        assert_eq!(t.valid_to, Some(date(2020, 3, 31)));
    }

    #[test]
    fn from_toml_names_every_problem() {
        let err = |text: &str| OutcomeList::from_toml(text).expect_err("refused");
        let e = err("version = ");
        assert!(e.starts_with("not a valid list of outcome types (line 1):"), "{e}");
        let e = err(&format!("{ONE}colour = \"blue\"\n"));
        assert!(e.contains("colour"), "unknown field named: {e}");
        assert_eq!(err("version = \"x\""), "there must be at least one [[outcome]]");
        assert!(err(&ONE.replace("Test force list", " ")).contains("version must be 1 to 100 characters"));
        assert!(err(&ONE.replace("Test force list", &"v".repeat(101))).contains("version must be 1 to 100"));
        assert_eq!(
            err(&ONE.replace("code = \"1\"", "code = \"123456\"")),
            "outcome 1 (123456): code must be 1 to 5 characters"
        );
        assert_eq!(err(&ONE.replace("code = \"1\"", "code = \"  \"")), "outcome 1 (): code must be 1 to 5 characters");
        assert_eq!(
            err(&with_outcome("valid_from = \"2014-04-01\"").replace("code = \"2\"", "code = \"1\"")),
            "outcome 2 (1): code 1 is listed twice"
        );
        assert_eq!(err(&ONE.replace("\"Charged\"", "\" \"")), "outcome 1 (1): label must not be blank");
        assert_eq!(err(&ONE.replace("\"Charged or summonsed.\"", "\"\"")), "outcome 1 (1): meaning must not be blank");
        assert_eq!(err(&ONE.replace("\"Charge/summons\"", "\"\"")), "outcome 1 (1): group must not be blank");
        assert_eq!(
            err(&ONE.replace("2014-04-01", "2014-13-01")),
            "outcome 1 (1): valid_from '2014-13-01' is not a date (YYYY-MM-DD)"
        );
        assert_eq!(
            err(&with_outcome("valid_from = \"2014-04-01\"\nvalid_to = \"1 April 2020\"")),
            "outcome 2 (2): valid_to '1 April 2020' is not a date (YYYY-MM-DD)"
        );
        assert_eq!(
            err(&with_outcome("valid_from = \"2020-04-01\"\nvalid_to = \"2020-03-31\"")),
            "outcome 2 (2): valid_to 2020-03-31 is before valid_from 2020-04-01"
        );
        let e = err(&ONE.replace("\"suspect-or-offender\"", "\"suspect-or-offender\", \"magic\""));
        assert!(e.starts_with("outcome 1 (1): rules 'magic' is not one of suspect-or-offender, named-suspect"), "{e}");
        assert_eq!(
            err(&ONE.replace("\"suspect-or-offender\"]", "\"rationale\", \"rationale\"]")),
            "outcome 1 (1): rule 'rationale' is listed twice"
        );
        let missing = err(&ONE.replace("positive = true\n", ""));
        assert!(missing.contains("positive"), "{missing}");
        let several = err(&ONE.replace("\"Charged\"", "\"\"").replace("2014-04-01", "soon"));
        assert_eq!(
            several,
            "outcome 1 (1): label must not be blank; outcome 1 (1): valid_from 'soon' is not a date (YYYY-MM-DD)"
        );
    }

    fn arb_kind() -> impl Strategy<Value = EvidenceKind> {
        prop::sample::select(EvidenceKind::ALL)
    }

    fn arb_contact() -> impl Strategy<Value = Option<SuspectContact>> {
        prop::option::of(prop::sample::select(SuspectContact::ALL))
    }

    /// Evidence and facts around a finalisation date between 2019 and 2026, with dates either side of it.
    fn arb_case() -> impl Strategy<Value = (OutcomeEvidence, OutcomeFacts)> {
        let text = || "[a-z ]{0,30}";
        let offset = || prop::option::of(-5i64..5);
        (
            (text(), offset(), text(), text(), prop::collection::vec((arb_kind(), any::<bool>()), 0..6)),
            (arb_contact(), text(), offset(), offset()),
            (0i64..2900, any::<[bool; 4]>(), 0u32..4, prop::collection::vec("[A-Za-z]{1,10}", 0..3)),
        )
            .prop_map(
                |((rationale, ns_on, ns_how, decision, considered), (contact, note, div, inf), facts)| {
                    let (day, flags, attempts, missing) = facts;
                    let on = date(2019, 1, 1) + TimeDelta::days(day);
                    let at = |o: Option<i64>| o.map(|d| on + TimeDelta::days(d));
                    let evidence = OutcomeEvidence {
                        rationale,
                        victim_non_support_on: at(ns_on),
                        victim_non_support_how: ns_how,
                        evidence_led_decision: decision,
                        evidence_considered: considered
                            .into_iter()
                            .map(|(k, a)| (k, if a { Availability::Available } else { Availability::NotAvailable }))
                            .collect(),
                        suspect_contact: contact,
                        suspect_contact_note: note,
                        diversion_completed_on: at(div),
                        victim_informed_on: at(inf),
                    };
                    let facts = OutcomeFacts {
                        on,
                        has_suspect_or_offender: flags[0],
                        has_named_suspect: flags[1],
                        domestic_abuse: flags[2],
                        vulnerable_victim: flags[3],
                        engagement_attempts: attempts,
                        missing_enquiries: missing,
                    };
                    (evidence, facts)
                },
            )
    }

    fn codes() -> Vec<String> {
        let mut codes: Vec<String> = OutcomeList::builtin().types.into_iter().map(|t| t.code).collect();
        codes.push("99".to_string());
        codes
    }

    proptest! {
        #[test]
        fn check_passes_exactly_when_nothing_is_unmet(
            (e, f) in arb_case(),
            code in prop::sample::select(codes()),
        ) {
            let policy = table_policy();
            match policy.list.type_on(&code, f.on) {
                Err(why) => prop_assert_eq!(policy.check(&code, &e, &f), Err(CheckError::NotValid(why))),
                Ok(t) => {
                    let unmet = policy.unmet(t, &e, &f);
                    match policy.check(&code, &e, &f) {
                        Ok(got) => {
                            prop_assert!(unmet.is_empty());
                            prop_assert_eq!(got, t);
                        }
                        Err(err) => prop_assert_eq!(err, CheckError::Unmet(unmet)),
                    }
                }
            }
        }

        #[test]
        fn adding_information_never_adds_an_unmet_rule(
            (e, f) in arb_case(),
            code in prop::sample::select(codes()),
            more in any::<[bool; 10]>(),
            extra_attempts in 0u32..3,
        ) {
            let policy = table_policy();
            let Some(t) = policy.list.get(&code) else { return Ok(()) };
            let before = policy.unmet(t, &e, &f);
            let (mut e2, mut f2) = (e.clone(), f.clone());
            let earlier = f.on - TimeDelta::days(1);
            let suffix = " and the reasons are written down in full";
            if more[0] { e2.rationale.push_str(suffix); }
            if more[1] && e2.victim_non_support_on.is_none() { e2.victim_non_support_on = Some(earlier); }
            if more[2] { e2.victim_non_support_how.push_str(suffix); }
            if more[3] { e2.evidence_led_decision.push_str(suffix); }
            if more[4] {
                e2.evidence_considered.extend(EvidenceKind::ALL.iter().map(|k| (*k, Availability::NotAvailable)));
            }
            if more[5] && e2.suspect_contact.is_none() { e2.suspect_contact = Some(SuspectContact::Interviewed); }
            if more[6] { e2.suspect_contact_note.push_str(suffix); }
            if more[7] && e2.diversion_completed_on.is_none() { e2.diversion_completed_on = Some(earlier); }
            if more[8] && e2.victim_informed_on.is_none() { e2.victim_informed_on = Some(earlier); }
            if more[9] {
                f2.has_suspect_or_offender = true;
                f2.has_named_suspect = true;
                f2.missing_enquiries.pop();
            }
            f2.engagement_attempts += extra_attempts;
            let after = policy.unmet(t, &e2, &f2);
            for u in &after {
                prop_assert!(
                    before.iter().any(|b| b.rule == u.rule && b.field == u.field),
                    "{} / {} appeared after adding information", u.rule, u.field
                );
            }
            prop_assert!(after.len() <= before.len());
        }
    }
}
