//! The GA server events the fake sends, as JSON in the shapes the OpenAI Realtime API documents.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use crate::script::{EVALUATION_TOOL, Reply};

pub(crate) fn session_created(model: &str) -> Value {
    json!({
        "type": "session.created",
        "event_id": "event_session_created",
        "session": {
            "type": "realtime",
            "object": "realtime.session",
            "id": "sess_fake",
            "model": model,
            "output_modalities": ["audio"],
            "instructions": "",
            "tools": [],
            "tool_choice": "auto"
        }
    })
}

pub(crate) fn session_updated(session: &Value) -> Value {
    json!({ "type": "session.updated", "event_id": "event_session_updated", "session": session })
}

pub(crate) fn item_added(item: &Value, id: &str) -> Value {
    let mut item = item.clone();
    if let Some(fields) = item.as_object_mut() {
        fields.entry("id").or_insert_with(|| json!(id));
    }
    json!({ "type": "conversation.item.added", "event_id": format!("event_{id}"), "previous_item_id": null, "item": item })
}

pub(crate) fn truncated(event: &Value) -> Value {
    json!({
        "type": "conversation.item.truncated",
        "event_id": "event_truncated",
        "item_id": event["item_id"],
        "content_index": event["content_index"],
        "audio_end_ms": event["audio_end_ms"]
    })
}

pub(crate) fn error(code: &str, message: &str, client_event_id: &Value) -> Value {
    json!({
        "type": "error",
        "event_id": format!("event_error_{code}"),
        "error": {
            "type": "invalid_request_error",
            "code": code,
            "message": message,
            "param": null,
            "event_id": client_event_id
        }
    })
}

pub(crate) fn speech_started(item_id: &str) -> Value {
    json!({ "type": "input_audio_buffer.speech_started", "event_id": format!("event_speech_{item_id}"), "audio_start_ms": 0, "item_id": item_id })
}

pub(crate) fn committed(item_id: &str) -> Value {
    json!({ "type": "input_audio_buffer.committed", "event_id": format!("event_committed_{item_id}"), "previous_item_id": null, "item_id": item_id })
}

pub(crate) fn transcription_completed(item_id: &str, transcript: &str) -> Value {
    json!({
        "type": "conversation.item.input_audio_transcription.completed",
        "event_id": format!("event_transcript_{item_id}"),
        "item_id": item_id,
        "content_index": 0,
        "transcript": transcript,
        "logprobs": null,
        "usage": { "type": "duration", "seconds": 2 }
    })
}

fn response(id: &str, status: &str, output: &Value, usage: &Value) -> Value {
    json!({
        "id": id,
        "object": "realtime.response",
        "status": status,
        "status_details": null,
        "output": output,
        "output_modalities": ["audio"],
        "max_output_tokens": "inf",
        "conversation_id": "conv_fake",
        "usage": usage
    })
}

fn response_created(id: &str) -> Value {
    json!({ "type": "response.created", "event_id": format!("event_created_{id}"), "response": response(id, "in_progress", &json!([]), &Value::Null) })
}

/// A whole spoken reply: created, the output item, interleaved audio and transcript deltas, the
/// done events and `response.done` with the usage.
pub(crate) fn spoken_reply(response_id: &str, reply: &Reply) -> Vec<Value> {
    let item_id = format!("item_{response_id}");
    let located = json!({ "response_id": response_id, "item_id": item_id, "output_index": 0, "content_index": 0 });
    let with = |kind: &str, extra: Value| {
        let mut event = located.clone();
        if let (Some(event), Some(extra)) = (event.as_object_mut(), extra.as_object()) {
            event.insert("type".into(), json!(kind));
            event.insert(
                "event_id".into(),
                json!(format!("event_{kind}_{response_id}")),
            );
            event.extend(extra.clone());
        }
        event
    };
    let mut events = vec![
        response_created(response_id),
        json!({
            "type": "response.output_item.added",
            "event_id": format!("event_item_added_{response_id}"),
            "response_id": response_id,
            "output_index": 0,
            "item": { "id": item_id, "type": "message", "role": "assistant", "status": "in_progress", "content": [] }
        }),
    ];
    let pieces = reply.audio.len().max(reply.transcript.len());
    for index in 0..pieces {
        if let Some(chunk) = reply.audio.get(index) {
            events.push(with(
                "response.output_audio.delta",
                json!({ "delta": STANDARD.encode(chunk) }),
            ));
        }
        if let Some(text) = reply.transcript.get(index) {
            events.push(with(
                "response.output_audio_transcript.delta",
                json!({ "delta": text }),
            ));
        }
    }
    let transcript = reply.text();
    events.push(with("response.output_audio.done", json!({})));
    events.push(with(
        "response.output_audio_transcript.done",
        json!({ "transcript": transcript }),
    ));
    let output = json!([{
        "id": item_id,
        "type": "message",
        "role": "assistant",
        "status": "completed",
        "content": [{ "type": "output_audio", "transcript": transcript }]
    }]);
    events.push(json!({
        "type": "response.done",
        "event_id": format!("event_done_{response_id}"),
        "response": response(response_id, "completed", &output, &reply.usage.to_json())
    }));
    events
}

/// A response whose only output is a call of the evaluation tool.
pub(crate) fn tool_call(
    response_id: &str,
    call_id: &str,
    arguments: &str,
    usage: &Value,
) -> Vec<Value> {
    let item_id = format!("item_{response_id}");
    let output = json!([{
        "id": item_id,
        "type": "function_call",
        "status": "completed",
        "name": EVALUATION_TOOL,
        "call_id": call_id,
        "arguments": arguments
    }]);
    vec![
        response_created(response_id),
        json!({
            "type": "response.function_call_arguments.done",
            "event_id": format!("event_arguments_{response_id}"),
            "response_id": response_id,
            "item_id": item_id,
            "output_index": 0,
            "call_id": call_id,
            "name": EVALUATION_TOOL,
            "arguments": arguments
        }),
        json!({
            "type": "response.done",
            "event_id": format!("event_done_{response_id}"),
            "response": response(response_id, "completed", &output, usage)
        }),
    ]
}
