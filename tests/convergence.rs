//! Convergence under a bad network, as a property: 3–5 devices of different
//! roles make random edits within their scope while sessions between random
//! pairs are cut at random points and bundles arrive twice and out of order;
//! once the edits stop, at most 10 rounds of plain syncs leave every device
//! with exactly the records the city has of what it holds, and no honest
//! change was ever refused.
//!
//! `BANGFU_CONVERGENCE_CASES` sets the number of cases (1,000 by default,
//! 10,000 for the long run).

use bangfu::demo::{self, Scale};
use bangfu::domain::*;
use bangfu::store::{Options, Workspace};
use bangfu::sync::bundle;
use bangfu::sync::session::{self, Shared, lock};
use chrono::NaiveDate;
use iroh::SecretKey;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

fn options(person: &str) -> Options {
    Options::new(person, NaiveDate::from_ymd_opt(2026, 11, 28).expect("date"))
}

fn cases() -> usize {
    std::env::var("BANGFU_CONVERGENCE_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000)
}

/// A line that breaks: after `left` bytes written, both of one side's
/// stream halves fail (as a dropped connection does), so a session cut
/// mid-way ends on both sides.
#[derive(Default)]
struct Line {
    broken: AtomicBool,
    reader: Mutex<Option<Waker>>,
}

impl Line {
    fn brake(&self) {
        self.broken.store(true, Ordering::SeqCst);
        if let Some(w) = self.reader.lock().ok().and_then(|mut r| r.take()) {
            w.wake();
        }
    }
}

fn broken() -> std::io::Error {
    std::io::ErrorKind::BrokenPipe.into()
}

struct CutWrite<W> {
    inner: W,
    left: usize,
    line: Arc<Line>,
}

impl<W: AsyncWrite + Unpin> AsyncWrite for CutWrite<W> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        if self.left == 0 {
            self.line.brake();
            return Poll::Ready(Err(broken()));
        }
        let n = buf.len().min(self.left);
        let r = Pin::new(&mut self.inner).poll_write(cx, buf.get(..n).unwrap_or_default());
        if let Poll::Ready(Ok(k)) = &r {
            self.left = self.left.saturating_sub(*k);
        }
        r
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

struct CutRead<R> {
    inner: R,
    line: Arc<Line>,
}

impl<R: AsyncRead + Unpin> AsyncRead for CutRead<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if let Ok(mut w) = self.line.reader.lock() {
            *w = Some(cx.waker().clone());
        }
        if self.line.broken.load(Ordering::SeqCst) {
            return Poll::Ready(Err(broken()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

/// One session between two devices in this process; `cut`: each side's
/// writes break after that many bytes.
async fn sync(a: &Device, b: &Device, cut: Option<usize>) -> bool {
    let (x, y) = tokio::io::duplex(256 * 1024);
    let (xr, xw) = tokio::io::split(x);
    let (yr, yw) = tokio::io::split(y);
    let left = cut.unwrap_or(usize::MAX);
    let (lx, ly) = (Arc::new(Line::default()), Arc::new(Line::default()));
    let mut xr = CutRead {
        inner: xr,
        line: lx.clone(),
    };
    let mut xw = CutWrite {
        inner: xw,
        left,
        line: lx,
    };
    let mut yr = CutRead {
        inner: yr,
        line: ly.clone(),
    };
    let mut yw = CutWrite {
        inner: yw,
        left,
        line: ly,
    };
    // Each side's stream halves end with its session, so a side that
    // stops (a cut) closes the stream and the other reads its end.
    let one = async move {
        let r = session::run(
            &a.ws,
            &b.id,
            session::Role::Dialer,
            &mut xr,
            &mut xw,
            |_| {},
        )
        .await;
        drop((xr, xw));
        r
    };
    let two = async move {
        let r = session::run(
            &b.ws,
            &a.id,
            session::Role::Acceptor,
            &mut yr,
            &mut yw,
            |_| {},
        )
        .await;
        drop((yr, yw));
        r
    };
    let (r1, r2) = tokio::join!(one, two);
    r1.is_ok() && r2.is_ok()
}

struct Device {
    id: String,
    ws: Shared,
    dir: PathBuf,
}

/// The template every case starts from: the city's demo (small) and four
/// other devices that joined it and synced once.
struct Template {
    _root: tempfile::TempDir,
    dirs: Vec<PathBuf>,
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("dir");
    for e in std::fs::read_dir(from).expect("read dir").flatten() {
        let name = e.file_name();
        if name.to_string_lossy().ends_with("-shm") {
            continue;
        }
        if e.path().is_dir() {
            copy_dir(&e.path(), &to.join(name));
            continue;
        }
        std::fs::copy(e.path(), to.join(name)).expect("copy");
    }
}

fn key_file(dir: &Path, key: &SecretKey) {
    std::fs::create_dir_all(dir).expect("dir");
    std::fs::write(
        bangfu::identity::key_path(dir),
        format!("{}\n", bangfu::identity::hex(&key.to_bytes())),
    )
    .expect("key");
}

fn open(dir: &Path, name: &str) -> Device {
    let ws = Workspace::open(dir, options(name)).expect("open");
    let id =
        bangfu::identity::endpoint_hex(&bangfu::identity::load(dir).expect("key").expect("a key"));
    Device {
        id,
        ws: Arc::new(Mutex::new(ws)),
        dir: dir.to_path_buf(),
    }
}

async fn template() -> Template {
    let root = tempfile::tempdir().expect("tempdir");
    let city_dir = root.path().join("0");
    demo::create(&city_dir, Scale::Small, 11, options("市局")).expect("demo");
    let city = open(&city_dir, "市局");
    let (district, kg, other_kg) = {
        let w = lock(&city.ws);
        let m = w.model();
        let d = m.district_by_name("盘山县").expect("盘山县").id.clone();
        let paired = |k: &Kindergarten| m.pairings().any(|p| p.helped.contains(&k.id));
        let kg = m
            .kindergartens()
            .find(|k| k.district_id == d && paired(k))
            .expect("a paired kindergarten in 盘山县")
            .id
            .clone();
        let other = m
            .kindergartens()
            .find(|k| k.district_id != d && paired(k))
            .expect("a paired kindergarten elsewhere")
            .id
            .clone();
        (d, kg, other)
    };
    let member = |name: &str, role, district, kindergarten, districts| Member {
        id: String::new(),
        name: name.into(),
        role,
        district,
        kindergarten,
        districts,
        added_by: city.id.clone(),
        added_on: NaiveDate::from_ymd_opt(2026, 11, 1).expect("date"),
        revoked: false,
    };
    let roles = vec![
        member(
            "县局",
            MemberRole::DistrictAdmin,
            Some(district.clone()),
            None,
            vec![],
        ),
        member("村园", MemberRole::Kindergarten, None, Some(kg), vec![]),
        member(
            "督导",
            MemberRole::Inspector,
            None,
            None,
            vec![district.clone()],
        ),
        member(
            "镇园",
            MemberRole::Kindergarten,
            None,
            Some(other_kg),
            vec![],
        ),
    ];
    let mut dirs = vec![city_dir.clone()];
    for (i, m) in roles.into_iter().enumerate() {
        let key = SecretKey::from_bytes(&[u8::try_from(i).unwrap_or(0).saturating_add(101); 32]);
        let id = bangfu::identity::endpoint_hex(&key);
        let name = m.name.clone();
        lock(&city.ws)
            .write(|w| {
                w.put_member(Member {
                    id: id.clone(),
                    ..m
                })
            })
            .expect("grant");
        let dir = root.path().join((i + 1).to_string());
        key_file(&dir, &key);
        let workspace = lock(&city.ws).workspace_id().to_string();
        drop(Workspace::create_joined(&dir, &workspace, options(&name)).expect("joined"));
        let dev = open(&dir, &name);
        assert!(sync(&dev, &city, None).await, "first sync of {name}");
        dirs.push(dir);
    }
    drop(city);
    Template { _root: root, dirs }
}

/// One random edit within the device's scope, through the writer (which
/// refuses anything out of scope; such a try is simply skipped).
fn edit(d: &Device, rng: &mut ChaCha8Rng, n: usize) {
    let mut w = lock(&d.ws);
    let Some(me) = w.model().active_member(&d.id).cloned() else {
        return;
    };
    let m = w.model();
    let pairings: Vec<Pairing> = m
        .pairings()
        .filter(|p| match me.role {
            MemberRole::Kindergarten => p.members().any(|k| Some(k) == me.kindergarten.as_ref()),
            MemberRole::DistrictAdmin | MemberRole::Inspector => {
                Some(&p.district_id) == me.district.as_ref()
                    || me.districts.contains(&p.district_id)
            }
            _ => true,
        })
        .cloned()
        .collect();
    if pairings.is_empty() {
        return;
    }
    let p = pairings[rng.random_range(0..pairings.len())].clone();
    let visits: Vec<Visit> = m
        .visits()
        .filter(|v| v.pairing_id == p.id)
        .cloned()
        .collect();
    let choice = rng.random_range(0..3);
    let date = NaiveDate::from_ymd_opt(2026, 11, 1 + rng.random_range(0..20)).expect("date");
    let _ = w.write(|wr| match (me.role, choice) {
        (MemberRole::Inspector, _) => {
            let id = wr.new_id();
            wr.put_inspection(Inspection {
                id,
                district_id: p.district_id.clone(),
                pairing_id: Some(p.id.clone()),
                kindergarten_id: None,
                date,
                inspector: "督导".into(),
                scores: Scores {
                    philosophy: 4,
                    care_education: 3,
                    environment: 4,
                    management: 5,
                },
                findings: format!("第{n}次检查：材料投放不足"),
                guidance: "增加区域材料".into(),
                follow_up_due: None,
            })
            .map(|_| ())
        }
        (_, 0) | (_, 1) if !visits.is_empty() => {
            // The same note edited on several devices at once.
            let mut v = visits[rng.random_range(0..visits.len())].clone();
            v.note.push_str(&format!("（{n}）"));
            v.teachers_reached = rng.random_range(1..20);
            wr.put_visit(v).map(|_| ())
        }
        _ => {
            let v = Visit::of_pairing(
                wr.new_id(),
                &p,
                date,
                SupportForm::OnSiteGuidance,
                &format!("第{n}次指导"),
            );
            wr.put_visit(v).map(|_| ())
        }
    });
}

/// What a device holds, as the city must hold it too: each record of each
/// district document it has, and the programme's districts and targets,
/// by a key naming it.
fn holding(d: &Device, districts: &[Id]) -> std::collections::BTreeMap<String, String> {
    let w = lock(&d.ws);
    let m = w.model();
    let mut out = std::collections::BTreeMap::new();
    let json = |v: serde_json::Value| v.to_string();
    out.insert(
        "districts".to_string(),
        json(serde_json::json!(m.districts)),
    );
    out.insert(
        "targets".to_string(),
        json(serde_json::json!(m.targets.values().collect::<Vec<_>>())),
    );
    for id in districts {
        let Some(data) = m.data.get(id) else {
            out.insert(format!("{id}"), "missing".into());
            continue;
        };
        if let serde_json::Value::Object(collections) = serde_json::json!(data) {
            for (c, records) in collections {
                if let serde_json::Value::Object(rs) = records {
                    for (k, v) in rs {
                        out.insert(format!("{id}/{c}/{k}"), v.to_string());
                    }
                }
            }
        }
    }
    out
}

/// The keys whose records differ between two holdings.
fn differing(
    a: &std::collections::BTreeMap<String, String>,
    b: &std::collections::BTreeMap<String, String>,
) -> Vec<String> {
    a.keys()
        .chain(b.keys())
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| format!("{k}: {:?} / {:?}", a.get(k), b.get(k)))
        .collect()
}

fn districts_of(d: &Device) -> Vec<Id> {
    lock(&d.ws)
        .doc_ids()
        .iter()
        .filter_map(|doc| doc.strip_prefix("district/").and_then(Id::parse))
        .collect()
}

#[tokio::test(flavor = "current_thread")]
async fn replicas_of_every_role_converge_after_cuts_duplicates_and_reordering() {
    let t = template().await;
    let n = cases();
    let mut rng = ChaCha8Rng::seed_from_u64(0xC0DE_0009);
    let mut cut_sessions = 0usize;
    let mut max_rounds = 0usize;
    for case in 0..n {
        let work = tempfile::tempdir().expect("tempdir");
        let size = rng.random_range(3..=5);
        let names = ["市局", "县局", "村园", "督导", "镇园"];
        let devices: Vec<Device> = (0..size)
            .map(|i| {
                let dir = work.path().join(i.to_string());
                copy_dir(&t.dirs[i], &dir);
                open(&dir, names[i])
            })
            .collect();
        let mut stale: Vec<(usize, Vec<u8>)> = Vec::new();
        // Edits and a bad network, interleaved.
        for step in 0..rng.random_range(4..10) {
            let d = rng.random_range(0..size);
            edit(&devices[d], &mut rng, case * 100 + step);
            let (a, b) = (rng.random_range(0..size), rng.random_range(0..size));
            if a != b {
                match rng.random_range(0..4) {
                    0 => {
                        // A bundle for a USB stick: delivered now, and
                        // again later, after newer changes (duplicated and
                        // out of order).
                        let docs = lock(&devices[a].ws).doc_ids().into_iter().collect();
                        if let Ok(bytes) = bundle::export(&mut lock(&devices[a].ws), &docs, None) {
                            let _ = bundle::import(&mut lock(&devices[b].ws), &bytes);
                            stale.push((b, bytes));
                        }
                    }
                    1 => {
                        cut_sessions += 1;
                        let cut = rng.random_range(50..20_000);
                        sync(&devices[a], &devices[b], Some(cut)).await;
                    }
                    _ => {
                        sync(&devices[a], &devices[b], None).await;
                    }
                }
            }
            if !stale.is_empty() && rng.random_range(0..3) == 0 {
                let (to, bytes) = &stale[rng.random_range(0..stale.len())];
                let _ = bundle::import(&mut lock(&devices[*to].ws), bytes);
            }
        }
        // The edits stop; plain rounds until nothing moves (at most 10).
        let mut rounds = 0;
        for _ in 0..10 {
            rounds += 1;
            let mut moved = false;
            for a in 0..size {
                for b in (a + 1)..size {
                    let before = (
                        holding(&devices[a], &districts_of(&devices[a])),
                        holding(&devices[b], &districts_of(&devices[b])),
                    );
                    assert!(
                        sync(&devices[a], &devices[b], None).await,
                        "case {case}: a plain sync failed"
                    );
                    let after = (
                        holding(&devices[a], &districts_of(&devices[a])),
                        holding(&devices[b], &districts_of(&devices[b])),
                    );
                    moved |= before != after;
                }
            }
            if !moved {
                break;
            }
        }
        max_rounds = max_rounds.max(rounds);
        let city = &devices[0];
        for d in devices.iter().skip(1) {
            let held = districts_of(d);
            assert!(
                !held.is_empty(),
                "case {case}: {} holds nothing",
                d.dir.display()
            );
            let diff = differing(&holding(d, &held), &holding(city, &held));
            assert!(
                diff.is_empty(),
                "case {case}: {} differs from the city: {diff:#?}",
                d.dir.display()
            );
        }
        for d in &devices {
            let refused = lock(&d.ws).refusals(10).expect("refusals");
            assert!(
                refused.is_empty(),
                "case {case}: an honest change was refused: {refused:?}"
            );
        }
    }
    eprintln!("{n} cases, {cut_sessions} sessions cut, at most {max_rounds} rounds to converge");
    assert!(max_rounds <= 10);
}

/// The hashes of a device's document heads.
fn heads(d: &Device, doc: &str) -> Vec<automerge::ChangeHash> {
    let docs = std::collections::BTreeSet::from([doc.to_string()]);
    let saved = lock(&d.ws).saved_docs(&docs).expect("saved");
    let (_, bytes) = saved.first().expect("the document");
    automerge::Automerge::load(bytes).expect("load").get_heads()
}

/// One new visit on `p`, with `note`.
fn add_visit(d: &Device, p: &Pairing, note: &str) {
    lock(&d.ws)
        .write(|w| {
            let v = Visit::of_pairing(
                w.new_id(),
                p,
                NaiveDate::from_ymd_opt(2026, 11, 20).expect("date"),
                SupportForm::OnSiteGuidance,
                note,
            );
            w.put_visit(v).map(|_| ())
        })
        .expect("a visit");
}

/// automerge leaves out a change the receiver's Bloom filter claims (a
/// false positive, about one in a hundred) and sends what builds on it; a
/// change that arrives before its parent waits, its parent is asked for
/// by hash, and one session still delivers both.
#[tokio::test(flavor = "current_thread")]
async fn one_session_delivers_a_change_the_bloom_filter_hid() {
    let t = template().await;
    let work = tempfile::tempdir().expect("tempdir");
    let open_copy = |i: usize, name: &str| {
        let dir = work.path().join(i.to_string());
        copy_dir(&t.dirs[i], &dir);
        open(&dir, name)
    };
    let (city, county) = (open_copy(0, "市局"), open_copy(1, "县局"));
    let pairing = {
        let w = lock(&county.ws);
        let m = w.model();
        let d = m.district_by_name("盘山县").expect("盘山县").id.clone();
        m.pairings()
            .find(|p| p.district_id == d)
            .expect("a pairing in 盘山县")
            .clone()
    };
    let doc = format!("district/{}", pairing.district_id);
    // The county's first change since the two last synced, and one on it.
    add_visit(&county, &pairing, "先记的一次");
    let first = heads(&county, &doc);
    add_visit(&county, &pairing, "后记的一次");
    let second = heads(&county, &doc);
    assert_eq!((first.len(), second.len()), (1, 1));
    // The city records visits of its own until the filter it would send
    // claims the first change but not the second.
    let mut hidden = false;
    for n in 0..5_000 {
        add_visit(&city, &pairing, &format!("市局记录{n}"));
        let mut w = lock(&city.ws);
        let mut state = w.sync_state(&county.id, &doc);
        let m = w
            .generate_sync_message(&doc, &mut state, &Default::default())
            .expect("a message")
            .expect("the city has news");
        let bloom = &m.message.have.first().expect("a filter").bloom;
        if bloom.contains_hash(&first[0]) && !bloom.contains_hash(&second[0]) {
            hidden = true;
            break;
        }
    }
    assert!(hidden, "no false positive in 5,000 filters");
    assert!(sync(&city, &county, None).await, "the session");
    let notes: Vec<String> = lock(&city.ws)
        .model()
        .visits()
        .map(|v| v.note.clone())
        .collect();
    for note in ["先记的一次", "后记的一次"] {
        assert!(notes.iter().any(|n| n == note), "the city lacks {note}");
    }
    assert_eq!(heads(&city, &doc), heads(&county, &doc));
}
