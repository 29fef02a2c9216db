/* sim-judge.c — expectations judged over seeds: the one place that decides
 * whether the `expect` lines of a scenario hold for a batch of runs, used
 * by `run` at the end of a batch and by `collect` (so by
 * scripts/sweep-parallel and scripts/slurm-sweep.sbatch).
 *
 * Invariant: a verdict is a function of the scenario's expectations and
 * the runs' summary.csv values alone, read in seed order; the runs
 * themselves never judge (a batch's children run with --no-judge).
 *
 * Judgement: the plain form `expect METRIC OP VALUE` holds when the mean
 * over the runs satisfies OP VALUE; the strict form `... confidence P%`
 * when the whole P % confidence interval of the mean (Student t,
 * sim_stats_summarize) does, so it fails when the interval straddles the
 * threshold, and with fewer than two finite values.  Runs where the
 * metric is NaN (not defined in that run) are left out, as in the
 * aggregate; a metric no run measured fails.
 *
 * Alternative rejected: judging each run and counting passes.  Per-seed
 * judgement of a noisy metric near its threshold fails at random (the
 * false alarms issue 12 measured); the mean's spread shrinks as 1/sqrt(n).
 */
#include "sim-cli.h"
#include "sim-results.h"
#include "sim-scenario.h"
#include "sim-seed-list.h"
#include "sim-stats.h"

#include <math.h>
#include <stdio.h>

/* "95%" for 0.95, at most four significant digits ("99.9%"). */
static char *
level_text (double level)
{
  char buf[40];
  return g_strdup_printf ("%s%%",
                          g_ascii_formatd (buf, sizeof buf, "%.4g",
                                           level * 100));
}

/* The "METRIC OP VALUE[ confidence P%]" text of e. */
static char *
expect_text (const SimExpect *e)
{
  g_autofree char *conf = e->confidence > 0 ? level_text (e->confidence)
                                            : NULL;
  return g_strdup_printf ("%s %s %g%s%s", e->metric,
                          sim_compare_op_to_string (e->op),
                          sim_scenario_expect_threshold (e),
                          conf != NULL ? " confidence " : "",
                          conf != NULL ? conf : "");
}

/* "mean M, 95% CI L..H, n N" (no interval with n < 2). */
static char *
stats_text (const SimStatsSummary *s, double level)
{
  if (s->n < 2)
    return g_strdup_printf ("mean %g, n %u", s->mean, s->n);
  g_autofree char *lv = level_text (level);
  return g_strdup_printf ("mean %g, %s CI %g..%g, n %u", s->mean, lv,
                          s->ci_low, s->ci_high, s->n);
}

/* Whether the interval [lo, hi] lies wholly on the good side of e. */
static gboolean
interval_holds (const SimExpect *e, double lo, double hi)
{
  double t = sim_scenario_expect_threshold (e);
  switch (e->op)
    {
    case SIM_COMPARE_LT:
    case SIM_COMPARE_LE:
      return sim_scenario_expect_holds (e, hi);
    case SIM_COMPARE_GT:
    case SIM_COMPARE_GE:
      return sim_scenario_expect_holds (e, lo);
    case SIM_COMPARE_EQ:
      return lo == t && hi == t;
    case SIM_COMPARE_NE:
      return t < lo || t > hi;
    default:
      g_return_val_if_reached (FALSE);
    }
}

gboolean
sim_judge_runs (const SimScenario *sc, const char *point,
                const GPtrArray *runs, gboolean quiet)
{
  g_return_val_if_fail (sc != NULL && runs != NULL, FALSE);
  gboolean all = TRUE;
  g_autofree double *x = g_new (double, MAX (runs->len, 1));
  g_autofree char *at = point != NULL ? g_strdup_printf (" at %s", point)
                                      : g_strdup ("");
  g_autofree char *lead = point != NULL ? g_strdup_printf ("%s: ", point)
                                        : g_strdup ("");
  for (guint i = 0; i < sim_scenario_n_expects (sc); i++)
    {
      const SimExpect *e = sim_scenario_expect (sc, i);
      for (guint r = 0; r < runs->len; r++)
        {
          const char *v = sim_results_run_value (runs->pdata[r], e->metric);
          x[r] = v != NULL ? g_ascii_strtod (v, NULL) : NAN;
        }
      double level = e->confidence > 0 ? e->confidence : 0.95;
      SimStatsSummary s;
      sim_stats_summarize (x, runs->len, level, &s);
      g_autofree char *what = expect_text (e);
      const char *pos = sim_scenario_display_name (sc);
      if (s.n == 0)
        {
          fprintf (stderr, "%s:%u:%u: expectation failed%s: %s (metric '%s' "
                   "was not measured in any of the %u runs)\n",
                   pos, e->line, e->col, at, what, e->metric, runs->len);
          all = FALSE;
          continue;
        }
      g_autofree char *stats = stats_text (&s, level);
      gboolean holds;
      const char *why = "";
      if (e->confidence == 0)
        holds = sim_scenario_expect_holds (e, s.mean);
      else if (s.n < 2)
        {
          holds = FALSE;
          why = ": a confidence interval needs at least 2 runs";
        }
      else
        {
          holds = interval_holds (e, s.ci_low, s.ci_high);
          if (!holds)
            why = sim_scenario_expect_holds (e, s.mean)
                      ? ": the interval straddles the threshold"
                      : ": the mean is on the wrong side";
        }
      if (!holds)
        {
          fprintf (stderr, "%s:%u:%u: expectation failed%s: %s (%s%s)\n",
                   pos, e->line, e->col, at, what, stats, why);
          all = FALSE;
        }
      else if (!quiet)
        printf ("  %sexpect %s: ok (%s)\n", lead, what, stats);
    }
  fflush (stdout);
  return all;
}

/* Reads the summaries of the seed-N runs of dir, in seed order. */
static GPtrArray *
read_seed_runs (const char *dir, GError **error)
{
  g_autoptr (GArray) seeds = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr (GPtrArray) runs
      = g_ptr_array_new_with_free_func ((GDestroyNotify) sim_csv_free);
  sim_results_list_seeds (dir, seeds);
  for (guint i = 0; i < seeds->len; i++)
    {
      g_autofree char *name = g_strdup_printf (
          "seed-%" G_GUINT64_FORMAT, g_array_index (seeds, guint64, i));
      g_autofree char *run = g_build_filename (dir, name, NULL);
      SimCsv *csv = sim_results_read_run_summary (run, error);
      if (csv == NULL)
        return NULL;
      g_ptr_array_add (runs, csv);
    }
  return g_steal_pointer (&runs);
}

gboolean
sim_judge_plan (const SimPlan *plan, const char *dir, gboolean quiet,
                gboolean *all_hold, GError **error)
{
  g_return_val_if_fail (plan != NULL && dir != NULL && all_hold != NULL,
                        FALSE);
  *all_hold = TRUE;
  for (guint p = 0; p < sim_plan_n_points (plan); p++)
    {
      const char *pdir = sim_plan_point_dir (plan, p);
      g_autoptr (SimScenario) sc = sim_plan_load_point (plan, p, error);
      if (sc == NULL)
        return FALSE;
      if (sim_scenario_n_expects (sc) == 0)
        continue;
      g_autofree char *d = pdir != NULL ? g_build_filename (dir, pdir, NULL)
                                        : g_strdup (dir);
      g_autoptr (GPtrArray) runs = read_seed_runs (d, error);
      if (runs == NULL)
        return FALSE;
      if (!sim_judge_runs (sc, pdir, runs, quiet))
        *all_hold = FALSE;
    }
  return TRUE;
}

/* Judges the seeds directory d against its d/scenario.scn (written by
 * collect).  point: the label in messages, or NULL. */
static gboolean
judge_collected_seeds (const char *d, const char *point, gboolean quiet,
                       gboolean *all_hold, GError **error)
{
  g_autofree char *path = g_build_filename (d, "scenario.scn", NULL);
  GError *perr = NULL;
  g_autoptr (SimScenario) sc = sim_scenario_load (path, NULL, &perr);
  if (sc == NULL)
    {
      g_set_error (error, SIM_CLI_ERROR, SIM_CLI_ERROR_INPUT,
                   "cannot judge the expectations: %s", perr->message);
      g_error_free (perr);
      return FALSE;
    }
  if (sim_scenario_n_expects (sc) == 0)
    return TRUE;
  g_autoptr (GPtrArray) runs = read_seed_runs (d, error);
  if (runs == NULL)
    return FALSE;
  if (!sim_judge_runs (sc, point, runs, quiet))
    *all_hold = FALSE;
  return TRUE;
}

gboolean
sim_judge_collected (const char *dir, gboolean quiet, gboolean *all_hold,
                     GError **error)
{
  g_return_val_if_fail (dir != NULL && all_hold != NULL, FALSE);
  *all_hold = TRUE;
  g_autoptr (GArray) seeds = g_array_new (FALSE, FALSE, sizeof (guint64));
  if (sim_results_list_seeds (dir, seeds) > 0)
    return judge_collected_seeds (dir, NULL, quiet, all_hold, error);
  g_autoptr (GPtrArray) points = g_ptr_array_new_with_free_func (g_free);
  if (!sim_results_list_points (dir, points, error))
    return FALSE;
  for (guint p = 0; p < points->len; p++)
    {
      g_autofree char *pdir = g_build_filename (dir, points->pdata[p], NULL);
      g_array_set_size (seeds, 0);
      /* A point that is a single run judged itself when it ran. */
      if (sim_results_list_seeds (pdir, seeds) > 0
          && !judge_collected_seeds (pdir, points->pdata[p], quiet, all_hold,
                                     error))
        return FALSE;
    }
  return TRUE;
}

int
sim_judge_single (const SimScenario *sc, SimMetrics *metrics,
                  gboolean no_judge, gboolean quiet)
{
  guint n_declared;
  const guint64 *declared = sim_scenario_seeds (sc, &n_declared);
  if (no_judge || declared != NULL)
    {
      /* Recorded, not judged: a batch judges the mean over its seeds. */
      g_autofree char *list
          = declared != NULL ? sim_seed_list_format (declared, n_declared)
                             : NULL;
      for (guint i = 0; !quiet && i < sim_scenario_n_expects (sc); i++)
        {
          const SimExpect *e = sim_scenario_expect (sc, i);
          double v;
          if (!sim_metrics_get (metrics, e->metric, &v))
            v = NAN;
          printf ("  expect %s %s %g: not judged (%g; %s%s%s)\n", e->metric,
                  sim_compare_op_to_string (e->op),
                  sim_scenario_expect_threshold (e), v,
                  list != NULL ? "judged on the mean over seeds " : "",
                  list != NULL ? list : "--no-judge",
                  list != NULL ? ": run without --seed" : "");
        }
      return 0;
    }

  int status = 0;
  for (guint i = 0; i < sim_scenario_n_expects (sc); i++)
    {
      const SimExpect *e = sim_scenario_expect (sc, i);
      double v;
      if (!sim_metrics_get (metrics, e->metric, &v))
        {
          fprintf (stderr,
                   "%s:%u:%u: expect: metric '%s' was not measured "
                   "in this run\n",
                   sim_scenario_display_name (sc), e->line, e->col,
                   e->metric);
          status = SIM_EXIT_EXPECT;
          continue;
        }
      if (!sim_scenario_expect_holds (e, v))
        {
          fprintf (stderr,
                   "%s:%u:%u: expectation failed: %s %s %g "
                   "(measured %g)\n",
                   sim_scenario_display_name (sc), e->line, e->col, e->metric,
                   sim_compare_op_to_string (e->op),
                   sim_scenario_expect_threshold (e), v);
          status = SIM_EXIT_EXPECT;
        }
      else if (!quiet)
        printf ("  expect %s %s %g: ok (%g)\n", e->metric,
                sim_compare_op_to_string (e->op),
                sim_scenario_expect_threshold (e), v);
    }
  return status;
}
