//! The bodies' schemas in the server's OpenAPI document (feature `openapi`), as each endpoint
//! declaration states them (`Endpoint::request_schema`, `response_schema`): no list of wire
//! types is kept anywhere else.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use utoipa::ToSchema;

/// The schemas a document refers to, by name.
pub type Schemas = BTreeMap<String, Value>;

/// A `$ref` to `T`'s schema, adding it and what it refers to.
pub fn reference<T: ToSchema>(schemas: &mut Schemas) -> Value {
    let name = T::name().to_string();
    schemas.insert(name.clone(), to_json(&T::schema()));
    let mut nested = Vec::new();
    T::schemas(&mut nested);
    for (nested_name, schema) in nested {
        schemas.insert(nested_name, to_json(&schema));
    }
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// An array of `T`, each a `$ref` to its schema.
pub fn array_of<T: ToSchema>(schemas: &mut Schemas) -> Value {
    json!({"type": "array", "items": reference::<T>(schemas)})
}

/// Any JSON object (the document itself).
pub fn any_object() -> Value {
    json!({"type": "object"})
}

fn to_json(schema: &impl serde::Serialize) -> Value {
    serde_json::to_value(schema).expect("schemas serialize")
}
