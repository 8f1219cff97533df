//! The HTTP contract, on both databases: every route × every role answers as its policy says,
//! refusals are audited, bad input gets a clear 4xx, sessions end as specified, and headers and CSRF
//! protection are on every response.

mod common;

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use bluelamp_core::Core;
use bluelamp_core::access::Role;
use bluelamp_core::audit::{AuditQuery, RequestContext};
use bluelamp_core::core::By;
use bluelamp_core::restriction::RecordRef;
use bluelamp_core::user::User;
use bluelamp_testkit::{ManualClock, PASSWORD, TestBackend, add_user};
use bluelamp_web::{AppState, Policy, WebConfig, router, routes};
use chrono::Duration;
use common::Reply;

struct TestApp<B: TestBackend> {
    backend: B,
    core: Core,
    clock: Arc<ManualClock>,
    router: Router,
    users: HashMap<Role, User>,
    covert: User,
}

impl<B: TestBackend> TestApp<B> {
    async fn new() -> Self {
        Self::with_config(WebConfig::default()).await
    }

    async fn with_config(config: WebConfig) -> Self {
        Self::with_settings(config, bluelamp_core::Settings::default()).await
    }

    async fn with_settings(config: WebConfig, settings: bluelamp_core::Settings) -> Self {
        let backend = B::new().await;
        let clock = ManualClock::standard();
        let core = Core::new(backend.store(), clock.clone(), settings);
        let mut users = HashMap::new();
        for role in Role::ALL {
            users.insert(*role, add_user(&core, role.as_str(), &[role.as_str()]).await);
        }
        let covert = add_user(&core, "dc.covert", &["investigator"]).await;
        core.restrict_record(
            By::System("test"),
            &RecordRef::new("officer", covert.id),
            "Covert role, need to know",
            &["supervisor".to_string()],
            &RequestContext::default(),
        )
        .await
        .expect("restrict");
        add_user(&core, "target.user", &["analyst"]).await;
        let router = router(AppState::new(core.clone(), config));
        TestApp { backend, core, clock, router, users, covert }
    }

    async fn session(&self, username: &str) -> String {
        self.core.sign_in(username, PASSWORD, &RequestContext::default()).await.expect("sign in").token
    }

    async fn send(&self, request: Request<Body>) -> Reply {
        common::send(&self.router, request).await
    }

    async fn get(&self, path: &str, cookie: Option<&str>) -> Reply {
        common::request(&self.router, path, cookie, None).await
    }

    async fn post(&self, path: &str, cookie: Option<&str>, content_type: &str, body: impl Into<Body>) -> Reply {
        common::request(&self.router, path, cookie, Some((content_type, body.into()))).await
    }

    async fn refusals(&self) -> usize {
        self.backend
            .store()
            .search_audit(&AuditQuery { action: Some("access.refused".into()), limit: 1_000_000, ..Default::default() })
            .await
            .expect("search")
            .len()
    }
}

/// The concrete path for a route pattern.
fn concrete(path: &str, id: &str) -> String {
    path.replace("{id}", id).replace("{username}", "target.user")
}

async fn call<B: TestBackend>(app: &TestApp<B>, method: &Method, path: &str, cookie: Option<&str>) -> Reply {
    if *method == Method::GET {
        app.get(path, cookie).await
    } else if path.starts_with("/api/") {
        app.post(path, cookie, "application/json", "{}").await
    } else {
        app.post(path, cookie, "application/x-www-form-urlencoded", "").await
    }
}

/// Every route × every role (and anonymous, and a disabled account) gets exactly the answer its
/// policy gives: the route list is the router's own.
async fn every_route_answers_every_role_as_its_policy_says<B: TestBackend>() {
    let app = TestApp::<B>::new().await;
    let table = routes();
    assert!(table.len() >= 25);
    let id = app.users[&Role::Investigator].id.to_string();
    for role in Role::ALL {
        let token = app.session(role.as_str()).await;
        let principal = bluelamp_core::core::principal_of(&app.users[role]);
        // Sign-out last, since it ends the session.
        let mut ordered: Vec<_> = table.iter().filter(|r| r.path != "/sign-out").collect();
        ordered.extend(table.iter().filter(|r| r.path == "/sign-out"));
        for route in ordered {
            let path = concrete(route.path, &id);
            let before = app.refusals().await;
            let reply = call(&app, &route.method, &path, Some(&token)).await;
            let allowed = route.policy.allows(Some(&principal));
            if allowed {
                assert!(
                    !matches!(reply.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
                        && !reply.status.is_server_error(),
                    "{role} {} {path}: allowed but got {} {}",
                    route.method,
                    reply.status,
                    reply.body
                );
            } else {
                assert_eq!(reply.status, StatusCode::FORBIDDEN, "{role} {} {path}: must be refused", route.method);
                assert_eq!(app.refusals().await, before + 1, "{role} {} {path}: refusal audited", route.method);
                assert!(!reply.body.contains("Test "), "no record data in a refusal");
            }
        }
    }
    // Anonymous: API routes 401 (JSON), pages go to sign-in, public routes answer.
    for route in &table {
        let path = concrete(route.path, &id);
        let reply = call(&app, &route.method, &path, None).await;
        match route.policy {
            Policy::Public => assert!(
                !matches!(reply.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN),
                "anonymous {} {path}: {}",
                route.method,
                reply.status
            ),
            _ if path.starts_with("/api/") => {
                assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "anonymous {} {path}", route.method);
                assert_eq!(reply.json()["error"], "unauthenticated");
            }
            _ => {
                assert_eq!(reply.status, StatusCode::SEE_OTHER, "anonymous {} {path}", route.method);
                assert!(reply.location().starts_with("/sign-in?next="), "anonymous {path}: {}", reply.location());
            }
        }
    }
    // A disabled account's session is dead everywhere.
    let token = app.session("analyst").await;
    app.core.set_user_disabled(By::System("test"), "analyst", true, &RequestContext::default()).await.expect("disable");
    for route in table.iter().filter(|r| r.policy != Policy::Public) {
        let path = concrete(route.path, &id);
        let reply = call(&app, &route.method, &path, Some(&token)).await;
        assert!(
            matches!(reply.status, StatusCode::UNAUTHORIZED | StatusCode::SEE_OTHER),
            "disabled {} {path}: {}",
            route.method,
            reply.status
        );
    }
}

/// Each role lands on its own home page and not another's.
async fn each_role_sees_its_own_home<B: TestBackend>() {
    let app = TestApp::<B>::new().await;
    for role in Role::ALL {
        let token = app.session(role.as_str()).await;
        let reply = app.get("/", Some(&token)).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(reply.body.contains(&format!("data-role=\"{}\"", role.as_str())), "{role}");
        for other in Role::ALL.iter().filter(|r| *r != role) {
            assert!(!reply.body.contains(&format!("id=\"role-{}\"", other.as_str())), "{role} sees {other}'s queues");
        }
    }
}

/// Restricted records show only that they exist until a reason is given; the reason is audited.
async fn restricted_records_stay_sealed_over_http<B: TestBackend>() {
    let app = TestApp::<B>::new().await;
    let investigator = app.session("investigator").await;
    let path = format!("/api/v1/officers/{}", app.covert.id);
    let sealed = app.get(&path, Some(&investigator)).await;
    assert_eq!(sealed.status, StatusCode::OK);
    assert_eq!(sealed.json()["sealed"], true);
    assert!(!sealed.body.contains("dc.covert") && !sealed.body.contains("Test dc.covert"));
    let page = app.get(&format!("/officers/{}", app.covert.id), Some(&investigator)).await;
    assert!(page.body.contains("Restricted record") && !page.body.contains("Test dc.covert"));
    let list = app.get("/officers", Some(&investigator)).await;
    assert!(!list.body.contains("Test dc.covert"), "the directory hides the name");

    let short = app.post(&format!("{path}/open"), Some(&investigator), "application/json", r#"{"reason":"x"}"#).await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(short.json()["fields"][0]["field"], "reason");
    let opened = app
        .post(
            &format!("{path}/open"),
            Some(&investigator),
            "application/json",
            r#"{"reason":"Enquiry 44/123 duty check"}"#,
        )
        .await;
    assert_eq!(opened.status, StatusCode::OK);
    assert_eq!(opened.json()["details"]["username"], "dc.covert");
    let events = app
        .backend
        .store()
        .search_audit(&AuditQuery { action: Some("officer.open_restricted".into()), limit: 5, ..Default::default() })
        .await
        .expect("search");
    assert_eq!(events[0].event.justification.as_deref(), Some("Enquiry 44/123 duty check"));
    let supervisor = app.session("supervisor").await;
    assert_eq!(app.get(&path, Some(&supervisor)).await.json()["details"]["username"], "dc.covert");
}

/// If the audit event cannot be written, the request fails and no record data leaves the server.
async fn no_audit_no_data<B: TestBackend>() {
    let app = TestApp::<B>::new().await;
    let token = app.session("investigator").await;
    let target = &app.users[&Role::Analyst];
    app.backend.break_audit_inserts().await;
    for path in
        [format!("/api/v1/officers/{}", target.id), "/api/v1/officers".into(), format!("/officers/{}", target.id)]
    {
        let reply = app.get(&path, Some(&token)).await;
        assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR, "{path}");
        assert!(
            !reply.body.contains(&target.display_name) && !reply.body.contains("target.user"),
            "{path}: {}",
            reply.body
        );
    }
}

/// Bad input gets a 4xx naming the problem; nothing is saved; nothing panics.
async fn bad_input_gets_clear_errors<B: TestBackend>() {
    let app = TestApp::<B>::new().await;
    let admin = app.session("admin").await;
    let users_before = app.backend.store().count_users().await.expect("count");

    let malformed = app.post("/api/v1/users", Some(&admin), "application/json", "{not json").await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(malformed.json()["error"], "bad_request");
    let wrong_type = app.post("/api/v1/users", Some(&admin), "text/plain", "hello").await;
    assert_eq!(wrong_type.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(wrong_type.json()["error"], "unsupported_media_type");
    let huge = format!(r#"{{"username":"{}"}}"#, "a".repeat(bluelamp_web::MAX_BODY_BYTES + 10));
    let too_big = app.post("/api/v1/users", Some(&admin), "application/json", huge).await;
    assert_eq!(too_big.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(too_big.json()["error"], "payload_too_large");

    let invalid = app
        .post(
            "/api/v1/users",
            Some(&admin),
            "application/json",
            r#"{"username":"Bad Name","display_name":"","collar_number":"1","rank":"general","roles":["wizard"],"password":"password"}"#,
        )
        .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = invalid.json();
    assert_eq!(body["error"], "invalid");
    let fields: Vec<&str> =
        body["fields"].as_array().expect("fields").iter().filter_map(|f| f["field"].as_str()).collect();
    for field in ["username", "display_name", "rank", "roles", "password"] {
        assert!(fields.contains(&field), "{field} missing from {fields:?}");
    }
    assert!(body["fields"].as_array().expect("fields").iter().all(|f| !f["rule"].as_str().unwrap_or("").is_empty()));

    let page = app
        .post("/admin/users", Some(&admin), "application/x-www-form-urlencoded", "username=&role=admin&rank=staff")
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("govuk-error-summary") && page.body.contains("Error: "));
    assert_eq!(app.backend.store().count_users().await.expect("count"), users_before, "nothing half-saved");

    let audit = app.session("auditor").await;
    let bad_date = app.get("/api/v1/audit?from=26/11/2026", Some(&audit)).await;
    assert_eq!(bad_date.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad_date.json()["fields"][0]["field"], "from");
    let not_a_number = app.get("/api/v1/audit?limit=lots", Some(&audit)).await;
    assert_eq!(not_a_number.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.get("/api/v1/officers/not-a-uuid", Some(&audit)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/v1/nowhere", Some(&audit)).await.json()["error"], "not_found");
    assert_eq!(app.get("/nowhere", Some(&audit)).await.status, StatusCode::NOT_FOUND);
}

/// Wrong password and unknown user get the same answer; the account locks after five failures.
async fn sign_in_is_generic_and_locks<B: TestBackend>() {
    let app = TestApp::<B>::new().await;
    let form = |user: &str, password: &str| {
        format!("username={user}&password={}&next=%2Fofficers", password.replace(' ', "+"))
    };
    let unknown =
        app.post("/sign-in", None, "application/x-www-form-urlencoded", form("nobody", "whatever it is")).await;
    let wrong =
        app.post("/sign-in", None, "application/x-www-form-urlencoded", form("analyst", "whatever it is")).await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let message =
        |body: &str| body.split("govuk-error-summary__list").nth(1).map(|s| s[..200.min(s.len())].to_string());
    assert_eq!(message(&unknown.body), message(&wrong.body), "one generic message");
    for _ in 0..4 {
        app.post("/sign-in", None, "application/x-www-form-urlencoded", form("analyst", "whatever it is")).await;
    }
    let locked = app.post("/sign-in", None, "application/x-www-form-urlencoded", form("analyst", PASSWORD)).await;
    assert_eq!(locked.status, StatusCode::UNAUTHORIZED, "locked after five failures");
    app.clock.advance(Duration::minutes(16));
    let ok = app.post("/sign-in", None, "application/x-www-form-urlencoded", form("analyst", PASSWORD)).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.location(), "/officers", "back to the page asked for");
    let cookie = ok.headers.get(header::SET_COOKIE).and_then(|v| v.to_str().ok()).unwrap_or("");
    for attribute in ["bluelamp_session=", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    let evil = app
        .post(
            "/sign-in",
            None,
            "application/x-www-form-urlencoded",
            "username=analyst&password=tangerine+lighthouse+oboe&next=//evil.example",
        )
        .await;
    assert_eq!(evil.location(), "/", "never redirect off-site");
}

/// Idle sessions end; the sign-in page keeps the page that was asked for.
async fn expired_sessions_return_to_sign_in<B: TestBackend>() {
    let app = TestApp::<B>::new().await;
    let token = app.session("investigator").await;
    assert_eq!(app.get("/officers", Some(&token)).await.status, StatusCode::OK);
    app.clock.advance(Duration::minutes(31));
    let reply = app.get("/officers?page=2", Some(&token)).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), "/sign-in?next=/officers%3Fpage%3D2&expired=1");
    assert!(reply.headers.get(header::SET_COOKIE).and_then(|v| v.to_str().ok()).unwrap_or("").contains("Max-Age=0"));
    let sign_in = app.get(&reply.location(), None).await;
    assert!(sign_in.body.contains("Your session has ended") && sign_in.body.contains("value=\"/officers?page=2\""));
    let api = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);
}

/// Secure deployments get `__Host-` cookies and HSTS.
async fn secure_cookies_behind_tls<B: TestBackend>() {
    let app = TestApp::<B>::with_config(WebConfig { secure_cookies: true, ..WebConfig::default() }).await;
    let ok = app
        .post(
            "/sign-in",
            None,
            "application/x-www-form-urlencoded",
            "username=analyst&password=tangerine+lighthouse+oboe",
        )
        .await;
    let cookie = ok.headers.get(header::SET_COOKIE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert!(cookie.starts_with("__Host-bluelamp_session=") && cookie.contains("; Secure"), "{cookie}");
    assert!(ok.headers.contains_key(header::STRICT_TRANSPORT_SECURITY));
}

/// Every response carries the security headers; every state-changing route refuses cross-site posts.
async fn headers_and_csrf_everywhere<B: TestBackend>() {
    let app = TestApp::<B>::new().await;
    let token = app.session("admin").await;
    let id = app.users[&Role::Admin].id.to_string();
    for route in routes() {
        let path = concrete(route.path, &id);
        if route.method == Method::GET {
            let reply = app.get(&path, Some(&token)).await;
            let csp = reply.headers.get(header::CONTENT_SECURITY_POLICY).and_then(|v| v.to_str().ok()).unwrap_or("");
            assert!(
                csp.contains("frame-ancestors 'none'")
                    && !csp.contains("unsafe-inline")
                    && !csp.contains("unsafe-eval"),
                "{path}"
            );
            assert_eq!(
                reply.headers.get(header::X_CONTENT_TYPE_OPTIONS).map(|v| v.as_bytes()),
                Some(&b"nosniff"[..]),
                "{path}"
            );
            assert!(reply.headers.contains_key(header::REFERRER_POLICY), "{path}");
            assert!(reply.headers.contains_key("x-request-id"), "{path}");
        } else {
            for (name, value) in [("sec-fetch-site", "cross-site"), ("origin", "https://evil.example")] {
                let request = Request::builder()
                    .method(route.method.clone())
                    .uri(&path)
                    .header(header::HOST, "bluelamp.local")
                    .header(header::COOKIE, format!("bluelamp_session={token}"))
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(name, value)
                    .body(Body::from("username=admin&password=x"))
                    .expect("request");
                let before = app.refusals().await;
                assert_eq!(app.send(request).await.status, StatusCode::FORBIDDEN, "cross-site {name} {path}");
                assert_eq!(app.refusals().await, before + 1, "cross-site {name} {path}: refusal audited");
            }
        }
    }
}

/// Bearer tokens authenticate API calls until revoked; bad tokens are refused and audited.
async fn bearer_tokens_work_until_revoked<B: TestBackend>() {
    let app = TestApp::<B>::new().await;
    let (token, secret) = app
        .core
        .create_api_token(By::System("test"), "auditor", "siem export", 30, &RequestContext::default())
        .await
        .expect("token");
    let bearer = |s: &str| {
        Request::builder()
            .uri("/api/v1/me")
            .header(header::AUTHORIZATION, format!("Bearer {s}"))
            .body(Body::empty())
            .expect("request")
    };
    let me = app.send(bearer(&secret)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["username"], "auditor");
    assert!(me.json()["permissions"].as_array().expect("list").iter().any(|p| p == "audit.read"));
    let before = app.refusals().await;
    assert_eq!(app.send(bearer("blt_forged")).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.refusals().await, before + 1);
    app.core.revoke_api_token(By::System("test"), token.id, &RequestContext::default()).await.expect("revoke");
    let revoked = app.send(bearer(&secret)).await;
    assert_eq!(revoked.status, StatusCode::UNAUTHORIZED);
    assert_eq!(revoked.headers.get(header::WWW_AUTHENTICATE).map(|v| v.as_bytes()), Some(&b"Bearer"[..]));
}

/// The OpenAPI document describes every API route, and the operational endpoints answer.
async fn openapi_and_operations<B: TestBackend>() {
    let app = TestApp::<B>::new().await;
    let spec = app.get("/api/openapi.json", None).await.json();
    assert!(spec["openapi"].as_str().unwrap_or("").starts_with("3.1"));
    for route in routes().iter().filter(|r| r.path.starts_with("/api/v1/")) {
        let method = route.method.as_str().to_lowercase();
        assert!(
            spec["paths"][route.path][&method].is_object(),
            "{} {} is not in the OpenAPI document",
            route.method,
            route.path
        );
    }
    assert_eq!(app.get("/healthz", None).await.body, "ok");
    assert_eq!(app.get("/readyz", None).await.status, StatusCode::OK);
    assert_eq!(app.get("/metrics", None).await.status, StatusCode::OK);
}

/// Auditors search the trail by user and see their own search recorded.
async fn auditors_search_the_trail<B: TestBackend>() {
    let app = TestApp::<B>::new().await;
    let investigator = app.session("investigator").await;
    app.get(&format!("/officers/{}", app.users[&Role::Analyst].id), Some(&investigator)).await;
    let auditor = app.session("auditor").await;
    let page = app.get("/api/v1/audit?actor=investigator&limit=10", Some(&auditor)).await;
    assert_eq!(page.status, StatusCode::OK);
    let actions: Vec<String> = page.json()["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["action"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(
        actions.contains(&"officer.view".to_string()) && actions.contains(&"auth.sign_in".to_string()),
        "{actions:?}"
    );
    let html = app.get("/audit?actor=investigator", Some(&auditor)).await;
    assert!(html.body.contains("officer.view"));
    let mine = app.get("/api/v1/audit?actor=auditor&action=audit.search", Some(&auditor)).await;
    assert!(mine.json()["events"].as_array().expect("events").len() >= 2, "searches are audited");
    let verify = app.get("/api/v1/audit/verify", Some(&auditor)).await;
    assert_eq!(verify.json()["ok"], true);
}

fn thrive_json(version: i64, skip: usize) -> String {
    let entries: Vec<serde_json::Value> = ["threat", "harm", "risk", "investigation", "vulnerability", "engagement"]
        .iter()
        .skip(skip)
        .map(|e| serde_json::json!({ "element": e, "rating": "high", "rationale": format!("{e} considered on the call") }))
        .collect();
    serde_json::json!({ "version": version, "entries": entries }).to_string()
}

/// A 999 domestic call through the API: recorded, THRIVE-assessed, graded, closed with the NCRS reason.
async fn incident_journey_over_the_api<B: TestBackend>() {
    let app = TestApp::<B>::new().await;
    let handler = app.session("call-handler").await;
    let json = "application/json";
    let new = r#"{"channel":"999","caller_name":"Mary Lane","caller_phone":"07700 900123","location_text":"14 Mill Road","division":"East","opening_category":"PSW-DOM","qualifiers":["domestic-abuse","repeat"],"summary":"Partner shouting and throwing things"}"#;
    let created = app.post("/api/v1/incidents", Some(&handler), json, new).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let incident = created.json();
    let id = incident["id"].as_str().expect("id").to_string();
    assert_eq!(incident["reference"], "20261126-0001");
    let base = format!("/api/v1/incidents/{id}");

    let early = app.post(&format!("{base}/grade"), Some(&handler), json, r#"{"version":1,"grade":"emergency"}"#).await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(early.json()["fields"][0]["field"], "thrive");
    let partial = app.post(&format!("{base}/thrive"), Some(&handler), json, thrive_json(1, 2)).await;
    assert_eq!(partial.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = partial.json()["fields"].to_string();
    assert!(fields.contains("thrive.threat.rating") && fields.contains("thrive.harm.rationale"), "{fields}");
    assert_eq!(
        app.post(&format!("{base}/thrive"), Some(&handler), json, thrive_json(1, 0)).await.status,
        StatusCode::OK
    );
    let graded = app.post(&format!("{base}/grade"), Some(&handler), json, r#"{"version":2,"grade":"emergency"}"#).await;
    assert_eq!(graded.status, StatusCode::OK);
    assert_eq!(graded.json()["due_at"], "2026-11-26T09:15:00+00:00");
    let stale = app.post(&format!("{base}/log"), Some(&handler), json, r#"{"version":2,"text":"Late note"}"#).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(stale.json()["error"], "conflict");

    let no_reason = app
        .post(
            &format!("{base}/close"),
            Some(&handler),
            json,
            r#"{"version":3,"closing_category":"CRM-VIO","result":"Attended"}"#,
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.json()["fields"].to_string().contains("ncrs_reason"));
    let closed = app
        .post(
            &format!("{base}/close"),
            Some(&handler),
            json,
            r#"{"version":3,"closing_category":"PSW-DOM","result":"Verbal argument; advice given","ncrs_reason":"No notifiable offence disclosed"}"#,
        )
        .await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);
    assert_eq!(closed.json()["status"], "closed");
    let record = app.get(&base, Some(&handler)).await.json();
    assert_eq!(record["log"].as_array().map(Vec::len), Some(4));
    assert_eq!(record["thrive"][0]["entries"].as_array().map(Vec::len), Some(6));
    assert_eq!(app.get("/api/v1/incidents", Some(&handler)).await.json().as_array().map(Vec::len), Some(0));

    let future = new.replace(r#""channel":"999""#, r#""channel":"999","received_at":"2026-11-26T12:00:00Z""#);
    let rejected = app.post("/api/v1/incidents", Some(&handler), json, future).await;
    assert_eq!(rejected.json()["fields"][0]["field"], "received_at");
    let unknown = app.post("/api/v1/incidents", Some(&handler), json, new.replace("PSW-DOM", "PSW-NOPE")).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.json()["fields"][0]["field"], "opening_category");
    let investigator = app.session("investigator").await;
    assert_eq!(app.post("/api/v1/incidents", Some(&investigator), json, new).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&base, Some(&investigator)).await.status, StatusCode::OK, "investigators may read incidents");
}

/// A force's own NSIR list decides what the record and close forms and the API accept: a category only
/// in the loaded list is accepted, a built-in one absent from it is refused with the field named.
async fn a_loaded_nsir_list_is_what_is_accepted<B: TestBackend>() {
    let nsir = bluelamp_core::reference::NsirList::from_toml(
        r#"version = "Test force list 1"
[[category]]
code = "PSW-WLF"
label = "Welfare check for a partner agency"
chapter = "public-safety-and-welfare"
[[category]]
code = "CRM-VIO"
label = "Crime: violence"
chapter = "crime"
[[qualifier]]
code = "county-lines"
label = "County lines"
"#,
    )
    .expect("list");
    let settings = bluelamp_core::Settings { nsir, ..bluelamp_core::Settings::default() };
    let app = TestApp::<B>::with_settings(WebConfig::default(), settings).await;
    let handler = app.session("call-handler").await;
    let json = "application/json";
    let body = |category: &str, qualifier: &str| {
        serde_json::json!({"channel": "101", "location_text": "3 Quay Street", "opening_category": category,
            "qualifiers": [qualifier], "summary": "Housing officer asks for a welfare check"})
        .to_string()
    };
    let created = app.post("/api/v1/incidents", Some(&handler), json, body("PSW-WLF", "county-lines")).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let builtin = app.post("/api/v1/incidents", Some(&handler), json, body("PSW-DOM", "county-lines")).await;
    assert_eq!(builtin.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(builtin.json()["fields"][0]["field"], "opening_category");
    let qualifier = app.post("/api/v1/incidents", Some(&handler), json, body("PSW-WLF", "domestic-abuse")).await;
    assert_eq!(qualifier.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(qualifier.json()["fields"][0]["field"], "qualifiers");

    let list = app.get("/api/v1/reference/nsir", Some(&handler)).await.json();
    assert_eq!(list["version"], "Test force list 1");
    assert_eq!(list["categories"][0]["code"], "PSW-WLF");
    assert_eq!(list["categories"][1]["crime_related"], true);
    assert_eq!(list["qualifiers"].as_array().map(Vec::len), Some(1));

    let page = app.get("/incidents/new", Some(&handler)).await;
    assert!(page.body.contains("Welfare check for a partner agency") && page.body.contains("County lines"));
    assert!(!page.body.contains("Domestic incident"), "built-in categories are not offered");
    let form = "application/x-www-form-urlencoded";
    let refused = app
        .post(
            "/incidents",
            Some(&handler),
            form,
            "channel=101&location_text=Quay&opening_category=PSW-DOM&summary=Check",
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Choose an opening category from the NSIR list"));

    let id = created.json()["id"].as_str().expect("id").to_string();
    let base = format!("/api/v1/incidents/{id}");
    assert_eq!(
        app.post(&format!("{base}/thrive"), Some(&handler), json, thrive_json(1, 0)).await.status,
        StatusCode::OK
    );
    let graded = app.post(&format!("{base}/grade"), Some(&handler), json, r#"{"version":2,"grade":"scheduled"}"#).await;
    assert_eq!(graded.status, StatusCode::OK);
    let close = |category: &str| {
        serde_json::json!({"version": 3, "closing_category": category, "result": "Welfare check done; all well"})
            .to_string()
    };
    let closed_builtin = app.post(&format!("{base}/close"), Some(&handler), json, close("PSW-CFS")).await;
    assert_eq!(closed_builtin.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(closed_builtin.json()["fields"][0]["field"], "closing_category");
    let show = app.get(&format!("/incidents/{id}"), Some(&handler)).await;
    assert!(show.body.contains("Welfare check for a partner agency") && !show.body.contains("Concern for safety"));
    let closed = app.post(&format!("{base}/close"), Some(&handler), json, close("PSW-WLF")).await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);
}

/// An incident recorded with coordinates shows the division, beat and ward they fall in, on its page
/// and in the API; one outside every area is kept with the warning.
async fn beat_and_ward_shown_for_coordinates<B: TestBackend>() {
    let areas = bluelamp_core::area::AreaMap::from_geojson(
        r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"name":"West"},"geometry":{"type":"Polygon","coordinates":[[[0.2,51.0],[0.65,51.0],[0.65,51.3],[0.2,51.3],[0.2,51.0]]]}},
        {"type":"Feature","properties":{"name":"W1 Thornbury","level":"beat"},"geometry":{"type":"Polygon","coordinates":[[[0.2,51.15],[0.425,51.15],[0.425,51.3],[0.2,51.3],[0.2,51.15]]]}},
        {"type":"Feature","properties":{"name":"Thornbury Abbey","level":"ward"},"geometry":{"type":"Polygon","coordinates":[[[0.25,51.2],[0.35,51.2],[0.35,51.28],[0.25,51.28],[0.25,51.2]]]}}]}"#,
    )
    .expect("areas");
    let settings = bluelamp_core::Settings { areas, ..bluelamp_core::Settings::default() };
    let app = TestApp::<B>::with_settings(WebConfig::default(), settings).await;
    let handler = app.session("call-handler").await;
    let form = "application/x-www-form-urlencoded";
    let created = app
        .post(
            "/incidents",
            Some(&handler),
            form,
            "channel=999&location_text=2+Abbey+Row&latitude=51.25&longitude=0.3&opening_category=PSW-CFS&summary=Neighbour+not+seen",
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let page = app.get(&created.location(), Some(&handler)).await;
    assert!(page.body.contains("W1 Thornbury") && page.body.contains("Thornbury Abbey"), "{}", page.body);
    assert!(!page.body.contains("outside the force area"));
    let id = created.location().trim_start_matches("/incidents/").to_string();
    let json = app.get(&format!("/api/v1/incidents/{id}"), Some(&handler)).await.json();
    assert_eq!(json["incident"]["division"], "West");
    assert_eq!(json["incident"]["beat"], "W1 Thornbury");
    assert_eq!(json["incident"]["ward"], "Thornbury Abbey");
    assert_eq!(json["incident"]["outside_force_area"], false);

    let body = r#"{"channel":"101","location_text":"Somewhere far","latitude":53.0,"longitude":-1.5,"opening_category":"PSW-CFS","summary":"Caller is out of area"}"#;
    let outside = app.post("/api/v1/incidents", Some(&handler), "application/json", body).await;
    assert_eq!(outside.status, StatusCode::CREATED, "{}", outside.body);
    let outside = outside.json();
    assert_eq!((outside["beat"].as_str(), outside["ward"].as_str()), (Some(""), Some("")));
    assert_eq!(outside["outside_force_area"], true);
    let page = app.get(&format!("/incidents/{}", outside["id"].as_str().expect("id")), Some(&handler)).await;
    assert!(page.body.contains("outside the force area"));
    let openapi = app.get("/api/openapi.json", None).await.json();
    let props = &openapi["components"]["schemas"]["IncidentJson"]["properties"];
    assert!(props["beat"].is_object() && props["ward"].is_object(), "beat and ward are in the schema");
}

/// An incident and its THRIVE assessment in one request: one transaction, one audit event, version 1;
/// a bad THRIVE element is a 422 naming it, and nothing is saved (not even a reference number).
async fn incident_with_thrive_in_one_request<B: TestBackend>() {
    let app = TestApp::<B>::new().await;
    let handler = app.session("call-handler").await;
    let json = "application/json";
    let with_thrive = |entries: &str| {
        let mut new: serde_json::Value = serde_json::from_str(
            r#"{"channel":"999","caller_name":"Mary Lane","caller_phone":"07700 900123","location_text":"14 Mill Road","division":"East","opening_category":"PSW-DOM","qualifiers":["domestic-abuse"],"summary":"Partner shouting and throwing things"}"#,
        )
        .expect("json");
        let thrive: serde_json::Value = serde_json::from_str(entries).expect("json");
        new["thrive"] = thrive["entries"].clone();
        new.to_string()
    };
    let events_before = app.backend.store().audit_head().await.expect("head").0;

    let bad = thrive_json(1, 0).replacen(r#""rating":"high""#, r#""rating":"severe""#, 1);
    let refused = app.post("/api/v1/incidents", Some(&handler), json, with_thrive(&bad)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert_eq!(refused.json()["fields"][0]["field"], "thrive.threat.rating");
    let partial = app.post("/api/v1/incidents", Some(&handler), json, with_thrive(&thrive_json(1, 5))).await;
    assert_eq!(partial.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = partial.json()["fields"].to_string();
    assert!(fields.contains("thrive.threat.rationale") && fields.contains("thrive.vulnerability.rating"), "{fields}");
    let both_wrong = with_thrive(&bad).replace("PSW-DOM", "PSW-NOPE");
    let fields = app.post("/api/v1/incidents", Some(&handler), json, both_wrong).await.json()["fields"].to_string();
    assert!(
        fields.contains("opening_category") && fields.contains("thrive.threat.rating"),
        "every rule named: {fields}"
    );
    assert_eq!(app.get("/api/v1/incidents", Some(&handler)).await.json().as_array().map(Vec::len), Some(0));
    assert_eq!(app.backend.store().audit_head().await.expect("head").0, events_before + 1, "only the queue view");

    let created = app.post("/api/v1/incidents", Some(&handler), json, with_thrive(&thrive_json(1, 0))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let incident = created.json();
    assert_eq!(incident["reference"], "20261126-0001", "a refused request takes no number");
    assert_eq!(incident["version"], 1);
    let id = incident["id"].as_str().expect("id").to_string();
    let record = app.get(&format!("/api/v1/incidents/{id}"), Some(&handler)).await.json();
    assert_eq!(record["thrive"].as_array().map(Vec::len), Some(1));
    assert_eq!(record["thrive"][0]["entries"].as_array().map(Vec::len), Some(6));
    assert_eq!(record["thrive"][0]["entries"][0]["rationale"], "threat considered on the call");
    let log: Vec<String> =
        record["log"].as_array().expect("log").iter().map(|l| l["text"].as_str().unwrap_or("").to_string()).collect();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0], "Partner shouting and throwing things");
    assert!(log[1].starts_with("THRIVE assessed: Threat high"), "{log:?}");
    let trail = app
        .backend
        .store()
        .search_audit(&AuditQuery { record_id: Some(id.clone()), limit: 10, ..Default::default() })
        .await
        .expect("search");
    let recorded: Vec<_> = trail.iter().filter(|e| e.event.action != "incident.view").collect();
    assert_eq!(recorded.len(), 1, "one audit event for the incident and its assessment");
    assert_eq!(recorded[0].event.action, "incident.record");
    assert!(recorded[0].event.after.clone().unwrap_or_default().contains(r#""thrive":{"#));

    // Assessed already, so it can be graded straight away; without `thrive` nothing changes.
    let graded = app
        .post(&format!("/api/v1/incidents/{id}/grade"), Some(&handler), json, r#"{"version":1,"grade":"emergency"}"#)
        .await;
    assert_eq!(graded.status, StatusCode::OK, "{}", graded.body);
    let plain = with_thrive(&thrive_json(1, 0)).replace(r#","thrive":"#, r#","unused":"#);
    let plain = app.post("/api/v1/incidents", Some(&handler), json, plain).await.json();
    assert_eq!(plain["reference"], "20261126-0002");
    let record = app.get(&format!("/api/v1/incidents/{}", plain["id"].as_str().unwrap_or("")), Some(&handler)).await;
    assert_eq!(record.json()["thrive"].as_array().map(Vec::len), Some(0));
    let verify = app.get("/api/v1/audit/verify", Some(&app.session("auditor").await)).await;
    assert_eq!(verify.json()["ok"], true);
}

/// The incident pages: a conflict or a broken rule re-renders the page with what was typed.
async fn incident_pages_keep_what_was_typed<B: TestBackend>() {
    let app = TestApp::<B>::new().await;
    let handler = app.session("call-handler").await;
    let form = "application/x-www-form-urlencoded";
    let created = app
        .post(
            "/incidents",
            Some(&handler),
            form,
            "channel=101&location_text=The+Green&opening_category=ASB-NUI&qualifiers=alcohol&qualifiers=repeat&summary=Youths+drinking&division=East",
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let path = created.location();
    let page = app.get(&path, Some(&handler)).await;
    assert!(
        page.body.contains("Anti-social behaviour: nuisance")
            && page.body.contains("Alcohol")
            && page.body.contains("Repeat")
    );
    assert_eq!(
        app.post(&format!("{path}/log"), Some(&handler), form, "version=1&text=First+note").await.status,
        StatusCode::SEE_OTHER
    );
    let stale = app.post(&format!("{path}/log"), Some(&handler), form, "version=1&text=My+careful+words").await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(
        stale.body.contains("My careful words") && stale.body.contains("changed by someone else"),
        "kept and explained"
    );
    let partial = app
        .post(
            &format!("{path}/thrive"),
            Some(&handler),
            form,
            "version=2&threat_rating=low&threat_rationale=No+threats+made",
        )
        .await;
    assert_eq!(partial.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(partial.body.contains("Choose a rating for Vulnerability") && partial.body.contains("No threats made"));
    let bad = app.post("/incidents", Some(&handler), form, "channel=999&latitude=north&summary=x").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Enter a number in degrees") && bad.body.contains("govuk-error-summary"));
    let queue = app.get("/incidents", Some(&handler)).await;
    assert!(queue.body.contains("20261126-0001") && queue.body.contains("Not graded"));
    let home = app.get("/", Some(&handler)).await;
    assert!(home.body.contains("Calls awaiting a grade"));
}

/// Intake checks and the NCRS list over HTTP, with the clock fixed.
async fn intake_checks_and_ncrs_over_http<B: TestBackend>() {
    let app = TestApp::<B>::new().await;
    let handler = app.session("call-handler").await;
    let json = "application/json";
    let call = |category: &str, place: &str| {
        format!(
            r#"{{"channel":"101","caller_phone":"01632 960001","location_text":"{place}","opening_category":"{category}","summary":"Caller reports it"}}"#
        )
    };
    app.post("/api/v1/incidents", Some(&handler), json, call("CRM-THF", "3 Kings Road")).await;
    app.clock.advance(Duration::hours(2));
    let handler = app.session("call-handler").await; // the first session has idled out
    let second = app.post("/api/v1/incidents", Some(&handler), json, call("ASB-NUI", "3, KINGS ROAD")).await.json();
    let checks = app
        .get(&format!("/api/v1/incidents/{}/checks", second["id"].as_str().unwrap_or("")), Some(&handler))
        .await
        .json();
    assert_eq!(checks[0]["explanation"], "same phone number: 1 earlier incident in 1 days");
    assert_eq!(checks[1]["explanation"], "same address: 1 earlier incident in 1 days");
    let page = app.get(&format!("/incidents/{}", second["id"].as_str().unwrap_or("")), Some(&handler)).await;
    assert!(page.body.contains("Possible repeat") && page.body.contains("same address: 1 earlier incident"));

    let registrar = app.session("crime-registrar").await;
    assert_eq!(app.get("/api/v1/ncrs?within_hours=0", Some(&registrar)).await.json().as_array().map(Vec::len), Some(0));
    app.clock.advance(Duration::hours(23));
    let registrar = app.session("crime-registrar").await;
    let handler = app.session("call-handler").await;
    let overdue = app.get("/api/v1/ncrs?within_hours=0", Some(&registrar)).await.json();
    assert_eq!(overdue.as_array().map(Vec::len), Some(1), "the theft is past 24 hours with no decision");
    assert_eq!(overdue[0]["opening_category"], "CRM-THF");
    let html = app.get("/ncrs", Some(&registrar)).await;
    assert!(html.body.contains("hours overdue") && html.body.contains("Crime: theft"));
    let home = app.get("/", Some(&registrar)).await;
    assert!(home.body.contains("NCRS breaches"));
    assert_eq!(
        app.get("/api/v1/ncrs?within_hours=999", Some(&registrar)).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(app.get("/api/v1/ncrs", Some(&handler)).await.status, StatusCode::FORBIDDEN);
}

fn id_in(location: &str, prefix: &str) -> String {
    location.trim_start_matches(prefix).split(['/', '?']).next().unwrap_or("").to_string()
}

/// People pages: add a person, be offered the likely duplicate before adding them again, find them
/// by a misspelt name as typed, mark them, and link them to an incident, whose checks then warn.
async fn people_pages_find_offer_duplicates_and_link<B: TestBackend>() {
    let app = TestApp::<B>::new().await;
    let handler = app.session("call-handler").await;
    let form = "application/x-www-form-urlencoded";
    let jane = "forenames=Jane&surname=Smith&dob_day=2&dob_month=4&dob_year=1990&sex=female&address=12+Mill+Road%2C+Oakfield&phone=07700+900123";
    let created = app.post("/people", Some(&handler), form, jane).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let jane_id = id_in(&created.location(), "/people/");

    let again = app
        .post("/people", Some(&handler), form, "forenames=Jane&surname=Smyth&dob_day=2&dob_month=4&dob_year=1990")
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        again.body.contains("Possible matches") && again.body.contains(&format!("/people/{jane_id}")),
        "{}",
        again.body
    );
    assert!(again.body.contains("same date of birth") && again.body.contains(r#"name="confirmed" value="yes""#));

    let bad = app.post("/people", Some(&handler), form, "surname=Baker&dob_day=31&dob_month=2&dob_year=1990").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Enter a real date") && bad.body.contains(r##"href="#dob_day""##), "{}", bad.body);
    assert!(app.get("/people?name=Baker", Some(&handler)).await.body.contains("No one found"), "nothing half-saved");

    let found = app.get("/people?name=Jane+Smyth", Some(&handler)).await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(found.body.contains("1 person found") && found.body.contains("similar surname"), "{}", found.body);

    let marked = app
        .post(
            &format!("/people/{jane_id}/markers"),
            Some(&handler),
            form,
            "version=1&category=missing&detail=Missing+from+home+since+Monday",
        )
        .await;
    assert_eq!(marked.status, StatusCode::SEE_OTHER, "{}", marked.body);
    let stale =
        app.post(&format!("/people/{jane_id}/phones"), Some(&handler), form, "version=1&number=01632+960001").await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(
        stale.body.contains("changed by someone else") && stale.body.contains("01632 960001"),
        "kept what was typed"
    );
    let person = app.get(&format!("/people/{jane_id}"), Some(&handler)).await;
    assert!(person.body.contains("Missing from home since Monday") && person.body.contains("12 Mill Road"));

    let incident = app
        .post("/incidents", Some(&handler), form, "channel=999&caller_phone=01632+960999&location_text=4+Elm+Road&opening_category=PSW-DOM&summary=Shouting+heard")
        .await;
    let incident_id = id_in(&incident.location(), "/incidents/");
    let search = app.get(&format!("/incidents/{incident_id}/people?name=Smith"), Some(&handler)).await;
    assert!(search.body.contains("Add Jane Smith to the incident"), "{}", search.body);
    let linked = app
        .post(
            &format!("/incidents/{incident_id}/people"),
            Some(&handler),
            form,
            format!("version=1&person_id={jane_id}&role=victim"),
        )
        .await;
    assert_eq!(linked.status, StatusCode::SEE_OTHER, "{}", linked.body);
    let page = app.get(&format!("/incidents/{incident_id}"), Some(&handler)).await;
    assert!(page.body.contains("Jane Smith is reported missing: Missing from home since Monday"), "{}", page.body);
    let twice = app
        .post(
            &format!("/incidents/{incident_id}/people"),
            Some(&handler),
            form,
            format!("version=2&person_id={jane_id}&role=victim"),
        )
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(twice.body.contains("already linked as victim"));

    // A new person added from the incident is linked in the same step.
    let from_incident = app
        .post(
            "/people",
            Some(&handler),
            form,
            format!("forenames=Sam&surname=Okoro&sex=male&incident={incident_id}&role=suspect"),
        )
        .await;
    assert_eq!(from_incident.location(), format!("/incidents/{incident_id}"));
    let page = app.get(&format!("/incidents/{incident_id}"), Some(&handler)).await;
    assert!(page.body.contains("Sam Okoro") && page.body.contains("Suspect"));
    let analyst = app.session("analyst").await;
    assert_eq!(app.post("/people", Some(&analyst), form, jane).await.status, StatusCode::FORBIDDEN);
}

/// People over the API: create, duplicates refused until confirmed, fuzzy search with reasons,
/// markers, and linking to an incident whose checks then rank the marker first.
async fn people_over_the_api<B: TestBackend>() {
    let app = TestApp::<B>::new().await;
    let handler = app.session("call-handler").await;
    let json = "application/json";
    let body = r#"{"forenames":"Jane","surname":"Smith","date_of_birth":"1990-04-02","sex":"female","address":"12 Mill Road"}"#;
    let created = app.post("/api/v1/people", Some(&handler), json, body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let jane = created.json();
    let again = app.post("/api/v1/people", Some(&handler), json, body).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(again.json()["fields"][0]["field"], "duplicates");
    let bad =
        app.post("/api/v1/people", Some(&handler), json, r#"{"surname":"Baker","date_of_birth":"02/04/1990"}"#).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["fields"][0]["field"], "date_of_birth");
    let confirmed = body.replace(r#""address":"12 Mill Road"}"#, r#""address":"12 Mill Road","confirm_new":true}"#);
    assert_eq!(app.post("/api/v1/people", Some(&handler), json, confirmed).await.status, StatusCode::CREATED);

    let hits = app.get("/api/v1/people?name=Smyth&date_of_birth=1990-04-02", Some(&handler)).await.json();
    assert_eq!(hits.as_array().map(Vec::len), Some(2));
    assert!(hits[0]["score"].as_u64().unwrap_or(0) >= 50);
    assert!(hits[0]["reasons"].to_string().contains("same date of birth"));

    let id = jane["id"].as_str().unwrap_or("");
    let marker = app
        .post(
            &format!("/api/v1/people/{id}/markers"),
            Some(&handler),
            json,
            r#"{"version":1,"category":"wanted","detail":"Wanted on warrant"}"#,
        )
        .await;
    assert_eq!(marker.status, StatusCode::OK, "{}", marker.body);
    assert_eq!(marker.json()["markers"][0]["category"], "wanted");
    let unknown = app
        .post(
            &format!("/api/v1/people/{id}/markers"),
            Some(&handler),
            json,
            r#"{"version":2,"category":"famous","detail":"x"}"#,
        )
        .await;
    assert_eq!(unknown.json()["fields"][0]["field"], "category");

    let incident = app
        .post(
            "/api/v1/incidents",
            Some(&handler),
            json,
            r#"{"channel":"999","location_text":"4 Elm Road","opening_category":"PSW-DOM","summary":"Shouting"}"#,
        )
        .await
        .json();
    let incident_id = incident["id"].as_str().unwrap_or("");
    let link = format!(r#"{{"version":1,"person_id":"{id}","role":"suspect"}}"#);
    let linked = app.post(&format!("/api/v1/incidents/{incident_id}/people"), Some(&handler), json, link).await;
    assert_eq!(linked.status, StatusCode::OK, "{}", linked.body);
    assert_eq!(linked.json()["version"], 2);
    let checks = app.get(&format!("/api/v1/incidents/{incident_id}/checks"), Some(&handler)).await.json();
    assert_eq!(checks[0]["kind"], "marker:wanted");
    assert_eq!(checks[0]["explanation"], "Jane Smith is wanted: Wanted on warrant");
    let record = app.get(&format!("/api/v1/incidents/{incident_id}"), Some(&handler)).await.json();
    assert_eq!(record["people"][0]["role"], "suspect");

    // Recorded with its people and THRIVE in one request: version 1, one audit event.
    let with_people = |people: &str| {
        let mut body: serde_json::Value = serde_json::from_str(
            r#"{"channel":"999","location_text":"9 Oak Lane","opening_category":"PSW-DOM","summary":"Neighbour hears screaming"}"#,
        )
        .expect("json");
        body["people"] = serde_json::from_str(people).expect("json");
        body["thrive"] =
            serde_json::from_str::<serde_json::Value>(&thrive_json(1, 0)).expect("json")["entries"].clone();
        body.to_string()
    };
    let before = app.get("/api/v1/incidents", Some(&handler)).await.json().as_array().map(Vec::len);
    let unknown = with_people(&format!(
        r#"[{{"person_id":"{id}","role":"victim"}},{{"person_id":"{}","role":"witness"}}]"#,
        uuid::Uuid::now_v7()
    ));
    let refused = app.post("/api/v1/incidents", Some(&handler), json, unknown).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.json()["fields"][0]["field"], "people.1.person_id");
    let bad_role = app
        .post(
            "/api/v1/incidents",
            Some(&handler),
            json,
            with_people(&format!(r#"[{{"person_id":"{id}","role":"boss"}}]"#)),
        )
        .await;
    assert_eq!(bad_role.json()["fields"][0]["field"], "people.0.role");
    assert_eq!(
        app.get("/api/v1/incidents", Some(&handler)).await.json().as_array().map(Vec::len),
        before,
        "nothing saved"
    );
    let created = app
        .post(
            "/api/v1/incidents",
            Some(&handler),
            json,
            with_people(&format!(r#"[{{"person_id":"{id}","role":"victim"}}]"#)),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let created = created.json();
    assert_eq!(created["version"], 1);
    let record =
        app.get(&format!("/api/v1/incidents/{}", created["id"].as_str().unwrap_or("")), Some(&handler)).await.json();
    assert_eq!(
        (record["people"][0]["name"].as_str(), record["people"][0]["role"].as_str()),
        (Some("Jane Smith"), Some("victim"))
    );
    assert_eq!(record["thrive"].as_array().map(Vec::len), Some(1));
    assert!(record["log"].to_string().contains("Linked Jane Smith as victim"));
    let checks = app
        .get(&format!("/api/v1/incidents/{}/checks", created["id"].as_str().unwrap_or("")), Some(&handler))
        .await
        .json();
    assert_eq!(checks[0]["kind"], "marker:wanted");
    assert_eq!(checks[1]["explanation"], "Jane Smith: 1 earlier incident in 1 days");
}

/// The Home Office offence classification is reference data for those who see crimes.
async fn offence_classification_over_http<B: TestBackend>() {
    let app = TestApp::<B>::new().await;
    let investigator = app.session("investigator").await;
    let list = app.get("/api/v1/reference/offences", Some(&investigator)).await;
    assert_eq!(list.status, StatusCode::OK);
    let list = list.json();
    assert_eq!(list["version"], bluelamp_core::offence::BUILTIN_VERSION);
    let offences = list["offences"].as_array().cloned().unwrap_or_default();
    let assault = offences.iter().find(|o| o["code"] == "8N").cloned().unwrap_or_default();
    assert_eq!(assault["group"], "violence-against-the-person");
    assert_eq!(assault["subgroup"], "Violence with injury");
    let handler = app.session("call-handler").await;
    assert_eq!(app.get("/api/v1/reference/offences", Some(&handler)).await.status, StatusCode::FORBIDDEN);
}

/// Crimes over the API: recorded from an incident with a victim and a suspect, every broken entry rule
/// named, the rules' verdict shown, reclassified with a reason, finalised, and counted in the
/// registrar's 24-hour compliance report.
async fn crimes_over_the_api<B: TestBackend>() {
    let app = TestApp::<B>::new().await;
    let json = "application/json";
    let handler = app.session("call-handler").await;
    let officer = app.session("investigator").await;
    let person = |body: &str| {
        let body = body.to_string();
        let officer = officer.clone();
        let app = &app;
        async move {
            app.post("/api/v1/people", Some(&officer), json, body).await.json()["id"].as_str().unwrap_or("").to_string()
        }
    };
    let victim = person(r#"{"forenames":"Jane","surname":"Smith","date_of_birth":"1990-04-02","sex":"female"}"#).await;
    let suspect = person(r#"{"forenames":"Sam","surname":"Okoro","sex":"male"}"#).await;
    let incident = app
        .post("/api/v1/incidents", Some(&handler), json, r#"{"channel":"999","location_text":"4 Elm Road","opening_category":"CRM-VIO","summary":"Man punched outside the pub"}"#)
        .await
        .json();
    let incident_id = incident["id"].as_str().unwrap_or("").to_string();
    let crime_body = |code: &str, people: &str| {
        format!(
            r#"{{"incident_id":"{incident_id}","offence_code":"{code}","location_text":"Outside the Crown, 4 Elm Road","modus_operandi":"Single punch to the face","people":{people}}}"#
        )
    };
    let both = format!(r#"[{{"person_id":"{victim}","role":"victim"}},{{"person_id":"{suspect}","role":"suspect"}}]"#);
    let unknown = app.post("/api/v1/crimes", Some(&officer), json, crime_body("8Z", &both)).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.json()["fields"][0]["field"], "offence_code");
    let no_victim = crime_body("8N", &format!(r#"[{{"person_id":"{suspect}","role":"suspect"}}]"#));
    assert_eq!(
        app.post("/api/v1/crimes", Some(&officer), json, no_victim).await.json()["fields"][0]["field"],
        "people"
    );
    let bad_role = crime_body("8N", &format!(r#"[{{"person_id":"{victim}","role":"bystander"}}]"#));
    assert_eq!(
        app.post("/api/v1/crimes", Some(&officer), json, bad_role).await.json()["fields"][0]["field"],
        "people.0.role"
    );
    let backwards = crime_body("8N", &both).replacen(
        '{',
        r#"{"occurred_from":"2026-11-26T08:00:00Z","occurred_to":"2026-11-26T07:00:00Z","#,
        1,
    );
    assert_eq!(
        app.post("/api/v1/crimes", Some(&officer), json, backwards).await.json()["fields"][0]["field"],
        "occurred_to"
    );
    assert_eq!(
        app.post("/api/v1/crimes", Some(&handler), json, crime_body("8N", &both)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/api/v1/crimes", Some(&officer)).await.json().as_array().map(Vec::len),
        Some(0),
        "nothing saved"
    );

    let created = app.post("/api/v1/crimes", Some(&officer), json, crime_body("8N", &both)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let crime = created.json();
    assert_eq!(crime["number"], "CR-2026-000001");
    assert_eq!(crime["ncrs_compliant"], true);
    let id = crime["id"].as_str().unwrap_or("").to_string();
    let record = app.get(&format!("/api/v1/crimes/{id}"), Some(&officer)).await.json();
    assert_eq!(record["people"][0]["name"], "Jane Smith");
    assert_eq!(record["rule_failures"][0]["rule"], "with-injury-needs-an-injury");
    let outcome_20 = |version: i64| {
        format!(
            r#"{{"version":{version},"outcome":"20","rationale":"Passed to the British Transport Police to investigate","victim_informed_on":"2026-11-26"}}"#
        )
    };
    let refused = app.post(&format!("/api/v1/crimes/{id}/finalise"), Some(&officer), json, outcome_20(1)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.json()["fields"][0]["field"], "rules.with-injury-needs-an-injury");
    assert_eq!(refused.json()["fields"].as_array().map(Vec::len), Some(1), "the outcome's own rules are met");
    let reclassified = app
        .post(
            &format!("/api/v1/crimes/{id}/reclassify"),
            Some(&officer),
            json,
            r#"{"version":1,"offence_code":"105A","reason":"No injury on examination"}"#,
        )
        .await;
    assert_eq!(reclassified.status, StatusCode::OK, "{}", reclassified.body);
    let stale = app
        .post(
            &format!("/api/v1/crimes/{id}/reclassify"),
            Some(&officer),
            json,
            r#"{"version":1,"offence_code":"8N","reason":"x"}"#,
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let finalised = app.post(&format!("/api/v1/crimes/{id}/finalise"), Some(&officer), json, outcome_20(2)).await;
    assert_eq!(finalised.status, StatusCode::OK, "{}", finalised.body);
    assert_eq!(finalised.json()["crime"]["status"], "finalised");
    assert_eq!(finalised.json()["crime"]["outcome"], "20");
    assert_eq!(finalised.json()["decision"]["status"], "final");
    let record = app.get(&format!("/api/v1/crimes/{id}"), Some(&officer)).await.json();
    assert_eq!(record["classifications"][1]["reason"], "No injury on examination");
    let incident = app.get(&format!("/api/v1/incidents/{incident_id}"), Some(&handler)).await.json();
    assert_eq!(incident["incident"]["crime_reference"], "CR-2026-000001");

    let registrar = app.session("crime-registrar").await;
    let report = app.get("/api/v1/crimes/compliance?from=2026-11-01&to=2026-11-30", Some(&registrar)).await.json();
    assert_eq!(
        (report["compliant"].as_u64(), report["total"].as_u64(), report["percent"].as_f64()),
        (Some(1), Some(1), Some(100.0))
    );
    let bad_day = app.get("/api/v1/crimes/compliance?from=yesterday&to=2026-11-30", Some(&registrar)).await;
    assert_eq!(bad_day.json()["fields"][0]["field"], "from");
    assert_eq!(
        app.get("/api/v1/crimes/compliance?from=2026-11-01&to=2026-11-30", Some(&officer)).await.status,
        StatusCode::FORBIDDEN
    );
}

/// Crime pages: record a shop theft from its incident with the people already linked, a broken rule
/// keeps what was typed, the crime page shows everything linked and the rules' verdict, reclassify
/// by form, an outcome blocked by a recording rule, and the registrar's compliance page.
async fn crime_pages_from_an_incident<B: TestBackend>() {
    let app = TestApp::<B>::new().await;
    let form = "application/x-www-form-urlencoded";
    let officer = app.session("investigator").await;
    let handler = app.session("call-handler").await;
    let shop = app
        .post("/people", Some(&handler), form, "forenames=Priya&surname=Patel&sex=female&address=Co-op+High+Street")
        .await;
    let victim = id_in(&shop.location(), "/people/");
    let thief = app.post("/people", Some(&handler), form, "forenames=Sam&surname=Okoro&sex=male").await;
    let suspect = id_in(&thief.location(), "/people/");
    let incident = app
        .post("/incidents", Some(&handler), form, "channel=101&location_text=Co-op%2C+3+High+Street&opening_category=CRM-THF&summary=Shop+theft+suspect+detained+by+staff")
        .await;
    let incident_id = id_in(&incident.location(), "/incidents/");
    app.post(
        &format!("/incidents/{incident_id}/people"),
        Some(&handler),
        form,
        format!("version=1&person_id={victim}&role=victim"),
    )
    .await;
    app.post(
        &format!("/incidents/{incident_id}/people"),
        Some(&handler),
        form,
        format!("version=2&person_id={suspect}&role=suspect"),
    )
    .await;
    let page = app.get(&format!("/incidents/{incident_id}"), Some(&officer)).await;
    assert!(
        page.body.contains(&format!("/crimes/new?incident={incident_id}")),
        "the incident offers to record a crime"
    );

    let new = app.get(&format!("/crimes/new?incident={incident_id}"), Some(&officer)).await;
    assert_eq!(new.status, StatusCode::OK);
    assert!(
        new.body.contains(&format!(r#"value="{victim}:victim" selected"#))
            && new.body.contains(&format!(r#"value="{suspect}:suspect" selected"#)),
        "{}",
        new.body
    );
    assert!(new.body.contains("Co-op, 3 High Street"), "the location comes from the incident");
    let people = format!("people={victim}%3Avictim&people={suspect}%3Asuspect");
    let missing = app
        .post("/crimes", Some(&officer), form, format!("incident={incident_id}&{people}&location_text=Co-op&modus_operandi=Took+meat&from_day=31&from_month=2&from_year=2026"))
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        missing.body.contains("Choose an offence from the Home Office list")
            && missing.body.contains("Enter a real date"),
        "{}",
        missing.body
    );
    assert!(missing.body.contains("Took meat"), "what was typed is kept");
    let recorded = app
        .post("/crimes", Some(&officer), form, format!("incident={incident_id}&{people}&offence_code=46&location_text=Co-op%2C+3+High+Street&modus_operandi=Took+meat+from+the+chiller"))
        .await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
    let crime_id = id_in(&recorded.location(), "/crimes/");
    let show = app.get(&format!("/crimes/{crime_id}"), Some(&officer)).await;
    assert!(
        show.body.contains("CR-2026-000001")
            && show.body.contains("Shoplifting")
            && show.body.contains("Priya Patel")
            && show.body.contains("Sam Okoro")
    );
    assert!(show.body.contains("meets every classification and recording rule"));
    let reclass = app
        .post(&format!("/crimes/{crime_id}/reclassify"), Some(&officer), form, "version=1&offence_code=8N&reason=")
        .await;
    assert_eq!(reclass.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reclass.body.contains("Enter why the classification changes"));
    let reclass = app
        .post(
            &format!("/crimes/{crime_id}/reclassify"),
            Some(&officer),
            form,
            "version=1&offence_code=8N&reason=Staff+member+punched+while+detaining+him",
        )
        .await;
    assert_eq!(reclass.status, StatusCode::SEE_OTHER);
    assert!(
        show.body.contains(&format!("href=\"/crimes/{crime_id}/investigation\"")),
        "the crime links to its outcome"
    );
    let blocked = app
        .post(
            &format!("/crimes/{crime_id}/outcome"),
            Some(&officer),
            form,
            "version=2&outcome=20&rationale=Passed+to+the+store%27s+own+investigators&victim_informed_on=2026-11-26",
        )
        .await;
    assert_eq!(blocked.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        blocked.body.contains("record the injury") && blocked.body.contains(r##"href="#rules""##),
        "{}",
        blocked.body
    );
    let list = app.get("/crimes", Some(&officer)).await;
    assert!(list.body.contains("CR-2026-000001") && list.body.contains("Within 24 hours"));
    let registrar = app.session("crime-registrar").await;
    let report = app.get("/crimes/compliance?from=2026-11-01&to=2026-11-30", Some(&registrar)).await;
    assert!(report.body.contains("100.0%") && report.body.contains("1 of 1 crimes"), "{}", report.body);
    let bad = app.get("/crimes/compliance?from=soon&to=2026-11-30", Some(&registrar)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.get("/crimes/new", Some(&handler)).await.status, StatusCode::FORBIDDEN);
}

/// Units over the API: added, deployed, arrival never before the call, cleared; the queue page lists them.
async fn units_over_http<B: TestBackend>() {
    let app = TestApp::<B>::new().await;
    let json = "application/json";
    let handler = app.session("call-handler").await;
    let supervisor = app.session("control-room-supervisor").await;
    assert_eq!(
        app.post(
            "/api/v1/resources",
            Some(&handler),
            json,
            r#"{"call_sign":"EA21","kind":"Response car","division":"East"}"#
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let unit = app
        .post(
            "/api/v1/resources",
            Some(&supervisor),
            json,
            r#"{"call_sign":"EA21","kind":"Response car","division":"East"}"#,
        )
        .await;
    assert_eq!(unit.status, StatusCode::CREATED);
    let unit_id = unit.json()["id"].as_str().unwrap_or("").to_string();
    let new = r#"{"channel":"999","location_text":"1 High Street","opening_category":"CRM-VIO","summary":"Fight outside the pub"}"#;
    let incident = app.post("/api/v1/incidents", Some(&handler), json, new).await.json();
    let base = format!("/api/v1/incidents/{}", incident["id"].as_str().unwrap_or(""));
    let deployed = app
        .post(&format!("{base}/deploy"), Some(&handler), json, format!(r#"{{"version":1,"resource_id":"{unit_id}"}}"#))
        .await;
    assert_eq!(deployed.status, StatusCode::OK, "{}", deployed.body);
    let record = app.get(&base, Some(&handler)).await.json();
    let units = app.get("/api/v1/resources?division=East", Some(&handler)).await.json();
    assert_eq!(units[0]["status"], "assigned");
    let page = app.get(&format!("/incidents/{}", incident["id"].as_str().unwrap_or("")), Some(&handler)).await;
    let deployment_id = page
        .body
        .split("name=\"deployment_id\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or("")
        .to_string();
    assert_eq!(deployment_id.len(), 36, "the page offers the deployment's actions");
    let early = app
        .post(
            &format!("{base}/arrive"),
            Some(&handler),
            json,
            format!(r#"{{"version":2,"deployment_id":"{deployment_id}","arrived_at":"2026-11-26T08:00:00Z"}}"#),
        )
        .await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(early.json()["fields"][0]["field"], "arrived_at");
    app.clock.advance(Duration::minutes(8));
    let handler = app.session("call-handler").await;
    let arrived = app
        .post(
            &format!("{base}/arrive"),
            Some(&handler),
            json,
            format!(r#"{{"version":2,"deployment_id":"{deployment_id}"}}"#),
        )
        .await;
    assert_eq!(arrived.status, StatusCode::OK, "{}", arrived.body);
    let queue = app.get("/incidents", Some(&handler)).await;
    assert!(queue.body.contains("EA21") && queue.body.contains("At scene"));
    let cleared = app
        .post(
            &format!("{base}/clear"),
            Some(&handler),
            json,
            format!(r#"{{"version":3,"deployment_id":"{deployment_id}"}}"#),
        )
        .await;
    assert_eq!(cleared.status, StatusCode::OK);
    assert_eq!(app.get("/api/v1/resources", Some(&handler)).await.json()[0]["status"], "available");
    assert_eq!(record["incident"]["status"], "open");
}

/// The queue page shows the most urgent hundred and counts them all; the rest are a page away.
async fn queue_pages_most_urgent_first<B: TestBackend>() {
    let app = TestApp::<B>::new().await;
    let handler = app.session("call-handler").await;
    for n in 0..(bluelamp_web::pages::incidents::QUEUE_PAGE_SIZE + 5) {
        let body = format!(
            r#"{{"channel":"101","location_text":"{n} Long Street","opening_category":"ASB-NUI","summary":"Noise"}}"#
        );
        assert_eq!(
            app.post("/api/v1/incidents", Some(&handler), "application/json", body).await.status,
            StatusCode::CREATED
        );
    }
    let first = app.get("/incidents", Some(&handler)).await;
    assert!(first.body.contains("105 open incidents") && first.body.contains("Page 1 of 2"));
    assert_eq!(first.body.matches("govuk-link app-reference").count(), 100);
    let second = app.get("/incidents?page=2", Some(&handler)).await;
    assert_eq!(second.body.matches("govuk-link app-reference").count(), 5);
    assert_eq!(app.get("/incidents?page=99", Some(&handler)).await.status, StatusCode::OK, "out of range pages clamp");
    assert_eq!(app.get("/api/v1/incidents", Some(&handler)).await.json().as_array().map(Vec::len), Some(105));
}

/// THRIVE quality over HTTP: the supervisor sees a sample, reviews through the API and the page.
async fn thrive_quality_over_http<B: TestBackend>() {
    let app = TestApp::<B>::new().await;
    let json = "application/json";
    let handler = app.session("call-handler").await;
    for n in 0..20 {
        let body = format!(
            r#"{{"channel":"999","location_text":"{n} Quay Street","opening_category":"PSW-CFS","summary":"Concern"}}"#
        );
        let id = app.post("/api/v1/incidents", Some(&handler), json, body).await.json()["id"]
            .as_str()
            .unwrap_or("")
            .to_string();
        assert_eq!(
            app.post(&format!("/api/v1/incidents/{id}/thrive"), Some(&handler), json, thrive_json(1, 0)).await.status,
            StatusCode::OK
        );
        let graded = app
            .post(&format!("/api/v1/incidents/{id}/grade"), Some(&handler), json, r#"{"version":2,"grade":"priority"}"#)
            .await;
        assert_eq!(graded.status, StatusCode::OK);
    }
    let supervisor = app.session("control-room-supervisor").await;
    assert_eq!(app.get("/api/v1/quality/thrive", Some(&handler)).await.status, StatusCode::FORBIDDEN);
    let overview = app.get("/api/v1/quality/thrive", Some(&supervisor)).await.json();
    let sample: Vec<String> = overview["to_review"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|i| i["id"].as_str().map(str::to_string))
        .collect();
    assert!(!sample.is_empty() && sample.len() < 20, "a sample, not everything: {}", sample.len());
    let reviewed = app
        .post(
            &format!("/api/v1/quality/thrive/{}", sample[0]),
            Some(&supervisor),
            json,
            r#"{"right_grade":true,"vulnerability_identified":false,"rationale_adequate":true,"repeat_checked":true,"note":"Missed the elderly occupant"}"#,
        )
        .await;
    assert_eq!(reviewed.status, StatusCode::CREATED);
    assert_eq!(reviewed.json()["meets_standard"], false);
    if let Some(second) = sample.get(1) {
        let form = "application/x-www-form-urlencoded";
        let partial = app.post(&format!("/quality/thrive/{second}"), Some(&supervisor), form, "right_grade=yes").await;
        assert_eq!(partial.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(partial.body.contains("Answer yes or no"));
        let done = app
            .post(
                &format!("/quality/thrive/{second}"),
                Some(&supervisor),
                form,
                "right_grade=yes&vulnerability_identified=yes&rationale_adequate=yes&repeat_checked=yes",
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
    }
    let page = app.get("/quality/thrive", Some(&supervisor)).await;
    assert!(page.body.contains("Quality by call handler") && page.body.contains("call-handler"));
    let rates = app.get("/api/v1/quality/thrive", Some(&supervisor)).await.json();
    assert_eq!(rates["by_handler"][0]["reviewed"].as_u64(), Some(sample.len().min(2) as u64));
}

/// Organisations and property on a crime, over the API and the pages; the object search; links
/// after recording; cancellation by the registrar and a delegate, refused to others.
async fn crime_pole_and_cancellation_over_http<B: TestBackend>() {
    let app = TestApp::<B>::new().await;
    let json = "application/json";
    let form = "application/x-www-form-urlencoded";
    let officer = app.session("investigator").await;
    let registrar = app.session("crime-registrar").await;
    let sergeant = app.session("supervisor").await;
    let suspect = app
        .post("/api/v1/people", Some(&officer), json, r#"{"forenames":"Sam","surname":"Okoro","sex":"male"}"#)
        .await
        .json()["id"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let body = |imei: &str, role: &str| {
        format!(
            r#"{{"offence_code":"46","location_text":"Co-op, 3 High Street","people":[{{"person_id":"{suspect}","role":"suspect"}}],
               "organisations":[{{"name":"Co-op","address":"3 High Street","role":"victim"}}],
               "objects":[{{"kind":"mobile-phone","description":"Phone from the counter","identifier_kind":"imei","identifier":"{imei}","value":"350","role":"{role}"}}]}}"#
        )
    };
    let bad = app.post("/api/v1/crimes", Some(&officer), json, body("356938035643808", "stolen")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["fields"][0]["field"], "objects.0.identifier");
    let bad = app.post("/api/v1/crimes", Some(&officer), json, body("356938035643809", "borrowed")).await;
    assert_eq!(bad.json()["fields"][0]["field"], "objects.0.role");
    let created = app.post("/api/v1/crimes", Some(&officer), json, body("356938035643809", "stolen")).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let crime_id = created.json()["id"].as_str().unwrap_or("").to_string();
    let number = created.json()["number"].as_str().unwrap_or("").to_string();
    let record = app.get(&format!("/api/v1/crimes/{crime_id}"), Some(&officer)).await.json();
    assert_eq!(record["organisations"][0]["name"], "Co-op");
    assert_eq!(record["organisations"][0]["role"], "victim");
    assert_eq!(record["objects"][0]["object"]["identifier"], "356938035643809");
    assert_eq!(record["objects"][0]["object"]["value_pence"], 35000);
    assert_eq!(record["locations"][0]["role"], "scene");
    assert!(record["cancellation"].is_null());
    let found = app.get("/api/v1/objects?identifier=35-693803-564380-9", Some(&officer)).await.json();
    assert_eq!(found[0]["crimes"][0]["crime"]["number"], number.as_str());
    assert_eq!(found[0]["crimes"][0]["role"], "stolen");
    let empty = app.get("/api/v1/objects?identifier=%20", Some(&officer)).await;
    assert_eq!(
        (empty.status, empty.json()["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("identifier"))
    );
    let page = app.get("/objects?identifier=356938035643809", Some(&officer)).await;
    assert!(page.body.contains(&number) && page.body.contains("Stolen"), "{}", page.body);

    // Links after recording: the version guards them.
    let link =
        |version: i64| format!(r#"{{"version":{version},"location":{{"text":"9 Mill Lane","role":"suspect-home"}}}}"#);
    let linked = app.post(&format!("/api/v1/crimes/{crime_id}/links"), Some(&officer), json, link(1)).await;
    assert_eq!(linked.status, StatusCode::OK, "{}", linked.body);
    assert_eq!(linked.json()["version"], 2);
    assert_eq!(
        app.post(
            &format!("/api/v1/crimes/{crime_id}/links"),
            Some(&officer),
            json,
            link(1).replace("9 Mill", "11 Mill")
        )
        .await
        .status,
        StatusCode::CONFLICT
    );
    let two = r#"{"version":2,"location":{"text":"x","role":"scene"},"object":{"kind":"cash","description":"x","role":"stolen"}}"#;
    assert_eq!(
        app.post(&format!("/api/v1/crimes/{crime_id}/links"), Some(&officer), json, two).await.json()["fields"][0]["field"],
        "link"
    );
    let added = app
        .post(
            &format!("/crimes/{crime_id}/links"),
            Some(&officer),
            form,
            "version=2&link=object&object_kind=cash&object_description=Till+float&object_value=12.5O&role=stolen",
        )
        .await;
    assert_eq!(added.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        added.body.contains("Enter an amount in pounds") && added.body.contains("Till float"),
        "kept what was typed"
    );
    let added = app
        .post(
            &format!("/crimes/{crime_id}/links"),
            Some(&officer),
            form,
            "version=2&link=object&object_kind=cash&object_description=Till+float&object_value=12.50&role=stolen",
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let show = app.get(&format!("/crimes/{crime_id}"), Some(&officer)).await;
    assert!(
        show.body.contains("Cash: Till float, £12.50")
            && show.body.contains("9 Mill Lane")
            && show.body.contains("Co-op")
    );
    assert!(!show.body.contains("Cancel this crime"), "an investigator may not cancel");

    // The new-crime page takes a victim organisation and property in the same form.
    let page = app
        .post("/crimes", Some(&officer), form, format!("people={suspect}%3Asuspect&offence_code=46&location_text=Spar&org_name=Spar&org_address=1+Station+Road&org_kind=business&object_description=Gin&object_kind=property&object_identifier_kind=none&object_identifier=&object_value=abc&object_role=stolen"))
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains(r#"id="object-0-value-error""#) && page.body.contains("value=\"Spar\""),
        "{}",
        page.body
    );
    let page = app
        .post("/crimes", Some(&officer), form, format!("people={suspect}%3Asuspect&offence_code=46&location_text=Spar&org_name=Spar&org_address=1+Station+Road&org_kind=business&object_description=Gin&object_kind=property&object_identifier_kind=none&object_identifier=&object_value=40&object_role=stolen&object_description=&object_kind=property&object_identifier_kind=none&object_identifier=&object_value=&object_role=stolen"))
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let second = id_in(&page.location(), "/crimes/");
    let show = app.get(&format!("/crimes/{second}"), Some(&officer)).await;
    assert!(show.body.contains("Spar") && show.body.contains("Other property: Gin, £40.00"), "{}", show.body);

    // Cancellation: the registrar; refused to an investigator; every missing piece named.
    let cancel =
        |version: i64, info: &str| format!(r#"{{"version":{version},"criterion":"C2","verifiable_info":"{info}"}}"#);
    let avi = "The store manager found the phone behind the counter and showed PC 1234";
    let refused = app.post(&format!("/api/v1/crimes/{crime_id}/cancel"), Some(&officer), json, cancel(3, avi)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let short =
        app.post(&format!("/api/v1/crimes/{crime_id}/cancel"), Some(&registrar), json, cancel(3, "found")).await;
    assert_eq!(
        (short.status, short.json()["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("verifiable_info"))
    );
    let criteria = app.get("/api/v1/reference/cancellation-criteria", Some(&officer)).await.json();
    assert_eq!(criteria["criteria"].as_array().map(Vec::len), Some(5));
    assert_eq!(
        (criteria["criteria"][4]["code"].as_str(), criteria["criteria"][4]["enabled"].as_bool()),
        (Some("C5"), Some(false))
    );
    let show = app.get(&format!("/crimes/{crime_id}"), Some(&registrar)).await;
    assert!(show.body.contains("Cancel this crime") && show.body.contains("Force Crime Registrar"));
    let done = app
        .post(
            &format!("/crimes/{crime_id}/cancel"),
            Some(&registrar),
            form,
            format!("version=3&criterion=C2&verifiable_info={}", avi.replace(' ', "+")),
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let record = app.get(&format!("/api/v1/crimes/{crime_id}"), Some(&officer)).await.json();
    assert_eq!(
        (record["crime"]["status"].as_str(), record["crime"]["number"].as_str()),
        (Some("cancelled"), Some(number.as_str()))
    );
    assert_eq!(
        (record["cancellation"]["criterion"].as_str(), record["cancellation"]["authority"].as_str()),
        (Some("C2"), Some("registrar"))
    );

    // A delegate, on the registrar's page.
    assert_eq!(app.get("/crimes/delegations", Some(&sergeant)).await.status, StatusCode::FORBIDDEN);
    let missing =
        app.post("/crimes/delegations", Some(&registrar), form, "username=supervisor&reason=&ends=31-12-2026").await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.body.contains("Enter the last day as YYYY-MM-DD"));
    let delegated = app
        .post(
            "/crimes/delegations",
            Some(&registrar),
            form,
            "username=supervisor&reason=DDM+for+the+crime+management+unit&ends=",
        )
        .await;
    assert_eq!(delegated.status, StatusCode::SEE_OTHER, "{}", delegated.body);
    let list = app.get("/api/v1/cancel-delegations", Some(&registrar)).await.json();
    assert_eq!((list[0]["username"].as_str(), list[0]["active"].as_bool()), (Some("supervisor"), Some(true)));
    let show = app.get(&format!("/crimes/{second}"), Some(&sergeant)).await;
    assert!(
        show.body.contains("Cancel this crime") && show.body.contains("Designated decision maker"),
        "{}",
        show.body
    );
    let delegate_cancel = format!(r#"{{"version":1,"criterion":"C4","verifiable_info":"{avi}"}}"#);
    let done = app.post(&format!("/api/v1/crimes/{second}/cancel"), Some(&sergeant), json, delegate_cancel).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let id = list[0]["id"].as_str().unwrap_or("");
    assert_eq!(
        app.post(&format!("/api/v1/cancel-delegations/{id}/revoke"), Some(&registrar), json, "").await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.post(&format!("/api/v1/cancel-delegations/{id}/revoke"), Some(&registrar), json, "").await.status,
        StatusCode::CONFLICT
    );
}

macro_rules! http_tests {
    ($module:ident, $backend:ty) => {
        mod $module {
            http_tests!(@each $backend; every_route_answers_every_role_as_its_policy_says, each_role_sees_its_own_home,
                restricted_records_stay_sealed_over_http, no_audit_no_data, bad_input_gets_clear_errors,
                sign_in_is_generic_and_locks, expired_sessions_return_to_sign_in, secure_cookies_behind_tls,
                headers_and_csrf_everywhere, bearer_tokens_work_until_revoked, openapi_and_operations,
                auditors_search_the_trail, incident_journey_over_the_api, incident_with_thrive_in_one_request, incident_pages_keep_what_was_typed,
                intake_checks_and_ncrs_over_http, units_over_http, queue_pages_most_urgent_first,
                thrive_quality_over_http, people_pages_find_offer_duplicates_and_link, people_over_the_api,
                a_loaded_nsir_list_is_what_is_accepted, beat_and_ward_shown_for_coordinates,
                offence_classification_over_http, crimes_over_the_api, crime_pages_from_an_incident,
                crime_pole_and_cancellation_over_http, person_merge_pages, person_merges_over_the_api,
                crime_search_over_http);
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

http_tests!(sqlite, bluelamp_testkit::SqliteBackend);
http_tests!(postgres, bluelamp_testkit::PostgresBackend);

/// Person merges over the pages: a person's likely duplicates with the reasons, asking for a merge
/// (the reason by its field when missing), the reviewers' queue, the side-by-side review, four eyes,
/// apply (a stale comparison is a 409), the merged record's banner, and undoing it.
async fn person_merge_pages<B: TestBackend>() {
    let app = TestApp::<B>::new().await;
    let handler = app.session("call-handler").await;
    let supervisor = app.session("supervisor").await;
    let json = "application/json";
    let form = "application/x-www-form-urlencoded";
    let jane = r#"{"forenames":"Jane","surname":"Smith","date_of_birth":"1990-04-02","sex":"female","address":"12 Mill Road"}"#;
    let a =
        app.post("/api/v1/people", Some(&handler), json, jane).await.json()["id"].as_str().unwrap_or("").to_string();
    let smyth = r#"{"forenames":"Jane","surname":"Smyth","date_of_birth":"1990-04-02","address":"3 New Street","phone":"01632 960001","confirm_new":true}"#;
    let b =
        app.post("/api/v1/people", Some(&handler), json, smyth).await.json()["id"].as_str().unwrap_or("").to_string();

    let page = app.get(&format!("/people/{a}"), Some(&handler)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Likely duplicates") && page.body.contains("same date of birth"), "{}", page.body);
    let ask = format!("/people/{a}/merge-requests/new?duplicate={b}");
    assert!(page.body.contains(&ask), "{}", page.body);
    let compare = app.get(&ask, Some(&handler)).await;
    assert_eq!(compare.status, StatusCode::OK);
    assert!(compare.body.contains("Keep: Jane Smith") && compare.body.contains("Merge in: Jane Smyth"));
    assert!(compare.body.contains("3 New Street") && compare.body.contains("Match score"));

    let target = format!("/people/{a}/merge-requests");
    let no_reason = app.post(&target, Some(&handler), form, format!("duplicate_id={b}&reason=")).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        no_reason.body.contains("Enter why you think they are the same person")
            && no_reason.body.contains(r##"href="#reason""##),
        "{}",
        no_reason.body
    );
    let no_one = app.post(&target, Some(&handler), form, "duplicate_id=&reason=Same").await;
    assert_eq!(no_one.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_one.body.contains(r##"href="#duplicate_id""##));
    let asked =
        app.post(&target, Some(&handler), form, format!("duplicate_id={b}&reason=Same+DOB%2C+same+caller")).await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);
    assert_eq!(asked.location(), format!("/people/{a}#merges"));
    let page = app.get(&format!("/people/{a}"), Some(&handler)).await;
    assert!(page.body.contains("Jane Smyth into this record") && page.body.contains("Awaiting review"));

    assert_eq!(app.get("/merges", Some(&handler)).await.status, StatusCode::FORBIDDEN);
    let queue = app.get("/merges", Some(&supervisor)).await;
    assert_eq!(queue.status, StatusCode::OK);
    let merge = app.get("/api/v1/merges", Some(&supervisor)).await.json()[0]["id"].as_str().unwrap_or("").to_string();
    assert!(queue.body.contains(&format!("/merges/{merge}")) && queue.body.contains("Jane Smyth"), "{}", queue.body);

    let own = app.get(&format!("/merges/{merge}"), Some(&handler)).await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(own.body.contains("You asked for this merge") && !own.body.contains("Apply merge"));
    assert_eq!(
        app.post(&format!("/merges/{merge}/apply"), Some(&handler), form, "").await.status,
        StatusCode::FORBIDDEN
    );
    let review = app.get(&format!("/merges/{merge}"), Some(&supervisor)).await;
    assert!(review.body.contains("Apply merge") && review.body.contains("Reject merge"), "{}", review.body);
    assert!(review.body.contains("Same DOB, same caller"));
    let no_reason = app.post(&format!("/merges/{merge}/reject"), Some(&supervisor), form, "reason=").await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.body.contains("Enter why the merge is rejected"));
    let stale = app
        .post(&format!("/merges/{merge}/apply"), Some(&supervisor), form, "survivor_version=1&duplicate_version=7")
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("changed since you compared them") && stale.body.contains(r##"href="#apply""##));
    let applied = app
        .post(&format!("/merges/{merge}/apply"), Some(&supervisor), form, "survivor_version=1&duplicate_version=1")
        .await;
    assert_eq!(applied.status, StatusCode::SEE_OTHER, "{}", applied.body);
    assert_eq!(applied.location(), format!("/merges/{merge}"));

    let gone = app.get(&format!("/people/{b}"), Some(&handler)).await;
    assert_eq!(gone.status, StatusCode::OK, "a merged record still opens");
    assert!(gone.body.contains("This record was merged into") && gone.body.contains(&format!(r#"href="/people/{a}""#)));
    assert!(!gone.body.contains("Add a marker"), "a merged record is not changed");
    let found = app.get("/people?name=Jane+Smyth", Some(&handler)).await;
    assert!(found.body.contains("1 person found") && found.body.contains(&format!("/people/{a}")), "{}", found.body);
    let merged = app.get(&format!("/merges/{merge}"), Some(&supervisor)).await;
    assert!(merged.body.contains("What the merge moved") && merged.body.contains("Undo merge"), "{}", merged.body);

    let no_reason = app.post(&format!("/merges/{merge}/unmerge"), Some(&supervisor), form, "reason=+").await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.body.contains("Enter why the merge is being undone"));
    let undone = app
        .post(&format!("/merges/{merge}/unmerge"), Some(&supervisor), form, "reason=Different+people%3A+PNC+checked")
        .await;
    assert_eq!(undone.status, StatusCode::SEE_OTHER, "{}", undone.body);
    let back = app.get(&format!("/people/{b}"), Some(&handler)).await;
    assert!(!back.body.contains("This record was merged into") && back.body.contains("3 New Street"));
    assert!(app.get(&format!("/merges/{merge}"), Some(&supervisor)).await.body.contains("Merge undone"));
}

/// Person merges over the API: 422 naming the field, 403 without the permission and for the
/// requester, one application (a second is 409), the merged person's `merged_into`, and undoing.
async fn person_merges_over_the_api<B: TestBackend>() {
    let app = TestApp::<B>::new().await;
    let handler = app.session("call-handler").await;
    let supervisor = app.session("supervisor").await;
    let registrar = app.session("crime-registrar").await;
    let analyst = app.session("analyst").await;
    let json = "application/json";
    let person = |body: &'static str, token: String| {
        let app = &app;
        async move {
            app.post("/api/v1/people", Some(&token), json, body).await.json()["id"].as_str().unwrap_or("").to_string()
        }
    };
    let a = person(r#"{"forenames":"Jane","surname":"Smith","date_of_birth":"1990-04-02"}"#, handler.clone()).await;
    let b = person(
        r#"{"forenames":"Jane","surname":"Smyth","date_of_birth":"1990-04-02","confirm_new":true}"#,
        handler.clone(),
    )
    .await;
    let c = person(r#"{"forenames":"Carl","surname":"Dunn"}"#, supervisor.clone()).await;
    let d = person(r#"{"forenames":"Carl","surname":"Dun","confirm_new":true}"#, supervisor.clone()).await;

    let ask = format!("/api/v1/people/{a}/merge-requests");
    let bad = app.post(&ask, Some(&handler), json, r#"{"duplicate_id":"nobody","reason":"Same"}"#).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["fields"][0]["field"], "duplicate_id");
    let no_reason = app.post(&ask, Some(&handler), json, format!(r#"{{"duplicate_id":"{b}","reason":" "}}"#)).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        (no_reason.json()["error"].as_str(), no_reason.json()["fields"][0]["field"].as_str()),
        (Some("invalid"), Some("reason"))
    );
    let body = format!(r#"{{"duplicate_id":"{b}","reason":"Same date of birth, same caller"}}"#);
    assert_eq!(app.post(&ask, Some(&analyst), json, body.clone()).await.status, StatusCode::FORBIDDEN);
    let created = app.post(&ask, Some(&handler), json, body.clone()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let merge = created.json();
    assert_eq!(merge["status"], "requested");
    assert!(merge["score"].as_u64().unwrap_or(0) >= 50, "{merge}");
    let id = merge["id"].as_str().unwrap_or("").to_string();
    let again = app.post(&ask, Some(&handler), json, body).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(again.json()["fields"][0]["field"], "duplicate_id");

    assert_eq!(app.get("/api/v1/merges", Some(&handler)).await.status, StatusCode::FORBIDDEN);
    let queue = app.get("/api/v1/merges", Some(&registrar)).await.json();
    assert_eq!(queue.as_array().map(Vec::len), Some(1));
    let bogus = app.get("/api/v1/merges?status=maybe", Some(&registrar)).await;
    assert_eq!(bogus.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bogus.json()["fields"][0]["field"], "status");

    // Four eyes: the supervisor's own request is someone else's to decide.
    let own = app
        .post(
            &format!("/api/v1/people/{c}/merge-requests"),
            Some(&supervisor),
            json,
            format!(r#"{{"duplicate_id":"{d}","reason":"Typo"}}"#),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let refused = app.post(&format!("/api/v1/merges/{own}/apply"), Some(&supervisor), json, "{}").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.json()["message"].as_str().unwrap_or("").contains("cannot also review"), "{}", refused.body);
    assert_eq!(
        app.post(&format!("/api/v1/merges/{id}/apply"), Some(&handler), json, "{}").await.status,
        StatusCode::FORBIDDEN
    );

    let shown = app.get(&format!("/api/v1/merges/{id}"), Some(&handler)).await.json();
    let versions = format!(
        r#"{{"survivor_version":{},"duplicate_version":{}}}"#,
        shown["survivor"]["version"], shown["duplicate"]["version"]
    );
    let applied = app.post(&format!("/api/v1/merges/{id}/apply"), Some(&registrar), json, versions.clone()).await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);
    let result = applied.json();
    assert_eq!(result["merge"]["status"], "applied");
    assert!(result["rows"].as_array().is_some_and(|r| r.iter().any(|x| x["kind"] == "name" && x["moved"] == true)));
    let twice = app.post(&format!("/api/v1/merges/{id}/apply"), Some(&supervisor), json, "{}").await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert_eq!(app.get(&format!("/api/v1/people/{b}"), Some(&handler)).await.json()["merged_into"], a.as_str());
    let hits = app.get("/api/v1/people?name=Smyth", Some(&handler)).await.json();
    assert_eq!(hits.as_array().map(|h| h.iter().all(|m| m["person"]["id"] != b.as_str())), Some(true), "{hits}");
    let after = app.get(&format!("/api/v1/merges/{id}"), Some(&handler)).await.json();
    assert_eq!(after["survivor"]["names"].as_array().map(Vec::len), Some(2));

    let undo = format!("/api/v1/merges/{id}/unmerge");
    assert_eq!(app.post(&undo, Some(&handler), json, r#"{"reason":"Wrong"}"#).await.status, StatusCode::FORBIDDEN);
    let no_reason = app.post(&undo, Some(&supervisor), json, r#"{"reason":""}"#).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(no_reason.json()["fields"][0]["field"], "reason");
    let undone = app.post(&undo, Some(&supervisor), json, r#"{"reason":"Different people: PNC checked"}"#).await;
    assert_eq!(undone.status, StatusCode::OK, "{}", undone.body);
    assert_eq!(undone.json()["merge"]["status"], "reversed");
    assert_eq!(
        app.get(&format!("/api/v1/people/{b}"), Some(&handler)).await.json()["merged_into"],
        serde_json::Value::Null
    );
    let reject =
        app.post(&format!("/api/v1/merges/{id}/reject"), Some(&supervisor), json, r#"{"reason":"Late"}"#).await;
    assert_eq!(reject.status, StatusCode::CONFLICT);
}

/// Crime search over the API and on the crimes page: filters by query string (flags repeated or
/// comma-separated), a name resolved to people, paging with the total, 422 naming the field (JSON,
/// and on the page with the error linked to its input), and the permission.
async fn crime_search_over_http<B: TestBackend>() {
    let app = TestApp::<B>::new().await;
    let officer_user = app.users[&Role::Investigator].clone();
    let officer = bluelamp_core::core::principal_of(&officer_user);
    let ctx = RequestContext::default();
    let by = By::User(&officer);
    let new_person = |forenames: &str, surname: &str| bluelamp_core::person::NewPerson {
        forenames: forenames.into(),
        surname: surname.into(),
        ..Default::default()
    };
    let jane = app.core.create_person(by, &new_person("Jane", "Smith"), true, &ctx).await.expect("person");
    let sam = app.core.create_person(by, &new_person("Sam", "Okoro"), true, &ctx).await.expect("person");
    let crime = |code: &str, flags: &[&str], lat: f64| bluelamp_core::crime::NewCrime {
        offence_code: code.into(),
        location_text: "High Street".into(),
        latitude: Some(lat),
        longitude: Some(0.5237),
        flags: flags.iter().map(|f| f.to_string()).collect(),
        people: vec![
            (jane.id, bluelamp_core::crime::CrimeRole::Victim),
            (sam.id, bluelamp_core::crime::CrimeRole::Suspect),
        ],
        ..Default::default()
    };
    // 1 and 2 at the same point, 3 about 1.1 km north.
    for (code, flags, lat) in [
        ("46", &[][..], 51.2718),
        ("8N", &["domestic-abuse", "alcohol"][..], 51.2718),
        ("46", &["alcohol"][..], 51.2818),
    ] {
        app.clock.advance(Duration::minutes(10));
        let mut new = crime(code, flags, lat);
        if code == "8N" {
            let car = bluelamp_core::pole::NewObject {
                kind: "vehicle".into(),
                description: "Silver hatchback".into(),
                identifier_kind: "vrm".into(),
                identifier: "KX19 ABC".into(),
                ..Default::default()
            };
            new.objects = vec![(car, bluelamp_core::pole::ObjectRole::Damaged)];
        }
        app.core.record_crime(&officer, &new, &ctx).await.expect("crime");
    }
    let token = app.session("investigator").await;
    let search = |query: &str| {
        let path = format!("/api/v1/crimes/search?{query}");
        let token = token.clone();
        let app = &app;
        async move { app.get(&path, Some(&token)).await }
    };
    let numbers = |reply: &serde_json::Value| -> Vec<String> {
        reply["crimes"]
            .as_array()
            .map(|a| a.iter().map(|c| c["number"].as_str().unwrap_or("").to_string()).collect())
            .unwrap_or_default()
    };
    let all = search("").await.json();
    assert_eq!(numbers(&all), ["CR-2026-000003", "CR-2026-000002", "CR-2026-000001"]);
    assert_eq!((all["total"].as_u64(), all["more"].as_bool(), all["limit"].as_u64()), (Some(3), Some(false), Some(25)));
    assert_eq!(numbers(&search("number=cr-2026-000002").await.json()), ["CR-2026-000002"]);
    assert_eq!(numbers(&search("offence_group=violence-against-the-person").await.json()), ["CR-2026-000002"]);
    assert_eq!(numbers(&search("flags=alcohol").await.json()), ["CR-2026-000003", "CR-2026-000002"]);
    assert_eq!(numbers(&search("flags=alcohol,domestic-abuse").await.json()), ["CR-2026-000002"]);
    assert_eq!(numbers(&search("flags=alcohol&flags=domestic-abuse").await.json()), ["CR-2026-000002"]);
    assert_eq!(
        numbers(&search("lat=51.2718&lon=0.5237&radius_m=1000").await.json()),
        ["CR-2026-000002", "CR-2026-000001"]
    );
    assert_eq!(numbers(&search("officer=investigator&offence=46").await.json()), ["CR-2026-000003", "CR-2026-000001"]);
    assert_eq!(numbers(&search("object=kx19-abc").await.json()), ["CR-2026-000002"]);
    assert_eq!(search("object=%3F%3F").await.json()["fields"][0]["field"], "object");
    let by_name = search("name=Okoro&role=suspect&limit=2&offset=1").await.json();
    assert_eq!(numbers(&by_name), ["CR-2026-000002", "CR-2026-000001"]);
    assert_eq!((by_name["total"].as_u64(), by_name["offset"].as_u64()), (Some(3), Some(1)));
    assert_eq!(by_name["people"][0]["name"], "Sam Okoro");
    assert_eq!(by_name["people"][0]["id"], sam.id.to_string());

    let no_point = search("radius_m=500").await;
    assert_eq!(no_point.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(no_point.json()["fields"][0]["field"], "lat");
    let bad = search("offence=999Z&status=open&recorded_from=2026-11-27&recorded_to=2026-11-01").await.json();
    let fields: Vec<&str> =
        bad["fields"].as_array().map(|a| a.iter().filter_map(|f| f["field"].as_str()).collect()).unwrap_or_default();
    assert_eq!(fields, ["offence", "recorded_to", "status"]);
    assert_eq!(search("officer=nobody").await.json()["fields"][0]["field"], "officer");
    let handler = app.session("call-handler").await;
    assert_eq!(app.get("/api/v1/crimes/search?offence=46", Some(&handler)).await.status, StatusCode::FORBIDDEN);

    // The page: the recent list without a search, a search by GET, paging links, errors by field.
    let recent = app.get("/crimes", Some(&token)).await;
    assert!(recent.body.contains("Recently recorded") && recent.body.contains("CR-2026-000003"));
    let page = app.get("/crimes?offence=46&limit=1", Some(&token)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Crimes 1 to 1 of 2") && page.body.contains("CR-2026-000003"), "{}", page.body);
    assert!(!page.body.contains("CR-2026-000001"));
    assert!(
        page.body.contains("/crimes?offence=46&#38;limit=1&#38;offset=1"),
        "a link to the next page: {}",
        page.body
    );
    let next = app.get("/crimes?offence=46&limit=1&offset=1", Some(&token)).await;
    assert!(next.body.contains("Crimes 2 to 2 of 2") && next.body.contains("CR-2026-000001"));
    assert!(next.body.contains("rel=\"prev\""));
    let flagged = app.get("/crimes?flags=alcohol&flags=domestic-abuse", Some(&token)).await;
    assert!(flagged.body.contains("CR-2026-000002") && !flagged.body.contains("CR-2026-000003"));
    assert!(flagged.body.contains("value=\"domestic-abuse\" checked"), "the ticks stay ticked");
    let car = app.get("/crimes?object=KX19+ABC", Some(&token)).await;
    assert!(car.body.contains("CR-2026-000002") && !car.body.contains("CR-2026-000001"), "{}", car.body);
    assert!(car.body.contains("value=\"KX19 ABC\""), "what was typed stays");
    let named = app.get("/crimes?name=Jane+Smith", Some(&token)).await;
    assert!(named.body.contains("Crimes linking") && named.body.contains(&format!("/people/{}", jane.id)));
    let wrong = app.get("/crimes?radius_m=500&offence=nine", Some(&token)).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("href=\"#lat\"") && wrong.body.contains("id=\"lat\""), "{}", wrong.body);
    assert!(wrong.body.contains("A radius needs a point") && wrong.body.contains("href=\"#offence\""));
    assert!(wrong.body.contains("value=\"nine\""), "what was typed stays");
    assert_eq!(app.get("/crimes?offence=46", Some(&handler)).await.status, StatusCode::FORBIDDEN);
    let searches = app
        .backend
        .store()
        .search_audit(&AuditQuery { action: Some("crime.search".into()), limit: 100, ..Default::default() })
        .await
        .expect("audit");
    assert!(searches.len() >= 12, "every search is audited: {}", searches.len());
}
