//! REST calls that survive Discord's bad moments: a 429 or a 5xx answer, or a
//! connection that fails, is retried with exponential backoff a few times.
//! (serenity's own rate limiter cannot be used with a configured API URL, and
//! its errors do not carry `retry_after`, so the pauses are fixed.)

use std::future::Future;
use std::time::Duration;

use serenity::http::HttpError;

/// Attempts in all, and the first pause (doubled after each failure).
const ATTEMPTS: u32 = 4;
const FIRST_PAUSE: Duration = Duration::from_millis(250);

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
            Err(e) if attempt < ATTEMPTS && transient(&e) => {
                tracing::warn!("discord: {what} failed ({e}); retrying in {pause:?}");
                tokio::time::sleep(pause).await;
                pause *= 2;
            }
            Err(e) => return Err(e),
        }
    }
    unreachable!("the loop returns")
}

/// Rate limited, a server error, or no connection: worth another try.
fn transient(e: &serenity::Error) -> bool {
    match e {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(response)) => {
            let status = response.status_code;
            // 10015 "Unknown Webhook": an interaction's follow-up sent before
            // Discord has read the endpoint's response.
            status.as_u16() == 429
                || status.is_server_error()
                || response.error.code == UNKNOWN_WEBHOOK
        }
        serenity::Error::Http(HttpError::Request(_)) => true,
        _ => false,
    }
}
