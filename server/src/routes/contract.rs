//! What the contract (the `openapi` module) needs of each route's endpoint declaration: its
//! sentence, parameters, own errors and bodies' schemas.

use std::collections::BTreeMap;

use gatehouse_api::{ErrorCode, Param};
use serde_json::{Value, json};
use utoipa::ToSchema;

/// The schemas a document refers to, by name.
pub type Schemas = BTreeMap<String, Value>;

/// A body's description: `None` for no body (`()`), else its schema, adding what it refers to.
pub trait Body {
    /// The schema (a `$ref` for a named type), or `None` for no body.
    fn describe(schemas: &mut Schemas) -> Option<Value>;
}

impl Body for () {
    fn describe(_: &mut Schemas) -> Option<Value> {
        None
    }
}

impl Body for Value {
    fn describe(_: &mut Schemas) -> Option<Value> {
        Some(json!({"type": "object"}))
    }
}

impl<T: ToSchema> Body for Vec<T> {
    fn describe(schemas: &mut Schemas) -> Option<Value> {
        Some(json!({"type": "array", "items": reference::<T>(schemas)}))
    }
}

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

fn to_json(schema: &impl serde::Serialize) -> Value {
    serde_json::to_value(schema).expect("schemas serialize")
}

/// The wire types that cross as a whole body.
macro_rules! named {
    ($($t:ident),* $(,)?) => {
        $(impl Body for gatehouse_api::$t {
            fn describe(schemas: &mut Schemas) -> Option<Value> {
                Some(reference::<Self>(schemas))
            }
        })*
    };
}

named!(
    AccountChange,
    AdminUser,
    CreatedAccount,
    Health,
    LoginRequest,
    NewAccount,
    NewNote,
    Note,
    NotePage,
    NoteUpdate,
    OneTimePassword,
    PasswordChange,
    Reauth,
    SecuredResource,
    SessionInfo,
    SessionState,
    UserPage,
);

/// What describing one route needs from its endpoint declaration.
#[derive(Clone, Copy)]
pub struct Contract {
    /// The endpoint's sentence.
    pub summary: &'static str,
    /// Its parameters.
    pub params: &'static [Param],
    /// Its own errors.
    pub errors: &'static [ErrorCode],
    /// 201 on success.
    pub creates: bool,
    /// Its request body.
    pub request: fn(&mut Schemas) -> Option<Value>,
    /// Its response body.
    pub response: fn(&mut Schemas) -> Option<Value>,
}
