use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

#[actix_web::test]
async fn login_gives_tokens_that_open_me() {
    let app = spawn_app().await;
    let admin = app.bootstrap_admin().await;

    let me = ok_json(app.get("/api/v1/me", &admin).await).await;

    assert_eq!(me["email"], "admin@firm.test");
    assert_eq!(me["role"], "admin");
    assert!(me.get("password_hash").is_none());
}

#[actix_web::test]
async fn wrong_password_and_unknown_email_answer_alike() {
    let app = spawn_app().await;
    app.bootstrap_admin().await;

    let wrong = expect_problem(
        app.login("admin@firm.test", "nope-nope").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    let unknown = expect_problem(
        app.login("ghost@firm.test", "nope-nope").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;

    assert_eq!(wrong["detail"], unknown["detail"]);
}

#[actix_web::test]
async fn missing_token_is_401_with_bearer_challenge() {
    let app = spawn_app().await;

    let response = app.client.get(app.url("/api/v1/me")).send().await.unwrap();

    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    expect_problem(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[actix_web::test]
async fn refresh_rotates_and_the_old_token_stops_working() {
    let app = spawn_app().await;
    app.bootstrap_admin().await;
    let first = ok_json(app.login("admin@firm.test", PASSWORD).await).await;

    let second = ok_json(
        app.post_anonymous(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": first["refresh_token"]}),
        )
        .await,
    )
    .await;
    let reused = app
        .post_anonymous(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": first["refresh_token"]}),
        )
        .await;

    assert_ne!(second["refresh_token"], first["refresh_token"]);
    expect_problem(reused, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[actix_web::test]
async fn logout_revokes_the_refresh_token() {
    let app = spawn_app().await;
    app.bootstrap_admin().await;
    let tokens = ok_json(app.login("admin@firm.test", PASSWORD).await).await;

    let out = app
        .post_anonymous(
            "/api/v1/auth/logout",
            &json!({"refresh_token": tokens["refresh_token"]}),
        )
        .await;
    let refreshed = app
        .post_anonymous(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": tokens["refresh_token"]}),
        )
        .await;

    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    expect_problem(refreshed, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[actix_web::test]
async fn access_token_expires_by_the_service_clock() {
    let app = spawn_app().await;
    let admin = app.bootstrap_admin().await;

    app.clock.advance(chrono::Duration::minutes(16));

    expect_problem(
        app.get("/api/v1/me", &admin).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
}

#[actix_web::test]
async fn login_is_rate_limited_per_address() {
    let app = spawn_app_with(|s| s.login_attempts_per_minute = 3).await;

    for _ in 0..3 {
        let response = app.login("ghost@firm.test", "whatever-1").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let limited = app.login("ghost@firm.test", "whatever-1").await;

    assert!(limited.headers().contains_key("retry-after"));
    expect_problem(limited, StatusCode::TOO_MANY_REQUESTS, "too_many_requests").await;
}

#[actix_web::test]
async fn deactivated_staff_cannot_sign_in_or_use_their_token() {
    let app = spawn_app().await;
    let admin = app.bootstrap_admin().await;
    let head = app
        .hire(&admin, "head@firm.test", "head_of_legal", Some(&admin))
        .await;

    let response = app
        .post(
            &format!("/api/v1/staff/{}/deactivate", head.id),
            &admin,
            &json!({}),
        )
        .await;
    ok_json(response).await;

    expect_problem(
        app.get("/api/v1/me", &head).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    expect_problem(
        app.login("head@firm.test", PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
}
