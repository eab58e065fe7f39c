//! Clients, staff administration and staff notifications.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

fn sorted(mut fields: Vec<String>) -> Vec<String> {
    fields.sort();
    fields
}

fn query_value(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Adds a client managed by the firm's client manager; returns its id.
async fn add_client(app: &TestApp, firm: &Firm, full_name: &str, email: Option<&str>) -> String {
    let client = created_json(
        app.post(
            "/api/v1/clients",
            &firm.admin,
            &json!({"full_name": full_name, "email": email, "client_manager_id": firm.manager.id}),
        )
        .await,
    )
    .await;
    client["id"].as_str().unwrap().to_string()
}

/// The ids of the clients `who` finds with this search text.
async fn search(app: &TestApp, who: &Person, q: &str) -> Vec<String> {
    let path = format!("/api/v1/clients?limit=200&q={}", query_value(q));
    ids(&ok_json(app.get(&path, who).await).await["items"])
}

/// The ids of every client `who` may see.
async fn visible_clients(app: &TestApp, who: &Person) -> Vec<String> {
    ids(&ok_json(app.get("/api/v1/clients?limit=200", who).await).await["items"])
}

/// Opens a case of `client_id` with `lawyer` responsible.
async fn open_case_for(app: &TestApp, firm: &Firm, client_id: &str, lawyer: &Person) -> Value {
    created_json(
        app.post(
            "/api/v1/cases",
            &firm.head,
            &json!({
                "client_id": client_id,
                "template_id": firm.template_id,
                "responsible_lawyer_id": lawyer.id,
            }),
        )
        .await,
    )
    .await
}

fn new_staff(email: &str, role: &str, supervisor_id: Option<&str>, password: &str) -> Value {
    json!({
        "email": email,
        "full_name": "Olga Smirnova",
        "role": role,
        "supervisor_id": supervisor_id,
        "password": password,
    })
}

async fn staff_list(app: &TestApp, who: &Person) -> Vec<Value> {
    let list = ok_json(app.get("/api/v1/staff", who).await).await;
    list.as_array().expect("an array").clone()
}

async fn staff_member(app: &TestApp, who: &Person, id: &str) -> Value {
    staff_list(app, who)
        .await
        .into_iter()
        .find(|s| s["id"] == id)
        .expect("listed")
}

async fn unread(app: &TestApp, who: &Person) -> Vec<Value> {
    let page = ok_json(app.get("/api/v1/notifications?unread=true", who).await).await;
    page["items"].as_array().unwrap().clone()
}

/// A manual task of `who`, already submitted.
async fn submitted_task(app: &TestApp, who: &Person) -> String {
    let id = app.manual_task(who, None).await;
    ok_json(app.submit(&id, who, json!({})).await).await;
    id
}

fn money(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

// Clients

#[actix_web::test]
async fn client_and_legal_heads_and_managers_add_clients_in_normal_form() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let body = |name: &str, phone: &str, email: &str| {
        json!({
            "full_name": name,
            "phone": phone,
            "email": email,
            "client_manager_id": firm.manager.id,
            "sales_manager_id": firm.head_of_sales.id,
        })
    };

    let by_manager = app
        .post(
            "/api/v1/clients",
            &firm.manager,
            &body(
                "  Мария Сидорова ",
                "+7 (903) 765-43-21",
                " Maria.S@Mail.RU ",
            ),
        )
        .await;
    let by_head = app
        .post(
            "/api/v1/clients",
            &firm.head,
            &body("Олег Орлов", "79031112233", "OLEG@ORLOV.TEST"),
        )
        .await;
    let by_lawyer = app
        .post(
            "/api/v1/clients",
            &firm.lawyer,
            &body("Пётр Нельзя", "+7 903 000-00-00", "no@no.test"),
        )
        .await;

    let by_manager = created_json(by_manager).await;
    let by_head = created_json(by_head).await;
    expect_problem(by_lawyer, StatusCode::FORBIDDEN, "forbidden").await;
    assert_eq!(by_manager["full_name"], "Мария Сидорова");
    assert_eq!(by_manager["phone"], "+79037654321");
    assert_eq!(by_manager["email"], "maria.s@mail.ru");
    assert_eq!(by_manager["notification_preference"], "per_step");
    assert_eq!(by_manager["client_manager_id"], firm.manager.id.as_str());
    assert_eq!(
        by_manager["sales_manager_id"],
        firm.head_of_sales.id.as_str()
    );
    assert_eq!(by_head["phone"], "+79031112233");
    assert_eq!(by_head["email"], "oleg@orlov.test");
    let fetched = ok_json(
        app.get(
            &format!("/api/v1/clients/{}", by_head["id"].as_str().unwrap()),
            &firm.admin,
        )
        .await,
    )
    .await;
    assert_eq!(fetched["phone"], "+79031112233");
    assert_eq!(visible_clients(&app, &firm.admin).await.len(), 3);
}

#[actix_web::test]
async fn the_firms_client_phone_is_kept_as_plus_seven_and_ten_digits() {
    let app = spawn_app().await;
    let firm = app.firm().await;

    let client = ok_json(
        app.get(&format!("/api/v1/clients/{}", firm.client_id), &firm.head)
            .await,
    )
    .await;

    assert_eq!(client["phone"], "+79161234567");
    assert_eq!(client["email"], "ivan@example.ru");
}

#[actix_web::test]
async fn each_invalid_client_field_is_named() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let valid = json!({
        "full_name": "Анна Кузнецова",
        "phone": "+7 916 000-11-22",
        "email": "anna@example.ru",
        "client_manager_id": firm.manager.id,
        "sales_manager_id": firm.head_of_sales.id,
    });
    let unknown = uuid::Uuid::now_v7().to_string();
    let cases = [
        ("full_name", json!("   ")),
        ("phone", json!("12ab")),
        ("email", json!("nope")),
        ("client_manager_id", json!(firm.lawyer.id)),
        ("sales_manager_id", json!(unknown)),
    ];
    let mut answers = Vec::new();

    for (field, value) in &cases {
        let mut body = valid.clone();
        body[*field] = value.clone();
        answers.push(app.post("/api/v1/clients", &firm.manager, &body).await);
    }
    let all_wrong = app
        .post(
            "/api/v1/clients",
            &firm.manager,
            &json!({
                "full_name": "",
                "phone": "12ab",
                "email": "nope",
                "client_manager_id": firm.lawyer.id,
                "sales_manager_id": unknown,
            }),
        )
        .await;

    for ((field, _), answer) in cases.iter().zip(answers) {
        let problem = expect_invalid(answer).await;
        assert_eq!(error_fields(&problem), vec![field.to_string()], "{problem}");
    }
    let problem = expect_invalid(all_wrong).await;
    assert_eq!(
        sorted(error_fields(&problem)),
        sorted(cases.iter().map(|(f, _)| f.to_string()).collect())
    );
    assert_eq!(
        visible_clients(&app, &firm.admin).await,
        vec![firm.client_id.clone()]
    );
}

#[actix_web::test]
async fn client_search_matches_name_phone_and_email_in_any_case() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let maria = add_client(&app, &firm, "Мария Сидорова", Some("maria@mail.test")).await;
    let ivan = vec![firm.client_id.clone()];

    let by_lower_name = search(&app, &firm.admin, "иван").await;
    let by_upper_surname = search(&app, &firm.admin, "ПЕТРОВ").await;
    let by_mixed = search(&app, &firm.admin, "  иВаН пЕтР ").await;
    let by_digits = search(&app, &firm.admin, "9161234567").await;
    let by_international = search(&app, &firm.admin, "+7916").await;
    let by_email = search(&app, &firm.admin, "EXAMPLE.RU").await;
    let by_other_email = search(&app, &firm.admin, "Mail.Test").await;
    let by_nobody = search(&app, &firm.admin, "Сергей").await;
    let everyone = search(&app, &firm.admin, "  ").await;

    assert_eq!(by_lower_name, ivan);
    assert_eq!(by_upper_surname, ivan);
    assert_eq!(by_mixed, ivan);
    assert_eq!(by_digits, ivan);
    assert_eq!(by_international, ivan);
    assert_eq!(by_email, ivan);
    assert_eq!(by_other_email, vec![maria.clone()]);
    assert!(by_nobody.is_empty());
    assert_eq!(everyone, vec![firm.client_id.clone(), maria]);
}

#[actix_web::test]
async fn like_wildcards_in_a_search_match_only_themselves() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let percent = add_client(&app, &firm, "Скидка 100% Клиент", None).await;
    let underscore = add_client(&app, &firm, "Plain", Some("first_last@mail.test")).await;
    let backslash = add_client(&app, &firm, "Back\\slash", None).await;

    let by_percent = search(&app, &firm.admin, "%").await;
    let by_percent_inside = search(&app, &firm.admin, "0%").await;
    let by_underscore = search(&app, &firm.admin, "_").await;
    let by_pattern = search(&app, &firm.admin, "first_l").await;
    let by_underscore_as_any_char = search(&app, &firm.admin, "pla_n").await;
    let by_percent_as_anything = search(&app, &firm.admin, "ск%нт").await;
    let by_backslash = search(&app, &firm.admin, "\\").await;
    let by_both = search(&app, &firm.admin, "%_%").await;

    assert_eq!(by_percent, vec![percent.clone()]);
    assert_eq!(by_percent_inside, vec![percent]);
    assert_eq!(by_underscore, vec![underscore.clone()]);
    assert_eq!(by_pattern, vec![underscore]);
    assert!(
        by_underscore_as_any_char.is_empty(),
        "{by_underscore_as_any_char:?}"
    );
    assert!(
        by_percent_as_anything.is_empty(),
        "{by_percent_as_anything:?}"
    );
    assert_eq!(by_backslash, vec![backslash]);
    assert!(by_both.is_empty(), "{by_both:?}");
}

#[actix_web::test]
async fn client_pages_walk_every_client_once_and_end_without_a_cursor() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let mut expected = vec![firm.client_id.clone()];
    for n in 1..=4 {
        expected.push(add_client(&app, &firm, &format!("Client {n}"), None).await);
    }
    let mut seen = Vec::new();
    let mut cursors = Vec::new();
    let mut cursor: Option<String> = None;

    for _ in 0..10 {
        let path = match &cursor {
            Some(c) => format!("/api/v1/clients?limit=2&cursor={c}"),
            None => "/api/v1/clients?limit=2".to_string(),
        };
        let page = ok_json(app.get(&path, &firm.head).await).await;
        let items = ids(&page["items"]);
        assert!(items.len() <= 2, "{page}");
        seen.extend(items);
        cursors.push(page["next_cursor"].clone());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }

    assert_eq!(cursors.len(), 3, "{cursors:?}");
    assert!(cursors.last().unwrap().is_null());
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "a client was repeated: {seen:?}");
    assert_eq!(sorted(seen), sorted(expected));
}

#[actix_web::test]
async fn a_lawyer_sees_only_the_clients_of_their_own_cases() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let other_client = add_client(&app, &firm, "Мария Сидорова", None).await;
    let unserved_client = add_client(&app, &firm, "Без Дела", None).await;
    app.open_case(&firm, &firm.lawyer).await;
    open_case_for(&app, &firm, &other_client, &firm.other_lawyer).await;
    let path = |id: &str| format!("/api/v1/clients/{id}");

    let lawyers_list = visible_clients(&app, &firm.lawyer).await;
    let other_lawyers_list = visible_clients(&app, &firm.other_lawyer).await;
    let lawyers_search = search(&app, &firm.lawyer, "сидорова").await;
    let own = app.get(&path(&firm.client_id), &firm.lawyer).await;
    let foreign = app.get(&path(&other_client), &firm.lawyer).await;
    let unserved = app.get(&path(&unserved_client), &firm.lawyer).await;
    let heads_list = visible_clients(&app, &firm.head).await;
    let heads_view = app.get(&path(&other_client), &firm.head).await;

    assert_eq!(lawyers_list, vec![firm.client_id.clone()]);
    assert_eq!(other_lawyers_list, vec![other_client.clone()]);
    assert!(lawyers_search.is_empty());
    assert_eq!(ok_json(own).await["id"], firm.client_id.as_str());
    expect_problem(foreign, StatusCode::NOT_FOUND, "not_found").await;
    expect_problem(unserved, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(
        sorted(heads_list),
        sorted(vec![
            firm.client_id.clone(),
            other_client.clone(),
            unserved_client
        ])
    );
    assert_eq!(ok_json(heads_view).await["id"], other_client.as_str());
}

#[actix_web::test]
async fn patch_changes_the_preference_and_an_empty_phone_removes_it() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let path = format!("/api/v1/clients/{}", firm.client_id);

    let updated = app
        .patch(
            &path,
            &firm.manager,
            &json!({"notification_preference": "weekly_digest", "phone": ""}),
        )
        .await;
    let bad = app
        .patch(
            &path,
            &firm.manager,
            &json!({"notification_preference": "daily"}),
        )
        .await;
    let stored = ok_json(app.get(&path, &firm.head).await).await;
    let by_old_phone = search(&app, &firm.head, "9161234567").await;

    let updated = ok_json(updated).await;
    assert_eq!(updated["notification_preference"], "weekly_digest");
    assert!(updated["phone"].is_null(), "{updated}");
    assert_eq!(updated["email"], "ivan@example.ru");
    assert_eq!(updated["full_name"], "Иван Петров");
    assert_eq!(updated["client_manager_id"], firm.manager.id.as_str());
    let bad = expect_problem(bad, StatusCode::BAD_REQUEST, "malformed_json").await;
    assert_eq!(error_fields(&bad), vec!["notification_preference"]);
    assert_eq!(stored["notification_preference"], "weekly_digest");
    assert!(stored["phone"].is_null());
    assert!(
        by_old_phone.is_empty(),
        "the search still knows the old phone"
    );
}

#[actix_web::test]
async fn a_client_whose_sales_manager_left_can_still_be_changed() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let seller = app.hire_seller(&firm, "seller@firm.test").await;
    let path = format!("/api/v1/clients/{}", firm.client_id);
    ok_json(
        app.patch(
            &path,
            &firm.manager,
            &json!({"sales_manager_id": seller.id}),
        )
        .await,
    )
    .await;
    ok_json(
        app.post(
            &format!("/api/v1/staff/{}/deactivate", seller.id),
            &firm.admin,
            &json!({}),
        )
        .await,
    )
    .await;
    let other = add_client(&app, &firm, "Мария Сидорова", None).await;

    let preference = app
        .patch(
            &path,
            &firm.manager,
            &json!({"notification_preference": "none"}),
        )
        .await;
    let assign_leaver = app
        .patch(
            &format!("/api/v1/clients/{other}"),
            &firm.manager,
            &json!({"sales_manager_id": seller.id}),
        )
        .await;

    let preference = ok_json(preference).await;
    assert_eq!(preference["notification_preference"], "none");
    assert_eq!(preference["sales_manager_id"], seller.id.as_str());
    let problem = expect_invalid(assign_leaver).await;
    assert_eq!(error_fields(&problem), vec!["sales_manager_id"]);
}

// Staff

#[actix_web::test]
async fn the_admin_hires_staff_and_their_email_is_stored_lower_case() {
    let app = spawn_app().await;
    let firm = app.firm().await;

    let created = app
        .post(
            "/api/v1/staff",
            &firm.admin,
            &new_staff(" Olga@Firm.Test ", "lawyer", Some(&firm.head.id), PASSWORD),
        )
        .await;
    let created = created_json(created).await;
    let signed_in = app.login("olga@firm.test", PASSWORD).await;

    assert_eq!(created["email"], "olga@firm.test");
    assert_eq!(created["role"], "lawyer");
    assert_eq!(created["supervisor_id"], firm.head.id.as_str());
    assert_eq!(created["active"], true);
    assert!(created.get("password_hash").is_none());
    assert!(created.get("password").is_none());
    ok_json(signed_in).await;
    let listed = staff_member(&app, &firm.lawyer, created["id"].as_str().unwrap()).await;
    assert_eq!(listed["full_name"], "Olga Smirnova");
}

#[actix_web::test]
async fn staff_creation_refuses_taken_emails_short_passwords_and_bad_supervisors() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let unknown = uuid::Uuid::now_v7().to_string();
    let head = Some(firm.head.id.as_str());
    let cases = [
        (
            new_staff("LAWYER@Firm.Test", "lawyer", head, PASSWORD),
            "email",
        ),
        (
            new_staff("new1@firm.test", "lawyer", head, "seven77"),
            "password",
        ),
        (
            new_staff("new2@firm.test", "lawyer", None, PASSWORD),
            "supervisor_id",
        ),
        (
            new_staff("new3@firm.test", "client_manager", None, PASSWORD),
            "supervisor_id",
        ),
        (
            new_staff("new4@firm.test", "lawyer", Some(&unknown), PASSWORD),
            "supervisor_id",
        ),
    ];
    let before = staff_list(&app, &firm.admin).await.len();
    let mut answers = Vec::new();

    for (body, _) in &cases {
        answers.push(app.post("/api/v1/staff", &firm.admin, body).await);
    }
    let eight = app
        .post(
            "/api/v1/staff",
            &firm.admin,
            &new_staff("new5@firm.test", "admin", None, "eight888"),
        )
        .await;

    for ((body, field), answer) in cases.iter().zip(answers) {
        let problem = expect_invalid(answer).await;
        assert_eq!(error_fields(&problem), vec![field.to_string()], "{body}");
    }
    created_json(eight).await;
    assert_eq!(staff_list(&app, &firm.admin).await.len(), before + 1);
    ok_json(app.login("lawyer@firm.test", PASSWORD).await).await;
}

#[actix_web::test]
async fn a_supervisor_cannot_be_made_to_report_to_their_own_report() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let path = format!("/api/v1/staff/{}", firm.head.id);

    let to_own_lawyer = app
        .patch(
            &path,
            &firm.admin,
            &json!({"supervisor_id": firm.lawyer.id}),
        )
        .await;
    let to_self = app
        .patch(&path, &firm.admin, &json!({"supervisor_id": firm.head.id}))
        .await;
    let admin_under_head = app
        .patch(
            &format!("/api/v1/staff/{}", firm.admin.id),
            &firm.admin,
            &json!({"supervisor_id": firm.lawyer.id}),
        )
        .await;

    for answer in [to_own_lawyer, to_self, admin_under_head] {
        let problem = expect_invalid(answer).await;
        assert_eq!(error_fields(&problem), vec!["supervisor_id"]);
    }
    let head = staff_member(&app, &firm.admin, &firm.head.id).await;
    assert_eq!(head["supervisor_id"], firm.admin.id.as_str());
}

#[actix_web::test]
async fn a_new_password_replaces_the_old_one() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let path = format!("/api/v1/staff/{}", firm.lawyer.id);

    let too_short = app
        .patch(&path, &firm.admin, &json!({"password": "short"}))
        .await;
    let changed = app
        .patch(
            &path,
            &firm.admin,
            &json!({"password": "a-brand-new-secret"}),
        )
        .await;
    let with_new = app.login("lawyer@firm.test", "a-brand-new-secret").await;
    let with_old = app.login("lawyer@firm.test", PASSWORD).await;

    let problem = expect_invalid(too_short).await;
    assert_eq!(error_fields(&problem), vec!["password"]);
    let changed = ok_json(changed).await;
    assert_eq!(changed["email"], "lawyer@firm.test");
    assert_eq!(changed["supervisor_id"], firm.head.id.as_str());
    ok_json(with_new).await;
    expect_problem(with_old, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[actix_web::test]
async fn a_deactivated_person_stays_listed_but_cannot_sign_in_or_act() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let path = format!("/api/v1/staff/{}/deactivate", firm.lawyer.id);

    let first = app.post(&path, &firm.admin, &json!({})).await;
    let second = app.post(&path, &firm.admin, &json!({})).await;
    let login = app.login("lawyer@firm.test", PASSWORD).await;
    let old_token = app.get("/api/v1/staff", &firm.lawyer).await;

    let first = ok_json(first).await;
    assert_eq!(first["active"], false);
    expect_problem(second, StatusCode::CONFLICT, "already_deactivated").await;
    expect_problem(login, StatusCode::UNAUTHORIZED, "unauthorized").await;
    expect_problem(old_token, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let everyone = staff_list(&app, &firm.head).await;
    assert_eq!(everyone.len(), 6);
    let listed = staff_member(&app, &firm.head, &firm.lawyer.id).await;
    assert_eq!(listed["active"], false);
    assert_eq!(listed["email"], "lawyer@firm.test");
}

#[actix_web::test]
async fn the_admin_cannot_deactivate_themself() {
    let app = spawn_app().await;
    let firm = app.firm().await;

    let answer = app
        .post(
            &format!("/api/v1/staff/{}/deactivate", firm.admin.id),
            &firm.admin,
            &json!({}),
        )
        .await;

    expect_problem(answer, StatusCode::CONFLICT, "self_deactivation").await;
    assert_eq!(
        staff_member(&app, &firm.admin, &firm.admin.id).await["active"],
        true
    );
}

#[actix_web::test]
async fn a_deactivated_person_gets_no_new_tasks_or_cases() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    ok_json(
        app.post(
            &format!("/api/v1/staff/{}/deactivate", firm.lawyer.id),
            &firm.admin,
            &json!({}),
        )
        .await,
    )
    .await;
    let due = app.clock.now_utc() + chrono::Duration::days(1);

    let task = app
        .post(
            "/api/v1/tasks",
            &firm.head,
            &json!({
                "title": "Call the court",
                "assignee_id": firm.lawyer.id,
                "due_at": due.to_rfc3339(),
            }),
        )
        .await;
    let case = app
        .post(
            "/api/v1/cases",
            &firm.head,
            &json!({
                "client_id": firm.client_id,
                "template_id": firm.template_id,
                "responsible_lawyer_id": firm.lawyer.id,
            }),
        )
        .await;

    let task = expect_invalid(task).await;
    let case = expect_invalid(case).await;
    assert_eq!(error_fields(&task), vec!["assignee_id"]);
    assert_eq!(error_fields(&case), vec!["responsible_lawyer_id"]);
    let cases = ok_json(app.get("/api/v1/cases", &firm.head).await).await;
    assert_eq!(cases["items"].as_array().unwrap().len(), 0);
}

#[actix_web::test]
async fn a_lawyer_reads_the_staff_list_but_changes_nobody() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let other = format!("/api/v1/staff/{}", firm.other_lawyer.id);

    let create = app
        .post(
            "/api/v1/staff",
            &firm.lawyer,
            &new_staff("intruder@firm.test", "admin", None, PASSWORD),
        )
        .await;
    let patch_other = app
        .patch(&other, &firm.lawyer, &json!({"full_name": "Renamed"}))
        .await;
    let patch_self = app
        .patch(
            &format!("/api/v1/staff/{}", firm.lawyer.id),
            &firm.lawyer,
            &json!({"role": "admin"}),
        )
        .await;
    let deactivate = app
        .post(&format!("{other}/deactivate"), &firm.lawyer, &json!({}))
        .await;
    let list = app.get("/api/v1/staff", &firm.lawyer).await;

    for answer in [create, patch_other, patch_self, deactivate] {
        expect_problem(answer, StatusCode::FORBIDDEN, "forbidden").await;
    }
    let list = ok_json(list).await;
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 6);
    assert!(list.iter().all(|s| s["active"] == true));
    assert!(list.iter().all(|s| s["email"] != "intruder@firm.test"));
    let me = list.iter().find(|s| s["id"] == firm.lawyer.id.as_str());
    assert_eq!(me.unwrap()["role"], "lawyer");
    let other = list
        .iter()
        .find(|s| s["id"] == firm.other_lawyer.id.as_str());
    assert_eq!(other.unwrap()["full_name"], "Staff lawyer2@firm.test");
}

// Notifications

#[actix_web::test]
async fn approval_and_return_notify_the_assignee_newest_first() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let approved = submitted_task(&app, &firm.lawyer).await;
    let returned = submitted_task(&app, &firm.lawyer).await;

    let outcome = ok_json(
        app.approve(&approved, &firm.head, json!({"difficulty": 3}))
            .await,
    )
    .await;
    app.clock.advance(chrono::Duration::minutes(5));
    ok_json(
        app.post(
            &format!("/api/v1/tasks/{returned}/return"),
            &firm.head,
            &json!({"comment": "Attach the bank's reply"}),
        )
        .await,
    )
    .await;
    let notices = unread(&app, &firm.lawyer).await;

    assert_eq!(notices.len(), 2, "{notices:?}");
    let (newest, oldest) = (&notices[0], &notices[1]);
    assert_eq!(newest["kind"], "task_returned");
    assert_eq!(newest["task_id"], returned.as_str());
    let message = newest["message"].as_str().unwrap();
    assert!(message.contains("Prepare the creditors list"), "{message}");
    assert!(message.contains("Attach the bank's reply"), "{message}");
    assert_eq!(oldest["kind"], "task_approved");
    assert_eq!(oldest["task_id"], approved.as_str());
    let credited = outcome["credited_minor"].as_i64().unwrap();
    assert!(credited > 0);
    let message = oldest["message"].as_str().unwrap();
    assert!(message.contains("Prepare the creditors list"), "{message}");
    assert!(
        message.contains(&format!("{} RUB", money(credited))),
        "{message}"
    );
    assert!(newest["created_at"].as_str() > oldest["created_at"].as_str());
    assert!(newest["read_at"].is_null() && oldest["read_at"].is_null());
    assert!(unread(&app, &firm.head).await.is_empty());
}

#[actix_web::test]
async fn a_read_notification_leaves_the_unread_list() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    for _ in 0..2 {
        let task = submitted_task(&app, &firm.lawyer).await;
        ok_json(
            app.approve(&task, &firm.head, json!({"difficulty": 2}))
                .await,
        )
        .await;
    }
    let before = unread(&app, &firm.lawyer).await;
    let read_id = before[0]["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/notifications/{read_id}/read");

    let read = app.post(&path, &firm.lawyer, &json!({})).await;
    let after = unread(&app, &firm.lawyer).await;
    let all = ok_json(app.get("/api/v1/notifications", &firm.lawyer).await).await;

    assert_eq!(read.status(), StatusCode::NO_CONTENT);
    assert_eq!(before.len(), 2);
    assert_eq!(ids(&json!(after)), vec![before[1]["id"].as_str().unwrap()]);
    let all = all["items"].as_array().unwrap();
    assert_eq!(all.len(), 2);
    let marked = all.iter().find(|n| n["id"] == read_id.as_str()).unwrap();
    assert!(marked["read_at"].is_string(), "{marked}");
}

#[actix_web::test]
async fn another_persons_notification_cannot_be_marked_read() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let task = submitted_task(&app, &firm.lawyer).await;
    ok_json(
        app.approve(&task, &firm.head, json!({"difficulty": 1}))
            .await,
    )
    .await;
    let notice = unread(&app, &firm.lawyer).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let unknown = uuid::Uuid::now_v7().to_string();

    let by_other_lawyer = app
        .post(
            &format!("/api/v1/notifications/{notice}/read"),
            &firm.other_lawyer,
            &json!({}),
        )
        .await;
    let by_head = app
        .post(
            &format!("/api/v1/notifications/{notice}/read"),
            &firm.head,
            &json!({}),
        )
        .await;
    let missing = app
        .post(
            &format!("/api/v1/notifications/{unknown}/read"),
            &firm.lawyer,
            &json!({}),
        )
        .await;

    for answer in [by_other_lawyer, by_head, missing] {
        expect_problem(answer, StatusCode::NOT_FOUND, "not_found").await;
    }
    assert_eq!(ids(&json!(unread(&app, &firm.lawyer).await)), vec![notice]);
}

#[actix_web::test]
async fn a_lawyer_reads_but_cannot_change_the_clients_of_their_cases() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    app.open_case(&firm, &firm.lawyer).await;
    let path = format!("/api/v1/clients/{}", firm.client_id);

    let change = json!({"client_manager_id": firm.manager.id, "full_name": "Someone else"});
    let response = app.patch(&path, &firm.lawyer, &change).await;

    expect_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
    let client = ok_json(app.get(&path, &firm.lawyer).await).await;
    assert_eq!(client["full_name"], "Иван Петров");
}

#[actix_web::test]
async fn a_new_password_ends_the_old_sessions() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let tokens = ok_json(app.login("lawyer@firm.test", PASSWORD).await).await;

    let change = json!({"password": "a-brand-new-password"});
    let path = format!("/api/v1/staff/{}", firm.lawyer.id);
    ok_json(app.patch(&path, &firm.admin, &change).await).await;
    let refresh = json!({"refresh_token": tokens["refresh_token"]});
    let refreshed = app.post_anonymous("/api/v1/auth/refresh", &refresh).await;

    expect_problem(refreshed, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[actix_web::test]
async fn a_supervisor_with_active_reports_is_not_deactivated() {
    let app = spawn_app().await;
    let firm = app.firm().await;

    let path = format!("/api/v1/staff/{}/deactivate", firm.head.id);
    let response = app.post(&path, &firm.admin, &json!({})).await;

    expect_problem(response, StatusCode::CONFLICT, "has_reports").await;
    let head = staff_member(&app, &firm.admin, &firm.head.id).await;
    assert_eq!(head["active"], true);
}

#[actix_web::test]
async fn staff_timestamps_are_utc_instants() {
    let app = spawn_app().await;
    let firm = app.firm().await;

    let me = ok_json(app.get("/api/v1/me", &firm.lawyer).await).await;

    let created = me["created_at"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(created).is_ok(),
        "{created}"
    );
    assert!(created.ends_with('Z'), "{created}");
}

#[actix_web::test]
async fn a_lawyer_with_open_cases_is_not_deactivated_until_they_are_handed_over() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let (case, _) = app.open_case(&firm, &firm.lawyer).await;
    let deactivate = format!("/api/v1/staff/{}/deactivate", firm.lawyer.id);

    let refused = app.post(&deactivate, &firm.admin, &json!({})).await;
    let case_path = format!("/api/v1/cases/{}", case["id"].as_str().unwrap());
    let handover = json!({"responsible_lawyer_id": firm.other_lawyer.id});
    ok_json(app.patch(&case_path, &firm.head, &handover).await).await;
    let done = app.post(&deactivate, &firm.admin, &json!({})).await;

    expect_problem(refused, StatusCode::CONFLICT, "has_open_cases").await;
    assert_eq!(ok_json(done).await["active"], false);
}

#[actix_web::test]
async fn null_removes_a_clients_sales_manager_and_phone_while_absent_fields_stay() {
    let app = spawn_app().await;
    let firm = app.firm().await;
    let seller = app.hire_seller(&firm, "seller@firm.test").await;
    let path = format!("/api/v1/clients/{}", firm.client_id);
    ok_json(
        app.patch(
            &path,
            &firm.manager,
            &json!({"sales_manager_id": seller.id}),
        )
        .await,
    )
    .await;

    let body = json!({"sales_manager_id": null, "phone": null});
    let client = ok_json(app.patch(&path, &firm.manager, &body).await).await;

    assert_eq!(client["sales_manager_id"], Value::Null);
    assert_eq!(client["phone"], Value::Null);
    assert_eq!(client["email"], "ivan@example.ru");
    assert_eq!(client["full_name"], "Иван Петров");
}
