//! Correcting a district from the overview (`D`): its name and its list
//! of towns, or deleting one added by mistake. The same writes as
//! `bangfu district edit|delete`.

use super::Unsaved;
use super::action::Action;
use super::ctx::Ctx;
use super::dialog::Dialog;
use super::form::{Field, Form, FormKind, Opt};
use crate::domain::authz::{self, Target, Write};
use crate::domain::{Entity, Id, Model};
use crate::i18n::{self, Lang};
use crate::input::parse::split_list;
use crate::tr;

const DISTRICT: &str = "district";
const NAME: &str = "name";
const TOWNS: &str = "towns";
const DELETE: &str = "delete_district";

/// The districts this member may correct, in the programme's order.
fn editable(cx: &Ctx<'_>) -> Vec<Opt> {
    let me = cx.member();
    cx.model()
        .districts_in_order()
        .iter()
        .filter(|d| {
            let target = Target::district(&d.id);
            authz::check(me.as_ref(), Write::EditDistrict, &target, None).is_empty()
        })
        .map(|d| Opt::new(d.id.as_str(), d.name.clone()))
        .collect()
}

/// `D` on the overview: the form, on the first district this member may
/// correct.
pub fn open(cx: &mut Ctx<'_>) {
    let lang = cx.lang;
    let opts = editable(cx);
    let first = opts.first().and_then(|o| Id::parse(&o.value));
    let Some(d) = first.and_then(|id| cx.model().districts.get(&id).cloned()) else {
        return cx.say(tr!(lang, "district.none_editable"));
    };
    let field = |k: &str| i18n::field(lang, k);
    let fields = vec![
        Field::choice(DISTRICT, field(DISTRICT), opts, d.id.as_str()),
        Field::line(NAME, field(NAME), &d.name),
        Field::line(TOWNS, field(TOWNS), &d.towns.join(lang.sep()))
            .listing(lang.sep())
            .hinted(tr!(lang, "district.towns_hint")),
        Field::toggle(DELETE, field(DELETE), false),
    ];
    let form = Form::new(FormKind::District, tr!(lang, "form.district"), fields);
    cx.open(Dialog::Form(Box::new(form)));
}

/// Another district chosen: its name and towns fill the form.
pub fn follow(form: &mut Form, changed: &str, m: &Model, lang: Lang) {
    if changed != DISTRICT {
        return;
    }
    let chosen = Id::parse(&form.choice(DISTRICT));
    let Some(d) = chosen.and_then(|id| m.districts.get(&id)) else {
        return;
    };
    form.set_text(NAME, &d.name);
    form.set_text(TOWNS, &d.towns.join(lang.sep()));
}

/// Ctrl-S: saves the name and towns, or, with "delete" on, asks once and
/// then deletes the district.
pub fn submit(cx: &mut Ctx<'_>, form: &mut Form) -> Result<(), Unsaved> {
    let lang = cx.lang;
    let Some(id) = Id::parse(&form.choice(DISTRICT)) else {
        return Err(Unsaved::Shown);
    };
    let what = i18n::entity(lang, Entity::District);
    if form.toggle(DELETE) {
        let name = cx.model().districts.get(&id).map(|d| d.name.clone());
        let name = name.unwrap_or_default();
        let key = cx.keymap.primary_in_form(Action::Save);
        let step = tr!(
            lang,
            "confirm.delete",
            what = what.as_str(),
            name = name.as_str()
        );
        let ask = tr!(lang, "confirm.again_in_form", key = key, what = step);
        if !form.ask_once(ask) {
            return Err(Unsaved::Shown);
        }
        cx.write(|w| w.delete(Entity::District, &id))?;
        cx.say(tr!(lang, "tui.deleted", what = what, name = name));
        return Ok(());
    }
    let name = form.text(NAME);
    let towns = split_list(&[form.text(TOWNS)]);
    cx.write(|w| w.edit_district(&id, &name, &towns))?;
    let said = tr!(
        lang,
        "cli.saved",
        what = what,
        id = id.short(),
        detail = name
    );
    cx.say(said);
    Ok(())
}
