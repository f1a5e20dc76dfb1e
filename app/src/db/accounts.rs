//! The hosted mode's tables: `users`, `sessions` (tower-sessions records as JSON),
//! `api_tokens` (SHA-256 of each token) and `login_failures`. Times are Unix seconds.
//! Plain rows in and out; the rules (who may log in, token format) are in
//! [`crate::service::accounts`].

use super::{DbError, Pool};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub created_s: i64,
    pub last_used_s: Option<i64>,
}

fn user(row: sqlx::any::AnyRow) -> Result<UserRow, DbError> {
    Ok(UserRow {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        password_hash: row.try_get("password_hash")?,
    })
}

/// The new user's id, or `None` when the name is taken.
pub async fn insert_user(
    pool: &Pool,
    username: &str,
    password_hash: &str,
    now: i64,
) -> Result<Option<i64>, DbError> {
    let row = sqlx::query(
        "INSERT INTO users (username, password_hash, created_s) VALUES ($1, $2, $3) \
         ON CONFLICT (username) DO NOTHING RETURNING id",
    )
    .bind(username)
    .bind(password_hash)
    .bind(now)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| r.try_get("id")).transpose()?)
}

pub async fn user_by_name(pool: &Pool, username: &str) -> Result<Option<UserRow>, DbError> {
    sqlx::query("SELECT id, username, password_hash FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(pool)
        .await?
        .map(user)
        .transpose()
}

pub async fn user_by_id(pool: &Pool, id: i64) -> Result<Option<UserRow>, DbError> {
    sqlx::query("SELECT id, username, password_hash FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?
        .map(user)
        .transpose()
}

/// Deletes the user and (by cascade) their tokens; true when there was one.
pub async fn delete_user(pool: &Pool, username: &str) -> Result<bool, DbError> {
    let mut tx = pool.begin().await?;
    let id: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(id) = id else {
        return Ok(false);
    };
    // Explicit, not only ON DELETE CASCADE: SQLite enforces it only with foreign_keys on.
    sqlx::query("DELETE FROM api_tokens WHERE user_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(true)
}

pub async fn user_names(pool: &Pool) -> Result<Vec<String>, DbError> {
    Ok(
        sqlx::query_scalar("SELECT username FROM users ORDER BY username")
            .fetch_all(pool)
            .await?,
    )
}

pub async fn record_login_failure(
    pool: &Pool,
    username: &str,
    address: &str,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query("INSERT INTO login_failures (username, address, at_s) VALUES ($1, $2, $3)")
        .bind(username)
        .bind(address)
        .bind(now)
        .execute(pool)
        .await?;
    Ok(())
}

/// Times of the failed logins since `since`, oldest first, for one account or one address.
pub async fn login_failures(
    pool: &Pool,
    by_address: bool,
    key: &str,
    since: i64,
) -> Result<Vec<i64>, DbError> {
    let sql = if by_address {
        "SELECT at_s FROM login_failures WHERE address = $1 AND at_s >= $2 ORDER BY at_s"
    } else {
        "SELECT at_s FROM login_failures WHERE username = $1 AND at_s >= $2 ORDER BY at_s"
    };
    Ok(sqlx::query_scalar(sql)
        .bind(key)
        .bind(since)
        .fetch_all(pool)
        .await?)
}

/// Forgets an account's failures (after its right password) and every failure older
/// than `before` (the table stays as small as the window).
pub async fn clear_login_failures(pool: &Pool, username: &str, before: i64) -> Result<(), DbError> {
    sqlx::query("DELETE FROM login_failures WHERE username = $1 OR at_s < $2")
        .bind(username)
        .bind(before)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn insert_token(
    pool: &Pool,
    user_id: i64,
    name: &str,
    sha256: &str,
    now: i64,
) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO api_tokens (user_id, name, token_sha256, created_s) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(user_id)
    .bind(name)
    .bind(sha256)
    .bind(now)
    .fetch_one(pool)
    .await?)
}

pub async fn tokens_of(pool: &Pool, user_id: i64) -> Result<Vec<TokenRow>, DbError> {
    let rows = sqlx::query(
        "SELECT id, name, created_s, last_used_s FROM api_tokens WHERE user_id = $1 ORDER BY id",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(TokenRow {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                created_s: r.try_get("created_s")?,
                last_used_s: r.try_get("last_used_s")?,
            })
        })
        .collect()
}

/// Deletes the user's token `id`; false when they have no such token.
pub async fn delete_token(pool: &Pool, user_id: i64, id: i64) -> Result<bool, DbError> {
    let n = sqlx::query("DELETE FROM api_tokens WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(pool)
        .await?
        .rows_affected();
    Ok(n == 1)
}

/// The user a token belongs to; marks it used (at most once a minute: a script calling
/// in a loop does not write on every request).
pub async fn user_of_token(
    pool: &Pool,
    sha256: &str,
    now: i64,
) -> Result<Option<UserRow>, DbError> {
    let row = sqlx::query(
        "SELECT u.id, u.username, u.password_hash, t.id AS token_id FROM api_tokens t \
         JOIN users u ON u.id = t.user_id WHERE t.token_sha256 = $1",
    )
    .bind(sha256)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let token_id: i64 = row.try_get("token_id")?;
    sqlx::query(
        "UPDATE api_tokens SET last_used_s = $1 WHERE id = $2 \
         AND (last_used_s IS NULL OR last_used_s < $3)",
    )
    .bind(now)
    .bind(token_id)
    .bind(now - 60)
    .execute(pool)
    .await?;
    user(row).map(Some)
}

/// A stored session record (JSON) unless it expired.
pub async fn session_load(pool: &Pool, id: &str, now: i64) -> Result<Option<String>, DbError> {
    Ok(
        sqlx::query_scalar("SELECT data FROM sessions WHERE id = $1 AND expires_s > $2")
            .bind(id)
            .bind(now)
            .fetch_optional(pool)
            .await?,
    )
}

/// Stores a new session; false when the id exists already (the caller draws another).
/// Expired sessions are deleted on the way.
pub async fn session_create(
    pool: &Pool,
    id: &str,
    data: &str,
    expires_s: i64,
    now: i64,
) -> Result<bool, DbError> {
    sqlx::query("DELETE FROM sessions WHERE expires_s <= $1")
        .bind(now)
        .execute(pool)
        .await?;
    let n = sqlx::query(
        "INSERT INTO sessions (id, data, expires_s) VALUES ($1, $2, $3) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(id)
    .bind(data)
    .bind(expires_s)
    .execute(pool)
    .await?
    .rows_affected();
    Ok(n == 1)
}

pub async fn session_save(
    pool: &Pool,
    id: &str,
    data: &str,
    expires_s: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO sessions (id, data, expires_s) VALUES ($1, $2, $3) \
         ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_s = excluded.expires_s",
    )
    .bind(id)
    .bind(data)
    .bind(expires_s)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn session_delete(pool: &Pool, id: &str) -> Result<(), DbError> {
    sqlx::query("DELETE FROM sessions WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}
