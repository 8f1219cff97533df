//! Users are the force's officers and staff: who they are in the organisation (rank, team, station,
//! division, accreditation, specialisms) and how they sign in.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::access::{Role, named_enum};
use crate::error::FieldError;

named_enum!(
    /// Police ranks, and the designations of people who are not sworn officers.
    Rank {
        Constable => "constable", "Constable";
        Sergeant => "sergeant", "Sergeant";
        Inspector => "inspector", "Inspector";
        ChiefInspector => "chief-inspector", "Chief Inspector";
        Superintendent => "superintendent", "Superintendent";
        ChiefSuperintendent => "chief-superintendent", "Chief Superintendent";
        AssistantChiefConstable => "assistant-chief-constable", "Assistant Chief Constable";
        DeputyChiefConstable => "deputy-chief-constable", "Deputy Chief Constable";
        ChiefConstable => "chief-constable", "Chief Constable";
        SpecialConstable => "special-constable", "Special Constable";
        Pcso => "pcso", "Police Community Support Officer";
        Staff => "staff", "Police staff";
    }
);

named_enum!(
    /// Professionalising Investigation Programme accreditation (see GLOSSARY.md).
    PipLevel {
        None => "none", "Not accredited";
        Pip1 => "pip1", "PIP level 1 (priority and volume crime)";
        Pip2 => "pip2", "PIP level 2 (serious and complex crime)";
        Pip3 => "pip3", "PIP level 3 (major crime, SIO)";
        Pip4 => "pip4", "PIP level 4 (strategic lead)";
    }
);

named_enum!(
    /// Specialist training that decides which crimes an officer may be given.
    Specialism {
        SexualOffencesLiaison => "sexual-offences-liaison", "Sexual offences liaison";
        DomesticAbuse => "domestic-abuse", "Domestic abuse";
        ChildAbuse => "child-abuse", "Child abuse";
        OnlineInvestigation => "online-investigation", "Online investigation";
        FinancialInvestigation => "financial-investigation", "Financial investigation";
        HateCrime => "hate-crime", "Hate crime";
        ModernSlavery => "modern-slavery", "Modern slavery";
        FamilyLiaison => "family-liaison", "Family liaison";
    }
);

/// A stored user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    /// Collar number for officers, staff number for staff.
    pub collar_number: String,
    pub rank: Rank,
    pub team: String,
    pub station: String,
    pub division: String,
    pub pip_level: PipLevel,
    pub specialisms: Vec<Specialism>,
    pub roles: Vec<Role>,
    /// Argon2id PHC string; `None` for accounts that can only use API tokens.
    pub password_hash: Option<String>,
    pub is_disabled: bool,
    pub failed_sign_ins: i32,
    pub locked_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Input for a new user, validated by [`NewUser::validate`].
#[derive(Debug, Clone, Default)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub collar_number: String,
    pub rank: String,
    pub team: String,
    pub station: String,
    pub division: String,
    pub pip_level: String,
    pub specialisms: Vec<String>,
    pub roles: Vec<String>,
}

/// The organisation fields of a user, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserProfile {
    pub username: String,
    pub display_name: String,
    pub collar_number: String,
    pub rank: Rank,
    pub team: String,
    pub station: String,
    pub division: String,
    pub pip_level: PipLevel,
    pub specialisms: Vec<Specialism>,
    pub roles: Vec<Role>,
}

impl NewUser {
    /// Checks every field and reports every broken rule at once.
    pub fn validate(&self) -> Result<UserProfile, Vec<FieldError>> {
        let mut errors = Vec::new();
        let username = self.username.trim().to_string();
        if let Err(rule) = validate_username(&username) {
            errors.push(FieldError::new("username", rule));
        }
        let display_name = self.display_name.trim().to_string();
        if display_name.is_empty() || display_name.chars().count() > 100 {
            errors.push(FieldError::new("display_name", "Enter a name of 1 to 100 characters"));
        }
        let collar_number = self.collar_number.trim().to_string();
        if collar_number.is_empty()
            || collar_number.len() > 20
            || !collar_number.chars().all(|c| c.is_ascii_alphanumeric())
        {
            errors
                .push(FieldError::new("collar_number", "Enter a collar or staff number of 1 to 20 letters and digits"));
        }
        let rank = parse_field(&mut errors, "rank", &self.rank, "Choose a rank from the list");
        let pip_level = if self.pip_level.trim().is_empty() {
            Some(PipLevel::None)
        } else {
            parse_field(&mut errors, "pip_level", &self.pip_level, "Choose a PIP level from the list")
        };
        let mut specialisms = Vec::new();
        for name in &self.specialisms {
            if let Some(s) = parse_field(&mut errors, "specialisms", name, "Choose specialisms from the list")
                && !specialisms.contains(&s)
            {
                specialisms.push(s);
            }
        }
        let mut roles = Vec::new();
        for name in &self.roles {
            if let Some(r) = parse_field(&mut errors, "roles", name, "Choose roles from the list")
                && !roles.contains(&r)
            {
                roles.push(r);
            }
        }
        if self.roles.is_empty() {
            errors.push(FieldError::new("roles", "Choose at least one role"));
        }
        let org = |field: &str, value: &str, errors: &mut Vec<FieldError>| {
            let value = value.trim().to_string();
            if value.chars().count() > 100 {
                errors.push(FieldError::new(field, "Must be 100 characters or fewer"));
            }
            value
        };
        let team = org("team", &self.team, &mut errors);
        let station = org("station", &self.station, &mut errors);
        let division = org("division", &self.division, &mut errors);
        match (rank, pip_level) {
            (Some(rank), Some(pip_level)) if errors.is_empty() => {
                specialisms.sort();
                roles.sort();
                Ok(UserProfile {
                    username,
                    display_name,
                    collar_number,
                    rank,
                    team,
                    station,
                    division,
                    pip_level,
                    specialisms,
                    roles,
                })
            }
            _ => Err(errors),
        }
    }
}

fn parse_field<T: std::str::FromStr>(errors: &mut Vec<FieldError>, field: &str, value: &str, rule: &str) -> Option<T> {
    match value.trim().parse() {
        Ok(v) => Some(v),
        Err(_) => {
            errors.push(FieldError::new(field, rule));
            None
        }
    }
}

/// User names are lower-case letters, digits, dots and hyphens, 2 to 64 characters, starting with a
/// letter: they appear in URLs, logs and the audit trail.
pub fn validate_username(username: &str) -> Result<(), &'static str> {
    let ok_len = (2..=64).contains(&username.len());
    let ok_start = username.chars().next().is_some_and(|c| c.is_ascii_lowercase());
    let ok_chars = username.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-');
    if ok_len && ok_start && ok_chars {
        Ok(())
    } else {
        Err("Use 2 to 64 lower-case letters, digits, dots or hyphens, starting with a letter")
    }
}

impl User {
    pub fn new(id: Uuid, profile: UserProfile, password_hash: Option<String>, now: DateTime<Utc>) -> Self {
        User {
            id,
            username: profile.username,
            display_name: profile.display_name,
            collar_number: profile.collar_number,
            rank: profile.rank,
            team: profile.team,
            station: profile.station,
            division: profile.division,
            pip_level: profile.pip_level,
            specialisms: profile.specialisms,
            roles: profile.roles,
            password_hash,
            is_disabled: false,
            failed_sign_ins: 0,
            locked_until: None,
            created_at: now,
            updated_at: now,
        }
    }

    pub fn is_locked(&self, now: DateTime<Utc>) -> bool {
        self.locked_until.is_some_and(|until| until > now)
    }

    /// What the audit trail records as the before/after of a change: never the password hash.
    pub fn audit_json(&self) -> serde_json::Value {
        serde_json::json!({
            "username": self.username,
            "display_name": self.display_name,
            "collar_number": self.collar_number,
            "rank": self.rank.as_str(),
            "team": self.team,
            "station": self.station,
            "division": self.division,
            "pip_level": self.pip_level.as_str(),
            "specialisms": self.specialisms.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            "roles": self.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
            "disabled": self.is_disabled,
            "locked_until": self.locked_until.map(|t| t.to_rfc3339()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> NewUser {
        NewUser {
            username: "pc.smith".into(),
            display_name: "PC 1234 Jane Smith".into(),
            collar_number: "1234".into(),
            rank: "constable".into(),
            team: "Response A".into(),
            station: "Maidstone".into(),
            division: "West".into(),
            pip_level: "pip1".into(),
            specialisms: vec!["domestic-abuse".into(), "domestic-abuse".into()],
            roles: vec!["investigator".into()],
        }
    }

    #[test]
    fn a_valid_user_passes_and_duplicates_collapse() {
        let profile = valid().validate().expect("valid");
        assert_eq!(profile.rank, Rank::Constable);
        assert_eq!(profile.specialisms, vec![Specialism::DomesticAbuse]);
        assert_eq!(profile.roles, vec![Role::Investigator]);
    }

    #[test]
    fn every_broken_rule_is_reported() {
        let bad = NewUser {
            username: "X".into(),
            display_name: "".into(),
            collar_number: "12 34".into(),
            rank: "general".into(),
            pip_level: "pip9".into(),
            roles: vec![],
            ..valid()
        };
        let errors = bad.validate().expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["username", "display_name", "collar_number", "rank", "pip_level", "roles"]);
    }

    #[test]
    fn usernames() {
        assert!(validate_username("call-handler").is_ok());
        assert!(validate_username("a.b-1").is_ok());
        assert!(validate_username("1abc").is_err());
        assert!(validate_username("Abc").is_err());
        assert!(validate_username("a").is_err());
        assert!(validate_username("a b").is_err());
    }
}
