use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

async fn get_task(app: &TestApp, id: &str, who: &Person) -> Value {
    ok_json(app.get(&format!("/api/v1/tasks/{id}"), who).await).await
}

/// The bonus for `difficulty` as GET /bonus-rates tells it.
async fn rate_for(app: &TestApp, who: &Person, difficulty: i64) -> i64 {
    let rates = ok_json(app.get("/api/v1/bonus-rates", who).await).await;
    rates["rates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["difficulty"] == difficulty)
        .and_then(|r| r["amount_minor"].as_i64())
        .expect("a rate for this difficulty")
}

/// A manual task of `who`, already submitted.
async fn submitted_task(app: &TestApp, who: &Person, preset: Option<i32>) -> String {
    let id = app.manual_task(who, preset).await;
    ok_json(app.submit(&id, who, json!({})).await).await;
    id
}

/// A manual task of `who`, created by themselves, due `minutes` from now.
async fn task_due_in(app: &TestApp, who: &Person, minutes: i64) -> String {
    let due = app.clock.now_utc() + chrono::Duration::minutes(minutes);
    let task = created_json(
        app.post(
            "/api/v1/tasks",
            who,
            &json!({"title": "File a motion", "assignee_id": who.id, "due_at": due.to_rfc3339()}),
        )
        .await,
    )
    .await;
    task["id"].as_str().unwrap().to_string()
}

/// Every ledger entry `who` may read.
async fn ledger(app: &TestApp, who: &Person) -> Vec<Value> {
    let page = ok_json(app.get("/api/v1/ledger?limit=200", who).await).await;
    page["items"].as_array().unwrap().clone()
}

fn task_bonuses_of<'a>(entries: &'a [Value], task_id: &str) -> Vec<&'a Value> {
    entries
        .iter()
        .filter(|e| e["kind"] == "task_bonus" && e["task_id"] == task_id)
        .collect()
}

#[actix_web::test]
async fn submitted_task_waits_in_the_heads_queue_and_approval_credits_the_rate() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let task_id = app.manual_task(&firm.lawyer, None).await;
    ok_json(app.submit(&task_id, &firm.lawyer, json!({})).await).await;
    let rate = rate_for(&app, &firm.head, 3).await;

    let queue = ok_json(app.get("/api/v1/approvals", &firm.head).await).await;
    let outcome = ok_json(
        app.approve(&task_id, &firm.head, json!({"difficulty": 3}))
            .await,
    )
    .await;
    let after = ok_json(app.get("/api/v1/approvals", &firm.head).await).await;

    assert_eq!(ids(&queue["items"]), vec![task_id.clone()]);
    assert_eq!(queue["total"], 1);
    assert_eq!(queue["items"][0]["result_text"], "Done, documents attached");
    assert_eq!(queue["items"][0]["status"], "submitted");
    assert_eq!(outcome["task"]["status"], "approved");
    assert_eq!(outcome["task"]["difficulty"], 3);
    assert_eq!(outcome["task"]["approved_by_id"], firm.head.id.as_str());
    assert!(rate > 0);
    assert_eq!(outcome["credited_minor"], rate);
    assert_eq!(outcome["currency"], "RUB");
    assert!(!ids(&after["items"]).contains(&task_id));
    assert_eq!(after["total"], 0);
}

#[actix_web::test]
async fn submit_needs_a_non_empty_result_text() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let task_id = app.manual_task(&firm.lawyer, None).await;
    let path = format!("/api/v1/tasks/{task_id}/submit");

    let empty = app
        .post(&path, &firm.lawyer, &json!({"result_text": ""}))
        .await;
    let blank = app
        .post(&path, &firm.lawyer, &json!({"result_text": "  \n "}))
        .await;

    let empty = expect_invalid(empty).await;
    let blank = expect_invalid(blank).await;
    assert_eq!(error_fields(&empty), vec!["result_text"]);
    assert_eq!(error_fields(&blank), vec!["result_text"]);
    assert_eq!(
        get_task(&app, &task_id, &firm.lawyer).await["status"],
        "open"
    );
}

fn questionnaire(changes: Value) -> Value {
    let mut fields = json!({
        "birth_date": "1980-12-31",
        "tax_number": "770100112233",
        "children": 2,
        "marital_status": "married",
    });
    let map = fields.as_object_mut().unwrap();
    for (key, value) in changes.as_object().unwrap() {
        if value.is_null() {
            map.remove(key);
        } else {
            map.insert(key.clone(), value.clone());
        }
    }
    fields
}

#[actix_web::test]
async fn step_result_fields_are_checked_against_the_steps_definitions() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let (_, task_id) = app.open_case(&firm, &firm.lawyer).await;
    let wrong = [
        (json!({"birth_date": null}), "result_fields.birth_date"),
        (
            json!({"birth_date": "31.12.1980"}),
            "result_fields.birth_date",
        ),
        (json!({"children": "two"}), "result_fields.children"),
        (
            json!({"marital_status": "widowed"}),
            "result_fields.marital_status",
        ),
        (json!({"pets": 2}), "result_fields.pets"),
    ];

    let mut refused = Vec::new();
    for (change, _) in &wrong {
        let response = app
            .submit(&task_id, &firm.lawyer, questionnaire(change.clone()))
            .await;
        refused.push(expect_invalid(response).await);
    }
    let accepted = ok_json(
        app.submit(&task_id, &firm.lawyer, questionnaire(json!({})))
            .await,
    )
    .await;
    let stored = get_task(&app, &task_id, &firm.head).await;

    for ((change, field), problem) in wrong.iter().zip(&refused) {
        assert_eq!(error_fields(problem), vec![*field], "for {change}");
    }
    assert_eq!(accepted["status"], "submitted");
    assert_eq!(accepted["result_fields"], questionnaire(json!({})));
    assert_eq!(stored["result_fields"], questionnaire(json!({})));
    assert_eq!(
        stored["result_field_definitions"].as_array().unwrap().len(),
        4
    );
}

#[actix_web::test]
async fn transitions_from_the_wrong_status_answer_409() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let open = app.manual_task(&firm.lawyer, Some(2)).await;
    let approved = submitted_task(&app, &firm.lawyer, Some(2)).await;
    ok_json(app.approve(&approved, &firm.head, json!({})).await).await;

    let approve_open = app
        .approve(&open, &firm.head, json!({"difficulty": 2}))
        .await;
    let return_open = app
        .post(
            &format!("/api/v1/tasks/{open}/return"),
            &firm.head,
            &json!({"comment": "Redo it"}),
        )
        .await;
    let submit_approved = app.submit(&approved, &firm.lawyer, json!({})).await;

    for response in [approve_open, return_open, submit_approved] {
        expect_problem(response, StatusCode::CONFLICT, "invalid_transition").await;
    }
    assert_eq!(get_task(&app, &open, &firm.lawyer).await["status"], "open");
    assert_eq!(
        get_task(&app, &approved, &firm.lawyer).await["status"],
        "approved"
    );
}

#[actix_web::test]
async fn nobody_approves_their_own_task() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let heads_task = submitted_task(&app, &firm.head, Some(3)).await;
    let admins_task = submitted_task(&app, &firm.admin, Some(3)).await;

    let by_head = app.approve(&heads_task, &firm.head, json!({})).await;
    let by_admin = app.approve(&admins_task, &firm.admin, json!({})).await;
    let heads_queue = ok_json(app.get("/api/v1/approvals", &firm.head).await).await;
    let admins_queue = ok_json(app.get("/api/v1/approvals", &firm.admin).await).await;

    expect_problem(by_head, StatusCode::FORBIDDEN, "forbidden").await;
    expect_problem(by_admin, StatusCode::FORBIDDEN, "forbidden").await;
    assert_eq!(
        get_task(&app, &heads_task, &firm.head).await["status"],
        "submitted"
    );
    assert_eq!(
        get_task(&app, &admins_task, &firm.admin).await["status"],
        "submitted"
    );
    assert!(!ids(&heads_queue["items"]).contains(&heads_task));
    assert!(!ids(&admins_queue["items"]).contains(&admins_task));
    assert!(ids(&admins_queue["items"]).contains(&heads_task));
}

#[actix_web::test]
async fn the_heads_own_task_is_approved_by_the_admin_above_them() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let heads_task = submitted_task(&app, &firm.head, Some(3)).await;

    let outcome = ok_json(app.approve(&heads_task, &firm.admin, json!({})).await).await;

    assert_eq!(outcome["task"]["status"], "approved");
    assert_eq!(outcome["task"]["approved_by_id"], firm.admin.id.as_str());
}

#[actix_web::test]
async fn a_lawyer_neither_sees_nor_changes_another_lawyers_task() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let mine = app.manual_task(&firm.lawyer, None).await;
    let theirs = app.manual_task(&firm.other_lawyer, None).await;

    let get = app
        .get(&format!("/api/v1/tasks/{theirs}"), &firm.lawyer)
        .await;
    let submit = app.submit(&theirs, &firm.lawyer, json!({})).await;
    let filtered = ok_json(
        app.get(
            &format!("/api/v1/tasks?assignee_id={}", firm.other_lawyer.id),
            &firm.lawyer,
        )
        .await,
    )
    .await;
    let own_list = ok_json(app.get("/api/v1/tasks", &firm.lawyer).await).await;
    let heads_list = ok_json(app.get("/api/v1/tasks", &firm.head).await).await;

    expect_problem(get, StatusCode::NOT_FOUND, "not_found").await;
    expect_problem(submit, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(filtered["items"], json!([]));
    assert_eq!(ids(&own_list["items"]), vec![mine.clone()]);
    let seen_by_head: HashSet<String> = ids(&heads_list["items"]).into_iter().collect();
    assert_eq!(seen_by_head, HashSet::from([mine, theirs.clone()]));
    assert_eq!(
        get_task(&app, &theirs, &firm.other_lawyer).await["status"],
        "open"
    );
}

#[actix_web::test]
async fn approval_difficulty_must_be_0_to_5_and_0_needs_a_reason() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let task_id = submitted_task(&app, &firm.lawyer, None).await;

    let missing = app.approve(&task_id, &firm.head, json!({})).await;
    let six = app
        .approve(&task_id, &firm.head, json!({"difficulty": 6}))
        .await;
    let negative = app
        .approve(&task_id, &firm.head, json!({"difficulty": -1}))
        .await;
    let zero_without_reason = app
        .approve(
            &task_id,
            &firm.head,
            json!({"difficulty": 0, "reason": " "}),
        )
        .await;
    let zero = ok_json(
        app.approve(
            &task_id,
            &firm.head,
            json!({"difficulty": 0, "reason": "Duplicate of yesterday's task"}),
        )
        .await,
    )
    .await;

    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    for (response, field) in [
        (missing, "difficulty"),
        (six, "difficulty"),
        (negative, "difficulty"),
        (zero_without_reason, "reason"),
    ] {
        let problem = expect_problem(response, unprocessable, "validation_failed").await;
        assert_eq!(error_fields(&problem), vec![field]);
    }
    assert_eq!(zero["task"]["status"], "approved");
    assert_eq!(zero["task"]["difficulty"], 0);
    assert_eq!(zero["task"]["zero_reason"], "Duplicate of yesterday's task");
    assert_eq!(zero["credited_minor"], 0);
    assert!(task_bonuses_of(&ledger(&app, &firm.head).await, &task_id).is_empty());
}

#[actix_web::test]
async fn a_returned_task_carries_the_comment_and_can_be_submitted_again() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let task_id = submitted_task(&app, &firm.lawyer, Some(2)).await;
    let path = format!("/api/v1/tasks/{task_id}/return");

    let without_comment = app.post(&path, &firm.head, &json!({"comment": "  "})).await;
    let returned = ok_json(
        app.post(
            &path,
            &firm.head,
            &json!({"comment": "Attach the bank's reply"}),
        )
        .await,
    )
    .await;
    let seen_by_lawyer = get_task(&app, &task_id, &firm.lawyer).await;
    let resubmitted = ok_json(app.submit(&task_id, &firm.lawyer, json!({})).await).await;
    let approved = ok_json(app.approve(&task_id, &firm.head, json!({})).await).await;

    let problem = expect_invalid(without_comment).await;
    assert_eq!(error_fields(&problem), vec!["comment"]);
    assert_eq!(returned["status"], "returned");
    assert_eq!(seen_by_lawyer["status"], "returned");
    assert_eq!(seen_by_lawyer["return_comment"], "Attach the bank's reply");
    assert_eq!(resubmitted["status"], "submitted");
    assert_eq!(approved["task"]["status"], "approved");
    assert_eq!(approved["task"]["difficulty"], 2);
}

#[actix_web::test]
async fn a_manual_task_is_cancelled_with_a_reason() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let task_id = app.manual_task(&firm.lawyer, None).await;
    let path = format!("/api/v1/tasks/{task_id}/cancel");

    let without_reason = app.post(&path, &firm.lawyer, &json!({"reason": ""})).await;
    let cancelled = ok_json(
        app.post(&path, &firm.lawyer, &json!({"reason": "Client withdrew"}))
            .await,
    )
    .await;
    let again = app
        .post(&path, &firm.lawyer, &json!({"reason": "Client withdrew"}))
        .await;

    let problem = expect_invalid(without_reason).await;
    assert_eq!(error_fields(&problem), vec!["reason"]);
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["cancel_reason"], "Client withdrew");
    expect_problem(again, StatusCode::CONFLICT, "invalid_transition").await;
}

#[actix_web::test]
async fn a_case_steps_task_cannot_be_cancelled_on_its_own() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let (_, task_id) = app.open_case(&firm, &firm.lawyer).await;

    let response = app
        .post(
            &format!("/api/v1/tasks/{task_id}/cancel"),
            &firm.head,
            &json!({"reason": "Not needed"}),
        )
        .await;

    expect_problem(response, StatusCode::CONFLICT, "case_step_task").await;
    assert_eq!(
        get_task(&app, &task_id, &firm.lawyer).await["status"],
        "open"
    );
}

#[actix_web::test]
async fn task_list_filters_by_status() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let open = app.manual_task(&firm.lawyer, None).await;
    let submitted = submitted_task(&app, &firm.lawyer, None).await;

    let only_submitted = ok_json(
        app.get("/api/v1/tasks?status=submitted", &firm.lawyer)
            .await,
    )
    .await;
    let only_open = ok_json(app.get("/api/v1/tasks?status=open", &firm.lawyer).await).await;
    let none_approved = ok_json(app.get("/api/v1/tasks?status=approved", &firm.lawyer).await).await;

    assert_eq!(ids(&only_submitted["items"]), vec![submitted]);
    assert_eq!(ids(&only_open["items"]), vec![open]);
    assert_eq!(none_approved["items"], json!([]));
}

#[actix_web::test]
async fn overdue_filter_lists_unsubmitted_tasks_past_their_due_time() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let late = task_due_in(&app, &firm.lawyer, 1).await;
    let late_but_submitted = task_due_in(&app, &firm.lawyer, 1).await;
    ok_json(
        app.submit(&late_but_submitted, &firm.lawyer, json!({}))
            .await,
    )
    .await;
    let on_time = task_due_in(&app, &firm.lawyer, 60).await;
    let before = ok_json(app.get("/api/v1/tasks?overdue=true", &firm.lawyer).await).await;

    app.clock.advance(chrono::Duration::minutes(5));
    let overdue = ok_json(app.get("/api/v1/tasks?overdue=true", &firm.lawyer).await).await;
    let not_overdue = ok_json(app.get("/api/v1/tasks?overdue=false", &firm.lawyer).await).await;

    assert_eq!(before["items"], json!([]));
    assert_eq!(ids(&overdue["items"]), vec![late.clone()]);
    assert_eq!(overdue["items"][0]["overdue"], true);
    let not_overdue_ids: HashSet<String> = ids(&not_overdue["items"]).into_iter().collect();
    assert_eq!(
        not_overdue_ids,
        HashSet::from([late_but_submitted, on_time])
    );
}

#[actix_web::test]
async fn cursor_pagination_walks_every_task_once() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let mut created = HashSet::new();
    for _ in 0..5 {
        created.insert(app.manual_task(&firm.lawyer, None).await);
    }

    let mut seen = Vec::new();
    let mut page_sizes = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/tasks?limit=2&cursor={c}"),
            None => "/api/v1/tasks?limit=2".to_string(),
        };
        let page = ok_json(app.get(&path, &firm.lawyer).await).await;
        let page_ids = ids(&page["items"]);
        page_sizes.push(page_ids.len());
        seen.extend(page_ids);
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
        assert!(page_sizes.len() <= 5, "pagination does not end");
    }

    assert_eq!(page_sizes, vec![2, 2, 1]);
    assert_eq!(seen.len(), 5);
    assert_eq!(seen.iter().cloned().collect::<HashSet<_>>(), created);
}

#[actix_web::test]
async fn task_list_refuses_a_bad_cursor_and_a_zero_limit() {
    let app = spawn_app().await;
    let firm = app.firm().await;

    let bad_cursor = app
        .get("/api/v1/tasks?cursor=not-a-cursor", &firm.lawyer)
        .await;
    let zero_limit = app.get("/api/v1/tasks?limit=0", &firm.lawyer).await;

    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let problem = expect_problem(bad_cursor, unprocessable, "validation_failed").await;
    assert_eq!(error_fields(&problem), vec!["cursor"]);
    let problem = expect_problem(zero_limit, unprocessable, "validation_failed").await;
    assert_eq!(error_fields(&problem), vec!["limit"]);
}

#[actix_web::test]
async fn bulk_approval_accepts_presets_and_reports_tasks_without_one() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let two = submitted_task(&app, &firm.lawyer, Some(2)).await;
    let four = submitted_task(&app, &firm.other_lawyer, Some(4)).await;
    let no_preset = submitted_task(&app, &firm.lawyer, None).await;

    let outcome = ok_json(
        app.post(
            "/api/v1/approvals/bulk",
            &firm.head,
            &json!({"task_ids": [two, no_preset, four]}),
        )
        .await,
    )
    .await;
    let entries = ledger(&app, &firm.head).await;

    assert_eq!(outcome["approved"], 2);
    assert_eq!(outcome["failed"], 1);
    let results = outcome["results"].as_array().unwrap();
    let result_ids: Vec<&str> = results
        .iter()
        .map(|r| r["task_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        result_ids,
        vec![two.as_str(), no_preset.as_str(), four.as_str()]
    );
    assert_eq!(results[0]["approved"], true);
    assert_eq!(results[0]["difficulty"], 2);
    assert_eq!(
        results[0]["credited_minor"],
        rate_for(&app, &firm.head, 2).await
    );
    assert_eq!(results[1]["approved"], false);
    assert_eq!(results[1]["error"]["code"], "validation_failed");
    assert_eq!(error_fields(&results[1]["error"]), vec!["difficulty"]);
    assert_eq!(results[2]["approved"], true);
    assert_eq!(results[2]["difficulty"], 4);
    assert_eq!(task_bonuses_of(&entries, &two).len(), 1);
    assert_eq!(task_bonuses_of(&entries, &four).len(), 1);
    assert_eq!(task_bonuses_of(&entries, &four)[0]["difficulty"], 4);
    assert!(task_bonuses_of(&entries, &no_preset).is_empty());
    assert_eq!(
        get_task(&app, &no_preset, &firm.lawyer).await["status"],
        "submitted"
    );
}

#[actix_web::test]
async fn bulk_approval_refuses_a_task_of_another_heads_team() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let lawyers = submitted_task(&app, &firm.lawyer, Some(2)).await;
    let managers = submitted_task(&app, &firm.manager, Some(2)).await;

    let outcome = ok_json(
        app.post(
            "/api/v1/approvals/bulk",
            &firm.head,
            &json!({"task_ids": [managers, lawyers]}),
        )
        .await,
    )
    .await;

    assert_eq!(outcome["approved"], 1);
    assert_eq!(outcome["failed"], 1);
    let refused = &outcome["results"][0];
    assert_eq!(refused["task_id"], managers.as_str());
    assert_eq!(refused["approved"], false);
    let code = refused["error"]["code"].as_str().unwrap_or_default();
    assert!(["not_found", "forbidden"].contains(&code), "got {refused}");
    assert_eq!(outcome["results"][1]["approved"], true);
    assert_eq!(
        get_task(&app, &managers, &firm.head_of_sales).await["status"],
        "submitted"
    );
}

#[actix_web::test]
async fn racing_approvals_of_one_task_credit_it_once() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let mut task_ids = Vec::new();
    for _ in 0..5 {
        task_ids.push(submitted_task(&app, &firm.lawyer, Some(3)).await);
    }

    let mut statuses = Vec::new();
    for task_id in &task_ids {
        let (first, second) = tokio::join!(
            app.approve(task_id, &firm.head, json!({"difficulty": 3})),
            app.approve(task_id, &firm.admin, json!({"difficulty": 3})),
        );
        let mut pair = Vec::new();
        for response in [first, second] {
            let status = response.status();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            pair.push((status, body));
        }
        statuses.push(pair);
    }
    let entries = ledger(&app, &firm.admin).await;

    for (task_id, pair) in task_ids.iter().zip(&statuses) {
        let mut codes: Vec<u16> = pair.iter().map(|(s, _)| s.as_u16()).collect();
        codes.sort();
        assert_eq!(codes, vec![200, 409], "task {task_id}: {pair:?}");
        let conflict = &pair
            .iter()
            .find(|(s, _)| *s == StatusCode::CONFLICT)
            .unwrap()
            .1;
        assert_eq!(conflict["code"], "invalid_transition");
        assert_eq!(
            task_bonuses_of(&entries, task_id).len(),
            1,
            "task {task_id}"
        );
    }
}

#[actix_web::test]
async fn approving_without_a_body_accepts_the_preset_difficulty() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let task = app.manual_task(&firm.lawyer, Some(4)).await;
    ok_json(app.submit(&task, &firm.lawyer, json!({})).await).await;

    let url = app.url(&format!("/api/v1/tasks/{task}/approve"));
    let response = app
        .client
        .post(url)
        .bearer_auth(&firm.head.token)
        .send()
        .await
        .unwrap();

    let outcome = ok_json(response).await;
    assert_eq!(outcome["task"]["difficulty"], 4);
    assert_eq!(outcome["task"]["status"], "approved");
}

#[actix_web::test]
async fn a_null_approval_body_accepts_the_preset_difficulty() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let task = app.manual_task(&firm.lawyer, Some(2)).await;
    ok_json(app.submit(&task, &firm.lawyer, json!({})).await).await;

    let outcome = ok_json(app.approve(&task, &firm.head, Value::Null).await).await;

    assert_eq!(outcome["task"]["difficulty"], 2);
}
