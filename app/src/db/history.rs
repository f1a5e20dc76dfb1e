//! The history revision counter and the snapshot the estimator, the statistics and the
//! rounds list read: kept in memory and brought up to date with only the rows that
//! changed, so a request costs the same at 7,000 rounds as at 1,000,000.

use super::DbError;
use super::Pool;
use models::patterns::clock::Clock;
use models::tally::Tally;
use models::values::Multiplier;
use std::sync::Arc;

/// The counter every change of `rounds` bumps (see the migration's triggers).
pub async fn history_revision(pool: &Pool) -> Result<i64, DbError> {
    Ok(
        sqlx::query_scalar("SELECT revision FROM history_revision WHERE id = 1")
            .fetch_one(pool)
            .await?,
    )
}

/// A rewritten round: id, value now (`None`: deleted) and its time if typed live.
type Touched = (i64, Option<i64>, Option<String>);

/// The history as the estimator and the pages need it.
#[derive(Debug, Clone)]
pub struct HistorySnapshot {
    pub revision: i64,
    /// Edits and deletions so far (see the migration).
    pub rewrites: i64,
    pub values: Arc<Vec<Multiplier>>,
    /// The rounds' ids, in the same order as `values`.
    pub ids: Arc<Vec<i64>>,
    /// How many rounds hold each value (the statistics' counts).
    pub tally: Arc<Tally>,
    /// Id of the newest round (0 when empty).
    pub last_id: i64,
    /// When the rounds typed one by one on the dashboard were played: the only ones whose
    /// stored time is when they were played (the clock rules). A batch (API, paste,
    /// import) is stored at one moment, whatever its rounds' times were. Kept up to date
    /// with the rounds, so a request never rebuilds it (a year typed live is a million).
    pub clock: Clock,
}

impl HistorySnapshot {
    /// 1-based position of the round with `id` in the history (a round stored after the
    /// snapshot counts after every round in it).
    pub fn position(&self, id: i64) -> i64 {
        self.ids.partition_point(|&x| x < id) as i64 + 1
    }

    /// Id of the round `offset` places from the newest (0: the newest).
    pub fn id_from_newest(&self, offset: usize) -> Option<i64> {
        self.ids.len().checked_sub(offset + 1).map(|k| self.ids[k])
    }

    /// The rounds' clock with the next round played now; `None` when no round carries a
    /// real time.
    pub fn clock_now(&self) -> Option<Arc<Clock>> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        self.clock(now)
    }

    /// The rounds' clock with the next round played at `now_ms`; `None` when no round
    /// carries a real time.
    pub fn clock(&self, now_ms: i64) -> Option<Arc<Clock>> {
        if self.clock.timed() == 0 {
            return None;
        }
        Some(Arc::new(
            self.clock.clone().with_next(self.values.len(), now_ms),
        ))
    }

    /// Keeps the rounds with an id below `id`.
    fn truncate_before(&mut self, id: i64) {
        let keep = self.ids.partition_point(|&x| x < id);
        self.clock.truncate(keep);
        let tally = Arc::make_mut(&mut self.tally);
        for &v in &self.values[keep..] {
            tally.remove(v);
        }
        Arc::make_mut(&mut self.values).truncate(keep);
        Arc::make_mut(&mut self.ids).truncate(keep);
        self.last_id = self.ids.last().copied().unwrap_or(0);
    }

    /// Takes in the rewritten rounds (sorted by id): an edited value is replaced in place.
    /// A deletion, rounds stored before the newest (an older file imported before the
    /// history logs its first id) or a changed time shifts what follows, so the snapshot
    /// is cut there and read again.
    fn rewrite(&mut self, touched: &[Touched]) {
        let shifted = touched.iter().find(|(id, h, at)| {
            let Ok(i) = self.ids.binary_search(id) else {
                return h.is_some() && *id <= self.last_id;
            };
            let at = at
                .as_deref()
                .and_then(models::patterns::clock::parse_utc_ms);
            // A timed round whose time the clock left out is read again too.
            h.is_none() || self.clock.at(i) != at
        });
        if let Some(&(low, ..)) = shifted {
            self.truncate_before(low);
        }
        for &(id, h, _) in touched {
            let (Some(h), Ok(i)) = (h, self.ids.binary_search(&id)) else {
                continue;
            };
            let v = Multiplier(u32::try_from(h).unwrap_or(u32::MAX));
            let values = Arc::make_mut(&mut self.values);
            let tally = Arc::make_mut(&mut self.tally);
            tally.remove(values[i]);
            tally.add(v);
            values[i] = v;
        }
    }

    fn append(&mut self, rows: Vec<(i64, i64, Option<String>)>) {
        let values = Arc::make_mut(&mut self.values);
        let ids = Arc::make_mut(&mut self.ids);
        let tally = Arc::make_mut(&mut self.tally);
        values.reserve(rows.len());
        ids.reserve(rows.len());
        for (id, h, at) in rows {
            if let Some(ms) = at
                .as_deref()
                .and_then(models::patterns::clock::parse_utc_ms)
            {
                self.clock.push(values.len(), ms);
            }
            let v = Multiplier(u32::try_from(h).unwrap_or(u32::MAX));
            values.push(v);
            ids.push(id);
            tally.add(v);
        }
        self.last_id = ids.last().copied().unwrap_or(0);
    }
}

/// Reads the history with the revision it belongs to, in one read transaction. A
/// `previous` snapshot is brought up to date: the rounds after it are appended, edited
/// rounds are read alone, and after a deletion the rounds from the deleted id on are read
/// again (the triggers log each rewrite; when the log no longer reaches back, everything
/// is read).
/// Taking the snapshot by value lets an unshared one grow in place.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn history_snapshot(
    pool: &Pool,
    previous: Option<HistorySnapshot>,
) -> Result<HistorySnapshot, DbError> {
    let mut tx = super::begin_read(pool).await?;
    let (revision, rewrites): (i64, i64) =
        sqlx::query_as("SELECT revision, rewrites FROM history_revision WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?;
    let mut snap = match previous {
        Some(mut p) if p.rewrites != rewrites => {
            let logged: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM history_rewrites WHERE rewrite > $1")
                    .bind(p.rewrites)
                    .fetch_one(&mut *tx)
                    .await?;
            if p.rewrites < rewrites && logged == rewrites - p.rewrites {
                let touched: Vec<Touched> = sqlx::query_as(
                    "SELECT w.round_id, r.hundredths, \
                     CASE WHEN r.source = 'entry' THEN r.created_at END FROM \
                     (SELECT DISTINCT round_id FROM history_rewrites WHERE rewrite > $1) w \
                     LEFT JOIN rounds r ON r.id = w.round_id ORDER BY w.round_id",
                )
                .bind(p.rewrites)
                .fetch_all(&mut *tx)
                .await?;
                p.rewrite(&touched);
                p
            } else {
                empty()
            }
        }
        Some(p) => p,
        None => empty(),
    };
    let rows: Vec<(i64, i64, Option<String>)> = sqlx::query_as(
        "SELECT id, hundredths, CASE WHEN source = 'entry' THEN created_at END \
         FROM rounds WHERE id > $1 ORDER BY id",
    )
    // Rounds stored before the oldest one have ids of 0 or below.
    .bind(snap.ids.last().copied().unwrap_or(i64::MIN))
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    snap.append(rows);
    snap.revision = revision;
    snap.rewrites = rewrites;
    Ok(snap)
}

fn empty() -> HistorySnapshot {
    HistorySnapshot {
        revision: 0,
        rewrites: 0,
        values: Arc::default(),
        ids: Arc::default(),
        tally: Arc::default(),
        last_id: 0,
        clock: Clock::default(),
    }
}
