/* sim-main.c — the pastrysim command line.
 *
 *   pastrysim run SCENARIO [--seed N] [--out DIR] [--set NAME=VALUE]...
 *                          [--quiet] [--no-lookups-csv]
 *   pastrysim params
 *   pastrysim --version | --help
 *
 * Exit status: 0 success, 1 internal or I/O failure, 2 bad input (options,
 * scenario, latency files), 3 an expectation failed, 130 interrupted.
 *
 * Results are written into a fresh temporary directory beside DIR and
 * renamed into place only when complete, so an interrupted or failed run
 * never leaves a results directory that looks finished.
 */
#include "pastrysim-version.h"
#include "sim-metrics.h"
#include "sim-scenario.h"
#include "sim-world.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define EXIT_BAD_INPUT 2
#define EXIT_EXPECT 3
#define EXIT_INTERRUPTED 130

static volatile sig_atomic_t interrupted;

static void
on_signal (int sig)
{
  (void) sig;
  interrupted = 1;
}

/* Removes a directory tree (results we created ourselves). */
static void
rm_rf (const char *path)
{
  GDir *d = g_dir_open (path, 0, NULL);
  if (d != NULL)
    {
      const char *name;
      while ((name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          if (g_file_test (child, G_FILE_TEST_IS_DIR)
              && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            rm_rf (child);
          else
            g_unlink (child);
        }
      g_dir_close (d);
    }
  g_rmdir (path);
}

static double
peak_rss_mb (void)
{
  struct rusage ru;
  if (getrusage (RUSAGE_SELF, &ru) != 0)
    return 0;
  return (double) ru.ru_maxrss / 1024.0; /* Linux reports KiB */
}

static int
usage_error (const char *msg)
{
  fprintf (stderr, "pastrysim: %s\nTry 'pastrysim --help'.\n", msg);
  return EXIT_BAD_INPUT;
}

static const char *summary_keys[] = {
  "nodes", "lookups", "ok_ratio", "wrong_ratio", "failed_ratio", "mean_hops",
  "max_hops", "latency_p50_ms", "latency_p99_ms", "mean_rdp",
  "route_distance_ratio", "join_msgs_per_node", "maint_msgs_per_node_s",
  "maint_bytes_per_node_s", "repair_msgs_per_failure", "events", "wall_s",
  "events_per_s", "peak_rss_mb",
};

static int
cmd_run (int argc, char **argv)
{
  g_autofree char *out_dir = NULL;
  g_auto (GStrv) sets = NULL;
  gint64 seed = -1;
  gboolean quiet = FALSE, no_lookups = FALSE;
  GOptionEntry entries[] = {
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed,
      "Master random seed (overrides the scenario's 'seed')", "N" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir,
      "Results directory (default results/<scenario name>)", "DIR" },
    { "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &sets,
      "Override a parameter, variable or expect.METRIC (repeatable)",
      "NAME=VALUE" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
      "Print nothing but errors and failed expectations", NULL },
    { "no-lookups-csv", 0, 0, G_OPTION_ARG_NONE, &no_lookups,
      "Do not write one row per lookup (aggregates only)", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (
      "SCENARIO - run a scenario");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_description (
      ctx, "Writes lookups.csv, hops.csv, summary.csv, messages.csv, "
           "latency_cdf.csv,\nrdp_cdf.csv and scenario.scn (the resolved "
           "scenario) into DIR.\nSee 'pastrysim params' for the parameters "
           "--set accepts.\n\nExit status: 0 ok, 2 bad input, 3 an "
           "expectation failed, 130 interrupted.");
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return usage_error (error->message);
  if (argc != 2)
    return usage_error (argc < 2 ? "run: missing SCENARIO"
                                 : "run: too many arguments");
  const char *path = argv[1];

  /* Overrides: --set values, then --seed (which wins). */
  g_autoptr (GPtrArray) ov = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; sets != NULL && sets[i] != NULL; i++)
    g_ptr_array_add (ov, g_strdup (sets[i]));
  if (seed >= 0)
    g_ptr_array_add (ov, g_strdup_printf ("seed=%" G_GINT64_FORMAT, seed));
  else if (seed != -1)
    return usage_error ("--seed must be a non-negative integer");
  g_ptr_array_add (ov, NULL);

  g_autoptr (SimScenario) sc = sim_scenario_load (
      path, (const char *const *) ov->pdata, &error);
  if (sc == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return EXIT_BAD_INPUT;
    }
  if (out_dir == NULL)
    out_dir = g_build_filename ("results", sim_scenario_name (sc), NULL);

  /* The metadata block every CSV starts with. */
  g_autoptr (GString) meta = g_string_new (NULL);
  g_autofree char *base = g_path_get_basename (path);
  g_string_append_printf (meta, "# pastrysim %s\n# scenario: %s\n# seed: %"
                          G_GUINT64_FORMAT "\n# time unit: simulated "
                          "seconds (t_s) and milliseconds (*_ms)\n",
                          PASTRYSIM_VERSION, base,
                          sim_scenario_get_uint (sc, "seed"));

  /* Build the world first: a bad latency file must not leave a directory. */
  g_autoptr (SimMetrics) metrics = NULL;
  g_autofree char *parent = g_path_get_dirname (out_dir);
  if (g_mkdir_with_parents (parent, 0755) != 0)
    {
      fprintf (stderr, "pastrysim: cannot create %s: %s\n", parent,
               g_strerror (errno));
      return 1;
    }
  g_autofree char *tmpl = g_strdup_printf ("%s.tmp-XXXXXX", out_dir);
  char *tmp = g_mkdtemp_full (tmpl, 0755);
  if (tmp == NULL)
    {
      fprintf (stderr, "pastrysim: cannot create a directory beside %s: %s\n",
               out_dir, g_strerror (errno));
      return 1;
    }
  FILE *lookups = NULL;
  if (!no_lookups)
    {
      g_autofree char *lp = g_build_filename (tmp, "lookups.csv", NULL);
      lookups = fopen (lp, "w");
      if (lookups == NULL)
        {
          fprintf (stderr, "pastrysim: %s: %s\n", lp, g_strerror (errno));
          rm_rf (tmp);
          return 1;
        }
      setvbuf (lookups, NULL, _IOFBF, 1 << 20);
    }
  metrics = sim_metrics_new ();
  g_autoptr (SimWorld) world = sim_world_new (sc, metrics, &error);
  if (world == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      if (lookups != NULL)
        fclose (lookups);
      rm_rf (tmp);
      return EXIT_BAD_INPUT;
    }
  g_autofree char *net = sim_world_describe_network (world);
  g_string_append_printf (meta, "# network: %s\n", net);
  sim_scenario_write_resolved (sc, meta);
  if (lookups != NULL)
    {
      fputs (meta->str, lookups);
      sim_metrics_stream_lookups (metrics, lookups);
    }
  g_autofree char *tp = g_build_filename (tmp, "timeline.csv", NULL);
  FILE *timeline = fopen (tp, "w");
  if (timeline == NULL)
    {
      fprintf (stderr, "pastrysim: %s: %s\n", tp, g_strerror (errno));
      if (lookups != NULL)
        fclose (lookups);
      rm_rf (tmp);
      return 1;
    }
  fputs (meta->str, timeline);
  sim_metrics_stream_timeline (metrics, timeline,
                               sim_scenario_get_time (sc,
                                                      "timeline_interval"));

  struct sigaction sa;
  memset (&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction (SIGINT, &sa, NULL);
  sigaction (SIGTERM, &sa, NULL);

  gint64 t0 = g_get_monotonic_time ();
  gboolean done = sim_world_run (world, !quiet && isatty (STDERR_FILENO),
                                 (volatile int *) &interrupted);
  double wall = (double) (g_get_monotonic_time () - t0) / 1e6;
  if ((lookups != NULL && fclose (lookups) != 0) | (fclose (timeline) != 0))
    {
      fprintf (stderr, "pastrysim: writing results: %s\n",
               g_strerror (errno));
      rm_rf (tmp);
      return 1;
    }
  if (!done)
    {
      fprintf (stderr, "pastrysim: interrupted; no results written\n");
      rm_rf (tmp);
      return EXIT_INTERRUPTED;
    }
  double events = 0;
  sim_metrics_get (metrics, "events", &events);
  sim_metrics_set (metrics, "wall_s", wall);
  sim_metrics_set (metrics, "events_per_s", wall > 0 ? events / wall : 0);
  sim_metrics_set (metrics, "peak_rss_mb", peak_rss_mb ());

  g_autoptr (GString) canon = g_string_new (NULL);
  sim_scenario_write_canonical (sc, canon);
  g_autofree char *canon_path = g_build_filename (tmp, "scenario.scn", NULL);
  if (!sim_metrics_write (metrics, tmp, meta->str, &error)
      || !g_file_set_contents (canon_path, canon->str, (gssize) canon->len,
                               &error))
    {
      fprintf (stderr, "pastrysim: %s\n", error->message);
      rm_rf (tmp);
      return 1;
    }

  /* Into place: move any old results aside, rename, then delete them. */
  g_autofree char *old = NULL;
  if (g_file_test (out_dir, G_FILE_TEST_EXISTS))
    {
      old = g_strdup_printf ("%s.old-%d", out_dir, (int) getpid ());
      if (g_rename (out_dir, old) != 0)
        {
          fprintf (stderr, "pastrysim: cannot replace %s: %s\n", out_dir,
                   g_strerror (errno));
          rm_rf (tmp);
          return 1;
        }
    }
  if (g_rename (tmp, out_dir) != 0)
    {
      fprintf (stderr, "pastrysim: cannot rename %s to %s: %s\n", tmp,
               out_dir, g_strerror (errno));
      return 1;
    }
  if (old != NULL)
    rm_rf (old);

  if (!quiet)
    {
      printf ("%s: results in %s\n", sim_scenario_name (sc), out_dir);
      for (guint i = 0; i < G_N_ELEMENTS (summary_keys); i++)
        {
          double v;
          if (sim_metrics_get (metrics, summary_keys[i], &v))
            printf ("  %-22s %g\n", summary_keys[i], v);
        }
    }

  int status = 0;
  for (guint i = 0; i < sim_scenario_n_expects (sc); i++)
    {
      const SimExpect *e = sim_scenario_expect (sc, i);
      double v;
      if (!sim_metrics_get (metrics, e->metric, &v))
        {
          fprintf (stderr, "%s:%u:%u: expect: unknown metric '%s'\n",
                   sim_scenario_display_name (sc), e->line, e->col,
                   e->metric);
          status = EXIT_EXPECT;
          continue;
        }
      if (!sim_scenario_expect_holds (e, v))
        {
          fprintf (stderr, "%s:%u:%u: expectation failed: %s %s %g "
                   "(measured %g)\n", sim_scenario_display_name (sc),
                   e->line, e->col, e->metric,
                   sim_compare_op_to_string (e->op),
                   sim_scenario_expect_threshold (e), v);
          status = EXIT_EXPECT;
        }
      else if (!quiet)
        printf ("  expect %s %s %g: ok (%g)\n", e->metric,
                sim_compare_op_to_string (e->op),
                   sim_scenario_expect_threshold (e), v);
    }
  return status;
}

static int
cmd_params (void)
{
  g_autoptr (GString) out = g_string_new (NULL);
  sim_scenario_describe_params (out);
  fputs (out->str, stdout);
  return 0;
}

static void
print_help (void)
{
  printf ("Usage:\n"
          "  pastrysim run SCENARIO [--seed N] [--out DIR] "
          "[--set NAME=VALUE]... [--quiet]\n"
          "  pastrysim params       list scenario parameters\n"
          "  pastrysim --version\n\n"
          "Simulates the Pastry overlay (Rowstron & Druschel 2001) as "
          "scripted by SCENARIO.\n'pastrysim run --help' shows the run "
          "options.  Simulated time is kept in\nmicroseconds; outputs use "
          "seconds (t_s) and milliseconds (*_ms).\n");
}

int
main (int argc, char **argv)
{
  if (argc < 2)
    {
      print_help ();
      return EXIT_BAD_INPUT;
    }
  if (g_str_equal (argv[1], "--version"))
    {
      printf ("pastrysim %s\n", PASTRYSIM_VERSION);
      return 0;
    }
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")
      || g_str_equal (argv[1], "help"))
    {
      print_help ();
      return 0;
    }
  if (g_str_equal (argv[1], "run"))
    return cmd_run (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "params"))
    return cmd_params ();
  g_autofree char *msg = g_strdup_printf ("unknown command '%s'", argv[1]);
  return usage_error (msg);
}
