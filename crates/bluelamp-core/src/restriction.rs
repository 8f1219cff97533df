//! Need-to-know records. A restricted record has an access list; anyone else sees that the record
//! exists but not what it holds, and must give a reason to open it. Opening is always audited.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::access::Principal;

/// Points at any record: a kind (`officer`, later `crime`, `incident`, …) and its id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RecordRef {
    pub kind: String,
    pub id: Uuid,
}

impl RecordRef {
    pub fn new(kind: &str, id: Uuid) -> Self {
        RecordRef { kind: kind.to_string(), id }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restriction {
    pub record: RecordRef,
    pub reason: String,
    /// Users who may see the record without giving a reason.
    pub access_list: Vec<Uuid>,
    pub restricted_by: Uuid,
    pub restricted_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Not restricted, or the principal is on the access list.
    Open,
    /// Restricted and the principal is not on the list: existence only, until a reason is given.
    Sealed,
}

/// Minimum length of a reason for opening a sealed record: enough to mean something to an auditor.
pub const MIN_REASON_LENGTH: usize = 10;

pub fn visibility(principal: &Principal, restriction: Option<&Restriction>) -> Visibility {
    match restriction {
        None => Visibility::Open,
        Some(r) if r.access_list.contains(&principal.user_id) => Visibility::Open,
        Some(_) => Visibility::Sealed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Role;

    #[test]
    fn only_the_access_list_sees_inside() {
        let alice = Principal::new(Uuid::now_v7(), "alice".into(), "Alice".into(), vec![Role::Admin]);
        let bob = Principal::new(Uuid::now_v7(), "bob".into(), "Bob".into(), vec![Role::Admin]);
        let restriction = Restriction {
            record: RecordRef::new("officer", Uuid::now_v7()),
            reason: "covert role".into(),
            access_list: vec![alice.user_id],
            restricted_by: alice.user_id,
            restricted_at: Utc::now(),
        };
        assert_eq!(visibility(&alice, Some(&restriction)), Visibility::Open);
        assert_eq!(visibility(&bob, Some(&restriction)), Visibility::Sealed);
        assert_eq!(visibility(&bob, None), Visibility::Open);
    }
}
