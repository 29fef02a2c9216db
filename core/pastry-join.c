/* pastry-join.c — the join protocol (pastry-join.h).
 *
 * Invariant: a joiner's PastryJoin counts, for its current attempt only,
 * the JOIN_REPLYs received or given up on and the second-stage requests
 * still outstanding; the join completes exactly once per attempt (when
 * every path node is accounted for and every row request answered or
 * given up on), and messages of earlier attempts (their `attempt` field)
 * only contribute the state they carry.
 *
 * Cost: a path node exports at most (shared prefix + 1) rows, plus its
 * neighbourhood set (bootstrap) and leaf set (root); a completing joiner
 * sends one ANNOUNCE per known peer, each carrying its known peers with
 * announce_state (O(known^2) entries: the paper's choice, kept).
 *
 * Alternative rejected: letting the caller route the JOIN (as a lookup).
 * Each path node must answer the joiner with its own rows, which only the
 * protocol knows how to cut, and a JOIN's next hop avoids suspects with
 * the same failure detector as repair; it stays here.
 */
#include "pastry-join.h"

static gboolean
is_suspect (const PastryMaint *mt, const PastryEnv *env, PastryPeer p)
{
  return mt != NULL && pastry_fd_is_suspect (&mt->fd, p, env->now);
}

static gboolean
reachable (const PastryEnv *env, PastryPeer p)
{
  return env->reachable == NULL || env->reachable (p, env->hint_data);
}

/* ---- The joiner ---- */

/* The node has the state it needs: it becomes a member and announces
 * itself to every node it knows. */
static void
complete (PastryNode *node, const PastryEnv *env)
{
  PastryPeer self = pastry_node_self (node);
  pastry_outbox_upcall (env->out, PASTRY_UPCALL_JOINED, self);
  guint n = pastry_node_export_known (node, NULL, 0);
  PastryPeer *known = g_new (PastryPeer, n);
  pastry_node_export_known (node, known, n);
  /* The paper: the nodes told "in turn update their own state based on
   * the information received" -- the announcement carries the state. */
  PastryEntry *state = g_new (PastryEntry, n);
  for (guint i = 0; i < n; i++)
    state[i] = (PastryEntry){ .peer = known[i], .prox = PASTRY_PROX_UNKNOWN };
  for (guint i = 0; i < n; i++)
    {
      PastryMessage *a
          = pastry_outbox_send (env->out, known[i], PASTRY_MSG_ANNOUNCE, self);
      if (env->join->announce_state)
        pastry_msg_add_entries (a, state, n);
      /* Leaf-set members answer: the node learnt of them from others, and
       * a dead one would otherwise stay in its leaf set unnoticed. */
      if (env->join->acked
          && (pastry_node_where (node, known[i]) & PASTRY_IN_LEAFSET))
        a->flags |= PASTRY_MSG_FLAG_LEAF;
    }
  g_free (state);
  g_free (known);
  pastry_outbox_upcall (env->out, PASTRY_UPCALL_JOIN_DONE, self);
}

void
pastry_join_attempt (PastryJoin *js, PastryNode *node, const PastryEnv *env,
                     PastryPeer bootstrap)
{
  g_return_if_fail (js != NULL && node != NULL && env != NULL);
  if (bootstrap == PASTRY_PEER_NONE)
    {
      complete (node, env); /* the first node is alone on the ring */
      return;
    }
  PastryMessage *msg = pastry_outbox_send (
      env->out, bootstrap, PASTRY_MSG_JOIN_REQUEST, pastry_node_self (node));
  msg->attempt = js->attempt;
  if (env->join->restart)
    pastry_outbox_timer (env->out, PASTRY_TIMER_JOIN, env->join->timeout,
                         js->attempt);
}

void
pastry_join_start (PastryJoin *js, PastryNode *node, const PastryEnv *env,
                   PastryPeer bootstrap)
{
  g_return_if_fail (js != NULL);
  *js = (PastryJoin){ 0 };
  pastry_join_attempt (js, node, env, bootstrap);
}

/* Starts attempt js->attempt + 1 afresh (the caller clears the state and
 * picks the bootstrap on JOIN_RESTART). */
static void
restart (PastryJoin *js, const PastryEnv *env)
{
  js->attempt++;
  js->replies = js->expected = js->outstanding = 0;
  js->stage2 = FALSE;
  pastry_outbox_upcall (env->out, PASTRY_UPCALL_JOIN_RESTART, env->out->self);
}

void
pastry_join_timer (PastryJoin *js, const PastryEnv *env, guint32 cookie)
{
  g_return_if_fail (js != NULL && env != NULL);
  if ((guint8) cookie == js->attempt)
    restart (js, env);
}

static void
stage2 (PastryJoin *js, PastryNode *node, const PastryEnv *env)
{
  js->stage2 = TRUE;
  if (env->join->refine)
    {
      PastryPeer self = pastry_node_self (node);
      PastryEntry row[256];
      for (guint l = 0; l < pastry_node_n_rows (node); l++)
        {
          guint n = pastry_node_export_row (node, l, row);
          for (guint i = 0; i < n; i++)
            {
              PastryMessage *m = pastry_outbox_send (
                  env->out, row[i].peer, PASTRY_MSG_ROW_REQUEST, self);
              m->row = (guint8) l;
              m->attempt = js->attempt;
              m->flags |= PASTRY_MSG_FLAG_JOINING;
              if (!env->join->refine_behind)
                js->outstanding++;
            }
        }
    }
  if (js->outstanding == 0)
    complete (node, env);
}

/* One more path node accounted for. */
static void
count_reply (PastryJoin *js, PastryNode *node, const PastryEnv *env)
{
  js->replies++;
  if (js->expected != 0 && js->replies == js->expected && !js->stage2)
    stage2 (js, node, env);
}

/* One second-stage request fewer outstanding. */
static void
count_row (PastryJoin *js, PastryNode *node, const PastryEnv *env)
{
  if (js->outstanding > 0 && --js->outstanding == 0)
    complete (node, env);
}

void
pastry_join_missed (PastryJoin *js, PastryNode *node, const PastryMessage *msg,
                    const PastryEnv *env)
{
  g_return_if_fail (node != NULL && msg != NULL && env != NULL);
  if (js == NULL || msg->attempt != js->attempt)
    return;
  if (msg->type == PASTRY_MSG_JOIN_REPLY)
    {
      if (msg->flags & PASTRY_MSG_FLAG_ROOT)
        /* Without the root's leaf set the join cannot finish: start over
         * now rather than at the attempt's timeout. */
        restart (js, env);
      else
        count_reply (js, node, env);
      return;
    }
  if (msg->flags & PASTRY_MSG_FLAG_JOINING)
    count_row (js, node, env);
}

/* ---- Path nodes and the root ---- */

/* The next hop of a JOIN for x at this node: the paper's choice, or, when
 * the node suspects it (or the caller knows it unreachable: then it is
 * suspected now), the best route() candidate it does not suspect (itself
 * when there is none).  A dead next hop not yet suspected is found when
 * the JOIN comes back unanswered (pastry_join_bounced()). */
static PastryPeer
next_hop (PastryMaint *mt, PastryNode *node, const PastryEnv *env,
          const PastryId *xid, PastryPeer x)
{
  PastryPeer at = pastry_node_self (node);
  PastryPeer next = pastry_node_next_hop (node, xid, NULL);
  gboolean known_down = env->reachable != NULL && env->cfg->maintain
                        && next != x && !reachable (env, next);
  if (next == at || next == x || (!known_down && !is_suspect (mt, env, next)))
    return next;
  if (known_down)
    pastry_maint_suspect (mt, node, env, next);
  PastryPeer cand[8];
  guint nc = pastry_node_route (node, xid, cand, G_N_ELEMENTS (cand));
  for (guint i = 1; i < nc; i++)
    if (!is_suspect (mt, env, cand[i]) && reachable (env, cand[i]))
      return cand[i];
  return at;
}

/* Appends the forward of JOIN msg to next: the message as it came, with
 * the given type, hops and flags. */
static void
forward (const PastryEnv *env, const PastryMessage *msg, PastryPeer next,
         guint hops, guint flags)
{
  PastryMessage *fw
      = pastry_outbox_send (env->out, next, PASTRY_MSG_JOIN, msg->about);
  PastryMessage head = *fw;
  *fw = *msg;
  fw->entries = NULL;
  fw->n_entries = 0;
  fw->type = PASTRY_MSG_JOIN;
  fw->from = head.from;
  fw->to = head.to;
  fw->sent = head.sent;
  fw->hops = (guint8) hops;
  fw->flags = (guint8) flags;
}

/* A node on the join path: reply to the joiner, then forward. */
static void
handle_join (PastryMaint *mt, PastryNode *node, const PastryMessage *msg,
             const PastryEnv *env)
{
  PastryPeer at = pastry_node_self (node);
  PastryPeer x = msg->about;
  guint b = env->cfg->b;
  const PastryId *xid = pastry_directory_id (pastry_node_directory (node), x);
  PastryPeer next = next_hop (mt, node, env, xid, x);
  gboolean root = next == at || next == x;

  PastryMessage *r = pastry_outbox_send (env->out, x, PASTRY_MSG_JOIN_REPLY, x);
  guint shl = pastry_id_shl (pastry_node_id (node), xid, b);
  guint first = MIN ((guint) msg->hops, shl);
  PastryEntry row[256];
  for (guint l = first; l <= shl && l < pastry_node_n_rows (node); l++)
    pastry_msg_add_entries (r, row, pastry_node_export_row (node, l, row));
  if (msg->type == PASTRY_MSG_JOIN_REQUEST)
    {
      PastryEntry nb[1025]; /* M <= 1024 (pastry_config_validate) */
      pastry_msg_add_entries (r, nb, pastry_node_export_neighbours (node, nb));
      r->flags |= PASTRY_MSG_FLAG_BOOTSTRAP;
    }
  if (root)
    {
      pastry_msg_add_leafset (r, node);
      r->flags |= PASTRY_MSG_FLAG_ROOT;
    }
  /* The root's reply carries the path length in `hops`: the path has
   * hops + 1 nodes, each of which replies once. */
  r->hops = msg->hops;
  r->attempt = msg->attempt;
  if (root)
    return;
  guint flags = msg->flags;
  if (env->join->acked)
    flags |= PASTRY_MSG_FLAG_ACKED;
  forward (env, msg, next, MIN (msg->hops + 1u, 255u), flags);
}

void
pastry_join_bounced (PastryMaint *mt, PastryNode *node,
                     const PastryMessage *msg, const PastryEnv *env)
{
  g_return_if_fail (node != NULL && msg != NULL && env != NULL);
  PastryPeer at = pastry_node_self (node);
  PastryPeer x = msg->about, dead = msg->to;
  pastry_maint_suspect (mt, node, env, dead);
  const PastryId *xid = pastry_directory_id (pastry_node_directory (node), x);
  PastryPeer next = next_hop (mt, node, env, xid, x);
  if (next == at || next == x || next == dead)
    return; /* no other way on: the joiner's timer restarts the join */
  forward (env, msg, next, msg->hops,
           msg->flags & (guint8) ~PASTRY_MSG_FLAG_TIMEOUT);
}

/* ---- Any node ---- */

static void
handle_announce (PastryMaint *mt, PastryNode *node, const PastryMessage *msg,
                 const PastryEnv *env)
{
  PastryPeer at = pastry_node_self (node);
  PastryPeer x = msg->about;
  if (mt != NULL)
    pastry_fd_alive (&mt->fd, x);
  guint before;
  guint where
      = pastry_node_offer (node, x, env->prox (at, x, env->prox_data), &before);
  gboolean was_leaf = (before & PASTRY_IN_LEAFSET) != 0;
  if (msg->n_entries > 0)
    pastry_maint_offer (mt, node, env, msg->entries, msg->n_entries, x);
  if (!was_leaf && (where & PASTRY_IN_LEAFSET))
    {
      /* x is new in our leaf set: it may not know our other leaves. */
      PastryMessage *r
          = pastry_outbox_send (env->out, x, PASTRY_MSG_LEAFSET_PUSH, x);
      pastry_msg_add_leafset (r, node);
    }
}

/* A leaf set pushed back after an announcement: as an offer, but a new
 * leaf learnt this way, which may not know us yet, is announced to. */
static void
handle_leafset_push (PastryJoin *js, PastryMaint *mt, PastryNode *node,
                     const PastryMessage *msg, const PastryEnv *env)
{
  PastryPeer x = pastry_node_self (node);
  gboolean joined = js == NULL;
  gboolean verify = env->cfg->verify_leaves && env->cfg->maintain && joined;
  for (guint i = 0; i < msg->n_entries; i++)
    {
      PastryPeer p = msg->entries[i].peer;
      if (p == x || pastry_maint_dismisses (mt, env, p, msg->from))
        continue;
      if (!reachable (env, p))
        continue;
      if (verify && p != msg->from && pastry_node_leafset_admits (node, p))
        {
          pastry_maint_verify (mt, node, env, p);
          continue;
        }
      guint before;
      guint where = pastry_node_offer (
          node, p, env->prox (x, p, env->prox_data), &before);
      gboolean was_leaf = (before & PASTRY_IN_LEAFSET) != 0;
      if (!was_leaf && (where & PASTRY_IN_LEAFSET) && joined)
        pastry_outbox_send (env->out, p, PASTRY_MSG_ANNOUNCE, x);
    }
}

gboolean
pastry_join_receive (PastryJoin *js, PastryMaint *mt, PastryNode *node,
                     const PastryMessage *msg, const PastryEnv *env)
{
  g_return_val_if_fail (node != NULL && msg != NULL && env != NULL, FALSE);
  switch ((PastryMsgType) msg->type)
    {
    case PASTRY_MSG_JOIN_REQUEST:
    case PASTRY_MSG_JOIN:
      handle_join (mt, node, msg, env);
      break;
    case PASTRY_MSG_JOIN_REPLY:
      pastry_maint_offer (mt, node, env, msg->entries, msg->n_entries,
                          msg->from);
      if (js == NULL || msg->attempt != js->attempt)
        break; /* a late reply: its state was still useful */
      if (msg->flags & PASTRY_MSG_FLAG_ROOT)
        js->expected = msg->hops + 1u;
      count_reply (js, node, env);
      break;
    case PASTRY_MSG_ROW_REQUEST:
      {
        PastryMessage *r = pastry_outbox_send (
            env->out, msg->about, PASTRY_MSG_ROW_REPLY, msg->about);
        r->attempt = msg->attempt;
        r->flags = msg->flags & PASTRY_MSG_FLAG_JOINING;
        /* Rows 0..row of this node all fit the asker's table: this node
         * shares `row` digits with it, so its row r < row holds nodes
         * sharing exactly r digits with the asker too. */
        PastryEntry entries[256];
        for (guint l = 0; l <= msg->row; l++)
          pastry_msg_add_entries (r, entries,
                                  pastry_node_export_row (node, l, entries));
        break;
      }
    case PASTRY_MSG_ROW_REPLY:
      pastry_maint_offer (mt, node, env, msg->entries, msg->n_entries,
                          msg->from);
      if (js != NULL && (msg->flags & PASTRY_MSG_FLAG_JOINING)
          && msg->attempt == js->attempt)
        count_row (js, node, env);
      break;
    case PASTRY_MSG_ANNOUNCE:
      handle_announce (mt, node, msg, env);
      break;
    case PASTRY_MSG_LEAFSET_PUSH:
      handle_leafset_push (js, mt, node, msg, env);
      break;
    default:
      return FALSE;
    }
  return TRUE;
}
