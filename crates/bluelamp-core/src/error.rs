//! One error type for the core. The web crate maps each variant to a status code and a stable error code.

/// A rule broken by one input field, named in words a user understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub rule: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, rule: impl Into<String>) -> Self {
        FieldError { field: field.into(), rule: rule.into() }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input broke one or more rules (HTTP 422).
    #[error("the request breaks {} rule(s)", .0.len())]
    Invalid(Vec<FieldError>),
    /// No such record, or one the caller may not know exists (HTTP 404).
    #[error("not found")]
    NotFound,
    /// Signed in but lacking the permission (HTTP 403).
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// Not signed in, or the credentials were wrong (HTTP 401). The message is deliberately generic.
    #[error("sign-in required")]
    Unauthenticated,
    /// The record changed or already exists (HTTP 409).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database cannot be reached (HTTP 503).
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// Anything else from storage (HTTP 500; the detail is logged, never shown).
    #[error("storage error: {0}")]
    Storage(String),
}

impl Error {
    pub fn invalid(field: impl Into<String>, rule: impl Into<String>) -> Self {
        Error::Invalid(vec![FieldError::new(field, rule)])
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
