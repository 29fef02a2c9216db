/* sim-world-private.h — the world's layout, shared by sim-world.c (events
 * and protocol) and sim-world-build.c (instant builds from global
 * knowledge, table-quality measurement). */
#pragma once

#include "pastry-node.h"
#include "sim-net.h"
#include "sim-queue.h"
#include "sim-ring.h"
#include "sim-rng.h"
#include "sim-world.h"

/* Node life cycle. */
typedef enum
{
  NODE_JOINING, /* created, join in progress: not yet a lookup target */
  NODE_LIVE,    /* joined (or built): in the oracle */
} NodeState;

/* Per-joiner bookkeeping, freed when the join completes. */
typedef struct
{
  SimTime started;
  guint replies;      /* JOIN_REPLY messages received */
  guint expected;     /* path length, known once the root replied (0 before) */
  guint outstanding;  /* second-stage ROW_REQUESTs not yet answered */
  gboolean stage2;    /* second stage started */
  guint action;       /* index of the scenario action, for sequential joins */
} JoinState;

/* A message in flight (other than lookups, which travel as their own
 * record).  Entries are owned. */
typedef struct
{
  guint8 type; /* SimMsgType */
  guint8 hops;
  guint8 row;
  guint8 flags;
  guint32 from;
  guint32 joiner;
  guint32 n_entries;
  PastryEntry *entries;
} Msg;

#define MSG_FLAG_ROOT 1u       /* JOIN_REPLY from the root: holds leaf set */
#define MSG_FLAG_BOOTSTRAP 2u  /* JOIN_REPLY from the bootstrap: neighbours */

typedef struct
{
  PastryId key;
  SimTime issued;
  guint32 src;
  guint16 hops;
} Lookup;

/* A scenario action's generator. */
typedef struct
{
  const SimAction *action;
  guint64 done;     /* units issued */
  SimTime last;     /* time of the previous unit (uniform spread) */
} ActionGen;

struct _SimWorld
{
  const SimScenario *sc;
  SimMetrics *metrics;
  PastryConfig cfg;
  PastryDirectory *dir;
  GPtrArray *nodes;  /* PastryNode * by index */
  GArray *state;     /* guint8 NodeState by index */
  GPtrArray *joins;  /* JoinState * by index, NULL when not joining */
  SimRing *live;
  SimNet *net;
  SimQueue *q;
  SimRng rng_ids, rng_topology, rng_workload, rng_protocol, rng_network;

  GArray *msgs;       /* Msg pool */
  GArray *msg_free;   /* guint32 free slots */
  GArray *lookups;    /* Lookup pool */
  GArray *lookup_free;

  ActionGen *gens;
  guint n_gens;

  /* Parameters read once. */
  gboolean join_refine;
  guint bootstrap_sample;
  guint build_sample;
  gboolean ideal_compare;
  guint ideal_sample;
  guint quality_sample;

  /* The shadow overlay with complete global knowledge (ideal_compare). */
  PastryNode **ideal;
  guint n_ideal;

  guint64 events;
  guint64 lookups_started, lookups_done;
  guint64 joins_started;
  SimTime end_hint;  /* latest time any action is scheduled to act */
};

/* Builds ideal state from global knowledge for every live node (clearing
 * what they had), choosing each routing-table slot as the closest of at
 * most sample candidates (all of them when sample is 0).  Used by the
 * `build` action and, with the exact setting, for the shadow overlay. */
void sim__world_build_ideal (SimWorld *w, PastryNode **nodes, guint sample,
                             SimRng *rng);

/* Measures routing-table quality (the paper's Fig. 7) over a sample of
 * live nodes and stores per-row means in the metrics. */
void sim__world_measure_tables (SimWorld *w);

/* Latency of key's route from src over the shadow overlay. */
SimTime sim__world_ideal_route (SimWorld *w, guint32 src,
                                const PastryId *key);

static inline SimTime
sim__world_latency (const SimWorld *w, guint32 a, guint32 b)
{
  return sim_net_latency (w->net, a, b);
}

static inline guint32
sim__world_prox (const SimWorld *w, guint32 a, guint32 b)
{
  SimTime t = sim_net_proximity (w->net, a, b);
  return t >= PASTRY_PROX_UNKNOWN ? PASTRY_PROX_UNKNOWN - 1 : (guint32) t;
}
