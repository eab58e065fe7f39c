//! Bonuses: the rate table, the append-only ledger, the monthly leaderboard and the daily
//! no-overdue bonus.

pub mod daily;
pub mod leaderboard;
pub mod ledger;
pub mod rates;
