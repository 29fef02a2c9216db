/* sim-oracle.c — the live-id oracle: live ids bucketed by their top bits.
 *
 * Where it sits: in the driver, over the driver's per-node ids (SimKey,
 * 16 bytes a node, handed over when a node is created), so that any
 * protocol's lookups are judged by one rule (sim-key.h).  Moved from the
 * Pastry adapter, where it read Pastry's directory: the same buckets,
 * comparisons and order of the dense array, so every output stayed the
 * same.  The cost of the move is the driver's copy of the ids (the
 * adapter's PastryDirectory keeps its own: 16 bytes a node, 160 MB at
 * 10^7 nodes); rejected: reading the ids through a protocol callback
 * (an indirect call per comparison on the path of every judgement) or
 * through the protocol's storage (the driver would know its layout).
 *
 * Ids are uniformly random, so 2^k buckets indexed by the top k bits hold
 * about size/2^k ids each.  Each bucket is a small array sorted by id;
 * the table doubles when the mean load passes 8.  Finding the root scans
 * the key's bucket and walks to neighbouring non-empty buckets: O(1)
 * expected.  A dense array of live nodes (with each node's position in it)
 * gives O(1) uniform sampling and O(1) removal by swapping with the last.
 *
 * Rejected: one sorted array (O(N) per insertion: 10^6 joins would move
 * 10^13 bytes) and GSequence (about 50 bytes and a cache miss per level
 * for each of 10^7 nodes).
 *
 * Invariant: every live node is in exactly one bucket, the one of its top
 * bits, and buckets are sorted by id; dense[pos[n]] == n for live n.
 */
#include "sim-oracle.h"

#include <string.h>

/* A bucket entry keeps the top half of the id beside the handle: the
 * search compares it without a trip to the directory (a cache miss per
 * comparison otherwise). */
typedef struct
{
  guint64 hi;
  guint32 peer;
} Item;

typedef struct
{
  Item *items;
  guint32 n, cap;
} Bucket;

struct _SimOracle
{
  const GArray *ids; /* SimKey by node (the driver's) */
  guint bits;        /* 2^bits buckets */
  Bucket *buckets;
  GArray *dense; /* guint32, live nodes */
  GArray *pos;   /* guint32 per node: index in dense, or G_MAXUINT32 */
};

static inline const SimKey *
id_of (const SimOracle *o, guint32 p)
{
  return &g_array_index (o->ids, SimKey, p);
}

static inline guint
bucket_of (const SimOracle *o, const SimKey *id)
{
  return o->bits == 0 ? 0 : (guint) (id->hi >> (64 - o->bits));
}

/* First position in bk whose id is >= key.  Binary search: a bucket is
 * small on average, but not while a build inserts ids in sorted order
 * (then one bucket holds every id added so far). */
static guint
lower_bound (const SimOracle *o, const Bucket *bk, const SimKey *key)
{
  guint lo = 0, hi = bk->n;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      const Item *it = &bk->items[mid];
      gboolean less = it->hi != key->hi
                          ? it->hi < key->hi
                          : sim_key_cmp (id_of (o, it->peer), key) < 0;
      if (less)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static void
bucket_insert (SimOracle *o, Bucket *bk, guint32 p)
{
  const SimKey *id = id_of (o, p);
  if (bk->n == bk->cap)
    {
      bk->cap = bk->cap == 0 ? 4 : bk->cap * 2;
      bk->items = g_renew (Item, bk->items, bk->cap);
    }
  guint i = lower_bound (o, bk, id);
  memmove (bk->items + i + 1, bk->items + i, (bk->n - i) * sizeof (Item));
  bk->items[i] = (Item){ id->hi, p };
  bk->n++;
}

static void
rehash (SimOracle *o, guint bits)
{
  Bucket *old = o->buckets;
  guint old_n = 1u << o->bits;
  o->bits = bits;
  o->buckets = g_new0 (Bucket, (gsize) 1 << bits);
  /* Old buckets in order hold ids in sorted order: appending keeps each new
   * bucket sorted. */
  for (guint b = 0; b < old_n; b++)
    {
      for (guint i = 0; i < old[b].n; i++)
        {
          Item it = old[b].items[i];
          Bucket *nb
              = &o->buckets[bits == 0 ? 0 : (guint) (it.hi >> (64 - bits))];
          if (nb->n == nb->cap)
            {
              nb->cap = nb->cap == 0 ? 4 : nb->cap * 2;
              nb->items = g_renew (Item, nb->items, nb->cap);
            }
          nb->items[nb->n++] = it;
        }
      g_free (old[b].items);
    }
  g_free (old);
}

SimOracle *
sim_oracle_new (const GArray *ids)
{
  g_return_val_if_fail (ids != NULL, NULL);
  SimOracle *o = g_new0 (SimOracle, 1);
  o->ids = ids;
  o->bits = 4;
  o->buckets = g_new0 (Bucket, 1u << o->bits);
  o->dense = g_array_new (FALSE, FALSE, sizeof (guint32));
  o->pos = g_array_new (FALSE, FALSE, sizeof (guint32));
  return o;
}

void
sim_oracle_free (SimOracle *o)
{
  if (o == NULL)
    return;
  for (guint b = 0; b < (1u << o->bits); b++)
    g_free (o->buckets[b].items);
  g_free (o->buckets);
  g_array_free (o->dense, TRUE);
  g_array_free (o->pos, TRUE);
  g_free (o);
}

void
sim_oracle_add (SimOracle *o, guint32 node)
{
  g_return_if_fail (o != NULL && node < o->ids->len);
  if (o->pos->len <= node)
    {
      guint old = o->pos->len;
      g_array_set_size (o->pos, node + 1);
      for (guint i = old; i <= node; i++)
        g_array_index (o->pos, guint32, i) = G_MAXUINT32;
    }
  g_return_if_fail (g_array_index (o->pos, guint32, node) == G_MAXUINT32);
  g_array_index (o->pos, guint32, node) = o->dense->len;
  g_array_append_val (o->dense, node);
  if (o->dense->len > (8u << o->bits) && o->bits < 28)
    rehash (o, o->bits + 1);
  bucket_insert (o, &o->buckets[bucket_of (o, id_of (o, node))], node);
}

gboolean
sim_oracle_remove (SimOracle *o, guint32 node)
{
  g_return_val_if_fail (o != NULL, FALSE);
  if (node >= o->pos->len
      || g_array_index (o->pos, guint32, node) == G_MAXUINT32)
    return FALSE;
  guint32 at = g_array_index (o->pos, guint32, node);
  guint32 last = g_array_index (o->dense, guint32, o->dense->len - 1);
  g_array_index (o->dense, guint32, at) = last;
  g_array_index (o->pos, guint32, last) = at;
  g_array_set_size (o->dense, o->dense->len - 1);
  g_array_index (o->pos, guint32, node) = G_MAXUINT32;
  Bucket *bk = &o->buckets[bucket_of (o, id_of (o, node))];
  guint i = lower_bound (o, bk, id_of (o, node));
  g_assert (i < bk->n && bk->items[i].peer == node);
  memmove (bk->items + i, bk->items + i + 1, (bk->n - i - 1) * sizeof (Item));
  bk->n--;
  return TRUE;
}

guint
sim_oracle_size (const SimOracle *o)
{
  g_return_val_if_fail (o != NULL, 0);
  return o->dense->len;
}

guint32
sim_oracle_nth (const SimOracle *o, guint i)
{
  g_return_val_if_fail (o != NULL && i < o->dense->len, SIM_NODE_NONE);
  return g_array_index (o->dense, guint32, i);
}

/* The live node with the smallest id >= key (wrapping to the smallest id
 * overall), and the one with the largest id < key (wrapping). */
static void
successor_predecessor (const SimOracle *o, const SimKey *key, guint32 *succ,
                       guint32 *pred)
{
  guint nb = 1u << o->bits;
  guint b = bucket_of (o, key);
  const Bucket *bk = &o->buckets[b];
  guint i = lower_bound (o, bk, key);
  *succ = SIM_NODE_NONE;
  *pred = SIM_NODE_NONE;
  if (i < bk->n)
    *succ = bk->items[i].peer;
  else
    for (guint k = 1; k <= nb; k++)
      {
        const Bucket *ob = &o->buckets[(b + k) & (nb - 1)];
        if (ob->n > 0)
          {
            *succ = ob->items[0].peer;
            break;
          }
      }
  if (i > 0)
    *pred = bk->items[i - 1].peer;
  else
    for (guint k = 1; k <= nb; k++)
      {
        const Bucket *ob = &o->buckets[(b + nb - k) & (nb - 1)];
        if (ob->n > 0)
          {
            *pred = ob->items[ob->n - 1].peer;
            break;
          }
      }
}

guint32
sim_oracle_root (const SimOracle *o, const SimKey *key)
{
  g_return_val_if_fail (o != NULL && key != NULL, SIM_NODE_NONE);
  if (o->dense->len == 0)
    return SIM_NODE_NONE;
  guint32 succ, pred;
  successor_predecessor (o, key, &succ, &pred);
  return sim_key_closer (key, id_of (o, succ), id_of (o, pred)) <= 0 ? succ
                                                                     : pred;
}

/* The next live node clockwise (dir = +1) or counter-clockwise (-1) from
 * node p (which must be live). */
static guint32
step (const SimOracle *o, guint32 p, int dir)
{
  guint nb = 1u << o->bits;
  const SimKey *id = id_of (o, p);
  guint b = bucket_of (o, id);
  const Bucket *bk = &o->buckets[b];
  guint i = lower_bound (o, bk, id);
  if (dir > 0 && i + 1 < bk->n)
    return bk->items[i + 1].peer;
  if (dir < 0 && i > 0)
    return bk->items[i - 1].peer;
  for (guint k = 1; k <= nb; k++)
    {
      const Bucket *ob
          = &o->buckets[dir > 0 ? (b + k) & (nb - 1) : (b + nb - k) & (nb - 1)];
      if (ob->n > 0)
        return dir > 0 ? ob->items[0].peer : ob->items[ob->n - 1].peer;
    }
  return p;
}

guint
sim_oracle_neighbours (const SimOracle *o, guint32 node, guint k, guint32 *left,
                       guint32 *right)
{
  g_return_val_if_fail (o != NULL, 0);
  guint n = o->dense->len;
  guint count = MIN (k, n > 0 ? n - 1 : 0);
  guint32 l = node, r = node;
  for (guint i = 0; i < count; i++)
    {
      r = step (o, r, +1);
      l = step (o, l, -1);
      right[i] = r;
      left[i] = l;
    }
  return count;
}

gboolean
sim_oracle_has_id (const SimOracle *o, const SimKey *id)
{
  g_return_val_if_fail (o != NULL && id != NULL, FALSE);
  guint32 r = sim_oracle_root (o, id);
  return r != SIM_NODE_NONE && sim_key_equal (id_of (o, r), id);
}

gboolean
sim_oracle_in_closest (const SimOracle *o, const SimKey *key, guint k,
                       guint32 node)
{
  g_return_val_if_fail (o != NULL && key != NULL, FALSE);
  guint n = o->dense->len;
  if (n == 0 || k == 0)
    return FALSE;
  if (k >= n)
    return TRUE;
  /* Merge the two walks away from the key, closest first. */
  guint32 succ, pred;
  successor_predecessor (o, key, &succ, &pred);
  for (guint taken = 0; taken < k; taken++)
    {
      gboolean take_succ
          = succ == pred
            || sim_key_closer (key, id_of (o, succ), id_of (o, pred)) <= 0;
      guint32 p = take_succ ? succ : pred;
      if (p == node)
        return TRUE;
      if (take_succ)
        succ = step (o, succ, +1);
      else
        pred = step (o, pred, -1);
    }
  return FALSE;
}
