/* sim-world-maint.c — failure detection and repair (MSPastry style), node
 * failures and graceful leaves.
 *
 * Detection.  Every heartbeat_period a live node sends a HEARTBEAT to its
 * left (counter-clockwise) leaf-set neighbour and checks that its right
 * neighbour was heard from within heartbeat_timeout; every probe_period it
 * PROBEs each routing-table entry.  A peer that misses a heartbeat,
 * a probe, or a lookup acknowledgement becomes *suspected*: routing avoids
 * it and it is probed again, up to probe_retries times, probe_timeout
 * apart.  A reply clears the suspicion; silence declares it *dead*.
 *
 * Repair (parameter `repair`: on, leafset, off).  A node that declares a
 * leaf-set member dead removes it (the core refills the side from the
 * peers it knows), asks the farthest live member of that side for its
 * leaf set (LEAFSET_REQUEST), and, once the answer is merged, sends its
 * new leaf set with the name of the dead node to every leaf-set member
 * (LEAFSET_UPDATE); they drop the dead node and, if a side shrank, ask
 * their own farthest member in turn — without broadcasting again.  A dead
 * routing-table entry is replaced by asking the other entries of its row,
 * then those of the next rows, for their entry of the same slot
 * (ENTRY_REQUEST), up to REPAIR_TRIES of them.  Periodically each node
 * also asks one random entry of every row for its row, which keeps
 * improving locality as the overlay changes.  A node that leaves sends
 * LEAVE with its leaf set to every leaf-set member.
 *
 * A request that reaches a node that is down turns into a timeout at its
 * sender after probe_timeout (no event is spent on replies that arrive).
 *
 * Invariant: a node's NodeMaint exists exactly while the node is live and
 * maintenance runs; dead marks expire after DEAD_MEMORY so a peer that
 * comes back with the same id can be learnt again.
 */
#include "sim-world-private.h"

#include <string.h>

#define REPAIR_TRIES 4
#define MIN_HOP_TIMEOUT (10 * SIM_TIME_MS)

static NodeMaint *
maint_of (SimWorld *w, guint32 x)
{
  NodeMaint *mt = g_ptr_array_index (w->maint, x);
  if (mt == NULL)
    {
      mt = g_new0 (NodeMaint, 1);
      mt->hb_from = PASTRY_PEER_NONE;
      pastry_fd_init (&mt->fd);
      g_ptr_array_index (w->maint, x) = mt;
    }
  return mt;
}

static SimTime
dead_memory (const SimWorld *w)
{
  return MAX (w->probe_period, 4 * w->heartbeat_timeout);
}

/* The epoch a death notice about x carries: its life, and how many
 * verdicts it refuted in this life, so that a notice overtaken by the
 * refutation is recognised as stale.  (Receivers read it from the world,
 * as the refutation would have told them.) */
static guint32
claim_epoch (const SimWorld *w, guint32 x)
{
  const NodeMaint *mt = g_ptr_array_index (w->maint, x);
  return (sim__world_incarnation (w, x) << 8) | (mt != NULL ? mt->claims : 0);
}

/* ---- Suspicion ---- */

/* The detector of x, or NULL when x keeps no maintenance state. */
static PastryFd *
fd_of (const SimWorld *w, guint32 x)
{
  NodeMaint *mt = g_ptr_array_index (w->maint, x);
  return mt != NULL ? &mt->fd : NULL;
}

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

static void
send_probe (SimWorld *w, guint32 x, guint32 p, guint attempt,
            gboolean repair)
{
  guint32 m = sim__world_msg_new (w, PASTRY_MSG_PROBE, p);
  PastryMessage *msg = sim__world_msg (w, m);
  msg->attempt = (guint8) attempt;
  if (repair)
    msg->flags |= PASTRY_MSG_FLAG_REPAIR;
  sim__world_send (w, x, p, m);
}

void
sim__world_verify (SimWorld *w, guint32 x, guint32 p)
{
  if (!w->maintain || x == p || sim__world_state (w, x) != NODE_LIVE)
    return;
  if (!pastry_fd_suspect (&maint_of (w, x)->fd, p, sim__world_now (w)))
    return; /* already being probed, or believed dead */
  guint32 m = sim__world_msg_new (w, PASTRY_MSG_PROBE, p);
  sim__world_msg (w, m)->flags |= PASTRY_MSG_FLAG_VERIFY;
  sim__world_send (w, x, p, m);
}

void
sim__world_suspect (SimWorld *w, guint32 x, guint32 p)
{
  if (!w->maintain || x == p || sim__world_state (w, x) != NODE_LIVE)
    return;
  if (pastry_fd_suspect (&maint_of (w, x)->fd, p, sim__world_now (w)))
    send_probe (w, x, p, 0, TRUE);
}

/* ---- Removal and repair ---- */

static void table_repair (SimWorld *w, guint32 x, guint row, guint col,
                          guint attempt);

static void
broadcast_leafset (SimWorld *w, guint32 x, guint32 dead)
{
  PastryPeer leaf[258];
  guint n = pastry_node_export_leafset (sim__world_node (w, x), leaf);
  /* The verdict goes to the dead node too, twice (it is what gets lost
   * most often where verdicts are wrong): a crashed node never reads it,
   * but a live one wrongly declared (its probe replies were lost) refutes
   * it at once instead of staying out of the leaf sets until its next
   * probe round. */
  leaf[n++] = dead;
  leaf[n++] = dead;
  for (guint i = 0; i < n; i++)
    {
      guint32 m = sim__world_msg_new (w, PASTRY_MSG_LEAFSET_UPDATE, dead);
      sim__world_msg (w, m)->flags |= PASTRY_MSG_FLAG_REPAIR;
      sim__world_msg (w, m)->epoch = claim_epoch (w, dead);
      sim__world_msg_add_leafset (w, m, x);
      sim__world_send (w, x, leaf[i], m);
    }
}

/* x forgets p.  With broadcast, x tells its leaf set afterwards. */
static void
forget (SimWorld *w, guint32 x, guint32 p, gboolean broadcast)
{
  PastryNode *node = sim__world_node (w, x);
  guint where = pastry_node_where (node, p);
  if (where == 0)
    return;
  const PastryId *pid = pastry_directory_id (w->dir, p);
  guint row = pastry_id_shl (pastry_node_id (node), pid, w->cfg.b);
  guint col = row < pastry_id_n_digits (w->cfg.b)
                ? pastry_id_digit (pid, row, w->cfg.b) : 0;
  /* Remember each side as it was: the repair target is its farthest
   * member still trusted, not whatever far peer the refill brings in. */
  gboolean sides[2] = { FALSE, FALSE };
  PastryPeer target[2] = { PASTRY_PEER_NONE, PASTRY_PEER_NONE };
  for (guint s = 0; s < 2; s++)
    {
      const PastryPeer *side;
      guint n = pastry_node_leafset_side (node, s, &side);
      for (guint i = 0; i < n; i++)
        {
          if (side[i] == p)
            sides[s] = TRUE;
          else if (!sim__world_is_suspect (w, x, side[i]))
            target[s] = side[i];
        }
    }
  PastryPeer before[257];
  guint n_before = (where & PASTRY_IN_LEAFSET)
                     ? pastry_node_export_leafset (node, before) : 0;
  pastry_node_remove_peer (node, p);

  if ((where & PASTRY_IN_LEAFSET) && !broadcast && w->maintain)
    {
      /* The leaf set refills from every known peer, including
       * neighbourhood-set members nobody has checked for a while: probe
       * whoever came in.  (With broadcast, the whole side is probed
       * below.) */
      PastryPeer after[257];
      guint n_after = pastry_node_export_leafset (node, after);
      for (guint i = 0; i < n_after; i++)
        {
          gboolean old = FALSE;
          for (guint k = 0; k < n_before && !old; k++)
            old = before[k] == after[i];
          if (!old && !sim__world_is_suspect (w, x, after[i]))
            send_probe (w, x, after[i], 0, TRUE);
        }
    }
  if ((where & PASTRY_IN_LEAFSET) && broadcast && w->maintain)
    {
      /* Failures are often correlated (a rack, a region, adjacent ids):
       * check the rest of that side now rather than one heartbeat timeout
       * after another. */
      for (guint s = 0; s < 2; s++)
        {
          const PastryPeer *side;
          guint n = sides[s] ? pastry_node_leafset_side (node, s, &side) : 0;
          for (guint i = 0; i < n; i++)
            if (!sim__world_is_suspect (w, x, side[i]))
              send_probe (w, x, side[i], 0, TRUE);
        }
    }
  if ((where & PASTRY_IN_LEAFSET) && w->repair_leaf)
    {
      gboolean asked = FALSE;
      for (guint s = 0; s < 2; s++)
        {
          if (!sides[s])
            continue;
          PastryPeer far = target[s];
          if (far == PASTRY_PEER_NONE)
            far = pastry_node_leafset_farthest (node, s);
          if (far == PASTRY_PEER_NONE)
            continue;
          guint32 m = sim__world_msg_new (w, PASTRY_MSG_LEAFSET_REQUEST, p);
          PastryMessage *msg = sim__world_msg (w, m);
          msg->flags |= PASTRY_MSG_FLAG_REPAIR;
          if (broadcast && !asked)
            msg->flags |= PASTRY_MSG_FLAG_BROADCAST;
          sim__world_send (w, x, far, m);
          asked = TRUE;
        }
      if (broadcast && !asked)
        broadcast_leafset (w, x, p);
    }
  if ((where & PASTRY_IN_TABLE) && w->repair_table)
    table_repair (w, x, row, col, 0);
}

/* x now believes p dead (for DEAD_MEMORY); probing of p stops. */
static void
mark_dead (SimWorld *w, guint32 x, guint32 p)
{
  pastry_fd_mark_dead (&maint_of (w, x)->fd, p,
                       sim_time_add (sim__world_now (w), dead_memory (w)));
}

static void
declare_dead (SimWorld *w, guint32 x, guint32 p)
{
  if (sim__world_state (w, p) == NODE_LIVE)
    w->last_false_death = sim__world_now (w); /* for the tests only */
  mark_dead (w, x, p);
  forget (w, x, p, TRUE);
}

static void
table_repair (SimWorld *w, guint32 x, guint row, guint col, guint attempt)
{
  if (attempt >= REPAIR_TRIES)
    return;
  PastryNode *node = sim__world_node (w, x);
  if (pastry_node_entry (node, row, col).peer != PASTRY_PEER_NONE)
    return; /* already refilled */
  PastryPeer cand[REPAIR_TRIES * 4];
  guint n = pastry_node_repair_candidates (node, row, col, cand,
                                           G_N_ELEMENTS (cand));
  guint k = 0;
  for (guint i = 0; i < n; i++)
    {
      if (sim__world_is_suspect (w, x, cand[i]))
        continue;
      if (k++ < attempt)
        continue;
      guint32 m = sim__world_msg_new (w, PASTRY_MSG_ENTRY_REQUEST, x);
      PastryMessage *msg = sim__world_msg (w, m);
      msg->row = (guint8) row;
      msg->col = (guint8) col;
      msg->attempt = (guint8) attempt;
      msg->flags |= PASTRY_MSG_FLAG_REPAIR;
      sim__world_send (w, x, cand[i], m);
      return;
    }
}

/* ---- Timers ---- */

void
sim__world_maint_start (SimWorld *w, guint32 x)
{
  if (!w->maintain)
    return;
  NodeMaint *mt = maint_of (w, x);
  mt->hb_from = PASTRY_PEER_NONE;
  SimTime now = sim__world_now (w);
  /* Random phases so that nodes do not act in lockstep. */
  sim__world_timer (w, now + sim_rng_uniform_u64 (&w->rng_protocol,
                                                  w->heartbeat_period),
                    EV_HEARTBEAT, x, 0);
  sim__world_timer (w, now + sim_rng_uniform_u64 (&w->rng_protocol,
                                                  w->probe_period),
                    EV_PROBE_ROUND, x, 0);
}

void
sim__world_maint_stop (SimWorld *w, guint32 x)
{
  NodeMaint *mt = g_ptr_array_index (w->maint, x);
  if (mt == NULL)
    return;
  pastry_fd_clear (&mt->fd);
  g_free (mt);
  g_ptr_array_index (w->maint, x) = NULL;
}

void
sim__world_heartbeat (SimWorld *w, guint32 x)
{
  PastryNode *node = sim__world_node (w, x);
  NodeMaint *mt = maint_of (w, x);
  SimTime now = sim__world_now (w);
  const PastryPeer *left, *right;
  if (pastry_node_leafset_side (node, PASTRY_SIDE_LEFT, &left) > 0)
    sim__world_send (w, x, left[0],
                     sim__world_msg_new (w, PASTRY_MSG_HEARTBEAT, x));
  if (pastry_node_leafset_side (node, PASTRY_SIDE_RIGHT, &right) > 0)
    {
      if (right[0] != mt->hb_from)
        {
          mt->hb_from = right[0];
          mt->last_hb = now;
        }
      else if (now - mt->last_hb > w->heartbeat_timeout)
        {
          sim__world_suspect (w, x, right[0]);
          mt->last_hb = now; /* one suspicion per timeout */
        }
    }
  sim__world_timer (w, now + w->heartbeat_period, EV_HEARTBEAT, x, 0);
}

typedef struct
{
  SimWorld *w;
  guint32 x;
} ProbeCtx;

static void
probe_entry (guint row, guint col, const PastryEntry *e, gpointer data)
{
  ProbeCtx *c = data;
  if (!sim__world_is_suspect (c->w, c->x, e->peer))
    send_probe (c->w, c->x, e->peer, 0, FALSE);
}

void
sim__world_probe_round (SimWorld *w, guint32 x)
{
  PastryNode *node = sim__world_node (w, x);
  ProbeCtx c = { w, x };
  pastry_node_foreach_entry (node, probe_entry, &c);
  /* Periodic leaf-set exchange with the nearest member on each side: a
   * node that missed a join or a repair (several at once can leave two
   * nodes each unaware of the other) learns it from its neighbours. */
  for (guint side = 0; side < 2; side++)
    {
      const PastryPeer *members;
      if (pastry_node_leafset_side (node, side, &members) > 0
          && !sim__world_is_suspect (w, x, members[0]))
        sim__world_send (w, x, members[0],
                         sim__world_msg_new (w, PASTRY_MSG_LEAFSET_REQUEST, x));
    }
  /* Leaf-set members other than the right neighbour are not watched by
   * heartbeats: probe them too (a safety net behind the broadcasts). */
  PastryPeer leaf[256];
  guint nl = pastry_node_export_leafset (node, leaf);
  for (guint i = 0; i < nl; i++)
    if (!(pastry_node_where (node, leaf[i]) & PASTRY_IN_TABLE)
        && !sim__world_is_suspect (w, x, leaf[i]))
      send_probe (w, x, leaf[i], 0, FALSE);
  if (w->repair_table)
    {
      /* Periodic table maintenance: one random entry of each row is asked
       * for its row. */
      PastryEntry row[256];
      for (guint l = 0; l < pastry_node_n_rows (node); l++)
        {
          guint n = pastry_node_export_row (node, l, row);
          if (n == 0)
            continue;
          guint pick = (guint) sim_rng_uniform_u64 (&w->rng_protocol, n);
          guint32 m = sim__world_msg_new (w, PASTRY_MSG_ROW_REQUEST, x);
          sim__world_msg (w, m)->row = (guint8) l;
          sim__world_send (w, x, row[pick].peer, m);
        }
    }
  sim__world_timer (w, sim__world_now (w) + w->probe_period, EV_PROBE_ROUND,
                    x, 0);
}

/* ---- RTT estimates ---- */

SimTime
sim__world_hop_timeout (SimWorld *w, guint32 x, guint32 p)
{
  if (!w->hop_rtt)
    return w->hop_timeout;
  return pastry_fd_hop_timeout (&maint_of (w, x)->fd, p,
                                sim__world_prox (w, x, p), MIN_HOP_TIMEOUT);
}

void
sim__world_rtt_sample (SimWorld *w, guint32 x, guint32 p, SimTime rtt)
{
  if (!w->hop_rtt)
    return;
  pastry_fd_rtt_sample (&maint_of (w, x)->fd, p, rtt);
}

/* ---- Messages ---- */

/* x, alive, was declared dead by peer judge: it probes its leaf set and
 * the judge.  A probe is proof of life: its receiver drops the dead mark
 * and takes x back; and a lost probe (or reply) is retried, so one lost
 * message cannot leave x out.  Notices of the verdict still in flight
 * become stale. */
static void
refute (SimWorld *w, guint32 x, guint32 judge)
{
  PastryPeer leaf[256];
  guint n = pastry_node_export_leafset (sim__world_node (w, x), leaf);
  w->refutations++;
  maint_of (w, x)->claims++;
  gboolean judged = FALSE;
  for (guint i = 0; i < n; i++)
    {
      judged |= leaf[i] == judge;
      if (!sim__world_is_suspect (w, x, leaf[i]))
        send_probe (w, x, leaf[i], 0, TRUE);
    }
  if (!judged && !sim__world_is_suspect (w, x, judge))
    send_probe (w, x, judge, 0, TRUE);
}

/* A request whose target is down comes back to its sender as a timeout. */
static void
request_timed_out (SimWorld *w, guint32 x, PastryMessage *msg)
{
  switch ((PastryMsgType) msg->type)
    {
    case PASTRY_MSG_PROBE:
      if ((msg->flags & PASTRY_MSG_FLAG_TIMEOUT) && msg->epoch != 0
          && msg->epoch != sim__world_incarnation (w, msg->about)
          && sim__world_state (w, msg->about) != NODE_DOWN)
        {
          /* It found a life of this id that has ended since; the id is
           * back: nothing to declare. */
          sim__world_alive (w, x, msg->about);
          break;
        }
      if (msg->attempt < w->probe_retries)
        {
          PastryFd *fd = fd_of (w, x);
          if (fd != NULL)
            pastry_fd_strike (fd, msg->about, msg->attempt);
          send_probe (w, x, msg->about, msg->attempt + 1u, TRUE);
        }
      else
        declare_dead (w, x, msg->about);
      break;
    case PASTRY_MSG_ENTRY_REQUEST:
      sim__world_suspect (w, x, msg->to);
      table_repair (w, x, msg->row, msg->col, msg->attempt + 1u);
      break;
    case PASTRY_MSG_LEAFSET_REQUEST:
      sim__world_suspect (w, x, msg->to);
      /* The repair source is gone too; still tell the leaf set what we
       * learnt (its members' replies will fill the gap). */
      if (msg->flags & PASTRY_MSG_FLAG_BROADCAST)
        broadcast_leafset (w, x, msg->about);
      break;
    case PASTRY_MSG_ROW_REQUEST:
      sim__world_suspect (w, x, msg->to);
      sim__world_join_missed (w, x, msg);
      break;
    case PASTRY_MSG_JOIN_REPLY:
    case PASTRY_MSG_ROW_REPLY:
      sim__world_join_missed (w, x, msg);
      break;
    case PASTRY_MSG_LEAFSET_REPLY:
      /* The answer was lost (the replier is alive): still tell the leaf
       * set, as when the far member is gone. */
      if (msg->flags & PASTRY_MSG_FLAG_BROADCAST)
        broadcast_leafset (w, x, msg->about);
      break;
    case PASTRY_MSG_ENTRY_REPLY:
      table_repair (w, x, msg->row, msg->col, msg->attempt + 1u);
      break;
    case PASTRY_MSG_ANNOUNCE:
      /* A leaf-set member did not answer the joiner's announcement. */
      sim__world_suspect (w, x, msg->to);
      break;
    default:
      break;
    }
}

gboolean
sim__world_maint_msg (SimWorld *w, guint32 at, guint32 m)
{
  PastryMessage *msg = sim__world_msg (w, m);
  if (msg->flags & PASTRY_MSG_FLAG_TIMEOUT)
    {
      request_timed_out (w, at, msg);
      sim__world_msg_release (w, m);
      return TRUE;
    }
  SimTime now = sim__world_now (w);
  switch ((PastryMsgType) msg->type)
    {
    case PASTRY_MSG_HEARTBEAT:
      {
        sim__world_alive (w, at, msg->from);
        NodeMaint *mt = maint_of (w, at);
        PastryNode *node = sim__world_node (w, at);
        if (pastry_node_where (node, msg->from) == 0
            && !sim__world_believes_dead (w, at, msg->from))
          sim__world_offer (w, at, NULL, 0, msg->from);
        const PastryPeer *right;
        if (pastry_node_leafset_side (node, PASTRY_SIDE_RIGHT, &right) > 0
            && right[0] == msg->from)
          {
            mt->hb_from = msg->from;
            mt->last_hb = now;
          }
        break;
      }
    case PASTRY_MSG_PROBE:
      {
        /* Alive: the reply is drawn now and only costs an event when the
         * prober waits for it (a suspect) or when it is lost. */
        guint32 prober = msg->from;
        gboolean repair = (msg->flags & PASTRY_MSG_FLAG_REPAIR) != 0;
        /* A probe is proof of life of its sender too, and a node probing
         * us usually has us in its leaf set or table: learn it.  (This
         * heals one-sided leaf sets, where a node keeps probing a
         * neighbour that does not know it.) */
        sim__world_alive (w, at, prober);
        if (pastry_node_where (sim__world_node (w, at), prober) == 0)
          {
            sim__world_offer (w, at, NULL, 0, prober);
            msg = sim__world_msg (w, m);
          }
        sim__world_count_msg (w, now, PASTRY_MSG_PROBE_REPLY, 1, repair);
        gboolean lost = FALSE;
        SimTime d = sim_net_delay_sample (
            w->net, at, prober, sim__world_net_rng (w, PASTRY_MSG_PROBE_REPLY),
            &lost);
        if (lost)
          {
            msg->flags |= PASTRY_MSG_FLAG_TIMEOUT;
            sim_queue_push (w->q, sim_time_add (msg->sent, w->probe_timeout),
                            EV_MSG, prober, m);
            return TRUE;
          }
        if ((msg->flags & PASTRY_MSG_FLAG_VERIFY)
            || (fd_of (w, prober) != NULL
                && pastry_fd_knows (fd_of (w, prober), at)))
          {
            msg->type = PASTRY_MSG_PROBE_REPLY;
            msg->from = at;
            sim_queue_push (w->q, sim_time_add (now, d), EV_MSG, prober, m);
            return TRUE;
          }
        break;
      }
    case PASTRY_MSG_PROBE_REPLY:
      {
        PastryFd *fd = fd_of (w, at);
        if (fd != NULL)
          pastry_fd_probe_answered (fd, msg->from);
        /* A verified peer: direct evidence, it may enter the leaf set. */
        if ((msg->flags & PASTRY_MSG_FLAG_VERIFY)
            && sim__world_state (w, at) == NODE_LIVE)
          sim__world_offer (w, at, NULL, 0, msg->from);
        break;
      }
    case PASTRY_MSG_LEAFSET_REQUEST:
      {
        guint32 r = sim__world_msg_new (w, PASTRY_MSG_LEAFSET_REPLY,
                                        msg->about);
        PastryMessage *reply = sim__world_msg (w, r);
        msg = sim__world_msg (w, m); /* the pool may have moved */
        reply->flags = msg->flags & (PASTRY_MSG_FLAG_BROADCAST | PASTRY_MSG_FLAG_REPAIR);
        sim__world_msg_add_leafset (w, r, at);
        sim__world_send (w, at, msg->from, r);
        break;
      }
    case PASTRY_MSG_LEAFSET_REPLY:
      sim__world_offer (w, at, msg->entries, msg->n_entries, msg->from);
      if (msg->flags & PASTRY_MSG_FLAG_BROADCAST)
        broadcast_leafset (w, at, msg->about);
      break;
    case PASTRY_MSG_LEAFSET_UPDATE:
      {
        guint32 dead = msg->about;
        if (dead == at && msg->epoch == claim_epoch (w, at))
          {
            /* We are declared dead: tell the leaf set we are not. */
            refute (w, at, msg->from);
            break;
          }
        if (dead != at && msg->epoch == claim_epoch (w, dead)
            && pastry_node_where (sim__world_node (w, at), dead))
          {
            /* Trust the sender's verdict: it probed the node. */
            mark_dead (w, at, dead);
            forget (w, at, dead, FALSE);
          }
        msg = sim__world_msg (w, m);
        sim__world_offer (w, at, msg->entries, msg->n_entries, msg->from);
        break;
      }
    case PASTRY_MSG_LEAVE:
      {
        guint32 gone = msg->from;
        mark_dead (w, at, gone);
        forget (w, at, gone, FALSE);
        /* The leaver's leaf set holds our replacements. */
        msg = sim__world_msg (w, m);
        sim__world_offer (w, at, msg->entries, msg->n_entries,
                          PASTRY_PEER_NONE);
        break;
      }
    case PASTRY_MSG_ENTRY_REQUEST:
      {
        guint32 r = sim__world_msg_new (w, PASTRY_MSG_ENTRY_REPLY, msg->about);
        msg = sim__world_msg (w, m);
        PastryMessage *reply = sim__world_msg (w, r);
        reply->row = msg->row;
        reply->col = msg->col;
        reply->attempt = msg->attempt;
        reply->flags |= PASTRY_MSG_FLAG_REPAIR;
        PastryEntry e = pastry_node_entry (sim__world_node (w, at), msg->row,
                                           msg->col);
        if (e.peer != PASTRY_PEER_NONE && e.peer != msg->from)
          sim__world_msg_add (w, r, &e, 1);
        sim__world_send (w, at, msg->from, r);
        break;
      }
    case PASTRY_MSG_ENTRY_REPLY:
      sim__world_offer (w, at, msg->entries, msg->n_entries,
                        PASTRY_PEER_NONE);
      table_repair (w, at, msg->row, msg->col, msg->attempt + 1u);
      break;
    default:
      return FALSE;
    }
  sim__world_msg_release (w, m);
  return TRUE;
}

/* ---- Failures and leaves ---- */

static void
go_down (SimWorld *w, guint32 x, SimNodeEvent ev)
{
  NodeState st = sim__world_state (w, x);
  if (st == NODE_DOWN)
    return;
  SimTime now = sim__world_now (w);
  if (st == NODE_LIVE)
    {
      sim_ring_remove (w->live, x);
      sim_metrics_live (w->metrics, now, sim_ring_size (w->live));
    }
  JoinState *js = g_ptr_array_index (w->joins, x);
  if (js != NULL)
    {
      g_ptr_array_index (w->joins, x) = NULL;
      g_free (js);
      w->inflight--;
    }
  g_array_index (w->state, guint8, x) = NODE_DOWN;
  g_array_index (w->incarn, guint32, x)++;
  sim__world_maint_stop (w, x);
  g_array_append_val (w->down, x);
  sim_metrics_node_event (w->metrics, now, ev);
}

void
sim__world_fail (SimWorld *w, guint32 x)
{
  go_down (w, x, SIM_NODE_EVENT_FAIL);
}

void
sim__world_leave (SimWorld *w, guint32 x)
{
  if (sim__world_state (w, x) == NODE_LIVE)
    {
      PastryPeer leaf[256];
      guint n = pastry_node_export_leafset (sim__world_node (w, x), leaf);
      for (guint i = 0; i < n; i++)
        {
          guint32 m = sim__world_msg_new (w, PASTRY_MSG_LEAVE, x);
          sim__world_msg (w, m)->flags |= PASTRY_MSG_FLAG_REPAIR;
          sim__world_msg_add_leafset (w, m, x);
          sim__world_send (w, x, leaf[i], m);
        }
    }
  go_down (w, x, SIM_NODE_EVENT_LEAVE);
}
