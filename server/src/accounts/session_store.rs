//! tower-sessions' store over the app's own pool (SQLite or PostgreSQL), so sessions
//! need no second connection pool (tower-sessions' sqlx store pins another sqlx) and
//! several servers on one PostgreSQL database share them. A record is kept under the
//! SHA-256 of its id: the table alone opens no session.

use app::db::{self, Pool};
use app::service::accounts::{now_s, sha256_hex};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result};
use tower_sessions::SessionStore;

#[derive(Clone)]
pub struct DbSessionStore {
    pool: Pool,
}

impl std::fmt::Debug for DbSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbSessionStore")
    }
}

impl DbSessionStore {
    pub fn new(pool: Pool) -> Self {
        Self { pool }
    }
}

fn key(id: &Id) -> String {
    sha256_hex(&id.to_string())
}

fn encode(record: &Record) -> Result<String> {
    serde_json::to_string(record).map_err(|e| Error::Encode(e.to_string()))
}

fn backend(e: db::DbError) -> Error {
    Error::Backend(e.to_string())
}

#[async_trait::async_trait]
impl SessionStore for DbSessionStore {
    /// A fresh id for a new session, drawn again on the (astronomically rare) collision.
    async fn create(&self, record: &mut Record) -> Result<()> {
        loop {
            let data = encode(record)?;
            let expires = record.expiry_date.unix_timestamp();
            if db::session_create(&self.pool, &key(&record.id), &data, expires, now_s())
                .await
                .map_err(backend)?
            {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> Result<()> {
        let expires = record.expiry_date.unix_timestamp();
        db::session_save(&self.pool, &key(&record.id), &encode(record)?, expires)
            .await
            .map_err(backend)
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let Some(data) = db::session_load(&self.pool, &key(id), now_s())
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let record: Record =
            serde_json::from_str(&data).map_err(|e| Error::Decode(e.to_string()))?;
        // The stored record names the id it was created under; the key says it is this one.
        Ok(Some(Record { id: *id, ..record }))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        db::session_delete(&self.pool, &key(id))
            .await
            .map_err(backend)
    }
}
