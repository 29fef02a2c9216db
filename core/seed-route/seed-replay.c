/* seed-replay.c — one vectors line against PastryLibrary.
 *
 * Invariant: a query counts as matched only when route(key, n) returned
 * exactly len(expect) peers and each position has the expected id and the
 * expected value.  Cost: the node's construction and updates, plus one
 * route() per query (O(K log n) each).
 */
#include "seed-replay.h"

static gint64 *
box (gint64 addr)
{
  gint64 *v = g_new (gint64, 1);
  *v = addr;
  return v;
}

static void
apply_batch (PastryLibrary *lib, const GArray *batch)
{
  g_autofree PastryLibraryPeer *pairs = g_new (PastryLibraryPeer,
                                               MAX (batch->len, 1));
  for (guint i = 0; i < batch->len; i++)
    {
      const SeedPeer *p = &g_array_index (batch, SeedPeer, i);
      pairs[i].id = p->id;
      pairs[i].value = box (p->addr);
    }
  pastry_library_update (lib, pairs, batch->len);
}

static PastryLibrary *
build_base (const SeedRecord *rec)
{
  g_autofree PastryLibraryPeer *pairs = g_new (PastryLibraryPeer,
                                               MAX (rec->peers->len, 1));
  for (guint i = 0; i < rec->peers->len; i++)
    {
      const SeedPeer *p = &g_array_index (rec->peers, SeedPeer, i);
      pairs[i].id = p->id;
      pairs[i].value = box (p->addr);
    }
  return pastry_library_new (&rec->self, pairs, rec->peers->len,
                             rec->leaf_cap, g_free);
}

PastryLibrary *
seed_record_build (const SeedRecord *rec)
{
  g_return_val_if_fail (rec != NULL, NULL);
  PastryLibrary *lib = build_base (rec);
  for (guint b = 0; b < rec->updates->len; b++)
    apply_batch (lib, rec->updates->pdata[b]);
  return lib;
}

static void
append_ids (GString *s, const PastryId *ids, const gint64 *addrs, guint n)
{
  g_string_append_c (s, '[');
  for (guint i = 0; i < n; i++)
    {
      char hex[PASTRY_ID_HEX_LEN + 1];
      pastry_id_format (&ids[i], hex);
      g_string_append_printf (s, "%s%s", i ? ", " : "", hex);
      if (addrs != NULL)
        g_string_append_printf (s, "=%" G_GINT64_FORMAT, addrs[i]);
    }
  g_string_append_c (s, ']');
}

static void
report (SeedMismatchFunc func, gpointer data, GString *msg)
{
  if (func != NULL)
    func (msg->str, data);
}

static gboolean
check_invariant (const PastryLibrary *lib, const SeedRecord *rec,
                 const char *file, const char *when, SeedMismatchFunc func,
                 gpointer data)
{
  g_autoptr (GError) error = NULL;
  if (pastry_library_check (lib, &error))
    return TRUE;
  g_autoptr (GString) msg = g_string_new (NULL);
  g_string_printf (msg, "%s:%u:1: invariant broken %s: %s", file, rec->line,
                   when, error->message);
  report (func, data, msg);
  return FALSE;
}

gboolean
seed_record_replay (const SeedRecord *rec, const char *file,
                    SeedReplay *result, SeedMismatchFunc func,
                    gpointer user_data)
{
  g_return_val_if_fail (rec != NULL && file != NULL && result != NULL, FALSE);
  result->queries = 0;
  result->matched = 0;
  result->leaf_ok = TRUE;
  result->invariant_ok = TRUE;

  g_autoptr (PastryLibrary) lib = build_base (rec);
  result->invariant_ok &= check_invariant (lib, rec, file,
                                           "after the constructor", func,
                                           user_data);
  for (guint b = 0; b < rec->updates->len; b++)
    {
      apply_batch (lib, rec->updates->pdata[b]);
      g_autofree char *when = g_strdup_printf ("after update batch %u", b);
      result->invariant_ok &= check_invariant (lib, rec, file, when, func,
                                               user_data);
    }

  /* The leaf set: its size and its first ids in XOR order. */
  guint want = rec->leaf_first->len;
  g_autofree PastryId *leaf = g_new (PastryId, MAX (want, 1));
  guint got = pastry_library_leaf_ids (lib, leaf, want);
  guint leaf_len = pastry_library_leaf_len (lib);
  gboolean same = got == want && leaf_len == rec->leaf_len;
  for (guint i = 0; same && i < got; i++)
    same = pastry_id_equal (&leaf[i],
                            &g_array_index (rec->leaf_first, PastryId, i));
  if (!same)
    {
      result->leaf_ok = FALSE;
      g_autoptr (GString) msg = g_string_new (NULL);
      g_string_printf (msg, "%s:%u:1: leaf set: expected %u ids starting ",
                       file, rec->line, rec->leaf_len);
      append_ids (msg, (const PastryId *) (void *) rec->leaf_first->data,
                  NULL, want);
      g_string_append_printf (msg, ", got %u starting ", leaf_len);
      append_ids (msg, leaf, NULL, got);
      report (func, user_data, msg);
    }

  for (guint qi = 0; qi < rec->queries->len; qi++)
    {
      const SeedQuery *q = &g_array_index (rec->queries, SeedQuery, qi);
      result->queries++;
      guint cap = MIN (q->n, pastry_library_size (lib));
      g_autofree PastryLibraryPeer *out = g_new (PastryLibraryPeer,
                                                 MAX (cap, 1));
      guint n_out = 0;
      g_autoptr (GError) error = NULL;
      gboolean ok = pastry_library_route (lib, q->key, q->key_len, out, cap,
                                          &n_out, &error);
      gboolean match = ok && n_out == q->expect->len;
      for (guint i = 0; match && i < n_out; i++)
        match = pastry_id_equal (&out[i].id,
                                 &g_array_index (q->expect, PastryId, i))
                && *(const gint64 *) out[i].value
                       == g_array_index (q->expect_addr, gint64, i);
      if (match)
        {
          result->matched++;
          continue;
        }
      g_autoptr (GString) msg = g_string_new (NULL);
      g_autofree char *key = g_strnfill (2 * q->key_len, '0');
      for (gsize i = 0; i < q->key_len; i++)
        g_snprintf (key + 2 * i, 3, "%02x", q->key[i]);
      g_string_printf (msg, "%s:%u:%u: route(\"%s\", %u): expected ", file,
                       rec->line, q->col, key, q->n);
      append_ids (msg, (const PastryId *) (void *) q->expect->data,
                  (const gint64 *) (void *) q->expect_addr->data,
                  q->expect->len);
      if (!ok)
        g_string_append_printf (msg, ", got error: %s", error->message);
      else
        {
          g_autofree gint64 *addrs = g_new (gint64, MAX (n_out, 1));
          g_autofree PastryId *ids = g_new (PastryId, MAX (n_out, 1));
          for (guint i = 0; i < n_out; i++)
            {
              ids[i] = out[i].id;
              addrs[i] = *(const gint64 *) out[i].value;
            }
          g_string_append (msg, ", got ");
          append_ids (msg, ids, addrs, n_out);
        }
      report (func, user_data, msg);
    }
  return result->matched == result->queries && result->leaf_ok
         && result->invariant_ok;
}
