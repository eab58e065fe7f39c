//! Load benchmark: a firm of 1,000 staff with 1,000,000 tasks and 1,000,000 ledger entries
//! in one month, then the latency of `GET /leaderboard` and of a lawyer's `GET /tasks`
//! over HTTP against the real server.
//!
//! SQLite: `cargo bench --bench api`
//! PostgreSQL: `BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo bench --bench api`
//! Smaller runs: `BENCH_TASKS=100000`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::{Connection, RunQueryDsl};
use lexcrm::clock::SystemClock;
use lexcrm::config::Settings;
use lexcrm::db::{self, DbConnection};
use lexcrm::startup::Application;
use serde_json::{json, Value};

const STAFF: i64 = 1_000;
const REQUESTS: usize = 300;
const PASSWORD: &str = "benchmark-password";

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let tasks: i64 = std::env::var("BENCH_TASKS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let (url, backend) = database_url()?;
    println!("backend: {backend}; staff: {STAFF}; tasks and ledger entries: {tasks}");

    let pool = db::connect(&url, 8)?;
    let filled = Instant::now();
    fill(&mut *pool.get()?, tasks)?;
    println!("filled in {:.1} s", filled.elapsed().as_secs_f64());

    let mut settings = Settings::from_env()?;
    settings.database_url = url;
    settings.port = 0;
    settings.jwt_secret = Some("benchmark".into());
    let app = Application::build_with(settings, pool, Arc::new(SystemClock))?;
    let base = format!("http://127.0.0.1:{}/api/v1", app.port());
    actix_web::rt::spawn(app.run_until_stopped());

    let client = reqwest::Client::new();
    let token = login(&client, &base, "lawyer-0500@bench.test").await?;
    let month = chrono::Utc::now().format("%Y-%m").to_string();
    measure(
        &client,
        &format!("{base}/leaderboard?month={month}"),
        &token,
        "GET /leaderboard",
    )
    .await?;
    measure(
        &client,
        &format!("{base}/tasks"),
        &token,
        "GET /tasks (lawyer)",
    )
    .await?;
    println!("peak resident memory: {} MiB", peak_rss_mib());
    remove_database(backend)
}

/// Leaves no million-row database behind.
fn remove_database(backend: &str) -> anyhow::Result<()> {
    if backend == "postgres" {
        let admin_url = std::env::var("BENCH_DATABASE_URL")?;
        let mut conn = diesel::PgConnection::establish(&admin_url)?;
        diesel::sql_query("DROP DATABASE IF EXISTS lexcrm_bench WITH (FORCE)")
            .execute(&mut conn)?;
    } else {
        remove_sqlite_file();
    }
    Ok(())
}

fn sqlite_path() -> std::path::PathBuf {
    std::env::temp_dir().join("lexcrm-bench.db")
}

fn remove_sqlite_file() {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", sqlite_path().display()));
    }
}

fn database_url() -> anyhow::Result<(String, &'static str)> {
    match std::env::var("BENCH_DATABASE_URL") {
        Ok(admin_url) if !admin_url.is_empty() => {
            let mut conn = diesel::PgConnection::establish(&admin_url)?;
            diesel::sql_query("DROP DATABASE IF EXISTS lexcrm_bench WITH (FORCE)")
                .execute(&mut conn)?;
            diesel::sql_query("CREATE DATABASE lexcrm_bench").execute(&mut conn)?;
            let base = admin_url
                .rsplit_once('/')
                .map_or(admin_url.as_str(), |(b, _)| b);
            Ok((format!("{base}/lexcrm_bench"), "postgres"))
        }
        _ => {
            remove_sqlite_file();
            Ok((format!("sqlite://{}", sqlite_path().display()), "sqlite"))
        }
    }
}

/// The little SQL that differs between the backends for generating rows.
struct Dialect {
    sqlite: bool,
}

impl Dialect {
    /// A CTE `n(i)` counting from 0 to `max`.
    fn series(&self, max: i64) -> String {
        if self.sqlite {
            format!(
                "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {max}) "
            )
        } else {
            format!("WITH n(i) AS (SELECT generate_series(0, {max})) ")
        }
    }

    /// `expr` as text, left-padded with zeros to `width`.
    fn padded(&self, expr: &str, width: u8) -> String {
        if self.sqlite {
            format!("printf('%0{width}d', {expr})")
        } else {
            format!("lpad(({expr})::text, {width}, '0')")
        }
    }
}

/// A UUID-shaped staff id from a 4-digit number expression.
fn staff_id(number: &str) -> String {
    format!("'00000000-0000-7000-8000-0000' || {number}")
}

/// Inserts the firm with set-based SQL: one admin, one head of legal, 998 lawyers; each
/// lawyer gets tasks/1000 approved tasks of this month, each with its ledger credit, and
/// the leaderboard totals those credits add up to.
fn fill(conn: &mut DbConnection, tasks: i64) -> anyhow::Result<()> {
    let hash = lexcrm::auth::password::hash(PASSWORD)?;
    let now = chrono::Utc::now()
        .naive_utc()
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    let month = chrono::Utc::now().format("%Y-%m").to_string();
    let sql = Dialect {
        sqlite: matches!(conn, DbConnection::Sqlite(_)),
    };
    let (admin, head) = (staff_id("'0000'"), staff_id("'0001'"));
    let staff_columns = "id, email, full_name, role, supervisor_id, password_hash, active, \
                         created_at, updated_at";

    let statements = [
        format!(
            "INSERT INTO staff ({staff_columns}) VALUES \
             ({admin}, 'admin@bench.test', 'Admin', 'admin', NULL, '{hash}', TRUE, '{now}', \
             '{now}'), ({head}, 'head@bench.test', 'Head', 'head_of_legal', {admin}, '{hash}', \
             TRUE, '{now}', '{now}')"
        ),
        format!(
            "{series}INSERT INTO staff ({staff_columns}) SELECT {id}, 'lawyer-' || {n} || \
             '@bench.test', 'Lawyer ' || {n}, 'lawyer', {head}, '{hash}', TRUE, '{now}', '{now}' \
             FROM n WHERE i >= 2",
            series = sql.series(STAFF - 1),
            id = staff_id(&sql.padded("i", 4)),
            n = sql.padded("i", 4),
        ),
        format!(
            "{series}INSERT INTO tasks (id, title, description, assignee_id, status, \
             preset_difficulty, difficulty, due_at, result_text, submitted_at, first_submitted_at, \
             approved_at, approved_by_id, approval_count, created_at, updated_at) SELECT \
             '00000000-0000-7000-9000-' || {n}, 'Task ' || i, '', {assignee}, 'approved', 2, \
             1 + i % 5, '{now}', 'done', '{now}', '{now}', '{now}', {head}, 1, '{now}', '{now}' \
             FROM n",
            series = sql.series(tasks - 1),
            n = sql.padded("i", 12),
            assignee = staff_id(&sql.padded("2 + i % 998", 4)),
        ),
        format!(
            "INSERT INTO ledger_entries (id, staff_id, kind, amount_minor, currency, month, \
             task_id, approval_no, difficulty, created_at) SELECT '00000000-0000-7000-a000-' || \
             substr(id, 25), assignee_id, 'task_bonus', 10000 * difficulty, 'RUB', '{month}', id, \
             1, difficulty, '{now}' FROM tasks"
        ),
        "INSERT INTO leaderboard_totals (month, staff_id, total_minor, approved_tasks, \
         difficulty_sum, zero_rated_tasks, no_overdue_days) SELECT month, staff_id, \
         SUM(amount_minor), COUNT(*), SUM(difficulty), 0, 0 FROM ledger_entries \
         GROUP BY month, staff_id"
            .to_string(),
        "ANALYZE".to_string(),
    ];
    for statement in statements {
        conn.batch_execute(&statement)?;
    }
    Ok(())
}

async fn login(client: &reqwest::Client, base: &str, email: &str) -> anyhow::Result<String> {
    let body: Value = client
        .post(format!("{base}/auth/login"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(body["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_string())
}

/// Sends the request sequentially and prints latency percentiles.
async fn measure(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    name: &str,
) -> anyhow::Result<()> {
    for _ in 0..20 {
        fetch(client, url, token).await?;
    }
    let mut times = Vec::with_capacity(REQUESTS);
    let mut bytes = 0;
    for _ in 0..REQUESTS {
        let started = Instant::now();
        let body = fetch(client, url, token).await?;
        times.push(started.elapsed());
        bytes = body.len();
    }
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    println!(
        "{name}: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, {bytes} bytes, {REQUESTS} requests",
        ms(at(0.50)),
        ms(at(0.95)),
        ms(at(0.99)),
    );
    Ok(())
}

async fn fetch(client: &reqwest::Client, url: &str, token: &str) -> anyhow::Result<Vec<u8>> {
    let response = client.get(url).bearer_auth(token).send().await?;
    Ok(response.error_for_status()?.bytes().await?.to_vec())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn peak_rss_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_string)
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}
