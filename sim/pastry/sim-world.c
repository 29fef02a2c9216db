/* sim-world.c — the Pastry world's construction (configuration, the
 * network model, the driver it runs under), the estimates that refuse
 * absurd runs, and the testing hooks.  The event loop, the scenario's
 * actions and their random streams are the driver's (sim-driver.c); the
 * protocol table it calls is sim-pastry.c.
 */
#include "sim-pastry-private.h"
#include "sim-pastry-params.h"

#include "sim-net-params.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK (sim-world-error-quark, sim_world_error)


/* Maintenance runs when the scenario can lose nodes or messages. */
static gboolean
needs_maintenance (const SimScenario *sc)
{
  const char *mode = sim_scenario_get_string (sc, "maintenance");
  if (g_str_equal (mode, "on"))
    return TRUE;
  if (g_str_equal (mode, "off"))
    return FALSE;
  if (sim_scenario_get_double (sc, "loss") > 0)
    return TRUE;
  for (guint i = 0; i < sim_scenario_n_actions (sc); i++)
    switch (sim_scenario_action (sc, i)->kind)
      {
      case SIM_ACTION_FAIL:
      case SIM_ACTION_LEAVE:
      case SIM_ACTION_REJOIN:
      case SIM_ACTION_CHURN:
      case SIM_ACTION_TRACE:
        return TRUE;
      default:
        break;
      }
  return FALSE;
}

SimWorld *
sim_world_new (const SimScenario *sc, SimMetrics *metrics, GError **error)
{
  g_return_val_if_fail (sc != NULL && metrics != NULL, NULL);

  PastryConfig cfg;
  cfg.b = (guint) sim_scenario_get_uint (sc, "b");
  cfg.leaf_size = (guint) sim_scenario_get_uint (sc, "leaf_size");
  cfg.neigh_size = (guint) sim_scenario_get_uint (sc, "neighbourhood_size");
  GError *local = NULL;
  if (!pastry_config_validate (&cfg, &local))
    {
      g_set_error (error, SIM_WORLD_ERROR, SIM_WORLD_ERROR_CONFIG, "%s: %s",
                   sim_scenario_display_name (sc), local->message);
      g_error_free (local);
      return NULL;
    }
  guint64 up_bps, down_bps;
  guint64 buffer = 0;
  if (!sim_net_params_rates (sc, &up_bps, &down_bps, error)
      || !sim_net_params_buffer (sc, &buffer, error))
    return NULL;
  SimNet *net = sim_net_params_build (sc, error);
  if (net == NULL)
    return NULL;

  SimWorld *w = g_new0 (SimWorld, 1);
  w->last_false_death = G_MAXUINT64;
  w->sc = sc;
  w->metrics = metrics;
  w->cfg = cfg;
  w->net = net;
  w->dir = pastry_directory_new (NULL);
  w->nodes = g_ptr_array_new_with_free_func ((GDestroyNotify)
                                             pastry_node_free);
  /* The driver owns the queue, the node life cycle and the oracle; the
   * world keeps their addresses for its hot paths (reads only). */
  w->drv = sim_driver_new (sc, metrics, &sim__pastry_protocol, w);
  w->q = sim_driver_queue (w->drv);
  w->state = sim_driver_states (w->drv);
  w->incarn = sim_driver_incarnations (w->drv);
  w->live = sim_driver_oracle (w->drv);
  w->joins = g_ptr_array_new ();
  w->maint = g_ptr_array_new ();
  w->msgs = g_array_new (FALSE, TRUE, sizeof (PastryMessage));
  w->msg_free = g_array_new (FALSE, FALSE, sizeof (guint32));
  w->lookups = g_array_new (FALSE, TRUE, sizeof (Lookup));
  w->lookup_free = g_array_new (FALSE, FALSE, sizeof (guint32));
  if (up_bps > 0 || down_bps > 0)
    {
      w->links = sim_links_new (up_bps, down_bps);
      sim_links_set_buffer (w->links, buffer);
      w->link_buffer = buffer > 0;
      w->link_down = down_bps > 0;
      w->msg_queued = g_array_new (FALSE, TRUE, sizeof (SimTime));
      w->lookup_queued = g_array_new (FALSE, TRUE, sizeof (SimTime));
      w->queue_delay = sim_hist_new ();
      sim__world_req_init (w);
      sim_scenario_measure_window (sc, &w->window_from, &w->window_to);
    }

  guint64 seed = sim_scenario_get_uint (sc, "seed");
  sim_rng_init (&w->rng_protocol, seed, SIM_RNG_PURPOSE_PROTOCOL, 0);
  /* Network index 0: join and maintenance; 1: lookup traffic. */
  sim_rng_init (&w->rng_net_other, seed, SIM_RNG_PURPOSE_NETWORK, 0);
  sim_rng_init (&w->rng_net_lookup, seed, SIM_RNG_PURPOSE_NETWORK, 1);

  w->join_refine = g_str_equal (sim_scenario_get_string (sc, "join_refine"),
                                "rows");
  w->announce_state = g_str_equal (sim_scenario_get_string (sc,
                                                            "announce_state"),
                                   "on");
  w->oracle_hints = g_str_equal (sim_scenario_get_string (sc, "oracle_hints"),
                                 "on");
  w->bootstrap_sample = (guint) sim_scenario_get_uint (sc,
                                                       "bootstrap_sample");
  w->build_sample = (guint) sim_scenario_get_uint (sc, "build_sample");
  w->ideal_compare = g_str_equal (sim_scenario_get_string (sc,
                                                           "ideal_compare"),
                                  "on");
  w->ideal_sample = (guint) sim_scenario_get_uint (sc, "ideal_sample");
  w->quality_sample = (guint) sim_scenario_get_uint (sc, "quality_sample");
  w->maintain = needs_maintenance (sc);
  const char *repair = sim_scenario_get_string (sc, "repair");
  w->repair_leaf = !g_str_equal (repair, "off");
  w->repair_table = g_str_equal (repair, "on");
  w->heartbeat_period = sim_scenario_get_time (sc, "heartbeat_period");
  w->heartbeat_timeout = sim_scenario_get_time (sc, "heartbeat_timeout");
  w->probe_period = sim_scenario_get_time (sc, "probe_period");
  w->probe_timeout = sim_scenario_get_time (sc, "probe_timeout");
  w->probe_target = sim_scenario_get_double (sc, "probe_target");
  w->probe_retries = (guint) sim_scenario_get_uint (sc, "probe_retries");
  w->maint_strategy = sim_pastry_params_strategy (sc);
  w->hop_rtt = sim_scenario_get_hop_timeout (sc, &w->hop_timeout);
  w->hop_rto_prior_pct = (guint) (sim_scenario_get_double (sc,
                                                            "hop_rto_prior")
                                    * 100.0 + 0.5);
  w->hop_retries = (guint) sim_scenario_get_uint (sc, "hop_retries");
  w->lookup_timeout = sim_scenario_get_time (sc, "lookup_timeout");
  w->lookup_cfg.avoid = w->maintain;
  w->lookup_cfg.hop_retries = w->hop_retries;
  w->lookup_cfg.lookup_timeout = w->lookup_timeout;
  w->lookup_cfg.replicas.k = (guint) sim_scenario_get_uint (sc, "replicas");
  w->lookup_cfg.consistent = g_str_equal (
      sim_scenario_get_string (sc, "consistent_routing"), "on");
  w->lookup_cfg.replicas.prox = sim__world_prox_cb;
  w->lookup_cfg.replicas.prox_data = w;
  w->msg_header_bytes = (guint) sim_scenario_get_uint (sc,
                                                       "msg_header_bytes");
  w->msg_id_bytes = (guint) sim_scenario_get_uint (sc, "msg_id_bytes");
  sim__world_maint_init (w);
  /* Pastry's message types, as the metrics count them. */
  SimMsgTypeInfo types[PASTRY_MSG_N_TYPES];
  static const SimTraffic traffic[] = {
    [PASTRY_MSG_CLASS_LOOKUP] = SIM_TRAFFIC_LOOKUP,
    [PASTRY_MSG_CLASS_JOIN] = SIM_TRAFFIC_JOIN,
    [PASTRY_MSG_CLASS_MAINTENANCE] = SIM_TRAFFIC_MAINTENANCE,
  };
  for (guint t = 0; t < PASTRY_MSG_N_TYPES; t++)
    {
      types[t].name = pastry_msg_type_name (t);
      types[t].traffic = traffic[pastry_msg_type_class (t)];
      types[t].request = t == PASTRY_MSG_LEAFSET_REQUEST
                         || t == PASTRY_MSG_ENTRY_REQUEST;
    }
  sim_metrics_set_message_types (metrics, types, PASTRY_MSG_N_TYPES);
  return w;
}

void
sim_world_free (SimWorld *w)
{
  if (w == NULL)
    return;
  for (guint i = 0; i < w->msgs->len; i++)
    g_free (g_array_index (w->msgs, PastryMessage, i).entries);
  for (guint i = 0; i < w->joins->len; i++)
    g_free (g_ptr_array_index (w->joins, i));
  for (guint i = 0; i < w->maint->len; i++)
    sim__world_maint_stop (w, i);
  sim__world_maint_fini (w);
  if (w->ideal != NULL)
    {
      for (guint i = 0; i < w->n_ideal; i++)
        pastry_node_free (w->ideal[i]);
      g_free (w->ideal);
    }
  g_ptr_array_free (w->joins, TRUE);
  g_ptr_array_free (w->maint, TRUE);
  g_ptr_array_free (w->nodes, TRUE);
  g_array_free (w->msgs, TRUE);
  g_array_free (w->msg_free, TRUE);
  g_array_free (w->lookups, TRUE);
  g_array_free (w->lookup_free, TRUE);
  sim_net_free (w->net);
  sim_links_free (w->links);
  if (w->msg_queued != NULL)
    g_array_unref (w->msg_queued);
  if (w->lookup_queued != NULL)
    g_array_unref (w->lookup_queued);
  sim_hist_free (w->queue_delay);
  sim__world_req_fini (w);
  pastry_directory_free (w->dir);
  sim_driver_free (w->drv);
  g_free (w);
}

/* ---- Estimates: refusing absurd runs before they start ---- */

static void
blame_action (SimWorldBlame *blame, const SimScenario *sc,
              const SimAction *a, const char *what)
{
  blame->file = sim_scenario_display_name (sc);
  blame->line = a->line;
  blame->col = a->col;
  blame->what = what;
}

/* Blames the assignment of @param when the file or --set gave it, else
 * @a (NULL: nothing in particular). */
static void
blame_param (SimWorldBlame *blame, const SimScenario *sc, const char *param,
             const SimAction *a, const char *what)
{
  if (sim_scenario_param_position (sc, param, &blame->file, &blame->line,
                                   &blame->col))
    blame->what = what;
  else if (a != NULL)
    blame_action (blame, sc, a, what);
  else
    {
      blame->file = sim_scenario_display_name (sc);
      blame->line = blame->col = 0;
      blame->what = what;
    }
}

/* The nodes an action may create (new indices). */
static guint64
action_new_nodes (const SimAction *a)
{
  switch (a->kind)
    {
    case SIM_ACTION_JOIN:
    case SIM_ACTION_BUILD:
      return a->count;
    case SIM_ACTION_REJOIN:
      return a->same_id ? 0 : a->count;
    case SIM_ACTION_CHURN:
      /* Fresh ids for every session: bounded here by the population
       * (the directory also keeps 16 bytes per past node). */
      return a->population;
    case SIM_ACTION_TRACE:
      return sim_trace_n_nodes (a->trace);
    default:
      return 0;
    }
}

guint64
sim_world_estimate_bytes (const SimScenario *sc, guint64 *nodes_out,
                          SimWorldBlame *blame)
{
  g_return_val_if_fail (sc != NULL, 0);
  guint64 nodes = 0, most = 0;
  SimWorldBlame b = { sim_scenario_display_name (sc), 0, 0, "nodes" };
  for (guint i = 0; i < sim_scenario_n_actions (sc); i++)
    {
      const SimAction *a = sim_scenario_action (sc, i);
      guint64 add = action_new_nodes (a);
      if (add > most)
        {
          most = add;
          blame_action (&b, sc, a, "nodes");
        }
      nodes = nodes > G_MAXUINT64 - add ? G_MAXUINT64 : nodes + add;
    }
  if (nodes_out != NULL)
    *nodes_out = nodes;
  if (blame != NULL)
    *blame = b;
  const guint64 per_node = 1536, fixed = 64u << 20;
  return nodes > (G_MAXUINT64 - fixed) / per_node ? G_MAXUINT64
                                                  : nodes * per_node + fixed;
}

/* A timeline row counts as this many events: besides its tick it writes
 * a CSV line of about 60 bytes where an event writes nothing (3650 days at
 * the default 10 s are 31.5 M rows, a 1.7 GB timeline.csv). */
#define TIMELINE_ROW_EVENTS 100.0

/* The upper-ish estimate of the events of a run, from the scenario alone
 * (no simulation; O(actions + trace rows)).  All in doubles, saturated at
 * the end.  With
 *   N  = max(2, sim_world_estimate_bytes's node count), an upper bound on
 *        the live nodes at any time;
 *   R  = ceil(log_{2^b} N) routing-table rows, H = R + 1 hops per lookup;
 *   E  = L + (2^b - 1) R table and leaf-set entries of a node;
 *   K  = 2 with maintenance (a hop timer per hop), else 1;
 *   J  = 3 · 2^b · H + 4 events per protocol join (measured: 156
 *        messages per join at 5k nodes, 242 at 10^6; 3 · 2^b · log N is
 *        the paper's join cost);
 *   F  = 2 (1 + probe_retries) (L + 2^b R) events per failure or leave
 *        (detection probes by every holder, repair; measured 362);
 *   T  = the end of the last action (at + over or duration; traces: their
 *        last row), T0 the first node-creating action's time, in seconds,
 * the estimate is the sum of
 *   lookups   n (1 + K H) per lookup action, n = count; ceil(rate · d)
 *             for Poisson; rate · d · N per node (rate = 1 / mean gap
 *             with `every`, gaps at least 1 µs);
 *   joins     J per join or rejoin (rejoin all: N), 1 per build;
 *   failures  F per fail or leave (percent: fraction · N);
 *   churn     P (1 + d / (mean session + mean down)) (J + F + 2) for a
 *             population P (0: N), means at least 1 µs;
 *   traces    (J + F + 2) per row;
 *   heartbeats  2 N (T - T0) / heartbeat_period   } with maintenance
 *   probes      N (T - T0) / probe_period (1 + 2E + 4 + 2R) }
 *   timeline  100 · T / timeline_interval (TIMELINE_ROW_EVENTS).
 * On the shipped scenarios and scripts/bench workloads it is 1.2 to 4.8
 * times the measured event count (bench joins: 2.9e8 for 2.4e8 events;
 * bench churn: 4.3e8 for 0.9e8; churn-1h: 1.7e7 for 3.5e6).  The largest term is blamed: an action's line, or the
 * assignment of the period it divides by (else the last-ending action). */
guint64
sim_world_estimate_events (const SimScenario *sc, SimWorldBlame *blame)
{
  g_return_val_if_fail (sc != NULL, 0);
  guint64 n_nodes;
  sim_world_estimate_bytes (sc, &n_nodes, NULL);
  double N = MAX ((double) n_nodes, 2.0);
  double digits = (double) (1u << sim_scenario_get_uint (sc, "b"));
  double L = (double) sim_scenario_get_uint (sc, "leaf_size");
  double R = MAX (ceil (log (N) / log (digits)), 1.0);
  double H = R + 1, E = L + (digits - 1) * R;
  gboolean maint = needs_maintenance (sc);
  double K = maint ? 2 : 1;
  double J = 3 * digits * H + 4;
  double F = 2 * (1 + (double) sim_scenario_get_uint (sc, "probe_retries"))
             * (L + digits * R);

  SimWorldBlame b = { sim_scenario_display_name (sc), 0, 0, "events" };
  double total = 0, largest = -1;
#define TERM(value, ...)                                                     \
  do                                                                         \
    {                                                                        \
      double v_ = (value);                                                   \
      total += v_;                                                           \
      if (v_ > largest)                                                      \
        {                                                                    \
          largest = v_;                                                      \
          __VA_ARGS__;                                                       \
        }                                                                    \
    }                                                                        \
  while (0)

  SimTime t_end = 0, t_first = SIM_TIME_MAX;
  const SimAction *last = NULL;
  for (guint i = 0; i < sim_scenario_n_actions (sc); i++)
    {
      const SimAction *a = sim_scenario_action (sc, i);
      SimTime end = sim_time_add (a->at, MAX (a->over, a->duration));
      if (a->kind == SIM_ACTION_TRACE)
        for (guint r = 0; r < sim_trace_n_rows (a->trace); r++)
          {
            const SimTraceRow *row = sim_trace_row (a->trace, r);
            end = MAX (end, sim_time_add (a->at, row->join));
            if (row->leave != SIM_TIME_MAX)
              end = MAX (end, sim_time_add (a->at, row->leave));
          }
      if (last == NULL || end >= t_end)
        {
          t_end = end;
          last = a;
        }
      if (action_new_nodes (a) > 0)
        t_first = MIN (t_first, a->at);

      double d = sim_time_to_s (a->duration), v = 0;
      switch (a->kind)
        {
        case SIM_ACTION_LOOKUP:
          {
            double n = (double) a->count;
            if (a->spread == SIM_SPREAD_POISSON)
              n = ceil (a->rate_per_s * d);
            else if (a->spread == SIM_SPREAD_PER_NODE)
              n = (a->has_every ? 1.0 / MAX (sim_dist_mean (&a->every), 1e-6)
                                : a->rate_per_s) * d * N;
            v = n * (1 + K * H);
            break;
          }
        case SIM_ACTION_JOIN:
          v = (double) a->count * J;
          break;
        case SIM_ACTION_BUILD:
          v = 1;
          break;
        case SIM_ACTION_REJOIN:
          v = (a->select == SIM_SELECT_ALL ? N : (double) a->count) * J;
          break;
        case SIM_ACTION_FAIL:
        case SIM_ACTION_LEAVE:
          v = (a->select == SIM_SELECT_PERCENT ? a->fraction * N
                                               : (double) a->count) * F;
          break;
        case SIM_ACTION_CHURN:
          {
            double pop = a->population != 0 ? (double) a->population : N;
            double cycle = MAX (sim_dist_mean (&a->session), 1e-6)
                           + MAX (sim_dist_mean (&a->down), 1e-6);
            v = pop * (1 + d / cycle) * (J + F + 2);
            break;
          }
        case SIM_ACTION_TRACE:
          v = (double) sim_trace_n_rows (a->trace) * (J + F + 2);
          break;
        default:
          break;
        }
      TERM (v, blame_action (&b, sc, a,
                             a->kind == SIM_ACTION_LOOKUP ? "lookups"
                             : a->kind == SIM_ACTION_CHURN ? "churn sessions"
                             : a->kind == SIM_ACTION_TRACE ? "trace sessions"
                             : a->kind == SIM_ACTION_FAIL
                                 || a->kind == SIM_ACTION_LEAVE
                               ? "failure detection and repair"
                               : "joins"));
    }

  double span = t_first < t_end ? sim_time_to_s (t_end - t_first) : 0;
  if (maint && span > 0)
    {
      /* Periods are at least 1 µs: the parser refuses 0. */
      double hb = sim_time_to_s (MAX (sim_scenario_get_time (sc,
                                                             "heartbeat_period"),
                                      1));
      double pp = sim_time_to_s (MAX (sim_scenario_get_time (sc,
                                                             "probe_period"),
                                      1));
      TERM (2 * N * span / hb,
            blame_param (&b, sc, "heartbeat_period", last, "heartbeats"));
      TERM (N * span / pp * (1 + 2 * E + 4 + 2 * R),
            blame_param (&b, sc, "probe_period", last, "probes"));
    }
  SimTime ti = sim_scenario_get_time (sc, "timeline_interval");
  if (ti > 0)
    TERM (TIMELINE_ROW_EVENTS * (sim_time_to_s (t_end) / sim_time_to_s (ti)),
          blame_param (&b, sc, "timeline_interval", last, "timeline rows"));
#undef TERM
  if (blame != NULL)
    *blame = b;
  return sim_u64_from_double (ceil (total));
}

char *
sim_world_describe_network (const SimWorld *w)
{
  g_return_val_if_fail (w != NULL, NULL);
  return sim_net_describe (w->net);
}

/* ---- Running ---- */

void
sim_world_set_fingerprint (SimWorld *w, gboolean on)
{
  g_return_if_fail (w != NULL);
  sim_driver_set_fingerprint (w->drv, on);
}

guint64
sim_world_fingerprint (const SimWorld *w)
{
  g_return_val_if_fail (w != NULL, 0);
  return sim_driver_fingerprint (w->drv);
}

gboolean
sim_world_run (SimWorld *w, gboolean progress, volatile int *cancel)
{
  g_return_val_if_fail (w != NULL, FALSE);
  w->cancel = cancel; /* polled by long loops (builds) too */
  return sim_driver_run (w->drv, progress, cancel);
}

/* ---- Testing ---- */

guint
sim_world_n_live (const SimWorld *w)
{
  g_return_val_if_fail (w != NULL, 0);
  return sim_oracle_size (w->live);
}

void
sim_world_set_threads (SimWorld *w, guint threads)
{
  g_return_if_fail (w != NULL);
  w->threads = MAX (threads, 1u);
}

static void
dump_node (const PastryNode *node, guint neigh_size, GString *out)
{
  if (node == NULL)
    {
      g_string_append (out, "-\n");
      return;
    }
  static const PastrySide sides[] = { PASTRY_SIDE_LEFT, PASTRY_SIDE_RIGHT };
  for (guint k = 0; k < G_N_ELEMENTS (sides); k++)
    {
      const PastryPeer *p;
      guint n = pastry_node_leafset_side (node, sides[k], &p);
      g_string_append (out, k == 0 ? "L" : " R");
      for (guint i = 0; i < n; i++)
        g_string_append_printf (out, " %u", p[i]);
    }
  for (guint row = 0; row < pastry_node_n_rows (node); row++)
    {
      PastryEntry e[1u << PASTRY_B_MAX];
      guint n = pastry_node_export_row (node, row, e);
      for (guint i = 0; i < n; i++)
        g_string_append_printf (out, " T%u:%u/%u", row, e[i].peer, e[i].prox);
    }
  g_autofree PastryEntry *ne = g_new (PastryEntry, MAX (neigh_size, 1u));
  guint n = pastry_node_export_neighbours (node, ne);
  g_string_append (out, " N");
  for (guint i = 0; i < n; i++)
    g_string_append_printf (out, " %u/%u", ne[i].peer, ne[i].prox);
  g_string_append_c (out, '\n');
}

void
sim_world_dump_nodes (const SimWorld *w, GString *out)
{
  g_return_if_fail (w != NULL && out != NULL);
  for (guint i = 0; i < w->nodes->len; i++)
    {
      g_string_append_printf (out, "%u: ", i);
      dump_node (g_ptr_array_index (w->nodes, i), w->cfg.neigh_size, out);
    }
  for (guint i = 0; i < w->n_ideal; i++)
    {
      g_string_append_printf (out, "ideal %u: ", i);
      dump_node (w->ideal[i], w->cfg.neigh_size, out);
    }
  g_string_append_printf (out, "rng_protocol: %" G_GINT64_MODIFIER "x %"
                          G_GINT64_MODIFIER "x %" G_GINT64_MODIFIER "x %"
                          G_GINT64_MODIFIER "x\n",
                          w->rng_protocol.s[0], w->rng_protocol.s[1],
                          w->rng_protocol.s[2], w->rng_protocol.s[3]);
}

static gboolean
side_matches (const PastryPeer *have, guint n_have, const PastryPeer *want,
              guint n_want)
{
  if (n_have != n_want)
    return FALSE;
  for (guint i = 0; i < n_want; i++)
    if (have[i] != want[i])
      return FALSE;
  return TRUE;
}

guint64
sim_world_now (const SimWorld *w)
{
  g_return_val_if_fail (w != NULL, 0);
  return sim__world_now (w);
}

guint64
sim_world_last_false_death (const SimWorld *w)
{
  g_return_val_if_fail (w != NULL, G_MAXUINT64);
  return w->last_false_death;
}

guint
sim_world_check_leafsets (const SimWorld *w, char **first)
{
  g_return_val_if_fail (w != NULL, 0);
  guint half = w->cfg.leaf_size / 2, bad = 0;
  PastryPeer *left = g_new (PastryPeer, half + 1);
  PastryPeer *right = g_new (PastryPeer, half + 1);
  if (first != NULL)
    *first = NULL;
  for (guint i = 0; i < sim_oracle_size (w->live); i++)
    {
      guint32 x = sim_oracle_nth (w->live, i);
      guint n = sim_oracle_neighbours (w->live, x, half, left, right);
      const PastryPeer *hl, *hr;
      PastryNode *node = sim__world_node (w, x);
      guint nl = pastry_node_leafset_side (node, PASTRY_SIDE_LEFT, &hl);
      guint nr = pastry_node_leafset_side (node, PASTRY_SIDE_RIGHT, &hr);
      if (side_matches (hl, nl, left, n) && side_matches (hr, nr, right, n))
        continue;
      if (bad == 0 && first != NULL)
        {
          GString *d = g_string_new (NULL);
          g_string_append_printf (d, "node %u: left has", x);
          for (guint k = 0; k < nl; k++)
            g_string_append_printf (d, " %u%s", hl[k],
                                    sim__world_state (w, hl[k]) == NODE_DOWN
                                      ? "(down)" : "");
          g_string_append (d, ", wants");
          for (guint k = 0; k < n; k++)
            g_string_append_printf (d, " %u", left[k]);
          g_string_append (d, "; right has");
          for (guint k = 0; k < nr; k++)
            g_string_append_printf (d, " %u%s", hr[k],
                                    sim__world_state (w, hr[k]) == NODE_DOWN
                                      ? "(down)" : "");
          g_string_append (d, ", wants");
          for (guint k = 0; k < n; k++)
            g_string_append_printf (d, " %u", right[k]);
          *first = g_string_free (d, FALSE);
        }
      bad++;
    }
  g_free (left);
  g_free (right);
  return bad;
}
