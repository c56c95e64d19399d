//! Where a webhook may point: an `http`/`https` URL without credentials, whose host is not a
//! private, loopback or otherwise internal address, unless the deployment allows private
//! targets (tests, local development). A name is checked again when it is resolved at delivery
//! (see [`is_public`]), so a name that later resolves inward is refused then.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use thiserror::Error;
use url::{Host, Url};

/// The longest URL accepted.
pub const MAX_URL_LENGTH: usize = 2048;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TargetError {
    #[error("not a valid absolute URL")]
    Unparseable,
    #[error("at most {MAX_URL_LENGTH} characters")]
    TooLong,
    #[error("only http and https URLs are allowed")]
    Scheme,
    #[error("the URL must not carry a user name or password")]
    Credentials,
    #[error(
        "private, loopback and internal addresses are not allowed (a deployment may allow them \
         with webhooks.allow_private)"
    )]
    Private,
}

/// Checks a webhook URL; returns it parsed.
///
/// # Errors
/// [`TargetError`] saying what is wrong with it.
pub fn check_url(url: &str, allow_private: bool) -> Result<Url, TargetError> {
    if url.len() > MAX_URL_LENGTH {
        return Err(TargetError::TooLong);
    }
    let parsed = Url::parse(url).map_err(|_| TargetError::Unparseable)?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(TargetError::Scheme);
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(TargetError::Credentials);
    }
    let host = parsed.host().ok_or(TargetError::Unparseable)?;
    if !allow_private && !host_is_public(&host) {
        return Err(TargetError::Private);
    }
    Ok(parsed)
}

fn host_is_public(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(name) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            !(name == "localhost"
                || name.ends_with(".localhost")
                || name.rsplit('.').next() == Some("local")
                || name.ends_with(".internal")
                || !name.contains('.'))
        }
        Host::Ipv4(ip) => is_public(IpAddr::V4(*ip)),
        Host::Ipv6(ip) => is_public(IpAddr::V6(*ip)),
    }
}

/// Whether `ip` is a public unicast address: not loopback, private, link-local, shared (CGNAT),
/// documentation, benchmarking, multicast, broadcast, unspecified or reserved.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => is_public_v4(ip),
        IpAddr::V6(ip) => match ip.to_ipv4_mapped() {
            Some(mapped) => is_public_v4(mapped),
            None => is_public_v6(ip),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        // shared address space (carrier-grade NAT)
        || (a == 100 && (64..128).contains(&b))
        // IETF protocol assignments
        || (a == 192 && b == 0 && c == 0)
        // benchmarking
        || (a == 198 && (b == 18 || b == 19))
        // reserved
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        // unique local fc00::/7
        || (first & 0xfe00) == 0xfc00
        // link-local fe80::/10
        || (first & 0xffc0) == 0xfe80
        // documentation 2001:db8::/32
        || (first == 0x2001 && ip.segments()[1] == 0x0db8)
        // IPv4-compatible and other ::/96 forms
        || ip.segments()[..6].iter().all(|segment| *segment == 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_http_and_https_urls_pass() {
        for url in [
            "https://ats.example.com/hooks/interviews",
            "http://93.184.216.34:8080/hook",
            "https://[2606:4700::1111]/hook",
        ] {
            assert!(check_url(url, false).is_ok(), "{url}");
        }
    }

    #[test]
    fn other_schemes_credentials_and_garbage_are_refused() {
        let cases = [
            ("ftp://example.com/hook", TargetError::Scheme),
            ("file:///etc/passwd", TargetError::Scheme),
            ("https://user:pw@example.com/", TargetError::Credentials),
            ("not a url", TargetError::Unparseable),
            ("/relative/path", TargetError::Unparseable),
        ];
        for (url, expected) in cases {
            assert_eq!(check_url(url, true), Err(expected), "{url}");
        }
        let long = format!("https://example.com/{}", "a".repeat(MAX_URL_LENGTH));
        assert_eq!(check_url(&long, true), Err(TargetError::TooLong));
    }

    #[test]
    fn internal_targets_are_refused_unless_allowed() {
        for url in [
            "http://127.0.0.1:9000/hook",
            "http://localhost/hook",
            "http://api.localhost/hook",
            "http://10.1.2.3/",
            "http://172.16.0.1/",
            "http://192.168.1.1/",
            "http://169.254.169.254/latest/meta-data",
            "http://100.64.0.1/",
            "http://0.0.0.0/",
            "http://[::1]/",
            "http://[fd00::1]/",
            "http://[fe80::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://metadata/",
            "http://db.internal/",
        ] {
            assert_eq!(check_url(url, false), Err(TargetError::Private), "{url}");
            assert!(
                check_url(url, true).is_ok(),
                "{url} with private targets allowed"
            );
        }
    }

    #[test]
    fn resolved_addresses_are_classified() {
        let public: [IpAddr; 3] = [
            "8.8.8.8".parse().unwrap(),
            "2606:4700::1111".parse().unwrap(),
            "::ffff:8.8.8.8".parse().unwrap(),
        ];
        for ip in public {
            assert!(is_public(ip), "{ip}");
        }
        let internal: [IpAddr; 6] = [
            "127.0.0.53".parse().unwrap(),
            "192.0.2.1".parse().unwrap(),
            "198.18.0.1".parse().unwrap(),
            "255.255.255.255".parse().unwrap(),
            "224.0.0.1".parse().unwrap(),
            "ff02::1".parse().unwrap(),
        ];
        for ip in internal {
            assert!(!is_public(ip), "{ip}");
        }
    }
}
