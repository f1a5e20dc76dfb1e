//! Settings: built-in defaults, then an optional TOML file, then environment variables,
//! then command-line flags. Works with no file at all.

use models::values::{parse_multiplier, ValueRules};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

pub const DEFAULT_ADDR: &str = "127.0.0.1:3000";
pub const DEFAULT_DATABASE: &str = "data/jetx.sqlite";
pub const DEFAULT_MODELS_DIR: &str = "data/models";
pub const DEFAULT_SITE_ROOT: &str = "target/site";
/// Read when no `--config` is given and the file exists.
pub const DEFAULT_CONFIG_FILE: &str = "jetx.toml";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("the config file {path} is not valid: {message}")]
    Parse { path: String, message: String },
    #[error("{name} = {value:?} is not valid: {reason}")]
    Invalid {
        name: String,
        value: String,
        reason: String,
    },
}

/// The optional TOML file; every key may be left out.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub addr: Option<String>,
    pub database: Option<PathBuf>,
    /// Where trained models are saved (one folder per version).
    pub models_dir: Option<PathBuf>,
    pub site_root: Option<PathBuf>,
    /// Largest accepted multiplier, e.g. "1000000" or "50000.00".
    pub max_multiplier: Option<String>,
    pub max_values_per_batch: Option<usize>,
    pub max_input_bytes: Option<usize>,
    /// House edge assumed by the fair-game base rates, e.g. 0.03.
    pub house_edge: Option<f64>,
    /// Host names the server answers to besides the loopback names, e.g.
    /// `["jetx.example.com"]` (DNS-rebinding protection; see `security.rs`).
    pub allowed_hosts: Option<Vec<String>>,
    /// The shortest reality-check interval players may choose, in seconds (default 300;
    /// the browser tests use a few seconds).
    pub reality_check_min_s: Option<i64>,
    /// Hosted mode: players sign in, each sees only their own data (see `accounts`).
    pub accounts: Option<bool>,
    /// Whether anyone may sign up in hosted mode (default true; else `jetx user add`).
    pub signup: Option<bool>,
    /// Seconds without a request after which a session ends (default 3600).
    pub session_idle_s: Option<i64>,
    /// Seconds after login after which a session ends however active (default 43200).
    pub session_absolute_s: Option<i64>,
    /// Send the session cookie with `Secure` (set it when the server is reached over TLS).
    pub secure_cookies: Option<bool>,
    /// Reverse proxies (IP addresses) whose `X-Forwarded-For` names the client, for the
    /// failed-login limit per address.
    pub trusted_proxies: Option<Vec<String>>,
    /// Hosted mode: the bearer token a metrics scraper sends for `/metrics` (24
    /// characters or more); without it a hosted server does not serve `/metrics`.
    pub metrics_token: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub database: PathBuf,
    pub models_dir: PathBuf,
    pub site_root: PathBuf,
    pub rules: ValueRules,
    pub house_edge: f64,
    /// Extra host names (without port) requests may name in `Host`.
    pub allowed_hosts: Vec<String>,
    pub reality_check_min_s: i64,
    /// Hosted mode's settings; `None` in the local app (no login).
    pub accounts: Option<crate::accounts::AccountSettings>,
}

/// Flags given on the command line, which win over everything else.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub config_file: Option<PathBuf>,
    pub database: Option<PathBuf>,
    pub addr: Option<String>,
}

fn invalid(name: &str, value: &str, reason: impl ToString) -> ConfigError {
    ConfigError::Invalid {
        name: name.into(),
        value: value.into(),
        reason: reason.to_string(),
    }
}

impl Config {
    /// Loads the configuration; `env` is a lookup so tests need not touch the process.
    pub fn load(
        overrides: &Overrides,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let file = match config_file_path(overrides, &env) {
            Some(path) => read_file(&path)?,
            None => FileConfig::default(),
        };

        let addr_text = overrides
            .addr
            .clone()
            .or_else(|| env("JETX_ADDR"))
            .or_else(|| env("LEPTOS_SITE_ADDR"))
            .or(file.addr)
            .unwrap_or_else(|| DEFAULT_ADDR.into());
        let addr = addr_text
            .parse()
            .map_err(|e| invalid("addr", &addr_text, e))?;

        let database = overrides
            .database
            .clone()
            .or_else(|| env("JETX_DATABASE").map(PathBuf::from))
            .or(file.database)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATABASE));
        let models_dir = env("JETX_MODELS_DIR")
            .map(PathBuf::from)
            .or(file.models_dir)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_MODELS_DIR));
        let site_root = env("JETX_SITE_ROOT")
            .or_else(|| env("LEPTOS_SITE_ROOT"))
            .map(PathBuf::from)
            .or(file.site_root)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_SITE_ROOT));

        let rules = read_value_rules(
            &env,
            file.max_multiplier,
            file.max_values_per_batch,
            file.max_input_bytes,
        )?;
        let house_edge = read_house_edge(&env, file.house_edge)?;
        let allowed_hosts = read_allowed_hosts(&env, file.allowed_hosts)?;
        let reality_check_min_s = read_reality_check_min_s(&env, file.reality_check_min_s)?;
        let accounts = crate::accounts::AccountSettings::load(
            &env,
            crate::accounts::FileAccounts {
                accounts: file.accounts,
                signup: file.signup,
                session_idle_s: file.session_idle_s,
                session_absolute_s: file.session_absolute_s,
                secure_cookies: file.secure_cookies,
                trusted_proxies: file.trusted_proxies,
                metrics_token: file.metrics_token,
            },
        )
        .map_err(|e| invalid(&e.name, &e.value, e.reason))?;
        Ok(Self {
            addr,
            database,
            models_dir,
            site_root,
            rules,
            house_edge,
            allowed_hosts,
            reality_check_min_s,
            accounts,
        })
    }
}

/// The config file to read: the flag's, `JETX_CONFIG`'s, or [`DEFAULT_CONFIG_FILE`] when it
/// exists.
fn config_file_path(
    overrides: &Overrides,
    env: &impl Fn(&str) -> Option<String>,
) -> Option<PathBuf> {
    overrides
        .config_file
        .clone()
        .or_else(|| env("JETX_CONFIG").map(PathBuf::from))
        .or_else(|| {
            Path::new(DEFAULT_CONFIG_FILE)
                .exists()
                .then(|| PathBuf::from(DEFAULT_CONFIG_FILE))
        })
}

/// The limits on entered values: the largest multiplier, values per batch, input size.
fn read_value_rules(
    env: &impl Fn(&str) -> Option<String>,
    max_multiplier: Option<String>,
    max_values_per_batch: Option<usize>,
    max_input_bytes: Option<usize>,
) -> Result<ValueRules, ConfigError> {
    let mut rules = ValueRules::default();
    if let Some(text) = env("JETX_MAX_MULTIPLIER").or(max_multiplier) {
        // The maximum is itself a multiplier, checked with the same parser.
        let wide = ValueRules {
            max_hundredths: u32::MAX,
            ..ValueRules::default()
        };
        rules.max_hundredths = parse_multiplier(&text, &wide)
            .map_err(|e| invalid("max_multiplier", &text, e.problem))?
            .0;
    }
    if let Some(n) = parse_env_usize(env, "JETX_MAX_VALUES_PER_BATCH")?.or(max_values_per_batch) {
        if n == 0 {
            return Err(invalid("max_values_per_batch", "0", "must be at least 1"));
        }
        rules.max_values_per_batch = n;
    }
    if let Some(n) = parse_env_usize(env, "JETX_MAX_INPUT_BYTES")?.or(max_input_bytes) {
        if n < 1024 {
            return Err(invalid(
                "max_input_bytes",
                &n.to_string(),
                "must be at least 1024",
            ));
        }
        rules.max_input_bytes = n;
    }
    Ok(rules)
}

/// The house edge of the fair-game base rates, in [0, 0.5).
fn read_house_edge(
    env: &impl Fn(&str) -> Option<String>,
    from_file: Option<f64>,
) -> Result<f64, ConfigError> {
    let house_edge = match env("JETX_HOUSE_EDGE") {
        Some(t) => t.parse::<f64>().map_err(|e| invalid("house_edge", &t, e))?,
        None => from_file.unwrap_or(models::generator::DEFAULT_HOUSE_EDGE),
    };
    if !(0.0..0.5).contains(&house_edge) {
        return Err(invalid(
            "house_edge",
            &house_edge.to_string(),
            "must be in [0, 0.5)",
        ));
    }
    Ok(house_edge)
}

/// The extra host names, lower-cased; each must be a bare host name.
fn read_allowed_hosts(
    env: &impl Fn(&str) -> Option<String>,
    from_file: Option<Vec<String>>,
) -> Result<Vec<String>, ConfigError> {
    let allowed_hosts = match env("JETX_ALLOWED_HOSTS") {
        Some(t) => t.split(',').map(str::to_string).collect(),
        None => from_file.unwrap_or_default(),
    };
    allowed_hosts
        .into_iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .map(|h| {
            // The name as the request guard reads it from `Host`, so it can match.
            if crate::security::host_name(&h).as_deref() == Some(h.as_str()) {
                Ok(h)
            } else {
                Err(invalid(
                    "allowed_hosts",
                    &h,
                    "write a host name only, without scheme, port or path",
                ))
            }
        })
        .collect::<Result<Vec<_>, _>>()
}

/// The shortest reality-check interval players may choose, 1 s to a day.
fn read_reality_check_min_s(
    env: &impl Fn(&str) -> Option<String>,
    from_file: Option<i64>,
) -> Result<i64, ConfigError> {
    let reality_check_min_s = match env("JETX_REALITY_CHECK_MIN_S") {
        Some(t) => t
            .parse::<i64>()
            .map_err(|e| invalid("reality_check_min_s", &t, e))?,
        None => from_file.unwrap_or(models::limits::DEFAULT_MIN_REALITY_CHECK_S),
    };
    if !(1..=models::limits::MAX_REALITY_CHECK_S).contains(&reality_check_min_s) {
        return Err(invalid(
            "reality_check_min_s",
            &reality_check_min_s.to_string(),
            "must be between 1 and 86400 seconds",
        ));
    }
    Ok(reality_check_min_s)
}

fn parse_env_usize(
    env: &impl Fn(&str) -> Option<String>,
    name: &str,
) -> Result<Option<usize>, ConfigError> {
    env(name)
        .map(|t| t.trim().parse::<usize>().map_err(|e| invalid(name, &t, e)))
        .transpose()
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.display().to_string(),
        source,
    })?;
    toml::from_str(&text).map_err(|e| ConfigError::Parse {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn defaults_need_no_file() {
        let c = Config::load(&Overrides::default(), env_of(&[])).unwrap();
        assert_eq!(c.addr.to_string(), DEFAULT_ADDR);
        assert_eq!(c.database, PathBuf::from(DEFAULT_DATABASE));
        assert_eq!(c.rules, ValueRules::default());
        assert_eq!(c.house_edge, 0.03);
        assert_eq!(c.reality_check_min_s, 300);
    }

    #[test]
    fn file_then_env_then_flags() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jetx.toml");
        std::fs::write(
            &path,
            "addr = \"127.0.0.1:4000\"\ndatabase = \"a.sqlite\"\nmax_multiplier = \"500\"\nmax_values_per_batch = 10\n",
        )
        .unwrap();
        let overrides = Overrides {
            config_file: Some(path.clone()),
            ..Overrides::default()
        };
        let c = Config::load(&overrides, env_of(&[])).unwrap();
        assert_eq!(c.addr.port(), 4000);
        assert_eq!(c.rules.max_hundredths, 50_000);
        assert_eq!(c.rules.max_values_per_batch, 10);
        let c = Config::load(
            &overrides,
            env_of(&[
                ("JETX_DATABASE", "b.sqlite"),
                ("JETX_ADDR", "127.0.0.1:5000"),
            ]),
        )
        .unwrap();
        assert_eq!(c.database, PathBuf::from("b.sqlite"));
        assert_eq!(c.addr.port(), 5000);
        let flags = Overrides {
            database: Some("c.sqlite".into()),
            ..overrides
        };
        let c = Config::load(&flags, env_of(&[("JETX_DATABASE", "b.sqlite")])).unwrap();
        assert_eq!(c.database, PathBuf::from("c.sqlite"));
    }

    #[test]
    fn bad_settings_are_named() {
        let err = Config::load(
            &Overrides::default(),
            env_of(&[("JETX_MAX_MULTIPLIER", "lots")]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("max_multiplier"), "{err}");
        let err =
            Config::load(&Overrides::default(), env_of(&[("JETX_ADDR", "nowhere")])).unwrap_err();
        assert!(err.to_string().contains("addr"), "{err}");
        let err =
            Config::load(&Overrides::default(), env_of(&[("JETX_HOUSE_EDGE", "0.7")])).unwrap_err();
        assert!(err.to_string().contains("house_edge"), "{err}");
        let err = Config::load(
            &Overrides::default(),
            env_of(&[("JETX_ALLOWED_HOSTS", "https://jetx.example.com")]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("allowed_hosts"), "{err}");
        let c = Config::load(
            &Overrides::default(),
            env_of(&[("JETX_ALLOWED_HOSTS", " JetX.example.com, ,lan-box")]),
        )
        .unwrap();
        assert_eq!(c.allowed_hosts, ["jetx.example.com", "lan-box"]);
        for bad in ["0", "soon", "86401"] {
            let err = Config::load(
                &Overrides::default(),
                env_of(&[("JETX_REALITY_CHECK_MIN_S", bad)]),
            )
            .unwrap_err();
            assert!(err.to_string().contains("reality_check_min_s"), "{err}");
        }
        let c = Config::load(
            &Overrides::default(),
            env_of(&[("JETX_REALITY_CHECK_MIN_S", "3")]),
        )
        .unwrap();
        assert_eq!(c.reality_check_min_s, 3);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.toml");
        std::fs::write(&path, "colour = 1\n").unwrap();
        let err = Config::load(
            &Overrides {
                config_file: Some(path),
                ..Overrides::default()
            },
            env_of(&[]),
        )
        .unwrap_err();
        assert!(matches!(err, ConfigError::Parse { .. }), "{err}");
    }
}
