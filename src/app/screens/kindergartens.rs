//! The kindergartens list: added, edited, traced.

use super::{Ctx, ListState, Rows, open_history};
use crate::app::action::Action;
use crate::app::forms;
use crate::domain::Entity;
use crate::domain::lists::{self, Query};

/// The kindergartens list.
#[derive(Debug, Clone, Default)]
pub struct Kindergartens {
    pub list: ListState,
}

impl Kindergartens {
    pub const ACTIONS: &'static [Action] = &[
        Action::Add,
        Action::Edit,
        Action::Select,
        Action::Filter,
        Action::History,
        Action::Delete,
        Action::Pick,
        Action::Import,
    ];

    pub fn rebuild(&mut self, r: &Rows<'_>) {
        let ks = lists::kindergartens(r.model, &Query::words(&self.list.filter));
        let ids = ks.into_iter().map(|k| k.id.clone()).collect();
        self.list.set_rows(ids, r.capacity);
    }

    pub fn apply(&mut self, a: Action, cx: &mut Ctx<'_>) {
        let selected = self.list.selected_id();
        match a {
            Action::Add => forms::new_kindergarten(cx),
            Action::Edit | Action::Select => {
                if let Some(id) = selected {
                    forms::edit_kindergarten(cx, id);
                }
            }
            Action::History => open_history(cx, Entity::Kindergarten, selected),
            Action::Delete => super::delete(cx, Entity::Kindergarten, selected),
            Action::Pick => super::pick(cx, selected),
            Action::Import => crate::app::import::open_form(cx),
            _ => {}
        }
    }
}
