//! Database access: one connection type over SQLite and PostgreSQL, the pool, migrations and
//! the transaction helper every write goes through.

pub mod schema;

use std::path::Path;
use std::time::Duration;

use anyhow::{bail, Context};
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel::sqlite::SqliteConnection;
use diesel::Connection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::{ApiError, ApiResult};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// A connection to whichever database the URL names.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

pub type DbPool = Pool<ConnectionManager<DbConnection>>;
pub type PooledDb = PooledConnection<ConnectionManager<DbConnection>>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a URL names; an unknown scheme stops start-up rather than creating a
    /// stray SQLite file.
    pub fn of(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("sqlite://") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            bail!("DATABASE_URL must start with sqlite:// or postgres://")
        }
    }
}

/// Per-connection SQLite settings: enforced foreign keys, waiting instead of failing on a
/// busy database, and the durability level WAL makes safe.
#[derive(Debug)]
struct SqlitePragmas;

impl CustomizeConnection<DbConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), diesel::r2d2::Error> {
        conn.batch_execute(
            "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;",
        )
        .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// Opens the pool and brings the schema up to date.
pub fn connect(url: &str, pool_size: u32) -> anyhow::Result<DbPool> {
    let backend = Backend::of(url)?;
    let connection_url = match backend {
        Backend::Sqlite => prepare_sqlite_file(url)?,
        Backend::Postgres => url.to_string(),
    };

    // r2d2 reports only that it timed out; one direct attempt names the real cause
    // (wrong password, missing database, unwritable file).
    let probe = match backend {
        Backend::Sqlite => SqliteConnection::establish(&connection_url).map(drop),
        Backend::Postgres => PgConnection::establish(&connection_url).map(drop),
    };
    probe.map_err(|e| anyhow::anyhow!("connecting to the {backend:?} database: {e}"))?;

    let mut builder = Pool::builder()
        .max_size(pool_size)
        .connection_timeout(Duration::from_secs(10));
    if backend == Backend::Sqlite {
        builder = builder.connection_customizer(Box::new(SqlitePragmas));
    }
    let pool = builder
        .build(ConnectionManager::<DbConnection>::new(connection_url))
        .context("opening the database pool")?;

    let mut conn = pool.get().context("connecting to the database")?;
    if backend == Backend::Sqlite {
        // WAL lets readers go on while one writer commits; it is a property of the file.
        conn.batch_execute("PRAGMA journal_mode = WAL;")
            .context("switching SQLite to WAL")?;
    }
    run_migrations(&mut conn)?;
    Ok(pool)
}

fn prepare_sqlite_file(url: &str) -> anyhow::Result<String> {
    let path = url.trim_start_matches("sqlite://");
    if let Some(dir) = Path::new(path)
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the database folder {}", dir.display()))?;
    }
    Ok(path.to_string())
}

pub fn run_migrations(conn: &mut DbConnection) -> anyhow::Result<()> {
    let applied = match conn {
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
        DbConnection::Postgres(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
    }
    .map_err(|e| anyhow::anyhow!("applying migrations: {e}"))?;
    for version in applied {
        log::info!("applied migration {version}");
    }
    Ok(())
}

/// Runs `f` in a write transaction. SQLite starts it IMMEDIATE: a deferred transaction that
/// reads first fails with "database is locked" when another writer got there in between.
pub fn write_tx<T, F>(conn: &mut DbConnection, f: F) -> ApiResult<T>
where
    F: FnOnce(&mut DbConnection) -> ApiResult<T>,
{
    match conn {
        DbConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")
        }
        DbConnection::Postgres(c) => AnsiTransactionManager::begin_transaction(c),
    }
    .context("beginning a transaction")?;

    match f(conn) {
        Ok(value) => {
            commit(conn)?;
            Ok(value)
        }
        Err(error) => {
            if let Err(rollback) = rollback(conn) {
                log::warn!("rolling back failed: {rollback}");
            }
            Err(error)
        }
    }
}

fn commit(conn: &mut DbConnection) -> anyhow::Result<()> {
    match conn {
        DbConnection::Sqlite(c) => AnsiTransactionManager::commit_transaction(c),
        DbConnection::Postgres(c) => AnsiTransactionManager::commit_transaction(c),
    }
    .context("committing a transaction")
}

fn rollback(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    match conn {
        DbConnection::Sqlite(c) => AnsiTransactionManager::rollback_transaction(c),
        DbConnection::Postgres(c) => AnsiTransactionManager::rollback_transaction(c),
    }
}

/// Runs blocking database work on actix's blocking pool, never on an async worker.
pub async fn run<T, F>(pool: &DbPool, f: F) -> ApiResult<T>
where
    F: FnOnce(&mut DbConnection) -> ApiResult<T> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    actix_web::web::block(move || {
        let mut conn = pool.get().context("taking a database connection")?;
        f(&mut conn)
    })
    .await
    .map_err(|e| ApiError::Internal(anyhow::anyhow!("blocking task failed: {e}")))?
}

/// Like [`run`], inside one write transaction.
pub async fn write<T, F>(pool: &DbPool, f: F) -> ApiResult<T>
where
    F: FnOnce(&mut DbConnection) -> ApiResult<T> + Send + 'static,
    T: Send + 'static,
{
    run(pool, move |conn| write_tx(conn, f)).await
}

/// Runs a query on the backend's own connection type, for statements diesel's
/// `MultiConnection` cannot express: `ON CONFLICT` upserts and multi-row inserts. The body
/// is compiled once per backend.
#[macro_export]
macro_rules! per_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConnection::Sqlite($c) => $body,
            $crate::db::DbConnection::Postgres($c) => $body,
        }
    };
}

/// A fresh time-ordered id; its text sorts in creation order, which cursors rely on.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// True when a diesel error is a unique-constraint violation.
pub fn is_unique_violation(error: &diesel::result::Error) -> bool {
    matches!(
        error,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}
