/* sim-world-lookup.c — lookups: hop-by-hop forwarding, per-hop
 * acknowledgements, timeouts and retries, and their outcome against the
 * oracle.
 *
 * A lookup is one pooled record that travels with the message; an event
 * carries its slot and generation, so an event for a record that was
 * finished and reused is recognised and dropped.
 *
 * Acknowledgements cost no event when they arrive in time: when a lookup
 * reaches a live node, the acknowledgement's delay (and loss) is drawn at
 * once; only a missing or late acknowledgement schedules a timeout at the
 * sender.  A node that receives the lookup always carries on with it, so a
 * late acknowledgement makes the sender suspect (and probe) a live node but
 * never duplicates the lookup — a simplification of real duplicate
 * suppression.  When the next hop is down or the message was lost, the
 * sender's timeout fires after its hop timeout; it then suspects that hop,
 * and forwards again through the best candidate of route() it does not
 * suspect.  After hop_retries timeouts, or once lookup_timeout has passed
 * since the lookup was issued (checked whenever it is at a node, so slow
 * links cannot stretch it either), the lookup ends as `failed`.  Lookups
 * still in flight when a run stops (a stall) end as failed too
 * (sim__world_lookups_abandon): every lookup started ends in the results.
 *
 * Without maintenance (stable scenarios) a lost message ends its lookup as
 * `failed` at once.
 */
#include "sim-world-private.h"
#include "pastry-forward.h"

#include <string.h>

/* Sends of the final leaf-set hop after the first, before the lookup
 * routes around its target: with 1 % loss, three losses in a row happen
 * once in a million hops (counted in unreachable_live_roots).  A third
 * resend costs more than it saves: every node that still believes a dead
 * root alive pays one more timeout for it. */
#define LEAF_RESENDS 2

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
  PastryPeer root = sim_ring_root (w->live, &lk.key);
  if (outcome == SIM_OUTCOME_OK && at != root)
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
                                            : sim__world_latency (w, lk.src,
                                                                  root);
  double ratio = -1.0;
  if (w->ideal != NULL && outcome == SIM_OUTCOME_OK)
    {
      SimTime ideal = sim__world_ideal_route (w, lk.src, &lk.key);
      if (ideal > 0)
        ratio = (double) (now - lk.issued) / (double) ideal;
    }
  SimKey key = { lk.key.hi, lk.key.lo };
  sim_metrics_lookup (w->metrics, lk.issued, lk.src, &key, lk.hops,
                      now - lk.issued, direct, ratio, outcome, lk.phase);
}

/* TRUE when node at should not forward to p.  Suspects, and peers the
 * lookup reports after missed acknowledgements, are avoided for
 * routing-table hops (any node making progress will do).  The final
 * leaf-set hop is different: skipping a live root delivers elsewhere, and
 * one lost message or acknowledgement is enough to make a node suspect a
 * live peer.  There only the peers this lookup failed to reach after its
 * resends, and those the node has declared dead or already failed to probe
 * once, are avoided. */
static gboolean
avoided (SimWorld *w, guint32 at, const Lookup *lk, guint32 p, gboolean leaf)
{
  for (guint i = 0; i < lk->n_avoid; i++)
    if (lk->avoid[i] == p)
      return !leaf || (lk->avoid_hard & (1u << i));
  return leaf ? sim__world_is_doubtful (w, at, p)
              : sim__world_is_suspect (w, at, p);
}

static void
add_avoid (Lookup *lk, guint32 p, gboolean hard)
{
  for (guint i = 0; i < lk->n_avoid; i++)
    if (lk->avoid[i] == p)
      {
        if (hard)
          lk->avoid_hard |= (guint8) (1u << i);
        return;
      }
  if (lk->n_avoid == LOOKUP_AVOID)
    {
      memmove (lk->avoid, lk->avoid + 1,
               (LOOKUP_AVOID - 1) * sizeof (guint32));
      lk->avoid_hard >>= 1;
      lk->n_avoid--;
    }
  lk->avoid[lk->n_avoid] = p;
  if (hard)
    lk->avoid_hard |= (guint8) (1u << lk->n_avoid);
  else
    lk->avoid_hard &= (guint8) ~(1u << lk->n_avoid);
  lk->n_avoid++;
}

/* The peers node `at` avoids for lookup lk (pastry_forward_next_hop). */
typedef struct
{
  SimWorld *w;
  guint32 at;
  const Lookup *lk;
} AvoidCtx;

static gboolean
avoid_cb (PastryPeer p, gboolean final_hop, gpointer data)
{
  const AvoidCtx *c = data;
  return avoided (c->w, c->at, c->lk, p, final_hop);
}

/* The next hop from node at: the paper's choice, or, when that is a peer
 * the node suspects or the lookup reports unresponsive, the best other
 * (core's forwarding rule, pastry-forward.h). */
static PastryPeer
choose_next (SimWorld *w, guint32 at, const Lookup *lk, gboolean *leaf)
{
  AvoidCtx c = { w, at, lk };
  return pastry_forward_next_hop (sim__world_node (w, at), &lk->key,
                                  w->maintain ? avoid_cb : NULL, &c, leaf);
}

/* The lookup is at live node `at`: deliver it or forward it. */
static void
process (SimWorld *w, guint32 at, guint32 l)
{
  Lookup *lk = &g_array_index (w->lookups, Lookup, l);
  /* Its requester has given up by now, however the lookup got here (slow
   * links, late acknowledgements): it counts as failed, not delivered. */
  if (sim__world_now (w) - lk->issued >= w->lookup_timeout)
    {
      finish (w, at, l, END_TIMEOUT);
      return;
    }
  gboolean leaf;
  PastryPeer next = choose_next (w, at, lk, &leaf);
  if (next == at)
    {
      finish (w, at, l, END_DELIVERED);
      return;
    }
  if (lk->hops + 1u >= SIM_MAX_HOPS)
    {
      finish (w, at, l, END_LOOP); /* a routing loop */
      return;
    }
  lk->hops++;
  lk->at = at;
  if (lk->to != next)
    lk->resent = 0;
  lk->to = next;
  lk->leaf_hop = (guint8) leaf;
  lk->hop_sent = sim__world_now (w);
  sim__world_count_msg (w, lk->hop_sent, PASTRY_MSG_LOOKUP,
                       1 + lk->n_avoid, FALSE);
  gboolean lost = FALSE;
  SimTime d = sim_net_delay_sample (w->net, at, next, &w->rng_network, &lost);
  guint64 b = pack (l, lk->gen);
  if (!lost)
    {
      sim_queue_push (w->q, sim_time_add (lk->hop_sent, d), EV_LOOKUP, next,
                      b);
      return;
    }
  if (!w->maintain)
    {
      finish (w, at, l, END_LOST);
      return;
    }
  sim_queue_push (w->q,
                  sim_time_add (lk->hop_sent,
                                sim__world_hop_timeout (w, at, next)),
                  EV_HOP_TIMEOUT, at, b);
}

void
sim__world_lookup_start (SimWorld *w, const SimAction *a, ActionGen *g,
                         guint32 src)
{
  guint n = sim_ring_size (w->live);
  if (n == 0)
    return;
  guint32 l = lookup_alloc (w);
  Lookup *lk = &g_array_index (w->lookups, Lookup, l);
  if (src == PASTRY_PEER_NONE)
    src = sim_ring_nth (w->live,
                        (guint) sim_rng_uniform_u64 (&w->rng_workload, n));
  lk->src = src;
  switch (a->keys)
    {
    case SIM_KEYS_NODE:
      lk->key = *pastry_directory_id (
          w->dir, sim_ring_nth (w->live, (guint) sim_rng_uniform_u64
                                           (&w->rng_workload, n)));
      break;
    case SIM_KEYS_RANDOM:
      lk->key.hi = sim_rng_next_u64 (&w->rng_workload);
      lk->key.lo = sim_rng_next_u64 (&w->rng_workload);
      break;
    case SIM_KEYS_ZIPF:
      {
        /* Key k of the fixed population is a pseudo-random id derived
         * from (seed, k) alone, so the population never changes. */
        guint64 rank = sim_zipf_sample (&g->zipf, &w->rng_workload);
        SimRng kr;
        sim_rng_init (&kr, sim_scenario_get_uint (w->sc, "seed"),
                      SIM_RNG_PURPOSE_WORKLOAD, rank + 1);
        lk->key.hi = sim_rng_next_u64 (&kr);
        lk->key.lo = sim_rng_next_u64 (&kr);
        break;
      }
    default:
      g_assert_not_reached ();
    }
  lk->issued = sim__world_now (w);
  lk->phase = (guint16) g->phase;
  lk->hops = 0;
  lk->retries = 0;
  lk->n_avoid = 0;
  lk->avoid_hard = 0;
  lk->resent = 0;
  lk->to = PASTRY_PEER_NONE;
  lk->at = src;
  w->lookups_started++;
  w->inflight++;
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
  if (sim__world_state (w, at) != NODE_LIVE)
    {
      /* Nobody acknowledges: the sender times out. */
      if (!w->maintain)
        {
          finish (w, lk->at, l, END_LOST);
          return;
        }
      sim_queue_push (w->q,
                      sim_time_add (lk->hop_sent,
                                    sim__world_hop_timeout (w, lk->at, at)),
                      EV_HOP_TIMEOUT, lk->at, b);
      return;
    }
  if (w->maintain)
    {
      /* Nodes the lookup reports unresponsive become suspects here too. */
      for (guint i = 0; i < lk->n_avoid; i++)
        if ((lk->avoid_hard & (1u << i))
            && pastry_node_where (sim__world_node (w, at), lk->avoid[i]) != 0)
          sim__world_suspect (w, at, lk->avoid[i]);
      sim__world_count_msg (w, now, PASTRY_MSG_LOOKUP_ACK, 0, FALSE);
      gboolean lost = FALSE;
      SimTime back = sim_net_delay_sample (w->net, at, lk->at,
                                           &w->rng_network, &lost);
      SimTime rtt = now - lk->hop_sent + back;
      if (!lost && rtt <= sim__world_hop_timeout (w, lk->at, at))
        sim__world_rtt_sample (w, lk->at, at, rtt);
      else if (sim__world_state (w, lk->at) == NODE_LIVE)
        sim__world_suspect (w, lk->at, at);
    }
  process (w, at, l);
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
  lk->hops--; /* the failed hop does not count */
  lk->retries++;
  /* A peer the node already suspects (it is probing it) gets one resend,
   * not LEAF_RESENDS: while a dead peer is being probed, every lookup
   * towards it pays for them again. */
  gboolean suspected = sim__world_is_suspect (w, at, lk->to);
  if (lk->leaf_hop && lk->resent < (suspected ? 1 : LEAF_RESENDS)
      && lk->retries <= w->hop_retries
      && sim__world_now (w) - lk->issued < w->lookup_timeout)
    {
      /* The hop goes to the node believed to be the root: routing around
       * it would deliver elsewhere, and the message may just have been
       * lost, so send it again first.  (A hop through the routing table is
       * rerouted at once: any node making progress will do.) */
      lk->resent++;
      lk->hops++;
      lk->hop_sent = sim__world_now (w);
      sim__world_count_msg (w, lk->hop_sent, PASTRY_MSG_LOOKUP,
                           1 + lk->n_avoid, FALSE);
      gboolean lost = FALSE;
      SimTime d = sim_net_delay_sample (w->net, at, lk->to, &w->rng_network,
                                        &lost);
      if (!lost)
        sim_queue_push (w->q, sim_time_add (lk->hop_sent, d), EV_LOOKUP,
                        lk->to, b);
      else
        sim_queue_push (w->q,
                        sim_time_add (lk->hop_sent,
                                      sim__world_hop_timeout (w, at, lk->to)),
                        EV_HOP_TIMEOUT, at, b);
      return;
    }
  if (lk->leaf_hop && lk->resent > 0
      && sim__world_state (w, lk->to) == NODE_LIVE)
    w->unreachable_live_roots++; /* every send of the final hop was lost */
  sim__world_suspect (w, at, lk->to);
  /* Remember it in the message, so later hops avoid it too; a node that
   * also failed a resend is likely dead, and later hops start suspecting
   * it themselves. */
  add_avoid (lk, lk->to, lk->leaf_hop && lk->resent > 0);
  if (lk->retries > w->hop_retries
      || sim__world_now (w) - lk->issued >= w->lookup_timeout)
    {
      finish (w, at, l,
              lk->retries > w->hop_retries ? END_RETRIES : END_TIMEOUT);
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
        finish (w, lk->at, l,
                now - lk->issued >= w->lookup_timeout ? END_TIMEOUT
                                                      : END_STALLED);
      }
}
