//! Ctrl-Z: takes back this session's last changes, one per press, newest
//! first. A change is taken back by writing the record as it stood before
//! (a new record is deleted, a deleted one put back), through the store's
//! checks like any edit, so a locked record stays locked. A record changed
//! since (here or by a sync) is left alone: undoing would overwrite the
//! newer change. The records of one import are one step: taken back
//! together, in one write.

use super::ctx::Ctx;
use super::screens::Screen;
use crate::domain::*;
use crate::tr;

/// A record as undo keeps it.
#[derive(Debug, Clone, PartialEq)]
pub enum Snapshot {
    Kindergarten(Kindergarten),
    Pairing(Pairing),
    Visit(Visit),
    Inspection(Inspection),
}

/// The record `id` of kind `what` as the model holds it now.
pub fn snapshot(m: &Model, what: Entity, id: &Id) -> Option<Snapshot> {
    match what {
        Entity::Kindergarten => m.kindergarten(id).cloned().map(Snapshot::Kindergarten),
        Entity::Pairing => m.pairing(id).cloned().map(Snapshot::Pairing),
        Entity::Visit => m.visit(id).cloned().map(Snapshot::Visit),
        Entity::Inspection => m.inspection(id).cloned().map(Snapshot::Inspection),
        _ => None,
    }
}

/// One change of this session: the record before and after it.
#[derive(Debug, Clone)]
pub struct Step {
    pub what: Entity,
    pub id: Id,
    pub before: Option<Snapshot>,
    pub after: Option<Snapshot>,
    /// Made by the same action as the step before it (an import): taken
    /// back with it.
    pub with_before: bool,
}

/// The most actions kept (older ones are dropped, each whole).
const KEPT: usize = 50;

/// Notes a change just made to `id`, which stood as `before`.
pub fn note(cx: &mut Ctx<'_>, what: Entity, id: &Id, before: Option<Snapshot>) {
    note_joined(cx, what, id, before, false);
}

/// Notes a change, made by the same action as the one noted before it
/// when `with_before`.
pub fn note_joined(
    cx: &mut Ctx<'_>,
    what: Entity,
    id: &Id,
    before: Option<Snapshot>,
    with_before: bool,
) {
    let after = snapshot(cx.model(), what, id);
    if before == after {
        return;
    }
    let actions = cx.undo.iter().filter(|s| !s.with_before).count();
    if !with_before && actions >= KEPT {
        // The oldest action, with every step of it.
        let end = cx
            .undo
            .iter()
            .skip(1)
            .position(|s| !s.with_before)
            .map_or(cx.undo.len(), |i| i.saturating_add(1));
        cx.undo.drain(..end);
    }
    cx.undo.push(Step {
        what,
        id: id.clone(),
        before,
        after,
        with_before,
    });
}

/// Takes the newest action's steps off the list, newest first.
fn newest_action(steps: &mut Vec<Step>) -> Vec<Step> {
    let mut taken = Vec::new();
    while let Some(s) = steps.pop() {
        let more = s.with_before;
        taken.push(s);
        if !more {
            break;
        }
    }
    taken
}

/// Ctrl-Z: takes back the newest change still noted.
pub fn undo(cx: &mut Ctx<'_>) {
    let lang = cx.lang;
    let mut steps = newest_action(cx.undo);
    if steps.len() > 1 {
        return undo_many(cx, steps);
    }
    let Some(step) = steps.pop() else {
        return cx.say(tr!(lang, "undo.nothing"));
    };
    let name = crate::present::record_name(lang, cx.model(), step.what, &step.id);
    let what = crate::i18n::entity(lang, step.what);
    if snapshot(cx.model(), step.what, &step.id) != step.after {
        return cx.say(tr!(lang, "undo.changed_since", what = what, name = name));
    }
    let result = cx.write(|w| take_back(w, &step));
    match result {
        Ok(()) => {
            let name = crate::present::record_name(lang, cx.model(), step.what, &step.id);
            cx.say(tr!(lang, "undo.done", what = what, name = name));
            if let Some(screen) = Screen::of_entity(step.what) {
                cx.asked.select = Some((screen, step.id));
            }
        }
        Err(why) => cx.say_unsaved(why),
    }
}

/// Writes a step's record as it stood before.
fn take_back(w: &mut crate::store::Writer<'_>, step: &Step) -> Result<(), crate::store::EditError> {
    match step.before.clone() {
        None => w.delete(step.what, &step.id),
        Some(Snapshot::Kindergarten(k)) => w.put_kindergarten(k).map(drop),
        Some(Snapshot::Visit(v)) => w.put_visit(v).map(drop),
        Some(Snapshot::Inspection(i)) => w.put_inspection(i).map(drop),
        Some(Snapshot::Pairing(p)) => w.restore_pairing(p),
    }
}

/// Takes back every step of one action (an import) in one write; records
/// changed since are left alone and counted.
fn undo_many(cx: &mut Ctx<'_>, steps: Vec<Step>) {
    let lang = cx.lang;
    let todo: Vec<&Step> = steps
        .iter()
        .filter(|s| snapshot(cx.model(), s.what, &s.id) == s.after)
        .collect();
    let changed = steps.len().saturating_sub(todo.len());
    let result = cx.write(|w| todo.iter().try_for_each(|s| take_back(w, s)));
    let count = todo.len();
    match result {
        Ok(()) if changed == 0 => cx.say(tr!(lang, "undo.done_many", count = count)),
        Ok(()) => cx.say(tr!(
            lang,
            "undo.done_many_changed",
            count = count,
            changed = changed
        )),
        Err(why) => {
            // Nothing was taken back: the action stays to be undone.
            cx.undo.extend(steps.into_iter().rev());
            cx.say_unsaved(why);
        }
    }
}
