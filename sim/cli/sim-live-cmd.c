/* sim-live-cmd.c — `pastrysim live SCENARIO`: the scenario's nodes in this
 * process, each on its own UDP socket (sim-live-host.h), the scenario's
 * actions at wall-clock times.
 *
 *   pastrysim live SCENARIO [--bind ADDR] [--port-base P] [--time-scale X]
 *                           [--no-emulate] [--seed N] [--set NAME=VALUE]...
 *                           [--out DIR] [--quiet]
 *
 * Time: --time-scale X compresses (X < 1) or stretches the whole run
 * alike: the loop's clock (sim-live-loop.h) runs 1/X times as fast as the
 * wall clock, so the action schedule, the protocol's periods and
 * timeouts, and the emulated latency all happen at scenario time t =
 * wall time / X; results are in scenario time (the `run` columns), with a
 * `# live:` metadata line.  What cannot be compressed is the host's own
 * cost (a datagram's decode and core call, the kernel's wake-up): it
 * counts 1/X times as much in the results.  Published through
 * sim-publish.h as `run` does.  The actions are sim-live-schedule.h's:
 * every verb but `build`, which is refused (FILE:LINE:COL, exit 2) before
 * any socket opens, as are the parameters that need global knowledge
 * (check_params()).  Expectations are judged as `run` judges one run.
 *
 * The run ends when every action has done all it will do and no lookup
 * is in flight, or lookup_timeout + 1 s after that (lookups still in
 * flight then end as failed).  SIGINT ends it with nothing written, as `run`.
 */
#include "pastrysim-version.h"
#include "sim-cli.h"
#include "sim-live-host.h"
#include "sim-live-schedule.h"
#include "sim-metrics.h"
#include "sim-net-params.h"
#include "sim-pastry-params.h"
#include "sim-publish.h"
#include "sim-scenario.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

typedef struct
{
  const SimScenario *sc;
  SimLiveHost *host;
  SimLiveLoop *loop;
  SimMetrics *metrics;
  SimLiveSchedule *sched;
  SimTime done_at; /* when the schedule was first seen done */
  SimTime interval;
  gboolean lingering;
  guint32 k_check, k_tick;
} LiveRun;

/* Parameters whose measurement needs global knowledge, or an oracle a
 * live node does not have: refused at the line that set them. */
static gboolean
check_params (const SimScenario *sc, GError **error)
{
  if (g_str_equal (sim_scenario_get_string (sc, "ideal_compare"), "on"))
    return sim_scenario_param_fail (
        sc, error, SIM_SCENARIO_ERROR_BAD_VALUE, "ideal_compare", "on",
        "live: ideal_compare routes every lookup again over ideal tables "
        "built from global knowledge, which a live run does not have");
  if (sim_scenario_get_uint (sc, "quality_sample") > 0)
    return sim_scenario_param_fail (
        sc, error, SIM_SCENARIO_ERROR_BAD_VALUE, "quality_sample", NULL,
        "live: quality_sample grades routing tables against global "
        "knowledge, which a live run does not have");
  if (sim_scenario_param_is_set (sc, "oracle_hints")
      && g_str_equal (sim_scenario_get_string (sc, "oracle_hints"), "on"))
    return sim_scenario_param_fail (
        sc, error, SIM_SCENARIO_ERROR_BAD_VALUE, "oracle_hints", "on",
        "live: live nodes have no oracle and run as with oracle_hints = off");
  return TRUE;
}

/* Access links are a property of the simulated network: a live run
 * neither has nor emulates them, so a scenario that limits them is
 * refused where the limit is set (FILE:LINE:COL). */
static gboolean
check_links (const SimScenario *sc, GError **error)
{
  guint64 bps[2];
  if (!sim_net_params_rates (sc, &bps[0], &bps[1], error))
    return FALSE;
  static const char *const names[] = { "access_up", "access_down" };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (bps[i] > 0)
      return sim_scenario_param_fail (
          sc, error, SIM_SCENARIO_ERROR_RANGE, names[i],
          sim_scenario_get_string (sc, names[i]),
          "live: access links (%s) are not emulated; leave it off", names[i]);
  return TRUE;
}

static gboolean
needs_maintenance (const SimScenario *sc)
{
  const char *mode = sim_scenario_get_string (sc, "maintenance");
  if (!g_str_equal (mode, "auto"))
    return g_str_equal (mode, "on");
  if (sim_scenario_get_double (sc, "loss") > 0)
    return TRUE;
  for (guint i = 0; i < sim_scenario_n_actions (sc); i++)
    if (sim_scenario_action (sc, i)->kind != SIM_ACTION_JOIN
        && sim_scenario_action (sc, i)->kind != SIM_ACTION_LOOKUP)
      return TRUE;
  return FALSE;
}

/* Every 50 ms: an interrupt, or the end of the run. */
static void
on_check (SimLiveLoop *loop, const SimEvent *ev, gpointer data)
{
  LiveRun *r = data;
  SimTime now = sim_live_loop_now (loop);
  gboolean done = sim_live_schedule_done (r->sched)
                  && now >= sim_live_schedule_end_hint (r->sched);
  if (done && r->done_at == SIM_TIME_MAX)
    r->done_at = now;
  SimTime hard = sim_time_add (
      r->done_at, sim_time_add (sim_scenario_get_time (r->sc, "lookup_timeout"),
                                SIM_TIME_S));
  if (sim_cli_interrupted () || sim_live_schedule_error (r->sched) != NULL
      || (!r->lingering && done
          && (sim_live_host_inflight (r->host) == 0 || now >= hard)))
    {
      sim_live_loop_stop (loop);
      return;
    }
  sim_live_loop_at (loop, now + 50 * SIM_TIME_MS, r->k_check, 0, 0);
}

static void
on_tick (SimLiveLoop *loop, const SimEvent *ev, gpointer data)
{
  LiveRun *r = data;
  SimTime now = sim_live_loop_now (loop);
  sim_metrics_timeline_tick (r->metrics, now);
  sim_live_loop_at (loop, now + r->interval, r->k_tick, 0, 0);
}

static int
usage (const char *msg)
{
  fprintf (stderr, "pastrysim: %s\nTry 'pastrysim live --help'.\n", msg);
  return SIM_EXIT_BAD_INPUT;
}

static FILE *
open_csv (const char *dir, const char *name, const char *meta)
{
  g_autofree char *p = g_build_filename (dir, name, NULL);
  FILE *f = fopen (p, "w");
  if (f == NULL)
    fprintf (stderr, "pastrysim: %s: %s\n", p, g_strerror (errno));
  else
    fputs (meta, f);
  return f;
}

int
sim_cli_live (int argc, char **argv)
{
  g_autofree char *out_dir = NULL, *bind = NULL, *seed_text = NULL;
  g_autofree char *bootstrap = NULL;
  double linger = 0;
  g_auto (GStrv) sets = NULL;
  gint port_base = 0;
  double scale = 1.0;
  gboolean quiet = FALSE, no_emulate = FALSE;
  GOptionEntry entries[] = {
    { "bind", 0, 0, G_OPTION_ARG_STRING, &bind,
      "IP address the nodes' sockets bind to (default 127.0.0.1)", "ADDR" },
    { "port-base", 0, 0, G_OPTION_ARG_INT, &port_base,
      "Node i listens on port P + i (default 0: ports the kernel picks)", "P" },
    { "time-scale", 0, 0, G_OPTION_ARG_DOUBLE, &scale,
      "Run the scenario's time X times as slow as the wall clock (default "
      "1; 0.1 = ten times as fast): actions, protocol timers and emulated "
      "latency alike",
      "X" },
    { "bootstrap", 0, 0, G_OPTION_ARG_STRING, &bootstrap,
      "Join an overlay of other processes through the node at HOST:PORT "
      "(an IP address and port)",
      "HOST:PORT" },
    { "linger", 0, 0, G_OPTION_ARG_DOUBLE, &linger,
      "Keep the nodes up this many wall-clock seconds after the run's end, "
      "for other processes' lookups (default 0)",
      "S" },
    { "no-emulate", 0, 0, G_OPTION_ARG_NONE, &no_emulate,
      "Send datagrams at once (no emulated latency or loss)", NULL },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &seed_text,
      "Master random seed (overrides the scenario's 'seed')", "N" },
    { "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &sets,
      "Override a parameter or variable (repeatable)", "NAME=VALUE" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir,
      "Results directory (default results/<scenario name>-live)", "DIR" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print nothing but errors",
      NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (
      "SCENARIO - run a scenario's nodes on real UDP sockets");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_description (
      ctx, "Each node of the scenario runs in this process with its own UDP "
           "socket; the\nscenario's actions (all but build) happen at "
           "wall-clock times.\nWrites the CSV files of 'run' (times in "
           "scenario seconds) into DIR, with a\n'# live:' metadata line.  "
           "See sim/README.md, \"Live runs\".");
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return usage (error->message);
  if (argc != 2)
    return usage (argc < 2 ? "live: missing SCENARIO"
                           : "live: too many arguments");
  if (!(scale > 0 && scale <= 1000))
    return usage ("--time-scale: expected a number above 0, at most 1000");
  if (!(linger >= 0 && linger <= 3600))
    return usage ("--linger: expected seconds from 0 to 3600");
  g_autoptr (GSocketAddress) boot = NULL;
  if (bootstrap != NULL)
    {
      const char *colon = strrchr (bootstrap, ':');
      guint64 port = 0;
      g_autofree char *host_part
          = colon != NULL ? g_strndup (bootstrap, colon - bootstrap) : NULL;
      if (host_part != NULL && host_part[0] == '['
          && g_str_has_suffix (host_part, "]"))
        {
          char *inner = g_strndup (host_part + 1, strlen (host_part) - 2);
          g_free (host_part);
          host_part = inner;
        }
      if (colon != NULL
          && g_ascii_string_to_unsigned (colon + 1, 10, 1, 65535, &port, NULL))
        boot = g_inet_socket_address_new_from_string (host_part, (guint) port);
      if (boot == NULL)
        return usage ("--bootstrap: expected IP:PORT, such as "
                      "127.0.0.1:40000 or [::1]:40000");
    }
  if (port_base < 0 || port_base > 65535)
    return usage ("--port-base: expected a port from 0 to 65535");
  const char *path = argv[1];
  g_autoptr (GPtrArray) ov = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; sets != NULL && sets[i] != NULL; i++)
    g_ptr_array_add (ov, g_strdup (sets[i]));
  if (seed_text != NULL)
    g_ptr_array_add (ov, g_strdup_printf ("seed=%s", seed_text));
  g_ptr_array_add (ov, NULL);
  g_autoptr (SimScenario) sc
      = sim_scenario_load (path, (const char *const *) ov->pdata, &error);
  if (sc == NULL || !sim_live_schedule_check (sc, &error)
      || !check_params (sc, &error) || !check_links (sc, &error)
      || !sim_cli_check_expects (sc, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return SIM_EXIT_BAD_INPUT;
    }
  guint n_declared;
  if (sim_scenario_seeds (sc, &n_declared) != NULL
      && !sim_scenario_param_is_set (sc, "seed"))
    return usage ("live: the scenario declares 'seeds = LIST' (a batch "
                  "over seeds); a live run is one run: choose its seed "
                  "with --seed N");
  guint64 nodes = sim_live_schedule_nodes_hint (sc);
  if (port_base != 0 && port_base + nodes > 65536)
    return usage ("--port-base: the scenario's nodes do not fit below port "
                  "65536");
  g_autoptr (SimNet) net
      = no_emulate ? NULL : sim_net_params_build (sc, &error);
  if (!no_emulate && net == NULL)
    return sim_cli_fail (error);
  if (out_dir == NULL)
    out_dir = g_strdup_printf ("results/%s-live", sim_scenario_name (sc));

  guint64 seed = sim_scenario_get_uint (sc, "seed");
  SimLiveHostConfig cfg = {
    .b = (guint) sim_scenario_get_uint (sc, "b"),
    .leaf_size = (guint) sim_scenario_get_uint (sc, "leaf_size"),
    .neigh_size = (guint) sim_scenario_get_uint (sc, "neighbourhood_size"),
    .maintain = needs_maintenance (sc),
    .repair_leaf = !g_str_equal (sim_scenario_get_string (sc, "repair"), "off"),
    .repair_table = g_str_equal (sim_scenario_get_string (sc, "repair"), "on"),
    .join_refine
    = g_str_equal (sim_scenario_get_string (sc, "join_refine"), "rows"),
    .announce_state
    = g_str_equal (sim_scenario_get_string (sc, "announce_state"), "on"),
    .heartbeat_period = sim_scenario_get_time (sc, "heartbeat_period"),
    .heartbeat_timeout = sim_scenario_get_time (sc, "heartbeat_timeout"),
    .probe_period = sim_scenario_get_time (sc, "probe_period"),
    .probe_timeout = sim_scenario_get_time (sc, "probe_timeout"),
    .probe_retries = (guint) sim_scenario_get_uint (sc, "probe_retries"),
    .strategy = sim_pastry_params_strategy (sc),
    .hop_retries = (guint) sim_scenario_get_uint (sc, "hop_retries"),
    .lookup_timeout = sim_scenario_get_time (sc, "lookup_timeout"),
    .min_hop_timeout = 100 * SIM_TIME_MS,
    .replicas = (guint) sim_scenario_get_uint (sc, "replicas"),
    .consistent_routing
    = g_str_equal (sim_scenario_get_string (sc, "consistent_routing"), "on"),
    .seed = seed,
  };
  if (!sim_scenario_get_hop_timeout (sc, &cfg.hop_timeout))
    cfg.min_hop_timeout = 0; /* a fixed hop_timeout, as `run` */
  else
    cfg.hop_timeout = 0;

  g_autoptr (SimPublish) pub
      = sim_cli_publish_begin (sc, path, out_dir, &error);
  if (pub == NULL)
    return sim_cli_fail (error);
  const char *tmp = sim_publish_staging_dir (pub);

  g_autoptr (SimMetrics) metrics = sim_metrics_new ();
  SimLiveLoop *loop = sim_live_loop_new (NULL);
  sim_live_loop_set_scale (loop, scale);
  SimLiveHost *host = sim_live_host_new (&cfg, loop, bind, (guint16) port_base,
                                         net, metrics, &error);
  if (host == NULL)
    {
      sim_live_loop_free (loop);
      return usage (error->message);
    }
  if (boot != NULL
      && !sim_live_host_set_bootstrap (host, G_INET_SOCKET_ADDRESS (boot)))
    {
      sim_live_host_free (host);
      sim_live_loop_free (loop);
      return usage ("--bootstrap: not an address a node can have");
    }
  SimTime from, to;
  sim_scenario_measure_window (sc, &from, &to);
  sim_metrics_set_window (metrics, from, to);

  g_autoptr (GString) meta = g_string_new (NULL);
  g_autofree char *base = g_path_get_basename (path);
  g_string_append_printf (
      meta,
      "# pastrysim %s\n# scenario: %s\n# seed: %" G_GUINT64_FORMAT
      "\n# time unit: scenario seconds (t_s) and milliseconds (*_ms) "
      "since the start: wall-clock time divided by the time scale\n",
      PASTRYSIM_VERSION, base, seed);
  g_string_append_printf (
      meta,
      "# live: bind %s, port base %d, %" G_GUINT64_FORMAT
      " nodes in one process, time scale %g, %s\n",
      bind != NULL ? bind : "127.0.0.1", port_base, nodes, scale,
      net != NULL ? "latency and loss emulated" : "no emulation");
  if (net != NULL)
    {
      g_autofree char *d = sim_net_describe (net);
      g_string_append_printf (meta, "# network: %s\n", d);
    }
  sim_scenario_write_resolved (sc, meta);
  FILE *lookups = open_csv (tmp, "lookups.csv", meta->str);
  FILE *timeline = open_csv (tmp, "timeline.csv", meta->str);
  if (lookups == NULL || timeline == NULL)
    {
      if (lookups != NULL)
        fclose (lookups);
      if (timeline != NULL)
        fclose (timeline);
      sim_live_host_free (host);
      sim_live_loop_free (loop);
      return SIM_EXIT_IO;
    }
  sim_metrics_stream_lookups (metrics, lookups);
  LiveRun r = {
    .sc = sc,
    .host = host,
    .loop = loop,
    .metrics = metrics,
    .done_at = SIM_TIME_MAX,
    .interval = sim_scenario_get_time (sc, "timeline_interval"),
  };
  if (r.interval == 0)
    r.interval = SIM_TIME_S;
  sim_metrics_stream_timeline (metrics, timeline, r.interval);
  r.k_check = sim_live_loop_add_kind (loop, on_check, &r);
  r.k_tick = sim_live_loop_add_kind (loop, on_tick, &r);
  guint phases = 0;
  for (guint i = 0; i < sim_scenario_n_actions (sc); i++)
    phases += sim_scenario_action (sc, i)->kind == SIM_ACTION_LOOKUP;
  sim_metrics_set_phases (metrics, phases);
  r.sched = sim_live_schedule_new (sc, host, loop);
  sim_live_loop_at (loop, 50 * SIM_TIME_MS, r.k_check, 0, 0);
  sim_live_loop_at (loop, r.interval, r.k_tick, 0, 0);
  if (!quiet)
    fprintf (stderr,
             "pastrysim live: %" G_GUINT64_FORMAT " nodes, about "
             "%.1f s\n",
             nodes,
             sim_time_to_s (sim_live_schedule_end_hint (r.sched)) * scale);
  sim_live_loop_run (loop, SIM_TIME_MAX);
  SimTime end = sim_live_loop_now (loop);
  gboolean open_failed = sim_live_schedule_error (r.sched) != NULL;
  if (linger > 0 && !sim_cli_interrupted () && !open_failed)
    {
      /* Up for the others' lookups; the interrupt check still runs. */
      r.lingering = TRUE;
      sim_live_loop_at (loop, end + 50 * SIM_TIME_MS, r.k_check, 0, 0);
      sim_live_loop_run (loop, end + sim_time_from_us (linger * 1e6 / scale));
    }
  sim_live_host_abandon (host);
  sim_metrics_timeline_tick (metrics, end);
  sim_metrics_finish (metrics, end);
  SimLiveHostStats st = sim_live_host_stats (host);
  sim_metrics_set (metrics, "bad_datagrams", (double) st.bad_datagrams);
  sim_metrics_set (metrics, "emulated_lost", (double) st.emulated_lost);
  sim_metrics_set (metrics, "encode_errors", (double) st.encode_errors);
  sim_metrics_set (metrics, "split_messages", (double) st.split_messages);
  sim_metrics_set (metrics, "declared_dead", (double) st.declared_dead);
  sim_metrics_set (metrics, "live_nodes_end",
                   (double) sim_live_host_n_live (host));
  sim_metrics_set (metrics, "peers_known",
                   (double) sim_live_host_n_peers (host));
  sim_metrics_set (metrics, "lookups_remote", (double) st.lookups_remote);
  sim_metrics_set (metrics, "lookups_remote_failed",
                   (double) st.lookups_failed_remote);
  sim_metrics_set (metrics, "lookups_expired", (double) st.lookups_expired);
  sim_metrics_set (metrics, "failures_reported", (double) st.failures_reported);
  sim_metrics_set (metrics, "acks_missed", (double) st.acks_missed);
  /* The hosted nodes, for collecting the overlay of several processes. */
  g_autoptr (GString) nodes_csv = g_string_new (meta->str);
  g_string_append (nodes_csv, "node,id,address,live\n");
  for (guint i = 0; i < sim_live_host_n_nodes (host); i++)
    {
      char hex[PASTRY_ID_HEX_LEN + 1];
      pastry_id_format (sim_live_host_id (host, i), hex);
      GInetSocketAddress *sa = sim_live_host_address (host, i);
      g_autofree char *ip = sa != NULL ? g_inet_address_to_string (
                                g_inet_socket_address_get_address (sa))
                                       : NULL;
      g_string_append_printf (
          nodes_csv, "%u,%s,%s:%u,%d\n", i, hex, ip != NULL ? ip : "",
          sa != NULL ? g_inet_socket_address_get_port (sa) : 0,
          sim_live_host_is_live (host, i));
    }
  g_autofree char *nodes_path = g_build_filename (tmp, "live-nodes.csv", NULL);
  sim_metrics_set (metrics, "wall_s", sim_time_to_s (end) * scale);
  g_autoptr (GError) run_error
      = open_failed ? g_error_copy (sim_live_schedule_error (r.sched)) : NULL;
  sim_live_host_free (host);
  sim_live_schedule_free (r.sched);
  sim_live_loop_free (loop);
  gboolean bad = ferror (lookups) != 0 || ferror (timeline) != 0;
  bad |= fclose (lookups) != 0;
  bad |= fclose (timeline) != 0;
  if (open_failed)
    {
      fprintf (stderr, "pastrysim: live: cannot open a node's socket: %s\n",
               run_error != NULL ? run_error->message : "?");
      return SIM_EXIT_IO;
    }
  if (sim_cli_interrupted ())
    {
      fprintf (stderr, "pastrysim: interrupted; no results written\n");
      return SIM_EXIT_INTERRUPTED;
    }
  if (bad)
    {
      fprintf (stderr, "pastrysim: cannot write the results\n");
      return SIM_EXIT_IO;
    }
  if (!sim_cli_write_results (tmp, metrics, meta->str, sc, &error)
      || !g_file_set_contents (nodes_path, nodes_csv->str,
                               (gssize) nodes_csv->len, &error))
    {
      fprintf (stderr, "pastrysim: %s\n", error->message);
      return SIM_EXIT_IO;
    }
  if (!sim_cli_publish_commit (pub, &error))
    return error != NULL ? sim_cli_fail (error) : SIM_EXIT_INTERRUPTED;
  if (!quiet)
    {
      printf ("%s: live results in %s\n", sim_scenario_name (sc), out_dir);
      static const char *keys[]
          = { "lookups",        "ok_ratio",      "wrong_ratio",
              "failed_ratio",   "mean_hops",     "latency_p50_ms",
              "latency_p99_ms", "bad_datagrams", "peers_known",
              "lookups_remote", "wall_s" };
      for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
        {
          double v;
          if (sim_metrics_get (metrics, keys[i], &v))
            printf ("  %-22s %g\n", keys[i], v);
        }
    }
  return sim_judge_single (sc, metrics, FALSE, quiet);
}
