//! The webhook sender on reqwest: one POST per delivery with the configured timeout, no
//! redirects followed, no proxy, and, unless private targets are allowed, a resolver that drops
//! every private, loopback or internal address, so a public name that resolves inward (or is
//! re-pointed there after registration) is refused at delivery time.

use std::error::Error as _;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use interview_core::ports::{OutgoingDelivery, SendError, WebhookSender};
use interview_core::rules::webhook_target::is_public;
use interview_core::webhooks::WebhookSettings;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::redirect::Policy;
use thiserror::Error;
use url::{Host, Url};

const USER_AGENT: &str = concat!("interview-platform-webhooks/", env!("CARGO_PKG_VERSION"));

#[derive(Debug, Error)]
#[error("the webhook HTTP client could not be built: {0}")]
pub struct BuildError(#[source] reqwest::Error);

/// Resolves names through the system resolver and keeps public addresses only.
struct PublicAddressesOnly;

impl Resolve for PublicAddressesOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let public: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|address| is_public(address.ip()))
                .collect();
            if public.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            let addresses: Addrs = Box::new(public.into_iter());
            Ok(addresses)
        })
    }
}

/// Sends deliveries over HTTP(S).
pub struct HttpWebhookSender {
    client: reqwest::Client,
    allow_private: bool,
}

impl HttpWebhookSender {
    /// # Errors
    /// When the TLS backend cannot be initialised.
    pub fn new(settings: &WebhookSettings) -> Result<Self, BuildError> {
        let timeout = Duration::from_secs(settings.timeout_seconds.max(1));
        let mut builder = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(Policy::none())
            .no_proxy();
        if !settings.allow_private {
            builder = builder.dns_resolver(Arc::new(PublicAddressesOnly));
        }
        Ok(Self {
            client: builder.build().map_err(BuildError)?,
            allow_private: settings.allow_private,
        })
    }

    /// An address written into the URL is not resolved, so it is checked here.
    fn check_literal(&self, url: &Url) -> Result<(), SendError> {
        if self.allow_private {
            return Ok(());
        }
        let literal = match url.host() {
            Some(Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
            Some(Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
            Some(Host::Domain(_)) | None => None,
        };
        match literal {
            Some(ip) if !is_public(ip) => {
                Err(SendError::Refused(format!("{ip} is not a public address")))
            }
            _ => Ok(()),
        }
    }
}

/// The error and its causes, one line ("error sending request: connection refused").
fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[async_trait]
impl WebhookSender for HttpWebhookSender {
    async fn send(&self, delivery: &OutgoingDelivery) -> Result<u16, SendError> {
        let url = Url::parse(&delivery.url)
            .map_err(|error| SendError::Refused(format!("invalid URL: {error}")))?;
        self.check_literal(&url)?;
        let mut request = self.client.post(url).body(delivery.body.clone());
        for (name, value) in &delivery.headers {
            request = request.header(*name, value);
        }
        match request.send().await {
            Ok(response) => Ok(response.status().as_u16()),
            Err(error) if error.is_timeout() => Err(SendError::TimedOut),
            Err(error) => Err(SendError::Failed(describe(&error))),
        }
    }
}

#[cfg(test)]
mod tests;
