/* sim-world.c — events, the join protocol and lookups.
 *
 * Invariants:
 *  - node index == directory handle == network node index;
 *  - a node is in the oracle (w->live) exactly when its state is NODE_LIVE;
 *  - every pooled message or lookup is referenced by exactly one pending
 *    event, and returns to its free list when that event is handled;
 *  - nothing here iterates a hash table: event order is the queue's
 *    (time, sequence) order, so a run is a function of scenario and seed.
 *
 * Join protocol (Rowstron & Druschel 2001, section 3.4): the joiner X asks
 * a bootstrap node A near it (in proximity) to route a JOIN towards X's
 * id.  Every node on the path sends X one JOIN_REPLY with its routing-table
 * rows from the hop index up to the prefix it shares with X; A adds its
 * neighbourhood set, the root Z its leaf set and the path length.  With
 * join_refine (the default, the paper's locality refinement) X then asks
 * each node in its table for that node's row of the same level.  Finally X
 * announces itself to every node it knows; a node that takes X into its
 * leaf set answers with its own leaf set, and X announces itself to any
 * new leaf it learns that way, so concurrent joiners find each other.
 * Proximity values are the network model's latency, as a real node would
 * measure by probing.
 */
#include "sim-world-private.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

G_DEFINE_QUARK (sim-world-error-quark, sim_world_error)

enum
{
  EV_ACTION = 1, /* a = generator index */
  EV_MSG,        /* a = destination node, b = message slot */
  EV_LOOKUP,     /* a = node the lookup arrives at, b = lookup slot */
};

/* ---- Pools ---- */

static guint32
msg_alloc (SimWorld *w)
{
  if (w->msg_free->len > 0)
    {
      guint32 i = g_array_index (w->msg_free, guint32, w->msg_free->len - 1);
      g_array_set_size (w->msg_free, w->msg_free->len - 1);
      return i;
    }
  g_array_set_size (w->msgs, w->msgs->len + 1);
  return w->msgs->len - 1;
}

static void
msg_release (SimWorld *w, guint32 i)
{
  Msg *m = &g_array_index (w->msgs, Msg, i);
  g_free (m->entries);
  memset (m, 0, sizeof *m);
  g_array_append_val (w->msg_free, i);
}

static guint32
lookup_alloc (SimWorld *w)
{
  if (w->lookup_free->len > 0)
    {
      guint32 i = g_array_index (w->lookup_free, guint32,
                                 w->lookup_free->len - 1);
      g_array_set_size (w->lookup_free, w->lookup_free->len - 1);
      return i;
    }
  g_array_set_size (w->lookups, w->lookups->len + 1);
  return w->lookups->len - 1;
}

static void
lookup_release (SimWorld *w, guint32 i)
{
  g_array_append_val (w->lookup_free, i);
}

/* ---- Nodes ---- */

static inline PastryNode *
node_at (const SimWorld *w, guint32 i)
{
  return g_ptr_array_index (w->nodes, i);
}

static inline NodeState
state_of (const SimWorld *w, guint32 i)
{
  return (NodeState) g_array_index (w->state, guint8, i);
}

static void
set_live (SimWorld *w, guint32 i)
{
  g_array_index (w->state, guint8, i) = NODE_LIVE;
  sim_ring_add (w->live, i);
}

/* Creates a node with a fresh random id at a fresh network position. */
static guint32
node_create (SimWorld *w)
{
  PastryId id;
  do
    {
      id.hi = sim_rng_next_u64 (&w->rng_ids);
      id.lo = sim_rng_next_u64 (&w->rng_ids);
    }
  /* A duplicate of a live id is astronomically unlikely (2^-128 per pair)
   * but would break the oracle; draw again if it ever happens. */
  while (sim_ring_size (w->live) > 0
         && pastry_id_equal (pastry_directory_id (w->dir,
                                                  sim_ring_root (w->live,
                                                                 &id)),
                             &id));
  guint32 i = pastry_directory_add (w->dir, &id, NULL);
  guint32 ni = sim_net_add_node (w->net, &w->rng_topology);
  g_assert (ni == i);
  g_ptr_array_add (w->nodes, pastry_node_new (&w->cfg, w->dir, i));
  guint8 st = NODE_JOINING;
  g_array_append_val (w->state, st);
  g_ptr_array_add (w->joins, NULL);
  return i;
}

/* ---- Sending ---- */

/* Sends message slot m from node `from` to node `to` with the network's
 * delay; a lost message is freed (and, for joins, stalls that join: loss
 * recovery is the maintenance protocol's job). */
static void
send_msg (SimWorld *w, guint32 from, guint32 to, guint32 m)
{
  Msg *msg = &g_array_index (w->msgs, Msg, m);
  msg->from = from;
  sim_metrics_message (w->metrics, msg->type, msg->n_entries + 1);
  gboolean lost = FALSE;
  SimTime d = sim_net_delay_sample (w->net, from, to, &w->rng_network, &lost);
  if (lost)
    {
      msg_release (w, m);
      return;
    }
  sim_queue_push (w->q, sim_time_add (sim_queue_now (w->q), d), EV_MSG, to,
                  m);
}

static guint32
msg_new (SimWorld *w, SimMsgType type, guint32 joiner)
{
  guint32 m = msg_alloc (w);
  Msg *msg = &g_array_index (w->msgs, Msg, m);
  msg->type = (guint8) type;
  msg->joiner = joiner;
  return m;
}

/* Appends entries to a message (re-reading the slot: the pool may move). */
static void
msg_add_entries (SimWorld *w, guint32 m, const PastryEntry *e, guint n)
{
  if (n == 0)
    return;
  Msg *msg = &g_array_index (w->msgs, Msg, m);
  msg->entries = g_renew (PastryEntry, msg->entries, msg->n_entries + n);
  memcpy (msg->entries + msg->n_entries, e, n * sizeof (PastryEntry));
  msg->n_entries += n;
}

/* ---- Join ---- */

static void join_complete (SimWorld *w, guint32 x);
static void action_schedule_next (SimWorld *w, guint g);

/* Offers the entries of a received message to node x, with x's own
 * proximity to each (measured, as a real node would by probing). */
static guint
offer_entries (SimWorld *w, guint32 x, const PastryEntry *e, guint n,
               guint32 sender)
{
  PastryNode *node = node_at (w, x);
  guint leaf_gain = 0;
  for (guint i = 0; i <= n; i++)
    {
      guint32 p = i < n ? e[i].peer : sender;
      if (p == x || state_of (w, p) != NODE_LIVE)
        continue;
      gboolean was_leaf = (pastry_node_where (node, p)
                           & PASTRY_IN_LEAFSET) != 0;
      guint where = pastry_node_insert (node, p, sim__world_prox (w, x, p));
      if (!was_leaf && (where & PASTRY_IN_LEAFSET))
        leaf_gain++;
    }
  return leaf_gain;
}

/* Picks the bootstrap node: the nearest (by proximity) of a sample of live
 * nodes, or of all of them when the sample covers the population. */
static guint32
pick_bootstrap (SimWorld *w, guint32 x)
{
  guint n = sim_ring_size (w->live);
  guint32 best = PASTRY_PEER_NONE;
  guint32 best_prox = G_MAXUINT32;
  if (w->bootstrap_sample == 0 || n <= w->bootstrap_sample)
    {
      for (guint i = 0; i < n; i++)
        {
          guint32 c = sim_ring_nth (w->live, i);
          guint32 p = sim__world_prox (w, x, c);
          if (p < best_prox)
            best = c, best_prox = p;
        }
      return best;
    }
  for (guint k = 0; k < w->bootstrap_sample; k++)
    {
      guint32 c = sim_ring_nth (w->live, (guint) sim_rng_uniform_u64
                                (&w->rng_protocol, n));
      guint32 p = sim__world_prox (w, x, c);
      if (p < best_prox)
        best = c, best_prox = p;
    }
  return best;
}

static void
join_start (SimWorld *w, guint g)
{
  guint32 x = node_create (w);
  JoinState *js = g_new0 (JoinState, 1);
  js->started = sim_queue_now (w->q);
  js->action = g;
  g_ptr_array_index (w->joins, x) = js;
  w->joins_started++;
  if (sim_ring_size (w->live) == 0)
    {
      join_complete (w, x); /* the first node is alone on the ring */
      return;
    }
  guint32 a = pick_bootstrap (w, x);
  guint32 m = msg_new (w, SIM_MSG_JOIN_REQUEST, x);
  send_msg (w, x, a, m);
}

/* A node on the join path: reply to the joiner, then forward. */
static void
handle_join (SimWorld *w, guint32 at, guint32 m)
{
  Msg msg = g_array_index (w->msgs, Msg, m);
  guint32 x = msg.joiner;
  PastryNode *node = node_at (w, at);
  const PastryId *xid = pastry_directory_id (w->dir, x);
  PastryPeer next = pastry_node_next_hop (node, xid, NULL);
  gboolean root = next == at || next == x;

  guint32 r = msg_new (w, SIM_MSG_JOIN_REPLY, x);
  guint shl = pastry_id_shl (pastry_node_id (node), xid, w->cfg.b);
  guint first = MIN ((guint) msg.hops, shl);
  PastryEntry row[256];
  for (guint l = first; l <= shl && l < pastry_node_n_rows (node); l++)
    msg_add_entries (w, r, row, pastry_node_export_row (node, l, row));
  Msg *rm = &g_array_index (w->msgs, Msg, r);
  rm->hops = msg.hops;
  if (msg.type == SIM_MSG_JOIN_REQUEST)
    {
      PastryEntry *nb = g_newa (PastryEntry, w->cfg.neigh_size + 1);
      guint n = pastry_node_export_neighbours (node, nb);
      msg_add_entries (w, r, nb, n);
      rm = &g_array_index (w->msgs, Msg, r);
      rm->flags |= MSG_FLAG_BOOTSTRAP;
    }
  if (root)
    {
      PastryPeer leaf[256];
      guint n = pastry_node_export_leafset (node, leaf);
      PastryEntry le[256];
      for (guint i = 0; i < n; i++)
        le[i].peer = leaf[i], le[i].prox = PASTRY_PROX_UNKNOWN;
      msg_add_entries (w, r, le, n);
      rm = &g_array_index (w->msgs, Msg, r);
      rm->flags |= MSG_FLAG_ROOT;
      rm->row = 0;
    }
  /* The path length travels in `hops` of the root's reply: the number of
   * nodes on the path is hops + 1. */
  send_msg (w, at, x, r);
  if (root)
    {
      msg_release (w, m);
      return;
    }
  Msg *fw = &g_array_index (w->msgs, Msg, m);
  fw->type = SIM_MSG_JOIN;
  fw->hops = (guint8) MIN (msg.hops + 1, 255);
  send_msg (w, at, next, m);
}

static void
join_announce (SimWorld *w, guint32 x)
{
  PastryNode *node = node_at (w, x);
  guint n = pastry_node_export_known (node, NULL, 0);
  PastryPeer *known = g_new (PastryPeer, n);
  pastry_node_export_known (node, known, n);
  for (guint i = 0; i < n; i++)
    send_msg (w, x, known[i], msg_new (w, SIM_MSG_ANNOUNCE, x));
  g_free (known);
}

static void
join_complete (SimWorld *w, guint32 x)
{
  JoinState *js = g_ptr_array_index (w->joins, x);
  set_live (w, x);
  join_announce (w, x);
  sim_metrics_join (w->metrics, sim_queue_now (w->q) - js->started);
  guint g = js->action;
  g_ptr_array_index (w->joins, x) = NULL;
  g_free (js);
  if (w->gens[g].action->spread == SIM_SPREAD_SEQUENTIAL)
    action_schedule_next (w, g);
}

static void
join_stage2 (SimWorld *w, guint32 x, JoinState *js)
{
  js->stage2 = TRUE;
  if (w->join_refine)
    {
      PastryNode *node = node_at (w, x);
      PastryEntry row[256];
      for (guint l = 0; l < pastry_node_n_rows (node); l++)
        {
          guint n = pastry_node_export_row (node, l, row);
          for (guint i = 0; i < n; i++)
            {
              guint32 m = msg_new (w, SIM_MSG_ROW_REQUEST, x);
              g_array_index (w->msgs, Msg, m).row = (guint8) l;
              send_msg (w, x, row[i].peer, m);
              js->outstanding++;
            }
        }
    }
  if (js->outstanding == 0)
    join_complete (w, x);
}

static void
handle_join_reply (SimWorld *w, guint32 x, guint32 m)
{
  Msg *msg = &g_array_index (w->msgs, Msg, m);
  JoinState *js = g_ptr_array_index (w->joins, x);
  offer_entries (w, x, msg->entries, msg->n_entries, msg->from);
  if (js == NULL)
    return; /* a late reply after completion: the state was still useful */
  js->replies++;
  if (msg->flags & MSG_FLAG_ROOT)
    js->expected = msg->hops + 1u;
  if (js->expected != 0 && js->replies == js->expected && !js->stage2)
    join_stage2 (w, x, js);
}

static void
handle_row_request (SimWorld *w, guint32 at, guint32 m)
{
  Msg *msg = &g_array_index (w->msgs, Msg, m);
  guint32 x = msg->joiner;
  guint row = msg->row;
  guint32 r = msg_new (w, SIM_MSG_ROW_REPLY, x);
  PastryEntry entries[256];
  /* Rows 0..row of this node all fit the joiner's table: this node shares
   * `row` digits with it, so its row r < row holds nodes sharing exactly r
   * digits with the joiner too. */
  for (guint l = 0; l <= row; l++)
    msg_add_entries (w, r, entries,
                     pastry_node_export_row (node_at (w, at), l, entries));
  send_msg (w, at, x, r);
}

static void
handle_row_reply (SimWorld *w, guint32 x, guint32 m)
{
  Msg *msg = &g_array_index (w->msgs, Msg, m);
  offer_entries (w, x, msg->entries, msg->n_entries, msg->from);
  JoinState *js = g_ptr_array_index (w->joins, x);
  if (js != NULL && js->outstanding > 0 && --js->outstanding == 0)
    join_complete (w, x);
}

static void
handle_announce (SimWorld *w, guint32 at, guint32 m)
{
  guint32 x = g_array_index (w->msgs, Msg, m).joiner;
  PastryNode *node = node_at (w, at);
  if (state_of (w, x) != NODE_LIVE)
    return;
  gboolean was_leaf = (pastry_node_where (node, x) & PASTRY_IN_LEAFSET) != 0;
  guint where = pastry_node_insert (node, x, sim__world_prox (w, at, x));
  if (!was_leaf && (where & PASTRY_IN_LEAFSET))
    {
      /* x is new in our leaf set: it may not know our other leaves. */
      guint32 r = msg_new (w, SIM_MSG_LEAFSET_PUSH, x);
      PastryPeer leaf[256];
      PastryEntry le[256];
      guint n = pastry_node_export_leafset (node, leaf);
      for (guint i = 0; i < n; i++)
        le[i].peer = leaf[i], le[i].prox = PASTRY_PROX_UNKNOWN;
      msg_add_entries (w, r, le, n);
      send_msg (w, at, x, r);
    }
}

static void
handle_leafset_push (SimWorld *w, guint32 x, guint32 m)
{
  Msg *msg = &g_array_index (w->msgs, Msg, m);
  PastryNode *node = node_at (w, x);
  guint n = msg->n_entries;
  PastryEntry *e = g_newa (PastryEntry, n + 1);
  memcpy (e, msg->entries, n * sizeof (PastryEntry));
  for (guint i = 0; i < n; i++)
    {
      guint32 p = e[i].peer;
      if (p == x || state_of (w, p) != NODE_LIVE)
        continue;
      gboolean was_leaf = (pastry_node_where (node, p)
                           & PASTRY_IN_LEAFSET) != 0;
      guint where = pastry_node_insert (node, p, sim__world_prox (w, x, p));
      /* A new leaf that may not know us yet: announce ourselves. */
      if (!was_leaf && (where & PASTRY_IN_LEAFSET)
          && state_of (w, x) == NODE_LIVE)
        send_msg (w, x, p, msg_new (w, SIM_MSG_ANNOUNCE, x));
    }
}

static void
handle_msg (SimWorld *w, guint32 at, guint32 m)
{
  switch ((SimMsgType) g_array_index (w->msgs, Msg, m).type)
    {
    case SIM_MSG_JOIN_REQUEST:
    case SIM_MSG_JOIN:
      handle_join (w, at, m);
      return; /* handle_join reuses or frees the slot */
    case SIM_MSG_JOIN_REPLY:
      handle_join_reply (w, at, m);
      break;
    case SIM_MSG_ROW_REQUEST:
      handle_row_request (w, at, m);
      break;
    case SIM_MSG_ROW_REPLY:
      handle_row_reply (w, at, m);
      break;
    case SIM_MSG_ANNOUNCE:
      handle_announce (w, at, m);
      break;
    case SIM_MSG_LEAFSET_PUSH:
      handle_leafset_push (w, at, m);
      break;
    case SIM_MSG_LOOKUP:
    case SIM_MSG_N_TYPES:
    default:
      g_assert_not_reached ();
    }
  msg_release (w, m);
}

/* ---- Lookups ---- */

static void
lookup_finish (SimWorld *w, guint32 at, guint32 l, SimOutcome outcome)
{
  Lookup lk = g_array_index (w->lookups, Lookup, l);
  lookup_release (w, l);
  PastryPeer root = sim_ring_root (w->live, &lk.key);
  if (outcome == SIM_OUTCOME_OK && at != root)
    outcome = SIM_OUTCOME_WRONG;
  SimTime now = sim_queue_now (w->q);
  SimTime direct = root == PASTRY_PEER_NONE ? 0
                                            : sim__world_latency (w, lk.src,
                                                                  root);
  double ratio = -1.0;
  if (w->ideal != NULL && outcome == SIM_OUTCOME_OK)
    {
      SimTime ideal = sim__world_ideal_route (w, lk.src, &lk.key);
      if (ideal > 0)
        ratio = (double) (now - lk.issued) / (double) ideal;
    }
  sim_metrics_lookup (w->metrics, lk.issued, lk.src, &lk.key, lk.hops,
                      now - lk.issued, direct, ratio, outcome);
  w->lookups_done++;
}

static void
handle_lookup (SimWorld *w, guint32 at, guint32 l)
{
  Lookup *lk = &g_array_index (w->lookups, Lookup, l);
  PastryPeer next = pastry_node_next_hop (node_at (w, at), &lk->key, NULL);
  if (next == at)
    {
      lookup_finish (w, at, l, SIM_OUTCOME_OK);
      return;
    }
  if (lk->hops + 1 >= SIM_MAX_HOPS)
    {
      lookup_finish (w, at, l, SIM_OUTCOME_FAILED); /* a routing loop */
      return;
    }
  lk->hops++;
  sim_metrics_message (w->metrics, SIM_MSG_LOOKUP, 1);
  gboolean lost = FALSE;
  SimTime d = sim_net_delay_sample (w->net, at, next, &w->rng_network, &lost);
  if (lost)
    {
      lookup_finish (w, at, l, SIM_OUTCOME_FAILED);
      return;
    }
  sim_queue_push (w->q, sim_time_add (sim_queue_now (w->q), d), EV_LOOKUP,
                  next, l);
}

static void
lookup_start (SimWorld *w, const SimAction *a)
{
  guint n = sim_ring_size (w->live);
  if (n == 0)
    return; /* nobody to ask: counted as not started */
  guint32 l = lookup_alloc (w);
  Lookup *lk = &g_array_index (w->lookups, Lookup, l);
  lk->src = sim_ring_nth (w->live, (guint) sim_rng_uniform_u64
                          (&w->rng_workload, n));
  if (a->keys == SIM_KEYS_NODE)
    lk->key = *pastry_directory_id (w->dir, sim_ring_nth
                                    (w->live, (guint) sim_rng_uniform_u64
                                     (&w->rng_workload, n)));
  else
    {
      lk->key.hi = sim_rng_next_u64 (&w->rng_workload);
      lk->key.lo = sim_rng_next_u64 (&w->rng_workload);
    }
  lk->issued = sim_queue_now (w->q);
  lk->hops = 0;
  w->lookups_started++;
  handle_lookup (w, lk->src, l);
}

/* ---- Scenario actions ---- */

/* Schedules the next unit of generator g, if any remain. */
static void
action_schedule_next (SimWorld *w, guint g)
{
  ActionGen *gen = &w->gens[g];
  const SimAction *a = gen->action;
  SimTime now = sim_queue_now (w->q);
  SimTime t;
  switch (a->spread)
    {
    case SIM_SPREAD_AT_ONCE:
    case SIM_SPREAD_SEQUENTIAL:
      if (gen->done >= a->count)
        return;
      t = MAX (now, a->at);
      break;
    case SIM_SPREAD_UNIFORM:
      {
        if (gen->done >= a->count)
          return;
        /* The next of the remaining order statistics of count uniform
         * times in [at, at + over): the minimum of k uniforms over the rest
         * of the span is span * (1 - U^(1/k)). */
        guint64 k = a->count - gen->done;
        SimTime end = sim_time_add (a->at, a->over);
        SimTime from = MAX (gen->last, a->at);
        double u = sim_rng_double (&w->rng_workload);
        double frac = 1.0 - pow (1.0 - u, 1.0 / (double) k);
        t = from + (SimTime) (frac * (double) (end - from));
        if (t >= end)
          t = end - 1;
        gen->last = t;
        break;
      }
    case SIM_SPREAD_POISSON:
      {
        double gap_s = sim_rng_exponential (&w->rng_workload,
                                            1.0 / a->rate_per_s);
        SimTime from = gen->done == 0 ? a->at : MAX (gen->last, a->at);
        t = sim_time_add (from, (SimTime) (gap_s * (double) SIM_TIME_S));
        if (t >= sim_time_add (a->at, a->duration))
          return;
        gen->last = t;
        break;
      }
    default:
      g_assert_not_reached ();
    }
  sim_queue_push (w->q, MAX (t, now), EV_ACTION, g, 0);
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
      join_start (w, g);
      if (a->spread != SIM_SPREAD_SEQUENTIAL)
        action_schedule_next (w, g);
      return;
    case SIM_ACTION_BUILD:
      {
        for (guint64 i = 0; i < a->count; i++)
          set_live (w, node_create (w));
        GPtrArray *all = w->nodes;
        sim__world_build_ideal (w, (PastryNode **) all->pdata, w->build_sample,
                                &w->rng_protocol);
        gen->done = a->count;
        return;
      }
    case SIM_ACTION_LOOKUP:
      gen->done++;
      lookup_start (w, a);
      action_schedule_next (w, g);
      return;
    default:
      g_assert_not_reached ();
    }
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
  w->sc = sc;
  w->metrics = metrics;
  w->cfg = cfg;
  w->net = net;
  w->dir = pastry_directory_new (NULL);
  w->nodes = g_ptr_array_new_with_free_func ((GDestroyNotify)
                                             pastry_node_free);
  w->state = g_array_new (FALSE, FALSE, sizeof (guint8));
  w->joins = g_ptr_array_new ();
  w->live = sim_ring_new (w->dir);
  w->q = sim_queue_new (SIM_QUEUE_DEFAULT);
  w->msgs = g_array_new (FALSE, TRUE, sizeof (Msg));
  w->msg_free = g_array_new (FALSE, FALSE, sizeof (guint32));
  w->lookups = g_array_new (FALSE, TRUE, sizeof (Lookup));
  w->lookup_free = g_array_new (FALSE, FALSE, sizeof (guint32));

  guint64 seed = sim_scenario_get_uint (sc, "seed");
  sim_rng_init (&w->rng_ids, seed, SIM_RNG_PURPOSE_IDS, 0);
  sim_rng_init (&w->rng_topology, seed, SIM_RNG_PURPOSE_TOPOLOGY, 0);
  sim_rng_init (&w->rng_workload, seed, SIM_RNG_PURPOSE_WORKLOAD, 0);
  sim_rng_init (&w->rng_protocol, seed, SIM_RNG_PURPOSE_PROTOCOL, 0);
  sim_rng_init (&w->rng_network, seed, SIM_RNG_PURPOSE_NETWORK, 0);

  w->join_refine = g_str_equal (sim_scenario_get_string (sc, "join_refine"),
                                "rows");
  w->bootstrap_sample = (guint) sim_scenario_get_uint (sc,
                                                       "bootstrap_sample");
  w->build_sample = (guint) sim_scenario_get_uint (sc, "build_sample");
  w->ideal_compare = g_str_equal (sim_scenario_get_string (sc,
                                                           "ideal_compare"),
                                  "on");
  w->ideal_sample = (guint) sim_scenario_get_uint (sc, "ideal_sample");
  w->quality_sample = (guint) sim_scenario_get_uint (sc, "quality_sample");

  w->n_gens = sim_scenario_n_actions (sc);
  w->gens = g_new0 (ActionGen, w->n_gens);
  for (guint i = 0; i < w->n_gens; i++)
    {
      const SimAction *a = sim_scenario_action (sc, i);
      w->gens[i].action = a;
      SimTime end = sim_time_add (a->at, MAX (a->over, a->duration));
      w->end_hint = MAX (w->end_hint, end);
    }
  return w;
}

void
sim_world_free (SimWorld *w)
{
  if (w == NULL)
    return;
  for (guint i = 0; i < w->msgs->len; i++)
    g_free (g_array_index (w->msgs, Msg, i).entries);
  for (guint i = 0; i < w->joins->len; i++)
    g_free (g_ptr_array_index (w->joins, i));
  if (w->ideal != NULL)
    {
      for (guint i = 0; i < w->n_ideal; i++)
        pastry_node_free (w->ideal[i]);
      g_free (w->ideal);
    }
  g_ptr_array_free (w->joins, TRUE);
  g_ptr_array_free (w->nodes, TRUE);
  g_array_free (w->state, TRUE);
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

char *
sim_world_describe_network (const SimWorld *w)
{
  g_return_val_if_fail (w != NULL, NULL);
  return sim_net_describe (w->net);
}

/* ---- The event loop ---- */

static void
progress_line (SimWorld *w, gint64 started)
{
  double wall = (double) (g_get_monotonic_time () - started) / 1e6;
  double sim_s = sim_time_to_s (sim_queue_now (w->q));
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

gboolean
sim_world_run (SimWorld *w, gboolean progress, volatile int *cancel)
{
  g_return_val_if_fail (w != NULL, FALSE);

  for (guint g = 0; g < w->n_gens; g++)
    action_schedule_next (w, g);

  gint64 started = g_get_monotonic_time ();
  gint64 next_progress = started + G_USEC_PER_SEC;
  gboolean ideal_pending = w->ideal_compare;
  SimEvent ev;
  while (sim_queue_pop (w->q, &ev))
    {
      w->events++;
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
          if (ideal_pending
              && w->gens[ev.a].action->kind == SIM_ACTION_LOOKUP)
            {
              /* The shadow overlay with complete global knowledge is built
               * once, over the nodes live when lookups begin. */
              w->n_ideal = w->nodes->len;
              w->ideal = g_new0 (PastryNode *, w->n_ideal);
              for (guint i = 0; i < w->n_ideal; i++)
                w->ideal[i] = pastry_node_new (&w->cfg, w->dir, i);
              SimRng rng;
              sim_rng_init (&rng, sim_scenario_get_uint (w->sc, "seed"),
                            SIM_RNG_PURPOSE_PROTOCOL, 1);
              sim__world_build_ideal (w, w->ideal, w->ideal_sample, &rng);
              ideal_pending = FALSE;
            }
          handle_action (w, ev.a);
          break;
        case EV_MSG:
          handle_msg (w, ev.a, (guint32) ev.b);
          break;
        case EV_LOOKUP:
          handle_lookup (w, ev.a, (guint32) ev.b);
          break;
        default:
          g_assert_not_reached ();
        }
    }
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
  sim_metrics_set (w->metrics, "lookups_not_started",
                   0);
  sim_metrics_set (w->metrics, "events", (double) w->events);
  sim_metrics_set (w->metrics, "sim_time_s",
                   sim_time_to_s (sim_queue_now (w->q)));
  sim__world_measure_tables (w);
  return TRUE;
}

/* ---- Testing ---- */

guint
sim_world_n_live (const SimWorld *w)
{
  g_return_val_if_fail (w != NULL, 0);
  return sim_ring_size (w->live);
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
      guint nl = pastry_node_leafset_side (node_at (w, x), PASTRY_SIDE_LEFT,
                                           &hl);
      guint nr = pastry_node_leafset_side (node_at (w, x), PASTRY_SIDE_RIGHT,
                                           &hr);
      if (side_matches (hl, nl, left, n) && side_matches (hr, nr, right, n))
        continue;
      if (bad == 0 && first != NULL)
        *first = g_strdup_printf ("node %u: leaf set has %u+%u entries, "
                                  "expected %u+%u (or different members)",
                                  x, nl, nr, n, n);
      bad++;
    }
  g_free (left);
  g_free (right);
  return bad;
}
