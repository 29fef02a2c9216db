/* sim-net-params.c — the network models' scenario parameters (see
 * sim-net-params.h).  The world reads them by name to build the SimNet.
 *
 * Invariant: once the check has passed, the model named by `network` has
 * what it needs: a matrix or coordinates file when it reads one.
 */
#include "sim-net-params.h"

#include <string.h>

#include "sim-scenario.h"

static const char *const network_choices[]
    = { "euclidean", "sphere", "matrix", "coords", "constant", NULL };
static const char *const matrix_format_choices[]
    = { "auto", "p2psim", "dense", "triples", NULL };

/* Ranks: see SimParamSpec.rank. */
static const SimParamSpec net_specs[] = {
  { .name = "network",
    .type = SIM_PARAM_ENUM,
    .def = "euclidean",
    .choices = network_choices,
    .rank = 6,
    .doc = "latency model between nodes" },
  { .name = "plane_size",
    .type = SIM_PARAM_DOUBLE,
    .def = "1000",
    .flags = SIM_PARAM_MIN_EXCLUSIVE,
    .dmin = 0,
    .dmax = G_MAXDOUBLE,
    .rank = 7,
    .doc = "euclidean: side of the square plane, in distance units" },
  { .name = "ms_per_unit",
    .type = SIM_PARAM_DOUBLE,
    .def = "0.1",
    .flags = SIM_PARAM_MIN_EXCLUSIVE,
    .dmin = 0,
    .dmax = G_MAXDOUBLE,
    .rank = 8,
    .doc = "euclidean, coords: one-way milliseconds per distance unit" },
  { .name = "sphere_radius_ms",
    .type = SIM_PARAM_DOUBLE,
    .def = "50",
    .flags = SIM_PARAM_MIN_EXCLUSIVE,
    .dmin = 0,
    .dmax = G_MAXDOUBLE,
    .rank = 9,
    .doc = "sphere: radius in ms of one-way delay (antipodes are "
           "pi times this apart)" },
  { .name = "matrix_file",
    .type = SIM_PARAM_PATH,
    .def = "\"\"",
    .rank = 10,
    .doc = "matrix: latency matrix file (required for network = matrix)" },
  { .name = "matrix_format",
    .type = SIM_PARAM_ENUM,
    .def = "auto",
    .choices = matrix_format_choices,
    .rank = 11,
    .doc = "matrix: file format; auto guesses from the contents" },
  { .name = "coords_file",
    .type = SIM_PARAM_PATH,
    .def = "\"\"",
    .rank = 12,
    .doc = "coords: node coordinates file (required for network = "
           "coords)" },
  { .name = "access_delay",
    .type = SIM_PARAM_TIME,
    .def = "0ms",
    .umin = 0,
    .umax = G_MAXUINT64,
    .rank = 13,
    .doc = "access-link delay added to every message" },
  { .name = "constant_latency",
    .type = SIM_PARAM_TIME,
    .def = "50ms",
    .umin = 0,
    .umax = G_MAXUINT64,
    .rank = 14,
    .doc = "constant: one-way latency between any two nodes" },
  { .name = "loss",
    .type = SIM_PARAM_DOUBLE,
    .def = "0",
    .dmin = 0,
    .dmax = 1,
    .rank = 15,
    .doc = "probability that a message is lost" },
  { .name = "jitter",
    .type = SIM_PARAM_DOUBLE,
    .def = "0",
    .dmin = 0,
    .dmax = 1,
    .rank = 16,
    .doc = "relative delay jitter: each delay varies by up to this "
           "fraction" },
  { .name = "access_up",
    .type = SIM_PARAM_STRING,
    .def = "off",
    .flags = SIM_PARAM_LISTED_WHEN_SET,
    .doc = "uplink rate of every node (FIFO, sim-link.h): off (unlimited) "
           "or a number with bit, kbit, Mbit or Gbit per second, e.g. "
           "1Mbit" },
  { .name = "access_down",
    .type = SIM_PARAM_STRING,
    .def = "off",
    .flags = SIM_PARAM_LISTED_WHEN_SET,
    .doc = "downlink rate of every node, as access_up" },
  { .name = "access_buffer",
    .type = SIM_PARAM_STRING,
    .def = "off",
    .flags = SIM_PARAM_LISTED_WHEN_SET,
    .doc = "drop-tail buffer of every limited access link (sim-link.h): "
           "off (unbounded) or a whole number of B, KB or MB, e.g. 16KB; "
           "a message that would find more queued ahead of it is dropped "
           "(queue_drops); needs access_up or access_down" },
};

gboolean
sim_net_params_rates (const SimScenario *sc, guint64 *up_bps, guint64 *down_bps,
                      GError **error)
{
  static const char *const names[] = { "access_up", "access_down" };
  guint64 *out[] = { up_bps, down_bps };
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const char *text = sim_scenario_get_string (sc, names[i]);
      const char *why = NULL;
      if (!sim_link_parse_rate (text, out[i], &why))
        return sim_scenario_param_fail (sc, error, SIM_SCENARIO_ERROR_RANGE,
                                        names[i], text, "'%s' %s", names[i],
                                        why);
    }
  return TRUE;
}

gboolean
sim_net_params_buffer (const SimScenario *sc, guint64 *bytes, GError **error)
{
  const char *text = sim_scenario_get_string (sc, "access_buffer");
  const char *why = NULL;
  if (!sim_link_parse_buffer (text, bytes, &why))
    return sim_scenario_param_fail (sc, error, SIM_SCENARIO_ERROR_RANGE,
                                    "access_buffer", text, "'access_buffer' %s",
                                    why);
  guint64 up, down;
  if (*bytes > 0 && sim_net_params_rates (sc, &up, &down, NULL) && up == 0
      && down == 0)
    return sim_scenario_param_fail (
        sc, error, SIM_SCENARIO_ERROR_RANGE, "access_buffer", text,
        "'access_buffer' needs access_up or access_down: with both links "
        "off there is no queue to bound");
  return TRUE;
}

/* A file-based model needs its file. */
static gboolean
net_check (const SimScenario *sc, GError **error)
{
  static const struct
  {
    const char *network, *file_param;
  } needs[] = { { "matrix", "matrix_file" }, { "coords", "coords_file" } };
  const char *network = sim_scenario_get_string (sc, "network");

  for (gsize i = 0; i < G_N_ELEMENTS (needs); i++)
    if (strcmp (network, needs[i].network) == 0
        && *sim_scenario_get_string (sc, needs[i].file_param) == '\0')
      return sim_scenario_param_fail (
          sc, error, SIM_SCENARIO_ERROR_MISSING_PARAM, "network", network,
          "network = %s needs '%s' to be set", network, needs[i].file_param);
  guint64 up, down, buffer;
  return sim_net_params_rates (sc, &up, &down, error)
         && sim_net_params_buffer (sc, &buffer, error);
}

const SimParamGroup sim_net_param_group = {
  .name = "network",
  .doc = "the latency models between nodes, loss and jitter, access-link "
         "rates",
  .defined_in = "sim/driver/sim-net-params.c",
  .specs = net_specs,
  .n_specs = G_N_ELEMENTS (net_specs),
  .check = net_check,
};

SimNet *
sim_net_params_build (const SimScenario *sc, GError **error)
{
  const char *kind = sim_scenario_get_string (sc, "network");
  SimNet *net = NULL;
  if (g_str_equal (kind, "euclidean"))
    net = sim_net_new_euclidean (sim_scenario_get_double (sc, "plane_size"),
                                 sim_scenario_get_double (sc, "ms_per_unit"));
  else if (g_str_equal (kind, "sphere"))
    net = sim_net_new_sphere (sim_scenario_get_double (sc, "sphere_radius_ms"));
  else if (g_str_equal (kind, "constant"))
    net = sim_net_new_constant (sim_scenario_get_time (sc, "constant_latency"));
  else if (g_str_equal (kind, "matrix"))
    {
      const char *fmt_name = sim_scenario_get_string (sc, "matrix_format");
      SimNetMatrixFormat fmt = SIM_NET_MATRIX_AUTO;
      if (g_str_equal (fmt_name, "p2psim"))
        fmt = SIM_NET_MATRIX_P2PSIM;
      else if (g_str_equal (fmt_name, "dense"))
        fmt = SIM_NET_MATRIX_DENSE;
      else if (g_str_equal (fmt_name, "triples"))
        fmt = SIM_NET_MATRIX_TRIPLES;
      net = sim_net_new_matrix_file (
          sim_scenario_get_string (sc, "matrix_file"), fmt,
          sim_scenario_get_time (sc, "access_delay"), error);
    }
  else if (g_str_equal (kind, "coords"))
    {
      net = sim_net_new_coords_file (
          sim_scenario_get_string (sc, "coords_file"), error);
      if (net != NULL)
        sim_net_set_access_delay (net,
                                  sim_scenario_get_time (sc, "access_delay"));
    }
  else
    g_set_error (error, SIM_NET_ERROR, SIM_NET_ERROR_RANGE,
                 "%s: unknown network model '%s'",
                 sim_scenario_display_name (sc), kind);
  if (net == NULL)
    return NULL;
  if (!g_str_equal (kind, "matrix") && !g_str_equal (kind, "coords")
      && sim_scenario_get_time (sc, "access_delay") > 0)
    sim_net_set_access_delay (net, sim_scenario_get_time (sc, "access_delay"));
  sim_net_set_loss (net, sim_scenario_get_double (sc, "loss"));
  sim_net_set_jitter (net, sim_scenario_get_double (sc, "jitter"), 0);
  return net;
}
