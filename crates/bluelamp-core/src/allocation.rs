//! Allocating crimes to investigators by skill and workload (issue 6; `../shared/PRODUCT.md`: "crimes
//! allocated to officers who may lack the skills" → "allocation that matches crime to accreditation
//! (PIP level, specialisms) and workload, and says why"). The incident management unit allocates
//! crimes to investigators (Kent policy N26, `../shared/domain/REFERENCE.md` §10.1); PIP levels and
//! the SOLO role are in `../shared/domain/GLOSSARY.md`.
//!
//! Three parts:
//!
//! - A [`RequirementTable`]: which crimes need which accreditation (a minimum PIP level and
//!   specialisms, by offence group, offence code, flag or hate crime) and how many workload points
//!   each offence group weighs. Versioned and replaceable by a force's own TOML
//!   ([`RequirementTable::parse`]).
//! - [`check`]: whether one officer may take one crime, and why not in words (for a supervisor's own
//!   choice).
//! - [`propose`]: an allocation for every crime in the queue at once, solved exactly as a min-cost
//!   flow, with the reasons for each officer or why no officer could take the crime.
//!   [`exact_reference`] solves the same problem on the plain network, independently, to prove it.
//!
//! # The problem
//!
//! Hard constraints: an officer gets a crime only if they are available, hold at least the crime's
//! PIP level and every specialism it needs, are in the desk-investigation team exactly when the crime
//! was routed to desk investigation, and stay within their cap: `open_crimes + new ≤ cap`, counted in
//! crimes (workload points measure load for balancing; the cap is a count supervisors can reason
//! about). Everything else is a cost ([`CostWeights`]), minimised over the whole queue: another
//! division, accreditation or specialisms the crime does not need (kept for harder crimes), existing
//! workload, and a convex charge for each new crime given to the same officer in the plan (the k-th
//! costs k × step, so load spreads), less a bonus for an officer who already holds a crime for the same
//! victim or suspect. A crime left unallocated costs a large penalty that rises with its priority, so
//! when capacity is short the least urgent crimes wait.
//!
//! # Why [`propose`] is exact
//!
//! The plain problem is a min-cost flow: source → each crime (1 unit) → each eligible officer →
//! that officer's places (the k-th place costs its convex step) → sink, plus crime → sink for
//! "unallocated". It is solved on an equivalent smaller network:
//!
//! 1. Crimes with the same division, need and desk route and no usable continuity are interchangeable:
//!    they reach the same officers at the same cost. They form one node whose supply is their number;
//!    their different priorities only change the unallocated penalty, so the node has one
//!    "unallocated" arc per priority value with the number of crimes of that priority as capacity.
//! 2. Officers with the same division, PIP level, specialisms and desk team cost any crime the same
//!    except for their own workload and places. They form one class node. A class can take X crimes
//!    no cheaper than its X cheapest places; because an officer's places cost more with each new crime
//!    (k × step), the X cheapest places are a first few places of each officer, so they can always be
//!    given out. The class node therefore has one arc to the sink per place cost, with the number of
//!    places at that cost as capacity (at most the queue's size of them).
//! 3. The fit cost splits into another-division cost (crime's and officer's divisions) plus PIP and
//!    specialism surplus (need and class). Crime nodes reach classes through a hub per (need,
//!    division): crime → hub pays the division cost, hub → class the surplus; the path cost is the same
//!    as a direct arc, with far fewer arcs.
//! 4. Continuity is specific to one crime and one officer: such a crime gets its own node with an arc
//!    to each such officer, carrying the bonus, to the officer's own node (with their own places,
//!    taken out of the class's pool), plus its own unallocated arc and an arc into its type's node for
//!    every other officer. A unit entering the type's node may leave by the type's unallocated arc: that
//!    is the same as allocating this crime in place of one of the type's own crimes of that priority.
//!
//! Every allocation of the plain network is a flow of the same cost here and every flow here is
//! given out as an allocation of no greater cost, so the optima are equal. The flow is found by the
//! primal-dual method: Dijkstra on reduced costs (potentials keep them non-negative), then a maximum
//! flow over the arcs of reduced cost zero (Dinic), repeated until every crime is routed. At the end
//! every residual arc has a non-negative reduced cost, which is the optimality condition. The arcs by
//! which a crime goes to an officer or to "unallocated" (out of its type's node, or out of its own) all
//! cost the continuity bonus more, so none is negative; every crime takes exactly one of them, so that
//! adds the same amount to every solution.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};

use serde::Deserialize;
use uuid::Uuid;

use crate::crime::CrimeFlag;
use crate::error::FieldError;
use crate::offence::{OffenceGroup, is_code_shaped};
use crate::user::{PipLevel, Rank, Specialism};

// ---- Requirements ---------------------------------------------------------------------------------

/// The version of [`RequirementTable::builtin`].
pub const REQUIREMENTS_VERSION: &str = "bluelamp built-in allocation requirements v1";

/// The most workload points one crime may weigh.
pub const MAX_WEIGHT: u32 = 20;

/// What crimes need of the officer who investigates them, and what they weigh. Versioned: a force
/// replaces it with its own ([`RequirementTable::parse`]) and every proposal can say which it used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementTable {
    pub version: String,
    pub rules: Vec<RequirementRule>,
    pub weights: WorkloadWeights,
}

/// Workload points per open crime by offence group (the force's setting): a rape investigation is
/// more work than a shoplifting, so caseloads are compared in points as well as in crimes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadWeights {
    /// Groups not listed weigh this.
    pub default: u32,
    pub by_group: Vec<(OffenceGroup, u32)>,
}

impl WorkloadWeights {
    pub fn of(&self, group: OffenceGroup) -> u32 {
        self.by_group.iter().find(|(g, _)| *g == group).map_or(self.default, |(_, w)| *w)
    }
}

/// One rule: crimes it matches (any of its groups, codes or flags, or any hate crime) need at least
/// `min_pip` and every one of `specialisms`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementRule {
    /// Shown in the reasons ("Sexual offence: PIP level 2 and sexual offences liaison").
    pub name: String,
    pub groups: Vec<OffenceGroup>,
    /// Home Office codes, upper case ("1", "4/1", "8N").
    pub codes: Vec<String>,
    pub flags: Vec<CrimeFlag>,
    /// Matches a crime with any hate-crime strand.
    pub hate: bool,
    pub min_pip: PipLevel,
    pub specialisms: Vec<Specialism>,
    /// Why the force requires it, for the settings page.
    pub why: String,
}

/// The facts of a crime the requirement table looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrimeFacts {
    pub offence_code: String,
    pub offence_group: OffenceGroup,
    pub flags: Vec<CrimeFlag>,
    /// The crime has at least one hate-crime strand.
    pub hate: bool,
}

/// What one crime needs: the union of every matching rule (the highest PIP level, every specialism)
/// and its workload weight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    pub min_pip: PipLevel,
    /// Sorted, without repeats.
    pub specialisms: Vec<Specialism>,
    /// Workload points, 1 to [`MAX_WEIGHT`].
    pub weight: u32,
    /// One per matching rule: "Sexual offence: PIP level 2 and sexual offences liaison".
    pub reasons: Vec<String>,
}

impl Default for Need {
    /// A crime that needs no accreditation and weighs one point.
    fn default() -> Self {
        Need { min_pip: PipLevel::None, specialisms: Vec::new(), weight: 1, reasons: Vec::new() }
    }
}

impl RequirementRule {
    fn named(name: &str, why: &str) -> RequirementRule {
        RequirementRule {
            name: name.into(),
            groups: Vec::new(),
            codes: Vec::new(),
            flags: Vec::new(),
            hate: false,
            min_pip: PipLevel::None,
            specialisms: Vec::new(),
            why: why.into(),
        }
    }

    pub fn matches(&self, facts: &CrimeFacts) -> bool {
        let code = facts.offence_code.trim();
        self.groups.contains(&facts.offence_group)
            || self.codes.iter().any(|c| c.eq_ignore_ascii_case(code))
            || self.flags.iter().any(|f| facts.flags.contains(f))
            || (self.hate && facts.hate)
    }

    /// What the rule requires, in words: "PIP level 2 and sexual offences liaison".
    pub fn requirement(&self) -> String {
        requirement_words(self.min_pip, &self.specialisms)
    }
}

impl RequirementTable {
    /// The built-in table. The accreditation rules follow common practice in English and Welsh forces
    /// (PIP levels as in GLOSSARY.md); the weights are this force's setting, to be tuned.
    pub fn builtin() -> RequirementTable {
        use OffenceGroup::*;
        use PipLevel::*;
        let rules = vec![
            // Rape and other sexual offences: an accredited detective (PIP 2, serious and complex
            // crime) who is also a sexual offences liaison officer, the victim's point of contact.
            RequirementRule {
                groups: vec![SexualOffences],
                min_pip: Pip2,
                specialisms: vec![Specialism::SexualOffencesLiaison],
                ..RequirementRule::named(
                    "Sexual offence",
                    "Serious and complex crime (PIP 2) with a sexual offences liaison officer for the victim",
                )
            },
            // Homicide, attempted murder and conspiracy to murder are major crime: a senior
            // investigating officer at PIP 3 (offence codes 1, 2, 3A, 4/1, 4/2, 4/10, REFERENCE.md §2.5).
            RequirementRule {
                codes: ["1", "2", "3A", "4/1", "4/2", "4/10"].map(String::from).to_vec(),
                min_pip: Pip3,
                ..RequirementRule::named("Homicide or attempted murder", "Major crime, led by a PIP 3 investigator")
            },
            // Deaths caused by driving or neglect are serious and complex: PIP 2.
            RequirementRule {
                codes: ["4/3", "4/4", "4/6", "4/7", "4/8", "4/9", "37/1"].map(String::from).to_vec(),
                min_pip: Pip2,
                ..RequirementRule::named("Death caused by driving or neglect", "Serious and complex crime (PIP 2)")
            },
            // Violence with injury and robbery are priority crime: at least PIP 1.
            RequirementRule {
                codes: ["5D", "5E", "8N", "8P", "8S"].map(String::from).to_vec(),
                min_pip: Pip1,
                ..RequirementRule::named("Violence with injury", "Priority crime: a PIP 1 investigator")
            },
            RequirementRule {
                groups: vec![Robbery],
                min_pip: Pip1,
                ..RequirementRule::named("Robbery", "Priority crime: a PIP 1 investigator")
            },
            // Domestic abuse needs an officer trained in its risk (DASH) and safeguarding.
            RequirementRule {
                flags: vec![CrimeFlag::DomesticAbuse],
                specialisms: vec![Specialism::DomesticAbuse],
                ..RequirementRule::named("Domestic abuse", "Risk assessment and safeguarding of the victim")
            },
            // Child victims and child sexual exploitation: child abuse investigation training.
            RequirementRule {
                flags: vec![CrimeFlag::ChildVictim, CrimeFlag::ChildSexualExploitation],
                specialisms: vec![Specialism::ChildAbuse],
                ..RequirementRule::named("Child victim", "Child protection and achieving-best-evidence interviews")
            },
            // Modern slavery, by flag or by its offence code (106).
            RequirementRule {
                codes: vec!["106".into()],
                flags: vec![CrimeFlag::ModernSlavery],
                specialisms: vec![Specialism::ModernSlavery],
                ..RequirementRule::named("Modern slavery", "Victim identification and the National Referral Mechanism")
            },
            // Any hate-crime strand: an officer trained in hate crime.
            RequirementRule {
                hate: true,
                specialisms: vec![Specialism::HateCrime],
                ..RequirementRule::named("Hate crime", "Hate-crime strands and the victim's needs")
            },
        ];
        RequirementTable {
            version: REQUIREMENTS_VERSION.into(),
            rules,
            weights: WorkloadWeights {
                default: 1,
                by_group: vec![(SexualOffences, 3), (Robbery, 2), (ViolenceAgainstThePerson, 2)],
            },
        }
    }

    /// Workload points of one open crime of this group.
    pub fn weight_of(&self, group: OffenceGroup) -> u32 {
        self.weights.of(group)
    }

    /// What a crime needs: every matching rule, joined.
    pub fn need_for(&self, facts: &CrimeFacts) -> Need {
        let mut need = Need { weight: self.weight_of(facts.offence_group), ..Need::default() };
        for rule in self.rules.iter().filter(|r| r.matches(facts)) {
            need.min_pip = need.min_pip.max(rule.min_pip);
            need.specialisms.extend(rule.specialisms.iter().copied());
            need.reasons.push(format!("{}: {}", rule.name, rule.requirement()));
        }
        need.specialisms.sort();
        need.specialisms.dedup();
        need
    }

    /// Reads a force's table from TOML:
    ///
    /// ```toml
    /// version = "Wealdshire allocation 2026-11"
    ///
    /// [weights]              # workload points per open crime, 1 to 20; `default` for the rest
    /// default = 1
    /// sexual-offences = 3
    ///
    /// [[rule]]
    /// name = "Sexual offence"
    /// groups = ["sexual-offences"]   # and/or codes = ["19C"], flags = ["cse"], hate = true
    /// min_pip = "pip2"
    /// specialisms = ["sexual-offences-liaison"]
    /// why = "Serious and complex crime with a SOLO"
    /// ```
    ///
    /// Every problem is reported at once, each with its field and line.
    pub fn parse(text: &str) -> Result<RequirementTable, Vec<FieldError>> {
        let file: TableFile = toml::from_str(text).map_err(|e| {
            let at = e.span().map(|s| format!("line {}: ", line_of(text, s.start))).unwrap_or_default();
            vec![FieldError::new("file", format!("{at}{}", e.message().trim()))]
        })?;
        let mut errors = Vec::new();
        let line = |span: std::ops::Range<usize>| line_of(text, span.start);
        let version = file.version.get_ref().trim().to_string();
        if version.is_empty() || version.chars().count() > 100 {
            errors.push(FieldError::new(
                "version",
                format!("line {}: the version must be 1 to 100 characters", line(file.version.span())),
            ));
        }
        let mut weights = WorkloadWeights { default: 1, by_group: Vec::new() };
        for (key, value) in &file.weights {
            let field = format!("weights.{key}");
            let at = line(value.span());
            let weight = match u32::try_from(*value.get_ref()) {
                Ok(w) if (1..=MAX_WEIGHT).contains(&w) => w,
                _ => {
                    errors.push(FieldError::new(
                        &field,
                        format!("line {at}: a weight is a whole number of points from 1 to {MAX_WEIGHT}"),
                    ));
                    continue;
                }
            };
            if key == "default" {
                weights.default = weight;
            } else {
                match key.parse::<OffenceGroup>() {
                    Ok(group) => weights.by_group.push((group, weight)),
                    Err(_) => errors.push(FieldError::new(
                        &field,
                        format!(
                            "line {at}: \"{key}\" is not an offence group; use default or one of {}",
                            known(OffenceGroup::ALL)
                        ),
                    )),
                }
            }
        }
        weights.by_group.sort();
        let mut rules: Vec<RequirementRule> = Vec::new();
        for (n, r) in file.rules.into_iter().enumerate() {
            let at = format!("rule[{}]", n + 1);
            let rule_line = line(r.name.span());
            let name = r.name.get_ref().trim().to_string();
            if name.is_empty() || name.chars().count() > 100 {
                errors.push(FieldError::new(
                    format!("{at}.name"),
                    format!("line {rule_line}: the name must be 1 to 100 characters"),
                ));
            } else if rules.iter().any(|x| x.name == name) {
                errors.push(FieldError::new(
                    format!("{at}.name"),
                    format!("line {rule_line}: another rule is already named \"{name}\""),
                ));
            }
            let mut rule = RequirementRule::named(&name, r.why.trim());
            rule.hate = r.hate;
            rule.groups = parse_list(&r.groups, &format!("{at}.groups"), "an offence group", &mut errors, line);
            rule.flags = parse_list(&r.flags, &format!("{at}.flags"), "a crime flag", &mut errors, line);
            rule.specialisms =
                parse_list(&r.specialisms, &format!("{at}.specialisms"), "a specialism", &mut errors, line);
            rule.specialisms.sort();
            rule.specialisms.dedup();
            for code in &r.codes {
                let upper = code.get_ref().trim().to_ascii_uppercase();
                if is_code_shaped(&upper) {
                    rule.codes.push(upper);
                } else {
                    errors.push(FieldError::new(
                        format!("{at}.codes"),
                        format!(
                            "line {}: \"{}\" is not a Home Office code (like 8N, 105A or 4/10)",
                            line(code.span()),
                            code.get_ref()
                        ),
                    ));
                }
            }
            if let Some(pip) = &r.min_pip {
                match pip.get_ref().trim().parse::<PipLevel>() {
                    Ok(p) => rule.min_pip = p,
                    Err(_) => errors.push(FieldError::new(
                        format!("{at}.min_pip"),
                        format!(
                            "line {}: \"{}\" is not a PIP level; use one of {}",
                            line(pip.span()),
                            pip.get_ref(),
                            known(PipLevel::ALL)
                        ),
                    )),
                }
            }
            if r.groups.is_empty() && r.codes.is_empty() && r.flags.is_empty() && !r.hate {
                errors.push(FieldError::new(
                    at.clone(),
                    format!("line {rule_line}: the rule matches no crime; give groups, codes, flags or hate = true"),
                ));
            }
            let pip_given = r.min_pip.as_ref().is_some_and(|p| p.get_ref().trim() != PipLevel::None.as_str());
            if !pip_given && r.specialisms.is_empty() {
                errors.push(FieldError::new(
                    at.clone(),
                    format!("line {rule_line}: the rule requires nothing; give a min_pip above none or specialisms"),
                ));
            }
            rules.push(rule);
        }
        if errors.is_empty() { Ok(RequirementTable { version, rules, weights }) } else { Err(errors) }
    }
}

impl Default for RequirementTable {
    fn default() -> Self {
        RequirementTable::builtin()
    }
}

/// A force's table file, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TableFile {
    version: toml::Spanned<String>,
    #[serde(default)]
    weights: BTreeMap<String, toml::Spanned<i64>>,
    #[serde(default, rename = "rule")]
    rules: Vec<RuleFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    name: toml::Spanned<String>,
    #[serde(default)]
    groups: Vec<toml::Spanned<String>>,
    #[serde(default)]
    codes: Vec<toml::Spanned<String>>,
    #[serde(default)]
    flags: Vec<toml::Spanned<String>>,
    #[serde(default)]
    hate: bool,
    min_pip: Option<toml::Spanned<String>>,
    #[serde(default)]
    specialisms: Vec<toml::Spanned<String>>,
    #[serde(default)]
    why: String,
}

fn line_of(text: &str, offset: usize) -> usize {
    text.bytes().take(offset).filter(|b| *b == b'\n').count() + 1
}

fn known<T: Copy + std::fmt::Display>(all: &[T]) -> String {
    all.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", ")
}

/// Parses each named value, reporting the unknown ones with their line.
fn parse_list<T: NamedAll>(
    values: &[toml::Spanned<String>],
    field: &str,
    what: &str,
    errors: &mut Vec<FieldError>,
    line: impl Fn(std::ops::Range<usize>) -> usize,
) -> Vec<T> {
    let mut out = Vec::new();
    for value in values {
        match value.get_ref().trim().parse::<T>() {
            Ok(v) if !out.contains(&v) => out.push(v),
            Ok(_) => {}
            Err(_) => errors.push(FieldError::new(
                field,
                format!(
                    "line {}: \"{}\" is not {what}; use one of {}",
                    line(value.span()),
                    value.get_ref(),
                    known(T::all())
                ),
            )),
        }
    }
    out
}

/// The enums a table file names, with every value for the error messages.
trait NamedAll: std::str::FromStr + Copy + std::fmt::Display + PartialEq + 'static {
    fn all() -> &'static [Self];
}

impl NamedAll for OffenceGroup {
    fn all() -> &'static [Self] {
        OffenceGroup::ALL
    }
}

impl NamedAll for CrimeFlag {
    fn all() -> &'static [Self] {
        CrimeFlag::ALL
    }
}

impl NamedAll for Specialism {
    fn all() -> &'static [Self] {
        Specialism::ALL
    }
}

/// "PIP level 2".
fn pip_words(pip: PipLevel) -> &'static str {
    match pip {
        PipLevel::None => "no PIP accreditation",
        PipLevel::Pip1 => "PIP level 1",
        PipLevel::Pip2 => "PIP level 2",
        PipLevel::Pip3 => "PIP level 3",
        PipLevel::Pip4 => "PIP level 4",
    }
}

fn specialism_words(s: Specialism) -> String {
    s.label().to_lowercase()
}

/// "PIP level 2 and sexual offences liaison"; empty when nothing is needed.
fn requirement_words(min_pip: PipLevel, specialisms: &[Specialism]) -> String {
    let mut parts = Vec::new();
    if min_pip > PipLevel::None {
        parts.push(pip_words(min_pip).to_string());
    }
    parts.extend(specialisms.iter().map(|s| specialism_words(*s)));
    parts.join(" and ")
}

// ---- The problem ----------------------------------------------------------------------------------

/// An investigator as the allocation sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficerProfile {
    pub id: Uuid,
    /// As shown: "PC 20031 Jo Smith".
    pub name: String,
    pub rank: Rank,
    pub team: String,
    pub division: String,
    pub pip_level: PipLevel,
    pub specialisms: Vec<Specialism>,
    /// Crimes they hold that are still open.
    pub open_crimes: u32,
    /// Weighted points of their open crimes ([`RequirementTable::weight_of`]).
    pub workload: u32,
    /// The most open crimes they may hold: the hard limit is `open_crimes + new ≤ cap`.
    pub cap: u32,
    /// False when on leave or disabled: they get nothing.
    pub available: bool,
    /// Why not available, naming them: "PC 20031 Jo Smith is on leave until 3 December".
    pub unavailable_reason: Option<String>,
    /// In the desk-investigation team (the incident management unit).
    pub desk: bool,
}

/// A crime waiting for allocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrimeToAllocate {
    pub crime_id: Uuid,
    pub number: String,
    pub division: String,
    pub need: Need,
    /// Routed to desk investigation: only desk officers may take it; otherwise only other officers.
    pub desk: bool,
    /// Higher is more urgent: when capacity is short the least urgent crimes are left.
    pub priority: u32,
    /// Officers already holding open crimes for the same victim or suspect.
    pub continuity: Vec<Uuid>,
}

/// The costs the plan minimises, in whole points. Each is read between 0 and [`MAX_COST_WEIGHT`];
/// workloads and priorities above [`MAX_COST_WEIGHT`] count as that much.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CostWeights {
    /// An officer outside the crime's division: victims, scenes and local knowledge are in the
    /// division. Default 300, as much as 60 workload points.
    pub other_division: i64,
    /// Per PIP level the officer holds above the crime's need, so detectives stay free for the crimes
    /// only they may take. Default 40.
    pub per_pip_level_above: i64,
    /// Per specialism the officer holds that the crime does not need, for the same reason. Default 30.
    pub per_unneeded_specialism: i64,
    /// Taken off when the officer already holds an open crime for the same victim or suspect: one
    /// officer who knows the people. Default 200.
    pub continuity_bonus: i64,
    /// Per workload point the officer holds before the plan. Default 5.
    pub per_workload_point: i64,
    /// The k-th new crime the plan gives the same officer costs k times this, so new work spreads
    /// (convex). Default 20.
    pub per_new_crime: i64,
    /// Leaving a crime unallocated. Far above any allocation, so every crime that can be allocated
    /// is. Default 1,000,000.
    pub unallocated: i64,
    /// Added to the unallocated penalty per point of the crime's priority, so when capacity is short
    /// the least urgent crimes wait. Default 1,000: more than allocation costs usually differ by, so
    /// priority, not convenience, decides who waits.
    pub per_priority_point: i64,
}

/// The largest value of any cost weight, workload or priority the costs use (keeps sums in range).
pub const MAX_COST_WEIGHT: i64 = 1_000_000;

impl Default for CostWeights {
    fn default() -> Self {
        CostWeights {
            other_division: 300,
            per_pip_level_above: 40,
            per_unneeded_specialism: 30,
            continuity_bonus: 200,
            per_workload_point: 5,
            per_new_crime: 20,
            unallocated: 1_000_000,
            per_priority_point: 1_000,
        }
    }
}

impl CostWeights {
    fn normalised(&self) -> CostWeights {
        let c = |x: i64| x.clamp(0, MAX_COST_WEIGHT);
        CostWeights {
            other_division: c(self.other_division),
            per_pip_level_above: c(self.per_pip_level_above),
            per_unneeded_specialism: c(self.per_unneeded_specialism),
            continuity_bonus: c(self.continuity_bonus),
            per_workload_point: c(self.per_workload_point),
            per_new_crime: c(self.per_new_crime),
            unallocated: c(self.unallocated),
            per_priority_point: c(self.per_priority_point),
        }
    }

    /// The penalty for leaving this crime unallocated.
    fn penalty(&self, crime: &CrimeToAllocate) -> i64 {
        self.unallocated + self.per_priority_point * i64::from(crime.priority).min(MAX_COST_WEIGHT)
    }

    /// What an officer's existing workload adds to each new crime.
    fn load(&self, officer: &OfficerProfile) -> i64 {
        self.per_workload_point * i64::from(officer.workload).min(MAX_COST_WEIGHT)
    }
}

/// The proposal for the whole queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// One per crime, in the order given.
    pub proposals: Vec<Proposal>,
    /// The sum of the proposals' costs: the least possible.
    pub total_cost: i64,
}

impl Plan {
    /// How many crimes the plan allocates.
    pub fn allocated(&self) -> usize {
        self.proposals.iter().filter(|p| p.officer_id.is_some()).count()
    }
}

/// What the plan does with one crime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub crime_id: Uuid,
    pub officer_id: Option<Uuid>,
    /// What it adds to the plan's cost: the allocation's, or the unallocated penalty.
    pub cost: i64,
    /// Why this officer: "In the crime's division (East)", "Holds PIP level 2 and sexual offences
    /// liaison as the crime needs", "Lightest workload of the 40 eligible officers: …", …
    pub reasons: Vec<String>,
    /// Why no officer, when none: "No officer with PIP level 3 has capacity: …".
    pub infeasible: Option<String>,
}

// ---- Eligibility ----------------------------------------------------------------------------------

/// Whether `officer` may take `crime` now, and if not every reason why in words (for a supervisor's
/// own choice: "PC 20031 Jo Smith is not accredited for sexual offences liaison"). Counts the
/// officer's open crimes as given: add the crimes already given in the same batch first.
pub fn check(crime: &CrimeToAllocate, officer: &OfficerProfile) -> Result<(), String> {
    let name = &officer.name;
    let mut why = Vec::new();
    if !officer.available {
        why.push(officer.unavailable_reason.clone().unwrap_or_else(|| format!("{name} is not available")));
    }
    if officer.open_crimes >= officer.cap {
        let plural = if officer.open_crimes == 1 { "" } else { "s" };
        why.push(format!("{name} has {} open crime{plural}: the cap is {}", officer.open_crimes, officer.cap));
    }
    if officer.pip_level < crime.need.min_pip {
        why.push(format!(
            "{name} holds {}: this crime needs {}",
            pip_words(officer.pip_level),
            pip_words(crime.need.min_pip)
        ));
    }
    for s in crime.need.specialisms.iter().filter(|s| !officer.specialisms.contains(s)) {
        why.push(format!("{name} is not accredited for {}", specialism_words(*s)));
    }
    if crime.desk && !officer.desk {
        why.push(format!("{name} is not in the desk-investigation team: this crime was routed to desk investigation"));
    } else if !crime.desk && officer.desk {
        why.push(format!(
            "{name} is in the desk-investigation team: this crime was routed for investigation outside it"
        ));
    }
    if why.is_empty() { Ok(()) } else { Err(why.join("; ")) }
}

fn mask(specialisms: &[Specialism]) -> u32 {
    specialisms.iter().fold(0, |m, s| m | 1 << (*s as u32))
}

/// What decides eligibility and the fit part of the cost, on both sides: division, PIP level,
/// specialisms and desk team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    division: u32,
    pip: PipLevel,
    specialisms: u32,
    desk: bool,
}

impl Key {
    /// Whether an officer of key `o` may take a crime of key `self` (capacity aside).
    fn admits(self, o: Key) -> bool {
        self.desk == o.desk && o.pip >= self.pip && self.specialisms & !o.specialisms == 0
    }

    /// The crime-and-officer part of the cost: other division, PIP levels and specialisms beyond need.
    fn fit(self, o: Key, w: &CostWeights) -> i64 {
        let division = if self.division == o.division { 0 } else { w.other_division };
        division + self.surplus(o, w)
    }

    /// PIP levels and specialisms beyond need.
    fn surplus(self, o: Key, w: &CostWeights) -> i64 {
        let levels = o.pip as i64 - self.pip as i64;
        let extra = i64::from((o.specialisms & !self.specialisms).count_ones());
        levels * w.per_pip_level_above + extra * w.per_unneeded_specialism
    }
}

/// Division names as small numbers.
#[derive(Default)]
struct Divisions<'a> {
    ids: HashMap<&'a str, u32>,
}

impl<'a> Divisions<'a> {
    fn id(&mut self, name: &'a str) -> u32 {
        let next = self.ids.len() as u32;
        *self.ids.entry(name).or_insert(next)
    }
}

fn crime_key(c: &CrimeToAllocate, division: u32) -> Key {
    Key { division, pip: c.need.min_pip, specialisms: mask(&c.need.specialisms), desk: c.desk }
}

fn officer_key(o: &OfficerProfile, division: u32) -> Key {
    Key { division, pip: o.pip_level, specialisms: mask(&o.specialisms), desk: o.desk }
}

/// New crimes an officer may still take, bounded by the queue (no one can take more than all of it).
fn places_left(o: &OfficerProfile, queue: usize) -> i64 {
    if o.available && o.open_crimes < o.cap { i64::from(o.cap - o.open_crimes).min(queue as i64) } else { 0 }
}

// ---- Min-cost flow --------------------------------------------------------------------------------

const INF: i64 = i64::MAX / 4;

/// A flow network: arc `e` and its reverse `e ^ 1`.
struct Network {
    to: Vec<usize>,
    cap: Vec<i64>,
    cost: Vec<i64>,
    out: Vec<Vec<usize>>,
}

impl Network {
    fn new() -> Network {
        Network { to: Vec::new(), cap: Vec::new(), cost: Vec::new(), out: Vec::new() }
    }

    fn node(&mut self) -> usize {
        self.out.push(Vec::new());
        self.out.len() - 1
    }

    fn arc(&mut self, from: usize, to: usize, cap: i64, cost: i64) -> usize {
        let e = self.to.len();
        self.to.extend([to, from]);
        self.cap.extend([cap, 0]);
        self.cost.extend([cost, -cost]);
        self.out[from].push(e);
        self.out[to].push(e + 1);
        e
    }

    fn flow(&self, arc: usize) -> i64 {
        self.cap[arc ^ 1]
    }

    /// Sends up to `amount` units from `s` to `t` at least cost (arc costs must be non-negative);
    /// returns the units sent. Primal-dual: each round finds shortest distances on reduced costs,
    /// moves the potentials by them (capped at the sink's, which keeps every reduced cost
    /// non-negative), then sends a maximum flow over the arcs of reduced cost zero.
    fn min_cost_flow(&mut self, s: usize, t: usize, amount: i64) -> i64 {
        let n = self.out.len();
        let mut pi = vec![0i64; n];
        let mut dist = vec![INF; n];
        let mut done = vec![false; n];
        let mut scratch =
            Scratch { level: vec![0; n], next: vec![0; n], queue: std::collections::VecDeque::new(), path: Vec::new() };
        let mut heap = BinaryHeap::new();
        let mut sent = 0;
        while sent < amount {
            dist.fill(INF);
            done.fill(false);
            heap.clear();
            dist[s] = 0;
            heap.push(Reverse((0i64, s)));
            while let Some(Reverse((d, u))) = heap.pop() {
                if done[u] {
                    continue;
                }
                done[u] = true;
                if u == t {
                    break;
                }
                for &e in &self.out[u] {
                    if self.cap[e] <= 0 {
                        continue;
                    }
                    let v = self.to[e];
                    let nd = d + self.cost[e] + pi[u] - pi[v];
                    if nd < dist[v] {
                        dist[v] = nd;
                        heap.push(Reverse((nd, v)));
                    }
                }
            }
            if !done[t] {
                break;
            }
            let bound = dist[t];
            for (p, d) in pi.iter_mut().zip(&dist) {
                *p += (*d).min(bound);
            }
            let pushed = self.zero_cost_max_flow(s, t, amount - sent, &pi, &mut scratch);
            if pushed == 0 {
                break;
            }
            sent += pushed;
        }
        sent
    }

    fn admissible(&self, e: usize, u: usize, pi: &[i64]) -> bool {
        self.cap[e] > 0 && self.cost[e] + pi[u] - pi[self.to[e]] == 0
    }

    /// Dinic's maximum flow (at most `limit`) over the arcs of reduced cost zero.
    fn zero_cost_max_flow(&mut self, s: usize, t: usize, limit: i64, pi: &[i64], scratch: &mut Scratch) -> i64 {
        const UNSEEN: u32 = u32::MAX;
        let Scratch { level, next, queue, path } = scratch;
        let mut total = 0;
        while total < limit {
            level.fill(UNSEEN);
            level[s] = 0;
            queue.clear();
            queue.push_back(s);
            while let Some(u) = queue.pop_front() {
                for &e in &self.out[u] {
                    let v = self.to[e];
                    if level[v] == UNSEEN && self.admissible(e, u, pi) {
                        level[v] = level[u] + 1;
                        queue.push_back(v);
                    }
                }
            }
            if level[t] == UNSEEN {
                break;
            }
            next.fill(0);
            // Depth-first augmenting paths along rising levels, each arc tried once per level graph.
            path.clear();
            let mut u = s;
            while total < limit {
                if u == t {
                    let f = path.iter().map(|&e| self.cap[e]).min().unwrap_or(0).min(limit - total);
                    for &e in path.iter() {
                        self.cap[e] -= f;
                        self.cap[e ^ 1] += f;
                    }
                    total += f;
                    path.clear();
                    u = s;
                    continue;
                }
                let mut advanced = false;
                while next[u] < self.out[u].len() {
                    let e = self.out[u][next[u]];
                    let v = self.to[e];
                    if level[v] == level[u].wrapping_add(1) && level[v] != UNSEEN && self.admissible(e, u, pi) {
                        path.push(e);
                        u = v;
                        advanced = true;
                        break;
                    }
                    next[u] += 1;
                }
                if !advanced {
                    level[u] = UNSEEN;
                    match path.pop() {
                        Some(e) => {
                            u = self.to[e ^ 1];
                            next[u] += 1;
                        }
                        None => break,
                    }
                }
            }
        }
        total
    }
}

/// Working space of [`Network::zero_cost_max_flow`], kept between rounds.
struct Scratch {
    level: Vec<u32>,
    next: Vec<usize>,
    queue: std::collections::VecDeque<usize>,
    path: Vec<usize>,
}

/// The `limit` cheapest places for new crimes among `members` (officer indexes): officer `o` has
/// places k = 1..=room[o], the k-th costing `base[o] + k × step`. Ties go to the lower k, then the
/// earlier member, so equal places spread over officers. Returns how many places each member gets
/// and the places as (cost, how many) runs, cheapest first.
fn cheapest_places(members: &[usize], room: &[i64], base: &[i64], step: i64, limit: i64) -> PlaceCounts {
    let mut counts = vec![0i64; members.len()];
    let mut runs: Vec<(i64, i64)> = Vec::new();
    let mut heap: BinaryHeap<Reverse<(i64, i64, usize)>> = members
        .iter()
        .enumerate()
        .filter(|(_, o)| room[**o] > 0)
        .map(|(i, o)| Reverse((base[*o] + step, 1, i)))
        .collect();
    let mut taken = 0;
    while taken < limit {
        let Some(Reverse((value, k, i))) = heap.pop() else { break };
        counts[i] += 1;
        taken += 1;
        match runs.last_mut() {
            Some((v, c)) if *v == value => *c += 1,
            _ => runs.push((value, 1)),
        }
        if k < room[members[i]] {
            heap.push(Reverse((value + step, k + 1, i)));
        }
    }
    PlaceCounts { counts, runs }
}

struct PlaceCounts {
    counts: Vec<i64>,
    runs: Vec<(i64, i64)>,
}

// ---- propose --------------------------------------------------------------------------------------

/// Officers of one class (same [`Key`]) who can take a crime now, lightest first.
struct OfficerClass {
    key: Key,
    members: Vec<usize>,
    node: usize,
}

/// Crimes with the same [`Key`]: the ones without continuity, and the arcs every crime of the key
/// can use.
struct CrimeType {
    key: Key,
    node: usize,
    /// Its crimes without continuity (the node's supply).
    own: Vec<usize>,
    /// (penalty, arc): one per priority among `own`.
    unallocated: Vec<(i64, usize)>,
    /// (hub, arc) for each division with an eligible class.
    to_hub: Vec<(usize, usize)>,
    /// Every eligible class.
    eligible: Vec<usize>,
}

/// A crime with at least one eligible continuity officer: its own node, with an arc to each of those
/// officers, one to its type's node for any other officer, and its own unallocated arc.
struct LoneCrime {
    crime: usize,
    of_type: usize,
    to_officer: Vec<(usize, usize)>,
    to_type: usize,
}

/// One need (PIP level, specialisms, desk route) arriving in one division: crimes of that need from
/// any division pass through it (paying the other-division cost on the way in) to the eligible
/// classes of the division (paying their PIP and specialism surplus).
struct Hub {
    /// (class, arc).
    to_class: Vec<(usize, usize)>,
}

/// Proposes an officer for every crime at once, minimising the total cost exactly (see the module
/// documentation for why the smaller network is exact). Deterministic for the same input.
pub fn propose(crimes: &[CrimeToAllocate], officers: &[OfficerProfile], weights: &CostWeights) -> Plan {
    let w = weights.normalised();
    let n = crimes.len();
    let big = n as i64;
    let mut divisions = Divisions::default();
    let crime_keys: Vec<Key> = crimes.iter().map(|c| crime_key(c, divisions.id(&c.division))).collect();
    let officer_keys: Vec<Key> = officers.iter().map(|o| officer_key(o, divisions.id(&o.division))).collect();
    let mut by_id: HashMap<Uuid, usize> = HashMap::with_capacity(officers.len());
    for (i, o) in officers.iter().enumerate() {
        by_id.entry(o.id).or_insert(i);
    }
    let rooms: Vec<i64> = officers.iter().map(|o| places_left(o, n)).collect();
    let loads: Vec<i64> = officers.iter().map(|o| w.load(o)).collect();
    let penalties: Vec<i64> = crimes.iter().map(|c| w.penalty(c)).collect();
    let mut net = Network::new();
    let (source, sink) = (net.node(), net.node());

    // Officer classes, members lightest first.
    let mut classes: Vec<OfficerClass> = Vec::new();
    let mut class_index: HashMap<Key, usize> = HashMap::new();
    for (i, key) in officer_keys.iter().enumerate() {
        if rooms[i] > 0 {
            let k = *class_index.entry(*key).or_insert_with(|| {
                classes.push(OfficerClass { key: *key, members: Vec::new(), node: net.node() });
                classes.len() - 1
            });
            classes[k].members.push(i);
        }
    }
    let rank = |a: &usize, b: &usize| {
        let (x, y) = (&officers[*a], &officers[*b]);
        (x.workload, x.open_crimes, &x.name, x.id, *a).cmp(&(y.workload, y.open_crimes, &y.name, y.id, *b))
    };
    for class in &mut classes {
        class.members.sort_by(rank);
    }
    let mut class_divisions: Vec<u32> = classes.iter().map(|c| c.key.division).collect();
    class_divisions.sort_unstable();
    class_divisions.dedup();

    // Crimes: by key, and those with an eligible continuity officer on their own as well.
    let mut types: Vec<CrimeType> = Vec::new();
    let mut type_index: HashMap<Key, usize> = HashMap::new();
    let mut type_of = vec![0usize; n];
    let mut lone_crimes: Vec<(usize, Vec<usize>)> = Vec::new();
    let mut solo = vec![false; officers.len()];
    for (c, crime) in crimes.iter().enumerate() {
        let key = crime_keys[c];
        let t = *type_index.entry(key).or_insert_with(|| {
            types.push(CrimeType {
                key,
                node: net.node(),
                own: Vec::new(),
                unallocated: Vec::new(),
                to_hub: Vec::new(),
                eligible: Vec::new(),
            });
            types.len() - 1
        });
        type_of[c] = t;
        let mut direct: Vec<usize> = crime
            .continuity
            .iter()
            .filter_map(|id| by_id.get(id).copied())
            .filter(|o| rooms[*o] > 0 && key.admits(officer_keys[*o]))
            .collect();
        direct.sort_unstable();
        direct.dedup();
        if direct.is_empty() {
            types[t].own.push(c);
        } else {
            for o in &direct {
                solo[*o] = true;
            }
            lone_crimes.push((c, direct));
        }
    }

    // Officers' places: a continuity officer's own, the rest pooled by class.
    let mut officer_node = vec![usize::MAX; officers.len()];
    for (o, is_solo) in solo.iter().enumerate() {
        if *is_solo {
            let node = net.node();
            officer_node[o] = node;
            for k in 1..=rooms[o] {
                net.arc(node, sink, 1, loads[o] + k * w.per_new_crime);
            }
        }
    }
    let mut via_class: Vec<(usize, usize)> = Vec::new(); // (officer, arc class → officer)
    let mut shared_members: Vec<Vec<usize>> = Vec::with_capacity(classes.len());
    for class in &classes {
        let shared: Vec<usize> = class.members.iter().copied().filter(|o| !solo[*o]).collect();
        let places = cheapest_places(&shared, &rooms, &loads, w.per_new_crime, big);
        for (cost, count) in places.runs {
            net.arc(class.node, sink, count, cost);
        }
        for &o in class.members.iter().filter(|o| solo[**o]) {
            via_class.push((o, net.arc(class.node, officer_node[o], rooms[o], 0)));
        }
        shared_members.push(shared);
    }

    // Every unit leaves the crime node it starts from by exactly one arc that carries `lift` (the
    // continuity bonus), which keeps the continuity arcs non-negative and adds the same to every
    // solution; a lone crime's arc into its type carries none, the type's arcs out carry it.
    let lift = w.continuity_bonus;
    let mut hubs: Vec<Hub> = Vec::new();
    let mut hub_index: HashMap<Key, Option<(usize, usize)>> = HashMap::new();
    for t in &mut types {
        for &division in &class_divisions {
            let key = Key { division, ..t.key };
            let hub = *hub_index.entry(key).or_insert_with(|| {
                let eligible: Vec<usize> = (0..classes.len())
                    .filter(|k| classes[*k].key.division == division && key.admits(classes[*k].key))
                    .collect();
                if eligible.is_empty() {
                    return None;
                }
                let node = net.node();
                let to_class = eligible
                    .into_iter()
                    .map(|k| (k, net.arc(node, classes[k].node, big, key.surplus(classes[k].key, &w))))
                    .collect();
                hubs.push(Hub { to_class });
                Some((hubs.len() - 1, node))
            });
            if let Some((h, node)) = hub {
                let cost = if division == t.key.division { 0 } else { w.other_division };
                t.to_hub.push((h, net.arc(t.node, node, big, cost + lift)));
                t.eligible.extend(hubs[h].to_class.iter().map(|(k, _)| *k));
            }
        }
        net.arc(source, t.node, t.own.len() as i64, 0);
        let mut by_penalty: BTreeMap<i64, i64> = BTreeMap::new();
        for &c in &t.own {
            *by_penalty.entry(penalties[c]).or_default() += 1;
        }
        for (penalty, count) in by_penalty {
            t.unallocated.push((penalty, net.arc(t.node, sink, count, penalty + lift)));
        }
    }
    let lones: Vec<LoneCrime> = lone_crimes
        .into_iter()
        .map(|(c, direct)| {
            let node = net.node();
            let key = crime_keys[c];
            net.arc(source, node, 1, 0);
            let to_officer = direct
                .into_iter()
                .map(|o| {
                    let cost = key.fit(officer_keys[o], &w) - w.continuity_bonus + lift;
                    (o, net.arc(node, officer_node[o], 1, cost))
                })
                .collect();
            net.arc(node, sink, 1, penalties[c] + lift);
            LoneCrime {
                crime: c,
                of_type: type_of[c],
                to_officer,
                to_type: net.arc(node, types[type_of[c]].node, 1, 0),
            }
        })
        .collect();
    net.min_cost_flow(source, sink, big);

    // Give the flow out: lone crimes first, then types to hubs, hubs to classes, classes to officers.
    let mut holder: Vec<Option<usize>> = vec![None; n];
    let by_urgency = |a: &usize, b: &usize| {
        let (x, y) = (&crimes[*a], &crimes[*b]);
        (Reverse(x.priority), &x.number, *a).cmp(&(Reverse(y.priority), &y.number, *b))
    };
    let mut joining: Vec<Vec<usize>> = vec![Vec::new(); types.len()];
    for lone in &lones {
        if let Some((o, _)) = lone.to_officer.iter().find(|(_, arc)| net.flow(*arc) > 0) {
            holder[lone.crime] = Some(*o);
        } else if net.flow(lone.to_type) > 0 {
            joining[lone.of_type].push(lone.crime);
        }
    }
    let mut hub_crimes: Vec<Vec<usize>> = vec![Vec::new(); hubs.len()];
    for (t, crime_type) in types.iter().enumerate() {
        let mut own = crime_type.own.clone();
        own.sort_by(by_urgency);
        let mut leave: BTreeMap<i64, i64> =
            crime_type.unallocated.iter().map(|(p, arc)| (*p, net.flow(*arc))).collect();
        let mut staying: Vec<usize> = Vec::with_capacity(own.len() + joining[t].len());
        for &c in own.iter().rev() {
            match leave.get_mut(&penalties[c]) {
                Some(left) if *left > 0 => *left -= 1,
                _ => staying.push(c),
            }
        }
        staying.append(&mut joining[t]);
        staying.sort_by(by_urgency);
        let mut staying = staying.into_iter();
        for &(h, arc) in &crime_type.to_hub {
            hub_crimes[h].extend(staying.by_ref().take(net.flow(arc) as usize));
        }
    }
    let mut class_crimes: Vec<Vec<usize>> = vec![Vec::new(); classes.len()];
    for (hub, list) in hubs.iter().zip(&mut hub_crimes) {
        list.sort_by(by_urgency);
        let mut arriving = list.iter().copied();
        for &(k, arc) in &hub.to_class {
            class_crimes[k].extend(arriving.by_ref().take(net.flow(arc) as usize));
        }
    }
    let mut from_class = vec![0i64; officers.len()];
    for &(o, arc) in &via_class {
        from_class[o] = net.flow(arc);
    }
    for (k, class) in classes.iter().enumerate() {
        let list = &mut class_crimes[k];
        list.sort_by(by_urgency);
        let to_solo: i64 = class.members.iter().filter(|o| solo[**o]).map(|o| from_class[*o]).sum();
        let places = cheapest_places(&shared_members[k], &rooms, &loads, w.per_new_crime, list.len() as i64 - to_solo);
        let mut seats: Vec<(usize, i64)> = Vec::with_capacity(class.members.len());
        let mut shared = places.counts.iter();
        for &o in &class.members {
            let count = if solo[o] { from_class[o] } else { shared.next().copied().unwrap_or(0) };
            seats.push((o, count));
        }
        // Round by round, so the most urgent crimes go to different officers, lightest first.
        let mut crimes_left = list.iter();
        let rounds = seats.iter().map(|(_, k)| *k).max().unwrap_or(0);
        'rounds: for round in 0..rounds {
            for &(o, count) in &seats {
                if count > round {
                    match crimes_left.next() {
                        Some(c) => holder[*c] = Some(o),
                        None => break 'rounds,
                    }
                }
            }
        }
    }

    // Costs: each officer's new crimes, most urgent first, the k-th with its convex step.
    let mut given: Vec<Vec<usize>> = vec![Vec::new(); officers.len()];
    for (c, h) in holder.iter().enumerate() {
        if let Some(o) = h {
            given[*o].push(c);
        }
    }
    let mut costs = penalties.clone();
    let mut nth = vec![0i64; n];
    for (o, list) in given.iter_mut().enumerate() {
        list.sort_by(by_urgency);
        for (k, &c) in list.iter().enumerate() {
            nth[c] = k as i64 + 1;
            costs[c] = pair_cost(&crimes[c], crime_keys[c], officers, o, officer_keys[o], &w)
                + loads[o]
                + (k as i64 + 1) * w.per_new_crime;
        }
    }

    // Reasons, from facts per class before and after the plan.
    let facts = ClassFacts::new(&classes, &rooms, &given, officers, crimes);
    let mut explained: HashMap<Key, String> = HashMap::new();
    let proposals = crimes
        .iter()
        .enumerate()
        .map(|(c, crime)| {
            let eligible = &types[type_of[c]].eligible;
            match holder[c] {
                Some(o) => Proposal {
                    crime_id: crime.crime_id,
                    officer_id: Some(officers[o].id),
                    cost: costs[c],
                    reasons: reasons(
                        &Placed {
                            crime,
                            key: crime_keys[c],
                            officer: &officers[o],
                            okey: officer_keys[o],
                            nth: nth[c],
                            of: given[o].len(),
                        },
                        eligible,
                        &facts,
                    ),
                    infeasible: None,
                },
                None => {
                    let why = if eligible.is_empty() {
                        explained
                            .entry(crime_keys[c])
                            .or_insert_with(|| no_one(crime, crime_keys[c], officers, &officer_keys))
                            .clone()
                    } else {
                        capacity_went(crime, eligible, &facts, penalties[c])
                    };
                    Proposal {
                        crime_id: crime.crime_id,
                        officer_id: None,
                        cost: costs[c],
                        reasons: Vec::new(),
                        infeasible: Some(why),
                    }
                }
            }
        })
        .collect::<Vec<_>>();
    let total_cost = proposals.iter().map(|p| p.cost).sum();
    Plan { proposals, total_cost }
}

/// The cost of `crime` to officer `o` before the workload and convex terms: fit, less continuity.
fn pair_cost(
    crime: &CrimeToAllocate,
    key: Key,
    officers: &[OfficerProfile],
    o: usize,
    okey: Key,
    w: &CostWeights,
) -> i64 {
    let bonus = if crime.continuity.contains(&officers[o].id) { w.continuity_bonus } else { 0 };
    key.fit(okey, w) - bonus
}

/// What the reasons say about each officer class.
struct ClassFacts {
    division: Vec<u32>,
    officers: Vec<usize>,
    /// Places before the plan, and left after it.
    places: Vec<i64>,
    left: Vec<i64>,
    lightest: Vec<u32>,
    /// The lowest priority among the crimes the plan gives the class.
    least_urgent: Vec<Option<u32>>,
}

impl ClassFacts {
    fn new(
        classes: &[OfficerClass],
        rooms: &[i64],
        given: &[Vec<usize>],
        officers: &[OfficerProfile],
        crimes: &[CrimeToAllocate],
    ) -> ClassFacts {
        let mut f = ClassFacts {
            division: Vec::new(),
            officers: Vec::new(),
            places: Vec::new(),
            left: Vec::new(),
            lightest: Vec::new(),
            least_urgent: Vec::new(),
        };
        for class in classes {
            let m = &class.members;
            f.division.push(class.key.division);
            f.officers.push(m.len());
            f.places.push(m.iter().map(|o| rooms[*o]).sum());
            f.left.push(m.iter().map(|o| rooms[*o] - given[*o].len() as i64).sum());
            f.lightest.push(m.iter().map(|o| officers[*o].workload).min().unwrap_or(0));
            f.least_urgent.push(m.iter().flat_map(|o| given[*o].iter().map(|c| crimes[*c].priority)).min());
        }
        f
    }
}

fn plural(n: impl Into<i64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

/// One crime given to one officer, for [`reasons`].
struct Placed<'a> {
    crime: &'a CrimeToAllocate,
    key: Key,
    officer: &'a OfficerProfile,
    okey: Key,
    /// It is the officer's `nth` new crime of `of` in the plan.
    nth: i64,
    of: usize,
}

/// Why this officer, in words.
fn reasons(placed: &Placed, eligible: &[usize], facts: &ClassFacts) -> Vec<String> {
    let Placed { crime, key, officer, okey, nth, of } = *placed;
    let mut out = Vec::new();
    if crime.division.trim().is_empty() {
        // A crime recorded without a place in the force's areas has no division to prefer.
        out.push(format!("In {} division (the crime has no division recorded)", officer.division));
    } else if key.division == okey.division {
        out.push(format!("In the crime's division ({})", crime.division));
    } else {
        let left: i64 = eligible.iter().filter(|k| facts.division[**k] == key.division).map(|k| facts.left[*k]).sum();
        out.push(if left == 0 {
            format!(
                "In {} division, not the crime's ({}): no eligible officer there has capacity left",
                officer.division, crime.division
            )
        } else {
            format!(
                "In {} division, not the crime's ({}): giving it to one of the eligible officers there with \
                 capacity would not lower the plan's total cost",
                officer.division, crime.division
            )
        });
    }
    let need = &crime.need;
    if need.min_pip == PipLevel::None && need.specialisms.is_empty() {
        out.push(format!("No accreditation needed (holds {})", pip_words(officer.pip_level)));
    } else {
        let mut parts = Vec::new();
        if need.min_pip > PipLevel::None {
            parts.push(if officer.pip_level == need.min_pip {
                pip_words(need.min_pip).to_string()
            } else {
                format!("{} ({} needed)", pip_words(officer.pip_level), pip_words(need.min_pip))
            });
        }
        parts.extend(need.specialisms.iter().map(|s| specialism_words(*s)));
        out.push(format!("Holds {} as the crime needs", parts.join(" and ")));
    }
    let extra: Vec<String> =
        officer.specialisms.iter().filter(|s| !need.specialisms.contains(s)).map(|s| specialism_words(*s)).collect();
    if !extra.is_empty() {
        out.push(format!("Also trained in {} (not needed for this crime)", extra.join(" and ")));
    }
    if crime.continuity.contains(&officer.id) {
        out.push("Already investigating an open crime for the same victim or suspect".to_string());
    }
    if crime.desk {
        out.push("Desk investigation, as the crime was routed".to_string());
    }
    let lightest = eligible.iter().map(|k| facts.lightest[*k]).min().unwrap_or(officer.workload);
    let eligible_officers: usize = eligible.iter().map(|k| facts.officers[*k]).sum();
    let caseload =
        format!("{} points, {} of {} open crimes before this plan", officer.workload, officer.open_crimes, officer.cap);
    out.push(if officer.workload <= lightest && eligible_officers > 1 {
        format!("Lightest workload of the {eligible_officers} eligible officers: {caseload}")
    } else {
        format!("Workload {caseload}")
    });
    if of > 1 {
        out.push(format!("New crime {nth} of {of} this plan gives them"));
    }
    out
}

/// Why a crime with eligible officers was left: their capacity went elsewhere, or allocating it
/// costs more than leaving it.
fn capacity_went(crime: &CrimeToAllocate, eligible: &[usize], facts: &ClassFacts, penalty: i64) -> String {
    let officers: usize = eligible.iter().map(|k| facts.officers[*k]).sum();
    let places: i64 = eligible.iter().map(|k| facts.places[*k]).sum();
    let left: i64 = eligible.iter().map(|k| facts.left[*k]).sum();
    let who = format!(
        "{}, {}",
        plural(officers as i64, "eligible officer", "eligible officers"),
        plural(places, "place", "places")
    );
    if left > 0 {
        return format!(
            "Left unallocated although {} remain with eligible officers: with these cost weights allocating it \
             costs at least the penalty for leaving it ({penalty})",
            plural(left, "place", "places")
        );
    }
    let least = eligible.iter().filter_map(|k| facts.least_urgent[*k]).min();
    match least {
        Some(p) if p > crime.priority => {
            format!("Every eligible officer's capacity went to more urgent crimes ({who})")
        }
        Some(p) if p == crime.priority => {
            format!("Every eligible officer's capacity went to crimes at least as urgent ({who})")
        }
        _ => format!(
            "Every eligible officer's capacity went to other crimes: leaving this one rather than one of \
             those costs the plan less ({who})"
        ),
    }
}

/// Why no officer at all could take a crime: which requirement no one meets, or where the
/// accredited officers are and why they are full.
fn no_one(crime: &CrimeToAllocate, key: Key, officers: &[OfficerProfile], keys: &[Key]) -> String {
    let who = if crime.desk { "desk-investigation officer" } else { "officer" };
    let need = requirement_words(crime.need.min_pip, &crime.need.specialisms);
    let route: Vec<usize> = (0..officers.len()).filter(|o| keys[*o].desk == key.desk).collect();
    let accredited: Vec<usize> = route.iter().copied().filter(|o| key.admits(keys[*o])).collect();
    if accredited.is_empty() {
        let other_route = (0..officers.len())
            .filter(|o| keys[*o].desk != key.desk && Key { desk: keys[*o].desk, ..key }.admits(keys[*o]))
            .count();
        let elsewhere = match (other_route, crime.desk) {
            (0, _) => String::new(),
            (k, true) => format!(
                "; {} outside desk investigation, but the crime was routed to desk investigation",
                if k == 1 { "1 officer does".to_string() } else { format!("{k} officers do") }
            ),
            (k, false) => format!(
                "; {}, but the crime was not routed to desk investigation",
                if k == 1 {
                    "1 desk-investigation officer does".to_string()
                } else {
                    format!("{k} desk-investigation officers do")
                }
            ),
        };
        if route.is_empty() {
            return format!("No {who} is listed{elsewhere}");
        }
        let mut parts = Vec::new();
        if crime.need.min_pip > PipLevel::None {
            let k = route.iter().filter(|o| officers[**o].pip_level >= crime.need.min_pip).count();
            parts.push(holders(k, &format!("{} or above", pip_words(crime.need.min_pip))));
        }
        let mut each_held = true;
        for s in &crime.need.specialisms {
            let k = route.iter().filter(|o| officers[**o].specialisms.contains(s)).count();
            each_held &= k > 0;
            parts.push(holders(k, &specialism_words(*s)));
        }
        if crime.need.min_pip > PipLevel::None {
            each_held &= route.iter().any(|o| officers[*o].pip_level >= crime.need.min_pip);
        }
        if each_held && parts.len() > 1 {
            parts.push(if parts.len() == 2 { "none holds both" } else { "none holds them all" }.to_string());
        }
        return format!("No {who} holds {need} ({}){elsewhere}", parts.join("; "));
    }
    let (inside, outside): (Vec<usize>, Vec<usize>) =
        accredited.iter().partition(|o| keys[**o].division == key.division);
    let tally = |list: &[usize], place: &str| {
        if list.is_empty() {
            return format!("none {place}");
        }
        let away = list.iter().filter(|o| !officers[**o].available).count();
        let full =
            list.iter().filter(|o| officers[**o].available && officers[**o].open_crimes >= officers[**o].cap).count();
        let how = match (away, full) {
            (a, _) if a == list.len() => {
                if a == 1 {
                    "unavailable".to_string()
                } else {
                    "all unavailable".to_string()
                }
            }
            (_, f) if f == list.len() => {
                if f == 1 {
                    "at their cap".to_string()
                } else {
                    "all at their cap".to_string()
                }
            }
            (a, f) => format!("{f} at their cap, {a} unavailable"),
        };
        format!("{} {place} ({how})", list.len())
    };
    let with = if need.is_empty() { String::new() } else { format!(" with {need}") };
    format!(
        "No {who}{with} has capacity: {}, {}",
        tally(
            &inside,
            &if crime.division.trim().is_empty() {
                "in the crime's division (none recorded)".to_string()
            } else {
                format!("in {} division", crime.division)
            }
        ),
        tally(&outside, "elsewhere")
    )
}

/// "4 hold PIP level 2 or above" / "none holds sexual offences liaison".
fn holders(k: usize, what: &str) -> String {
    match k {
        0 => format!("none holds {what}"),
        1 => format!("1 holds {what}"),
        k => format!("{k} hold {what}"),
    }
}

// ---- The independent exact reference --------------------------------------------------------------

/// The least total cost of allocating `crimes`, solved on the plain network (a node per crime and per
/// officer, one arc per eligible pair, one unit per place) by successive shortest paths, one crime at a
/// time (the Hungarian method with potentials, each path found by Dijkstra). Slower than [`propose`]
/// and written apart from it, to prove `propose` optimal in tests and the benchmark.
pub fn exact_reference(crimes: &[CrimeToAllocate], officers: &[OfficerProfile], weights: &CostWeights) -> i64 {
    let w = weights.normalised();
    let (n, m) = (crimes.len(), officers.len());
    let step = w.per_new_crime;
    let room: Vec<usize> = officers
        .iter()
        .map(|o| if o.available && o.open_crimes < o.cap { (o.cap - o.open_crimes) as usize } else { 0 }.min(n))
        .collect();
    let load: Vec<i64> = officers.iter().map(|o| w.load(o)).collect();
    let penalty: Vec<i64> = crimes.iter().map(|c| w.penalty(c)).collect();
    let spec: Vec<u32> = officers.iter().map(|o| mask(&o.specialisms)).collect();
    let need: Vec<u32> = crimes.iter().map(|c| mask(&c.need.specialisms)).collect();
    // The cost of crime c to officer o, when o may take it.
    let cost = |c: usize, o: usize| -> Option<i64> {
        let (crime, officer) = (&crimes[c], &officers[o]);
        if room[o] == 0
            || officer.pip_level < crime.need.min_pip
            || need[c] & !spec[o] != 0
            || officer.desk != crime.desk
        {
            return None;
        }
        let division = if officer.division == crime.division { 0 } else { w.other_division };
        let levels = officer.pip_level as i64 - crime.need.min_pip as i64;
        let extra = i64::from((spec[o] & !need[c]).count_ones());
        let bonus = if crime.continuity.contains(&officer.id) { w.continuity_bonus } else { 0 };
        Some(division + levels * w.per_pip_level_above + extra * w.per_unneeded_specialism - bonus)
    };
    // Nodes: crimes 0..n, officers n..n+m, the sink n+m.
    let sink = n + m;
    let mut pi = vec![0i64; n + m + 1];
    let mut holder: Vec<Option<usize>> = vec![None; n];
    let mut given: Vec<Vec<usize>> = vec![Vec::new(); m];
    let mut dist = vec![INF; n + m + 1];
    let mut prev = vec![usize::MAX; n + m + 1];
    let mut done = vec![false; n + m + 1];
    let mut heap = BinaryHeap::new();
    for start in 0..n {
        dist.fill(INF);
        prev.fill(usize::MAX);
        done.fill(false);
        heap.clear();
        dist[start] = 0;
        heap.push(Reverse((0i64, start)));
        while let Some(Reverse((d, u))) = heap.pop() {
            if done[u] {
                continue;
            }
            done[u] = true;
            if u == sink {
                break;
            }
            let mut relax = |v: usize, arc_cost: i64, heap: &mut BinaryHeap<Reverse<(i64, usize)>>| {
                let nd = d + arc_cost + pi[u] - pi[v];
                if nd < dist[v] {
                    dist[v] = nd;
                    prev[v] = u;
                    heap.push(Reverse((nd, v)));
                }
            };
            if u < n {
                // A crime: to any eligible officer it is not with, or left unallocated.
                for o in 0..m {
                    if holder[u] != Some(o)
                        && let Some(c) = cost(u, o)
                    {
                        relax(n + o, c, &mut heap);
                    }
                }
                relax(sink, penalty[u], &mut heap);
            } else {
                // An officer: their next place, or back along a crime they were given.
                let o = u - n;
                if given[o].len() < room[o] {
                    relax(sink, load[o] + (given[o].len() as i64 + 1) * step, &mut heap);
                }
                for &c in &given[o] {
                    if let Some(cst) = cost(c, o) {
                        relax(c, -cst, &mut heap);
                    }
                }
            }
        }
        if !done[sink] {
            continue;
        }
        let bound = dist[sink];
        for (v, p) in pi.iter_mut().enumerate() {
            if v != start {
                *p += dist[v].min(bound);
            }
        }
        // Walk the path back from the sink, moving crimes between officers.
        let mut v = sink;
        while v != start {
            let u = prev[v];
            if u < n && v == sink {
                holder[u] = None;
            } else if u < n {
                holder[u] = Some(v - n);
                given[v - n].push(u);
            } else if v < n {
                given[u - n].retain(|c| *c != v);
            }
            v = u;
        }
    }
    let mut total = 0;
    for (c, h) in holder.iter().enumerate() {
        if h.is_none() {
            total += penalty[c];
        }
    }
    for (o, list) in given.iter().enumerate() {
        for (k, &c) in list.iter().enumerate() {
            total += cost(c, o).unwrap_or(0) + load[o] + (k as i64 + 1) * step;
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::offence::OffenceList;
    use proptest::prelude::*;

    fn facts(code: &str, group: OffenceGroup, flags: &[CrimeFlag], hate: bool) -> CrimeFacts {
        CrimeFacts { offence_code: code.into(), offence_group: group, flags: flags.to_vec(), hate }
    }

    fn officer(n: u128, division: &str, pip: PipLevel, specialisms: &[Specialism]) -> OfficerProfile {
        OfficerProfile {
            id: Uuid::from_u128(n),
            name: format!("PC {} Officer {n}", 20_000 + n),
            rank: Rank::Constable,
            team: format!("{division} CID"),
            division: division.into(),
            pip_level: pip,
            specialisms: specialisms.to_vec(),
            open_crimes: 0,
            workload: 0,
            cap: 16,
            available: true,
            unavailable_reason: None,
            desk: false,
        }
    }

    fn crime(n: u128, division: &str, min_pip: PipLevel, specialisms: &[Specialism], priority: u32) -> CrimeToAllocate {
        CrimeToAllocate {
            crime_id: Uuid::from_u128(1_000 + n),
            number: format!("CR-2026-{n:06}"),
            division: division.into(),
            need: Need { min_pip, specialisms: specialisms.to_vec(), ..Need::default() },
            desk: false,
            priority,
            continuity: Vec::new(),
        }
    }

    // ---- The requirement table ----

    #[test]
    fn the_builtin_table_says_what_each_crime_needs() {
        let table = RequirementTable::builtin();
        let rape = table.need_for(&facts("19C", OffenceGroup::SexualOffences, &[], false));
        assert_eq!(rape.min_pip, PipLevel::Pip2);
        assert_eq!(rape.specialisms, vec![Specialism::SexualOffencesLiaison]);
        assert_eq!(rape.weight, 3);
        assert_eq!(rape.reasons, vec!["Sexual offence: PIP level 2 and sexual offences liaison".to_string()]);

        let assault =
            table.need_for(&facts("8n", OffenceGroup::ViolenceAgainstThePerson, &[CrimeFlag::DomesticAbuse], false));
        assert_eq!((assault.min_pip, assault.weight), (PipLevel::Pip1, 2));
        assert_eq!(assault.specialisms, vec![Specialism::DomesticAbuse]);
        assert_eq!(
            assault.reasons,
            vec!["Violence with injury: PIP level 1".to_string(), "Domestic abuse: domestic abuse".to_string()]
        );

        let child = table.need_for(&facts(
            "49",
            OffenceGroup::Theft,
            &[CrimeFlag::ChildVictim, CrimeFlag::ChildSexualExploitation],
            true,
        ));
        assert_eq!(child.min_pip, PipLevel::None);
        assert_eq!(child.specialisms, vec![Specialism::ChildAbuse, Specialism::HateCrime], "one child abuse, sorted");
        assert_eq!(child.weight, 1);

        assert_eq!(
            table.need_for(&facts("1", OffenceGroup::ViolenceAgainstThePerson, &[], false)).min_pip,
            PipLevel::Pip3
        );
        assert_eq!(
            table.need_for(&facts("106", OffenceGroup::ViolenceAgainstThePerson, &[], false)).specialisms,
            vec![Specialism::ModernSlavery]
        );
        assert_eq!(table.need_for(&facts("34B", OffenceGroup::Robbery, &[], false)).min_pip, PipLevel::Pip1);
        let shoplifting = table.need_for(&facts("46", OffenceGroup::Theft, &[CrimeFlag::Online], false));
        assert_eq!(shoplifting, Need::default(), "volume crime needs no accreditation and weighs one point");
    }

    #[test]
    fn every_builtin_code_is_in_the_builtin_offence_list() {
        let list = OffenceList::builtin();
        let table = RequirementTable::builtin();
        for rule in &table.rules {
            assert!(!rule.why.is_empty() && !rule.requirement().is_empty(), "{}", rule.name);
            for code in &rule.codes {
                assert!(list.offence(code).is_some(), "{} names {code}, which is not an offence code", rule.name);
            }
        }
        // The homicide rule covers the whole Homicide subgroup.
        let homicide = table.rules.iter().find(|r| r.min_pip == PipLevel::Pip3).expect("a PIP 3 rule");
        for o in list.offences.iter().filter(|o| o.subgroup == "Homicide") {
            assert!(homicide.codes.contains(&o.code), "{} is homicide", o.code);
        }
    }

    const GOOD: &str = r#"version = "Wealdshire allocation 2026-11"

[weights]
default = 1
sexual-offences = 4
burglary = 2

[[rule]]
name = "Sexual offence"
groups = ["sexual-offences"]
min_pip = "pip2"
specialisms = ["sexual-offences-liaison"]
why = "Serious and complex crime with a SOLO"

[[rule]]
name = "Online fraud"
codes = ["53a", "8R"]
flags = ["online"]
specialisms = ["online-investigation"]
"#;

    #[test]
    fn a_force_table_is_read_with_its_version_and_weights() {
        let table = RequirementTable::parse(GOOD).expect("valid");
        assert_eq!(table.version, "Wealdshire allocation 2026-11");
        assert_eq!(table.weight_of(OffenceGroup::SexualOffences), 4);
        assert_eq!(table.weight_of(OffenceGroup::Burglary), 2);
        assert_eq!(table.weight_of(OffenceGroup::Robbery), 1, "the default");
        assert_eq!(table.rules[1].codes, vec!["53A".to_string(), "8R".to_string()], "codes in upper case");
        let need = table.need_for(&facts("8r", OffenceGroup::ViolenceAgainstThePerson, &[], false));
        assert_eq!(need.specialisms, vec![Specialism::OnlineInvestigation]);
        assert_eq!(need.reasons, vec!["Online fraud: online investigation".to_string()]);
        assert!(table.need_for(&facts("8N", OffenceGroup::ViolenceAgainstThePerson, &[], true)).reasons.is_empty());
    }

    #[test]
    fn every_problem_in_a_table_is_named_by_field_and_line() {
        let text = r#"version = "Test"

[weights]
thievery = 2
robbery = 0
burglary = 21

[[rule]]
name = "Sexual offence"
groups = ["sexual-offences", "sexy"]
min_pip = "pip9"
specialisms = ["sexual-liaison"]

[[rule]]
name = "Nothing"
min_pip = "none"
flags = ["purple"]
codes = ["X1"]

[[rule]]
name = "Sexual offence"
hate = true
specialisms = ["hate-crime"]
"#;
        let errors = RequirementTable::parse(text).expect_err("invalid");
        let got: Vec<(String, String)> = errors.iter().map(|e| (e.field.clone(), e.rule.clone())).collect();
        let has = |field: &str, start: &str| {
            assert!(got.iter().any(|(f, r)| f == field && r.starts_with(start)), "{field}: {start} in {got:#?}")
        };
        has("weights.burglary", "line 6: a weight is a whole number of points from 1 to 20");
        has("weights.robbery", "line 5: a weight");
        has("weights.thievery", "line 4: \"thievery\" is not an offence group");
        has("rule[1].groups", "line 10: \"sexy\" is not an offence group");
        has("rule[1].min_pip", "line 11: \"pip9\" is not a PIP level; use one of none, pip1");
        has("rule[1].specialisms", "line 12: \"sexual-liaison\" is not a specialism");
        has("rule[2].flags", "line 17: \"purple\" is not a crime flag");
        has("rule[2].codes", "line 18: \"X1\" is not a Home Office code");
        has("rule[2]", "line 15: the rule requires nothing");
        has("rule[3].name", "line 21: another rule is already named \"Sexual offence\"");
        assert_eq!(got.len(), 10, "{got:#?}");
        let matches_nothing = "version = \"T\"\n[[rule]]\nname = \"Empty\"\nmin_pip = \"pip1\"\n";
        let e = RequirementTable::parse(matches_nothing).expect_err("matches nothing");
        assert_eq!(
            e,
            vec![FieldError::new(
                "rule[1]",
                "line 3: the rule matches no crime; give groups, codes, flags or hate = true"
            )]
        );
    }

    #[test]
    fn a_broken_file_is_refused_with_its_line() {
        let e = RequirementTable::parse("version = \"T\"\n\n[[rule]]\nname = \"X\"\ncolour = \"red\"\n")
            .expect_err("unknown");
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].field, "file");
        assert!(e[0].rule.starts_with("line 5: unknown field `colour`"), "{e:?}");
        let e = RequirementTable::parse("version = \n").expect_err("syntax");
        assert!(e[0].rule.starts_with("line 1:"), "{e:?}");
        let e = RequirementTable::parse("[weights]\ndefault = 2\n").expect_err("no version");
        assert!(e[0].rule.contains("missing field `version`"), "{e:?}");
    }

    // ---- check ----

    #[test]
    fn check_says_why_an_officer_may_not_take_a_crime() {
        let rape = crime(1, "East", PipLevel::Pip2, &[Specialism::SexualOffencesLiaison], 10);
        let mut jo = officer(31, "East", PipLevel::Pip2, &[Specialism::SexualOffencesLiaison]);
        jo.name = "PC 20031 Jo Smith".into();
        assert_eq!(check(&rape, &jo), Ok(()));

        let mut untrained = jo.clone();
        untrained.specialisms.clear();
        assert_eq!(
            check(&rape, &untrained),
            Err("PC 20031 Jo Smith is not accredited for sexual offences liaison".into())
        );

        let mut full = jo.clone();
        full.open_crimes = 16;
        assert_eq!(check(&rape, &full), Err("PC 20031 Jo Smith has 16 open crimes: the cap is 16".into()));

        let mut away = jo.clone();
        away.available = false;
        away.unavailable_reason = Some("PC 20031 Jo Smith is on leave until 3 December".into());
        assert_eq!(check(&rape, &away), Err("PC 20031 Jo Smith is on leave until 3 December".into()));
        away.unavailable_reason = None;
        assert_eq!(check(&rape, &away), Err("PC 20031 Jo Smith is not available".into()));

        let mut junior = jo.clone();
        junior.pip_level = PipLevel::Pip1;
        junior.open_crimes = 1;
        junior.cap = 1;
        assert_eq!(
            check(&rape, &junior),
            Err("PC 20031 Jo Smith has 1 open crime: the cap is 1; PC 20031 Jo Smith holds PIP level 1: this \
                 crime needs PIP level 2"
                .into())
        );

        let mut desk_crime = crime(2, "East", PipLevel::None, &[], 0);
        desk_crime.desk = true;
        assert!(check(&desk_crime, &jo).expect_err("not desk").contains("is not in the desk-investigation team"));
        let mut desk_officer = jo.clone();
        desk_officer.desk = true;
        assert_eq!(check(&desk_crime, &desk_officer), Ok(()));
        assert!(check(&rape, &desk_officer).expect_err("desk").contains("is in the desk-investigation team"));
    }

    // ---- propose ----

    /// The obvious greedy method: most urgent crime first, to its cheapest eligible officer.
    fn greedy(crimes: &[CrimeToAllocate], officers: &[OfficerProfile], w: &CostWeights) -> Vec<Option<usize>> {
        let mut order: Vec<usize> = (0..crimes.len()).collect();
        order.sort_by_key(|c| Reverse(crimes[*c].priority));
        let mut taken = vec![0u32; officers.len()];
        let mut out = vec![None; crimes.len()];
        for c in order {
            let best = (0..officers.len())
                .filter(|o| {
                    let mut counted = officers[*o].clone();
                    counted.open_crimes += taken[*o];
                    check(&crimes[c], &counted).is_ok()
                })
                .min_by_key(|o| single_cost(&crimes[c], &officers[*o], w) + i64::from(taken[*o] + 1) * w.per_new_crime);
            if let Some(o) = best {
                taken[o] += 1;
                out[c] = Some(o);
            }
        }
        out
    }

    /// The cost of one crime to one officer, less the convex term, written out again.
    fn single_cost(c: &CrimeToAllocate, o: &OfficerProfile, w: &CostWeights) -> i64 {
        let mut cost = (o.pip_level as i64 - c.need.min_pip as i64) * w.per_pip_level_above
            + o.specialisms.iter().filter(|s| !c.need.specialisms.contains(s)).count() as i64
                * w.per_unneeded_specialism
            + i64::from(o.workload) * w.per_workload_point;
        if o.division != c.division {
            cost += w.other_division;
        }
        if c.continuity.contains(&o.id) {
            cost -= w.continuity_bonus;
        }
        cost
    }

    #[test]
    fn propose_does_not_strand_the_hard_case_greedy_would() {
        // A is the only officer who may take the rape, and the cheapest for the burglary; each has
        // one place. Greedy gives the (more urgent) burglary to A and strands the rape.
        let mut a = officer(1, "East", PipLevel::Pip2, &[Specialism::SexualOffencesLiaison]);
        a.cap = 1;
        let mut b = officer(2, "East", PipLevel::Pip1, &[]);
        b.cap = 1;
        b.workload = 20;
        b.open_crimes = 0;
        let officers = vec![a, b];
        let crimes = vec![
            crime(1, "East", PipLevel::None, &[], 50),
            crime(2, "East", PipLevel::Pip2, &[Specialism::SexualOffencesLiaison], 10),
        ];
        let w = CostWeights::default();
        assert_eq!(greedy(&crimes, &officers, &w), vec![Some(0), None], "greedy strands the rape");
        let plan = propose(&crimes, &officers, &w);
        assert_eq!(plan.proposals[0].officer_id, Some(officers[1].id));
        assert_eq!(plan.proposals[1].officer_id, Some(officers[0].id));
        // Burglary to B: PIP 1 above none (40) + 20 points (100) + first new crime (20); rape to A: 20.
        assert_eq!(plan.proposals[0].cost, 160);
        assert_eq!(plan.proposals[1].cost, 20);
        assert_eq!(plan.total_cost, 180);
        assert_eq!(plan.total_cost, exact_reference(&crimes, &officers, &w));
        assert!(plan.proposals.iter().all(|p| p.infeasible.is_none()));
        assert_eq!(
            plan.proposals[1].reasons,
            vec![
                "In the crime's division (East)".to_string(),
                "Holds PIP level 2 and sexual offences liaison as the crime needs".to_string(),
                "Workload 0 points, 0 of 1 open crimes before this plan".to_string(),
            ]
        );
        assert!(plan.proposals[0].reasons.contains(&"No accreditation needed (holds PIP level 1)".to_string()));
    }

    #[test]
    fn load_spreads_and_continuity_and_division_count() {
        let mut officers = vec![
            officer(1, "East", PipLevel::Pip1, &[]),
            officer(2, "East", PipLevel::Pip1, &[]),
            officer(3, "West", PipLevel::Pip1, &[]),
        ];
        officers[1].workload = 4;
        let mut crimes: Vec<CrimeToAllocate> = (1..=4).map(|n| crime(n, "East", PipLevel::Pip1, &[], 5)).collect();
        crimes[3].continuity = vec![officers[2].id];
        let w = CostWeights::default();
        let plan = propose(&crimes, &officers, &w);
        assert_eq!(plan.total_cost, exact_reference(&crimes, &officers, &w));
        let to = |i: usize| plan.proposals[i].officer_id;
        // Three East crimes over the two East officers, two to the lighter; the fourth stays in East
        // too (continuity's 200 is less than another division's 300).
        let east: Vec<Option<Uuid>> = (0..4).map(to).collect();
        assert!(east.iter().all(|o| *o == Some(officers[0].id) || *o == Some(officers[1].id)), "{east:?}");
        assert_eq!(east.iter().filter(|o| **o == Some(officers[0].id)).count(), 2);
        let lighter = plan.proposals.iter().find(|p| p.officer_id == Some(officers[0].id)).expect("allocated");
        assert!(
            lighter.reasons.iter().any(|r| r.starts_with("Lightest workload of the 3 eligible officers")),
            "{:?}",
            lighter.reasons
        );

        // With a bigger bonus, continuity wins over the division.
        let w = CostWeights { continuity_bonus: 400, ..CostWeights::default() };
        let plan = propose(&crimes, &officers, &w);
        assert_eq!(plan.total_cost, exact_reference(&crimes, &officers, &w));
        assert_eq!(plan.proposals[3].officer_id, Some(officers[2].id));
        let reasons = &plan.proposals[3].reasons;
        assert!(reasons[0].starts_with("In West division, not the crime's (East):"), "{reasons:?}");
        assert!(reasons.contains(&"Already investigating an open crime for the same victim or suspect".to_string()));
    }

    #[test]
    fn when_capacity_is_short_the_least_urgent_wait_and_are_told_why() {
        let mut solo = officer(1, "East", PipLevel::Pip2, &[Specialism::SexualOffencesLiaison]);
        solo.open_crimes = 14;
        let officers = vec![solo];
        let crimes: Vec<CrimeToAllocate> = [30, 90, 60]
            .iter()
            .enumerate()
            .map(|(n, p)| crime(n as u128, "East", PipLevel::Pip2, &[Specialism::SexualOffencesLiaison], *p))
            .collect();
        let w = CostWeights::default();
        let plan = propose(&crimes, &officers, &w);
        assert_eq!(plan.total_cost, exact_reference(&crimes, &officers, &w));
        assert_eq!(plan.allocated(), 2);
        assert_eq!(plan.proposals[0].officer_id, None, "the least urgent waits");
        assert_eq!(
            plan.proposals[0].infeasible.as_deref(),
            Some("Every eligible officer's capacity went to more urgent crimes (1 eligible officer, 2 places)")
        );
        assert_eq!(plan.proposals[0].cost, w.unallocated + 30 * w.per_priority_point);
        let second = plan.proposals.iter().find(|p| p.reasons.iter().any(|r| r.starts_with("New crime 2 of 2")));
        assert!(second.is_some(), "{plan:?}");
    }

    #[test]
    fn a_crime_no_one_can_take_is_explained() {
        let mut east = officer(1, "East", PipLevel::Pip2, &[Specialism::SexualOffencesLiaison]);
        east.open_crimes = 16;
        let mut west = officer(2, "West", PipLevel::Pip3, &[Specialism::SexualOffencesLiaison]);
        west.available = false;
        let mut west2 = officer(3, "West", PipLevel::Pip2, &[Specialism::SexualOffencesLiaison, Specialism::HateCrime]);
        west2.open_crimes = 20;
        let plain = officer(4, "East", PipLevel::Pip1, &[Specialism::DomesticAbuse]);
        let officers = vec![east, west, west2, plain];
        let mut desk = crime(4, "East", PipLevel::None, &[], 1);
        desk.desk = true;
        let crimes = vec![
            crime(1, "East", PipLevel::Pip2, &[Specialism::SexualOffencesLiaison], 1),
            crime(2, "East", PipLevel::Pip3, &[Specialism::ChildAbuse], 1),
            crime(3, "East", PipLevel::None, &[], 1),
            desk,
        ];
        let plan = propose(&crimes, &officers, &CostWeights::default());
        let why = |i: usize| plan.proposals[i].infeasible.clone().unwrap_or_default();
        assert_eq!(
            why(0),
            "No officer with PIP level 2 and sexual offences liaison has capacity: 1 in East division (at their \
             cap), 2 elsewhere (1 at their cap, 1 unavailable)"
        );
        assert_eq!(
            why(1),
            "No officer holds PIP level 3 and child abuse (1 holds PIP level 3 or above; none holds child abuse)"
        );
        assert_eq!(plan.proposals[2].officer_id, Some(officers[3].id));
        let both = vec![crime(5, "East", PipLevel::Pip1, &[Specialism::DomesticAbuse, Specialism::HateCrime], 1)];
        let plan_both = propose(&both, &officers, &CostWeights::default());
        assert_eq!(
            plan_both.proposals[0].infeasible.as_deref(),
            Some(
                "No officer holds PIP level 1 and domestic abuse and hate crime (4 hold PIP level 1 or above; 1 holds \
                  domestic abuse; 1 holds hate crime; none holds them all)"
            )
        );
        assert_eq!(
            why(3),
            "No desk-investigation officer is listed; 4 officers do outside desk investigation, but the crime was \
             routed to desk investigation"
        );
        assert_eq!(plan.total_cost, exact_reference(&crimes, &officers, &CostWeights::default()));
    }

    #[test]
    fn an_empty_queue_or_force_is_a_plan() {
        let plan = propose(&[], &[], &CostWeights::default());
        assert_eq!((plan.proposals.len(), plan.total_cost), (0, 0));
        let crimes = vec![crime(1, "East", PipLevel::None, &[], 7)];
        let plan = propose(&crimes, &[], &CostWeights::default());
        assert_eq!(plan.total_cost, 1_000_000 + 7_000);
        assert_eq!(plan.proposals[0].infeasible.as_deref(), Some("No officer is listed"));
    }

    // ---- Random forces: propose against the reference and brute force ----

    /// The least cost by trying every allocation (tiny cases only).
    fn brute_force(crimes: &[CrimeToAllocate], officers: &[OfficerProfile], w: &CostWeights) -> i64 {
        fn go(
            c: usize,
            crimes: &[CrimeToAllocate],
            officers: &[OfficerProfile],
            w: &CostWeights,
            taken: &mut [u32],
        ) -> i64 {
            let Some(crime) = crimes.get(c) else { return 0 };
            let mut best = w.penalty(crime) + go(c + 1, crimes, officers, w, taken);
            for (o, officer) in officers.iter().enumerate() {
                let mut counted = officer.clone();
                counted.open_crimes += taken[o];
                if check(crime, &counted).is_ok() {
                    taken[o] += 1;
                    let cost = single_cost(crime, officer, w) + i64::from(taken[o]) * w.per_new_crime;
                    best = best.min(cost + go(c + 1, crimes, officers, w, taken));
                    taken[o] -= 1;
                }
            }
            best
        }
        go(0, crimes, officers, w, &mut vec![0; officers.len()])
    }

    type Force = (Vec<OfficerProfile>, Vec<CrimeToAllocate>, CostWeights);

    fn specialisms_of(bits: u32) -> Vec<Specialism> {
        Specialism::ALL.iter().take(3).enumerate().filter(|(i, _)| bits & (1 << i) != 0).map(|(_, s)| *s).collect()
    }

    fn arb_force(officers: usize, crimes: usize) -> impl Strategy<Value = Force> {
        let officer_parts = (
            0..2u8,
            0..5usize,
            0..8u32,
            prop::bool::weighted(0.2),
            prop::bool::weighted(0.85),
            0..5u32,
            0..7u32,
            0..12u32,
        );
        let crime_parts = (
            0..2u8,
            0..4usize,
            prop_oneof![3 => Just(0u32), 1 => 0..8u32],
            prop::bool::weighted(0.2),
            0..6u32,
            prop::collection::vec(0..14u128, 0..3),
        );
        let weights = (
            0..400i64,
            0..60i64,
            0..50i64,
            0..300i64,
            0..10i64,
            0..40i64,
            prop_oneof![Just(1_000_000i64), 0..600i64],
            0..200i64,
        );
        (prop::collection::vec(officer_parts, 0..=officers), prop::collection::vec(crime_parts, 0..=crimes), weights)
            .prop_map(|(os, cs, (od, pip, spec, bonus, point, step, unalloc, prio))| {
                let officers = os
                    .into_iter()
                    .enumerate()
                    .map(|(i, (d, pip, bits, desk, available, open, cap, workload))| OfficerProfile {
                        division: ["East", "West"][d as usize].into(),
                        pip_level: PipLevel::ALL[pip],
                        specialisms: specialisms_of(bits),
                        desk,
                        available,
                        unavailable_reason: (!available).then(|| format!("Officer {i} is on leave")),
                        open_crimes: open,
                        cap,
                        workload,
                        ..officer(i as u128, "East", PipLevel::None, &[])
                    })
                    .collect();
                let crimes = cs
                    .into_iter()
                    .enumerate()
                    .map(|(j, (d, pip, bits, desk, priority, continuity))| CrimeToAllocate {
                        desk,
                        continuity: continuity.into_iter().map(Uuid::from_u128).collect(),
                        ..crime(
                            j as u128,
                            ["East", "West"][d as usize],
                            PipLevel::ALL[pip],
                            &specialisms_of(bits),
                            priority,
                        )
                    })
                    .collect();
                let w = CostWeights {
                    other_division: od,
                    per_pip_level_above: pip,
                    per_unneeded_specialism: spec,
                    continuity_bonus: bonus,
                    per_workload_point: point,
                    per_new_crime: step,
                    unallocated: unalloc,
                    per_priority_point: prio,
                };
                (officers, crimes, w)
            })
    }

    /// Every proposal keeps the hard rules, counting the plan's own earlier allocations, and the
    /// costs add up.
    fn assert_valid(plan: &Plan, crimes: &[CrimeToAllocate], officers: &[OfficerProfile], w: &CostWeights) {
        assert_eq!(plan.proposals.len(), crimes.len());
        let mut taken: HashMap<Uuid, u32> = HashMap::new();
        for (p, c) in plan.proposals.iter().zip(crimes) {
            assert_eq!(p.crime_id, c.crime_id);
            assert_eq!(p.officer_id.is_none(), p.infeasible.is_some(), "{p:?}");
            match p.officer_id {
                Some(id) => {
                    let o = officers.iter().find(|o| o.id == id).expect("a listed officer");
                    let mut counted = o.clone();
                    counted.open_crimes += taken.get(&id).copied().unwrap_or(0);
                    assert_eq!(check(c, &counted), Ok(()), "{c:?}");
                    *taken.entry(id).or_default() += 1;
                    assert!(!p.reasons.is_empty());
                }
                None => assert_eq!(p.cost, w.normalised().penalty(c)),
            }
        }
        assert_eq!(plan.total_cost, plan.proposals.iter().map(|p| p.cost).sum::<i64>());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn propose_is_optimal_and_keeps_the_rules((officers, crimes, w) in arb_force(12, 25)) {
            let plan = propose(&crimes, &officers, &w);
            assert_valid(&plan, &crimes, &officers, &w);
            prop_assert_eq!(plan.total_cost, exact_reference(&crimes, &officers, &w));
            prop_assert_eq!(&propose(&crimes, &officers, &w), &plan, "deterministic");
        }

        #[test]
        fn tiny_cases_match_brute_force((officers, crimes, w) in arb_force(4, 6)) {
            let best = brute_force(&crimes, &officers, &w);
            prop_assert_eq!(exact_reference(&crimes, &officers, &w), best);
            let plan = propose(&crimes, &officers, &w);
            assert_valid(&plan, &crimes, &officers, &w);
            prop_assert_eq!(plan.total_cost, best);
        }

        #[test]
        fn parsing_never_panics(text in "(.{0,40}\n){0,8}") {
            let _ = RequirementTable::parse(&text);
        }
    }
}
