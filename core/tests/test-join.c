/* test-join.c — core's join protocol driven by hand, with no simulator:
 * the test plays network and clock (net.h) and asserts every stage.
 *
 * Cases: a node alone joins at once; a join through a bootstrap to the
 * root (JOIN_REPLYs from every path node, the root's with its leaf set and
 * the path length, second-stage ROW_REQUESTs, JOINED, announcements,
 * JOIN_DONE, leaf-set pushes) leaving every leaf set ideal; a dead path
 * node (the JOIN bounces, is rerouted, the join completes and the overlay
 * converges after a probe round); a join timeout restarting through
 * another bootstrap, with the stale timer and late replies ignored; the
 * root's reply lost (restart at once).
 */
#include "net.h"

/* Makes node j a newcomer: nobody knows it, it knows nobody. */
static void
make_joiner (Net *net, guint j)
{
  for (guint x = 0; x < net->n; x++)
    pastry_node_remove_peer (net->nodes[x], j);
  pastry_node_free (net->nodes[j]);
  net->nodes[j] = pastry_node_new (&net->pcfg, net->dir, j);
  pastry_maint_clear (&net->mt[j]);
  pastry_maint_init (&net->mt[j]);
  net->joining[j] = TRUE;
}

static void
start (Net *net, guint j, PastryPeer bootstrap)
{
  PastryEnv env = net_begin (net, j);
  pastry_join_start (&net->js[j], net->nodes[j], &env, bootstrap);
  net_end (net, j);
}

/* Position of the first log code equal to code (G_MAXUINT: none). */
static guint
log_find (const Net *net, guint code)
{
  for (guint i = 0; i < net->log->len; i++)
    if (g_array_index (net->log, guint, i) == code)
      return i;
  return G_MAXUINT;
}

static const PastryMessage *
sent_nth (const Net *net, PastryMsgType type, guint k)
{
  for (guint i = 0; i < net->sent->len; i++)
    {
      const PastryMessage *m = &g_array_index (net->sent, PastryMessage, i);
      if (m->type == type && k-- == 0)
        return m;
    }
  return NULL;
}

static void
test_alone (void)
{
  Net *net = net_new (2, 4);
  make_joiner (net, 1);
  net->down[0] = TRUE;
  start (net, 1, PASTRY_PEER_NONE);
  g_assert_cmpuint (net->sent->len, ==, 0);
  g_assert_cmpuint (net->log->len, ==, 2);
  g_assert_cmpuint (g_array_index (net->log, guint, 0), ==,
                    NET_LOG_UPCALL + PASTRY_UPCALL_JOINED);
  g_assert_cmpuint (g_array_index (net->log, guint, 1), ==,
                    NET_LOG_UPCALL + PASTRY_UPCALL_JOIN_DONE);
  g_assert_false (net->joining[1]);
  g_assert_true (net->mt[1].joined);
  net_free (net);
}

/* Node 4 of 9 joins through node 0 (a routing-table hop away in a full
 * overlay, so the path has a bootstrap, possibly a middle node, and the
 * root). */
static void
test_join (void)
{
  Net *net = net_new (9, 4);
  make_joiner (net, 4);
  start (net, 4, 0);
  const PastryMessage *req = sent_nth (net, PASTRY_MSG_JOIN_REQUEST, 0);
  g_assert_nonnull (req);
  g_assert_cmpuint (req->to, ==, 0);
  g_assert_cmpuint (req->about, ==, 4);
  g_assert_cmpuint (req->attempt, ==, 0);
  g_assert_cmpuint (net->timers->len, ==, 1);
  PastryOutItem *t = &g_array_index (net->timers, PastryOutItem, 0);
  g_assert_cmpuint (t->timer, ==, PASTRY_TIMER_JOIN);
  g_assert_cmpuint (t->delay, ==, net->jcfg.timeout);
  g_assert_cmpuint (t->cookie, ==, 0);

  /* The bootstrap answers (with its neighbours) and forwards. */
  g_assert_true (net_step (net));
  const PastryMessage *r0 = sent_nth (net, PASTRY_MSG_JOIN_REPLY, 0);
  g_assert_nonnull (r0);
  g_assert_cmpuint (r0->from, ==, 0);
  g_assert_cmpuint (r0->to, ==, 4);
  g_assert_true (r0->flags & PASTRY_MSG_FLAG_BOOTSTRAP);
  g_assert_cmpuint (r0->n_entries, >, 0);
  const PastryMessage *fw = sent_nth (net, PASTRY_MSG_JOIN, 0);
  g_assert_nonnull (fw);
  g_assert_true (fw->flags & PASTRY_MSG_FLAG_ACKED);
  g_assert_cmpuint (fw->hops, ==, 1);
  g_assert_cmpuint (fw->about, ==, 4);

  /* Until the root: one reply per path node, the root's last. */
  while (log_find (net, PASTRY_MSG_ROW_REQUEST) == G_MAXUINT)
    g_assert_true (net_step (net));
  guint replies = net_count (net, PASTRY_MSG_JOIN_REPLY, G_MAXUINT, 4);
  const PastryMessage *root
      = sent_nth (net, PASTRY_MSG_JOIN_REPLY, replies - 1);
  g_assert_true (root->flags & PASTRY_MSG_FLAG_ROOT);
  g_assert_cmpuint (root->hops + 1u, ==, replies);
  g_assert_true (root->from == 3 || root->from == 5);
  g_assert_cmpuint (net_count (net, PASTRY_MSG_JOIN, G_MAXUINT, G_MAXUINT), ==,
                    replies - 1);
  g_assert_true (net->js[4].stage2);
  g_assert_cmpuint (net->js[4].expected, ==, replies);

  /* Second stage: one ROW_REQUEST per table entry; then JOINED, the
   * announcements, JOIN_DONE. */
  guint rows = net_count (net, PASTRY_MSG_ROW_REQUEST, 4, G_MAXUINT);
  g_assert_cmpuint (rows, >, 0);
  g_assert_cmpuint (net->js[4].outstanding, ==, rows);
  g_assert_true (net->joining[4]);
  net_run (net, 10000);
  g_assert_cmpuint (net_count (net, PASTRY_MSG_ROW_REPLY, G_MAXUINT, 4), ==,
                    rows);
  g_assert_false (net->joining[4]);
  g_assert_true (net->mt[4].joined);
  guint joined = log_find (net, NET_LOG_UPCALL + PASTRY_UPCALL_JOINED);
  guint announce = log_find (net, PASTRY_MSG_ANNOUNCE);
  guint done = log_find (net, NET_LOG_UPCALL + PASTRY_UPCALL_JOIN_DONE);
  g_assert_cmpuint (joined, <, announce);
  g_assert_cmpuint (announce, <, done);
  /* Announced to every node it knew, leaf-set members asked to answer;
   * they took it in and pushed their leaf sets back. */
  for (guint x = 0; x < net->n; x++)
    if (x != 4)
      {
        g_assert_cmpuint (net_count (net, PASTRY_MSG_ANNOUNCE, 4, x), >=, 1);
        g_assert_cmpuint (pastry_node_where (net->nodes[x], 4), !=, 0);
      }
  g_assert_cmpuint (net_count (net, PASTRY_MSG_LEAFSET_PUSH, G_MAXUINT, 4), >=,
                    2);
  for (guint i = 0; i < net->sent->len; i++)
    {
      const PastryMessage *m = &g_array_index (net->sent, PastryMessage, i);
      if (m->type == PASTRY_MSG_ANNOUNCE && m->from == 4
          && (m->to == 2 || m->to == 3 || m->to == 5 || m->to == 6))
        g_assert_true (m->flags & PASTRY_MSG_FLAG_LEAF);
    }
  net_check_leafsets (net);
  net_free (net);
}

/* Node 4 of 9 joins through 0 while 7, down, is still listed by the
 * others, so the joiner's table holds it and a ROW_REQUEST goes there.
 * Without refine_behind the join waits for that request to go
 * unanswered; with it the node is a member (JOINED, announcements,
 * JOIN_DONE) as soon as the second stage's requests are out, the live
 * rows still arrive and the silent entry is suspected, probed and
 * declared dead. */
static void
test_refine_behind (void)
{
  for (guint behind = 0; behind < 2; behind++)
    {
      Net *net = net_new (9, 4);
      net->jcfg.refine_behind = behind;
      make_joiner (net, 4);
      net->down[7] = TRUE;
      start (net, 4, 0);
      while (log_find (net, PASTRY_MSG_ROW_REQUEST) == G_MAXUINT)
        g_assert_true (net_step (net));
      guint rows = net_count (net, PASTRY_MSG_ROW_REQUEST, 4, G_MAXUINT);
      g_assert_cmpuint (net_count (net, PASTRY_MSG_ROW_REQUEST, 4, 7), ==, 1);
      guint done = log_find (net, NET_LOG_UPCALL + PASTRY_UPCALL_JOIN_DONE);
      if (behind)
        {
          g_assert_false (net->joining[4]);
          g_assert_true (net->mt[4].joined);
          g_assert_cmpuint (net->js[4].outstanding, ==, 0);
          g_assert_cmpuint (done, !=, G_MAXUINT);
          g_assert_cmpuint (net_count (net, PASTRY_MSG_ROW_REPLY, G_MAXUINT, 4),
                            ==, 0);
        }
      else
        {
          g_assert_true (net->joining[4]);
          g_assert_cmpuint (net->js[4].outstanding, ==, rows);
          g_assert_cmpuint (done, ==, G_MAXUINT);
        }
      net_run (net, 10000);
      g_assert_false (net->joining[4]);
      g_assert_cmpuint (net_count (net, PASTRY_MSG_ROW_REPLY, G_MAXUINT, 4), ==,
                        rows - 1);
      if (!behind)
        g_assert_cmpuint (
            log_find (net, NET_LOG_UPCALL + PASTRY_UPCALL_JOIN_DONE), >,
            log_find (net, PASTRY_MSG_ROW_REPLY));
      /* The silent entry: suspected (the node had joined by then when
       * behind), probed, declared dead. */
      if (behind)
        {
          g_assert_cmpuint (net_count (net, PASTRY_MSG_PROBE, 4, 7), ==,
                            net->mcfg.probe_retries + 1);
          g_assert_true (pastry_fd_believes_dead (&net->mt[4].fd, 7, net->now));
          g_assert_cmpuint (pastry_node_where (net->nodes[4], 7), ==, 0);
        }
      for (guint x = 0; x < net->n; x++)
        if (x != 4 && x != 7)
          g_assert_cmpuint (pastry_node_where (net->nodes[x], 4), !=, 0);
      net_free (net);
    }
}

/* The root-to-be 3 is down but still known.  The bootstrap 0 routes the
 * JOIN to 3 (the closest id it knows); it bounces, 0 suspects 3 and
 * reroutes to 5; 5 routes it to 3 too, it bounces again and 5, with no
 * other way on (it is itself the closest after 3), drops it.  The join
 * stalls until its timer restarts it; by then 0 and 5 have declared 3
 * dead, and the second attempt completes.  After a probe round every leaf
 * set is ideal again. */
static void
test_dead_path_node (void)
{
  Net *net = net_new (9, 4);
  make_joiner (net, 4);
  net->down[3] = TRUE;
  start (net, 4, 0);
  net_run (net, 10000);
  g_assert_true (net->joining[4]);
  g_assert_cmpuint (net_count (net, PASTRY_MSG_JOIN, 0, 3), ==, 1);
  g_assert_cmpuint (net_count (net, PASTRY_MSG_JOIN, 0, 5), ==, 1);
  g_assert_cmpuint (net_count (net, PASTRY_MSG_JOIN, 5, 3), ==, 1);
  g_assert_cmpuint (net_count (net, PASTRY_MSG_JOIN, G_MAXUINT, G_MAXUINT), ==,
                    3);
  g_assert_cmpuint (net_count (net, PASTRY_MSG_JOIN_REPLY, G_MAXUINT, 4), ==,
                    2);
  g_assert_cmpuint (net->js[4].expected, ==, 0); /* no root answered */
  for (guint x = 0; x <= 5; x += 5)
    {
      g_assert_cmpuint (net_count (net, PASTRY_MSG_PROBE, x, 3), ==,
                        net->mcfg.probe_retries + 1);
      g_assert_true (pastry_fd_believes_dead (&net->mt[x].fd, 3, net->now));
    }
  net->now += net->jcfg.timeout;
  net->restart_via = 0;
  PastryEnv env = net_begin (net, 4);
  pastry_join_timer (&net->js[4], &env, 0);
  net_end (net, 4);
  net_run (net, 10000);
  g_assert_false (net->joining[4]);
  g_assert_cmpuint (net->js[4].attempt, ==, 1);
  g_assert_false (pastry_node_where (net->nodes[4], 3) & PASTRY_IN_LEAFSET);
  net->now += NET_S;
  for (guint x = 0; x < net->n; x++)
    if (!net->down[x])
      {
        PastryEnv e = net_begin (net, x);
        pastry_maint_probe_round (&net->mt[x], net->nodes[x], &e);
        net_end (net, x);
      }
  net_run (net, 100000);
  net_check_leafsets (net);
  net_free (net);
}

/* The bootstrap is down: the JOIN_REQUEST vanishes; the join timer
 * restarts the join through another bootstrap; the stale timer is
 * ignored. */
static void
test_timeout_restart (void)
{
  Net *net = net_new (9, 4);
  make_joiner (net, 4);
  net->down[7] = TRUE;
  start (net, 4, 7);
  net_run (net, 100);
  g_assert_true (net->joining[4]);
  g_assert_cmpuint (net->sent->len, ==, 1);
  /* A timer of another attempt does nothing. */
  PastryEnv env = net_begin (net, 4);
  pastry_join_timer (&net->js[4], &env, 1);
  g_assert_cmpuint (net_end (net, 4), ==, 0);
  g_assert_cmpuint (net->js[4].attempt, ==, 0);
  /* The attempt's own timer restarts through 1. */
  net->now += net->jcfg.timeout;
  net->restart_via = 1;
  env = net_begin (net, 4);
  pastry_join_timer (&net->js[4], &env, 0);
  g_assert_cmpuint (net_end (net, 4), ==, 1);
  g_assert_cmpuint (net->js[4].attempt, ==, 1);
  const PastryMessage *req = sent_nth (net, PASTRY_MSG_JOIN_REQUEST, 1);
  g_assert_cmpuint (req->to, ==, 1);
  g_assert_cmpuint (req->attempt, ==, 1);
  g_assert_cmpuint (
      g_array_index (net->timers, PastryOutItem, net->timers->len - 1).cookie,
      ==, 1);
  net_run (net, 10000);
  g_assert_false (net->joining[4]);
  net_free (net);
}

/* The root's JOIN_REPLY is lost: the joiner starts over at once; a late
 * reply of the first attempt still teaches it peers but is not counted. */
static void
test_root_reply_lost (void)
{
  Net *net = net_new (9, 4);
  make_joiner (net, 4);
  net->lose_type = PASTRY_MSG_JOIN_REPLY;
  net->lose_from = 3;
  net->lose_to = 4;
  net->restart_via = 8;
  start (net, 4, 0);
  /* Deliver until the restart. */
  while (net->js[4].attempt == 0)
    g_assert_true (net_step (net));
  g_assert_cmpuint (net_count (net, PASTRY_MSG_JOIN_REPLY, 3, 4), ==, 1);
  g_assert_cmpuint (net->js[4].replies, ==, 0);
  g_assert_cmpuint (sent_nth (net, PASTRY_MSG_JOIN_REQUEST, 1)->to, ==, 8);
  /* A reply of attempt 0 arriving now is not counted. */
  PastryMessage late = { 0 };
  late.type = PASTRY_MSG_JOIN_REPLY;
  late.from = 0;
  late.to = 4;
  late.about = 4;
  late.attempt = 0;
  late.flags = PASTRY_MSG_FLAG_ROOT;
  PastryEnv env = net_begin (net, 4);
  g_assert_true (pastry_join_receive (&net->js[4], &net->mt[4], net->nodes[4],
                                      &late, &env));
  net_end (net, 4);
  g_assert_cmpuint (net->js[4].replies, ==, 0);
  g_assert_cmpuint (pastry_node_where (net->nodes[4], 0), !=, 0);
  net->lose_type = -1;
  net_run (net, 10000);
  g_assert_false (net->joining[4]);
  net_check_leafsets (net);
  net_free (net);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/join/alone", test_alone);
  g_test_add_func ("/join/through-bootstrap", test_join);
  g_test_add_func ("/join/dead-path-node", test_dead_path_node);
  g_test_add_func ("/join/refine-behind", test_refine_behind);
  g_test_add_func ("/join/timeout-restart", test_timeout_restart);
  g_test_add_func ("/join/root-reply-lost", test_root_reply_lost);
  return g_test_run ();
}
