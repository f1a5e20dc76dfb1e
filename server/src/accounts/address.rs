//! Whom failed logins are counted against: the peer's address, or, when the peer is a
//! reverse proxy the admin trusts (`trusted_proxies`), the client it names in
//! `X-Forwarded-For`. Without this every player behind one proxy would share one address,
//! and 20 failed logins anywhere would lock everyone out for 15 minutes; trusting the
//! header from anyone else would let a guesser name a fresh address on every try.

use std::net::IpAddr;

/// The client's address: the right-most `X-Forwarded-For` entry that is not a trusted
/// proxy, when the peer itself is one; else the peer.
pub fn client_address(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let Some(list) = forwarded_for else {
        return peer;
    };
    let hops: Vec<IpAddr> = list
        .split(',')
        .map_while(|hop| hop.trim().parse::<IpAddr>().ok())
        .collect();
    // Each proxy appends the address it saw: from the right, the first one no trusted
    // proxy added is the client (a client can prepend anything it likes, never append).
    hops.iter()
        .rev()
        .find(|ip| !trusted.contains(ip))
        .or(hops.first())
        .copied()
        .unwrap_or(peer)
}

/// Whether the player reached the server over TLS: a trusted proxy in front of it says
/// `X-Forwarded-Proto: https` (its first entry: the side facing the player). Nobody else
/// is believed.
pub fn over_tls(peer: IpAddr, forwarded_proto: Option<&str>, trusted: &[IpAddr]) -> bool {
    trusted.contains(&peer)
        && forwarded_proto
            .and_then(|p| p.split(',').next())
            .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"))
}

/// `trusted_proxies` as written in the config: IP addresses, comma-separated in the
/// environment.
pub fn parse_trusted(list: &[String]) -> Result<Vec<IpAddr>, String> {
    list.iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpAddr>()
                .map_err(|_| format!("{s:?} is not an IP address"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_trusted_proxy_names_the_client_and_nobody_else_can() {
        let proxy = ip("10.0.0.2");
        let trusted = [proxy, ip("10.0.0.3")];
        let forwarded = Some("203.0.113.7");
        assert_eq!(
            client_address(proxy, forwarded, &trusted),
            ip("203.0.113.7")
        );
        // Two proxies in a row: the client is left of both.
        let chain = Some("203.0.113.7, 10.0.0.3");
        assert_eq!(client_address(proxy, chain, &trusted), ip("203.0.113.7"));
        // A client that writes its own header gets its fake entry ignored.
        let spoofed = Some("1.2.3.4, 203.0.113.7");
        assert_eq!(client_address(proxy, spoofed, &trusted), ip("203.0.113.7"));
        // From a peer nobody trusts, the header is not read at all.
        let stranger = ip("198.51.100.9");
        assert_eq!(client_address(stranger, forwarded, &trusted), stranger);
        assert_eq!(client_address(proxy, None, &trusted), proxy);
        assert_eq!(client_address(proxy, Some("junk"), &trusted), proxy);
        assert!(parse_trusted(&["10.0.0.2".into(), "::1".into()]).is_ok());
        assert!(parse_trusted(&["proxy.example".into()]).is_err());
    }

    proptest! {
        /// Whatever a client sends, from an untrusted peer the answer is the peer, and
        /// through a trusted proxy it is never a trusted proxy's address unless all are.
        #[test]
        fn the_header_only_counts_through_a_trusted_proxy(
            octets in proptest::collection::vec((0u8..=255, 0u8..=255), 0..6),
            peer_last in 0u8..=255,
        ) {
            let header: Vec<String> = octets.iter().map(|(a, b)| format!("192.0.{a}.{b}")).collect();
            let header = header.join(", ");
            let trusted = [ip("10.0.0.2")];
            let peer = ip(&format!("198.51.100.{peer_last}"));
            prop_assert_eq!(client_address(peer, Some(&header), &trusted), peer);
            let through = client_address(ip("10.0.0.2"), Some(&header), &trusted);
            prop_assert!(octets.is_empty() == (through == ip("10.0.0.2")));
        }
    }
}
