/* sim-world.c — construction, the event loop and scenario actions.
 *
 * The run ends when every action is exhausted, no lookup is in flight and
 * no join is in progress (pending_work == inflight == 0): periodic maintenance
 * timers alone do not keep it going.  Nothing here iterates a hash table:
 * event order is the queue's (time, sequence) order and every random
 * choice comes from a purpose-specific stream, so a run is a function of
 * scenario and seed.  See sim-world-private.h for the layout and the
 * protocol files for the protocol.
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
 *    (sim__world_net_rng);
 *  - protocol choices (timer phases, bootstrap samples, builds) keep one
 *    stream, rng_protocol.
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
#include "sim-world-private.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK (sim-world-error-quark, sim_world_error)

/* Simulated time without progress after which a run is declared stalled. */
#define STALL_LIMIT(w) MAX (10 * SIM_TIME_MIN, 4 * (w)->lookup_timeout)

/* ---- Messages ---- */

guint32
sim__world_msg_new (SimWorld *w, PastryMsgType type, guint32 about)
{
  guint32 m;
  if (w->msg_free->len > 0)
    {
      m = g_array_index (w->msg_free, guint32, w->msg_free->len - 1);
      g_array_set_size (w->msg_free, w->msg_free->len - 1);
    }
  else
    {
      g_array_set_size (w->msgs, w->msgs->len + 1);
      m = w->msgs->len - 1;
    }
  PastryMessage *msg = sim__world_msg (w, m);
  memset (msg, 0, sizeof *msg);
  msg->type = (guint8) type;
  msg->about = about;
  return m;
}

void
sim__world_msg_release (SimWorld *w, guint32 m)
{
  PastryMessage *msg = sim__world_msg (w, m);
  g_free (msg->entries);
  memset (msg, 0, sizeof *msg);
  g_array_append_val (w->msg_free, m);
}

void
sim__world_msg_add (SimWorld *w, guint32 m, const PastryEntry *e, guint n)
{
  if (n == 0)
    return;
  PastryMessage *msg = sim__world_msg (w, m);
  msg->entries = g_renew (PastryEntry, msg->entries, msg->n_entries + n);
  memcpy (msg->entries + msg->n_entries, e, n * sizeof (PastryEntry));
  msg->n_entries += n;
}

void
sim__world_msg_add_leafset (SimWorld *w, guint32 m, guint32 node)
{
  PastryPeer leaf[256];
  PastryEntry e[256];
  guint n = pastry_node_export_leafset (sim__world_node (w, node), leaf);
  for (guint i = 0; i < n; i++)
    {
      e[i].peer = leaf[i];
      e[i].prox = PASTRY_PROX_UNKNOWN;
    }
  sim__world_msg_add (w, m, e, n);
}

/* Requests whose target may be down: they come back as timeouts.  Without
 * oracle hints a JOIN is acknowledged hop by hop, and a joiner's
 * announcement to a leaf-set member is answered, so a dead or unreachable
 * target is found either way (those acknowledgements are not simulated as
 * messages). */
static gboolean
expects_reply (const PastryMessage *msg)
{
  PastryMsgType t = msg->type;
  return t == PASTRY_MSG_PROBE || t == PASTRY_MSG_LEAFSET_REQUEST
         || t == PASTRY_MSG_ENTRY_REQUEST || t == PASTRY_MSG_ROW_REQUEST
         || (t == PASTRY_MSG_JOIN && (msg->flags & PASTRY_MSG_FLAG_ACKED))
         || (t == PASTRY_MSG_ANNOUNCE && (msg->flags & PASTRY_MSG_FLAG_LEAF));
}

/* Replies whose requester acts on their absence: a joiner counting its
 * replies, a node that broadcasts a repaired leaf set once the far
 * member's answer is in, a table repair moving on to its next source. */
static gboolean
awaited (const PastryMessage *msg)
{
  return msg->type == PASTRY_MSG_JOIN_REPLY
         || (msg->type == PASTRY_MSG_ROW_REPLY
             && (msg->flags & PASTRY_MSG_FLAG_JOINING))
         || msg->type == PASTRY_MSG_LEAFSET_REPLY
         || msg->type == PASTRY_MSG_ENTRY_REPLY;
}

void
sim__world_send (SimWorld *w, guint32 from, guint32 to, guint32 m)
{
  PastryMessage *msg = sim__world_msg (w, m);
  SimTime now = sim__world_now (w);
  msg->from = from;
  msg->to = to;
  msg->sent = now;
  sim__world_count_msg (w, now, msg->type, msg->n_entries + 1,
                       (msg->flags & PASTRY_MSG_FLAG_REPAIR) != 0);
  gboolean lost = FALSE;
  SimTime d = sim_net_delay_sample (w->net, from, to,
                                    sim__world_net_rng (w, msg->type), &lost);
  if (lost)
    {
      if (w->maintain && expects_reply (msg))
        {
          msg->flags |= PASTRY_MSG_FLAG_TIMEOUT;
          sim_queue_push (w->q, sim_time_add (now, w->probe_timeout), EV_MSG,
                          from, m);
        }
      else if (w->maintain && awaited (msg))
        {
          /* The requester's own timer fires instead. */
          msg->flags |= PASTRY_MSG_FLAG_TIMEOUT;
          sim_queue_push (w->q, sim_time_add (now, w->probe_timeout), EV_MSG,
                          to, m);
        }
      else
        sim__world_msg_release (w, m);
      return;
    }
  sim_queue_push (w->q, sim_time_add (now, d), EV_MSG, to, m);
}

static void
handle_msg (SimWorld *w, guint32 at, guint32 m)
{
  PastryMessage *msg = sim__world_msg (w, m);
  if (sim__world_state (w, at) == NODE_DOWN)
    {
      /* Nobody home.  A request turns into a timeout at its sender. */
      if (w->maintain && expects_reply (msg) && !(msg->flags & PASTRY_MSG_FLAG_TIMEOUT)
          && sim__world_state (w, msg->from) != NODE_DOWN)
        {
          msg->flags |= PASTRY_MSG_FLAG_TIMEOUT;
          msg->epoch = sim__world_incarnation (w, at); /* the down life */
          sim_queue_push (w->q, sim_time_add (msg->sent, w->probe_timeout),
                          EV_MSG, msg->from, m);
          return;
        }
      sim__world_msg_release (w, m);
      return;
    }
  if ((msg->flags & PASTRY_MSG_FLAG_TIMEOUT) && msg->type == PASTRY_MSG_JOIN)
    {
      sim__world_join_bounced (w, at, m);
      return;
    }
  if (!(msg->flags & PASTRY_MSG_FLAG_TIMEOUT) && sim__world_join_msg (w, at, m))
    return;
  if (sim__world_maint_msg (w, at, m))
    return;
  sim__world_msg_release (w, m);
}

/* ---- Nodes ---- */

void
sim__world_timer (SimWorld *w, SimTime at, guint kind, guint32 node,
                  guint32 low)
{
  guint64 b = ((guint64) sim__world_incarnation (w, node) << 32) | low;
  sim_queue_push (w->q, at, kind, node, b);
}

static gboolean
timer_current (const SimWorld *w, guint32 node, guint64 b)
{
  return sim__world_state (w, node) == NODE_LIVE
         && (guint32) (b >> 32) == sim__world_incarnation (w, node);
}

static void node_lookups_catch_up (SimWorld *w, guint32 x);

void
sim__world_set_live (SimWorld *w, guint32 i)
{
  g_array_index (w->state, guint8, i) = NODE_LIVE;
  sim_ring_add (w->live, i);
  SimTime now = sim__world_now (w);
  sim_metrics_live (w->metrics, now, sim_ring_size (w->live));
  sim__world_maint_start (w, i);
  node_lookups_catch_up (w, i);
}

/* Starts node x's join, as the schedule wants it now.  The timeline counts
 * a join when it starts (an arrival of the schedule, as leaves and
 * failures are departures), not when it completes: its completion is the
 * protocol's doing and shows in the live count. */
static void
start_join (SimWorld *w, guint32 x, guint action)
{
  w->inflight++;
  sim_metrics_node_event (w->metrics, sim__world_now (w),
                          SIM_NODE_EVENT_JOIN);
  sim__world_join_start (w, x, action);
}

/* Creates a node for action g (id NULL: a fresh random id), drawing its id
 * and position from g's own streams: they are lent to
 * sim__world_node_create, which draws from w->rng_ids and
 * w->rng_topology. */
static guint32
create_node (SimWorld *w, guint g, const PastryId *id)
{
  ActionGen *gen = &w->gens[g];
  w->rng_ids = gen->rng_ids;
  w->rng_topology = gen->rng_topology;
  guint32 x = sim__world_node_create (w, id);
  gen->rng_ids = w->rng_ids;
  gen->rng_topology = w->rng_topology;
  return x;
}

/* Brings a down node back for action g: same id (same index) or a fresh
 * node. */
static guint32
rejoin (SimWorld *w, guint g, guint32 x, gboolean same_id, guint action)
{
  if (!same_id)
    x = create_node (w, g, NULL);
  else
    {
      g_array_index (w->incarn, guint32, x)++;
      pastry_node_free (g_ptr_array_index (w->nodes, x));
      g_ptr_array_index (w->nodes, x) = pastry_node_new (&w->cfg, w->dir, x);
      for (guint i = 0; i < w->down->len; i++)
        if (g_array_index (w->down, guint32, i) == x)
          {
            g_array_remove_index (w->down, i);
            break;
          }
    }
  start_join (w, x, action);
  return x;
}

void
sim__world_join_done (SimWorld *w, guint action)
{
  w->inflight--;
  if (action != G_MAXUINT
      && w->gens[action].action->spread == SIM_SPREAD_SEQUENTIAL)
    {
      /* The next sequential join starts now. */
      ActionGen *gen = &w->gens[action];
      if (gen->done < gen->action->count)
        sim_queue_push (w->q, sim__world_now (w), EV_ACTION, action, 0);
      else
        w->pending_work--;
    }
}

/* ---- Scenario actions ---- */

static int
cmp_ids (const void *a, const void *b)
{
  return pastry_id_cmp (a, b);
}

/* The nodes in a session (live or joining: started by the schedule and
 * not yet down), in index order.  Which nodes these are is fixed by the
 * schedule alone, whereas the live set and the live ring's order follow
 * join completions: victims and churn slots drawn from this list do not
 * depend on the protocol.  O(nodes ever created); for actions, not per
 * event.  Returns a new array of *n entries. */
static guint32 *
in_session (SimWorld *w, guint *n)
{
  guint32 *pool = g_new (guint32, MAX (w->nodes->len, 1));
  *n = 0;
  for (guint32 i = 0; i < w->nodes->len; i++)
    if (sim__world_state (w, i) != NODE_DOWN)
      pool[(*n)++] = i;
  return pool;
}

/* Draws count distinct nodes in a session (live or still joining) for a
 * FAIL/LEAVE action. */
static void
select_victims (SimWorld *w, ActionGen *gen, GArray *out)
{
  const SimAction *a = gen->action;
  guint live;
  g_autofree guint32 *pool = in_session (w, &live);
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
            guint j = i + (guint) sim_rng_uniform_u64 (&gen->rng,
                                                       live - i);
            guint32 t = pool[i];
            pool[i] = pool[j];
            pool[j] = t;
            g_array_append_val (out, pool[i]);
          }
        break;
      }
    case SIM_SELECT_RANGE:
      {
        /* A run of neighbours in the live ring: it starts at a live
         * node. */
        guint n_live = 0;
        for (guint i = 0; i < live; i++)
          if (sim__world_state (w, pool[i]) == NODE_LIVE)
            pool[n_live++] = pool[i];
        if (n_live == 0)
          break;
        want = MIN (want, n_live);
        guint32 first = pool[sim_rng_uniform_u64 (&gen->rng, n_live)];
        g_array_append_val (out, first);
        if (want > 1)
          {
            PastryPeer *left = g_new (PastryPeer, want);
            PastryPeer *right = g_new (PastryPeer, want);
            guint n = sim_ring_neighbours (w->live, first, (guint) want - 1,
                                           left, right);
            g_array_append_vals (out, right, n);
            g_free (left);
            g_free (right);
          }
        break;
      }
    case SIM_SELECT_INDICES:
      for (guint i = 0; i < a->n_indices; i++)
        if (a->indices[i] < w->state->len
            && sim__world_state (w, (guint32) a->indices[i]) == NODE_LIVE)
          {
            guint32 v = (guint32) a->indices[i];
            g_array_append_val (out, v);
          }
      break;
    case SIM_SELECT_ALL:
    default:
      break;
    }
}

static void
select_rejoiners (SimWorld *w, ActionGen *gen, GArray *out)
{
  const SimAction *a = gen->action;
  guint n = w->down->len;
  guint64 want = a->select == SIM_SELECT_ALL ? n : MIN (a->count, n);
  guint32 *pool = g_memdup2 (w->down->data, n * sizeof (guint32));
  for (guint i = 0; i < want; i++)
    {
      guint j = i + (guint) sim_rng_uniform_u64 (&gen->rng, n - i);
      guint32 t = pool[i];
      pool[i] = pool[j];
      pool[j] = t;
      g_array_append_val (out, pool[i]);
    }
  g_free (pool);
}

/* The number of units (events) an action's generator issues. */
static guint64
action_units (SimWorld *w, ActionGen *gen)
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
action_schedule_next (SimWorld *w, guint g)
{
  ActionGen *gen = &w->gens[g];
  const SimAction *a = gen->action;
  SimTime now = sim__world_now (w);
  SimTime t;
  guint64 units = action_units (w, gen);
  switch (a->spread)
    {
    case SIM_SPREAD_AT_ONCE:
      if (gen->done >= units)
        return FALSE;
      t = MAX (now, a->at);
      break;
    case SIM_SPREAD_SEQUENTIAL:
      return gen->done < units; /* the join completion schedules it */
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
        t = from + sim_time_from_us (frac * (double) (end - from));
        if (t >= end)
          t = end - 1;
        gen->last = t;
        break;
      }
    case SIM_SPREAD_POISSON:
      {
        double gap_s = sim_rng_exponential (&gen->rng, 1.0 / a->rate_per_s);
        SimTime from = gen->done == 0 ? a->at : MAX (gen->last, a->at);
        /* A tiny rate gives a gap beyond SimTime: clamped, not wrapped. */
        t = sim_time_add (from,
                          sim_time_from_us (gap_s * (double) SIM_TIME_S));
        if (t >= sim_time_add (a->at, a->duration))
          return FALSE;
        gen->last = t;
        break;
      }
    default:
      return FALSE;
    }
  sim_queue_push (w->q, MAX (t, now), EV_ACTION, g, 0);
  return TRUE;
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

static SimTime
node_lookup_gap (const SimAction *a, SimRng *r)
{
  double s = a->has_every ? sim_dist_sample (&a->every, r)
                          : sim_rng_exponential (r, 1.0 / a->rate_per_s);
  /* At least 1 µs (also for NaN or a non-positive draw); a huge gap (a
   * rate of 1e-300/s) clamps to SIM_TIME_MAX instead of wrapping. */
  return MAX (sim_time_from_us (s * (double) SIM_TIME_S), 1);
}

/* Runs node x's chain of per-node lookup action g from instant t (a
 * lookup instant when is_lookup, else the chain's start): issues every
 * lookup due by now, then arms the timer of the next one if x is live.
 * Gaps are at least 1 µs, so t strictly increases. */
static void
node_lookups_run (SimWorld *w, guint32 x, guint g, SimTime t,
                  gboolean is_lookup)
{
  ActionGen *gen = &w->gens[g];
  const SimAction *a = gen->action;
  SimTime end = sim_time_add (a->at, a->duration);
  SimTime now = sim__world_now (w);
  for (;;)
    {
      guint64 key[4] = { x, sim__world_incarnation (w, x), g, t };
      SimRng r;
      sim_rng_init_keyed (&r, w->seed, SIM_RNG_PURPOSE_NODE_WORKLOAD, key,
                          G_N_ELEMENTS (key));
      if (is_lookup)
        sim__world_lookup_start (w, a, gen, x, t, &r);
      SimTime next = sim_time_add (t, node_lookup_gap (a, &r));
      if (next >= end)
        return;
      if (next > now)
        {
          if (sim__world_state (w, x) == NODE_LIVE)
            sim__world_timer (w, next, EV_NODE_LOOKUP, x, g);
          return;
        }
      t = next;
      is_lookup = TRUE;
    }
}

/* Node x's session has reached the point where its lookups can go: its
 * join completed (x live: the lookups due so far are issued late, the next
 * is scheduled), or it goes down still joining (x not live: the lookups
 * due so far end as failed).  For every per-node action already started;
 * the action's start covers the nodes live then. */
static void
node_lookups_catch_up (SimWorld *w, guint32 x)
{
  SimTime now = sim__world_now (w);
  const JoinState *js = g_ptr_array_index (w->joins, x);
  SimTime session = js != NULL ? js->started : now;
  for (guint g = 0; g < w->n_gens; g++)
    {
      const SimAction *a = w->gens[g].action;
      if (a->kind != SIM_ACTION_LOOKUP || a->spread != SIM_SPREAD_PER_NODE
          || a->at > now || w->gens[g].done == 0)
        continue;
      SimTime c = MAX (session, a->at);
      if (c < sim_time_add (a->at, a->duration))
        node_lookups_run (w, x, g, c, FALSE);
    }
}

/* The schedule takes node x down (a crash, or a leave when leave): a node
 * still joining first settles the lookups it owed (node_lookups_catch_up
 * ends them as failed). */
static void
schedule_down (SimWorld *w, guint32 x, gboolean leave)
{
  if (sim__world_state (w, x) == NODE_JOINING)
    node_lookups_catch_up (w, x);
  if (leave)
    sim__world_leave (w, x);
  else
    sim__world_fail (w, x);
}

/* ---- Churn ---- */

static void
churn_schedule (SimWorld *w, guint g, guint32 slot, gboolean up)
{
  const SimAction *a = w->gens[g].action;
  const SimDist *d = up ? &a->session : &a->down;
  SimTime t = sim_time_add (sim__world_now (w),
                            sim_dist_sample_time (d, &w->gens[g].rng,
                                                  SIM_TIME_S));
  if (t < sim_time_add (a->at, a->duration))
    sim_queue_push (w->q, t, EV_CHURN, slot, g);
}

static void
handle_churn (SimWorld *w, guint32 slot, guint g)
{
  ActionGen *gen = &w->gens[g];
  guint32 *x = &g_array_index (gen->slots, guint32, slot);
  if (*x != G_MAXUINT32 && sim__world_state (w, *x) != NODE_DOWN)
    {
      schedule_down (w, *x, FALSE); /* the session ends: a crash */
      churn_schedule (w, g, slot, FALSE);
      return;
    }
  if (*x == G_MAXUINT32)
    {
      *x = create_node (w, g, NULL);
      start_join (w, *x, G_MAXUINT);
    }
  else
    *x = rejoin (w, g, *x, gen->action->same_id, G_MAXUINT);
  churn_schedule (w, g, slot, TRUE);
}

static void
start_churn (SimWorld *w, guint g)
{
  ActionGen *gen = &w->gens[g];
  const SimAction *a = gen->action;
  guint live;
  guint32 *pool = in_session (w, &live);
  guint64 pop = a->population != 0 ? a->population : live;
  gen->slots = g_array_new (FALSE, FALSE, sizeof (guint32));
  for (guint64 i = 0; i < pop; i++)
    {
      guint32 x = i < live ? pool[i] : G_MAXUINT32;
      g_array_append_val (gen->slots, x);
      /* Live nodes start a session; the rest start down. */
      churn_schedule (w, g, (guint32) i, i < live);
    }
  g_free (pool);
}

static void
handle_trace (SimWorld *w, guint32 row_i, guint64 b)
{
  guint g = (guint) (b >> 1);
  gboolean leave = (b & 1) != 0;
  ActionGen *gen = &w->gens[g];
  const SimTraceRow *row = sim_trace_row (gen->action->trace, row_i);
  /* gen->slots maps trace rows to a dense trace-node number, filled at
   * start; the node per trace-node lives in the second half. */
  guint32 tn = g_array_index (gen->slots, guint32, row_i);
  guint32 *x = &g_array_index (gen->slots, guint32,
                               sim_trace_n_rows (gen->action->trace) + tn);
  if (leave)
    {
      if (*x != G_MAXUINT32)
        schedule_down (w, *x, FALSE);
      return;
    }
  if (*x == G_MAXUINT32)
    {
      PastryId id;
      if (row->has_id)
        id = pastry_id_from_bytes (row->id, 16);
      *x = create_node (w, g, row->has_id ? &id : NULL);
      start_join (w, *x, G_MAXUINT);
    }
  else if (sim__world_state (w, *x) == NODE_DOWN)
    *x = rejoin (w, g, *x, gen->action->same_id || row->has_id, G_MAXUINT);
}

static void
start_trace (SimWorld *w, guint g)
{
  ActionGen *gen = &w->gens[g];
  const SimAction *a = gen->action;
  const SimTrace *t = a->trace;
  guint n = sim_trace_n_rows (t);
  /* Dense numbering of trace nodes (by index or id), in row order.  The
   * hash table is only looked up, never iterated. */
  g_autoptr (GHashTable) names = g_hash_table_new_full (g_str_hash,
                                                        g_str_equal, g_free,
                                                        NULL);
  gen->slots = g_array_new (FALSE, FALSE, sizeof (guint32));
  guint next = 0;
  for (guint i = 0; i < n; i++)
    {
      const SimTraceRow *row = sim_trace_row (t, i);
      char *key;
      if (row->has_id)
        {
          PastryId id = pastry_id_from_bytes (row->id, 16);
          char hex[PASTRY_ID_HEX_LEN + 1];
          pastry_id_format (&id, hex);
          key = g_strdup (hex);
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
      sim_queue_push (w->q, sim_time_add (a->at, row->join), EV_TRACE, i,
                      (guint64) g << 1);
      last = MAX (last, row->join);
      if (row->leave != SIM_TIME_MAX)
        {
          sim_queue_push (w->q, sim_time_add (a->at, row->leave), EV_TRACE, i,
                          ((guint64) g << 1) | 1);
          last = MAX (last, row->leave);
        }
    }
  /* The replay is work until its last row has acted. */
  sim_queue_push (w->q, sim_time_add (a->at, last), EV_ACTION, g, 1);
}

static void
handle_action (SimWorld *w, guint g)
{
  ActionGen *gen = &w->gens[g];
  const SimAction *a = gen->action;
  switch (a->kind)
    {
    case SIM_ACTION_JOIN:
      gen->done++;
      start_join (w, create_node (w, g, NULL), g);
      break;
    case SIM_ACTION_BUILD:
      {
        /* Create the nodes in id order: the nodes that fit one routing-
         * table slot then have adjacent indices, so their network
         * positions sit together in memory and the build touches a few
         * cache lines per slot instead of one per candidate.  (Positions
         * are independent of ids, so this changes no distribution.) */
        guint64 n = a->count;
        PastryId *ids = g_new (PastryId, n);
        for (guint64 i = 0; i < n; i++)
          {
            ids[i].hi = sim_rng_next_u64 (&gen->rng_ids);
            ids[i].lo = sim_rng_next_u64 (&gen->rng_ids);
          }
        qsort (ids, n, sizeof (PastryId), cmp_ids);
        sim_net_reserve (w->net, (guint32) (w->nodes->len + n));
        /* Equal or already live ids: astronomically unlikely, but the
         * oracle needs distinct ids.  Checked against the live nodes
         * before any is added (the oracle is not built for a stream of
         * sorted insertions and queries). */
        gboolean *dup = g_new0 (gboolean, n);
        for (guint64 i = 0; i < n; i++)
          dup[i] = (i > 0 && pastry_id_equal (&ids[i], &ids[i - 1]))
                   || (sim_ring_size (w->live) > 0
                       && pastry_id_equal (pastry_directory_id
                                           (w->dir, sim_ring_root (w->live,
                                                                   &ids[i])),
                                           &ids[i]));
        for (guint64 i = 0; i < n; i++)
          {
            if (dup[i])
              continue;
            guint32 x = create_node (w, g, &ids[i]);
            g_array_index (w->state, guint8, x) = NODE_LIVE;
            sim_ring_add (w->live, x);
          }
        g_free (dup);
        g_free (ids);
        sim_metrics_live (w->metrics, sim__world_now (w),
                          sim_ring_size (w->live));
        gint64 t0 = g_get_monotonic_time ();
        sim__world_build_ideal (w, (PastryNode **) w->nodes->pdata,
                                w->build_sample, &w->rng_protocol);
        w->build_wall_us += g_get_monotonic_time () - t0;
        for (guint i = 0; i < sim_ring_size (w->live); i++)
          {
            guint32 x = sim_ring_nth (w->live, i);
            if (g_ptr_array_index (w->maint, x) == NULL)
              sim__world_maint_start (w, x);
          }
        gen->done = a->count;
        break;
      }
    case SIM_ACTION_LOOKUP:
      if (a->spread == SIM_SPREAD_PER_NODE)
        {
          /* Start every live node's own lookup chain. */
          gen->done = 1;
          for (guint i = 0; i < sim_ring_size (w->live); i++)
            node_lookups_run (w, sim_ring_nth (w->live, i), g, a->at, FALSE);
          w->pending_work--;
          return;
        }
      gen->done++;
      sim__world_lookup_start (w, a, gen, PASTRY_PEER_NONE,
                               sim__world_now (w), &gen->rng);
      break;
    case SIM_ACTION_FAIL:
    case SIM_ACTION_LEAVE:
    case SIM_ACTION_REJOIN:
      if (gen->slots == NULL)
        {
          gen->slots = g_array_new (FALSE, FALSE, sizeof (guint32));
          if (a->kind == SIM_ACTION_REJOIN)
            select_rejoiners (w, gen, gen->slots);
          else
            select_victims (w, gen, gen->slots);
          if (gen->slots->len == 0)
            {
              w->pending_work--;
              return;
            }
        }
      {
        guint32 x = g_array_index (gen->slots, guint32, gen->done);
        gen->done++;
        if (a->kind != SIM_ACTION_REJOIN)
          schedule_down (w, x, a->kind == SIM_ACTION_LEAVE);
        else if (sim__world_state (w, x) == NODE_DOWN)
          rejoin (w, g, x, a->same_id, G_MAXUINT);
      }
      break;
    case SIM_ACTION_CHURN:
      start_churn (w, g);
      /* Churn keeps the run going until its interval ends. */
      sim_queue_push (w->q, sim_time_add (a->at, a->duration), EV_ACTION, g,
                      1);
      return;
    case SIM_ACTION_TRACE:
      start_trace (w, g);
      return; /* start_trace schedules the end of the replay */
    default:
      g_assert_not_reached ();
    }
  if (a->spread != SIM_SPREAD_SEQUENTIAL && !action_schedule_next (w, g))
    w->pending_work--;
}

/* ---- Construction ---- */

static SimNet *
make_net (const SimScenario *sc, GError **error)
{
  const char *kind = sim_scenario_get_string (sc, "network");
  SimNet *net = NULL;
  if (g_str_equal (kind, "euclidean"))
    net = sim_net_new_euclidean (sim_scenario_get_double (sc, "plane_size"),
                                 sim_scenario_get_double (sc, "ms_per_unit"));
  else if (g_str_equal (kind, "sphere"))
    net = sim_net_new_sphere (sim_scenario_get_double (sc,
                                                       "sphere_radius_ms"));
  else if (g_str_equal (kind, "constant"))
    net = sim_net_new_constant (sim_scenario_get_time (sc,
                                                       "constant_latency"));
  else if (g_str_equal (kind, "matrix"))
    {
      const char *fmt_name = sim_scenario_get_string (sc, "matrix_format");
      SimNetMatrixFormat fmt = SIM_NET_MATRIX_AUTO;
      if (g_str_equal (fmt_name, "p2psim"))
        fmt = SIM_NET_MATRIX_P2PSIM;
      else if (g_str_equal (fmt_name, "dense"))
        fmt = SIM_NET_MATRIX_DENSE;
      else if (g_str_equal (fmt_name, "triples"))
        fmt = SIM_NET_MATRIX_TRIPLES;
      net = sim_net_new_matrix_file (sim_scenario_get_string (sc,
                                                              "matrix_file"),
                                     fmt,
                                     sim_scenario_get_time (sc,
                                                            "access_delay"),
                                     error);
    }
  else if (g_str_equal (kind, "coords"))
    {
      net = sim_net_new_coords_file (sim_scenario_get_string (sc,
                                                              "coords_file"),
                                     error);
      if (net != NULL)
        sim_net_set_access_delay (net, sim_scenario_get_time (sc,
                                                              "access_delay"));
    }
  else
    g_set_error (error, SIM_WORLD_ERROR, SIM_WORLD_ERROR_CONFIG,
                 "%s: unknown network model '%s'",
                 sim_scenario_display_name (sc), kind);
  if (net == NULL)
    return NULL;
  if (!g_str_equal (kind, "matrix") && !g_str_equal (kind, "coords")
      && sim_scenario_get_time (sc, "access_delay") > 0)
    sim_net_set_access_delay (net, sim_scenario_get_time (sc,
                                                          "access_delay"));
  sim_net_set_loss (net, sim_scenario_get_double (sc, "loss"));
  sim_net_set_jitter (net, sim_scenario_get_double (sc, "jitter"), 0);
  return net;
}

/* Maintenance runs when the scenario can lose nodes or messages. */
static gboolean
needs_maintenance (const SimScenario *sc)
{
  const char *mode = sim_scenario_get_string (sc, "maintenance");
  if (g_str_equal (mode, "on"))
    return TRUE;
  if (g_str_equal (mode, "off"))
    return FALSE;
  if (sim_scenario_get_double (sc, "loss") > 0)
    return TRUE;
  for (guint i = 0; i < sim_scenario_n_actions (sc); i++)
    switch (sim_scenario_action (sc, i)->kind)
      {
      case SIM_ACTION_FAIL:
      case SIM_ACTION_LEAVE:
      case SIM_ACTION_REJOIN:
      case SIM_ACTION_CHURN:
      case SIM_ACTION_TRACE:
        return TRUE;
      default:
        break;
      }
  return FALSE;
}

SimWorld *
sim_world_new (const SimScenario *sc, SimMetrics *metrics, GError **error)
{
  g_return_val_if_fail (sc != NULL && metrics != NULL, NULL);

  PastryConfig cfg;
  cfg.b = (guint) sim_scenario_get_uint (sc, "b");
  cfg.leaf_size = (guint) sim_scenario_get_uint (sc, "leaf_size");
  cfg.neigh_size = (guint) sim_scenario_get_uint (sc, "neighbourhood_size");
  GError *local = NULL;
  if (!pastry_config_validate (&cfg, &local))
    {
      g_set_error (error, SIM_WORLD_ERROR, SIM_WORLD_ERROR_CONFIG, "%s: %s",
                   sim_scenario_display_name (sc), local->message);
      g_error_free (local);
      return NULL;
    }
  SimNet *net = make_net (sc, error);
  if (net == NULL)
    return NULL;

  SimWorld *w = g_new0 (SimWorld, 1);
  w->last_false_death = G_MAXUINT64;
  w->sc = sc;
  w->metrics = metrics;
  w->cfg = cfg;
  w->net = net;
  w->dir = pastry_directory_new (NULL);
  w->nodes = g_ptr_array_new_with_free_func ((GDestroyNotify)
                                             pastry_node_free);
  w->state = g_array_new (FALSE, FALSE, sizeof (guint8));
  w->incarn = g_array_new (FALSE, FALSE, sizeof (guint32));
  w->joins = g_ptr_array_new ();
  w->maint = g_ptr_array_new ();
  w->down = g_array_new (FALSE, FALSE, sizeof (guint32));
  w->live = sim_ring_new (w->dir);
  w->q = sim_queue_new (SIM_QUEUE_DEFAULT);
  w->msgs = g_array_new (FALSE, TRUE, sizeof (PastryMessage));
  w->msg_free = g_array_new (FALSE, FALSE, sizeof (guint32));
  w->lookups = g_array_new (FALSE, TRUE, sizeof (Lookup));
  w->lookup_free = g_array_new (FALSE, FALSE, sizeof (guint32));

  guint64 seed = sim_scenario_get_uint (sc, "seed");
  w->seed = seed;
  sim_rng_init (&w->rng_protocol, seed, SIM_RNG_PURPOSE_PROTOCOL, 0);
  /* Network index 0: join and maintenance; 1: lookup traffic. */
  sim_rng_init (&w->rng_net_other, seed, SIM_RNG_PURPOSE_NETWORK, 0);
  sim_rng_init (&w->rng_net_lookup, seed, SIM_RNG_PURPOSE_NETWORK, 1);

  w->join_refine = g_str_equal (sim_scenario_get_string (sc, "join_refine"),
                                "rows");
  w->announce_state = g_str_equal (sim_scenario_get_string (sc,
                                                            "announce_state"),
                                   "on");
  w->oracle_hints = g_str_equal (sim_scenario_get_string (sc, "oracle_hints"),
                                 "on");
  w->bootstrap_sample = (guint) sim_scenario_get_uint (sc,
                                                       "bootstrap_sample");
  w->build_sample = (guint) sim_scenario_get_uint (sc, "build_sample");
  w->ideal_compare = g_str_equal (sim_scenario_get_string (sc,
                                                           "ideal_compare"),
                                  "on");
  w->ideal_sample = (guint) sim_scenario_get_uint (sc, "ideal_sample");
  w->quality_sample = (guint) sim_scenario_get_uint (sc, "quality_sample");
  w->maintain = needs_maintenance (sc);
  const char *repair = sim_scenario_get_string (sc, "repair");
  w->repair_leaf = !g_str_equal (repair, "off");
  w->repair_table = g_str_equal (repair, "on");
  w->heartbeat_period = sim_scenario_get_time (sc, "heartbeat_period");
  w->heartbeat_timeout = sim_scenario_get_time (sc, "heartbeat_timeout");
  w->probe_period = sim_scenario_get_time (sc, "probe_period");
  w->probe_timeout = sim_scenario_get_time (sc, "probe_timeout");
  w->probe_retries = (guint) sim_scenario_get_uint (sc, "probe_retries");
  w->hop_rtt = sim_scenario_get_hop_timeout (sc, &w->hop_timeout);
  w->hop_retries = (guint) sim_scenario_get_uint (sc, "hop_retries");
  w->lookup_timeout = sim_scenario_get_time (sc, "lookup_timeout");
  w->lookup_cfg.avoid = w->maintain;
  w->lookup_cfg.hop_retries = w->hop_retries;
  w->lookup_cfg.lookup_timeout = w->lookup_timeout;
  w->lookup_cfg.replicas.k = (guint) sim_scenario_get_uint (sc, "replicas");
  w->lookup_cfg.replicas.prox = sim__world_prox_cb;
  w->lookup_cfg.replicas.prox_data = w;
  w->timeline_interval = sim_scenario_get_time (sc, "timeline_interval");
  w->msg_header_bytes = (guint) sim_scenario_get_uint (sc,
                                                       "msg_header_bytes");
  w->msg_id_bytes = (guint) sim_scenario_get_uint (sc, "msg_id_bytes");
  sim__world_maint_init (w);
  /* Pastry's message types, as the metrics count them. */
  SimMsgTypeInfo types[PASTRY_MSG_N_TYPES];
  static const SimTraffic traffic[] = {
    [PASTRY_MSG_CLASS_LOOKUP] = SIM_TRAFFIC_LOOKUP,
    [PASTRY_MSG_CLASS_JOIN] = SIM_TRAFFIC_JOIN,
    [PASTRY_MSG_CLASS_MAINTENANCE] = SIM_TRAFFIC_MAINTENANCE,
  };
  for (guint t = 0; t < PASTRY_MSG_N_TYPES; t++)
    {
      types[t].name = pastry_msg_type_name (t);
      types[t].traffic = traffic[pastry_msg_type_class (t)];
      types[t].request = t == PASTRY_MSG_LEAFSET_REQUEST
                         || t == PASTRY_MSG_ENTRY_REQUEST;
    }
  sim_metrics_set_message_types (metrics, types, PASTRY_MSG_N_TYPES);
  SimTime from, to;
  sim_scenario_measure_window (sc, &from, &to);
  sim_metrics_set_window (metrics, from, to);

  w->n_gens = sim_scenario_n_actions (sc);
  w->gens = g_new0 (ActionGen, w->n_gens);
  guint phases = 0;
  for (guint i = 0; i < w->n_gens; i++)
    {
      const SimAction *a = sim_scenario_action (sc, i);
      w->gens[i].action = a;
      /* The action's own streams, keyed by its index.  (The first
       * action's ids and positions are those the former shared streams
       * gave.) */
      sim_rng_init (&w->gens[i].rng, seed, SIM_RNG_PURPOSE_ACTION, i);
      sim_rng_init (&w->gens[i].rng_ids, seed, SIM_RNG_PURPOSE_IDS, i);
      sim_rng_init (&w->gens[i].rng_topology, seed, SIM_RNG_PURPOSE_TOPOLOGY,
                    i);
      if (a->kind == SIM_ACTION_LOOKUP)
        w->gens[i].phase = phases++;
      if (a->kind == SIM_ACTION_LOOKUP && a->keys == SIM_KEYS_ZIPF)
        sim_zipf_init (&w->gens[i].zipf, a->zipf_s, a->zipf_n);
      SimTime end = sim_time_add (a->at, MAX (a->over, a->duration));
      w->end_hint = MAX (w->end_hint, end);
    }
  sim_metrics_set_phases (metrics, phases);
  return w;
}

void
sim_world_free (SimWorld *w)
{
  if (w == NULL)
    return;
  for (guint i = 0; i < w->msgs->len; i++)
    g_free (g_array_index (w->msgs, PastryMessage, i).entries);
  for (guint i = 0; i < w->joins->len; i++)
    g_free (g_ptr_array_index (w->joins, i));
  for (guint i = 0; i < w->maint->len; i++)
    sim__world_maint_stop (w, i);
  sim__world_maint_fini (w);
  if (w->ideal != NULL)
    {
      for (guint i = 0; i < w->n_ideal; i++)
        pastry_node_free (w->ideal[i]);
      g_free (w->ideal);
    }
  for (guint i = 0; i < w->n_gens; i++)
    if (w->gens[i].slots != NULL)
      g_array_free (w->gens[i].slots, TRUE);
  g_ptr_array_free (w->joins, TRUE);
  g_ptr_array_free (w->maint, TRUE);
  g_ptr_array_free (w->nodes, TRUE);
  g_array_free (w->state, TRUE);
  g_array_free (w->incarn, TRUE);
  g_array_free (w->down, TRUE);
  g_array_free (w->msgs, TRUE);
  g_array_free (w->msg_free, TRUE);
  g_array_free (w->lookups, TRUE);
  g_array_free (w->lookup_free, TRUE);
  sim_ring_free (w->live);
  sim_queue_free (w->q);
  sim_net_free (w->net);
  pastry_directory_free (w->dir);
  g_free (w->gens);
  g_free (w);
}

/* ---- Estimates: refusing absurd runs before they start ---- */

static void
blame_action (SimWorldBlame *blame, const SimScenario *sc,
              const SimAction *a, const char *what)
{
  blame->file = sim_scenario_display_name (sc);
  blame->line = a->line;
  blame->col = a->col;
  blame->what = what;
}

/* Blames the assignment of @param when the file or --set gave it, else
 * @a (NULL: nothing in particular). */
static void
blame_param (SimWorldBlame *blame, const SimScenario *sc, const char *param,
             const SimAction *a, const char *what)
{
  if (sim_scenario_param_position (sc, param, &blame->file, &blame->line,
                                   &blame->col))
    blame->what = what;
  else if (a != NULL)
    blame_action (blame, sc, a, what);
  else
    {
      blame->file = sim_scenario_display_name (sc);
      blame->line = blame->col = 0;
      blame->what = what;
    }
}

/* The nodes an action may create (new indices). */
static guint64
action_new_nodes (const SimAction *a)
{
  switch (a->kind)
    {
    case SIM_ACTION_JOIN:
    case SIM_ACTION_BUILD:
      return a->count;
    case SIM_ACTION_REJOIN:
      return a->same_id ? 0 : a->count;
    case SIM_ACTION_CHURN:
      /* Fresh ids for every session: bounded here by the population
       * (the directory also keeps 16 bytes per past node). */
      return a->population;
    case SIM_ACTION_TRACE:
      return sim_trace_n_nodes (a->trace);
    default:
      return 0;
    }
}

guint64
sim_world_estimate_bytes (const SimScenario *sc, guint64 *nodes_out,
                          SimWorldBlame *blame)
{
  g_return_val_if_fail (sc != NULL, 0);
  guint64 nodes = 0, most = 0;
  SimWorldBlame b = { sim_scenario_display_name (sc), 0, 0, "nodes" };
  for (guint i = 0; i < sim_scenario_n_actions (sc); i++)
    {
      const SimAction *a = sim_scenario_action (sc, i);
      guint64 add = action_new_nodes (a);
      if (add > most)
        {
          most = add;
          blame_action (&b, sc, a, "nodes");
        }
      nodes = nodes > G_MAXUINT64 - add ? G_MAXUINT64 : nodes + add;
    }
  if (nodes_out != NULL)
    *nodes_out = nodes;
  if (blame != NULL)
    *blame = b;
  const guint64 per_node = 1536, fixed = 64u << 20;
  return nodes > (G_MAXUINT64 - fixed) / per_node ? G_MAXUINT64
                                                  : nodes * per_node + fixed;
}

/* A timeline row counts as this many events: besides its tick it writes
 * a CSV line of about 60 bytes where an event writes nothing (3650 days at
 * the default 10 s are 31.5 M rows, a 1.7 GB timeline.csv). */
#define TIMELINE_ROW_EVENTS 100.0

/* The upper-ish estimate of the events of a run, from the scenario alone
 * (no simulation; O(actions + trace rows)).  All in doubles, saturated at
 * the end.  With
 *   N  = max(2, sim_world_estimate_bytes's node count), an upper bound on
 *        the live nodes at any time;
 *   R  = ceil(log_{2^b} N) routing-table rows, H = R + 1 hops per lookup;
 *   E  = L + (2^b - 1) R table and leaf-set entries of a node;
 *   K  = 2 with maintenance (a hop timer per hop), else 1;
 *   J  = 3 · 2^b · H + 4 events per protocol join (measured: 156
 *        messages per join at 5k nodes, 242 at 10^6; 3 · 2^b · log N is
 *        the paper's join cost);
 *   F  = 2 (1 + probe_retries) (L + 2^b R) events per failure or leave
 *        (detection probes by every holder, repair; measured 362);
 *   T  = the end of the last action (at + over or duration; traces: their
 *        last row), T0 the first node-creating action's time, in seconds,
 * the estimate is the sum of
 *   lookups   n (1 + K H) per lookup action, n = count; ceil(rate · d)
 *             for Poisson; rate · d · N per node (rate = 1 / mean gap
 *             with `every`, gaps at least 1 µs);
 *   joins     J per join or rejoin (rejoin all: N), 1 per build;
 *   failures  F per fail or leave (percent: fraction · N);
 *   churn     P (1 + d / (mean session + mean down)) (J + F + 2) for a
 *             population P (0: N), means at least 1 µs;
 *   traces    (J + F + 2) per row;
 *   heartbeats  2 N (T - T0) / heartbeat_period   } with maintenance
 *   probes      N (T - T0) / probe_period (1 + 2E + 4 + 2R) }
 *   timeline  100 · T / timeline_interval (TIMELINE_ROW_EVENTS).
 * On the shipped scenarios and scripts/bench workloads it is 1.2 to 4.8
 * times the measured event count (bench joins: 2.9e8 for 2.4e8 events;
 * bench churn: 4.3e8 for 0.9e8; churn-1h: 1.7e7 for 3.5e6).  The largest term is blamed: an action's line, or the
 * assignment of the period it divides by (else the last-ending action). */
guint64
sim_world_estimate_events (const SimScenario *sc, SimWorldBlame *blame)
{
  g_return_val_if_fail (sc != NULL, 0);
  guint64 n_nodes;
  sim_world_estimate_bytes (sc, &n_nodes, NULL);
  double N = MAX ((double) n_nodes, 2.0);
  double digits = (double) (1u << sim_scenario_get_uint (sc, "b"));
  double L = (double) sim_scenario_get_uint (sc, "leaf_size");
  double R = MAX (ceil (log (N) / log (digits)), 1.0);
  double H = R + 1, E = L + (digits - 1) * R;
  gboolean maint = needs_maintenance (sc);
  double K = maint ? 2 : 1;
  double J = 3 * digits * H + 4;
  double F = 2 * (1 + (double) sim_scenario_get_uint (sc, "probe_retries"))
             * (L + digits * R);

  SimWorldBlame b = { sim_scenario_display_name (sc), 0, 0, "events" };
  double total = 0, largest = -1;
#define TERM(value, ...)                                                     \
  do                                                                         \
    {                                                                        \
      double v_ = (value);                                                   \
      total += v_;                                                           \
      if (v_ > largest)                                                      \
        {                                                                    \
          largest = v_;                                                      \
          __VA_ARGS__;                                                       \
        }                                                                    \
    }                                                                        \
  while (0)

  SimTime t_end = 0, t_first = SIM_TIME_MAX;
  const SimAction *last = NULL;
  for (guint i = 0; i < sim_scenario_n_actions (sc); i++)
    {
      const SimAction *a = sim_scenario_action (sc, i);
      SimTime end = sim_time_add (a->at, MAX (a->over, a->duration));
      if (a->kind == SIM_ACTION_TRACE)
        for (guint r = 0; r < sim_trace_n_rows (a->trace); r++)
          {
            const SimTraceRow *row = sim_trace_row (a->trace, r);
            end = MAX (end, sim_time_add (a->at, row->join));
            if (row->leave != SIM_TIME_MAX)
              end = MAX (end, sim_time_add (a->at, row->leave));
          }
      if (last == NULL || end >= t_end)
        {
          t_end = end;
          last = a;
        }
      if (action_new_nodes (a) > 0)
        t_first = MIN (t_first, a->at);

      double d = sim_time_to_s (a->duration), v = 0;
      switch (a->kind)
        {
        case SIM_ACTION_LOOKUP:
          {
            double n = (double) a->count;
            if (a->spread == SIM_SPREAD_POISSON)
              n = ceil (a->rate_per_s * d);
            else if (a->spread == SIM_SPREAD_PER_NODE)
              n = (a->has_every ? 1.0 / MAX (sim_dist_mean (&a->every), 1e-6)
                                : a->rate_per_s) * d * N;
            v = n * (1 + K * H);
            break;
          }
        case SIM_ACTION_JOIN:
          v = (double) a->count * J;
          break;
        case SIM_ACTION_BUILD:
          v = 1;
          break;
        case SIM_ACTION_REJOIN:
          v = (a->select == SIM_SELECT_ALL ? N : (double) a->count) * J;
          break;
        case SIM_ACTION_FAIL:
        case SIM_ACTION_LEAVE:
          v = (a->select == SIM_SELECT_PERCENT ? a->fraction * N
                                               : (double) a->count) * F;
          break;
        case SIM_ACTION_CHURN:
          {
            double pop = a->population != 0 ? (double) a->population : N;
            double cycle = MAX (sim_dist_mean (&a->session), 1e-6)
                           + MAX (sim_dist_mean (&a->down), 1e-6);
            v = pop * (1 + d / cycle) * (J + F + 2);
            break;
          }
        case SIM_ACTION_TRACE:
          v = (double) sim_trace_n_rows (a->trace) * (J + F + 2);
          break;
        default:
          break;
        }
      TERM (v, blame_action (&b, sc, a,
                             a->kind == SIM_ACTION_LOOKUP ? "lookups"
                             : a->kind == SIM_ACTION_CHURN ? "churn sessions"
                             : a->kind == SIM_ACTION_TRACE ? "trace sessions"
                             : a->kind == SIM_ACTION_FAIL
                                 || a->kind == SIM_ACTION_LEAVE
                               ? "failure detection and repair"
                               : "joins"));
    }

  double span = t_first < t_end ? sim_time_to_s (t_end - t_first) : 0;
  if (maint && span > 0)
    {
      /* Periods are at least 1 µs: the parser refuses 0. */
      double hb = sim_time_to_s (MAX (sim_scenario_get_time (sc,
                                                             "heartbeat_period"),
                                      1));
      double pp = sim_time_to_s (MAX (sim_scenario_get_time (sc,
                                                             "probe_period"),
                                      1));
      TERM (2 * N * span / hb,
            blame_param (&b, sc, "heartbeat_period", last, "heartbeats"));
      TERM (N * span / pp * (1 + 2 * E + 4 + 2 * R),
            blame_param (&b, sc, "probe_period", last, "probes"));
    }
  SimTime ti = sim_scenario_get_time (sc, "timeline_interval");
  if (ti > 0)
    TERM (TIMELINE_ROW_EVENTS * (sim_time_to_s (t_end) / sim_time_to_s (ti)),
          blame_param (&b, sc, "timeline_interval", last, "timeline rows"));
#undef TERM
  if (blame != NULL)
    *blame = b;
  return sim_u64_from_double (ceil (total));
}

char *
sim_world_describe_network (const SimWorld *w)
{
  g_return_val_if_fail (w != NULL, NULL);
  return sim_net_describe (w->net);
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
fingerprint_event (SimWorld *w, const SimEvent *ev)
{
  guint64 type = 0;
  if (ev->kind == EV_MSG)
    type = 1 + sim__world_msg (w, (guint32) ev->b)->type;
  else if (ev->kind == EV_LOOKUP || ev->kind == EV_HOP_TIMEOUT)
    type = 1 + PASTRY_MSG_LOOKUP;
  guint64 h = w->fingerprint;
  h = fp_mix (h, ev->at);
  h = fp_mix (h, ((guint64) ev->kind << 40) | (type << 32) | ev->a);
  w->fingerprint = h;
}

void
sim_world_set_fingerprint (SimWorld *w, gboolean on)
{
  g_return_if_fail (w != NULL);
  w->fingerprinting = on;
  w->fingerprint = G_GUINT64_CONSTANT (0xcbf29ce484222325);
}

guint64
sim_world_fingerprint (const SimWorld *w)
{
  g_return_val_if_fail (w != NULL, 0);
  return w->fingerprint;
}

static void
progress_line (SimWorld *w, gint64 started)
{
  double wall = (double) (g_get_monotonic_time () - started) / 1e6;
  double sim_s = sim_time_to_s (sim__world_now (w));
  double end_s = sim_time_to_s (w->end_hint);
  double rate = wall > 0 ? (double) w->events / wall : 0;
  char eta[32] = "?";
  if (sim_s > 0 && end_s > sim_s)
    g_snprintf (eta, sizeof eta, "%.0f s", wall * (end_s - sim_s) / sim_s);
  fprintf (stderr, "\r\033[Kt=%.1f s  nodes=%u  events=%" G_GUINT64_FORMAT
           "  %.2f M events/s  lookups=%" G_GUINT64_FORMAT "  ETA %s",
           sim_s, sim_ring_size (w->live), w->events, rate / 1e6,
           w->lookups_done, eta);
}

/* Bytes per node, broken down, from the structures' own accounting
 * (allocator overhead not included; compare with peak_rss_mb). */
static void
memory_rows (SimWorld *w)
{
  guint n = w->nodes->len;
  if (n == 0)
    return;
  gsize state = 0;
  for (guint i = 0; i < n; i++)
    state += pastry_node_memory (sim__world_node (w, i));
  gsize per_node_arrays = sizeof (PastryId)        /* directory */
                          + sizeof (gpointer) * 3  /* nodes, joins, maint */
                          + sizeof (guint8) + sizeof (guint32); /* state */
  sim_metrics_set (w->metrics, "bytes_per_node_state",
                   (double) state / n);
  sim_metrics_set (w->metrics, "bytes_per_node_world",
                   (double) per_node_arrays);
  sim_metrics_set (w->metrics, "bytes_per_node_pools",
                   (double) (w->msgs->len * sizeof (PastryMessage)
                             + w->lookups->len * sizeof (Lookup))
                     / n);
}

static void
build_shadow (SimWorld *w)
{
  w->n_ideal = w->nodes->len;
  w->ideal = g_new0 (PastryNode *, w->n_ideal);
  for (guint i = 0; i < w->n_ideal; i++)
    w->ideal[i] = pastry_node_new (&w->cfg, w->dir, i);
  SimRng rng;
  sim_rng_init (&rng, sim_scenario_get_uint (w->sc, "seed"),
                SIM_RNG_PURPOSE_PROTOCOL, 1);
  sim__world_build_ideal (w, w->ideal, w->ideal_sample, &rng);
}

gboolean
sim_world_run (SimWorld *w, gboolean progress, volatile int *cancel)
{
  g_return_val_if_fail (w != NULL, FALSE);

  for (guint g = 0; g < w->n_gens; g++)
    {
      const SimAction *a = w->gens[g].action;
      w->pending_work++;
      if (a->kind == SIM_ACTION_CHURN || a->kind == SIM_ACTION_TRACE
          || a->spread == SIM_SPREAD_PER_NODE
          || a->kind == SIM_ACTION_FAIL || a->kind == SIM_ACTION_LEAVE
          || a->kind == SIM_ACTION_REJOIN || a->kind == SIM_ACTION_BUILD
          || a->spread == SIM_SPREAD_SEQUENTIAL)
        sim_queue_push (w->q, a->at, EV_ACTION, g, 0);
      else if (!action_schedule_next (w, g))
        w->pending_work--;
    }
  /* Per-node lookup workloads end at a known time: count them as work
   * until then, so the run does not stop while they are scheduled. */
  for (guint g = 0; g < w->n_gens; g++)
    if (w->gens[g].action->spread == SIM_SPREAD_PER_NODE)
      {
        w->pending_work++;
        sim_queue_push (w->q, sim_time_add (w->gens[g].action->at,
                                            w->gens[g].action->duration),
                        EV_ACTION, g, 1);
      }
  if (w->timeline_interval > 0)
    sim_queue_push (w->q, w->timeline_interval, EV_TIMELINE, 0, 0);

  w->cancel = cancel;
  gint64 started = g_get_monotonic_time ();
  gint64 next_progress = started + G_USEC_PER_SEC;
  gboolean ideal_pending = w->ideal_compare;
  SimEvent ev;
  guint prev_inflight = 0;
  SimTime idle_since = 0;
  gboolean stalled = FALSE;
  while ((w->pending_work > 0 || w->inflight > 0)
         && sim_queue_pop (w->q, &ev))
    {
      w->events++;
      if (G_UNLIKELY (w->fingerprinting))
        fingerprint_event (w, &ev);
      /* Start fetching what the next lookup hop will touch (its node and
       * lookup record: cache misses otherwise) while this event runs. */
      SimEvent nx;
      if (sim_queue_peek (w->q, &nx) && nx.kind == EV_LOOKUP)
        {
          __builtin_prefetch (sim__world_node (w, nx.a));
          sim_net_prefetch (w->net, nx.a);
          __builtin_prefetch (&g_array_index (w->lookups, Lookup,
                                              (guint32) nx.b));
        }
      /* Guard: with every action done, lookups and joins that make no
       * progress for a long time (a protocol stall) end the run instead of
       * letting maintenance timers run forever. */
      if (w->inflight != prev_inflight)
        {
          prev_inflight = w->inflight;
          idle_since = ev.at;
        }
      else if (w->pending_work == 0
               && ev.at - idle_since > STALL_LIMIT (w))
        {
          stalled = TRUE;
          break;
        }
      if ((w->events & 0xffff) == 0)
        {
          if (cancel != NULL && *cancel)
            return FALSE;
          if (progress && g_get_monotonic_time () >= next_progress)
            {
              progress_line (w, started);
              next_progress += G_USEC_PER_SEC;
            }
        }
      switch (ev.kind)
        {
        case EV_ACTION:
          if (ev.b == 1)
            {
              w->pending_work--; /* a churn or per-node workload ended */
              break;
            }
          if (ideal_pending
              && w->gens[ev.a].action->kind == SIM_ACTION_LOOKUP)
            {
              /* The shadow overlay with complete global knowledge is built
               * once, over the nodes live when lookups begin. */
              gint64 t0 = g_get_monotonic_time ();
              build_shadow (w);
              w->build_wall_us += g_get_monotonic_time () - t0;
              ideal_pending = FALSE;
            }
          handle_action (w, ev.a);
          if (cancel != NULL && *cancel)
            return FALSE;
          break;
        case EV_MSG:
          handle_msg (w, ev.a, (guint32) ev.b);
          break;
        case EV_LOOKUP:
          sim__world_lookup_arrive (w, ev.a, ev.b);
          break;
        case EV_HOP_TIMEOUT:
          sim__world_lookup_timeout (w, ev.a, ev.b);
          break;
        case EV_HEARTBEAT:
          if (timer_current (w, ev.a, ev.b))
            sim__world_heartbeat (w, ev.a);
          break;
        case EV_PROBE_ROUND:
          if (timer_current (w, ev.a, ev.b))
            sim__world_probe_round (w, ev.a);
          break;
        case EV_NODE_LOOKUP:
          if (timer_current (w, ev.a, ev.b))
            node_lookups_run (w, ev.a, (guint32) ev.b, ev.at, TRUE);
          break;
        case EV_CHURN:
          handle_churn (w, ev.a, (guint) ev.b);
          break;
        case EV_TRACE:
          handle_trace (w, ev.a, ev.b);
          break;
        case EV_JOIN_TIMEOUT:
          sim__world_join_timeout (w, ev.a, ev.b);
          break;
        case EV_TIMELINE:
          sim_metrics_timeline_tick (w->metrics, sim__world_now (w));
          sim_queue_push (w->q, sim__world_now (w) + w->timeline_interval,
                          EV_TIMELINE, 0, 0);
          break;
        default:
          g_assert_not_reached ();
        }
    }
  SimTime end = sim__world_now (w);
  /* Whatever is still in flight (after a stall) ends now, as failed. */
  guint stalled_inflight = w->inflight;
  guint64 done_before = w->lookups_done;
  sim__world_lookups_abandon (w);
  if (w->lookups_done != w->lookups_started)
    g_critical ("%" G_GUINT64_FORMAT " lookups started but %" G_GUINT64_FORMAT
                " ended", w->lookups_started, w->lookups_done);
  sim_metrics_timeline_tick (w->metrics, end);
  if (progress)
    {
      progress_line (w, started);
      fputc ('\n', stderr);
    }

  /* Summary figures that only the world knows. */
  guint stuck = 0;
  for (guint i = 0; i < w->joins->len; i++)
    if (g_ptr_array_index (w->joins, i) != NULL)
      stuck++;
  sim_metrics_set (w->metrics, "nodes", sim_ring_size (w->live));
  sim_metrics_set (w->metrics, "joins_incomplete", stuck);
  sim_metrics_set (w->metrics, "lookups_started",
                   (double) w->lookups_started);
  sim_metrics_set (w->metrics, "lookups_ended", (double) w->lookups_done);
  /* Why lookups failed (whole run, not only the measure window). */
  sim_metrics_set (w->metrics, "failed_lost", (double) w->fail_lost);
  sim_metrics_set (w->metrics, "failed_retries", (double) w->fail_retries);
  sim_metrics_set (w->metrics, "failed_timeout", (double) w->fail_timeout);
  sim_metrics_set (w->metrics, "failed_loop", (double) w->fail_loop);
  sim_metrics_set (w->metrics, "failed_stalled", (double) w->fail_stalled);
  sim_metrics_set (w->metrics, "false_deaths", (double) w->refutations);
  sim_metrics_set (w->metrics, "unreachable_live_roots",
                   (double) w->unreachable_live_roots);
  sim_metrics_set (w->metrics, "wrong_doubted_root",
                   (double) w->wrong_doubted_root);
  sim_metrics_set (w->metrics, "failed_holder_down",
                   (double) w->fail_holder_down);
  if (stalled)
    g_warning ("the run stalled: %u lookups or joins made no progress for "
               "%.0f s of simulated time after the last action; stopped "
               "(%" G_GUINT64_FORMAT " lookups counted as failed)",
               stalled_inflight, sim_time_to_s (STALL_LIMIT (w)),
               w->lookups_done - done_before);
  sim_metrics_set (w->metrics, "events", (double) w->events);
  sim_metrics_set (w->metrics, "sim_time_s", sim_time_to_s (end));
  gint64 t0 = g_get_monotonic_time ();
  sim__world_measure_tables (w);
  w->build_wall_us += g_get_monotonic_time () - t0;
  memory_rows (w);
  sim_metrics_set (w->metrics, "build_wall_s", (double) w->build_wall_us / 1e6);
  sim_metrics_finish (w->metrics, end);
  return TRUE;
}

/* ---- Testing ---- */

guint
sim_world_n_live (const SimWorld *w)
{
  g_return_val_if_fail (w != NULL, 0);
  return sim_ring_size (w->live);
}

void
sim_world_set_threads (SimWorld *w, guint threads)
{
  g_return_if_fail (w != NULL);
  w->threads = MAX (threads, 1u);
}

static void
dump_node (const PastryNode *node, guint neigh_size, GString *out)
{
  if (node == NULL)
    {
      g_string_append (out, "-\n");
      return;
    }
  static const PastrySide sides[] = { PASTRY_SIDE_LEFT, PASTRY_SIDE_RIGHT };
  for (guint k = 0; k < G_N_ELEMENTS (sides); k++)
    {
      const PastryPeer *p;
      guint n = pastry_node_leafset_side (node, sides[k], &p);
      g_string_append (out, k == 0 ? "L" : " R");
      for (guint i = 0; i < n; i++)
        g_string_append_printf (out, " %u", p[i]);
    }
  for (guint row = 0; row < pastry_node_n_rows (node); row++)
    {
      PastryEntry e[1u << PASTRY_B_MAX];
      guint n = pastry_node_export_row (node, row, e);
      for (guint i = 0; i < n; i++)
        g_string_append_printf (out, " T%u:%u/%u", row, e[i].peer, e[i].prox);
    }
  g_autofree PastryEntry *ne = g_new (PastryEntry, MAX (neigh_size, 1u));
  guint n = pastry_node_export_neighbours (node, ne);
  g_string_append (out, " N");
  for (guint i = 0; i < n; i++)
    g_string_append_printf (out, " %u/%u", ne[i].peer, ne[i].prox);
  g_string_append_c (out, '\n');
}

void
sim_world_dump_nodes (const SimWorld *w, GString *out)
{
  g_return_if_fail (w != NULL && out != NULL);
  for (guint i = 0; i < w->nodes->len; i++)
    {
      g_string_append_printf (out, "%u: ", i);
      dump_node (g_ptr_array_index (w->nodes, i), w->cfg.neigh_size, out);
    }
  for (guint i = 0; i < w->n_ideal; i++)
    {
      g_string_append_printf (out, "ideal %u: ", i);
      dump_node (w->ideal[i], w->cfg.neigh_size, out);
    }
  g_string_append_printf (out, "rng_protocol: %" G_GINT64_MODIFIER "x %"
                          G_GINT64_MODIFIER "x %" G_GINT64_MODIFIER "x %"
                          G_GINT64_MODIFIER "x\n",
                          w->rng_protocol.s[0], w->rng_protocol.s[1],
                          w->rng_protocol.s[2], w->rng_protocol.s[3]);
}

static gboolean
side_matches (const PastryPeer *have, guint n_have, const PastryPeer *want,
              guint n_want)
{
  if (n_have != n_want)
    return FALSE;
  for (guint i = 0; i < n_want; i++)
    if (have[i] != want[i])
      return FALSE;
  return TRUE;
}

guint64
sim_world_now (const SimWorld *w)
{
  g_return_val_if_fail (w != NULL, 0);
  return sim__world_now (w);
}

guint64
sim_world_last_false_death (const SimWorld *w)
{
  g_return_val_if_fail (w != NULL, G_MAXUINT64);
  return w->last_false_death;
}

guint
sim_world_check_leafsets (const SimWorld *w, char **first)
{
  g_return_val_if_fail (w != NULL, 0);
  guint half = w->cfg.leaf_size / 2, bad = 0;
  PastryPeer *left = g_new (PastryPeer, half + 1);
  PastryPeer *right = g_new (PastryPeer, half + 1);
  if (first != NULL)
    *first = NULL;
  for (guint i = 0; i < sim_ring_size (w->live); i++)
    {
      guint32 x = sim_ring_nth (w->live, i);
      guint n = sim_ring_neighbours (w->live, x, half, left, right);
      const PastryPeer *hl, *hr;
      PastryNode *node = sim__world_node (w, x);
      guint nl = pastry_node_leafset_side (node, PASTRY_SIDE_LEFT, &hl);
      guint nr = pastry_node_leafset_side (node, PASTRY_SIDE_RIGHT, &hr);
      if (side_matches (hl, nl, left, n) && side_matches (hr, nr, right, n))
        continue;
      if (bad == 0 && first != NULL)
        {
          GString *d = g_string_new (NULL);
          g_string_append_printf (d, "node %u: left has", x);
          for (guint k = 0; k < nl; k++)
            g_string_append_printf (d, " %u%s", hl[k],
                                    sim__world_state (w, hl[k]) == NODE_DOWN
                                      ? "(down)" : "");
          g_string_append (d, ", wants");
          for (guint k = 0; k < n; k++)
            g_string_append_printf (d, " %u", left[k]);
          g_string_append (d, "; right has");
          for (guint k = 0; k < nr; k++)
            g_string_append_printf (d, " %u%s", hr[k],
                                    sim__world_state (w, hr[k]) == NODE_DOWN
                                      ? "(down)" : "");
          g_string_append (d, ", wants");
          for (guint k = 0; k < n; k++)
            g_string_append_printf (d, " %u", right[k]);
          *first = g_string_free (d, FALSE);
        }
      bad++;
    }
  g_free (left);
  g_free (right);
  return bad;
}
