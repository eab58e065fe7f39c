//! The approval queue of a supervisor, and bulk approval at preset difficulties.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::workflow::{self, ApproveTaskRequest};
use super::{to_responses, Task, TaskResponse, TaskStatus};
use crate::auth::CurrentStaff;
use crate::db::schema::{staff, tasks};
use crate::db::{write_tx, DbConnection};
use crate::error::{ApiError, ApiResult, Problem};
use crate::firm::FirmPolicy;

pub const MAX_BULK: usize = 200;

/// Paging of the queue, which runs oldest submission first.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ApprovalQueueQuery {
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Tasks waiting for the caller's approval, oldest first, with their results.
#[derive(Serialize, ToSchema)]
pub struct ApprovalQueue {
    pub items: Vec<TaskResponse>,
    /// Tasks waiting in all, beyond this page too.
    pub total: i64,
    pub next_cursor: Option<String>,
}

/// Tasks to approve at their preset difficulties.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkApprovalRequest {
    /// 1 to 200 task ids.
    pub task_ids: Vec<String>,
}

/// What happened to one task of a bulk approval.
#[derive(Serialize, ToSchema)]
pub struct BulkApprovalResult {
    pub task_id: String,
    /// True when this task was approved by this request.
    pub approved: bool,
    pub difficulty: Option<i32>,
    pub credited_minor: Option<i64>,
    /// Why it was not approved, as the single approval would have answered.
    pub error: Option<Problem>,
}

/// Outcome of each task, in the order sent.
#[derive(Serialize, ToSchema)]
pub struct BulkApprovalResponse {
    pub approved: usize,
    pub failed: usize,
    pub results: Vec<BulkApprovalResult>,
}

/// A cursor here is `<submitted_at as microseconds>:<task id>`, the queue's sort key.
fn parse_cursor(cursor: Option<String>) -> ApiResult<Option<(NaiveDateTime, String)>> {
    let Some(cursor) = cursor else {
        return Ok(None);
    };
    let parsed = cursor.split_once(':').and_then(|(micros, id)| {
        let at = chrono::DateTime::from_timestamp_micros(micros.parse().ok()?)?.naive_utc();
        Some((at, id.to_string()))
    });
    parsed
        .map(Some)
        .ok_or_else(|| ApiError::invalid("cursor", "is not a cursor returned by this list"))
}

pub fn queue(
    conn: &mut DbConnection,
    viewer: &CurrentStaff,
    query: ApprovalQueueQuery,
    now: NaiveDateTime,
) -> ApiResult<ApprovalQueue> {
    let limit = crate::pagination::limit(query.limit)?;
    let cursor = parse_cursor(query.cursor)?;

    let waiting = || {
        let mut q = tasks::table
            .inner_join(staff::table)
            .filter(tasks::status.eq(TaskStatus::Submitted.as_str()))
            .filter(tasks::assignee_id.ne(viewer.id.clone()))
            .into_boxed();
        if !viewer.is_admin() {
            q = q.filter(staff::supervisor_id.eq(viewer.id.clone()));
        }
        q
    };
    let total: i64 = waiting().count().get_result(conn)?;
    let mut page = waiting().select(Task::as_select());
    if let Some((at, id)) = cursor {
        page = page.filter(
            tasks::submitted_at
                .gt(at)
                .or(tasks::submitted_at.eq(at).and(tasks::id.gt(id))),
        );
    }
    let rows: Vec<Task> = page
        .order((tasks::submitted_at.asc(), tasks::id.asc()))
        .limit(limit + 1)
        .load(conn)?;

    let next_cursor = (rows.len() as i64 > limit)
        .then(|| &rows[limit as usize - 1])
        .map(|t| {
            format!(
                "{}:{}",
                t.submitted_at.unwrap_or(now).and_utc().timestamp_micros(),
                t.id
            )
        });
    let rows = rows.into_iter().take(limit as usize).collect();
    Ok(ApprovalQueue {
        items: to_responses(conn, rows, now)?,
        total,
        next_cursor,
    })
}

/// Approves each task at its preset difficulty, each in its own transaction: one failure
/// leaves the others approved.
pub fn bulk(
    conn: &mut DbConnection,
    firm: &FirmPolicy,
    viewer: &CurrentStaff,
    request: BulkApprovalRequest,
    now: NaiveDateTime,
) -> ApiResult<BulkApprovalResponse> {
    let count = request.task_ids.len();
    if count == 0 || count > MAX_BULK {
        return Err(ApiError::invalid("task_ids", "must list 1 to 200 tasks"));
    }

    let mut results = Vec::with_capacity(count);
    for task_id in request.task_ids {
        let accept_preset = ApproveTaskRequest::default();
        let outcome = write_tx(conn, |conn| {
            workflow::approve(conn, firm, viewer, &task_id, &accept_preset, now)
        });
        results.push(match outcome {
            Ok((task, credited, _)) => BulkApprovalResult {
                task_id,
                approved: true,
                difficulty: task.difficulty,
                credited_minor: Some(credited),
                error: None,
            },
            Err(ApiError::Internal(cause)) => return Err(ApiError::Internal(cause)),
            Err(refused) => BulkApprovalResult {
                task_id,
                approved: false,
                difficulty: None,
                credited_minor: None,
                error: Some(refused.problem()),
            },
        });
    }

    let approved = results.iter().filter(|r| r.approved).count();
    log::info!(
        "bulk approval by {}: {approved} of {count} approved",
        viewer.id
    );
    Ok(BulkApprovalResponse {
        approved,
        failed: count - approved,
        results,
    })
}
