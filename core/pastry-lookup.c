/* pastry-lookup.c — lookup forwarding with per-hop acknowledgements, as a
 * state machine (pastry-lookup.h).
 *
 * Invariant: n_avoid <= PASTRY_LOOKUP_AVOID, each avoided peer at most
 * once, bit i of avoid_hard meaningful for i < n_avoid only.
 *
 * Cost: a forward is pastry_forward_next_hop()'s; the avoid checks scan the
 * message's few avoided peers and the node's failure detector.
 */
#include "pastry-lookup.h"
#include "pastry-forward.h"

#include <string.h>

void
pastry_lookup_init (PastryLookup *lk, const PastryId *key, PastryPeer src,
                    PastryTime now)
{
  g_return_if_fail (lk != NULL && key != NULL);
  lk->key = *key;
  lk->issued = now;
  lk->hop_sent = now;
  lk->src = src;
  lk->at = src;
  lk->to = PASTRY_PEER_NONE;
  lk->hops = 0;
  lk->retries = 0;
  lk->detours = 0;
  lk->n_avoid = 0;
  lk->resent = 0;
  lk->leaf_hop = 0;
  lk->avoid_hard = 0;
}

/* The avoid rule: peers the message reports unresponsive are skipped for
 * intermediate hops; for the final hop (skipping a live root delivers
 * elsewhere, and one lost message or acknowledgement is enough to make a
 * node suspect a live peer) only those it failed to reach after resends.
 * Otherwise the node's detector decides: suspects are skipped for
 * intermediate hops, doubtful peers (declared dead, or two probes missed)
 * for the final hop. */
typedef struct
{
  const PastryLookup *lk;
  const PastryFd *fd;
  PastryTime now;
} AvoidCtx;

static gboolean
avoided (PastryPeer p, gboolean final_hop, gpointer data)
{
  const AvoidCtx *c = data;
  const PastryLookup *lk = c->lk;
  for (guint i = 0; i < lk->n_avoid; i++)
    if (lk->avoid[i] == p)
      return !final_hop || (lk->avoid_hard & (1u << i));
  if (c->fd == NULL)
    return FALSE;
  return final_hop ? pastry_fd_is_doubtful (c->fd, p, c->now)
                   : pastry_fd_is_suspect (c->fd, p, c->now);
}

static void
add_avoid (PastryLookup *lk, PastryPeer p, gboolean hard)
{
  for (guint i = 0; i < lk->n_avoid; i++)
    if (lk->avoid[i] == p)
      {
        if (hard)
          lk->avoid_hard |= (guint8) (1u << i);
        return;
      }
  if (lk->n_avoid == PASTRY_LOOKUP_AVOID)
    {
      memmove (lk->avoid, lk->avoid + 1,
               (PASTRY_LOOKUP_AVOID - 1) * sizeof (PastryPeer));
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

PastryLookupStep
pastry_lookup_forward (PastryLookup *lk, const PastryNode *node,
                       const PastryFd *fd, const PastryLookupConfig *cfg,
                       PastryTime now)
{
  g_return_val_if_fail (lk != NULL && node != NULL && cfg != NULL,
                        PASTRY_LOOKUP_FAIL_LOOP);
  /* Its requester has given up by now, however it got here. */
  if (now - lk->issued >= cfg->lookup_timeout)
    return PASTRY_LOOKUP_FAIL_TIMEOUT;
  PastryPeer self = pastry_node_self (node);
  AvoidCtx c = { lk, fd, now };
  gboolean final_hop;
  PastryPeer next = pastry_forward_next_hop_replicas (
      node, &lk->key, &cfg->replicas, cfg->avoid ? avoided : NULL, &c,
      &final_hop);
  if (next == self)
    {
      /* Held rather than sent to the nearest live leaf on the other side:
       * that node would route it straight back here. */
      if (cfg->consistent
          && !pastry_forward_may_deliver (node, &lk->key,
                                          cfg->avoid ? avoided : NULL, &c))
        return PASTRY_LOOKUP_HOLD;
      return PASTRY_LOOKUP_DELIVER;
    }
  if (lk->hops + 1u >= PASTRY_LOOKUP_MAX_HOPS)
    return PASTRY_LOOKUP_FAIL_LOOP;
  lk->hops++;
  lk->at = self;
  if (lk->to != next)
    lk->resent = 0;
  lk->to = next;
  lk->leaf_hop = (guint8) final_hop;
  lk->hop_sent = now;
  return PASTRY_LOOKUP_SEND;
}

guint
pastry_lookup_reported (const PastryLookup *lk, const PastryNode *node,
                        PastryPeer *out)
{
  g_return_val_if_fail (lk != NULL && node != NULL && out != NULL, 0);
  guint n = 0;
  for (guint i = 0; i < lk->n_avoid; i++)
    if ((lk->avoid_hard & (1u << i))
        && pastry_node_where (node, lk->avoid[i]) != 0)
      out[n++] = lk->avoid[i];
  return n;
}

PastryLookupStep
pastry_lookup_hop_timeout (PastryLookup *lk, const PastryFd *fd,
                           const PastryLookupConfig *cfg, PastryTime now,
                           PastryPeer *given_up, gboolean *was_final_resent)
{
  g_return_val_if_fail (lk != NULL && cfg != NULL && given_up != NULL
                            && was_final_resent != NULL,
                        PASTRY_LOOKUP_FAIL_RETRIES);
  lk->hops--; /* the failed hop does not count */
  lk->retries++;
  /* A peer the node already suspects (it is probing it) gets one resend:
   * while a dead peer is being probed, every lookup towards it would pay
   * for them again. */
  gboolean suspected = fd != NULL && pastry_fd_is_suspect (fd, lk->to, now);
  if (lk->leaf_hop && lk->resent < (suspected ? 1 : PASTRY_LOOKUP_LEAF_RESENDS)
      && lk->retries <= cfg->hop_retries
      && now - lk->issued < cfg->lookup_timeout)
    {
      lk->resent++;
      lk->hops++;
      lk->hop_sent = now;
      return PASTRY_LOOKUP_SEND;
    }
  *given_up = lk->to;
  lk->detours++;
  *was_final_resent = lk->leaf_hop && lk->resent > 0;
  /* Remembered in the message, so later hops avoid it too; a peer that
   * also failed a resend is likely dead, and later hops start suspecting
   * it themselves. */
  add_avoid (lk, lk->to, *was_final_resent);
  if (lk->retries > cfg->hop_retries)
    return PASTRY_LOOKUP_FAIL_RETRIES;
  if (now - lk->issued >= cfg->lookup_timeout)
    return PASTRY_LOOKUP_FAIL_TIMEOUT;
  return PASTRY_LOOKUP_REROUTE;
}
