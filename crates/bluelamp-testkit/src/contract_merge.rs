//! The Store contract for merging duplicate people and undoing it (issue 4), run on both backends
//! through [`contract_tests!`](crate::contract_tests) like the rest of the suite.

use std::collections::BTreeSet;
use std::sync::Arc;

use bluelamp_core::access::Principal;
use bluelamp_core::audit::{AuditQuery, RequestContext};
use bluelamp_core::core::{By, principal_of};
use bluelamp_core::crime::{CrimeRole, NewCrime};
use bluelamp_core::incident::NewIncident;
use bluelamp_core::merge::{MergeStatus, MoveKind, PersonMerge, summarise};
use bluelamp_core::person::{IncidentRole, MarkerCategory, NameKind, NewPerson, Person, PersonEdit, PersonSearch};
use bluelamp_core::store::Store;
use bluelamp_core::{Core, Error};
use chrono::Duration;
use uuid::Uuid;

use crate::{ManualClock, TestBackend, add_user, core};

fn ctx() -> RequestContext {
    RequestContext { request_id: Some("req-merge".into()), ip: Some("127.0.0.1".into()), user_agent: None }
}

fn jane_smith() -> NewPerson {
    NewPerson {
        forenames: "Jane".into(),
        surname: "Smith".into(),
        date_of_birth: chrono::NaiveDate::from_ymd_opt(1990, 4, 2),
        sex: "female".into(),
        address: "12 Mill Road, Oakfield".into(),
        phone: "07700 900123".into(),
    }
}

fn jane_smyth() -> NewPerson {
    NewPerson {
        surname: "Smyth".into(),
        address: "3 New Street, Wealdbury".into(),
        phone: "01632 960001".into(),
        ..jane_smith()
    }
}

fn call(location: &str) -> NewIncident {
    NewIncident {
        channel: "999".into(),
        received_at: None,
        caller_name: "Mary Lane".into(),
        caller_phone: "07700 900555".into(),
        location_text: location.into(),
        latitude: None,
        longitude: None,
        is_rural: false,
        division: "East".into(),
        opening_category: "PSW-DOM".into(),
        qualifiers: vec!["domestic-abuse".into()],
        summary: "Shouting heard next door.".into(),
    }
}

fn theft(people: Vec<(Uuid, CrimeRole)>) -> NewCrime {
    NewCrime {
        offence_code: "46".into(),
        location_text: "Co-op, 3 High Street, Wealdbury".into(),
        modus_operandi: "Took meat from the chiller and left without paying".into(),
        people,
        ..Default::default()
    }
}

struct People {
    handler: Principal,
    investigator: Principal,
    supervisor: Principal,
    registrar: Principal,
    analyst: Principal,
}

async fn people(core: &Core) -> People {
    let p = |u| principal_of(&u);
    People {
        handler: p(add_user(core, "ch.one", &["call-handler"]).await),
        investigator: p(add_user(core, "inv.one", &["investigator"]).await),
        supervisor: p(add_user(core, "sgt.one", &["supervisor"]).await),
        registrar: p(add_user(core, "fcr.one", &["crime-registrar"]).await),
        analyst: p(add_user(core, "an.one", &["analyst"]).await),
    }
}

/// Jane Smith (the survivor) and Jane Smyth (her duplicate: same date of birth, another address and
/// phone, a former name and a marker).
async fn two_janes(core: &Core, by: By<'_>) -> (Person, Person) {
    let a = core.create_person(by, &jane_smith(), false, &ctx()).await.expect("jane smith");
    let b = core.create_person(by, &jane_smyth(), true, &ctx()).await.expect("jane smyth, confirmed new");
    let b = core
        .edit_person(
            by,
            b.id,
            b.version,
            &PersonEdit::AddName { kind: NameKind::Birth, forenames: "Jane".into(), surname: "Okafor".into() },
            &ctx(),
        )
        .await
        .expect("former name");
    let b = core
        .edit_person(
            by,
            b.id,
            b.version,
            &PersonEdit::AddMarker { category: MarkerCategory::Vulnerability, detail: "Hearing impaired".into() },
            &ctx(),
        )
        .await
        .expect("marker");
    (a, b)
}

/// Every (incident, person, role) and (crime, person, role) link of these people, as a set.
async fn links(store: &Arc<dyn Store>, ids: &[Uuid], crimes: &[Uuid]) -> BTreeSet<(String, Uuid, Uuid, String)> {
    let since = chrono::Utc::now() - Duration::days(3650 * 20);
    let mut out = BTreeSet::new();
    for (person, role, incident) in store.find_people_incidents(ids, since, 1000).await.expect("incident links") {
        out.insert(("incident".to_string(), incident.id, person, role.as_str().to_string()));
    }
    for id in crimes {
        let record = store.find_crime(*id).await.expect("crime").expect("exists");
        for p in record.people {
            out.insert(("crime".to_string(), *id, p.person_id, p.role.as_str().to_string()));
        }
    }
    out
}

fn forbidden<T>(r: &Result<T, Error>) -> bool {
    matches!(r, Err(Error::Forbidden(_)))
}

fn names(p: &Person) -> Vec<(NameKind, String)> {
    p.names.iter().map(|n| (n.kind, n.full())).collect()
}

async fn stored(store: &Arc<dyn Store>, id: Uuid) -> Person {
    store.find_person(id).await.expect("find").expect("exists")
}

async fn actions(store: &Arc<dyn Store>, person: Uuid) -> Vec<String> {
    store
        .search_audit(&AuditQuery { record_id: Some(person.to_string()), limit: 500, ..Default::default() })
        .await
        .expect("audit")
        .into_iter()
        .map(|e| e.event.action)
        .collect()
}

async fn verify_ok(store: Arc<dyn Store>) {
    let core = core(store, ManualClock::standard());
    if let Err(fault) = core.verify_audit().await.expect("verify runs") {
        panic!("chain should verify: {fault:?}");
    }
}

async fn request(core: &Core, by: &Principal, a: &Person, b: &Person) -> PersonMerge {
    core.request_person_merge(By::User(by), a.id, b.id, "Same date of birth; the phone on both call logs", &ctx())
        .await
        .expect("request")
}

/// Applying a merge re-points every incident and crime link and moves the duplicate's addresses,
/// phones and markers to the survivor, copies its names as aliases, and hides it from searches;
/// undoing it moves back exactly what moved, and what was added to the survivor since stays.
pub async fn merges_repoint_every_link_and_unmerge_restores_exactly<B: TestBackend>() {
    let backend = B::new().await;
    let clock = ManualClock::standard();
    let core = core(backend.store(), clock.clone());
    let store = backend.store();
    let u = people(&core).await;
    let by = By::User(&u.handler);
    let (a, b) = two_janes(&core, by).await;
    let sam = NewPerson { forenames: "Sam".into(), surname: "Okoro".into(), ..Default::default() };
    let sam = core.create_person(by, &sam, false, &ctx()).await.expect("sam");

    // B is linked alone, beside A in another role, and beside A in the same role (A keeps hers, B's
    // stays with B); likewise for crimes.
    let both_roles = core
        .record_assessed_incident(
            &u.handler,
            &call("1 Elm Road"),
            None,
            &[(a.id, IncidentRole::Victim), (b.id, IncidentRole::Witness)],
            &ctx(),
        )
        .await
        .expect("incident 1");
    let only_b = core
        .record_assessed_incident(&u.handler, &call("2 Elm Road"), None, &[(b.id, IncidentRole::Victim)], &ctx())
        .await
        .expect("incident 2");
    let same_role = core
        .record_assessed_incident(
            &u.handler,
            &call("3 Elm Road"),
            None,
            &[(a.id, IncidentRole::Victim), (b.id, IncidentRole::Victim)],
            &ctx(),
        )
        .await
        .expect("incident 3");
    let crime_b = core
        .record_crime(&u.investigator, &theft(vec![(b.id, CrimeRole::Victim), (sam.id, CrimeRole::Suspect)]), &ctx())
        .await
        .expect("crime 1");
    let crime_both = core
        .record_crime(&u.investigator, &theft(vec![(a.id, CrimeRole::Victim), (b.id, CrimeRole::Victim)]), &ctx())
        .await
        .expect("crime 2");
    let crimes = [crime_b.id, crime_both.id];
    let (a, b) = (stored(&store, a.id).await, stored(&store, b.id).await);
    let links_before = links(&store, &[a.id, b.id, sam.id], &crimes).await;

    clock.advance(Duration::minutes(5));
    let merge = request(&core, &u.handler, &a, &b).await;
    assert_eq!(merge.status, MergeStatus::Requested);
    assert!(merge.score >= bluelamp_core::person::DUPLICATE_SCORE, "{merge:?}");
    assert!(merge.match_reasons.iter().any(|r| r.contains("same date of birth")), "{:?}", merge.match_reasons);
    assert_eq!(store.find_person_merge(merge.id).await.expect("find"), Some(merge.clone()));
    let queue = core.list_person_merges(By::User(&u.supervisor), MergeStatus::Requested, 50, &ctx()).await;
    assert_eq!(queue.expect("queue").iter().map(|m| m.id).collect::<Vec<_>>(), vec![merge.id]);

    clock.advance(Duration::minutes(5));
    let (applied, moves) = core
        .apply_person_merge(By::User(&u.supervisor), merge.id, Some((a.version, b.version)), &ctx())
        .await
        .expect("apply");
    assert_eq!(applied.status, MergeStatus::Applied);
    assert_eq!(applied.decided.as_ref().map(|d| d.by_name.as_str()), Some("sgt.one"));
    assert_eq!(
        summarise(&moves),
        vec![
            (MoveKind::Name, 2, 0),
            (MoveKind::Address, 1, 0),
            (MoveKind::Phone, 1, 0),
            (MoveKind::Marker, 1, 0),
            (MoveKind::Incident, 2, 1),
            (MoveKind::Crime, 1, 1),
        ]
    );
    assert_eq!(store.merge_moves(merge.id).await.expect("moves"), moves, "what moved is recorded");

    let (a1, b1) = (stored(&store, a.id).await, stored(&store, b.id).await);
    assert_eq!((a1.version, b1.version), (a.version + 1, b.version + 1), "both versions bump");
    assert_eq!((a1.merged_into, b1.merged_into), (None, Some(a.id)));
    assert_eq!(
        names(&a1),
        vec![
            (NameKind::Primary, "Jane Smith".into()),
            (NameKind::Alias, "Jane Smyth".into()),
            (NameKind::Birth, "Jane Okafor".into())
        ]
    );
    assert_eq!(names(&b1), names(&b), "the duplicate keeps its own names, so its record still reads");
    let ids = |v: &[bluelamp_core::person::PersonAddress]| v.iter().map(|x| x.id).collect::<BTreeSet<_>>();
    assert_eq!(ids(&a1.addresses), ids(&a.addresses).union(&ids(&b.addresses)).copied().collect());
    assert!(b1.addresses.is_empty() && b1.phones.is_empty() && b1.markers.is_empty());
    assert_eq!(a1.phones.len(), 2);
    assert_eq!(a1.markers.iter().map(|m| m.id).collect::<Vec<_>>(), vec![b.markers[0].id]);
    let after = links(&store, &[a.id, b.id, sam.id], &crimes).await;
    let expected: BTreeSet<_> = links_before
        .iter()
        .map(|(kind, record, person, role)| {
            let kept = *person == b.id && role == "victim" && [same_role.id, crime_both.id].contains(record);
            let person = if *person == b.id && !kept { a.id } else { *person };
            (kind.clone(), *record, person, role.clone())
        })
        .collect();
    assert_eq!(after, expected, "every link re-pointed except those A already had, which stay with B");
    assert_eq!(after.len(), links_before.len(), "no link lost");
    let incident = store.find_incident(only_b.id).await.expect("find").expect("exists");
    assert_eq!((incident.people[0].person_id, incident.people[0].name.as_str()), (a.id, "Jane Smith"));
    let _ = both_roles;

    // The duplicate is out of searches and duplicate checks; the survivor is found by its names.
    let hits = core
        .search_people(
            By::User(&u.handler),
            &PersonSearch { name: "Jane Smyth".into(), ..Default::default() },
            10,
            &ctx(),
        )
        .await
        .expect("search");
    assert_eq!(hits.iter().map(|m| m.person.id).collect::<Vec<_>>(), vec![a.id]);
    assert!(hits[0].reasons.iter().any(|r| r.contains("alias")), "{:?}", hits[0].reasons);
    let okafor = PersonSearch { name: "Okafor".into(), ..Default::default() };
    let hits = core.search_people(By::User(&u.handler), &okafor, 10, &ctx()).await.expect("search");
    assert_eq!(hits.iter().map(|m| m.person.id).collect::<Vec<_>>(), vec![a.id]);
    let dupes = core.person_duplicates(By::User(&u.handler), &jane_smyth()).await.expect("duplicates");
    assert_eq!(dupes.iter().map(|m| m.person.id).collect::<Vec<_>>(), vec![a.id]);
    assert!(core.likely_duplicates_of(By::User(&u.handler), &a1, &ctx()).await.expect("likely").is_empty());
    // Its record still opens, says where it went, and cannot be changed.
    assert_eq!(core.view_person(By::User(&u.handler), b.id, &ctx()).await.expect("view").merged_into, Some(a.id));
    let edit = PersonEdit::AddPhone { number: "01632 960002".into() };
    match core.edit_person(By::User(&u.handler), b.id, b1.version, &edit, &ctx()).await {
        Err(Error::Invalid(errors)) => assert!(errors[0].rule.contains("merged into"), "{errors:?}"),
        other => panic!("a merged-away person cannot be changed: {other:?}"),
    }
    assert!(matches!(
        core.request_person_merge(By::User(&u.handler), a.id, b.id, "Again", &ctx()).await,
        Err(Error::Invalid(_))
    ));

    // The survivor changes after the merge: a new link, a phone, a name, and the moved marker ends.
    clock.advance(Duration::hours(1));
    let later = core
        .record_assessed_incident(&u.handler, &call("4 Elm Road"), None, &[(a.id, IncidentRole::Caller)], &ctx())
        .await
        .expect("later incident");
    let a2 = core
        .edit_person(by, a.id, a1.version, &PersonEdit::AddPhone { number: "01632 960777".into() }, &ctx())
        .await
        .expect("phone");
    let kind = NameKind::KnownAs;
    let a2 = core
        .edit_person(
            by,
            a.id,
            a2.version,
            &PersonEdit::AddName { kind, forenames: String::new(), surname: "JJ".into() },
            &ctx(),
        )
        .await
        .expect("name");
    let marker_id = b.markers[0].id;
    let end = PersonEdit::EndMarker { marker_id, reason: "Assessed: no longer applies".into() };
    let a2 = core.edit_person(by, a.id, a2.version, &end, &ctx()).await.expect("end marker");

    clock.advance(Duration::hours(1));
    let stale = core.unmerge_person(By::User(&u.supervisor), merge.id, " ", &ctx()).await;
    match stale {
        Err(Error::Invalid(errors)) => assert_eq!(errors[0].field, "reason"),
        other => panic!("a reason is needed: {other:?}"),
    }
    let (reversed, back) = core
        .unmerge_person(By::User(&u.registrar), merge.id, "Different people: custody photographs differ", &ctx())
        .await
        .expect("unmerge");
    assert_eq!(reversed.status, MergeStatus::Reversed);
    assert_eq!(
        summarise(&back),
        vec![
            (MoveKind::Name, 2, 0),
            (MoveKind::Address, 1, 0),
            (MoveKind::Phone, 1, 0),
            (MoveKind::Marker, 1, 0),
            (MoveKind::Incident, 2, 0),
            (MoveKind::Crime, 1, 0),
        ]
    );
    let (a3, b3) = (stored(&store, a.id).await, stored(&store, b.id).await);
    assert_eq!((a3.version, b3.version), (a2.version + 1, b1.version + 1));
    assert_eq!(b3.merged_into, None);
    assert_eq!(names(&b3), names(&b));
    assert_eq!(names(&a3), vec![(NameKind::Primary, "Jane Smith".into()), (NameKind::KnownAs, "JJ".into())]);
    assert_eq!(b3.addresses, b.addresses, "B's addresses back exactly");
    assert_eq!(b3.phones, b.phones);
    assert_eq!(b3.markers.len(), 1);
    assert_eq!(b3.markers[0].id, marker_id);
    assert!(!b3.markers[0].is_active(), "the marker goes back as it now is (ended on A's record)");
    assert_eq!(a3.addresses, a.addresses);
    assert_eq!(
        a3.phones.iter().map(|p| p.number.as_str()).collect::<Vec<_>>(),
        vec!["07700 900123", "01632 960777"],
        "the phone added since stays"
    );
    let mut restored = links_before.clone();
    restored.insert(("incident".into(), later.id, a.id, "caller".into()));
    assert_eq!(links(&store, &[a.id, b.id, sam.id], &crimes).await, restored, "links as before, plus the later one");
    let hits = core
        .search_people(
            By::User(&u.handler),
            &PersonSearch { name: "Jane Smyth".into(), ..Default::default() },
            10,
            &ctx(),
        )
        .await
        .expect("search");
    assert_eq!(hits.first().map(|m| m.person.id), Some(b.id), "B is found again");
    assert!(matches!(
        core.unmerge_person(By::User(&u.registrar), merge.id, "Once more", &ctx()).await,
        Err(Error::Conflict(_))
    ));

    let trail = actions(&store, b.id).await;
    for action in ["person.merge.request", "person.merge.apply", "person.merge.unmerge"] {
        assert_eq!(trail.iter().filter(|a| *a == action).count(), 1, "{action} in {trail:?}");
    }
    verify_ok(store).await;
}

/// Who may do what: requesting needs `person.record`, reviewing and undoing `person.merge`, and the
/// requester never reviews their own request; bad requests name the field.
pub async fn merge_reviews_need_four_eyes_and_the_permission<B: TestBackend>() {
    let backend = B::new().await;
    let clock = ManualClock::standard();
    let core = core(backend.store(), clock.clone());
    let store = backend.store();
    let u = people(&core).await;
    let (a, b) = two_janes(&core, By::User(&u.handler)).await;

    let r = core.request_person_merge(By::User(&u.analyst), a.id, b.id, "Same person", &ctx()).await;
    assert!(forbidden(&r), "analysts only look: {r:?}");
    let r = core.request_person_merge(By::User(&u.registrar), a.id, b.id, "Same person", &ctx()).await;
    assert!(forbidden(&r), "the registrar reviews but does not record people: {r:?}");
    match core.request_person_merge(By::User(&u.handler), a.id, a.id, "", &ctx()).await {
        Err(Error::Invalid(errors)) => {
            assert_eq!(errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["duplicate_id", "reason"])
        }
        other => panic!("expected field errors: {other:?}"),
    }
    match core.request_person_merge(By::User(&u.handler), a.id, Uuid::now_v7(), "Same", &ctx()).await {
        Err(Error::Invalid(errors)) => assert_eq!(errors[0].field, "duplicate_id"),
        other => panic!("expected a field error: {other:?}"),
    }
    assert!(store.list_person_merges(MergeStatus::Requested, 10).await.expect("list").is_empty(), "nothing saved");

    let first = request(&core, &u.handler, &a, &b).await;
    for (s, d) in [(a.id, b.id), (b.id, a.id)] {
        match core.request_person_merge(By::User(&u.supervisor), s, d, "Same person", &ctx()).await {
            Err(Error::Invalid(errors)) => assert!(errors[0].rule.contains("already awaiting review"), "{errors:?}"),
            other => panic!("one open request per pair: {other:?}"),
        }
    }
    let r = core.list_person_merges(By::User(&u.handler), MergeStatus::Requested, 10, &ctx()).await;
    assert!(forbidden(&r), "the queue is for reviewers");
    let r = core.apply_person_merge(By::User(&u.handler), first.id, None, &ctx()).await;
    assert!(forbidden(&r), "call handlers do not review: {r:?}");
    let r = core.reject_person_merge(By::User(&u.investigator), first.id, "Not the same", &ctx()).await;
    assert!(forbidden(&r));

    // A supervisor's own request needs another reviewer.
    clock.advance(Duration::minutes(1));
    let carl = NewPerson { forenames: "Carl".into(), surname: "Dunn".into(), ..Default::default() };
    let carl = core.create_person(By::User(&u.supervisor), &carl, false, &ctx()).await.expect("carl");
    let carl2 = NewPerson { forenames: "Carl".into(), surname: "Dun".into(), ..Default::default() };
    let carl2 = core.create_person(By::User(&u.supervisor), &carl2, true, &ctx()).await.expect("carl 2");
    let own = core
        .request_person_merge(By::User(&u.supervisor), carl.id, carl2.id, "Typo in the surname", &ctx())
        .await
        .expect("request");
    let r = core.apply_person_merge(By::User(&u.supervisor), own.id, None, &ctx()).await;
    assert!(forbidden(&r), "four eyes: {r:?}");
    let r = core.reject_person_merge(By::User(&u.supervisor), own.id, "Changed my mind", &ctx()).await;
    assert!(forbidden(&r), "four eyes on rejecting too");
    let queue = core.list_person_merges(By::User(&u.registrar), MergeStatus::Requested, 10, &ctx()).await;
    assert_eq!(queue.expect("queue").iter().map(|m| m.id).collect::<Vec<_>>(), vec![first.id, own.id], "oldest first");

    // Rejecting needs a reason; a rejected request can be asked again; a decided one is not decided twice.
    match core.reject_person_merge(By::User(&u.supervisor), first.id, " ", &ctx()).await {
        Err(Error::Invalid(errors)) => assert_eq!(errors[0].field, "reason"),
        other => panic!("a reason is needed: {other:?}"),
    }
    let rejected = core
        .reject_person_merge(By::User(&u.supervisor), first.id, "Different middle names on the PNC", &ctx())
        .await
        .expect("reject");
    assert_eq!(rejected.status, MergeStatus::Rejected);
    assert_eq!(store.find_person_merge(first.id).await.expect("find"), Some(rejected.clone()));
    let r = core.apply_person_merge(By::User(&u.registrar), first.id, None, &ctx()).await;
    assert!(matches!(r, Err(Error::Conflict(_))), "{r:?}");
    assert_eq!(stored(&store, b.id).await.merged_into, None);
    let again = request(&core, &u.handler, &a, &b).await;
    core.apply_person_merge(By::User(&u.registrar), own.id, None, &ctx()).await.expect("another reviewer applies");
    let r = core.unmerge_person(By::User(&u.handler), own.id, "Wrong", &ctx()).await;
    assert!(forbidden(&r), "undoing needs person.merge");
    let recent = core.list_person_merges(By::User(&u.supervisor), MergeStatus::Rejected, 10, &ctx()).await;
    assert_eq!(recent.expect("rejected").iter().map(|m| m.id).collect::<Vec<_>>(), vec![first.id]);
    let mine = core.person_merges(By::User(&u.handler), a.id).await.expect("a's merges");
    assert_eq!(mine.iter().map(|m| m.id).collect::<Vec<_>>(), vec![again.id, first.id], "newest first");
    assert!(actions(&store, b.id).await.iter().any(|a| a == "person.merge.reject"));
    verify_ok(store).await;
}

/// Two reviewers applying the same merge at once: one wins, the other gets `Conflict`, and the rows
/// move once. A person changed since the reviewer compared them is a `Conflict` with nothing written.
pub async fn concurrent_merge_reviews_one_wins<B: TestBackend>() {
    let backend = B::new().await;
    let core = core(backend.store(), ManualClock::standard());
    let store = backend.store();
    let u = people(&core).await;
    let (a, b) = two_janes(&core, By::User(&u.handler)).await;
    core.record_assessed_incident(&u.handler, &call("2 Elm Road"), None, &[(b.id, IncidentRole::Victim)], &ctx())
        .await
        .expect("incident");
    let merge = request(&core, &u.handler, &a, &b).await;

    // Changed since compared: refused, nothing written.
    let r = core.apply_person_merge(By::User(&u.supervisor), merge.id, Some((a.version, b.version - 1)), &ctx()).await;
    assert!(matches!(r, Err(Error::Conflict(_))), "{r:?}");
    assert_eq!(store.find_person_merge(merge.id).await.expect("find").map(|m| m.status), Some(MergeStatus::Requested));

    let c = ctx();
    let (one, two) = tokio::join!(
        core.apply_person_merge(By::User(&u.supervisor), merge.id, None, &c),
        core.apply_person_merge(By::User(&u.registrar), merge.id, None, &c),
    );
    let oks = [one.is_ok(), two.is_ok()].iter().filter(|x| **x).count();
    assert_eq!(oks, 1, "exactly one applies: {one:?} {two:?}");
    let lost = if one.is_err() { one } else { two };
    assert!(matches!(lost, Err(Error::Conflict(_))), "{lost:?}");
    let moves = store.merge_moves(merge.id).await.expect("moves");
    assert_eq!(
        summarise(&moves),
        vec![
            (MoveKind::Name, 2, 0),
            (MoveKind::Address, 1, 0),
            (MoveKind::Phone, 1, 0),
            (MoveKind::Marker, 1, 0),
            (MoveKind::Incident, 1, 0)
        ],
        "moved once"
    );
    let (a1, b1) = (stored(&store, a.id).await, stored(&store, b.id).await);
    assert_eq!((a1.version, b1.version, b1.merged_into), (a.version + 1, b.version + 1, Some(a.id)));
    assert_eq!(a1.names.len(), 3);
    assert_eq!(actions(&store, b.id).await.iter().filter(|a| *a == "person.merge.apply").count(), 1);

    // Two undoings at once: the same.
    let (one, two) = tokio::join!(
        core.unmerge_person(By::User(&u.supervisor), merge.id, "Different people", &c),
        core.unmerge_person(By::User(&u.registrar), merge.id, "Different people", &c),
    );
    assert_eq!([one.is_ok(), two.is_ok()].iter().filter(|x| **x).count(), 1, "{one:?} {two:?}");
    let lost = if one.is_err() { one } else { two };
    assert!(matches!(lost, Err(Error::Conflict(_))), "{lost:?}");
    let (a2, b2) = (stored(&store, a.id).await, stored(&store, b.id).await);
    assert_eq!((names(&a2), names(&b2)), (names(&a), names(&b)));
    assert_eq!((a2.addresses.len(), b2.addresses.len(), b2.merged_into), (1, 1, None));
    verify_ok(store).await;
}

/// A merge request, its rejection, its application and its undoing each commit with their audit
/// event or not at all: with the audit insert failing, nothing changes.
pub async fn merges_are_not_applied_without_audit<B: TestBackend>() {
    let backend = B::new().await;
    let core = core(backend.store(), ManualClock::standard());
    let store = backend.store();
    let u = people(&core).await;
    let (a, b) = two_janes(&core, By::User(&u.handler)).await;
    let carl = NewPerson { forenames: "Carl".into(), surname: "Dunn".into(), ..Default::default() };
    let carl = core.create_person(By::User(&u.handler), &carl, false, &ctx()).await.expect("carl");
    let carl2 = NewPerson { forenames: "Carl".into(), surname: "Dun".into(), ..Default::default() };
    let carl2 = core.create_person(By::User(&u.handler), &carl2, true, &ctx()).await.expect("carl 2");
    let kim = NewPerson { forenames: "Kim".into(), surname: "Ray".into(), ..Default::default() };
    let kim = core.create_person(By::User(&u.handler), &kim, false, &ctx()).await.expect("kim");
    let kim2 = NewPerson { forenames: "Kim".into(), surname: "Rae".into(), ..Default::default() };
    let kim2 = core.create_person(By::User(&u.handler), &kim2, true, &ctx()).await.expect("kim 2");
    core.record_assessed_incident(
        &u.handler,
        &call("2 Elm Road"),
        None,
        &[(b.id, IncidentRole::Victim), (carl2.id, IncidentRole::Witness)],
        &ctx(),
    )
    .await
    .expect("incident");
    let pending = request(&core, &u.handler, &a, &b).await;
    let to_reject = core
        .request_person_merge(By::User(&u.handler), kim.id, kim2.id, "Spelling of the surname", &ctx())
        .await
        .expect("request");
    let done = core
        .request_person_merge(By::User(&u.handler), carl.id, carl2.id, "Typo in the surname", &ctx())
        .await
        .expect("request");
    core.apply_person_merge(By::User(&u.supervisor), done.id, None, &ctx()).await.expect("apply");
    let everyone = [a.id, b.id, carl.id, carl2.id, kim.id, kim2.id];
    let mut before = Vec::new();
    for id in everyone {
        before.push(stored(&store, id).await);
    }
    let links_before = links(&store, &everyone, &[]).await;
    let head = store.audit_head().await.expect("head");

    backend.break_audit_inserts().await;
    assert!(core.apply_person_merge(By::User(&u.supervisor), pending.id, None, &ctx()).await.is_err());
    assert!(core.reject_person_merge(By::User(&u.supervisor), to_reject.id, "Not the same", &ctx()).await.is_err());
    assert!(core.unmerge_person(By::User(&u.supervisor), done.id, "Different people", &ctx()).await.is_err());
    let sam = NewPerson { forenames: "Sam".into(), surname: "Okoro".into(), ..Default::default() };
    let sam = core.create_person(By::System("test"), &sam, true, &ctx()).await;
    assert!(sam.is_err());

    for p in &before {
        assert_eq!(&stored(&store, p.id).await, p, "{} unchanged", p.display_name());
    }
    assert_eq!(links(&store, &everyone, &[]).await, links_before);
    let status = |id| {
        let store = store.clone();
        async move { store.find_person_merge(id).await.expect("find").map(|m| m.status) }
    };
    assert_eq!(status(pending.id).await, Some(MergeStatus::Requested));
    assert_eq!(status(to_reject.id).await, Some(MergeStatus::Requested));
    assert_eq!(status(done.id).await, Some(MergeStatus::Applied));
    assert!(store.merge_moves(pending.id).await.expect("moves").is_empty(), "no half-recorded moves");
    assert!(!store.merge_moves(done.id).await.expect("moves").is_empty());
    assert_eq!(store.audit_head().await.expect("head"), head);

    // With the fault removed, the trail verifies and the same commands go through.
    let unbreak = if B::NAME == "postgres" {
        "DROP TRIGGER audit_event_fail ON audit_event"
    } else {
        "DROP TRIGGER audit_event_fail"
    };
    backend.exec(unbreak).await;
    verify_ok(store.clone()).await;
    core.unmerge_person(By::User(&u.supervisor), done.id, "Different people", &ctx()).await.expect("unmerge");
    core.apply_person_merge(By::User(&u.supervisor), pending.id, None, &ctx()).await.expect("apply");
    verify_ok(store).await;
}
