/* sim-pastry-private.h — the world's layout, shared by its files:
 *
 *   sim-world.c        construction, estimates, testing hooks (the event
 *                      loop and scenario actions are the driver's:
 *                      sim/driver/sim-driver.c)
 *   sim-pastry-join.c   adapter of core's join protocol (pastry-join)
 *   sim-pastry-lookup.c lookups: forwarding, acknowledgements, timeouts
 *   sim-pastry-maint.c  adapter of core's maintenance protocol
 *                      (pastry-maint): calls into core and their outboxes;
 *                      failures and leaves
 *   sim-pastry-build.c  state from global knowledge, table quality
 *   sim-pastry.c       the SimProtocol table (sim-protocol.h) the driver
 *                      calls; the message pool and send path; node
 *                      timers and the calls back into the driver
 *
 * The driver (sim/driver/sim-driver.c) owns the event queue, the node
 * life cycle (id, state, incarnation, down list) and the live-id oracle;
 * the world keeps their addresses (q; state, incarn and live, read-only)
 * and asks the driver for the one change it decides: a join completed
 * (sim_driver_node_live, in sim__world_set_live).  The driver takes a
 * node down after the world's fail or leave has dropped its state.
 *
 * Invariants:
 *  - node index == driver index == directory handle == network node
 *    index, and the directory's id is the driver's (sim__world_key);
 *  - a node's JoinState and NodeMaint are freed when it goes down;
 *  - a timer event carries the incarnation of its node in the high half of
 *    b; a node's incarnation changes whenever it goes down or rejoins, so
 *    stale timers are recognised and dropped;
 *  - every pooled message or lookup is referenced by at most one pending
 *    event; lookups carry a generation so a stale event is dropped.
 */
#pragma once

#include "pastry-fd.h"
#include "pastry-join.h"
#include "pastry-lookup.h"
#include "pastry-maint.h"
#include "pastry-msg.h"
#include "pastry-node.h"
#include "sim-driver.h"
#include "sim-hist.h"
#include "sim-link.h"
#include "sim-net.h"
#include "sim-protocol.h"
#include "sim-queue.h"
#include "sim-rng.h"
#include "sim-world.h"

/* Node life cycle: the driver's (sim-driver.h), under the names the
 * adapter's files use. */
typedef SimNodeState NodeState;
#define NODE_JOINING SIM_NODE_JOINING
#define NODE_LIVE SIM_NODE_LIVE
#define NODE_DOWN SIM_NODE_DOWN

/* Event kinds: the driver's (sim-protocol.h), and Pastry's in the values
 * it leaves free (handled in sim-pastry.c). */
enum
{
  EV_ACTION = SIM_EV_ACTION, /* a = generator index */
  EV_MSG = 2,                /* a = destination node, b = message slot */
  EV_LOOKUP = 3,      /* a = node the lookup arrives at, b = slot | gen << 32 */
  EV_HOP_TIMEOUT = 4, /* a = sender, b = slot | gen << 32 */
  EV_HEARTBEAT = 5,   /* a = node, b = incarnation << 32 */
  EV_PROBE_ROUND = 6, /* a = node, b = incarnation << 32 */
  EV_NODE_LOOKUP = SIM_EV_NODE_LOOKUP,
  EV_CHURN = SIM_EV_CHURN,
  EV_TRACE = SIM_EV_TRACE,
  EV_TIMELINE = SIM_EV_TIMELINE,
  EV_JOIN_TIMEOUT = 11, /* a = node, b = incarnation << 32 | attempt */
  /* With a limited downlink (access_down): a message or lookup hop has
   * crossed the network and reaches its receiver's downlink queue (same a
   * and b as EV_MSG, EV_LOOKUP); it becomes EV_MSG / EV_LOOKUP when fully
   * received. */
  EV_MSG_DOWNLINK = 12,
  EV_LOOKUP_DOWNLINK = 13,
  /* consistent_routing = on: a node held a lookup it may not deliver yet
   * (PASTRY_LOOKUP_HOLD); it decides again (a = the holder, b as
   * EV_LOOKUP). */
  EV_LOOKUP_HOLD = 15,
  /* With access links: the timer of a maintenance request (a = its
   * sender, b = its record; sim-pastry-req.c). */
  EV_REQ_TIMEOUT = 14,
};

typedef struct _SimRequest SimRequest;

/* Per-joiner bookkeeping, freed when the join completes: core's join
 * state, and the simulator's (start time, the action to report to). */
typedef struct
{
  PastryJoin p;
  SimTime started;
  guint action;       /* scenario action index (G_MAXUINT: none) */
} JoinState;

/* Maintenance state of a node: core's (pastry-maint.h), allocated when a
 * node becomes live with maintenance on, or lazily when a joining node
 * first needs it; freed when the node goes down. */
typedef PastryMaint NodeMaint;

/* Nesting depth of core protocol calls whose outboxes are being carried
 * out at once (a drain may start another call). */
#define SIM_WORLD_OUTBOXES 8

/* A lookup in flight: core's message and forwarding state, and the
 * simulator's bookkeeping (pool generation, the lookup action). */
typedef struct
{
  PastryLookup p;     /* p.issued: when routing began */
  SimTime due;        /* when the workload issued it (lookups.csv t_s):
                         earlier for a per-node lookup that waited for its
                         node's join */
  guint32 gen;        /* bumped on release */
  guint16 phase;      /* index of the lookup action among lookup actions */
} Lookup;

struct _SimWorld
{
  const SimScenario *sc;
  SimMetrics *metrics;
  /* The driver this world runs under (owned), and the parts of it the
   * adapter's hot paths read directly (borrowed from it). */
  SimDriver *drv;
  PastryConfig cfg;
  PastryDirectory *dir;
  GPtrArray *nodes;  /* PastryNode * by index */
  const GArray *state;  /* guint8 NodeState by index (the driver's) */
  const GArray *incarn; /* guint32 incarnation by index (the driver's) */
  GPtrArray *joins;  /* JoinState * by index, NULL when not joining */
  GPtrArray *maint;  /* NodeMaint * by index, NULL unless maintained */
  const SimOracle *live; /* the live-id oracle (the driver's) */
  SimNet *net;
  SimQueue *q;       /* the driver's */
  SimRng rng_protocol;
  /* Loss and jitter, by message class (sim__world_net_rng). */
  SimRng rng_net_lookup, rng_net_other;

  GArray *msgs;       /* PastryMessage pool */
  GArray *msg_free;   /* guint32 free slots */
  GArray *lookups;    /* Lookup pool */
  GArray *lookup_free;

  /* Access links (access_up, access_down; sim-link.h): NULL when both
   * are unlimited, and then nothing below is used. */
  SimLinks *links;
  gboolean link_down;  /* the downlink is limited: arrivals are two-stage */
  GArray *msg_queued;  /* SimTime by message slot: its uplink wait */
  GArray *lookup_queued; /* SimTime by lookup slot: the current hop's
                            uplink wait (beside the pool, so that the
                            Lookup record keeps its size without links) */
  GArray *reqs;     /* SimRequest records of timed requests (links only;
                       sim-pastry-req.c), NULL without links */
  GArray *req_free; /* guint32 free records */
  GArray *msg_req;  /* guint32 by message slot: 1 + its record, 0 none */
  guint64 req_timeouts; /* requests sent in the measure window whose
                           timer fired unanswered */
  guint64 late_replies; /* of those, answers that arrived after it */
  SimHist *queue_delay; /* per message sent in the measure window: time
                           spent waiting in access-link queues, µs */
  gboolean link_buffer; /* access_buffer is set: links drop on overflow */
  guint64 queue_drops;  /* messages dropped at a full uplink or downlink
                           buffer, whole run (queue_drops) */
  SimTime window_from, window_to;

  /* Parameters read once. */
  gboolean join_refine;
  gboolean announce_state;
  gboolean oracle_hints; /* the two global-truth shortcuts (oracle_hints) */
  guint bootstrap_sample;
  guint build_sample;
  guint threads;         /* instant builds; 0 or 1: the calling thread */
  gboolean ideal_compare;
  guint ideal_sample;
  guint quality_sample;
  gboolean maintain;     /* heartbeats, probes, acknowledgements */
  gboolean repair_leaf;  /* repair leaf sets */
  gboolean repair_table; /* repair routing tables */
  SimTime heartbeat_period, heartbeat_timeout;
  SimTime probe_period, probe_timeout;
  guint probe_retries;
  PastryMaintStrategy maint_strategy; /* maintenance_strategy */
  gboolean hop_rtt;      /* hop timeout from RTT estimates */
  SimTime hop_timeout;   /* fixed hop timeout */
  double probe_target;   /* self-tuning probe period (0: off) */
  guint hop_rto_prior_pct; /* hop timeout before an RTT sample, in % of
                              the proximity's RTT (hop_rto_prior) */
  guint hop_retries;
  SimTime lookup_timeout;
  PastryLookupConfig lookup_cfg; /* maintain, hop_retries, lookup_timeout */
  PastryMaintConfig maint_cfg;   /* core's copy of the maintenance ones */
  PastryJoinConfig join_cfg;     /* and of the join ones */
  PastryEnv env0;                /* a call's environment but now and out */
  PastryOutbox outbox[SIM_WORLD_OUTBOXES]; /* by call depth */
  guint outbox_depth;
  guint msg_header_bytes, msg_id_bytes; /* the size model */

  /* The shadow overlay with complete global knowledge (ideal_compare). */
  PastryNode **ideal;
  guint n_ideal;

  volatile int *cancel; /* polled by long loops (builds) too */
  gint64 build_wall_us; /* wall-clock time spent building from knowledge */
  guint64 lookups_started, lookups_done;
  guint64 fail_loop, fail_retries, fail_timeout, fail_holder_down;
  guint64 fail_stalled; /* in flight when the run stopped */
  guint64 refutations; /* live nodes that refuted a death verdict */
  SimTime last_false_death; /* G_MAXUINT64 until a live node is declared */
  guint64 unreachable_live_roots; /* final hops given up on a live node */
  guint64 wrong_doubted_root; /* wrong deliveries at a node that lost
                                 probes of the live root (see lookup.c) */
  guint64 fail_lost;
  guint64 joins_started;
  guint inflight;     /* lookups and joins in progress */
};

/* ---- sim-pastry.c ---- */

/* Pastry as the driver sees it. */
extern const SimProtocol sim__pastry_protocol;

/* Node i's state; NULL while i is down (go_down frees it). */
static inline PastryNode *
sim__world_node (const SimWorld *w, guint32 i)
{
  return g_ptr_array_index (w->nodes, i);
}

static inline NodeState
sim__world_state (const SimWorld *w, guint32 i)
{
  return sim_node_state (w->state, i);
}

static inline guint32
sim__world_incarnation (const SimWorld *w, guint32 i)
{
  return sim_node_incarnation (w->incarn, i);
}

/* Pastry's id as the driver's key, and back: the same 128 bits. */
static inline SimKey
sim__world_key (const PastryId *id)
{
  return (SimKey) { id->hi, id->lo };
}

static inline PastryId
sim__world_id (const SimKey *key)
{
  return (PastryId) { key->hi, key->lo };
}

static inline SimTime
sim__world_now (const SimWorld *w)
{
  return sim_queue_now (w->q);
}

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

/* sim__world_prox() as core's PastryProxFunc (data: the world). */
static inline guint32
sim__world_prox_cb (PastryPeer from, PastryPeer to, gpointer data)
{
  return sim__world_prox (data, from, to);
}

/* The network stream a message of type draws its loss and jitter from:
 * lookup traffic (lookups and their acknowledgements) has its own, so
 * that more or fewer maintenance or join messages never shift the draws
 * of lookup hops (common random numbers across maintenance variants). */
static inline SimRng *
sim__world_net_rng (SimWorld *w, PastryMsgType type)
{
  return pastry_msg_type_class (type) == PASTRY_MSG_CLASS_LOOKUP
             ? &w->rng_net_lookup
             : &w->rng_net_other;
}

/* Allocates a message of type (pool slot). */
guint32 sim__world_msg_new (SimWorld *w, PastryMsgType type, guint32 about);
/* Appends entries to message slot m. */
void sim__world_msg_add (SimWorld *w, guint32 m, const PastryEntry *e,
                         guint n);
/* Appends a node's leaf set to message slot m. */
void sim__world_msg_add_leafset (SimWorld *w, guint32 m, guint32 node);
static inline PastryMessage *
sim__world_msg (SimWorld *w, guint32 m)
{
  return &g_array_index (w->msgs, PastryMessage, m);
}
void sim__world_msg_release (SimWorld *w, guint32 m);

/* Counts a message of type carrying n_ids ids, sent at now, in the
 * metrics (bytes by Pastry's size model). */
static inline void
sim__world_count_msg (SimWorld *w, SimTime now, PastryMsgType type,
                      guint n_ids, gboolean repair)
{
  sim_metrics_message (w->metrics, now, type,
                       pastry_msg_size (type, n_ids, w->msg_header_bytes,
                                        w->msg_id_bytes),
                       repair);
}

/* Access links.  sim__world_uplink: node `from` hands `bytes` to its
 * uplink at now; returns when the last bit has left, and stores the wait
 * in *queued.  sim__world_queue_sample: a message sent at `sent` waited
 * `queued` in all (uplink and downlink): counted in queue_delay_* when
 * sent in the measure window.  Only with w->links.  With access_buffer
 * a message that overflows the uplink's buffer sets *dropped (counted in
 * queue_drops; the caller treats it as lost in the network), else
 * *dropped is FALSE.  sim__world_downlink: the same at node `to`'s
 * downlink. */
SimTime sim__world_uplink (SimWorld *w, guint32 from, guint bytes,
                           SimTime now, SimTime *queued, gboolean *dropped);
SimTime sim__world_downlink (SimWorld *w, guint32 to, guint bytes,
                             SimTime now, SimTime *queued, gboolean *dropped);
void sim__world_queue_sample (SimWorld *w, SimTime sent, SimTime queued);

/* Sends message slot m from `from` to `to` with the network's delay (a lost
 * message is freed).  Counts it for the metrics.  With access links the
 * message first waits for and crosses the sender's uplink, and (limited
 * downlink) the receiver's downlink on arrival (EV_MSG_DOWNLINK). */
void sim__world_send (SimWorld *w, guint32 from, guint32 to, guint32 m);

/* Access links: message slot m left its sender's uplink at `left` after
 * waiting `queued` there, and crosses the network in d: it arrives
 * (through the downlink when limited).  For replies built outside
 * sim__world_send (answer_probe). */
void sim__world_reply_depart (SimWorld *w, guint32 to, guint32 m,
                              SimTime left, SimTime d, SimTime queued);

/* Request timers with access links (sim-pastry-req.c; the file comment
 * says what they model).  All of them run only when w->reqs != NULL.
 *  _init/_fini: create / free the records (with links).
 *  _open: slot m (a message being sent, from, to and sent set) is a
 *    request timed here: gives it a record and arms its timer at
 *    sent + probe_timeout; TRUE when it did.
 *  _tracked: slot m carries a record (a timed request or its reply).
 *  _slot_released: slot m is being freed: the chain of its record ends.
 *  _hand_over: the target of the request in slot m_in answers it with
 *    slot m, going to `to`: the record moves to m when m is the matching
 *    reply to the requester.
 *  _target_down: tracked slot m reached `at`, which is down.
 *  _arrive: tracked slot m reached `at`, live: FALSE when it is to be
 *    handled as usual (a request at its target, an answer in time), TRUE
 *    when the caller frees it unhandled (a late reply: stale, counted as
 *    proof of life; a reply to an earlier life).
 *  _timeout: the timer of record k of node x fired (EV_REQ_TIMEOUT). */
void sim__world_req_init (SimWorld *w);
void sim__world_req_fini (SimWorld *w);
gboolean sim__world_req_open (SimWorld *w, guint32 m);
gboolean sim__world_req_tracked (SimWorld *w, guint32 m);
void sim__world_req_slot_released (SimWorld *w, guint32 m);
void sim__world_req_hand_over (SimWorld *w, guint32 m_in, guint32 m,
                               guint32 to);
void sim__world_req_target_down (SimWorld *w, guint32 m, guint32 at);
gboolean sim__world_req_arrive (SimWorld *w, guint32 at, guint32 m);
void sim__world_req_timeout (SimWorld *w, guint32 x, guint32 k);

/* The request (or awaited reply) msg of x went unanswered: core's
 * reaction (pastry_maint_unanswered(), a join's missed reply). */
void sim__world_request_timed_out (SimWorld *w, guint32 x,
                                   const PastryMessage *msg);

/* Node i completed its join: starts its maintenance and has the driver
 * make it live (the oracle, its per-node lookups).  Called while i's
 * JoinState still exists. */
void sim__world_set_live (SimWorld *w, guint32 i);

/* Schedules a node timer of kind at `at` with extra low bits. */
void sim__world_timer (SimWorld *w, SimTime at, guint kind, guint32 node,
                       guint32 low);

/* A join of action completed: counts it out of the joins in flight and
 * tells the driver (the sequential-join generator). */
void sim__world_join_done (SimWorld *w, guint action);

/* ---- sim-pastry-join.c ---- */

/* Creates node x (registered with the driver: the next directory handle)
 * with id at a fresh network position drawn from *topology. */
void sim__world_node_create (SimWorld *w, guint32 x, const PastryId *id,
                             SimRng *topology);
/* Starts the join protocol for node x (new, or down and rejoining). */
void sim__world_join_start (SimWorld *w, guint32 x, guint action);
/* A join that has not completed after lookup_timeout starts over through
 * another bootstrap (maintenance only). */
void sim__world_join_timeout (SimWorld *w, guint32 x, guint64 b);
/* Carries out a join upcall (JOINED, JOIN_DONE, JOIN_RESTART) for x. */
void sim__world_join_upcall (SimWorld *w, guint32 x, PastryUpcallKind upcall);
/* Handles JOIN_REQUEST, JOIN, JOIN_REPLY, ROW_REQUEST, ROW_REPLY, ANNOUNCE
 * and LEAFSET_PUSH.  Returns FALSE if the type is not a join message. */
gboolean sim__world_join_msg (SimWorld *w, guint32 at, guint32 m);
/* A JOIN that at forwarded came back unanswered (its target is down, or
 * it was lost): at suspects the target and forwards the JOIN again around
 * it (or drops it, leaving the restart to the joiner's timeout). */
void sim__world_join_bounced (SimWorld *w, guint32 at, guint32 m);

/* ---- sim-pastry-lookup.c ---- */

/* Starts a lookup for key from src (the driver drew both), due at `due`
 * (<= now: a per-node lookup that waited for its node's join; its latency
 * and lookup_timeout count from now, when routing begins, its t_s is
 * due), of the lookup action with index phase.  A src that is not live
 * (it went down while joining) ends the lookup at once as
 * failed_holder_down. */
void sim__world_lookup_start (SimWorld *w, guint32 src, const SimKey *key,
                              SimTime due, guint phase);
void sim__world_lookup_arrive (SimWorld *w, guint32 at, guint64 b);
void sim__world_lookup_timeout (SimWorld *w, guint32 at, guint64 b);
/* A lookup hop reached the limited downlink of `at` (EV_LOOKUP_DOWNLINK). */
void sim__world_lookup_downlink (SimWorld *w, guint32 at, guint64 b);
/* Ends every lookup still in flight as failed, in slot order, when a run
 * stops with lookups outstanding: failed_timeout when lookup_timeout has
 * passed since it was issued, else failed_stalled. */
void sim__world_lookup_held (SimWorld *w, guint32 at, guint64 b);
void sim__world_lookups_abandon (SimWorld *w);

/* ---- sim-pastry-maint.c ---- */

/* Fills w->maint_cfg, w->join_cfg and the outboxes from the parameters
 * read / frees the outboxes. */
void sim__world_maint_init (SimWorld *w);
void sim__world_maint_fini (SimWorld *w);
/* A call into core's protocol for node x: call_begin fills *env and
 * returns the outbox to pass; call_end carries the outbox out in order
 * (SENDs through the pool, TIMERs as node timers, UPCALLs to the world)
 * and ends the call.  m_in: the pool slot of the message the call handled
 * (G_MAXUINT32: none): a PROBE_REPLY answers it, a JOIN forward reuses it.
 * Returns TRUE when m_in was reused (the caller must not release it). */
PastryOutbox *sim__world_call_begin (SimWorld *w, guint32 x, PastryEnv *env);
gboolean sim__world_call_end (SimWorld *w, guint32 x, PastryOutbox *out,
                              guint32 m_in);
/* Starts the maintenance timers of a node that just became live. */
void sim__world_maint_start (SimWorld *w, guint32 x);
/* Frees maintenance state of a node going down. */
void sim__world_maint_stop (SimWorld *w, guint32 x);
void sim__world_heartbeat (SimWorld *w, guint32 x);
void sim__world_probe_round (SimWorld *w, guint32 x);
/* Offers entries (and their sender) to node x: pastry_maint_offer().
 * Returns how many entered x's leaf set. */
guint sim__world_offer (SimWorld *w, guint32 x, const PastryEntry *e,
                        guint n, guint32 sender);
/* Handles maintenance messages.  Returns FALSE if not one. */
gboolean sim__world_maint_msg (SimWorld *w, guint32 at, guint32 m);
/* Joiner x will not get the reply msg stands for (the request or the
 * reply was lost, or the target is down): it goes on without it. */
void sim__world_join_missed (SimWorld *w, guint32 x, const PastryMessage *msg);
/* x heard of p from a third party, and p would enter x's leaf set: x
 * probes p first (PASTRY_MSG_FLAG_VERIFY) and takes it in only when it answers,
 * so a dead node that others still list never gets into a leaf set, where
 * nothing would notice it (heartbeats check a node's right neighbour
 * only).  p is suspected meanwhile (one probe per peer at a time). */
void sim__world_verify (SimWorld *w, guint32 x, guint32 p);
/* x starts suspecting peer p (a missed heartbeat or acknowledgement). */
void sim__world_suspect (SimWorld *w, guint32 x, guint32 p);
/* TRUE when x currently suspects or believes dead peer p. */
gboolean sim__world_is_suspect (const SimWorld *w, guint32 x, guint32 p);
/* Direct evidence that p is alive (it sent x a message about itself):
 * x drops any suspicion or dead mark it holds on p. */
void sim__world_alive (SimWorld *w, guint32 x, guint32 p);
/* TRUE when x believes p dead, or has already missed the replies to two
 * probes of it: with 1 % loss a live peer misses one probe in fifty. */
gboolean sim__world_is_doubtful (const SimWorld *w, guint32 x, guint32 p);
/* TRUE when x believes p dead. */
gboolean sim__world_believes_dead (const SimWorld *w, guint32 x, guint32 p);
/* Silent crash / graceful leave of node x: the protocol's part (LEAVE
 * messages, dropping x's join, maintenance and tables); the driver then
 * takes x down. */
void sim__world_fail (SimWorld *w, guint32 x);
void sim__world_leave (SimWorld *w, guint32 x);
/* The hop timeout node x uses for peer p, and the RTT sample update. */
SimTime sim__world_hop_timeout (SimWorld *w, guint32 x, guint32 p);
void sim__world_rtt_sample (SimWorld *w, guint32 x, guint32 p, SimTime rtt);

/* ---- sim-pastry-build.c ---- */

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
