//! Who is asking, and may they? Every route declares a [`Policy`]; [`enforce`] resolves the session
//! cookie or bearer token, refuses with 401/403 (audited) or passes the [`CurrentUser`] on.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use bluelamp_core::access::{Permission, Principal};
use bluelamp_core::audit::RequestContext;
use bluelamp_core::core::SessionRejection;
use bluelamp_core::{Error, Result};

use crate::AppState;
use crate::error::{ApiError, Failure, PageError};

/// What a route requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Anyone, signed in or not (sign-in page, health checks, assets, the OpenAPI document).
    Public,
    /// Any signed-in user (home page, sign-out, `/api/v1/me`).
    SignedIn,
    /// A signed-in user holding this permission.
    Permission(Permission),
}

impl Policy {
    pub fn allows(self, principal: Option<&Principal>) -> bool {
        match self {
            Policy::Public => true,
            Policy::SignedIn => principal.is_some(),
            Policy::Permission(p) => principal.is_some_and(|who| who.can(p)),
        }
    }
}

/// The signed-in user, put in the request by [`enforce`]. Extracting it where no policy ran is a 401.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> std::result::Result<Self, Self::Rejection> {
        parts.extensions.get::<CurrentUser>().cloned().ok_or(ApiError(Failure::Core(Error::Unauthenticated)))
    }
}

/// Request facts for the audit trail: request id, client address, user agent.
#[derive(Debug, Clone)]
pub struct Ctx(pub RequestContext);

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> std::result::Result<Self, Self::Rejection> {
        Ok(Ctx(request_context(parts)))
    }
}

pub fn request_context(parts: &Parts) -> RequestContext {
    let text =
        |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok()).map(|s| s.chars().take(200).collect());
    RequestContext {
        request_id: text("x-request-id"),
        ip: parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string()),
        user_agent: text("user-agent"),
    }
}

pub fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// The session cookie's name: `__Host-` (which browsers only accept over TLS) when cookies are secure.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure { "__Host-bluelamp_session" } else { "bluelamp_session" }
}

pub fn session_cookie(headers: &HeaderMap, secure: bool) -> Option<String> {
    let name = cookie_name(secure);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

pub fn set_cookie(token: &str, secure: bool) -> HeaderValue {
    let secure_attr = if secure { "; Secure" } else { "" };
    let value = format!("{}={token}; Path=/; HttpOnly; SameSite=Lax{secure_attr}", cookie_name(secure));
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

pub fn clear_cookie(secure: bool) -> HeaderValue {
    let secure_attr = if secure { "; Secure" } else { "" };
    let value = format!("{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure_attr}", cookie_name(secure));
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// How a request identified itself.
pub enum Identity {
    Anonymous,
    /// A session cookie that has expired: the sign-in page says so and keeps the requested page.
    Expired,
    /// A bearer token or cookie that matches nothing.
    Invalid,
    User(Principal),
}

/// Resolves the bearer token (API clients) or the session cookie (browsers).
pub async fn identify(state: &AppState, headers: &HeaderMap) -> Result<Identity> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let token = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).map(str::trim);
        return match token {
            Some(token) if !token.is_empty() => Ok(match state.core.authenticate_api_token(token).await? {
                Some(p) => Identity::User(p),
                None => Identity::Invalid,
            }),
            _ => Ok(Identity::Invalid),
        };
    }
    let Some(token) = session_cookie(headers, state.config.secure_cookies) else {
        return Ok(Identity::Anonymous);
    };
    Ok(match state.core.authenticate_session(&token).await? {
        Ok((principal, _)) => Identity::User(principal),
        Err(SessionRejection::Expired) => Identity::Expired,
        Err(SessionRejection::Unknown) => Identity::Invalid,
    })
}

fn sign_in_redirect(parts: &Parts, expired: bool) -> Response {
    let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let mut target = format!("/sign-in?next={}", urlencode(next));
    if expired {
        target.push_str("&expired=1");
    }
    Redirect::to(&target).into_response()
}

pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Middleware put on every route with its declared policy.
pub async fn enforce(State((state, policy)): State<(AppState, Policy)>, request: Request, next: Next) -> Response {
    if policy == Policy::Public {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let api = is_api(parts.uri.path());
    let identity = match identify(&state, &parts.headers).await {
        Ok(identity) => identity,
        Err(e) => return failure(api, e.into()),
    };
    let ctx = request_context(&parts);
    let what = format!("{} {}", parts.method, parts.uri.path());
    let principal = match identity {
        Identity::User(p) => p,
        Identity::Invalid if api => {
            if let Err(e) = state.core.record_refusal(None, &what, "invalid or expired bearer token", &ctx).await {
                return failure(api, e.into());
            }
            return failure(api, Failure::Core(Error::Unauthenticated));
        }
        _ if api => return failure(api, Failure::Core(Error::Unauthenticated)),
        Identity::Expired => {
            let mut response = sign_in_redirect(&parts, true);
            response.headers_mut().insert(header::SET_COOKIE, clear_cookie(state.config.secure_cookies));
            return response;
        }
        _ => return sign_in_redirect(&parts, false),
    };
    if let Policy::Permission(permission) = policy
        && !principal.can(permission)
    {
        let reason = format!("needs {permission}");
        if let Err(e) = state.core.record_refusal(Some(&principal), &what, &reason, &ctx).await {
            return failure(api, e.into());
        }
        return failure(api, Failure::Core(Error::Forbidden(format!("this needs the permission {permission}"))));
    }
    parts.extensions.insert(CurrentUser(principal));
    next.run(Request::from_parts(parts, body)).await
}

fn failure(api: bool, failure: Failure) -> Response {
    if api { ApiError(failure).into_response() } else { PageError(failure).into_response() }
}

pub fn check_sign_in_rate(state: &AppState, ctx: &RequestContext) -> std::result::Result<(), Failure> {
    let key = ctx.ip.clone().unwrap_or_else(|| "unknown".into());
    state.sign_in_limiter.check_key(&key).map_err(|_| Failure::TooManyRequests)
}
