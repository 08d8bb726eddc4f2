//! Listening for HTTP, the same way for every server of the bot (the
//! operations endpoints, Discord's interactions endpoint, Slack's HTTP mode):
//! bind the configured address (a short error naming the setting when it is
//! not one), then serve until the [`Shutdown`], finishing requests in flight.

use std::net::SocketAddr;

use tokio::net::TcpListener;

use crate::shutdown::Shutdown;

/// Why a server cannot start: the setting it came from, and what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum ListenError {
    #[error("{setting} `{address}` is not an address to listen on (like {example})")]
    Address {
        setting: &'static str,
        address: String,
        example: &'static str,
    },
    #[error("{setting}: cannot listen on {address}: {source}")]
    Listen {
        setting: &'static str,
        address: String,
        source: std::io::Error,
    },
}

/// Binds `address`, the value of `setting` (`http.listen`); `example` shows
/// the form it takes in the error.
pub async fn bind(
    setting: &'static str,
    example: &'static str,
    address: &str,
) -> Result<(SocketAddr, TcpListener), ListenError> {
    let address = address.trim();
    let parsed: SocketAddr = address.parse().map_err(|_| ListenError::Address {
        setting,
        address: address.to_string(),
        example,
    })?;
    let failed = |source| ListenError::Listen {
        setting,
        address: address.to_string(),
        source,
    };
    let listener = TcpListener::bind(parsed).await.map_err(failed)?;
    let local = listener.local_addr().map_err(failed)?;
    Ok((local, listener))
}

/// Serves `app` on `listener` until `shutdown`, then lets requests in flight
/// finish; `name` says which server in the log if it fails.
pub async fn serve(
    listener: TcpListener,
    app: axum::Router,
    mut shutdown: Shutdown,
    name: &'static str,
) {
    let stop = async move { shutdown.stopping().await };
    if let Err(e) = axum::serve(listener, app)
        .with_graceful_shutdown(stop)
        .await
    {
        tracing::error!("{name} stopped: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_bad_address_names_its_setting() {
        let e = bind("http.listen", "127.0.0.1:9090", "nowhere")
            .await
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "http.listen `nowhere` is not an address to listen on (like 127.0.0.1:9090)"
        );
        let (local, _listener) = bind("http.listen", "127.0.0.1:9090", " 127.0.0.1:0 ")
            .await
            .unwrap();
        assert_ne!(local.port(), 0);
    }
}
