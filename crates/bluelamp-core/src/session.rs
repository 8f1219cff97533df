//! Server-side sessions: an opaque token in a cookie, only its hash in the database, an idle timeout
//! and an absolute timeout (QUALITY.md S5). Revocation is deletion, so it takes effect on the very next
//! request.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: Uuid,
    pub token_hash: String,
    pub user_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// The absolute limit: the session ends then however active it is.
    pub expires_at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// How long sessions last. Idle 30 minutes and absolute 12 hours by default (a shift).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    pub idle: Duration,
    pub absolute: Duration,
}

/// `last_seen_at` is written at most this often, to save a write per request; expiry stays
/// conservative because an unrecorded touch can only make the session end sooner.
pub const TOUCH_INTERVAL_SECONDS: i64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    Live,
    IdleExpired,
    AbsoluteExpired,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy { idle: Duration::minutes(30), absolute: Duration::hours(12) }
    }
}

impl SessionPolicy {
    pub fn state(&self, session: &Session, now: DateTime<Utc>) -> SessionState {
        if now >= session.expires_at {
            SessionState::AbsoluteExpired
        } else if now >= session.last_seen_at + self.idle {
            SessionState::IdleExpired
        } else {
            SessionState::Live
        }
    }

    pub fn needs_touch(&self, session: &Session, now: DateTime<Utc>) -> bool {
        now - session.last_seen_at >= Duration::seconds(TOUCH_INTERVAL_SECONDS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn session(start: DateTime<Utc>, policy: SessionPolicy) -> Session {
        Session {
            id: Uuid::nil(),
            token_hash: String::new(),
            user_id: Uuid::nil(),
            created_at: start,
            last_seen_at: start,
            expires_at: start + policy.absolute,
            ip: None,
            user_agent: None,
        }
    }

    fn start() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).single().expect("valid")
    }

    #[test]
    fn idle_and_absolute_limits() {
        let policy = SessionPolicy::default();
        let mut s = session(start(), policy);
        assert_eq!(policy.state(&s, start() + Duration::minutes(29)), SessionState::Live);
        assert_eq!(policy.state(&s, start() + Duration::minutes(30)), SessionState::IdleExpired);
        s.last_seen_at = start() + Duration::hours(11) + Duration::minutes(59);
        assert_eq!(policy.state(&s, start() + Duration::hours(12)), SessionState::AbsoluteExpired);
    }

    proptest! {
        #[test]
        fn never_live_past_either_limit(idle_min in 1i64..600, abs_min in 1i64..2000, seen in 0i64..3000, at in 0i64..4000) {
            let policy = SessionPolicy { idle: Duration::minutes(idle_min), absolute: Duration::minutes(abs_min) };
            let mut s = session(start(), policy);
            s.last_seen_at = start() + Duration::minutes(seen.min(at));
            let now = start() + Duration::minutes(at);
            let live = policy.state(&s, now) == SessionState::Live;
            let within = now < s.expires_at && now < s.last_seen_at + policy.idle;
            prop_assert_eq!(live, within);
        }
    }
}
