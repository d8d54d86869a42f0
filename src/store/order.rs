//! The order received changes are judged and applied in.

use automerge::{Change, ChangeHash};
use std::collections::{BTreeMap, BTreeSet};

/// Orders changes so each comes after those of its dependencies that are
/// among them: in waves, each wave the changes whose dependencies among
/// them came in earlier waves, by hash within a wave (so the order is the
/// same everywhere). Linear in the changes and their dependencies: a
/// chain of one writer's changes used to be scanned once per change (at
/// city scale a sixth of a whole join).
pub(crate) fn causal_order(changes: Vec<Change>) -> Vec<Change> {
    let mut by_hash: BTreeMap<ChangeHash, Change> =
        changes.into_iter().map(|c| (c.hash(), c)).collect();
    // How many of its dependencies among them each change waits for, and
    // which changes wait for each.
    let mut waits: BTreeMap<ChangeHash, usize> = BTreeMap::new();
    let mut waiters: BTreeMap<ChangeHash, Vec<ChangeHash>> = BTreeMap::new();
    for (h, c) in &by_hash {
        let deps: BTreeSet<&ChangeHash> = c
            .deps()
            .iter()
            .filter(|d| by_hash.contains_key(*d))
            .collect();
        waits.insert(*h, deps.len());
        for d in deps {
            waiters.entry(*d).or_default().push(*h);
        }
    }
    let mut wave: Vec<ChangeHash> = waits
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(h, _)| *h)
        .collect();
    let mut out = Vec::with_capacity(by_hash.len());
    while !wave.is_empty() {
        let mut next = Vec::new();
        for h in &wave {
            out.extend(by_hash.remove(h));
            for w in waiters.get(h).into_iter().flatten() {
                if let Some(n) = waits.get_mut(w) {
                    *n = n.saturating_sub(1);
                    if *n == 0 {
                        next.push(*w);
                    }
                }
            }
        }
        next.sort();
        wave = next;
    }
    // A cycle cannot be built from hashes; keep whatever is left.
    out.extend(by_hash.into_values());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::transaction::Transactable;
    use automerge::{Automerge, ROOT};

    /// The order as it was first written: wave after wave, each a scan of
    /// every change left.
    fn by_scans(changes: Vec<Change>) -> Vec<Change> {
        let mut by_hash: BTreeMap<ChangeHash, Change> =
            changes.into_iter().map(|c| (c.hash(), c)).collect();
        let mut out = Vec::new();
        let mut done: BTreeSet<ChangeHash> = BTreeSet::new();
        while !by_hash.is_empty() {
            let ready: Vec<ChangeHash> = by_hash
                .iter()
                .filter(|(_, c)| {
                    c.deps()
                        .iter()
                        .all(|d| done.contains(d) || !by_hash.contains_key(d))
                })
                .map(|(h, _)| *h)
                .collect();
            for h in ready {
                if let Some(c) = by_hash.remove(&h) {
                    done.insert(h);
                    out.push(c);
                }
            }
        }
        out
    }

    /// Changes of three devices that fork, write apart and merge again,
    /// several times over: chains and branches.
    fn history() -> Vec<Change> {
        let mut a = Automerge::new();
        for round in 0..6i64 {
            let mut b = a.fork();
            let mut c = a.fork();
            for (i, doc) in [&mut a, &mut b, &mut c].into_iter().enumerate() {
                for k in 0..(2 + round) {
                    let mut tx = doc.transaction();
                    let key = format!("{i}-{round}-{k}");
                    tx.put(ROOT, key.as_str(), k).expect("put");
                    tx.commit();
                }
            }
            a.merge(&mut b).expect("merge");
            a.merge(&mut c).expect("merge");
        }
        a.get_changes(&[])
    }

    #[test]
    fn changes_come_after_their_dependencies_in_the_order_the_scans_gave() {
        let all = history();
        assert!(all.len() > 50);
        // Any order in, and any part of them: the same order out, each
        // change after its dependencies among them.
        let mut shuffled = all.clone();
        shuffled.reverse();
        shuffled.rotate_left(17);
        let hashes = |cs: &[Change]| cs.iter().map(Change::hash).collect::<Vec<_>>();
        let ordered = causal_order(shuffled.clone());
        assert_eq!(hashes(&ordered), hashes(&by_scans(all.clone())));
        assert_eq!(hashes(&ordered), hashes(&causal_order(all.clone())));
        let part: Vec<Change> = shuffled.into_iter().skip(20).collect();
        let ordered = causal_order(part.clone());
        assert_eq!(hashes(&ordered), hashes(&by_scans(part)));
        let mut seen = BTreeSet::new();
        let present: BTreeSet<ChangeHash> = ordered.iter().map(Change::hash).collect();
        for c in &ordered {
            for d in c.deps() {
                assert!(
                    !present.contains(d) || seen.contains(d),
                    "a dependency came later"
                );
            }
            seen.insert(c.hash());
        }
    }
}
