/* pastry-forward.h — a node's forwarding decision when some peers must be
 * avoided: the paper's routing rule, applied without the peers the node's
 * failure detector or the message's own history rule out.
 */
#pragma once

#include "pastry-node.h"

G_BEGIN_DECLS

/* Asked about a candidate next hop: TRUE to skip peer.  final_hop is TRUE
 * when the candidate would be the key's root (a leaf-set hop): callers are
 * usually stricter there, because skipping a live root delivers the
 * message elsewhere. */
typedef gboolean (*PastryAvoidFunc) (PastryPeer peer, gboolean final_hop,
                                     gpointer data);

/* The proximity from node `from` to peer `to` as the caller measures it
 * (µs; smaller is nearer). */
typedef guint32 (*PastryProxFunc) (PastryPeer from, PastryPeer to,
                                   gpointer data);

/* Replica delivery (PAST's rule, the paper's failure experiment): with
 * replicas k > 1 a message for key may end at any of the k nodes
 * numerically closest to it.  Once the key is within leaf-set range, the
 * node takes the k closest of its leaf set and itself (none avoided as a
 * final hop): it delivers if it is one of them, else it sends to the
 * nearest of them by proximity.  k = 1 is the paper's routing. */
typedef struct
{
  guint k;             /* replicas, 1 .. L/2 + 1 */
  PastryProxFunc prox; /* needed when k > 1 */
  gpointer prox_data;
} PastryReplicas;

/* The next hop for key at node.
 * @avoid: (nullable): which peers to skip; NULL skips none, and the answer
 *   is pastry_node_next_hop()'s.
 * @final_hop: (out): TRUE when the hop goes to the believed root.
 * The rule: the paper's choice, unless avoided.  Then, within leaf-set
 * range, the numerically closest of the leaf set and this node among those
 * not avoided as final hops (route()'s prefix ranking would skip a closer
 * node with a shorter prefix); otherwise the best of route()'s first 16
 * candidates not avoided.  If every candidate is avoided, the paper's
 * choice once more as a final hop (resent before it is given up) unless it
 * is avoided even as such; else this node.
 * Returns the next hop, or pastry_node_self() to deliver here.
 * Cost: O(L) plus route()'s O(K log K) when the paper's choice is avoided
 * outside leaf-set range. */
PastryPeer pastry_forward_next_hop (const PastryNode *node, const PastryId *key,
                                    PastryAvoidFunc avoid, gpointer data,
                                    gboolean *final_hop);

/* As pastry_forward_next_hop(), with replica delivery (rep may be NULL or
 * its k 1: the same answer). */
PastryPeer pastry_forward_next_hop_replicas (
    const PastryNode *node, const PastryId *key, const PastryReplicas *rep,
    PastryAvoidFunc avoid, gpointer data, gboolean *final_hop);

/* Consistent routing (MSPastry's rule for a node's own deliveries): may
 * node deliver key as its root, having found itself the closest of its
 * leaf set and itself (peers avoided as final hops left out)?  Only when
 * its leaf set bounds the key: a member on the key's side, not avoided as
 * a final hop, at least as far from the node as the key; or the node
 * knows the whole ring (its sides overlap, or it knows no peer at all).
 * After a correlated failure the dead members are removed (or avoided),
 * the side shrinks, and pastry_node_next_hop() takes the node for one
 * that knows the whole ring; until repair refills the side, a key beyond
 * its last live member may have a live root the node does not know.
 * Returns TRUE when the key is this node's id.  Cost: O(L^2) for the
 * overlap test (L <= 2 * 128 in practice 16 or 32), O(L) otherwise. */
gboolean pastry_forward_may_deliver (const PastryNode *node,
                                     const PastryId *key, PastryAvoidFunc avoid,
                                     gpointer data);

G_END_DECLS
