//! The Store contract for triage and allocation (issue 6): the queue's order and explanations,
//! screening (audited, exclusions honoured, screening out finalises but never un-records), and
//! allocation (caps, accreditation, leave, bulk acceptance in one transaction, two supervisors at
//! once, infeasibility explained) and the backlog figures. Registered in `contract_tests!`.

use bluelamp_core::Error;
use bluelamp_core::access::Principal;
use bluelamp_core::audit::AuditQuery;
use bluelamp_core::core::{By, principal_of};
use bluelamp_core::crime::{Crime, CrimeRole, CrimeStatus, NewCrime};
use bluelamp_core::solvability::Recommendation;
use bluelamp_core::triage::Breach;
use bluelamp_core::triage_use::{Choice, ScreenInput};
use bluelamp_core::user::User;
use chrono::Duration;

use crate::contract::{ctx, two_people};
use crate::{ManualClock, PASSWORD, TestBackend, add_user, core, new_user};

/// An investigator with the given accreditation, division and specialisms.
async fn investigator(
    core: &bluelamp_core::Core,
    username: &str,
    division: &str,
    pip: &str,
    specialisms: &[&str],
) -> User {
    let mut new = new_user(username, &["investigator"]);
    new.division = division.into();
    new.pip_level = pip.into();
    new.specialisms = specialisms.iter().map(|s| s.to_string()).collect();
    new.display_name = format!("PC {username}");
    core.create_user(By::System("test"), &new, Some(PASSWORD), &ctx()).await.expect("investigator")
}

fn crime_of(code: &str, victim: uuid::Uuid, suspect: Option<uuid::Uuid>, flags: &[&str]) -> NewCrime {
    let mut people = vec![(victim, CrimeRole::Victim)];
    if let Some(s) = suspect {
        people.push((s, CrimeRole::Suspect));
    }
    NewCrime {
        offence_code: code.into(),
        location_text: "12 Station Road, Wealdbury".into(),
        modus_operandi: "Reported by telephone".into(),
        flags: flags.iter().map(|f| f.to_string()).collect(),
        people,
        ..Default::default()
    }
}

async fn record(core: &bluelamp_core::Core, by: &Principal, new: &NewCrime) -> Crime {
    core.record_crime(by, new, &ctx()).await.expect("record crime")
}

/// Every recorded, unallocated crime is in the queue, highest priority first, each point explained;
/// the ageing limits alert the supervisor and then the inspector; only those who triage see it.
pub async fn triage_queue_is_ordered_and_explained<B: TestBackend>() {
    let backend = B::new().await;
    let clock = ManualClock::standard();
    let core = core(backend.store(), clock.clone());
    let officer = principal_of(&add_user(&core, "inv.one", &["investigator"]).await);
    let triage = principal_of(&add_user(&core, "tri.one", &["triage"]).await);
    let (victim, suspect) = two_people(&core, By::User(&officer)).await;
    let with_suspect = record(&core, &officer, &crime_of("46", victim, Some(suspect), &[])).await;
    clock.advance(Duration::hours(1));
    let vulnerable = record(&core, &officer, &crime_of("105A", victim, None, &["vulnerable-victim"])).await;
    clock.advance(Duration::hours(1));
    let plain = record(&core, &officer, &crime_of("46", victim, None, &[])).await;

    assert!(
        matches!(core.triage_queue(&officer, &ctx()).await, Err(Error::Forbidden(_))),
        "investigators don't triage"
    );
    let queue = core.triage_queue(&triage, &ctx()).await.expect("queue");
    let order: Vec<&str> = queue.iter().map(|i| i.row.crime.number.as_str()).collect();
    assert_eq!(order, [vulnerable.number.as_str(), with_suspect.number.as_str(), plain.number.as_str()]);
    let reasons: Vec<(&str, i64)> = queue[0].reasons.iter().map(|r| (r.why.as_str(), r.points)).collect();
    assert_eq!(reasons, [("Vulnerable victim", 40), ("Offence: Violence against the person", 20)]);
    assert_eq!(queue[0].priority, 60);
    assert_eq!(queue[1].row.suspects, [suspect], "the store returns the named suspect");
    assert_eq!(queue[1].row.victims, [victim]);
    assert_eq!(queue[1].reasons[0].why, "Named suspect");
    assert!(queue[2].reasons.is_empty());
    let audited = backend
        .store()
        .search_audit(&AuditQuery { action: Some("crime.triage_queue".into()), limit: 50, ..Default::default() })
        .await
        .expect("audit");
    assert_eq!(audited.len(), 1, "the queue view is audited");

    clock.advance(Duration::days(3));
    let queue = core.triage_queue(&triage, &ctx()).await.expect("queue");
    let breach_of = |c: &Crime| queue.iter().find(|i| i.row.crime.id == c.id).map(|i| i.breach);
    assert_eq!(breach_of(&vulnerable), Some(Breach::Inspector), "73 h against a 24 h limit");
    assert_eq!(breach_of(&with_suspect), Some(Breach::Supervisor), "74 h against 72 h");
    assert_eq!(breach_of(&plain), Some(Breach::None), "exactly 72 h is within the limit");
    assert_eq!(core.triage_alerts(&triage).await.expect("alerts"), (2, 1));
    let plain_now = queue.iter().find(|i| i.row.crime.id == plain.id).expect("plain");
    assert_eq!(plain_now.reasons[0].why, "Waiting 3 days", "waiting raises every crime");
    assert_eq!(plain_now.priority, 60);
    assert_eq!(queue[0].row.crime.id, vulnerable.id);
}

/// Screening records the model's score, factors and recommendation with the human decision; an
/// excluded crime is never screened out; going against the recommendation needs a reason; screening
/// out finalises with outcome 18 and the crime stays recorded; desk investigation is a route.
pub async fn screening_is_recorded_audited_and_honours_exclusions<B: TestBackend>() {
    let backend = B::new().await;
    let clock = ManualClock::standard();
    let core = core(backend.store(), clock.clone());
    let officer = principal_of(&add_user(&core, "inv.one", &["investigator"]).await);
    let triage = principal_of(&add_user(&core, "tri.one", &["triage"]).await);
    let (victim, _) = two_people(&core, By::User(&officer)).await;
    let assault = record(&core, &officer, &crime_of("105A", victim, None, &[])).await;
    let domestic = record(&core, &officer, &crime_of("105A", victim, None, &["domestic-abuse"])).await;
    let strong = record(&core, &officer, &crime_of("105A", victim, None, &[])).await;
    let desk = record(&core, &officer, &crime_of("105A", victim, None, &[])).await;
    let screen_out = ScreenInput { decision: "screen-out".into(), ..Default::default() };

    // An excluded crime: refused whatever its answers, and nothing is written.
    let view = core.screening_view(&triage, domestic.id, &ctx()).await.expect("view");
    assert!(view.assessment.exclusion.is_some(), "domestic abuse is excluded");
    match core.screen_crime(&triage, domestic.id, 1, &screen_out, &ctx()).await {
        Err(Error::Invalid(errors)) => assert!(errors.iter().any(|e| e.field == "decision"), "{errors:?}"),
        other => panic!("an excluded crime cannot be screened out: {other:?}"),
    }
    let (screenings, _) = backend.store().crime_triage_history(domestic.id).await.expect("history");
    assert!(screenings.is_empty());

    // No factors present: the model recommends screening out, and the decision follows it.
    let view = core.screening_view(&triage, assault.id, &ctx()).await.expect("view");
    assert!(view.assessment.exclusion.is_none());
    let model = view.assessment.model.clone().expect("a minor assault has a solvability model");
    let out = core.screen_crime(&triage, assault.id, 1, &screen_out, &ctx()).await.expect("screened out");
    assert_eq!((out.status, out.outcome.as_deref(), out.version), (CrimeStatus::Finalised, Some("18"), 2));
    let stored = backend.store().find_crime_by_number(&assault.number).await.expect("find").expect("still recorded");
    assert_eq!((stored.status, stored.outcome.as_deref()), (CrimeStatus::Finalised, Some("18")));
    let (screenings, _) = backend.store().crime_triage_history(assault.id).await.expect("history");
    assert_eq!(screenings.len(), 1);
    let s = &screenings[0];
    assert_eq!((s.model_id.as_str(), s.model_version), (model.id.as_str(), model.version));
    assert_eq!((s.recommendation.as_str(), s.decision.as_str()), ("screen-out", "screen-out"));
    assert!(s.score.is_some() && s.threshold.is_some() && s.factors.is_empty());
    let events = backend
        .store()
        .search_audit(&AuditQuery { action: Some("crime.screen".into()), limit: 50, ..Default::default() })
        .await
        .expect("audit");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event.record_id.as_deref(), Some(assault.id.to_string().as_str()));
    let after = events[0].event.after.clone().unwrap_or_default();
    assert!(after.contains("\"recommendation\":\"screen-out\""), "{after}");
    assert!(core.triage_queue(&triage, &ctx()).await.expect("queue").iter().all(|i| i.row.crime.id != assault.id));

    // Every factor present: screened in; screening out then needs an override reason.
    let all: Vec<String> = model.factors.iter().filter(|f| f.group.is_none()).map(|f| f.key.clone()).collect();
    let against = ScreenInput { factors: all.clone(), decision: "screen-out".into(), override_reason: String::new() };
    match core.screen_crime(&triage, strong.id, 1, &against, &ctx()).await {
        Err(Error::Invalid(errors)) => assert!(errors.iter().any(|e| e.field == "override_reason"), "{errors:?}"),
        other => panic!("an override needs a reason: {other:?}"),
    }
    let view = core.settings.triage.models.assess(
        &bluelamp_core::solvability::ScreeningFacts {
            offence_code: "105A".into(),
            offence_group: bluelamp_core::offence::OffenceGroup::ViolenceAgainstThePerson,
            flags: vec![],
            hate: false,
        },
        &all,
    );
    let score = view.score.expect("scored").expect("valid factors");
    assert_eq!(score.recommendation, Recommendation::ScreenIn);
    let with_reason = ScreenInput { override_reason: "Victim withdrew and CPS advice on file".into(), ..against };
    let overridden = core.screen_crime(&triage, strong.id, 1, &with_reason, &ctx()).await.expect("override");
    assert_eq!(overridden.status, CrimeStatus::Finalised);
    let (screenings, _) = backend.store().crime_triage_history(strong.id).await.expect("history");
    assert_eq!(screenings[0].override_reason, "Victim withdrew and CPS advice on file");
    assert_eq!(screenings[0].factors.len(), all.len());

    // Desk investigation is a route; the crime stays in the queue for the desk team.
    let routed = core
        .screen_crime(&triage, desk.id, 1, &ScreenInput { decision: "desk".into(), ..Default::default() }, &ctx())
        .await
        .expect("desk");
    assert_eq!((routed.status, routed.route.as_str()), (CrimeStatus::Recorded, "desk"));
    let queue = core.triage_queue(&triage, &ctx()).await.expect("queue");
    assert!(queue.iter().any(|i| i.row.crime.id == desk.id && i.row.crime.route == "desk"));
    assert!(matches!(core.screen_crime(&triage, desk.id, 1, &screen_out, &ctx()).await, Err(Error::Conflict(_))));
    let investigator_tries = core.screen_crime(&officer, desk.id, 2, &screen_out, &ctx()).await;
    assert!(matches!(investigator_tries, Err(Error::Forbidden(_))));
}

/// Allocation never passes a cap or lacks the accreditation, explains why no one can take a crime,
/// accepts proposals in bulk in one transaction, and of two supervisors taking the same crime one
/// wins and the other is told.
pub async fn allocation_respects_caps_accreditation_and_concurrency<B: TestBackend>() {
    let backend = B::new().await;
    let clock = ManualClock::standard();
    let core = core(backend.store(), clock.clone());
    let recorder = principal_of(&add_user(&core, "inv.rec", &["investigator"]).await);
    let west = investigator(&core, "inv.west", "West", "pip1", &[]).await;
    let solo = investigator(&core, "inv.solo", "East", "pip2", &["sexual-offences-liaison"]).await;
    let sup = principal_of(&add_user(&core, "sup.one", &["supervisor"]).await);
    let sup2 = principal_of(&add_user(&core, "sup.two", &["supervisor"]).await);
    let (victim, suspect) = two_people(&core, By::User(&recorder)).await;
    let sexual = record(&core, &recorder, &crime_of("17A", victim, Some(suspect), &[])).await;
    let theft = record(&core, &recorder, &crime_of("46", victim, None, &[])).await;
    // The recorder is an investigator too: keep them out by giving them no room.
    core.set_caseload_cap(&sup, recorder.user_id, "1", &ctx()).await.expect("cap");
    let busy = record(&core, &recorder, &crime_of("46", victim, None, &[])).await;
    core.allocate_crime(&sup, busy.id, 1, recorder.user_id, "", &ctx()).await.expect("fill the recorder");

    // A sexual offence to an officer without the accreditation: refused with the reason.
    match core.allocate_crime(&sup, sexual.id, 1, west.id, "", &ctx()).await {
        Err(Error::Invalid(errors)) => {
            assert_eq!(errors[0].field, "officer_id");
            assert!(errors[0].rule.contains(&west.display_name), "{}", errors[0].rule);
        }
        other => panic!("expected refusal, got {other:?}"),
    }

    // Proposals: the sexual offence to the accredited officer, with reasons.
    let proposals = core.propose_allocations(&sup, &ctx()).await.expect("proposals");
    let proposed = |c: &Crime| proposals.plan.proposals.iter().find(|p| p.crime_id == c.id).cloned().expect("proposal");
    assert_eq!(proposed(&sexual).officer_id, Some(solo.id));
    assert!(!proposed(&sexual).reasons.is_empty());
    let theft_officer = proposed(&theft).officer_id.expect("someone can take a theft");
    assert_ne!(theft_officer, recorder.user_id, "never past a cap");

    // Two supervisors accept the same proposal at once: one wins, the other is told.
    let choice = |c: &Crime, officer| Choice {
        crime_id: c.id,
        version: c.version,
        officer_id: officer,
        proposed: Some(officer),
    };
    let (first, second) = ([choice(&sexual, solo.id), choice(&theft, theft_officer)], [choice(&sexual, solo.id)]);
    let (c1, c2) = (ctx(), ctx());
    let (a, b) =
        tokio::join!(core.accept_allocations(&sup, &first, &c1), core.accept_allocations(&sup2, &second, &c2),);
    let (won, lost) = match (a, b) {
        (Ok(w), Err(l)) | (Err(l), Ok(w)) => (w, l),
        other => panic!("exactly one should win: {other:?}"),
    };
    assert!(matches!(lost, Error::Conflict(ref m) if m.contains(&sexual.number)), "{lost:?}");
    assert!(!won.is_empty());
    let stored = backend.store().find_crime(sexual.id).await.expect("find").expect("crime").crime;
    assert_eq!((stored.status, stored.allocated_to, stored.version), (CrimeStatus::Allocated, Some(solo.id), 2));
    let (_, allocations) = backend.store().crime_triage_history(sexual.id).await.expect("history");
    assert_eq!(allocations.len(), 1, "allocated once");
    assert_eq!(allocations[0].officer_id, solo.id);

    // Caps: the theft (if the loser's batch did not carry it) and one more for an officer capped at 1.
    let theft_now = backend.store().find_crime(theft.id).await.expect("find").expect("crime").crime;
    if theft_now.allocated_to.is_none() {
        core.accept_allocations(&sup, &[choice(&theft_now, theft_officer)], &ctx()).await.expect("theft");
    }
    core.set_caseload_cap(&sup, west.id, "1", &ctx()).await.expect("cap");
    core.set_caseload_cap(&sup, solo.id, "1", &ctx()).await.expect("cap");
    let another = record(&core, &recorder, &crime_of("46", victim, None, &[])).await;
    match core.allocate_crime(&sup, another.id, 1, theft_officer, "", &ctx()).await {
        Err(Error::Invalid(errors)) => assert!(errors[0].rule.contains("cap"), "{}", errors[0].rule),
        other => panic!("expected the cap to refuse: {other:?}"),
    }
    let proposals = core.propose_allocations(&sup, &ctx()).await.expect("proposals");
    let p = proposals.plan.proposals.iter().find(|p| p.crime_id == another.id).expect("proposal");
    assert_eq!(p.officer_id, None, "every investigator is at their cap");
    assert!(p.infeasible.as_deref().is_some_and(|why| !why.is_empty()), "and it says why");

    // Leave: an officer away gets nothing, even with room.
    core.set_caseload_cap(&sup, west.id, "10", &ctx()).await.expect("cap");
    let now = clock_now(&core);
    core.record_leave(
        &sup,
        west.id,
        Some(now - Duration::hours(1)),
        Some(now + Duration::days(7)),
        "Annual leave",
        &ctx(),
    )
    .await
    .expect("leave");
    match core.allocate_crime(&sup, another.id, 1, west.id, "", &ctx()).await {
        Err(Error::Invalid(errors)) => assert!(errors[0].rule.contains("leave"), "{}", errors[0].rule),
        other => panic!("expected leave to refuse: {other:?}"),
    }
    match core.record_leave(&sup, west.id, Some(now), Some(now - Duration::hours(1)), "Course", &ctx()).await {
        Err(Error::Invalid(errors)) => assert_eq!(errors[0].field, "ends_at"),
        other => panic!("expected the dates refused: {other:?}"),
    }
    let (profiles, leave) = core.workload(&sup, &ctx()).await.expect("workload");
    assert_eq!(leave.len(), 1);
    let west_profile = profiles.iter().find(|p| p.id == west.id).expect("west");
    assert!(!west_profile.available && west_profile.cap == 10);
    let open: u32 = profiles.iter().map(|p| p.open_crimes).sum();
    assert_eq!(open, 3, "the busy crime, the sexual offence and the theft");
    core.cancel_leave(&sup, leave[0].id, &ctx()).await.expect("cancel leave");
    core.allocate_crime(&sup, another.id, 1, west.id, "Back from leave", &ctx()).await.expect("allocated");
    let (_, allocations) = backend.store().crime_triage_history(another.id).await.expect("history");
    assert_eq!(allocations[0].reasons, ["Chosen by sup.one: Back from leave"]);
}

fn clock_now(core: &bluelamp_core::Core) -> chrono::DateTime<chrono::Utc> {
    core.now()
}

/// A bulk allocation and its audit events commit together or not at all.
pub async fn allocations_are_not_saved_without_audit<B: TestBackend>() {
    let backend = B::new().await;
    let core = core(backend.store(), ManualClock::standard());
    let recorder = principal_of(&add_user(&core, "inv.rec", &["investigator"]).await);
    let sup = principal_of(&add_user(&core, "sup.one", &["supervisor"]).await);
    let (victim, _) = two_people(&core, By::User(&recorder)).await;
    let a = record(&core, &recorder, &crime_of("46", victim, None, &[])).await;
    let b = record(&core, &recorder, &crime_of("46", victim, None, &[])).await;
    backend.break_audit_inserts().await;
    let choices: Vec<Choice> = [&a, &b]
        .iter()
        .map(|c| Choice { crime_id: c.id, version: 1, officer_id: recorder.user_id, proposed: None })
        .collect();
    assert!(core.accept_allocations(&sup, &choices, &ctx()).await.is_err());
    for c in [&a, &b] {
        let stored = backend.store().find_crime(c.id).await.expect("find").expect("crime").crime;
        assert_eq!((stored.version, stored.allocated_to), (1, None));
        assert!(backend.store().crime_triage_history(c.id).await.expect("history").1.is_empty());
    }
}

/// The backlog view counts the queue by age and risk, the day's flow in and out, and the capacity.
pub async fn backlog_counts_the_queue_and_its_flow<B: TestBackend>() {
    let backend = B::new().await;
    let clock = ManualClock::standard();
    let core = core(backend.store(), clock.clone());
    let recorder = principal_of(&add_user(&core, "inv.rec", &["investigator"]).await);
    let sup = principal_of(&add_user(&core, "sup.one", &["supervisor"]).await);
    let (victim, _) = two_people(&core, By::User(&recorder)).await;
    let old = record(&core, &recorder, &crime_of("46", victim, None, &[])).await;
    clock.advance(Duration::days(4));
    let fresh = record(&core, &recorder, &crime_of("105A", victim, None, &["vulnerable-victim"])).await;
    let other = record(&core, &recorder, &crime_of("46", victim, None, &[])).await;
    core.allocate_crime(&sup, other.id, 1, recorder.user_id, "", &ctx()).await.expect("allocate");
    let backlog = core.backlog_view(&sup, 7, &ctx()).await.expect("backlog");
    assert_eq!(backlog.waiting, 2);
    let bands: Vec<(usize, usize)> = backlog.bands.iter().map(|b| (b.high_risk, b.standard)).collect();
    assert_eq!(bands, [(1, 0), (0, 0), (0, 1), (0, 0), (0, 0)]);
    let today = backlog.days.last().expect("today");
    assert_eq!((today.inflow, today.allocated), (2, 1));
    assert_eq!(backlog.days.iter().map(|d| d.inflow).sum::<usize>(), 3);
    assert_eq!((backlog.supervisor_breaches, backlog.inspector_breaches), (1, 0), "4 days against 72 hours");
    assert_eq!(backlog.oldest[0].row.crime.id, old.id);
    assert_eq!(backlog.capacity, 16 - 1, "the default cap less the one open crime");
    assert_eq!(backlog.oldest.len(), 2);
    assert!(backlog.oldest.iter().any(|i| i.row.crime.id == fresh.id));
    assert!(matches!(core.backlog_view(&sup, 0, &ctx()).await, Err(Error::Invalid(_))));
}

/// Whatever the answers and whoever asks, a crime the models exclude is never screened out, and
/// nothing is written when it is refused: every always-excluded flag and a hate strand, each with
/// random factor answers (seeded), with and without an override reason.
pub async fn excluded_crimes_are_never_screened_out<B: TestBackend>() {
    use bluelamp_core::solvability::ALWAYS_EXCLUDED_FLAGS;
    let backend = B::new().await;
    let core = core(backend.store(), ManualClock::standard());
    let officer = principal_of(&add_user(&core, "inv.one", &["investigator"]).await);
    let triage = principal_of(&add_user(&core, "tri.one", &["triage", "supervisor"]).await);
    let (victim, _) = two_people(&core, By::User(&officer)).await;
    let model =
        core.settings.triage.models.model_for("105A", bluelamp_core::offence::OffenceGroup::ViolenceAgainstThePerson);
    let keys: Vec<String> =
        model.expect("a model for 105A").factors.iter().filter(|f| f.group.is_none()).map(|f| f.key.clone()).collect();
    let mut seed: u64 = 0x5eed_0006;
    let mut next = move || {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        seed >> 33
    };
    let mut cases: Vec<NewCrime> =
        ALWAYS_EXCLUDED_FLAGS.iter().map(|f| crime_of("105A", victim, None, &[f.as_str()])).collect();
    cases.push(NewCrime { hate_strands: vec!["religion".into()], ..crime_of("105A", victim, None, &[]) });
    for new in &cases {
        let crime = record(&core, &officer, new).await;
        for _ in 0..4 {
            let factors: Vec<String> = keys.iter().filter(|_| next() % 2 == 0).cloned().collect();
            let reason = if next() % 2 == 0 {
                "The victim has asked us to take no further action".to_string()
            } else {
                String::new()
            };
            let input = ScreenInput { factors, decision: "screen-out".into(), override_reason: reason };
            match core.screen_crime(&triage, crime.id, 1, &input, &ctx()).await {
                Err(Error::Invalid(errors)) => assert!(errors.iter().any(|e| e.field == "decision"), "{errors:?}"),
                other => panic!("{:?} was screened out: {other:?}", new.flags),
            }
        }
        let stored = backend.store().find_crime(crime.id).await.expect("find").expect("crime").crime;
        assert_eq!((stored.status, stored.version, stored.outcome), (CrimeStatus::Recorded, 1, None));
        assert!(backend.store().crime_triage_history(crime.id).await.expect("history").0.is_empty());
    }
}

/// Crimes in the force's auto-allocation categories are allocated as the engine proposes, by the
/// system and marked automatic; a crime with a victim at higher risk in the same category waits for
/// a person, and so does every other category.
pub async fn configured_categories_auto_allocate<B: TestBackend>() {
    use bluelamp_core::offence::OffenceGroup;
    let backend = B::new().await;
    let mut settings = bluelamp_core::Settings::default();
    settings.triage.auto_allocate = vec![OffenceGroup::Theft];
    let core = bluelamp_core::Core::new(backend.store(), ManualClock::standard(), settings);
    let officer = principal_of(&add_user(&core, "inv.one", &["investigator"]).await);
    let (victim, _) = two_people(&core, By::User(&officer)).await;
    let theft = record(&core, &officer, &crime_of("46", victim, None, &[])).await;
    let vulnerable = record(&core, &officer, &crime_of("46", victim, None, &["vulnerable-victim"])).await;
    let assault = record(&core, &officer, &crime_of("105A", victim, None, &[])).await;
    assert_eq!(core.auto_allocate(&ctx()).await.expect("auto"), 1);
    let store = backend.store();
    let stored = |id| {
        let store = store.clone();
        async move { store.find_crime(id).await.expect("find").expect("crime").crime }
    };
    let allocated = stored(theft.id).await;
    assert_eq!((allocated.status, allocated.allocated_to), (CrimeStatus::Allocated, Some(officer.user_id)));
    let (_, allocations) = store.crime_triage_history(theft.id).await.expect("history");
    assert!(allocations[0].automatic && allocations[0].allocated_by.is_none());
    assert!(!allocations[0].reasons.is_empty());
    assert_eq!(stored(vulnerable.id).await.allocated_to, None, "higher risk waits for a person");
    assert_eq!(stored(assault.id).await.allocated_to, None, "not an auto-allocated category");
    assert_eq!(core.auto_allocate(&ctx()).await.expect("again"), 0, "nothing more to do");
}
