/* sim-net.c — latency models: construction, placement, queries.
 *
 * Invariant: a node's position or host is fixed when it is added, so
 * sim_net_latency() depends only on (net, a, b) and the settings; it is
 * symmetric and 0 on the diagonal.  File loaders live in
 * sim-net-matrix.c and sim-net-coords.c.
 *
 * The hot path, sim_net_latency(), is one switch and either a table load
 * (matrix), a sqrt (plane, coordinates) or an atan2 (sphere).  The struct
 * stays opaque: a call costs a few ns next to the event queue's log n, and
 * exposing the layout would freeze it.  A cached latency table per node pair
 * was rejected: at 10^5 nodes it would need 40 GB.
 */
#include "sim-net-private.h"

#include <math.h>

G_DEFINE_QUARK (sim-net-error-quark, sim_net_error)

SimNet *
sim_net__new (SimNetKind kind)
{
  SimNet *net = g_new0 (SimNet, 1);

  net->kind = kind;
  return net;
}

SimNet *
sim_net_new_euclidean (double side, double ms_per_unit)
{
  SimNet *net;

  g_return_val_if_fail (isfinite (side) && side > 0.0, NULL);
  g_return_val_if_fail (isfinite (ms_per_unit) && ms_per_unit > 0.0, NULL);
  g_return_val_if_fail (side * G_SQRT2 * ms_per_unit * 1000.0
                            <= (double) SIM_NET_MAX_LATENCY,
                        NULL);

  net = sim_net__new (SIM_NET_KIND_EUCLIDEAN);
  net->dim = 2;
  net->side = side;
  net->ms_per_unit = ms_per_unit;
  net->us_per_unit = ms_per_unit * 1000.0;
  return net;
}

SimNet *
sim_net_new_sphere (double radius_ms)
{
  SimNet *net;

  g_return_val_if_fail (isfinite (radius_ms) && radius_ms > 0.0, NULL);
  g_return_val_if_fail (G_PI * radius_ms * 1000.0
                            <= (double) SIM_NET_MAX_LATENCY,
                        NULL);

  net = sim_net__new (SIM_NET_KIND_SPHERE);
  net->dim = 3;
  net->radius_ms = radius_ms;
  net->us_per_unit = radius_ms * 1000.0; /* µs per radian */
  return net;
}

SimNet *
sim_net_new_constant (SimTime one_way)
{
  SimNet *net = sim_net__new (SIM_NET_KIND_CONSTANT);

  net->constant = MIN (one_way, SIM_NET_MAX_LATENCY);
  return net;
}

void
sim_net_free (SimNet *net)
{
  if (net == NULL)
    return;
  g_free (net->node_pos);
  g_free (net->node_host);
  g_free (net->cells);
  g_free (net->host_pos);
  g_free (net->deck);
  g_free (net->source);
  g_free (net);
}

void
sim_net_set_access_delay (SimNet *net, SimTime access_delay)
{
  g_return_if_fail (net != NULL);
  net->access = access_delay;
  net->access2 = sim_time_add (access_delay, access_delay);
}

SimTime
sim_net_get_access_delay (const SimNet *net)
{
  g_return_val_if_fail (net != NULL, 0);
  return net->access;
}

void
sim_net_set_loss (SimNet *net, double p)
{
  g_return_if_fail (net != NULL);
  g_return_if_fail (p >= 0.0 && p <= 1.0); /* false for NaN */
  net->loss = p;
}

void
sim_net_set_jitter (SimNet *net, double frac, SimTime max_extra)
{
  g_return_if_fail (net != NULL);
  g_return_if_fail (isfinite (frac) && frac >= 0.0);
  net->jitter_frac = frac;
  net->jitter_max = max_extra;
}

static gboolean
has_hosts (const SimNet *net)
{
  return net->kind == SIM_NET_KIND_MATRIX || net->kind == SIM_NET_KIND_COORDS;
}

void
sim_net_reserve (SimNet *net, guint32 n_nodes)
{
  g_return_if_fail (net != NULL);
  if (n_nodes <= net->cap_nodes)
    return;
  net->cap_nodes = n_nodes;
  if (net->dim > 0 && !has_hosts (net))
    net->node_pos = g_renew (float, net->node_pos,
                             (gsize) n_nodes * net->dim);
  if (has_hosts (net))
    net->node_host = g_renew (guint32, net->node_host, n_nodes);
}

/* Makes room for one more node: capacity doubles (amortised O(1)). */
static void
grow (SimNet *net)
{
  guint32 cap;

  if (net->n_nodes < net->cap_nodes)
    return;
  g_assert (net->cap_nodes < G_MAXUINT32);
  cap = net->cap_nodes < 16 ? 16 : net->cap_nodes;
  cap = cap > G_MAXUINT32 / 2 ? G_MAXUINT32 : cap * 2;
  sim_net_reserve (net, cap);
}

guint32
sim_net_add_node_on_host (SimNet *net, guint32 host)
{
  g_return_val_if_fail (net != NULL, 0);
  g_return_val_if_fail (has_hosts (net), 0);
  g_return_val_if_fail (host < net->n_hosts, 0);

  grow (net);
  net->node_host[net->n_nodes] = host;
  return net->n_nodes++;
}

guint32
sim_net_add_node (SimNet *net, SimRng *rng)
{
  float *p;

  g_return_val_if_fail (net != NULL, 0);
  g_return_val_if_fail (rng != NULL || net->kind == SIM_NET_KIND_CONSTANT,
                        0);

  if (has_hosts (net))
    {
      /* One step of an incremental Fisher–Yates shuffle. */
      guint32 k = net->deck_next;
      guint32 card = sim_rng_shuffle_step (rng, net->deck, net->n_hosts, k);

      net->deck_next = k + 1 == net->n_hosts ? 0 : k + 1;
      return sim_net_add_node_on_host (net, card);
    }

  grow (net);
  /* The constant model keeps no positions: node_pos is NULL, and even
   * NULL + 0 is undefined behaviour (UBSan). */
  p = net->node_pos != NULL ? net->node_pos + (gsize) net->n_nodes * net->dim
                            : NULL;
  switch (net->kind)
    {
    case SIM_NET_KIND_EUCLIDEAN:
      p[0] = (float) (net->side * sim_rng_double (rng));
      p[1] = (float) (net->side * sim_rng_double (rng));
      break;
    case SIM_NET_KIND_SPHERE:
      {
        double z = 2.0 * sim_rng_double (rng) - 1.0;
        double lon = 2.0 * G_PI * sim_rng_double (rng);
        double r = sqrt (MAX (0.0, 1.0 - z * z));

        p[0] = (float) (r * cos (lon));
        p[1] = (float) (r * sin (lon));
        p[2] = (float) z;
      }
      break;
    case SIM_NET_KIND_CONSTANT:
      break;
    case SIM_NET_KIND_MATRIX:
    case SIM_NET_KIND_COORDS:
    default:
      g_assert_not_reached ();
    }
  return net->n_nodes++;
}

guint32
sim_net_node_count (const SimNet *net)
{
  g_return_val_if_fail (net != NULL, 0);
  return net->n_nodes;
}

guint32
sim_net_host_count (const SimNet *net)
{
  g_return_val_if_fail (net != NULL, 0);
  return has_hosts (net) ? net->n_hosts : 0;
}

guint32
sim_net_root_count (const SimNet *net)
{
  g_return_val_if_fail (net != NULL, 0);
  return net->n_roots;
}

guint32
sim_net_node_host (const SimNet *net, guint32 node)
{
  g_return_val_if_fail (net != NULL, 0);
  g_return_val_if_fail (has_hosts (net), 0);
  g_return_val_if_fail (node < net->n_nodes, 0);
  return net->node_host[node];
}

/* Euclidean distance between two points of dim floats. */
static inline double
distance (const float *p, const float *q, guint32 dim)
{
  double s = 0.0;

  for (guint32 i = 0; i < dim; i++)
    {
      double d = (double) p[i] - (double) q[i];
      s += d * d;
    }
  return sqrt (s);
}

/* Base latency between two distinct hosts; no checks. */
static inline SimTime
host_latency (const SimNet *net, guint32 ha, guint32 hb)
{
  if (net->kind == SIM_NET_KIND_MATRIX)
    return net->cells[(gsize) ha * net->n_hosts + hb].u;
  if (ha == hb)
    return 0;
  return sim_net__us_to_latency (
      distance (net->host_pos + (gsize) ha * net->dim,
                net->host_pos + (gsize) hb * net->dim, net->dim)
      * net->us_per_unit);
}

SimTime
sim_net_host_latency (const SimNet *net, guint32 ha, guint32 hb)
{
  g_return_val_if_fail (net != NULL, 0);
  g_return_val_if_fail (has_hosts (net), 0);
  g_return_val_if_fail (ha < net->n_hosts && hb < net->n_hosts, 0);
  return host_latency (net, ha, hb);
}

void
sim_net_prefetch (const SimNet *net, guint32 node)
{
  if (node >= net->n_nodes)
    return;
  if (net->node_pos != NULL)
    __builtin_prefetch (net->node_pos + (gsize) node * net->dim);
  else if (net->node_host != NULL)
    __builtin_prefetch (net->node_host + node);
}

SimTime
sim_net_latency (const SimNet *net, guint32 a, guint32 b)
{
  SimTime base = 0;

  g_return_val_if_fail (net != NULL, 0);
  g_return_val_if_fail (a < net->n_nodes && b < net->n_nodes, 0);

  if (a == b)
    return 0;
  switch (net->kind)
    {
    case SIM_NET_KIND_EUCLIDEAN:
      base = sim_net__us_to_latency (distance (net->node_pos + (gsize) a * 2,
                                               net->node_pos + (gsize) b * 2,
                                               2)
                                     * net->us_per_unit);
      break;
    case SIM_NET_KIND_SPHERE:
      {
        /* atan2(|p × q|, p · q) is accurate at every angle (acos of the
         * dot product is not near 0 and π) and ignores the vectors'
         * length, so float rounding of the unit vectors does not matter. */
        const float *p = net->node_pos + (gsize) a * 3;
        const float *q = net->node_pos + (gsize) b * 3;
        double cx = (double) p[1] * q[2] - (double) p[2] * q[1];
        double cy = (double) p[2] * q[0] - (double) p[0] * q[2];
        double cz = (double) p[0] * q[1] - (double) p[1] * q[0];
        double dot = (double) p[0] * q[0] + (double) p[1] * q[1]
                     + (double) p[2] * q[2];
        double angle = atan2 (sqrt (cx * cx + cy * cy + cz * cz), dot);

        base = sim_net__us_to_latency (angle * net->us_per_unit);
      }
      break;
    case SIM_NET_KIND_MATRIX:
    case SIM_NET_KIND_COORDS:
      base = host_latency (net, net->node_host[a], net->node_host[b]);
      break;
    case SIM_NET_KIND_CONSTANT:
      base = net->constant;
      break;
    default:
      g_assert_not_reached ();
    }
  return sim_time_add (base, net->access2);
}

SimTime
sim_net_proximity (const SimNet *net, guint32 a, guint32 b)
{
  return sim_net_latency (net, a, b);
}

SimTime
sim_net_delay_sample (const SimNet *net, guint32 a, guint32 b, SimRng *rng,
                      gboolean *lost)
{
  SimTime lat;
  gboolean is_lost = FALSE;

  g_return_val_if_fail (lost != NULL, 0);
  *lost = FALSE;
  g_return_val_if_fail (net != NULL, 0);
  g_return_val_if_fail (a < net->n_nodes && b < net->n_nodes, 0);

  lat = sim_net_latency (net, a, b);
  if (a == b)
    return lat;
  if (net->loss > 0.0)
    {
      g_return_val_if_fail (rng != NULL, lat);
      is_lost = sim_rng_double (rng) < net->loss;
    }
  if (net->jitter_frac > 0.0 || net->jitter_max > 0)
    {
      double span = net->jitter_frac * (double) lat + (double) net->jitter_max;
      double extra;

      g_return_val_if_fail (rng != NULL, lat);
      extra = floor (sim_rng_double (rng) * span);
      lat = sim_time_add (lat, sim_time_from_us (extra));
    }
  *lost = is_lost;
  return lat;
}

static const char *
kind_name (SimNetKind kind)
{
  switch (kind)
    {
    case SIM_NET_KIND_EUCLIDEAN:
      return "euclidean";
    case SIM_NET_KIND_SPHERE:
      return "sphere";
    case SIM_NET_KIND_MATRIX:
      return "matrix";
    case SIM_NET_KIND_COORDS:
      return "coords";
    case SIM_NET_KIND_CONSTANT:
      return "constant";
    default:
      return "unknown";
    }
}

/* Appends " key=value" with value printed by "%.6g", locale-independent. */
static void
append_double (GString *s, const char *key, double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_printf (s, " %s=%s", key,
                          g_ascii_formatd (buf, sizeof buf, "%.6g", value));
}

char *
sim_net_describe (const SimNet *net)
{
  GString *s;

  g_return_val_if_fail (net != NULL, NULL);

  s = g_string_new ("net=");
  g_string_append (s, kind_name (net->kind));
  switch (net->kind)
    {
    case SIM_NET_KIND_EUCLIDEAN:
      append_double (s, "side", net->side);
      append_double (s, "ms_per_unit", net->ms_per_unit);
      break;
    case SIM_NET_KIND_SPHERE:
      append_double (s, "radius_ms", net->radius_ms);
      break;
    case SIM_NET_KIND_MATRIX:
      g_string_append_printf (
          s,
          " file=%s format=%s unit=%s one_way=rtt/2 hosts=%u pairs=%"
          G_GUINT64_FORMAT " unknown=%" G_GUINT64_FORMAT
          " fill=median fill_us=%" G_GUINT64_FORMAT,
          net->source, net->format_name, net->unit_name, net->n_hosts,
          net->n_pairs, net->n_unknown, net->fill);
      break;
    case SIM_NET_KIND_COORDS:
      g_string_append_printf (s, " file=%s dims=%u hosts=%u roots=%u",
                              net->source, net->dim, net->n_hosts,
                              net->n_roots);
      append_double (s, "ms_per_unit", net->us_per_unit / 1000.0);
      break;
    case SIM_NET_KIND_CONSTANT:
      g_string_append_printf (s, " one_way_us=%" G_GUINT64_FORMAT,
                              net->constant);
      break;
    default:
      g_assert_not_reached ();
    }
  if (has_hosts (net))
    g_string_append (s, " placement=shuffled_deck");
  g_string_append_printf (s, " access_us=%" G_GUINT64_FORMAT, net->access);
  append_double (s, "loss", net->loss);
  append_double (s, "jitter_frac", net->jitter_frac);
  g_string_append_printf (s, " jitter_max_us=%" G_GUINT64_FORMAT,
                          net->jitter_max);
  return g_string_free (s, FALSE);
}
