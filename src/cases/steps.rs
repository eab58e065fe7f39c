//! A case's own copy of its template's steps, and how the case moves through them.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::{find, performer_of, Case, CaseStatus};
use crate::db::schema::{case_steps, cases};
use crate::db::{new_id, DbConnection};
use crate::error::ApiResult;
use crate::tasks::{self, NewTask};
use crate::templates::{self, Performer, ResultField};

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = case_steps)]
pub struct CaseStep {
    pub id: String,
    pub case_id: String,
    pub position: i32,
    pub title: String,
    pub description: String,
    pub preset_difficulty: Option<i32>,
    pub duration_days: i32,
    pub performer: String,
    pub notify_client: bool,
    pub client_message: String,
    pub result_fields: String,
    pub status: String,
    pub task_id: Option<String>,
    pub activated_at: Option<NaiveDateTime>,
    pub completed_at: Option<NaiveDateTime>,
}

/// One step of a case.
#[derive(Serialize, ToSchema)]
pub struct CaseStepResponse {
    pub id: String,
    /// 1-based order in the case.
    pub position: i32,
    pub title: String,
    pub description: String,
    pub preset_difficulty: Option<i32>,
    pub duration_days: i32,
    pub performer: Performer,
    pub notify_client: bool,
    /// `pending` (not reached), `active` (its task is under way), `done` (approved) or
    /// `skipped` (the case ended first).
    pub status: String,
    /// The task carrying out the step, once it started.
    pub task_id: Option<String>,
    pub result_fields: Vec<ResultField>,
    pub activated_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
}

impl CaseStep {
    fn into_response(self) -> ApiResult<CaseStepResponse> {
        Ok(CaseStepResponse {
            result_fields: templates::parse_fields(&self.result_fields)?,
            performer: Performer::parse(&self.performer),
            id: self.id,
            position: self.position,
            title: self.title,
            description: self.description,
            preset_difficulty: self.preset_difficulty,
            duration_days: self.duration_days,
            notify_client: self.notify_client,
            status: self.status,
            task_id: self.task_id,
            activated_at: self.activated_at.map(|t| t.and_utc()),
            completed_at: self.completed_at.map(|t| t.and_utc()),
        })
    }
}

pub fn of_case(conn: &mut DbConnection, case_id: &str) -> ApiResult<Vec<CaseStepResponse>> {
    case_steps::table
        .filter(case_steps::case_id.eq(case_id))
        .order(case_steps::position.asc())
        .select(CaseStep::as_select())
        .load(conn)?
        .into_iter()
        .map(CaseStep::into_response)
        .collect()
}

/// Copies the template's steps into the case and starts the first.
pub fn copy_from_template(
    conn: &mut DbConnection,
    case: &Case,
    now: NaiveDateTime,
) -> ApiResult<()> {
    let definitions = templates::steps(conn, &case.template_id)?;
    let rows: Vec<CaseStep> = definitions
        .into_iter()
        .enumerate()
        .map(|(i, step)| CaseStep {
            id: new_id(),
            case_id: case.id.clone(),
            position: i as i32 + 1,
            title: step.title,
            description: step.description,
            preset_difficulty: step.preset_difficulty,
            duration_days: step.duration_days,
            performer: step.performer.as_str().to_string(),
            notify_client: step.notify_client,
            client_message: step.client_message,
            result_fields: serde_json::to_string(&step.result_fields)
                .unwrap_or_else(|_| "[]".into()),
            status: "pending".to_string(),
            task_id: None,
            activated_at: None,
            completed_at: None,
        })
        .collect();
    // SQLite caps the bound parameters of one statement, so long plans go in chunks.
    for chunk in rows.chunks(50) {
        crate::per_backend!(conn, |c| diesel::insert_into(case_steps::table)
            .values(chunk)
            .execute(c))?;
    }

    if let Some(first) = rows.first() {
        activate(conn, case, first, now)?;
    }
    Ok(())
}

/// Starts a pending step: creates its task, due after the step's days. The conditional
/// update makes a step start at most once.
fn activate(
    conn: &mut DbConnection,
    case: &Case,
    step: &CaseStep,
    now: NaiveDateTime,
) -> ApiResult<Option<String>> {
    let task = tasks::new_task(
        NewTask {
            title: step.title.clone(),
            description: step.description.clone(),
            assignee_id: performer_of(case, Performer::parse(&step.performer)).to_string(),
            created_by_id: None,
            case_id: Some(case.id.clone()),
            case_step_id: Some(step.id.clone()),
            client_id: Some(case.client_id.clone()),
            preset_difficulty: step.preset_difficulty,
            due_at: now + Duration::days(step.duration_days.into()),
        },
        now,
    );
    let started = diesel::update(
        case_steps::table
            .find(&step.id)
            .filter(case_steps::status.eq("pending")),
    )
    .set((
        case_steps::status.eq("active"),
        case_steps::task_id.eq(Some(&task.id)),
        case_steps::activated_at.eq(Some(now)),
    ))
    .execute(conn)?;
    if started == 0 {
        return Ok(None);
    }

    tasks::insert(conn, &task)?;
    log::info!(
        "case {} step {} started as task {}",
        case.id,
        step.position,
        task.id
    );
    Ok(Some(task.id))
}

/// Marks a step done after its task's approval and starts the next one, or completes the
/// case after the last. Returns the new task's id.
pub fn complete_step(
    conn: &mut DbConnection,
    step_id: &str,
    now: NaiveDateTime,
) -> ApiResult<Option<String>> {
    let step: CaseStep = case_steps::table
        .find(step_id)
        .select(CaseStep::as_select())
        .first(conn)?;
    diesel::update(
        case_steps::table
            .find(step_id)
            .filter(case_steps::status.eq("active")),
    )
    .set((
        case_steps::status.eq("done"),
        case_steps::completed_at.eq(Some(now)),
    ))
    .execute(conn)?;

    let case = find(conn, &step.case_id)?;
    if case.status != CaseStatus::Open.as_str() {
        return Ok(None);
    }
    let next: Option<CaseStep> = case_steps::table
        .filter(case_steps::case_id.eq(&case.id))
        .filter(case_steps::position.eq(step.position + 1))
        .select(CaseStep::as_select())
        .first(conn)
        .optional()?;
    match next {
        Some(next) => activate(conn, &case, &next, now),
        None => {
            complete_case(conn, &case, now)?;
            Ok(None)
        }
    }
}

fn complete_case(conn: &mut DbConnection, case: &Case, now: NaiveDateTime) -> ApiResult<()> {
    let unfinished: i64 = case_steps::table
        .filter(case_steps::case_id.eq(&case.id))
        .filter(case_steps::status.ne("done"))
        .count()
        .get_result(conn)?;
    if unfinished > 0 {
        return Ok(());
    }
    diesel::update(
        cases::table
            .find(&case.id)
            .filter(cases::status.eq(CaseStatus::Open.as_str())),
    )
    .set((
        cases::status.eq(CaseStatus::Completed.as_str()),
        cases::closed_at.eq(Some(now)),
        cases::updated_at.eq(now),
    ))
    .execute(conn)?;
    log::info!("case {} completed", case.id);
    Ok(())
}
