//! Shared pieces of the pages.

mod confirm;
mod connected;
pub mod drafts;
mod error_view;
mod events;
mod fetched;
mod field;
mod loading;
mod nav;
mod page;
mod passkeys;
mod reach;
pub mod remembered;
mod secret;
mod session_row;
mod status;
pub mod time;
mod toast;
mod totp;

pub use confirm::{Confirm, ConfirmProps, focus};
pub use connected::{ConnectedSignIn, ConnectedSignInProps, host_of};
pub use error_view::{ErrorView, ErrorViewProps, general_error};
pub use events::{event_list, event_text};
pub use fetched::{fetched, waiting};
pub use field::{Field, FieldProps, focus_if_first_invalid};
pub use loading::loading;
pub use nav::Nav;
pub use page::{Page, PageProps};
pub use passkeys::Passkeys;
pub use reach::UnreachableBanner;
pub use secret::{CopyButton, one_time_password};
pub use session_row::{grouped, session_group, session_row};
pub use status::{role_name, status};
pub use toast::{ToastProvider, Toasts, use_toasts};
pub use totp::AuthenticatorApp;
