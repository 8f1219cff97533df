//! Recent results of the dashboards' heavier reads (the THRIVE sample, NCRS compliance), kept for
//! a few seconds (`Settings::dashboard_cache`) so that supervisors refreshing them do not each read
//! tens of thousands of rows: at 20 dashboard views a second over a county force those reads took
//! both cores of a small server (issue 5's mixed load). Writes that change a result clear it; the
//! audit event of each view is still written every time. Zero seconds keeps nothing.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// At most this many results per kind; past it the oldest are all dropped.
const MOST: usize = 64;

pub struct Recent<K, V> {
    ttl: Duration,
    entries: Mutex<HashMap<K, (Instant, V)>>,
}

impl<K: Eq + Hash, V: Clone> Recent<K, V> {
    pub fn new(ttl: Duration) -> Self {
        Recent { ttl, entries: Mutex::new(HashMap::new()) }
    }

    /// The value kept for `key`, if it is younger than the time to live.
    pub fn get(&self, key: &K) -> Option<V> {
        if self.ttl.is_zero() {
            return None;
        }
        let entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        entries.get(key).filter(|(at, _)| at.elapsed() < self.ttl).map(|(_, v)| v.clone())
    }

    pub fn put(&self, key: K, value: V) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.len() >= MOST {
            let ttl = self.ttl;
            entries.retain(|_, (at, _)| at.elapsed() < ttl);
            if entries.len() >= MOST {
                entries.clear();
            }
        }
        entries.insert(key, (Instant::now(), value));
    }

    /// Forgets everything (after a write that changes the results).
    pub fn clear(&self) {
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_for_its_time_and_forgets_when_cleared() {
        let recent = Recent::new(Duration::from_secs(60));
        assert_eq!(recent.get(&1), None);
        recent.put(1, "one");
        assert_eq!(recent.get(&1), Some("one"));
        assert_eq!(recent.get(&2), None);
        recent.clear();
        assert_eq!(recent.get(&1), None);
    }

    #[test]
    fn zero_keeps_nothing_and_expired_values_are_not_returned() {
        let off = Recent::new(Duration::ZERO);
        off.put(1, 1);
        assert_eq!(off.get(&1), None);
        let short = Recent::new(Duration::from_millis(1));
        short.put(1, 1);
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(short.get(&1), None);
    }

    #[test]
    fn stays_bounded() {
        let recent = Recent::new(Duration::from_secs(60));
        for k in 0..1000 {
            recent.put(k, k);
        }
        assert!(recent.entries.lock().map(|e| e.len()).unwrap_or(0) <= MOST);
        assert_eq!(recent.get(&999), Some(999));
    }
}
