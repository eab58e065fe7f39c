//! Liveness and readiness, outside /api/v1 and without auth.

use actix_web::{get, web, HttpResponse};
use diesel::connection::SimpleConnection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::startup::AppState;

/// Service status.
#[derive(Serialize, ToSchema)]
pub struct HealthResponse {
    /// `ok`.
    pub status: String,
}

/// The process is up.
#[utoipa::path(
    tag = "health",
    responses((status = 200, description = "Alive", body = HealthResponse))
)]
#[get("/health")]
pub async fn health() -> web::Json<HealthResponse> {
    web::Json(HealthResponse {
        status: "ok".to_string(),
    })
}

/// The database answers.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "Ready to serve", body = HealthResponse),
        (status = 503, response = crate::http::responses::Unavailable),
    )
)]
#[get("/ready")]
pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    let checked = crate::db::run(&state.pool, |conn| {
        conn.batch_execute("SELECT 1")
            .map_err(|e| ApiError::Internal(e.into()))
    })
    .await;
    match checked {
        Ok(()) => HttpResponse::Ok().json(HealthResponse {
            status: "ok".to_string(),
        }),
        Err(error) => {
            log::warn!("readiness check failed: {error}");
            let mut problem = error.problem();
            problem.status = 503;
            problem.title = "Service Unavailable".to_string();
            problem.code = "database_unavailable".to_string();
            problem.detail = "the database does not answer".to_string();
            HttpResponse::ServiceUnavailable()
                .content_type("application/problem+json")
                .json(problem)
        }
    }
}
