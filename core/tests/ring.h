/* ring.h — test and benchmark helper: N nodes with ideal state built from
 * global knowledge, and a brute-force oracle for the true root of a key.
 *
 * The helper owns its own tiny random generator (splitmix64) because the
 * core has none.  Nodes sit at uniform points of a 1000 x 1000 plane and
 * proximity is their Euclidean distance, so proximity neighbour selection
 * is exercised too.  A routing-table slot is filled with the closest of at
 * most max_scan candidates that belong in it (all of them when max_scan is
 * 0), the leaf set with the L/2 ring neighbours on each side, and the
 * neighbourhood set with the closest of a sample of nodes.
 */
#pragma once

#include "pastry-node.h"

#include <math.h>
#include <stdlib.h>

typedef struct
{
  guint64 state;
} TestRng;

static inline guint64
test_rng_next (TestRng *r)
{
  guint64 z = (r->state += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static inline guint64
test_rng_below (TestRng *r, guint64 n)
{
  return test_rng_next (r) % n; /* bias is irrelevant for tests */
}

static inline PastryId
test_rng_id (TestRng *r)
{
  PastryId id;
  id.hi = test_rng_next (r);
  id.lo = test_rng_next (r);
  return id;
}

typedef struct
{
  PastryConfig cfg;
  PastryDirectory *dir;
  guint n;
  PastryNode **nodes;  /* by handle */
  guint *sorted;       /* handles sorted by id */
  double *x, *y;
} Ring;

static inline guint32
ring_prox (const Ring *ring, guint a, guint b)
{
  double dx = ring->x[a] - ring->x[b], dy = ring->y[a] - ring->y[b];
  return (guint32) (sqrt (dx * dx + dy * dy) * 1000.0);
}

static const Ring *ring_sort_ctx;

static inline int
ring_sort_cmp (const void *a, const void *b)
{
  return pastry_id_cmp (pastry_directory_id (ring_sort_ctx->dir,
                                             *(const guint *) a),
                        pastry_directory_id (ring_sort_ctx->dir,
                                             *(const guint *) b));
}

/* First position in sorted[lo, hi) whose id is >= key. */
static inline guint
ring_lower_bound (const Ring *ring, guint lo, guint hi, const PastryId *key)
{
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (pastry_id_cmp (pastry_directory_id (ring->dir, ring->sorted[mid]),
                         key) < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* The true root of key: the id numerically closest, ties to the smaller. */
static inline guint
ring_root (const Ring *ring, const PastryId *key)
{
  guint pos = ring_lower_bound (ring, 0, ring->n, key);
  guint succ = ring->sorted[pos % ring->n];
  guint pred = ring->sorted[(pos + ring->n - 1) % ring->n];
  return pastry_id_closer (key, pastry_directory_id (ring->dir, succ),
                           pastry_directory_id (ring->dir, pred)) <= 0
           ? succ : pred;
}

static inline Ring *
ring_new (const PastryConfig *cfg, guint n, guint64 seed, guint max_scan)
{
  TestRng rng = { seed };
  Ring *ring = g_new0 (Ring, 1);
  ring->cfg = *cfg;
  ring->n = n;
  ring->dir = pastry_directory_new (NULL);
  ring->nodes = g_new0 (PastryNode *, n);
  ring->sorted = g_new (guint, n);
  ring->x = g_new (double, n);
  ring->y = g_new (double, n);
  for (guint i = 0; i < n; i++)
    {
      PastryId id = test_rng_id (&rng);
      pastry_directory_add (ring->dir, &id, NULL);
      ring->sorted[i] = i;
      ring->x[i] = (double) test_rng_below (&rng, 1000000) / 1000.0;
      ring->y[i] = (double) test_rng_below (&rng, 1000000) / 1000.0;
    }
  ring_sort_ctx = ring;
  qsort (ring->sorted, n, sizeof (guint), ring_sort_cmp);

  guint b = cfg->b, half = cfg->leaf_size / 2;
  guint n_digits = pastry_id_n_digits (b);
  for (guint i = 0; i < n; i++)
    {
      PastryNode *node = pastry_node_new (cfg, ring->dir, i);
      const PastryId *id = pastry_directory_id (ring->dir, i);
      ring->nodes[i] = node;
      /* Leaf set: ring neighbours on each side. */
      guint pos = ring_lower_bound (ring, 0, n, id);
      for (guint k = 1; k <= half && k < n; k++)
        {
          guint s = ring->sorted[(pos + k) % n];
          guint p = ring->sorted[(pos + n - k) % n];
          pastry_node_insert (node, s, ring_prox (ring, i, s));
          pastry_node_insert (node, p, ring_prox (ring, i, p));
        }
      /* Routing table: for each row, the nodes sharing exactly `row`
       * digits form one sorted range per column. */
      for (guint row = 0; row < n_digits; row++)
        {
          PastryId lo_id, hi_id;
          pastry_id_prefix_range (id, row, -1, b, &lo_id, &hi_id);
          guint lo = ring_lower_bound (ring, 0, n, &lo_id);
          guint hi = ring_lower_bound (ring, lo, n, &hi_id);
          if (hi < n && pastry_id_equal (pastry_directory_id
                                         (ring->dir, ring->sorted[hi]),
                                         &hi_id))
            hi++;
          if (hi - lo <= 1)
            break; /* only this node shares the prefix */
          guint base = pastry_id_digit_base (row, b);
          for (guint col = 0; col < base; col++)
            {
              if (col == pastry_id_digit (id, row, b))
                continue;
              PastryId c_lo, c_hi;
              pastry_id_prefix_range (id, row, (gint) col, b, &c_lo, &c_hi);
              guint a = ring_lower_bound (ring, lo, hi, &c_lo);
              guint z = ring_lower_bound (ring, a, hi, &c_hi);
              if (z < hi && pastry_id_equal (pastry_directory_id
                                             (ring->dir, ring->sorted[z]),
                                             &c_hi))
                z++;
              if (a == z)
                continue;
              guint count = z - a;
              guint scan = max_scan == 0 ? count : MIN (count, max_scan);
              guint start = (guint) test_rng_below (&rng, count);
              for (guint k = 0; k < scan; k++)
                {
                  guint cand = ring->sorted[a + (start + k) % count];
                  pastry_node_insert (node, cand, ring_prox (ring, i, cand));
                }
            }
        }
      /* Neighbourhood set: the closest of a sample. */
      for (guint k = 0; k < MIN (n, 4 * cfg->neigh_size); k++)
        {
          guint c = (guint) test_rng_below (&rng, n);
          if (c != i)
            pastry_node_insert (node, c, ring_prox (ring, i, c));
        }
    }
  return ring;
}

static inline void
ring_free (Ring *ring)
{
  for (guint i = 0; i < ring->n; i++)
    pastry_node_free (ring->nodes[i]);
  pastry_directory_free (ring->dir);
  g_free (ring->nodes);
  g_free (ring->sorted);
  g_free (ring->x);
  g_free (ring->y);
  g_free (ring);
}
