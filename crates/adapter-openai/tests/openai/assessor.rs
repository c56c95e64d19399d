//! The assessment writer against wiremock: the structured-output request, the reading and
//! checking of the judgement, the repair, the conservative fallback and provider failures.

use interview_core::assessment::Recommendation;
use interview_core::lifecycle::CompletionReason;
use interview_core::ports::{
    AssessmentRequest, AssessmentWriter, JudgedAnswer, Speaker as Said, TranscriptLine,
};
use interview_core::rules::scoring::Scores;

use super::*;

fn line(sequence_number: i32, speaker: Said, text: &str) -> TranscriptLine {
    TranscriptLine {
        sequence_number,
        speaker,
        text: text.to_owned(),
        judged: (speaker == Said::Candidate).then(|| JudgedAnswer {
            skill: SkillArea::new("hooks"),
            level: DifficultyLevel::Intermediate,
            composite: 0.7,
        }),
    }
}

fn assessment_request() -> AssessmentRequest {
    AssessmentRequest {
        role: RoleType::React,
        transcript: vec![
            line(1, Said::Interviewer, "How does useEffect clean up?"),
            line(2, Said::Candidate, "It runs the returned function first."),
            line(3, Said::Interviewer, "When would you reach for useMemo?"),
            line(4, Said::Candidate, "Not sure, maybe always?"),
            line(5, Said::Interviewer, "Thanks, that is all."),
        ],
        scores: Scores {
            overall: 64,
            skills: Vec::new(),
            boundary_map: Vec::new(),
        },
        integrity_flags: Vec::new(),
        completion_reason: Some(CompletionReason::MaxQuestions),
        duration_seconds: Some(600),
    }
}

const GOOD_JUDGEMENT: &str = r#"{"strengths":[{"text":"Knows effect cleanup.","evidence":[2]}],
 "growth_areas":[{"text":"Unsure about memoization.","evidence":[4]}],
 "highlights":[{"text":"The cleanup answer.","evidence":[1,2]}],
 "reasoning":"Solid on effects, weak on memoization, as the scores say.",
 "recommendation":"maybe","recommended_actions":["Probe memoization in the next round."]}"#;

/// Well-formed JSON whose claim cites a message the transcript does not have.
const INVENTED_EVIDENCE: &str = r#"{"strengths":[{"text":"Great.","evidence":[99]}],
 "growth_areas":[],"highlights":[],"reasoning":"Fine.","recommendation":"yes",
 "recommended_actions":[]}"#;

#[tokio::test]
async fn the_assessment_asks_for_the_strict_schema_with_the_numbered_transcript() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(chat_reply(GOOD_JUDGEMENT))
        .expect(1)
        .mount(&server)
        .await;
    let mut settings = settings(&server);
    settings.assessment_model = Some("gpt-4o".to_owned());
    let (provider, _) = provider_with(settings);

    assert_eq!(provider.assessor.generator(), "openai:gpt-4o");
    assert_eq!(provider.assessor.prompt_version(), "assessment-v1");
    provider
        .assessor
        .judge(&assessment_request())
        .await
        .unwrap();

    let body = &bodies(&server).await[0];
    assert_eq!(body["model"], "gpt-4o");
    assert_eq!(body["max_completion_tokens"], 2_000);
    let format = &body["response_format"];
    assert_eq!(format["type"], "json_schema");
    assert_eq!(format["json_schema"]["name"], "interview_assessment");
    assert_eq!(format["json_schema"]["strict"], true);
    let schema = &format["json_schema"]["schema"];
    let mut required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|field| field.as_str().unwrap())
        .collect();
    required.sort_unstable();
    assert_eq!(
        required,
        [
            "growth_areas",
            "highlights",
            "reasoning",
            "recommendation",
            "recommended_actions",
            "strengths"
        ]
    );
    assert_eq!(
        schema["properties"]["recommendation"]["enum"],
        json!(["strong_yes", "yes", "maybe", "no"])
    );
    assert_eq!(
        schema["properties"]["strengths"]["items"]["properties"]["evidence"]["items"]["type"],
        "integer"
    );
    let messages = body["messages"].as_array().unwrap();
    let roles: Vec<&str> = messages
        .iter()
        .map(|message| message["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["system", "user"]);
    assert!(
        messages[0]["content"]
            .as_str()
            .unwrap()
            .contains("React developer")
    );
    let prompt = messages[1]["content"].as_str().unwrap();
    for numbered in [
        "[1] Interviewer: How does useEffect clean up?",
        "[2] Candidate (answer on hooks at intermediate level, judged 0.70 of 1): It runs",
        "[4] Candidate",
        "[5] Interviewer: Thanks, that is all.",
    ] {
        assert!(
            prompt.contains(numbered),
            "missing {numbered:?} in {prompt}"
        );
    }
    assert!(prompt.contains("Overall: 64."));
}

#[tokio::test]
async fn a_well_formed_judgement_is_returned_with_its_usage() {
    let server = MockServer::start().await;
    reply_on(
        &server,
        "/v1/chat/completions",
        chat_reply(GOOD_JUDGEMENT),
        None,
    )
    .await;
    let (provider, _) = provider(&server);

    let generated = provider
        .assessor
        .judge(&assessment_request())
        .await
        .unwrap();

    let judgement = generated.value;
    assert!(!judgement.fallback);
    assert_eq!(judgement.recommendation, Recommendation::Maybe);
    assert_eq!(judgement.strengths[0].text, "Knows effect cleanup.");
    assert_eq!(judgement.strengths[0].evidence, [2]);
    assert_eq!(judgement.growth_areas[0].evidence, [4]);
    assert_eq!(judgement.highlights[0].evidence, [1, 2]);
    assert_eq!(
        judgement.recommended_actions,
        ["Probe memoization in the next round."]
    );
    assert_eq!(generated.usage.model, "gpt-4o-mini");
    assert_eq!(
        (generated.usage.input_tokens, generated.usage.output_tokens),
        (120, 30)
    );
    assert_eq!(provider.assessor.generator(), "openai:gpt-4o-mini");
}

#[tokio::test]
async fn a_malformed_judgement_is_repaired_once_and_both_calls_are_paid_for() {
    let server = MockServer::start().await;
    reply_on(
        &server,
        "/v1/chat/completions",
        chat_reply("Strong candidate, hire!"),
        Some(1),
    )
    .await;
    reply_on(
        &server,
        "/v1/chat/completions",
        chat_reply(GOOD_JUDGEMENT),
        None,
    )
    .await;
    let (provider, _) = provider(&server);

    let generated = provider
        .assessor
        .judge(&assessment_request())
        .await
        .unwrap();

    assert!(!generated.value.fallback);
    assert_eq!(generated.value.recommendation, Recommendation::Maybe);
    assert_eq!(
        (generated.usage.input_tokens, generated.usage.output_tokens),
        (240, 60)
    );
    let sent = bodies(&server).await;
    assert_eq!(sent.len(), 2);
    let repair = sent[1]["messages"].as_array().unwrap();
    assert_eq!(
        repair.len(),
        4,
        "the prompt, the bad reply and the repair request"
    );
    assert_eq!(repair[2]["role"], "assistant");
    assert_eq!(repair[2]["content"], "Strong candidate, hire!");
    assert_eq!(repair[3]["role"], "user");
    let request = repair[3]["content"].as_str().unwrap();
    assert!(request.contains("could not be used"), "{request}");
    assert!(request.contains("did not match the schema"), "{request}");
    assert_eq!(sent[1]["response_format"], sent[0]["response_format"]);
}

#[tokio::test]
async fn a_judgement_still_unusable_after_the_repair_is_the_conservative_one() {
    let server = MockServer::start().await;
    reply_on(
        &server,
        "/v1/chat/completions",
        chat_reply(INVENTED_EVIDENCE),
        None,
    )
    .await;
    let (provider, _) = provider(&server);

    let generated = provider
        .assessor
        .judge(&assessment_request())
        .await
        .unwrap();

    assert!(generated.value.fallback);
    assert_eq!(generated.value.recommendation, Recommendation::Maybe);
    assert!(generated.value.strengths.is_empty());
    assert_eq!(
        (generated.usage.input_tokens, generated.usage.output_tokens),
        (240, 60),
        "both calls are paid for"
    );
    let sent = bodies(&server).await;
    assert_eq!(sent.len(), 2, "one repair, no more");
    let repair = sent[1]["messages"].as_array().unwrap();
    assert!(
        repair[3]["content"]
            .as_str()
            .unwrap()
            .contains("strengths[0] cites 99, not a sequence number of the transcript")
    );
}

#[tokio::test]
async fn a_rate_limit_is_waited_out_by_the_transport_then_the_judgement_is_read() {
    let server = MockServer::start().await;
    reply_on(
        &server,
        "/v1/chat/completions",
        error_reply(429, None).insert_header("retry-after", "0"),
        Some(1),
    )
    .await;
    reply_on(
        &server,
        "/v1/chat/completions",
        chat_reply(GOOD_JUDGEMENT),
        None,
    )
    .await;
    let (provider, _) = provider(&server);

    let generated = provider
        .assessor
        .judge(&assessment_request())
        .await
        .unwrap();

    assert!(!generated.value.fallback);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_persistent_server_error_is_unavailable_for_the_job_to_retry() {
    let server = MockServer::start().await;
    reply_on(
        &server,
        "/v1/chat/completions",
        error_reply(503, None),
        None,
    )
    .await;
    let (provider, _) = provider(&server);

    let error = provider
        .assessor
        .judge(&assessment_request())
        .await
        .unwrap_err();

    assert!(
        matches!(error, ProviderError::Unavailable { .. }),
        "{error:?}"
    );
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        4,
        "the first attempt and three retries"
    );
}

#[tokio::test]
async fn a_failed_repair_call_is_an_error_not_a_conservative_judgement() {
    let server = MockServer::start().await;
    reply_on(
        &server,
        "/v1/chat/completions",
        chat_reply("{not json"),
        Some(1),
    )
    .await;
    reply_on(
        &server,
        "/v1/chat/completions",
        error_reply(503, None),
        None,
    )
    .await;
    let mut settings = settings(&server);
    settings.retry.max_retries = 0;
    let (provider, _) = provider_with(settings);

    let error = provider
        .assessor
        .judge(&assessment_request())
        .await
        .unwrap_err();

    assert!(
        matches!(error, ProviderError::Unavailable { .. }),
        "{error:?}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn the_assessor_shares_the_chat_breaker_and_sends_nothing_while_it_is_open() {
    let server = MockServer::start().await;
    reply_on(
        &server,
        "/v1/chat/completions",
        error_reply(500, None),
        None,
    )
    .await;
    let mut settings = settings(&server);
    settings.retry.max_retries = 0;
    let (provider, _) = provider_with(settings);
    for _ in 0..5 {
        provider
            .interviewer
            .first_question(&question_request())
            .await
            .unwrap_err();
    }
    assert_eq!(provider.health()[0].breaker, BreakerState::Open);

    let error = provider
        .assessor
        .judge(&assessment_request())
        .await
        .unwrap_err();

    match error {
        ProviderError::Unavailable { retry_after, .. } => assert!(retry_after.is_some()),
        other => panic!("expected Unavailable, got {other:?}"),
    }
    assert_eq!(server.received_requests().await.unwrap().len(), 5);
}

#[tokio::test]
async fn a_context_length_error_resends_the_transcript_with_each_message_cut() {
    let server = MockServer::start().await;
    reply_on(
        &server,
        "/v1/chat/completions",
        error_reply(400, Some("context_length_exceeded")),
        Some(1),
    )
    .await;
    reply_on(
        &server,
        "/v1/chat/completions",
        chat_reply(GOOD_JUDGEMENT),
        None,
    )
    .await;
    let (provider, _) = provider(&server);
    let mut request = assessment_request();
    request.transcript[3].text = "I would memoize everything. ".repeat(200);

    let generated = provider.assessor.judge(&request).await.unwrap();

    assert!(!generated.value.fallback);
    let sent = bodies(&server).await;
    let prompt = |body: &Value| body["messages"][1]["content"].as_str().unwrap().len();
    assert!(prompt(&sent[0]) > 5_000);
    assert!(
        prompt(&sent[1]) < 2_000,
        "each message cut to 600 characters"
    );
}
