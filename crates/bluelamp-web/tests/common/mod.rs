//! What the HTTP test files share: a reply read whole, and requests sent straight to the router
//! (no socket) with or without a session cookie.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn location(&self) -> String {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
    }
}

pub async fn send(router: &Router, request: Request<Body>) -> Reply {
    let response = router.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    Reply { status, headers, body: String::from_utf8_lossy(&bytes).to_string() }
}

/// GET, or POST with a body of `content_type` when `body` is given, with the session cookie if any.
pub async fn request(router: &Router, path: &str, cookie: Option<&str>, body: Option<(&str, Body)>) -> Reply {
    let mut builder = Request::builder().uri(path);
    builder = match &body {
        Some((content_type, _)) => builder.method(Method::POST).header(header::CONTENT_TYPE, *content_type),
        None => builder.method(Method::GET),
    };
    if let Some(token) = cookie {
        builder = builder.header(header::COOKIE, format!("bluelamp_session={token}"));
    }
    send(router, builder.body(body.map(|(_, b)| b).unwrap_or_else(Body::empty)).expect("request")).await
}
