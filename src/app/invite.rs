//! Inviting a device from the sync screen: a form of the invite's fields
//! (`input::records::invite`, the command line's `invite` options), then
//! the signed ticket on screen and in a file, to pass on.

use super::Unsaved;
use super::ctx::Ctx;
use super::dialog::Dialog;
use super::form::{Form, FormKind};
use super::forms::{open_spec_form, read_form};
use crate::domain::invites::{self, InviteRefusal};
use crate::i18n::{self, label};
use crate::input::Raw;
use crate::input::records::invite;
use crate::sync::node;
use crate::tr;

/// a on the sync screen: who to invite.
pub fn open_form(cx: &mut Ctx<'_>) {
    let title = tr!(cx.lang, "form.invite");
    open_spec_form(cx, FormKind::Invite, title, invite::FIELDS, &Raw::new());
}

/// Makes the ticket; a refusal stays in the form by its field.
pub fn submit(cx: &mut Ctx<'_>, form: &mut Form) -> Result<(), Unsaved> {
    let lang = cx.lang;
    let d = read_form(cx, form, invite::read)?;
    let expires = form.text(invite::EXPIRES.key);
    let refuse = |form: &mut Form, r: InviteRefusal| {
        let msg = i18n::invite_refusal(lang, &r, &expires);
        let field = match r {
            InviteRefusal::NeedsScope { what: Some(w), .. } => w,
            InviteRefusal::NeedsScope { what: None, .. } => invite::DISTRICTS.key,
            InviteRefusal::RoleMayNot { .. } => invite::ROLE.key,
            InviteRefusal::BadExpiry => invite::EXPIRES.key,
            InviteRefusal::OutOfScope | InviteRefusal::NotAMember => "",
        };
        if !form.set_error(field, msg.clone()) {
            form.message = Some(msg);
        }
        Err(Unsaved::Shown)
    };
    let key = match crate::identity::load(cx.data_dir) {
        Ok(Some(k)) => k,
        _ => return refuse(form, InviteRefusal::NotAMember),
    };
    let me = crate::identity::endpoint_hex(&key);
    let (role, secs) = (d.role, d.expires_secs);
    let wanted = match invites::invite_for(
        cx.model(),
        &me,
        d.role,
        d.districts,
        d.kindergarten,
        d.name,
        cx.today(),
    ) {
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
