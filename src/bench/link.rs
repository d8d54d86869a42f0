//! A bad link on one machine: a userspace UDP proxy between a client and a
//! listening peer, with delay and loss each way and a switch that cuts it
//! (the kernel here has no `tc netem`). The benchmark and the sync tests
//! put sessions through it.
//!
//! The client side is IPv4 and the peer side IPv6: with the peer bound to
//! IPv6 loopback only and the client to IPv4, the addresses the peer
//! advertises in QUIC (for hole punching) are unreachable for the client,
//! so every packet goes through the proxy.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::UdpSocket;

/// A running proxy: where clients send, the switch, and how many
/// datagrams went through (or were dropped) so far.
#[derive(Debug, Clone)]
pub struct Proxy {
    pub addr: SocketAddr,
    pub cut: Arc<AtomicBool>,
    pub forwarded: Arc<AtomicUsize>,
}

impl Proxy {
    /// Datagrams seen so far, both ways.
    pub fn datagrams(&self) -> usize {
        self.forwarded.load(Ordering::SeqCst)
    }
}

/// Starts a proxy to `target` (an IPv6 address) on IPv4 loopback: each
/// datagram waits `delay` and is dropped with probability `loss`; after
/// `cut_after` datagrams nothing more passes.
pub async fn proxy(
    target: SocketAddr,
    delay: Duration,
    loss: f64,
    cut_after: Option<usize>,
) -> std::io::Result<Proxy> {
    let front = Arc::new(UdpSocket::bind("127.0.0.1:0").await?);
    let back = Arc::new(UdpSocket::bind("[::1]:0").await?);
    let addr = front.local_addr()?;
    let cut = Arc::new(AtomicBool::new(false));
    let forwarded = Arc::new(AtomicUsize::new(0));
    let client: Arc<Mutex<Option<SocketAddr>>> = Arc::new(Mutex::new(None));
    let pass = {
        let (cut, forwarded) = (cut.clone(), forwarded.clone());
        move || {
            let n = forwarded.fetch_add(1, Ordering::SeqCst);
            if cut_after.is_some_and(|c| n >= c) {
                cut.store(true, Ordering::SeqCst);
            }
            !cut.load(Ordering::SeqCst)
                && rand::RngExt::random_bool(&mut rand::rng(), (1.0 - loss).clamp(0.0, 1.0))
        }
    };
    let remember = {
        let client = client.clone();
        move |from: SocketAddr| {
            *client.lock().unwrap_or_else(|e| e.into_inner()) = Some(from);
            Some(target)
        }
    };
    let reply_to = move |_: SocketAddr| *client.lock().unwrap_or_else(|e| e.into_inner());
    tokio::spawn(forward(
        front.clone(),
        back.clone(),
        delay,
        pass.clone(),
        remember,
    ));
    tokio::spawn(forward(back, front, delay, pass, reply_to));
    Ok(Proxy {
        addr,
        cut,
        forwarded,
    })
}

/// Passes what `from` receives on to `to`, each datagram delayed, to where
/// `dest` says (nowhere: dropped).
async fn forward(
    from: Arc<UdpSocket>,
    to: Arc<UdpSocket>,
    delay: Duration,
    pass: impl Fn() -> bool,
    dest: impl Fn(SocketAddr) -> Option<SocketAddr>,
) {
    let mut buf = vec![0u8; 65536];
    while let Ok((n, sender)) = from.recv_from(&mut buf).await {
        let Some(at) = dest(sender) else {
            continue;
        };
        if !pass() {
            continue;
        }
        let Some(data) = buf.get(..n).map(<[u8]>::to_vec) else {
            continue;
        };
        let to = to.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let _ = to.send_to(&data, at).await;
        });
    }
}
