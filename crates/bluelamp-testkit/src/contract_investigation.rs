//! The Store contract for investigations and outcomes (issue 7): the plan's actions, reviews on a
//! schedule and their escalation with a fixed clock, every outcome precondition blocking
//! finalisation until met (a case per precondition), authorisation by the right rank, returning,
//! and reopening with the history kept. Registered in `contract_tests!`.

use bluelamp_core::Error;
use bluelamp_core::access::Principal;
use bluelamp_core::audit::AuditQuery;
use bluelamp_core::core::{By, principal_of};
use bluelamp_core::crime::{Crime, CrimeRole, CrimeStatus, NewCrime};
use bluelamp_core::investigation::{ActionInput, ActionKind, ActionStatus, Standing};
use bluelamp_core::investigation_use::DecisionStatus;
use bluelamp_core::outcome::{Availability, EvidenceKind, OutcomeEvidence, SuspectContact};
use bluelamp_core::outcome_stats::Dimension;
use bluelamp_core::user::Rank;
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use uuid::Uuid;

use crate::contract::{ctx, two_people};
use crate::{ManualClock, PASSWORD, TestBackend, add_user, core, new_user};

/// A supervisor of the given rank.
async fn supervisor(core: &bluelamp_core::Core, username: &str, rank: &str) -> Principal {
    let mut new = new_user(username, &["supervisor"]);
    new.rank = rank.into();
    new.display_name = format!("{rank} {username}");
    principal_of(&core.create_user(By::System("test"), &new, Some(PASSWORD), &ctx()).await.expect("supervisor"))
}

fn crime_of(code: &str, victim: Uuid, suspect: Option<Uuid>, flags: &[&str]) -> NewCrime {
    let mut people = vec![(victim, CrimeRole::Victim)];
    if let Some(s) = suspect {
        people.push((s, CrimeRole::Suspect));
    }
    NewCrime {
        offence_code: code.into(),
        location_text: "3 Orchard Close, Wealdbury".into(),
        modus_operandi: "Reported at the front counter".into(),
        flags: flags.iter().map(|f| f.to_string()).collect(),
        people,
        ..Default::default()
    }
}

/// Records a crime and allocates it to `officer` (a supervisor triages it).
async fn allocated(core: &bluelamp_core::Core, officer: &Principal, sup: &Principal, new: &NewCrime) -> Crime {
    let crime = core.record_crime(officer, new, &ctx()).await.expect("record");
    core.allocate_crime(sup, crime.id, crime.version, officer.user_id, "", &ctx()).await.expect("allocate")
}

/// Today's date (the test clocks stand in the morning, when UTC and London agree on the date).
fn today(core: &bluelamp_core::Core) -> NaiveDate {
    core.now().date_naive()
}

fn action(kind: ActionKind, due: NaiveDate) -> ActionInput {
    ActionInput { kind: kind.as_str().into(), due_on: due.format("%Y-%m-%d").to_string(), ..Default::default() }
}

async fn version(core: &bluelamp_core::Core, id: Uuid) -> i64 {
    core.store.find_crime(id).await.expect("find").expect("crime").crime.version
}

/// The fields of the 422 finalising with `code` and `evidence` gives now (empty when it succeeds —
/// which these tests never let it).
async fn unmet_fields(
    core: &bluelamp_core::Core,
    by: &Principal,
    id: Uuid,
    code: &str,
    e: &OutcomeEvidence,
) -> Vec<String> {
    let v = version(core, id).await;
    match core.finalise_crime(by, id, v, code, e, &ctx()).await {
        Err(Error::Invalid(errors)) => errors.into_iter().map(|e| e.field).collect(),
        other => panic!("expected outcome {code} to be refused, got {other:?}"),
    }
}

/// Actions are added, closed with results and counted on the officer's workload; a review is due a
/// set time after allocation (sooner for domestic abuse), goes overdue, escalates, and a review with
/// directions turns them into actions and sets the next due date.
pub async fn investigation_plans_reviews_and_escalation<B: TestBackend>() {
    let backend = B::new().await;
    let clock = ManualClock::standard();
    let core = core(backend.store(), clock.clone());
    let officer = principal_of(&add_user(&core, "inv.one", &["investigator"]).await);
    let sergeant = supervisor(&core, "sgt.one", "sergeant").await;
    let (victim, suspect) = two_people(&core, By::User(&officer)).await;
    let start = core.now();
    let domestic =
        allocated(&core, &officer, &sergeant, &crime_of("105A", victim, Some(suspect), &["domestic-abuse"])).await;
    let theft = allocated(&core, &officer, &sergeant, &crime_of("46", victim, None, &[])).await;
    assert_eq!(domestic.review_due_at, Some(start + Duration::days(3)), "priority: first review in 3 days");
    assert_eq!(theft.review_due_at, Some(start + Duration::days(7)), "first review in 7 days");

    // The plan: a bad action is refused naming each field; a good one defaults to the investigator.
    let past = ActionInput { kind: "cctv".into(), due_on: "2026-11-25".into(), ..Default::default() };
    match core.add_action(&officer, theft.id, &past, &ctx()).await {
        Err(Error::Invalid(e)) => assert_eq!(e.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["due_on"]),
        other => panic!("expected the past due date to be refused, got {other:?}"),
    }
    let cctv = core.add_action(&officer, theft.id, &action(ActionKind::Cctv, today(&core)), &ctx()).await.expect("add");
    assert_eq!((cctv.owner_id, cctv.status), (officer.user_id, ActionStatus::Open));
    let refused = core.update_action(&officer, cctv.crime_id, cctv.id, "done", " ", &ctx()).await;
    assert!(matches!(refused, Err(Error::Invalid(ref e)) if e[0].field == "result"), "{refused:?}");
    let done = core
        .update_action(&officer, cctv.crime_id, cctv.id, "done", "Shop camera overwritten after 7 days", &ctx())
        .await;
    assert_eq!(done.expect("close").status, ActionStatus::Done);
    let h2h = core.add_action(&officer, theft.id, &action(ActionKind::HouseToHouse, today(&core)), &ctx()).await;
    let h2h = h2h.expect("add");

    // Four days on: the domestic-abuse review is overdue by a day; nothing else is.
    clock.advance(Duration::days(4));
    assert!(matches!(core.overdue_reviews(&officer, &ctx()).await, Err(Error::Forbidden(_))));
    let overdue = core.overdue_reviews(&sergeant, &ctx()).await.expect("overdue");
    let listed: Vec<(Uuid, Standing)> = overdue.iter().map(|o| (o.crime_id, o.standing)).collect();
    assert_eq!(listed, [(domestic.id, Standing::Overdue { days: 1 })]);
    let counts = core.supervision_counts(&sergeant).await.expect("counts");
    assert_eq!((counts.overdue, counts.escalated), (1, 0));
    assert_eq!(core.supervision_counts(&officer).await.expect("counts").overdue, 0, "not a supervisor");

    // Twelve days on: the domestic-abuse review is escalated, the theft's is overdue.
    clock.advance(Duration::days(8));
    let overdue = core.overdue_reviews(&sergeant, &ctx()).await.expect("overdue");
    let listed: Vec<(Uuid, Standing)> = overdue.iter().map(|o| (o.crime_id, o.standing)).collect();
    assert_eq!(listed, [(domestic.id, Standing::Escalated { days: 9 }), (theft.id, Standing::Overdue { days: 5 })]);
    let counts = core.supervision_counts(&sergeant).await.expect("counts");
    assert_eq!((counts.overdue, counts.escalated), (2, 1));

    // A review needs notes and the permission; its directions become actions.
    let v = version(&core, domestic.id).await;
    let no_notes = core.review_investigation(&sergeant, domestic.id, v, "ok", &[], &ctx()).await;
    assert!(matches!(no_notes, Err(Error::Invalid(ref e)) if e[0].field == "notes"), "{no_notes:?}");
    let notes = "Plan reviewed: BWV not yet viewed; victim engagement to continue";
    assert!(matches!(
        core.review_investigation(&officer, domestic.id, v, notes, &[], &ctx()).await,
        Err(Error::Forbidden(_))
    ));
    let bad = ActionInput { kind: "ouija".into(), due_on: "2026-12-20".into(), ..Default::default() };
    match core
        .review_investigation(
            &sergeant,
            domestic.id,
            v,
            notes,
            &[action(ActionKind::BodyWornVideo, today(&core)), bad],
            &ctx(),
        )
        .await
    {
        Err(Error::Invalid(e)) => {
            assert_eq!(e.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["directions.2.kind"])
        }
        other => panic!("expected the bad direction to be named, got {other:?}"),
    }
    let directions = [action(ActionKind::BodyWornVideo, today(&core) + chrono::Days::new(2))];
    let review =
        core.review_investigation(&sergeant, domestic.id, v, notes, &directions, &ctx()).await.expect("review");
    assert_eq!(review.next_due, core.now() + Duration::days(14), "priority: next review in 14 days");
    let inv = backend.store().investigation(domestic.id).await.expect("investigation");
    assert_eq!(inv.reviews, std::slice::from_ref(&review));
    assert_eq!(inv.actions.len(), 1);
    assert_eq!((inv.actions[0].kind, inv.actions[0].review_id), (ActionKind::BodyWornVideo, Some(review.id)));
    assert_eq!(inv.actions[0].owner_id, officer.user_id, "a direction goes to the investigator by default");
    let stored = backend.store().find_crime(domestic.id).await.expect("find").expect("crime").crime;
    assert_eq!((stored.review_due_at, stored.version), (Some(review.next_due), v + 1));
    let overdue = core.overdue_reviews(&sergeant, &ctx()).await.expect("overdue");
    assert_eq!(overdue.iter().map(|o| o.crime_id).collect::<Vec<_>>(), [theft.id], "reviewed: off the list");

    // The officer's workload: both crimes, reviews' standing, open actions across them.
    let workload = core.workload_of(&officer, None, &ctx()).await.expect("workload");
    let crimes: Vec<(Uuid, Option<Standing>)> = workload.crimes.iter().map(|(c, s)| (c.id, *s)).collect();
    assert_eq!(crimes, [(theft.id, Some(Standing::Overdue { days: 5 })), (domestic.id, Some(Standing::OnTime))]);
    let open: Vec<Uuid> = workload.actions.iter().map(|a| a.action.id).collect();
    assert_eq!(open, [h2h.id, inv.actions[0].id], "soonest due first");
    assert_eq!(workload.actions[0].crime_number, theft.number);
    assert!(
        matches!(
            core.workload_of(
                &principal_of(&add_user(&core, "inv.two", &["investigator"]).await),
                Some(officer.user_id),
                &ctx()
            )
            .await,
            Err(Error::Forbidden(_))
        ),
        "another investigator's workload is not theirs to see"
    );
    assert_eq!(core.workload_of(&sergeant, Some(officer.user_id), &ctx()).await.expect("sup").crimes.len(), 2);
    let audited = backend
        .store()
        .search_audit(&AuditQuery { action: Some("crime.review".into()), limit: 10, ..Default::default() })
        .await
        .expect("audit");
    assert_eq!(audited.len(), 1);
}

fn full_16(today: NaiveDate) -> OutcomeEvidence {
    OutcomeEvidence {
        victim_non_support_on: Some(today),
        victim_non_support_how: "Withdrawal statement taken in person at her home".into(),
        evidence_led_decision: "No evidence-led prosecution: BWV shows no injury, no independent witness".into(),
        evidence_considered: EvidenceKind::ALL.iter().map(|k| (*k, Availability::NotAvailable)).collect(),
        suspect_contact: Some(SuspectContact::Interviewed),
        suspect_contact_note: String::new(),
        ..Default::default()
    }
}

/// Every precondition of outcome 16 on a domestic-abuse crime blocks finalising until it is met,
/// one case at a time, with nothing written by a refusal; then the other outcomes' rules: 1–8 need a
/// suspect or offender, 18 the mandatory lines of enquiry, 21 and 22 a rationale and a named
/// suspect (22 a completed diversion), 23 is refused before it came into force.
pub async fn outcome_preconditions_block_finalising_until_met<B: TestBackend>() {
    let backend = B::new().await;
    let clock = ManualClock::standard();
    let core = core(backend.store(), clock.clone());
    let officer = principal_of(&add_user(&core, "inv.one", &["investigator"]).await);
    let sergeant = supervisor(&core, "sgt.one", "sergeant").await;
    let (victim, suspect) = two_people(&core, By::User(&officer)).await;
    let no_suspect = allocated(&core, &officer, &sergeant, &crime_of("105A", victim, None, &["domestic-abuse"])).await;
    let day = today(&core);

    // Outcome 16 with nothing recorded: every rule is named at once.
    let everything = [
        "people",
        "victim_non_support_on",
        "victim_non_support_how",
        "plan",
        "evidence_led_decision",
        "evidence_considered.body-worn-video",
        "evidence_considered.999-call",
        "evidence_considered.independent-witnesses",
        "evidence_considered.photographed-injuries",
        "suspect_contact",
    ];
    assert_eq!(unmet_fields(&core, &officer, no_suspect.id, "16", &OutcomeEvidence::default()).await, everything);
    let v = version(&core, no_suspect.id).await;
    let inv = backend.store().investigation(no_suspect.id).await.expect("investigation");
    assert!(inv.decisions.is_empty(), "a refusal writes nothing");

    // A case per precondition: everything met but one thing.
    let crime =
        allocated(&core, &officer, &sergeant, &crime_of("105A", victim, Some(suspect), &["domestic-abuse"])).await;
    let full = full_16(day);
    let cases: Vec<(&str, OutcomeEvidence, Vec<&str>)> = vec![
        (
            "non-support date missing",
            OutcomeEvidence { victim_non_support_on: None, ..full.clone() },
            vec!["victim_non_support_on"],
        ),
        (
            "non-support dated after finalising",
            OutcomeEvidence { victim_non_support_on: Some(day + chrono::Days::new(1)), ..full.clone() },
            vec!["victim_non_support_on"],
        ),
        (
            "how non-support was obtained",
            OutcomeEvidence { victim_non_support_how: "phone".into(), ..full.clone() },
            vec!["victim_non_support_how"],
        ),
        (
            "evidence-led decision",
            OutcomeEvidence { evidence_led_decision: String::new(), ..full.clone() },
            vec!["evidence_led_decision"],
        ),
        (
            "999 call not considered",
            OutcomeEvidence {
                evidence_considered: full
                    .evidence_considered
                    .iter()
                    .filter(|(k, _)| *k != EvidenceKind::Call999)
                    .cloned()
                    .collect(),
                ..full.clone()
            },
            vec!["evidence_considered.999-call"],
        ),
        ("suspect contact", OutcomeEvidence { suspect_contact: None, ..full.clone() }, vec!["suspect_contact"]),
        (
            "not contacted without a reason",
            OutcomeEvidence { suspect_contact: Some(SuspectContact::NotContacted), ..full.clone() },
            vec!["suspect_contact_note"],
        ),
        ("engagement attempts (none yet)", full.clone(), vec!["plan"]),
    ];
    for (case, evidence, expected) in &cases {
        let mut fields = unmet_fields(&core, &officer, crime.id, "16", evidence).await;
        if *case != "engagement attempts (none yet)" {
            fields.retain(|f| f != "plan");
        }
        assert_eq!(&fields, expected, "{case}");
    }
    // Engagement: a domestic-abuse crime needs two completed attempts; an open one does not count.
    let first =
        core.add_action(&officer, crime.id, &action(ActionKind::VictimEngagement, day), &ctx()).await.expect("add");
    core.update_action(
        &officer,
        first.crime_id,
        first.id,
        "done",
        "Visited; victim frightened, IDVA referral made",
        &ctx(),
    )
    .await
    .expect("done");
    let second =
        core.add_action(&officer, crime.id, &action(ActionKind::VictimEngagement, day), &ctx()).await.expect("add");
    assert_eq!(unmet_fields(&core, &officer, crime.id, "16", &full).await, ["plan"], "one attempt of two");
    core.update_action(
        &officer,
        second.crime_id,
        second.id,
        "done",
        "Called; victim maintains she will not support",
        &ctx(),
    )
    .await
    .expect("done");
    // Nothing is left unmet: outcome 16 is proposed, not final (it needs an inspector here).
    let v16 = version(&core, crime.id).await;
    let (after, decision) = core.finalise_crime(&officer, crime.id, v16, "16", &full, &ctx()).await.expect("propose");
    assert_eq!(after.status, CrimeStatus::Allocated, "still open until authorised");
    assert_eq!(
        (decision.status, decision.authoriser_rank),
        (DecisionStatus::AwaitingAuthorisation, Some(Rank::Inspector))
    );
    let again = core.finalise_crime(&officer, crime.id, v16 + 1, "16", &full, &ctx()).await;
    assert!(matches!(again, Err(Error::Conflict(_))), "one pending decision at a time: {again:?}");
    assert_eq!(version(&core, no_suspect.id).await, v);

    // Outcomes 1–8 need a suspect or offender.
    for code in ["1", "2", "3", "4", "5", "6", "7", "8"] {
        assert_eq!(
            unmet_fields(&core, &officer, no_suspect.id, code, &OutcomeEvidence::default()).await,
            ["people"],
            "{code}"
        );
    }
    // Outcome 18 on a burglary needs CCTV, house-to-house and forensics done or closed.
    let burglary = allocated(&core, &officer, &sergeant, &crime_of("28E", victim, None, &[])).await;
    assert_eq!(unmet_fields(&core, &officer, burglary.id, "18", &OutcomeEvidence::default()).await, ["plan"]);
    for (kind, result) in [
        (ActionKind::Cctv, "No cameras overlook the rear of the house"),
        (ActionKind::HouseToHouse, "Twelve doors, nothing seen or heard"),
    ] {
        let a = core.add_action(&officer, burglary.id, &action(kind, day), &ctx()).await.expect("add");
        core.update_action(&officer, a.crime_id, a.id, "done", result, &ctx()).await.expect("done");
    }
    let v18 = version(&core, burglary.id).await;
    match core.finalise_crime(&officer, burglary.id, v18, "18", &OutcomeEvidence::default(), &ctx()).await {
        Err(Error::Invalid(e)) => {
            assert_eq!(e.len(), 1);
            assert!(e[0].rule.ends_with("Complete or close these lines of enquiry: Forensics"), "{}", e[0].rule);
        }
        other => panic!("expected forensics to be missing, got {other:?}"),
    }
    let forensics =
        core.add_action(&officer, burglary.id, &action(ActionKind::Forensics, day), &ctx()).await.expect("add");
    core.update_action(
        &officer,
        forensics.crime_id,
        forensics.id,
        "not-possible",
        "Scene rained on before CSI could attend",
        &ctx(),
    )
    .await
    .expect("closed");
    let (closed, decision) = core
        .finalise_crime(&officer, burglary.id, v18, "18", &OutcomeEvidence::default(), &ctx())
        .await
        .expect("outcome 18 needs no authorisation");
    assert_eq!(
        (closed.status, closed.outcome.as_deref(), decision.status),
        (CrimeStatus::Finalised, Some("18"), DecisionStatus::Final)
    );

    // 21 and 22 need a rationale and a named suspect; 22 also a completed diversion.
    assert_eq!(
        unmet_fields(&core, &officer, no_suspect.id, "21", &OutcomeEvidence::default()).await,
        ["people", "rationale", "victim_informed_on"]
    );
    assert_eq!(
        unmet_fields(&core, &officer, no_suspect.id, "22", &OutcomeEvidence::default()).await,
        ["people", "rationale", "diversion_completed_on"]
    );
    assert_eq!(unmet_fields(&core, &officer, no_suspect.id, "99", &OutcomeEvidence::default()).await, ["outcome"]);

    // Outcome 23 did not exist in 2025.
    let backend = B::new().await;
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2025, 6, 2, 10, 0, 0).single().expect("time"));
    let core = crate::core(backend.store(), clock);
    let officer = principal_of(&add_user(&core, "inv.one", &["investigator"]).await);
    let sergeant = supervisor(&core, "sgt.one", "sergeant").await;
    let (victim, suspect) = two_people(&core, By::User(&officer)).await;
    let crime = allocated(&core, &officer, &sergeant, &crime_of("46", victim, Some(suspect), &[])).await;
    let evidence =
        OutcomeEvidence { rationale: "Child suspect; deferred prosecution agreed".into(), ..Default::default() };
    let v = version(&core, crime.id).await;
    match core.finalise_crime(&officer, crime.id, v, "23", &evidence, &ctx()).await {
        Err(Error::Invalid(e)) => {
            assert_eq!(e[0].field, "outcome");
            assert!(e[0].rule.contains("not valid on 2 June 2025"), "{}", e[0].rule);
        }
        other => panic!("expected outcome 23 to be refused in 2025, got {other:?}"),
    }
}

/// Outcome 16 on a domestic-abuse crime: the investigator and a sergeant may not authorise it (403
/// with the reason), nor the inspector who proposed one; an inspector does and the crime is
/// finalised; reopening puts it back under investigation with its plan and every decision kept.
/// A supervisor may also return a proposal with a note.
pub async fn outcomes_are_authorised_returned_and_reopened<B: TestBackend>() {
    let backend = B::new().await;
    let clock = ManualClock::standard();
    let core = core(backend.store(), clock.clone());
    let officer = principal_of(&add_user(&core, "inv.one", &["investigator"]).await);
    let sergeant = supervisor(&core, "sgt.one", "sergeant").await;
    let inspector = supervisor(&core, "insp.one", "inspector").await;
    let (victim, suspect) = two_people(&core, By::User(&officer)).await;
    let crime =
        allocated(&core, &officer, &sergeant, &crime_of("105A", victim, Some(suspect), &["domestic-abuse"])).await;
    let day = today(&core);
    for note in ["Visited; victim will not give a statement", "Called again after a week; same answer"] {
        let a =
            core.add_action(&officer, crime.id, &action(ActionKind::VictimEngagement, day), &ctx()).await.expect("add");
        core.update_action(&officer, a.crime_id, a.id, "done", note, &ctx()).await.expect("done");
    }
    let v = version(&core, crime.id).await;
    core.finalise_crime(&officer, crime.id, v, "16", &full_16(day), &ctx()).await.expect("propose");

    // Returned with a note: the crime stays open and can be proposed again.
    let short = core.return_outcome(&sergeant, crime.id, v + 1, "no", &ctx()).await;
    assert!(matches!(short, Err(Error::Invalid(ref e)) if e[0].field == "note"), "{short:?}");
    let returned = core
        .return_outcome(&sergeant, crime.id, v + 1, "Speak to the neighbour who called 999 first", &ctx())
        .await
        .expect("return");
    assert_eq!(returned.status, DecisionStatus::Returned);
    core.finalise_crime(&officer, crime.id, v + 2, "16", &full_16(day), &ctx()).await.expect("propose again");
    let v = v + 3;

    let refusal = |r: Result<_, Error>| match r {
        Err(Error::Forbidden(why)) => why,
        other => panic!("expected a 403, got {other:?}"),
    };
    let why = refusal(core.authorise_outcome(&officer, crime.id, v, "", &ctx()).await);
    assert!(why.contains("supervise"), "{why}");
    let why = refusal(core.authorise_outcome(&sergeant, crime.id, v, "", &ctx()).await);
    assert!(why.contains("Inspector") && why.contains("Sergeant"), "{why}");
    assert_eq!(version(&core, crime.id).await, v, "a refusal writes nothing");

    let (finalised, decision) =
        core.authorise_outcome(&inspector, crime.id, v, "Checked the BWV myself", &ctx()).await.expect("authorise");
    assert_eq!((finalised.status, finalised.outcome.as_deref()), (CrimeStatus::Finalised, Some("16")));
    assert_eq!((decision.status, decision.decided_by), (DecisionStatus::Final, Some(inspector.user_id)));
    let again = core.authorise_outcome(&inspector, crime.id, v + 1, "", &ctx()).await;
    assert!(matches!(again, Err(Error::Invalid(_))), "nothing awaits authorisation now: {again:?}");

    // Reopening: the plan, reviews and both decisions stay; the final one is marked reopened.
    clock.advance(Duration::days(2));
    assert!(matches!(
        core.reopen_crime(&officer, crime.id, v + 1, "New witness came forward", &ctx()).await,
        Err(Error::Forbidden(_))
    ));
    let reopened = core
        .reopen_crime(&sergeant, crime.id, v + 1, "Neighbour gave a statement: evidence-led case possible", &ctx())
        .await;
    let reopened = reopened.expect("reopen");
    assert_eq!(
        (reopened.status, reopened.outcome.clone(), reopened.finalised_at),
        (CrimeStatus::UnderInvestigation, None, None)
    );
    assert_eq!(reopened.review_due_at, Some(core.now() + Duration::days(3)), "a fresh first review");
    let inv = backend.store().investigation(crime.id).await.expect("investigation");
    let statuses: Vec<DecisionStatus> = inv.decisions.iter().map(|d| d.status).collect();
    assert_eq!(statuses, [DecisionStatus::Returned, DecisionStatus::Reopened]);
    let last = &inv.decisions[1];
    assert_eq!(last.reopen_reason, "Neighbour gave a statement: evidence-led case possible");
    assert_eq!(last.decided_by, Some(inspector.user_id), "who authorised it is kept");
    assert_eq!(last.evidence, full_16(day), "the evidence it was decided on is kept");
    assert_eq!(inv.actions.len(), 2, "the plan is kept");

    // On a crime that is not domestic abuse a sergeant may authorise 16, but not their own proposal.
    let plain = allocated(&core, &officer, &sergeant, &crime_of("105A", victim, Some(suspect), &[])).await;
    let a = core
        .add_action(&officer, plain.id, &action(ActionKind::VictimEngagement, today(&core)), &ctx())
        .await
        .expect("add");
    core.update_action(&officer, a.crime_id, a.id, "done", "Victim declined to support at the scene", &ctx())
        .await
        .expect("done");
    let v = version(&core, plain.id).await;
    let (_, proposed) =
        core.finalise_crime(&sergeant, plain.id, v, "16", &full_16(today(&core)), &ctx()).await.expect("propose");
    assert_eq!(proposed.authoriser_rank, Some(Rank::Sergeant));
    let why = refusal(core.authorise_outcome(&sergeant, plain.id, v + 1, "", &ctx()).await);
    assert!(why.contains("You proposed this outcome"), "{why}");
    let other_sergeant = supervisor(&core, "sgt.two", "sergeant").await;
    core.authorise_outcome(&other_sergeant, plain.id, v + 1, "", &ctx()).await.expect("a sergeant authorises");
}

/// An outcome decision and its audit event commit together or not at all.
pub async fn outcome_decisions_are_not_saved_without_audit<B: TestBackend>() {
    let backend = B::new().await;
    let core = core(backend.store(), ManualClock::standard());
    let officer = principal_of(&add_user(&core, "inv.one", &["investigator"]).await);
    let sergeant = supervisor(&core, "sgt.one", "sergeant").await;
    let (victim, suspect) = two_people(&core, By::User(&officer)).await;
    let crime = allocated(&core, &officer, &sergeant, &crime_of("105A", victim, Some(suspect), &[])).await;
    let a = core
        .add_action(&officer, crime.id, &action(ActionKind::VictimEngagement, today(&core)), &ctx())
        .await
        .expect("add");
    core.update_action(&officer, a.crime_id, a.id, "done", "Victim declined to support at the scene", &ctx())
        .await
        .expect("done");
    let v = version(&core, crime.id).await;
    backend.break_audit_inserts().await;
    assert!(core.finalise_crime(&officer, crime.id, v, "16", &full_16(today(&core)), &ctx()).await.is_err());
    assert!(core.add_action(&officer, crime.id, &action(ActionKind::Cctv, today(&core)), &ctx()).await.is_err());
    let notes = "Reviewed the plan; nothing further to add at this point";
    assert!(core.review_investigation(&sergeant, crime.id, v, notes, &[], &ctx()).await.is_err());
    let inv = backend.store().investigation(crime.id).await.expect("investigation");
    assert!(inv.decisions.is_empty() && inv.reviews.is_empty());
    assert_eq!(inv.actions.len(), 1);
    assert_eq!(version(&core, crime.id).await, v);
}

/// Finalises a crime as outcome 16 the way an investigator must: one engagement attempt done,
/// the evidence recorded, proposed, then authorised by `authoriser`.
async fn close_as_16(core: &bluelamp_core::Core, officer: &Principal, authoriser: &Principal, id: Uuid) -> Crime {
    let a =
        core.add_action(officer, id, &action(ActionKind::VictimEngagement, today(core)), &ctx()).await.expect("add");
    core.update_action(officer, a.crime_id, a.id, "done", "Victim declined to support at the scene", &ctx())
        .await
        .expect("done");
    let v = version(core, id).await;
    core.finalise_crime(officer, id, v, "16", &full_16(today(core)), &ctx()).await.expect("propose");
    core.authorise_outcome(authoriser, id, v + 1, "", &ctx()).await.expect("authorise").0
}

/// The outcome mix on a fixed data set: by crime type, team and officer, this period against the
/// last, outcome 16 as a share of outcomes and of recorded crimes, and the drill-down to exactly
/// the crimes behind a cell.
pub async fn outcome_analytics_on_a_fixed_data_set<B: TestBackend>() {
    let backend = B::new().await;
    let clock = ManualClock::standard();
    let core = core(backend.store(), clock.clone());
    let response = principal_of(&add_user(&core, "inv.one", &["investigator"]).await);
    let mut cid = new_user("inv.cid", &["investigator"]);
    cid.team = "CID".into();
    let cid = principal_of(&core.create_user(By::System("test"), &cid, Some(PASSWORD), &ctx()).await.expect("cid"));
    let sergeant = supervisor(&core, "sgt.one", "sergeant").await;
    let analyst = principal_of(&add_user(&core, "ana.one", &["analyst"]).await);
    let (victim, suspect) = two_people(&core, By::User(&response)).await;

    // Previous period (the 7 days before): one assault closed 16, one theft closed 20.
    let a = allocated(&core, &response, &sergeant, &crime_of("105A", victim, Some(suspect), &[])).await;
    close_as_16(&core, &response, &sergeant, a.id).await;
    let b = allocated(&core, &response, &sergeant, &crime_of("46", victim, None, &[])).await;
    crate::finalise_plainly(&core, &response, b.id, version(&core, b.id).await).await.expect("20");
    clock.advance(Duration::days(7));
    let middle = core.now();
    // This period: Response closes two assaults as 16 and a theft as 20; CID one assault as 16 and
    // records a theft it leaves open.
    let mut sixteen = Vec::new();
    for _ in 0..2 {
        let c = allocated(&core, &response, &sergeant, &crime_of("105A", victim, Some(suspect), &[])).await;
        sixteen.push(close_as_16(&core, &response, &sergeant, c.id).await.id);
    }
    let t = allocated(&core, &response, &sergeant, &crime_of("46", victim, None, &[])).await;
    crate::finalise_plainly(&core, &response, t.id, version(&core, t.id).await).await.expect("20");
    let c = allocated(&core, &cid, &sergeant, &crime_of("105A", victim, Some(suspect), &[])).await;
    let cid_16 = close_as_16(&core, &cid, &sergeant, c.id).await;
    allocated(&core, &cid, &sergeant, &crime_of("46", victim, None, &[])).await;
    clock.advance(Duration::hours(1));
    let end = core.now();

    assert!(matches!(
        core.outcome_analytics(&response, middle, end, Dimension::CrimeType, &ctx()).await,
        Err(Error::Forbidden(_))
    ));
    let by_type = core.outcome_analytics(&analyst, middle, end, Dimension::CrimeType, &ctx()).await.expect("analytics");
    assert_eq!((by_type.current_total, by_type.previous_total), (4, 0), "the previous period is the same length");
    assert_eq!((by_type.current_recorded, by_type.previous_recorded), (5, 0));
    let by_week = core
        .outcome_analytics(&analyst, middle, middle + Duration::days(7), Dimension::CrimeType, &ctx())
        .await
        .expect("analytics");
    assert_eq!((by_week.current_total, by_week.previous_total), (4, 2));
    let watched = by_week.watched().expect("16");
    assert_eq!((watched.current, watched.previous), (3, 1));
    assert_eq!((watched.current_share, watched.previous_share), (75.0, 50.0));
    assert_eq!(by_week.watched_of_recorded(), (Some(60.0), Some(50.0)), "3 of 5 recorded; 1 of 2 before");
    let groups: Vec<(&str, u64, u64, Option<f64>)> =
        by_week.groups.iter().map(|g| (g.label.as_str(), g.current, g.previous, g.watched_share)).collect();
    assert_eq!(groups, [("Violence against the person", 3, 1, Some(100.0)), ("Theft", 1, 1, Some(0.0))]);

    let by_team = core.outcome_analytics(&analyst, middle, end, Dimension::Team, &ctx()).await.expect("analytics");
    let teams: Vec<(&str, u64)> = by_team.groups.iter().map(|g| (g.key.as_str(), g.current)).collect();
    assert_eq!(teams, [("Response A", 3), ("CID", 1)]);
    let by_officer =
        core.outcome_analytics(&analyst, middle, end, Dimension::Officer, &ctx()).await.expect("analytics");
    let officers: Vec<(String, u64)> = by_officer.groups.iter().map(|g| (g.key.clone(), g.current)).collect();
    assert_eq!(officers, [(response.user_id.to_string(), 3), (cid.user_id.to_string(), 1)]);

    // Drill-down: exactly the crimes behind a cell.
    let key = response.user_id.to_string();
    let records = core
        .outcome_records(&analyst, middle, end, Dimension::Officer, Some(&key), Some("16"), 100, &ctx())
        .await
        .expect("records");
    let mut ids: Vec<Uuid> = records.iter().map(|c| c.id).collect();
    ids.sort();
    sixteen.sort();
    assert_eq!(ids, sixteen);
    let cid_records = core
        .outcome_records(&analyst, middle, end, Dimension::Team, Some("CID"), None, 100, &ctx())
        .await
        .expect("records");
    assert_eq!(cid_records.iter().map(|c| c.id).collect::<Vec<_>>(), [cid_16.id]);
    let types = core
        .outcome_records(&analyst, middle, end, Dimension::CrimeType, Some("theft"), Some("20"), 100, &ctx())
        .await
        .expect("records");
    assert_eq!(types.iter().map(|c| c.id).collect::<Vec<_>>(), [t.id]);
    // Every group at once: the force's outcome-16 crimes of the period.
    let all = core
        .outcome_records(&analyst, middle, end, Dimension::Team, None, Some("16"), 100, &ctx())
        .await
        .expect("records");
    let mut all: Vec<Uuid> = all.iter().map(|c| c.id).collect();
    all.sort();
    let mut expected = [sixteen.clone(), vec![cid_16.id]].concat();
    expected.sort();
    assert_eq!(all, expected);
}

/// Samples are reproducible from their seed, stratified samples take every stratum, each file is
/// reviewed once against the rubric, and the statistics read "n of m files good" with a trend.
pub async fn casefile_samples_are_reproducible_and_reviewed<B: TestBackend>() {
    use bluelamp_core::casefile::{Answers, Criterion, Judgement};
    use bluelamp_core::casefile_use::SampleInput;
    let backend = B::new().await;
    let clock = ManualClock::standard();
    let core = core(backend.store(), clock.clone());
    let officer = principal_of(&add_user(&core, "inv.one", &["investigator"]).await);
    let sergeant = supervisor(&core, "sgt.one", "sergeant").await;
    let auditor = principal_of(&add_user(&core, "aud.one", &["auditor"]).await);
    let (victim, suspect) = two_people(&core, By::User(&officer)).await;
    let first_day = today(&core);
    let mut closed = Vec::new();
    for n in 0..12 {
        let c = allocated(&core, &officer, &sergeant, &crime_of("46", victim, None, &[])).await;
        closed.push(crate::finalise_plainly(&core, &officer, c.id, version(&core, c.id).await).await.expect("20").id);
        if n % 4 == 0 {
            let d = allocated(&core, &officer, &sergeant, &crime_of("105A", victim, Some(suspect), &[])).await;
            closed.push(close_as_16(&core, &officer, &sergeant, d.id).await.id);
        }
    }
    let input = |seed: &str, stratify: &str, size: &str| SampleInput {
        from: first_day.format("%Y-%m-%d").to_string(),
        to: today(&core).format("%Y-%m-%d").to_string(),
        size: size.into(),
        seed: seed.into(),
        stratify: stratify.into(),
        ..Default::default()
    };
    assert!(matches!(
        core.draw_casefile_sample(&officer, &input("42", "none", "5"), &ctx()).await,
        Err(Error::Forbidden(_))
    ));
    match core.draw_casefile_sample(&sergeant, &input("x", "sideways", "0"), &ctx()).await {
        Err(Error::Invalid(e)) => {
            assert_eq!(e.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["stratify", "seed"]);
        }
        other => panic!("expected the bad fields to be named, got {other:?}"),
    }
    let one = core.draw_casefile_sample(&sergeant, &input("42", "none", "5"), &ctx()).await.expect("draw");
    let two = core.draw_casefile_sample(&auditor, &input("42", "none", "5"), &ctx()).await.expect("draw");
    assert_eq!((one.population, one.seed), (15, 42));
    let files =
        |view: bluelamp_core::casefile_use::SampleView| view.items.iter().map(|i| i.crime_id).collect::<Vec<_>>();
    let a = files(core.casefile_sample(&sergeant, one.id, &ctx()).await.expect("sample"));
    let b = files(core.casefile_sample(&auditor, two.id, &ctx()).await.expect("sample"));
    assert_eq!(a, b, "the same seed draws the same files");
    assert_eq!(a.len(), 5);
    assert!(a.iter().all(|id| closed.contains(id)));
    let stratified = core.draw_casefile_sample(&sergeant, &input("7", "outcome", "4"), &ctx()).await.expect("draw");
    let view = core.casefile_sample(&sergeant, stratified.id, &ctx()).await.expect("sample");
    let mut outcomes: Vec<&str> = view.items.iter().map(|i| i.outcome.as_str()).collect();
    outcomes.dedup();
    assert_eq!(outcomes, ["16", "20"], "every stratum is drawn, in stratum order");

    // Reviews against the rubric: 3 of 5 good overall, 4 of 5 good victim care.
    let good = |criterion: Criterion, j: Judgement| (criterion, j);
    for (n, crime_id) in a.iter().enumerate() {
        let overall = if n < 3 { Judgement::Good } else { Judgement::NotGood };
        let care = if n < 4 { Judgement::Good } else { Judgement::NotGood };
        let answers = Answers {
            judgements: vec![
                good(Criterion::InvestigationStandard, overall),
                good(Criterion::Supervision, Judgement::Good),
                good(Criterion::VictimCare, care),
                good(Criterion::OutcomeCorrect, Judgement::Good),
            ],
            overall: Some(overall),
            notes: if n < 3 { String::new() } else { "CCTV never requested; victim not updated".into() },
        };
        core.review_casefile(&auditor, one.id, *crime_id, &answers, &ctx()).await.expect("review");
        if n == 0 {
            let again = core.review_casefile(&sergeant, one.id, *crime_id, &answers, &ctx()).await;
            assert!(matches!(again, Err(Error::Conflict(_))), "a file is reviewed once: {again:?}");
            let partial = Answers { judgements: answers.judgements[..2].to_vec(), ..answers.clone() };
            let refused = core.review_casefile(&sergeant, two.id, *crime_id, &partial, &ctx()).await;
            assert!(matches!(refused, Err(Error::Invalid(_))), "every criterion is answered: {refused:?}");
            let outsider = core.review_casefile(&sergeant, two.id, Uuid::now_v7(), &answers, &ctx()).await;
            assert!(matches!(outsider, Err(Error::NotFound)), "only files in the sample: {outsider:?}");
        }
    }
    let view = core.casefile_sample(&sergeant, one.id, &ctx()).await.expect("sample");
    assert!(view.items.iter().all(|i| i.reviewed));
    assert_eq!(view.reviews.len(), 5);
    let (stats, trend) = core
        .casefile_statistics(&sergeant, core.now() - Duration::days(1), core.now() + Duration::days(1), &ctx())
        .await
        .expect("stats");
    assert_eq!(stats.overall.sentence(), "3 of 5 files good (60%)");
    let care = stats.by_criterion.iter().find(|(c, _)| *c == Criterion::VictimCare).expect("care").1;
    assert_eq!((care.good, care.reviewed), (4, 5));
    assert_eq!(trend.len(), 1);
    assert_eq!(trend[0].2.reviewed, 5);
}
