//! The inspections list: added, edited, traced.

use super::{Ctx, ListState, Rows, open_history};
use crate::app::action::Action;
use crate::app::forms;
use crate::domain::Entity;
use crate::domain::lists::{self, Query};

/// The inspections list.
#[derive(Debug, Clone, Default)]
pub struct Inspections {
    pub list: ListState,
}

impl Inspections {
    pub const ACTIONS: &'static [Action] = &[
        Action::Add,
        Action::Edit,
        Action::Filter,
        Action::History,
        Action::Delete,
        Action::Pick,
        Action::Evidence,
    ];

    pub fn rebuild(&mut self, r: &Rows<'_>) {
        let is = lists::inspections(r.model, &Query::words(&self.list.filter));
        let ids = is.into_iter().map(|i| i.id.clone()).collect();
        self.list.set_rows(ids, r.capacity);
    }

    pub fn apply(&mut self, a: Action, cx: &mut Ctx<'_>) {
        let selected = self.list.selected_id();
        match a {
            Action::Add => forms::new_inspection(cx),
            Action::Edit | Action::Select => {
                if let Some(id) = selected {
                    forms::edit_inspection(cx, id);
                }
            }
            Action::Evidence => {
                crate::app::evidence::open(cx, crate::domain::AttachedTo::Inspection, selected)
            }
            Action::History => open_history(cx, Entity::Inspection, selected),
            Action::Delete => super::delete(cx, Entity::Inspection, selected),
            Action::Pick => super::pick(cx, selected),
            _ => {}
        }
    }
}
