//! The HTTP layer: thin handlers over the domain modules, their routes and the OpenAPI
//! document generated from the same declarations.

mod approvals;
mod auth;
mod bonuses;
mod cases;
mod clients;
mod health;
mod notifications;
pub mod rate_limit;
pub mod responses;
mod staff;
mod tasks;
mod templates;

use actix_web::{HttpRequest, HttpResponse};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{scope, AppExt};

use crate::error::{ApiError, FieldError, Problem};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "lexcrm",
        description = "Back end of a law firm's CRM: tasks approved by heads pay bonuses into an \
append-only ledger that feeds a live monthly leaderboard. Sign in with `POST /api/v1/auth/login` \
and send the access token as `Authorization: Bearer <token>`. Errors are RFC 9457 \
problem+json with a stable `code` and, for validation, the fields at fault.",
    ),
    modifiers(&BearerAuth),
    components(
        schemas(Problem, FieldError),
        responses(
            responses::BadRequest,
            responses::Unauthorized,
            responses::Forbidden,
            responses::NotFound,
            responses::Conflict,
            responses::PayloadTooLarge,
            responses::UnsupportedMediaType,
            responses::Unprocessable,
            responses::TooManyRequests,
            responses::Unavailable,
        )
    ),
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("JWT")
            .build();
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// Routes outside `/api/v1`.
pub fn configure_root(cfg: &mut ServiceConfig) {
    cfg.service(health::health).service(health::ready);
}

/// Routes under `/api/v1/auth`, which are rate limited together.
pub fn configure_auth(cfg: &mut ServiceConfig) {
    cfg.service(auth::login)
        .service(auth::refresh)
        .service(auth::logout);
}

/// Routes under `/api/v1`.
pub fn configure_api(cfg: &mut ServiceConfig) {
    cfg.service(auth::me)
        .service(staff::list_staff)
        .service(staff::create_staff)
        .service(staff::update_staff)
        .service(staff::deactivate_staff)
        .service(clients::list_clients)
        .service(clients::create_client)
        .service(clients::get_client)
        .service(clients::update_client)
        .service(templates::list_templates)
        .service(templates::create_template)
        .service(templates::get_template)
        .service(templates::replace_template)
        .service(templates::archive_template)
        .service(cases::list_cases)
        .service(cases::open_case)
        .service(cases::get_case)
        .service(cases::update_case)
        .service(cases::close_case)
        .service(cases::cancel_case)
        .service(tasks::create_task)
        .service(tasks::list_tasks)
        .service(tasks::get_task)
        .service(tasks::submit_task)
        .service(tasks::approve_task)
        .service(tasks::return_task)
        .service(tasks::cancel_task)
        .service(tasks::revoke_approval)
        .service(approvals::list_approvals)
        .service(approvals::bulk_approve)
        .service(bonuses::get_bonus_rates)
        .service(bonuses::update_bonus_rates)
        .service(bonuses::list_ledger)
        .service(bonuses::create_adjustment)
        .service(bonuses::get_leaderboard)
        .service(notifications::list_notifications)
        .service(notifications::read_notification);
}

/// The OpenAPI document, generated from the same route declarations the server uses.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let limiter = rate_limit::login_limiter(1_000);
    let (_, api) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(configure_root)
        .service(
            scope("/api/v1")
                .service(
                    scope("/auth")
                        .wrap(actix_governor::Governor::new(&limiter))
                        .configure(configure_auth),
                )
                .configure(configure_api),
        )
        .split_for_parts();
    api
}

/// The answer to a path no route matches.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    use actix_web::ResponseError;
    log::debug!("no route for {} {}", req.method(), req.path());
    ApiError::NotFound("route").error_response()
}
