/* test-lookup.c — core's lookup state machine driven by hand, with no
 * simulator: the test plays the network (it hands each SEND to its
 * target) and the clock, and checks every step a node returns.
 *
 * Cases: a lookup forwarded hop by hop to the true root (brute-force
 * oracle); a lost intermediate hop rerouted around its target; a final hop
 * resent PASTRY_LOOKUP_LEAF_RESENDS times, then given up and reported to
 * later nodes; a suspected root resent once only; retries, the deadline
 * and the hop limit; avoidance off.
 */
#include "pastry-lookup.h"
#include "ring.h"

#define MS 1000

static const PastryLookupConfig cfg_on
    = { TRUE, 8, 60 * 1000 * MS, { 1, NULL, NULL }, FALSE };

/* Plays the network from src until delivery: every hop takes 10 ms.
 * Returns the node that delivered; *hops counts the SEND steps. */
static guint
run_to_delivery (Ring *ring, PastryLookup *lk, guint src, PastryFd *fds,
                 PastryTime *now, guint *hops)
{
  guint at = src;
  guint first = lk->hops;
  *hops = 0;
  for (;;)
    {
      PastryLookupStep step = pastry_lookup_forward (
          lk, ring->nodes[at], fds != NULL ? &fds[at] : NULL, &cfg_on, *now);
      if (step == PASTRY_LOOKUP_DELIVER)
        return at;
      g_assert_cmpint (step, ==, PASTRY_LOOKUP_SEND);
      g_assert_cmpuint (lk->at, ==, at);
      g_assert_cmpuint (lk->hop_sent, ==, *now);
      (*hops)++;
      g_assert_cmpuint (first + *hops, ==, lk->hops);
      *now += 10 * MS;
      at = lk->to;
    }
}

static void
test_forward_to_root (void)
{
  PastryConfig cfg = { 4, 16, 32 };
  Ring *ring = ring_new (&cfg, 300, 41, 0);
  TestRng r = { 42 };
  for (guint k = 0; k < 500; k++)
    {
      PastryId key = test_rng_id (&r);
      guint src = (guint) test_rng_below (&r, ring->n);
      PastryLookup lk;
      PastryTime now = 5 * MS;
      pastry_lookup_init (&lk, &key, src, now);
      g_assert_cmpuint (lk.issued, ==, now);
      guint hops;
      guint root = run_to_delivery (ring, &lk, src, NULL, &now, &hops);
      g_assert_cmpuint (root, ==, ring_root (ring, &key));
      g_assert_cmpuint (hops, <=, 4); /* ceil (log16 300) + 1 + 1 */
    }
  ring_free (ring);
}

/* A key whose route from `at` starts with a routing-table hop. */
static PastryId
table_key (Ring *ring, TestRng *r, guint at)
{
  for (;;)
    {
      PastryId key = test_rng_id (r);
      PastryHopKind kind;
      pastry_node_next_hop (ring->nodes[at], &key, &kind);
      if (kind == PASTRY_HOP_TABLE)
        return key;
    }
}

/* An intermediate hop times out: it is given up (soft), the sender
 * suspects it, and the reroute goes elsewhere yet still reaches the root. */
static void
test_reroute_intermediate (void)
{
  PastryConfig cfg = { 4, 16, 32 };
  Ring *ring = ring_new (&cfg, 300, 51, 0);
  g_autofree PastryFd *fds = g_new (PastryFd, ring->n);
  for (guint i = 0; i < ring->n; i++)
    pastry_fd_init (&fds[i]);
  TestRng r = { 52 };
  PastryId key = table_key (ring, &r, 0);
  PastryLookup lk;
  PastryTime now = 0;
  pastry_lookup_init (&lk, &key, 0, now);
  g_assert_cmpint (
      pastry_lookup_forward (&lk, ring->nodes[0], &fds[0], &cfg_on, now), ==,
      PASTRY_LOOKUP_SEND);
  guint lost_to = lk.to;
  g_assert_false (lk.leaf_hop);
  now += 500 * MS; /* the hop timer */
  PastryPeer gone;
  gboolean final_resent;
  g_assert_cmpint (pastry_lookup_hop_timeout (&lk, &fds[0], &cfg_on, now, &gone,
                                              &final_resent),
                   ==, PASTRY_LOOKUP_REROUTE);
  g_assert_cmpuint (gone, ==, lost_to);
  g_assert_false (final_resent);
  g_assert_cmpuint (lk.n_avoid, ==, 1);
  g_assert_cmpuint (lk.avoid[0], ==, lost_to);
  g_assert_cmpuint (lk.avoid_hard, ==, 0);
  g_assert_cmpuint (lk.hops, ==, 0);
  g_assert_cmpuint (lk.retries, ==, 1);
  g_assert_cmpuint (lk.detours, ==, 1); /* the given-up hop */
  g_assert_true (pastry_fd_suspect (&fds[0], gone, now));
  g_assert_cmpint (
      pastry_lookup_forward (&lk, ring->nodes[0], &fds[0], &cfg_on, now), ==,
      PASTRY_LOOKUP_SEND);
  g_assert_cmpuint (lk.to, !=, lost_to);
  guint hops;
  guint at = lk.to;
  now += 10 * MS;
  guint root = run_to_delivery (ring, &lk, at, fds, &now, &hops);
  g_assert_cmpuint (root, ==, ring_root (ring, &key));
  for (guint i = 0; i < ring->n; i++)
    pastry_fd_clear (&fds[i]);
  ring_free (ring);
}

/* A final hop (the believed root) times out: it is resent twice, then
 * given up as hard; the next forward avoids it even as a final hop, and a
 * node that knows it is told to suspect it. */
static void
test_final_hop_resends (void)
{
  PastryConfig cfg = { 4, 16, 32 };
  Ring *ring = ring_new (&cfg, 200, 61, 0);
  PastryFd fd;
  pastry_fd_init (&fd);
  const PastryPeer *right;
  g_assert_cmpuint (
      pastry_node_leafset_side (ring->nodes[0], PASTRY_SIDE_RIGHT, &right), >=,
      2);
  PastryPeer root = right[0];
  PastryId key = *pastry_directory_id (ring->dir, root);
  PastryLookup lk;
  PastryTime now = 0;
  pastry_lookup_init (&lk, &key, 0, now);
  g_assert_cmpint (
      pastry_lookup_forward (&lk, ring->nodes[0], &fd, &cfg_on, now), ==,
      PASTRY_LOOKUP_SEND);
  g_assert_cmpuint (lk.to, ==, root);
  g_assert_true (lk.leaf_hop);
  PastryPeer gone = PASTRY_PEER_NONE;
  gboolean final_resent = FALSE;
  for (guint resend = 1; resend <= PASTRY_LOOKUP_LEAF_RESENDS; resend++)
    {
      now += 300 * MS;
      g_assert_cmpint (pastry_lookup_hop_timeout (&lk, &fd, &cfg_on, now, &gone,
                                                  &final_resent),
                       ==, PASTRY_LOOKUP_SEND);
      g_assert_cmpuint (lk.to, ==, root);
      g_assert_cmpuint (lk.resent, ==, resend);
      g_assert_cmpuint (lk.hop_sent, ==, now);
      g_assert_cmpuint (lk.hops, ==, 1);
      g_assert_cmpuint (lk.detours, ==, 0); /* resends are no detour */
    }
  now += 300 * MS;
  g_assert_cmpint (
      pastry_lookup_hop_timeout (&lk, &fd, &cfg_on, now, &gone, &final_resent),
      ==, PASTRY_LOOKUP_REROUTE);
  g_assert_cmpuint (gone, ==, root);
  g_assert_true (final_resent);
  g_assert_cmpuint (lk.detours, ==, 1);
  g_assert_cmpuint (lk.avoid_hard & 1u, ==, 1u);
  /* Avoided even as the final hop now: the closest of the rest takes it
   * (brute force over the ring without the root). */
  guint want = G_MAXUINT;
  for (guint i = 0; i < ring->n; i++)
    if (i != root
        && (want == G_MAXUINT
            || pastry_id_closer (&key, pastry_directory_id (ring->dir, i),
                                 pastry_directory_id (ring->dir, want))
                   < 0))
      want = i;
  PastryLookupStep step
      = pastry_lookup_forward (&lk, ring->nodes[0], &fd, &cfg_on, now);
  if (want == 0)
    g_assert_cmpint (step, ==, PASTRY_LOOKUP_DELIVER);
  else
    {
      g_assert_cmpint (step, ==, PASTRY_LOOKUP_SEND);
      g_assert_cmpuint (lk.to, ==, want);
    }
  /* A node that gets it and knows the root is told to suspect it: the
   * root's right neighbour has it in its leaf set. */
  PastryPeer reported[PASTRY_LOOKUP_AVOID];
  guint n = pastry_lookup_reported (&lk, ring->nodes[right[1]], reported);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (reported[0], ==, root);
  pastry_fd_clear (&fd);
  ring_free (ring);
}

/* A root the sender already suspects gets one resend, not two. */
static void
test_suspected_root_resent_once (void)
{
  PastryConfig cfg = { 4, 16, 32 };
  Ring *ring = ring_new (&cfg, 200, 71, 0);
  PastryFd fd;
  pastry_fd_init (&fd);
  const PastryPeer *right;
  pastry_node_leafset_side (ring->nodes[0], PASTRY_SIDE_RIGHT, &right);
  PastryPeer root = right[0];
  PastryId key = *pastry_directory_id (ring->dir, root);
  PastryLookup lk;
  pastry_lookup_init (&lk, &key, 0, 0);
  g_assert_cmpint (pastry_lookup_forward (&lk, ring->nodes[0], &fd, &cfg_on, 0),
                   ==, PASTRY_LOOKUP_SEND);
  g_assert_true (pastry_fd_suspect (&fd, root, 1)); /* suspected, not
                                                        doubtful: still the
                                                        final hop */
  PastryPeer gone;
  gboolean final_resent;
  g_assert_cmpint (pastry_lookup_hop_timeout (&lk, &fd, &cfg_on, 300 * MS,
                                              &gone, &final_resent),
                   ==, PASTRY_LOOKUP_SEND);
  g_assert_cmpint (pastry_lookup_hop_timeout (&lk, &fd, &cfg_on, 600 * MS,
                                              &gone, &final_resent),
                   ==, PASTRY_LOOKUP_REROUTE);
  g_assert_cmpuint (gone, ==, root);
  pastry_fd_clear (&fd);
  ring_free (ring);
}

/* Retries: the (hop_retries + 1)-th timeout fails the lookup.  Deadline:
 * forwarding or rerouting at or after issued + lookup_timeout fails it.
 * Loop: the hop limit fails it. */
static void
test_limits (void)
{
  PastryConfig cfg = { 4, 16, 32 };
  Ring *ring = ring_new (&cfg, 300, 81, 0);
  TestRng r = { 82 };
  PastryId key = table_key (ring, &r, 0);
  PastryLookupConfig one
      = { TRUE, 1, 60 * 1000 * MS, { 1, NULL, NULL }, FALSE };
  PastryLookup lk;
  PastryPeer gone;
  gboolean fr;
  pastry_lookup_init (&lk, &key, 0, 0);
  pastry_lookup_forward (&lk, ring->nodes[0], NULL, &one, 0);
  g_assert_cmpint (pastry_lookup_hop_timeout (&lk, NULL, &one, MS, &gone, &fr),
                   ==, PASTRY_LOOKUP_REROUTE);
  pastry_lookup_forward (&lk, ring->nodes[0], NULL, &one, MS);
  g_assert_cmpint (
      pastry_lookup_hop_timeout (&lk, NULL, &one, 2 * MS, &gone, &fr), ==,
      PASTRY_LOOKUP_FAIL_RETRIES);

  /* The deadline: one microsecond before it the lookup still moves. */
  pastry_lookup_init (&lk, &key, 0, 1000);
  g_assert_cmpint (pastry_lookup_forward (&lk, ring->nodes[0], NULL, &cfg_on,
                                          1000 + cfg_on.lookup_timeout - 1),
                   ==, PASTRY_LOOKUP_SEND);
  g_assert_cmpint (pastry_lookup_forward (&lk, ring->nodes[lk.to], NULL,
                                          &cfg_on,
                                          1000 + cfg_on.lookup_timeout),
                   ==, PASTRY_LOOKUP_FAIL_TIMEOUT);
  pastry_lookup_init (&lk, &key, 0, 0);
  pastry_lookup_forward (&lk, ring->nodes[0], NULL, &cfg_on, 0);
  g_assert_cmpint (pastry_lookup_hop_timeout (
                       &lk, NULL, &cfg_on, cfg_on.lookup_timeout, &gone, &fr),
                   ==, PASTRY_LOOKUP_FAIL_TIMEOUT);

  /* The hop limit: the 64th hop is not taken. */
  pastry_lookup_init (&lk, &key, 0, 0);
  lk.hops = PASTRY_LOOKUP_MAX_HOPS - 2;
  g_assert_cmpint (
      pastry_lookup_forward (&lk, ring->nodes[0], NULL, &cfg_on, 0), ==,
      PASTRY_LOOKUP_SEND);
  g_assert_cmpint (
      pastry_lookup_forward (&lk, ring->nodes[lk.to], NULL, &cfg_on, 0), ==,
      PASTRY_LOOKUP_FAIL_LOOP);
  ring_free (ring);
}

/* Avoidance off: suspicion and the message's list are ignored. */
static void
test_avoidance_off (void)
{
  PastryConfig cfg = { 4, 16, 32 };
  Ring *ring = ring_new (&cfg, 300, 91, 0);
  TestRng r = { 92 };
  PastryId key = table_key (ring, &r, 0);
  PastryPeer paper = pastry_node_next_hop (ring->nodes[0], &key, NULL);
  PastryFd fd;
  pastry_fd_init (&fd);
  pastry_fd_suspect (&fd, paper, 0);
  PastryLookupConfig off
      = { FALSE, 8, 60 * 1000 * MS, { 1, NULL, NULL }, FALSE };
  PastryLookup lk;
  pastry_lookup_init (&lk, &key, 0, 0);
  g_assert_cmpint (pastry_lookup_forward (&lk, ring->nodes[0], &fd, &off, 0),
                   ==, PASTRY_LOOKUP_SEND);
  g_assert_cmpuint (lk.to, ==, paper);
  pastry_lookup_init (&lk, &key, 0, 0);
  g_assert_cmpint (pastry_lookup_forward (&lk, ring->nodes[0], &fd, &cfg_on, 0),
                   ==, PASTRY_LOOKUP_SEND);
  g_assert_cmpuint (lk.to, !=, paper);
  pastry_fd_clear (&fd);
  ring_free (ring);
}

/* Consistent routing (pastry_forward_may_deliver), nodes by hand.  L = 4.
 * A = 10…, its leaves 08…, 0c… (left) and 20…, 30… (right); F = 40… is
 * live but beyond A's leaf set.  20… and 30… fail together (a correlated
 * failure) and A's detector declares them dead: for the key 38… -- F's --
 * A is the closest of its leaf set and itself without them.  Without the
 * rule A delivers it (wrong: F is the root); with it A holds the lookup,
 * and once repair has replaced 20… and 30… by F, sends it to F.  Keys the
 * leaf set bounds are delivered at once, and so is every key of a node
 * that knows the whole ring (its sides overlap) or is alone. */
static PastryId
id_at (guint8 top)
{
  PastryId id = { 0 };
  id.hi = (guint64) top << 56;
  return id;
}

static PastryLookupStep
forward_key (PastryNode *node, const PastryFd *fd, guint8 top,
             const PastryLookupConfig *cfg, PastryLookup *lk)
{
  PastryId key = id_at (top);
  pastry_lookup_init (lk, &key, pastry_node_self (node), 0);
  return pastry_lookup_forward (lk, node, fd, cfg, 0);
}

static void
test_consistent_hold (void)
{
  PastryConfig cfg = { 4, 4, 0 };
  g_autoptr (PastryDirectory) dir = pastry_directory_new (NULL);
  const guint8 tops[] = { 0x10, 0x08, 0x0c, 0x20, 0x30, 0x40 };
  PastryPeer p[G_N_ELEMENTS (tops)];
  for (guint i = 0; i < G_N_ELEMENTS (tops); i++)
    {
      PastryId id = id_at (tops[i]);
      p[i] = pastry_directory_add (dir, &id, NULL);
    }
  PastryNode *a = pastry_node_new (&cfg, dir, p[0]);
  for (guint i = 1; i <= 4; i++)
    pastry_node_insert (a, p[i], 10);
  PastryLookupConfig on = cfg_on, off = cfg_on;
  on.consistent = TRUE;
  PastryLookup lk;
  PastryFd fd;
  pastry_fd_init (&fd);

  /* Before the failure 30… is the closest to 38…, either way. */
  g_assert_cmpint (forward_key (a, &fd, 0x38, &on, &lk), ==,
                   PASTRY_LOOKUP_SEND);
  g_assert_cmpuint (lk.to, ==, p[4]);

  /* 20… and 30… declared dead, still listed. */
  pastry_fd_mark_dead (&fd, p[3], 1000 * MS);
  pastry_fd_mark_dead (&fd, p[4], 1000 * MS);
  g_assert_cmpint (forward_key (a, &fd, 0x38, &off, &lk), ==,
                   PASTRY_LOOKUP_DELIVER); /* the wrong delivery */
  g_assert_cmpint (forward_key (a, &fd, 0x38, &on, &lk), ==,
                   PASTRY_LOOKUP_HOLD);
  g_assert_cmpuint (lk.hops, ==, 0);
  /* Decided again after the hold: still held ... */
  g_assert_cmpint (
      pastry_lookup_forward (&lk, a, &fd, &on, PASTRY_LOOKUP_HOLD_TIME), ==,
      PASTRY_LOOKUP_HOLD);
  /* ... until lookup_timeout, like any lookup. */
  g_assert_cmpint (pastry_lookup_forward (&lk, a, &fd, &on, on.lookup_timeout),
                   ==, PASTRY_LOOKUP_FAIL_TIMEOUT);
  /* Keys its live members bound: A's own id, and 0f… (left side). */
  g_assert_cmpint (forward_key (a, &fd, 0x10, &on, &lk), ==,
                   PASTRY_LOOKUP_DELIVER);
  g_assert_cmpint (forward_key (a, &fd, 0x0f, &on, &lk), ==,
                   PASTRY_LOOKUP_DELIVER);

  /* Repair: the dead are removed, F enters the right side.  The held
   * lookup goes to F; 14… (between A and F, nearer A) is A's. */
  pastry_node_remove_peer (a, p[3]);
  pastry_node_remove_peer (a, p[4]);
  pastry_node_insert (a, p[5], 10);
  g_assert_cmpint (forward_key (a, &fd, 0x38, &on, &lk), ==,
                   PASTRY_LOOKUP_SEND);
  g_assert_cmpuint (lk.to, ==, p[5]);
  g_assert_cmpint (forward_key (a, &fd, 0x14, &on, &lk), ==,
                   PASTRY_LOOKUP_DELIVER);
  pastry_fd_clear (&fd);
  pastry_node_free (a);

  /* A ring smaller than L (three nodes: each side holds both others): 11…
   * is delivered although no member lies beyond it on its side's far
   * end; a node alone delivers everything. */
  PastryNode *c = pastry_node_new (&cfg, dir, p[0]);
  pastry_node_insert (c, p[1], 10);
  pastry_node_insert (c, p[3], 10);
  g_assert_cmpint (forward_key (c, NULL, 0x11, &on, &lk), ==,
                   PASTRY_LOOKUP_DELIVER);
  g_assert_cmpint (forward_key (c, NULL, 0x50, &on, &lk), ==,
                   PASTRY_LOOKUP_SEND);
  g_assert_cmpuint (lk.to, ==, p[3]);
  pastry_node_free (c);
  PastryNode *alone = pastry_node_new (&cfg, dir, p[0]);
  g_assert_cmpint (forward_key (alone, NULL, 0x90, &on, &lk), ==,
                   PASTRY_LOOKUP_DELIVER);
  pastry_node_free (alone);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/lookup/forward-to-root", test_forward_to_root);
  g_test_add_func ("/lookup/reroute-intermediate", test_reroute_intermediate);
  g_test_add_func ("/lookup/final-hop-resends", test_final_hop_resends);
  g_test_add_func ("/lookup/suspected-root-resent-once",
                   test_suspected_root_resent_once);
  g_test_add_func ("/lookup/limits", test_limits);
  g_test_add_func ("/lookup/avoidance-off", test_avoidance_off);
  g_test_add_func ("/lookup/consistent-hold", test_consistent_hold);
  return g_test_run ();
}
