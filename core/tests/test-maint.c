/* test-maint.c — core's maintenance protocol driven by hand, with no
 * simulator: the test plays network and clock (net.h), fires timers and
 * asserts every step, checking the leaf sets against the ideal ones over
 * the live nodes once the wire is quiet.
 *
 * Cases: start (two timers, random phases drawn in order); a crash found
 * by a missed heartbeat → suspicion → probes → dead → LEAFSET_REQUEST to
 * the farthest member → reply merged → LEAFSET_UPDATE broadcast → repaired
 * leaf sets everywhere; a live node wrongly declared dead refutes the
 * verdict (and a second notice of the same verdict is stale); a graceful
 * leave; a dead routing-table entry replaced through ENTRY_REQUESTs; a
 * probe round; offers with and without verification.
 */
#include "net.h"

static void
fire_heartbeats (Net *net)
{
  for (guint x = 0; x < net->n; x++)
    if (!net->down[x])
      {
        PastryEnv env = net_begin (net, x);
        pastry_maint_heartbeat (&net->mt[x], net->nodes[x], &env);
        net_end (net, x);
      }
}

static void
test_start (void)
{
  Net *net = net_new (4, 4);
  net->mt[1].joined = FALSE;
  net->draws = 7;
  PastryEnv env = net_begin (net, 1);
  pastry_maint_start (&net->mt[1], net->nodes[1], &env);
  g_assert_cmpuint (net_end (net, 1), ==, 0);
  g_assert_true (net->mt[1].joined);
  g_assert_cmpuint (net->draws, ==, 9);
  g_assert_cmpuint (net->timers->len, ==, 2);
  PastryOutItem *hb = &g_array_index (net->timers, PastryOutItem, 0);
  PastryOutItem *pr = &g_array_index (net->timers, PastryOutItem, 1);
  g_assert_cmpuint (hb->timer, ==, PASTRY_TIMER_HEARTBEAT);
  g_assert_cmpuint (hb->delay, ==, 7);
  g_assert_cmpuint (pr->timer, ==, PASTRY_TIMER_PROBE_ROUND);
  g_assert_cmpuint (pr->delay, ==, 8);
  net_free (net);
}

/* Node 3 of 8 crashes; its left neighbour 2 misses its heartbeats. */
static void
test_crash_repair (void)
{
  Net *net = net_new_full (8, 4, FALSE);
  net_check_leafsets (net);
  net->down[3] = TRUE;
  for (guint t = 0; t <= 3; t++)
    {
      net->now = t * NET_S;
      fire_heartbeats (net);
      net_run (net, 1000);
      g_assert_cmpuint (net_count (net, PASTRY_MSG_PROBE, G_MAXUINT, G_MAXUINT),
                        ==, 0);
    }
  /* Every live node heartbeats its left neighbour once a second. */
  g_assert_cmpuint (net_count (net, PASTRY_MSG_HEARTBEAT, 4, 3), ==, 4);
  g_assert_cmpuint (net_count (net, PASTRY_MSG_HEARTBEAT, 3, G_MAXUINT), ==, 0);
  g_assert_cmpuint (net->timers->len, ==, 4 * 7);

  /* t = 4 s: node 2 has not heard from 3 for more than 3 s. */
  net->now = 4 * NET_S;
  g_array_set_size (net->sent, 0);
  fire_heartbeats (net);
  g_assert_cmpuint (net_count (net, PASTRY_MSG_PROBE, G_MAXUINT, G_MAXUINT), ==,
                    1);
  g_assert_cmpuint (net_count (net, PASTRY_MSG_PROBE, 2, 3), ==, 1);
  g_assert_true (pastry_fd_is_suspect (&net->mt[2].fd, 3, net->now));
  g_assert_false (pastry_fd_believes_dead (&net->mt[2].fd, 3, net->now));

  /* The probe and its two retries go unanswered: 3 is declared dead. */
  guint attempts = 0;
  while (net_upcalls (net, PASTRY_UPCALL_DECLARED_DEAD, 2, 3) == 0)
    {
      g_assert_true (pastry_fd_is_suspect (&net->mt[2].fd, 3, net->now));
      g_assert_true (net_step (net));
      attempts = 0;
      for (guint i = 0; i < net->sent->len; i++)
        {
          const PastryMessage *m = &g_array_index (net->sent, PastryMessage, i);
          if (m->type == PASTRY_MSG_PROBE && m->to == 3)
            {
              g_assert_cmpuint (m->from, ==, 2);
              g_assert_cmpuint (m->attempt, ==, attempts);
              g_assert_true (m->flags & PASTRY_MSG_FLAG_REPAIR);
              attempts++;
            }
        }
    }
  g_assert_cmpuint (attempts, ==, 3);
  g_assert_cmpuint (net_upcalls (net, PASTRY_UPCALL_DECLARED_DEAD, 2, 3), ==,
                    1);
  g_assert_true (pastry_fd_believes_dead (&net->mt[2].fd, 3, net->now));
  g_assert_cmpuint (pastry_node_where (net->nodes[2], 3), ==, 0);
  /* The repair: the farthest trusted member of the right side (4) is asked
   * for its leaf set, and asked to let node 2 broadcast afterwards. */
  g_assert_cmpuint (net_count (net, PASTRY_MSG_LEAFSET_REQUEST, 2, 4), ==, 1);
  guint req = 0;
  for (guint i = 0; i < net->sent->len; i++)
    {
      const PastryMessage *m = &g_array_index (net->sent, PastryMessage, i);
      if (m->type == PASTRY_MSG_LEAFSET_REQUEST && m->from == 2)
        {
          g_assert_true (m->flags & PASTRY_MSG_FLAG_BROADCAST);
          g_assert_cmpuint (m->about, ==, 3);
          req++;
        }
    }
  g_assert_cmpuint (req, ==, 1);
  net_run (net, 1000);
  /* 4 answered; 2 merged it and broadcast its leaf set naming 3 to its
   * three members (0, 1, 4: 5, heard of from 4, was still being verified)
   * and, twice, to 3. */
  g_assert_cmpuint (net_count (net, PASTRY_MSG_LEAFSET_REPLY, 4, 2), ==, 1);
  g_assert_cmpuint (net_count (net, PASTRY_MSG_LEAFSET_UPDATE, 2, G_MAXUINT),
                    ==, 5);
  g_assert_cmpuint (net_count (net, PASTRY_MSG_LEAFSET_UPDATE, 2, 3), ==, 2);
  /* 5, heard of from 4, entered 2's leaf set only after answering a
   * verification probe. */
  g_assert_cmpuint (net_count (net, PASTRY_MSG_PROBE, 2, 5), >=, 1);
  g_assert_true (pastry_node_where (net->nodes[2], 5) & PASTRY_IN_LEAFSET);
  /* The members told (1 and 4) dropped 3 and believe it dead; 5, not in
   * 2's leaf set, was not told. */
  for (guint x = 1; x <= 4; x += 3)
    {
      g_assert_cmpuint (pastry_node_where (net->nodes[x], 3), ==, 0);
      g_assert_true (pastry_fd_believes_dead (&net->mt[x].fd, 3, net->now));
    }
  g_assert_true (pastry_node_where (net->nodes[5], 3) & PASTRY_IN_LEAFSET);
  /* 5 finds out at its next probe round (3 is not its right neighbour, so
   * heartbeats do not watch it). */
  net->now += NET_S;
  for (guint x = 0; x < net->n; x++)
    if (!net->down[x])
      {
        PastryEnv env = net_begin (net, x);
        pastry_maint_probe_round (&net->mt[x], net->nodes[x], &env);
        net_end (net, x);
      }
  net_run (net, 10000);
  g_assert_cmpuint (net_upcalls (net, PASTRY_UPCALL_DECLARED_DEAD, 5, 3), ==,
                    1);
  net_check_leafsets (net);
  for (guint x = 0; x < net->n; x++)
    if (x != 3)
      g_assert_false (pastry_node_where (net->nodes[x], 3) & PASTRY_IN_LEAFSET);
  net_free (net);
}

/* Node 2 declares live node 3 dead (3's probe replies to 2 are lost); 3
 * refutes the first notice it gets, and the second is stale. */
static void
test_refute (void)
{
  Net *net = net_new_full (8, 4, FALSE);
  net->lose_type = PASTRY_MSG_PROBE_REPLY;
  net->lose_from = 3;
  net->lose_to = 2;
  PastryEnv env = net_begin (net, 2);
  pastry_maint_suspect (&net->mt[2], net->nodes[2], &env, 3);
  g_assert_cmpuint (net_end (net, 2), ==, 1);
  /* A second suspicion while probing sends nothing. */
  env = net_begin (net, 2);
  pastry_maint_suspect (&net->mt[2], net->nodes[2], &env, 3);
  g_assert_cmpuint (net_end (net, 2), ==, 0);
  while (net_upcalls (net, PASTRY_UPCALL_DECLARED_DEAD, 2, 3) == 0)
    g_assert_true (net_step (net));
  g_assert_cmpuint (net_count (net, PASTRY_MSG_PROBE, 2, 3), ==, 3);
  net->lose_type = -1;
  net_run (net, 1000);
  g_assert_cmpuint (net_upcalls (net, PASTRY_UPCALL_REFUTED, 3, 2), ==, 1);
  g_assert_cmpuint (net->mt[3].claims, ==, 1);
  /* 3 probed its leaf set: proof of life; everyone has it back. */
  g_assert_cmpuint (net_count (net, PASTRY_MSG_PROBE, 3, 2), ==, 1);
  g_assert_false (pastry_fd_believes_dead (&net->mt[2].fd, 3, net->now));
  net_check_leafsets (net);
  net_free (net);
}

static void
test_leave (void)
{
  Net *net = net_new_full (8, 4, FALSE);
  PastryEnv env = net_begin (net, 5);
  pastry_maint_leave (net->nodes[5], &env);
  g_assert_cmpuint (net_end (net, 5), ==, 4);
  g_assert_cmpuint (net_count (net, PASTRY_MSG_LEAVE, 5, 3), ==, 1);
  g_assert_cmpuint (net_count (net, PASTRY_MSG_LEAVE, 5, 7), ==, 1);
  const PastryMessage *leave = g_queue_peek_head (&net->wire);
  g_assert_cmpuint (leave->n_entries, ==, 4);
  g_assert_true (leave->flags & PASTRY_MSG_FLAG_REPAIR);
  net->down[5] = TRUE;
  net_run (net, 1000);
  net_check_leafsets (net);
  for (guint x = 3; x <= 7; x++)
    if (x != 5)
      {
        g_assert_cmpuint (pastry_node_where (net->nodes[x], 5), ==, 0);
        g_assert_true (pastry_fd_believes_dead (&net->mt[x].fd, 5, net->now));
      }
  /* No broadcast after a leave: each member repairs its own side. */
  g_assert_cmpuint (
      net_count (net, PASTRY_MSG_LEAFSET_UPDATE, G_MAXUINT, G_MAXUINT), ==, 0);
  net_free (net);
}

/* A probe round: PROBEs to every table entry and unwatched leaf,
 * LEAFSET_REQUESTs to the nearest leaf on each side, a ROW_REQUEST to one
 * random entry of each non-empty row (one draw per row). */
static void
test_probe_round (void)
{
  Net *net = net_new (8, 4);
  PastryEnv env = net_begin (net, 0);
  pastry_maint_probe_round (&net->mt[0], net->nodes[0], &env);
  net_end (net, 0);
  g_assert_cmpuint (net_count (net, PASTRY_MSG_LEAFSET_REQUEST, 0, 1), ==, 1);
  g_assert_cmpuint (net_count (net, PASTRY_MSG_LEAFSET_REQUEST, 0, 7), ==, 1);
  guint rows = 0;
  for (guint l = 0; l < pastry_node_n_rows (net->nodes[0]); l++)
    {
      PastryEntry row[16];
      rows += pastry_node_export_row (net->nodes[0], l, row) > 0;
    }
  g_assert_cmpuint (rows, >, 0);
  g_assert_cmpuint (net->draws, ==, rows);
  g_assert_cmpuint (net_count (net, PASTRY_MSG_ROW_REQUEST, 0, G_MAXUINT), ==,
                    rows);
  /* Every known peer is probed exactly once. */
  for (guint p = 1; p < 8; p++)
    g_assert_cmpuint (net_count (net, PASTRY_MSG_PROBE, 0, p), ==, 1);
  g_assert_cmpuint (net->timers->len, ==, 1);
  g_assert_cmpuint (g_array_index (net->timers, PastryOutItem, 0).delay, ==,
                    net->mcfg.probe_period);
  /* A suspect is left to its own probes. */
  g_array_set_size (net->sent, 0);
  pastry_fd_suspect (&net->mt[0].fd, 1, net->now);
  env = net_begin (net, 0);
  pastry_maint_probe_round (&net->mt[0], net->nodes[0], &env);
  net_end (net, 0);
  g_assert_cmpuint (net_count (net, PASTRY_MSG_PROBE, 0, 1), ==, 0);
  g_assert_cmpuint (net_count (net, PASTRY_MSG_LEAFSET_REQUEST, 0, 1), ==, 0);
  net_free (net);
}

/* Offers: a would-be leaf heard of from a third party is verified first;
 * the sender itself, or any peer with verification off, goes straight in;
 * a peer believed dead or refused by reachable never does. */
static gboolean
refuse_6 (PastryPeer p, gpointer data)
{
  return p != 6;
}

static void
test_offer (void)
{
  Net *net = net_new (8, 4);
  /* Node 0 forgets 1 and 2 (its right side refills from farther peers). */
  pastry_node_remove_peer (net->nodes[0], 1);
  pastry_node_remove_peer (net->nodes[0], 2);
  PastryEntry e[2] = { { 1, PASTRY_PROX_UNKNOWN }, { 2, PASTRY_PROX_UNKNOWN } };
  PastryEnv env = net_begin (net, 0);
  g_assert_cmpuint (
      pastry_maint_offer (&net->mt[0], net->nodes[0], &env, e, 2, 4), ==, 0);
  g_assert_cmpuint (net_end (net, 0), ==, 2);
  g_assert_cmpuint (net_count (net, PASTRY_MSG_PROBE, 0, 1), ==, 1);
  g_assert_cmpuint (pastry_node_where (net->nodes[0], 1), ==, 0);
  net_run (net, 100); /* verified: both come in */
  net_check_leafsets (net);

  /* Verification off; 3 believed dead; 6 refused. */
  net->mcfg.verify_leaves = FALSE;
  pastry_node_remove_peer (net->nodes[0], 1);
  pastry_node_remove_peer (net->nodes[0], 3);
  pastry_node_remove_peer (net->nodes[0], 6);
  pastry_fd_mark_dead (&net->mt[0].fd, 3, net->now + NET_S);
  PastryEntry f[3] = { { 1, 0 }, { 3, 0 }, { 6, 0 } };
  env = net_begin (net, 0);
  env.reachable = refuse_6;
  g_assert_cmpuint (
      pastry_maint_offer (&net->mt[0], net->nodes[0], &env, f, 3, 0), ==, 1);
  g_assert_cmpuint (net_end (net, 0), ==, 0);
  g_assert_cmpuint (pastry_node_where (net->nodes[0], 1), !=, 0);
  g_assert_cmpuint (pastry_node_where (net->nodes[0], 3), ==, 0);
  g_assert_cmpuint (pastry_node_where (net->nodes[0], 6), ==, 0);
  /* Without maintenance state nothing is verified or believed dead. */
  pastry_node_remove_peer (net->nodes[0], 1);
  net->mcfg.verify_leaves = TRUE;
  env = net_begin (net, 0);
  g_assert_cmpuint (pastry_maint_offer (NULL, net->nodes[0], &env, f, 2, 0), ==,
                    1); /* 1 back in the leaf set, 3 in the table */
  g_assert_cmpuint (net_end (net, 0), ==, 0);
  g_assert_cmpuint (pastry_node_where (net->nodes[0], 3), !=, 0);
  net_free (net);
}

/* verify_table: a peer heard of from a third party that would take a
 * routing-table slot is probed first and enters when it answers; without
 * the rule it enters at once.  A peer the slot would not take (its
 * incumbent is nearer, or is the peer) is not probed, nor is the entry an
 * ENTRY_REPLY brings for the empty slot the node asked about. */
static void
test_verify_table (void)
{
  for (guint rule = 0; rule < 2; rule++)
    {
      Net *net = net_new (8, 4);
      net->mcfg.verify_table = rule;
      /* 4 is in node 0's table, not its leaf set (1, 2, 6, 7). */
      g_assert_cmpuint (pastry_node_where (net->nodes[0], 4)
                            & (PASTRY_IN_TABLE | PASTRY_IN_LEAFSET),
                        ==, PASTRY_IN_TABLE);
      pastry_node_remove_peer (net->nodes[0], 4);
      PastryEntry four = { 4, PASTRY_PROX_UNKNOWN };
      PastryEnv env = net_begin (net, 0);
      pastry_maint_offer (&net->mt[0], net->nodes[0], &env, &four, 1, 5);
      g_assert_cmpuint (net_end (net, 0), ==, rule);
      if (rule)
        {
          g_assert_cmpuint (pastry_node_where (net->nodes[0], 4), ==, 0);
          const PastryMessage *m = &g_array_index (net->sent, PastryMessage, 0);
          g_assert_cmpuint (m->type, ==, PASTRY_MSG_PROBE);
          g_assert_cmpuint (m->to, ==, 4);
          g_assert_true (m->flags & PASTRY_MSG_FLAG_VERIFY);
          net_run (net, 100);
        }
      g_assert_true (pastry_node_where (net->nodes[0], 4) & PASTRY_IN_TABLE);
      /* Offered again, or offered by itself: nothing to check. */
      guint sent = net->sent->len;
      env = net_begin (net, 0);
      pastry_maint_offer (&net->mt[0], net->nodes[0], &env, &four, 1, 5);
      pastry_maint_offer (&net->mt[0], net->nodes[0], &env, NULL, 0, 3);
      g_assert_cmpuint (net_end (net, 0), ==, 0);
      g_assert_cmpuint (net->sent->len, ==, sent);
      /* An ENTRY_REPLY (the answer of a live source asked for that very
       * slot) is taken at once. */
      pastry_node_remove_peer (net->nodes[0], 4);
      PastryMessage reply = { 0 };
      reply.type = PASTRY_MSG_ENTRY_REPLY;
      reply.from = 5;
      reply.to = 0;
      reply.about = 0;
      reply.row = 0;
      reply.col = pastry_id_digit (
          pastry_directory_id (pastry_node_directory (net->nodes[0]), 4), 0, 4);
      reply.attempt = PASTRY_MAINT_REPAIR_TRIES; /* no further source */
      reply.entries = &four;
      reply.n_entries = 1;
      env = net_begin (net, 0);
      g_assert_true (
          pastry_maint_receive (&net->mt[0], net->nodes[0], &reply, &env));
      g_assert_cmpuint (net_end (net, 0), ==, 0);
      g_assert_true (pastry_node_where (net->nodes[0], 4) & PASTRY_IN_TABLE);
      /* A dead peer heard of is never taken in: its probes go unanswered
       * and it is declared dead. */
      if (rule)
        {
          pastry_node_remove_peer (net->nodes[0], 4);
          net->down[4] = TRUE;
          env = net_begin (net, 0);
          pastry_maint_offer (&net->mt[0], net->nodes[0], &env, &four, 1, 5);
          net_end (net, 0);
          net_run (net, 100);
          g_assert_cmpuint (pastry_node_where (net->nodes[0], 4), ==, 0);
          g_assert_true (pastry_fd_believes_dead (&net->mt[0].fd, 4, net->now));
        }
      net_free (net);
    }
}

/* Hearsay does not revive the dead (hearsay_keeps_dead): node 0 marked 3
 * dead; once the mark has expired, 4 mentioning 3 renews the mark instead
 * of bringing 3 back, while an offer from 3 itself lifts it.  Without the
 * rule the expired mark lets the mention in. */
static void
test_hearsay (void)
{
  for (guint rule = 0; rule < 2; rule++)
    {
      Net *net = net_new (8, 4);
      net->mcfg.hearsay_keeps_dead = rule;
      PastryEntry three = { 3, PASTRY_PROX_UNKNOWN };
      PastryTime memory = pastry_maint_dead_memory (&net->mcfg);
      pastry_node_remove_peer (net->nodes[0], 3);
      pastry_fd_mark_dead (&net->mt[0].fd, 3, net->now + NET_S);
      /* Before the expiry the mark holds either way. */
      PastryEnv env = net_begin (net, 0);
      pastry_maint_offer (&net->mt[0], net->nodes[0], &env, &three, 1, 4);
      net_end (net, 0);
      g_assert_cmpuint (pastry_node_where (net->nodes[0], 3), ==, 0);
      /* Just after the expiry: a mention by 4. */
      net->now += NET_S + 1;
      env = net_begin (net, 0);
      g_assert_false (pastry_maint_dismisses (NULL, &env, 3, 4));
      pastry_maint_offer (&net->mt[0], net->nodes[0], &env, &three, 1, 4);
      net_end (net, 0);
      if (!rule)
        {
          g_assert_cmpuint (pastry_node_where (net->nodes[0], 3), !=, 0);
          net_free (net);
          continue;
        }
      g_assert_cmpuint (pastry_node_where (net->nodes[0], 3), ==, 0);
      g_assert_true (pastry_fd_believes_dead (&net->mt[0].fd, 3, net->now));
      g_assert_true (
          pastry_fd_believes_dead (&net->mt[0].fd, 3, net->now + memory - 1));
      g_assert_false (
          pastry_fd_believes_dead (&net->mt[0].fd, 3, net->now + memory));
      /* An offer with no sender is hearsay too. */
      net->now += memory;
      env = net_begin (net, 0);
      pastry_maint_offer (&net->mt[0], net->nodes[0], &env, &three, 1,
                          PASTRY_PEER_NONE);
      net_end (net, 0);
      g_assert_cmpuint (pastry_node_where (net->nodes[0], 3), ==, 0);
      g_assert_true (pastry_fd_believes_dead (&net->mt[0].fd, 3, net->now));
      /* 3 speaks for itself (its leaf set, say), mark unexpired: back. */
      env = net_begin (net, 0);
      pastry_maint_offer (&net->mt[0], net->nodes[0], &env, NULL, 0, 3);
      net_end (net, 0);
      g_assert_cmpuint (pastry_node_where (net->nodes[0], 3), !=, 0);
      g_assert_false (pastry_fd_knows (&net->mt[0].fd, 3));
      /* A suspicion is not a dead mark: hearsay leaves it alone. */
      g_assert_true (pastry_fd_suspect (&net->mt[0].fd, 5, net->now));
      g_assert_false (pastry_fd_hearsay (&net->mt[0].fd, 5, net->now + 1));
      g_assert_false (pastry_fd_lift_dead (&net->mt[0].fd, 5));
      g_assert_true (pastry_fd_is_suspect (&net->mt[0].fd, 5, net->now));
      net_free (net);
    }
}

/* A dead routing-table entry of node 0 (16 nodes, each with its own first
 * digit) is replaced through ENTRY_REQUESTs to the other entries of its
 * row.  With filled = FALSE every source still lists the dead node (which
 * node 0 believes dead): the tries stop at PASTRY_MAINT_REPAIR_TRIES.
 * With filled = TRUE the others know a replacement x, and the first
 * answer fills the slot. */
static void
table_repair (gconstpointer data)
{
  gboolean filled = GPOINTER_TO_INT (data);
  Net *net = net_new (16, 2);
  PastryPeer dead = 8;
  g_assert_cmpuint (pastry_node_where (net->nodes[0], dead), ==,
                    PASTRY_IN_TABLE);
  /* A copy: adding to the directory may move its ids. */
  PastryId did = *pastry_directory_id (net->dir, dead);
  PastryId xid = { did.hi + 1, 0 };
  PastryPeer x = pastry_directory_add (net->dir, &xid, NULL);
  if (filled)
    for (guint k = 1; k < net->n; k++)
      {
        pastry_node_remove_peer (net->nodes[k], dead);
        pastry_node_insert (net->nodes[k], x, net_prox (k, x, NULL));
      }
  guint col = pastry_id_digit (&did, 0, 4);
  net->down[dead] = TRUE;
  PastryEnv env = net_begin (net, 0);
  pastry_maint_suspect (&net->mt[0], net->nodes[0], &env, dead);
  net_end (net, 0);
  net_run (net, 1000);
  g_assert_cmpuint (net_upcalls (net, PASTRY_UPCALL_DECLARED_DEAD, 0, dead), ==,
                    1);
  g_assert_cmpuint (pastry_node_where (net->nodes[0], dead), ==, 0);
  guint asked = net_count (net, PASTRY_MSG_ENTRY_REQUEST, 0, G_MAXUINT);
  g_assert_cmpuint (net_count (net, PASTRY_MSG_ENTRY_REPLY, G_MAXUINT, 0), ==,
                    asked);
  for (guint i = 0; i < net->sent->len; i++)
    {
      const PastryMessage *m = &g_array_index (net->sent, PastryMessage, i);
      if (m->type == PASTRY_MSG_ENTRY_REQUEST)
        {
          g_assert_cmpuint (m->row, ==, 0);
          g_assert_cmpuint (m->col, ==, col);
          g_assert_true (pastry_node_where (net->nodes[0], m->to)
                         & PASTRY_IN_TABLE);
        }
    }
  if (filled)
    {
      g_assert_cmpuint (asked, ==, 1);
      g_assert_cmpuint (pastry_node_entry (net->nodes[0], 0, col).peer, ==, x);
    }
  else
    {
      g_assert_cmpuint (asked, ==, PASTRY_MAINT_REPAIR_TRIES);
      g_assert_cmpuint (pastry_node_entry (net->nodes[0], 0, col).peer, ==,
                        PASTRY_PEER_NONE);
    }
  g_assert_cmpuint (net_count (net, PASTRY_MSG_LEAFSET_REQUEST, 0, G_MAXUINT),
                    ==, 0);
  net_free (net);
}

/* The self-tuning probe period: off (target 0) it is probe_period; with
 * no observation it starts at probe_period (the prior); a failure rate
 * mu gives 2 (target / mu - D), D = probe_timeout (probe_retries + 1);
 * both clamps (probe_period / 10 or 2 D below, 2 probe_period above). */
static void
test_tuned_period (void)
{
  PastryMaintConfig cfg = {
    .probe_period = 600 * NET_S,
    .probe_timeout = 3 * NET_S,
    .probe_retries = 2,
  };
  g_assert_cmpuint (pastry_maint_tuned_period (&cfg, 5, 1000), ==,
                    cfg.probe_period);
  cfg.probe_target = 0.05;
  PastryTime t0 = pastry_maint_tuned_period (&cfg, 0, 0);
  g_assert_cmpint (ABS ((gint64) t0 - (gint64) cfg.probe_period), <=, 1);
  /* mu = 1 / 3600 per s, observed long enough to drown the prior:
   * 2 (0.05 x 3600 - 9) s = 342 s. */
  PastryTime t = pastry_maint_tuned_period (&cfg, 9999, 3600.0 * 1e4);
  g_assert_cmpint (ABS ((gint64) t - 342 * (gint64) NET_S), <, NET_S);
  /* Many failures: the lower clamp, probe_period / 10 = 60 s > 2 D. */
  g_assert_cmpuint (pastry_maint_tuned_period (&cfg, 1e6, 1), ==, 60 * NET_S);
  cfg.probe_period = 10 * NET_S; /* now 2 D = 18 s > 1 s */
  g_assert_cmpuint (pastry_maint_tuned_period (&cfg, 1e6, 1), ==, 18 * NET_S);
  /* No failures in a long watch: the upper clamp. */
  cfg.probe_period = 600 * NET_S;
  g_assert_cmpuint (pastry_maint_tuned_period (&cfg, 0, 1e9), ==, 1200 * NET_S);
}

/* A node that declares a table entry dead counts one observed failure,
 * and (probe_target > 0) its probe rounds add the peers they watched over
 * the time since the last round and re-arm at the tuned period. */
static void
test_tuned_observe (void)
{
  Net *net = net_new (16, 2);
  net->mcfg.probe_target = 0.05;
  PastryPeer dead = 8;
  net->down[dead] = TRUE;
  PastryEnv env = net_begin (net, 0);
  pastry_maint_suspect (&net->mt[0], net->nodes[0], &env, dead);
  net_end (net, 0);
  net_run (net, 1000);
  g_assert_cmpuint (net_upcalls (net, PASTRY_UPCALL_DECLARED_DEAD, 0, dead), ==,
                    1);
  g_assert_cmpfloat (net->mt[0].seen_failures, ==, 1);
  env = net_begin (net, 0);
  pastry_maint_probe_round (&net->mt[0], net->nodes[0], &env);
  g_assert_cmpfloat (net->mt[0].seen_peer_s, ==, 0); /* first round */
  PastryTime first = net->now;
  net_end (net, 0);
  net->now += 100 * NET_S;
  env = net_begin (net, 0);
  guint before = pastry_outbox_len (env.out);
  pastry_maint_probe_round (&net->mt[0], net->nodes[0], &env);
  g_assert_cmpfloat (net->mt[0].seen_peer_s, >, 0);
  g_assert_cmpuint (net->mt[0].last_round, ==, first + 100 * NET_S);
  const PastryOutItem *last
      = pastry_outbox_item (env.out, pastry_outbox_len (env.out) - 1);
  g_assert_cmpuint (pastry_outbox_len (env.out), >, before);
  g_assert_cmpint (last->kind, ==, PASTRY_OUT_TIMER);
  g_assert_cmpuint (last->delay, ==,
                    pastry_maint_tuned_period (&net->mcfg,
                                               net->mt[0].seen_failures,
                                               net->mt[0].seen_peer_s));
  g_assert_cmpuint (last->delay, !=, net->mcfg.probe_period);
  net_end (net, 0);
  net_free (net);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/maint/start", test_start);
  g_test_add_func ("/maint/crash-repair", test_crash_repair);
  g_test_add_func ("/maint/refute", test_refute);
  g_test_add_func ("/maint/leave", test_leave);
  g_test_add_func ("/maint/probe-round", test_probe_round);
  g_test_add_func ("/maint/offer", test_offer);
  g_test_add_func ("/maint/hearsay", test_hearsay);
  g_test_add_func ("/maint/verify-table", test_verify_table);
  g_test_add_func ("/maint/tuned-period", test_tuned_period);
  g_test_add_func ("/maint/tuned-observe", test_tuned_observe);
  g_test_add_data_func ("/maint/table-repair/exhausted",
                        GINT_TO_POINTER (FALSE), table_repair);
  g_test_add_data_func ("/maint/table-repair/filled", GINT_TO_POINTER (TRUE),
                        table_repair);
  return g_test_run ();
}
