/* sim-oracle.h — the live-id oracle: the set of live nodes by id, for
 * judging lookups (the true root of a key: the live id numerically
 * closest to it, ties to the smaller id, sim-key.h; the k closest), for
 * sampling live nodes uniformly and for walking the live ring.
 *
 * Driver layer, protocol-neutral: nodes are driver indices, ids are the
 * opaque 128-bit SimKeys the driver keeps per node (handed to it when a
 * node is created, sim_driver_node_add()).  The driver adds a node when
 * it becomes live and removes it when it goes down; a protocol reads it
 * through sim_driver_oracle() (const).
 */
#pragma once

#include "sim-key.h"

G_BEGIN_DECLS

/* "No node": an empty oracle's root. */
#define SIM_NODE_NONE G_MAXUINT32

typedef struct _SimOracle SimOracle;

/* Creates an empty oracle over ids (SimKey by node index; borrowed: the
 * array must outlive the oracle and a node's id must not change while it
 * is in the oracle; the array may grow). */
SimOracle *sim_oracle_new (const GArray *ids);
void sim_oracle_free (SimOracle *o);

/* Adds a live node (its id must not be live already).  Amortised O(1). */
void sim_oracle_add (SimOracle *o, guint32 node);

/* Removes a live node.  Returns FALSE if it was not live.  O(1)
 * expected. */
gboolean sim_oracle_remove (SimOracle *o, guint32 node);

/* Number of live nodes. */
guint sim_oracle_size (const SimOracle *o);

/* The live node whose id is numerically closest to key (ties: the smaller
 * id), or SIM_NODE_NONE when none is live.  O(1) expected. */
guint32 sim_oracle_root (const SimOracle *o, const SimKey *key);

/* TRUE when a live node has exactly this id.  O(1) expected. */
gboolean sim_oracle_has_id (const SimOracle *o, const SimKey *id);

/* The i-th live node in an arbitrary but deterministic order (0 <= i <
 * size; the order of additions, a removal moving the last into its
 * place): used to draw uniformly random live nodes.  O(1). */
guint32 sim_oracle_nth (const SimOracle *o, guint i);

/* TRUE when node is among the k live nodes numerically closest to key
 * (ties to the smaller id, as sim_oracle_root).  O(k). */
gboolean sim_oracle_in_closest (const SimOracle *o, const SimKey *key, guint k,
                                guint32 node);

/* Writes the k live nodes nearest to live node's id on each side
 * (clockwise into right, counter-clockwise into left), nearest first.
 * Returns how many were written per side (fewer when few are live; a node
 * can appear on both sides then, as in a leaf set). */
guint sim_oracle_neighbours (const SimOracle *o, guint32 node, guint k,
                             guint32 *left, guint32 *right);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimOracle, sim_oracle_free)

G_END_DECLS
