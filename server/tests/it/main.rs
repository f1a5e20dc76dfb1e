//! The server's integration tests in one binary (one link on 2 cores instead of three),
//! sharing [`helpers`].

mod api;
mod cli;
mod helpers;
mod ledger;
mod live;
mod load;
mod play;
mod security;
mod strategy;
