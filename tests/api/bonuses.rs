//! Bonuses over HTTP: the leaderboard, the ledger, rates, revocations, adjustments and the
//! daily no-overdue bonus.

use std::collections::BTreeSet;

use chrono::{DateTime, TimeZone, Utc};
use diesel::RunQueryDsl;
use lexcrm::bonuses::daily::DailyRun;
use lexcrm::config::Settings;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

const DAILY_BONUS: i64 = 50_000;
/// Staff of `app.firm()` who can earn the daily bonus: everyone but the admin.
const NON_ADMIN_STAFF: u32 = 5;

fn utc(month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, month, day, hour, minute, 0)
        .unwrap()
}

/// Access tokens that outlive the days these tests move the clock over.
fn long_tokens(settings: &mut Settings) {
    settings.access_token_ttl = std::time::Duration::from_secs(120 * 24 * 3600);
}

async fn spawn_app_for_days() -> TestApp {
    spawn_app_with(long_tokens).await
}

/// A manual task of `lawyer`, submitted and approved by the head with `difficulty`.
async fn approved_task(app: &TestApp, firm: &Firm, lawyer: &Person, difficulty: i32) -> String {
    let task = app.manual_task(lawyer, None).await;
    ok_json(app.submit(&task, lawyer, json!({})).await).await;
    ok_json(
        app.approve(&task, &firm.head, json!({"difficulty": difficulty}))
            .await,
    )
    .await;
    task
}

async fn leaderboard(app: &TestApp, who: &Person, query: &str) -> Value {
    ok_json(app.get(&format!("/api/v1/leaderboard{query}"), who).await).await
}

/// The leaderboard line of `who`; panics when they are not listed.
fn line<'a>(board: &'a Value, who: &Person) -> &'a Value {
    board["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["staff_id"] == who.id.as_str())
        .unwrap_or_else(|| panic!("{} not on the leaderboard: {board}", who.email))
}

fn listed(board: &Value, who: &Person) -> bool {
    board["entries"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["staff_id"] == who.id.as_str())
}

async fn ledger(app: &TestApp, who: &Person, query: &str) -> Vec<Value> {
    let page = ok_json(app.get(&format!("/api/v1/ledger{query}"), who).await).await;
    page["items"].as_array().unwrap().clone()
}

fn of_kind<'a>(items: &'a [Value], kind: &str) -> Vec<&'a Value> {
    items.iter().filter(|e| e["kind"] == kind).collect()
}

fn amounts(items: &[Value]) -> Vec<i64> {
    items
        .iter()
        .map(|e| e["amount_minor"].as_i64().unwrap())
        .collect()
}

/// Work dates of a staff member's daily bonuses, as the admin reads them.
async fn daily_dates(app: &TestApp, firm: &Firm, who: &Person) -> Vec<String> {
    let items = ledger(app, &firm.admin, &format!("?staff_id={}", who.id)).await;
    of_kind(&items, "daily_bonus")
        .iter()
        .map(|e| e["work_date"].as_str().unwrap().to_string())
        .collect()
}

async fn adjust(app: &TestApp, by: &Person, body: Value) -> reqwest::Response {
    app.post("/api/v1/ledger/adjustments", by, &body).await
}

// ---------------------------------------------------------------------------------------
// Leaderboard

#[actix_web::test]
async fn approval_shows_on_the_leaderboard_at_once_and_totals_rank_staff() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let before = leaderboard(&app, &firm.manager, "").await;

    approved_task(&app, &firm, &firm.lawyer, 3).await;
    approved_task(&app, &firm, &firm.lawyer, 4).await;
    approved_task(&app, &firm, &firm.other_lawyer, 2).await;
    let after = leaderboard(&app, &firm.manager, "").await;

    assert_eq!(line(&before, &firm.lawyer)["total_minor"], 0);
    assert_eq!(line(&before, &firm.lawyer)["rank"], 1);
    let first = line(&after, &firm.lawyer);
    assert_eq!(first["rank"], 1);
    assert_eq!(first["total_minor"], 35_000 + 50_000);
    assert_eq!(first["approved_tasks"], 2);
    assert_eq!(first["average_difficulty"], 3.5);
    assert_eq!(first["zero_rated_tasks"], 0);
    let second = line(&after, &firm.other_lawyer);
    assert_eq!(second["rank"], 2);
    assert_eq!(second["total_minor"], 20_000);
    assert_eq!(second["approved_tasks"], 1);
    assert_eq!(second["average_difficulty"], 2.0);
    assert_eq!(after["entries"][0]["staff_id"], firm.lawyer.id.as_str());
    assert_eq!(
        after["entries"][1]["staff_id"],
        firm.other_lawyer.id.as_str()
    );
    assert_eq!(after["currency"], "RUB");
}

#[actix_web::test]
async fn staff_without_bonuses_are_listed_with_zero_and_share_a_rank() {
    let app = spawn_app().await;
    let firm = app.firm().await;

    approved_task(&app, &firm, &firm.lawyer, 3).await;
    let board = leaderboard(&app, &firm.lawyer, "").await;

    assert_eq!(board["entries"].as_array().unwrap().len(), 5, "{board}");
    for idle in [
        &firm.head,
        &firm.other_lawyer,
        &firm.head_of_sales,
        &firm.manager,
    ] {
        let entry = line(&board, idle);
        assert_eq!(entry["total_minor"], 0);
        assert_eq!(entry["approved_tasks"], 0);
        assert_eq!(entry["average_difficulty"], Value::Null);
        assert_eq!(entry["rank"], 2, "{entry}");
    }
    assert!(!listed(&board, &firm.admin), "{board}");
}

#[actix_web::test]
async fn equal_totals_share_a_rank_and_the_next_rank_skips() {
    let app = spawn_app().await;
    let firm = app.firm().await;

    approved_task(&app, &firm, &firm.lawyer, 3).await;
    approved_task(&app, &firm, &firm.other_lawyer, 3).await;
    let board = leaderboard(&app, &firm.head, "").await;

    assert_eq!(line(&board, &firm.lawyer)["rank"], 1);
    assert_eq!(line(&board, &firm.other_lawyer)["rank"], 1);
    assert_eq!(line(&board, &firm.head)["rank"], 3);
    assert_eq!(line(&board, &firm.manager)["rank"], 3);
}

#[actix_web::test]
async fn average_difficulty_is_rounded_to_two_decimals() {
    let app = spawn_app().await;
    let firm = app.firm().await;

    for difficulty in [1, 2, 2] {
        approved_task(&app, &firm, &firm.lawyer, difficulty).await;
    }
    let board = leaderboard(&app, &firm.lawyer, "").await;

    assert_eq!(line(&board, &firm.lawyer)["average_difficulty"], 1.67);
    assert_eq!(line(&board, &firm.lawyer)["total_minor"], 50_000);
}

#[actix_web::test]
async fn admins_are_listed_only_when_they_have_totals() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let without = leaderboard(&app, &firm.lawyer, "").await;

    let response = adjust(
        &app,
        &firm.admin,
        json!({"staff_id": firm.admin.id, "amount_minor": 7_000, "reason": "ran a seminar"}),
    )
    .await;
    created_json(response).await;
    let with = leaderboard(&app, &firm.lawyer, "").await;

    assert!(!listed(&without, &firm.admin), "{without}");
    assert_eq!(line(&with, &firm.admin)["total_minor"], 7_000);
    assert_eq!(line(&with, &firm.admin)["rank"], 1);
    assert_eq!(line(&with, &firm.admin)["role"], "admin");
}

#[actix_web::test]
async fn leaderboard_month_is_the_firms_local_month() {
    let app = spawn_app_for_days().await;
    let firm = app.firm().await;
    let march = leaderboard(&app, &firm.lawyer, "").await;
    app.clock.set(utc(3, 31, 20, 0)); // 23:00 in Moscow, still March
    let task = app.manual_task(&firm.lawyer, Some(3)).await;
    ok_json(app.submit(&task, &firm.lawyer, json!({})).await).await;
    app.clock.set(utc(3, 31, 21, 30)); // 00:30 in Moscow, April 1

    ok_json(app.approve(&task, &firm.head, json!({})).await).await;
    let april = leaderboard(&app, &firm.lawyer, "?month=2026-04").await;
    let march_after = leaderboard(&app, &firm.lawyer, "?month=2026-03").await;
    let current = leaderboard(&app, &firm.lawyer, "").await;
    let entries = ledger(&app, &firm.lawyer, "").await;

    assert_eq!(march["month"], "2026-03");
    assert_eq!(line(&april, &firm.lawyer)["total_minor"], 35_000);
    assert_eq!(line(&april, &firm.lawyer)["approved_tasks"], 1);
    assert_eq!(line(&march_after, &firm.lawyer)["total_minor"], 0);
    assert_eq!(line(&march_after, &firm.lawyer)["approved_tasks"], 0);
    assert_eq!(current["month"], "2026-04");
    assert_eq!(line(&current, &firm.lawyer)["total_minor"], 35_000);
    assert_eq!(entries[0]["month"], "2026-04");
}

#[actix_web::test]
async fn leaderboard_refuses_a_month_that_is_not_yyyy_mm() {
    let app = spawn_app().await;
    let admin = app.bootstrap_admin().await;

    let thirteenth = app.get("/api/v1/leaderboard?month=2026-13", &admin).await;
    let named = app.get("/api/v1/leaderboard?month=March", &admin).await;

    for response in [thirteenth, named] {
        let problem = expect_invalid(response).await;
        assert_eq!(error_fields(&problem), ["month"], "{problem}");
    }
}

// ---------------------------------------------------------------------------------------
// Ledger

#[actix_web::test]
async fn lawyer_reads_only_their_own_ledger() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let own = approved_task(&app, &firm, &firm.lawyer, 2).await;
    approved_task(&app, &firm, &firm.other_lawyer, 3).await;

    let entries = ledger(&app, &firm.lawyer, "").await;
    let asked_for_self = ledger(&app, &firm.lawyer, &format!("?staff_id={}", firm.lawyer.id)).await;
    let asked_for_other = app
        .get(
            &format!("/api/v1/ledger?staff_id={}", firm.other_lawyer.id),
            &firm.lawyer,
        )
        .await;

    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["staff_id"], firm.lawyer.id.as_str());
    assert_eq!(entries[0]["kind"], "task_bonus");
    assert_eq!(entries[0]["task_id"], own.as_str());
    assert_eq!(entries[0]["amount_minor"], 20_000);
    assert_eq!(entries[0]["difficulty"], 2);
    assert_eq!(entries[0]["currency"], "RUB");
    assert_eq!(entries[0]["created_by_id"], Value::Null);
    assert_eq!(asked_for_self.len(), 1);
    expect_problem(asked_for_other, StatusCode::FORBIDDEN, "forbidden").await;
}

#[actix_web::test]
async fn head_reads_the_team_ledger_and_admin_reads_all() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    approved_task(&app, &firm, &firm.lawyer, 2).await;
    approved_task(&app, &firm, &firm.other_lawyer, 3).await;
    for who in [&firm.head, &firm.manager] {
        let body = json!({"staff_id": who.id, "amount_minor": 1_000, "reason": "bonus"});
        created_json(adjust(&app, &firm.admin, body).await).await;
    }

    let heads = ledger(&app, &firm.head, "").await;
    let heads_manager = app
        .get(
            &format!("/api/v1/ledger?staff_id={}", firm.manager.id),
            &firm.head,
        )
        .await;
    let heads_lawyer = ledger(&app, &firm.head, &format!("?staff_id={}", firm.lawyer.id)).await;
    let admins = ledger(&app, &firm.admin, "").await;

    let owners = |items: &[Value]| -> BTreeSet<String> {
        items
            .iter()
            .map(|e| e["staff_id"].as_str().unwrap().to_string())
            .collect()
    };
    let team: BTreeSet<String> = [&firm.head, &firm.lawyer, &firm.other_lawyer]
        .iter()
        .map(|p| p.id.clone())
        .collect();
    assert_eq!(heads.len(), 3, "{heads:?}");
    assert_eq!(owners(&heads), team);
    expect_problem(heads_manager, StatusCode::FORBIDDEN, "forbidden").await;
    assert_eq!(heads_lawyer.len(), 1);
    assert_eq!(admins.len(), 4, "{admins:?}");
    assert!(owners(&admins).contains(&firm.manager.id));
}

#[actix_web::test]
async fn ledger_filters_by_month() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    approved_task(&app, &firm, &firm.lawyer, 1).await;
    let body = json!({
        "staff_id": firm.lawyer.id,
        "amount_minor": 3_000,
        "reason": "February overtime",
        "month": "2026-02",
    });
    created_json(adjust(&app, &firm.admin, body).await).await;

    let february = ledger(&app, &firm.lawyer, "?month=2026-02").await;
    let march = ledger(&app, &firm.lawyer, "?month=2026-03").await;
    let bad = app.get("/api/v1/ledger?month=2026-3", &firm.lawyer).await;
    let february_board = leaderboard(&app, &firm.lawyer, "?month=2026-02").await;

    assert_eq!(february.len(), 1);
    assert_eq!(february[0]["kind"], "adjustment");
    assert_eq!(february[0]["month"], "2026-02");
    assert_eq!(march.len(), 1);
    assert_eq!(march[0]["kind"], "task_bonus");
    let problem = expect_invalid(bad).await;
    assert_eq!(error_fields(&problem), ["month"]);
    assert_eq!(line(&february_board, &firm.lawyer)["total_minor"], 3_000);
}

#[actix_web::test]
async fn ledger_lists_newest_first_and_pages_by_cursor() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    for i in 1..=5 {
        app.clock.advance(chrono::Duration::seconds(30));
        let body = json!({"staff_id": firm.lawyer.id, "amount_minor": i * 100, "reason": "step"});
        created_json(adjust(&app, &firm.admin, body).await).await;
    }

    let all = ledger(&app, &firm.lawyer, "").await;
    let mut paged = Vec::new();
    let mut pages = 0;
    let mut query = "?limit=2".to_string();
    loop {
        let page = ok_json(
            app.get(&format!("/api/v1/ledger{query}"), &firm.lawyer)
                .await,
        )
        .await;
        pages += 1;
        paged.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(cursor) => query = format!("?limit=2&cursor={cursor}"),
            None => break,
        }
    }

    assert_eq!(amounts(&all), [500, 400, 300, 200, 100]);
    let times: Vec<&str> = all
        .iter()
        .map(|e| e["created_at"].as_str().unwrap())
        .collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted);
    assert_eq!(pages, 3);
    assert_eq!(amounts(&paged), [500, 400, 300, 200, 100]);
}

#[actix_web::test]
async fn ledger_is_append_only_in_the_database() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    approved_task(&app, &firm, &firm.lawyer, 2).await;

    let (update, delete) = {
        let mut conn = app.pool.get().unwrap();
        let update =
            diesel::sql_query("UPDATE ledger_entries SET amount_minor = 1").execute(&mut *conn);
        let delete = diesel::sql_query("DELETE FROM ledger_entries").execute(&mut *conn);
        (update, delete)
    };

    let update = update.expect_err("UPDATE on the ledger must fail");
    let delete = delete.expect_err("DELETE on the ledger must fail");
    assert!(update.to_string().contains("append-only"), "{update}");
    assert!(delete.to_string().contains("append-only"), "{delete}");
    let entries = ledger(&app, &firm.admin, "").await;
    assert_eq!(amounts(&entries), [20_000]);
}

// ---------------------------------------------------------------------------------------
// Rates

#[actix_web::test]
async fn new_rates_apply_to_later_approvals_only() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    approved_task(&app, &firm, &firm.lawyer, 3).await;

    let rates = ok_json(
        app.put(
            "/api/v1/bonus-rates",
            &firm.admin,
            &json!({"rates": [{"difficulty": 3, "amount_minor": 40_000}]}),
        )
        .await,
    )
    .await;
    let task = app.manual_task(&firm.lawyer, None).await;
    ok_json(app.submit(&task, &firm.lawyer, json!({})).await).await;
    let outcome = ok_json(
        app.approve(&task, &firm.head, json!({"difficulty": 3}))
            .await,
    )
    .await;

    let amount_of = |d: i64| {
        rates["rates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["difficulty"] == d)
            .map(|r| r["amount_minor"].as_i64().unwrap())
    };
    assert_eq!(amount_of(3), Some(40_000));
    assert_eq!(amount_of(1), Some(10_000));
    assert_eq!(outcome["credited_minor"], 40_000);
    let entries = ledger(&app, &firm.lawyer, "").await;
    assert_eq!(amounts(&entries), [40_000, 35_000]);
    let board = leaderboard(&app, &firm.lawyer, "").await;
    assert_eq!(line(&board, &firm.lawyer)["total_minor"], 75_000);
}

#[actix_web::test]
async fn only_the_admin_sets_rates() {
    let app = spawn_app().await;
    let firm = app.firm().await;

    let response = app
        .put(
            "/api/v1/bonus-rates",
            &firm.lawyer,
            &json!({"rates": [{"difficulty": 1, "amount_minor": 1_000_000}]}),
        )
        .await;
    let rates = ok_json(app.get("/api/v1/bonus-rates", &firm.lawyer).await).await;

    expect_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
    assert_eq!(rates["rates"][0]["amount_minor"], 10_000);
}

#[actix_web::test]
async fn bad_rates_are_refused_naming_the_rate() {
    let app = spawn_app().await;
    let admin = app.bootstrap_admin().await;
    let cases = [
        (
            json!([{"difficulty": 6, "amount_minor": 100}]),
            "rates[0].difficulty",
        ),
        (
            json!([{"difficulty": 1, "amount_minor": 100}, {"difficulty": 2, "amount_minor": -1}]),
            "rates[1].amount_minor",
        ),
        (
            json!([{"difficulty": 3, "amount_minor": 100}, {"difficulty": 3, "amount_minor": 200}]),
            "rates[1].difficulty",
        ),
    ];

    for (rates, field) in cases {
        let response = app
            .put("/api/v1/bonus-rates", &admin, &json!({"rates": rates}))
            .await;

        let problem = expect_invalid(response).await;
        assert_eq!(error_fields(&problem), [field], "{problem}");
    }
    let unchanged = ok_json(app.get("/api/v1/bonus-rates", &admin).await).await;
    let list: Vec<i64> = unchanged["rates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["amount_minor"].as_i64().unwrap())
        .collect();
    assert_eq!(list, [10_000, 20_000, 35_000, 50_000, 70_000]);
}

// ---------------------------------------------------------------------------------------
// Revoking an approval

#[actix_web::test]
async fn revoking_an_approval_writes_a_reversal_and_resubmits_the_task() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let task = approved_task(&app, &firm, &firm.lawyer, 3).await;

    let revoked = ok_json(
        app.post(
            &format!("/api/v1/tasks/{task}/revoke-approval"),
            &firm.admin,
            &json!({"reason": "the statement was wrong"}),
        )
        .await,
    )
    .await;

    assert_eq!(revoked["status"], "submitted");
    assert_eq!(revoked["difficulty"], Value::Null);
    let entries = ledger(&app, &firm.lawyer, "").await;
    assert_eq!(amounts(&entries), [-35_000, 35_000]);
    let reversal = &entries[0];
    assert_eq!(reversal["kind"], "reversal");
    assert_eq!(reversal["task_id"], task.as_str());
    assert_eq!(reversal["month"], "2026-03");
    assert_eq!(reversal["reason"], "the statement was wrong");
    assert_eq!(reversal["created_by_id"], firm.admin.id.as_str());
    let board = leaderboard(&app, &firm.lawyer, "").await;
    let entry = line(&board, &firm.lawyer);
    assert_eq!(entry["total_minor"], 0);
    assert_eq!(entry["approved_tasks"], 0);
    assert_eq!(entry["average_difficulty"], Value::Null);
}

#[actix_web::test]
async fn approving_again_after_a_revocation_leaves_one_net_credit() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let task = approved_task(&app, &firm, &firm.lawyer, 3).await;
    ok_json(
        app.post(
            &format!("/api/v1/tasks/{task}/revoke-approval"),
            &firm.admin,
            &json!({"reason": "missing attachment"}),
        )
        .await,
    )
    .await;

    let outcome = ok_json(
        app.approve(&task, &firm.head, json!({"difficulty": 3}))
            .await,
    )
    .await;

    assert_eq!(outcome["credited_minor"], 35_000);
    assert_eq!(outcome["task"]["status"], "approved");
    let entries = ledger(&app, &firm.lawyer, "").await;
    assert_eq!(of_kind(&entries, "task_bonus").len(), 2);
    assert_eq!(of_kind(&entries, "reversal").len(), 1);
    assert_eq!(amounts(&entries).iter().sum::<i64>(), 35_000);
    let board = leaderboard(&app, &firm.lawyer, "").await;
    let entry = line(&board, &firm.lawyer);
    assert_eq!(entry["total_minor"], 35_000);
    assert_eq!(entry["approved_tasks"], 1);
    assert_eq!(entry["average_difficulty"], 3.0);
}

#[actix_web::test]
async fn only_the_admin_revokes_an_approval() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let task = approved_task(&app, &firm, &firm.lawyer, 3).await;

    let response = app
        .post(
            &format!("/api/v1/tasks/{task}/revoke-approval"),
            &firm.head,
            &json!({"reason": "changed my mind"}),
        )
        .await;

    expect_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
    let still = ok_json(app.get(&format!("/api/v1/tasks/{task}"), &firm.head).await).await;
    assert_eq!(still["status"], "approved");
    assert_eq!(amounts(&ledger(&app, &firm.lawyer, "").await), [35_000]);
}

#[actix_web::test]
async fn revoking_a_task_that_is_not_approved_is_a_conflict() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let task = app.manual_task(&firm.lawyer, Some(2)).await;
    ok_json(app.submit(&task, &firm.lawyer, json!({})).await).await;

    let response = app
        .post(
            &format!("/api/v1/tasks/{task}/revoke-approval"),
            &firm.admin,
            &json!({"reason": "never approved"}),
        )
        .await;

    expect_problem(response, StatusCode::CONFLICT, "invalid_transition").await;
    assert!(ledger(&app, &firm.admin, "").await.is_empty());
}

#[actix_web::test]
async fn revoking_in_a_later_month_reverses_in_the_month_credited() {
    let app = spawn_app_for_days().await;
    let firm = app.firm().await;
    app.clock.set(utc(3, 31, 20, 0)); // 23:00 in Moscow, March 31
    let task = approved_task(&app, &firm, &firm.lawyer, 4).await;
    app.clock.set(utc(3, 31, 21, 30)); // 00:30 in Moscow, April 1

    ok_json(
        app.post(
            &format!("/api/v1/tasks/{task}/revoke-approval"),
            &firm.admin,
            &json!({"reason": "duplicate"}),
        )
        .await,
    )
    .await;

    let entries = ledger(&app, &firm.lawyer, "").await;
    assert_eq!(entries[0]["kind"], "reversal");
    assert_eq!(entries[0]["month"], "2026-03");
    let march = leaderboard(&app, &firm.lawyer, "?month=2026-03").await;
    assert_eq!(line(&march, &firm.lawyer)["total_minor"], 0);
    assert_eq!(line(&march, &firm.lawyer)["approved_tasks"], 0);
    let april = leaderboard(&app, &firm.lawyer, "?month=2026-04").await;
    assert_eq!(line(&april, &firm.lawyer)["total_minor"], 0);
    assert_eq!(line(&april, &firm.lawyer)["approved_tasks"], 0);
}

#[actix_web::test]
async fn revocation_reverses_the_amount_credited_not_the_current_rate() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let task = approved_task(&app, &firm, &firm.lawyer, 3).await;
    ok_json(
        app.put(
            "/api/v1/bonus-rates",
            &firm.admin,
            &json!({"rates": [{"difficulty": 3, "amount_minor": 99_000}]}),
        )
        .await,
    )
    .await;

    ok_json(
        app.post(
            &format!("/api/v1/tasks/{task}/revoke-approval"),
            &firm.admin,
            &json!({"reason": "wrong client"}),
        )
        .await,
    )
    .await;

    let entries = ledger(&app, &firm.lawyer, "").await;
    assert_eq!(amounts(&entries), [-35_000, 35_000]);
    let board = leaderboard(&app, &firm.lawyer, "").await;
    assert_eq!(line(&board, &firm.lawyer)["total_minor"], 0);
}

// ---------------------------------------------------------------------------------------
// Adjustments

#[actix_web::test]
async fn adjustments_move_the_leaderboard_total_both_ways() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    approved_task(&app, &firm, &firm.lawyer, 1).await;

    let plus = created_json(
        adjust(
            &app,
            &firm.admin,
            json!({"staff_id": firm.lawyer.id, "amount_minor": 15_000, "reason": "  mentoring "}),
        )
        .await,
    )
    .await;
    let after_plus = leaderboard(&app, &firm.lawyer, "").await;
    let minus = created_json(
        adjust(
            &app,
            &firm.admin,
            json!({"staff_id": firm.lawyer.id, "amount_minor": -5_000, "reason": "typo fine"}),
        )
        .await,
    )
    .await;
    let after_minus = leaderboard(&app, &firm.lawyer, "").await;

    assert_eq!(plus["kind"], "adjustment");
    assert_eq!(plus["amount_minor"], 15_000);
    assert_eq!(plus["reason"], "mentoring");
    assert_eq!(plus["month"], "2026-03");
    assert_eq!(plus["created_by_id"], firm.admin.id.as_str());
    assert_eq!(minus["amount_minor"], -5_000);
    assert_eq!(line(&after_plus, &firm.lawyer)["total_minor"], 25_000);
    assert_eq!(line(&after_minus, &firm.lawyer)["total_minor"], 20_000);
    assert_eq!(line(&after_minus, &firm.lawyer)["approved_tasks"], 1);
}

#[actix_web::test]
async fn adjustment_of_zero_out_of_range_or_without_reason_is_refused() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let cases = [
        (
            json!({"amount_minor": 0, "reason": "nothing"}),
            "amount_minor",
        ),
        (json!({"amount_minor": 1_000, "reason": "   "}), "reason"),
        (
            json!({"amount_minor": i64::MAX, "reason": "overflow the total"}),
            "amount_minor",
        ),
        (
            json!({"amount_minor": i64::MIN, "reason": "overflow the total"}),
            "amount_minor",
        ),
    ];

    for (mut body, field) in cases {
        body["staff_id"] = json!(firm.lawyer.id);

        let response = adjust(&app, &firm.admin, body).await;

        let problem = expect_invalid(response).await;
        assert_eq!(error_fields(&problem), [field], "{problem}");
    }
    assert!(ledger(&app, &firm.admin, "").await.is_empty());
}

#[actix_web::test]
async fn lawyer_cannot_post_adjustments() {
    let app = spawn_app().await;
    let firm = app.firm().await;

    let response = adjust(
        &app,
        &firm.lawyer,
        json!({"staff_id": firm.lawyer.id, "amount_minor": 1_000_000, "reason": "I deserve it"}),
    )
    .await;

    expect_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
    let board = leaderboard(&app, &firm.lawyer, "").await;
    assert_eq!(line(&board, &firm.lawyer)["total_minor"], 0);
}

// ---------------------------------------------------------------------------------------
// Difficulty 0

#[actix_web::test]
async fn difficulty_zero_counts_the_task_but_credits_nothing() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    approved_task(&app, &firm, &firm.lawyer, 4).await;
    let task = app.manual_task(&firm.lawyer, Some(2)).await;
    ok_json(app.submit(&task, &firm.lawyer, json!({})).await).await;

    let outcome = ok_json(
        app.approve(
            &task,
            &firm.head,
            json!({"difficulty": 0, "reason": "duplicate of another task"}),
        )
        .await,
    )
    .await;

    assert_eq!(outcome["credited_minor"], 0);
    let entries = ledger(&app, &firm.lawyer, "").await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert!(entries.iter().all(|e| e["task_id"] != task.as_str()));
    let board = leaderboard(&app, &firm.lawyer, "").await;
    let entry = line(&board, &firm.lawyer);
    assert_eq!(entry["total_minor"], 50_000);
    assert_eq!(entry["approved_tasks"], 2);
    assert_eq!(entry["zero_rated_tasks"], 1);
    assert_eq!(entry["average_difficulty"], 2.0);
}

// ---------------------------------------------------------------------------------------
// The daily no-overdue bonus

#[actix_web::test]
async fn daily_bonus_pays_a_finished_day_without_overdue_tasks_once() {
    let app = spawn_app_for_days().await;
    let firm = app.firm().await; // hired Wednesday March 11, noon in Moscow
    let hiring_day = app.run_daily_bonus();
    app.manual_task(&firm.other_lawyer, Some(1)).await; // due Thursday 12:00 in Moscow
    app.clock.set(utc(3, 12, 6, 0)); // Thursday 09:00 in Moscow
    let on_time = app.manual_task(&firm.lawyer, Some(1)).await; // due Friday
    app.clock.set(utc(3, 12, 12, 0)); // Thursday 15:00: the other lawyer is late

    let same_day = app.run_daily_bonus();
    let nothing_yet = ledger(&app, &firm.admin, "").await;
    app.clock.set(utc(3, 12, 21, 30)); // Friday 00:30 in Moscow
    let next_day = app.run_daily_bonus();
    let again = app.run_daily_bonus();

    assert_eq!(hiring_day, DailyRun::default());
    // Wednesday was settled, but everyone was hired during it.
    assert_eq!(
        same_day,
        DailyRun {
            days_settled: 1,
            credits: 0
        }
    );
    assert!(nothing_yet.is_empty(), "{nothing_yet:?}");
    assert_eq!(
        next_day,
        DailyRun {
            days_settled: 1,
            credits: NON_ADMIN_STAFF - 1
        }
    );
    assert_eq!(again, DailyRun::default());
    let entries = ledger(&app, &firm.lawyer, "").await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["kind"], "daily_bonus");
    assert_eq!(entries[0]["amount_minor"], DAILY_BONUS);
    assert_eq!(entries[0]["work_date"], "2026-03-12");
    assert_eq!(entries[0]["month"], "2026-03");
    assert_eq!(
        daily_dates(&app, &firm, &firm.other_lawyer).await,
        Vec::<String>::new()
    );
    assert!(daily_dates(&app, &firm, &firm.admin).await.is_empty());
    let board = leaderboard(&app, &firm.lawyer, "").await;
    assert_eq!(line(&board, &firm.lawyer)["no_overdue_days"], 1);
    assert_eq!(line(&board, &firm.lawyer)["total_minor"], DAILY_BONUS);
    assert_eq!(line(&board, &firm.other_lawyer)["no_overdue_days"], 0);
    assert_eq!(line(&board, &firm.other_lawyer)["total_minor"], 0);
    let task = ok_json(
        app.get(&format!("/api/v1/tasks/{on_time}"), &firm.lawyer)
            .await,
    )
    .await;
    assert_eq!(task["overdue"], false);
}

#[actix_web::test]
async fn daily_bonus_skips_the_weekend() {
    let app = spawn_app_for_days().await;
    let firm = app.firm().await; // Wednesday March 11
    app.run_daily_bonus();
    app.clock.set(utc(3, 12, 21, 30)); // Friday 00:30 in Moscow
    app.run_daily_bonus(); // settles Wednesday and Thursday

    let mut runs = Vec::new();
    for day in [13, 14, 15, 16] {
        app.clock.set(utc(3, day, 21, 30)); // 00:30 in Moscow the next day
        runs.push(app.run_daily_bonus());
    }

    let credits: Vec<u32> = runs.iter().map(|r| r.credits).collect();
    // Friday, Saturday, Sunday, Monday.
    assert_eq!(credits, [NON_ADMIN_STAFF, 0, 0, NON_ADMIN_STAFF]);
    assert!(runs.iter().all(|r| r.days_settled == 1));
    assert_eq!(
        daily_dates(&app, &firm, &firm.lawyer).await,
        ["2026-03-16", "2026-03-13", "2026-03-12"]
    );
    let board = leaderboard(&app, &firm.lawyer, "").await;
    assert_eq!(line(&board, &firm.lawyer)["no_overdue_days"], 3);
    assert_eq!(line(&board, &firm.lawyer)["total_minor"], 3 * DAILY_BONUS);
}

#[actix_web::test]
async fn daily_bonus_catches_up_missed_days_once_each_after_downtime() {
    let app = spawn_app_for_days().await;
    let firm = app.firm().await; // Wednesday March 11
    app.run_daily_bonus();
    app.clock.set(utc(3, 11, 21, 30)); // Thursday 00:30 in Moscow
    app.run_daily_bonus(); // settles Wednesday, when everyone was hired

    app.clock.advance(chrono::Duration::days(5)); // Tuesday March 17, 00:30 in Moscow
    let caught_up = app.run_daily_bonus();
    let again = app.run_daily_bonus();

    // Thursday, Friday and Monday are working days; Saturday and Sunday are not.
    assert_eq!(
        caught_up,
        DailyRun {
            days_settled: 5,
            credits: 3 * NON_ADMIN_STAFF
        }
    );
    assert_eq!(again, DailyRun::default());
    for who in [&firm.head, &firm.lawyer, &firm.other_lawyer, &firm.manager] {
        assert_eq!(
            daily_dates(&app, &firm, who).await,
            ["2026-03-16", "2026-03-13", "2026-03-12"]
        );
    }
    let board = leaderboard(&app, &firm.lawyer, "").await;
    assert_eq!(line(&board, &firm.manager)["no_overdue_days"], 3);
    assert_eq!(line(&board, &firm.manager)["total_minor"], 3 * DAILY_BONUS);
}

#[actix_web::test]
async fn daily_bonus_counts_in_the_month_of_the_work_day() {
    let app = spawn_app_for_days().await;
    let firm = app.firm().await; // Wednesday March 11
    app.run_daily_bonus();

    app.clock.set(utc(3, 31, 21, 30)); // Wednesday April 1, 00:30 in Moscow
    app.run_daily_bonus();

    let entries = ledger(&app, &firm.lawyer, "").await;
    assert_eq!(entries[0]["work_date"], "2026-03-31");
    assert_eq!(entries[0]["month"], "2026-03");
    // March 12 to 31 holds 14 working days.
    let march = leaderboard(&app, &firm.lawyer, "?month=2026-03").await;
    assert_eq!(line(&march, &firm.lawyer)["no_overdue_days"], 14);
    assert_eq!(line(&march, &firm.lawyer)["total_minor"], 14 * DAILY_BONUS);
    let april = leaderboard(&app, &firm.lawyer, "?month=2026-04").await;
    assert_eq!(line(&april, &firm.lawyer)["no_overdue_days"], 0);
}

#[actix_web::test]
async fn daily_bonus_of_zero_credits_nothing() {
    let app = spawn_app_with(|settings| {
        long_tokens(settings);
        settings.daily_bonus_minor = 0;
    })
    .await;
    let firm = app.firm().await;
    app.run_daily_bonus();

    app.clock.set(utc(3, 17, 9, 0)); // Tuesday, six days later
    let run = app.run_daily_bonus();

    assert_eq!(run.credits, 0);
    assert_eq!(run.days_settled, 6);
    assert!(ledger(&app, &firm.admin, "").await.is_empty());
    let board = leaderboard(&app, &firm.lawyer, "").await;
    assert_eq!(line(&board, &firm.lawyer)["no_overdue_days"], 0);
    assert_eq!(line(&board, &firm.lawyer)["total_minor"], 0);
}

#[actix_web::test]
async fn two_daily_jobs_at_once_credit_each_day_once() {
    let app = spawn_app_for_days().await;
    let firm = app.firm().await; // Wednesday March 11
    app.run_daily_bonus();
    app.clock.set(utc(3, 19, 21, 30)); // Friday March 20, 00:30 in Moscow
    let start = std::sync::Barrier::new(2);

    let runs: Vec<DailyRun> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    start.wait();
                    app.run_daily_bonus()
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });

    // Thursday 12 and Friday 13, Monday 16 to Thursday 19: six working days.
    let total: u32 = runs.iter().map(|r| r.credits).sum();
    assert_eq!(total, 6 * NON_ADMIN_STAFF, "{runs:?}");
    let expected = [
        "2026-03-19",
        "2026-03-18",
        "2026-03-17",
        "2026-03-16",
        "2026-03-13",
        "2026-03-12",
    ];
    let board = leaderboard(&app, &firm.lawyer, "").await;
    for who in [
        &firm.head,
        &firm.lawyer,
        &firm.other_lawyer,
        &firm.head_of_sales,
        &firm.manager,
    ] {
        assert_eq!(
            daily_dates(&app, &firm, who).await,
            expected,
            "{}",
            who.email
        );
        assert_eq!(line(&board, who)["no_overdue_days"], 6);
        assert_eq!(line(&board, who)["total_minor"], 6 * DAILY_BONUS);
    }
}
