//! The workspace's membership log: the root it trusts, certificates
//! taken in and checked, signing upgrades, and what a revocation takes
//! back.

use super::*;

/// The changes of revoked devices past their cut-offs (`cutoffs`, by
/// actor: the device and how many of its changes count), with what builds
/// on them, each with its author; and the heads of what is left. `None`
/// when there are none.
fn revoked_changes(
    metas: &[automerge::ChangeMetadata<'_>],
    cutoffs: &BTreeMap<automerge::ActorId, (String, u64)>,
) -> Option<(BTreeMap<ChangeHash, String>, Vec<ChangeHash>)> {
    let mut bad: BTreeMap<ChangeHash, String> = metas
        .iter()
        .filter_map(|m| {
            let (dev, cut) = cutoffs.get(&*m.actor)?;
            (m.seq > *cut).then(|| (m.hash, dev.clone()))
        })
        .collect();
    if bad.is_empty() {
        return None;
    }
    // What builds on them goes too.
    loop {
        let more: Vec<(ChangeHash, String)> = metas
            .iter()
            .filter(|m| !bad.contains_key(&m.hash))
            .filter(|m| m.deps.iter().any(|d| bad.contains_key(d)))
            .map(|m| (m.hash, m.actor.to_hex_string()))
            .collect();
        if more.is_empty() {
            break;
        }
        bad.extend(more);
    }
    let kept: BTreeSet<ChangeHash> = metas
        .iter()
        .map(|m| m.hash)
        .filter(|h| !bad.contains_key(h))
        .collect();
    let depended: BTreeSet<ChangeHash> = metas
        .iter()
        .filter(|m| kept.contains(&m.hash))
        .flat_map(|m| m.deps.iter().copied())
        .collect();
    let heads: Vec<ChangeHash> = kept.difference(&depended).copied().collect();
    Some((bad, heads))
}

/// The meta key set once a workspace signs every change it makes.
const SIGNED_CHANGES: &str = "signed_changes";

/// Whether a workspace has nothing for [`Workspace::open`] to upgrade:
/// its root is pinned and its changes are signed. Only then may a process
/// open part of it (`quick.rs`): an upgrade reads every document.
pub(super) fn upgraded(conn: &rusqlite::Connection, state: &State) -> rusqlite::Result<bool> {
    Ok(state.trust.root.is_some() && db::meta_get(conn, SIGNED_CHANGES)?.is_some())
}

impl Workspace {
    /// A workspace a version without signed changes wrote holds unsigned
    /// changes no receiver would take. Its root device vouches for them
    /// once, with a checkpoint of the documents as they stand; every
    /// change after it is signed. (Another device's unsigned changes that
    /// had not reached the root by then are refused: sync every device
    /// with the root before upgrading it, see docs/SECURITY.md.)
    pub(super) fn upgrade_signing(&mut self) -> Result<(), StoreError> {
        if !self.state.damaged.is_empty()
            || db::meta_get(&self.db.conn, SIGNED_CHANGES)
                .map_err(sqlite_err(&self.db.path))?
                .is_some()
        {
            return Ok(());
        }
        let me = self.state.key.as_ref().map(crate::identity::endpoint_hex);
        let is_root = me.is_some() && me.as_deref() == self.state.trust.root.as_deref();
        // A workspace made by this version has just had its checkpoint
        // made (upgrade_membership): nothing unsigned came after it.
        let fresh = self.state.trust.roster.as_ref().is_some_and(|r| {
            self.state.docs.iter().all(|(id, d)| {
                let vouched: Vec<String> = r.checkpoint.get(id).cloned().unwrap_or_default();
                d.heads.iter().all(|h| vouched.contains(&h.to_string()))
            })
        });
        let result = self.write(|w| {
            if is_root && !fresh {
                w.checkpoint()?;
            }
            db::meta_pin(w.conn(), SIGNED_CHANGES, "1").map_err(sqlite_err(w.path()))?;
            Ok(())
        });
        match result {
            Ok(()) | Err(EditError::Invalid(_)) => Ok(()),
            Err(EditError::Store(e)) => Err(e),
        }
    }

    /// A workspace just made by `init`, or one an older version wrote,
    /// keeps its members in the programme document. Its first member's
    /// device (the creator) turns them into the membership log, once: the root's certificate, a grant
    /// (and revocation) per member, a checkpoint of the documents. Any
    /// other device pins the creator as the root and takes the log at its
    /// next sync; until then it goes by the members it had. A damaged
    /// workspace is left exactly as it is.
    pub(super) fn upgrade_membership(&mut self) -> Result<(), StoreError> {
        if self.state.trust.root.is_some() || !self.state.damaged.is_empty() {
            return Ok(());
        }
        let Some(creator) = self
            .state
            .model
            .members
            .values()
            .find(|m| m.added_by.is_empty())
            .map(|m| m.id.clone())
        else {
            return Ok(());
        };
        let me = self.state.key.as_ref().map(crate::identity::endpoint_hex);
        let result = if me.as_deref() == Some(creator.as_str()) {
            self.write(|w| w.establish_root())
        } else {
            self.pin_root(&creator).map_err(EditError::from)
        };
        match result {
            Ok(()) => Ok(()),
            Err(EditError::Store(e)) => Err(e),
            // The root's own grants are never refused.
            Err(EditError::Invalid(_)) => Ok(()),
        }
    }

    /// Pins `root` as the programme's root device (a device that joined,
    /// or was upgraded, before it received the log). Only the first pin
    /// counts.
    pub fn pin_root(&mut self, root: &str) -> Result<(), StoreError> {
        if self.state.trust.root.is_some() {
            return Ok(());
        }
        let path = self.db.path.clone();
        let tx = self.db.begin_write()?;
        db::meta_pin(&tx, "root", root).map_err(sqlite_err(&path))?;
        self.state.catch_up_trust(&tx, &path)?;
        tx.commit().map_err(sqlite_err(&path))
    }

    /// The acting device's key (signs its changes, certificates, bundles).
    pub fn key(&self) -> Option<&iroh::SecretKey> {
        self.state.key.as_ref()
    }

    /// The programme's root device, once known.
    pub fn root(&self) -> Option<&str> {
        self.state.trust.root.as_deref()
    }

    /// The membership certificates this device holds, as stored.
    pub fn certs(&self) -> &[crate::trust::Cert] {
        &self.state.trust.certs
    }

    /// Certificates of the membership log that do not count, and why.
    pub fn refused_certs(&self) -> Vec<(String, crate::trust::Refusal)> {
        self.state
            .trust
            .roster
            .as_ref()
            .map(|r| r.refused.clone())
            .unwrap_or_default()
    }

    /// The programme's root: the one pinned here, else the issuer of a
    /// root certificate among `certs` (a device that has not pinned one
    /// yet).
    pub(crate) fn root_with(&self, certs: &[crate::trust::Cert]) -> Option<String> {
        self.state.trust.root.clone().or_else(|| {
            certs.iter().find_map(|c| match c.body.kind {
                crate::trust::Kind::Root { .. } => Some(c.body.issuer.clone()),
                _ => None,
            })
        })
    }

    /// Takes in certificates a peer or a bundle brought: each is checked
    /// (signature, workspace) and stored once; the roster is computed
    /// anew. A device that has no root yet pins the root of the log it
    /// receives. Returns how many were new.
    pub fn add_certs(&mut self, certs: &[Vec<u8>]) -> Result<usize, StoreError> {
        let known: BTreeSet<&str> = self.certs().iter().map(|c| c.hash.as_str()).collect();
        let decoded: Vec<crate::trust::Cert> = certs
            .iter()
            .filter_map(|b| crate::trust::Cert::decode(b).ok())
            .filter(|c| c.body.workspace == self.state.workspace_id)
            .filter(|c| !known.contains(c.hash.as_str()))
            .collect();
        if decoded.is_empty() {
            return Ok(0);
        }
        let root = self.root_with(&decoded);
        // Kept: certificates by the root or by a device the log ever made
        // a member (a stranger cannot fill the store), up to a bound no
        // honest province reaches.
        let mut all: Vec<crate::trust::Cert> = self.certs().to_vec();
        all.extend(decoded.iter().cloned());
        let roster = root
            .as_deref()
            .map(|r| crate::trust::roster(&self.state.workspace_id, r, &all));
        let keep: Vec<&crate::trust::Cert> = decoded
            .iter()
            .filter(|c| {
                Some(c.body.issuer.as_str()) == root.as_deref()
                    || roster
                        .as_ref()
                        .is_some_and(|r| r.members.contains_key(&c.body.issuer))
            })
            .take(crate::trust::MAX_CERTS.saturating_sub(self.certs().len()))
            .collect();
        let path = self.db.path.clone();
        let revoked_before = self.revocations();
        let tx = self.db.begin_write()?;
        let err = sqlite_err(&path);
        let mut added = 0;
        for c in keep {
            if db::put_cert(&tx, &c.hash, c.bytes()).map_err(&err)? {
                added += 1;
            }
        }
        if let Some(root) = &root {
            db::meta_pin(&tx, "root", root).map_err(&err)?;
        }
        self.state.catch_up_trust(&tx, &path)?;
        tx.commit().map_err(sqlite_err(&path))?;
        // Only news of a revocation can make merged changes void.
        if self.revocations() != revoked_before {
            self.purge_revoked()?;
        }
        Ok(added)
    }

    /// The revocations the log holds, as they bear on changes.
    pub(super) fn revocations(&self) -> BTreeMap<String, crate::trust::Revocation> {
        self.state
            .trust
            .roster
            .as_ref()
            .map(|r| r.revoked.clone())
            .unwrap_or_default()
    }

    /// Takes out of every document the changes a revoked device made after
    /// its revocation's cut-off (merged here before the revocation was
    /// known), and everything built on them, so this device ends as every
    /// device that heard of the revocation first. Each is recorded as
    /// refused. Nothing to do, and nothing read, without revocations.
    pub fn purge_revoked(&mut self) -> Result<usize, StoreError> {
        let Some(roster) = self.state.trust.roster.clone() else {
            return Ok(0);
        };
        if roster.revoked.is_empty() {
            return Ok(0);
        }
        let path = self.db.path.clone();
        let tx = self.db.begin_write()?;
        self.state.catch_up(&tx, &path)?;
        let ids: Vec<String> = self.state.docs.keys().cloned().collect();
        let author = self.state.author.clone();
        let through = self.state.last_seq;
        let mut purged = Vec::new();
        for id in ids {
            let cutoffs: BTreeMap<automerge::ActorId, (String, u64)> = roster
                .revoked
                .iter()
                .map(|(dev, r)| {
                    (
                        crate::trust::changes::actor_for(dev, &id),
                        (dev.clone(), r.cutoff.get(&id).copied().unwrap_or(0)),
                    )
                })
                .collect();
            let am = self.state.loaded(&tx, &path, &id)?;
            let metas = am.get_changes_meta(&[]);
            let Some((bad, heads)) = revoked_changes(&metas, &cutoffs) else {
                continue;
            };
            let mut clean = am.fork_at(&heads).map_err(|e| StoreError::Automerge {
                doc: id.clone(),
                detail: e.to_string(),
            })?;
            state::writes_as(&mut clean, &id, &author);
            db::rewrite_doc(&tx, &id, &clean.save(), &clean.get_heads(), through)
                .map_err(sqlite_err(&path))?;
            *am = clean;
            let now = now_ms();
            for (hash, author) in bad {
                self.state.refused.insert(hash);
                purged.push(RefusalRow {
                    at_ms: now,
                    source: "revocation".into(),
                    doc: id.clone(),
                    change: hash.to_string(),
                    author,
                    record: None,
                    reason: Reason::Revoked.code(),
                });
            }
            if let Some(d) = self.state.docs.get_mut(&id) {
                d.generation = d.generation.saturating_add(1);
            }
            self.state.reread(&id)?;
        }
        db::put_refusals(&tx, &purged).map_err(sqlite_err(&path))?;
        tx.commit().map_err(sqlite_err(&path))?;
        Ok(purged.len())
    }
}
