/* bench-core.c — routing decisions per second and bytes per node state.
 *
 * Builds an ideal ring (ring.h) of N nodes (default 100,000; b = 4, L = 16,
 * M = 32), then routes random keys from random sources hop by hop and
 * reports next-hop decisions per second (median of 5 rounds), route() calls
 * per second with n = 5, and the bytes of each node's state.  Prints
 * figures only; it never fails on time.
 *
 * Usage: bench-core [N] [seed]
 */
#include "ring.h"

#include <stdio.h>

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

int
main (int argc, char **argv)
{
  guint n = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 100000;
  guint64 seed = argc > 2 ? g_ascii_strtoull (argv[2], NULL, 10) : 42;
  PastryConfig cfg = PASTRY_CONFIG_DEFAULT;
  if (n < 2)
    n = 2;

  gint64 t0 = g_get_monotonic_time ();
  Ring *ring = ring_new (&cfg, n, seed, 16);
  gint64 t1 = g_get_monotonic_time ();
  printf ("ring: N=%u b=%u L=%u M=%u seed=%" G_GUINT64_FORMAT
          " built in %.2f s\n", n, cfg.b, cfg.leaf_size, cfg.neigh_size,
          seed, (double) (t1 - t0) / 1e6);

  gsize state = 0, rows = 0;
  for (guint i = 0; i < n; i++)
    {
      state += pastry_node_memory (ring->nodes[i]);
      rows += pastry_node_n_rows (ring->nodes[i]);
    }
  printf ("state: %.1f bytes/node (+%zu directory bytes/node), "
          "%.2f table rows/node\n", (double) state / n, sizeof (PastryId),
          (double) rows / n);

  TestRng rng = { seed ^ 0xbe7c };
  double rates[5];
  guint64 hops_total = 0, routes_total = 0;
  for (guint round = 0; round < G_N_ELEMENTS (rates); round++)
    {
      guint64 decisions = 0;
      gint64 s = g_get_monotonic_time ();
      for (guint r = 0; r < 200000; r++)
        {
          PastryId key = test_rng_id (&rng);
          guint cur = (guint) test_rng_below (&rng, n);
          for (;;)
            {
              PastryPeer next = pastry_node_next_hop (ring->nodes[cur], &key,
                                                      NULL);
              decisions++;
              if (next == cur)
                break;
              cur = next;
              hops_total++;
            }
          routes_total++;
        }
      gint64 e = g_get_monotonic_time ();
      rates[round] = (double) decisions / ((double) (e - s) / 1e6);
    }
  qsort (rates, G_N_ELEMENTS (rates), sizeof (double), cmp_double);
  printf ("next_hop: %.2f M decisions/s (median of 5; min %.2f max %.2f), "
          "mean hops %.3f\n", rates[2] / 1e6, rates[0] / 1e6, rates[4] / 1e6,
          (double) hops_total / (double) routes_total);

  gint64 s = g_get_monotonic_time ();
  guint calls = 200000;
  PastryPeer out[5];
  guint64 sink = 0;
  for (guint r = 0; r < calls; r++)
    {
      PastryId key = test_rng_id (&rng);
      guint cur = (guint) test_rng_below (&rng, n);
      sink += pastry_node_route (ring->nodes[cur], &key, out, 5);
    }
  gint64 e = g_get_monotonic_time ();
  printf ("route(n=5): %.2f M calls/s (%.2f candidates on average)\n",
          (double) calls / ((double) (e - s) / 1e6) / 1e6,
          (double) sink / calls);
  ring_free (ring);
  return 0;
}
