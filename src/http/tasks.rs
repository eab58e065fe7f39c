//! Tasks and their transitions.

use actix_web::{get, post, web, HttpResponse};

use crate::auth::CurrentStaff;
use crate::db;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, OptionalJson};
use crate::http::responses::*;
use crate::startup::AppState;
use crate::tasks::workflow::{
    self, ApprovalOutcome, ApproveTaskRequest, ReasonRequest, ReturnTaskRequest, SubmitTaskRequest,
};
use crate::tasks::{self, CreateTaskRequest, ListTasksQuery, TaskPage, TaskResponse};

/// Creates a manual task for yourself, someone you supervise, or anyone (admin).
#[utoipa::path(
    tag = "tasks",
    security(("bearer" = [])),
    request_body = CreateTaskRequest,
    responses(
        (status = 201, description = "Created", body = TaskResponse),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/tasks")]
pub async fn create_task(
    state: web::Data<AppState>,
    me: CurrentStaff,
    body: ApiJson<CreateTaskRequest>,
) -> ApiResult<HttpResponse> {
    let now = state.now();
    let task = db::write(&state.pool, move |conn| {
        let task = tasks::create(conn, &me, body.0, now)?;
        tasks::to_response(conn, task, now)
    })
    .await?;
    Ok(HttpResponse::Created().json(task))
}

/// Tasks the caller may see (their own, their team's; all for an admin), oldest first.
#[utoipa::path(
    tag = "tasks",
    security(("bearer" = [])),
    params(ListTasksQuery),
    responses(
        (status = 200, description = "A page of tasks", body = TaskPage),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 422, response = Unprocessable),
    )
)]
#[get("/tasks")]
pub async fn list_tasks(
    state: web::Data<AppState>,
    me: CurrentStaff,
    query: ApiQuery<ListTasksQuery>,
) -> ApiResult<web::Json<TaskPage>> {
    let now = state.now();
    let page = db::run(&state.pool, move |conn| {
        tasks::list(conn, &me, query.0, now)
    })
    .await?;
    Ok(web::Json(page))
}

/// One task, with the result fields its step asks for.
#[utoipa::path(
    tag = "tasks",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Task id")),
    responses(
        (status = 200, description = "The task", body = TaskResponse),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
#[get("/tasks/{id}")]
pub async fn get_task(
    state: web::Data<AppState>,
    me: CurrentStaff,
    id: web::Path<String>,
) -> ApiResult<web::Json<TaskResponse>> {
    let now = state.now();
    let task = db::run(&state.pool, move |conn| {
        let task = tasks::find_visible(conn, &me, &id)?;
        tasks::to_response(conn, task, now)
    })
    .await?;
    Ok(web::Json(task))
}

/// Marks your task done with its result; it then waits for your supervisor's approval.
#[utoipa::path(
    tag = "tasks",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Task id")),
    request_body = SubmitTaskRequest,
    responses(
        (status = 200, description = "Submitted", body = TaskResponse),
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
#[post("/tasks/{id}/submit")]
pub async fn submit_task(
    state: web::Data<AppState>,
    me: CurrentStaff,
    id: web::Path<String>,
    body: ApiJson<SubmitTaskRequest>,
) -> ApiResult<web::Json<TaskResponse>> {
    let now = state.now();
    let task = db::write(&state.pool, move |conn| {
        let task = workflow::submit(conn, &me, &id, body.0, now)?;
        tasks::to_response(conn, task, now)
    })
    .await?;
    Ok(web::Json(task))
}

const APPROVE_BODY: &str = "May be left out: no body accepts the preset difficulty";

/// Approves a submitted task with a difficulty (supervisor or admin, never the assignee):
/// credits the bonus at once and, for a case step, starts the next step.
#[utoipa::path(
    tag = "tasks",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Task id")),
    request_body(content = Option<ApproveTaskRequest>, description = APPROVE_BODY),
    responses(
        (status = 200, description = "Approved", body = ApprovalOutcome),
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
#[post("/tasks/{id}/approve")]
pub async fn approve_task(
    state: web::Data<AppState>,
    me: CurrentStaff,
    id: web::Path<String>,
    body: OptionalJson<ApproveTaskRequest>,
) -> ApiResult<web::Json<ApprovalOutcome>> {
    let now = state.now();
    let firm = state.firm.clone();
    let outcome = db::write(&state.pool, move |conn| {
        let (task, credited_minor, next_task_id) =
            workflow::approve(conn, &firm, &me, &id, &body.0, now)?;
        Ok(ApprovalOutcome {
            task: tasks::to_response(conn, task, now)?,
            credited_minor,
            currency: firm.currency.clone(),
            next_task_id,
        })
    })
    .await?;
    Ok(web::Json(outcome))
}

/// Sends a submitted task back to its assignee with a comment.
#[utoipa::path(
    tag = "tasks",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Task id")),
    request_body = ReturnTaskRequest,
    responses(
        (status = 200, description = "Returned", body = TaskResponse),
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
#[post("/tasks/{id}/return")]
pub async fn return_task(
    state: web::Data<AppState>,
    me: CurrentStaff,
    id: web::Path<String>,
    body: ApiJson<ReturnTaskRequest>,
) -> ApiResult<web::Json<TaskResponse>> {
    let now = state.now();
    let task = db::write(&state.pool, move |conn| {
        let task = workflow::return_task(conn, &me, &id, body.0, now)?;
        tasks::to_response(conn, task, now)
    })
    .await?;
    Ok(web::Json(task))
}

/// Cancels a manual task that is not approved yet, with a reason.
#[utoipa::path(
    tag = "tasks",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Task id")),
    request_body = ReasonRequest,
    responses(
        (status = 200, description = "Cancelled", body = TaskResponse),
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
#[post("/tasks/{id}/cancel")]
pub async fn cancel_task(
    state: web::Data<AppState>,
    me: CurrentStaff,
    id: web::Path<String>,
    body: ApiJson<ReasonRequest>,
) -> ApiResult<web::Json<TaskResponse>> {
    let now = state.now();
    let task = db::write(&state.pool, move |conn| {
        let task = workflow::cancel(conn, &me, &id, body.0, now)?;
        tasks::to_response(conn, task, now)
    })
    .await?;
    Ok(web::Json(task))
}

/// Revokes an approval (admin): a reversal entry in the ledger, and the task waits for
/// approval again. A case keeps its progress: the next step, if started, goes on.
#[utoipa::path(
    tag = "tasks",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Task id")),
    request_body = ReasonRequest,
    responses(
        (status = 200, description = "Revoked; the task is submitted again", body = TaskResponse),
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
#[post("/tasks/{id}/revoke-approval")]
pub async fn revoke_approval(
    state: web::Data<AppState>,
    me: CurrentStaff,
    id: web::Path<String>,
    body: ApiJson<ReasonRequest>,
) -> ApiResult<web::Json<TaskResponse>> {
    let now = state.now();
    let firm = state.firm.clone();
    let task = db::write(&state.pool, move |conn| {
        let (task, _) = workflow::revoke_approval(conn, &firm, &me, &id, body.0, now)?;
        tasks::to_response(conn, task, now)
    })
    .await?;
    Ok(web::Json(task))
}
