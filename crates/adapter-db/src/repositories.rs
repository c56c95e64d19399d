//! The repository ports of the core, on sea-orm.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use interview_core::ids::{ApplicationId, CandidateId, ConnectionId, InterviewId, MessageId};
use interview_core::interview::stored::StoredOutcome;
use interview_core::lifecycle::InterviewStatus;
use interview_core::model::{
    AudioMetadata, Candidate, Interview, InterviewMessage, InterviewSession, MessageType,
};
use interview_core::ports::{
    BlobRef, CandidateRepository, ClientKey, InterviewRecord, InterviewRepository, MessagePage,
    RepositoryError, TurnWrite,
};
use interview_core::validation::Email;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::{Expr, OnConflict};
use tokio::sync::{mpsc, oneshot};

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};

use crate::connection::Database;
use crate::entities::{
    answer_idempotency, candidates, interview_messages, interview_sessions, interviews,
};
use crate::error::translate;
use crate::mapping;

/// Candidates on sea-orm.
#[derive(Clone)]
pub struct SeaOrmCandidates {
    database: Database,
}

impl SeaOrmCandidates {
    pub fn new(database: Database) -> Self {
        Self { database }
    }
}

#[async_trait]
impl CandidateRepository for SeaOrmCandidates {
    async fn insert(&self, candidate: &Candidate) -> Result<(), RepositoryError> {
        let _permit = self.database.write_permit().await;
        candidates::Entity::insert(mapping::candidate_row(candidate))
            .exec_without_returning(self.database.connection())
            .await
            .map_err(|error| match translate(error) {
                RepositoryError::Conflict(_) => RepositoryError::Duplicate("email".into()),
                other => other,
            })?;
        Ok(())
    }

    #[tracing::instrument(name = "db.candidates.by_email", skip_all)]
    async fn by_email(&self, email: &Email) -> Result<Option<Candidate>, RepositoryError> {
        candidates::Entity::find()
            .filter(candidates::Column::Email.eq(email.as_str()))
            .one(self.database.connection())
            .await
            .map_err(translate)?
            .map(mapping::candidate)
            .transpose()
    }

    #[tracing::instrument(name = "db.candidates.by_id", skip_all)]
    async fn by_id(&self, id: CandidateId) -> Result<Option<Candidate>, RepositoryError> {
        candidates::Entity::find_by_id(id.as_uuid())
            .one(self.database.connection())
            .await
            .map_err(translate)?
            .map(mapping::candidate)
            .transpose()
    }

    async fn record_login(
        &self,
        id: CandidateId,
        at: DateTime<Utc>,
    ) -> Result<(), RepositoryError> {
        let _permit = self.database.write_permit().await;
        let result = candidates::Entity::update_many()
            .col_expr(candidates::Column::LastLoginAt, Expr::value(Some(at)))
            .filter(candidates::Column::Id.eq(id.as_uuid()))
            .exec(self.database.connection())
            .await
            .map_err(translate)?;
        if result.rows_affected == 0 {
            return Err(RepositoryError::NotFound);
        }
        Ok(())
    }
}

/// Interviews, sessions, messages and stored answers on sea-orm.
///
/// On SQLite, turns are written by one background task with group commit: it takes every turn
/// waiting, writes them in one transaction (a refused turn writes nothing, see `write_turn`),
/// and commits once. SQLite has a single writer and every commit makes the other
/// connections drop their page caches, so one commit for many turns is what lets it keep up.
/// PostgreSQL writes each turn in its own transaction, concurrently.
#[derive(Clone)]
pub struct SeaOrmInterviews {
    database: Database,
    turn_writer: Option<mpsc::Sender<PendingTurn>>,
}

struct PendingTurn {
    turn: TurnWrite,
    reply: oneshot::Sender<Result<(), RepositoryError>>,
}

/// Most turns one group commit writes.
const MAX_BATCH: usize = 128;

impl SeaOrmInterviews {
    /// Must be called inside a tokio runtime (SQLite starts its turn writer there).
    pub fn new(database: Database) -> Self {
        let turn_writer = database
            .is_sqlite()
            .then(|| spawn_turn_writer(database.clone()));
        Self {
            database,
            turn_writer,
        }
    }
}

fn spawn_turn_writer(database: Database) -> mpsc::Sender<PendingTurn> {
    let (sender, mut receiver) = mpsc::channel::<PendingTurn>(4 * MAX_BATCH);
    tokio::spawn(async move {
        let mut batch = Vec::with_capacity(MAX_BATCH);
        while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
            let results = write_batch(&database, &batch).await;
            for (pending, result) in batch.drain(..).zip(results) {
                // the requester may have gone away; its turn is written all the same
                let _ = pending.reply.send(result);
            }
        }
    });
    sender
}

/// One transaction for the whole batch and a result per turn. A turn that fails part-way
/// (which no turn should) rolls the batch back, and each turn is then written on its own.
async fn write_batch(
    database: &Database,
    batch: &[PendingTurn],
) -> Vec<Result<(), RepositoryError>> {
    let _permit = database.write_permit().await;
    let connection = database.connection();
    let attempt = async {
        let transaction = connection.begin().await.map_err(translate)?;
        let mut results = Vec::with_capacity(batch.len());
        for pending in batch {
            match write_turn(&transaction, &pending.turn).await {
                Ok(()) => results.push(Ok(())),
                Err(TurnFailure::Clean(error)) => results.push(Err(error)),
                Err(TurnFailure::Dirty(error)) => return Err(error),
            }
        }
        transaction.commit().await.map_err(translate)?;
        Ok::<_, RepositoryError>(results)
    };
    match attempt.await {
        Ok(results) => results,
        Err(error) => {
            tracing::warn!(%error, turns = batch.len(), "group commit failed; writing turns one by one");
            let mut results = Vec::with_capacity(batch.len());
            for pending in batch {
                results.push(write_turn_alone(connection, &pending.turn).await);
            }
            results
        }
    }
}

async fn insert_messages(
    connection: &impl ConnectionTrait,
    messages: &[InterviewMessage],
) -> Result<(), RepositoryError> {
    if messages.is_empty() {
        return Ok(());
    }
    let rows = messages
        .iter()
        .map(mapping::message_row)
        .collect::<Result<Vec<_>, _>>()?;
    interview_messages::Entity::insert_many(rows)
        .exec_without_returning(connection)
        .await
        .map_err(translate)?;
    Ok(())
}

/// Why a turn was not written.
enum TurnFailure {
    /// Refused before anything lasting was written (stale version, used key): the transaction
    /// can go on.
    Clean(RepositoryError),
    /// Failed part-way: the transaction must be rolled back.
    Dirty(RepositoryError),
}

/// Writes one turn inside `connection`'s transaction. Every way a turn can be refused is checked
/// before its first lasting write, so a refused turn leaves nothing behind and the transaction
/// (a group commit, on SQLite) can carry on with the next turn.
async fn write_turn(
    connection: &impl ConnectionTrait,
    turn: &TurnWrite,
) -> Result<(), TurnFailure> {
    let interview_id = turn.interview.id.as_uuid();
    // 1. the client key, if any: a key already used refuses the turn
    if let Some(stored) = &turn.idempotency {
        let inserted = answer_idempotency::Entity::insert(answer_idempotency::ActiveModel {
            interview_id: Set(interview_id),
            client_key: Set(stored.key.as_str().to_owned()),
            outcome: Set(mapping::outcome_json(&stored.outcome).map_err(TurnFailure::Clean)?),
            created_at: Set(turn.session.updated_at),
        })
        .on_conflict(
            OnConflict::columns([
                answer_idempotency::Column::InterviewId,
                answer_idempotency::Column::ClientKey,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(connection)
        .await
        .map_err(|error| TurnFailure::Clean(translate(error)))?;
        if inserted == 0 {
            return Err(TurnFailure::Clean(RepositoryError::Conflict(
                "the idempotency key was already used".into(),
            )));
        }
    }
    // 2. the version check. Keys are never rewritten: setting a referenced key, even to the
    // same value, makes SQLite check every child row for orphans.
    let mut session = mapping::session_row(&turn.session).map_err(TurnFailure::Dirty)?;
    session.id = NotSet;
    session.interview_id = NotSet;
    session.created_at = NotSet;
    let updated = interview_sessions::Entity::update_many()
        .set(session)
        .filter(interview_sessions::Column::Id.eq(turn.session.id.as_uuid()))
        .filter(interview_sessions::Column::Version.eq(turn.expected_version))
        .exec(connection)
        .await
        .map_err(|error| TurnFailure::Dirty(translate(error)))?;
    if updated.rows_affected != 1 {
        // take back the key recorded in step 1, so the turn leaves nothing behind
        if let Some(stored) = &turn.idempotency {
            answer_idempotency::Entity::delete_by_id((
                interview_id,
                stored.key.as_str().to_owned(),
            ))
            .exec(connection)
            .await
            .map_err(|error| TurnFailure::Dirty(translate(error)))?;
        }
        return Err(TurnFailure::Clean(RepositoryError::Conflict(format!(
            "session {} is no longer at version {}",
            turn.session.id, turn.expected_version
        ))));
    }
    // 3. nothing below can be refused once the version matched
    if turn.interview_changed {
        let mut interview = mapping::interview_row(&turn.interview);
        interview.id = NotSet;
        interview.candidate_id = NotSet;
        interview.role_type = NotSet;
        interview.created_at = NotSet;
        // the video columns belong to the video repository: a turn computed before the
        // candidate's consent (or a finished upload) must not write them back
        interview.tech_check_metadata = NotSet;
        interview.video_recording_url = NotSet;
        interview.video_recording_consent = NotSet;
        interview.video_recording_status = NotSet;
        interview.video_consent_at = NotSet;
        interviews::Entity::update_many()
            .set(interview)
            .filter(interviews::Column::Id.eq(interview_id))
            .exec(connection)
            .await
            .map_err(|error| TurnFailure::Dirty(translate(error)))?;
    }
    insert_messages(connection, &turn.messages)
        .await
        .map_err(TurnFailure::Dirty)?;
    // a job already active for the same kind and subject is skipped, not refused
    crate::jobs::insert(connection, &turn.jobs)
        .await
        .map_err(TurnFailure::Dirty)?;
    Ok(())
}

/// One turn in its own transaction.
async fn write_turn_alone(
    db: &DatabaseConnection,
    turn: &TurnWrite,
) -> Result<(), RepositoryError> {
    let transaction = db.begin().await.map_err(translate)?;
    match write_turn(&transaction, turn).await {
        Ok(()) => transaction.commit().await.map_err(translate),
        // dropping the transaction rolls it back
        Err(TurnFailure::Clean(error) | TurnFailure::Dirty(error)) => Err(error),
    }
}

#[async_trait]
impl InterviewRepository for SeaOrmInterviews {
    #[tracing::instrument(name = "db.interviews.create", skip_all)]
    async fn create(
        &self,
        interview: &Interview,
        session: &InterviewSession,
        opening: &InterviewMessage,
        application: Option<ApplicationId>,
    ) -> Result<(), RepositoryError> {
        let _permit = self.database.write_permit().await;
        let transaction = self
            .database
            .connection()
            .begin()
            .await
            .map_err(translate)?;
        interviews::Entity::insert(mapping::interview_row(interview))
            .exec_without_returning(&transaction)
            .await
            .map_err(|error| match translate(error) {
                RepositoryError::Conflict(message) => RepositoryError::Duplicate(message),
                other => other,
            })?;
        interview_sessions::Entity::insert(mapping::session_row(session)?)
            .exec_without_returning(&transaction)
            .await
            .map_err(translate)?;
        insert_messages(&transaction, std::slice::from_ref(opening)).await?;
        if let Some(application) = application {
            crate::applications::link_application(
                &transaction,
                application,
                interview.id,
                interview.created_at,
            )
            .await?;
        }
        transaction.commit().await.map_err(translate)
    }

    #[tracing::instrument(name = "db.interviews.load", skip_all)]
    async fn load(&self, id: InterviewId) -> Result<Option<InterviewRecord>, RepositoryError> {
        // one query: the session joined with its interview
        let Some((session, interview)) = interview_sessions::Entity::find()
            .filter(interview_sessions::Column::InterviewId.eq(id.as_uuid()))
            .find_also_related(interviews::Entity)
            .one(self.database.connection())
            .await
            .map_err(translate)?
        else {
            return Ok(None);
        };
        let interview = interview
            .ok_or_else(|| RepositoryError::Corrupt(format!("session of {id} has no interview")))?;
        Ok(Some(InterviewRecord {
            interview: mapping::interview(interview)?,
            session: mapping::session(session)?,
        }))
    }

    #[tracing::instrument(name = "db.interviews.list_for_candidate", skip_all)]
    async fn list_for_candidate(
        &self,
        candidate: CandidateId,
    ) -> Result<Vec<Interview>, RepositoryError> {
        interviews::Entity::find()
            .filter(interviews::Column::CandidateId.eq(candidate.as_uuid()))
            .order_by_desc(interviews::Column::CreatedAt)
            .order_by_desc(interviews::Column::Id)
            .all(self.database.connection())
            .await
            .map_err(translate)?
            .into_iter()
            .map(mapping::interview)
            .collect()
    }

    #[tracing::instrument(name = "db.interviews.save_turn", skip_all)]
    async fn save_turn(&self, turn: &TurnWrite) -> Result<(), RepositoryError> {
        let Some(writer) = &self.turn_writer else {
            return write_turn_alone(self.database.connection(), turn).await;
        };
        let (reply, result) = oneshot::channel();
        let stopped = || RepositoryError::Unavailable("the turn writer has stopped".into());
        writer
            .send(PendingTurn {
                turn: turn.clone(),
                reply,
            })
            .await
            .map_err(|_| stopped())?;
        result.await.map_err(|_| stopped())?
    }

    #[tracing::instrument(name = "db.interviews.stored_answer", skip_all)]
    async fn stored_answer(
        &self,
        interview: InterviewId,
        key: &ClientKey,
    ) -> Result<Option<StoredOutcome>, RepositoryError> {
        answer_idempotency::Entity::find_by_id((interview.as_uuid(), key.as_str().to_owned()))
            .one(self.database.connection())
            .await
            .map_err(translate)?
            .map(|row| mapping::outcome(row.outcome))
            .transpose()
    }

    #[tracing::instrument(name = "db.interviews.messages", skip_all)]
    async fn messages(
        &self,
        interview: InterviewId,
        skip: u64,
        limit: Option<u64>,
    ) -> Result<MessagePage, RepositoryError> {
        let query = interview_messages::Entity::find()
            .filter(interview_messages::Column::InterviewId.eq(interview.as_uuid()));
        let total_count = query
            .clone()
            .count(self.database.connection())
            .await
            .map_err(translate)?;
        // SQLite accepts OFFSET only after a LIMIT, so "all" is the largest limit it takes
        let largest = i64::MAX.unsigned_abs();
        let limit = Ord::min(limit.unwrap_or(largest), largest);
        // beyond i64 the SQLite binding panics; no table holds that many rows anyway
        let skip = Ord::min(skip, largest);
        let messages = query
            .order_by_asc(interview_messages::Column::SequenceNumber)
            .limit(limit)
            .offset(skip)
            .all(self.database.connection())
            .await
            .map_err(translate)?
            .into_iter()
            .map(mapping::message)
            .collect::<Result<_, _>>()?;
        Ok(MessagePage {
            total_count,
            messages,
        })
    }

    async fn message(
        &self,
        interview: InterviewId,
        message: MessageId,
    ) -> Result<Option<InterviewMessage>, RepositoryError> {
        interview_messages::Entity::find_by_id(message.as_uuid())
            .filter(interview_messages::Column::InterviewId.eq(interview.as_uuid()))
            .one(self.database.connection())
            .await
            .map_err(translate)?
            .map(mapping::message)
            .transpose()
    }

    #[tracing::instrument(name = "db.interviews.last_question", skip_all)]
    async fn last_question(
        &self,
        interview: InterviewId,
    ) -> Result<Option<InterviewMessage>, RepositoryError> {
        interview_messages::Entity::find()
            .filter(interview_messages::Column::InterviewId.eq(interview.as_uuid()))
            .filter(interview_messages::Column::MessageType.is_in([
                MessageType::AiQuestion.as_str(),
                MessageType::AiClosing.as_str(),
            ]))
            .order_by_desc(interview_messages::Column::SequenceNumber)
            .one(self.database.connection())
            .await
            .map_err(translate)?
            .map(mapping::message)
            .transpose()
    }

    async fn attach_audio(
        &self,
        interview: InterviewId,
        message: MessageId,
        audio: &BlobRef,
        metadata: &AudioMetadata,
    ) -> Result<(), RepositoryError> {
        crate::message_audio::attach(&self.database, interview, message, audio, metadata).await
    }

    async fn claim_realtime(
        &self,
        interview: InterviewId,
        connection: ConnectionId,
        at: DateTime<Utc>,
    ) -> Result<(), RepositoryError> {
        crate::leases::claim(&self.database, interview, connection, at).await
    }

    async fn realtime_owner(
        &self,
        interview: InterviewId,
    ) -> Result<Option<ConnectionId>, RepositoryError> {
        crate::leases::owner(&self.database, interview).await
    }

    async fn idle_interviews(
        &self,
        cutoff: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<InterviewId>, RepositoryError> {
        let ids: Vec<uuid::Uuid> = interview_sessions::Entity::find()
            .select_only()
            .column(interview_sessions::Column::InterviewId)
            .inner_join(interviews::Entity)
            .filter(interviews::Column::Status.eq(InterviewStatus::InProgress.as_str()))
            .filter(interview_sessions::Column::LastActivityAt.lt(cutoff))
            .order_by_asc(interview_sessions::Column::LastActivityAt)
            .order_by_asc(interview_sessions::Column::InterviewId)
            // beyond i64 the SQLite binding panics
            .limit(Ord::min(limit, i64::MAX.unsigned_abs()))
            .into_tuple()
            .all(self.database.connection())
            .await
            .map_err(translate)?;
        Ok(ids.into_iter().map(InterviewId::from_uuid).collect())
    }
}
