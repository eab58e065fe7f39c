//! Settings read once at start-up from environment variables (and a `.env` file if present).

use std::fmt;
use std::time::Duration;

use anyhow::{bail, Context};
use chrono::Weekday;
use chrono_tz::Tz;

/// Everything lexcrm needs to start. Tests load it like production and then change fields.
#[derive(Clone)]
pub struct Settings {
    /// `sqlite://path/to/file.db` or `postgres://...`.
    pub database_url: String,
    pub database_pool_size: u32,
    pub host: String,
    pub port: u16,
    /// HMAC key for access tokens. Without one a random key is made at start, so tokens
    /// stop working on restart.
    pub jwt_secret: Option<String>,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    /// The firm's time zone: it decides where days and months begin.
    pub time_zone: Tz,
    /// ISO 4217 code of the firm's currency; amounts are whole minor units of it.
    pub currency: String,
    /// Bonus for a working day without an overdue task, in minor units; 0 switches it off.
    pub daily_bonus_minor: i64,
    pub working_days: Vec<Weekday>,
    /// How often the background jobs look for work.
    pub job_interval: Duration,
    /// Sign-in attempts allowed per client address and minute.
    pub login_attempts_per_minute: u32,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// Browser origins allowed to call the API from another site (CORS); `*` for any.
    /// Empty: no cross-origin calls, which same-origin deployments need.
    pub cors_allowed_origins: Vec<String>,
}

impl Settings {
    /// Reads the settings from the environment; every variable has a default that runs
    /// locally on SQLite.
    pub fn from_env() -> anyhow::Result<Self> {
        let _ = dotenvy::dotenv();

        Ok(Self {
            database_url: var_or("DATABASE_URL", "sqlite://data/lexcrm.db"),
            database_pool_size: parse_var("DATABASE_POOL_SIZE", 8)?,
            host: var_or("HOST", "127.0.0.1"),
            port: parse_var("PORT", 8080)?,
            jwt_secret: std::env::var("JWT_SECRET").ok().filter(|s| !s.is_empty()),
            access_token_ttl: Duration::from_secs(parse_var("ACCESS_TOKEN_TTL_SECONDS", 900)?),
            refresh_token_ttl: Duration::from_secs(
                parse_var::<u64>("REFRESH_TOKEN_TTL_DAYS", 30)? * 86_400,
            ),
            time_zone: parse_time_zone(&var_or("FIRM_TIME_ZONE", "Europe/Moscow"))?,
            currency: parse_currency(&var_or("FIRM_CURRENCY", "RUB"))?,
            daily_bonus_minor: parse_daily_bonus()?,
            working_days: parse_working_days(&var_or("WORKING_DAYS", "mon,tue,wed,thu,fri"))?,
            job_interval: Duration::from_secs(parse_var("JOB_INTERVAL_SECONDS", 300)?),
            login_attempts_per_minute: parse_var("LOGIN_ATTEMPTS_PER_MINUTE", 10)?,
            max_body_bytes: parse_var("MAX_BODY_BYTES", 2 * 1024 * 1024)?,
            cors_allowed_origins: parse_origins(&var_or("CORS_ALLOWED_ORIGINS", ""))?,
        })
    }
}

/// Masks the database URL (it may carry a password) and the token key.
impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("database", &database_kind(&self.database_url))
            .field("database_pool_size", &self.database_pool_size)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("jwt_secret", &self.jwt_secret.as_ref().map(|_| "<set>"))
            .field("access_token_ttl", &self.access_token_ttl)
            .field("refresh_token_ttl", &self.refresh_token_ttl)
            .field("time_zone", &self.time_zone)
            .field("currency", &self.currency)
            .field("daily_bonus_minor", &self.daily_bonus_minor)
            .field("working_days", &self.working_days)
            .field("job_interval", &self.job_interval)
            .field("login_attempts_per_minute", &self.login_attempts_per_minute)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("cors_allowed_origins", &self.cors_allowed_origins)
            .finish()
    }
}

fn database_kind(url: &str) -> &'static str {
    if url.starts_with("sqlite://") {
        "sqlite"
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        "postgres"
    } else {
        "unknown"
    }
}

fn var_or(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| default.to_string())
}

fn parse_var<T>(name: &str, default: T) -> anyhow::Result<T>
where
    T: std::str::FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => value
            .trim()
            .parse()
            .with_context(|| format!("{name} must be a number, got {value:?}")),
        _ => Ok(default),
    }
}

fn parse_daily_bonus() -> anyhow::Result<i64> {
    let amount: i64 = parse_var("DAILY_BONUS_MINOR", 50_000)?;
    if !(0..=1_000_000_000_000).contains(&amount) {
        bail!("DAILY_BONUS_MINOR must be 0 to 10^12, got {amount}");
    }
    Ok(amount)
}

/// `*`, or origins such as `https://crm.firm.ru` or `http://localhost:5173`.
fn parse_origins(list: &str) -> anyhow::Result<Vec<String>> {
    list.split(',')
        .map(|o| o.trim().trim_end_matches('/'))
        .filter(|o| !o.is_empty())
        .map(|origin| {
            let host = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"));
            let valid = origin == "*" || host.is_some_and(|h| !h.is_empty() && !h.contains('/'));
            if valid {
                Ok(origin.to_string())
            } else {
                bail!("CORS_ALLOWED_ORIGINS: {origin:?} is not an origin like https://crm.firm.ru")
            }
        })
        .collect()
}

fn parse_time_zone(name: &str) -> anyhow::Result<Tz> {
    name.parse::<Tz>()
        .map_err(|_| anyhow::anyhow!("FIRM_TIME_ZONE {name:?} is not an IANA time zone"))
}

fn parse_currency(code: &str) -> anyhow::Result<String> {
    let code = code.trim().to_ascii_uppercase();
    if code.len() != 3 || !code.chars().all(|c| c.is_ascii_alphabetic()) {
        bail!("FIRM_CURRENCY must be a three-letter ISO 4217 code, got {code:?}");
    }
    Ok(code)
}

fn parse_working_days(list: &str) -> anyhow::Result<Vec<Weekday>> {
    list.split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            d.parse::<Weekday>()
                .map_err(|_| anyhow::anyhow!("WORKING_DAYS has an unknown day {d:?}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn working_days_parse_short_names() {
        let days = parse_working_days("mon, tue,sat").unwrap();

        assert_eq!(days, vec![Weekday::Mon, Weekday::Tue, Weekday::Sat]);
    }

    #[test]
    fn origins_are_checked() {
        assert_eq!(
            parse_origins("https://crm.firm.ru/, http://localhost:5173").unwrap(),
            vec!["https://crm.firm.ru", "http://localhost:5173"]
        );
        assert!(parse_origins("crm.firm.ru").is_err());
        assert!(parse_origins("https://crm.firm.ru/app").is_err());
    }

    #[test]
    fn unknown_time_zone_is_refused() {
        assert!(parse_time_zone("Mars/Olympus").is_err());
    }

    #[test]
    fn currency_must_be_three_letters() {
        assert_eq!(parse_currency("rub").unwrap(), "RUB");
        assert!(parse_currency("RUBL").is_err());
    }
}
