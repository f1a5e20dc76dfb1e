//! Provably-fair hash chain, as published crash games (bustabit style) do.
//!
//! * The operator picks a secret server seed and builds a chain by hashing repeatedly:
//!   `c₁ = SHA-256(seed)`, `cᵢ₊₁ = SHA-256(cᵢ)` (hashing the 32 raw bytes), up to `c_N`.
//! * Games are played in reverse order: game 0 uses `c_N`, game 1 uses `c_{N−1}`, … so each
//!   game's hash is SHA-256 of the *next* game's hash. Before play the operator publishes the
//!   terminating hash `SHA-256(game 0 hash)`; afterwards anyone can check that hashing a game
//!   hash gives the previous game's hash ([`verify_chain`]), i.e. the results were fixed in
//!   advance.
//! * Crash point of a game: `HMAC-SHA256(key = public salt, message = game hash bytes)`; the
//!   first 52 bits give r ∈ [0, 2⁵²); U = 1 − r/2⁵² ∈ (0, 1]; X = ⌊100·(1 − h)/U⌋/100,
//!   floored at 1.00 ([`crate::generator::crash_point`]). With h = 0.01 this is bustabit's
//!   `floor(99/(1 − r/2⁵²))/100`.

use crate::generator::crash_point;
use crate::values::Multiplier;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// One game hash.
pub type GameHash = [u8; 32];

pub fn sha256(data: &[u8]) -> GameHash {
    let mut out = [0u8; 32];
    out.copy_from_slice(&Sha256::digest(data));
    out
}

/// The game hashes in play order (index 0 is played first) for a server seed.
pub fn generate_chain(server_seed: &[u8], n: usize) -> Vec<GameHash> {
    let mut chain = Vec::with_capacity(n);
    if n == 0 {
        return chain;
    }
    let mut h = sha256(server_seed);
    chain.push(h);
    for _ in 1..n {
        h = sha256(&h);
        chain.push(h);
    }
    chain.reverse();
    chain
}

/// The commitment published before play: SHA-256 of the first game's hash.
pub fn terminating_hash(chain: &[GameHash]) -> Option<GameHash> {
    chain.first().map(|h| sha256(h))
}

/// The 52-bit draw r of a game: the first 13 hex digits of HMAC-SHA256(salt, hash).
pub fn game_draw(game_hash: &GameHash, salt: &[u8]) -> u64 {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(salt).expect("HMAC takes any key length");
    mac.update(game_hash);
    let digest = mac.finalize().into_bytes();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first) >> 12
}

/// The crash point of a game.
pub fn crash_from_hash(game_hash: &GameHash, salt: &[u8], house_edge: f64) -> Multiplier {
    let r = game_draw(game_hash, salt) as f64;
    let u = 1.0 - r / (1u64 << 52) as f64;
    crash_point(u, house_edge)
}

/// Where a chain fails verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ChainError {
    #[error("the first game's hash does not hash to the published terminating hash")]
    Terminating,
    #[error("game {index}: SHA-256 of its hash is not the hash of game {}", .index - 1)]
    Link { index: usize },
}

/// Checks a chain backwards: SHA-256(game 0) = terminating hash and
/// SHA-256(game i) = game i−1 for every i.
pub fn verify_chain(chain: &[GameHash], terminating: &GameHash) -> Result<(), ChainError> {
    if let Some(first) = chain.first() {
        if sha256(first) != *terminating {
            return Err(ChainError::Terminating);
        }
    }
    for i in 1..chain.len() {
        if sha256(&chain[i]) != chain[i - 1] {
            return Err(ChainError::Link { index: i });
        }
    }
    Ok(())
}

/// A seeded provably-fair round generator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HashChainGenerator {
    pub server_seed: String,
    pub salt: String,
    pub house_edge: f64,
}

impl HashChainGenerator {
    /// The game hashes and crash points of `n` games, in play order.
    pub fn games(&self, n: usize) -> Vec<(GameHash, Multiplier)> {
        generate_chain(self.server_seed.as_bytes(), n)
            .into_iter()
            .map(|h| {
                let x = crash_from_hash(&h, self.salt.as_bytes(), self.house_edge);
                (h, x)
            })
            .collect()
    }

    pub fn generate(&self, n: usize) -> Vec<Multiplier> {
        self.games(n).into_iter().map(|g| g.1).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_python_hashlib_and_hmac() {
        // Python: h = sha256(b"server-seed").digest(); chain of 3 → play order reversed;
        // hmac.new(b"public-salt", game, sha256).hexdigest()[:13].
        let chain = generate_chain(b"server-seed", 3);
        assert_eq!(hex::encode(chain[2]), PY_LAST);
        assert_eq!(hex::encode(chain[0]), PY_FIRST);
        assert_eq!(hex::encode(terminating_hash(&chain).unwrap()), PY_TERM);
        let draws: Vec<u64> = chain.iter().map(|h| game_draw(h, b"public-salt")).collect();
        assert_eq!(draws, PY_DRAWS);
        let xs: Vec<u32> = chain
            .iter()
            .map(|h| crash_from_hash(h, b"public-salt", 0.01).0)
            .collect();
        assert_eq!(xs, PY_CRASH_H1);
    }
    const PY_LAST: &str = "91024ec49c5bec0b689e42892526320fce08337205c91de94c7a588c20d08eeb";
    const PY_FIRST: &str = "1c8e5028adc3c55c679c529de1eceaeb61158fa29b85928dbed9aa89c1759876";
    const PY_TERM: &str = "6fd3aa9d3c841b3aca4f1fc218b79121dff7f9356aaee1ce16e1c5a39a052b6b";
    const PY_DRAWS: [u64; 3] = [
        4_164_340_102_728_005,
        1_929_046_173_353_970,
        3_160_833_961_172_788,
    ];
    // Also bustabit's floor(99/(1 − r/2⁵²)).
    const PY_CRASH_H1: [u32; 3] = [1314, 173, 332];

    #[test]
    fn verifies_and_detects_tampering() {
        let chain = generate_chain(b"another seed", 50);
        let term = terminating_hash(&chain).unwrap();
        assert_eq!(verify_chain(&chain, &term), Ok(()));
        let mut bad = chain.clone();
        bad[20][0] ^= 1;
        assert_eq!(
            verify_chain(&bad, &term),
            Err(ChainError::Link { index: 20 })
        );
        assert_eq!(
            verify_chain(&chain, &[0u8; 32]),
            Err(ChainError::Terminating)
        );
        assert_eq!(verify_chain(&[], &term), Ok(()));
    }

    #[test]
    fn follows_the_fair_law() {
        let g = HashChainGenerator {
            server_seed: "seed".into(),
            salt: "salt".into(),
            house_edge: 0.03,
        };
        let xs = g.generate(20_000);
        let share = xs.iter().filter(|m| m.0 >= 200).count() as f64 / xs.len() as f64;
        // 0.485 ± 5 standard errors (0.0035).
        assert!((share - 0.485).abs() < 0.018, "{share}");
    }
}
