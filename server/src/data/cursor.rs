//! Keyset cursors: where the next page of a list starts, as an opaque token. Lists page by a
//! position in their order (never an offset scan); the token is that position, base64url, so
//! clients pass it back without reading it.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;

/// A page of a list could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// The cursor is not one this server gave.
    #[error("the cursor is not one this server gave")]
    BadCursor,
    /// The database failed.
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// The token for a position written as `text`.
pub fn encode(text: &str) -> String {
    B64.encode(text)
}

/// The position a token names, as its text; `BadCursor` for anything this server did not give.
pub fn decode(cursor: &str) -> Result<String, PageError> {
    B64.decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or(PageError::BadCursor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_and_a_forged_one_is_refused() {
        assert_eq!(decode(&encode("zoë")).unwrap(), "zoë");
        assert!(decode("***").is_err());
        assert!(decode(&B64.encode([0xff, 0xfe])).is_err(), "not text");
    }
}
