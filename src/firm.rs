//! The firm-wide policy that domain rules consult: its calendar, currency and daily bonus.

use chrono::{NaiveDate, Weekday};

use crate::clock::FirmCalendar;
use crate::config::Settings;

#[derive(Clone, Debug)]
pub struct FirmPolicy {
    pub calendar: FirmCalendar,
    pub currency: String,
    /// Bonus for a working day without an overdue task, in minor units; 0 switches it off.
    pub daily_bonus_minor: i64,
    pub working_days: Vec<Weekday>,
}

impl FirmPolicy {
    pub fn from_settings(settings: &Settings) -> Self {
        Self {
            calendar: FirmCalendar {
                zone: settings.time_zone,
            },
            currency: settings.currency.clone(),
            daily_bonus_minor: settings.daily_bonus_minor,
            working_days: settings.working_days.clone(),
        }
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        use chrono::Datelike;
        self.working_days.contains(&date.weekday())
    }
}
