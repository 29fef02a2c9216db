/* test-node.c — one node's state: named boundary cases, the dictionary
 * interface, removal, repair support and the original library's example.
 * Every mutation is followed by the invariant checker. */
#include <math.h>
#include "ring.h"
#include "pastry-node-private.h"

#include <string.h>

static void
assert_valid (const PastryNode *node)
{
  g_autoptr (GError) error = NULL;
  if (!pastry_node_check (node, &error))
    g_error ("invariant broken: %s", error->message);
}

static PastryId
id_hex (const char *hex)
{
  PastryId id;
  g_assert_true (pastry_id_parse (hex, &id, NULL));
  return id;
}

static PastryId
id_fill (guint8 byte)
{
  guint8 b[16];
  memset (b, byte, sizeof b);
  return pastry_id_from_bytes (b, 16);
}

/* A fresh directory holding self (handle 0) and the given ids. */
static PastryNode *
node_with (PastryDirectory *dir, const PastryConfig *cfg, const char *self,
           const char *const *peers)
{
  PastryId sid = id_hex (self);
  pastry_directory_add (dir, &sid, NULL);
  PastryNode *node = pastry_node_new (cfg, dir, 0);
  for (guint i = 0; peers != NULL && peers[i] != NULL; i++)
    {
      PastryId pid = id_hex (peers[i]);
      PastryPeer p = pastry_directory_add (dir, &pid, NULL);
      pastry_node_insert (node, p, 100 + i);
      assert_valid (node);
    }
  return node;
}

static void
test_config_validate (void)
{
  PastryConfig ok = PASTRY_CONFIG_DEFAULT;
  g_assert_true (pastry_config_validate (&ok, NULL));
  PastryConfig bad[] = { { 0, 16, 32 }, { 9, 16, 32 }, { 4, 15, 32 },
                         { 4, 0, 32 }, { 4, 258, 32 }, { 4, 16, 2000 } };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_assert_false (pastry_config_validate (&bad[i], &error));
      g_assert_error (error, PASTRY_CONFIG_ERROR, PASTRY_CONFIG_ERROR_RANGE);
    }
}

static void
test_empty_node_delivers_locally (void)
{
  g_autoptr (PastryDirectory) dir = pastry_directory_new (NULL);
  PastryConfig cfg = PASTRY_CONFIG_DEFAULT;
  g_autoptr (PastryNode) node = node_with (
      dir, &cfg, "00000000000000000000000000000000", NULL);
  assert_valid (node);
  g_assert_cmpuint (pastry_node_n_rows (node), ==, 0);
  PastryId key = id_hex ("ffffffffffffffffffffffffffffffff");
  PastryHopKind kind;
  g_assert_cmpuint (pastry_node_next_hop (node, &key, &kind), ==, 0);
  g_assert_cmpint (kind, ==, PASTRY_HOP_LOCAL);
  PastryPeer out[4];
  g_assert_cmpuint (pastry_node_route (node, &key, out, 4), ==, 1);
  g_assert_cmpuint (out[0], ==, 0);
  g_assert_cmpuint (pastry_node_route (node, &key, out, 0), ==, 0);
}

static void
test_wraparound_leafset (void)
{
  /* Self at 0; peers just below 2^128 are its left side, small ids right. */
  g_autoptr (PastryDirectory) dir = pastry_directory_new (NULL);
  PastryConfig cfg = { 4, 4, 8 };
  const char *peers[] = { "ffffffffffffffffffffffffffffffff",
                          "fffffffffffffffffffffffffffffffe",
                          "fffffffffffffffffffffffffffffffd",
                          "00000000000000000000000000000001",
                          "00000000000000000000000000000002",
                          "00000000000000000000000000000003", NULL };
  g_autoptr (PastryNode) node = node_with (
      dir, &cfg, "00000000000000000000000000000000", peers);
  const PastryPeer *left, *right;
  g_assert_cmpuint (pastry_node_leafset_side (node, PASTRY_SIDE_LEFT, &left),
                    ==, 2);
  g_assert_cmpuint (pastry_node_leafset_side (node, PASTRY_SIDE_RIGHT,
                                              &right), ==, 2);
  g_assert_cmpuint (left[0], ==, 1);
  g_assert_cmpuint (left[1], ==, 2);
  g_assert_cmpuint (right[0], ==, 4);
  g_assert_cmpuint (right[1], ==, 5);
  /* Range is [fff..fe, 000..02] across zero. */
  PastryId in = id_hex ("ffffffffffffffffffffffffffffffff");
  PastryId out_key = id_hex ("00000000000000000000000000000003");
  g_assert_true (pastry_node_in_leaf_range (node, &in));
  g_assert_false (pastry_node_in_leaf_range (node, &out_key));
  g_assert_cmpuint (pastry_node_leafset_farthest (node, PASTRY_SIDE_LEFT),
                    ==, 2);
  /* Removing a left member refills the side from the table. */
  g_assert_cmpuint (pastry_node_remove_peer (node, 1) & PASTRY_IN_LEAFSET,
                    !=, 0);
  assert_valid (node);
  g_assert_cmpuint (pastry_node_leafset_side (node, PASTRY_SIDE_LEFT, &left),
                    ==, 2);
  g_assert_cmpuint (left[0], ==, 2);
}

static void
test_fewer_than_l_both_sides (void)
{
  /* Three peers with L = 16: every peer is on both sides, and the leaf set
   * covers the ring, so every key is in range and routed to the closest. */
  g_autoptr (PastryDirectory) dir = pastry_directory_new (NULL);
  PastryConfig cfg = PASTRY_CONFIG_DEFAULT;
  const char *peers[] = { "40000000000000000000000000000000",
                          "80000000000000000000000000000000",
                          "c0000000000000000000000000000000", NULL };
  g_autoptr (PastryNode) node = node_with (
      dir, &cfg, "00000000000000000000000000000000", peers);
  g_assert_cmpuint (pastry_node_leafset_side (node, PASTRY_SIDE_LEFT, NULL),
                    ==, 3);
  g_assert_cmpuint (pastry_node_leafset_side (node, PASTRY_SIDE_RIGHT, NULL),
                    ==, 3);
  PastryPeer all[16];
  g_assert_cmpuint (pastry_node_export_leafset (node, all), ==, 3);
  PastryId key = id_hex ("a0000000000000000000000000000000");
  g_assert_true (pastry_node_in_leaf_range (node, &key));
  PastryHopKind kind;
  /* a0.. is equally far from 80.. and c0..: the smaller id wins. */
  g_assert_cmpuint (pastry_node_next_hop (node, &key, &kind), ==, 2);
  g_assert_cmpint (kind, ==, PASTRY_HOP_LEAFSET);
}

static void
test_duplicate_insert_and_pns (void)
{
  g_autoptr (PastryDirectory) dir = pastry_directory_new (NULL);
  PastryConfig cfg = { 4, 2, 2 };
  g_autoptr (PastryNode) node = node_with (
      dir, &cfg, "00000000000000000000000000000000", NULL);
  /* Four peers in the same slot (row 0, column 8). */
  const char *ids[] = { "80000000000000000000000000000000",
                        "81000000000000000000000000000000",
                        "82000000000000000000000000000000",
                        "83000000000000000000000000000000" };
  const guint32 prox[] = { 50, 70, 20, 20 };
  for (guint i = 0; i < 4; i++)
    {
      PastryId id = id_hex (ids[i]);
      pastry_directory_add (dir, &id, NULL);
    }
  g_assert_cmpuint (pastry_node_insert (node, 1, prox[0]) & PASTRY_IN_TABLE,
                    !=, 0);
  assert_valid (node);
  /* The same peer again: no duplicate anywhere. */
  pastry_node_insert (node, 1, prox[0]);
  assert_valid (node);
  g_assert_cmpuint (pastry_node_insert (node, 2, prox[1]) & PASTRY_IN_TABLE,
                    ==, 0);
  g_assert_cmpuint (pastry_node_insert (node, 3, prox[2]) & PASTRY_IN_TABLE,
                    !=, 0);
  /* Equal proximity keeps the incumbent. */
  g_assert_cmpuint (pastry_node_insert (node, 4, prox[3]) & PASTRY_IN_TABLE,
                    ==, 0);
  assert_valid (node);
  PastryEntry e = pastry_node_entry (node, 0, 8);
  g_assert_cmpuint (e.peer, ==, 3);
  g_assert_cmpuint (e.prox, ==, 20);
  /* Neighbourhood set (M = 2) keeps the two closest: 3 then 4. */
  PastryEntry nb[2];
  g_assert_cmpuint (pastry_node_export_neighbours (node, nb), ==, 2);
  g_assert_cmpuint (nb[0].peer, ==, 3);
  g_assert_cmpuint (nb[1].peer, ==, 4);
  /* Self is never inserted. */
  g_assert_cmpuint (pastry_node_insert (node, 0, 1), ==, 0);
}

/* Proximity is stored in 16 bits: exact below 4096, else within 1/2048;
 * candidates more than that apart are still told apart, in the table and
 * in the neighbourhood set, and ties keep the incumbent. */
static void
test_proximity_precision (void)
{
  g_autoptr (PastryDirectory) dir = pastry_directory_new (NULL);
  PastryConfig cfg = { 4, 2, 8 };
  g_autoptr (PastryNode) node = node_with (
      dir, &cfg, "00000000000000000000000000000000", NULL);
  for (guint i = 0; i < 200; i++)
    {
      PastryId id = { (guint64) (0x80 + (i & 0x7f)) << 56 | i, 0 };
      if (i >= 128)
        id.hi = (guint64) 0x40 << 56 | i; /* a second slot: row 0, col 4 */
      pastry_directory_add (dir, &id, NULL);
    }
  /* Exact below 4096: 4094 beats 4095. */
  pastry_node_insert (node, 1, 4095);
  g_assert_cmpuint (pastry_node_entry (node, 0, 8).prox, ==, 4095);
  pastry_node_insert (node, 2, 4094);
  g_assert_cmpuint (pastry_node_entry (node, 0, 8).peer, ==, 2);
  g_assert_cmpuint (pastry_node_entry (node, 0, 8).prox, ==, 4094);
  /* Large values: every stored value is within 1/2048 of the truth. */
  guint32 values[] = { 4097, 10000, 123457, 1000003, 50000017, 4000000000u };
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      PastryPeer p = 129 + i;
      PastryPeer old = pastry_node_entry (node, 0, 4).peer;
      if (old != PASTRY_PEER_NONE)
        pastry_node_remove_peer (node, old);
      g_assert_cmpuint (pastry_node_insert (node, p, values[i])
                          & PASTRY_IN_TABLE, !=, 0);
      PastryEntry e = pastry_node_entry (node, 0, 4);
      g_assert_cmpuint (e.peer, ==, p);
      double rel = fabs ((double) e.prox - values[i]) / values[i];
      g_assert_cmpfloat (rel, <=, 1.0 / 2048);
      /* Anything in the same bucket ties and the incumbent stays; 0.1 %
       * closer is two buckets away and replaces it. */
      guint32 tie = e.prox;
      g_assert_cmpuint (pastry_node_insert (node, 150 + i, tie)
                          & PASTRY_IN_TABLE, ==, 0);
      guint32 better = values[i] - values[i] / 1000;
      if (values[i] > 4096 * 2)
        g_assert_cmpuint (pastry_node_insert (node, 170 + i, better)
                            & PASTRY_IN_TABLE, !=, 0);
      assert_valid (node);
    }
}

static void
test_remove_unknown (void)
{
  g_autoptr (PastryDirectory) dir = pastry_directory_new (NULL);
  PastryConfig cfg = PASTRY_CONFIG_DEFAULT;
  const char *peers[] = { "40000000000000000000000000000000", NULL };
  g_autoptr (PastryNode) node = node_with (
      dir, &cfg, "00000000000000000000000000000000", peers);
  PastryId never = id_hex ("12345678123456781234567812345678");
  g_assert_false (pastry_node_remove (node, &never));
  PastryId known = id_hex (peers[0]);
  g_assert_true (pastry_node_remove (node, &known));
  assert_valid (node);
  g_assert_false (pastry_node_remove (node, &known));
  g_assert_cmpuint (pastry_node_where (node, 1), ==, 0);
}

static void
test_last_row_short_digit (void)
{
  /* b = 3: the last row (42) has 4 columns.  Two ids that differ only in
   * the last bit land there. */
  g_autoptr (PastryDirectory) dir = pastry_directory_new (NULL);
  PastryConfig cfg = { 3, 2, 0 };
  const char *peers[] = { "00000000000000000000000000000001", NULL };
  g_autoptr (PastryNode) node = node_with (
      dir, &cfg, "00000000000000000000000000000000", peers);
  g_assert_cmpuint (pastry_node_n_rows (node), ==, 43);
  PastryEntry e = pastry_node_entry (node, 42, 1);
  g_assert_cmpuint (e.peer, ==, 1);
  PastryEntry row[8];
  g_assert_cmpuint (pastry_node_export_row (node, 42, row), ==, 1);
  PastryPeer cand[8];
  g_assert_cmpuint (pastry_node_repair_candidates (node, 42, 1, cand, 8), ==,
                    0);
}

static void
test_repair_candidates_order (void)
{
  g_autoptr (PastryDirectory) dir = pastry_directory_new (NULL);
  PastryConfig cfg = { 4, 2, 0 };
  const char *peers[] = { "10000000000000000000000000000000",
                          "20000000000000000000000000000000",
                          "01000000000000000000000000000000",
                          "30000000000000000000000000000000", NULL };
  g_autoptr (PastryNode) node = node_with (
      dir, &cfg, "00000000000000000000000000000000", peers);
  PastryPeer cand[8];
  /* Slot (0, 2) failed: ask row 0's others in column order, then row 1. */
  guint n = pastry_node_repair_candidates (node, 0, 2, cand, 8);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpuint (cand[0], ==, 1);
  g_assert_cmpuint (cand[1], ==, 4);
  g_assert_cmpuint (cand[2], ==, 3);
}

static gpointer
addr (const char *host, int port)
{
  return g_strdup_printf ("('%s', %d)", host, port);
}

static void
collect_values (const PastryNode *node, const PastryPeer *peers, guint n,
                GString *out)
{
  for (guint i = 0; i < n; i++)
    g_string_append_printf (out, "%s%s", i ? " " : "",
                            (const char *) pastry_directory_value
                            (pastry_node_directory (node), peers[i]));
}

/* The original Python library's README example.  The node's own id is the
 * 16 ASCII bytes "myid1111myid2222" (0x6d79...), far from both peers.  Our
 * results match the Python output on all five routes.  One difference in
 * principle: Python's route() lists every peer, while ours lists only peers
 * that make progress after the paper's choice; here every peer shares more
 * of the key's prefix than self (digit 0 is 0 for all keys), so all of them
 * qualify and the outputs coincide. */
static void
test_python_readme_example (void)
{
  g_autoptr (PastryDirectory) dir = pastry_directory_new (g_free);
  PastryConfig cfg = PASTRY_CONFIG_DEFAULT;
  PastryId self = pastry_id_from_bytes ((const guint8 *) "myid1111myid2222",
                                        16);
  pastry_directory_add (dir, &self, NULL);
  g_autoptr (PastryNode) node = pastry_node_new (&cfg, dir, 0);
  PastryId ids[2] = { id_fill (0x01), id_fill (0x02) };
  gpointer values[2] = { addr ("8.8.8.8", 8080), addr ("8.8.4.4", 5353) };
  pastry_node_update (node, ids, values, 2);
  assert_valid (node);

  gpointer v = NULL;
  g_assert_true (pastry_node_get (node, &ids[0], &v));
  g_assert_cmpstr (v, ==, "('8.8.8.8', 8080)");

  struct
  {
    guint8 key[16];
    gsize len;
    const char *expect;
  } cases[] = {
    { { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0 }, 16,
      "('8.8.8.8', 8080) ('8.8.4.4', 5353)" },
    { { 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0 }, 16,
      "('8.8.4.4', 5353) ('8.8.8.8', 8080)" },
    { { 0 }, 16, "('8.8.8.8', 8080) ('8.8.4.4', 5353)" },
    { { 0 }, 0, "('8.8.8.8', 8080) ('8.8.4.4', 5353)" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      PastryId key = pastry_id_from_bytes (cases[i].key, cases[i].len);
      PastryPeer out[5];
      guint n = pastry_node_route (node, &key, out, 5);
      g_autoptr (GString) got = g_string_new (NULL);
      collect_values (node, out, n, got);
      g_assert_cmpstr (got->str, ==, cases[i].expect);
    }

  PastryId three = id_fill (0x03);
  gpointer onion = addr ("abcdabcdabcdabcd.onion", 12345);
  pastry_node_update (node, &three, &onion, 1);
  assert_valid (node);
  const guint8 k3 = 0x03;
  PastryId key = pastry_id_from_bytes (&k3, 1);
  PastryPeer out[5];
  guint n = pastry_node_route (node, &key, out, 5);
  g_autoptr (GString) got = g_string_new (NULL);
  collect_values (node, out, n, got);
  g_assert_cmpstr (got->str, ==,
                   "('abcdabcdabcdabcd.onion', 12345) ('8.8.4.4', 5353) "
                   "('8.8.8.8', 8080)");
  /* n limits the answer. */
  g_assert_cmpuint (pastry_node_route (node, &key, out, 2), ==, 2);

  /* Updating a known id replaces its value. */
  gpointer nv = addr ("9.9.9.9", 53);
  pastry_node_update (node, &ids[0], &nv, 1);
  g_assert_true (pastry_node_get (node, &ids[0], &v));
  g_assert_cmpstr (v, ==, "('9.9.9.9', 53)");
  /* An unknown id is not found. */
  PastryId absent = id_fill (0x04);
  g_assert_false (pastry_node_get (node, &absent, NULL));
}

/* Mutations in random order keep the invariants; removals keep the leaf
 * set maximal over the remaining known peers. */
static void
test_random_mutations (gconstpointer data)
{
  guint64 seed = *(const guint64 *) data;
  TestRng rng = { seed };
  g_autoptr (PastryDirectory) dir = pastry_directory_new (NULL);
  PastryConfig cfg = { (guint) (1 + test_rng_below (&rng, 8)), 8, 8 };
  PastryId self = test_rng_id (&rng);
  pastry_directory_add (dir, &self, NULL);
  g_autoptr (PastryNode) node = pastry_node_new (&cfg, dir, 0);
  for (guint i = 0; i < 300; i++)
    {
      PastryId id = test_rng_id (&rng);
      /* Some ids close to self, so leaf sets and deep rows get exercised. */
      if (i % 3 == 0)
        id.lo = self.lo + test_rng_below (&rng, 1000) - 500, id.hi = self.hi;
      /* Handles must name distinct ids (the directory's contract). */
      if (pastry_directory_find (dir, &id) != PASTRY_PEER_NONE)
        id.hi ^= G_GUINT64_CONSTANT (1) << 63;
      pastry_directory_add (dir, &id, NULL);
    }
  for (guint step = 0; step < 2000; step++)
    {
      PastryPeer p = 1 + (PastryPeer) test_rng_below (&rng, 300);
      if (test_rng_below (&rng, 3) == 0)
        pastry_node_remove_peer (node, p);
      else
        pastry_node_insert (node, p, (guint32) test_rng_below (&rng, 1000));
      assert_valid (node);
    }
}

/* Asserts that a and b (over one directory) hold the same state, in the
 * same order, slot by slot. */
static void
assert_same_state (const PastryNode *a, const PastryNode *b, guint bits,
                   guint step)
{
  g_assert_cmpuint (pastry_node_n_rows (a), ==, pastry_node_n_rows (b));
  for (guint r = 0; r < pastry_node_n_rows (a); r++)
    for (guint c = 0; c < (1u << bits); c++)
      {
        PastryEntry ea = pastry_node_entry (a, r, c);
        PastryEntry eb = pastry_node_entry (b, r, c);
        if (ea.peer != eb.peer || ea.prox != eb.prox)
          g_error ("step %u: table (%u,%u) differs", step, r, c);
      }
  for (guint s = 0; s < 2; s++)
    {
      const PastryPeer *sa, *sb;
      guint na = pastry_node_leafset_side (a, s, &sa);
      guint nb = pastry_node_leafset_side (b, s, &sb);
      if (na != nb || memcmp (sa, sb, na * sizeof (PastryPeer)) != 0)
        g_error ("step %u: leaf side %u differs", step, s);
    }
  PastryEntry na[64], nb[64];
  guint ka = pastry_node_export_neighbours (a, na);
  guint kb = pastry_node_export_neighbours (b, nb);
  g_assert_cmpuint (ka, ==, kb);
  for (guint i = 0; i < ka; i++)
    if (na[i].peer != nb[i].peer || na[i].prox != nb[i].prox)
      g_error ("step %u: neighbour %u differs", step, i);
  g_assert_true (pastry_node_in_leaf_range (a, pastry_node_id (b))
                 == pastry_node_in_leaf_range (b, pastry_node_id (a)));
}

/* Oracle: pastry_node_remove_peer (one pass over the known peers) leaves
 * exactly the state of the reference refill (every known peer offered to
 * both sides), on random configurations and operations, including
 * handles that share an id (where the fast refill must hand over to the
 * reference); pastry_node_offer agrees with pastry_node_where and
 * pastry_node_insert.  Seed in the test path; PASTRYSIM_TEST_SEED
 * replays. */
static void
test_remove_oracle (gconstpointer data)
{
  guint64 seed = *(const guint64 *) data;
  TestRng rng = { seed };
  static const guint leaf_sizes[] = { 2, 4, 8, 16, 32 };
  static const guint neigh_sizes[] = { 0, 1, 8, 32 };
  for (guint round = 0; round < 40; round++)
    {
      g_autoptr (PastryDirectory) dir = pastry_directory_new (NULL);
      PastryConfig cfg = {
        (guint) (1 + test_rng_below (&rng, 8)),
        leaf_sizes[test_rng_below (&rng, G_N_ELEMENTS (leaf_sizes))],
        neigh_sizes[test_rng_below (&rng, G_N_ELEMENTS (neigh_sizes))],
      };
      gboolean shared_ids = round % 4 == 3;
      PastryId self = test_rng_id (&rng);
      pastry_directory_add (dir, &self, NULL);
      guint n_peers = 20 + (guint) test_rng_below (&rng, 300);
      for (guint i = 0; i < n_peers; i++)
        {
          PastryId id = test_rng_id (&rng);
          if (i % 2 == 0)
            id.lo = self.lo + test_rng_below (&rng, 4000) - 2000,
            id.hi = self.hi;
          if (shared_ids && i > 0 && test_rng_below (&rng, 8) == 0)
            id = *pastry_directory_id (
                dir, 1 + (PastryPeer) test_rng_below (&rng, i));
          else
            while (pastry_directory_find (dir, &id) != PASTRY_PEER_NONE)
              id.hi ^= test_rng_next (&rng) | 1;
          pastry_directory_add (dir, &id, NULL);
        }
      g_autoptr (PastryNode) fast = pastry_node_new (&cfg, dir, 0);
      g_autoptr (PastryNode) ref = pastry_node_new (&cfg, dir, 0);
      for (guint step = 0; step < 600; step++)
        {
          PastryPeer p = 1 + (PastryPeer) test_rng_below (&rng, n_peers);
          if (test_rng_below (&rng, 3) == 0)
            g_assert_cmpuint (pastry_node_remove_peer (fast, p), ==,
                              pastry__node_remove_peer_reference (ref, p));
          else
            {
              guint32 prox = test_rng_below (&rng, 5) == 0
                               ? PASTRY_PROX_UNKNOWN
                               : (guint32) test_rng_below (&rng, 100000);
              /* pastry_node_offer's "before" is pastry_node_where's
               * answer, and its result pastry_node_insert's. */
              guint was = pastry_node_where (ref, p), before = 99;
              g_assert_cmpuint (pastry_node_where (fast, p), ==, was);
              g_assert_cmpuint (pastry_node_offer (fast, p, prox, &before),
                                ==, pastry_node_insert (ref, p, prox));
              g_assert_cmpuint (before, ==, was);
            }
          assert_same_state (fast, ref, cfg.b, step);
          if (!shared_ids)
            assert_valid (fast);
        }
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/node/config-validate", test_config_validate);
  g_test_add_func ("/node/empty-delivers-locally",
                   test_empty_node_delivers_locally);
  g_test_add_func ("/node/wraparound-leafset", test_wraparound_leafset);
  g_test_add_func ("/node/fewer-than-l-both-sides",
                   test_fewer_than_l_both_sides);
  g_test_add_func ("/node/duplicate-insert-and-pns",
                   test_duplicate_insert_and_pns);
  g_test_add_func ("/node/remove-unknown", test_remove_unknown);
  g_test_add_func ("/node/proximity-precision", test_proximity_precision);
  g_test_add_func ("/node/last-row-short-digit", test_last_row_short_digit);
  g_test_add_func ("/node/repair-candidates-order",
                   test_repair_candidates_order);
  g_test_add_func ("/node/python-readme-example", test_python_readme_example);
  const char *env = g_getenv ("PASTRYSIM_TEST_SEED");
  static guint64 seeds[4];
  guint64 base = env != NULL ? g_ascii_strtoull (env, NULL, 10)
                             : (guint64) g_get_real_time ();
  /* A replay (PASTRYSIM_TEST_SEED=S) runs seed S itself, once: the seed
   * a test's name shows is the seed that replays it. */
  guint n_seeds = env != NULL ? 1 : G_N_ELEMENTS (seeds);
  for (guint i = 0; i < n_seeds; i++)
    {
      seeds[i] = base + i;
      char *name = g_strdup_printf ("/node/random-mutations/seed=%"
                                    G_GUINT64_FORMAT, seeds[i]);
      g_test_add_data_func (name, &seeds[i], test_random_mutations);
      g_free (name);
      name = g_strdup_printf ("/node/remove-oracle/seed=%" G_GUINT64_FORMAT,
                              seeds[i]);
      g_test_add_data_func (name, &seeds[i], test_remove_oracle);
      g_free (name);
    }
  return g_test_run ();
}
