//! Outcome analytics and case-file review over HTTP (issue 7, points 4 and 5), on both databases,
//! over one small fixed set of crimes finalised through the real use cases with a manual clock: in
//! the week from 26 Nov 2026, Response A closes an assault as 16 and a theft as 20 and CID a theft
//! as 18; in the week from 3 Dec, Response A closes two assaults as 16 and a theft as 20, CID an
//! assault as 16 and a theft as 18 and leaves a third crime open. The analytics API and page (both
//! charts with their tables, the outcome-16 headline, the highlighted groups, the drill-down), bad
//! periods named, and who may see them; drawing a sample by form and again by the API from its
//! seed, reviewing files by form and by the API with every missing answer named, and the
//! statistics. (Every route × every role is in `http.rs`'s matrix.)

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::StatusCode;
use bluelamp_core::Core;
use bluelamp_core::access::Principal;
use bluelamp_core::audit::RequestContext;
use bluelamp_core::core::{By, principal_of};
use bluelamp_core::crime::{CrimeRole, NewCrime};
use bluelamp_core::investigation::ActionInput;
use bluelamp_core::outcome::{Availability, EvidenceKind, OutcomeEvidence, SuspectContact};
use bluelamp_core::person::NewPerson;
use bluelamp_testkit::{ManualClock, PASSWORD, TestBackend, add_user, finalise_plainly, new_user};
use bluelamp_web::{AppState, WebConfig, router};
use chrono::Duration;
use common::Reply;
use uuid::Uuid;

const FORM: &str = "application/x-www-form-urlencoded";
const JSON: &str = "application/json";

fn ctx() -> RequestContext {
    RequestContext::default()
}

/// The crimes of the fixed set, by who closed them how.
#[derive(Debug, Default)]
struct Closed {
    /// Response A's two outcome-16 assaults in the second week.
    a_16: Vec<Uuid>,
    /// CID's crimes finalised in the second week (16 and 18), and its 18 in the first.
    b_now: Vec<Uuid>,
    b_before: Uuid,
    /// Every crime finalised, both weeks.
    all: Vec<Uuid>,
}

struct TestApp<B: TestBackend> {
    _backend: B,
    core: Core,
    router: Router,
    /// Investigators: Response A (the testkit's default team) and CID.
    a: Principal,
    b: Principal,
    closed: Closed,
}

impl<B: TestBackend> TestApp<B> {
    async fn new() -> Self {
        let backend = B::new().await;
        let clock = ManualClock::standard();
        let core = Core::new(backend.store(), clock.clone(), bluelamp_core::Settings::default());
        let a = principal_of(&add_user(&core, "inv.a", &["investigator"]).await);
        let mut cid = new_user("inv.b", &["investigator"]);
        cid.team = "CID".into();
        let b = principal_of(&core.create_user(By::System("test"), &cid, Some(PASSWORD), &ctx()).await.expect("cid"));
        let mut sergeant = new_user("sgt", &["supervisor"]);
        sergeant.rank = "sergeant".into();
        let sergeant =
            principal_of(&core.create_user(By::System("test"), &sergeant, Some(PASSWORD), &ctx()).await.expect("sgt"));
        for (username, role) in
            [("ana", "analyst"), ("aud", "auditor"), ("crs", "control-room-supervisor"), ("inv.c", "investigator")]
        {
            add_user(&core, username, &[role]).await;
        }
        let person = |forenames: &str, surname: &str| NewPerson {
            forenames: forenames.into(),
            surname: surname.into(),
            ..Default::default()
        };
        let victim = core.create_person(By::User(&a), &person("Jane", "Smith"), true, &ctx()).await.expect("victim").id;
        let suspect =
            core.create_person(By::User(&a), &person("Sam", "Okoro"), true, &ctx()).await.expect("suspect").id;
        let set = Fixture { core: &core, sergeant: &sergeant, victim, suspect };

        let mut closed = Closed::default();
        // The first week.
        closed.all.push(set.close_16(&a).await);
        closed.all.push(set.close_20(&a).await);
        closed.b_before = set.close_18(&b).await;
        closed.all.push(closed.b_before);
        clock.advance(Duration::days(7));
        // The second week.
        for _ in 0..2 {
            closed.a_16.push(set.close_16(&a).await);
        }
        closed.all.extend(closed.a_16.clone());
        closed.all.push(set.close_20(&a).await);
        closed.b_now = vec![set.close_16(&b).await, set.close_18(&b).await];
        closed.all.extend(closed.b_now.clone());
        set.allocated(&b, "46", false).await;

        let router = router(AppState::new(core.clone(), WebConfig::default()));
        TestApp { _backend: backend, core, router, a, b, closed }
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
}

/// Makes the crimes of the fixed set through the real use cases.
struct Fixture<'a> {
    core: &'a Core,
    sergeant: &'a Principal,
    victim: Uuid,
    suspect: Uuid,
}

impl Fixture<'_> {
    fn today(&self) -> String {
        self.core.now().format("%Y-%m-%d").to_string()
    }

    async fn version(&self, id: Uuid) -> i64 {
        self.core.store.find_crime(id).await.expect("find").expect("crime").crime.version
    }

    /// A crime recorded by the officer and allocated to them by the sergeant.
    async fn allocated(&self, officer: &Principal, code: &str, with_suspect: bool) -> Uuid {
        let mut people = vec![(self.victim, CrimeRole::Victim)];
        if with_suspect {
            people.push((self.suspect, CrimeRole::Suspect));
        }
        let new = NewCrime {
            offence_code: code.into(),
            location_text: "3 Orchard Close, Wealdbury".into(),
            modus_operandi: "Reported at the front counter".into(),
            people,
            ..Default::default()
        };
        let crime = self.core.record_crime(officer, &new, &ctx()).await.expect("record");
        self.core
            .allocate_crime(self.sergeant, crime.id, crime.version, officer.user_id, "", &ctx())
            .await
            .expect("allocate")
            .id
    }

    /// An action of the kind, done, with its result.
    async fn done(&self, officer: &Principal, id: Uuid, kind: &str, result: &str) {
        let input = ActionInput { kind: kind.into(), due_on: self.today(), ..Default::default() };
        let action = self.core.add_action(officer, id, &input, &ctx()).await.expect("add action");
        self.core.update_action(officer, id, action.id, "done", result, &ctx()).await.expect("done");
    }

    /// An assault closed as outcome 16, authorised by the sergeant.
    async fn close_16(&self, officer: &Principal) -> Uuid {
        let id = self.allocated(officer, "105A", true).await;
        self.done(officer, id, "victim-engagement", "Victim declined to support at the scene").await;
        let evidence = OutcomeEvidence {
            victim_non_support_on: Some(self.core.now().date_naive()),
            victim_non_support_how: "Withdrawal statement taken in person at her home".into(),
            evidence_led_decision: "No evidence-led prosecution: BWV shows no injury, no independent witness".into(),
            evidence_considered: EvidenceKind::ALL.iter().map(|k| (*k, Availability::NotAvailable)).collect(),
            suspect_contact: Some(SuspectContact::Interviewed),
            ..Default::default()
        };
        let v = self.version(id).await;
        self.core.finalise_crime(officer, id, v, "16", &evidence, &ctx()).await.expect("propose 16");
        self.core.authorise_outcome(self.sergeant, id, v + 1, "", &ctx()).await.expect("authorise 16");
        id
    }

    /// A theft closed as outcome 20 (another body investigates).
    async fn close_20(&self, officer: &Principal) -> Uuid {
        let id = self.allocated(officer, "46", false).await;
        finalise_plainly(self.core, officer, id, self.version(id).await).await.expect("20");
        id
    }

    /// A theft closed as outcome 18 once its CCTV enquiry is done.
    async fn close_18(&self, officer: &Principal) -> Uuid {
        let id = self.allocated(officer, "46", false).await;
        self.done(officer, id, "cctv", "No cameras cover the shop's entrance").await;
        let v = self.version(id).await;
        self.core.finalise_crime(officer, id, v, "18", &OutcomeEvidence::default(), &ctx()).await.expect("18");
        id
    }
}

/// The fields of an API error, in order.
fn fields(reply: &Reply) -> Vec<String> {
    reply.json()["fields"]
        .as_array()
        .map(|all| all.iter().map(|f| f["field"].as_str().unwrap_or("").to_string()).collect())
        .unwrap_or_default()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 0.01
}

fn ids(list: &serde_json::Value, field: &str) -> Vec<String> {
    list.as_array()
        .map(|all| all.iter().map(|c| c[field].as_str().unwrap_or("").to_string()).collect())
        .unwrap_or_default()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

const WEEK: &str = "from=2026-12-03&to=2026-12-09";

/// The analytics API, the page with both charts and their tables, the drill-down, bad periods and
/// who may see what.
async fn outcome_analytics<B: TestBackend>() {
    let app = TestApp::<B>::new().await;
    let analyst = app.session("ana").await;

    let by_team = app.get(&format!("/api/v1/outcomes/analytics?{WEEK}&by=team"), &analyst).await;
    assert_eq!(by_team.status, StatusCode::OK, "{}", by_team.body);
    let t = by_team.json();
    assert_eq!(
        (t["from"].as_str(), t["to"].as_str(), t["by"].as_str()),
        (Some("2026-12-03"), Some("2026-12-09"), Some("team"))
    );
    assert_eq!((t["previous_from"].as_str(), t["previous_to"].as_str()), (Some("2026-11-26"), Some("2026-12-02")));
    assert_eq!((t["current_total"].as_u64(), t["previous_total"].as_u64()), (Some(5), Some(3)));
    assert_eq!(
        (t["current_recorded"].as_u64(), t["previous_recorded"].as_u64()),
        (Some(6), Some(3)),
        "the open theft counts as recorded"
    );
    let number = |v: &serde_json::Value| v.as_f64().unwrap_or(f64::NAN);
    assert!(close(number(&t["watched_share_of_outcomes"]), 60.0), "3 of 5: {}", t["watched_share_of_outcomes"]);
    assert!(close(number(&t["previous_watched_share_of_outcomes"]), 100.0 / 3.0));
    assert!(close(number(&t["watched_share_of_recorded"]), 50.0), "3 of 6 recorded");
    assert!(close(number(&t["previous_watched_share_of_recorded"]), 100.0 / 3.0));
    let outcomes: Vec<(String, u64, u64)> = t["outcomes"]
        .as_array()
        .expect("outcomes")
        .iter()
        .map(|o| {
            (
                o["code"].as_str().unwrap_or("").to_string(),
                o["current"].as_u64().unwrap_or(0),
                o["previous"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [("16".to_string(), 3, 1), ("18".to_string(), 1, 1), ("20".to_string(), 1, 1)],
        "in the outcome list's order"
    );
    assert!(close(number(&t["outcomes"][0]["change"]), 60.0 - 100.0 / 3.0));
    let groups = t["groups"].as_array().expect("groups");
    assert_eq!(ids(&t["groups"], "key"), ["Response A", "CID"], "largest first");
    let (a, b) = (&groups[0], &groups[1]);
    assert_eq!((a["current"].as_u64(), a["previous"].as_u64()), (Some(3), Some(2)));
    assert_eq!((a["counts"]["16"].as_u64(), a["counts"]["20"].as_u64()), (Some(2), Some(1)));
    assert!(close(number(&a["watched_share"]), 200.0 / 3.0) && close(number(&a["previous_watched_share"]), 50.0));
    assert_eq!(
        (a["highlighted"].as_bool(), a["above_force_average"].as_bool(), a["risen"].as_bool()),
        (Some(true), Some(true), Some(true)),
        "66.7% against the force's 60%, up from 50%"
    );
    assert_eq!((b["current"].as_u64(), b["previous"].as_u64()), (Some(2), Some(1)));
    assert_eq!((b["counts"]["16"].as_u64(), b["counts"]["18"].as_u64()), (Some(1), Some(1)));
    assert!(close(number(&b["watched_share"]), 50.0) && close(number(&b["previous_watched_share"]), 0.0));
    assert_eq!(
        (b["highlighted"].as_bool(), b["above_force_average"].as_bool(), b["risen"].as_bool()),
        (Some(true), Some(false), Some(true)),
        "below the force, but up from none"
    );

    let by_officer = app.get(&format!("/api/v1/outcomes/analytics?{WEEK}&by=officer"), &analyst).await.json();
    assert_eq!(ids(&by_officer["groups"], "key"), [app.a.user_id.to_string(), app.b.user_id.to_string()]);
    assert_eq!(ids(&by_officer["groups"], "label"), ["Test inv.a", "Test inv.b"], "officers by name");
    let by_type = app.get(&format!("/api/v1/outcomes/analytics?{WEEK}&by=crime-type"), &analyst).await.json();
    assert_eq!(ids(&by_type["groups"], "key"), ["violence-against-the-person", "theft"]);
    assert_eq!(ids(&by_type["groups"], "label"), ["Violence against the person", "Theft"]);
    assert_eq!(by_type["groups"][1]["previous"].as_u64(), Some(2));
    let defaulted = app.get("/api/v1/outcomes/analytics", &analyst).await.json();
    assert_eq!(
        (defaulted["from"].as_str(), defaulted["to"].as_str(), defaulted["by"].as_str()),
        (Some("2026-09-05"), Some("2026-12-03"), Some("crime-type")),
        "the 90 days ending today"
    );

    // The drill-down: exactly the crimes behind a count.
    let cell = app.get(&format!("/api/v1/outcomes/records?{WEEK}&by=team&key=Response%20A&outcome=16"), &analyst).await;
    assert_eq!(cell.status, StatusCode::OK, "{}", cell.body);
    assert_eq!(
        sorted(ids(&cell.json()["crimes"], "id")),
        sorted(app.closed.a_16.iter().map(Uuid::to_string).collect())
    );
    assert_eq!(cell.json()["more"], false);
    assert!(ids(&cell.json()["crimes"], "outcome").iter().all(|o| o == "16"));
    let officer =
        app.get(&format!("/api/v1/outcomes/records?{WEEK}&by=officer&key={}", app.b.user_id), &analyst).await.json();
    assert_eq!(sorted(ids(&officer["crimes"], "id")), sorted(app.closed.b_now.iter().map(Uuid::to_string).collect()));
    let before =
        app.get("/api/v1/outcomes/records?from=2026-11-26&to=2026-12-02&by=team&key=CID", &analyst).await.json();
    assert_eq!(ids(&before["crimes"], "id"), [app.closed.b_before.to_string()]);
    // Without a key: every group's crimes with the outcome (the outcome-mix table's links).
    let all = app.get(&format!("/api/v1/outcomes/records?{WEEK}&by=team&outcome=16"), &analyst).await.json();
    let every_16 = app.get(&format!("/api/v1/outcomes/analytics?{WEEK}&by=team"), &analyst).await.json();
    let count_16 = every_16["outcomes"]
        .as_array()
        .and_then(|o| o.iter().find(|l| l["code"] == "16"))
        .map(|l| l["current"].clone());
    assert_eq!(Some(serde_json::json!(ids(&all["crimes"], "id").len())), count_16, "the mix's count, drilled into");
    assert!(ids(&all["crimes"], "outcome").iter().all(|o| o == "16"));

    // Bad input is named.
    for (query, field) in [
        ("from=2026-12-03&to=2026-12-09&by=division", "by"),
        ("from=2026-12-09&to=2026-12-03&by=team", "to"),
        ("from=03/12/2026&to=2026-12-09&by=team", "from"),
    ] {
        let bad = app.get(&format!("/api/v1/outcomes/analytics?{query}"), &analyst).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert_eq!(fields(&bad), [field], "{query}");
    }
    assert_eq!(fields(&app.get("/api/v1/outcomes/records?key=CID", &analyst).await), ["from", "to", "by"]);

    // The page: the headline, both charts each with its table, the marked groups, the drill-down.
    let page = app.get(&format!("/outcomes?{WEEK}&by=team"), &analyst).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains(
            "Outcome 16: 60.0% of outcomes (50.0% of crimes recorded) this period; was 33.3% (33.3%) in the previous period"
        ),
        "{}",
        page.body
    );
    assert!(page.body.contains("share of outcomes rose by 26.7 percentage points on the previous period"));
    assert!(page.body.contains("3 Dec 2026 to 9 Dec 2026") && page.body.contains("26 Nov 2026 to 2 Dec 2026"));
    assert_eq!(page.body.matches("<svg role=\"img\" aria-label=\"").count(), 2, "two charts, each labelled");
    for table in ["id=\"mix\"", "id=\"groups\""] {
        assert!(page.body.contains(table), "{table}");
    }
    assert!(
        page.body.contains(
            "<td class=\"govuk-table__cell\">Evidential difficulties – suspect identified, victim does not support</td>"
        ),
        "the mix table names each outcome"
    );
    assert_eq!(page.body.matches("Above force average</strong>").count(), 1);
    assert_eq!(page.body.matches("Risen</strong>").count(), 2);
    let drill = "/outcomes/records?from=2026-12-03&#38;to=2026-12-09&#38;by=team&#38;key=Response%20A&#38;outcome=16";
    assert!(page.body.contains(drill), "the 16 count links to its crimes");
    let records = app.get(&drill.replace("&#38;", "&"), &analyst).await;
    assert_eq!(records.status, StatusCode::OK, "{}", records.body);
    for id in &app.closed.a_16 {
        assert!(records.body.contains(&format!("href=\"/crimes/{id}\"")), "{}", records.body);
    }
    assert!(records.body.contains("Team: Response A") && records.body.contains("Test inv.a"));
    assert!(!records.body.contains("id=\"limited\""), "no note below the limit");

    let refused = app.get("/outcomes?from=2026-12-09&to=2026-12-03", &analyst).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("href=\"#to\"") && refused.body.contains("The period must end on or after its first day")
    );
    assert!(!refused.body.contains("role=\"img\""), "no figures for a refused period");

    // An investigator sees none of it; a control-room supervisor the figures but not the crimes.
    let investigator = app.session("inv.c").await;
    for path in [format!("/outcomes?{WEEK}&by=team"), format!("/api/v1/outcomes/analytics?{WEEK}")] {
        assert_eq!(app.get(&path, &investigator).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    let control = app.session("crs").await;
    let figures = app.get(&format!("/outcomes?{WEEK}&by=team"), &control).await;
    assert_eq!(figures.status, StatusCode::OK);
    assert!(
        !figures.body.contains("/outcomes/records?") && figures.body.contains("needs the permission to see crimes")
    );
    let crimes = app.get(&drill.replace("&#38;", "&"), &control).await;
    assert_eq!(crimes.status, StatusCode::FORBIDDEN);
    assert!(crimes.body.contains("this needs the permission crime.view"), "{}", crimes.body);
    let api = app.get(&format!("/api/v1/outcomes/records?{WEEK}&by=team&key=CID"), &control).await;
    assert_eq!(api.status, StatusCode::FORBIDDEN);
    assert!(api.json()["message"].as_str().unwrap_or("").contains("crime.view"));
}

/// The review of one file by form: `answers` as (field, value).
fn review_form(answers: &[(&str, &str)]) -> String {
    answers.iter().map(|(k, v)| format!("{k}={}", v.replace(' ', "+"))).collect::<Vec<_>>().join("&")
}

const ALL_GOOD: [(&str, &str); 5] = [
    ("criterion.investigation-standard", "good"),
    ("criterion.supervision", "good"),
    ("criterion.victim-care", "good"),
    ("criterion.outcome-correct", "good"),
    ("overall", "good"),
];

/// A sample drawn by form and again by the API from its seed; files reviewed by form and by the
/// API, every missing answer named, a second review refused; the figures; who may do it.
async fn casefile_review<B: TestBackend>() {
    let app = TestApp::<B>::new().await;
    let sergeant = app.session("sgt").await;
    let auditor = app.session("aud").await;
    let period = "from=2026-11-26&to=2026-12-09";

    let refused =
        app.post("/casefile/samples", &sergeant, FORM, "from=&to=2026-12-09&size=lots&seed=x&stratify=sideways").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["from", "size", "stratify", "seed"] {
        assert!(refused.body.contains(&format!("href=\"#{field}\"")), "{field} named: {}", refused.body);
    }
    assert!(refused.body.contains("value=\"lots\""), "what was typed is kept");

    let drawn = app.post("/casefile/samples", &sergeant, FORM, format!("{period}&size=4&seed=42&stratify=none")).await;
    assert_eq!(drawn.status, StatusCode::SEE_OTHER, "{}", drawn.body);
    let location = drawn.location();
    let id = location
        .strip_prefix("/casefile/samples/")
        .and_then(|rest| rest.strip_suffix("?done=drawn"))
        .expect("to the sample")
        .to_string();
    let page = app.get(&location, &sergeant).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(
        "Redraw this sample with seed <strong class=\"app-reference\">42</strong> and the same period and filters"
    ));
    assert!(page.body.contains("8 finalised investigations"), "the whole fixed set: {}", page.body);
    let first = app.get(&format!("/api/v1/casefile/samples/{id}"), &sergeant).await.json();
    let files = ids(&first["files"], "crime_id");
    assert_eq!(files.len(), 4);
    assert!(files.iter().all(|f| app.closed.all.iter().any(|c| c.to_string() == *f)), "only finalised crimes");
    assert_eq!(first["sample"]["seed"], "42");
    for f in &files {
        assert!(
            page.body.contains(&format!("href=\"/crimes/{f}/investigation\"")),
            "the file opens on its investigation"
        );
        assert!(page.body.contains(&format!("href=\"/casefile/samples/{id}/files/{f}\"")), "and has its review form");
    }

    // The auditor draws it again from the seed: the same files in the same order.
    let again = app
        .post(
            "/api/v1/casefile/samples",
            &auditor,
            JSON,
            r#"{"from":"2026-11-26","to":"2026-12-09","size":4,"seed":42,"stratify":"none"}"#,
        )
        .await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
    assert_eq!((again.json()["seed"].as_str(), again.json()["population"].as_u64()), (Some("42"), Some(8)));
    let again_id = again.json()["id"].as_str().unwrap_or("").to_string();
    let redrawn = app.get(&format!("/api/v1/casefile/samples/{again_id}"), &auditor).await.json();
    assert_eq!(ids(&redrawn["files"], "crime_id"), files, "the same seed draws the same files");
    let as_text = app
        .post(
            "/api/v1/casefile/samples",
            &auditor,
            JSON,
            r#"{"from":"2026-11-26","to":"2026-12-09","size":4,"seed":"42","stratify":"none"}"#,
        )
        .await;
    assert_eq!(as_text.status, StatusCode::CREATED, "a seed may be given as text");
    let bad = app
        .post(
            "/api/v1/casefile/samples",
            &auditor,
            JSON,
            r#"{"from":"2026-11-26","to":"2026-12-09","size":0,"stratify":"none"}"#,
        )
        .await;
    assert_eq!((bad.status, fields(&bad)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["size".to_string()]));
    let listed = app.get("/api/v1/casefile/samples", &auditor).await.json();
    assert_eq!(listed.as_array().map(Vec::len), Some(3));

    // Reviews by form: all good; one criterion missing (named, what was typed kept); the first again.
    let form = |f: &str| format!("/casefile/samples/{id}/files/{f}");
    let shown = app.get(&form(&files[0]), &auditor).await;
    assert_eq!(shown.status, StatusCode::OK);
    for c in ["Investigation of a good standard", "Effective supervision", "Good victim care", "Outcome correct"] {
        assert!(
            shown
                .body
                .contains(&format!("<legend class=\"govuk-fieldset__legend govuk-fieldset__legend--s\">{c}</legend>")),
            "{c}"
        );
    }
    let saved = app.post(&form(&files[0]), &sergeant, FORM, review_form(&ALL_GOOD)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location(), format!("/casefile/samples/{id}?done=reviewed"));
    let missing: Vec<(&str, &str)> = ALL_GOOD.iter().copied().filter(|(k, _)| *k != "criterion.supervision").collect();
    let partial = app.post(&form(&files[1]), &sergeant, FORM, review_form(&missing)).await;
    assert_eq!(partial.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        partial.body.contains("href=\"#criterion.supervision\"")
            && partial.body.contains("Answer good or not good: Effective supervision"),
        "{}",
        partial.body
    );
    assert!(
        partial.body.contains(
            "id=\"criterion.victim-care\" name=\"criterion.victim-care\" type=\"radio\" value=\"good\" checked"
        ),
        "answers kept"
    );
    let not_good =
        [("criterion.supervision", "good"), ("criterion.investigation-standard", "not-good"), ("overall", "not-good")];
    let unexplained = app.post(&form(&files[1]), &sergeant, FORM, review_form(&not_good)).await;
    assert_eq!(unexplained.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["criterion.victim-care", "criterion.outcome-correct", "notes"] {
        assert!(unexplained.body.contains(&format!("href=\"#{field}\"")), "{field}");
    }
    let stale = app.post(&form(&files[0]), &auditor, FORM, review_form(&missing)).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "an incomplete form on a reviewed file");
    assert!(stale.body.contains("already reviewed") && stale.body.contains("href=\"#review\""), "{}", stale.body);
    let twice = app.post(&form(&files[0]), &auditor, FORM, review_form(&ALL_GOOD)).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert!(
        twice.body.contains("already reviewed") && twice.body.contains("Good overall, by Test sgt"),
        "{}",
        twice.body
    );

    // Reviews by the API: an unknown criterion is refused with everything else missing, and nothing
    // is written; then a file not good, with notes.
    let api = |f: &str| format!("/api/v1/casefile/samples/{id}/files/{f}/review");
    let unknown = app.post(&api(&files[1]), &auditor, JSON, r#"{"judgements":{"tidiness":"good"}}"#).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        fields(&unknown),
        [
            "criterion.tidiness",
            "criterion.investigation-standard",
            "criterion.supervision",
            "criterion.victim-care",
            "criterion.outcome-correct",
            "overall"
        ]
    );
    let reviewed = app
        .post(
            &api(&files[1]),
            &auditor,
            JSON,
            r#"{"judgements":{"investigation-standard":"not-good","supervision":"good","victim-care":"good","outcome-correct":"good"},
               "overall":"not-good","notes":"CCTV never requested; victim not updated"}"#,
        )
        .await;
    assert_eq!(reviewed.status, StatusCode::CREATED, "{}", reviewed.body);
    assert_eq!(
        (reviewed.json()["overall"].as_str(), reviewed.json()["judgements"]["investigation-standard"].as_str()),
        (Some("not-good"), Some("not-good"))
    );
    let sample = app.get(&format!("/api/v1/casefile/samples/{id}"), &auditor).await.json();
    assert_eq!(sample["sample"]["reviewed"].as_u64(), Some(2));
    assert_eq!(sample["reviews"].as_array().map(Vec::len), Some(2));
    let outsider = app.post(&api(&Uuid::now_v7().to_string()), &auditor, JSON, r#"{}"#).await;
    assert_eq!(outsider.status, StatusCode::NOT_FOUND);

    // The figures.
    let stats = app.get("/api/v1/casefile/statistics", &sergeant).await;
    assert_eq!(stats.status, StatusCode::OK, "{}", stats.body);
    let s = stats.json();
    assert_eq!(s["overall"]["sentence"], "1 of 2 files good (50%)");
    assert_eq!((s["overall"]["good"].as_u64(), s["overall"]["reviewed"].as_u64()), (Some(1), Some(2)));
    assert_eq!(
        ids(&s["by_criterion"], "criterion"),
        ["investigation-standard", "supervision", "victim-care", "outcome-correct"]
    );
    assert_eq!(
        ids(&s["by_criterion"], "sentence"),
        ["1 of 2 files good (50%)", "2 of 2 files good (100%)", "2 of 2 files good (100%)", "2 of 2 files good (100%)"]
    );
    let keyed: usize = ["by_team", "by_crime_type", "by_outcome"]
        .iter()
        .map(|k| {
            s[*k]
                .as_array()
                .map(|rows| rows.iter().filter_map(|r| r["reviewed"].as_u64()).sum::<u64>() as usize)
                .unwrap_or(0)
        })
        .sum();
    assert_eq!(keyed, 6, "each breakdown counts both files");
    assert_eq!(s["trend"].as_array().map(Vec::len), Some(1));
    assert_eq!(s["trend"][0]["quarter"], "2026 Q4");
    assert_eq!(s["trend"][0]["overall"]["sentence"], "1 of 2 files good (50%)");
    let none = app.get("/api/v1/casefile/statistics?from=2025-01-01&to=2025-12-31", &sergeant).await.json();
    assert_eq!(none["overall"]["sentence"], "No files reviewed");
    assert_eq!(fields(&app.get("/api/v1/casefile/statistics?from=2026-13-01", &sergeant).await), ["from"]);

    let overview = app.get("/casefile", &auditor).await;
    assert_eq!(overview.status, StatusCode::OK, "{}", overview.body);
    assert!(overview.body.contains("Files good overall: 1 of 2 files good (50%)"));
    assert!(
        overview
            .body
            .contains("Effective supervision</dt><dd class=\"govuk-summary-list__value\">2 of 2 files good (100%)")
    );
    assert_eq!(overview.body.matches("role=\"img\"").count(), 1, "the trend chart");
    assert!(overview.body.contains("id=\"trend\"") && overview.body.contains("2026 Q4"));
    assert!(overview.body.contains(&format!("href=\"/casefile/samples/{id}\"")) && overview.body.contains("2 of 4"));
    assert!(overview.body.contains("id=\"by-team\"") && overview.body.contains("id=\"by-outcome\""));
    let bad_period = app.get("/casefile?from=someday", &auditor).await;
    assert_eq!(bad_period.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_period.body.contains("href=\"#stats-from\""));

    // Investigators review no files.
    let investigator = app.session("inv.c").await;
    for path in ["/casefile", "/api/v1/casefile/statistics", "/api/v1/casefile/samples"] {
        assert_eq!(app.get(path, &investigator).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    let post =
        app.post("/casefile/samples", &investigator, FORM, format!("{period}&size=4&seed=42&stratify=none")).await;
    assert_eq!(post.status, StatusCode::FORBIDDEN);
}

macro_rules! outcome_tests {
    ($module:ident, $backend:ty) => {
        mod $module {
            outcome_tests!(@each $backend; outcome_analytics, casefile_review);
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

outcome_tests!(sqlite, bluelamp_testkit::SqliteBackend);
outcome_tests!(postgres, bluelamp_testkit::PostgresBackend);
