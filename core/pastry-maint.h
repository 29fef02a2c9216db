/* pastry-maint.h — failure detection and repair (MSPastry style), graceful
 * leave and the periodic exchanges, as a sans-I/O state machine.
 *
 * Detection.  Every heartbeat_period a node sends a HEARTBEAT to its left
 * (counter-clockwise) leaf-set neighbour and checks that its right
 * neighbour was heard from within heartbeat_timeout; every probe_period it
 * PROBEs each routing-table entry and the leaf-set members heartbeats do
 * not watch, and asks its nearest leaf on each side for its leaf set.  A
 * peer that misses a heartbeat, a probe or an acknowledgement becomes
 * suspected (pastry-fd.h) and is probed again, up to probe_retries times;
 * silence declares it dead.
 *
 * Repair.  A node that declares a leaf-set member dead removes it, asks
 * the farthest trusted member of that side for its leaf set
 * (LEAFSET_REQUEST) and, once the answer is merged, sends its new leaf set
 * naming the dead node to every member (LEAFSET_UPDATE); receivers drop
 * the dead node and ask their own farthest member in turn without
 * broadcasting again.  A node named dead while alive refutes the verdict
 * by probing its leaf set.  A dead routing-table entry is replaced by
 * asking other entries of its row, then of the next rows, for their entry
 * of that slot (ENTRY_REQUEST), up to PASTRY_MAINT_REPAIR_TRIES of them.
 * Every probe round a random entry of each row is asked for its row.  A
 * node that leaves sends LEAVE with its leaf set to its leaf set.
 *
 * Inputs: pastry_maint_start() once the node has joined, the timers it
 * arms (pastry_maint_heartbeat(), pastry_maint_probe_round()), messages
 * received (pastry_maint_receive()), the transport's verdict that a request
 * went unanswered (pastry_maint_unanswered()), and suspicions raised by
 * other modules (pastry_maint_suspect(), pastry_maint_verify()).  Outputs go
 * to env->out (pastry-outbox.h).  No clock, no random numbers of its own,
 * no knowledge of who is really alive: the caller passes now, a random
 * source and the node's measured proximity, and may filter what a node
 * learns (PastryEnv.reachable) — that is where a simulator plugs in its
 * global-knowledge shortcuts, by name, outside core.
 */
#pragma once

#include "pastry-fd.h"
#include "pastry-forward.h"
#include "pastry-outbox.h"

G_BEGIN_DECLS

/* Routing-table repair asks at most this many sources per slot. */
#define PASTRY_MAINT_REPAIR_TRIES 4

/* A caller-supplied source of random choices: below (data, n) returns a
 * uniform integer in [0, n), n > 0.  The protocol draws from it in a
 * documented order, so a simulator keeps its streams reproducible. */
typedef struct
{
  guint64 (*below) (gpointer data, guint64 n);
  gpointer data;
} PastryRandom;

/* How a node maintains its state (PastryMaintConfig.strategy).  Failure
 * detection (heartbeats, probes, suspicion, verdicts) is common to all;
 * they differ in what runs periodically and in what a verdict triggers:
 *  - MSPASTRY (the default, 0): this file's protocol as described above;
 *  - REACTIVE (pastry-maint-reactive.c; Rowstron & Druschel 2001): repair
 *    only when a failure is detected.  The probe round only keeps the
 *    leaf set alive (probes of every leaf-set member); routing-table
 *    entries are not probed, and there is no periodic leaf-set exchange
 *    and no periodic row request: a dead table entry is found on use (a
 *    lookup's missing acknowledgement) and repaired then;
 *  - PERIODIC (pastry-maint-periodic.c; Bamboo, Rhea et al. 2004):
 *    recovery at fixed periods, nothing reactive.  A verdict only removes
 *    the peer (no LEAFSET_REQUEST, no broadcast, no ENTRY_REQUEST, no
 *    probes of whoever refills the leaf set); every heartbeat_period the
 *    node asks a random leaf-set member for its leaf set, and every
 *    probe_period it runs MSPastry's probe round (probes, leaf-set
 *    exchange with the nearest members, one row request per row). */
typedef enum
{
  PASTRY_MAINT_MSPASTRY = 0,
  PASTRY_MAINT_REACTIVE,
  PASTRY_MAINT_PERIODIC,
} PastryMaintStrategy;

/* Maintenance parameters, shared by every node of an overlay. */
typedef struct
{
  guint b;                     /* bits per digit (PastryConfig.b) */
  gboolean maintain;           /* detection on: suspicions lead to probes */
  gboolean repair_leaf;        /* repair leaf sets */
  gboolean repair_table;       /* repair routing tables */
  gboolean verify_leaves;      /* probe a would-be leaf-set member heard of
                                  from a third party before taking it in */
  gboolean verify_table;       /* with verify_leaves: probe a peer heard of
                                 from a third party before it takes a
                                 routing-table slot too */
  gboolean hearsay_keeps_dead; /* a third party's mention of a peer marked
                                 dead renews the mark; only a message from
                                 the peer itself lifts it (see
                                 pastry_maint_dismisses()) */
  PastryTime heartbeat_period, heartbeat_timeout;
  PastryTime probe_period, probe_timeout;
  guint probe_retries;
  PastryMaintStrategy strategy; /* 0: MSPastry, as before strategies */
  /* Self-tuning probe period (MSPastry): 0 = off, every round comes
   * probe_period after the last.  Otherwise the node sets each round's
   * period so that a hop finds its routing-table entry dead with about
   * this probability, from the failure rate it observed itself
   * (pastry_maint_tuned_period()). */
  double probe_target;
} PastryMaintConfig;

/* Join parameters (pastry-join.h). */
typedef struct _PastryJoinConfig PastryJoinConfig;

/* What a protocol call (maintenance or join) needs besides the node's own
 * state: the parameters, the time, the outbox, and the caller's knowledge.
 * Filled by the caller for each call (it is a few words on the stack). */
typedef struct
{
  const PastryMaintConfig *cfg;
  const PastryJoinConfig *join; /* needed by pastry-join calls only */
  PastryTime now;
  PastryOutbox *out; /* begun for this node (pastry_outbox_begin()) */
  PastryRandom rnd;
  PastryProxFunc prox; /* the node's measured proximity to a peer */
  gpointer prox_data;
  /* Optional: FALSE for a peer the caller knows cannot be reached (NULL:
   * no such knowledge).  The node neither learns such a peer, whatever a
   * message says, nor forwards a JOIN to it (it suspects it instead).  A
   * real node passes NULL; the simulator's oracle_hints plug in here. */
  gboolean (*reachable) (PastryPeer p, gpointer data);
  /* The epoch of peer p (its life and the verdicts it refuted in it): a
   * death notice carries the dead node's epoch so that a notice overtaken
   * by a refutation or a rejoin is recognised as stale.  NULL: always 0. */
  guint32 (*epoch) (PastryPeer p, gpointer data);
  gpointer hint_data; /* for reachable and epoch */
} PastryEnv;

/* A node's maintenance state.  Layout public so that the caller can embed
 * it; use the functions. */
typedef struct
{
  PastryPeer hb_from; /* right neighbour the last heartbeat check saw */
  PastryTime last_hb; /* when we last heard from hb_from */
  PastryFd fd;        /* suspicions, dead marks, RTT estimates */
  guint8 claims;      /* death verdicts this life refuted (wraps) */
  gboolean joined;    /* pastry_maint_start() was called */
  /* The failure rate this node observed (probe_target): failures it
   * declared among its table and leaf-set peers, over the peer-seconds
   * it watched them (both halved together as they grow), and when the
   * last probe round ran (G_MAXUINT64: none yet). */
  double seen_failures, seen_peer_s;
  PastryTime last_round;
} PastryMaint;

/* Initialises empty state (not joined) / frees what it holds. */
void pastry_maint_init (PastryMaint *mt);
void pastry_maint_clear (PastryMaint *mt);

/* The node has joined: marks it joined and arms its two timers at random
 * phases (draws: heartbeat phase, then probe phase). */
void pastry_maint_start (PastryMaint *mt, PastryNode *node,
                         const PastryEnv *env);

/* The heartbeat timer fired: heartbeat the left neighbour, check the right
 * one, re-arm. */
void pastry_maint_heartbeat (PastryMaint *mt, PastryNode *node,
                             const PastryEnv *env);

/* The probe-round timer fired: probe table entries and unwatched leaves,
 * exchange leaf sets with the nearest leaves, ask one random entry of
 * each row for its row (repair_table; one draw per non-empty row, in row
 * order), re-arm. */
void pastry_maint_probe_round (PastryMaint *mt, PastryNode *node,
                               const PastryEnv *env);

/* A reason to doubt p (a missed heartbeat or acknowledgement): p is probed
 * unless already suspected.  No effect unless maintenance runs and the
 * node has joined. */
void pastry_maint_suspect (PastryMaint *mt, PastryNode *node,
                           const PastryEnv *env, PastryPeer p);

/* The node heard of p from a third party and p would enter its leaf set:
 * p is probed (PASTRY_MSG_FLAG_VERIFY) and taken in when it answers. */
void pastry_maint_verify (PastryMaint *mt, PastryNode *node,
                          const PastryEnv *env, PastryPeer p);

/* Offers entries e[0..n) and sender to node (sender may be
 * PASTRY_PEER_NONE): skips the node itself, peers it believes dead and
 * peers env->reachable refuses; a would-be leaf other than the sender is
 * verified first (cfg->verify_leaves, joined); the rest are inserted with
 * their measured proximity.  mt may be NULL (a node without maintenance
 * state: nothing is believed dead, nothing verified).  Returns how many
 * entered the leaf set. */
guint pastry_maint_offer (PastryMaint *mt, PastryNode *node,
                          const PastryEnv *env, const PastryEntry *e, guint n,
                          PastryPeer sender);

/* Should the node ignore p, offered by sender (PASTRY_PEER_NONE: by
 * nobody in particular)?  TRUE when mt (may be NULL) believes p dead.
 * With cfg->hearsay_keeps_dead the rule is about evidence: an offer by p
 * itself is direct evidence and lifts a dead mark on p (FALSE), while a
 * third party's mention of a peer carrying a dead mark, even an expired
 * one, renews the mark for pastry_maint_dead_memory() and is ignored
 * (TRUE) — a dead node its old neighbours still list would otherwise
 * come back each time the mark expires.  Used by every offer. */
gboolean pastry_maint_dismisses (PastryMaint *mt, const PastryEnv *env,
                                 PastryPeer p, PastryPeer sender);

/* A maintenance message (HEARTBEAT, PROBE, PROBE_REPLY, LEAFSET_REQUEST,
 * LEAFSET_REPLY, LEAFSET_UPDATE, LEAVE, ENTRY_REQUEST, ENTRY_REPLY) arrived
 * at node (borrowed).  A PROBE is answered with a PROBE_REPLY as the last
 * item.  Returns FALSE, doing nothing, for any other type. */
gboolean pastry_maint_receive (PastryMaint *mt, PastryNode *node,
                               const PastryMessage *msg, const PastryEnv *env);

/* The transport gave up on msg, which this node sent (a request whose
 * target did not answer in probe_timeout), or on the reply msg the node
 * was waiting for.  Retries probes, declares dead, moves repairs on to
 * their next source, suspects silent targets.  JOIN_REPLY, ROW_REPLY and
 * the join part of ROW_REQUEST are the join protocol's business. */
void pastry_maint_unanswered (PastryMaint *mt, PastryNode *node,
                              const PastryMessage *msg, const PastryEnv *env);

/* Graceful leave: LEAVE with the leaf set to every leaf-set member.  The
 * caller then drops the node's state. */
void pastry_maint_leave (PastryNode *node, const PastryEnv *env);

/* The next probe period of a node that observed `failures` failures over
 * `peer_s` peer-seconds (cfg->probe_target > 0).  With failure rate mu
 * per peer and second, an entry probed every T is dead when used with
 * probability about mu (T / 2 + D), D = probe_timeout (probe_retries + 1)
 * the time a failed probe takes to declare it dead; so T = 2 (target / mu
 * - D).  mu is estimated as (failures + 1) / (peer_s + 1 / mu0), where
 * mu0 is the rate for which the formula gives probe_period: the prior
 * weighs one failure, so a node starts at probe_period and moves as it
 * observes.  Clamped to [max (probe_period / 10, 2 D), 2 probe_period]. */
PastryTime pastry_maint_tuned_period (const PastryMaintConfig *cfg,
                                      double failures, double peer_s);

/* Dead marks last this long (then a peer back with the same id can be
 * learnt again): max (probe_period, 4 heartbeat_timeout). */
PastryTime pastry_maint_dead_memory (const PastryMaintConfig *cfg);

G_END_DECLS
