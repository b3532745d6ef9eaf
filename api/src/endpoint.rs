//! `Endpoint`: one HTTP route of the API, declared once with its method, path, and request and
//! response types. The server builds its route table from these declarations and the client
//! sends through them, so a path or a type cannot drift between the two sides.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::ErrorCode;

/// The HTTP methods the API uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// Reads; safe and idempotent.
    Get,
    /// Creates or acts.
    Post,
    /// Replaces.
    Put,
    /// Changes some fields.
    Patch,
    /// Removes.
    Delete,
}

impl Method {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
        }
    }

    /// Whether it changes nothing (no CSRF token needed, may be retried).
    pub fn is_safe(self) -> bool {
        self == Self::Get
    }
}

/// Where a parameter goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamIn {
    /// A `{name}` in the path.
    Path,
    /// `?name=` in the query string (optional).
    Query,
}

/// One parameter of an endpoint, as its documentation describes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Param {
    /// Its name.
    pub name: &'static str,
    /// Where it goes.
    pub at: ParamIn,
    /// A whole number (else a string).
    pub integer: bool,
}

impl Param {
    /// A text parameter in the query string.
    pub const fn query_text(name: &'static str) -> Self {
        Self {
            name,
            at: ParamIn::Query,
            integer: false,
        }
    }

    /// A whole-number parameter in the query string.
    pub const fn query_number(name: &'static str) -> Self {
        Self {
            name,
            at: ParamIn::Query,
            integer: true,
        }
    }
}

/// One route of the API. A value of the type names one concrete request: its fields fill the
/// path's `{…}` parameters and the query string (see `path`).
///
/// ```
/// use gatehouse_api::{Endpoint, Method, endpoints::GetNote};
/// assert_eq!(GetNote::METHOD, Method::Get);
/// assert_eq!(GetNote::PATH, "/api/notes/{id}");
/// assert_eq!(GetNote { id: 7 }.path(), "/api/notes/7");
/// ```
pub trait Endpoint: Clone + PartialEq + 'static {
    /// The method.
    const METHOD: Method;
    /// The path, with `{name}` for each parameter (the router's syntax).
    const PATH: &'static str;
    /// The JSON body sent (`()` for none).
    type Request: Serialize + DeserializeOwned;
    /// The JSON body answered on success (`()` for 204 No Content).
    type Response: Serialize + DeserializeOwned;
    /// What it does, in a sentence (its documentation).
    const SUMMARY: &'static str = "";
    /// Its path and query parameters.
    const PARAMS: &'static [Param] = &[];
    /// The errors it can answer besides those every route of its kind can (bad input,
    /// sign-in, access, an unavailable store).
    const ERRORS: &'static [ErrorCode] = &[];
    /// Its success status when it creates something (201); 200, or 204 without a body,
    /// otherwise.
    const CREATES: bool = false;
    /// Whether it is a browser navigation answered with a 303 to a page (the round trip
    /// through the identity provider), not a request answered with JSON.
    const REDIRECTS: bool = false;

    /// The path of this request: `PATH` with its parameters filled in, and the query string.
    fn path(&self) -> String {
        Self::PATH.to_string()
    }

    /// The request body's schema in the published contract (`None`: no body), adding the
    /// schemas it refers to.
    #[cfg(feature = "openapi")]
    fn request_schema(schemas: &mut crate::schema::Schemas) -> Option<serde_json::Value>;

    /// The success body's schema (`None`: 204, no body), adding the schemas it refers to.
    #[cfg(feature = "openapi")]
    fn response_schema(schemas: &mut crate::schema::Schemas) -> Option<serde_json::Value>;
}

/// Percent-encodes `value` for a path segment or a query value (RFC 3986 unreserved kept).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(char::from(b"0123456789ABCDEF"[usize::from(b >> 4)]));
            out.push(char::from(b"0123456789ABCDEF"[usize::from(b & 15)]));
        }
    }
    out
}

/// `path` followed by the query string of the parameters that are present (none: no `?`).
pub fn with_query(path: String, params: &[(&str, Option<&str>)]) -> String {
    let query: Vec<String> = params
        .iter()
        .filter_map(|(name, value)| Some(format!("{name}={}", encode((*value)?))))
        .collect();
    if query.is_empty() {
        path
    } else {
        format!("{path}?{}", query.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_percent_encoded_and_absent_parameters_left_out() {
        assert_eq!(encode("a b/c?é"), "a%20b%2Fc%3F%C3%A9");
        assert_eq!(
            with_query("/x".into(), &[("q", Some("a&b")), ("cursor", None)]),
            "/x?q=a%26b"
        );
        assert_eq!(with_query("/x".into(), &[("cursor", None)]), "/x");
    }
}
