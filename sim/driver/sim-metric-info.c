/* sim-metric-info.c — the summary metrics, their units and meanings.
 *
 * Invariant: every row sim_metrics_set() accepts is in `metrics` below,
 * grouped as `pastrysim metrics` prints them.  Lookups are a linear scan:
 * about 70 entries, consulted a few hundred times per run (never per
 * event); a hash table would buy nothing measurable.
 */
#include "sim-metric-info.h"

#include <string.h>

/* M: a deterministic row; W: a wall-clock row. */
#define M(name, unit, group, doc)                                              \
  {                                                                            \
    name, unit, group, doc, FALSE                                              \
  }
#define W(name, unit, group, doc)                                              \
  {                                                                            \
    name, unit, group, doc, TRUE                                               \
  }

static const SimMetricInfo metrics[] = {
  /* -- lookups (in the measure window) -- */
  M ("lookups", "count", "lookups", "lookups issued in the measure window"),
  M ("ok_ratio", "ratio", "lookups",
     "fraction delivered at the live node numerically closest to the key"),
  M ("wrong_ratio", "ratio", "lookups", "fraction delivered at another node"),
  M ("failed_ratio", "ratio", "lookups", "fraction that failed (any reason)"),
  M ("mean_hops", "hops", "lookups", "mean overlay hops of delivered lookups"),
  M ("mean_hops_tried", "hops", "lookups",
     "mean_hops plus the hops given up on a peer that never acknowledged "
     "(the paper's failure-experiment count)"),
  M ("max_hops", "hops", "lookups", "most hops of a delivered lookup"),
  M ("latency_mean_ms", "ms", "lookups",
     "mean latency of delivered lookups, issue to delivery"),
  M ("latency_p50_ms", "ms", "lookups", "median latency of delivered lookups"),
  M ("latency_p90_ms", "ms", "lookups", "90th percentile latency"),
  M ("latency_p99_ms", "ms", "lookups", "99th percentile latency"),
  M ("mean_rdp", "ratio", "lookups",
     "mean relative delay penalty: latency / direct latency to the root"),
  M ("rdp_p50", "ratio", "lookups", "median relative delay penalty"),
  M ("rdp_p90", "ratio", "lookups", "90th percentile relative delay penalty"),
  M ("distance_ratio", "ratio", "lookups",
     "total latency / total direct latency (the paper's Fig. 6 relative "
     "distance)"),
  M ("route_distance_ratio", "ratio", "lookups",
     "latency over latency of the same lookup on ideal tables "
     "(ideal_compare = on)"),
  M ("phase#_lookups", "count", "lookups",
     "per lookup action (two or more): lookups issued"),
  M ("phase#_ok_ratio", "ratio", "lookups", "per lookup action: ok fraction"),
  M ("phase#_wrong_ratio", "ratio", "lookups",
     "per lookup action: wrong fraction"),
  M ("phase#_failed_ratio", "ratio", "lookups",
     "per lookup action: failed fraction"),
  M ("phase#_mean_hops", "hops", "lookups", "per lookup action: mean hops"),
  M ("phase#_mean_hops_tried", "hops", "lookups",
     "per lookup action: mean_hops_tried"),
  M ("phase#_latency_mean_ms", "ms", "lookups",
     "per lookup action: mean latency"),
  /* -- lookup accounting (whole run) -- */
  M ("lookups_started", "count", "accounting",
     "lookups started in the whole run"),
  M ("lookups_ended", "count", "accounting",
     "lookups ended in the whole run (always equal to lookups_started)"),
  M ("failed_lost", "count", "accounting",
     "failed: a message was lost and nothing resends it (no maintenance)"),
  M ("failed_retries", "count", "accounting",
     "failed: more than hop_retries hop timeouts"),
  M ("failed_timeout", "count", "accounting",
     "failed: lookup_timeout passed since it was issued"),
  M ("failed_loop", "count", "accounting", "failed: a routing loop (64 hops)"),
  M ("failed_stalled", "count", "accounting",
     "failed: still in flight, before its deadline, when the run stopped"),
  M ("failed_holder_down", "count", "accounting",
     "failed: the node holding the lookup died"),
  M ("false_deaths", "count", "accounting",
     "live nodes that refuted a death verdict"),
  M ("unreachable_live_roots", "count", "accounting",
     "final hops given up on a live root because every send was lost"),
  M ("wrong_doubted_root", "count", "accounting",
     "wrong deliveries at a node that had lost probes of the live root"),
  /* -- membership -- */
  M ("nodes", "count", "membership", "live nodes at the end"),
  M ("joins", "count", "membership", "joins completed in the measure window"),
  M ("joins_incomplete", "count", "membership",
     "joins still in progress at the end"),
  M ("join_msgs_per_node", "msgs", "membership", "messages per completed join"),
  M ("join_time_mean_s", "s", "membership", "mean time a join took"),
  M ("failures", "count", "membership", "node failures in the measure window"),
  /* -- traffic -- */
  M ("messages", "count", "traffic", "messages sent in the measure window"),
  M ("message_bytes", "bytes", "traffic", "bytes sent in the measure window"),
  M ("node_seconds", "node*s", "traffic",
     "live nodes integrated over the measure window"),
  M ("maint_msgs_per_node_s", "msgs/node/s", "traffic",
     "maintenance messages per live node per second"),
  M ("maint_bytes_per_node_s", "bytes/node/s", "traffic",
     "maintenance bytes per live node per second"),
  M ("queue_delay_p99_ms", "ms", "traffic",
     "access links (access_up, access_down): 99th percentile of the time a "
     "message sent in the measure window waited in its sender's uplink and "
     "receiver's downlink queues (transmission not included)"),
  M ("queue_delay_mean_ms", "ms", "traffic",
     "access links: mean of that waiting time"),
  M ("queue_drops", "count", "traffic",
     "access links with access_buffer set (reported only then): messages "
     "dropped, over the whole run, because they would have found more "
     "than the buffer queued ahead of them at their sender's uplink or "
     "receiver's downlink; each is handled as lost in the network"),
  M ("request_timeouts", "count", "traffic",
     "access links: maintenance requests (probes, leaf-set, entry and row "
     "requests) sent in the measure window whose timer (probe_timeout) "
     "fired before their answer arrived"),
  M ("late_replies", "count", "traffic",
     "access links: of those requests, answers that arrived after the "
     "timer (stale; taken as proof of life of their sender)"),
  M ("repair_requests_per_failure", "msgs", "traffic",
     "repair requests (leaf-set and table-entry requests) per failed node: "
     "the paper's repair RPCs, without detection probes and broadcasts"),
  M ("repair_msgs_per_failure", "msgs", "traffic",
     "repair messages per failed node"),
  /* -- routing tables -- */
  M ("table_nodes_measured", "count", "tables",
     "nodes whose routing tables were graded"),
  M ("table_row#_filled", "entries", "tables",
     "mean filled entries of table row R (Fig. 7)"),
  M ("table_row#_optimal", "entries", "tables",
     "mean entries of row R that are the closest possible (Fig. 7)"),
  M ("table_row#_possible", "entries", "tables",
     "mean entries of row R that could be filled"),
  /* -- the run -- */
  M ("events", "count", "run", "events executed"),
  M ("sim_time_s", "s", "run", "simulated time at the end"),
  M ("bytes_per_node_state", "bytes", "run",
     "node state (tables, leaf and neighbourhood sets) per node ever "
     "created; a down node keeps none"),
  M ("bytes_per_node_world", "bytes", "run",
     "simulator arrays (ids, states, positions) per node"),
  M ("bytes_per_node_pools", "bytes", "run",
     "event, message and lookup pools per node"),
  W ("build_wall_s", "s", "run", "wall time of instant builds"),
  W ("wall_s", "s", "run", "wall time of the run"),
  W ("events_per_s", "events/s", "run", "events per wall-clock second"),
  W ("peak_rss_mb", "MB", "run", "peak resident memory"),
  /* -- live runs (pastrysim live; wall-clock, never deterministic) -- */
  W ("bad_datagrams", "count", "live",
     "datagrams that failed to decode (dropped and counted)"),
  W ("emulated_lost", "count", "live",
     "datagrams dropped by the emulated loss of the latency model"),
  W ("encode_errors", "count", "live",
     "messages that could not be encoded (a peer without an address)"),
  W ("split_messages", "count", "live",
     "messages over 1,400 bytes whose first entries went ahead in "
     "leaf-set pushes"),
  W ("declared_dead", "count", "live", "death verdicts of the nodes"),
  W ("live_nodes_end", "count", "live", "live hosted nodes at the end"),
  W ("peers_known", "count", "live",
     "peers with an address in the process's book (hosted nodes included)"),
  W ("lookups_remote", "count", "live",
     "lookups delivered at a node of another process"),
  W ("lookups_remote_failed", "count", "live",
     "lookups of this process reported failed by another process"),
  W ("lookups_expired", "count", "live",
     "lookups of this process failed at the source's deadline "
     "(lookup_timeout + 1 s: no delivery or failure report)"),
  W ("failures_reported", "count", "live",
     "other processes' lookups that failed here, reported to their source"),
  W ("acks_missed", "count", "live",
     "JOIN and ANNOUNCE hops not acknowledged within probe_timeout "
     "(JOINs rerouted, leaf-set members suspected)"),
};

/* name matches pattern, where '#' in the pattern takes 1+ digits. */
static gboolean
matches (const char *pattern, const char *name)
{
  while (*pattern != '\0')
    {
      if (*pattern == '#')
        {
          if (!g_ascii_isdigit (*name))
            return FALSE;
          while (g_ascii_isdigit (*name))
            name++;
          pattern++;
          continue;
        }
      if (*pattern++ != *name++)
        return FALSE;
    }
  return *name == '\0';
}

const SimMetricInfo *
sim_metric_info_lookup (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (metrics); i++)
    if (matches (metrics[i].name, name))
      return &metrics[i];
  return NULL;
}

void
sim_metric_info_describe (GString *out)
{
  g_return_if_fail (out != NULL);
  g_string_append (out, "Rows of summary.csv ('#' stands for a number: "
                        "phase1_..., table_row0_...).\n"
                        "Use them in `expect` lines and `compare "
                        "--worse-if`.\n");
  const char *group = NULL;
  for (guint i = 0; i < G_N_ELEMENTS (metrics); i++)
    {
      const SimMetricInfo *m = &metrics[i];
      if (group == NULL || !g_str_equal (group, m->group))
        {
          group = m->group;
          g_string_append_printf (out, "\n%s:\n", group);
        }
      g_string_append_printf (out, "  %-26s %-13s %s%s\n", m->name, m->unit,
                              m->doc, m->wall_clock ? " (wall clock)" : "");
    }
}
