/* sim-ring.c — live ids bucketed by their top bits.
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
#include "sim-ring.h"

#include <string.h>

/* A bucket entry keeps the top half of the id beside the handle: the
 * search compares it without a trip to the directory (a cache miss per
 * comparison otherwise). */
typedef struct
{
  guint64 hi;
  PastryPeer peer;
} Item;

typedef struct
{
  Item *items;
  guint32 n, cap;
} Bucket;

struct _SimRing
{
  const PastryDirectory *dir;
  guint bits; /* 2^bits buckets */
  Bucket *buckets;
  GArray *dense; /* PastryPeer, live nodes */
  GArray *pos;   /* guint32 per handle: index in dense, or G_MAXUINT32 */
};

static inline const PastryId *
id_of (const SimRing *ring, PastryPeer p)
{
  return pastry_directory_id (ring->dir, p); /* inlined by LTO */
}

static inline guint
bucket_of (const SimRing *ring, const PastryId *id)
{
  return ring->bits == 0 ? 0 : (guint) (id->hi >> (64 - ring->bits));
}

/* First position in bk whose id is >= key.  Binary search: a bucket is
 * small on average, but not while a build inserts ids in sorted order
 * (then one bucket holds every id added so far). */
static guint
lower_bound (const SimRing *ring, const Bucket *bk, const PastryId *key)
{
  guint lo = 0, hi = bk->n;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      const Item *it = &bk->items[mid];
      gboolean less = it->hi != key->hi
                        ? it->hi < key->hi
                        : pastry_id_cmp (id_of (ring, it->peer), key) < 0;
      if (less)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static void
bucket_insert (SimRing *ring, Bucket *bk, PastryPeer p)
{
  const PastryId *id = id_of (ring, p);
  if (bk->n == bk->cap)
    {
      bk->cap = bk->cap == 0 ? 4 : bk->cap * 2;
      bk->items = g_renew (Item, bk->items, bk->cap);
    }
  guint i = lower_bound (ring, bk, id);
  memmove (bk->items + i + 1, bk->items + i, (bk->n - i) * sizeof (Item));
  bk->items[i] = (Item) { id->hi, p };
  bk->n++;
}

static void
rehash (SimRing *ring, guint bits)
{
  Bucket *old = ring->buckets;
  guint old_n = 1u << ring->bits;
  ring->bits = bits;
  ring->buckets = g_new0 (Bucket, (gsize) 1 << bits);
  /* Old buckets in order hold ids in sorted order: appending keeps each new
   * bucket sorted. */
  for (guint b = 0; b < old_n; b++)
    {
      for (guint i = 0; i < old[b].n; i++)
        {
          Item it = old[b].items[i];
          Bucket *nb = &ring->buckets[bits == 0 ? 0
                                                : (guint) (it.hi >> (64 - bits))];
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

SimRing *
sim_ring_new (const PastryDirectory *dir)
{
  g_return_val_if_fail (dir != NULL, NULL);
  SimRing *ring = g_new0 (SimRing, 1);
  ring->dir = dir;
  ring->bits = 4;
  ring->buckets = g_new0 (Bucket, 1u << ring->bits);
  ring->dense = g_array_new (FALSE, FALSE, sizeof (PastryPeer));
  ring->pos = g_array_new (FALSE, FALSE, sizeof (guint32));
  return ring;
}

void
sim_ring_free (SimRing *ring)
{
  if (ring == NULL)
    return;
  for (guint b = 0; b < (1u << ring->bits); b++)
    g_free (ring->buckets[b].items);
  g_free (ring->buckets);
  g_array_free (ring->dense, TRUE);
  g_array_free (ring->pos, TRUE);
  g_free (ring);
}

void
sim_ring_add (SimRing *ring, PastryPeer node)
{
  g_return_if_fail (ring != NULL && node != PASTRY_PEER_NONE);
  if (ring->pos->len <= node)
    {
      guint old = ring->pos->len;
      g_array_set_size (ring->pos, node + 1);
      for (guint i = old; i <= node; i++)
        g_array_index (ring->pos, guint32, i) = G_MAXUINT32;
    }
  g_return_if_fail (g_array_index (ring->pos, guint32, node) == G_MAXUINT32);
  g_array_index (ring->pos, guint32, node) = ring->dense->len;
  g_array_append_val (ring->dense, node);
  if (ring->dense->len > (8u << ring->bits) && ring->bits < 28)
    rehash (ring, ring->bits + 1);
  bucket_insert (ring, &ring->buckets[bucket_of (ring, id_of (ring, node))],
                 node);
}

gboolean
sim_ring_remove (SimRing *ring, PastryPeer node)
{
  g_return_val_if_fail (ring != NULL, FALSE);
  if (node >= ring->pos->len
      || g_array_index (ring->pos, guint32, node) == G_MAXUINT32)
    return FALSE;
  guint32 at = g_array_index (ring->pos, guint32, node);
  PastryPeer last = g_array_index (ring->dense, PastryPeer,
                                   ring->dense->len - 1);
  g_array_index (ring->dense, PastryPeer, at) = last;
  g_array_index (ring->pos, guint32, last) = at;
  g_array_set_size (ring->dense, ring->dense->len - 1);
  g_array_index (ring->pos, guint32, node) = G_MAXUINT32;
  Bucket *bk = &ring->buckets[bucket_of (ring, id_of (ring, node))];
  guint i = lower_bound (ring, bk, id_of (ring, node));
  g_assert (i < bk->n && bk->items[i].peer == node);
  memmove (bk->items + i, bk->items + i + 1,
           (bk->n - i - 1) * sizeof (Item));
  bk->n--;
  return TRUE;
}

guint
sim_ring_size (const SimRing *ring)
{
  g_return_val_if_fail (ring != NULL, 0);
  return ring->dense->len;
}

PastryPeer
sim_ring_nth (const SimRing *ring, guint i)
{
  g_return_val_if_fail (ring != NULL && i < ring->dense->len,
                        PASTRY_PEER_NONE);
  return g_array_index (ring->dense, PastryPeer, i);
}

/* The live node with the smallest id >= key (wrapping to the smallest id
 * overall), and the one with the largest id < key (wrapping). */
static void
successor_predecessor (const SimRing *ring, const PastryId *key,
                       PastryPeer *succ, PastryPeer *pred)
{
  guint nb = 1u << ring->bits;
  guint b = bucket_of (ring, key);
  const Bucket *bk = &ring->buckets[b];
  guint i = lower_bound (ring, bk, key);
  *succ = PASTRY_PEER_NONE;
  *pred = PASTRY_PEER_NONE;
  if (i < bk->n)
    *succ = bk->items[i].peer;
  else
    for (guint k = 1; k <= nb; k++)
      {
        const Bucket *o = &ring->buckets[(b + k) & (nb - 1)];
        if (o->n > 0)
          {
            *succ = o->items[0].peer;
            break;
          }
      }
  if (i > 0)
    *pred = bk->items[i - 1].peer;
  else
    for (guint k = 1; k <= nb; k++)
      {
        const Bucket *o = &ring->buckets[(b + nb - k) & (nb - 1)];
        if (o->n > 0)
          {
            *pred = o->items[o->n - 1].peer;
            break;
          }
      }
}

PastryPeer
sim_ring_root (const SimRing *ring, const PastryId *key)
{
  g_return_val_if_fail (ring != NULL && key != NULL, PASTRY_PEER_NONE);
  if (ring->dense->len == 0)
    return PASTRY_PEER_NONE;
  PastryPeer succ, pred;
  successor_predecessor (ring, key, &succ, &pred);
  return pastry_id_closer (key, id_of (ring, succ), id_of (ring, pred)) <= 0
           ? succ : pred;
}

/* The next live node clockwise (dir = +1) or counter-clockwise (-1) from
 * node p (which must be live). */
static PastryPeer
step (const SimRing *ring, PastryPeer p, int dir)
{
  guint nb = 1u << ring->bits;
  const PastryId *id = id_of (ring, p);
  guint b = bucket_of (ring, id);
  const Bucket *bk = &ring->buckets[b];
  guint i = lower_bound (ring, bk, id);
  if (dir > 0 && i + 1 < bk->n)
    return bk->items[i + 1].peer;
  if (dir < 0 && i > 0)
    return bk->items[i - 1].peer;
  for (guint k = 1; k <= nb; k++)
    {
      const Bucket *o = &ring->buckets[dir > 0 ? (b + k) & (nb - 1)
                                               : (b + nb - k) & (nb - 1)];
      if (o->n > 0)
        return dir > 0 ? o->items[0].peer : o->items[o->n - 1].peer;
    }
  return p;
}

guint
sim_ring_neighbours (const SimRing *ring, PastryPeer node, guint k,
                     PastryPeer *left, PastryPeer *right)
{
  g_return_val_if_fail (ring != NULL, 0);
  guint n = ring->dense->len;
  guint count = MIN (k, n > 0 ? n - 1 : 0);
  PastryPeer l = node, r = node;
  for (guint i = 0; i < count; i++)
    {
      r = step (ring, r, +1);
      l = step (ring, l, -1);
      right[i] = r;
      left[i] = l;
    }
  return count;
}

gboolean
sim_ring_in_closest (const SimRing *ring, const PastryId *key, guint k,
                     PastryPeer node)
{
  g_return_val_if_fail (ring != NULL && key != NULL, FALSE);
  guint n = ring->dense->len;
  if (n == 0 || k == 0)
    return FALSE;
  if (k >= n)
    return TRUE;
  /* Merge the two walks away from the key, closest first. */
  PastryPeer succ, pred;
  successor_predecessor (ring, key, &succ, &pred);
  for (guint taken = 0; taken < k; taken++)
    {
      gboolean take_succ
          = succ == pred
            || pastry_id_closer (key, id_of (ring, succ), id_of (ring, pred))
                 <= 0;
      PastryPeer p = take_succ ? succ : pred;
      if (p == node)
        return TRUE;
      if (take_succ)
        succ = step (ring, succ, +1);
      else
        pred = step (ring, pred, -1);
    }
  return FALSE;
}
