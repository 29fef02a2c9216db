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
  g_assert_cmpuint (sim_link_send (l, 7, 100000, 5, &q, NULL), ==, 5);
  g_assert_cmpuint (q, ==, 0);
  g_assert_cmpuint (sim_link_receive (l, 7, 100000, 5, &q, NULL), ==, 5);
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
  g_assert_cmpuint (sim_link_send (l, 0, 1250, 0, &q, NULL), ==, 10000);
  g_assert_cmpuint (q, ==, 0);
  /* Handed over 4 ms later: waits 6 ms behind the first. */
  g_assert_cmpuint (sim_link_send (l, 0, 1250, 4000, &q, NULL), ==, 20000);
  g_assert_cmpuint (q, ==, 6000);
  /* Another node's uplink is independent. */
  g_assert_cmpuint (sim_link_send (l, 1, 1250, 4000, &q, NULL), ==, 14000);
  g_assert_cmpuint (q, ==, 0);
  /* Exactly when the link falls idle: no wait. */
  g_assert_cmpuint (sim_link_send (l, 0, 1250, 20000, &q, NULL), ==, 30000);
  g_assert_cmpuint (q, ==, 0);
  /* The unlimited downlink never waits. */
  g_assert_cmpuint (sim_link_receive (l, 0, 1250, 5, &q, NULL), ==, 5);
  g_assert_cmpuint (q, ==, 0);
  /* A node that fails and comes back starts idle. */
  sim_link_send (l, 0, 1250, 30000, NULL, NULL);
  sim_link_reset (l, 0);
  g_assert_cmpuint (sim_link_send (l, 0, 1250, 30000, &q, NULL), ==, 40000);
  g_assert_cmpuint (q, ==, 0);
  /* Reset of a node never seen is harmless. */
  sim_link_reset (l, 1000);
  sim_links_free (l);
}

static void
test_saturates (void)
{
  SimLinks *l = sim_links_new (1, 1);
  SimTime t = sim_link_send (l, 0, G_MAXUINT, SIM_TIME_MAX - 5, NULL, NULL);
  g_assert_cmpuint (t, ==, SIM_TIME_MAX);
  t = sim_link_send (l, 0, 1, SIM_TIME_MAX - 5, NULL, NULL);
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
      t.end = send ? sim_link_send (l, node, t.bytes, t.handed, &q, NULL)
                   : sim_link_receive (l, node, t.bytes, t.handed, &q, NULL);
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

/* A drop-tail buffer of 1,000 bytes at 8 kbit/s (1 byte per ms, so the
 * buffer is 1 s of backlog): the messages that find at most 1,000 bytes
 * ahead are queued, the one that would find more is dropped and leaves
 * the link as it was; the downlink behaves the same. */
static void
test_buffer_drop_tail (void)
{
  SimLinks *l = sim_links_new (8000, 8000);
  SimTime q = 99;
  gboolean dropped = TRUE;

  sim_links_set_buffer (l, 1000);
  /* 500 bytes each: idle at 0.5 s, 1 s, 1.5 s. */
  g_assert_cmpuint (sim_link_send (l, 0, 500, 0, &q, &dropped), ==,
                    500 * SIM_TIME_MS);
  g_assert_false (dropped);
  g_assert_cmpuint (sim_link_send (l, 0, 500, 0, &q, &dropped), ==,
                    1000 * SIM_TIME_MS);
  g_assert_false (dropped);
  /* Exactly 1,000 bytes ahead: not more than the buffer, queued. */
  g_assert_cmpuint (sim_link_send (l, 0, 500, 0, &q, &dropped), ==,
                    1500 * SIM_TIME_MS);
  g_assert_false (dropped);
  g_assert_cmpuint (q, ==, 1000 * SIM_TIME_MS);
  /* 1,500 bytes ahead: this one overflows and is dropped. */
  g_assert_cmpuint (sim_link_send (l, 0, 1, 0, &q, &dropped), ==, 0);
  g_assert_true (dropped);
  g_assert_cmpuint (q, ==, 0);
  /* The drop left no trace: 1 µs past 0.5 s the backlog is just under
   * 1,000 bytes again and a message is queued behind the third. */
  g_assert_cmpuint (
      sim_link_send (l, 0, 1, 500 * SIM_TIME_MS + 1, &q, &dropped), ==,
      1501 * SIM_TIME_MS);
  g_assert_false (dropped);
  /* Other nodes' links are their own. */
  g_assert_cmpuint (sim_link_send (l, 1, 500, 0, &q, &dropped), ==,
                    500 * SIM_TIME_MS);
  g_assert_false (dropped);
  /* Downlink: two messages of 600 bytes fit (600 ahead), a third does
   * not (1,200 ahead). */
  sim_link_receive (l, 0, 600, 0, NULL, &dropped);
  g_assert_false (dropped);
  sim_link_receive (l, 0, 600, 0, NULL, &dropped);
  g_assert_false (dropped);
  g_assert_cmpuint (sim_link_receive (l, 0, 600, 0, &q, &dropped), ==, 0);
  g_assert_true (dropped);
  sim_links_free (l);

  /* Without a buffer nothing is ever dropped. */
  l = sim_links_new (8000, 0);
  for (guint i = 0; i < 100; i++)
    {
      sim_link_send (l, 0, 1000, 0, NULL, &dropped);
      g_assert_false (dropped);
    }
  sim_links_free (l);
}

/* Invalid and valid access_buffer values. */
static void
test_parse_buffer (void)
{
  static const struct
  {
    const char *text;
    gboolean ok;
    guint64 bytes;
  } cases[] = {
    { "off", TRUE, 0 },
    { "1B", TRUE, 1 },
    { "16KB", TRUE, 16000 },
    { "2MB", TRUE, 2000000 },
    { "1000MB", TRUE, SIM_LINK_MAX_BUFFER },
    { "1001MB", FALSE, 0 },
    { "0", FALSE, 0 },
    { "0KB", FALSE, 0 },
    { "-1KB", FALSE, 0 },
    { "16", FALSE, 0 },
    { "16kb", FALSE, 0 },
    { "16 KB", FALSE, 0 },
    { "1.5KB", FALSE, 0 },
    { "KB", FALSE, 0 },
    { "", FALSE, 0 },
    { "99999999999999999999999B", FALSE, 0 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint64 bytes = 7;
      const char *why = NULL;
      gboolean ok = sim_link_parse_buffer (cases[i].text, &bytes, &why);
      g_assert_cmpint (ok, ==, cases[i].ok);
      if (ok)
        g_assert_cmpuint (bytes, ==, cases[i].bytes);
      else
        g_assert_nonnull (why);
    }
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
  g_test_add_func ("/link/buffer-drop-tail", test_buffer_drop_tail);
  g_test_add_func ("/link/parse-buffer", test_parse_buffer);
  for (guint i = 0; i < 4; i++)
    test_add_seeded ("/link/random", test_random, i);
  return g_test_run ();
}
