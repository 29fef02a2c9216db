/* sim-driver.c — the event loop, the scenario's action generators, churn,
 * trace replay, per-node workloads and the draws of their lookups, the
 * node life cycle and the live-id oracle, the timeline, stall detection
 * and fingerprints; the protocol is reached through d->proto alone.
 *
 * The run ends when every action is exhausted and the protocol has no
 * lookup or join in flight (pending_work == proto->inflight == 0):
 * periodic maintenance timers alone do not keep it going.  Nothing here
 * iterates a hash table: event order is the queue's (time, sequence)
 * order and every random choice comes from a purpose-specific stream, so
 * a run is a function of scenario and seed.
 *
 * Random streams (common random numbers).  Two runs that differ only in a
 * protocol parameter (probe_period, the repair variant) see the same
 * world: the same node ids and positions, the same churn schedule (who
 * fails and joins when) and the same lookup workload (times, sources,
 * keys), so that paired comparisons over matched seeds cancel everything
 * but the protocol's own effect.  Hence:
 *  - each scenario action owns its streams, keyed by its index: one for
 *    its times, lookup sources and keys, victims and churn sessions, and
 *    one each for the ids and positions of the nodes it creates.  Churn
 *    events and action units happen at times drawn from these streams
 *    alone, so the order of their draws does not depend on the protocol;
 *  - a node's per-node lookups follow a chain fixed by its session (see
 *    "Per-node lookups" below), with counter-based draws;
 *  - lookup traffic draws loss and jitter from its own network stream,
 *    everything else (join, maintenance) from another
 *    (the protocol draws them; it keeps them apart);
 *  - protocol choices (timer phases, bootstrap samples, builds) keep the
 *    protocol's own stream.
 *  - fail/leave victims and the churn population are drawn among the
 *    nodes in a session (live or joining), in index order (in_session):
 *    not among the live ones, whose set and ring order follow join
 *    completions;
 *  - the timeline counts a join when the schedule starts it (start_join).
 * What stays protocol-dependent: a sequential join starts when the
 * previous one completed; sources of lookups that are not per node, keys
 * `node` and `range` victims are drawn among the nodes live at that
 * moment; and the routes and their network draws.  Memory: the
 * per-action streams are 96 bytes per action, the per-node draws store
 * nothing (a 32-byte stream per node would be 320 MB at 10^7 nodes).
 */
#include "sim-driver.h"

#include "sim-workload.h"

#include <stdio.h>

struct _SimDriver
{
  const SimScenario *sc;
  SimMetrics *metrics;
  const SimProtocol *proto;
  gpointer self; /* the protocol's state */
  SimQueue *q;
  guint64 seed;
  /* The node life cycle, by index; the driver is its only writer. */
  GArray *ids;       /* SimKey: the id each node was created with */
  GArray *state;     /* guint8 SimNodeState */
  GArray *incarn;    /* guint32 incarnation */
  GArray *down;      /* guint32: nodes currently down, in the order they
                        went down (for rejoin selection) */
  SimOracle *oracle; /* the live nodes by id (over ids) */
  GArray *session;   /* SimTime: when the schedule last started the node's
                        join (its session), by index */
  SimActionGen *gens;
  guint n_gens;
  SimTime timeline_interval;
  SimTime end_hint;   /* latest time any action is scheduled to act */
  guint pending_work; /* generators with work left */
  guint64 events;
  gboolean fingerprinting; /* chain every executed event into fingerprint */
  guint64 fingerprint;
};

/* ---- Construction ---- */

SimDriver *
sim_driver_new (const SimScenario *sc, SimMetrics *metrics,
                const SimProtocol *proto, gpointer self)
{
  g_return_val_if_fail (sc != NULL && metrics != NULL && proto != NULL, NULL);
  SimDriver *d = g_new0 (SimDriver, 1);
  d->sc = sc;
  d->metrics = metrics;
  d->proto = proto;
  d->self = self;
  d->q = sim_queue_new (SIM_QUEUE_DEFAULT);
  d->ids = g_array_new (FALSE, FALSE, sizeof (SimKey));
  d->oracle = sim_oracle_new (d->ids);
  d->state = g_array_new (FALSE, FALSE, sizeof (guint8));
  d->incarn = g_array_new (FALSE, FALSE, sizeof (guint32));
  d->down = g_array_new (FALSE, FALSE, sizeof (guint32));
  d->session = g_array_new (FALSE, TRUE, sizeof (SimTime));
  guint64 seed = sim_scenario_get_uint (sc, "seed");
  d->seed = seed;
  d->timeline_interval = sim_scenario_get_time (sc, "timeline_interval");
  SimTime from, to;
  sim_scenario_measure_window (sc, &from, &to);
  sim_metrics_set_window (metrics, from, to);

  d->n_gens = sim_scenario_n_actions (sc);
  d->gens = g_new0 (SimActionGen, d->n_gens);
  guint phases = 0;
  for (guint i = 0; i < d->n_gens; i++)
    {
      const SimAction *a = sim_scenario_action (sc, i);
      sim_action_gen_init (&d->gens[i], a, seed, i, &phases);
      SimTime end = sim_time_add (a->at, MAX (a->over, a->duration));
      d->end_hint = MAX (d->end_hint, end);
    }
  sim_metrics_set_phases (metrics, phases);
  return d;
}

void
sim_driver_free (SimDriver *d)
{
  if (d == NULL)
    return;
  for (guint i = 0; i < d->n_gens; i++)
    sim_action_gen_clear (&d->gens[i]);
  g_free (d->gens);
  sim_oracle_free (d->oracle);
  g_array_free (d->ids, TRUE);
  g_array_free (d->state, TRUE);
  g_array_free (d->incarn, TRUE);
  g_array_free (d->down, TRUE);
  g_array_free (d->session, TRUE);
  sim_queue_free (d->q);
  g_free (d);
}

SimQueue *
sim_driver_queue (SimDriver *d)
{
  return d->q;
}

const GArray *
sim_driver_states (const SimDriver *d)
{
  return d->state;
}

const GArray *
sim_driver_incarnations (const SimDriver *d)
{
  return d->incarn;
}

const GArray *
sim_driver_down (const SimDriver *d)
{
  return d->down;
}

const SimOracle *
sim_driver_oracle (const SimDriver *d)
{
  return d->oracle;
}

const SimKey *
sim_driver_node_id (const SimDriver *d, guint32 x)
{
  g_return_val_if_fail (d != NULL && x < d->ids->len, NULL);
  return &g_array_index (d->ids, SimKey, x);
}

/* ---- Nodes ---- */

static inline SimNodeState
node_state (const SimDriver *d, guint32 x)
{
  return sim_node_state (d->state, x);
}

/* TRUE for the driver's own event kinds. */
static inline gboolean
driver_event (guint kind)
{
  return kind == SIM_EV_ACTION || kind == SIM_EV_NODE_LOOKUP
         || kind == SIM_EV_CHURN || kind == SIM_EV_TRACE
         || kind == SIM_EV_TIMELINE;
}

void
sim_driver_timer (SimDriver *d, SimTime at, guint kind, guint32 x, guint32 low)
{
  guint64 b = ((guint64) sim_node_incarnation (d->incarn, x) << 32) | low;
  sim_queue_push (d->q, at, kind, x, b);
}

static void node_lookups_catch_up (SimDriver *d, guint32 x);

/* ---- The node life cycle ----
 *
 * Every change of a node's state goes through the four functions below:
 * node_register (created: JOINING, or LIVE for a build), start_join
 * (JOINING again), sim_driver_node_live (LIVE) and node_down (DOWN, the
 * next incarnation).  A node is in the oracle exactly when it is LIVE;
 * the live count the metrics integrate changes with the oracle. */

static guint32
node_register (SimDriver *d, const SimKey *id, SimNodeState st)
{
  guint32 x = d->state->len;
  guint8 st8 = (guint8) st;
  guint32 inc = 0;
  g_array_append_val (d->ids, *id);
  g_array_append_val (d->state, st8);
  g_array_append_val (d->incarn, inc);
  if (st == SIM_NODE_LIVE)
    {
      sim_oracle_add (d->oracle, x);
      sim_metrics_live (d->metrics, sim_driver_now (d),
                        sim_oracle_size (d->oracle));
    }
  return x;
}

guint32
sim_driver_node_add (SimDriver *d, const SimKey *id, SimNodeState state)
{
  g_return_val_if_fail (d != NULL && id != NULL, SIM_NODE_NONE);
  g_return_val_if_fail (state == SIM_NODE_JOINING || state == SIM_NODE_LIVE,
                        SIM_NODE_NONE);
  return node_register (d, id, state);
}

void
sim_driver_node_live (SimDriver *d, guint32 x)
{
  g_return_if_fail (d != NULL && x < d->session->len);
  g_return_if_fail (node_state (d, x) == SIM_NODE_JOINING);
  g_array_index (d->state, guint8, x) = SIM_NODE_LIVE;
  sim_oracle_add (d->oracle, x);
  sim_metrics_live (d->metrics, sim_driver_now (d),
                    sim_oracle_size (d->oracle));
  node_lookups_catch_up (d, x);
}

/* Takes x down after the protocol dropped its state: out of the oracle,
 * the next incarnation (its pending timers become stale), on the down
 * list. */
static void
node_down (SimDriver *d, guint32 x, SimNodeEvent ev)
{
  SimTime now = sim_driver_now (d);
  if (node_state (d, x) == SIM_NODE_LIVE)
    {
      sim_oracle_remove (d->oracle, x);
      sim_metrics_live (d->metrics, now, sim_oracle_size (d->oracle));
    }
  g_array_index (d->state, guint8, x) = SIM_NODE_DOWN;
  g_array_index (d->incarn, guint32, x)++;
  g_array_append_val (d->down, x);
  sim_metrics_node_event (d->metrics, now, ev);
}

/* Starts node x's join, as the schedule wants it now.  The timeline counts
 * a join when it starts (an arrival of the schedule, as leaves and
 * failures are departures), not when it completes: its completion is the
 * protocol's doing and shows in the live count. */
static void
start_join (SimDriver *d, guint32 x, guint action)
{
  if (x >= d->session->len)
    g_array_set_size (d->session, x + 1);
  g_array_index (d->session, SimTime, x) = sim_driver_now (d);
  g_array_index (d->state, guint8, x) = SIM_NODE_JOINING;
  sim_metrics_node_event (d->metrics, sim_driver_now (d), SIM_NODE_EVENT_JOIN);
  d->proto->join_start (d->self, x, action);
}

/* Creates a node for action g (id NULL: a fresh random id), drawing its id
 * and position from g's own streams. */
static guint32
create_node (SimDriver *d, guint g, const SimKey *id)
{
  SimActionGen *gen = &d->gens[g];
  SimKey fresh;
  if (id == NULL)
    {
      /* A duplicate of a live id is astronomically unlikely (2^-128 per
       * pair) but would break the oracle; draw again if it ever
       * happens. */
      do
        {
          fresh.hi = sim_rng_next_u64 (&gen->rng_ids);
          fresh.lo = sim_rng_next_u64 (&gen->rng_ids);
        }
      while (sim_oracle_has_id (d->oracle, &fresh));
      id = &fresh;
    }
  guint32 x = node_register (d, id, SIM_NODE_JOINING);
  d->proto->node_create (d->self, x, id, &gen->rng_topology);
  return x;
}

/* Brings a down node back for action g: same id (same index) or a fresh
 * node. */
static guint32
rejoin (SimDriver *d, guint g, guint32 x, gboolean same_id, guint action)
{
  if (!same_id)
    x = create_node (d, g, NULL);
  else
    {
      g_array_index (d->incarn, guint32, x)++;
      d->proto->node_renew (d->self, x);
      for (guint i = 0; i < d->down->len; i++)
        if (g_array_index (d->down, guint32, i) == x)
          {
            g_array_remove_index (d->down, i);
            break;
          }
    }
  start_join (d, x, action);
  return x;
}

void
sim_driver_join_done (SimDriver *d, guint action)
{
  g_return_if_fail (d != NULL);
  if (action != G_MAXUINT
      && d->gens[action].action->spread == SIM_SPREAD_SEQUENTIAL)
    {
      /* The next sequential join starts now. */
      SimActionGen *gen = &d->gens[action];
      if (gen->done < gen->action->count)
        sim_queue_push (d->q, sim_driver_now (d), SIM_EV_ACTION, action, 0);
      else
        d->pending_work--;
    }
}

/* ---- Scenario actions ---- */

/* The driver's life cycle as the workload's draws see it
 * (sim-workload.h). */
static SimNodeState
view_state (gpointer data, guint32 x)
{
  return node_state (data, x);
}

static guint
view_ring_after (gpointer data, guint32 first, guint k, guint32 *out)
{
  SimDriver *d = data;
  g_autofree guint32 *left = g_new (guint32, k);
  return sim_oracle_neighbours (d->oracle, first, k, left, out);
}

/* The nodes in a session (live or joining: started by the schedule and
 * not yet down), in index order, are those victims and churn slots are
 * drawn from: which nodes these are is fixed by the schedule alone,
 * whereas the live set and the live ring's order follow join
 * completions, so those draws do not depend on the protocol. */
static SimNodeView
node_view (SimDriver *d)
{
  return (SimNodeView){ d, d->state->len, view_state, view_ring_after };
}

/* The number of units (events) an action's generator issues. */
static guint64
action_units (SimDriver *d, SimActionGen *gen)
{
  const SimAction *a = gen->action;
  switch (a->kind)
    {
    case SIM_ACTION_FAIL:
    case SIM_ACTION_LEAVE:
    case SIM_ACTION_REJOIN:
      return gen->slots != NULL ? gen->slots->len : 0;
    default:
      return a->count;
    }
}

/* Schedules the next unit of generator g, if any remain.  Returns FALSE
 * when the generator is exhausted. */
static gboolean
action_schedule_next (SimDriver *d, guint g)
{
  SimActionGen *gen = &d->gens[g];
  SimTime t;
  if (gen->action->spread == SIM_SPREAD_SEQUENTIAL)
    return gen->done < action_units (d, gen); /* the join completion
                                                 schedules it */
  if (!sim_action_gen_next_time (gen, action_units (d, gen), sim_driver_now (d),
                                 &t))
    return FALSE;
  sim_queue_push (d->q, t, SIM_EV_ACTION, g, 0);
  return TRUE;
}

/* ---- Lookups ---- */

/* Starts a lookup of lookup action gen due at `due`, from src
 * (SIM_NODE_NONE: a live node drawn from rng), for a key drawn from rng
 * by the action's key mode: a random live node's id, a random id, or a
 * rank of the action's Zipf population.  Nothing when no node is live
 * (and nothing drawn).  The draws, in this order, are the workload's
 * (common random numbers): they depend on the live set, never on the
 * protocol's own state. */
static void
start_lookup (SimDriver *d, SimActionGen *gen, guint32 src, SimTime due,
              SimRng *rng)
{
  guint src_rank, key_rank;
  SimKey key;
  if (!sim_action_gen_draw_lookup (
          gen, d->seed, rng, sim_oracle_size (d->oracle), src == SIM_NODE_NONE,
          &src_rank, &key_rank, &key))
    return;
  if (src == SIM_NODE_NONE)
    src = sim_oracle_nth (d->oracle, src_rank);
  if (key_rank != G_MAXUINT)
    key = g_array_index (d->ids, SimKey, sim_oracle_nth (d->oracle, key_rank));
  d->proto->lookup_start (d->self, src, &key, due, gen->phase);
}

/* ---- Per-node lookups ----
 *
 * A node's lookups for a per-node action follow a chain fixed by its
 * session: it starts at c = max(session start, action start), where the
 * session starts when the schedule creates or rejoins the node (not when
 * its join completes), and steps by gaps drawn from the action's
 * distribution.  The draws at chain instant t (the key when t is a
 * lookup, then the gap to the next instant) come from a counter-based
 * stream keyed by (node, incarnation, action, t): they depend on nothing
 * else, and nothing is stored per node.  A lookup due while its node is
 * still joining waits for the join: it is routed when the join completes
 * and reported at its due time (t_s), its latency and lookup_timeout
 * counted from when routing began (latency and RDP measure routing, not
 * join speed, which join_time_mean_s reports); if the node goes down
 * first, it ends then as failed (failed_holder_down).  So lookups.csv's
 * t_s,src,key do not depend on join timing.  Rejected: starting the chain
 * at join completion (the former way: a slower join shifted every later
 * lookup of the node); dropping the lookups due while joining (the
 * workload would shrink with join speed); counting the wait in the
 * latency (measured: it doubled ci/churn's mean_rdp, 2.26 -> 4.93, a
 * few lookups waiting seconds for a lost join reply). */

typedef struct
{
  SimDriver *d;
  SimActionGen *gen;
  guint32 x;
} ChainIssue;

static void
chain_issue (gpointer data, SimTime t, SimRng *r)
{
  ChainIssue *c = data;
  start_lookup (c->d, c->gen, c->x, t, r);
}

/* Runs node x's chain of per-node lookup action g from instant t (a
 * lookup instant when is_lookup, else the chain's start): issues every
 * lookup due by now, then arms the timer of the next one if x is live. */
static void
node_lookups_run (SimDriver *d, guint32 x, guint g, SimTime t,
                  gboolean is_lookup)
{
  ChainIssue c = { d, &d->gens[g], x };
  SimTime next = sim_node_lookups_chain (
      &d->gens[g], g, d->seed, x, sim_node_incarnation (d->incarn, x), t,
      is_lookup, sim_driver_now (d), chain_issue, &c);
  if (next != SIM_TIME_MAX && node_state (d, x) == SIM_NODE_LIVE)
    sim_driver_timer (d, next, SIM_EV_NODE_LOOKUP, x, g);
}

/* Node x's session has reached the point where its lookups can go: its
 * join completed (x live: the lookups due so far are issued late, the next
 * is scheduled), or it goes down still joining (x not live: the lookups
 * due so far end as failed).  For every per-node action already started;
 * the action's start covers the nodes live then. */
static void
node_lookups_catch_up (SimDriver *d, guint32 x)
{
  SimTime now = sim_driver_now (d);
  SimTime session = g_array_index (d->session, SimTime, x);
  for (guint g = 0; g < d->n_gens; g++)
    {
      SimTime c;
      if (sim_node_lookups_resume (&d->gens[g], d->gens[g].done != 0, session,
                                   now, &c))
        node_lookups_run (d, x, g, c, FALSE);
    }
}

/* The schedule takes node x down (a crash, or a leave when leave): a node
 * still joining first settles the lookups it owed (node_lookups_catch_up
 * ends them as failed). */
static void
schedule_down (SimDriver *d, guint32 x, gboolean leave)
{
  if (node_state (d, x) == SIM_NODE_DOWN)
    return;
  if (node_state (d, x) == SIM_NODE_JOINING)
    node_lookups_catch_up (d, x);
  if (leave)
    d->proto->leave (d->self, x);
  else
    d->proto->fail (d->self, x);
  node_down (d, x, leave ? SIM_NODE_EVENT_LEAVE : SIM_NODE_EVENT_FAIL);
}

/* ---- Churn ---- */

static void
churn_schedule (SimDriver *d, guint g, guint32 slot, gboolean up)
{
  SimTime t;
  if (sim_action_gen_churn_next (&d->gens[g], sim_driver_now (d), up, &t))
    sim_queue_push (d->q, t, SIM_EV_CHURN, slot, g);
}

static void
handle_churn (SimDriver *d, guint32 slot, guint g)
{
  SimActionGen *gen = &d->gens[g];
  guint32 *x = &g_array_index (gen->slots, guint32, slot);
  if (*x != G_MAXUINT32 && node_state (d, *x) != SIM_NODE_DOWN)
    {
      schedule_down (d, *x, FALSE); /* the session ends: a crash */
      churn_schedule (d, g, slot, FALSE);
      return;
    }
  if (*x == G_MAXUINT32)
    {
      *x = create_node (d, g, NULL);
      start_join (d, *x, G_MAXUINT);
    }
  else
    *x = rejoin (d, g, *x, gen->action->same_id, G_MAXUINT);
  churn_schedule (d, g, slot, TRUE);
}

typedef struct
{
  SimDriver *d;
  guint g;
} Pusher;

static void
push_churn (gpointer data, SimTime t, guint32 slot)
{
  Pusher *p = data;
  sim_queue_push (p->d->q, t, SIM_EV_CHURN, slot, p->g);
}

static void
start_churn (SimDriver *d, guint g)
{
  SimNodeView v = node_view (d);
  Pusher p = { d, g };
  sim_action_gen_churn_start (&d->gens[g], &v, sim_driver_now (d), push_churn,
                              &p);
}

static void
handle_trace (SimDriver *d, guint32 row_i, guint64 b)
{
  guint g = (guint) (b >> 1);
  gboolean leave = (b & 1) != 0;
  SimActionGen *gen = &d->gens[g];
  const SimTraceRow *row = sim_trace_row (gen->action->trace, row_i);
  guint32 *x = sim_action_gen_trace_node (gen, row_i);
  if (leave)
    {
      if (*x != G_MAXUINT32)
        schedule_down (d, *x, FALSE);
      return;
    }
  if (*x == G_MAXUINT32)
    {
      SimKey id;
      if (row->has_id)
        id = sim_key_from_bytes (row->id);
      *x = create_node (d, g, row->has_id ? &id : NULL);
      start_join (d, *x, G_MAXUINT);
    }
  else if (node_state (d, *x) == SIM_NODE_DOWN)
    *x = rejoin (d, g, *x, gen->action->same_id || row->has_id, G_MAXUINT);
}

static void
push_trace (gpointer data, SimTime t, guint32 row, gboolean leave)
{
  Pusher *p = data;
  sim_queue_push (p->d->q, t, SIM_EV_TRACE, row, ((guint64) p->g << 1) | leave);
}

static void
start_trace (SimDriver *d, guint g)
{
  Pusher p = { d, g };
  SimTime last = sim_action_gen_trace_start (&d->gens[g], push_trace, &p);
  /* The replay is work until its last row has acted. */
  sim_queue_push (d->q, last, SIM_EV_ACTION, g, 1);
}

static void
handle_action (SimDriver *d, guint g)
{
  SimActionGen *gen = &d->gens[g];
  const SimAction *a = gen->action;
  switch (a->kind)
    {
    case SIM_ACTION_JOIN:
      gen->done++;
      start_join (d, create_node (d, g, NULL), g);
      break;
    case SIM_ACTION_BUILD:
      {
        d->proto->build (d->self, a, g, &gen->rng_ids, &gen->rng_topology);
        gen->done = a->count;
        break;
      }
    case SIM_ACTION_LOOKUP:
      if (a->spread == SIM_SPREAD_PER_NODE)
        {
          /* Start every live node's own lookup chain. */
          gen->done = 1;
          guint n_live = sim_oracle_size (d->oracle);
          for (guint i = 0; i < n_live; i++)
            node_lookups_run (d, sim_oracle_nth (d->oracle, i), g, a->at,
                              FALSE);
          d->pending_work--;
          return;
        }
      gen->done++;
      start_lookup (d, gen, SIM_NODE_NONE, sim_driver_now (d), &gen->rng);
      break;
    case SIM_ACTION_FAIL:
    case SIM_ACTION_LEAVE:
    case SIM_ACTION_REJOIN:
      if (gen->slots == NULL)
        {
          gen->slots = g_array_new (FALSE, FALSE, sizeof (guint32));
          SimNodeView v = node_view (d);
          if (a->kind == SIM_ACTION_REJOIN)
            sim_action_gen_select_rejoiners (gen, (guint32 *) d->down->data,
                                             d->down->len, gen->slots);
          else
            sim_action_gen_select_victims (gen, &v, gen->slots);
          if (gen->slots->len == 0)
            {
              d->pending_work--;
              return;
            }
        }
      {
        guint32 x = g_array_index (gen->slots, guint32, gen->done);
        gen->done++;
        if (a->kind != SIM_ACTION_REJOIN)
          schedule_down (d, x, a->kind == SIM_ACTION_LEAVE);
        else if (node_state (d, x) == SIM_NODE_DOWN)
          rejoin (d, g, x, a->same_id, G_MAXUINT);
      }
      break;
    case SIM_ACTION_CHURN:
      start_churn (d, g);
      /* Churn keeps the run going until its interval ends. */
      sim_queue_push (d->q, sim_time_add (a->at, a->duration), SIM_EV_ACTION, g,
                      1);
      return;
    case SIM_ACTION_TRACE:
      start_trace (d, g);
      return; /* start_trace schedules the end of the replay */
    default:
      g_assert_not_reached ();
    }
  if (a->spread != SIM_SPREAD_SEQUENTIAL && !action_schedule_next (d, g))
    d->pending_work--;
}

/* ---- The event loop ---- */

/* Chains one executed event into the fingerprint: its time, kind, node,
 * and for messages their type.  A rotate-xor-multiply per word: cheap, and
 * any change of order or content changes every later value. */
static inline guint64
fp_mix (guint64 h, guint64 x)
{
  h = ((h << 5) | (h >> 59)) ^ x;
  return h * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
}

static void
fingerprint_event (SimDriver *d, const SimEvent *ev)
{
  guint64 type = 0;
  if (!driver_event (ev->kind))
    type = d->proto->event_tag (d->self, ev);
  guint64 h = d->fingerprint;
  h = fp_mix (h, ev->at);
  h = fp_mix (h, ((guint64) ev->kind << 40) | (type << 32) | ev->a);
  d->fingerprint = h;
}

void
sim_driver_set_fingerprint (SimDriver *d, gboolean on)
{
  g_return_if_fail (d != NULL);
  d->fingerprinting = on;
  d->fingerprint = G_GUINT64_CONSTANT (0xcbf29ce484222325);
}

guint64
sim_driver_fingerprint (const SimDriver *d)
{
  g_return_val_if_fail (d != NULL, 0);
  return d->fingerprint;
}

static void
progress_line (SimDriver *d, gint64 started)
{
  double wall = (double) (g_get_monotonic_time () - started) / 1e6;
  double sim_s = sim_time_to_s (sim_driver_now (d));
  double end_s = sim_time_to_s (d->end_hint);
  double rate = wall > 0 ? (double) d->events / wall : 0;
  char eta[32] = "?";
  if (sim_s > 0 && end_s > sim_s)
    g_snprintf (eta, sizeof eta, "%.0f s", wall * (end_s - sim_s) / sim_s);
  fprintf (stderr,
           "\r\033[Kt=%.1f s  nodes=%u  events=%" G_GUINT64_FORMAT
           "  %.2f M events/s  lookups=%" G_GUINT64_FORMAT "  ETA %s",
           sim_s, sim_oracle_size (d->oracle), d->events, rate / 1e6,
           d->proto->lookups_ended (d->self), eta);
}

gboolean
sim_driver_run (SimDriver *d, gboolean progress, volatile int *cancel)
{
  g_return_val_if_fail (d != NULL, FALSE);

  for (guint g = 0; g < d->n_gens; g++)
    {
      const SimAction *a = d->gens[g].action;
      d->pending_work++;
      if (a->kind == SIM_ACTION_CHURN || a->kind == SIM_ACTION_TRACE
          || a->spread == SIM_SPREAD_PER_NODE || a->kind == SIM_ACTION_FAIL
          || a->kind == SIM_ACTION_LEAVE || a->kind == SIM_ACTION_REJOIN
          || a->kind == SIM_ACTION_BUILD || a->spread == SIM_SPREAD_SEQUENTIAL)
        sim_queue_push (d->q, a->at, SIM_EV_ACTION, g, 0);
      else if (!action_schedule_next (d, g))
        d->pending_work--;
    }
  /* Per-node lookup workloads end at a known time: count them as work
   * until then, so the run does not stop while they are scheduled. */
  for (guint g = 0; g < d->n_gens; g++)
    if (d->gens[g].action->spread == SIM_SPREAD_PER_NODE)
      {
        d->pending_work++;
        sim_queue_push (
            d->q,
            sim_time_add (d->gens[g].action->at, d->gens[g].action->duration),
            SIM_EV_ACTION, g, 1);
      }
  if (d->timeline_interval > 0)
    sim_queue_push (d->q, d->timeline_interval, SIM_EV_TIMELINE, 0, 0);

  /* Simulated time without progress after which a run is declared
   * stalled. */
  SimTime stall_limit
      = MAX (10 * SIM_TIME_MIN, 4 * d->proto->lookup_timeout (d->self));
  gint64 started = g_get_monotonic_time ();
  gint64 next_progress = started + G_USEC_PER_SEC;
  gboolean lookups_pending = TRUE;
  SimEvent ev;
  guint prev_inflight = 0;
  SimTime idle_since = 0;
  gboolean stalled = FALSE;
  for (;;)
    {
      /* Lookups and joins in flight: the protocol's count. */
      guint inflight = d->proto->inflight (d->self);
      if ((d->pending_work == 0 && inflight == 0) || !sim_queue_pop (d->q, &ev))
        break;
      d->events++;
      if (G_UNLIKELY (d->fingerprinting))
        fingerprint_event (d, &ev);
      /* Guard: with every action done, lookups and joins that make no
       * progress for a long time (a protocol stall) end the run instead of
       * letting maintenance timers run forever. */
      if (inflight != prev_inflight)
        {
          prev_inflight = inflight;
          idle_since = ev.at;
        }
      else if (d->pending_work == 0 && ev.at - idle_since > stall_limit)
        {
          stalled = TRUE;
          break;
        }
      if ((d->events & 0xffff) == 0)
        {
          if (cancel != NULL && *cancel)
            return FALSE;
          if (progress && g_get_monotonic_time () >= next_progress)
            {
              progress_line (d, started);
              next_progress += G_USEC_PER_SEC;
            }
        }
      switch (ev.kind)
        {
        case SIM_EV_ACTION:
          if (ev.b == 1)
            {
              d->pending_work--; /* a churn or per-node workload ended */
              break;
            }
          if (lookups_pending
              && d->gens[ev.a].action->kind == SIM_ACTION_LOOKUP)
            {
              d->proto->lookups_begin (d->self);
              lookups_pending = FALSE;
            }
          handle_action (d, ev.a);
          if (cancel != NULL && *cancel)
            return FALSE;
          break;
        case SIM_EV_NODE_LOOKUP:
          if (sim_node_timer_current (d->state, d->incarn, ev.a, ev.b))
            node_lookups_run (d, ev.a, (guint32) ev.b, ev.at, TRUE);
          break;
        case SIM_EV_CHURN:
          handle_churn (d, ev.a, (guint) ev.b);
          break;
        case SIM_EV_TRACE:
          handle_trace (d, ev.a, ev.b);
          break;
        case SIM_EV_TIMELINE:
          sim_metrics_timeline_tick (d->metrics, sim_driver_now (d));
          sim_queue_push (d->q, sim_driver_now (d) + d->timeline_interval,
                          SIM_EV_TIMELINE, 0, 0);
          break;
        default:
          d->proto->event (d->self, &ev);
        }
    }
  SimTime end = sim_driver_now (d);
  /* Whatever is still in flight (after a stall) ends now, as failed. */
  guint stalled_inflight = d->proto->inflight (d->self);
  guint64 abandoned = d->proto->abandon (d->self);
  sim_metrics_timeline_tick (d->metrics, end);
  if (progress)
    {
      progress_line (d, started);
      fputc ('\n', stderr);
    }

  /* Summary figures: the driver's, then the protocol's. */
  sim_metrics_set (d->metrics, "nodes", sim_oracle_size (d->oracle));
  d->proto->summary (d->self);
  if (stalled)
    g_warning ("the run stalled: %u lookups or joins made no progress for "
               "%.0f s of simulated time after the last action; stopped "
               "(%" G_GUINT64_FORMAT " lookups counted as failed)",
               stalled_inflight, sim_time_to_s (stall_limit), abandoned);
  sim_metrics_set (d->metrics, "events", (double) d->events);
  sim_metrics_set (d->metrics, "sim_time_s", sim_time_to_s (end));
  d->proto->measure (d->self);
  sim_metrics_finish (d->metrics, end);
  return TRUE;
}
