//! Passwords: the rules a new password must meet (NCSC password guidance — length and a blocklist of
//! common passwords, no composition rules) and Argon2id hashing (OWASP: m=19 MiB, t=2, p=1).

use std::collections::HashSet;
use std::sync::OnceLock;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::FieldError;

pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 256;

/// Argon2id parameters (QUALITY.md S5: at least m=19 MiB, t=2, p=1).
pub const ARGON2_MEMORY_KIB: u32 = 19 * 1024;
pub const ARGON2_ITERATIONS: u32 = 2;
pub const ARGON2_PARALLELISM: u32 = 1;

const COMMON: &str = include_str!("../data/common-passwords.txt");

fn blocklist() -> &'static HashSet<&'static str> {
    static LIST: OnceLock<HashSet<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| COMMON.lines().map(str::trim).filter(|l| !l.is_empty()).collect())
}

/// Whether the password appears (ignoring case) in the list of common passwords.
pub fn is_common(password: &str) -> bool {
    blocklist().contains(password.to_lowercase().as_str())
}

/// Every rule the password breaks, as field errors on `field`.
pub fn check_new_password(field: &str, password: &str, username: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let length = password.chars().count();
    if length < MIN_LENGTH {
        errors.push(FieldError::new(
            field,
            format!("Password must be at least {MIN_LENGTH} characters; three random words work well"),
        ));
    }
    if length > MAX_LENGTH {
        errors.push(FieldError::new(field, format!("Password must be {MAX_LENGTH} characters or fewer")));
    }
    if is_common(password) {
        errors.push(FieldError::new(field, "Password is too common; choose one that is hard to guess"));
    }
    if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        errors.push(FieldError::new(field, "Password must not contain the user name"));
    }
    errors
}

fn argon2() -> Argon2<'static> {
    // The parameters are constants known to be valid; `Params::new` only fails on out-of-range values.
    let params = Params::new(ARGON2_MEMORY_KIB, ARGON2_ITERATIONS, ARGON2_PARALLELISM, None).unwrap_or(Params::DEFAULT);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes with a fresh random salt into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
pub fn hash_password(password: &str) -> Result<String, String> {
    argon2()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| format!("password hashing failed: {e}"))
}

/// Checks a password against a stored PHC string. A malformed stored hash never matches.
pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => argon2().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// [`hash_password`] off the async worker threads: Argon2id is deliberately slow (tens of
/// milliseconds of CPU), and running it inline would stall every other request on that worker.
pub async fn hash_password_blocking(password: &str) -> Result<String, String> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| format!("hashing task failed: {e}"))?
}

/// [`verify_password`] off the async worker threads (see [`hash_password_blocking`]).
pub async fn verify_password_blocking(password: &str, phc: Option<&str>) -> bool {
    let password = password.to_string();
    let phc = phc.map(str::to_string);
    tokio::task::spawn_blocking(move || verify_password(&password, phc.as_deref().unwrap_or_else(|| dummy_hash())))
        .await
        .unwrap_or(false)
}

/// A hash of a random password, verified against when the user name is unknown so that an unknown
/// user and a wrong password take the same time.
pub fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&crate::secret::random_token()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_use_argon2id_with_the_required_cost() {
        let hash = hash_password("correct horse battery staple").expect("hash");
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(verify_password("correct horse battery staple", &hash));
        assert!(!verify_password("correct horse battery stapler", &hash));
        assert!(!verify_password("anything", "not a phc string"));
    }

    #[test]
    fn the_blocklist_is_loaded_and_case_insensitive() {
        assert!(blocklist().len() > 19_000);
        assert!(is_common("password"));
        assert!(is_common("PASSWORD"));
        assert!(is_common("qwerty"));
        assert!(!is_common("tangerine lighthouse oboe"));
    }

    #[test]
    fn password_rules() {
        assert!(check_new_password("password", "tangerine lighthouse oboe", "pc.smith").is_empty());
        let short = check_new_password("password", "short", "pc.smith");
        assert_eq!(short.len(), 1);
        assert!(short[0].rule.contains("at least 12"));
        assert_eq!(check_new_password("password", "password1234", "x").len(), 1);
        assert_eq!(check_new_password("password", "pc.smith-the-great", "pc.smith").len(), 1);
        assert_eq!(check_new_password("password", &"a".repeat(300), "x").len(), 1);
    }
}
