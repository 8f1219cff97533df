//! The audit trail (Data Protection Act 2018 Part 3, s.62 logging). Every create, change, view, search,
//! export, sign-in and refused access becomes one [`AuditEvent`], written in the same transaction as
//! the action it records.
//!
//! Events form a hash chain: each event's `hash` is SHA-256 over the previous event's hash and this
//! event's fields in a fixed, length-prefixed encoding ([`chain_hash`]). Editing, deleting or
//! reordering any event breaks the chain from that point, which [`verify_chain`] reports.

use chrono::{DateTime, SecondsFormat, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::access::named_enum;

/// The `prev_hash` of the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

named_enum!(
    /// The kinds of processing s.62 requires to be logged, plus access control events.
    AuditCategory {
        Collect => "collect", "Collection";
        Alter => "alter", "Alteration";
        Consult => "consult", "Consultation";
        Disclose => "disclose", "Disclosure";
        Combine => "combine", "Combination";
        Erase => "erase", "Erasure";
        Access => "access", "Sign-in and access control";
    }
);

named_enum!(
    AuditOutcome {
        Success => "success", "Succeeded";
        Denied => "denied", "Refused";
        Failed => "failed", "Failed";
    }
);

/// An event before the store gives it a place in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEvent {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    /// The user name, or `system:<what>` for the command line and loaders.
    pub actor_name: String,
    /// What was done, `noun.verb` (`user.create`, `auth.sign_in`, `officer.view`).
    pub action: String,
    pub category: AuditCategory,
    pub outcome: AuditOutcome,
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    /// Why, where the action requires a reason (opening a restricted record).
    pub justification: Option<String>,
    /// JSON of the record before and after a change.
    pub before: Option<String>,
    pub after: Option<String>,
    pub request_id: Option<String>,
    pub ip: Option<String>,
    /// True for events written by the synthetic data generator.
    pub is_generated: bool,
}

/// A stored event: a [`NewAuditEvent`] with its sequence number and chain hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub seq: i64,
    pub event: NewAuditEvent,
    pub prev_hash: String,
    pub hash: String,
}

/// Who did it, for the command line and loaders (`system:cli`) as much as for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: Option<Uuid>,
    pub name: String,
}

impl Actor {
    pub fn system(what: &str) -> Self {
        Actor { id: None, name: format!("system:{what}") }
    }
}

/// Request facts carried into audit events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestContext {
    pub request_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl NewAuditEvent {
    pub fn new(at: DateTime<Utc>, actor: &Actor, action: &str, category: AuditCategory, ctx: &RequestContext) -> Self {
        NewAuditEvent {
            id: Uuid::now_v7(),
            at,
            actor_id: actor.id,
            actor_name: actor.name.clone(),
            action: action.to_string(),
            category,
            outcome: AuditOutcome::Success,
            record_type: None,
            record_id: None,
            justification: None,
            before: None,
            after: None,
            request_id: ctx.request_id.clone(),
            ip: ctx.ip.clone(),
            is_generated: false,
        }
    }

    pub fn record(mut self, record_type: &str, record_id: impl ToString) -> Self {
        self.record_type = Some(record_type.to_string());
        self.record_id = Some(record_id.to_string());
        self
    }

    pub fn outcome(mut self, outcome: AuditOutcome) -> Self {
        self.outcome = outcome;
        self
    }

    pub fn justification(mut self, reason: impl Into<String>) -> Self {
        self.justification = Some(reason.into());
        self
    }

    pub fn before(mut self, value: &serde_json::Value) -> Self {
        self.before = Some(value.to_string());
        self
    }

    pub fn after(mut self, value: &serde_json::Value) -> Self {
        self.after = Some(value.to_string());
        self
    }
}

/// The hash of an event at position `seq` following an event whose hash is `prev_hash`.
pub fn chain_hash(prev_hash: &str, seq: i64, event: &NewAuditEvent) -> String {
    let mut h = Sha256::new();
    let mut field = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_be_bytes());
        h.update(bytes);
    };
    let optional = |value: &Option<String>| match value {
        Some(v) => format!("1{v}"),
        None => "0".to_string(),
    };
    field(b"bluelamp-audit-v1");
    field(prev_hash.as_bytes());
    field(&seq.to_be_bytes());
    field(event.id.to_string().as_bytes());
    field(event.at.to_rfc3339_opts(SecondsFormat::Micros, true).as_bytes());
    field(optional(&event.actor_id.map(|id| id.to_string())).as_bytes());
    field(event.actor_name.as_bytes());
    field(event.action.as_bytes());
    field(event.category.as_str().as_bytes());
    field(event.outcome.as_str().as_bytes());
    field(optional(&event.record_type).as_bytes());
    field(optional(&event.record_id).as_bytes());
    field(optional(&event.justification).as_bytes());
    field(optional(&event.before).as_bytes());
    field(optional(&event.after).as_bytes());
    field(optional(&event.request_id).as_bytes());
    field(optional(&event.ip).as_bytes());
    field(&[u8::from(event.is_generated)]);
    hex::encode(h.finalize())
}

/// The first fault found in a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainFault {
    /// Sequence number of the first bad event (or where one is missing).
    pub seq: i64,
    pub event_id: Option<Uuid>,
    pub problem: String,
}

/// Walks events in `seq` order, carrying the state between calls so a long trail can be checked in
/// pages without holding it all in memory.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
    pub checked: u64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier { expected_seq: 1, prev_hash: GENESIS_HASH.to_string(), checked: 0 }
    }
}

impl ChainVerifier {
    pub fn next_seq(&self) -> i64 {
        self.expected_seq
    }

    pub fn check(&mut self, event: &AuditEvent) -> Result<(), ChainFault> {
        let fault = |problem: String| ChainFault { seq: event.seq, event_id: Some(event.event.id), problem };
        if event.seq != self.expected_seq {
            return Err(ChainFault {
                seq: self.expected_seq,
                event_id: Some(event.event.id),
                problem: format!(
                    "event {} is missing or out of order (found {} where {} was expected)",
                    self.expected_seq, event.seq, self.expected_seq
                ),
            });
        }
        if event.prev_hash != self.prev_hash {
            return Err(fault("its prev_hash does not match the hash of the event before it".into()));
        }
        let recomputed = chain_hash(&self.prev_hash, event.seq, &event.event);
        if recomputed != event.hash {
            return Err(fault("its contents do not match its hash (edited)".into()));
        }
        self.prev_hash = event.hash.clone();
        self.expected_seq += 1;
        self.checked += 1;
        Ok(())
    }

    /// After the last event: the stored chain head must point at the last event checked, which
    /// catches deletion of the newest events.
    pub fn finish(&self, head_seq: i64, head_hash: &str) -> Result<(), ChainFault> {
        let last = self.expected_seq - 1;
        if head_seq != last || head_hash != self.prev_hash {
            return Err(ChainFault {
                seq: last + 1,
                event_id: None,
                problem: format!(
                    "the chain head says {head_seq} events but {last} were found (events deleted from the end)"
                ),
            });
        }
        Ok(())
    }
}

/// Verifies a whole chain held in memory.
pub fn verify_chain(events: &[AuditEvent], head_seq: i64, head_hash: &str) -> Result<u64, ChainFault> {
    let mut verifier = ChainVerifier::default();
    for event in events {
        verifier.check(event)?;
    }
    verifier.finish(head_seq, head_hash)?;
    Ok(verifier.checked)
}

/// Appends `event` to a chain in memory: what a store does inside its transaction.
pub fn link(prev_seq: i64, prev_hash: &str, event: NewAuditEvent) -> AuditEvent {
    let seq = prev_seq + 1;
    let hash = chain_hash(prev_hash, seq, &event);
    AuditEvent { seq, event, prev_hash: prev_hash.to_string(), hash }
}

/// A search of the trail. All filters are optional and combine with AND.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    pub actor_name: Option<String>,
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    pub action: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Return events with `seq` below this (paging newest first).
    pub before_seq: Option<i64>,
    pub limit: u32,
}

pub const MAX_PAGE: u32 = 200;

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn event(n: u32) -> NewAuditEvent {
        let at = Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).single().expect("valid")
            + chrono::Duration::microseconds(i64::from(n) * 1001);
        NewAuditEvent::new(
            at,
            &Actor::system("test"),
            "user.create",
            AuditCategory::Collect,
            &RequestContext::default(),
        )
        .record("user", n)
        .after(&serde_json::json!({ "n": n }))
    }

    fn chain(n: u32) -> Vec<AuditEvent> {
        let mut out: Vec<AuditEvent> = Vec::new();
        for i in 0..n {
            let (seq, prev) = out.last().map(|e| (e.seq, e.hash.clone())).unwrap_or((0, GENESIS_HASH.into()));
            out.push(link(seq, &prev, event(i)));
        }
        out
    }

    fn head(events: &[AuditEvent]) -> (i64, String) {
        events.last().map(|e| (e.seq, e.hash.clone())).unwrap_or((0, GENESIS_HASH.into()))
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let events = chain(5);
        let (s, h) = head(&events);
        assert_eq!(verify_chain(&events, s, &h), Ok(5));
        assert_eq!(verify_chain(&[], 0, GENESIS_HASH), Ok(0));
    }

    #[test]
    fn every_field_is_covered_by_the_hash() {
        let base = event(1);
        let h = chain_hash(GENESIS_HASH, 1, &base);
        let variants: Vec<NewAuditEvent> = vec![
            NewAuditEvent { id: Uuid::now_v7(), ..base.clone() },
            NewAuditEvent { at: base.at + chrono::Duration::microseconds(1), ..base.clone() },
            NewAuditEvent { actor_id: Some(Uuid::nil()), ..base.clone() },
            NewAuditEvent { actor_name: "x".into(), ..base.clone() },
            NewAuditEvent { action: "user.delete".into(), ..base.clone() },
            NewAuditEvent { category: AuditCategory::Erase, ..base.clone() },
            NewAuditEvent { outcome: AuditOutcome::Denied, ..base.clone() },
            NewAuditEvent { record_type: None, ..base.clone() },
            NewAuditEvent { record_id: Some("2".into()), ..base.clone() },
            NewAuditEvent { justification: Some("".into()), ..base.clone() },
            NewAuditEvent { before: Some("{}".into()), ..base.clone() },
            NewAuditEvent { after: None, ..base.clone() },
            NewAuditEvent { request_id: Some("r".into()), ..base.clone() },
            NewAuditEvent { ip: Some("127.0.0.1".into()), ..base.clone() },
            NewAuditEvent { is_generated: true, ..base.clone() },
        ];
        for v in variants {
            assert_ne!(chain_hash(GENESIS_HASH, 1, &v), h, "{v:?}");
        }
        assert_ne!(chain_hash(GENESIS_HASH, 2, &base), h);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn any_single_edit_is_detected_at_that_event(n in 2u32..20, victim in 0usize..20, text in "[a-z]{1,8}") {
            let mut events = chain(n);
            let victim = victim % events.len();
            events[victim].event.actor_name.push_str(&text);
            let (s, h) = head(&chain(n));
            let fault = verify_chain(&events, s, &h).expect_err("tamper must be found");
            prop_assert_eq!(fault.seq, events[victim].seq);
        }

        #[test]
        fn any_deletion_is_detected(n in 1u32..20, victim in 0usize..20) {
            let mut events = chain(n);
            let (s, h) = head(&events);
            let victim = victim % events.len();
            events.remove(victim);
            let fault = verify_chain(&events, s, &h).expect_err("deletion must be found");
            prop_assert_eq!(fault.seq, victim as i64 + 1);
        }

        #[test]
        fn any_swap_is_detected(n in 2u32..20, a in 0usize..20) {
            let mut events = chain(n);
            let (s, h) = head(&events);
            let a = a % (events.len() - 1);
            // Reorder by exchanging two neighbours' positions and sequence numbers.
            let seq_a = events[a].seq;
            events[a].seq = events[a + 1].seq;
            events[a + 1].seq = seq_a;
            events.swap(a, a + 1);
            let fault = verify_chain(&events, s, &h).expect_err("reorder must be found");
            prop_assert_eq!(fault.seq, a as i64 + 1);
        }
    }
}
