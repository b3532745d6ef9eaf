//! The data modules: each table's SQL lives in one of them, and handlers and services call
//! them. Queries run on SQLite or PostgreSQL (`db`); sessions live in the database or Redis
//! (`sessions`).

pub mod cursor;
pub mod db;
pub mod ended;
pub mod events;
pub mod factors;
pub mod housekeeping;
pub mod identities;
pub mod notes;
pub mod passkeys;
pub mod secrets;
pub mod sessions;
pub mod users;
