//! Staff administration.

use actix_web::{get, patch, post, web, HttpResponse};

use crate::auth::CurrentStaff;
use crate::db;
use crate::error::ApiResult;
use crate::extract::ApiJson;
use crate::http::responses::*;
use crate::staff::{self, CreateStaffRequest, StaffResponse, UpdateStaffRequest};
use crate::startup::AppState;

/// Everyone at the firm, active or not, by name. Any signed-in staff member may read it.
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "All staff", body = Vec<StaffResponse>),
        (status = 401, response = Unauthorized),
    )
)]
#[get("/staff")]
pub async fn list_staff(
    state: web::Data<AppState>,
    _me: CurrentStaff,
) -> ApiResult<web::Json<Vec<StaffResponse>>> {
    let people = db::run(&state.pool, staff::list).await?;
    Ok(web::Json(people.into_iter().map(Into::into).collect()))
}

/// Adds a staff member (admin).
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    request_body = CreateStaffRequest,
    responses(
        (status = 201, description = "Created", body = StaffResponse),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/staff")]
pub async fn create_staff(
    state: web::Data<AppState>,
    me: CurrentStaff,
    body: ApiJson<CreateStaffRequest>,
) -> ApiResult<HttpResponse> {
    me.require_admin()?;
    let now = state.now();
    let person = db::write(&state.pool, move |conn| staff::create(conn, body.0, now)).await?;
    Ok(HttpResponse::Created().json(StaffResponse::from(person)))
}

/// Changes a staff member's e-mail, name, role, supervisor or password (admin).
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Staff id")),
    request_body = UpdateStaffRequest,
    responses(
        (status = 200, description = "Updated", body = StaffResponse),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[patch("/staff/{id}")]
pub async fn update_staff(
    state: web::Data<AppState>,
    me: CurrentStaff,
    id: web::Path<String>,
    body: ApiJson<UpdateStaffRequest>,
) -> ApiResult<web::Json<StaffResponse>> {
    me.require_admin()?;
    let now = state.now();
    let person = db::write(&state.pool, move |conn| {
        staff::update(conn, &id, body.0, now)
    })
    .await?;
    Ok(web::Json(person.into()))
}

/// Deactivates a staff member (admin): no more sign-ins; tasks, ledger and history stay.
/// Refused (409) while active staff report to them or open cases are theirs.
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Staff id")),
    responses(
        (status = 200, description = "Deactivated", body = StaffResponse),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    )
)]
#[post("/staff/{id}/deactivate")]
pub async fn deactivate_staff(
    state: web::Data<AppState>,
    me: CurrentStaff,
    id: web::Path<String>,
) -> ApiResult<web::Json<StaffResponse>> {
    me.require_admin()?;
    if *id == me.id {
        return Err(crate::error::ApiError::conflict(
            "self_deactivation",
            "you cannot deactivate yourself",
        ));
    }
    let now = state.now();
    let person = db::write(&state.pool, move |conn| staff::deactivate(conn, &id, now)).await?;
    Ok(web::Json(person.into()))
}
