//! Shared pieces of the pages.

mod error_view;
mod loading;
mod nav;

pub use error_view::{ErrorView, ErrorViewProps};
pub use loading::Loading;
pub use nav::Nav;
