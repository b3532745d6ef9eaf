//! Shared pieces of the pages.

mod error_view;
mod field;
mod loading;
mod nav;
mod page;
pub mod time;
mod toast;

pub use error_view::{ErrorView, ErrorViewProps};
pub use field::{Field, FieldProps};
pub use loading::Loading;
pub use nav::Nav;
pub use page::{Page, PageProps};
pub use toast::{ToastProvider, Toasts, use_toasts};
