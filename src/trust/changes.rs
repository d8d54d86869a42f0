//! Signed document changes (docs/SYNC.md, "Signed changes").
//!
//! Each device writes each document under an automerge actor id derived
//! from its device key and the document's id, so a change's actor names
//! the one device that may have made it; and it signs every change it
//! commits, over the workspace, the document and the change's hash. A
//! receiver finds the device from the actor and checks the signature
//! before anything else: nobody can pass a change off as another
//! device's.

use automerge::{ActorId, ChangeHash};
use iroh::{SecretKey, Signature};
use sha2::{Digest, Sha256};

/// A signature, as stored and sent.
pub type Sig = [u8; 64];

/// The actor id `device` (64 hex digits) writes `doc` under: the first 16
/// bytes of SHA-256 over a fixed label, the device and the document.
pub fn actor_for(device: &str, doc: &str) -> ActorId {
    let mut h = Sha256::new();
    h.update(b"bangfu/actor/1\0");
    h.update(device.as_bytes());
    h.update(b"\0");
    h.update(doc.as_bytes());
    let digest = h.finalize();
    ActorId::from(digest.get(..16).unwrap_or_default())
}

/// What is signed for a change: a fixed label, the workspace, the
/// document and the change's hash, so a signature holds for that change
/// in that document of that programme only.
fn message(workspace: &str, doc: &str, hash: &ChangeHash) -> Vec<u8> {
    let mut m = b"bangfu/change/1\0".to_vec();
    m.extend(workspace.as_bytes());
    m.push(0);
    m.extend(doc.as_bytes());
    m.push(0);
    m.extend(hash.0);
    m
}

/// Signs a change this device made.
pub fn sign(key: &SecretKey, workspace: &str, doc: &str, hash: &ChangeHash) -> Sig {
    key.sign(&message(workspace, doc, hash)).to_bytes()
}

/// Whether `sig` is `device`'s signature of the change `hash` in `doc`.
pub fn verify(device: &str, workspace: &str, doc: &str, hash: &ChangeHash, sig: &Sig) -> bool {
    crate::identity::endpoint_id(device).is_some_and(|key| {
        key.verify(&message(workspace, doc, hash), &Signature::from_bytes(sig))
            .is_ok()
    })
}

/// Signatures as they travel (a `Sigs` frame, a bundle): for each change,
/// its 32-byte hash then its 64-byte signature.
pub fn encode(sigs: &[(ChangeHash, Sig)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(sigs.len().saturating_mul(96));
    for (h, s) in sigs {
        out.extend(h.0);
        out.extend(s);
    }
    out
}

/// Reads [`encode`]'s format; `None` if the length is not a multiple of 96.
pub fn decode(bytes: &[u8]) -> Option<Vec<(ChangeHash, Sig)>> {
    if !bytes.len().is_multiple_of(96) {
        return None;
    }
    bytes
        .chunks(96)
        .map(|c| {
            let (h, s) = c.split_first_chunk::<32>()?;
            Some((ChangeHash(*h), <Sig>::try_from(s).ok()?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(seed: u8) -> SecretKey {
        SecretKey::from_bytes(&[seed; 32])
    }

    #[test]
    fn a_signature_holds_for_its_device_change_document_and_workspace_only() {
        let k = key(1);
        let me = crate::identity::endpoint_hex(&k);
        let other = crate::identity::endpoint_hex(&key(2));
        let h = ChangeHash([7; 32]);
        let s = sign(&k, "w", "programme", &h);
        assert!(verify(&me, "w", "programme", &h, &s));
        assert!(!verify(&other, "w", "programme", &h, &s));
        assert!(!verify(&me, "w2", "programme", &h, &s));
        assert!(!verify(&me, "w", "district/x", &h, &s));
        assert!(!verify(&me, "w", "programme", &ChangeHash([8; 32]), &s));
        assert!(!verify("not hex", "w", "programme", &h, &s));
    }

    #[test]
    fn actors_differ_by_device_and_document() {
        let a = actor_for("aa", "programme");
        assert_eq!(a, actor_for("aa", "programme"));
        assert_ne!(a, actor_for("ab", "programme"));
        assert_ne!(a, actor_for("aa", "district/1"));
        assert_eq!(a.to_bytes().len(), 16);
    }

    #[test]
    fn signatures_round_trip_and_a_torn_list_is_refused() {
        let list = vec![
            (ChangeHash([1; 32]), [2; 64]),
            (ChangeHash([3; 32]), [4; 64]),
        ];
        let bytes = encode(&list);
        assert_eq!(decode(&bytes), Some(list));
        assert_eq!(decode(bytes.get(..100).unwrap_or_default()), None);
    }
}
