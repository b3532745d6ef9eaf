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

pub use account::AccountPage;
pub use admin::{ADMIN_LIST, AdminPage};
pub use admin_user::AdminUserPage;
pub use dashboard::DashboardPage;
pub use home::HomePage;
pub use login::LoginPage;
pub use not_found::NotFoundPage;
pub use note::NotePage;
pub use notes::{NOTES_LIST, NewNotePage, NotesPage};
