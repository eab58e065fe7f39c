//! The daily no-overdue bonus: after each firm-local working day ends, everyone who had no
//! overdue task during it is credited once.
//!
//! Progress is a cursor in `job_cursors` (the next day to settle), advanced one day per
//! transaction, so days missed while the service was down are caught up on the next run
//! and a crash resumes where it stopped. The ledger's unique (kind, staff, day) index
//! makes a day credited by two processes at once count only once.

use std::collections::HashSet;

use chrono::{Days, NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::ledger;
use crate::db::schema::{job_cursors, staff, tasks};
use crate::db::{write_tx, DbConnection};
use crate::error::ApiResult;
use crate::firm::FirmPolicy;

const JOB: &str = "daily_bonus";

/// What one run did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct DailyRun {
    pub days_settled: u32,
    pub credits: u32,
}

/// Settles every finished day up to yesterday, firm-local.
pub fn run(conn: &mut DbConnection, firm: &FirmPolicy, now: NaiveDateTime) -> ApiResult<DailyRun> {
    let today = firm.calendar.local_date(now);
    start_cursor(conn, today, now)?;

    let mut report = DailyRun::default();
    while let Some(credits) = write_tx(conn, |conn| settle_next_day(conn, firm, today, now))? {
        report.days_settled += 1;
        report.credits += credits;
    }
    Ok(report)
}

/// The first run starts the bonus from the day it runs; earlier days are not owed.
fn start_cursor(conn: &mut DbConnection, today: NaiveDate, now: NaiveDateTime) -> ApiResult<()> {
    let cursor = (
        job_cursors::job.eq(JOB),
        job_cursors::next_date.eq(today.to_string()),
        job_cursors::updated_at.eq(now),
    );
    crate::per_backend!(conn, |c| diesel::insert_into(job_cursors::table)
        .values(cursor)
        .on_conflict(job_cursors::job)
        .do_nothing()
        .execute(c))?;
    Ok(())
}

/// Settles the cursor's day if it has ended; `None` when there is nothing left to do.
fn settle_next_day(
    conn: &mut DbConnection,
    firm: &FirmPolicy,
    today: NaiveDate,
    now: NaiveDateTime,
) -> ApiResult<Option<u32>> {
    let next: String = job_cursors::table
        .find(JOB)
        .select(job_cursors::next_date)
        .first(conn)?;
    let day = NaiveDate::parse_from_str(&next, "%Y-%m-%d")
        .map_err(|e| anyhow::anyhow!("job cursor holds {next:?}: {e}"))?;
    if day >= today {
        return Ok(None);
    }

    let mut credits = 0;
    if firm.is_working_day(day) && firm.daily_bonus_minor > 0 {
        for staff_id in eligible_staff(conn, firm, day)? {
            if ledger::credit_daily(conn, firm, &staff_id, day, now)? {
                credits += 1;
            }
        }
    }
    let following = day.checked_add_days(Days::new(1)).unwrap_or(day);
    diesel::update(
        job_cursors::table
            .find(JOB)
            .filter(job_cursors::next_date.eq(&next)),
    )
    .set((
        job_cursors::next_date.eq(following.to_string()),
        job_cursors::updated_at.eq(now),
    ))
    .execute(conn)?;
    log::info!("daily bonus settled for {day}: {credits} credits");
    Ok(Some(credits))
}

/// Staff employed through the whole day, not admins, with no task overdue at any moment
/// of it. A task is overdue from its due time until it is first submitted.
fn eligible_staff(
    conn: &mut DbConnection,
    firm: &FirmPolicy,
    day: NaiveDate,
) -> ApiResult<Vec<String>> {
    let start = firm.calendar.start_of_day(day);
    let end = firm.calendar.start_of_day(day.succ_opt().unwrap_or(day));

    let late: HashSet<String> = tasks::table
        .filter(tasks::status.ne("cancelled"))
        .filter(tasks::due_at.lt(end))
        .filter(
            tasks::first_submitted_at
                .is_null()
                .or(tasks::first_submitted_at
                    .gt(tasks::due_at.nullable())
                    .and(tasks::first_submitted_at.gt(start))),
        )
        .select(tasks::assignee_id)
        .distinct()
        .load::<String>(conn)?
        .into_iter()
        .collect();

    let employed: Vec<String> = staff::table
        .filter(staff::role.ne("admin"))
        .filter(staff::created_at.lt(start))
        .filter(
            staff::deactivated_at
                .is_null()
                .or(staff::deactivated_at.ge(end)),
        )
        .select(staff::id)
        .load(conn)?;
    Ok(employed
        .into_iter()
        .filter(|id| !late.contains(id))
        .collect())
}
