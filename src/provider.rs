//! The organization's identity provider, as the server names it in every page it serves
//! (`<meta name="gatehouse-provider" content="LABEL">`): no request to learn it, and no
//! provider, no mention of one.

/// What the provider is called ("Acme SSO"), when the server has one configured. Read from the
/// page once: it does not change while the page lives.
#[cfg(target_arch = "wasm32")]
pub fn provider_label() -> Option<String> {
    thread_local! {
        static LABEL: std::cell::OnceCell<Option<String>> = const { std::cell::OnceCell::new() };
    }
    LABEL.with(|label| label.get_or_init(read_label).clone())
}

#[cfg(target_arch = "wasm32")]
fn read_label() -> Option<String> {
    let document = web_sys::window()?.document()?;
    let selector = format!("meta[name=\"{}\"]", gatehouse_api::PROVIDER_META);
    let meta = document.query_selector(&selector).ok()??;
    meta.get_attribute("content")
        .map(|label| label.trim().to_string())
        .filter(|label| !label.is_empty())
}

/// Pre-rendering knows of no provider: the server adds its link to the page it serves.
#[cfg(not(target_arch = "wasm32"))]
pub fn provider_label() -> Option<String> {
    None
}

/// Sends the browser to `url` (the provider's page), leaving this app.
pub fn leave_for(url: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(url);
    }
}
