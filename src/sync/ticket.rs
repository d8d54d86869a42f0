//! Tickets people copy between devices: an invite (signed by the inviter:
//! role, scope, expiry, single use, where to reach the inviter), and an
//! address ticket (`bangfu id`: who a device is and where it listens).
//!
//! Both are base32 text (lowercase, no padding: easy to read out over a
//! phone) with a short prefix saying what they are.

use crate::domain::{Id, MemberRole};
use data_encoding::BASE32_NOPAD;
use iroh::{EndpointAddr, EndpointId, SecretKey, Signature, TransportAddr};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;

const INVITE_PREFIX: &str = "bfinvite1";
const ADDR_PREFIX: &str = "bfpeer1";

/// Where a device can be reached: its id, socket addresses and the
/// self-hosted relay it keeps a connection to, if any.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerAddr {
    /// Endpoint id, 64 hex digits.
    pub id: String,
    pub addrs: Vec<SocketAddr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relay: Option<String>,
}

impl PeerAddr {
    pub fn endpoint_id(&self) -> Option<EndpointId> {
        crate::identity::endpoint_id(&self.id)
    }

    /// A peer from the address book: socket addresses and relay URLs as
    /// text (anything else is skipped).
    pub fn from_book(id: &str, addrs: &[String]) -> PeerAddr {
        PeerAddr {
            id: id.to_string(),
            addrs: addrs.iter().filter_map(|a| a.parse().ok()).collect(),
            relay: addrs
                .iter()
                .find(|a| a.parse::<iroh::RelayUrl>().is_ok() && a.contains("://"))
                .cloned(),
        }
    }

    /// The addresses as the address book keeps them (relay last).
    pub fn book_entries(&self) -> Vec<String> {
        let mut out: Vec<String> = self.addrs.iter().map(|a| a.to_string()).collect();
        out.extend(self.relay.clone());
        out
    }

    /// The iroh address to dial.
    pub fn endpoint_addr(&self) -> Option<EndpointAddr> {
        let id = self.endpoint_id()?;
        let relay = self
            .relay
            .as_deref()
            .and_then(|r| r.parse::<iroh::RelayUrl>().ok())
            .map(TransportAddr::Relay);
        Some(EndpointAddr::from_parts(
            id,
            self.addrs
                .iter()
                .map(|a| TransportAddr::Ip(*a))
                .chain(relay),
        ))
    }

    pub fn to_ticket(&self) -> String {
        encode(ADDR_PREFIX, &serde_json::to_vec(self).unwrap_or_default())
    }

    pub fn from_ticket(t: &str) -> Option<PeerAddr> {
        let bytes = decode(ADDR_PREFIX, t)?;
        serde_json::from_slice(&bytes).ok()
    }
}

fn encode(prefix: &str, bytes: &[u8]) -> String {
    format!(
        "{prefix}{}",
        BASE32_NOPAD.encode(bytes).to_ascii_lowercase()
    )
}

fn decode(prefix: &str, text: &str) -> Option<Vec<u8>> {
    let t: String = text.trim().chars().filter(|c| !c.is_whitespace()).collect();
    let body = t.strip_prefix(prefix)?;
    BASE32_NOPAD
        .decode(body.to_ascii_uppercase().as_bytes())
        .ok()
}

/// What an invite grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invite {
    pub version: u32,
    /// Random; an invite is used once.
    pub id: String,
    pub workspace: String,
    pub role: MemberRole,
    pub district: Option<Id>,
    pub kindergarten: Option<Id>,
    pub districts: Vec<Id>,
    /// The name the inviter gave the new member, if any.
    pub name: Option<String>,
    /// Seconds since 1970 after which the invite is refused.
    pub expires: i64,
    /// Where to reach the inviter (who checks and accepts the invite).
    pub inviter: PeerAddr,
}

/// Why an invite is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteError {
    /// Not an invite at all (mistyped, cut short).
    Malformed,
    /// The signature does not match: changed since it was made.
    Altered,
    Expired,
    /// Already used by someone.
    Used,
    /// For another programme.
    OtherWorkspace,
    /// This device did not make it.
    NotInviter,
    /// The inviter may not (any longer) hand out this role.
    NotAllowed,
}

impl InviteError {
    pub fn code(self) -> &'static str {
        match self {
            InviteError::Malformed => "malformed",
            InviteError::Altered => "altered",
            InviteError::Expired => "expired",
            InviteError::Used => "used",
            InviteError::OtherWorkspace => "other_workspace",
            InviteError::NotInviter => "not_inviter",
            InviteError::NotAllowed => "not_allowed",
        }
    }

    pub fn from_code(s: &str) -> InviteError {
        [
            InviteError::Altered,
            InviteError::Expired,
            InviteError::Used,
            InviteError::OtherWorkspace,
            InviteError::NotInviter,
            InviteError::NotAllowed,
        ]
        .into_iter()
        .find(|e| e.code() == s)
        .unwrap_or(InviteError::Malformed)
    }
}

impl Invite {
    /// The ticket text: the invite and the inviter's signature of it.
    pub fn sign(&self, key: &SecretKey) -> String {
        let body = serde_json::to_vec(self).unwrap_or_default();
        let sig = key.sign(&body);
        let mut bytes = (body.len() as u32).to_be_bytes().to_vec();
        bytes.extend(&body);
        bytes.extend(sig.to_bytes());
        encode(INVITE_PREFIX, &bytes)
    }

    /// Reads a ticket and checks its signature against the inviter's key
    /// named in it. (Whether that inviter may invite, and whether the
    /// invite is still unused, only the inviter's programme can tell.)
    pub fn verify(ticket: &str) -> Result<Invite, InviteError> {
        let bytes = decode(INVITE_PREFIX, ticket).ok_or(InviteError::Malformed)?;
        let n = bytes
            .get(..4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(u32::from_be_bytes)
            .ok_or(InviteError::Malformed)? as usize;
        let end = n.checked_add(4).ok_or(InviteError::Malformed)?;
        let body = bytes.get(4..end).ok_or(InviteError::Malformed)?;
        let sig = bytes
            .get(end..)
            .and_then(|s| <[u8; 64]>::try_from(s).ok())
            .ok_or(InviteError::Malformed)?;
        let invite: Invite = serde_json::from_slice(body).map_err(|_| InviteError::Altered)?;
        let key = invite.inviter.endpoint_id().ok_or(InviteError::Malformed)?;
        key.verify(body, &Signature::from_bytes(&sig))
            .map_err(|_| InviteError::Altered)?;
        Ok(invite)
    }
}

#[cfg(test)]
#[allow(
    clippy::indexing_slicing,
    clippy::string_slice,
    clippy::arithmetic_side_effects
)]
mod tests {
    use super::*;

    fn invite(key: &SecretKey) -> Invite {
        Invite {
            version: 1,
            id: "abc".into(),
            workspace: "w".into(),
            role: MemberRole::Kindergarten,
            district: None,
            kindergarten: None,
            districts: vec![],
            name: Some("红旗村幼儿园".into()),
            expires: 2_000_000_000,
            inviter: PeerAddr {
                id: crate::identity::endpoint_hex(key),
                addrs: vec!["127.0.0.1:4000".parse().expect("addr")],
                relay: None,
            },
        }
    }

    #[test]
    fn a_signed_invite_reads_back_and_an_altered_one_is_refused() {
        let key = SecretKey::from_bytes(&[7; 32]);
        let t = invite(&key).sign(&key);
        assert!(t.starts_with(INVITE_PREFIX));
        assert_eq!(Invite::verify(&t).ok(), Some(invite(&key)));
        // Change one character of the body.
        let mut chars: Vec<char> = t.chars().collect();
        let i = chars.len() / 2;
        chars[i] = if chars[i] == 'a' { 'b' } else { 'a' };
        let altered: String = chars.into_iter().collect();
        assert!(matches!(
            Invite::verify(&altered),
            Err(InviteError::Altered | InviteError::Malformed)
        ));
        assert_eq!(Invite::verify("hello").err(), Some(InviteError::Malformed));
        assert_eq!(
            Invite::verify(&t[..t.len() - 10]).err(),
            Some(InviteError::Malformed)
        );
        // Signed by someone else than the inviter it names.
        let other = SecretKey::from_bytes(&[8; 32]);
        assert_eq!(
            Invite::verify(&invite(&key).sign(&other)).err(),
            Some(InviteError::Altered)
        );
    }

    #[test]
    fn an_address_ticket_round_trips() {
        let key = SecretKey::from_bytes(&[9; 32]);
        let p = PeerAddr {
            id: crate::identity::endpoint_hex(&key),
            addrs: vec!["192.168.1.5:41000".parse().expect("addr")],
            relay: None,
        };
        assert_eq!(PeerAddr::from_ticket(&p.to_ticket()), Some(p.clone()));
        let relayed = PeerAddr {
            relay: Some("https://relay.bureau.example/".into()),
            ..p.clone()
        };
        assert_eq!(
            PeerAddr::from_ticket(&relayed.to_ticket()),
            Some(relayed.clone())
        );
        assert_eq!(PeerAddr::from_book(&p.id, &relayed.book_entries()), relayed);
        assert_eq!(p.endpoint_id(), Some(key.public()));
    }
}
