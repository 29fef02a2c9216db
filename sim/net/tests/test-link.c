/* test-link.c — tests of the access-link queues (sim-link.h).
 *
 * Boundary cases are named tests; the randomised test checks, after every
 * call, the FIFO invariants against a brute-force record of every
 * transmission: on one link no two transmissions overlap, each starts no
 * earlier than it was handed over, a link that is idle starts at once
 * (work conservation), order is kept, and each lasts exactly its
 * transmission time.  Its seed is part of its name; PASTRYSIM_TEST_SEED=S
 * replays seed S.
 */
#include "sim-link.h"
#include "sim-rng.h"
#include "test-seed.h"

static void
test_tx_time (void)
{
  g_assert_cmpuint (sim_link_tx_time (0, 1000), ==, 0);    /* unlimited */
  g_assert_cmpuint (sim_link_tx_time (1000000, 0), ==, 0); /* empty */
  /* 1 byte at 8 bit/s: exactly one second. */
  g_assert_cmpuint (sim_link_tx_time (8, 1), ==, SIM_TIME_S);
  /* 1 byte at 3 bit/s: 2666666.67 µs, rounded up. */
  g_assert_cmpuint (sim_link_tx_time (3, 1), ==, 2666667);
  /* 1,250 bytes at 1 Mbit/s: 10 ms. */
  g_assert_cmpuint (sim_link_tx_time (1000000, 1250), ==, 10 * SIM_TIME_MS);
  /* At the largest rate a byte still takes at least 1 µs. */
  g_assert_cmpuint (sim_link_tx_time (SIM_LINK_MAX_RATE, 1), ==, 1);
  /* The largest message at the smallest rate does not overflow. */
  g_assert_cmpuint (sim_link_tx_time (1, G_MAXUINT), ==,
                    (guint64) G_MAXUINT * 8u * 1000000u);
}

static void
test_unlimited (void)
{
  SimLinks *l = sim_links_new (0, 0);
  SimTime q = 99;

  g_assert_false (sim_links_limited (l));
  g_assert_cmpuint (sim_link_send (l, 7, 100000, 5, &q), ==, 5);
  g_assert_cmpuint (q, ==, 0);
  g_assert_cmpuint (sim_link_receive (l, 7, 100000, 5, &q), ==, 5);
  g_assert_cmpuint (q, ==, 0);
  sim_link_reset (l, 7);
  sim_links_free (l);
}

static void
test_fifo_and_sides (void)
{
  /* 1 Mbit/s up, unlimited down: 1,250 bytes take 10 ms to send. */
  SimLinks *l = sim_links_new (1000000, 0);
  SimTime q;

  g_assert_true (sim_links_limited (l));
  g_assert_cmpuint (sim_link_send (l, 0, 1250, 0, &q), ==, 10000);
  g_assert_cmpuint (q, ==, 0);
  /* Handed over 4 ms later: waits 6 ms behind the first. */
  g_assert_cmpuint (sim_link_send (l, 0, 1250, 4000, &q), ==, 20000);
  g_assert_cmpuint (q, ==, 6000);
  /* Another node's uplink is independent. */
  g_assert_cmpuint (sim_link_send (l, 1, 1250, 4000, &q), ==, 14000);
  g_assert_cmpuint (q, ==, 0);
  /* Exactly when the link falls idle: no wait. */
  g_assert_cmpuint (sim_link_send (l, 0, 1250, 20000, &q), ==, 30000);
  g_assert_cmpuint (q, ==, 0);
  /* The unlimited downlink never waits. */
  g_assert_cmpuint (sim_link_receive (l, 0, 1250, 5, &q), ==, 5);
  g_assert_cmpuint (q, ==, 0);
  /* A node that fails and comes back starts idle. */
  sim_link_send (l, 0, 1250, 30000, NULL);
  sim_link_reset (l, 0);
  g_assert_cmpuint (sim_link_send (l, 0, 1250, 30000, &q), ==, 40000);
  g_assert_cmpuint (q, ==, 0);
  /* Reset of a node never seen is harmless. */
  sim_link_reset (l, 1000);
  sim_links_free (l);
}

static void
test_saturates (void)
{
  SimLinks *l = sim_links_new (1, 1);
  SimTime t = sim_link_send (l, 0, G_MAXUINT, SIM_TIME_MAX - 5, NULL);
  g_assert_cmpuint (t, ==, SIM_TIME_MAX);
  t = sim_link_send (l, 0, 1, SIM_TIME_MAX - 5, NULL);
  g_assert_cmpuint (t, ==, SIM_TIME_MAX);
  sim_links_free (l);
}

/* One transmission as the brute-force record keeps it. */
typedef struct
{
  SimTime handed, start, end;
  guint bytes;
} Tx;

static void
check_link (GArray *txs, guint64 rate)
{
  for (guint i = 0; i < txs->len; i++)
    {
      const Tx *t = &g_array_index (txs, Tx, i);
      g_assert_cmpuint (t->start, >=, t->handed);
      g_assert_cmpuint (t->end - t->start, ==,
                        sim_link_tx_time (rate, t->bytes));
      if (i == 0)
        {
          g_assert_cmpuint (t->start, ==, t->handed);
          continue;
        }
      const Tx *p = &g_array_index (txs, Tx, i - 1);
      g_assert_cmpuint (t->start, >=, p->end); /* no overlap, FIFO */
      /* Work conservation: it waits only while the previous one runs. */
      g_assert_cmpuint (t->start, ==, MAX (t->handed, p->end));
    }
}

static void
test_random (gconstpointer data)
{
  guint64 seed = *(const guint64 *) data;
  enum
  {
    NODES = 5,
    CALLS = 4000
  };
  const guint64 up = 2000000, down = 500000;
  SimLinks *l = sim_links_new (up, down);
  SimRng rng;
  GArray *ups[NODES], *downs[NODES];
  SimTime now[2 * NODES] = { 0 };

  g_test_message ("seed %" G_GUINT64_FORMAT, seed);
  sim_rng_init (&rng, seed, SIM_RNG_PURPOSE_TEST, 0);
  for (guint n = 0; n < NODES; n++)
    {
      ups[n] = g_array_new (FALSE, FALSE, sizeof (Tx));
      downs[n] = g_array_new (FALSE, FALSE, sizeof (Tx));
    }
  for (guint i = 0; i < CALLS; i++)
    {
      guint node = (guint) sim_rng_uniform_u64 (&rng, NODES);
      gboolean send = sim_rng_uniform_u64 (&rng, 2) == 0;
      SimTime *clock = &now[node * 2 + (send ? 0 : 1)];
      /* Calls per link come in time order, sometimes at the same µs. */
      *clock += sim_rng_uniform_u64 (&rng, 3) == 0
                    ? 0
                    : sim_rng_uniform_u64 (&rng, 20000);
      Tx t = { .handed = *clock,
               .bytes = (guint) sim_rng_uniform_u64 (&rng, 3000) };
      SimTime q;
      t.end = send ? sim_link_send (l, node, t.bytes, t.handed, &q)
                   : sim_link_receive (l, node, t.bytes, t.handed, &q);
      t.start = t.handed + q;
      g_array_append_val (send ? ups[node] : downs[node], t);
      check_link (send ? ups[node] : downs[node], send ? up : down);
    }
  for (guint n = 0; n < NODES; n++)
    {
      g_array_unref (ups[n]);
      g_array_unref (downs[n]);
    }
  sim_links_free (l);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  test_seed_init ();
  g_test_add_func ("/link/tx-time", test_tx_time);
  g_test_add_func ("/link/unlimited", test_unlimited);
  g_test_add_func ("/link/fifo-and-sides", test_fifo_and_sides);
  g_test_add_func ("/link/saturates", test_saturates);
  for (guint i = 0; i < 4; i++)
    test_add_seeded ("/link/random", test_random, i);
  return g_test_run ();
}
