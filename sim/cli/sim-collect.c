/* sim-collect.c — the files a multi-run results directory adds to its runs:
 * the aggregate summary (mean, standard deviation and 95 % confidence
 * interval per metric over seeds), pooled hop counts, a sweep's wide
 * sweep.csv, and the scenario the directory stands for.
 *
 * Invariant: every file written here is a function of the run files alone,
 * read in sorted order, so the same runs give byte-identical files whether
 * a batch, `pastrysim collect` after GNU parallel, or a Slurm job built
 * them — except the wall-clock rows, which vary with the runs themselves.
 * Nothing is written until every file is built; then all are written at
 * once (sim_publish_files_commit: all or nothing, and only over files
 * pastrysim wrote), so a failure leaves the previous files in place.
 *
 * Cost: reads every summary.csv and hops.csv once; memory O(metrics x
 * runs of one point) for the aggregate, O(one run) for sweep.csv rows.
 */
#include "pastrysim-version.h"
#include "sim-cli.h"
#include "sim-publish.h"
#include "sim-results.h"
#include "sim-seed-list.h"
#include "sim-format.h"
#include "sim-stats.h"

#include <math.h>
#include <string.h>


/* Adds dir/name to the files the collect writes (all or nothing, at the
 * end: sim_publish_files_commit). */
static void
write_text (SimPublishFiles *files, const char *dir, const char *name,
            const GString *s)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  sim_publish_files_add (files, path, s);
}

SimCsv *
sim_results_read_run_summary (const char *run_dir, GError **error)
{
  g_autofree char *path = g_build_filename (run_dir, "summary.csv", NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, SIM_CLI_ERROR, SIM_CLI_ERROR_INPUT,
                   "%s: no summary.csv (an unfinished or failed run?)",
                   run_dir);
      return NULL;
    }
  g_autoptr (SimCsv) csv = sim_csv_read (path, error);
  if (csv == NULL)
    return NULL;
  if (csv->n_cols != 2 || !g_str_equal (csv->header[0], "metric")
      || !g_str_equal (csv->header[1], "value"))
    {
      g_set_error (error, SIM_CLI_ERROR, SIM_CLI_ERROR_INPUT,
                   "%s: not the summary of one run (header must be "
                   "'metric,value')",
                   path);
      return NULL;
    }
  return g_steal_pointer (&csv);
}

/* Metric names in first-seen order over the runs, deterministic rows
 * before wall-clock rows.  Returns the names (owned by the CSVs) and sets
 * *n_det to the number of deterministic ones. */
static GPtrArray *
union_metrics (GPtrArray *runs, guint *n_det)
{
  GPtrArray *det = g_ptr_array_new (), *wall = g_ptr_array_new ();
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint r = 0; r < runs->len; r++)
    {
      SimCsv *csv = runs->pdata[r];
      for (guint i = 0; i < csv->rows->len; i++)
        {
          const char *name = ((char **)csv->rows->pdata[i])[0];
          if (!g_hash_table_add (seen, (gpointer)name))
            continue;
          g_ptr_array_add (g_array_index (csv->wall, gboolean, i) ? wall : det,
                           (gpointer)name);
        }
    }
  *n_det = det->len;
  for (guint i = 0; i < wall->len; i++)
    g_ptr_array_add (det, wall->pdata[i]);
  g_ptr_array_unref (wall);
  return det;
}

const char *
sim_results_run_value (const SimCsv *csv, const char *metric)
{
  for (guint i = 0; i < csv->rows->len; i++)
    {
      char **f = csv->rows->pdata[i];
      if (g_str_equal (f[0], metric))
        return f[1];
    }
  return NULL;
}

/* The metadata block of a multi-run file, from the first run's: "# seed:"
 * becomes "# seeds: LIST", followed by the extra lines (or disappears when
 * seeds is NULL, the extra lines then following "# scenario:"); "# seed ="
 * and the resolved lines of the names in drop go. */
static void
append_meta (GString *out, const SimCsv *first, const char *seeds,
             const char *const *drop, const char *const *extra)
{
  gboolean placed = FALSE;
  for (guint i = 0; i < first->meta->len; i++)
    {
      const char *line = first->meta->pdata[i];
      gboolean here = FALSE;
      if (g_str_has_prefix (line, "# seed:"))
        {
          if (seeds == NULL)
            continue;
          g_string_append_printf (out, "# seeds: %s\n", seeds);
          here = TRUE;
        }
      else
        {
          /* A run's fingerprint is that run's alone. */
          gboolean skip = g_str_has_prefix (line, "# seed = ")
                          || g_str_has_prefix (line, "# fingerprint:");
          for (guint k = 0; !skip && drop != NULL && drop[k] != NULL; k++)
            {
              g_autofree char *p1 = g_strdup_printf ("# %s = ", drop[k]);
              g_autofree char *p2 = g_strdup_printf ("# let %s = ", drop[k]);
              skip = g_str_has_prefix (line, p1) || g_str_has_prefix (line, p2);
            }
          if (skip)
            continue;
          g_string_append_printf (out, "%s\n", line);
          here = seeds == NULL && g_str_has_prefix (line, "# scenario:");
        }
      if (here && !placed)
        {
          for (guint k = 0; extra != NULL && extra[k] != NULL; k++)
            g_string_append_printf (out, "%s\n", extra[k]);
          placed = TRUE;
        }
    }
  if (!placed)
    for (guint k = 0; extra != NULL && extra[k] != NULL; k++)
      g_string_append_printf (out, "%s\n", extra[k]);
}

/* Writes dir/scenario.scn: the scenario of run_dir with a header saying
 * what the other runs change. */
static gboolean
write_scenario (SimPublishFiles *files, const char *dir, const char *run_dir,
                const char *what, GError **error)
{
  g_autofree char *src = g_build_filename (run_dir, "scenario.scn", NULL);
  g_autofree char *text = NULL;
  GError *e = NULL;
  if (!g_file_get_contents (src, &text, NULL, &e))
    {
      g_set_error (error, SIM_CLI_ERROR, SIM_CLI_ERROR_INPUT, "%s", e->message);
      g_error_free (e);
      return FALSE;
    }
  g_autoptr (GString) out = g_string_new (NULL);
  g_string_append_printf (out, "# %s\n%s", what, text);
  write_text (files, dir, "scenario.scn", out);
  return TRUE;
}

static gboolean
collect_seeds (SimPublishFiles *files, const char *dir, GArray *seeds,
               GError **error)
{
  g_autoptr (GPtrArray) runs
      = g_ptr_array_new_with_free_func ((GDestroyNotify)sim_csv_free);
  g_autoptr (GArray) hops = g_array_new (FALSE, TRUE, sizeof (guint64));
  for (guint i = 0; i < seeds->len; i++)
    {
      g_autofree char *name = g_strdup_printf (
          "seed-%" G_GUINT64_FORMAT, g_array_index (seeds, guint64, i));
      g_autofree char *run = g_build_filename (dir, name, NULL);
      SimCsv *csv = sim_results_read_run_summary (run, error);
      if (csv == NULL)
        return FALSE;
      g_ptr_array_add (runs, csv);
      g_autofree char *hp = g_build_filename (run, "hops.csv", NULL);
      if (!sim_results_add_hops (hp, hops, error))
        return FALSE;
    }
  g_autofree char *list = sim_seed_list_format (
      (const guint64 *)(void *)seeds->data, seeds->len);
  const SimCsv *first = runs->pdata[0];

  /* summary.csv = aggregate.csv */
  guint n_det;
  g_autoptr (GPtrArray) metrics = union_metrics (runs, &n_det);
  g_autoptr (GString) agg = g_string_new (NULL);
  g_autofree char *runs_line = g_strdup_printf (
      "# aggregate of %u runs (seed-*/summary.csv): mean, sample standard "
      "deviation, 95%% confidence interval of the mean (Student t, n-1 "
      "degrees of freedom); n = runs with a finite value",
      runs->len);
  const char *extra[] = { runs_line, NULL };
  append_meta (agg, first, list, NULL, extra);
  g_string_append (agg, "metric,mean,stddev,ci95_low,ci95_high,n\n");
  g_autofree double *x = g_new (double, runs->len);
  for (guint m = 0; m < metrics->len; m++)
    {
      const char *name = metrics->pdata[m];
      if (m == n_det)
        g_string_append (agg,
                         "# wall-clock rows (vary between identical runs):\n");
      for (guint r = 0; r < runs->len; r++)
        {
          const char *v = sim_results_run_value (runs->pdata[r], name);
          x[r] = v != NULL ? g_ascii_strtod (v, NULL) : NAN;
        }
      SimStatsSummary s;
      sim_stats_summarize (x, runs->len, 0.95, &s);
      char a[40], b[40], c[40], d[40];
      /* 10 significant digits, as every aggregate file. */
      g_string_append_printf (agg, "%s,%s,%s,%s,%s,%u\n", name,
                              sim_format_sig (a, sizeof a, s.mean, 10),
                              sim_format_sig (b, sizeof b, s.sd, 10),
                              sim_format_sig (c, sizeof c, s.ci_low, 10),
                              sim_format_sig (d, sizeof d, s.ci_high, 10),
                              s.n);
    }
  write_text (files, dir, "summary.csv", agg);
  write_text (files, dir, "aggregate.csv", agg);

  /* hops.csv, pooled */
  g_autoptr (GString) h = g_string_new (NULL);
  const char *hextra[] = { "# hop counts pooled over seed-*/hops.csv", NULL };
  append_meta (h, first, list, NULL, hextra);
  g_string_append (h, "hops,count,fraction\n");
  guint64 total = 0;
  guint max = 0;
  for (guint i = 0; i < hops->len; i++)
    {
      total += g_array_index (hops, guint64, i);
      if (g_array_index (hops, guint64, i) > 0)
        max = i;
    }
  for (guint i = 0; total > 0 && i <= max; i++)
    {
      char f[40];
      guint64 c = g_array_index (hops, guint64, i);
      g_string_append_printf (
          h, "%u,%" G_GUINT64_FORMAT ",%s\n", i, c,
          g_ascii_formatd (f, sizeof f, "%.6f", (double)c / total));
    }
  write_text (files, dir, "hops.csv", h);

  g_autofree char *first_dir = g_strdup_printf (
      "%s/seed-%" G_GUINT64_FORMAT, dir, g_array_index (seeds, guint64, 0));
  g_autofree char *what = g_strdup_printf (
      "Results of seeds %s: this is the scenario of seed-%" G_GUINT64_FORMAT
      "; the others differ only in 'seed'.",
      list, g_array_index (seeds, guint64, 0));
  return write_scenario (files, dir, first_dir, what, error);
}

static int
cmp_u64 (gconstpointer a, gconstpointer b)
{
  guint64 x = *(const guint64 *)a, y = *(const guint64 *)b;
  return x < y ? -1 : x > y;
}

/* A CSV field: quoted when it holds a comma, a quote or a line break. */
static void
append_field (GString *out, const char *v)
{
  if (strpbrk (v, ",\"\r\n") == NULL)
    {
      g_string_append (out, v);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = v; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static gboolean
collect_sweep (SimPublishFiles *files, const char *dir, GPtrArray *points,
               GError **error)
{
  /* The runs of every point, in order; each point collected first. */
  g_autoptr (GPtrArray) run_dirs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GArray) run_point = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr (GArray) all_seeds = g_array_new (FALSE, FALSE, sizeof (guint64));
  gboolean any_seeds = FALSE;
  for (guint p = 0; p < points->len; p++)
    {
      g_autofree char *pdir = g_build_filename (dir, points->pdata[p], NULL);
      g_autoptr (GArray) seeds = g_array_new (FALSE, FALSE, sizeof (guint64));
      if (sim_results_list_seeds (pdir, seeds) > 0)
        {
          any_seeds = TRUE;
          if (!collect_seeds (files, pdir, seeds, error))
            return FALSE;
          for (guint s = 0; s < seeds->len; s++)
            {
              guint64 v = g_array_index (seeds, guint64, s);
              g_ptr_array_add (
                  run_dirs,
                  g_strdup_printf ("%s/seed-%" G_GUINT64_FORMAT, pdir, v));
              g_array_append_val (run_point, p);
              g_array_append_val (all_seeds, v);
            }
        }
      else
        {
          g_ptr_array_add (run_dirs, g_steal_pointer (&pdir));
          g_array_append_val (run_point, p);
        }
    }

  /* Every run's summary (small: a few KB each). */
  g_autoptr (GPtrArray) runs
      = g_ptr_array_new_with_free_func ((GDestroyNotify)sim_csv_free);
  for (guint r = 0; r < run_dirs->len; r++)
    {
      SimCsv *csv = sim_results_read_run_summary (run_dirs->pdata[r], error);
      if (csv == NULL)
        return FALSE;
      g_ptr_array_add (runs, csv);
    }
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) values = g_ptr_array_new_with_free_func (g_free);
  sim_point_dir_parse (points->pdata[0], names, values);
  guint n_names = names->len;
  g_ptr_array_add (names, NULL);

  g_autoptr (GString) out = g_string_new (NULL);
  g_autofree char *swept = g_strjoinv (",", (char **)names->pdata);
  g_autofree char *swept_line = g_strdup_printf ("# swept: %s", swept);
  g_autofree char *seeds_line = NULL;
  if (any_seeds)
    {
      g_array_sort (all_seeds, cmp_u64);
      guint u = 0;
      for (guint i = 0; i < all_seeds->len; i++)
        if (u == 0
            || g_array_index (all_seeds, guint64, i)
                   != g_array_index (all_seeds, guint64, u - 1))
          g_array_index (all_seeds, guint64, u++)
              = g_array_index (all_seeds, guint64, i);
      g_autofree char *list
          = sim_seed_list_format ((const guint64 *)(void *)all_seeds->data, u);
      seeds_line = g_strdup_printf ("# seeds: %s", list);
    }
  const char *extra[] = { swept_line, seeds_line, NULL };
  append_meta (out, runs->pdata[0], NULL, (const char *const *)names->pdata,
               extra);

  guint n_det;
  g_autoptr (GPtrArray) metrics = union_metrics (runs, &n_det);
  for (guint i = 0; i < n_names; i++)
    {
      append_field (out, names->pdata[i]);
      g_string_append_c (out, ',');
    }
  g_string_append (out, "seed");
  for (guint m = 0; m < metrics->len; m++)
    {
      const char *name = metrics->pdata[m];
      gboolean clash = g_str_equal (name, "seed");
      for (guint i = 0; !clash && i < n_names; i++)
        clash = g_str_equal (name, names->pdata[i]);
      g_string_append_printf (out, ",%s%s", name, clash ? "_metric" : "");
    }
  g_string_append_c (out, '\n');

  for (guint r = 0; r < runs->len; r++)
    {
      const SimCsv *csv = runs->pdata[r];
      guint p = g_array_index (run_point, guint, r);
      g_autoptr (GPtrArray) pn = g_ptr_array_new_with_free_func (g_free);
      g_autoptr (GPtrArray) pv = g_ptr_array_new_with_free_func (g_free);
      sim_point_dir_parse (points->pdata[p], pn, pv);
      for (guint i = 0; i < pv->len; i++)
        {
          append_field (out, pv->pdata[i]);
          g_string_append_c (out, ',');
        }
      const char *seed = sim_csv_meta (csv, "seed");
      append_field (out, seed != NULL ? seed : "");
      for (guint m = 0; m < metrics->len; m++)
        {
          const char *v = sim_results_run_value (csv, metrics->pdata[m]);
          g_string_append_c (out, ',');
          append_field (out, v != NULL ? v : "");
        }
      g_string_append_c (out, '\n');
    }
  write_text (files, dir, "sweep.csv", out);

  g_autofree char *what = g_strdup_printf (
      "Parameter sweep over %s (see sweep.csv): this is the scenario of "
      "%s; the other runs differ in the swept parameters%s.",
      swept, (char *)run_dirs->pdata[0] + strlen (dir) + 1,
      any_seeds ? " and 'seed'" : "");
  return write_scenario (files, dir, run_dirs->pdata[0], what, error);
}

gboolean
sim_results_collect (const char *dir, GError **error)
{
  g_return_val_if_fail (dir != NULL, FALSE);
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, SIM_CLI_ERROR, SIM_CLI_ERROR_INPUT,
                   "%s: not a directory", dir);
      return FALSE;
    }
  g_autoptr (GArray) seeds = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr (GPtrArray) points = g_ptr_array_new_with_free_func (g_free);
  sim_results_list_seeds (dir, seeds);
  if (!sim_results_list_points (dir, points, error))
    return FALSE;
  if (seeds->len > 0 && points->len > 0)
    {
      g_set_error (error, SIM_CLI_ERROR, SIM_CLI_ERROR_INPUT,
                   "%s: has both seed-N and NAME=VALUE subdirectories", dir);
      return FALSE;
    }
  g_autoptr (SimPublishFiles) files = sim_publish_files_new ();
  if (seeds->len > 0)
    return collect_seeds (files, dir, seeds, error)
           && sim_publish_files_commit (files, error);
  if (points->len > 0)
    return collect_sweep (files, dir, points, error)
           && sim_publish_files_commit (files, error);
  g_set_error (error, SIM_CLI_ERROR, SIM_CLI_ERROR_INPUT,
               "%s: no seed-N or NAME=VALUE subdirectories to collect", dir);
  return FALSE;
}
