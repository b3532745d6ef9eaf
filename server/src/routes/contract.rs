//! What the contract (the `openapi` module) needs of each route's endpoint declaration: its
//! sentence, parameters, own errors and bodies' schemas (which the declaration states, see
//! `gatehouse_api::schema`).

use gatehouse_api::schema::Schemas;
use gatehouse_api::{ErrorCode, Param};
use serde_json::Value;

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
    /// A 303 to a page on success (a browser navigation).
    pub redirects: bool,
    /// Its request body.
    pub request: fn(&mut Schemas) -> Option<Value>,
    /// Its response body.
    pub response: fn(&mut Schemas) -> Option<Value>,
}
