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
        match s.trim().to_ascii_lowercase().as_str() {
            "small" => Some(Scale::Small),
            "city" => Some(Scale::City),
            "province" => Some(Scale::Province),
            _ => None,
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

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭",
];
const GIVEN: &[&str] = &[
    "丽", "静", "敏", "燕", "娟", "霞", "红", "艳", "芳", "玲", "晓", "雪", "梅", "婷", "慧", "颖",
    "佳", "欣", "悦", "宁",
];
const TOWN_A: &[&str] = &[
    "东", "西", "南", "北", "新", "安", "平", "兴", "和", "永", "红", "青", "石", "柳", "榆", "荣",
    "丰", "胜", "古", "清",
];
const TOWN_B: &[&str] = &[
    "河", "桥", "岭", "屯", "堡", "庄", "台", "沟", "旺", "林", "泉", "湾",
];
const CITY_NAMES: &[&str] = &[
    "辽河", "松岭", "白鹭", "金湾", "青峰", "玉泉", "北川", "临海", "长岗", "云溪", "望平", "凌江",
    "石门", "芦花",
];
const TOPICS: &[&str] = &[
    "区域游戏材料投放",
    "一日生活常规",
    "幼小衔接",
    "户外自主游戏",
    "绘本阅读",
    "安全管理制度",
    "家园共育",
    "园本教研计划",
    "乡土资源课程",
    "保育员岗位培训",
    "教师观察记录",
    "环境创设",
];
const ACTIVITIES: &[&str] = &[
    "示范课观摩与研讨",
    "专题讲座",
    "现场诊断与指导",
    "集体备课",
    "案例分析",
    "半日活动跟岗",
];
const OBSERVATIONS: &[&str] = &[
    "被帮扶园教师认真记录，积极提问，对材料分层投放有了新的认识",
    "活动中发现部分班级作息安排过满，幼儿自主游戏时间不足",
    "园长表示将把本次研讨成果纳入下学期园本教研计划",
    "教师们结合本园实际，尝试利用玉米秸秆、稻草等乡土材料设计游戏",
    "现场查看了食堂、午睡室和户外场地，提出了安全隐患整改建议",
    "双方教师围绕一个游戏案例展开讨论，气氛热烈",
];
const NEXT_STEPS: &[&str] = &[
    "下月再次入园跟进落实情况",
    "由帮扶园提供一套区域活动方案供参考",
    "被帮扶园选派两名教师到帮扶园跟岗一周",
    "通过网络平台每两周开展一次线上教研",
    "整理本次活动照片和记录，报县区教育局备案",
];
const FINDINGS: &[&str] = &[
    "帮扶协议执行情况良好，活动记录完整。",
    "部分活动记录缺少被帮扶园确认。",
    "玩教具配备仍不足，图画书数量偏少。",
    "教师培训覆盖面有待扩大。",
    "镇村一体化管理制度已建立，尚需落实。",
];
const GUIDANCE: &[&str] = &[
    "建议帮扶双方每月至少开展一次入园指导。",
    "请被帮扶园建立活动档案，及时确认每次活动。",
    "结合乡土资源完善区域游戏材料。",
    "下学期重点提升保育教育质量。",
];

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
    let mut ws = Workspace::init_with_ids(dir, &setup, options, Some(seed))?;
    let summary = fill(&mut ws, scale, seed, today)?;
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
        (_, false) if name.contains("大洼") || name.ends_with("南区") => 7,
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
    for t in 0..n_towns {
        let town = g.place(&prefix, "镇");
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
        let n_villages = if scale == Scale::Small || urban { 1 } else { 2 };
        let mut vs = Vec::new();
        for v in 0..n_villages {
            let village = g.place(&prefix, "村");
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
                    town: &town,
                    village: &village,
                    ownership: own,
                    category: Category::Village,
                    stars: None,
                },
            )?);
        }
        if scale != Scale::Small && !urban && t % 3 == 2 {
            let village = g.place(&prefix, "屯");
            vs.push(new_kg(
                w,
                g,
                district,
                Spec {
                    name: format!("{village}幼儿园园点"),
                    town: &town,
                    village: &village,
                    ownership: Ownership::Private,
                    category: Category::VillagePoint,
                    stars: None,
                },
            )?);
        }
        pools.villages.push(vs);
    }
    Ok(pools)
}

/// Makes each year's pairings to meet each district's target.
fn pairings(
    w: &mut Writer<'_>,
    g: &mut Gen,
    scale: Scale,
    districts: &[(Id, String)],
    pools: &BTreeMap<Id, Pools>,
    today: NaiveDate,
) -> Result<Vec<Id>, EditError> {
    let mut out = Vec::new();
    let mut paired: BTreeSet<Id> = BTreeSet::new();
    let years: Vec<i32> = w.model().years.keys().copied().collect();
    // Urban helpers of the whole programme, for cross-region pairings.
    let all_urban: Vec<(Id, Id)> = pools
        .iter()
        .flat_map(|(d, p)| p.urban.iter().map(move |u| (d.clone(), u.clone())))
        .collect();
    for year in years {
        let start = NaiveDate::from_ymd_opt(year, 9, 26).unwrap_or(today);
        if start > today {
            continue;
        }
        for (district, dname) in districts {
            let Some(t) = w.model().targets.get(&(year, district.clone())).cloned() else {
                continue;
            };
            let (mut h, mut k) = (t.helpers, t.helped);
            if scale == Scale::Small {
                h = h.min(1);
                k = k.min(1);
            }
            let Some(pool) = pools.get(district) else {
                continue;
            };
            let mut used_helpers: BTreeSet<Id> = BTreeSet::new();
            let mut made: Vec<(Id, PairingDraft)> = Vec::new();
            let mut extra_helped = (k - h).max(0);
            // Mode 1: a town's central kindergarten helps its villages; about
            // two pairings in three, the rest go to mode 2 below.
            let town_quota = (h.min(k) * 2 + 2) / 3;
            for (ti, central) in pool.centrals.iter().enumerate() {
                if made.len() as i64 >= town_quota {
                    break;
                }
                let free: Vec<Id> = pool.villages[ti]
                    .iter()
                    .filter(|v| !paired.contains(*v))
                    .cloned()
                    .collect();
                if free.is_empty() || used_helpers.contains(central) {
                    continue;
                }
                let take = if extra_helped > 0 && free.len() >= 2 {
                    extra_helped -= 1;
                    2
                } else {
                    1
                };
                let helped: Vec<Id> = free.into_iter().take(take).collect();
                used_helpers.insert(central.clone());
                paired.extend(helped.iter().cloned());
                made.push(draft(
                    w,
                    vec![central.clone()],
                    helped,
                    year,
                    Mode::Town,
                    start,
                ));
            }
            // Mode 2 (and 3 once a year in the first rural district):
            // strong kindergartens help weak town ones.
            let mut cross_done = false;
            while (made.len() as i64) < h.min(k) {
                let weak = pool
                    .towns
                    .iter()
                    .chain(pool.villages.iter().flatten())
                    .find(|x| !paired.contains(*x))
                    .cloned();
                let Some(weak) = weak else { break };
                let weak_town = w
                    .model()
                    .kindergarten(&weak)
                    .map(|x| x.town.clone())
                    .unwrap_or_default();
                let cross = (!cross_done && is_big(dname))
                    .then(|| {
                        all_urban
                            .iter()
                            .find(|(d, _)| d != district)
                            .map(|(_, u)| u.clone())
                    })
                    .flatten();
                let (helper, mode) = if let Some(u) = cross {
                    cross_done = true;
                    (u, Mode::CrossRegion)
                } else {
                    let strong = pool
                        .urban
                        .iter()
                        .chain(pool.centrals.iter())
                        .find(|c| {
                            !used_helpers.contains(*c)
                                && w.model()
                                    .kindergarten(c)
                                    .is_some_and(|x| x.town != weak_town)
                        })
                        .cloned();
                    match strong {
                        Some(s) => (s, Mode::District),
                        None => break,
                    }
                };
                used_helpers.insert(helper.clone());
                paired.insert(weak.clone());
                made.push(draft(w, vec![helper], vec![weak], year, mode, start));
            }
            // Many-to-one: more helpers than helped.
            if h > k
                && let Some((_, last)) = made
                    .iter_mut()
                    .rev()
                    .find(|(_, p)| p.mode == Mode::District)
            {
                for c in pool.centrals.iter().chain(pool.urban.iter()) {
                    if last.helpers.len() as i64 > h - k {
                        break;
                    }
                    if !used_helpers.contains(c) && !last.helped.contains(c) {
                        used_helpers.insert(c.clone());
                        last.helpers.push(c.clone());
                    }
                }
            }
            for (id, p) in made {
                // Its district is that of its helped side (the writer
                // checks it is one).
                let Some(home) = rules::pairing_home(w.model(), &p.helped) else {
                    return Err(EditError::Invalid(vec![Problem {
                        field: "helped",
                        kind: ProblemKind::HelpedInSeveralDistricts,
                    }]));
                };
                w.insert_pairing(p.into_record(id.clone(), home))?;
                agreement_steps(w, g, &id, year, today)?;
                out.push(id);
            }
        }
    }
    Ok(out)
}

fn draft(
    w: &mut Writer<'_>,
    helpers: Vec<Id>,
    helped: Vec<Id>,
    year: i32,
    mode: Mode,
    start: NaiveDate,
) -> (Id, PairingDraft) {
    let end = NaiveDate::from_ymd_opt(year + 2, 12, 31).unwrap_or(start);
    let (forms, tasks) = match mode {
        Mode::Town => (
            vec![
                SupportForm::OnSiteGuidance,
                SupportForm::SendTeachers,
                SupportForm::Shadowing,
            ],
            vec![Task::Management, Task::TownVillage, Task::RuralCharacter],
        ),
        Mode::District => (
            vec![
                SupportForm::SendTeachers,
                SupportForm::OnSiteGuidance,
                SupportForm::Online,
            ],
            vec![Task::Teachers, Task::Conditions, Task::Management],
        ),
        Mode::CrossRegion => (
            vec![
                SupportForm::MasterStudio,
                SupportForm::Online,
                SupportForm::Shadowing,
            ],
            vec![Task::Teachers, Task::RuralCharacter],
        ),
    };
    let d = PairingDraft {
        helpers,
        helped,
        cohort: year,
        mode,
        terms: TermsDraft {
            start,
            end,
            forms,
            tasks,
            goals: "三年内被帮扶园办园理念、保育教育、环境创设、园所管理水平明显提升，达到县区合格园标准。".into(),
            rights: "帮扶园负责制定帮扶计划、选派骨干教师；被帮扶园负责组织教师参加活动并落实整改。双方不收取任何费用。".into(),
            schedule: "每月至少一次入园指导或送教下乡；每学期一次跟岗研修；每年十二月共同总结。".into(),
            fees: 0,
        },
    };
    (w.new_id(), d)
}

/// Signs, confirms and files an agreement on the notice's calendar; the
/// newest cohort leaves a few steps undone, as real work does.
fn agreement_steps(
    w: &mut Writer<'_>,
    g: &mut Gen,
    id: &Id,
    year: i32,
    today: NaiveDate,
) -> Result<(), EditError> {
    let signed_on = NaiveDate::from_ymd_opt(year, 9, g.between(15, 25) as u32).unwrap_or(today);
    let filed_on = NaiveDate::from_ymd_opt(year, 10, g.between(5, 14) as u32).unwrap_or(today);
    let latest = w.model().programme.end_year;
    if year == latest && g.rng.random_bool(0.3) {
        return Ok(());
    }
    let Some(p) = w.model().pairing(id).cloned() else {
        return Ok(());
    };
    w.set_time(Some(millis(signed_on, 10)));
    let principal = g.person();
    w.sign(
        id,
        Stamp {
            by: format!("{principal}园长"),
            on: signed_on,
        },
    )?;
    if year == latest && g.rng.random_bool(0.3) {
        return Ok(());
    }
    for d in w.model().pairing_districts(&p) {
        let by = format!("{}（{}教育局）", g.person(), w.model().district_name(&d));
        w.confirm(id, &d, Stamp { by, on: filed_on })?;
    }
    w.set_time(Some(millis(filed_on, 15)));
    let by = format!(
        "{}（{}教育局）",
        g.person(),
        w.model().district_name(&p.district_id)
    );
    w.file(id, Stamp { by, on: filed_on })
}

fn note(g: &mut Gen, helper: &str, helped: &str, form: SupportForm) -> String {
    let role = g.pick(&["教研员", "领航园长", "骨干教师", "园长"]);
    let name = g.person();
    let topic = g.pick(TOPICS);
    let activity = g.pick(ACTIVITIES);
    let obs = g.pick(OBSERVATIONS);
    let next = g.pick(NEXT_STEPS);
    let how = match form {
        SupportForm::SendTeachers => "送教下乡",
        SupportForm::MasterStudio => "名师工作室研修",
        SupportForm::OnSiteGuidance => "入园指导",
        SupportForm::Shadowing => "跟岗研修",
        SupportForm::Online => "线上教研",
    };
    format!(
        "{helper}{role}{name}与{helped}教师开展{how}活动，围绕“{topic}”进行了{activity}。{obs}。双方商定{next}。"
    )
}

fn weighted_form(g: &mut Gen) -> SupportForm {
    match g.between(0, 99) {
        0..=29 => SupportForm::SendTeachers,
        30..=59 => SupportForm::OnSiteGuidance,
        60..=79 => SupportForm::Online,
        80..=91 => SupportForm::Shadowing,
        _ => SupportForm::MasterStudio,
    }
}

/// Visits and inspections for every pairing, from its start until today.
fn visits_and_inspections(
    w: &mut Writer<'_>,
    g: &mut Gen,
    scale: Scale,
    pairings: &[Id],
    today: NaiveDate,
) -> Result<(usize, usize), EditError> {
    let (lo, hi) = scale.visits_per_month();
    let (mut visits, mut inspections) = (0, 0);
    for pid in pairings {
        let Some(p) = w.model().pairing(pid).cloned() else {
            continue;
        };
        let helper = w.model().kindergarten_name(&p.helpers[0]);
        let helped = w.model().kindergarten_name(&p.helped[0]);
        let last = p.agreement.end.min(today);
        let mut month =
            NaiveDate::from_ymd_opt(p.agreement.start.year(), p.agreement.start.month(), 1)
                .unwrap_or(p.agreement.start);
        let mut months = 0;
        while month <= last {
            months += 1;
            let n = if scale == Scale::Small {
                u32::from(months <= 3)
            } else {
                g.rng.random_range(lo..=hi)
            };
            let days_in_month = month
                .checked_add_months(chrono::Months::new(1))
                .map_or(28, |next| (next - month).num_days());
            for _ in 0..n {
                let day = month + Days::new(g.between(0, days_in_month - 1) as u64);
                if day < p.agreement.start || day > last {
                    continue;
                }
                let form = weighted_form(g);
                let tasks: Vec<Task> = p.agreement.tasks.sample(&mut g.rng, 2).copied().collect();
                let place = if form == SupportForm::Shadowing {
                    &p.helpers[0]
                } else {
                    &p.helped[0]
                };
                let gift = tasks.contains(&Task::Conditions) && g.rng.random_bool(0.4);
                let participants = (0..g.between(1, 3))
                    .map(|_| Participant {
                        name: g.person(),
                        role: Role::ALL
                            .choose(&mut g.rng)
                            .map(|r| r.code())
                            .unwrap_or("teacher")
                            .to_string(),
                    })
                    .collect();
                let children = if matches!(form, SupportForm::Online | SupportForm::Shadowing) {
                    0
                } else {
                    g.between(15, 120)
                };
                let confirmed = (g.rng.random_bool(0.8)).then(|| Stamp {
                    by: format!("{}园长", g.person()),
                    on: (day + Days::new(g.between(0, 6) as u64)).min(today),
                });
                let v = Visit {
                    id: w.new_id(),
                    pairing_id: pid.clone(),
                    district_id: p.district_id.clone(),
                    date: day,
                    form,
                    tasks,
                    place_id: Some(place.clone()),
                    participants,
                    teachers_reached: g.between(2, 15),
                    children_reached: children,
                    materials: Materials {
                        toys: if gift { g.between(5, 40) } else { 0 },
                        play_materials: if gift { g.between(5, 60) } else { 0 },
                        picture_books: if gift { g.between(20, 150) } else { 0 },
                    },
                    note: note(g, &helper, &helped, form),
                    follow_up: if g.rng.random_bool(0.3) {
                        g.pick(NEXT_STEPS).to_string()
                    } else {
                        String::new()
                    },
                    confirmed,
                };
                w.set_time(Some(millis(day, 17)));
                w.put_visit(v)?;
                visits += 1;
            }
            // An inspection each term: in December and in June.
            if matches!(month.month(), 6 | 12) && scale != Scale::Small
                || (scale == Scale::Small && months == 3)
            {
                let day = (month + Days::new(g.between(5, 20) as u64)).min(last);
                if day >= p.agreement.start {
                    let scores = Scores {
                        philosophy: g.between(2, 5),
                        care_education: g.between(2, 5),
                        environment: g.between(2, 5),
                        management: g.between(2, 5),
                    };
                    let i = Inspection {
                        id: w.new_id(),
                        district_id: p.district_id.clone(),
                        pairing_id: Some(pid.clone()),
                        kindergarten_id: Some(p.helped[0].clone()),
                        date: day,
                        inspector: format!("{}（督导）", g.person()),
                        scores,
                        findings: g.pick(FINDINGS).to_string(),
                        guidance: g.pick(GUIDANCE).to_string(),
                        follow_up_due: day.checked_add_days(Days::new(30)),
                    };
                    w.set_time(Some(millis(day, 11)));
                    w.put_inspection(i)?;
                    inspections += 1;
                }
            }
            month = month
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(NaiveDate::MAX);
        }
    }
    Ok((visits, inspections))
}

const MONTH_PROBLEMS: &[&str] = &[
    "部分村园教师工学矛盾突出，跟岗研修时间难以保证。",
    "个别结对双方距离较远，冬季送教下乡次数减少。",
    "村园玩教具数量不足，区域活动材料更新慢。",
    "部分被帮扶园网络条件差，线上学习时常中断。",
    "帮扶活动记录不够及时，个别活动未经被帮扶园确认。",
];
const MONTH_PRACTICES: &[&str] = &[
    "推行“一园一策”，帮扶园根据被帮扶园的短板制定月度计划。",
    "组织骨干教师“半日跟岗”，回园后开展二次培训。",
    "利用乡村自然资源开发户外游戏，打造乡村特色课程。",
    "建立结对双方园长每月例会制度，问题当月解决。",
];
const YEAR_RESULTS: &[&str] = &[
    "被帮扶园保教质量明显提升，一日生活安排更加科学合理。",
    "村园教师的游戏观察与指导能力有了进步，能写出规范的观察记录。",
    "园所环境创设更贴近幼儿，户外活动时间得到保证。",
    "结对双方形成了稳定的教研机制，镇村一体化管理初见成效。",
];
const YEAR_PLANS: &[&str] = &[
    "继续深化结对帮扶，重点提升村园教师的专业能力。",
    "加大送教下乡力度，每学期至少开展两次集中送教活动。",
    "总结推广乡村特色课程经验，培育一批典型案例。",
    "完善帮扶档案，做到活动有计划、有记录、有确认。",
];

/// A short paragraph from a list, two or three sentences.
fn sentences(g: &mut Gen, pool: &[&str]) -> String {
    let n = g.between(2, 3) as usize;
    pool.sample(&mut g.rng, n.min(pool.len()))
        .copied()
        .collect::<Vec<_>>()
        .join("")
}

fn figure_sentence(f: &figures::Figures) -> String {
    let by = |form: SupportForm| {
        f.by_form
            .iter()
            .find(|(x, _)| *x == form)
            .map_or(0, |(_, n)| *n)
    };
    format!(
        "统计期间在帮扶期内的结对{}个，开展帮扶活动{}次，其中送教下乡{}次、入园指导{}次、跟岗研修{}次、网络在线学习{}次，受益教师{}人次、幼儿{}人次。",
        f.pairings_active,
        f.visits,
        by(SupportForm::SendTeachers),
        by(SupportForm::OnSiteGuidance),
        by(SupportForm::Shadowing),
        by(SupportForm::Online),
        f.teachers_reached,
        f.children_reached
    )
}

/// Submits a report on `day` as `me`, and has the level above accept it a
/// few days later (or, now and then, return it first).
fn send_up(
    w: &mut Writer<'_>,
    g: &mut Gen,
    key: &reports::ReportKey,
    day: NaiveDate,
    today: NaiveDate,
) -> Result<(), EditError> {
    let by = format!("{}科长", g.person());
    w.set_today(day);
    w.set_time(Some(millis(day, 16)));
    w.submit_report(key, &by)?;
    let mut review_day = day + Days::new(g.between(1, 5) as u64);
    if review_day <= today && g.rng.random_bool(0.08) {
        w.set_today(review_day);
        w.set_time(Some(millis(review_day, 10)));
        w.review_report(key, false, "市教育局", "请补充典型事例的具体做法和成效。")?;
        let again = review_day + Days::new(2);
        if again > today {
            return Ok(());
        }
        w.set_today(again);
        w.set_time(Some(millis(again, 15)));
        w.submit_report(key, &by)?;
        review_day = again + Days::new(1);
    }
    if review_day <= today {
        w.set_today(review_day);
        w.set_time(Some(millis(review_day, 11)));
        w.review_report(key, true, "市教育局", "")?;
    }
    Ok(())
}

/// Monthly reports of every district up to today — mostly on time, some
/// late, a few missing — and the annual summaries of past Decembers.
fn reports(w: &mut Writer<'_>, g: &mut Gen, today: NaiveDate) -> Result<(), EditError> {
    // The demo device is the programme's city admin; it stands in for
    // every bureau.
    if w.me().is_none() {
        return Ok(());
    }
    let districts: Vec<Id> = w
        .model()
        .districts_in_order()
        .iter()
        .map(|d| d.id.clone())
        .collect();
    for month in reports::report_months(&w.model().programme) {
        let Some(period) = reports::monthly_period(&w.model().programme, month) else {
            continue;
        };
        if period.to >= today {
            break;
        }
        for d in &districts {
            let roll = g.between(1, 100);
            if roll <= 4 {
                continue; // never sent
            }
            let day = if roll <= 16 {
                period.due + Days::new(g.between(1, 6) as u64)
            } else {
                period.due - Days::new(g.between(0, 4) as u64)
            };
            if day > today {
                continue;
            }
            let key = reports::ReportKey::Monthly {
                district: d.clone(),
                month,
            };
            let f = figures::compile(
                w.model(),
                &figures::Scope::District(d.clone()),
                period.from,
                period.to,
            );
            let cases = w
                .model()
                .data
                .get(d)
                .and_then(|data| data.pairings.values().next())
                .map(|p| {
                    format!(
                        "{}与{}结对，本月围绕{}开展活动，被帮扶园教师的组织能力明显提高。",
                        w.model().kindergarten_name(&p.helpers[0]),
                        w.model().kindergarten_name(&p.helped[0]),
                        p.agreement
                            .tasks
                            .first()
                            .map(|t| crate::i18n::label(crate::i18n::Lang::Zh, *t))
                            .unwrap_or_default()
                    )
                })
                .unwrap_or_default();
            let texts = vec![
                (Section::Progress, figure_sentence(&f)),
                (Section::Problems, sentences(g, MONTH_PROBLEMS)),
                (Section::Practices, sentences(g, MONTH_PRACTICES)),
                (Section::Cases, cases),
            ];
            w.set_today(day);
            w.set_time(Some(millis(day, 9)));
            w.set_report_text(&key, &texts)?;
            send_up(w, g, &key, day, today)?;
        }
    }
    let p = w.model().programme.clone();
    for year in p.start_year..=p.end_year {
        for level in Level::ALL {
            let Some(due) = p.summary_due.of(*level).in_year(year) else {
                continue;
            };
            if due >= today {
                continue;
            }
            for subject in reports::summary_subjects(w.model(), year, *level) {
                let key = reports::ReportKey::Annual {
                    level: *level,
                    subject,
                    year,
                };
                let day = if g.rng.random_bool(0.1) {
                    due + Days::new(g.between(1, 3) as u64)
                } else {
                    due - Days::new(g.between(0, 6) as u64)
                };
                w.set_today(day);
                w.set_time(Some(millis(day, 9)));
                let f = reports::annual_stats(w.model(), &key, day)
                    .map(|s| figure_sentence(&s.figures))
                    .unwrap_or_default();
                let texts = vec![
                    (Section::Progress, format!("{year}年，{f}")),
                    (Section::Results, sentences(g, YEAR_RESULTS)),
                    (Section::Problems, sentences(g, MONTH_PROBLEMS)),
                    (Section::Plan, sentences(g, YEAR_PLANS)),
                ];
                w.set_report_text(&key, &texts)?;
                w.refresh_stats(&key)?;
                if *level == Level::City {
                    w.set_time(Some(millis(day, 16)));
                    w.submit_report(&key, "市教育局")?;
                } else {
                    send_up(w, g, &key, day, today)?;
                }
            }
        }
    }
    Ok(())
}

/// The district that takes one cross-region pairing a year: the largest
/// rural one (大洼区 in Panjin, each fictional city's 南区).
fn is_big(name: &str) -> bool {
    name.contains("大洼") || name.ends_with("南区")
}
