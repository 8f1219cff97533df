//! The askama templates, one struct per page. Templates live in `templates/`.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use bluelamp_core::FieldError;

use crate::shell::Shell;

/// Renders a template with a status; a template error is a 500 and is logged.
pub fn render(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "Sorry, there is a problem with the service.").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub shell: Shell,
    pub heading: String,
    pub message: String,
    pub request_id: String,
}

#[derive(Template)]
#[template(path = "sign_in.html")]
pub struct SignInPage {
    pub shell: Shell,
    pub username: String,
    pub next: String,
    pub idle_minutes: i64,
    pub username_error: Option<String>,
    pub password_error: Option<String>,
}

pub struct Queue {
    pub title: &'static str,
    pub description: &'static str,
    pub href: Option<&'static str>,
    pub count: i64,
}

pub struct HomeSection {
    pub role: &'static str,
    pub label: &'static str,
    pub queues: Vec<Queue>,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub shell: Shell,
    pub greeting: String,
    pub heading: String,
    pub sections: Vec<HomeSection>,
    /// Crimes waiting past their triage limit, for those who triage (the inspector's line for
    /// inspectors and above).
    pub triage_alerts: Vec<String>,
    /// For supervisors: investigation reviews overdue and escalated, and outcomes awaiting
    /// authorisation, each with the list it links to.
    pub supervision_alerts: Vec<(String, &'static str)>,
}

pub struct OfficerRow {
    pub id: String,
    pub is_sealed: bool,
    pub display_name: String,
    pub collar_number: String,
    pub rank: String,
    pub team: String,
    pub station: String,
    pub division: String,
    pub pip_level: String,
}

#[derive(Template)]
#[template(path = "officers/list.html")]
pub struct OfficerListPage {
    pub shell: Shell,
    pub rows: Vec<OfficerRow>,
}

#[derive(Template)]
#[template(path = "officers/show.html")]
pub struct OfficerPage {
    pub shell: Shell,
    pub id: String,
    pub display_name: String,
    pub rank: String,
    pub rows: Vec<(&'static str, String)>,
    pub restriction: Option<String>,
    pub opened_with_reason: Option<String>,
    pub can_restrict: bool,
}

#[derive(Template)]
#[template(path = "officers/sealed.html")]
pub struct SealedPage {
    pub shell: Shell,
    pub id: String,
    pub reason: String,
}

pub struct UserRow {
    pub username: String,
    pub display_name: String,
    pub roles: String,
    pub status: String,
    pub is_disabled: bool,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
pub struct UsersPage {
    pub shell: Shell,
    pub rows: Vec<UserRow>,
}

pub struct FormField {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: Option<&'static str>,
    pub input_type: &'static str,
    pub value: String,
    pub error: Option<String>,
    pub options: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "admin/user_new.html")]
pub struct NewUserPage {
    pub shell: Shell,
    pub fields: Vec<FormField>,
}

pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub outcome: String,
    pub record: String,
    pub justification: String,
}

#[derive(Template)]
#[template(path = "audit/search.html")]
pub struct AuditPage {
    pub shell: Shell,
    pub filters: Vec<(&'static str, &'static str, String)>,
    pub rows: Vec<AuditRow>,
    pub older: Option<String>,
}

/// The first error for a field, for inline messages.
pub fn error_for(errors: &[FieldError], field: &str) -> Option<String> {
    errors.iter().find(|e| e.field == field).map(|e| e.rule.clone())
}
