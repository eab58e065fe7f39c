//! Cursor pagination shared by the list endpoints.
//!
//! Ids are UUIDv7, whose text sorts in creation order, so a cursor is the last id of a page.

use serde::Deserialize;

use crate::error::{ApiError, ApiResult};

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

/// Checks a requested page size: 1 to 200, 50 when absent.
pub fn limit(requested: Option<i64>) -> ApiResult<i64> {
    match requested {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::invalid("limit", "must be between 1 and 200")),
    }
}

/// Checks that a cursor is an id this service handed out.
pub fn cursor(requested: Option<String>) -> ApiResult<Option<String>> {
    match requested {
        Some(c) if uuid::Uuid::parse_str(&c).is_err() => Err(ApiError::invalid(
            "cursor",
            "is not a cursor returned by this list",
        )),
        other => Ok(other),
    }
}

/// Splits one extra row off a page: its presence means there is a next page.
pub fn split_page<T>(
    mut rows: Vec<T>,
    limit: i64,
    id: impl Fn(&T) -> String,
) -> (Vec<T>, Option<String>) {
    if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        let next = rows.last().map(id);
        (rows, next)
    } else {
        (rows, None)
    }
}

/// `cursor` and `limit` query parameters.
#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<i64>,
}
