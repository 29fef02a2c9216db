/* test-links.c — access links in the simulator's send path (access_up,
 * access_down; sim/net/sim-link.h wired in sim/pastry/sim-pastry.c).
 *
 * Two nodes on a constant 10 ms network, maintenance off, so the only
 * messages are lookup hops of a known size (Pastry's size model): the
 * k-th hop a node hands to an 8 kbit/s link (one byte per ms) at one
 * instant must arrive after k transmissions plus the latency, exactly,
 * in the order the hops were sent (FIFO); the waiting time is what
 * queue_delay_* report.  Also: `off` is the default and changes nothing
 * (same fingerprint and metrics), a run with links is deterministic, and
 * bad rates are refused with their position (an invalid-input table).
 * With access_buffer: a buffer of two hops drops, at each source, every
 * hop after the third handed over at one instant (the third finds exactly
 * the buffer ahead of it and is kept), each drop fails its lookup (no
 * maintenance) and queue_drops counts them; bad buffers are refused.
 */
#include "pastry-msg.h"
#include "sim-pastry-params.h"
#include "sim-world.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Two nodes, 10 ms apart; n lookups at 1 s with random keys (about half
 * stay at their source, the rest take one hop). */
#define TWO_NODES                                                              \
  "seed = 3\nnetwork = constant\nconstant_latency = 10ms\n"                    \
  "maintenance = off\nat 0s build 2\nat 1s lookup 40 keys random\n"

typedef struct
{
  guint src;
  guint hops;
  double latency_ms;
  gboolean ok;
} Row;

/* Runs text with overrides; returns the metrics, the lookup rows in
 * lookups.csv order and the run's fingerprint. */
static SimMetrics *
run (const char *text, const char *const *overrides, GArray **rows_out,
     guint64 *fingerprint)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SimScenario) sc = sim_scenario_parse (
      "links.scn", text, strlen (text), NULL, overrides, &error);
  g_assert_no_error (error);
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp ("links-XXXXXX.csv", &path, NULL);
  g_assert_cmpint (fd, >=, 0);
  FILE *f = fdopen (fd, "w+");
  SimMetrics *m = sim_metrics_new ();
  sim_metrics_stream_lookups (m, f);
  SimWorld *w = sim_world_new (sc, m, &error);
  g_assert_no_error (error);
  sim_world_set_fingerprint (w, TRUE);
  g_assert_true (sim_world_run (w, FALSE, NULL));
  if (fingerprint != NULL)
    *fingerprint = sim_world_fingerprint (w);
  sim_world_free (w);
  fflush (f);
  rewind (f);
  GArray *rows = g_array_new (FALSE, FALSE, sizeof (Row));
  char line[512];
  while (fgets (line, sizeof line, f) != NULL)
    {
      if (line[0] == '#' || g_str_has_prefix (line, "t_s,"))
        continue;
      g_auto (GStrv) col = g_strsplit (g_strchomp (line), ",", -1);
      Row r = { (guint) g_ascii_strtoull (col[1], NULL, 10),
                (guint) g_ascii_strtoull (col[3], NULL, 10),
                g_ascii_strtod (col[4], NULL), g_str_equal (col[7], "ok") };
      g_array_append_val (rows, r);
    }
  fclose (f);
  g_unlink (path);
  if (rows_out != NULL)
    *rows_out = rows;
  else
    g_array_unref (rows);
  return m;
}

static double
metric (const SimMetrics *m, const char *name)
{
  double v = NAN;
  g_assert_true (sim_metrics_get (m, name, &v));
  return v;
}

/* One lookup hop: header, the sender's id, the key. */
static double
hop_ms_at_8kbit (void)
{
  guint bytes = pastry_msg_size (PASTRY_MSG_LOOKUP, 1, 40, 20);
  g_assert_cmpuint (bytes, ==, 76);
  return bytes * 8.0 * 1000.0 / 8000.0; /* ms at 8 kbit/s */
}

/* The k-th one-hop lookup of each source (k from 1, in lookups.csv order,
 * which is delivery order) took k transmissions plus 10 ms; the waits
 * were 0, 1, ..., n-1 transmissions. */
static void
check_fifo (const char *side)
{
  g_autofree char *set = g_strdup_printf ("%s=8kbit", side);
  const char *ov[] = { set, NULL };
  GArray *rows = NULL;
  g_autoptr (SimMetrics) m = run (TWO_NODES "end\n", ov, &rows, NULL);
  double tx = hop_ms_at_8kbit ();
  guint k[2] = { 0, 0 };
  double wait_sum = 0;
  guint n_hops = 0;
  for (guint i = 0; i < rows->len; i++)
    {
      const Row *r = &g_array_index (rows, Row, i);
      g_assert_true (r->ok);
      if (r->hops == 0)
        {
          g_assert_cmpfloat (r->latency_ms, ==, 0);
          continue;
        }
      g_assert_cmpuint (r->hops, ==, 1);
      g_assert_cmpuint (r->src, <, 2);
      k[r->src]++;
      g_assert_cmpfloat_with_epsilon (r->latency_ms, k[r->src] * tx + 10.0,
                                      1e-9);
      wait_sum += (k[r->src] - 1) * tx;
      n_hops++;
    }
  /* Both nodes sent several: the test is not vacuous. */
  g_assert_cmpuint (k[0], >=, 3);
  g_assert_cmpuint (k[1], >=, 3);
  g_assert_cmpfloat_with_epsilon (metric (m, "queue_delay_mean_ms"),
                                  wait_sum / n_hops, 1e-6);
  /* The longest wait is (max k - 1) transmissions; p99 over fewer than
   * 100 samples is that maximum (within the histogram's 0.1 %). */
  double longest = (MAX (k[0], k[1]) - 1) * tx;
  g_assert_cmpfloat (fabs (metric (m, "queue_delay_p99_ms") - longest), <=,
                     longest * 0.001 + 1e-9);
  g_array_unref (rows);
}

static void
test_uplink_fifo (void)
{
  check_fifo ("access_up");
}

static void
test_downlink_fifo (void)
{
  check_fifo ("access_down");
}

/* Both sides at 8 kbit/s: hops leave one transmission apart and so
 * never wait at the downlink, but each takes one more transmission
 * there. */
static void
test_both_sides (void)
{
  const char *ov[] = { "access_up=8kbit", "access_down=8kbit", NULL };
  GArray *rows = NULL;
  g_autoptr (SimMetrics) m = run (TWO_NODES "end\n", ov, &rows, NULL);
  double tx = hop_ms_at_8kbit ();
  guint k[2] = { 0, 0 };
  for (guint i = 0; i < rows->len; i++)
    {
      const Row *r = &g_array_index (rows, Row, i);
      if (r->hops == 0)
        continue;
      k[r->src]++;
      g_assert_cmpfloat_with_epsilon (r->latency_ms,
                                      (k[r->src] + 1) * tx + 10.0, 1e-9);
    }
  g_assert_cmpuint (k[0] + k[1], >=, 6);
  g_array_unref (rows);
}

/* A churn scenario with maintenance and loss: `off` (explicit) is the
 * default, event for event; a generous link still changes the run (the
 * wiring is live), and a run with links is deterministic. */
static void
test_off_is_default (void)
{
  const char *text
      = "seed = 5\nloss = 0.01\nheartbeat_period = 5s\n"
        "heartbeat_timeout = 12s\nprobe_period = 30s\nprobe_timeout = 1s\n"
        "at 0s join 60 over 1min\n"
        "at 2min churn for 5min session exp(2min) down exp(2min) "
        "population 60\n"
        "at 2min lookup every exp(10s) per node for 5min\nend\n";
  const char *off[] = { "access_up=off", "access_down=off", NULL };
  const char *on[] = { "access_up=200kbit", "access_down=1Mbit", NULL };
  guint64 f_default, f_off, f_on, f_on2;
  g_autoptr (SimMetrics) m0 = run (text, NULL, NULL, &f_default);
  g_autoptr (SimMetrics) m1 = run (text, off, NULL, &f_off);
  g_autoptr (SimMetrics) m2 = run (text, on, NULL, &f_on);
  g_autoptr (SimMetrics) m3 = run (text, on, NULL, &f_on2);
  g_assert_cmpuint (f_default, ==, f_off);
  g_assert_cmpfloat (metric (m0, "ok_ratio"), ==, metric (m1, "ok_ratio"));
  g_assert_false (sim_metrics_get (m0, "queue_delay_p99_ms", &(double){ 0 }));
  g_assert_cmpuint (f_on, !=, f_default);
  g_assert_cmpuint (f_on, ==, f_on2);
  g_assert_cmpfloat (metric (m2, "queue_delay_p99_ms"), ==,
                     metric (m3, "queue_delay_p99_ms"));
  g_assert_cmpfloat (metric (m2, "queue_delay_p99_ms"), >, 0);
}

/* Late answers time out (sim-pastry-req.c).  Two nodes 10 ms apart with
 * maintenance on and probe_timeout = 1 s.  On a 300 bit/s uplink a
 * 60-byte probe or reply takes 1.6 s to leave, so every answer comes
 * after its request's timer: the timer fires (request_timeouts), the
 * answer is late and stale (late_replies), the peer is suspected,
 * probed probe_retries more times and declared dead although it is live
 * (false_deaths: the verdict is refuted).  On a 1 Mbit/s uplink the
 * answers take about 21 ms: no timeout, no late reply, no verdict. */
#define TWO_MAINTAINED                                                         \
  "seed = 3\nmaintenance = on\nnetwork = constant\n"                           \
  "constant_latency = 10ms\nheartbeat_period = 5s\n"                           \
  "heartbeat_timeout = 12s\nprobe_period = 20s\nprobe_timeout = 1s\n"          \
  "at 0s join 2 over 1s\nat 1min lookup 4 keys random\n"                       \
  "measure from 0s to 1min\nend\n"

static void
test_late_reply_times_out (void)
{
  g_assert_cmpuint (pastry_msg_size (PASTRY_MSG_PROBE, 1, 40, 20), ==, 60);
  g_assert_cmpuint (pastry_msg_size (PASTRY_MSG_PROBE_REPLY, 1, 40, 20), ==,
                    60);
  const char *tiny[] = { "access_up=300bit", NULL };
  g_autoptr (SimMetrics) slow = run (TWO_MAINTAINED, tiny, NULL, NULL);
  g_test_message ("300bit: %g timeouts, %g late, %g false deaths",
                  metric (slow, "request_timeouts"),
                  metric (slow, "late_replies"), metric (slow, "false_deaths"));
  g_assert_cmpfloat (metric (slow, "request_timeouts"), >, 0);
  g_assert_cmpfloat (metric (slow, "late_replies"), >, 0);
  g_assert_cmpfloat (metric (slow, "late_replies"), <=,
                     metric (slow, "request_timeouts"));
  g_assert_cmpfloat (metric (slow, "false_deaths"), >, 0);

  const char *fast[] = { "access_up=1Mbit", NULL };
  g_autoptr (SimMetrics) quick = run (TWO_MAINTAINED, fast, NULL, NULL);
  g_assert_cmpfloat (metric (quick, "request_timeouts"), ==, 0);
  g_assert_cmpfloat (metric (quick, "late_replies"), ==, 0);
  g_assert_cmpfloat (metric (quick, "false_deaths"), ==, 0);
  /* Not vacuous: the fast run did exchange probes. */
  g_assert_cmpfloat (metric (quick, "messages"), >, 20);

  /* Without links the counts are not reported (summary.csv unchanged). */
  g_autoptr (SimMetrics) off = run (TWO_MAINTAINED, NULL, NULL, NULL);
  g_assert_false (sim_metrics_get (off, "request_timeouts", &(double){ 0 }));
  g_assert_cmpfloat (metric (off, "false_deaths"), ==, 0);
}

/* A drop-tail buffer of exactly two hops (152 bytes) at an 8 kbit/s
 * uplink: of the k one-hop lookups a source starts at 1 s, the first
 * three are sent (0, 76 and 152 bytes ahead) and the other k - 3 dropped
 * there; without maintenance each drop fails its lookup (END_LOST). */
static void
test_buffer_drops (void)
{
  const char *unbounded[] = { "access_up=8kbit", NULL };
  GArray *rows = NULL;
  g_autoptr (SimMetrics) off = run (TWO_NODES "end\n", unbounded, &rows, NULL);
  /* Unset: the metric is not reported (outputs unchanged). */
  g_assert_false (sim_metrics_get (off, "queue_drops", &(double){ 0 }));
  guint k[2] = { 0, 0 };
  for (guint i = 0; i < rows->len; i++)
    {
      const Row *r = &g_array_index (rows, Row, i);
      g_assert_true (r->ok);
      if (r->hops == 1)
        k[r->src]++;
    }
  g_array_unref (rows);
  g_assert_cmpuint (k[0], >, 3); /* both sources overflow: not vacuous */
  g_assert_cmpuint (k[1], >, 3);
  guint expect = (k[0] - 3) + (k[1] - 3);

  g_assert_cmpuint (pastry_msg_size (PASTRY_MSG_LOOKUP, 1, 40, 20), ==, 76);
  const char *bounded[] = { "access_up=8kbit", "access_buffer=152B", NULL };
  g_autoptr (SimMetrics) m = run (TWO_NODES "end\n", bounded, &rows, NULL);
  g_assert_cmpfloat (metric (m, "queue_drops"), ==, expect);
  guint failed = 0, sent[2] = { 0, 0 };
  for (guint i = 0; i < rows->len; i++)
    {
      const Row *r = &g_array_index (rows, Row, i);
      if (!r->ok)
        failed++;
      else if (r->hops == 1)
        sent[r->src]++;
    }
  g_array_unref (rows);
  g_assert_cmpuint (failed, ==, expect);
  g_assert_cmpuint (sent[0], ==, 3);
  g_assert_cmpuint (sent[1], ==, 3);
  g_assert_cmpfloat (metric (m, "failed_lost"), ==, expect);

  /* One byte less: the third hop (152 bytes ahead) is dropped too. */
  const char *smaller[] = { "access_up=8kbit", "access_buffer=151B", NULL };
  g_autoptr (SimMetrics) m2 = run (TWO_NODES "end\n", smaller, NULL, NULL);
  g_assert_cmpfloat (metric (m2, "queue_drops"), ==, expect + 2);
}

/* A scenario text the parser must refuse, with the line and column its
 * message must start with (the exit-2 errors of `run`). */
typedef struct
{
  const char *name, *text;
  guint line, col;
} BadText;

/* Each of bad[] is refused at its position; each of good[], put into
 * good_fmt, is accepted. */
static void
check_refused (const BadText *bad, gsize n_bad, const char *good_fmt,
               const char *const *good, gsize n_good)
{
  for (gsize i = 0; i < n_bad; i++)
    {
      g_autoptr (GError) error = NULL;
      const char *t = bad[i].text;
      g_autoptr (SimScenario) sc
          = sim_scenario_parse ("bad.scn", t, strlen (t), NULL, NULL, &error);
      g_test_message ("%s: %s", bad[i].name,
                      error != NULL ? error->message : "(accepted)");
      g_assert_null (sc);
      g_assert_nonnull (error);
      g_assert_true (error->domain == SIM_SCENARIO_ERROR);
      g_autofree char *where
          = g_strdup_printf ("bad.scn:%u:%u: ", bad[i].line, bad[i].col);
      g_assert_true (g_str_has_prefix (error->message, where));
    }
  for (gsize i = 0; i < n_good; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *t = g_strdup_printf (good_fmt, good[i]);
      g_autoptr (SimScenario) sc
          = sim_scenario_parse ("ok.scn", t, strlen (t), NULL, NULL, &error);
      g_assert_no_error (error);
    }
}

/* Bad buffers: errors at the position of access_buffer. */
static const BadText bad_buffers[] = {
  { "zero", "access_up = 8kbit\naccess_buffer = 0\nend\n", 2, 17 },
  { "zero-unit", "access_up = 8kbit\naccess_buffer = 0KB\nend\n", 2, 17 },
  { "negative", "access_up = 8kbit\naccess_buffer = -1KB\nend\n", 2, 17 },
  { "no-unit", "access_up = 8kbit\naccess_buffer = 1000\nend\n", 2, 17 },
  { "bad-unit", "access_up = 8kbit\naccess_buffer = 16kB\nend\n", 2, 17 },
  { "fraction", "access_up = 8kbit\naccess_buffer = 1.5KB\nend\n", 2, 17 },
  { "too-big", "access_up = 8kbit\naccess_buffer = 1001MB\nend\n", 2, 17 },
  { "links-off", "access_buffer = 16KB\nend\n", 1, 17 },
};

static void
test_bad_buffers (void)
{
  static const char *const good[] = { "off", "1B", "16KB", "1000MB" };
  check_refused (bad_buffers, G_N_ELEMENTS (bad_buffers),
                 "access_down = 48kbit\naccess_buffer = %s\nend\n", good,
                 G_N_ELEMENTS (good));
}

/* Bad rates: errors at the position where the value was set. */
static const BadText bad_rates[] = {
  { "zero", "access_up = 0\nend\n", 1, 13 },
  { "zero-unit", "access_up = 0Mbit\nend\n", 1, 13 },
  { "negative", "access_down = -1Mbit\nend\n", 1, 15 },
  { "no-unit", "\naccess_up = 1000\nend\n", 2, 13 },
  { "bad-unit", "access_up = 1Mb\nend\n", 1, 13 },
  { "word", "access_up = fast\nend\n", 1, 13 },
  { "too-fast", "access_up = 1001Gbit\nend\n", 1, 13 },
  { "below-1bit", "access_up = 0.4bit\nend\n", 1, 13 },
};

static void
test_bad_rates (void)
{
  /* Accepted forms, both sides of the edges. */
  static const char *const good[]
      = { "1bit", "0.5bit", "1000Gbit", "1.5Mbit", "384kbit", "off" };
  check_refused (bad_rates, G_N_ELEMENTS (bad_rates), "access_up = %s\nend\n",
                 good, G_N_ELEMENTS (good));
}

/* Bad strategies: an unknown name at its value; periodic recovery with a
 * period not longer than probe_timeout at that period's value. */
static const BadText bad_strategies[] = {
  { "unknown", "maintenance_strategy = chord\nend\n", 1, 24 },
  { "case", "maintenance_strategy = MSPastry\nend\n", 1, 24 },
  { "periodic-heartbeat",
    "maintenance_strategy = periodic\nprobe_timeout = 10s\n"
    "heartbeat_period = 5s\nend\n",
    3, 20 },
  { "periodic-equal",
    "maintenance_strategy = periodic\nprobe_timeout = 30s\n"
    "heartbeat_period = 30s\nend\n",
    3, 20 },
  { "periodic-probe",
    "maintenance_strategy = periodic\nprobe_timeout = 10s\n"
    "heartbeat_period = 20s\nprobe_period = 10s\nend\n",
    4, 16 },
};

static void
test_bad_strategies (void)
{
  static const char *const good[] = { "mspastry", "reactive", "periodic" };
  check_refused (bad_strategies, G_N_ELEMENTS (bad_strategies),
                 "maintenance_strategy = %s\nend\n", good, G_N_ELEMENTS (good));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sim_pastry_params_install ();
  g_test_add_func ("/links/uplink-fifo", test_uplink_fifo);
  g_test_add_func ("/links/downlink-fifo", test_downlink_fifo);
  g_test_add_func ("/links/both-sides", test_both_sides);
  g_test_add_func ("/links/off-is-default", test_off_is_default);
  g_test_add_func ("/links/late-reply-times-out", test_late_reply_times_out);
  g_test_add_func ("/links/bad-rates", test_bad_rates);
  g_test_add_func ("/links/buffer-drops", test_buffer_drops);
  g_test_add_func ("/links/bad-buffers", test_bad_buffers);
  g_test_add_func ("/links/bad-strategies", test_bad_strategies);
  return g_test_run ();
}
