//! Districts (县区): listing them with their towns, adding one.

use super::output::{Table, out, print_list};
use super::{CmdResult, Ctx, FormatArg};
use crate::domain::*;
use crate::i18n;
use crate::tr;
use clap::Subcommand;
use serde_json::json;

#[derive(Debug, Subcommand)]
pub enum DistrictCmd {
    /// List districts and their towns
    List {
        #[command(flatten)]
        format: FormatArg,
    },
    /// Add a district
    Add { name: String },
}

pub fn district(ctx: &Ctx, cmd: DistrictCmd) -> CmdResult {
    let l = ctx.lang;
    let mut ws = ctx.open()?;
    match cmd {
        DistrictCmd::Add { name } => {
            let id = ws
                .write(|w| w.add_district(&name))
                .map_err(|e| ctx.edit(e))?;
            out(&tr!(
                l,
                "cli.saved",
                what = i18n::entity(l, Entity::District),
                id = id.short(),
                detail = name.as_str()
            ));
        }
        DistrictCmd::List { format } => {
            let format = ctx.format(&format)?;
            let model = ws.model();
            let ds = model.districts_in_order();
            let count = |d: &District| model.data.get(&d.id).map_or(0, |x| x.kindergartens.len());
            let table = Table {
                headers: ["id", "name", "kindergartens", "towns"]
                    .iter()
                    .map(|f| i18n::field(l, f))
                    .collect(),
                rows: ds
                    .iter()
                    .map(|d| {
                        vec![
                            d.id.short().to_string(),
                            d.name.clone(),
                            count(d).to_string(),
                            d.towns.join(l.sep()),
                        ]
                    })
                    .collect(),
            };
            let json = ds
                .iter()
                .map(|d| json!({"id": d.id, "name": d.name, "towns": d.towns, "kindergartens": count(d)}))
                .collect();
            print_list(format, &table, json);
        }
    }
    Ok(())
}
