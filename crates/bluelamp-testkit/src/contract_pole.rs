//! The Store contract for the rest of POLE on crimes (organisations, objects, locations) and for
//! cancellation with the registrar's delegations. Registered in `contract_tests!` with the others.

use bluelamp_core::Error;
use bluelamp_core::cancel::{Authority, CancelRequest};
use bluelamp_core::clock::Clock;
use bluelamp_core::core::By;
use bluelamp_core::crime::{CrimeRole, CrimeStatus, NewCrime};
use bluelamp_core::pole::{CrimeLink, LocationRole, NewObject, NewOrganisation, ObjectRole};
use chrono::Duration;

use crate::contract::{ctx, shop_theft, two_people, verify_ok};
use crate::{ManualClock, TestBackend, add_user, core};

fn co_op() -> NewOrganisation {
    NewOrganisation {
        name: "Co-op".into(),
        kind: "business".into(),
        address: "3 High Street, Wealdbury".into(),
        phone: String::new(),
    }
}

fn phone(imei: &str) -> NewObject {
    NewObject {
        kind: "mobile-phone".into(),
        description: "Black smartphone".into(),
        identifier_kind: "imei".into(),
        identifier: imei.into(),
        value: "350".into(),
        ..Default::default()
    }
}

const IMEI: &str = "35-693803-564380-9";

/// A shop theft with the shop as victim (no person victim), a known suspect and a stolen phone;
/// the same shop and phone in a second crime are the same records; the phone's identifier finds
/// both crimes; links added later bump the version, a stale version conflicts, and an ended crime
/// takes no more links.
pub async fn crimes_link_organisations_objects_and_locations<B: TestBackend>() {
    let backend = B::new().await;
    let clock = ManualClock::standard();
    let core = core(backend.store(), clock.clone());
    let officer = bluelamp_core::core::principal_of(&add_user(&core, "inv.one", &["investigator"]).await);
    let (person, suspect) = two_people(&core, By::User(&officer)).await;
    let shop_victim = NewCrime {
        people: vec![(suspect, CrimeRole::Suspect)],
        organisations: vec![(co_op(), CrimeRole::Victim)],
        objects: vec![(phone(IMEI), ObjectRole::Stolen), (NewObject::default(), ObjectRole::Stolen)],
        ..shop_theft(person, suspect)
    };
    // A blank object row is not an object: it is named, not silently dropped, by the core.
    match core.record_crime(&officer, &shop_victim, &ctx()).await {
        Err(Error::Invalid(errors)) => {
            let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, ["objects.1.kind", "objects.1.description"]);
        }
        other => panic!("expected the blank object named, got {other:?}"),
    }
    let shop_victim = NewCrime { objects: vec![(phone(IMEI), ObjectRole::Stolen)], ..shop_victim };
    let first = core.record_crime(&officer, &shop_victim, &ctx()).await.expect("shop theft");
    let record = core.view_crime(&officer, first.id, &ctx()).await.expect("view");
    assert_eq!(record.people.iter().map(|p| p.role).collect::<Vec<_>>(), [CrimeRole::Suspect]);
    assert_eq!(record.organisations.len(), 1);
    assert_eq!(
        (record.organisations[0].organisation.name.as_str(), record.organisations[0].role),
        ("Co-op", CrimeRole::Victim)
    );
    assert_eq!(record.objects.len(), 1);
    assert_eq!(record.objects[0].object.identifier, "356938035643809");
    assert_eq!(record.objects[0].object.value_pence, Some(35_000));
    assert_eq!(record.locations.len(), 1, "the scene is a location");
    assert_eq!(record.locations[0].role, LocationRole::Scene);
    assert!(core.crime_facts_failures(&record).await.expect("rules").is_empty(), "a business is a victim");

    clock.advance(Duration::hours(1));
    let again = NewCrime {
        organisations: vec![(
            NewOrganisation { name: "CO-OP".into(), address: "3 high street wealdbury".into(), ..co_op() },
            CrimeRole::Victim,
        )],
        objects: vec![(phone("356938035643809"), ObjectRole::Recovered)],
        ..shop_victim.clone()
    };
    let second = core.record_crime(&officer, &again, &ctx()).await.expect("second");
    let record2 = core.view_crime(&officer, second.id, &ctx()).await.expect("view");
    assert_eq!(record2.organisations[0].organisation.id, record.organisations[0].organisation.id, "one shop");
    assert_eq!(record2.objects[0].object.id, record.objects[0].object.id, "one phone");
    assert_eq!(record2.locations[0].location.id, record.locations[0].location.id, "one address");

    let found = core.crimes_with_object(&officer, "356938 035643809", &ctx()).await.expect("object search");
    assert_eq!(found.len(), 1);
    let crimes: Vec<(ObjectRole, &str)> = found[0].1.iter().map(|(r, c)| (*r, c.number.as_str())).collect();
    assert_eq!(crimes, [(ObjectRole::Recovered, second.number.as_str()), (ObjectRole::Stolen, first.number.as_str())]);
    assert!(core.crimes_with_object(&officer, "AB99 XYZ", &ctx()).await.expect("none").is_empty());
    assert!(matches!(core.crimes_with_object(&officer, " ", &ctx()).await, Err(Error::Invalid(_))));

    // Links after recording.
    let witness = CrimeLink::Person { person_id: person, role: "witness".into() };
    let crime = core.link_to_crime(&officer, first.id, first.version, &witness, &ctx()).await.expect("witness");
    assert_eq!(crime.version, first.version + 1);
    let home = CrimeLink::Location {
        text: "9 Mill Lane".into(),
        latitude: None,
        longitude: None,
        role: "suspect-home".into(),
    };
    assert!(matches!(
        core.link_to_crime(&officer, first.id, first.version, &home, &ctx()).await,
        Err(Error::Conflict(_))
    ));
    let crime = core.link_to_crime(&officer, first.id, crime.version, &home, &ctx()).await.expect("home");
    let knife = CrimeLink::Object {
        object: NewObject { kind: "weapon".into(), description: "Kitchen knife".into(), ..Default::default() },
        role: "used-as-weapon".into(),
    };
    let crime = core.link_to_crime(&officer, first.id, crime.version, &knife, &ctx()).await.expect("knife");
    match core.link_to_crime(&officer, first.id, crime.version, &witness, &ctx()).await {
        Err(Error::Invalid(errors)) => assert_eq!(errors[0].field, "role", "already linked in this role"),
        other => panic!("expected a duplicate link refused, got {other:?}"),
    }
    let bad = CrimeLink::Object { object: phone("356938035643808"), role: "borrowed".into() };
    match core.link_to_crime(&officer, first.id, crime.version, &bad, &ctx()).await {
        Err(Error::Invalid(errors)) => {
            let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, ["role", "identifier"]);
        }
        other => panic!("expected a bad link refused, got {other:?}"),
    }
    let record = core.view_crime(&officer, first.id, &ctx()).await.expect("view");
    assert_eq!(record.people.len(), 2);
    assert_eq!(
        record.locations.iter().map(|l| l.role).collect::<Vec<_>>(),
        [LocationRole::Scene, LocationRole::SuspectHome]
    );
    assert_eq!(
        record.objects.iter().map(|o| o.role).collect::<Vec<_>>(),
        [ObjectRole::Stolen, ObjectRole::UsedAsWeapon]
    );

    let finalised = crate::finalise_plainly(&core, &officer, first.id, record.crime.version).await.expect("finalise");
    assert!(matches!(
        core.link_to_crime(&officer, first.id, finalised.version, &home, &ctx()).await,
        Err(Error::Invalid(e)) if e[0].field == "status"
    ));
    verify_ok(backend.store()).await;
}

/// Only the registrar (or a delegate, never for a reserved offence) cancels; each criterion needs
/// its information; the crime keeps its number and history; a transfer ends as transferred.
pub async fn cancellation_needs_the_registrar_or_a_delegate<B: TestBackend>() {
    let backend = B::new().await;
    let clock = ManualClock::standard();
    let core = core(backend.store(), clock.clone());
    let officer = bluelamp_core::core::principal_of(&add_user(&core, "inv.one", &["investigator"]).await);
    let registrar = bluelamp_core::core::principal_of(&add_user(&core, "fcr", &["crime-registrar"]).await);
    let sergeant = bluelamp_core::core::principal_of(&add_user(&core, "ps.one", &["supervisor"]).await);
    let (victim, suspect) = two_people(&core, By::User(&officer)).await;
    let theft = core.record_crime(&officer, &shop_theft(victim, suspect), &ctx()).await.expect("theft");
    let duplicate = core.record_crime(&officer, &shop_theft(victim, suspect), &ctx()).await.expect("dup");
    let rape = NewCrime { offence_code: "19C".into(), ..shop_theft(victim, suspect) };
    let rape = core.record_crime(&officer, &rape, &ctx()).await.expect("rape");
    let avi = "CCTV reviewed by PC 1234 shows the customer paid at the self-checkout";
    let c2 = CancelRequest { criterion: "C2".into(), verifiable_info: avi.into(), ..Default::default() };

    // Nobody but the registrar, until delegated.
    for who in [&officer, &sergeant] {
        assert!(matches!(core.cancel_crime(who, theft.id, theft.version, &c2, &ctx()).await, Err(Error::Forbidden(_))));
    }
    assert!(matches!(
        core.delegate_cancellation(&sergeant, "inv.one", "cover", None, &ctx()).await,
        Err(Error::Forbidden(_))
    ));
    match core.delegate_cancellation(&registrar, "nobody", "", Some(clock.now() - Duration::days(1)), &ctx()).await {
        Err(Error::Invalid(errors)) => {
            let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, ["username", "reason", "ends_at"]);
        }
        other => panic!("expected every rule named, got {other:?}"),
    }
    let delegation = core
        .delegate_cancellation(&registrar, "ps.one", "DDM for the crime management unit", None, &ctx())
        .await
        .expect("delegate");
    assert!(matches!(
        core.delegate_cancellation(&registrar, "ps.one", "again", None, &ctx()).await,
        Err(Error::Invalid(e)) if e[0].field == "username"
    ));

    // Each criterion's information, named.
    let c3 = CancelRequest {
        criterion: "C3".into(),
        verifiable_info: avi.into(),
        related_crime_number: "CR-2026-999999".into(),
        ..Default::default()
    };
    match core.cancel_crime(&sergeant, duplicate.id, duplicate.version, &c3, &ctx()).await {
        Err(Error::Invalid(errors)) => assert_eq!(errors[0].field, "related_crime_number"),
        other => panic!("expected the missing duplicate named, got {other:?}"),
    }
    let c3 = CancelRequest { related_crime_number: theft.number.to_lowercase(), ..c3 };
    let cancelled = core.cancel_crime(&sergeant, duplicate.id, duplicate.version, &c3, &ctx()).await.expect("C3");
    assert_eq!((cancelled.status, cancelled.number.as_str()), (CrimeStatus::Cancelled, duplicate.number.as_str()));
    let record = core.view_crime(&officer, duplicate.id, &ctx()).await.expect("view");
    let decision = record.cancellation.expect("kept with the crime");
    assert_eq!((decision.criterion.as_str(), decision.authority), ("C3", Authority::Delegate));
    assert_eq!(decision.verifiable_info, avi);
    assert_eq!(record.classifications.len(), 1, "history kept");
    assert!(matches!(
        core.cancel_crime(&registrar, duplicate.id, cancelled.version, &c2, &ctx()).await,
        Err(Error::Invalid(e)) if e[0].field == "status"
    ));

    // Reserved offences: the registrar only.
    assert!(matches!(core.cancel_crime(&sergeant, rape.id, rape.version, &c2, &ctx()).await, Err(Error::Forbidden(_))));
    let c1 = CancelRequest { criterion: "C1".into(), verifiable_info: avi.into(), ..Default::default() };
    match core.cancel_crime(&registrar, rape.id, rape.version, &c1, &ctx()).await {
        Err(Error::Invalid(errors)) => assert_eq!(errors[0].field, "transferred_to"),
        other => panic!("expected the receiving force asked for, got {other:?}"),
    }
    let c1 = CancelRequest { transferred_to: "Essex Police".into(), ..c1 };
    let transferred = core.cancel_crime(&registrar, rape.id, rape.version, &c1, &ctx()).await.expect("C1");
    assert_eq!(transferred.status, CrimeStatus::Transferred);
    let c5 = CancelRequest { criterion: "C5".into(), ..c2.clone() };
    assert!(matches!(
        core.cancel_crime(&registrar, theft.id, theft.version, &c5, &ctx()).await,
        Err(Error::Invalid(e)) if e[0].field == "criterion"
    ));

    // Revoked: the delegate may no longer cancel.
    core.revoke_delegation(&registrar, delegation.id, &ctx()).await.expect("revoke");
    assert!(matches!(core.revoke_delegation(&registrar, delegation.id, &ctx()).await, Err(Error::Conflict(_))));
    assert!(matches!(
        core.cancel_crime(&sergeant, theft.id, theft.version, &c2, &ctx()).await,
        Err(Error::Forbidden(_))
    ));
    let list = core.cancel_delegations(&registrar).await.expect("list");
    assert_eq!((list.len(), list[0].username.as_str(), list[0].revoked_by_name.as_deref()), (1, "ps.one", Some("fcr")));
    let stale = core.cancel_crime(&registrar, theft.id, theft.version + 1, &c2, &ctx()).await;
    assert!(matches!(stale, Err(Error::Conflict(_))));
    let cancelled = core.cancel_crime(&registrar, theft.id, theft.version, &c2, &ctx()).await.expect("C2");
    assert_eq!(cancelled.status, CrimeStatus::Cancelled);
    let found = backend.store().find_crime_by_number(&theft.number).await.expect("find").expect("kept");
    assert_eq!(found.status, CrimeStatus::Cancelled);
    verify_ok(backend.store()).await;
}

/// Two victims of a shop theft break the one-crime-per-victim rule, which blocks finalising; a
/// burglary (a household) may list several.
pub async fn one_crime_per_victim_blocks_finalising<B: TestBackend>() {
    let backend = B::new().await;
    let core = core(backend.store(), ManualClock::standard());
    let officer = bluelamp_core::core::principal_of(&add_user(&core, "inv.one", &["investigator"]).await);
    let (victim, suspect) = two_people(&core, By::User(&officer)).await;
    let two = NewCrime { organisations: vec![(co_op(), CrimeRole::Victim)], ..shop_theft(victim, suspect) };
    let crime = core.record_crime(&officer, &two, &ctx()).await.expect("saved as a draft");
    match crate::finalise_plainly(&core, &officer, crime.id, crime.version).await {
        Err(Error::Invalid(errors)) => {
            assert_eq!(errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["rules.one-crime-per-victim"]);
            assert!(errors[0].rule.contains("Section D"));
        }
        other => panic!("expected the rule to block finalising, got {other:?}"),
    }
    let burglary = NewCrime { offence_code: "28E".into(), ..two };
    let crime = core.record_crime(&officer, &burglary, &ctx()).await.expect("burglary");
    let record = core.view_crime(&officer, crime.id, &ctx()).await.expect("view");
    assert!(core.crime_facts_failures(&record).await.expect("rules").is_empty());
}

/// A link or a cancellation whose audit event cannot be written leaves the crime as it was.
pub async fn crime_links_are_not_saved_without_audit<B: TestBackend>() {
    let backend = B::new().await;
    let core = core(backend.store(), ManualClock::standard());
    let officer = bluelamp_core::core::principal_of(&add_user(&core, "inv.one", &["investigator"]).await);
    let registrar = bluelamp_core::core::principal_of(&add_user(&core, "fcr", &["crime-registrar"]).await);
    let (victim, suspect) = two_people(&core, By::User(&officer)).await;
    let crime = core.record_crime(&officer, &shop_theft(victim, suspect), &ctx()).await.expect("crime");
    backend.break_audit_inserts().await;
    let link = CrimeLink::Object { object: phone(IMEI), role: "stolen".into() };
    assert!(core.link_to_crime(&officer, crime.id, crime.version, &link, &ctx()).await.is_err());
    let c2 = CancelRequest {
        criterion: "C2".into(),
        verifiable_info: "The owner found the phone at home and told PC 1234 by phone".into(),
        ..Default::default()
    };
    assert!(core.cancel_crime(&registrar, crime.id, crime.version, &c2, &ctx()).await.is_err());
    let record = backend.store().find_crime(crime.id).await.expect("find").expect("exists");
    assert_eq!((record.crime.version, record.crime.status), (crime.version, CrimeStatus::Recorded));
    assert!(record.objects.is_empty() && record.cancellation.is_none());
    assert!(backend.store().find_object_crimes(&["imei:356938035643809".into()]).await.expect("find").is_empty());
}

/// A person merged away is not linked to a new crime or to a recorded one: the survivor is.
pub async fn merged_away_people_are_not_linked_to_crimes<B: TestBackend>() {
    let backend = B::new().await;
    let core = core(backend.store(), ManualClock::standard());
    let officer = bluelamp_core::core::principal_of(&add_user(&core, "inv.one", &["investigator"]).await);
    let sergeant = bluelamp_core::core::principal_of(&add_user(&core, "ps.one", &["supervisor"]).await);
    let (victim, suspect) = two_people(&core, By::User(&officer)).await;
    let merge = core
        .request_person_merge(By::User(&officer), victim, suspect, "Same person entered twice", &ctx())
        .await
        .expect("request");
    core.apply_person_merge(By::User(&sergeant), merge.id, None, &ctx()).await.expect("apply");
    match core.record_crime(&officer, &shop_theft(victim, suspect), &ctx()).await {
        Err(Error::Invalid(errors)) => assert_eq!(errors[0].field, "people.1.person_id"),
        other => panic!("expected the merged-away person refused, got {other:?}"),
    }
    let only = NewCrime { people: vec![(victim, CrimeRole::Victim)], ..shop_theft(victim, suspect) };
    let crime = core.record_crime(&officer, &only, &ctx()).await.expect("crime");
    let link = CrimeLink::Person { person_id: suspect, role: "suspect".into() };
    assert!(matches!(
        core.link_to_crime(&officer, crime.id, crime.version, &link, &ctx()).await,
        Err(Error::Invalid(e)) if e[0].field == "person_id"
    ));
}
