/* sim-world.h — the simulated overlay: virtual Pastry nodes driven by a
 * scenario (through the driver, sim/driver/sim-driver.h) over an event
 * queue and a network model.
 *
 * Pastry adapter layer (sim/pastry): the only part of pastrysim that sees
 * both the routing core (core/) and the driver.  Time is SimTime,
 * microseconds.
 */
#pragma once

#include "sim-metrics.h"
#include "sim-scenario.h"

G_BEGIN_DECLS

#define SIM_WORLD_ERROR (sim_world_error_quark ())

typedef enum
{
  SIM_WORLD_ERROR_CONFIG,  /* inconsistent parameters */
  SIM_WORLD_ERROR_NETWORK, /* the latency model could not be built */
} SimWorldError;

GQuark sim_world_error_quark (void);

typedef struct _SimWorld SimWorld;

/* Creates the world for sc (borrowed; must outlive the world): builds the
 * network model (loading any latency file) and empty overlay.  metrics
 * (borrowed) receives every measurement.  Returns NULL with error set when
 * a parameter or file is bad; error messages are complete user messages. */
SimWorld *sim_world_new (const SimScenario *sc, SimMetrics *metrics,
                         GError **error);
void sim_world_free (SimWorld *w);

/* Runs every action of the scenario to quiescence, then computes the
 * summary (sim_metrics_finish).  progress: when TRUE,
 * a progress line is redrawn on stderr about once a second.  *cancel (may be
 * NULL) is polled; when it becomes nonzero the run stops early and returns
 * FALSE. */
gboolean sim_world_run (SimWorld *w, gboolean progress,
                        volatile int *cancel);

/* Testing: checks that every live node's leaf set holds exactly its true
 * L/2 ring neighbours on each side (from the oracle).  Returns the number
 * of live nodes whose leaf set differs, and writes a description of the
 * first one into *first (may be NULL; free with g_free). */
guint sim_world_check_leafsets (const SimWorld *w, char **first);

/* When a node last declared a live node dead (lost probes or replies),
 * in simulated time; G_MAXUINT64 if never.  Until the refutation has
 * spread (a round trip or two), leaf sets legitimately miss that node. */
guint64 sim_world_last_false_death (const SimWorld *w);

/* Simulated time now (of the last event run). */
guint64 sim_world_now (const SimWorld *w);

/* Testing: the number of live nodes. */
guint sim_world_n_live (const SimWorld *w);

/* Sets how many threads instant builds (`build`, and the shadow overlay of
 * ideal_compare) use; 0 means 1, the default.  Outputs do not depend on
 * it: every node's state and every random stream end up byte-identical
 * whatever the count.  Call before sim_world_run. */
void sim_world_set_threads (SimWorld *w, guint threads);

/* Testing: appends a canonical text form of every node's state to out
 * (one line per node, by index: leaf set sides, routing-table entries with
 * their proximity codes, neighbourhood set), then the shadow overlay's if
 * there is one, then the protocol stream's state.  Two worlds that print
 * the same text hold the same overlay.  O(total state); out is borrowed. */
void sim_world_dump_nodes (const SimWorld *w, GString *out);

/* The part of a scenario an estimate holds responsible: the action or
 * parameter assignment that contributes most. */
typedef struct
{
  const char *file; /* the scenario's display name, or "--set" for an
                       override; borrowed from the scenario */
  guint line, col;  /* 1-based; 0 when no line is responsible */
  const char *what; /* static: "nodes", "lookups", "heartbeats", ... */
} SimWorldBlame;

/* An upper estimate of the memory a run of sc needs, from its node counts
 * (joins, builds, churn populations, trace nodes, rejoins with new ids)
 * at about 1.5 KB per node plus a fixed 64 MB; *nodes receives the node
 * count and *blame the action that adds the most nodes (both may be
 * NULL).  Computed before anything is allocated, so that an absurd
 * request fails with a message instead of an out-of-memory kill. */
guint64 sim_world_estimate_bytes (const SimScenario *sc, guint64 *nodes,
                                  SimWorldBlame *blame);

/* An upper-ish estimate of the number of events a run of sc processes
 * (its formula is at its definition, in sim-world.c), from the scenario
 * alone at no cost: lookups, joins, failures, churn sessions, trace rows,
 * maintenance periods x nodes x duration, timeline rows.  *blame (may be
 * NULL) receives the largest contributor.  Saturates at G_MAXUINT64. */
guint64 sim_world_estimate_events (const SimScenario *sc,
                                   SimWorldBlame *blame);

/* A one-line description of the network model (for metadata). */
char *sim_world_describe_network (const SimWorld *w);

/* Event fingerprints: with on, sim_world_run() chains every executed
 * event (time, kind, node, message type, in execution order) into a 64-bit
 * hash that sim_world_fingerprint() returns afterwards.  Two runs with the
 * same fingerprint executed the same events; a change of behaviour that
 * leaves every summary figure equal still changes it.  Off by default (a
 * predictable branch per event). */
void sim_world_set_fingerprint (SimWorld *w, gboolean on);
guint64 sim_world_fingerprint (const SimWorld *w);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimWorld, sim_world_free)

G_END_DECLS
