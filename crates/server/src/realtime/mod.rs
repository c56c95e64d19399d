//! Live voice: the browser's WebSocket protocol and the relay to the realtime provider.

pub mod account_sessions;
pub mod protocol;
pub mod relay;
mod spoken_turn;
pub mod wav;
