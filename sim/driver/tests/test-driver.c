/* test-driver.c — the driver runs scenarios against a protocol it sees
 * only through a SimProtocol table: here a fake overlay whose joins take
 * one second and whose lookups always deliver in one hop after 10 ms.
 * Nothing of Pastry is linked: the driver needs none.
 *
 * Checked: every join and lookup of the workload reaches the protocol and
 * completes; the run ends when the work is done; churn, failures and
 * rejoins keep the driver's life-cycle bookkeeping consistent with the
 * protocol's (an invariant checker after every event); the same scenario
 * and seed give the same fingerprint, another seed another.
 */
#include "sim-driver.h"
#include "sim-param.h"

#include <string.h>

/* The fake protocol's event kinds: values the driver leaves free. */
enum
{
  FAKE_EV_JOINED = 2,  /* a = node, b = incarnation << 32 */
  FAKE_EV_DELIVER = 3, /* a = source node, b = lookup number */
};

#define JOIN_TIME (1 * SIM_TIME_S)
#define HOP_TIME (10 * SIM_TIME_MS)

typedef struct
{
  SimDriver *drv;
  SimMetrics *metrics;
  GArray *live;   /* guint32: live nodes, in the order they became live */
  GArray *action; /* guint: the action each node's join reports to */
  guint inflight;
  guint64 lookups_started, lookups_ended, joins_done, events;
  guint64 checks;
} Fake;

static SimNodeState
state_of (Fake *f, guint32 x)
{
  return g_array_index (sim_driver_states (f->drv), guint8, x);
}

static guint32
incarnation_of (Fake *f, guint32 x)
{
  return g_array_index (sim_driver_incarnations (f->drv), guint32, x);
}

/* The invariant: a node is in the live list exactly when the driver's
 * state says SIM_NODE_LIVE, and in the oracle then (the root of its own
 * id), and in the down list exactly when DOWN. */
static void
check (Fake *f)
{
  const GArray *st = sim_driver_states (f->drv);
  const GArray *down = sim_driver_down (f->drv);
  const SimOracle *oracle = sim_driver_oracle (f->drv);
  guint n_live = 0, n_down = 0;
  for (guint i = 0; i < st->len; i++)
    {
      n_live += state_of (f, i) == SIM_NODE_LIVE;
      n_down += state_of (f, i) == SIM_NODE_DOWN;
    }
  g_assert_cmpuint (n_live, ==, f->live->len);
  g_assert_cmpuint (n_live, ==, sim_oracle_size (oracle));
  g_assert_cmpuint (n_down, ==, down->len);
  for (guint i = 0; i < f->live->len; i++)
    {
      guint32 x = g_array_index (f->live, guint32, i);
      g_assert_cmpint (state_of (f, x), ==, SIM_NODE_LIVE);
      g_assert_cmpuint (
          sim_oracle_root (oracle, sim_driver_node_id (f->drv, x)), ==, x);
    }
  for (guint i = 0; i < down->len; i++)
    g_assert_cmpint (state_of (f, g_array_index (down, guint32, i)), ==,
                     SIM_NODE_DOWN);
  f->checks++;
}

static void
fake_node_create (gpointer self, guint32 x, const SimKey *id, SimRng *topology)
{
  Fake *f = self;
  /* The driver registered x, joining, with this id. */
  g_assert_cmpuint (x, ==, f->action->len);
  g_assert_cmpint (state_of (f, x), ==, SIM_NODE_JOINING);
  g_assert_true (sim_key_equal (sim_driver_node_id (f->drv, x), id));
  guint none = G_MAXUINT;
  g_array_append_val (f->action, none);
}

static void
fake_node_renew (gpointer self, guint32 x)
{
  Fake *f = self;
  g_assert_cmpint (state_of (f, x), ==, SIM_NODE_DOWN);
}

static void
fake_join_start (gpointer self, guint32 x, guint action)
{
  Fake *f = self;
  SimQueue *q = sim_driver_queue (f->drv);
  g_assert_cmpint (state_of (f, x), ==, SIM_NODE_JOINING);
  g_array_index (f->action, guint, x) = action;
  f->inflight++;
  sim_queue_push (q, sim_queue_now (q) + JOIN_TIME, FAKE_EV_JOINED, x,
                  (guint64) incarnation_of (f, x) << 32);
}

/* The protocol's part of a failure or leave; the driver takes x down
 * after it. */
static void
go_down (Fake *f, guint32 x)
{
  g_assert_cmpint (state_of (f, x), !=, SIM_NODE_DOWN);
  if (state_of (f, x) == SIM_NODE_JOINING)
    f->inflight--; /* its join never completes */
  for (guint i = 0; i < f->live->len; i++)
    if (g_array_index (f->live, guint32, i) == x)
      {
        g_array_remove_index (f->live, i);
        break;
      }
}

static void
fake_fail (gpointer self, guint32 x)
{
  go_down (self, x);
}

static void
fake_leave (gpointer self, guint32 x)
{
  go_down (self, x);
}

static void
fake_lookup_start (gpointer self, guint32 src, const SimKey *key, SimTime due,
                   guint phase)
{
  Fake *f = self;
  /* The driver drew src among the nodes live now, or it is a per-node
   * lookup's source, live or gone down while joining. */
  g_assert_cmpuint (f->live->len, >, 0);
  g_assert_cmpuint (src, <, f->action->len);
  SimQueue *q = sim_driver_queue (f->drv);
  f->inflight++;
  sim_queue_push (q, sim_queue_now (q) + HOP_TIME, FAKE_EV_DELIVER, src,
                  f->lookups_started++);
}

static void
fake_build (gpointer self, const SimAction *a, guint g, SimRng *ids,
            SimRng *topology)
{
  g_assert_not_reached (); /* not in these scenarios */
}

static void
fake_lookups_begin (gpointer self)
{
}

static guint
fake_inflight (gpointer self)
{
  return ((Fake *) self)->inflight;
}

static guint64
fake_lookups_ended (gpointer self)
{
  return ((Fake *) self)->lookups_ended;
}

static SimTime
fake_lookup_timeout (gpointer self)
{
  return 10 * SIM_TIME_S;
}

static void
fake_event (gpointer self, const SimEvent *ev)
{
  Fake *f = self;
  f->events++;
  switch (ev->kind)
    {
    case FAKE_EV_JOINED:
      {
        guint32 x = ev->a;
        if (state_of (f, x) != SIM_NODE_JOINING
            || incarnation_of (f, x) != (guint32) (ev->b >> 32))
          break; /* it went down meanwhile */
        g_array_append_val (f->live, x);
        sim_driver_node_live (f->drv, x);
        f->inflight--;
        f->joins_done++;
        sim_driver_join_done (f->drv, g_array_index (f->action, guint, x));
        break;
      }
    case FAKE_EV_DELIVER:
      {
        SimKey key = { ev->b, 0 };
        sim_metrics_lookup (f->metrics, ev->at - HOP_TIME, ev->a, &key, 1, 0,
                            HOP_TIME, HOP_TIME, -1, SIM_OUTCOME_OK, 0);
        f->inflight--;
        f->lookups_ended++;
        break;
      }
    default:
      g_assert_not_reached ();
    }
  check (f);
}

static guint64
fake_event_tag (gpointer self, const SimEvent *ev)
{
  return 0;
}

static guint64
fake_abandon (gpointer self)
{
  return 0;
}

static void
fake_summary (gpointer self)
{
  Fake *f = self;
  sim_metrics_set (f->metrics, "lookups_started", (double) f->lookups_started);
  sim_metrics_set (f->metrics, "lookups_ended", (double) f->lookups_ended);
}

static void
fake_measure (gpointer self)
{
}

static const SimProtocol fake_protocol = {
  .name = "fake",
  .node_create = fake_node_create,
  .node_renew = fake_node_renew,
  .join_start = fake_join_start,
  .fail = fake_fail,
  .leave = fake_leave,
  .lookup_start = fake_lookup_start,
  .build = fake_build,
  .lookups_begin = fake_lookups_begin,
  .inflight = fake_inflight,
  .lookups_ended = fake_lookups_ended,
  .lookup_timeout = fake_lookup_timeout,
  .event = fake_event,
  .event_tag = fake_event_tag,
  .abandon = fake_abandon,
  .summary = fake_summary,
  .measure = fake_measure,
};

typedef struct
{
  guint64 fingerprint, lookups, joins, events;
  SimTime end;
  guint live, down;
} Outcome;

static Outcome
run (const char *text, guint64 seed)
{
  char *set = g_strdup_printf ("seed=%" G_GUINT64_FORMAT, seed);
  const char *overrides[] = { set, NULL };
  GError *error = NULL;
  SimScenario *sc = sim_scenario_parse ("fake.scn", text, strlen (text), NULL,
                                        overrides, &error);
  g_assert_no_error (error);
  Fake f = { 0 };
  f.metrics = sim_metrics_new ();
  f.live = g_array_new (FALSE, FALSE, sizeof (guint32));
  f.action = g_array_new (FALSE, FALSE, sizeof (guint));
  f.drv = sim_driver_new (sc, f.metrics, &fake_protocol, &f);
  sim_driver_set_fingerprint (f.drv, TRUE);
  g_assert_true (sim_driver_run (f.drv, FALSE, NULL));
  check (&f);
  g_assert_cmpuint (f.inflight, ==, 0);
  g_assert_cmpuint (f.lookups_ended, ==, f.lookups_started);
  Outcome o = { sim_driver_fingerprint (f.drv),
                f.lookups_ended,
                f.joins_done,
                f.events,
                sim_driver_now (f.drv),
                f.live->len,
                sim_driver_down (f.drv)->len };
  double v = 0;
  g_assert_true (sim_metrics_get (f.metrics, "lookups_ended", &v));
  g_assert_cmpfloat (v, ==, (double) f.lookups_ended);
  g_assert_true (sim_metrics_get (f.metrics, "nodes", &v));
  g_assert_cmpfloat (v, ==, (double) f.live->len);
  sim_driver_free (f.drv);
  sim_metrics_free (f.metrics);
  g_array_free (f.live, TRUE);
  g_array_free (f.action, TRUE);
  sim_scenario_free (sc);
  g_free (set);
  return o;
}

/* Joins then lookups at a uniform pace: every unit reaches the protocol,
 * the joins complete one second after they start, and the run ends with
 * the last delivery. */
static void
test_workload (void)
{
  const char *text = "at 0s join 50 over 10s\n"
                     "at 20s lookup 400 over 40s keys random\n"
                     "end\n";
  Outcome o = run (text, 1);
  g_assert_cmpuint (o.joins, ==, 50);
  g_assert_cmpuint (o.lookups, ==, 400);
  g_assert_cmpuint (o.live, ==, 50);
  g_assert_cmpuint (o.events, ==, 50 + 400);
  /* The last lookup is issued before 60 s and delivered 10 ms later. */
  g_assert_cmpuint (o.end, <=, 60 * SIM_TIME_S + HOP_TIME);
  g_assert_cmpuint (o.end, >=, 20 * SIM_TIME_S + HOP_TIME);
}

/* Sequential joins: each starts when the previous one completed (the
 * protocol's sim_driver_join_done), so 20 joins take 20 seconds. */
static void
test_sequential (void)
{
  Outcome o = run ("at 0s join 20 sequential\nend\n", 1);
  g_assert_cmpuint (o.joins, ==, 20);
  g_assert_cmpuint (o.end, ==, 20 * JOIN_TIME);
}

/* Churn, failures and per-node lookups: the life-cycle invariant holds
 * after every event (check()), the run ends, and the fingerprint is a
 * function of scenario and seed. */
static void
test_churn (void)
{
  const char *text
      = "at 0s join 40 over 10s\n"
        "at 30s churn for 5min session exp(1min) down exp(30s)\n"
        "at 30s lookup every exp(5s) per node for 5min keys random\n"
        "at 6min fail 5\n"
        "at 7min rejoin 3\n"
        "end\n";
  Outcome a = run (text, 1), b = run (text, 1), c = run (text, 2);
  g_assert_cmpuint (a.fingerprint, ==, b.fingerprint);
  g_assert_cmpuint (a.lookups, ==, b.lookups);
  g_assert_cmpuint (a.fingerprint, !=, c.fingerprint);
  g_assert_cmpuint (a.lookups, >, 1000);
  g_assert_cmpuint (a.joins, >, 40);
  g_assert_cmpuint (a.down, >=, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sim_scenario_install_params (sim_param_registry_new ());
  g_test_add_func ("/driver/workload", test_workload);
  g_test_add_func ("/driver/sequential", test_sequential);
  g_test_add_func ("/driver/churn", test_churn);
  return g_test_run ();
}
