//! Chunk uploads.

pub struct UploadPermit;
