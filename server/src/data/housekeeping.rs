//! Housekeeping: what the data modules delete on a schedule (old security events, notes past
//! their Undo, expired session records), all through one mechanism.

use std::future::Future;
use std::time::Duration;

/// Runs `job` every `period` (the first time at once), until the process ends; a failure is
/// logged with `what` the job does, and the next period tries again.
pub fn every<F, Fut, E>(period: Duration, what: &'static str, job: F)
where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = Result<u64, E>> + Send,
    E: std::fmt::Display,
{
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(period);
        loop {
            ticks.tick().await;
            match job().await {
                Ok(0) => {}
                Ok(n) => tracing::debug!(n, "{what}"),
                Err(e) => tracing::warn!(error = %e, "could not {what}"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_job_runs_at_once_then_every_period_even_after_a_failure() {
        let runs = Arc::new(AtomicU64::new(0));
        let counted = runs.clone();
        every(Duration::from_secs(60), "count", move || {
            let runs = counted.clone();
            async move {
                match runs.fetch_add(1, Ordering::SeqCst) {
                    1 => Err("the database is away"),
                    n => Ok(n),
                }
            }
        });
        for expected in 1..=3 {
            while runs.load(Ordering::SeqCst) < expected {
                tokio::task::yield_now().await;
            }
            tokio::time::advance(Duration::from_secs(60)).await;
        }
        assert!(runs.load(Ordering::SeqCst) >= 3);
    }
}
