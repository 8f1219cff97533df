//! Classification and recording rules as a rule engine (issue 4): each rule is a named, documented
//! function over the facts of a crime, tested on its own. A failing rule blocks finalisation, not
//! saving a draft, and says which rule failed and why. Codes and groups are from
//! `../shared/domain/REFERENCE.md` §2.4–2.5 (the HOCR 2022/3 offence groups and the ONS code
//! hierarchy); rules that depend on a code read it from the crime's classification, so a force's own
//! list (loaded from CSV) is checked the same way.

use chrono::{DateTime, Utc};

use crate::crime::{CrimeFlag, HateStrand};
use crate::offence::Offence;
use crate::person::Sex;

/// What the rules need to know about one victim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VictimFacts {
    /// Age on the day the crime began, when the date of birth is known.
    pub age: Option<u32>,
    pub sex: Sex,
    /// A business or other organisation rather than a person.
    pub is_organisation: bool,
}

/// The facts of a crime the rules look at.
#[derive(Debug, Clone, PartialEq)]
pub struct CrimeFacts<'a> {
    pub offence: &'a Offence,
    pub flags: &'a [CrimeFlag],
    pub hate_strands: &'a [HateStrand],
    pub victims: &'a [VictimFacts],
    /// An injury is recorded for a victim.
    pub injury_recorded: bool,
    pub occurred_from: DateTime<Utc>,
    pub occurred_to: Option<DateTime<Utc>>,
    /// The counting rules let this offence have several victims (a household for a burglary, say);
    /// otherwise it is one crime per victim (HOCR Section D). Which offences is the force's setting
    /// (`[crimes] several_victims_groups`).
    pub several_victims_allowed: bool,
}

/// One rule: its name (stable, shown to users and in the API), what it checks, and the check, which
/// returns why the crime breaks it.
pub struct Rule {
    pub name: &'static str,
    pub description: &'static str,
    pub check: fn(&CrimeFacts) -> Option<String>,
}

/// A broken rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleFailure {
    pub rule: &'static str,
    pub why: String,
}

fn people<'a>(f: &CrimeFacts<'a>) -> impl Iterator<Item = &'a VictimFacts> + use<'a> {
    f.victims.iter().filter(|v| !v.is_organisation)
}

/// The rape code a victim's age and sex call for (HOCR 19C–19H).
fn rape_code_for(age: u32, sex: Sex) -> Option<&'static str> {
    match (sex, age) {
        (Sex::Female, a) if a >= 16 => Some("19C"),
        (Sex::Female, a) if a >= 13 => Some("19D"),
        (Sex::Female, _) => Some("19E"),
        (Sex::Male, a) if a >= 16 => Some("19F"),
        (Sex::Male, a) if a >= 13 => Some("19G"),
        (Sex::Male, _) => Some("19H"),
        (Sex::Unknown, _) => None,
    }
}

/// The sexual-assault code a victim's age and sex call for (HOCR 17A/17B, 20A/20B).
fn sexual_assault_code_for(age: u32, sex: Sex) -> Option<&'static str> {
    match (sex, age >= 13) {
        (Sex::Male, true) => Some("17A"),
        (Sex::Male, false) => Some("17B"),
        (Sex::Female, true) => Some("20A"),
        (Sex::Female, false) => Some("20B"),
        (Sex::Unknown, _) => None,
    }
}

fn code_agrees_with_victims(
    f: &CrimeFacts,
    codes: &[&str],
    what: &str,
    code_for: fn(u32, Sex) -> Option<&'static str>,
) -> Option<String> {
    let code = f.offence.code.as_str();
    if !codes.contains(&code) {
        return None;
    }
    let mut victims = people(f).peekable();
    victims.peek()?;
    for v in victims {
        match (v.age, code_for(v.age.unwrap_or(0), v.sex)) {
            (None, _) | (_, None) => {
                return Some(format!("{what} codes depend on the victim's age and sex: record both"));
            }
            (Some(age), Some(expected)) if expected != code => {
                return Some(format!(
                    "{code} does not fit a {} victim aged {age}: the code for them is {expected}",
                    v.sex.label().to_lowercase()
                ));
            }
            _ => {}
        }
    }
    None
}

fn rape_code_matches_victim(f: &CrimeFacts) -> Option<String> {
    code_agrees_with_victims(f, &["19C", "19D", "19E", "19F", "19G", "19H"], "Rape", rape_code_for)
}

fn sexual_assault_code_matches_victim(f: &CrimeFacts) -> Option<String> {
    code_agrees_with_victims(f, &["17A", "17B", "20A", "20B"], "Sexual assault", sexual_assault_code_for)
}

fn with_injury_needs_an_injury(f: &CrimeFacts) -> Option<String> {
    (f.offence.subgroup == "Violence with injury" && !f.injury_recorded).then(|| {
        format!(
            "{} {} is a violence-with-injury code: record the injury, or reclassify",
            f.offence.code, f.offence.label
        )
    })
}

/// Racially or religiously aggravated codes (8P, 105B, 8M, 58J, 9B: labels say so).
fn aggravated_code_needs_a_hate_strand(f: &CrimeFacts) -> Option<String> {
    let aggravated = f.offence.label.to_lowercase().contains("racially or religiously aggravated");
    let strand = f.hate_strands.iter().any(|s| matches!(s, HateStrand::Race | HateStrand::Religion));
    (aggravated && !strand).then(|| {
        format!("{} is racially or religiously aggravated: flag the race or religion hate strand", f.offence.code)
    })
}

fn child_victim_is_flagged(f: &CrimeFacts) -> Option<String> {
    let child = people(f).any(|v| v.age.is_some_and(|a| a < 18));
    (child && !f.flags.contains(&CrimeFlag::ChildVictim))
        .then(|| "A victim is under 18: add the child victim flag".to_string())
}

fn coercive_control_is_domestic(f: &CrimeFacts) -> Option<String> {
    (f.offence.code == "8U" && !f.flags.contains(&CrimeFlag::DomesticAbuse)).then(|| {
        "Controlling or coercive behaviour is domestic abuse by definition: add the domestic abuse flag".to_string()
    })
}

fn modern_slavery_is_flagged(f: &CrimeFacts) -> Option<String> {
    (matches!(f.offence.code.as_str(), "106" | "72") && !f.flags.contains(&CrimeFlag::ModernSlavery))
        .then(|| format!("{} is a modern slavery offence: add the modern slavery flag", f.offence.code))
}

fn occurred_in_order(f: &CrimeFacts) -> Option<String> {
    f.occurred_to
        .filter(|to| *to < f.occurred_from)
        .map(|_| "The crime cannot end before it began: check occurred from and to".to_string())
}

fn has_a_victim(f: &CrimeFacts) -> Option<String> {
    f.victims.is_empty().then(|| "Every crime needs a victim (a person, an organisation, or the State)".to_string())
}

fn one_crime_per_victim(f: &CrimeFacts) -> Option<String> {
    (f.victims.len() > 1 && !f.several_victims_allowed).then(|| {
        format!(
            "{} victims are listed, but the counting rules make {} one crime per victim (HOCR Section D): record a separate crime for each",
            f.victims.len(),
            f.offence.code
        )
    })
}

/// Every rule, in the order they are reported.
pub const RULES: &[Rule] = &[
    Rule {
        name: "has-a-victim",
        description: "A crime has at least one victim: a person, an organisation, or the State.",
        check: has_a_victim,
    },
    Rule {
        name: "one-crime-per-victim",
        description: "One crime per victim (HOCR Section D), except for offences the force lists as allowing several victims.",
        check: one_crime_per_victim,
    },
    Rule {
        name: "occurred-in-order",
        description: "The time a crime ended is not before the time it began.",
        check: occurred_in_order,
    },
    Rule {
        name: "rape-code-matches-victim",
        description: "A rape code (19C–19H) agrees with every victim's sex and age: 16 and over, 13 to 15, under 13.",
        check: rape_code_matches_victim,
    },
    Rule {
        name: "sexual-assault-code-matches-victim",
        description: "A sexual assault code (17A/17B male, 20A/20B female) agrees with every victim's sex and whether they are under 13.",
        check: sexual_assault_code_matches_victim,
    },
    Rule {
        name: "with-injury-needs-an-injury",
        description: "A violence-with-injury code needs an injury recorded.",
        check: with_injury_needs_an_injury,
    },
    Rule {
        name: "aggravated-code-needs-a-hate-strand",
        description: "A racially or religiously aggravated code needs the race or religion hate strand flagged.",
        check: aggravated_code_needs_a_hate_strand,
    },
    Rule {
        name: "child-victim-is-flagged",
        description: "A victim under 18 on the day of the crime means the child victim flag.",
        check: child_victim_is_flagged,
    },
    Rule {
        name: "coercive-control-is-domestic",
        description: "Controlling or coercive behaviour (8U) carries the domestic abuse flag.",
        check: coercive_control_is_domestic,
    },
    Rule {
        name: "modern-slavery-is-flagged",
        description: "Modern slavery (106) and trafficking for sexual exploitation (72) carry the modern slavery flag.",
        check: modern_slavery_is_flagged,
    },
];

/// Every rule the crime breaks, in rule order. Empty means it may be finalised.
pub fn check(f: &CrimeFacts) -> Vec<RuleFailure> {
    RULES.iter().filter_map(|r| (r.check)(f).map(|why| RuleFailure { rule: r.name, why })).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::offence::OffenceList;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn when() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, 22, 0, 0).single().expect("valid")
    }

    fn victim(age: u32, sex: Sex) -> VictimFacts {
        VictimFacts { age: Some(age), sex, is_organisation: false }
    }

    fn failures(
        code: &str,
        flags: &[CrimeFlag],
        strands: &[HateStrand],
        victims: &[VictimFacts],
        injury: bool,
    ) -> Vec<&'static str> {
        let list = OffenceList::builtin();
        let offence = list.offence(code).expect("code in the built-in list").clone();
        let facts = CrimeFacts {
            offence: &offence,
            flags,
            hate_strands: strands,
            victims,
            injury_recorded: injury,
            occurred_from: when(),
            occurred_to: None,
            several_victims_allowed: false,
        };
        check(&facts).into_iter().map(|f| f.rule).collect()
    }

    #[test]
    fn every_rule_is_named_once_and_documented() {
        let mut names: Vec<&str> = RULES.iter().map(|r| r.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), RULES.len());
        assert!(RULES.iter().all(|r| !r.description.is_empty()));
    }

    #[test]
    fn rape_codes_follow_the_victims_age_and_sex() {
        assert!(failures("19C", &[], &[], &[victim(30, Sex::Female)], false).is_empty());
        assert_eq!(
            failures("19C", &[CrimeFlag::ChildVictim], &[], &[victim(14, Sex::Female)], false),
            ["rape-code-matches-victim"]
        );
        assert!(failures("19D", &[CrimeFlag::ChildVictim], &[], &[victim(14, Sex::Female)], false).is_empty());
        assert!(failures("19H", &[CrimeFlag::ChildVictim], &[], &[victim(12, Sex::Male)], false).is_empty());
        assert_eq!(failures("19F", &[], &[], &[victim(30, Sex::Female)], false), ["rape-code-matches-victim"]);
        let unknown = VictimFacts { age: None, sex: Sex::Female, is_organisation: false };
        assert_eq!(failures("19C", &[], &[], &[unknown], false), ["rape-code-matches-victim"]);
    }

    #[test]
    fn sexual_assault_codes_follow_the_victim() {
        assert!(failures("20A", &[], &[], &[victim(40, Sex::Female)], false).is_empty());
        assert_eq!(
            failures("20A", &[CrimeFlag::ChildVictim], &[], &[victim(10, Sex::Female)], false),
            ["sexual-assault-code-matches-victim"]
        );
        assert_eq!(
            failures("17A", &[], &[], &[victim(40, Sex::Female)], false),
            ["sexual-assault-code-matches-victim"]
        );
    }

    #[test]
    fn with_injury_needs_an_injury_recorded() {
        assert_eq!(failures("8N", &[], &[], &[victim(30, Sex::Male)], false), ["with-injury-needs-an-injury"]);
        assert!(failures("8N", &[], &[], &[victim(30, Sex::Male)], true).is_empty());
        assert!(failures("105A", &[], &[], &[victim(30, Sex::Male)], false).is_empty(), "without injury");
    }

    #[test]
    fn aggravated_codes_need_the_strand() {
        assert_eq!(
            failures("105B", &[], &[], &[victim(30, Sex::Male)], false),
            ["aggravated-code-needs-a-hate-strand"]
        );
        assert!(failures("105B", &[], &[HateStrand::Religion], &[victim(30, Sex::Male)], false).is_empty());
        assert_eq!(
            failures("58J", &[], &[HateStrand::Disability], &[victim(30, Sex::Male)], false),
            ["aggravated-code-needs-a-hate-strand"],
            "disability is a hate strand but not an aggravation of 58J"
        );
    }

    #[test]
    fn flags_that_follow_from_the_code_or_the_victim() {
        assert_eq!(failures("46", &[], &[], &[victim(15, Sex::Male)], false), ["child-victim-is-flagged"]);
        let shop = VictimFacts { age: None, sex: Sex::Unknown, is_organisation: true };
        assert!(failures("46", &[], &[], &[shop], false).is_empty(), "a shop is not a child");
        assert_eq!(failures("8U", &[], &[], &[victim(30, Sex::Female)], false), ["coercive-control-is-domestic"]);
        assert!(failures("8U", &[CrimeFlag::DomesticAbuse], &[], &[victim(30, Sex::Female)], false).is_empty());
        assert_eq!(failures("106", &[], &[], &[victim(30, Sex::Male)], false), ["modern-slavery-is-flagged"]);
        assert_eq!(failures("46", &[], &[], &[], false), ["has-a-victim"]);
    }

    #[test]
    fn the_end_is_not_before_the_start() {
        let list = OffenceList::builtin();
        let offence = list.offence("49").expect("other theft").clone();
        let victims = [victim(30, Sex::Male)];
        let facts = CrimeFacts {
            offence: &offence,
            flags: &[],
            hate_strands: &[],
            victims: &victims,
            injury_recorded: false,
            occurred_from: when(),
            occurred_to: Some(when() - chrono::Duration::hours(1)),
            several_victims_allowed: false,
        };
        let failed = check(&facts);
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].rule, "occurred-in-order");
        assert!(failed[0].why.contains("cannot end before it began"));
    }

    #[test]
    fn one_crime_per_victim_unless_the_offence_allows_several() {
        let list = OffenceList::builtin();
        let offence = list.offence("46").expect("shoplifting").clone();
        let shop = VictimFacts { age: None, sex: Sex::Unknown, is_organisation: true };
        let victims = [shop.clone(), victim(40, Sex::Female)];
        let mut facts = CrimeFacts {
            offence: &offence,
            flags: &[],
            hate_strands: &[],
            victims: &victims,
            injury_recorded: false,
            occurred_from: when(),
            occurred_to: None,
            several_victims_allowed: false,
        };
        let failed = check(&facts);
        assert_eq!(failed.iter().map(|f| f.rule).collect::<Vec<_>>(), ["one-crime-per-victim"]);
        assert!(failed[0].why.contains("2 victims") && failed[0].why.contains("Section D"));
        facts.several_victims_allowed = true;
        assert!(check(&facts).is_empty());
        let one = [shop];
        facts.several_victims_allowed = false;
        facts.victims = &one;
        assert!(check(&facts).is_empty(), "a business alone is a victim");
    }

    proptest! {
        #[test]
        fn the_right_rape_code_always_passes(age in 0u32..100, female in any::<bool>()) {
            let sex = if female { Sex::Female } else { Sex::Male };
            let code = rape_code_for(age, sex).expect("known sex");
            let flags: &[CrimeFlag] = if age < 18 { &[CrimeFlag::ChildVictim] } else { &[] };
            prop_assert!(failures(code, flags, &[], &[victim(age, sex)], false).is_empty());
            for other in ["19C", "19D", "19E", "19F", "19G", "19H"].into_iter().filter(|c| *c != code) {
                prop_assert_eq!(failures(other, flags, &[], &[victim(age, sex)], false), vec!["rape-code-matches-victim"]);
            }
        }
    }
}
