//! The pairings and their agreements' steps: sign, confirm (asks which
//! bureau), file; Enter opens a pairing's visit log.

use super::{Ctx, ListState, Rows, open_history};
use crate::app::action::Action;
use crate::app::ctx::Go;
use crate::app::forms;
use crate::domain::lists::{self, Query};
use crate::domain::*;
use crate::tr;

/// The pairings list.
#[derive(Debug, Clone, Default)]
pub struct Pairings {
    pub list: ListState,
}

impl Pairings {
    pub const ACTIONS: &'static [Action] = &[
        Action::Add,
        Action::Edit,
        Action::Sign,
        Action::Confirm,
        Action::File,
        Action::Select,
        Action::Filter,
        Action::History,
        Action::Delete,
        Action::Pick,
        Action::Evidence,
    ];

    pub fn rebuild(&mut self, r: &Rows<'_>) {
        let ps = lists::pairings(r.model, &Query::words(&self.list.filter));
        let ids = ps.into_iter().map(|p| p.id.clone()).collect();
        self.list.set_rows(ids, r.capacity);
    }

    pub fn apply(&mut self, a: Action, cx: &mut Ctx<'_>) {
        let selected = self.list.selected_id();
        match a {
            Action::Add => forms::new_pairing(cx),
            Action::Edit => {
                if let Some(id) = selected {
                    forms::edit_agreement(cx, id);
                }
            }
            Action::Select => {
                if let Some(id) = selected {
                    cx.asked.go = Some(Go::VisitsOf(id.clone()));
                }
            }
            Action::Evidence => crate::app::evidence::open(cx, AttachedTo::Pairing, selected),
            Action::History => open_history(cx, Entity::Pairing, selected),
            // Signing and filing cannot be undone: asked first.
            Action::Sign | Action::File => {
                if let Some(id) = selected.cloned() {
                    let what = what_happens(cx, a, &id);
                    if cx.confirmed(a, &id, what) {
                        step(cx, a, &id);
                    }
                }
            }
            // Confirming asks which bureau, in a form.
            Action::Confirm => {
                if let Some(id) = selected.cloned() {
                    step(cx, a, &id);
                }
            }
            Action::Delete => super::delete(cx, Entity::Pairing, selected),
            Action::Pick => super::pick(cx, selected),
            _ => {}
        }
    }
}

/// What signing or filing the pairing's agreement will do, in words.
fn what_happens(cx: &Ctx<'_>, a: Action, id: &Id) -> String {
    let m = cx.model();
    let pairing = m
        .pairing(id)
        .map(|p| crate::present::pairing_label(m, cx.lang, p))
        .unwrap_or_default();
    let key = if a == Action::File {
        "confirm.file"
    } else {
        "confirm.sign"
    };
    tr!(cx.lang, key, pairing = pairing)
}

/// Sign or file the agreement; confirming asks which bureau.
fn step(cx: &mut Ctx<'_>, step: Action, id: &Id) {
    let stamp = cx.stamp();
    let result = match step {
        Action::Sign => cx.write(|w| w.sign(id, stamp)),
        Action::File => cx.write(|w| w.file(id, stamp)),
        _ => return forms::confirm_agreement(cx, id),
    };
    match result {
        Ok(()) => {
            let status = cx
                .model()
                .pairing(id)
                .map(|p| crate::i18n::label(cx.lang, p.agreement.status))
                .unwrap_or_default();
            let said = tr!(cx.lang, "tui.agreement_now", status = status);
            cx.say(said);
        }
        Err(why) => cx.say_unsaved(why),
    }
}
