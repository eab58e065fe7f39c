//! Clients.

use actix_web::{get, patch, post, web, HttpResponse};

use crate::auth::CurrentStaff;
use crate::clients::{
    self, ClientPage, ClientResponse, CreateClientRequest, ListClientsQuery, UpdateClientRequest,
};
use crate::db;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery};
use crate::http::responses::*;
use crate::staff::Role;
use crate::startup::AppState;

/// Roles (besides admins) that add and change clients; lawyers only read theirs.
const CLIENT_KEEPERS: &[Role] = &[
    Role::HeadOfLegal,
    Role::HeadOfSales,
    Role::SalesManager,
    Role::ClientManager,
];

/// Clients, oldest first, with search. Lawyers see the clients of their cases.
#[utoipa::path(
    tag = "clients",
    security(("bearer" = [])),
    params(ListClientsQuery),
    responses(
        (status = 200, description = "A page of clients", body = ClientPage),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 422, response = Unprocessable),
    )
)]
#[get("/clients")]
pub async fn list_clients(
    state: web::Data<AppState>,
    me: CurrentStaff,
    query: ApiQuery<ListClientsQuery>,
) -> ApiResult<web::Json<ClientPage>> {
    let page = db::run(&state.pool, move |conn| clients::list(conn, &me, query.0)).await?;
    Ok(web::Json(page))
}

/// Adds a client (admin, heads, sales and client managers).
#[utoipa::path(
    tag = "clients",
    security(("bearer" = [])),
    request_body = CreateClientRequest,
    responses(
        (status = 201, description = "Created", body = ClientResponse),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/clients")]
pub async fn create_client(
    state: web::Data<AppState>,
    me: CurrentStaff,
    body: ApiJson<CreateClientRequest>,
) -> ApiResult<HttpResponse> {
    me.require_any(CLIENT_KEEPERS)?;
    let now = state.now();
    let client = db::write(&state.pool, move |conn| clients::create(conn, body.0, now)).await?;
    Ok(HttpResponse::Created().json(ClientResponse::from(client)))
}

/// One client.
#[utoipa::path(
    tag = "clients",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Client id")),
    responses(
        (status = 200, description = "The client", body = ClientResponse),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
#[get("/clients/{id}")]
pub async fn get_client(
    state: web::Data<AppState>,
    me: CurrentStaff,
    id: web::Path<String>,
) -> ApiResult<web::Json<ClientResponse>> {
    let client = db::run(&state.pool, move |conn| {
        clients::get_visible(conn, &me, &id)
    })
    .await?;
    Ok(web::Json(client.into()))
}

/// Changes a client's data, managers or notification preference (admin, heads, sales and
/// client managers).
#[utoipa::path(
    tag = "clients",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Client id")),
    request_body = UpdateClientRequest,
    responses(
        (status = 200, description = "Updated", body = ClientResponse),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[patch("/clients/{id}")]
pub async fn update_client(
    state: web::Data<AppState>,
    me: CurrentStaff,
    id: web::Path<String>,
    body: ApiJson<UpdateClientRequest>,
) -> ApiResult<web::Json<ClientResponse>> {
    me.require_any(CLIENT_KEEPERS)?;
    let now = state.now();
    let client = db::write(&state.pool, move |conn| {
        clients::update(conn, &me, &id, body.0, now)
    })
    .await?;
    Ok(web::Json(client.into()))
}
