#ifndef TRACK_WORKER_POOL_H
#define TRACK_WORKER_POOL_H

/// A fixed set of worker threads that run the parts of one short job together with the
/// caller, for products too small to amortise a thread wake-up (~50 us) per call.
///
/// Workers spin while jobs keep coming (a training step posts one every few microseconds)
/// and sleep on a condition variable after about 100 us without work, so an idle pool
/// costs no CPU. One job runs at a time: a call that finds the pool busy (another thread
/// is inside `worker_pool_run`) runs every part itself, in order, so results do not depend
/// on who ran them.

typedef void (*worker_pool_task)(void *context, int part);

typedef struct worker_pool worker_pool;

/// A pool of the caller plus `threads - 1` workers, which live as long as the process
/// (a pool is never torn down: another thread may be running a job on it).
/// Returns NULL when `threads` < 1 or a thread cannot be started.
worker_pool *worker_pool_create(int threads);

/// Threads the pool was created with (the caller included).
int worker_pool_threads(const worker_pool *pool);

/// Runs `task(context, p)` once for each p in 0 ..< parts, on the calling thread and the
/// workers together: each takes the next part not yet taken until none is left, so a thread
/// on a slower or shared core takes fewer. When the pool is busy the caller runs every part
/// itself, in order. Returns when every part has finished. Which thread runs a part varies;
/// what a part computes must not depend on it.
void worker_pool_run(worker_pool *pool, int parts, worker_pool_task task, void *context);

#endif
