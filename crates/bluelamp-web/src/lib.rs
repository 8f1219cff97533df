//! HTTP for bluelamp: GOV.UK-styled pages for people, a JSON API for systems, sign-in and sessions.
//!
//! [`routes`] is the whole URL map, each entry with its [`Policy`]; [`router`] builds the axum router
//! from it, so a route cannot exist without a declared policy.

pub mod api;
pub mod api_crimes;
pub mod api_incidents;
pub mod api_investigation;
pub mod api_outcomes;
pub mod api_people;
pub mod api_pole;
pub mod api_triage;
pub mod auth;
pub mod error;
pub mod extract;
pub mod pages;
pub mod shell;
pub mod templates;

use std::future::Future;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use bluelamp_core::Core;
use bluelamp_core::access::Permission;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use auth::Policy;

/// Settings the web layer owns.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Secure cookies with the `__Host-` prefix, and HSTS. On whenever bluelamp is reached over TLS.
    pub secure_cookies: bool,
    /// Where the compiled stylesheet and scripts are (`scripts/build-assets` writes `web/dist`).
    pub assets_dir: PathBuf,
    /// Shown beside the product name.
    pub force_name: String,
    /// Origins allowed to post forms besides the server's own (a reverse proxy's public name).
    pub trusted_origins: Vec<String>,
    /// Sign-in attempts allowed per client address per minute before 429 (the per-account lockout is
    /// separate).
    pub sign_in_per_minute: u32,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            assets_dir: PathBuf::from("web/dist"),
            force_name: "Demo Constabulary".into(),
            trusted_origins: Vec::new(),
            sign_in_per_minute: 20,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub core: Core,
    pub config: Arc<WebConfig>,
    pub sign_in_limiter: Arc<DefaultKeyedRateLimiter<String>>,
}

impl AppState {
    pub fn new(core: Core, config: WebConfig) -> Self {
        let quota = Quota::per_minute(NonZeroU32::new(config.sign_in_per_minute).unwrap_or(NonZeroU32::MIN));
        AppState { core, config: Arc::new(config), sign_in_limiter: Arc::new(RateLimiter::keyed(quota)) }
    }
}

/// One entry of the URL map.
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub policy: Policy,
    handler: MethodRouter<AppState>,
}

fn route(method: Method, path: &'static str, policy: Policy, handler: MethodRouter<AppState>) -> Route {
    Route { method, path, policy, handler }
}

/// Every route bluelamp serves, with the policy it enforces. Tests walk this list for every role.
pub fn routes() -> Vec<Route> {
    use Permission as P;
    use Policy::{Public, SignedIn};
    let perm = Policy::Permission;
    vec![
        route(Method::GET, "/healthz", Public, get(healthz)),
        route(Method::GET, "/readyz", Public, get(readyz)),
        route(Method::GET, "/metrics", Public, get(metrics_text)),
        route(Method::GET, "/api/openapi.json", Public, get(api::openapi_json)),
        route(Method::GET, "/sign-in", Public, get(pages::sign_in_form)),
        route(Method::POST, "/sign-in", Public, post(pages::sign_in)),
        route(Method::POST, "/sign-out", SignedIn, post(pages::sign_out)),
        route(Method::GET, "/", SignedIn, get(pages::home)),
        route(Method::GET, "/officers", perm(P::OfficerView), get(pages::officers)),
        route(Method::GET, "/officers/{id}", perm(P::OfficerView), get(pages::officer)),
        route(Method::POST, "/officers/{id}/open", perm(P::OfficerView), post(pages::open_officer)),
        route(Method::POST, "/officers/{id}/restriction", perm(P::RecordRestrict), post(pages::restrict_officer)),
        route(
            Method::POST,
            "/officers/{id}/restriction/lift",
            perm(P::RecordRestrict),
            post(pages::lift_officer_restriction),
        ),
        route(Method::GET, "/incidents", perm(P::IncidentView), get(pages::incidents::queue)),
        route(Method::GET, "/incidents/new", perm(P::IncidentRecord), get(pages::incidents::new_form)),
        route(Method::POST, "/incidents", perm(P::IncidentRecord), post(pages::incidents::create)),
        route(Method::GET, "/incidents/{id}", perm(P::IncidentView), get(pages::incidents::show)),
        route(Method::POST, "/incidents/{id}/log", perm(P::IncidentRecord), post(pages::incidents::add_log)),
        route(Method::POST, "/incidents/{id}/thrive", perm(P::IncidentRecord), post(pages::incidents::assess)),
        route(Method::POST, "/incidents/{id}/grade", perm(P::IncidentRecord), post(pages::incidents::grade)),
        route(Method::POST, "/incidents/{id}/close", perm(P::IncidentRecord), post(pages::incidents::close)),
        route(Method::POST, "/incidents/{id}/deploy", perm(P::IncidentRecord), post(pages::incidents::deploy)),
        route(Method::POST, "/incidents/{id}/arrive", perm(P::IncidentRecord), post(pages::incidents::arrive)),
        route(Method::POST, "/incidents/{id}/clear", perm(P::IncidentRecord), post(pages::incidents::clear)),
        route(Method::GET, "/incidents/{id}/people", perm(P::IncidentRecord), get(pages::people::incident_search)),
        route(Method::POST, "/incidents/{id}/people", perm(P::IncidentRecord), post(pages::people::link)),
        route(Method::GET, "/crimes", perm(P::CrimeView), get(pages::crimes::list)),
        route(Method::GET, "/crimes/new", perm(P::CrimeRecord), get(pages::crimes::new_form)),
        route(Method::POST, "/crimes", perm(P::CrimeRecord), post(pages::crimes::create)),
        route(Method::GET, "/crimes/compliance", perm(P::NcrsView), get(pages::crimes::compliance)),
        route(Method::GET, "/crimes/{id}", perm(P::CrimeView), get(pages::crimes::show)),
        route(Method::POST, "/crimes/{id}/reclassify", perm(P::CrimeRecord), post(pages::crimes::reclassify)),
        route(Method::GET, "/crimes/{id}/investigation", perm(P::CrimeView), get(pages::investigation::show)),
        route(Method::POST, "/crimes/{id}/actions", perm(P::CrimeRecord), post(pages::investigation::add_action)),
        route(
            Method::POST,
            "/crimes/{id}/actions/{action_id}",
            perm(P::CrimeRecord),
            post(pages::investigation::update_action),
        ),
        route(Method::POST, "/crimes/{id}/reviews", perm(P::CrimeSupervise), post(pages::investigation::review)),
        route(Method::GET, "/crimes/{id}/outcome", perm(P::CrimeRecord), get(pages::investigation::outcome_form)),
        route(Method::POST, "/crimes/{id}/outcome", perm(P::CrimeRecord), post(pages::investigation::finalise)),
        // Authorising also needs the rank the outcome calls for, and someone other than the proposer:
        // the core decides and says why not.
        route(
            Method::POST,
            "/crimes/{id}/outcome/authorise",
            perm(P::CrimeSupervise),
            post(pages::investigation::authorise),
        ),
        route(
            Method::POST,
            "/crimes/{id}/outcome/return",
            perm(P::CrimeSupervise),
            post(pages::investigation::return_outcome),
        ),
        route(Method::POST, "/crimes/{id}/reopen", perm(P::CrimeSupervise), post(pages::investigation::reopen)),
        route(Method::GET, "/investigations", perm(P::CrimeView), get(pages::investigation::workload)),
        route(
            Method::GET,
            "/investigations/reviews",
            perm(P::CrimeSupervise),
            get(pages::investigation::overdue_reviews),
        ),
        route(
            Method::GET,
            "/investigations/authorisations",
            perm(P::CrimeSupervise),
            get(pages::investigation::authorisations),
        ),
        route(Method::POST, "/crimes/{id}/links", perm(P::CrimeRecord), post(pages::crime_links::link)),
        // Cancelling needs the registrar's permission or a delegation from the registrar; the core
        // decides which (bluelamp_core::cancel::authority), so the route asks only to see crimes.
        route(Method::POST, "/crimes/{id}/cancel", perm(P::CrimeView), post(pages::crime_links::cancel)),
        route(Method::GET, "/crimes/delegations", perm(P::CrimeCancel), get(pages::crime_links::delegations)),
        route(Method::POST, "/crimes/delegations", perm(P::CrimeCancel), post(pages::crime_links::delegate)),
        route(Method::POST, "/crimes/delegations/{id}/revoke", perm(P::CrimeCancel), post(pages::crime_links::revoke)),
        route(Method::GET, "/objects", perm(P::CrimeView), get(pages::crime_links::objects)),
        route(Method::GET, "/people", perm(P::PersonView), get(pages::people::search)),
        route(Method::GET, "/people/new", perm(P::PersonRecord), get(pages::people::new_form)),
        route(Method::POST, "/people", perm(P::PersonRecord), post(pages::people::create)),
        route(Method::GET, "/people/{id}", perm(P::PersonView), get(pages::people::show)),
        route(Method::POST, "/people/{id}/names", perm(P::PersonRecord), post(pages::people::add_name)),
        route(Method::POST, "/people/{id}/addresses", perm(P::PersonRecord), post(pages::people::add_address)),
        route(Method::POST, "/people/{id}/phones", perm(P::PersonRecord), post(pages::people::add_phone)),
        route(Method::POST, "/people/{id}/markers", perm(P::PersonRecord), post(pages::people::add_marker)),
        route(
            Method::POST,
            "/people/{id}/markers/{marker}/end",
            perm(P::PersonRecord),
            post(pages::people::end_marker),
        ),
        route(Method::GET, "/people/{id}/merge-requests/new", perm(P::PersonRecord), get(pages::merge::request_form)),
        route(Method::POST, "/people/{id}/merge-requests", perm(P::PersonRecord), post(pages::merge::request)),
        route(Method::GET, "/merges", perm(P::PersonMerge), get(pages::merge::queue)),
        route(Method::GET, "/merges/{id}", perm(P::PersonView), get(pages::merge::show)),
        route(Method::POST, "/merges/{id}/apply", perm(P::PersonMerge), post(pages::merge::apply)),
        route(Method::POST, "/merges/{id}/reject", perm(P::PersonMerge), post(pages::merge::reject)),
        route(Method::POST, "/merges/{id}/unmerge", perm(P::PersonMerge), post(pages::merge::unmerge)),
        route(Method::GET, "/ncrs", perm(P::NcrsView), get(pages::incidents::ncrs)),
        route(Method::GET, "/quality/thrive", perm(P::ThriveReview), get(pages::quality::overview)),
        route(Method::GET, "/quality/thrive/{id}", perm(P::ThriveReview), get(pages::quality::review_form)),
        route(Method::POST, "/quality/thrive/{id}", perm(P::ThriveReview), post(pages::quality::review)),
        route(Method::GET, "/triage", perm(P::CrimeTriage), get(pages::triage::queue)),
        route(Method::GET, "/triage/allocations", perm(P::CrimeTriage), get(pages::triage::allocations)),
        // A whole queue's proposals are accepted in one form (about 90 bytes a crime).
        route(
            Method::POST,
            "/triage/allocations/accept",
            perm(P::CrimeTriage),
            post(pages::triage::accept).layer(DefaultBodyLimit::max(MAX_BULK_BODY_BYTES)),
        ),
        route(Method::GET, "/triage/backlog", perm(P::CrimeTriage), get(pages::triage::backlog)),
        route(Method::GET, "/triage/workload", perm(P::CrimeTriage), get(pages::triage::workload)),
        route(Method::GET, "/triage/crimes/{id}", perm(P::CrimeTriage), get(pages::triage::screening)),
        route(Method::POST, "/triage/crimes/{id}/screen", perm(P::CrimeTriage), post(pages::triage::screen)),
        route(Method::GET, "/triage/crimes/{id}/allocate", perm(P::CrimeTriage), get(pages::triage::allocate_form)),
        route(Method::POST, "/triage/crimes/{id}/allocate", perm(P::CrimeTriage), post(pages::triage::allocate)),
        route(Method::POST, "/triage/officers/{id}/cap", perm(P::CrimeTriage), post(pages::triage::set_cap)),
        route(Method::POST, "/triage/officers/{id}/leave", perm(P::CrimeTriage), post(pages::triage::record_leave)),
        route(Method::POST, "/triage/leave/{id}/cancel", perm(P::CrimeTriage), post(pages::triage::cancel_leave)),
        route(Method::GET, "/outcomes", perm(P::PerformanceView), get(pages::outcomes::analytics)),
        // The crimes behind a count: the core also asks for crime.view, and says so when it is missing.
        route(Method::GET, "/outcomes/records", perm(P::PerformanceView), get(pages::outcomes::records)),
        route(Method::GET, "/casefile", perm(P::CaseFileReview), get(pages::casefile::overview)),
        route(Method::POST, "/casefile/samples", perm(P::CaseFileReview), post(pages::casefile::draw)),
        route(Method::GET, "/casefile/samples/{id}", perm(P::CaseFileReview), get(pages::casefile::sample)),
        route(
            Method::GET,
            "/casefile/samples/{id}/files/{crime_id}",
            perm(P::CaseFileReview),
            get(pages::casefile::review_form),
        ),
        route(
            Method::POST,
            "/casefile/samples/{id}/files/{crime_id}",
            perm(P::CaseFileReview),
            post(pages::casefile::review),
        ),
        route(Method::GET, "/admin/users", perm(P::UserManage), get(pages::users)),
        route(Method::GET, "/admin/users/new", perm(P::UserManage), get(pages::new_user_form)),
        route(Method::POST, "/admin/users", perm(P::UserManage), post(pages::create_user)),
        route(Method::POST, "/admin/users/{username}/disable", perm(P::UserManage), post(pages::disable_user)),
        route(Method::POST, "/admin/users/{username}/enable", perm(P::UserManage), post(pages::enable_user)),
        route(Method::GET, "/audit", perm(P::AuditRead), get(pages::audit)),
        route(Method::GET, "/api/v1/me", SignedIn, get(api::me)),
        route(Method::GET, "/api/v1/officers", perm(P::OfficerView), get(api::list_officers)),
        route(Method::GET, "/api/v1/officers/{id}", perm(P::OfficerView), get(api::get_officer)),
        route(Method::POST, "/api/v1/officers/{id}/open", perm(P::OfficerView), post(api::open_officer)),
        route(Method::GET, "/api/v1/incidents", perm(P::IncidentView), get(api_incidents::queue)),
        route(Method::POST, "/api/v1/incidents", perm(P::IncidentRecord), post(api_incidents::create)),
        route(Method::GET, "/api/v1/incidents/{id}", perm(P::IncidentView), get(api_incidents::show)),
        route(Method::GET, "/api/v1/incidents/{id}/checks", perm(P::IncidentView), get(api_incidents::checks)),
        route(Method::GET, "/api/v1/ncrs", perm(P::NcrsView), get(api_incidents::ncrs)),
        route(Method::POST, "/api/v1/incidents/{id}/deploy", perm(P::IncidentRecord), post(api_incidents::deploy)),
        route(Method::POST, "/api/v1/incidents/{id}/arrive", perm(P::IncidentRecord), post(api_incidents::arrive)),
        route(Method::POST, "/api/v1/incidents/{id}/clear", perm(P::IncidentRecord), post(api_incidents::clear)),
        route(Method::GET, "/api/v1/quality/thrive", perm(P::ThriveReview), get(api_incidents::thrive_quality)),
        route(Method::POST, "/api/v1/quality/thrive/{id}", perm(P::ThriveReview), post(api_incidents::review_thrive)),
        route(Method::GET, "/api/v1/resources", perm(P::IncidentView), get(api_incidents::resources)),
        route(Method::GET, "/api/v1/reference/nsir", perm(P::IncidentView), get(api_incidents::nsir_list)),
        route(Method::GET, "/api/v1/reference/offences", perm(P::CrimeView), get(api_incidents::offence_list)),
        route(Method::POST, "/api/v1/resources", perm(P::ResourceManage), post(api_incidents::add_resource)),
        route(
            Method::POST,
            "/api/v1/resources/{id}/status",
            perm(P::IncidentRecord),
            post(api_incidents::resource_status),
        ),
        route(Method::POST, "/api/v1/incidents/{id}/log", perm(P::IncidentRecord), post(api_incidents::add_log)),
        route(Method::POST, "/api/v1/incidents/{id}/thrive", perm(P::IncidentRecord), post(api_incidents::assess)),
        route(Method::POST, "/api/v1/incidents/{id}/grade", perm(P::IncidentRecord), post(api_incidents::grade)),
        route(Method::POST, "/api/v1/incidents/{id}/close", perm(P::IncidentRecord), post(api_incidents::close)),
        route(Method::GET, "/api/v1/crimes", perm(P::CrimeView), get(api_crimes::list)),
        route(Method::POST, "/api/v1/crimes", perm(P::CrimeRecord), post(api_crimes::create)),
        route(Method::GET, "/api/v1/crimes/compliance", perm(P::NcrsView), get(api_crimes::compliance)),
        route(Method::GET, "/api/v1/crimes/search", perm(P::CrimeView), get(api_crimes::search)),
        route(Method::GET, "/api/v1/crimes/{id}", perm(P::CrimeView), get(api_crimes::show)),
        route(Method::POST, "/api/v1/crimes/{id}/reclassify", perm(P::CrimeRecord), post(api_crimes::reclassify)),
        route(Method::POST, "/api/v1/crimes/{id}/finalise", perm(P::CrimeRecord), post(api_investigation::finalise)),
        route(Method::GET, "/api/v1/crimes/{id}/investigation", perm(P::CrimeView), get(api_investigation::show)),
        route(Method::POST, "/api/v1/crimes/{id}/actions", perm(P::CrimeRecord), post(api_investigation::add_action)),
        route(
            Method::POST,
            "/api/v1/crimes/{id}/actions/{action_id}",
            perm(P::CrimeRecord),
            post(api_investigation::update_action),
        ),
        route(Method::POST, "/api/v1/crimes/{id}/reviews", perm(P::CrimeSupervise), post(api_investigation::review)),
        route(
            Method::POST,
            "/api/v1/crimes/{id}/outcome/authorise",
            perm(P::CrimeSupervise),
            post(api_investigation::authorise),
        ),
        route(
            Method::POST,
            "/api/v1/crimes/{id}/outcome/return",
            perm(P::CrimeSupervise),
            post(api_investigation::return_outcome),
        ),
        route(Method::POST, "/api/v1/crimes/{id}/reopen", perm(P::CrimeSupervise), post(api_investigation::reopen)),
        route(Method::GET, "/api/v1/outcome-types", perm(P::CrimeView), get(api_investigation::outcome_types)),
        route(Method::GET, "/api/v1/investigations/workload", perm(P::CrimeView), get(api_investigation::workload)),
        route(
            Method::GET,
            "/api/v1/investigations/reviews-overdue",
            perm(P::CrimeSupervise),
            get(api_investigation::reviews_overdue),
        ),
        route(
            Method::GET,
            "/api/v1/investigations/authorisations",
            perm(P::CrimeSupervise),
            get(api_investigation::authorisations),
        ),
        route(Method::POST, "/api/v1/crimes/{id}/links", perm(P::CrimeRecord), post(api_pole::link)),
        // As for the page: the registrar's permission or a delegation, decided in the core.
        route(Method::POST, "/api/v1/crimes/{id}/cancel", perm(P::CrimeView), post(api_pole::cancel)),
        route(Method::GET, "/api/v1/objects", perm(P::CrimeView), get(api_pole::objects_by_identifier)),
        route(Method::GET, "/api/v1/reference/cancellation-criteria", perm(P::CrimeView), get(api_pole::criteria)),
        route(Method::GET, "/api/v1/cancel-delegations", perm(P::CrimeCancel), get(api_pole::delegations)),
        route(Method::POST, "/api/v1/cancel-delegations", perm(P::CrimeCancel), post(api_pole::delegate)),
        route(Method::POST, "/api/v1/cancel-delegations/{id}/revoke", perm(P::CrimeCancel), post(api_pole::revoke)),
        route(Method::GET, "/api/v1/people", perm(P::PersonView), get(api_people::search)),
        route(Method::POST, "/api/v1/people", perm(P::PersonRecord), post(api_people::create)),
        route(Method::GET, "/api/v1/people/{id}", perm(P::PersonView), get(api_people::show)),
        route(Method::POST, "/api/v1/people/{id}/markers", perm(P::PersonRecord), post(api_people::add_marker)),
        route(Method::POST, "/api/v1/incidents/{id}/people", perm(P::IncidentRecord), post(api_people::link)),
        route(
            Method::POST,
            "/api/v1/people/{id}/merge-requests",
            perm(P::PersonRecord),
            post(api_people::request_merge),
        ),
        route(Method::GET, "/api/v1/merges", perm(P::PersonMerge), get(api_people::list_merges)),
        route(Method::GET, "/api/v1/merges/{id}", perm(P::PersonView), get(api_people::show_merge)),
        route(Method::POST, "/api/v1/merges/{id}/apply", perm(P::PersonMerge), post(api_people::apply_merge)),
        route(Method::POST, "/api/v1/merges/{id}/reject", perm(P::PersonMerge), post(api_people::reject_merge)),
        route(Method::POST, "/api/v1/merges/{id}/unmerge", perm(P::PersonMerge), post(api_people::unmerge)),
        route(Method::GET, "/api/v1/triage/queue", perm(P::CrimeTriage), get(api_triage::queue)),
        route(Method::POST, "/api/v1/triage/crimes/{id}/screen", perm(P::CrimeTriage), post(api_triage::screen)),
        route(Method::GET, "/api/v1/triage/proposals", perm(P::CrimeTriage), get(api_triage::proposals)),
        route(Method::POST, "/api/v1/triage/crimes/{id}/allocate", perm(P::CrimeTriage), post(api_triage::allocate)),
        route(
            Method::POST,
            "/api/v1/triage/allocations/accept",
            perm(P::CrimeTriage),
            post(api_triage::accept).layer(DefaultBodyLimit::max(MAX_BULK_BODY_BYTES)),
        ),
        route(Method::GET, "/api/v1/triage/backlog", perm(P::CrimeTriage), get(api_triage::backlog)),
        route(Method::GET, "/api/v1/outcomes/analytics", perm(P::PerformanceView), get(api_outcomes::analytics)),
        // As for the page: crime.view is needed as well, checked in the core.
        route(Method::GET, "/api/v1/outcomes/records", perm(P::PerformanceView), get(api_outcomes::records)),
        route(Method::GET, "/api/v1/casefile/samples", perm(P::CaseFileReview), get(api_outcomes::samples)),
        route(Method::POST, "/api/v1/casefile/samples", perm(P::CaseFileReview), post(api_outcomes::draw_sample)),
        route(Method::GET, "/api/v1/casefile/samples/{id}", perm(P::CaseFileReview), get(api_outcomes::sample)),
        route(
            Method::POST,
            "/api/v1/casefile/samples/{id}/files/{crime_id}/review",
            perm(P::CaseFileReview),
            post(api_outcomes::review_file),
        ),
        route(Method::GET, "/api/v1/casefile/statistics", perm(P::CaseFileReview), get(api_outcomes::statistics)),
        route(Method::GET, "/api/v1/users", perm(P::UserManage), get(api::list_users)),
        route(Method::POST, "/api/v1/users", perm(P::UserManage), post(api::create_user)),
        route(Method::POST, "/api/v1/users/{username}/disable", perm(P::UserManage), post(api::disable_user)),
        route(Method::POST, "/api/v1/users/{username}/enable", perm(P::UserManage), post(api::enable_user)),
        route(Method::GET, "/api/v1/audit", perm(P::AuditRead), get(api::search_audit)),
        route(Method::GET, "/api/v1/audit/verify", perm(P::AuditVerify), get(api::verify_audit)),
    ]
}

/// Largest request body accepted (forms and JSON); larger gets 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Largest body of a bulk allocation (a whole queue's accepted proposals); larger gets 413.
pub const MAX_BULK_BODY_BYTES: usize = 4 * 1024 * 1024;

/// Builds the whole application.
pub fn router(state: AppState) -> Router {
    shell::set_force_name(&state.config.force_name);
    let mut router = Router::new();
    for r in routes() {
        let layer = middleware::from_fn_with_state((state.clone(), r.policy), auth::enforce);
        router = router.route(r.path, r.handler.route_layer(layer));
    }
    let mut csrf = tower_http::csrf::CsrfLayer::new();
    for origin in &state.config.trusted_origins {
        match csrf.clone().add_trusted_origin(origin) {
            Ok(with) => csrf = with,
            Err(e) => tracing::warn!(%origin, error = %e, "ignoring a trusted origin that is not a valid origin"),
        }
    }
    let secure = state.config.secure_cookies;
    router
        .nest_service(
            "/assets",
            tower::ServiceBuilder::new()
                .layer(SetResponseHeaderLayer::overriding(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=3600"),
                ))
                .service(ServeDir::new(&state.config.assets_dir)),
        )
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(csrf)
        .layer(middleware::from_fn_with_state(state.clone(), audit_csrf_refusals))
        .layer(middleware::from_fn(move |req, next| security_headers(secure, req, next)))
        .layer(middleware::from_fn(track_metrics))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// Serves until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}

async fn not_found(request: Request) -> Response {
    let failure = error::Failure::Core(bluelamp_core::Error::NotFound);
    if auth::is_api(request.uri().path()) {
        error::ApiError(failure).into_response()
    } else {
        error::PageError(failure).into_response()
    }
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.core.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}

fn prometheus() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE.get_or_init(|| PrometheusBuilder::new().install_recorder().ok()).as_ref()
}

/// Installs the metrics recorder; call once at start-up (later calls are harmless).
pub fn init_metrics() {
    let _ = prometheus();
}

async fn metrics_text() -> Response {
    match prometheus() {
        Some(handle) => ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], handle.render()).into_response(),
        None => (StatusCode::SERVICE_UNAVAILABLE, "metrics recorder not installed").into_response(),
    }
}

async fn track_metrics(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route =
        request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string()).unwrap_or_else(|| "unmatched".into());
    let method = request.method().to_string();
    let response = next.run(request).await;
    let labels = [("method", method), ("route", route), ("status", response.status().as_u16().to_string())];
    metrics::counter!("bluelamp_http_requests_total", &labels).increment(1);
    metrics::histogram!("bluelamp_http_request_duration_seconds", &labels).record(started.elapsed().as_secs_f64());
    response
}

/// Cross-site requests refused by the CSRF layer are refusals like any other: audited.
async fn audit_csrf_refusals(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let ctx = auth::request_context(&parts);
    let what = format!("{} {}", parts.method, parts.uri.path());
    let response = next.run(Request::from_parts(parts, body)).await;
    if let Some(rejection) = response.extensions().get::<tower_http::csrf::ProtectionError>() {
        let reason = format!("cross-site request refused ({:?})", rejection.kind());
        if let Err(e) = state.core.record_refusal(None, &what, &reason, &ctx).await {
            tracing::error!(error = %e, "could not audit a refused cross-site request");
        }
    }
    response
}

/// CSP without `unsafe-inline`, no framing, no sniffing, no referrer leaks; HSTS behind TLS.
async fn security_headers(secure: bool, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let has_cache_control = headers.contains_key(header::CACHE_CONTROL);
    let mut set = |name: HeaderName, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; \
         connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
    );
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::REFERRER_POLICY, "no-referrer");
    set(HeaderName::from_static("cross-origin-opener-policy"), "same-origin");
    set(HeaderName::from_static("permissions-policy"), "camera=(), microphone=(), geolocation=()");
    if !has_cache_control {
        set(header::CACHE_CONTROL, "no-store");
    }
    if secure {
        set(header::STRICT_TRANSPORT_SECURITY, "max-age=63072000; includeSubDomains");
    }
    response
}
