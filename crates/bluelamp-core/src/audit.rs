//! The audit trail (Data Protection Act 2018 Part 3, s.62 logging). Every create, change, view, search,
//! export, sign-in and refused access becomes one [`AuditEvent`], written in the same transaction as
//! the action it records.
//!
//! Events form hash chains: each event's `hash` is SHA-256 over the previous event's hash *in its
//! chain* and this event's fields in a fixed, length-prefixed encoding ([`chain_hash`]). A store keeps
//! several chains (PostgreSQL stripes them so concurrent transactions need not queue on one head
//! row); every event also has a global `seq`, unique and rising within each chain. Editing,
//! deleting or reordering any event breaks its chain from that point, which [`ChainVerifier`]
//! reports.

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

/// A stored event: a [`NewAuditEvent`] with its place in the global order and in its chain, and the
/// chain hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// The global order over all chains: unique, rising within each chain, possibly with gaps.
    pub seq: i64,
    /// Which chain (1 upwards); events written before chains existed are chain 1.
    pub chain: i32,
    /// The position within the chain: 1, 2, 3 … with no gaps.
    pub chain_seq: i64,
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

/// Where an event sits: its global sequence number and its place in a chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub seq: i64,
    pub chain: i32,
    pub chain_seq: i64,
}

impl Position {
    /// Events of the original single chain (chain 1, `chain_seq == seq`) keep the v1 encoding, so
    /// a trail written before chains existed verifies without re-hashing.
    fn is_v1(&self) -> bool {
        self.chain == 1 && self.chain_seq == self.seq
    }
}

/// The hash of an event at `at` following an event (in the same chain) whose hash is `prev_hash`.
///
/// The v2 encoding covers the global `seq`, the chain and the place in it; the v1 encoding (only for
/// chain 1 where `chain_seq == seq`, see [`Position`]) covers `seq`, which then says both. Moving an
/// event to another chain or place changes which encoding applies or what it covers, so it shows
/// as an edit.
pub fn chain_hash(prev_hash: &str, at: Position, event: &NewAuditEvent) -> String {
    let mut h = Sha256::new();
    let mut field = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_be_bytes());
        h.update(bytes);
    };
    let optional = |value: &Option<String>| match value {
        Some(v) => format!("1{v}"),
        None => "0".to_string(),
    };
    if at.is_v1() {
        field(b"bluelamp-audit-v1");
        field(prev_hash.as_bytes());
        field(&at.seq.to_be_bytes());
    } else {
        field(b"bluelamp-audit-v2");
        field(prev_hash.as_bytes());
        field(&at.seq.to_be_bytes());
        field(&at.chain.to_be_bytes());
        field(&at.chain_seq.to_be_bytes());
    }
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

/// The head of one chain, as the store keeps it: the chain's last event (`chain_seq` 0 and the
/// genesis hash while the chain is empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHead {
    pub chain: i32,
    /// The global sequence number of the chain's last event (0 when empty).
    pub seq: i64,
    /// How many events the chain holds.
    pub chain_seq: i64,
    pub hash: String,
}

impl ChainHead {
    /// The head of an empty chain.
    pub fn empty(chain: i32) -> Self {
        ChainHead { chain, seq: 0, chain_seq: 0, hash: GENESIS_HASH.to_string() }
    }

    /// The head after `event` was appended to this chain.
    pub fn after(event: &AuditEvent) -> Self {
        ChainHead { chain: event.chain, seq: event.seq, chain_seq: event.chain_seq, hash: event.hash.clone() }
    }
}

/// The first fault found in a trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainFault {
    /// Global sequence number of the first bad event (or where one is missing).
    pub seq: i64,
    pub event_id: Option<Uuid>,
    pub problem: String,
}

#[derive(Debug, Clone)]
struct ChainState {
    /// The head as read before walking: events past it were written afterwards and are not checked.
    head: ChainHead,
    next_chain_seq: i64,
    prev_hash: String,
    last_seq: i64,
    /// The furthest event skipped for being past the head: (chain_seq, seq, id).
    beyond: Option<(i64, i64, Uuid)>,
}

/// Walks events in global `seq` order, carrying each chain's state between calls so a long trail can
/// be checked in pages without holding it all in memory.
///
/// Built from the chain heads read *before* the walk: an event beyond its chain's head was written
/// after the heads were read and is skipped, so a trail can be verified while it grows. Each chain
/// must run 1, 2, 3 … without gaps, each event must hash-link to the one before it in its chain, and
/// at the end each chain must stop exactly at its head (which catches deletion of the newest events).
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    chains: std::collections::BTreeMap<i32, ChainState>,
    next_seq: i64,
    pub checked: u64,
}

impl ChainVerifier {
    pub fn new(heads: &[ChainHead]) -> Self {
        let chains = heads
            .iter()
            .map(|head| {
                let state = ChainState {
                    head: head.clone(),
                    next_chain_seq: 1,
                    prev_hash: GENESIS_HASH.to_string(),
                    last_seq: 0,
                    beyond: None,
                };
                (head.chain, state)
            })
            .collect();
        ChainVerifier { chains, next_seq: 1, checked: 0 }
    }

    /// Where the next page of events starts: one past the last event seen.
    pub fn next_seq(&self) -> i64 {
        self.next_seq
    }

    pub fn check(&mut self, event: &AuditEvent) -> Result<(), ChainFault> {
        let fault = |problem: String| ChainFault { seq: event.seq, event_id: Some(event.event.id), problem };
        if event.seq < self.next_seq {
            return Err(fault(format!(
                "event {} is out of order (it comes after event {})",
                event.seq,
                self.next_seq - 1
            )));
        }
        self.next_seq = event.seq + 1;
        let Some(state) = self.chains.get_mut(&event.chain) else {
            return Err(fault(format!("it claims chain {}, which has no head (edited)", event.chain)));
        };
        if event.chain_seq > state.head.chain_seq {
            // Written after the heads were read (checked against the heads read afterwards, in
            // `finish`); the next verification covers it.
            if state.beyond.is_none_or(|(c, _, _)| event.chain_seq > c) {
                state.beyond = Some((event.chain_seq, event.seq, event.event.id));
            }
            return Ok(());
        }
        if event.chain_seq != state.next_chain_seq {
            return Err(ChainFault {
                seq: if event.chain_seq > state.next_chain_seq { state.last_seq + 1 } else { event.seq },
                event_id: Some(event.event.id),
                problem: format!(
                    "event {} of chain {} is missing or out of order (found {} of chain {} at sequence {})",
                    state.next_chain_seq, event.chain, event.chain_seq, event.chain, event.seq
                ),
            });
        }
        if event.prev_hash != state.prev_hash {
            return Err(fault("its prev_hash does not match the hash of the event before it in its chain".into()));
        }
        let at = Position { seq: event.seq, chain: event.chain, chain_seq: event.chain_seq };
        if chain_hash(&state.prev_hash, at, &event.event) != event.hash {
            return Err(fault("its contents do not match its hash (edited)".into()));
        }
        state.prev_hash = event.hash.clone();
        state.next_chain_seq += 1;
        state.last_seq = event.seq;
        self.checked += 1;
        Ok(())
    }

    /// After the last event: every chain must end exactly at its head, which catches deletion of the
    /// newest events of any chain. `heads_now`, read after the walk, must account for every event
    /// skipped for being past its head: one that is past even those was never written through the
    /// chain (inserted).
    pub fn finish(&self, heads_now: &[ChainHead]) -> Result<(), ChainFault> {
        for state in self.chains.values() {
            if let Some((chain_seq, seq, id)) = state.beyond {
                let head_now = heads_now.iter().find(|h| h.chain == state.head.chain).map_or(0, |h| h.chain_seq);
                if chain_seq > head_now {
                    return Err(ChainFault {
                        seq,
                        event_id: Some(id),
                        problem: format!(
                            "event {chain_seq} of chain {} is past the chain's head ({head_now}): it was not written \
                             through the chain (inserted)",
                            state.head.chain
                        ),
                    });
                }
            }
            let found = state.next_chain_seq - 1;
            if found != state.head.chain_seq || state.prev_hash != state.head.hash {
                return Err(ChainFault {
                    seq: if found < state.head.chain_seq { state.head.seq } else { state.last_seq },
                    event_id: None,
                    problem: format!(
                        "the head of chain {} says {} events but {found} were found (events deleted from its end)",
                        state.head.chain, state.head.chain_seq
                    ),
                });
            }
        }
        Ok(())
    }
}

/// Verifies a whole trail held in memory, in `seq` order, against its chain heads.
pub fn verify_chain(events: &[AuditEvent], heads: &[ChainHead]) -> Result<u64, ChainFault> {
    let mut verifier = ChainVerifier::new(heads);
    for event in events {
        verifier.check(event)?;
    }
    verifier.finish(heads)?;
    Ok(verifier.checked)
}

/// Appends `event` to the chain whose head is `head`, at global sequence number `seq` (which must be
/// above `head.seq`): what a store does inside its transaction.
pub fn link(head: &ChainHead, seq: i64, event: NewAuditEvent) -> AuditEvent {
    let chain_seq = head.chain_seq + 1;
    let hash = chain_hash(&head.hash, Position { seq, chain: head.chain, chain_seq }, &event);
    AuditEvent { seq, chain: head.chain, chain_seq, event, prev_hash: head.hash.clone(), hash }
}

/// The newest head over all chains: the last sequence number written and its hash.
pub fn newest(heads: &[ChainHead]) -> (i64, String) {
    heads.iter().max_by_key(|h| h.seq).map(|h| (h.seq, h.hash.clone())).unwrap_or_else(|| (0, GENESIS_HASH.to_string()))
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

    /// `n` events on one chain, `seq` 1..=n.
    fn chain(n: u32) -> Vec<AuditEvent> {
        striped(&vec![1; n as usize], 0)
    }

    /// One event per entry of `chains`, appended to that chain; `seq` rises by 1, or by 2 every
    /// `gap_every` events (a rolled-back transaction's unused number) when that is not 0.
    fn striped(chains: &[i32], gap_every: usize) -> Vec<AuditEvent> {
        let mut heads: std::collections::BTreeMap<i32, ChainHead> = std::collections::BTreeMap::new();
        let mut out = Vec::new();
        let mut seq = 0;
        for (i, chain) in chains.iter().enumerate() {
            seq += if gap_every > 0 && i % gap_every == gap_every - 1 { 2 } else { 1 };
            let head = heads.entry(*chain).or_insert_with(|| ChainHead::empty(*chain));
            let event = link(head, seq, event(i as u32));
            *head = ChainHead::after(&event);
            out.push(event);
        }
        out
    }

    /// The heads of chains 1..=4 after `events`.
    fn heads(events: &[AuditEvent]) -> Vec<ChainHead> {
        (1..=4)
            .map(|c| events.iter().rfind(|e| e.chain == c).map_or_else(|| ChainHead::empty(c), ChainHead::after))
            .collect()
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let events = chain(5);
        assert_eq!(verify_chain(&events, &heads(&events)), Ok(5));
        assert_eq!(verify_chain(&[], &heads(&[])), Ok(0));
        let events = striped(&[1, 2, 2, 3, 1, 4, 4, 2], 3);
        assert_eq!(verify_chain(&events, &heads(&events)), Ok(8));
    }

    /// The hash exactly as it was computed before chains existed.
    fn single_chain_hash(prev_hash: &str, seq: i64, event: &NewAuditEvent) -> String {
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

    #[test]
    fn events_written_before_chains_verify_unchanged() {
        // A trail written by the single-chain code: chain 1 with chain_seq = seq after migrating.
        let mut prev = GENESIS_HASH.to_string();
        let mut events = Vec::new();
        for seq in 1..=5 {
            let e = event(seq as u32);
            let hash = single_chain_hash(&prev, seq, &e);
            events.push(AuditEvent {
                seq,
                chain: 1,
                chain_seq: seq,
                event: e,
                prev_hash: prev.clone(),
                hash: hash.clone(),
            });
            prev = hash;
        }
        assert_eq!(verify_chain(&events, &heads(&events)), Ok(5));
        let relinked = link(&ChainHead::after(&events[3]), 5, events[4].event.clone());
        assert_eq!(relinked, events[4], "chain 1 still links the same way while seq = chain_seq");
        // Once chains interleave, events use v2.
        let e = event(6);
        let later = link(&ChainHead::after(&events[4]), 7, e.clone());
        assert_ne!(later.hash, single_chain_hash(&prev, 7, &e));
        events.push(later);
        assert_eq!(verify_chain(&events, &heads(&events)), Ok(6));
    }

    #[test]
    fn a_deleted_chain_tail_and_an_inserted_event_are_found() {
        let events = striped(&[1, 2, 1, 2, 3], 0);
        let all = heads(&events);
        let mut cut = events.clone();
        cut.remove(3); // chain 2's newest
        let fault = verify_chain(&cut, &all).expect_err("tail deletion must be found");
        assert_eq!(fault.seq, 4);
        assert!(fault.problem.contains("chain 2"), "{}", fault.problem);
        // An event past its chain's head that the heads read afterwards do not account for.
        let before = heads(&events[..4]);
        let mut verifier = ChainVerifier::new(&before);
        for e in &events {
            verifier.check(e).expect("checks");
        }
        assert_eq!(verifier.checked, 4);
        assert!(verifier.finish(&all).is_ok(), "written during the walk");
        assert_eq!(verifier.finish(&before).expect_err("inserted").seq, 5);
        let mut stray = events.clone();
        stray[4].chain = 9;
        assert!(verify_chain(&stray, &all).expect_err("no such chain").problem.contains("chain 9"));
    }

    #[test]
    fn every_field_is_covered_by_the_hash() {
        let base = event(1);
        let at = Position { seq: 1, chain: 1, chain_seq: 1 };
        let h = chain_hash(GENESIS_HASH, at, &base);
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
            assert_ne!(chain_hash(GENESIS_HASH, at, &v), h, "{v:?}");
        }
        for other in [
            Position { seq: 2, ..at },
            Position { chain: 2, ..at },
            Position { chain_seq: 2, ..at },
            Position { seq: 5, chain: 2, chain_seq: 1 },
        ] {
            assert_ne!(chain_hash(GENESIS_HASH, other, &base), h, "{other:?}");
        }
        let v2 = Position { seq: 5, chain: 2, chain_seq: 3 };
        let h2 = chain_hash(GENESIS_HASH, v2, &base);
        for other in [Position { seq: 6, ..v2 }, Position { chain: 3, ..v2 }, Position { chain_seq: 4, ..v2 }] {
            assert_ne!(chain_hash(GENESIS_HASH, other, &base), h2, "{other:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn any_single_edit_is_detected_at_that_event(n in 2u32..20, victim in 0usize..20, text in "[a-z]{1,8}") {
            let mut events = chain(n);
            let victim = victim % events.len();
            events[victim].event.actor_name.push_str(&text);
            let fault = verify_chain(&events, &heads(&chain(n))).expect_err("tamper must be found");
            prop_assert_eq!(fault.seq, events[victim].seq);
        }

        #[test]
        fn any_deletion_is_detected(n in 1u32..20, victim in 0usize..20) {
            let mut events = chain(n);
            let all = heads(&events);
            let victim = victim % events.len();
            events.remove(victim);
            let fault = verify_chain(&events, &all).expect_err("deletion must be found");
            prop_assert_eq!(fault.seq, victim as i64 + 1);
        }

        #[test]
        fn any_swap_is_detected(n in 2u32..20, a in 0usize..20) {
            let mut events = chain(n);
            let all = heads(&events);
            let a = a % (events.len() - 1);
            // Reorder by exchanging two neighbours' positions and sequence numbers.
            let seq_a = events[a].seq;
            events[a].seq = events[a + 1].seq;
            events[a + 1].seq = seq_a;
            events.swap(a, a + 1);
            let fault = verify_chain(&events, &all).expect_err("reorder must be found");
            prop_assert_eq!(fault.seq, a as i64 + 1);
        }

        #[test]
        fn striped_edits_are_detected_at_that_event(
            chains in proptest::collection::vec(1i32..=4, 2..30), gap in 0usize..4, victim in 0usize..30,
        ) {
            let mut events = striped(&chains, gap);
            let all = heads(&events);
            let victim = victim % events.len();
            events[victim].event.after = Some("{}".into());
            let fault = verify_chain(&events, &all).expect_err("tamper must be found");
            prop_assert_eq!(fault.seq, events[victim].seq);
        }

        #[test]
        fn striped_deletions_are_detected_no_later_than_the_event(
            chains in proptest::collection::vec(1i32..=4, 1..30), gap in 0usize..4, victim in 0usize..30,
        ) {
            let mut events = striped(&chains, gap);
            let all = heads(&events);
            let victim = victim % events.len();
            let gone = events.remove(victim);
            let fault = verify_chain(&events, &all).expect_err("deletion must be found");
            let before_it = events.iter().filter(|e| e.chain == gone.chain && e.seq < gone.seq).map(|e| e.seq).max();
            prop_assert!(fault.seq <= gone.seq && fault.seq > before_it.unwrap_or(0), "{:?} for {}", fault, gone.seq);
            prop_assert!(fault.problem.contains(&format!("chain {}", gone.chain)), "{}", fault.problem);
        }

        #[test]
        fn striped_swaps_are_detected(
            chains in proptest::collection::vec(1i32..=4, 2..30), gap in 0usize..4, a in 0usize..30,
        ) {
            let mut events = striped(&chains, gap);
            let all = heads(&events);
            let a = a % (events.len() - 1);
            let seq_a = events[a].seq;
            events[a].seq = events[a + 1].seq;
            events[a + 1].seq = seq_a;
            events.swap(a, a + 1);
            let fault = verify_chain(&events, &all).expect_err("reorder must be found");
            prop_assert!(fault.seq <= events[a].seq, "{:?}", fault);
        }
    }
}
