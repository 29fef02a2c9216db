/* sim-world-join.c — the join protocol (Rowstron & Druschel 2001, §3.4).
 *
 * The joiner X asks a bootstrap node A near it (in proximity) to route a
 * JOIN towards X's id.  Every node on the path sends X one JOIN_REPLY with
 * its routing-table rows from the hop index up to the prefix it shares
 * with X; A adds its neighbourhood set, the root Z its leaf set and the
 * path length.  With join_refine = rows (the default; the paper's locality
 * refinement) X then asks each node in its table for its rows up to the
 * one that node sits in.  Finally X announces itself to every node it
 * knows; a node that takes X into its leaf set answers with its own leaf
 * set, and X announces itself to any new leaf it learns that way, so
 * concurrent joiners find each other.  Proximity values are the network
 * model's latency, as a real node measures by probing.
 *
 * Invariant: a JoinState exists exactly while its node is NODE_JOINING.
 */
#include "sim-world-private.h"

#include <string.h>

guint32
sim__world_node_create (SimWorld *w, const PastryId *given)
{
  PastryId id;
  if (given != NULL)
    id = *given;
  else
    do
      {
        id.hi = sim_rng_next_u64 (&w->rng_ids);
        id.lo = sim_rng_next_u64 (&w->rng_ids);
      }
    /* A duplicate of a live id is astronomically unlikely (2^-128 per
     * pair) but would break the oracle; draw again if it ever happens. */
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
  guint32 inc = 0;
  g_array_append_val (w->incarn, inc);
  g_ptr_array_add (w->joins, NULL);
  g_ptr_array_add (w->maint, NULL);
  return i;
}

/* The bootstrap node: the nearest (by proximity) of a sample of live
 * nodes, or of all of them when the sample covers the population. */
static guint32
pick_bootstrap (SimWorld *w, guint32 x)
{
  guint n = sim_ring_size (w->live);
  guint32 best = PASTRY_PEER_NONE;
  guint32 best_prox = G_MAXUINT32;
  gboolean all = w->bootstrap_sample == 0 || n <= w->bootstrap_sample;
  guint k_max = all ? n : w->bootstrap_sample;
  for (guint k = 0; k < k_max; k++)
    {
      guint32 c = sim_ring_nth (w->live,
                                all ? k : (guint) sim_rng_uniform_u64
                                            (&w->rng_protocol, n));
      guint32 p = sim__world_prox (w, x, c);
      if (p < best_prox || (p == best_prox && c < best))
        best = c, best_prox = p;
    }
  return best;
}

static void
join_complete (SimWorld *w, guint32 x)
{
  JoinState *js = g_ptr_array_index (w->joins, x);
  sim__world_set_live (w, x);
  /* Announce: every known node learns of x. */
  PastryNode *node = sim__world_node (w, x);
  guint n = pastry_node_export_known (node, NULL, 0);
  PastryPeer *known = g_new (PastryPeer, n);
  pastry_node_export_known (node, known, n);
  /* The paper: the nodes told "in turn update their own state based on
   * the information received" -- the announcement carries x's state. */
  PastryEntry *state = g_new (PastryEntry, n);
  for (guint i = 0; i < n; i++)
    state[i] = (PastryEntry) { .peer = known[i], .prox = PASTRY_PROX_UNKNOWN };
  for (guint i = 0; i < n; i++)
    {
      guint32 a = sim__world_msg_new (w, PASTRY_MSG_ANNOUNCE, x);
      if (w->announce_state)
        sim__world_msg_add (w, a, state, n);
      /* Leaf-set members answer: x learnt of them from others, and a dead
       * one would otherwise stay in its leaf set unnoticed. */
      if (!w->oracle_hints
          && (pastry_node_where (node, known[i]) & PASTRY_IN_LEAFSET))
        sim__world_msg (w, a)->flags |= PASTRY_MSG_FLAG_LEAF;
      sim__world_send (w, x, known[i], a);
    }
  g_free (state);
  g_free (known);
  sim_metrics_join (w->metrics, sim__world_now (w) - js->started);
  guint action = js->action;
  g_ptr_array_index (w->joins, x) = NULL;
  g_free (js);
  sim__world_join_done (w, action);
}

static void join_restart (SimWorld *w, guint32 x, JoinState *js);

/* Sends the join request of the current attempt. */
static void
join_attempt (SimWorld *w, guint32 x, JoinState *js)
{
  if (sim_ring_size (w->live) == 0)
    {
      join_complete (w, x); /* the first node is alone on the ring */
      return;
    }
  guint32 a = pick_bootstrap (w, x);
  guint32 m = sim__world_msg_new (w, PASTRY_MSG_JOIN_REQUEST, x);
  sim__world_msg (w, m)->attempt = js->attempt;
  sim__world_send (w, x, a, m);
  if (w->maintain)
    sim__world_timer (w, sim_time_add (sim__world_now (w), w->lookup_timeout),
                      EV_JOIN_TIMEOUT, x, js->attempt);
}

void
sim__world_join_start (SimWorld *w, guint32 x, guint action)
{
  JoinState *js = g_new0 (JoinState, 1);
  js->started = sim__world_now (w);
  js->action = action;
  g_free (g_ptr_array_index (w->joins, x));
  g_ptr_array_index (w->joins, x) = js;
  g_array_index (w->state, guint8, x) = NODE_JOINING;
  w->joins_started++;
  join_attempt (w, x, js);
}

void
sim__world_join_timeout (SimWorld *w, guint32 x, guint64 b)
{
  JoinState *js = g_ptr_array_index (w->joins, x);
  if (js == NULL || sim__world_state (w, x) != NODE_JOINING
      || (guint32) (b >> 32) != sim__world_incarnation (w, x)
      || (guint8) b != js->attempt)
    return;
  join_restart (w, x, js);
}

/* Starts attempt js->attempt + 1 afresh. */
static void
join_restart (SimWorld *w, guint32 x, JoinState *js)
{
  /* Start over: forget what this attempt gathered. */
  js->attempt++;
  js->replies = js->expected = js->outstanding = 0;
  js->stage2 = FALSE;
  pastry_node_free (g_ptr_array_index (w->nodes, x));
  g_ptr_array_index (w->nodes, x) = pastry_node_new (&w->cfg, w->dir, x);
  join_attempt (w, x, js);
}

/* The next hop of a JOIN for xid at node at: the paper's choice, or, when
 * at suspects it, the best route() candidate it does not suspect (at
 * itself when there is none).  Only the node's own knowledge: a dead next
 * hop it does not suspect yet is found when the JOIN comes back unanswered
 * (sim__world_join_bounced). */
static PastryPeer
join_next_hop (SimWorld *w, guint32 at, const PastryId *xid, guint32 x)
{
  PastryNode *node = sim__world_node (w, at);
  PastryPeer next = pastry_node_next_hop (node, xid, NULL);
  /* Oracle hint: a down next hop is known at once (with maintenance the
   * node would find out by the missing acknowledgement); it is suspected
   * now and routed around. */
  gboolean hint = w->oracle_hints && w->maintain && next != x
                  && sim__world_state (w, next) != NODE_LIVE;
  if (next == at || next == x
      || (!hint && !sim__world_is_suspect (w, at, next)))
    return next;
  if (hint)
    sim__world_suspect (w, at, next);
  PastryPeer cand[8];
  guint nc = pastry_node_route (node, xid, cand, G_N_ELEMENTS (cand));
  for (guint i = 1; i < nc; i++)
    if (!sim__world_is_suspect (w, at, cand[i])
        && (!w->oracle_hints || sim__world_state (w, cand[i]) == NODE_LIVE))
      return cand[i];
  return at;
}

void
sim__world_join_bounced (SimWorld *w, guint32 at, guint32 m)
{
  PastryMessage *msg = sim__world_msg (w, m);
  guint32 x = msg->about, dead = msg->to;
  sim__world_suspect (w, at, dead);
  PastryPeer next = sim__world_state (w, x) == NODE_JOINING
                      ? join_next_hop (w, at, pastry_directory_id (w->dir, x),
                                       x)
                      : at;
  if (next == at || next == x || next == dead)
    {
      /* No other way on (at already answered as a path node, not as the
       * root): the joiner's own timeout restarts the join. */
      sim__world_msg_release (w, m);
      return;
    }
  msg->flags &= (guint8) ~PASTRY_MSG_FLAG_TIMEOUT;
  sim__world_send (w, at, next, m);
}

/* A node on the join path: reply to the joiner, then forward. */
static void
handle_join (SimWorld *w, guint32 at, guint32 m)
{
  PastryMessage msg = *sim__world_msg (w, m);
  guint32 x = msg.about;
  if (sim__world_state (w, x) != NODE_JOINING)
    {
      sim__world_msg_release (w, m); /* the joiner died meanwhile */
      return;
    }
  PastryNode *node = sim__world_node (w, at);
  const PastryId *xid = pastry_directory_id (w->dir, x);
  PastryPeer next = join_next_hop (w, at, xid, x);
  gboolean root = next == at || next == x;

  guint32 r = sim__world_msg_new (w, PASTRY_MSG_JOIN_REPLY, x);
  guint shl = pastry_id_shl (pastry_node_id (node), xid, w->cfg.b);
  guint first = MIN ((guint) msg.hops, shl);
  PastryEntry row[256];
  for (guint l = first; l <= shl && l < pastry_node_n_rows (node); l++)
    sim__world_msg_add (w, r, row, pastry_node_export_row (node, l, row));
  if (msg.type == PASTRY_MSG_JOIN_REQUEST)
    {
      PastryEntry *nb = g_newa (PastryEntry, w->cfg.neigh_size + 1);
      sim__world_msg_add (w, r, nb, pastry_node_export_neighbours (node, nb));
      sim__world_msg (w, r)->flags |= PASTRY_MSG_FLAG_BOOTSTRAP;
    }
  if (root)
    {
      sim__world_msg_add_leafset (w, r, at);
      sim__world_msg (w, r)->flags |= PASTRY_MSG_FLAG_ROOT;
    }
  /* The root's reply carries the path length in `hops`: the path has
   * hops + 1 nodes, each of which replies once. */
  sim__world_msg (w, r)->hops = msg.hops;
  sim__world_msg (w, r)->attempt = msg.attempt;
  sim__world_send (w, at, x, r);
  if (root)
    {
      sim__world_msg_release (w, m);
      return;
    }
  PastryMessage *fw = sim__world_msg (w, m);
  fw->type = PASTRY_MSG_JOIN;
  fw->hops = (guint8) MIN (msg.hops + 1, 255);
  if (!w->oracle_hints)
    fw->flags |= PASTRY_MSG_FLAG_ACKED;
  sim__world_send (w, at, next, m);
}

static void
join_stage2 (SimWorld *w, guint32 x, JoinState *js)
{
  js->stage2 = TRUE;
  if (w->join_refine)
    {
      PastryNode *node = sim__world_node (w, x);
      PastryEntry row[256];
      for (guint l = 0; l < pastry_node_n_rows (node); l++)
        {
          guint n = pastry_node_export_row (node, l, row);
          for (guint i = 0; i < n; i++)
            {
              guint32 m = sim__world_msg_new (w, PASTRY_MSG_ROW_REQUEST, x);
              sim__world_msg (w, m)->row = (guint8) l;
              sim__world_msg (w, m)->attempt = js->attempt;
              sim__world_msg (w, m)->flags |= PASTRY_MSG_FLAG_JOINING;
              sim__world_send (w, x, row[i].peer, m);
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
  PastryMessage *msg = sim__world_msg (w, m);
  JoinState *js = g_ptr_array_index (w->joins, x);
  if (sim__world_state (w, x) == NODE_DOWN)
    return;
  sim__world_offer (w, x, msg->entries, msg->n_entries, msg->from);
  if (js == NULL || msg->attempt != js->attempt)
    return; /* a late reply: its state was still useful */
  js->replies++;
  if (msg->flags & PASTRY_MSG_FLAG_ROOT)
    js->expected = msg->hops + 1u;
  if (js->expected != 0 && js->replies == js->expected && !js->stage2)
    join_stage2 (w, x, js);
}

void
sim__world_join_missed (SimWorld *w, guint32 x, const PastryMessage *msg)
{
  JoinState *js = g_ptr_array_index (w->joins, x);
  if (js == NULL || sim__world_state (w, x) != NODE_JOINING
      || msg->attempt != js->attempt)
    return;
  if (msg->type == PASTRY_MSG_JOIN_REPLY)
    {
      if (msg->flags & PASTRY_MSG_FLAG_ROOT)
        {
          /* Without the root's leaf set the join cannot finish: start
           * over now rather than at the attempt's timeout. */
          join_restart (w, x, js);
          return;
        }
      js->replies++;
      if (js->expected != 0 && js->replies == js->expected && !js->stage2)
        join_stage2 (w, x, js);
      return;
    }
  if ((msg->flags & PASTRY_MSG_FLAG_JOINING) && js->outstanding > 0
      && --js->outstanding == 0)
    join_complete (w, x);
}

static void
handle_row_request (SimWorld *w, guint32 at, guint32 m)
{
  /* Copy what we need: allocating the reply may move the pool. */
  PastryMessage msg = *sim__world_msg (w, m);
  guint32 x = msg.about;
  guint row = msg.row;
  guint32 r = sim__world_msg_new (w, PASTRY_MSG_ROW_REPLY, x);
  sim__world_msg (w, r)->attempt = msg.attempt;
  sim__world_msg (w, r)->flags = msg.flags & PASTRY_MSG_FLAG_JOINING;
  PastryEntry entries[256];
  /* Rows 0..row of this node all fit the asker's table: this node shares
   * `row` digits with it, so its row r < row holds nodes sharing exactly r
   * digits with the asker too. */
  for (guint l = 0; l <= row; l++)
    sim__world_msg_add (w, r, entries,
                        pastry_node_export_row (sim__world_node (w, at), l,
                                                entries));
  sim__world_send (w, at, x, r);
}

static void
handle_row_reply (SimWorld *w, guint32 x, guint32 m)
{
  PastryMessage *msg = sim__world_msg (w, m);
  if (sim__world_state (w, x) == NODE_DOWN)
    return;
  sim__world_offer (w, x, msg->entries, msg->n_entries, msg->from);
  JoinState *js = g_ptr_array_index (w->joins, x);
  if (js != NULL && (msg->flags & PASTRY_MSG_FLAG_JOINING)
      && msg->attempt == js->attempt && js->outstanding > 0
      && --js->outstanding == 0)
    join_complete (w, x);
}

static void
handle_announce (SimWorld *w, guint32 at, guint32 m)
{
  guint32 x = sim__world_msg (w, m)->about;
  PastryNode *node = sim__world_node (w, at);
  if (sim__world_state (w, x) != NODE_LIVE)
    return;
  sim__world_alive (w, at, x);
  gboolean was_leaf = (pastry_node_where (node, x) & PASTRY_IN_LEAFSET) != 0;
  guint where = pastry_node_insert (node, x, sim__world_prox (w, at, x));
  PastryMessage *msg = sim__world_msg (w, m);
  if (msg->n_entries > 0)
    sim__world_offer (w, at, msg->entries, msg->n_entries, x);
  if (!was_leaf && (where & PASTRY_IN_LEAFSET))
    {
      /* x is new in our leaf set: it may not know our other leaves. */
      guint32 r = sim__world_msg_new (w, PASTRY_MSG_LEAFSET_PUSH, x);
      sim__world_msg_add_leafset (w, r, at);
      sim__world_send (w, at, x, r);
    }
}

static void
handle_leafset_push (SimWorld *w, guint32 x, guint32 m)
{
  PastryMessage *msg = sim__world_msg (w, m);
  PastryNode *node = sim__world_node (w, x);
  guint n = msg->n_entries;
  guint32 from = msg->from; /* msg moves when the pool grows below */
  PastryEntry *e = g_newa (PastryEntry, n + 1);
  memcpy (e, msg->entries, n * sizeof (PastryEntry));
  for (guint i = 0; i < n; i++)
    {
      guint32 p = e[i].peer;
      if (p == x || sim__world_believes_dead (w, x, p))
        continue;
      if (w->oracle_hints && sim__world_state (w, p) != NODE_LIVE)
        continue; /* oracle hint */
      if (!w->oracle_hints && p != from && w->maintain
          && sim__world_state (w, x) == NODE_LIVE
          && pastry_node_leafset_admits (node, p))
        {
          sim__world_verify (w, x, p); /* as in sim__world_offer */
          continue;
        }
      gboolean was_leaf = (pastry_node_where (node, p)
                           & PASTRY_IN_LEAFSET) != 0;
      guint where = pastry_node_insert (node, p, sim__world_prox (w, x, p));
      /* A new leaf that may not know us yet: announce ourselves, and
       * check it is alive (the push may be out of date). */
      if (!was_leaf && (where & PASTRY_IN_LEAFSET)
          && sim__world_state (w, x) == NODE_LIVE)
        {
          sim__world_send (w, x, p,
                           sim__world_msg_new (w, PASTRY_MSG_ANNOUNCE, x));
        }
    }
}

gboolean
sim__world_join_msg (SimWorld *w, guint32 at, guint32 m)
{
  switch ((PastryMsgType) sim__world_msg (w, m)->type)
    {
    case PASTRY_MSG_JOIN_REQUEST:
    case PASTRY_MSG_JOIN:
      handle_join (w, at, m);
      return TRUE; /* handle_join reuses or frees the slot */
    case PASTRY_MSG_JOIN_REPLY:
      handle_join_reply (w, at, m);
      break;
    case PASTRY_MSG_ROW_REQUEST:
      handle_row_request (w, at, m);
      break;
    case PASTRY_MSG_ROW_REPLY:
      handle_row_reply (w, at, m);
      break;
    case PASTRY_MSG_ANNOUNCE:
      handle_announce (w, at, m);
      break;
    case PASTRY_MSG_LEAFSET_PUSH:
      handle_leafset_push (w, at, m);
      break;
    default:
      return FALSE;
    }
  sim__world_msg_release (w, m);
  return TRUE;
}
