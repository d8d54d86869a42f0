//! The programme's model: pure types, rules and computations. No I/O, no
//! automerge; everything here can be called directly from tests.

pub mod access;
pub mod authz;
pub mod calendar;
pub mod codes;
pub mod collate;
pub mod conflict;
pub mod drafts;
pub mod evidence;
pub mod figures;
pub mod id;
pub mod invites;
pub mod judge;
pub mod lists;
pub mod model;
pub mod plan;
pub mod reach;
pub mod records;
pub mod reports;
pub mod rules;

pub use access::Member;
pub use codes::*;
pub use conflict::Conflict;
pub use drafts::*;
pub use evidence::{Attachment, Blob};
pub use id::Id;
pub use model::{DistrictData, Entity, Model, Tally};
pub use reach::Reach;
pub use records::*;
pub use rules::{Problem, ProblemKind};
