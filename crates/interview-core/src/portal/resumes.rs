//! Resumes: upload (sniffed, bounded, at most `max_resumes` per candidate, parsed by a job
//! queued with the upload), list, read, delete, activate one, and download through a link that
//! is signed and expires.

use chrono::{DateTime, Duration, Utc};

use crate::actor::Actor;
use crate::ids::{CandidateId, ResumeId};
use crate::jobs::{JobKind, JobState, NewJob};
use crate::portal::profile::candidate_of;
use crate::portal::{ParseStatus, PortalError, PortalService, StoredResume};
use crate::ports::{BlobRef, RepositoryError, ResumeFacts};
use crate::rules::document_format::sniff;
use crate::rules::webhook_signature::{sign, verify};

const MAX_FILE_NAME_CHARS: usize = 255;

/// A file as uploaded.
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// A time-limited link to a resume's file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadLink {
    pub path: String,
    pub expires_at: DateTime<Utc>,
}

pub(crate) fn file_of(resume: &StoredResume) -> BlobRef {
    BlobRef::Resume {
        candidate: resume.candidate_id,
        resume: resume.id,
        format: resume.format,
    }
}

impl PortalService {
    /// Stores an uploaded resume and queues its parsing.
    ///
    /// # Errors
    /// [`PortalError::TooLarge`], [`PortalError::UnsupportedType`],
    /// [`PortalError::Conflict`] (`resume_limit`), [`PortalError::Validation`] for an empty
    /// file or file name.
    pub async fn upload_resume(
        &self,
        actor: Actor,
        upload: Upload,
    ) -> Result<StoredResume, PortalError> {
        let candidate = candidate_of(&actor)?;
        let limit = self.settings.max_resume_bytes;
        if upload.bytes.len() as u64 > limit {
            return Err(PortalError::TooLarge { limit });
        }
        let format = sniff(&upload.bytes).ok_or_else(|| {
            PortalError::UnsupportedType("a resume must be a PDF or a DOCX document".into())
        })?;
        let file_name: String = upload
            .file_name
            .trim()
            .chars()
            .filter(|c| !c.is_control() && !matches!(c, '/' | '\\'))
            .take(MAX_FILE_NAME_CHARS)
            .collect();
        let file_name = if file_name.is_empty() {
            format!("resume.{format}")
        } else {
            file_name
        };
        let now = self.clock.now();
        let resume = StoredResume {
            id: ResumeId::new(),
            candidate_id: candidate,
            file_name,
            file_size: upload.bytes.len() as u64,
            format,
            is_active: false,
            uploaded_at: now,
            parsing_status: ParseStatus::Pending,
            parsing_error: None,
            parsed_at: None,
            facts: None,
        };
        let file = file_of(&resume);
        self.stores.files.put(&file, upload.bytes).await?;
        let parse = NewJob::new(JobKind::ResumeParse, resume.id.as_uuid(), now);
        match self
            .stores
            .resumes
            .insert(&resume, &parse, self.settings.max_resumes)
            .await
        {
            Ok(()) => Ok(resume),
            Err(error) => {
                // the row was not written: the file is nobody's
                self.stores.files.delete(&file).await.ok();
                Err(match error {
                    RepositoryError::Conflict(_) => PortalError::Conflict {
                        code: "resume_limit",
                        message: format!(
                            "a candidate may keep at most {} resumes; delete one first",
                            self.settings.max_resumes
                        ),
                    },
                    other => other.into(),
                })
            }
        }
    }

    /// The caller's resumes, newest first.
    ///
    /// # Errors
    /// [`PortalError::WrongAudience`] for a recruiter.
    pub async fn resumes(&self, actor: Actor) -> Result<Vec<StoredResume>, PortalError> {
        let candidate = candidate_of(&actor)?;
        Ok(self.stores.resumes.list(candidate).await?)
    }

    /// One of the caller's resumes.
    ///
    /// # Errors
    /// [`PortalError::NotFound`] for anyone else's.
    pub async fn resume(&self, actor: Actor, id: ResumeId) -> Result<StoredResume, PortalError> {
        let candidate = candidate_of(&actor)?;
        self.owned_resume(candidate, id).await
    }

    pub(crate) async fn owned_resume(
        &self,
        candidate: CandidateId,
        id: ResumeId,
    ) -> Result<StoredResume, PortalError> {
        match self.stores.resumes.by_id(id).await? {
            Some(resume) if resume.candidate_id == candidate => Ok(resume),
            _ => Err(PortalError::NotFound("resume")),
        }
    }

    /// Deletes one of the caller's resumes, its file and its feedback.
    ///
    /// # Errors
    /// [`PortalError::NotFound`] for anyone else's.
    pub async fn delete_resume(&self, actor: Actor, id: ResumeId) -> Result<(), PortalError> {
        let resume = self.resume(actor, id).await?;
        match self.stores.resumes.delete(id).await {
            Ok(()) | Err(RepositoryError::NotFound) => {}
            Err(other) => return Err(other.into()),
        }
        self.stores.files.delete(&file_of(&resume)).await?;
        Ok(())
    }

    /// Makes one of the caller's resumes the active one (the others are not).
    ///
    /// # Errors
    /// [`PortalError::NotFound`] for anyone else's.
    pub async fn activate_resume(
        &self,
        actor: Actor,
        id: ResumeId,
    ) -> Result<StoredResume, PortalError> {
        let mut resume = self.resume(actor, id).await?;
        self.stores
            .resumes
            .activate(resume.candidate_id, id)
            .await?;
        resume.is_active = true;
        Ok(resume)
    }

    fn link_payload(id: ResumeId) -> String {
        format!("resume:{id}")
    }

    /// A link to download one of the caller's resumes, valid for `download_link_seconds`.
    ///
    /// # Errors
    /// [`PortalError::NotFound`] for anyone else's.
    pub async fn download_link(
        &self,
        actor: Actor,
        id: ResumeId,
    ) -> Result<DownloadLink, PortalError> {
        self.resume(actor, id).await?;
        let expires_at = self.clock.now() + Duration::seconds(self.settings.download_link_seconds);
        let expires = expires_at.timestamp();
        let signature = sign(
            &self.link_secret,
            expires,
            Self::link_payload(id).as_bytes(),
        );
        let signature = signature.trim_start_matches("sha256=");
        Ok(DownloadLink {
            path: format!("/api/v1/resumes/{id}/file?expires={expires}&signature={signature}"),
            expires_at,
        })
    }

    /// The resume a signed link names, with its bytes.
    ///
    /// # Errors
    /// [`PortalError::LinkInvalid`] for a wrong or expired signature.
    pub async fn linked_file(
        &self,
        id: ResumeId,
        expires: i64,
        signature: &str,
    ) -> Result<(StoredResume, Vec<u8>), PortalError> {
        let valid = expires >= self.clock.now().timestamp()
            && verify(
                &self.link_secret,
                expires,
                Self::link_payload(id).as_bytes(),
                &format!("sha256={signature}"),
            );
        if !valid {
            return Err(PortalError::LinkInvalid);
        }
        let resume = self
            .stores
            .resumes
            .by_id(id)
            .await?
            .ok_or(PortalError::NotFound("resume"))?;
        let bytes = self.stores.files.get(&file_of(&resume)).await?;
        Ok((resume, bytes))
    }

    /// One of the caller's resumes with its parsing status as it stands: a parse job that
    /// failed for good (after its retries) reports `failed` with its last error.
    ///
    /// # Errors
    /// [`PortalError::NotFound`] for anyone else's.
    pub async fn parsing_state(
        &self,
        actor: Actor,
        id: ResumeId,
    ) -> Result<StoredResume, PortalError> {
        let mut resume = self.resume(actor, id).await?;
        if matches!(
            resume.parsing_status,
            ParseStatus::Pending | ParseStatus::Processing
        ) && let Some(job) = self
            .stores
            .jobs
            .latest(JobKind::ResumeParse, id.as_uuid())
            .await?
            && job.state == JobState::Failed
        {
            resume.parsing_status = ParseStatus::Failed;
            resume.parsing_error = job.last_error;
        }
        Ok(resume)
    }

    /// What parsing found in one of the caller's resumes.
    ///
    /// # Errors
    /// [`PortalError::NotFound`] until it is parsed.
    pub async fn analysis(&self, actor: Actor, id: ResumeId) -> Result<ResumeFacts, PortalError> {
        self.resume(actor, id)
            .await?
            .facts
            .ok_or(PortalError::NotFound("analysis"))
    }
}
