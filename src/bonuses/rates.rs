//! The bonus paid per difficulty, edited by the admin.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::bonus_rates;
use crate::db::DbConnection;
use crate::error::{ApiError, ApiResult, FieldErrors};

/// The bonus for one difficulty.
#[derive(Serialize, Deserialize, ToSchema, Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = bonus_rates)]
#[serde(deny_unknown_fields)]
pub struct BonusRate {
    /// 1 to 5; difficulty 0 always pays nothing.
    pub difficulty: i32,
    /// Whole minor units of the firm's currency (kopecks for RUB).
    pub amount_minor: i64,
}

/// The rate table.
#[derive(Serialize, ToSchema)]
pub struct BonusRatesResponse {
    /// ISO 4217 code of the amounts.
    pub currency: String,
    pub rates: Vec<BonusRate>,
}

/// New amounts for some or all difficulties.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateBonusRatesRequest {
    pub rates: Vec<BonusRate>,
}

pub fn list(conn: &mut DbConnection) -> ApiResult<Vec<BonusRate>> {
    Ok(bonus_rates::table
        .order(bonus_rates::difficulty.asc())
        .select(BonusRate::as_select())
        .load(conn)?)
}

/// The amount paid for `difficulty`; 0 pays nothing.
pub fn amount_for(conn: &mut DbConnection, difficulty: i32) -> ApiResult<i64> {
    if difficulty == 0 {
        return Ok(0);
    }
    bonus_rates::table
        .find(difficulty)
        .select(bonus_rates::amount_minor)
        .first(conn)
        .optional()?
        .ok_or_else(|| {
            ApiError::Internal(anyhow::anyhow!("no bonus rate for difficulty {difficulty}"))
        })
}

pub fn update(
    conn: &mut DbConnection,
    request: UpdateBonusRatesRequest,
    now: NaiveDateTime,
) -> ApiResult<()> {
    let mut errors = FieldErrors::default();
    errors.check(
        !request.rates.is_empty(),
        "rates",
        "must list at least one rate",
    );
    let mut seen = std::collections::HashSet::new();
    for (i, rate) in request.rates.iter().enumerate() {
        let at = format!("rates[{i}]");
        errors.check(
            (1..=5).contains(&rate.difficulty),
            format!("{at}.difficulty"),
            "must be 1 to 5",
        );
        errors.check(
            seen.insert(rate.difficulty),
            format!("{at}.difficulty"),
            "is listed twice",
        );
        let amount_ok = (0..=super::ledger::MAX_AMOUNT_MINOR).contains(&rate.amount_minor);
        errors.check(
            amount_ok,
            format!("{at}.amount_minor"),
            "must be 0 to 10^12",
        );
    }
    errors.into_result()?;

    for rate in &request.rates {
        diesel::update(bonus_rates::table.find(rate.difficulty))
            .set((
                bonus_rates::amount_minor.eq(rate.amount_minor),
                bonus_rates::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    log::info!(
        "bonus rates updated for {} difficulties",
        request.rates.len()
    );
    Ok(())
}
