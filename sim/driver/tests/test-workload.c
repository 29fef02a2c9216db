/* test-workload.c — the generators' draws (sim/driver/sim-workload.h),
 * called by hand over a fake life cycle (a SimNodeView over an array of
 * states), as the driver and the live host's schedule call them.
 *
 * Checked: unit times stay in their span, in order, and end after the
 * count (uniform) or the duration (Poisson); victims are distinct nodes
 * in a session, a percentage rounds and takes at least one, a range is
 * the ring's successors of a live node, named nodes only when live;
 * rejoiners come from the down list; a lookup draws nothing with no live
 * node; a per-node chain's instants increase and it stops at the
 * action's end; the same seed draws the same numbers.
 */
#include "sim-workload.h"

#include <string.h>

typedef struct
{
  guint8 state[16];
  guint n;
} Fake;

static SimNodeState
fake_state (gpointer data, guint32 x)
{
  Fake *f = data;
  return (SimNodeState) f->state[x];
}

/* The live ring in index order. */
static guint
fake_ring_after (gpointer data, guint32 first, guint k, guint32 *out)
{
  Fake *f = data;
  guint n = 0;
  for (guint32 i = (first + 1) % f->n; i != first && n < k; i = (i + 1) % f->n)
    if (f->state[i] == SIM_NODE_LIVE)
      out[n++] = i;
  return n;
}

static SimScenario *
scenario (const char *text)
{
  GError *error = NULL;
  g_autofree char *full = g_strconcat (text, "end\n", NULL);
  SimScenario *sc
      = sim_scenario_parse ("w.scn", full, strlen (full), NULL, NULL, &error);
  g_assert_no_error (error);
  return sc;
}

static void
test_uniform (void)
{
  SimScenario *sc = scenario ("at 10s join 50 over 5s\n");
  SimActionGen gen;
  guint phases = 0;
  sim_action_gen_init (&gen, sim_scenario_action (sc, 0), 1, 0, &phases);
  SimTime t, prev = 0;
  guint n = 0;
  while (sim_action_gen_next_time (&gen, 50, 0, &t))
    {
      g_assert_cmpuint (t, >=, 10 * SIM_TIME_S);
      g_assert_cmpuint (t, <, 15 * SIM_TIME_S);
      g_assert_cmpuint (t, >=, prev);
      prev = t;
      gen.done++;
      n++;
    }
  g_assert_cmpuint (n, ==, 50);
  g_assert_cmpuint (phases, ==, 0);
  sim_action_gen_clear (&gen);
  sim_scenario_free (sc);
}

static void
test_poisson (void)
{
  SimScenario *sc
      = scenario ("at 0s join 2\nat 1s lookup rate 100/s for 2s keys random\n");
  SimActionGen gen;
  guint phases = 0;
  sim_action_gen_init (&gen, sim_scenario_action (sc, 1), 1, 1, &phases);
  g_assert_cmpuint (phases, ==, 1);
  SimTime t, prev = 0;
  guint n = 0;
  while (sim_action_gen_next_time (&gen, 0, 0, &t))
    {
      g_assert_cmpuint (t, >, prev);
      g_assert_cmpuint (t, <, 3 * SIM_TIME_S);
      prev = t;
      gen.done++;
      n++;
    }
  g_assert_cmpuint (n, >, 100);
  g_assert_cmpuint (n, <, 300);
  /* No live node: nothing drawn. */
  SimRng before = gen.rng;
  guint src, key_rank;
  SimKey key;
  g_assert_false (sim_action_gen_draw_lookup (&gen, 1, &gen.rng, 0, TRUE, &src,
                                              &key_rank, &key));
  g_assert_cmpmem (&before, sizeof before, &gen.rng, sizeof gen.rng);
  g_assert_true (sim_action_gen_draw_lookup (&gen, 1, &gen.rng, 7, TRUE, &src,
                                             &key_rank, &key));
  g_assert_cmpuint (src, <, 7);
  g_assert_cmpuint (key_rank, ==, G_MAXUINT); /* keys random */
  sim_action_gen_clear (&gen);
  sim_scenario_free (sc);
}

static void
choose_victims (const char *text, const Fake *f, GArray *out, guint64 seed)
{
  g_autofree char *t = g_strconcat ("at 0s join 10\n", text, NULL);
  SimScenario *sc = scenario (t);
  SimActionGen gen;
  guint phases = 0;
  sim_action_gen_init (&gen, sim_scenario_action (sc, 1), seed, 1, &phases);
  SimNodeView v = { (gpointer) f, f->n, fake_state, fake_ring_after };
  g_array_set_size (out, 0);
  sim_action_gen_select_victims (&gen, &v, out);
  sim_action_gen_clear (&gen);
  sim_scenario_free (sc);
}

static void
test_victims (void)
{
  Fake f = { { 0 }, 10 };
  for (guint i = 0; i < f.n; i++)
    f.state[i] = i % 3 == 0   ? SIM_NODE_DOWN
                 : i % 3 == 1 ? SIM_NODE_LIVE
                              : SIM_NODE_JOINING;
  g_autoptr (GArray) out = g_array_new (FALSE, FALSE, sizeof (guint32));
  /* A count: distinct nodes in a session (6 of them), at most all. */
  choose_victims ("at 1s fail 4\n", &f, out, 1);
  g_assert_cmpuint (out->len, ==, 4);
  for (guint i = 0; i < out->len; i++)
    {
      guint32 x = g_array_index (out, guint32, i);
      g_assert_cmpint (f.state[x], !=, SIM_NODE_DOWN);
      for (guint j = 0; j < i; j++)
        g_assert_cmpuint (g_array_index (out, guint32, j), !=, x);
    }
  g_autoptr (GArray) again = g_array_new (FALSE, FALSE, sizeof (guint32));
  choose_victims ("at 1s fail 4\n", &f, again, 1);
  g_assert_cmpmem (out->data, out->len * 4, again->data, again->len * 4);
  choose_victims ("at 1s fail 40\n", &f, out, 1);
  g_assert_cmpuint (out->len, ==, 6);
  /* A percentage rounds, and takes at least one. */
  choose_victims ("at 1s fail 50%\n", &f, out, 1);
  g_assert_cmpuint (out->len, ==, 3);
  choose_victims ("at 1s fail 1%\n", &f, out, 1);
  g_assert_cmpuint (out->len, ==, 1);
  /* A range: a live node, then its live successors on the ring. */
  choose_victims ("at 1s fail range 3\n", &f, out, 2);
  g_assert_cmpuint (out->len, ==, 3);
  for (guint i = 0; i < out->len; i++)
    g_assert_cmpint (f.state[g_array_index (out, guint32, i)], ==,
                     SIM_NODE_LIVE);
  guint32 first = g_array_index (out, guint32, 0);
  g_assert_cmpuint (g_array_index (out, guint32, 1), ==,
                    first == 7 ? 1 : first + 3);
  /* Named nodes: only the live ones. */
  choose_victims ("at 1s fail nodes 0, 1, 2, 4, 9\n", &f, out, 1);
  g_assert_cmpuint (out->len, ==, 2);
  g_assert_cmpuint (g_array_index (out, guint32, 0), ==, 1);
  g_assert_cmpuint (g_array_index (out, guint32, 1), ==, 4);
}

static void
test_rejoiners (void)
{
  SimScenario *sc = scenario ("at 0s join 10\nat 1s fail 3\nat 2s rejoin 2\n");
  SimActionGen gen;
  guint phases = 0;
  sim_action_gen_init (&gen, sim_scenario_action (sc, 2), 3, 2, &phases);
  const guint32 down[] = { 7, 3, 9 };
  g_autoptr (GArray) out = g_array_new (FALSE, FALSE, sizeof (guint32));
  sim_action_gen_select_rejoiners (&gen, down, G_N_ELEMENTS (down), out);
  g_assert_cmpuint (out->len, ==, 2);
  for (guint i = 0; i < out->len; i++)
    {
      guint32 x = g_array_index (out, guint32, i);
      g_assert_true (x == 7 || x == 3 || x == 9);
    }
  g_assert_cmpuint (g_array_index (out, guint32, 0), !=,
                    g_array_index (out, guint32, 1));
  sim_action_gen_clear (&gen);
  sim_scenario_free (sc);
}

typedef struct
{
  SimTime last;
  guint n;
} Chain;

static void
chain_issue (gpointer data, SimTime t, SimRng *r)
{
  Chain *c = data;
  g_assert_cmpuint (t, >, c->last);
  c->last = t;
  c->n++;
}

static void
test_chain (void)
{
  SimScenario *sc
      = scenario ("at 0s join 2\nat 1s lookup rate 10/s per node for 5s\n");
  SimActionGen gen;
  guint phases = 0;
  sim_action_gen_init (&gen, sim_scenario_action (sc, 1), 1, 1, &phases);
  SimTime c;
  g_assert_false (sim_node_lookups_resume (&gen, FALSE, 0, SIM_TIME_S, &c));
  g_assert_true (sim_node_lookups_resume (&gen, TRUE, 0, 2 * SIM_TIME_S, &c));
  g_assert_cmpuint (c, ==, SIM_TIME_S);
  /* Everything due by 3 s, then the next instant after it. */
  Chain ch = { 0, 0 };
  SimTime next = sim_node_lookups_chain (&gen, 1, 1, 4, 0, c, FALSE,
                                         3 * SIM_TIME_S, chain_issue, &ch);
  g_assert_cmpuint (next, >, 3 * SIM_TIME_S);
  g_assert_cmpuint (ch.n, >, 5);
  g_assert_cmpuint (ch.last, <=, 3 * SIM_TIME_S);
  /* Run to the end: the chain stops before at + duration. */
  Chain all = { 0, 0 };
  g_assert_cmpuint (sim_node_lookups_chain (&gen, 1, 1, 4, 0, c, FALSE,
                                            SIM_TIME_MAX - 1, chain_issue,
                                            &all),
                    ==, SIM_TIME_MAX);
  g_assert_cmpuint (all.last, <, 6 * SIM_TIME_S);
  g_assert_cmpuint (all.n, >=, ch.n);
  sim_action_gen_clear (&gen);
  sim_scenario_free (sc);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sim_scenario_install_params (sim_param_registry_new ());
  g_test_add_func ("/workload/uniform", test_uniform);
  g_test_add_func ("/workload/poisson", test_poisson);
  g_test_add_func ("/workload/victims", test_victims);
  g_test_add_func ("/workload/rejoiners", test_rejoiners);
  g_test_add_func ("/workload/chain", test_chain);
  return g_test_run ();
}
