use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

fn instant(value: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(value.as_str().expect("a timestamp"))
        .expect("RFC 3339")
        .with_timezone(&Utc)
}

fn step_titles(case: &Value) -> Vec<String> {
    case["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["title"].as_str().unwrap().to_string())
        .collect()
}

fn step_statuses(case: &Value) -> Vec<String> {
    case["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap().to_string())
        .collect()
}

async fn get_case(app: &TestApp, id: &str, who: &Person) -> Value {
    ok_json(app.get(&format!("/api/v1/cases/{id}"), who).await).await
}

async fn get_task(app: &TestApp, id: &str, who: &Person) -> Value {
    ok_json(app.get(&format!("/api/v1/tasks/{id}"), who).await).await
}

/// Valid values for the three-step template's questionnaire.
fn questionnaire() -> Value {
    json!({"birth_date": "1980-12-31", "tax_number": "770100112233", "marital_status": "single"})
}

fn open_request(firm: &Firm, lawyer: &Person) -> Value {
    json!({
        "client_id": firm.client_id,
        "template_id": firm.template_id,
        "responsible_lawyer_id": lawyer.id,
    })
}

/// A valid step with no result fields.
fn plain_step(title: &str) -> Value {
    json!({
        "title": title,
        "preset_difficulty": 1,
        "duration_days": 2,
        "performer": "responsible_lawyer",
    })
}

fn template_with(steps: Value) -> Value {
    json!({"name": "Debt restructuring", "steps": steps})
}

#[actix_web::test]
async fn opening_a_case_starts_its_first_step_as_a_task_for_the_lawyer() {
    let app = spawn_app().await;
    let firm = app.firm().await;

    let (case, task_id) = app.open_case(&firm, &firm.lawyer).await;

    let task = get_task(&app, &task_id, &firm.lawyer).await;
    assert_eq!(case["status"], "open");
    assert_eq!(case["responsible_lawyer_id"], firm.lawyer.id.as_str());
    assert_eq!(case["client_manager_id"], firm.manager.id.as_str());
    assert_eq!(instant(&case["opened_at"]), start_time());
    assert_eq!(step_statuses(&case), vec!["active", "pending", "pending"]);
    assert!(case["steps"][1]["task_id"].is_null());
    assert!(case["steps"][2]["task_id"].is_null());
    assert_eq!(task["status"], "open");
    assert_eq!(task["title"], "Client questionnaire");
    assert_eq!(task["assignee_id"], firm.lawyer.id.as_str());
    assert_eq!(task["case_id"], case["id"]);
    assert_eq!(task["case_step_id"], case["steps"][0]["id"]);
    assert_eq!(task["client_id"], firm.client_id.as_str());
    assert!(task["created_by_id"].is_null());
    assert_eq!(task["preset_difficulty"], 2);
    assert_eq!(instant(&task["due_at"]), start_time() + Duration::days(3));
    assert_eq!(
        task["result_field_definitions"].as_array().unwrap().len(),
        4
    );
}

#[actix_web::test]
async fn approving_each_steps_task_starts_the_next_until_the_case_completes() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let (case, first_task) = app.open_case(&firm, &firm.lawyer).await;
    let case_id = case["id"].as_str().unwrap();
    ok_json(app.submit(&first_task, &firm.lawyer, questionnaire()).await).await;
    app.clock.advance(Duration::minutes(5));
    let approved_at = app.clock.now_utc();

    let first = ok_json(app.approve(&first_task, &firm.head, json!({})).await).await;
    let after_first = get_case(&app, case_id, &firm.lawyer).await;
    let second_task = first["next_task_id"].as_str().unwrap().to_string();
    let second = get_task(&app, &second_task, &firm.lawyer).await;
    ok_json(app.submit(&second_task, &firm.lawyer, json!({})).await).await;
    let second_approval = ok_json(
        app.approve(&second_task, &firm.head, json!({"difficulty": 4}))
            .await,
    )
    .await;
    let third_task = second_approval["next_task_id"]
        .as_str()
        .unwrap()
        .to_string();
    let third = get_task(&app, &third_task, &firm.manager).await;
    ok_json(app.submit(&third_task, &firm.manager, json!({})).await).await;
    let by_head_of_legal = app.approve(&third_task, &firm.head, json!({})).await;
    let last = ok_json(
        app.approve(&third_task, &firm.head_of_sales, json!({}))
            .await,
    )
    .await;
    let completed = get_case(&app, case_id, &firm.head).await;

    assert_eq!(first["task"]["difficulty"], 2);
    assert_eq!(after_first["steps"][1]["task_id"], second_task.as_str());
    assert_eq!(
        step_statuses(&after_first),
        vec!["done", "active", "pending"]
    );
    assert_eq!(second["assignee_id"], firm.lawyer.id.as_str());
    assert_eq!(second["title"], "Collect bank statements");
    assert!(second["preset_difficulty"].is_null());
    assert_eq!(instant(&second["due_at"]), approved_at + Duration::days(10));
    assert_eq!(completed["steps"][2]["task_id"], third_task.as_str());
    assert_eq!(third["assignee_id"], firm.manager.id.as_str());
    assert_eq!(instant(&third["due_at"]), approved_at + Duration::days(1));
    expect_problem(by_head_of_legal, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(last["task"]["status"], "approved");
    assert_eq!(
        last["task"]["approved_by_id"],
        firm.head_of_sales.id.as_str()
    );
    assert!(last["next_task_id"].is_null());
    assert_eq!(completed["status"], "completed");
    assert_eq!(step_statuses(&completed), vec!["done", "done", "done"]);
    assert_eq!(instant(&completed["closed_at"]), approved_at);
}

#[actix_web::test]
async fn handing_a_case_to_another_lawyer_moves_its_open_task() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let (case, task_id) = app.open_case(&firm, &firm.lawyer).await;
    let case_id = case["id"].as_str().unwrap();

    let updated = ok_json(
        app.patch(
            &format!("/api/v1/cases/{case_id}"),
            &firm.head,
            &json!({"responsible_lawyer_id": firm.other_lawyer.id}),
        )
        .await,
    )
    .await;
    let old_lawyers_task = app
        .get(&format!("/api/v1/tasks/{task_id}"), &firm.lawyer)
        .await;
    let old_lawyers_case = app
        .get(&format!("/api/v1/cases/{case_id}"), &firm.lawyer)
        .await;
    let new_lawyers_task = get_task(&app, &task_id, &firm.other_lawyer).await;
    let submitted = app
        .submit(&task_id, &firm.other_lawyer, questionnaire())
        .await;

    assert_eq!(
        updated["responsible_lawyer_id"],
        firm.other_lawyer.id.as_str()
    );
    assert_eq!(updated["steps"][0]["task_id"], task_id.as_str());
    expect_problem(old_lawyers_task, StatusCode::NOT_FOUND, "not_found").await;
    expect_problem(old_lawyers_case, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(
        new_lawyers_task["assignee_id"],
        firm.other_lawyer.id.as_str()
    );
    assert_eq!(new_lawyers_task["status"], "open");
    assert_eq!(ok_json(submitted).await["status"], "submitted");
}

#[actix_web::test]
async fn a_lawyer_sees_only_their_own_cases_and_cannot_open_one() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let (mine, _) = app.open_case(&firm, &firm.lawyer).await;
    let (theirs, _) = app.open_case(&firm, &firm.other_lawyer).await;
    let theirs_id = theirs["id"].as_str().unwrap();

    let listed = ok_json(app.get("/api/v1/cases", &firm.lawyer).await).await;
    let other = app
        .get(&format!("/api/v1/cases/{theirs_id}"), &firm.lawyer)
        .await;
    let opened = app
        .post(
            "/api/v1/cases",
            &firm.lawyer,
            &open_request(&firm, &firm.lawyer),
        )
        .await;
    let heads_list = ok_json(app.get("/api/v1/cases", &firm.head).await).await;

    let listed_ids: Vec<&Value> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["id"])
        .collect();
    assert_eq!(listed_ids, vec![&mine["id"]]);
    expect_problem(other, StatusCode::NOT_FOUND, "not_found").await;
    expect_problem(opened, StatusCode::FORBIDDEN, "forbidden").await;
    assert_eq!(heads_list["items"].as_array().unwrap().len(), 2);
}

#[actix_web::test]
async fn replacing_a_template_leaves_running_cases_and_shapes_new_ones() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let (running, _) = app.open_case(&firm, &firm.lawyer).await;
    let running_id = running["id"].as_str().unwrap();
    let new_steps = json!([
        plain_step("Draft the petition"),
        plain_step("File the petition")
    ]);

    let replaced = ok_json(
        app.put(
            &format!("/api/v1/case-templates/{}", firm.template_id),
            &firm.admin,
            &template_with(new_steps),
        )
        .await,
    )
    .await;
    let still_running = get_case(&app, running_id, &firm.head).await;
    let (opened_after, _) = app.open_case(&firm, &firm.lawyer).await;

    let old_titles = vec![
        "Client questionnaire",
        "Collect bank statements",
        "Call the client",
    ];
    assert_eq!(replaced["step_count"], 2);
    assert_eq!(step_titles(&still_running), old_titles);
    assert_eq!(
        step_statuses(&still_running),
        vec!["active", "pending", "pending"]
    );
    assert_eq!(
        step_titles(&opened_after),
        vec!["Draft the petition", "File the petition"]
    );
}

#[actix_web::test]
async fn an_archived_template_opens_no_cases() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    ok_json(
        app.post(
            &format!("/api/v1/case-templates/{}/archive", firm.template_id),
            &firm.admin,
            &json!({}),
        )
        .await,
    )
    .await;

    let response = app
        .post(
            "/api/v1/cases",
            &firm.head,
            &open_request(&firm, &firm.lawyer),
        )
        .await;

    let problem = expect_invalid(response).await;
    assert_eq!(error_fields(&problem), vec!["template_id"]);
    let cases = ok_json(app.get("/api/v1/cases", &firm.head).await).await;
    assert_eq!(cases["items"], json!([]));
}

#[actix_web::test]
async fn a_template_of_120_steps_is_stored_and_copied_in_order() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let titles: Vec<String> = (1..=120).map(|i| format!("Step {i:03}")).collect();
    let steps: Vec<Value> = titles
        .iter()
        .enumerate()
        .map(|(i, title)| {
            json!({
                "title": title,
                "preset_difficulty": (i % 5) + 1,
                "duration_days": i % 30,
                "performer": if i % 4 == 3 { "client_manager" } else { "responsible_lawyer" },
            })
        })
        .collect();

    let created = created_json(
        app.post(
            "/api/v1/case-templates",
            &firm.admin,
            &template_with(json!(steps)),
        )
        .await,
    )
    .await;
    let id = created["id"].as_str().unwrap();
    let fetched = ok_json(
        app.get(&format!("/api/v1/case-templates/{id}"), &firm.head)
            .await,
    )
    .await;
    let case = created_json(
        app.post(
            "/api/v1/cases",
            &firm.head,
            &json!({
                "client_id": firm.client_id,
                "template_id": id,
                "responsible_lawyer_id": firm.lawyer.id,
            }),
        )
        .await,
    )
    .await;

    assert_eq!(fetched["step_count"], 120);
    assert_eq!(step_titles(&fetched), titles);
    assert_eq!(fetched["steps"][119]["preset_difficulty"], 5);
    assert_eq!(fetched["steps"][119]["performer"], "client_manager");
    assert_eq!(step_titles(&case), titles);
    let positions: Vec<i64> = case["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["position"].as_i64().unwrap())
        .collect();
    assert_eq!(positions, (1..=120).collect::<Vec<i64>>());
}

#[actix_web::test]
async fn invalid_templates_are_refused_naming_the_field() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let mut too_difficult = plain_step("Draft");
    too_difficult["preset_difficulty"] = json!(7);
    let mut duplicate_keys = plain_step("Questionnaire");
    duplicate_keys["result_fields"] = json!([
        {"key": "inn", "label": "Tax number", "type": "text"},
        {"key": "inn", "label": "Tax number again", "type": "text"},
    ]);
    let mut unknown_placeholder = plain_step("Notify");
    unknown_placeholder["notify_client"] = json!(true);
    unknown_placeholder["client_message"] = json!("Hello {{ foo }}");
    let mut choice_without_options = plain_step("Marital status");
    choice_without_options["result_fields"] =
        json!([{"key": "status", "label": "Status", "type": "choice"}]);
    let cases = [
        (json!([]), "steps"),
        (json!([too_difficult]), "steps[0].preset_difficulty"),
        (json!([duplicate_keys]), "steps[0].result_fields[1].key"),
        (json!([unknown_placeholder]), "steps[0].client_message"),
        (
            json!([choice_without_options]),
            "steps[0].result_fields[0].options",
        ),
    ];

    let mut problems = Vec::new();
    for (steps, _) in &cases {
        let response = app
            .post(
                "/api/v1/case-templates",
                &firm.admin,
                &template_with(steps.clone()),
            )
            .await;
        problems.push(expect_invalid(response).await);
    }
    let templates = ok_json(app.get("/api/v1/case-templates", &firm.admin).await).await;

    for ((_, field), problem) in cases.iter().zip(&problems) {
        assert_eq!(error_fields(problem), vec![*field], "{problem}");
    }
    assert_eq!(templates.as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn closing_a_case_cancels_its_open_task_and_only_works_once() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let (case, task_id) = app.open_case(&firm, &firm.lawyer).await;
    let path = format!("/api/v1/cases/{}/close", case["id"].as_str().unwrap());

    let closed = ok_json(
        app.post(
            &path,
            &firm.head,
            &json!({"reason": "Settled out of court"}),
        )
        .await,
    )
    .await;
    let again = app
        .post(
            &path,
            &firm.head,
            &json!({"reason": "Settled out of court"}),
        )
        .await;

    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["close_reason"], "Settled out of court");
    assert_eq!(step_statuses(&closed)[1..], ["skipped", "skipped"]);
    let task = get_task(&app, &task_id, &firm.lawyer).await;
    assert_eq!(task["status"], "cancelled");
    assert!(task["cancel_reason"]
        .as_str()
        .unwrap()
        .contains("Settled out of court"));
    expect_problem(again, StatusCode::CONFLICT, "case_not_open").await;
}

#[actix_web::test]
async fn a_sales_manager_opens_a_case_they_will_not_work_on() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let sales = app.hire_seller(&firm, "seller@firm.test").await;
    let body = json!({
        "client_id": firm.client_id,
        "template_id": firm.template_id,
        "responsible_lawyer_id": firm.lawyer.id,
    });

    let case = created_json(app.post("/api/v1/cases", &sales, &body).await).await;

    assert_eq!(case["status"], "open");
    assert_eq!(case["responsible_lawyer_id"], firm.lawyer.id.as_str());
    let path = format!("/api/v1/cases/{}", case["id"].as_str().unwrap());
    ok_json(app.get(&path, &firm.lawyer).await).await;
}

#[actix_web::test]
async fn a_sales_manager_sees_the_cases_of_the_clients_they_sold_to() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let seller = app.hire_seller(&firm, "seller@firm.test").await;
    let other_seller = app.hire_seller(&firm, "seller2@firm.test").await;
    let client = format!("/api/v1/clients/{}", firm.client_id);
    ok_json(
        app.patch(
            &client,
            &firm.admin,
            &json!({"sales_manager_id": seller.id}),
        )
        .await,
    )
    .await;
    let (case, _) = app.open_case(&firm, &firm.lawyer).await;
    let path = format!("/api/v1/cases/{}", case["id"].as_str().unwrap());

    let seen = ok_json(app.get(&path, &seller).await).await;
    let listed = ok_json(app.get("/api/v1/cases", &seller).await).await;
    let hidden = app.get(&path, &other_seller).await;

    assert_eq!(seen["id"], case["id"]);
    assert_eq!(ids(&listed["items"]), [case["id"].as_str().unwrap()]);
    expect_problem(hidden, StatusCode::NOT_FOUND, "not_found").await;
}
