//! The append-only ledger of bonus credits, reversals and adjustments.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::leaderboard::{self, TotalsChange};
use super::rates;
use crate::db::schema::ledger_entries as ledger;
use crate::db::{new_id, DbConnection};
use crate::error::{ApiError, ApiResult, FieldErrors};
use crate::firm::FirmPolicy;
use crate::pagination;

/// Why an entry was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// Bonus for an approved task.
    TaskBonus,
    /// Cancels a task bonus when an admin revokes the approval.
    Reversal,
    /// Manual correction by an admin, with a reason.
    Adjustment,
    /// Bonus for a working day without an overdue task.
    DailyBonus,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TaskBonus => "task_bonus",
            Self::Reversal => "reversal",
            Self::Adjustment => "adjustment",
            Self::DailyBonus => "daily_bonus",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "reversal" => Self::Reversal,
            "adjustment" => Self::Adjustment,
            "daily_bonus" => Self::DailyBonus,
            _ => Self::TaskBonus,
        }
    }
}

#[derive(Insertable, Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = ledger)]
pub struct Entry {
    pub id: String,
    pub staff_id: String,
    pub kind: String,
    pub amount_minor: i64,
    pub currency: String,
    pub month: String,
    pub task_id: Option<String>,
    pub approval_no: Option<i32>,
    pub difficulty: Option<i32>,
    pub work_date: Option<String>,
    pub reason: Option<String>,
    pub created_by_id: Option<String>,
    pub created_at: NaiveDateTime,
}

/// One ledger entry.
#[derive(Serialize, ToSchema)]
pub struct EntryResponse {
    pub id: String,
    pub staff_id: String,
    pub kind: EntryKind,
    /// Minor units; negative for reversals and negative adjustments.
    pub amount_minor: i64,
    pub currency: String,
    /// Firm-local `YYYY-MM` the entry counts towards on the leaderboard.
    pub month: String,
    pub task_id: Option<String>,
    /// Difficulty of the approval this entry pays or reverses.
    pub difficulty: Option<i32>,
    /// Firm-local day a daily bonus is for.
    pub work_date: Option<String>,
    pub reason: Option<String>,
    /// Who wrote it; null for entries the system wrote on its own.
    pub created_by_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<Entry> for EntryResponse {
    fn from(e: Entry) -> Self {
        Self {
            kind: EntryKind::parse(&e.kind),
            id: e.id,
            staff_id: e.staff_id,
            amount_minor: e.amount_minor,
            currency: e.currency,
            month: e.month,
            task_id: e.task_id,
            difficulty: e.difficulty,
            work_date: e.work_date,
            reason: e.reason,
            created_by_id: e.created_by_id,
            created_at: e.created_at.and_utc(),
        }
    }
}

/// One page of ledger entries, newest first.
#[derive(Serialize, ToSchema)]
pub struct LedgerPage {
    pub items: Vec<EntryResponse>,
    pub next_cursor: Option<String>,
}

/// Filters of the ledger.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListLedgerQuery {
    /// One staff member; staff may ask for themselves, heads for their team.
    pub staff_id: Option<String>,
    /// `YYYY-MM`, firm-local.
    pub month: Option<String>,
    pub cursor: Option<String>,
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<i64>,
}

/// A manual correction.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAdjustmentRequest {
    pub staff_id: String,
    /// Minor units, positive or negative, never 0.
    pub amount_minor: i64,
    pub reason: String,
    /// `YYYY-MM` it counts towards; the current firm-local month when absent.
    pub month: Option<String>,
}

/// The largest amount one entry may move: ten billion in major units. Keeps running
/// totals far from the 64-bit limit whatever admins type.
pub const MAX_AMOUNT_MINOR: i64 = 1_000_000_000_000;

/// One approval of a task, as the ledger pays or reverses it.
#[derive(Clone, Copy, Debug)]
pub struct Approval<'a> {
    /// The assignee, who is paid.
    pub staff_id: &'a str,
    pub task_id: &'a str,
    /// 1 for a task's first approval, 2 after a revocation and a new approval, ...
    pub approval_no: i32,
    pub difficulty: i32,
}

fn insert(conn: &mut DbConnection, entry: &Entry) -> ApiResult<()> {
    diesel::insert_into(ledger::table)
        .values(entry)
        .execute(conn)?;
    Ok(())
}

/// Credits the bonus of a task just approved; `approval_no` makes a repeat impossible.
/// Returns the amount credited (0 for difficulty 0, which writes no entry).
pub fn credit_approval(
    conn: &mut DbConnection,
    firm: &FirmPolicy,
    approval: &Approval,
    now: NaiveDateTime,
) -> ApiResult<i64> {
    let Approval {
        staff_id,
        task_id,
        approval_no,
        difficulty,
    } = *approval;
    let month = firm.calendar.month_of(now);
    let amount = rates::amount_for(conn, difficulty)?;

    if difficulty > 0 {
        insert(
            conn,
            &Entry {
                id: new_id(),
                staff_id: staff_id.to_string(),
                kind: EntryKind::TaskBonus.as_str().to_string(),
                amount_minor: amount,
                currency: firm.currency.clone(),
                month: month.clone(),
                task_id: Some(task_id.to_string()),
                approval_no: Some(approval_no),
                difficulty: Some(difficulty),
                work_date: None,
                reason: None,
                created_by_id: None,
                created_at: now,
            },
        )?;
    }
    let change = TotalsChange {
        amount_minor: amount,
        approved_tasks: 1,
        difficulty_sum: difficulty.into(),
        zero_rated_tasks: i64::from(difficulty == 0),
        no_overdue_days: 0,
    };
    leaderboard::apply(conn, &month, staff_id, change)?;
    Ok(amount)
}

/// Undoes the credit of a task's latest approval, in the month it was credited (the month
/// of `approved_at` when difficulty 0 credited nothing).
pub fn reverse_approval(
    conn: &mut DbConnection,
    firm: &FirmPolicy,
    approval: &Approval,
    approved_at: NaiveDateTime,
    revoked: (&str, &str),
    now: NaiveDateTime,
) -> ApiResult<i64> {
    let (by, reason) = revoked;
    let credit: Option<Entry> = ledger::table
        .filter(ledger::kind.eq(EntryKind::TaskBonus.as_str()))
        .filter(ledger::task_id.eq(approval.task_id))
        .filter(ledger::approval_no.eq(approval.approval_no))
        .select(Entry::as_select())
        .first(conn)
        .optional()?;
    let month = credit
        .as_ref()
        .map_or_else(|| firm.calendar.month_of(approved_at), |c| c.month.clone());
    let amount = credit.as_ref().map_or(0, |c| c.amount_minor);

    if let Some(credit) = &credit {
        insert(
            conn,
            &Entry {
                id: new_id(),
                kind: EntryKind::Reversal.as_str().to_string(),
                amount_minor: -credit.amount_minor,
                reason: Some(reason.to_string()),
                created_by_id: Some(by.to_string()),
                created_at: now,
                ..credit.clone()
            },
        )?;
    }
    let change = TotalsChange {
        amount_minor: -amount,
        approved_tasks: -1,
        difficulty_sum: -i64::from(approval.difficulty),
        zero_rated_tasks: -i64::from(approval.difficulty == 0),
        no_overdue_days: 0,
    };
    leaderboard::apply(conn, &month, approval.staff_id, change)?;
    Ok(amount)
}

pub fn adjust(
    conn: &mut DbConnection,
    firm: &FirmPolicy,
    request: CreateAdjustmentRequest,
    by: &str,
    now: NaiveDateTime,
) -> ApiResult<Entry> {
    let mut errors = FieldErrors::default();
    let amount_ok = request.amount_minor != 0
        && request.amount_minor.unsigned_abs() <= MAX_AMOUNT_MINOR.unsigned_abs();
    errors.check(
        amount_ok,
        "amount_minor",
        "must be non-zero, at most 10^12 either way",
    );
    errors.check(
        !request.reason.trim().is_empty(),
        "reason",
        "must not be empty",
    );
    let month = match request.month.as_deref() {
        Some(m) => leaderboard::parse_month(m, "month")?,
        None => firm.calendar.month_of(now),
    };
    if ApiError::missing(crate::staff::find(conn, &request.staff_id))? {
        errors.add("staff_id", "no such staff member");
    }
    errors.into_result()?;

    let entry = Entry {
        id: new_id(),
        staff_id: request.staff_id,
        kind: EntryKind::Adjustment.as_str().to_string(),
        amount_minor: request.amount_minor,
        currency: firm.currency.clone(),
        month,
        task_id: None,
        approval_no: None,
        difficulty: None,
        work_date: None,
        reason: Some(request.reason.trim().to_string()),
        created_by_id: Some(by.to_string()),
        created_at: now,
    };
    insert(conn, &entry)?;
    let change = TotalsChange {
        amount_minor: entry.amount_minor,
        ..Default::default()
    };
    leaderboard::apply(conn, &entry.month, &entry.staff_id, change)?;
    log::info!(
        "adjustment {} of {} for staff member {}",
        entry.id,
        entry.amount_minor,
        entry.staff_id
    );
    Ok(entry)
}

/// Credits a daily bonus unless that person already has one for that day; returns whether
/// it was credited. Safe to repeat and to run from several processes at once.
pub fn credit_daily(
    conn: &mut DbConnection,
    firm: &FirmPolicy,
    staff_id: &str,
    work_date: chrono::NaiveDate,
    now: NaiveDateTime,
) -> ApiResult<bool> {
    let month = work_date.format("%Y-%m").to_string();
    let entry = Entry {
        id: new_id(),
        staff_id: staff_id.to_string(),
        kind: EntryKind::DailyBonus.as_str().to_string(),
        amount_minor: firm.daily_bonus_minor,
        currency: firm.currency.clone(),
        month: month.clone(),
        task_id: None,
        approval_no: None,
        difficulty: None,
        work_date: Some(work_date.format("%Y-%m-%d").to_string()),
        reason: None,
        created_by_id: None,
        created_at: now,
    };
    let inserted = crate::per_backend!(conn, |c| diesel::insert_into(ledger::table)
        .values(&entry)
        .on_conflict((ledger::kind, ledger::staff_id, ledger::work_date))
        .do_nothing()
        .execute(c))?;
    if inserted == 1 {
        let change = TotalsChange {
            amount_minor: firm.daily_bonus_minor,
            no_overdue_days: 1,
            ..Default::default()
        };
        leaderboard::apply(conn, &month, staff_id, change)?;
    }
    Ok(inserted == 1)
}

/// Which staff members' entries a viewer may read: `None` means all.
pub fn list(
    conn: &mut DbConnection,
    visible_staff: Option<Vec<String>>,
    query: ListLedgerQuery,
) -> ApiResult<LedgerPage> {
    let limit = pagination::limit(query.limit)?;
    let cursor = pagination::cursor(query.cursor)?;
    let month = query
        .month
        .as_deref()
        .map(|m| leaderboard::parse_month(m, "month"))
        .transpose()?;

    let mut select = ledger::table.select(Entry::as_select()).into_boxed();
    if let Some(staff_id) = &query.staff_id {
        if visible_staff
            .as_ref()
            .is_some_and(|v| !v.contains(staff_id))
        {
            return Err(ApiError::forbidden(
                "you may read only your own and your team's ledger",
            ));
        }
        select = select.filter(ledger::staff_id.eq(staff_id.clone()));
    } else if let Some(visible) = visible_staff {
        select = select.filter(ledger::staff_id.eq_any(visible));
    }
    if let Some(month) = month {
        select = select.filter(ledger::month.eq(month));
    }
    if let Some(cursor) = cursor {
        select = select.filter(ledger::id.lt(cursor));
    }
    let rows = select
        .order(ledger::id.desc())
        .limit(limit + 1)
        .load(conn)?;

    let (rows, next_cursor) = pagination::split_page(rows, limit, |e| e.id.clone());
    Ok(LedgerPage {
        items: rows.into_iter().map(Into::into).collect(),
        next_cursor,
    })
}
