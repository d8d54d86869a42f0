//! Peer-to-peer sync over iroh (see docs/SYNC.md): device identity,
//! invites and joining, the sync protocol, reaching peers without the
//! internet, and file bundles for a USB stick.

pub mod agent;
pub mod bundle;
pub mod node;
pub mod session;
pub mod ticket;
pub mod wire;

use crate::store::StoreError;

/// Why a sync (or join) did not happen or did not finish.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("{0} is not a member of this programme")]
    NotMember(String),
    #[error("the peer belongs to another programme")]
    OtherWorkspace,
    #[error("the peer refused: {0}")]
    Refused(String),
    #[error("protocol error: {0}")]
    Protocol(String),
    #[error("the peers did not settle within {} rounds", session::MAX_ROUNDS)]
    TooManyRounds,
    #[error("cannot reach {peer}: {detail}")]
    Unreachable { peer: String, detail: String },
    #[error("network: {0}")]
    Net(String),
    #[error(transparent)]
    Wire(#[from] wire::WireError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("invite refused: {}", .0.code())]
    Invite(ticket::InviteError),
}

/// The peers worth trying without being told which: the other active
/// members, with the addresses they were last reached at. A device that
/// joined but has not received the member list yet knows only its
/// inviter, from the address book.
pub fn known_peers(
    ws: &crate::store::Workspace,
    me: &str,
) -> Result<Vec<ticket::PeerAddr>, crate::store::StoreError> {
    let book = ws.peers()?;
    if ws.is_empty() {
        return Ok(book
            .iter()
            .filter(|p| p.id != me)
            .map(|p| ticket::PeerAddr::from_book(&p.id, &p.addrs))
            .collect());
    }
    Ok(ws
        .model()
        .members
        .values()
        .filter(|m| m.id != me && !m.revoked)
        .map(|m| match book.iter().find(|p| p.id == m.id) {
            Some(p) => ticket::PeerAddr::from_book(&p.id, &p.addrs),
            None => ticket::PeerAddr {
                id: m.id.clone(),
                ..ticket::PeerAddr::default()
            },
        })
        .collect())
}
