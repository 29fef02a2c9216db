/* sim-cli.h — what the pastrysim subcommands share: exit statuses, the
 * error domain that maps onto them, results-directory helpers, the batch
 * plan (--seeds and --sweep expanded into runs), and the subcommands
 * beyond `run` itself.
 *
 * CLI layer: sees the scenario parser (engine) but never core/ or the
 * world; a batch runs each (point, seed) as a child process of the same
 * binary, so every run goes through the one `run` code path.
 */
#pragma once

#include <glib.h>
#include <signal.h>

#include "sim-metrics.h"
#include "sim-publish.h"
#include "sim-scenario.h"

G_BEGIN_DECLS

/* Exit statuses of every subcommand. */
#define SIM_EXIT_OK 0
#define SIM_EXIT_IO 1        /* internal or I/O failure */
#define SIM_EXIT_BAD_INPUT 2 /* options, scenario, files */
#define SIM_EXIT_EXPECT 3    /* an `expect` failed (in some run) */
#define SIM_EXIT_WORSE 4     /* compare: B significantly worse */
#define SIM_EXIT_INTERRUPTED 130

/* At most this many runs (points x seeds) in one batch. */
#define SIM_PLAN_MAX_RUNS 100000

#define SIM_CLI_ERROR (sim_cli_error_quark ())

typedef enum
{
  SIM_CLI_ERROR_INPUT, /* bad options or results files: exit 2 */
  SIM_CLI_ERROR_IO,    /* cannot read or write: exit 1 */
} SimCliError;

GQuark sim_cli_error_quark (void);


/* Sets error to SIM_CLI_ERROR_INPUT with a printf-style message and
 * returns FALSE, for `return sim_cli_input_error (error, ...)`. */
gboolean sim_cli_input_error (GError **error, const char *fmt, ...)
    G_GNUC_PRINTF (2, 3);

/* Prints "pastrysim: MESSAGE" on stderr (scenario errors, which carry
 * their own FILE:LINE:COL, without the prefix, as `run` prints them) and
 * returns the exit status for error (which it does not free):
 * SIM_EXIT_BAD_INPUT for SIM_CLI_ERROR_INPUT and scenario errors,
 * SIM_EXIT_IO otherwise. */
int sim_cli_fail (const GError *error);

/* Signals.  Called first thing in main(), before any input is read:
 * SIGINT, SIGTERM, SIGHUP and SIGXCPU only set the flag that
 * sim_cli_interrupted() reads (the code checks it between phases and
 * every few thousand events, cleans up and exits SIM_EXIT_INTERRUPTED);
 * SIGPIPE and SIGXFSZ are ignored, so a closed pipe or a file-size limit
 * becomes a write error handled like a full disk instead of killing the
 * process with its temporary directory in place. */
void sim_cli_signals_init (void);

/* The flag the handlers set (never reset). */
volatile int *sim_cli_interrupt_flag (void);
gboolean sim_cli_interrupted (void);

/* The signals sim_cli_signals_init() handles, for sigprocmask() around the
 * moment results are put in place. */
void sim_cli_interrupt_signals (sigset_t *set);

/* Checks every `expect` line of sc names a metric of the registry
 * (sim-metric-info.h), so a typo is reported before the run.  Returns
 * FALSE with a SIM_SCENARIO_ERROR "FILE:LINE:COL: expect: unknown metric
 * 'NAME'" otherwise. */
gboolean sim_cli_check_expects (const SimScenario *sc, GError **error);

/* Begins publishing a run of sc, read from path, into out_dir
 * (sim_publish_begin): path and the scenario's input files are the inputs
 * the results may not replace.  Returns NULL with *error set when out_dir
 * is refused. */
SimPublish *sim_cli_publish_begin (const SimScenario *sc, const char *path,
                                   const char *out_dir, GError **error);

/* Writes a run's results into dir (the staging directory): the metrics'
 * files, each headed by meta, and scenario.scn (sc's canonical text). */
gboolean sim_cli_write_results (const char *dir, const SimMetrics *metrics,
                                const char *meta, const SimScenario *sc,
                                GError **error);

/* Puts pub's results into place with the interrupting signals held: a
 * signal that came before aborts (FALSE, *error left unset), one arriving
 * now waits until the results are complete and in place.  FALSE with
 * *error set when the commit fails. */
gboolean sim_cli_publish_commit (SimPublish *pub, GError **error);

/* Records argv[0]; sim_cli_self_exe() then returns the path of the running
 * binary (from /proc/self/exe, else argv[0] looked up in PATH). */
void sim_cli_set_argv0 (const char *argv0);
const char *sim_cli_self_exe (void);

/* ---- The batch plan ------------------------------------------------- */

typedef struct _SimPlan SimPlan;

/* One run of a plan. */
typedef struct
{
  const char *reldir; /* results subdirectory: "seed-3", "nodes=1000,b=2"
                         or "nodes=1000,b=2/seed-3" */
  guint point;        /* index of its sweep point (0 without --sweep) */
  guint64 seed;       /* the seed it runs with, if has_seed */
  gboolean has_seed;  /* FALSE: the scenario's own seed */
  /* The `pastrysim run` options after SCENARIO that reproduce it (without
   * --out and --quiet): --no-lookups-csv, the --set options, the swept
   * values as --set, and --seed.  NULL-terminated. */
  const char *const *args;
} SimPlanRun;

/* Expands and validates a batch before anything is created.
 * @scenario: the scenario file, as given (children get the same string).
 * @sets: (nullable): the --set values, NULL-terminated; borrowed.
 * @seeds: (nullable): the --seeds value: "A..B", "A,B,C" or a mixture
 *   ("1..3,10").
 * @sweeps: (nullable): the --sweep values "NAME=V1,V2,...", NULL-terminated.
 * @has_seed: whether --seed was given; @seed: its value.
 * @no_lookups: pass --no-lookups-csv to every run.
 * Every point is checked by loading the scenario with its overrides, so an
 * unknown parameter or a bad value is reported now, as
 * "--sweep NAME=VALUE: message".
 * Returns: (transfer full) (nullable): the plan, or NULL with a
 *   SIM_CLI_ERROR_INPUT error (messages name the option: "--seeds: ..."). */
SimPlan *sim_plan_new (const char *scenario, const char *const *sets,
                       const char *seeds, const char *const *sweeps,
                       gboolean has_seed, guint64 seed, gboolean no_lookups,
                       GError **error);

/* Parses a --seed value: a whole number 0 .. 2^64-1 written in decimal
 * digits only (no sign, no blanks).  Returns FALSE with a
 * SIM_CLI_ERROR_INPUT error naming --seed otherwise. */
gboolean sim_plan_parse_seed (const char *text, guint64 *seed,
                              GError **error);

/* Parses a count option (--max-events): decimal digits, 0 .. 2^64-1.
 * Returns FALSE when @text is anything else. */
gboolean sim_plan_parse_count (const char *text, guint64 *out);
void sim_plan_free (SimPlan *plan);

guint sim_plan_n_runs (const SimPlan *plan);
const SimPlanRun *sim_plan_run (const SimPlan *plan, guint i);
const char *sim_plan_scenario (const SimPlan *plan);

/* The resolved `name` of the scenario with the --set overrides (for the
 * default results directory). */
const char *sim_plan_name (const SimPlan *plan);

/* A one-line description: "3 seeds (1..3)", "4 points", "4 points x 3
 * seeds".  Owned by the plan. */
const char *sim_plan_describe (const SimPlan *plan);

gboolean sim_plan_has_sweep (const SimPlan *plan);

/* TRUE when the plan runs several seeds per point (--seeds, or the
 * scenario's `seeds = LIST` without --seed): its runs then record without
 * judging (--no-judge) and the expectations are judged on the mean over
 * the seeds of each point (sim_judge_plan). */
gboolean sim_plan_has_seeds (const SimPlan *plan);

/* The sweep points, in plan order (1 without --sweep), and the results
 * subdirectory of point p (NULL without --sweep). */
guint sim_plan_n_points (const SimPlan *plan);
const char *sim_plan_point_dir (const SimPlan *plan, guint p);

/* The scenario of point p, loaded with the --set overrides and the point's
 * swept values (the seed of its first run), for judging.
 * Returns: (transfer full): the scenario, or NULL with error. */
SimScenario *sim_plan_load_point (const SimPlan *plan, guint p,
                                  GError **error);

/* The directory name of a sweep point: "NAME=VALUE" pairs joined by ','
 * in --sweep order, each value percent-encoded except for the characters
 * A-Z a-z 0-9 . _ + - (so '/', ',', '=', '%' and blanks never appear raw
 * and the name can be decoded exactly).  Returns NULL if the result would
 * exceed a file name's 255 bytes. */
char *sim_point_dir_name (const char *const *names, const char *const *values,
                          guint n);

/* Decodes a point directory name into names and values (appended as
 * g_strdup'ed strings).  Returns FALSE if dirname is not of that form. */
gboolean sim_point_dir_parse (const char *dirname, GPtrArray *names,
                              GPtrArray *values);

/* ---- Subcommands ---------------------------------------------------- */

/* Runs every run of plan as a child `pastrysim run`, at most jobs at a
 * time, into a temporary directory beside out_dir that is collected
 * (sim_results_collect) and renamed into place at the end.  Prints
 * progress unless quiet.  Returns the exit status. */
int sim_batch_run (const SimPlan *plan, const char *out_dir, guint jobs,
                   gboolean quiet, const char *const *child_opts);

/* ---- Expectations over seeds (sim-judge.c) --------------------------- */

/* Judges every expectation of sc on the runs (SimCsv summaries of one run
 * each, borrowed): the plain form on the mean, the `confidence` form on
 * the whole interval (sim-scenario.h, SimExpect).  Prints
 * "  [POINT: ]expect ...: ok (mean M, 95% CI L..H, n N)" on stdout unless
 * quiet, and "FILE:LINE:COL: expectation failed[ at POINT]: ... (mean M,
 * 95% CI L..H, n N)" on stderr.  point: (nullable): the sweep point.
 * Returns TRUE when every expectation holds. */
gboolean sim_judge_runs (const SimScenario *sc, const char *point,
                         const GPtrArray *runs, gboolean quiet);

/* Judges the expectations of sc on the one run whose metrics are given
 * (`run` and `live`): "  expect ...: ok (V)" on stdout unless quiet,
 * "FILE:LINE:COL: expectation failed: ... (measured V)" on stderr.  With
 * no_judge, or when sc declares `seeds` (the run is one seed of a batch,
 * judged on the mean), they are printed as "not judged".  Returns 0, or
 * SIM_EXIT_EXPECT when one failed or its metric was not measured. */
int sim_judge_single (const SimScenario *sc, SimMetrics *metrics,
                      gboolean no_judge, gboolean quiet);

/* Judges a finished batch of plan (which has seeds) in dir, point by point,
 * with the scenario as the plan loads it (positions in the scenario file).
 * Sets *all_hold.  Returns FALSE with error when a summary cannot be read
 * or the scenario no longer loads. */
gboolean sim_judge_plan (const SimPlan *plan, const char *dir,
                         gboolean quiet, gboolean *all_hold, GError **error);

/* Judges a collected results directory (seed-N runs, or sweep points with
 * seed-N runs) against its own scenario.scn files (positions in those
 * files).  Points that are single runs are not judged here (they judged
 * themselves when they ran).  Sets *all_hold; FALSE with error as above. */
gboolean sim_judge_collected (const char *dir, gboolean quiet,
                              gboolean *all_hold, GError **error);

/* `pastrysim compare` (sim-compare.c); argv[0] is "compare". */
int sim_cli_compare (int argc, char **argv);

/* `pastrysim live SCENARIO ...` (sim-live-cmd.c): the scenario's nodes on
 * real UDP sockets in this process.  Returns the exit status. */
int sim_cli_live (int argc, char **argv);

/* `pastrysim seed-route FILE` (sim-seed-route.c): replays the original
 * library's route vectors against core's PastryLibrary; argv[0] is
 * "seed-route".  Returns 0 all matched, 1 some mismatch, 2 bad input. */
int sim_cli_seed_route (int argc, char **argv);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimPlan, sim_plan_free)

G_END_DECLS
