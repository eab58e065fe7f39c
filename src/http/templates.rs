//! Case templates.

use actix_web::{get, post, put, web, HttpResponse};

use crate::auth::CurrentStaff;
use crate::db;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery};
use crate::http::responses::*;
use crate::startup::AppState;
use crate::templates::{
    self, ListTemplatesQuery, TemplateRequest, TemplateResponse, TemplateSummary,
};

/// Templates by name, without their steps.
#[utoipa::path(
    tag = "case templates",
    security(("bearer" = [])),
    params(ListTemplatesQuery),
    responses(
        (status = 200, description = "Templates", body = Vec<TemplateSummary>),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
    )
)]
#[get("/case-templates")]
pub async fn list_templates(
    state: web::Data<AppState>,
    _me: CurrentStaff,
    query: ApiQuery<ListTemplatesQuery>,
) -> ApiResult<web::Json<Vec<TemplateSummary>>> {
    let include_archived = query.0.include_archived.unwrap_or(false);
    let list = db::run(&state.pool, move |conn| {
        templates::list(conn, include_archived)
    })
    .await?;
    Ok(web::Json(list))
}

/// Creates a whole template with its ordered steps in one document (admin).
#[utoipa::path(
    tag = "case templates",
    security(("bearer" = [])),
    request_body = TemplateRequest,
    responses(
        (status = 201, description = "Created", body = TemplateResponse),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/case-templates")]
pub async fn create_template(
    state: web::Data<AppState>,
    me: CurrentStaff,
    body: ApiJson<TemplateRequest>,
) -> ApiResult<HttpResponse> {
    me.require_admin()?;
    let now = state.now();
    let template = db::write(&state.pool, move |conn| {
        let id = templates::create(conn, body.0, now)?;
        templates::get(conn, &id)
    })
    .await?;
    Ok(HttpResponse::Created().json(template))
}

/// One template with its steps.
#[utoipa::path(
    tag = "case templates",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Template id")),
    responses(
        (status = 200, description = "The template", body = TemplateResponse),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
#[get("/case-templates/{id}")]
pub async fn get_template(
    state: web::Data<AppState>,
    _me: CurrentStaff,
    id: web::Path<String>,
) -> ApiResult<web::Json<TemplateResponse>> {
    let template = db::run(&state.pool, move |conn| templates::get(conn, &id)).await?;
    Ok(web::Json(template))
}

/// Replaces a template and all its steps (admin). Cases already running keep their steps.
#[utoipa::path(
    tag = "case templates",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Template id")),
    request_body = TemplateRequest,
    responses(
        (status = 200, description = "Replaced", body = TemplateResponse),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[put("/case-templates/{id}")]
pub async fn replace_template(
    state: web::Data<AppState>,
    me: CurrentStaff,
    id: web::Path<String>,
    body: ApiJson<TemplateRequest>,
) -> ApiResult<web::Json<TemplateResponse>> {
    me.require_admin()?;
    let now = state.now();
    let template = db::write(&state.pool, move |conn| {
        templates::replace(conn, &id, body.0, now)?;
        templates::get(conn, &id)
    })
    .await?;
    Ok(web::Json(template))
}

/// Archives a template (admin): no new cases from it; running cases go on.
#[utoipa::path(
    tag = "case templates",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Template id")),
    responses(
        (status = 200, description = "Archived", body = TemplateResponse),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    )
)]
#[post("/case-templates/{id}/archive")]
pub async fn archive_template(
    state: web::Data<AppState>,
    me: CurrentStaff,
    id: web::Path<String>,
) -> ApiResult<web::Json<TemplateResponse>> {
    me.require_admin()?;
    let now = state.now();
    let template = db::write(&state.pool, move |conn| {
        templates::archive(conn, &id, now)?;
        templates::get(conn, &id)
    })
    .await?;
    Ok(web::Json(template))
}
