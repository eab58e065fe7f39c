use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;

const DEMO_PASSWORD: &str = lexcrm::demo::DEMO_PASSWORD;

async fn demo_app() -> TestApp {
    let app = spawn_app().await;
    let now = app.clock_now();
    let mut conn = app.pool.get().unwrap();
    lexcrm::demo::load(&mut conn, &app.firm, now).expect("demo loads");
    app
}

async fn sign_in(app: &TestApp, email: &str) -> Person {
    let tokens = ok_json(app.login(email, DEMO_PASSWORD).await).await;
    let token = tokens["access_token"].as_str().unwrap().to_string();
    let mut person = Person {
        id: String::new(),
        email: email.to_string(),
        token,
    };
    person.id = ok_json(app.get("/api/v1/me", &person).await).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    person
}

fn count(list: &Value) -> usize {
    list.as_array().map_or(0, Vec::len)
}

#[actix_web::test]
async fn demo_firm_has_people_cases_and_a_month_of_bonuses() {
    let app = demo_app().await;

    let head = sign_in(&app, "head.legal@lexcrm.demo").await;
    let lawyer = sign_in(&app, "lawyer1@lexcrm.demo").await;
    let staff = ok_json(app.get("/api/v1/staff", &head).await).await;
    let cases = ok_json(app.get("/api/v1/cases?limit=200", &head).await).await;
    let queue = ok_json(app.get("/api/v1/approvals", &head).await).await;
    let open = ok_json(app.get("/api/v1/tasks?status=open", &lawyer).await).await;
    let february = ok_json(app.get("/api/v1/leaderboard?month=2026-02", &lawyer).await).await;

    assert_eq!(count(&staff), 14);
    assert_eq!(count(&cases["items"]), 30);
    assert!(queue["total"].as_i64().unwrap() > 0, "{queue}");
    let questionnaire = open["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["title"] == "Заполнение анкеты клиента")
        .expect("a fresh case waits at its questionnaire");
    assert!(count(&questionnaire["result_field_definitions"]) >= 8);
    let busy = february["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["approved_tasks"].as_i64().unwrap() > 0)
        .count();
    assert!(busy >= 7, "{february}");
}

#[actix_web::test]
async fn demo_history_earns_daily_bonuses_once_each_day() {
    let app = demo_app().await;
    let lawyer = sign_in(&app, "lawyer1@lexcrm.demo").await;

    // The server's own job may have settled the history already; either way a run now
    // leaves every past day settled, and a second run finds nothing.
    app.run_daily_bonus();
    let again = app.run_daily_bonus();
    let ledger = ok_json(app.get("/api/v1/ledger?limit=200", &lawyer).await).await;

    assert_eq!(again, lexcrm::bonuses::daily::DailyRun::default());
    let days: Vec<&str> = ledger["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "daily_bonus")
        .map(|e| e["work_date"].as_str().unwrap())
        .collect();
    let distinct: std::collections::HashSet<_> = days.iter().collect();
    assert!(days.len() >= 5, "{ledger}");
    assert_eq!(distinct.len(), days.len());
}

#[actix_web::test]
async fn demo_refuses_a_database_that_has_staff() {
    let app = demo_app().await;
    let now = app.clock_now();

    let second = lexcrm::demo::load(&mut app.pool.get().unwrap(), &app.firm, now);

    assert!(second.is_err());
    let head = sign_in(&app, "head.legal@lexcrm.demo").await;
    let staff = ok_json(app.get("/api/v1/staff", &head).await).await;
    assert_eq!(count(&staff), 14);
    let wrong = app
        .login("head.legal@lexcrm.demo", "not-the-demo-password")
        .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
}
