//! The approval queue.

use actix_web::{get, post, web};

use crate::auth::CurrentStaff;
use crate::db;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery};
use crate::http::responses::*;
use crate::startup::AppState;
use crate::tasks::approvals::{
    self, ApprovalQueue, ApprovalQueueQuery, BulkApprovalRequest, BulkApprovalResponse,
};

/// Tasks waiting for your approval, oldest submission first, each with its result.
#[utoipa::path(
    tag = "approvals",
    security(("bearer" = [])),
    params(ApprovalQueueQuery),
    responses(
        (status = 200, description = "The queue", body = ApprovalQueue),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 422, response = Unprocessable),
    )
)]
#[get("/approvals")]
pub async fn list_approvals(
    state: web::Data<AppState>,
    me: CurrentStaff,
    query: ApiQuery<ApprovalQueueQuery>,
) -> ApiResult<web::Json<ApprovalQueue>> {
    let now = state.now();
    let queue = db::run(&state.pool, move |conn| {
        approvals::queue(conn, &me, query.0, now)
    })
    .await?;
    Ok(web::Json(queue))
}

/// Approves up to 200 tasks at their preset difficulties. Each task is approved or refused
/// on its own; the response reports every one, with the problem a single approval would
/// have answered.
#[utoipa::path(
    tag = "approvals",
    security(("bearer" = [])),
    request_body = BulkApprovalRequest,
    responses(
        (status = 200, description = "What happened to each task", body = BulkApprovalResponse),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/approvals/bulk")]
pub async fn bulk_approve(
    state: web::Data<AppState>,
    me: CurrentStaff,
    body: ApiJson<BulkApprovalRequest>,
) -> ApiResult<web::Json<BulkApprovalResponse>> {
    let now = state.now();
    let firm = state.firm.clone();
    let outcome = db::run(&state.pool, move |conn| {
        approvals::bulk(conn, &firm, &me, body.0, now)
    })
    .await?;
    Ok(web::Json(outcome))
}
