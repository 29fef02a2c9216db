/* test-fd.c — the failure detector: the three degrees of doubt, their
 * transitions at both sides of every edge (expiry instants, the second
 * strike), and the RTT estimator against RFC 6298's arithmetic.  An
 * invariant check (at most one entry per peer) follows every mutation. */
#include "pastry-fd.h"

static void
check (const PastryFd *fd)
{
  if (fd->entries == NULL)
    return;
  for (guint i = 0; i < fd->entries->len; i++)
    for (guint k = 0; k < i; k++)
      g_assert_cmpuint (g_array_index (fd->entries, PastryFdEntry, i).peer, !=,
                        g_array_index (fd->entries, PastryFdEntry, k).peer);
}

static void
test_empty (void)
{
  PastryFd fd;
  pastry_fd_init (&fd);
  g_assert_false (pastry_fd_knows (&fd, 7));
  g_assert_false (pastry_fd_is_suspect (&fd, 7, 0));
  g_assert_false (pastry_fd_is_doubtful (&fd, 7, 0));
  g_assert_false (pastry_fd_believes_dead (&fd, 7, 0));
  pastry_fd_alive (&fd, 7); /* nothing to drop */
  pastry_fd_strike (&fd, 7, 3);
  pastry_fd_probe_answered (&fd, 7);
  check (&fd);
  g_assert_false (pastry_fd_knows (&fd, 7));
  pastry_fd_clear (&fd);
}

/* Suspicion: a new one asks for a probe, a repeated one does not; two
 * strikes make it doubtful; a probe reply or any proof of life clears it. */
static void
test_suspicion (void)
{
  PastryFd fd;
  pastry_fd_init (&fd);
  g_assert_true (pastry_fd_suspect (&fd, 5, 100));
  check (&fd);
  g_assert_false (pastry_fd_suspect (&fd, 5, 200));
  check (&fd);
  g_assert_true (pastry_fd_is_suspect (&fd, 5, 200));
  g_assert_false (pastry_fd_believes_dead (&fd, 5, 200));
  g_assert_false (pastry_fd_is_doubtful (&fd, 5, 200));
  pastry_fd_strike (&fd, 5, 0); /* first probe unanswered: 1 strike */
  g_assert_false (pastry_fd_is_doubtful (&fd, 5, 200));
  pastry_fd_strike (&fd, 5, 1); /* second: 2 strikes */
  g_assert_true (pastry_fd_is_doubtful (&fd, 5, 200));
  pastry_fd_probe_answered (&fd, 5);
  check (&fd);
  g_assert_false (pastry_fd_knows (&fd, 5));
  g_assert_true (pastry_fd_suspect (&fd, 5, 300));
  pastry_fd_alive (&fd, 5);
  g_assert_false (pastry_fd_is_suspect (&fd, 5, 300));
  /* Others are untouched. */
  g_assert_true (pastry_fd_suspect (&fd, 6, 300));
  g_assert_true (pastry_fd_suspect (&fd, 8, 300));
  pastry_fd_alive (&fd, 6);
  g_assert_true (pastry_fd_is_suspect (&fd, 8, 300));
  check (&fd);
  pastry_fd_clear (&fd);
}

/* A dead mark: doubtful and dead until its expiry (exclusive), then
 * forgotten in effect; a new suspicion replaces an expired mark only. */
static void
test_dead_mark (void)
{
  PastryFd fd;
  pastry_fd_init (&fd);
  pastry_fd_suspect (&fd, 9, 0);
  pastry_fd_mark_dead (&fd, 9, 1000);
  check (&fd);
  g_assert_true (pastry_fd_believes_dead (&fd, 9, 999));
  g_assert_true (pastry_fd_is_doubtful (&fd, 9, 999));
  g_assert_true (pastry_fd_is_suspect (&fd, 9, 999));
  g_assert_false (pastry_fd_believes_dead (&fd, 9, 1000));
  g_assert_false (pastry_fd_is_doubtful (&fd, 9, 1000));
  g_assert_false (pastry_fd_is_suspect (&fd, 9, 1000));
  g_assert_true (pastry_fd_knows (&fd, 9)); /* expired, still held */
  /* Strikes and probe replies do not touch a dead mark. */
  pastry_fd_strike (&fd, 9, 4);
  pastry_fd_probe_answered (&fd, 9);
  g_assert_true (pastry_fd_believes_dead (&fd, 9, 999));
  /* Suspecting a live dead mark does nothing; an expired one restarts. */
  g_assert_false (pastry_fd_suspect (&fd, 9, 999));
  g_assert_true (pastry_fd_suspect (&fd, 9, 1000));
  check (&fd);
  g_assert_false (pastry_fd_believes_dead (&fd, 9, 1000));
  g_assert_true (pastry_fd_is_suspect (&fd, 9, 1000));
  /* Proof of life refutes a verdict. */
  pastry_fd_mark_dead (&fd, 9, 5000);
  pastry_fd_alive (&fd, 9);
  g_assert_false (pastry_fd_knows (&fd, 9));
  check (&fd);
  pastry_fd_clear (&fd);
  g_assert_false (pastry_fd_knows (&fd, 9));
}

/* Strike counts saturate at 255 (attempt numbers beyond are legal). */
static void
test_strike_saturates (void)
{
  PastryFd fd;
  pastry_fd_init (&fd);
  pastry_fd_suspect (&fd, 1, 0);
  pastry_fd_strike (&fd, 1, G_MAXUINT - 1);
  g_assert_cmpuint (g_array_index (fd.entries, PastryFdEntry, 0).strikes, ==,
                    255);
  pastry_fd_clear (&fd);
}

/* RTO before any sample: 3 R with R = 2 x proximity; then RFC 6298's
 * SRTT/RTTVAR updates; never below min; a colliding peer evicts. */
static void
test_rtt (void)
{
  PastryFd fd;
  pastry_fd_init (&fd);
  g_assert_cmpuint (pastry_fd_hop_timeout (&fd, 3, 50000, 10000), ==, 300000);
  g_assert_cmpuint (pastry_fd_hop_timeout (&fd, 3, 1000, 10000), ==, 10000);
  pastry_fd_rtt_sample (&fd, 3, 80000); /* first: SRTT 80 ms, RTTVAR 40 */
  g_assert_cmpuint (pastry_fd_hop_timeout (&fd, 3, 50000, 10000), ==,
                    80000 + 4 * 40000);
  pastry_fd_rtt_sample (&fd, 3, 120000);
  /* RTTVAR = (3 * 40000 + 40000) / 4 = 40000; SRTT = (7 * 80000 +
   * 120000) / 8 = 85000. */
  g_assert_cmpuint (pastry_fd_hop_timeout (&fd, 3, 50000, 10000), ==,
                    85000 + 4 * 40000);
  /* Peer 3 + PASTRY_FD_RTT_SLOTS shares the slot: it evicts peer 3. */
  PastryPeer q = 3 + PASTRY_FD_RTT_SLOTS;
  pastry_fd_rtt_sample (&fd, q, 20000);
  g_assert_cmpuint (pastry_fd_hop_timeout (&fd, q, 50000, 10000), ==,
                    20000 + 4 * 10000);
  g_assert_cmpuint (pastry_fd_hop_timeout (&fd, 3, 50000, 10000), ==, 300000);
  /* Huge samples are clamped, not wrapped. */
  pastry_fd_rtt_sample (&fd, 4, G_MAXUINT64);
  g_assert_cmpuint (pastry_fd_hop_timeout (&fd, 4, 0, 0), ==,
                    (PastryTime) (G_MAXUINT32 / 2)
                        + 4 * (PastryTime) (G_MAXUINT32 / 4));
  pastry_fd_clear (&fd);
}

/* The prior as a multiple of R: 150 % of R = 100 ms is 150 ms; below
 * 100 % counts as 100 % (never shorter than the proximity's RTT); 300 %
 * is pastry_fd_hop_timeout(); min still applies; a sampled peer ignores
 * the prior. */
static void
test_rtt_prior (void)
{
  PastryFd fd;
  pastry_fd_init (&fd);
  g_assert_cmpuint (pastry_fd_hop_timeout_prior (&fd, 3, 50000, 10000, 150), ==,
                    150000);
  g_assert_cmpuint (pastry_fd_hop_timeout_prior (&fd, 3, 50000, 10000, 100), ==,
                    100000);
  g_assert_cmpuint (pastry_fd_hop_timeout_prior (&fd, 3, 50000, 10000, 99), ==,
                    100000);
  g_assert_cmpuint (pastry_fd_hop_timeout_prior (&fd, 3, 50000, 10000, 0), ==,
                    100000);
  g_assert_cmpuint (pastry_fd_hop_timeout_prior (&fd, 3, 50000, 10000, 300), ==,
                    pastry_fd_hop_timeout (&fd, 3, 50000, 10000));
  g_assert_cmpuint (pastry_fd_hop_timeout_prior (&fd, 3, 4000, 10000, 120), ==,
                    10000);
  pastry_fd_rtt_sample (&fd, 3, 80000);
  g_assert_cmpuint (pastry_fd_hop_timeout_prior (&fd, 3, 50000, 10000, 120), ==,
                    80000 + 4 * 40000);
  pastry_fd_clear (&fd);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/fd/empty", test_empty);
  g_test_add_func ("/fd/suspicion", test_suspicion);
  g_test_add_func ("/fd/dead-mark", test_dead_mark);
  g_test_add_func ("/fd/strike-saturates", test_strike_saturates);
  g_test_add_func ("/fd/rtt", test_rtt);
  g_test_add_func ("/fd/rtt-prior", test_rtt_prior);
  return g_test_run ();
}
