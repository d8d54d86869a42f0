//! The demo's pairings and their agreements' steps.

use super::*;

/// Makes each year's pairings to meet each district's target.
pub(super) fn pairings(
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
            let mut round = Round {
                pool,
                year,
                start,
                helpers: h,
                helped: k,
                used_helpers: BTreeSet::new(),
                made: Vec::new(),
            };
            round.town_mode(&mut paired);
            // Mode 3 once a year in the largest rural district.
            let cross = is_big(dname)
                .then(|| {
                    all_urban
                        .iter()
                        .find(|(d, _)| d != district)
                        .map(|(_, u)| u.clone())
                })
                .flatten();
            round.district_mode(w.model(), &mut paired, cross);
            round.many_to_one();
            for p in round.made {
                let id = w.add_pairing(p)?;
                agreement_steps(w, g, &id, year, today)?;
                out.push(id);
            }
        }
    }
    Ok(out)
}

/// One district's pairings of one year, as they are drawn up.
struct Round<'a> {
    pool: &'a Pools,
    year: i32,
    start: NaiveDate,
    /// The year's target: helpers and helped kindergartens.
    helpers: i64,
    helped: i64,
    used_helpers: BTreeSet<Id>,
    made: Vec<PairingDraft>,
}

impl Round<'_> {
    /// Mode 1: a town's central kindergarten helps its villages; about two
    /// pairings in three, the rest go to mode 2.
    fn town_mode(&mut self, paired: &mut BTreeSet<Id>) {
        let (h, k) = (self.helpers, self.helped);
        let mut extra_helped = (k - h).max(0);
        let town_quota = (h.min(k) * 2 + 2) / 3;
        for (ti, central) in self.pool.centrals.iter().enumerate() {
            if self.made.len() as i64 >= town_quota {
                break;
            }
            let free: Vec<Id> = self.pool.villages[ti]
                .iter()
                .filter(|v| !paired.contains(*v))
                .cloned()
                .collect();
            if free.is_empty() || self.used_helpers.contains(central) {
                continue;
            }
            let take = if extra_helped > 0 && free.len() >= 2 {
                extra_helped -= 1;
                2
            } else {
                1
            };
            let helped: Vec<Id> = free.into_iter().take(take).collect();
            self.used_helpers.insert(central.clone());
            paired.extend(helped.iter().cloned());
            self.made.push(draft(
                vec![central.clone()],
                helped,
                self.year,
                Mode::Town,
                self.start,
            ));
        }
    }

    /// Mode 2 (and mode 3 once, with `cross` as the helper): strong
    /// kindergartens help weak town ones.
    fn district_mode(&mut self, m: &Model, paired: &mut BTreeSet<Id>, mut cross: Option<Id>) {
        let pool = self.pool;
        while (self.made.len() as i64) < self.helpers.min(self.helped) {
            let weak = pool
                .towns
                .iter()
                .chain(pool.villages.iter().flatten())
                .find(|x| !paired.contains(*x))
                .cloned();
            let Some(weak) = weak else { break };
            let weak_town = m
                .kindergarten(&weak)
                .map(|x| x.town.clone())
                .unwrap_or_default();
            let (helper, mode) = if let Some(u) = cross.take() {
                (u, Mode::CrossRegion)
            } else {
                let strong = pool
                    .urban
                    .iter()
                    .chain(pool.centrals.iter())
                    .find(|c| {
                        !self.used_helpers.contains(*c)
                            && m.kindergarten(c).is_some_and(|x| x.town != weak_town)
                    })
                    .cloned();
                match strong {
                    Some(s) => (s, Mode::District),
                    None => break,
                }
            };
            self.used_helpers.insert(helper.clone());
            paired.insert(weak.clone());
            self.made
                .push(draft(vec![helper], vec![weak], self.year, mode, self.start));
        }
    }

    /// Many-to-one: more helpers than helped join the last district
    /// pairing.
    fn many_to_one(&mut self) {
        let (h, k) = (self.helpers, self.helped);
        if h <= k {
            return;
        }
        let Some(last) = self
            .made
            .iter_mut()
            .rev()
            .find(|p| p.mode == Mode::District)
        else {
            return;
        };
        for c in self.pool.centrals.iter().chain(self.pool.urban.iter()) {
            if last.helpers.len() as i64 > h - k {
                break;
            }
            if !self.used_helpers.contains(c) && !last.helped.contains(c) {
                self.used_helpers.insert(c.clone());
                last.helpers.push(c.clone());
            }
        }
    }
}

pub(super) fn draft(
    helpers: Vec<Id>,
    helped: Vec<Id>,
    year: i32,
    mode: Mode,
    start: NaiveDate,
) -> PairingDraft {
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
    PairingDraft {
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
    }
}

/// Signs, confirms and files an agreement on the notice's calendar; the
/// newest cohort leaves a few steps undone, as real work does.
pub(super) fn agreement_steps(
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
