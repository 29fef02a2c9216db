/* sim-workload.c — the action generators' draws (sim-workload.h), shared
 * by the driver's event loop and the live host's wall-clock loop.
 *
 * Invariant: every draw here comes from the generator's own streams or a
 * counter-based stream keyed by the caller's arguments, in a fixed order,
 * and depends on the node life cycle only through the SimNodeView and
 * the counts the caller passes; so two loops that call these functions
 * at the same points of a schedule draw the same numbers.
 *
 * Cost: victim selection and churn start scan every node ever created,
 * O(n) per action (not per event); a lookup's draws are O(1) plus a Zipf
 * sample.  Rejected: a full schedule object driving the caller through a
 * table of life-cycle operations (create, join, take down, arm an event):
 * it would move the two loops' event kinds and life cycles behind one
 * more interface for the same sharing of draws.
 */
#include "sim-workload.h"

#include <math.h>
#include <string.h>

void
sim_action_gen_init (SimActionGen *gen, const SimAction *a, guint64 seed,
                     guint index, guint *phases)
{
  memset (gen, 0, sizeof *gen);
  gen->action = a;
  /* The action's own streams, keyed by its index.  (The first action's
   * ids and positions are those the former shared streams gave.) */
  sim_rng_init (&gen->rng, seed, SIM_RNG_PURPOSE_ACTION, index);
  sim_rng_init (&gen->rng_ids, seed, SIM_RNG_PURPOSE_IDS, index);
  sim_rng_init (&gen->rng_topology, seed, SIM_RNG_PURPOSE_TOPOLOGY, index);
  if (a->kind == SIM_ACTION_LOOKUP)
    gen->phase = (*phases)++;
  if (a->kind == SIM_ACTION_LOOKUP && a->keys == SIM_KEYS_ZIPF)
    sim_zipf_init (&gen->zipf, a->zipf_s, a->zipf_n);
}

void
sim_action_gen_clear (SimActionGen *gen)
{
  if (gen->slots != NULL)
    g_array_free (gen->slots, TRUE);
  gen->slots = NULL;
}

gboolean
sim_action_gen_next_time (SimActionGen *gen, guint64 units, SimTime now,
                          SimTime *t)
{
  const SimAction *a = gen->action;
  switch (a->spread)
    {
    case SIM_SPREAD_AT_ONCE:
      if (gen->done >= units)
        return FALSE;
      *t = MAX (now, a->at);
      return TRUE;
    case SIM_SPREAD_UNIFORM:
      {
        if (gen->done >= units)
          return FALSE;
        /* The next of the remaining order statistics of `units` uniform
         * times in [at, at + over): the minimum of k uniforms over the rest
         * of the span is span * (1 - U^(1/k)). */
        guint64 k = units - gen->done;
        SimTime end = sim_time_add (a->at, a->over);
        SimTime from = MAX (gen->last, a->at);
        double u = sim_rng_double (&gen->rng);
        double frac = 1.0 - pow (1.0 - u, 1.0 / (double) k);
        SimTime next = from + sim_time_from_us (frac * (double) (end - from));
        if (next >= end)
          next = end - 1;
        gen->last = next;
        *t = MAX (next, now);
        return TRUE;
      }
    case SIM_SPREAD_POISSON:
      {
        double gap_s = sim_rng_exponential (&gen->rng, 1.0 / a->rate_per_s);
        SimTime from = gen->done == 0 ? a->at : MAX (gen->last, a->at);
        /* A tiny rate gives a gap beyond SimTime: clamped, not wrapped. */
        SimTime next = sim_time_add (
            from, sim_time_from_us (gap_s * (double) SIM_TIME_S));
        if (next >= sim_time_add (a->at, a->duration))
          return FALSE;
        gen->last = next;
        *t = MAX (next, now);
        return TRUE;
      }
    default:
      return FALSE;
    }
}

guint32 *
sim_node_view_in_session (const SimNodeView *v, guint *n)
{
  guint32 *pool = g_new (guint32, MAX (v->n_nodes, 1));
  *n = 0;
  for (guint32 i = 0; i < v->n_nodes; i++)
    if (v->state (v->data, i) != SIM_NODE_DOWN)
      pool[(*n)++] = i;
  return pool;
}

void
sim_action_gen_select_victims (SimActionGen *gen, const SimNodeView *v,
                               GArray *out)
{
  const SimAction *a = gen->action;
  guint live;
  g_autofree guint32 *pool = sim_node_view_in_session (v, &live);
  guint64 want = a->count;
  switch (a->select)
    {
    case SIM_SELECT_PERCENT:
      want = sim_u64_from_double (round (a->fraction * live));
      if (want == 0 && live > 0)
        want = 1;
      /* fall through */
    case SIM_SELECT_COUNT:
      {
        want = MIN (want, live);
        /* A partial Fisher-Yates over the list. */
        for (guint i = 0; i < want; i++)
          {
            guint32 x = sim_rng_shuffle_step (&gen->rng, pool, live, i);
            g_array_append_val (out, x);
          }
        break;
      }
    case SIM_SELECT_RANGE:
      {
        /* A run of neighbours in the live ring: it starts at a live
         * node. */
        guint n_live = 0;
        for (guint i = 0; i < live; i++)
          if (v->state (v->data, pool[i]) == SIM_NODE_LIVE)
            pool[n_live++] = pool[i];
        if (n_live == 0)
          break;
        want = MIN (want, n_live);
        guint32 first = pool[sim_rng_uniform_u64 (&gen->rng, n_live)];
        g_array_append_val (out, first);
        if (want > 1)
          {
            g_autofree guint32 *after = g_new (guint32, want);
            guint n = v->ring_after (v->data, first, (guint) want - 1, after);
            g_array_append_vals (out, after, n);
          }
        break;
      }
    case SIM_SELECT_INDICES:
      for (guint i = 0; i < a->n_indices; i++)
        if (a->indices[i] < v->n_nodes
            && v->state (v->data, (guint32) a->indices[i]) == SIM_NODE_LIVE)
          {
            guint32 x = (guint32) a->indices[i];
            g_array_append_val (out, x);
          }
      break;
    case SIM_SELECT_ALL:
    default:
      break;
    }
}

void
sim_action_gen_select_rejoiners (SimActionGen *gen, const guint32 *down,
                                 guint n, GArray *out)
{
  const SimAction *a = gen->action;
  guint64 want = a->select == SIM_SELECT_ALL ? n : MIN (a->count, n);
  g_autofree guint32 *pool = g_memdup2 (down, n * sizeof (guint32));
  for (guint i = 0; i < want; i++)
    {
      guint32 x = sim_rng_shuffle_step (&gen->rng, pool, n, i);
      g_array_append_val (out, x);
    }
}

gboolean
sim_action_gen_draw_lookup (const SimActionGen *gen, guint64 seed, SimRng *rng,
                            guint n_live, gboolean draw_source, guint *src_rank,
                            guint *key_rank, SimKey *key)
{
  if (n_live == 0)
    return FALSE;
  if (draw_source)
    *src_rank = (guint) sim_rng_uniform_u64 (rng, n_live);
  *key_rank = G_MAXUINT;
  switch (gen->action->keys)
    {
    case SIM_KEYS_NODE:
      *key_rank = (guint) sim_rng_uniform_u64 (rng, n_live);
      break;
    case SIM_KEYS_RANDOM:
      key->hi = sim_rng_next_u64 (rng);
      key->lo = sim_rng_next_u64 (rng);
      break;
    case SIM_KEYS_ZIPF:
      {
        /* Key k of the fixed population is a pseudo-random id derived
         * from (seed, k) alone, so the population never changes. */
        guint64 rank = sim_zipf_sample (&gen->zipf, rng);
        SimRng kr;
        sim_rng_init (&kr, seed, SIM_RNG_PURPOSE_WORKLOAD, rank + 1);
        key->hi = sim_rng_next_u64 (&kr);
        key->lo = sim_rng_next_u64 (&kr);
        break;
      }
    default:
      g_assert_not_reached ();
    }
  return TRUE;
}

static SimTime
node_lookup_gap (const SimAction *a, SimRng *r)
{
  double s = a->has_every ? sim_dist_sample (&a->every, r)
                          : sim_rng_exponential (r, 1.0 / a->rate_per_s);
  /* At least 1 µs (also for NaN or a non-positive draw); a huge gap (a
   * rate of 1e-300/s) clamps to SIM_TIME_MAX instead of wrapping. */
  return MAX (sim_time_from_us (s * (double) SIM_TIME_S), 1);
}

SimTime
sim_node_lookups_chain (const SimActionGen *gen, guint g, guint64 seed,
                        guint32 x, guint32 incarn, SimTime t,
                        gboolean is_lookup, SimTime now,
                        void (*issue) (gpointer data, SimTime t, SimRng *r),
                        gpointer data)
{
  const SimAction *a = gen->action;
  SimTime end = sim_time_add (a->at, a->duration);
  for (;;)
    {
      guint64 key[4] = { x, incarn, g, t };
      SimRng r;
      sim_rng_init_keyed (&r, seed, SIM_RNG_PURPOSE_NODE_WORKLOAD, key,
                          G_N_ELEMENTS (key));
      if (is_lookup)
        issue (data, t, &r);
      SimTime next = sim_time_add (t, node_lookup_gap (a, &r));
      if (next >= end)
        return SIM_TIME_MAX;
      if (next > now)
        return next;
      t = next;
      is_lookup = TRUE;
    }
}

gboolean
sim_node_lookups_resume (const SimActionGen *gen, gboolean started,
                         SimTime session, SimTime now, SimTime *c)
{
  const SimAction *a = gen->action;
  if (a->kind != SIM_ACTION_LOOKUP || a->spread != SIM_SPREAD_PER_NODE
      || a->at > now || !started)
    return FALSE;
  *c = MAX (session, a->at);
  return *c < sim_time_add (a->at, a->duration);
}

gboolean
sim_action_gen_churn_next (SimActionGen *gen, SimTime now, gboolean up,
                           SimTime *t)
{
  const SimAction *a = gen->action;
  const SimDist *dist = up ? &a->session : &a->down;
  *t = sim_time_add (now, sim_dist_sample_time (dist, &gen->rng, SIM_TIME_S));
  return *t < sim_time_add (a->at, a->duration);
}

void
sim_action_gen_churn_start (SimActionGen *gen, const SimNodeView *v,
                            SimTime now,
                            void (*at) (gpointer data, SimTime t, guint32 slot),
                            gpointer data)
{
  guint live;
  g_autofree guint32 *pool = sim_node_view_in_session (v, &live);
  guint64 pop = gen->action->population != 0 ? gen->action->population : live;
  gen->slots = g_array_new (FALSE, FALSE, sizeof (guint32));
  for (guint64 i = 0; i < pop; i++)
    {
      guint32 x = i < live ? pool[i] : G_MAXUINT32;
      g_array_append_val (gen->slots, x);
      /* Nodes in a session start one; the rest start down. */
      SimTime t;
      if (sim_action_gen_churn_next (gen, now, i < live, &t))
        at (data, t, (guint32) i);
    }
}

SimTime
sim_action_gen_trace_start (SimActionGen *gen,
                            void (*at) (gpointer data, SimTime t, guint32 row,
                                        gboolean leave),
                            gpointer data)
{
  const SimAction *a = gen->action;
  const SimTrace *t = a->trace;
  guint n = sim_trace_n_rows (t);
  /* Dense numbering of trace nodes (by index or id), in row order.  The
   * hash table is only looked up, never iterated. */
  g_autoptr (GHashTable) names
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gen->slots = g_array_new (FALSE, FALSE, sizeof (guint32));
  guint next = 0;
  for (guint i = 0; i < n; i++)
    {
      const SimTraceRow *row = sim_trace_row (t, i);
      char *key;
      if (row->has_id)
        {
          SimKey id = sim_key_from_bytes (row->id);
          key = g_strdup_printf ("%016" G_GINT64_MODIFIER
                                 "x%016" G_GINT64_MODIFIER "x",
                                 id.hi, id.lo);
        }
      else
        key = g_strdup_printf ("%" G_GUINT64_FORMAT, row->index);
      gpointer v;
      guint32 tn;
      if (g_hash_table_lookup_extended (names, key, NULL, &v))
        {
          tn = GPOINTER_TO_UINT (v);
          g_free (key);
        }
      else
        {
          tn = next++;
          g_hash_table_insert (names, key, GUINT_TO_POINTER (tn));
        }
      g_array_append_val (gen->slots, tn);
    }
  guint32 none = G_MAXUINT32;
  for (guint i = 0; i < next; i++)
    g_array_append_val (gen->slots, none);
  SimTime last = 0;
  for (guint i = 0; i < n; i++)
    {
      const SimTraceRow *row = sim_trace_row (t, i);
      at (data, sim_time_add (a->at, row->join), i, FALSE);
      last = MAX (last, row->join);
      if (row->leave != SIM_TIME_MAX)
        {
          at (data, sim_time_add (a->at, row->leave), i, TRUE);
          last = MAX (last, row->leave);
        }
    }
  return sim_time_add (a->at, last);
}

guint32 *
sim_action_gen_trace_node (SimActionGen *gen, guint32 row)
{
  guint32 tn = g_array_index (gen->slots, guint32, row);
  return &g_array_index (gen->slots, guint32,
                         sim_trace_n_rows (gen->action->trace) + tn);
}
