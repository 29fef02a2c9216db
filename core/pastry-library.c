/* pastry-library.c — the original Python library's node, exactly (see
 * pastry-library.h and core/README.md for the rule it reproduces).
 *
 * Invariants (checked by pastry_library_check):
 *  - every known peer is one Entry, held once in the dense array `entries`
 *    (entries[i]->pos == i) and once in the hash set `index` (by id), so S
 *    has no duplicate ids;
 *  - entry->xdist == entry->id XOR self;
 *  - the tree `leaf` holds exactly the entries with in_leaf set, keyed by
 *    xdist, hence in XOR order (distinct ids have distinct XOR distances, so
 *    the order is total, as in the library's SortedDict).
 * The leaf set is a subset of S; its size is bounded by leaf_cap only at
 * construction.
 *
 * Cost: get O(1); update O(log L) per pair and remove O(log L) (L the leaf
 * set's size); route(key, n) over K peers O(K log n): one pass with a
 * bounded max-heap of the n best so far, each comparison O(1) — the two
 * ids first differ at one byte, and only that byte's rank decides, since
 * equal bytes have equal ranks — then a heapsort of the n winners.
 *
 * Rejected alternatives: sorting all K peers per query (O(K log K), what
 * the library's trie walk amounts to when n = K, wasteful for n = 5); and
 * the library's own structure, a trie of dictionaries walked in scan
 * order, which probes up to 511 digits per level and so costs up to
 * O(n * 16 * 511) per query whatever K, and a node per byte of every
 * distinct prefix (hundreds of bytes per peer in C as in Python) —
 * a sorted index with a lazy scan-order merge could reach O(n * 16 log K)
 * with little memory, and is the next step if profiles show route()
 * dominating on large tables.
 *
 * Values are owned by the node and destroyed with value_destroy.
 */
#include "pastry-library.h"

typedef struct
{
  PastryId id;
  PastryId xdist; /* id XOR self: the leaf-set key */
  gpointer value; /* NULL: Python's None, skipped by route */
  guint pos;      /* index in entries */
  gboolean in_leaf;
} Entry;

struct _PastryLibrary
{
  PastryId self;
  guint leaf_cap;
  GDestroyNotify value_destroy;
  GPtrArray *entries; /* Entry*, owned, dense (swap-removal) */
  GHashTable *index;  /* set of Entry*, hashed and compared by id */
  GTree *leaf;        /* &entry->xdist -> Entry*, in XOR order */
};

G_DEFINE_QUARK (pastry-library-error-quark, pastry_library_error)

static guint
entry_hash (gconstpointer p)
{
  const Entry *e = p;
  /* splitmix64's finaliser over both halves: ids such as 0101...01 have
   * equal halves, so a plain hi ^ lo would send them all to 0. */
  guint64 z = e->id.hi * 0x9e3779b97f4a7c15ull + e->id.lo;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return (guint) (z ^ (z >> 31));
}

static gboolean
entry_equal (gconstpointer a, gconstpointer b)
{
  return pastry_id_equal (&((const Entry *) a)->id, &((const Entry *) b)->id);
}

static gint
xdist_cmp (gconstpointer a, gconstpointer b, gpointer unused)
{
  return pastry_id_cmp (a, b);
}

static PastryId
id_xor (const PastryId *a, const PastryId *b)
{
  PastryId x = { a->hi ^ b->hi, a->lo ^ b->lo };
  return x;
}

static Entry *
lookup (const PastryLibrary *lib, const PastryId *id)
{
  Entry probe;
  probe.id = *id;
  return g_hash_table_lookup (lib->index, &probe);
}

static void
destroy_value (PastryLibrary *lib, gpointer value)
{
  if (value != NULL && lib->value_destroy != NULL)
    lib->value_destroy (value);
}

/* Sets id's value, adding the entry when id is new.  Returns the entry. */
static Entry *
set_value (PastryLibrary *lib, const PastryId *id, gpointer value)
{
  Entry *e = lookup (lib, id);
  if (e != NULL)
    {
      /* Giving the same pointer again must not free it. */
      if (e->value != value)
        destroy_value (lib, e->value);
      e->value = value;
      return e;
    }
  e = g_new0 (Entry, 1);
  e->id = *id;
  e->xdist = id_xor (id, &lib->self);
  e->value = value;
  e->pos = lib->entries->len;
  g_ptr_array_add (lib->entries, e);
  g_hash_table_add (lib->index, e);
  return e;
}

static void
leaf_add (PastryLibrary *lib, Entry *e)
{
  if (e->in_leaf)
    return;
  e->in_leaf = TRUE;
  g_tree_insert (lib->leaf, &e->xdist, e);
}

static gint
entry_xdist_cmp (gconstpointer a, gconstpointer b)
{
  const Entry *ea = *(Entry *const *) a;
  const Entry *eb = *(Entry *const *) b;
  return pastry_id_cmp (&ea->xdist, &eb->xdist);
}

PastryLibrary *
pastry_library_new (const PastryId *self, const PastryLibraryPeer *peers,
                    gsize n_peers, guint leaf_cap,
                    GDestroyNotify value_destroy)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (peers != NULL || n_peers == 0, NULL);

  PastryLibrary *lib = g_new0 (PastryLibrary, 1);
  lib->self = *self;
  lib->leaf_cap = leaf_cap;
  lib->value_destroy = value_destroy;
  lib->entries = g_ptr_array_sized_new ((guint) MIN (n_peers, G_MAXUINT));
  lib->index = g_hash_table_new (entry_hash, entry_equal);
  lib->leaf = g_tree_new_full (xdist_cmp, NULL, NULL, NULL);

  for (gsize i = 0; i < n_peers; i++)
    set_value (lib, &peers[i].id, peers[i].value);

  /* LeafSet.__init__: the leaf_cap XOR-closest of the (deduplicated) peers.
   * Sorting a copy is O(K log K), paid once. */
  g_autoptr (GPtrArray) by_xor = g_ptr_array_sized_new (lib->entries->len);
  for (guint i = 0; i < lib->entries->len; i++)
    g_ptr_array_add (by_xor, lib->entries->pdata[i]);
  g_ptr_array_sort (by_xor, entry_xdist_cmp);
  for (guint i = 0; i < by_xor->len && i < leaf_cap; i++)
    leaf_add (lib, by_xor->pdata[i]);
  return lib;
}

void
pastry_library_free (PastryLibrary *lib)
{
  if (lib == NULL)
    return;
  g_tree_destroy (lib->leaf);
  g_hash_table_destroy (lib->index);
  for (guint i = 0; i < lib->entries->len; i++)
    {
      Entry *e = lib->entries->pdata[i];
      destroy_value (lib, e->value);
      g_free (e);
    }
  g_ptr_array_free (lib->entries, TRUE);
  g_free (lib);
}

const PastryId *
pastry_library_self (const PastryLibrary *lib)
{
  g_return_val_if_fail (lib != NULL, NULL);
  return &lib->self;
}

guint
pastry_library_size (const PastryLibrary *lib)
{
  g_return_val_if_fail (lib != NULL, 0);
  return lib->entries->len;
}

gboolean
pastry_library_get (const PastryLibrary *lib, const PastryId *id,
                    gpointer *value)
{
  g_return_val_if_fail (lib != NULL && id != NULL, FALSE);
  Entry *e = lookup (lib, id);
  if (e == NULL)
    return FALSE;
  if (value != NULL)
    *value = e->value;
  return TRUE;
}

void
pastry_library_update (PastryLibrary *lib, const PastryLibraryPeer *batch,
                       gsize n)
{
  g_return_if_fail (lib != NULL);
  g_return_if_fail (batch != NULL || n == 0);
  /* RoutingTable.update then LeafSet.update: both take every pair, and the
   * leaf set is not pruned (only its __setitem__ prunes). */
  for (gsize i = 0; i < n; i++)
    leaf_add (lib, set_value (lib, &batch[i].id, batch[i].value));
}

gboolean
pastry_library_remove (PastryLibrary *lib, const PastryId *id)
{
  g_return_val_if_fail (lib != NULL && id != NULL, FALSE);
  Entry *e = lookup (lib, id);
  if (e == NULL)
    return FALSE;
  if (e->in_leaf)
    g_tree_remove (lib->leaf, &e->xdist);
  g_hash_table_remove (lib->index, e);
  /* Swap-removal: the former last entry takes e's place. */
  g_ptr_array_remove_index_fast (lib->entries, e->pos);
  if (e->pos < lib->entries->len)
    ((Entry *) lib->entries->pdata[e->pos])->pos = e->pos;
  destroy_value (lib, e->value);
  g_free (e);
  return TRUE;
}

/* ---- Route ---- */

/* Position of digit p in the scan order k, k-1, k+1, k-2, k+2, ... over
 * 0..255 (no wrap-around). */
static inline guint
scan_rank (guint p, guint k)
{
  if (p == k)
    return 0;
  return p < k ? 2 * (k - p) - 1 : 2 * (p - k);
}

int
pastry_library_cmp (const PastryId *key, const PastryId *a,
                    const PastryId *b)
{
  guint64 x, va, vb, vk;
  guint shift;
  if (a->hi != b->hi)
    {
      x = a->hi ^ b->hi;
      va = a->hi, vb = b->hi, vk = key->hi;
    }
  else if (a->lo != b->lo)
    {
      x = a->lo ^ b->lo;
      va = a->lo, vb = b->lo, vk = key->lo;
    }
  else
    return 0;
  /* The first differing byte; earlier bytes are equal, so are their ranks,
   * and rank is one-to-one for a fixed key byte, so this byte decides. */
  shift = 56 - ((guint) __builtin_clzll (x) / 8) * 8;
  guint ra = scan_rank ((guint) (va >> shift) & 0xff,
                        (guint) (vk >> shift) & 0xff);
  guint rb = scan_rank ((guint) (vb >> shift) & 0xff,
                        (guint) (vk >> shift) & 0xff);
  return ra < rb ? -1 : 1;
}

/* A max-heap of entries: heap[0] is the worst of the best so far. */
static void
sift_down (const Entry **heap, guint len, guint i, const PastryId *key)
{
  for (;;)
    {
      guint l = 2 * i + 1, r = l + 1, big = i;
      if (l < len && pastry_library_cmp (key, &heap[l]->id, &heap[big]->id) > 0)
        big = l;
      if (r < len && pastry_library_cmp (key, &heap[r]->id, &heap[big]->id) > 0)
        big = r;
      if (big == i)
        return;
      const Entry *t = heap[i];
      heap[i] = heap[big];
      heap[big] = t;
      i = big;
    }
}

static void
sift_up (const Entry **heap, guint i, const PastryId *key)
{
  while (i > 0)
    {
      guint parent = (i - 1) / 2;
      if (pastry_library_cmp (key, &heap[i]->id, &heap[parent]->id) <= 0)
        return;
      const Entry *t = heap[i];
      heap[i] = heap[parent];
      heap[parent] = t;
      i = parent;
    }
}

gboolean
pastry_library_route (const PastryLibrary *lib, const guint8 *key,
                      gsize key_len, PastryLibraryPeer *out, guint n,
                      guint *n_out, GError **error)
{
  g_return_val_if_fail (lib != NULL && n_out != NULL, FALSE);
  g_return_val_if_fail (key != NULL || key_len == 0, FALSE);
  g_return_val_if_fail (out != NULL || n == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *n_out = 0;
  if (key_len > PASTRY_LIBRARY_KEY_MAX)
    {
      g_set_error (error, PASTRY_LIBRARY_ERROR,
                   PASTRY_LIBRARY_ERROR_KEY_TOO_LONG,
                   "key of %" G_GSIZE_FORMAT " bytes is longer than %d",
                   key_len, PASTRY_LIBRARY_KEY_MAX);
      return FALSE;
    }
  PastryId k = pastry_id_from_bytes (key, key_len);
  guint cap = MIN (n, lib->entries->len);
  if (cap == 0)
    return TRUE;

  const Entry **heap = g_new (const Entry *, cap);
  guint len = 0;
  for (guint i = 0; i < lib->entries->len; i++)
    {
      const Entry *e = lib->entries->pdata[i];
      if (e->value == NULL)
        continue;
      if (len < cap)
        {
          heap[len] = e;
          sift_up (heap, len++, &k);
        }
      else if (pastry_library_cmp (&k, &e->id, &heap[0]->id) < 0)
        {
          heap[0] = e;
          sift_down (heap, len, 0, &k);
        }
    }
  /* Heapsort: the worst remaining goes to the back. */
  for (guint m = len; m > 0; m--)
    {
      out[m - 1].id = heap[0]->id;
      out[m - 1].value = heap[0]->value;
      heap[0] = heap[m - 1];
      sift_down (heap, m - 1, 0, &k);
    }
  g_free (heap);
  *n_out = len;
  return TRUE;
}

/* ---- Leaf set ---- */

guint
pastry_library_leaf_len (const PastryLibrary *lib)
{
  g_return_val_if_fail (lib != NULL, 0);
  return (guint) g_tree_nnodes (lib->leaf);
}

typedef struct
{
  PastryId *out;
  guint max;
  guint count;
} LeafCopy;

static gboolean
leaf_copy_one (gpointer key, gpointer value, gpointer data)
{
  LeafCopy *c = data;
  c->out[c->count++] = ((const Entry *) value)->id;
  return c->count >= c->max;
}

guint
pastry_library_leaf_ids (const PastryLibrary *lib, PastryId *out, guint max)
{
  g_return_val_if_fail (lib != NULL, 0);
  g_return_val_if_fail (out != NULL || max == 0, 0);
  if (max == 0)
    return 0;
  LeafCopy c = { out, max, 0 };
  g_tree_foreach (lib->leaf, leaf_copy_one, &c);
  return c.count;
}

gboolean
pastry_library_in_leaf (const PastryLibrary *lib, const PastryId *id)
{
  g_return_val_if_fail (lib != NULL && id != NULL, FALSE);
  const Entry *e = lookup (lib, id);
  return e != NULL && e->in_leaf;
}

/* ---- Testing ---- */

typedef struct
{
  const PastryLibrary *lib;
  const PastryId *prev;
  guint count;
  char *problem;
} LeafWalk;

static gboolean
leaf_check_one (gpointer key, gpointer value, gpointer data)
{
  LeafWalk *w = data;
  const Entry *e = value;
  char hex[PASTRY_ID_HEX_LEN + 1];
  pastry_id_format (&e->id, hex);
  if (key != &e->xdist || !e->in_leaf || lookup (w->lib, &e->id) != e)
    w->problem = g_strdup_printf ("leaf set entry %s is not a known peer "
                                  "marked in_leaf",
                                  hex);
  else if (w->prev != NULL && pastry_id_cmp (w->prev, &e->xdist) >= 0)
    w->problem = g_strdup_printf ("leaf set is not in XOR order at %s", hex);
  w->prev = &e->xdist;
  w->count++;
  return w->problem != NULL;
}

gboolean
pastry_library_check (const PastryLibrary *lib, GError **error)
{
  g_return_val_if_fail (lib != NULL, FALSE);
  guint n_leaf = 0;
  if (g_hash_table_size (lib->index) != lib->entries->len)
    {
      g_set_error (error, PASTRY_LIBRARY_ERROR, PASTRY_LIBRARY_ERROR_INVARIANT,
                   "index holds %u ids, entries %u",
                   g_hash_table_size (lib->index), lib->entries->len);
      return FALSE;
    }
  for (guint i = 0; i < lib->entries->len; i++)
    {
      const Entry *e = lib->entries->pdata[i];
      PastryId x = id_xor (&e->id, &lib->self);
      char hex[PASTRY_ID_HEX_LEN + 1];
      pastry_id_format (&e->id, hex);
      if (e->pos != i || lookup (lib, &e->id) != e)
        {
          g_set_error (error, PASTRY_LIBRARY_ERROR,
                       PASTRY_LIBRARY_ERROR_INVARIANT,
                       "entry %u (%s) is misplaced or not indexed", i, hex);
          return FALSE;
        }
      if (!pastry_id_equal (&x, &e->xdist))
        {
          g_set_error (error, PASTRY_LIBRARY_ERROR,
                       PASTRY_LIBRARY_ERROR_INVARIANT,
                       "entry %s has a stale XOR distance", hex);
          return FALSE;
        }
      n_leaf += e->in_leaf ? 1 : 0;
    }
  LeafWalk w = { lib, NULL, 0, NULL };
  g_tree_foreach (lib->leaf, leaf_check_one, &w);
  if (w.problem != NULL)
    {
      g_set_error_literal (error, PASTRY_LIBRARY_ERROR,
                           PASTRY_LIBRARY_ERROR_INVARIANT, w.problem);
      g_free (w.problem);
      return FALSE;
    }
  if (w.count != n_leaf || (guint) g_tree_nnodes (lib->leaf) != n_leaf)
    {
      g_set_error (error, PASTRY_LIBRARY_ERROR, PASTRY_LIBRARY_ERROR_INVARIANT,
                   "leaf set holds %u ids, %u entries are marked in_leaf",
                   w.count, n_leaf);
      return FALSE;
    }
  return TRUE;
}
