//! The published contract: `GET /api/openapi.json` describes every route as it behaves, and
//! `docs/openapi.json` is that document.

use gatehouse_api::endpoints::GetOpenApi;
use gatehouse_server::routes;
use gatehouse_server::session::Access;
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;

async fn published(app: &TestApp) -> Value {
    let r = app.call(&Agent::default(), &GetOpenApi, None).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

fn checked_in_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/openapi.json")
}

#[tokio::test]
async fn the_checked_in_contract_is_the_one_the_server_publishes() {
    let app = spawn_app().await;
    let doc = published(&app).await;
    let path = checked_in_path();
    if std::env::var_os("GATEHOUSE_UPDATE_CONTRACT").is_some() {
        let text = serde_json::to_string_pretty(&doc).unwrap() + "\n";
        std::fs::write(&path, text).unwrap();
    }
    let checked_in: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert!(
        checked_in == doc,
        "docs/openapi.json is out of date: run \
         `GATEHOUSE_UPDATE_CONTRACT=1 cargo test -p gatehouse-server --test api contract` and commit it"
    );
}

#[tokio::test]
async fn every_route_is_described_with_its_access_and_the_statuses_it_can_answer() {
    let app = spawn_app().await;
    let doc = published(&app).await;
    assert_eq!(doc["openapi"], "3.1.0");
    let routes = routes::all();
    let operations: usize = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|p| p.as_object().unwrap().len())
        .sum();
    assert_eq!(operations, routes.len(), "one operation per route, no more");
    for route in routes {
        let method = route.method.as_str().to_ascii_lowercase();
        let op = &doc["paths"][route.path][&method];
        assert!(op.is_object(), "{method} {} is not described", route.path);
        assert_eq!(op["operationId"], route.name);
        let statuses = op["responses"].as_object().unwrap();
        let codes_at = |status: &str| -> Vec<String> {
            let Some(response) = statuses.get(status) else {
                return Vec::new();
            };
            let schema = &response["content"]["application/json"]["schema"];
            schema["allOf"][1]["properties"]["code"]["enum"]
                .as_array()
                .map(|codes| {
                    codes
                        .iter()
                        .map(|c| c.as_str().unwrap().to_string())
                        .collect()
                })
                .unwrap_or_default()
        };
        assert!(codes_at("503").contains(&"unavailable".into()) || route.name == "GetHealth");
        match route.access {
            Access::Public => {
                assert_eq!(op["x-gatehouse-access"], "public");
                // Only the ways of signing in answer 401 without a session (a wrong password,
                // code or passkey).
                let signs_in = ["Login", "SignInSecondFactor", "SignInWithPasskey"];
                assert!(!statuses.contains_key("401") || signs_in.contains(&route.name));
            }
            access => {
                let expected = if access == Access::Admin {
                    "admin"
                } else {
                    "user"
                };
                assert_eq!(op["x-gatehouse-access"], expected);
                for code in ["unauthenticated", "session_expired", "account_disabled"] {
                    assert!(
                        codes_at("401").contains(&code.to_string()),
                        "{}",
                        route.path
                    );
                }
                assert_eq!(op["security"][0]["session"], Value::Array(vec![]));
            }
        }
        if access_is(&route, Access::Admin) {
            assert!(codes_at("403").contains(&"forbidden".into()));
        }
        if !route.method.is_safe() {
            assert!(
                codes_at("403").contains(&"csrf_failed".into()),
                "{}",
                route.path
            );
        }
        if route.step_up {
            assert!(codes_at("403").contains(&"reauth_required".into()));
        }
        if route.path.contains('{') {
            assert!(statuses.contains_key("404"), "{}", route.path);
        }
    }
    let error_body = &doc["components"]["schemas"]["ErrorBody"];
    assert!(error_body["properties"]["code"].is_object());
    let codes = &doc["components"]["schemas"]["ErrorCode"]["enum"];
    assert_eq!(
        codes.as_array().unwrap().len(),
        gatehouse_api::ErrorCode::ALL.len()
    );
}

fn access_is(route: &routes::Route, access: Access) -> bool {
    route.access == access
}

#[tokio::test]
async fn a_body_that_is_not_a_json_object_is_422_on_every_route_that_takes_one() {
    let app = spawn_app().await;
    let admin = app.signed_in("root", gatehouse_api::Role::Admin).await;
    let doc = published(&app).await;
    let not_objects = [
        serde_json::json!(["t", "b"]),
        serde_json::json!(["alice", "a password", "x"]),
        serde_json::json!([null, true]),
        serde_json::json!([]),
        serde_json::json!(1),
        serde_json::json!("text"),
        serde_json::json!(true),
        serde_json::json!(null),
    ];
    let (mut failures, mut checked) = (Vec::new(), 0);
    for route in routes::all() {
        let method = route.method.as_str().to_ascii_lowercase();
        if doc["paths"][route.path][&method]["requestBody"].is_null() {
            continue;
        }
        checked += 1;
        let agent = if route.access == Access::Public {
            Agent::default()
        } else {
            admin.clone()
        };
        let path = route.path.replace("{id}", "1");
        for body in &not_objects {
            let r = app
                .send(&agent, route.method.clone(), &path, Some(body.clone()))
                .await;
            let status = r.status();
            let error = r.json::<gatehouse_api::ErrorBody>().await;
            let clear = error.as_ref().is_ok_and(|e| {
                e.code == gatehouse_api::ErrorCode::Validation && e.message.contains("object")
            });
            if status != StatusCode::UNPROCESSABLE_ENTITY || !clear {
                failures.push(format!(
                    "{} {path} {body}: {status} {error:?}",
                    route.method
                ));
            }
        }
    }
    assert!(checked >= 7, "the routes with a body are found ({checked})");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
