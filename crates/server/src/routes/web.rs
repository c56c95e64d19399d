//! The reference web client: static files under `crates/server/web/`, embedded in the binary at
//! compile time (no Node or other toolchain; `cargo run -p server` serves them from any
//! directory). `/` is the single page (`index.html`), `/assets/{path}` every other file. See
//! `docs/web-client.md`.
//!
//! Every answer carries an ETag (the file's SHA-256) and `Cache-Control: no-cache`: browsers keep
//! the files and revalidate them (a `304` when unchanged), so a new server version is picked up at
//! once, with no file names to version. The page gets a Content-Security-Policy: scripts, styles,
//! workers and connections of this origin only (the realtime WebSocket included), media from
//! this origin or `blob:` (recorded audio and video fetched with the token).

use std::borrow::Cow;
use std::fmt::Write as _;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::web::{Bytes, Path, ServiceConfig, get, head, resource};
use actix_web::{HttpRequest, HttpResponse};
use rust_embed::{EmbeddedFile, RustEmbed};

use crate::error::ApiError;

/// The files of `crates/server/web/`, in the binary in every profile (`debug-embed`).
#[derive(RustEmbed)]
#[folder = "web/"]
pub struct WebAssets;

/// Where the files other than the page are served.
pub const ASSET_PREFIX: &str = "/assets/";

const PAGE: &str = "index.html";

/// The media type of `path`, with the charset for text (JavaScript modules and AudioWorklet
/// scripts must be served as JavaScript: `X-Content-Type-Options: nosniff` is on).
fn content_type(path: &str, file: &EmbeddedFile) -> String {
    let extension = path.rsplit_once('.').map_or("", |(_, extension)| extension);
    let guessed = match extension {
        "js" | "mjs" => "text/javascript",
        "css" => "text/css",
        "html" => "text/html",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "webmanifest" => "application/manifest+json",
        _ => file.metadata.mimetype(),
    };
    let textual = guessed.starts_with("text/")
        || guessed.ends_with("json")
        || guessed.ends_with("+xml")
        || guessed == "application/javascript";
    if textual && !guessed.contains("charset") {
        format!("{guessed}; charset=utf-8")
    } else {
        guessed.to_owned()
    }
}

/// A weak validator: the bytes are the same whether gzip (the `Compress` middleware) encodes
/// them or not.
fn etag(file: &EmbeddedFile) -> String {
    let hash =
        file.metadata
            .sha256_hash()
            .iter()
            .fold(String::with_capacity(64), |mut hex, byte| {
                let _ = write!(hex, "{byte:02x}");
                hex
            });
    format!("W/\"{hash}\"")
}

/// Whether the client's `If-None-Match` names `tag` (weak comparison, as RFC 9110 asks of it).
fn not_modified(request: &HttpRequest, tag: &str) -> bool {
    let opaque = |value: &str| value.trim().trim_start_matches("W/").to_owned();
    let ours = opaque(tag);
    request
        .headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|candidate| candidate.trim() == "*" || opaque(candidate) == ours)
}

/// The page's Content-Security-Policy. `connect-src` names the page's own host under `ws:` and
/// `wss:` too: browsers that predate CSP 3 do not count a WebSocket to the same host as `'self'`.
fn content_security_policy(request: &HttpRequest) -> String {
    let info = request.connection_info();
    let host = info.host();
    let plain = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b));
    let sockets = if plain {
        format!(" ws://{host} wss://{host}")
    } else {
        String::new()
    };
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
         media-src 'self' blob:; connect-src 'self'{sockets}; worker-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The file's answer: 200 with its bytes (a HEAD request gets the same headers, actix leaves the
/// body out), or 304 when the client's copy is current.
fn respond(request: &HttpRequest, path: &str, file: EmbeddedFile) -> HttpResponse {
    let tag = etag(&file);
    let unchanged = not_modified(request, &tag);
    let mut response = if unchanged {
        HttpResponse::build(StatusCode::NOT_MODIFIED)
    } else {
        let mut ok = HttpResponse::Ok();
        ok.insert_header((header::CONTENT_TYPE, content_type(path, &file)));
        ok
    };
    response
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::ETAG, tag));
    if path == PAGE {
        if let Ok(policy) = HeaderValue::from_str(&content_security_policy(request)) {
            response.insert_header((header::CONTENT_SECURITY_POLICY, policy));
        }
        response.insert_header((
            header::HeaderName::from_static("permissions-policy"),
            "microphone=(self), camera=(self), geolocation=()",
        ));
    }
    if unchanged {
        return response.finish();
    }
    // embedded bytes are 'static: served without a copy
    response.body(match file.data {
        Cow::Borrowed(bytes) => Bytes::from_static(bytes),
        Cow::Owned(bytes) => Bytes::from(bytes),
    })
}

/// `GET /`: the single page.
pub async fn page(request: HttpRequest) -> Result<HttpResponse, ApiError> {
    let file = WebAssets::get(PAGE).ok_or_else(|| ApiError::not_found("page"))?;
    Ok(respond(&request, PAGE, file))
}

/// `GET /assets/{path}`: a script, style sheet, worklet or image of the client.
pub async fn asset(request: HttpRequest, path: Path<String>) -> Result<HttpResponse, ApiError> {
    let path = path.into_inner();
    let file = (!path.split('/').any(|part| part.is_empty() || part == ".."))
        .then(|| WebAssets::get(&path))
        .flatten()
        .ok_or_else(|| ApiError::not_found("asset"))?;
    Ok(respond(&request, &path, file))
}

/// `/` and `/assets/…`; nothing else, so the API, `/docs/`, `/health` and `/ready` are untouched.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(resource("/").route(get().to(page)).route(head().to(page)))
        .service(
            resource("/assets/{path:.+}")
                .route(get().to(asset))
                .route(head().to(asset)),
        );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The relative module specifiers (`from './x.js'`, `import('./x.js')`, worklet URLs written
    /// as `new URL('./x.js', import.meta.url)`) of a script.
    fn relative_imports(source: &str) -> Vec<String> {
        let mut found = Vec::new();
        for quote in ['\'', '"'] {
            let opener = format!("{quote}./");
            let parent = format!("{quote}../");
            for pattern in [opener, parent] {
                let mut rest = source;
                while let Some(at) = rest.find(&pattern) {
                    let after = &rest[at + 1..];
                    let end = after.find(quote).unwrap_or(after.len());
                    let specifier = &after[..end];
                    if is_script(specifier) {
                        found.push(specifier.to_owned());
                    }
                    rest = &after[end..];
                }
            }
        }
        found
    }

    fn is_script(path: &str) -> bool {
        std::path::Path::new(path)
            .extension()
            .is_some_and(|extension| extension.eq_ignore_ascii_case("js"))
    }

    fn resolve(base: &str, specifier: &str) -> String {
        let mut parts: Vec<&str> = base.split('/').collect();
        parts.pop();
        for part in specifier.split('/') {
            match part {
                "." => {}
                ".." => {
                    parts.pop();
                }
                other => parts.push(other),
            }
        }
        parts.join("/")
    }

    #[test]
    fn every_relative_import_of_every_script_is_embedded() {
        let mut missing = Vec::new();
        let mut scripts = 0;
        for path in WebAssets::iter() {
            if !is_script(&path) {
                continue;
            }
            scripts += 1;
            let file = WebAssets::get(&path).unwrap();
            let source = std::str::from_utf8(&file.data).unwrap();
            for specifier in relative_imports(source) {
                let target = resolve(&path, &specifier);
                if WebAssets::get(&target).is_none() {
                    missing.push(format!("{path} → {specifier}"));
                }
            }
        }
        assert!(scripts > 5, "the client's scripts are embedded");
        assert!(missing.is_empty(), "unresolved imports: {missing:?}");
    }

    #[test]
    fn the_page_loads_its_entry_point_and_style_sheet_from_the_assets() {
        let page = WebAssets::get(PAGE).unwrap();
        let text = std::str::from_utf8(&page.data).unwrap();
        for reference in ["/assets/js/main.js", "/assets/css/app.css"] {
            assert!(text.contains(reference), "{reference}");
        }
        let quoted = format!("\"{ASSET_PREFIX}");
        let mut references = 0;
        for (at, _) in text.match_indices(&quoted) {
            let rest = &text[at + quoted.len()..];
            let path = &rest[..rest.find('"').unwrap()];
            assert!(WebAssets::get(path).is_some(), "{path}");
            references += 1;
        }
        assert!(references >= 3);
        assert!(
            !text.contains("<script>") && !text.contains("style=\""),
            "the policy allows no inline script or style"
        );
    }

    #[test]
    fn scripts_are_javascript_and_text_has_a_charset() {
        let main = WebAssets::get("js/main.js").unwrap();
        assert_eq!(
            content_type("js/main.js", &main),
            "text/javascript; charset=utf-8"
        );
        let css = WebAssets::get("css/app.css").unwrap();
        assert_eq!(content_type("css/app.css", &css), "text/css; charset=utf-8");
    }
}
