/* sim-compare.c — `pastrysim compare DIR_A DIR_B`: per metric, B - A and
 * whether the difference is statistically significant.
 *
 *   - A metric measured over seeds (>= 2 runs on both sides): Welch's
 *     unequal-variance t-test on the per-seed values — the seed is the unit
 *     of replication, so this is the test for "did the change matter".
 *   - mean_hops with fewer than 2 seeds on a side: Welch's t-test over the
 *     individual lookups, from the hop counts of hops.csv (lookups of one
 *     overlay are not fully independent, so this p-value is optimistic;
 *     use seeds for a verdict you rely on).
 *   - hop_distribution (an extra row): the chi-square test of homogeneity
 *     of the two (pooled) hop-count distributions, sparse hop counts merged
 *     until every expected count is >= 5.  Chosen over the two-sample
 *     Kolmogorov–Smirnov test because hop counts are discrete with a
 *     handful of values: KS assumes a continuous distribution and is then
 *     conservative by an unknown amount, while chi-square is exact in the
 *     large-sample limit for categories.
 *   - Anything else from a single run: no p-value ("n/a (single run)").
 *
 * A difference is significant when p < alpha (default 0.05).  No
 * multiple-comparison correction is applied to the table; --worse-if names
 * the few metrics that decide the exit status (4 when one is significantly
 * worse), so name only those you mean to test.
 */
#include "sim-cli.h"
#include "sim-metric-info.h"
#include "sim-results.h"
#include "sim-seed-list.h"
#include "sim-format.h"
#include "sim-stats.h"
#include "sim-time.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define HOP_DIST "hop_distribution"

typedef struct
{
  GArray *values; /* double, one per run (NaN where missing) */
  gboolean wall;
  /* From an aggregate summary without the runs: */
  gboolean summarized;
  double mean, sd;
  guint n;
} Metric;

typedef struct
{
  char *dir;
  char *kind;          /* "1 run", "3 runs (seeds 1..3)", ... */
  GPtrArray *names;    /* metric names, file order (owned by `metrics`) */
  GHashTable *metrics; /* name -> Metric */
  GArray *hops;        /* guint64 per hop count, pooled */
  SimCsv *first;       /* the first summary read, for its metadata */
  GArray *seeds;       /* guint64 per run (seed directories only), in the
                          order of Metric.values */
} Side;

static void
metric_free (gpointer p)
{
  Metric *m = p;
  if (m->values != NULL)
    g_array_unref (m->values);
  g_free (m);
}

static void
side_clear (Side *s)
{
  g_free (s->dir);
  g_free (s->kind);
  if (s->names != NULL)
    g_ptr_array_unref (s->names);
  if (s->metrics != NULL)
    g_hash_table_unref (s->metrics);
  if (s->hops != NULL)
    g_array_unref (s->hops);
  sim_csv_free (s->first);
  if (s->seeds != NULL)
    g_array_unref (s->seeds);
}

static Metric *
side_metric (Side *s, const char *name, gboolean wall)
{
  Metric *m = g_hash_table_lookup (s->metrics, name);
  if (m == NULL)
    {
      m = g_new0 (Metric, 1);
      m->values = g_array_new (FALSE, FALSE, sizeof (double));
      m->wall = wall;
      char *key = g_strdup (name);
      g_hash_table_insert (s->metrics, key, m);
      g_ptr_array_add (s->names, key);
    }
  return m;
}

/* Adds one run's summary as run number `run` (0-based). */
static void
side_add_run (Side *s, const SimCsv *csv, guint run)
{
  for (guint i = 0; i < csv->rows->len; i++)
    {
      char **f = csv->rows->pdata[i];
      Metric *m = side_metric (s, f[0], g_array_index (csv->wall, gboolean, i));
      double nan = NAN;
      while (m->values->len < run)
        g_array_append_val (m->values, nan);
      double v = g_ascii_strtod (f[1], NULL);
      if (m->values->len == run)
        g_array_append_val (m->values, v);
    }
}


/* Reads a results directory of one run, of seeds, or an aggregate whose
 * seed directories were removed. */
static gboolean
side_load (Side *s, const char *dir, GError **error)
{
  s->dir = g_strdup (dir);
  s->names = g_ptr_array_new ();
  s->metrics
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, metric_free);
  s->hops = g_array_new (FALSE, TRUE, sizeof (guint64));
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    return sim_cli_input_error (error, "compare: %s: not a results directory", dir);
  g_autofree char *sweep = g_build_filename (dir, "sweep.csv", NULL);
  g_autoptr (GPtrArray) points = g_ptr_array_new_with_free_func (g_free);
  if (!sim_results_list_points (dir, points, error))
    return FALSE;
  if (g_file_test (sweep, G_FILE_TEST_EXISTS) || points->len > 0)
    return sim_cli_input_error (
        error,
        "compare: %s is a parameter sweep; compare "
        "two of its point directories (e.g. %s/%s)",
        dir, dir, points->len > 0 ? (char *)points->pdata[0] : "NAME=VALUE");

  GArray *seeds = s->seeds = g_array_new (FALSE, FALSE, sizeof (guint64));
  if (sim_results_list_seeds (dir, seeds) > 0)
    {
      for (guint i = 0; i < seeds->len; i++)
        {
          g_autofree char *run
              = g_strdup_printf ("%s/seed-%" G_GUINT64_FORMAT, dir,
                                 g_array_index (seeds, guint64, i));
          SimCsv *csv = sim_results_read_run_summary (run, error);
          if (csv == NULL)
            return FALSE;
          side_add_run (s, csv, i);
          if (s->first == NULL)
            s->first = csv;
          else
            sim_csv_free (csv);
          g_autofree char *hp = g_build_filename (run, "hops.csv", NULL);
          if (!sim_results_add_hops (hp, s->hops, error))
            return FALSE;
        }
      g_autofree char *list = sim_seed_list_format (
          (const guint64 *)(void *)seeds->data, seeds->len);
      s->kind = g_strdup_printf ("%u run%s (seeds %s)", seeds->len,
                                 seeds->len == 1 ? "" : "s", list);
      return TRUE;
    }

  g_autofree char *sp = g_build_filename (dir, "summary.csv", NULL);
  g_autofree char *hp = g_build_filename (dir, "hops.csv", NULL);
  if (!g_file_test (sp, G_FILE_TEST_EXISTS))
    return sim_cli_input_error (error,
                        "compare: %s: no summary.csv or seed-N "
                        "directories",
                        dir);
  SimCsv *csv = sim_csv_read (sp, error);
  if (csv == NULL)
    return FALSE;
  s->first = csv;
  int cm = sim_csv_column (csv, "metric"), cv = sim_csv_column (csv, "value");
  int cmean = sim_csv_column (csv, "mean"),
      csd = sim_csv_column (csv, "stddev");
  int cn = sim_csv_column (csv, "n");
  if (cm == 0 && cv == 1 && csv->n_cols == 2)
    {
      side_add_run (s, csv, 0);
      s->kind = g_strdup ("1 run");
    }
  else if (cm == 0 && cmean >= 0 && csd >= 0 && cn >= 0)
    {
      /* An aggregate without its runs: mean, sd and n are enough for
       * Welch's test. */
      guint max_n = 0;
      for (guint i = 0; i < csv->rows->len; i++)
        {
          char **f = csv->rows->pdata[i];
          Metric *m
              = side_metric (s, f[0], g_array_index (csv->wall, gboolean, i));
          m->summarized = TRUE;
          m->mean = g_ascii_strtod (f[cmean], NULL);
          m->sd = g_ascii_strtod (f[csd], NULL);
          m->n = (guint)g_ascii_strtoull (f[cn], NULL, 10);
          max_n = MAX (max_n, m->n);
        }
      s->kind = g_strdup_printf ("aggregate of %u runs", max_n);
    }
  else
    return sim_cli_input_error (error,
                        "compare: %s: not a pastrysim summary (header "
                        "'metric,value' or 'metric,mean,stddev,...')",
                        sp);
  if (!g_file_test (hp, G_FILE_TEST_EXISTS))
    return sim_cli_input_error (error, "compare: %s: no hops.csv", dir);
  return sim_results_add_hops (hp, s->hops, error);
}

/* Mean, sd and n of a metric on one side. */
static void
metric_stats (const Metric *m, double *mean, double *sd, guint *n)
{
  if (m->summarized)
    {
      *mean = m->mean;
      *sd = m->sd;
      *n = m->n;
      return;
    }
  SimStatsSummary st;
  sim_stats_summarize ((const double *)(void *)m->values->data, m->values->len,
                       0.95, &st);
  *mean = st.mean;
  *sd = st.sd;
  *n = st.n;
}

/* Mean, sd and count of the lookups in a hop histogram. */
static void
hop_stats (const GArray *h, double *mean, double *sd, guint64 *n)
{
  double sum = 0, total = 0;
  for (guint i = 0; i < h->len; i++)
    {
      double c = (double)g_array_index (h, guint64, i);
      sum += c * i;
      total += c;
    }
  *n = sim_u64_from_double (total);
  *mean = total > 0 ? sum / total : NAN;
  double ss = 0;
  for (guint i = 0; i < h->len; i++)
    {
      double d = i - *mean;
      ss += (double)g_array_index (h, guint64, i) * d * d;
    }
  *sd = total > 1 ? sqrt (ss / (total - 1)) : NAN;
}

typedef struct
{
  const char *name;
  double a, b, p;
  char test[64];
  const char *na; /* why there is no p-value, or NULL */
} Row;

/* The paired t-test over the seeds both sides ran (B - A per seed): mean
 * difference, two-sided p-value, and the half width of its 95 % interval.
 * Returns the number of pairs (0 when fewer than 2). */
static guint
paired_stats (const Side *A, const Side *B, const Metric *ma,
              const Metric *mb, double *mean, double *p, double *half)
{
  if (A->seeds == NULL || B->seeds == NULL || ma == NULL || mb == NULL
      || ma->summarized || mb->summarized)
    return 0;
  g_autoptr (GArray) d = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint i = 0; i < A->seeds->len && i < ma->values->len; i++)
    for (guint k = 0; k < B->seeds->len && k < mb->values->len; k++)
      if (g_array_index (A->seeds, guint64, i)
          == g_array_index (B->seeds, guint64, k))
        {
          double x = g_array_index (mb->values, double, k)
                     - g_array_index (ma->values, double, i);
          if (isfinite (x))
            g_array_append_val (d, x);
        }
  guint n = d->len;
  if (n < 2)
    return 0;
  double sum = 0, ss = 0;
  for (guint i = 0; i < n; i++)
    sum += g_array_index (d, double, i);
  *mean = sum / n;
  for (guint i = 0; i < n; i++)
    {
      double e = g_array_index (d, double, i) - *mean;
      ss += e * e;
    }
  double se = sqrt (ss / (n - 1) / n);
  *half = sim_stats_t_quantile (0.975, n - 1) * se;
  if (se == 0)
    *p = *mean == 0 ? 1.0 : 0.0;
  else
    *p = 2 * (1 - sim_stats_t_cdf (fabs (*mean / se), n - 1));
  return n;
}

static gboolean paired_mode;

static void
compare_metric (const Side *A, const Side *B, const char *name, Row *r)
{
  memset (r, 0, sizeof *r);
  r->name = name;
  r->p = NAN;
  if (g_str_equal (name, HOP_DIST))
    {
      double sa, sb;
      guint64 na, nb;
      hop_stats (A->hops, &r->a, &sa, &na);
      hop_stats (B->hops, &r->b, &sb, &nb);
      guint k = MAX (A->hops->len, B->hops->len);
      g_autofree guint64 *ha = g_new0 (guint64, MAX (k, 1));
      g_autofree guint64 *hb = g_new0 (guint64, MAX (k, 1));
      memcpy (ha, A->hops->data, A->hops->len * sizeof (guint64));
      memcpy (hb, B->hops->data, B->hops->len * sizeof (guint64));
      double stat;
      guint dof;
      r->p = sim_stats_chi2_homogeneity (ha, hb, k, &stat, &dof);
      if (isnan (r->p))
        r->na = "n/a (no lookups)";
      else
        g_snprintf (r->test, sizeof r->test, "chi2(dof=%u)", dof);
      return;
    }
  const Metric *ma = g_hash_table_lookup (A->metrics, name);
  const Metric *mb = g_hash_table_lookup (B->metrics, name);
  double sa, sb;
  guint na, nb;
  metric_stats (ma, &r->a, &sa, &na);
  metric_stats (mb, &r->b, &sb, &nb);
  if (isnan (r->a) || isnan (r->b))
    {
      r->na = "n/a (nan)";
      return;
    }
  double dmean, dp, dhalf;
  guint np;
  if (paired_mode
      && (np = paired_stats (A, B, ma, mb, &dmean, &dp, &dhalf)) >= 2)
    {
      /* Same seeds, same ids, positions, churn and workload draws: the
       * per-seed differences cancel what both runs share.  The Welch
       * interval of the same difference is shown beside it. */
      double wdof = NAN;
      sim_stats_welch (r->a, sa, na, r->b, sb, nb, NULL, &wdof);
      double whalf = sim_stats_t_quantile (0.975, isnan (wdof) ? 1 : wdof)
                     * sqrt (sa * sa / na + sb * sb / nb);
      r->p = dp;
      g_snprintf (r->test, sizeof r->test,
                  "paired(seeds %u, +/-%.3g; welch +/-%.3g)", np, dhalf,
                  whalf);
      return;
    }
  if (na >= 2 && nb >= 2)
    {
      r->p = sim_stats_welch (r->a, sa, na, r->b, sb, nb, NULL, NULL);
      g_snprintf (r->test, sizeof r->test, "welch(seeds %u/%u)", na, nb);
      return;
    }
  if (g_str_equal (name, "mean_hops"))
    {
      double ha, hb, da, db;
      guint64 la, lb;
      hop_stats (A->hops, &ha, &da, &la);
      hop_stats (B->hops, &hb, &db, &lb);
      if (la >= 2 && lb >= 2)
        {
          r->p = sim_stats_welch (ha, da, la, hb, db, lb, NULL, NULL);
          g_snprintf (r->test, sizeof r->test,
                      "welch(lookups %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT
                      ")",
                      la, lb);
          return;
        }
    }
  r->na = "n/a (single run)";
}


/* Parameters ("# NAME = VALUE" and "# let NAME = VALUE" metadata) that
 * differ between the two sides' first runs, as comment lines. */
static void
print_param_diffs (const Side *A, const Side *B)
{
  g_autoptr (GHashTable) pa
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < A->first->meta->len; i++)
    {
      const char *l = A->first->meta->pdata[i];
      const char *eq = strstr (l, " = ");
      if (eq != NULL && !g_str_has_prefix (l, "# seed = "))
        g_hash_table_insert (pa, g_strndup (l, (gsize)(eq - l)),
                             (gpointer)(eq + 3));
    }
  for (guint i = 0; i < B->first->meta->len; i++)
    {
      const char *l = B->first->meta->pdata[i];
      const char *eq = strstr (l, " = ");
      if (eq == NULL || g_str_has_prefix (l, "# seed = "))
        continue;
      g_autofree char *key = g_strndup (l, (gsize)(eq - l));
      const char *va = g_hash_table_lookup (pa, key);
      if (va == NULL || !g_str_equal (va, eq + 3))
        printf ("# differs: %s: %s (A) vs %s (B)\n", key + 2,
                va != NULL ? va : "-", eq + 3);
    }
}

typedef struct
{
  char *name;
  gboolean larger; /* worse if B > A */
} WorseIf;

static void
worse_if_free (gpointer p)
{
  WorseIf *w = p;
  g_free (w->name);
  g_free (w);
}

/* Prints the table for loaded sides; returns the exit status. */
static int
compare_sides (const Side *A, const Side *B, GPtrArray *rules, const char *only,
               double alpha, gboolean csv)
{
  for (guint i = 0; i < rules->len; i++)
    {
      const WorseIf *w = rules->pdata[i];
      if (g_str_equal (w->name, HOP_DIST))
        continue;
      const char *missing
          = !g_hash_table_contains (A->metrics, w->name)   ? A->dir
            : !g_hash_table_contains (B->metrics, w->name) ? B->dir
                                                           : NULL;
      if (missing != NULL)
        {
          fprintf (stderr,
                   "pastrysim: --worse-if: unknown metric '%s' (not "
                   "in %s; see its summary.csv, or use %s)\n",
                   w->name, missing, HOP_DIST);
          return SIM_EXIT_BAD_INPUT;
        }
    }
  int status = SIM_EXIT_OK;
  g_auto (GStrv) only_v = only != NULL ? g_strsplit (only, ",", -1) : NULL;

  /* Rows: A's metrics that B has too, deterministic before wall-clock,
   * then the hop distribution. */
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; i < A->names->len; i++)
      {
        const char *n = A->names->pdata[i];
        const Metric *m = g_hash_table_lookup (A->metrics, n);
        if (m->wall == (pass == 1) && g_hash_table_contains (B->metrics, n))
          g_ptr_array_add (names, (gpointer)n);
      }
  g_ptr_array_add (names, HOP_DIST);

  printf ("# A: %s (%s)\n# B: %s (%s)\n", A->dir, A->kind, B->dir, B->kind);
  print_param_diffs (A, B);
  if (csv)
    printf ("metric,A,B,diff,p_value,significant,test\n");
  else
    printf ("%-28s %14s %14s %14s %18s %-11s %s\n", "metric", "A", "B", "diff",
            "p-value", "significant", "test");
  g_autoptr (GString) worse_list = g_string_new (NULL);
  for (guint i = 0; i < names->len; i++)
    {
      const char *n = names->pdata[i];
      gboolean shown
          = only_v == NULL || g_strv_contains ((const char *const *)only_v, n);
      const WorseIf *rule = NULL;
      for (guint k = 0; k < rules->len; k++)
        if (g_str_equal (((WorseIf *)rules->pdata[k])->name, n))
          rule = rules->pdata[k];
      if (!shown && rule == NULL)
        continue;
      Row r;
      compare_metric (A, B, n, &r);
      gboolean sig = r.na == NULL && r.p < alpha;
      char a[40], b[40], d[40], p[40];
      const char *ps
          = r.na != NULL ? r.na : sim_format_sig (p, sizeof p, r.p, 6);
      const char *ss = r.na != NULL ? "-" : sig ? "yes" : "no";
      const char *va = sim_format_sig (a, sizeof a, r.a, 6);
      const char *vb = sim_format_sig (b, sizeof b, r.b, 6);
      const char *vd = sim_format_sig (d, sizeof d, r.b - r.a, 6);
      if (csv)
        printf ("%s,%s,%s,%s,%s,%s,%s\n", n, va, vb, vd,
                r.na != NULL ? "n/a" : ps, ss, r.na != NULL ? "" : r.test);
      else
        printf ("%-28s %14s %14s %14s %18s %-11s %s\n", n, va, vb, vd, ps, ss,
                r.test);
      if (rule != NULL && sig && (rule->larger ? r.b > r.a : r.b < r.a))
        g_string_append_printf (worse_list, "%s%s (%s, p = %s)",
                                worse_list->len > 0 ? ", " : "", n,
                                rule->larger ? "larger" : "smaller", ps);
    }
  if (worse_list->len > 0)
    {
      printf ("# B is significantly worse than A (alpha %g): %s\n", alpha,
              worse_list->str);
      fprintf (stderr,
               "pastrysim: compare: B is significantly worse than A: "
               "%s\n",
               worse_list->str);
      status = SIM_EXIT_WORSE;
    }
  else if (rules->len > 0)
    printf ("# B is not significantly worse than A on the --worse-if "
            "metrics (alpha %g)\n",
            alpha);
  return status;
}

int
sim_cli_compare (int argc, char **argv)
{
  g_auto (GStrv) worse = NULL;
  g_autofree char *alpha_s = NULL, *only = NULL;
  gboolean csv = FALSE;
  GOptionEntry entries[] = {
    { "worse-if", 'w', 0, G_OPTION_ARG_STRING_ARRAY, &worse,
      "Exit 4 if B is significantly worse on these metrics: METRIC> (worse "
      "if larger) or METRIC< (worse if smaller), comma-separated",
      "METRIC>,METRIC<" },
    { "alpha", 'a', 0, G_OPTION_ARG_STRING, &alpha_s,
      "Significance level (default 0.05)", "A" },
    { "metrics", 'm', 0, G_OPTION_ARG_STRING, &only,
      "Show only these metrics (comma-separated)", "LIST" },
    { "csv", 0, 0, G_OPTION_ARG_NONE, &csv, "Print CSV instead of a table",
      NULL },
    { "paired", 'p', 0, G_OPTION_ARG_NONE, &paired_mode,
      "Matched seeds: the paired t-test on per-seed differences (B - A) "
      "over the seeds both sides ran, instead of Welch's",
      NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (GOptionContext) ctx
      = g_option_context_new ("DIR_A DIR_B - compare two results directories");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_description (
      ctx,
      "Each DIR is the results of one run (summary.csv, hops.csv) or of\n"
      "several seeds (seed-*/).  For each metric prints A, B, B - A, the\n"
      "p-value and whether p < alpha: Welch's t-test over seeds when both\n"
      "sides have two or more; for mean_hops otherwise Welch's t-test over\n"
      "lookups (hops.csv); the row hop_distribution is a chi-square test of\n"
      "homogeneity of the hop counts.\n\n"
      "Exit status: 0 no --worse-if metric significantly worse, 4 some\n"
      "is, 2 bad input.");
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "pastrysim: compare: %s\n", error->message);
      return SIM_EXIT_BAD_INPUT;
    }
  if (argc != 3)
    {
      fprintf (stderr,
               "pastrysim: compare: %s\nTry 'pastrysim compare "
               "--help'.\n",
               argc < 3 ? "needs DIR_A and DIR_B" : "too many arguments");
      return SIM_EXIT_BAD_INPUT;
    }
  double alpha = 0.05;
  if (alpha_s != NULL)
    {
      char *end;
      alpha = g_ascii_strtod (alpha_s, &end);
      if (*alpha_s == '\0' || *end != '\0' || !(alpha > 0 && alpha < 1))
        {
          fprintf (stderr,
                   "pastrysim: --alpha: '%s' is not a number "
                   "between 0 and 1\n",
                   alpha_s);
          return SIM_EXIT_BAD_INPUT;
        }
    }

  /* --worse-if syntax first: no files are read for a typo. */
  g_autoptr (GPtrArray) rules = g_ptr_array_new_with_free_func (worse_if_free);
  for (guint i = 0; worse != NULL && worse[i] != NULL; i++)
    {
      g_auto (GStrv) items = g_strsplit (worse[i], ",", -1);
      for (guint k = 0; items[k] != NULL; k++)
        {
          char *it = g_strstrip (items[k]);
          gsize n = strlen (it);
          if (n == 0)
            continue;
          if (n < 2 || (it[n - 1] != '>' && it[n - 1] != '<'))
            {
              fprintf (stderr,
                       "pastrysim: --worse-if: '%s' needs a "
                       "direction: %s> (worse if larger) or %s< (worse if "
                       "smaller)\n",
                       it, it, it);
              return SIM_EXIT_BAD_INPUT;
            }
          WorseIf *w = g_new0 (WorseIf, 1);
          w->larger = it[n - 1] == '>';
          it[n - 1] = '\0';
          w->name = g_strdup (g_strstrip (it));
          if (!g_str_equal (w->name, "hop_distribution")
              && sim_metric_info_lookup (w->name) == NULL)
            {
              fprintf (stderr, "pastrysim: --worse-if: unknown metric '%s' "
                       "(see 'pastrysim metrics')\n", w->name);
              worse_if_free (w);
              return SIM_EXIT_BAD_INPUT;
            }
          g_ptr_array_add (rules, w);
        }
    }

  Side A = { 0 }, B = { 0 };
  int status;
  if (!side_load (&A, argv[1], &error) || !side_load (&B, argv[2], &error))
    status = sim_cli_fail (error);
  else
    status = compare_sides (&A, &B, rules, only, alpha, csv);
  side_clear (&A);
  side_clear (&B);
  return status;
}
