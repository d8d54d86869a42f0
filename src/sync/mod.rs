//! Peer-to-peer sync over iroh (see docs/SYNC.md): device identity,
//! invites and joining, the sync protocol, reaching peers without the
//! internet, and file bundles for a USB stick.

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
