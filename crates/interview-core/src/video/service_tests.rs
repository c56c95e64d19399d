//! The video service against in-memory stores: who may upload when, chunks kept once per
//! index, refusals that leave nothing behind, assembly when complete, and the sweep.

use std::sync::Arc;

use chrono::{Duration, Utc};

use super::*;
use crate::InterviewSettings;
use crate::actor::Actor;
use crate::ids::{CandidateId, InterviewId};
use crate::interview::StartInterview;
use crate::model::{InterviewMode, RoleType};
use crate::ports::{BlobRef, Clock, MockBlobStore};
use crate::testing::{
    InMemoryInterviews, InMemoryVideos, ManualClock, PieceSource, ScriptedInterviewer,
};

struct World {
    video: VideoService,
    store: Arc<InMemoryVideos>,
    interviews: Arc<InterviewService>,
    clock: Arc<ManualClock>,
}

fn world(settings: VideoSettings) -> World {
    let clock = Arc::new(ManualClock::at(Utc::now()));
    let memory = Arc::new(InMemoryInterviews::new());
    let interviews = Arc::new(InterviewService::new(
        memory.clone(),
        Arc::new(ScriptedInterviewer::free()),
        clock.clone(),
        InterviewSettings::default(),
    ));
    let store = Arc::new(InMemoryVideos::new(memory));
    let video = VideoService::new(
        interviews.clone(),
        store.clone(),
        store.clone(),
        Arc::new(MockBlobStore::new()),
        clock.clone(),
        settings,
    );
    World {
        video,
        store,
        interviews,
        clock,
    }
}

async fn started(world: &World) -> (Actor, InterviewId) {
    let candidate = CandidateId::new();
    let started = world
        .interviews
        .start(StartInterview::for_role(
            candidate,
            RoleType::Python,
            InterviewMode::Text,
        ))
        .await
        .unwrap();
    (Actor::Candidate(candidate), started.interview.id)
}

fn body(index: u32, size: usize) -> Vec<u8> {
    let mut bytes = if index == 0 {
        vec![0x1a, 0x45, 0xdf, 0xa3]
    } else {
        vec![0x1f, 0x43, 0xb6, 0x75]
    };
    bytes.extend((0..size).map(|i| (i * 7 + index as usize) as u8 | 0x80));
    bytes
}

async fn upload(
    world: &World,
    actor: Actor,
    interview: InterviewId,
    index: u32,
    bytes: Vec<u8>,
    expected: Option<u32>,
) -> Result<ChunkAccepted, VideoError> {
    let permit = world.video.begin_upload(actor, interview).await?;
    let halves: Vec<Vec<u8>> = bytes
        .chunks(bytes.len().div_ceil(2).max(1))
        .map(<[u8]>::to_vec)
        .collect();
    let staged = world
        .video
        .stage(&permit, &mut PieceSource::new(halves))
        .await?;
    world
        .video
        .commit_chunk(&permit, staged, index, expected)
        .await
}

fn staging(world: &World) -> usize {
    world
        .store
        .object_keys()
        .iter()
        .filter(|key| key.contains("/staging/"))
        .count()
}

#[tokio::test]
async fn uploads_need_the_owner_consent_and_an_open_window() {
    let world = world(VideoSettings::default());
    let (actor, interview) = started(&world).await;
    assert!(matches!(
        world.video.begin_upload(actor, interview).await,
        Err(VideoError::ConsentRequired)
    ));
    world
        .video
        .set_consent(actor, interview, true)
        .await
        .unwrap();
    world.video.begin_upload(actor, interview).await.unwrap();
    let stranger = Actor::Candidate(CandidateId::new());
    assert!(matches!(
        world.video.begin_upload(stranger, interview).await,
        Err(VideoError::NotFound(_))
    ));
    assert!(matches!(
        world.video.set_consent(stranger, interview, true).await,
        Err(VideoError::NotFound(_))
    ));

    world.interviews.complete(interview, actor).await.unwrap();
    world.clock.advance(Duration::seconds(600));
    world.video.begin_upload(actor, interview).await.unwrap();
    world.clock.advance(Duration::seconds(1));
    assert!(matches!(
        world.video.begin_upload(actor, interview).await,
        Err(VideoError::UploadClosed(_))
    ));
}

#[tokio::test]
async fn a_chunk_is_kept_once_per_index_and_refusals_leave_nothing_staged() {
    let world = world(VideoSettings {
        max_recording_bytes: 1000,
        ..VideoSettings::default()
    });
    let (actor, interview) = started(&world).await;
    world
        .video
        .set_consent(actor, interview, true)
        .await
        .unwrap();
    let accepted = upload(&world, actor, interview, 1, body(1, 100), None)
        .await
        .unwrap();
    assert_eq!(
        (accepted.index, accepted.total_uploaded, accepted.finalized),
        (1, 1, None)
    );
    // the same body again: accepted, stored once
    let again = upload(&world, actor, interview, 1, body(1, 100), None)
        .await
        .unwrap();
    assert_eq!(again.total_uploaded, 1);
    assert!(matches!(
        upload(&world, actor, interview, 1, body(2, 100), None).await,
        Err(VideoError::ChunkMismatch { index: 1 })
    ));
    assert!(matches!(
        upload(&world, actor, interview, 0, body(1, 100), None).await,
        Err(VideoError::UnsupportedType(_))
    ));
    assert!(matches!(
        upload(
            &world,
            actor,
            interview,
            2,
            b"plain text, not video at all".to_vec(),
            None
        )
        .await,
        Err(VideoError::UnsupportedType(_))
    ));
    assert!(matches!(
        upload(&world, actor, interview, 2, body(2, 1000), None).await,
        Err(VideoError::StorageLimit { limit: 1000 })
    ));
    assert!(matches!(
        upload(&world, actor, interview, 2, body(2, 10), Some(2)).await,
        Err(VideoError::Invalid {
            field: "total_chunks",
            ..
        })
    ));
    assert_eq!(staging(&world), 0, "{:?}", world.store.object_keys());
    let list = world.video.chunks(actor, interview).await.unwrap();
    assert_eq!((list.indexes, list.missing), (vec![1], vec![0]));

    // a body that breaks off is not kept either
    let permit = world.video.begin_upload(actor, interview).await.unwrap();
    let broken = world
        .video
        .stage(&permit, &mut PieceSource::broken(vec![body(0, 50)]))
        .await;
    assert!(matches!(broken, Err(VideoError::Source(_))));
    assert_eq!(staging(&world), 0);
}

#[tokio::test]
async fn the_last_announced_chunk_assembles_the_recording_in_index_order() {
    let world = world(VideoSettings::default());
    let (actor, interview) = started(&world).await;
    world
        .video
        .set_consent(actor, interview, true)
        .await
        .unwrap();
    let bodies: Vec<Vec<u8>> = (0..3)
        .map(|index| body(index, 30 + index as usize))
        .collect();
    upload(&world, actor, interview, 2, bodies[2].clone(), Some(3))
        .await
        .unwrap();
    assert!(
        matches!(world.video.finalize(actor, interview).await, Err(VideoError::MissingChunks { missing }) if missing == vec![0, 1])
    );
    upload(&world, actor, interview, 0, bodies[0].clone(), None)
        .await
        .unwrap();
    let done = upload(&world, actor, interview, 1, bodies[1].clone(), None)
        .await
        .unwrap();
    let recording = done.finalized.expect("the third chunk completes it");
    assert_eq!(recording.status, RecordingStatus::Finalized);
    assert_eq!(
        recording.file_size_bytes,
        bodies.iter().map(|b| b.len() as u64).sum::<u64>()
    );
    let playable = world.video.playable(actor, interview).await.unwrap();
    assert_eq!(
        world.video.read(&playable, 0..playable.size).await.unwrap(),
        bodies.concat()
    );
    // the chunks are gone once assembled; finalizing again answers the same
    assert_eq!(world.store.object_keys(), vec![playable.key.clone()]);
    assert_eq!(
        world.video.finalize(actor, interview).await.unwrap(),
        recording
    );
    assert!(matches!(
        upload(&world, actor, interview, 3, body(3, 5), None).await,
        Err(VideoError::RecordingClosed("finalized"))
    ));
}

#[tokio::test]
async fn the_sweep_deletes_old_recordings_and_abandoned_uploads_and_keeps_the_rest() {
    let world = world(VideoSettings::default());
    let (actor, old) = started(&world).await;
    world.video.set_consent(actor, old, true).await.unwrap();
    upload(&world, actor, old, 0, body(0, 10), Some(1))
        .await
        .unwrap();
    let (actor2, abandoned) = started(&world).await;
    world
        .video
        .set_consent(actor2, abandoned, true)
        .await
        .unwrap();
    upload(&world, actor2, abandoned, 0, body(0, 10), None)
        .await
        .unwrap();

    world.clock.advance(Duration::hours(23));
    assert_eq!(world.video.sweep().await.unwrap(), SweepReport::default());
    world.clock.advance(Duration::hours(2));
    let report = world.video.sweep().await.unwrap();
    assert_eq!((report.expired, report.abandoned), (0, 1));

    world.clock.advance(Duration::days(90));
    let (actor3, fresh) = started(&world).await;
    world.video.set_consent(actor3, fresh, true).await.unwrap();
    upload(&world, actor3, fresh, 0, body(0, 10), Some(1))
        .await
        .unwrap();
    let report = world.video.sweep().await.unwrap();
    assert_eq!((report.expired, report.abandoned, report.failed), (1, 0, 0));
    let gone = world.video.recording(actor, old).await.unwrap();
    assert_eq!(
        (gone.status, gone.deletion_reason.as_deref()),
        (RecordingStatus::Deleted, Some("retention"))
    );
    assert!(matches!(
        world.video.playable(actor, old).await,
        Err(VideoError::NotFound(_))
    ));
    assert_eq!(
        world.video.recording(actor3, fresh).await.unwrap().status,
        RecordingStatus::Finalized
    );
    assert_eq!(
        world.store.object_keys().len(),
        1,
        "only the fresh recording is left"
    );
}

#[tokio::test]
async fn the_sweep_removes_stored_audio_past_the_retention_and_unlinks_it() {
    let clock = Arc::new(ManualClock::at(Utc::now()));
    let memory = Arc::new(InMemoryInterviews::new());
    let interviews = Arc::new(InterviewService::new(
        memory.clone(),
        Arc::new(ScriptedInterviewer::free()),
        clock.clone(),
        InterviewSettings::default(),
    ));
    let store = Arc::new(InMemoryVideos::new(memory));
    let clip = |at| {
        let blob = BlobRef::MessageAudio {
            interview: InterviewId::new(),
            message: crate::ids::MessageId::new(),
            format: crate::ports::AudioFormat::Webm,
        };
        store.add_audio(blob.clone(), at);
        blob
    };
    let old = clip(clock.now());
    clock.advance(Duration::days(60));
    let recent = clip(clock.now());
    clock.advance(Duration::days(31));
    let mut audio = MockBlobStore::new();
    let deleted = old.clone();
    audio
        .expect_delete()
        .withf(move |blob| *blob == deleted)
        .times(1)
        .returning(|_| Ok(()));
    let video = VideoService::new(
        interviews,
        store.clone(),
        store.clone(),
        Arc::new(audio),
        clock.clone(),
        VideoSettings::default(),
    );
    let report = video.sweep().await.unwrap();
    assert_eq!((report.audio, report.failed), (1, 0));
    assert_eq!(store.linked_audio(), vec![recent]);
}
