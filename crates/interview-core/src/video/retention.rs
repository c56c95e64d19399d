//! The retention sweep: finalized recordings and stored message audio older than
//! `retention_days`, and uploads abandoned for `abandoned_upload_hours`, lose their bytes; their
//! rows stay (recordings marked deleted, messages with their audio's duration and metadata).

use chrono::Duration;

use crate::video::{RecordingStatus, SweepReport, VideoService};

/// Recordings handled per sweep; the rest wait for the next one.
const SWEEP_BATCH: u64 = 200;

impl VideoService {
    /// Deletes what is past its time.
    ///
    /// # Errors
    /// Storage failures while listing (a recording whose objects cannot be removed is counted
    /// in `failed` and tried again next time).
    pub async fn sweep(&self) -> Result<SweepReport, crate::ports::RepositoryError> {
        let now = self.clock.now();
        let finalized_before = now - Duration::days(self.settings.retention_days);
        let abandoned_before = now - Duration::hours(self.settings.abandoned_upload_hours);
        let due = self
            .recordings
            .expired(finalized_before, abandoned_before, SWEEP_BATCH)
            .await?;
        let mut report = SweepReport::default();
        for recording in due {
            let (reason, counter) = if recording.status == RecordingStatus::Finalized {
                ("retention", &mut report.expired)
            } else {
                ("abandoned_upload", &mut report.abandoned)
            };
            match self.erase(&recording, reason).await {
                Ok(()) => *counter += 1,
                Err(_) => report.failed += 1,
            }
        }
        for audio in self
            .recordings
            .expired_audio(finalized_before, SWEEP_BATCH)
            .await?
        {
            if self.audio.delete(&audio).await.is_err() {
                report.failed += 1;
                continue;
            }
            self.recordings.forget_audio(&audio).await?;
            report.audio += 1;
        }
        Ok(report)
    }
}
