use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
    time::Duration,
};

use domain::{
    Db, bot, db_test,
    queue::{self, Job, NewJob, QueueError, Retried},
};

const LEASE: Duration = Duration::from_secs(30);

async fn push(db: &Db, n: i64, key: Option<&str>) -> i64 {
    let mut job = NewJob::new(Job::Event { event_id: n });
    if let Some(key) = key {
        job = job.in_order_of(key);
    }
    queue::push(db, &job).await.unwrap()
}

db_test!(async fn jobs_are_claimed_oldest_first_and_only_once(db) {
    let first = push(&db, 1, None).await;
    let second = push(&db, 2, None).await;
    let a = queue::claim(&db, "a", LEASE).await.unwrap().unwrap();
    let b = queue::claim(&db, "b", LEASE).await.unwrap().unwrap();
    assert_eq!((a.id, b.id), (first, second));
    assert_eq!(a.attempts, 1);
    assert_eq!(a.work, Job::Event { event_id: 1 });
    assert!(queue::claim(&db, "c", LEASE).await.unwrap().is_none());

    queue::complete(&db, &a, "replied").await.unwrap();
    let counts = queue::counts(&db).await.unwrap();
    assert_eq!((counts.done, counts.running), (1, 1));
});

db_test!(async fn jobs_sharing_a_key_run_one_at_a_time_in_order(db) {
    let first = push(&db, 1, Some("room-1")).await;
    push(&db, 2, Some("room-1")).await;
    let other = push(&db, 3, Some("room-2")).await;

    let a = queue::claim(&db, "w", LEASE).await.unwrap().unwrap();
    assert_eq!(a.id, first);
    // The second reply of room-1 waits for the first; room-2 does not.
    let b = queue::claim(&db, "w", LEASE).await.unwrap().unwrap();
    assert_eq!(b.id, other);
    assert!(queue::claim(&db, "w", LEASE).await.unwrap().is_none());

    // A retry with a back-off keeps the order too: the second still waits.
    queue::retry(&db, &a, "Webex answered 503", Duration::from_secs(60)).await.unwrap();
    assert!(queue::claim(&db, "w", LEASE).await.unwrap().is_none());
});

db_test!(async fn a_later_job_of_a_key_runs_once_the_earlier_one_is_done(db) {
    let first = push(&db, 1, Some("room-1")).await;
    let second = push(&db, 2, Some("room-1")).await;
    let a = queue::claim(&db, "w", LEASE).await.unwrap().unwrap();
    assert_eq!(a.id, first);
    queue::complete(&db, &a, "sent").await.unwrap();
    assert_eq!(queue::claim(&db, "w", LEASE).await.unwrap().unwrap().id, second);
});

db_test!(async fn a_failing_job_is_retried_then_dead_lettered_with_the_reason(db) {
    let mut job = NewJob::new(Job::Deliver { outbox_id: 9 });
    job.max_attempts = 2;
    let id = queue::push(&db, &job).await.unwrap();

    let claimed = queue::claim(&db, "w", LEASE).await.unwrap().unwrap();
    let retried = queue::retry(&db, &claimed, "Webex answered 503", Duration::ZERO).await.unwrap();
    assert!(matches!(retried, Retried::At(_)));

    let again = queue::claim(&db, "w", LEASE).await.unwrap().unwrap();
    assert_eq!((again.id, again.attempts), (id, 2));
    let retried = queue::retry(&db, &again, "Webex answered 502", Duration::ZERO).await.unwrap();
    assert_eq!(
        retried,
        Retried::DeadLettered("gave up after 2 attempts: Webex answered 502".to_owned())
    );
    assert!(queue::claim(&db, "w", LEASE).await.unwrap().is_none());
    assert_eq!(queue::counts(&db).await.unwrap().dead, 1);
});

db_test!(async fn a_job_waiting_out_a_backoff_is_not_claimed_early(db) {
    push(&db, 1, None).await;
    let job = queue::claim(&db, "w", LEASE).await.unwrap().unwrap();
    queue::retry(&db, &job, "time-out", Duration::from_secs(3600)).await.unwrap();
    assert!(queue::claim(&db, "w", LEASE).await.unwrap().is_none());
    assert_eq!(queue::counts(&db).await.unwrap().queued, 1);
});

db_test!(async fn postponing_does_not_use_up_an_attempt(db) {
    push(&db, 1, None).await;
    let job = queue::claim(&db, "w", LEASE).await.unwrap().unwrap();
    queue::postpone(&db, &job, domain::time::now_ms(), "rate limited for long").await.unwrap();
    let again = queue::claim(&db, "w", LEASE).await.unwrap().unwrap();
    assert_eq!(again.attempts, 1);
});

db_test!(async fn an_expired_lease_is_rescued_and_the_old_worker_cannot_finish_the_job(db) {
    let id = push(&db, 1, None).await;
    let stalled = queue::claim(&db, "stalled", Duration::from_millis(1)).await.unwrap().unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;

    assert_eq!(bot::rescue_expired(&db).await.unwrap(), 1);
    let rescued = queue::claim(&db, "healthy", LEASE).await.unwrap().unwrap();
    assert_eq!((rescued.id, rescued.attempts), (id, 2));

    let refused = queue::complete(&db, &stalled, "replied").await.unwrap_err();
    assert!(matches!(refused, QueueError::LeaseLost(job) if job == id), "{refused}");
    assert!(!queue::heartbeat(&db, &stalled, LEASE).await.unwrap());
    queue::complete(&db, &rescued, "replied").await.unwrap();
});

db_test!(async fn a_job_whose_workers_keep_dying_is_dead_lettered(db) {
    let mut job = NewJob::new(Job::Event { event_id: 1 });
    job.max_attempts = 1;
    queue::push(&db, &job).await.unwrap();
    queue::claim(&db, "crashing", Duration::from_millis(1)).await.unwrap().unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(bot::rescue_expired(&db).await.unwrap(), 1);
    assert_eq!(queue::counts(&db).await.unwrap().dead, 1);
    let audit = domain::audit::recent(&db, 1).await.unwrap();
    assert_eq!(audit[0].action, "job.dead_letter");
    assert!(audit[0].after_json.as_deref().unwrap().contains("lease expired"));
});

db_test!(async fn workers_of_separate_processes_never_hold_the_same_job(db, url) {
    // A second pool stands for a second `steward` process on the same database.
    let other = Db::connect(&url).await.unwrap();
    for n in 0..200 {
        push(&db, n, None).await;
    }
    let seen = Arc::new(Mutex::new(HashSet::new()));
    let mut workers = Vec::new();
    for (w, pool) in [&db, &other, &db, &other].into_iter().enumerate() {
        let pool = pool.clone();
        let seen = Arc::clone(&seen);
        workers.push(tokio::spawn(async move {
            let owner = format!("worker-{w}");
            let mut done = 0;
            while let Some(job) = queue::claim(&pool, &owner, LEASE).await.unwrap() {
                assert!(seen.lock().unwrap().insert(job.id), "job {} claimed twice", job.id);
                queue::complete(&pool, &job, "done").await.unwrap();
                done += 1;
            }
            done
        }));
    }
    let mut total = 0;
    for worker in workers {
        total += worker.await.unwrap();
    }
    other.close().await;
    assert_eq!(total, 200);
    assert_eq!(queue::counts(&db).await.unwrap().done, 200);
});
