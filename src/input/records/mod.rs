//! The fields of each record kind people fill in, and how they are read
//! into drafts (`domain::drafts`). `raw_of_*` gives a record's fields back
//! as text, so that editing starts from what is stored. One module per
//! record kind.

use super::fields::{Bad, Context, Default as D, FieldSpec, Kind, Pick, Raw, Reader};
use crate::domain::drafts::*;
use crate::domain::*;

const fn spec(
    key: &'static str,
    flag: &'static str,
    kind: Kind,
    default: D,
    help: &'static str,
) -> FieldSpec {
    FieldSpec {
        key,
        flag,
        kind,
        default,
        help,
    }
}

pub mod attach;
pub mod import;
pub mod inspection;
pub mod invite;
pub mod kindergarten;
pub mod pairing;
pub mod plan;
pub mod sections;
pub mod terms;
pub mod visit;
