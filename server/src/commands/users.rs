//! `jetx user add|delete|list`: the accounts of a hosted server, for its admin (sign-up
//! may be closed). They work on the configured database directly.

use super::CliError;
use crate::config::Config;
use app::service::accounts;
use std::io::BufRead;
use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum UserCommand {
    /// Create an account. The password is read from the terminal (not shown) or from
    /// the first line of stdin.
    Add { name: String },
    /// Delete an account, its tokens and sessions, and all of its data (rounds, models).
    Delete { name: String },
    /// List the accounts.
    List,
}

pub async fn run(config: &Config, command: UserCommand) -> Result<ExitCode, CliError> {
    let pool = app::db::connect(&config.database).await?;
    match command {
        UserCommand::Add { name } => {
            let password = read_password()?;
            let user = accounts::add_user(&pool, &name, &password).await?;
            println!("added {} (id {})", user.username, user.id);
        }
        UserCommand::Delete { name } => {
            let username = accounts::normalize_username(&name)?;
            let Some(row) = app::db::user_by_name(&pool, &username).await? else {
                return Err(accounts::AccountError::NoSuchUser(username).into());
            };
            accounts::delete_user(&pool, &username).await?;
            factory(config).remove(&pool, row.id).await?;
            println!("deleted {username} and their data");
        }
        UserCommand::List => {
            for name in accounts::user_names(&pool).await? {
                println!("{name}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn factory(config: &Config) -> crate::accounts::TenantFactory {
    crate::accounts::TenantFactory {
        database: config.database.clone(),
        models_dir: config.models_dir.clone(),
        rules: config.rules,
        house_edge: config.house_edge,
        reality_check_min_s: config.reality_check_min_s,
        exe: std::path::PathBuf::new(),
    }
}

/// One line from stdin; on a terminal, asked for and not echoed (`stty -echo`).
fn read_password() -> Result<String, CliError> {
    use std::io::IsTerminal;
    let terminal = std::io::stdin().is_terminal();
    let stty = |arg: &str| {
        let _ = std::process::Command::new("stty")
            .arg(arg)
            .stdin(std::process::Stdio::inherit())
            .status();
    };
    if terminal {
        eprint!("password: ");
        stty("-echo");
    }
    let mut line = String::new();
    let read = std::io::stdin().lock().read_line(&mut line);
    if terminal {
        stty("echo");
        eprintln!();
    }
    read.map_err(|e| CliError::Usage(format!("cannot read the password: {e}")))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}
