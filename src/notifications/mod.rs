//! In-app notices to staff (e.g. "your task was approved"), written in the same transaction
//! as the change they report, so a notice exists exactly when its change does.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::notifications;
use crate::db::{new_id, DbConnection};
use crate::error::{ApiError, ApiResult};
use crate::pagination;

#[derive(Queryable, Selectable)]
#[diesel(table_name = notifications)]
struct Row {
    id: String,
    kind: String,
    message: String,
    task_id: Option<String>,
    created_at: NaiveDateTime,
    read_at: Option<NaiveDateTime>,
}

/// A notice to the signed-in staff member.
#[derive(Serialize, ToSchema)]
pub struct NotificationResponse {
    pub id: String,
    /// `task_approved`, `task_returned`, `task_assigned`, `approval_revoked`, `adjustment`.
    pub kind: String,
    pub message: String,
    pub task_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// One page of notices, newest first.
#[derive(Serialize, ToSchema)]
pub struct NotificationPage {
    pub items: Vec<NotificationResponse>,
    pub next_cursor: Option<String>,
}

/// Filters of the notice list.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListNotificationsQuery {
    /// Only unread notices (default false).
    pub unread: Option<bool>,
    pub cursor: Option<String>,
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<i64>,
}

pub fn notify(
    conn: &mut DbConnection,
    staff_id: &str,
    kind: &str,
    message: &str,
    task_id: Option<&str>,
    now: NaiveDateTime,
) -> ApiResult<()> {
    diesel::insert_into(notifications::table)
        .values((
            notifications::id.eq(new_id()),
            notifications::staff_id.eq(staff_id),
            notifications::kind.eq(kind),
            notifications::message.eq(message),
            notifications::task_id.eq(task_id),
            notifications::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn list(
    conn: &mut DbConnection,
    staff_id: &str,
    query: ListNotificationsQuery,
) -> ApiResult<NotificationPage> {
    let limit = pagination::limit(query.limit)?;
    let cursor = pagination::cursor(query.cursor)?;

    let mut select = notifications::table
        .filter(notifications::staff_id.eq(staff_id))
        .select(Row::as_select())
        .into_boxed();
    if query.unread.unwrap_or(false) {
        select = select.filter(notifications::read_at.is_null());
    }
    if let Some(cursor) = cursor {
        select = select.filter(notifications::id.lt(cursor));
    }
    let rows = select
        .order(notifications::id.desc())
        .limit(limit + 1)
        .load(conn)?;

    let (rows, next_cursor) = pagination::split_page(rows, limit, |r| r.id.clone());
    let items = rows
        .into_iter()
        .map(|r| NotificationResponse {
            id: r.id,
            kind: r.kind,
            message: r.message,
            task_id: r.task_id,
            created_at: r.created_at.and_utc(),
            read_at: r.read_at.map(|t| t.and_utc()),
        })
        .collect();
    Ok(NotificationPage { items, next_cursor })
}

pub fn mark_read(
    conn: &mut DbConnection,
    staff_id: &str,
    id: &str,
    now: NaiveDateTime,
) -> ApiResult<()> {
    let found = diesel::update(
        notifications::table
            .filter(notifications::id.eq(id))
            .filter(notifications::staff_id.eq(staff_id)),
    )
    .set(notifications::read_at.eq(Some(now)))
    .execute(conn)?;
    if found == 0 {
        return Err(ApiError::NotFound("notification"));
    }
    Ok(())
}
