//! The two databases the app stores its data in, and the few places where their SQL
//! differs. Everything else is written once, with `$1`-style parameters (both accept
//! them) and portable types (64-bit integers, doubles, text).

use super::Pool;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// A `postgres://` or `postgresql://` URL is PostgreSQL; anything else a SQLite file.
    pub fn of_url(location: &str) -> Self {
        let lower = location.trim_start().to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    pub fn of_pool(pool: &Pool) -> Self {
        Self::of_url(pool.connect_options().database_url.as_str())
    }

    pub fn of_connection(conn: &sqlx::AnyConnection) -> Self {
        if conn.backend_name().eq_ignore_ascii_case("postgresql") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    /// The current time as stored in `created_at` / `updated_at` (RFC 3339, UTC, ms).
    pub fn now_text(self) -> &'static str {
        match self {
            Backend::Sqlite => "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
            Backend::Postgres => {
                "to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
            }
        }
    }

    /// Unix seconds (floored) of a `created_at` column.
    pub fn epoch_of(self, column: &str) -> String {
        match self {
            Backend::Sqlite => format!("CAST(strftime('%s', {column}) AS INTEGER)"),
            Backend::Postgres => {
                format!("CAST(FLOOR(EXTRACT(EPOCH FROM CAST({column} AS timestamptz))) AS BIGINT)")
            }
        }
    }

    /// `INSERT` of the values of a JSON array (parameter `$3`) in array order, with the
    /// source (`$1`) and the synthetic flag (`$2`): one statement per 50,000 rounds. With
    /// `ids`, the array holds `[value, "source id"]` pairs.
    pub fn insert_json_rounds(self, ids: bool) -> &'static str {
        match (self, ids) {
            (Backend::Sqlite, false) => {
                "INSERT INTO rounds (hundredths, source, synthetic) \
                 SELECT value, $1, $2 FROM json_each($3) ORDER BY key"
            }
            (Backend::Sqlite, true) => {
                "INSERT INTO rounds (hundredths, source, synthetic, source_id) \
                 SELECT json_extract(value, '$[0]'), $1, $2, json_extract(value, '$[1]') \
                 FROM json_each($3) ORDER BY key"
            }
            (Backend::Postgres, false) => {
                "INSERT INTO rounds (hundredths, source, synthetic) \
                 SELECT CAST(v.value AS BIGINT), $1, $2 \
                 FROM jsonb_array_elements_text(CAST($3 AS jsonb)) WITH ORDINALITY AS v(value, k) \
                 ORDER BY v.k RETURNING id"
            }
            (Backend::Postgres, true) => {
                "INSERT INTO rounds (hundredths, source, synthetic, source_id) \
                 SELECT CAST(v.e->>0 AS BIGINT), $1, $2, v.e->>1 \
                 FROM jsonb_array_elements(CAST($3 AS jsonb)) WITH ORDINALITY AS v(e, k) \
                 ORDER BY v.k RETURNING id"
            }
        }
    }

    /// As [`Backend::insert_json_rounds`], with the ids given: `$4` for the first value,
    /// then one more for each (rounds stored before the oldest one).
    pub fn insert_json_rounds_from(self, ids: bool) -> &'static str {
        match (self, ids) {
            (Backend::Sqlite, false) => {
                "INSERT INTO rounds (id, hundredths, source, synthetic) \
                 SELECT $4 + key, value, $1, $2 FROM json_each($3) ORDER BY key"
            }
            (Backend::Sqlite, true) => {
                "INSERT INTO rounds (id, hundredths, source, synthetic, source_id) \
                 SELECT $4 + key, json_extract(value, '$[0]'), $1, $2, json_extract(value, '$[1]') \
                 FROM json_each($3) ORDER BY key"
            }
            (Backend::Postgres, false) => {
                "INSERT INTO rounds (id, hundredths, source, synthetic) \
                 SELECT $4 + v.k - 1, CAST(v.value AS BIGINT), $1, $2 \
                 FROM jsonb_array_elements_text(CAST($3 AS jsonb)) WITH ORDINALITY AS v(value, k) \
                 ORDER BY v.k"
            }
            (Backend::Postgres, true) => {
                "INSERT INTO rounds (id, hundredths, source, synthetic, source_id) \
                 SELECT $4 + v.k - 1, CAST(v.e->>0 AS BIGINT), $1, $2, v.e->>1 \
                 FROM jsonb_array_elements(CAST($3 AS jsonb)) WITH ORDINALITY AS v(e, k) \
                 ORDER BY v.k"
            }
        }
    }
}

/// The location for logs and messages: a PostgreSQL URL without its password.
pub fn redacted(location: &str) -> String {
    if Backend::of_url(location) == Backend::Sqlite {
        return location.to_string();
    }
    let Some((scheme, rest)) = location.split_once("://") else {
        return location.to_string();
    };
    match rest.rsplit_once('@') {
        Some((user_info, host)) => match user_info.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
            None => location.to_string(),
        },
        None => location.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{redacted, Backend};

    #[test]
    fn passwords_never_reach_the_logs() {
        assert_eq!(
            redacted("postgres://jetx:s3cr@t@db.example:5432/jetx"),
            "postgres://jetx:***@db.example:5432/jetx"
        );
        assert_eq!(
            redacted("postgres://jetx@127.0.0.1/db"),
            "postgres://jetx@127.0.0.1/db"
        );
        assert_eq!(redacted("data/a:b@c.sqlite"), "data/a:b@c.sqlite");
    }

    #[test]
    fn urls_choose_the_backend() {
        assert_eq!(Backend::of_url("postgres://u@h/db"), Backend::Postgres);
        assert_eq!(
            Backend::of_url("PostgreSQL://u@h:5432/db"),
            Backend::Postgres
        );
        assert_eq!(Backend::of_url("data/jetx.sqlite"), Backend::Sqlite);
        // A file whose name merely contains the word stays a file.
        assert_eq!(Backend::of_url("data/postgres.sqlite"), Backend::Sqlite);
        assert_eq!(Backend::of_url("sqlite://x.db"), Backend::Sqlite);
    }
}

/// A nullable double to bind. sqlx 0.9.0's `Any` driver hands PostgreSQL a NULL `f64` as a
/// NULL `float4` and a NULL `f32` as a NULL `float8` (its two float arms are swapped), and
/// PostgreSQL prepares the statement with that parameter type: the next non-NULL `f64`
/// bound to the same cached statement then fails with "incorrect binary data format". So
/// NULL goes as the `f32` kind, which arrives as `float8`; `it::limits` alternates NULL and
/// values on one connection, so a change in sqlx shows there.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NullableF64(pub Option<f64>);

impl sqlx::Type<sqlx::Any> for NullableF64 {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <f64 as sqlx::Type<sqlx::Any>>::type_info()
    }
}

impl<'q> sqlx::Encode<'q, sqlx::Any> for NullableF64 {
    fn encode_by_ref(
        &self,
        buf: &mut <sqlx::Any as sqlx::Database>::ArgumentBuffer,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        match self.0 {
            Some(value) => <f64 as sqlx::Encode<'q, sqlx::Any>>::encode_by_ref(&value, buf),
            None => <Option<f32> as sqlx::Encode<'q, sqlx::Any>>::encode_by_ref(&None, buf),
        }
    }
}
