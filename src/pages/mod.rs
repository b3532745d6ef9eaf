//! One module per page.

mod account;
mod admin;
mod admin_user;
mod dashboard;
mod drafts;
mod home;
mod login;
mod not_found;
mod note;
mod notes;

pub use account::{AccountPage, EventList, event_text};
pub use admin::AdminPage;
pub use admin_user::AdminUserPage;
pub use dashboard::DashboardPage;
pub use home::HomePage;
pub use login::LoginPage;
pub use not_found::NotFoundPage;
pub use note::NotePage;
pub use notes::NotesPage;

/// A time stamp from the server (RFC 3339) in the reader's locale.
fn local_time(rfc3339: &str) -> String {
    let date = js_sys::Date::new(&rfc3339.into());
    if date.get_time().is_nan() {
        return rfc3339.to_string();
    }
    date.to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED)
        .as_string()
        .unwrap_or_else(|| rfc3339.to_string())
}
