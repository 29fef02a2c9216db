/* sim-live-schedule.c — the scenario's actions on the live loop
 * (sim-live-schedule.h).
 *
 * The generators are the driver's (sim/driver/sim-workload.h): the same
 * per-action state and streams, and the same functions draw every unit
 * time, victim, rejoiner, lookup source and key, per-node chain instant,
 * churn session and trace numbering, called at the same points of the
 * schedule as the driver calls them.  What is this file's: turning those
 * draws into live-loop events, the hosted nodes' life cycle as the draws
 * see it (a SimNodeView over the host), and when the schedule is done:
 * each action counts its events still armed (`left`; a sequential join
 * also waits for the previous join); an action whose `left` reaches 0 is
 * done, and the schedule is done when every action is.  Times are the
 * loop's (scenario time, compressed by the loop's scale).
 *
 * Cost: victim selection and churn start scan the hosted nodes, O(n) per
 * action; a range selection sorts the live ones by id, O(n log n); a
 * per-node lookup is one keyed stream initialisation.  n is hundreds.
 * Rejected: running the driver itself at wall-clock pace (its loop pops
 * simulated events as fast as it can and owns the node life cycle; making
 * it wait on sockets is a change of the driver's architecture, not of
 * live runs).
 */
#include "sim-live-schedule.h"

#include "sim-workload.h"

typedef struct
{
  SimActionGen sg; /* the driver's generator: streams, units issued
                      (sg.done), slots */
  const SimAction *a;
  guint left;    /* events armed and not yet run (a token while a
                    sequential join is in progress) */
  gboolean done; /* left reached 0 */
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
  guint32 x = sim_live_host_add_node (s->h, id, &gen->sg.rng_ids,
                                      &gen->sg.rng_topology);
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

/* ---- The hosted nodes as the generators' draws see them ---- */

static SimNodeState
view_state (gpointer data, guint32 x)
{
  SimLiveHost *h = data;
  if (!sim_live_host_in_session (h, x))
    return SIM_NODE_DOWN;
  return sim_live_host_is_live (h, x) ? SIM_NODE_LIVE : SIM_NODE_JOINING;
}

static int
cmp_id (const void *pa, const void *pb, gpointer data)
{
  SimLiveHost *h = data;
  return pastry_id_cmp (sim_live_host_id (h, *(const guint32 *) pa),
                        sim_live_host_id (h, *(const guint32 *) pb));
}

/* The ring of live ids is that of the hosted live nodes (the process
 * knows no others): sorted by id, O(n log n). */
static guint
view_ring_after (gpointer data, guint32 first, guint k, guint32 *out)
{
  SimLiveHost *h = data;
  guint all = sim_live_host_n_nodes (h), n_live = 0;
  g_autofree guint32 *ring = g_new (guint32, MAX (all, 1));
  for (guint32 i = 0; i < all; i++)
    if (sim_live_host_is_live (h, i))
      ring[n_live++] = i;
  g_qsort_with_data (ring, n_live, sizeof *ring, cmp_id, h);
  guint at = 0;
  while (at < n_live && ring[at] != first)
    at++;
  guint n = 0;
  for (; n < k && n + 1 < n_live; n++)
    out[n] = ring[(at + 1 + n) % n_live];
  return n;
}

static SimNodeView
node_view (SimLiveSchedule *s)
{
  return (SimNodeView){ s->h, sim_live_host_n_nodes (s->h), view_state,
                        view_ring_after };
}

/* ---- Lookups ---- */

static void
lookup_start (SimLiveSchedule *s, guint g, guint32 src, SimTime due,
              SimRng *rng)
{
  Gen *gen = &s->gens[g];
  guint src_rank, key_rank;
  SimKey k;
  if (!sim_action_gen_draw_lookup (
          &gen->sg, s->seed, rng, sim_live_host_n_live (s->h),
          src == G_MAXUINT32, &src_rank, &key_rank, &k))
    return;
  if (src == G_MAXUINT32)
    src = sim_live_host_nth_live (s->h, src_rank);
  PastryId key = { k.hi, k.lo };
  if (key_rank != G_MAXUINT)
    key = *sim_live_host_id (s->h, sim_live_host_nth_live (s->h, key_rank));
  sim_live_host_lookup (s->h, src, &key, due, gen->sg.phase);
}

typedef struct
{
  SimLiveSchedule *s;
  guint g;
  guint32 x;
} ChainIssue;

static void
chain_issue (gpointer data, SimTime t, SimRng *r)
{
  ChainIssue *c = data;
  if (sim_live_host_is_live (c->s->h, c->x))
    lookup_start (c->s, c->g, c->x, t, r);
  else
    sim_live_host_lookup (c->s->h, c->x, &(PastryId){ 0, 0 }, t,
                          c->s->gens[c->g].sg.phase); /* fails: not live */
}

/* Node x's chain of per-node lookups of action g from instant t (a lookup
 * instant when is_lookup): every lookup due by now, then the timer of the
 * next one if x is live (the driver's node_lookups_run()). */
static void
node_lookups_run (SimLiveSchedule *s, guint32 x, guint g, SimTime t,
                  gboolean is_lookup)
{
  guint32 incarn = sim_live_host_incarnation (s->h, x);
  ChainIssue c = { s, g, x };
  SimTime next = sim_node_lookups_chain (
      &s->gens[g].sg, g, s->seed, x, incarn, t, is_lookup,
      sim_live_loop_now (s->loop), chain_issue, &c);
  if (next != SIM_TIME_MAX && sim_live_host_is_live (s->h, x))
    sim_live_loop_at (s->loop, next, s->k_node, x,
                      ((guint64) incarn << 32) | g);
}

static void
node_lookups_catch_up (SimLiveSchedule *s, guint32 x)
{
  SimTime now = sim_live_loop_now (s->loop);
  SimTime session = g_array_index (s->session, SimTime, x);
  for (guint g = 0; g < s->n_gens; g++)
    {
      SimTime c;
      if (sim_node_lookups_resume (&s->gens[g].sg, s->gens[g].sg.done != 0,
                                   session, now, &c))
        node_lookups_run (s, x, g, c, FALSE);
    }
}

/* ---- Churn and traces ---- */

static void
churn_next (SimLiveSchedule *s, guint g, guint32 slot, gboolean up)
{
  SimTime t;
  if (sim_action_gen_churn_next (&s->gens[g].sg, sim_live_loop_now (s->loop),
                                 up, &t))
    sim_live_loop_at (s->loop, t, s->k_churn, slot, g);
}

typedef struct
{
  SimLiveSchedule *s;
  guint g;
} Arming;

static void
arm_churn (gpointer data, SimTime t, guint32 slot)
{
  Arming *m = data;
  sim_live_loop_at (m->s->loop, t, m->s->k_churn, slot, m->g);
}

static void
start_churn (SimLiveSchedule *s, guint g)
{
  Gen *gen = &s->gens[g];
  SimNodeView v = node_view (s);
  Arming m = { s, g };
  sim_action_gen_churn_start (&gen->sg, &v, sim_live_loop_now (s->loop),
                              arm_churn, &m);
  /* Churn is work until its interval ends. */
  arm (s, sim_time_add (gen->a->at, gen->a->duration), s->k_unit, g, 0);
}

static void
on_churn (SimLiveLoop *loop, const SimEvent *ev, gpointer data)
{
  SimLiveSchedule *s = data;
  guint g = (guint) ev->b;
  Gen *gen = &s->gens[g];
  guint32 *x = &g_array_index (gen->sg.slots, guint32, ev->a);
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

static void
arm_trace (gpointer data, SimTime t, guint32 row, gboolean leave)
{
  Arming *m = data;
  sim_live_loop_at (m->s->loop, t, m->s->k_trace, row,
                    ((guint64) m->g << 1) | leave);
}

static void
start_trace (SimLiveSchedule *s, guint g)
{
  Arming m = { s, g };
  SimTime last = sim_action_gen_trace_start (&s->gens[g].sg, arm_trace, &m);
  /* The replay is work until its last row has acted. */
  arm (s, last, s->k_unit, g, 0);
}

static void
on_trace (SimLiveLoop *loop, const SimEvent *ev, gpointer data)
{
  SimLiveSchedule *s = data;
  guint g = (guint) (ev->b >> 1);
  Gen *gen = &s->gens[g];
  const SimTraceRow *row = sim_trace_row (gen->a->trace, ev->a);
  guint32 *x = sim_action_gen_trace_node (&gen->sg, ev->a);
  if (ev->b & 1)
    {
      if (*x != G_MAXUINT32)
        take_down (s, *x, FALSE);
      return;
    }
  if (*x == G_MAXUINT32)
    {
      SimKey k = sim_key_from_bytes (row->id);
      PastryId id = { k.hi, k.lo };
      *x = create_node (s, g, row->has_id ? &id : NULL);
      start_join (s, *x, G_MAXUINT);
    }
  else
    *x = rejoin (s, g, *x, gen->a->same_id || row->has_id);
}

/* ---- Actions ---- */

/* The units an action issues (the driver's action_units()). */
static guint64
units_of (const Gen *gen)
{
  switch (gen->a->kind)
    {
    case SIM_ACTION_FAIL:
    case SIM_ACTION_LEAVE:
    case SIM_ACTION_REJOIN:
      return gen->sg.slots != NULL ? gen->sg.slots->len : 0;
    default:
      return gen->a->count;
    }
}

/* Arms action g's next unit, if any (a sequential join's is armed when
 * the previous one is over). */
static void
schedule_next (SimLiveSchedule *s, guint g)
{
  Gen *gen = &s->gens[g];
  SimTime t;
  if (gen->a->spread != SIM_SPREAD_SEQUENTIAL
      && sim_action_gen_next_time (&gen->sg, units_of (gen),
                                   sim_live_loop_now (s->loop), &t))
    arm (s, t, s->k_unit, g, 0);
}

/* One unit of action g, then the next one armed: as the driver's
 * handle_action(), so the draws come in its order. */
static void
do_unit (SimLiveSchedule *s, guint g)
{
  Gen *gen = &s->gens[g];
  const SimAction *a = gen->a;
  switch (a->kind)
    {
    case SIM_ACTION_JOIN:
      gen->sg.done++;
      if (a->spread == SIM_SPREAD_SEQUENTIAL)
        {
          gen->left++; /* a token until this join is over */
          start_join (s, create_node (s, g, NULL), g);
        }
      else
        start_join (s, create_node (s, g, NULL), G_MAXUINT);
      break;
    case SIM_ACTION_LOOKUP:
      gen->sg.done++;
      lookup_start (s, g, G_MAXUINT32, sim_live_loop_now (s->loop),
                    &gen->sg.rng);
      break;
    case SIM_ACTION_FAIL:
    case SIM_ACTION_LEAVE:
      take_down (s, g_array_index (gen->sg.slots, guint32, gen->sg.done++),
                 a->kind == SIM_ACTION_LEAVE);
      break;
    case SIM_ACTION_REJOIN:
      rejoin (s, g, g_array_index (gen->sg.slots, guint32, gen->sg.done++),
              a->same_id);
      break;
    default:
      g_assert_not_reached ();
    }
  schedule_next (s, g);
}

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
        /* As the driver: the choice, then its first unit at once. */
        gen->sg.slots = g_array_new (FALSE, FALSE, sizeof (guint32));
        SimNodeView v = node_view (s);
        if (a->kind == SIM_ACTION_REJOIN)
          sim_action_gen_select_rejoiners (&gen->sg, (guint32 *) s->down->data,
                                           s->down->len, gen->sg.slots);
        else
          sim_action_gen_select_victims (&gen->sg, &v, gen->sg.slots);
        if (gen->sg.slots->len > 0)
          do_unit (s, g);
        break;
      }
    case SIM_ACTION_LOOKUP: /* per node: every live node's chain */
      gen->sg.done = 1;
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
  const SimAction *a = s->gens[g].a;
  gboolean unit
      = a->kind == SIM_ACTION_JOIN || a->kind == SIM_ACTION_FAIL
        || a->kind == SIM_ACTION_LEAVE || a->kind == SIM_ACTION_REJOIN
        || (a->kind == SIM_ACTION_LOOKUP && a->spread != SIM_SPREAD_PER_NODE);
  if (unit)
    do_unit (s, g);
  /* else the end of churn, a trace or a per-node workload */
  unit_done (s, g);
}

/* The next sequential join of action a, once the previous is over. */
static void
on_seq (SimLiveLoop *loop, const SimEvent *ev, gpointer data)
{
  SimLiveSchedule *s = data;
  Gen *gen = &s->gens[ev->a];
  if (gen->sg.done < gen->a->count)
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
      sim_action_gen_init (&gen->sg, a, s->seed, g, &phases);
      s->end_hint
          = MAX (s->end_hint, sim_time_add (a->at, MAX (a->over, a->duration)));
      s->pending++;
      gboolean units = a->kind == SIM_ACTION_JOIN
                       || (a->kind == SIM_ACTION_LOOKUP
                           && a->spread != SIM_SPREAD_PER_NODE);
      if (!units)
        arm (s, a->at, s->k_start, g, 0);
      else if (a->spread == SIM_SPREAD_SEQUENTIAL)
        arm (s, a->at, s->k_unit, g, 0);
      else
        schedule_next (s, g);
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
    sim_action_gen_clear (&s->gens[g].sg);
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
