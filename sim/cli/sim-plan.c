/* sim-plan.c — --seeds and --sweep expanded into a list of runs.
 *
 * Invariant: a plan is fully validated when sim_plan_new() returns it —
 * every seed list well-formed and free of duplicates, every swept name and
 * value accepted by the scenario parser at every point — so a batch never
 * creates a directory for input it will reject.  Runs are ordered
 * point-major, seed-minor; points in the cartesian order of the --sweep
 * options as given (the first --sweep varies slowest), seeds as given.
 * Results are ordered by sim-results.c, not by this order.
 *
 * Cost: one scenario parse per sweep point (a churn trace is read once
 * per point); O(runs) memory.
 */
#include "sim-cli.h"
#include "sim-scenario.h"
#include "sim-seed-list.h"

#include <stdio.h>
#include <string.h>

typedef struct
{
  char *name;
  GPtrArray *values; /* char *, as written (trimmed) */
} Axis;

struct _SimPlan
{
  char *scenario;
  char *name;
  char *describe;
  GArray *seeds;    /* guint64, --seeds order; empty without --seeds */
  GPtrArray *axes;  /* Axis */
  GArray *runs;     /* SimPlanRun; their strings live in `owned` */
  GPtrArray *owned; /* everything the runs point into */
  GPtrArray *sets;  /* char *: the --set values */
  GPtrArray *point_dirs; /* char *, one per point; NULL without --sweep */
  GPtrArray *point_sets; /* GStrv, one per point: its swept NAME=VALUE */
};

static void
axis_free (gpointer p)
{
  Axis *a = p;
  g_free (a->name);
  g_ptr_array_unref (a->values);
  g_free (a);
}

void
sim_plan_free (SimPlan *plan)
{
  if (plan == NULL)
    return;
  g_free (plan->scenario);
  g_free (plan->name);
  g_free (plan->describe);
  g_array_unref (plan->seeds);
  g_ptr_array_unref (plan->axes);
  g_array_unref (plan->runs);
  g_ptr_array_unref (plan->owned);
  g_ptr_array_unref (plan->sets);
  g_ptr_array_unref (plan->point_dirs);
  g_ptr_array_unref (plan->point_sets);
  g_free (plan);
}


/* A whole decimal number 0 .. 2^64-1, digits only. */
static gboolean
parse_u64 (const char *s, guint64 *out)
{
  if (*s == '\0' || strspn (s, "0123456789") != strlen (s))
    return FALSE;
  return g_ascii_string_to_unsigned (s, 10, 0, G_MAXUINT64, out, NULL);
}

gboolean
sim_plan_parse_count (const char *text, guint64 *out)
{
  g_return_val_if_fail (text != NULL && out != NULL, FALSE);
  return parse_u64 (text, out);
}

gboolean
sim_plan_parse_seed (const char *text, guint64 *seed, GError **error)
{
  g_return_val_if_fail (text != NULL && seed != NULL, FALSE);
  if (!parse_u64 (text, seed))
    return sim_cli_input_error (error,
                                "--seed: '%s' is not a seed (a whole number "
                                "0 .. 2^64-1 = 18446744073709551615)",
                                text);
  return TRUE;
}

static int
cmp_u64 (gconstpointer a, gconstpointer b)
{
  guint64 x = *(const guint64 *)a, y = *(const guint64 *)b;
  return x < y ? -1 : x > y;
}

/* Parses "A..B", "A,B,C" and mixtures into seeds (appended), with the
 * grammar and messages of the scenario's `seeds = LIST` (sim-seed-list.h). */
static gboolean
parse_seeds (const char *spec, GArray *seeds, GError **error)
{
  g_autofree char *msg = NULL;
  if (sim_seed_list_parse (spec, SIM_PLAN_MAX_RUNS, seeds, &msg, NULL, NULL)
      != SIM_SEED_LIST_OK)
    return sim_cli_input_error (error, "--seeds: %s", msg);
  return TRUE;
}

/* A parameter or variable name, or expect.METRIC. */
static gboolean
is_sweep_name (const char *s)
{
  if (g_str_has_prefix (s, "expect."))
    s += strlen ("expect.");
  if (!g_ascii_isalpha (*s) && *s != '_')
    return FALSE;
  for (s++; *s != '\0'; s++)
    if (!g_ascii_isalnum (*s) && *s != '_' && *s != '.')
      return FALSE;
  return TRUE;
}

/* The name of a "NAME=VALUE" --set argument, trimmed. */
static char *
set_name (const char *set)
{
  const char *eq = strchr (set, '=');
  g_autofree char *n
      = g_strndup (set, eq != NULL ? (gsize)(eq - set) : strlen (set));
  return g_strdup (g_strstrip (n));
}

static Axis *
parse_sweep (const char *spec, GError **error)
{
  const char *eq = strchr (spec, '=');
  if (eq == NULL)
    {
      sim_cli_input_error (error, "--sweep: '%s': expected NAME=V1,V2,...", spec);
      return NULL;
    }
  g_autofree char *name = g_strndup (spec, (gsize)(eq - spec));
  g_strstrip (name);
  if (*name == '\0')
    {
      sim_cli_input_error (error, "--sweep: '%s': missing parameter name before '='", spec);
      return NULL;
    }
  if (!is_sweep_name (name))
    {
      sim_cli_input_error (error, "--sweep: '%s' is not a parameter or variable name", name);
      return NULL;
    }
  if (g_str_equal (name, "seed"))
    {
      sim_cli_input_error (error, "--sweep: sweep seeds with --seeds, not --sweep seed=...");
      return NULL;
    }
  g_autofree char *rest = g_strstrip (g_strdup (eq + 1));
  if (*rest == '\0')
    {
      sim_cli_input_error (error, "--sweep: '%s': no values after '=' (write %s=V1,V2,...)",
            spec, name);
      return NULL;
    }
  Axis *a = g_new0 (Axis, 1);
  a->name = g_steal_pointer (&name);
  a->values = g_ptr_array_new_with_free_func (g_free);
  g_auto (GStrv) items = g_strsplit (rest, ",", -1);
  for (guint i = 0; items[i] != NULL; i++)
    {
      char *v = g_strstrip (items[i]);
      if (*v == '\0')
        {
          sim_cli_input_error (error, "--sweep: '%s': empty value", spec);
          axis_free (a);
          return NULL;
        }
      if (strpbrk (v, "\t\n\r") != NULL)
        {
          sim_cli_input_error (error,
                "--sweep: '%s': values cannot contain tabs or line "
                "breaks",
                spec);
          axis_free (a);
          return NULL;
        }
      for (guint k = 0; k < a->values->len; k++)
        if (g_str_equal (a->values->pdata[k], v))
          {
            sim_cli_input_error (error, "--sweep: '%s': value '%s' is listed twice", spec, v);
            axis_free (a);
            return NULL;
          }
      g_ptr_array_add (a->values, g_strdup (v));
    }
  return a;
}

/* Strips the "--set:K:C: " position the scenario parser puts on override
 * errors; *k gets K (1-based), or 0 when there is no such prefix. */
static const char *
strip_set_position (const char *msg, guint *k)
{
  *k = 0;
  if (!g_str_has_prefix (msg, "--set:"))
    return msg;
  const char *p = msg + strlen ("--set:");
  char *end;
  guint64 idx = g_ascii_strtoull (p, &end, 10);
  if (end == p || *end != ':')
    return msg;
  p = end + 1;
  g_ascii_strtoull (p, &end, 10);
  if (end == p || end[0] != ':' || end[1] != ' ')
    return msg;
  *k = (guint)idx;
  return end + 2;
}

/* Loads the scenario with the fixed overrides, the swept values of one
 * point and the seed, reporting a rejected value as "--sweep NAME=VALUE:
 * message" (the parser's "--set:K:C:" position stripped). */
static gboolean
check_point (const char *scenario, const char *const *fixed, guint n_fixed,
             const char *const *point_sets, guint n_axes, const char *seed_set,
             const char *dir, GError **error)
{
  g_autoptr (GPtrArray) ov = g_ptr_array_new ();
  for (guint k = 0; k < n_fixed; k++)
    g_ptr_array_add (ov, (gpointer)fixed[k]);
  for (guint a = 0; a < n_axes; a++)
    g_ptr_array_add (ov, (gpointer)point_sets[a]);
  if (seed_set != NULL)
    g_ptr_array_add (ov, (gpointer)seed_set);
  g_ptr_array_add (ov, NULL);
  g_autoptr (GError) perr = NULL;
  g_autoptr (SimScenario) sc
      = sim_scenario_load (scenario, (const char *const *)ov->pdata, &perr);
  if (sc != NULL)
    return TRUE;
  guint k;
  const char *msg = strip_set_position (perr->message, &k);
  if (k > n_fixed && k <= n_fixed + n_axes)
    return sim_cli_input_error (error, "--sweep %s: %s", point_sets[k - n_fixed - 1], msg);
  return sim_cli_input_error (error, "--sweep point %s: %s", dir, perr->message);
}

static char *
own (SimPlan *plan, char *s)
{
  g_ptr_array_add (plan->owned, s);
  return s;
}

static void
add_run (SimPlan *plan, guint point, const char *point_dir,
         const char *const *sets, const char *const *point_sets,
         gboolean has_seed, guint64 seed, gboolean seed_dir,
         gboolean no_lookups)
{
  GPtrArray *args = g_ptr_array_new ();
  if (no_lookups)
    g_ptr_array_add (args, "--no-lookups-csv");
  for (guint i = 0; sets != NULL && sets[i] != NULL; i++)
    {
      g_ptr_array_add (args, "--set");
      g_ptr_array_add (args, own (plan, g_strdup (sets[i])));
    }
  for (guint i = 0; point_sets != NULL && point_sets[i] != NULL; i++)
    {
      g_ptr_array_add (args, "--set");
      g_ptr_array_add (args, own (plan, g_strdup (point_sets[i])));
    }
  if (has_seed)
    {
      g_ptr_array_add (args, "--seed");
      g_ptr_array_add (
          args, own (plan, g_strdup_printf ("%" G_GUINT64_FORMAT, seed)));
    }
  g_ptr_array_add (args, NULL);
  g_ptr_array_add (plan->owned, args->pdata);
  g_ptr_array_free (args, FALSE);

  SimPlanRun r = { 0 };
  r.point = point;
  r.has_seed = has_seed;
  r.seed = seed;
  r.args = (const char *const *)plan->owned->pdata[plan->owned->len - 1];
  g_autofree char *sd
      = seed_dir ? g_strdup_printf ("seed-%" G_GUINT64_FORMAT, seed) : NULL;
  if (point_dir != NULL && sd != NULL)
    r.reldir = own (plan, g_build_filename (point_dir, sd, NULL));
  else
    r.reldir = own (plan, g_strdup (point_dir != NULL ? point_dir : sd));
  g_array_append_val (plan->runs, r);
}

SimPlan *
sim_plan_new (const char *scenario, const char *const *sets, const char *seeds,
              const char *const *sweeps, gboolean has_seed_opt, guint64 seed,
              gboolean no_lookups, GError **error)
{
  g_return_val_if_fail (scenario != NULL, NULL);
  g_autoptr (SimPlan) plan = g_new0 (SimPlan, 1);
  plan->scenario = g_strdup (scenario);
  plan->seeds = g_array_new (FALSE, FALSE, sizeof (guint64));
  plan->axes = g_ptr_array_new_with_free_func (axis_free);
  plan->runs = g_array_new (FALSE, TRUE, sizeof (SimPlanRun));
  plan->owned = g_ptr_array_new_with_free_func (g_free);
  plan->sets = g_ptr_array_new_with_free_func (g_free);
  plan->point_dirs = g_ptr_array_new_with_free_func (g_free);
  plan->point_sets = g_ptr_array_new_with_free_func ((GDestroyNotify)g_strfreev);
  guint n_sets = sets != NULL ? g_strv_length ((char **)sets) : 0;
  gboolean set_seed = FALSE; /* --set seed=... */
  for (guint k = 0; k < n_sets; k++)
    {
      g_autofree char *n = set_name (sets[k]);
      g_ptr_array_add (plan->sets, g_strdup (sets[k]));
      set_seed |= g_str_equal (n, "seed");
    }

  if (seeds != NULL)
    {
      if (has_seed_opt)
        {
          sim_cli_input_error (error, "--seeds: cannot be combined with --seed");
          return NULL;
        }
      if (!parse_seeds (seeds, plan->seeds, error))
        return NULL;
    }
  for (guint i = 0; sweeps != NULL && sweeps[i] != NULL; i++)
    {
      Axis *a = parse_sweep (sweeps[i], error);
      if (a == NULL)
        return NULL;
      g_ptr_array_add (plan->axes, a);
      for (guint k = 0; k + 1 < plan->axes->len; k++)
        if (g_str_equal (((Axis *)plan->axes->pdata[k])->name, a->name))
          {
            sim_cli_input_error (error, "--sweep: '%s' is swept twice", a->name);
            return NULL;
          }
      for (guint k = 0; k < n_sets; k++)
        {
          g_autofree char *n = set_name (sets[k]);
          if (g_str_equal (n, a->name))
            {
              sim_cli_input_error (error, "--sweep: '%s' is also given with --set", n);
              return NULL;
            }
        }
    }
  for (guint k = 0; k < n_sets && plan->seeds->len > 0; k++)
    {
      g_autofree char *n = set_name (sets[k]);
      if (g_str_equal (n, "seed"))
        {
          sim_cli_input_error (error, "--seeds: cannot be combined with --set seed=...");
          return NULL;
        }
    }

  /* The scenario with the --set overrides alone: its errors read exactly
   * as those of a single run.  Without --seeds, --seed and --set seed=...,
   * the seeds it declares make the batch. */
  {
    g_autoptr (GPtrArray) ov0 = g_ptr_array_new ();
    for (guint k = 0; k < n_sets; k++)
      g_ptr_array_add (ov0, (gpointer)sets[k]);
    g_ptr_array_add (ov0, NULL);
    g_autoptr (SimScenario) sc
        = sim_scenario_load (scenario, (const char *const *)ov0->pdata, error);
    if (sc == NULL || !sim_cli_check_expects (sc, error))
      return NULL;
    plan->name = g_strdup (sim_scenario_name (sc));
    guint n_declared;
    const guint64 *declared = sim_scenario_seeds (sc, &n_declared);
    if (seeds == NULL && !has_seed_opt && !set_seed && n_declared > 0)
      g_array_append_vals (plan->seeds, declared, n_declared);
    /* A claim about an interval needs one. */
    for (guint i = 0; plan->seeds->len == 1 && i < sim_scenario_n_expects (sc);
         i++)
      {
        const SimExpect *e = sim_scenario_expect (sc, i);
        if (e->confidence > 0)
          {
            sim_cli_input_error (error,
                                 "--seeds: one seed cannot judge 'expect %s "
                                 "... confidence' (%s:%u:%u): a confidence "
                                 "interval needs at least 2 seeds",
                                 e->metric, sim_scenario_display_name (sc),
                                 e->line, e->col);
            return NULL;
          }
      }
  }

  guint64 n_points = 1;
  for (guint i = 0; i < plan->axes->len; i++)
    {
      n_points *= ((Axis *)plan->axes->pdata[i])->values->len;
      if (n_points > SIM_PLAN_MAX_RUNS)
        break;
    }
  guint64 per_point = MAX (plan->seeds->len, 1);
  if (n_points * per_point > SIM_PLAN_MAX_RUNS)
    {
      sim_cli_input_error (error, "%s: more than %d runs",
            plan->axes->len > 0 ? "--sweep" : "--seeds", SIM_PLAN_MAX_RUNS);
      return NULL;
    }

  gboolean has_seed = plan->seeds->len > 0 || has_seed_opt;
  guint64 first_seed = plan->seeds->len > 0
                           ? g_array_index (plan->seeds, guint64, 0)
                           : seed;
  g_autoptr (GPtrArray) ov = g_ptr_array_new_with_free_func (g_free);
  for (guint k = 0; k < n_sets; k++)
    g_ptr_array_add (ov, g_strdup (sets[k]));
  guint n_fixed = ov->len;
  if (has_seed)
    g_ptr_array_add (ov,
                     g_strdup_printf ("seed=%" G_GUINT64_FORMAT, first_seed));
  g_ptr_array_add (ov, NULL);
  g_ptr_array_set_size (ov, n_fixed);

  /* Every point, in cartesian order (odometer, last axis fastest). */
  guint n_axes = plan->axes->len;
  g_autofree guint *idx = g_new0 (guint, MAX (n_axes, 1));
  g_autofree const char **names = g_new0 (const char *, n_axes + 1);
  g_autofree const char **values = g_new0 (const char *, n_axes + 1);
  g_autofree char *seed_set
      = has_seed ? g_strdup_printf ("seed=%" G_GUINT64_FORMAT, first_seed)
                 : NULL;
  for (guint p = 0; p < n_points; p++)
    {
      g_autofree char *dir = NULL;
      g_auto (GStrv) point_sets = g_new0 (char *, n_axes + 1);
      for (guint a = 0; a < n_axes; a++)
        {
          Axis *ax = plan->axes->pdata[a];
          names[a] = ax->name;
          values[a] = ax->values->pdata[idx[a]];
          point_sets[a] = g_strdup_printf ("%s=%s", names[a], values[a]);
        }
      if (n_axes > 0)
        {
          dir = sim_point_dir_name (names, values, n_axes);
          if (dir == NULL)
            {
              sim_cli_input_error (error,
                    "--sweep: the directory name of point %s... "
                    "would exceed 255 bytes",
                    point_sets[0]);
              return NULL;
            }
          if (!check_point (scenario, (const char *const *)ov->pdata, n_fixed,
                            (const char *const *)point_sets, n_axes, seed_set,
                            dir, error))
            return NULL;
        }
      g_ptr_array_add (plan->point_dirs, g_strdup (dir));
      g_ptr_array_add (plan->point_sets, g_strdupv (point_sets));
      if (plan->seeds->len > 0)
        for (guint s = 0; s < plan->seeds->len; s++)
          add_run (plan, p, dir, sets, (const char *const *)point_sets, TRUE,
                   g_array_index (plan->seeds, guint64, s), TRUE, no_lookups);
      else
        add_run (plan, p, dir, sets, (const char *const *)point_sets,
                 has_seed_opt, seed, FALSE, no_lookups);
      /* Advance the odometer. */
      for (guint a = n_axes; a-- > 0;)
        {
          if (++idx[a] < ((Axis *)plan->axes->pdata[a])->values->len)
            break;
          idx[a] = 0;
        }
    }

  if (plan->seeds->len > 0)
    {
      g_autoptr (GArray) sorted = g_array_copy (plan->seeds);
      g_array_sort (sorted, cmp_u64);
      g_autofree char *list = sim_seed_list_format (
          (const guint64 *)(void *)sorted->data, sorted->len);
      if (n_axes > 0)
        plan->describe
            = g_strdup_printf ("%" G_GUINT64_FORMAT " points x %u seeds (%s)",
                               n_points, plan->seeds->len, list);
      else
        plan->describe
            = g_strdup_printf ("%u seed%s (%s)", plan->seeds->len,
                               plan->seeds->len == 1 ? "" : "s", list);
    }
  else
    plan->describe = g_strdup_printf ("%" G_GUINT64_FORMAT " point%s", n_points,
                                      n_points == 1 ? "" : "s");
  return g_steal_pointer (&plan);
}

guint
sim_plan_n_runs (const SimPlan *plan)
{
  g_return_val_if_fail (plan != NULL, 0);
  return plan->runs->len;
}

const SimPlanRun *
sim_plan_run (const SimPlan *plan, guint i)
{
  g_return_val_if_fail (plan != NULL && i < plan->runs->len, NULL);
  return &g_array_index (plan->runs, SimPlanRun, i);
}

const char *
sim_plan_scenario (const SimPlan *plan)
{
  g_return_val_if_fail (plan != NULL, NULL);
  return plan->scenario;
}

const char *
sim_plan_name (const SimPlan *plan)
{
  g_return_val_if_fail (plan != NULL, NULL);
  return plan->name;
}

const char *
sim_plan_describe (const SimPlan *plan)
{
  g_return_val_if_fail (plan != NULL, NULL);
  return plan->describe;
}

gboolean
sim_plan_has_sweep (const SimPlan *plan)
{
  g_return_val_if_fail (plan != NULL, FALSE);
  return plan->axes->len > 0;
}

gboolean
sim_plan_has_seeds (const SimPlan *plan)
{
  g_return_val_if_fail (plan != NULL, FALSE);
  return plan->seeds->len > 0;
}

guint
sim_plan_n_points (const SimPlan *plan)
{
  g_return_val_if_fail (plan != NULL, 0);
  return plan->point_dirs->len;
}

const char *
sim_plan_point_dir (const SimPlan *plan, guint p)
{
  g_return_val_if_fail (plan != NULL && p < plan->point_dirs->len, NULL);
  return plan->point_dirs->pdata[p];
}

SimScenario *
sim_plan_load_point (const SimPlan *plan, guint p, GError **error)
{
  g_return_val_if_fail (plan != NULL && p < plan->point_sets->len, NULL);
  g_autoptr (GPtrArray) ov = g_ptr_array_new ();
  for (guint k = 0; k < plan->sets->len; k++)
    g_ptr_array_add (ov, plan->sets->pdata[k]);
  char **ps = plan->point_sets->pdata[p];
  for (guint k = 0; ps[k] != NULL; k++)
    g_ptr_array_add (ov, ps[k]);
  g_ptr_array_add (ov, NULL);
  return sim_scenario_load (plan->scenario, (const char *const *)ov->pdata,
                            error);
}

static gboolean
is_plain (char c)
{
  return g_ascii_isalnum (c) || c == '.' || c == '_' || c == '+' || c == '-';
}

char *
sim_point_dir_name (const char *const *names, const char *const *values,
                    guint n)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (s, ',');
      g_string_append_printf (s, "%s=", names[i]);
      for (const char *p = values[i]; *p != '\0'; p++)
        if (is_plain (*p))
          g_string_append_c (s, *p);
        else
          g_string_append_printf (s, "%%%02X", (guint)(guchar)*p);
    }
  if (s->len > 255)
    {
      g_string_free (s, TRUE);
      return NULL;
    }
  return g_string_free (s, FALSE);
}

gboolean
sim_point_dir_parse (const char *dirname, GPtrArray *names, GPtrArray *values)
{
  g_auto (GStrv) pairs = g_strsplit (dirname, ",", -1);
  guint added = 0;
  gboolean ok = pairs[0] != NULL;
  for (guint i = 0; ok && pairs[i] != NULL; i++)
    {
      char *eq = strchr (pairs[i], '=');
      if (eq == NULL || eq == pairs[i] || eq[1] == '\0')
        {
          ok = FALSE;
          break;
        }
      *eq = '\0';
      if (!is_sweep_name (pairs[i]))
        {
          ok = FALSE;
          break;
        }
      GString *v = g_string_new (NULL);
      for (const char *p = eq + 1; *p != '\0'; p++)
        {
          if (*p == '%' && g_ascii_isxdigit (p[1]) && g_ascii_isxdigit (p[2]))
            {
              g_string_append_c (v, (char)(g_ascii_xdigit_value (p[1]) * 16
                                           + g_ascii_xdigit_value (p[2])));
              p += 2;
            }
          else if (is_plain (*p))
            g_string_append_c (v, *p);
          else
            ok = FALSE;
        }
      g_ptr_array_add (names, g_strdup (pairs[i]));
      g_ptr_array_add (values, g_string_free (v, FALSE));
      added++;
    }
  if (!ok)
    {
      for (; added > 0; added--)
        {
          g_ptr_array_remove_index (names, names->len - 1);
          g_ptr_array_remove_index (values, values->len - 1);
        }
    }
  return ok;
}
