/* test-queue.c — the pending-event set.
 *
 * Every test runs on each structure (the path names it) and calls the
 * invariant checker after every mutation.  The randomised tests drive the
 * heap, the ladder and a brute-force oracle (a GSequence sorted by (time,
 * sequence)) with the same operations and require identical results at
 * every step; their seed and workload are in the test path.
 */
#include <string.h>

#include "sim-queue.h"
#include "sim-rng.h"

static void
assert_valid (const SimQueue *q)
{
  const char *why = NULL;
  if (!sim_queue_check (q, &why))
    g_error ("queue invariant violated: %s", why);
}

static const char *
kind_name (SimQueueKind kind)
{
  return kind == SIM_QUEUE_HEAP ? "heap" : "ladder";
}

/* ---- named boundary tests, per kind ---- */

static void
test_empty (gconstpointer data)
{
  g_autoptr (SimQueue) q = sim_queue_new (GPOINTER_TO_INT (data));
  SimEvent ev = { 0 };
  SimTime at = 123;
  assert_valid (q);
  g_assert_cmpuint (sim_queue_len (q), ==, 0);
  g_assert_cmpuint (sim_queue_now (q), ==, 0);
  g_assert_false (sim_queue_pop (q, &ev));
  g_assert_false (sim_queue_peek_time (q, &at));
  g_assert_cmpuint (at, ==, 123); /* untouched */
  g_assert_false (sim_queue_cancel (q, SIM_EVENT_ID_NONE));
  g_assert_false (sim_queue_is_pending (q, SIM_EVENT_ID_NONE));
  g_assert_false (sim_queue_cancel (q, G_MAXUINT64));
  assert_valid (q);
}

static void
test_default_kind (void)
{
  g_autoptr (SimQueue) q = sim_queue_new (SIM_QUEUE_DEFAULT);
  g_assert_cmpint (sim_queue_get_kind (q), ==, SIM_QUEUE_LADDER);
  g_assert_cmpuint (sizeof (SimEvent), <=, 32);
  sim_queue_free (NULL); /* a no-op, like g_free */
}

/* Equal timestamps pop in push order, also past the ladder's bucket
 * threshold and across pops interleaved with pushes at now. */
static void
test_equal_times_fifo (gconstpointer data)
{
  g_autoptr (SimQueue) q = sim_queue_new (GPOINTER_TO_INT (data));
  enum { N = 5000 };
  for (guint i = 0; i < N; i++)
    {
      g_assert_cmpuint (sim_queue_push (q, 1000, 7, i, 2 * (guint64) i), !=,
                        SIM_EVENT_ID_NONE);
      if (i % 500 == 0)
        assert_valid (q);
    }
  guint next_a = 0, pushed = N;
  SimEvent ev;
  guint64 last_seq = 0;
  for (guint n = 0; sim_queue_pop (q, &ev); n++)
    {
      g_assert_cmpuint (ev.at, ==, 1000);
      g_assert_cmpuint (ev.kind, ==, 7);
      g_assert_cmpuint (ev.a, ==, next_a);
      g_assert_cmpuint (ev.b, ==, 2 * (guint64) next_a);
      g_assert_true (n == 0 || ev.seq > last_seq);
      last_seq = ev.seq;
      next_a++;
      /* A push at now goes after everything already due now. */
      if (n % 1000 == 0 && pushed < N + 5)
        {
          sim_queue_push (q, sim_queue_now (q), 7, pushed,
                          2 * (guint64) pushed);
          pushed++;
        }
      if (n % 250 == 0)
        assert_valid (q);
    }
  g_assert_cmpuint (next_a, ==, pushed);
  assert_valid (q);
}

static void
test_time_extremes (gconstpointer data)
{
  g_autoptr (SimQueue) q = sim_queue_new (GPOINTER_TO_INT (data));
  SimEvent ev;
  sim_queue_push (q, SIM_TIME_MAX, 0, 1, 0);
  sim_queue_push (q, 0, 0, 2, 0);
  sim_queue_push (q, SIM_TIME_MAX - 1, 0, 3, 0);
  sim_queue_push (q, SIM_TIME_MAX, 0, 4, 0);
  sim_queue_push (q, 0, 0, 5, 0);
  assert_valid (q);
  static const guint32 order[] = { 2, 5, 3, 1 };
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      g_assert_true (sim_queue_pop (q, &ev));
      g_assert_cmpuint (ev.a, ==, order[i]);
      assert_valid (q);
    }
  g_assert_cmpuint (sim_queue_now (q), ==, SIM_TIME_MAX);
  /* At SIM_TIME_MAX, pushes at now are still allowed and stay FIFO,
   * behind the event pushed earlier. */
  for (guint32 i = 10; i < 80; i++)
    sim_queue_push (q, SIM_TIME_MAX, 0, i, 0);
  assert_valid (q);
  g_assert_true (sim_queue_pop (q, &ev));
  g_assert_cmpuint (ev.a, ==, 4);
  for (guint32 i = 10; i < 80; i++)
    {
      g_assert_true (sim_queue_pop (q, &ev));
      g_assert_cmpuint (ev.a, ==, i);
      g_assert_cmpuint (ev.at, ==, SIM_TIME_MAX);
    }
  g_assert_false (sim_queue_pop (q, &ev));
  assert_valid (q);
}

static void
test_push_before_now (gconstpointer data)
{
  g_autoptr (SimQueue) q = sim_queue_new (GPOINTER_TO_INT (data));
  SimEvent ev;
  sim_queue_push (q, 50, 0, 0, 0);
  g_assert_true (sim_queue_pop (q, &ev));
  g_assert_cmpuint (sim_queue_now (q), ==, 50);
  /* Exactly now: fine.  One tick earlier: caller bug. */
  g_assert_cmpuint (sim_queue_push (q, 50, 0, 0, 0), !=, SIM_EVENT_ID_NONE);
  g_test_expect_message (NULL, G_LOG_LEVEL_CRITICAL, "*at >= q->now*");
  g_assert_cmpuint (sim_queue_push (q, 49, 0, 0, 0), ==, SIM_EVENT_ID_NONE);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (sim_queue_len (q), ==, 1);
  assert_valid (q);
}

static void
test_cancel (gconstpointer data)
{
  g_autoptr (SimQueue) q = sim_queue_new (GPOINTER_TO_INT (data));
  SimEvent ev;
  SimEventId a = sim_queue_push (q, 10, 0, 1, 0);
  SimEventId b = sim_queue_push (q, 20, 0, 2, 0);
  SimEventId c = sim_queue_push (q, 30, 0, 3, 0);
  g_assert_true (sim_queue_is_pending (q, b));
  g_assert_true (sim_queue_cancel (q, b));
  g_assert_false (sim_queue_is_pending (q, b));
  g_assert_false (sim_queue_cancel (q, b)); /* twice */
  g_assert_cmpuint (sim_queue_len (q), ==, 2);
  assert_valid (q);

  g_assert_true (sim_queue_pop (q, &ev));
  g_assert_cmpuint (ev.a, ==, 1);
  g_assert_false (sim_queue_cancel (q, a)); /* already popped */
  g_assert_false (sim_queue_is_pending (q, a));

  /* The cancelled front is skipped by peek and pop. */
  SimTime at;
  g_assert_true (sim_queue_peek_time (q, &at));
  g_assert_cmpuint (at, ==, 30);
  assert_valid (q);

  /* A stale id does not cancel the event that reuses its record. */
  SimEventId d = sim_queue_push (q, 40, 0, 4, 0);
  g_assert_cmpuint (d, !=, a);
  g_assert_cmpuint (d, !=, b);
  g_assert_false (sim_queue_cancel (q, a));
  g_assert_false (sim_queue_cancel (q, b));
  g_assert_true (sim_queue_is_pending (q, d));

  g_assert_true (sim_queue_pop (q, &ev));
  g_assert_cmpuint (ev.a, ==, 3);
  g_assert_false (sim_queue_cancel (q, c));
  g_assert_true (sim_queue_cancel (q, d));
  g_assert_cmpuint (sim_queue_len (q), ==, 0);
  g_assert_false (sim_queue_peek_time (q, &at));
  g_assert_false (sim_queue_pop (q, &ev));
  assert_valid (q);
}

/* Cancelling most of a large queue sweeps it: the pool stays within about
 * twice the live events, the survivors pop in order, and no record
 * leaks (the checker counts free + live + cancelled = pool). */
static void
test_cancel_sweep_seed_4 (gconstpointer data)
{
  g_autoptr (SimQueue) q = sim_queue_new (GPOINTER_TO_INT (data));
  enum { N = 20000 };
  SimEventId *ids = g_new (SimEventId, N);
  SimRng r;
  sim_rng_init (&r, 4, SIM_RNG_PURPOSE_TEST, 0);
  for (guint i = 0; i < N; i++)
    ids[i] = sim_queue_push (q, sim_rng_uniform_u64 (&r, 1000000), 0, i, 0);
  /* Pop a few so that the ladder has rungs and a bottom. */
  SimEvent ev;
  guint popped = 0;
  for (; popped < 100; popped++)
    {
      g_assert_true (sim_queue_pop (q, &ev));
      ids[ev.a] = SIM_EVENT_ID_NONE;
    }
  assert_valid (q);
  guint kept = 0;
  for (guint i = 0; i < N; i++)
    {
      if (ids[i] == SIM_EVENT_ID_NONE)
        continue;
      if (i % 10 == 0)
        {
          kept++;
          continue;
        }
      g_assert_true (sim_queue_cancel (q, ids[i]));
      if (i % 997 == 0)
        assert_valid (q);
    }
  assert_valid (q);
  g_assert_cmpuint (sim_queue_len (q), ==, kept);
  SimTime last = 0;
  guint n = 0;
  while (sim_queue_pop (q, &ev))
    {
      g_assert_cmpuint (ev.a % 10, ==, 0);
      g_assert_cmpuint (ev.at, >=, last);
      last = ev.at;
      n++;
    }
  g_assert_cmpuint (n, ==, kept);
  assert_valid (q);
  g_free (ids);
}

/* Cancelling everything, then reusing the queue. */
static void
test_cancel_all_then_reuse (gconstpointer data)
{
  g_autoptr (SimQueue) q = sim_queue_new (GPOINTER_TO_INT (data));
  SimEventId ids[3000];
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    ids[i] = sim_queue_push (q, 5 + i % 17, 0, i, 0);
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    g_assert_true (sim_queue_cancel (q, ids[i]));
  assert_valid (q);
  SimEvent ev;
  SimTime at;
  g_assert_false (sim_queue_peek_time (q, &at));
  g_assert_false (sim_queue_pop (q, &ev));
  assert_valid (q);
  sim_queue_push (q, 3, 0, 42, 0);
  g_assert_true (sim_queue_pop (q, &ev));
  g_assert_cmpuint (ev.a, ==, 42);
  g_assert_cmpuint (ev.at, ==, 3);
  assert_valid (q);
}

/* Pops everything from q and ref (a heap fed the same pushes) and
 * requires the same events in the same order. */
static void
assert_same_drain (SimQueue *q, SimQueue *ref)
{
  SimEvent x, y;
  for (guint n = 0; sim_queue_pop (ref, &y); n++)
    {
      g_assert_true (sim_queue_pop (q, &x));
      g_assert_cmpuint (x.at, ==, y.at);
      g_assert_cmpuint (x.seq, ==, y.seq);
      g_assert_cmpuint (x.a, ==, y.a);
      if (n % 256 == 0)
        assert_valid (q);
    }
  g_assert_false (sim_queue_pop (q, &x));
  assert_valid (q);
}

/* Events clustered far below the spread of the rest force child rungs
 * down to the deepest level and bottom fallbacks. */
static void
test_clusters_seed_6 (gconstpointer data)
{
  g_autoptr (SimQueue) q = sim_queue_new (GPOINTER_TO_INT (data));
  g_autoptr (SimQueue) ref = sim_queue_new (SIM_QUEUE_HEAP);
  SimRng r;
  sim_rng_init (&r, 6, SIM_RNG_PURPOSE_TEST, 0);
  for (guint i = 0; i < 20000; i++)
    {
      SimTime at;
      switch (i % 4)
        {
        case 0:
          /* Dense cluster near 0.  Starting at 7 rather than 0 leaves
           * rung 0 unaligned, so its last bucket reaches past
           * SIM_TIME_MAX. */
          at = 7 + sim_rng_uniform_u64 (&r, 64);
          break;
        case 1:
          at = 1000000 + sim_rng_uniform_u64 (&r, 4); /* near-ties */
          break;
        case 2:
          at = (SimTime) 1 << (20 + sim_rng_uniform_u64 (&r, 44));
          break;
        default:
          at = SIM_TIME_MAX - sim_rng_uniform_u64 (&r, 3);
        }
      sim_queue_push (q, at, 0, i, 0);
      sim_queue_push (ref, at, 0, i, 0);
    }
  assert_valid (q);
  assert_same_drain (q, ref);
}

/* The ladder sizes its first rung from a strided sample of pending
 * events.  Here every sampled position holds an early event and all the
 * others are late, so the rung covers only a sixteenth of them; the next
 * transfer must fall back to covering everything, and order must hold. */
static void
test_fooled_sample (gconstpointer data)
{
  g_autoptr (SimQueue) q = sim_queue_new (GPOINTER_TO_INT (data));
  g_autoptr (SimQueue) ref = sim_queue_new (SIM_QUEUE_HEAP);
  for (guint32 i = 0; i < 256 * 16; i++)
    {
      SimTime at = i % 16 == 0 ? 1000 + i : 1000000000 + (SimTime) i * 1000;
      sim_queue_push (q, at, 0, i, 0);
      sim_queue_push (ref, at, 0, i, 0);
    }
  assert_same_drain (q, ref);
}

/* A cluster just below SIM_TIME_MAX overfills the last bucket of a rung
 * whose start is not aligned to its width, so that bucket reaches past
 * SIM_TIME_MAX; the child rung made from it must not count buckets that
 * would start beyond SIM_TIME_MAX (their start would wrap to 0). */
static void
test_cluster_at_max (gconstpointer data)
{
  g_autoptr (SimQueue) q = sim_queue_new (GPOINTER_TO_INT (data));
  g_autoptr (SimQueue) ref = sim_queue_new (SIM_QUEUE_HEAP);
  for (guint32 i = 0; i < 1200; i++)
    {
      SimTime at = i < 1000 ? 12345 + (SIM_TIME_MAX / 1000) * i
                            : SIM_TIME_MAX - i % 100;
      sim_queue_push (q, at, 0, i, 0);
      sim_queue_push (ref, at, 0, i, 0);
    }
  assert_same_drain (q, ref);
}

/* A tight cluster inside a sparse spread overfills one bucket, which the
 * ladder spreads over a child rung; cancelled events inside it must be
 * freed on the way, not moved. */
static void
test_cancel_in_cluster (gconstpointer data)
{
  g_autoptr (SimQueue) q = sim_queue_new (GPOINTER_TO_INT (data));
  g_autoptr (SimQueue) ref = sim_queue_new (SIM_QUEUE_HEAP);
  SimEventId ids[1200];
  for (guint32 i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      SimTime at = i < 1000 ? (SimTime) i * 1000 : 500000 + i % 64;
      ids[i] = sim_queue_push (q, at, 0, i, 0);
      sim_queue_push (ref, at, 0, i, 0);
    }
  /* Pop one to build the rungs, then cancel half the cluster. */
  SimEvent x, y;
  g_assert_true (sim_queue_pop (q, &x));
  g_assert_true (sim_queue_pop (ref, &y));
  g_assert_cmpuint (x.seq, ==, y.seq);
  g_autoptr (SimQueue) ref2 = sim_queue_new (SIM_QUEUE_HEAP);
  while (sim_queue_pop (ref, &y))
    if (y.a < 1000 || y.a % 2 == 0)
      sim_queue_push (ref2, y.at, 0, y.a, 0);
  for (guint32 i = 1001; i < G_N_ELEMENTS (ids); i += 2)
    g_assert_true (sim_queue_cancel (q, ids[i]));
  assert_valid (q);
  for (guint n = 0; sim_queue_pop (ref2, &y); n++)
    {
      g_assert_true (sim_queue_pop (q, &x));
      g_assert_cmpuint (x.at, ==, y.at);
      g_assert_cmpuint (x.a, ==, y.a);
      if (n % 64 == 0)
        assert_valid (q);
    }
  g_assert_false (sim_queue_pop (q, &x));
  assert_valid (q);
}

/* ---- randomised comparison: heap, ladder and oracle ---- */

typedef enum
{
  WL_EXP,     /* exponential increments, mean 1000 µs */
  WL_TIES,    /* increments in {0, 1000, 2000, 3000}: many equal times */
  WL_BIMODAL, /* 90% short (network), 10% long (timers) */
  WL_WIDE,    /* anything from 0 to SIM_TIME_MAX - now */
  WL_ZERO,    /* always now */
} Workload;

static const char *const workload_names[] = {
  "exp", "ties", "bimodal", "wide", "zero",
};

typedef struct
{
  Workload workload;
  guint64 seed;
  guint ops;
  guint check_every;
} OracleCase;

typedef struct
{
  SimTime at;
  guint64 seq;
  guint32 a;
} OracleEv;

static gint
oracle_cmp (gconstpointer x, gconstpointer y, gpointer unused)
{
  const OracleEv *p = x, *q = y;
  if (p->at != q->at)
    return p->at < q->at ? -1 : 1;
  return p->seq < q->seq ? -1 : p->seq > q->seq;
}

static SimTime
draw_increment (Workload w, SimRng *r, SimTime now)
{
  switch (w)
    {
    case WL_EXP:
      return (SimTime) sim_rng_exponential (r, 1000);
    case WL_TIES:
      return 1000 * sim_rng_uniform_u64 (r, 4);
    case WL_BIMODAL:
      if (sim_rng_uniform_u64 (r, 10) == 0)
        return 25000000 + sim_rng_uniform_u64 (r, 10000000);
      return 5000 + (SimTime) sim_rng_exponential (r, 45000);
    case WL_WIDE:
      {
        /* Draw first: MIN evaluates its arguments twice. */
        SimTime room = SIM_TIME_MAX - now, x;
        switch (sim_rng_uniform_u64 (r, 4))
          {
          case 0:
            return room;
          case 1:
            x = sim_rng_uniform_u64 (r, 100);
            break;
          case 2:
            x = sim_rng_uniform_u64 (r, room / 2 + 1);
            break;
          default:
            x = (SimTime) 1 << sim_rng_uniform_u64 (r, 64);
          }
        return MIN (room, x);
      }
    case WL_ZERO:
    default:
      return 0;
    }
}

static void
test_oracle (gconstpointer data)
{
  const OracleCase *c = data;
  g_autoptr (SimQueue) heap = sim_queue_new (SIM_QUEUE_HEAP);
  g_autoptr (SimQueue) ladder = sim_queue_new (SIM_QUEUE_LADDER);
  g_autoptr (GSequence) oracle = g_sequence_new (g_free);
  /* Per pushed event: its ids in both queues and its oracle position
   * (NULL once popped or cancelled). */
  g_autoptr (GArray) heap_ids = g_array_new (FALSE, FALSE, sizeof (SimEventId));
  g_autoptr (GArray) ladder_ids
      = g_array_new (FALSE, FALSE, sizeof (SimEventId));
  g_autoptr (GPtrArray) iters = g_ptr_array_new ();
  SimRng r;
  sim_rng_init (&r, c->seed, SIM_RNG_PURPOSE_TEST, c->workload);
  SimTime now = 0;
  guint64 seq = 0;

  for (guint op = 0; op < c->ops; op++)
    {
      /* Push-heavy first half, pop-heavy second half: the size sweeps
       * from 0 up to a few thousand and back. */
      guint push_pct = op < c->ops / 2 ? 60 : 35;
      guint roll = (guint) sim_rng_uniform_u64 (&r, 100);
      if (roll < push_pct)
        {
          SimTime at = now + draw_increment (c->workload, &r, now);
          guint32 a = iters->len;
          guint64 b = sim_rng_next_u64 (&r);
          SimEventId hid = sim_queue_push (heap, at, a % 7, a, b);
          SimEventId lid = sim_queue_push (ladder, at, a % 7, a, b);
          g_assert_cmpuint (hid, !=, SIM_EVENT_ID_NONE);
          g_assert_cmpuint (lid, !=, SIM_EVENT_ID_NONE);
          g_array_append_val (heap_ids, hid);
          g_array_append_val (ladder_ids, lid);
          OracleEv *ev = g_new (OracleEv, 1);
          *ev = (OracleEv){ at, seq++, a };
          g_ptr_array_add (iters,
                           g_sequence_insert_sorted (oracle, ev, oracle_cmp,
                                                     NULL));
        }
      else if (roll < 90 || iters->len == 0)
        {
          SimEvent x, y;
          gboolean hx = sim_queue_pop (heap, &x);
          gboolean ly = sim_queue_pop (ladder, &y);
          GSequenceIter *first = g_sequence_get_begin_iter (oracle);
          gboolean oz = !g_sequence_iter_is_end (first);
          g_assert_cmpint (hx, ==, oz);
          g_assert_cmpint (ly, ==, oz);
          if (oz)
            {
              const OracleEv *o = g_sequence_get (first);
              g_assert_cmpuint (x.at, ==, o->at);
              g_assert_cmpuint (x.seq, ==, o->seq);
              g_assert_cmpuint (x.a, ==, o->a);
              g_assert_cmpuint (x.kind, ==, o->a % 7);
              g_assert_true (memcmp (&x, &y, sizeof x) == 0);
              now = o->at;
              iters->pdata[o->a] = NULL;
              g_sequence_remove (first);
            }
          g_assert_cmpuint (sim_queue_now (heap), ==, now);
          g_assert_cmpuint (sim_queue_now (ladder), ==, now);
        }
      else
        {
          /* Cancel a random event ever pushed: pending or not. */
          guint k = (guint) sim_rng_uniform_u64 (&r, iters->len);
          gboolean pending = iters->pdata[k] != NULL;
          SimEventId hid = g_array_index (heap_ids, SimEventId, k);
          SimEventId lid = g_array_index (ladder_ids, SimEventId, k);
          g_assert_cmpint (sim_queue_is_pending (heap, hid), ==, pending);
          g_assert_cmpint (sim_queue_is_pending (ladder, lid), ==, pending);
          g_assert_cmpint (sim_queue_cancel (heap, hid), ==, pending);
          g_assert_cmpint (sim_queue_cancel (ladder, lid), ==, pending);
          if (pending)
            {
              g_sequence_remove (iters->pdata[k]);
              iters->pdata[k] = NULL;
            }
        }

      guint len = (guint) g_sequence_get_length (oracle);
      g_assert_cmpuint (sim_queue_len (heap), ==, len);
      g_assert_cmpuint (sim_queue_len (ladder), ==, len);
      if (op % 64 == 0)
        {
          SimTime ph = 0, pl = 0;
          gboolean has = len > 0;
          g_assert_cmpint (sim_queue_peek_time (heap, &ph), ==, has);
          g_assert_cmpint (sim_queue_peek_time (ladder, &pl), ==, has);
          if (has)
            {
              const OracleEv *o
                  = g_sequence_get (g_sequence_get_begin_iter (oracle));
              g_assert_cmpuint (ph, ==, o->at);
              g_assert_cmpuint (pl, ==, o->at);
              /* The whole event, and peeking leaves it in place. */
              SimEvent eh, el;
              g_assert_true (sim_queue_peek (heap, &eh));
              g_assert_true (sim_queue_peek (ladder, &el));
              g_assert_cmpuint (eh.seq, ==, o->seq);
              g_assert_cmpuint (el.seq, ==, o->seq);
              g_assert_cmpuint (el.a, ==, o->a);
              g_assert_cmpuint (sim_queue_len (ladder), ==, len);
            }
        }
      if (op % c->check_every == 0)
        {
          assert_valid (heap);
          assert_valid (ladder);
        }
    }
  /* Drain. */
  SimEvent x, y;
  while (sim_queue_pop (heap, &x))
    {
      g_assert_true (sim_queue_pop (ladder, &y));
      g_assert_true (memcmp (&x, &y, sizeof x) == 0);
    }
  g_assert_false (sim_queue_pop (ladder, &y));
  assert_valid (heap);
  assert_valid (ladder);
}

/* Hold model at 10^5 events: same (time, sequence) stream from both
 * structures over 10^6 operations, with cancellations of timers. */
static void
test_hold_same_order_seed_8 (void)
{
  g_autoptr (SimQueue) heap = sim_queue_new (SIM_QUEUE_HEAP);
  g_autoptr (SimQueue) ladder = sim_queue_new (SIM_QUEUE_LADDER);
  SimRng r;
  sim_rng_init (&r, 8, SIM_RNG_PURPOSE_TEST, 0);
  enum { N = 100000, OPS = 1000000 };
  for (guint i = 0; i < N; i++)
    {
      SimTime at = (SimTime) sim_rng_exponential (&r, 1e6);
      sim_queue_push (heap, at, 0, i, 0);
      sim_queue_push (ladder, at, 0, i, 0);
    }
  for (guint i = 0; i < OPS; i++)
    {
      SimEvent x, y;
      g_assert_true (sim_queue_pop (heap, &x));
      g_assert_true (sim_queue_pop (ladder, &y));
      if (x.at != y.at || x.seq != y.seq)
        g_error ("op %u: heap (%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT
                 ") ladder (%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT ")",
                 i, x.at, x.seq, y.at, y.seq);
      SimTime at = x.at + (SimTime) sim_rng_exponential (&r, 1e6);
      sim_queue_push (heap, at, 0, x.a, 0);
      sim_queue_push (ladder, at, 0, x.a, 0);
      /* A timer that is usually cancelled before it fires. */
      if (i % 3 == 0)
        {
          SimTime t = x.at + 30000000;
          SimEventId h = sim_queue_push (heap, t, 1, 0, 0);
          SimEventId l = sim_queue_push (ladder, t, 1, 0, 0);
          if (i % 9 != 0)
            {
              g_assert_true (sim_queue_cancel (heap, h));
              g_assert_true (sim_queue_cancel (ladder, l));
            }
        }
      if (i % 200000 == 0)
        {
          assert_valid (heap);
          assert_valid (ladder);
        }
    }
  g_assert_cmpuint (sim_queue_len (heap), ==, sim_queue_len (ladder));
}

/* The run's first events include a far one (a simulation's end): the
 * first transfer from top is small and reaches far, and the many events
 * pushed afterwards, all before it, must still be spread over rungs
 * rather than pile up in bottom (the checker bounds bottom when no rung
 * lies above it).  Same order as the heap throughout. */
static void
test_far_event_first_seed_9 (void)
{
  g_autoptr (SimQueue) heap = sim_queue_new (SIM_QUEUE_HEAP);
  g_autoptr (SimQueue) ladder = sim_queue_new (SIM_QUEUE_LADDER);
  SimRng r;
  sim_rng_init (&r, 9, SIM_RNG_PURPOSE_TEST, 0);
  SimQueue *qs[2] = { heap, ladder };
  for (guint k = 0; k < 2; k++)
    {
      sim_queue_push (qs[k], 1, 0, 0, 0);
      sim_queue_push (qs[k], 2, 0, 1, 0);
      sim_queue_push (qs[k], 3600000000, 0, 2, 0); /* the end, 1 h */
    }
  SimEvent x, y;
  g_assert_true (sim_queue_pop (heap, &x));
  g_assert_true (sim_queue_pop (ladder, &y));
  enum { N = 20000, OPS = 200000 };
  for (guint i = 0; i < N; i++)
    {
      SimTime at = 2 + (SimTime) sim_rng_exponential (&r, 1e6);
      sim_queue_push (heap, at, 0, i, 0);
      sim_queue_push (ladder, at, 0, i, 0);
      if (i % 1000 == 0)
        assert_valid (ladder);
    }
  assert_valid (ladder);
  for (guint i = 0; i < OPS; i++)
    {
      g_assert_true (sim_queue_pop (heap, &x));
      g_assert_true (sim_queue_pop (ladder, &y));
      g_assert_true (memcmp (&x, &y, sizeof x) == 0);
      if (x.at >= 3600000000)
        break;
      SimTime at = x.at + (SimTime) sim_rng_exponential (&r, 1e6);
      sim_queue_push (heap, at, 0, x.a, 0);
      sim_queue_push (ladder, at, 0, x.a, 0);
      if (i % 10000 == 0)
        assert_valid (ladder);
    }
  assert_valid (ladder);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/queue/default-kind", test_default_kind);

  static const SimQueueKind kinds[] = { SIM_QUEUE_HEAP, SIM_QUEUE_LADDER };
  static const struct
  {
    const char *name;
    GTestDataFunc func;
  } per_kind[] = {
    { "empty", test_empty },
    { "equal-times-fifo", test_equal_times_fifo },
    { "time-extremes-0-and-max", test_time_extremes },
    { "push-before-now", test_push_before_now },
    { "cancel", test_cancel },
    { "cancel-sweep/seed=4", test_cancel_sweep_seed_4 },
    { "cancel-all-then-reuse", test_cancel_all_then_reuse },
    { "clusters/seed=6", test_clusters_seed_6 },
    { "fooled-sample", test_fooled_sample },
    { "cluster-at-max", test_cluster_at_max },
    { "cancel-in-cluster", test_cancel_in_cluster },
  };
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    for (guint t = 0; t < G_N_ELEMENTS (per_kind); t++)
      {
        g_autofree char *path = g_strdup_printf (
            "/queue/%s/%s", kind_name (kinds[k]), per_kind[t].name);
        g_test_add_data_func (path, GINT_TO_POINTER (kinds[k]),
                              per_kind[t].func);
      }

  static OracleCase cases[G_N_ELEMENTS (workload_names) * 3];
  guint n = 0;
  for (guint w = 0; w < G_N_ELEMENTS (workload_names); w++)
    for (guint64 seed = 1; seed <= 3; seed++, n++)
      {
        /* Seed 1: checker after every operation; others: longer runs. */
        cases[n] = (OracleCase){ w, seed, seed == 1 ? 4000 : 40000,
                                 seed == 1 ? 1 : 500 };
        g_autofree char *path
            = g_strdup_printf ("/queue/oracle/%s/seed=%" G_GUINT64_FORMAT,
                               workload_names[w], seed);
        g_test_add_data_func (path, &cases[n], test_oracle);
      }
  g_test_add_func ("/queue/hold-same-order/n=1e5/seed=8",
                   test_hold_same_order_seed_8);
  g_test_add_func ("/queue/far-event-first/seed=9",
                   test_far_event_first_seed_9);
  return g_test_run ();
}
