//! A database that goes away while the bot runs: commands answer "try again
//! shortly" (the store says Unavailable) and everything works again once it is back.
//! PostgreSQL is reached through a proxy on 127.0.0.1 that the test can cut.

mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use interview_bot::store::{Store, StoreError};

/// Forwards 127.0.0.1:port to PostgreSQL while `up`; cutting it closes every
/// connection and refuses new ones.
struct Proxy {
    port: u16,
    up: Arc<AtomicBool>,
    live: Arc<Mutex<Vec<TcpStream>>>,
}

impl Proxy {
    fn start(target: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let live: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let (up2, live2) = (up.clone(), live.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                if !up2.load(Ordering::SeqCst) {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(server) = TcpStream::connect(&target) else {
                    continue;
                };
                let mut live = live2.lock().unwrap();
                live.push(client.try_clone().unwrap());
                live.push(server.try_clone().unwrap());
                pump(client.try_clone().unwrap(), server.try_clone().unwrap());
                pump(server, client);
            }
        });
        Proxy { port, up, live }
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for stream in self.live.lock().unwrap().drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

fn pump(mut from: TcpStream, mut to: TcpStream) {
    std::thread::spawn(move || {
        let mut buffer = [0u8; 16 * 1024];
        loop {
            match from.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if to.write_all(&buffer[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = to.shutdown(Shutdown::Both);
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_say_unavailable_while_the_database_is_gone_and_recover() {
    let Some(url) = common::fresh_postgres().await else {
        common::skip("outage suite on PostgreSQL", common::NO_POSTGRES);
        return;
    };
    let (head, database) = url.rsplit_once('/').unwrap();
    let (credentials, host) = head
        .trim_start_matches("postgres://")
        .rsplit_once('@')
        .unwrap();
    let proxy = Proxy::start(host.to_string());
    let through_proxy = format!(
        "postgres://{credentials}@127.0.0.1:{}/{database}",
        proxy.port
    );

    let store = Store::connect(&through_proxy).await.unwrap();
    assert_eq!(store.answer_count().await.unwrap(), 0);

    proxy.cut();
    let during = tokio::time::timeout(Duration::from_secs(20), store.answer_count())
        .await
        .expect("a store call gives up instead of hanging");
    assert!(
        matches!(during, Err(StoreError::Unavailable(_))),
        "{during:?}"
    );

    proxy.restore();
    let mut recovered = false;
    for _ in 0..50 {
        if let Ok(Ok(0)) = tokio::time::timeout(Duration::from_secs(5), store.answer_count()).await
        {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(recovered, "the store works again once the database is back");
}
