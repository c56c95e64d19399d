//! Consent, the tech check, reading and watching a recording, and deleting it.

pub const TECH_CHECK_MAX_BYTES: usize = 4096;

pub struct TechCheck;
