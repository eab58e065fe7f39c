//! JSON body and query extractors whose errors name the field at fault.
//!
//! actix's own extractors report serde's message without the path of the field; these read
//! the same input through `serde_path_to_error` so a client learns which field to fix.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::error::{ApiError, FieldError};

/// Largest body accepted, set once by the application from the settings.
#[derive(Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A JSON request body; unknown fields and wrong types become 400 with the field's path.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req.app_data::<BodyLimit>().map_or(256 * 1024, |l| l.0);
        let is_json = content_type_is_json(req);
        let body = web::Bytes::from_request(req, payload);

        Box::pin(async move {
            if !is_json {
                return Err(ApiError::UnsupportedMediaType);
            }
            let bytes = body.await.map_err(|e| body_error(e, limit))?;
            if bytes.len() > limit {
                return Err(ApiError::PayloadTooLarge(limit));
            }
            parse_json(&bytes).map(ApiJson)
        })
    }
}

/// A JSON body that may be left out entirely: no body reads as `T::default()`.
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned + Default + 'static> FromRequest for OptionalJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        // HTTP/1.1: a request without Content-Length or chunked encoding has no body.
        let chunked = req.headers().contains_key(header::TRANSFER_ENCODING);
        let length = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if !chunked && length.unwrap_or(0) == 0 {
            return Box::pin(std::future::ready(Ok(OptionalJson(T::default()))));
        }
        // `null` reads as no body too.
        let json = ApiJson::<Option<T>>::from_request(req, payload);
        Box::pin(async move {
            json.await
                .map(|ApiJson(value)| OptionalJson(value.unwrap_or_default()))
        })
    }
}

fn content_type_is_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<mime::Mime>().ok())
        .is_some_and(|m| m.subtype() == mime::JSON || m.suffix() == Some(mime::JSON))
}

fn body_error(error: actix_web::Error, limit: usize) -> ApiError {
    match error.as_error::<PayloadError>() {
        Some(PayloadError::Overflow) => ApiError::PayloadTooLarge(limit),
        _ => ApiError::BadRequest {
            code: "unreadable_body",
            detail: "the request body could not be read".to_string(),
            errors: Vec::new(),
        },
    }
}

/// The longest text any field accepts. Fields with tighter rules (names, titles) check
/// their own limits.
pub const MAX_TEXT_CHARS: usize = 20_000;

/// Parses JSON, naming the path of the first field serde could not accept.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if let Ok(document) = serde_json::from_slice::<serde_json::Value>(bytes) {
        if let Some(field) = overlong_text(&document, String::new()) {
            let message = format!("must be at most {MAX_TEXT_CHARS} characters");
            return Err(ApiError::invalid(field, message));
        }
    }

    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|e| field_error("malformed_json", e.path().to_string(), e.inner()))?;
    deserializer
        .end()
        .map_err(|e| field_error("malformed_json", ".".to_string(), &e))?;
    Ok(value)
}

/// The path of the first string longer than [`MAX_TEXT_CHARS`], if any.
fn overlong_text(value: &serde_json::Value, path: String) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::String(text) if text.chars().count() > MAX_TEXT_CHARS => Some(path),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| overlong_text(item, format!("{path}[{i}]"))),
        Value::Object(fields) => fields.iter().find_map(|(key, item)| {
            let inner = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            overlong_text(item, inner)
        }),
        _ => None,
    }
}

/// For a field that may be absent (keep), `null` (remove) or a value (set): absent fields
/// get serde's default `None`, present ones `Some`, so `null` reads as `Some(None)`.
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Query parameters; a bad or unknown parameter becomes 400 naming it.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for ApiQuery<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let pairs = form_urlencoded_pairs(req.query_string());
        let deserializer = serde_urlencoded::Deserializer::new(pairs);
        let parsed = serde_path_to_error::deserialize(deserializer)
            .map(ApiQuery)
            .map_err(|e| field_error("invalid_query", e.path().to_string(), e.inner()));
        std::future::ready(parsed)
    }
}

fn form_urlencoded_pairs(query: &str) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(query.as_bytes())
}

fn field_error(code: &'static str, path: String, error: &dyn std::fmt::Display) -> ApiError {
    let message = strip_position(&error.to_string());
    let mut field = if path == "." || path == "?" {
        String::new()
    } else {
        path
    };
    // serde reports a missing or repeated field at its parent; name the field itself.
    if let Some(name) = named_field(&message) {
        field = if field.is_empty() {
            name.to_string()
        } else {
            format!("{field}.{name}")
        };
    }
    let detail = if field.is_empty() {
        message.clone()
    } else {
        format!("{field}: {message}")
    };
    ApiError::BadRequest {
        code,
        detail,
        errors: vec![FieldError { field, message }],
    }
}

/// The field serde names in "missing field `x`" or "duplicate field `x`".
fn named_field(message: &str) -> Option<&str> {
    let rest = message
        .strip_prefix("missing field `")
        .or_else(|| message.strip_prefix("duplicate field `"))?;
    rest.strip_suffix('`').filter(|name| !name.contains('`'))
}

/// serde_json ends messages with " at line 1 column 7"; the field path says more.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Step {
        title: String,
        days: u32,
    }

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Template {
        steps: Vec<Step>,
    }

    #[test]
    fn wrong_type_names_the_nested_field() {
        let body = br#"{"steps":[{"title":"a","days":1},{"title":"b","days":"x"}]}"#;

        let error = parse_json::<Template>(body).unwrap_err();

        let problem = error.problem();
        assert_eq!(problem.errors[0].field, "steps[1].days");
        assert_eq!(problem.status, 400);
    }

    #[test]
    fn missing_field_is_named_with_its_path() {
        let top = parse_json::<Template>(b"{}").unwrap_err().problem();
        let nested = parse_json::<Template>(br#"{"steps":[{"title":"a"}]}"#)
            .unwrap_err()
            .problem();

        assert_eq!(top.errors[0].field, "steps");
        assert_eq!(nested.errors[0].field, "steps[0].days");
        assert_eq!(nested.detail, "steps[0].days: missing field `days`");
    }

    #[test]
    fn overlong_text_is_named_by_its_path() {
        let long = "я".repeat(MAX_TEXT_CHARS + 1);
        let body =
            format!(r#"{{"steps":[{{"title":"a","days":1}},{{"title":"{long}","days":2}}]}}"#);

        let error = parse_json::<Template>(body.as_bytes()).unwrap_err();

        assert_eq!(error.problem().errors[0].field, "steps[1].title");
        assert_eq!(error.problem().status, 422);
    }

    #[test]
    fn unknown_field_is_refused() {
        let error = parse_json::<Template>(br#"{"steps":[],"extra":1}"#).unwrap_err();

        assert!(error.problem().detail.contains("unknown field `extra`"));
    }
}
