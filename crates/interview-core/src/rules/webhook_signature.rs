//! How a webhook delivery is signed: `X-Signature-256: sha256=<hex>` where `<hex>` is the
//! HMAC-SHA256, keyed with the endpoint's secret, of `"<timestamp>.<raw body>"`, and
//! `<timestamp>` is the `X-Webhook-Timestamp` header (Unix seconds). Covering the timestamp lets
//! a receiver refuse a replayed delivery by its age.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

pub const SIGNATURE_HEADER: &str = "X-Signature-256";
pub const TIMESTAMP_HEADER: &str = "X-Webhook-Timestamp";

fn mac(secret: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    // HMAC takes a key of any length
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of every length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The value of the signature header for `body` sent at `timestamp`.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    format!(
        "sha256={}",
        hex::encode(mac(secret, timestamp, body).finalize().into_bytes())
    )
}

/// Whether `signature` (a header value) is `body`'s at `timestamp`, compared in constant time.
pub fn verify(secret: &str, timestamp: i64, body: &[u8], signature: &str) -> bool {
    let Some(digest) = signature
        .strip_prefix("sha256=")
        .and_then(|hex_digest| hex::decode(hex_digest).ok())
    else {
        return false;
    };
    mac(secret, timestamp, body).verify_slice(&digest).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_and_any_change_breaks_it() {
        let body = br#"{"type":"interview.completed"}"#;
        let signature = sign("whsec_secret", 1_700_000_000, body);
        assert!(signature.starts_with("sha256="));
        assert_eq!(signature.len(), "sha256=".len() + 64);
        assert!(verify("whsec_secret", 1_700_000_000, body, &signature));
        assert!(!verify("whsec_other", 1_700_000_000, body, &signature));
        assert!(!verify("whsec_secret", 1_700_000_001, body, &signature));
        assert!(!verify("whsec_secret", 1_700_000_000, b"{}", &signature));
        assert!(!verify("whsec_secret", 1_700_000_000, body, "sha256=zz"));
        assert!(!verify(
            "whsec_secret",
            1_700_000_000,
            body,
            &signature[7..]
        ));
    }

    #[test]
    fn the_signature_is_the_hmac_of_timestamp_dot_body() {
        // computed independently: python3 -c "import hmac,hashlib;
        // print(hmac.new(b'whsec_test', b'1700000000.{\"id\":1}', hashlib.sha256).hexdigest())"
        assert_eq!(
            sign("whsec_test", 1_700_000_000, br#"{"id":1}"#),
            "sha256=2f441ba4b3b2d50d28a9ab9d9fd8880376ecd1eb5d0435401553f5d8d0a5dcf8"
        );
    }
}
