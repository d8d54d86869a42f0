//! Ctrl-Z: takes back this session's last changes, one per press, newest
//! first. A change is taken back by writing the record as it stood before
//! (a new record is deleted, a deleted one put back), through the store's
//! checks like any edit, so a locked record stays locked. A record changed
//! since (here or by a sync) is left alone: undoing would overwrite the
//! newer change.

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
}

/// The most steps kept (older ones are dropped).
const KEPT: usize = 50;

/// Notes a change just made to `id`, which stood as `before`.
pub fn note(cx: &mut Ctx<'_>, what: Entity, id: &Id, before: Option<Snapshot>) {
    let after = snapshot(cx.model(), what, id);
    if before == after {
        return;
    }
    if cx.undo.len() >= KEPT {
        cx.undo.remove(0);
    }
    cx.undo.push(Step {
        what,
        id: id.clone(),
        before,
        after,
    });
}

/// Ctrl-Z: takes back the newest change still noted.
pub fn undo(cx: &mut Ctx<'_>) {
    let lang = cx.lang;
    let Some(step) = cx.undo.pop() else {
        return cx.say(tr!(lang, "undo.nothing"));
    };
    let name = crate::present::record_name(lang, cx.model(), step.what, &step.id);
    let what = crate::i18n::entity(lang, step.what);
    if snapshot(cx.model(), step.what, &step.id) != step.after {
        return cx.say(tr!(lang, "undo.changed_since", what = what, name = name));
    }
    let id = step.id.clone();
    let result = cx.write(|w| match step.before {
        None => w.delete(step.what, &id),
        Some(Snapshot::Kindergarten(k)) => w.put_kindergarten(k).map(drop),
        Some(Snapshot::Visit(v)) => w.put_visit(v).map(drop),
        Some(Snapshot::Inspection(i)) => w.put_inspection(i).map(drop),
        Some(Snapshot::Pairing(p)) => w.restore_pairing(p),
    });
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
