/* sim-param.c — the parameter registry and the language's own parameters
 * (see sim-param.h).
 *
 * Invariant: `params` holds every spec of every group, sorted by (rank,
 * with 0 after all others; registration sequence), and `index` maps each
 * name to its position there.  Both are rebuilt by each add; a registry
 * holds a few dozen parameters and gets a handful of groups once per
 * process, so the sort costs nothing worth a cleverer structure.  The hash
 * table is only looked up, never iterated: every order comes from the
 * arrays.
 */
#include "sim-param.h"

#include <string.h>

/* ---------------------------------------------------------------------- */
/* The language's own parameters                                          */

static const char *const key_choices[] = { "node", "random", NULL };

/* Ranks: see SimParamSpec.rank. */
static const SimParamSpec language_specs[] = {
  { .name = "name",
    .type = SIM_PARAM_NAME,
    .def = NULL,
    .rank = 1,
    .doc = "scenario name used for output; default: the file name "
           "without .scn" },
  { .name = "seed",
    .type = SIM_PARAM_UINT,
    .def = "1",
    .umin = 0,
    .umax = G_MAXUINT64,
    .rank = 2,
    .doc = "master seed of every random stream" },
  { .name = "lookup_key",
    .type = SIM_PARAM_ENUM,
    .def = "node",
    .choices = key_choices,
    .rank = 17,
    .doc = "default key mode of lookup actions (node or random)" },
  { .name = "timeline_interval",
    .type = SIM_PARAM_TIME,
    .def = "10s",
    .umin = 1,
    .umax = G_MAXUINT64,
    .rank = 37,
    .doc = "width of the time buckets of the timeline output" },
};

const SimParamGroup sim_param_language_group = {
  .name = "language",
  .doc = "the scenario language's own: naming, seeding, lookup keys, "
         "timeline",
  .defined_in = "sim/scenario/sim-param.c",
  .specs = language_specs,
  .n_specs = G_N_ELEMENTS (language_specs),
  .check = NULL,
};

/* ---------------------------------------------------------------------- */
/* The registry                                                           */

typedef struct
{
  const SimParamSpec *spec;
  guint group; /* index into groups */
  guint seq;   /* registration sequence over all groups */
} Entry;

struct _SimParamRegistry
{
  GPtrArray *groups;  /* const SimParamGroup *, borrowed */
  GArray *params;     /* Entry, resolved order */
  GHashTable *index;  /* name (borrowed) -> position + 1 */
  gboolean installed; /* immutable from then on */
};

static int
entry_cmp (gconstpointer a, gconstpointer b)
{
  const Entry *x = a, *y = b;
  guint rx = x->spec->rank != 0 ? x->spec->rank : G_MAXUINT;
  guint ry = y->spec->rank != 0 ? y->spec->rank : G_MAXUINT;
  if (rx != ry)
    return rx < ry ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq ? 1 : 0;
}

SimParamRegistry *
sim_param_registry_new (void)
{
  SimParamRegistry *reg = g_new0 (SimParamRegistry, 1);
  reg->groups = g_ptr_array_new ();
  reg->params = g_array_new (FALSE, FALSE, sizeof (Entry));
  reg->index = g_hash_table_new (g_str_hash, g_str_equal);
  if (!sim_param_registry_add (reg, &sim_param_language_group))
    g_error ("sim_param_registry_new: the language group is invalid");
  return reg;
}

void
sim_param_registry_free (SimParamRegistry *reg)
{
  if (reg == NULL)
    return;
  g_return_if_fail (!reg->installed);
  g_ptr_array_unref (reg->groups);
  g_array_unref (reg->params);
  g_hash_table_unref (reg->index);
  g_free (reg);
}

/* The registered parameter that already uses @rank, or NULL. */
static const Entry *
find_rank (const SimParamRegistry *reg, guint rank)
{
  for (guint i = 0; i < reg->params->len; i++)
    {
      const Entry *e = &g_array_index (reg->params, Entry, i);
      if (e->spec->rank == rank)
        return e;
    }
  return NULL;
}

/* Checks @group against itself and @reg; a critical for the first
 * problem. */
static gboolean
group_is_valid (const SimParamRegistry *reg, const SimParamGroup *group)
{
  for (guint g = 0; g < reg->groups->len; g++)
    if (strcmp (((const SimParamGroup *) reg->groups->pdata[g])->name,
                group->name)
        == 0)
      {
        g_critical ("sim_param_registry_add: group '%s' is already "
                    "registered",
                    group->name);
        return FALSE;
      }
  for (guint i = 0; i < group->n_specs; i++)
    {
      const SimParamSpec *s = &group->specs[i];
      gpointer pos;
      const Entry *other;

      if (s->name == NULL || s->doc == NULL
          || (s->type == SIM_PARAM_ENUM && s->choices == NULL))
        {
          g_critical ("sim_param_registry_add: group '%s': parameter %u "
                      "lacks a name, a doc or (enum) its choices",
                      group->name, i);
          return FALSE;
        }
      pos = g_hash_table_lookup (reg->index, s->name);
      if (pos != NULL)
        {
          const Entry *e
              = &g_array_index (reg->params, Entry, GPOINTER_TO_UINT (pos) - 1);
          const SimParamGroup *owner = reg->groups->pdata[e->group];
          g_critical ("sim_param_registry_add: group '%s': parameter '%s' "
                      "is already registered by group '%s'",
                      group->name, s->name, owner->name);
          return FALSE;
        }
      other = s->rank != 0 ? find_rank (reg, s->rank) : NULL;
      if (other != NULL)
        {
          g_critical ("sim_param_registry_add: group '%s': parameter '%s' "
                      "has rank %u, already given to '%s'",
                      group->name, s->name, s->rank, other->spec->name);
          return FALSE;
        }
      for (guint k = 0; k < i; k++)
        {
          if (strcmp (group->specs[k].name, s->name) == 0)
            {
              g_critical ("sim_param_registry_add: group '%s': parameter "
                          "'%s' is listed twice",
                          group->name, s->name);
              return FALSE;
            }
          if (s->rank != 0 && group->specs[k].rank == s->rank)
            {
              g_critical ("sim_param_registry_add: group '%s': parameter "
                          "'%s' has rank %u, already given to '%s'",
                          group->name, s->name, s->rank, group->specs[k].name);
              return FALSE;
            }
        }
    }
  return TRUE;
}

gboolean
sim_param_registry_add (SimParamRegistry *reg, const SimParamGroup *group)
{
  guint seq;

  g_return_val_if_fail (reg != NULL, FALSE);
  g_return_val_if_fail (group != NULL && group->name != NULL, FALSE);
  g_return_val_if_fail (group->specs != NULL || group->n_specs == 0, FALSE);
  g_return_val_if_fail (!reg->installed, FALSE);
  if (!group_is_valid (reg, group))
    return FALSE;

  seq = reg->params->len;
  for (guint i = 0; i < group->n_specs; i++)
    {
      Entry e = { &group->specs[i], reg->groups->len, seq + i };
      g_array_append_val (reg->params, e);
    }
  g_ptr_array_add (reg->groups, (gpointer) group);
  g_array_sort (reg->params, entry_cmp);
  g_hash_table_remove_all (reg->index);
  for (guint i = 0; i < reg->params->len; i++)
    g_hash_table_insert (
        reg->index, (gpointer) g_array_index (reg->params, Entry, i).spec->name,
        GUINT_TO_POINTER (i + 1));
  return TRUE;
}

guint
sim_param_registry_n_params (const SimParamRegistry *reg)
{
  g_return_val_if_fail (reg != NULL, 0);
  return reg->params->len;
}

const SimParamSpec *
sim_param_registry_spec (const SimParamRegistry *reg, guint i)
{
  g_return_val_if_fail (reg != NULL, NULL);
  g_return_val_if_fail (i < reg->params->len, NULL);
  return g_array_index (reg->params, Entry, i).spec;
}

int
sim_param_registry_find (const SimParamRegistry *reg, const char *name)
{
  g_return_val_if_fail (reg != NULL, -1);
  g_return_val_if_fail (name != NULL, -1);
  return (int) GPOINTER_TO_UINT (g_hash_table_lookup (reg->index, name)) - 1;
}

guint
sim_param_registry_n_groups (const SimParamRegistry *reg)
{
  g_return_val_if_fail (reg != NULL, 0);
  return reg->groups->len;
}

const SimParamGroup *
sim_param_registry_group (const SimParamRegistry *reg, guint i)
{
  g_return_val_if_fail (reg != NULL, NULL);
  g_return_val_if_fail (i < reg->groups->len, NULL);
  return reg->groups->pdata[i];
}

const char *
sim_param_type_name (const SimParamSpec *spec)
{
  g_return_val_if_fail (spec != NULL, NULL);
  switch (spec->type)
    {
    case SIM_PARAM_UINT:
      return "int";
    case SIM_PARAM_DOUBLE:
      return "double";
    case SIM_PARAM_TIME:
      return "time";
    case SIM_PARAM_STRING:
    case SIM_PARAM_NAME:
    case SIM_PARAM_TIMEOUT:
      return "string";
    case SIM_PARAM_ENUM:
      return "enum";
    case SIM_PARAM_PATH:
      return "path";
    default:
      g_return_val_if_reached (NULL);
    }
}

/* ---------------------------------------------------------------------- */
/* Description                                                            */

static void
describe_spec (const SimParamSpec *spec, GString *out)
{
  g_autofree char *range = NULL;
  const char *def = spec->def == NULL                 ? "(file name)"
                    : g_str_equal (spec->def, "\"\"") ? "(unset)"
                                                      : spec->def;
  switch (spec->type)
    {
    case SIM_PARAM_UINT:
      range = spec->umax == G_MAXUINT64
                  ? g_strdup_printf (">= %" G_GUINT64_FORMAT, spec->umin)
                  : g_strdup_printf (
                      "%" G_GUINT64_FORMAT "..%" G_GUINT64_FORMAT "%s",
                      spec->umin, spec->umax,
                      (spec->flags & SIM_PARAM_EVEN) ? ", even" : "");
      break;
    case SIM_PARAM_DOUBLE:
      if (spec->flags & SIM_PARAM_MIN_EXCLUSIVE)
        range = g_strdup_printf ("> %g", spec->dmin);
      else
        range = g_strdup_printf ("%g..%g", spec->dmin, spec->dmax);
      break;
    case SIM_PARAM_TIME:
      range = g_strdup (spec->umin == 0 ? ">= 0" : "> 0");
      break;
    case SIM_PARAM_TIMEOUT:
      range = g_strdup ("rtt or a time > 0");
      break;
    case SIM_PARAM_ENUM:
      range = g_strjoinv ("|", (char **) spec->choices);
      break;
    default:
      range = NULL;
      break;
    }
  g_string_append_printf (
      out, "%-19s %-7s %-12s %s%s%s\n", spec->name, sim_param_type_name (spec),
      def, range != NULL ? range : "", range != NULL ? "; " : "", spec->doc);
}

void
sim_param_registry_describe (const SimParamRegistry *reg, GString *out)
{
  g_return_if_fail (reg != NULL);
  g_return_if_fail (out != NULL);
  g_string_append_printf (out, "%-19s %-7s %-12s %s\n", "PARAMETER", "TYPE",
                          "DEFAULT", "RANGE / DESCRIPTION");
  for (guint g = 0; g < reg->groups->len; g++)
    {
      const SimParamGroup *group = reg->groups->pdata[g];
      g_string_append_printf (out, "\n%s: %s (defined in %s)\n", group->name,
                              group->doc, group->defined_in);
      for (guint i = 0; i < group->n_specs; i++)
        describe_spec (&group->specs[i], out);
    }
}

/* ---------------------------------------------------------------------- */
/* The installed registry                                                 */

/* Written once (compare-and-exchange from NULL), then only read. */
static SimParamRegistry *installed;

void
sim_scenario_install_params (SimParamRegistry *reg)
{
  g_return_if_fail (reg != NULL);
  g_return_if_fail (!reg->installed);
  reg->installed = TRUE;
  if (!g_atomic_pointer_compare_and_exchange (&installed, NULL, reg))
    {
      reg->installed = FALSE;
      sim_param_registry_free (reg);
      g_critical ("sim_scenario_install_params: parameters are already "
                  "installed");
    }
}

const SimParamRegistry *
sim_scenario_installed_params (void)
{
  return g_atomic_pointer_get (&installed);
}
