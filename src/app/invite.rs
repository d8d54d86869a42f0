//! Inviting a device from the sync screen: a form for the role and its
//! scope, then the signed ticket on screen and in a file, to pass on.

use super::Unsaved;
use super::ctx::Ctx;
use super::dialog::Dialog;
use super::form::{Field, Form, FormKind, Opt};
use crate::domain::invites::{self, InviteRefusal};
use crate::domain::*;
use crate::i18n::{self, label};
use crate::sync::node;
use crate::tr;

/// a on the sync screen: who to invite.
pub fn open_form(cx: &mut Ctx<'_>) {
    let lang = cx.lang;
    let m = cx.model();
    let f = |k: &str| i18n::field(lang, k);
    let none = Opt::new("", tr!(lang, "common.none"));
    let roles = MemberRole::ALL
        .iter()
        .map(|r| Opt::new(r.code(), label(lang, *r)))
        .collect();
    let districts = std::iter::once(none.clone())
        .chain(
            m.districts_in_order()
                .iter()
                .map(|d| Opt::new(d.id.as_str(), d.name.clone())),
        )
        .collect();
    let kindergartens = std::iter::once(none)
        .chain(super::forms::kindergarten_opts(m))
        .collect();
    let form = Form::new(
        FormKind::Invite,
        tr!(lang, "form.invite"),
        vec![
            Field::choice("role", f("role"), roles, "kindergarten"),
            Field::choice("district", f("district"), districts, ""),
            Field::choice("kindergarten", f("kindergarten"), kindergartens, ""),
            Field::line("name", f("member_name_new"), ""),
            Field::line("expires", f("expires"), "72h"),
        ],
    );
    cx.open(Dialog::Form(Box::new(form)));
}

/// Makes the ticket; a refusal stays in the form by its field.
pub fn submit(cx: &mut Ctx<'_>, form: &mut Form) -> Result<(), Unsaved> {
    let lang = cx.lang;
    let expires = form.text("expires");
    let refuse = |form: &mut Form, r: InviteRefusal| {
        let msg = i18n::invite_refusal(lang, &r, &expires);
        let field = match r {
            InviteRefusal::NeedsScope { what: Some(w), .. } => w,
            InviteRefusal::NeedsScope { what: None, .. } => "district",
            InviteRefusal::RoleMayNot { .. } => "role",
            InviteRefusal::BadExpiry => "expires",
            InviteRefusal::OutOfScope | InviteRefusal::NotAMember => "",
        };
        if !form.set_error(field, msg.clone()) {
            form.message = Some(msg);
        }
        Err(Unsaved::Shown)
    };
    let Some(secs) = crate::input::duration_secs(&expires) else {
        return refuse(form, InviteRefusal::BadExpiry);
    };
    let Some(role) = MemberRole::from_code(&form.choice("role")) else {
        return Err(Unsaved::Shown);
    };
    let districts: Vec<Id> = Id::parse(&form.choice("district")).into_iter().collect();
    let kindergarten = Id::parse(&form.choice("kindergarten"));
    let name = Some(form.text("name")).filter(|n| !n.is_empty());
    let key = match crate::identity::load(cx.data_dir) {
        Ok(Some(k)) => k,
        _ => return refuse(form, InviteRefusal::NotAMember),
    };
    let me = crate::identity::endpoint_hex(&key);
    let today = cx.today();
    let wanted =
        match invites::invite_for(cx.model(), &me, role, districts, kindergarten, name, today) {
            Ok(w) => w,
            Err(r) => return refuse(form, r),
        };
    // The background sync knows this device's addresses; without it,
    // they are listed now (a local call, no network).
    let running = cx.sync.and_then(|a| a.status().me);
    let inviter = match running {
        Some(a) => a,
        None => match node::own_addr_blocking(cx.ws, &key) {
            Ok(a) => a,
            Err(e) => {
                form.message = Some(i18n::sync_error(lang, &e));
                return Err(Unsaved::Shown);
            }
        },
    };
    let ticket = node::make_invite(cx.ws.workspace_id(), &wanted, secs, inviter, &key);
    // Also in a file: a ticket is long to copy off a screen.
    let who = if wanted.name.is_empty() {
        label(lang, role)
    } else {
        wanted.name.clone()
    };
    let path = cx
        .export_dir
        .join(format!("invite-{}.txt", crate::present::file_stem(&who)));
    let saved = std::fs::create_dir_all(cx.export_dir)
        .and_then(|()| crate::export::write_file_atomically(&path, ticket.as_bytes()));
    let hours = format!("{:.0}", secs as f64 / 3600.0);
    cx.open(Dialog::Ticket {
        title: tr!(lang, "invite.made", role = label(lang, role), hours = hours),
        ticket,
        path: saved.ok().map(|()| path.display().to_string()),
    });
    Ok(())
}
