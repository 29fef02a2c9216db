/* test-world.c — the world layer: protocol joins, instant builds, lookups
 * against the oracle, determinism, the oracle's closeness rule against
 * core's, and histograms.
 *
 * Randomised cases put their seed in the test name; a name's seed S
 * replays it: PASTRYSIM_TEST_SEED=S test-world -p /world/stress/seed=S
 * (with the variable set, every seeded family runs once, with seed S). */
#include "sim-hist.h"
#include "sim-pastry-params.h"
#include "pastry-id.h"
#include "sim-key.h"
#include "sim-rng.h"
#include "sim-world.h"
#include "test-seed.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The same 128 bits as Pastry's id. */
static PastryId
test_id (const SimKey *k)
{
  return (PastryId) { k->hi, k->lo };
}


/* Parses text (with optional overrides), runs it, and returns the metrics;
 * *world_out (may be NULL) keeps the world for inspection. */
static SimMetrics *
run_text (const char *text, const char *const *overrides, FILE *lookups,
          SimWorld **world_out, SimScenario **sc_out)
{
  g_autoptr (GError) error = NULL;
  SimScenario *sc = sim_scenario_parse ("test.scn", text, strlen (text), NULL,
                                        overrides, &error);
  g_assert_no_error (error);
  SimMetrics *m = sim_metrics_new ();
  if (lookups != NULL)
    sim_metrics_stream_lookups (m, lookups);
  SimWorld *w = sim_world_new (sc, m, &error);
  g_assert_no_error (error);
  g_assert_true (sim_world_run (w, FALSE, NULL));
  /* Every lookup that started ended in the results, whatever happened. */
  double started = NAN, ended = NAN;
  g_assert_true (sim_metrics_get (m, "lookups_started", &started));
  g_assert_true (sim_metrics_get (m, "lookups_ended", &ended));
  g_assert_cmpfloat (started, ==, ended);
  if (world_out != NULL)
    *world_out = w;
  else
    sim_world_free (w);
  if (sc_out != NULL)
    *sc_out = sc;
  else
    {
      g_assert (world_out == NULL);
      sim_scenario_free (sc);
    }
  return m;
}

static double
metric (const SimMetrics *m, const char *name)
{
  double v = NAN;
  g_assert_true (sim_metrics_get (m, name, &v));
  return v;
}

static char *
seed_override (guint64 seed)
{
  return g_strdup_printf ("seed=%" G_GUINT64_FORMAT, seed);
}

static void
test_build_routes_ok (gconstpointer data)
{
  guint64 seed = *(const guint64 *) data;
  g_autofree char *s = seed_override (seed);
  const char *ov[] = { s, NULL };
  SimWorld *w;
  SimScenario *sc;
  g_autoptr (SimMetrics) m = run_text ("quality_sample = 500\n"
                                       "at 0s build 500\n"
                                       "at 1s lookup 5000 over 10s\n"
                                       "at 20s lookup 2000 keys random\nend\n",
                                       ov, NULL, &w, &sc);
  g_assert_cmpfloat (metric (m, "lookups"), ==, 7000);
  g_assert_cmpfloat (metric (m, "ok_ratio"), ==, 1.0);
  /* ceil(log16 500) = 3: the mean must be below it. */
  g_assert_cmpfloat (metric (m, "mean_hops"), <, 3.0);
  char *why = NULL;
  guint bad = sim_world_check_leafsets (w, &why);
  if (bad != 0)
    g_error ("%u leaf sets wrong: %s", bad, why);
  /* An exact build puts the closest candidate in every slot. */
  for (guint row = 0; row < 3; row++)
    {
      char f[64], o[64];
      g_snprintf (f, sizeof f, "table_row%u_filled", row);
      g_snprintf (o, sizeof o, "table_row%u_optimal", row);
      g_assert_cmpfloat (fabs (metric (m, f) - metric (m, o)), <, 1e-9);
    }
  sim_world_free (w);
  sim_scenario_free (sc);
}

static void
test_joins_converge (gconstpointer data)
{
  guint64 seed = *(const guint64 *) data;
  g_autofree char *s = seed_override (seed);
  const char *ov[] = { s, NULL };
  SimWorld *w;
  SimScenario *sc;
  /* 300 joins over 20 s: several joins are in flight at once. */
  g_autoptr (SimMetrics) m = run_text ("leaf_size = 8\n"
                                       "at 0s join 300 over 20s\n"
                                       "at 5min lookup 3000 over 10s\nend\n",
                                       ov, NULL, &w, &sc);
  g_assert_cmpfloat (metric (m, "joins"), ==, 300);
  g_assert_cmpfloat (metric (m, "joins_incomplete"), ==, 0);
  g_assert_cmpuint (sim_world_n_live (w), ==, 300);
  char *why = NULL;
  guint bad = sim_world_check_leafsets (w, &why);
  if (bad != 0)
    g_error ("%u leaf sets wrong after concurrent joins: %s", bad, why);
  g_assert_cmpfloat (metric (m, "ok_ratio"), ==, 1.0);
  g_assert_cmpfloat (metric (m, "join_msgs_per_node"), >, 10);
  sim_world_free (w);
  sim_scenario_free (sc);
}

static void
test_sequential_joins (void)
{
  SimWorld *w;
  SimScenario *sc;
  g_autoptr (SimMetrics) m = run_text ("b = 2\nat 0s join 150 sequential\n"
                                       "at 10min lookup 1000\nend\n",
                                       NULL, NULL, &w, &sc);
  g_assert_cmpfloat (metric (m, "joins"), ==, 150);
  g_assert_cmpuint (sim_world_check_leafsets (w, NULL), ==, 0);
  g_assert_cmpfloat (metric (m, "ok_ratio"), ==, 1.0);
  sim_world_free (w);
  sim_scenario_free (sc);
}

static char *
run_to_string (const char *text, guint64 seed)
{
  g_autofree char *s = seed_override (seed);
  const char *ov[] = { s, NULL };
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);
  g_autoptr (SimMetrics) m = run_text (text, ov, f, NULL, NULL);
  fclose (f);
  return buf;
}

static void
test_determinism (void)
{
  const char *text = "at 0s join 100 over 5s\nat 1min lookup 500 over 5s\n"
                     "at 2min lookup rate 50/s for 5s keys random\nend\n";
  g_autofree char *a = run_to_string (text, 7);
  g_autofree char *b = run_to_string (text, 7);
  g_autofree char *c = run_to_string (text, 8);
  g_assert_cmpuint (strlen (a), >, 1000);
  g_assert_cmpstr (a, ==, b);
  g_assert_cmpstr (a, !=, c);
}

/* The driver's closeness rule (sim-key.h, which may not see core/) is
 * Pastry's (pastry_id_closer): on random ids, ids near 0 and 2^128 - 1,
 * and keys exactly half-way (equal distances). */
static void
test_key_rule (gconstpointer data)
{
  guint64 seed = *(const guint64 *) data;
  SimRng rng;
  sim_rng_init (&rng, seed, SIM_RNG_PURPOSE_TEST, 0);
  static const guint64 edge[] = { 0, 1, G_MAXUINT64 - 1, G_MAXUINT64,
                                  G_MAXUINT64 / 2, G_MAXUINT64 / 2 + 1 };
  for (guint i = 0; i < 200000; i++)
    {
      SimKey v[3];
      for (guint k = 0; k < 3; k++)
        {
          v[k].hi = sim_rng_uniform_u64 (&rng, 4) == 0
                        ? edge[sim_rng_uniform_u64 (&rng, G_N_ELEMENTS (edge))]
                        : sim_rng_next_u64 (&rng);
          v[k].lo = sim_rng_uniform_u64 (&rng, 4) == 0
                        ? edge[sim_rng_uniform_u64 (&rng, G_N_ELEMENTS (edge))]
                        : sim_rng_next_u64 (&rng);
        }
      if (i % 8 == 0)
        {
          /* The key half-way between a and b: equal distances. */
          v[2] = v[1];
          v[2].lo += 2 * (i % 5);
          v[0] = v[1];
          v[0].lo += i % 5;
        }
      PastryId key = test_id (&v[0]), a = test_id (&v[1]),
               b = test_id (&v[2]);
      int want = pastry_id_closer (&key, &a, &b);
      int got = sim_key_closer (&v[0], &v[1], &v[2]);
      g_assert_cmpint ((want > 0) - (want < 0), ==, (got > 0) - (got < 0));
    }
}

static int
cmp_u64 (const void *a, const void *b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;
  return (x > y) - (x < y);
}

static void
test_hist_quantiles (gconstpointer data)
{
  guint64 seed = *(const guint64 *) data;
  SimRng rng;
  sim_rng_init (&rng, seed, SIM_RNG_PURPOSE_TEST, 1);
  g_autoptr (SimHist) h = sim_hist_new ();
  guint n = 100000;
  guint64 *v = g_new (guint64, n);
  for (guint i = 0; i < n; i++)
    {
      v[i] = (guint64) sim_rng_exponential (&rng, 80000.0);
      sim_hist_add (h, v[i]);
    }
  qsort (v, n, sizeof (guint64), cmp_u64);
  const double qs[] = { 0.0, 0.01, 0.5, 0.9, 0.99, 0.999, 1.0 };
  for (guint i = 0; i < G_N_ELEMENTS (qs); i++)
    {
      guint64 rank = (guint64) ceil (qs[i] * n);
      double exact = (double) v[rank == 0 ? 0 : rank - 1];
      double got = sim_hist_quantile (h, qs[i]);
      g_assert_cmpfloat (fabs (got - exact), <=, exact * 0.001 + 1.0);
    }
  g_assert_cmpuint (sim_hist_count (h), ==, n);
  g_assert_cmpuint (sim_hist_min (h), ==, v[0]);
  g_assert_cmpuint (sim_hist_max (h), ==, v[n - 1]);
  g_free (v);
  g_autoptr (SimHist) empty = sim_hist_new ();
  g_assert_true (isnan (sim_hist_quantile (empty, 0.5)));
}

/* The leaf-set guarantee: L/2 - 1 adjacent nodes failing at once lose no
 * lookup once repair has run, and every leaf set is exact again. */
static void
test_adjacent_failures (gconstpointer data)
{
  guint64 seed = *(const guint64 *) data;
  g_autofree char *s = seed_override (seed);
  const char *ov[] = { s, NULL };
  SimWorld *w;
  SimScenario *sc;
  g_autoptr (SimMetrics) m = run_text ("let nodes = 400\n"
                                       "probe_period = 2min\n"
                                       "at 0s build $nodes\n"
                                       "at 1min fail range 7\n"
                                       "at 10min lookup 4000 over 20s\n"
                                       "end\n", ov, NULL, &w, &sc);
  g_assert_cmpfloat (metric (m, "failures"), ==, 7);
  g_assert_cmpuint (sim_world_n_live (w), ==, 393);
  g_assert_cmpfloat (metric (m, "ok_ratio"), ==, 1.0);
  char *why = NULL;
  guint bad = sim_world_check_leafsets (w, &why);
  if (bad != 0)
    g_error ("%u leaf sets wrong after 7 adjacent failures: %s", bad, why);
  g_assert_cmpfloat (metric (m, "repair_msgs_per_failure"), >, 0);
  sim_world_free (w);
  sim_scenario_free (sc);
}

/* Graceful leaves: the leavers' neighbours repair at once. */
static void
test_leaves (gconstpointer data)
{
  guint64 seed = *(const guint64 *) data;
  g_autofree char *s = seed_override (seed);
  const char *ov[] = { s, NULL };
  SimWorld *w;
  SimScenario *sc;
  g_autoptr (SimMetrics) m = run_text ("probe_period = 1min\n"
                                       "at 0s build 300\n"
                                       "at 1min leave 10% over 30s\n"
                                       "at 4min lookup 3000 over 10s\n"
                                       "end\n", ov, NULL, &w, &sc);
  g_assert_cmpuint (sim_world_n_live (w), ==, 270);
  g_assert_cmpfloat (metric (m, "ok_ratio"), ==, 1.0);
  char *why = NULL;
  guint bad = sim_world_check_leafsets (w, &why);
  if (bad != 0)
    g_error ("%u leaf sets wrong after graceful leaves: %s", bad, why);
  sim_world_free (w);
  sim_scenario_free (sc);
}

/* Churn with lookups: the overlay keeps routing correctly, and nodes that
 * come back (same id) are found again. */
static void
test_churn (gconstpointer data)
{
  guint64 seed = *(const guint64 *) data;
  g_autofree char *s = seed_override (seed);
  const char *ov[] = { s, NULL };
  SimWorld *w;
  SimScenario *sc;
  g_autoptr (SimMetrics) m = run_text (
      "heartbeat_period = 5s\nheartbeat_timeout = 12s\n"
      "probe_period = 1min\n"
      "at 0s join 200 over 1min\n"
      "at 2min churn for 20min session exp(10min) down exp(5min) id same\n"
      "at 2min lookup every exp(20s) per node for 20min\n"
      "measure from 5min to 22min\n"
      "end\n", ov, NULL, &w, &sc);
  g_assert_cmpfloat (metric (m, "lookups"), >, 1000);
  g_assert_cmpfloat (metric (m, "ok_ratio"), >=, 0.99);
  g_assert_cmpfloat (metric (m, "wrong_ratio"), <=, 0.005);
  g_assert_cmpfloat (metric (m, "maint_msgs_per_node_s"), >, 0);
  g_assert_cmpfloat (metric (m, "failures"), >, 50);
  sim_world_free (w);
  sim_scenario_free (sc);
}

/* Message loss is survived by acknowledgements and retries. */
static void
test_loss (gconstpointer data)
{
  guint64 seed = *(const guint64 *) data;
  g_autofree char *s = seed_override (seed);
  const char *ov[] = { s, NULL };
  g_autoptr (SimMetrics) m = run_text ("loss = 2%\n"
                                       "at 0s build 300\n"
                                       "at 10s lookup 3000 over 30s\n"
                                       "end\n", ov, NULL, NULL, NULL);
  /* No lookup is lost, and none ends beside the root because a lost
   * acknowledgement made a node suspect the root for a moment: a wrong
   * delivery needs every send of a final hop lost (resends exhausted). */
  g_assert_cmpfloat (metric (m, "failed_ratio"), ==, 0.0);
  g_assert_cmpfloat (metric (m, "wrong_ratio") * metric (m, "lookups"), <=,
                     metric (m, "unreachable_live_roots")
                       + metric (m, "wrong_doubted_root"));
  g_assert_cmpfloat (metric (m, "ok_ratio"), >=, 0.999);
}

/* Without maintenance, a lost message loses its lookup: the same run with
 * maintenance off must do worse — the mechanism, not luck, saves them. */
static void
test_loss_without_maintenance (void)
{
  const char *ov[] = { "maintenance=off", NULL };
  g_autoptr (SimMetrics) m = run_text ("loss = 2%\nat 0s build 300\n"
                                       "at 10s lookup 3000 over 30s\nend\n",
                                       ov, NULL, NULL, NULL);
  g_assert_cmpfloat (metric (m, "failed_ratio"), >, 0.01);
}

static void
test_churn_determinism (void)
{
  const char *text = "at 0s join 80 over 20s\n"
                     "at 1min churn for 5min session exp(2min)\n"
                     "at 1min lookup rate 20/s for 5min keys zipf(1.0, 100)\n"
                     "at 2min fail 5\nat 3min rejoin all id new\nend\n";
  g_autofree char *a = run_to_string (text, 11);
  g_autofree char *b = run_to_string (text, 11);
  g_assert_cmpuint (strlen (a), >, 1000);
  g_assert_cmpstr (a, ==, b);
}

/* Per-node lookups follow the node's session, not its join: a node that
 * starts joining at 10 s (the join takes several 2 s round trips) issues
 * the lookups of its chain due at 11 s, 12 s, ... (every fixed(1s)) once
 * its join completes, reported at their due times; none is skipped and
 * the first is not shifted to the join's completion (the former way). */
static void
test_lookups_due_while_joining (void)
{
  const char *text = "network = constant\nconstant_latency = 2s\n"
                     "lookup_timeout = 1min\n"
                     "at 0s build 20\n"
                     "at 0s lookup every fixed(1s) per node for 30s "
                     "keys random\n"
                     "at 10s join 1\nend\n";
  g_autofree char *csv = run_to_string (text, 5);
  g_auto (GStrv) lines = g_strsplit (csv, "\n", -1);
  guint n = 0;
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) f = g_strsplit (lines[i], ",", 4);
      if (g_strv_length (f) < 4 || !g_str_equal (f[1], "20"))
        continue;
      double t = g_ascii_strtod (f[0], NULL);
      /* Due at 11, 12, ..., 29 s: rows end in completion order, so only
       * the set is checked (each due time once). */
      g_assert_cmpfloat (t, >=, 11.0);
      g_assert_cmpfloat (t, <=, 29.0);
      g_assert_cmpfloat (fabs (t - round (t)), <, 1e-9);
      n++;
    }
  g_assert_cmpuint (n, ==, 19);
}

/* Protocol invariants under stress: a random small network goes through
 * random joins, silent failures (at most L/2 - 1 adjacent ones at a time),
 * graceful leaves and rejoins; after a quiet period long enough for every
 * probe to run twice, every live node's leaf set must be exactly its true
 * neighbours and every lookup must reach the true root. */
static void
stress (guint64 seed, double loss, gboolean hints)
{
  SimRng r;
  sim_rng_init (&r, seed, SIM_RNG_PURPOSE_TEST, 77);
  guint b = sim_rng_bernoulli (&r, 0.5) ? 2 : 4;
  guint l = 4u << sim_rng_uniform_u64 (&r, 3); /* 4, 8 or 16 */
  guint n = 30 + (guint) sim_rng_uniform_u64 (&r, 170);
  guint fails = 1 + (guint) sim_rng_uniform_u64 (&r, n / 10 + 1);
  guint range = 1 + (guint) sim_rng_uniform_u64 (&r, l / 2 - 1);
  guint leaves = (guint) sim_rng_uniform_u64 (&r, n / 10 + 1);
  guint rejoin = (guint) sim_rng_uniform_u64 (&r, fails + 1);
  g_autofree char *leave_line
      = leaves > 0 ? g_strdup_printf ("at 3min leave %u over 10s\n", leaves)
                   : g_strdup ("");
  g_autofree char *text = g_strdup_printf (
      "oracle_hints = %s\n"
      "loss = %g\nb = %u\nleaf_size = %u\nheartbeat_period = 5s\n"
      "heartbeat_timeout = 12s\nprobe_period = 1min\nmaintenance = on\n"
      "at 0s join %u over 30s\n"
      "at 2min fail %u over 20s\n"
      "at 2min fail range %u\n"
      "%s"
      "at 4min rejoin %u over 30s id %s\n"
      "at 12min lookup 2000 over 20s keys random\n"
      "end\n",
      hints ? "on" : "off", loss, b, l, n, fails, range,
      leave_line, rejoin > 0 ? rejoin : 1u,
      sim_rng_bernoulli (&r, 0.5) ? "same" : "new");
  g_test_message ("scenario:\n%s", text);
  g_autofree char *s = seed_override (seed);
  const char *ov[] = { s, NULL };
  SimWorld *w;
  SimScenario *sc;
  g_autoptr (SimMetrics) m = run_text (text, ov, NULL, &w, &sc);
  char *why = NULL;
  guint bad = sim_world_check_leafsets (w, &why);
  /* With loss a live node can be declared dead at any time (every probe
   * or reply lost); right after such a verdict its refutation is still
   * on its way, so the check cannot hold then. */
  guint64 verdict = sim_world_last_false_death (w);
  SimTime now = sim_world_now (w);
  gboolean settling = loss > 0 && verdict != G_MAXUINT64
                      && now - verdict < 10 * SIM_TIME_S;
  if (bad != 0 && settling)
    g_test_message ("%u leaf sets wrong %.1f s after a false death: "
                    "not checked (%s)", bad,
                    (double) (now - verdict) / SIM_TIME_S, why);
  else if (bad != 0)
    g_error ("%u leaf sets wrong after quiescence: %s\n%s", bad, why, text);
  if (loss == 0)
    g_assert_cmpfloat (metric (m, "ok_ratio"), ==, 1.0);
  else
    {
      /* A wrong delivery is allowed only where loss explains it: every
       * send of a final hop to a live root was lost (resends exhausted:
       * ~10^-6 of final hops at 1 % loss), or the node delivering had
       * lost two or more probes of the live root or their replies (and
       * perhaps declared it dead, the refutation not there yet).
       * Anything else is a protocol error. */
      double wrong = metric (m, "wrong_ratio") * metric (m, "lookups");
      g_assert_cmpfloat (wrong, <=, metric (m, "unreachable_live_roots")
                                      + metric (m, "wrong_doubted_root"));
      g_assert_cmpfloat (metric (m, "failed_ratio"), ==, 0.0);
    }
  g_assert_cmpfloat (metric (m, "joins_incomplete"), ==, 0);
  sim_world_free (w);
  sim_scenario_free (sc);
}

static void
test_stress (gconstpointer data)
{
  stress (*(const guint64 *) data, 0.0, TRUE);
}

/* The same without oracle hints: nodes know only what they learn (a dead
 * node others still list must never settle in a leaf set). */
static void
test_stress_no_hints (gconstpointer data)
{
  stress (*(const guint64 *) data, 0.0, FALSE);
}

/* The same with 1 % of all messages lost: acknowledgements, resends and
 * probes must hide the losses completely once the network is quiet. */
static void
test_stress_loss (gconstpointer data)
{
  stress (*(const guint64 *) data, 0.01, TRUE);
}

/* lookup_timeout holds however slow the links: with 40 s per hop and a
 * 60 s timeout a lookup of two or more hops fails (failed_timeout); one of
 * at most one hop is delivered.  Rows come from lookups.csv. */
static void
test_lookup_timeout (void)
{
  const char *text = "network = constant\nconstant_latency = 40s\n"
                     "lookup_timeout = 60s\nat 0s build 60\n"
                     "at 1s lookup 300 over 10s keys random\nend\n";
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp ("lookups-XXXXXX.csv", &path, NULL);
  g_assert_cmpint (fd, >=, 0);
  FILE *f = fdopen (fd, "w+");
  g_autoptr (SimMetrics) m = run_text (text, NULL, f, NULL, NULL);
  fflush (f);
  rewind (f);
  char line[512];
  guint ok = 0, failed = 0, rows = 0;
  while (fgets (line, sizeof line, f) != NULL)
    {
      if (line[0] == '#' || g_str_has_prefix (line, "t_s,"))
        continue;
      g_auto (GStrv) col = g_strsplit (g_strchomp (line), ",", -1);
      g_assert_cmpuint (g_strv_length (col), ==, 8);
      rows++;
      guint hops = (guint) g_ascii_strtoull (col[3], NULL, 10);
      if (g_str_equal (col[7], "ok"))
        {
          ok++;
          g_assert_cmpuint (hops, <=, 1);
        }
      else
        {
          g_assert_cmpstr (col[7], ==, "failed");
          failed++;
        }
    }
  fclose (f);
  g_unlink (path);
  g_assert_cmpuint (rows, ==, 300);
  g_assert_cmpuint (failed, >, 0);
  g_assert_cmpfloat (metric (m, "failed_timeout"), ==, failed);
  g_assert_cmpfloat (metric (m, "lookups"), ==, 300);
  g_assert_cmpfloat (metric (m, "ok_ratio"), ==, ok / 300.0);
}

/* A run the stall detector stops (hops of 20 min, nothing else to do)
 * still ends every lookup: none is missing from the results. */
static void
test_stall_ends_lookups (void)
{
  if (!g_test_subprocess ())
    {
      /* The stall warning is fatal in a test: let it through in a child. */
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      g_test_trap_assert_stderr ("*the run stalled*");
      return;
    }
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  const char *text = "network = constant\nconstant_latency = 20min\n"
                     "at 0s build 50\nat 1s lookup 200 over 10s\nend\n";
  g_autoptr (SimMetrics) m = run_text (text, NULL, NULL, NULL, NULL);
  g_assert_cmpfloat (metric (m, "lookups"), ==, 200);
  g_assert_cmpfloat (metric (m, "lookups_started"), ==, 200);
  double failed = metric (m, "failed_ratio") * 200;
  g_assert_cmpfloat (failed, >, 150);
  g_assert_cmpfloat (fabs (failed - metric (m, "failed_timeout")
                           - metric (m, "failed_stalled")), <, 1e-9);
}

/* Replicas: with k = 5 a lookup ends at one of the 5 live nodes closest to
 * its key, judged ok by the oracle (sim_oracle_in_closest), in fewer hops
 * than with the root alone; failures included. */
static void
test_replicas (gconstpointer data)
{
  g_autofree char *s = seed_override (*(const guint64 *) data);
  const char *text = "at 0s build 800\nat 1s lookup 3000 over 10s\n"
                     "at 1min fail 40\nat 1min lookup 3000 over 10s\nend\n";
  const char *k1[] = { s, NULL };
  const char *k5[] = { s, "replicas=5", NULL };
  g_autoptr (SimMetrics) m1 = run_text (text, k1, NULL, NULL, NULL);
  g_autoptr (SimMetrics) m5 = run_text (text, k5, NULL, NULL, NULL);
  g_assert_cmpfloat (metric (m5, "wrong_ratio"), ==, 0);
  g_assert_cmpfloat (metric (m5, "ok_ratio"), >=, 0.999);
  g_assert_cmpfloat (metric (m5, "phase1_mean_hops"), <,
                     metric (m1, "phase1_mean_hops") - 0.1);
  /* The paper's repair RPCs are a part of all repair traffic. */
  g_assert_cmpfloat (metric (m1, "repair_requests_per_failure"), >, 0);
  g_assert_cmpfloat (metric (m1, "repair_requests_per_failure"), <,
                     metric (m1, "repair_msgs_per_failure"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sim_pastry_params_install ();
  test_seed_init ();
  test_add_seeded ("/world/build-routes-ok", test_build_routes_ok, 0);
  test_add_seeded ("/world/joins-converge", test_joins_converge, 1);
  test_add_seeded ("/world/joins-converge", test_joins_converge, 2);
  g_test_add_func ("/world/sequential-joins", test_sequential_joins);
  g_test_add_func ("/world/determinism", test_determinism);
  test_add_seeded ("/world/key-rule", test_key_rule, 3);
  test_add_seeded ("/world/hist-quantiles", test_hist_quantiles, 4);
  test_add_seeded ("/world/adjacent-failures", test_adjacent_failures, 5);
  test_add_seeded ("/world/leaves", test_leaves, 6);
  test_add_seeded ("/world/churn", test_churn, 7);
  test_add_seeded ("/world/loss", test_loss, 8);
  g_test_add_func ("/world/loss-without-maintenance",
                   test_loss_without_maintenance);
  g_test_add_func ("/world/churn-determinism", test_churn_determinism);
  g_test_add_func ("/world/lookups-due-while-joining",
                   test_lookups_due_while_joining);
  g_test_add_func ("/world/lookup-timeout", test_lookup_timeout);
  test_add_seeded ("/world/replicas", test_replicas, 9);
  g_test_add_func ("/world/stall-ends-lookups", test_stall_ends_lookups);
  for (guint i = 0; i < 12; i++)
    test_add_seeded ("/world/stress", test_stress, 100 + i);
  for (guint i = 0; i < 12; i++)
    test_add_seeded ("/world/stress-loss", test_stress_loss, 200 + i);
  for (guint i = 0; i < 8; i++)
    test_add_seeded ("/world/stress-no-hints", test_stress_no_hints, 300 + i);
  return g_test_run ();
}
