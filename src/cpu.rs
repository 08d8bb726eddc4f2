//! CPU-bound work (search, embedding) off the async runtime: a small pool of
//! threads, one per core, that run at a lower scheduling priority. When a burst
//! of `/ask`s keeps every core busy, the runtime's own threads (gateway
//! heartbeats, HTTP, the store) still run first, so a connection is never late
//! because of a search.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

use tokio::sync::{Semaphore, oneshot};

type Job = Box<dyn FnOnce() + Send>;

/// How much nicer (lower priority) the pool's threads are than the runtime's.
const NICER_BY: i32 = 10;

/// A fixed set of worker threads; at most one job per thread at once, the
/// rest wait their turn (asynchronously) for a permit.
pub struct CpuPool {
    jobs: SyncSender<Job>,
    permits: Semaphore,
    threads: usize,
    /// Jobs given to [`CpuPool::run`] and not finished: running or waiting.
    in_flight: AtomicUsize,
}

/// Counts a job in flight until it is finished or its caller gave up.
struct InFlight<'a>(&'a AtomicUsize);

impl<'a> InFlight<'a> {
    fn count(jobs: &'a AtomicUsize) -> Self {
        jobs.fetch_add(1, Ordering::Relaxed);
        InFlight(jobs)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The pool has stopped (the process is ending) or the job panicked.
#[derive(Debug, thiserror::Error)]
#[error("the work could not be done: {0}")]
pub struct CpuError(&'static str);

impl CpuPool {
    /// `threads` workers (at least one).
    pub fn new(threads: usize) -> CpuPool {
        let threads = threads.max(1);
        let (jobs, queue) = sync_channel::<Job>(threads);
        let queue = Arc::new(Mutex::new(queue));
        for index in 0..threads {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("cpu-{index}"))
                .spawn(move || work(&queue));
            if let Err(e) = spawned {
                tracing::warn!("cannot start a search thread: {e}");
            }
        }
        CpuPool {
            jobs,
            permits: Semaphore::new(threads),
            threads,
            in_flight: AtomicUsize::new(0),
        }
    }

    /// Whether every worker has a job (new work would wait).
    pub fn is_busy(&self) -> bool {
        self.in_flight.load(Ordering::Relaxed) >= self.threads
    }

    /// One worker per core.
    pub fn per_core() -> CpuPool {
        CpuPool::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    }

    /// Runs `job` on a worker and waits for its result without blocking the
    /// runtime.
    pub async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, CpuError> {
        let _in_flight = InFlight::count(&self.in_flight);
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| CpuError("the search threads have stopped"))?;
        let (done, result) = oneshot::channel();
        let job: Job = Box::new(move || {
            let outcome = catch_unwind(AssertUnwindSafe(job));
            let _ = done.send(outcome);
        });
        // A permit is held, so a worker is free or about to be: this never waits long.
        self.jobs
            .send(job)
            .map_err(|_| CpuError("the search threads have stopped"))?;
        match result.await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(_)) => Err(CpuError("it panicked (see the log)")),
            Err(_) => Err(CpuError("the search threads have stopped")),
        }
    }
}

fn work(queue: &Mutex<Receiver<Job>>) {
    lower_priority();
    loop {
        let job = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(poisoned) => poisoned.into_inner().recv(),
        };
        match job {
            Ok(job) => job(),
            Err(_) => return,
        }
    }
}

/// On Linux the nice value belongs to a thread: this lowers only the caller's.
#[cfg(target_os = "linux")]
fn lower_priority() {
    // Nice values are absolute: NICER_BY than the thread that starts the pool
    // (which may already be nice), capped at the lowest priority, 19.
    // SAFETY: getpriority and setpriority only read their integer arguments;
    // `0` names the calling thread.
    let ours = unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) };
    let result = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, (ours + NICER_BY).min(19)) };
    if result != 0 {
        tracing::debug!(
            "search threads keep normal priority: {}",
            std::io::Error::last_os_error()
        );
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {
    let _ = NICER_BY;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jobs_run_and_a_panic_is_an_error_not_a_lost_thread() {
        let pool = CpuPool::new(1);
        assert_eq!(pool.run(|| 6 * 7).await.unwrap(), 42);
        assert!(pool.run(|| panic!("boom")).await.is_err());
        let name = pool
            .run(|| std::thread::current().name().map(str::to_string))
            .await
            .unwrap();
        assert_eq!(name.as_deref(), Some("cpu-0"), "the same worker goes on");
    }

    #[tokio::test]
    async fn the_pool_is_busy_while_every_worker_has_a_job() {
        let pool = Arc::new(CpuPool::new(2));
        let (release, released) = std::sync::mpsc::channel::<()>();
        let released = Arc::new(Mutex::new(released));
        let start = || {
            let (pool, released) = (pool.clone(), released.clone());
            tokio::spawn(async move {
                pool.run(move || released.lock().unwrap().recv())
                    .await
                    .unwrap()
            })
        };
        let settle = || tokio::time::sleep(std::time::Duration::from_millis(50));
        let first = start();
        settle().await;
        assert!(!pool.is_busy(), "one job, two workers");
        let second = start();
        let mut waited = 0;
        while !pool.is_busy() && waited < 500 {
            settle().await;
            waited += 1;
        }
        assert!(pool.is_busy(), "two jobs, two workers");
        for _ in 0..2 {
            release.send(()).unwrap();
        }
        first.await.unwrap().unwrap();
        second.await.unwrap().unwrap();
        assert!(!pool.is_busy(), "finished jobs are not counted");
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn workers_run_at_a_lower_priority() {
        let pool = CpuPool::new(1);
        let nice = pool
            .run(|| unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) })
            .await
            .unwrap();
        let ours = unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) };
        assert_eq!(nice, (ours + NICER_BY).min(19));
    }
}
