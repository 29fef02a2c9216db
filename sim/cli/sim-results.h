/* sim-results.h — reading results directories back, and building the
 * multi-run files from them (`collect`).
 *
 * CLI layer.  Layouts (results/README.md):
 *
 *   run       DIR/summary.csv (metric,value), hops.csv, ... scenario.scn
 *   seeds     DIR/seed-N/ (runs) + DIR/summary.csv and aggregate.csv
 *             (metric,mean,stddev,ci95_low,ci95_high,n), DIR/hops.csv
 *             (pooled), DIR/scenario.scn
 *   sweep     DIR/NAME=V,.../ (a run or a seeds directory each) +
 *             DIR/sweep.csv (one row per run) + DIR/scenario.scn
 *
 * Everything built here is a function of the files on disk, read in a
 * fixed order (seeds ascending, points by value), so the result does not
 * depend on which run finished first or on which machine it ran.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A CSV file as pastrysim writes it: leading '#' metadata lines, a header
 * row, data rows; a "# wall-clock rows" comment marks the rows after it.
 * No quoting (pastrysim never writes commas inside fields). */
typedef struct
{
  char *path;
  GPtrArray *meta; /* char *: the leading '#' lines, without '\n' */
  GStrv header;    /* column names */
  guint n_cols;
  GPtrArray *rows; /* GStrv, n_cols fields each */
  GArray *wall;    /* gboolean per row: after "# wall-clock rows" */
} SimCsv;

/* Reads path.  Returns NULL with a SIM_CLI_ERROR (INPUT for a missing or
 * malformed file: "PATH:LINE: message") on failure. */
SimCsv *sim_csv_read (const char *path, GError **error);
void sim_csv_free (SimCsv *csv);

/* The index of column name, or -1. */
int sim_csv_column (const SimCsv *csv, const char *name);

/* The value of the metadata line "# KEY: VALUE", or NULL.  (transfer
 * none) */
const char *sim_csv_meta (const SimCsv *csv, const char *key);

/* Reads run_dir/summary.csv, which must be the summary of one run
 * (header "metric,value").  Returns NULL with an INPUT error otherwise. */
SimCsv *sim_results_read_run_summary (const char *run_dir, GError **error);

/* The value of metric in one run's summary: the field as written, or
 * NULL when the run has no such row.  (transfer none) */
const char *sim_results_run_value (const SimCsv *csv, const char *metric);

/* Adds the counts of the hops.csv at path to counts (a GArray of guint64,
 * grown as needed; index = hop count). */
gboolean sim_results_add_hops (const char *path, GArray *counts,
                               GError **error);

/* The seeds of the seed-N subdirectories of dir, ascending (appended to
 * seeds, a GArray of guint64).  Returns the number found. */
guint sim_results_list_seeds (const char *dir, GArray *seeds);

/* The sweep point subdirectories of dir (NAME=VALUE,... names, skipping
 * temporary .tmp-* and .old-* ones), sorted by value: for each parameter
 * in order, numbers numerically before words byte-wise.  Appends the
 * directory names to points.  Returns FALSE with an INPUT error if the
 * points do not all name the same parameters in the same order. */
gboolean sim_results_list_points (const char *dir, GPtrArray *points,
                                  GError **error);

/* Builds the multi-run files of dir: for a seeds directory, summary.csv,
 * aggregate.csv, hops.csv and scenario.scn; for a sweep directory, those
 * of every point that has seed subdirectories, then sweep.csv and
 * scenario.scn.  Returns FALSE with error when dir is neither, or a run is
 * incomplete (a missing summary.csv or hops.csv). */
gboolean sim_results_collect (const char *dir, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimCsv, sim_csv_free)

G_END_DECLS
