//! The one source of "now". Production reads the system clock; tests move a manual clock
//! instead of sleeping.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, SubsecRound, TimeZone, Utc};
use chrono_tz::Tz;

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

pub type SharedClock = Arc<dyn Clock>;

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        // Both databases keep microseconds; a finer instant would not round-trip.
        Utc::now().trunc_subsecs(6)
    }
}

/// A clock that stands still until told to move.
pub struct ManualClock {
    now: Mutex<DateTime<Utc>>,
}

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            now: Mutex::new(start),
        }
    }

    pub fn set(&self, to: DateTime<Utc>) {
        *self.now.lock().expect("clock lock") = to;
    }

    pub fn advance(&self, by: Duration) {
        *self.now.lock().expect("clock lock") += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        self.now.lock().expect("clock lock").trunc_subsecs(6)
    }
}

/// Calendar arithmetic in the firm's zone: the firm's days and months are local ones.
#[derive(Clone, Copy, Debug)]
pub struct FirmCalendar {
    pub zone: Tz,
}

impl FirmCalendar {
    pub fn local_date(&self, at: NaiveDateTime) -> NaiveDate {
        self.zone.from_utc_datetime(&at).date_naive()
    }

    /// `YYYY-MM` of the firm-local month that contains `at`.
    pub fn month_of(&self, at: NaiveDateTime) -> String {
        self.local_date(at).format("%Y-%m").to_string()
    }

    /// The UTC instant at which the firm-local `date` begins.
    pub fn start_of_day(&self, date: NaiveDate) -> NaiveDateTime {
        let midnight = date.and_hms_opt(0, 0, 0).expect("midnight exists");
        self.zone
            .from_local_datetime(&midnight)
            .earliest()
            .map(|local| local.naive_utc())
            // A zone that skips midnight starts the day at the first hour that exists.
            .unwrap_or_else(|| midnight - Duration::hours(self.offset_hours(date)))
    }

    fn offset_hours(&self, date: NaiveDate) -> i64 {
        let noon = date.and_hms_opt(12, 0, 0).expect("noon exists");
        let local = self.zone.from_utc_datetime(&noon);
        let offset = local.naive_local() - noon;
        offset.num_hours()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moscow_month_starts_three_hours_before_utc() {
        let calendar = FirmCalendar {
            zone: chrono_tz::Europe::Moscow,
        };
        let late_utc = NaiveDate::from_ymd_opt(2026, 11, 30)
            .unwrap()
            .and_hms_opt(22, 30, 0)
            .unwrap();

        assert_eq!(calendar.month_of(late_utc), "2026-12");
        assert_eq!(
            calendar.start_of_day(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()),
            NaiveDate::from_ymd_opt(2026, 11, 30)
                .unwrap()
                .and_hms_opt(21, 0, 0)
                .unwrap()
        );
    }
}
