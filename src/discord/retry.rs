//! REST calls that survive Discord's bad moments: a 429 or a 5xx answer, a
//! connection that fails, or an interaction's "Unknown Webhook" is retried a few
//! times.
//!
//! How long to wait after a 429 depends on who sees it, because serenity 0.12
//! keeps neither the `Retry-After` / `X-RateLimit-Reset-After` headers nor the
//! body's `retry_after` in the error it returns (`ErrorResponse` holds only the
//! status, URL, method and `{code, message, errors}`; Discord's 429 body has no
//! `code`, so even its message is replaced by a decoding note):
//!
//! - **Production (no `discord.api_url`)**: serenity's rate limiter is on. It
//!   waits out each bucket before sending, and on a 429 with a `Retry-After`
//!   header it sleeps exactly that long and sends again by itself, so such a 429
//!   never reaches this module and nothing waits twice. A 429 that does reach us
//!   is one serenity did not wait for (no `Retry-After` header).
//! - **`discord.api_url` set** (tests, a rate-limiting proxy): serenity's rate
//!   limiter is off (it would ignore the URL), so every 429 reaches us, and the
//!   wait Discord asked for is not visible. A 429 is then retried after
//!   [`RATE_LIMITED_PAUSE`] (Discord's global limit counts per second), doubled
//!   after each further 429; an earlier retry would only draw another 429.
//!
//! 5xx answers, failed connections and Unknown Webhook are retried after
//! [`FIRST_PAUSE`], doubled after each failure. [`ATTEMPTS`] bounds every case.

use std::future::Future;
use std::time::Duration;

use serenity::http::HttpError;

/// Attempts in all.
const ATTEMPTS: u32 = 4;
/// The first pause after a 5xx, a failed connection or Unknown Webhook (doubled
/// after each failure).
const FIRST_PAUSE: Duration = Duration::from_millis(250);
/// The first pause after a 429 whose wait we cannot see (doubled after each
/// further 429).
const RATE_LIMITED_PAUSE: Duration = Duration::from_secs(1);

/// Discord's error code for a webhook (interaction token) it does not know yet.
const UNKNOWN_WEBHOOK: isize = 10015;

/// Runs `call` until it succeeds, fails for good, or has been tried
/// [`ATTEMPTS`] times; `what` names the call in the log.
pub async fn retry<T, F, Fut>(what: &str, mut call: F) -> serenity::Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = serenity::Result<T>>,
{
    let mut pause = FIRST_PAUSE;
    for attempt in 1.. {
        match call().await {
            Ok(value) => return Ok(value),
            Err(e) if attempt < ATTEMPTS => match failure(&e) {
                Failure::RateLimited => {
                    count("rate_limited", true);
                    pause = pause.max(RATE_LIMITED_PAUSE);
                    tracing::warn!(
                        "discord: {what} was rate limited (HTTP 429; serenity does not pass on how long to wait); retrying in {pause:?}"
                    );
                    tokio::time::sleep(pause).await;
                    pause *= 2;
                }
                Failure::Transient => {
                    count("transient", true);
                    tracing::warn!("discord: {what} failed ({e}); retrying in {pause:?}");
                    tokio::time::sleep(pause).await;
                    pause *= 2;
                }
                Failure::Final => {
                    count("final", false);
                    return Err(e);
                }
            },
            Err(e) => {
                count("gave_up", false);
                if let Failure::RateLimited = failure(&e) {
                    tracing::warn!(
                        "discord: {what} was still rate limited (HTTP 429) after {ATTEMPTS} attempts; giving up"
                    );
                }
                return Err(e);
            }
        }
    }
    unreachable!("the loop returns")
}

/// A failed call in the platform metrics: an error of `kind`, and a retry
/// too when `retried`.
fn count(kind: &str, retried: bool) {
    let metrics = crate::metrics::metrics();
    metrics.platform_error("discord", kind);
    if retried {
        metrics.platform_retry("discord", kind);
    }
}

/// What a failed call is worth.
enum Failure {
    /// HTTP 429.
    RateLimited,
    /// A server error, no connection, or Unknown Webhook: worth another try soon.
    Transient,
    /// Retrying will not help.
    Final,
}

fn failure(e: &serenity::Error) -> Failure {
    match e {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(response)) => {
            let status = response.status_code;
            if status.as_u16() == 429 {
                Failure::RateLimited
            } else if status.is_server_error()
                // 10015 "Unknown Webhook": an interaction's follow-up sent before
                // Discord has read the endpoint's response.
                || response.error.code == UNKNOWN_WEBHOOK
            {
                Failure::Transient
            } else {
                Failure::Final
            }
        }
        serenity::Error::Http(HttpError::Request(_)) => Failure::Transient,
        _ => Failure::Final,
    }
}
