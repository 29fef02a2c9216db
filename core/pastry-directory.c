/* pastry-directory.c — handles to (id, value) pairs; see the header for the
 * invariant.  Ids are kept in one GArray (16 bytes per handle); values in a
 * parallel GPtrArray created only when a non-NULL value is first stored, so a
 * simulator that passes NULL pays nothing for them.  The id -> handle hash is
 * built only when a caller looks ids up, because the simulator never does. */
#include "pastry-directory-private.h"

static guint
id_hash (gconstpointer p)
{
  const PastryId *id = p;
  guint64 x = id->hi ^ (id->lo * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));
  return (guint) (x ^ (x >> 32));
}

static gboolean
id_equal (gconstpointer a, gconstpointer b)
{
  return pastry_id_equal (a, b);
}

PastryDirectory *
pastry_directory_new (GDestroyNotify value_destroy)
{
  PastryDirectory *dir = g_new0 (PastryDirectory, 1);
  dir->ids = g_array_new (FALSE, FALSE, sizeof (PastryId));
  dir->value_destroy = value_destroy;
  return dir;
}

void
pastry_directory_free (PastryDirectory *dir)
{
  if (dir == NULL)
    return;
  if (dir->values != NULL)
    {
      if (dir->value_destroy != NULL)
        for (guint i = 0; i < dir->values->len; i++)
          if (g_ptr_array_index (dir->values, i) != NULL)
            dir->value_destroy (g_ptr_array_index (dir->values, i));
      g_ptr_array_free (dir->values, TRUE);
    }
  if (dir->index != NULL)
    g_hash_table_destroy (dir->index);
  g_array_free (dir->ids, TRUE);
  g_free (dir);
}

static void
index_insert (PastryDirectory *dir, PastryPeer peer)
{
  PastryId *copy = g_new (PastryId, 1);
  *copy = g_array_index (dir->ids, PastryId, peer);
  g_hash_table_insert (dir->index, copy, GUINT_TO_POINTER (peer + 1));
}

static void
ensure_index (PastryDirectory *dir)
{
  if (dir->index != NULL)
    return;
  dir->index = g_hash_table_new_full (id_hash, id_equal, g_free, NULL);
  for (guint i = 0; i < dir->ids->len; i++)
    index_insert (dir, i);
}

static void
set_value (PastryDirectory *dir, PastryPeer peer, gpointer value)
{
  if (dir->values == NULL)
    {
      if (value == NULL)
        return;
      dir->values = g_ptr_array_new ();
    }
  if (dir->values->len <= peer)
    g_ptr_array_set_size (dir->values, (gint) peer + 1);
  gpointer old = g_ptr_array_index (dir->values, peer);
  if (old != NULL && old != value && dir->value_destroy != NULL)
    dir->value_destroy (old);
  g_ptr_array_index (dir->values, peer) = value;
}

PastryPeer
pastry_directory_add (PastryDirectory *dir, const PastryId *id,
                      gpointer value)
{
  g_return_val_if_fail (dir != NULL && id != NULL, PASTRY_PEER_NONE);
  g_return_val_if_fail (dir->ids->len < PASTRY_PEER_NONE, PASTRY_PEER_NONE);

  PastryPeer peer = dir->ids->len;
  g_array_append_val (dir->ids, *id);
  set_value (dir, peer, value);
  if (dir->index != NULL)
    index_insert (dir, peer);
  return peer;
}

PastryPeer
pastry_directory_find (PastryDirectory *dir, const PastryId *id)
{
  g_return_val_if_fail (dir != NULL && id != NULL, PASTRY_PEER_NONE);

  ensure_index (dir);
  gpointer v = g_hash_table_lookup (dir->index, id);
  return v == NULL ? PASTRY_PEER_NONE : GPOINTER_TO_UINT (v) - 1;
}

PastryPeer
pastry_directory_intern (PastryDirectory *dir, const PastryId *id,
                         gpointer value)
{
  PastryPeer peer = pastry_directory_find (dir, id);
  if (peer == PASTRY_PEER_NONE)
    return pastry_directory_add (dir, id, value);
  set_value (dir, peer, value);
  return peer;
}

guint
pastry_directory_size (const PastryDirectory *dir)
{
  g_return_val_if_fail (dir != NULL, 0);
  return dir->ids->len;
}

const PastryId *
pastry_directory_id (const PastryDirectory *dir, PastryPeer peer)
{
  g_return_val_if_fail (dir != NULL && peer < dir->ids->len, NULL);
  return pastry__directory_id (dir, peer);
}

gpointer
pastry_directory_value (const PastryDirectory *dir, PastryPeer peer)
{
  g_return_val_if_fail (dir != NULL && peer < dir->ids->len, NULL);
  if (dir->values == NULL || peer >= dir->values->len)
    return NULL;
  return g_ptr_array_index (dir->values, peer);
}
