//! The steps several browser tests take on the way to what they check.

use super::driver::Browser;
use crate::helpers::PASSWORD;

/// Picks `value` in the `<select>` matched by `css`, as a user would.
pub(crate) async fn choose(browser: &Browser, css: &str, value: &str) {
    browser
        .eval(&format!(
            "const s = document.querySelector({css:?}); s.value = {value:?}; \
             s.dispatchEvent(new Event('change')); return true;"
        ))
        .await;
}

/// Signs a registered candidate in; ends on the page that starts an interview.
pub(crate) async fn sign_in(browser: &Browser, email: &str) {
    browser.visit("/login").await;
    browser.fill("#login-email", email).await;
    browser.fill("#login-password", PASSWORD).await;
    browser.click("#login-submit").await;
    browser.on_page("start").await;
}

/// From the start page: an interview for `role` in `mode`; ends on the tech check.
pub(crate) async fn start(browser: &Browser, mode: &str, role: &str) {
    choose(browser, "#mode-select", mode).await;
    choose(browser, "#role-select", role).await;
    browser.click("#start-submit").await;
}

/// From the start page to the interview page, through the tech check without video when the
/// mode has one.
pub(crate) async fn start_without_video(browser: &Browser, mode: &str, role: &str) {
    start(browser, mode, role).await;
    let page = browser
        .wait_until(
            "const p = document.querySelector('[data-page]'); \
             return p && ['tech-check','interview'].includes(p.dataset.page) && p.dataset.page;",
        )
        .await;
    if page == "tech-check" {
        browser.click("#tech-check-continue").await;
    }
    browser.on_page("interview").await;
}
