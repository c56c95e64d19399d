//! The streaming mode: timestamped audio deltas out, timed appends in.
#![allow(clippy::unwrap_used)] // test helpers may panic

use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use fake_realtime::{FakeRealtime, Script, Streaming, TEST_API_KEY};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(url: &str) -> Socket {
    let mut request = format!("{url}/realtime?model=gpt-realtime-mini")
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "authorization",
        format!("Bearer {TEST_API_KEY}").parse().unwrap(),
    );
    tokio_tungstenite::connect_async(request).await.unwrap().0
}

async fn next_of(socket: &mut Socket, kind: &str) -> Value {
    let read = async {
        loop {
            let message = socket.next().await.unwrap().unwrap();
            let event: Value = serde_json::from_str(message.to_text().unwrap()).unwrap();
            if event["type"] == kind {
                return event;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), read)
        .await
        .unwrap()
}

fn nanos(epoch: Instant) -> u64 {
    u64::try_from(epoch.elapsed().as_nanos()).unwrap()
}

#[tokio::test]
async fn deltas_stream_with_send_stamps_and_appends_are_timed() {
    let epoch = Instant::now();
    let fake = FakeRealtime::start_with(Script::new().streaming(Streaming {
        interval: Duration::from_millis(5),
        chunk_bytes: 960,
        epoch,
    }))
    .await;
    let mut socket = connect(&fake.url()).await;
    next_of(&mut socket, "session.created").await;

    let mut stamps = Vec::new();
    for _ in 0..3 {
        let delta = next_of(&mut socket, "response.output_audio.delta").await;
        assert_eq!(delta["item_id"], "item_stream_0");
        let pcm = STANDARD.decode(delta["delta"].as_str().unwrap()).unwrap();
        assert_eq!(pcm.len(), 960);
        let stamp = u64::from_le_bytes(pcm[..8].try_into().unwrap());
        assert!(stamp <= nanos(epoch));
        stamps.push(stamp);
    }
    assert!(
        stamps.windows(2).all(|pair| pair[0] < pair[1]),
        "{stamps:?}"
    );
    assert!(fake.deltas_sent() >= 3);

    let sent_at = nanos(epoch);
    let mut pcm = sent_at.to_le_bytes().to_vec();
    pcm.resize(960, 7);
    let append = json!({"type": "input_audio_buffer.append", "audio": STANDARD.encode(&pcm)});
    socket
        .send(Message::text(append.to_string()))
        .await
        .unwrap();
    socket
        .send(Message::text(
            json!({"type": "input_audio_buffer.commit"}).to_string(),
        ))
        .await
        .unwrap();
    // the append counts as audio: the commit is accepted
    next_of(&mut socket, "input_audio_buffer.committed").await;
    let appends = fake.take_appends();
    assert_eq!(appends.len(), 1);
    assert_eq!(appends[0].connection, 0);
    assert_eq!(appends[0].stamp, Some(sent_at));
    assert_eq!(appends[0].bytes, 960);
    assert!(appends[0].received_ns >= sent_at);
    assert_eq!(fake.appends_received(), 1);
    assert!(
        fake.take_appends().is_empty(),
        "taken appends are forgotten"
    );
    // timed, not recorded as events
    let kinds: Vec<Value> = fake
        .received(0)
        .iter()
        .map(|event| event["type"].clone())
        .collect();
    assert_eq!(kinds, ["input_audio_buffer.commit"]);
}
