//! Joining a programme with an invite, and making invites.

use super::*;

/// How a device that has no workspace yet reaches an inviter: any port,
/// all interfaces, the inviter's relay (if the invite names one).
pub fn joining_config(invite: &Invite) -> NetConfig {
    NetConfig {
        port: 0,
        relay: invite.inviter.relay.clone(),
        mdns: std::env::var_os("BANGFU_NO_MDNS").is_none(),
        bind_ip: std::net::IpAddr::from([0, 0, 0, 0]),
    }
}

/// Sends the invite to the inviter; the workspace it names, or why the
/// inviter refused.
async fn ask_to_join(
    ep: &Endpoint,
    invite: &Invite,
    ticket: &str,
    name: &str,
) -> Result<String, SyncError> {
    let addr = invite
        .inviter
        .endpoint_addr()
        .ok_or(SyncError::Invite(InviteError::Malformed))?;
    let unreachable = |detail: String| SyncError::Unreachable {
        peer: crate::identity::short(&invite.inviter.id),
        detail,
    };
    let conn = tokio::time::timeout(IDLE_TIMEOUT.saturating_mul(2), ep.connect(addr, JOIN_ALPN))
        .await
        .map_err(|_| unreachable("timed out".into()))?
        .map_err(|e| unreachable(e.to_string()))?;
    let (mut send, mut recv) = conn.open_bi().await.map_err(net)?;
    wire::write(
        &mut send,
        &Frame::Join(JoinRequest {
            ticket: ticket.trim().to_string(),
            name: name.to_string(),
        }),
    )
    .await?;
    let reply = tokio::time::timeout(IDLE_TIMEOUT.saturating_mul(2), wire::read(&mut recv))
        .await
        .map_err(|_| SyncError::TimedOut("the inviter's answer"))??;
    conn.close(0u32.into(), b"done");
    match reply.0 {
        Frame::Joined(JoinReply {
            workspace: Some(w), ..
        }) => Ok(w),
        Frame::Joined(JoinReply {
            refused: Some(code),
            ..
        }) => Err(SyncError::Invite(InviteError::from_code(&code))),
        other => Err(SyncError::Protocol(format!(
            "expected an answer, got {other:?}"
        ))),
    }
}

/// Joins the programme of an invite: asks the inviter, creates this
/// device's (empty) workspace in `dir` (keeping the inviter's relay), and
/// runs the first sync.
pub async fn join(
    dir: &Path,
    ticket: &str,
    name: &str,
    options: Options,
    cfg: &NetConfig,
) -> Result<(Shared, SessionReport), SyncError> {
    let invite = Invite::verify(ticket).map_err(SyncError::Invite)?;
    // A workspace made by mistake and never used gives way (set aside).
    crate::store::set_aside_unused(dir, options.clone()).map_err(SyncError::Store)?;
    if dir.join(crate::store::DB_FILE).exists() {
        return Err(SyncError::Store(crate::store::StoreError::AlreadyExists {
            dir: dir.to_path_buf(),
        }));
    }
    let key = crate::identity::load_or_create(dir).map_err(|source| {
        SyncError::Store(crate::store::StoreError::Io {
            path: crate::identity::key_path(dir),
            source,
        })
    })?;
    // Join from the port this device will listen on from now on, so the
    // inviter's address book notes an address that works later.
    let port = random_port();
    let ep = match bind(
        &key,
        &NetConfig {
            port,
            ..cfg.clone()
        },
        true,
    )
    .await
    {
        Ok(ep) => ep,
        Err(_) => bind(&key, cfg, false).await?,
    };
    let listening = ep.bound_sockets().first().map(|s| s.port()).unwrap_or(port);
    let result = async {
        let workspace = ask_to_join(&ep, &invite, ticket, name).await?;
        let mut ws = Workspace::create_joined(dir, &workspace, options)?;
        ws.set_setting("port", &listening.to_string())?;
        if let Some(relay) = &cfg.relay {
            ws.set_setting("relay", relay)?;
        }
        let shared: Shared = Arc::new(Mutex::new(ws));
        let report = sync_with(&shared, &ep, &invite.inviter, |_| {}).await?;
        Ok((shared, report))
    }
    .await;
    ep.close().await;
    result
}

/// [`join`] for a caller without a runtime (the interface's first run):
/// blocks this thread until the join and the first sync end.
pub fn join_blocking(
    dir: &Path,
    ticket: &str,
    name: &str,
    options: Options,
    mdns: bool,
) -> Result<(), SyncError> {
    let invite = Invite::verify(ticket).map_err(SyncError::Invite)?;
    let cfg = NetConfig {
        mdns,
        ..joining_config(&invite)
    };
    // Two workers, not one thread: checking the programme's changes takes
    // seconds on an old laptop, and the connection's keep-alives must go
    // on meanwhile (`session::blocking`).
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(net)?;
    rt.block_on(join(dir, ticket, name, options, &cfg))
        .map(|_| ())
}

/// A signed invite ticket for `wanted`, valid for `secs` seconds, naming
/// where to reach the inviter.
pub fn make_invite(
    workspace: &str,
    wanted: &Member,
    secs: i64,
    inviter: PeerAddr,
    key: &SecretKey,
) -> String {
    let mut id_bytes = [0u8; 16];
    rand::RngExt::fill(&mut rand::rng(), &mut id_bytes);
    Invite {
        version: 1,
        id: crate::domain::Id::from_random_bytes(id_bytes).to_string(),
        workspace: workspace.to_string(),
        role: wanted.role,
        district: wanted.district.clone(),
        kindergarten: wanted.kindergarten.clone(),
        districts: wanted.districts.clone(),
        name: Some(wanted.name.clone()).filter(|n| !n.is_empty()),
        expires: chrono::Utc::now().timestamp().saturating_add(secs),
        inviter,
    }
    .sign(key)
}
