//! Staff members: who they are, their role and supervisor, and the rules for changing them.

mod role;

pub use role::Role;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::password;
use crate::db::schema::{cases, refresh_tokens, staff};
use crate::db::{is_unique_violation, new_id, DbConnection};
use crate::error::{ApiError, ApiResult, FieldErrors};

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = staff)]
pub struct Staff {
    pub id: String,
    pub email: String,
    pub full_name: String,
    pub role: String,
    pub supervisor_id: Option<String>,
    pub password_hash: String,
    pub active: bool,
    pub deactivated_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Staff {
    pub fn role(&self) -> Role {
        // The column only ever receives Role::as_str values.
        Role::parse(&self.role).unwrap_or(Role::Lawyer)
    }
}

/// A staff member as the API shows them.
#[derive(Serialize, ToSchema, Debug)]
pub struct StaffResponse {
    pub id: String,
    pub email: String,
    pub full_name: String,
    pub role: Role,
    /// Who approves this person's tasks; only the firm's owner has none.
    pub supervisor_id: Option<String>,
    /// False once deactivated: they can no longer sign in, their history stays.
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

impl From<Staff> for StaffResponse {
    fn from(s: Staff) -> Self {
        let role = s.role();
        Self {
            id: s.id,
            email: s.email,
            full_name: s.full_name,
            role,
            supervisor_id: s.supervisor_id,
            active: s.active,
            created_at: s.created_at.and_utc(),
        }
    }
}

/// A new staff member.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateStaffRequest {
    pub email: String,
    pub full_name: String,
    pub role: Role,
    /// Required for everyone but admins.
    pub supervisor_id: Option<String>,
    /// At least 8 characters.
    pub password: String,
}

/// Fields to change; absent fields stay as they are.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct UpdateStaffRequest {
    pub email: Option<String>,
    pub full_name: Option<String>,
    pub role: Option<Role>,
    pub supervisor_id: Option<String>,
    /// A new password, at least 8 characters.
    pub password: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = staff)]
struct NewStaff<'a> {
    id: &'a str,
    email: &'a str,
    full_name: &'a str,
    role: &'a str,
    supervisor_id: Option<&'a str>,
    password_hash: &'a str,
    active: bool,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(AsChangeset, Default)]
#[diesel(table_name = staff)]
struct StaffChanges {
    email: Option<String>,
    full_name: Option<String>,
    role: Option<String>,
    supervisor_id: Option<Option<String>>,
    password_hash: Option<String>,
    updated_at: Option<NaiveDateTime>,
}

pub const MIN_PASSWORD_LEN: usize = 8;
/// Long enough for any passphrase, short enough that hashing it costs nothing extra.
pub const MAX_PASSWORD_LEN: usize = 1024;
pub const MAX_NAME_CHARS: usize = 200;

fn check_password(password: &str, errors: &mut FieldErrors) {
    let length = password.chars().count();
    let ok = (MIN_PASSWORD_LEN..=MAX_PASSWORD_LEN).contains(&length);
    errors.check(ok, "password", "must be 8 to 1024 characters");
}

pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

fn looks_like_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty() && domain.contains('.') && !email.contains(char::is_whitespace)
}

pub fn find(conn: &mut DbConnection, id: &str) -> ApiResult<Staff> {
    staff::table
        .find(id)
        .select(Staff::as_select())
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound("staff member"))
}

pub fn find_by_email(conn: &mut DbConnection, email: &str) -> ApiResult<Option<Staff>> {
    Ok(staff::table
        .filter(staff::email.eq(normalize_email(email)))
        .select(Staff::as_select())
        .first(conn)
        .optional()?)
}

pub fn list(conn: &mut DbConnection) -> ApiResult<Vec<Staff>> {
    Ok(staff::table
        .order(staff::full_name.asc())
        .select(Staff::as_select())
        .load(conn)?)
}

/// Ids of the people whose tasks `supervisor_id` approves.
pub fn team_ids(conn: &mut DbConnection, supervisor_id: &str) -> ApiResult<Vec<String>> {
    Ok(staff::table
        .filter(staff::supervisor_id.eq(supervisor_id))
        .select(staff::id)
        .load(conn)?)
}

pub fn create(
    conn: &mut DbConnection,
    request: CreateStaffRequest,
    now: NaiveDateTime,
) -> ApiResult<Staff> {
    let email = normalize_email(&request.email);
    let mut errors = FieldErrors::default();
    errors.check(
        looks_like_email(&email),
        "email",
        "must be an e-mail address",
    );
    errors.check_text("full_name", &request.full_name, MAX_NAME_CHARS);
    check_password(&request.password, &mut errors);
    check_supervisor(
        conn,
        request.role,
        request.supervisor_id.as_deref(),
        None,
        &mut errors,
    )?;
    errors.into_result()?;

    let hash = password::hash(&request.password)?;
    let id = new_id();
    let row = NewStaff {
        id: &id,
        email: &email,
        full_name: request.full_name.trim(),
        role: request.role.as_str(),
        supervisor_id: request.supervisor_id.as_deref(),
        password_hash: &hash,
        active: true,
        created_at: now,
        updated_at: now,
    };
    diesel::insert_into(staff::table)
        .values(&row)
        .execute(conn)
        .map_err(email_taken)?;
    log::info!("created staff member {id} as {}", request.role.as_str());
    find(conn, &id)
}

fn email_taken(error: diesel::result::Error) -> ApiError {
    if is_unique_violation(&error) {
        ApiError::invalid("email", "is already used by another staff member")
    } else {
        error.into()
    }
}

/// A supervisor must exist, be active, and not be the person or one of their reports.
fn check_supervisor(
    conn: &mut DbConnection,
    role: Role,
    supervisor_id: Option<&str>,
    person_id: Option<&str>,
    errors: &mut FieldErrors,
) -> ApiResult<()> {
    let Some(supervisor_id) = supervisor_id else {
        errors.check(
            role == Role::Admin,
            "supervisor_id",
            "is required for this role",
        );
        return Ok(());
    };

    let supervisor = staff::table
        .find(supervisor_id)
        .select(Staff::as_select())
        .first(conn)
        .optional()?;
    match supervisor {
        None => errors.add("supervisor_id", "no such staff member"),
        Some(s) if !s.active => errors.add("supervisor_id", "is deactivated"),
        Some(_) => {
            if let Some(person_id) = person_id {
                if reports_to(conn, supervisor_id, person_id)? {
                    errors.add("supervisor_id", "would make a supervision cycle");
                }
            }
        }
    }
    Ok(())
}

/// True when `candidate` is `person` or someone below them in the supervision chain.
fn reports_to(conn: &mut DbConnection, candidate: &str, person: &str) -> ApiResult<bool> {
    let mut current = Some(candidate.to_string());
    let mut steps = 0;
    while let Some(id) = current {
        if id == person {
            return Ok(true);
        }
        steps += 1;
        if steps > 64 {
            return Ok(true);
        }
        current = staff::table
            .find(&id)
            .select(staff::supervisor_id)
            .first::<Option<String>>(conn)
            .optional()?
            .flatten();
    }
    Ok(false)
}

pub fn update(
    conn: &mut DbConnection,
    id: &str,
    request: UpdateStaffRequest,
    now: NaiveDateTime,
) -> ApiResult<Staff> {
    let current = find(conn, id)?;
    let role = request.role.unwrap_or_else(|| current.role());
    let supervisor_id = request
        .supervisor_id
        .clone()
        .or(current.supervisor_id.clone());

    let mut errors = FieldErrors::default();
    let email = request.email.as_deref().map(normalize_email);
    if let Some(email) = &email {
        errors.check(
            looks_like_email(email),
            "email",
            "must be an e-mail address",
        );
    }
    if let Some(name) = &request.full_name {
        errors.check_text("full_name", name, MAX_NAME_CHARS);
    }
    if let Some(password) = &request.password {
        check_password(password, &mut errors);
    }
    // The supervisor is checked when this change touches it, so a person whose supervisor
    // left can still have their name or password changed.
    if request.supervisor_id.is_some() || request.role.is_some() {
        check_supervisor(conn, role, supervisor_id.as_deref(), Some(id), &mut errors)?;
    }
    errors.into_result()?;

    let changes = StaffChanges {
        email,
        full_name: request.full_name.map(|n| n.trim().to_string()),
        role: request.role.map(|r| r.as_str().to_string()),
        supervisor_id: request.supervisor_id.map(Some),
        password_hash: request
            .password
            .as_deref()
            .map(password::hash)
            .transpose()?,
        updated_at: Some(now),
    };
    let password_changed = changes.password_hash.is_some();
    diesel::update(staff::table.find(id))
        .set(&changes)
        .execute(conn)
        .map_err(email_taken)?;
    if password_changed {
        revoke_sessions(conn, id, now)?;
    }
    log::info!("updated staff member {id}");
    find(conn, id)
}

/// Deactivates a staff member: no more sign-ins, sessions revoked, history kept.
pub fn deactivate(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> ApiResult<Staff> {
    let current = find(conn, id)?;
    if !current.active {
        return Err(ApiError::conflict(
            "already_deactivated",
            "staff member is already deactivated",
        ));
    }
    // Their reports' tasks would wait for an approver who can no longer sign in.
    let reports: i64 = staff::table
        .filter(staff::supervisor_id.eq(id))
        .filter(staff::active.eq(true))
        .count()
        .get_result(conn)?;
    if reports > 0 {
        let detail = format!("{reports} active staff report to this person; reassign them first");
        return Err(ApiError::conflict("has_reports", detail));
    }
    // Open cases would keep giving new steps to someone who can no longer sign in.
    let open_cases: i64 = cases::table
        .filter(cases::status.eq("open"))
        .filter(
            cases::responsible_lawyer_id
                .eq(id)
                .or(cases::client_manager_id.eq(id)),
        )
        .count()
        .get_result(conn)?;
    if open_cases > 0 {
        let detail =
            format!("{open_cases} open cases are theirs; hand them over with PATCH /cases first");
        return Err(ApiError::conflict("has_open_cases", detail));
    }

    diesel::update(staff::table.find(id))
        .set((
            staff::active.eq(false),
            staff::deactivated_at.eq(Some(now)),
            staff::updated_at.eq(now),
        ))
        .execute(conn)?;
    revoke_sessions(conn, id, now)?;
    log::info!("deactivated staff member {id}");
    find(conn, id)
}

/// Ends every refresh token of a person; their access tokens lapse within minutes.
fn revoke_sessions(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> ApiResult<()> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::staff_id.eq(id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(Some(now)))
    .execute(conn)?;
    Ok(())
}
