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
  SIM_MSG_N_TYPES
} SimMsgType;

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
                         SimOutcome outcome);

/* Counts one message of type carrying n_ids ids (for the byte model). */
void sim_metrics_message (SimMetrics *m, SimMsgType type, guint n_ids);

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
 * after the run. */
void sim_metrics_finish (SimMetrics *m);

/* Bytes of a message of type with n_ids ids in the size model. */
guint sim_msg_bytes (SimMsgType type, guint n_ids);
const char *sim_msg_type_name (SimMsgType type);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimMetrics, sim_metrics_free)

G_END_DECLS
