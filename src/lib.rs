//! spa
