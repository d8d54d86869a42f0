//! `bangfu bench`: the benchmark table (see `crate::bench`).

use super::output::out;
use super::{CmdResult, Ctx, Fail};
use crate::bench::{self, Setup};
use crate::tr;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// small, city (the default) or province (takes several minutes)
    #[arg(long, default_value = "city")]
    pub scale: String,
    /// Also write the rows as JSON to this file
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Only these parts, comma-separated: interface, commands, saves, sync
    #[arg(long, value_name = "PARTS", value_delimiter = ',')]
    pub only: Vec<String>,
}

pub fn bench(ctx: &Ctx, a: BenchArgs) -> CmdResult {
    let l = ctx.lang;
    let scale = crate::demo::Scale::parse(&a.scale)
        .ok_or_else(|| Fail::said("demo.bad_scale", vec![("value", a.scale.to_string())]))?;
    let program = std::env::current_exe()
        .map_err(|e| Fail::said("bench.failed", vec![("detail", e.to_string())]))?;
    // Fresh demo data in a scratch directory, removed afterwards (never
    // the data directory of real work).
    let dir = std::env::temp_dir().join(format!("bangfu-bench-{}", std::process::id()));
    let parts = bench::parts(&a.only).map_err(|part| {
        Fail::said(
            "bench.bad_part",
            vec![("value", part), ("parts", bench::PARTS.join(", "))],
        )
    })?;
    let setup = Setup {
        program,
        dir: dir.clone(),
        scale,
        today: ctx.today,
    };
    eprintln!(
        "{}",
        tr!(
            l,
            "bench.start",
            scale = crate::i18n::text(l, &format!("bench.scale.{}", scale.word())),
            dir = dir.display().to_string()
        )
    );
    let rows = bench::run(&setup, &parts, &mut |r| {
        eprintln!("  {}: {:.2} {}", r.name, r.value, r.unit);
    });
    let _ = std::fs::remove_dir_all(&dir);
    let rows = rows.map_err(|e| Fail::said("bench.failed", vec![("detail", e.to_string())]))?;
    out(&bench::table(&rows));
    if let Some(path) = a.json {
        let text = serde_json::to_string_pretty(&bench::to_json(&rows)).unwrap_or_default();
        std::fs::write(&path, text).map_err(|e| Fail::file("store.io", &path, e))?;
    }
    Ok(())
}
