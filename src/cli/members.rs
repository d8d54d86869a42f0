//! Commands over members: who they are, revoking one, inviting a device.

use super::fields::{Fields, InviteSpec};
use super::net::*;
use super::output::{Table, out, print_list};
use super::{CmdResult, Ctx, Fail, FormatArg};
use crate::domain::access::{may_invite, within_scope};
use crate::domain::*;
use crate::i18n::{self, Lang, label};

use crate::sync::node::{self};
use crate::tr;
use clap::{Args, Subcommand};
use serde_json::json;

#[derive(Debug, Subcommand)]
pub enum MemberCmd {
    /// List members
    List(FormatArg),
    /// Revoke a member: every device that hears of it refuses theirs
    Revoke {
        /// The member's name or an id prefix
        member: String,
    },
}

#[derive(Debug, Args)]
pub struct InviteArgs {
    #[command(flatten)]
    pub fields: Fields<InviteSpec>,
}

pub(super) fn scope_text(l: Lang, m: &Model, member: &Member) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(d) = &member.district {
        parts.push(m.district_name(d));
    }
    if let Some(k) = &member.kindergarten {
        parts.push(m.kindergarten_name(k));
    }
    parts.extend(member.districts.iter().map(|d| m.district_name(d)));
    parts.join(l.sep())
}

pub fn member(ctx: &Ctx, cmd: MemberCmd) -> CmdResult {
    let l = ctx.lang;
    let format = match cmd {
        MemberCmd::List(f) => f,
        MemberCmd::Revoke { member } => return revoke(ctx, &member),
    };
    let format = ctx.format(&format)?;
    let ws = ctx.open()?;
    let m = ws.model();
    let me = this_device(ctx)?;
    let mut ms: Vec<&Member> = m.members.values().collect();
    ms.sort_by(|a, b| (a.added_on, &a.name).cmp(&(b.added_on, &b.name)));
    let table = Table {
        headers: ["id", "name", "role", "scope", "added_on", "member_status"]
            .iter()
            .map(|f| i18n::field(l, f))
            .collect(),
        rows: ms
            .iter()
            .map(|x| {
                let mut name = x.name.clone();
                if x.id == me {
                    name.push_str(&tr!(l, "sync.this_device"));
                }
                vec![
                    x.short_id().to_string(),
                    name,
                    label(l, x.role),
                    scope_text(l, m, x),
                    x.added_on.to_string(),
                    tr!(
                        l,
                        if x.revoked {
                            "sync.revoked"
                        } else {
                            "sync.active"
                        }
                    ),
                ]
            })
            .collect(),
    };
    let json = ms.iter().map(|x| json!(x)).collect();
    print_list(format, &table, json);
    Ok(())
}

/// Marks a member revoked, if this device may (the same rights as
/// inviting them); never this device itself.
pub(super) fn revoke(ctx: &Ctx, who: &str) -> CmdResult {
    let l = ctx.lang;
    let mut ws = ctx.open()?;
    let me = this_device(ctx)?;
    let target = named_peer(l, &ws, who)?;
    let model = ws.model();
    let Some(m) = model.members.get(&target.id).cloned() else {
        return Err(Fail::said(
            "sync.unknown_peer",
            vec![("peer", who.to_string())],
        ));
    };
    if m.id == me {
        return Err(Fail::said("member.not_self", vec![]));
    }
    let allowed = model
        .active_member(&me)
        .is_some_and(|x| may_invite(x, m.role) && within_scope(model, x, &m));
    if !allowed {
        return Err(Fail::said(
            "member.may_not_revoke",
            vec![("name", m.name.to_string())],
        ));
    }
    let name = m.name.clone();
    let role = label(l, m.role);
    ws.write(|w| w.put_member(Member { revoked: true, ..m }))
        .map_err(|e| ctx.edit(e))?;
    out(&tr!(l, "member.revoked", name = name.as_str(), role = role));
    Ok(())
}

pub fn invite(ctx: &Ctx, a: InviteArgs) -> CmdResult {
    let l = ctx.lang;
    let mut ws = ctx.open()?;
    let model = ws.model();
    let read = crate::input::records::invite::read(&a.fields.raw, ctx.input(model));
    let d = read.map_err(Fields::<InviteSpec>::fail)?;
    let expires = a.fields.raw.one(crate::input::records::invite::EXPIRES.key);
    let refused = |r: crate::domain::invites::InviteRefusal| {
        Fail::Invite(r, expires.unwrap_or_default().to_string())
    };
    let me = this_device(ctx)?;
    let (role, secs) = (d.role, d.expires_secs);
    let wanted = crate::domain::invites::invite_for(
        model,
        &me,
        d.role,
        d.districts,
        d.kindergarten,
        d.name,
        ctx.options().today,
    )
    .map_err(refused)?;
    let inviter = my_addr(ctx, &mut ws)?;
    let ticket = node::make_invite(ws.workspace_id(), &wanted, secs, inviter, &key(ctx)?);
    eprintln!(
        "{}",
        tr!(
            l,
            "invite.made",
            role = label(l, role),
            hours = format!("{:.0}", secs as f64 / 3600.0)
        )
    );
    out(&ticket);
    Ok(())
}
