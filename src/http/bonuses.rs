//! Bonus rates, the ledger and the leaderboard.

use actix_web::{get, post, put, web, HttpResponse};

use crate::auth::CurrentStaff;
use crate::bonuses::leaderboard::{self, LeaderboardQuery, LeaderboardResponse};
use crate::bonuses::ledger::{
    self, CreateAdjustmentRequest, EntryResponse, LedgerPage, ListLedgerQuery,
};
use crate::bonuses::rates::{self, BonusRatesResponse, UpdateBonusRatesRequest};
use crate::db;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery};
use crate::http::responses::*;
use crate::startup::AppState;

/// The bonus per difficulty. Every signed-in staff member may read it.
#[utoipa::path(
    tag = "bonuses",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The rate table", body = BonusRatesResponse),
        (status = 401, response = Unauthorized),
    )
)]
#[get("/bonus-rates")]
pub async fn get_bonus_rates(
    state: web::Data<AppState>,
    _me: CurrentStaff,
) -> ApiResult<web::Json<BonusRatesResponse>> {
    let list = db::run(&state.pool, rates::list).await?;
    Ok(web::Json(BonusRatesResponse {
        currency: state.firm.currency.clone(),
        rates: list,
    }))
}

/// Sets the bonus for some or all difficulties (admin). Applies to approvals from now on.
#[utoipa::path(
    tag = "bonuses",
    security(("bearer" = [])),
    request_body = UpdateBonusRatesRequest,
    responses(
        (status = 200, description = "The new rate table", body = BonusRatesResponse),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[put("/bonus-rates")]
pub async fn update_bonus_rates(
    state: web::Data<AppState>,
    me: CurrentStaff,
    body: ApiJson<UpdateBonusRatesRequest>,
) -> ApiResult<web::Json<BonusRatesResponse>> {
    me.require_admin()?;
    let now = state.now();
    let list = db::write(&state.pool, move |conn| {
        rates::update(conn, body.0, now)?;
        rates::list(conn)
    })
    .await?;
    Ok(web::Json(BonusRatesResponse {
        currency: state.firm.currency.clone(),
        rates: list,
    }))
}

/// Ledger entries, newest first: your own; a head's also their team's; an admin's all.
#[utoipa::path(
    tag = "bonuses",
    security(("bearer" = [])),
    params(ListLedgerQuery),
    responses(
        (status = 200, description = "A page of entries", body = LedgerPage),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    )
)]
#[get("/ledger")]
pub async fn list_ledger(
    state: web::Data<AppState>,
    me: CurrentStaff,
    query: ApiQuery<ListLedgerQuery>,
) -> ApiResult<web::Json<LedgerPage>> {
    let page = db::run(&state.pool, move |conn| {
        let visible = crate::tasks::visible_assignees(conn, &me)?;
        ledger::list(conn, visible, query.0)
    })
    .await?;
    Ok(web::Json(page))
}

/// Posts a manual adjustment with a reason (admin). Entries are never edited or deleted:
/// a correction is a new entry.
#[utoipa::path(
    tag = "bonuses",
    security(("bearer" = [])),
    request_body = CreateAdjustmentRequest,
    responses(
        (status = 201, description = "Posted", body = EntryResponse),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/ledger/adjustments")]
pub async fn create_adjustment(
    state: web::Data<AppState>,
    me: CurrentStaff,
    body: ApiJson<CreateAdjustmentRequest>,
) -> ApiResult<HttpResponse> {
    me.require_admin()?;
    let now = state.now();
    let firm = state.firm.clone();
    let entry = db::write(&state.pool, move |conn| {
        let entry = ledger::adjust(conn, &firm, body.0, &me.id, now)?;
        let message = format!(
            "bonus adjustment: {}",
            entry.reason.clone().unwrap_or_default()
        );
        crate::notifications::notify(conn, &entry.staff_id, "adjustment", &message, None, now)?;
        Ok(entry)
    })
    .await?;
    Ok(HttpResponse::Created().json(EntryResponse::from(entry)))
}

/// Bonus totals of a month, ranked; every signed-in staff member may read it. An approval
/// shows here as soon as it is made.
#[utoipa::path(
    tag = "bonuses",
    security(("bearer" = [])),
    params(LeaderboardQuery),
    responses(
        (status = 200, description = "The month's leaderboard", body = LeaderboardResponse),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 422, response = Unprocessable),
    )
)]
#[get("/leaderboard")]
pub async fn get_leaderboard(
    state: web::Data<AppState>,
    _me: CurrentStaff,
    query: ApiQuery<LeaderboardQuery>,
) -> ApiResult<web::Json<LeaderboardResponse>> {
    let month = match query.0.month {
        Some(m) => leaderboard::parse_month(&m, "month")?,
        None => state.firm.calendar.month_of(state.now()),
    };
    let lookup = month.clone();
    let entries = db::run(&state.pool, move |conn| leaderboard::month(conn, &lookup)).await?;
    Ok(web::Json(LeaderboardResponse {
        month,
        currency: state.firm.currency.clone(),
        entries,
    }))
}
