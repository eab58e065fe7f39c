//! Cases: one client's matter following a template. Opening a case copies the template's
//! steps and starts the first; approving a step's task starts the next.

mod steps;

pub use steps::complete_step;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::CurrentStaff;
use crate::clients::check_staff_role;
use crate::db::schema::{case_steps, cases, clients, tasks};
use crate::db::{new_id, DbConnection};
use crate::error::{ApiError, ApiResult, FieldErrors};
use crate::pagination;
use crate::staff::Role;
use crate::tasks::TaskStatus;
use crate::templates::{self, Performer};

/// Where a case is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    Open,
    /// Every step approved.
    Completed,
    /// Ended early, e.g. the work was finished outside the plan.
    Closed,
    /// Abandoned.
    Cancelled,
}

impl CaseStatus {
    const ALL: [Self; 4] = [Self::Open, Self::Completed, Self::Closed, Self::Cancelled];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Completed => "completed",
            Self::Closed => "closed",
            Self::Cancelled => "cancelled",
        }
    }

    fn parse(text: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .unwrap_or(Self::Open)
    }
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = cases)]
pub struct Case {
    pub id: String,
    pub client_id: String,
    pub template_id: String,
    pub title: String,
    pub responsible_lawyer_id: String,
    pub client_manager_id: String,
    pub status: String,
    pub opened_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
    pub close_reason: Option<String>,
    pub updated_at: NaiveDateTime,
}

/// A case.
#[derive(Serialize, ToSchema)]
pub struct CaseResponse {
    pub id: String,
    pub client_id: String,
    pub template_id: String,
    pub title: String,
    pub responsible_lawyer_id: String,
    pub client_manager_id: String,
    pub status: CaseStatus,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub close_reason: Option<String>,
}

impl From<Case> for CaseResponse {
    fn from(c: Case) -> Self {
        Self {
            status: CaseStatus::parse(&c.status),
            id: c.id,
            client_id: c.client_id,
            template_id: c.template_id,
            title: c.title,
            responsible_lawyer_id: c.responsible_lawyer_id,
            client_manager_id: c.client_manager_id,
            opened_at: c.opened_at.and_utc(),
            closed_at: c.closed_at.map(|t| t.and_utc()),
            close_reason: c.close_reason,
        }
    }
}

/// A case with its steps and their state.
#[derive(Serialize, ToSchema)]
pub struct CaseDetail {
    #[serde(flatten)]
    pub case: CaseResponse,
    pub steps: Vec<steps::CaseStepResponse>,
}

/// One page of cases.
#[derive(Serialize, ToSchema)]
pub struct CasePage {
    pub items: Vec<CaseResponse>,
    pub next_cursor: Option<String>,
}

/// Opens a case for a client.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenCaseRequest {
    pub client_id: String,
    pub template_id: String,
    /// A lawyer (or the head of legal) who does the case's legal steps.
    pub responsible_lawyer_id: String,
    /// Defaults to the client's manager.
    pub client_manager_id: Option<String>,
    /// Defaults to the template's name and the client's name.
    pub title: Option<String>,
}

/// Changes to a running case; open tasks move to a new lawyer or manager.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCaseRequest {
    pub title: Option<String>,
    pub responsible_lawyer_id: Option<String>,
    pub client_manager_id: Option<String>,
}

/// Filters of the case list.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListCasesQuery {
    pub status: Option<CaseStatus>,
    pub client_id: Option<String>,
    pub responsible_lawyer_id: Option<String>,
    pub cursor: Option<String>,
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<i64>,
}

const LAWYER_ROLES: [Role; 2] = [Role::Lawyer, Role::HeadOfLegal];
const MAX_TITLE_CHARS: usize = 300;

pub fn find(conn: &mut DbConnection, id: &str) -> ApiResult<Case> {
    cases::table
        .find(id)
        .select(Case::as_select())
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound("case"))
}

/// Admins and heads see every case; others the cases they work on, and a sales manager
/// the cases of the clients they sold to.
pub fn find_visible(conn: &mut DbConnection, viewer: &CurrentStaff, id: &str) -> ApiResult<Case> {
    let case = find(conn, id)?;
    let works_on = case.responsible_lawyer_id == viewer.id || case.client_manager_id == viewer.id;
    if viewer.role.sees_whole_firm() || works_on || sold_to(conn, viewer, &case.client_id)? {
        Ok(case)
    } else {
        Err(ApiError::NotFound("case"))
    }
}

fn sold_to(conn: &mut DbConnection, viewer: &CurrentStaff, client_id: &str) -> ApiResult<bool> {
    if viewer.role != Role::SalesManager {
        return Ok(false);
    }
    let seller: Option<String> = clients::table
        .find(client_id)
        .select(clients::sales_manager_id)
        .first(conn)?;
    Ok(seller.as_deref() == Some(viewer.id.as_str()))
}

pub fn open(
    conn: &mut DbConnection,
    viewer: &CurrentStaff,
    request: OpenCaseRequest,
    now: NaiveDateTime,
) -> ApiResult<Case> {
    viewer.require_any(&[
        Role::HeadOfLegal,
        Role::HeadOfSales,
        Role::SalesManager,
        Role::ClientManager,
    ])?;
    let client = crate::clients::find(conn, &request.client_id)
        .map_err(|e| e.not_found_as_invalid("client_id", "no such client"))?;
    let template = templates::find(conn, &request.template_id)
        .map_err(|e| e.not_found_as_invalid("template_id", "no such case template"))?;
    let manager_id = request
        .client_manager_id
        .unwrap_or(client.client_manager_id.clone());

    let mut errors = FieldErrors::default();
    errors.check(
        template.archived_at.is_none(),
        "template_id",
        "the template is archived",
    );
    check_staff_role(
        conn,
        &request.responsible_lawyer_id,
        "responsible_lawyer_id",
        &LAWYER_ROLES,
        &mut errors,
    )?;
    check_staff_role(
        conn,
        &manager_id,
        "client_manager_id",
        &[Role::ClientManager],
        &mut errors,
    )?;
    if let Some(title) = &request.title {
        errors.check_text("title", title, MAX_TITLE_CHARS);
    }
    errors.into_result()?;

    let case = Case {
        id: new_id(),
        title: request
            .title
            .map(|t| t.trim().to_string())
            .unwrap_or_else(|| format!("{}: {}", template.name, client.full_name)),
        client_id: client.id,
        template_id: template.id,
        responsible_lawyer_id: request.responsible_lawyer_id,
        client_manager_id: manager_id,
        status: CaseStatus::Open.as_str().to_string(),
        opened_at: now,
        closed_at: None,
        close_reason: None,
        updated_at: now,
    };
    diesel::insert_into(cases::table)
        .values(&case)
        .execute(conn)?;
    steps::copy_from_template(conn, &case, now)?;
    log::info!("case {} opened from template {}", case.id, case.template_id);
    Ok(case)
}

pub fn list(
    conn: &mut DbConnection,
    viewer: &CurrentStaff,
    query: ListCasesQuery,
) -> ApiResult<CasePage> {
    let limit = pagination::limit(query.limit)?;
    let cursor = pagination::cursor(query.cursor)?;

    let mut select = cases::table.select(Case::as_select()).into_boxed();
    if !viewer.role.sees_whole_firm() {
        // Only sales staff are ever a client's sales manager, so for others this is empty.
        let sold = clients::table
            .filter(clients::sales_manager_id.eq(viewer.id.clone()))
            .select(clients::id);
        select = select.filter(
            cases::responsible_lawyer_id
                .eq(viewer.id.clone())
                .or(cases::client_manager_id.eq(viewer.id.clone()))
                .or(cases::client_id.eq_any(sold)),
        );
    }
    if let Some(status) = query.status {
        select = select.filter(cases::status.eq(status.as_str()));
    }
    if let Some(client_id) = query.client_id {
        select = select.filter(cases::client_id.eq(client_id));
    }
    if let Some(lawyer) = query.responsible_lawyer_id {
        select = select.filter(cases::responsible_lawyer_id.eq(lawyer));
    }
    if let Some(cursor) = cursor {
        select = select.filter(cases::id.gt(cursor));
    }
    let rows = select.order(cases::id.asc()).limit(limit + 1).load(conn)?;

    let (rows, next_cursor) = pagination::split_page(rows, limit, |c| c.id.clone());
    Ok(CasePage {
        items: rows.into_iter().map(Into::into).collect(),
        next_cursor,
    })
}

pub fn detail(conn: &mut DbConnection, viewer: &CurrentStaff, id: &str) -> ApiResult<CaseDetail> {
    let case = find_visible(conn, viewer, id)?;
    detail_of(conn, case)
}

/// A case with its steps, whoever asks: for the person who just opened or changed it.
pub fn detail_of(conn: &mut DbConnection, case: Case) -> ApiResult<CaseDetail> {
    let steps = steps::of_case(conn, &case.id)?;
    Ok(CaseDetail {
        case: case.into(),
        steps,
    })
}

/// Renames a case or hands it to another lawyer or client manager. Tasks still being
/// worked on move with it; submitted ones stay with whoever did the work.
pub fn update(
    conn: &mut DbConnection,
    viewer: &CurrentStaff,
    id: &str,
    request: UpdateCaseRequest,
    now: NaiveDateTime,
) -> ApiResult<Case> {
    viewer.require_any(&[Role::HeadOfLegal, Role::HeadOfSales])?;
    let case = find(conn, id)?;
    if CaseStatus::parse(&case.status) != CaseStatus::Open {
        return Err(ApiError::conflict(
            "case_not_open",
            format!("the case is {}", case.status),
        ));
    }
    let mut errors = FieldErrors::default();
    if let Some(lawyer) = &request.responsible_lawyer_id {
        check_staff_role(
            conn,
            lawyer,
            "responsible_lawyer_id",
            &LAWYER_ROLES,
            &mut errors,
        )?;
    }
    if let Some(manager) = &request.client_manager_id {
        check_staff_role(
            conn,
            manager,
            "client_manager_id",
            &[Role::ClientManager],
            &mut errors,
        )?;
    }
    if let Some(title) = &request.title {
        errors.check_text("title", title, MAX_TITLE_CHARS);
    }
    errors.into_result()?;

    if let Some(lawyer) = &request.responsible_lawyer_id {
        move_open_tasks(conn, &case, &case.responsible_lawyer_id, lawyer, now)?;
    }
    if let Some(manager) = &request.client_manager_id {
        move_open_tasks(conn, &case, &case.client_manager_id, manager, now)?;
    }
    diesel::update(cases::table.find(id))
        .set((
            cases::title.eq(request
                .title
                .map(|t| t.trim().to_string())
                .unwrap_or(case.title.clone())),
            cases::responsible_lawyer_id.eq(request
                .responsible_lawyer_id
                .unwrap_or(case.responsible_lawyer_id.clone())),
            cases::client_manager_id.eq(request
                .client_manager_id
                .unwrap_or(case.client_manager_id.clone())),
            cases::updated_at.eq(now),
        ))
        .execute(conn)?;
    log::info!("case {id} updated");
    find(conn, id)
}

fn move_open_tasks(
    conn: &mut DbConnection,
    case: &Case,
    from: &str,
    to: &str,
    now: NaiveDateTime,
) -> ApiResult<()> {
    let in_progress = [TaskStatus::Open.as_str(), TaskStatus::Returned.as_str()];
    let moved = diesel::update(
        tasks::table
            .filter(tasks::case_id.eq(&case.id))
            .filter(tasks::assignee_id.eq(from))
            .filter(tasks::status.eq_any(in_progress)),
    )
    .set((tasks::assignee_id.eq(to), tasks::updated_at.eq(now)))
    .execute(conn)?;
    log::info!(
        "case {}: {moved} open tasks moved to a new assignee",
        case.id
    );
    Ok(())
}

/// Ends an open case early as closed or cancelled; its unfinished tasks are cancelled.
pub fn end(
    conn: &mut DbConnection,
    viewer: &CurrentStaff,
    id: &str,
    status: CaseStatus,
    reason: &str,
    now: NaiveDateTime,
) -> ApiResult<Case> {
    viewer.require_any(&[Role::HeadOfLegal, Role::HeadOfSales])?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ApiError::invalid("reason", "must not be empty"));
    }

    let ended = diesel::update(
        cases::table
            .find(id)
            .filter(cases::status.eq(CaseStatus::Open.as_str())),
    )
    .set((
        cases::status.eq(status.as_str()),
        cases::closed_at.eq(Some(now)),
        cases::close_reason.eq(Some(reason)),
        cases::updated_at.eq(now),
    ))
    .execute(conn)?;
    let case = find(conn, id)?;
    if ended == 0 {
        return Err(ApiError::conflict(
            "case_not_open",
            format!("the case is already {}", case.status),
        ));
    }

    let in_progress = [TaskStatus::Open.as_str(), TaskStatus::Returned.as_str()];
    diesel::update(
        tasks::table
            .filter(tasks::case_id.eq(id))
            .filter(tasks::status.eq_any(in_progress)),
    )
    .set((
        tasks::status.eq(TaskStatus::Cancelled.as_str()),
        tasks::cancel_reason.eq(Some(format!("case {}: {reason}", status.as_str()))),
        tasks::updated_at.eq(now),
    ))
    .execute(conn)?;
    // Steps not reached, and the current one when its task was just cancelled; a step whose
    // task is already submitted stays active so its approval still pays.
    let cancelled_tasks = tasks::table
        .filter(tasks::case_id.eq(id.to_string()))
        .filter(tasks::status.eq(TaskStatus::Cancelled.as_str()))
        .select(tasks::id.nullable());
    diesel::update(
        case_steps::table.filter(case_steps::case_id.eq(id)).filter(
            case_steps::status.eq("pending").or(case_steps::status
                .eq("active")
                .and(case_steps::task_id.eq_any(cancelled_tasks))),
        ),
    )
    .set(case_steps::status.eq("skipped"))
    .execute(conn)?;
    log::info!("case {id} {}", status.as_str());
    Ok(case)
}

/// The staff member who does a step of this case.
fn performer_of(case: &Case, performer: Performer) -> &str {
    match performer {
        Performer::ResponsibleLawyer => &case.responsible_lawyer_id,
        Performer::ClientManager => &case.client_manager_id,
    }
}
