//! Home Office offence classification: the versioned list of offence codes a crime is classified
//! under (Home Office Counting Rules, `../shared/domain/REFERENCE.md` §2.4–2.5). The built-in list is
//! the HOCR 2022/3 groups with the ONS code hierarchy; a force loads its own, for its counting-rules
//! year, as CSV (`code,label,group,subgroup,confirmed`). Codes are strings ("8N", "105A", "4/10").

use std::collections::BTreeSet;

use serde::Deserialize;

use crate::access::named_enum;

named_enum!(
    /// The HOCR offence groups (2022/3 edition, REFERENCE.md §2.4).
    OffenceGroup {
        ViolenceAgainstThePerson => "violence-against-the-person", "Violence against the person";
        SexualOffences => "sexual-offences", "Sexual offences";
        Robbery => "robbery", "Robbery";
        Burglary => "burglary", "Burglary";
        VehicleOffences => "vehicle-offences", "Vehicle offences";
        Theft => "theft", "Theft";
        ArsonAndCriminalDamage => "arson-and-criminal-damage", "Arson and criminal damage";
        DrugOffences => "drug-offences", "Drug offences";
        PublicOrderOffences => "public-order-offences", "Public order offences";
        PossessionOfWeapons => "possession-of-weapons", "Possession of weapons";
        MiscellaneousCrimesAgainstSociety => "miscellaneous-crimes-against-society", "Miscellaneous crimes against society";
        Fraud => "fraud", "Fraud";
    }
);

/// One offence code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offence {
    pub code: String,
    pub label: String,
    pub group: OffenceGroup,
    /// The statistical sub-group ("Violence with injury", "Rape", …).
    pub subgroup: String,
    /// `false` where the reference notes could not confirm the code or its label.
    pub confirmed: bool,
}

/// A versioned offence list: every crime records the code and the list version it was classified
/// under, so a later list never silently reclassifies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffenceList {
    pub version: String,
    pub offences: Vec<Offence>,
}

/// The version of the built-in list.
pub const BUILTIN_VERSION: &str = "HOCR 2022/23 (bluelamp built-in, ONS code hierarchy)";
const BUILTIN_CSV: &str = include_str!("../data/offences-hocr-2022-23.csv");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Row {
    code: String,
    label: String,
    group: String,
    subgroup: String,
    confirmed: String,
}

/// Whether `code` has the shape of a Home Office code: a class number, then optionally letters or
/// "/" and a subclass number ("8N", "105A", "4/10", "37/2").
pub fn is_code_shaped(code: &str) -> bool {
    let digits = code.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 || digits > 3 {
        return false;
    }
    let rest = &code[digits..];
    match rest.strip_prefix('/') {
        Some(sub) => !sub.is_empty() && sub.len() <= 2 && sub.chars().all(|c| c.is_ascii_digit()),
        None => rest.len() <= 2 && rest.chars().all(|c| c.is_ascii_uppercase()),
    }
}

impl OffenceList {
    /// The built-in list.
    pub fn builtin() -> OffenceList {
        // The built-in file is checked by a unit test; an error here would be a build defect, so
        // fall back to an empty list rather than panic on a request path.
        OffenceList::from_csv(BUILTIN_VERSION, BUILTIN_CSV)
            .unwrap_or_else(|_| OffenceList { version: BUILTIN_VERSION.into(), offences: Vec::new() })
    }

    /// Parses a force's list. Every problem is reported with its line, all at once.
    pub fn from_csv(version: &str, text: &str) -> Result<OffenceList, Vec<String>> {
        let mut errors = Vec::new();
        if version.trim().is_empty() {
            errors.push("the list needs a version (for example \"HOCR 2024/25\")".to_string());
        }
        let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
        let mut offences = Vec::new();
        let mut seen = BTreeSet::new();
        for (n, row) in reader.deserialize::<Row>().enumerate() {
            let line = n + 2; // the header is line 1
            let row = match row {
                Ok(row) => row,
                Err(e) => {
                    errors.push(format!("line {line}: {e}"));
                    continue;
                }
            };
            let code = row.code.to_ascii_uppercase();
            if !is_code_shaped(&code) {
                errors.push(format!("line {line}: \"{}\" is not a Home Office code (like 8N, 105A or 4/10)", row.code));
            } else if !seen.insert(code.clone()) {
                errors.push(format!("line {line}: code {code} is listed twice"));
            }
            if row.label.is_empty() {
                errors.push(format!("line {line} ({code}): the label is empty"));
            }
            let group = row.group.parse::<OffenceGroup>();
            if group.is_err() {
                let known: Vec<&str> = OffenceGroup::ALL.iter().map(|g| g.as_str()).collect();
                errors.push(format!(
                    "line {line} ({code}): unknown group \"{}\"; use one of {}",
                    row.group,
                    known.join(", ")
                ));
            }
            let confirmed = match row.confirmed.as_str() {
                "true" | "yes" => Some(true),
                "false" | "no" => Some(false),
                _ => None,
            };
            if confirmed.is_none() {
                errors.push(format!("line {line} ({code}): confirmed must be true or false"));
            }
            if let (Ok(group), Some(confirmed)) = (group, confirmed) {
                offences.push(Offence { code, label: row.label, group, subgroup: row.subgroup, confirmed });
            }
        }
        if errors.is_empty() && offences.is_empty() {
            errors.push("the list has no offences".to_string());
        }
        if errors.is_empty() { Ok(OffenceList { version: version.trim().to_string(), offences }) } else { Err(errors) }
    }

    /// The offence with this code (case-insensitive).
    pub fn offence(&self, code: &str) -> Option<&Offence> {
        let code = code.trim().to_ascii_uppercase();
        self.offences.iter().find(|o| o.code == code)
    }

    /// The offences of each group, in the list's order, for a grouped `<select>`.
    pub fn by_group(&self) -> Vec<(OffenceGroup, Vec<&Offence>)> {
        OffenceGroup::ALL
            .iter()
            .map(|g| (*g, self.offences.iter().filter(|o| o.group == *g).collect::<Vec<_>>()))
            .filter(|(_, list)| !list.is_empty())
            .collect()
    }
}

impl crate::Core {
    /// The offence classification crimes are recorded under.
    pub fn offence_list(&self, by: &crate::access::Principal) -> crate::Result<&OffenceList> {
        by.require(crate::access::Permission::CrimeView)?;
        Ok(&self.settings.offences)
    }
}

impl Default for OffenceList {
    fn default() -> Self {
        OffenceList::builtin()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_builtin_list_parses_whole() {
        let list = OffenceList::from_csv(BUILTIN_VERSION, BUILTIN_CSV).expect("the built-in list is valid");
        assert_eq!(list.offences.len(), 124);
        assert_eq!(OffenceList::builtin(), list);
        let assault = list.offence("8n").expect("assault with injury");
        assert_eq!(
            (assault.label.as_str(), assault.group),
            ("Assault with injury", OffenceGroup::ViolenceAgainstThePerson)
        );
        assert_eq!(list.offence("19C").map(|o| o.subgroup.as_str()), Some("Rape"));
        assert_eq!(list.offence("8U").map(|o| o.confirmed), Some(false), "coercive control's code is unconfirmed");
        let groups: Vec<OffenceGroup> = list.by_group().into_iter().map(|(g, _)| g).collect();
        assert!(groups.contains(&OffenceGroup::Burglary) && !groups.contains(&OffenceGroup::Fraud));
    }

    #[test]
    fn a_bad_list_names_every_problem_by_line() {
        let text = "code,label,group,subgroup,confirmed\n\
                    8N,Assault with injury,violence-against-the-person,Violence with injury,true\n\
                    8N,Again,violence-against-the-person,Violence with injury,true\n\
                    X1,Not a code,theft,Theft,true\n\
                    49,Other theft,thievery,Theft,true\n\
                    46,Shoplifting,theft,Theft,maybe\n";
        let errors = OffenceList::from_csv("Test", text).expect_err("invalid");
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert!(errors[0].starts_with("line 3: code 8N is listed twice"), "{errors:?}");
        assert!(errors[1].contains("line 4") && errors[1].contains("not a Home Office code"));
        assert!(errors[2].contains("unknown group \"thievery\""));
        assert!(errors[3].contains("confirmed must be true or false"));
    }

    #[test]
    fn a_missing_column_or_version_or_an_empty_list_is_refused() {
        let missing = OffenceList::from_csv("Test", "code,label,group\n8N,Assault,violence-against-the-person\n");
        assert!(missing.expect_err("missing")[0].contains("line 2"));
        let unversioned =
            OffenceList::from_csv(" ", "code,label,group,subgroup,confirmed\n46,Shoplifting,theft,Theft,true\n");
        assert!(unversioned.expect_err("no version")[0].contains("version"));
        let empty = OffenceList::from_csv("Test", "code,label,group,subgroup,confirmed\n");
        assert_eq!(empty.expect_err("empty"), vec!["the list has no offences".to_string()]);
    }

    #[test]
    fn code_shapes() {
        for good in ["1", "8N", "105A", "4/10", "37/2", "802", "49A"] {
            assert!(is_code_shaped(good), "{good}");
        }
        for bad in ["", "N8", "8n", "4/", "4/100", "1234", "8NNN", "8 N", "4/1A"] {
            assert!(!is_code_shaped(bad), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn parsing_never_panics(text in "(.{0,40}\n){0,6}") {
            let _ = OffenceList::from_csv("Test", &text);
        }

        #[test]
        fn every_code_shaped_code_round_trips(class in 1u32..1000, letter in proptest::option::of("[A-Z]{1,2}")) {
            let code = format!("{class}{}", letter.unwrap_or_default());
            prop_assert!(is_code_shaped(&code));
            let text = format!("code,label,group,subgroup,confirmed\n{code},Label,theft,Theft,true\n");
            let list = OffenceList::from_csv("Test", &text).expect("valid");
            prop_assert_eq!(list.offence(&code.to_lowercase()).map(|o| o.code.clone()), Some(code));
        }
    }
}
