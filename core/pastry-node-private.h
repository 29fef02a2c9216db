/* pastry-node-private.h — reference implementations of pastry-node's fast
 * paths, for the core's tests: each must leave a node in exactly the
 * state its fast counterpart does (test-node's oracle tests compare the
 * two on random inputs). */
#pragma once

#include "pastry-node.h"

G_BEGIN_DECLS

/* pastry_node_remove_peer with the reference leaf-set refill: every
 * known peer offered to both sides, O(K * L). */
guint pastry__node_remove_peer_reference (PastryNode *node, PastryPeer peer);

G_END_DECLS
