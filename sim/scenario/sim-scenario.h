/* sim-scenario.h — the scenario language: parser, parameters, AST.
 *
 * A scenario file describes one simulation run: validated parameters
 * (those registered in the installed registry, sim-param.h: the
 * language's own, and those of the network models and the protocol), user
 * variables (`let`), a timeline of actions (`at TIME VERB ...`: joins,
 * builds, lookups, failures, departures, rejoins, churn), an optional
 * measurement window (`measure from T1 [to T2]`) and expectations checked
 * after the run (`expect METRIC OP VALUE`).  The language is documented
 * for users in scenarios/README.md.
 *
 * This module is part of the Pastry-agnostic engine: it only produces data.
 * The world layer executes the actions and checks the expectations.
 *
 * Invariants of a SimScenario returned by sim_scenario_load() or
 * sim_scenario_parse() (it is immutable afterwards):
 *   - every parameter holds a value that passed its type and range checks
 *     (defaults included), and every group's cross-parameter check
 *     passed (in pastrysim, for example, network = matrix implies
 *     matrix_file is set);
 *   - no `$NAME` reference is left: actions and expectations hold numbers;
 *   - actions are in non-decreasing `at` order, ties in file order;
 *   - each action satisfies the per-kind field rules documented at
 *     SimAction below; churn traces named by the file have been loaded and
 *     validated (a bad trace fails the parse);
 *   - the measurement window is non-empty (from < to).
 *
 * Time is SimTime, microseconds (see sim-time.h).
 */
#pragma once

#include <glib.h>

#include "sim-param.h"
#include "sim-rng.h"
#include "sim-time.h"
#include "sim-trace.h"

G_BEGIN_DECLS

#define SIM_SCENARIO_ERROR (sim_scenario_error_quark ())
GQuark sim_scenario_error_quark (void);

/* Error codes in the SIM_SCENARIO_ERROR domain.  Every message reads
 * "FILE:LINE:COL: what is wrong (near 'token')", where FILE is the display
 * name given to the parser, LINE and COL are 1-based and COL counts
 * characters (a tab counts as one).  Errors in a --set override read
 * "--set:I:COL: ...", where I is the 1-based index of the override and COL
 * the column within that argument.  IO errors read "FILE: ...". */
typedef enum
{
  SIM_SCENARIO_ERROR_IO,               /* file could not be read; for a
                                          churn trace the message reads
                                          "FILE:LINE:COL: cannot read the
                                          churn trace: ..." */
  SIM_SCENARIO_ERROR_ENCODING,         /* NUL byte, invalid UTF-8, control
                                          character */
  SIM_SCENARIO_ERROR_TOO_LONG,         /* line or file over the limits */
  SIM_SCENARIO_ERROR_SYNTAX,           /* malformed statement, stray token,
                                          unterminated string, text after
                                          `end` */
  SIM_SCENARIO_ERROR_UNKNOWN_KEYWORD,  /* unknown statement, verb or option */
  SIM_SCENARIO_ERROR_UNKNOWN_PARAM,    /* NAME = ... or --set NAME=... with
                                          an unknown NAME */
  SIM_SCENARIO_ERROR_UNKNOWN_VARIABLE, /* $NAME names nothing defined yet */
  SIM_SCENARIO_ERROR_BAD_NUMBER,       /* not a number, not a whole number,
                                          NaN, infinity, bad digits */
  SIM_SCENARIO_ERROR_BAD_UNIT,         /* missing or unknown time/rate unit */
  SIM_SCENARIO_ERROR_BAD_VALUE,        /* enum word not allowed, bad name */
  SIM_SCENARIO_ERROR_TYPE,             /* $NAME holds the wrong kind of value
                                          (e.g. a count where a time is
                                          needed) */
  SIM_SCENARIO_ERROR_RANGE,            /* outside min/max, zero, negative,
                                          overflow, odd leaf_size */
  SIM_SCENARIO_ERROR_DUPLICATE,        /* name or option defined twice */
  SIM_SCENARIO_ERROR_TIME_ORDER,       /* action earlier than the previous */
  SIM_SCENARIO_ERROR_MISSING_END,      /* no `end` line */
  SIM_SCENARIO_ERROR_MISSING_PARAM,    /* e.g. network = matrix without
                                          matrix_file */
  SIM_SCENARIO_ERROR_BAD_OVERRIDE,     /* --set argument malformed or of the
                                          wrong kind for its variable */
  SIM_SCENARIO_ERROR_USE_BEFORE_SET,   /* parameter set after a $reference
                                          to it already used its value */
  SIM_SCENARIO_ERROR_TRACE,            /* the file named by `churn trace` is
                                          not a valid trace (the message
                                          quotes the SIM_TRACE_ERROR) */
} SimScenarioError;

/* Limits of the language (documented in scenarios/README.md). */
#define SIM_SCENARIO_MAX_LINE 16384          /* bytes per line */
#define SIM_SCENARIO_MAX_FILE (64u << 20)    /* bytes per file, load() only */
#define SIM_SCENARIO_MAX_NODES G_MAXUINT32   /* per action and in total */
#define SIM_SCENARIO_MAX_LOOKUPS (G_GUINT64_CONSTANT (1) << 40)

typedef enum
{
  SIM_ACTION_JOIN,   /* protocol joins of new nodes */
  SIM_ACTION_BUILD,  /* instant build with ideal state from global knowledge */
  SIM_ACTION_LOOKUP, /* lookups from uniformly random live source nodes */
  SIM_ACTION_FAIL,   /* silent crashes of live nodes */
  SIM_ACTION_LEAVE,  /* graceful departures: the node tells its leaf set */
  SIM_ACTION_REJOIN, /* nodes that are down come back (join protocol) */
  SIM_ACTION_CHURN,  /* alternating session/down times during an interval */
  SIM_ACTION_TRACE,  /* replay of a churn trace (sim-trace.h) */
} SimActionKind;

/* Which nodes a FAIL, LEAVE or REJOIN action applies to. */
typedef enum
{
  SIM_SELECT_COUNT,   /* `count` nodes chosen uniformly at random among the
                         candidates (live nodes; down nodes for REJOIN) */
  SIM_SELECT_PERCENT, /* round(fraction × live nodes at `at`), at least 1
                         if there is any live node; FAIL/LEAVE only */
  SIM_SELECT_RANGE,   /* `count` live nodes adjacent in id space: a random
                         live node and its count - 1 clockwise successors;
                         FAIL/LEAVE only */
  SIM_SELECT_INDICES, /* the nodes listed in `indices`: node indices in
                         creation order over the whole run, 0-based (a
                         node back with `id new` is a new node); those
                         not live at `at` are skipped; FAIL/LEAVE only */
  SIM_SELECT_ALL,     /* every node down at `at`; REJOIN only */
} SimSelect;

/* How an action's events are placed in time. */
typedef enum
{
  SIM_SPREAD_AT_ONCE,    /* all `count` events at `at` */
  SIM_SPREAD_UNIFORM,    /* `count` events uniformly random in
                            [at, at + over) */
  SIM_SPREAD_SEQUENTIAL, /* JOIN only: the first join starts at `at`, each
                            next one when the previous join has completed */
  SIM_SPREAD_POISSON,    /* LOOKUP only: Poisson arrivals at `rate_per_s`
                            during [at, at + duration) */
  SIM_SPREAD_PER_NODE,   /* LOOKUP only: during [at, at + duration) each
                            live node issues lookups, either as a Poisson
                            process of rate `rate_per_s` (has_every FALSE)
                            or with inter-lookup times drawn from `every`
                            (has_every TRUE, rate_per_s == 0) */
} SimSpread;

/* Which key a lookup asks for. */
typedef enum
{
  SIM_KEYS_NODE,   /* the id of a uniformly random live node */
  SIM_KEYS_RANDOM, /* a uniformly random 128-bit key */
  SIM_KEYS_ZIPF,   /* rank k of Zipf(zipf_s, zipf_n) over a fixed
                      population of zipf_n random keys */
} SimKeyMode;

/* One resolved `at` line.  Fields that a kind does not use are zero
 * (FALSE, NULL, SIM_SELECT_COUNT, a zero-filled SimDist).
 *
 * JOIN, BUILD, LOOKUP — field rules by spread:
 *   AT_ONCE:    count >= 1, over == 0, duration == 0, rate_per_s == 0;
 *   UNIFORM:    count >= 1, over > 0, duration == 0, rate_per_s == 0;
 *   SEQUENTIAL: kind == JOIN, count >= 1, sequential == TRUE, over == 0;
 *   POISSON:    kind == LOOKUP, count == 0, rate_per_s > 0 (finite),
 *               duration > 0;
 *   PER_NODE:   kind == LOOKUP, count == 0, duration > 0, and either
 *               has_every == FALSE and rate_per_s > 0 (finite, per node),
 *               or has_every == TRUE, rate_per_s == 0 and `every` valid
 *               (seconds between two lookups of one node).
 * `sequential` is TRUE exactly when spread == SIM_SPREAD_SEQUENTIAL.
 * `keys` is meaningful for LOOKUP only (resolved from the `keys` option or
 * the `lookup_key` parameter); other kinds hold SIM_KEYS_NODE.  When keys
 * == SIM_KEYS_ZIPF, zipf_s > 0 (finite) and 1 <= zipf_n <= 2^32; else both
 * are 0.
 *
 * FAIL, LEAVE: spread is AT_ONCE (over == 0) or UNIFORM (over > 0: the
 * departures happen at uniformly random times in [at, at + over)), and
 *   select COUNT:    1 <= count <= SIM_SCENARIO_MAX_NODES;
 *   select PERCENT:  0 < fraction <= 1, count == 0;
 *   select RANGE:    1 <= count <= SIM_SCENARIO_MAX_NODES;
 *   select INDICES:  spread AT_ONCE, 1 <= n_indices == count, indices
 *                    distinct, each < 2^32, in file order.
 * REJOIN: spread AT_ONCE or UNIFORM as above; select COUNT (count >= 1) or
 *   ALL (count == 0); same_id as written (default TRUE).
 * CHURN: spread AT_ONCE, count == 0, over == 0, duration > 0; session and
 *   down valid (sim_dist_is_valid, values in seconds; down equals session
 *   when not written); population as written (0 = the live nodes at `at`);
 *   same_id as written (default FALSE).
 * TRACE: spread AT_ONCE, count == 0, over == 0, duration == 0; trace
 *   non-NULL, owned by the scenario, its times relative to `at`;
 *   trace_path the resolved file name; same_id as written (default TRUE:
 *   later sessions of a trace node reuse its id).
 *
 * count <= SIM_SCENARIO_MAX_NODES for JOIN/BUILD and
 * <= SIM_SCENARIO_MAX_LOOKUPS for LOOKUP; at + over and at + duration do
 * not overflow SimTime. */
typedef struct
{
  SimActionKind kind;
  SimSpread spread;
  guint line, col; /* position of the `at` keyword */
  SimTime at;
  guint64 count;
  SimTime over;
  gboolean sequential;
  double rate_per_s;
  SimTime duration;
  SimKeyMode keys;

  /* FAIL / LEAVE / REJOIN */
  SimSelect select;
  double fraction;        /* PERCENT: 0 < fraction <= 1 */
  const guint64 *indices; /* INDICES: owned by the scenario */
  guint n_indices;

  /* REJOIN / CHURN / TRACE: a node coming back keeps its id (TRUE) or
   * joins with a fresh random id (FALSE). */
  gboolean same_id;

  /* CHURN: session and down times, values in seconds. */
  SimDist session, down;
  guint64 population; /* target nodes up + down; 0 = live nodes at `at` */

  /* LOOKUP with spread PER_NODE and `every DIST`: seconds between the
   * lookups of one node. */
  gboolean has_every;
  SimDist every;

  /* TRACE */
  const SimTrace *trace;  /* owned by the scenario */
  const char *trace_path; /* owned by the scenario; resolved path */

  /* LOOKUP with keys == SIM_KEYS_ZIPF */
  double zipf_s;
  guint64 zipf_n;
} SimAction;

typedef enum
{
  SIM_COMPARE_LT, /* <  */
  SIM_COMPARE_LE, /* <= */
  SIM_COMPARE_GT, /* >  */
  SIM_COMPARE_GE, /* >= */
  SIM_COMPARE_EQ, /* == */
  SIM_COMPARE_NE, /* != */
} SimCompareOp;

/* One `expect METRIC OP VALUE` line.  The metric name is not checked here
 * (the world knows its metrics); it matches [A-Za-z_][A-Za-z0-9_.]*.
 * If the threshold was written as a time (e.g. `500ms`), is_time is TRUE,
 * `time` holds it exactly in µs and `value` holds it in seconds; otherwise
 * is_time is FALSE, time is 0 and `value` is the number (a `%` literal is
 * already divided by 100).  Compare with sim_scenario_expect_holds() or
 * sim_scenario_expect_threshold(), which convert a time threshold to the
 * metric's unit (`_ms`, `_us` suffixes).  `value` is always finite.
 * line/col point at the `expect` keyword; they stay those of the file line
 * when a --set expect.METRIC=VALUE override replaced the value.
 *
 * In a scenario that declares `seeds = LIST`, expectations are judged on
 * the mean of the metric over the seeds of a batch, not per run (the CLI
 * does that, sim/cli/sim-judge.c).  confidence is 0 for the plain form;
 * `expect METRIC OP VALUE confidence P%` sets it to P/100 (0 < P < 100)
 * and then the whole P % confidence interval of the mean must satisfy
 * OP VALUE.  The parser accepts `confidence` only in a file with `seeds`. */
typedef struct
{
  char *metric; /* owned by the scenario */
  SimCompareOp op;
  double value;
  gboolean is_time;
  SimTime time;
  guint line, col;
  double confidence; /* 0, or the level of the interval: 0 < c < 1 */
} SimExpect;

/* Appends (g_strdup'ed) the resolved paths of the files the scenario
 * reads: non-empty path parameters (matrix_file, coords_file) and the
 * files of `churn trace` actions.  The scenario file itself is the
 * caller's. */
void sim_scenario_add_input_files (const SimScenario *sc, GPtrArray *paths);

/* Reads and parses the scenario file at @path.
 * Parameters are those of the installed registry
 * (sim_scenario_install_params()); parsing before one is installed is a
 * g_error().
 * @path: file to read; also the display name in error messages.  Relative
 *   paths inside the file (matrix_file, coords_file, churn traces) resolve
 *   against the file's directory, made absolute.
 * @overrides: (nullable): NULL-terminated array of "NAME=VALUE" strings, as
 *   given with --set; borrowed.  See sim_scenario_parse().
 * @error: return location for a SIM_SCENARIO_ERROR, or NULL.
 * Returns: (transfer full) (nullable): the scenario, or NULL with @error
 *   set.  Files over SIM_SCENARIO_MAX_FILE bytes are rejected. */
SimScenario *sim_scenario_load (const char *path,
                                const char *const *overrides,
                                GError **error);

/* Parses scenario text held in memory.
 * @display_name: name used in error messages and, minus a ".scn" suffix
 *   and directories, as the default of the `name` parameter.
 * @text: the scenario text; need not be NUL-terminated; may contain any
 *   bytes (NUL and invalid UTF-8 are reported as errors).  Borrowed.
 * @len: length of @text in bytes.
 * @base_dir: (nullable): directory against which relative paths in the
 *   file resolve; NULL leaves them relative to the current directory.
 *   Pass an absolute directory for results that do not depend on the
 *   current directory.
 * @overrides: (nullable): NULL-terminated "NAME=VALUE" strings.  NAME is a
 *   parameter, a `let` variable of the file, or expect.METRIC (replaces the
 *   threshold of the one expectation on METRIC).  Overrides are validated
 *   like file values and take effect where the name is defined, before any
 *   `$NAME` reference is resolved.  A later override of the same name wins.
 *   Relative paths given here resolve against the current directory.
 * @error: return location for a SIM_SCENARIO_ERROR, or NULL.
 * Returns: (transfer full) (nullable): the scenario, or NULL with @error
 *   set. */
SimScenario *sim_scenario_parse (const char *display_name,
                                 const char *text,
                                 gsize len,
                                 const char *base_dir,
                                 const char *const *overrides,
                                 GError **error);

/* Frees @sc and everything it owns.  NULL is allowed. */
void sim_scenario_free (SimScenario *sc);

/* Returns: (transfer none): the resolved `name` parameter. */
const char *sim_scenario_name (const SimScenario *sc);

/* Returns: (transfer none): the display name given at load/parse time, for
 * messages such as "FILE:LINE:COL: expectation failed". */
const char *sim_scenario_display_name (const SimScenario *sc);

/* Number of actions, and action @i (0-based, < n_actions), in time order.
 * Returns: (transfer none): valid as long as @sc. */
guint sim_scenario_n_actions (const SimScenario *sc);
const SimAction *sim_scenario_action (const SimScenario *sc, guint i);

/* Number of expectations, and expectation @i, in file order.
 * Returns: (transfer none): valid as long as @sc. */
guint sim_scenario_n_expects (const SimScenario *sc);
const SimExpect *sim_scenario_expect (const SimScenario *sc, guint i);

/* The seeds declared by `seeds = LIST` (sim-seed-list.h grammar), in file
 * order.  A file with `seeds` does not set `seed`; run without --seed it is
 * a batch over these seeds whose expectations are judged on the mean.
 * @n: (out): the number of seeds, 0 when the file declares none.
 * Returns: (transfer none): the seeds, NULL when there are none. */
const guint64 *sim_scenario_seeds (const SimScenario *sc, guint *n);

/* The measurement window set by `measure from T1 [to T2]`: metrics count
 * only lookups issued in [from, to) and maintenance traffic sent in
 * [from, to).  Without a `measure` statement the window is the whole run:
 * from = 0, to = SIM_TIME_MAX.  An open `to` is SIM_TIME_MAX.
 * @from, @to: (out) (optional): may be NULL. */
void sim_scenario_measure_window (const SimScenario *sc,
                                  SimTime *from,
                                  SimTime *to);

/* A SIM_PARAM_TIMEOUT parameter, which is either the word `rtt` (adaptive:
 * for Pastry's hop_timeout, SRTT + 4·RTTVAR of the next hop) or a fixed
 * time.
 * @fixed: (out) (optional): the fixed timeout in µs, or 0 in rtt mode.
 * Returns: TRUE in rtt mode, FALSE for a fixed time. */
gboolean sim_scenario_get_timeout (const SimScenario *sc,
                                   const char *param,
                                   SimTime *fixed);

/* sim_scenario_get_timeout (sc, "hop_timeout", fixed), kept for the
 * world's existing caller; new code names the parameter. */
gboolean sim_scenario_get_hop_timeout (const SimScenario *sc,
                                       SimTime *fixed);

/* Typed parameter getters.  @param must name a registered parameter with
 * the matching type (int / double / time / string, enum or path); anything
 * else is a caller bug (g_critical, returns 0 / NULL).
 * sim_scenario_get_string() works for string, enum and path parameters;
 * enum values are returned as their keyword (e.g. "euclidean"), paths as
 * resolved (absolute if the base directory was), "" when unset;
 * "hop_timeout" as "rtt" or a time in canonical syntax ("500ms"; use
 * sim_scenario_get_hop_timeout() to get it as a SimTime).
 * Returns: (transfer none) for strings: valid as long as @sc. */
guint64 sim_scenario_get_uint (const SimScenario *sc, const char *param);
double sim_scenario_get_double (const SimScenario *sc, const char *param);
SimTime sim_scenario_get_time (const SimScenario *sc, const char *param);
const char *sim_scenario_get_string (const SimScenario *sc,
                                     const char *param);

/* Returns: TRUE when @param was set by the file or an override, FALSE when
 * it holds its default.  @param must be a known parameter. */
gboolean sim_scenario_param_is_set (const SimScenario *sc, const char *param);

/* Where @param got its value, for messages that blame a parameter.
 * @file: (out) (optional): the display name for a value from the file,
 *   "--set" for an override (borrowed, valid as long as @sc).
 * @line, @col: (out) (optional): 1-based position of the value in the
 *   file; for an override, its 1-based index among the overrides and the
 *   column of its name.
 * Returns: FALSE (outputs untouched) when @param holds its default.
 * @param must be a known parameter. */
gboolean sim_scenario_param_position (const SimScenario *sc,
                                      const char *param,
                                      const char **file,
                                      guint *line,
                                      guint *col);

/* For a group's cross-parameter check (SimParamCheck): sets @error to
 * "FILE:LINE:COL: message (near '@near')", the position being where
 * @param got its value (the file, "--set:I:COL" for an override,
 * "<default>:0:0" for its default), and returns FALSE.
 * @near: (nullable): the excerpt; NULL for none.
 * @param must be a registered parameter (else g_critical). */
gboolean sim_scenario_param_fail (const SimScenario *sc,
                                  GError **error,
                                  SimScenarioError code,
                                  const char *param,
                                  const char *near,
                                  const char *format,
                                  ...) G_GNUC_PRINTF (6, 7);

/* Returns: the threshold of @e in the unit of its metric.  A plain number
 * is returned as is.  A time threshold (is_time) is converted according to
 * the metric's name: microseconds if it ends in "_us", milliseconds if it
 * ends in "_ms", seconds otherwise.  So `expect latency_p99_ms < 250ms`
 * compares against 250 and `expect duration_s < 2min` against 120. */
double sim_scenario_expect_threshold (const SimExpect *e);

/* Returns: TRUE if `measured OP threshold` holds for @e, where @measured
 * is the metric's value in its own unit and the threshold is
 * sim_scenario_expect_threshold (@e).  NaN never satisfies any operator
 * except != . */
gboolean sim_scenario_expect_holds (const SimExpect *e, double measured);

/* Returns: (transfer none): "<", "<=", ">", ">=", "==" or "!=". */
const char *sim_compare_op_to_string (SimCompareOp op);

/* Appends every resolved parameter (the registry's resolved order, see
 * SimParamSpec.rank), then every `let`
 * variable (declaration order), as "# NAME = VALUE\n" and
 * "# let NAME = VALUE\n" lines, values written in scenario syntax.
 * Deterministic; used as CSV metadata.  Stripping the "# " prefixes gives
 * valid scenario lines. */
void sim_scenario_write_resolved (const SimScenario *sc, GString *out);

/* Appends a complete, self-contained scenario equivalent to @sc: a header
 * comment, every parameter, every variable, every expectation, every action
 * with references replaced by values, and `end`.  With `seeds`, the
 * `seeds` line replaces the `seed` line (a comment then names the seed of
 * this run when an override set it).  Parsing it (with no
 * overrides) yields the same parameters, variables, actions and
 * expectations; use it to record exactly what a run executed. */
void sim_scenario_write_canonical (const SimScenario *sc, GString *out);

/* Appends sim_param_registry_describe() of the installed registry: every
 * parameter grouped by owner, with type, default, allowed range or values
 * and a one-line description.  For `pastrysim params`. */
void sim_scenario_describe_params (GString *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimScenario, sim_scenario_free)

G_END_DECLS
