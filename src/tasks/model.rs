//! The task row, its statuses and its API shape.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::{case_steps, staff, tasks};
use crate::db::DbConnection;
use crate::error::ApiResult;
use crate::templates::{self, ResultField};

/// Where a task is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Being worked on by the assignee.
    Open,
    /// Done by the assignee, waiting for the supervisor.
    Submitted,
    /// Sent back by the supervisor with a comment; to fix and submit again.
    Returned,
    /// Accepted with a difficulty; its bonus is in the ledger.
    Approved,
    Cancelled,
}

impl TaskStatus {
    const ALL: [Self; 5] = [
        Self::Open,
        Self::Submitted,
        Self::Returned,
        Self::Approved,
        Self::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Submitted => "submitted",
            Self::Returned => "returned",
            Self::Approved => "approved",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .unwrap_or(Self::Open)
    }

    /// Statuses in which the assignee still owes work.
    pub fn is_in_progress(self) -> bool {
        matches!(self, Self::Open | Self::Returned)
    }
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = tasks)]
pub struct Task {
    pub id: String,
    pub title: String,
    pub description: String,
    pub assignee_id: String,
    pub created_by_id: Option<String>,
    pub case_id: Option<String>,
    pub case_step_id: Option<String>,
    pub client_id: Option<String>,
    pub status: String,
    pub preset_difficulty: Option<i32>,
    pub difficulty: Option<i32>,
    pub due_at: NaiveDateTime,
    pub result_text: Option<String>,
    pub result_fields: Option<String>,
    pub first_submitted_at: Option<NaiveDateTime>,
    pub submitted_at: Option<NaiveDateTime>,
    pub approved_at: Option<NaiveDateTime>,
    pub approved_by_id: Option<String>,
    pub zero_reason: Option<String>,
    pub return_comment: Option<String>,
    pub cancel_reason: Option<String>,
    pub approval_count: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Task {
    pub fn status(&self) -> TaskStatus {
        TaskStatus::parse(&self.status)
    }

    /// Overdue: due time passed and never submitted. A returned task was submitted, so it
    /// is not overdue; the daily bonus reads lateness the same way.
    pub fn is_overdue(&self, now: NaiveDateTime) -> bool {
        self.status() == TaskStatus::Open && self.due_at < now
    }
}

/// A task.
#[derive(Serialize, ToSchema)]
pub struct TaskResponse {
    pub id: String,
    pub title: String,
    pub description: String,
    pub status: TaskStatus,
    pub assignee_id: String,
    pub assignee_name: String,
    /// Null for tasks the system created from a case template.
    pub created_by_id: Option<String>,
    pub case_id: Option<String>,
    /// The case step this task carries out, for template tasks.
    pub case_step_id: Option<String>,
    pub client_id: Option<String>,
    /// Difficulty suggested by the template or the creator; bulk approval uses it.
    pub preset_difficulty: Option<i32>,
    /// Difficulty set at approval, 0 to 5.
    pub difficulty: Option<i32>,
    pub due_at: DateTime<Utc>,
    /// Due time passed and never submitted (a returned task is not overdue).
    pub overdue: bool,
    /// The assignee's account of what was done.
    pub result_text: Option<String>,
    /// Structured result, keyed by the step's result field keys.
    #[schema(value_type = Option<Object>)]
    pub result_fields: Option<serde_json::Value>,
    /// The fields the step asks for on submission; empty for manual tasks.
    pub result_field_definitions: Vec<ResultField>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub approved_at: Option<DateTime<Utc>>,
    pub approved_by_id: Option<String>,
    /// Why the task was rated 0.
    pub zero_reason: Option<String>,
    /// The supervisor's comment when the task was last returned.
    pub return_comment: Option<String>,
    pub cancel_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Turns rows into responses, loading assignee names and step fields in two queries.
pub fn to_responses(
    conn: &mut DbConnection,
    rows: Vec<Task>,
    now: NaiveDateTime,
) -> ApiResult<Vec<TaskResponse>> {
    let staff_ids: Vec<&String> = rows.iter().map(|t| &t.assignee_id).collect();
    let names: HashMap<String, String> = staff::table
        .filter(staff::id.eq_any(staff_ids))
        .select((staff::id, staff::full_name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let step_ids: Vec<&String> = rows
        .iter()
        .filter_map(|t| t.case_step_id.as_ref())
        .collect();
    let fields: HashMap<String, String> = if step_ids.is_empty() {
        HashMap::new()
    } else {
        case_steps::table
            .filter(case_steps::id.eq_any(step_ids))
            .select((case_steps::id, case_steps::result_fields))
            .load::<(String, String)>(conn)?
            .into_iter()
            .collect()
    };

    rows.into_iter()
        .map(|task| {
            let definitions = match task.case_step_id.as_ref().and_then(|id| fields.get(id)) {
                Some(json) => templates::parse_fields(json)?,
                None => Vec::new(),
            };
            let name = names.get(&task.assignee_id).cloned().unwrap_or_default();
            Ok(response(task, name, definitions, now))
        })
        .collect()
}

pub fn to_response(
    conn: &mut DbConnection,
    task: Task,
    now: NaiveDateTime,
) -> ApiResult<TaskResponse> {
    Ok(to_responses(conn, vec![task], now)?.remove(0))
}

fn response(
    task: Task,
    assignee_name: String,
    definitions: Vec<ResultField>,
    now: NaiveDateTime,
) -> TaskResponse {
    TaskResponse {
        overdue: task.is_overdue(now),
        status: task.status(),
        result_fields: task
            .result_fields
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok()),
        id: task.id,
        title: task.title,
        description: task.description,
        assignee_id: task.assignee_id,
        assignee_name,
        created_by_id: task.created_by_id,
        case_id: task.case_id,
        case_step_id: task.case_step_id,
        client_id: task.client_id,
        preset_difficulty: task.preset_difficulty,
        difficulty: task.difficulty,
        due_at: task.due_at.and_utc(),
        result_text: task.result_text,
        result_field_definitions: definitions,
        submitted_at: task.submitted_at.map(|t| t.and_utc()),
        approved_at: task.approved_at.map(|t| t.and_utc()),
        approved_by_id: task.approved_by_id,
        zero_reason: task.zero_reason,
        return_comment: task.return_comment,
        cancel_reason: task.cancel_reason,
        created_at: task.created_at.and_utc(),
        updated_at: task.updated_at.and_utc(),
    }
}

/// One page of tasks.
#[derive(Serialize, ToSchema)]
pub struct TaskPage {
    pub items: Vec<TaskResponse>,
    pub next_cursor: Option<String>,
}
