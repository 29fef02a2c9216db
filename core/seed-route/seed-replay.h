/* seed-replay.h — replays one SeedRecord against PastryLibrary: builds the
 * node from self and peers, applies the update batches, then compares the
 * leaf set and every query's ids and values with what the original library
 * answered.  Shared by core/tests/test-library.c and `pastrysim
 * seed-route`, so the two cannot disagree on what "matched" means.
 */
#pragma once

#include "pastry-library.h"
#include "seed-vectors.h"

G_BEGIN_DECLS

typedef struct
{
  guint queries; /* queries replayed */
  guint matched; /* of which ids and values matched exactly */
  gboolean leaf_ok;      /* leaf_len and leaf_first matched */
  gboolean invariant_ok; /* pastry_library_check passed after each step */
} SeedReplay;

/* Called once per mismatch with a message "FILE:LINE:COL: what differs"
 * (borrowed, valid during the call). */
typedef void (*SeedMismatchFunc) (const char *message, gpointer user_data);

/* Replays rec (read from file, named in messages).  Values are the addrs,
 * boxed (a gint64 each, freed with g_free) so that addr 0 is a value like
 * any other rather than the NULL that route() skips.  The node's
 * invariants are checked after construction and after every batch.
 * @result: (out): the counts.
 * @func: (nullable): receives each mismatch.
 * Returns TRUE when everything matched. */
gboolean seed_record_replay (const SeedRecord *rec, const char *file,
                             SeedReplay *result, SeedMismatchFunc func,
                             gpointer user_data);

/* Builds the node of rec after all its updates, without checking anything
 * (for tests that probe it further).  Values as in seed_record_replay. */
PastryLibrary *seed_record_build (const SeedRecord *rec);

G_END_DECLS
