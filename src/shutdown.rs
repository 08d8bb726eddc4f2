//! Graceful shutdown: a [`Shutdown`] every long-running part listens to (the
//! runtime loop, the listeners, the bank watcher), triggered by a [`Stopper`]
//! on SIGTERM or Ctrl-C, at the end of the shell's input, or by a test.

use std::sync::Arc;

use tokio::sync::watch;

/// Says when to stop: a signal, the end of the shell's input, a test.
#[derive(Clone)]
pub struct Shutdown(watch::Receiver<bool>);

/// Triggers a [`Shutdown`].
#[derive(Clone)]
pub struct Stopper(Arc<watch::Sender<bool>>);

/// A shutdown and its trigger.
pub fn shutdown() -> (Stopper, Shutdown) {
    let (tx, rx) = watch::channel(false);
    (Stopper(Arc::new(tx)), Shutdown(rx))
}

impl Stopper {
    pub fn stop(&self) {
        let _ = self.0.send(true);
    }

    /// Stops on SIGTERM or Ctrl-C (SIGINT).
    pub fn on_signals(&self) {
        let stopper = self.clone();
        tokio::spawn(async move {
            wait_for_signal().await;
            tracing::info!("stopping: finishing the work in flight");
            stopper.stop();
        });
    }
}

#[cfg(unix)]
async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        Err(e) => {
            tracing::warn!("cannot listen for SIGTERM ({e}); Ctrl-C still stops");
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() {
    let _ = tokio::signal::ctrl_c().await;
}

impl Shutdown {
    pub fn is_stopping(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves once a stop is asked for.
    pub async fn stopping(&mut self) {
        while !*self.0.borrow_and_update() {
            if self.0.changed().await.is_err() {
                // Nobody can stop us any more: never resolve.
                std::future::pending::<()>().await;
            }
        }
    }
}
