/* test-maint-strategies.c — the maintenance strategies
 * (PastryMaintConfig.strategy; core/pastry-maint-reactive.c,
 * core/pastry-maint-periodic.c) driven by hand on a few nodes (net.h),
 * each on the rule that tells it apart:
 *
 *  - reactive: a probe round probes the leaf set and nothing else (no
 *    table probes, no leaf-set exchange, no row requests), while MSPastry
 *    probes every entry; a table entry found dead on use (a suspicion, as
 *    a lookup's missing acknowledgement raises) is repaired at once
 *    (ENTRY_REQUEST), and a dead leaf at once (LEAFSET_REQUEST, then the
 *    broadcast);
 *  - periodic: the same verdicts send nothing — the peer is only removed
 *    — and the leaf sets are put right by the periodic pulls that follow
 *    each heartbeat (one random member asked per period);
 *  - mspastry (the default, 0) is unchanged: the same verdict repairs.
 */
#include "net.h"

static void
probe_round (Net *net, guint x)
{
  PastryEnv env = net_begin (net, x);
  pastry_maint_probe_round (&net->mt[x], net->nodes[x], &env);
  net_end (net, x);
}

static void
heartbeat (Net *net, guint x)
{
  PastryEnv env = net_begin (net, x);
  pastry_maint_heartbeat (&net->mt[x], net->nodes[x], &env);
  net_end (net, x);
}

/* Node x suspects p (a lookup's missing acknowledgement) and p is down:
 * the probes go unanswered until x declares it dead. */
static void
suspect_until_dead (Net *net, guint x, guint p)
{
  PastryEnv env = net_begin (net, x);
  pastry_maint_suspect (&net->mt[x], net->nodes[x], &env, p);
  net_end (net, x);
  for (guint i = 0;
       i < 10 && net_upcalls (net, PASTRY_UPCALL_DECLARED_DEAD, x, p) == 0; i++)
    g_assert_true (net_step (net));
  g_assert_cmpuint (net_upcalls (net, PASTRY_UPCALL_DECLARED_DEAD, x, p), ==,
                    1);
  g_assert_cmpuint (pastry_node_where (net->nodes[x], p), ==, 0);
}

static guint
repair_sends (const Net *net, guint from)
{
  return net_count (net, PASTRY_MSG_LEAFSET_REQUEST, from, G_MAXUINT)
         + net_count (net, PASTRY_MSG_LEAFSET_UPDATE, from, G_MAXUINT)
         + net_count (net, PASTRY_MSG_ENTRY_REQUEST, from, G_MAXUINT);
}

/* Node 0 of 8 knows all (leaf set 1, 2, 6, 7; table 3, 4, 5 too). */
static void
test_reactive_probe_round (void)
{
  for (guint s = PASTRY_MAINT_MSPASTRY; s <= PASTRY_MAINT_REACTIVE; s++)
    {
      Net *net = net_new (8, 4);
      net->mcfg.strategy = s;
      probe_round (net, 0);
      gboolean reactive = s == PASTRY_MAINT_REACTIVE;
      for (guint p = 1; p < 8; p++)
        {
          gboolean leaf
              = pastry_node_where (net->nodes[0], p) & PASTRY_IN_LEAFSET;
          g_assert_cmpuint (net_count (net, PASTRY_MSG_PROBE, 0, p), ==,
                            !reactive || leaf ? 1 : 0);
        }
      /* Nodes 3, 4, 5 are table entries only: MSPastry probes them,
       * REACTIVE does not. */
      g_assert_false (pastry_node_where (net->nodes[0], 4) & PASTRY_IN_LEAFSET);
      g_assert_true (pastry_node_where (net->nodes[0], 4) & PASTRY_IN_TABLE);
      g_assert_cmpuint (
          net_count (net, PASTRY_MSG_LEAFSET_REQUEST, 0, G_MAXUINT), ==,
          reactive ? 0 : 2);
      guint rows = net_count (net, PASTRY_MSG_ROW_REQUEST, 0, G_MAXUINT);
      g_assert_true (reactive ? rows == 0 : rows > 0);
      g_assert_true (reactive ? net->draws == 0 : net->draws == rows);
      /* The round is re-armed either way. */
      g_assert_cmpuint (net->timers->len, ==, 1);
      g_assert_cmpuint (g_array_index (net->timers, PastryOutItem, 0).delay, ==,
                        net->mcfg.probe_period);
      net_free (net);
    }
}

/* A table entry (4) found dead on use: REACTIVE and MSPASTRY ask another
 * entry for the slot at once; PERIODIC only removes it. */
static void
test_table_entry_dead_on_use (void)
{
  for (guint s = PASTRY_MAINT_MSPASTRY; s <= PASTRY_MAINT_PERIODIC; s++)
    {
      Net *net = net_new (8, 4);
      net->mcfg.strategy = s;
      net->down[4] = TRUE;
      suspect_until_dead (net, 0, 4);
      g_assert_cmpuint (net_count (net, PASTRY_MSG_ENTRY_REQUEST, 0, G_MAXUINT),
                        ==, s == PASTRY_MAINT_PERIODIC ? 0 : 1);
      if (s == PASTRY_MAINT_PERIODIC)
        g_assert_cmpuint (repair_sends (net, 0), ==, 0);
      net_free (net);
    }
}

/* Node 3 of 8 crashes; its left neighbour 2 declares it dead. */
static void
test_leaf_dead (void)
{
  for (guint s = PASTRY_MAINT_MSPASTRY; s <= PASTRY_MAINT_PERIODIC; s++)
    {
      Net *net = net_new_full (8, 4, FALSE);
      net->mcfg.strategy = s;
      net->down[3] = TRUE;
      suspect_until_dead (net, 2, 3);
      gboolean periodic = s == PASTRY_MAINT_PERIODIC;
      /* The verdict's own effects: a repair request (and, once answered,
       * the broadcast), or nothing at all. */
      g_assert_cmpuint (net_count (net, PASTRY_MSG_LEAFSET_REQUEST, 2, 4), ==,
                        periodic ? 0 : 1);
      g_assert_true (pastry_fd_believes_dead (&net->mt[2].fd, 3, net->now));
      net_run (net, 1000);
      g_assert_cmpuint (
          net_count (net, PASTRY_MSG_LEAFSET_UPDATE, 2, G_MAXUINT), ==,
          periodic ? 0 : 5);
      if (periodic)
        g_assert_cmpuint (net->sent->len, ==, 3); /* the three probes */
      net_free (net);
    }
}

/* PERIODIC: after a heartbeat the node asks one random leaf-set member
 * (one draw) for its leaf set; MSPastry's heartbeat asks nobody. */
static void
test_periodic_pull (void)
{
  for (guint s = PASTRY_MAINT_MSPASTRY; s <= PASTRY_MAINT_PERIODIC;
       s += PASTRY_MAINT_PERIODIC)
    {
      Net *net = net_new (8, 4);
      net->mcfg.strategy = s;
      gboolean periodic = s == PASTRY_MAINT_PERIODIC;
      PastryPeer leaf[8];
      guint n = pastry_node_export_leafset (net->nodes[0], leaf);
      g_assert_cmpuint (n, ==, 4);
      for (guint k = 0; k < 2 * n; k++)
        {
          g_array_set_size (net->sent, 0);
          guint64 draw = net->draws;
          heartbeat (net, 0);
          g_assert_cmpuint (net->draws - draw, ==, periodic ? 1 : 0);
          g_assert_cmpuint (
              net_count (net, PASTRY_MSG_LEAFSET_REQUEST, 0, G_MAXUINT), ==,
              periodic ? 1 : 0);
          if (periodic)
            g_assert_cmpuint (
                net_count (net, PASTRY_MSG_LEAFSET_REQUEST, 0, leaf[draw % n]),
                ==, 1);
          net_run (net, 100);
        }
      net_free (net);
    }
}

/* PERIODIC repairs what a crash leaves only through its pulls: after the
 * verdicts the leaf sets lack node 3's replacement; a few periods of
 * heartbeats (and their pulls) later they are ideal again. */
static void
test_periodic_recovers (void)
{
  Net *net = net_new_full (8, 4, FALSE);
  net->mcfg.strategy = PASTRY_MAINT_PERIODIC;
  net->down[3] = TRUE;
  suspect_until_dead (net, 2, 3);
  suspect_until_dead (net, 4, 3);
  net_run (net, 1000);
  /* 2 lost its right neighbour and learnt nobody: 5, the replacement,
   * is still unknown to it. */
  g_assert_cmpuint (pastry_node_where (net->nodes[2], 5), ==, 0);
  g_assert_cmpuint (repair_sends (net, 2) + repair_sends (net, 4), ==, 0);
  for (guint t = 1; t <= 8; t++)
    {
      net->now = t * NET_S;
      for (guint x = 0; x < net->n; x++)
        if (!net->down[x])
          heartbeat (net, x);
      net_run (net, 10000);
    }
  /* Nodes that still listed 3 (1, 5) declared it dead by heartbeats or
   * probes, or had it replaced by what their pulls brought. */
  for (guint x = 0; x < net->n; x++)
    if (!net->down[x]
        && (pastry_node_where (net->nodes[x], 3) & PASTRY_IN_LEAFSET))
      suspect_until_dead (net, x, 3);
  for (guint t = 9; t <= 16; t++)
    {
      net->now = t * NET_S;
      for (guint x = 0; x < net->n; x++)
        if (!net->down[x])
          heartbeat (net, x);
      net_run (net, 10000);
    }
  g_assert_cmpuint (
      net_count (net, PASTRY_MSG_LEAFSET_UPDATE, G_MAXUINT, G_MAXUINT), ==, 0);
  g_assert_cmpuint (
      net_count (net, PASTRY_MSG_ENTRY_REQUEST, G_MAXUINT, G_MAXUINT), ==, 0);
  net_check_leafsets (net);
  g_assert_true (pastry_node_where (net->nodes[2], 5) & PASTRY_IN_LEAFSET);
  net_free (net);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/maint-strategies/reactive-probe-round",
                   test_reactive_probe_round);
  g_test_add_func ("/maint-strategies/table-entry-dead-on-use",
                   test_table_entry_dead_on_use);
  g_test_add_func ("/maint-strategies/leaf-dead", test_leaf_dead);
  g_test_add_func ("/maint-strategies/periodic-pull", test_periodic_pull);
  g_test_add_func ("/maint-strategies/periodic-recovers",
                   test_periodic_recovers);
  return g_test_run ();
}
