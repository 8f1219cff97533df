//! Body extractors whose rejections speak our error format: a malformed body is a 400, an oversized
//! one a 413, the wrong content type a 415 — each with a message, never a panic.

use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, Failure, PageError};

fn failure(status: StatusCode, text: String) -> Failure {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => Failure::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => Failure::UnsupportedMediaType,
        _ => Failure::BadRequest(text),
    }
}

/// A JSON body for the API.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(ApiError(failure(rejection.status(), rejection.body_text()))),
        }
    }
}

/// A URL-encoded form body for pages; repeated keys (checkboxes) fill a `Vec`.
pub struct PageForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for PageForm<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum_extra::extract::Form::<T>::from_request(req, state).await {
            Ok(axum_extra::extract::Form(value)) => Ok(PageForm(value)),
            Err(rejection) => Err(PageError(failure(rejection.status(), rejection.body_text()))),
        }
    }
}
