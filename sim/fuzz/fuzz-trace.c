/* fuzz-trace.c — fuzz target of the churn trace parser.
 *
 * On success the trace must satisfy the invariants of sim-trace.h: rows
 * sorted by join time, join < leave, the sessions of one node disjoint
 * and separated by a positive down time, and sim_trace_n_nodes() equal to
 * the number of distinct names.  On failure the error must be a
 * SIM_TRACE_ERROR whose position lies inside the input.
 */
#include "fuzz-targets.h"

#include <string.h>

#include "sim-trace.h"

#define DISPLAY_NAME "fuzz-trace.txt"

/* A node's name as a hash key: "i<index>" or "x<32 hex digits>". */
static char *
node_key (const SimTraceRow *r)
{
  GString *s;

  if (!r->has_id)
    return g_strdup_printf ("i%" G_GUINT64_FORMAT, r->index);
  s = g_string_new ("x");
  for (guint k = 0; k < 16; k++)
    g_string_append_printf (s, "%02x", r->id[k]);
  return g_string_free (s, FALSE);
}

static void
check_invariants (const SimTrace *t, gsize len)
{
  g_autoptr (GHashTable) last_leave
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  guint n = sim_trace_n_rows (t);
  SimTime prev_join = 0;

  FUZZ_CHECK (n >= 1);
  FUZZ_CHECK (strcmp (sim_trace_path (t), DISPLAY_NAME) == 0);
  for (guint i = 0; i < n; i++)
    {
      const SimTraceRow *r = sim_trace_row (t, i);
      char *key = node_key (r);
      SimTime *leave = g_hash_table_lookup (last_leave, key);

      FUZZ_CHECK (r->join >= prev_join);
      prev_join = r->join;
      FUZZ_CHECK (r->join < r->leave && r->join < SIM_TIME_MAX);
      FUZZ_CHECK (r->line >= 1 && r->line <= len + 1);
      if (r->has_id)
        FUZZ_CHECK (r->index == 0);
      else
        for (guint k = 0; k < 16; k++)
          FUZZ_CHECK (r->id[k] == 0);
      if (leave != NULL)
        {
          /* The previous session of this node ended before this join. */
          FUZZ_CHECK (*leave < r->join);
          *leave = r->leave;
          g_free (key);
        }
      else
        {
          leave = g_new (SimTime, 1);
          *leave = r->leave;
          g_hash_table_insert (last_leave, key, leave);
        }
    }
  FUZZ_CHECK (sim_trace_n_nodes (t) == g_hash_table_size (last_leave));
}

void
fuzz_trace_one (const guint8 *data, gsize size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SimTrace) t = NULL;

  fuzz_init ();
  t = sim_trace_parse (DISPLAY_NAME, (const char *) data, size, &error);
  fuzz_report ("trace", error);
  if (t != NULL)
    {
      FUZZ_CHECK (error == NULL);
      check_invariants (t, size);
      return;
    }
  FUZZ_CHECK (error != NULL && error->domain == SIM_TRACE_ERROR);
  FUZZ_CHECK (error->code != SIM_TRACE_ERROR_IO);
  fuzz_check_position (error->message, DISPLAY_NAME, (const char *) data,
                       size);
}
