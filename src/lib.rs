//! lexcrm: the back end of a law firm's CRM. Every approved task pays a bonus into an
//! append-only ledger that feeds a live monthly leaderboard.

pub mod auth;
pub mod bonuses;
pub mod cases;
pub mod cli;
pub mod clients;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod error;
pub mod extract;
pub mod firm;
pub mod http;
pub mod money;
pub mod notifications;
pub mod pagination;
pub mod staff;
pub mod startup;
pub mod tasks;
pub mod templates;
