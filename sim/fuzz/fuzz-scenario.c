/* fuzz-scenario.c — fuzz targets of the scenario parser.
 *
 * On success the scenario must satisfy the invariants of sim-scenario.h
 * and survive a round trip: its canonical text parses (with no overrides)
 * to the same parameters, actions and expectations, and writing that
 * again gives the same text.  On failure the error must be a
 * SIM_SCENARIO_ERROR whose position lies inside the input.
 */
#include "fuzz-targets.h"

#include <math.h>
#include <string.h>

#include "sim-scenario.h"

#define DISPLAY_NAME "fuzz.scn"

static void
check_dist (const SimDist *d)
{
  double mean, median;

  FUZZ_CHECK (sim_dist_is_valid (d));
  mean = sim_dist_mean (d);
  median = sim_dist_median (d);
  FUZZ_CHECK (!isnan (mean));
  FUZZ_CHECK (!isnan (median));
}

static void
check_action (const SimAction *a)
{
  FUZZ_CHECK (a->line >= 1 && a->col >= 1);
  FUZZ_CHECK (a->sequential == (a->spread == SIM_SPREAD_SEQUENTIAL));
  FUZZ_CHECK (a->count <= (a->kind == SIM_ACTION_LOOKUP
                               ? SIM_SCENARIO_MAX_LOOKUPS
                               : SIM_SCENARIO_MAX_NODES));
  FUZZ_CHECK (a->at <= SIM_TIME_MAX - a->over);
  FUZZ_CHECK (a->at <= SIM_TIME_MAX - a->duration);
  FUZZ_CHECK (isfinite (a->rate_per_s) && a->rate_per_s >= 0);
  switch (a->spread)
    {
    case SIM_SPREAD_AT_ONCE:
      FUZZ_CHECK (a->over == 0);
      break;
    case SIM_SPREAD_UNIFORM:
      FUZZ_CHECK (a->over > 0);
      break;
    case SIM_SPREAD_SEQUENTIAL:
      FUZZ_CHECK (a->kind == SIM_ACTION_JOIN && a->count >= 1);
      break;
    case SIM_SPREAD_POISSON:
      FUZZ_CHECK (a->kind == SIM_ACTION_LOOKUP && a->count == 0);
      FUZZ_CHECK (a->rate_per_s > 0 && a->duration > 0);
      break;
    case SIM_SPREAD_PER_NODE:
      FUZZ_CHECK (a->kind == SIM_ACTION_LOOKUP && a->count == 0);
      FUZZ_CHECK (a->duration > 0);
      FUZZ_CHECK (a->has_every ? a->rate_per_s == 0 : a->rate_per_s > 0);
      break;
    default:
      FUZZ_CHECK (!"unknown spread");
    }
  if (a->has_every)
    check_dist (&a->every);
  switch (a->kind)
    {
    case SIM_ACTION_JOIN:
    case SIM_ACTION_BUILD:
      FUZZ_CHECK (a->count >= 1);
      break;
    case SIM_ACTION_LOOKUP:
      FUZZ_CHECK ((a->count >= 1)
                  == (a->spread == SIM_SPREAD_AT_ONCE
                      || a->spread == SIM_SPREAD_UNIFORM));
      break;
    case SIM_ACTION_FAIL:
    case SIM_ACTION_LEAVE:
      FUZZ_CHECK (a->select != SIM_SELECT_ALL);
      break;
    case SIM_ACTION_REJOIN:
      FUZZ_CHECK (a->select == SIM_SELECT_COUNT
                  || a->select == SIM_SELECT_ALL);
      break;
    case SIM_ACTION_CHURN:
      FUZZ_CHECK (a->duration > 0 && a->count == 0);
      check_dist (&a->session);
      check_dist (&a->down);
      FUZZ_CHECK (a->population <= SIM_SCENARIO_MAX_NODES);
      break;
    case SIM_ACTION_TRACE:
      FUZZ_CHECK (a->trace != NULL && a->trace_path != NULL);
      FUZZ_CHECK (sim_trace_n_rows (a->trace) >= 1);
      FUZZ_CHECK (strcmp (sim_trace_path (a->trace), a->trace_path) == 0);
      break;
    default:
      FUZZ_CHECK (!"unknown action kind");
    }
  FUZZ_CHECK ((a->trace != NULL) == (a->kind == SIM_ACTION_TRACE));
  switch (a->select)
    {
    case SIM_SELECT_PERCENT:
      FUZZ_CHECK (a->fraction > 0 && a->fraction <= 1 && a->count == 0);
      break;
    case SIM_SELECT_INDICES:
      FUZZ_CHECK (a->n_indices >= 1 && a->n_indices == a->count);
      FUZZ_CHECK (a->spread == SIM_SPREAD_AT_ONCE);
      for (guint i = 0; i < a->n_indices; i++)
        FUZZ_CHECK (a->indices[i] < G_MAXUINT32);
      break;
    case SIM_SELECT_COUNT:
    case SIM_SELECT_RANGE:
      if (a->kind == SIM_ACTION_FAIL || a->kind == SIM_ACTION_LEAVE
          || a->kind == SIM_ACTION_REJOIN)
        FUZZ_CHECK (a->count >= 1);
      FUZZ_CHECK (a->indices == NULL && a->fraction == 0);
      break;
    case SIM_SELECT_ALL:
      FUZZ_CHECK (a->kind == SIM_ACTION_REJOIN && a->count == 0);
      FUZZ_CHECK (a->indices == NULL && a->fraction == 0);
      break;
    default:
      FUZZ_CHECK (!"unknown select");
    }
  if (a->keys == SIM_KEYS_ZIPF)
    FUZZ_CHECK (a->kind == SIM_ACTION_LOOKUP && isfinite (a->zipf_s)
                && a->zipf_s > 0 && a->zipf_n >= 1
                && a->zipf_n <= G_GUINT64_CONSTANT (1) << 32);
  else
    FUZZ_CHECK (a->zipf_s == 0 && a->zipf_n == 0);
}

static void
check_invariants (const SimScenario *sc)
{
  SimTime last = 0, from, to, fixed = 1;
  g_autoptr (GString) resolved = g_string_new (NULL);

  for (guint i = 0; i < sim_scenario_n_actions (sc); i++)
    {
      const SimAction *a = sim_scenario_action (sc, i);

      FUZZ_CHECK (a->at >= last);
      last = a->at;
      check_action (a);
    }
  sim_scenario_measure_window (sc, &from, &to);
  FUZZ_CHECK (from < to);
  for (guint i = 0; i < sim_scenario_n_expects (sc); i++)
    {
      const SimExpect *e = sim_scenario_expect (sc, i);
      double th = sim_scenario_expect_threshold (e);

      FUZZ_CHECK (e->metric != NULL && isfinite (e->value));
      FUZZ_CHECK (e->is_time || e->time == 0);
      FUZZ_CHECK (!isnan (th));
      (void) sim_scenario_expect_holds (e, 1.0);
    }
  FUZZ_CHECK (sim_scenario_get_uint (sc, "b") >= 1
              && sim_scenario_get_uint (sc, "b") <= 8);
  FUZZ_CHECK (sim_scenario_get_uint (sc, "leaf_size") % 2 == 0);
  FUZZ_CHECK (sim_scenario_name (sc) != NULL);
  FUZZ_CHECK (sim_scenario_get_hop_timeout (sc, &fixed) == (fixed == 0));
  sim_scenario_write_resolved (sc, resolved);
  FUZZ_CHECK (g_utf8_validate (resolved->str, (gssize) resolved->len,
                               NULL));
}

static gboolean
same_dist (const SimDist *x, const SimDist *y)
{
  return x->kind == y->kind && x->p1 == y->p1 && x->p2 == y->p2;
}

/* Compares everything the canonical text must preserve. */
static void
check_same (const SimScenario *a, const SimScenario *b)
{
  g_autoptr (GString) ra = g_string_new (NULL);
  g_autoptr (GString) rb = g_string_new (NULL);
  SimTime fa, ta, fb, tb;

  sim_scenario_write_resolved (a, ra);
  sim_scenario_write_resolved (b, rb);
  if (strcmp (ra->str, rb->str) != 0)
    fuzz_fail (G_STRLOC, "parameters differ after the round trip:\n%s\n"
               "---- after ----\n%s", ra->str, rb->str);
  FUZZ_CHECK (sim_scenario_n_actions (a) == sim_scenario_n_actions (b));
  for (guint i = 0; i < sim_scenario_n_actions (a); i++)
    {
      const SimAction *x = sim_scenario_action (a, i);
      const SimAction *y = sim_scenario_action (b, i);

      FUZZ_CHECK (x->kind == y->kind && x->spread == y->spread);
      FUZZ_CHECK (x->at == y->at && x->count == y->count);
      FUZZ_CHECK (x->over == y->over && x->duration == y->duration);
      FUZZ_CHECK (x->sequential == y->sequential);
      FUZZ_CHECK (x->rate_per_s == y->rate_per_s);
      FUZZ_CHECK (x->keys == y->keys && x->select == y->select);
      FUZZ_CHECK (x->fraction == y->fraction);
      FUZZ_CHECK (x->n_indices == y->n_indices);
      for (guint k = 0; k < x->n_indices; k++)
        FUZZ_CHECK (x->indices[k] == y->indices[k]);
      FUZZ_CHECK (x->same_id == y->same_id);
      FUZZ_CHECK (same_dist (&x->session, &y->session));
      FUZZ_CHECK (same_dist (&x->down, &y->down));
      FUZZ_CHECK (x->has_every == y->has_every);
      FUZZ_CHECK (same_dist (&x->every, &y->every));
      FUZZ_CHECK (x->population == y->population);
      FUZZ_CHECK (g_strcmp0 (x->trace_path, y->trace_path) == 0);
      if (x->trace != NULL)
        FUZZ_CHECK (sim_trace_n_rows (x->trace)
                    == sim_trace_n_rows (y->trace));
      FUZZ_CHECK (x->zipf_s == y->zipf_s && x->zipf_n == y->zipf_n);
    }
  sim_scenario_measure_window (a, &fa, &ta);
  sim_scenario_measure_window (b, &fb, &tb);
  FUZZ_CHECK (fa == fb && ta == tb);
  FUZZ_CHECK (sim_scenario_n_expects (a) == sim_scenario_n_expects (b));
  for (guint i = 0; i < sim_scenario_n_expects (a); i++)
    {
      const SimExpect *x = sim_scenario_expect (a, i);
      const SimExpect *y = sim_scenario_expect (b, i);

      FUZZ_CHECK (strcmp (x->metric, y->metric) == 0 && x->op == y->op);
      FUZZ_CHECK (x->value == y->value && x->is_time == y->is_time);
      FUZZ_CHECK (x->time == y->time);
    }
}

static void
check_round_trip (const SimScenario *sc)
{
  g_autoptr (GString) canon = g_string_new (NULL);
  g_autoptr (GString) canon2 = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (SimScenario) again = NULL;

  sim_scenario_write_canonical (sc, canon);
  again = sim_scenario_parse (DISPLAY_NAME, canon->str, canon->len,
                              fuzz_base_dir (), NULL, &error);
  if (again == NULL)
    fuzz_fail (G_STRLOC, "canonical text does not parse: %s\n%s",
               error->message, canon->str);
  check_invariants (again);
  check_same (sc, again);
  sim_scenario_write_canonical (again, canon2);
  if (strcmp (canon->str, canon2->str) != 0)
    fuzz_fail (G_STRLOC, "canonical text is not a fixed point:\n%s\n"
               "---- second ----\n%s", canon->str, canon2->str);
}

static void
run (const char *text, gsize len, const char *const *overrides,
     guint n_overrides)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SimScenario) sc = NULL;

  sc = sim_scenario_parse (DISPLAY_NAME, text, len, fuzz_base_dir (),
                           overrides, &error);
  fuzz_report ("scenario", error);
  if (sc != NULL)
    {
      FUZZ_CHECK (error == NULL);
      check_invariants (sc);
      check_round_trip (sc);
      return;
    }
  FUZZ_CHECK (error != NULL);
  FUZZ_CHECK (error->domain == SIM_SCENARIO_ERROR);
  FUZZ_CHECK (error->code >= SIM_SCENARIO_ERROR_IO
              && error->code <= SIM_SCENARIO_ERROR_TRACE);
  if (g_str_has_prefix (error->message, "--set:"))
    {
      /* Override I is line I of the overrides joined by newlines. */
      g_autofree char *joined = g_strjoinv ("\n", (char **) overrides);
      gboolean has_nl = FALSE;

      for (guint i = 0; i < n_overrides; i++)
        has_nl = has_nl || strchr (overrides[i], '\n') != NULL;
      FUZZ_CHECK (n_overrides > 0);
      fuzz_check_position (error->message, "--set",
                           has_nl ? NULL : joined, strlen (joined));
    }
  else
    fuzz_check_position (error->message, DISPLAY_NAME, text, len);
}

void
fuzz_scenario_one (const guint8 *data, gsize size)
{
  fuzz_init ();
  run ((const char *) data, size, NULL, 0);
}

void
fuzz_scenario_set_one (const guint8 *data, gsize size)
{
  const char *text = (const char *) data;
  const char *nul = memchr (text, '\0', size);
  char *overrides[FUZZ_MAX_OVERRIDES + 1] = { NULL };
  guint n = 0;

  fuzz_init ();
  if (nul == NULL)
    {
      run (text, size, NULL, 0);
      return;
    }
  /* Split the rest at NULs; the last override takes what remains, with
   * any NUL in it ending the C string as it would on a command line. */
  for (const char *p = nul + 1, *end = text + size; n < FUZZ_MAX_OVERRIDES;)
    {
      const char *q = memchr (p, '\0', (gsize) (end - p));

      if (q == NULL || n == FUZZ_MAX_OVERRIDES - 1)
        q = end;
      overrides[n++] = g_strndup (p, (gsize) (q - p));
      if (q == end)
        break;
      p = q + 1;
    }
  run (text, (gsize) (nul - text), (const char *const *) overrides, n);
  for (guint i = 0; i < n; i++)
    g_free (overrides[i]);
}
