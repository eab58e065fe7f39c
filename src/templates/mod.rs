//! Case templates: the ordered plan of steps a kind of case follows.

pub mod result_fields;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::{case_templates, template_steps};
use crate::db::{new_id, DbConnection};
use crate::error::{ApiError, ApiResult, FieldErrors};
pub use result_fields::{ResultField, ResultFieldType};

pub const MAX_STEPS: usize = 500;

/// Who does a step's task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Performer {
    /// The case's responsible lawyer.
    ResponsibleLawyer,
    /// The case's client manager.
    ClientManager,
}

impl Performer {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ResponsibleLawyer => "responsible_lawyer",
            Self::ClientManager => "client_manager",
        }
    }

    pub fn parse(text: &str) -> Self {
        if text == "client_manager" {
            Self::ClientManager
        } else {
            Self::ResponsibleLawyer
        }
    }
}

/// One step of a template, as sent and as returned.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepDefinition {
    pub title: String,
    /// What to do, for the person doing it.
    #[serde(default)]
    pub description: String,
    /// 1 to 5, or null when the head decides at approval.
    pub preset_difficulty: Option<i32>,
    /// Days the step may take; its task is due this many days after it starts.
    pub duration_days: i32,
    pub performer: Performer,
    /// Whether the client hears of this step when it is done.
    #[serde(default)]
    pub notify_client: bool,
    /// Message to the client; may use `{{ client_name }}`, `{{ case_title }}`,
    /// `{{ step_title }}`, `{{ lawyer_name }}` and `{{ result.<key> }}`.
    #[serde(default)]
    pub client_message: String,
    /// Structured result fields to fill in when the task is submitted.
    #[serde(default)]
    pub result_fields: Vec<ResultField>,
}

/// A whole template with its ordered steps, in one document.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateRequest {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The steps in order, 1 to 500.
    pub steps: Vec<StepDefinition>,
}

/// A template without its steps.
#[derive(Serialize, ToSchema)]
pub struct TemplateSummary {
    pub id: String,
    pub name: String,
    pub description: String,
    pub step_count: i64,
    /// Set once archived: no new case can be opened from it.
    pub archived_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A template with its steps in order.
#[derive(Serialize, ToSchema)]
pub struct TemplateResponse {
    #[serde(flatten)]
    pub summary: TemplateSummary,
    pub steps: Vec<StepDefinition>,
}

/// Whether archived templates are listed too.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListTemplatesQuery {
    /// Include archived templates (default false).
    pub include_archived: Option<bool>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = case_templates)]
pub struct Template {
    pub id: String,
    pub name: String,
    pub description: String,
    pub archived_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = template_steps)]
struct StepRow {
    title: String,
    description: String,
    preset_difficulty: Option<i32>,
    duration_days: i32,
    performer: String,
    notify_client: bool,
    client_message: String,
    result_fields: String,
}

impl StepRow {
    fn into_definition(self) -> ApiResult<StepDefinition> {
        Ok(StepDefinition {
            title: self.title,
            description: self.description,
            preset_difficulty: self.preset_difficulty,
            duration_days: self.duration_days,
            performer: Performer::parse(&self.performer),
            notify_client: self.notify_client,
            client_message: self.client_message,
            result_fields: parse_fields(&self.result_fields)?,
        })
    }
}

/// Reads result field definitions stored as JSON text.
pub fn parse_fields(json: &str) -> ApiResult<Vec<ResultField>> {
    serde_json::from_str(json)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored result fields unreadable: {e}")))
}

const PLACEHOLDERS: [&str; 5] = [
    "client_name",
    "case_title",
    "step_title",
    "lawyer_name",
    "result",
];

fn validate(request: &TemplateRequest) -> ApiResult<()> {
    let mut errors = FieldErrors::default();
    errors.check_text("name", &request.name, crate::staff::MAX_NAME_CHARS);
    errors.check(
        !request.steps.is_empty(),
        "steps",
        "a template needs at least one step",
    );
    errors.check(
        request.steps.len() <= MAX_STEPS,
        "steps",
        "at most 500 steps",
    );

    for (i, step) in request.steps.iter().enumerate() {
        validate_step(step, &format!("steps[{i}]"), &mut errors);
    }
    errors.into_result()
}

fn validate_step(step: &StepDefinition, at: &str, errors: &mut FieldErrors) {
    let title_ok = !step.title.trim().is_empty() && step.title.chars().count() <= 200;
    errors.check(
        title_ok,
        format!("{at}.title"),
        "must be 1 to 200 characters",
    );
    if let Some(d) = step.preset_difficulty {
        errors.check(
            (1..=5).contains(&d),
            format!("{at}.preset_difficulty"),
            "must be 1 to 5",
        );
    }
    let days_ok = (0..=365).contains(&step.duration_days);
    errors.check(days_ok, format!("{at}.duration_days"), "must be 0 to 365");
    let message_needed = !step.notify_client || !step.client_message.trim().is_empty();
    errors.check(
        message_needed,
        format!("{at}.client_message"),
        "is required to notify the client",
    );
    if let Err(message) = check_message(step) {
        errors.add(format!("{at}.client_message"), message);
    }
    result_fields::check_definitions(&step.result_fields, at, errors);
}

/// The message must parse as a template and use only the known placeholders.
fn check_message(step: &StepDefinition) -> Result<(), String> {
    let env = minijinja::Environment::new();
    let template = env
        .template_from_str(&step.client_message)
        .map_err(|e| e.to_string())?;
    for name in template.undeclared_variables(true) {
        let (root, key) = name.split_once('.').unwrap_or((name.as_str(), ""));
        if !PLACEHOLDERS.contains(&root) {
            return Err(format!("unknown placeholder {{{{ {name} }}}}"));
        }
        if root == "result" && !step.result_fields.iter().any(|f| f.key == key) {
            return Err(format!(
                "{{{{ {name} }}}} is not a result field of this step"
            ));
        }
    }
    Ok(())
}

#[derive(Insertable)]
#[diesel(table_name = template_steps)]
struct NewStep<'a> {
    id: String,
    template_id: &'a str,
    position: i32,
    title: &'a str,
    description: &'a str,
    preset_difficulty: Option<i32>,
    duration_days: i32,
    performer: &'static str,
    notify_client: bool,
    client_message: &'a str,
    result_fields: String,
}

fn insert_steps(
    conn: &mut DbConnection,
    template_id: &str,
    steps: &[StepDefinition],
) -> ApiResult<()> {
    let rows: Vec<NewStep> = steps
        .iter()
        .enumerate()
        .map(|(i, s)| NewStep {
            id: new_id(),
            template_id,
            position: i as i32 + 1,
            title: s.title.trim(),
            description: &s.description,
            preset_difficulty: s.preset_difficulty,
            duration_days: s.duration_days,
            performer: s.performer.as_str(),
            notify_client: s.notify_client,
            client_message: &s.client_message,
            result_fields: serde_json::to_string(&s.result_fields).unwrap_or_else(|_| "[]".into()),
        })
        .collect();
    // SQLite caps the bound parameters of one statement, so large templates go in chunks.
    for chunk in rows.chunks(50) {
        crate::per_backend!(conn, |c| diesel::insert_into(template_steps::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

pub fn create(
    conn: &mut DbConnection,
    request: TemplateRequest,
    now: NaiveDateTime,
) -> ApiResult<String> {
    validate(&request)?;

    let id = new_id();
    diesel::insert_into(case_templates::table)
        .values((
            case_templates::id.eq(&id),
            case_templates::name.eq(request.name.trim()),
            case_templates::description.eq(&request.description),
            case_templates::created_at.eq(now),
            case_templates::updated_at.eq(now),
        ))
        .execute(conn)?;
    insert_steps(conn, &id, &request.steps)?;
    log::info!(
        "created case template {id} with {} steps",
        request.steps.len()
    );
    Ok(id)
}

/// Replaces a template's name, description and steps. Running cases keep the steps they
/// copied when they opened.
pub fn replace(
    conn: &mut DbConnection,
    id: &str,
    request: TemplateRequest,
    now: NaiveDateTime,
) -> ApiResult<()> {
    find(conn, id)?;
    validate(&request)?;

    diesel::update(case_templates::table.find(id))
        .set((
            case_templates::name.eq(request.name.trim()),
            case_templates::description.eq(&request.description),
            case_templates::updated_at.eq(now),
        ))
        .execute(conn)?;
    diesel::delete(template_steps::table.filter(template_steps::template_id.eq(id)))
        .execute(conn)?;
    insert_steps(conn, id, &request.steps)?;
    log::info!(
        "replaced case template {id} with {} steps",
        request.steps.len()
    );
    Ok(())
}

pub fn archive(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> ApiResult<()> {
    let template = find(conn, id)?;
    if template.archived_at.is_some() {
        return Err(ApiError::conflict(
            "already_archived",
            "the template is already archived",
        ));
    }
    diesel::update(case_templates::table.find(id))
        .set((
            case_templates::archived_at.eq(Some(now)),
            case_templates::updated_at.eq(now),
        ))
        .execute(conn)?;
    log::info!("archived case template {id}");
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> ApiResult<Template> {
    case_templates::table
        .find(id)
        .select(Template::as_select())
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound("case template"))
}

pub fn steps(conn: &mut DbConnection, template_id: &str) -> ApiResult<Vec<StepDefinition>> {
    template_steps::table
        .filter(template_steps::template_id.eq(template_id))
        .order(template_steps::position.asc())
        .select(StepRow::as_select())
        .load(conn)?
        .into_iter()
        .map(StepRow::into_definition)
        .collect()
}

fn summary(template: Template, step_count: i64) -> TemplateSummary {
    TemplateSummary {
        id: template.id,
        name: template.name,
        description: template.description,
        step_count,
        archived_at: template.archived_at.map(|t| t.and_utc()),
        created_at: template.created_at.and_utc(),
        updated_at: template.updated_at.and_utc(),
    }
}

pub fn get(conn: &mut DbConnection, id: &str) -> ApiResult<TemplateResponse> {
    let template = find(conn, id)?;
    let steps = steps(conn, id)?;
    Ok(TemplateResponse {
        summary: summary(template, steps.len() as i64),
        steps,
    })
}

pub fn list(conn: &mut DbConnection, include_archived: bool) -> ApiResult<Vec<TemplateSummary>> {
    let mut query = case_templates::table
        .select(Template::as_select())
        .into_boxed();
    if !include_archived {
        query = query.filter(case_templates::archived_at.is_null());
    }
    let templates = query.order(case_templates::name.asc()).load(conn)?;
    let counts: std::collections::HashMap<String, i64> = template_steps::table
        .group_by(template_steps::template_id)
        .select((template_steps::template_id, diesel::dsl::count_star()))
        .load(conn)?
        .into_iter()
        .collect();

    Ok(templates
        .into_iter()
        .map(|t| {
            let step_count = counts.get(&t.id).copied().unwrap_or(0);
            summary(t, step_count)
        })
        .collect())
}
