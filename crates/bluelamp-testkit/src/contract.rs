//! The Store contract: what every backend must do, written once and run against each by
//! [`contract_tests!`](crate::contract_tests). Most tests drive the real use cases in `Core`, so they
//! check the backend through the paths production uses.

use std::sync::Arc;

use bluelamp_core::audit::{AuditQuery, RequestContext};
use bluelamp_core::core::{By, OfficerRecord, SessionRejection};
use bluelamp_core::restriction::RecordRef;
use bluelamp_core::store::Store;
use bluelamp_core::{Error, password};
use chrono::Duration;

pub use crate::contract_generate::*;
pub use crate::contract_investigation::*;
pub use crate::contract_pole::*;
pub use crate::contract_search::*;
pub use crate::contract_triage::*;
use crate::{ManualClock, PASSWORD, TestBackend, add_user, core, new_user};

pub(crate) fn ctx() -> RequestContext {
    RequestContext { request_id: Some("req-1".into()), ip: Some("127.0.0.1".into()), user_agent: None }
}

pub(crate) async fn verify_ok(store: Arc<dyn Store>) -> u64 {
    let core = core(store, ManualClock::standard());
    match core.verify_audit().await.expect("verify runs") {
        Ok(count) => count,
        Err(fault) => panic!("chain should verify: {fault:?}"),
    }
}

/// Stored users come back exactly as written, with roles and specialisms, and the write is audited.
pub async fn users_round_trip<B: TestBackend>() {
    let backend = B::new().await;
    let core = core(backend.store(), ManualClock::standard());
    let mut new = new_user("pc.jones", &["investigator", "safeguarding"]);
    new.specialisms = vec!["child-abuse".into(), "domestic-abuse".into()];
    let created = core.create_user(By::System("test"), &new, Some(PASSWORD), &ctx()).await.expect("create");
    let by_id = backend.store().find_user(created.id).await.expect("find").expect("exists");
    assert_eq!(by_id, created);
    let by_name = backend.store().find_user_by_username("pc.jones").await.expect("find").expect("exists");
    assert_eq!(by_name, created);
    assert_eq!(backend.store().list_users().await.expect("list"), vec![created.clone()]);
    assert_eq!(backend.store().count_users().await.expect("count"), 1);
    assert!(backend.store().find_user_by_username("nobody").await.expect("find").is_none());
    let events = backend
        .store()
        .search_audit(&AuditQuery { record_id: Some(created.id.to_string()), limit: 10, ..Default::default() })
        .await
        .expect("search");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event.action, "user.create");
    assert!(!events[0].event.after.clone().unwrap_or_default().contains("argon2"), "no hash in the trail");
}

/// A user name can be taken once: the use case says which field, the store reports a conflict.
pub async fn duplicate_usernames_are_refused<B: TestBackend>() {
    let backend = B::new().await;
    let core = core(backend.store(), ManualClock::standard());
    let first = add_user(&core, "pc.lee", &["investigator"]).await;
    match core.create_user(By::System("test"), &new_user("pc.lee", &["analyst"]), None, &ctx()).await {
        Err(Error::Invalid(errors)) => assert_eq!(errors[0].field, "username"),
        other => panic!("expected a field error, got {other:?}"),
    }
    let mut clone = first.clone();
    clone.id = uuid::Uuid::now_v7();
    let audit = bluelamp_core::audit::NewAuditEvent::new(
        core.now(),
        &bluelamp_core::audit::Actor::system("test"),
        "user.create",
        bluelamp_core::audit::AuditCategory::Collect,
        &ctx(),
    );
    assert!(matches!(backend.store().insert_user(&clone, &audit).await, Err(Error::Conflict(_))));
}

/// Sign-in creates a session; the idle and absolute limits end it; sign-out ends all of them.
pub async fn sessions_expire_and_are_revoked<B: TestBackend>() {
    let backend = B::new().await;
    let clock = ManualClock::standard();
    let core = core(backend.store(), clock.clone());
    let user = add_user(&core, "pc.idle", &["investigator"]).await;

    let first = core.sign_in("pc.idle", PASSWORD, &ctx()).await.expect("sign in");
    let (principal, _) = core.authenticate_session(&first.token).await.expect("ok").expect("live");
    assert_eq!(principal.user_id, user.id);
    // The session comes with its whole user (roles and specialisms) in the one look-up.
    let (session, with_user) = backend
        .store()
        .find_session(&bluelamp_core::secret::token_hash(&first.token))
        .await
        .expect("find")
        .expect("exists");
    assert_eq!(session.user_id, user.id);
    assert_eq!(Some(with_user), backend.store().find_user(user.id).await.expect("find"));

    // Active use keeps the session alive past the idle limit ...
    for _ in 0..4 {
        clock.advance(Duration::minutes(20));
        assert!(core.authenticate_session(&first.token).await.expect("ok").is_ok());
    }
    // ... but 30 idle minutes end it, and it stays ended.
    clock.advance(Duration::minutes(30));
    assert_eq!(core.authenticate_session(&first.token).await.expect("ok").err(), Some(SessionRejection::Expired));
    assert_eq!(core.authenticate_session(&first.token).await.expect("ok").err(), Some(SessionRejection::Unknown));

    // The absolute limit ends even a busy session after 12 hours.
    let second = core.sign_in("pc.idle", PASSWORD, &ctx()).await.expect("sign in");
    for _ in 0..47 {
        clock.advance(Duration::minutes(15));
        assert!(core.authenticate_session(&second.token).await.expect("ok").is_ok());
    }
    clock.advance(Duration::minutes(15));
    assert_eq!(core.authenticate_session(&second.token).await.expect("ok").err(), Some(SessionRejection::Expired));

    // Sign-out revokes every session the user holds, at once.
    let a = core.sign_in("pc.idle", PASSWORD, &ctx()).await.expect("sign in");
    let b = core.sign_in("pc.idle", PASSWORD, &ctx()).await.expect("sign in");
    assert_ne!(a.token, b.token, "a fresh token each sign-in");
    let (principal, _) = core.authenticate_session(&a.token).await.expect("ok").expect("live");
    assert_eq!(core.sign_out(&principal, &ctx()).await.expect("sign out"), 2);
    assert!(core.authenticate_session(&a.token).await.expect("ok").is_err());
    assert!(core.authenticate_session(&b.token).await.expect("ok").is_err());
    assert!(core.authenticate_session("not-a-token").await.expect("ok").is_err());
}

/// Disabling a user, changing their roles or resetting their password ends every session before the
/// next request.
pub async fn account_changes_revoke_sessions<B: TestBackend>() {
    let backend = B::new().await;
    let core = core(backend.store(), ManualClock::standard());
    let user = add_user(&core, "pc.moved", &["call-handler"]).await;

    let s = core.sign_in("pc.moved", PASSWORD, &ctx()).await.expect("sign in");
    core.set_user_roles(By::System("test"), "pc.moved", &["investigator".into()], &ctx()).await.expect("roles");
    assert!(core.authenticate_session(&s.token).await.expect("ok").is_err());
    assert_eq!(backend.store().count_sessions(user.id).await.expect("count"), 0);

    let s = core.sign_in("pc.moved", PASSWORD, &ctx()).await.expect("sign in");
    let (principal, _) = core.authenticate_session(&s.token).await.expect("ok").expect("live");
    assert!(principal.can(bluelamp_core::access::Permission::CrimeView), "new role applies");
    core.set_user_disabled(By::System("test"), "pc.moved", true, &ctx()).await.expect("disable");
    assert!(core.authenticate_session(&s.token).await.expect("ok").is_err());
    assert!(matches!(core.sign_in("pc.moved", PASSWORD, &ctx()).await, Err(Error::Unauthenticated)));

    core.set_user_disabled(By::System("test"), "pc.moved", false, &ctx()).await.expect("enable");
    let s = core.sign_in("pc.moved", PASSWORD, &ctx()).await.expect("sign in");
    core.reset_password(By::System("test"), "pc.moved", "marmalade quarry violin", &ctx()).await.expect("reset");
    assert!(core.authenticate_session(&s.token).await.expect("ok").is_err());
    assert!(core.sign_in("pc.moved", PASSWORD, &ctx()).await.is_err());
    assert!(core.sign_in("pc.moved", "marmalade quarry violin", &ctx()).await.is_ok());
}

/// Five wrong passwords lock the account for the lockout period; unknown users and wrong passwords
/// fail the same way, and every failure is audited.
pub async fn failed_sign_ins_lock_the_account<B: TestBackend>() {
    let backend = B::new().await;
    let clock = ManualClock::standard();
    let core = core(backend.store(), clock.clone());
    add_user(&core, "pc.locked", &["investigator"]).await;

    for _ in 0..4 {
        assert!(matches!(core.sign_in("pc.locked", "wrong password!", &ctx()).await, Err(Error::Unauthenticated)));
    }
    // A success before the fifth failure resets the count.
    core.sign_in("pc.locked", PASSWORD, &ctx()).await.expect("fourth failure does not lock");
    for _ in 0..5 {
        let _ = core.sign_in("pc.locked", "wrong password!", &ctx()).await;
    }
    assert!(matches!(core.sign_in("pc.locked", PASSWORD, &ctx()).await, Err(Error::Unauthenticated)), "locked");
    clock.advance(Duration::minutes(16));
    core.sign_in("pc.locked", PASSWORD, &ctx()).await.expect("lock expires");

    assert!(matches!(core.sign_in("nobody", PASSWORD, &ctx()).await, Err(Error::Unauthenticated)));
    let refusals = backend
        .store()
        .search_audit(&AuditQuery { action: Some("auth.sign_in".into()), limit: 100, ..Default::default() })
        .await
        .expect("search")
        .into_iter()
        .filter(|e| e.event.outcome == bluelamp_core::audit::AuditOutcome::Denied)
        .count();
    assert_eq!(refusals, 4 + 5 + 1 + 1);
}

/// API tokens work until they expire or are revoked, and only their hash is stored.
pub async fn api_tokens_expire_and_revoke<B: TestBackend>() {
    let backend = B::new().await;
    let clock = ManualClock::standard();
    let core = core(backend.store(), clock.clone());
    let user = add_user(&core, "partner.system", &["analyst"]).await;
    let (token, secret) =
        core.create_api_token(By::System("test"), "partner.system", "nightly export", 2, &ctx()).await.expect("token");
    assert_ne!(token.token_hash, secret);
    let listed = backend.store().list_api_tokens(user.id).await.expect("list");
    assert_eq!(listed, vec![token.clone()]);
    assert_eq!(core.authenticate_api_token(&secret).await.expect("ok").map(|p| p.user_id), Some(user.id));
    clock.advance(Duration::days(2));
    assert!(core.authenticate_api_token(&secret).await.expect("ok").is_none(), "expired");

    let (token, secret) =
        core.create_api_token(By::System("test"), "partner.system", "", 30, &ctx()).await.expect("token");
    core.revoke_api_token(By::System("test"), token.id, &ctx()).await.expect("revoke");
    assert!(core.authenticate_api_token(&secret).await.expect("ok").is_none(), "revoked");
    assert!(matches!(core.revoke_api_token(By::System("test"), token.id, &ctx()).await, Err(Error::NotFound)));
    assert!(matches!(
        core.create_api_token(By::System("test"), "partner.system", "", 0, &ctx()).await,
        Err(Error::Invalid(_))
    ));

    // The token comes with its owner in the one look-up; a disabled owner's token is refused.
    let (token, secret) =
        core.create_api_token(By::System("test"), "partner.system", "", 30, &ctx()).await.expect("token");
    let (found, owner) = backend
        .store()
        .find_api_token(&bluelamp_core::secret::token_hash(&secret))
        .await
        .expect("find")
        .expect("exists");
    assert_eq!((found, Some(owner)), (token, backend.store().find_user(user.id).await.expect("find")));
    assert!(core.authenticate_api_token(&secret).await.expect("ok").is_some());
    core.set_user_disabled(By::System("test"), "partner.system", true, &ctx()).await.expect("disable");
    assert!(core.authenticate_api_token(&secret).await.expect("ok").is_none(), "disabled owner");
}

/// A restricted record is sealed to everyone off its access list until they give a reason, and the
/// reason is in the audit trail.
pub async fn restricted_records_stay_sealed<B: TestBackend>() {
    let backend = B::new().await;
    let core = core(backend.store(), ManualClock::standard());
    let covert = add_user(&core, "dc.covert", &["investigator"]).await;
    let sergeant = add_user(&core, "ds.handler", &["supervisor"]).await;
    let colleague = add_user(&core, "pc.curious", &["investigator"]).await;
    let sergeant_p = bluelamp_core::core::principal_of(&sergeant);
    let colleague_p = bluelamp_core::core::principal_of(&colleague);
    let record = RecordRef::new("officer", covert.id);

    // An investigator may not restrict records.
    assert!(matches!(
        core.restrict_record(By::User(&colleague_p), &record, "no reason at all", &[], &ctx()).await,
        Err(Error::Forbidden(_))
    ));
    core.restrict_record(By::User(&sergeant_p), &record, "Covert role: need to know only", &[], &ctx())
        .await
        .expect("restrict");

    match core.view_officer(&sergeant_p, covert.id, None, &ctx()).await.expect("view") {
        OfficerRecord::Open { user, .. } => assert_eq!(user.id, covert.id),
        other => panic!("the restricting sergeant is on the list: {other:?}"),
    }
    assert_eq!(
        core.view_officer(&colleague_p, covert.id, None, &ctx()).await.expect("view"),
        OfficerRecord::Sealed { id: covert.id }
    );
    assert!(matches!(
        core.view_officer(&colleague_p, covert.id, Some("because"), &ctx()).await,
        Err(Error::Invalid(_))
    ));
    match core
        .view_officer(&colleague_p, covert.id, Some("Checking a duty clash on op Lantern"), &ctx())
        .await
        .expect("open")
    {
        OfficerRecord::Open { opened_with_reason, .. } => {
            assert_eq!(opened_with_reason.as_deref(), Some("Checking a duty clash on op Lantern"))
        }
        other => panic!("a reason opens it: {other:?}"),
    }
    let opened = backend
        .store()
        .search_audit(&AuditQuery { action: Some("officer.open_restricted".into()), limit: 10, ..Default::default() })
        .await
        .expect("search");
    assert_eq!(opened.len(), 1);
    assert_eq!(opened[0].event.actor_name, "pc.curious");
    assert_eq!(opened[0].event.justification.as_deref(), Some("Checking a duty clash on op Lantern"));

    // The directory shows the row exists but not whose it is.
    let directory = core.officer_directory(&colleague_p, &ctx()).await.expect("directory");
    assert!(directory.contains(&bluelamp_core::core::DirectoryEntry::Sealed(covert.id)));

    core.lift_restriction(By::User(&sergeant_p), &record, &ctx()).await.expect("lift");
    assert!(matches!(
        core.view_officer(&colleague_p, covert.id, None, &ctx()).await.expect("view"),
        OfficerRecord::Open { .. }
    ));
}

/// If the audit event cannot be written, the change is not written either, and no data is returned.
pub async fn change_and_audit_commit_together<B: TestBackend>() {
    let backend = B::new().await;
    let core = core(backend.store(), ManualClock::standard());
    let viewer = add_user(&core, "pc.viewer", &["investigator"]).await;
    let viewer_p = bluelamp_core::core::principal_of(&viewer);
    let users_before = backend.store().count_users().await.expect("count");
    let head_before = backend.store().audit_head().await.expect("head");

    backend.break_audit_inserts().await;
    assert!(
        core.create_user(By::System("test"), &new_user("pc.ghost", &["analyst"]), Some(PASSWORD), &ctx())
            .await
            .is_err()
    );
    assert_eq!(backend.store().count_users().await.expect("count"), users_before, "no user without its audit event");
    assert!(backend.store().find_user_by_username("pc.ghost").await.expect("find").is_none());

    assert!(core.sign_in("pc.viewer", PASSWORD, &ctx()).await.is_err(), "no session without its audit event");
    assert_eq!(backend.store().count_sessions(viewer.id).await.expect("count"), 0);

    assert!(core.view_officer(&viewer_p, viewer.id, None, &ctx()).await.is_err(), "no data without its audit event");
    assert!(core.set_user_disabled(By::System("test"), "pc.viewer", true, &ctx()).await.is_err());
    assert!(!backend.store().find_user(viewer.id).await.expect("find").expect("exists").is_disabled);
    assert_eq!(backend.store().audit_head().await.expect("head"), head_before);
}

async fn busy_trail<B: TestBackend>(backend: &B) {
    let core = core(backend.store(), ManualClock::standard());
    for name in ["pc.one", "pc.two", "pc.three"] {
        add_user(&core, name, &["investigator"]).await;
    }
    let s = core.sign_in("pc.one", PASSWORD, &ctx()).await.expect("sign in");
    let (p, _) = core.authenticate_session(&s.token).await.expect("ok").expect("live");
    let _ = core.sign_in("pc.two", "wrong password!", &ctx()).await;
    core.officer_directory(&p, &ctx()).await.expect("directory");
    core.sign_out(&p, &ctx()).await.expect("sign out");
}

/// The chain verifies after ordinary use, and the store refuses to change or delete events.
pub async fn audit_chain_verifies_and_is_append_only<B: TestBackend>() {
    let backend = B::new().await;
    busy_trail(&backend).await;
    let count = verify_ok(backend.store()).await;
    let (head, _) = backend.store().audit_head().await.expect("head");
    assert_eq!(count as i64, head);
    assert!(count >= 7);
    let update = backend.try_exec("UPDATE audit_event SET actor_name = 'someone else' WHERE seq = 2").await;
    assert!(update.is_err(), "audit events cannot be edited");
    let delete = backend.try_exec("DELETE FROM audit_event WHERE seq = 2").await;
    assert!(delete.is_err(), "audit events cannot be deleted");
    verify_ok(backend.store()).await;
}

async fn fault_after<B: TestBackend>(backend: &B, sql: &str) -> bluelamp_core::audit::ChainFault {
    backend.drop_audit_guards().await;
    backend.exec(sql).await;
    let core = core(backend.store(), ManualClock::standard());
    core.verify_audit().await.expect("verify runs").expect_err("tampering must be detected")
}

/// An edited event is named.
pub async fn audit_verify_catches_an_edit<B: TestBackend>() {
    let backend = B::new().await;
    busy_trail(&backend).await;
    let fault = fault_after(&backend, "UPDATE audit_event SET actor_name = 'someone else' WHERE seq = 3").await;
    assert_eq!(fault.seq, 3);
    assert!(fault.problem.contains("edited"), "{}", fault.problem);
}

/// A deleted event in the middle is named by its sequence number.
pub async fn audit_verify_catches_a_deletion<B: TestBackend>() {
    let backend = B::new().await;
    busy_trail(&backend).await;
    let fault = fault_after(&backend, "DELETE FROM audit_event WHERE seq = 4").await;
    assert_eq!(fault.seq, 4);
}

/// Deleting the newest event is caught by the chain head.
pub async fn audit_verify_catches_a_deleted_tail<B: TestBackend>() {
    let backend = B::new().await;
    busy_trail(&backend).await;
    let (head, _) = backend.store().audit_head().await.expect("head");
    let fault = fault_after(&backend, &format!("DELETE FROM audit_event WHERE seq = {head}")).await;
    assert_eq!(fault.seq, head);
}

/// Swapping two events' places is caught at the first of them.
pub async fn audit_verify_catches_a_reorder<B: TestBackend>() {
    let backend = B::new().await;
    busy_trail(&backend).await;
    let fault = fault_after(
        &backend,
        "UPDATE audit_event SET seq = -1 WHERE seq = 2; UPDATE audit_event SET seq = 2 WHERE seq = 3; \
         UPDATE audit_event SET seq = 3 WHERE seq = -1;",
    )
    .await;
    assert_eq!(fault.seq, 2);
}

/// Auditors search by user, record, action and period, newest first, in pages.
pub async fn audit_search_filters_and_pages<B: TestBackend>() {
    let backend = B::new().await;
    let clock = ManualClock::standard();
    let core = core(backend.store(), clock.clone());
    let one = add_user(&core, "pc.one", &["investigator"]).await;
    clock.advance(Duration::hours(2));
    add_user(&core, "pc.two", &["investigator"]).await;
    for _ in 0..5 {
        let _ = core.sign_in("pc.one", "wrong password!", &ctx()).await;
    }
    let store = backend.store();
    let by_actor = store
        .search_audit(&AuditQuery { actor_name: Some("pc.one".into()), limit: 50, ..Default::default() })
        .await
        .expect("search");
    assert_eq!(by_actor.len(), 5);
    assert!(by_actor.windows(2).all(|w| w[0].seq > w[1].seq), "newest first");
    let by_record = store
        .search_audit(&AuditQuery {
            record_type: Some("user".into()),
            record_id: Some(one.id.to_string()),
            limit: 50,
            ..Default::default()
        })
        .await
        .expect("search");
    assert_eq!(by_record.len(), 6);
    let early = store
        .search_audit(&AuditQuery { to: Some(core.now() - Duration::hours(1)), limit: 50, ..Default::default() })
        .await
        .expect("search");
    assert_eq!(early.len(), 1);
    assert_eq!(early[0].event.action, "user.create");
    let page1 = store.search_audit(&AuditQuery { limit: 3, ..Default::default() }).await.expect("search");
    let page2 = store
        .search_audit(&AuditQuery { limit: 3, before_seq: page1.last().map(|e| e.seq), ..Default::default() })
        .await
        .expect("search");
    assert_eq!(page1.len(), 3);
    assert_eq!(page2.len(), 3);
    assert!(page1.last().map(|e| e.seq) > page2.first().map(|e| e.seq));
    // Searching is itself audited when done through the use case.
    let head = store.audit_head().await.expect("head").0;
    core.search_audit(By::System("test"), &AuditQuery { limit: 5, ..Default::default() }, &ctx())
        .await
        .expect("search");
    assert_eq!(store.audit_head().await.expect("head").0, head + 1);
}

/// Many writers at once still make an unbroken trail.
pub async fn concurrent_appends_keep_one_chain<B: TestBackend>() {
    let backend = B::new().await;
    let core = core(backend.store(), ManualClock::standard());
    add_user(&core, "pc.busy", &["investigator"]).await;
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let core = core.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..10 {
                let _ = core.sign_in("pc.busy", "wrong password!", &ctx()).await;
                let _ = core.record_refusal(None, "GET /users", "not signed in", &ctx()).await;
            }
        }));
    }
    for task in tasks {
        task.await.expect("task");
    }
    assert_eq!(verify_ok(backend.store()).await, 1 + 16 * 10 * 2);
}

/// Many writers at once extend several chains on PostgreSQL (one on SQLite), and the trail still
/// verifies: every chain runs 1, 2, 3 … with `seq` rising along it and ends at its head.
pub async fn concurrent_appends_stripe_over_chains<B: TestBackend>() {
    let backend = B::new().await;
    let store = backend.store();
    let core = core(store.clone(), ManualClock::standard());
    add_user(&core, "pc.busy", &["investigator"]).await;
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let core = core.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..10 {
                core.record_refusal(None, "GET /users", "not signed in", &ctx()).await.expect("append");
            }
        }));
    }
    for task in tasks {
        task.await.expect("task");
    }
    assert_eq!(verify_ok(store.clone()).await, 1 + 16 * 10);
    let heads = store.audit_heads().await.expect("heads");
    let used = heads.iter().filter(|h| h.chain_seq > 0).count();
    if B::NAME == "postgres" {
        assert_eq!(heads.len(), 16);
        assert!(used >= 2, "only {used} chain(s) used");
    } else {
        assert_eq!((heads.len(), used), (1, 1));
    }
    let events = store.audit_range(1, 1000).await.expect("events");
    assert_eq!(events.len(), 161);
    for head in &heads {
        let chain: Vec<_> = events.iter().filter(|e| e.chain == head.chain).collect();
        assert_eq!(chain.len() as i64, head.chain_seq);
        assert!(chain.iter().enumerate().all(|(i, e)| e.chain_seq == i as i64 + 1), "chain {} has gaps", head.chain);
        assert!(chain.windows(2).all(|w| w[0].seq < w[1].seq && w[1].prev_hash == w[0].hash));
        assert_eq!(
            chain.last().map(|e| (e.seq, e.hash.clone())),
            (head.chain_seq > 0).then(|| (head.seq, head.hash.clone()))
        );
    }
    let mut seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
    seqs.dedup();
    assert_eq!(seqs.len(), 161, "seq is unique");
}

/// A trail spread over at least three chains (SQLite's migration makes one; the test adds two heads,
/// as an operator could), with an event of chain 2 that has a successor in its chain.
async fn striped_trail<B: TestBackend>(backend: &B) -> (bluelamp_core::audit::AuditEvent, i64) {
    for id in 2..=3 {
        backend
            .exec(&format!(
                "INSERT INTO audit_head (id, seq, chain_seq, hash) SELECT {id}, 0, 0, '{}' \
                 WHERE NOT EXISTS (SELECT 1 FROM audit_head WHERE id = {id})",
                bluelamp_core::audit::GENESIS_HASH
            ))
            .await;
    }
    busy_trail(backend).await;
    let core = core(backend.store(), ManualClock::standard());
    for _ in 0..40 {
        core.record_refusal(None, "GET /users", "not signed in", &ctx()).await.expect("append");
    }
    verify_ok(backend.store()).await;
    let events = backend.store().audit_range(1, 1000).await.expect("events");
    let victim = events
        .iter()
        .find(|e| e.chain == 2 && events.iter().any(|n| n.chain == 2 && n.chain_seq == e.chain_seq + 1))
        .expect("chain 2 has two events")
        .clone();
    let before = events.iter().filter(|e| e.chain == 2 && e.seq < victim.seq).map(|e| e.seq).max().unwrap_or(0);
    (victim, before)
}

/// Deleting an event from a chain other than the first is found, in that chain.
pub async fn audit_verify_catches_a_deletion_in_another_chain<B: TestBackend>() {
    let backend = B::new().await;
    let (victim, before) = striped_trail(&backend).await;
    let fault = fault_after(&backend, &format!("DELETE FROM audit_event WHERE seq = {}", victim.seq)).await;
    assert!(fault.seq > before && fault.seq <= victim.seq, "{fault:?} for {}", victim.seq);
    assert!(fault.problem.contains(&format!("event {} of chain 2", victim.chain_seq)), "{}", fault.problem);
}

/// Editing an event in a chain other than the first is found at that event.
pub async fn audit_verify_catches_an_edit_in_another_chain<B: TestBackend>() {
    let backend = B::new().await;
    let (victim, _) = striped_trail(&backend).await;
    let fault =
        fault_after(&backend, &format!("UPDATE audit_event SET after_json = '{{}}' WHERE seq = {}", victim.seq)).await;
    assert_eq!(fault.seq, victim.seq);
    assert_eq!(fault.event_id, Some(victim.event.id));
    assert!(fault.problem.contains("edited"), "{}", fault.problem);
}

/// Migrations are all applied and known.
pub async fn schema_is_current<B: TestBackend>() {
    let backend = B::new().await;
    let status = backend.store().schema_status().await.expect("status");
    assert!(!status.known.is_empty());
    assert_eq!(status.known, status.applied);
    assert!(status.pending().is_empty());
    assert!(status.unknown_applied().is_empty());
    backend.store().migrate().await.expect("migrating twice is harmless");
    backend.store().ping().await.expect("ping");
    assert!(password::verify_password(PASSWORD, &password::hash_password(PASSWORD).expect("hash")));
}

pub use crate::contract_merge::{
    concurrent_merge_reviews_one_wins, merge_reviews_need_four_eyes_and_the_permission,
    merges_are_not_applied_without_audit, merges_repoint_every_link_and_unmerge_restores_exactly,
};

/// Expands to one `#[tokio::test]` per contract test for a backend type.
#[macro_export]
macro_rules! contract_tests {
    ($backend:ty) => {
        $crate::contract_tests!(@each $backend;
            users_round_trip, duplicate_usernames_are_refused, sessions_expire_and_are_revoked,
            account_changes_revoke_sessions, failed_sign_ins_lock_the_account, api_tokens_expire_and_revoke,
            restricted_records_stay_sealed, change_and_audit_commit_together,
            audit_chain_verifies_and_is_append_only, audit_verify_catches_an_edit,
            audit_verify_catches_a_deletion, audit_verify_catches_a_deleted_tail,
            audit_verify_catches_a_reorder, audit_search_filters_and_pages,
            concurrent_appends_keep_one_chain, concurrent_appends_stripe_over_chains,
            audit_verify_catches_a_deletion_in_another_chain, audit_verify_catches_an_edit_in_another_chain, schema_is_current, incidents_record_assess_grade_and_close,
            incident_changes_are_optimistically_locked, incident_references_count_per_day,
            incident_queue_is_ordered_by_urgency, incidents_are_not_saved_without_audit, intake_checks_find_repeats,
            ncrs_list_shows_due_and_breaching, units_deploy_arrive_and_clear, divisions_come_from_boundaries,
            beats_and_wards_round_trip, thrive_quality_reviews_and_rates, people_round_trip_and_change_with_versions,
            people_are_found_fuzzily_and_duplicates_offered, people_are_not_saved_without_audit,
            intake_checks_flag_people_on_the_incident, crimes_are_recorded_with_numbers_people_and_their_incident,
            crime_reclassification_keeps_history_and_finalising_follows_the_rules,
            ncrs_compliance_on_a_fixed_data_set, crimes_are_not_saved_without_audit,
            // data.police.uk import
            policeuk_import_is_idempotent_and_audited, policeuk_duplicate_crime_ids_are_all_kept,
            policeuk_rows_and_audit_commit_together,
            // POLE on crimes and cancellation (contract_pole.rs)
            crimes_link_organisations_objects_and_locations, cancellation_needs_the_registrar_or_a_delegate,
            one_crime_per_victim_blocks_finalising, crime_links_are_not_saved_without_audit,
            merged_away_people_are_not_linked_to_crimes,
            // person merge and unmerge (contract_merge.rs)
            merges_repoint_every_link_and_unmerge_restores_exactly, merge_reviews_need_four_eyes_and_the_permission,
            concurrent_merge_reviews_one_wins, merges_are_not_applied_without_audit,
            // crime search
            crime_search_finds_by_each_filter, crime_search_combines_filters_and_pages,
            crime_search_refuses_bad_input_and_is_audited, crime_search_counts_up_to_the_cap,
            // generated forces (contract_generate.rs)
            a_generated_force_reads_back_and_verifies, an_interrupted_generation_resumes_to_the_same_force,
            generation_refuses_a_database_holding_anything_else,
            // triage and allocation (contract_triage.rs)
            triage_queue_is_ordered_and_explained, screening_is_recorded_audited_and_honours_exclusions,
            allocation_respects_caps_accreditation_and_concurrency, allocations_are_not_saved_without_audit,
            backlog_counts_the_queue_and_its_flow, excluded_crimes_are_never_screened_out,
            configured_categories_auto_allocate,
            // investigations and outcomes (contract_investigation.rs)
            investigation_plans_reviews_and_escalation, outcome_preconditions_block_finalising_until_met,
            outcomes_are_authorised_returned_and_reopened, outcome_decisions_are_not_saved_without_audit,
            outcome_analytics_on_a_fixed_data_set, casefile_samples_are_reproducible_and_reviewed);
    };
    (@each $backend:ty; $($name:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                $crate::contract::$name::<$backend>().await;
            }
        )*
    };
}

// ---- Incidents ----------------------------------------------------------------------------------

use bluelamp_core::incident::{Grade, IncidentStatus, LogKind, NewIncident, ThriveElement, ThriveInput};
use bluelamp_core::store::IncidentQuery;

pub(crate) fn domestic_999() -> NewIncident {
    NewIncident {
        channel: "999".into(),
        received_at: None,
        caller_name: "Mary Lane".into(),
        caller_phone: "07700 900123".into(),
        location_text: "14 Mill Road, Oakfield".into(),
        latitude: Some(51.27),
        longitude: Some(0.52),
        is_rural: false,
        division: "East".into(),
        opening_category: "PSW-DOM".into(),
        qualifiers: vec!["domestic-abuse".into(), "repeat".into()],
        summary: "Caller says her partner is shouting and throwing things.".into(),
    }
}

fn full_thrive(rating: &str) -> ThriveInput {
    ThriveInput {
        entries: ThriveElement::ALL
            .iter()
            .map(|e| (e.as_str().to_string(), rating.to_string(), format!("{} considered on the call", e.label())))
            .collect(),
    }
}

/// An incident goes from the call to closure: THRIVE, grade, regrade with a reason, NCRS-aware close;
/// every step is logged and audited, and the history is kept.
pub async fn incidents_record_assess_grade_and_close<B: TestBackend>() {
    let backend = B::new().await;
    let clock = ManualClock::standard();
    let core = core(backend.store(), clock.clone());
    let handler = bluelamp_core::core::principal_of(&add_user(&core, "ch.one", &["call-handler"]).await);
    let analyst = bluelamp_core::core::principal_of(&add_user(&core, "an.one", &["analyst"]).await);

    assert!(matches!(core.record_incident(&analyst, &domestic_999(), &ctx()).await, Err(Error::Forbidden(_))));
    let incident = core.record_incident(&handler, &domestic_999(), &ctx()).await.expect("record");
    assert_eq!(incident.reference, "20261126-0001");
    assert_eq!(incident.status, IncidentStatus::Open);

    match core.grade_incident(&handler, incident.id, 1, "emergency", None, &ctx()).await {
        Err(Error::Invalid(errors)) => assert_eq!(errors[0].field, "thrive"),
        other => panic!("grading needs THRIVE first: {other:?}"),
    }
    let partial = ThriveInput { entries: full_thrive("high").entries.into_iter().take(4).collect() };
    match core.assess_thrive(&handler, incident.id, 1, &partial, &ctx()).await {
        Err(Error::Invalid(errors)) => {
            assert!(errors.iter().any(|e| e.field == "thrive.vulnerability.rating"));
            assert!(errors.iter().any(|e| e.field == "thrive.engagement.rationale"));
        }
        other => panic!("missing elements are named: {other:?}"),
    }
    let incident = core.assess_thrive(&handler, incident.id, 1, &full_thrive("high"), &ctx()).await.expect("thrive");
    assert_eq!(incident.version, 2);
    let incident = core.grade_incident(&handler, incident.id, 2, "emergency", None, &ctx()).await.expect("grade");
    assert_eq!(incident.grade, Some(Grade::Emergency));
    assert_eq!(incident.due_at, Some(incident.received_at + Duration::minutes(15)));
    assert!(matches!(
        core.grade_incident(&handler, incident.id, 3, "priority", None, &ctx()).await,
        Err(Error::Invalid(_))
    ));
    clock.advance(Duration::minutes(5));
    let incident = core
        .grade_incident(
            &handler,
            incident.id,
            3,
            "priority",
            Some("Partner has left; caller safe with neighbour"),
            &ctx(),
        )
        .await
        .expect("regrade");
    let incident = core
        .add_incident_log(&handler, incident.id, 4, "Correction: the address is 41 Mill Road", true, &ctx())
        .await
        .expect("log");

    match core.close_incident(&handler, incident.id, 5, "CRM-VIO", "Officers attended", None, None, &ctx()).await {
        Err(Error::Invalid(errors)) => assert!(errors.iter().any(|e| e.field == "ncrs_reason")),
        other => panic!("a crime-related closure needs a crime or a reason: {other:?}"),
    }
    let closed = core
        .close_incident(
            &handler,
            incident.id,
            5,
            "PSW-DOM",
            "Verbal argument only; advice given; DASH completed",
            None,
            Some("No notifiable offence disclosed by either party"),
            &ctx(),
        )
        .await
        .expect("close");
    assert_eq!(closed.status, IncidentStatus::Closed);

    let record = core.view_incident(&handler, incident.id, &ctx()).await.expect("view");
    assert_eq!(record.incident, closed);
    assert_eq!(record.thrive.len(), 1);
    assert_eq!(record.thrive[0].entries.len(), 6);
    assert_eq!(record.grades.len(), 2);
    assert_eq!(record.grades[1].reason.as_deref(), Some("Partner has left; caller safe with neighbour"));
    assert_eq!(record.log.len(), 6, "{:?}", record.log);
    assert_eq!(record.log[0].text, "Caller says her partner is shouting and throwing things.");
    assert!(record.log.iter().any(|l| l.kind == LogKind::Correction));
    assert!(
        core.incident_queue(&handler, None, &ctx()).await.expect("queue").is_empty(),
        "closed incidents leave the queue"
    );
    verify_ok(backend.store()).await;
}

/// Two handlers change the same incident: the second is told, and the first's change stands.
pub async fn incident_changes_are_optimistically_locked<B: TestBackend>() {
    let backend = B::new().await;
    let core = core(backend.store(), ManualClock::standard());
    let one = bluelamp_core::core::principal_of(&add_user(&core, "ch.one", &["call-handler"]).await);
    let two = bluelamp_core::core::principal_of(&add_user(&core, "ch.two", &["call-handler"]).await);
    let incident = core.record_incident(&one, &domestic_999(), &ctx()).await.expect("record");
    core.add_incident_log(&one, incident.id, 1, "Caller rang back: partner has left", false, &ctx())
        .await
        .expect("first");
    match core.add_incident_log(&two, incident.id, 1, "Neighbour also called", false, &ctx()).await {
        Err(Error::Conflict(message)) => assert!(message.contains("reload")),
        other => panic!("the second writer must get a conflict: {other:?}"),
    }
    let record = backend.store().find_incident(incident.id).await.expect("find").expect("exists");
    assert_eq!(record.incident.version, 2);
    assert!(record.log.iter().any(|l| l.text == "Caller rang back: partner has left"));
    core.add_incident_log(&two, incident.id, 2, "Neighbour also called", false, &ctx()).await.expect("after reload");
    assert!(backend.try_exec("UPDATE incident_log SET text = 'edited'").await.is_err(), "the log cannot be edited");
    assert!(backend.try_exec("DELETE FROM incident_log").await.is_err(), "the log cannot be deleted");
}

/// References count up per UK day and never repeat.
pub async fn incident_references_count_per_day<B: TestBackend>() {
    let backend = B::new().await;
    let clock = ManualClock::standard();
    let core = core(backend.store(), clock.clone());
    let handler = bluelamp_core::core::principal_of(&add_user(&core, "ch.one", &["call-handler"]).await);
    let mut refs = Vec::new();
    for _ in 0..3 {
        refs.push(core.record_incident(&handler, &domestic_999(), &ctx()).await.expect("record").reference);
    }
    clock.advance(Duration::days(1));
    refs.push(core.record_incident(&handler, &domestic_999(), &ctx()).await.expect("record").reference);
    assert_eq!(refs, vec!["20261126-0001", "20261126-0002", "20261126-0003", "20261127-0001"]);
}

/// The queue puts ungraded incidents first, then the soonest due, and filters by division.
pub async fn incident_queue_is_ordered_by_urgency<B: TestBackend>() {
    let backend = B::new().await;
    let clock = ManualClock::standard();
    let core = core(backend.store(), clock.clone());
    let handler = bluelamp_core::core::principal_of(&add_user(&core, "ch.one", &["call-handler"]).await);
    let make = async |division: &str, grade: Option<&str>| {
        let mut new = domestic_999();
        new.division = division.into();
        let i = core.record_incident(&handler, &new, &ctx()).await.expect("record");
        clock.advance(Duration::minutes(1));
        match grade {
            Some(g) => {
                core.assess_thrive(&handler, i.id, 1, &full_thrive("medium"), &ctx()).await.expect("thrive");
                core.grade_incident(&handler, i.id, 2, g, None, &ctx()).await.expect("grade").reference
            }
            None => i.reference,
        }
    };
    let scheduled = make("East", Some("scheduled")).await;
    let priority = make("East", Some("priority")).await;
    let emergency = make("West", Some("emergency")).await;
    let ungraded = make("East", None).await;
    let resolution = make("East", Some("resolution")).await;
    let queue: Vec<String> =
        core.incident_queue(&handler, None, &ctx()).await.expect("queue").into_iter().map(|i| i.reference).collect();
    assert_eq!(queue, vec![ungraded.clone(), emergency, priority.clone(), scheduled.clone(), resolution.clone()]);
    let east: Vec<String> = core
        .incident_queue(&handler, Some("East"), &ctx())
        .await
        .expect("queue")
        .into_iter()
        .map(|i| i.reference)
        .collect();
    assert_eq!(east, vec![ungraded, priority, scheduled, resolution]);
    let all = backend.store().list_incidents(&IncidentQuery { limit: 100, ..Default::default() }).await.expect("list");
    assert_eq!(all.len(), 5);

    // Pages of the queue, and counts over all of it that agree with the rules.
    let store = backend.store();
    let open = |division: Option<&str>, limit: u32, offset: u32| IncidentQuery {
        status: Some(IncidentStatus::Open),
        division: division.map(str::to_string),
        limit,
        offset,
    };
    let refs = |list: Vec<bluelamp_core::incident::Incident>| list.into_iter().map(|i| i.reference).collect::<Vec<_>>();
    assert_eq!(refs(store.list_incidents(&open(None, 2, 1)).await.expect("page")), queue[1..3].to_vec());
    assert_eq!(refs(store.list_incidents(&open(Some("East"), 10, 3)).await.expect("page")), east[3..].to_vec());
    assert!(store.list_incidents(&open(None, 10, 5)).await.expect("past the end").is_empty());
    for later in [0, 20, 60, 24 * 60] {
        let now = core.now() + Duration::minutes(later);
        for division in [None, Some("East"), Some("West"), Some("Nowhere")] {
            let listed = store.list_incidents(&open(division, 100, 0)).await.expect("list");
            let recorder = listed.first().map(|i| i.recorded_by);
            let counts = store.count_incidents(&open(division, 1, 3), now, recorder).await.expect("count");
            assert_eq!(counts.total, listed.len() as i64, "{division:?}");
            let breaching = listed.iter().filter(|i| bluelamp_core::incident::is_breaching(i, now)).count();
            assert_eq!(counts.breaching, breaching as i64, "{division:?} at +{later} min");
            // The home page's counts: ungraded, and recorded by one user.
            assert_eq!(counts.ungraded, listed.iter().filter(|i| i.grade.is_none()).count() as i64, "{division:?}");
            let mine = listed.iter().filter(|i| Some(i.recorded_by) == recorder).count();
            assert_eq!(counts.mine, mine as i64, "{division:?}");
            let nobody = store.count_incidents(&open(division, 1, 0), now, None).await.expect("count");
            assert_eq!(nobody.mine, 0);
        }
    }
    let slice = core.incident_queue_page(&handler, Some("East"), 1, 2, &ctx()).await.expect("queue page");
    assert_eq!((refs(slice.incidents), slice.total), (east[1..3].to_vec(), 4));
    assert_eq!(store.list_divisions().await.expect("divisions"), vec!["West".to_string()]);
}

/// No incident is saved without its audit event.
pub async fn incidents_are_not_saved_without_audit<B: TestBackend>() {
    let backend = B::new().await;
    let core = core(backend.store(), ManualClock::standard());
    let handler = bluelamp_core::core::principal_of(&add_user(&core, "ch.one", &["call-handler"]).await);
    let kept = core.record_incident(&handler, &domestic_999(), &ctx()).await.expect("record");
    backend.break_audit_inserts().await;
    assert!(core.record_incident(&handler, &domestic_999(), &ctx()).await.is_err());
    assert!(core.add_incident_log(&handler, kept.id, 1, "Should not be kept", false, &ctx()).await.is_err());
    let all = backend.store().list_incidents(&IncidentQuery { limit: 100, ..Default::default() }).await.expect("list");
    assert_eq!(all.len(), 1);
    let record = backend.store().find_incident(kept.id).await.expect("find").expect("exists");
    assert_eq!((record.incident.version, record.log.len()), (1, 1));
}

/// Intake checks find earlier incidents from the same phone or at the same address in the window,
/// however the address or number was written, and explain them.
pub async fn intake_checks_find_repeats<B: TestBackend>() {
    let backend = B::new().await;
    let clock = ManualClock::standard();
    let core = core(backend.store(), clock.clone());
    let handler = bluelamp_core::core::principal_of(&add_user(&core, "ch.one", &["call-handler"]).await);
    let at = |place: &str, phone: &str| NewIncident {
        location_text: place.into(),
        caller_phone: phone.into(),
        ..domestic_999()
    };
    core.record_incident(&handler, &at("14 Mill Road, Oakfield", "07700 111111"), &ctx()).await.expect("old");
    clock.advance(Duration::days(400));
    core.record_incident(&handler, &at("14, Mill Road Oakfield", "07700 222222"), &ctx()).await.expect("recent 1");
    clock.advance(Duration::days(30));
    core.record_incident(&handler, &at("14 MILL ROAD OAKFIELD", "+44 7700 900123"), &ctx()).await.expect("recent 2");
    core.record_incident(&handler, &at("2 Elsewhere Lane", "07700 333333"), &ctx()).await.expect("other");
    clock.advance(Duration::days(29));
    let now = core.record_incident(&handler, &at("14 Mill Road, Oakfield", "07700 900123"), &ctx()).await.expect("now");
    let record = backend.store().find_incident(now.id).await.expect("find").expect("exists");
    let matches = core.intake_checks(&handler, &record).await.expect("checks");
    let explained: Vec<String> = matches.iter().map(|m| m.explanation()).collect();
    assert_eq!(
        explained,
        vec![
            "same phone number: 1 earlier incident in 30 days".to_string(),
            "same address: 2 earlier incidents in 60 days".to_string()
        ],
        "the 400-day-old call is outside the 12-month window"
    );
    assert!(matches[1].qualifiers.contains(&"domestic-abuse".to_string()));
}

/// The registrar's NCRS list: crime-related incidents without a crime or a reason, by due time.
pub async fn ncrs_list_shows_due_and_breaching<B: TestBackend>() {
    let backend = B::new().await;
    let clock = ManualClock::standard();
    let core = core(backend.store(), clock.clone());
    let handler = bluelamp_core::core::principal_of(&add_user(&core, "ch.one", &["call-handler"]).await);
    let registrar = bluelamp_core::core::principal_of(&add_user(&core, "fcr.one", &["crime-registrar"]).await);
    assert!(matches!(core.ncrs_list(&handler, 24, &ctx()).await, Err(Error::Forbidden(_))));
    assert!(matches!(core.ncrs_list(&registrar, 1000, &ctx()).await, Err(Error::Invalid(_))));
    let crime = |category: &str| NewIncident { opening_category: category.into(), ..domestic_999() };
    let assault = core.record_incident(&handler, &crime("CRM-VIO"), &ctx()).await.expect("assault");
    core.record_incident(&handler, &crime("PSW-DOM"), &ctx()).await.expect("not crime-related");
    clock.advance(Duration::hours(20));
    let theft = core.record_incident(&handler, &crime("CRM-THF"), &ctx()).await.expect("theft");
    let decided = core.record_incident(&handler, &crime("CRM-DAM"), &ctx()).await.expect("damage");
    core.assess_thrive(&handler, decided.id, 1, &full_thrive("low"), &ctx()).await.expect("thrive");
    core.grade_incident(&handler, decided.id, 2, "scheduled", None, &ctx()).await.expect("grade");
    core.close_incident(
        &handler,
        decided.id,
        3,
        "CRM-DAM",
        "Attended",
        None,
        Some("Owner confirms the damage was accidental"),
        &ctx(),
    )
    .await
    .expect("close");
    let refs = |list: Vec<bluelamp_core::incident::Incident>| list.into_iter().map(|i| i.reference).collect::<Vec<_>>();
    // 20 hours in: the assault is due in 4 hours; nothing has breached yet.
    assert_eq!(refs(core.ncrs_list(&registrar, 0, &ctx()).await.expect("list")), Vec::<String>::new());
    assert_eq!(refs(core.ncrs_list(&registrar, 6, &ctx()).await.expect("list")), vec![assault.reference.clone()]);
    clock.advance(Duration::hours(5));
    assert_eq!(
        refs(core.ncrs_list(&registrar, 0, &ctx()).await.expect("list")),
        vec![assault.reference.clone()],
        "breached"
    );
    assert_eq!(
        refs(core.ncrs_list(&registrar, 24, &ctx()).await.expect("list")),
        vec![assault.reference, theft.reference],
        "overdue first, then due soonest"
    );
}

/// Units are deployed, arrive (never before the call) and clear; an incident cannot close with a
/// unit still committed; a committed unit cannot be sent elsewhere.
pub async fn units_deploy_arrive_and_clear<B: TestBackend>() {
    let backend = B::new().await;
    let clock = ManualClock::standard();
    let core = core(backend.store(), clock.clone());
    let handler = bluelamp_core::core::principal_of(&add_user(&core, "ch.one", &["call-handler"]).await);
    assert!(matches!(
        core.add_resource(By::User(&handler), "EA21", "Response car", "East", &ctx()).await,
        Err(Error::Forbidden(_))
    ));
    let unit = core.add_resource(By::System("test"), "ea21", "Response car", "East", &ctx()).await.expect("unit");
    assert_eq!(unit.call_sign, "EA21");
    assert!(matches!(
        core.add_resource(By::System("test"), "EA21", "Car", "East", &ctx()).await,
        Err(Error::Invalid(_))
    ));
    let first = core.record_incident(&handler, &domestic_999(), &ctx()).await.expect("record");
    let second = core.record_incident(&handler, &domestic_999(), &ctx()).await.expect("record");
    let incident = core.deploy_unit(&handler, first.id, 1, unit.id, &ctx()).await.expect("deploy");
    assert!(
        matches!(core.deploy_unit(&handler, second.id, 1, unit.id, &ctx()).await, Err(Error::Invalid(_))),
        "unit is busy"
    );
    let record = backend.store().find_incident(first.id).await.expect("find").expect("exists");
    let deployment = record.deployments[0].clone();
    assert_eq!(
        backend.store().find_resource(unit.id).await.expect("find").map(|r| r.status),
        Some(bluelamp_core::resource::ResourceStatus::Assigned)
    );

    match core
        .record_arrival(
            &handler,
            first.id,
            incident.version,
            deployment.id,
            Some(first.received_at - Duration::minutes(1)),
            &ctx(),
        )
        .await
    {
        Err(Error::Invalid(errors)) => assert_eq!(errors[0].field, "arrived_at"),
        other => panic!("arrival before the call must be refused: {other:?}"),
    }
    clock.advance(Duration::minutes(9));
    let incident =
        core.record_arrival(&handler, first.id, incident.version, deployment.id, None, &ctx()).await.expect("arrive");
    assert_eq!(
        backend.store().find_resource(unit.id).await.expect("find").map(|r| r.status),
        Some(bluelamp_core::resource::ResourceStatus::AtScene)
    );
    let incident =
        core.assess_thrive(&handler, first.id, incident.version, &full_thrive("medium"), &ctx()).await.expect("thrive");
    let incident =
        core.grade_incident(&handler, first.id, incident.version, "priority", None, &ctx()).await.expect("grade");
    match core.close_incident(&handler, first.id, incident.version, "PSW-DOM", "Advice given", None, None, &ctx()).await
    {
        Err(Error::Invalid(errors)) => assert!(errors.iter().any(|e| e.field == "deployments")),
        other => panic!("closing with a unit still deployed must be refused: {other:?}"),
    }
    let incident = core.clear_unit(&handler, first.id, incident.version, deployment.id, &ctx()).await.expect("clear");
    let unit_now = backend.store().find_resource(unit.id).await.expect("find").expect("exists");
    assert_eq!((unit_now.status, unit_now.incident_id), (bluelamp_core::resource::ResourceStatus::Available, None));
    core.close_incident(&handler, first.id, incident.version, "PSW-DOM", "Advice given", None, None, &ctx())
        .await
        .expect("close");
    let record = backend.store().find_incident(first.id).await.expect("find").expect("exists");
    let d = &record.deployments[0];
    assert_eq!(d.arrived_at, Some(first.received_at + Duration::minutes(9)));
    assert!(d.cleared_at.is_some());
    assert!(record.log.iter().any(|l| l.text == "EA21 at scene, 9 min after the call"), "{:?}", record.log);
    core.set_resource_status(&handler, unit.id, "unavailable", &ctx()).await.expect("stand down");
    assert!(matches!(core.deploy_unit(&handler, second.id, 1, unit.id, &ctx()).await, Err(Error::Invalid(_))));
    assert!(matches!(core.set_resource_status(&handler, unit.id, "at-scene", &ctx()).await, Err(Error::Invalid(_))));
    assert_eq!(core.resources(&handler, Some("East")).await.expect("list").len(), 1);
    assert_eq!(core.resources(&handler, Some("West")).await.expect("list").len(), 0);
}

/// Coordinates decide the division through the force's boundaries; a point outside them all is kept
/// and flagged, never dropped.
pub async fn divisions_come_from_boundaries<B: TestBackend>() {
    let backend = B::new().await;
    let areas = bluelamp_core::area::AreaMap::from_geojson(
        r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"name":"West"},"geometry":{"type":"Polygon","coordinates":[[[0.2,51.0],[0.65,51.0],[0.65,51.3],[0.2,51.3],[0.2,51.0]]]}},
        {"type":"Feature","properties":{"name":"East"},"geometry":{"type":"Polygon","coordinates":[[[0.65,51.0],[1.1,51.0],[1.1,51.3],[0.65,51.3],[0.65,51.0]]]}}]}"#,
    )
    .expect("areas");
    let settings = bluelamp_core::Settings { areas: areas.clone(), ..bluelamp_core::Settings::default() };
    let core = bluelamp_core::Core::new(backend.store(), ManualClock::standard(), settings);
    let handler = bluelamp_core::core::principal_of(&add_user(&core, "ch.one", &["call-handler"]).await);
    let at = |lat: f64, lon: f64, division: &str| NewIncident {
        latitude: Some(lat),
        longitude: Some(lon),
        division: division.into(),
        ..domestic_999()
    };
    let west = core.record_incident(&handler, &at(51.1, 0.4, ""), &ctx()).await.expect("west");
    assert_eq!(west.division, "West");
    let east = core.record_incident(&handler, &at(51.1, 0.9, ""), &ctx()).await.expect("east");
    assert_eq!(east.division, "East");
    let named = core.record_incident(&handler, &at(51.1, 0.9, "West"), &ctx()).await.expect("named");
    assert_eq!(named.division, "West", "a division the handler names is kept");
    let outside = core.record_incident(&handler, &at(53.0, -1.5, ""), &ctx()).await.expect("outside is accepted");
    assert_eq!(outside.division, "");
    assert!(bluelamp_core::incident::is_outside_force_area(&outside, &areas));
    assert!(!bluelamp_core::incident::is_outside_force_area(&west, &areas));
    let stored = backend.store().find_incident(outside.id).await.expect("find").expect("kept");
    assert_eq!((stored.incident.latitude, stored.incident.longitude), (Some(53.0), Some(-1.5)));
}

/// Beat and ward come from the coordinates at recording, are stored, and come back the same from a
/// single read, the queue and later changes; a point in no ward keeps its beat; no coordinates, none.
pub async fn beats_and_wards_round_trip<B: TestBackend>() {
    let backend = B::new().await;
    let areas = bluelamp_core::area::AreaMap::from_geojson(
        r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"name":"East"},"geometry":{"type":"Polygon","coordinates":[[[0.65,51.0],[1.1,51.0],[1.1,51.3],[0.65,51.3],[0.65,51.0]]]}},
        {"type":"Feature","properties":{"name":"E1 Oakfield","level":"beat"},"geometry":{"type":"Polygon","coordinates":[[[0.65,51.15],[0.875,51.15],[0.875,51.3],[0.65,51.3],[0.65,51.15]]]}},
        {"type":"Feature","properties":{"name":"E2 Marden Quay","level":"beat"},"geometry":{"type":"Polygon","coordinates":[[[0.875,51.15],[1.1,51.15],[1.1,51.3],[0.875,51.3],[0.875,51.15]]]}},
        {"type":"Feature","properties":{"name":"Oakfield Central","level":"ward"},"geometry":{"type":"Polygon","coordinates":[[[0.7,51.2],[0.8,51.2],[0.8,51.25],[0.7,51.25],[0.7,51.2]]]}}]}"#,
    )
    .expect("areas");
    let settings = bluelamp_core::Settings { areas, ..bluelamp_core::Settings::default() };
    let core = bluelamp_core::Core::new(backend.store(), ManualClock::standard(), settings);
    let handler = bluelamp_core::core::principal_of(&add_user(&core, "ch.one", &["call-handler"]).await);
    let at = |lat: Option<f64>, lon: Option<f64>| NewIncident {
        latitude: lat,
        longitude: lon,
        division: String::new(),
        ..domestic_999()
    };
    let central = core.record_incident(&handler, &at(Some(51.22), Some(0.75)), &ctx()).await.expect("central");
    assert_eq!(
        (central.division.as_str(), central.beat.as_str(), central.ward.as_str()),
        ("East", "E1 Oakfield", "Oakfield Central")
    );
    let stored = backend.store().find_incident(central.id).await.expect("find").expect("stored").incident;
    assert_eq!((stored.beat.as_str(), stored.ward.as_str()), ("E1 Oakfield", "Oakfield Central"));
    assert_eq!(stored, central, "the whole incident round-trips");

    let quay = core.record_incident(&handler, &at(Some(51.2), Some(1.0)), &ctx()).await.expect("quay");
    assert_eq!((quay.beat.as_str(), quay.ward.as_str()), ("E2 Marden Quay", ""));
    let none = core.record_incident(&handler, &at(None, None), &ctx()).await.expect("no coordinates");
    assert_eq!((none.beat.as_str(), none.ward.as_str()), ("", ""));

    let logged = core.add_incident_log(&handler, central.id, 1, "Caller rang back", false, &ctx()).await.expect("log");
    let after = backend.store().find_incident(logged.id).await.expect("find").expect("stored").incident;
    assert_eq!((after.beat.as_str(), after.ward.as_str()), ("E1 Oakfield", "Oakfield Central"), "kept by changes");
    let listed =
        backend.store().list_incidents(&IncidentQuery { limit: 10, ..Default::default() }).await.expect("list");
    let beats: Vec<(&str, &str)> = {
        let mut b: Vec<(&str, &str)> = listed.iter().map(|i| (i.beat.as_str(), i.ward.as_str())).collect();
        b.sort();
        b
    };
    assert_eq!(beats, vec![("", ""), ("E1 Oakfield", "Oakfield Central"), ("E2 Marden Quay", "")]);
}

/// THRIVE quality: sampled graded incidents wait for review; a supervisor reviews them against the
/// rubric (not their own, once each); rates follow per handler, team and month.
pub async fn thrive_quality_reviews_and_rates<B: TestBackend>() {
    let backend = B::new().await;
    let clock = ManualClock::standard();
    let settings = bluelamp_core::Settings {
        sampling: bluelamp_core::quality::SamplingRates {
            base_percent: 100,
            new_staff_percent: 100,
            new_staff_days: 180,
        },
        ..bluelamp_core::Settings::default()
    };
    let core = bluelamp_core::Core::new(backend.store(), clock.clone(), settings);
    let handler = bluelamp_core::core::principal_of(&add_user(&core, "ch.one", &["call-handler"]).await);
    let supervisor = bluelamp_core::core::principal_of(
        &add_user(&core, "crs.one", &["control-room-supervisor", "call-handler"]).await,
    );
    let mut graded = Vec::new();
    for _ in 0..3 {
        let i = core.record_incident(&handler, &domestic_999(), &ctx()).await.expect("record");
        core.assess_thrive(&handler, i.id, 1, &full_thrive("high"), &ctx()).await.expect("thrive");
        core.grade_incident(&handler, i.id, 2, "emergency", None, &ctx()).await.expect("grade");
        graded.push(i.id);
    }
    core.record_incident(&handler, &domestic_999(), &ctx()).await.expect("ungraded is never sampled");
    let own = core.record_incident(&supervisor, &domestic_999(), &ctx()).await.expect("own");
    core.assess_thrive(&supervisor, own.id, 1, &full_thrive("low"), &ctx()).await.expect("thrive");
    core.grade_incident(&supervisor, own.id, 2, "scheduled", None, &ctx()).await.expect("grade");

    assert!(matches!(core.thrive_quality(&handler, 30, &ctx()).await, Err(Error::Forbidden(_))));
    let overview = core.thrive_quality(&supervisor, 30, &ctx()).await.expect("overview");
    assert_eq!(overview.to_review.len(), 4);
    // The home page's count agrees with the list, read through the light keys.
    assert_eq!(core.thrive_to_review_count(&supervisor, 30).await.expect("count"), 4);
    assert!(matches!(core.thrive_to_review_count(&handler, 30).await, Err(Error::Forbidden(_))));
    let yes = |skip: &str| -> Vec<(String, String)> {
        bluelamp_core::quality::RUBRIC
            .iter()
            .map(|(k, _)| (k.to_string(), if *k == skip { "no".to_string() } else { "yes".to_string() }))
            .collect()
    };
    match core.review_thrive(&supervisor, own.id, &yes(""), "", &ctx()).await {
        Err(Error::Invalid(errors)) => assert_eq!(errors[0].field, "incident"),
        other => panic!("nobody reviews their own call: {other:?}"),
    }
    match core.review_thrive(&supervisor, graded[0], &yes("")[..2], "", &ctx()).await {
        Err(Error::Invalid(errors)) => assert_eq!(errors.len(), 2, "each unanswered question is named"),
        other => panic!("all four answers are needed: {other:?}"),
    }
    core.review_thrive(&supervisor, graded[0], &yes(""), "Good", &ctx()).await.expect("review");
    core.review_thrive(
        &supervisor,
        graded[1],
        &yes("vulnerability_identified"),
        "Children present not recorded",
        &ctx(),
    )
    .await
    .expect("review");
    assert!(
        matches!(core.review_thrive(&supervisor, graded[0], &yes(""), "", &ctx()).await, Err(Error::Invalid(_))),
        "once each"
    );
    let overview = core.thrive_quality(&supervisor, 30, &ctx()).await.expect("overview");
    assert_eq!(overview.to_review.len(), 2);
    assert_eq!(core.thrive_to_review_count(&supervisor, 30).await.expect("count"), 2, "reviewed ones leave the count");
    assert_eq!(
        overview.by_handler,
        vec![bluelamp_core::quality::QualityRate { group: "ch.one".into(), reviewed: 2, met: 1 }]
    );
    assert_eq!(overview.by_team[0].group, "Response A");
    assert_eq!(overview.by_month[0].group, "2026-11");
    assert_eq!(overview.by_month[0].percent(), 50.0);

    // With the dashboards' cache on (as `bluelamp serve` runs): kept between looks, and a review
    // shows at once.
    let cached = bluelamp_core::Core::new(
        backend.store(),
        clock.clone(),
        bluelamp_core::Settings { dashboard_cache: std::time::Duration::from_secs(600), ..core.settings.clone() },
    );
    assert_eq!(cached.thrive_to_review_count(&supervisor, 30).await.expect("count"), 2);
    assert_eq!(cached.thrive_quality(&supervisor, 30, &ctx()).await.expect("overview").to_review.len(), 2);
    cached.review_thrive(&supervisor, graded[2], &yes(""), "Good", &ctx()).await.expect("review");
    assert_eq!(cached.thrive_to_review_count(&supervisor, 30).await.expect("count"), 1);
    assert_eq!(cached.thrive_quality(&supervisor, 30, &ctx()).await.expect("overview").to_review.len(), 1);
}

// ---- People (POLE) ------------------------------------------------------------------------------

use bluelamp_core::incident::MatchKind;
use bluelamp_core::person::{IncidentRole, MarkerCategory, NameKind, NewPerson, PersonEdit, PersonSearch};

pub(crate) fn jane() -> NewPerson {
    NewPerson {
        forenames: "Jane".into(),
        surname: "Smith".into(),
        date_of_birth: chrono::NaiveDate::from_ymd_opt(1990, 4, 2),
        sex: "female".into(),
        address: "12 Mill Road, Oakfield".into(),
        phone: "07700 900123".into(),
    }
}

/// A person is stored whole, changed one edit at a time with optimistic locking, and every edit
/// keeps the history (ended addresses and markers stay).
pub async fn people_round_trip_and_change_with_versions<B: TestBackend>() {
    let backend = B::new().await;
    let clock = ManualClock::standard();
    let core = core(backend.store(), clock.clone());
    let handler = bluelamp_core::core::principal_of(&add_user(&core, "ch.one", &["call-handler"]).await);
    let by = By::User(&handler);
    let p = core.create_person(by, &jane(), false, &ctx()).await.expect("create");
    let found = core.view_person(by, p.id, &ctx()).await.expect("view");
    assert_eq!(found, p);
    assert_eq!(found.display_name(), "Jane Smith");
    let edits = [
        PersonEdit::AddName { kind: NameKind::Birth, forenames: "Jane".into(), surname: "Okafor".into() },
        PersonEdit::MoveTo { address: "3 New Street, Wealdbury".into(), from: None },
        PersonEdit::AddPhone { number: "01632 960001".into() },
        PersonEdit::AddMarker { category: MarkerCategory::Vulnerability, detail: "Hearing impaired".into() },
    ];
    let mut version = 1;
    for edit in &edits {
        clock.advance(Duration::minutes(1));
        let changed = core.edit_person(by, p.id, version, edit, &ctx()).await.expect("edit");
        version = changed.version;
    }
    let stored = backend.store().find_person(p.id).await.expect("find").expect("exists");
    assert_eq!(stored.version, 5);
    assert_eq!(stored.names.len(), 2);
    assert_eq!(stored.names[1].kind, NameKind::Birth);
    assert_eq!(stored.addresses.len(), 2);
    assert!(stored.addresses[0].to.is_some(), "the old address ended");
    assert_eq!(stored.current_address().map(|a| a.text.as_str()), Some("3 New Street, Wealdbury"));
    assert_eq!(stored.phones.len(), 2);
    let marker = stored.markers[0].id;
    let stale = core.edit_person(by, p.id, 4, &PersonEdit::AddPhone { number: "01632 960002".into() }, &ctx()).await;
    assert!(matches!(stale, Err(bluelamp_core::Error::Conflict(_))), "{stale:?}");
    let ended = core
        .edit_person(
            by,
            p.id,
            5,
            &PersonEdit::EndMarker { marker_id: marker, reason: "Assessed: no longer applies".into() },
            &ctx(),
        )
        .await
        .expect("end marker");
    let stored = backend.store().find_person(p.id).await.expect("find").expect("exists");
    assert_eq!(stored, ended);
    assert_eq!(stored.markers.len(), 1, "an ended marker is kept");
    assert_eq!(stored.active_markers().count(), 0);
    let actions: Vec<String> = backend
        .store()
        .search_audit(&bluelamp_core::audit::AuditQuery {
            record_id: Some(p.id.to_string()),
            limit: 50,
            ..Default::default()
        })
        .await
        .expect("audit")
        .into_iter()
        .map(|e| e.event.action)
        .collect();
    for action in ["person.create", "person.view", "person.name.add", "person.address.add", "person.marker.end"] {
        assert!(actions.iter().any(|a| a == action), "{action} missing from {actions:?}");
    }
}

/// Search is fuzzy (spelling, aliases, former addresses, dates of birth) and explained; likely
/// duplicates stop a new person being created until the handler confirms.
pub async fn people_are_found_fuzzily_and_duplicates_offered<B: TestBackend>() {
    let backend = B::new().await;
    let core = core(backend.store(), ManualClock::standard());
    let handler = bluelamp_core::core::principal_of(&add_user(&core, "ch.one", &["call-handler"]).await);
    let by = By::User(&handler);
    let jane = core.create_person(by, &jane(), false, &ctx()).await.expect("create");
    core.edit_person(
        by,
        jane.id,
        1,
        &PersonEdit::AddName { kind: NameKind::Alias, forenames: "Janey".into(), surname: "Okafor".into() },
        &ctx(),
    )
    .await
    .expect("alias");
    let tom = NewPerson {
        forenames: "Tom".into(),
        surname: "Baker".into(),
        date_of_birth: None,
        address: "1 High Street".into(),
        phone: String::new(),
        sex: String::new(),
    };
    core.create_person(by, &tom, false, &ctx()).await.expect("tom");
    let search =
        |name: &str, address: &str| PersonSearch { name: name.into(), address: address.into(), ..Default::default() };
    let hits = core.search_people(by, &search("Jane Smyth", ""), 10, &ctx()).await.expect("search");
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].person.id, jane.id);
    assert!(hits[0].reasons.iter().any(|r| r.contains("similar surname")), "{:?}", hits[0].reasons);
    let by_alias = core.search_people(by, &search("Okaf", ""), 10, &ctx()).await.expect("alias search");
    assert_eq!(by_alias.first().map(|m| m.person.id), Some(jane.id));
    assert!(by_alias[0].reasons.iter().any(|r| r.contains("alias")), "{:?}", by_alias[0].reasons);
    let by_address = core.search_people(by, &search("", "12 mill"), 10, &ctx()).await.expect("address search");
    assert_eq!(by_address.iter().map(|m| m.person.id).collect::<Vec<_>>(), vec![jane.id]);
    let by_dob = PersonSearch { date_of_birth: chrono::NaiveDate::from_ymd_opt(1990, 4, 2), ..Default::default() };
    assert_eq!(core.search_people(by, &by_dob, 10, &ctx()).await.expect("dob").len(), 1);
    assert!(core.search_people(by, &PersonSearch::default(), 10, &ctx()).await.expect("empty").is_empty());

    let again = NewPerson { surname: "Smyth".into(), address: String::new(), phone: String::new(), ..jane_new() };
    let refused = core.create_person(by, &again, false, &ctx()).await;
    match refused {
        Err(bluelamp_core::Error::Invalid(errors)) => {
            assert_eq!(errors[0].field, "duplicates");
            assert!(errors[0].rule.contains("Jane Smith"), "{}", errors[0].rule);
        }
        other => panic!("expected the duplicate to be offered, got {other:?}"),
    }
    let dupes = core.person_duplicates(by, &again).await.expect("duplicates");
    assert_eq!(dupes.len(), 1);
    assert!(dupes[0].reasons.iter().any(|r| r.contains("same date of birth")));
    core.create_person(by, &again, true, &ctx()).await.expect("confirmed as new");
}

fn jane_new() -> NewPerson {
    jane()
}

/// Creating a person and its audit event commit together or not at all.
pub async fn people_are_not_saved_without_audit<B: TestBackend>() {
    let backend = B::new().await;
    let core = core(backend.store(), ManualClock::standard());
    let handler = bluelamp_core::core::principal_of(&add_user(&core, "ch.one", &["call-handler"]).await);
    let by = By::User(&handler);
    let kept = core.create_person(by, &jane(), false, &ctx()).await.expect("create");
    let linked = core
        .record_assessed_incident(&handler, &domestic_999(), None, &[(kept.id, IncidentRole::Victim)], &ctx())
        .await
        .expect("recorded with its victim");
    let record = backend.store().find_incident(linked.id).await.expect("find").expect("exists");
    assert_eq!((record.incident.version, record.people.len(), record.log.len()), (1, 1, 2));
    backend.break_audit_inserts().await;
    let with_people = core
        .record_assessed_incident(&handler, &domestic_999(), None, &[(kept.id, IncidentRole::Victim)], &ctx())
        .await;
    assert!(with_people.is_err());
    let since = chrono::Utc::now() - Duration::days(3650);
    let links = backend.store().find_people_incidents(&[kept.id], since, 10).await.expect("links");
    assert_eq!(links.len(), 1, "the failed recording linked no one");
    let other = NewPerson { forenames: "Tom".into(), surname: "Baker".into(), ..Default::default() };
    assert!(core.create_person(by, &other, true, &ctx()).await.is_err());
    let edit = PersonEdit::AddPhone { number: "01632 960001".into() };
    assert!(core.edit_person(by, kept.id, 1, &edit, &ctx()).await.is_err());
    let stored = backend.store().find_person(kept.id).await.expect("find").expect("exists");
    assert_eq!((stored.version, stored.phones.len()), (1, 1));
    let keys = PersonSearch { name: "Baker".into(), ..Default::default() }.keys();
    assert!(backend.store().find_person_candidates(&keys, 10).await.expect("candidates").is_empty());
}

/// People linked to an incident bring their markers, their history as a victim and their earlier
/// incidents into the intake checks, ranked wanted/missing first and explained.
pub async fn intake_checks_flag_people_on_the_incident<B: TestBackend>() {
    let backend = B::new().await;
    let clock = ManualClock::standard();
    let core = core(backend.store(), clock.clone());
    let handler = bluelamp_core::core::principal_of(&add_user(&core, "ch.one", &["call-handler"]).await);
    let by = By::User(&handler);
    let jane = core.create_person(by, &jane(), false, &ctx()).await.expect("jane");
    let elsewhere = |n: u32| NewIncident {
        location_text: format!("{n} Other Road"),
        caller_phone: format!("07700 55{n:04}"),
        ..domestic_999()
    };
    let old = core.record_incident(&handler, &elsewhere(1), &ctx()).await.expect("old");
    core.link_person(&handler, old.id, old.version, jane.id, IncidentRole::Victim, &ctx()).await.expect("link old");
    clock.advance(Duration::days(400));
    let first = core.record_incident(&handler, &elsewhere(2), &ctx()).await.expect("first");
    core.link_person(&handler, first.id, first.version, jane.id, IncidentRole::Victim, &ctx()).await.expect("link 1");
    clock.advance(Duration::days(20));
    let second = core.record_incident(&handler, &elsewhere(3), &ctx()).await.expect("second");
    core.link_person(&handler, second.id, second.version, jane.id, IncidentRole::Witness, &ctx())
        .await
        .expect("link 2");
    core.edit_person(
        by,
        jane.id,
        1,
        &PersonEdit::AddMarker { category: MarkerCategory::Safeguarding, detail: "MARAC case".into() },
        &ctx(),
    )
    .await
    .expect("marker");
    clock.advance(Duration::days(10));
    let now = core.record_incident(&handler, &elsewhere(4), &ctx()).await.expect("now");
    let linked =
        core.link_person(&handler, now.id, now.version, jane.id, IncidentRole::Victim, &ctx()).await.expect("link now");
    assert_eq!(linked.version, now.version + 1);
    let twice = core.link_person(&handler, now.id, linked.version, jane.id, IncidentRole::Victim, &ctx()).await;
    assert!(matches!(twice, Err(bluelamp_core::Error::Invalid(_))), "{twice:?}");
    let record = backend.store().find_incident(now.id).await.expect("find").expect("exists");
    assert_eq!(record.people.len(), 1);
    assert_eq!((record.people[0].name.as_str(), record.people[0].role), ("Jane Smith", IncidentRole::Victim));
    assert!(record.log.iter().any(|l| l.text == "Jane Smith linked as victim"));
    let matches = core.intake_checks(&handler, &record).await.expect("checks");
    let explained: Vec<String> = matches.iter().map(|m| m.explanation()).collect();
    assert_eq!(
        explained,
        vec![
            "Jane Smith has a safeguarding marker: MARAC case".to_string(),
            "Jane Smith is a repeat victim: victim in 1 earlier incident in 31 days".to_string(),
            "Jane Smith: 2 earlier incidents in 31 days".to_string(),
        ],
        "the 400-day-old incident is outside the window"
    );
    assert_eq!(matches[0].kind, MatchKind::Marker(MarkerCategory::Safeguarding));
    assert_eq!(matches[1].references, vec![first.reference.clone()]);
    let history = core.person_incidents(by, jane.id).await.expect("history");
    assert_eq!(history.len(), 4);
    assert_eq!(history[0].1.id, now.id, "newest first");
}

// ---- Crimes ---------------------------------------------------------------------------------------

use bluelamp_core::clock::Clock;
use bluelamp_core::crime::{CrimeRole, CrimeStatus, NewCrime};

pub(crate) fn shop_theft(victim: uuid::Uuid, suspect: uuid::Uuid) -> NewCrime {
    NewCrime {
        offence_code: "46".into(),
        location_text: "Co-op, 3 High Street, Wealdbury".into(),
        modus_operandi: "Took meat from the chiller and left without paying".into(),
        people: vec![(victim, CrimeRole::Victim), (suspect, CrimeRole::Suspect)],
        ..Default::default()
    }
}

pub(crate) async fn two_people(core: &bluelamp_core::Core, by: By<'_>) -> (uuid::Uuid, uuid::Uuid) {
    let victim = core.create_person(by, &jane(), false, &ctx()).await.expect("victim");
    let suspect =
        NewPerson { forenames: "Sam".into(), surname: "Okoro".into(), sex: "male".into(), ..Default::default() };
    let suspect = core.create_person(by, &suspect, false, &ctx()).await.expect("suspect");
    (victim.id, suspect.id)
}

/// A crime recorded from an incident gets the year's next number, its people and first
/// classification, and gives the incident its crime reference (the NCRS decision) in one
/// transaction; every broken entry rule is named and nothing is saved.
pub async fn crimes_are_recorded_with_numbers_people_and_their_incident<B: TestBackend>() {
    let backend = B::new().await;
    let clock = ManualClock::standard();
    let core = core(backend.store(), clock.clone());
    let handler = bluelamp_core::core::principal_of(&add_user(&core, "ch.one", &["call-handler"]).await);
    let officer = bluelamp_core::core::principal_of(&add_user(&core, "inv.one", &["investigator"]).await);
    let (victim, suspect) = two_people(&core, By::User(&officer)).await;
    let theft = NewIncident { opening_category: "CRM-THF".into(), qualifiers: vec![], ..domestic_999() };
    let incident = core.record_incident(&handler, &theft, &ctx()).await.expect("incident");
    assert_eq!(backend.store().list_ncrs_due(clock.now() + Duration::days(2), 10).await.expect("due").len(), 1);
    clock.advance(Duration::hours(2));
    let new = NewCrime { incident_id: Some(incident.id), ..shop_theft(victim, suspect) };
    let crime = core.record_crime(&officer, &new, &ctx()).await.expect("crime");
    assert_eq!(crime.number, "CR-2026-000001");
    assert_eq!((crime.status, crime.offence_label.as_str()), (CrimeStatus::Recorded, "Shoplifting"));
    assert_eq!(crime.reported_at, incident.received_at, "first reported when the call came in");
    assert!(crime.is_ncrs_compliant());
    let record = core.view_crime(&officer, crime.id, &ctx()).await.expect("view");
    assert_eq!(
        record.people.iter().map(|p| (p.name.as_str(), p.role)).collect::<Vec<_>>(),
        vec![("Jane Smith", CrimeRole::Victim), ("Sam Okoro", CrimeRole::Suspect)]
    );
    assert_eq!(record.classifications.len(), 1);
    let incident = backend.store().find_incident(incident.id).await.expect("find").expect("exists");
    assert_eq!(incident.incident.crime_reference.as_deref(), Some("CR-2026-000001"));
    assert_eq!(incident.incident.version, 2);
    assert!(incident.log.iter().any(|l| l.text == "Crime recorded: 46 Shoplifting"));
    assert!(backend.store().list_ncrs_due(clock.now() + Duration::days(2), 10).await.expect("due").is_empty());
    let direct = core.record_crime(&officer, &shop_theft(victim, suspect), &ctx()).await.expect("direct");
    assert_eq!(direct.number, "CR-2026-000002");

    let bad = NewCrime {
        offence_code: "999Z".into(),
        occurred_from: Some(clock.now() - Duration::hours(1)),
        occurred_to: Some(clock.now() - Duration::hours(3)),
        flags: vec!["sparkly".into()],
        people: vec![(suspect, CrimeRole::Suspect), (uuid::Uuid::now_v7(), CrimeRole::Witness)],
        ..shop_theft(victim, suspect)
    };
    match core.record_crime(&officer, &bad, &ctx()).await {
        Err(Error::Invalid(errors)) => {
            let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, ["offence_code", "occurred_to", "flags", "people", "people.1.person_id"]);
        }
        other => panic!("expected every rule named, got {other:?}"),
    }
    assert_eq!(backend.store().list_recent_crimes(10).await.expect("list").len(), 2, "nothing half-saved");
    assert!(matches!(
        core.record_crime(&handler, &shop_theft(victim, suspect), &ctx()).await,
        Err(Error::Forbidden(_))
    ));

    // A number already used (here the year's counter set back, as a bad restore might) is a broken
    // rule on `number`, and the crime, its people and its audit entry are all left unsaved.
    let recorded = AuditQuery { action: Some("crime.record".into()), limit: 100, ..Default::default() };
    let audit_before = backend.store().search_audit(&recorded).await.expect("audit").len();
    backend.exec("UPDATE reference_counter SET last = 1 WHERE scope = 'crime:2026'").await;
    match core.record_crime(&officer, &shop_theft(victim, suspect), &ctx()).await {
        Err(Error::Invalid(errors)) => {
            assert_eq!(errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["number"]);
            assert!(errors[0].rule.contains("CR-2026-000002 is already in use"), "{errors:?}");
        }
        other => panic!("expected a 422 on number, got {other:?}"),
    }
    assert_eq!(backend.store().list_recent_crimes(10).await.expect("list").len(), 2, "nothing half-saved");
    assert_eq!(backend.store().search_audit(&recorded).await.expect("audit").len(), audit_before);
    backend.exec("UPDATE reference_counter SET last = 2 WHERE scope = 'crime:2026'").await;
    let next = core.record_crime(&officer, &shop_theft(victim, suspect), &ctx()).await;
    assert_eq!(next.expect("with the counter put right").number, "CR-2026-000003");
}

/// Reclassification keeps every decision with its reason; finalising checks the classification
/// rules and names each one broken; a finalised crime is not reclassified; stale versions conflict.
pub async fn crime_reclassification_keeps_history_and_finalising_follows_the_rules<B: TestBackend>() {
    let backend = B::new().await;
    let clock = ManualClock::standard();
    let core = core(backend.store(), clock.clone());
    let officer = bluelamp_core::core::principal_of(&add_user(&core, "inv.one", &["investigator"]).await);
    let (victim, suspect) = two_people(&core, By::User(&officer)).await;
    let assault = NewCrime {
        offence_code: "8N".into(),
        modus_operandi: "Punched in the face".into(),
        ..shop_theft(victim, suspect)
    };
    let crime = core.record_crime(&officer, &assault, &ctx()).await.expect("crime");
    match crate::finalise_plainly(&core, &officer, crime.id, 1).await {
        Err(Error::Invalid(errors)) => {
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert_eq!(errors[0].field, "rules.with-injury-needs-an-injury");
            assert!(errors[0].rule.contains("record the injury"), "{}", errors[0].rule);
        }
        other => panic!("expected the injury rule, got {other:?}"),
    }
    let empty_reason = core.reclassify_crime(&officer, crime.id, 1, "105A", " ", &ctx()).await;
    assert!(matches!(empty_reason, Err(Error::Invalid(ref e)) if e[0].field == "reason"), "{empty_reason:?}");
    clock.advance(Duration::minutes(30));
    let reclassified = core
        .reclassify_crime(&officer, crime.id, 1, "105a", "No visible injury; victim declined medical attention", &ctx())
        .await
        .expect("reclassify");
    assert_eq!((reclassified.offence_code.as_str(), reclassified.version), ("105A", 2));
    let stale = core.reclassify_crime(&officer, crime.id, 1, "8N", "Injury found after all", &ctx()).await;
    assert!(matches!(stale, Err(Error::Conflict(_))), "{stale:?}");
    let finalised = crate::finalise_plainly(&core, &officer, crime.id, 2).await.expect("finalise");
    assert_eq!((finalised.status, finalised.version), (CrimeStatus::Finalised, 3));
    let record = backend.store().find_crime(crime.id).await.expect("find").expect("exists");
    assert_eq!(record.crime, finalised);
    let history: Vec<(&str, &str)> =
        record.classifications.iter().map(|c| (c.offence_code.as_str(), c.reason.as_str())).collect();
    assert_eq!(history, vec![("8N", ""), ("105A", "No visible injury; victim declined medical attention")]);
    let after = core.reclassify_crime(&officer, crime.id, 3, "8N", "Second thoughts", &ctx()).await;
    assert!(matches!(after, Err(Error::Invalid(ref e)) if e.iter().any(|x| x.field == "status")), "{after:?}");
    let actions: Vec<String> = backend
        .store()
        .search_audit(&AuditQuery { record_id: Some(crime.id.to_string()), limit: 50, ..Default::default() })
        .await
        .expect("audit")
        .into_iter()
        .map(|e| e.event.action)
        .collect();
    for action in ["crime.record", "crime.reclassify", "crime.finalise"] {
        assert!(actions.iter().any(|a| a == action), "{action} missing from {actions:?}");
    }
}

/// The registrar's 24-hour compliance figure over a fixed set: two crimes within 24 hours of the
/// first report and one after it.
pub async fn ncrs_compliance_on_a_fixed_data_set<B: TestBackend>() {
    let backend = B::new().await;
    let clock = ManualClock::standard();
    let core = core(backend.store(), clock.clone());
    let handler = bluelamp_core::core::principal_of(&add_user(&core, "ch.one", &["call-handler"]).await);
    let officer = bluelamp_core::core::principal_of(&add_user(&core, "inv.one", &["investigator"]).await);
    let registrar = bluelamp_core::core::principal_of(&add_user(&core, "fcr", &["crime-registrar"]).await);
    let (victim, suspect) = two_people(&core, By::User(&officer)).await;
    let start = clock.now();
    let theft = NewIncident { opening_category: "CRM-THF".into(), qualifiers: vec![], ..domestic_999() };
    let quick = core.record_incident(&handler, &theft, &ctx()).await.expect("incident 1");
    let slow = core.record_incident(&handler, &theft, &ctx()).await.expect("incident 2");
    clock.advance(Duration::hours(2));
    core.record_crime(&officer, &NewCrime { incident_id: Some(quick.id), ..shop_theft(victim, suspect) }, &ctx())
        .await
        .expect("on time");
    clock.advance(Duration::hours(28));
    let late = core
        .record_crime(&officer, &NewCrime { incident_id: Some(slow.id), ..shop_theft(victim, suspect) }, &ctx())
        .await
        .expect("late");
    core.record_crime(&officer, &shop_theft(victim, suspect), &ctx()).await.expect("direct report");
    let (figure, failing) =
        core.ncrs_compliance(&registrar, start, clock.now() + Duration::minutes(1), &ctx()).await.expect("report");
    assert_eq!((figure.compliant, figure.total, figure.percent()), (2, 3, Some(66.7)));
    assert_eq!(failing.iter().map(|c| c.number.as_str()).collect::<Vec<_>>(), vec![late.number.as_str()]);
    let (none, _) = core.ncrs_compliance(&registrar, start - Duration::days(2), start, &ctx()).await.expect("empty");
    assert_eq!(none.percent(), None);
    assert!(matches!(core.ncrs_compliance(&registrar, start, start, &ctx()).await, Err(Error::Invalid(_))));
    assert!(matches!(core.ncrs_compliance(&handler, start, clock.now(), &ctx()).await, Err(Error::Forbidden(_))));
}

/// A crime and its audit event commit together or not at all: no crime, no number, no change to
/// the incident.
pub async fn crimes_are_not_saved_without_audit<B: TestBackend>() {
    let backend = B::new().await;
    let core = core(backend.store(), ManualClock::standard());
    let handler = bluelamp_core::core::principal_of(&add_user(&core, "ch.one", &["call-handler"]).await);
    let officer = bluelamp_core::core::principal_of(&add_user(&core, "inv.one", &["investigator"]).await);
    let (victim, suspect) = two_people(&core, By::User(&officer)).await;
    let theft = NewIncident { opening_category: "CRM-THF".into(), qualifiers: vec![], ..domestic_999() };
    let incident = core.record_incident(&handler, &theft, &ctx()).await.expect("incident");
    backend.break_audit_inserts().await;
    let new = NewCrime { incident_id: Some(incident.id), ..shop_theft(victim, suspect) };
    assert!(core.record_crime(&officer, &new, &ctx()).await.is_err());
    assert!(backend.store().list_recent_crimes(10).await.expect("list").is_empty());
    let stored = backend.store().find_incident(incident.id).await.expect("find").expect("exists");
    assert_eq!((stored.incident.version, stored.incident.crime_reference.clone()), (1, None));
}

// ---- data.police.uk import --------------------------------------------------------------------

use bluelamp_core::policeuk::{ANTI_SOCIAL_BEHAVIOUR, ParsedFile, parse_street_file};

const POLICEUK_HEADER: &str = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n";

fn policeuk_file(name: &str, rows: &[&str]) -> ParsedFile {
    let text = format!("{POLICEUK_HEADER}{}", rows.concat());
    parse_street_file(name, text.as_bytes()).expect("a street file")
}

const THEFT: &str = "c72cf95ee7e81127c614d0bc968b6b1b56aa589e13e2c5b8386bb8648fc6feaa,2022-01,Kent Police,Kent Police,0.969601,51.253674,On or near Cobbs Hill,E01023987,Ashford 001B,Other theft,Status update unavailable,\n";
const ASSAULT: &str = "07e413bc07cd1481502a65c5f5942524f104d8dbd11c5e1d3339ff95768e8426,2022-01,Kent Police,Kent Police,,,\"On or near \\ odd\tplace\nwith a new line\",E01023987,Ashford 001B,Violence and sexual offences,Unable to prosecute suspect,\n";
const NUISANCE: &str = ",2022-01,Kent Police,Kent Police,0.872235,51.143207,On or near Parking Area,E01024005,Ashford 002C,Anti-social behaviour,,\n";

/// A file's crimes become historical crimes and its anti-social behaviour historical incidents,
/// every column kept; the import is audited once per file with its counts, needs `crime.record`,
/// and importing the same file again adds nothing.
pub async fn policeuk_import_is_idempotent_and_audited<B: TestBackend>() {
    let backend = B::new().await;
    let core = core(backend.store(), ManualClock::standard());
    let file = policeuk_file("2022-01-kent-street.csv", &[THEFT, ASSAULT, NUISANCE, NUISANCE]);
    assert_eq!(file.records.len(), 4);
    let analyst = bluelamp_core::core::principal_of(&add_user(&core, "an.one", &["analyst"]).await);
    assert!(matches!(core.import_policeuk(By::User(&analyst), &file, &ctx()).await, Err(Error::Forbidden(_))));

    let first = core.import_policeuk(By::System("cli"), &file, &ctx()).await.expect("import");
    let totals = first.totals();
    assert_eq!((totals.read, totals.imported, totals.already_present, totals.rejected), (4, 4, 0, 0));
    assert_eq!(first.by_category[ANTI_SOCIAL_BEHAVIOUR].imported, 2, "two identical reports are two incidents");
    let counts = backend.store().policeuk_counts().await.expect("counts");
    assert_eq!(counts.crimes_by_type.values().sum::<i64>(), 2);
    assert_eq!(counts.incidents_by_type.get(ANTI_SOCIAL_BEHAVIOUR), Some(&2));
    assert_eq!(counts.by_outcome.get(""), Some(&2));
    assert_eq!(counts.by_outcome.get("Unable to prosecute suspect"), Some(&1));
    let stored = backend.store().list_policeuk_records("2022-01", 10).await.expect("list");
    assert_eq!(stored, file.records, "every column round-trips, in file order");
    assert!(backend.store().list_policeuk_records("2022-02", 10).await.expect("list").is_empty());

    let again = core.import_policeuk(By::System("cli"), &file, &ctx()).await.expect("import again");
    let totals = again.totals();
    assert_eq!((totals.read, totals.imported, totals.already_present), (4, 0, 4));
    assert_eq!(backend.store().policeuk_counts().await.expect("counts"), counts, "nothing added");

    let events = backend
        .store()
        .search_audit(&AuditQuery { action: Some("import.policeuk".into()), limit: 10, ..Default::default() })
        .await
        .expect("audit");
    assert_eq!(events.len(), 2, "one event per file imported");
    let after: serde_json::Value =
        serde_json::from_str(events[1].event.after.as_deref().unwrap_or("{}")).expect("json");
    assert_eq!((after["file"].as_str(), after["imported"].as_u64()), (Some("2022-01-kent-street.csv"), Some(4)));
    assert_eq!(after["by_category"]["Anti-social behaviour"]["imported"], 2);
    let latest: serde_json::Value =
        serde_json::from_str(events[0].event.after.as_deref().unwrap_or("{}")).expect("json");
    assert_eq!((latest["imported"].as_u64(), latest["already_present"].as_u64()), (Some(0), Some(4)));
    assert_eq!(events[0].event.record_id.as_deref(), Some("2022-01-kent-street.csv"));
    assert!(verify_ok(backend.store()).await >= 3);
}

/// data.police.uk does not promise unique Crime IDs: two rows sharing one are both kept, the same
/// crime in a later download for the same month is the row already stored, and the same ID in
/// another month is another row.
pub async fn policeuk_duplicate_crime_ids_are_all_kept<B: TestBackend>() {
    let backend = B::new().await;
    let core = core(backend.store(), ManualClock::standard());
    let twice = policeuk_file("a.csv", &[THEFT, THEFT]);
    let summary = core.import_policeuk(By::System("cli"), &twice, &ctx()).await.expect("import");
    assert_eq!(summary.totals().imported, 2);
    let updated = THEFT.replace("Status update unavailable", "Unable to prosecute suspect");
    let next_month = THEFT.replace("2022-01", "2022-02");
    let later = policeuk_file("b.csv", &[&updated, &next_month]);
    let summary = core.import_policeuk(By::System("cli"), &later, &ctx()).await.expect("import");
    assert_eq!((summary.totals().imported, summary.totals().already_present), (1, 1));
    let counts = backend.store().policeuk_counts().await.expect("counts");
    assert_eq!(counts.crimes_by_type.get("Other theft"), Some(&3));
    assert_eq!(
        counts.by_outcome.get("Status update unavailable"),
        Some(&3),
        "the outcome first imported is kept (a later download does not rewrite history)"
    );
    let january = backend.store().list_policeuk_records("2022-01", 10).await.expect("list");
    assert_eq!(january.len(), 2);
    assert_eq!(january[0].crime_id, january[1].crime_id);
    assert_ne!(january[0].key, january[1].key);
}

/// A file's rows and its audit event commit together: when the event cannot be written, no row is.
pub async fn policeuk_rows_and_audit_commit_together<B: TestBackend>() {
    let backend = B::new().await;
    let core = core(backend.store(), ManualClock::standard());
    backend.break_audit_inserts().await;
    let file = policeuk_file("c.csv", &[THEFT, NUISANCE]);
    assert!(core.import_policeuk(By::System("cli"), &file, &ctx()).await.is_err());
    assert_eq!(backend.store().policeuk_counts().await.expect("counts").total(), 0);
    assert!(backend.store().list_policeuk_records("2022-01", 10).await.expect("list").is_empty());
}
