/* sim-metrics.h — what a run measures, and the CSV files it writes.
 *
 * Protocol-agnostic: message types are declared by the protocol
 * (sim_metrics_set_message_types), keys are 128-bit numbers.  Lookup rows are streamed to lookups.csv as they complete
 * (never held in memory); hop counts are kept exactly, latencies and
 * stretch in bounded-memory histograms (sim-hist.h).  Every file starts
 * with the same '#' metadata block.  Numbers are written with
 * g_ascii_formatd, so output does not depend on the locale.
 */
#pragma once

#include <stdio.h>

#include "sim-key.h"
#include "sim-time.h"

G_BEGIN_DECLS

typedef enum
{
  SIM_OUTCOME_OK,     /* delivered at the true root */
  SIM_OUTCOME_WRONG,  /* delivered at a node that is not the true root */
  SIM_OUTCOME_FAILED, /* dropped or given up */
} SimOutcome;

#define SIM_MAX_HOPS 64

/* What a message is for, as traffic accounting sees it: lookup traffic is
 * not maintenance; join traffic is maintenance that also counts towards
 * join_msgs_per_node. */
typedef enum
{
  SIM_TRAFFIC_LOOKUP,
  SIM_TRAFFIC_JOIN,
  SIM_TRAFFIC_MAINTENANCE,
} SimTraffic;

/* One message type of the protocol being simulated: a row of
 * messages.csv. */
typedef struct
{
  const char *name; /* borrowed: must outlive the collector */
  SimTraffic traffic;
  gboolean request; /* a request a repair sends (repair_requests_per_failure
                       counts these: the paper's "repair RPCs") */
} SimMsgTypeInfo;

/* Node life-cycle events counted in the timeline. */
typedef enum
{
  SIM_NODE_EVENT_JOIN,
  SIM_NODE_EVENT_LEAVE,
  SIM_NODE_EVENT_FAIL,
} SimNodeEvent;

typedef struct _SimMetrics SimMetrics;

/* Creates a collector. */
SimMetrics *sim_metrics_new (void);

/* From now on, writes one CSV row per lookup to f (borrowed), starting with
 * the header row. */
void sim_metrics_stream_lookups (SimMetrics *m, FILE *f);
void sim_metrics_free (SimMetrics *m);

/* Records a finished lookup.  direct is the one-way latency from the source
 * to the true root (0 when they are the same node: the stretch is then not
 * defined and not recorded).  route_ratio is the route latency divided by
 * the latency of the same lookup routed with complete global knowledge, or
 * a negative number when not measured.  detours counts hops given up on
 * a peer that never acknowledged (not in hops): mean_hops_tried counts
 * them too, as the paper's failure experiment did. */
void sim_metrics_lookup (SimMetrics *m, SimTime issued, guint32 src,
                         const SimKey *key, guint hops, guint detours,
                         SimTime latency,
                         SimTime direct, double route_ratio,
                         SimOutcome outcome, guint phase);

/* Declares n lookup phases (one per lookup action of the scenario, in
 * file order).  With two or more, the summary gains per-phase rows
 * phaseK_lookups, phaseK_ok_ratio, phaseK_wrong_ratio, phaseK_failed_ratio,
 * phaseK_mean_hops and phaseK_latency_mean_ms (K from 1), each over every
 * lookup of that action whatever the measure window. */
void sim_metrics_set_phases (SimMetrics *m, guint n);

/* Declares the protocol's message types (copied; the names are borrowed),
 * numbered from 0 in messages.csv's order.  Call once, before any
 * message is counted. */
void sim_metrics_set_message_types (SimMetrics *m,
                                    const SimMsgTypeInfo *types, guint n);
/* Restricts the summary to lookups issued in [from, to) and to messages
 * sent in [from, to) (the scenario's `measure` window).  The timeline and
 * lookups.csv always cover the whole run. */
void sim_metrics_set_window (SimMetrics *m, SimTime from, SimTime to);

/* Counts one message of type (an index into the declared types) of bytes
 * bytes, sent at now.  Repair messages (repair == TRUE) also count
 * towards repair_msgs_per_failure. */
void sim_metrics_message (SimMetrics *m, SimTime now, guint type,
                          guint bytes, gboolean repair);
/* Reports that the number of live nodes changed to live at now: the
 * collector integrates live nodes over time (node-seconds) for the
 * per-node rates. */
void sim_metrics_live (SimMetrics *m, SimTime now, guint live);

/* Counts a node join, leave or failure at now. */
void sim_metrics_node_event (SimMetrics *m, SimTime now, SimNodeEvent ev);

/* From now on, writes one timeline.csv row every interval to f (borrowed),
 * starting with the header row. */
void sim_metrics_stream_timeline (SimMetrics *m, FILE *f, SimTime interval);

/* From now on, writes one memory.csv row to f (borrowed) with every
 * timeline row: t_s,wall_s,rss_mb,peak_rss_mb,heap_mb — simulated time,
 * wall seconds since this call, resident memory now and at its peak, and
 * the bytes held from malloc (MB of 2^20 bytes).  Wall-clock class: the
 * figures vary between identical runs (sim-resources.h); the simulation
 * never reads them.  Each row first
 * hands the allocator's whole free pages back to the kernel
 * (sim_resources_trim), so that resident memory stays flat when the heap
 * does. */
void sim_metrics_stream_memory (SimMetrics *m, FILE *f);

/* Closes the timeline interval ending at now (call every interval, and
 * once at the end). */
void sim_metrics_timeline_tick (SimMetrics *m, SimTime now);

/* Counts a completed join, and the simulated time it took. */
void sim_metrics_join (SimMetrics *m, SimTime duration);

/* Sets a named summary value computed elsewhere (table quality, node
 * counts, run statistics).  Names keep their first-set order. */
void sim_metrics_set (SimMetrics *m, const char *name, double value);

/* Adds the line "# KEY: VALUE" to summary.csv only, after the metadata
 * block (for what is known only after the run, such as its fingerprint;
 * not a metric: never aggregated or compared). */
void sim_metrics_set_note (SimMetrics *m, const char *key,
                           const char *value);
/* Writes hops.csv, messages.csv and summary.csv into dir, each led by
 * meta (a block of '#' lines).  Returns FALSE with error on I/O failure. */
gboolean sim_metrics_write (const SimMetrics *m, const char *dir,
                            const char *meta, GError **error);

/* The value of a summary metric by name (after sim_metrics_finish), for
 * expectations.  Returns FALSE when there is no such metric. */
gboolean sim_metrics_get (const SimMetrics *m, const char *name,
                          double *value);

/* Computes the derived summary rows (ratios, quantiles, means).  Call once,
 * after the run, with the final simulated time. */
void sim_metrics_finish (SimMetrics *m, SimTime end);


G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimMetrics, sim_metrics_free)

G_END_DECLS
