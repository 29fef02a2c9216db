/* pastry-maint.c — failure detection, leave and periodic exchanges, and
 * the message handling of repair (pastry-maint.h; the repair actions
 * themselves are in pastry-repair.c).
 *
 * Invariant: every effect of a call is an item appended to env->out in the
 * order the protocol means it; the node's routing state (PastryNode) and
 * detector (PastryMaint.fd) are the only state touched, and random choices
 * come from env->rnd only (PastryMaint holds no clock and no stream).
 *
 * Cost: a heartbeat is O(1) plus one send; a probe round is O(table +
 * leaf set) sends; an offer is one detector query and one insertion per
 * entry.  Detector queries are linear in the handful of peers under
 * suspicion.
 *
 * Alternative rejected: one callback per effect ("send this now").  It
 * made the order of a call's effects depend on what the caller did inside
 * the callbacks (a simulator draws delays and queue sequence numbers
 * there); the outbox fixes the order before the caller acts.
 */
#include "pastry-maint-private.h"

PastryTime
pastry_maint_dead_memory (const PastryMaintConfig *cfg)
{
  return MAX (cfg->probe_period, 4 * cfg->heartbeat_timeout);
}

void
pastry_maint_init (PastryMaint *mt)
{
  g_return_if_fail (mt != NULL);
  mt->hb_from = PASTRY_PEER_NONE;
  mt->last_hb = 0;
  mt->claims = 0;
  mt->joined = FALSE;
  mt->seen_failures = 0;
  mt->seen_peer_s = 0;
  mt->last_round = G_MAXUINT64;
  pastry_fd_init (&mt->fd);
}

void
pastry_maint_clear (PastryMaint *mt)
{
  g_return_if_fail (mt != NULL);
  pastry_fd_clear (&mt->fd);
}

/* ---- Suspicion ---- */

static gboolean
may_doubt (const PastryMaint *mt, const PastryNode *node, const PastryEnv *env,
           PastryPeer p)
{
  return env->cfg->maintain && mt != NULL && mt->joined
         && p != pastry_node_self (node);
}

void
pastry_maint_verify (PastryMaint *mt, PastryNode *node, const PastryEnv *env,
                     PastryPeer p)
{
  g_return_if_fail (node != NULL && env != NULL);
  if (!may_doubt (mt, node, env, p)
      || !pastry_fd_suspect (&mt->fd, p, env->now))
    return; /* already being probed, or believed dead */
  PastryMessage *msg = pastry_outbox_send (env->out, p, PASTRY_MSG_PROBE, p);
  msg->flags |= PASTRY_MSG_FLAG_VERIFY;
}

void
pastry_maint_suspect (PastryMaint *mt, PastryNode *node, const PastryEnv *env,
                      PastryPeer p)
{
  g_return_if_fail (node != NULL && env != NULL);
  if (may_doubt (mt, node, env, p) && pastry_fd_suspect (&mt->fd, p, env->now))
    pastry__maint_send_probe (env, p, 0, TRUE);
}

gboolean
pastry_maint_dismisses (PastryMaint *mt, const PastryEnv *env, PastryPeer p,
                        PastryPeer sender)
{
  g_return_val_if_fail (env != NULL, FALSE);
  if (mt == NULL)
    return FALSE;
  if (env->cfg->hearsay_keeps_dead)
    {
      if (p == sender)
        pastry_fd_lift_dead (&mt->fd, p); /* it spoke: it is alive */
      else if (pastry_fd_hearsay (
                   &mt->fd, p,
                   pastry__time_add (env->now,
                                     pastry_maint_dead_memory (env->cfg))))
        return TRUE;
    }
  return pastry_fd_believes_dead (&mt->fd, p, env->now);
}

/* TRUE when p would take a routing-table slot of node: the slot is empty,
 * or its entry is farther (proximity neighbour selection keeps the
 * incumbent on a tie). */
static gboolean
table_admits (const PastryNode *node, const PastryEnv *env, PastryPeer p)
{
  guint b = env->cfg->b;
  const PastryId *pid = pastry_directory_id (pastry_node_directory (node), p);
  guint row = pastry_id_shl (pastry_node_id (node), pid, b);
  if (row >= pastry_id_n_digits (b))
    return FALSE;
  PastryEntry e = pastry_node_entry (node, row, pastry_id_digit (pid, row, b));
  if (e.peer == PASTRY_PEER_NONE)
    return TRUE;
  if (e.peer == p)
    return FALSE;
  return env->prox (pastry_node_self (node), p, env->prox_data) < e.prox;
}

/* pastry_maint_offer(); with vouched, a would-be table entry is not
 * verified (an ENTRY_REPLY: the node asked a live source for that very
 * slot). */
static guint
offer (PastryMaint *mt, PastryNode *node, const PastryEnv *env,
       const PastryEntry *e, guint n, PastryPeer sender, gboolean vouched)
{
  PastryPeer self = pastry_node_self (node);
  gboolean verify = env->cfg->verify_leaves && env->cfg->maintain && mt != NULL
                    && mt->joined;
  guint leaf_gain = 0;
  for (guint i = 0; i <= n; i++)
    {
      PastryPeer p = i < n ? e[i].peer : sender;
      if (p == self || p == PASTRY_PEER_NONE
          || pastry_maint_dismisses (mt, env, p, sender))
        continue;
      if (env->reachable != NULL && !env->reachable (p, env->hint_data))
        continue;
      /* Heard of from a third party, which may be out of date: a would-be
       * leaf-set member (and, with verify_table, a would-be table entry)
       * is checked first. */
      if (verify && p != sender
          && (pastry_node_leafset_admits (node, p)
              || (env->cfg->verify_table && !vouched
                  && table_admits (node, env, p))))
        {
          pastry_maint_verify (mt, node, env, p);
          continue;
        }
      guint before;
      guint where = pastry_node_offer (
          node, p, env->prox (self, p, env->prox_data), &before);
      if (!(before & PASTRY_IN_LEAFSET) && (where & PASTRY_IN_LEAFSET))
        leaf_gain++;
    }
  return leaf_gain;
}

guint
pastry_maint_offer (PastryMaint *mt, PastryNode *node, const PastryEnv *env,
                    const PastryEntry *e, guint n, PastryPeer sender)
{
  g_return_val_if_fail (node != NULL && env != NULL, 0);
  return offer (mt, node, env, e, n, sender, FALSE);
}

/* ---- Timers ---- */

void
pastry_maint_start (PastryMaint *mt, PastryNode *node, const PastryEnv *env)
{
  g_return_if_fail (mt != NULL && node != NULL && env != NULL);
  mt->joined = TRUE;
  mt->hb_from = PASTRY_PEER_NONE;
  /* Random phases so that nodes do not act in lockstep. */
  PastryTime hb = env->rnd.below (env->rnd.data, env->cfg->heartbeat_period);
  pastry_outbox_timer (env->out, PASTRY_TIMER_HEARTBEAT, hb, 0);
  PastryTime pr = env->rnd.below (env->rnd.data, env->cfg->probe_period);
  pastry_outbox_timer (env->out, PASTRY_TIMER_PROBE_ROUND, pr, 0);
}

void
pastry_maint_heartbeat (PastryMaint *mt, PastryNode *node, const PastryEnv *env)
{
  g_return_if_fail (mt != NULL && node != NULL && env != NULL);
  PastryPeer self = pastry_node_self (node);
  const PastryPeer *left, *right;
  if (pastry_node_leafset_side (node, PASTRY_SIDE_LEFT, &left) > 0)
    pastry_outbox_send (env->out, left[0], PASTRY_MSG_HEARTBEAT, self);
  if (pastry_node_leafset_side (node, PASTRY_SIDE_RIGHT, &right) > 0)
    {
      if (right[0] != mt->hb_from)
        {
          mt->hb_from = right[0];
          mt->last_hb = env->now;
        }
      else if (env->now - mt->last_hb > env->cfg->heartbeat_timeout)
        {
          pastry_maint_suspect (mt, node, env, right[0]);
          mt->last_hb = env->now; /* one suspicion per timeout */
        }
    }
  pastry_outbox_timer (env->out, PASTRY_TIMER_HEARTBEAT,
                       env->cfg->heartbeat_period, 0);
  if (env->cfg->strategy == PASTRY_MAINT_PERIODIC)
    pastry__maint_periodic_recover_leafset (mt, node, env);
}

typedef struct
{
  PastryMaint *mt;
  const PastryEnv *env;
  guint watched; /* table entries and leaves probed this round */
} ProbeCtx;

PastryTime
pastry_maint_tuned_period (const PastryMaintConfig *cfg, double failures,
                           double peer_s)
{
  g_return_val_if_fail (cfg != NULL, 0);
  double period = (double) cfg->probe_period;
  double d = (double) cfg->probe_timeout * (cfg->probe_retries + 1);
  double lo = MAX (period / 10, 2 * d), hi = 2 * period;
  double target = cfg->probe_target;
  if (target <= 0)
    return cfg->probe_period;
  /* Times in µs; mu per peer and µs. */
  double mu0 = target / (period / 2 + d);
  double mu = (failures + 1) / (peer_s * 1e6 + 1 / mu0);
  double t = 2 * (target / mu - d);
  return (PastryTime) CLAMP (t, lo, hi);
}

/* Observation for the self-tuning period: the peers watched since the last
 * round, and the halving that keeps the estimate recent (about the last
 * 2 10^5 peer-seconds: an hour of a 60-peer node). */
static void
observe_round (PastryMaint *mt, const PastryEnv *env, guint watched)
{
  if (env->now > mt->last_round) /* G_MAXUINT64 before the first */
    mt->seen_peer_s
        += (double) watched * ((double) (env->now - mt->last_round) / 1e6);
  mt->last_round = env->now;
  if (mt->seen_peer_s > 2e5)
    {
      mt->seen_peer_s /= 2;
      mt->seen_failures /= 2;
    }
}

static void
probe_entry (guint row, guint col, const PastryEntry *e, gpointer data)
{
  ProbeCtx *c = data;
  c->watched++;
  if (!pastry__maint_is_suspect (c->mt, c->env, e->peer))
    pastry__maint_send_probe (c->env, e->peer, 0, FALSE);
}

void
pastry_maint_probe_round (PastryMaint *mt, PastryNode *node,
                          const PastryEnv *env)
{
  g_return_if_fail (mt != NULL && node != NULL && env != NULL);
  if (env->cfg->strategy == PASTRY_MAINT_REACTIVE)
    {
      pastry__maint_reactive_probe_round (mt, node, env);
      return;
    }
  PastryPeer self = pastry_node_self (node);
  ProbeCtx c = { mt, env, 0 };
  pastry_node_foreach_entry (node, probe_entry, &c);
  /* Periodic leaf-set exchange with the nearest member on each side: a
   * node that missed a join or a repair (several at once can leave two
   * nodes each unaware of the other) learns it from its neighbours. */
  for (guint side = 0; side < 2; side++)
    {
      const PastryPeer *members;
      if (pastry_node_leafset_side (node, side, &members) > 0
          && !pastry__maint_is_suspect (mt, env, members[0]))
        pastry_outbox_send (env->out, members[0], PASTRY_MSG_LEAFSET_REQUEST,
                            self);
    }
  /* Leaf-set members other than the right neighbour are not watched by
   * heartbeats: probe them too (a safety net behind the broadcasts). */
  PastryPeer leaf[256];
  guint nl = pastry_node_export_leafset (node, leaf);
  for (guint i = 0; i < nl; i++)
    if (!(pastry_node_where (node, leaf[i]) & PASTRY_IN_TABLE))
      {
        c.watched++;
        if (!pastry__maint_is_suspect (mt, env, leaf[i]))
          pastry__maint_send_probe (env, leaf[i], 0, FALSE);
      }
  if (env->cfg->repair_table)
    {
      /* Periodic table maintenance: one random entry of each row is asked
       * for its row. */
      PastryEntry row[256];
      for (guint l = 0; l < pastry_node_n_rows (node); l++)
        {
          guint n = pastry_node_export_row (node, l, row);
          if (n == 0)
            continue;
          guint pick = (guint) env->rnd.below (env->rnd.data, n);
          PastryMessage *msg = pastry_outbox_send (
              env->out, row[pick].peer, PASTRY_MSG_ROW_REQUEST, self);
          msg->row = (guint8) l;
        }
    }
  PastryTime next = env->cfg->probe_period;
  if (env->cfg->probe_target > 0)
    {
      observe_round (mt, env, c.watched);
      next = pastry_maint_tuned_period (env->cfg, mt->seen_failures,
                                        mt->seen_peer_s);
    }
  pastry_outbox_timer (env->out, PASTRY_TIMER_PROBE_ROUND, next, 0);
}

/* ---- Messages ---- */

/* The node, alive, was declared dead by judge: it probes its leaf set and
 * the judge.  A probe is proof of life: its receiver drops the dead mark
 * and takes the node back; a lost probe (or reply) is retried, so one lost
 * message cannot leave it out.  Notices of the verdict still in flight
 * become stale (the epoch changes with claims). */
static void
refute (PastryMaint *mt, PastryNode *node, const PastryEnv *env,
        PastryPeer judge)
{
  PastryPeer leaf[256];
  guint n = pastry_node_export_leafset (node, leaf);
  pastry_outbox_upcall (env->out, PASTRY_UPCALL_REFUTED, judge);
  mt->claims++;
  gboolean judged = FALSE;
  for (guint i = 0; i < n; i++)
    {
      judged |= leaf[i] == judge;
      if (!pastry__maint_is_suspect (mt, env, leaf[i]))
        pastry__maint_send_probe (env, leaf[i], 0, TRUE);
    }
  if (!judged && !pastry__maint_is_suspect (mt, env, judge))
    pastry__maint_send_probe (env, judge, 0, TRUE);
}

void
pastry_maint_unanswered (PastryMaint *mt, PastryNode *node,
                         const PastryMessage *msg, const PastryEnv *env)
{
  g_return_if_fail (mt != NULL && node != NULL && msg != NULL);
  switch ((PastryMsgType) msg->type)
    {
    case PASTRY_MSG_PROBE:
      if (msg->attempt < env->cfg->probe_retries)
        {
          pastry_fd_strike (&mt->fd, msg->about, msg->attempt);
          pastry__maint_send_probe (env, msg->about, msg->attempt + 1u, TRUE);
        }
      else
        pastry__maint_declare_dead (mt, node, env, msg->about);
      break;
    case PASTRY_MSG_ENTRY_REQUEST:
      pastry_maint_suspect (mt, node, env, msg->to);
      pastry__maint_table_repair (mt, node, env, msg->row, msg->col,
                                  msg->attempt + 1u);
      break;
    case PASTRY_MSG_LEAFSET_REQUEST:
      pastry_maint_suspect (mt, node, env, msg->to);
      /* The repair source is gone too; still tell the leaf set what we
       * learnt (its members' replies will fill the gap). */
      if (msg->flags & PASTRY_MSG_FLAG_BROADCAST)
        pastry__maint_broadcast (node, env, msg->about);
      break;
    case PASTRY_MSG_ROW_REQUEST:
    case PASTRY_MSG_ANNOUNCE:
      /* A row source, or a leaf-set member told of our arrival, did not
       * answer. */
      pastry_maint_suspect (mt, node, env, msg->to);
      break;
    case PASTRY_MSG_LEAFSET_REPLY:
      /* The answer was lost (the replier is alive): still tell the leaf
       * set, as when the far member is gone. */
      if (msg->flags & PASTRY_MSG_FLAG_BROADCAST)
        pastry__maint_broadcast (node, env, msg->about);
      break;
    case PASTRY_MSG_ENTRY_REPLY:
      pastry__maint_table_repair (mt, node, env, msg->row, msg->col,
                                  msg->attempt + 1u);
      break;
    default:
      break;
    }
}

gboolean
pastry_maint_receive (PastryMaint *mt, PastryNode *node,
                      const PastryMessage *msg, const PastryEnv *env)
{
  g_return_val_if_fail (mt != NULL && node != NULL && msg != NULL, FALSE);
  PastryPeer self = pastry_node_self (node);
  switch ((PastryMsgType) msg->type)
    {
    case PASTRY_MSG_HEARTBEAT:
      {
        pastry_fd_alive (&mt->fd, msg->from);
        if (pastry_node_where (node, msg->from) == 0
            && !pastry_fd_believes_dead (&mt->fd, msg->from, env->now))
          pastry_maint_offer (mt, node, env, NULL, 0, msg->from);
        const PastryPeer *right;
        if (pastry_node_leafset_side (node, PASTRY_SIDE_RIGHT, &right) > 0
            && right[0] == msg->from)
          {
            mt->hb_from = msg->from;
            mt->last_hb = env->now;
          }
        break;
      }
    case PASTRY_MSG_PROBE:
      {
        /* A probe is proof of life of its sender too, and a node probing
         * us usually has us in its leaf set or table: learn it.  (This
         * heals one-sided leaf sets, where a node keeps probing a
         * neighbour that does not know it.) */
        pastry_fd_alive (&mt->fd, msg->from);
        if (pastry_node_where (node, msg->from) == 0)
          pastry_maint_offer (mt, node, env, NULL, 0, msg->from);
        PastryMessage *reply = pastry_outbox_send (
            env->out, msg->from, PASTRY_MSG_PROBE_REPLY, msg->about);
        reply->flags = msg->flags;
        reply->attempt = msg->attempt;
        break;
      }
    case PASTRY_MSG_PROBE_REPLY:
      pastry_fd_probe_answered (&mt->fd, msg->from);
      /* A verified peer: direct evidence, it may enter the leaf set. */
      if ((msg->flags & PASTRY_MSG_FLAG_VERIFY) && mt->joined)
        pastry_maint_offer (mt, node, env, NULL, 0, msg->from);
      break;
    case PASTRY_MSG_LEAFSET_REQUEST:
      {
        PastryMessage *reply = pastry_outbox_send (
            env->out, msg->from, PASTRY_MSG_LEAFSET_REPLY, msg->about);
        reply->flags
            = msg->flags & (PASTRY_MSG_FLAG_BROADCAST | PASTRY_MSG_FLAG_REPAIR);
        pastry_msg_add_leafset (reply, node);
        break;
      }
    case PASTRY_MSG_LEAFSET_REPLY:
      pastry_maint_offer (mt, node, env, msg->entries, msg->n_entries,
                          msg->from);
      if (msg->flags & PASTRY_MSG_FLAG_BROADCAST)
        pastry__maint_broadcast (node, env, msg->about);
      break;
    case PASTRY_MSG_LEAFSET_UPDATE:
      {
        PastryPeer dead = msg->about;
        if (dead == self && msg->epoch == pastry__maint_epoch_of (env, self))
          {
            /* We are declared dead: tell the leaf set we are not. */
            refute (mt, node, env, msg->from);
            break;
          }
        if (dead != self && msg->epoch == pastry__maint_epoch_of (env, dead)
            && pastry_node_where (node, dead))
          {
            /* Trust the sender's verdict: it probed the node. */
            pastry__maint_mark_dead (mt, env, dead);
            pastry__maint_forget (mt, node, env, dead, FALSE);
          }
        pastry_maint_offer (mt, node, env, msg->entries, msg->n_entries,
                            msg->from);
        break;
      }
    case PASTRY_MSG_LEAVE:
      {
        PastryPeer gone = msg->from;
        pastry__maint_mark_dead (mt, env, gone);
        pastry__maint_forget (mt, node, env, gone, FALSE);
        /* The leaver's leaf set holds our replacements. */
        pastry_maint_offer (mt, node, env, msg->entries, msg->n_entries,
                            PASTRY_PEER_NONE);
        break;
      }
    case PASTRY_MSG_ENTRY_REQUEST:
      {
        PastryMessage *reply = pastry_outbox_send (
            env->out, msg->from, PASTRY_MSG_ENTRY_REPLY, msg->about);
        reply->row = msg->row;
        reply->col = msg->col;
        reply->attempt = msg->attempt;
        reply->flags |= PASTRY_MSG_FLAG_REPAIR;
        PastryEntry e = pastry_node_entry (node, msg->row, msg->col);
        if (e.peer != PASTRY_PEER_NONE && e.peer != msg->from)
          pastry_msg_add_entries (reply, &e, 1);
        break;
      }
    case PASTRY_MSG_ENTRY_REPLY:
      offer (mt, node, env, msg->entries, msg->n_entries, PASTRY_PEER_NONE,
             TRUE);
      pastry__maint_table_repair (mt, node, env, msg->row, msg->col,
                                  msg->attempt + 1u);
      break;
    default:
      return FALSE;
    }
  return TRUE;
}

void
pastry_maint_leave (PastryNode *node, const PastryEnv *env)
{
  g_return_if_fail (node != NULL && env != NULL);
  PastryPeer self = pastry_node_self (node);
  PastryPeer leaf[256];
  guint n = pastry_node_export_leafset (node, leaf);
  for (guint i = 0; i < n; i++)
    {
      PastryMessage *msg
          = pastry_outbox_send (env->out, leaf[i], PASTRY_MSG_LEAVE, self);
      msg->flags |= PASTRY_MSG_FLAG_REPAIR;
      pastry_msg_add_leafset (msg, node);
    }
}
