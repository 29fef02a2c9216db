/* sim-driver.h — the driver: runs a scenario against an overlay protocol
 * it sees only through a SimProtocol table (sim-protocol.h).
 *
 * It owns the event queue and its loop, the scenario's action generators
 * (at once, uniform, Poisson, sequential, per node), victim selection,
 * churn sessions, trace replay, the workload's random streams (common
 * random numbers: the sources and keys of lookups, the ids of new nodes),
 * the timeline, stall detection and fingerprints, and the node life
 * cycle: an id, a state and an incarnation per node index, the list of
 * nodes down and the live-id oracle over them (sim-oracle.h).  The driver
 * is the only writer of the life cycle; the protocol reads it and asks
 * for the one change it decides, a join's completion
 * (sim_driver_node_live).  Nothing here knows Pastry.
 *
 * Driver layer: sees the engine, the network models, the scenario
 * language and the metrics; never core/ or a protocol adapter.
 */
#pragma once

#include "sim-metrics.h"
#include "sim-oracle.h"
#include "sim-protocol.h"
#include "sim-queue.h"
#include "sim-scenario.h"

G_BEGIN_DECLS

/* A node's life cycle, stored as a guint8 per node index. */
typedef enum
{
  SIM_NODE_JOINING, /* created, join in progress: not yet a lookup target */
  SIM_NODE_LIVE,    /* joined (or built): in the protocol's live oracle */
  SIM_NODE_DOWN,    /* failed or left; may rejoin */
} SimNodeState;

/* A node's state and incarnation in the driver's arrays
 * (sim_driver_states, sim_driver_incarnations); inline: read on every
 * protocol event. */
static inline SimNodeState
sim_node_state (const GArray *states, guint32 x)
{
  return (SimNodeState) g_array_index (states, guint8, x);
}

static inline guint32
sim_node_incarnation (const GArray *incarnations, guint32 x)
{
  return g_array_index (incarnations, guint32, x);
}

/* TRUE when a node timer event (b = incarnation << 32 | low, as
 * sim_driver_timer() pushes it) belongs to x's current life and x is
 * live: a timer of an earlier life is stale. */
static inline gboolean
sim_node_timer_current (const GArray *states, const GArray *incarnations,
                        guint32 x, guint64 b)
{
  return sim_node_state (states, x) == SIM_NODE_LIVE
         && (guint32) (b >> 32) == sim_node_incarnation (incarnations, x);
}

typedef struct _SimDriver SimDriver;

/* Creates a driver for sc (borrowed; must outlive it), reporting to
 * metrics (borrowed) and driving proto (static) over its state self
 * (borrowed).  Sets the metrics' measure window and lookup phases. */
SimDriver *sim_driver_new (const SimScenario *sc, SimMetrics *metrics,
                           const SimProtocol *proto, gpointer self);
void sim_driver_free (SimDriver *d);

/* Runs every action of the scenario to quiescence (every action done, no
 * lookup or join in flight by proto->inflight), then stores the summary
 * rows (the driver's, proto->summary, proto->measure) and finishes the
 * metrics.  progress: a progress line on stderr about once a second.
 * *cancel (may be NULL) is polled; when it becomes nonzero the run stops
 * early and returns FALSE. */
gboolean sim_driver_run (SimDriver *d, gboolean progress, volatile int *cancel);

/* The event queue (owned by the driver): the protocol pushes its own
 * events here, of kinds the driver leaves free. */
SimQueue *sim_driver_queue (SimDriver *d);

/* The life cycle, read-only (owned by the driver, the only writer; the
 * pointers stay valid for its lifetime), by node index: guint8
 * SimNodeState, guint32 incarnation, and the guint32 indices of the nodes
 * down, in the order they went down.  Read with sim_node_state() and
 * sim_node_incarnation(). */
const GArray *sim_driver_states (const SimDriver *d);
const GArray *sim_driver_incarnations (const SimDriver *d);
const GArray *sim_driver_down (const SimDriver *d);

/* The live-id oracle (sim-oracle.h; owned by the driver): the nodes whose
 * state is SIM_NODE_LIVE, by id. */
const SimOracle *sim_driver_oracle (const SimDriver *d);

/* The id node x was created with (borrowed; valid until the next node is
 * created). */
const SimKey *sim_driver_node_id (const SimDriver *d, guint32 x);

/* Registers a node the protocol creates outside the driver's actions (a
 * `build`): state SIM_NODE_JOINING or SIM_NODE_LIVE (then in the oracle at
 * once; its per-node lookups are not caught up), incarnation 0, id (not
 * the id of a live node).  Returns its index: the next one, the number of
 * nodes registered before it. */
guint32 sim_driver_node_add (SimDriver *d, const SimKey *id,
                             SimNodeState state);

/* Pushes a node timer of kind for x at `at`, with x's incarnation in the
 * high half of b and low in the low half (see sim_node_timer_current). */
void sim_driver_timer (SimDriver *d, SimTime at, guint kind, guint32 x,
                       guint32 low);

/* Node x (SIM_NODE_JOINING) completed its join: the driver makes it
 * SIM_NODE_LIVE, adds it to the oracle and the live count, and issues the
 * per-node lookups due since its session started.  (The driver itself
 * takes a node down: after the protocol's fail() or leave().) */
void sim_driver_node_live (SimDriver *d, guint32 x);

/* A join of action (G_MAXUINT: none) completed: the next sequential join
 * of that action starts now. */
void sim_driver_join_done (SimDriver *d, guint action);

/* Event fingerprints: with on, sim_driver_run() chains every executed
 * event (time, kind, node, and the protocol's tag) into a 64-bit hash
 * that sim_driver_fingerprint() returns afterwards. */
void sim_driver_set_fingerprint (SimDriver *d, gboolean on);
guint64 sim_driver_fingerprint (const SimDriver *d);

/* Simulated time now (of the last event run). */
static inline SimTime
sim_driver_now (SimDriver *d)
{
  return sim_queue_now (sim_driver_queue (d));
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimDriver, sim_driver_free)

G_END_DECLS
