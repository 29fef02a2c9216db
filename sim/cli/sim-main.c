/* sim-main.c — the pastrysim command line.
 *
 *   pastrysim run SCENARIO [--seed N] [--out DIR] [--set NAME=VALUE]...
 *                          [--quiet] [--no-lookups-csv]
 *                          [--seeds A..B|LIST] [--sweep NAME=V1,V2,...]...
 *                          [--jobs N] [--threads N]
 *   pastrysim live SCENARIO [--bind ADDR] [--port-base P] [--time-scale X]
 *                           [--no-emulate] [--out DIR]   (sim-live-cmd.c)
 *   pastrysim compare DIR_A DIR_B [--worse-if METRIC>,METRIC<] [--alpha A]
 *                                 [--metrics LIST] [--csv]
 *   pastrysim collect DIR
 *   pastrysim sweep-list SCENARIO [--seeds ...] [--sweep ...]... [--set ...]
 *                                 [--seed N] [--no-lookups-csv]
 *   pastrysim params
 *   pastrysim --version | --help
 *
 * Exit status: 0 success, 1 internal or I/O failure, 2 bad input (options,
 * scenario, latency files), 3 an expectation failed (in any run of a
 * batch), 4 compare: B significantly worse, 130 interrupted.
 *
 * Results are written into a fresh temporary directory beside DIR and
 * renamed into place only when complete, so an interrupted or failed run
 * never leaves a results directory that looks finished.  With --seeds or
 * --sweep, `run` becomes a batch (sim-batch.c): the same `run` code path
 * in one child process per (point, seed).
 */
#include "pastrysim-version.h"
#include "sim-cli.h"
#include "sim-metric-info.h"
#include "sim-metrics.h"
#include "sim-pastry-params.h"
#include "sim-publish.h"
#include "sim-resources.h"
#include "sim-results.h"
#include "sim-scenario.h"
#include "sim-seed-list.h"
#include "sim-world.h"

#include <errno.h>
#include <math.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define EXIT_BAD_INPUT SIM_EXIT_BAD_INPUT
#define EXIT_EXPECT SIM_EXIT_EXPECT
#define EXIT_INTERRUPTED SIM_EXIT_INTERRUPTED

/* The default of --max-events: at the 0.1-2 M events/s measured
 * (sim/README.md, Performance) 15 minutes to 5 hours of work, and 4.6x the
 * largest estimate of the shipped scenarios and scripts/bench workloads
 * (churn: 4.3e8). */
#define DEFAULT_MAX_EVENTS G_GUINT64_CONSTANT (2000000000)

/* Parses "8G", "500M", "64k" or a plain byte count; NULL gives the
 * machine's physical memory. */
static gboolean
parse_size (const char *text, guint64 *out)
{
  if (text == NULL)
    {
      long pages = sysconf (_SC_PHYS_PAGES), size = sysconf (_SC_PAGESIZE);
      *out = pages > 0 && size > 0 ? (guint64) pages * (guint64) size
                                   : G_MAXUINT64;
      return TRUE;
    }
  char *end = NULL;
  errno = 0;
  guint64 v = g_ascii_strtoull (text, &end, 10);
  if (errno != 0 || end == text)
    return FALSE;
  guint64 mult = 1;
  switch (*end)
    {
    case 'k': case 'K': mult = 1ull << 10; end++; break;
    case 'm': case 'M': mult = 1ull << 20; end++; break;
    case 'g': case 'G': mult = 1ull << 30; end++; break;
    case 't': case 'T': mult = 1ull << 40; end++; break;
    default: break;
    }
  if (*end != '\0' || v > G_MAXUINT64 / mult)
    return FALSE;
  *out = v * mult;
  return TRUE;
}

/* The largest --threads: far above any machine this runs on, small enough
 * that a typo (--threads 1000000) is refused rather than obeyed. */
#define MAX_THREADS 1024

/* Parses --threads: decimal digits only, 1 .. MAX_THREADS. */
static gboolean
parse_threads (const char *text, guint *out)
{
  guint64 v;
  if (!g_ascii_string_to_unsigned (text, 10, 1, MAX_THREADS, &v, NULL))
    return FALSE;
  *out = (guint) v;
  return TRUE;
}

/* The "FILE:LINE:COL: " (or "FILE: ") prefix of a refusal. */
static void
print_blame (const SimWorldBlame *b)
{
  if (b->line > 0)
    fprintf (stderr, "%s:%u:%u: ", b->file, b->line, b->col);
  else
    fprintf (stderr, "%s: ", b->file);
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
  "distance_ratio", "route_distance_ratio", "join_msgs_per_node", "maint_msgs_per_node_s",
  "maint_bytes_per_node_s", "repair_msgs_per_failure", "events", "wall_s",
  "events_per_s", "peak_rss_mb",
};

static int cmd_run (int argc, char **argv);

/* Closes a streamed output file; FALSE (with a message) if any write to it
 * failed, then or earlier (a full disk, a file-size limit): stdio reports
 * an earlier failure only through ferror(). */
static gboolean
close_output (FILE *f, const char *path)
{
  gboolean bad = ferror (f) != 0;
  int e = errno;
  if (fclose (f) != 0 && !bad)
    {
      bad = TRUE;
      e = errno;
    }
  if (bad)
    fprintf (stderr, "pastrysim: cannot write %s: %s\n", path,
             g_strerror (e));
  return !bad;
}

/* Every interruption ends the same way: a message, nothing written (the
 * caller's SimPublish removes its staging directory), status 130. */
static int
interrupted_exit (void)
{
  fprintf (stderr, "pastrysim: interrupted; no results written\n");
  return EXIT_INTERRUPTED;
}

/* run --task I: runs the I-th run of plan in this process, exactly as the
 * batch's child would (`run SCENARIO --out DIR/SUBDIR --quiet ARGS`). */
static int
run_task (const SimPlan *plan, const char *out_dir, gint64 task,
          gboolean quiet, const char *const *child_opts)
{
  guint n = sim_plan_n_runs (plan);
  if (task < 0 || task >= n)
    {
      fprintf (stderr, "pastrysim: --task: %" G_GINT64_FORMAT " is out of "
               "range (the batch has %u runs: 0..%u)\n", task, n, n - 1);
      return EXIT_BAD_INPUT;
    }
  const SimPlanRun *r = sim_plan_run (plan, (guint) task);
  g_autofree char *out = g_build_filename (out_dir, r->reldir, NULL);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_ptr_array_add (argv, "run");
  g_ptr_array_add (argv, (gpointer) sim_plan_scenario (plan));
  g_ptr_array_add (argv, "--out");
  g_ptr_array_add (argv, out);
  if (quiet)
    g_ptr_array_add (argv, "--quiet");
  for (guint i = 0; r->args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) r->args[i]);
  for (guint i = 0; child_opts[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) child_opts[i]);
  g_ptr_array_add (argv, NULL);
  return cmd_run ((int) argv->len - 1, (char **) argv->pdata);
}

/* A batch: --seeds, --sweep, or a scenario's own `seeds = LIST`.  The
 * limits go to every run as given; runs of a batch over seeds record
 * without judging (--no-judge), the batch judges the mean. */
static int
run_batch (const char *path, const char *const *sets, const char *seeds,
           const char *const *sweeps, gboolean has_seed, guint64 seed,
           gboolean no_lookups, const char *out, gint jobs, gint64 task,
           gboolean quiet, const char *max_memory, const char *max_events,
           gboolean fingerprint, const char *threads)
{
  g_autoptr (GError) error = NULL;
  if (jobs != G_MININT && jobs < 1)
    return usage_error ("--jobs: must be at least 1");
  g_autoptr (SimPlan) plan = sim_plan_new (path, sets, seeds, sweeps,
                                           has_seed, seed, no_lookups,
                                           &error);
  if (plan == NULL && sim_cli_interrupted ())
    return interrupted_exit ();
  if (plan == NULL)
    return sim_cli_fail (error);
  g_autofree char *out_dir
      = out != NULL ? g_strdup (out)
                    : g_build_filename ("results", sim_plan_name (plan), NULL);
  g_autoptr (GPtrArray) opts = g_ptr_array_new ();
  if (max_memory != NULL)
    {
      g_ptr_array_add (opts, "--max-memory");
      g_ptr_array_add (opts, (gpointer) max_memory);
    }
  if (max_events != NULL)
    {
      g_ptr_array_add (opts, "--max-events");
      g_ptr_array_add (opts, (gpointer) max_events);
    }
  if (fingerprint)
    g_ptr_array_add (opts, "--fingerprint");
  if (threads != NULL)
    {
      g_ptr_array_add (opts, "--threads");
      g_ptr_array_add (opts, (gpointer) threads);
    }
  if (sim_plan_has_seeds (plan))
    g_ptr_array_add (opts, "--no-judge");
  g_ptr_array_add (opts, NULL);
  const char *const *child_opts = (const char *const *) opts->pdata;
  if (task != -1)
    return run_task (plan, out_dir, task, quiet, child_opts);
  return sim_batch_run (plan, out_dir,
                        jobs != G_MININT ? (guint) jobs
                                         : MAX (g_get_num_processors (), 1),
                        quiet, child_opts);
}

static int
cmd_run (int argc, char **argv)
{
  g_autofree char *out_dir = NULL;
  g_auto (GStrv) sets = NULL, sweeps = NULL;
  g_autofree char *seeds = NULL;
  g_autofree char *seed_text = NULL;
  gint jobs = G_MININT; /* unset */
  gint64 task = -1;
  gboolean quiet = FALSE, no_lookups = FALSE, no_judge = FALSE;
  gboolean fingerprint = FALSE;
  g_autofree char *max_memory = NULL, *max_events = NULL;
  g_autofree char *threads_text = NULL;
  GOptionEntry entries[] = {
    { "no-judge", 0, 0, G_OPTION_ARG_NONE, &no_judge,
      "Record the run but do not judge its expectations (the runs of a "
      "batch over seeds get this: the batch judges the mean over seeds)",
      NULL },
    { "max-memory", 0, 0, G_OPTION_ARG_STRING, &max_memory,
      "Refuse scenarios estimated to need more memory than SIZE (e.g. 8G, "
      "500M; default: the machine's physical memory)", "SIZE" },
    { "max-events", 0, 0, G_OPTION_ARG_STRING, &max_events,
      "Refuse scenarios estimated to process more than N events (default "
      "2000000000)", "N" },
    { "threads", 0, 0, G_OPTION_ARG_STRING, &threads_text,
      "Threads for instant builds (default: online CPUs); results do not "
      "depend on it", "N" },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &seed_text,
      "Master random seed, 0 .. 2^64-1 (overrides the scenario's 'seed')",
      "N" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir,
      "Results directory (default results/<scenario name>)", "DIR" },
    { "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &sets,
      "Override a parameter, variable or expect.METRIC (repeatable)",
      "NAME=VALUE" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
      "Print nothing but errors and failed expectations", NULL },
    { "no-lookups-csv", 0, 0, G_OPTION_ARG_NONE, &no_lookups,
      "Do not write one row per lookup (aggregates only)", NULL },
    { "fingerprint", 0, 0, G_OPTION_ARG_NONE, &fingerprint,
      "Print a 64-bit hash chained over every executed event and write "
      "it to summary.csv ('# fingerprint:')", NULL },
    { "seeds", 0, 0, G_OPTION_ARG_STRING, &seeds,
      "Run once per seed (A..B, A,B,C or both) into DIR/seed-N, plus an "
      "aggregate summary", "LIST" },
    { "sweep", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sweeps,
      "Run once per value into DIR/NAME=VALUE (repeatable: the cartesian "
      "product), plus DIR/sweep.csv", "NAME=V1,V2,..." },
    { "jobs", 'j', 0, G_OPTION_ARG_INT, &jobs,
      "With --seeds or --sweep: runs at once (default: online CPUs)", "N" },
    { "task", 0, 0, G_OPTION_ARG_INT64, &task,
      "With --seeds or --sweep: only run I (0-based, in sweep-list order) "
      "into DIR/SUBDIR, for job arrays; then 'pastrysim collect DIR'", "I" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (
      "SCENARIO - run a scenario");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_description (
      ctx, "Writes lookups.csv, hops.csv, summary.csv, messages.csv, "
           "latency_cdf.csv,\nrdp_cdf.csv and scenario.scn (the resolved "
           "scenario) into DIR.\nSee 'pastrysim params' for the parameters "
           "--set accepts.\n\nWith --seeds and/or --sweep the runs go into "
           "subdirectories of DIR, each\nrun a child process, and DIR also "
           "gets summary.csv/aggregate.csv (mean,\nstddev, 95% CI over seeds), "
           "pooled hops.csv, sweep.csv (one row per run).\nSee "
           "scripts/README.md, \"Many runs\".\n\nExit status: 0 ok, 1 I/O failure, 2 "
           "bad input, 3 an expectation failed\n(in a single run, or "
           "on the mean over seeds), 130 interrupted.\n\nA scenario "
           "with 'seeds = LIST' run without --seed or --seeds is a batch "
           "over\nthose seeds; its expectations are judged on the mean over "
           "the seeds.");
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return usage_error (error->message);
  if (argc != 2)
    return usage_error (argc < 2 ? "run: missing SCENARIO"
                                 : "run: too many arguments");
  const char *path = argv[1];
  guint64 seed = 0;
  if (seed_text != NULL && !sim_plan_parse_seed (seed_text, &seed, &error))
    return sim_cli_fail (error);
  guint threads = MAX (g_get_num_processors (), 1u);
  if (threads_text != NULL && !parse_threads (threads_text, &threads))
    return usage_error ("--threads: expected a whole number from 1 to "
                        G_STRINGIFY (MAX_THREADS));

  if (seeds != NULL || sweeps != NULL)
    return run_batch (path, (const char *const *) sets, seeds,
                      (const char *const *) sweeps, seed_text != NULL, seed,
                      no_lookups, out_dir, jobs, task, quiet, max_memory,
                      max_events, fingerprint, threads_text);
  if (jobs != G_MININT && jobs < 1)
    return usage_error ("--jobs: must be at least 1");

  /* Overrides: --set values, then --seed (which wins). */
  g_autoptr (GPtrArray) ov = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; sets != NULL && sets[i] != NULL; i++)
    g_ptr_array_add (ov, g_strdup (sets[i]));
  if (seed_text != NULL)
    g_ptr_array_add (ov, g_strdup_printf ("seed=%" G_GUINT64_FORMAT, seed));
  g_ptr_array_add (ov, NULL);

  g_autoptr (SimScenario) sc = sim_scenario_load (
      path, (const char *const *) ov->pdata, &error);
  if (sc == NULL && sim_cli_interrupted ())
    return interrupted_exit ();
  if (sc == NULL || !sim_cli_check_expects (sc, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return EXIT_BAD_INPUT;
    }
  /* A scenario that declares its seeds is a batch over them, unless a
   * seed was chosen (then it is one run of that batch, not judged). */
  guint n_declared;
  const guint64 *declared = sim_scenario_seeds (sc, &n_declared);
  if (declared != NULL
      && !sim_scenario_param_is_set (sc, "seed"))
    {
      g_clear_pointer (&sc, sim_scenario_free);
      return run_batch (path, (const char *const *) sets, NULL, NULL, FALSE,
                        0, no_lookups, out_dir, jobs, task, quiet, max_memory,
                        max_events, fingerprint, threads_text);
    }
  if (task != -1)
    return usage_error ("--task: needs --seeds, --sweep or a scenario with "
                        "'seeds = LIST'");
  if (out_dir == NULL)
    out_dir = g_build_filename ("results", sim_scenario_name (sc), NULL);

  /* Absurd but valid requests fail here, before anything is allocated. */
  guint64 limit, event_limit = DEFAULT_MAX_EVENTS;
  if (!parse_size (max_memory, &limit))
    return usage_error ("--max-memory: expected a size such as 8G, 500M or "
                        "1000000000");
  if (max_events != NULL && !sim_plan_parse_count (max_events, &event_limit))
    return usage_error ("--max-events: expected a whole number such as "
                        "5000000000");
  guint64 est_nodes;
  SimWorldBlame blame;
  guint64 need = sim_world_estimate_bytes (sc, &est_nodes, &blame);
  if (need > limit)
    {
      print_blame (&blame);
      fprintf (stderr, "needs about %.1f GB for %" G_GUINT64_FORMAT
               " nodes (about 1.5 KB each), more than the %.1f GB allowed; "
               "lower the node count or raise --max-memory\n",
               (double) need / 1e9, est_nodes, (double) limit / 1e9);
      return EXIT_BAD_INPUT;
    }
  guint64 est_events = sim_world_estimate_events (sc, &blame);
  if (est_events > event_limit)
    {
      print_blame (&blame);
      fprintf (stderr, "needs about %.3g events (mostly %s), more than the "
               "%" G_GUINT64_FORMAT " allowed; shorten the run, lower the "
               "rate or node count, or raise --max-events\n",
               (double) est_events, blame.what, event_limit);
      return EXIT_BAD_INPUT;
    }

  /* The metadata block every CSV starts with. */
  g_autoptr (GString) meta = g_string_new (NULL);
  g_autofree char *base = g_path_get_basename (path);
  g_string_append_printf (meta, "# pastrysim %s\n# scenario: %s\n# seed: %"
                          G_GUINT64_FORMAT "\n# time unit: simulated "
                          "seconds (t_s) and milliseconds (*_ms)\n",
                          PASTRYSIM_VERSION, base,
                          sim_scenario_get_uint (sc, "seed"));
  /* The one metadata line that may differ between runs of one scenario
   * and seed: nothing else depends on the thread count (determinism tests
   * compare everything but this line). */
  g_string_append_printf (meta, "# threads: %u\n", threads);

  /* Where the results go: refused now, before anything runs, unless it is
   * new or a previous result (sim-publish.h).  Inputs may not be inside. */
  g_autoptr (SimPublish) pub
      = sim_cli_publish_begin (sc, path, out_dir, &error);
  if (pub == NULL)
    return sim_cli_fail (error);
  const char *tmp = sim_publish_staging_dir (pub);

  g_autoptr (SimMetrics) metrics = sim_metrics_new ();
  g_autoptr (SimWorld) world = sim_world_new (sc, metrics, &error);
  if (world == NULL && sim_cli_interrupted ())
    return interrupted_exit (); /* a read cut short by the signal */
  if (world == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return EXIT_BAD_INPUT;
    }
  if (sim_cli_interrupted ())
    return interrupted_exit ();
  FILE *lookups = NULL;
  if (!no_lookups)
    {
      g_autofree char *lpath = g_build_filename (tmp, "lookups.csv", NULL);
      lookups = fopen (lpath, "w");
      if (lookups == NULL)
        {
          fprintf (stderr, "pastrysim: %s: %s\n", lpath, g_strerror (errno));
          return 1;
        }
      setvbuf (lookups, NULL, _IOFBF, 1 << 20);
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
      return 1;
    }
  fputs (meta->str, timeline);
  sim_metrics_stream_timeline (metrics, timeline,
                               sim_scenario_get_time (sc,
                                                      "timeline_interval"));
  /* Wall-clock class (sim-resources.h): the process's memory per
   * timeline row, for the flatness of memory over simulated time. */
  g_autofree char *mp = g_build_filename (tmp, "memory.csv", NULL);
  FILE *memory = fopen (mp, "w");
  if (memory == NULL)
    {
      fprintf (stderr, "pastrysim: %s: %s\n", mp, g_strerror (errno));
      if (lookups != NULL)
        fclose (lookups);
      fclose (timeline);
      return 1;
    }
  fputs (meta->str, memory);
  sim_metrics_stream_memory (metrics, memory);

  sim_world_set_fingerprint (world, fingerprint);
  sim_world_set_threads (world, threads);
  gint64 t0 = g_get_monotonic_time ();
  gboolean done = sim_world_run (world, !quiet && isatty (STDERR_FILENO),
                                 sim_cli_interrupt_flag ());
  double wall = (double) (g_get_monotonic_time () - t0) / 1e6;
  g_autofree char *lp = g_build_filename (tmp, "lookups.csv", NULL);
  gboolean written = lookups == NULL || close_output (lookups, lp);
  written &= close_output (timeline, tp);
  written &= close_output (memory, mp);
  if (!done || sim_cli_interrupted ())
    return interrupted_exit ();
  if (!written)
    return 1;
  g_autofree char *fp = g_strdup_printf ("%016" G_GINT64_MODIFIER "x",
                                         sim_world_fingerprint (world));
  if (fingerprint)
    sim_metrics_set_note (metrics, "fingerprint", fp);
  double events = 0;
  sim_metrics_get (metrics, "events", &events);
  sim_metrics_set (metrics, "wall_s", wall);
  sim_metrics_set (metrics, "events_per_s", wall > 0 ? events / wall : 0);
  sim_metrics_set (metrics, "peak_rss_mb", sim_resources_peak_rss_mb ());

  if (!sim_cli_write_results (tmp, metrics, meta->str, sc, &error))
    {
      fprintf (stderr, "pastrysim: %s\n", error->message);
      return 1;
    }

  /* Into place, with the interrupting signals held: a signal that came
   * before this point aborts the run; one arriving now waits until the
   * results are complete and in place. */
  if (!sim_cli_publish_commit (pub, &error))
    return error != NULL ? sim_cli_fail (error) : interrupted_exit ();

  if (fingerprint)
    printf ("fingerprint: %s\n", fp); /* even with --quiet: it was asked */
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

  return sim_judge_single (sc, metrics, no_judge, quiet);
}

static int
cmd_metrics (void)
{
  g_autoptr (GString) out = g_string_new (NULL);
  sim_metric_info_describe (out);
  fputs (out->str, stdout);
  return 0;
}

static int
cmd_params (void)
{
  g_autoptr (GString) out = g_string_new (NULL);
  sim_scenario_describe_params (out);
  fputs (out->str, stdout);
  return 0;
}

/* pastrysim collect DIR: (re)builds the multi-run files of DIR from its
 * run subdirectories, e.g. after GNU parallel or a Slurm job array. */
static int
cmd_collect (int argc, char **argv)
{
  gboolean quiet = FALSE;
  GOptionEntry entries[] = {
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
      "Print nothing but errors and failed expectations", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (
      "DIR - build the multi-run files of a results directory");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_description (
      ctx, "From DIR/seed-N/ runs: DIR/summary.csv and aggregate.csv (mean, "
           "stddev and 95% CI\nper metric), pooled DIR/hops.csv and "
           "DIR/scenario.scn.  From DIR/NAME=VALUE,.../\npoints: the same "
           "in every point that has seed-N runs, then DIR/sweep.csv\n(one "
           "row per run) and DIR/scenario.scn.\nThen judges the expectations "
           "of every seeds directory on the mean over its\nseeds (against "
           "its scenario.scn).\n\nExit status: 0 ok, 1 I/O "
           "failure, 2 not a multi-run directory or a run is\nincomplete, "
           "3 an expectation failed.");
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return usage_error (error->message);
  if (argc != 2)
    return usage_error (argc < 2 ? "collect: missing DIR"
                                 : "collect: too many arguments");
  /* All or nothing: the interrupting signals wait until the files are
   * written (a second or so), or the collect ends before it starts. */
  sigset_t block, orig;
  sim_cli_interrupt_signals (&block);
  sigprocmask (SIG_BLOCK, &block, &orig);
  gboolean ok = !sim_cli_interrupted ()
                && sim_results_collect (argv[1], &error);
  sigprocmask (SIG_SETMASK, &orig, NULL);
  if (!ok)
    return error != NULL ? sim_cli_fail (error) : interrupted_exit ();
  /* The expectations over seeds, as the batch would judge them. */
  gboolean all_hold;
  if (!sim_judge_collected (argv[1], quiet, &all_hold, &error))
    return sim_cli_fail (error);
  return all_hold ? 0 : EXIT_EXPECT;
}

/* Characters that need no quoting in a POSIX shell word. */
#define SHELL_SAFE                                                           \
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./=:,+@%-"

/* pastrysim sweep-list SCENARIO [batch options]: prints the runs of a
 * batch, one per line: RELDIR, a tab, then the `run` options (shell-quoted)
 * that reproduce it.  For scripts/sweep-parallel and
 * scripts/slurm-sweep.sbatch. */
static int
cmd_sweep_list (int argc, char **argv)
{
  g_auto (GStrv) sets = NULL, sweeps = NULL;
  g_autofree char *seeds = NULL, *seed_text = NULL;
  gboolean no_lookups = FALSE;
  GOptionEntry entries[] = {
    { "seed", 0, 0, G_OPTION_ARG_STRING, &seed_text, "As for run", "N" },
    { "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &sets, "As for run",
      "NAME=VALUE" },
    { "seeds", 0, 0, G_OPTION_ARG_STRING, &seeds, "As for run", "LIST" },
    { "sweep", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sweeps, "As for run",
      "NAME=V1,V2,..." },
    { "no-lookups-csv", 0, 0, G_OPTION_ARG_NONE, &no_lookups, "As for run",
      NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (
      "SCENARIO - list the runs of a batch");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_description (
      ctx, "Prints one line per run: its results subdirectory, a tab, and "
           "the options\n(shell-quoted) of 'pastrysim run SCENARIO --out "
           "DIR/SUBDIR OPTIONS'.\nValidates exactly as 'run --seeds/--sweep' "
           "does; exit status 2 on bad input.\nA scenario's own 'seeds = "
           "LIST' counts as --seeds.");
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return usage_error (error->message);
  if (argc != 2)
    return usage_error (argc < 2 ? "sweep-list: missing SCENARIO"
                                 : "sweep-list: too many arguments");
  guint64 seed = 0;
  if (seed_text != NULL && !sim_plan_parse_seed (seed_text, &seed, &error))
    return sim_cli_fail (error);
  g_autoptr (SimPlan) plan = sim_plan_new (
      argv[1], (const char *const *) sets, seeds,
      (const char *const *) sweeps, seed_text != NULL, seed, no_lookups,
      &error);
  if (plan == NULL)
    return sim_cli_fail (error);
  if (!sim_plan_has_seeds (plan) && !sim_plan_has_sweep (plan))
    return usage_error ("sweep-list: needs --seeds, --sweep or a scenario "
                        "with 'seeds = LIST'");
  g_autoptr (GString) out = g_string_new (NULL);
  for (guint i = 0; i < sim_plan_n_runs (plan); i++)
    {
      const SimPlanRun *r = sim_plan_run (plan, i);
      g_string_append_printf (out, "%s\t", r->reldir);
      for (guint k = 0; r->args[k] != NULL; k++)
        {
          const char *a = r->args[k];
          g_autofree char *q = a[strspn (a, SHELL_SAFE)] == '\0'
                                 ? g_strdup (a) : g_shell_quote (a);
          g_string_append_printf (out, "%s%s", k > 0 ? " " : "", q);
        }
      g_string_append_c (out, '\n');
    }
  fputs (out->str, stdout);
  return 0;
}

static void
print_help (void)
{
  printf ("Usage:\n"
          "  pastrysim run SCENARIO [--seed N] [--out DIR] "
          "[--set NAME=VALUE]... [--quiet]\n"
          "                [--seeds A..B] [--sweep NAME=V1,V2,...]... "
          "[--jobs N]\n"
          "  pastrysim live SCENARIO [--bind ADDR] [--port-base P] "
          "[--time-scale X]\n"
          "                [--no-emulate] [--out DIR]  the scenario's nodes "
          "on real UDP sockets\n"
          "  pastrysim compare DIR_A DIR_B [--worse-if METRIC>,...] "
          "[--alpha A]\n"
          "  pastrysim collect DIR  (re)build aggregate files from run "
          "subdirectories\n"
          "  pastrysim sweep-list SCENARIO [--seeds ...] [--sweep ...]  "
          "list a batch's runs\n"
          "  pastrysim seed-route FILE  replay the Python library's route "
          "vectors\n"
          "  pastrysim params       list scenario parameters\n"
          "  pastrysim metrics      list summary metrics (for expect, "
          "--worse-if)\n"
          "  pastrysim --version\n\n"
          "Simulates the Pastry overlay (Rowstron & Druschel 2001) as "
          "scripted by SCENARIO.\n'pastrysim run --help' shows the run "
          "options.  Simulated time is kept in\nmicroseconds; outputs use "
          "seconds (t_s) and milliseconds (*_ms).\n");
}

int
main (int argc, char **argv)
{
  sim_cli_signals_init ();
  sim_pastry_params_install (); /* every scenario parameter, before parsing */
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
  sim_cli_set_argv0 (argv[0]);
  if (g_str_equal (argv[1], "run"))
    return cmd_run (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "live"))
    return sim_cli_live (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "compare"))
    return sim_cli_compare (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "seed-route"))
    return sim_cli_seed_route (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "collect"))
    return cmd_collect (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "sweep-list"))
    return cmd_sweep_list (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "params"))
    return cmd_params ();
  if (g_str_equal (argv[1], "metrics"))
    return cmd_metrics ();
  g_autofree char *msg = g_strdup_printf ("unknown command '%s'", argv[1]);
  return usage_error (msg);
}
