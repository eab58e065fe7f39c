//! Integration tests: the real server over HTTP, on SQLite by default and on PostgreSQL when
//! TEST_DATABASE_URL is set.

mod helpers;

mod auth;
mod bonuses;
mod cases;
mod demo;
mod input;
mod openapi;
mod people;
mod tasks;
