//! The frame around every page: header with the user and sign-out, navigation by permission, the error
//! summary and notices.

use std::sync::OnceLock;

use bluelamp_core::FieldError;
use bluelamp_core::access::{Permission, Principal};

static FORCE_NAME: OnceLock<String> = OnceLock::new();

/// Set once at start-up from configuration; pages show it beside the product name.
pub fn set_force_name(name: &str) {
    let _ = FORCE_NAME.set(name.to_string());
}

#[derive(Debug, Clone)]
pub struct ShellUser {
    pub username: String,
    pub display_name: String,
    pub roles: String,
}

#[derive(Debug, Clone)]
pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub is_current: bool,
}

#[derive(Debug, Clone)]
pub struct Shell {
    pub title: String,
    pub force_name: String,
    pub version: &'static str,
    pub user: Option<ShellUser>,
    pub nav: Vec<NavItem>,
    pub errors: Vec<FieldError>,
    pub notice: Option<String>,
    /// The role whose home this is (`data-role` on `<main>`).
    pub main_role: Option<String>,
}

/// Navigation: each entry shows only to people holding its permission (`None`: everyone signed in).
const NAV: &[(&str, &str, Option<Permission>)] = &[
    ("/", "Home", None),
    ("/incidents", "Control room", Some(Permission::IncidentView)),
    ("/people", "People", Some(Permission::PersonView)),
    ("/merges", "Merges", Some(Permission::PersonMerge)),
    ("/crimes", "Crimes", Some(Permission::CrimeView)),
    ("/investigations", "Investigations", Some(Permission::CrimeView)),
    ("/triage", "Triage", Some(Permission::CrimeTriage)),
    ("/ncrs", "NCRS", Some(Permission::NcrsView)),
    ("/quality/thrive", "THRIVE quality", Some(Permission::ThriveReview)),
    ("/outcomes", "Outcomes", Some(Permission::PerformanceView)),
    ("/casefile", "Case-file review", Some(Permission::CaseFileReview)),
    ("/officers", "Force directory", Some(Permission::OfficerView)),
    ("/admin/users", "Users", Some(Permission::UserManage)),
    ("/audit", "Audit trail", Some(Permission::AuditRead)),
];

impl Shell {
    /// A page for someone not signed in (sign-in, errors).
    pub fn bare(title: &str) -> Shell {
        Shell {
            title: title.to_string(),
            force_name: FORCE_NAME.get().cloned().unwrap_or_default(),
            version: env!("CARGO_PKG_VERSION"),
            user: None,
            nav: Vec::new(),
            errors: Vec::new(),
            notice: None,
            main_role: None,
        }
    }

    pub fn for_user(principal: &Principal, title: &str, current: &str) -> Shell {
        let mut shell = Shell::bare(title);
        shell.user = Some(ShellUser {
            username: principal.username.clone(),
            display_name: principal.display_name.clone(),
            roles: principal.roles.iter().map(|r| r.label()).collect::<Vec<_>>().join(", "),
        });
        shell.nav = NAV
            .iter()
            .filter(|(_, _, permission)| permission.is_none_or(|p| principal.can(p)))
            .map(|(href, label, _)| NavItem {
                href,
                label,
                is_current: *href == current || (*href != "/" && current.starts_with(href)),
            })
            .collect();
        shell
    }
}
