/* sim-live-schedule.c — the scenario's actions on the live loop
 * (sim-live-schedule.h).
 *
 * Each action has a generator, as in the driver: its own random streams,
 * a count of its events still armed (`left`; a sequential join also
 * waits for the previous join), and for fail/leave/rejoin/churn/trace its
 * slots.  An action whose `left` reaches 0 is done; the schedule is done
 * when every action is.  Times are the loop's (scenario time, compressed
 * by the loop's scale).
 *
 * Cost: victim and rejoiner selection scan the hosted nodes, O(n) per
 * action; a range selection sorts the live ones by id, O(n log n); a
 * per-node lookup is one keyed stream initialisation.  n is hundreds.
 * Rejected: running the driver itself at wall-clock pace (its loop pops
 * simulated events as fast as it can and owns the node life cycle; making
 * it wait on sockets is a change of the driver's architecture, not of
 * live runs).  What is shared instead: the scenario's resolved actions,
 * the random-stream keys and the order of draws.
 */
#include "sim-live-schedule.h"

#include <math.h>
#include <stdlib.h>

typedef struct
{
  const SimAction *a;
  guint left;    /* events armed and not yet run (a token while a
                    sequential join is in progress) */
  gboolean done; /* left reached 0 */
  guint64 units; /* joins started (sequential) */
  guint phase;   /* LOOKUP: index among the lookup actions */
  gboolean per_node_started;
  SimZipf zipf;
  GArray *slots; /* guint32: victims, rejoiners, churn slots, trace nodes */
  SimRng rng, rng_ids, rng_topology;
} Gen;

struct _SimLiveSchedule
{
  const SimScenario *sc;
  SimLiveHost *h;
  SimLiveLoop *loop;
  guint64 seed;
  Gen *gens;
  guint n_gens, pending;
  SimTime end_hint;
  GArray *session;    /* SimTime by node: its session's start */
  GArray *seq_action; /* guint by node: its sequential join's action */
  GArray *down;       /* guint32: nodes down, in the order they went */
  GError *error;
  guint32 k_start, k_unit, k_churn, k_trace, k_node, k_live, k_seq;
};

/* Event kinds (a, b):
 *   k_start  a = action: the action begins (selections, churn, trace, per
 *            node)
 *   k_unit   a = action: one unit (a join, a lookup, a departure, a
 *            rejoin); b = slot (fail/leave/rejoin)
 *   k_churn  a = churn slot, b = action
 *   k_trace  a = trace row, b = action << 1 | leave
 *   k_node   a = node, b = incarnation << 32 | action: its next per-node
 *            lookup
 *   k_live   a = node, b = incarnation: it became live
 *   k_seq    a = action: the next sequential join */

gboolean
sim_live_schedule_check (const SimScenario *sc, GError **error)
{
  for (guint i = 0; i < sim_scenario_n_actions (sc); i++)
    {
      const SimAction *a = sim_scenario_action (sc, i);
      if (a->kind == SIM_ACTION_BUILD)
        {
          g_set_error (error, SIM_SCENARIO_ERROR, 0,
                       "%s:%u:%u: live: 'build' gives nodes ideal state from "
                       "global knowledge, which live nodes do not have; "
                       "write 'join N' (the join protocol)",
                       sim_scenario_display_name (sc), a->line, a->col);
          return FALSE;
        }
    }
  return TRUE;
}

guint64
sim_live_schedule_nodes_hint (const SimScenario *sc)
{
  guint64 n = 0;
  for (guint i = 0; i < sim_scenario_n_actions (sc); i++)
    {
      const SimAction *a = sim_scenario_action (sc, i);
      if (a->kind == SIM_ACTION_JOIN)
        n += a->count;
      else if (a->kind == SIM_ACTION_CHURN)
        n += a->population;
      else if (a->kind == SIM_ACTION_TRACE)
        n += sim_trace_n_nodes (a->trace);
    }
  return n;
}

/* ---- Bookkeeping ---- */

static void
arm (SimLiveSchedule *s, SimTime at, guint32 kind, guint g, guint64 b)
{
  s->gens[g].left++;
  sim_live_loop_at (s->loop, at, kind, g, b);
}

/* One armed event of action g has run. */
static void
unit_done (SimLiveSchedule *s, guint g)
{
  Gen *gen = &s->gens[g];
  g_assert (gen->left > 0);
  if (--gen->left == 0 && !gen->done)
    {
      gen->done = TRUE;
      s->pending--;
    }
}

static void
fail_open (SimLiveSchedule *s, GError *error)
{
  if (s->error == NULL)
    s->error = error;
  else
    g_error_free (error);
  sim_live_loop_stop (s->loop);
}

/* ---- Nodes ---- */

static guint32
create_node (SimLiveSchedule *s, guint g, const PastryId *id)
{
  Gen *gen = &s->gens[g];
  guint32 x
      = sim_live_host_add_node (s->h, id, &gen->rng_ids, &gen->rng_topology);
  if (x >= s->session->len)
    {
      guint none = G_MAXUINT;
      g_array_set_size (s->session, x + 1);
      while (s->seq_action->len <= x)
        g_array_append_val (s->seq_action, none);
    }
  return x;
}

static void
start_join (SimLiveSchedule *s, guint32 x, guint seq_action)
{
  g_array_index (s->session, SimTime, x) = sim_live_loop_now (s->loop);
  g_array_index (s->seq_action, guint, x) = seq_action;
  GError *error = NULL;
  if (!sim_live_host_join (s->h, x, &error))
    fail_open (s, error);
}

static void
remove_down (SimLiveSchedule *s, guint32 x)
{
  for (guint i = 0; i < s->down->len; i++)
    if (g_array_index (s->down, guint32, i) == x)
      {
        g_array_remove_index (s->down, i);
        return;
      }
}

/* Brings down node x back: same id (same index) or a new node. */
static guint32
rejoin (SimLiveSchedule *s, guint g, guint32 x, gboolean same_id)
{
  if (sim_live_host_in_session (s->h, x))
    return x;
  /* As the driver: a node back under a new id is a new node, and the old
   * one stays on the down list (a later `rejoin` may pick it). */
  if (!same_id)
    x = create_node (s, g, NULL);
  else
    remove_down (s, x);
  start_join (s, x, G_MAXUINT);
  return x;
}

static void node_lookups_catch_up (SimLiveSchedule *s, guint32 x);

/* The schedule takes x down: a node still joining first settles the
 * per-node lookups it owed (they fail, as in `run`). */
static void
take_down (SimLiveSchedule *s, guint32 x, gboolean leave)
{
  if (!sim_live_host_in_session (s->h, x))
    return;
  if (!sim_live_host_is_live (s->h, x))
    node_lookups_catch_up (s, x);
  guint g = g_array_index (s->seq_action, guint, x);
  if (g != G_MAXUINT)
    {
      /* A sequential join cut short: the next one starts now. */
      g_array_index (s->seq_action, guint, x) = G_MAXUINT;
      sim_live_loop_at (s->loop, sim_live_loop_now (s->loop), s->k_seq, g, 0);
    }
  if (leave)
    sim_live_host_leave (s->h, x);
  else
    sim_live_host_fail (s->h, x);
  g_array_append_val (s->down, x);
}

/* The nodes in a session (joining or live), in index order. */
static guint32 *
in_session (SimLiveSchedule *s, guint *n)
{
  guint all = sim_live_host_n_nodes (s->h);
  guint32 *pool = g_new (guint32, MAX (all, 1));
  *n = 0;
  for (guint32 i = 0; i < all; i++)
    if (sim_live_host_in_session (s->h, i))
      pool[(*n)++] = i;
  return pool;
}

/* ---- Lookups ---- */

static void
lookup_start (SimLiveSchedule *s, guint g, guint32 src, SimTime due,
              SimRng *rng)
{
  Gen *gen = &s->gens[g];
  guint n = sim_live_host_n_live (s->h);
  if (n == 0)
    return;
  if (src == G_MAXUINT32)
    src = sim_live_host_nth_live (s->h, (guint) sim_rng_uniform_u64 (rng, n));
  PastryId key;
  switch (gen->a->keys)
    {
    case SIM_KEYS_NODE:
      key = *sim_live_host_id (
          s->h,
          sim_live_host_nth_live (s->h, (guint) sim_rng_uniform_u64 (rng, n)));
      break;
    case SIM_KEYS_ZIPF:
      {
        /* Key k of the fixed population: from (seed, k) alone, as in
         * `run` (sim/pastry/sim-pastry-lookup.c). */
        guint64 rank = sim_zipf_sample (&gen->zipf, rng);
        SimRng kr;
        sim_rng_init (&kr, s->seed, SIM_RNG_PURPOSE_WORKLOAD, rank + 1);
        key.hi = sim_rng_next_u64 (&kr);
        key.lo = sim_rng_next_u64 (&kr);
        break;
      }
    default:
      key.hi = sim_rng_next_u64 (rng);
      key.lo = sim_rng_next_u64 (rng);
      break;
    }
  sim_live_host_lookup (s->h, src, &key, due, gen->phase);
}

static SimTime
node_lookup_gap (const SimAction *a, SimRng *r)
{
  double v = a->has_every ? sim_dist_sample (&a->every, r)
                          : sim_rng_exponential (r, 1.0 / a->rate_per_s);
  return MAX (sim_time_from_us (v * (double) SIM_TIME_S), 1);
}

/* Node x's chain of per-node lookups of action g from instant t (a lookup
 * instant when is_lookup): every lookup due by now, then the timer of the
 * next one if x is live (the driver's node_lookups_run()). */
static void
node_lookups_run (SimLiveSchedule *s, guint32 x, guint g, SimTime t,
                  gboolean is_lookup)
{
  const SimAction *a = s->gens[g].a;
  SimTime end = sim_time_add (a->at, a->duration);
  SimTime now = sim_live_loop_now (s->loop);
  guint32 incarn = sim_live_host_incarnation (s->h, x);
  for (;;)
    {
      guint64 key[4] = { x, incarn, g, t };
      SimRng r;
      sim_rng_init_keyed (&r, s->seed, SIM_RNG_PURPOSE_NODE_WORKLOAD, key,
                          G_N_ELEMENTS (key));
      if (is_lookup)
        {
          if (sim_live_host_is_live (s->h, x))
            lookup_start (s, g, x, t, &r);
          else
            sim_live_host_lookup (s->h, x, &(PastryId){ 0, 0 }, t,
                                  s->gens[g].phase); /* fails: not live */
        }
      SimTime next = sim_time_add (t, node_lookup_gap (a, &r));
      if (next >= end)
        return;
      if (next > now)
        {
          if (sim_live_host_is_live (s->h, x))
            sim_live_loop_at (s->loop, next, s->k_node, x,
                              ((guint64) incarn << 32) | g);
          return;
        }
      t = next;
      is_lookup = TRUE;
    }
}

static void
node_lookups_catch_up (SimLiveSchedule *s, guint32 x)
{
  SimTime now = sim_live_loop_now (s->loop);
  SimTime session = g_array_index (s->session, SimTime, x);
  for (guint g = 0; g < s->n_gens; g++)
    {
      const SimAction *a = s->gens[g].a;
      if (a->kind != SIM_ACTION_LOOKUP || a->spread != SIM_SPREAD_PER_NODE
          || !s->gens[g].per_node_started || a->at > now)
        continue;
      SimTime c = MAX (session, a->at);
      if (c < sim_time_add (a->at, a->duration))
        node_lookups_run (s, x, g, c, FALSE);
    }
}

/* ---- Selections ---- */

static int
cmp_id (const void *pa, const void *pb, gpointer data)
{
  SimLiveHost *h = data;
  return pastry_id_cmp (sim_live_host_id (h, *(const guint32 *) pa),
                        sim_live_host_id (h, *(const guint32 *) pb));
}

/* The driver's select_victims(): count or a percentage of the nodes in a
 * session drawn without replacement; a range of the live ring (here the
 * hosted live nodes in id order, from a random one clockwise); indices
 * of live nodes. */
static void
select_victims (SimLiveSchedule *s, Gen *gen, GArray *out)
{
  const SimAction *a = gen->a;
  guint n;
  g_autofree guint32 *pool = in_session (s, &n);
  guint64 want = a->count;
  switch (a->select)
    {
    case SIM_SELECT_PERCENT:
      want = sim_u64_from_double (round (a->fraction * n));
      if (want == 0 && n > 0)
        want = 1;
      /* fall through */
    case SIM_SELECT_COUNT:
      want = MIN (want, n);
      for (guint i = 0; i < want; i++)
        {
          guint j = i + (guint) sim_rng_uniform_u64 (&gen->rng, n - i);
          guint32 t = pool[i];
          pool[i] = pool[j];
          pool[j] = t;
          g_array_append_val (out, pool[i]);
        }
      break;
    case SIM_SELECT_RANGE:
      {
        guint n_live = 0;
        for (guint i = 0; i < n; i++)
          if (sim_live_host_is_live (s->h, pool[i]))
            pool[n_live++] = pool[i];
        if (n_live == 0)
          break;
        want = MIN (want, n_live);
        guint32 first = pool[sim_rng_uniform_u64 (&gen->rng, n_live)];
        g_qsort_with_data (pool, n_live, sizeof *pool, cmp_id, s->h);
        guint at = 0;
        while (pool[at] != first)
          at++;
        for (guint k = 0; k < want; k++)
          g_array_append_val (out, pool[(at + k) % n_live]);
        break;
      }
    case SIM_SELECT_INDICES:
      for (guint i = 0; i < a->n_indices; i++)
        if (a->indices[i] < sim_live_host_n_nodes (s->h)
            && sim_live_host_is_live (s->h, (guint32) a->indices[i]))
          {
            guint32 v = (guint32) a->indices[i];
            g_array_append_val (out, v);
          }
      break;
    default:
      break;
    }
}

static void
select_rejoiners (SimLiveSchedule *s, Gen *gen, GArray *out)
{
  guint n = s->down->len;
  guint64 want = gen->a->select == SIM_SELECT_ALL ? n : MIN (gen->a->count, n);
  g_autofree guint32 *pool = g_memdup2 (s->down->data, n * sizeof (guint32));
  for (guint i = 0; i < want; i++)
    {
      guint j = i + (guint) sim_rng_uniform_u64 (&gen->rng, n - i);
      guint32 t = pool[i];
      pool[i] = pool[j];
      pool[j] = t;
      g_array_append_val (out, pool[i]);
    }
}

static int
cmp_time (const void *pa, const void *pb)
{
  SimTime a = *(const SimTime *) pa, b = *(const SimTime *) pb;
  return a < b ? -1 : a > b;
}

/* n unit times of action a from its stream: all at `at`, or sorted
 * uniform draws over [at, at + over). */
static SimTime *
unit_times (const SimAction *a, SimRng *rng, guint64 n)
{
  SimTime *t = g_new (SimTime, MAX (n, 1));
  for (guint64 k = 0; k < n; k++)
    t[k] = a->over > 0 ? a->at + sim_rng_uniform_u64 (rng, a->over) : a->at;
  if (a->over > 0)
    qsort (t, n, sizeof *t, cmp_time);
  return t;
}

/* ---- Churn and traces ---- */

static void
churn_next (SimLiveSchedule *s, guint g, guint32 slot, gboolean up)
{
  const SimAction *a = s->gens[g].a;
  SimTime t = sim_time_add (sim_live_loop_now (s->loop),
                            sim_dist_sample_time (up ? &a->session : &a->down,
                                                  &s->gens[g].rng, SIM_TIME_S));
  if (t < sim_time_add (a->at, a->duration))
    sim_live_loop_at (s->loop, t, s->k_churn, slot, g);
}

static void
start_churn (SimLiveSchedule *s, guint g)
{
  Gen *gen = &s->gens[g];
  guint n;
  g_autofree guint32 *pool = in_session (s, &n);
  guint64 pop = gen->a->population != 0 ? gen->a->population : n;
  gen->slots = g_array_new (FALSE, FALSE, sizeof (guint32));
  for (guint64 i = 0; i < pop; i++)
    {
      guint32 x = i < n ? pool[i] : G_MAXUINT32;
      g_array_append_val (gen->slots, x);
      churn_next (s, g, (guint32) i, i < n);
    }
  /* Churn is work until its interval ends. */
  arm (s, sim_time_add (gen->a->at, gen->a->duration), s->k_unit, g, 0);
}

static void
on_churn (SimLiveLoop *loop, const SimEvent *ev, gpointer data)
{
  SimLiveSchedule *s = data;
  guint g = (guint) ev->b;
  Gen *gen = &s->gens[g];
  guint32 *x = &g_array_index (gen->slots, guint32, ev->a);
  if (*x != G_MAXUINT32 && sim_live_host_in_session (s->h, *x))
    {
      take_down (s, *x, FALSE); /* the session ends: a crash */
      churn_next (s, g, ev->a, FALSE);
      return;
    }
  if (*x == G_MAXUINT32)
    {
      *x = create_node (s, g, NULL);
      start_join (s, *x, G_MAXUINT);
    }
  else
    *x = rejoin (s, g, *x, gen->a->same_id);
  churn_next (s, g, ev->a, TRUE);
}

static PastryId
id_of_row (const SimTraceRow *row)
{
  PastryId id = { 0, 0 };
  for (guint i = 0; i < 8; i++)
    {
      id.hi = (id.hi << 8) | row->id[i];
      id.lo = (id.lo << 8) | row->id[i + 8];
    }
  return id;
}

/* Trace nodes are numbered densely in row order (by index or id); slots
 * holds that number per row, then the hosted node per trace node. */
static void
start_trace (SimLiveSchedule *s, guint g)
{
  Gen *gen = &s->gens[g];
  const SimAction *a = gen->a;
  const SimTrace *t = a->trace;
  guint n = sim_trace_n_rows (t);
  /* Looked up, never iterated. */
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
          PastryId id = id_of_row (row);
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
      sim_live_loop_at (s->loop, sim_time_add (a->at, row->join), s->k_trace, i,
                        (guint64) g << 1);
      last = MAX (last, row->join);
      if (row->leave != SIM_TIME_MAX)
        {
          sim_live_loop_at (s->loop, sim_time_add (a->at, row->leave),
                            s->k_trace, i, ((guint64) g << 1) | 1);
          last = MAX (last, row->leave);
        }
    }
  /* The replay is work until its last row has acted. */
  arm (s, sim_time_add (a->at, last), s->k_unit, g, 0);
}

static void
on_trace (SimLiveLoop *loop, const SimEvent *ev, gpointer data)
{
  SimLiveSchedule *s = data;
  guint g = (guint) (ev->b >> 1);
  Gen *gen = &s->gens[g];
  const SimTraceRow *row = sim_trace_row (gen->a->trace, ev->a);
  guint32 tn = g_array_index (gen->slots, guint32, ev->a);
  guint32 *x = &g_array_index (gen->slots, guint32,
                               sim_trace_n_rows (gen->a->trace) + tn);
  if (ev->b & 1)
    {
      if (*x != G_MAXUINT32)
        take_down (s, *x, FALSE);
      return;
    }
  if (*x == G_MAXUINT32)
    {
      PastryId id = id_of_row (row);
      *x = create_node (s, g, row->has_id ? &id : NULL);
      start_join (s, *x, G_MAXUINT);
    }
  else
    *x = rejoin (s, g, *x, gen->a->same_id || row->has_id);
}

/* ---- Actions ---- */

static void
on_start (SimLiveLoop *loop, const SimEvent *ev, gpointer data)
{
  SimLiveSchedule *s = data;
  guint g = ev->a;
  Gen *gen = &s->gens[g];
  const SimAction *a = gen->a;
  switch (a->kind)
    {
    case SIM_ACTION_FAIL:
    case SIM_ACTION_LEAVE:
    case SIM_ACTION_REJOIN:
      {
        gen->slots = g_array_new (FALSE, FALSE, sizeof (guint32));
        if (a->kind == SIM_ACTION_REJOIN)
          select_rejoiners (s, gen, gen->slots);
        else
          select_victims (s, gen, gen->slots);
        g_autofree SimTime *t = unit_times (a, &gen->rng, gen->slots->len);
        for (guint k = 0; k < gen->slots->len; k++)
          arm (s, t[k], s->k_unit, g, k);
        break;
      }
    case SIM_ACTION_LOOKUP: /* per node: every live node's chain */
      gen->per_node_started = TRUE;
      for (guint i = 0; i < sim_live_host_n_nodes (s->h); i++)
        if (sim_live_host_is_live (s->h, i))
          node_lookups_run (s, i, g, a->at, FALSE);
      arm (s, sim_time_add (a->at, a->duration), s->k_unit, g, 0);
      break;
    case SIM_ACTION_CHURN:
      start_churn (s, g);
      break;
    case SIM_ACTION_TRACE:
      start_trace (s, g);
      break;
    default:
      g_assert_not_reached ();
    }
  unit_done (s, g);
}

static void
on_unit (SimLiveLoop *loop, const SimEvent *ev, gpointer data)
{
  SimLiveSchedule *s = data;
  guint g = ev->a;
  Gen *gen = &s->gens[g];
  const SimAction *a = gen->a;
  switch (a->kind)
    {
    case SIM_ACTION_JOIN:
      gen->units++;
      if (a->spread == SIM_SPREAD_SEQUENTIAL)
        {
          gen->left++; /* a token until this join is over */
          start_join (s, create_node (s, g, NULL), g);
        }
      else
        start_join (s, create_node (s, g, NULL), G_MAXUINT);
      break;
    case SIM_ACTION_LOOKUP:
      if (a->spread != SIM_SPREAD_PER_NODE)
        lookup_start (s, g, G_MAXUINT32, sim_live_loop_now (s->loop),
                      &gen->rng);
      break;
    case SIM_ACTION_FAIL:
    case SIM_ACTION_LEAVE:
      take_down (s, g_array_index (gen->slots, guint32, ev->b),
                 a->kind == SIM_ACTION_LEAVE);
      break;
    case SIM_ACTION_REJOIN:
      rejoin (s, g, g_array_index (gen->slots, guint32, ev->b), a->same_id);
      break;
    default:
      break; /* the end of churn, a trace or a per-node workload */
    }
  unit_done (s, g);
}

/* The next sequential join of action a, once the previous is over. */
static void
on_seq (SimLiveLoop *loop, const SimEvent *ev, gpointer data)
{
  SimLiveSchedule *s = data;
  Gen *gen = &s->gens[ev->a];
  if (gen->units < gen->a->count)
    arm (s, sim_live_loop_now (loop), s->k_unit, ev->a, 0);
  unit_done (s, ev->a); /* the previous join's token */
}

static void
on_node (SimLiveLoop *loop, const SimEvent *ev, gpointer data)
{
  SimLiveSchedule *s = data;
  guint32 x = ev->a;
  if (sim_live_host_is_live (s->h, x)
      && (guint32) (ev->b >> 32) == sim_live_host_incarnation (s->h, x))
    node_lookups_run (s, x, (guint32) ev->b, ev->at, TRUE);
}

static void
on_live (SimLiveLoop *loop, const SimEvent *ev, gpointer data)
{
  SimLiveSchedule *s = data;
  if (sim_live_host_is_live (s->h, ev->a)
      && sim_live_host_incarnation (s->h, ev->a) == (guint32) ev->b)
    node_lookups_catch_up (s, ev->a);
}

/* Hooks from inside the host: arm an event, call nothing. */
static void
hook_live (gpointer data, guint32 i)
{
  SimLiveSchedule *s = data;
  sim_live_loop_at (s->loop, sim_live_loop_now (s->loop), s->k_live, i,
                    sim_live_host_incarnation (s->h, i));
}

static void
hook_join_done (gpointer data, guint32 i)
{
  SimLiveSchedule *s = data;
  guint g = i < s->seq_action->len ? g_array_index (s->seq_action, guint, i)
                                   : G_MAXUINT;
  if (g == G_MAXUINT)
    return;
  g_array_index (s->seq_action, guint, i) = G_MAXUINT;
  sim_live_loop_at (s->loop, sim_live_loop_now (s->loop), s->k_seq, g, 0);
}

SimLiveSchedule *
sim_live_schedule_new (const SimScenario *sc, SimLiveHost *h, SimLiveLoop *loop)
{
  SimLiveSchedule *s = g_new0 (SimLiveSchedule, 1);
  s->sc = sc;
  s->h = h;
  s->loop = loop;
  s->seed = sim_scenario_get_uint (sc, "seed");
  s->session = g_array_new (FALSE, TRUE, sizeof (SimTime));
  s->seq_action = g_array_new (FALSE, FALSE, sizeof (guint));
  s->down = g_array_new (FALSE, FALSE, sizeof (guint32));
  s->k_start = sim_live_loop_add_kind (loop, on_start, s);
  s->k_unit = sim_live_loop_add_kind (loop, on_unit, s);
  s->k_churn = sim_live_loop_add_kind (loop, on_churn, s);
  s->k_trace = sim_live_loop_add_kind (loop, on_trace, s);
  s->k_node = sim_live_loop_add_kind (loop, on_node, s);
  s->k_live = sim_live_loop_add_kind (loop, on_live, s);
  s->k_seq = sim_live_loop_add_kind (loop, on_seq, s);
  SimLiveHostHooks hooks = { hook_live, hook_join_done };
  sim_live_host_set_hooks (h, &hooks, s);

  s->n_gens = sim_scenario_n_actions (sc);
  s->gens = g_new0 (Gen, MAX (s->n_gens, 1));
  guint phases = 0;
  for (guint g = 0; g < s->n_gens; g++)
    {
      Gen *gen = &s->gens[g];
      const SimAction *a = sim_scenario_action (sc, g);
      gen->a = a;
      sim_rng_init (&gen->rng, s->seed, SIM_RNG_PURPOSE_ACTION, g);
      sim_rng_init (&gen->rng_ids, s->seed, SIM_RNG_PURPOSE_IDS, g);
      sim_rng_init (&gen->rng_topology, s->seed, SIM_RNG_PURPOSE_TOPOLOGY, g);
      if (a->kind == SIM_ACTION_LOOKUP)
        gen->phase = phases++;
      if (a->kind == SIM_ACTION_LOOKUP && a->keys == SIM_KEYS_ZIPF)
        sim_zipf_init (&gen->zipf, a->zipf_s, a->zipf_n);
      s->end_hint
          = MAX (s->end_hint, sim_time_add (a->at, MAX (a->over, a->duration)));
      s->pending++;
      gboolean units = a->kind == SIM_ACTION_JOIN
                       || (a->kind == SIM_ACTION_LOOKUP
                           && a->spread != SIM_SPREAD_PER_NODE);
      if (!units)
        {
          arm (s, a->at, s->k_start, g, 0);
          continue;
        }
      if (a->spread == SIM_SPREAD_SEQUENTIAL)
        {
          arm (s, a->at, s->k_unit, g, 0);
          continue;
        }
      if (a->spread == SIM_SPREAD_POISSON)
        {
          SimTime end = sim_time_add (a->at, a->duration);
          for (SimTime t = a->at;;)
            {
              double gap = sim_rng_exponential (&gen->rng, 1.0 / a->rate_per_s);
              t = sim_time_add (t, sim_time_from_us (gap * SIM_TIME_S));
              if (t >= end)
                break;
              arm (s, t, s->k_unit, g, 0);
            }
        }
      else
        {
          g_autofree SimTime *t = unit_times (a, &gen->rng, a->count);
          for (guint64 k = 0; k < a->count; k++)
            arm (s, t[k], s->k_unit, g, 0);
        }
      if (gen->left == 0)
        {
          gen->done = TRUE;
          s->pending--;
        }
    }
  for (guint g = 0; g < s->n_gens; g++)
    if (s->gens[g].a->kind == SIM_ACTION_TRACE)
      for (guint i = 0; i < sim_trace_n_rows (s->gens[g].a->trace); i++)
        {
          const SimTraceRow *row = sim_trace_row (s->gens[g].a->trace, i);
          SimTime last = row->leave != SIM_TIME_MAX
                             ? MAX (row->join, row->leave)
                             : row->join;
          s->end_hint
              = MAX (s->end_hint, sim_time_add (s->gens[g].a->at, last));
        }
  return s;
}

void
sim_live_schedule_free (SimLiveSchedule *s)
{
  if (s == NULL)
    return;
  for (guint g = 0; g < s->n_gens; g++)
    if (s->gens[g].slots != NULL)
      g_array_unref (s->gens[g].slots);
  g_free (s->gens);
  g_array_unref (s->session);
  g_array_unref (s->seq_action);
  g_array_unref (s->down);
  g_clear_error (&s->error);
  g_free (s);
}

gboolean
sim_live_schedule_done (const SimLiveSchedule *s)
{
  return s->pending == 0;
}

SimTime
sim_live_schedule_end_hint (const SimLiveSchedule *s)
{
  return s->end_hint;
}

const GError *
sim_live_schedule_error (const SimLiveSchedule *s)
{
  return s->error;
}
