//! Sign-in, token rotation, sign-out and the caller's own record.

use actix_web::{get, post, web, HttpResponse};

use crate::auth::{self, CurrentStaff, LoginRequest, RefreshRequest, TokenResponse};
use crate::db;
use crate::error::ApiResult;
use crate::extract::ApiJson;
use crate::http::responses::*;
use crate::staff::{self, StaffResponse};
use crate::startup::AppState;

/// Signs in with e-mail and password. Rate limited per client address.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyRequests),
    )
)]
#[post("/login")]
pub async fn login(
    state: web::Data<AppState>,
    body: ApiJson<LoginRequest>,
) -> ApiResult<web::Json<TokenResponse>> {
    let now = state.now();
    let issuer = state.tokens.clone();
    let tokens = db::run(&state.pool, move |conn| {
        auth::login(conn, &issuer, &body.0, now)
    })
    .await?;
    Ok(web::Json(tokens))
}

/// Exchanges a refresh token for a new pair; the old refresh token stops working.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New tokens", body = TokenResponse),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyRequests),
    )
)]
#[post("/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    body: ApiJson<RefreshRequest>,
) -> ApiResult<web::Json<TokenResponse>> {
    let now = state.now();
    let issuer = state.tokens.clone();
    let token = body.0.refresh_token;
    let tokens = db::write(&state.pool, move |conn| {
        auth::refresh(conn, &issuer, &token, now)
    })
    .await?;
    Ok(web::Json(tokens))
}

/// Revokes a refresh token. Access tokens expire on their own within minutes.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "Signed out (also when the token was already revoked)"),
        (status = 400, response = BadRequest),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyRequests),
    )
)]
#[post("/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    body: ApiJson<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let now = state.now();
    let token = body.0.refresh_token;
    db::write(&state.pool, move |conn| auth::revoke(conn, &token, now)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The signed-in staff member.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Who you are", body = StaffResponse),
        (status = 401, response = Unauthorized),
    )
)]
#[get("/me")]
pub async fn me(
    state: web::Data<AppState>,
    me: CurrentStaff,
) -> ApiResult<web::Json<StaffResponse>> {
    let person = db::run(&state.pool, move |conn| staff::find(conn, &me.id)).await?;
    Ok(web::Json(person.into()))
}
