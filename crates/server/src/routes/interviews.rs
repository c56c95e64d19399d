use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use interview_core::ids::{ApplicationId, InterviewId, ResumeId};
use interview_core::interview::{RecoveryView, TurnInput};
use interview_core::model::{InterviewMode, RoleType};
use interview_core::ports::ClientKey;
use uuid::Uuid;

use crate::auth::AuthenticatedCandidate;
use crate::dto::{
    AnswerRequest, AnswerResponse, AssessmentFields, CompleteResponse, InterviewResponse,
    MessageDto, MessagesResponse, PageQuery, QuestionDto, StartInterviewRequest,
    StartInterviewResponse, StatusResponse, TranscriptMessageDto, TranscriptResponse,
    VoiceAnswerForm, wire_message_type,
};
use crate::error::{ApiError, ErrorResponse};
use crate::observability::events::{self, TurnMode};
use crate::routes::audio;
use crate::state::AppState;

fn parse_start(
    body: &StartInterviewRequest,
) -> Result<(Option<RoleType>, InterviewMode), ApiError> {
    let role = match body.role_type.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(text.parse::<RoleType>().map_err(|_| {
            ApiError::field(
                "role_type",
                "must be one of react, python, javascript, fullstack",
            )
        })?),
    };
    let mode = match body.mode.as_deref().map(str::trim) {
        None | Some("" | "text") => InterviewMode::Text,
        Some("legacy_voice") => InterviewMode::LegacyVoice,
        Some("realtime") => InterviewMode::Realtime,
        Some(_) => {
            return Err(ApiError::field(
                "mode",
                "must be one of text, legacy_voice, realtime",
            ));
        }
    };
    Ok((role, mode))
}

/// Start an interview and get its first question: for a role (`role_type`), or for a job
/// applied to (`application_id`, with `role_type` null), whose role and required skills it then
/// uses and whose organization's recruiters see it. With both, the application decides.
#[utoipa::path(post, path = "/api/v1/interviews/start", tag = "interviews",
    security(("bearer" = [])),
    request_body = StartInterviewRequest,
    responses(
        (status = 201, description = "Started; the first question is included", body = StartInterviewResponse),
        (status = 401, description = "Not signed in", body = ErrorResponse),
        (status = 404, description = "No such application of the caller, or its job is no longer open", body = ErrorResponse),
        (status = 409, description = "The interview budget does not allow another AI call (`budget_exhausted`)", body = ErrorResponse),
        (status = 422, description = "Unknown role, mode or resume, or neither a role nor an application", body = ErrorResponse),
        (status = 429, description = "Too many interviews started or answers sent by this account (`rate_limited`, `rate_limit.account_*`); see `Retry-After`", body = ErrorResponse),
        (status = 503, description = "The AI interviewer is unavailable, `legacy_voice` was asked of a provider without speech (`speech_unavailable`), or `realtime` of a server without a realtime provider (`realtime_unavailable`)", body = ErrorResponse)))]
pub async fn start(
    state: web::Data<AppState>,
    caller: AuthenticatedCandidate,
    body: web::Json<crate::dto::JsonObject<StartInterviewRequest>>,
) -> Result<HttpResponse, ApiError> {
    let (role, mode) = parse_start(&body)?;
    if mode == InterviewMode::Realtime && state.realtime.voice.is_none() {
        return Err(ApiError::new(
            actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
            "realtime_unavailable",
            "live voice needs a realtime provider (set OPENAI_API_KEY on the server); start the \
             interview with mode \"text\" or \"legacy_voice\"",
        ));
    }
    let resume = match body.resume_id.map(ResumeId::from_uuid) {
        None => None,
        Some(id) => {
            let resume = state
                .portal
                .resume(caller.actor(), id)
                .await
                .map_err(|_| ApiError::field("resume_id", "no such resume of yours"))?;
            Some((
                id,
                resume.facts.map(|facts| facts.skills).unwrap_or_default(),
            ))
        }
    };
    let started = state
        .recruiting
        .start_interview(
            caller.actor(),
            role,
            body.application_id.map(ApplicationId::from_uuid),
            mode,
            resume,
        )
        .await?;
    Ok(HttpResponse::Created().json(StartInterviewResponse {
        interview: (&started.interview).into(),
        first_question: QuestionDto {
            sequence_number: started.first_question.sequence_number,
            content_text: started.first_question.content_text.clone(),
            audio_url: started.first_question.audio.as_ref().map(audio::audio_url),
        },
        session_state: (&started.session).into(),
    }))
}

/// The caller's interviews, newest first.
#[utoipa::path(get, path = "/api/v1/interviews", tag = "interviews",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The interviews", body = [InterviewResponse]),
        (status = 401, description = "Not signed in", body = ErrorResponse)))]
pub async fn list(
    state: web::Data<AppState>,
    caller: AuthenticatedCandidate,
) -> Result<HttpResponse, ApiError> {
    let interviews = state.interviews.list(caller.actor()).await?;
    let body: Vec<InterviewResponse> = interviews.iter().map(Into::into).collect();
    Ok(HttpResponse::Ok().json(body))
}

/// One of the caller's interviews.
#[utoipa::path(get, path = "/api/v1/interviews/{id}", tag = "interviews",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Interview id")),
    responses(
        (status = 200, description = "The interview", body = InterviewResponse),
        (status = 404, description = "No such interview of the caller", body = ErrorResponse)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: AuthenticatedCandidate,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let record = state
        .interviews
        .get(InterviewId::from_uuid(*id), caller.actor())
        .await?;
    Ok(HttpResponse::Ok().json(InterviewResponse::from(&record.interview)))
}

/// The `Idempotency-Key` header, when sent.
pub(crate) fn client_key(request: &HttpRequest) -> Result<Option<ClientKey>, ApiError> {
    let Some(value) = request.headers().get("idempotency-key") else {
        return Ok(None);
    };
    let text = value
        .to_str()
        .map_err(|_| ApiError::field("Idempotency-Key", "must be visible ASCII"))?;
    ClientKey::parse(text)
        .map(Some)
        .map_err(|error| ApiError::field("Idempotency-Key", error.to_string()))
}

/// Answer the open question; the reply carries the next question or the end of the interview.
/// Send JSON `{message_text, in_reply_to?}` to answer by text, or `multipart/form-data` with
/// `audio_file` (webm, ogg, mp3, mp4, mpeg, mpga, m4a or wav; at most 25 MB) and optional
/// `in_reply_to` to answer by voice: the recording is stored and transcribed, and the reply is
/// spoken (`ai_audio_url`). Send `Idempotency-Key` to make a retry return the same reply instead
/// of answering twice.
#[utoipa::path(post, path = "/api/v1/interviews/{id}/messages", tag = "interviews",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Interview id"),
        ("Idempotency-Key" = Option<String>, Header, description = "1–255 visible ASCII characters",
            min_length = 1, max_length = 255, pattern = "^[!-~]+$")),
    request_body(content(
        (AnswerRequest = "application/json"),
        (VoiceAnswerForm = "multipart/form-data"))),
    responses(
        (status = 200, description = "Answer recorded, or its `Idempotency-Key` replayed", body = AnswerResponse,
            headers(("Idempotent-Replayed" = String, description = "`true` when this is the stored reply to an earlier request with the same key: nothing was answered or charged again"))),
        (status = 400, description = "Malformed JSON or multipart body", body = ErrorResponse),
        (status = 404, description = "No such interview of the caller", body = ErrorResponse),
        (status = 409, description = "Already answered, answered concurrently, or the interview is not in progress (`details.status`)", body = ErrorResponse),
        (status = 413, description = "Body too large (JSON over the limit, audio over 25 MB)", body = ErrorResponse),
        (status = 415, description = "Not JSON, or a recording in an unaccepted format", body = ErrorResponse),
        (status = 422, description = "Empty or too long answer, bad key, empty or undecodable audio", body = ErrorResponse),
        (status = 429, description = "Too many interviews started or answers sent by this account (`rate_limited`, `rate_limit.account_*`); see `Retry-After`", body = ErrorResponse),
        (status = 503, description = "AI unavailable (`ai_unavailable`), transcription failed (`transcription_unavailable`, with Retry-After) or no speech provider (`speech_unavailable`); nothing was recorded", body = ErrorResponse)))]
pub async fn answer(
    state: web::Data<AppState>,
    caller: AuthenticatedCandidate,
    id: web::Path<Uuid>,
    request: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, actix_web::Error> {
    let interview_id = InterviewId::from_uuid(*id);
    let outcome = if audio::is_multipart(&request) {
        audio::recorded_answer(
            &state,
            &caller,
            interview_id,
            &request,
            payload,
            "in_reply_to",
        )
        .await?
    } else {
        let client_key = client_key(&request)?;
        let body =
            web::Json::<AnswerRequest>::from_request(&request, &mut payload.into_inner()).await?;
        let AnswerRequest {
            message_text,
            in_reply_to,
        } = body.into_inner();
        let result = state
            .interviews
            .answer(TurnInput::typed(
                interview_id,
                caller.actor(),
                message_text,
                in_reply_to,
                client_key,
            ))
            .await;
        events::turn(TurnMode::Text, &result);
        result.map_err(ApiError::from)?
    };
    Ok(audio::answered(&outcome).json(AnswerResponse::from(&outcome)))
}

/// A page of the transcript, in order.
#[utoipa::path(get, path = "/api/v1/interviews/{id}/messages", tag = "interviews",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Interview id"), PageQuery),
    responses(
        (status = 200, description = "The messages", body = MessagesResponse),
        (status = 400, description = "Paging parameters that do not parse or are out of range (`invalid_query`): skip 0 to 100000, limit 1 to 200", body = ErrorResponse),
        (status = 404, description = "No such interview of the caller", body = ErrorResponse)))]
pub async fn messages(
    state: web::Data<AppState>,
    caller: AuthenticatedCandidate,
    id: web::Path<Uuid>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (skip, limit) = query.bounds()?;
    let page = state
        .interviews
        .messages(InterviewId::from_uuid(*id), caller.actor(), skip, limit)
        .await?;
    Ok(HttpResponse::Ok().json(MessagesResponse {
        interview_id: *id,
        total_count: page.total_count,
        messages: page.messages.iter().map(Into::into).collect(),
    }))
}

/// The latest interviewer message (the open question while in progress).
#[utoipa::path(get, path = "/api/v1/interviews/{id}/messages/latest", tag = "interviews",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Interview id")),
    responses(
        (status = 200, description = "The message", body = MessageDto),
        (status = 404, description = "No such interview of the caller", body = ErrorResponse)))]
pub async fn latest(
    state: web::Data<AppState>,
    caller: AuthenticatedCandidate,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let message = state
        .interviews
        .latest_question(InterviewId::from_uuid(*id), caller.actor())
        .await?;
    Ok(HttpResponse::Ok().json(MessageDto::from(&message)))
}

/// Where the interview stands, to resume after a reload.
#[utoipa::path(get, path = "/api/v1/interviews/{id}/status", tag = "interviews",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Interview id")),
    responses(
        (status = 200, description = "Recovery view", body = StatusResponse),
        (status = 404, description = "No such interview of the caller", body = ErrorResponse)))]
pub async fn status(
    state: web::Data<AppState>,
    caller: AuthenticatedCandidate,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let view = state
        .interviews
        .status(InterviewId::from_uuid(*id), caller.actor())
        .await?;
    let response = match view {
        RecoveryView::InProgress {
            interview,
            last_question,
            session,
        } => StatusResponse {
            interview_id: interview.id.as_uuid(),
            status: interview.status.as_str().into(),
            completion_reason: None,
            last_question: last_question.as_ref().map(Into::into),
            session_state: Some((&session).into()),
            redirect_to: None,
            can_restart: false,
            video_recording_consent: interview.video_recording_consent,
            assessment: AssessmentFields::default(),
        },
        RecoveryView::Completed { interview } => StatusResponse {
            interview_id: interview.id.as_uuid(),
            status: interview.status.as_str().into(),
            completion_reason: interview.completion_reason.map(|r| r.as_str().into()),
            last_question: None,
            session_state: None,
            redirect_to: Some(format!("/api/v1/interviews/{}/transcript", interview.id)),
            can_restart: false,
            video_recording_consent: interview.video_recording_consent,
            assessment: assessment_fields(&state, interview.id, &caller).await?,
        },
        RecoveryView::Abandoned { interview } => StatusResponse {
            interview_id: interview.id.as_uuid(),
            status: interview.status.as_str().into(),
            completion_reason: interview.completion_reason.map(|r| r.as_str().into()),
            last_question: None,
            session_state: None,
            redirect_to: None,
            can_restart: true,
            video_recording_consent: interview.video_recording_consent,
            assessment: assessment_fields(&state, interview.id, &caller).await?,
        },
        RecoveryView::Scheduled { interview } => StatusResponse {
            interview_id: interview.id.as_uuid(),
            status: interview.status.as_str().into(),
            completion_reason: None,
            last_question: None,
            session_state: None,
            redirect_to: None,
            can_restart: false,
            video_recording_consent: interview.video_recording_consent,
            assessment: AssessmentFields::default(),
        },
    };
    Ok(HttpResponse::Ok().json(response))
}

/// What a finished interview's responses say about its assessment.
async fn assessment_fields(
    state: &AppState,
    interview: InterviewId,
    caller: &AuthenticatedCandidate,
) -> Result<AssessmentFields, ApiError> {
    let summary = state.assessments.summary(interview, caller.actor()).await?;
    Ok(summary
        .scores
        .map(|scores| AssessmentFields::of(&summary.state, &scores))
        .unwrap_or_default())
}

/// End the interview now. Completing a completed interview returns the same summary.
#[utoipa::path(post, path = "/api/v1/interviews/{id}/complete", tag = "interviews",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Interview id")),
    responses(
        (status = 200, description = "Completed", body = CompleteResponse),
        (status = 404, description = "No such interview of the caller", body = ErrorResponse),
        (status = 409, description = "The interview was abandoned", body = ErrorResponse)))]
pub async fn complete(
    state: web::Data<AppState>,
    caller: AuthenticatedCandidate,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let summary = state
        .interviews
        .complete(InterviewId::from_uuid(*id), caller.actor())
        .await?;
    Ok(HttpResponse::Ok().json(CompleteResponse {
        interview_id: summary.interview.id.as_uuid(),
        completed_at: summary.interview.completed_at,
        duration_seconds: summary.interview.duration_seconds,
        questions_answered: summary.questions_answered,
        skill_boundaries_identified: summary.skill_boundaries_identified,
        message: "Interview completed. Thank you!".into(),
        assessment: assessment_fields(&state, summary.interview.id, &caller).await?,
    }))
}

/// The whole conversation.
#[utoipa::path(get, path = "/api/v1/interviews/{id}/transcript", tag = "interviews",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Interview id")),
    responses(
        (status = 200, description = "The transcript", body = TranscriptResponse),
        (status = 404, description = "No such interview of the caller", body = ErrorResponse)))]
pub async fn transcript(
    state: web::Data<AppState>,
    caller: AuthenticatedCandidate,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let transcript = state
        .interviews
        .transcript(InterviewId::from_uuid(*id), caller.actor())
        .await?;
    Ok(HttpResponse::Ok().json(TranscriptResponse {
        interview_id: transcript.interview.id.as_uuid(),
        started_at: transcript.interview.started_at,
        completed_at: transcript.interview.completed_at,
        duration_seconds: transcript.interview.duration_seconds,
        messages: transcript
            .messages
            .iter()
            .map(|message| TranscriptMessageDto {
                sequence_number: message.sequence_number,
                message_type: wire_message_type(message.message_type).to_owned(),
                content_text: message.content_text.clone(),
                created_at: message.created_at,
            })
            .collect(),
    }))
}

/// The interview routes, relative to `/api/v1/interviews`. One resource per path, so a method
/// the path does not route is a 405 naming the ones it does.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("").route(web::get().to(list)))
        .service(web::resource("/start").route(web::post().to(start)))
        .service(web::resource("/{id}").route(web::get().to(get)))
        .service(
            web::resource("/{id}/messages")
                .route(web::post().to(answer))
                .route(web::get().to(messages)),
        )
        .service(web::resource("/{id}/messages/latest").route(web::get().to(latest)))
        .service(web::resource("/{id}/status").route(web::get().to(status)))
        .service(web::resource("/{id}/complete").route(web::post().to(complete)))
        .service(web::resource("/{id}/transcript").route(web::get().to(transcript)));
}
