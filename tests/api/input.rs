//! Bad input: every refusal is a problem+json 4xx naming what is wrong, never a 500, and
//! nothing is written.

use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

/// Posts raw bytes with the given content type (none when `None`).
async fn post_raw(
    app: &TestApp,
    path: &str,
    who: &Person,
    content_type: Option<&str>,
    body: impl Into<reqwest::Body>,
) -> Response {
    let mut request = app
        .client
        .post(app.url(path))
        .bearer_auth(&who.token)
        .body(body);
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    request.send().await.expect("request")
}

/// Every problem body carries the RFC 9457 members and a stable code.
fn assert_problem_shape(body: &Value) {
    for member in ["type", "title", "detail", "code"] {
        assert!(
            body[member].as_str().is_some_and(|s| !s.is_empty()),
            "problem without {member}: {body}"
        );
    }
    assert!(body["status"].is_u64(), "problem without status: {body}");
    let code = body["code"].as_str().unwrap();
    assert_eq!(body["type"], format!("urn:lexcrm:problem:{code}"));
}

/// The first field error of a problem, as (field, message).
fn first_error(body: &Value) -> (String, String) {
    let error = &body["errors"][0];
    (
        error["field"].as_str().unwrap_or_default().to_string(),
        error["message"].as_str().unwrap_or_default().to_string(),
    )
}

fn tomorrow(app: &TestApp) -> String {
    (app.clock.as_ref().now_utc() + chrono::Duration::days(1)).to_rfc3339()
}

/// A valid template of `count` steps.
fn template_of(count: usize) -> Value {
    let steps: Vec<Value> = (0..count)
        .map(|i| {
            json!({
                "title": format!("Step {}", i + 1),
                "preset_difficulty": 1,
                "duration_days": 1,
                "performer": "responsible_lawyer",
            })
        })
        .collect();
    json!({"name": "Long template", "steps": steps})
}

async fn task_count(app: &TestApp, who: &Person) -> usize {
    let page = ok_json(app.get("/api/v1/tasks", who).await).await;
    page["items"].as_array().unwrap().len()
}

#[actix_web::test]
async fn malformed_json_is_400() {
    let app = spawn_app().await;
    let admin = app.bootstrap_admin().await;

    let response = post_raw(
        &app,
        "/api/v1/tasks",
        &admin,
        Some("application/json"),
        r#"{"title": "#,
    )
    .await;

    let body = expect_problem(response, StatusCode::BAD_REQUEST, "malformed_json").await;
    assert_problem_shape(&body);
    assert_eq!(task_count(&app, &admin).await, 0);
}

#[actix_web::test]
async fn trailing_garbage_after_the_document_is_400() {
    let app = spawn_app().await;
    let admin = app.bootstrap_admin().await;
    let body = json!({
        "title": "Prepare",
        "assignee_id": admin.id,
        "due_at": tomorrow(&app),
    });

    let response = post_raw(
        &app,
        "/api/v1/tasks",
        &admin,
        Some("application/json"),
        format!("{body} {{}}"),
    )
    .await;

    expect_problem(response, StatusCode::BAD_REQUEST, "malformed_json").await;
    assert_eq!(task_count(&app, &admin).await, 0);
}

#[actix_web::test]
async fn unknown_field_is_400_naming_it() {
    let app = spawn_app().await;
    let admin = app.bootstrap_admin().await;

    let response = app
        .post(
            "/api/v1/tasks",
            &admin,
            &json!({
                "title": "Prepare",
                "assignee_id": admin.id,
                "due_at": tomorrow(&app),
                "extra": 1,
            }),
        )
        .await;

    let body = expect_problem(response, StatusCode::BAD_REQUEST, "malformed_json").await;
    assert_problem_shape(&body);
    let (field, message) = first_error(&body);
    assert!(
        field == "extra" || message.contains("`extra`"),
        "the problem should name `extra`: {body}"
    );
    assert_eq!(task_count(&app, &admin).await, 0);
}

#[actix_web::test]
async fn wrong_type_is_400_with_the_field() {
    let app = spawn_app().await;
    let admin = app.bootstrap_admin().await;

    let response = app
        .post(
            "/api/v1/tasks",
            &admin,
            &json!({
                "title": "Prepare",
                "assignee_id": admin.id,
                "due_at": tomorrow(&app),
                "preset_difficulty": "high",
            }),
        )
        .await;

    let body = expect_problem(response, StatusCode::BAD_REQUEST, "malformed_json").await;
    assert_problem_shape(&body);
    assert_eq!(first_error(&body).0, "preset_difficulty", "body: {body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .starts_with("preset_difficulty: "),
        "body: {body}"
    );
    assert_eq!(task_count(&app, &admin).await, 0);
}

#[actix_web::test]
async fn nested_wrong_type_names_the_path() {
    let app = spawn_app().await;
    let admin = app.bootstrap_admin().await;
    let mut template = three_step_template();
    template["steps"][1]["duration_days"] = json!("ten");

    let response = app.post("/api/v1/case-templates", &admin, &template).await;

    let body = expect_problem(response, StatusCode::BAD_REQUEST, "malformed_json").await;
    assert_problem_shape(&body);
    assert_eq!(
        first_error(&body).0,
        "steps[1].duration_days",
        "body: {body}"
    );
    let list = ok_json(app.get("/api/v1/case-templates", &admin).await).await;
    assert_eq!(list, json!([]));
}

#[actix_web::test]
async fn missing_required_field_is_400() {
    let app = spawn_app().await;
    let admin = app.bootstrap_admin().await;

    let response = app
        .post(
            "/api/v1/tasks",
            &admin,
            &json!({"assignee_id": admin.id, "due_at": tomorrow(&app)}),
        )
        .await;

    let body = expect_problem(response, StatusCode::BAD_REQUEST, "malformed_json").await;
    assert_problem_shape(&body);
    assert_eq!(first_error(&body).0, "title", "body: {body}");
    assert!(
        body["detail"].as_str().unwrap().contains("`title`"),
        "the problem should name `title`: {body}"
    );
    assert_eq!(task_count(&app, &admin).await, 0);
}

#[actix_web::test]
async fn missing_nested_field_names_its_path() {
    let app = spawn_app().await;
    let admin = app.bootstrap_admin().await;
    let mut template = three_step_template();
    template["steps"][1]
        .as_object_mut()
        .unwrap()
        .remove("performer");

    let response = app.post("/api/v1/case-templates", &admin, &template).await;

    let body = expect_problem(response, StatusCode::BAD_REQUEST, "malformed_json").await;
    assert_eq!(first_error(&body).0, "steps[1].performer", "body: {body}");
}

#[actix_web::test]
async fn a_repeated_query_parameter_is_400_naming_it() {
    let app = spawn_app().await;
    let admin = app.bootstrap_admin().await;

    let body = expect_problem(
        app.get("/api/v1/tasks?limit=1&limit=2", &admin).await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    )
    .await;

    assert_eq!(first_error(&body).0, "limit", "body: {body}");
}

#[actix_web::test]
async fn a_body_that_is_not_json_is_415() {
    let app = spawn_app().await;
    let admin = app.bootstrap_admin().await;
    let json = json!({
        "title": "Prepare",
        "assignee_id": admin.id,
        "due_at": tomorrow(&app),
    })
    .to_string();

    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let response = post_raw(&app, "/api/v1/tasks", &admin, content_type, json.clone()).await;

        let body = expect_problem(
            response,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        )
        .await;
        assert_problem_shape(&body);
    }
    assert_eq!(task_count(&app, &admin).await, 0);
}

#[actix_web::test]
async fn json_with_a_charset_or_a_json_suffix_is_accepted() {
    let app = spawn_app().await;
    let admin = app.bootstrap_admin().await;

    for content_type in [
        "application/json; charset=utf-8",
        "application/merge-patch+json",
    ] {
        let body = json!({
            "title": format!("Sent as {content_type}"),
            "assignee_id": admin.id,
            "due_at": tomorrow(&app),
        });
        let response = post_raw(
            &app,
            "/api/v1/tasks",
            &admin,
            Some(content_type),
            body.to_string(),
        )
        .await;

        created_json(response).await;
    }
}

#[actix_web::test]
async fn a_body_over_the_configured_limit_is_413() {
    let app = spawn_app_with(|s| s.max_body_bytes = 1024).await;
    let admin = app.bootstrap_admin().await;
    let mut template = template_of(1);
    template["description"] = json!("x".repeat(4096));

    let response = app.post("/api/v1/case-templates", &admin, &template).await;

    let body = expect_problem(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    assert_problem_shape(&body);
    assert!(
        body["detail"].as_str().unwrap().contains("1024"),
        "body: {body}"
    );
    let list = ok_json(app.get("/api/v1/case-templates", &admin).await).await;
    assert_eq!(list, json!([]));

    // A body under the limit still passes.
    created_json(
        app.post("/api/v1/case-templates", &admin, &template_of(1))
            .await,
    )
    .await;
}

#[actix_web::test]
async fn a_body_over_the_default_limit_is_413() {
    let app = spawn_app().await;
    let admin = app.bootstrap_admin().await;
    let mut template = template_of(1);
    template["description"] = json!("x".repeat(3 * 1024 * 1024));

    let response = app.post("/api/v1/case-templates", &admin, &template).await;

    expect_problem(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    let list = ok_json(app.get("/api/v1/case-templates", &admin).await).await;
    assert_eq!(list, json!([]));
}

#[actix_web::test]
async fn bad_query_parameters_are_400_naming_them() {
    let app = spawn_app().await;
    let admin = app.bootstrap_admin().await;

    let not_a_number = expect_problem(
        app.get("/api/v1/tasks?limit=abc", &admin).await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    )
    .await;
    let bogus_status = expect_problem(
        app.get("/api/v1/tasks?status=bogus", &admin).await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    )
    .await;
    let unknown = expect_problem(
        app.get("/api/v1/tasks?unknown=1", &admin).await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    )
    .await;

    assert_eq!(
        first_error(&not_a_number).0,
        "limit",
        "body: {not_a_number}"
    );
    assert_eq!(
        first_error(&bogus_status).0,
        "status",
        "body: {bogus_status}"
    );
    let (field, message) = first_error(&unknown);
    assert!(
        field == "unknown" || message.contains("`unknown`"),
        "the problem should name `unknown`: {unknown}"
    );
    for body in [&not_a_number, &bogus_status, &unknown] {
        assert_problem_shape(body);
    }
}

#[actix_web::test]
async fn out_of_range_query_values_are_422() {
    let app = spawn_app().await;
    let admin = app.bootstrap_admin().await;

    let month = expect_invalid(app.get("/api/v1/leaderboard?month=2026-1", &admin).await).await;
    let limit = expect_invalid(app.get("/api/v1/tasks?limit=0", &admin).await).await;
    let cursor = expect_invalid(app.get("/api/v1/tasks?cursor=not-a-cursor", &admin).await).await;

    assert_eq!(first_error(&month).0, "month");
    assert_eq!(first_error(&limit).0, "limit");
    assert_eq!(first_error(&cursor).0, "cursor");
    for body in [&month, &limit, &cursor] {
        assert_problem_shape(body);
    }
    for good in [
        "/api/v1/leaderboard?month=2026-01",
        "/api/v1/tasks?limit=200",
    ] {
        ok_json(app.get(good, &admin).await).await;
    }
}

#[actix_web::test]
async fn unknown_route_is_404_problem() {
    let app = spawn_app().await;
    let admin = app.bootstrap_admin().await;

    for path in ["/api/v1/nothing-here", "/nothing", "/api/v2/tasks"] {
        let body = expect_problem(
            app.get(path, &admin).await,
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
        assert_problem_shape(&body);
    }
    let anonymous = app
        .client
        .get(app.url("/api/v1/nothing-here"))
        .send()
        .await
        .unwrap();
    expect_problem(anonymous, StatusCode::NOT_FOUND, "not_found").await;
}

#[actix_web::test]
async fn wrong_method_on_a_known_path_is_a_client_error() {
    let app = spawn_app().await;
    let admin = app.bootstrap_admin().await;

    for (method, path) in [
        (reqwest::Method::DELETE, "/api/v1/tasks"),
        (reqwest::Method::PUT, "/api/v1/staff"),
        (reqwest::Method::GET, "/api/v1/auth/login"),
        (reqwest::Method::POST, "/health"),
    ] {
        let response = app
            .client
            .request(method.clone(), app.url(path))
            .bearer_auth(&admin.token)
            .send()
            .await
            .unwrap();

        let status = response.status();
        assert!(
            status.is_client_error(),
            "{method} {path} answered {status}"
        );
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert_problem_shape(&body);
    }
}

#[actix_web::test]
async fn a_template_with_a_bad_fiftieth_step_writes_nothing() {
    let app = spawn_app().await;
    let admin = app.bootstrap_admin().await;
    let mut template = template_of(60);
    template["steps"][49]["preset_difficulty"] = json!(9);

    let response = app.post("/api/v1/case-templates", &admin, &template).await;

    let body = expect_invalid(response).await;
    assert_problem_shape(&body);
    assert_eq!(first_error(&body).0, "steps[49].preset_difficulty");
    let list = ok_json(app.get("/api/v1/case-templates", &admin).await).await;
    assert_eq!(list, json!([]));
}

#[actix_web::test]
async fn a_refused_replacement_keeps_the_old_steps() {
    let app = spawn_app().await;
    let admin = app.bootstrap_admin().await;
    let created = created_json(
        app.post("/api/v1/case-templates", &admin, &three_step_template())
            .await,
    )
    .await;
    let path = format!("/api/v1/case-templates/{}", created["id"].as_str().unwrap());
    let mut replacement = template_of(60);
    replacement["steps"][49]["duration_days"] = json!(-1);

    let response = app.put(&path, &admin, &replacement).await;

    expect_invalid(response).await;
    let kept = ok_json(app.get(&path, &admin).await).await;
    assert_eq!(kept["name"], "Bankruptcy");
    assert_eq!(kept["steps"], created["steps"]);
}

#[actix_web::test]
async fn a_duplicate_staff_email_is_422_and_adds_no_one() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let before = ok_json(app.get("/api/v1/staff", &firm.admin).await).await;

    for email in ["lawyer@firm.test", " LAWYER@Firm.Test "] {
        let response = app
            .post(
                "/api/v1/staff",
                &firm.admin,
                &json!({
                    "email": email,
                    "full_name": "Someone Else",
                    "role": "lawyer",
                    "supervisor_id": firm.head.id,
                    "password": PASSWORD,
                }),
            )
            .await;

        let body = expect_invalid(response).await;
        assert_problem_shape(&body);
        assert_eq!(first_error(&body).0, "email", "body: {body}");
    }
    let after = ok_json(app.get("/api/v1/staff", &firm.admin).await).await;
    assert_eq!(after, before);
}

#[actix_web::test]
async fn the_request_id_is_echoed_or_generated() {
    let app = spawn_app().await;
    let admin = app.bootstrap_admin().await;

    let echoed = app
        .client
        .get(app.url("/api/v1/tasks?limit=abc"))
        .bearer_auth(&admin.token)
        .header("x-request-id", "test-req-42")
        .send()
        .await
        .unwrap();
    let generated = app.client.get(app.url("/api/v1/me")).send().await.unwrap();
    let succeeded = app.get("/api/v1/me", &admin).await;

    assert_eq!(echoed.headers()["x-request-id"], "test-req-42");
    let id = generated.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "not a uuid: {id}");
    let other = succeeded.headers()["x-request-id"].to_str().unwrap();
    assert_ne!(other, id, "each request gets its own id");
    expect_problem(echoed, StatusCode::BAD_REQUEST, "invalid_query").await;
    expect_problem(generated, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[actix_web::test]
async fn a_lawyer_is_refused_the_admin_endpoints() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let staff_before = ok_json(app.get("/api/v1/staff", &firm.admin).await).await;
    let rates_before = ok_json(app.get("/api/v1/bonus-rates", &firm.admin).await).await;

    let attempts = [
        app.post(
            "/api/v1/staff",
            &firm.lawyer,
            &json!({
                "email": "mole@firm.test",
                "full_name": "Mole",
                "role": "admin",
                "supervisor_id": null,
                "password": PASSWORD,
            }),
        )
        .await,
        app.put(
            "/api/v1/bonus-rates",
            &firm.lawyer,
            &json!({"rates": [{"difficulty": 5, "amount_minor": 99_999_999}]}),
        )
        .await,
        app.post("/api/v1/case-templates", &firm.lawyer, &template_of(2))
            .await,
    ];

    for response in attempts {
        let body = expect_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
        assert_problem_shape(&body);
    }
    let staff_after = ok_json(app.get("/api/v1/staff", &firm.admin).await).await;
    let rates_after = ok_json(app.get("/api/v1/bonus-rates", &firm.admin).await).await;
    let templates = ok_json(app.get("/api/v1/case-templates", &firm.admin).await).await;
    assert_eq!(staff_after, staff_before);
    assert_eq!(rates_after, rates_before);
    assert_eq!(
        templates.as_array().unwrap().len(),
        1,
        "only the firm's own template"
    );
}

#[actix_web::test]
async fn overlong_text_is_refused_naming_the_field() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let due = (start_time() + chrono::Duration::days(1)).to_rfc3339();
    let body = json!({
        "title": "Long description",
        "description": "x".repeat(20_001),
        "assignee_id": firm.lawyer.id,
        "due_at": due,
    });

    let response = app.post("/api/v1/tasks", &firm.lawyer, &body).await;

    let problem = expect_invalid(response).await;
    assert_eq!(error_fields(&problem), ["description"]);
    let tasks = ok_json(app.get("/api/v1/tasks", &firm.lawyer).await).await;
    assert_eq!(tasks["items"].as_array().unwrap().len(), 0);
}

#[actix_web::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let app = spawn_app().await;
    let admin = app.bootstrap_admin().await;

    let response = app
        .client
        .get(app.url("/api/v1/me"))
        .header("Authorization", format!("BEARER {}", admin.token))
        .send()
        .await
        .unwrap();

    ok_json(response).await;
}

#[actix_web::test]
async fn configured_origins_get_cors_answers_and_others_do_not() {
    let app =
        spawn_app_with(|s| s.cors_allowed_origins = vec!["https://crm.firm.test".into()]).await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/api/v1/tasks"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header(
                "Access-Control-Request-Headers",
                "authorization, content-type",
            )
            .send()
    };

    let allowed = preflight("https://crm.firm.test").await.unwrap();
    let foreign = preflight("https://evil.test").await.unwrap();

    assert!(allowed.status().is_success(), "{}", allowed.status());
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://crm.firm.test"
    );
    assert!(!foreign
        .headers()
        .contains_key("access-control-allow-origin"));
}

#[actix_web::test]
async fn without_configured_origins_same_origin_calls_with_an_origin_header_work() {
    let app = spawn_app().await;
    let admin = app.bootstrap_admin().await;

    let response = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&admin.token)
        .header("Origin", app.address.clone())
        .send()
        .await
        .unwrap();

    assert!(!response
        .headers()
        .contains_key("access-control-allow-origin"));
    ok_json(response).await;
}
