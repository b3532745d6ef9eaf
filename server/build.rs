//! Rebuilds the server when a migration is added or changed: `sqlx::migrate!` embeds them at
//! compile time, and cargo would not otherwise look at the folder.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
