//! The caller's notices.

use actix_web::{get, post, web, HttpResponse};

use crate::auth::CurrentStaff;
use crate::db;
use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::http::responses::*;
use crate::notifications::{self, ListNotificationsQuery, NotificationPage};
use crate::startup::AppState;

/// Your notices, newest first: approvals, returns, revocations, adjustments.
#[utoipa::path(
    tag = "notifications",
    security(("bearer" = [])),
    params(ListNotificationsQuery),
    responses(
        (status = 200, description = "A page of notices", body = NotificationPage),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 422, response = Unprocessable),
    )
)]
#[get("/notifications")]
pub async fn list_notifications(
    state: web::Data<AppState>,
    me: CurrentStaff,
    query: ApiQuery<ListNotificationsQuery>,
) -> ApiResult<web::Json<NotificationPage>> {
    let page = db::run(&state.pool, move |conn| {
        notifications::list(conn, &me.id, query.0)
    })
    .await?;
    Ok(web::Json(page))
}

/// Marks one of your notices read.
#[utoipa::path(
    tag = "notifications",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Notification id")),
    responses(
        (status = 204, description = "Marked read"),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
#[post("/notifications/{id}/read")]
pub async fn read_notification(
    state: web::Data<AppState>,
    me: CurrentStaff,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let now = state.now();
    db::write(&state.pool, move |conn| {
        notifications::mark_read(conn, &me.id, &id, now)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
