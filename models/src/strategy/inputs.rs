//! The inputs a bustabit autobet script declares in its `var config = {…}` block, as the
//! form shows them (plain data: the browser builds the form from them).

use serde::{Deserialize, Serialize};

/// One input of a script's `var config = {…}` block, for the form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScriptInput {
    pub key: String,
    /// `text`, `noop`, `radio`, `checkbox`, `balance` (satoshis; the form shows bits),
    /// `multiplier`, `combobox`, `number`.
    #[serde(rename = "type")]
    pub kind: String,
    pub label: String,
    /// The script's default (a balance in satoshis).
    pub value: serde_json::Value,
    pub optional: bool,
    pub options: Option<Vec<InputOption>>,
}

/// A choice of a `radio` or `combobox` input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputOption {
    pub key: String,
    pub label: String,
    pub value: serde_json::Value,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}
