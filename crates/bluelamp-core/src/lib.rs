//! The bluelamp domain. Everything here is pure: no database, no HTTP, no wall clock, no environment.
//! I/O reaches the core only through the [`store::Store`] port and the [`clock::Clock`] port.
//!
//! Reading order: [`access`] (roles and permissions), [`user`], [`password`], [`secret`], [`session`],
//! [`audit`], [`restriction`], [`store`], then [`core`] — the use cases that tie them together.

pub mod access;
pub mod allocation;
pub mod area;
pub mod audit;
pub mod bulk;
pub mod cache;
pub mod cancel;
pub mod casefile;
pub mod casefile_use;
pub mod clock;
pub mod core;
pub mod crime;
pub mod crime_rules;
pub mod crime_search;
pub mod error;
pub mod incident;
pub mod investigation;
pub mod investigation_use;
pub mod merge;
pub mod offence;
pub mod outcome;
pub mod outcome_stats;
pub mod password;
pub mod person;
pub mod pole;
pub mod policeuk;
pub mod quality;
pub mod reference;
pub mod resource;
pub mod restriction;
pub mod secret;
pub mod session;
pub mod solvability;
pub mod store;
pub mod time;
pub mod triage;
pub mod triage_use;
pub mod user;

pub use crate::core::{Core, Settings};
pub use error::{Error, FieldError, Result};
