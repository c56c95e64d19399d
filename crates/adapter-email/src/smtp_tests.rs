#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use secrecy::SecretString;

use super::*;
use crate::test_server::{Replies, SmtpServer};
use crate::{EmailBackend, EmailSettings, mailer};

const FROM: &str = "Interview Platform <no-reply@platform.test>";

fn email(to: &str) -> OutgoingEmail {
    OutgoingEmail {
        to: to.into(),
        subject: "Your interview is booked".into(),
        body: "Hello Ann,\r\n.see you on Monday.\r\n".into(),
    }
}

async fn server_replying(replies: Replies) -> (SmtpServer, SmtpMailer) {
    let server = SmtpServer::start_with(replies).await.unwrap();
    let mailer = SmtpMailer::new(FROM, &server.settings()).unwrap();
    (server, mailer)
}

#[tokio::test]
async fn smtp_delivers_recipient_subject_and_body() {
    let (server, mailer) = server_replying(Replies::default()).await;
    mailer.send(&email("Ann <ann@example.com>")).await.unwrap();

    let received = server.received();
    assert_eq!(received.len(), 1, "{received:?}");
    let mail = &received[0];
    assert_eq!(mail.from, "no-reply@platform.test");
    assert_eq!(mail.to, ["ann@example.com"]);
    assert_eq!(
        mail.header("subject").as_deref(),
        Some("Your interview is booked")
    );
    assert_eq!(mail.header("To").as_deref(), Some("Ann <ann@example.com>"));
    assert_eq!(
        mail.header("From").as_deref(),
        Some("\"Interview Platform\" <no-reply@platform.test>")
    );
    // The leading dot survives dot-stuffing both ways.
    assert_eq!(mail.body(), "Hello Ann,\r\n.see you on Monday.\r\n");
    assert_eq!(mail.auth, None);
}

#[tokio::test]
async fn smtp_sends_one_connection_per_message() {
    let (server, mailer) = server_replying(Replies::default()).await;
    mailer.send(&email("ann@example.com")).await.unwrap();
    mailer.send(&email("bob@example.com")).await.unwrap();
    let to: Vec<_> = server.received().into_iter().map(|m| m.to).collect();
    assert_eq!(to, [["ann@example.com"], ["bob@example.com"]]);
}

#[tokio::test]
async fn smtp_logs_in_with_auth_plain_when_credentials_are_set() {
    let server = SmtpServer::start().await.unwrap();
    let settings = SmtpSettings {
        username: Some("mailer".into()),
        password: Some(SecretString::from("s3cret")),
        ..server.settings()
    };
    let mailer = SmtpMailer::new(FROM, &settings).unwrap();
    mailer.send(&email("ann@example.com")).await.unwrap();
    // base64("\0mailer\0s3cret")
    assert_eq!(
        server.received()[0].auth.as_deref(),
        Some("AG1haWxlcgBzM2NyZXQ=")
    );
}

#[tokio::test]
async fn smtp_recipient_refused_with_550_is_rejected() {
    let (server, mailer) = server_replying(Replies {
        rcpt: "550 5.1.1 no such user".into(),
        ..Replies::default()
    })
    .await;
    let error = mailer.send(&email("ghost@example.com")).await.unwrap_err();
    assert!(
        matches!(&error, MailError::Rejected(m) if m.contains("no such user")),
        "{error:?}"
    );
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn smtp_transient_451_is_unavailable() {
    let (_server, mailer) = server_replying(Replies {
        rcpt: "451 4.3.0 try again later".into(),
        ..Replies::default()
    })
    .await;
    let error = mailer.send(&email("ann@example.com")).await.unwrap_err();
    assert!(matches!(error, MailError::Unavailable(_)), "{error:?}");
}

#[tokio::test]
async fn smtp_refused_authentication_is_unavailable_not_rejected() {
    let server = SmtpServer::start_with(Replies {
        auth: "535 5.7.8 bad credentials".into(),
        ..Replies::default()
    })
    .await
    .unwrap();
    let settings = SmtpSettings {
        username: Some("mailer".into()),
        password: Some(SecretString::from("wrong")),
        ..server.settings()
    };
    let mailer = SmtpMailer::new(FROM, &settings).unwrap();
    let error = mailer.send(&email("ann@example.com")).await.unwrap_err();
    assert!(matches!(error, MailError::Unavailable(_)), "{error:?}");
}

#[tokio::test]
async fn smtp_bad_recipient_is_rejected_without_connecting() {
    let (server, mailer) = server_replying(Replies::default()).await;
    let error = mailer.send(&email("not an address")).await.unwrap_err();
    assert!(matches!(error, MailError::Rejected(_)), "{error:?}");
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn smtp_nothing_listening_is_unavailable() {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let settings = SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        tls: SmtpTls::None,
        ..SmtpSettings::default()
    };
    let mailer = SmtpMailer::new(FROM, &settings).unwrap();
    let error = mailer.send(&email("ann@example.com")).await.unwrap_err();
    assert!(
        matches!(&error, MailError::Unavailable(m) if m.contains(&format!("127.0.0.1:{port}"))),
        "{error:?}"
    );
}

#[tokio::test]
async fn smtp_silent_server_times_out_as_unavailable() {
    let server = SmtpServer::start_with(Replies {
        greet: false,
        ..Replies::default()
    })
    .await
    .unwrap();
    let settings = SmtpSettings {
        timeout_seconds: 1,
        ..server.settings()
    };
    let mailer = SmtpMailer::new(FROM, &settings).unwrap();
    let started = Instant::now();
    let error = mailer.send(&email("ann@example.com")).await.unwrap_err();
    assert!(
        matches!(&error, MailError::Unavailable(m) if m.contains("no answer within 1 s")),
        "{error:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn smtp_starttls_not_offered_is_unavailable() {
    let server = SmtpServer::start().await.unwrap();
    let settings = SmtpSettings {
        tls: SmtpTls::Starttls,
        ..server.settings()
    };
    let mailer = SmtpMailer::new(FROM, &settings).unwrap();
    let error = mailer.send(&email("ann@example.com")).await.unwrap_err();
    assert!(matches!(error, MailError::Unavailable(_)), "{error:?}");
    assert!(server.received().is_empty());
}

#[test]
fn smtp_setup_errors_name_the_key() {
    let valid = SmtpSettings {
        host: "mail.example.com".into(),
        ..SmtpSettings::default()
    };
    let cases = [
        (
            "email.smtp.host",
            SmtpSettings {
                host: " ".into(),
                ..valid.clone()
            },
        ),
        (
            "email.smtp.port",
            SmtpSettings {
                port: 0,
                ..valid.clone()
            },
        ),
        (
            "email.smtp.timeout_seconds",
            SmtpSettings {
                timeout_seconds: 0,
                ..valid.clone()
            },
        ),
        (
            "email.smtp.password",
            SmtpSettings {
                username: Some("mailer".into()),
                ..valid.clone()
            },
        ),
    ];
    for (expected, settings) in cases {
        let error = SmtpMailer::new(FROM, &settings).unwrap_err();
        assert!(
            matches!(error, EmailSetupError::Invalid { key, .. } if key == expected),
            "{expected}: {error:?}"
        );
        assert!(error.to_string().starts_with(expected), "{error}");
    }
}

#[test]
fn smtp_backend_builds_with_each_tls_mode_without_a_runtime() {
    for tls in [SmtpTls::Starttls, SmtpTls::Tls, SmtpTls::None] {
        let settings = EmailSettings {
            backend: EmailBackend::Smtp,
            smtp: SmtpSettings {
                host: "mail.example.com".into(),
                tls,
                username: Some("mailer".into()),
                password: Some(SecretString::from("hunter2-secret")),
                ..SmtpSettings::default()
            },
            ..EmailSettings::default()
        };
        mailer(&settings).unwrap();
        let debug = format!("{:?}", SmtpMailer::new(FROM, &settings.smtp).unwrap());
        assert!(
            debug.contains("mail.example.com:587") && !debug.contains("hunter2"),
            "{debug}"
        );
    }
}
