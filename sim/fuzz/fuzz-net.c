/* fuzz-net.c — fuzz targets of the latency file loaders.
 *
 * On success the model must keep the invariants of sim-net.h: host
 * latencies symmetric, 0 exactly on the diagonal for a matrix (distinct
 * hosts at least 1 µs apart), at most SIM_NET_MAX_LATENCY; nodes added
 * with sim_net_add_node() sit on valid hosts, and their latency is the
 * hosts' plus twice the access delay, symmetric; the description is one
 * line without commas.  On failure the error must be a SIM_NET_ERROR whose
 * position lies inside the input.
 */
#include "fuzz-targets.h"

#include <string.h>

#include "sim-net.h"

#define MATRIX_NAME "fuzz-matrix.txt"
#define COORDS_NAME "fuzz-coords.xml"
/* Hosts whose pairs are all checked, and extra hosts sampled. */
#define CHECK_HOSTS 12u
#define SAMPLE_HOSTS 16u
#define ACCESS_DELAY 250u

/* The hosts to check: the first CHECK_HOSTS, the last, and some spread
 * over the range. */
static guint
pick_hosts (guint32 n_hosts, guint32 *hosts)
{
  guint k = 0;

  for (guint32 h = 0; h < n_hosts && h < CHECK_HOSTS; h++)
    hosts[k++] = h;
  if (n_hosts > CHECK_HOSTS)
    for (guint i = 0; i < SAMPLE_HOSTS; i++)
      hosts[k++] = (guint32) ((guint64) (n_hosts - 1) * (i + 1)
                              / SAMPLE_HOSTS);
  return k;
}

static void
check_model (SimNet *net, gboolean is_matrix, SimTime access)
{
  guint32 n_hosts = sim_net_host_count (net);
  guint32 hosts[CHECK_HOSTS + SAMPLE_HOSTS];
  guint n_check = pick_hosts (n_hosts, hosts);
  guint32 n_nodes = MIN (n_hosts, 8u) + 3;
  g_autofree char *desc = sim_net_describe (net);
  SimRng rng;

  FUZZ_CHECK (n_hosts >= (is_matrix ? 2u : 1u));
  FUZZ_CHECK (sim_net_root_count (net) <= n_hosts);
  FUZZ_CHECK (sim_net_get_access_delay (net) == access);
  FUZZ_CHECK (desc != NULL && strchr (desc, '\n') == NULL
              && strchr (desc, ',') == NULL);
  FUZZ_CHECK (g_utf8_validate (desc, -1, NULL));

  for (guint i = 0; i < n_check; i++)
    for (guint j = 0; j < n_check; j++)
      {
        guint32 a = hosts[i], b = hosts[j];
        SimTime l = sim_net_host_latency (net, a, b);

        FUZZ_CHECK (l == sim_net_host_latency (net, b, a));
        FUZZ_CHECK (l <= SIM_NET_MAX_LATENCY);
        if (a == b)
          FUZZ_CHECK (l == 0);
        else if (is_matrix)
          FUZZ_CHECK (l >= 1);
      }

  sim_rng_init (&rng, 20240611u, SIM_RNG_PURPOSE_TEST, 0);
  for (guint32 i = 0; i < n_nodes; i++)
    {
      FUZZ_CHECK (sim_net_add_node (net, &rng) == i);
      FUZZ_CHECK (sim_net_node_host (net, i) < n_hosts);
    }
  FUZZ_CHECK (sim_net_node_count (net) == n_nodes);
  for (guint32 a = 0; a < n_nodes; a++)
    for (guint32 b = 0; b < n_nodes; b++)
      {
        SimTime l = sim_net_latency (net, a, b);
        SimTime base = sim_net_host_latency (net, sim_net_node_host (net, a),
                                             sim_net_node_host (net, b));
        gboolean lost = TRUE;

        FUZZ_CHECK (l == sim_net_latency (net, b, a));
        FUZZ_CHECK (l == (a == b ? 0 : base + 2 * access));
        FUZZ_CHECK (sim_net_proximity (net, a, b) == l);
        FUZZ_CHECK (sim_net_delay_sample (net, a, b, &rng, &lost) == l);
        FUZZ_CHECK (!lost);
      }
}

static void
check_error (const GError *error, const char *name, const guint8 *data,
             gsize size)
{
  FUZZ_CHECK (error != NULL && error->domain == SIM_NET_ERROR);
  FUZZ_CHECK (error->code != SIM_NET_ERROR_IO);
  fuzz_check_position (error->message, name, (const char *) data, size);
}

static void
run_matrix (const guint8 *data, gsize size, SimNetMatrixFormat fmt,
            SimTime access)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SimNet) net = NULL;

  net = sim_net_new_matrix_data (MATRIX_NAME, (const char *) data, size, fmt,
                                 access, &error);
  fuzz_report ("net-matrix", error);
  if (net != NULL)
    {
      FUZZ_CHECK (error == NULL);
      check_model (net, TRUE, access);
    }
  else
    check_error (error, MATRIX_NAME, data, size);
}

void
fuzz_net_matrix_one (const guint8 *data, gsize size)
{
  /* The declared formats, so the unit rules and the 3 x 3 detection are
   * exercised from both sides; the length picks one per input. */
  static const SimNetMatrixFormat declared[] = {
    SIM_NET_MATRIX_P2PSIM,   SIM_NET_MATRIX_DENSE,
    SIM_NET_MATRIX_DENSE_MS, SIM_NET_MATRIX_TRIPLES,
    SIM_NET_MATRIX_TRIPLES_MS,
  };

  fuzz_init ();
  run_matrix (data, size, SIM_NET_MATRIX_AUTO, 0);
  run_matrix (data, size, declared[size % G_N_ELEMENTS (declared)],
              ACCESS_DELAY);
}

void
fuzz_net_coords_one (const guint8 *data, gsize size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SimNet) net = NULL;

  fuzz_init ();
  net = sim_net_new_coords_data (COORDS_NAME, (const char *) data, size,
                                 &error);
  fuzz_report ("net-coords", error);
  if (net == NULL)
    {
      check_error (error, COORDS_NAME, data, size);
      return;
    }
  FUZZ_CHECK (error == NULL);
  check_model (net, FALSE, 0);
  sim_net_set_access_delay (net, ACCESS_DELAY);
  FUZZ_CHECK (sim_net_latency (net, 0, 1)
              == sim_net_host_latency (net, sim_net_node_host (net, 0),
                                       sim_net_node_host (net, 1))
                     + 2 * ACCESS_DELAY);
}
