/* pastry-library.h — the original Python library's node (MuxZeroNet/pastry,
 * class `Pastry`), reproduced exactly; not the paper's node.
 *
 * A PastryLibrary is a node built from its own id and a peer dictionary
 * (id -> opaque value).  It keeps EVERY peer it is given (no bounded
 * routing table) and answers route(key, n) with the first n peers in the
 * library's order: per byte, the rank of the peer's byte in the scan order
 * K, K-1, K+1, K-2, K+2, ... over 0..255 without wrap-around, compared
 * lexicographically over the 16 bytes.  Beside it sits the library's "leaf
 * set": the peers sorted by XOR distance to the node's own id, capacity
 * leaf_cap at construction only (update never prunes, remove never
 * refills).  See core/README.md for the rule, the corner cases and how the
 * order differs from pastry_node_route().
 *
 * Values are gpointers owned by the node (destroyed with the GDestroyNotify
 * given at creation).  A NULL value plays the role of Python's None: the
 * peer is known (get, size, leaf set) but route() skips it, as the library
 * does.
 *
 * The node's own id is never a peer by itself: it is one only when given
 * as one (in the constructor or an update), and then like any other.
 *
 * The structure depends only on GLib; it has no I/O.
 */
#pragma once

#include "pastry-id.h"

G_BEGIN_DECLS

/* The library's defaults: Pastry(my_key, peers, leaf_cap=8, hash_len=16). */
#define PASTRY_LIBRARY_LEAF_CAP 8
#define PASTRY_LIBRARY_KEY_MAX PASTRY_ID_BYTES

#define PASTRY_LIBRARY_ERROR (pastry_library_error_quark ())

typedef enum
{
  PASTRY_LIBRARY_ERROR_KEY_TOO_LONG, /* route key longer than 16 bytes */
  PASTRY_LIBRARY_ERROR_INVARIANT,    /* pastry_library_check() failed */
} PastryLibraryError;

/* One (id, value) pair: an element of the constructor's peer dictionary or
 * of an update batch, and of route()'s answer. */
typedef struct
{
  PastryId id;
  gpointer value;
} PastryLibraryPeer;

typedef struct _PastryLibrary PastryLibrary;

GQuark pastry_library_error_quark (void);

/* Creates the node Pastry(self, peers=dict(peers), leaf_cap).
 * @self: the node's own id (copied).  It is not a peer unless listed.
 * @peers: (nullable): n_peers pairs; an id listed twice keeps the last
 *   value (as dict() does), the earlier one is destroyed at once.
 * @leaf_cap: the leaf set's capacity at construction (the library's 8,
 *   PASTRY_LIBRARY_LEAF_CAP); 0 is allowed and leaves it empty.
 * @value_destroy: (nullable): frees a value when it is replaced, removed or
 *   the node is freed.
 * Ownership of every value in peers passes to the node.
 * Returns: (transfer full): the node; free with pastry_library_free().
 * Cost O(K log K) for K peers (one sort by XOR distance). */
PastryLibrary *pastry_library_new (const PastryId *self,
                                   const PastryLibraryPeer *peers,
                                   gsize n_peers, guint leaf_cap,
                                   GDestroyNotify value_destroy);

/* Frees the node and destroys every value.  NULL is allowed. */
void pastry_library_free (PastryLibrary *lib);

/* The node's own id (borrowed). */
const PastryId *pastry_library_self (const PastryLibrary *lib);

/* Number of distinct peers known (|S|), NULL-valued ones included. */
guint pastry_library_size (const PastryLibrary *lib);

/* Looks id up.  Returns TRUE when it is a known peer and then stores its
 * value (borrowed, may be NULL) in *value when value is not NULL.  Cost
 * O(1). */
gboolean pastry_library_get (const PastryLibrary *lib, const PastryId *id,
                             gpointer *value);

/* p.update(dict(batch)): every id of the batch becomes (or stays) a peer
 * with its new value — an id already known keeps its single entry and its
 * place in every order, its old value is destroyed — and every id of the
 * batch enters the leaf set, which is never pruned here.  Within the batch
 * the last value of a repeated id wins.  Ownership of the values passes to
 * the node.  Cost O(n log L) for n pairs and a leaf set of L. */
void pastry_library_update (PastryLibrary *lib,
                            const PastryLibraryPeer *batch, gsize n);

/* del p[id]: forgets id in both structures (its value is destroyed);
 * nothing refills the leaf set.  Returns FALSE (and changes nothing) when
 * id is not a known peer, where the library raises KeyError.  Cost
 * O(log L). */
gboolean pastry_library_remove (PastryLibrary *lib, const PastryId *id);

/* p.route(key, n): the first min(n, |S|) peers in the library's order for
 * key, NULL-valued peers skipped.
 * @key: (array length=key_len) (nullable): the key bytes, most significant
 *   first; shorter than 16 bytes is right-padded with 0x00 (NULL or empty
 *   is all zeros).
 * @out: (out caller-allocates): n slots (may be NULL when n is 0); filled
 *   best first with ids and values (values borrowed: valid until the next
 *   mutation).  Pass n = pastry_library_size() for the whole order.
 * @n_out: (out): how many slots were written.
 * Returns FALSE with PASTRY_LIBRARY_ERROR_KEY_TOO_LONG (and *n_out = 0)
 * when key_len > 16, as the library raises ValueError.
 * Cost O(K log n) comparisons of O(1) each (a bounded heap), plus
 * O(n log n) to order the result. */
gboolean pastry_library_route (const PastryLibrary *lib, const guint8 *key,
                               gsize key_len, PastryLibraryPeer *out, guint n,
                               guint *n_out, GError **error);

/* Three-way comparison of peer ids a and b in the library's order for the
 * padded key (16 bytes): <0 when a comes first.  0 only when a == b. */
int pastry_library_cmp (const PastryId *key, const PastryId *a,
                        const PastryId *b);

/* ---- The library's leaf set (read-only) ---- */

/* Its size. */
guint pastry_library_leaf_len (const PastryLibrary *lib);

/* Copies the first max ids of the leaf set in XOR-distance order (nearest
 * the node's own id first) into out.  Returns how many were written. */
guint pastry_library_leaf_ids (const PastryLibrary *lib, PastryId *out,
                               guint max);

/* TRUE when id is in the leaf set. */
gboolean pastry_library_in_leaf (const PastryLibrary *lib,
                                 const PastryId *id);

/* ---- Testing ---- */

/* Checks the invariants listed in pastry-library.c's file comment.
 * Returns FALSE and sets error (PASTRY_LIBRARY_ERROR_INVARIANT) with the
 * first violation. */
gboolean pastry_library_check (const PastryLibrary *lib, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PastryLibrary, pastry_library_free)

G_END_DECLS
