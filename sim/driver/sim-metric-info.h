/* sim-metric-info.h — the registry of summary metrics: every row a run can
 * write into summary.csv, with its unit and a one-line meaning.  The one
 * place a metric is defined: `pastrysim metrics` prints it, `expect` lines
 * and `compare --worse-if` are checked against it before anything runs, and
 * sim_metrics_set() refuses (g_critical) a name it does not know, so a new
 * row cannot be written without being documented here.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  /* The name; '#' stands for a number of one or more digits
   * ("phase#_mean_hops" is phase1_mean_hops, phase2_..., one per lookup
   * action when there are two or more). */
  const char *name;
  const char *unit;    /* "hops", "ms", "ratio", "count", ... */
  const char *group;   /* for `pastrysim metrics`: "lookups", "joins", ... */
  const char *doc;     /* one line */
  gboolean wall_clock; /* varies between identical runs: written after the
                          "# wall-clock rows" line, never compared */
} SimMetricInfo;

/* The entry for name, or NULL when no metric has that name.
 * (transfer none) */
const SimMetricInfo *sim_metric_info_lookup (const char *name);

/* Appends the registry as a table, grouped, one metric per line. */
void sim_metric_info_describe (GString *out);

G_END_DECLS
