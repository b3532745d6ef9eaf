//! Black-box tests of the server: real TCP, a real SQLite file per test; the `scale` tests run
//! the real binary on real PostgreSQL and Redis servers (see `services`).

mod helpers;

mod account;
mod admin;
mod auth;
mod binary;
mod connections;
mod contract;
mod cost;
mod csrf;
mod in_flight;
mod input;
mod matrix;
mod methods;
mod notes;
mod provider;
mod scale;
mod services;
mod sessions;
mod sign_in_page;
mod throttle;
