//! Roles and permissions. Access is denied by default: a role has exactly the permissions listed in
//! [`Role::permissions`], and every route and use case names the one permission it needs.
//!
//! The roles are the ones in PRODUCT.md ("Who uses it").

use std::collections::BTreeSet;

use uuid::Uuid;

macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal, $label:literal;)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant,)* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The stable machine name, used in the database, the API and URLs.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }

            /// The name shown to people.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label,)* }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)*
                    other => Err(format!("unknown {} '{}'", stringify!($name).to_lowercase(), other)),
                }
            }
        }
    };
}
pub(crate) use named_enum;

named_enum!(
    /// A job someone does in the force. A user may hold several.
    Role {
        Admin => "admin", "System administrator";
        CallHandler => "call-handler", "Call handler";
        ControlRoomSupervisor => "control-room-supervisor", "Control room supervisor";
        Triage => "triage", "Triage (incident management unit)";
        Investigator => "investigator", "Investigator";
        Supervisor => "supervisor", "Supervisor";
        Safeguarding => "safeguarding", "Safeguarding";
        Custody => "custody", "Custody officer";
        OffenderManager => "offender-manager", "Offender manager";
        Analyst => "analyst", "Analyst";
        CrimeRegistrar => "crime-registrar", "Force Crime Registrar";
        Auditor => "auditor", "Auditor";
    }
);

named_enum!(
    /// One action a person may be allowed to take. Named `noun.verb`.
    Permission {
        OfficerView => "officer.view", "See the force directory of officers and staff";
        UserManage => "user.manage", "Add, disable and change users, their roles and passwords";
        TokenManage => "token.manage", "Issue and revoke API tokens";
        RecordRestrict => "record.restrict", "Restrict a record to a need-to-know access list";
        AuditRead => "audit.read", "Search the audit trail";
        AuditVerify => "audit.verify", "Check the audit trail's hash chain";
        IncidentView => "incident.view", "See incidents";
        IncidentRecord => "incident.record", "Record and update incidents";
        ResourceManage => "resource.manage", "Add units to the force's resources";
        PersonView => "person.view", "Find and see people (POLE) and their markers";
        PersonRecord => "person.record", "Record people, their names, addresses, phones and markers";
        PersonMerge => "person.merge", "Review and apply person merges, and reverse them";
        ThriveReview => "thrive.review", "Review sampled THRIVE assessments and see quality rates";
        NcrsView => "ncrs.view", "See the NCRS 24-hour list of crime-related incidents";
        CrimeView => "crime.view", "See crimes";
        CrimeRecord => "crime.record", "Record and update crimes";
        CrimeTriage => "crime.triage", "Triage and allocate crimes";
        CrimeCancel => "crime.cancel", "Cancel or reclassify crimes (registrar's authority)";
        CrimeSupervise => "crime.supervise", "Review investigations, give directions, authorise outcomes and reopen crimes";
        CaseFileReview => "casefile.review", "Draw samples of finalised investigations and review the case files";
        SafeguardingView => "safeguarding.view", "See safeguarding referrals";
        CustodyView => "custody.view", "See custody, bail and wanted records";
        OffenderView => "offender.view", "See managed offenders";
        PerformanceView => "performance.view", "See performance and inspection figures";
    }
);

impl Role {
    /// The permissions each role holds. Anything not listed is denied.
    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::Admin => &[OfficerView, UserManage, TokenManage, AuditVerify, ResourceManage],
            Role::CallHandler => &[OfficerView, IncidentView, IncidentRecord, PersonView, PersonRecord],
            Role::ControlRoomSupervisor => &[
                OfficerView,
                IncidentView,
                IncidentRecord,
                PersonView,
                PersonRecord,
                NcrsView,
                ResourceManage,
                ThriveReview,
                PerformanceView,
            ],
            Role::Triage => {
                &[OfficerView, IncidentView, PersonView, PersonRecord, NcrsView, CrimeView, CrimeRecord, CrimeTriage]
            }
            Role::Investigator => &[OfficerView, IncidentView, PersonView, PersonRecord, CrimeView, CrimeRecord],
            Role::Supervisor => &[
                OfficerView,
                IncidentView,
                PersonView,
                PersonRecord,
                NcrsView,
                CrimeView,
                CrimeRecord,
                CrimeTriage,
                CrimeSupervise,
                CaseFileReview,
                RecordRestrict,
                PerformanceView,
                PersonMerge,
            ],
            Role::Safeguarding => &[OfficerView, IncidentView, PersonView, PersonRecord, CrimeView, SafeguardingView],
            Role::Custody => &[OfficerView, PersonView, PersonRecord, CrimeView, CustodyView],
            Role::OffenderManager => &[OfficerView, PersonView, CrimeView, OffenderView],
            Role::Analyst => &[OfficerView, IncidentView, PersonView, NcrsView, CrimeView, PerformanceView],
            Role::CrimeRegistrar => &[
                OfficerView,
                IncidentView,
                PersonView,
                NcrsView,
                CrimeView,
                CrimeCancel,
                RecordRestrict,
                PerformanceView,
                PersonMerge,
            ],
            Role::Auditor => &[OfficerView, AuditRead, AuditVerify, PerformanceView, CrimeView, CaseFileReview],
        }
    }
}

/// Who is acting: a signed-in user or an API token's owner. Built once per request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: Uuid,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    permissions: BTreeSet<Permission>,
}

impl Principal {
    pub fn new(user_id: Uuid, username: String, display_name: String, roles: Vec<Role>) -> Self {
        let permissions = roles.iter().flat_map(|role| role.permissions().iter().copied()).collect();
        Principal { user_id, username, display_name, roles, permissions }
    }

    pub fn can(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }

    /// `Ok` when the principal holds the permission, otherwise [`crate::Error::Forbidden`].
    pub fn require(&self, permission: Permission) -> crate::Result<()> {
        if self.can(permission) {
            Ok(())
        } else {
            Err(crate::Error::Forbidden(format!("this needs the permission {permission}")))
        }
    }

    pub fn permissions(&self) -> impl Iterator<Item = Permission> + '_ {
        self.permissions.iter().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(*role));
        }
        for permission in Permission::ALL {
            assert_eq!(permission.as_str().parse::<Permission>(), Ok(*permission));
        }
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn every_permission_is_held_by_some_role() {
        for permission in Permission::ALL {
            assert!(
                Role::ALL.iter().any(|role| role.permissions().contains(permission)),
                "{permission} is held by no role"
            );
        }
    }

    #[test]
    fn audit_reading_is_for_auditors_only() {
        let holders: Vec<Role> =
            Role::ALL.iter().copied().filter(|r| r.permissions().contains(&Permission::AuditRead)).collect();
        assert_eq!(holders, vec![Role::Auditor]);
    }

    #[test]
    fn principal_with_no_roles_can_do_nothing() {
        let nobody = Principal::new(Uuid::nil(), "x".into(), "X".into(), vec![]);
        for permission in Permission::ALL {
            assert!(!nobody.can(*permission));
            assert!(nobody.require(*permission).is_err());
        }
    }

    #[test]
    fn several_roles_union_their_permissions() {
        let p = Principal::new(Uuid::nil(), "x".into(), "X".into(), vec![Role::Admin, Role::Auditor]);
        assert!(p.can(Permission::UserManage));
        assert!(p.can(Permission::AuditRead));
        assert!(!p.can(Permission::CrimeRecord));
    }
}
