//! Triage and allocation over HTTP (issue 6), on both databases: the queue in priority order with its
//! reasons and the ageing alerts, screening (exclusions refused on the page and in the API, the model
//! recorded and shown in the crime's history), proposals accepted in bulk, a refused allocation with
//! its reason, two supervisors accepting the same crime at once, the backlog view and the workload
//! page's caps and leave. (Every triage route × every role is in `http.rs`'s matrix.)

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
use bluelamp_core::person::NewPerson;
use bluelamp_core::user::User;
use bluelamp_testkit::{ManualClock, PASSWORD, TestBackend, add_user, new_user};
use bluelamp_web::{AppState, WebConfig, router};
use chrono::Duration;
use common::Reply;
use uuid::Uuid;

const FORM: &str = "application/x-www-form-urlencoded";
const JSON: &str = "application/json";

struct TestApp<B: TestBackend> {
    backend: B,
    core: Core,
    clock: Arc<ManualClock>,
    router: Router,
    /// Records crimes and triages them (the triage role holds both permissions); a constable.
    triage: Principal,
    /// An investigator in West at PIP 1 with no specialism.
    west: User,
    /// An investigator in East at PIP 2, a sexual offences liaison officer.
    solo: User,
    victim: Uuid,
    suspect: Uuid,
}

fn ctx() -> RequestContext {
    RequestContext::default()
}

async fn user_with(
    core: &Core,
    username: &str,
    roles: &[&str],
    edit: impl FnOnce(&mut bluelamp_core::user::NewUser),
) -> User {
    let mut new = new_user(username, roles);
    new.display_name = format!("PC {username}");
    new.specialisms = Vec::new();
    edit(&mut new);
    core.create_user(By::System("test"), &new, Some(PASSWORD), &ctx()).await.expect("fixture user")
}

impl<B: TestBackend> TestApp<B> {
    async fn new() -> Self {
        let backend = B::new().await;
        let clock = ManualClock::standard();
        let core = Core::new(backend.store(), clock.clone(), bluelamp_core::Settings::default());
        let triage = principal_of(&add_user(&core, "triage", &["triage"]).await);
        add_user(&core, "investigator", &["investigator"]).await;
        // A supervisor of inspector rank: sees the duty inspector's alert.
        user_with(&core, "sup.insp", &["supervisor"], |u| u.rank = "inspector".into()).await;
        let west = user_with(&core, "inv.west", &["investigator"], |u| {
            u.division = "West".into();
            u.pip_level = "pip1".into();
        })
        .await;
        let solo = user_with(&core, "inv.solo", &["investigator"], |u| {
            u.division = "East".into();
            u.pip_level = "pip2".into();
            u.specialisms = vec!["sexual-offences-liaison".into()];
        })
        .await;
        let person = |forenames: &str, surname: &str| NewPerson {
            forenames: forenames.into(),
            surname: surname.into(),
            ..Default::default()
        };
        let victim =
            core.create_person(By::User(&triage), &person("Jane", "Smith"), true, &ctx()).await.expect("victim");
        let suspect =
            core.create_person(By::User(&triage), &person("Sam", "Okoro"), true, &ctx()).await.expect("suspect");
        let router = router(AppState::new(core.clone(), WebConfig::default()));
        TestApp { backend, core, clock, router, triage, west, solo, victim: victim.id, suspect: suspect.id }
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

    /// Records a crime with the victim (and the suspect, when asked) as the triage user.
    async fn record(&self, code: &str, flags: &[&str], with_suspect: bool) -> Crime {
        let mut people = vec![(self.victim, CrimeRole::Victim)];
        if with_suspect {
            people.push((self.suspect, CrimeRole::Suspect));
        }
        let new = NewCrime {
            offence_code: code.into(),
            location_text: "12 Station Road, Wealdbury".into(),
            modus_operandi: "Reported by telephone".into(),
            flags: flags.iter().map(|f| f.to_string()).collect(),
            people,
            ..Default::default()
        };
        self.core.record_crime(&self.triage, &new, &ctx()).await.expect("record crime")
    }

    async fn stored(&self, id: Uuid) -> Crime {
        self.backend.store().find_crime(id).await.expect("find").expect("crime").crime
    }
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

/// The values of the ticked-by-default checkboxes on the proposals page.
fn ticked_proposals(html: &str) -> Vec<String> {
    html.split("name=\"accept\" type=\"checkbox\" value=\"")
        .skip(1)
        .filter_map(|rest| {
            let (value, after) = rest.split_once('"')?;
            after.trim_start().starts_with("checked").then(|| value.to_string())
        })
        .collect()
}

/// The queue lists every waiting crime highest priority first, each with its reasons in words; the
/// ageing limits raise the supervisor's and (for inspectors and above) the inspector's alert on the
/// home page.
async fn queue_in_priority_order_with_reasons<B: TestBackend>() {
    let app = TestApp::<B>::new().await;
    let theft = app.record("46", &[], false).await;
    app.clock.advance(Duration::hours(1));
    let vulnerable = app.record("105A", &["vulnerable-victim"], false).await;
    let triage = app.session("triage").await;

    let page = app.get("/triage", &triage).await;
    assert_eq!(page.status, StatusCode::OK);
    let (first, second) = (page.body.find(&vulnerable.number), page.body.find(&theft.number));
    assert!(first.is_some() && second.is_some(), "both listed: {}", page.body);
    assert!(first < second, "the vulnerable victim's crime comes first");
    assert!(page.body.contains("Vulnerable victim +40; Offence: Violence against the person +20"), "{}", page.body);
    assert!(page.body.contains("Crimes 1 to 2 of 2, highest priority first"));
    assert!(page.body.contains(&format!("href=\"/triage/crimes/{}\"", vulnerable.id)));
    assert_eq!(app.get("/triage?page=7", &triage).await.status, StatusCode::OK, "a page past the end shows the last");

    let api = app.get("/api/v1/triage/queue", &triage).await.json();
    assert_eq!(api["total"], 2);
    assert_eq!(api["crimes"][0]["crime"]["number"], vulnerable.number.as_str());
    assert_eq!(api["crimes"][0]["priority"], 60);
    assert_eq!(api["crimes"][0]["reasons"][0]["why"], "Vulnerable victim");
    assert_eq!(api["crimes"][0]["reasons"][0]["points"], 40);
    assert_eq!(api["crimes"][0]["limit_hours"], 24);
    assert_eq!(api["crimes"][1]["crime"]["number"], theft.number.as_str());
    assert_eq!(api["crimes"][1]["breach"], "none");

    let investigator = app.session("investigator").await;
    assert_eq!(app.get("/triage", &investigator).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/api/v1/triage/queue", &investigator).await.status, StatusCode::FORBIDDEN);

    // Three days on: the theft is past its 72 hours, the vulnerable victim's far past its 24.
    app.clock.advance(Duration::days(3));
    let triage = app.session("triage").await;
    let investigator = app.session("investigator").await;
    let page = app.get("/triage", &triage).await;
    assert!(page.body.contains("Far past its limit: duty inspector alerted"));
    assert!(page.body.contains("Past its limit: triage supervisor alerted"));
    let api = app.get("/api/v1/triage/queue", &triage).await.json();
    assert_eq!((api["supervisor_breaches"].as_u64(), api["inspector_breaches"].as_u64()), (Some(1), Some(1)));
    assert_eq!(api["crimes"][0]["crime"]["number"], vulnerable.number.as_str());

    let home = app.get("/", &triage).await;
    assert!(home.body.contains("2 crimes have waited past their triage limit"), "{}", home.body);
    assert!(
        !home.body.contains("more than twice their limit: the duty"),
        "a constable gets the supervisor's alert only"
    );
    assert!(home.body.contains("href=\"/triage\""));
    let inspector = app.session("sup.insp").await;
    let home = app.get("/", &inspector).await;
    assert!(home.body.contains("2 crimes have waited past their triage limit"));
    assert!(home.body.contains("1 has waited more than twice their limit: the duty inspector is alerted"));
    assert!(!app.get("/", &investigator).await.body.contains("triage limit"), "no alert without crime.triage");
    let audited = app
        .backend
        .store()
        .search_audit(&AuditQuery { action: Some("crime.triage_queue".into()), limit: 100, ..Default::default() })
        .await
        .expect("audit");
    assert!(audited.len() >= 5, "every view of the queue is audited: {}", audited.len());
}

/// A domestic-abuse crime is never screened out: the page says so before anything is chosen, and a
/// screen-out is a 422 naming the rule on the page and in the API, with nothing written.
async fn excluded_crime_cannot_be_screened_out<B: TestBackend>() {
    let app = TestApp::<B>::new().await;
    let domestic = app.record("105A", &["domestic-abuse"], false).await;
    let triage = app.session("triage").await;
    let path = format!("/triage/crimes/{}", domestic.id);

    let page = app.get(&path, &triage).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Domestic abuse: solvability screening does not apply; this crime goes to an investigator"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("name=\"factors\""), "no model's factors for an excluded crime");

    let refused = app.post(&format!("{path}/screen"), &triage, FORM, "version=1&decision=screen-out").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("govuk-error-summary") && refused.body.contains("href=\"#decision\""));
    assert!(
        refused.body.contains("This crime cannot be screened out (domestic abuse): it always goes to an investigator"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("value=\"screen-out\" checked"), "the choice stays as typed");

    let api = app
        .post(
            &format!("/api/v1/triage/crimes/{}/screen", domestic.id),
            &triage,
            JSON,
            r#"{"version":1,"factors":[],"decision":"screen-out"}"#,
        )
        .await;
    assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = api.json();
    assert_eq!(body["error"], "invalid");
    assert_eq!(body["fields"][0]["field"], "decision");
    assert!(body["fields"][0]["rule"].as_str().unwrap_or("").contains("domestic abuse"), "{body}");
    let bad = app
        .post(
            &format!("/api/v1/triage/crimes/{}/screen", domestic.id),
            &triage,
            JSON,
            r#"{"version":1,"decision":"maybe"}"#,
        )
        .await;
    assert_eq!(bad.json()["fields"][0]["field"], "decision");

    let stored = app.stored(domestic.id).await;
    assert_eq!((stored.version, stored.outcome.as_deref()), (1, None), "nothing written");
    let (screenings, _) = app.backend.store().crime_triage_history(domestic.id).await.expect("history");
    assert!(screenings.is_empty());
    // Investigating it needs no reason: there is no recommendation to go against.
    let ok = app.post(&format!("{path}/screen"), &triage, FORM, "version=1&decision=investigate").await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
}

/// Screening a minor assault records the model, its score, the factors and the decision, shows them
/// after saving and in the crime's history; a decision against the recommendation needs a reason;
/// a stale version is a 409.
async fn screening_records_the_model<B: TestBackend>() {
    let app = TestApp::<B>::new().await;
    let assault = app.record("105A", &[], true).await;
    let weak = app.record("105A", &[], false).await;
    let triage = app.session("triage").await;
    let path = format!("/triage/crimes/{}", assault.id);

    let page = app.get(&path, &triage).await;
    assert!(page.body.contains("Minor non-domestic assault and public order (EBIT factors)"), "{}", page.body);
    assert!(page.body.contains("name=\"factors\" type=\"checkbox\" value=\"named-suspect\""));
    assert!(page.body.contains("Named suspect (+3)"));
    assert!(page.body.contains("Not screened yet."));

    let form =
        "version=1&factors=named-suspect&factors=victim-supports&factors=cctv&decision=investigate&override_reason=";
    let saved = app.post(&format!("{path}/screen"), &triage, FORM, form).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location(), format!("{path}?screened=1"));
    let after = app.get(&saved.location(), &triage).await;
    assert!(
        after.body.contains("Screened: score 7 against a threshold of 6; the model recommends screen in: investigate"),
        "{}",
        after.body
    );
    assert!(after.body.contains("Decision: Investigate: allocate to an investigator."));

    let crime_page = app.get(&format!("/crimes/{}", assault.id), &triage).await;
    assert_eq!(crime_page.status, StatusCode::OK);
    assert!(crime_page.body.contains("Screening decisions, newest first"), "{}", crime_page.body);
    assert!(crime_page.body.contains("Minor non-domestic assault and public order (EBIT factors) (version 1)"));
    assert!(crime_page.body.contains("7 (threshold 6)"));
    assert!(crime_page.body.contains("Victim supports police prosecution; Named suspect; CCTV evidence"));
    assert!(crime_page.body.contains("Triage route") && crime_page.body.contains("Not allocated"));
    let (screenings, _) = app.backend.store().crime_triage_history(assault.id).await.expect("history");
    assert_eq!(screenings.len(), 1);
    assert_eq!((screenings[0].model_id.as_str(), screenings[0].score), ("ebit-apo", Some(7.0)));
    assert_eq!(app.stored(assault.id).await.route, "investigate");

    let again = app.post(&format!("{path}/screen"), &triage, FORM, form).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "version 1 is stale now");
    assert!(again.body.contains(&assault.number) && again.body.contains("changed by someone else"));

    // No factors: the model advises screening out, so investigating needs a reason.
    let api_path = format!("/api/v1/triage/crimes/{}/screen", weak.id);
    let unexplained = app.post(&api_path, &triage, JSON, r#"{"version":1,"decision":"investigate"}"#).await;
    assert_eq!(unexplained.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unexplained.json()["fields"][0]["field"], "override_reason");
    let page =
        app.post(&format!("/triage/crimes/{}/screen", weak.id), &triage, FORM, "version=1&decision=investigate").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("href=\"#override_reason\"") && page.body.contains("give the reason for investigating"));
    let explained = app
        .post(
            &api_path,
            &triage,
            JSON,
            r#"{"version":1,"decision":"investigate","override_reason":"Third report from this victim in a month"}"#,
        )
        .await;
    assert_eq!(explained.status, StatusCode::OK, "{}", explained.body);
    let body = explained.json();
    assert_eq!(body["crime"]["route"], "investigate");
    assert_eq!(body["screening"]["model"], "ebit-apo");
    assert_eq!(body["screening"]["score"], 0.0);
    assert_eq!(body["screening"]["recommendation"], "screen-out");
    assert_eq!(body["screening"]["decision"], "investigate");
    assert_eq!(body["screening"]["override_reason"], "Third report from this victim in a month");
    let stale = app.post(&api_path, &triage, JSON, r#"{"version":1,"decision":"desk"}"#).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(stale.json()["fields"][0]["field"], "version");
    assert!(stale.json()["message"].as_str().unwrap_or("").contains(&weak.number));
}

/// Proposals for the whole queue, accepted in bulk from the page: every crime allocated as proposed,
/// the queue empties and the backlog's waiting count drops.
async fn proposals_accepted_in_bulk<B: TestBackend>() {
    let app = TestApp::<B>::new().await;
    let theft = app.record("46", &[], false).await;
    let assault = app.record("105A", &[], false).await;
    let sexual = app.record("17A", &[], true).await;
    let supervisor = app.session("sup.insp").await;

    let backlog = app.get("/api/v1/triage/backlog?days=7", &supervisor).await.json();
    assert_eq!(backlog["waiting"], 3);
    assert_eq!(backlog["flow"].as_array().map(Vec::len), Some(7));
    let page = app.get("/triage/backlog?days=7", &supervisor).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("3 crimes") && page.body.contains("role=\"img\""), "{}", page.body);
    assert!(page.body.contains("Crimes waiting by how long they have waited</caption>"));

    let proposals = app.get("/api/v1/triage/proposals", &supervisor).await.json();
    let officer_of = |crime: &Crime| {
        proposals["proposals"]
            .as_array()
            .and_then(|all| all.iter().find(|p| p["crime_id"] == crime.id.to_string()))
            .map(|p| p["officer_id"].as_str().unwrap_or("").to_string())
            .unwrap_or_default()
    };
    assert_eq!(officer_of(&sexual), app.solo.id.to_string(), "only the liaison officer may take it");
    assert!(!officer_of(&theft).is_empty() && !officer_of(&assault).is_empty());

    let page = app.get("/triage/allocations", &supervisor).await;
    assert_eq!(page.status, StatusCode::OK);
    let ticked = ticked_proposals(&page.body);
    assert_eq!(ticked.len(), 3, "every proposal ticked: {}", page.body);
    assert!(page.body.contains(&format!("href=\"/triage/crimes/{}/allocate\"", theft.id)), "choose another officer");
    let form = ticked.iter().map(|v| format!("accept={}", encode(v))).collect::<Vec<_>>().join("&");
    let accepted = app.post("/triage/allocations/accept", &supervisor, FORM, form).await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    assert_eq!(accepted.location(), "/triage/allocations?allocated=3");
    let done = app.get(&accepted.location(), &supervisor).await;
    assert!(done.body.contains("3 crimes allocated") && done.body.contains("No crimes are waiting"));

    let sexual_now = app.stored(sexual.id).await;
    assert_eq!(sexual_now.allocated_to, Some(app.solo.id));
    for crime in [&theft, &assault] {
        assert!(app.stored(crime.id).await.allocated_to.is_some());
    }
    let queue = app.get("/api/v1/triage/queue", &supervisor).await.json();
    assert_eq!(queue["total"], 0);
    assert!(app.get("/triage", &supervisor).await.body.contains("No crimes are waiting for allocation"));
    let backlog = app.get("/api/v1/triage/backlog?days=7", &supervisor).await.json();
    assert_eq!(backlog["waiting"], 0);
    assert_eq!(backlog["flow"][6]["allocated"], 3, "today's outflow");
    assert_eq!(backlog["projected_days"], 0.0);
    let crime_page = app.get(&format!("/crimes/{}", sexual.id), &supervisor).await;
    assert!(crime_page.body.contains(&format!("{} since", app.solo.display_name)), "{}", crime_page.body);
    assert!(crime_page.body.contains("As proposed"));

    // Nothing ticked, and a tampered value: each refused with its reason.
    let none = app.post("/triage/allocations/accept", &supervisor, FORM, "").await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(none.body.contains("Choose at least one proposed allocation to accept"));
    let tampered = app.post("/triage/allocations/accept", &supervisor, FORM, "accept=not-a-choice").await;
    assert_eq!(tampered.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(tampered.body.contains("href=\"#accept\""));
    // A whole queue's acceptance is larger than other forms: past the usual 64 KiB, it is still read.
    let large = vec![format!("accept={}", "x".repeat(90)); 1_000].join("&");
    assert!(large.len() > bluelamp_web::MAX_BODY_BYTES);
    let read = app.post("/triage/allocations/accept", &supervisor, FORM, large).await;
    assert_eq!(read.status, StatusCode::UNPROCESSABLE_ENTITY, "read and refused, not too large");
    let empty_api = app.post("/api/v1/triage/allocations/accept", &supervisor, JSON, r#"{"allocations":[]}"#).await;
    assert_eq!(empty_api.json()["fields"][0]["field"], "allocations");
}

/// A sexual offence to an officer without the liaison accreditation is refused with the reason, on
/// the page and in the API; the accredited officer gets it; then a stale version is a 409.
async fn allocation_without_accreditation_is_refused<B: TestBackend>() {
    let app = TestApp::<B>::new().await;
    let sexual = app.record("17A", &[], true).await;
    let supervisor = app.session("sup.insp").await;
    let path = format!("/triage/crimes/{}/allocate", sexual.id);

    let form = app.get(&path, &supervisor).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains(&format!("<option value=\"{}\"", app.west.id)), "{}", form.body);
    assert!(form.body.contains("Sexual offences liaison"));
    let refused =
        app.post(&path, &supervisor, FORM, format!("version=1&officer_id={}&note=Nearest+officer", app.west.id)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let reason = format!("{} is not accredited for sexual offences liaison", app.west.display_name);
    assert!(refused.body.contains(&reason), "{}", refused.body);
    assert!(refused.body.contains("href=\"#officer_id\"") && refused.body.contains("Nearest officer"));
    let none = app.post(&path, &supervisor, FORM, "version=1&officer_id=").await;
    assert!(none.body.contains("Choose the officer to allocate the crime to"));

    let api_path = format!("/api/v1/triage/crimes/{}/allocate", sexual.id);
    let api =
        app.post(&api_path, &supervisor, JSON, format!(r#"{{"version":1,"officer_id":"{}"}}"#, app.west.id)).await;
    assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(api.json()["fields"][0]["field"], "officer_id");
    assert!(api.json()["fields"][0]["rule"].as_str().unwrap_or("").contains(&reason));
    assert_eq!(app.stored(sexual.id).await.allocated_to, None, "nothing written");

    let ok =
        app.post(&path, &supervisor, FORM, format!("version=1&officer_id={}&note=Liaison+trained", app.solo.id)).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(ok.location(), format!("/crimes/{}#allocation", sexual.id));
    let (_, allocations) = app.backend.store().crime_triage_history(sexual.id).await.expect("history");
    assert_eq!(allocations.len(), 1);
    assert_eq!(allocations[0].reasons, ["Chosen by sup.insp: Liaison trained"]);
    let stale =
        app.post(&api_path, &supervisor, JSON, format!(r#"{{"version":1,"officer_id":"{}"}}"#, app.solo.id)).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.json()["message"].as_str().unwrap_or("").contains(&sexual.number));
}

/// Two supervisors accept the same crime at once (one on the page, one through the API): one is
/// allocated, the other told it changed (409), and the crime is allocated once.
async fn concurrent_accepts_allocate_once<B: TestBackend>() {
    let app = TestApp::<B>::new().await;
    let theft = app.record("46", &[], false).await;
    let first = app.session("sup.insp").await;
    let second_user = user_with(&app.core, "sup.two", &["supervisor"], |_| {}).await;
    let second = app.session(&second_user.username).await;
    let page = app.get("/triage/allocations", &first).await;
    let ticked = ticked_proposals(&page.body);
    assert_eq!(ticked.len(), 1);
    let officer = ticked[0].rsplit(':').next().unwrap_or("").to_string();
    let json = format!(r#"{{"allocations":[{{"crime_id":"{}","version":1,"officer_id":"{officer}"}}]}}"#, theft.id);
    let (by_page, by_api) = tokio::join!(
        app.post("/triage/allocations/accept", &first, FORM, format!("accept={}", encode(&ticked[0]))),
        app.post("/api/v1/triage/allocations/accept", &second, JSON, json),
    );
    let page_won = by_page.status == StatusCode::SEE_OTHER;
    let api_won = by_api.status == StatusCode::OK;
    assert!(page_won != api_won, "exactly one wins: page {} / api {}", by_page.status, by_api.status);
    if page_won {
        assert_eq!(by_api.status, StatusCode::CONFLICT, "{}", by_api.body);
        assert!(by_api.json()["message"].as_str().unwrap_or("").contains(&theft.number));
    } else {
        assert_eq!(by_api.json()["allocated"], 1);
        assert_eq!(by_page.status, StatusCode::CONFLICT, "{}", by_page.body);
        assert!(by_page.body.contains(&theft.number) && by_page.body.contains("nothing was allocated"));
    }
    let stored = app.stored(theft.id).await;
    assert_eq!((stored.version, stored.allocated_to.map(|o| o.to_string())), (2, Some(officer)));
    let (_, allocations) = app.backend.store().crime_triage_history(theft.id).await.expect("history");
    assert_eq!(allocations.len(), 1, "allocated once");
}

/// The workload page sets caps and records and cancels leave (UK days), each refusal by its field;
/// an officer on leave is refused an allocation with the reason.
async fn workload_caps_and_leave<B: TestBackend>() {
    let app = TestApp::<B>::new().await;
    let theft = app.record("46", &[], false).await;
    let supervisor = app.session("sup.insp").await;
    let page = app.get("/triage/workload", &supervisor).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&app.solo.display_name) && page.body.contains("Sexual offences liaison"));
    assert!(page.body.contains("0 of 16"), "the default cap: {}", page.body);

    let west = app.west.id;
    let bad_cap = app.post(&format!("/triage/officers/{west}/cap"), &supervisor, FORM, "cap=lots").await;
    assert_eq!(bad_cap.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_cap.body.contains(&format!("href=\"#cap-{west}\"")) && bad_cap.body.contains("value=\"lots\""));
    assert!(bad_cap.body.contains("Enter a caseload cap from 1 to 200 open crimes"));
    let cap = app.post(&format!("/triage/officers/{west}/cap"), &supervisor, FORM, "cap=12").await;
    assert_eq!((cap.status, cap.location()), (StatusCode::SEE_OTHER, "/triage/workload?done=cap".to_string()));
    assert!(app.get("/triage/workload", &supervisor).await.body.contains("0 of 12"));

    let leave_path = format!("/triage/officers/{west}/leave");
    let backwards =
        app.post(&leave_path, &supervisor, FORM, "starts_on=2026-11-30&ends_on=2026-11-20&kind=Annual+leave").await;
    assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(backwards.body.contains(&format!("href=\"#ends_at-{west}\"")), "{}", backwards.body);
    assert!(backwards.body.contains("The leave must end after it starts") && backwards.body.contains(" open>"));
    let garbled = app.post(&leave_path, &supervisor, FORM, "starts_on=30/11/2026&ends_on=&kind=").await;
    assert_eq!(garbled.status, StatusCode::UNPROCESSABLE_ENTITY);
    for rule in ["Enter the first day away as a date", "the kind of leave"] {
        assert!(garbled.body.contains(rule), "{rule}: {}", garbled.body);
    }
    let leave =
        app.post(&leave_path, &supervisor, FORM, "starts_on=2026-11-26&ends_on=2026-12-04&kind=Annual+leave").await;
    assert_eq!(leave.status, StatusCode::SEE_OTHER, "{}", leave.body);
    let page = app.get("/triage/workload", &supervisor).await;
    assert!(page.body.contains("Annual leave from 26 Nov 2026 00:00 until 5 Dec 2026 00:00"), "{}", page.body);
    let stored = app.backend.store().list_leave(app.core.now()).await.expect("leave");
    let mine = stored.iter().find(|l| l.user_id == west).expect("recorded");
    assert_eq!(mine.ends_at - mine.starts_at, Duration::days(9), "the last day is included");

    let away = app
        .post(
            &format!("/api/v1/triage/crimes/{}/allocate", theft.id),
            &supervisor,
            JSON,
            format!(r#"{{"version":1,"officer_id":"{west}"}}"#),
        )
        .await;
    assert_eq!(away.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(away.json()["fields"][0]["rule"].as_str().unwrap_or("").contains("away (Annual leave)"), "{}", away.body);

    let cancel = app.post(&format!("/triage/leave/{}/cancel", mine.id), &supervisor, FORM, "").await;
    assert_eq!(cancel.status, StatusCode::SEE_OTHER);
    let page = app.get(&cancel.location(), &supervisor).await;
    assert!(page.body.contains("Leave cancelled") && !page.body.contains("Annual leave from"), "{}", page.body);
    let allocated = app
        .post(
            &format!("/api/v1/triage/crimes/{}/allocate", theft.id),
            &supervisor,
            JSON,
            format!(r#"{{"version":1,"officer_id":"{west}","note":"Back from leave"}}"#),
        )
        .await;
    assert_eq!(allocated.status, StatusCode::OK, "{}", allocated.body);
    assert_eq!(allocated.json()["allocated_to"], west.to_string());
    assert_eq!(
        app.post(&format!("/triage/leave/{}/cancel", mine.id), &supervisor, FORM, "").await.status,
        StatusCode::NOT_FOUND
    );
    let bad_days = app.get("/triage/backlog?days=365", &supervisor).await;
    assert_eq!(bad_days.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_days.body.contains("href=\"#days\"") && bad_days.body.contains("Show between 1 and 90 days"));
    assert_eq!(app.get("/api/v1/triage/backlog?days=x", &supervisor).await.json()["fields"][0]["field"], "days");
}

macro_rules! triage_tests {
    ($module:ident, $backend:ty) => {
        mod $module {
            triage_tests!(@each $backend; queue_in_priority_order_with_reasons, excluded_crime_cannot_be_screened_out,
                screening_records_the_model, proposals_accepted_in_bulk, allocation_without_accreditation_is_refused,
                concurrent_accepts_allocate_once, workload_caps_and_leave);
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

triage_tests!(sqlite, bluelamp_testkit::SqliteBackend);
triage_tests!(postgres, bluelamp_testkit::PostgresBackend);
