//! Where calls to admin-configured URLs may go. An integration's or AI provider's base URL is
//! typed by an admin, so it must not become a way to reach what only Steward's host can reach:
//! its loopback services, the cloud's metadata endpoint, the private network. Such addresses are
//! refused unless an allow-list names them (the sandbox allows its own loopback stand-ins).
//!
//! Names are checked where they are resolved (a resolver that drops forbidden addresses, so a
//! name cannot point elsewhere between a check and the call), and addresses written into a URL,
//! which are never resolved, are checked before the call.

use std::{
    fmt,
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    str::FromStr,
    sync::Arc,
};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// An address range: an address and how many leading bits of it count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Net {
    addr: IpAddr,
    prefix: u8,
}

impl Net {
    /// Whether `ip` lies in this range.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for Net {
    type Err = String;

    /// `10.0.0.0/8`, `fd00::/8`, or one address.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let (addr, prefix) = text.split_once('/').unwrap_or((text, ""));
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| format!("`{text}` is not an IP address or range such as 10.0.0.0/8"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = if prefix.is_empty() {
            max
        } else {
            prefix
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("`{text}` has a prefix length outside 0 to {max}"))?
        };
        Ok(Self {
            addr: canonical(addr),
            prefix,
        })
    }
}

impl fmt::Display for Net {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// An IPv4 address written as IPv6 (`::ffff:127.0.0.1`) is judged as the IPv4 address it is.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// Whether `ip` is an address on the public internet: not loopback, private, link-local (the
/// cloud metadata endpoint 169.254.169.254 among them), shared, unique-local, multicast or
/// unspecified.
pub fn is_public(ip: IpAddr) -> bool {
    match canonical(ip) {
        IpAddr::V4(ip) => {
            let [a, b, ..] = ip.octets();
            !(ip.is_loopback()
                || ip.is_private()
                || ip.is_link_local()
                || ip.is_unspecified()
                || ip.is_broadcast()
                || ip.is_multicast()
                || ip.is_documentation()
                // Shared address space (carrier-grade NAT), 100.64.0.0/10.
                || (a == 100 && (64..128).contains(&b))
                // "This network", 0.0.0.0/8.
                || a == 0
                || ip == Ipv4Addr::new(192, 0, 0, 170))
        }
        IpAddr::V6(ip) => {
            let first = ip.segments()[0];
            !(ip.is_loopback()
                || ip.is_unspecified()
                || ip.is_multicast()
                // Unique local fc00::/7 (AWS's metadata fd00:ec2::254 among them).
                || (first & 0xfe00) == 0xfc00
                // Link-local fe80::/10.
                || (first & 0xffc0) == 0xfe80
                || ip == Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0xa9fe, 0xa9fe))
        }
    }
}

/// The addresses admin-configured URLs may lead to: public ones, and those the allow-list names.
#[derive(Clone, Debug, Default)]
pub struct Destinations {
    allowed: Arc<Vec<Net>>,
}

/// Why a call was not made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "{host} is a private, loopback or link-local address, which Steward does not call unless \
     STEWARD_OUTBOUND_ALLOW lists it"
)]
pub struct ForbiddenDestination {
    /// The host as written in the URL.
    pub host: String,
}

impl Destinations {
    /// Public addresses, and the ranges in `allowed`.
    pub fn allowing(allowed: impl IntoIterator<Item = Net>) -> Self {
        Self {
            allowed: Arc::new(allowed.into_iter().collect()),
        }
    }

    /// Loopback (IPv4 and IPv6) besides public addresses: the sandbox's stand-ins and tests.
    pub fn with_loopback() -> Self {
        Self::allowing(["127.0.0.0/8", "::1"].map(|n| n.parse().expect("valid ranges")))
    }

    /// Whether a call may go to `ip`.
    pub fn permits(&self, ip: IpAddr) -> bool {
        is_public(ip) || self.allowed.iter().any(|net| net.contains(ip))
    }

    /// Refuses `url` when its host is an address (which no resolver sees) that is not permitted,
    /// or `localhost`. Names are checked when they resolve; see [`Destinations::client`].
    pub fn check(&self, url: &reqwest::Url) -> Result<(), ForbiddenDestination> {
        let forbidden = || ForbiddenDestination {
            host: url.host_str().unwrap_or_default().to_owned(),
        };
        match url.host() {
            Some(url::Host::Ipv4(ip)) if !self.permits(IpAddr::V4(ip)) => Err(forbidden()),
            Some(url::Host::Ipv6(ip)) if !self.permits(IpAddr::V6(ip)) => Err(forbidden()),
            Some(url::Host::Domain(name))
                if name.eq_ignore_ascii_case("localhost")
                    && !self.permits(IpAddr::V4(Ipv4Addr::LOCALHOST)) =>
            {
                Err(forbidden())
            }
            None => Err(forbidden()),
            _ => Ok(()),
        }
    }

    /// `builder` with a resolver that returns only permitted addresses, so a name that
    /// resolves to a private one fails to connect.
    pub fn client(&self, builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
        builder.dns_resolver(Arc::new(self.clone()))
    }
}

impl Resolve for Destinations {
    fn resolve(&self, name: Name) -> Resolving {
        let destinations = self.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let permitted: Vec<SocketAddr> = found
                .into_iter()
                .filter(|addr| destinations.permits(addr.ip()))
                .collect();
            if permitted.is_empty() {
                return Err(Box::new(ForbiddenDestination { host }) as _);
            }
            Ok(Box::new(permitted.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_pass_by_default() {
        let public_only = Destinations::default();
        for forbidden in [
            "127.0.0.1",
            "127.8.9.10",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00:ec2::254",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
        ] {
            let ip: IpAddr = forbidden.parse().unwrap();
            assert!(!public_only.permits(ip), "{forbidden} was permitted");
        }
        for public in [
            "93.184.216.34",
            "2606:2800:220:1:248:1893:25c8:1946",
            "8.8.8.8",
        ] {
            assert!(public_only.permits(public.parse().unwrap()), "{public}");
        }
        let with_lab = Destinations::allowing(["10.20.0.0/16".parse().unwrap()]);
        assert!(with_lab.permits("10.20.7.4".parse().unwrap()));
        assert!(!with_lab.permits("10.21.0.1".parse().unwrap()));
        assert!(Destinations::with_loopback().permits("::ffff:127.0.0.1".parse().unwrap()));
    }

    #[test]
    fn addresses_and_localhost_in_urls_are_checked_before_any_call() {
        let url = |text: &str| reqwest::Url::parse(text).unwrap();
        let public_only = Destinations::default();
        for forbidden in [
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]:8080/",
            "http://localhost:3000/api",
            "http://0x7f000001/",
        ] {
            assert!(public_only.check(&url(forbidden)).is_err(), "{forbidden}");
        }
        assert!(
            public_only
                .check(&url("https://acme.service-now.com/"))
                .is_ok()
        );
        assert!(
            Destinations::with_loopback()
                .check(&url("http://localhost:3000/"))
                .is_ok()
        );
    }

    #[test]
    fn ranges_read_as_admins_write_them() {
        assert_eq!(
            "10.0.0.0/8".parse::<Net>().unwrap().to_string(),
            "10.0.0.0/8"
        );
        assert_eq!("::1".parse::<Net>().unwrap().to_string(), "::1/128");
        assert!("10.0.0.0/33".parse::<Net>().is_err());
        assert!("intranet".parse::<Net>().is_err());
    }

    #[tokio::test]
    async fn a_name_that_resolves_to_loopback_is_not_called() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let client = Destinations::default()
            .client(reqwest::Client::builder())
            .build()
            .unwrap();
        let error = client
            .get(format!("http://localhost:{port}/"))
            .send()
            .await
            .unwrap_err();
        let described = crate::error_chain(&error);
        assert!(
            described.contains("private, loopback or link-local"),
            "{described}"
        );
    }
}
