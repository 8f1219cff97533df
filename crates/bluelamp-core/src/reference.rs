//! Reference data for incidents: NSIR categories and qualifiers, as versioned lists
//! (`../shared/domain/REFERENCE.md` §3.1). The category names are the commonly used NICL ones, marked
//! "unconfirmed" in the reference notes, so a force can replace the whole list with its own
//! ([`NsirList::from_toml`], read from the file named by `incidents.nsir_file`); every list carries the
//! version it came from. The NICL chapters themselves are fixed by NSIR 2011 (REFERENCE.md §3.1).

use serde::Deserialize;

/// The version of the built-in list ([`NsirList::builtin`]).
pub const NSIR_LIST_VERSION: &str = "NSIR 2011 (bluelamp default NICL list v1)";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chapter {
    Crime,
    Transport,
    AntiSocialBehaviour,
    PublicSafetyAndWelfare,
    Administration,
}

impl Chapter {
    pub const ALL: &[Chapter] = &[
        Chapter::Crime,
        Chapter::Transport,
        Chapter::AntiSocialBehaviour,
        Chapter::PublicSafetyAndWelfare,
        Chapter::Administration,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Chapter::Crime => "Crime",
            Chapter::Transport => "Transport",
            Chapter::AntiSocialBehaviour => "Anti-social behaviour",
            Chapter::PublicSafetyAndWelfare => "Public safety and welfare",
            Chapter::Administration => "Administration",
        }
    }

    /// The code used in a force's list file.
    pub fn as_str(self) -> &'static str {
        match self {
            Chapter::Crime => "crime",
            Chapter::Transport => "transport",
            Chapter::AntiSocialBehaviour => "anti-social-behaviour",
            Chapter::PublicSafetyAndWelfare => "public-safety-and-welfare",
            Chapter::Administration => "administration",
        }
    }
}

/// An NSIR incident category (opening or closing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub code: String,
    pub label: String,
    pub chapter: Chapter,
    /// A crime-related incident must have a crime recorded, or a recorded reason why not, within
    /// 24 hours (NCRS, REFERENCE.md §2).
    pub is_crime_related: bool,
}

/// A flag added to any incident (REFERENCE.md §3.1, "Qualifiers").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Qualifier {
    pub code: String,
    pub label: String,
}

/// The force's NSIR categories and qualifiers, with the version they came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NsirList {
    pub version: String,
    pub categories: Vec<Category>,
    pub qualifiers: Vec<Qualifier>,
}

const BUILTIN_CATEGORIES: &[(&str, &str, Chapter, bool)] = &[
    ("CRM-VIO", "Crime: violence against the person", Chapter::Crime, true),
    ("CRM-SEX", "Crime: sexual offence", Chapter::Crime, true),
    ("CRM-ROB", "Crime: robbery", Chapter::Crime, true),
    ("CRM-BUR", "Crime: burglary", Chapter::Crime, true),
    ("CRM-VEH", "Crime: vehicle offence", Chapter::Crime, true),
    ("CRM-THF", "Crime: theft", Chapter::Crime, true),
    ("CRM-DAM", "Crime: criminal damage or arson", Chapter::Crime, true),
    ("CRM-DRG", "Crime: drugs", Chapter::Crime, true),
    ("CRM-WPN", "Crime: possession of weapons", Chapter::Crime, true),
    ("CRM-POR", "Crime: public order", Chapter::Crime, true),
    ("CRM-FRD", "Crime: fraud", Chapter::Crime, true),
    ("CRM-OTH", "Crime: other", Chapter::Crime, true),
    ("TRN-RTCD", "Road traffic collision: damage only", Chapter::Transport, false),
    ("TRN-RTCI", "Road traffic collision: injury", Chapter::Transport, false),
    ("TRN-RTCF", "Road traffic collision: fatal", Chapter::Transport, false),
    ("TRN-ROF", "Road-related offence", Chapter::Transport, true),
    ("TRN-HWY", "Highway disruption", Chapter::Transport, false),
    ("ASB-PER", "Anti-social behaviour: personal", Chapter::AntiSocialBehaviour, false),
    ("ASB-NUI", "Anti-social behaviour: nuisance", Chapter::AntiSocialBehaviour, false),
    ("ASB-ENV", "Anti-social behaviour: environmental", Chapter::AntiSocialBehaviour, false),
    ("PSW-CFS", "Concern for safety", Chapter::PublicSafetyAndWelfare, false),
    ("PSW-DOM", "Domestic incident", Chapter::PublicSafetyAndWelfare, false),
    ("PSW-CIV", "Civil dispute", Chapter::PublicSafetyAndWelfare, false),
    ("PSW-SUD", "Sudden death", Chapter::PublicSafetyAndWelfare, false),
    ("PSW-SUS", "Suspicious circumstances", Chapter::PublicSafetyAndWelfare, false),
    ("PSW-MIS", "Missing person", Chapter::PublicSafetyAndWelfare, false),
    ("PSW-CII", "Collapse, illness or injury", Chapter::PublicSafetyAndWelfare, false),
    ("PSW-INS", "Insecure premises", Chapter::PublicSafetyAndWelfare, false),
    ("PSW-PRO", "Lost or found property", Chapter::PublicSafetyAndWelfare, false),
    ("PSW-ALM", "Alarm activation", Chapter::PublicSafetyAndWelfare, false),
    ("PSW-A99", "Abandoned or silent 999 call", Chapter::PublicSafetyAndWelfare, false),
    ("PSW-ANI", "Animals", Chapter::PublicSafetyAndWelfare, false),
    ("PSW-MHT", "Mental health", Chapter::PublicSafetyAndWelfare, false),
    ("PSW-PRT", "Protest or demonstration", Chapter::PublicSafetyAndWelfare, false),
    ("ADM-MSG", "Message or information", Chapter::Administration, false),
    ("ADM-PPE", "Pre-planned event", Chapter::Administration, false),
    ("ADM-DUP", "Duplicate, test or training record", Chapter::Administration, false),
];

const BUILTIN_QUALIFIERS: &[(&str, &str)] = &[
    ("domestic-abuse", "Domestic abuse"),
    ("mental-health", "Mental health"),
    ("hate", "Hate"),
    ("alcohol", "Alcohol"),
    ("drugs", "Drugs"),
    ("child", "Child involved"),
    ("vulnerable-adult", "Vulnerable adult"),
    ("repeat", "Repeat"),
    ("missing-person", "Missing person"),
    ("weapons", "Weapons"),
];

impl Default for NsirList {
    fn default() -> Self {
        NsirList::builtin()
    }
}

/// A force's list file, as written (see `docs/operations.md`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListFile {
    version: String,
    #[serde(default, rename = "category")]
    categories: Vec<CategoryFile>,
    #[serde(default, rename = "qualifier")]
    qualifiers: Vec<QualifierFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoryFile {
    code: String,
    label: String,
    chapter: String,
    /// Defaults to true in the crime chapter and false elsewhere.
    crime_related: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct QualifierFile {
    code: String,
    label: String,
}

/// A code is short, and letters, digits and hyphens only: qualifiers are stored comma-separated.
fn code_problem(code: &str) -> Option<&'static str> {
    if code.is_empty() {
        Some("is empty")
    } else if code.chars().count() > 20 {
        Some("is longer than 20 characters")
    } else if !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        Some("may hold only letters, digits and hyphens")
    } else {
        None
    }
}

impl NsirList {
    /// The built-in default list, [`NSIR_LIST_VERSION`].
    pub fn builtin() -> NsirList {
        NsirList {
            version: NSIR_LIST_VERSION.to_string(),
            categories: BUILTIN_CATEGORIES
                .iter()
                .map(|(code, label, chapter, crime)| Category {
                    code: (*code).into(),
                    label: (*label).into(),
                    chapter: *chapter,
                    is_crime_related: *crime,
                })
                .collect(),
            qualifiers: BUILTIN_QUALIFIERS
                .iter()
                .map(|(code, label)| Qualifier { code: (*code).into(), label: (*label).into() })
                .collect(),
        }
    }

    /// Reads a force's list from TOML text: a `version`, then `[[category]]` tables (`code`, `label`,
    /// `chapter`, optional `crime_related`) and `[[qualifier]]` tables (`code`, `label`). Every problem
    /// is reported, naming the entry and the field.
    pub fn from_toml(text: &str) -> Result<NsirList, String> {
        let file: ListFile = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| text.bytes().take(s.start).filter(|b| *b == b'\n').count() + 1);
            let at = line.map(|l| format!(" (line {l})")).unwrap_or_default();
            format!("not a valid NSIR list{at}: {}", e.message().trim())
        })?;
        let mut problems = Vec::new();
        let version = file.version.trim().to_string();
        if version.is_empty() || version.chars().count() > 100 {
            problems.push("version must be 1 to 100 characters".to_string());
        }
        if file.categories.is_empty() {
            problems.push("the list has no [[category]] entries".to_string());
        }
        if file.qualifiers.is_empty() {
            problems.push("the list has no [[qualifier]] entries".to_string());
        }
        let mut categories: Vec<Category> = Vec::new();
        for (n, c) in file.categories.iter().enumerate() {
            let code = c.code.trim();
            let at = format!("category {} ({code})", n + 1);
            if let Some(problem) = code_problem(code) {
                problems.push(format!("{at}: code {problem}"));
            }
            if categories.iter().any(|x| x.code == code) {
                problems.push(format!("{at}: code {code} is listed twice"));
            }
            let label = c.label.trim();
            if label.is_empty() || label.chars().count() > 100 {
                problems.push(format!("{at}: label must be 1 to 100 characters"));
            }
            let chapter = Chapter::ALL.iter().find(|ch| ch.as_str() == c.chapter.trim()).copied();
            let Some(chapter) = chapter else {
                let known = Chapter::ALL.iter().map(|ch| ch.as_str()).collect::<Vec<_>>().join(", ");
                problems.push(format!("{at}: chapter '{}' is not an NSIR chapter (one of {known})", c.chapter));
                continue;
            };
            let is_crime_related = c.crime_related.unwrap_or(chapter == Chapter::Crime);
            if chapter == Chapter::Crime && !is_crime_related {
                problems.push(format!("{at}: a category in the crime chapter is always crime-related"));
            }
            categories.push(Category { code: code.into(), label: label.into(), chapter, is_crime_related });
        }
        let mut qualifiers: Vec<Qualifier> = Vec::new();
        for (n, q) in file.qualifiers.iter().enumerate() {
            let code = q.code.trim();
            let at = format!("qualifier {} ({code})", n + 1);
            if let Some(problem) = code_problem(code) {
                problems.push(format!("{at}: code {problem}"));
            }
            if qualifiers.iter().any(|x| x.code == code) {
                problems.push(format!("{at}: code {code} is listed twice"));
            }
            let label = q.label.trim();
            if label.is_empty() || label.chars().count() > 100 {
                problems.push(format!("{at}: label must be 1 to 100 characters"));
            }
            qualifiers.push(Qualifier { code: code.into(), label: label.into() });
        }
        if problems.is_empty() { Ok(NsirList { version, categories, qualifiers }) } else { Err(problems.join("; ")) }
    }

    pub fn category(&self, code: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.code == code)
    }

    pub fn qualifier_label(&self, code: &str) -> Option<&str> {
        self.qualifiers.iter().find(|q| q.code == code).map(|q| q.label.as_str())
    }

    /// Whether the category is crime-related; unknown codes (say, from an earlier list) are not.
    pub fn is_crime_related(&self, code: &str) -> bool {
        self.category(code).is_some_and(|c| c.is_crime_related)
    }

    /// Categories grouped by chapter, in list order, for `<optgroup>`s.
    pub fn by_chapter(&self) -> Vec<(Chapter, Vec<&Category>)> {
        let mut groups: Vec<(Chapter, Vec<&Category>)> = Vec::new();
        for c in &self.categories {
            match groups.iter_mut().find(|(chapter, _)| *chapter == c.chapter) {
                Some((_, list)) => list.push(c),
                None => groups.push((c.chapter, vec![c])),
            }
        }
        groups
    }
}

impl crate::Core {
    /// The force's NSIR list, for forms and API clients. Reference data, not a record: not audited.
    pub fn nsir_list(&self, by: &crate::access::Principal) -> crate::Result<&NsirList> {
        by.require(crate::access::Permission::IncidentView)?;
        Ok(&self.settings.nsir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
version = "Wealdshire NICL 2026-04"

[[category]]
code = "CRM-VIO"
label = "Crime: violence against the person"
chapter = "crime"

[[category]]
code = "PSW-CFS"
label = "Concern for safety"
chapter = "public-safety-and-welfare"

[[category]]
code = "PSW-WLF"
label = "Welfare check, partner agency request"
chapter = "public-safety-and-welfare"

[[category]]
code = "TRN-ROF"
label = "Road-related offence"
chapter = "transport"
crime_related = true

[[qualifier]]
code = "domestic-abuse"
label = "Domestic abuse"

[[qualifier]]
code = "county-lines"
label = "County lines"
"#;

    #[test]
    fn the_builtin_list_has_unique_codes() {
        let list = NsirList::builtin();
        let mut codes: Vec<&str> = list.categories.iter().map(|c| c.code.as_str()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), list.categories.len());
        let mut q: Vec<&str> = list.qualifiers.iter().map(|c| c.code.as_str()).collect();
        q.sort();
        q.dedup();
        assert_eq!(q.len(), list.qualifiers.len());
        assert_eq!(list.version, NSIR_LIST_VERSION);
    }

    #[test]
    fn every_crime_chapter_category_is_crime_related() {
        let list = NsirList::builtin();
        assert!(list.categories.iter().filter(|c| c.chapter == Chapter::Crime).all(|c| c.is_crime_related));
        assert!(!list.is_crime_related("PSW-DOM"));
        assert!(list.category("NOPE").is_none());
    }

    #[test]
    fn a_good_file_is_read_with_its_version() {
        let list = NsirList::from_toml(GOOD).expect("valid");
        assert_eq!(list.version, "Wealdshire NICL 2026-04");
        assert_eq!(list.categories.len(), 4);
        assert!(list.is_crime_related("CRM-VIO"), "crime chapter defaults to crime-related");
        assert!(list.is_crime_related("TRN-ROF"), "explicitly crime-related");
        assert!(!list.is_crime_related("PSW-WLF"));
        assert_eq!(list.qualifier_label("county-lines"), Some("County lines"));
        assert!(list.category("PSW-DOM").is_none(), "the file replaces the built-in list");
        let chapters: Vec<Chapter> = list.by_chapter().into_iter().map(|(c, _)| c).collect();
        assert_eq!(chapters, vec![Chapter::Crime, Chapter::PublicSafetyAndWelfare, Chapter::Transport]);
    }

    #[test]
    fn a_duplicate_code_is_rejected_by_name() {
        let text = GOOD.replace("code = \"PSW-WLF\"", "code = \"PSW-CFS\"");
        let e = NsirList::from_toml(&text).expect_err("duplicate");
        assert!(e.contains("category 3 (PSW-CFS): code PSW-CFS is listed twice"), "{e}");
        let text = GOOD.replace("code = \"county-lines\"", "code = \"domestic-abuse\"");
        let e = NsirList::from_toml(&text).expect_err("duplicate qualifier");
        assert!(e.contains("qualifier 2 (domestic-abuse): code domestic-abuse is listed twice"), "{e}");
    }

    #[test]
    fn a_missing_column_is_rejected_by_name() {
        let text = GOOD.replace("label = \"Concern for safety\"\n", "");
        let e = NsirList::from_toml(&text).expect_err("missing label");
        assert!(e.contains("missing field `label`"), "{e}");
        let e =
            NsirList::from_toml(&GOOD.replace("version = \"Wealdshire NICL 2026-04\"", "")).expect_err("no version");
        assert!(e.contains("missing field `version`"), "{e}");
        let e =
            NsirList::from_toml(&GOOD.replace("chapter = \"transport\"", "chapter = \"transport\"\ncolour = \"red\""))
                .expect_err("unknown field");
        assert!(e.contains("unknown field `colour`"), "{e}");
    }

    #[test]
    fn an_unknown_chapter_is_rejected_by_name() {
        let text = GOOD.replace("chapter = \"transport\"", "chapter = \"roads\"");
        let e = NsirList::from_toml(&text).expect_err("unknown chapter");
        assert!(e.contains("category 4 (TRN-ROF): chapter 'roads' is not an NSIR chapter"), "{e}");
        assert!(e.contains("anti-social-behaviour"), "the known chapters are listed: {e}");
    }

    #[test]
    fn other_broken_rules_are_each_named() {
        let text = GOOD
            .replace("code = \"PSW-WLF\"", "code = \"PSW WLF\"")
            .replace("chapter = \"crime\"", "chapter = \"crime\"\ncrime_related = false")
            .replace("label = \"County lines\"", "label = \"\"");
        let e = NsirList::from_toml(&text).expect_err("invalid");
        assert!(e.contains("category 3 (PSW WLF): code may hold only letters"), "{e}");
        assert!(e.contains("category 1 (CRM-VIO): a category in the crime chapter is always crime-related"), "{e}");
        assert!(e.contains("qualifier 2 (county-lines): label must be 1 to 100 characters"), "{e}");
        let e = NsirList::from_toml("version = \"x\"").expect_err("empty");
        assert!(e.contains("no [[category]]") && e.contains("no [[qualifier]]"), "{e}");
        assert!(NsirList::from_toml("not toml at all [").expect_err("garbage").contains("not a valid NSIR list"));
    }
}
