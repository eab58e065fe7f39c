//! A task's transitions: submit, approve, return, cancel, and an admin's revocation.
//!
//! Each transition updates the row only if it is still in the status the transition starts
//! from, so of two racing requests exactly one wins and the other gets 409.

use chrono::NaiveDateTime;
use diesel::dsl;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::{find, find_visible, supervises, Task, TaskStatus};
use crate::auth::CurrentStaff;
use crate::bonuses::ledger;
use crate::db::schema::{case_steps, tasks};
use crate::db::DbConnection;
use crate::error::{ApiError, ApiResult, FieldErrors};
use crate::firm::FirmPolicy;
use crate::notifications;
use crate::templates::{self, result_fields};

/// The assignee's account of the work.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitTaskRequest {
    /// What was done; never empty.
    pub result_text: String,
    /// Values for the step's result fields, keyed by field key.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub result_fields: Map<String, Value>,
}

/// The supervisor's acceptance.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ApproveTaskRequest {
    /// 0 to 5; may be left out to accept the preset difficulty. 0 pays no bonus.
    pub difficulty: Option<i32>,
    /// Required with difficulty 0: why the task earns nothing (duplicate, made up...).
    pub reason: Option<String>,
}

/// Sends the task back.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnTaskRequest {
    /// What to fix; never empty.
    pub comment: String,
}

/// Why a task is cancelled or an approval revoked.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    pub reason: String,
}

/// What an approval did.
#[derive(Serialize, ToSchema)]
pub struct ApprovalOutcome {
    pub task: super::TaskResponse,
    /// Bonus credited to the assignee, in minor units.
    pub credited_minor: i64,
    pub currency: String,
    /// The task created for the case's next step, if the approval advanced a case.
    pub next_task_id: Option<String>,
}

fn wrong_status(action: &str, task: &Task) -> ApiError {
    ApiError::conflict(
        "invalid_transition",
        format!("cannot {action} a task that is {}", task.status),
    )
}

/// Checks that a conditional update moved the task; 409 when another request moved it
/// first.
fn ensure_moved(conn: &mut DbConnection, moved: usize, id: &str, action: &str) -> ApiResult<()> {
    if moved == 1 {
        Ok(())
    } else {
        Err(wrong_status(action, &find(conn, id)?))
    }
}

type TaskIn<'a> =
    dsl::Filter<dsl::Find<tasks::table, &'a str>, dsl::EqAny<tasks::status, Vec<&'static str>>>;

/// The task, filtered on the statuses a transition starts from.
fn task_in<'a>(id: &'a str, statuses: &[TaskStatus]) -> TaskIn<'a> {
    let statuses: Vec<&'static str> = statuses.iter().map(|s| s.as_str()).collect();
    tasks::table.find(id).filter(tasks::status.eq_any(statuses))
}

/// Only the assignee submits, from open or returned, with a result and valid step fields.
pub fn submit(
    conn: &mut DbConnection,
    viewer: &CurrentStaff,
    id: &str,
    request: SubmitTaskRequest,
    now: NaiveDateTime,
) -> ApiResult<Task> {
    let task = find_visible(conn, viewer, id)?;
    if task.assignee_id != viewer.id {
        return Err(ApiError::forbidden("only the assignee submits a task"));
    }
    if !task.status().is_in_progress() {
        return Err(wrong_status("submit", &task));
    }
    check_result(conn, &task, &request)?;

    let fields = serde_json::to_string(&request.result_fields).map_err(anyhow::Error::from)?;
    let moved = diesel::update(task_in(&task.id, &[TaskStatus::Open, TaskStatus::Returned]))
        .set((
            tasks::status.eq(TaskStatus::Submitted.as_str()),
            tasks::result_text.eq(request.result_text.trim()),
            tasks::result_fields.eq(fields),
            tasks::submitted_at.eq(now),
            tasks::first_submitted_at.eq(task.first_submitted_at.unwrap_or(now)),
            tasks::updated_at.eq(now),
        ))
        .execute(conn)?;
    ensure_moved(conn, moved, id, "submit")?;
    log::info!("task {id} submitted");
    find(conn, id)
}

fn check_result(
    conn: &mut DbConnection,
    task: &Task,
    request: &SubmitTaskRequest,
) -> ApiResult<()> {
    let mut errors = FieldErrors::default();
    errors.check(
        !request.result_text.trim().is_empty(),
        "result_text",
        "must not be empty",
    );
    let definitions = match &task.case_step_id {
        Some(step_id) => {
            let json: String = case_steps::table
                .find(step_id)
                .select(case_steps::result_fields)
                .first(conn)?;
            templates::parse_fields(&json)?
        }
        None => Vec::new(),
    };
    result_fields::check_values(&definitions, &request.result_fields, &mut errors);
    errors.into_result()
}

/// The assignee's supervisor, or an admin, and never the assignee.
fn check_approver(conn: &mut DbConnection, viewer: &CurrentStaff, task: &Task) -> ApiResult<()> {
    if task.assignee_id == viewer.id {
        return Err(ApiError::forbidden(
            "nobody approves or returns their own task",
        ));
    }
    if viewer.is_admin() || supervises(conn, &viewer.id, &task.assignee_id)? {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "only the assignee's supervisor or an admin may do this",
        ))
    }
}

fn check_difficulty(task: &Task, request: &ApproveTaskRequest) -> ApiResult<(i32, Option<String>)> {
    let difficulty = request
        .difficulty
        .or(task.preset_difficulty)
        .ok_or_else(|| {
            ApiError::invalid(
                "difficulty",
                "is required: this task has no preset difficulty",
            )
        })?;
    if !(0..=5).contains(&difficulty) {
        return Err(ApiError::invalid("difficulty", "must be 0 to 5"));
    }
    let reason = request
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if difficulty == 0 && reason.is_none() {
        return Err(ApiError::invalid(
            "reason",
            "is required when the difficulty is 0",
        ));
    }
    Ok((difficulty, reason.map(str::to_string)))
}

/// Approves a submitted task: sets its difficulty, credits the bonus, tells the assignee
/// and, for a case step, starts the next step.
pub fn approve(
    conn: &mut DbConnection,
    firm: &FirmPolicy,
    viewer: &CurrentStaff,
    id: &str,
    request: &ApproveTaskRequest,
    now: NaiveDateTime,
) -> ApiResult<(Task, i64, Option<String>)> {
    let task = find_visible(conn, viewer, id)?;
    check_approver(conn, viewer, &task)?;
    if task.status() != TaskStatus::Submitted {
        return Err(wrong_status("approve", &task));
    }
    let (difficulty, zero_reason) = check_difficulty(&task, request)?;

    let approval_no = task.approval_count + 1;
    let moved = diesel::update(task_in(&task.id, &[TaskStatus::Submitted]))
        .set((
            tasks::status.eq(TaskStatus::Approved.as_str()),
            tasks::difficulty.eq(Some(difficulty)),
            tasks::zero_reason.eq(zero_reason),
            tasks::approved_at.eq(Some(now)),
            tasks::approved_by_id.eq(Some(&viewer.id)),
            tasks::approval_count.eq(approval_no),
            tasks::updated_at.eq(now),
        ))
        .execute(conn)?;
    ensure_moved(conn, moved, id, "approve")?;
    let approval = ledger::Approval {
        staff_id: &task.assignee_id,
        task_id: id,
        approval_no,
        difficulty,
    };
    let credited = ledger::credit_approval(conn, firm, &approval, now)?;
    let message = format!(
        "«{}» approved with difficulty {difficulty}: {} {} credited",
        task.title,
        crate::money::format_minor(credited),
        firm.currency
    );
    notifications::notify(
        conn,
        &task.assignee_id,
        "task_approved",
        &message,
        Some(id),
        now,
    )?;
    let next_task = match &task.case_step_id {
        Some(step_id) => crate::cases::complete_step(conn, step_id, now)?,
        None => None,
    };

    log::info!("task {id} approved with difficulty {difficulty}, credited {credited}");
    Ok((find(conn, id)?, credited, next_task))
}

/// Sends a submitted task back to its assignee with a comment.
pub fn return_task(
    conn: &mut DbConnection,
    viewer: &CurrentStaff,
    id: &str,
    request: ReturnTaskRequest,
    now: NaiveDateTime,
) -> ApiResult<Task> {
    let task = find_visible(conn, viewer, id)?;
    check_approver(conn, viewer, &task)?;
    if task.status() != TaskStatus::Submitted {
        return Err(wrong_status("return", &task));
    }
    let comment = request.comment.trim();
    if comment.is_empty() {
        return Err(ApiError::invalid("comment", "must not be empty"));
    }

    let moved = diesel::update(task_in(&task.id, &[TaskStatus::Submitted]))
        .set((
            tasks::status.eq(TaskStatus::Returned.as_str()),
            tasks::return_comment.eq(Some(comment)),
            tasks::updated_at.eq(now),
        ))
        .execute(conn)?;
    ensure_moved(conn, moved, id, "return")?;
    let message = format!("«{}» returned: {comment}", task.title);
    notifications::notify(
        conn,
        &task.assignee_id,
        "task_returned",
        &message,
        Some(id),
        now,
    )?;
    log::info!("task {id} returned");
    find(conn, id)
}

/// Cancels a manual task not yet approved. Case step tasks end with their case instead.
pub fn cancel(
    conn: &mut DbConnection,
    viewer: &CurrentStaff,
    id: &str,
    request: ReasonRequest,
    now: NaiveDateTime,
) -> ApiResult<Task> {
    let task = find_visible(conn, viewer, id)?;
    let own_task =
        task.created_by_id.as_deref() == Some(viewer.id.as_str()) && task.assignee_id == viewer.id;
    if !(own_task || viewer.is_admin() || supervises(conn, &viewer.id, &task.assignee_id)?) {
        return Err(ApiError::forbidden(
            "only the creator of one's own task, a supervisor or an admin cancels",
        ));
    }
    if task.case_step_id.is_some() {
        return Err(ApiError::conflict(
            "case_step_task",
            "a case step's task ends with its case: close or cancel the case",
        ));
    }
    let reason = request.reason.trim();
    if reason.is_empty() {
        return Err(ApiError::invalid("reason", "must not be empty"));
    }

    let from = [
        TaskStatus::Open,
        TaskStatus::Returned,
        TaskStatus::Submitted,
    ];
    if !from.contains(&task.status()) {
        return Err(wrong_status("cancel", &task));
    }
    let moved = diesel::update(task_in(&task.id, &from))
        .set((
            tasks::status.eq(TaskStatus::Cancelled.as_str()),
            tasks::cancel_reason.eq(Some(reason)),
            tasks::updated_at.eq(now),
        ))
        .execute(conn)?;
    ensure_moved(conn, moved, id, "cancel")?;
    log::info!("task {id} cancelled");
    find(conn, id)
}

/// An admin takes an approval back: a reversal entry, and the task waits for approval again.
pub fn revoke_approval(
    conn: &mut DbConnection,
    firm: &FirmPolicy,
    viewer: &CurrentStaff,
    id: &str,
    request: ReasonRequest,
    now: NaiveDateTime,
) -> ApiResult<(Task, i64)> {
    viewer.require_admin()?;
    let task = find(conn, id)?;
    if task.status() != TaskStatus::Approved {
        return Err(wrong_status("revoke the approval of", &task));
    }
    let reason = request.reason.trim();
    if reason.is_empty() {
        return Err(ApiError::invalid("reason", "must not be empty"));
    }

    let moved = diesel::update(task_in(&task.id, &[TaskStatus::Approved]))
        .set((
            tasks::status.eq(TaskStatus::Submitted.as_str()),
            tasks::difficulty.eq(None::<i32>),
            tasks::approved_at.eq(None::<NaiveDateTime>),
            tasks::approved_by_id.eq(None::<String>),
            tasks::updated_at.eq(now),
        ))
        .execute(conn)?;
    ensure_moved(conn, moved, id, "revoke the approval of")?;
    let approval = ledger::Approval {
        staff_id: &task.assignee_id,
        task_id: id,
        approval_no: task.approval_count,
        difficulty: task.difficulty.unwrap_or(0),
    };
    let approved_at = task.approved_at.unwrap_or(now);
    let reversed = ledger::reverse_approval(
        conn,
        firm,
        &approval,
        approved_at,
        (&viewer.id, reason),
        now,
    )?;
    let message = format!("approval of «{}» revoked: {reason}", task.title);
    notifications::notify(
        conn,
        &task.assignee_id,
        "approval_revoked",
        &message,
        Some(id),
        now,
    )?;
    log::info!("approval of task {id} revoked, reversed {reversed}");
    Ok((find(conn, id)?, reversed))
}
