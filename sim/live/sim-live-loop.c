/* sim-live-loop.c — the live driver's clock and timers (sim-live-loop.h).
 *
 * One GSource of our own carries the loop: its ready time is always the
 * monotonic instant of the earliest pending event (or -1 when there is
 * none), updated whenever that earliest event may have changed.  When it
 * fires, every event due by then runs, in queue order.  Kind 0 is the
 * deadline of sim_live_loop_run().
 */
#include "sim-live-loop.h"

#include <math.h>

typedef struct
{
  SimLiveHandler fn;
  gpointer data;
} Kind;

typedef struct
{
  GSource base;
  SimLiveLoop *loop;
} TimerSource;

struct _SimLiveLoop
{
  GMainContext *ctx;
  GSource *timer;
  SimQueue *q;
  gint64 epoch;  /* g_get_monotonic_time() at creation */
  double scale;  /* wall µs per loop µs (sim_live_loop_set_scale) */
  GArray *kinds; /* Kind by kind number; 0 is the run deadline */
  gboolean stopped, deadline;
};

/* Moves the source's ready time to the earliest pending event. */
static void
rearm (SimLiveLoop *loop)
{
  SimTime at;
  if (!sim_queue_peek_time (loop->q, &at))
    {
      g_source_set_ready_time (loop->timer, -1);
      return;
    }
  /* The wall instant of loop time at, rounded up so that the event is
   * never early; clamped far in the future. */
  double wall = ceil ((double) at * loop->scale);
  g_source_set_ready_time (loop->timer,
                           wall >= (double) (G_MAXINT64 - loop->epoch) / 2
                               ? G_MAXINT64
                               : loop->epoch + (gint64) wall);
}

static gboolean
timer_dispatch (GSource *source, GSourceFunc cb, gpointer user)
{
  (void) cb;
  (void) user;
  SimLiveLoop *loop = ((TimerSource *) source)->loop;
  SimTime now = sim_live_loop_now (loop);
  SimTime at;
  while (!loop->stopped && sim_queue_peek_time (loop->q, &at) && at <= now)
    {
      SimEvent ev;
      sim_queue_pop (loop->q, &ev);
      if (ev.kind == 0)
        {
          loop->stopped = loop->deadline = TRUE;
          break;
        }
      const Kind *k = &g_array_index (loop->kinds, Kind, ev.kind);
      k->fn (loop, &ev, k->data);
    }
  rearm (loop);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs timer_funcs
    = { NULL, NULL, timer_dispatch, NULL, NULL, NULL };

SimLiveLoop *
sim_live_loop_new (GMainContext *ctx)
{
  SimLiveLoop *loop = g_new0 (SimLiveLoop, 1);
  loop->ctx = ctx != NULL ? g_main_context_ref (ctx)
                          : g_main_context_ref_thread_default ();
  loop->q = sim_queue_new (SIM_QUEUE_HEAP);
  loop->epoch = g_get_monotonic_time ();
  loop->scale = 1.0;
  loop->kinds = g_array_new (FALSE, TRUE, sizeof (Kind));
  g_array_set_size (loop->kinds, 1);
  loop->timer = g_source_new (&timer_funcs, sizeof (TimerSource));
  ((TimerSource *) loop->timer)->loop = loop;
  g_source_set_name (loop->timer, "pastrysim live timers");
  g_source_set_ready_time (loop->timer, -1);
  g_source_attach (loop->timer, loop->ctx);
  return loop;
}

void
sim_live_loop_free (SimLiveLoop *loop)
{
  if (loop == NULL)
    return;
  g_source_destroy (loop->timer);
  g_source_unref (loop->timer);
  sim_queue_free (loop->q);
  g_array_unref (loop->kinds);
  g_main_context_unref (loop->ctx);
  g_free (loop);
}

GMainContext *
sim_live_loop_context (const SimLiveLoop *loop)
{
  return loop->ctx;
}

SimTime
sim_live_loop_now (const SimLiveLoop *loop)
{
  gint64 t = g_get_monotonic_time () - loop->epoch;
  if (t <= 0)
    return 0;
  if (loop->scale == 1.0)
    return (SimTime) t;
  return (SimTime) floor ((double) t / loop->scale);
}

void
sim_live_loop_set_scale (SimLiveLoop *loop, double scale)
{
  g_return_if_fail (loop != NULL && scale > 0 && scale <= 1000);
  g_return_if_fail (sim_live_loop_pending (loop) == 0);
  loop->epoch = g_get_monotonic_time ();
  loop->scale = scale;
}

double
sim_live_loop_scale (const SimLiveLoop *loop)
{
  return loop->scale;
}

guint32
sim_live_loop_add_kind (SimLiveLoop *loop, SimLiveHandler handler,
                        gpointer data)
{
  g_return_val_if_fail (loop != NULL && handler != NULL, 0);
  Kind k = { handler, data };
  g_array_append_val (loop->kinds, k);
  return loop->kinds->len - 1;
}

SimEventId
sim_live_loop_at (SimLiveLoop *loop, SimTime at, guint32 kind, guint32 a,
                  guint64 b)
{
  g_return_val_if_fail (loop != NULL && kind < loop->kinds->len,
                        SIM_EVENT_ID_NONE);
  /* The queue's clock is the time of the last event run: a time already
   * past runs next, after the events due before it. */
  at = MAX (at, sim_queue_now (loop->q));
  SimEventId id = sim_queue_push (loop->q, at, kind, a, b);
  rearm (loop);
  return id;
}

gboolean
sim_live_loop_cancel (SimLiveLoop *loop, SimEventId id)
{
  gboolean was = sim_queue_cancel (loop->q, id);
  if (was)
    rearm (loop);
  return was;
}

guint
sim_live_loop_pending (const SimLiveLoop *loop)
{
  return sim_queue_len (loop->q);
}

gboolean
sim_live_loop_run (SimLiveLoop *loop, SimTime until)
{
  g_return_val_if_fail (loop != NULL, FALSE);
  SimEventId stop = SIM_EVENT_ID_NONE;
  loop->stopped = loop->deadline = FALSE;
  if (until != SIM_TIME_MAX)
    stop = sim_live_loop_at (loop, until, 0, 0, 0);
  while (!loop->stopped)
    g_main_context_iteration (loop->ctx, TRUE);
  if (!loop->deadline)
    sim_live_loop_cancel (loop, stop);
  return !loop->deadline;
}

void
sim_live_loop_stop (SimLiveLoop *loop)
{
  loop->stopped = TRUE;
  /* Wake the context if stop came from another source's callback. */
  g_main_context_wakeup (loop->ctx);
}
