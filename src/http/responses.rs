//! Error responses shared by the operations in the OpenAPI document. Every one carries a
//! problem+json body.

#![allow(dead_code)] // The types exist for their OpenAPI description only.

use utoipa::ToResponse;

use crate::error::Problem;

/// The request could not be read: malformed JSON, an unknown field, a wrong type or a bad
/// query parameter. `errors` names the field.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct BadRequest(Problem);

/// No valid bearer token: sign in with `POST /api/v1/auth/login`.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Unauthorized(Problem);

/// Signed in, but this role or person may not do this.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Forbidden(Problem);

/// No such thing, or not visible to the caller.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct NotFound(Problem);

/// The thing is not in a state that allows this (e.g. approving a task not submitted).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Conflict(Problem);

/// The request body is larger than the configured limit.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct PayloadTooLarge(Problem);

/// The body is not `application/json`.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct UnsupportedMediaType(Problem);

/// The request was read but fields break the rules; `errors` lists each with its path.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Unprocessable(Problem);

/// Too many sign-in attempts from this address; retry after `Retry-After` seconds.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct TooManyRequests(Problem);

/// The database is unreachable.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Unavailable(Problem);
