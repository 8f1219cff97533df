//! Investigations and outcomes over HTTP (issue 7), on both databases: the domestic-abuse outcome 16
//! from proposal to an inspector's authority and reopening, over the API; outcome 23 refused before
//! it came into force (the clock set to June 2025); the investigation page and the outcome form with
//! every unmet rule named; actions added and closed, and a supervisor's review with directions, by
//! form; the supervisors' lists, the home page's alerts and another officer's workload. (Every route
//! × every role is in `http.rs`'s matrix.)

mod common;

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::StatusCode;
use bluelamp_core::Core;
use bluelamp_core::access::Principal;
use bluelamp_core::audit::{AuditQuery, RequestContext};
use bluelamp_core::core::{By, principal_of};
use bluelamp_core::crime::{Crime, CrimeRole, NewCrime};
use bluelamp_core::investigation::ActionInput;
use bluelamp_core::outcome::{Availability, EvidenceKind, OutcomeEvidence, SuspectContact};
use bluelamp_core::person::NewPerson;
use bluelamp_testkit::{ManualClock, PASSWORD, TestBackend, add_user, new_user};
use bluelamp_web::{AppState, WebConfig, router};
use chrono::{Duration, TimeZone, Utc};
use common::Reply;
use uuid::Uuid;

const FORM: &str = "application/x-www-form-urlencoded";
const JSON: &str = "application/json";

struct TestApp<B: TestBackend> {
    backend: B,
    core: Core,
    clock: Arc<ManualClock>,
    router: Router,
    /// An investigator of constable rank, with the domestic-abuse specialism.
    investigator: Principal,
    /// Supervisors: a sergeant (who also allocates) and an inspector.
    sergeant: Principal,
    victim: Uuid,
    suspect: Uuid,
}

fn ctx() -> RequestContext {
    RequestContext::default()
}

impl<B: TestBackend> TestApp<B> {
    async fn new() -> Self {
        Self::at(ManualClock::standard()).await
    }

    async fn at(clock: Arc<ManualClock>) -> Self {
        let backend = B::new().await;
        let core = Core::new(backend.store(), clock.clone(), bluelamp_core::Settings::default());
        let investigator = principal_of(&add_user(&core, "inv", &["investigator"]).await);
        let supervisor = |username: &str, rank: &str| {
            let mut new = new_user(username, &["supervisor"]);
            new.rank = rank.into();
            new.display_name = format!("{rank} {username}");
            new
        };
        let sergeant = core
            .create_user(By::System("test"), &supervisor("sgt", "sergeant"), Some(PASSWORD), &ctx())
            .await
            .expect("sergeant");
        core.create_user(By::System("test"), &supervisor("insp", "inspector"), Some(PASSWORD), &ctx())
            .await
            .expect("inspector");
        let person = |forenames: &str, surname: &str| NewPerson {
            forenames: forenames.into(),
            surname: surname.into(),
            ..Default::default()
        };
        let victim =
            core.create_person(By::User(&investigator), &person("Jane", "Smith"), true, &ctx()).await.expect("victim");
        let suspect =
            core.create_person(By::User(&investigator), &person("Sam", "Okoro"), true, &ctx()).await.expect("suspect");
        let router = router(AppState::new(core.clone(), WebConfig::default()));
        TestApp {
            backend,
            core,
            clock,
            router,
            investigator,
            sergeant: principal_of(&sergeant),
            victim: victim.id,
            suspect: suspect.id,
        }
    }

    async fn session(&self, username: &str) -> String {
        self.core.sign_in(username, PASSWORD, &ctx()).await.expect("sign in").token
    }

    async fn get(&self, path: &str, token: &str) -> Reply {
        common::request(&self.router, path, Some(token), None).await
    }

    async fn post(&self, path: &str, token: &str, content_type: &str, body: impl Into<Body>) -> Reply {
        common::request(&self.router, path, Some(token), Some((content_type, body.into()))).await
    }

    /// A crime recorded by the investigator with the victim (and the suspect, when asked), allocated
    /// to them by the sergeant.
    async fn allocated(&self, code: &str, flags: &[&str], with_suspect: bool) -> Crime {
        let mut people = vec![(self.victim, CrimeRole::Victim)];
        if with_suspect {
            people.push((self.suspect, CrimeRole::Suspect));
        }
        let new = NewCrime {
            offence_code: code.into(),
            location_text: "3 Orchard Close, Wealdbury".into(),
            modus_operandi: "Reported at the front counter".into(),
            flags: flags.iter().map(|f| f.to_string()).collect(),
            people,
            ..Default::default()
        };
        let crime = self.core.record_crime(&self.investigator, &new, &ctx()).await.expect("record");
        self.core
            .allocate_crime(&self.sergeant, crime.id, crime.version, self.investigator.user_id, "", &ctx())
            .await
            .expect("allocate")
    }

    async fn version(&self, id: Uuid) -> i64 {
        self.backend.store().find_crime(id).await.expect("find").expect("crime").crime.version
    }
}

/// The fields of an API error, in order.
fn fields(reply: &Reply) -> Vec<String> {
    reply.json()["fields"]
        .as_array()
        .map(|all| all.iter().map(|f| f["field"].as_str().unwrap_or("").to_string()).collect())
        .unwrap_or_default()
}

/// The rule given for a field of an API error.
fn rule_for(reply: &Reply, field: &str) -> String {
    reply.json()["fields"]
        .as_array()
        .and_then(|all| all.iter().find(|f| f["field"] == field))
        .and_then(|f| f["rule"].as_str())
        .unwrap_or("")
        .to_string()
}

/// Everything outcome 16 needs recorded on the form, as JSON fields.
const FULL_16: &str = r#""victim_non_support_on":"2026-11-26",
    "victim_non_support_how":"Withdrawal statement taken in person at her home",
    "evidence_led_decision":"No evidence-led prosecution: BWV shows no injury, no independent witness",
    "evidence_considered":{"body-worn-video":"available","999-call":"not-available",
        "independent-witnesses":"not-available","photographed-injuries":"not-available"},
    "suspect_contact":"interviewed""#;

/// Domestic-abuse outcome 16 over the API: every unmet rule named at once; engagement recorded in
/// the plan; proposed, not finalised; refused to a sergeant (the inspector's rank named) and to the
/// investigator; authorised by an inspector; reopened with the reason, the decision and the plan
/// kept.
async fn domestic_abuse_outcome_16_needs_an_inspector<B: TestBackend>() {
    let app = TestApp::<B>::new().await;
    let crime = app.allocated("105A", &["domestic-abuse"], true).await;
    let investigator = app.session("inv").await;
    let sergeant = app.session("sgt").await;
    let inspector = app.session("insp").await;
    let base = format!("/api/v1/crimes/{}", crime.id);
    let v = crime.version;

    let bare = app
        .post(&format!("{base}/finalise"), &investigator, JSON, format!(r#"{{"version":{v},"outcome":"16"}}"#))
        .await;
    assert_eq!(bare.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bare.body);
    let named = fields(&bare);
    for field in [
        "victim_non_support_on",
        "victim_non_support_how",
        "plan",
        "evidence_led_decision",
        "evidence_considered.body-worn-video",
        "evidence_considered.999-call",
        "evidence_considered.independent-witnesses",
        "evidence_considered.photographed-injuries",
        "suspect_contact",
    ] {
        assert!(named.iter().any(|f| f == field), "{field} is named: {named:?}");
    }
    assert!(rule_for(&bare, "plan").contains("needs 2 completed victim-engagement attempts"), "{}", bare.body);
    assert!(rule_for(&bare, "suspect_contact").contains("interviewed, contacted or not contacted"));

    let unreadable = app
        .post(
            &format!("{base}/finalise"),
            &investigator,
            JSON,
            format!(r#"{{"version":{v},"outcome":"16","victim_non_support_on":"last Tuesday","evidence_considered":{{"dashcam":"available"}},"suspect_contact":"waved"}}"#),
        )
        .await;
    assert_eq!(unreadable.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&unreadable), ["victim_non_support_on", "evidence_considered", "suspect_contact"]);
    assert!(rule_for(&unreadable, "evidence_considered").contains("'dashcam' is not a kind of evidence"));

    // Two engagement attempts in the plan, closed as done.
    for visit in ["Visited at home; frightened, IDVA referral made", "Phoned; confirmed she will not support"] {
        let added = app
            .post(
                &format!("{base}/actions"),
                &investigator,
                JSON,
                r#"{"kind":"victim-engagement","due_on":"2026-11-27"}"#,
            )
            .await;
        assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
        assert_eq!(added.json()["owner_id"], app.investigator.user_id.to_string(), "the investigator by default");
        assert_eq!(added.json()["status"], "open");
        let action = added.json()["id"].as_str().unwrap_or("").to_string();
        let unexplained =
            app.post(&format!("{base}/actions/{action}"), &investigator, JSON, r#"{"status":"done"}"#).await;
        assert_eq!(fields(&unexplained), ["result"]);
        let done = app
            .post(
                &format!("{base}/actions/{action}"),
                &investigator,
                JSON,
                format!(r#"{{"status":"done","result":"{visit}"}}"#),
            )
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert_eq!(done.json()["status"], "done");
        let elsewhere = format!("/api/v1/crimes/{}/actions/{action}", Uuid::now_v7());
        assert_eq!(
            app.post(&elsewhere, &investigator, JSON, r#"{"status":"open"}"#).await.status,
            StatusCode::NOT_FOUND,
            "an action is changed only at its own crime's address"
        );
    }

    let proposed = app
        .post(
            &format!("{base}/finalise"),
            &investigator,
            JSON,
            format!(r#"{{"version":{v},"outcome":"16",{FULL_16}}}"#),
        )
        .await;
    assert_eq!(proposed.status, StatusCode::OK, "{}", proposed.body);
    let body = proposed.json();
    assert_eq!(body["decision"]["status"], "awaiting-authorisation");
    assert_eq!(body["decision"]["authoriser_rank"], "inspector");
    assert_eq!(body["decision"]["code"], "16");
    assert_eq!(body["crime"]["status"], "allocated", "still open while it awaits authorisation");
    assert_eq!(body["crime"]["outcome"], serde_json::Value::Null);
    let v = body["crime"]["version"].as_i64().unwrap_or(0);
    let again = app
        .post(
            &format!("{base}/finalise"),
            &investigator,
            JSON,
            format!(r#"{{"version":{v},"outcome":"16",{FULL_16}}}"#),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "one proposal at a time");
    assert!(again.json()["message"].as_str().unwrap_or("").contains("already awaits authorisation"));

    let page = app.get(&format!("/crimes/{}/investigation?done=proposed", crime.id), &investigator).await;
    assert!(page.body.contains("Outcome 16 proposed: awaiting authorisation by an Inspector"), "{}", page.body);
    assert!(page.body.contains("Withdrawal statement taken in person at her home"), "the evidence is shown");
    assert!(!page.body.contains("Authorise outcome 16"), "no authorising without crime.supervise");
    assert!(!page.body.contains(&format!("href=\"/crimes/{}/outcome\"", crime.id)), "no second proposal");
    let shown = app.get(&format!("{base}/investigation"), &investigator).await.json();
    assert_eq!(shown["decisions"][0]["status"], "awaiting-authorisation");
    assert_eq!(shown["decisions"][0]["evidence"]["evidence_considered"]["body-worn-video"], "available");
    assert_eq!(shown["decisions"][0]["evidence"]["suspect_contact"], "interviewed");
    assert_eq!(shown["facts"]["engagement_attempts"], 2);
    assert_eq!(shown["facts"]["domestic_abuse"], true);
    assert_eq!(shown["actions"].as_array().map(Vec::len), Some(2));
    assert_eq!(shown["standing"]["state"], "on-time");

    let pending = app.get("/api/v1/investigations/authorisations", &inspector).await.json();
    assert_eq!(pending[0]["crime"]["id"], crime.id.to_string());
    assert_eq!(pending[0]["decision"]["authoriser_rank"], "inspector");

    let by_sergeant =
        app.post(&format!("{base}/outcome/authorise"), &sergeant, JSON, format!(r#"{{"version":{v}}}"#)).await;
    assert_eq!(by_sergeant.status, StatusCode::FORBIDDEN);
    let why = by_sergeant.json()["message"].as_str().unwrap_or("").to_string();
    assert!(why.contains("needs an Inspector or above") && why.contains("you are a Sergeant"), "{why}");
    let page =
        app.post(&format!("/crimes/{}/outcome/authorise", crime.id), &sergeant, FORM, format!("version={v}")).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(
        page.body.contains("needs an Inspector or above to authorise it"),
        "the page gives the reason: {}",
        page.body
    );
    let by_investigator =
        app.post(&format!("{base}/outcome/authorise"), &investigator, JSON, format!(r#"{{"version":{v}}}"#)).await;
    assert_eq!(by_investigator.status, StatusCode::FORBIDDEN);
    assert!(by_investigator.json()["message"].as_str().unwrap_or("").contains("crime.supervise"));
    assert_eq!(app.version(crime.id).await, v, "no refusal wrote anything");

    let authorised = app
        .post(
            &format!("{base}/outcome/authorise"),
            &inspector,
            JSON,
            format!(r#"{{"version":{v},"note":"Risk managed through MARAC; agreed"}}"#),
        )
        .await;
    assert_eq!(authorised.status, StatusCode::OK, "{}", authorised.body);
    let body = authorised.json();
    assert_eq!(body["crime"]["status"], "finalised");
    assert_eq!(body["crime"]["outcome"], "16");
    assert_eq!(body["decision"]["status"], "final");
    assert_eq!(body["decision"]["decided_by_name"], "inspector insp");
    assert_eq!(body["decision"]["decision_note"], "Risk managed through MARAC; agreed");
    let v = body["crime"]["version"].as_i64().unwrap_or(0);

    let unexplained =
        app.post(&format!("{base}/reopen"), &inspector, JSON, format!(r#"{{"version":{v},"reason":"new"}}"#)).await;
    assert_eq!(unexplained.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&unexplained), ["reason"]);
    let reason = "New witness came forward with phone footage of the assault";
    let reopened =
        app.post(&format!("{base}/reopen"), &sergeant, JSON, format!(r#"{{"version":{v},"reason":"{reason}"}}"#)).await;
    assert_eq!(reopened.status, StatusCode::OK, "{}", reopened.body);
    assert_eq!(reopened.json()["status"], "under-investigation");
    assert_eq!(reopened.json()["outcome"], serde_json::Value::Null);

    let shown = app.get(&format!("{base}/investigation"), &investigator).await.json();
    assert_eq!(shown["decisions"].as_array().map(Vec::len), Some(1), "the decision is kept");
    assert_eq!(shown["decisions"][0]["status"], "reopened");
    assert_eq!(shown["decisions"][0]["reopen_reason"], reason);
    assert_eq!(shown["decisions"][0]["reopened_by_name"], "sergeant sgt");
    assert_eq!(shown["decisions"][0]["decided_by_name"], "inspector insp", "who authorised it is kept");
    assert_eq!(shown["actions"].as_array().map(Vec::len), Some(2), "the plan is kept");
    assert_eq!(shown["crime"]["status"], "under-investigation");
    let page = app.get(&format!("/crimes/{}/investigation", crime.id), &investigator).await;
    assert!(page.body.contains("Reopened") && page.body.contains(reason), "{}", page.body);
    assert!(page.body.contains(&format!("href=\"/crimes/{}/outcome\"", crime.id)), "a new outcome can be recorded");
    let audited = app
        .backend
        .store()
        .search_audit(&AuditQuery { action: Some("crime.outcome.authorise".into()), limit: 10, ..Default::default() })
        .await
        .expect("audit");
    assert_eq!(audited.len(), 1);
}

/// Outcome 23 came into force on 1 February 2026: with the clock in June 2025 it is not offered,
/// not listed, and refused with the date it starts.
async fn outcome_23_is_refused_before_it_came_into_force<B: TestBackend>() {
    let june_2025 = Utc.with_ymd_and_hms(2025, 6, 2, 9, 0, 0).single().expect("a valid time");
    let app = TestApp::<B>::at(ManualClock::new(june_2025)).await;
    let crime = app.allocated("105A", &[], true).await;
    let investigator = app.session("inv").await;
    let codes = |reply: Reply| -> Vec<String> {
        reply
            .json()
            .as_array()
            .map(|all| all.iter().map(|t| t["code"].as_str().unwrap_or("").to_string()).collect())
            .unwrap_or_default()
    };
    let today = codes(app.get("/api/v1/outcome-types", &investigator).await);
    assert!(today.contains(&"16".to_string()) && !today.contains(&"23".to_string()), "{today:?}");
    assert!(!codes(app.get("/api/v1/outcome-types?on=2025-06-01", &investigator).await).contains(&"23".to_string()));
    let later = app.get("/api/v1/outcome-types?on=2026-02-01", &investigator).await.json();
    let t23 = later.as_array().and_then(|all| all.iter().find(|t| t["code"] == "23").cloned()).expect("23 listed");
    assert_eq!(t23["valid_from"], "2026-02-01");
    assert_eq!(t23["rules"][0]["name"], "named-suspect");
    let t16 = later.as_array().and_then(|all| all.iter().find(|t| t["code"] == "16").cloned()).expect("16 listed");
    assert_eq!(
        (t16["authorised_by"].as_str(), t16["authorised_by_on_domestic_abuse"].as_str()),
        (Some("sergeant"), Some("inspector"))
    );
    let bad = app.get("/api/v1/outcome-types?on=soon", &investigator).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&bad), ["on"]);

    let refused = app
        .post(
            &format!("/api/v1/crimes/{}/finalise", crime.id),
            &investigator,
            JSON,
            format!(
                r#"{{"version":{},"outcome":"23","rationale":"Deferred prosecution agreed with the youth offending team"}}"#,
                crime.version
            ),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert_eq!(fields(&refused), ["outcome"]);
    assert_eq!(
        rule_for(&refused, "outcome"),
        "Outcome 23 is not valid on 2 June 2025: it is in force from 1 February 2026"
    );
    let form = app.get(&format!("/crimes/{}/outcome", crime.id), &investigator).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("<option value=\"22\"") && !form.body.contains("<option value=\"23\""), "{}", form.body);
    assert_eq!(app.version(crime.id).await, crime.version, "nothing written");
}

/// Percent-encodes a form value.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The pages: the investigation page with its plan, missing lines of enquiry and the link to the
/// outcome form; the outcome form listing every unmet rule in words, each linked to its input; an
/// action refused for a past due date, then added and closed; a review with a direction recorded by
/// a sergeant and shown on the page; a stale review is a 409.
async fn investigation_and_outcome_pages<B: TestBackend>() {
    let app = TestApp::<B>::new().await;
    let crime = app.allocated("105A", &["domestic-abuse"], true).await;
    let investigator = app.session("inv").await;
    let sergeant = app.session("sgt").await;
    let page_path = format!("/crimes/{}/investigation", crime.id);

    let page = app.get(&page_path, &investigator).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(&crime.number) && page.body.contains("Investigation plan"), "{}", page.body);
    assert!(page.body.contains("Still missing for this type of crime: Witness statements, Body-worn video"));
    assert!(page.body.contains(&format!("action=\"/crimes/{}/actions\"", crime.id)), "the add-action form");
    assert!(page.body.contains("<option value=\"victim-engagement\">Victim engagement</option>"));
    assert!(page.body.contains("Next review due") && page.body.contains("On time"));
    assert!(page.body.contains(&format!("href=\"/crimes/{}/outcome\"", crime.id)), "the outcome form is offered");
    assert!(!page.body.contains("Review this investigation"), "no review form without crime.supervise");
    assert!(page.body.contains("href=\"/investigations\""), "the navigation names the investigations");

    let form_path = format!("/crimes/{}/outcome", crime.id);
    let form = app.get(&form_path, &investigator).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("id=\"outcome\" name=\"outcome\""), "{}", form.body);
    assert!(form.body.contains("<option value=\"16\">16 — Evidential difficulties"));
    assert!(form.body.contains("What each outcome needs"));
    assert!(form.body.contains(
        "Outcome 16 needs authorisation by a Sergeant or above, or an Inspector or above on a domestic-abuse crime."
    ));
    assert!(
        form.body.contains("The victim&#39;s non-support is recorded")
            || form.body.contains("The victim&#x27;s non-support is recorded")
    );
    assert!(form.body.contains("name=\"evidence-body-worn-video\""));

    let v = crime.version;
    let nothing = app.post(&form_path, &investigator, FORM, format!("version={v}")).await;
    assert_eq!(nothing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(nothing.body.contains("govuk-error-summary") && nothing.body.contains("href=\"#outcome\""));
    assert!(nothing.body.contains("Choose the outcome from the list"), "{}", nothing.body);

    let unmet = app.post(&form_path, &investigator, FORM, format!("version={v}&outcome=16")).await;
    assert_eq!(unmet.status, StatusCode::UNPROCESSABLE_ENTITY);
    for (anchor, words) in [
        ("victim_non_support_on", "Record when the victim said they do not support police action"),
        ("victim_non_support_how", "Record how the victim"),
        ("plan", "needs 2 completed victim-engagement attempts in the investigation plan; 0 recorded"),
        ("evidence_led_decision", "Record the decision on an evidence-led prosecution"),
        ("evidence-body-worn-video", "Say whether body-worn video is available"),
        ("evidence-photographed-injuries", "Say whether photographed injuries is available"),
        ("suspect_contact", "Record whether the suspect was interviewed, contacted or not contacted"),
    ] {
        assert!(unmet.body.contains(&format!("href=\"#{anchor}\"")), "{anchor} linked: {}", unmet.body);
        assert!(unmet.body.contains(words), "{words}: {}", unmet.body);
        assert!(unmet.body.contains(&format!("id=\"{anchor}\"")), "{anchor} is on the page");
    }
    assert!(unmet.body.contains("<option value=\"16\" selected>"), "the choice is kept");
    let typed = format!(
        "version={v}&outcome=16&victim_non_support_on=soon&rationale={}&evidence-999-call=not-available",
        encode("She withdrew her support")
    );
    let unreadable = app.post(&form_path, &investigator, FORM, typed).await;
    assert_eq!(unreadable.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unreadable.body.contains("href=\"#victim_non_support_on\"")
            && unreadable.body.contains("for example 2026-11-20")
    );
    assert!(unreadable.body.contains("She withdrew her support") && unreadable.body.contains("value=\"soon\""));
    assert!(unreadable.body.contains("name=\"evidence-999-call\" type=\"radio\" value=\"not-available\" checked"));

    // The plan: a past due date is refused by name, with what was typed kept.
    let actions = format!("/crimes/{}/actions", crime.id);
    let past = app.post(&actions, &investigator, FORM, "kind=cctv&due_on=2026-11-20&description=Shop+camera").await;
    assert_eq!(past.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        past.body.contains("href=\"#due_on\"") && past.body.contains("The due date cannot be in the past"),
        "{}",
        past.body
    );
    assert!(past.body.contains("value=\"2026-11-20\"") && past.body.contains("Shop camera"));
    assert!(past.body.contains("<option value=\"cctv\" selected>"));
    let added = app
        .post(
            &actions,
            &investigator,
            FORM,
            "kind=witness-statements&due_on=2026-11-30&description=Statement+from+the+neighbour",
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    assert_eq!(added.location(), format!("{page_path}?done=action-added"));
    let page = app.get(&added.location(), &investigator).await;
    assert!(page.body.contains("Action added to the plan") && page.body.contains("Statement from the neighbour"));
    let plan = app.backend.store().investigation(crime.id).await.expect("investigation");
    let action = plan.actions[0].id;
    let close = format!("/crimes/{}/actions/{action}", crime.id);
    let unexplained = app.post(&close, &investigator, FORM, "status=done&result=").await;
    assert_eq!(unexplained.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unexplained.body.contains(&format!("href=\"#result-{action}\""))
            && unexplained.body.contains("Say what the enquiry found")
    );
    let closed = app.post(&close, &investigator, FORM, "status=done&result=Neighbour+heard+shouting+at+11pm").await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER);
    let page = app.get(&page_path, &investigator).await;
    assert!(
        page.body.contains("Neighbour heard shouting at 11pm")
            && page.body.contains("Still missing for this type of crime: Body-worn video")
    );
    assert!(
        page.body.contains(&format!("action=\"/crimes/{}/actions/{action}\"", crime.id))
            && page.body.contains("Reopen")
    );

    // A sergeant's review: notes and a direction, blank rows ignored; errors named by row.
    let reviews = format!("/crimes/{}/reviews", crime.id);
    assert_eq!(
        app.post(&reviews, &investigator, FORM, format!("version={v}&notes=x")).await.status,
        StatusCode::FORBIDDEN
    );
    let page = app.get(&page_path, &sergeant).await;
    assert!(page.body.contains("Review this investigation") && page.body.contains("id=\"directions-3-due_on\""));
    let notes = "Plan reviewed: BWV still to be viewed; keep engaging the victim";
    let bad = app
        .post(
            &reviews,
            &sergeant,
            FORM,
            format!("version={v}&notes=ok&directions-2-kind=body-worn-video&directions-2-due_on=2026-11-01"),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("href=\"#notes\"") && bad.body.contains("href=\"#directions-2-due_on\""), "{}", bad.body);
    assert!(bad.body.contains("The due date cannot be in the past"));
    let reviewed = app
        .post(
            &reviews,
            &sergeant,
            FORM,
            format!(
                "version={v}&notes={}&directions-1-kind=&directions-2-kind=body-worn-video&directions-2-description={}&directions-2-due_on=2026-11-28",
                encode(notes),
                encode("View the BWV from the first attendance")
            ),
        )
        .await;
    assert_eq!(reviewed.status, StatusCode::SEE_OTHER, "{}", reviewed.body);
    let page = app.get(&reviewed.location(), &sergeant).await;
    assert!(page.body.contains("Review recorded. The next review is due"), "{}", page.body);
    assert!(page.body.contains(notes) && page.body.contains("View the BWV from the first attendance"));
    assert!(page.body.contains("Direction</strong>"), "the direction is an action in the plan");
    let stale = app.post(&reviews, &sergeant, FORM, format!("version={v}&notes={}", encode(notes))).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("changed by someone else") && stale.body.contains(notes), "{}", stale.body);

    let mine = app.get("/investigations", &investigator).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(
        mine.body.contains(&format!("href=\"/crimes/{}/investigation\"", crime.id))
            && mine.body.contains(&crime.number)
    );
    assert!(mine.body.contains("Body-worn video") && mine.body.contains("28 Nov 2026"));

    // An outcome that needs no authorisation finalises the crime from the form.
    let v = app.version(crime.id).await;
    let finalised = app
        .post(
            &form_path,
            &investigator,
            FORM,
            format!(
                "version={v}&outcome=20&rationale={}&victim_informed_on=2026-11-26",
                encode("Passed to the British Transport Police, who will investigate")
            ),
        )
        .await;
    assert_eq!(finalised.status, StatusCode::SEE_OTHER, "{}", finalised.body);
    assert_eq!(finalised.location(), format!("{page_path}?done=finalised"));
    let page = app.get(&finalised.location(), &investigator).await;
    assert!(page.body.contains("Crime finalised as outcome 20") && page.body.contains("20 — Action by another body"));
    assert!(
        !page.body.contains("Add an action") && !page.body.contains("Reopen this crime"),
        "closed, and no supervise"
    );
    let form = app.get(&form_path, &investigator).await;
    assert!(
        form.body.contains("This crime is finalised, so no outcome can be recorded")
            && !form.body.contains("Record outcome")
    );
    assert!(app.get(&page_path, &sergeant).await.body.contains("Reopen this crime"));
}

/// The supervisors' lists and alerts: overdue and escalated reviews, an outcome awaiting
/// authorisation, on the home page and their lists; another officer's workload for a supervisor
/// but not for an investigator.
async fn supervisors_see_overdue_reviews_and_pending_outcomes<B: TestBackend>() {
    let app = TestApp::<B>::new().await;
    let domestic = app.allocated("105A", &["domestic-abuse"], true).await;
    let theft = app.allocated("46", &[], false).await;
    let assault = app.allocated("105A", &[], true).await;
    // Outcome 16 on an ordinary assault: one engagement attempt, and a sergeant authorises.
    let today = app.core.now().date_naive();
    let visit = ActionInput { kind: "victim-engagement".into(), due_on: today.to_string(), ..Default::default() };
    let action = app.core.add_action(&app.investigator, assault.id, &visit, &ctx()).await.expect("add");
    app.core
        .update_action(&app.investigator, action.crime_id, action.id, "done", "Visited; will not support", &ctx())
        .await
        .expect("done");
    let evidence = OutcomeEvidence {
        victim_non_support_on: Some(today),
        victim_non_support_how: "Withdrawal statement taken at the station".into(),
        evidence_led_decision: "Not viable: no independent evidence of the assault at all".into(),
        evidence_considered: EvidenceKind::ALL.iter().map(|k| (*k, Availability::NotAvailable)).collect(),
        suspect_contact: Some(SuspectContact::Contacted),
        ..Default::default()
    };
    let (_, decision) = app
        .core
        .finalise_crime(&app.investigator, assault.id, assault.version, "16", &evidence, &ctx())
        .await
        .expect("proposed");
    assert_eq!(decision.authoriser_rank, Some(bluelamp_core::user::Rank::Sergeant));

    app.clock.advance(Duration::days(12));
    let sergeant = app.session("sgt").await;
    let investigator = app.session("inv").await;
    let home = app.get("/", &sergeant).await;
    assert!(home.body.contains("3 investigation reviews are overdue"), "{}", home.body);
    assert!(home.body.contains("1 escalated to an inspector"));
    assert!(home.body.contains("1 outcome awaits authorisation"));
    assert!(
        home.body.contains("href=\"/investigations/reviews\"")
            && home.body.contains("href=\"/investigations/authorisations\"")
    );
    let home = app.get("/", &investigator).await;
    assert!(!home.body.contains("investigation reviews are overdue"), "no alert without crime.supervise");
    assert!(
        home.body.contains("<a class=\"govuk-link\" href=\"/investigations\">My crimes</a></h3>\n    <span class=\"app-queue__count\">3</span>"),
        "the investigator's queue counts their open crimes: {}",
        home.body
    );
    assert!(home.body.contains("href=\"/investigations\""));

    let list = app.get("/investigations/reviews", &sergeant).await;
    assert_eq!(list.status, StatusCode::OK);
    let escalated_at = list.body.find("Escalated to an inspector");
    let overdue_at = list.body.find("id=\"overdue\"");
    let (domestic_at, theft_at) = (list.body.find(&domestic.number), list.body.find(&theft.number));
    assert!(escalated_at.is_some() && domestic_at > escalated_at && domestic_at < overdue_at, "{}", list.body);
    assert!(theft_at > overdue_at, "the theft's review is overdue, not escalated");
    assert!(
        list.body.contains("Overdue by 9 days — escalated to an inspector") && list.body.contains("Overdue by 5 days")
    );
    assert_eq!(app.get("/investigations/reviews", &investigator).await.status, StatusCode::FORBIDDEN);
    let api = app.get("/api/v1/investigations/reviews-overdue", &sergeant).await.json();
    assert_eq!(api[0]["standing"]["state"], "escalated");
    assert_eq!(api.as_array().map(Vec::len), Some(3));

    let pending = app.get("/investigations/authorisations", &sergeant).await;
    assert!(pending.body.contains(&assault.number) && pending.body.contains("Sergeant or above"), "{}", pending.body);
    assert!(pending.body.contains(&format!("href=\"/crimes/{}/investigation#outcome\"", assault.id)));
    let page = app.get(&format!("/crimes/{}/investigation", assault.id), &sergeant).await;
    assert!(page.body.contains("Authorise outcome 16") && page.body.contains("Return to the investigator"));
    let v = app.version(assault.id).await;
    let returned = app
        .post(&format!("/crimes/{}/outcome/return", assault.id), &sergeant, FORM, format!("version={v}&note=short"))
        .await;
    assert_eq!(returned.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(returned.body.contains("href=\"#return-note\""), "{}", returned.body);
    let returned = app
        .post(
            &format!("/crimes/{}/outcome/return", assault.id),
            &sergeant,
            FORM,
            format!("version={v}&note={}", encode("Speak to the suspect under caution first")),
        )
        .await;
    assert_eq!(returned.status, StatusCode::SEE_OTHER);
    let page = app.get(&returned.location(), &investigator).await;
    assert!(page.body.contains("Outcome returned to the investigator") && page.body.contains("Returned for more work"));
    assert!(page.body.contains("Speak to the suspect under caution first"));

    let theirs = app.get(&format!("/investigations?officer={}", app.investigator.user_id), &sergeant).await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(
        theirs.body.contains("Investigations of Test inv") && theirs.body.contains(&domestic.number),
        "{}",
        theirs.body
    );
    assert!(theirs.body.contains("Overdue by 9 days — escalated to an inspector"));
    let api = app
        .get(&format!("/api/v1/investigations/workload?officer={}", app.investigator.user_id), &sergeant)
        .await
        .json();
    assert_eq!(api["crimes"].as_array().map(Vec::len), Some(3));
    let refused = app.get(&format!("/investigations?officer={}", app.sergeant.user_id), &investigator).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("workload needs crime.supervise or crime.triage"), "{}", refused.body);
    let junk = app.get("/investigations?officer=someone", &sergeant).await;
    assert_eq!(junk.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(junk.body.contains("href=\"#officer\""));
}

macro_rules! investigation_tests {
    ($module:ident, $backend:ty) => {
        mod $module {
            investigation_tests!(@each $backend; domestic_abuse_outcome_16_needs_an_inspector,
                outcome_23_is_refused_before_it_came_into_force, investigation_and_outcome_pages,
                supervisors_see_overdue_reviews_and_pending_outcomes);
        }
    };
    (@each $backend:ty; $($name:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name::<$backend>().await;
            }
        )*
    };
}

investigation_tests!(sqlite, bluelamp_testkit::SqliteBackend);
investigation_tests!(postgres, bluelamp_testkit::PostgresBackend);
