//! Districts (县区): listing them with their towns, adding, correcting
//! and deleting one.

use super::output::{Table, out, print_list};
use super::{CmdResult, Ctx, Fail, FormatArg};
use crate::domain::*;
use crate::i18n;
use crate::input::parse::split_list;
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
    /// Correct a district's name or its list of towns
    Edit {
        /// District (name or id)
        district: String,
        /// The right name
        #[arg(long)]
        name: Option<String>,
        /// Add a town to its list; repeat for more
        #[arg(long = "add-town", value_name = "TOWN")]
        add_town: Vec<String>,
        /// Take a town off its list (no kindergarten may name it); repeat
        /// for more
        #[arg(long = "remove-town", value_name = "TOWN")]
        remove_town: Vec<String>,
    },
    /// Delete a district added by mistake (no kindergarten, report or
    /// member may belong to it)
    Delete {
        /// District (name or id)
        district: String,
    },
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
        DistrictCmd::Edit {
            district,
            name,
            add_town,
            remove_town,
        } => {
            let id = crate::input::parse::district(l, ws.model(), &district).map_err(Fail::line)?;
            let Some(d) = ws.model().districts.get(&id).cloned() else {
                return Err(Fail::line(district));
            };
            let name = name.unwrap_or_else(|| d.name.clone());
            let (add, remove) = (split_list(&add_town), split_list(&remove_town));
            let towns: Vec<String> = d
                .towns
                .iter()
                .filter(|t| !remove.contains(t))
                .chain(add.iter())
                .cloned()
                .collect();
            super::records::write(ctx, &mut ws, |w| w.edit_district(&id, &name, &towns))?;
            out(&tr!(
                l,
                "cli.saved",
                what = i18n::entity(l, Entity::District),
                id = id.short(),
                detail = name.as_str()
            ));
        }
        DistrictCmd::Delete { district } => {
            let id = crate::input::parse::district(l, ws.model(), &district).map_err(Fail::line)?;
            super::records::delete(ctx, &mut ws, Entity::District, &id)?;
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
