/* sim-pastry-params.c — Pastry's scenario parameters (see
 * sim-pastry-params.h): the one place each is defined, with its range,
 * default and meaning.  The world reads them by name
 * (sim_scenario_get_uint (sc, "leaf_size"), ...).
 *
 * Invariant: once the check has passed, the replica set of a key (the k
 * live nodes closest to it) fits in what the root's leaf set names:
 * replicas <= leaf_size / 2 + 1.
 */
#include "sim-pastry-params.h"

#include "sim-net-params.h"
#include "sim-scenario.h"

#include "pastry-maint.h"

static const char *const refine_choices[] = { "rows", "none", NULL };
static const char *const onoff_choices[] = { "off", "on", NULL };
static const char *const repair_choices[] = { "on", "off", "leafset", NULL };
static const char *const auto_choices[] = { "auto", "on", "off", NULL };
static const char *const strategy_choices[]
    = { "mspastry", "reactive", "periodic", NULL };

/* Ranks: see SimParamSpec.rank. */
static const SimParamSpec pastry_specs[] = {
  { .name = "b",
    .type = SIM_PARAM_UINT,
    .def = "4",
    .umin = 1,
    .umax = 8,
    .rank = 3,
    .doc = "bits per routing-table digit (digits are base 2^b)" },
  { .name = "leaf_size",
    .type = SIM_PARAM_UINT,
    .def = "16",
    .flags = SIM_PARAM_EVEN,
    .umin = 2,
    .umax = 256,
    .rank = 4,
    .doc = "leaf set size L (L/2 on each side of the node id)" },
  { .name = "neighbourhood_size",
    .type = SIM_PARAM_UINT,
    .def = "32",
    .umin = 0,
    .umax = 1024,
    .rank = 5,
    .doc = "neighbourhood set size M" },
  { .name = "join_refine",
    .type = SIM_PARAM_ENUM,
    .def = "rows",
    .choices = refine_choices,
    .rank = 18,
    .doc = "join second stage: rows = ask every routing-table entry for "
           "its row (the paper's locality refinement), none = skip" },
  { .name = "announce_state",
    .type = SIM_PARAM_ENUM,
    .def = "on",
    .choices = onoff_choices,
    .rank = 19,
    .doc = "joins: on = the joiner's announcement carries its whole state "
           "and every receiver offers it to its own tables (the paper's "
           "\"update their own state based on the information received\"); "
           "off = receivers only learn of the joiner" },
  { .name = "replicas",
    .type = SIM_PARAM_UINT,
    .def = "1",
    .umin = 1,
    .umax = 129,
    .rank = 20,
    .doc = "replica delivery: a lookup may end at any of the k live nodes "
           "numerically closest to its key (the root's leaf set names them; "
           "the last hop goes to the nearest by proximity), as in the "
           "paper's failure experiment (k = 5); 1 .. leaf_size / 2 + 1" },
  { .name = "oracle_hints",
    .type = SIM_PARAM_ENUM,
    .def = "on",
    .choices = onoff_choices,
    .rank = 21,
    .doc = "on = two shortcuts tell nodes who is down, where a real node "
           "finds out by timeouts: offers skip down nodes, and a JOIN is "
           "routed around a down next hop at once (fast; flatters churn "
           "results: see sim/README.md); off = nodes know only what they "
           "learn: a would-be leaf-set member heard of from others is "
           "probed before it enters, JOINs and a joiner's announcements "
           "to its leaf set are acknowledged" },
  { .name = "bootstrap_sample",
    .type = SIM_PARAM_UINT,
    .def = "1000",
    .umin = 0,
    .umax = G_MAXUINT32,
    .rank = 22,
    .doc = "joins: the bootstrap node is the closest of this many random "
           "live nodes (all of them when there are fewer); 0 = always the "
           "closest of all (O(N) per join)" },
  { .name = "build_sample",
    .type = SIM_PARAM_UINT,
    .def = "0",
    .umin = 0,
    .umax = G_MAXUINT32,
    .rank = 23,
    .doc = "build: each routing-table slot gets the closest of at most "
           "this many candidates; 0 = all (exact, O(N^2/2^b))" },
  { .name = "ideal_compare",
    .type = SIM_PARAM_ENUM,
    .def = "off",
    .choices = onoff_choices,
    .rank = 24,
    .doc = "on: also route each lookup over tables built from complete "
           "global knowledge and report route_distance_ratio" },
  { .name = "ideal_sample",
    .type = SIM_PARAM_UINT,
    .def = "0",
    .umin = 0,
    .umax = G_MAXUINT32,
    .rank = 25,
    .doc = "ideal_compare: candidates per slot of the ideal tables; "
           "0 = all (exact)" },
  { .name = "quality_sample",
    .type = SIM_PARAM_UINT,
    .def = "0",
    .umin = 0,
    .umax = G_MAXUINT32,
    .rank = 26,
    .doc = "grade the routing tables of this many live nodes at the end "
           "of the run (table_row*_filled/optimal/possible; exact, costs "
           "about this many times N proximity evaluations); 0 = off" },
  { .name = "maintenance",
    .type = SIM_PARAM_ENUM,
    .def = "auto",
    .choices = auto_choices,
    .rank = 27,
    .doc = "periodic failure detection (heartbeats, probes): auto = on "
           "when loss > 0 or the timeline has fail, leave, rejoin or churn "
           "actions" },
  { .name = "maintenance_strategy",
    .type = SIM_PARAM_ENUM,
    .def = "mspastry",
    .choices = strategy_choices,
    .flags = SIM_PARAM_LISTED_WHEN_SET,
    .doc = "with maintenance: mspastry = heartbeats, probe rounds, repair "
           "at a verdict and periodic exchanges; reactive = repair only "
           "when a failure is detected (2001 paper: leaf-set keep-alives, "
           "table entries checked on use); periodic = Bamboo: a verdict "
           "only removes the peer, leaf sets recover every "
           "heartbeat_period and tables every probe_period "
           "(core/pastry-maint.h)" },
  { .name = "heartbeat_period",
    .type = SIM_PARAM_TIME,
    .def = "30s",
    .umin = 1,
    .umax = G_MAXUINT64,
    .rank = 28,
    .doc = "each node sends a keep-alive to its leaf set this often" },
  { .name = "heartbeat_timeout",
    .type = SIM_PARAM_TIME,
    .def = "70s",
    .umin = 1,
    .umax = G_MAXUINT64,
    .rank = 29,
    .doc = "a leaf-set neighbour silent this long is suspected to have "
           "failed" },
  { .name = "probe_period",
    .type = SIM_PARAM_TIME,
    .def = "10min",
    .umin = 1,
    .umax = G_MAXUINT64,
    .rank = 30,
    .doc = "every routing-table entry is probed this often" },
  { .name = "probe_target",
    .type = SIM_PARAM_DOUBLE,
    .def = "0",
    .dmin = 0,
    .dmax = 1,
    .flags = SIM_PARAM_LISTED_WHEN_SET,
    .doc = "self-tuning probe period (MSPastry): 0 = off, probe every "
           "probe_period; else each node sets its period so that a hop "
           "finds its table entry dead with about this probability, from "
           "the failure rate it observed itself (from probe_period / 10 to "
           "2 probe_period)" },
  { .name = "probe_timeout",
    .type = SIM_PARAM_TIME,
    .def = "3s",
    .umin = 1,
    .umax = G_MAXUINT64,
    .rank = 31,
    .doc = "a probe not answered within this time is lost" },
  { .name = "probe_retries",
    .type = SIM_PARAM_UINT,
    .def = "2",
    .umin = 0,
    .umax = 10,
    .rank = 32,
    .doc = "lost probes are retried this many times before the entry is "
           "declared failed" },
  { .name = "hop_timeout",
    .type = SIM_PARAM_TIMEOUT,
    .def = "rtt",
    .rank = 33,
    .doc = "time a node waits for the next hop to acknowledge a lookup: "
           "rtt = SRTT + 4*RTTVAR of that hop, or a fixed time" },
  { .name = "hop_rto_prior",
    .type = SIM_PARAM_DOUBLE,
    .def = "3",
    .dmin = 1,
    .dmax = 100,
    .flags = SIM_PARAM_LISTED_WHEN_SET,
    .doc = "hop_timeout = rtt: before a node has an RTT sample of the next "
           "hop, it waits this many times the RTT its measured proximity "
           "suggests (3 = RFC 6298's first-sample rule)" },
  { .name = "hop_retries",
    .type = SIM_PARAM_UINT,
    .def = "8",
    .umin = 0,
    .umax = 32,
    .rank = 34,
    .doc = "retry budget of a lookup: hop timeouts survived before it "
           "fails (the first timeout of a hop resends to the same node, "
           "later ones route around it)" },
  { .name = "consistent_routing",
    .type = SIM_PARAM_ENUM,
    .def = "off",
    .choices = onoff_choices,
    .flags = SIM_PARAM_LISTED_WHEN_SET,
    .doc = "on = MSPastry's consistent routing: a node that finds itself "
           "the closest it knows delivers only when its leaf set bounds the "
           "key (a live-believed member on the key's side at least as far "
           "as the key, or sides that overlap); otherwise it holds the "
           "lookup and decides again every 100 ms until repair refills "
           "the side (core/pastry-forward.h)" },
  { .name = "lookup_timeout",
    .type = SIM_PARAM_TIME,
    .def = "60s",
    .umin = 1,
    .umax = G_MAXUINT64,
    .rank = 35,
    .doc = "a lookup not completed this long after it was issued has "
           "failed" },
  { .name = "repair",
    .type = SIM_PARAM_ENUM,
    .def = "on",
    .choices = repair_choices,
    .rank = 36,
    .doc = "failure repair: on = leaf sets and routing tables, leafset = "
           "leaf sets only, off = none" },
  { .name = "msg_header_bytes",
    .type = SIM_PARAM_UINT,
    .def = "40",
    .umin = 0,
    .umax = G_MAXUINT32,
    .rank = 38,
    .doc = "bytes counted for the header of every message (bandwidth)" },
  { .name = "msg_id_bytes",
    .type = SIM_PARAM_UINT,
    .def = "20",
    .umin = 0,
    .umax = G_MAXUINT32,
    .rank = 39,
    .doc = "bytes counted per node (id and address) carried in a message" },
};

/* The replica set is named by the root's leaf set and the root. */
static gboolean
pastry_check (const SimScenario *sc, GError **error)
{
  guint64 replicas = sim_scenario_get_uint (sc, "replicas");
  guint64 leaf = sim_scenario_get_uint (sc, "leaf_size");

  /* Periodic recovery: a round's requests wait probe_timeout for their
   * answers, so a shorter period would start the next round before the
   * last one could finish. */
  if (g_str_equal (sim_scenario_get_string (sc, "maintenance_strategy"),
                   "periodic"))
    {
      static const char *const periods[]
          = { "heartbeat_period", "probe_period" };
      SimTime timeout = sim_scenario_get_time (sc, "probe_timeout");
      for (gsize i = 0; i < G_N_ELEMENTS (periods); i++)
        if (sim_scenario_get_time (sc, periods[i]) <= timeout)
          return sim_scenario_param_fail (
              sc, error, SIM_SCENARIO_ERROR_RANGE, periods[i], NULL,
              "maintenance_strategy = periodic recovers every %s, which "
              "must be longer than probe_timeout (a round's requests wait "
              "that long for their answers)",
              periods[i]);
    }
  if (replicas > leaf / 2 + 1)
    return sim_scenario_param_fail (
        sc, error, SIM_SCENARIO_ERROR_RANGE, "replicas", "replicas",
        "replicas = %" G_GUINT64_FORMAT
        " is more than leaf_size / 2 + 1 = %" G_GUINT64_FORMAT
        " (the root's leaf set names the replicas)",
        replicas, leaf / 2 + 1);
  return TRUE;
}

const SimParamGroup sim_pastry_param_group = {
  .name = "pastry",
  .doc = "the Pastry overlay: tables, joins, replicas, failure detection "
         "and repair, message sizes",
  .defined_in = "sim/pastry/sim-pastry-params.c",
  .specs = pastry_specs,
  .n_specs = G_N_ELEMENTS (pastry_specs),
  .check = pastry_check,
};

void
sim_pastry_params_install (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      SimParamRegistry *reg = sim_param_registry_new ();
      if (!sim_param_registry_add (reg, &sim_net_param_group)
          || !sim_param_registry_add (reg, &sim_pastry_param_group))
        g_error ("sim_pastry_params_install: the parameter groups clash");
      sim_scenario_install_params (reg);
      g_once_init_leave (&done, 1);
    }
}

guint
sim_pastry_params_strategy (const SimScenario *sc)
{
  const char *strategy = sim_scenario_get_string (sc, "maintenance_strategy");
  return g_str_equal (strategy, "reactive")   ? PASTRY_MAINT_REACTIVE
         : g_str_equal (strategy, "periodic") ? PASTRY_MAINT_PERIODIC
                                              : PASTRY_MAINT_MSPASTRY;
}
