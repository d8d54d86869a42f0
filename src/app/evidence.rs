//! A record's evidence (佐证材料), `A` on the visits, pairings and
//! inspections: its files with what is here of each, a preview of the
//! selected photo drawn in the terminal (halfblocks, which every terminal
//! shows), `a` to attach files (a path field that completes with Tab and
//! takes several files, a folder, or files dropped onto the terminal),
//! Enter to open a file with the system's viewer or, when it is not here
//! yet, to fetch it at once, `x` to write the files out with a clerk's
//! names, `d` to remove one (asked twice).

use super::Unsaved;
use super::action::Action;
use super::ctx::Ctx;
use super::dialog::Dialog;
use super::form::{Form, FormKind};
use super::forms::{open_spec_form, read_form};
use crate::domain::*;
use crate::input::Raw;
use crate::input::evidence::here;
use crate::input::records::attach as spec;
use crate::present::evidence::{self as words, Here};
use crate::store::NewFile;
use crate::tr;
use ratatui::crossterm::event::KeyEvent;

/// The preview's size in cells.
pub const PREVIEW: (u16, u16) = (36, 14);

/// A record's files, as the dialog shows them.
#[derive(Debug, Clone)]
pub struct Files {
    pub to: AttachedTo,
    pub record: Id,
    /// The record's name, and the dialog's title.
    pub name: String,
    pub title: String,
    pub items: Vec<Item>,
    pub selected: usize,
    pub preview: Option<Preview>,
}

/// One attachment: its line in the list, its details, what is here.
#[derive(Debug, Clone)]
pub struct Item {
    pub id: Id,
    pub line: String,
    pub details: Vec<(String, String)>,
    pub here: Here,
}

/// A photo drawn for the terminal.
#[derive(Clone)]
pub struct Preview(pub ratatui_image::protocol::Protocol);

impl std::fmt::Debug for Preview {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Preview")
    }
}

impl Files {
    /// A record's files as they are now.
    fn of(cx: &Ctx<'_>, to: AttachedTo, record: Id) -> Box<Files> {
        let mut f = Box::new(Files {
            to,
            record,
            name: String::new(),
            title: String::new(),
            items: Vec::new(),
            selected: 0,
            preview: None,
        });
        reload(cx, &mut f);
        f
    }
}

/// `A` on a record: its evidence.
pub fn open(cx: &mut Ctx<'_>, to: AttachedTo, record: Option<&Id>) {
    let Some(record) = record.cloned() else {
        return;
    };
    let files = Files::of(cx, to, record);
    cx.open(Dialog::Evidence(files));
}

/// Every tick: an open dialog follows what sync brings in the background
/// (a file arriving, an attachment added or removed elsewhere).
pub fn tick(cx: &mut Ctx<'_>) {
    // A tick is not a key: a removal asked once stays asked.
    cx.asked.wait = cx.waiting.take();
    let Some(Dialog::Evidence(f)) = cx.dialog.as_mut() else {
        return;
    };
    let blobs = cx.ws.blobs();
    let now = cx.ws.model().attachments_of(&f.record);
    let same = now.len() == f.items.len()
        && now
            .iter()
            .zip(&f.items)
            .all(|(a, item)| a.id == item.id && here(&blobs, a) == item.here);
    if !same && let Some(Dialog::Evidence(mut f)) = cx.dialog.take() {
        reload(cx, &mut f);
        cx.open(Dialog::Evidence(f));
    }
}

/// Reads the record's attachments again (after a change, an arrival).
fn reload(cx: &Ctx<'_>, f: &mut Files) {
    let l = cx.lang;
    let m = cx.model();
    let blobs = cx.ws.blobs();
    f.name = crate::present::record_name(l, m, f.to.entity(), &f.record);
    f.title = tr!(l, "evidence.title", name = f.name.as_str());
    let columns = crate::present::headers(l, &words::COLUMNS);
    f.items = m
        .attachments_of(&f.record)
        .iter()
        .map(|a| {
            let h = here(&blobs, a);
            let row = words::row(l, a, h);
            Item {
                id: a.id.clone(),
                line: format!(
                    "{}  {}  {}",
                    row.get(1).cloned().unwrap_or_default(),
                    row.get(3).cloned().unwrap_or_default(),
                    row.get(7).cloned().unwrap_or_default()
                ),
                details: columns
                    .iter()
                    .cloned()
                    .zip(row)
                    .skip(1)
                    .chain(
                        words::source(l, a, h)
                            .map(|s| (crate::i18n::text(l, "evidence.source_label"), s)),
                    )
                    .collect(),
                here: h,
            }
        })
        .collect();
    f.selected = f.selected.min(f.items.len().saturating_sub(1));
    f.preview = preview(cx, f);
}

/// The selected photo (its thumbnail, else the file) drawn in halfblocks.
fn preview(cx: &Ctx<'_>, f: &Files) -> Option<Preview> {
    let id = &f.items.get(f.selected)?.id;
    let a = cx.model().attachment(id)?;
    let blobs = cx.ws.blobs();
    let bytes = a
        .thumbnail
        .as_ref()
        .and_then(|t| blobs.read(t))
        .or_else(|| {
            (a.format != FileFormat::Pdf)
                .then(|| blobs.read(&a.file))
                .flatten()
        })?;
    let img = crate::media::decode_preview(&bytes)?;
    let picker = ratatui_image::picker::Picker::halfblocks();
    let size = ratatui::layout::Size::new(PREVIEW.0, PREVIEW.1);
    picker
        .new_protocol(img, size, ratatui_image::Resize::Fit(None))
        .ok()
        .map(Preview)
}

/// A key on the dialog; true when it asks to quit.
pub fn key(cx: &mut Ctx<'_>, k: KeyEvent) -> bool {
    let Some(Dialog::Evidence(mut f)) = cx.dialog.take() else {
        return false;
    };
    let last = f.items.len().saturating_sub(1);
    let before = f.selected;
    match cx.keymap.normal_action(&k) {
        Some(Action::Quit) if super::form::is_control(&k) => return true,
        Some(Action::Back | Action::Quit) => return false,
        Some(Action::Up) => f.selected = f.selected.saturating_sub(1),
        Some(Action::Down) => f.selected = f.selected.saturating_add(1).min(last),
        Some(Action::Home) => f.selected = 0,
        Some(Action::End) => f.selected = last,
        Some(Action::Add) => {
            let title = tr!(cx.lang, "evidence.add_title", name = f.name.as_str());
            let kind = FormKind::Attach(f.to, f.record.clone());
            open_spec_form(cx, kind, title, spec::FIELDS, &Raw::new());
            return false;
        }
        Some(Action::Select) => open_or_fetch(cx, &f),
        Some(Action::Export) => write_out(cx, &f),
        Some(Action::Delete) => detach(cx, &mut f),
        _ => {}
    }
    if f.selected != before {
        f.preview = preview(cx, &f);
    }
    if cx.dialog.is_none() {
        cx.open(Dialog::Evidence(f));
    }
    false
}

/// Enter: a file here opens in the system's viewer (from a copy named as
/// a clerk names it); one not here is asked for and a sync started.
fn open_or_fetch(cx: &mut Ctx<'_>, f: &Files) {
    let l = cx.lang;
    let Some(a) = f
        .items
        .get(f.selected)
        .and_then(|i| cx.model().attachment(&i.id))
        .cloned()
    else {
        return;
    };
    let blobs = cx.ws.blobs();
    let Some(bytes) = blobs.read(&a.file) else {
        let said = match cx.ws.ask_for_file(&a) {
            Ok(_) => {
                if let Some(agent) = cx.sync {
                    agent.sync_now();
                }
                tr!(l, "evidence.fetching", name = a.name.as_str())
            }
            Err(e) => crate::i18n::store_error(l, &e),
        };
        return cx.say(said);
    };
    let stem = words::clerk_stem(l, cx.model(), &a);
    let name = words::clerk_name(&stem, &a, f.selected.saturating_add(1));
    let path = cx.data_dir.join("open").join(name);
    let said = match std::fs::create_dir_all(cx.data_dir.join("open"))
        .and_then(|()| crate::export::write_file_atomically(&path, &bytes))
    {
        Ok(()) => match crate::media::open_with_viewer(&path) {
            Ok(()) => tr!(l, "evidence.opened", path = path.display().to_string()),
            Err(_) => tr!(l, "evidence.no_viewer", path = path.display().to_string()),
        },
        Err(e) => tr!(
            l,
            "export.failed",
            path = path.display().to_string(),
            detail = e.to_string()
        ),
    };
    cx.say(said);
}

/// `x`: the record's files written to the export folder, named as a
/// clerk names them.
fn write_out(cx: &mut Ctx<'_>, f: &Files) {
    let l = cx.lang;
    let m = cx.model();
    let list = m.attachments_of(&f.record);
    let dir = cx
        .export_dir
        .join(crate::present::printable(&f.title).replace(['/', '\\'], "_"));
    let said = match crate::input::evidence::write_out(l, m, &cx.ws.blobs(), &list, &dir) {
        Ok(n) => tr!(
            l,
            "evidence.exported",
            count = n,
            dir = dir.display().to_string()
        ),
        Err(why) => why,
    };
    cx.say(said);
}

/// `d`, twice: the selected attachment removed (kept in its history).
fn detach(cx: &mut Ctx<'_>, f: &mut Files) {
    let Some(item) = f.items.get(f.selected) else {
        return;
    };
    let id = item.id.clone();
    let what = item.line.clone();
    if !cx.confirmed(Action::Delete, &id, what) {
        return;
    }
    match cx.write(|w| w.delete(Entity::Attachment, &id)) {
        Ok(()) => {
            let said = tr!(cx.lang, "evidence.detached", name = item.line.as_str());
            cx.say(said);
            reload(cx, f);
        }
        Err(why) => cx.say_unsaved(why),
    }
}

/// The attach form saved: every file read and prepared, the good ones
/// attached in one write; the dialog shows them, the status bar says what
/// was refused and why.
pub fn submit(
    cx: &mut Ctx<'_>,
    form: &mut Form,
    to: AttachedTo,
    record: &Id,
) -> Result<(), Unsaved> {
    let l = cx.lang;
    let draft = read_form(cx, form, spec::read)?;
    let (ready, refused) = crate::input::evidence::read_files(l, &draft.files, false);
    if ready.is_empty() {
        let said = refused
            .first()
            .cloned()
            .unwrap_or_else(|| tr!(l, "evidence.nothing"));
        if !form.set_error(spec::FILES.key, said.clone()) {
            form.message = Some(said);
        }
        return Err(Unsaved::Shown);
    }
    let count = ready.len();
    let new: Vec<NewFile> = ready
        .into_iter()
        .map(|prepared| NewFile {
            prepared,
            kind: None,
            caption: draft.caption.clone(),
        })
        .collect();
    if let Err(e) = cx.ws.attach(to, record, new) {
        let said = crate::i18n::edit_error(l, &e);
        form.message = Some(said);
        return Err(Unsaved::Shown);
    }
    *cx.save = super::SaveState::Saved;
    if let Some(agent) = cx.sync {
        agent.edited();
    }
    cx.asked.reread = true;
    let mut files = Files::of(cx, to, record.clone());
    files.selected = files.items.len().saturating_sub(count);
    files.preview = preview(cx, &files);
    let mut said = tr!(l, "evidence.added", count = count);
    if !refused.is_empty() {
        said = format!("{said}；{}", refused.join("；"));
    }
    cx.say(said);
    cx.open(Dialog::Evidence(files));
    Ok(())
}
