//! Every decoder that reads bytes from another device or a file, fed
//! random and mutated input: frames, address tickets, invites, device ids,
//! certificates, bundles, automerge sync messages and stored documents.
//! None may panic, and none may allocate from a length it was told
//! (peak memory stays bounded).
//!
//! 100,000 cases in all by default; `BANGFU_FUZZ_CASES=N` runs N.

use automerge::transaction::Transactable;
use bangfu::domain::{Id, MemberRole};
use bangfu::sync::{bundle, ticket, wire};
use bangfu::trust::{Body, Cert, Kind};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn cases() -> usize {
    std::env::var("BANGFU_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

/// A copy of `seed` with a few bytes flipped, cut, repeated or inserted.
fn mutate(rng: &mut ChaCha8Rng, seed: &[u8]) -> Vec<u8> {
    let mut b = seed.to_vec();
    let edits = rng.random_range(1..=4);
    for _ in 0..edits {
        let len = b.len();
        match rng.random_range(0..6) {
            0 if len > 0 => {
                let i = rng.random_range(0..len);
                if let Some(x) = b.get_mut(i) {
                    *x ^= 1 << rng.random_range(0..8);
                }
            }
            1 if len > 0 => {
                let i = rng.random_range(0..len);
                if let Some(x) = b.get_mut(i) {
                    *x = rng.random();
                }
            }
            2 if len > 0 => b.truncate(rng.random_range(0..len)),
            3 => {
                let i = rng.random_range(0..=len);
                let n = rng.random_range(1..16);
                let junk: Vec<u8> = (0..n).map(|_| rng.random()).collect();
                b.splice(i..i, junk);
            }
            4 if len > 4 => {
                // A length field made huge.
                let i = rng.random_range(0..len - 4);
                if let Some(s) = b.get_mut(i..i + 4) {
                    s.copy_from_slice(&u32::MAX.to_be_bytes());
                }
            }
            _ => {
                let i = rng.random_range(0..=len);
                let tail = b.get(i..).map(<[u8]>::to_vec).unwrap_or_default();
                b.extend(tail);
            }
        }
    }
    b
}

fn random_bytes(rng: &mut ChaCha8Rng) -> Vec<u8> {
    let n = rng.random_range(0..300);
    (0..n).map(|_| rng.random()).collect()
}

/// Text that is mostly like a ticket, with multi-byte characters thrown in
/// (a byte-offset slice of such text would panic).
fn mutate_text(rng: &mut ChaCha8Rng, seed: &str) -> String {
    let mut chars: Vec<char> = seed.chars().collect();
    for _ in 0..rng.random_range(1..=3) {
        let len = chars.len();
        let c = ['帮', 'é', '\u{1F600}', 'a', '7', ' ', '\n', '\u{200b}'][rng.random_range(0..8)];
        match rng.random_range(0..3) {
            0 if len > 0 => {
                if let Some(x) = chars.get_mut(rng.random_range(0..len)) {
                    *x = c;
                }
            }
            1 if len > 0 => chars.truncate(rng.random_range(0..len)),
            _ => chars.insert(rng.random_range(0..=len), c),
        }
    }
    chars.into_iter().collect()
}

/// Peak resident memory of this process, in KiB (Linux).
fn peak_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
}

fn key(n: u8) -> iroh::SecretKey {
    iroh::SecretKey::from_bytes(&[n; 32])
}

fn seeds() -> Seeds {
    let k = key(7);
    let me = bangfu::identity::endpoint_hex(&k);
    let addr = ticket::PeerAddr {
        id: me.clone(),
        addrs: vec!["127.0.0.1:45000".parse().expect("addr")],
        relay: Some("https://relay.example.test".into()),
    };
    let invite = ticket::Invite {
        version: 1,
        id: "inv".into(),
        workspace: "ws".into(),
        role: MemberRole::Kindergarten,
        district: None,
        kindergarten: Some(Id::from_random_bytes([3; 16])),
        districts: Vec::new(),
        name: Some("红旗村幼儿园".into()),
        expires: 2_000_000_000,
        inviter: addr.clone(),
    }
    .sign(&k);
    let cert = Cert::issue(
        &k,
        Body {
            v: bangfu::trust::VERSION,
            workspace: "ws".into(),
            issuer: me.clone(),
            issued_ms: 1,
            prev: vec!["00".repeat(32)],
            kind: Kind::Grant {
                member: me.clone(),
                name: "园长".into(),
                role: MemberRole::Kindergarten,
                district: None,
                kindergarten: Some(Id::from_random_bytes([3; 16])),
                kindergarten_district: Some(Id::from_random_bytes([4; 16])),
                districts: Vec::new(),
                invite: Some("inv".into()),
                added_on: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(),
            },
        },
    );
    // A small document with text, and a sync message carrying it.
    let mut doc = automerge::AutoCommit::new();
    let _ = doc.put(automerge::ROOT, "name", "红旗村幼儿园");
    if let Ok(t) = doc.put_object(automerge::ROOT, "note", automerge::ObjType::Text) {
        let _ = doc.splice_text(&t, 0, 0, "送教下乡，两位老师");
    }
    let saved = doc.save();
    let message = {
        use automerge::sync::SyncDoc;
        let am = automerge::Automerge::load(&saved).expect("load");
        let mut st = automerge::sync::State::new();
        am.generate_sync_message(&mut st)
            .map(|m| m.encode())
            .unwrap_or_default()
    };
    let frames: Vec<Vec<u8>> = [
        wire::Frame::Hello(wire::Hello {
            protocol: wire::PROTOCOL,
            workspace: "ws".into(),
            docs: Some([("programme".to_string(), "0a1b".repeat(4))].into()),
            certs: Some(vec![cert.hash.clone()]),
            stranger: false,
            wants_files: true,
            resumes: true,
            kept: [(
                "district/abc".to_string(),
                wire::Kept {
                    digest: "cd".repeat(32),
                    len: 65_536,
                },
            )]
            .into(),
        }),
        wire::Frame::Long(wire::Long {
            doc: "district/abc".into(),
            digest: "cd".repeat(32),
            sigs: 96,
            len: 131_072,
            from: 65_536,
        }),
        wire::Frame::Certs(vec![cert.bytes().to_vec(), vec![1, 2, 3]]),
        wire::Frame::Sync {
            doc: "programme".into(),
            message: message.clone(),
        },
        wire::Frame::SyncPart {
            doc: "district/abc".into(),
            part: vec![1, 2, 3],
        },
        wire::Frame::Sigs {
            doc: "programme".into(),
            sigs: bangfu::trust::changes::encode(&[(automerge::ChangeHash([1; 32]), [2; 64])]),
        },
        wire::Frame::RoundEnd,
        wire::Frame::Failure("not a member".into()),
        wire::Frame::Join(wire::JoinRequest {
            ticket: invite.clone(),
            name: "园长".into(),
        }),
    ]
    .iter()
    .map(|f| {
        wire::encode(f)
            .get(4..)
            .map(<[u8]>::to_vec)
            .unwrap_or_default()
    })
    .collect();
    // A bundle as `bundle export` writes it: magic, version, header,
    // documents, signatures (then digest and the exporter's signature).
    let header = serde_json::json!({
        "workspace": "ws", "created_ms": 1, "for_member": null, "docs": ["programme"],
        "exporter": me.clone()
    })
    .to_string();
    let mut b = b"BANGFU-BUNDLE\n".to_vec();
    b.extend(2u32.to_be_bytes());
    b.extend(u32::try_from(header.len()).unwrap_or(0).to_be_bytes());
    b.extend(header.as_bytes());
    b.extend(u16::try_from("programme".len()).unwrap_or(0).to_be_bytes());
    b.extend(b"programme");
    b.extend(u64::try_from(saved.len()).unwrap_or(0).to_be_bytes());
    b.extend(&saved);
    let sigs = bangfu::trust::changes::encode(&[(automerge::ChangeHash([3; 32]), [4; 64])]);
    b.extend(u64::try_from(sigs.len()).unwrap_or(0).to_be_bytes());
    b.extend(&sigs);
    Seeds {
        frames,
        addr: addr.to_ticket(),
        invite,
        id: me,
        cert: cert.bytes().to_vec(),
        bundle_body: b,
        message,
        saved,
    }
}

struct Seeds {
    frames: Vec<Vec<u8>>,
    addr: String,
    invite: String,
    id: String,
    cert: Vec<u8>,
    /// A bundle without its digest and signature (both are redone after
    /// mutating, so the checks behind them are reached too).
    bundle_body: Vec<u8>,
    message: Vec<u8>,
    saved: Vec<u8>,
}

fn sealed(body: Vec<u8>) -> Vec<u8> {
    bundle::seal(body, &key(7))
}

#[test]
fn decoders_survive_random_and_mutated_input() {
    let s = seeds();
    // The seeds themselves read back (so the mutations start from valid
    // input, and the test cannot pass by rejecting everything).
    for f in &s.frames {
        assert!(wire::decode(f).is_ok(), "seed frame");
    }
    assert!(ticket::PeerAddr::from_ticket(&s.addr).is_some());
    assert!(ticket::Invite::verify(&s.invite).is_ok());
    assert!(bangfu::identity::endpoint_id(&s.id).is_some());
    assert!(Cert::decode(&s.cert).is_ok());
    assert!(bundle::read(&sealed(s.bundle_body.clone())).is_ok());
    assert!(automerge::sync::Message::decode(&s.message).is_ok());
    assert!(automerge::Automerge::load(&s.saved).is_ok());

    let n = cases();
    let mut rng = ChaCha8Rng::seed_from_u64(0xBA46F0);
    let before = peak_kib();
    let mut accepted = 0usize;
    for i in 0..n {
        let fresh = rng.random_range(0..4) == 0;
        let ok = match i % 10 {
            0..=2 => {
                let seed = &s.frames[rng.random_range(0..s.frames.len())];
                let b = if fresh {
                    random_bytes(&mut rng)
                } else {
                    mutate(&mut rng, seed)
                };
                wire::decode(&b).is_ok()
            }
            3 => ticket::PeerAddr::from_ticket(&mutate_text(&mut rng, &s.addr)).is_some(),
            4 => ticket::Invite::verify(&mutate_text(&mut rng, &s.invite)).is_ok(),
            5 => bangfu::identity::endpoint_id(&mutate_text(&mut rng, &s.id)).is_some(),
            6 => {
                let b = if fresh {
                    random_bytes(&mut rng)
                } else {
                    mutate(&mut rng, &s.cert)
                };
                Cert::decode(&b).is_ok()
            }
            7 => bundle::read(&sealed(mutate(&mut rng, &s.bundle_body))).is_ok(),
            8 => automerge::sync::Message::decode(&mutate(&mut rng, &s.message)).is_ok(),
            _ => automerge::Automerge::load(&mutate(&mut rng, &s.saved)).is_ok(),
        };
        accepted += usize::from(ok);
    }
    // Some mutations are harmless (a ticket's whitespace, a frame's
    // failure text): the decoders are exercised past their first check.
    assert!(accepted > 0, "no mutated input was ever accepted");
    if let (Some(a), Some(b)) = (before, peak_kib()) {
        let grown = b.saturating_sub(a);
        assert!(
            grown < 512 * 1024,
            "peak memory grew by {grown} KiB while decoding"
        );
    }
}
