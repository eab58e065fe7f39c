//! The demo firm: 14 staff, 30 clients, a personal bankruptcy template of 113 steps, cases
//! at different steps and a month of approved work, so every screen has something to show.
//!
//! The past month is replayed through the same domain functions the API uses, at the
//! times it would have happened, so the ledger and leaderboard are exactly what real use
//! would have produced.

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::auth::CurrentStaff;
use crate::cases::{self, OpenCaseRequest};
use crate::clients::{self, CreateClientRequest, NotificationPreference};
use crate::db::schema::{job_cursors, staff as staff_table};
use crate::db::{write_tx, DbConnection};
use crate::error::ApiResult;
use crate::firm::FirmPolicy;
use crate::staff::{self, CreateStaffRequest, Role};
use crate::tasks::workflow::{self, ApproveTaskRequest, ReturnTaskRequest, SubmitTaskRequest};
use crate::tasks::{self, CreateTaskRequest, Task, TaskStatus};
use crate::templates::{self, ResultField, ResultFieldType, TemplateRequest};

/// Password of every demo login.
pub const DEMO_PASSWORD: &str = "lexcrm-demo";

const FIRM_JSON: &str = include_str!("data/firm.json");
const TEMPLATE_JSON: &str = include_str!("data/bankruptcy_template.json");

/// How far back the replayed history starts.
const HISTORY_DAYS: i64 = 35;

#[derive(Deserialize)]
struct FirmData {
    staff: Vec<StaffData>,
    clients: Vec<ClientData>,
}

#[derive(Deserialize)]
struct StaffData {
    email: String,
    full_name: String,
    role: Role,
    supervisor: Option<String>,
}

#[derive(Deserialize)]
struct ClientData {
    full_name: String,
    phone: String,
    email: String,
    client_manager: String,
    sales_manager: String,
    notification_preference: NotificationPreference,
}

/// True when no staff member exists yet.
pub fn database_is_empty(conn: &mut DbConnection) -> ApiResult<bool> {
    let count: i64 = staff_table::table.count().get_result(conn)?;
    Ok(count == 0)
}

/// Loads the demo firm in one transaction; refuses a database that already has staff.
pub fn load(conn: &mut DbConnection, firm: &FirmPolicy, now: NaiveDateTime) -> anyhow::Result<()> {
    log::info!("loading the demo firm");
    // The replay makes hundreds of changes that would each log a line; one summary will do.
    let level = log::max_level();
    log::set_max_level(level.min(log::LevelFilter::Warn));
    let loaded = write_tx(conn, |conn| {
        if !database_is_empty(conn)? {
            return Err(crate::error::ApiError::conflict(
                "not_empty",
                "the database already has staff",
            ));
        }
        let mut demo = Demo::new(firm, now);
        demo.load_people(conn)?;
        demo.replay_history(conn)?;
        Ok(())
    });
    log::set_max_level(level);

    loaded.map_err(|e| anyhow::anyhow!("loading the demo firm: {e}"))?;
    log::info!("demo firm loaded: 14 staff, 30 clients, 30 cases");
    Ok(())
}

struct Demo<'a> {
    firm: &'a FirmPolicy,
    now: NaiveDateTime,
    start: NaiveDateTime,
    staff: HashMap<String, CurrentStaff>,
    clients: Vec<(String, String)>,
    template_id: String,
}

impl<'a> Demo<'a> {
    fn new(firm: &'a FirmPolicy, now: NaiveDateTime) -> Self {
        Self {
            firm,
            now,
            start: now - Duration::days(HISTORY_DAYS),
            staff: HashMap::new(),
            clients: Vec::new(),
            template_id: String::new(),
        }
    }

    fn person(&self, email: &str) -> &CurrentStaff {
        &self.staff[email]
    }

    fn load_people(&mut self, conn: &mut DbConnection) -> ApiResult<()> {
        let data: FirmData = serde_json::from_str(FIRM_JSON).map_err(anyhow::Error::from)?;
        for person in data.staff {
            let supervisor_id = person
                .supervisor
                .as_ref()
                .map(|email| self.person(email).id.clone());
            let created = staff::create(
                conn,
                CreateStaffRequest {
                    email: person.email.clone(),
                    full_name: person.full_name,
                    role: person.role,
                    supervisor_id,
                    password: DEMO_PASSWORD.to_string(),
                },
                self.start,
            )?;
            let current = CurrentStaff {
                id: created.id,
                role: person.role,
                full_name: created.full_name,
            };
            self.staff.insert(person.email, current);
        }

        for client in data.clients {
            let created = clients::create(
                conn,
                CreateClientRequest {
                    full_name: client.full_name,
                    phone: Some(client.phone),
                    email: Some(client.email),
                    client_manager_id: self.person(&client.client_manager).id.clone(),
                    sales_manager_id: Some(self.person(&client.sales_manager).id.clone()),
                    notification_preference: Some(client.notification_preference),
                },
                self.start,
            )?;
            self.clients.push((created.id, client.client_manager));
        }

        let template: TemplateRequest =
            serde_json::from_str(TEMPLATE_JSON).map_err(anyhow::Error::from)?;
        self.template_id = templates::create(conn, template, self.start)?;
        Ok(())
    }

    /// Opens 24 cases over the past weeks and works each through some of its steps.
    fn replay_history(&mut self, conn: &mut DbConnection) -> ApiResult<()> {
        let head = self.person("head.legal@lexcrm.demo").clone();
        let clients = self.clients.clone();
        for (i, (client_id, _manager)) in clients.iter().enumerate().take(24) {
            let lawyer = self
                .person(&format!("lawyer{}@lexcrm.demo", i % 7 + 1))
                .id
                .clone();
            let opened_at = self.start + Duration::hours(6 + (i as i64 * 29) % (24 * 20));
            let case = cases::open(
                conn,
                &head,
                OpenCaseRequest {
                    client_id: client_id.clone(),
                    template_id: self.template_id.clone(),
                    responsible_lawyer_id: lawyer,
                    client_manager_id: None,
                    title: None,
                },
                opened_at,
            )?;
            self.work_case(conn, &case.id, i, opened_at)?;
        }
        self.open_fresh_cases(conn, &clients[24..])?;
        self.add_manual_tasks(conn)?;
        self.start_daily_bonus_from_history(conn)
    }

    /// Cases opened an hour ago, waiting at their first step (the client questionnaire).
    fn open_fresh_cases(
        &self,
        conn: &mut DbConnection,
        clients: &[(String, String)],
    ) -> ApiResult<()> {
        let head = self.person("head.legal@lexcrm.demo").clone();
        for (n, (client_id, _)) in clients.iter().enumerate() {
            let lawyer = self
                .person(&format!("lawyer{}@lexcrm.demo", n % 7 + 1))
                .id
                .clone();
            let request = OpenCaseRequest {
                client_id: client_id.clone(),
                template_id: self.template_id.clone(),
                responsible_lawyer_id: lawyer,
                client_manager_id: None,
                title: None,
            };
            cases::open(conn, &head, request, self.now - Duration::hours(1))?;
        }
        Ok(())
    }

    /// Submits and approves the case's steps one after another, then leaves the current
    /// step open, submitted or returned.
    fn work_case(
        &mut self,
        conn: &mut DbConnection,
        case_id: &str,
        i: usize,
        mut at: NaiveDateTime,
    ) -> ApiResult<()> {
        let steps_to_finish = 3 + (i * 7) % 22;
        let last_moment = self.now - Duration::hours(2);
        for step in 0..steps_to_finish {
            let Some(task) = self.current_task(conn, case_id)? else {
                return Ok(());
            };
            let submitted_at = at + Duration::hours(5 + (step as i64 * 13 + i as i64) % 30);
            let approved_at = submitted_at + Duration::hours(3);
            if approved_at > last_moment {
                break;
            }
            self.submit(conn, &task, submitted_at)?;
            self.approve(conn, &task, step + i, approved_at)?;
            at = approved_at;
        }

        let Some(task) = self.current_task(conn, case_id)? else {
            return Ok(());
        };
        let submitted_at = (at + Duration::hours(4)).min(last_moment);
        match i % 4 {
            1 => self.submit(conn, &task, submitted_at),
            3 => {
                self.submit(conn, &task, submitted_at)?;
                let head = self.supervisor_of(conn, &task)?;
                let comment =
                    "Уточните, пожалуйста, реквизиты: в результате не хватает номера документа.";
                workflow::return_task(
                    conn,
                    &head,
                    &task.id,
                    ReturnTaskRequest {
                        comment: comment.to_string(),
                    },
                    submitted_at + Duration::minutes(30),
                )?;
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn current_task(&self, conn: &mut DbConnection, case_id: &str) -> ApiResult<Option<Task>> {
        use crate::db::schema::tasks as t;
        Ok(t::table
            .filter(t::case_id.eq(case_id))
            .filter(t::status.eq(TaskStatus::Open.as_str()))
            .select(Task::as_select())
            .first(conn)
            .optional()?)
    }

    fn assignee(&self, task: &Task) -> CurrentStaff {
        self.staff
            .values()
            .find(|s| s.id == task.assignee_id)
            .cloned()
            .expect("demo staff")
    }

    fn supervisor_of(&self, conn: &mut DbConnection, task: &Task) -> ApiResult<CurrentStaff> {
        let supervisor_id = staff::find(conn, &task.assignee_id)?
            .supervisor_id
            .unwrap_or_default();
        Ok(self
            .staff
            .values()
            .find(|s| s.id == supervisor_id)
            .cloned()
            .expect("demo supervisor"))
    }

    fn submit(&self, conn: &mut DbConnection, task: &Task, at: NaiveDateTime) -> ApiResult<()> {
        let fields = match &task.case_step_id {
            Some(step_id) => step_fields(conn, step_id)?,
            None => Vec::new(),
        };
        let request = SubmitTaskRequest {
            result_text: "Сделано: документы проверены и приложены к делу.".to_string(),
            result_fields: sample_values(&fields),
        };
        workflow::submit(conn, &self.assignee(task), &task.id, request, at)?;
        Ok(())
    }

    /// Accepts the preset difficulty where there is one; rates the rest, with the odd 0.
    fn approve(
        &self,
        conn: &mut DbConnection,
        task: &Task,
        seed: usize,
        at: NaiveDateTime,
    ) -> ApiResult<()> {
        let head = self.supervisor_of(conn, task)?;
        let request = match (task.preset_difficulty, seed % 23) {
            (_, 0) => ApproveTaskRequest {
                difficulty: Some(0),
                reason: Some("Дублирует предыдущую задачу".into()),
            },
            (Some(_), _) => ApproveTaskRequest::default(),
            (None, _) => ApproveTaskRequest {
                difficulty: Some(1 + (seed % 5) as i32),
                reason: None,
            },
        };
        workflow::approve(conn, self.firm, &head, &task.id, &request, at)?;
        Ok(())
    }

    /// A few manual tasks per lawyer, some already late.
    fn add_manual_tasks(&self, conn: &mut DbConnection) -> ApiResult<()> {
        let titles = [
            "Подготовить ответ на запрос суда",
            "Позвонить в банк по поводу выписки",
            "Проверить публикацию в ЕФРСБ",
        ];
        for n in 1..=7 {
            let lawyer = self.person(&format!("lawyer{n}@lexcrm.demo")).clone();
            for (k, title) in titles.iter().enumerate() {
                let due_at = self.now + Duration::hours(24 * k as i64 - 30 + n as i64);
                let request = CreateTaskRequest {
                    title: title.to_string(),
                    description: String::new(),
                    assignee_id: lawyer.id.clone(),
                    due_at: due_at.and_utc(),
                    case_id: None,
                    client_id: None,
                    preset_difficulty: Some(1 + (k as i32 % 2)),
                };
                tasks::create(conn, &lawyer, request, self.now - Duration::days(3))?;
            }
        }
        Ok(())
    }

    /// Lets the daily bonus job settle the replayed days at its next run.
    fn start_daily_bonus_from_history(&self, conn: &mut DbConnection) -> ApiResult<()> {
        let first_day = self.firm.calendar.local_date(self.start) + chrono::Days::new(1);
        diesel::delete(job_cursors::table).execute(conn)?;
        diesel::insert_into(job_cursors::table)
            .values((
                job_cursors::job.eq("daily_bonus"),
                job_cursors::next_date.eq(first_day.to_string()),
                job_cursors::updated_at.eq(self.now),
            ))
            .execute(conn)?;
        Ok(())
    }
}

fn step_fields(conn: &mut DbConnection, step_id: &str) -> ApiResult<Vec<ResultField>> {
    use crate::db::schema::case_steps as s;
    let json: String = s::table
        .find(step_id)
        .select(s::result_fields)
        .first(conn)?;
    templates::parse_fields(&json)
}

/// Plausible values for a step's result fields.
fn sample_values(fields: &[ResultField]) -> Map<String, Value> {
    fields
        .iter()
        .map(|f| {
            let value = match f.field_type {
                ResultFieldType::Text => Value::from("Заполнено по документам клиента"),
                ResultFieldType::Date => Value::from("2026-10-15"),
                ResultFieldType::Number => Value::from(3),
                ResultFieldType::Boolean => Value::from(true),
                ResultFieldType::Choice => {
                    Value::from(f.options.as_ref().and_then(|o| o.first()).cloned())
                }
            };
            (f.key.clone(), value)
        })
        .collect()
}
