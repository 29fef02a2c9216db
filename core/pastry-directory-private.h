/* pastry-directory-private.h — layout shared by the core's own files so the
 * routing hot path can read ids without a function call. */
#pragma once

#include "pastry-directory.h"

struct _PastryDirectory
{
  GArray *ids;          /* PastryId per handle */
  GPtrArray *values;    /* gpointer per handle; NULL until a value is set */
  GHashTable *index;    /* PastryId* (owned copy) -> handle+1; lazily built */
  GDestroyNotify value_destroy;
};

static inline const PastryId *
pastry__directory_id (const PastryDirectory *dir, PastryPeer peer)
{
  return &g_array_index (dir->ids, PastryId, peer);
}
