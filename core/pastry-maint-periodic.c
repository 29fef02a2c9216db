/* pastry-maint-periodic.c — the PERIODIC maintenance strategy
 * (pastry-maint.h, PastryMaintStrategy): Bamboo's recovery at fixed
 * periods (Rhea, Geels, Roscoe, Kubiatowicz, "Handling Churn in a DHT",
 * USENIX 2004), nothing reactive.
 *
 * Invariant: the traffic a node sends does not depend on how many
 * failures it detects.  A verdict (probes exhausted), a LEAVE or a death
 * notice only removes the peer from the node's state; the holes it leaves
 * are filled by the next periodic recovery: every heartbeat_period the
 * node asks one random leaf-set member for its leaf set (Bamboo's leaf-set
 * push-pull with a random neighbour, as a pull), and every probe_period
 * the probe round (shared with MSPastry, pastry-maint.c) exchanges leaf
 * sets with the nearest members and asks a random entry of each row for
 * its row (Bamboo's routing-table "local tuning").  Detection (heartbeats,
 * probes of every table entry and leaf) is shared with MSPastry: under a
 * limited access link it is the part of the traffic that stays bounded,
 * which is the point of the strategy.
 *
 * Cost: one LEAFSET_REQUEST per heartbeat_period (one draw); a removal is
 * pastry_node_remove_peer (the leaf set refills from known peers).
 *
 * Alternative rejected: recovering at a verdict but rate-limited (a token
 * bucket).  It is a fourth strategy, not Bamboo's, and it needs a clock of
 * its own in the node state.
 */
#include "pastry-maint-private.h"

void
pastry__maint_periodic_recover_leafset (PastryMaint *mt, PastryNode *node,
                                        const PastryEnv *env)
{
  PastryPeer leaf[256];
  guint n = pastry_node_export_leafset (node, leaf);
  if (n == 0)
    return;
  PastryPeer p = leaf[env->rnd.below (env->rnd.data, n)];
  if (pastry__maint_is_suspect (mt, env, p))
    return; /* its probes will tell; the next period asks another */
  pastry_outbox_send (env->out, p, PASTRY_MSG_LEAFSET_REQUEST,
                      pastry_node_self (node));
}

void
pastry__maint_periodic_forget (PastryNode *node, PastryPeer p)
{
  pastry_node_remove_peer (node, p);
}
