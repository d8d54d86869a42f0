//! Demo data: realistic, clearly fictional, reproducible from a seed.
//!
//! Over the plan of the Panjin notice (`small`, `city`) or fourteen
//! fictional cities of the same shape (`province`): kindergartens in towns
//! and villages, pairings that meet every yearly target, agreements that
//! move through signing and filing, visits with Chinese notes from the
//! agreement's start until today, and inspections each term. The same seed
//! and the same "today" give the same data.

use crate::domain::plan::{self, ProgrammeSetup};
use crate::domain::*;
use crate::domain::{figures, reports};
use crate::store::{EditError, Options, Workspace, Writer};
use chrono::{Datelike, Days, NaiveDate, TimeZone};
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

mod pairing_data;
mod photos;
mod report_data;
mod visit_data;
mod words;

use pairing_data::*;
use report_data::*;
use visit_data::*;
use words::*;

/// How much demo data to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// A handful of each record.
    Small,
    /// About 60 kindergartens, every target's pairings, ≥ 5,000 visits.
    City,
    /// Fourteen cities' worth of districts, ≥ 100,000 visits.
    Province,
}

impl Scale {
    pub fn parse(s: &str) -> Option<Scale> {
        let s = s.trim().to_ascii_lowercase();
        [Scale::Small, Scale::City, Scale::Province]
            .into_iter()
            .find(|x| x.word() == s)
    }

    /// The word `--scale` takes for it.
    pub fn word(self) -> &'static str {
        match self {
            Scale::Small => "small",
            Scale::City => "city",
            Scale::Province => "province",
        }
    }

    /// Visits per pairing per month.
    fn visits_per_month(self) -> (u32, u32) {
        match self {
            Scale::Small => (0, 1),
            Scale::City => (11, 14),
            Scale::Province => (16, 20),
        }
    }
}

/// What was made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub districts: usize,
    pub kindergartens: usize,
    pub pairings: usize,
    pub visits: usize,
    pub inspections: usize,
}

struct Gen {
    rng: ChaCha8Rng,
    used_names: BTreeSet<String>,
}

impl Gen {
    fn pick<'a>(&mut self, xs: &'a [&'a str]) -> &'a str {
        xs.choose(&mut self.rng).copied().unwrap_or("")
    }

    fn person(&mut self) -> String {
        let s = self.pick(SURNAMES);
        let a = self.pick(GIVEN);
        if self.rng.random_bool(0.5) {
            let b = self.pick(GIVEN);
            format!("{s}{a}{b}")
        } else {
            format!("{s}{a}")
        }
    }

    /// A place name not used yet, ending in `suffix`.
    fn place(&mut self, prefix: &str, suffix: &str) -> String {
        loop {
            let a = self.pick(TOWN_A);
            let b = self.pick(TOWN_B);
            let name = format!("{prefix}{a}{b}{suffix}");
            if self.used_names.insert(name.clone()) {
                return name;
            }
        }
    }

    fn phone(&mut self) -> String {
        format!("0427-555{:04}", self.rng.random_range(0..10000))
    }

    fn between(&mut self, lo: i64, hi: i64) -> i64 {
        self.rng.random_range(lo..=hi)
    }
}

/// A district's kindergartens by role in the generator.
#[derive(Default)]
struct Pools {
    /// Per town: the town's central kindergarten.
    centrals: Vec<Id>,
    /// Town kindergartens (镇幼儿园), weak ones a district helps.
    towns: Vec<Id>,
    /// Village private kindergartens and points, by town index.
    villages: Vec<Vec<Id>>,
    /// Urban four/five-star kindergartens.
    urban: Vec<Id>,
}

/// Whether a district is mostly urban (区 named in the notice as urban ones).
fn is_urban(name: &str) -> bool {
    name.contains("兴隆台") || name.contains("双台子") || name.ends_with("一区")
}

/// The setup of a fictional province: fourteen cities shaped like Panjin.
fn province_setup() -> ProgrammeSetup {
    let base = plan::panjin();
    let mut districts = Vec::new();
    let mut targets = Vec::new();
    for city in CITY_NAMES {
        let names = [
            format!("{city}市北县"),
            format!("{city}市一区"),
            format!("{city}市南区"),
            format!("{city}市东区"),
        ];
        for (i, n) in names.iter().enumerate() {
            districts.push(n.clone());
            for (year, d, h, k) in &base.targets {
                if base.districts.iter().position(|x| x == d) == Some(i) {
                    targets.push((*year, n.clone(), *h, *k));
                }
            }
        }
    }
    ProgrammeSetup {
        programme: Programme {
            name: "辽河省（虚构）农村幼儿园帮扶工作".into(),
            city: "辽河省（虚构）".into(),
            ..base.programme
        },
        districts,
        years: base
            .years
            .iter()
            .map(|y| YearPlan {
                stated_total: y.stated_total.map(|n| n * CITY_NAMES.len() as i64),
                ..y.clone()
            })
            .collect(),
        targets,
    }
}

/// Creates a workspace in `dir` and fills it. Fails if one exists there.
pub fn create(dir: &Path, scale: Scale, seed: u64, options: Options) -> Result<Summary, EditError> {
    let setup = match scale {
        Scale::Province => province_setup(),
        _ => plan::panjin(),
    };
    let today = options.today;
    let bulk = Options {
        auto_compact: false,
        ..options
    };
    let mut ws = Workspace::init_with_ids(dir, &setup, bulk, Some(seed))?;
    let summary = fill(&mut ws, scale, seed, today)?;
    photos::attach(&mut ws)?;
    ws.compact_all()?;
    ws.vacuum()?;
    Ok(summary)
}

fn millis(d: NaiveDate, hour: u32) -> i64 {
    d.and_hms_opt(hour, 0, 0)
        .and_then(|t| chrono::Local.from_local_datetime(&t).single())
        .map(|t| t.timestamp_millis())
        .unwrap_or(0)
}

/// Fills an existing workspace (its districts and targets) with demo data.
pub fn fill(
    ws: &mut Workspace,
    scale: Scale,
    seed: u64,
    today: NaiveDate,
) -> Result<Summary, EditError> {
    ws.seed_ids(seed.wrapping_add(1));
    let mut g = Gen {
        rng: ChaCha8Rng::seed_from_u64(seed),
        used_names: BTreeSet::new(),
    };
    ws.write(|w| {
        let start_year = w.model().programme.start_year;
        w.set_time(Some(millis(
            NaiveDate::from_ymd_opt(start_year, 9, 1).unwrap_or(today),
            9,
        )));
        let districts: Vec<(Id, String)> = w
            .model()
            .districts
            .values()
            .map(|d| (d.id.clone(), d.name.clone()))
            .collect();
        let mut pools = BTreeMap::new();
        for (id, name) in &districts {
            pools.insert(id.clone(), kindergartens(w, &mut g, scale, id, name)?);
        }
        let pairings = pairings(w, &mut g, scale, &districts, &pools, today)?;
        let (visits, inspections) = visits_and_inspections(w, &mut g, scale, &pairings, today)?;
        reports(w, &mut g, today)?;
        w.set_time(None);
        w.set_today(today);
        Ok(Summary {
            districts: districts.len(),
            kindergartens: w.model().kindergartens().count(),
            pairings: pairings.len(),
            visits,
            inspections,
        })
    })
}

/// What the generator decides about a kindergarten; the rest is drawn.
struct Spec<'a> {
    name: String,
    town: &'a str,
    village: &'a str,
    ownership: Ownership,
    category: Category,
    stars: Option<i64>,
}

fn new_kg(w: &mut Writer<'_>, g: &mut Gen, district: &Id, spec: Spec<'_>) -> Result<Id, EditError> {
    let Spec {
        name,
        town,
        village,
        ownership,
        category,
        stars,
    } = spec;
    let size = match category {
        Category::UrbanQuality => (200, 420),
        Category::TownCentral => (120, 300),
        Category::Town => (60, 160),
        Category::Village => (20, 70),
        Category::VillagePoint => (8, 25),
    };
    let children = g.between(size.0, size.1);
    let k = Kindergarten {
        id: w.new_id(),
        name,
        district_id: district.clone(),
        town: town.to_string(),
        village: village.to_string(),
        ownership,
        category,
        stars,
        rural: category != Category::UrbanQuality,
        children,
        teachers: (children / 12).max(1),
        contact: format!("{}园长", g.pick(SURNAMES)),
        phone: g.phone(),
    };
    w.put_kindergarten(k)
}

fn kindergartens(
    w: &mut Writer<'_>,
    g: &mut Gen,
    scale: Scale,
    district: &Id,
    name: &str,
) -> Result<Pools, EditError> {
    let urban = is_urban(name);
    let n_towns = match (scale, urban) {
        (Scale::Small, true) => 1,
        (Scale::Small, false) => 2,
        (_, true) => 2,
        (_, false) if is_big(name) => 7,
        (_, false) => 4,
    };
    let mut pools = Pools::default();
    let n_urban = match (scale, urban) {
        (Scale::Small, true) => 1,
        (_, true) => 3,
        (_, false) => 0,
    };
    for (i, label) in ["第一", "实验", "机关"].iter().take(n_urban).enumerate() {
        let id = new_kg(
            w,
            g,
            district,
            Spec {
                name: format!("{name}{label}幼儿园"),
                town: "",
                village: "",
                ownership: Ownership::Public,
                category: Category::UrbanQuality,
                stars: Some(if i == 0 { 5 } else { 4 }),
            },
        )?;
        pools.urban.push(id);
    }
    let prefix = if scale == Scale::Province {
        name.chars().take(2).collect::<String>()
    } else {
        String::new()
    };
    let town = Town {
        district,
        prefix: &prefix,
        scale,
        urban,
    };
    for t in 0..n_towns {
        town.add(w, g, t, &mut pools)?;
    }
    Ok(pools)
}

/// One town of a district: what the generator knows before drawing it.
struct Town<'a> {
    district: &'a Id,
    /// Put before drawn place names (province scale), or empty.
    prefix: &'a str,
    scale: Scale,
    urban: bool,
}

impl Town<'_> {
    /// Draws the `t`-th town: its central kindergarten, a second town
    /// kindergarten (rural districts), its village kindergartens and
    /// sometimes a village teaching point.
    fn add(
        &self,
        w: &mut Writer<'_>,
        g: &mut Gen,
        t: usize,
        pools: &mut Pools,
    ) -> Result<(), EditError> {
        let (district, prefix, urban) = (self.district, self.prefix, self.urban);
        let town = g.place(prefix, "镇");
        let stars = g.between(4, 5);
        pools.centrals.push(new_kg(
            w,
            g,
            district,
            Spec {
                name: format!("{town}中心幼儿园"),
                town: &town,
                village: "",
                ownership: Ownership::Public,
                category: Category::TownCentral,
                stars: Some(stars),
            },
        )?);
        if !urban {
            let own = if g.rng.random_bool(0.5) {
                Ownership::Public
            } else {
                Ownership::InclusivePrivate
            };
            let stars = g.between(2, 3);
            pools.towns.push(new_kg(
                w,
                g,
                district,
                Spec {
                    name: format!("{town}第二幼儿园"),
                    town: &town,
                    village: "",
                    ownership: own,
                    category: Category::Town,
                    stars: Some(stars),
                },
            )?);
        }
        pools.villages.push(self.villages(w, g, &town, t)?);
        Ok(())
    }

    /// The `t`-th town's village kindergartens (and every third town of a
    /// rural district, a village teaching point).
    fn villages(
        &self,
        w: &mut Writer<'_>,
        g: &mut Gen,
        town: &str,
        t: usize,
    ) -> Result<Vec<Id>, EditError> {
        let (district, prefix, scale, urban) = (self.district, self.prefix, self.scale, self.urban);
        let n_villages = if scale == Scale::Small || urban { 1 } else { 2 };
        let mut vs = Vec::new();
        for v in 0..n_villages {
            let village = g.place(prefix, "村");
            let own = if v % 2 == 0 {
                Ownership::Private
            } else {
                Ownership::InclusivePrivate
            };
            vs.push(new_kg(
                w,
                g,
                district,
                Spec {
                    name: format!("{village}幼儿园"),
                    town,
                    village: &village,
                    ownership: own,
                    category: Category::Village,
                    stars: None,
                },
            )?);
        }
        if scale != Scale::Small && !urban && t % 3 == 2 {
            let village = g.place(prefix, "屯");
            vs.push(new_kg(
                w,
                g,
                district,
                Spec {
                    name: format!("{village}幼儿园园点"),
                    town,
                    village: &village,
                    ownership: Ownership::Private,
                    category: Category::VillagePoint,
                    stars: None,
                },
            )?);
        }
        Ok(vs)
    }
}

/// The district that takes one cross-region pairing a year: the largest
/// rural one (大洼区 in Panjin, each fictional city's 南区).
fn is_big(name: &str) -> bool {
    name.contains("大洼") || name.ends_with("南区")
}
