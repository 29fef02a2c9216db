/* test-forward.c — the forwarding decision with peers to avoid
 * (pastry-forward.h): nothing avoided is exactly the paper's rule; random
 * dead sets are routed around to the live root (brute-force oracle);
 * named cases for the fallbacks (leaf set without the root, every
 * candidate in doubt, everything avoided).
 *
 * The seed is part of each randomised test's name; PASTRYSIM_TEST_SEED=S
 * replays the case named with S.
 */
#include "pastry-forward.h"
#include "ring.h"
#include "test-seed.h"

typedef struct
{
  const guint8 *dead; /* by handle */
  guint asked;
} DeadSet;

static gboolean
avoid_dead (PastryPeer p, gboolean final_hop, gpointer data)
{
  DeadSet *d = data;
  d->asked++;
  return d->dead[p] != 0;
}

/* The live node numerically closest to key (brute force). */
static guint
live_root (const Ring *ring, const guint8 *dead, const PastryId *key)
{
  guint best = G_MAXUINT;
  for (guint i = 0; i < ring->n; i++)
    if (!dead[i]
        && (best == G_MAXUINT
            || pastry_id_closer (key, pastry_directory_id (ring->dir, i),
                                 pastry_directory_id (ring->dir, best))
                   < 0))
      best = i;
  return best;
}

static void
test_nothing_avoided (gconstpointer data)
{
  guint64 seed = *(const guint64 *) data;
  PastryConfig cfg = { 4, 16, 32 };
  Ring *ring = ring_new (&cfg, 300, seed, 0);
  TestRng r = { seed ^ 0x5eed };
  for (guint k = 0; k < 2000; k++)
    {
      PastryId key = test_rng_id (&r);
      guint at = (guint) test_rng_below (&r, ring->n);
      PastryHopKind kind;
      PastryPeer want = pastry_node_next_hop (ring->nodes[at], &key, &kind);
      gboolean final_hop;
      PastryPeer got = pastry_forward_next_hop (ring->nodes[at], &key, NULL,
                                                NULL, &final_hop);
      g_assert_cmpuint (got, ==, want);
      g_assert_cmpint (final_hop, ==, kind == PASTRY_HOP_LEAFSET);
    }
  ring_free (ring);
}

/* 5 % of the nodes are dead and avoided everywhere: every route from a
 * live node ends at the live root, never touches a dead node and makes
 * progress (bounded hops). */
static void
test_route_around_dead (gconstpointer data)
{
  guint64 seed = *(const guint64 *) data;
  PastryConfig cfg = { 4, 16, 32 };
  guint n = 400;
  Ring *ring = ring_new (&cfg, n, seed, 0);
  TestRng r = { seed ^ 0xdead };
  g_autofree guint8 *dead = g_new0 (guint8, n);
  for (guint i = 0; i < n / 20; i++)
    dead[test_rng_below (&r, n)] = 1;
  DeadSet d = { dead, 0 };
  for (guint k = 0; k < 2000; k++)
    {
      PastryId key = test_rng_id (&r);
      guint at;
      do
        at = (guint) test_rng_below (&r, n);
      while (dead[at]);
      guint hops = 0;
      for (;;)
        {
          gboolean final_hop;
          PastryPeer next = pastry_forward_next_hop (
              ring->nodes[at], &key, avoid_dead, &d, &final_hop);
          if (next == at)
            break;
          g_assert_false (dead[next]);
          at = next;
          g_assert_cmpuint (++hops, <=, 12);
        }
      g_assert_cmpuint (at, ==, live_root (ring, dead, &key));
    }
  g_assert_cmpuint (d.asked, >, 0);
  ring_free (ring);
}

static gboolean
avoid_all (PastryPeer p, gboolean final_hop, gpointer data)
{
  return TRUE;
}

static gboolean
avoid_unless_final (PastryPeer p, gboolean final_hop, gpointer data)
{
  return !final_hop;
}

/* A key whose paper route from node 0 is a routing-table hop. */
static gboolean
table_key (Ring *ring, TestRng *r, guint at, PastryId *key)
{
  for (guint tries = 0; tries < 10000; tries++)
    {
      *key = test_rng_id (r);
      PastryHopKind kind;
      pastry_node_next_hop (ring->nodes[at], key, &kind);
      if (kind == PASTRY_HOP_TABLE)
        return TRUE;
    }
  return FALSE;
}

/* Every candidate in doubt as an intermediate hop, none as a final hop:
 * the paper's choice is sent again, as a final hop. */
static void
test_all_doubtful_retries_final (void)
{
  PastryConfig cfg = { 4, 16, 32 };
  Ring *ring = ring_new (&cfg, 500, 11, 0);
  TestRng r = { 12 };
  PastryId key;
  g_assert_true (table_key (ring, &r, 0, &key));
  PastryPeer paper = pastry_node_next_hop (ring->nodes[0], &key, NULL);
  gboolean final_hop = FALSE;
  PastryPeer got = pastry_forward_next_hop (
      ring->nodes[0], &key, avoid_unless_final, NULL, &final_hop);
  g_assert_cmpuint (got, ==, paper);
  g_assert_true (final_hop);
  ring_free (ring);
}

/* Everything avoided: deliver here, both in leaf range and beyond. */
static void
test_everything_avoided (void)
{
  PastryConfig cfg = { 4, 16, 32 };
  Ring *ring = ring_new (&cfg, 500, 21, 0);
  TestRng r = { 22 };
  PastryId key;
  g_assert_true (table_key (ring, &r, 0, &key));
  gboolean final_hop;
  g_assert_cmpuint (pastry_forward_next_hop (ring->nodes[0], &key, avoid_all,
                                             NULL, &final_hop),
                    ==, 0);
  /* A key in leaf range: the id of node 0's nearest right neighbour. */
  const PastryPeer *right;
  g_assert_cmpuint (
      pastry_node_leafset_side (ring->nodes[0], PASTRY_SIDE_RIGHT, &right), >,
      0);
  key = *pastry_directory_id (ring->dir, right[0]);
  g_assert_cmpuint (pastry_forward_next_hop (ring->nodes[0], &key, avoid_all,
                                             NULL, &final_hop),
                    ==, 0);
  g_assert_true (final_hop);
  ring_free (ring);
}

/* In leaf range with the root avoided: the closest remaining of the leaf
 * set and self, even with a shorter shared prefix than others. */
static void
test_leaf_without_root (void)
{
  PastryConfig cfg = { 4, 16, 32 };
  guint n = 200;
  Ring *ring = ring_new (&cfg, n, 31, 0);
  g_autofree guint8 *dead = g_new0 (guint8, n);
  const PastryPeer *right;
  guint nr
      = pastry_node_leafset_side (ring->nodes[0], PASTRY_SIDE_RIGHT, &right);
  g_assert_cmpuint (nr, >=, 3);
  PastryId key = *pastry_directory_id (ring->dir, right[1]);
  dead[right[1]] = 1;
  DeadSet d = { dead, 0 };
  gboolean final_hop;
  PastryPeer got = pastry_forward_next_hop (ring->nodes[0], &key, avoid_dead,
                                            &d, &final_hop);
  g_assert_true (final_hop);
  g_assert_cmpuint (got, ==, live_root (ring, dead, &key));
  ring_free (ring);
}

static guint32
ring_prox_cb (PastryPeer from, PastryPeer to, gpointer data)
{
  return ring_prox (data, from, to);
}

/* Rank of node among all ids by closeness to key (0 = the root). */
static guint
closeness_rank (const Ring *ring, const PastryId *key, guint node)
{
  guint rank = 0;
  const PastryId *nid = pastry_directory_id (ring->dir, node);
  for (guint i = 0; i < ring->n; i++)
    if (i != node
        && pastry_id_closer (key, pastry_directory_id (ring->dir, i), nid) < 0)
      rank++;
  return rank;
}

/* Replica delivery (k = 5): every route ends at one of the 5 nodes
 * closest to the key (brute force), never later than the root would be
 * reached, and a node that is a replica delivers at once. */
static void
test_replicas (gconstpointer data)
{
  guint64 seed = *(const guint64 *) data;
  PastryConfig cfg = { 4, 16, 32 };
  Ring *ring = ring_new (&cfg, 400, seed, 0);
  PastryReplicas rep = { 5, ring_prox_cb, ring };
  TestRng r = { seed ^ 0x7e9 };
  guint64 hops_k = 0, hops_1 = 0;
  for (guint k = 0; k < 2000; k++)
    {
      PastryId key = test_rng_id (&r);
      guint src = (guint) test_rng_below (&r, ring->n);
      guint at = src, hops = 0;
      gboolean final_hop;
      for (;;)
        {
          PastryPeer next = pastry_forward_next_hop_replicas (
              ring->nodes[at], &key, &rep, NULL, NULL, &final_hop);
          if (next == at)
            break;
          at = next;
          g_assert_cmpuint (++hops, <=, 8);
        }
      g_assert_cmpuint (closeness_rank (ring, &key, at), <, 5);
      hops_k += hops;
      at = src;
      for (;;)
        {
          PastryPeer next = pastry_forward_next_hop (ring->nodes[at], &key,
                                                     NULL, NULL, &final_hop);
          if (next == at)
            break;
          at = next;
          hops_1++;
        }
      g_assert_cmpuint (at, ==, ring_root (ring, &key));
    }
  g_test_message ("mean hops: %.3f with 5 replicas, %.3f to the root",
                  hops_k / 2000.0, hops_1 / 2000.0);
  g_assert_cmpuint (hops_k, <, hops_1);
  /* k = 1 is the paper's rule exactly. */
  PastryReplicas one = { 1, ring_prox_cb, ring };
  PastryId key = test_rng_id (&r);
  gboolean f1, f2;
  g_assert_cmpuint (
      pastry_forward_next_hop_replicas (ring->nodes[3], &key, &one, NULL, NULL,
                                        &f1),
      ==, pastry_forward_next_hop (ring->nodes[3], &key, NULL, NULL, &f2));
  ring_free (ring);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  test_seed_init ();
  test_add_seeded ("/forward/nothing-avoided", test_nothing_avoided, 0);
  test_add_seeded ("/forward/route-around-dead", test_route_around_dead, 1);
  test_add_seeded ("/forward/replicas", test_replicas, 2);
  g_test_add_func ("/forward/all-doubtful-retries-final",
                   test_all_doubtful_retries_final);
  g_test_add_func ("/forward/everything-avoided", test_everything_avoided);
  g_test_add_func ("/forward/leaf-without-root", test_leaf_without_root);
  return g_test_run ();
}
