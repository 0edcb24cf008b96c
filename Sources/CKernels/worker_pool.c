#include "WorkerPool.h"
#include "Numerics.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause()
#elif defined(__aarch64__)
#define CPU_RELAX() __asm__ __volatile__("yield")
#else
#define CPU_RELAX() ((void)0)
#endif

/// Spin this long for the next job before sleeping (nanoseconds).
#define SPIN_NANOSECONDS 200000L

struct worker_pool {
  int threads;
  pthread_t *handles;
  /// Bumped (release) after the job fields below are written; workers wait for a change.
  _Atomic unsigned long generation;
  /// Workers that have not yet finished the current job.
  _Atomic int remaining;
  /// The next part of the current job to hand out.
  _Atomic int next;
  /// Set while a caller owns the pool (one job at a time).
  atomic_flag busy;
  _Atomic int stopping;
  worker_pool_task task;
  void *context;
  int parts;
  pthread_mutex_t mutex;
  pthread_cond_t wake;
  int sleepers; /* guarded by mutex */
};

static long now_nanoseconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long)t.tv_sec * 1000000000L + t.tv_nsec;
}

/// Waits until `generation` differs from `seen`: spins first, then sleeps.
static unsigned long wait_for_job(worker_pool *pool, unsigned long seen) {
  long deadline = 0;
  for (unsigned spins = 0;; ++spins) {
    unsigned long current = atomic_load_explicit(&pool->generation, memory_order_acquire);
    if (current != seen) return current;
    CPU_RELAX();
    if ((spins & 255) != 255) continue;
    if ((spins & 1023) == 1023) sched_yield();  // let a thread sharing this core run
    long now = now_nanoseconds();
    if (deadline == 0) {
      deadline = now + SPIN_NANOSECONDS;
    } else if (now > deadline) {
      pthread_mutex_lock(&pool->mutex);
      pool->sleepers += 1;
      while (atomic_load_explicit(&pool->generation, memory_order_acquire) == seen)
        pthread_cond_wait(&pool->wake, &pool->mutex);
      pool->sleepers -= 1;
      pthread_mutex_unlock(&pool->mutex);
      deadline = 0;
    }
  }
}

/// Takes parts of the current job in turn until none is left: a thread on a slower (or
/// shared) core simply takes fewer.
static void run_parts(worker_pool *pool) {
  for (;;) {
    int part = atomic_fetch_add_explicit(&pool->next, 1, memory_order_relaxed);
    if (part >= pool->parts) return;
    pool->task(pool->context, part);
  }
}

static void *worker_main(void *raw) {
  worker_pool *pool = raw;
  unsigned long seen = 0;
  // A worker only ever trains: denormals flushed to zero for its whole life, like the
  // thread that runs the experiment (Numerics.h). Its parts then compute the same bits as
  // when the caller runs them.
  track_flush_denormals(1);
  for (;;) {
    seen = wait_for_job(pool, seen);
    if (atomic_load_explicit(&pool->stopping, memory_order_acquire)) return NULL;
    run_parts(pool);
    atomic_fetch_sub_explicit(&pool->remaining, 1, memory_order_release);
  }
}

static void post(worker_pool *pool) {
  atomic_store_explicit(&pool->next, 0, memory_order_relaxed);
  atomic_store_explicit(&pool->remaining, pool->threads - 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&pool->generation, 1, memory_order_release);
  pthread_mutex_lock(&pool->mutex);
  if (pool->sleepers > 0) pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->mutex);
}

static void join_all(worker_pool *pool, int started) {
  atomic_store_explicit(&pool->stopping, 1, memory_order_release);
  post(pool);
  for (int i = 0; i < started; ++i) pthread_join(pool->handles[i], NULL);
}

static void free_pool(worker_pool *pool) {
  pthread_cond_destroy(&pool->wake);
  pthread_mutex_destroy(&pool->mutex);
  free(pool->handles);
  free(pool);
}

worker_pool *worker_pool_create(int threads) {
  if (threads < 1) return NULL;
  worker_pool *pool = calloc(1, sizeof(worker_pool));
  if (pool == NULL) return NULL;
  pool->threads = threads;
  pool->handles = calloc((size_t)threads, sizeof(pthread_t));
  atomic_init(&pool->generation, 0);
  atomic_init(&pool->remaining, 0);
  atomic_init(&pool->next, 0);
  atomic_init(&pool->stopping, 0);
  atomic_flag_clear(&pool->busy);
  pthread_mutex_init(&pool->mutex, NULL);
  pthread_cond_init(&pool->wake, NULL);
  if (pool->handles == NULL) {
    free_pool(pool);
    return NULL;
  }
  for (int i = 0; i < threads - 1; ++i) {
    if (pthread_create(&pool->handles[i], NULL, worker_main, pool) != 0) {
      join_all(pool, i);
      free_pool(pool);
      return NULL;
    }
  }
  return pool;
}

int worker_pool_threads(const worker_pool *pool) { return pool->threads; }

void worker_pool_run(worker_pool *pool, int parts, worker_pool_task task, void *context) {
  if (parts <= 1 || pool->threads < 2 ||
      atomic_flag_test_and_set_explicit(&pool->busy, memory_order_acquire)) {
    for (int p = 0; p < parts; ++p) task(context, p);
    return;
  }
  pool->task = task;
  pool->context = context;
  pool->parts = parts;
  post(pool);
  run_parts(pool);
  // Spin for the workers' last parts; yield now and then in case one shares this core.
  for (unsigned spins = 1; atomic_load_explicit(&pool->remaining, memory_order_acquire) != 0;
       ++spins) {
    if (spins % 1024 == 0) sched_yield(); else CPU_RELAX();
  }
  atomic_flag_clear_explicit(&pool->busy, memory_order_release);
}
