//! "Firefox on Linux": the device summary shown beside a session and in security activity.

use woothee::parser::Parser;

/// The longest User-Agent looked at; longer ones are cut (parsing cost stays bounded).
const MAX_USER_AGENT: usize = 512;

/// Browser and operating system named by a `User-Agent` header, in words.
pub fn summary(user_agent: Option<&str>) -> String {
    let ua = user_agent.unwrap_or_default();
    let ua = match ua.char_indices().nth(MAX_USER_AGENT) {
        Some((cut, _)) => &ua[..cut],
        None => ua,
    };
    let known = |s: &str| !s.is_empty() && s != woothee::woothee::VALUE_UNKNOWN;
    match Parser::new().parse(ua) {
        Some(r) if known(r.name) && known(r.os) => format!("{} on {}", r.name, os_name(r.os)),
        Some(r) if known(r.name) => r.name.to_string(),
        _ => "Unknown browser".to_string(),
    }
}

/// woothee names some systems by their version ("Windows 10", "Mac OSX"); people say these.
fn os_name(os: &str) -> &str {
    match os {
        o if o.starts_with("Windows") => "Windows",
        "Mac OSX" => "macOS",
        "iPhone" | "iPad" | "iPod" => "iOS",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_browsers_are_named_with_their_system() {
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
        assert_eq!(summary(Some(firefox)), "Firefox on Linux");
        let chrome_mac = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 \
                          (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
        assert_eq!(summary(Some(chrome_mac)), "Chrome on macOS");
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like \
                    Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0";
        assert_eq!(summary(Some(edge)), "Edge on Windows");
    }

    #[test]
    fn a_missing_or_unreadable_user_agent_is_an_unknown_browser() {
        assert_eq!(summary(None), "Unknown browser");
        assert_eq!(summary(Some("")), "Unknown browser");
        assert_eq!(summary(Some(&"x".repeat(10_000))), "Unknown browser");
    }
}
