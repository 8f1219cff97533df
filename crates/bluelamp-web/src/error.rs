//! One error type, two renderings: JSON for the API (`ApiError`) and an HTML page for people
//! (`PageError`). Codes are stable; 5xx details go to the log, never to the client.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bluelamp_core::{Error, FieldError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::shell::Shell;
use crate::templates::ErrorPage;

/// Why a request failed, independent of how the answer is rendered.
#[derive(Debug)]
pub enum Failure {
    Core(Error),
    BadRequest(String),
    PayloadTooLarge,
    UnsupportedMediaType,
    TooManyRequests,
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Core(e)
    }
}

/// The JSON body of every API error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorJson {
    /// Stable machine-readable code: `invalid`, `not_found`, `forbidden`, `unauthenticated`,
    /// `conflict`, `bad_request`, `payload_too_large`, `unsupported_media_type`, `too_many_requests`,
    /// `unavailable`, `internal`.
    pub error: &'static str,
    pub message: String,
    pub fields: Vec<FieldErrorJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldErrorJson {
    pub field: String,
    pub rule: String,
}

impl Failure {
    pub fn status_code_message(&self) -> (StatusCode, &'static str, String, &[FieldError]) {
        match self {
            Failure::Core(Error::Invalid(fields)) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                "The request breaks the rules listed in `fields`.".into(),
                fields,
            ),
            Failure::Core(Error::NotFound) => {
                (StatusCode::NOT_FOUND, "not_found", "There is no such record.".into(), &[])
            }
            Failure::Core(Error::Forbidden(why)) => {
                (StatusCode::FORBIDDEN, "forbidden", format!("You may not do this: {why}."), &[])
            }
            Failure::Core(Error::Unauthenticated) => {
                (StatusCode::UNAUTHORIZED, "unauthenticated", "Sign in, or send a valid bearer token.".into(), &[])
            }
            Failure::Core(Error::Conflict(_)) => {
                (StatusCode::CONFLICT, "conflict", "The record was changed or already exists.".into(), &[])
            }
            Failure::Core(Error::Unavailable(detail)) => {
                tracing::error!(%detail, "storage unavailable");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "The database cannot be reached. Try again shortly.".into(),
                    &[],
                )
            }
            Failure::Core(Error::Storage(detail)) => {
                tracing::error!(%detail, "storage error");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal", "Something went wrong; nothing was saved.".into(), &[])
            }
            Failure::BadRequest(why) => (StatusCode::BAD_REQUEST, "bad_request", why.clone(), &[]),
            Failure::PayloadTooLarge => {
                (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "The request body is too large.".into(), &[])
            }
            Failure::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Send the body as application/json.".into(),
                &[],
            ),
            Failure::TooManyRequests => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                "Too many attempts from your address. Wait a minute and try again.".into(),
                &[],
            ),
        }
    }
}

/// An error answered as JSON.
#[derive(Debug)]
pub struct ApiError(pub Failure);

impl<E: Into<Failure>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message, fields) = self.0.status_code_message();
        let body = ErrorJson {
            error: code,
            message,
            fields: fields.iter().map(|f| FieldErrorJson { field: f.field.clone(), rule: f.rule.clone() }).collect(),
        };
        let mut response = (status, axum::Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// An error answered as a page.
#[derive(Debug)]
pub struct PageError(pub Failure);

impl<E: Into<Failure>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, _, message, fields) = self.0.status_code_message();
        let heading = match status {
            StatusCode::NOT_FOUND => "Page not found",
            StatusCode::FORBIDDEN => "You do not have access to this page",
            StatusCode::UNPROCESSABLE_ENTITY => "Check your answers",
            StatusCode::SERVICE_UNAVAILABLE => "Sorry, the service is unavailable",
            StatusCode::INTERNAL_SERVER_ERROR => "Sorry, there is a problem with the service",
            _ => "There is a problem",
        };
        let mut shell = Shell::bare(heading);
        shell.errors = fields.to_vec();
        crate::templates::render(
            status,
            &ErrorPage { shell, heading: heading.to_string(), message, request_id: String::new() },
        )
    }
}
