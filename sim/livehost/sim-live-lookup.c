/* sim-live-lookup.c — lookups of the live host (sim-live-host.h): tags,
 * hops and their acknowledgements, hop timers, delivery reports across
 * processes, and the judgement against the process's own oracle.
 *
 * Invariant: every lookup this process started ends exactly once in
 * finish() (delivered here, reported delivered or failed by another
 * process, failed here, past its deadline at the source, or abandoned at
 * the end of the run); a hop is in h->hops from its send to
 * its ack or its timer, whichever comes first.
 * Cost: a hop is one encode, one hash insertion and one loop timer; the
 * judgement scans the hosted nodes and the peer book, O(peers), once per
 * lookup.
 */
#include "sim-live-host-private.h"

/* ---- Lookups ---- */

/* A lookup's tag: this process's nonce (16 bits), the lookup's number at
 * its source (24 bits), the hop (24 bits, a counter of the sending
 * process).  TRUE, with *l its number, when tag is a lookup of ours. */
static gboolean
local_lookup (const SimLiveHost *h, guint64 tag, guint64 *l)
{
  *l = (tag >> 24) & 0xffffff;
  return (tag >> 48) == h->nonce && *l < h->lookups->len;
}

/* The oracle's root of key: the closest of the live hosted nodes and the
 * remote peers this process knows and no hosted node declared dead. */
static PastryPeer
oracle_root_peer (SimLiveHost *h, const PastryId *key)
{
  guint32 r = sim__live_oracle_root (h, key);
  PastryPeer best
      = r == G_MAXUINT32 ? PASTRY_PEER_NONE : node_at (h, r)->handle;
  for (guint p = 0; p < h->hosted->len; p++)
    {
      if (g_array_index (h->hosted, guint32, p) != G_MAXUINT32
          || !sim__live_book_is_peer (h, p)
          || g_array_index (h->gone, guint8, p))
        continue;
      if (best == PASTRY_PEER_NONE
          || pastry_id_closer (key, pastry_directory_id (h->dir, p),
                               pastry_directory_id (h->dir, best))
                 < 0)
        best = p;
    }
  return best;
}

/* TRUE when peer `at` is one of the k members of the oracle (live hosted
 * nodes, remote peers known and not declared dead) closest to key. */
static gboolean
among_closest (SimLiveHost *h, const PastryId *key, PastryPeer at, guint k)
{
  const PastryId *aid = pastry_directory_id (h->dir, at);
  guint closer = 0;
  for (guint p = 0; p < h->hosted->len && closer < k; p++)
    {
      guint32 j = g_array_index (h->hosted, guint32, p);
      gboolean member = j != G_MAXUINT32
                            ? node_at (h, j)->state == NODE_LIVE
                            : sim__live_book_is_peer (h, p)
                                  && !g_array_index (h->gone, guint8, p);
      if (member && p != at
          && pastry_id_closer (key, pastry_directory_id (h->dir, p), aid) < 0)
        closer++;
    }
  return closer < k;
}

/* Ends lookup l: delivered at peer `at` after hops (PASTRY_PEER_NONE:
 * failed). */
static void
finish (SimLiveHost *h, guint64 l, PastryPeer at, guint hops, guint detours)
{
  LookupRec *rec = &g_array_index (h->lookups, LookupRec, l);
  if (rec->done)
    return;
  rec->done = TRUE;
  h->inflight--;
  PastryPeer root = oracle_root_peer (h, &rec->key);
  SimOutcome outcome = SIM_OUTCOME_FAILED;
  if (at != PASTRY_PEER_NONE)
    outcome
        = at == root
                  || (h->lcfg.replicas.k > 1
                      && among_closest (h, &rec->key, at, h->lcfg.replicas.k))
              ? SIM_OUTCOME_OK
              : SIM_OUTCOME_WRONG;
  if (outcome == SIM_OUTCOME_OK)
    h->stats.lookups_ok++;
  else if (outcome == SIM_OUTCOME_WRONG)
    h->stats.lookups_wrong++;
  else
    h->stats.lookups_failed++;
  if (at != PASTRY_PEER_NONE && hosted_of (h, at) == G_MAXUINT32)
    h->stats.lookups_remote++;
  SimTime direct = 0;
  guint32 rj = root == PASTRY_PEER_NONE ? G_MAXUINT32 : hosted_of (h, root);
  if (h->net != NULL && rj != G_MAXUINT32 && rj != rec->src)
    direct = sim_net_latency (h->net, node_at (h, rec->src)->net,
                              node_at (h, rj)->net);
  SimKey key = { rec->key.hi, rec->key.lo };
  sim_metrics_lookup (h->metrics, rec->due, rec->src, &key, hops, detours,
                      now_of (h) - rec->issued, direct, -1.0, outcome,
                      rec->phase);
}

/* The lookup lk of tag base failed at hosted node i.  Ours: it ends as
 * failed.  Another process's: i reports the failure to its source, a
 * LOOKUP_ACK flagged PASTRY_WIRE_FLAG_FAILED whose `about` is i (when i
 * is down, or the report is lost, the source's deadline ends it). */
static void
give_up (SimLiveHost *h, guint32 i, guint64 base, const PastryLookup *lk)
{
  guint64 l;
  if (local_lookup (h, base, &l))
    {
      finish (h, l, PASTRY_PEER_NONE, 0, 0);
      return;
    }
  Node *n = node_at (h, i);
  if (n->state == NODE_DOWN || lk->src == PASTRY_PEER_NONE)
    return;
  PastryMessage rep = { 0 };
  rep.type = PASTRY_MSG_LOOKUP_ACK;
  rep.flags = PASTRY_WIRE_FLAG_FAILED;
  rep.from = n->handle;
  rep.to = lk->src;
  rep.about = n->handle;
  rep.hops = (guint8) MIN (lk->hops, 255);
  rep.sent = now_of (h);
  h->stats.failures_reported++;
  sim__live_send_message (h, i, &rep, base);
}

static SimTime
hop_timeout (SimLiveHost *h, guint32 i, PastryPeer to)
{
  Node *n = node_at (h, i);
  if (h->cfg.hop_timeout > 0)
    return h->cfg.hop_timeout;
  return pastry_fd_hop_timeout (
      &n->mt.fd, to, sim__live_prox (n->handle, to, h), h->cfg.min_hop_timeout);
}

/* Sends the current hop (lk->at to lk->to) of the lookup of tag base. */
static void
send_hop (SimLiveHost *h, guint32 i, guint64 base, const PastryLookup *lk)
{
  guint64 tag = base | (++h->hop_counter & 0xffffff);
  guint8 buf[PASTRY_WIRE_MAX_DATAGRAM];
  gsize len = 0;
  g_autoptr (GError) error = NULL;
  gboolean sent = FALSE;
  PastryLookup wire = *lk;
  wire.issued = sim__live_to_wire_time (h, lk->issued);
  wire.hop_sent = sim__live_to_wire_time (h, lk->hop_sent);
  if (pastry_wire_encode_lookup (&wire, tag, &h->peers, h, buf, sizeof buf,
                                 &len, &error))
    sent
        = sim__live_transmit (h, i, lk->to, PASTRY_MSG_LOOKUP, buf, len, FALSE);
  else
    h->stats.encode_errors++;
  if (!h->cfg.maintain)
    {
      if (!sent)
        give_up (h, i, base, lk); /* nothing recovers it */
      return;
    }
  Hop *hop = g_new0 (Hop, 1);
  hop->node = i;
  hop->incarn = node_at (h, i)->incarn;
  hop->lk = *lk;
  hop->timer = sim_live_loop_at (
      h->loop, sim_time_add (lk->hop_sent, hop_timeout (h, i, lk->to)),
      h->k_hop, i, tag);
  g_hash_table_insert (h->hops, g_memdup2 (&tag, sizeof tag), hop);
}

/* consistent_routing: node i keeps the lookup of tag base and decides
 * again after PASTRY_LOOKUP_HOLD_TIME (a Hop record under a fresh tag, as
 * a hop in flight, with a k_hold timer instead of k_hop). */
static void
hold (SimLiveHost *h, guint32 i, guint64 base, const PastryLookup *lk)
{
  guint64 tag = base | (++h->hop_counter & 0xffffff);
  Hop *hop = g_new0 (Hop, 1);
  hop->node = i;
  hop->incarn = node_at (h, i)->incarn;
  hop->lk = *lk;
  hop->timer = sim_live_loop_at (
      h->loop, sim_time_add (now_of (h), PASTRY_LOOKUP_HOLD_TIME * SIM_TIME_US),
      h->k_hold, i, tag);
  g_hash_table_insert (h->hops, g_memdup2 (&tag, sizeof tag), hop);
}

/* Hosted node i holds the lookup of tag base: deliver, forward or give
 * up.  A lookup of another process delivered here is reported to its
 * source: a LOOKUP_ACK whose `about` is the delivering node and whose
 * hops are the lookup's (a per-hop ack has no `about`). */
static void
process (SimLiveHost *h, guint32 i, guint64 base, PastryLookup *lk)
{
  Node *n = node_at (h, i);
  guint64 l;
  switch (pastry_lookup_forward (
      lk, n->node, h->cfg.maintain ? &n->mt.fd : NULL, &h->lcfg, now_of (h)))
    {
    case PASTRY_LOOKUP_DELIVER:
      if (local_lookup (h, base, &l))
        finish (h, l, n->handle, lk->hops, lk->detours);
      else
        {
          PastryMessage rep = { 0 };
          rep.type = PASTRY_MSG_LOOKUP_ACK;
          rep.from = n->handle;
          rep.to = lk->src;
          rep.about = n->handle;
          rep.hops = (guint8) MIN (lk->hops, 255);
          rep.sent = now_of (h);
          sim__live_send_message (h, i, &rep, base);
        }
      break;
    case PASTRY_LOOKUP_SEND:
      send_hop (h, i, base, lk);
      break;
    case PASTRY_LOOKUP_HOLD:
      hold (h, i, base, lk);
      break;
    default:
      give_up (h, i, base, lk);
      break;
    }
}

void
sim_live_host_lookup (SimLiveHost *h, guint32 src, const PastryId *key,
                      SimTime due, guint phase)
{
  LookupRec rec = { 0 };
  rec.key = *key;
  rec.issued = now_of (h);
  rec.due = due;
  rec.src = src;
  rec.phase = (guint16) phase;
  guint64 l = h->lookups->len;
  g_return_if_fail (l < 0xffffff);
  g_array_append_val (h->lookups, rec);
  h->inflight++;
  h->stats.lookups_started++;
  Node *n = node_at (h, src);
  guint64 base = ((guint64) h->nonce << 48) | (l << 24);
  /* The source's deadline: a lookup lost with its holder, or whose
   * report was lost, fails here lookup_timeout (and a second for the
   * report to travel) after it was issued. */
  sim_live_loop_at (
      h->loop,
      sim_time_add (rec.issued,
                    sim_time_add (h->cfg.lookup_timeout, SIM_TIME_S)),
      h->k_deadline, src, l);
  PastryLookup lk;
  pastry_lookup_init (&lk, key, n->handle, rec.issued);
  if (n->state != NODE_LIVE)
    finish (h, l, PASTRY_PEER_NONE, 0, 0);
  else
    process (h, src, base, &lk);
}

guint
sim_live_host_inflight (const SimLiveHost *h)
{
  return h->inflight;
}

void
sim_live_host_abandon (SimLiveHost *h)
{
  for (guint64 l = 0; l < h->lookups->len; l++)
    if (!g_array_index (h->lookups, LookupRec, l).done)
      finish (h, l, PASTRY_PEER_NONE, 0, 0);
}

void
sim__live_lookup_arrive (SimLiveHost *h, guint32 i, PastryLookup *lk,
                         guint64 tag)
{
  Node *n = node_at (h, i);
  /* The acknowledgement first, as the hop's receiver. */
  PastryMessage ack = { 0 };
  ack.type = PASTRY_MSG_LOOKUP_ACK;
  ack.from = n->handle;
  ack.to = lk->at;
  ack.about = PASTRY_PEER_NONE;
  ack.sent = now_of (h);
  sim__live_send_message (h, i, &ack, tag);
  guint64 base = tag & ~(guint64) 0xffffff, l;
  if (local_lookup (h, base, &l)
      && g_array_index (h->lookups, LookupRec, l).done)
    return; /* a duplicate of a finished lookup (a lost or late ack) */
  if (h->cfg.maintain)
    {
      PastryPeer reported[PASTRY_LOOKUP_AVOID];
      guint k = pastry_lookup_reported (lk, n->node, reported);
      for (guint r = 0; r < k; r++)
        sim__live_suspect (h, i, reported[r]);
    }
  process (h, i, base, lk);
}

/* A LOOKUP_ACK arrived at i: a hop's ack, or a delivery report. */
void
sim__live_lookup_acked (SimLiveHost *h, guint32 i, const PastryMessage *msg,
                        guint64 tag)
{
  guint64 l;
  if (msg->about != PASTRY_PEER_NONE)
    {
      /* A report from the process holding it: delivered, or failed. */
      if (!local_lookup (h, tag, &l)
          || g_array_index (h->lookups, LookupRec, l).done)
        return;
      if (msg->flags & PASTRY_WIRE_FLAG_FAILED)
        {
          h->stats.lookups_failed_remote++;
          finish (h, l, PASTRY_PEER_NONE, msg->hops, 0);
        }
      else
        finish (h, l, msg->about, msg->hops, 0);
      return;
    }
  Hop *hop = g_hash_table_lookup (h->hops, &tag);
  if (hop == NULL || hop->node != i || hop->lk.to != msg->from)
    return;
  Node *n = node_at (h, i);
  if (hop->incarn == n->incarn && n->state != NODE_DOWN
      && h->cfg.hop_timeout == 0)
    pastry_fd_rtt_sample (&n->mt.fd, hop->lk.to, now_of (h) - hop->lk.hop_sent);
  sim_live_loop_cancel (h->loop, hop->timer);
  g_hash_table_remove (h->hops, &tag);
}

void
sim__live_on_lookup_deadline (SimLiveLoop *loop, const SimEvent *ev,
                              gpointer data)
{
  SimLiveHost *h = data;
  guint64 l = ev->b;
  if (l < h->lookups->len && !g_array_index (h->lookups, LookupRec, l).done)
    {
      h->stats.lookups_expired++;
      finish (h, l, PASTRY_PEER_NONE, 0, 0);
    }
}

void
sim__live_on_hop_timeout (SimLiveLoop *loop, const SimEvent *ev, gpointer data)
{
  SimLiveHost *h = data;
  guint64 tag = ev->b;
  Hop *hop = g_hash_table_lookup (h->hops, &tag);
  if (hop == NULL)
    return;
  Hop copy = *hop;
  g_hash_table_remove (h->hops, &tag);
  guint64 base = tag & ~(guint64) 0xffffff, l;
  guint32 i = copy.node;
  Node *n = node_at (h, i);
  if (local_lookup (h, base, &l)
      && g_array_index (h->lookups, LookupRec, l).done)
    return; /* delivered meanwhile: only the ack was lost or late */
  if (n->state == NODE_DOWN || n->incarn != copy.incarn)
    {
      give_up (h, i, base, &copy.lk); /* its holder died: no report */
      return;
    }
  PastryPeer gone = PASTRY_PEER_NONE;
  gboolean final_resent = FALSE;
  PastryLookupStep step = pastry_lookup_hop_timeout (
      &copy.lk, &n->mt.fd, &h->lcfg, now_of (h), &gone, &final_resent);
  if (step == PASTRY_LOOKUP_SEND)
    {
      send_hop (h, i, base, &copy.lk);
      return;
    }
  sim__live_suspect (h, i, gone);
  if (step == PASTRY_LOOKUP_REROUTE && n->state == NODE_LIVE)
    process (h, i, base, &copy.lk);
  else
    give_up (h, i, base, &copy.lk);
}

void
sim__live_on_lookup_hold (SimLiveLoop *loop, const SimEvent *ev, gpointer data)
{
  SimLiveHost *h = data;
  guint64 tag = ev->b;
  Hop *hop = g_hash_table_lookup (h->hops, &tag);
  if (hop == NULL)
    return;
  Hop copy = *hop;
  g_hash_table_remove (h->hops, &tag);
  guint64 base = tag & ~(guint64) 0xffffff;
  guint32 i = copy.node;
  Node *n = node_at (h, i);
  if (n->state != NODE_LIVE || n->incarn != copy.incarn)
    give_up (h, i, base, &copy.lk);
  else
    process (h, i, base, &copy.lk);
}
