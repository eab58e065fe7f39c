//! Structured results a step asks for (e.g. the client questionnaire) and their checks.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::error::FieldErrors;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResultFieldType {
    Text,
    /// `YYYY-MM-DD`.
    Date,
    Number,
    Boolean,
    /// One of `options`.
    Choice,
}

/// One field of a step's structured result.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultField {
    /// snake_case key, unique within the step; the submitted value goes under it.
    pub key: String,
    /// What the lawyer sees next to the input.
    pub label: String,
    #[serde(rename = "type")]
    pub field_type: ResultFieldType,
    /// A required field must be present when the task is submitted.
    #[serde(default)]
    pub required: bool,
    /// The allowed values of a `choice` field; absent for other types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<String>>,
}

fn is_key(key: &str) -> bool {
    let mut chars = key.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && key.len() <= 64
}

/// Checks the definitions of one step's fields; `at` is the step's JSON path.
pub fn check_definitions(fields: &[ResultField], at: &str, errors: &mut FieldErrors) {
    let mut keys = HashSet::new();
    for (i, field) in fields.iter().enumerate() {
        let path = format!("{at}.result_fields[{i}]");
        errors.check(
            is_key(&field.key),
            format!("{path}.key"),
            "must be snake_case ASCII",
        );
        errors.check(
            keys.insert(&field.key),
            format!("{path}.key"),
            "is used twice in this step",
        );
        errors.check(
            !field.label.trim().is_empty(),
            format!("{path}.label"),
            "must not be empty",
        );

        match (&field.field_type, &field.options) {
            (ResultFieldType::Choice, Some(options)) => {
                let distinct: HashSet<_> = options.iter().collect();
                let ok = !options.is_empty()
                    && distinct.len() == options.len()
                    && options.iter().all(|o| !o.trim().is_empty());
                errors.check(
                    ok,
                    format!("{path}.options"),
                    "must be distinct, non-empty values",
                );
            }
            (ResultFieldType::Choice, None) => {
                errors.add(format!("{path}.options"), "is required for a choice field")
            }
            (_, Some(_)) => errors.add(format!("{path}.options"), "is only for choice fields"),
            (_, None) => {}
        }
    }
}

/// Checks submitted values against the step's fields: required ones present, each of its
/// type, no unknown keys.
pub fn check_values(fields: &[ResultField], values: &Map<String, Value>, errors: &mut FieldErrors) {
    for key in values.keys() {
        if !fields.iter().any(|f| &f.key == key) {
            errors.add(
                format!("result_fields.{key}"),
                "is not a field of this step",
            );
        }
    }
    for field in fields {
        let path = format!("result_fields.{}", field.key);
        match values.get(&field.key) {
            None | Some(Value::Null) => errors.check(!field.required, path, "is required"),
            Some(value) => {
                if let Err(message) = check_value(field, value) {
                    errors.add(path, message);
                }
            }
        }
    }
}

fn check_value(field: &ResultField, value: &Value) -> Result<(), String> {
    match field.field_type {
        ResultFieldType::Text => match value.as_str() {
            Some(text) if text.trim().is_empty() && field.required => {
                Err("must not be empty".to_string())
            }
            Some(_) => Ok(()),
            None => Err("must be a string".to_string()),
        },
        ResultFieldType::Date => value
            .as_str()
            .and_then(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
            .map(|_| ())
            .ok_or_else(|| "must be a date as YYYY-MM-DD".to_string()),
        ResultFieldType::Number => value
            .is_number()
            .then_some(())
            .ok_or_else(|| "must be a number".to_string()),
        ResultFieldType::Boolean => value
            .is_boolean()
            .then_some(())
            .ok_or_else(|| "must be true or false".to_string()),
        ResultFieldType::Choice => {
            let options = field.options.as_deref().unwrap_or_default();
            match value.as_str() {
                Some(v) if options.iter().any(|o| o == v) => Ok(()),
                _ => Err(format!("must be one of: {}", options.join(", "))),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields() -> Vec<ResultField> {
        serde_json::from_value(json!([
            {"key": "birth_date", "label": "Birth date", "type": "date", "required": true},
            {"key": "children", "label": "Children", "type": "number"},
            {"key": "status", "label": "Status", "type": "choice", "options": ["single", "married"]}
        ]))
        .unwrap()
    }

    fn errors_for(values: Value) -> Vec<String> {
        let mut errors = FieldErrors::default();
        check_values(&fields(), values.as_object().unwrap(), &mut errors);
        match errors.into_result() {
            Ok(()) => vec![],
            Err(crate::error::ApiError::Validation(list)) => {
                list.into_iter().map(|e| e.field).collect()
            }
            Err(other) => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn values_of_the_right_types_pass() {
        let found = errors_for(json!({"birth_date": "1980-02-29", "status": "married"}));

        assert!(found.is_empty());
    }

    #[test]
    fn each_wrong_value_is_named() {
        let found = errors_for(json!({"children": "two", "status": "widowed", "extra": 1}));

        assert_eq!(
            found,
            vec![
                "result_fields.extra",
                "result_fields.birth_date",
                "result_fields.children",
                "result_fields.status"
            ]
        );
    }
}
