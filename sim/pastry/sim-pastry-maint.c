/* sim-pastry-maint.c — the adapter between the simulator and core's
 * maintenance protocol (core/pastry-maint.h: failure detection, leaf-set
 * and routing-table repair, periodic exchanges, graceful leave), and node
 * failures and leaves.
 *
 * Each entry point makes one core call with an outbox (pastry-outbox.h)
 * and carries the outbox out before returning, item by item in order:
 * SENDs through the message pool and sim__world_send(), TIMERs as
 * EV_HEARTBEAT / EV_PROBE_ROUND events stamped with the node's
 * incarnation, UPCALLs to the world's counters.  Since callers used to see
 * each send happen inside the call, draining before returning keeps every
 * network draw and queue sequence number where it was.
 *
 * Global knowledge (oracle use), all here, by name:
 *  - oracle_reachable(): with oracle_hints = on, a node never learns a peer
 *    that is down (PastryEnv.reachable);
 *  - oracle_epoch(): the epoch a death notice carries, and the one its
 *    receiver compares it with, read from the world (a deployment would
 *    carry epochs in node ids); PastryEnv.epoch;
 *  - a PROBE timeout that found a life of its target which has since ended
 *    and been replaced by a new one is reported to the prober as proof of
 *    life rather than as a missed reply (request_timed_out());
 *  - answer_probe(): a PROBE_REPLY is drawn at once (delay and loss) and
 *    (without access links) becomes an event only when the prober waits
 *    for it — the probe was a
 *    verification, or the prober's detector holds an entry on the replier
 *    when the reply is sent.  Otherwise the reply would find nothing to
 *    clear (pastry_fd_probe_answered() is a no-op for a peer the detector
 *    does not hold), so no event is spent on it.  This is exact except
 *    when the prober starts suspecting the replier while the reply is in
 *    flight: the real reply would clear that suspicion, here a probe goes
 *    out for it instead.
 *  - the cheap timeout trick (sim-world.c, sim__world_send()): a request
 *    that reaches a node that is down, or is lost, comes back to its
 *    sender as the message itself flagged PASTRY_MSG_FLAG_TIMEOUT after
 *    probe_timeout, and is handed to pastry_maint_unanswered(); a real
 *    transport would fire a timer armed at send time at the same instant
 *    (every request here waits exactly probe_timeout), so no timer event
 *    is spent on requests that are answered.
 *
 * Invariant: a node's NodeMaint exists while the node is live and
 * maintenance runs (and, allocated lazily, while a joining node needs
 * one); it is freed when the node goes down, so a new life starts with no
 * suspicions and no claims.
 */
#include "sim-pastry-private.h"


#define MIN_HOP_TIMEOUT (10 * SIM_TIME_MS)

static NodeMaint *
maint_of (SimWorld *w, guint32 x)
{
  NodeMaint *mt = g_ptr_array_index (w->maint, x);
  if (mt == NULL)
    {
      mt = g_new (NodeMaint, 1);
      pastry_maint_init (mt);
      g_ptr_array_index (w->maint, x) = mt;
    }
  return mt;
}

/* The detector of x, or NULL when x keeps no maintenance state. */
static PastryFd *
fd_of (const SimWorld *w, guint32 x)
{
  NodeMaint *mt = g_ptr_array_index (w->maint, x);
  return mt != NULL ? &mt->fd : NULL;
}

/* ---- Oracle use (global truth), fed into core as explicit inputs ---- */

/* oracle_hints = on: nodes that are down are never learnt. */
static gboolean
oracle_reachable (PastryPeer p, gpointer data)
{
  return sim__world_state (data, p) == NODE_LIVE;
}

/* The epoch of x: its life, and how many verdicts it refuted in this life,
 * so that a death notice overtaken by the refutation is recognised as
 * stale.  (Read from the world, as the refutation would have told.) */
static guint32
oracle_epoch (PastryPeer x, gpointer data)
{
  const SimWorld *w = data;
  const NodeMaint *mt = g_ptr_array_index (w->maint, x);
  return (sim__world_incarnation (w, x) << 8) | (mt != NULL ? mt->claims : 0);
}

static guint64
rng_below (gpointer data, guint64 n)
{
  return sim_rng_uniform_u64 (data, n);
}

void
sim__world_maint_init (SimWorld *w)
{
  w->maint_cfg = (PastryMaintConfig) {
    .b = w->cfg.b,
    .maintain = w->maintain,
    .repair_leaf = w->repair_leaf,
    .repair_table = w->repair_table,
    .verify_leaves = !w->oracle_hints,
    .verify_table = !w->oracle_hints,
    .hearsay_keeps_dead = !w->oracle_hints,
    .heartbeat_period = w->heartbeat_period,
    .heartbeat_timeout = w->heartbeat_timeout,
    .probe_period = w->probe_period,
    .probe_target = w->probe_target,
    .probe_timeout = w->probe_timeout,
    .probe_retries = w->probe_retries,
    .strategy = w->maint_strategy,
  };
  w->join_cfg = (PastryJoinConfig) {
    .refine = w->join_refine,
    .announce_state = w->announce_state,
    .acked = !w->oracle_hints,
    .refine_behind = !w->oracle_hints,
    .restart = w->maintain,
    .timeout = w->lookup_timeout,
  };
  w->env0 = (PastryEnv) {
    .cfg = &w->maint_cfg,
    .join = &w->join_cfg,
    .rnd = { rng_below, &w->rng_protocol },
    .prox = sim__world_prox_cb,
    .prox_data = w,
    .reachable = w->oracle_hints ? oracle_reachable : NULL,
    .epoch = oracle_epoch,
    .hint_data = w,
  };
  for (guint i = 0; i < SIM_WORLD_OUTBOXES; i++)
    pastry_outbox_init (&w->outbox[i]);
  w->outbox_depth = 0;
}

void
sim__world_maint_fini (SimWorld *w)
{
  for (guint i = 0; i < SIM_WORLD_OUTBOXES; i++)
    pastry_outbox_clear (&w->outbox[i]);
}

/* ---- Calls into core, and carrying out their outboxes ---- */

PastryOutbox *
sim__world_call_begin (SimWorld *w, guint32 x, PastryEnv *env)
{
  g_assert (w->outbox_depth < SIM_WORLD_OUTBOXES);
  PastryOutbox *out = &w->outbox[w->outbox_depth++];
  SimTime now = sim__world_now (w);
  pastry_outbox_begin (out, x, now);
  *env = w->env0;
  env->now = now;
  env->out = out;
  return out;
}

/* The PROBE in slot m reached x, alive: answer it (see the file comment).
 * Returns TRUE when slot m was reused (for the reply or its timeout). */
static gboolean
answer_probe (SimWorld *w, guint32 x, guint32 m)
{
  PastryMessage *msg = sim__world_msg (w, m);
  guint32 prober = msg->from;
  SimTime now = sim__world_now (w);
  sim__world_count_msg (w, now, PASTRY_MSG_PROBE_REPLY, 1,
                        (msg->flags & PASTRY_MSG_FLAG_REPAIR) != 0);
  SimTime left = now, queued = 0;
  gboolean dropped = FALSE;
  if (w->links != NULL)
    left = sim__world_uplink (
        w, x,
        pastry_msg_size (PASTRY_MSG_PROBE_REPLY, 1, w->msg_header_bytes,
                         w->msg_id_bytes),
        now, &queued, &dropped);
  gboolean lost = FALSE;
  SimTime d = sim_net_delay_sample (
      w->net, x, prober, sim__world_net_rng (w, PASTRY_MSG_PROBE_REPLY),
      &lost);
  if (lost || dropped)
    {
      if (w->links != NULL && !dropped)
        sim__world_queue_sample (w, now, queued);
      if (sim__world_req_tracked (w, m))
        return FALSE; /* its timer speaks for it */
      msg->flags |= PASTRY_MSG_FLAG_TIMEOUT;
      /* (Not before now: a probe queued at access links may arrive after
       * its own timeout.) */
      sim_queue_push (w->q,
                      MAX (now, sim_time_add (msg->sent, w->probe_timeout)),
                      EV_MSG, prober, m);
      return TRUE;
    }
  /* With access links every reply is an event: it occupies the prober's
   * downlink when it arrives. */
  if (w->links != NULL)
    {
      msg->type = PASTRY_MSG_PROBE_REPLY;
      msg->from = x;
      sim__world_reply_depart (w, prober, m, left, d, queued);
      return TRUE;
    }
  if ((msg->flags & PASTRY_MSG_FLAG_VERIFY)
      || (fd_of (w, prober) != NULL && pastry_fd_knows (fd_of (w, prober), x)))
    {
      msg->type = PASTRY_MSG_PROBE_REPLY;
      msg->from = x;
      sim_queue_push (w->q, sim_time_add (now, d), EV_MSG, prober, m);
      return TRUE;
    }
  return FALSE;
}

gboolean
sim__world_call_end (SimWorld *w, guint32 x, PastryOutbox *out, guint32 m_in)
{
  gboolean reused = FALSE;
  for (guint i = 0; i < pastry_outbox_len (out); i++)
    {
      PastryOutItem *it = pastry_outbox_item (out, i);
      switch ((PastryOutKind) it->kind)
        {
        case PASTRY_OUT_SEND:
          if (it->msg.type == PASTRY_MSG_PROBE_REPLY && m_in != G_MAXUINT32)
            {
              reused = answer_probe (w, x, m_in);
              break;
            }
          if (it->msg.type == PASTRY_MSG_JOIN && m_in != G_MAXUINT32)
            {
              /* A JOIN forwarded travels on in its own slot. */
              PastryMessage *slot = sim__world_msg (w, m_in);
              g_free (slot->entries);
              pastry_outbox_take_message (out, i, slot);
              sim__world_send (w, x, it->to, m_in);
              reused = TRUE;
              break;
            }
          {
            guint32 m = sim__world_msg_new (w, it->msg.type, it->msg.about);
            pastry_outbox_take_message (out, i, sim__world_msg (w, m));
            sim__world_req_hand_over (w, m_in, m, it->to);
            sim__world_send (w, x, it->to, m);
          }
          break;
        case PASTRY_OUT_TIMER:
          sim__world_timer (w, sim_time_add (sim__world_now (w), it->delay),
                            it->timer == PASTRY_TIMER_HEARTBEAT ? EV_HEARTBEAT
                            : it->timer == PASTRY_TIMER_PROBE_ROUND
                              ? EV_PROBE_ROUND
                              : EV_JOIN_TIMEOUT,
                            x, it->cookie);
          break;
        case PASTRY_OUT_UPCALL:
          if (it->upcall == PASTRY_UPCALL_DECLARED_DEAD)
            {
              if (sim__world_state (w, it->to) == NODE_LIVE)
                w->last_false_death = sim__world_now (w); /* tests only */
            }
          else if (it->upcall == PASTRY_UPCALL_REFUTED)
            w->refutations++;
          else
            sim__world_join_upcall (w, x, it->upcall);
          break;
        }
    }
  pastry_outbox_reset (out);
  w->outbox_depth--;
  return reused;
}

/* ---- Suspicion ---- */

gboolean
sim__world_believes_dead (const SimWorld *w, guint32 x, guint32 p)
{
  const PastryFd *fd = fd_of (w, x);
  return fd != NULL && pastry_fd_believes_dead (fd, p, sim__world_now (w));
}

gboolean
sim__world_is_doubtful (const SimWorld *w, guint32 x, guint32 p)
{
  const PastryFd *fd = fd_of (w, x);
  return fd != NULL && pastry_fd_is_doubtful (fd, p, sim__world_now (w));
}

gboolean
sim__world_is_suspect (const SimWorld *w, guint32 x, guint32 p)
{
  const PastryFd *fd = fd_of (w, x);
  return fd != NULL && pastry_fd_is_suspect (fd, p, sim__world_now (w));
}

void
sim__world_alive (SimWorld *w, guint32 x, guint32 p)
{
  PastryFd *fd = fd_of (w, x);
  if (fd != NULL)
    pastry_fd_alive (fd, p);
}

void
sim__world_verify (SimWorld *w, guint32 x, guint32 p)
{
  NodeMaint *mt = g_ptr_array_index (w->maint, x);
  if (!w->maintain || mt == NULL)
    return; /* not live (a live node has its state) */
  PastryEnv env;
  PastryOutbox *out = sim__world_call_begin (w, x, &env);
  pastry_maint_verify (mt, sim__world_node (w, x), &env, p);
  sim__world_call_end (w, x, out, G_MAXUINT32);
}

void
sim__world_suspect (SimWorld *w, guint32 x, guint32 p)
{
  NodeMaint *mt = g_ptr_array_index (w->maint, x);
  if (!w->maintain || mt == NULL)
    return;
  PastryEnv env;
  PastryOutbox *out = sim__world_call_begin (w, x, &env);
  pastry_maint_suspect (mt, sim__world_node (w, x), &env, p);
  sim__world_call_end (w, x, out, G_MAXUINT32);
}

guint
sim__world_offer (SimWorld *w, guint32 x, const PastryEntry *e, guint n,
                  guint32 sender)
{
  PastryEnv env;
  PastryOutbox *out = sim__world_call_begin (w, x, &env);
  guint gain = pastry_maint_offer (g_ptr_array_index (w->maint, x),
                                   sim__world_node (w, x), &env, e, n,
                                   sender);
  sim__world_call_end (w, x, out, G_MAXUINT32);
  return gain;
}

/* ---- Timers ---- */

void
sim__world_maint_start (SimWorld *w, guint32 x)
{
  if (!w->maintain)
    return;
  PastryEnv env;
  PastryOutbox *out = sim__world_call_begin (w, x, &env);
  pastry_maint_start (maint_of (w, x), sim__world_node (w, x), &env);
  sim__world_call_end (w, x, out, G_MAXUINT32);
}

void
sim__world_maint_stop (SimWorld *w, guint32 x)
{
  NodeMaint *mt = g_ptr_array_index (w->maint, x);
  if (mt == NULL)
    return;
  pastry_maint_clear (mt);
  g_free (mt);
  g_ptr_array_index (w->maint, x) = NULL;
}

void
sim__world_heartbeat (SimWorld *w, guint32 x)
{
  PastryEnv env;
  PastryOutbox *out = sim__world_call_begin (w, x, &env);
  pastry_maint_heartbeat (maint_of (w, x), sim__world_node (w, x), &env);
  sim__world_call_end (w, x, out, G_MAXUINT32);
}

void
sim__world_probe_round (SimWorld *w, guint32 x)
{
  PastryEnv env;
  PastryOutbox *out = sim__world_call_begin (w, x, &env);
  pastry_maint_probe_round (maint_of (w, x), sim__world_node (w, x), &env);
  sim__world_call_end (w, x, out, G_MAXUINT32);
}

/* ---- RTT estimates ---- */

SimTime
sim__world_hop_timeout (SimWorld *w, guint32 x, guint32 p)
{
  if (!w->hop_rtt)
    return w->hop_timeout;
  return pastry_fd_hop_timeout_prior (&maint_of (w, x)->fd, p,
                                      sim__world_prox (w, x, p),
                                      MIN_HOP_TIMEOUT, w->hop_rto_prior_pct);
}

void
sim__world_rtt_sample (SimWorld *w, guint32 x, guint32 p, SimTime rtt)
{
  if (!w->hop_rtt)
    return;
  pastry_fd_rtt_sample (&maint_of (w, x)->fd, p, rtt);
}

/* ---- Messages ---- */

void
sim__world_request_timed_out (SimWorld *w, guint32 x, const PastryMessage *msg)
{
  switch ((PastryMsgType) msg->type)
    {
    case PASTRY_MSG_PROBE:
      if (msg->epoch != 0 && msg->epoch != sim__world_incarnation (w, msg->about)
          && sim__world_state (w, msg->about) != NODE_DOWN)
        {
          /* Oracle: it found a life of this id that has ended since; the
           * id is back: nothing to declare. */
          sim__world_alive (w, x, msg->about);
          return;
        }
      break;
    case PASTRY_MSG_JOIN_REPLY:
    case PASTRY_MSG_ROW_REPLY:
      sim__world_join_missed (w, x, msg);
      return;
    default:
      break;
    }
  PastryEnv env;
  PastryOutbox *out = sim__world_call_begin (w, x, &env);
  pastry_maint_unanswered (maint_of (w, x), sim__world_node (w, x), msg,
                           &env);
  sim__world_call_end (w, x, out, G_MAXUINT32);
  if (msg->type == PASTRY_MSG_ROW_REQUEST)
    sim__world_join_missed (w, x, msg);
}

gboolean
sim__world_maint_msg (SimWorld *w, guint32 at, guint32 m)
{
  /* A copy: carrying out the outbox may move the pool (the entries stay
   * with slot m until it is released). */
  PastryMessage msg = *sim__world_msg (w, m);
  if (msg.flags & PASTRY_MSG_FLAG_TIMEOUT)
    {
      sim__world_request_timed_out (w, at, &msg);
      sim__world_msg_release (w, m);
      return TRUE;
    }
  PastryEnv env;
  PastryOutbox *out = sim__world_call_begin (w, at, &env);
  gboolean mine = pastry_maint_receive (maint_of (w, at),
                                        sim__world_node (w, at), &msg, &env);
  gboolean reused = sim__world_call_end (w, at, out, m);
  if (!mine)
    return FALSE;
  if (!reused)
    sim__world_msg_release (w, m);
  return TRUE;
}

/* ---- Failures and leaves ---- */

/* x goes down (the driver then records it: state, incarnation, oracle):
 * its join, maintenance and tables are dropped. */
static void
go_down (SimWorld *w, guint32 x)
{
  JoinState *js = g_ptr_array_index (w->joins, x);
  if (js != NULL)
    {
      g_ptr_array_index (w->joins, x) = NULL;
      g_free (js);
      w->inflight--;
    }
  if (w->links != NULL)
    sim_link_reset (w->links, x); /* idle in its next life */
  sim__world_maint_stop (w, x);
  /* A down node's state dies with it: nothing reads the state of a node
   * that is down, and a rejoin builds it afresh (same id: node_renew;
   * fresh id: a new handle).  Keeping its tables made churn's memory grow
   * by a node's whole state per session (1.8 KB per join at 10^5 nodes);
   * keeping an empty node, by 352 bytes per session (the node, its leaf
   * and neighbourhood sets, the allocator's header), for good, because a
   * churn rejoin takes a fresh id and a fresh handle.  So nothing stays:
   * a down handle's node is NULL until node_renew. */
  pastry_node_free (g_ptr_array_index (w->nodes, x));
  g_ptr_array_index (w->nodes, x) = NULL;
}

void
sim__world_fail (SimWorld *w, guint32 x)
{
  go_down (w, x);
}

void
sim__world_leave (SimWorld *w, guint32 x)
{
  if (sim__world_state (w, x) == NODE_LIVE)
    {
      PastryEnv env;
      PastryOutbox *out = sim__world_call_begin (w, x, &env);
      pastry_maint_leave (sim__world_node (w, x), &env);
      sim__world_call_end (w, x, out, G_MAXUINT32);
    }
  go_down (w, x);
}
