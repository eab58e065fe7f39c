//! Access tokens (short-lived JWTs) and refresh tokens (random, stored hashed, rotated).

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::NaiveDateTime;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What an access token says about its bearer.
#[derive(Serialize, Deserialize, Debug)]
pub struct Claims {
    /// Staff id.
    pub sub: String,
    pub role: String,
    pub iat: i64,
    pub exp: i64,
}

/// The keys and lifetimes for issuing tokens.
#[derive(Clone)]
pub struct TokenIssuer {
    encoding: EncodingKey,
    decoding: DecodingKey,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
}

impl TokenIssuer {
    pub fn new(secret: &[u8], access_ttl: Duration, refresh_ttl: Duration) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            access_ttl,
            refresh_ttl,
        }
    }

    pub fn access_token(&self, staff_id: &str, role: &str, now: NaiveDateTime) -> String {
        let iat = now.and_utc().timestamp();
        let claims = Claims {
            sub: staff_id.to_string(),
            role: role.to_string(),
            iat,
            exp: iat + self.access_ttl.as_secs() as i64,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing cannot fail")
    }

    /// The token's claims when its signature holds and it has not expired by `now`.
    /// Expiry is checked against the service's clock, not the library's.
    pub fn verify(&self, token: &str, now: NaiveDateTime) -> Option<Claims> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_exp = false;
        validation.required_spec_claims.clear();
        let claims = decode::<Claims>(token, &self.decoding, &validation)
            .ok()?
            .claims;
        (claims.exp > now.and_utc().timestamp()).then_some(claims)
    }
}

/// A new random refresh token, to hand out once; only its hash is stored.
pub fn new_refresh_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn hash_refresh_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A random signing key for a deployment that set none.
pub fn random_secret() -> Vec<u8> {
    let mut bytes = vec![0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn issuer() -> TokenIssuer {
        TokenIssuer::new(
            b"test-secret",
            Duration::from_secs(60),
            Duration::from_secs(600),
        )
    }

    #[test]
    fn token_expires_by_the_service_clock() {
        let now = DateTime::from_timestamp(1_000_000, 0).unwrap().naive_utc();
        let token = issuer().access_token("s1", "lawyer", now);

        assert_eq!(issuer().verify(&token, now).unwrap().sub, "s1");
        assert!(issuer()
            .verify(&token, now + chrono::Duration::seconds(61))
            .is_none());
    }

    #[test]
    fn token_signed_with_another_key_is_refused() {
        let now = DateTime::from_timestamp(1_000_000, 0).unwrap().naive_utc();
        let other = TokenIssuer::new(b"other", Duration::from_secs(60), Duration::from_secs(60));

        let token = other.access_token("s1", "lawyer", now);

        assert!(issuer().verify(&token, now).is_none());
    }
}
