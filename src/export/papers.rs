//! What each official document says: a report or summary as the bureau
//! files it, and a pairing's agreement (帮扶协议书) with both parties, its
//! term, forms, content, duties, the fee clause and signature blocks. Only
//! the document's own words: nothing of the interface (statuses, "can be
//! refreshed", commands).

use super::docx::{Block, Cell, Official, date_text};
use super::{ExportError, ReportDoc};
use crate::domain::*;
use crate::i18n::{self, Lang, label};
use crate::tr;
use chrono::NaiveDate;

/// The figures as a table with a 项目 / 数量 header.
fn figures_table(doc: &ReportDoc) -> Block {
    let l = doc.lang;
    Block::Table {
        header: vec![tr!(l, "doc.item"), tr!(l, "doc.amount")],
        rows: doc
            .figures
            .iter()
            .map(|r| {
                vec![
                    Cell {
                        sub: r.sub,
                        ..Cell::text(r.label.clone())
                    },
                    Cell::number(r.value.text()),
                ]
            })
            .collect(),
        shares: vec![3, 1],
    }
}

/// A report or summary as an official document: its written sections
/// (those with text), its figures as an attachment table with its note,
/// the summaries below it, then the issuer and the date.
pub fn report(doc: &ReportDoc) -> Official {
    let l = doc.lang;
    let mut blocks = Vec::new();
    for (_, heading, text) in &doc.sections {
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .collect();
        if lines.is_empty() {
            continue;
        }
        blocks.push(Block::Heading(heading.clone()));
        blocks.extend(lines.into_iter().map(|t| Block::Para(t.to_string())));
    }
    if !doc.figures.is_empty() {
        blocks.push(Block::Heading(tr!(l, "doc.figures")));
        blocks.push(figures_table(doc));
        if let Some(note) = &doc.figures_note {
            blocks.push(Block::Para(note.clone()));
        }
    }
    if let Some((heading, rows)) = &doc.below {
        blocks.push(Block::Heading(tr!(l, "doc.attached", what = heading)));
        blocks.push(Block::Table {
            header: vec![tr!(l, "doc.name"), tr!(l, "doc.standing")],
            rows: rows
                .iter()
                .map(|(n, s)| vec![Cell::text(n.clone()), Cell::text(s.clone())])
                .collect(),
            shares: vec![3, 2],
        });
    }
    let (annex, pictures) = annex(doc);
    Official {
        lang: l,
        title: doc.title.clone(),
        blocks,
        issuer: vec![doc.issuer.clone()],
        dated: doc.dated,
        author: doc.author.clone(),
        annex,
        pictures,
    }
}

/// The annex: the photos, each with its caption (图1 …), then the list of
/// supporting documents.
fn annex(doc: &ReportDoc) -> (Vec<Block>, Vec<super::docx::Picture>) {
    let l = doc.lang;
    let e = &doc.evidence;
    let mut blocks = Vec::new();
    if !e.photos.is_empty() {
        blocks.push(Block::Heading(tr!(l, "doc.annex_photos")));
        for (i, (_, caption)) in e.photos.iter().enumerate() {
            blocks.push(Block::Picture {
                index: i,
                caption: tr!(
                    l,
                    "doc.figure",
                    n = i.saturating_add(1),
                    caption = caption.as_str()
                ),
            });
        }
    }
    if !e.documents.is_empty() {
        blocks.push(Block::Heading(tr!(l, "doc.annex_documents")));
        blocks.extend(
            e.documents
                .iter()
                .enumerate()
                .map(|(i, d)| Block::Line(format!("{}. {d}", i.saturating_add(1)))),
        );
    }
    let pictures = e.photos.iter().map(|(p, _)| p.clone()).collect();
    (blocks, pictures)
}

/// A report as the bytes of a `.docx` file.
pub fn report_docx(doc: &ReportDoc) -> Result<Vec<u8>, ExportError> {
    super::docx::write(&report(doc))
}

/// The bureau of a district, as it signs: 大洼区教育局.
pub fn bureau(lang: Lang, name: &str) -> String {
    tr!(lang, "doc.bureau", name = name)
}

/// Whole years between two dates, counting a term that ends the day
/// before an anniversary as reaching it.
fn years_between(start: NaiveDate, end: NaiveDate) -> i32 {
    let next = end.succ_opt().unwrap_or(end);
    let mut years = chrono::Datelike::year(&next).saturating_sub(chrono::Datelike::year(&start));
    if (chrono::Datelike::month(&next), chrono::Datelike::day(&next))
        < (
            chrono::Datelike::month(&start),
            chrono::Datelike::day(&start),
        )
    {
        years = years.saturating_sub(1);
    }
    years.max(0)
}

/// The signature and seal blocks: both kindergartens (with the day they
/// signed, or a blank to fill in), then each supervising bureau.
fn signature_blocks(
    l: Lang,
    parties: (&str, &str),
    bureaus: &[String],
    signed: Option<NaiveDate>,
) -> Vec<Block> {
    let mut out = Vec::new();
    out.push(Block::Line(String::new()));
    let signed = signed
        .map(|d| date_text(l, d))
        .unwrap_or_else(|| tr!(l, "doc.agreement.date_blank"));
    let side = |who: &str, names: &str| {
        vec![
            tr!(l, who),
            names.to_string(),
            tr!(l, "doc.agreement.signer"),
            String::new(),
            tr!(l, "doc.agreement.dated", date = signed.as_str()),
        ]
    };
    out.push(Block::Signatures(vec![
        side("doc.agreement.seal_a", parties.0),
        side("doc.agreement.seal_b", parties.1),
    ]));
    out.push(Block::Line(String::new()));
    out.push(Block::Signatures(
        bureaus
            .iter()
            .map(|b| {
                vec![
                    tr!(l, "doc.agreement.seal_bureau", name = b.as_str()),
                    String::new(),
                    tr!(
                        l,
                        "doc.agreement.dated",
                        date = tr!(l, "doc.agreement.date_blank")
                    ),
                ]
            })
            .collect(),
    ));
    out
}

/// A small count as a document writes it: 三, or 3.
fn count_text(lang: Lang, n: usize) -> String {
    const ZH: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match (lang, ZH.get(n)) {
        (Lang::Zh, Some(word)) => (*word).to_string(),
        _ => n.to_string(),
    }
}

/// What an agreement says the support is: its forms, its content (tasks,
/// goals, schedule) and both sides' duties (the agreed text, or the
/// standard's when none was written).
fn agreement_terms(l: Lang, a: &Agreement) -> Vec<Block> {
    let or_none = |s: &str| {
        if s.trim().is_empty() {
            tr!(l, "doc.agreement.blank")
        } else {
            s.trim().to_string()
        }
    };
    let mut blocks = vec![
        Block::Heading(tr!(l, "doc.agreement.forms")),
        Block::Para(if a.forms.is_empty() {
            tr!(l, "doc.agreement.blank")
        } else {
            i18n::labels(l, &a.forms)
        }),
        Block::Heading(tr!(l, "doc.agreement.content")),
    ];
    if !a.tasks.is_empty() {
        blocks.push(Block::Para(tr!(
            l,
            "doc.agreement.tasks",
            tasks = i18n::labels(l, &a.tasks)
        )));
    }
    for (key, text) in [
        ("doc.agreement.goals", &a.goals),
        ("doc.agreement.schedule", &a.schedule),
    ] {
        blocks.push(Block::Para(format!("{}{}", tr!(l, key), or_none(text))));
    }
    blocks.push(Block::Heading(tr!(l, "doc.agreement.duties")));
    if a.rights.trim().is_empty() {
        blocks.push(Block::Para(tr!(l, "doc.agreement.duty_a")));
        blocks.push(Block::Para(tr!(l, "doc.agreement.duty_b")));
    } else {
        blocks.extend(
            a.rights
                .lines()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(|t| Block::Para(t.to_string())),
        );
    }
    blocks
}

/// A pairing's agreement (帮扶协议书), as both kindergartens sign it and
/// their bureaus confirm it. `dated` is the day it was signed, or the day
/// it is printed for signing.
pub fn agreement(
    lang: Lang,
    model: &Model,
    p: &Pairing,
    dated: NaiveDate,
    author: &str,
) -> Official {
    let l = lang;
    let a = &p.agreement;
    let bureaus: Vec<String> = {
        let mut ds: Vec<&Id> = p
            .members()
            .filter_map(|k| model.kindergarten(k).map(|k| &k.district_id))
            .collect();
        ds.sort();
        ds.dedup();
        ds.into_iter()
            .map(|d| bureau(l, &model.district_name(d)))
            .collect()
    };
    let names = |ids: &[Id]| crate::present::names(model, ids, l);
    let (helpers, helped) = (names(&p.helpers), names(&p.helped));
    let mut blocks = vec![
        Block::Line(tr!(l, "doc.agreement.party_a", names = helpers)),
        Block::Line(tr!(l, "doc.agreement.party_b", names = helped)),
        Block::Para(tr!(
            l,
            "doc.agreement.preamble",
            programme = model.programme.name.as_str(),
            mode = label(l, p.mode)
        )),
        Block::Heading(tr!(l, "doc.agreement.term")),
        Block::Para(tr!(
            l,
            "doc.agreement.term_text",
            start = date_text(l, a.start),
            end = date_text(l, a.end),
            years = years_between(a.start, a.end)
        )),
    ];
    blocks.extend(agreement_terms(l, a));
    blocks.push(Block::Heading(tr!(l, "doc.agreement.fees")));
    blocks.push(Block::Para(tr!(l, "doc.agreement.fees_text")));
    blocks.push(Block::Heading(tr!(l, "doc.agreement.other")));
    blocks.push(Block::Para(tr!(
        l,
        "doc.agreement.copies",
        copies = count_text(l, bureaus.len().saturating_add(2))
    )));
    let signed = a.signed.as_ref().map(|s| s.on);
    blocks.extend(signature_blocks(l, (&helpers, &helped), &bureaus, signed));
    // The signed and sealed copy on file, when one is attached.
    let sealed: Vec<Block> = model
        .attachments_of(&p.id)
        .iter()
        .filter(|x| x.kind == EvidenceKind::SealedAgreement && x.removed.is_none())
        .map(|x| {
            Block::Line(tr!(
                l,
                "doc.agreement.sealed_scan",
                name = crate::present::printable(&x.name).into_owned(),
                on = date_text(l, x.added.on)
            ))
        })
        .collect();
    blocks.extend(sealed);
    Official {
        lang: l,
        title: tr!(l, "doc.agreement.title"),
        blocks,
        issuer: Vec::new(),
        dated,
        author: author.to_string(),
        annex: Vec::new(),
        pictures: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::Value;
    use super::*;

    #[test]
    fn a_term_to_the_day_before_an_anniversary_counts_whole_years() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default();
        assert_eq!(years_between(d(2024, 9, 25), d(2026, 9, 24)), 2);
        assert_eq!(years_between(d(2024, 9, 25), d(2026, 9, 23)), 1);
        assert_eq!(years_between(d(2024, 9, 1), d(2027, 8, 31)), 3);
    }

    #[test]
    fn dates_are_written_the_official_way() {
        let d = NaiveDate::from_ymd_opt(2024, 9, 18).unwrap_or_default();
        assert_eq!(date_text(Lang::Zh, d), "2024年9月18日");
        assert_eq!(date_text(Lang::En, d), "18 September 2024");
    }

    #[test]
    fn a_report_document_carries_no_interface_wording() {
        let doc = ReportDoc {
            lang: Lang::Zh,
            title: "大洼区农村幼儿园帮扶工作月报表（2024年10月）".into(),
            facts: vec![("状态".into(), "草稿".into())],
            figures_heading: "统计数据（尚未生成：请刷新）".into(),
            figures: vec![super::super::FigureRow {
                label: "帮扶活动（次）".into(),
                value: Value::Count(3),
                sub: false,
            }],
            figures_note: None,
            sections: vec![(Section::Progress, "一、工作进展".into(), String::new())],
            below: None,
            issuer: "大洼区教育局".into(),
            dated: NaiveDate::from_ymd_opt(2024, 11, 18).unwrap_or_default(),
            author: "王老师".into(),
            evidence: Default::default(),
        };
        let o = report(&doc);
        let all = format!("{o:?}");
        for ui in ["草稿", "刷新", "状态", "一、工作进展"] {
            assert!(!all.contains(ui), "{ui} in {all}");
        }
        assert!(all.contains("帮扶活动（次）"), "{all}");
        assert_eq!(o.issuer, vec!["大洼区教育局".to_string()]);
    }
}
