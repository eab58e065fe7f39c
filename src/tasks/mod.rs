//! Tasks: units of work assigned to one staff member, manual or created from a case
//! template, each submitted by its assignee and approved by their supervisor.

pub mod approvals;
mod model;
pub mod workflow;

pub use model::{to_response, to_responses, Task, TaskPage, TaskResponse, TaskStatus};

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::CurrentStaff;
use crate::db::schema::{staff, tasks};
use crate::db::{new_id, DbConnection};
use crate::error::{ApiError, ApiResult, FieldErrors};
use crate::pagination;
use crate::staff as staff_members;

/// A manual task.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTaskRequest {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Yourself, someone you supervise, or anyone for an admin.
    pub assignee_id: String,
    /// RFC 3339 instant, e.g. `2026-12-04T18:00:00+03:00`.
    pub due_at: DateTime<Utc>,
    pub case_id: Option<String>,
    pub client_id: Option<String>,
    /// 1 to 5; what bulk approval will use.
    pub preset_difficulty: Option<i32>,
}

/// Filters of the task list.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListTasksQuery {
    pub assignee_id: Option<String>,
    pub status: Option<TaskStatus>,
    pub case_id: Option<String>,
    /// true: only overdue tasks; false: only tasks that are not overdue.
    pub overdue: Option<bool>,
    pub cursor: Option<String>,
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<i64>,
}

/// Whose tasks a viewer may see: `None` means everyone's (admins).
pub fn visible_assignees(
    conn: &mut DbConnection,
    viewer: &CurrentStaff,
) -> ApiResult<Option<Vec<String>>> {
    if viewer.is_admin() {
        return Ok(None);
    }
    let mut ids = staff_members::team_ids(conn, &viewer.id)?;
    ids.push(viewer.id.clone());
    Ok(Some(ids))
}

pub fn find(conn: &mut DbConnection, id: &str) -> ApiResult<Task> {
    tasks::table
        .find(id)
        .select(Task::as_select())
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound("task"))
}

/// The task if the viewer may see it: their own, their team's, or any for an admin.
/// Others' tasks answer 404, so their existence does not leak.
pub fn find_visible(conn: &mut DbConnection, viewer: &CurrentStaff, id: &str) -> ApiResult<Task> {
    let task = find(conn, id)?;
    if viewer.is_admin()
        || task.assignee_id == viewer.id
        || supervises(conn, &viewer.id, &task.assignee_id)?
    {
        Ok(task)
    } else {
        Err(ApiError::NotFound("task"))
    }
}

pub fn supervises(conn: &mut DbConnection, supervisor_id: &str, staff_id: &str) -> ApiResult<bool> {
    let supervisor: Option<Option<String>> = staff::table
        .find(staff_id)
        .select(staff::supervisor_id)
        .first(conn)
        .optional()?;
    Ok(supervisor.flatten().as_deref() == Some(supervisor_id))
}

pub fn create(
    conn: &mut DbConnection,
    creator: &CurrentStaff,
    request: CreateTaskRequest,
    now: NaiveDateTime,
) -> ApiResult<Task> {
    let mut errors = FieldErrors::default();
    let title_ok = !request.title.trim().is_empty() && request.title.chars().count() <= 200;
    errors.check(title_ok, "title", "must be 1 to 200 characters");
    if let Some(d) = request.preset_difficulty {
        errors.check((1..=5).contains(&d), "preset_difficulty", "must be 1 to 5");
    }
    check_assignee(conn, creator, &request.assignee_id, &mut errors)?;
    if let Some(case_id) = &request.case_id {
        if ApiError::missing(crate::cases::find_visible(conn, creator, case_id))? {
            errors.add("case_id", "no such case");
        }
    }
    if let Some(client_id) = &request.client_id {
        if ApiError::missing(crate::clients::get_visible(conn, creator, client_id))? {
            errors.add("client_id", "no such client");
        }
    }
    errors.into_result()?;

    let task = new_task(
        NewTask {
            title: request.title.trim().to_string(),
            description: request.description,
            assignee_id: request.assignee_id,
            created_by_id: Some(creator.id.clone()),
            case_id: request.case_id,
            case_step_id: None,
            client_id: request.client_id,
            preset_difficulty: request.preset_difficulty,
            due_at: request.due_at.naive_utc(),
        },
        now,
    );
    insert(conn, &task)?;
    log::info!(
        "task {} created by {} for {}",
        task.id,
        creator.id,
        task.assignee_id
    );
    Ok(task)
}

fn check_assignee(
    conn: &mut DbConnection,
    creator: &CurrentStaff,
    assignee_id: &str,
    errors: &mut FieldErrors,
) -> ApiResult<()> {
    match staff_members::find(conn, assignee_id) {
        Err(ApiError::NotFound(_)) => errors.add("assignee_id", "no such staff member"),
        Err(other) => return Err(other),
        Ok(person) if !person.active => errors.add("assignee_id", "is deactivated"),
        Ok(person) => {
            let allowed = creator.is_admin()
                || person.id == creator.id
                || person.supervisor_id.as_deref() == Some(creator.id.as_str());
            errors.check(
                allowed,
                "assignee_id",
                "must be yourself or someone you supervise",
            );
        }
    }
    Ok(())
}

/// What a new task is made of.
pub struct NewTask {
    pub title: String,
    pub description: String,
    pub assignee_id: String,
    pub created_by_id: Option<String>,
    pub case_id: Option<String>,
    pub case_step_id: Option<String>,
    pub client_id: Option<String>,
    pub preset_difficulty: Option<i32>,
    pub due_at: NaiveDateTime,
}

pub fn new_task(new: NewTask, now: NaiveDateTime) -> Task {
    Task {
        id: new_id(),
        title: new.title,
        description: new.description,
        assignee_id: new.assignee_id,
        created_by_id: new.created_by_id,
        case_id: new.case_id,
        case_step_id: new.case_step_id,
        client_id: new.client_id,
        status: TaskStatus::Open.as_str().to_string(),
        preset_difficulty: new.preset_difficulty,
        difficulty: None,
        due_at: new.due_at,
        result_text: None,
        result_fields: None,
        first_submitted_at: None,
        submitted_at: None,
        approved_at: None,
        approved_by_id: None,
        zero_reason: None,
        return_comment: None,
        cancel_reason: None,
        approval_count: 0,
        created_at: now,
        updated_at: now,
    }
}

pub fn insert(conn: &mut DbConnection, task: &Task) -> ApiResult<()> {
    diesel::insert_into(tasks::table)
        .values(task)
        .execute(conn)?;
    Ok(())
}

pub fn list(
    conn: &mut DbConnection,
    viewer: &CurrentStaff,
    query: ListTasksQuery,
    now: NaiveDateTime,
) -> ApiResult<TaskPage> {
    let limit = pagination::limit(query.limit)?;
    let cursor = pagination::cursor(query.cursor)?;
    let visible = visible_assignees(conn, viewer)?;

    let mut select = tasks::table.select(Task::as_select()).into_boxed();
    if let Some(visible) = visible {
        select = select.filter(tasks::assignee_id.eq_any(visible));
    }
    if let Some(assignee) = query.assignee_id {
        select = select.filter(tasks::assignee_id.eq(assignee));
    }
    if let Some(status) = query.status {
        select = select.filter(tasks::status.eq(status.as_str()));
    }
    if let Some(case_id) = query.case_id {
        select = select.filter(tasks::case_id.eq(case_id));
    }
    let open = TaskStatus::Open.as_str();
    match query.overdue {
        Some(true) => {
            select = select
                .filter(tasks::status.eq(open))
                .filter(tasks::due_at.lt(now))
        }
        Some(false) => select = select.filter(tasks::status.ne(open).or(tasks::due_at.ge(now))),
        None => {}
    }
    if let Some(cursor) = cursor {
        select = select.filter(tasks::id.gt(cursor));
    }
    let rows = select.order(tasks::id.asc()).limit(limit + 1).load(conn)?;

    let (rows, next_cursor) = pagination::split_page(rows, limit, |t| t.id.clone());
    Ok(TaskPage {
        items: to_responses(conn, rows, now)?,
        next_cursor,
    })
}
