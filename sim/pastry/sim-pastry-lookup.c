/* sim-pastry-lookup.c — lookups in the simulated network: the adapter
 * between the event queue and core's lookup state machine
 * (pastry-lookup.h), plus the outcome against the oracle.
 *
 * The protocol decisions (next hop, avoidance, resends, rerouting, giving
 * up) are core's; this file carries them out: it samples the network for
 * every hop sent, schedules arrivals and hop timeouts, and ends lookups in
 * the metrics.
 *
 * A lookup is one pooled record that travels with the message; an event
 * carries its slot and generation, so an event for a record that was
 * finished and reused is recognised and dropped.
 *
 * Acknowledgements cost no event when they arrive in time: when a lookup
 * reaches a live node, the acknowledgement's delay (and loss) is drawn at
 * once; only a missing or late acknowledgement makes the sender suspect
 * the receiver (at once, not at its timeout: a simplification), and only a
 * hop that was lost or sent to a node that is down schedules the sender's
 * hop timeout.  A node that receives the lookup always carries on with it,
 * so a late acknowledgement never duplicates the lookup — a simplification
 * of real duplicate suppression.
 *
 * Without maintenance (stable scenarios) a lost message ends its lookup as
 * `failed` at once.  Lookups still in flight when a run stops (a stall)
 * end as failed too (sim__world_lookups_abandon): every lookup started
 * ends in the results.
 */
#include "sim-pastry-private.h"

#include <string.h>

static inline guint64
pack (guint32 slot, guint32 gen)
{
  return (guint64) slot | ((guint64) gen << 32);
}

static Lookup *
unpack (SimWorld *w, guint64 b, guint32 *slot)
{
  *slot = (guint32) b;
  Lookup *lk = &g_array_index (w->lookups, Lookup, *slot);
  return lk->gen == (guint32) (b >> 32) ? lk : NULL;
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

/* Why a lookup failed: each reason has its summary row (failed_*). */
typedef enum
{
  END_DELIVERED,   /* not failed: ok or wrong, judged against the oracle */
  END_LOST,        /* a message was lost without maintenance to resend */
  END_RETRIES,     /* more than hop_retries hop timeouts */
  END_TIMEOUT,     /* lookup_timeout passed since it was issued */
  END_LOOP,        /* SIM_MAX_HOPS hops */
  END_HOLDER_DOWN, /* the node holding it died */
  END_STALLED,     /* still in flight when the run stopped */
} EndReason;

/* The one place a lookup ends: every lookup started passes here exactly
 * once (lookups_started == lookups_ended at the end of a run), and its row
 * goes to the metrics (lookups.csv, hops.csv, summary.csv). */
static void
finish (SimWorld *w, guint32 at, guint32 l, EndReason why)
{
  Lookup *rec = &g_array_index (w->lookups, Lookup, l);
  Lookup lk = *rec;
  rec->gen++;
  g_array_append_val (w->lookup_free, l);
  w->lookups_done++;
  w->inflight--;

  SimOutcome outcome = why == END_DELIVERED ? SIM_OUTCOME_OK
                                            : SIM_OUTCOME_FAILED;
  switch (why)
    {
    case END_LOST: w->fail_lost++; break;
    case END_RETRIES: w->fail_retries++; break;
    case END_TIMEOUT: w->fail_timeout++; break;
    case END_LOOP: w->fail_loop++; break;
    case END_HOLDER_DOWN: w->fail_holder_down++; break;
    case END_STALLED: w->fail_stalled++; break;
    case END_DELIVERED: default: break;
    }
  SimKey key = sim__world_key (&lk.p.key);
  PastryPeer root = sim_oracle_root (w->live, &key);
  guint k = w->lookup_cfg.replicas.k;
  if (outcome == SIM_OUTCOME_OK && at != root
      && !(k > 1 && sim_oracle_in_closest (w->live, &key, k, at)))
    {
      outcome = SIM_OUTCOME_WRONG;
      /* Misled by lost probe replies: this node declared the live root
       * dead (not yet refuted) or has already missed two probes of it --
       * the other loss-made cause of a wrong delivery. */
      if (root != PASTRY_PEER_NONE && sim__world_is_doubtful (w, at, root))
        w->wrong_doubted_root++;
    }
  SimTime now = sim__world_now (w);
  SimTime direct = root == PASTRY_PEER_NONE ? 0
                                            : sim__world_latency (w, lk.p.src,
                                                                  root);
  double ratio = -1.0;
  if (w->ideal != NULL && outcome == SIM_OUTCOME_OK)
    {
      SimTime ideal = sim__world_ideal_route (w, lk.p.src, &lk.p.key);
      if (ideal > 0)
        ratio = (double) (now - lk.p.issued) / (double) ideal;
    }
  sim_metrics_lookup (w->metrics, lk.due, lk.p.src, &key, lk.p.hops,
                      lk.p.detours, now - lk.p.issued, direct, ratio, outcome,
                      lk.phase);
}

static const PastryLookupConfig *
lookup_cfg (const SimWorld *w)
{
  return &w->lookup_cfg;
}

/* The detector of node x, or NULL when it keeps none. */
static const PastryFd *
fd_of (const SimWorld *w, guint32 x)
{
  const NodeMaint *mt = g_ptr_array_index (w->maint, x);
  return mt != NULL ? &mt->fd : NULL;
}

/* Bytes of lookup lk's current hop by the size model. */
static guint
hop_bytes (const SimWorld *w, const Lookup *lk)
{
  return pastry_msg_size (PASTRY_MSG_LOOKUP, pastry_lookup_n_ids (&lk->p),
                          w->msg_header_bytes, w->msg_id_bytes);
}

/* Access links: the uplink wait of lookup slot l's current hop. */
static SimTime *
hop_queued (SimWorld *w, guint32 l)
{
  if (l >= w->lookup_queued->len)
    g_array_set_size (w->lookup_queued, l + 1);
  return &g_array_index (w->lookup_queued, SimTime, l);
}

/* Lookup l's current hop (b: l packed) was lost in the network or dropped
 * at a full access-link buffer: without maintenance the lookup fails,
 * otherwise the sender's hop timeout fires (not before now). */
static void
hop_lost (SimWorld *w, guint32 l, guint64 b)
{
  Lookup *lk = &g_array_index (w->lookups, Lookup, l);
  guint32 at = lk->p.at, next = lk->p.to;
  if (!w->maintain)
    {
      finish (w, at, l, END_LOST);
      return;
    }
  sim_queue_push (w->q,
                  MAX (sim__world_now (w),
                       sim_time_add (lk->p.hop_sent,
                                     sim__world_hop_timeout (w, at, next))),
                  EV_HOP_TIMEOUT, at, b);
}

/* Sends lookup l's current hop (lk->at to lk->to, now): an arrival, or,
 * when the network loses it, the sender's hop timeout (without
 * maintenance nothing recovers a lost lookup: it fails). */
static void
send_hop (SimWorld *w, guint32 l)
{
  Lookup *lk = &g_array_index (w->lookups, Lookup, l);
  guint32 at = lk->p.at, next = lk->p.to;
  sim__world_count_msg (w, lk->p.hop_sent, PASTRY_MSG_LOOKUP,
                        pastry_lookup_n_ids (&lk->p), FALSE);
  SimTime left = lk->p.hop_sent;
  gboolean dropped = FALSE;
  if (w->links != NULL)
    left = sim__world_uplink (w, at, hop_bytes (w, lk), lk->p.hop_sent,
                              hop_queued (w, l), &dropped);
  gboolean lost = FALSE;
  SimTime d = sim_net_delay_sample (w->net, at, next,
                                    sim__world_net_rng (w, PASTRY_MSG_LOOKUP),
                                    &lost);
  guint64 b = pack (l, lk->gen);
  if (dropped)
    {
      hop_lost (w, l, b);
      return;
    }
  if (!lost)
    {
      if (w->links != NULL && !w->link_down)
        sim__world_queue_sample (w, lk->p.hop_sent, *hop_queued (w, l));
      sim_queue_push (w->q, sim_time_add (left, d),
                      w->link_down ? EV_LOOKUP_DOWNLINK : EV_LOOKUP, next, b);
      return;
    }
  if (w->links != NULL)
    sim__world_queue_sample (w, lk->p.hop_sent, *hop_queued (w, l));
  hop_lost (w, l, b);
}

/* The lookup is at live node `at`: deliver it or forward it. */
static void
process (SimWorld *w, guint32 at, guint32 l)
{
  Lookup *lk = &g_array_index (w->lookups, Lookup, l);
  switch (pastry_lookup_forward (&lk->p, sim__world_node (w, at),
                                 fd_of (w, at), lookup_cfg (w),
                                 sim__world_now (w)))
    {
    case PASTRY_LOOKUP_DELIVER:
      finish (w, at, l, END_DELIVERED);
      break;
    case PASTRY_LOOKUP_FAIL_TIMEOUT:
      finish (w, at, l, END_TIMEOUT);
      break;
    case PASTRY_LOOKUP_FAIL_LOOP:
      finish (w, at, l, END_LOOP);
      break;
    case PASTRY_LOOKUP_SEND:
      send_hop (w, l);
      break;
    case PASTRY_LOOKUP_HOLD:
      sim_queue_push (w->q,
                      sim_time_add (sim__world_now (w),
                                    PASTRY_LOOKUP_HOLD_TIME * SIM_TIME_US),
                      EV_LOOKUP_HOLD, at, pack (l, lk->gen));
      break;
    default:
      g_assert_not_reached ();
    }
}

void
sim__world_lookup_start (SimWorld *w, guint32 src, const SimKey *key,
                         SimTime due, guint phase)
{
  guint32 l = lookup_alloc (w);
  Lookup *lk = &g_array_index (w->lookups, Lookup, l);
  PastryId id = sim__world_id (key);
  pastry_lookup_init (&lk->p, &id, src, sim__world_now (w));
  lk->due = due;
  lk->phase = (guint16) phase;
  w->lookups_started++;
  w->inflight++;
  if (sim__world_state (w, src) != NODE_LIVE)
    finish (w, src, l, END_HOLDER_DOWN); /* it went down while joining */
  else
    process (w, src, l);
}

void
sim__world_lookup_arrive (SimWorld *w, guint32 at, guint64 b)
{
  guint32 l;
  Lookup *lk = unpack (w, b, &l);
  if (lk == NULL)
    return;
  SimTime now = sim__world_now (w);
  guint32 from = lk->p.at;
  if (sim__world_state (w, at) != NODE_LIVE)
    {
      /* Nobody acknowledges: the sender times out. */
      if (!w->maintain)
        {
          finish (w, from, l, END_LOST);
          return;
        }
      sim_queue_push (w->q,
                      MAX (now, sim_time_add (lk->p.hop_sent,
                                              sim__world_hop_timeout (w, from,
                                                                      at))),
                      EV_HOP_TIMEOUT, from, b);
      return;
    }
  if (w->maintain)
    {
      /* Peers the lookup reports unresponsive become suspects here too. */
      PastryPeer reported[PASTRY_LOOKUP_AVOID];
      guint n = pastry_lookup_reported (&lk->p, sim__world_node (w, at),
                                        reported);
      for (guint i = 0; i < n; i++)
        sim__world_suspect (w, at, reported[i]);
      /* The acknowledgement, resolved at once (file comment). */
      sim__world_count_msg (w, now, PASTRY_MSG_LOOKUP_ACK, 0, FALSE);
      SimTime left = now, up_q = 0;
      guint ack_bytes = pastry_msg_size (PASTRY_MSG_LOOKUP_ACK, 0,
                                         w->msg_header_bytes, w->msg_id_bytes);
      gboolean dropped = FALSE;
      if (w->links != NULL)
        left = sim__world_uplink (w, at, ack_bytes, now, &up_q, &dropped);
      gboolean lost = FALSE;
      SimTime back = sim_net_delay_sample (
          w->net, at, from, sim__world_net_rng (w, PASTRY_MSG_LOOKUP_ACK),
          &lost);
      if (w->links != NULL)
        {
          /* Its downlink charged now, ahead of its arrival (sim-pastry.c,
           * "Access links"); back then runs from now to its receipt. */
          SimTime down_q = 0, got = sim_time_add (left, back);
          if (!lost && !dropped && sim__world_state (w, from) != NODE_DOWN)
            got = sim__world_downlink (w, from, ack_bytes, got, &down_q,
                                       &dropped);
          if (!dropped)
            sim__world_queue_sample (w, now, up_q + down_q);
          back = got - now;
          lost = lost || dropped;
        }
      SimTime rtt = now - lk->p.hop_sent + back;
      if (!lost && rtt <= sim__world_hop_timeout (w, from, at))
        sim__world_rtt_sample (w, from, at, rtt);
      else if (sim__world_state (w, from) == NODE_LIVE)
        sim__world_suspect (w, from, at);
    }
  process (w, at, l);
}

void
sim__world_lookup_downlink (SimWorld *w, guint32 at, guint64 b)
{
  guint32 l;
  Lookup *lk = unpack (w, b, &l);
  if (lk == NULL)
    return;
  SimTime now = sim__world_now (w);
  SimTime queued = 0, done = now;
  gboolean dropped = FALSE;
  if (sim__world_state (w, at) != NODE_DOWN)
    done = sim__world_downlink (w, at, hop_bytes (w, lk), now, &queued,
                                &dropped);
  if (dropped)
    {
      hop_lost (w, l, b);
      return;
    }
  sim__world_queue_sample (w, lk->p.hop_sent, *hop_queued (w, l) + queued);
  if (done > now)
    sim_queue_push (w->q, done, EV_LOOKUP, at, b);
  else
    sim__world_lookup_arrive (w, at, b);
}

void
sim__world_lookup_timeout (SimWorld *w, guint32 at, guint64 b)
{
  guint32 l;
  Lookup *lk = unpack (w, b, &l);
  if (lk == NULL)
    return;
  if (sim__world_state (w, at) != NODE_LIVE)
    {
      finish (w, at, l, END_HOLDER_DOWN); /* the sender died too */
      return;
    }
  PastryPeer gone = PASTRY_PEER_NONE;
  gboolean final_resent = FALSE;
  PastryLookupStep step = pastry_lookup_hop_timeout (
      &lk->p, fd_of (w, at), lookup_cfg (w), sim__world_now (w), &gone,
      &final_resent);
  if (step == PASTRY_LOOKUP_SEND)
    {
      send_hop (w, l); /* the final hop again */
      return;
    }
  if (final_resent && sim__world_state (w, gone) == NODE_LIVE)
    w->unreachable_live_roots++; /* every send of the final hop was lost */
  sim__world_suspect (w, at, gone);
  switch (step)
    {
    case PASTRY_LOOKUP_FAIL_RETRIES:
      finish (w, at, l, END_RETRIES);
      break;
    case PASTRY_LOOKUP_FAIL_TIMEOUT:
      finish (w, at, l, END_TIMEOUT);
      break;
    case PASTRY_LOOKUP_REROUTE:
      process (w, at, l);
      break;
    default:
      g_assert_not_reached ();
    }
}

void
sim__world_lookup_held (SimWorld *w, guint32 at, guint64 b)
{
  guint32 l;
  Lookup *lk = unpack (w, b, &l);
  if (lk == NULL)
    return;
  if (sim__world_state (w, at) != NODE_LIVE)
    {
      finish (w, at, l, END_HOLDER_DOWN);
      return;
    }
  process (w, at, l);
}

void
sim__world_lookups_abandon (SimWorld *w)
{
  if (w->inflight == 0 || w->lookups->len == 0)
    return;
  /* Free slots are those in the free list; the rest are in flight.  In
   * slot order, so the rows come out the same on every run. */
  g_autofree guint8 *free_slot = g_new0 (guint8, w->lookups->len);
  for (guint i = 0; i < w->lookup_free->len; i++)
    free_slot[g_array_index (w->lookup_free, guint32, i)] = 1;
  guint n = w->lookups->len;
  SimTime now = sim__world_now (w);
  for (guint32 l = 0; l < n; l++)
    if (!free_slot[l])
      {
        /* Past its deadline (always, after the stall detector's wait) its
         * requester gave up: a timeout.  Otherwise it was cut short. */
        const Lookup *lk = &g_array_index (w->lookups, Lookup, l);
        finish (w, lk->p.at, l,
                now - lk->p.issued >= w->lookup_timeout ? END_TIMEOUT
                                                        : END_STALLED);
      }
}
