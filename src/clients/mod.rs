//! The firm's clients: contact data, their managers and how they want to hear of their case.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::CurrentStaff;
use crate::db::schema::{cases, clients};
use crate::db::{new_id, DbConnection};
use crate::error::{ApiError, ApiResult, FieldErrors};
use crate::pagination;
use crate::staff::{self, Role};

/// How the client wants to hear of completed steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotificationPreference {
    /// An e-mail for every completed step (the default).
    PerStep,
    WeeklyDigest,
    MonthlyDigest,
    None,
}

impl NotificationPreference {
    const ALL: [Self; 4] = [
        Self::PerStep,
        Self::WeeklyDigest,
        Self::MonthlyDigest,
        Self::None,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PerStep => "per_step",
            Self::WeeklyDigest => "weekly_digest",
            Self::MonthlyDigest => "monthly_digest",
            Self::None => "none",
        }
    }

    fn parse(text: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == text)
            .unwrap_or(Self::PerStep)
    }
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = clients)]
pub struct Client {
    pub id: String,
    pub full_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub client_manager_id: String,
    pub sales_manager_id: Option<String>,
    pub notification_preference: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A client of the firm.
#[derive(Serialize, ToSchema)]
pub struct ClientResponse {
    pub id: String,
    pub full_name: String,
    /// E.164 phone number, e.g. `+79161234567`.
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Staff member who keeps in touch with the client.
    pub client_manager_id: String,
    /// Staff member who sold the service.
    pub sales_manager_id: Option<String>,
    pub notification_preference: NotificationPreference,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Client> for ClientResponse {
    fn from(c: Client) -> Self {
        Self {
            notification_preference: NotificationPreference::parse(&c.notification_preference),
            id: c.id,
            full_name: c.full_name,
            phone: c.phone,
            email: c.email,
            client_manager_id: c.client_manager_id,
            sales_manager_id: c.sales_manager_id,
            created_at: c.created_at.and_utc(),
            updated_at: c.updated_at.and_utc(),
        }
    }
}

/// One page of clients.
#[derive(Serialize, ToSchema)]
pub struct ClientPage {
    pub items: Vec<ClientResponse>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// A new client.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateClientRequest {
    pub full_name: String,
    /// Phone in international format; spaces, dashes and brackets are dropped.
    pub phone: Option<String>,
    pub email: Option<String>,
    /// A staff member with the client_manager role.
    pub client_manager_id: String,
    /// A staff member with the sales_manager or head_of_sales role.
    pub sales_manager_id: Option<String>,
    /// Defaults to `per_step`.
    pub notification_preference: Option<NotificationPreference>,
}

/// Fields to change; absent fields stay.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateClientRequest {
    pub full_name: Option<String>,
    /// `null` or `""` removes the phone.
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    /// `null` or `""` removes the e-mail.
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    pub client_manager_id: Option<String>,
    /// `null` removes the sales manager.
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    #[schema(value_type = Option<String>)]
    pub sales_manager_id: Option<Option<String>>,
    pub notification_preference: Option<NotificationPreference>,
}

/// Search and paging of the client list.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListClientsQuery {
    /// Part of the name, phone or e-mail, any case.
    pub q: Option<String>,
    pub cursor: Option<String>,
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<i64>,
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = clients)]
#[diesel(treat_none_as_null = true)]
struct ClientRow {
    full_name: String,
    phone: Option<String>,
    email: Option<String>,
    client_manager_id: String,
    sales_manager_id: Option<String>,
    notification_preference: String,
    search_text: String,
    updated_at: NaiveDateTime,
}

/// Lower-case text the search matches against; Unicode-aware, unlike SQLite's LIKE.
fn search_text(row: &ClientRow) -> String {
    let phone_digits: String = row
        .phone
        .as_deref()
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    format!(
        "{} {} {} {}",
        row.full_name.to_lowercase(),
        row.phone.as_deref().unwrap_or_default(),
        phone_digits,
        row.email.as_deref().unwrap_or_default().to_lowercase()
    )
}

fn normalize_phone(phone: &str) -> Option<String> {
    let kept: String = phone
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
        .collect();
    let digits = kept.strip_prefix('+').unwrap_or(&kept);
    let valid = (7..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit());
    valid.then(|| format!("+{digits}"))
}

fn blank_to_none(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Which of a client's managers a write sets. Only those are checked: a manager who has
/// since left must not block unrelated changes (their history stays with the client).
struct SetsManagers {
    client_manager: bool,
    sales_manager: bool,
}

fn validate(conn: &mut DbConnection, row: &mut ClientRow, sets: SetsManagers) -> ApiResult<()> {
    let mut errors = FieldErrors::default();
    errors.check_text("full_name", &row.full_name, crate::staff::MAX_NAME_CHARS);
    if let Some(phone) = row.phone.take() {
        match normalize_phone(&phone) {
            Some(normal) => row.phone = Some(normal),
            None => errors.add("phone", "must be a phone number of 7 to 15 digits"),
        }
    }
    if let Some(email) = &row.email {
        let ok = email
            .split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.'));
        errors.check(ok, "email", "must be an e-mail address");
    }
    if sets.client_manager {
        check_staff_role(
            conn,
            &row.client_manager_id,
            "client_manager_id",
            &[Role::ClientManager],
            &mut errors,
        )?;
    }
    if let Some(id) = row.sales_manager_id.as_ref().filter(|_| sets.sales_manager) {
        let roles = [Role::SalesManager, Role::HeadOfSales];
        check_staff_role(conn, id, "sales_manager_id", &roles, &mut errors)?;
    }
    errors.into_result()?;

    row.full_name = row.full_name.trim().to_string();
    row.search_text = search_text(row);
    Ok(())
}

/// Adds an error unless `id` is an active staff member with one of `roles`.
pub fn check_staff_role(
    conn: &mut DbConnection,
    id: &str,
    field: &str,
    roles: &[Role],
    errors: &mut FieldErrors,
) -> ApiResult<()> {
    match staff::find(conn, id) {
        Ok(person) if !person.active => errors.add(field, "is deactivated"),
        Ok(person) if !roles.contains(&person.role()) => {
            let names: Vec<_> = roles.iter().map(|r| r.as_str()).collect();
            errors.add(field, format!("must have the role {}", names.join(" or ")));
        }
        Ok(_) => {}
        Err(ApiError::NotFound(_)) => errors.add(field, "no such staff member"),
        Err(other) => return Err(other),
    }
    Ok(())
}

pub fn create(
    conn: &mut DbConnection,
    request: CreateClientRequest,
    now: NaiveDateTime,
) -> ApiResult<Client> {
    let mut row = ClientRow {
        full_name: request.full_name,
        phone: blank_to_none(request.phone),
        email: blank_to_none(request.email).map(|e| e.to_lowercase()),
        client_manager_id: request.client_manager_id,
        sales_manager_id: request.sales_manager_id,
        notification_preference: request
            .notification_preference
            .unwrap_or(NotificationPreference::PerStep)
            .as_str()
            .to_string(),
        search_text: String::new(),
        updated_at: now,
    };
    let sets = SetsManagers {
        client_manager: true,
        sales_manager: true,
    };
    validate(conn, &mut row, sets)?;

    let id = new_id();
    diesel::insert_into(clients::table)
        .values((&row, clients::id.eq(&id), clients::created_at.eq(now)))
        .execute(conn)?;
    log::info!("created client {id}");
    find(conn, &id)
}

pub fn update(
    conn: &mut DbConnection,
    viewer: &CurrentStaff,
    id: &str,
    request: UpdateClientRequest,
    now: NaiveDateTime,
) -> ApiResult<Client> {
    let current = get_visible(conn, viewer, id)?;
    let sets = SetsManagers {
        client_manager: request.client_manager_id.is_some(),
        sales_manager: matches!(request.sales_manager_id, Some(Some(_))),
    };
    let mut row = ClientRow {
        full_name: request.full_name.unwrap_or(current.full_name),
        phone: match request.phone {
            Some(p) => blank_to_none(p),
            None => current.phone,
        },
        email: match request.email {
            Some(e) => blank_to_none(e).map(|e| e.to_lowercase()),
            None => current.email,
        },
        client_manager_id: request
            .client_manager_id
            .unwrap_or(current.client_manager_id),
        sales_manager_id: request.sales_manager_id.unwrap_or(current.sales_manager_id),
        notification_preference: request
            .notification_preference
            .map(|p| p.as_str().to_string())
            .unwrap_or(current.notification_preference),
        search_text: String::new(),
        updated_at: now,
    };
    validate(conn, &mut row, sets)?;

    diesel::update(clients::table.find(id))
        .set(&row)
        .execute(conn)?;
    log::info!("updated client {id}");
    find(conn, id)
}

pub fn find(conn: &mut DbConnection, id: &str) -> ApiResult<Client> {
    clients::table
        .find(id)
        .select(Client::as_select())
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound("client"))
}

/// Lawyers see the clients of their cases; everyone else sees all clients.
fn restricted_to_cases(viewer: &CurrentStaff) -> bool {
    viewer.role == Role::Lawyer
}

pub fn get_visible(conn: &mut DbConnection, viewer: &CurrentStaff, id: &str) -> ApiResult<Client> {
    let client = find(conn, id)?;
    if restricted_to_cases(viewer) {
        let works_on: i64 = cases::table
            .filter(cases::client_id.eq(id))
            .filter(cases::responsible_lawyer_id.eq(&viewer.id))
            .count()
            .get_result(conn)?;
        if works_on == 0 {
            return Err(ApiError::NotFound("client"));
        }
    }
    Ok(client)
}

pub fn list(
    conn: &mut DbConnection,
    viewer: &CurrentStaff,
    query: ListClientsQuery,
) -> ApiResult<ClientPage> {
    let limit = pagination::limit(query.limit)?;
    let cursor = pagination::cursor(query.cursor)?;

    let mut select = clients::table.select(Client::as_select()).into_boxed();
    if let Some(q) = query
        .q
        .map(|q| q.trim().to_lowercase())
        .filter(|q| !q.is_empty())
    {
        select = select.filter(
            clients::search_text
                .like(format!("%{}%", escape_like(&q)))
                .escape('\\'),
        );
    }
    if let Some(cursor) = cursor {
        select = select.filter(clients::id.gt(cursor));
    }
    if restricted_to_cases(viewer) {
        let own_clients = cases::table
            .filter(cases::responsible_lawyer_id.eq(viewer.id.clone()))
            .select(cases::client_id);
        select = select.filter(clients::id.eq_any(own_clients));
    }
    let rows = select
        .order(clients::id.asc())
        .limit(limit + 1)
        .load(conn)?;

    let (rows, next_cursor) = pagination::split_page(rows, limit, |c| c.id.clone());
    Ok(ClientPage {
        items: rows.into_iter().map(Into::into).collect(),
        next_cursor,
    })
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    use super::normalize_phone;

    #[test]
    fn phone_is_kept_in_international_form() {
        assert_eq!(
            normalize_phone("+7 (916) 123-45-67").as_deref(),
            Some("+79161234567")
        );
        assert_eq!(normalize_phone("12ab"), None);
    }
}
