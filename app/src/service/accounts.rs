//! Players of a hosted server (`accounts = true`): sign-up, login with limits on failed
//! tries, API tokens. Passwords are hashed with Argon2id (OWASP's parameters: 19 MiB,
//! 2 passes, 1 lane); tokens are 32 random bytes, of which only the SHA-256 is stored.
//! Sessions themselves are kept by the server's session layer; this module only says
//! who a name, password or token belongs to.

use crate::db::{self, DbError, Pool};
use serde::{Deserialize, Serialize};

/// Failed logins counted over this window (seconds).
pub const FAILURE_WINDOW_S: i64 = 15 * 60;
/// Failed logins of one account within the window before it must wait.
pub const MAX_ACCOUNT_FAILURES: usize = 5;
/// Failed logins from one address (any accounts) within the window.
pub const MAX_ADDRESS_FAILURES: usize = 20;

pub const MIN_PASSWORD_CHARS: usize = 8;
/// Long enough for any passphrase, short enough that hashing stays cheap.
pub const MAX_PASSWORD_BYTES: usize = 1024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    pub username: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

pub use crate::views::TokenInfo;

/// The accounts database of a hosted server (users, sessions, tokens), as the request's
/// context carries it for the account page's server functions.
#[derive(Clone)]
pub struct Accounts(pub Pool);

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("a user name is 3 to 32 letters, digits, '.', '_' or '-'")]
    BadUsername,
    #[error("a password has at least {MIN_PASSWORD_CHARS} characters and at most {MAX_PASSWORD_BYTES} bytes")]
    BadPassword,
    #[error("the user name {0:?} is taken")]
    Taken(String),
    #[error("sign-up is closed on this server: ask its admin for an account")]
    SignupClosed,
    #[error("wrong user name or password")]
    WrongPassword,
    #[error("too many failed logins: try again in {retry_after_s} s")]
    TooManyTries { retry_after_s: i64 },
    #[error("sign in first")]
    Unauthenticated,
    #[error("a token name is 1 to 64 characters")]
    BadTokenName,
    #[error("no such token")]
    NoSuchToken,
    #[error("no user {0:?}")]
    NoSuchUser(String),
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl AccountError {
    pub fn status_code(&self) -> u16 {
        match self {
            Self::BadUsername | Self::BadPassword | Self::BadTokenName => 422,
            Self::Taken(_) => 409,
            Self::SignupClosed => 403,
            Self::WrongPassword | Self::Unauthenticated => 401,
            Self::TooManyTries { .. } => 429,
            Self::NoSuchToken | Self::NoSuchUser(_) => 404,
            Self::Hash(_) => 500,
            Self::Db(e) => e.status_code(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::BadUsername => "bad_username",
            Self::BadPassword => "bad_password",
            Self::Taken(_) => "taken",
            Self::SignupClosed => "signup_closed",
            Self::WrongPassword => "wrong_password",
            Self::TooManyTries { .. } => "too_many_tries",
            Self::Unauthenticated => "unauthenticated",
            Self::BadTokenName => "bad_token_name",
            Self::NoSuchToken | Self::NoSuchUser(_) => "not_found",
            Self::Hash(_) => "internal",
            Self::Db(e) => e.code(),
        }
    }
}

impl crate::errors::HttpStatus for AccountError {
    fn status_code(&self) -> u16 {
        AccountError::status_code(self)
    }
    fn code(&self) -> &'static str {
        AccountError::code(self)
    }
    /// A 429 says when to try again (the server sends it as `Retry-After` too).
    fn details(&self) -> serde_json::Value {
        match self {
            Self::TooManyTries { retry_after_s } => {
                serde_json::json!({ "retry_after_s": retry_after_s })
            }
            _ => serde_json::Value::Null,
        }
    }
}

/// Names are compared without case ("Ana" and "ana" are one player).
pub fn normalize_username(name: &str) -> Result<String, AccountError> {
    let name = name.trim().to_ascii_lowercase();
    let ok = (3..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    ok.then_some(name).ok_or(AccountError::BadUsername)
}

fn check_password(password: &str) -> Result<(), AccountError> {
    let ok = password.chars().count() >= MIN_PASSWORD_CHARS && password.len() <= MAX_PASSWORD_BYTES;
    ok.then_some(()).ok_or(AccountError::BadPassword)
}

pub fn now_s() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// An Argon2id PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`), off the async threads.
pub async fn hash_password(password: &str) -> Result<String, AccountError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        use argon2::password_hash::PasswordHasher;
        argon2::Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| AccountError::Hash(e.to_string()))
    })
    .await
    .map_err(|e| AccountError::Hash(e.to_string()))?
}

/// True when `password` matches the PHC string `hash` (the parameters come from it).
pub async fn verify_password(password: &str, hash: &str) -> bool {
    let (password, hash) = (password.to_owned(), hash.to_owned());
    tokio::task::spawn_blocking(move || {
        use argon2::password_hash::{phc::PasswordHash, PasswordVerifier};
        PasswordHash::new(&hash).is_ok_and(|parsed| {
            argon2::Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    })
    .await
    .unwrap_or(false)
}

/// A new account. `open` is false when sign-up is closed (then only [`add_user`], the
/// admin's command, creates accounts).
pub async fn signup(
    pool: &Pool,
    credentials: &Credentials,
    open: bool,
) -> Result<User, AccountError> {
    if !open {
        return Err(AccountError::SignupClosed);
    }
    add_user(pool, &credentials.username, &credentials.password).await
}

pub async fn add_user(pool: &Pool, username: &str, password: &str) -> Result<User, AccountError> {
    let username = normalize_username(username)?;
    check_password(password)?;
    let hash = hash_password(password).await?;
    match db::insert_user(pool, &username, &hash, now_s()).await? {
        Some(id) => Ok(User { id, username }),
        None => Err(AccountError::Taken(username)),
    }
}

pub async fn delete_user(pool: &Pool, username: &str) -> Result<(), AccountError> {
    let username = normalize_username(username)?;
    if db::delete_user(pool, &username).await? {
        Ok(())
    } else {
        Err(AccountError::NoSuchUser(username))
    }
}

pub async fn user_names(pool: &Pool) -> Result<Vec<String>, AccountError> {
    Ok(db::user_names(pool).await?)
}

/// Seconds until `failures` (times, oldest first) fall under `max` within the window
/// ending at `now`; 0 when they are under it already.
pub fn wait_s(failures: &[i64], max: usize, now: i64) -> i64 {
    if failures.len() < max {
        return 0;
    }
    // The try that must leave the window before one more is allowed.
    let blocking = failures[failures.len() - max];
    (blocking + FAILURE_WINDOW_S - now).max(1)
}

/// Checks a name and password, counting failures per account and per address: past the
/// limits the answer is 429 with the seconds to wait, right password or not (so a
/// guesser learns nothing from it). An unknown name costs the same hashing time as a
/// known one.
pub async fn login(
    pool: &Pool,
    credentials: &Credentials,
    address: &str,
) -> Result<User, AccountError> {
    let now = now_s();
    let since = now - FAILURE_WINDOW_S;
    let username = normalize_username(&credentials.username).unwrap_or_default();
    let by_account = db::login_failures(pool, false, &username, since).await?;
    let by_address = db::login_failures(pool, true, address, since).await?;
    let wait = wait_s(&by_account, MAX_ACCOUNT_FAILURES, now).max(wait_s(
        &by_address,
        MAX_ADDRESS_FAILURES,
        now,
    ));
    if wait > 0 {
        return Err(AccountError::TooManyTries {
            retry_after_s: wait,
        });
    }
    let row = db::user_by_name(pool, &username).await?;
    let hash = row
        .as_ref()
        .map_or(DUMMY_HASH, |r| r.password_hash.as_str());
    let right = verify_password(&credentials.password, hash).await && row.is_some();
    match row.filter(|_| right) {
        Some(row) => {
            db::clear_login_failures(pool, &username, since).await?;
            Ok(User {
                id: row.id,
                username: row.username,
            })
        }
        None => {
            db::record_login_failure(pool, &username, address, now).await?;
            Err(AccountError::WrongPassword)
        }
    }
}

/// A hash of a password nobody has: verifying against it takes as long as against a
/// real one.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$VrXpyZ9Ef9TnaqSSB9UGB2YjIyLoSRf3SdVLRG9z1tI";

pub async fn user_by_id(pool: &Pool, id: i64) -> Result<Option<User>, AccountError> {
    Ok(db::user_by_id(pool, id).await?.map(|r| User {
        id: r.id,
        username: r.username,
    }))
}

/// Prefix of every token, so a leaked one is recognisable (secret scanners).
pub const TOKEN_PREFIX: &str = "jetx_";

/// The stored form of a secret (token, session id): a leaked table opens no account.
pub fn sha256_hex(token: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new token for `user`: its id and the secret, which is not stored and shown once.
pub async fn create_token(
    pool: &Pool,
    user: &User,
    name: &str,
) -> Result<(i64, String), AccountError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(AccountError::BadTokenName);
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AccountError::Hash(e.to_string()))?;
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let token = format!("{TOKEN_PREFIX}{secret}");
    let id = db::insert_token(pool, user.id, name, &sha256_hex(&token), now_s()).await?;
    Ok((id, token))
}

pub async fn tokens(pool: &Pool, user: &User) -> Result<Vec<TokenInfo>, AccountError> {
    Ok(db::tokens_of(pool, user.id)
        .await?
        .into_iter()
        .map(|t| TokenInfo {
            id: t.id,
            name: t.name,
            created_s: t.created_s,
            last_used_s: t.last_used_s,
        })
        .collect())
}

/// Revokes one of `user`'s tokens; another player's token id is "no such token".
pub async fn revoke_token(pool: &Pool, user: &User, id: i64) -> Result<(), AccountError> {
    if db::delete_token(pool, user.id, id).await? {
        Ok(())
    } else {
        Err(AccountError::NoSuchToken)
    }
}

/// The owner of a bearer token (`None` for an unknown, revoked or malformed one).
pub async fn user_of_token(pool: &Pool, token: &str) -> Result<Option<User>, AccountError> {
    if !token.starts_with(TOKEN_PREFIX) || token.len() > 128 {
        return Ok(None);
    }
    Ok(db::user_of_token(pool, &sha256_hex(token), now_s())
        .await?
        .map(|r| User {
            id: r.id,
            username: r.username,
        }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_case_free_and_plain() {
        assert_eq!(normalize_username(" Ana_1 ").unwrap(), "ana_1");
        for bad in ["ab", "a b c", "ana/..", "ä-name", &"x".repeat(33)] {
            assert!(normalize_username(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_wait_ends_when_the_oldest_blocking_failure_leaves_the_window() {
        let now = 10_000;
        assert_eq!(wait_s(&[now - 10; 4], 5, now), 0);
        let failures = [now - 100, now - 50, now - 40, now - 30, now - 20];
        assert_eq!(wait_s(&failures, 5, now), FAILURE_WINDOW_S - 100);
        // With more failures than the limit, the one `max` from the end decides.
        let more = [now - 800, now - 100, now - 50, now - 40, now - 30, now - 20];
        assert_eq!(wait_s(&more, 5, now), FAILURE_WINDOW_S - 100);
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let hash = hash_password("correct horse").await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("correct horse", &hash).await);
        assert!(!verify_password("correct horsE", &hash).await);
        assert!(!verify_password("correct horse", DUMMY_HASH).await);
        // It must parse, or an unknown name would answer faster than a known one.
        assert!(argon2::password_hash::phc::PasswordHash::new(DUMMY_HASH).is_ok());
    }
}
