/* sim-metrics.h — what a run measures, and the CSV files it writes.
 *
 * World layer.  Lookup rows are streamed to lookups.csv as they complete
 * (never held in memory); hop counts are kept exactly, latencies and
 * stretch in bounded-memory histograms (sim-hist.h).  Every file starts
 * with the same '#' metadata block.  Numbers are written with
 * g_ascii_formatd, so output does not depend on the locale.
 */
#pragma once

#include <stdio.h>

#include "pastry-id.h"
#include "sim-time.h"

G_BEGIN_DECLS

typedef enum
{
  SIM_OUTCOME_OK,     /* delivered at the true root */
  SIM_OUTCOME_WRONG,  /* delivered at a node that is not the true root */
  SIM_OUTCOME_FAILED, /* dropped or given up */
} SimOutcome;

#define SIM_MAX_HOPS 64

/* Message types, for messages.csv and the byte-size model. */
typedef enum
{
  SIM_MSG_LOOKUP,
  SIM_MSG_JOIN_REQUEST, /* joiner -> bootstrap */
  SIM_MSG_JOIN,         /* routed toward the joiner's id */
  SIM_MSG_JOIN_REPLY,   /* state from a node on the join path */
  SIM_MSG_ROW_REQUEST,  /* second join stage: ask a row */
  SIM_MSG_ROW_REPLY,
  SIM_MSG_ANNOUNCE,     /* the new node's arrival */
  SIM_MSG_LEAFSET_PUSH, /* a leaf set sent back to a newly announced node */
  SIM_MSG_LOOKUP_ACK,   /* per-hop acknowledgement of a lookup */
  SIM_MSG_HEARTBEAT,    /* leaf-set keep-alive to the left neighbour */
  SIM_MSG_PROBE,        /* liveness probe of a table entry or suspect */
  SIM_MSG_PROBE_REPLY,
  SIM_MSG_LEAFSET_REQUEST, /* leaf-set repair: ask for a leaf set */
  SIM_MSG_LEAFSET_REPLY,
  SIM_MSG_LEAFSET_UPDATE,  /* a repaired leaf set, naming the dead node */
  SIM_MSG_ENTRY_REQUEST,   /* table repair: ask for one slot's entry */
  SIM_MSG_ENTRY_REPLY,
  SIM_MSG_LEAVE,           /* graceful departure, with the leaf set */
  SIM_MSG_N_TYPES
} SimMsgType;

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
 * a negative number when not measured. */
void sim_metrics_lookup (SimMetrics *m, SimTime issued, guint32 src,
                         const PastryId *key, guint hops, SimTime latency,
                         SimTime direct, double route_ratio,
                         SimOutcome outcome, guint phase);

/* Declares n lookup phases (one per lookup action of the scenario, in
 * file order).  With two or more, the summary gains per-phase rows
 * phaseK_lookups, phaseK_ok_ratio, phaseK_wrong_ratio, phaseK_failed_ratio,
 * phaseK_mean_hops and phaseK_latency_mean_ms (K from 1), each over every
 * lookup of that action whatever the measure window. */
void sim_metrics_set_phases (SimMetrics *m, guint n);

/* Sets the byte-size model: every message costs header bytes plus
 * per_id bytes for each node id it carries (defaults 40 and 20). */
void sim_metrics_set_sizes (SimMetrics *m, guint header, guint per_id);

/* Restricts the summary to lookups issued in [from, to) and to messages
 * sent in [from, to) (the scenario's `measure` window).  The timeline and
 * lookups.csv always cover the whole run. */
void sim_metrics_set_window (SimMetrics *m, SimTime from, SimTime to);

/* Counts one message of type carrying n_ids ids, sent at now.  Repair
 * messages (repair == TRUE) also count towards repair_msgs_per_failure. */
void sim_metrics_message (SimMetrics *m, SimTime now, SimMsgType type,
                          guint n_ids, gboolean repair);

/* TRUE for message types that are overlay maintenance rather than lookup
 * traffic (everything but lookups and their acknowledgements). */
gboolean sim_msg_is_maintenance (SimMsgType type);

/* Reports that the number of live nodes changed to live at now: the
 * collector integrates live nodes over time (node-seconds) for the
 * per-node rates. */
void sim_metrics_live (SimMetrics *m, SimTime now, guint live);

/* Counts a node join, leave or failure at now. */
void sim_metrics_node_event (SimMetrics *m, SimTime now, SimNodeEvent ev);

/* From now on, writes one timeline.csv row every interval to f (borrowed),
 * starting with the header row. */
void sim_metrics_stream_timeline (SimMetrics *m, FILE *f, SimTime interval);

/* Closes the timeline interval ending at now (call every interval, and
 * once at the end). */
void sim_metrics_timeline_tick (SimMetrics *m, SimTime now);

/* Counts a completed join, and the simulated time it took. */
void sim_metrics_join (SimMetrics *m, SimTime duration);

/* Sets a named summary value computed elsewhere (table quality, node
 * counts, run statistics).  Names keep their first-set order. */
void sim_metrics_set (SimMetrics *m, const char *name, double value);

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

const char *sim_msg_type_name (SimMsgType type);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimMetrics, sim_metrics_free)

G_END_DECLS
