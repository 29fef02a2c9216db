/* sim-queue.h — the pending-event set of the discrete-event engine.
 *
 * Invariant: events pop in increasing (time, sequence) order, where the
 * sequence number is a counter incremented by every push.  Events due at
 * the same instant therefore pop in the order they were pushed (FIFO), and
 * the order never depends on pointers, hashing or the structure chosen:
 * every SimQueueKind pops the same events in the same order.
 *
 * Events are small fixed-size values (32 bytes) that the queue copies; it
 * owns no caller memory and frees nothing of the caller's.  The meaning of
 * kind, a and b belongs to the caller (the world layer stores a handler
 * kind, a node index and a message-pool index).
 *
 * Cancellation is lazy: a cancelled event stays in the structure, marked,
 * and is discarded (its record returned to the pool) when it reaches the
 * front or when a compaction sweeps it.  A compaction runs when cancelled
 * events outnumber live ones (and exceed a small floor), so memory stays
 * within about twice the live events.
 *
 * Memory: about 55 bytes per pending event for the heap and 65 for the
 * ladder (a 40-byte record plus the structure's entries and buckets), in
 * arrays that grow by doubling and are kept until sim_queue_free.  Not thread-safe: one queue
 * belongs to one thread.
 */
#pragma once

#include <glib.h>

#include "sim-time.h"

G_BEGIN_DECLS

/* Handle of a pushed event, valid for sim_queue_cancel and
 * sim_queue_is_pending until the event pops; afterwards those calls return
 * FALSE (they are not fooled by the record being reused, unless the same
 * record is reused 2^31 times while the stale handle is kept). */
typedef guint64 SimEventId;

/* Never returned by a successful push. */
#define SIM_EVENT_ID_NONE ((SimEventId) 0)

/* A popped event.  32 bytes. */
typedef struct
{
  SimTime at;  /* when it is due (µs) */
  guint64 seq; /* push order: 0 for the first push into the queue */
  guint32 kind;
  guint32 a;
  guint64 b;
} SimEvent;

/* The structure behind the queue.  All kinds give identical pop order;
 * they differ only in speed and memory (see the figures in sim-queue.c). */
typedef enum
{
  SIM_QUEUE_DEFAULT = 0, /* whichever measured fastest at 10^5–10^7 events */
  SIM_QUEUE_HEAP,        /* implicit 4-ary heap: O(log n) push and pop */
  SIM_QUEUE_LADDER,      /* ladder queue: O(1) amortised push and pop */
} SimQueueKind;

typedef struct _SimQueue SimQueue;

/* Creates an empty queue of the given kind with now = 0.  Free with
 * sim_queue_free. */
SimQueue *sim_queue_new (SimQueueKind kind);

/* Frees q and every pending event (events own no memory, so nothing else
 * is freed).  NULL is a no-op. */
void sim_queue_free (SimQueue *q);

/* The structure q uses (never SIM_QUEUE_DEFAULT: the resolved kind). */
SimQueueKind sim_queue_get_kind (const SimQueue *q);

/* Schedules an event at time at (>= sim_queue_now (q); earlier is a caller
 * bug: critical, returns SIM_EVENT_ID_NONE) carrying kind, a and b.
 * Returns a handle for sim_queue_cancel.  Cost: O(log n) for the heap,
 * O(1) amortised for the ladder; allocation only when the record pool
 * grows (doubling), never per event. */
SimEventId sim_queue_push (SimQueue *q, SimTime at, guint32 kind, guint32 a,
                           guint64 b);

/* Removes the earliest live event into *out and advances now to its time.
 * Returns FALSE, leaving *out untouched, when no live event is pending.
 * Cancelled events met on the way are discarded.  Cost: O(log n) for the
 * heap, O(1) amortised for the ladder. */
gboolean sim_queue_pop (SimQueue *q, SimEvent *out);

/* Cancels the event behind id.  Returns TRUE when it was pending (it will
 * never pop), FALSE when it already popped or was cancelled, or id is
 * SIM_EVENT_ID_NONE.  O(1) amortised: marks the record; may trigger a
 * compaction, O(n), at most once per n cancellations. */
gboolean sim_queue_cancel (SimQueue *q, SimEventId id);

/* TRUE when id names an event that is still pending (not popped, not
 * cancelled).  O(1). */
gboolean sim_queue_is_pending (const SimQueue *q, SimEventId id);

/* Number of live (pending, not cancelled) events.  O(1). */
guint sim_queue_len (const SimQueue *q);

/* Stores the time of the earliest live event in *at and returns TRUE, or
 * returns FALSE when none is pending.  Does not change now.  Takes a
 * non-const queue because it may discard cancelled events from the front
 * (invisible to the caller).  Cost as for pop. */
gboolean sim_queue_peek_time (SimQueue *q, SimTime *at);

/* Like sim_queue_peek_time, but copies the whole earliest live event
 * (without removing it): a caller can prefetch what the next event will
 * touch while it handles the current one. */
gboolean sim_queue_peek (SimQueue *q, SimEvent *out);

/* Time of the last popped event (0 before the first pop).  Pushes must
 * not be earlier than this. */
SimTime sim_queue_now (const SimQueue *q);

/* Checks every internal invariant (ordering of the structure, record
 * pool accounting, live and cancelled counts).  Returns TRUE when all
 * hold; otherwise FALSE and, if why is not NULL, a static description of
 * the first violation.  O(n + pool size): for tests and debugging. */
gboolean sim_queue_check (const SimQueue *q, const char **why);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimQueue, sim_queue_free)

G_END_DECLS
