//! Sign-in, token rotation and the extractor that tells handlers who is calling.

pub mod password;
pub mod tokens;

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::refresh_tokens;
use crate::db::{new_id, DbConnection};
use crate::error::{ApiError, ApiResult};
use crate::staff::{self, Role, Staff};
use crate::startup::AppState;

pub use tokens::TokenIssuer;

/// The signed-in staff member making a request.
#[derive(Clone, Debug)]
pub struct CurrentStaff {
    pub id: String,
    pub role: Role,
    pub full_name: String,
}

impl CurrentStaff {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    pub fn require_admin(&self) -> ApiResult<()> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(ApiError::forbidden("only an admin may do this"))
        }
    }

    pub fn require_any(&self, roles: &[Role]) -> ApiResult<()> {
        if self.is_admin() || roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ApiError::forbidden("your role may not do this"))
        }
    }
}

impl FromRequest for CurrentStaff {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req);

        Box::pin(async move {
            let state = state.ok_or_else(|| anyhow::anyhow!("application state missing"))?;
            let token = token.ok_or_else(|| unauthorized("a bearer token is required"))?;
            let claims = state
                .tokens
                .verify(&token, state.now())
                .ok_or_else(|| unauthorized("the access token is invalid or expired"))?;

            let person = crate::db::run(&state.pool, move |conn| {
                staff::find(conn, &claims.sub).map_err(|error| match error {
                    ApiError::NotFound(_) => unauthorized("unknown staff member"),
                    other => other,
                })
            })
            .await?;
            if !person.active {
                return Err(unauthorized("this staff member is deactivated"));
            }
            Ok(CurrentStaff {
                role: person.role(),
                id: person.id,
                full_name: person.full_name,
            })
        })
    }
}

fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    // The scheme name is case-insensitive (RFC 9110).
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_string())
}

fn unauthorized(detail: &str) -> ApiError {
    ApiError::Unauthorized(detail.to_string())
}

/// E-mail and password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// A refresh token to rotate or revoke.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// A new pair of tokens.
#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    /// JWT to send as `Authorization: Bearer <token>`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Single-use token for `POST /auth/refresh`; each use returns a new one.
    pub refresh_token: String,
}

#[derive(Insertable)]
#[diesel(table_name = refresh_tokens)]
struct NewRefreshToken<'a> {
    id: &'a str,
    staff_id: &'a str,
    token_hash: &'a str,
    expires_at: NaiveDateTime,
    created_at: NaiveDateTime,
}

/// Checks e-mail and password and opens a session. The password check runs before the
/// write transaction, so a slow hash never holds SQLite's write lock.
pub fn login(
    conn: &mut DbConnection,
    issuer: &TokenIssuer,
    request: &LoginRequest,
    now: NaiveDateTime,
) -> ApiResult<TokenResponse> {
    let refused = || unauthorized("e-mail or password is wrong");
    if request.password.chars().count() > staff::MAX_PASSWORD_LEN {
        return Err(refused());
    }
    let Some(person) = staff::find_by_email(conn, &request.email)? else {
        password::verify_nothing(&request.password);
        return Err(refused());
    };
    if !password::verify(&request.password, &person.password_hash) || !person.active {
        return Err(refused());
    }

    let pair = crate::db::write_tx(conn, |conn| issue_pair(conn, issuer, &person, now))?;
    log::info!("staff member {} signed in", person.id);
    Ok(pair)
}

/// Exchanges a refresh token for a new pair; the old one stops working at once, also when
/// two requests race with it.
pub fn refresh(
    conn: &mut DbConnection,
    issuer: &TokenIssuer,
    token: &str,
    now: NaiveDateTime,
) -> ApiResult<TokenResponse> {
    let staff_id = revoke(conn, token, now)?
        .ok_or_else(|| unauthorized("the refresh token is invalid, used or expired"))?;
    let person = staff::find(conn, &staff_id)?;
    if !person.active {
        return Err(unauthorized("this staff member is deactivated"));
    }
    issue_pair(conn, issuer, &person, now)
}

/// Revokes a live refresh token; returns its owner, or `None` when it was not live.
pub fn revoke(
    conn: &mut DbConnection,
    token: &str,
    now: NaiveDateTime,
) -> ApiResult<Option<String>> {
    let hash = tokens::hash_refresh_token(token);
    let live = refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(&hash))
        .filter(refresh_tokens::revoked_at.is_null())
        .filter(refresh_tokens::expires_at.gt(now));

    let staff_id: Option<String> = live
        .select(refresh_tokens::staff_id)
        .first(conn)
        .optional()?;
    let revoked = diesel::update(live)
        .set(refresh_tokens::revoked_at.eq(Some(now)))
        .execute(conn)?;
    Ok(staff_id.filter(|_| revoked == 1))
}

fn issue_pair(
    conn: &mut DbConnection,
    issuer: &TokenIssuer,
    person: &Staff,
    now: NaiveDateTime,
) -> ApiResult<TokenResponse> {
    let refresh_token = tokens::new_refresh_token();
    let hash = tokens::hash_refresh_token(&refresh_token);
    let expires_at = now + chrono::Duration::from_std(issuer.refresh_ttl).unwrap_or_default();
    diesel::insert_into(refresh_tokens::table)
        .values(NewRefreshToken {
            id: &new_id(),
            staff_id: &person.id,
            token_hash: &hash,
            expires_at,
            created_at: now,
        })
        .execute(conn)?;

    Ok(TokenResponse {
        access_token: issuer.access_token(&person.id, &person.role, now),
        token_type: "Bearer".to_string(),
        expires_in: issuer.access_ttl.as_secs(),
        refresh_token,
    })
}
