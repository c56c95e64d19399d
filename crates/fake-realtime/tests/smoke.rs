//! The fake driven by a bare WebSocket client.
#![allow(clippy::unwrap_used)] // test helpers may panic

use fake_realtime::{FakeRealtime, Script, TEST_API_KEY, Turn, evaluation_arguments};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Error, Message};

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(url: &str, key: &str) -> Result<Socket, Error> {
    let mut request = format!("{url}/realtime?model=gpt-realtime-mini")
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("authorization", format!("Bearer {key}").parse().unwrap());
    tokio_tungstenite::connect_async(request)
        .await
        .map(|(socket, _)| socket)
}

async fn next_of(socket: &mut Socket, kind: &str) -> Value {
    loop {
        let message = socket.next().await.unwrap().unwrap();
        let event: Value = serde_json::from_str(message.to_text().unwrap()).unwrap();
        if event["type"] == kind {
            return event;
        }
    }
}

async fn send(socket: &mut Socket, event: Value) {
    socket.send(Message::text(event.to_string())).await.unwrap();
}

#[tokio::test]
async fn a_scripted_turn_is_transcribed_evaluated_and_recorded() {
    let arguments = evaluation_arguments("good", 0.8, 0.7, &["hooks"]);
    let fake = FakeRealtime::start_with(Script::new().turn(Turn::evaluated(
        "I use useEffect",
        "call_1",
        arguments.clone(),
    )))
    .await;
    let mut socket = connect(&fake.url(), TEST_API_KEY).await.unwrap();
    next_of(&mut socket, "session.created").await;
    send(
        &mut socket,
        json!({"type": "input_audio_buffer.append", "audio": "AAAA"}),
    )
    .await;
    send(&mut socket, json!({"type": "input_audio_buffer.commit"})).await;
    let transcript = next_of(
        &mut socket,
        "conversation.item.input_audio_transcription.completed",
    )
    .await;
    assert_eq!(transcript["transcript"], "I use useEffect");
    assert_eq!(transcript["item_id"], "item_user_1");
    send(&mut socket, json!({"type": "response.create"})).await;
    let call = next_of(&mut socket, "response.function_call_arguments.done").await;
    assert_eq!(call["call_id"], "call_1");
    assert_eq!(call["arguments"], arguments);
    let done = next_of(&mut socket, "response.done").await;
    assert_eq!(
        done["response"]["usage"]["output_token_details"]["audio_tokens"],
        60
    );

    send(&mut socket, json!({"type": "response.create"})).await;
    next_of(&mut socket, "response.output_audio.delta").await;
    next_of(&mut socket, "response.done").await;
    let kinds: Vec<Value> = fake
        .received(0)
        .iter()
        .map(|event| event["type"].clone())
        .collect();
    assert_eq!(
        kinds,
        [
            "input_audio_buffer.append",
            "input_audio_buffer.commit",
            "response.create",
            "response.create"
        ]
    );
}

#[tokio::test]
async fn handshakes_are_refused_as_scripted_and_a_wrong_key_gets_401() {
    let fake = FakeRealtime::start_with(Script::new().refuse_first(1, 429).retry_after(3)).await;
    let Err(Error::Http(response)) = connect(&fake.url(), TEST_API_KEY).await else {
        panic!("the first handshake should be refused");
    };
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "3");
    let Err(Error::Http(response)) = connect(&fake.url(), "wrong").await else {
        panic!("a wrong key should be refused");
    };
    assert_eq!(response.status(), 401);
    connect(&fake.url(), TEST_API_KEY).await.unwrap();
    assert_eq!(fake.handshakes(), 3);
    assert_eq!(fake.connections(), 1);
}
