/* sim-protocol.h — what the driver sees of an overlay protocol: a table of
 * functions and an opaque state, as ROSS's engine sees a model only
 * through tw_lptype and OverSim's simulation sees an overlay only through
 * BaseOverlay.
 *
 * The driver owns time, the event queue and its loop, the scenario's
 * action generators, churn, trace replay, the random streams of the
 * workload (common random numbers: lookup sources and keys, node ids),
 * the node life cycle and the live-id oracle, the timeline, stall
 * detection and fingerprints.  The protocol owns its nodes' state, its
 * messages and timers and their events, and its measurements.  Nodes are
 * named by a dense index (0, 1, ... in creation order), the same index
 * the network model uses for positions, and carry a 128-bit id
 * (sim-key.h) the oracle judges lookups by.
 *
 * Event kinds: the driver's own kinds are listed in SimDriverEventKind;
 * every other kind the queue holds belongs to the protocol and is handed
 * to its event() unread.  Kinds are part of the fingerprint, so their
 * values never change.
 *
 * Invariant: the driver calls into the protocol only through this table;
 * a second protocol (a Chord or Kademlia baseline) is a second table, not
 * a fork of the driver.
 */
#pragma once

#include "sim-metrics.h"
#include "sim-queue.h"
#include "sim-rng.h"
#include "sim-scenario.h"
#include "sim-stats.h"

G_BEGIN_DECLS

/* The driver's event kinds (a, b as noted).  The protocol's kinds take
 * the values left free (2 to 6 and 11 to 13 for Pastry). */
typedef enum
{
  SIM_EV_ACTION = 1,      /* a = generator index, b = 1: a workload ended */
  SIM_EV_NODE_LOOKUP = 7, /* a = node, b = incarnation << 32 | generator */
  SIM_EV_CHURN = 8,       /* a = churn slot, b = generator */
  SIM_EV_TRACE = 9,       /* a = trace row, b = generator << 1 | leave */
  SIM_EV_TIMELINE = 10,   /* periodic timeline row */
} SimDriverEventKind;

/* The first kind value no protocol uses: the driver may size per-kind
 * tables with it. */
#define SIM_EV_KINDS 16

/* One overlay protocol.  Every function receives the protocol's state
 * `self` first.  Node indices are the driver's (node_create()). */
typedef struct
{
  const char *name; /* "pastry" */

  /* ---- Nodes ---- */

  /* Creates the protocol's node x (the index the driver gave it: the next
   * one) with id, at a fresh network position drawn from *topology (the
   * creating action's stream, lent for the call).  The driver has
   * registered x (SIM_NODE_JOINING) and drawn a fresh id, or taken a
   * trace's. */
  void (*node_create) (gpointer self, guint32 x, const SimKey *id,
                       SimRng *topology);
  /* Gives down node x fresh state for a rejoin under the same id. */
  void (*node_renew) (gpointer self, guint32 x);
  /* Starts x's join (new, or rejoining); action: the scenario action to
   * report the completion to (G_MAXUINT: none). */
  void (*join_start) (gpointer self, guint32 x, guint action);
  /* Silent crash / graceful leave of x (live or joining): the protocol
   * sends what a leaving node sends and drops x's state.  The driver then
   * takes x down (SIM_NODE_DOWN, next incarnation, out of the oracle). */
  void (*fail) (gpointer self, guint32 x);
  void (*leave) (gpointer self, guint32 x);

  /* ---- Workload ---- */

  /* Starts a lookup for key from src, due at `due` (<= now: a per-node
   * lookup that waited for its node's join), for the lookup action whose
   * index among the lookup actions is phase.  The driver drew src and key
   * (sim-driver.c, "Random streams"); src may have gone down while
   * joining (the protocol ends the lookup as failed then). */
  void (*lookup_start) (gpointer self, guint32 src, const SimKey *key,
                        SimTime due, guint phase);
  /* The `build` action g: creates a->count nodes (ids from *ids, positions
   * from *topology), registers each with sim_driver_node_add() (live at
   * once) and gives them state from global knowledge. */
  void (*build) (gpointer self, const SimAction *a, guint g, SimRng *ids,
                 SimRng *topology);
  /* Called once before the first unit of the first lookup action runs
   * (the protocol may build a reference overlay then). */
  void (*lookups_begin) (gpointer self);

  /* ---- What the driver asks ---- */

  /* Lookups and joins in progress (the run ends when none is and every
   * action is done).  Called once per event. */
  guint (*inflight) (gpointer self);
  /* Lookups ended so far (for the progress line). */
  guint64 (*lookups_ended) (gpointer self);
  /* How long a lookup may take before it fails: the driver declares a
   * stall after four times this (ten minutes at least) without progress. */
  SimTime (*lookup_timeout) (gpointer self);

  /* ---- Events ---- */

  /* Runs one of the protocol's events. */
  void (*event) (gpointer self, const SimEvent *ev);
  /* The word a protocol event adds to the fingerprint beside its time,
   * kind and a (a message type, say); 0 for none. */
  guint64 (*event_tag) (gpointer self, const SimEvent *ev);

  /* ---- End of run ---- */

  /* Ends every lookup still in flight as failed (the run stopped).
   * Returns how many it ended. */
  guint64 (*abandon) (gpointer self);
  /* Stores the protocol's summary counts in the metrics (lookups started
   * and ended, why lookups failed, joins left incomplete), after the
   * driver's "nodes" row. */
  void (*summary) (gpointer self);
  /* Measures what costs time at the end (routing-table quality, memory
   * per node) and stores it in the metrics, after the driver's rows. */
  void (*measure) (gpointer self);
} SimProtocol;

G_END_DECLS
