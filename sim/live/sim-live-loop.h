/* sim-live-loop.h — wall-clock time and timers for the live driver.
 *
 * The simulator's engine runs events as fast as it can in simulated time;
 * the live driver runs the same protocol on real sockets, so its events
 * are due at wall-clock instants.  A SimLiveLoop keeps them in the
 * engine's event queue (sim-queue.h), with times in µs of the monotonic
 * clock since the loop was created (divided by the loop's time scale, when
 * one is set: a compressed run), and wakes a GMainContext when the
 * earliest falls due; sockets are watched by the same context, so one
 * thread serves timers and datagrams in arrival order.
 *
 * Invariants: an event never runs before its time; events run in
 * increasing (time, push order), as in the engine, so two timers due at
 * one instant run in the order they were armed; an event armed for a time
 * already past runs at the next turn of the loop, after those already due.
 *
 * Why GLib's main loop and not epoll directly: GLib is already our one
 * dependency, its sources put sockets and timers in one poll on every
 * platform, and a live run hosts hundreds of nodes, not millions — the
 * poll over every socket per turn costs less than a datagram does.
 * Cost: O(log n) per timer (the engine's queue), one ready-time update of
 * a single GSource per change of the earliest event.
 */
#pragma once

#include <glib.h>

#include "sim-queue.h"
#include "sim-time.h"

G_BEGIN_DECLS

typedef struct _SimLiveLoop SimLiveLoop;

/* Runs one due event (ev->kind is the kind it was armed with). */
typedef void (*SimLiveHandler) (SimLiveLoop *loop, const SimEvent *ev,
                                gpointer data);

/* A new loop on ctx (NULL: the thread-default context; the loop takes a
 * reference).  Its clock starts at 0 now.  (transfer full) */
SimLiveLoop *sim_live_loop_new (GMainContext *ctx);
/* Frees the loop and its pending events (events own no memory). */
void sim_live_loop_free (SimLiveLoop *loop);

/* The context the loop runs on, for sockets to attach to.
 * (transfer none) */
GMainContext *sim_live_loop_context (const SimLiveLoop *loop);

/* The loop's clock: µs of the monotonic clock since the loop was created
 * (or since sim_live_loop_set_scale()), divided by the loop's scale. */
SimTime sim_live_loop_now (const SimLiveLoop *loop);

/* Time compression: one µs of the loop's clock lasts scale µs of the wall
 * clock (0 < scale <= 1000; 0.1: ten times faster than real time), for
 * every event of the loop alike.  Restarts the clock at 0; only before
 * any event is armed.  Default 1. */
void sim_live_loop_set_scale (SimLiveLoop *loop, double scale);
double sim_live_loop_scale (const SimLiveLoop *loop);

/* Registers handler for a new event kind and returns the kind (data is
 * passed to every call; borrowed). */
guint32 sim_live_loop_add_kind (SimLiveLoop *loop, SimLiveHandler handler,
                                gpointer data);

/* Arms an event of kind at time at (a time already past runs at the next
 * turn).  Returns its handle for sim_live_loop_cancel(). */
SimEventId sim_live_loop_at (SimLiveLoop *loop, SimTime at, guint32 kind,
                             guint32 a, guint64 b);
/* Cancels a pending event; FALSE when it already ran or was cancelled. */
gboolean sim_live_loop_cancel (SimLiveLoop *loop, SimEventId id);
/* Live events pending. */
guint sim_live_loop_pending (const SimLiveLoop *loop);

/* Runs the context until sim_live_loop_stop() or until the clock reaches
 * until (SIM_TIME_MAX: no limit).  Returns TRUE when stopped by
 * sim_live_loop_stop(), FALSE at until. */
gboolean sim_live_loop_run (SimLiveLoop *loop, SimTime until);
/* Makes sim_live_loop_run() return after the current event. */
void sim_live_loop_stop (SimLiveLoop *loop);

G_END_DECLS
