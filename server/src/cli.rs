//! `gatehouse-server user ...` and the demo accounts.

use std::io::{BufRead, IsTerminal};

use gatehouse_api::{Password, Role, Username};
use rand::Rng;
use rand::distr::Alphanumeric;

use crate::config::{Config, UserCommand};
use crate::password::Hasher;
use crate::state::AppState;
use crate::users::{self, CreateError};

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

/// Runs one `user` subcommand against the configured database, printing what it did.
pub async fn run(config: &Config, command: UserCommand) -> Result<(), CliError> {
    let db = crate::db::connect(config.database_url.expose())
        .await
        .map_err(failed)?;
    let hasher = Hasher::new(1);
    match command {
        UserCommand::Add { name, admin } => {
            let name = username(&name)?;
            let password = read_new_password(&[name.as_str()])?;
            let role = if admin { Role::Admin } else { Role::User };
            let hash = hasher.hash(&password).await.map_err(failed)?;
            match users::create(&db, &name, hash, role).await {
                Ok(account) => println!(
                    "created {} ({}) with id {}",
                    account.username,
                    role.as_str(),
                    account.id
                ),
                Err(e @ CreateError::Taken(_)) => return Err(CliError::BadInput(e.to_string())),
                Err(e) => return Err(failed(e)),
            }
        }
        UserCommand::List => {
            for a in users::list(&db).await.map_err(failed)? {
                println!(
                    "{}\t{}\t{}\t{}",
                    a.id,
                    a.username,
                    a.role.0.as_str(),
                    crate::db::rfc3339(a.created_at)
                );
            }
        }
        UserCommand::Remove { name } => {
            let name = username(&name)?;
            if !users::remove(&db, &name).await.map_err(failed)? {
                return Err(CliError::BadInput(format!("no account named {name:?}")));
            }
            println!("removed {name}; its notes are deleted and its sessions ended");
        }
        UserCommand::Passwd { name } => {
            let name = username(&name)?;
            if users::find_by_name(&db, &name)
                .await
                .map_err(failed)?
                .is_none()
            {
                return Err(CliError::BadInput(format!("no account named {name:?}")));
            }
            let password = read_new_password(&[name.as_str()])?;
            let hash = hasher.hash(&password).await.map_err(failed)?;
            users::set_password(&db, &name, hash)
                .await
                .map_err(failed)?;
            println!("password changed for {name}; its sessions are ended");
        }
    }
    Ok(())
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
    crate::strength::new_password("password", &typed, context)
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
        users::create(&state.db, &Username::try_from(name)?, hash, role).await?;
        println!(
            "  {:<6} username: {name:<6} password: {secret}",
            role.as_str()
        );
    }
    Ok(())
}
