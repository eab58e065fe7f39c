//! Wiring: the database, the HTTP server with its middleware, and the background jobs.
//! Tests start exactly this, on a free port.

use std::net::TcpListener;
use std::sync::Arc;

use actix_cors::Cors;
use actix_web::dev::{Server, Service};
use actix_web::http::header;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::{Condition, Logger};
use actix_web::{web, App, HttpServer};
use anyhow::Context;
use chrono::NaiveDateTime;
use utoipa_actix_web::{scope, AppExt};
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::tokens::{self, TokenIssuer};
use crate::clock::{SharedClock, SystemClock};
use crate::config::Settings;
use crate::db::{self, DbPool};
use crate::extract::BodyLimit;
use crate::firm::FirmPolicy;
use crate::http;

/// What every request handler shares.
pub struct AppState {
    pub pool: DbPool,
    pub clock: SharedClock,
    pub firm: FirmPolicy,
    pub tokens: TokenIssuer,
}

impl AppState {
    /// Now, in UTC, from the service's one clock.
    pub fn now(&self) -> NaiveDateTime {
        self.clock.now().naive_utc()
    }
}

pub struct Application {
    port: u16,
    server: Server,
}

const REQUEST_ID: &str = "x-request-id";

impl Application {
    /// Connects to the database (applying migrations) and binds the server.
    pub fn build(settings: Settings) -> anyhow::Result<Self> {
        let pool = db::connect(&settings.database_url, settings.database_pool_size)?;
        Self::build_with(settings, pool, Arc::new(SystemClock))
    }

    /// Binds the server over an open pool and a given clock; tests pass a manual clock.
    pub fn build_with(
        settings: Settings,
        pool: DbPool,
        clock: SharedClock,
    ) -> anyhow::Result<Self> {
        let listener = TcpListener::bind((settings.host.as_str(), settings.port))
            .with_context(|| format!("binding {}:{}", settings.host, settings.port))?;
        let port = listener.local_addr()?.port();

        let secret = settings
            .jwt_secret
            .clone()
            .map(String::into_bytes)
            .unwrap_or_else(|| {
                log::warn!(
                    "JWT_SECRET is not set: using a random key; tokens end with this process"
                );
                tokens::random_secret()
            });
        let state = web::Data::new(AppState {
            pool,
            clock,
            firm: FirmPolicy::from_settings(&settings),
            tokens: TokenIssuer::new(
                &secret,
                settings.access_token_ttl,
                settings.refresh_token_ttl,
            ),
        });

        jobs::spawn(state.clone(), settings.job_interval);
        let server = serve(listener, state, &settings)?;
        log::info!("lexcrm listening on {}:{port}", settings.host);
        Ok(Self { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGINT or SIGTERM, then finishes the requests in flight.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

fn serve(
    listener: TcpListener,
    state: web::Data<AppState>,
    settings: &Settings,
) -> anyhow::Result<Server> {
    let body_limit = settings.max_body_bytes;
    let origins = settings.cors_allowed_origins.clone();
    let limiter = http::rate_limit::login_limiter(settings.login_attempts_per_minute);

    let server = HttpServer::new(move || {
        let (app, api) = App::new()
            .into_utoipa_app()
            .openapi(<http::ApiDoc as utoipa::OpenApi>::openapi())
            .app_data(state.clone())
            .app_data(BodyLimit(body_limit))
            .app_data(web::PayloadConfig::new(body_limit))
            .configure(http::configure_root)
            .service(
                scope("/api/v1")
                    .service(
                        scope("/auth")
                            .wrap(actix_governor::Governor::new(&limiter))
                            .configure(http::configure_auth),
                    )
                    .configure(http::configure_api),
            )
            .split_for_parts();

        app.service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", api))
            .service(web::redirect("/docs", "/docs/"))
            .default_service(web::to(http::not_found))
            .wrap(Condition::new(!origins.is_empty(), cors(&origins)))
            .wrap(
                Logger::new("%{method}xi %U %s %Dms rid=%{x-request-id}i")
                    .custom_request_replace("method", |req| req.method().to_string())
                    .exclude("/health"),
            )
            .wrap_fn(|mut req, srv| {
                let id = req.headers().get(REQUEST_ID).cloned().unwrap_or_else(|| {
                    HeaderValue::from_str(&uuid::Uuid::now_v7().to_string()).expect("uuid is ASCII")
                });
                req.headers_mut()
                    .insert(HeaderName::from_static(REQUEST_ID), id.clone());
                let response = srv.call(req);
                async move {
                    let mut response = response.await?;
                    response
                        .headers_mut()
                        .insert(HeaderName::from_static(REQUEST_ID), id);
                    Ok(response)
                }
            })
    })
    .listen(listener)?
    .shutdown_timeout(30)
    .run();
    Ok(server)
}

/// Cross-origin access for a single-page app served from another site. Only mounted when
/// origins are configured: the middleware refuses every origin it does not list, which would
/// also refuse the docs UI's own same-origin calls.
fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
        .allowed_header(HeaderName::from_static(REQUEST_ID))
        .expose_headers([HeaderName::from_static(REQUEST_ID), header::RETRY_AFTER])
        .max_age(3600);
    for origin in origins {
        cors = if origin == "*" {
            cors.allow_any_origin()
        } else {
            cors.allowed_origin(origin)
        };
    }
    cors
}

mod jobs {
    //! Background jobs: the daily bonus at start (catching up missed days) and then every
    //! interval.

    use std::time::Duration;

    use actix_web::web;

    use super::AppState;
    use crate::bonuses::daily;

    pub fn spawn(state: web::Data<AppState>, interval: Duration) {
        actix_web::rt::spawn(async move {
            let mut ticker = actix_web::rt::time::interval(interval);
            loop {
                ticker.tick().await;
                run_daily_bonus(&state).await;
            }
        });
    }

    async fn run_daily_bonus(state: &web::Data<AppState>) {
        let firm = state.firm.clone();
        let now = state.now();
        let outcome = crate::db::run(&state.pool, move |conn| daily::run(conn, &firm, now)).await;
        match outcome {
            Ok(run) if run.days_settled > 0 => {
                log::info!(
                    "daily bonus job: {} days settled, {} credits",
                    run.days_settled,
                    run.credits
                )
            }
            Ok(_) => log::info!("daily bonus job: nothing to settle"),
            Err(error) => log::error!("daily bonus job failed: {error}"),
        }
    }
}
