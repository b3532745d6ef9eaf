//! The API's published contract: an OpenAPI 3.1 document generated from the route table and
//! the endpoint declarations, served at `GET /api/openapi.json` and kept in `docs/openapi.json`.
//!
//! Each operation says who may call it, its parameters, its request and response bodies (from
//! the wire types' utoipa schemas), and every status it can answer with the error body's
//! `code`s for each: those every route of its kind can answer (bad input, sign-in, access, an
//! unavailable store) and the endpoint's own.

use std::collections::BTreeMap;

use gatehouse_api::endpoints::CreateNote;
use gatehouse_api::{Endpoint, ErrorBody, ErrorCode, ParamIn};
use serde_json::{Value, json};

use crate::routes::Route;
use crate::session::Access;
use gatehouse_api::schema::{Schemas, reference};

/// The codes `route` can answer, by status.
fn errors(route: &Route) -> BTreeMap<u16, Vec<ErrorCode>> {
    use ErrorCode as C;
    let mut by_status: BTreeMap<u16, Vec<ErrorCode>> = BTreeMap::new();
    let mut add = |status: u16, code: ErrorCode| {
        let codes = by_status.entry(status).or_default();
        if !codes.contains(&code) {
            codes.push(code);
        }
    };
    add(500, C::Internal);
    add(503, C::Unavailable);
    add(408, C::Timeout);
    let contract = &route.contract;
    let has_body = (contract.request)(&mut Schemas::new()).is_some();
    if route.access != Access::Public {
        for code in [
            C::Unauthenticated,
            C::SessionExpired,
            C::AccountDisabled,
            C::PasswordChanged,
            C::SessionEnded,
        ] {
            add(401, code);
        }
        if !route.before_password_change {
            add(403, C::PasswordChangeRequired);
        }
        if !route.before_second_factor {
            add(403, C::SecondFactorEnrolmentRequired);
        }
    }
    if route.access == Access::Admin {
        add(403, C::Forbidden);
    }
    if !route.method.is_safe() {
        add(403, C::CsrfFailed);
    }
    if route.step_up {
        add(403, C::ReauthRequired);
    }
    if has_body {
        add(400, C::Validation);
        add(413, C::PayloadTooLarge);
        add(415, C::UnsupportedMediaType);
        add(422, C::Validation);
    }
    if contract.params.iter().any(|p| p.at == ParamIn::Path) {
        add(404, C::NotFound);
    }
    if contract.params.iter().any(|p| p.at == ParamIn::Query) {
        add(400, C::Validation);
    }
    for code in contract.errors {
        add(code.status(), *code);
    }
    by_status
}

fn reason(status: u16) -> &'static str {
    axum::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error")
}

/// The resource a path belongs to (`/api/notes/{id}`: `notes`), as a tag.
fn tag(path: &str) -> &str {
    let below = path
        .strip_prefix(gatehouse_api::API_ROOT)
        .unwrap_or(path)
        .trim_start_matches('/');
    below.split('/').next().unwrap_or(below)
}

/// One operation.
fn operation(route: &Route, schemas: &mut Schemas) -> Value {
    let contract = &route.contract;
    let mut responses = serde_json::Map::new();
    let success = match (contract.creates, (contract.response)(schemas)) {
        _ if contract.redirects => (
            "303",
            json!({
                "description": "On to the page named in `Location` (a browser navigation)",
                "headers": {"Location": {"schema": {"type": "string"}}},
            }),
        ),
        (true, Some(schema)) => (
            "201",
            json!({"description": "Created", "content": {"application/json": {"schema": schema}}}),
        ),
        (false, Some(schema)) => (
            "200",
            json!({"description": "OK", "content": {"application/json": {"schema": schema}}}),
        ),
        (_, None) => ("204", json!({"description": "Done, nothing to answer"})),
    };
    responses.insert(success.0.into(), success.1.clone());
    let error_body = reference::<ErrorBody>(schemas);
    for (status, codes) in errors(route) {
        let names: Vec<&str> = codes.iter().map(|c| c.as_str()).collect();
        let schema = if status == 503 && route.name == "GetHealth" {
            // The health check answers its report either way; 503 means something is down.
            success.1["content"]["application/json"]["schema"].clone()
        } else {
            json!({"allOf": [error_body, {"properties": {"code": {"enum": names}}}]})
        };
        let mut response = json!({
            "description": format!("{}: {}", reason(status), names.join(", ")),
            "content": {"application/json": {"schema": schema}},
        });
        if status == 429 {
            response["headers"] = json!({"Retry-After": {
                "description": "Seconds until the next attempt is allowed",
                "schema": {"type": "integer", "minimum": 1},
            }});
        }
        responses.insert(status.to_string(), response);
    }
    let parameters: Vec<Value> = contract
        .params
        .iter()
        .map(|p| {
            json!({
                "name": p.name,
                "in": if p.at == ParamIn::Path { "path" } else { "query" },
                "required": p.at == ParamIn::Path,
                "schema": if p.integer { json!({"type": "integer", "format": "int64"}) } else { json!({"type": "string"}) },
            })
        })
        .collect();
    let security = match route.access {
        Access::Public => json!([]),
        _ if route.method.is_safe() => json!([{"session": []}]),
        _ => json!([{"session": [], "csrf": []}]),
    };
    let access = match route.access {
        Access::Public => "public",
        Access::User => "user",
        Access::Admin => "admin",
    };
    let mut op = json!({
        "operationId": route.name,
        "summary": contract.summary.trim(),
        "tags": [tag(route.path)],
        "parameters": parameters,
        "responses": responses,
        "security": security,
        "x-gatehouse-access": access,
        "x-gatehouse-step-up": route.step_up,
        "x-gatehouse-renews-session": route.renews && route.access != Access::Public,
    });
    if let Some(schema) = (contract.request)(schemas) {
        op["requestBody"] =
            json!({"required": true, "content": {"application/json": {"schema": schema}}});
    }
    op
}

/// The document for `routes`.
pub fn document(routes: &[Route]) -> Value {
    let mut schemas = Schemas::new();
    let mut paths: BTreeMap<&str, serde_json::Map<String, Value>> = BTreeMap::new();
    for route in routes {
        let method = route.method.as_str().to_ascii_lowercase();
        let op = operation(route, &mut schemas);
        paths.entry(route.path).or_default().insert(method, op);
    }
    // Created notes and accounts lead to their own operations (stateful testing follows these).
    let link = |operation: &str| json!({"operationId": operation, "parameters": {"id": "$response.body#/id"}});
    if let Some(created) = paths
        .get_mut(CreateNote::PATH)
        .and_then(|p| p.get_mut("post"))
        .and_then(|op| op["responses"].get_mut("201"))
    {
        created["links"] = json!({
            "GetNote": link("GetNote"),
            "UpdateNote": link("UpdateNote"),
            "DeleteNote": link("DeleteNote"),
        });
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Gatehouse",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Notes behind a sign-in. Sessions live in an HttpOnly cookie; every unsafe \
                request carries the session's CSRF token (the readable `CSRF-TOKEN` cookie) in \
                `X-CSRF-TOKEN`. Errors are `{code, message[, fields]}` with the codes listed per \
                status. `x-gatehouse-access` says who may call each operation.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "gatehouse_session",
                    "description": "Set by POST /api/auth/login (`__Host-gatehouse_session` over https)."},
                "csrf": {"type": "apiKey", "in": "header", "name": gatehouse_api::CSRF_HEADER,
                    "description": "The value of the CSRF-TOKEN cookie, on POST, PUT, PATCH and DELETE."},
            },
        },
    })
}
