use gatehouse_api::endpoints::{CreateNote, GetHealth, ListNotes, Login, Logout, Me};
use gatehouse_api::{Endpoint, ErrorCode, Role};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

async fn raw_post(
    app: &TestApp,
    agent: &Agent,
    path: &str,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    let (name, value) = agent.session.clone().unwrap_or_default();
    app.http
        .post(app.url(path))
        .header("Cookie", format!("{name}={value}"))
        .header("X-CSRF-TOKEN", agent.csrf.clone().unwrap_or_default())
        .header("Content-Type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn malformed_json_is_400_and_wrong_content_type_is_415() {
    let app = spawn_app().await;
    let ann = app.signed_in("ann", Role::User).await;
    for path in [Login::PATH, CreateNote::PATH] {
        let r = raw_post(&app, &ann, path, "application/json", "{ not json").await;
        expect_error(r, StatusCode::BAD_REQUEST, ErrorCode::Validation).await;
        let r = raw_post(&app, &ann, path, "text/plain", "{}").await;
        expect_error(
            r,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
        )
        .await;
    }
}

#[tokio::test]
async fn a_body_over_64_kib_is_413() {
    let app = spawn_app().await;
    let ann = app.signed_in("ann", Role::User).await;
    let big = json!({"title": "t", "body": "x".repeat(70 * 1024)}).to_string();
    let r = raw_post(
        &app,
        &ann,
        CreateNote::PATH,
        "application/json",
        big.clone(),
    )
    .await;
    expect_error(r, StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::PayloadTooLarge).await;
    let r = raw_post(
        &app,
        &Agent::default(),
        Login::PATH,
        "application/json",
        big,
    )
    .await;
    expect_error(r, StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::PayloadTooLarge).await;
}

#[tokio::test]
async fn fields_out_of_range_are_422_with_a_message_per_field() {
    let app = spawn_app().await;
    let ann = app.signed_in("ann", Role::User).await;
    let r = app
        .call(
            &ann,
            &CreateNote,
            Some(json!({"title": "", "body": "b".repeat(20_001)})),
        )
        .await;
    let body = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Validation).await;
    assert!(body.fields["title"].contains("empty"), "{body:?}");
    assert!(body.fields["body"].contains("20000"), "{body:?}");
    let r = app
        .call(
            &ann,
            &CreateNote,
            Some(json!({"title": "t".repeat(201), "body": ""})),
        )
        .await;
    let body = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Validation).await;
    assert!(body.fields.contains_key("title"));

    let r = app
        .call(
            &Agent::default(),
            &Login,
            Some(json!({"username": "u".repeat(65), "password": "x"})),
        )
        .await;
    let body = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Validation).await;
    assert!(body.fields.contains_key("username"));
}

#[tokio::test]
async fn unknown_missing_or_mistyped_fields_are_422() {
    let app = spawn_app().await;
    let ann = app.signed_in("ann", Role::User).await;
    for body in [
        json!({"title": "t", "body": "", "owner": 2}),
        json!({"title": "t"}),
        json!({"title": 5, "body": ""}),
        json!([1, 2]),
    ] {
        let r = app.call(&ann, &CreateNote, Some(body.clone())).await;
        expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Validation).await;
    }
    let r = app
        .call(
            &Agent::default(),
            &Login,
            Some(json!({"username": "a", "password": "b", "role": "admin"})),
        )
        .await;
    expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Validation).await;
}

#[tokio::test]
async fn unknown_api_paths_bad_ids_and_wrong_methods_answer_json_never_the_spa() {
    let app = spawn_app().await;
    let ann = app.signed_in("ann", Role::User).await;
    for path in [
        "/api/nope",
        "/api",
        "/api/notes/abc",
        "/api/notes/99999999999999999999",
        "/api/notes/1/extra",
    ] {
        expect_error(
            app.get(&ann, path).await,
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
        )
        .await;
    }
    // A path that is declared, with a method that is not.
    let r = app.send(&ann, Method::PATCH, ListNotes::PATH, None).await;
    assert!(r.headers().contains_key("allow"));
    expect_error(
        r,
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
    )
    .await;
}

#[tokio::test]
async fn signing_out_takes_a_post_so_a_link_or_image_cannot_sign_anyone_out() {
    let app = spawn_app().await;
    let ann = app.signed_in("ann", Role::User).await;
    let r = app.get(&ann, Logout::PATH).await;
    expect_error(
        r,
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
    )
    .await;
    assert_eq!(
        app.call(&ann, &Me, None).await.status(),
        StatusCode::OK,
        "still signed in"
    );
}

#[tokio::test]
async fn every_response_carries_the_security_headers_and_api_answers_are_not_stored() {
    let app = spawn_app().await;
    for path in [GetHealth::PATH, "/api/nope", "/", "/notes/5"] {
        let r = app.get(&Agent::default(), path).await;
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert!(h.contains_key("referrer-policy"), "{path}");
        assert!(
            !h.contains_key("strict-transport-security"),
            "http public URL: no HSTS"
        );
        if path.starts_with("/api") {
            assert_eq!(h["cache-control"], "no-store", "{path}");
        } else {
            assert!(
                csp.contains("'sha256-") && !csp.contains("unsafe-inline"),
                "{path}: {csp}"
            );
            assert!(csp.contains("object-src 'none'") && csp.contains("base-uri 'none'"));
            assert_eq!(h["cache-control"], "no-cache", "{path}");
            assert!(h["content-type"].to_str().unwrap().starts_with("text/html"));
        }
    }
}

#[tokio::test]
async fn api_answers_allow_nothing_and_carry_no_headers_that_only_a_page_reads() {
    let app = spawn_app().await;
    for path in [GetHealth::PATH, "/api/nope", "/api"] {
        let r = app.get(&Agent::default(), path).await;
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
            "{path}: {csp}"
        );
        assert!(!csp.contains("sha256-"), "{path}: the page's CSP: {csp}");
        for page_only in ["permissions-policy", "cross-origin-opener-policy"] {
            assert!(!h.contains_key(page_only), "{path}: {page_only}");
        }
        assert_eq!(h["cross-origin-resource-policy"], "same-origin", "{path}");
        let bytes: usize = h
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len() + 4)
            .sum();
        assert!(bytes < 400, "{path}: {bytes} bytes of headers: {h:?}");
    }
    // A path that only begins like the API is a page.
    let r = app.get(&Agent::default(), "/apiary").await;
    assert!(r.headers().contains_key("permissions-policy"));
}

#[tokio::test]
async fn hashed_assets_are_cached_for_a_year_and_deep_links_get_index_html() {
    let app = spawn_app().await;
    std::fs::write(
        app.config.dist.join("gatehouse-0123456789abcdef.js"),
        "export {}",
    )
    .unwrap();
    let r = app
        .get(&Agent::default(), "/gatehouse-0123456789abcdef.js")
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let r = app.get(&Agent::default(), "/notes/42?tab=a").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("<title>t</title>"));
    for missing in ["/favicon.ico", "/gatehouse-ffffffffffffffff.js"] {
        let r = app.get(&Agent::default(), missing).await;
        assert_eq!(
            r.status(),
            StatusCode::NOT_FOUND,
            "{missing} must not be the SPA"
        );
    }
}

#[tokio::test]
async fn hashed_assets_are_sent_precompressed_and_json_answers_are_compressed() {
    let app = spawn_app().await;
    let dist = &app.config.dist;
    std::fs::write(
        dist.join("app-0123456789abcdef.js"),
        "export const a = 1;\n".repeat(100),
    )
    .unwrap();
    std::fs::write(dist.join("app-0123456789abcdef.js.br"), b"pretend-brotli").unwrap();
    std::fs::write(dist.join("app-0123456789abcdef.js.gz"), b"pretend-gzip").unwrap();
    let fetch = |encoding: &'static str| {
        app.http
            .get(app.url("/app-0123456789abcdef.js"))
            .header("Accept-Encoding", encoding)
            .send()
    };
    let br = fetch("br, gzip").await.unwrap();
    assert_eq!(br.headers()["content-encoding"], "br");
    assert_eq!(
        br.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(
        br.bytes().await.unwrap().as_ref(),
        b"pretend-brotli",
        "the file made at build time"
    );
    let gz = fetch("gzip").await.unwrap();
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    assert_eq!(gz.bytes().await.unwrap().as_ref(), b"pretend-gzip");

    let ann = app.signed_in("ann", Role::User).await;
    for i in 0..5 {
        let note = json!({"title": format!("note {i}"), "body": "text ".repeat(50)});
        app.call(&ann, &CreateNote, Some(note)).await;
    }
    let (name, value) = ann.session.clone().unwrap();
    let list = app
        .http
        .get(app.url(ListNotes::PATH))
        .header("Cookie", format!("{name}={value}"))
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(list.status(), StatusCode::OK);
    assert_eq!(list.headers()["content-encoding"], "gzip");
}

#[tokio::test]
async fn every_page_denies_browser_features_but_passkeys_and_cross_origin_embedding() {
    let app = spawn_app().await;
    for path in ["/", "/notes/5", "/missing.js", "/login"] {
        let r = app.get(&Agent::default(), path).await;
        let h = r.headers();
        assert_eq!(h["cross-origin-resource-policy"], "same-origin", "{path}");
        let policy = h["permissions-policy"].to_str().unwrap();
        for feature in [
            "camera=()",
            "microphone=()",
            "geolocation=()",
            "payment=()",
            "usb=()",
        ] {
            assert!(policy.contains(feature), "{path}: {policy}");
        }
        // Passkeys are a way in: their creation and use stay allowed to this origin.
        for feature in [
            "publickey-credentials-create=(self)",
            "publickey-credentials-get=(self)",
        ] {
            assert!(policy.contains(feature), "{path}: {policy}");
        }
    }
}

#[tokio::test]
async fn shape_errors_name_the_field_but_never_rust_types_or_positions() {
    let app = spawn_app().await;
    let ann = app.signed_in("ann", Role::User).await;
    let note = Call::to(&CreateNote);
    for (request, body, says) in [
        (
            note.clone(),
            json!({"title": "t", "body": "", "owner": 2}),
            "owner",
        ),
        (note.clone(), json!({"title": "t"}), "body"),
        (note.clone(), json!({"title": 5, "body": ""}), "title"),
        (note.clone(), json!([1, 2]), "object"),
        (note, json!("text"), "object"),
        (
            Call::to(&Login),
            json!({"username": "a", "password": "b", "role": "admin"}),
            "role",
        ),
    ] {
        let r = app.send_call(&ann, &request, Some(body.clone())).await;
        let err = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Validation).await;
        let m = &err.message;
        assert!(m.contains(says), "{body}: {m}");
        for internal in [
            "NewNote",
            "LoginRequest",
            "struct",
            "line 1",
            "column",
            "deserialize",
        ] {
            assert!(!m.contains(internal), "{body}: {m}");
        }
    }
}
