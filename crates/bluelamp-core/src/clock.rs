//! The clock port. The core never reads the wall clock itself, so tests can fix time.

use chrono::{DateTime, SubsecRound, Utc};

pub trait Clock: Send + Sync + 'static {
    /// Now, truncated to microseconds: both databases store microseconds, and the audit hash must
    /// survive a round trip byte for byte.
    fn now(&self) -> DateTime<Utc>;
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now().trunc_subsecs(6)
    }
}
