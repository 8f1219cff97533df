//! Opaque secrets: session tokens and API tokens. Only their SHA-256 is ever stored.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Prefix that makes a leaked API token easy to recognise (secret scanners, logs).
pub const API_TOKEN_PREFIX: &str = "blt_";

/// 256 random bits, base64url without padding (43 characters).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn new_api_token() -> String {
    format!("{API_TOKEN_PREFIX}{}", random_token())
}

/// SHA-256 in lower-case hex: how tokens are stored and looked up.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A random password for demo and reset accounts: four groups of random base64url characters.
pub fn random_password() -> String {
    let token = random_token();
    let chars: Vec<char> = token.chars().take(24).collect();
    chars.chunks(6).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_unique_and_hashed() {
        let a = random_token();
        let b = random_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert_eq!(token_hash(&a).len(), 64);
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_ne!(token_hash(&a), token_hash(&b));
        assert!(new_api_token().starts_with(API_TOKEN_PREFIX));
    }

    #[test]
    fn random_passwords_pass_the_password_rules() {
        let password = random_password();
        assert_eq!(password.len(), 27);
        assert!(crate::password::check_new_password("p", &password, "admin").is_empty());
    }
}
