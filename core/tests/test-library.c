/* test-library.c — PastryLibrary, the original Python library's node:
 * named cases (the library's README example, boundary keys, key lengths,
 * update and remove, the leaf set), the two worked examples of
 * core/README.md against both PastryLibrary and the paper's PastryNode, a
 * randomised brute-force oracle (its seed is in the test name; set
 * PASTRYSIM_TEST_SEED to replay another), the vectors
 * reader's invalid-input table, and the recorded vectors themselves.
 * Every mutation is followed by the invariant checker.
 *
 * The vectors are read from $PASTRY_SEED_VECTORS when set, else from
 * $PASTRYSIM_SHARED_DATA/seed-route/vectors.jsonl (skipped when absent).
 */
#include "ring.h"
#include "pastry-library.h"
#include "seed-replay.h"
#include "seed-vectors.h"

#include <glib/gstdio.h>
#include <string.h>

static void
assert_valid (const PastryLibrary *lib)
{
  g_autoptr (GError) error = NULL;
  if (!pastry_library_check (lib, &error))
    g_error ("invariant broken: %s", error->message);
}

static PastryId
id_fill (guint8 byte)
{
  guint8 b[16];
  memset (b, byte, sizeof b);
  return pastry_id_from_bytes (b, 16);
}

static PastryId
id_hex (const char *hex)
{
  PastryId id;
  g_assert_true (pastry_id_parse (hex, &id, NULL));
  return id;
}

/* Values are small integers boxed as pointers (never 0, which is NULL, the
 * library's None); the destroy counter checks who frees what. */
static guint destroyed;

static void
count_destroy (gpointer v)
{
  destroyed++;
}

#define V(x) GINT_TO_POINTER (x)

/* The route of lib for key as "v1 v2 ..." (values) — or "error". */
static char *
route_str (const PastryLibrary *lib, const guint8 *key, gsize len, guint n)
{
  PastryLibraryPeer out[64];
  guint n_out = 99;
  g_assert_cmpuint (n, <=, G_N_ELEMENTS (out));
  if (!pastry_library_route (lib, key, len, out, n, &n_out, NULL))
    {
      g_assert_cmpuint (n_out, ==, 0);
      return g_strdup ("error");
    }
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < n_out; i++)
    g_string_append_printf (s, "%s%d", i ? " " : "",
                            GPOINTER_TO_INT (out[i].value));
  return g_string_free (s, FALSE);
}

static void
assert_route (const PastryLibrary *lib, const guint8 *key, gsize len,
              guint n, const char *want)
{
  g_autofree char *got = route_str (lib, key, len, n);
  g_assert_cmpstr (got, ==, want);
}

/* The leaf set as "hex hex ..." (first two hex digits of each id). */
static char *
leaf_str (const PastryLibrary *lib)
{
  PastryId ids[64];
  guint n = pastry_library_leaf_ids (lib, ids, G_N_ELEMENTS (ids));
  g_assert_cmpuint (n, ==, MIN (pastry_library_leaf_len (lib), 64));
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    {
      char hex[PASTRY_ID_HEX_LEN + 1];
      pastry_id_format (&ids[i], hex);
      g_string_append_printf (s, "%s%.2s", i ? " " : "", hex);
    }
  return g_string_free (s, FALSE);
}

/* ---- Named cases ---- */

/* The library's README: self "myid1111myid2222", peers 01…01 and 02…02,
 * then 03…03 by update.  The expected orders follow from the rule. */
static void
test_readme_example (void)
{
  PastryId self = pastry_id_from_bytes ((const guint8 *) "myid1111myid2222",
                                        16);
  PastryLibraryPeer peers[] = { { id_fill (1), V (1) }, { id_fill (2), V (2) } };
  g_autoptr (PastryLibrary) lib = pastry_library_new (&self, peers, 2, 8,
                                                      NULL);
  assert_valid (lib);
  PastryLibraryPeer more[] = { { id_fill (3), V (3) } };
  pastry_library_update (lib, more, 1);
  assert_valid (lib);

  guint8 k1[16], k2[16];
  memset (k1, 1, 16), k1[15] = 0;
  memset (k2, 2, 16), k2[15] = 0;
  assert_route (lib, k1, 16, 5, "1 2 3");
  assert_route (lib, k2, 16, 5, "2 1 3");
  assert_route (lib, (const guint8 *) "\0", 1, 5, "1 2 3");
  assert_route (lib, NULL, 0, 5, "1 2 3");
  assert_route (lib, (const guint8 *) "\3", 1, 5, "3 2 1");
  g_autofree char *leaf = leaf_str (lib);
  g_assert_cmpstr (leaf, ==, "01 03 02"); /* XOR with 6d…: 6c, 6e, 6f */
}

/* Keys 00…00 and ff…ff: no wrap-around, so for ff…ff the peer 00…00 is
 * last and for 00…00 the peer ff…ff is last; n = 0 returns nothing and n
 * past |S| returns all of S. */
static void
test_boundary_keys (void)
{
  PastryId self = id_fill (0x80);
  PastryLibraryPeer peers[] = {
    { id_fill (0x00), V (1) },
    { id_fill (0xff), V (2) },
    { id_hex ("7f000000000000000000000000000000"), V (3) },
    { id_hex ("80000000000000000000000000000000"), V (4) },
  };
  g_autoptr (PastryLibrary) lib = pastry_library_new (&self, peers, 4, 8,
                                                      NULL);
  assert_valid (lib);
  guint8 zero[16] = { 0 }, ones[16];
  memset (ones, 0xff, 16);
  /* Ranks of byte 0 for key 00: 00→0, 7f→254, 80→256, ff→510. */
  assert_route (lib, zero, 16, 10, "1 3 4 2");
  /* For key ff: ff→0, 80→253, 7f→255, 00→509. */
  assert_route (lib, ones, 16, 10, "2 4 3 1");
  assert_route (lib, ones, 16, 0, "");
  assert_route (lib, ones, 16, 1, "2");
  assert_route (lib, ones, 16, 4, "2 4 3 1");
  /* One digit below ff on the last byte only. */
  ones[15] = 0xfe;
  assert_route (lib, ones, 16, 10, "2 4 3 1");
}

/* Key lengths: empty equals all-zero, 16 is accepted, 17 is an error. */
static void
test_key_lengths (void)
{
  PastryId self = id_fill (0x10);
  PastryLibraryPeer peers[] = { { id_fill (0x01), V (1) },
                                { id_fill (0x00), V (2) } };
  g_autoptr (PastryLibrary) lib = pastry_library_new (&self, peers, 2, 8,
                                                      NULL);
  assert_valid (lib);
  guint8 key[17] = { 0 };
  assert_route (lib, key, 0, 5, "2 1");
  assert_route (lib, key, 16, 5, "2 1");
  assert_route (lib, key, 1, 5, "2 1");

  PastryLibraryPeer out[2];
  guint n_out = 7;
  g_autoptr (GError) error = NULL;
  g_assert_false (pastry_library_route (lib, key, 17, out, 2, &n_out,
                                        &error));
  g_assert_error (error, PASTRY_LIBRARY_ERROR,
                  PASTRY_LIBRARY_ERROR_KEY_TOO_LONG);
  g_assert_cmpuint (n_out, ==, 0);
  g_assert_nonnull (strstr (error->message, "17"));
}

/* An update of a known id keeps one entry, its place in both orders and
 * takes the new value (the old one is destroyed); a repeated id in a batch
 * or in the constructor keeps the last value. */
static void
test_update_existing (void)
{
  PastryId self = id_fill (0x40);
  destroyed = 0;
  PastryLibraryPeer peers[] = { { id_fill (0x01), V (1) },
                                { id_fill (0x02), V (2) },
                                { id_fill (0x01), V (11) } };
  g_autoptr (PastryLibrary) lib = pastry_library_new (&self, peers, 3, 8,
                                                      count_destroy);
  assert_valid (lib);
  g_assert_cmpuint (destroyed, ==, 1); /* V (1), replaced by V (11) */
  g_assert_cmpuint (pastry_library_size (lib), ==, 2);
  guint8 key[1] = { 0x01 };
  assert_route (lib, key, 1, 5, "11 2");
  g_autofree char *leaf0 = leaf_str (lib);

  PastryLibraryPeer batch[] = { { id_fill (0x02), V (20) },
                                { id_fill (0x03), V (3) },
                                { id_fill (0x02), V (22) } };
  pastry_library_update (lib, batch, 3);
  assert_valid (lib);
  g_assert_cmpuint (destroyed, ==, 3); /* V (2), then V (20) */
  g_assert_cmpuint (pastry_library_size (lib), ==, 3);
  assert_route (lib, key, 1, 5, "11 22 3");
  gpointer v = NULL;
  g_assert_true (pastry_library_get (lib, &batch[0].id, &v));
  g_assert_cmpint (GPOINTER_TO_INT (v), ==, 22);
  g_autofree char *leaf1 = leaf_str (lib);
  g_assert_cmpstr (leaf0, ==, "01 02");
  g_assert_cmpstr (leaf1, ==, "01 02 03"); /* XOR 41, 42, 43 */

  /* Giving the same pointer again must not destroy it. */
  PastryLibraryPeer same[] = { { id_fill (0x03), V (3) } };
  pastry_library_update (lib, same, 1);
  assert_valid (lib);
  g_assert_cmpuint (destroyed, ==, 3);
  pastry_library_free (g_steal_pointer (&lib));
  g_assert_cmpuint (destroyed, ==, 6);
}

/* The node's own id is a peer only when given as one, and then like any
 * other; the node's id itself never changes. */
static void
test_update_own_id (void)
{
  PastryId self = id_fill (0x33);
  PastryLibraryPeer peers[] = { { id_fill (0x30), V (1) } };
  g_autoptr (PastryLibrary) lib = pastry_library_new (&self, peers, 1, 8,
                                                      NULL);
  assert_valid (lib);
  guint8 key[16];
  memset (key, 0x33, 16);
  g_assert_false (pastry_library_get (lib, &self, NULL));
  assert_route (lib, key, 16, 5, "1");
  g_assert_false (pastry_library_in_leaf (lib, &self));

  PastryLibraryPeer me[] = { { self, V (9) } };
  pastry_library_update (lib, me, 1);
  assert_valid (lib);
  g_assert_true (pastry_id_equal (pastry_library_self (lib), &self));
  gpointer v = NULL;
  g_assert_true (pastry_library_get (lib, &self, &v));
  g_assert_cmpint (GPOINTER_TO_INT (v), ==, 9);
  assert_route (lib, key, 16, 5, "9 1");
  g_autofree char *leaf = leaf_str (lib);
  g_assert_cmpstr (leaf, ==, "33 30"); /* XOR distance 0 first */

  /* Given to the constructor, it is in S and in the leaf set too. */
  g_autoptr (PastryLibrary) lib2 = pastry_library_new (&self, me, 1, 8, NULL);
  assert_valid (lib2);
  g_assert_cmpuint (pastry_library_leaf_len (lib2), ==, 1);
  assert_route (lib2, key, 16, 5, "9");
}

/* Remove deletes from both structures, nothing refills the leaf set; an
 * unknown id is refused without change. */
static void
test_remove (void)
{
  PastryId self = id_fill (0x00);
  PastryLibraryPeer peers[10];
  for (guint i = 0; i < 10; i++)
    {
      peers[i].id = id_fill ((guint8) (i + 1));
      peers[i].value = V ((int) i + 1);
    }
  g_autoptr (PastryLibrary) lib = pastry_library_new (&self, peers, 10, 8,
                                                      NULL);
  assert_valid (lib);
  g_autofree char *leaf0 = leaf_str (lib);
  g_assert_cmpstr (leaf0, ==, "01 02 03 04 05 06 07 08");
  g_assert_false (pastry_library_in_leaf (lib, &peers[8].id));

  g_assert_true (pastry_library_remove (lib, &peers[1].id));
  assert_valid (lib);
  g_assert_false (pastry_library_remove (lib, &peers[1].id));
  assert_valid (lib);
  g_assert_false (pastry_library_get (lib, &peers[1].id, NULL));
  g_assert_cmpuint (pastry_library_size (lib), ==, 9);
  g_autofree char *leaf1 = leaf_str (lib);
  g_assert_cmpstr (leaf1, ==, "01 03 04 05 06 07 08");
  guint8 key[1] = { 0x02 };
  assert_route (lib, key, 1, 3, "1 3 4");

  /* A peer outside the leaf set goes from S only. */
  g_assert_true (pastry_library_remove (lib, &peers[9].id));
  assert_valid (lib);
  g_assert_cmpuint (pastry_library_leaf_len (lib), ==, 7);
  key[0] = 0x0a;
  assert_route (lib, key, 1, 2, "9 8");

  /* Removing everything leaves an empty node that routes nowhere. */
  for (guint i = 0; i < 10; i++)
    {
      pastry_library_remove (lib, &peers[i].id);
      assert_valid (lib);
    }
  g_assert_cmpuint (pastry_library_size (lib), ==, 0);
  g_assert_cmpuint (pastry_library_leaf_len (lib), ==, 0);
  assert_route (lib, key, 1, 5, "");
}

/* The constructor keeps the leaf_cap XOR-closest; update never prunes. */
static void
test_leaf_capacity (void)
{
  PastryId self = id_hex ("f0000000000000000000000000000000");
  PastryLibraryPeer peers[12];
  for (guint i = 0; i < 12; i++)
    {
      /* Ids 0x_0 00…: XOR with f0 gives f0, e0, …; the closest are the
       * largest. */
      guint8 b[16] = { (guint8) (i << 4) };
      peers[i].id = pastry_id_from_bytes (b, 16);
      peers[i].value = V ((int) i + 1);
    }
  g_autoptr (PastryLibrary) lib = pastry_library_new (&self, peers, 12, 8,
                                                      NULL);
  assert_valid (lib);
  g_assert_cmpuint (pastry_library_size (lib), ==, 12);
  g_autofree char *leaf0 = leaf_str (lib);
  g_assert_cmpstr (leaf0, ==, "b0 a0 90 80 70 60 50 40");

  /* The farthest (00…, XOR f0…) enters by update: 9, no pruning. */
  pastry_library_update (lib, peers, 1);
  assert_valid (lib);
  g_autofree char *leaf1 = leaf_str (lib);
  g_assert_cmpstr (leaf1, ==, "b0 a0 90 80 70 60 50 40 00");

  /* Capacity 0: an empty leaf set until an update. */
  g_autoptr (PastryLibrary) lib0 = pastry_library_new (&self, peers, 12, 0,
                                                       NULL);
  assert_valid (lib0);
  g_assert_cmpuint (pastry_library_leaf_len (lib0), ==, 0);

  /* No peers at all. */
  g_autoptr (PastryLibrary) none = pastry_library_new (&self, NULL, 0, 8,
                                                       NULL);
  assert_valid (none);
  g_assert_cmpuint (pastry_library_leaf_len (none), ==, 0);
  assert_route (none, NULL, 0, 5, "");
}

/* A NULL value (the library's None) is known but skipped by route. */
static void
test_null_value (void)
{
  PastryId self = id_fill (0x00);
  PastryLibraryPeer peers[] = { { id_fill (0x01), NULL },
                                { id_fill (0x02), V (2) } };
  g_autoptr (PastryLibrary) lib = pastry_library_new (&self, peers, 2, 8,
                                                      NULL);
  assert_valid (lib);
  gpointer v = V (5);
  g_assert_true (pastry_library_get (lib, &peers[0].id, &v));
  g_assert_null (v);
  guint8 key[1] = { 0x01 };
  assert_route (lib, key, 1, 5, "2");
  assert_route (lib, key, 1, 1, "2");
  g_assert_cmpuint (pastry_library_leaf_len (lib), ==, 2);
}

/* ---- core/README.md's worked examples (library vs paper) ---- */

/* The paper node's route for key over peers, as "hex2 hex2 ..." (first
 * byte of each id). */
static char *
paper_route (const char *self_hex, const char *const *peers, guint n_peers,
             const PastryId *key)
{
  g_autoptr (PastryDirectory) dir = pastry_directory_new (NULL);
  PastryConfig cfg = PASTRY_CONFIG_DEFAULT;
  PastryId sid = id_hex (self_hex);
  pastry_directory_add (dir, &sid, NULL);
  g_autoptr (PastryNode) node = pastry_node_new (&cfg, dir, 0);
  for (guint i = 0; i < n_peers; i++)
    {
      PastryId pid = id_hex (peers[i]);
      pastry_node_insert (node, pastry_directory_add (dir, &pid, NULL), 1);
    }
  PastryPeer out[8];
  guint n = pastry_node_route (node, key, out, 8);
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    {
      char hex[PASTRY_ID_HEX_LEN + 1];
      pastry_id_format (pastry_directory_id (dir, out[i]), hex);
      g_string_append_printf (s, "%s%.2s", i ? " " : "", hex);
    }
  return g_string_free (s, FALSE);
}

static char *
library_route (const char *self_hex, const char *const *peers,
               guint n_peers, const guint8 *key)
{
  PastryId sid = id_hex (self_hex);
  PastryLibraryPeer pairs[8];
  for (guint i = 0; i < n_peers; i++)
    {
      pairs[i].id = id_hex (peers[i]);
      pairs[i].value = V ((int) i + 1);
    }
  g_autoptr (PastryLibrary) lib = pastry_library_new (&sid, pairs, n_peers,
                                                      8, NULL);
  PastryLibraryPeer out[8];
  guint n = 0;
  g_assert_true (pastry_library_route (lib, key, 16, out, 8, &n, NULL));
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    {
      char hex[PASTRY_ID_HEX_LEN + 1];
      pastry_id_format (&out[i].id, hex);
      g_string_append_printf (s, "%s%.2s", i ? " " : "", hex);
    }
  return g_string_free (s, FALSE);
}

/* Example 1 of core/README.md: key ff…ff, peers 00…00 and f0 00…00.  No
 * wrap-around in the library: 00…00 comes last; on the paper's ring it is
 * 1 away from the key, so it is the root and comes first. */
static void
test_doc_example_wrap (void)
{
  const char *self = "80000000000000000000000000000000";
  const char *peers[] = { "00000000000000000000000000000000",
                          "f0000000000000000000000000000000" };
  guint8 key[16];
  memset (key, 0xff, 16);
  PastryId kid = pastry_id_from_bytes (key, 16);
  g_autofree char *lib = library_route (self, peers, 2, key);
  g_autofree char *paper = paper_route (self, peers, 2, &kid);
  g_assert_cmpstr (lib, ==, "f0 00");
  g_assert_cmpstr (paper, ==, "00 f0");
}

/* Example 2: key 7f ff…ff, peers 80 00…00 (no shared prefix, 1 away on
 * the ring) and 7f 00…00 (shares one byte, about 2^120 away).  The library
 * ranks prefix first; the paper's node delivers to the numerically closest
 * and lists the longer prefix second. */
static void
test_doc_example_prefix (void)
{
  const char *self = "20000000000000000000000000000000";
  const char *peers[] = { "80000000000000000000000000000000",
                          "7f000000000000000000000000000000" };
  guint8 key[16];
  memset (key, 0xff, 16);
  key[0] = 0x7f;
  PastryId kid = pastry_id_from_bytes (key, 16);
  g_autofree char *lib = library_route (self, peers, 2, key);
  g_autofree char *paper = paper_route (self, peers, 2, &kid);
  g_assert_cmpstr (lib, ==, "7f 80");
  g_assert_cmpstr (paper, ==, "80 7f");
}

/* ---- Randomised oracle ---- */

static guint64 oracle_seed = 20240513;

/* Independent of pastry_library_cmp: the full 16-rank tuples. */
static const guint8 *oracle_key;

static void
ranks_of (const PastryId *id, const guint8 *key, guint r[16])
{
  guint8 b[16];
  pastry_id_to_bytes (id, b);
  for (guint i = 0; i < 16; i++)
    {
      int d = (int) b[i] - (int) key[i];
      r[i] = d == 0 ? 0 : d < 0 ? (guint) (-2 * d - 1) : (guint) (2 * d);
    }
}

static gint
oracle_cmp (gconstpointer a, gconstpointer b)
{
  guint ra[16], rb[16];
  ranks_of (&((const PastryLibraryPeer *) a)->id, oracle_key, ra);
  ranks_of (&((const PastryLibraryPeer *) b)->id, oracle_key, rb);
  for (guint i = 0; i < 16; i++)
    if (ra[i] != rb[i])
      return ra[i] < rb[i] ? -1 : 1;
  return 0;
}

static PastryId oracle_self;

static gint
xor_cmp (gconstpointer a, gconstpointer b)
{
  const PastryId *x = a, *y = b;
  PastryId dx = { x->hi ^ oracle_self.hi, x->lo ^ oracle_self.lo };
  PastryId dy = { y->hi ^ oracle_self.hi, y->lo ^ oracle_self.lo };
  return pastry_id_cmp (&dx, &dy);
}

/* Ids from a small alphabet per byte so that prefixes are shared. */
static PastryId
clustered_id (TestRng *rng)
{
  static const guint8 alphabet[] = { 0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff };
  guint8 b[16];
  for (guint i = 0; i < 16; i++)
    b[i] = (test_rng_below (rng, 4) == 0)
               ? (guint8) test_rng_next (rng)
               : alphabet[test_rng_below (rng, G_N_ELEMENTS (alphabet))];
  return pastry_id_from_bytes (b, 16);
}

static void
test_oracle (void)
{
  TestRng rng = { oracle_seed };
  for (guint round = 0; round < 60; round++)
    {
      oracle_self = clustered_id (&rng);
      /* The model: S as an array of (id, value), and leaf membership. */
      GArray *model = g_array_new (FALSE, FALSE, sizeof (PastryLibraryPeer));
      GHashTable *in_leaf = g_hash_table_new_full (g_bytes_hash,
                                                   g_bytes_equal,
                                                   (GDestroyNotify)
                                                   g_bytes_unref, NULL);
      guint n0 = (guint) test_rng_below (&rng, 20);
      PastryLibraryPeer init[20];
      for (guint i = 0; i < n0; i++)
        {
          init[i].id = test_rng_below (&rng, 8) == 0 ? oracle_self
                                                     : clustered_id (&rng);
          init[i].value = V ((int) (round * 1000 + i + 1));
        }
      g_autoptr (PastryLibrary) lib = pastry_library_new (
          &oracle_self, init, n0, PASTRY_LIBRARY_LEAF_CAP, NULL);
      assert_valid (lib);
      for (guint i = 0; i < n0; i++)
        {
          guint j;
          for (j = 0; j < model->len; j++)
            if (pastry_id_equal (&g_array_index (model, PastryLibraryPeer,
                                                 j).id, &init[i].id))
              break;
          if (j < model->len)
            g_array_index (model, PastryLibraryPeer, j).value = init[i].value;
          else
            g_array_append_val (model, init[i]);
        }
      /* The constructor's leaf set: the 8 XOR-closest of the model. */
      {
        GArray *ids = g_array_new (FALSE, FALSE, sizeof (PastryId));
        for (guint j = 0; j < model->len; j++)
          g_array_append_val (ids,
                              g_array_index (model, PastryLibraryPeer, j).id);
        g_array_sort (ids, xor_cmp);
        for (guint j = 0; j < ids->len && j < PASTRY_LIBRARY_LEAF_CAP; j++)
          g_hash_table_add (in_leaf,
                            g_bytes_new (&g_array_index (ids, PastryId, j),
                                         sizeof (PastryId)));
        g_array_free (ids, TRUE);
      }

      for (guint step = 0; step < 30; step++)
        {
          guint what = (guint) test_rng_below (&rng, 4);
          if (what == 0 && model->len > 0)
            {
              guint j = (guint) test_rng_below (&rng, model->len);
              PastryId id = g_array_index (model, PastryLibraryPeer, j).id;
              g_assert_true (pastry_library_remove (lib, &id));
              g_array_remove_index (model, j);
              g_autoptr (GBytes) key = g_bytes_new (&id, sizeof id);
              g_hash_table_remove (in_leaf, key);
            }
          else if (what == 1)
            {
              PastryLibraryPeer p = { clustered_id (&rng),
                                      V ((int) (round * 1000 + 500 + step)) };
              if (model->len > 0 && test_rng_below (&rng, 2) == 0)
                p.id = g_array_index (model, PastryLibraryPeer,
                                      test_rng_below (&rng, model->len)).id;
              pastry_library_update (lib, &p, 1);
              guint j;
              for (j = 0; j < model->len; j++)
                if (pastry_id_equal (
                        &g_array_index (model, PastryLibraryPeer, j).id,
                        &p.id))
                  break;
              if (j < model->len)
                g_array_index (model, PastryLibraryPeer, j).value = p.value;
              else
                g_array_append_val (model, p);
              g_hash_table_add (in_leaf, g_bytes_new (&p.id, sizeof p.id));
            }
          assert_valid (lib);

          /* A query of random length and n, checked against a full sort. */
          guint8 key[16] = { 0 };
          gsize len = (gsize) test_rng_below (&rng, 17);
          PastryId kid = clustered_id (&rng);
          pastry_id_to_bytes (&kid, key);
          memset (key + len, 0, 16 - len);
          guint n = (guint) test_rng_below (&rng, model->len + 3);
          GArray *sorted = g_array_copy (model);
          oracle_key = key;
          g_array_sort (sorted, oracle_cmp);
          PastryLibraryPeer out[64];
          guint n_out = 0;
          g_assert_true (pastry_library_route (lib, key, len, out,
                                               MIN (n, 64), &n_out, NULL));
          g_assert_cmpuint (n_out, ==, MIN (MIN (n, 64), sorted->len));
          for (guint i = 0; i < n_out; i++)
            {
              const PastryLibraryPeer *w
                  = &g_array_index (sorted, PastryLibraryPeer, i);
              g_assert_true (pastry_id_equal (&out[i].id, &w->id));
              g_assert_true (out[i].value == w->value);
            }
          g_array_free (sorted, TRUE);

          /* The leaf set: the model's members in XOR order. */
          GArray *want = g_array_new (FALSE, FALSE, sizeof (PastryId));
          for (guint j = 0; j < model->len; j++)
            {
              PastryId id = g_array_index (model, PastryLibraryPeer, j).id;
              g_autoptr (GBytes) k = g_bytes_new (&id, sizeof id);
              if (g_hash_table_contains (in_leaf, k))
                g_array_append_val (want, id);
            }
          g_array_sort (want, xor_cmp);
          PastryId got[64];
          guint n_leaf = pastry_library_leaf_ids (lib, got, 64);
          g_assert_cmpuint (n_leaf, ==, want->len);
          g_assert_cmpuint (pastry_library_leaf_len (lib), ==, want->len);
          for (guint i = 0; i < n_leaf; i++)
            g_assert_true (pastry_id_equal (&got[i],
                                            &g_array_index (want, PastryId,
                                                            i)));
          g_array_free (want, TRUE);
        }
      g_array_free (model, TRUE);
      g_hash_table_destroy (in_leaf);
    }
}

/* ---- The vectors reader: invalid input ---- */

/* A valid line with no queries, and the README example as a line. */
#define ZERO32 "00000000000000000000000000000000"
#define EMPTY_LINE_OK                                                        \
  "{\"self\":\"" ZERO32 "\",\"peers\":[],\"updates\":[],\"leaf_len\":0,"     \
  "\"leaf_first\":[],\"queries\":[]}"
#define README_HEAD                                                          \
  "{\"id\":0,\"self\":\"6d796964313131316d79696432323232\",\"peers\":"       \
  "[[\"01010101010101010101010101010101\",1],"                               \
  "[\"02020202020202020202020202020202\",2]],\"updates\":"                   \
  "[[[\"03030303030303030303030303030303\",3]]],\"leaf_len\":3,"             \
  "\"leaf_first\":[\"01010101010101010101010101010101\","                    \
  "\"03030303030303030303030303030303\","                                    \
  "\"02020202020202020202020202020202\"],\"queries\":[{\"key\":\"03\","      \
  "\"n\":5,\"expect\":[\"03030303030303030303030303030303\","                \
  "\"02020202020202020202020202020202\","                                    \
  "\"01010101010101010101010101010101\"],"

static char *
write_temp (const char *dir, const char *name, const char *text)
{
  char *path = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

typedef struct
{
  const char *name;
  const char *text;
  int code;
  const char *where; /* "LINE:COL" */
} BadCase;

static const BadCase bad_cases[] = {
  { "truncated", "{\"self\":", SEED_VECTORS_ERROR_SYNTAX, "1:9" },
  { "second line", EMPTY_LINE_OK "\n[1, 2\n", SEED_VECTORS_ERROR_SYNTAX,
    "2:6" },
  { "empty line", EMPTY_LINE_OK "\n\n" EMPTY_LINE_OK "\n",
    SEED_VECTORS_ERROR_SYNTAX, "2:1" },
  { "trailing", EMPTY_LINE_OK " x", SEED_VECTORS_ERROR_SYNTAX, "1:111" },
  { "missing queries",
    "{\"self\":\"" ZERO32 "\",\"peers\":[],\"updates\":[],\"leaf_len\":0,"
    "\"leaf_first\":[]}",
    SEED_VECTORS_ERROR_SCHEMA, "1:1" },
  { "bad hex", "{\"self\":\"000g" ZERO32 "\"}", SEED_VECTORS_ERROR_SCHEMA,
    "1:13" },
  { "short id", "{\"self\":\"00\"}", SEED_VECTORS_ERROR_SCHEMA, "1:9" },
  { "peers not array",
    "{\"self\":\"" ZERO32 "\",\"peers\":{}}", SEED_VECTORS_ERROR_SCHEMA,
    "1:52" },
  { "odd key",
    "{\"self\":\"" ZERO32 "\",\"peers\":[],\"updates\":[],\"leaf_len\":0,"
    "\"leaf_first\":[],\"queries\":[{\"key\":\"012\",\"n\":1,\"expect\":[],"
    "\"expect_addr\":[]}]}",
    SEED_VECTORS_ERROR_SCHEMA, "1:115" },
  { "addr count", README_HEAD "\"expect_addr\":[3,2]}]}",
    SEED_VECTORS_ERROR_SCHEMA, "1:484" },
  { "duplicate member", "{\"n\":1,\"n\":2}", SEED_VECTORS_ERROR_SYNTAX,
    "1:8" },
  { "negative n",
    "{\"self\":\"" ZERO32 "\",\"peers\":[],\"updates\":[],\"leaf_len\":-1}",
    SEED_VECTORS_ERROR_SCHEMA, "1:79" },
};

/* Reads path to the end; returns the first error (or NULL). */
static GError *
read_all (const char *path, guint *n_records)
{
  GError *error = NULL;
  g_autoptr (SeedReader) r = seed_reader_open (path, &error);
  *n_records = 0;
  if (r == NULL)
    return error;
  for (;;)
    {
      g_autoptr (SeedRecord) rec = NULL;
      if (!seed_reader_next (r, &rec, &error))
        return error;
      if (rec == NULL)
        return NULL;
      (*n_records)++;
    }
}

static void
test_reader_invalid (void)
{
  g_autofree char *dir = g_dir_make_tmp ("test-library-XXXXXX", NULL);
  g_assert_nonnull (dir);
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      const BadCase *c = &bad_cases[i];
      g_autofree char *path = write_temp (dir, "bad.jsonl", c->text);
      guint n = 0;
      g_autoptr (GError) error = read_all (path, &n);
      g_test_message ("%s: %s", c->name, error ? error->message : "no error");
      g_assert_nonnull (error);
      g_assert_error (error, SEED_VECTORS_ERROR, c->code);
      g_autofree char *prefix = g_strdup_printf ("%s:%s: ", path, c->where);
      if (!g_str_has_prefix (error->message, prefix))
        g_error ("%s: wanted prefix '%s', got '%s'", c->name, prefix,
                 error->message);
      g_unlink (path);
    }
  /* A missing file is an I/O error naming it. */
  g_autofree char *none = g_build_filename (dir, "none.jsonl", NULL);
  guint n = 0;
  g_autoptr (GError) error = read_all (none, &n);
  g_assert_error (error, SEED_VECTORS_ERROR, SEED_VECTORS_ERROR_IO);
  g_assert_true (g_str_has_prefix (error->message, none));
  g_rmdir (dir);
}

static void
count_mismatch (const char *message, gpointer data)
{
  g_test_message ("mismatch: %s", message);
  (*(guint *) data)++;
}

/* The README example as a vectors line replays; one altered value or id is
 * caught and reported at its query. */
static void
test_replay_detects (void)
{
  const char *good = README_HEAD "\"expect_addr\":[3,2,1]}]}";
  const char *bad_addr = README_HEAD "\"expect_addr\":[3,1,2]}]}";
  g_autofree char *bad_leaf = g_strdup (good);
  char *lf = strstr (bad_leaf, "\"leaf_len\":3");
  lf[11] = '4';
  const char *texts[] = { good, bad_addr, bad_leaf };
  const guint want_matched[] = { 1, 0, 1 };
  const guint want_mismatches[] = { 0, 1, 1 };
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (SeedRecord) rec = seed_record_parse (
          texts[i], strlen (texts[i]), "t.jsonl", 7, &error);
      g_assert_no_error (error);
      SeedReplay res;
      guint mismatches = 0;
      gboolean ok = seed_record_replay (rec, "t.jsonl", &res, count_mismatch,
                                        &mismatches);
      g_assert_cmpuint (res.queries, ==, 1);
      g_assert_cmpuint (res.matched, ==, want_matched[i]);
      g_assert_cmpuint (mismatches, ==, want_mismatches[i]);
      g_assert_true (ok == (want_mismatches[i] == 0));
    }
}

/* ---- The recorded vectors ---- */

typedef struct
{
  guint shown;
  guint total;
} Mismatches;

static void
note_mismatch (const char *message, gpointer data)
{
  Mismatches *m = data;
  if (m->shown++ < 10)
    g_test_message ("%s", message);
  m->total++;
}

static void
test_vectors (void)
{
  const char *path = g_getenv ("PASTRY_SEED_VECTORS");
  g_autofree char *def = NULL;
  if (path == NULL)
    {
      const char *shared = g_getenv ("PASTRYSIM_SHARED_DATA");
      if (shared == NULL)
        {
          g_test_skip ("neither PASTRY_SEED_VECTORS nor "
                       "PASTRYSIM_SHARED_DATA is set (run through meson "
                       "test)");
          return;
        }
      def = g_build_filename (shared, "seed-route", "vectors.jsonl", NULL);
      if (!g_file_test (def, G_FILE_TEST_EXISTS))
        {
          g_autofree char *msg = g_strdup_printf (
              "no route vectors at %s (set PASTRY_SEED_VECTORS to a file)",
              def);
          g_test_skip (msg);
          return;
        }
      path = def;
    }

  g_autoptr (GError) error = NULL;
  g_autoptr (SeedReader) r = seed_reader_open (path, &error);
  guint queries = 0, matched = 0, lines = 0, bad_lines = 0;
  Mismatches mm = { 0, 0 };
  while (r != NULL)
    {
      g_autoptr (SeedRecord) rec = NULL;
      if (!seed_reader_next (r, &rec, &error) || rec == NULL)
        break;
      SeedReplay res;
      lines++;
      if (!seed_record_replay (rec, path, &res, note_mismatch, &mm))
        bad_lines++;
      queries += res.queries;
      matched += res.matched;
      if (!res.leaf_ok || !res.invariant_ok)
        g_test_message ("line %u: leaf set or invariant mismatch", rec->line);
    }
  if (error != NULL)
    {
      g_test_message ("%s", error->message);
      g_test_fail ();
      return;
    }
  g_test_message ("seed-route: %u queries, %u matched", queries, matched);
  if (mm.total > mm.shown)
    g_test_message ("(%u more mismatches not shown)", mm.total - mm.shown);
  g_assert_cmpuint (queries, >, 0);
  g_assert_cmpuint (matched, ==, queries);
  g_assert_cmpuint (bad_lines, ==, 0);
  g_assert_cmpuint (lines, >, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  const char *seed = g_getenv ("PASTRYSIM_TEST_SEED");
  if (seed != NULL)
    oracle_seed = g_ascii_strtoull (seed, NULL, 10);

  g_test_add_func ("/library/readme-example", test_readme_example);
  g_test_add_func ("/library/boundary-keys", test_boundary_keys);
  g_test_add_func ("/library/key-lengths", test_key_lengths);
  g_test_add_func ("/library/update-existing", test_update_existing);
  g_test_add_func ("/library/update-own-id", test_update_own_id);
  g_test_add_func ("/library/remove", test_remove);
  g_test_add_func ("/library/leaf-capacity", test_leaf_capacity);
  g_test_add_func ("/library/null-value", test_null_value);
  g_test_add_func ("/library/doc-example-wrap", test_doc_example_wrap);
  g_test_add_func ("/library/doc-example-prefix", test_doc_example_prefix);
  g_autofree char *oracle = g_strdup_printf (
      "/library/oracle/seed=%" G_GUINT64_FORMAT, oracle_seed);
  g_test_add_func (oracle, test_oracle);
  g_test_add_func ("/library/reader-invalid", test_reader_invalid);
  g_test_add_func ("/library/replay-detects", test_replay_detects);
  g_test_add_func ("/library/vectors", test_vectors);
  return g_test_run ();
}
