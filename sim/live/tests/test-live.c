/* test-live.c — the live driver's clock, timers and UDP endpoints
 * (sim-live-loop.h, sim-live-udp.h), on loopback only.
 *
 * Every test is bounded in time: loops run to a deadline a few seconds
 * away, and a test that reaches it fails with what was missing.
 */
#include "sim-live-loop.h"
#include "sim-live-udp.h"

#include <string.h>

#define DEADLINE (5 * SIM_TIME_S)

/* ---- Timers ---- */

typedef struct
{
  GArray *ran;  /* guint32 a of each event run */
  GArray *when; /* SimTime it ran */
  GArray *due;  /* SimTime it was due (b) */
  guint stop_after;
} Log;

static void
log_event (SimLiveLoop *loop, const SimEvent *ev, gpointer data)
{
  Log *log = data;
  SimTime now = sim_live_loop_now (loop);
  g_array_append_val (log->ran, ev->a);
  g_array_append_val (log->when, now);
  g_array_append_val (log->due, ev->b);
  if (log->ran->len == log->stop_after)
    sim_live_loop_stop (loop);
}

static void
log_init (Log *log, guint stop_after)
{
  log->ran = g_array_new (FALSE, FALSE, sizeof (guint32));
  log->when = g_array_new (FALSE, FALSE, sizeof (SimTime));
  log->due = g_array_new (FALSE, FALSE, sizeof (SimTime));
  log->stop_after = stop_after;
}

static void
log_clear (Log *log)
{
  g_array_unref (log->ran);
  g_array_unref (log->when);
  g_array_unref (log->due);
}

/* Events run in (time, arming order), never early; a cancelled one never
 * runs; one armed in the past runs at once. */
static void
test_loop_order (void)
{
  SimLiveLoop *loop = sim_live_loop_new (NULL);
  Log log;
  log_init (&log, 5);
  guint32 k = sim_live_loop_add_kind (loop, log_event, &log);
  SimTime t0 = sim_live_loop_now (loop);
  struct
  {
    SimTime off;
    guint32 a;
  } arm[]
      = { { 30, 4 }, { 10, 2 }, { 10, 3 }, { 0, 1 }, { 20, 99 }, { 40, 5 } };
  SimEventId ids[G_N_ELEMENTS (arm)];
  for (guint i = 0; i < G_N_ELEMENTS (arm); i++)
    {
      SimTime at = t0 + arm[i].off * SIM_TIME_MS;
      ids[i] = sim_live_loop_at (loop, at, k, arm[i].a, at);
    }
  g_assert_true (sim_live_loop_cancel (loop, ids[4]));
  g_assert_false (sim_live_loop_cancel (loop, ids[4]));
  g_assert_cmpuint (sim_live_loop_pending (loop), ==, 5);
  g_assert_true (sim_live_loop_run (loop, t0 + DEADLINE));
  g_assert_cmpuint (log.ran->len, ==, 5);
  for (guint i = 0; i < log.ran->len; i++)
    {
      g_assert_cmpuint (g_array_index (log.ran, guint32, i), ==, i + 1);
      g_assert_cmpuint (g_array_index (log.when, SimTime, i), >=,
                        g_array_index (log.due, SimTime, i));
    }
  /* Armed for a time already past: runs at the next turn. */
  log.stop_after = 6;
  sim_live_loop_at (loop, 0, k, 6, 0);
  g_assert_true (sim_live_loop_run (loop, sim_live_loop_now (loop) + DEADLINE));
  g_assert_cmpuint (g_array_index (log.ran, guint32, 5), ==, 6);
  log_clear (&log);
  sim_live_loop_free (loop);
}

/* The run deadline: run() returns FALSE at until, leaving later events
 * pending and not run. */
static void
test_loop_deadline (void)
{
  SimLiveLoop *loop = sim_live_loop_new (NULL);
  Log log;
  log_init (&log, 0);
  guint32 k = sim_live_loop_add_kind (loop, log_event, &log);
  SimTime t0 = sim_live_loop_now (loop);
  sim_live_loop_at (loop, t0 + 2 * SIM_TIME_S, k, 1, 0);
  g_assert_false (sim_live_loop_run (loop, t0 + 20 * SIM_TIME_MS));
  g_assert_cmpuint (sim_live_loop_now (loop), >=, t0 + 20 * SIM_TIME_MS);
  g_assert_cmpuint (log.ran->len, ==, 0);
  g_assert_cmpuint (sim_live_loop_pending (loop), ==, 1);
  log_clear (&log);
  sim_live_loop_free (loop);
}

/* A time scale of 0.05: events at 400 and 800 ms of the loop's clock run
 * after 20 and 40 ms of the wall clock, never early, in order, and the
 * loop's clock reads their times when they run. */
static void
test_loop_scale (void)
{
  SimLiveLoop *loop = sim_live_loop_new (NULL);
  sim_live_loop_set_scale (loop, 0.05);
  g_assert_cmpfloat (sim_live_loop_scale (loop), ==, 0.05);
  Log log;
  log_init (&log, 2);
  guint32 k = sim_live_loop_add_kind (loop, log_event, &log);
  gint64 wall0 = g_get_monotonic_time ();
  sim_live_loop_at (loop, 800 * SIM_TIME_MS, k, 2, 800 * SIM_TIME_MS);
  sim_live_loop_at (loop, 400 * SIM_TIME_MS, k, 1, 400 * SIM_TIME_MS);
  g_assert_true (sim_live_loop_run (loop, 100 * SIM_TIME_S));
  gint64 wall = g_get_monotonic_time () - wall0;
  g_test_message ("2 events at 0.4 and 0.8 s of loop time: %.1f ms of wall "
                  "time",
                  wall / 1e3);
  g_assert_cmpuint (log.ran->len, ==, 2);
  g_assert_cmpuint (g_array_index (log.ran, guint32, 0), ==, 1);
  g_assert_cmpuint (g_array_index (log.ran, guint32, 1), ==, 2);
  for (guint i = 0; i < 2; i++)
    g_assert_cmpuint (g_array_index (log.when, SimTime, i), >=,
                      g_array_index (log.due, SimTime, i));
  g_assert_cmpint (wall, >=, 40 * 1000);
  g_assert_cmpint (wall, <, 800 * 1000); /* less than unscaled */
  log_clear (&log);
  sim_live_loop_free (loop);
}

/* ---- UDP ---- */

typedef struct
{
  SimLiveLoop *loop;
  guint64 got[2];   /* datagrams per node */
  guint64 next_seq; /* immediate datagrams: expected sequence */
  gboolean in_order;
  guint64 early; /* held datagrams that arrived before their delay */
  guint64 bad_len;
  guint64 want; /* stop after this many */
} Rx;

/* Payload: 8-byte sequence (bit 63: held), 8-byte send time, 8-byte
 * delay, then filler up to the length. */
static void
on_recv (SimLiveUdp *udp, guint32 node, GSocketAddress *from,
         const guint8 *data, gsize len, gpointer user)
{
  (void) udp;
  (void) from;
  Rx *rx = user;
  rx->got[node]++;
  if (len < 24)
    rx->bad_len++;
  else
    {
      guint64 seq, sent, delay;
      memcpy (&seq, data, 8);
      memcpy (&sent, data + 8, 8);
      memcpy (&delay, data + 16, 8);
      SimTime now = sim_live_loop_now (rx->loop);
      if (seq >> 63)
        {
          if (now < sent + delay)
            rx->early++;
        }
      else
        {
          if (seq != rx->next_seq)
            rx->in_order = FALSE;
          rx->next_seq = seq + 1;
        }
    }
  if (rx->got[0] + rx->got[1] == rx->want)
    sim_live_loop_stop (rx->loop);
}

static GInetSocketAddress *
loopback4 (void)
{
  g_autoptr (GInetAddress) a
      = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  return G_INET_SOCKET_ADDRESS (g_inet_socket_address_new (a, 0));
}

static void
send_one (SimLiveUdp *udp, guint32 from, GSocketAddress *to, guint64 seq,
          SimTime now, SimTime delay, gsize len)
{
  guint8 buf[1200] = { 0 };
  g_assert_cmpuint (len, <=, sizeof buf);
  memcpy (buf, &seq, 8);
  memcpy (buf + 8, &now, 8);
  memcpy (buf + 16, &delay, 8);
  sim_live_udp_send (udp, from, to, buf, len, delay);
}

/* Two nodes on 127.0.0.1: immediate datagrams arrive whole and in order,
 * held ones no earlier than their delay. */
static void
test_udp_loopback (void)
{
  SimLiveLoop *loop = sim_live_loop_new (NULL);
  Rx rx = { .loop = loop, .in_order = TRUE };
  SimLiveUdp *udp = sim_live_udp_new (loop, on_recv, &rx);
  g_autoptr (GInetSocketAddress) any = loopback4 ();
  g_autoptr (GError) error = NULL;
  g_assert_true (sim_live_udp_open (udp, 0, any, &error));
  g_assert_no_error (error);
  g_assert_true (sim_live_udp_open (udp, 1, any, &error));
  g_assert_no_error (error);
  g_assert_false (sim_live_udp_open (udp, 1, any, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  GSocketAddress *to1 = G_SOCKET_ADDRESS (sim_live_udp_address (udp, 1));
  GSocketAddress *to0 = G_SOCKET_ADDRESS (sim_live_udp_address (udp, 0));
  g_assert_cmpuint (
      g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (to1)), !=, 0);
  enum
  {
    NOW = 200,
    HELD = 50
  };
  rx.want = NOW + HELD + 1;
  SimTime now = sim_live_loop_now (loop);
  for (guint i = 0; i < HELD; i++)
    send_one (udp, 1, to0, (1ull << 63) | i, now,
              (10 + i % 5 * 10) * SIM_TIME_MS, 100);
  for (guint i = 0; i < NOW; i++)
    send_one (udp, 0, to1, i, now, 0, 24 + i % 1000);
  send_one (udp, 0, to1, NOW, now, 0, 3); /* too short for a header */
  g_assert_true (sim_live_loop_run (loop, now + DEADLINE));
  g_assert_cmpuint (rx.got[1], ==, NOW + 1);
  g_assert_cmpuint (rx.got[0], ==, HELD);
  g_assert_true (rx.in_order);
  g_assert_cmpuint (rx.early, ==, 0);
  g_assert_cmpuint (rx.bad_len, ==, 1);
  SimLiveUdpStats st = sim_live_udp_stats (udp);
  g_assert_cmpuint (st.sent, ==, NOW + HELD + 1);
  g_assert_cmpuint (st.received, ==, NOW + HELD + 1);
  sim_live_udp_free (udp);
  sim_live_loop_free (loop);
}

/* A node that closes: its held datagrams are dropped, sends from it do
 * nothing, sends to it are lost without harm; freeing with datagrams
 * still held cancels them. */
static void
test_udp_close (void)
{
  SimLiveLoop *loop = sim_live_loop_new (NULL);
  Rx rx = { .loop = loop, .in_order = TRUE, .want = 1 };
  SimLiveUdp *udp = sim_live_udp_new (loop, on_recv, &rx);
  g_autoptr (GInetSocketAddress) any = loopback4 ();
  g_assert_true (sim_live_udp_open (udp, 0, any, NULL));
  g_assert_true (sim_live_udp_open (udp, 1, any, NULL));
  GSocketAddress *to0
      = G_SOCKET_ADDRESS (g_object_ref (sim_live_udp_address (udp, 0)));
  GSocketAddress *to1
      = G_SOCKET_ADDRESS (g_object_ref (sim_live_udp_address (udp, 1)));
  SimTime now = sim_live_loop_now (loop);
  send_one (udp, 1, to0, 1ull << 63, now, 20 * SIM_TIME_MS, 64);
  sim_live_udp_close (udp, 1);
  g_assert_false (sim_live_udp_is_open (udp, 1));
  g_assert_null (sim_live_udp_address (udp, 1));
  send_one (udp, 1, to0, 0, now, 0, 64); /* from a closed node: nothing */
  send_one (udp, 0, to1, 0, now, 0, 64); /* to a closed port: lost */
  sim_live_udp_close (udp, 1);           /* twice: no-op */
  /* Node 0 hears nothing; wait past the held datagram's time. */
  g_assert_false (sim_live_loop_run (loop, now + 100 * SIM_TIME_MS));
  g_assert_cmpuint (rx.got[0], ==, 0);
  SimLiveUdpStats st = sim_live_udp_stats (udp);
  g_assert_cmpuint (st.dropped_held, ==, 1);
  g_assert_cmpuint (st.sent, ==, 1); /* only the one to the closed port */
  /* Freed with a datagram still held: cancelled, never sent. */
  send_one (udp, 0, to0, 1ull << 63, now, SIM_TIME_S, 64);
  g_assert_cmpuint (sim_live_loop_pending (loop), ==, 1);
  sim_live_udp_free (udp);
  g_assert_cmpuint (sim_live_loop_pending (loop), ==, 0);
  g_object_unref (to0);
  g_object_unref (to1);
  sim_live_loop_free (loop);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/live/loop/order", test_loop_order);
  g_test_add_func ("/live/loop/deadline", test_loop_deadline);
  g_test_add_func ("/live/loop/scale", test_loop_scale);
  g_test_add_func ("/live/udp/loopback", test_udp_loopback);
  g_test_add_func ("/live/udp/close", test_udp_close);
  return g_test_run ();
}
