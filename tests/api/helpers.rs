//! Starts the real server on a free port over a fresh database, and speaks HTTP to it.

use std::sync::{Arc, Once};

use chrono::{DateTime, TimeZone, Utc};
use diesel::{Connection, RunQueryDsl};
use lexcrm::clock::ManualClock;
use lexcrm::config::Settings;
use lexcrm::db::{self, DbPool};
use lexcrm::firm::FirmPolicy;
use lexcrm::staff::{CreateStaffRequest, Role};
use lexcrm::startup::Application;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

static LOGGING: Once = Once::new();

pub const PASSWORD: &str = "correct-horse-battery";

/// A running lexcrm and the handles a test needs.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub pool: DbPool,
    pub clock: Arc<ManualClock>,
    pub firm: FirmPolicy,
    /// Dropped with the app: removes the SQLite file or drops the PostgreSQL database.
    _database: TestDatabase,
}

enum TestDatabase {
    Sqlite(std::path::PathBuf),
    Postgres { admin_url: String, name: String },
}

/// A fixed start, a Wednesday noon in Moscow, so tests about days and months are stable.
pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 11, 9, 0, 0).unwrap()
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Loads settings as production does, then points them at a fresh database and a free port.
pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    LOGGING.call_once(|| {
        if std::env::var("TEST_LOG").is_ok() {
            let env = env_logger::Env::default().default_filter_or("info");
            let _ = env_logger::Builder::from_env(env).is_test(true).try_init();
        }
    });

    let mut settings = Settings::from_env().expect("settings");
    let database = fresh_database();
    settings.database_url = database.url();
    settings.host = "127.0.0.1".to_string();
    settings.port = 0;
    settings.jwt_secret = Some("test-signing-key".to_string());
    settings.login_attempts_per_minute = 10_000;
    settings.job_interval = std::time::Duration::from_secs(3600);
    settings.database_pool_size = 4;
    configure(&mut settings);

    let pool = db::connect(&settings.database_url, settings.database_pool_size).expect("database");
    let clock = Arc::new(ManualClock::new(start_time()));
    let firm = FirmPolicy::from_settings(&settings);
    let app = Application::build_with(settings, pool.clone(), clock.clone()).expect("app");
    let address = format!("http://127.0.0.1:{}", app.port());
    actix_web::rt::spawn(app.run_until_stopped());

    TestApp {
        address,
        client: reqwest::Client::new(),
        pool,
        clock,
        firm,
        _database: database,
    }
}

fn fresh_database() -> TestDatabase {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin_url) if !admin_url.is_empty() => {
            let name = format!("lexcrm_test_{}", uuid::Uuid::new_v4().simple());
            let mut conn = diesel::PgConnection::establish(&admin_url).expect("TEST_DATABASE_URL");
            diesel::sql_query(format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .expect("create database");
            TestDatabase::Postgres { admin_url, name }
        }
        _ => {
            let path =
                std::env::temp_dir().join(format!("lexcrm-test-{}.db", uuid::Uuid::new_v4()));
            TestDatabase::Sqlite(path)
        }
    }
}

impl TestDatabase {
    fn url(&self) -> String {
        match self {
            Self::Sqlite(path) => format!("sqlite://{}", path.display()),
            Self::Postgres { admin_url, name } => {
                let base = admin_url
                    .rsplit_once('/')
                    .map_or(admin_url.as_str(), |(b, _)| b);
                format!("{base}/{name}")
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match self {
            Self::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Self::Postgres { admin_url, name } => {
                if let Ok(mut conn) = diesel::PgConnection::establish(admin_url) {
                    let _ =
                        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                            .execute(&mut conn);
                }
            }
        }
    }
}

/// A signed-in staff member.
#[derive(Clone, Debug)]
pub struct Person {
    pub id: String,
    pub email: String,
    pub token: String,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str, who: &Person) -> Response {
        self.client
            .get(self.url(path))
            .bearer_auth(&who.token)
            .send()
            .await
            .expect("request")
    }

    pub async fn post(&self, path: &str, who: &Person, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .bearer_auth(&who.token)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn put(&self, path: &str, who: &Person, body: &Value) -> Response {
        self.client
            .put(self.url(path))
            .bearer_auth(&who.token)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn patch(&self, path: &str, who: &Person, body: &Value) -> Response {
        self.client
            .patch(self.url(path))
            .bearer_auth(&who.token)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// Posts without a token.
    pub async fn post_anonymous(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.post_anonymous(
            "/api/v1/auth/login",
            &json!({"email": email, "password": password}),
        )
        .await
    }

    /// Creates the first admin the way `lexcrm create-admin` does, and signs in.
    pub async fn bootstrap_admin(&self) -> Person {
        let request = CreateStaffRequest {
            email: "admin@firm.test".to_string(),
            full_name: "Admin".to_string(),
            role: Role::Admin,
            supervisor_id: None,
            password: PASSWORD.to_string(),
        };
        let now = self.clock_now();
        let admin = {
            let mut conn = self.pool.get().unwrap();
            db::write_tx(&mut conn, |c| lexcrm::staff::create(c, request, now)).unwrap()
        };
        self.sign_in(&admin.id, "admin@firm.test").await
    }

    pub fn clock_now(&self) -> chrono::NaiveDateTime {
        use lexcrm::clock::Clock;
        self.clock.now().naive_utc()
    }

    async fn sign_in(&self, id: &str, email: &str) -> Person {
        let body: Value = ok_json(self.login(email, PASSWORD).await).await;
        Person {
            id: id.to_string(),
            email: email.to_string(),
            token: body["access_token"].as_str().unwrap().to_string(),
        }
    }

    /// Creates a staff member through the API as `admin` and signs them in.
    pub async fn hire(
        &self,
        admin: &Person,
        email: &str,
        role: &str,
        supervisor: Option<&Person>,
    ) -> Person {
        let body = json!({
            "email": email,
            "full_name": format!("Staff {email}"),
            "role": role,
            "supervisor_id": supervisor.map(|s| s.id.clone()),
            "password": PASSWORD,
        });
        let created: Value = created_json(self.post("/api/v1/staff", admin, &body).await).await;
        self.sign_in(created["id"].as_str().unwrap(), email).await
    }

    /// Runs the daily bonus job as the server's background loop would.
    pub fn run_daily_bonus(&self) -> lexcrm::bonuses::daily::DailyRun {
        let mut conn = self.pool.get().unwrap();
        lexcrm::bonuses::daily::run(&mut conn, &self.firm, self.clock_now()).unwrap()
    }
}

/// A small firm: an admin, the head of legal with two lawyers, the head of sales with a
/// client manager, one client and a three-step template.
pub struct Firm {
    pub admin: Person,
    pub head: Person,
    pub lawyer: Person,
    pub other_lawyer: Person,
    pub head_of_sales: Person,
    pub manager: Person,
    pub client_id: String,
    pub template_id: String,
}

pub fn three_step_template() -> Value {
    json!({
        "name": "Bankruptcy",
        "description": "Personal bankruptcy",
        "steps": [
            {
                "title": "Client questionnaire",
                "preset_difficulty": 2,
                "duration_days": 3,
                "performer": "responsible_lawyer",
                "notify_client": true,
                "client_message":
                    "We filled in your questionnaire, {{ client_name }}: {{ result.birth_date }}",
                "result_fields": [
                    {"key": "birth_date", "label": "Birth date", "type": "date", "required": true},
                    {"key": "tax_number", "label": "Tax number", "type": "text", "required": true},
                    {"key": "children", "label": "Children", "type": "number"},
                    {"key": "marital_status", "label": "Marital status", "type": "choice",
                     "options": ["single", "married"]}
                ]
            },
            {
                "title": "Collect bank statements",
                "preset_difficulty": null,
                "duration_days": 10,
                "performer": "responsible_lawyer"
            },
            {
                "title": "Call the client",
                "preset_difficulty": 1,
                "duration_days": 1,
                "performer": "client_manager"
            }
        ]
    })
}

impl TestApp {
    pub async fn firm(&self) -> Firm {
        let admin = self.bootstrap_admin().await;
        let head = self
            .hire(&admin, "head@firm.test", "head_of_legal", Some(&admin))
            .await;
        let lawyer = self
            .hire(&admin, "lawyer@firm.test", "lawyer", Some(&head))
            .await;
        let other_lawyer = self
            .hire(&admin, "lawyer2@firm.test", "lawyer", Some(&head))
            .await;
        let head_of_sales = self
            .hire(&admin, "sales@firm.test", "head_of_sales", Some(&admin))
            .await;
        let manager = self
            .hire(
                &admin,
                "manager@firm.test",
                "client_manager",
                Some(&head_of_sales),
            )
            .await;

        let client: Value = created_json(
            self.post(
                "/api/v1/clients",
                &admin,
                &json!({
                    "full_name": "Иван Петров",
                    "phone": "+7 916 123-45-67",
                    "email": "ivan@example.ru",
                    "client_manager_id": manager.id,
                }),
            )
            .await,
        )
        .await;
        let template: Value = created_json(
            self.post("/api/v1/case-templates", &admin, &three_step_template())
                .await,
        )
        .await;

        Firm {
            admin,
            head,
            lawyer,
            other_lawyer,
            head_of_sales,
            manager,
            client_id: client["id"].as_str().unwrap().to_string(),
            template_id: template["id"].as_str().unwrap().to_string(),
        }
    }

    /// Opens a case for the firm's client with `lawyer` responsible; returns (case, first task).
    pub async fn open_case(&self, firm: &Firm, lawyer: &Person) -> (Value, String) {
        let case: Value = created_json(
            self.post(
                "/api/v1/cases",
                &firm.head,
                &json!({
                    "client_id": firm.client_id,
                    "template_id": firm.template_id,
                    "responsible_lawyer_id": lawyer.id,
                }),
            )
            .await,
        )
        .await;
        let task_id = case["steps"][0]["task_id"].as_str().unwrap().to_string();
        (case, task_id)
    }

    /// A manual task for `assignee`, created by themselves, due in a day.
    pub async fn manual_task(&self, assignee: &Person, preset: Option<i32>) -> String {
        let due = self.clock.as_ref().now_utc() + chrono::Duration::days(1);
        let task: Value = created_json(
            self.post(
                "/api/v1/tasks",
                assignee,
                &json!({
                    "title": "Prepare the creditors list",
                    "assignee_id": assignee.id,
                    "due_at": due.to_rfc3339(),
                    "preset_difficulty": preset,
                }),
            )
            .await,
        )
        .await;
        task["id"].as_str().unwrap().to_string()
    }

    pub async fn submit(&self, task_id: &str, who: &Person, fields: Value) -> Response {
        self.post(
            &format!("/api/v1/tasks/{task_id}/submit"),
            who,
            &json!({"result_text": "Done, documents attached", "result_fields": fields}),
        )
        .await
    }

    pub async fn approve(&self, task_id: &str, who: &Person, body: Value) -> Response {
        self.post(&format!("/api/v1/tasks/{task_id}/approve"), who, &body)
            .await
    }
}

pub trait ClockExt {
    fn now_utc(&self) -> DateTime<Utc>;
}

impl ClockExt for ManualClock {
    fn now_utc(&self) -> DateTime<Utc> {
        use lexcrm::clock::Clock;
        self.now()
    }
}

/// Asserts 200 and returns the body.
pub async fn ok_json(response: Response) -> Value {
    expect_json(response, StatusCode::OK).await
}

/// Asserts 201 and returns the body.
pub async fn created_json(response: Response) -> Value {
    expect_json(response, StatusCode::CREATED).await
}

/// Asserts the status and returns the JSON body.
pub async fn expect_json(response: Response, status: StatusCode) -> Value {
    let actual = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(actual, status, "unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// Asserts a problem+json answer with this status and code; returns the body.
pub async fn expect_problem(response: Response, status: StatusCode, code: &str) -> Value {
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = expect_json(response, status).await;
    assert_eq!(content_type, "application/problem+json", "body: {body}");
    assert_eq!(body["code"], code, "body: {body}");
    assert_eq!(body["status"], status.as_u16(), "body: {body}");
    body
}

/// The `field` of every entry of a problem's `errors`.
pub fn error_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["field"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The ids of a list of anything with an `id`.
pub fn ids(items: &Value) -> Vec<String> {
    items
        .as_array()
        .expect("an array")
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect()
}

impl TestApp {
    /// A sales manager reporting to the firm's head of sales.
    pub async fn hire_seller(&self, firm: &Firm, email: &str) -> Person {
        self.hire(
            &firm.admin,
            email,
            "sales_manager",
            Some(&firm.head_of_sales),
        )
        .await
    }
}

/// Asserts a 422 validation problem; returns the body.
pub async fn expect_invalid(response: Response) -> Value {
    expect_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await
}
