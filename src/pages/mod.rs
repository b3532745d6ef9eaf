//! One module per page.

mod account;
mod admin;
mod admin_user;
mod dashboard;
mod home;
mod login;
mod not_found;
mod note;
mod notes;

pub use account::account_page;
pub use admin::{ADMIN_LIST, admin_page};
pub use admin_user::admin_user_page;
pub use dashboard::dashboard_page;
pub use home::HomePage;
pub use login::{LoginPage, Step, sign_in_step};
pub use not_found::not_found_page;
pub use note::note_page;
pub use notes::{NOTES_LIST, new_note_page, notes_page};
