//! Reports on a small dataset whose every figure is worked out by hand:
//! the monthly report's figures and period boundaries, the workflow and who
//! may do what, offline edits of one summary merging, and the files bureaus
//! exchange read back by real readers.

use bangfu::domain::figures::{self, Scope};
use bangfu::domain::plan;
use bangfu::domain::reports::{self, ReportKey, YearMonth};
use bangfu::domain::*;
use bangfu::export::{self, FileFormat, Value, lists};
use bangfu::i18n::Lang;
use bangfu::store::{EditError, Options, Workspace, Writer};
use bangfu::sync::bundle;
use chrono::NaiveDate;
use std::io::Read;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

fn opts(person: &str) -> Options {
    Options::new(person, d("2024-11-05"))
}

fn kg(w: &mut Writer<'_>, district: &Id, name: &str, public: bool) -> Id {
    let k = Kindergarten {
        id: w.new_id(),
        name: name.into(),
        district_id: district.clone(),
        town: "东风镇".into(),
        village: if public {
            String::new()
        } else {
            "红旗村".into()
        },
        ownership: if public {
            Ownership::Public
        } else {
            Ownership::Private
        },
        category: if public {
            Category::TownCentral
        } else {
            Category::Village
        },
        stars: if public { Some(5) } else { None },
        rural: true,
        children: 40,
        teachers: 4,
        contact: String::new(),
        phone: String::new(),
    };
    w.put_kindergarten(k).expect("kindergarten")
}

fn pairing(w: &mut Writer<'_>, district: &Id, helper: Id, helped: Id, start: &str) -> Id {
    let id = w.new_id();
    w.insert_pairing(Pairing {
        id,
        district_id: district.clone(),
        helpers: vec![helper],
        helped: vec![helped],
        cohort: 2024,
        mode: Mode::Town,
        agreement: Agreement {
            status: AgreementStatus::Draft,
            start: d(start),
            end: d("2026-12-31"),
            forms: vec![SupportForm::SendTeachers],
            tasks: vec![Task::Teachers],
            goals: "提升保教质量".into(),
            rights: String::new(),
            schedule: String::new(),
            fees: 0,
            signed: None,
            confirmations: vec![],
            filed: None,
        },
    })
    .expect("pairing")
}

fn stamp(on: &str) -> Stamp {
    Stamp {
        by: "李园长".into(),
        on: d(on),
    }
}

#[allow(clippy::too_many_arguments)]
fn visit(
    w: &mut Writer<'_>,
    p: &Id,
    on: &str,
    form: SupportForm,
    tasks: &[Task],
    teachers: i64,
    children: i64,
    toys: i64,
    books: i64,
) {
    let pr = w.model().pairing(p).cloned().expect("pairing");
    let id = w.new_id();
    w.put_visit(Visit {
        tasks: tasks.to_vec(),
        teachers_reached: teachers,
        children_reached: children,
        materials: Materials {
            toys,
            play_materials: 0,
            picture_books: books,
        },
        ..Visit::of_pairing(id, &pr, d(on), form, "送教")
    })
    .expect("visit");
}

fn inspection(w: &mut Writer<'_>, p: &Id, on: &str, s: [i64; 4]) {
    w.add_inspection(InspectionDraft {
        pairing_id: Some(p.clone()),
        kindergarten_id: None,
        date: d(on),
        inspector: "督导".into(),
        scores: Scores {
            philosophy: s[0],
            care_education: s[1],
            environment: s[2],
            management: s[3],
        },
        findings: String::new(),
        guidance: String::new(),
        follow_up_due: None,
    })
    .expect("inspection");
}

/// 盘山县 with two pairings, and records on both sides of each boundary
/// of the report due in October 2024 (period 2024-09-20 to 2024-10-19).
struct Fixture {
    dir: tempfile::TempDir,
    ws: Workspace,
    district: Id,
    helped: Id,
    me: Member,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut ws = Workspace::init(dir.path(), &plan::panjin(), opts("市局")).expect("init");
    let district = ws
        .model()
        .district_by_name("盘山县")
        .expect("盘山县")
        .id
        .clone();
    let me = ws
        .model()
        .members
        .values()
        .next()
        .cloned()
        .expect("first member");
    let helped = ws
        .write(|w| {
            let h1 = kg(w, &district, "东风镇中心幼儿园", true);
            let v1 = kg(w, &district, "红旗村幼儿园", false);
            let h2 = kg(w, &district, "东风镇第二幼儿园", true);
            let v2 = kg(w, &district, "新村幼儿园", false);
            // P1 runs through the period; signed on its first day, filed
            // on its last.
            let p1 = pairing(w, &district, h1, v1.clone(), "2024-09-15");
            w.sign(&p1, stamp("2024-09-20"))?;
            w.confirm(&p1, &district, stamp("2024-10-01"))?;
            w.file(&p1, stamp("2024-10-19"))?;
            // P2 starts the day after the period and was signed the day
            // before it: not active, not counted.
            let p2 = pairing(w, &district, h2, v2, "2024-10-20");
            w.sign(&p2, stamp("2024-09-19"))?;
            // Visits: the day before, the first day, the last day, the day after.
            visit(
                w,
                &p1,
                "2024-09-19",
                SupportForm::OnSiteGuidance,
                &[Task::Teachers],
                100,
                100,
                100,
                100,
            );
            visit(
                w,
                &p1,
                "2024-09-20",
                SupportForm::SendTeachers,
                &[Task::Teachers, Task::Management],
                5,
                30,
                2,
                10,
            );
            visit(
                w,
                &p1,
                "2024-10-19",
                SupportForm::Online,
                &[Task::Teachers],
                8,
                0,
                0,
                0,
            );
            visit(
                w,
                &p1,
                "2024-10-20",
                SupportForm::OnSiteGuidance,
                &[Task::Teachers],
                100,
                100,
                100,
                100,
            );
            inspection(w, &p1, "2024-09-19", [1, 1, 1, 1]);
            inspection(w, &p1, "2024-09-20", [4, 3, 5, 2]);
            inspection(w, &p1, "2024-10-19", [5, 5, 4, 4]);
            inspection(w, &p1, "2024-10-20", [1, 1, 1, 1]);
            Ok::<_, EditError>(v1)
        })
        .expect("fixture");
    Fixture {
        dir,
        ws,
        district,
        helped,
        me,
    }
}

fn october(f: &Fixture) -> ReportKey {
    ReportKey::Monthly {
        district: f.district.clone(),
        month: YearMonth::parse("2024-10").expect("month"),
    }
}

fn count<T: PartialEq + Copy>(fs: &[(T, usize)], which: T) -> usize {
    fs.iter().find(|(x, _)| *x == which).map_or(0, |(_, n)| *n)
}

#[test]
fn every_figure_of_a_monthly_report_matches_the_hand_count() {
    let f = fixture();
    let model = f.ws.model();
    let period = reports::monthly_period(&model.programme, YearMonth::parse("2024-10").expect("m"))
        .expect("period");
    assert_eq!(
        (period.from, period.to, period.due),
        (d("2024-09-20"), d("2024-10-19"), d("2024-10-20"))
    );
    let fig = figures::compile(
        model,
        &Scope::District(f.district.clone()),
        period.from,
        period.to,
    );
    assert_eq!(fig.pairings_active, 1, "P2 starts after the period");
    assert_eq!((fig.helpers, fig.helped), (1, 1));
    assert_eq!(fig.visits, 2, "09-20 and 10-19; not 09-19 nor 10-20");
    assert_eq!(count(&fig.by_form, SupportForm::SendTeachers), 1);
    assert_eq!(count(&fig.by_form, SupportForm::Online), 1);
    assert_eq!(count(&fig.by_form, SupportForm::OnSiteGuidance), 0);
    assert_eq!(count(&fig.by_task, Task::Teachers), 2);
    assert_eq!(count(&fig.by_task, Task::Management), 1);
    assert_eq!(count(&fig.by_task, Task::Conditions), 0);
    assert_eq!((fig.teachers_reached, fig.children_reached), (13, 30));
    assert_eq!(
        (
            fig.materials.toys,
            fig.materials.play_materials,
            fig.materials.picture_books
        ),
        (2, 0, 10)
    );
    assert_eq!(fig.inspections, 2);
    let s = fig.scores.expect("scores");
    assert_eq!(
        (
            s.philosophy,
            s.care_education,
            s.environment,
            s.management,
            s.overall
        ),
        (4.5, 4.0, 4.5, 3.0, 4.0)
    );
    assert_eq!(
        fig.agreements_signed, 1,
        "P1 on the first day; P2 the day before"
    );
    assert_eq!(fig.agreements_filed, 1, "P1 on the last day");

    // The kindergarten's own figures: only its pairing.
    let mine = figures::compile(
        model,
        &Scope::Kindergarten(f.helped.clone()),
        period.from,
        period.to,
    );
    assert_eq!((mine.visits, mine.inspections), (2, 2));

    // The period is a setting: from the 1st, the report due in October
    // covers September.
    let mut p = model.programme.clone();
    p.period_start_day = 1;
    let sept = reports::monthly_period(&p, YearMonth::parse("2024-10").expect("m")).expect("p");
    assert_eq!((sept.from, sept.to), (d("2024-09-01"), d("2024-09-30")));
}

#[test]
fn a_submitted_report_is_locked_keeps_its_figures_and_a_return_unlocks_it() {
    let mut f = fixture();
    let key = october(&f);
    let texts = vec![(Section::Progress, "十月开展送教下乡。".to_string())];
    f.ws.write(|w| w.set_report_text(&key, &texts))
        .expect("write");
    f.ws.write(|w| {
        w.set_today(d("2024-10-18"));
        w.submit_report(&key, "王科长")
    })
    .expect("submit");
    // Locked: no more edits.
    let again = f.ws.write(|w| w.set_report_text(&key, &texts));
    assert!(
        matches!(&again, Err(EditError::Invalid(ps)) if matches!(ps[0].kind, ProblemKind::ReportLocked { .. })),
        "{again:?}"
    );
    // A visit logged late does not change what was submitted.
    let p1 =
        f.ws.model()
            .pairings()
            .find(|p| p.agreement.start == d("2024-09-15"))
            .expect("p1")
            .id
            .clone();
    f.ws.write(|w| {
        visit(
            w,
            &p1,
            "2024-10-01",
            SupportForm::Online,
            &[Task::Teachers],
            1,
            1,
            0,
            0,
        );
        Ok::<_, EditError>(())
    })
    .expect("late visit");
    let r = reports::monthly(f.ws.model(), &key.id())
        .expect("stored")
        .clone();
    assert_eq!(r.figures.as_ref().map(|x| x.visits), Some(2));
    assert_eq!(reports::monthly_figures(f.ws.model(), &r).visits, 2);

    // The city returns it with a comment: unlocked, the comment shown.
    f.ws.write(|w| w.review_report(&key, false, "市局", "请补充典型事例"))
        .expect("return");
    let doc = export::report_doc(Lang::Zh, f.ws.model(), &key, d("2024-11-05")).expect("doc");
    let facts: String = doc.facts.iter().map(|(k, v)| format!("{k}={v};")).collect();
    assert!(facts.contains("已退回"), "{facts}");
    assert!(facts.contains("请补充典型事例"), "{facts}");
    f.ws.write(|w| w.set_report_text(&key, &[(Section::Cases, "红旗村户外游戏。".into())]))
        .expect("edit after return");
    f.ws.write(|w| w.submit_report(&key, "王科长"))
        .expect("submit again");
    let w = key.workflow(f.ws.model()).expect("workflow");
    assert_eq!(w.status, ReportStatus::Submitted);
    // Submitted again after its due day, but it first came in on time.
    assert_eq!(w.submitted.as_ref().map(|s| s.on), Some(d("2024-11-05")));
    assert_eq!(
        w.first_submitted.as_ref().map(|s| s.on),
        Some(d("2024-10-18"))
    );
    assert!(w.on_time(d("2024-10-20")));
}

/// A member of another role with its own device key, added by the city
/// (the fixture's own device).
fn member(
    f: &mut Fixture,
    role: MemberRole,
    district: Option<&Id>,
    kindergarten: Option<&Id>,
) -> (Member, iroh::SecretKey) {
    let seed = 10 + f.ws.model().members.len() as u8;
    let key = iroh::SecretKey::from_bytes(&[seed; 32]);
    let inspector = role == MemberRole::Inspector;
    let m = Member {
        id: bangfu::identity::endpoint_hex(&key),
        name: format!("成员{seed}"),
        role,
        district: district.filter(|_| !inspector).cloned(),
        kindergarten: kindergarten.cloned(),
        districts: district
            .filter(|_| inspector)
            .cloned()
            .into_iter()
            .collect(),
        added_by: f.me.id.clone(),
        added_on: d("2024-09-01"),
        revoked: false,
    };
    f.ws.write(|w| w.put_member(m.clone()))
        .expect("member added");
    (m, key)
}

/// Writes as the device of `key`, then goes back to the fixture's own.
fn write_as<T>(
    f: &mut Fixture,
    key: &iroh::SecretKey,
    edit: impl FnOnce(&mut Writer<'_>) -> Result<T, EditError>,
) -> Result<T, EditError> {
    f.ws.act_as(Some(key)).expect("act as");
    let r = f.ws.write(edit);
    f.ws.act_as(None).expect("act as myself");
    r
}

fn refused<T>(r: Result<T, EditError>) -> bool {
    matches!(r, Err(EditError::Invalid(ps)) if matches!(ps[0].kind, ProblemKind::NotAllowed { .. }))
}

#[test]
fn only_the_level_above_may_accept_and_the_city_summary_goes_nowhere() {
    let mut f = fixture();
    let district = f.district.clone();
    let helped = f.helped.clone();
    let other_district =
        f.ws.model()
            .district_by_name("大洼区")
            .expect("大洼区")
            .id
            .clone();
    let (_, bureau) = member(&mut f, MemberRole::DistrictAdmin, Some(&district), None);
    let (_, other_bureau) = member(
        &mut f,
        MemberRole::DistrictAdmin,
        Some(&other_district),
        None,
    );
    let (_, kindergarten) = member(&mut f, MemberRole::Kindergarten, None, Some(&helped));
    let (_, inspector) = member(&mut f, MemberRole::Inspector, Some(&district), None);

    // The kindergarten writes and submits its own summary.
    let kg_summary = ReportKey::Annual {
        level: Level::Kindergarten,
        subject: Some(helped.clone()),
        year: 2024,
    };
    let texts: Vec<(Section, String)> = reports::sections(&kg_summary)
        .iter()
        .map(|s| (*s, format!("{}：内容。", s.code())))
        .collect();
    write_as(&mut f, &kindergarten, |w| {
        w.set_report_text(&kg_summary, &texts)
    })
    .expect("kindergarten writes");
    write_as(&mut f, &kindergarten, |w| {
        w.submit_report(&kg_summary, "园长")
    })
    .expect("kindergarten submits");
    for who in [&kindergarten, &other_bureau, &inspector] {
        let r = write_as(&mut f, who, |w| w.review_report(&kg_summary, true, "x", ""));
        assert!(refused(r), "{} may not accept", who.public());
    }
    write_as(&mut f, &bureau, |w| {
        w.review_report(&kg_summary, true, "县局", "")
    })
    .expect("its district accepts");

    // A district's monthly report goes to the city, not to the district.
    let key = october(&f);
    write_as(&mut f, &bureau, |w| {
        w.set_report_text(&key, &[(Section::Progress, "进展".into())])
    })
    .expect("bureau writes");
    assert!(refused(write_as(&mut f, &other_bureau, |w| {
        w.set_report_text(&key, &[(Section::Progress, "x".into())])
    })));
    write_as(&mut f, &bureau, |w| w.submit_report(&key, "县局")).expect("bureau submits");
    assert!(refused(write_as(&mut f, &bureau, |w| {
        w.review_report(&key, true, "县局", "")
    })));
    f.ws.write(|w| w.review_report(&key, true, "市局", ""))
        .expect("the city accepts");

    // Returning needs a comment; the city's summary has no level above.
    let city_summary = ReportKey::Annual {
        level: Level::City,
        subject: None,
        year: 2024,
    };
    let r =
        f.ws.write(|w| w.review_report(&city_summary, true, "市局", ""));
    assert!(matches!(r, Err(EditError::Invalid(ps)) if ps[0].kind == ProblemKind::NothingAbove));
    // An unknown device may do nothing.
    let stranger = iroh::SecretKey::from_bytes(&[99; 32]);
    let r = write_as(&mut f, &stranger, |w| {
        w.set_report_text(&city_summary, &texts)
    });
    assert!(matches!(r, Err(EditError::Invalid(ps)) if ps[0].kind == ProblemKind::NotAMember));
}

#[test]
fn two_people_editing_one_summary_offline_both_keep_their_sentences() {
    let mut a = fixture();
    let key = ReportKey::Annual {
        level: Level::District,
        subject: Some(a.district.clone()),
        year: 2024,
    };
    a.ws.write(|w| w.set_report_text(&key, &[(Section::Progress, "全县结对两个。".into())]))
        .expect("start");
    // Another device of the district's bureau gets the programme on a USB
    // stick.
    let dir_b = tempfile::tempdir().expect("tempdir");
    let workspace = a.ws.workspace_id().to_string();
    let mut b = Workspace::create_joined(dir_b.path(), &workspace, opts("乙")).expect("b");
    let b_key = bangfu::identity::load(dir_b.path())
        .ok()
        .flatten()
        .expect("b's key");
    let bureau = Member {
        id: bangfu::identity::endpoint_hex(&b_key),
        name: "乙".into(),
        role: MemberRole::DistrictAdmin,
        district: Some(a.district.clone()),
        kindergarten: None,
        districts: vec![],
        added_by: a.me.id.clone(),
        added_on: d("2024-09-01"),
        revoked: false,
    };
    a.ws.write(|w| w.put_member(bureau)).expect("b invited");
    let docs: std::collections::BTreeSet<String> = a.ws.doc_ids().into_iter().collect();
    let stick = bundle::export(&mut a.ws, &docs, None).expect("export");
    bundle::import(&mut b, &stick).expect("import");

    // Both edit the same section offline.
    a.ws.write(|w| {
        w.set_report_text(
            &key,
            &[(Section::Progress, "全县结对两个。甲补充：送教四次。".into())],
        )
    })
    .expect("a edits");
    b.write(|w| {
        w.set_report_text(
            &key,
            &[(Section::Progress, "乙开头：九月启动。全县结对两个。".into())],
        )
    })
    .expect("b edits");

    // They meet again.
    let from_b = bundle::export(&mut b, &docs, None).expect("export b");
    bundle::import(&mut a.ws, &from_b).expect("a imports");
    let from_a = bundle::export(&mut a.ws, &docs, None).expect("export a");
    bundle::import(&mut b, &from_a).expect("b imports");
    let text = |ws: &Workspace| {
        reports::annual(ws.model(), &key.id())
            .expect("summary")
            .progress
            .clone()
    };
    let merged = text(&a.ws);
    assert_eq!(merged, text(&b), "both devices hold the same text");
    assert!(merged.contains("甲补充：送教四次。"), "{merged}");
    assert!(merged.contains("乙开头：九月启动。"), "{merged}");
    assert_eq!(merged.matches("全县结对两个。").count(), 1, "{merged}");
}

fn zip_entry(bytes: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip file");
    let mut f = z.by_name(name).expect("entry");
    let mut s = String::new();
    f.read_to_string(&mut s).expect("utf-8");
    s
}

#[test]
fn exports_read_back_with_real_readers() {
    use calamine::{Data, Reader};
    let mut f = fixture();
    let key = october(&f);
    f.ws.write(|w| w.set_report_text(&key, &[(Section::Progress, "十月进展良好。".into())]))
        .expect("write");
    f.ws.write(|w| w.submit_report(&key, "王科长"))
        .expect("submit");
    let today = d("2024-11-05");
    let doc = export::report_doc(Lang::Zh, f.ws.model(), &key, today).expect("doc");

    // .xlsx: every figure where the form puts it, as a number.
    let bytes = export::report_file(&doc, FileFormat::Xlsx).expect("xlsx");
    let path = f.dir.path().join("m.xlsx");
    std::fs::write(&path, &bytes).expect("write");
    let mut book = calamine::open_workbook_auto(&path).expect("calamine opens it");
    let range = book
        .worksheet_range_at(0)
        .expect("a sheet")
        .expect("readable");
    let cell = |r: usize, c: usize| range.get((r, c)).cloned().unwrap_or(Data::Empty);
    assert_eq!(cell(0, 0), Data::String(doc.title.clone()));
    let mut found = 0;
    for fr in &doc.figures {
        let row = (0..range.height())
            .find(|r| cell(*r, 0) == Data::String(fr.label.clone()))
            .unwrap_or_else(|| panic!("{} is in the sheet", fr.label));
        match fr.value {
            Value::Count(n) => assert_eq!(cell(row, 1), Data::Float(n as f64), "{}", fr.label),
            Value::Score(Some(x)) => assert_eq!(cell(row, 1), Data::Float(x), "{}", fr.label),
            Value::Score(None) => assert_eq!(cell(row, 1), Data::String("-".into())),
        }
        found += 1;
    }
    assert!(found > 20);
    let visits_row = doc
        .figures
        .iter()
        .find(|r| r.label.starts_with("帮扶活动（次），按形式"))
        .expect("visits");
    assert_eq!(visits_row.value, Value::Count(2));
    let text = (0..range.height()).any(|r| cell(r, 0) == Data::String("十月进展良好。".into()));
    assert!(text, "the section's text is in the sheet");

    // .docx: headings and paragraphs in word/document.xml.
    let summary = ReportKey::Annual {
        level: Level::District,
        subject: Some(f.district.clone()),
        year: 2024,
    };
    let texts = vec![
        (Section::Progress, "全县两个结对全部签约。".to_string()),
        (Section::Results, "村园教师能力提高。".to_string()),
        (Section::Problems, "网络条件差。".to_string()),
        (Section::Plan, "继续送教下乡。".to_string()),
    ];
    f.ws.write(|w| w.set_report_text(&summary, &texts))
        .expect("summary");
    f.ws.write(|w| w.refresh_stats(&summary)).expect("stats");
    let doc = export::report_doc(Lang::Zh, f.ws.model(), &summary, today).expect("doc");
    let bytes = export::report_file(&doc, FileFormat::Docx).expect("docx");
    let xml = zip_entry(&bytes, "word/document.xml");
    for needle in [
        doc.title.as_str(),
        "一、进展情况",
        "四、下一步工作计划",
        "全县两个结对全部签约。",
        "继续送教下乡。",
        "在帮扶期内的结对（个）",
    ] {
        assert!(xml.contains(needle), "{needle} in document.xml");
    }
    assert!(xml.contains("<w:tbl>"), "the statistics table");
    assert!(zip_entry(&bytes, "word/styles.xml").contains("Heading1"));

    // Markdown carries the same.
    let md = String::from_utf8(export::report_file(&doc, FileFormat::Markdown).expect("md"))
        .expect("utf-8");
    assert!(md.starts_with(&format!("# {}", doc.title)));
    assert!(md.contains("## 二、取得的成效\n\n村园教师能力提高。"));

    // CSV: a byte-order mark, and Chinese that comes back as it went.
    let table = lists::table(Lang::Zh, f.ws.model(), lists::What::Kindergartens);
    let bytes = lists::csv_file(&table).expect("csv");
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
    let mut r = csv::Reader::from_reader(&bytes[3..]);
    let headers = r.headers().expect("headers").clone();
    let name_col = headers
        .iter()
        .position(|h| h == "名称")
        .expect("名称 column");
    let names: Vec<String> = r
        .records()
        .map(|x| x.expect("row")[name_col].to_string())
        .collect();
    assert!(names.contains(&"红旗村幼儿园".to_string()), "{names:?}");
    assert_eq!(names.len(), 4);
}

/// How many times `needle` occurs in `hay`.
fn occurrences(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

#[test]
fn printed_sheets_fit_a4_and_word_files_are_official_documents() {
    use calamine::{Data, Reader};
    let mut f = fixture();
    let today = d("2024-11-05");

    // The monthly report: A4, one page wide, a 项目 / 数量 header.
    let doc = export::report_doc(Lang::Zh, f.ws.model(), &october(&f), today).expect("doc");
    let bytes = export::report_file(&doc, FileFormat::Xlsx).expect("xlsx");
    let sheet = zip_entry(&bytes, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains("<pageSetUpPr fitToPage=\"1\"/>"), "{sheet}");
    assert!(sheet.contains("paperSize=\"9\""), "A4: {sheet}");
    assert!(
        sheet.contains("fitToHeight=\"0\""),
        "one page wide: {sheet}"
    );
    let path = f.dir.path().join("m.xlsx");
    std::fs::write(&path, &bytes).expect("write");
    let mut book = calamine::open_workbook_auto(&path).expect("open");
    let range = book.worksheet_range_at(0).expect("sheet").expect("read");
    let header = (0..range.height()).any(|r| {
        range.get((r, 0)) == Some(&Data::String("项目".into()))
            && range.get((r, 1)) == Some(&Data::String("数量".into()))
    });
    assert!(header, "the figures have a 项目 / 数量 header");

    // A list: numbers and dates as Excel keeps them, the id last, a frozen
    // header with a filter, repeated on every printed page.
    let table = lists::table(Lang::Zh, f.ws.model(), lists::What::Visits);
    let bytes = export::xlsx::table("帮扶活动", &table.headers, &table.rows, "王科长", today)
        .expect("xlsx");
    let sheet = zip_entry(&bytes, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains("state=\"frozen\""), "{sheet}");
    assert!(sheet.contains("<autoFilter"), "{sheet}");
    assert!(zip_entry(&bytes, "xl/workbook.xml").contains("_xlnm.Print_Titles"));
    assert!(zip_entry(&bytes, "docProps/core.xml").contains("王科长"));
    let path = f.dir.path().join("v.xlsx");
    std::fs::write(&path, &bytes).expect("write");
    let mut book = calamine::open_workbook_auto(&path).expect("open");
    let range = book.worksheet_range_at(0).expect("sheet").expect("read");
    let last = range.width() - 1;
    assert_eq!(range.get((0, last)), Some(&Data::String("编号".into())));
    let mut numbers = 0;
    for r in 1..range.height() {
        for c in 0..last {
            match range.get((r, c)) {
                Some(Data::String(s)) => {
                    let plain = !s.is_empty()
                        && s.chars()
                            .all(|ch| ch.is_ascii_digit() || ch == '.' || ch == '-');
                    assert!(!plain, "row {r} col {c}: {s} is text, not a number or date");
                }
                Some(Data::Float(_) | Data::Int(_) | Data::DateTime(_)) => numbers += 1,
                _ => {}
            }
        }
    }
    assert!(numbers > 10, "{numbers} numbers");
    assert!(
        !table.rows.iter().flatten().any(|v| v.contains("->")),
        "no ASCII arrow"
    );

    // An annual summary: one Normal style, the standard's fonts, page
    // numbers, a repeated table header, right-aligned numbers, the issuer
    // and the date; nothing of the interface.
    let summary = ReportKey::Annual {
        level: Level::District,
        subject: Some(f.district.clone()),
        year: 2024,
    };
    f.ws.write(|w| {
        w.set_report_text(
            &summary,
            &[(Section::Progress, "全县两个结对全部签约。".into())],
        )
    })
    .expect("text");
    f.ws.write(|w| w.refresh_stats(&summary)).expect("stats");
    let mut doc = export::report_doc(Lang::Zh, f.ws.model(), &summary, today).expect("doc");
    doc.author = "王科长".into();
    let bytes = export::report_file(&doc, FileFormat::Docx).expect("docx");
    let styles = zip_entry(&bytes, "word/styles.xml");
    assert_eq!(occurrences(&styles, "w:styleId=\"Normal\""), 1, "{styles}");
    for font in ["方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"] {
        assert!(styles.contains(font), "{font}");
    }
    // Each with the face a computer without it takes instead.
    let fonts = zip_entry(&bytes, "word/fontTable.xml");
    for (font, instead) in [
        ("仿宋_GB2312", "仿宋"),
        ("楷体_GB2312", "楷体"),
        ("方正小标宋简体", "宋体"),
    ] {
        let entry = format!("<w:font w:name=\"{font}\"><w:altName w:val=\"{instead}\"/>");
        assert!(fonts.contains(&entry), "{entry} in {fonts}");
    }
    assert!(zip_entry(&bytes, "word/_rels/document.xml.rels").contains("fontTable.xml"));
    assert!(zip_entry(&bytes, "[Content_Types].xml").contains("/word/fontTable.xml"));
    assert!(
        styles.contains("w:firstLineChars=\"200\""),
        "two-character indent"
    );
    assert!(zip_entry(&bytes, "word/footer1.xml").contains(" PAGE "));
    assert!(zip_entry(&bytes, "word/footer2.xml").contains(" PAGE "));
    let xml = zip_entry(&bytes, "word/document.xml");
    assert!(xml.contains("<w:tblHeader/>"));
    assert!(xml.contains("<w:jc w:val=\"right\"/>"));
    assert!(xml.contains("盘山县教育局"), "the issuer");
    assert!(
        xml.contains("2024年11月5日"),
        "the date, written officially"
    );
    assert!(xml.contains("w:w=\"11906\" w:h=\"16838\""), "A4");
    for ui in [
        "可刷新",
        "统计数据",
        "状态",
        "草稿",
        "2024-11-05",
        "二、取得的成效",
    ] {
        assert!(!xml.contains(ui), "{ui} in the document");
    }
    let core = zip_entry(&bytes, "docProps/core.xml");
    assert!(core.contains("<dc:creator>王科长</dc:creator>"), "{core}");
    assert!(core.contains("2024-11-05T"), "{core}");

    // The agreement: both parties, the term, the fee clause, seal blocks.
    let model = f.ws.model();
    let p = model
        .pairings()
        .find(|p| p.helped.contains(&f.helped))
        .expect("a pairing");
    let doc = export::papers::agreement(Lang::Zh, model, p, today, "王科长");
    let bytes = export::docx::write(&doc).expect("docx");
    let xml = zip_entry(&bytes, "word/document.xml");
    for k in p.members() {
        assert!(xml.contains(&model.kindergarten_name(k)), "{k} named");
    }
    assert!(xml.contains("甲方（帮扶园）") && xml.contains("乙方（被帮扶园）"));
    let term = format!(
        "帮扶期限自{}起至{}止",
        export::docx::date_text(Lang::Zh, p.agreement.start),
        export::docx::date_text(Lang::Zh, p.agreement.end)
    );
    assert!(xml.contains(&term), "{term}");
    assert!(xml.contains("不向乙方收取品牌费、帮扶挂钩费"));
    assert!(xml.contains("盘山县教育局（盖章）"));
}

#[test]
fn timeliness_counts_on_time_late_and_missing() {
    let mut f = fixture();
    let sep = ReportKey::Monthly {
        district: f.district.clone(),
        month: YearMonth::parse("2024-09").expect("m"),
    };
    let oct = october(&f);
    let write = |ws: &mut Workspace, key: &ReportKey, on: &str| {
        ws.write(|w| {
            w.set_today(d(on));
            w.set_report_text(key, &[(Section::Progress, "进展".into())])?;
            w.submit_report(key, "县局")
        })
        .expect("submit");
    };
    write(&mut f.ws, &sep, "2024-09-20"); // on the due day: on time
    write(&mut f.ws, &oct, "2024-10-21"); // a day late
    let t = reports::timeliness(f.ws.model(), 2024, d("2024-11-05"));
    let ps = t
        .districts
        .iter()
        .find(|x| x.district_id == f.district)
        .expect("盘山县");
    let codes: Vec<&str> = ps.months.iter().map(|(_, s)| s.code()).collect();
    assert_eq!(codes, vec!["on_time", "late", "not_due", "not_due"]);
    assert_eq!(
        (ps.rate.expected, ps.rate.submitted, ps.rate.on_time),
        (2, 1 + 1, 1)
    );
    // The three other districts ran no agreement: they owe nothing, so
    // nothing of theirs is missing (the rule the overview's deadlines
    // follow too).
    assert_eq!(
        (t.monthly.expected, t.monthly.submitted, t.monthly.on_time),
        (2, 2, 1)
    );
    for other in t.districts.iter().filter(|x| x.district_id != f.district) {
        assert!(
            other.months.iter().all(|(_, s)| s.code() == "not_due"),
            "{other:?}"
        );
    }
    // 盘山县's agreement runs on: November's report, due 11-20 and not
    // sent, is missing on the 25th, and the overview lists it overdue.
    let later = d("2024-11-25");
    let t = reports::timeliness(f.ws.model(), 2024, later);
    assert_eq!(
        (t.monthly.expected, t.monthly.submitted, t.monthly.on_time),
        (3, 2, 1)
    );
    let reach = Reach::City;
    let overdue: Vec<_> = calendar::deadlines(f.ws.model(), later, &reach)
        .into_iter()
        .filter(|x| x.kind == calendar::DeadlineKind::MonthlyReport && x.overdue)
        .map(|x| (x.date, x.pending))
        .collect();
    assert_eq!(overdue, vec![(d("2024-11-20"), 1)]);
}

#[test]
fn new_settings_move_reports_not_started_and_keep_those_under_way() {
    let mut f = fixture();
    let oct = october(&f);
    f.ws.write(|w| w.set_report_text(&oct, &[(Section::Progress, "进展".into())]))
        .expect("start October's");
    let mut p = f.ws.model().programme.clone();
    p.report_due_day = 25;
    p.summary_due.kindergarten = MonthDay::parse("12-05").expect("day");
    f.ws.write(|w| w.set_programme(p)).expect("settings");
    // Kept by the stored settings, after a reopen too.
    let ws = Workspace::open(f.dir.path(), opts("市局")).expect("reopen");
    let m = ws.model();
    assert_eq!(m.programme.report_due_day, 25);
    assert_eq!(oct.due_in(m), Some(d("2024-10-20")), "under way: unchanged");
    let nov = ReportKey::Monthly {
        district: f.district.clone(),
        month: YearMonth::parse("2024-11").expect("m"),
    };
    assert_eq!(nov.due_in(m), Some(d("2024-11-25")));
    let summary = ReportKey::Annual {
        level: Level::Kindergarten,
        subject: Some(f.helped.clone()),
        year: 2024,
    };
    assert_eq!(summary.due_in(m), Some(d("2024-12-05")));
    // A due day that is not a day of every month is refused.
    let mut bad = m.programme.clone();
    bad.report_due_day = 31;
    drop(ws);
    let r = f.ws.write(|w| w.set_programme(bad));
    assert!(
        matches!(r, Err(EditError::Invalid(ps)) if matches!(ps[0].kind, ProblemKind::OutOfRange { .. }))
    );
}

#[test]
fn each_member_lists_the_reports_that_concern_it_and_what_waits_on_it_first() {
    let mut f = fixture();
    let (district, helped) = (f.district.clone(), f.helped.clone());
    let (bureau, _) = member(&mut f, MemberRole::DistrictAdmin, Some(&district), None);
    let (kindergarten, kindergarten_key) =
        member(&mut f, MemberRole::Kindergarten, None, Some(&helped));
    let december = d("2024-12-05");
    // The kindergarten: its own summary only, to write.
    let mine = reports::listed(f.ws.model(), Some(&kindergarten), december);
    assert!(!mine.is_empty());
    assert!(
        mine.iter().all(|x| reports::own(&kindergarten, &x.key)),
        "{mine:?}"
    );
    assert!(mine[0].yours && mine[0].to_write);
    // It submits; its bureau now finds it first, to review, and lists no
    // other district's reports.
    let key = mine[0].key.clone();
    let texts: Vec<(Section, String)> = reports::sections(&key)
        .iter()
        .map(|s| (*s, "内容。".to_string()))
        .collect();
    write_as(&mut f, &kindergarten_key, |w| {
        w.set_today(december);
        w.set_report_text(&key, &texts)?;
        w.submit_report(&key, "园长")
    })
    .expect("submitted");
    let theirs = reports::listed(f.ws.model(), Some(&bureau), december);
    assert_eq!(theirs[0].key, key);
    assert!(theirs[0].to_review);
    // 盘山县's reports, and the city's summary to read; no other district's.
    assert!(
        theirs.iter().all(|x| {
            let home = x.key.home(f.ws.model());
            home.is_none() || home.as_ref() == Some(&f.district)
        }),
        "only 盘山县's reports"
    );
    // The kindergarten's own is locked now: no longer to write.
    let mine = reports::listed(f.ws.model(), Some(&kindergarten), december);
    assert!(!mine[0].to_write && !mine[0].yours);
}

/// A small photo as a camera would give it.
fn photo(w: u32, h: u32, shade: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([shade, (x % 256) as u8, (y % 256) as u8])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&img)
        .expect("jpeg");
    out
}

#[test]
fn the_monthly_reports_word_file_shows_the_periods_photos_in_its_annex() {
    let mut f = fixture();
    let key = october(&f);
    let visit_on = |ws: &Workspace, day: &str| {
        ws.model()
            .visits()
            .find(|v| v.date == d(day))
            .expect("visit")
            .id
            .clone()
    };
    let file = |name: &str, bytes: Vec<u8>, caption: &str| bangfu::store::NewFile {
        prepared: bangfu::media::prepare(name, &bytes, false).expect("prepared"),
        kind: None,
        caption: caption.into(),
    };
    let first = visit_on(&f.ws, "2024-09-20");
    let last = visit_on(&f.ws, "2024-10-19");
    let after = visit_on(&f.ws, "2024-10-20");
    f.ws.attach(
        AttachedTo::Visit,
        &first,
        vec![
            file("课堂.jpg", photo(800, 600, 40), "集体教学"),
            file("教研.jpg", photo(600, 800, 200), "教研交流"),
        ],
    )
    .expect("attach");
    let pdf = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n".to_vec();
    f.ws.attach(AttachedTo::Visit, &last, vec![file("签到表.pdf", pdf, "")])
        .expect("attach");
    f.ws.attach(
        AttachedTo::Visit,
        &after,
        vec![file("下月.jpg", photo(64, 48, 9), "")],
    )
    .expect("attach");

    let m = f.ws.model();
    let mut doc = export::report_doc(Lang::Zh, m, &key, d("2024-10-25")).expect("doc");
    let blobs = f.ws.blobs();
    export::with_evidence(&mut doc, m, &key, |b| blobs.read(b));
    let bytes = export::report_file(&doc, FileFormat::Docx).expect("docx");

    // The package holds exactly the period's two photos, byte for byte.
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).expect("zip");
    let mut media: Vec<Vec<u8>> = Vec::new();
    for i in 0..z.len() {
        let mut e = z.by_index(i).expect("entry");
        if e.name().is_ok_and(|n| n.starts_with("word/media/")) {
            let mut b = Vec::new();
            e.read_to_end(&mut b).expect("read");
            media.push(b);
        }
    }
    let mut stored: Vec<Vec<u8>> = m
        .attachments_of(&first)
        .iter()
        .map(|a| blobs.read(&a.file).expect("here"))
        .collect();
    media.sort();
    stored.sort();
    assert_eq!(media, stored, "the photos of the period, as kept");
    let body = zip_entry(&bytes, "word/document.xml");
    assert_eq!(body.matches("<a:blip r:embed=\"rIdImage").count(), 2);
    assert!(body.contains("典型事例照片") && body.contains("佐证材料目录"));
    assert!(body.contains("图1") && body.contains("集体教学") && body.contains("签到表.pdf"));
    assert!(
        !body.contains("下月.jpg"),
        "a visit outside the period is not in it"
    );
    let rels = zip_entry(&bytes, "word/_rels/document.xml.rels");
    assert!(rels.contains("Target=\"media/image2.jpeg\""));
    assert!(zip_entry(&bytes, "[Content_Types].xml").contains("Extension=\"jpeg\""));
    // The Markdown file lists the same.
    let md = export::markdown::report(&doc);
    assert!(md.contains("图2") && md.contains("签到表.pdf") && !md.contains("下月"));
}
