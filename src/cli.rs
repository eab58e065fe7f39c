//! The `lexcrm` command line: serve, migrate, create the first admin, load the demo firm,
//! print the OpenAPI document.

use std::io::{BufRead, IsTerminal};
use std::sync::Arc;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};

use crate::clock::{Clock, SystemClock};
use crate::config::Settings;
use crate::db::{self, write_tx};
use crate::firm::FirmPolicy;
use crate::staff::{self, CreateStaffRequest, Role};
use crate::startup::Application;

#[derive(Parser)]
#[command(name = "lexcrm", version, about = "Back end of a law firm's CRM")]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve {
        /// Load the demo firm first when the database has no staff yet.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending migrations and exit.
    Migrate,
    /// Create the first admin. The password comes from LEXCRM_ADMIN_PASSWORD or stdin.
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
    /// Load the demo firm into an empty database.
    Demo,
    /// Print the OpenAPI document.
    Openapi,
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::Openapi => print_openapi(),
        Command::Serve { demo } => serve(demo).await,
        Command::Migrate => {
            let settings = settings()?;
            db::connect(&settings.database_url, 1)?;
            log::info!("migrations are up to date");
            Ok(())
        }
        Command::CreateAdmin { email, name } => create_admin(email, name),
        Command::Demo => {
            let settings = settings()?;
            let pool = db::connect(&settings.database_url, 1)?;
            let firm = FirmPolicy::from_settings(&settings);
            crate::demo::load(&mut *pool.get()?, &firm, SystemClock.now().naive_utc())
        }
    }
}

/// Prints the document; a reader that stops early (`| head`) is not an error.
fn print_openapi() -> anyhow::Result<()> {
    use std::io::Write;
    let document = crate::http::openapi().to_pretty_json()?;
    match writeln!(std::io::stdout().lock(), "{document}") {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("writing the OpenAPI document"),
    }
}

fn settings() -> anyhow::Result<Settings> {
    let settings = Settings::from_env()?;
    log::info!("configuration: {settings:?}");
    Ok(settings)
}

async fn serve(demo: bool) -> anyhow::Result<()> {
    let settings = settings()?;
    let pool = db::connect(&settings.database_url, settings.database_pool_size)?;
    if demo {
        let firm = FirmPolicy::from_settings(&settings);
        let mut conn = pool.get()?;
        if crate::demo::database_is_empty(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))? {
            crate::demo::load(&mut conn, &firm, SystemClock.now().naive_utc())?;
        } else {
            log::info!("the database has staff already: demo firm not loaded");
        }
    }

    let app = Application::build_with(settings, pool, Arc::new(SystemClock))?;
    app.run_until_stopped().await.context("running the server")
}

fn create_admin(email: String, name: String) -> anyhow::Result<()> {
    let settings = settings()?;
    let password = admin_password()?;
    let pool = db::connect(&settings.database_url, 1)?;
    let now = SystemClock.now().naive_utc();

    let request = CreateStaffRequest {
        email,
        full_name: name,
        role: Role::Admin,
        supervisor_id: None,
        password,
    };
    let admin = write_tx(&mut *pool.get()?, |conn| staff::create(conn, request, now))
        .map_err(|e| anyhow::anyhow!("creating the admin: {}", describe(&e)))?;
    println!("created admin {}", admin.id);
    Ok(())
}

/// An API error as one line, with the fields at fault.
fn describe(error: &crate::error::ApiError) -> String {
    error.problem().detail
}

fn admin_password() -> anyhow::Result<String> {
    if let Ok(password) = std::env::var("LEXCRM_ADMIN_PASSWORD") {
        return Ok(password);
    }
    if std::io::stdin().is_terminal() {
        eprintln!("password (input is shown; pipe it in to keep it off screen):");
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from stdin")?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        bail!("no password: set LEXCRM_ADMIN_PASSWORD or pipe it on stdin");
    }
    Ok(password)
}
