//! Answering peers: the sync and join protocol handlers, the gate at
//! accept, one session at a time per peer, and admitting an invited device.

use super::*;
use std::time::Duration;

/// Answers sync sessions from members; anyone else is refused right after
/// the handshake, before a byte of the programme is sent.
#[derive(Debug, Clone)]
pub struct SyncProtocol {
    pub ws: Shared,
    pub log: Log,
    /// Sessions answered at once; more are turned away (`busy`).
    pub slots: Arc<tokio::sync::Semaphore>,
}

/// The gate: the peer's endpoint id when it is an active member; anyone
/// else is refused (and logged) right after the handshake.
fn member_gate(ws: &Shared, conn: &Connection, log: &Log) -> Result<String, AcceptError> {
    let peer = hex(conn.remote_id().as_bytes());
    let member = session::blocking(|| {
        let mut w = lock(ws);
        let _ = w.refresh();
        w.model().active_member(&peer).is_some()
    });
    if !member {
        log.refusal(&Entry::NotMember {
            peer: &crate::identity::short(&peer),
        });
        conn.close(CLOSE_NOT_MEMBER.into(), b"not a member");
        return Err(AcceptError::from_err(std::io::Error::other("not a member")));
    }
    Ok(peer)
}

impl ProtocolHandler for SyncProtocol {
    async fn accept(&self, conn: Connection) -> Result<(), AcceptError> {
        let peer = member_gate(&self.ws, &conn, &self.log)?;
        let Some(_slot) = slot(&self.slots, &conn, &self.log, false, &peer).await else {
            return Ok(());
        };
        let addr = PeerAddr {
            id: peer.clone(),
            addrs: remote_addrs(&conn),
            relay: None,
        };
        let (mut send, mut recv) = tokio::time::timeout(IDLE_TIMEOUT, conn.accept_bi())
            .await
            .map_err(AcceptError::from_err)?
            .map_err(AcceptError::from_err)?;
        let run = session::run(
            &self.ws,
            &peer,
            session::Role::Acceptor,
            &mut recv,
            &mut send,
            |_| {},
        );
        let result = tokio::time::timeout(SESSION_TIMEOUT, run).await;
        let _ = send.finish();
        match result {
            Ok(Ok(r)) => {
                self.log.line(&Entry::Synced {
                    peer: &crate::identity::short(&peer),
                    report: &r,
                });
                remember(&self.ws, &addr, true, None);
                // The peer closes when it has read everything.
                let _ = tokio::time::timeout(IDLE_TIMEOUT, conn.closed()).await;
            }
            Ok(Err(e)) => {
                self.log.line(&Entry::SyncFailed {
                    peer: &crate::identity::short(&peer),
                    error: &e,
                });
                remember(&self.ws, &addr, false, Some(e.code().to_string()));
                // What was written (a `Failure` saying why) reaches the
                // peer before the connection goes: it closes once read.
                let _ = tokio::time::timeout(Duration::from_secs(2), conn.closed()).await;
                conn.close(2u32.into(), b"error");
            }
            Err(_) => {
                self.log.line(&Entry::TimedOut {
                    peer: &crate::identity::short(&peer),
                });
                conn.close(3u32.into(), b"timeout");
            }
        }
        Ok(())
    }
}

/// Answers the exchange of attached files that follows a sync session,
/// from members only; each file is served only to a member who may read
/// its record (`sync::files`).
#[derive(Debug, Clone)]
pub struct FilesProtocol {
    pub ws: Shared,
    pub log: Log,
    pub slots: Arc<tokio::sync::Semaphore>,
}

impl ProtocolHandler for FilesProtocol {
    async fn accept(&self, conn: Connection) -> Result<(), AcceptError> {
        let peer = member_gate(&self.ws, &conn, &self.log)?;
        let Some(_slot) = slot(&self.slots, &conn, &self.log, false, &peer).await else {
            return Ok(());
        };
        let policy = FilesPolicy::of(&lock(&self.ws));
        let r = files::exchange(&self.ws, &conn, &peer, Side::Acceptor, &policy, |_| {}).await;
        if r != files::FilesReport::default() {
            self.log.line(&Entry::Files {
                peer: &crate::identity::short(&peer),
                report: &r,
            });
        }
        Ok(())
    }
}

/// How long a member's session waits for a place before it is turned
/// away: a hub that a hundred devices reach at the same moment answers
/// them in turn instead of sending most away.
const SLOT_WAIT: Duration = Duration::from_secs(20);

/// A place among the connections answered at once (a member waits up to
/// [`SLOT_WAIT`] for one; a join, which anyone may knock for, does not),
/// or the connection closed with `busy` (and the refusal logged).
pub(super) async fn slot(
    slots: &Arc<tokio::sync::Semaphore>,
    conn: &Connection,
    log: &Log,
    join: bool,
    peer: &str,
) -> Option<tokio::sync::OwnedSemaphorePermit> {
    let permit = match slots.clone().try_acquire_owned() {
        Ok(p) => Some(p),
        Err(_) if join => None,
        Err(_) => tokio::time::timeout(SLOT_WAIT, slots.clone().acquire_owned())
            .await
            .ok()
            .and_then(Result::ok),
    };
    if permit.is_none() {
        log.refusal(&Entry::Busy {
            peer: &crate::identity::short(peer),
            join,
        });
        conn.close(CLOSE_BUSY.into(), b"busy");
    }
    permit
}

/// Answers join requests carrying this device's invites.
#[derive(Debug, Clone)]
pub struct JoinProtocol {
    pub ws: Shared,
    pub me: String,
    pub log: Log,
    pub slots: Arc<tokio::sync::Semaphore>,
}

/// Checks an invite against this device's programme, and adds the new
/// member when it holds.
pub fn accept_invite(
    ws: &mut Workspace,
    me: &str,
    joiner: &str,
    req: &JoinRequest,
) -> Result<String, InviteError> {
    let inv = Invite::verify(&req.ticket)?;
    if inv.workspace != ws.workspace_id() {
        return Err(InviteError::OtherWorkspace);
    }
    if inv.inviter.id != me {
        return Err(InviteError::NotInviter);
    }
    let _ = ws.refresh();
    if inv.expires < chrono::Utc::now().timestamp() {
        return Err(InviteError::Expired);
    }
    if ws.model().used_invites.contains_key(&inv.id) {
        return Err(InviteError::Used);
    }
    let name = Some(req.name.trim().to_string())
        .filter(|n| !n.is_empty())
        .or(inv.name.clone())
        .unwrap_or_else(|| crate::identity::short(joiner));
    let today = ws.options().today;
    let member = Member {
        id: joiner.to_string(),
        name,
        role: inv.role,
        district: inv.district.clone(),
        kindergarten: inv.kindergarten.clone(),
        districts: inv.districts.clone(),
        added_by: me.to_string(),
        added_on: today,
        revoked: false,
    };
    // The inviter may still hand out this role and scope (it may have
    // been revoked or moved since it signed the invite).
    let allowed = ws
        .model()
        .active_member(me)
        .is_some_and(|m| may_invite(m, inv.role) && within_scope(ws.model(), m, &member));
    if !allowed {
        return Err(InviteError::NotAllowed);
    }
    ws.write(|w| w.admit(member, Some(&inv.id)))
        .map_err(|_| InviteError::NotAllowed)?;
    Ok(ws.workspace_id().to_string())
}

impl ProtocolHandler for JoinProtocol {
    async fn accept(&self, conn: Connection) -> Result<(), AcceptError> {
        let joiner = hex(conn.remote_id().as_bytes());
        // Anyone may knock: a few at a time, each for a few seconds only,
        // and a join request is small.
        let Some(_slot) = slot(&self.slots, &conn, &self.log, true, &joiner).await else {
            return Ok(());
        };
        let (mut send, mut recv) = tokio::time::timeout(IDLE_TIMEOUT, conn.accept_bi())
            .await
            .map_err(AcceptError::from_err)?
            .map_err(AcceptError::from_err)?;
        let request = wire::read_limited(&mut recv, wire::MAX_JOIN_FRAME);
        let reply = match tokio::time::timeout(IDLE_TIMEOUT, request).await {
            Ok(Ok((Frame::Join(req), _))) => {
                let r = session::blocking(|| {
                    accept_invite(&mut lock(&self.ws), &self.me, &joiner, &req)
                });
                match &r {
                    Ok(_) => self.log.line(&Entry::Joined {
                        peer: &crate::identity::short(&joiner),
                    }),
                    Err(e) => self.log.refusal(&Entry::JoinRefused {
                        peer: &crate::identity::short(&joiner),
                        code: e.code(),
                    }),
                }
                match r {
                    Ok(ws) => JoinReply {
                        workspace: Some(ws),
                        refused: None,
                    },
                    Err(e) => JoinReply {
                        workspace: None,
                        refused: Some(e.code().to_string()),
                    },
                }
            }
            _ => JoinReply {
                workspace: None,
                refused: Some(InviteError::Malformed.code().to_string()),
            },
        };
        let _ = wire::write(&mut send, &Frame::Joined(reply)).await;
        let _ = send.finish();
        let _ = tokio::time::timeout(IDLE_TIMEOUT, conn.closed()).await;
        Ok(())
    }
}

/// Starts answering sync and join on `ep`.
pub fn router(ep: Endpoint, ws: Shared, log: Log) -> Router {
    let me = hex(ep.id().as_bytes());
    Router::builder(ep)
        .accept(
            SYNC_ALPN,
            SyncProtocol {
                ws: ws.clone(),
                log: log.clone(),
                slots: Arc::new(tokio::sync::Semaphore::new(MAX_SYNC_SESSIONS)),
            },
        )
        .accept(
            files::FILES_ALPN,
            FilesProtocol {
                ws: ws.clone(),
                log: log.clone(),
                slots: Arc::new(tokio::sync::Semaphore::new(MAX_SYNC_SESSIONS)),
            },
        )
        .accept(
            JOIN_ALPN,
            JoinProtocol {
                ws,
                me,
                log,
                slots: Arc::new(tokio::sync::Semaphore::new(MAX_JOINS)),
            },
        )
        .spawn()
}
