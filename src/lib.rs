//! bangfu (帮扶): an offline-first terminal application for a city's rural
//! kindergarten support programme.
//!
//! Layers (see docs/ARCHITECTURE.md): [`domain`] is pure; [`store`] keeps the
//! automerge documents durable; [`cli`] is the command line.

rust_i18n::i18n!("locales", fallback = "zh-CN");

pub mod app;
pub mod bench;
pub mod cli;
pub mod demo;
pub mod domain;
pub mod export;
pub mod i18n;
pub mod identity;
pub mod input;
pub mod media;
pub mod present;
pub mod store;
pub mod sync;
pub mod trust;
pub mod tui;
pub mod ui;
