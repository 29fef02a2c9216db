/* test-scenario.c — tests of the scenario language parser.
 *
 * Every successfully parsed scenario goes through check_invariants(),
 * which asserts the rules documented in sim-scenario.h.  Invalid input is
 * a table of (name, input, overrides, error code, position).
 */
#include "sim-pastry-params.h"
#include "sim-scenario.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#define FILE_NAME "t.scn"

/* ---------------------------------------------------------------------- */
/* Helpers                                                                */

/* Asserts the field rules of sim-scenario.h for JOIN, BUILD and LOOKUP. */
static void
check_counted_action (const SimAction *a)
{
  g_assert_cmpint (a->sequential, ==, a->spread == SIM_SPREAD_SEQUENTIAL);
  g_assert_cmpint (a->select, ==, SIM_SELECT_COUNT);
  switch (a->spread)
    {
    case SIM_SPREAD_AT_ONCE:
      g_assert_cmpuint (a->count, >=, 1);
      g_assert_cmpuint (a->over, ==, 0);
      g_assert_cmpuint (a->duration, ==, 0);
      g_assert_cmpfloat (a->rate_per_s, ==, 0);
      break;
    case SIM_SPREAD_UNIFORM:
      g_assert_cmpuint (a->count, >=, 1);
      g_assert_cmpuint (a->over, >, 0);
      g_assert_cmpuint (a->duration, ==, 0);
      g_assert_cmpfloat (a->rate_per_s, ==, 0);
      g_assert_cmpuint (a->at, <=, SIM_TIME_MAX - a->over);
      break;
    case SIM_SPREAD_SEQUENTIAL:
      g_assert_cmpint (a->kind, ==, SIM_ACTION_JOIN);
      g_assert_cmpuint (a->count, >=, 1);
      g_assert_cmpuint (a->over, ==, 0);
      break;
    case SIM_SPREAD_POISSON:
      g_assert_cmpint (a->kind, ==, SIM_ACTION_LOOKUP);
      g_assert_cmpuint (a->count, ==, 0);
      g_assert_true (isfinite (a->rate_per_s));
      g_assert_cmpfloat (a->rate_per_s, >, 0);
      g_assert_cmpuint (a->duration, >, 0);
      g_assert_cmpuint (a->at, <=, SIM_TIME_MAX - a->duration);
      break;
    case SIM_SPREAD_PER_NODE:
      g_assert_cmpint (a->kind, ==, SIM_ACTION_LOOKUP);
      g_assert_cmpuint (a->count, ==, 0);
      g_assert_cmpuint (a->duration, >, 0);
      g_assert_cmpuint (a->at, <=, SIM_TIME_MAX - a->duration);
      if (a->has_every)
        {
          g_assert_cmpfloat (a->rate_per_s, ==, 0);
          g_assert_true (sim_dist_is_valid (&a->every));
        }
      else
        {
          g_assert_true (isfinite (a->rate_per_s));
          g_assert_cmpfloat (a->rate_per_s, >, 0);
        }
      break;
    default:
      g_assert_not_reached ();
    }
  if (a->kind == SIM_ACTION_LOOKUP)
    g_assert_cmpuint (a->count, <=, SIM_SCENARIO_MAX_LOOKUPS);
  else
    g_assert_cmpuint (a->count, <=, SIM_SCENARIO_MAX_NODES);
}

/* Asserts the field rules of sim-scenario.h for the kinds that take
 * nodes out of the overlay or bring them back. */
static void
check_churn_action (const SimAction *a)
{
  g_assert_cmpuint (a->duration == 0, ==,
                    a->kind != SIM_ACTION_CHURN);
  g_assert_cmpfloat (a->rate_per_s, ==, 0);
  g_assert_false (a->sequential);
  g_assert_cmpuint (a->count, <=, SIM_SCENARIO_MAX_NODES);
  if (a->kind == SIM_ACTION_FAIL || a->kind == SIM_ACTION_LEAVE
      || a->kind == SIM_ACTION_REJOIN)
    {
      g_assert_true (a->spread == SIM_SPREAD_AT_ONCE
                     || a->spread == SIM_SPREAD_UNIFORM);
      g_assert_cmpuint (a->over > 0, ==, a->spread == SIM_SPREAD_UNIFORM);
      if (a->spread == SIM_SPREAD_UNIFORM)
        g_assert_cmpuint (a->at, <=, SIM_TIME_MAX - a->over);
    }
  else
    {
      g_assert_cmpint (a->spread, ==, SIM_SPREAD_AT_ONCE);
      g_assert_cmpuint (a->over, ==, 0);
      g_assert_cmpuint (a->count, ==, 0);
    }
  switch (a->select)
    {
    case SIM_SELECT_COUNT:
    case SIM_SELECT_RANGE:
      if (a->kind != SIM_ACTION_CHURN && a->kind != SIM_ACTION_TRACE)
        g_assert_cmpuint (a->count, >=, 1);
      g_assert_true (a->select == SIM_SELECT_COUNT
                     || a->kind == SIM_ACTION_FAIL
                     || a->kind == SIM_ACTION_LEAVE);
      g_assert_cmpfloat (a->fraction, ==, 0);
      break;
    case SIM_SELECT_PERCENT:
      g_assert_true (a->kind == SIM_ACTION_FAIL
                     || a->kind == SIM_ACTION_LEAVE);
      g_assert_cmpfloat (a->fraction, >, 0);
      g_assert_cmpfloat (a->fraction, <=, 1);
      g_assert_cmpuint (a->count, ==, 0);
      break;
    case SIM_SELECT_INDICES:
      g_assert_true (a->kind == SIM_ACTION_FAIL
                     || a->kind == SIM_ACTION_LEAVE);
      g_assert_cmpint (a->spread, ==, SIM_SPREAD_AT_ONCE);
      g_assert_cmpuint (a->n_indices, >=, 1);
      g_assert_cmpuint (a->n_indices, ==, a->count);
      for (guint i = 0; i < a->n_indices; i++)
        {
          g_assert_cmpuint (a->indices[i], <, G_MAXUINT32);
          for (guint j = 0; j < i; j++)
            g_assert_cmpuint (a->indices[i], !=, a->indices[j]);
        }
      break;
    case SIM_SELECT_ALL:
      g_assert_cmpint (a->kind, ==, SIM_ACTION_REJOIN);
      g_assert_cmpuint (a->count, ==, 0);
      break;
    default:
      g_assert_not_reached ();
    }
  if (a->select != SIM_SELECT_INDICES)
    g_assert_null (a->indices);
  if (a->kind == SIM_ACTION_CHURN)
    {
      g_assert_true (sim_dist_is_valid (&a->session));
      g_assert_true (sim_dist_is_valid (&a->down));
      g_assert_cmpuint (a->at, <=, SIM_TIME_MAX - a->duration);
      g_assert_cmpuint (a->population, <=, SIM_SCENARIO_MAX_NODES);
    }
  else
    g_assert_cmpuint (a->population, ==, 0);
  g_assert_cmpint (a->trace != NULL, ==, a->kind == SIM_ACTION_TRACE);
  g_assert_cmpint (a->trace_path != NULL, ==, a->kind == SIM_ACTION_TRACE);
  if (a->trace != NULL)
    {
      g_assert_cmpuint (sim_trace_n_rows (a->trace), >=, 1);
      g_assert_cmpstr (sim_trace_path (a->trace), ==, a->trace_path);
    }
}

static void
check_invariants (const SimScenario *sc)
{
  SimTime last = 0;
  guint64 nodes = 0;
  SimTime from, to;

  for (guint i = 0; i < sim_scenario_n_actions (sc); i++)
    {
      const SimAction *a = sim_scenario_action (sc, i);
      g_assert_cmpuint (a->at, >=, last);
      last = a->at;
      g_assert_cmpuint (a->line, >=, 1);
      g_assert_cmpuint (a->col, >=, 1);
      switch (a->kind)
        {
        case SIM_ACTION_JOIN:
        case SIM_ACTION_BUILD:
        case SIM_ACTION_LOOKUP:
          check_counted_action (a);
          g_assert_null (a->indices);
          g_assert_null (a->trace);
          g_assert_cmpuint (a->population, ==, 0);
          if (a->kind != SIM_ACTION_LOOKUP)
            nodes += a->count;
          break;
        case SIM_ACTION_FAIL:
        case SIM_ACTION_LEAVE:
        case SIM_ACTION_REJOIN:
        case SIM_ACTION_CHURN:
        case SIM_ACTION_TRACE:
          check_churn_action (a);
          break;
        default:
          g_assert_not_reached ();
        }
      if (a->kind != SIM_ACTION_LOOKUP)
        g_assert_cmpint (a->keys, ==, SIM_KEYS_NODE);
      if (a->spread != SIM_SPREAD_PER_NODE)
        g_assert_false (a->has_every);
      if (a->keys == SIM_KEYS_ZIPF)
        {
          g_assert_true (isfinite (a->zipf_s));
          g_assert_cmpfloat (a->zipf_s, >, 0);
          g_assert_cmpuint (a->zipf_n, >=, 1);
          g_assert_cmpuint (a->zipf_n, <=, G_GUINT64_CONSTANT (1) << 32);
        }
      else
        {
          g_assert_cmpfloat (a->zipf_s, ==, 0);
          g_assert_cmpuint (a->zipf_n, ==, 0);
        }
    }
  g_assert_cmpuint (nodes, <=, SIM_SCENARIO_MAX_NODES);
  sim_scenario_measure_window (sc, &from, &to);
  g_assert_cmpuint (from, <, to);
  for (guint i = 0; i < sim_scenario_n_expects (sc); i++)
    {
      const SimExpect *e = sim_scenario_expect (sc, i);
      g_assert_nonnull (e->metric);
      g_assert_true (isfinite (e->value));
      if (!e->is_time)
        g_assert_cmpuint (e->time, ==, 0);
    }
  g_assert_cmpuint (sim_scenario_get_uint (sc, "b"), >=, 1);
  g_assert_cmpuint (sim_scenario_get_uint (sc, "b"), <=, 8);
  g_assert_cmpuint (sim_scenario_get_uint (sc, "leaf_size") % 2, ==, 0);
  g_assert_nonnull (sim_scenario_name (sc));
  {
    SimTime fixed = 1;
    gboolean rtt = sim_scenario_get_hop_timeout (sc, &fixed);
    g_assert_cmpint (rtt, ==, fixed == 0);
    g_assert_cmpstr (sim_scenario_get_string (sc, "hop_timeout"), !=, "");
  }
}

/* Parses @text (NUL-terminated) that must be valid. */
static SimScenario *
parse_ok_with (const char *text, const char *const *overrides)
{
  g_autoptr (GError) error = NULL;
  SimScenario *sc = sim_scenario_parse (FILE_NAME, text, strlen (text), NULL,
                                        overrides, &error);
  if (error != NULL)
    g_printerr ("unexpected error: %s\n", error->message);
  g_assert_no_error (error);
  g_assert_nonnull (sc);
  check_invariants (sc);
  return sc;
}

static SimScenario *
parse_ok (const char *text)
{
  return parse_ok_with (text, NULL);
}

/* ---------------------------------------------------------------------- */
/* Invalid input                                                          */

typedef struct
{
  const char *name;
  const char *input;
  gssize len;                   /* -1: strlen (input) */
  const char *overrides[3];     /* NULL-terminated */
  SimScenarioError code;
  const char *pos;              /* "LINE:COL" */
  const char *file;             /* NULL: FILE_NAME; "--set" for overrides */
  const char *contains;         /* optional substring of the message */
} InvalidCase;

#define BIN(s) s, (gssize) (sizeof (s) - 1)
#define TXT(s) s, -1
#define E(code) SIM_SCENARIO_ERROR_##code
#define CHURN "at 0s churn for 1h session "
#define BUILD10 "at 0s build 10\n"

static const InvalidCase invalid_cases[] = {
  /* Statements and keywords. */
  { "unknown-keyword", TXT ("frobnicate 3\nend\n"), { NULL },
    E (UNKNOWN_KEYWORD), "1:1", NULL, "unknown keyword 'frobnicate'" },
  { "keyword-typo", TXT ("lte x = 1\nend\n"), { NULL }, E (UNKNOWN_KEYWORD),
    "1:1", NULL, "did you mean 'let'" },
  { "keyword-case", TXT ("At 0s build 1\nend\n"), { NULL },
    E (UNKNOWN_KEYWORD), "1:1", NULL, NULL },
  { "unknown-param", TXT ("# x\nbb = 4\nend\n"), { NULL },
    E (UNKNOWN_PARAM), "2:1", NULL, "did you mean 'b'" },
  { "unknown-param-unicode", TXT ("ßeed = 1\nend\n"), { NULL },
    E (UNKNOWN_PARAM), "1:1", NULL, NULL },
  { "param-missing-eq", TXT ("b 4\nend\n"), { NULL }, E (SYNTAX), "1:3",
    NULL, "expected '='" },
  { "param-missing-value", TXT ("b =\nend\n"), { NULL }, E (SYNTAX), "1:3",
    NULL, "missing value" },
  { "param-extra-token", TXT ("name = my run\nend\n"), { NULL }, E (SYNTAX),
    "1:11", NULL, "quote values" },
  { "param-double-eq", TXT ("b == 4\nend\n"), { NULL }, E (SYNTAX), "1:3",
    NULL, NULL },
  { "let-bad-name", TXT ("let 2x = 1\nend\n"), { NULL }, E (SYNTAX), "1:5",
    NULL, NULL },
  { "let-no-name", TXT ("let\nend\n"), { NULL }, E (SYNTAX), "1:1", NULL,
    NULL },
  { "column-counts-characters", TXT ("let x = \"é\" \"ü\"\nend\n"), { NULL },
    E (SYNTAX), "1:13", NULL, NULL },
  { "unterminated-string", TXT ("name = \"abc\nend\n"), { NULL }, E (SYNTAX),
    "1:8", NULL, "unterminated" },

  /* end */
  { "missing-end", TXT ("b = 4\n"), { NULL }, E (MISSING_END), "2:1", NULL,
    "missing 'end'" },
  { "missing-end-no-newline", TXT ("b = 4"), { NULL }, E (MISSING_END),
    "1:6", NULL, NULL },
  { "empty-file", TXT (""), { NULL }, E (MISSING_END), "1:1", NULL, NULL },
  { "only-comments", TXT ("# nothing\n\n   # here\n"), { NULL },
    E (MISSING_END), "4:1", NULL, NULL },
  { "text-after-end", TXT ("end\n# fine\n\nb = 4\n"), { NULL }, E (SYNTAX),
    "4:1", NULL, "after 'end'" },
  { "end-with-argument", TXT ("end now\n"), { NULL }, E (SYNTAX), "1:5",
    NULL, NULL },

  /* Numbers, units and ranges. */
  { "bad-unit", TXT ("at 5sec build 10\nend\n"), { NULL }, E (BAD_UNIT),
    "1:4", NULL, "unknown unit 'sec'" },
  { "unit-m", TXT ("at 5m build 1\nend\n"), { NULL }, E (BAD_UNIT), "1:4",
    NULL, "'min' for minutes" },
  { "missing-unit-at", TXT ("at 5 build 10\nend\n"), { NULL }, E (BAD_UNIT),
    "1:4", NULL, "missing time unit" },
  { "missing-unit-param", TXT ("access_delay = 5\nend\n"), { NULL },
    E (BAD_UNIT), "1:16", NULL, "missing time unit" },
  { "negative-time", TXT ("at -5s build 1\nend\n"), { NULL }, E (RANGE),
    "1:4", NULL, "negative" },
  { "time-exponent", TXT ("at 1e3ms build 1\nend\n"), { NULL },
    E (BAD_NUMBER), "1:4", NULL, NULL },
  { "compound-increasing", TXT ("at 30min1h build 1\nend\n"), { NULL },
    E (BAD_UNIT), "1:4", NULL, "must decrease" },
  { "compound-repeated", TXT ("at 1h1h build 1\nend\n"), { NULL },
    E (BAD_UNIT), "1:4", NULL, "must decrease" },
  { "compound-missing-unit", TXT ("at 1h30 build 1\nend\n"), { NULL },
    E (BAD_UNIT), "1:4", NULL, "after '30'" },
  { "compound-signed", TXT ("at 1h-30min build 1\nend\n"), { NULL },
    E (BAD_UNIT), "1:4", NULL, NULL },
  { "compound-overflow",
    TXT ("at 18446744073709s551616us build 1\nend\n"), { NULL }, E (RANGE),
    "1:4", NULL, "too large" },
  { "compound-exponent", TXT ("at 1h1e3ms build 1\nend\n"), { NULL },
    E (BAD_NUMBER), "1:4", NULL, NULL },
  { "time-overflow", TXT ("at 999999999999999h build 1\nend\n"), { NULL },
    E (RANGE), "1:4", NULL, "too large" },
  { "time-not-a-number", TXT ("at soon build 1\nend\n"), { NULL },
    E (BAD_NUMBER), "1:4", NULL, NULL },
  { "replicas-over-leafset",
    TXT ("leaf_size = 8\nreplicas = 6\nat 0s build 10\nend\n"), { NULL },
    E (RANGE), "2:12", NULL, "more than leaf_size / 2 + 1 = 5" },
  { "replicas-zero", TXT ("replicas = 0\nend\n"), { NULL }, E (RANGE),
    "1:12", NULL, NULL },
  { "count-zero", TXT ("at 0s build 0\nend\n"), { NULL }, E (RANGE), "1:13",
    NULL, "at least 1" },
  { "count-negative", TXT ("at 0s build -3\nend\n"), { NULL }, E (RANGE),
    "1:13", NULL, "negative" },
  { "count-fraction", TXT ("at 0s build 1.5\nend\n"), { NULL },
    E (BAD_NUMBER), "1:13", NULL, "whole number" },
  { "count-suffix-fraction", TXT ("at 0s build 1.2345k\nend\n"), { NULL },
    E (BAD_NUMBER), "1:13", NULL, "whole number" },
  { "count-too-many-nodes", TXT ("at 0s build 5000000000\nend\n"), { NULL },
    E (RANGE), "1:13", NULL, "too many nodes" },
  { "count-too-many-lookups", TXT ("at 0s lookup 2000000000000\nend\n"),
    { NULL }, E (RANGE), "1:14", NULL, NULL },
  { "count-time-literal", TXT ("at 0s build 10s\nend\n"), { NULL },
    E (BAD_NUMBER), "1:13", NULL, NULL },
  { "total-nodes-overflow",
    TXT ("at 0s build 4000000000\nat 1s join 400000000\nend\n"), { NULL },
    E (RANGE), "2:12", NULL, "in total" },
  { "uint64-overflow", TXT ("seed = 18446744073709551616\nend\n"), { NULL },
    E (RANGE), "1:8", NULL, "too large" },
  { "suffix-overflow", TXT ("seed = 99999999999999G\nend\n"), { NULL },
    E (RANGE), "1:8", NULL, NULL },
  { "misplaced-underscore", TXT ("seed = 1__0\nend\n"), { NULL },
    E (BAD_NUMBER), "1:8", NULL, NULL },
  { "nan", TXT ("plane_size = nan\nend\n"), { NULL }, E (BAD_NUMBER), "1:14",
    NULL, NULL },
  { "inf", TXT ("loss = inf\nend\n"), { NULL }, E (BAD_NUMBER), "1:8", NULL,
    NULL },
  { "minus-infinity", TXT ("plane_size = -infinity\nend\n"), { NULL },
    E (BAD_NUMBER), "1:14", NULL, NULL },
  { "double-overflow", TXT ("plane_size = 1e999\nend\n"), { NULL },
    E (RANGE), "1:14", NULL, NULL },
  { "hex-float", TXT ("plane_size = 0x10\nend\n"), { NULL }, E (BAD_UNIT),
    "1:14", NULL, NULL },
  { "malformed-number", TXT ("plane_size = 1.2.3\nend\n"), { NULL },
    E (BAD_NUMBER), "1:14", NULL, NULL },
  { "quoted-number", TXT ("b = \"4\"\nend\n"), { NULL }, E (BAD_NUMBER),
    "1:5", NULL, NULL },
  { "b-zero", TXT ("b = 0\nend\n"), { NULL }, E (RANGE), "1:5", NULL,
    "between 1 and 8" },
  { "b-nine", TXT ("b = 9\nend\n"), { NULL }, E (RANGE), "1:5", NULL, NULL },
  { "leaf-size-odd", TXT ("leaf_size = 15\nend\n"), { NULL }, E (RANGE),
    "1:13", NULL, "even" },
  { "leaf-size-zero", TXT ("leaf_size = 0\nend\n"), { NULL }, E (RANGE),
    "1:13", NULL, NULL },
  { "neighbourhood-too-big", TXT ("neighbourhood_size = 1025\nend\n"),
    { NULL }, E (RANGE), "1:22", NULL, NULL },
  { "plane-size-zero", TXT ("plane_size = 0\nend\n"), { NULL }, E (RANGE),
    "1:14", NULL, "greater than 0" },
  { "loss-above-one", TXT ("loss = 1.5\nend\n"), { NULL }, E (RANGE), "1:8",
    NULL, NULL },
  { "loss-percent-above", TXT ("loss = 101%\nend\n"), { NULL }, E (RANGE),
    "1:8", NULL, NULL },
  { "jitter-negative", TXT ("jitter = -0.1\nend\n"), { NULL }, E (RANGE),
    "1:10", NULL, NULL },
  { "enum-unknown", TXT ("network = torus\nend\n"), { NULL }, E (BAD_VALUE),
    "1:11", NULL, "one of" },
  { "enum-typo", TXT ("network = shpere\nend\n"), { NULL }, E (BAD_VALUE),
    "1:11", NULL, "did you mean 'sphere'" },
  { "name-with-slash", TXT ("name = ../x\nend\n"), { NULL }, E (BAD_VALUE),
    "1:8", NULL, NULL },
  { "matrix-without-file", TXT ("network = matrix\nend\n"), { NULL },
    E (MISSING_PARAM), "1:11", NULL, "matrix_file" },
  { "coords-without-file", TXT ("network = coords\nend\n"), { NULL },
    E (MISSING_PARAM), "1:11", NULL, "coords_file" },

  /* Duplicates and order. */
  { "duplicate-param", TXT ("b = 4\n\nb = 5\nend\n"), { NULL },
    E (DUPLICATE), "3:1", NULL, "'b' already set at line 1" },
  { "duplicate-let", TXT ("let n = 1\nlet n = 2\nend\n"), { NULL },
    E (DUPLICATE), "2:5", NULL, "line 1" },
  { "let-shadows-param", TXT ("let b = 3\nend\n"), { NULL }, E (DUPLICATE),
    "1:5", NULL, NULL },
  { "assign-to-variable", TXT ("let n = 3\nn = 4\nend\n"), { NULL },
    E (DUPLICATE), "2:1", NULL, NULL },
  { "duplicate-option", TXT ("at 0s lookup 10 over 1s over 2s\nend\n"),
    { NULL }, E (DUPLICATE), "1:25", NULL, NULL },
  { "duplicate-expect", TXT ("expect hops < 4\nexpect hops < 5\nend\n"),
    { NULL }, E (DUPLICATE), "2:8", NULL, "line 1" },
  { "time-backwards", TXT ("at 10s build 1\nat 5s lookup 1\nend\n"),
    { NULL }, E (TIME_ORDER), "2:4", NULL, "line 1" },
  { "use-before-set", TXT ("let x = $b\nb = 5\nend\n"), { NULL },
    E (USE_BEFORE_SET), "2:1", NULL, "line 1" },

  /* References. */
  { "unknown-variable", TXT ("at 0s build $nodes\nend\n"), { NULL },
    E (UNKNOWN_VARIABLE), "1:13", NULL, "'$nodes'" },
  { "variable-used-before-let",
    TXT ("at 0s build $n\nlet n = 3\nend\n"), { NULL },
    E (UNKNOWN_VARIABLE), "1:13", NULL, NULL },
  { "ref-wrong-type", TXT ("let t = 5s\nat 0s build $t\nend\n"), { NULL },
    E (TYPE), "2:13", NULL, "holds a time" },
  { "ref-count-as-time", TXT ("let n = 5\nat $n build 1\nend\n"), { NULL },
    E (TYPE), "2:4", NULL, NULL },
  { "ref-malformed", TXT ("at 0s build $\nend\n"), { NULL }, E (SYNTAX),
    "1:13", NULL, NULL },

  /* Actions. */
  { "unknown-verb", TXT ("at 0s explode 3\nend\n"), { NULL },
    E (UNKNOWN_KEYWORD), "1:7", NULL, "unknown action" },
  { "churn-count", TXT ("at 0s churn 3\nend\n"), { NULL }, E (SYNTAX),
    "1:13", NULL, "'for DURATION' or 'trace FILE'" },
  { "unknown-option", TXT ("at 0s lookup 10 during 5s\nend\n"), { NULL },
    E (UNKNOWN_KEYWORD), "1:17", NULL, NULL },
  { "build-with-option", TXT ("at 0s build 10 over 5s\nend\n"), { NULL },
    E (SYNTAX), "1:16", NULL, NULL },
  { "over-and-sequential", TXT ("at 0s join 10 over 1s sequential\nend\n"),
    { NULL }, E (SYNTAX), "1:23", NULL, "cannot be combined" },
  { "over-zero", TXT ("at 0s join 10 over 0s\nend\n"), { NULL }, E (RANGE),
    "1:20", NULL, NULL },
  { "over-missing-duration", TXT ("at 0s join 10 over\nend\n"), { NULL },
    E (SYNTAX), "1:15", NULL, NULL },
  { "over-past-end-of-time",
    TXT ("at 18446744073709551615us join 1 over 1us\nend\n"), { NULL },
    E (RANGE), "1:39", NULL, NULL },
  { "missing-count", TXT ("at 0s build\nend\n"), { NULL }, E (SYNTAX),
    "1:7", NULL, NULL },
  { "missing-action", TXT ("at 5s\nend\n"), { NULL }, E (SYNTAX), "1:4",
    NULL, NULL },
  { "missing-time", TXT ("at\nend\n"), { NULL }, E (SYNTAX), "1:1", NULL,
    NULL },
  { "rate-without-for", TXT ("at 0s lookup rate 10/s\nend\n"), { NULL },
    E (SYNTAX), "1:19", NULL, "for DURATION" },
  { "rate-without-unit", TXT ("at 0s lookup rate 10 for 1s\nend\n"),
    { NULL }, E (BAD_UNIT), "1:19", NULL, NULL },
  { "rate-bad-unit", TXT ("at 0s lookup rate 10/sec for 1s\nend\n"),
    { NULL }, E (BAD_UNIT), "1:19", NULL, NULL },
  { "rate-zero", TXT ("at 0s lookup rate 0/s for 1s\nend\n"), { NULL },
    E (RANGE), "1:19", NULL, NULL },
  { "rate-with-over", TXT ("at 0s lookup rate 1/s over 1s\nend\n"),
    { NULL }, E (UNKNOWN_KEYWORD), "1:23", NULL, NULL },
  { "rate-too-many", TXT ("at 0s lookup rate 1G/s for 2000s\nend\n"),
    { NULL }, E (RANGE), "1:19", NULL, NULL },
  { "bad-keys", TXT ("at 0s lookup 10 keys any\nend\n"), { NULL },
    E (BAD_VALUE), "1:22", NULL, NULL },

  /* Distributions (churn session and down times, lookup `every`). */
  { "dist-unknown", TXT (CHURN "expo(1h)\nend\n"), { NULL },
    E (UNKNOWN_KEYWORD), "1:28", NULL, "did you mean 'exp'" },
  { "dist-missing-paren", TXT (CHURN "exp 1h\nend\n"), { NULL }, E (SYNTAX),
    "1:28", NULL, "missing '('" },
  { "dist-missing-close", TXT (CHURN "exp(1h\nend\n"), { NULL }, E (SYNTAX),
    "1:31", NULL, "missing ')'" },
  { "dist-negative-mean", TXT (CHURN "exp(-1h)\nend\n"), { NULL }, E (RANGE),
    "1:32", NULL, "negative" },
  { "dist-zero-mean", TXT (CHURN "exp(0s)\nend\n"), { NULL }, E (RANGE),
    "1:32", NULL, "greater than 0" },
  { "dist-no-unit", TXT (CHURN "exp(5)\nend\n"), { NULL }, E (BAD_UNIT),
    "1:32", NULL, "missing time unit" },
  { "dist-wrong-arity", TXT (CHURN "exp(1h, 2h)\nend\n"), { NULL },
    E (SYNTAX), "1:28", NULL, "takes 1 argument" },
  { "dist-pareto-shape-zero", TXT (CHURN "pareto(0, 1h)\nend\n"), { NULL },
    E (RANGE), "1:35", NULL, "shape" },
  { "dist-pareto-bad-key", TXT (CHURN "pareto(1.5, medain=1h)\nend\n"),
    { NULL }, E (UNKNOWN_KEYWORD), "1:40", NULL, "did you mean 'median'" },
  { "dist-pareto-median-no-unit", TXT (CHURN "pareto(1.5, median=3)\nend\n"),
    { NULL }, E (BAD_UNIT), "1:47", NULL, NULL },
  { "dist-uniform-lo-ge-hi", TXT (CHURN "uniform(2h, 1h)\nend\n"), { NULL },
    E (RANGE), "1:40", NULL, "LO < HI" },
  { "dist-weibull-shape-negative", TXT (CHURN "weibull(-1, 1h)\nend\n"),
    { NULL }, E (RANGE), "1:36", NULL, "shape" },
  { "dist-named-arg", TXT (CHURN "exp(mean=1h)\nend\n"), { NULL },
    E (SYNTAX), "1:32", NULL, "mean=" },
  { "dist-space-in-arg", TXT (CHURN "exp(1 h)\nend\n"), { NULL }, E (SYNTAX),
    "1:34", NULL, "space" },
  { "dist-trailing-text", TXT (CHURN "exp(1h)x\nend\n"), { NULL },
    E (SYNTAX), "1:35", NULL, "after ')'" },
  { "dist-nested", TXT (CHURN "exp((1h))\nend\n"), { NULL }, E (SYNTAX),
    "1:32", NULL, NULL },
  { "dist-not-a-call", TXT (CHURN "1h\nend\n"), { NULL }, E (SYNTAX), "1:28",
    NULL, "such as exp(1h)" },
  { "dist-quoted", TXT (CHURN "\"exp(1h)\"\nend\n"), { NULL }, E (SYNTAX),
    "1:28", NULL, NULL },
  { "dist-empty-arg", TXT (CHURN "uniform(1h,)\nend\n"), { NULL },
    E (SYNTAX), "1:39", NULL, "missing argument" },

  /* churn */
  { "churn-without-for", TXT ("at 0s churn session exp(1h)\nend\n"),
    { NULL }, E (SYNTAX), "1:7", NULL, "for DURATION" },
  { "churn-without-session", TXT ("at 0s churn for 1h\nend\n"), { NULL },
    E (SYNTAX), "1:7", NULL, "session DIST" },
  { "churn-for-zero", TXT ("at 0s churn for 0s session exp(1h)\nend\n"),
    { NULL }, E (RANGE), "1:17", NULL, NULL },
  { "churn-population-zero",
    TXT (CHURN "exp(1h) population 0\nend\n"), { NULL }, E (RANGE), "1:47",
    NULL, NULL },
  { "churn-duplicate-session",
    TXT (CHURN "exp(1h) session exp(2h)\nend\n"), { NULL }, E (DUPLICATE),
    "1:36", NULL, NULL },
  { "churn-bad-id", TXT (CHURN "exp(1h) id old\nend\n"), { NULL },
    E (BAD_VALUE), "1:39", NULL, "'same' or 'new'" },
  { "churn-unknown-option", TXT (CHURN "exp(1h) downtime exp(1h)\nend\n"),
    { NULL }, E (UNKNOWN_KEYWORD), "1:36", NULL, NULL },
  { "churn-down-missing", TXT (CHURN "exp(1h) down\nend\n"), { NULL },
    E (SYNTAX), "1:36", NULL, "missing distribution" },
  { "churn-missing-all", TXT ("at 0s churn\nend\n"), { NULL }, E (SYNTAX),
    "1:7", NULL, NULL },
  { "trace-missing-file", TXT ("at 0s churn trace\nend\n"), { NULL },
    E (SYNTAX), "1:13", NULL, "missing trace file" },
  { "trace-bad-path", TXT ("at 0s churn trace \"/nonexistent/tr.txt\"\nend\n"),
    { NULL }, E (IO), "1:19", NULL, "cannot read" },
  { "trace-empty-name", TXT ("at 0s churn trace \"\"\nend\n"), { NULL },
    E (BAD_VALUE), "1:19", NULL, NULL },
  { "trace-bad-option",
    TXT ("at 0s churn trace /nonexistent/t over 1s\nend\n"), { NULL },
    E (UNKNOWN_KEYWORD), "1:34", NULL, NULL },

  /* fail, leave, rejoin */
  { "percent-zero", TXT (BUILD10 "at 1s fail 0%\nend\n"), { NULL }, E (RANGE),
    "2:12", NULL, "greater than 0%" },
  { "percent-over-100", TXT (BUILD10 "at 1s fail 101%\nend\n"), { NULL },
    E (RANGE), "2:12", NULL, NULL },
  { "percent-negative", TXT (BUILD10 "at 1s leave -5%\nend\n"), { NULL },
    E (RANGE), "2:13", NULL, NULL },
  { "percent-var-time", TXT ("let p = 5s\n" BUILD10 "at 1s fail $p\nend\n"),
    { NULL }, E (TYPE), "3:12", NULL, "count or a percentage" },
  { "percent-var-above-one",
    TXT ("let p = 2.5\n" BUILD10 "at 1s fail $p\nend\n"),
    { NULL }, E (RANGE), "3:12", NULL, NULL },
  { "fail-zero", TXT (BUILD10 "at 1s fail 0\nend\n"), { NULL }, E (RANGE),
    "2:12", NULL, "at least 1" },
  { "fail-fraction", TXT (BUILD10 "at 1s fail 0.5\nend\n"), { NULL },
    E (BAD_NUMBER), "2:12", NULL, NULL },
  { "fail-missing-count", TXT (BUILD10 "at 1s fail\nend\n"), { NULL },
    E (SYNTAX), "2:7", NULL, NULL },
  { "fail-word", TXT (BUILD10 "at 1s fail lots\nend\n"), { NULL },
    E (BAD_NUMBER), "2:12", NULL, NULL },
  { "range-zero", TXT (BUILD10 "at 1s fail range 0\nend\n"), { NULL },
    E (RANGE), "2:18", NULL, NULL },
  { "range-missing-count", TXT (BUILD10 "at 1s fail range\nend\n"), { NULL },
    E (SYNTAX), "2:12", NULL, "missing count" },
  { "nodes-garbage", TXT (BUILD10 "at 1s fail nodes 3,x,5\nend\n"), { NULL },
    E (BAD_NUMBER), "2:20", NULL, NULL },
  { "nodes-empty-item", TXT (BUILD10 "at 1s fail nodes 3,,5\nend\n"), { NULL },
    E (SYNTAX), "2:20", NULL, "empty item" },
  { "nodes-trailing-comma", TXT (BUILD10 "at 1s fail nodes 3,\nend\n"),
    { NULL }, E (SYNTAX), "2:18", NULL, "ends with ','" },
  { "nodes-duplicate", TXT (BUILD10 "at 1s fail nodes 3, 4, 3\nend\n"),
    { NULL }, E (DUPLICATE), "2:24", NULL, "twice" },
  { "nodes-too-large", TXT (BUILD10 "at 1s fail nodes 4294967295\nend\n"),
    { NULL }, E (RANGE), "2:18", NULL, "too large" },
  { "nodes-nonexistent", TXT (BUILD10 "at 1s fail nodes 2,10\nend\n"),
    { NULL }, E (RANGE), "2:20", NULL, "no node 10" },
  { "nodes-with-over", TXT (BUILD10 "at 1s fail nodes 1,2 over 5s\nend\n"),
    { NULL }, E (SYNTAX), "2:22", NULL, "cannot be used with 'nodes'" },
  { "nodes-missing-comma", TXT (BUILD10 "at 1s fail nodes 1 2\nend\n"),
    { NULL }, E (SYNTAX), "2:20", NULL, "missing ','" },
  { "nodes-negative", TXT (BUILD10 "at 1s leave nodes -1\nend\n"), { NULL },
    E (RANGE), "2:19", NULL, NULL },
  { "nodes-missing-list", TXT (BUILD10 "at 1s leave nodes\nend\n"), { NULL },
    E (SYNTAX), "2:13", NULL, NULL },
  { "leave-over-zero", TXT (BUILD10 "at 1s leave 5 over 0s\nend\n"), { NULL },
    E (RANGE), "2:20", NULL, NULL },
  { "leave-id-option", TXT (BUILD10 "at 1s leave 5 id new\nend\n"), { NULL },
    E (UNKNOWN_KEYWORD), "2:15", NULL, NULL },
  { "rejoin-zero", TXT (BUILD10 "at 1s rejoin 0\nend\n"), { NULL }, E (RANGE),
    "2:14", NULL, NULL },
  { "rejoin-bad-id", TXT (BUILD10 "at 1s rejoin all id fresh\nend\n"),
    { NULL }, E (BAD_VALUE), "2:21", NULL, NULL },
  { "rejoin-percent", TXT (BUILD10 "at 1s rejoin 10%\nend\n"), { NULL },
    E (BAD_NUMBER), "2:14", NULL, NULL },
  { "rejoin-duplicate-id", TXT (BUILD10 "at 1s rejoin 1 id new id same\nend\n"),
    { NULL }, E (DUPLICATE), "2:23", NULL, NULL },

  /* Lookups per node and Zipf keys. */
  { "every-without-per-node",
    TXT ("at 0s lookup every exp(10s) for 1h\nend\n"), { NULL }, E (SYNTAX),
    "1:14", NULL, "per node" },
  { "every-without-for", TXT ("at 0s lookup every exp(10s) per node\nend\n"),
    { NULL }, E (SYNTAX), "1:20", NULL, "for DURATION" },
  { "every-bad-dist", TXT ("at 0s lookup every 10s per node for 1h\nend\n"),
    { NULL }, E (SYNTAX), "1:20", NULL, "distribution" },
  { "per-not-node", TXT ("at 0s lookup rate 1/s per key for 1h\nend\n"),
    { NULL }, E (SYNTAX), "1:27", NULL, "per node" },
  { "per-node-with-count", TXT ("at 0s lookup 10 per node\nend\n"),
    { NULL }, E (UNKNOWN_KEYWORD), "1:17", NULL, NULL },
  { "zipf-zero", TXT ("at 0s lookup 10 keys zipf(0, 10)\nend\n"), { NULL },
    E (RANGE), "1:27", NULL, NULL },
  { "zipf-k-zero", TXT ("at 0s lookup 10 keys zipf(1, 0)\nend\n"), { NULL },
    E (RANGE), "1:30", NULL, "between 1 and 2^32" },
  { "zipf-k-too-large",
    TXT ("at 0s lookup 10 keys zipf(1, 4294967297)\nend\n"), { NULL },
    E (RANGE), "1:30", NULL, NULL },
  { "zipf-missing-paren", TXT ("at 0s lookup 10 keys zipf\nend\n"), { NULL },
    E (SYNTAX), "1:22", NULL, "missing '('" },
  { "zipf-one-arg", TXT ("at 0s lookup 10 keys zipf(1.2)\nend\n"), { NULL },
    E (SYNTAX), "1:22", NULL, "2 arguments" },
  { "zipf-inf", TXT ("at 0s lookup 10 keys zipf(inf, 10)\nend\n"), { NULL },
    E (BAD_NUMBER), "1:27", NULL, NULL },

  /* measure */
  { "measure-duplicate", TXT ("measure from 1s\nmeasure from 2s\nend\n"),
    { NULL }, E (DUPLICATE), "2:1", NULL, "line 1" },
  { "measure-to-before-from", TXT ("measure from 10s to 5s\nend\n"),
    { NULL }, E (RANGE), "1:21", NULL, NULL },
  { "measure-to-equals-from", TXT ("measure from 10s to 10s\nend\n"),
    { NULL }, E (RANGE), "1:21", NULL, NULL },
  { "measure-missing-from", TXT ("measure 10s\nend\n"), { NULL }, E (SYNTAX),
    "1:9", NULL, "'from'" },
  { "measure-no-unit", TXT ("measure from 10\nend\n"), { NULL },
    E (BAD_UNIT), "1:14", NULL, NULL },
  { "measure-as-action", TXT ("at 5s measure\nend\n"), { NULL },
    E (UNKNOWN_KEYWORD), "1:7", NULL, "statement of its own" },
  { "measure-extra", TXT ("measure from 1s to 2s now\nend\n"), { NULL },
    E (SYNTAX), "1:23", NULL, NULL },
  { "measure-typo", TXT ("measures from 1s\nend\n"), { NULL },
    E (UNKNOWN_KEYWORD), "1:1", NULL, "did you mean 'measure'" },

  /* Parameters of failure detection and accounting. */
  { "hop-timeout-word", TXT ("hop_timeout = fast\nend\n"), { NULL },
    E (BAD_VALUE), "1:15", NULL, "'rtt' or a time" },
  { "hop-timeout-zero", TXT ("hop_timeout = 0ms\nend\n"), { NULL },
    E (RANGE), "1:15", NULL, NULL },
  { "hop-timeout-no-unit", TXT ("hop_timeout = 500\nend\n"), { NULL },
    E (BAD_UNIT), "1:15", NULL, NULL },
  { "hop-timeout-ref-count", TXT ("let n = 5\nhop_timeout = $n\nend\n"),
    { NULL }, E (TYPE), "2:15", NULL, NULL },
  { "override-hop-timeout", TXT ("end\n"), { "hop_timeout=soon", NULL },
    E (BAD_VALUE), "1:13", "--set", NULL },
  { "repair-bad", TXT ("repair = partial\nend\n"), { NULL }, E (BAD_VALUE),
    "1:10", NULL, "on, off, leafset" },
  { "probe-retries-11", TXT ("probe_retries = 11\nend\n"), { NULL },
    E (RANGE), "1:17", NULL, NULL },
  { "hop-retries-33", TXT ("hop_retries = 33\nend\n"), { NULL }, E (RANGE),
    "1:15", NULL, NULL },
  { "timeline-interval-zero", TXT ("timeline_interval = 0s\nend\n"),
    { NULL }, E (RANGE), "1:21", NULL, "greater than 0" },
  { "heartbeat-no-unit", TXT ("heartbeat_period = 30\nend\n"), { NULL },
    E (BAD_UNIT), "1:20", NULL, NULL },
  { "maintenance-bad", TXT ("maintenance = sometimes\nend\n"), { NULL },
    E (BAD_VALUE), "1:15", NULL, NULL },

  /* Expectations. */
  { "expect-assign-op", TXT ("expect hops = 3\nend\n"), { NULL },
    E (SYNTAX), "1:13", NULL, "'=='" },
  { "expect-bad-value", TXT ("expect hops < fast\nend\n"), { NULL },
    E (BAD_NUMBER), "1:15", NULL, NULL },
  { "expect-bad-metric", TXT ("expect 9hops < 1\nend\n"), { NULL },
    E (SYNTAX), "1:8", NULL, NULL },
  { "expect-missing-value", TXT ("expect hops <\nend\n"), { NULL },
    E (SYNTAX), "1:13", NULL, NULL },

  /* Encoding and size. */
  { "garbage-bytes", BIN ("\xff\xfe\x00garbage"), { NULL }, E (ENCODING),
    "1:1", NULL, "UTF-8" },
  { "nul-byte", BIN ("b = 4\nlet x\0 = 1\nend\n"), { NULL }, E (ENCODING),
    "2:6", NULL, "NUL" },
  { "invalid-utf8", BIN ("# ok\nname = caf\xc3\nend\n"), { NULL },
    E (ENCODING), "2:11", NULL, NULL },
  { "invalid-utf8-in-comment", BIN ("# caf\xe9\nend\n"), { NULL },
    E (ENCODING), "1:6", NULL, NULL },
  { "control-char", TXT ("b = 4\x01\nend\n"), { NULL }, E (ENCODING), "1:6",
    NULL, "U+0001" },
  { "lone-cr", TXT ("b = 4\rend\n"), { NULL }, E (ENCODING), "1:6", NULL,
    NULL },
  { "garbage-after-end", BIN ("end\n\x80\n"), { NULL }, E (ENCODING), "2:1",
    NULL, NULL },
  /* Found by fuzzing (corpus/scenario/crash-utf8-after-call): the message
   * quoted one byte of a multi-byte character, so it was not UTF-8. */
  { "utf8-after-call",
    TXT ("at 0s churn for 1h session exp(1h)\xdc\x8f" "opulation 9\nend\n"),
    { NULL }, E (SYNTAX), "1:35", NULL,
    "unexpected '\xdc\x8f' after ')'" },
  { "utf8-after-call-dash",
    TXT ("at 0s lookup every exp(20s)\xe2\x80\x94 per node for 1h\nend\n"),
    { NULL }, E (SYNTAX), "1:28", NULL, "'\xe2\x80\x94'" },

  /* Overrides. */
  { "override-no-equals", TXT ("end\n"), { "b", NULL }, E (BAD_OVERRIDE),
    "1:1", "--set", "NAME=VALUE" },
  { "override-unknown", TXT ("end\n"), { "  xyz=3", NULL },
    E (UNKNOWN_PARAM), "1:3", "--set", "unknown parameter 'xyz'" },
  { "override-empty-value", TXT ("end\n"), { "b=", NULL }, E (BAD_OVERRIDE),
    "1:3", "--set", NULL },
  { "override-empty-name", TXT ("end\n"), { "=4", NULL }, E (BAD_OVERRIDE),
    "1:1", "--set", NULL },
  { "override-out-of-range", TXT ("end\n"), { "b=9", NULL }, E (RANGE),
    "1:3", "--set", NULL },
  { "override-second-arg", TXT ("end\n"), { "b=4", "leaf_size=15", NULL },
    E (RANGE), "2:11", "--set", NULL },
  { "override-let-kind", TXT ("let nodes = 1000\nat 0s build $nodes\nend\n"),
    { "nodes=1.5", NULL }, E (BAD_NUMBER), "1:7", "--set", NULL },
  { "override-let-needs-unit", TXT ("let d = 5s\nend\n"), { "d=5", NULL },
    E (BAD_UNIT), "1:3", "--set", "missing time unit" },
  { "override-expect-unknown", TXT ("expect hops < 4\nend\n"),
    { "expect.latency=3", NULL }, E (UNKNOWN_PARAM), "1:1", "--set", NULL },
  { "override-expect-ambiguous",
    TXT ("expect hops < 4\nexpect hops > 1\nend\n"), { "expect.hops=5", NULL },
    E (BAD_OVERRIDE), "1:1", "--set", "ambiguous" },
  /* Seeds and confidence (issue 12): both sides of every edge. */
  { "seeds-reversed", TXT ("seeds = 5..1\nend\n"), { NULL }, E (RANGE),
    "1:9", NULL, "'5..1' is an empty range" },
  { "seeds-reversed-late", TXT ("seeds = 1, 2, 9..3\nend\n"), { NULL },
    E (RANGE), "1:15", NULL, "empty range" },
  { "seeds-empty", TXT ("seeds =\nend\n"), { NULL }, E (SYNTAX), "1:7",
    NULL, "missing seed list" },
  { "seeds-no-eq", TXT ("seeds 1..8\nend\n"), { NULL }, E (SYNTAX), "1:7",
    NULL, "expected '='" },
  { "seeds-empty-item", TXT ("seeds = 1,,2\nend\n"), { NULL }, E (SYNTAX),
    "1:11", NULL, "empty item" },
  { "seeds-trailing-comma", TXT ("seeds = 1,2,\nend\n"), { NULL },
    E (SYNTAX), "1:13", NULL, "empty item" },
  { "seeds-missing-comma", TXT ("seeds = 1 2\nend\n"), { NULL }, E (SYNTAX),
    "1:11", NULL, "missing ','" },
  { "seeds-blank-in-range", TXT ("seeds = 1 ..4\nend\n"), { NULL },
    E (SYNTAX), "1:11", NULL, "missing ','" },
  { "seeds-2^64", TXT ("seeds = 18446744073709551616\nend\n"), { NULL },
    E (RANGE), "1:9", NULL, "beyond the largest seed" },
  { "seeds-range-to-2^64", TXT ("seeds = 1,\t3..18446744073709551616\nend\n"),
    { NULL }, E (RANGE), "1:12", NULL, "beyond the largest seed" },
  { "seeds-not-a-number", TXT ("seeds = 1..x\nend\n"), { NULL }, E (SYNTAX),
    "1:9", NULL, "not a range of seeds" },
  { "seeds-negative", TXT ("seeds = -1\nend\n"), { NULL }, E (SYNTAX),
    "1:9", NULL, "not a seed" },
  { "seeds-suffix", TXT ("seeds = 1k\nend\n"), { NULL }, E (SYNTAX), "1:9",
    NULL, "not a seed" },
  { "seeds-quoted", TXT ("seeds = \"1..3\"\nend\n"), { NULL }, E (SYNTAX),
    "1:9", NULL, "quoted" },
  { "seeds-twice-in-list", TXT ("seeds = 1..3, 2\nend\n"), { NULL },
    E (DUPLICATE), "1:9", NULL, "seed 2 is listed twice" },
  { "seeds-too-many", TXT ("seeds = 0..100000\nend\n"), { NULL }, E (RANGE),
    "1:9", NULL, "more than 100000 seeds" },
  { "seeds-line-twice", TXT ("seeds = 1..3\nseeds = 4\nend\n"), { NULL },
    E (DUPLICATE), "2:1", NULL, "already set at line 1" },
  { "seeds-after-seed", TXT ("seed = 3\nseeds = 1..3\nend\n"), { NULL },
    E (DUPLICATE), "2:1", NULL, "sets 'seed' (line 1)" },
  { "seed-after-seeds", TXT ("seeds = 1..3\nseed = 3\nend\n"), { NULL },
    E (DUPLICATE), "2:1", NULL, "declares 'seeds' (line 1)" },
  { "seeds-as-variable", TXT ("let seeds = 3\nend\n"), { NULL }, E (SYNTAX),
    "1:5", NULL, NULL },
  { "seeds-override", TXT ("seeds = 1..3\nend\n"), { "seeds=1..4", NULL },
    E (BAD_OVERRIDE), "1:1", "--set", "--seeds" },
  { "confidence-without-seeds",
    TXT ("expect hops < 4 confidence 95%\nend\n"), { NULL },
    E (MISSING_PARAM), "1:17", NULL, "seeds = LIST" },
  { "confidence-150", TXT ("seeds = 1..4\nexpect hops < 4 confidence 150%\nend\n"),
    { NULL }, E (RANGE), "2:28", NULL, "below 100%" },
  { "confidence-100", TXT ("seeds = 1..4\nexpect hops < 4 confidence 100%\nend\n"),
    { NULL }, E (RANGE), "2:28", NULL, NULL },
  { "confidence-0", TXT ("seeds = 1..4\nexpect hops < 4 confidence 0%\nend\n"),
    { NULL }, E (RANGE), "2:28", NULL, NULL },
  { "confidence-95-not-percent",
    TXT ("seeds = 1..4\nexpect hops < 4 confidence 95\nend\n"), { NULL },
    E (RANGE), "2:28", NULL, NULL },
  { "confidence-negative",
    TXT ("seeds = 1..4\nexpect hops < 4 confidence -5%\nend\n"), { NULL },
    E (RANGE), "2:28", NULL, NULL },
  { "confidence-time",
    TXT ("seeds = 1..4\nexpect hops < 4 confidence 5s\nend\n"), { NULL },
    E (BAD_NUMBER), "2:28", NULL, NULL },
  { "confidence-missing-level",
    TXT ("seeds = 1..4\nexpect hops < 4 confidence\nend\n"), { NULL },
    E (SYNTAX), "2:17", NULL, "missing level" },
  { "confidence-extra",
    TXT ("seeds = 1..4\nexpect hops < 4 confidence 95% please\nend\n"),
    { NULL }, E (SYNTAX), "2:32", NULL, NULL },
  { "expect-unknown-option", TXT ("expect hops < 4 confident 95%\nend\n"),
    { NULL }, E (SYNTAX), "1:17", NULL, "confidence P%" },
  { "override-control-char", TXT ("end\n"), { "name=a\nb", NULL },
    E (ENCODING), "1:7", "--set", NULL },
  { "override-param-ref", TXT ("end\n"), { "b=$leaf_size", NULL },
    E (BAD_OVERRIDE), "1:3", "--set", NULL },
  { "override-enum", TXT ("end\n"), { "network=mesh", NULL }, E (BAD_VALUE),
    "1:9", "--set", NULL },
  { "override-creates-missing-param", TXT ("end\n"),
    { "network=matrix", NULL }, E (MISSING_PARAM), "1:1", "--set", NULL },
};

static void
test_invalid (gconstpointer data)
{
  const InvalidCase *c = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (SimScenario) sc = NULL;
  g_autofree char *prefix = NULL;
  gsize len = c->len < 0 ? strlen (c->input) : (gsize) c->len;

  sc = sim_scenario_parse (FILE_NAME, c->input, len, NULL, c->overrides,
                           &error);
  g_assert_null (sc);
  g_assert_nonnull (error);
  if (g_test_verbose ())
    g_test_message ("%s", error->message);
  g_assert_error (error, SIM_SCENARIO_ERROR, (gint) c->code);
  prefix = g_strdup_printf ("%s:%s:", c->file != NULL ? c->file : FILE_NAME,
                            c->pos);
  if (!g_str_has_prefix (error->message, prefix))
    g_error ("case %s: expected message to start with '%s', got '%s'",
             c->name, prefix, error->message);
  if (c->contains != NULL && strstr (error->message, c->contains) == NULL)
    g_error ("case %s: expected '%s' in '%s'", c->name, c->contains,
             error->message);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
}

static void
test_invalid_long_line (void)
{
  g_autoptr (GError) error = NULL;
  GString *s = g_string_new ("b = 4\n# ");
  SimScenario *sc;

  for (int i = 0; i < SIM_SCENARIO_MAX_LINE; i++)
    g_string_append_c (s, 'x');
  g_string_append (s, "\nend\n");
  sc = sim_scenario_parse (FILE_NAME, s->str, s->len, NULL, NULL, &error);
  g_assert_null (sc);
  g_assert_error (error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_TOO_LONG);
  g_assert_true (g_str_has_prefix (error->message, FILE_NAME ":2:1:"));
  g_string_free (s, TRUE);
}

/* A line of exactly the limit is fine; one more byte is not. */
static void
test_boundary_line_length (void)
{
  for (int extra = 0; extra <= 1; extra++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (SimScenario) sc = NULL;
      GString *s = g_string_new ("#");
      while (s->len < (gsize) SIM_SCENARIO_MAX_LINE + (gsize) extra)
        g_string_append_c (s, 'y');
      g_string_append (s, "\nend\n");
      sc = sim_scenario_parse (FILE_NAME, s->str, s->len, NULL, NULL, &error);
      if (extra == 0)
        g_assert_no_error (error);
      else
        g_assert_error (error, SIM_SCENARIO_ERROR,
                        SIM_SCENARIO_ERROR_TOO_LONG);
      g_string_free (s, TRUE);
    }
}

/* ---------------------------------------------------------------------- */
/* Valid input                                                            */

static void
test_defaults (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SimScenario) sc
      = sim_scenario_parse ("some/dir/my-test.scn", "end\n", 4, NULL, NULL,
                            &error);
  static const char *const params[]
      = { "name", "seed", "b", "leaf_size", "neighbourhood_size", "network",
          "plane_size", "ms_per_unit", "sphere_radius_ms", "matrix_file",
          "matrix_format", "coords_file", "access_delay", "constant_latency",
          "loss", "jitter", "lookup_key" };

  g_assert_no_error (error);
  check_invariants (sc);
  g_assert_cmpstr (sim_scenario_name (sc), ==, "my-test");
  g_assert_cmpstr (sim_scenario_display_name (sc), ==, "some/dir/my-test.scn");
  g_assert_cmpuint (sim_scenario_get_uint (sc, "seed"), ==, 1);
  g_assert_cmpuint (sim_scenario_get_uint (sc, "b"), ==, 4);
  g_assert_cmpuint (sim_scenario_get_uint (sc, "leaf_size"), ==, 16);
  g_assert_cmpuint (sim_scenario_get_uint (sc, "neighbourhood_size"), ==, 32);
  g_assert_cmpstr (sim_scenario_get_string (sc, "network"), ==, "euclidean");
  g_assert_cmpfloat (sim_scenario_get_double (sc, "plane_size"), ==, 1000);
  g_assert_cmpfloat (sim_scenario_get_double (sc, "ms_per_unit"), ==, 0.1);
  g_assert_cmpfloat (sim_scenario_get_double (sc, "sphere_radius_ms"), ==,
                     50);
  g_assert_cmpstr (sim_scenario_get_string (sc, "matrix_file"), ==, "");
  g_assert_cmpstr (sim_scenario_get_string (sc, "matrix_format"), ==, "auto");
  g_assert_cmpstr (sim_scenario_get_string (sc, "coords_file"), ==, "");
  g_assert_cmpuint (sim_scenario_get_time (sc, "access_delay"), ==, 0);
  g_assert_cmpuint (sim_scenario_get_time (sc, "constant_latency"), ==,
                    50 * SIM_TIME_MS);
  g_assert_cmpfloat (sim_scenario_get_double (sc, "loss"), ==, 0);
  g_assert_cmpfloat (sim_scenario_get_double (sc, "jitter"), ==, 0);
  g_assert_cmpstr (sim_scenario_get_string (sc, "lookup_key"), ==, "node");
  for (gsize i = 0; i < G_N_ELEMENTS (params); i++)
    g_assert_false (sim_scenario_param_is_set (sc, params[i]));
  g_assert_cmpuint (sim_scenario_n_actions (sc), ==, 0);
  g_assert_cmpuint (sim_scenario_n_expects (sc), ==, 0);
}

static void
test_default_name_sanitised (void)
{
  static const struct
  {
    const char *display, *name;
  } cases[] = {
    { "a.scn", "a" },
    { "/x/y/paper hops.scn", "paper_hops" },
    { "noext", "noext" },
    { ".scn", "scenario" },
    { "-x.scn", "_x" },
    { "v1.2-run.scn", "v1.2-run" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (SimScenario) sc = sim_scenario_parse (
          cases[i].display, "end", 3, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (sim_scenario_name (sc), ==, cases[i].name);
    }
}

static void
test_all_params_set (void)
{
  g_autoptr (SimScenario) sc = parse_ok (
      "# every parameter, with comments\n"
      "name = paper-run.1   # trailing comment\n"
      "seed = 18446744073709551615\n"
      "b=3\n"
      "leaf_size = 2\n"
      "neighbourhood_size = 0\n"
      "network = constant\n"
      "plane_size = 1e3\n"
      "ms_per_unit = .25\n"
      "sphere_radius_ms = 40\n"
      "matrix_file = \"dir with space/m \\\"1\\\".txt\"\n"
      "matrix_format = p2psim\n"
      "coords_file = c.xml\n"
      "access_delay = 1.5ms\n"
      "constant_latency = 0us\n"
      "loss = 1%\n"
      "jitter = 1\n"
      "lookup_key = random\n"
      "end\n");

  g_assert_cmpstr (sim_scenario_name (sc), ==, "paper-run.1");
  g_assert_cmpuint (sim_scenario_get_uint (sc, "seed"), ==, G_MAXUINT64);
  g_assert_cmpuint (sim_scenario_get_uint (sc, "b"), ==, 3);
  g_assert_cmpuint (sim_scenario_get_uint (sc, "leaf_size"), ==, 2);
  g_assert_cmpuint (sim_scenario_get_uint (sc, "neighbourhood_size"), ==, 0);
  g_assert_cmpstr (sim_scenario_get_string (sc, "network"), ==, "constant");
  g_assert_cmpfloat (sim_scenario_get_double (sc, "plane_size"), ==, 1000);
  g_assert_cmpfloat (sim_scenario_get_double (sc, "ms_per_unit"), ==, 0.25);
  g_assert_cmpstr (sim_scenario_get_string (sc, "matrix_file"), ==,
                   "dir with space/m \"1\".txt");
  g_assert_cmpstr (sim_scenario_get_string (sc, "coords_file"), ==, "c.xml");
  g_assert_cmpuint (sim_scenario_get_time (sc, "access_delay"), ==, 1500);
  g_assert_cmpuint (sim_scenario_get_time (sc, "constant_latency"), ==, 0);
  g_assert_cmpfloat (sim_scenario_get_double (sc, "loss"), ==, 0.01);
  g_assert_cmpfloat (sim_scenario_get_double (sc, "jitter"), ==, 1);
  g_assert_cmpstr (sim_scenario_get_string (sc, "lookup_key"), ==, "random");
  g_assert_true (sim_scenario_param_is_set (sc, "jitter"));
}

static void
test_time_units (void)
{
  static const struct
  {
    const char *lit;
    SimTime us;
  } cases[] = {
    { "0s", 0 },
    { "0us", 0 },
    { "1us", 1 },
    { "500ms", 500000 },
    { "1.5s", 1500000 },
    { "0.1s", 100000 },
    { ".5s", 500000 },
    { "1.s", 1000000 },
    { "10min", 600000000 },
    { "0.5min", 30000000 },
    { "2h", G_GUINT64_CONSTANT (7200000000) },
    { "1d", G_GUINT64_CONSTANT (86400000000) },
    { "1_000ms", 1000000 },
    { "0.001ms", 1 },
    { "0.0015ms", 2 },          /* 1.5 µs rounds half up */
    { "0.0014ms", 1 },
    { "0.0000005s", 1 },
    { "0.0000004999s", 0 },
    { "0.3333333333333333333333s", 333333 },
    { "0.00000000000000000009s", 0 }, /* digits after the 15th ignored */
    { "1.0000000000000000001s", 1000000 },
    { "0.0000001h", 360 },
    { "0.000000001d", 86 },     /* 86.4 µs */
    { "18446744073709551615us", G_MAXUINT64 },
    { "18446744073709.551615s", G_MAXUINT64 },
    /* Compound times. */
    { "1h30min", G_GUINT64_CONSTANT (5400000000) },
    { "3h15min", G_GUINT64_CONSTANT (11700000000) },
    { "2min30s", 150000000 },
    { "1d12h", G_GUINT64_CONSTANT (129600000000) },
    { "1.5h30min", G_GUINT64_CONSTANT (7200000000) },
    { "1s500ms", 1500000 },
    { "1min0.5s", 60500000 },
    { "1h1min1s1ms1us", G_GUINT64_CONSTANT (3661001001) },
    { "18446744073709s551615us", G_MAXUINT64 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text
          = g_strdup_printf ("at %s build 1\nend\n", cases[i].lit);
      g_autoptr (SimScenario) sc = parse_ok (text);
      if (sim_scenario_action (sc, 0)->at != cases[i].us)
        g_error ("%s: expected %" G_GUINT64_FORMAT "us, got %" G_GUINT64_FORMAT,
                 cases[i].lit, cases[i].us, sim_scenario_action (sc, 0)->at);
    }
}

static void
test_counts (void)
{
  static const struct
  {
    const char *lit;
    guint64 n;
  } cases[] = {
    { "1", 1 },
    { "+7", 7 },
    { "100k", 100000 },
    { "2.5M", 2500000 },
    { "1.500k", 1500 },
    { "1_000_000", 1000000 },
    { "1G", 1000000000 },
    { "4294967295", G_MAXUINT32 },
    { "007", 7 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text
          = g_strdup_printf ("at 0s build %s\nend\n", cases[i].lit);
      g_autoptr (SimScenario) sc = parse_ok (text);
      g_assert_cmpuint (sim_scenario_action (sc, 0)->count, ==, cases[i].n);
    }
}

/* Named boundaries: both sides of every range edge. */
static void
test_boundaries (void)
{
  static const struct
  {
    const char *line;
    gboolean ok;
  } cases[] = {
    { "b = 1", TRUE },           { "b = 0", FALSE },
    { "b = 8", TRUE },           { "b = 9", FALSE },
    { "leaf_size = 2", TRUE },   { "leaf_size = 0", FALSE },
    { "leaf_size = 256", TRUE }, { "leaf_size = 258", FALSE },
    { "neighbourhood_size = 0", TRUE },
    { "neighbourhood_size = 1024", TRUE },
    { "neighbourhood_size = 1025", FALSE },
    { "loss = 0", TRUE },        { "loss = -0.0000001", FALSE },
    { "loss = 1", TRUE },        { "loss = 1.0000001", FALSE },
    { "loss = 100%", TRUE },     { "jitter = 0.5", TRUE },
    { "plane_size = 1e-300", TRUE },
    { "plane_size = 0", FALSE }, { "plane_size = 1.7e308", TRUE },
    { "seed = 0", TRUE },        { "seed = 18446744073709551615", TRUE },
    { "seed = 18446744073709551616", FALSE },
    { "at 0s build 4294967295", TRUE },
    { "at 0s build 4294967296", FALSE },
    { "at 0s lookup 1099511627776", TRUE },
    { "at 0s lookup 1099511627777", FALSE },
    { "at 18446744073709551615us build 1", TRUE },
    { "at 18446744073709551616us build 1", FALSE },
    { "at 18446744073709551614us join 1 over 1us", TRUE },
    { "at 18446744073709551615us join 1 over 1us", FALSE },
    { "at 0s build 10\nat 1s fail 100%", TRUE },
    { "at 0s build 10\nat 1s fail 100.0000001%", FALSE },
    { "at 0s build 10\nat 1s fail 1e-300%", TRUE },
    { "at 0s build 10\nat 1s fail nodes 9", TRUE },
    { "at 0s build 10\nat 1s fail nodes 10", FALSE },
    { "at 0s build 4294967295\nat 1s fail nodes 4294967294", TRUE },
    { "at 0s build 4294967295\nat 1s fail nodes 4294967295", FALSE },
    { "at 0s fail 4294967295", TRUE },
    { "at 0s fail 4294967296", FALSE },
    { "at 0s lookup 1 keys zipf(1, 4294967296)", TRUE },
    { "at 0s lookup 1 keys zipf(1, 4294967297)", FALSE },
    { "at 0s lookup 1 keys zipf(1e-300, 1)", TRUE },
    { "at 0s lookup 1 keys zipf(0, 1)", FALSE },
    { "at 0s churn for 1us session exp(1us)", TRUE },
    { "at 0s churn for 0us session exp(1us)", FALSE },
    { "at 18446744073709551614us churn for 1us session exp(1s)", TRUE },
    { "at 18446744073709551615us churn for 1us session exp(1s)", FALSE },
    { "at 0s churn for 1s session uniform(0s, 1us)", TRUE },
    { "at 0s churn for 1s session uniform(1us, 1us)", FALSE },
    { "at 0s churn for 1s session exp(1s) population 4294967295", TRUE },
    { "at 0s churn for 1s session exp(1s) population 4294967296", FALSE },
    /* Node indices: a node back with a new id is a new node. */
    { "at 0s build 10\nat 1s fail 5\nat 2s rejoin 5 id new\n"
      "at 3s fail nodes 14", TRUE },
    { "at 0s build 10\nat 1s fail 5\nat 2s rejoin 5\nat 3s fail nodes 10",
      FALSE },
    { "at 0s build 10\nat 1s churn for 1h session exp(1h)\n"
      "at 2h fail nodes 1000", TRUE },
    { "at 0s build 10\nat 1s churn for 1h session exp(1h) population 20 "
      "id same\nat 2h fail nodes 29", TRUE },
    { "at 0s build 10\nat 1s churn for 1h session exp(1h) population 20 "
      "id same\nat 2h fail nodes 30", FALSE },
    { "measure from 0s to 1us", TRUE },
    { "measure from 1us to 1us", FALSE },
    { "probe_retries = 10", TRUE },
    { "probe_retries = 11", FALSE },
    { "hop_retries = 32", TRUE },
    { "hop_retries = 33", FALSE },
    { "hop_timeout = 1us", TRUE },
    { "hop_timeout = 0us", FALSE },
    { "heartbeat_period = 1us", TRUE },
    { "heartbeat_period = 0us", FALSE },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *text = g_strdup_printf ("%s\nend\n", cases[i].line);
      g_autoptr (SimScenario) sc = sim_scenario_parse (
          FILE_NAME, text, strlen (text), NULL, NULL, &error);
      if ((sc != NULL) != cases[i].ok)
        g_error ("'%s': expected %s, got %s", cases[i].line,
                 cases[i].ok ? "success" : "an error",
                 error != NULL ? error->message : "success");
      if (sc != NULL)
        check_invariants (sc);
    }
}

static void
test_verbs (void)
{
  g_autoptr (SimScenario) sc = parse_ok (
      "at 0s join 10\n"
      "at 0s join 20 over 10s\n"
      "at 1s join 30 sequential\n"
      "at 2s build 40\n"
      "at 3s lookup 50\n"
      "at 3s lookup 60 over 1min\n"
      "at 4s lookup 70 keys random\n"
      "at 5s lookup 80 keys random over 2s\n"
      "at 5s lookup 90 over 2s keys node\n"
      "at 6s lookup rate 100/s for 10s\n"
      "at 7s lookup rate 6000/min for 1h keys random\n"
      "at 8s lookup rate 0.5/ms for 1s\n"
      "end\n");
  const SimAction *a;

  g_assert_cmpuint (sim_scenario_n_actions (sc), ==, 12);

  a = sim_scenario_action (sc, 0);
  g_assert_cmpint (a->kind, ==, SIM_ACTION_JOIN);
  g_assert_cmpint (a->spread, ==, SIM_SPREAD_AT_ONCE);
  g_assert_cmpuint (a->count, ==, 10);
  g_assert_cmpuint (a->line, ==, 1);
  g_assert_cmpuint (a->col, ==, 1);

  a = sim_scenario_action (sc, 1);
  g_assert_cmpint (a->spread, ==, SIM_SPREAD_UNIFORM);
  g_assert_cmpuint (a->over, ==, 10 * SIM_TIME_S);
  g_assert_cmpuint (a->count, ==, 20);

  a = sim_scenario_action (sc, 2);
  g_assert_cmpint (a->spread, ==, SIM_SPREAD_SEQUENTIAL);
  g_assert_true (a->sequential);
  g_assert_cmpuint (a->at, ==, SIM_TIME_S);

  a = sim_scenario_action (sc, 3);
  g_assert_cmpint (a->kind, ==, SIM_ACTION_BUILD);
  g_assert_cmpuint (a->count, ==, 40);
  g_assert_cmpint (a->spread, ==, SIM_SPREAD_AT_ONCE);

  a = sim_scenario_action (sc, 4);
  g_assert_cmpint (a->kind, ==, SIM_ACTION_LOOKUP);
  g_assert_cmpint (a->keys, ==, SIM_KEYS_NODE);
  g_assert_cmpint (a->spread, ==, SIM_SPREAD_AT_ONCE);

  a = sim_scenario_action (sc, 5);
  g_assert_cmpint (a->spread, ==, SIM_SPREAD_UNIFORM);
  g_assert_cmpuint (a->over, ==, SIM_TIME_MIN);

  a = sim_scenario_action (sc, 6);
  g_assert_cmpint (a->keys, ==, SIM_KEYS_RANDOM);

  a = sim_scenario_action (sc, 7);
  g_assert_cmpint (a->keys, ==, SIM_KEYS_RANDOM);
  g_assert_cmpuint (a->over, ==, 2 * SIM_TIME_S);

  a = sim_scenario_action (sc, 8);
  g_assert_cmpint (a->keys, ==, SIM_KEYS_NODE);
  g_assert_cmpint (a->spread, ==, SIM_SPREAD_UNIFORM);

  a = sim_scenario_action (sc, 9);
  g_assert_cmpint (a->spread, ==, SIM_SPREAD_POISSON);
  g_assert_cmpfloat (a->rate_per_s, ==, 100);
  g_assert_cmpuint (a->duration, ==, 10 * SIM_TIME_S);
  g_assert_cmpuint (a->count, ==, 0);

  a = sim_scenario_action (sc, 10);
  g_assert_cmpfloat (a->rate_per_s, ==, 100);
  g_assert_cmpuint (a->duration, ==, SIM_TIME_H);
  g_assert_cmpint (a->keys, ==, SIM_KEYS_RANDOM);

  a = sim_scenario_action (sc, 11);
  g_assert_cmpfloat (a->rate_per_s, ==, 500);
}

static void
test_lookup_key_default (void)
{
  g_autoptr (SimScenario) sc = parse_ok ("lookup_key = random\n"
                                         "at 0s lookup 5\n"
                                         "at 0s lookup 5 keys node\n"
                                         "end\n");
  g_assert_cmpint (sim_scenario_action (sc, 0)->keys, ==, SIM_KEYS_RANDOM);
  g_assert_cmpint (sim_scenario_action (sc, 1)->keys, ==, SIM_KEYS_NODE);
}

static void
test_equal_times_keep_file_order (void)
{
  g_autoptr (SimScenario) sc = parse_ok ("at 1s build 3\n"
                                         "at 1s lookup 4\n"
                                         "at 1s join 5\n"
                                         "end\n");
  g_assert_cmpint (sim_scenario_action (sc, 0)->kind, ==, SIM_ACTION_BUILD);
  g_assert_cmpint (sim_scenario_action (sc, 1)->kind, ==, SIM_ACTION_LOOKUP);
  g_assert_cmpint (sim_scenario_action (sc, 2)->kind, ==, SIM_ACTION_JOIN);
}

static const char refs_text[] = "let nodes = 1000\n"
                                "let spread = 10s\n"
                                "let lookups = $nodes\n"
                                "let start = $spread\n"
                                "leaf_size = 32\n"
                                "at 0s join $nodes over $spread\n"
                                "at $start lookup $lookups\n"
                                "at $start build $leaf_size\n"
                                "end\n";

static void
test_refs (void)
{
  g_autoptr (SimScenario) sc = parse_ok (refs_text);
  g_assert_cmpuint (sim_scenario_action (sc, 0)->count, ==, 1000);
  g_assert_cmpuint (sim_scenario_action (sc, 0)->over, ==, 10 * SIM_TIME_S);
  g_assert_cmpuint (sim_scenario_action (sc, 1)->at, ==, 10 * SIM_TIME_S);
  g_assert_cmpuint (sim_scenario_action (sc, 1)->count, ==, 1000);
  g_assert_cmpuint (sim_scenario_action (sc, 2)->count, ==, 32);
}

static void
test_overrides (void)
{
  const char *const overrides[]
      = { "nodes=5000", " spread = 1min ", "leaf_size=8", "b=5", "b=6", NULL };
  g_autoptr (SimScenario) sc = parse_ok_with (refs_text, overrides);

  /* Overrides apply before references resolve, so they propagate. */
  g_assert_cmpuint (sim_scenario_action (sc, 0)->count, ==, 5000);
  g_assert_cmpuint (sim_scenario_action (sc, 0)->over, ==, SIM_TIME_MIN);
  g_assert_cmpuint (sim_scenario_action (sc, 1)->at, ==, SIM_TIME_MIN);
  g_assert_cmpuint (sim_scenario_action (sc, 1)->count, ==, 5000);
  /* The override of a parameter the file sets wins, and the file's
   * reference to it sees the override. */
  g_assert_cmpuint (sim_scenario_get_uint (sc, "leaf_size"), ==, 8);
  g_assert_cmpuint (sim_scenario_action (sc, 2)->count, ==, 8);
  /* The later of two overrides wins. */
  g_assert_cmpuint (sim_scenario_get_uint (sc, "b"), ==, 6);
  g_assert_true (sim_scenario_param_is_set (sc, "b"));
}

static void
test_override_string_values (void)
{
  const char *const overrides[]
      = { "name=run 2", "matrix_file=\"x y.txt\"", "network=matrix", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (SimScenario) sc = NULL;

  /* "name=run 2" is not a valid name (space). */
  sc = sim_scenario_parse (FILE_NAME, "end", 3, NULL, overrides, &error);
  g_assert_error (error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_BAD_VALUE);
  g_clear_error (&error);

  {
    const char *const ok[]
        = { "name=run-2", "matrix_file=\"x y.txt\"", "network=matrix", NULL };
    sc = parse_ok_with ("end\n", ok);
    g_assert_cmpstr (sim_scenario_name (sc), ==, "run-2");
    g_assert_cmpstr (sim_scenario_get_string (sc, "matrix_file"), ==,
                     "x y.txt");
    g_assert_cmpstr (sim_scenario_get_string (sc, "network"), ==, "matrix");
  }
}

static void
test_paths (void)
{
  g_autoptr (GError) error = NULL;
  const char *text = "network = matrix\n"
                     "matrix_file = data/../m.txt\n"
                     "coords_file = /abs/c.xml\n"
                     "end\n";
  g_autoptr (SimScenario) sc = sim_scenario_parse (
      FILE_NAME, text, strlen (text), "/base/dir", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sim_scenario_get_string (sc, "matrix_file"), ==,
                   "/base/dir/m.txt");
  g_assert_cmpstr (sim_scenario_get_string (sc, "coords_file"), ==,
                   "/abs/c.xml");

  /* A relative path from --set resolves against the current directory. */
  {
    const char *const ov[] = { "coords_file=rel.xml", NULL };
    g_autoptr (SimScenario) sc2 = sim_scenario_parse (
        FILE_NAME, text, strlen (text), "/base/dir", ov, &error);
    g_autofree char *cwd = g_get_current_dir ();
    g_autofree char *want = g_build_filename (cwd, "rel.xml", NULL);
    g_assert_no_error (error);
    g_assert_cmpstr (sim_scenario_get_string (sc2, "coords_file"), ==, want);
  }
}

static void
test_expects (void)
{
  const char *text = "let max = 5\n"
                     "expect hops.mean < 4\n"
                     "expect hops.mean >= 1.5\n"
                     "expect success_rate == 100%\n"
                     "expect latency_p99 <= 500ms\n"
                     "expect lost != 0\n"
                     "expect hops.max>$max\n"
                     "end\n";
  g_autoptr (SimScenario) sc = parse_ok (text);
  const SimExpect *e;

  g_assert_cmpuint (sim_scenario_n_expects (sc), ==, 6);
  e = sim_scenario_expect (sc, 0);
  g_assert_cmpstr (e->metric, ==, "hops.mean");
  g_assert_cmpint (e->op, ==, SIM_COMPARE_LT);
  g_assert_cmpfloat (e->value, ==, 4);
  g_assert_false (e->is_time);
  g_assert_cmpuint (e->line, ==, 2);
  g_assert_cmpuint (e->col, ==, 1);
  g_assert_true (sim_scenario_expect_holds (e, 3.9));
  g_assert_false (sim_scenario_expect_holds (e, 4));
  g_assert_false (sim_scenario_expect_holds (e, NAN));

  e = sim_scenario_expect (sc, 1);
  g_assert_cmpint (e->op, ==, SIM_COMPARE_GE);
  g_assert_cmpfloat (e->value, ==, 1.5);
  g_assert_true (sim_scenario_expect_holds (e, 1.5));

  e = sim_scenario_expect (sc, 2);
  g_assert_cmpint (e->op, ==, SIM_COMPARE_EQ);
  g_assert_cmpfloat (e->value, ==, 1.0);

  e = sim_scenario_expect (sc, 3);
  g_assert_cmpint (e->op, ==, SIM_COMPARE_LE);
  g_assert_true (e->is_time);
  g_assert_cmpuint (e->time, ==, 500 * SIM_TIME_MS);
  g_assert_cmpfloat (e->value, ==, 0.5);

  e = sim_scenario_expect (sc, 4);
  g_assert_cmpint (e->op, ==, SIM_COMPARE_NE);
  g_assert_true (sim_scenario_expect_holds (e, NAN));

  e = sim_scenario_expect (sc, 5);
  g_assert_cmpint (e->op, ==, SIM_COMPARE_GT);
  g_assert_cmpfloat (e->value, ==, 5);

  /* Time thresholds convert to the unit the metric's name announces. */
  g_assert_cmpfloat (sim_scenario_expect_threshold (sim_scenario_expect (sc, 3)),
                     ==, 0.5);
  g_assert_cmpfloat (sim_scenario_expect_threshold (sim_scenario_expect (sc, 0)),
                     ==, 4);
  {
    g_autoptr (SimScenario) u = parse_ok ("expect latency_ms < 250ms\n"
                                          "expect wait_us >= 1.5ms\n"
                                          "expect run_s <= 2min\n"
                                          "expect hops_ms < 3\n"
                                          "end\n");
    const SimExpect *ms = sim_scenario_expect (u, 0);
    g_assert_cmpfloat (sim_scenario_expect_threshold (ms), ==, 250);
    g_assert_true (sim_scenario_expect_holds (ms, 249.9));
    g_assert_false (sim_scenario_expect_holds (ms, 250));
    g_assert_cmpfloat (
        sim_scenario_expect_threshold (sim_scenario_expect (u, 1)), ==, 1500);
    g_assert_cmpfloat (
        sim_scenario_expect_threshold (sim_scenario_expect (u, 2)), ==, 120);
    g_assert_cmpfloat (
        sim_scenario_expect_threshold (sim_scenario_expect (u, 3)), ==, 3);
  }

  g_assert_cmpstr (sim_compare_op_to_string (SIM_COMPARE_LE), ==, "<=");
  g_assert_cmpstr (sim_compare_op_to_string (SIM_COMPARE_NE), ==, "!=");

  {
    const char *const ov[]
        = { "expect.latency_p99=1s", "expect.success_rate=0.99",
            "max=7", NULL };
    g_autoptr (SimScenario) sc2 = parse_ok_with (text, ov);
    g_assert_cmpuint (sim_scenario_expect (sc2, 3)->time, ==, SIM_TIME_S);
    g_assert_cmpuint (sim_scenario_expect (sc2, 3)->line, ==, 5);
    g_assert_cmpfloat (sim_scenario_expect (sc2, 2)->value, ==, 0.99);
    g_assert_cmpfloat (sim_scenario_expect (sc2, 5)->value, ==, 7);
  }
}

static void
test_line_endings_and_bom (void)
{
  g_autoptr (SimScenario) sc
      = parse_ok ("\xEF\xBB\xBF"
                  "b = 5\r\n"
                  "\tat\t0s  build   3\t# tabs\r\n"
                  "# é ü comment\r\n"
                  "end\r\n"
                  "# trailing comment\n"
                  "\n");
  g_assert_cmpuint (sim_scenario_get_uint (sc, "b"), ==, 5);
  g_assert_cmpuint (sim_scenario_action (sc, 0)->col, ==, 2);
  g_assert_cmpuint (sim_scenario_action (sc, 0)->line, ==, 2);
}

static void
test_end_without_newline (void)
{
  g_autoptr (SimScenario) sc = parse_ok ("at 0s build 1\nend");
  g_assert_cmpuint (sim_scenario_n_actions (sc), ==, 1);
}

/* ---------------------------------------------------------------------- */
/* Writing and round trips                                                */

static const char round_trip_text[]
    = "name = \"rt\"\n"
      "seed = 42\n"
      "b = 2\n"
      "network = sphere\n"
      "ms_per_unit = 0.1\n"
      "sphere_radius_ms = 33.333333333333336\n"
      "matrix_file = \"a b/#weird=\\\"name\\\"\"\n"
      "coords_file = 123.xml\n"
      "access_delay = 1.5ms\n"
      "loss = 0.3%\n"
      "let nodes = 2.5k\n"
      "let frac = 2.0\n"
      "let neg = -3\n"
      "let t = 90s\n"
      "let word = hello\n"
      "let quoted = \"two words\"\n"
      "let looks_num = \"12\"\n"
      "expect hops < 3.7\n"
      "expect latency >= 250ms\n"
      "at 0s build $nodes\n"
      "at 1500ms join 7 over 0.1s\n"
      "at 2s join 3 sequential\n"
      "at $t lookup 100 keys random\n"
      "at $t lookup rate 1/min for 1.000001s\n"
      "at 1d lookup rate 0.1/s for 2h keys node\n"
      "end\n";

static void
assert_same_dist (const SimDist *x, const SimDist *y)
{
  g_assert_cmpint (x->kind, ==, y->kind);
  g_assert_cmpfloat (x->p1, ==, y->p1);
  g_assert_cmpfloat (x->p2, ==, y->p2);
}

static void
assert_same_scenario (const SimScenario *a, const SimScenario *b)
{
  g_autoptr (GString) ra = g_string_new (NULL);
  g_autoptr (GString) rb = g_string_new (NULL);

  sim_scenario_write_resolved (a, ra);
  sim_scenario_write_resolved (b, rb);
  g_assert_cmpstr (ra->str, ==, rb->str);
  g_assert_cmpuint (sim_scenario_n_actions (a), ==, sim_scenario_n_actions (b));
  for (guint i = 0; i < sim_scenario_n_actions (a); i++)
    {
      const SimAction *x = sim_scenario_action (a, i);
      const SimAction *y = sim_scenario_action (b, i);
      g_assert_cmpint (x->kind, ==, y->kind);
      g_assert_cmpint (x->spread, ==, y->spread);
      g_assert_cmpuint (x->at, ==, y->at);
      g_assert_cmpuint (x->count, ==, y->count);
      g_assert_cmpuint (x->over, ==, y->over);
      g_assert_cmpint (x->sequential, ==, y->sequential);
      g_assert_cmpfloat (x->rate_per_s, ==, y->rate_per_s);
      g_assert_cmpuint (x->duration, ==, y->duration);
      g_assert_cmpint (x->keys, ==, y->keys);
      g_assert_cmpint (x->select, ==, y->select);
      g_assert_cmpfloat (x->fraction, ==, y->fraction);
      g_assert_cmpuint (x->n_indices, ==, y->n_indices);
      for (guint k = 0; k < x->n_indices; k++)
        g_assert_cmpuint (x->indices[k], ==, y->indices[k]);
      g_assert_cmpint (x->same_id, ==, y->same_id);
      assert_same_dist (&x->session, &y->session);
      assert_same_dist (&x->down, &y->down);
      g_assert_cmpint (x->has_every, ==, y->has_every);
      assert_same_dist (&x->every, &y->every);
      g_assert_cmpuint (x->population, ==, y->population);
      g_assert_cmpstr (x->trace_path, ==, y->trace_path);
      g_assert_cmpint (x->trace != NULL, ==, y->trace != NULL);
      if (x->trace != NULL)
        g_assert_cmpuint (sim_trace_n_rows (x->trace), ==,
                          sim_trace_n_rows (y->trace));
      g_assert_cmpfloat (x->zipf_s, ==, y->zipf_s);
      g_assert_cmpuint (x->zipf_n, ==, y->zipf_n);
    }
  {
    SimTime fa, ta, fb, tb;
    sim_scenario_measure_window (a, &fa, &ta);
    sim_scenario_measure_window (b, &fb, &tb);
    g_assert_cmpuint (fa, ==, fb);
    g_assert_cmpuint (ta, ==, tb);
  }
  g_assert_cmpuint (sim_scenario_n_expects (a), ==, sim_scenario_n_expects (b));
  for (guint i = 0; i < sim_scenario_n_expects (a); i++)
    {
      const SimExpect *x = sim_scenario_expect (a, i);
      const SimExpect *y = sim_scenario_expect (b, i);
      g_assert_cmpstr (x->metric, ==, y->metric);
      g_assert_cmpint (x->op, ==, y->op);
      g_assert_cmpfloat (x->value, ==, y->value);
      g_assert_cmpint (x->is_time, ==, y->is_time);
      g_assert_cmpuint (x->time, ==, y->time);
    }
}

/* The parameters a resolved scenario lists when none of those flagged
 * SIM_PARAM_LISTED_WHEN_SET is set (counted, so that adding a parameter
 * needs no test change). */
static guint
count_listed_params (void)
{
  const SimParamRegistry *reg = sim_scenario_installed_params ();
  guint n = 0;
  for (guint i = 0; i < sim_param_registry_n_params (reg); i++)
    n += !(sim_param_registry_spec (reg, i)->flags
           & SIM_PARAM_LISTED_WHEN_SET);
  return n;
}

static void
test_write_resolved (void)
{
  g_autoptr (SimScenario) sc = parse_ok (round_trip_text);
  g_autoptr (GString) out = g_string_new (NULL);
  g_auto (GStrv) lines = NULL;

  sim_scenario_write_resolved (sc, out);
  if (g_test_verbose ())
    g_test_message ("%s", out->str);
  lines = g_strsplit (out->str, "\n", -1);
  /* Every parameter listed + 7 variables + the empty string after the
   * last \n; a parameter flagged SIM_PARAM_LISTED_WHEN_SET is listed only
   * when set. */
  g_assert_cmpuint (g_strv_length (lines), ==, count_listed_params () + 7 + 1);
  g_assert_null (strstr (out->str, "# access_up ="));
  for (guint i = 0; lines[i][0] != '\0'; i++)
    g_assert_true (g_str_has_prefix (lines[i], "# "));
  g_assert_cmpstr (lines[0], ==, "# name = rt");
  g_assert_cmpstr (lines[1], ==, "# seed = 42");
  g_assert_nonnull (strstr (out->str, "# access_delay = 1500us\n"));
  g_assert_nonnull (strstr (out->str, "# constant_latency = 50ms\n"));
  g_assert_nonnull (strstr (out->str, "# loss = 0.003\n"));
  g_assert_nonnull (strstr (out->str, "# plane_size = 1000.0\n"));
  g_assert_nonnull (strstr (out->str, "# let nodes = 2500\n"));
  g_assert_nonnull (strstr (out->str, "# let frac = 2.0\n"));
  g_assert_nonnull (strstr (out->str, "# let neg = -3.0\n"));
  g_assert_nonnull (strstr (out->str, "# let t = 90s\n"));
  g_assert_nonnull (strstr (out->str, "# let looks_num = \"12\"\n"));

  /* Deterministic. */
  {
    g_autoptr (GString) again = g_string_new (NULL);
    sim_scenario_write_resolved (sc, again);
    g_assert_cmpstr (out->str, ==, again->str);
  }
}

/* The resolved lines with "# " stripped, plus the canonical actions,
 * parse back to the same scenario; and so does write_canonical(). */
/* `seeds = LIST` and `confidence`: values, order, the canonical form. */
static void
test_seeds (void)
{
  guint n = 99;
  {
    g_autoptr (SimScenario) sc = parse_ok ("end\n");
    g_assert_null (sim_scenario_seeds (sc, &n));
    g_assert_cmpuint (n, ==, 0);
  }
  {
    g_autoptr (SimScenario) sc = parse_ok (
        "seeds = 7, 1..3,\t18446744073709551615,0\n"
        "expect hops < 4 confidence 95%\n"
        "expect hops > 1 confidence 99.9%\n"
        "expect lost == 0\n"
        "end\n");
    const guint64 *s = sim_scenario_seeds (sc, &n);
    const guint64 want[] = { 7, 1, 2, 3, G_MAXUINT64, 0 };
    g_assert_cmpuint (n, ==, G_N_ELEMENTS (want));
    for (guint i = 0; i < n; i++)
      g_assert_cmpuint (s[i], ==, want[i]);
    g_assert_cmpfloat (sim_scenario_expect (sc, 0)->confidence, ==, 0.95);
    g_assert_cmpfloat_with_epsilon (sim_scenario_expect (sc, 1)->confidence,
                                    0.999, 1e-12);
    g_assert_cmpfloat (sim_scenario_expect (sc, 2)->confidence, ==, 0);
    /* The canonical form keeps the list and the levels, and is a fixed
     * point. */
    g_autoptr (GString) c1 = g_string_new (NULL);
    g_autoptr (GString) c2 = g_string_new (NULL);
    sim_scenario_write_canonical (sc, c1);
    g_assert_nonnull (strstr (c1->str, "\nseeds = 7,1..3,18446744073709551615,0\n"));
    g_assert_null (strstr (c1->str, "\nseed = "));
    g_assert_nonnull (strstr (c1->str, "expect hops < 4.0 confidence 95%\n"));
    g_assert_nonnull (strstr (c1->str, "confidence 99.9%\n"));
    g_autoptr (SimScenario) again = parse_ok (c1->str);
    sim_scenario_write_canonical (again, c2);
    g_assert_cmpstr (c1->str, ==, c2->str);
    g_assert_cmpfloat (sim_scenario_expect (again, 1)->confidence, ==,
                       sim_scenario_expect (sc, 1)->confidence);
  }
  {
    /* One run of the batch: --seed (an override of 'seed') is allowed and
     * named in a comment of the canonical form. */
    const char *const ov[] = { "seed=5", NULL };
    g_autoptr (SimScenario) sc = parse_ok_with ("seeds = 1..8\nend\n", ov);
    g_autoptr (GString) c = g_string_new (NULL);
    g_assert_cmpuint (sim_scenario_get_uint (sc, "seed"), ==, 5);
    g_assert_true (sim_scenario_param_is_set (sc, "seed"));
    sim_scenario_write_canonical (sc, c);
    g_assert_nonnull (strstr (c->str, "\n# seed = 5: the seed of this run"));
    g_assert_nonnull (strstr (c->str, "\nseeds = 1..8\n"));
  }
  {
    /* The smallest list and the smallest and largest levels. */
    g_autoptr (SimScenario) sc = parse_ok (
        "seeds = 0\nexpect a < 1 confidence 0.001%\n"
        "expect b < 1 confidence 99.999%\nend\n");
    g_assert_cmpuint (sim_scenario_seeds (sc, &n)[0], ==, 0);
    g_assert_cmpuint (n, ==, 1);
  }
}

static void
test_round_trip (void)
{
  g_autoptr (SimScenario) sc = parse_ok (round_trip_text);
  g_autoptr (GString) canon = g_string_new (NULL);
  g_autoptr (GString) resolved = g_string_new (NULL);
  g_autoptr (GString) rebuilt = g_string_new (NULL);
  g_auto (GStrv) lines = NULL;

  sim_scenario_write_canonical (sc, canon);
  if (g_test_verbose ())
    g_test_message ("%s", canon->str);
  {
    g_autoptr (SimScenario) again = parse_ok (canon->str);
    g_autoptr (GString) canon2 = g_string_new (NULL);
    assert_same_scenario (sc, again);
    sim_scenario_write_canonical (again, canon2);
    g_assert_cmpstr (canon->str, ==, canon2->str); /* a fixed point */
  }

  sim_scenario_write_resolved (sc, resolved);
  lines = g_strsplit (resolved->str, "\n", -1);
  for (guint i = 0; lines[i][0] != '\0'; i++)
    g_string_append_printf (rebuilt, "%s\n", lines[i] + 2);
  /* Append the action and expect lines of the canonical form. */
  {
    g_auto (GStrv) cl = g_strsplit (canon->str, "\n", -1);
    for (guint i = 0; cl[i] != NULL; i++)
      if (g_str_has_prefix (cl[i], "at ") || g_str_has_prefix (cl[i], "expect ")
          || g_str_equal (cl[i], "end"))
        g_string_append_printf (rebuilt, "%s\n", cl[i]);
  }
  {
    g_autoptr (SimScenario) again = parse_ok (rebuilt->str);
    assert_same_scenario (sc, again);
  }

  /* With overrides, the canonical form records the overridden values. */
  {
    const char *const ov[] = { "nodes=10", "b=8", NULL };
    g_autoptr (SimScenario) o = parse_ok_with (round_trip_text, ov);
    g_autoptr (GString) c = g_string_new (NULL);
    g_autoptr (SimScenario) again = NULL;
    sim_scenario_write_canonical (o, c);
    again = parse_ok (c->str);
    assert_same_scenario (o, again);
    g_assert_cmpuint (sim_scenario_action (again, 0)->count, ==, 10);
    g_assert_cmpuint (sim_scenario_get_uint (again, "b"), ==, 8);
  }
}

static void
test_describe_params (void)
{
  g_autoptr (GString) out = g_string_new (NULL);
  sim_scenario_describe_params (out);
  if (g_test_verbose ())
    g_test_message ("%s", out->str);
  g_assert_nonnull (strstr (out->str, "leaf_size"));
  g_assert_nonnull (strstr (out->str, "2..256, even"));
  g_assert_nonnull (strstr (out->str, "euclidean|sphere|matrix|coords|constant"));
  g_assert_nonnull (strstr (out->str, "lookup_key"));
  g_assert_nonnull (strstr (out->str, "rtt or a time > 0"));
  g_assert_nonnull (strstr (out->str, "on|off|leafset"));
  g_assert_nonnull (strstr (out->str, "heartbeat_timeout"));
  g_assert_nonnull (strstr (out->str, "0..10;"));
}

/* `pastrysim params` lists every registered parameter once, at the start
 * of a line, under the heading of its group; the groups are the
 * language's, the network models' and Pastry's, each naming its file. */
static void
test_describe_params_grouped (void)
{
  const SimParamRegistry *reg = sim_scenario_installed_params ();
  g_autoptr (GString) out = g_string_new (NULL);
  g_auto (GStrv) lines = NULL;
  static const char *const headings[] = {
    "language: ", "network: ", "pastry: ",
  };
  guint n_params = 0;

  sim_scenario_describe_params (out);
  lines = g_strsplit (out->str, "\n", -1);
  g_assert_cmpuint (sim_param_registry_n_groups (reg), ==,
                    G_N_ELEMENTS (headings));
  for (guint g = 0; g < sim_param_registry_n_groups (reg); g++)
    {
      const SimParamGroup *group = sim_param_registry_group (reg, g);
      g_autofree char *heading = g_strdup_printf (
          "%s: %s (defined in %s)", group->name, group->doc,
          group->defined_in);
      guint at = 0;

      g_assert_true (g_str_has_prefix (heading, headings[g]));
      while (lines[at] != NULL && strcmp (lines[at], heading) != 0)
        at++;
      g_assert_nonnull (lines[at]);
      g_assert_cmpstr (lines[at - 1], ==, "");
      /* The group's parameters follow its heading, in table order. */
      for (guint i = 0; i < group->n_specs; i++)
        {
          g_auto (GStrv) words = g_strsplit (lines[at + 1 + i], " ", 2);
          g_assert_cmpstr (words[0], ==, group->specs[i].name);
          g_assert_cmpint (sim_param_registry_find (reg, words[0]), >=, 0);
        }
      g_assert_cmpstr (lines[at + 1 + group->n_specs], ==, "");
      n_params += group->n_specs;
    }
  g_assert_cmpuint (n_params, ==, sim_param_registry_n_params (reg));
  /* Each parameter appears at the start of exactly one line. */
  for (guint i = 0; i < sim_param_registry_n_params (reg); i++)
    {
      const char *name = sim_param_registry_spec (reg, i)->name;
      guint found = 0;
      for (guint k = 0; lines[k] != NULL; k++)
        if (g_str_has_prefix (lines[k], name) && lines[k][strlen (name)] == ' ')
          found++;
      g_assert_cmpuint (found, ==, 1);
    }
}

/* The resolved order of the parameters is the order of the single table
 * the registry replaced: results directories stay byte-identical, but for
 * the parameters added since (rank 0), which come after these. */
static void
test_resolved_order (void)
{
  static const char *const legacy[] = {
    "name", "seed", "b", "leaf_size", "neighbourhood_size", "network",
    "plane_size", "ms_per_unit", "sphere_radius_ms", "matrix_file",
    "matrix_format", "coords_file", "access_delay", "constant_latency",
    "loss", "jitter", "lookup_key", "join_refine", "announce_state",
    "replicas", "oracle_hints", "bootstrap_sample", "build_sample",
    "ideal_compare", "ideal_sample", "quality_sample", "maintenance",
    "heartbeat_period", "heartbeat_timeout", "probe_period",
    "probe_timeout", "probe_retries", "hop_timeout", "hop_retries",
    "lookup_timeout", "repair", "timeline_interval", "msg_header_bytes",
    "msg_id_bytes",
  };
  const SimParamRegistry *reg = sim_scenario_installed_params ();
  g_autoptr (SimScenario) sc = parse_ok ("end\n");
  g_autoptr (GString) out = g_string_new (NULL);
  g_auto (GStrv) lines = NULL;

  /* Parameters added since are listed only when set, so a scenario that
   * sets none of them resolves exactly as before. */
  g_assert_cmpuint (sim_param_registry_n_params (reg), >=,
                    G_N_ELEMENTS (legacy));
  for (guint i = G_N_ELEMENTS (legacy); i < sim_param_registry_n_params (reg);
       i++)
    g_assert_true (sim_param_registry_spec (reg, i)->flags
                   & SIM_PARAM_LISTED_WHEN_SET);
  sim_scenario_write_resolved (sc, out);
  lines = g_strsplit (out->str, "\n", -1);
  for (guint i = 0; i < G_N_ELEMENTS (legacy); i++)
    {
      g_autofree char *prefix = g_strdup_printf ("# %s = ", legacy[i]);
      g_assert_cmpstr (sim_param_registry_spec (reg, i)->name, ==,
                       legacy[i]);
      g_assert_true (g_str_has_prefix (lines[i], prefix));
    }
  g_assert_cmpstr (lines[G_N_ELEMENTS (legacy)], ==, "");
}

/* ---------------------------------------------------------------------- */
/* Failures, churn, per-node workloads, measurement windows               */

static void
test_fail_leave_rejoin (void)
{
  g_autoptr (SimScenario) sc = parse_ok (
      "let n = 7\n"
      "let p = 10%\n"
      "at 0s build 100\n"
      "at 1s fail 5\n"
      "at 1s fail 5 over 10s\n"
      "at 2s fail 10%\n"
      "at 2s leave 2.5% over 1min\n"
      "at 3s fail range 8\n"
      "at 3s leave range 4 over 2s\n"
      "at 4s fail nodes 3,17,42\n"
      "at 4s leave nodes 5, 6 ,7 , 99\n"
      "at 4s fail $n\n"
      "at 4s fail $p over 1s\n"
      "at 5s rejoin 3\n"
      "at 5s rejoin 2 over 1s id new\n"
      "at 6s rejoin all\n"
      "at 6s rejoin all id new over 5s\n"
      "end\n");
  const SimAction *a;

  g_assert_cmpuint (sim_scenario_n_actions (sc), ==, 15);

  a = sim_scenario_action (sc, 1);
  g_assert_cmpint (a->kind, ==, SIM_ACTION_FAIL);
  g_assert_cmpint (a->select, ==, SIM_SELECT_COUNT);
  g_assert_cmpint (a->spread, ==, SIM_SPREAD_AT_ONCE);
  g_assert_cmpuint (a->count, ==, 5);

  a = sim_scenario_action (sc, 2);
  g_assert_cmpint (a->spread, ==, SIM_SPREAD_UNIFORM);
  g_assert_cmpuint (a->over, ==, 10 * SIM_TIME_S);

  a = sim_scenario_action (sc, 3);
  g_assert_cmpint (a->select, ==, SIM_SELECT_PERCENT);
  g_assert_cmpfloat (a->fraction, ==, 0.1);
  g_assert_cmpuint (a->count, ==, 0);

  a = sim_scenario_action (sc, 4);
  g_assert_cmpint (a->kind, ==, SIM_ACTION_LEAVE);
  g_assert_cmpint (a->select, ==, SIM_SELECT_PERCENT);
  g_assert_cmpfloat (a->fraction, ==, 0.025);
  g_assert_cmpuint (a->over, ==, SIM_TIME_MIN);

  a = sim_scenario_action (sc, 5);
  g_assert_cmpint (a->select, ==, SIM_SELECT_RANGE);
  g_assert_cmpuint (a->count, ==, 8);
  g_assert_cmpint (a->spread, ==, SIM_SPREAD_AT_ONCE);

  a = sim_scenario_action (sc, 6);
  g_assert_cmpint (a->kind, ==, SIM_ACTION_LEAVE);
  g_assert_cmpint (a->select, ==, SIM_SELECT_RANGE);
  g_assert_cmpint (a->spread, ==, SIM_SPREAD_UNIFORM);

  a = sim_scenario_action (sc, 7);
  g_assert_cmpint (a->select, ==, SIM_SELECT_INDICES);
  g_assert_cmpuint (a->n_indices, ==, 3);
  g_assert_cmpuint (a->count, ==, 3);
  g_assert_cmpuint (a->indices[0], ==, 3);
  g_assert_cmpuint (a->indices[1], ==, 17);
  g_assert_cmpuint (a->indices[2], ==, 42);

  a = sim_scenario_action (sc, 8);
  g_assert_cmpint (a->kind, ==, SIM_ACTION_LEAVE);
  g_assert_cmpuint (a->n_indices, ==, 4);
  g_assert_cmpuint (a->indices[0], ==, 5);
  g_assert_cmpuint (a->indices[1], ==, 6);
  g_assert_cmpuint (a->indices[2], ==, 7);
  g_assert_cmpuint (a->indices[3], ==, 99);

  a = sim_scenario_action (sc, 9);
  g_assert_cmpint (a->select, ==, SIM_SELECT_COUNT);
  g_assert_cmpuint (a->count, ==, 7);

  a = sim_scenario_action (sc, 10);
  g_assert_cmpint (a->select, ==, SIM_SELECT_PERCENT);
  g_assert_cmpfloat (a->fraction, ==, 0.1);

  a = sim_scenario_action (sc, 11);
  g_assert_cmpint (a->kind, ==, SIM_ACTION_REJOIN);
  g_assert_cmpint (a->select, ==, SIM_SELECT_COUNT);
  g_assert_cmpuint (a->count, ==, 3);
  g_assert_true (a->same_id); /* the default for rejoin */

  a = sim_scenario_action (sc, 12);
  g_assert_false (a->same_id);
  g_assert_cmpint (a->spread, ==, SIM_SPREAD_UNIFORM);

  a = sim_scenario_action (sc, 13);
  g_assert_cmpint (a->select, ==, SIM_SELECT_ALL);
  g_assert_cmpuint (a->count, ==, 0);
  g_assert_true (a->same_id);

  a = sim_scenario_action (sc, 14);
  g_assert_cmpint (a->select, ==, SIM_SELECT_ALL);
  g_assert_false (a->same_id);
  g_assert_cmpuint (a->over, ==, 5 * SIM_TIME_S);
}

static void
assert_dist (const SimDist *d, SimDist want)
{
  g_assert_cmpint (d->kind, ==, want.kind);
  g_assert_cmpfloat (d->p1, ==, want.p1);
  g_assert_cmpfloat (d->p2, ==, want.p2);
}

static void
test_churn (void)
{
  g_autoptr (SimScenario) sc = parse_ok (
      "let mean = 30min\n"
      "at 0s build 100\n"
      "at 1min churn for 1h session exp($mean)\n"
      "at 1min churn for 1h session pareto(1.5, median=1.4min) "
      "down weibull(0.5, 20min) population 500 id same\n"
      "at 2min churn for 10min session uniform(0s, 2h) down fixed(90s)\n"
      "at 2min churn for 10min session exponential(1h) down constant(1s)\n"
      "at 2min churn for 10min session pareto(2, scale=10min)\n"
      "at 2min churn for 10min session pareto(2,10min) down exp( 1h )\n"
      "at 2min churn id new population 3 session weibull(1.5,1h) for 1us\n"
      "at 2min churn for 1s session pareto (3, median = 0.5s)\n"
      "end\n");
  const SimAction *a;

  g_assert_cmpuint (sim_scenario_n_actions (sc), ==, 9);

  a = sim_scenario_action (sc, 1);
  g_assert_cmpint (a->kind, ==, SIM_ACTION_CHURN);
  g_assert_cmpuint (a->duration, ==, SIM_TIME_H);
  assert_dist (&a->session, sim_dist_exponential (1800));
  assert_dist (&a->down, sim_dist_exponential (1800)); /* = session */
  g_assert_cmpuint (a->population, ==, 0);
  g_assert_false (a->same_id); /* the default for churn */

  a = sim_scenario_action (sc, 2);
  assert_dist (&a->session, sim_dist_pareto_median (1.5, 84));
  assert_dist (&a->down, sim_dist_weibull (0.5, 1200));
  g_assert_cmpuint (a->population, ==, 500);
  g_assert_true (a->same_id);
  g_assert_cmpfloat_with_epsilon (sim_dist_median (&a->session), 84, 1e-9);

  a = sim_scenario_action (sc, 3);
  assert_dist (&a->session, sim_dist_uniform (0, 7200));
  assert_dist (&a->down, sim_dist_constant (90));

  a = sim_scenario_action (sc, 4);
  assert_dist (&a->session, sim_dist_exponential (3600));
  assert_dist (&a->down, sim_dist_constant (1));

  a = sim_scenario_action (sc, 5);
  assert_dist (&a->session, sim_dist_pareto (2, 600));

  a = sim_scenario_action (sc, 6);
  assert_dist (&a->session, sim_dist_pareto (2, 600));
  assert_dist (&a->down, sim_dist_exponential (3600));

  a = sim_scenario_action (sc, 7);
  assert_dist (&a->session, sim_dist_weibull (1.5, 3600));
  g_assert_cmpuint (a->duration, ==, 1);
  g_assert_cmpuint (a->population, ==, 3);
  g_assert_false (a->same_id);

  a = sim_scenario_action (sc, 8);
  assert_dist (&a->session, sim_dist_pareto_median (3, 0.5));
}

static void
test_lookup_per_node (void)
{
  g_autoptr (SimScenario) sc = parse_ok (
      "at 0s lookup rate 0.5/s per node for 1h\n"
      "at 0s lookup rate 6/min per node for 1h keys random\n"
      "at 0s lookup every exp(600s) per node for 2h keys zipf(1.2, 10k)\n"
      "at 0s lookup every fixed(1s) per node for 1min\n"
      "at 0s lookup 100 keys zipf(0.8, 4294967296)\n"
      "at 0s lookup rate 10/s for 1s keys zipf (1, 1)\n"
      "at 0s lookup rate 1/s for 1h per node\n"
      "end\n");
  const SimAction *a;

  a = sim_scenario_action (sc, 0);
  g_assert_cmpint (a->spread, ==, SIM_SPREAD_PER_NODE);
  g_assert_cmpfloat (a->rate_per_s, ==, 0.5);
  g_assert_false (a->has_every);
  g_assert_cmpuint (a->duration, ==, SIM_TIME_H);

  a = sim_scenario_action (sc, 1);
  g_assert_cmpfloat (a->rate_per_s, ==, 0.1);
  g_assert_cmpint (a->keys, ==, SIM_KEYS_RANDOM);

  a = sim_scenario_action (sc, 2);
  g_assert_cmpint (a->spread, ==, SIM_SPREAD_PER_NODE);
  g_assert_true (a->has_every);
  g_assert_cmpfloat (a->rate_per_s, ==, 0);
  assert_dist (&a->every, sim_dist_exponential (600));
  g_assert_cmpint (a->keys, ==, SIM_KEYS_ZIPF);
  g_assert_cmpfloat (a->zipf_s, ==, 1.2);
  g_assert_cmpuint (a->zipf_n, ==, 10000);

  a = sim_scenario_action (sc, 3);
  assert_dist (&a->every, sim_dist_constant (1));
  g_assert_cmpint (a->keys, ==, SIM_KEYS_NODE);

  a = sim_scenario_action (sc, 4);
  g_assert_cmpint (a->spread, ==, SIM_SPREAD_AT_ONCE);
  g_assert_cmpuint (a->count, ==, 100);
  g_assert_cmpint (a->keys, ==, SIM_KEYS_ZIPF);
  g_assert_cmpuint (a->zipf_n, ==, G_GUINT64_CONSTANT (1) << 32);

  a = sim_scenario_action (sc, 5);
  g_assert_cmpint (a->spread, ==, SIM_SPREAD_POISSON);
  g_assert_cmpfloat (a->zipf_s, ==, 1);
  g_assert_cmpuint (a->zipf_n, ==, 1);

  a = sim_scenario_action (sc, 6);
  g_assert_cmpint (a->spread, ==, SIM_SPREAD_PER_NODE);
  g_assert_cmpfloat (a->rate_per_s, ==, 1);
}

static void
test_measure (void)
{
  SimTime from = 1, to = 1;
  {
    g_autoptr (SimScenario) sc = parse_ok ("end\n");
    sim_scenario_measure_window (sc, &from, &to);
    g_assert_cmpuint (from, ==, 0);
    g_assert_cmpuint (to, ==, SIM_TIME_MAX);
    sim_scenario_measure_window (sc, NULL, NULL);
  }
  {
    g_autoptr (SimScenario) sc
        = parse_ok ("at 0s build 5\nmeasure from 30min\nend\n");
    sim_scenario_measure_window (sc, &from, &to);
    g_assert_cmpuint (from, ==, 30 * SIM_TIME_MIN);
    g_assert_cmpuint (to, ==, SIM_TIME_MAX);
  }
  {
    g_autoptr (SimScenario) sc
        = parse_ok ("let w = 1h\nmeasure from $w to 2h\nat 0s build 5\nend\n");
    sim_scenario_measure_window (sc, &from, &to);
    g_assert_cmpuint (from, ==, SIM_TIME_H);
    g_assert_cmpuint (to, ==, 2 * SIM_TIME_H);
  }
  {
    g_autoptr (SimScenario) sc = parse_ok ("measure from 0s to 1us\nend\n");
    sim_scenario_measure_window (sc, &from, &to);
    g_assert_cmpuint (from, ==, 0);
    g_assert_cmpuint (to, ==, 1);
  }
}

static void
test_failure_params (void)
{
  SimTime fixed = 1;
  {
    g_autoptr (SimScenario) sc = parse_ok ("end\n");
    g_assert_cmpuint (sim_scenario_get_time (sc, "heartbeat_period"), ==,
                      30 * SIM_TIME_S);
    g_assert_cmpuint (sim_scenario_get_time (sc, "heartbeat_timeout"), ==,
                      70 * SIM_TIME_S);
    g_assert_cmpuint (sim_scenario_get_time (sc, "probe_period"), ==,
                      10 * SIM_TIME_MIN);
    g_assert_cmpuint (sim_scenario_get_time (sc, "probe_timeout"), ==,
                      3 * SIM_TIME_S);
    g_assert_cmpuint (sim_scenario_get_uint (sc, "probe_retries"), ==, 2);
    g_assert_cmpstr (sim_scenario_get_string (sc, "hop_timeout"), ==, "rtt");
    g_assert_true (sim_scenario_get_hop_timeout (sc, &fixed));
    g_assert_cmpuint (fixed, ==, 0);
    g_assert_true (sim_scenario_get_hop_timeout (sc, NULL));
    g_assert_cmpuint (sim_scenario_get_uint (sc, "hop_retries"), ==, 8);
    g_assert_cmpuint (sim_scenario_get_time (sc, "lookup_timeout"), ==,
                      60 * SIM_TIME_S);
    g_assert_cmpstr (sim_scenario_get_string (sc, "repair"), ==, "on");
    g_assert_cmpstr (sim_scenario_get_string (sc, "maintenance"), ==, "auto");
    g_assert_cmpuint (sim_scenario_get_time (sc, "timeline_interval"), ==,
                      10 * SIM_TIME_S);
    g_assert_cmpuint (sim_scenario_get_uint (sc, "msg_header_bytes"), ==, 40);
    g_assert_cmpuint (sim_scenario_get_uint (sc, "msg_id_bytes"), ==, 20);
    g_assert_false (sim_scenario_param_is_set (sc, "hop_timeout"));
  }
  {
    g_autoptr (SimScenario) sc = parse_ok ("heartbeat_period = 5s\n"
                                           "heartbeat_timeout = 12s\n"
                                           "probe_period = 30s\n"
                                           "probe_timeout = 1s\n"
                                           "probe_retries = 0\n"
                                           "hop_timeout = 1.5s\n"
                                           "hop_retries = 16\n"
                                           "lookup_timeout = 20s\n"
                                           "repair = leafset\n"
                                           "maintenance = off\n"
                                           "timeline_interval = 1us\n"
                                           "msg_header_bytes = 0\n"
                                           "msg_id_bytes = 4294967295\n"
                                           "end\n");
    g_assert_cmpuint (sim_scenario_get_time (sc, "heartbeat_timeout"), ==,
                      12 * SIM_TIME_S);
    g_assert_cmpuint (sim_scenario_get_uint (sc, "probe_retries"), ==, 0);
    g_assert_cmpstr (sim_scenario_get_string (sc, "hop_timeout"), ==,
                     "1500ms");
    g_assert_false (sim_scenario_get_hop_timeout (sc, &fixed));
    g_assert_cmpuint (fixed, ==, 1500 * SIM_TIME_MS);
    g_assert_cmpstr (sim_scenario_get_string (sc, "repair"), ==, "leafset");
    g_assert_cmpuint (sim_scenario_get_time (sc, "timeline_interval"), ==, 1);
    g_assert_cmpuint (sim_scenario_get_uint (sc, "msg_id_bytes"), ==,
                      G_MAXUINT32);
    g_assert_true (sim_scenario_param_is_set (sc, "hop_timeout"));
  }
  {
    /* hop_timeout from a reference, a quoted time and overrides. */
    const char *const ov1[] = { "hop_timeout=rtt", NULL };
    const char *const ov2[] = { "hop_timeout=\"2s\"", NULL };
    const char *const ov3[] = { "hop_timeout=250ms", NULL };
    const char *text = "let t = 750ms\nhop_timeout = $t\nend\n";
    g_autoptr (SimScenario) a = parse_ok (text);
    g_autoptr (SimScenario) b = parse_ok_with (text, ov1);
    g_autoptr (SimScenario) c = parse_ok_with (text, ov2);
    g_autoptr (SimScenario) d = parse_ok_with (text, ov3);
    g_autoptr (SimScenario) e = parse_ok ("hop_timeout = \"100us\"\nend\n");
    g_assert_cmpstr (sim_scenario_get_string (a, "hop_timeout"), ==, "750ms");
    g_assert_true (sim_scenario_get_hop_timeout (b, NULL));
    g_assert_false (sim_scenario_get_hop_timeout (c, &fixed));
    g_assert_cmpuint (fixed, ==, 2 * SIM_TIME_S);
    g_assert_cmpstr (sim_scenario_get_string (d, "hop_timeout"), ==, "250ms");
    g_assert_false (sim_scenario_get_hop_timeout (e, &fixed));
    g_assert_cmpuint (fixed, ==, 100);
    /* The canonical form writes it bare. */
    {
      g_autoptr (GString) out = g_string_new (NULL);
      sim_scenario_write_canonical (c, out);
      g_assert_nonnull (strstr (out->str, "\nhop_timeout = 2s\n"));
    }
  }
}

/* Scenario text with every new form, for round trips and the fuzzer. */
static const char round_trip_new_text[]
    = "let n = 200\n"
      "let mean = 1h\n"
      "let frac = 7%\n"
      "hop_timeout = 0.3s\n"
      "repair = leafset\n"
      "measure from 30min to 2h\n"
      "at 0s build $n\n"
      "at 1s fail 5 over 10s\n"
      "at 2s fail $frac\n"
      "at 2s leave 33.3% over 1min\n"
      "at 2s fail 1e-5%\n"
      "at 3s fail range 8 over 1s\n"
      "at 4s fail nodes 3, 17,42\n"
      "at 5s rejoin 3 id new\n"
      "at 6s rejoin all over 5s\n"
      "at 1min churn for 1h session exp($mean) population 300\n"
      "at 1min churn for 1h session pareto(1.5, median=1.4min) "
      "down weibull(0.5, 20.5min) id same\n"
      "at 1min churn for 1h session pareto(1.1, median=0.3333333s)\n"
      "at 2min churn for 10min session uniform(0s, 2h) down fixed(90s)\n"
      "at 2min churn for 10min session pareto(2.5, 10min)\n"
      "at 3min lookup rate 0.25/s per node for 1h keys zipf(1.2, 10k)\n"
      "at 3min lookup every exp(600s) per node for 2h keys random\n"
      "at 3min lookup 100 over 1s keys zipf(0.7, 1)\n"
      "end\n";

static void
assert_round_trip (const SimScenario *sc)
{
  g_autoptr (GString) canon = g_string_new (NULL);
  g_autoptr (GString) canon2 = g_string_new (NULL);
  g_autoptr (SimScenario) again = NULL;

  sim_scenario_write_canonical (sc, canon);
  if (g_test_verbose ())
    g_test_message ("%s", canon->str);
  again = parse_ok (canon->str);
  assert_same_scenario (sc, again);
  sim_scenario_write_canonical (again, canon2);
  /* A fixed point, after the header comment (it names the file). */
  g_assert_cmpstr (strchr (canon->str, '\n'), ==, strchr (canon2->str, '\n'));
}

static void
test_round_trip_new (void)
{
  g_autoptr (SimScenario) sc = parse_ok (round_trip_new_text);
  g_autoptr (GString) canon = g_string_new (NULL);

  assert_round_trip (sc);
  sim_scenario_write_canonical (sc, canon);
  g_assert_nonnull (strstr (canon->str, "\nmeasure from 30min to 2h\n"));
  g_assert_nonnull (strstr (canon->str, " fail 7.0%\n"));
  g_assert_nonnull (strstr (canon->str, " leave 33.3% over 1min\n"));
  g_assert_nonnull (strstr (canon->str, " fail nodes 3,17,42\n"));
  g_assert_nonnull (strstr (canon->str, "session pareto(1.5, median=84s) "
                                        "down weibull(0.5, 1230s) id same"));
  g_assert_nonnull (strstr (canon->str, "session exp(1h) down exp(1h) "
                                        "population 300 id new"));
  g_assert_nonnull (strstr (canon->str, "every exp(10min) per node for 2h"));
  g_assert_nonnull (strstr (canon->str, "keys zipf(1.2, 10000)"));
  g_assert_nonnull (strstr (canon->str, "\nhop_timeout = 300ms\n"));

  /* Fractions from arbitrary numbers come back exactly too. */
  for (guint i = 1; i <= 1000; i++)
    {
      g_autofree char *text = g_strdup_printf (
          "let p = %u.%03u%%\nat 0s build 1\nat 0s fail $p\n"
          "at 0s leave %u.%u%%\nend\n",
          i % 99, (i * 37) % 999 + 1, i % 99 + 1, i % 7);
      g_autoptr (SimScenario) s = parse_ok (text);
      assert_round_trip (s);
    }
}

/* Writes @contents to @dir/@name; returns (transfer full) the path. */
static char *
write_file (const char *dir, const char *name, const char *contents)
{
  g_autoptr (GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

static void
test_trace_action (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-scenario-XXXXXX", &error);
  g_autofree char *trace = NULL, *bad = NULL, *scn = NULL, *scn2 = NULL;
  g_autofree char *scn3 = NULL, *scn4 = NULL;
  g_autoptr (SimScenario) sc = NULL;
  const SimAction *a;

  g_assert_no_error (error);
  trace = write_file (dir, "tr.txt",
                      "# node join leave\n"
                      "0 0 100\n"
                      "1 10s 2min   # a comment\n"
                      "0 200 -\n"
                      "00112233445566778899AABBCCDDEEFF 5 inf\n");
  bad = write_file (dir, "bad.txt", "0 10 5\n");
  scn = write_file (dir, "t.scn",
                    "at 0s build 3\n"
                    "at 1h churn trace tr.txt\n"
                    "at 1h churn trace \"tr.txt\" id new\n"
                    "at 2h fail nodes 0,4\n" /* 3 built + 3 trace nodes */
                    "end\n");
  sc = sim_scenario_load (scn, NULL, &error);
  g_assert_no_error (error);
  check_invariants (sc);
  a = sim_scenario_action (sc, 1);
  g_assert_cmpint (a->kind, ==, SIM_ACTION_TRACE);
  g_assert_cmpstr (a->trace_path, ==, trace);
  g_assert_true (a->same_id);
  g_assert_cmpuint (sim_trace_n_rows (a->trace), ==, 4);
  g_assert_cmpuint (sim_trace_n_nodes (a->trace), ==, 3);
  g_assert_cmpuint (sim_trace_row (a->trace, 0)->join, ==, 0);
  g_assert_true (sim_trace_row (a->trace, 1)->has_id);
  g_assert_cmpuint (sim_trace_row (a->trace, 1)->id[15], ==, 0xff);
  g_assert_cmpuint (sim_trace_row (a->trace, 2)->leave, ==,
                    2 * SIM_TIME_MIN);
  g_assert_cmpuint (sim_trace_row (a->trace, 3)->leave, ==, SIM_TIME_MAX);
  g_assert_false (sim_scenario_action (sc, 2)->same_id);
  assert_round_trip (sc);

  /* A bad trace: the scenario position, then the trace position. */
  scn2 = write_file (dir, "t2.scn", "\nat 0s  churn trace bad.txt\nend\n");
  g_assert_null (sim_scenario_load (scn2, NULL, &error));
  g_assert_error (error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_TRACE);
  {
    g_autofree char *prefix = g_strdup_printf ("%s:2:20: invalid churn "
                                               "trace: %s:1:6: ",
                                               scn2, bad);
    if (!g_str_has_prefix (error->message, prefix))
      g_error ("expected '%s...', got '%s'", prefix, error->message);
  }
  g_clear_error (&error);

  /* A directory, and a missing file: IO errors at the scenario position. */
  scn3 = write_file (dir, "t3.scn", "at 0s churn trace .\nend\n");
  g_assert_null (sim_scenario_load (scn3, NULL, &error));
  g_assert_error (error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_IO);
  g_clear_error (&error);
  scn4 = write_file (dir, "t4.scn", "at 0s churn trace nope.txt\nend\n");
  g_assert_null (sim_scenario_load (scn4, NULL, &error));
  g_assert_error (error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_IO);
  {
    g_autofree char *prefix = g_strdup_printf ("%s:1:19: ", scn4);
    g_assert_true (g_str_has_prefix (error->message, prefix));
    g_assert_nonnull (strstr (error->message, "nope.txt"));
  }
  g_clear_error (&error);

  /* Node indices count trace nodes: 3 + 3 = 6, so index 6 is too many. */
  {
    g_autofree char *scn5 = write_file (dir, "t5.scn",
                                        "at 0s build 3\n"
                                        "at 1h churn trace tr.txt\n"
                                        "at 2h fail nodes 6\nend\n");
    g_assert_null (sim_scenario_load (scn5, NULL, &error));
    g_assert_error (error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_RANGE);
    g_clear_error (&error);
    g_unlink (scn5);
  }

  g_unlink (trace);
  g_unlink (bad);
  g_unlink (scn);
  g_unlink (scn2);
  g_unlink (scn3);
  g_unlink (scn4);
  g_rmdir (dir);
}

/* ---------------------------------------------------------------------- */
/* Caller bugs                                                            */

static void
test_getter_caller_bugs (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (SimScenario) sc = parse_ok ("end\n");
      g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL);
      (void) sim_scenario_get_uint (sc, "no_such_param");
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*unknown parameter 'no_such_param'*");
}

static void
test_getter_wrong_type (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (SimScenario) sc = parse_ok ("end\n");
      g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL);
      (void) sim_scenario_get_double (sc, "b");
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*'b' is of type int*");
}

/* ---------------------------------------------------------------------- */
/* Files                                                                  */

static void
test_shipped_scenarios (void)
{
  const char *srcdir = g_getenv ("G_TEST_SRCDIR");
  g_autofree char *dir = NULL;
  g_autoptr (GDir) d = NULL;
  const char *entry;
  guint n = 0;

  if (srcdir == NULL)
    {
      g_test_skip ("G_TEST_SRCDIR not set");
      return;
    }
  dir = g_build_filename (srcdir, "scenarios", NULL);
  d = g_dir_open (dir, 0, NULL);
  g_assert_nonnull (d);
  while ((entry = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autoptr (GError) error = NULL;
      g_autoptr (SimScenario) sc = NULL;
      g_autoptr (GString) canon = g_string_new (NULL);
      g_autoptr (SimScenario) again = NULL;

      if (!g_str_has_suffix (entry, ".scn"))
        continue;
      path = g_build_filename (dir, entry, NULL);
      sc = sim_scenario_load (path, NULL, &error);
      if (error != NULL)
        g_error ("%s", error->message);
      check_invariants (sc);
      g_assert_cmpuint (sim_scenario_n_actions (sc), >, 0);
      sim_scenario_write_canonical (sc, canon);
      again = parse_ok (canon->str);
      assert_same_scenario (sc, again);
      n++;
    }
  g_assert_cmpuint (n, >=, 2);

  /* The paper setup says what the README says it does. */
  {
    g_autofree char *path = g_build_filename (dir, "paper-hops.scn", NULL);
    const char *const ov[] = { "nodes=5000", NULL };
    g_autoptr (GError) error = NULL;
    g_autoptr (SimScenario) sc = sim_scenario_load (path, ov, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (sim_scenario_get_uint (sc, "b"), ==, 4);
    g_assert_cmpuint (sim_scenario_get_uint (sc, "leaf_size"), ==, 16);
    g_assert_cmpuint (sim_scenario_get_uint (sc, "neighbourhood_size"), ==,
                      32);
    g_assert_cmpstr (sim_scenario_get_string (sc, "network"), ==,
                     "euclidean");
    g_assert_cmpint (sim_scenario_action (sc, 0)->kind, ==, SIM_ACTION_BUILD);
    g_assert_cmpuint (sim_scenario_action (sc, 0)->count, ==, 5000);
  }
}

static void
test_load_errors_and_paths (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *tmpdir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *want = NULL;
  SimScenario *sc;

  sc = sim_scenario_load ("/nonexistent/dir/x.scn", NULL, &error);
  g_assert_null (sc);
  g_assert_error (error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_IO);
  g_assert_true (g_str_has_prefix (error->message, "/nonexistent/dir/x.scn:"));
  g_clear_error (&error);

  tmpdir = g_dir_make_tmp ("test-scenario-XXXXXX", &error);
  g_assert_no_error (error);

  /* A directory is not a scenario. */
  sc = sim_scenario_load (tmpdir, NULL, &error);
  g_assert_null (sc);
  g_assert_error (error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_IO);
  g_clear_error (&error);

  path = g_build_filename (tmpdir, "loaded.scn", NULL);
  g_file_set_contents (path,
                       "network = matrix\nmatrix_file = m.txt\n"
                       "at 0s build 2\nend\n",
                       -1, &error);
  g_assert_no_error (error);
  sc = sim_scenario_load (path, NULL, &error);
  g_assert_no_error (error);
  want = g_build_filename (tmpdir, "m.txt", NULL);
  g_assert_cmpstr (sim_scenario_get_string (sc, "matrix_file"), ==, want);
  g_assert_cmpstr (sim_scenario_name (sc), ==, "loaded");
  sim_scenario_free (sc);

  g_file_set_contents (path, "b = 4\nb = 5\nend\n", -1, &error);
  g_assert_no_error (error);
  sc = sim_scenario_load (path, NULL, &error);
  g_assert_null (sc);
  g_assert_error (error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_DUPLICATE);
  {
    g_autofree char *prefix = g_strdup_printf ("%s:2:1:", path);
    g_assert_true (g_str_has_prefix (error->message, prefix));
  }
  g_clear_error (&error);

  g_unlink (path);
  g_rmdir (tmpdir);
  sim_scenario_free (NULL);
}

/* ---------------------------------------------------------------------- */
/* Robustness: random bytes and random mutations never crash             */

static guint64
next_rand (guint64 *s)
{
  /* splitmix64, seeded from the test name. */
  guint64 z = (*s += G_GUINT64_CONSTANT (0x9E3779B97F4A7C15));
  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  return z ^ (z >> 31);
}

static void
parse_any (const char *text, gsize len)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SimScenario) sc
      = sim_scenario_parse (FILE_NAME, text, len, "/base", NULL, &error);
  g_assert_true ((sc == NULL) == (error != NULL));
  if (sc != NULL)
    {
      g_autoptr (GString) out = g_string_new (NULL);
      check_invariants (sc);
      sim_scenario_write_canonical (sc, out);
    }
  else
    {
      g_assert_true (g_str_has_prefix (error->message, FILE_NAME ":"));
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
    }
}

static void
test_fuzz_mutations (gconstpointer data)
{
  guint64 seed = GPOINTER_TO_UINT (data);
  static const char alphabet[] = "atjoinbuildlookupoverkeysrateforexpect"
                                 "failchurnrejoinsessionzipfmeasure(),"
                                 "end let=<>!$#\"\\\n\t 0123456789.kMsmhd_%/"
                                 "\x00\xff\xc3\xa9";

  for (int round = 0; round < 3000; round++)
    {
      const char *base = round % 2 == 0 ? round_trip_text
                                         : round_trip_new_text;
      GString *s = g_string_new_len (base, (gssize) strlen (base));
      int n_mut = 1 + (int) (next_rand (&seed) % 8);
      for (int m = 0; m < n_mut && s->len > 0; m++)
        {
          gsize at = next_rand (&seed) % s->len;
          char c = alphabet[next_rand (&seed) % (sizeof alphabet - 1)];
          switch (next_rand (&seed) % 4)
            {
            case 0:
              s->str[at] = c;
              break;
            case 1:
              g_string_insert_c (s, (gssize) at, c);
              break;
            case 2:
              g_string_erase (s, (gssize) at, 1);
              break;
            default:
              g_string_truncate (s, at);
              break;
            }
        }
      parse_any (s->str, s->len);
      g_string_free (s, TRUE);
    }
  for (int round = 0; round < 300; round++)
    {
      gsize len = next_rand (&seed) % 200;
      char *buf = g_malloc (len + 1);
      for (gsize i = 0; i < len; i++)
        buf[i] = (char) (next_rand (&seed) & 0xff);
      parse_any (buf, len);
      g_free (buf);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sim_pastry_params_install ();

  for (gsize i = 0; i < G_N_ELEMENTS (invalid_cases); i++)
    {
      g_autofree char *path
          = g_strdup_printf ("/scenario/invalid/%s", invalid_cases[i].name);
      g_test_add_data_func (path, &invalid_cases[i], test_invalid);
    }
  g_test_add_func ("/scenario/invalid/long-line", test_invalid_long_line);
  g_test_add_func ("/scenario/boundary/line-length",
                   test_boundary_line_length);
  g_test_add_func ("/scenario/boundary/ranges", test_boundaries);
  g_test_add_func ("/scenario/defaults", test_defaults);
  g_test_add_func ("/scenario/default-name", test_default_name_sanitised);
  g_test_add_func ("/scenario/all-params", test_all_params_set);
  g_test_add_func ("/scenario/time-units", test_time_units);
  g_test_add_func ("/scenario/counts", test_counts);
  g_test_add_func ("/scenario/verbs", test_verbs);
  g_test_add_func ("/scenario/lookup-key-default", test_lookup_key_default);
  g_test_add_func ("/scenario/equal-times", test_equal_times_keep_file_order);
  g_test_add_func ("/scenario/refs", test_refs);
  g_test_add_func ("/scenario/overrides", test_overrides);
  g_test_add_func ("/scenario/override-strings", test_override_string_values);
  g_test_add_func ("/scenario/paths", test_paths);
  g_test_add_func ("/scenario/expects", test_expects);
  g_test_add_func ("/scenario/line-endings-bom", test_line_endings_and_bom);
  g_test_add_func ("/scenario/end-without-newline", test_end_without_newline);
  g_test_add_func ("/scenario/write-resolved", test_write_resolved);
  g_test_add_func ("/scenario/round-trip", test_round_trip);
  g_test_add_func ("/scenario/seeds", test_seeds);
  g_test_add_func ("/scenario/describe-params", test_describe_params);
  g_test_add_func ("/scenario/describe-params-grouped",
                   test_describe_params_grouped);
  g_test_add_func ("/scenario/resolved-order", test_resolved_order);
  g_test_add_func ("/scenario/fail-leave-rejoin", test_fail_leave_rejoin);
  g_test_add_func ("/scenario/churn", test_churn);
  g_test_add_func ("/scenario/lookup-per-node", test_lookup_per_node);
  g_test_add_func ("/scenario/measure", test_measure);
  g_test_add_func ("/scenario/failure-params", test_failure_params);
  g_test_add_func ("/scenario/round-trip-new", test_round_trip_new);
  g_test_add_func ("/scenario/trace-action", test_trace_action);
  g_test_add_func ("/scenario/caller-bug/unknown-param",
                   test_getter_caller_bugs);
  g_test_add_func ("/scenario/caller-bug/wrong-type", test_getter_wrong_type);
  g_test_add_func ("/scenario/shipped", test_shipped_scenarios);
  g_test_add_func ("/scenario/load", test_load_errors_and_paths);
  g_test_add_data_func ("/scenario/fuzz/seed=1", GUINT_TO_POINTER (1),
                        test_fuzz_mutations);
  g_test_add_data_func ("/scenario/fuzz/seed=20240607",
                        GUINT_TO_POINTER (20240607), test_fuzz_mutations);

  return g_test_run ();
}
