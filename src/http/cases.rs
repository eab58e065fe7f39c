//! Cases.

use actix_web::{get, patch, post, web, HttpResponse};

use crate::auth::CurrentStaff;
use crate::cases::{
    self, CaseDetail, CasePage, CaseStatus, ListCasesQuery, OpenCaseRequest, UpdateCaseRequest,
};
use crate::db;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery};
use crate::http::responses::*;
use crate::startup::AppState;
use crate::tasks::workflow::ReasonRequest;

/// Cases, oldest first. Admins and heads see all; others the cases they work on.
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    params(ListCasesQuery),
    responses(
        (status = 200, description = "A page of cases", body = CasePage),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 422, response = Unprocessable),
    )
)]
#[get("/cases")]
pub async fn list_cases(
    state: web::Data<AppState>,
    me: CurrentStaff,
    query: ApiQuery<ListCasesQuery>,
) -> ApiResult<web::Json<CasePage>> {
    let page = db::run(&state.pool, move |conn| cases::list(conn, &me, query.0)).await?;
    Ok(web::Json(page))
}

/// Opens a case from a template; its first step becomes a task at once.
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    request_body = OpenCaseRequest,
    responses(
        (status = 201, description = "Opened, with its steps", body = CaseDetail),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/cases")]
pub async fn open_case(
    state: web::Data<AppState>,
    me: CurrentStaff,
    body: ApiJson<OpenCaseRequest>,
) -> ApiResult<HttpResponse> {
    let now = state.now();
    let detail = db::write(&state.pool, move |conn| {
        let case = cases::open(conn, &me, body.0, now)?;
        cases::detail_of(conn, case)
    })
    .await?;
    Ok(HttpResponse::Created().json(detail))
}

/// A case with its steps and their state.
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Case id")),
    responses(
        (status = 200, description = "The case", body = CaseDetail),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
#[get("/cases/{id}")]
pub async fn get_case(
    state: web::Data<AppState>,
    me: CurrentStaff,
    id: web::Path<String>,
) -> ApiResult<web::Json<CaseDetail>> {
    let detail = db::run(&state.pool, move |conn| cases::detail(conn, &me, &id)).await?;
    Ok(web::Json(detail))
}

/// Renames a case or hands it to another lawyer or client manager (admin, heads); their
/// open tasks of the case move along.
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Case id")),
    request_body = UpdateCaseRequest,
    responses(
        (status = 200, description = "Updated", body = CaseDetail),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[patch("/cases/{id}")]
pub async fn update_case(
    state: web::Data<AppState>,
    me: CurrentStaff,
    id: web::Path<String>,
    body: ApiJson<UpdateCaseRequest>,
) -> ApiResult<web::Json<CaseDetail>> {
    let now = state.now();
    let detail = db::write(&state.pool, move |conn| {
        let case = cases::update(conn, &me, &id, body.0, now)?;
        cases::detail_of(conn, case)
    })
    .await?;
    Ok(web::Json(detail))
}

async fn end_case(
    state: web::Data<AppState>,
    me: CurrentStaff,
    id: String,
    status: CaseStatus,
    reason: String,
) -> ApiResult<web::Json<CaseDetail>> {
    let now = state.now();
    let detail = db::write(&state.pool, move |conn| {
        let case = cases::end(conn, &me, &id, status, &reason, now)?;
        cases::detail_of(conn, case)
    })
    .await?;
    Ok(web::Json(detail))
}

/// Closes an open case early (admin, heads); unfinished tasks are cancelled.
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Case id")),
    request_body = ReasonRequest,
    responses(
        (status = 200, description = "Closed", body = CaseDetail),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/cases/{id}/close")]
pub async fn close_case(
    state: web::Data<AppState>,
    me: CurrentStaff,
    id: web::Path<String>,
    body: ApiJson<ReasonRequest>,
) -> ApiResult<web::Json<CaseDetail>> {
    end_case(
        state,
        me,
        id.into_inner(),
        CaseStatus::Closed,
        body.0.reason,
    )
    .await
}

/// Cancels an open case (admin, heads); unfinished tasks are cancelled.
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Case id")),
    request_body = ReasonRequest,
    responses(
        (status = 200, description = "Cancelled", body = CaseDetail),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/cases/{id}/cancel")]
pub async fn cancel_case(
    state: web::Data<AppState>,
    me: CurrentStaff,
    id: web::Path<String>,
    body: ApiJson<ReasonRequest>,
) -> ApiResult<web::Json<CaseDetail>> {
    end_case(
        state,
        me,
        id.into_inner(),
        CaseStatus::Cancelled,
        body.0.reason,
    )
    .await
}
