//! The one place where failures become exit codes: 2 for bad input
//! (scenario, flags), 1 for anything else.

use crate::scenario::ScenarioError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum Error {
    /// The scenario or the flags are wrong: the user must change them.
    #[error("{0}")]
    Scenario(#[from] ScenarioError),
    #[error("{0}")]
    Usage(String),
    /// Anything else (I/O, internal).
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Scenario(_) | Error::Usage(_) => 2,
            Error::Other(_) => 1,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
