//! The generated-force contract (issue 5): a small force bulk-loaded through `Store::bulk_load` reads
//! back through the stores' ordinary queries exactly as generated, its audit chain verifies, the
//! next crime recorded by hand takes the next number, an interrupted run resumes to the same
//! result, and a database holding anything else is refused before a row is written.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use bluelamp_core::audit::AuditQuery;
use bluelamp_core::core::By;
use bluelamp_core::crime::CrimeRole;
use bluelamp_core::person::PersonSearch;
use bluelamp_generate::run::{self, Refusal};
use bluelamp_generate::{Generator, Spec};
use chrono::{Duration, TimeZone, Utc};

use crate::contract::ctx;
use crate::{ManualClock, TestBackend, add_user, core};

/// A force small enough for a test: every part, several batches of people.
fn spec(seed: u64) -> Spec {
    let until = Utc.with_ymd_and_hms(2026, 11, 26, 0, 0, 0).single().unwrap_or_default();
    Spec {
        people: 30_000,
        crimes: 1_500,
        incidents: 4_000,
        officers: 120,
        years: 2,
        ..Spec::profile(bluelamp_generate::Profile::Small, 2, seed, until)
    }
}

async fn generate(store: &dyn bluelamp_core::store::Store, g: &Arc<Generator>, stop: &AtomicBool) -> run::Summary {
    let now = g.spec.until;
    run::generate(store, g.clone(), now, &|_| {}, stop).await.unwrap_or_else(|e| panic!("generate: {e}"))
}

/// Generated records read back as made; the chain verifies; counters continue; searches find them.
pub async fn a_generated_force_reads_back_and_verifies<B: TestBackend>() {
    let backend = B::new().await;
    let store = backend.store();
    let g = Arc::new(Generator::new(spec(11)));
    let summary = generate(store.as_ref(), &g, &AtomicBool::new(false)).await;
    assert!(!summary.interrupted && !summary.already_complete);
    assert_eq!(summary.batches_total, run::plan(&g).len());
    let events = summary.audit_events;
    assert!(events as usize > g.spec.people + g.spec.crimes + g.other_incidents(), "{summary:?}");

    // Officers, people, crimes and incidents, through the ordinary queries.
    let officer = g.officer(5);
    let user = store.find_user_by_username(&officer.username).await.expect("find").expect("officer");
    assert_eq!((user.id, user.division.as_str(), user.rank), (officer.id, officer.division.as_str(), officer.rank));
    let p = g.person(1234);
    let person = store.find_person(p.id).await.expect("find").expect("person");
    assert_eq!(person.names[0].surname, p.surname);
    assert_eq!(person.date_of_birth, Some(p.date_of_birth));
    let j = 777;
    let c = g.crime(j);
    let record = store.find_crime(c.id).await.expect("find").expect("crime");
    assert_eq!(
        (record.crime.number.as_str(), record.crime.offence_code.as_str()),
        (c.number.as_str(), c.offence.code.as_str())
    );
    assert_eq!(record.crime.incident_id, c.incident);
    // Outcomes and review dates read back (issue 7): one finalised crime and one open allocated one.
    let finalised = (0..g.spec.crimes).map(|j| g.crime(j)).find(|c| c.outcome.is_some()).expect("a finalised crime");
    let stored = store.find_crime(finalised.id).await.expect("find").expect("crime").crime;
    assert_eq!(stored.outcome.as_deref(), finalised.outcome);
    let open = (0..g.spec.crimes).map(|j| g.crime(j)).find(|c| c.review_due_at.is_some()).expect("an open crime");
    let stored = store.find_crime(open.id).await.expect("find").expect("crime").crime;
    assert_eq!(stored.review_due_at, open.review_due_at);
    let victim = c.people.iter().find(|(_, r)| *r == CrimeRole::Victim).map(|(k, _)| g.person(*k).id);
    assert!(record.people.iter().any(|l| Some(l.person_id) == victim && l.role == CrimeRole::Victim));
    if let Some(incident) = g.crime_incident(j, &c) {
        let stored = store.find_incident(incident.id).await.expect("find").expect("incident");
        assert_eq!(stored.incident.reference, incident.reference);
        assert_eq!(stored.thrive.len(), 1);
        assert_eq!(stored.thrive[0].entries.len(), 6);
    }
    let other = g.incident(100);
    let stored = store.find_incident(other.id).await.expect("find").expect("incident");
    assert_eq!((stored.incident.opening_category.as_str(), stored.incident.status), (other.category, other.status));
    assert!(!stored.log.is_empty());

    // The trail verifies, and every generated event says so.
    let clock = ManualClock::new(g.spec.until + Duration::hours(9));
    let core = core(store.clone(), clock);
    assert_eq!(core.verify_audit().await.expect("verify runs"), Ok(events));
    let recorded = store
        .search_audit(&AuditQuery { action: Some("crime.record".into()), limit: 10, ..Default::default() })
        .await
        .expect("audit");
    assert!(!recorded.is_empty() && recorded.iter().all(|e| e.event.is_generated));

    // The person search finds a generated person; the next crime takes the year's next number.
    let officer = bluelamp_core::core::principal_of(&add_user(&core, "inv.after", &["investigator"]).await);
    let search = PersonSearch {
        name: format!("{} {}", p.forenames, p.surname),
        date_of_birth: Some(p.date_of_birth),
        ..Default::default()
    };
    let found = core.search_people(By::User(&officer), &search, 5, &ctx()).await.expect("search");
    assert_eq!(found.first().map(|m| m.person.id), Some(p.id));
    let this_year = g.year_counters().last().copied().expect("a year");
    let theft = crate::contract::shop_theft(g.person(1).id, g.person(2).id);
    let crime = core.record_crime(&officer, &theft, &ctx()).await.expect("crime");
    assert_eq!(crime.number, format!("CR-{}-{:06}", this_year.0, this_year.1 + 1));

    // Running it again writes nothing.
    let again = generate(store.as_ref(), &g, &AtomicBool::new(false)).await;
    assert!(again.already_complete && again.rows == 0);
}

/// Stopped after its first batch, a run resumes where it stopped and ends with the same force.
pub async fn an_interrupted_generation_resumes_to_the_same_force<B: TestBackend>() {
    let (whole, halves) = (B::new().await, B::new().await);
    let g = Arc::new(Generator::new(Spec { people: 3_000, crimes: 300, incidents: 800, officers: 40, ..spec(12) }));
    generate(whole.store().as_ref(), &g, &AtomicBool::new(false)).await;
    let first = generate(halves.store().as_ref(), &g, &AtomicBool::new(true)).await;
    assert!(first.interrupted && first.resumed_from == 0);
    let progress = halves.store().generated_force().await.expect("read").expect("progress");
    assert_eq!((progress.batches_done, progress.finished_at), (1, None));
    // Meanwhile the secondary indexes are set aside (so this one cannot be dropped)…
    assert!(halves.try_exec("DROP INDEX person_name_by_forename_surname").await.is_err());
    let rest = generate(halves.store().as_ref(), &g, &AtomicBool::new(false)).await;
    assert!(!rest.interrupted && rest.resumed_from == 1);
    for backend in [&whole, &halves] {
        let store = backend.store();
        let c = g.crime(299);
        assert_eq!(store.find_crime(c.id).await.expect("find").map(|r| r.crime.number), Some(c.number));
        assert!(store.find_person(g.person(2_999).id).await.expect("find").is_some());
        let done = store.generated_force().await.expect("read").expect("progress");
        assert!(done.finished_at.is_some());
        let core = core(store.clone(), ManualClock::standard());
        assert!(core.verify_audit().await.expect("verify runs").is_ok());
    }
    let count = |s: Arc<dyn bluelamp_core::store::Store>| async move {
        s.search_audit(&AuditQuery { action: Some("person.create".into()), limit: 10_000, ..Default::default() })
            .await
            .expect("audit")
            .len()
    };
    assert_eq!(count(whole.store()).await, count(halves.store()).await);
    // …and at the end they are back on both.
    whole.exec("DROP INDEX person_name_by_forename_surname").await;
    halves.exec("DROP INDEX person_name_by_forename_surname").await;
}

/// Another force, or records not generated, are refused before anything is written.
pub async fn generation_refuses_a_database_holding_anything_else<B: TestBackend>() {
    let backend = B::new().await;
    let store = backend.store();
    let g = Arc::new(Generator::new(Spec { people: 1_000, crimes: 100, incidents: 300, officers: 20, ..spec(13) }));
    generate(store.as_ref(), &g, &AtomicBool::new(false)).await;
    let other = Arc::new(Generator::new(Spec { people: 1_000, crimes: 100, incidents: 300, officers: 20, ..spec(14) }));
    let refused = run::generate(store.as_ref(), other, g.spec.until, &|_| {}, &AtomicBool::new(false)).await;
    assert!(matches!(refused, Err(Refusal::OtherForce { .. })), "{refused:?}");

    let used = B::new().await;
    let core = core(used.store(), ManualClock::standard());
    let officer = bluelamp_core::core::principal_of(&add_user(&core, "inv.one", &["investigator"]).await);
    crate::contract::two_people(&core, By::User(&officer)).await;
    let audit_before = core.verify_audit().await.expect("verify").expect("verifies");
    let refused = run::generate(used.store().as_ref(), g.clone(), g.spec.until, &|_| {}, &AtomicBool::new(false)).await;
    assert!(matches!(refused, Err(Refusal::NotEmpty)), "{refused:?}");
    assert!(refused.err().is_some_and(|e| e.to_string().contains("nothing was written")));
    assert!(used.store().generated_force().await.expect("read").is_none());
    assert_eq!(core.verify_audit().await.expect("verify"), Ok(audit_before));
}
