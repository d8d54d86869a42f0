//! Peer-to-peer sync over iroh (see docs/SYNC.md): device identity,
//! invites and joining, the sync protocol, reaching peers without the
//! internet, and file bundles for a USB stick.

// Data from the network and from people: no slicing that can panic, no
// arithmetic that can overflow.
#![warn(
    clippy::string_slice,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

pub mod agent;
pub mod bundle;
pub mod files;
pub mod greet;
pub mod node;
pub mod session;
pub mod ticket;
pub mod wire;

use crate::store::StoreError;

/// Why a sync (or join) did not happen or did not finish. Each kind has a
/// stable code (`code()`): the address book keeps the code of a peer's
/// last problem, and the interface words it when it shows it.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("{0} is not a member of this programme")]
    NotMember(String),
    #[error("the peer belongs to another programme")]
    OtherWorkspace,
    #[error("the peer refused: {}", .0.code())]
    Refused(PeerRefusal),
    #[error("protocol error: {0}")]
    Protocol(String),
    #[error("the peers did not settle within {} rounds", session::MAX_ROUNDS)]
    TooManyRounds,
    #[error("cannot reach {peer}: {detail}")]
    Unreachable { peer: String, detail: String },
    /// The peer stopped answering in the middle.
    #[error("{0} timed out")]
    TimedOut(&'static str),
    #[error("network: {0}")]
    Net(String),
    #[error(transparent)]
    Wire(#[from] wire::WireError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("invite refused: {}", .0.code())]
    Invite(ticket::InviteError),
}

impl SyncError {
    /// A stable name of the kind of problem (kept in the address book).
    pub fn code(&self) -> &'static str {
        match self {
            SyncError::NotMember(_) => "not_member",
            SyncError::OtherWorkspace => "other_workspace",
            SyncError::Refused(r) => r.code(),
            SyncError::Protocol(_) => "protocol",
            SyncError::TooManyRounds => "too_many_rounds",
            SyncError::Unreachable { .. } => "unreachable",
            SyncError::TimedOut(_) => "timed_out",
            SyncError::Net(_) => "net",
            SyncError::Wire(_) => "wire",
            SyncError::Store(_) => "store",
            SyncError::Invite(_) => "invite",
        }
    }
}

/// Why the other side refused a session: what its `Failure` frame or its
/// closing of the connection said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeerRefusal {
    /// It does not know this device as a member.
    NotMember,
    /// It belongs to another programme.
    OtherWorkspace,
    /// It speaks another version of the protocol.
    Protocol,
    /// It is answering as many sessions as it may: try again soon.
    Busy,
    /// Anything else, as it said it.
    Other(String),
}

impl PeerRefusal {
    /// The refusal a peer's words name (a code on the wire).
    pub fn from_wire(text: &str) -> PeerRefusal {
        match text.trim() {
            "not_member" | "not a member" => PeerRefusal::NotMember,
            "other_workspace" => PeerRefusal::OtherWorkspace,
            "protocol" => PeerRefusal::Protocol,
            other => PeerRefusal::Other(other.to_string()),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            PeerRefusal::NotMember => "refused_not_member",
            PeerRefusal::OtherWorkspace => "other_workspace",
            PeerRefusal::Protocol => "protocol",
            PeerRefusal::Busy => "busy",
            PeerRefusal::Other(_) => "refused",
        }
    }
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

#[cfg(test)]
#[allow(
    clippy::indexing_slicing,
    clippy::string_slice,
    clippy::arithmetic_side_effects
)]
mod tests {
    use super::PeerRefusal;

    #[test]
    fn a_peers_refusal_is_read_from_its_code() {
        assert_eq!(PeerRefusal::from_wire("not_member"), PeerRefusal::NotMember);
        // What version 1 said.
        assert_eq!(
            PeerRefusal::from_wire("not a member"),
            PeerRefusal::NotMember
        );
        assert_eq!(
            PeerRefusal::from_wire(" other_workspace "),
            PeerRefusal::OtherWorkspace
        );
        assert_eq!(PeerRefusal::from_wire("protocol"), PeerRefusal::Protocol);
        let other = PeerRefusal::from_wire("忙");
        assert_eq!(other, PeerRefusal::Other("忙".into()));
        assert_eq!(other.code(), "refused");
    }
}
