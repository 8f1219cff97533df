//! Demo investigations and outcomes (issue 7), through the real use cases with the clock set to
//! each step's time. Every crime allocated more than two days ago gets a plan — the lines of enquiry
//! its type needs, most done with a result, some not possible — and its supervisor's reviews on the
//! schedule, except a few left to fall overdue (some far enough to escalate). Crimes allocated more
//! than a fortnight ago are finalised with the outcome their facts support: a charge, a community
//! resolution, 16 (victim does not support, each precondition recorded and authorised by a sergeant,
//! or an inspector or above for domestic abuse), 15, 18 (no suspect, mandatory enquiries done) or 14.
//! One domestic-abuse crime is left with outcome 16 proposed and awaiting an inspector, another
//! with an investigator's plan half done, so the authorisation queue and the outcome form have
//! something to show. Finally a supervisor draws a case-file sample and reviews some of it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use bluelamp_core::access::Principal;
use bluelamp_core::audit::RequestContext;
use bluelamp_core::casefile::{Answers, Criterion, Judgement};
use bluelamp_core::casefile_use::SampleInput;
use bluelamp_core::core::principal_of;
use bluelamp_core::crime::{Crime, CrimeFlag, CrimeRole, CrimeStatus};
use bluelamp_core::investigation::{ActionInput, ActionKind};
use bluelamp_core::outcome::{Availability, EvidenceKind, OutcomeEvidence, SuspectContact};
use bluelamp_core::{Core, Settings};
use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::demo_incidents::SetClock;

/// What each line of enquiry found, by kind: done, or not possible.
fn result(kind: ActionKind, found: bool) -> &'static str {
    use ActionKind::*;
    match (kind, found) {
        (Cctv, true) => "Footage from the corner shop seized; suspect's face not visible",
        (Cctv, false) => "No cameras cover the address; council camera faces the other way",
        (HouseToHouse, true) => "Fourteen doors: one neighbour heard shouting at about 23:00",
        (HouseToHouse, false) => "Rural address with no neighbours in sight",
        (Forensics, true) => "CSI lifted two partial marks from the rear window",
        (Forensics, false) => "Scene cleaned by the victim before CSI could attend",
        (WitnessStatements, true) => "Statement taken from the independent witness",
        (WitnessStatements, false) => "Witness moved away and cannot be traced",
        (BodyWornVideo, true) => "BWV of first account reviewed and retained",
        (BodyWornVideo, false) => "Attending officer's camera failed; noted on the log",
        (MedicalEvidence, true) => "Medical notes obtained with consent",
        (MedicalEvidence, false) => "Victim declined medical examination",
        (VictimEngagement, _) => "Victim visited with the IDVA; she does not wish to support a prosecution",
        (SuspectInterview, true) => "Suspect interviewed under caution; no comment",
        (SuspectInterview, false) => "Suspect not traced at known addresses",
        (DigitalDevices, true) => "Phone downloaded; messages support the account",
        (DigitalDevices, false) => "Victim declined to hand over her phone",
        (Call999, true) => "999 recording obtained and listened to",
        (Call999, false) => "No 999 call: reported online",
        (Other, _) => "Enquiry complete",
    }
}

fn set(clock: &Mutex<DateTime<Utc>>, at: DateTime<Utc>) {
    if let Ok(mut now) = clock.lock() {
        *now = at;
    }
}

fn day_of(at: DateTime<Utc>) -> String {
    at.with_timezone(&chrono_tz::Europe::London).date_naive().format("%Y-%m-%d").to_string()
}

/// What the demo made.
#[derive(Debug, Default, Clone, Copy)]
pub struct Made {
    pub actions: usize,
    pub reviews: usize,
    pub finalised: usize,
    pub awaiting: usize,
    pub files_reviewed: usize,
}

/// Plans, reviews, outcomes and a case-file sample over the demo's allocated crimes.
pub async fn load(core: &Core) -> anyhow::Result<Made> {
    let mut rng = StdRng::seed_from_u64(0x1e57);
    let ctx = RequestContext::default();
    let now = Utc::now();
    let clock = Arc::new(SetClock(Mutex::new(now)));
    let demo = Core::new(core.store.clone(), clock.clone(), Settings { ..core.settings.clone() });
    let sergeant = principal_of(&core.get_user_by_username("supervisor").await?);
    let inspector = principal_of(&core.get_user_by_username("dci.harlow").await?);
    let mut people: HashMap<uuid::Uuid, Principal> = HashMap::new();
    let mut crimes: Vec<Crime> = core
        .store
        .list_recent_crimes(100_000)
        .await?
        .into_iter()
        .filter(|c| c.status == CrimeStatus::Allocated && c.allocated_at.is_some_and(|at| at < now - Duration::days(2)))
        .collect();
    crimes.sort_by_key(|c| c.allocated_at);
    // People who may be named as suspects: those already linked to the demo's crimes.
    let mut pool = Vec::new();
    for crime in crimes.iter().take(200) {
        if let Some(record) = core.store.find_crime(crime.id).await? {
            pool.extend(record.people.iter().map(|p| p.person_id));
        }
    }
    pool.sort();
    pool.dedup();
    let mut made = Made::default();
    let mut left_awaiting = false;
    for (n, crime) in crimes.iter().enumerate() {
        let (Some(officer_id), Some(allocated_at)) = (crime.allocated_to, crime.allocated_at) else { continue };
        let officer = match people.entry(officer_id) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let Some(user) = core.store.find_user(officer_id).await? else { continue };
                e.insert(principal_of(&user))
            }
        };
        let officer = &*officer;
        let age = now - allocated_at;
        let record = core.store.find_crime(crime.id).await?.ok_or_else(|| anyhow::anyhow!("crime vanished"))?;
        let mut suspect = record.people.iter().any(|p| p.role == CrimeRole::Suspect);
        let domestic = crime.flags.contains(&CrimeFlag::DomesticAbuse);
        let planned_at = allocated_at + Duration::hours(20);
        set(&clock.0, planned_at);
        // A suspect named in the first days for many crimes against the person (most domestic abuse).
        let likely = if domestic {
            0.8
        } else if crime.offence_group == bluelamp_core::offence::OffenceGroup::ViolenceAgainstThePerson {
            0.5
        } else {
            0.2
        };
        if !suspect && !pool.is_empty() && rng.random_bool(likely) {
            let person = pool[rng.random_range(0..pool.len())];
            if record.people.iter().all(|p| p.person_id != person) {
                let link = bluelamp_core::pole::CrimeLink::Person { person_id: person, role: "suspect".into() };
                suspect = demo.link_to_crime(officer, crime.id, record.crime.version, &link, &ctx).await.is_ok();
            }
        }

        // The plan, made the day after allocation: the mandatory lines for its type, and engagement.
        let mut kinds: Vec<ActionKind> = demo.settings.investigation.mandatory.required(crime.offence_group).to_vec();
        if kinds.is_empty() {
            kinds.push(ActionKind::WitnessStatements);
        }
        if suspect {
            kinds.push(ActionKind::SuspectInterview);
            kinds.push(ActionKind::VictimEngagement);
            if domestic {
                kinds.push(ActionKind::VictimEngagement);
            }
        }
        let mut actions = Vec::new();
        for (k, kind) in kinds.iter().enumerate() {
            let input = ActionInput {
                kind: kind.as_str().into(),
                description: String::new(),
                owner: String::new(),
                due_on: day_of(planned_at + Duration::days(3 + k as i64 * 2)),
            };
            if let Ok(action) = demo.add_action(officer, crime.id, &input, &ctx).await {
                actions.push(action);
                made.actions += 1;
            }
        }
        // Most lines closed as the days pass; the newest crimes' plans are still open.
        for (k, action) in actions.iter().enumerate() {
            let closed_at = planned_at + Duration::days(2 + k as i64 * 2);
            if closed_at > now - Duration::hours(1) || rng.random_bool(0.1) {
                continue;
            }
            set(&clock.0, closed_at);
            let found = rng.random_bool(0.7);
            let status = if found || action.kind == ActionKind::VictimEngagement { "done" } else { "not-possible" };
            demo.update_action(officer, crime.id, action.id, status, result(action.kind, found), &ctx).await?;
        }

        // Reviews on the schedule, except about one crime in eight, left to go overdue.
        let skip_reviews = n % 8 == 3;
        let mut due = core.store.find_crime(crime.id).await?.and_then(|r| r.crime.review_due_at);
        while let Some(at) = due.filter(|at| *at < now && !skip_reviews) {
            let review_at = at - Duration::hours(rng.random_range(1..20));
            set(&clock.0, review_at.max(planned_at));
            let version = core.store.find_crime(crime.id).await?.map(|r| r.crime.version).unwrap_or(0);
            let notes = if rng.random_bool(0.3) {
                "Plan reviewed with the OIC. Chase the outstanding enquiries; update the victim this week."
            } else {
                "Reviewed: lines of enquiry proportionate and progressing; victim updated; no further directions."
            };
            match demo.review_investigation(&sergeant, crime.id, version, notes, &[], &ctx).await {
                Ok(review) => {
                    made.reviews += 1;
                    due = Some(review.next_due);
                }
                Err(_) => break,
            }
        }

        // Finalising after a fortnight, with the outcome the facts support.
        if age < Duration::days(14) {
            continue;
        }
        let decided_at = (allocated_at + Duration::days(rng.random_range(12..40))).min(now - Duration::hours(2));
        set(&clock.0, decided_at);
        let today = decided_at.with_timezone(&chrono_tz::Europe::London).date_naive();
        let version = core.store.find_crime(crime.id).await?.map(|r| r.crime.version).unwrap_or(0);
        let investigation = core.store.investigation(crime.id).await?;
        let engaged = investigation
            .actions
            .iter()
            .filter(|a| {
                a.kind == ActionKind::VictimEngagement && a.status != bluelamp_core::investigation::ActionStatus::Open
            })
            .count();
        let (code, evidence) = if suspect {
            let roll = rng.random_range(0..100);
            if engaged >= if domestic { 2 } else { 1 } && (roll < 45 || domestic && roll < 70) {
                let evidence = OutcomeEvidence {
                    victim_non_support_on: Some(today - chrono::Days::new(2)),
                    victim_non_support_how: "Withdrawal statement taken in person, IDVA present".into(),
                    evidence_led_decision: "Considered: no independent witness; BWV shows no visible injury".into(),
                    evidence_considered: EvidenceKind::ALL
                        .iter()
                        .map(|k| {
                            (
                                *k,
                                if *k == EvidenceKind::BodyWornVideo {
                                    Availability::Available
                                } else {
                                    Availability::NotAvailable
                                },
                            )
                        })
                        .collect(),
                    suspect_contact: Some(if rng.random_bool(0.6) {
                        SuspectContact::Interviewed
                    } else {
                        SuspectContact::Contacted
                    }),
                    ..Default::default()
                };
                ("16", evidence)
            } else if roll < 75 {
                ("1", OutcomeEvidence::default())
            } else if roll < 88 {
                ("8", OutcomeEvidence::default())
            } else {
                (
                    "15",
                    OutcomeEvidence {
                        rationale: "Victim supports but the evidence does not meet the threshold".into(),
                        ..Default::default()
                    },
                )
            }
        } else if rng.random_bool(0.8) {
            ("18", OutcomeEvidence::default())
        } else {
            (
                "14",
                OutcomeEvidence {
                    victim_non_support_on: Some(today - chrono::Days::new(1)),
                    victim_non_support_how: "Victim told the OIC by telephone she wants no further action".into(),
                    ..Default::default()
                },
            )
        };
        let Ok((_, decision)) = demo.finalise_crime(officer, crime.id, version, code, &evidence, &ctx).await else {
            continue;
        };
        if decision.status == bluelamp_core::investigation_use::DecisionStatus::AwaitingAuthorisation {
            if domestic && !left_awaiting {
                left_awaiting = true;
                made.awaiting += 1;
                continue;
            }
            set(&clock.0, (decided_at + Duration::hours(rng.random_range(2..30))).min(now - Duration::minutes(1)));
            let authoriser = if domestic { &inspector } else { &sergeant };
            if authoriser.user_id == officer.user_id {
                continue;
            }
            if demo
                .authorise_outcome(authoriser, crime.id, version + 1, "Checked the file; agreed", &ctx)
                .await
                .is_err()
            {
                continue;
            }
        }
        made.finalised += 1;
    }

    // The supervisor draws a case-file sample of the last 90 days and reviews most of it.
    set(&clock.0, now - Duration::hours(3));
    let input = SampleInput {
        from: day_of(now - Duration::days(90)),
        to: day_of(now),
        size: "12".into(),
        seed: "20261127".into(),
        stratify: "outcome".into(),
        ..Default::default()
    };
    if let Ok(sample) = demo.draw_casefile_sample(&sergeant, &input, &ctx).await {
        let view = demo.casefile_sample(&sergeant, sample.id, &ctx).await?;
        for (k, item) in view.items.iter().enumerate().take(9) {
            let good = k % 4 != 2;
            let care = k % 5 != 4;
            let judge = |ok: bool| if ok { Judgement::Good } else { Judgement::NotGood };
            let answers = Answers {
                judgements: vec![
                    (Criterion::InvestigationStandard, judge(good)),
                    (Criterion::Supervision, judge(k % 3 != 1)),
                    (Criterion::VictimCare, judge(care)),
                    (Criterion::OutcomeCorrect, judge(item.outcome != "16" || good)),
                ],
                overall: Some(judge(good)),
                notes: if good && care && k % 3 != 1 {
                    String::new()
                } else {
                    "Supervisor accepted the plan without challenge; victim not updated for three weeks".into()
                },
            };
            if demo.review_casefile(&sergeant, sample.id, item.crime_id, &answers, &ctx).await.is_ok() {
                made.files_reviewed += 1;
            }
        }
    }
    Ok(made)
}
