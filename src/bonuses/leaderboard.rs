//! Monthly totals per staff member, kept current with every ledger entry.
//!
//! Each credit, reversal or adjustment updates one row here in the same transaction, so
//! reading a month costs one row per staff member however many entries the month has.

use diesel::prelude::*;
use diesel::upsert::excluded;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::{leaderboard_totals as totals, staff};
use crate::db::DbConnection;
use crate::error::{ApiError, ApiResult};
use crate::staff::Role;

/// A change to one staff member's month.
#[derive(Default, Clone, Copy, Debug)]
pub struct TotalsChange {
    pub amount_minor: i64,
    pub approved_tasks: i64,
    pub difficulty_sum: i64,
    pub zero_rated_tasks: i64,
    pub no_overdue_days: i64,
}

#[derive(Insertable)]
#[diesel(table_name = totals)]
struct TotalsRow<'a> {
    month: &'a str,
    staff_id: &'a str,
    total_minor: i64,
    approved_tasks: i64,
    difficulty_sum: i64,
    zero_rated_tasks: i64,
    no_overdue_days: i64,
}

/// Adds `change` to a staff member's month, creating the row on first use.
pub fn apply(
    conn: &mut DbConnection,
    month: &str,
    staff_id: &str,
    change: TotalsChange,
) -> ApiResult<()> {
    let row = TotalsRow {
        month,
        staff_id,
        total_minor: change.amount_minor,
        approved_tasks: change.approved_tasks,
        difficulty_sum: change.difficulty_sum,
        zero_rated_tasks: change.zero_rated_tasks,
        no_overdue_days: change.no_overdue_days,
    };
    crate::per_backend!(conn, |c| diesel::insert_into(totals::table)
        .values(&row)
        .on_conflict((totals::month, totals::staff_id))
        .do_update()
        .set((
            totals::total_minor.eq(totals::total_minor + excluded(totals::total_minor)),
            totals::approved_tasks.eq(totals::approved_tasks + excluded(totals::approved_tasks)),
            totals::difficulty_sum.eq(totals::difficulty_sum + excluded(totals::difficulty_sum)),
            totals::zero_rated_tasks
                .eq(totals::zero_rated_tasks + excluded(totals::zero_rated_tasks)),
            totals::no_overdue_days.eq(totals::no_overdue_days + excluded(totals::no_overdue_days)),
        ))
        .execute(c))?;
    Ok(())
}

/// One line of the leaderboard.
#[derive(Serialize, ToSchema, Debug)]
pub struct LeaderboardEntry {
    /// 1 for the highest total; equal totals share a rank.
    pub rank: i64,
    pub staff_id: String,
    pub full_name: String,
    pub role: Role,
    /// Bonuses of the month in minor units: task bonuses, daily bonuses and adjustments.
    pub total_minor: i64,
    /// Tasks approved in the month, including those rated 0.
    pub approved_tasks: i64,
    /// Mean difficulty of the approved tasks; null without any.
    pub average_difficulty: Option<f64>,
    /// Approved tasks rated 0 (no bonus): a sign of split or made-up tasks.
    pub zero_rated_tasks: i64,
    /// Working days of the month without an overdue task.
    pub no_overdue_days: i64,
}

/// Bonus totals of one firm-local month, ranked.
#[derive(Serialize, ToSchema)]
pub struct LeaderboardResponse {
    /// `YYYY-MM` in the firm's time zone.
    pub month: String,
    pub currency: String,
    pub entries: Vec<LeaderboardEntry>,
}

/// Which month to show.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LeaderboardQuery {
    /// `YYYY-MM`; the current month in the firm's time zone when absent.
    pub month: Option<String>,
}

/// Checks a `YYYY-MM` month.
pub fn parse_month(text: &str, field: &str) -> ApiResult<String> {
    let valid = chrono::NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d").is_ok()
        && text.len() == 7;
    if valid {
        Ok(text.to_string())
    } else {
        Err(ApiError::invalid(field, "must be a month as YYYY-MM"))
    }
}

type Row = (
    String,
    String,
    String,
    bool,
    Option<(i64, i64, i64, i64, i64)>,
);

/// Active staff who work tasks, plus anyone with totals in the month, ranked by total.
pub fn month(conn: &mut DbConnection, month: &str) -> ApiResult<Vec<LeaderboardEntry>> {
    let rows: Vec<Row> = staff::table
        .left_join(totals::table.on(totals::staff_id.eq(staff::id).and(totals::month.eq(month))))
        .select((
            staff::id,
            staff::full_name,
            staff::role,
            staff::active,
            (
                totals::total_minor,
                totals::approved_tasks,
                totals::difficulty_sum,
                totals::zero_rated_tasks,
                totals::no_overdue_days,
            )
                .nullable(),
        ))
        .load(conn)?;

    let mut entries: Vec<LeaderboardEntry> = rows
        .into_iter()
        .filter(|(_, _, role, active, t)| t.is_some() || (*active && role != "admin"))
        .map(|(id, name, role, _, t)| entry(id, name, &role, t.unwrap_or_default()))
        .collect();
    entries.sort_by(|a, b| {
        b.total_minor
            .cmp(&a.total_minor)
            .then(b.approved_tasks.cmp(&a.approved_tasks))
            .then(a.full_name.cmp(&b.full_name))
    });
    assign_ranks(&mut entries);
    Ok(entries)
}

fn entry(
    staff_id: String,
    full_name: String,
    role: &str,
    t: (i64, i64, i64, i64, i64),
) -> LeaderboardEntry {
    let (total_minor, approved_tasks, difficulty_sum, zero_rated_tasks, no_overdue_days) = t;
    let average_difficulty = (approved_tasks > 0)
        .then(|| (difficulty_sum as f64 / approved_tasks as f64 * 100.0).round() / 100.0);
    LeaderboardEntry {
        rank: 0,
        staff_id,
        full_name,
        role: Role::parse(role).unwrap_or(Role::Lawyer),
        total_minor,
        approved_tasks,
        average_difficulty,
        zero_rated_tasks,
        no_overdue_days,
    }
}

fn assign_ranks(entries: &mut [LeaderboardEntry]) {
    let mut previous_total = None;
    let mut rank = 0;
    for (i, entry) in entries.iter_mut().enumerate() {
        if previous_total != Some(entry.total_minor) {
            rank = i as i64 + 1;
            previous_total = Some(entry.total_minor);
        }
        entry.rank = rank;
    }
}
