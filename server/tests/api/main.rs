//! Black-box tests of the server: real TCP, a real SQLite file per test.

mod helpers;

mod auth;
mod binary;
mod csrf;
mod input;
mod matrix;
mod notes;
mod sessions;
