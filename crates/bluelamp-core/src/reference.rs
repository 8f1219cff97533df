//! Reference data for incidents: NSIR categories and qualifiers, as versioned lists
//! (`../shared/domain/REFERENCE.md` §3.1). The category names are the commonly used NICL ones, marked
//! "unconfirmed" in the reference notes, so a force can replace the list; every code list carries the
//! version it came from.

/// The version of the default lists below.
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
    pub fn label(self) -> &'static str {
        match self {
            Chapter::Crime => "Crime",
            Chapter::Transport => "Transport",
            Chapter::AntiSocialBehaviour => "Anti-social behaviour",
            Chapter::PublicSafetyAndWelfare => "Public safety and welfare",
            Chapter::Administration => "Administration",
        }
    }
}

/// An NSIR incident category (opening or closing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Category {
    pub code: &'static str,
    pub label: &'static str,
    pub chapter: Chapter,
    /// A crime-related incident must have a crime recorded, or a recorded reason why not, within
    /// 24 hours (NCRS, REFERENCE.md §2).
    pub is_crime_related: bool,
}

const fn cat(code: &'static str, label: &'static str, chapter: Chapter, is_crime_related: bool) -> Category {
    Category { code, label, chapter, is_crime_related }
}

pub const CATEGORIES: &[Category] = &[
    cat("CRM-VIO", "Crime: violence against the person", Chapter::Crime, true),
    cat("CRM-SEX", "Crime: sexual offence", Chapter::Crime, true),
    cat("CRM-ROB", "Crime: robbery", Chapter::Crime, true),
    cat("CRM-BUR", "Crime: burglary", Chapter::Crime, true),
    cat("CRM-VEH", "Crime: vehicle offence", Chapter::Crime, true),
    cat("CRM-THF", "Crime: theft", Chapter::Crime, true),
    cat("CRM-DAM", "Crime: criminal damage or arson", Chapter::Crime, true),
    cat("CRM-DRG", "Crime: drugs", Chapter::Crime, true),
    cat("CRM-WPN", "Crime: possession of weapons", Chapter::Crime, true),
    cat("CRM-POR", "Crime: public order", Chapter::Crime, true),
    cat("CRM-FRD", "Crime: fraud", Chapter::Crime, true),
    cat("CRM-OTH", "Crime: other", Chapter::Crime, true),
    cat("TRN-RTCD", "Road traffic collision: damage only", Chapter::Transport, false),
    cat("TRN-RTCI", "Road traffic collision: injury", Chapter::Transport, false),
    cat("TRN-RTCF", "Road traffic collision: fatal", Chapter::Transport, false),
    cat("TRN-ROF", "Road-related offence", Chapter::Transport, true),
    cat("TRN-HWY", "Highway disruption", Chapter::Transport, false),
    cat("ASB-PER", "Anti-social behaviour: personal", Chapter::AntiSocialBehaviour, false),
    cat("ASB-NUI", "Anti-social behaviour: nuisance", Chapter::AntiSocialBehaviour, false),
    cat("ASB-ENV", "Anti-social behaviour: environmental", Chapter::AntiSocialBehaviour, false),
    cat("PSW-CFS", "Concern for safety", Chapter::PublicSafetyAndWelfare, false),
    cat("PSW-DOM", "Domestic incident", Chapter::PublicSafetyAndWelfare, false),
    cat("PSW-CIV", "Civil dispute", Chapter::PublicSafetyAndWelfare, false),
    cat("PSW-SUD", "Sudden death", Chapter::PublicSafetyAndWelfare, false),
    cat("PSW-SUS", "Suspicious circumstances", Chapter::PublicSafetyAndWelfare, false),
    cat("PSW-MIS", "Missing person", Chapter::PublicSafetyAndWelfare, false),
    cat("PSW-CII", "Collapse, illness or injury", Chapter::PublicSafetyAndWelfare, false),
    cat("PSW-INS", "Insecure premises", Chapter::PublicSafetyAndWelfare, false),
    cat("PSW-PRO", "Lost or found property", Chapter::PublicSafetyAndWelfare, false),
    cat("PSW-ALM", "Alarm activation", Chapter::PublicSafetyAndWelfare, false),
    cat("PSW-A99", "Abandoned or silent 999 call", Chapter::PublicSafetyAndWelfare, false),
    cat("PSW-ANI", "Animals", Chapter::PublicSafetyAndWelfare, false),
    cat("PSW-MHT", "Mental health", Chapter::PublicSafetyAndWelfare, false),
    cat("PSW-PRT", "Protest or demonstration", Chapter::PublicSafetyAndWelfare, false),
    cat("ADM-MSG", "Message or information", Chapter::Administration, false),
    cat("ADM-PPE", "Pre-planned event", Chapter::Administration, false),
    cat("ADM-DUP", "Duplicate, test or training record", Chapter::Administration, false),
];

/// Flags added to any incident (REFERENCE.md §3.1, "Qualifiers").
pub const QUALIFIERS: &[(&str, &str)] = &[
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

pub fn category(code: &str) -> Option<&'static Category> {
    CATEGORIES.iter().find(|c| c.code == code)
}

pub fn qualifier_label(code: &str) -> Option<&'static str> {
    QUALIFIERS.iter().find(|(c, _)| *c == code).map(|(_, label)| *label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique() {
        let mut codes: Vec<&str> = CATEGORIES.iter().map(|c| c.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), CATEGORIES.len());
        let mut q: Vec<&str> = QUALIFIERS.iter().map(|(c, _)| *c).collect();
        q.sort();
        q.dedup();
        assert_eq!(q.len(), QUALIFIERS.len());
    }

    #[test]
    fn every_crime_chapter_category_is_crime_related() {
        assert!(CATEGORIES.iter().filter(|c| c.chapter == Chapter::Crime).all(|c| c.is_crime_related));
        assert!(!category("PSW-DOM").expect("exists").is_crime_related);
        assert!(category("NOPE").is_none());
    }
}
