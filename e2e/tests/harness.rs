//! The harness itself: a journey must not fail for a reason outside the app.

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use gatehouse_e2e::{Browser, PATIENCE};

/// Takes and frees loopback ports as fast as it can, as the other test processes, servers and
/// browsers of a CI run do, keeping the last few hundred open, until `stop` is set.
fn churn_ports(stop: Arc<AtomicBool>) -> std::thread::JoinHandle<u64> {
    std::thread::spawn(move || {
        let mut held = std::collections::VecDeque::new();
        let mut taken = 0;
        while !stop.load(Ordering::Relaxed) {
            if let Ok(listener) = TcpListener::bind("127.0.0.1:0") {
                held.push_back(listener);
                taken += 1;
            }
            if held.len() > 500 {
                held.pop_front();
            }
        }
        taken
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_starts_while_other_processes_take_and_free_loopback_ports() {
    let stop = Arc::new(AtomicBool::new(false));
    let churn = churn_ports(Arc::clone(&stop));
    let mut started = 0;
    for _ in 0..15 {
        let browser = tokio::time::timeout(PATIENCE, Browser::start()).await;
        let Ok(browser) = browser else {
            break;
        };
        let title = browser.client.title().await;
        browser.end().await;
        if title.is_err() {
            break;
        }
        started += 1;
    }
    stop.store(true, Ordering::Relaxed);
    let taken = churn.join().unwrap();
    assert!(
        taken > 10_000,
        "the churn took only {taken} ports: it did not compete"
    );
    assert_eq!(started, 15, "browsers that started and answered, of 15");
}
