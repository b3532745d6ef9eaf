//! The command line: `gatehouse-server [serve]` and `gatehouse-server user …` (accounts, for
//! the first administrator and for scripts), and the demo accounts.

use std::io::{BufRead, IsTerminal};

use gatehouse_api::{Password, Role, Username};
use rand::Rng;
use rand::distr::Alphanumeric;

use crate::admin::{Actor, Admin, AdminError};
use clap::{Parser, Subcommand};

use crate::auth::hashing::Hasher;
use crate::config::{Config, SessionStoreUrl};
use crate::data::sessions::{SessionStore, connect_redis};
use crate::data::users::{self, AccountCache};
use crate::session;
use crate::state::AppState;

/// `gatehouse-server`: serves the Gatehouse API and SPA, or manages accounts.
#[derive(Debug, Parser)]
#[command(name = "gatehouse-server", version, about)]
pub struct Cli {
    /// Where the data lives and how the server behaves.
    #[command(flatten)]
    pub config: Config,
    /// What to do; without one, serve.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What the binary does besides serving.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API and the SPA (the default).
    Serve,
    /// Manage accounts in the database.
    #[command(subcommand)]
    User(UserCommand),
}

/// `gatehouse-server user ...`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; the password is read from a prompt, or from stdin when not a terminal.
    Add {
        /// The sign-in name (1 to 64 characters, no spaces).
        name: String,
        /// Give the account the admin role.
        #[arg(long)]
        admin: bool,
    },
    /// List the accounts.
    List,
    /// Remove an account, its notes and its sessions.
    Remove {
        /// The sign-in name.
        name: String,
    },
    /// Set a new password, ending every session of that account.
    Passwd {
        /// The sign-in name.
        name: String,
    },
}

/// How a command failed; `exit_code` is 2 for bad input, 1 for anything else.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The input was refused (exit code 2).
    #[error("{0}")]
    BadInput(String),
    /// Something else failed (exit code 1).
    #[error("{0}")]
    Failed(String),
}

impl CliError {
    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::BadInput(_) => 2,
            Self::Failed(_) => 1,
        }
    }
}

fn failed(e: impl std::fmt::Display) -> CliError {
    CliError::Failed(e.to_string())
}

fn username(name: &str) -> Result<Username, CliError> {
    Username::try_from(name).map_err(|e| CliError::BadInput(format!("invalid {e}")))
}

/// Runs one `user` subcommand against the configured database and session store, printing
/// what it did. Each change is the same action the administrators' page runs.
pub async fn run(config: &Config, command: UserCommand) -> Result<(), CliError> {
    let db = crate::data::db::connect(config.database_url.expose())
        .await
        .map_err(failed)?;
    users::backfill_name_forms(&db).await.map_err(failed)?;
    let store = match &config.session_store {
        SessionStoreUrl::Database => SessionStore::in_database(&db, session::account_of),
        SessionStoreUrl::Redis(url) => {
            let redis = connect_redis(url.expose())
                .await
                .map_err(|e| CliError::Failed(format!("cannot reach Redis at {url}: {e}")))?;
            SessionStore::in_redis(redis, session::account_of)
        }
    };
    let accounts = AccountCache::new(db.clone());
    let hasher = Hasher::new(1);
    let admin = Admin {
        db: &db,
        store: &store,
        accounts: &accounts,
        hasher: &hasher,
    };
    let find = |name: Username| {
        let db = db.clone();
        async move {
            users::find_by_name(&db, &name)
                .await
                .map_err(failed)?
                .ok_or_else(|| CliError::BadInput(format!("no account named {:?}", name.as_str())))
        }
    };
    match command {
        UserCommand::Add {
            name,
            admin: is_admin,
        } => {
            let name = username(&name)?;
            let password = read_new_password(&[name.as_str()])?;
            let role = if is_admin { Role::Admin } else { Role::User };
            let (account, _) = admin
                .create(Actor::CommandLine, &name, role, Some(password), false)
                .await
                .map_err(refused)?;
            println!(
                "created {} ({}) with id {}",
                account.username,
                role.as_str(),
                account.id
            );
        }
        UserCommand::List => {
            for a in users::list(&db).await.map_err(failed)? {
                println!(
                    "{}\t{}\t{}\t{}{}",
                    a.id,
                    a.username,
                    a.role.0.as_str(),
                    crate::data::db::rfc3339(a.created_at),
                    if a.disabled { "\tdisabled" } else { "" }
                );
            }
        }
        UserCommand::Remove { name } => {
            let account = find(username(&name)?).await?;
            let removed = admin
                .remove(Actor::CommandLine, account.id)
                .await
                .map_err(refused)?;
            println!("removed {removed}; its notes are deleted and its sessions ended");
        }
        UserCommand::Passwd { name } => {
            let account = find(username(&name)?).await?;
            let password = read_new_password(&[account.username.as_str()])?;
            admin
                .change_password(Actor::CommandLine, account.id, &password)
                .await
                .map_err(refused)?;
            println!(
                "password changed for {}; its sessions are ended",
                account.username
            );
        }
    }
    Ok(())
}

/// Refusals are bad input (exit 2); anything else failed (exit 1).
fn refused(e: AdminError) -> CliError {
    match e {
        AdminError::Taken(_) | AdminError::Refused(_) | AdminError::NotFound => {
            CliError::BadInput(e.to_string())
        }
        AdminError::Failed(e) => failed(e),
    }
}

/// From a prompt (asked twice) on a terminal, else the first line of stdin; held to the same
/// rule as a password set from the account page. `context`: words a guesser would try first.
fn read_new_password(context: &[&str]) -> Result<Password, CliError> {
    let typed = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").map_err(failed)?;
        let again = rpassword::prompt_password("Again: ").map_err(failed)?;
        if first != again {
            return Err(CliError::BadInput("the passwords do not match".into()));
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(failed)?;
        line.trim_end_matches(['\r', '\n']).to_string()
    };
    crate::auth::strength::parse_new("password", &typed)
        .and_then(|password| {
            crate::auth::strength::estimate("password", &password, context)?;
            Ok(password)
        })
        .map_err(|e| CliError::BadInput(format!("invalid {e}")))
}

/// With no accounts yet, creates `demo` (user) and `admin` (admin) with random passwords and
/// prints them, this once.
pub async fn seed_demo(state: &AppState) -> Result<(), Box<dyn std::error::Error>> {
    if users::count(&state.db).await? > 0 {
        println!(
            "Demo accounts: `demo` and `admin`, with the passwords printed on first start \
             (reset one with: cargo run -p gatehouse-server -- user passwd demo)"
        );
        return Ok(());
    }
    println!("Created demo accounts (these passwords are shown only this once):");
    for (name, role) in [("demo", Role::User), ("admin", Role::Admin)] {
        let secret: String = rand::rng()
            .sample_iter(Alphanumeric)
            .take(16)
            .map(char::from)
            .collect();
        let password = Password::new_account(&secret)?;
        let hash = state.hasher.hash(&password).await?;
        let mut tx = state.db.begin().await?;
        let created = users::create(&mut tx, &Username::try_from(name)?, hash, role, false).await;
        tx.settle(created).await?;
        println!(
            "  {:<6} username: {name:<6} password: {secret}",
            role.as_str()
        );
    }
    Ok(())
}
