//! The web client is embedded at compile time (`routes/web.rs`): a file added under `web/` must
//! rebuild the crate, which cargo only notices when told to watch the folder.
fn main() {
    println!("cargo:rerun-if-changed=web");
}
