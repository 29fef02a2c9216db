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

G_END_DECLS
