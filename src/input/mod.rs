//! Reading what people type — on the command line, in a form or in a
//! spreadsheet row — into the programme's drafts, with errors in their
//! language that say what was wrong and how to write it.
//!
//! - `parse`: one value of a kind (a date, a count, a code, a record by
//!   name or id prefix).
//! - `fields`: field specifications, typed text (`Raw`) and the reader.
//! - `records`: each record kind's fields and how they become a draft.
//! - `sheet`, `list`: a spreadsheet read as a table, a kindergarten list
//!   read into drafts; `import`: its rows checked (and written) in one
//!   write, for the command line and the interface alike.

// Data from the network and from people: no slicing that can panic, no
// arithmetic that can overflow.
#![warn(
    clippy::string_slice,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

pub mod evidence;
pub mod fields;
pub mod import;
pub mod list;
pub mod parse;
pub mod paths;
pub mod records;
pub mod sheet;

pub use fields::{Bad, Context, FieldSpec, Kind, Pick, Raw, Why};
pub use parse::*;
