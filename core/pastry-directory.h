/* pastry-directory.h — the shared table of peers that node states refer to.
 *
 * Node states never store 16-byte ids in their tables: they store 32-bit
 * handles (PastryPeer) into a directory owned by the caller, which holds one
 * id and one optional opaque value per handle.  A simulator keeps a single
 * directory for all its virtual nodes (the handle is the node index), so a
 * routing-table entry costs 8 bytes instead of 28; a stand-alone user of the
 * core (one node, peers named by id) keeps one directory per node.
 *
 * Invariant: handles are dense (0 .. size-1), never reused, and a handle's
 * id never changes.  The directory owns the values it was given and frees
 * them with the destroy function passed at creation.
 */
#pragma once

#include "pastry-id.h"

G_BEGIN_DECLS

typedef guint32 PastryPeer;

/* "No peer": an empty table slot, or "not found". */
#define PASTRY_PEER_NONE G_MAXUINT32

typedef struct _PastryDirectory PastryDirectory;

/* Creates an empty directory.  value_destroy (may be NULL) frees values
 * passed to add/intern when they are replaced or the directory is freed. */
PastryDirectory *pastry_directory_new (GDestroyNotify value_destroy);

/* Frees the directory and its values.  Node states that refer to it must
 * be freed first. */
void pastry_directory_free (PastryDirectory *dir);

/* Appends a new handle for id with value (owned; may be NULL) and returns
 * it.  Does not look for an existing entry with the same id: this is the
 * O(1) path for callers that know ids are new (the simulator). */
PastryPeer pastry_directory_add (PastryDirectory *dir, const PastryId *id,
                                 gpointer value);

/* Returns the handle of id, adding it when absent.  When present, value
 * replaces the old value (which is destroyed).  The first call builds an
 * id -> handle hash over all entries: O(size) once, then O(1). */
PastryPeer pastry_directory_intern (PastryDirectory *dir, const PastryId *id,
                                    gpointer value);

/* Returns the handle of id, or PASTRY_PEER_NONE.  Builds the hash on first
 * use, like intern. */
PastryPeer pastry_directory_find (PastryDirectory *dir, const PastryId *id);

/* Number of handles ever added. */
guint pastry_directory_size (const PastryDirectory *dir);

/* The id of a handle (borrowed; valid until the next add or intern). */
const PastryId *pastry_directory_id (const PastryDirectory *dir,
                                     PastryPeer peer);

/* The value of a handle (borrowed), or NULL. */
gpointer pastry_directory_value (const PastryDirectory *dir, PastryPeer peer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PastryDirectory, pastry_directory_free)

G_END_DECLS
