//! Where to go after signing in: only a path on this origin, never an auth route.

/// Returns `next` if it is a safe same-origin path to return to after signing in: it starts
/// with a single `/`, has no backslash or control character (browsers drop tabs and newlines,
/// turning `/\t/evil` into `//evil`), stays so when percent-decoded once, and is not one of
/// `auth_paths` (nor below one).
///
/// ```
/// use gatehouse_api::safe_return_path;
/// assert_eq!(safe_return_path("/notes/42?tab=a#sec", &["/login"]), Some("/notes/42?tab=a#sec"));
/// assert_eq!(safe_return_path("//evil.example", &["/login"]), None);
/// assert_eq!(safe_return_path("/login?next=/x", &["/login"]), None);
/// ```
pub fn safe_return_path<'a>(next: &'a str, auth_paths: &[&str]) -> Option<&'a str> {
    let path = next.split(['?', '#']).next().unwrap_or_default();
    let decoded = percent_decode(path);
    let unsafe_text = |s: &str| s.contains('\\') || s.chars().any(char::is_control);
    let safe = next.starts_with('/')
        && !next.starts_with("//")
        && !unsafe_text(next)
        && !decoded.starts_with("//")
        && !unsafe_text(&decoded)
        && !auth_paths.iter().any(|auth| {
            let decoded = decoded.to_ascii_lowercase();
            let auth = auth.trim_end_matches('/').to_ascii_lowercase();
            decoded == auth || decoded.starts_with(&format!("{auth}/"))
        });
    safe.then_some(next)
}

/// Decodes `%XX` escapes once; invalid escapes are kept as they are.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const AUTH: &[&str] = &["/login"];

    #[test]
    fn paths_on_this_origin_are_accepted_with_query_and_hash() {
        for ok in [
            "/",
            "/notes/42?tab=a#sec",
            "/search?q=http://example.com",
            "/dashboard",
        ] {
            assert_eq!(safe_return_path(ok, AUTH), Some(ok), "{ok}");
        }
    }

    #[test]
    fn anything_that_could_leave_the_origin_is_rejected() {
        for bad in [
            "https://evil.example",
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/%5Cevil.example",
            "/%5cevil.example",
            "/%2F/evil.example",
            "/%2f%2fevil.example",
            "javascript:alert(1)",
            "http://app@evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/notes\u{0}",
            "/%09/evil.example",
            "",
            "notes",
        ] {
            assert_eq!(safe_return_path(bad, AUTH), None, "{bad:?}");
        }
    }

    #[test]
    fn auth_routes_are_never_a_return_path() {
        for bad in [
            "/login",
            "/login?next=/notes",
            "/LOGIN",
            "/login/",
            "/login/x",
            "/%6Cogin",
        ] {
            assert_eq!(safe_return_path(bad, AUTH), None, "{bad:?}");
        }
        assert_eq!(safe_return_path("/loginhelp", AUTH), Some("/loginhelp"));
    }

    #[test]
    fn percent_decoding_keeps_invalid_escapes() {
        assert_eq!(percent_decode("/a%20b%zz%4"), "/a b%zz%4");
    }
}
