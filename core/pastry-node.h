/* pastry-node.h — one Pastry node's routing state (Rowstron & Druschel 2001).
 *
 * A PastryNode is a pure state machine: it has no clock, no network, no
 * random numbers and no I/O.  It holds three structures over peers named by
 * PastryPeer handles into a caller-owned PastryDirectory:
 *
 *  - the routing table: ceil(128/b) rows of 2^b columns; row l holds peers
 *    that share exactly l digits with this node and whose digit l is the
 *    column.  Rows are allocated lazily, only up to the deepest row used.
 *    A slot offered a second candidate keeps the one with the smaller
 *    proximity (proximity neighbour selection); equal proximity keeps the
 *    incumbent.
 *  - the leaf set: up to L/2 peers closest clockwise (numerically larger,
 *    wrapping at 2^128) and up to L/2 closest counter-clockwise.  The two
 *    sides are computed independently over all known peers, so when fewer
 *    than L peers are known a peer may sit on both sides.  Any overlap of
 *    the sides (or a side with fewer than L/2 entries) means this node knows
 *    the whole ring, and every key is "within leaf-set range".
 *  - the neighbourhood set: up to M peers with the smallest proximity.
 *
 * Proximity is a caller-defined guint32 (the simulator uses microseconds of
 * one-way latency); PASTRY_PROX_UNKNOWN sorts after every measured value.
 *
 * Distance ties (two peers equally far from a key, one on each side) are
 * broken in favour of the numerically smaller id, everywhere.
 */
#pragma once

#include "pastry-directory.h"

G_BEGIN_DECLS

#define PASTRY_PROX_UNKNOWN G_MAXUINT32

/* Proximity as a node state stores it (16 bits: exact below 4096, else
 * within 1/2048); two values with the same stored value tie. */
guint32 pastry_prox_stored (guint32 prox);

#define PASTRY_CONFIG_ERROR (pastry_config_error_quark ())

typedef enum
{
  PASTRY_CONFIG_ERROR_RANGE,
} PastryConfigError;

/* Parameters shared by every node of an overlay. */
typedef struct
{
  guint b;          /* bits per digit, 1..8 (default 4) */
  guint leaf_size;  /* L: even, 2..256 (default 16) */
  guint neigh_size; /* M: 0..1024 (default 32) */
} PastryConfig;

#define PASTRY_CONFIG_DEFAULT { 4, 16, 32 }

/* A routing-table or neighbourhood entry. */
typedef struct
{
  PastryPeer peer;
  guint32 prox;
} PastryEntry;

/* Where a peer is held: bits of the mask returned by insert and remove. */
typedef enum
{
  PASTRY_IN_TABLE = 1 << 0,
  PASTRY_IN_LEAFSET = 1 << 1,
  PASTRY_IN_NEIGHBOURS = 1 << 2,
} PastryWhere;

/* Which rule of the routing procedure chose a next hop. */
typedef enum
{
  PASTRY_HOP_LOCAL,   /* this node is the root: deliver here */
  PASTRY_HOP_LEAFSET, /* (1) key within leaf-set range */
  PASTRY_HOP_TABLE,   /* (2) routing table entry R[l][D_l] */
  PASTRY_HOP_RARE,    /* (3) any known node closer with prefix >= l */
} PastryHopKind;

/* Leaf-set sides. */
typedef enum
{
  PASTRY_SIDE_LEFT = 0,  /* counter-clockwise: numerically smaller */
  PASTRY_SIDE_RIGHT = 1, /* clockwise: numerically larger */
} PastrySide;

typedef struct _PastryNode PastryNode;

GQuark pastry_config_error_quark (void);

/* Checks the ranges documented in PastryConfig.  Returns FALSE with error
 * set (PASTRY_CONFIG_ERROR_RANGE) when a field is out of range. */
gboolean pastry_config_validate (const PastryConfig *cfg, GError **error);

/* Creates the state of the node whose handle is self in dir (borrowed: dir
 * must outlive the node).  cfg is copied and must be valid. */
PastryNode *pastry_node_new (const PastryConfig *cfg, PastryDirectory *dir,
                             PastryPeer self);
void pastry_node_free (PastryNode *node);

PastryPeer pastry_node_self (const PastryNode *node);
const PastryId *pastry_node_id (const PastryNode *node);
PastryDirectory *pastry_node_directory (const PastryNode *node);

/* Offers peer to every structure.  prox is its proximity from this node.
 * Offering self is ignored.  Returns the PastryWhere mask of structures that
 * hold the peer afterwards.  Cost O(L + M). */
guint pastry_node_insert (PastryNode *node, PastryPeer peer, guint32 prox);

/* pastry_node_insert(), which also stores in *before (may be NULL) the
 * PastryWhere mask of the structures that held peer before the call, as
 * pastry_node_where() would have returned it: one call, and one
 * membership scan, for the "where was it, where is it now" pattern of
 * join and repair handlers.  Cost O(L + M). */
guint pastry_node_offer (PastryNode *node, PastryPeer peer, guint32 prox,
                         guint *before);

/* TRUE when peer is not in the leaf set and pastry_node_insert() would put
 * it there (it is among the L/2 nearest on a side).  Lets a caller check a
 * peer it heard of from others before taking it into its leaf set.  O(L). */
gboolean pastry_node_leafset_admits (const PastryNode *node,
                                     PastryPeer peer);

/* Removes peer from every structure and refills the leaf set from the other
 * known peers.  Returns the PastryWhere mask of structures it was removed
 * from (0: the peer was unknown).  Cost O(K) with K known peers (one pass
 * when peer was in the leaf set; O(K * L) when handles share an id). */
guint pastry_node_remove_peer (PastryNode *node, PastryPeer peer);

/* Returns the mask of structures holding peer (0 when unknown). */
guint pastry_node_where (const PastryNode *node, PastryPeer peer);

/* The paper's routing decision for key.  Returns the next hop, or self when
 * the message should be delivered here.  kind (may be NULL) receives the rule
 * used.  Cost O(L) plus, in the rare case, O(K). */
PastryPeer pastry_node_next_hop (const PastryNode *node, const PastryId *key,
                                 PastryHopKind *kind);

/* Up to n ranked next-hop candidates for key, best first, written to out
 * (caller-owned, n slots).  out[0] is the paper's choice.  If that is self
 * (deliver here), out holds only self.  Otherwise out[0] is followed by every
 * other known peer that makes progress — a longer shared prefix with key, or
 * an equal one and numerically closer than self — ordered by (shared prefix
 * length desc, ring distance to key asc, id asc).  Returns the count (0 when
 * n is 0).  Cost O(K log K). */
guint pastry_node_route (const PastryNode *node, const PastryId *key,
                         PastryPeer *out, guint n);

/* TRUE when key lies within the arc covered by the leaf set (always TRUE
 * when the node knows the whole ring, see the file comment). */
gboolean pastry_node_in_leaf_range (const PastryNode *node,
                                    const PastryId *key);

/* ---- Reading the state ---- */

/* Rows currently allocated (rows past it are empty). */
guint pastry_node_n_rows (const PastryNode *node);

/* The entry at (row, col); peer is PASTRY_PEER_NONE when empty. */
PastryEntry pastry_node_entry (const PastryNode *node, guint row, guint col);

/* Copies the non-empty entries of row (in column order) into out, which
 * must have 2^b slots.  Returns how many were written. */
guint pastry_node_export_row (const PastryNode *node, guint row,
                              PastryEntry *out);

/* The side of the leaf set, nearest first (borrowed; valid until the next
 * mutation).  Returns its length, <= L/2. */
guint pastry_node_leafset_side (const PastryNode *node, PastrySide side,
                                const PastryPeer **out);

/* Copies the leaf set (left side nearest first, then right side nearest
 * first, without duplicates) into out (L slots).  Returns the count. */
guint pastry_node_export_leafset (const PastryNode *node, PastryPeer *out);

/* Copies the neighbourhood set (closest first) into out (M slots). */
guint pastry_node_export_neighbours (const PastryNode *node,
                                     PastryEntry *out);

/* Copies every distinct known peer into out (no more than max) in a
 * deterministic order: leaf set, table rows, neighbourhood.  Returns the
 * total number of distinct known peers (which may exceed max). */
guint pastry_node_export_known (const PastryNode *node, PastryPeer *out,
                                guint max);

typedef void (*PastryEntryFunc) (guint row, guint col,
                                 const PastryEntry *entry, gpointer data);

/* Calls func for every non-empty routing-table entry, row by row. */
void pastry_node_foreach_entry (const PastryNode *node, PastryEntryFunc func,
                                gpointer data);

/* ---- Repair support ---- */

/* The farthest peer on side (the node to ask for its leaf set when a member
 * of that side failed), or PASTRY_PEER_NONE when the side is empty. */
PastryPeer pastry_node_leafset_farthest (const PastryNode *node,
                                         PastrySide side);

/* Peers to ask for a replacement of the failed slot (row, col): the other
 * entries of the same row, then the entries of the following rows, in
 * column order.  Writes at most max into out and returns the count. */
guint pastry_node_repair_candidates (const PastryNode *node, guint row,
                                     guint col, PastryPeer *out, guint max);

/* ---- Dictionary interface (the original library's API) ---- */

/* Looks id up among the known peers.  Returns TRUE and stores its value in
 * *value (may be NULL) when known. */
gboolean pastry_node_get (const PastryNode *node, const PastryId *id,
                          gpointer *value);

/* Adds or refreshes n peers (ids[i] -> values[i], values owned by the
 * directory afterwards), with unknown proximity.  A known id gets its new
 * value. */
void pastry_node_update (PastryNode *node, const PastryId *ids,
                         gpointer *values, guint n);

/* Forgets id.  Returns FALSE when it was not known. */
gboolean pastry_node_remove (PastryNode *node, const PastryId *id);

/* ---- Testing ---- */

/* Checks every structural invariant listed in the file comment, plus
 * leaf-set maximality over the peers known to the table and neighbourhood
 * set.  Returns FALSE and sets error with the first violation. */
gboolean pastry_node_check (const PastryNode *node, GError **error);

/* Bytes of heap owned by the node state (excluding the directory). */
gsize pastry_node_memory (const PastryNode *node);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PastryNode, pastry_node_free)

G_END_DECLS
