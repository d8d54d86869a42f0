//! A value two devices set differently while apart, as the store found it
//! (`store/conflicts.rs`): plain data the screens and commands show.

use super::id::Id;
use serde::{Deserialize, Serialize};

/// One key with more than one value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    pub doc: String,
    /// The collection of the record (`visits`); for a value outside the
    /// collections, the first key of its path.
    pub collection: String,
    /// The record's key in its collection.
    pub record: String,
    /// The field's path inside the record (`date`, `agreement.status`);
    /// empty when the record itself was started on two devices.
    pub field: String,
    /// The value every device shows, as text.
    pub kept: String,
    /// The values set aside, as text.
    pub set_aside: Vec<String>,
}

impl Conflict {
    /// The record's id, when the conflict is in a record.
    pub fn record_id(&self) -> Option<Id> {
        Id::parse(&self.record)
    }

    /// The record was started on two devices (its sections were merged).
    pub fn is_start(&self) -> bool {
        self.field.is_empty() && self.record_id().is_some()
    }

    /// The field's last name (`status` of `agreement.status`): what the
    /// locale names it by.
    pub fn field_name(&self) -> &str {
        self.field.rsplit('.').next().unwrap_or(&self.field)
    }
}
