/* sim-ring.h — the global oracle: the set of live node ids, for finding the
 * true root of a key (the live id numerically closest to it, ties to the
 * smaller id, as in core/pastry-id.h) and for sampling live nodes.
 *
 * Pastry adapter layer: it reads ids from the overlay's PastryDirectory;
 * the driver reaches it through the protocol table (live_count, live_nth,
 * live_neighbours).
 */
#pragma once

#include "pastry-directory.h"

G_BEGIN_DECLS

typedef struct _SimRing SimRing;

/* Creates an empty ring over dir (borrowed; must outlive the ring). */
SimRing *sim_ring_new (const PastryDirectory *dir);
void sim_ring_free (SimRing *ring);

/* Adds a live node (its id must not be live already).  Amortised O(1). */
void sim_ring_add (SimRing *ring, PastryPeer node);

/* Removes a live node.  Returns FALSE if it was not live.  O(1) expected. */
gboolean sim_ring_remove (SimRing *ring, PastryPeer node);

/* Number of live nodes. */
guint sim_ring_size (const SimRing *ring);

/* The live node whose id is numerically closest to key (ties: the smaller
 * id), or PASTRY_PEER_NONE when the ring is empty.  O(1) expected. */
PastryPeer sim_ring_root (const SimRing *ring, const PastryId *key);

/* The i-th live node in an arbitrary but deterministic order (0 <= i <
 * size): used to draw uniformly random live nodes.  O(1). */
PastryPeer sim_ring_nth (const SimRing *ring, guint i);

/* TRUE when node is among the k live nodes numerically closest to key
 * (ties to the smaller id, as sim_ring_root).  O(k). */
gboolean sim_ring_in_closest (const SimRing *ring, const PastryId *key,
                              guint k, PastryPeer node);

/* Writes the k live nodes nearest to node's id on each side (clockwise into
 * right, counter-clockwise into left), nearest first.  Returns how many were
 * written per side (fewer when the ring is small; a node can appear on both
 * sides then, as in the leaf set). */
guint sim_ring_neighbours (const SimRing *ring, PastryPeer node, guint k,
                           PastryPeer *left, PastryPeer *right);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimRing, sim_ring_free)

G_END_DECLS
