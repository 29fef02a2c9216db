/* test-oracle.c — the live-id oracle (sim-oracle.c) against brute force:
 * random adds and removes over ids that crowd one region (buckets,
 * wrap-around), checking after each mutation the root of a random key,
 * membership among the k closest and the ring neighbours; named boundary
 * cases for ids 0 and 2^128 - 1 and equal distances.
 *
 * The randomised case's seed is in its name; PASTRYSIM_TEST_SEED=S
 * test-oracle -p /oracle/brute-force/seed=S replays it.
 */
#include "sim-oracle.h"
#include "sim-rng.h"
#include "test-seed.h"

/* The k live nodes closest to key by brute force, closest first (k <=
 * live count). */
static void
closest (const GArray *ids, const gboolean *live, guint n, const SimKey *key,
         guint k, guint32 *out)
{
  for (guint taken = 0; taken < k; taken++)
    {
      guint32 best = SIM_NODE_NONE;
      for (guint i = 0; i < n; i++)
        {
          gboolean used = FALSE;
          for (guint t = 0; t < taken; t++)
            used |= out[t] == i;
          if (!live[i] || used)
            continue;
          if (best == SIM_NODE_NONE
              || sim_key_closer (key, &g_array_index (ids, SimKey, i),
                                 &g_array_index (ids, SimKey, best))
                     < 0)
            best = i;
        }
      out[taken] = best;
    }
}

static void
test_brute_force (gconstpointer data)
{
  guint64 seed = *(const guint64 *) data;
  SimRng rng;
  sim_rng_init (&rng, seed, SIM_RNG_PURPOSE_TEST, 0);
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (SimKey));
  g_autoptr (SimOracle) o = sim_oracle_new (ids);
  guint n = 3000;
  gboolean *live = g_new0 (gboolean, n);
  for (guint i = 0; i < n; i++)
    {
      SimKey id = { sim_rng_next_u64 (&rng), sim_rng_next_u64 (&rng) };
      /* A few ids crowd one region to exercise buckets and wrap-around. */
      if (i % 10 == 0)
        id.hi = G_MAXUINT64 - sim_rng_uniform_u64 (&rng, 1000);
      g_array_append_val (ids, id);
    }
  for (guint step = 0; step < 6000; step++)
    {
      guint p = (guint) sim_rng_uniform_u64 (&rng, n);
      if (live[p])
        g_assert_true (sim_oracle_remove (o, p));
      else
        sim_oracle_add (o, p);
      live[p] = !live[p];
      if (step % 20 != 0)
        continue;
      SimKey key = { sim_rng_next_u64 (&rng), sim_rng_next_u64 (&rng) };
      guint count = 0;
      for (guint i = 0; i < n; i++)
        count += live[i];
      g_assert_cmpuint (sim_oracle_size (o), ==, count);
      guint32 want[4];
      guint k = MIN (count, G_N_ELEMENTS (want));
      closest (ids, live, n, &key, k, want);
      g_assert_cmpuint (sim_oracle_root (o, &key), ==, want[0]);
      g_assert_true (
          sim_oracle_has_id (o, &g_array_index (ids, SimKey, want[0])));
      for (guint i = 0; i < k; i++)
        g_assert_true (sim_oracle_in_closest (o, &key, k, want[i]));
      /* A live node just beyond the k closest is not among them. */
      if (count > k)
        {
          guint32 more[5];
          closest (ids, live, n, &key, k + 1, more);
          g_assert_false (sim_oracle_in_closest (o, &key, k, more[k]));
        }
      /* Every live node is the i-th of nth, and the neighbours of one are
       * the closest to its id on each side. */
      guint32 x = sim_oracle_nth (o, (guint) sim_rng_uniform_u64 (&rng, count));
      g_assert_true (live[x]);
      guint32 left[3], right[3];
      guint m = sim_oracle_neighbours (o, x, 3, left, right);
      g_assert_cmpuint (m, ==, MIN (3, count - 1));
      for (guint i = 0; i < m; i++)
        {
          /* right[i] is clockwise of x, and nothing live lies between. */
          const SimKey *xi = &g_array_index (ids, SimKey, x);
          const SimKey *ri = &g_array_index (ids, SimKey, right[i]);
          g_assert_true (live[right[i]] && live[left[i]]);
          guint between = 0;
          for (guint j = 0; j < n; j++)
            {
              if (!live[j] || j == x)
                continue;
              const SimKey *id = &g_array_index (ids, SimKey, j);
              /* (id - x) mod 2^128 < (ri - x) mod 2^128 */
              SimKey dj
                  = { id->hi - xi->hi - (id->lo < xi->lo), id->lo - xi->lo };
              SimKey dr
                  = { ri->hi - xi->hi - (ri->lo < xi->lo), ri->lo - xi->lo };
              between += sim_key_cmp (&dj, &dr) < 0;
            }
          g_assert_cmpuint (between, ==, i);
        }
    }
  g_assert_false (sim_oracle_remove (o, n + 5));
  g_free (live);
}

/* Ids 0 and 2^128 - 1 are neighbours across the wrap; a key half-way
 * between two ids goes to the smaller; an empty oracle has no root. */
static void
test_boundaries (void)
{
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (SimKey));
  g_autoptr (SimOracle) o = sim_oracle_new (ids);
  SimKey key = { 5, 5 };
  g_assert_cmpuint (sim_oracle_root (o, &key), ==, SIM_NODE_NONE);
  g_assert_false (sim_oracle_has_id (o, &key));
  SimKey v[] = { { 0, 0 }, { G_MAXUINT64, G_MAXUINT64 }, { 0, 10 } };
  for (guint i = 0; i < G_N_ELEMENTS (v); i++)
    {
      g_array_append_val (ids, v[i]);
      sim_oracle_add (o, i);
    }
  SimKey top = { G_MAXUINT64, G_MAXUINT64 - 3 };
  g_assert_cmpuint (sim_oracle_root (o, &top), ==, 1);
  SimKey wrap = { G_MAXUINT64, G_MAXUINT64 }; /* the id itself */
  g_assert_cmpuint (sim_oracle_root (o, &wrap), ==, 1);
  SimKey half = { 0, 5 }; /* 5 from both 0 and 10: the smaller id */
  g_assert_cmpuint (sim_oracle_root (o, &half), ==, 0);
  SimKey past = { 0, 6 };
  g_assert_cmpuint (sim_oracle_root (o, &past), ==, 2);
  guint32 left[2], right[2];
  g_assert_cmpuint (sim_oracle_neighbours (o, 0, 2, left, right), ==, 2);
  g_assert_cmpuint (right[0], ==, 2);
  g_assert_cmpuint (left[0], ==, 1); /* across the wrap */
  g_assert_true (sim_oracle_remove (o, 0));
  g_assert_false (sim_oracle_remove (o, 0));
  g_assert_cmpuint (sim_oracle_root (o, &half), ==, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  test_seed_init ();
  test_add_seeded ("/oracle/brute-force", test_brute_force, 0);
  g_test_add_func ("/oracle/boundaries", test_boundaries);
  return g_test_run ();
}
