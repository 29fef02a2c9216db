/* sim-live-host.h — Pastry nodes hosted in this process on real UDP
 * sockets: the live counterpart of the simulator's adapters
 * (sim/pastry/sim-pastry-{join,maint,lookup}.c).
 *
 * Each hosted node has its PastryNode, its PastryMaint, while joining its
 * PastryJoin, and its own UDP socket (sim-live-udp.h); timers run on the
 * monotonic clock (sim-live-loop.h).  Every core call's outbox is carried
 * out before the call returns, item by item: SEND → wire-encode
 * (pastry-wire.h) → sim_live_udp_send(), delayed and dropped by the
 * scenario's latency model when emulating; TIMER → a loop timer stamped
 * with the node's incarnation; UPCALL → the node's life cycle.
 *
 * What the simulator gets from its event queue, a real transport must do
 * with timers: a request (PROBE, LEAFSET_REQUEST, ENTRY_REQUEST,
 * ROW_REQUEST) carries a fresh 64-bit wire tag; the host echoes the tag
 * on the reply its receiver's outbox sends back to the requester, and a
 * reply with a pending tag cancels the request's probe_timeout timer.  A
 * timer that fires hands the request to pastry_maint_unanswered() (and,
 * for a ROW_REQUEST, pastry_join_missed()).  With maintenance on, JOINs
 * are acknowledged hop by hop (PastryJoinConfig.acked, as `run` without
 * oracle hints), and so is a joiner's ANNOUNCE to a leaf-set member: the
 * sender tags it, its receiver answers with a LOOKUP_ACK echoing the tag
 * (about none), and silence for probe_timeout hands the message to
 * pastry_join_bounced() (the JOIN goes around the silent node) or
 * pastry_maint_unanswered() (the member is suspected).
 *
 * Lookups: a LOOKUP datagram's tag is (lookup number << 24 | hop number);
 * its receiver answers with a LOOKUP_ACK carrying the tag, then forwards
 * or delivers.  The sender keeps the hop (the PastryLookup as it sent it)
 * until the ack or its hop timer, which calls pastry_lookup_hop_timeout().
 * A lookup is judged where it is delivered, against the process's own
 * oracle: the node numerically closest to the key among the live hosted
 * nodes and the remote peers the process knows and has not declared
 * dead.  A lookup of another process (tags carry a 16-bit nonce of the
 * process that started it) delivered here is reported to its source in
 * a LOOKUP_ACK whose `about` is the delivering node; one that fails here
 * is reported the same way, flagged PASTRY_WIRE_FLAG_FAILED.  The source
 * also ends a lookup as failed lookup_timeout + 1 s after issuing it
 * (its holder died, or the report was lost).
 *
 * Peers: one PastryDirectory for the process (hosted nodes and remote
 * peers alike); beside it, each handle's wire address.  Decoding interns
 * (id, address) pairs and refuses new ones beyond SIM_LIVE_HOST_MAX_PEERS.
 *
 * Invariants: a node's socket is open exactly while it is joining or live
 * (a leaving node keeps it for its LEAVEs to leave, then closes); a timer
 * or a pending request or hop of a node whose incarnation has changed is
 * ignored when it fires; every lookup started is finished exactly once
 * (delivered, failed, or abandoned at the end).
 */
#pragma once

#include <gio/gio.h>

#include "pastry-id.h"
#include "sim-live-loop.h"
#include "sim-metrics.h"
#include "sim-net.h"
#include "sim-rng.h"

G_BEGIN_DECLS

/* Peers the book holds at most (hosted nodes included). */
#define SIM_LIVE_HOST_MAX_PEERS 65536

typedef struct _SimLiveHost SimLiveHost;

/* The protocol parameters, read from a scenario by the caller. */
typedef struct
{
  guint b, leaf_size, neigh_size;
  gboolean maintain, repair_leaf, repair_table, join_refine, announce_state;
  SimTime heartbeat_period, heartbeat_timeout, probe_period, probe_timeout;
  guint probe_retries, hop_retries;
  guint strategy; /* maintenance_strategy: a PastryMaintStrategy */
  SimTime lookup_timeout;
  SimTime min_hop_timeout;     /* floor of the per-hop timeout */
  SimTime hop_timeout;         /* fixed per-hop timeout; 0: RTT-based */
  guint replicas;              /* delivery at any of the k closest (>= 1) */
  gboolean consistent_routing; /* PastryLookupConfig.consistent */
  guint64 seed;
} SimLiveHostConfig;

/* Counters of the host (summary rows). */
typedef struct
{
  guint64 bad_datagrams;  /* failed to decode */
  guint64 emulated_lost;  /* dropped by the emulated loss */
  guint64 encode_errors;  /* messages that could not be encoded */
  guint64 split_messages; /* too big: first entries sent ahead in pushes */
  guint64 lookups_started, lookups_ok, lookups_wrong, lookups_failed;
  guint64 declared_dead, refutations;
  guint64 lookups_remote;        /* delivered at a node of another process */
  guint64 lookups_failed_remote; /* ours, reported failed by another */
  guint64 lookups_expired;       /* ours, failed at the source's deadline */
  guint64 failures_reported;     /* others', failed here and reported */
  guint64 acks_missed;           /* JOIN / ANNOUNCE hops unacknowledged */
} SimLiveHostStats;

/* A host on loop, bound to bind (an IP address), its node i on port
 * port_base + i (port_base 0: ports the kernel picks).  net (borrowed,
 * may be NULL) emulates latency and loss between hosted nodes; metrics
 * (borrowed) gets every measurement.  (transfer full) */
SimLiveHost *sim_live_host_new (const SimLiveHostConfig *cfg, SimLiveLoop *loop,
                                const char *bind, guint16 port_base,
                                SimNet *net, SimMetrics *metrics,
                                GError **error);
void sim_live_host_free (SimLiveHost *h);

/* A new hosted node (not started): its index, from 0.  Its id is id
 * (NULL, or an id already in the book: a fresh one from *rng_ids), its
 * position in the latency model drawn from *rng_topology. */
guint32 sim_live_host_add_node (SimLiveHost *h, const PastryId *id,
                                SimRng *rng_ids, SimRng *rng_topology);
guint sim_live_host_n_nodes (const SimLiveHost *h);

/* Opens node i's socket (bound to the host's address, port port_base + i)
 * and starts its join through the nearest live hosted node (none: alone,
 * it joins at once).  Fails with the socket's error. */
gboolean sim_live_host_join (SimLiveHost *h, guint32 i, GError **error);
/* Joins with no live hosted node go through addr, a node of another
 * process whose id is not known: its JOIN_REQUEST goes to the id 0,
 * which the receiving host takes as "whoever listens on this port".
 * FALSE when addr is not a valid peer address (0.0.0.0, port 0). */
gboolean sim_live_host_set_bootstrap (SimLiveHost *h, GInetSocketAddress *addr);
/* Peers with an address in the book (hosted nodes included). */
guint sim_live_host_n_peers (const SimLiveHost *h);

/* Crash: the socket closes, the state is dropped. */
void sim_live_host_fail (SimLiveHost *h, guint32 i);
/* Graceful: LEAVE to the leaf set, then as fail once they have left. */
void sim_live_host_leave (SimLiveHost *h, guint32 i);

/* What the schedule hears of its nodes (sim-live-schedule.h): live, when
 * a node's join completed and it became live; join_done, when its join
 * is over.  Called from inside the host: they must not call into it
 * (arm a loop event instead).  Either may be NULL. */
typedef struct
{
  void (*live) (gpointer data, guint32 i);
  void (*join_done) (gpointer data, guint32 i);
} SimLiveHostHooks;

void sim_live_host_set_hooks (SimLiveHost *h, const SimLiveHostHooks *hooks,
                              gpointer data);

/* TRUE while node i is joining or live. */
gboolean sim_live_host_in_session (const SimLiveHost *h, guint32 i);
/* Lives of node i ended so far. */
guint32 sim_live_host_incarnation (const SimLiveHost *h, guint32 i);

/* Live hosted nodes (the oracle) and the n-th of them in index order. */
guint sim_live_host_n_live (const SimLiveHost *h);
guint32 sim_live_host_nth_live (const SimLiveHost *h, guint n);
gboolean sim_live_host_is_live (const SimLiveHost *h, guint32 i);
const PastryId *sim_live_host_id (const SimLiveHost *h, guint32 i);
/* Node i's bound address, NULL when its socket is closed.
 * (transfer none) */
GInetSocketAddress *sim_live_host_address (const SimLiveHost *h, guint32 i);

/* Starts a lookup for key at live node src (due: when it was scheduled,
 * for lookups.csv; phase: its lookup action). */
void sim_live_host_lookup (SimLiveHost *h, guint32 src, const PastryId *key,
                           SimTime due, guint phase);
/* Lookups in flight. */
guint sim_live_host_inflight (const SimLiveHost *h);
/* Ends every lookup still in flight as failed (the end of a run). */
void sim_live_host_abandon (SimLiveHost *h);

SimLiveHostStats sim_live_host_stats (const SimLiveHost *h);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimLiveHost, sim_live_host_free)

G_END_DECLS
