//! The organization's interviews: the filtered list (keyset pages), one interview with its
//! transcript and costs, the full assessment with its versions, regeneration and decisions.

use actix_web::{HttpResponse, web};
use interview_core::assessment::AssessmentState;
use interview_core::ids::InterviewId;
use interview_core::interview::SessionSnapshot;
use interview_core::ports::InterviewCursor;
use interview_core::recruiting::DecisionKind;
use uuid::Uuid;

use crate::auth::AuthenticatedRecruiter;
use crate::dto::{
    AssessmentVersionDto, CostsDto, DecisionDto, DecisionRequest, InterviewListQuery,
    InterviewPageResponse, InterviewRowDto, MessageDto, RecruiterAssessmentDto,
    RecruiterAssessmentResponse, RecruiterInterviewDto, RecruiterInterviewResponse,
    RegenerateResponse, encode_cursor,
};
use crate::error::{ApiError, ErrorResponse};
use crate::state::AppState;

/// The organization's interviews, newest first, filtered; one keyset page at a time
/// (`next_cursor` continues it, `null` on the last page). Pages stay stable while new
/// interviews start.
#[utoipa::path(get, path = "/api/v1/recruiter/interviews", tag = "recruiter",
    security(("recruiter_bearer" = [])),
    params(InterviewListQuery),
    responses(
        (status = 200, description = "A page of interviews", body = InterviewPageResponse),
        (status = 400, description = "A filter, cursor or limit that does not parse or is out of range (`invalid_query`)", body = ErrorResponse)))]
pub async fn list(
    state: web::Data<AppState>,
    caller: AuthenticatedRecruiter,
    query: web::Query<InterviewListQuery>,
) -> Result<HttpResponse, ApiError> {
    let (filter, cursor, limit) = query.parse()?;
    let rows = state
        .recruiting
        .interviews(caller.actor(), &filter, cursor, limit)
        .await?;
    let last = rows.last().map(|row| InterviewCursor {
        created_at: row.created_at,
        id: row.interview_id,
    });
    // a full page continues only if a row follows it: one more row is looked for, so the last
    // page never hands out a cursor to an empty one
    let next_cursor = match last {
        Some(last) if rows.len() as u64 == limit => {
            let more = state
                .recruiting
                .interviews(caller.actor(), &filter, Some(last), 1)
                .await?;
            (!more.is_empty()).then(|| encode_cursor(&last))
        }
        _ => None,
    };
    Ok(HttpResponse::Ok().json(InterviewPageResponse {
        items: rows.iter().map(InterviewRowDto::from).collect(),
        next_cursor,
    }))
}

/// One interview of the organization: its record, session state, the whole transcript (audio
/// URLs stream to the organization's recruiters too), its costs, the latest decision and the
/// browser's integrity events.
#[utoipa::path(get, path = "/api/v1/recruiter/interviews/{id}", tag = "recruiter",
    security(("recruiter_bearer" = [])),
    params(("id" = Uuid, Path, description = "Interview id")),
    responses(
        (status = 200, description = "The interview", body = RecruiterInterviewResponse),
        (status = 404, description = "No such interview in the caller's organization", body = ErrorResponse)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: AuthenticatedRecruiter,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = InterviewId::from_uuid(*id);
    let actor = caller.actor();
    let record = state.recruiting.interview(actor, id).await?;
    let transcript = state.interviews.transcript(id, actor).await?;
    let decision = state.recruiting.decision(actor, id).await?;
    let events = state.assessments.events(id, actor).await?;
    Ok(HttpResponse::Ok().json(RecruiterInterviewResponse {
        interview: RecruiterInterviewDto::from(&transcript.interview),
        session_state: (&SessionSnapshot::from(&record.session)).into(),
        transcript: transcript.messages.iter().map(MessageDto::from).collect(),
        costs: CostsDto::from(&transcript.interview),
        decision: decision.as_ref().map(DecisionDto::from),
        integrity_events: events.iter().map(Into::into).collect(),
    }))
}

/// The full assessment: scores, boundary map, strengths, growth areas, highlights, integrity
/// score and flags, reasoning, recommendation and actions, generator, prompt version and cost,
/// with every version. 202 while the first version is being produced; while a regenerated
/// version is, the latest one is shown and `versions` grows when the new one is ready.
#[utoipa::path(get, path = "/api/v1/recruiter/interviews/{id}/assessment", tag = "recruiter",
    security(("recruiter_bearer" = [])),
    params(("id" = Uuid, Path, description = "Interview id")),
    responses(
        (status = 200, description = "Ready (`status: ready`), or every attempt failed (`status: failed`, `error`)", body = RecruiterAssessmentResponse),
        (status = 202, description = "Being produced (`status: pending`); ask again shortly", body = RecruiterAssessmentResponse),
        (status = 404, description = "No such interview in the caller's organization", body = ErrorResponse),
        (status = 409, description = "None is due: the interview is not finished, or ended before any answer (`assessment_not_due`)", body = ErrorResponse)))]
pub async fn assessment(
    state: web::Data<AppState>,
    caller: AuthenticatedRecruiter,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let interview_id = InterviewId::from_uuid(*id);
    let (assessment_state, versions) = state
        .recruiting
        .assessment(caller.actor(), interview_id)
        .await?;
    let mut body = RecruiterAssessmentResponse {
        interview_id: *id,
        status: String::new(),
        assessment: None,
        error: None,
        versions: versions.iter().map(AssessmentVersionDto::from).collect(),
    };
    Ok(match assessment_state {
        AssessmentState::Ready(assessment) => {
            "ready".clone_into(&mut body.status);
            body.assessment = Some(RecruiterAssessmentDto::from(&*assessment));
            HttpResponse::Ok().json(body)
        }
        AssessmentState::Pending => {
            "pending".clone_into(&mut body.status);
            HttpResponse::Accepted()
                .insert_header(("Retry-After", "2"))
                .json(body)
        }
        AssessmentState::Failed { error } => {
            "failed".clone_into(&mut body.status);
            body.error = error;
            HttpResponse::Ok().json(body)
        }
        AssessmentState::NotDue => {
            let record = state
                .recruiting
                .interview(caller.actor(), interview_id)
                .await?;
            return Err(ApiError::assessment_not_due(record.interview.status));
        }
    })
}

/// Produce a new version of the assessment from the stored transcript (recruiters and admins);
/// the previous versions are kept and listed.
#[utoipa::path(post, path = "/api/v1/recruiter/interviews/{id}/assessment/regenerate",
    tag = "recruiter",
    security(("recruiter_bearer" = [])),
    params(("id" = Uuid, Path, description = "Interview id")),
    responses(
        (status = 202, description = "A new version is being produced (`queued: false` when one already was)", body = RegenerateResponse),
        (status = 403, description = "A viewer (`forbidden`)", body = ErrorResponse),
        (status = 404, description = "No such interview in the caller's organization", body = ErrorResponse),
        (status = 409, description = "Nothing to assess: the interview is not finished, or has no answer (`conflict`)", body = ErrorResponse)))]
pub async fn regenerate(
    state: web::Data<AppState>,
    caller: AuthenticatedRecruiter,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let queued = state
        .recruiting
        .regenerate_assessment(caller.actor(), InterviewId::from_uuid(*id))
        .await?;
    Ok(HttpResponse::Accepted().json(RegenerateResponse {
        interview_id: *id,
        status: "pending",
        queued,
    }))
}

/// Record a hiring decision about a finished interview (recruiters and admins), with who made
/// it and when; the interview's application moves with it (`advanced`, `rejected`, `on_hold`).
/// A later decision replaces it as the latest.
#[utoipa::path(post, path = "/api/v1/recruiter/interviews/{id}/decision", tag = "recruiter",
    security(("recruiter_bearer" = [])),
    params(("id" = Uuid, Path, description = "Interview id")),
    request_body = DecisionRequest,
    responses(
        (status = 201, description = "Recorded", body = DecisionDto),
        (status = 403, description = "A viewer (`forbidden`)", body = ErrorResponse),
        (status = 404, description = "No such interview in the caller's organization", body = ErrorResponse),
        (status = 409, description = "The interview is still in progress (`conflict`)", body = ErrorResponse),
        (status = 422, description = "Unknown decision, or a note over 2000 characters", body = ErrorResponse)))]
pub async fn decide(
    state: web::Data<AppState>,
    caller: AuthenticatedRecruiter,
    id: web::Path<Uuid>,
    body: web::Json<DecisionRequest>,
) -> Result<HttpResponse, ApiError> {
    let DecisionRequest { decision, note } = body.into_inner();
    let kind: DecisionKind = decision
        .trim()
        .parse()
        .map_err(|_| ApiError::field("decision", "must be one of advance, reject, hold"))?;
    let decision = state
        .recruiting
        .decide(caller.actor(), InterviewId::from_uuid(*id), kind, note)
        .await?;
    Ok(HttpResponse::Created().json(DecisionDto::from(&decision)))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/interviews").route(web::get().to(list)))
        .service(web::resource("/interviews/{id}").route(web::get().to(get)))
        .service(web::resource("/interviews/{id}/assessment").route(web::get().to(assessment)))
        .service(
            web::resource("/interviews/{id}/assessment/regenerate")
                .route(web::post().to(regenerate)),
        )
        .service(web::resource("/interviews/{id}/decision").route(web::post().to(decide)));
}
