/* pastry-lookup.h — Pastry's lookup forwarding as a state machine: what a
 * node does with a lookup it holds, with one that arrives, and when the
 * acknowledgement of a hop does not come.
 *
 * Sans-I/O: the caller owns time (passed in), the network (it sends what a
 * step says to send, and delivers arrivals), the timers (it arms the hop
 * timer pastry_fd_hop_timeout() gives for every hop sent) and liveness (a
 * lookup sent to a node that is gone simply times out).  Each call mutates
 * the lookup message and returns one step for the caller to carry out.
 *
 * The protocol (MSPastry-style per-hop acknowledgements):
 *  - forward: deliver when this node is the root; else pick the next hop
 *    with pastry_forward_next_hop(), avoiding the peers this node suspects
 *    (for intermediate hops) or doubts (for the final hop), and those the
 *    message reports unresponsive; give up after PASTRY_LOOKUP_MAX_HOPS or
 *    once lookup_timeout has passed since the lookup was issued;
 *  - arrive: the receiver starts suspecting the peers the message reports
 *    unresponsive after resends (pastry_lookup_reported()), acknowledges the
 *    hop, and forwards;
 *  - hop timeout at the sender: a final hop (to the believed root) is sent
 *    again, up to PASTRY_LOOKUP_LEAF_RESENDS times (once when the sender
 *    already suspects the root), since the message may just have been lost
 *    and routing around a live root delivers elsewhere; any other hop, or a
 *    final hop out of resends, is given up: the message remembers the peer
 *    (marked hard when resends to it failed too), the sender suspects it,
 *    and the lookup is rerouted — or fails after hop_retries timeouts or
 *    once lookup_timeout has passed.
 */
#pragma once

#include "pastry-fd.h"
#include "pastry-forward.h"
#include "pastry-node.h"

G_BEGIN_DECLS

/* Peers a lookup message remembers as unresponsive (oldest dropped). */
#define PASTRY_LOOKUP_AVOID 4
/* Sends of a final hop after the first, before the lookup routes around
 * its target: with 1 % loss, three losses in a row happen once in a
 * million hops.  A third resend would cost more than it saves: every node
 * that still believes a dead root alive pays one more timeout for it. */
#define PASTRY_LOOKUP_LEAF_RESENDS 2
/* With consistent routing, how long a node holds a lookup it may not
 * deliver before it decides again (µs): about one repair round trip. */
#define PASTRY_LOOKUP_HOLD_TIME 100000
/* Hops after which a lookup is taken to be looping. */
#define PASTRY_LOOKUP_MAX_HOPS 64

typedef struct
{
  gboolean avoid;    /* acknowledgements and avoidance on (without
                        them every hop follows the paper's rule) */
  guint hop_retries; /* hop timeouts before the lookup fails */
  PastryTime lookup_timeout;
  PastryReplicas replicas; /* k = 1 (or 0): deliver at the root only */
  gboolean consistent;     /* consistent routing: a node delivers as root
                              only when pastry_forward_may_deliver() says
                              its leaf set bounds the key; else it holds
                              the lookup (PASTRY_LOOKUP_HOLD) */
} PastryLookupConfig;

/* A lookup message and the forwarding state of its current holder. */
typedef struct
{
  PastryId key;
  PastryTime issued;
  PastryTime hop_sent; /* when the current hop was sent */
  PastryPeer src;
  PastryPeer at; /* the node holding it (the current sender) */
  PastryPeer to; /* the node it was last sent to */
  guint16 hops;
  guint16 retries; /* hop timeouts so far */
  guint16 detours; /* hops given up: sent to a peer that never
                      acknowledged, then routed around (not in hops) */
  guint8 n_avoid;
  guint8 resent;     /* times the current hop was sent again */
  guint8 leaf_hop;   /* the current hop goes to the believed root */
  guint8 avoid_hard; /* bit i: avoid[i] also failed a resend (likely
                        dead); otherwise it missed one acknowledgement */
  PastryPeer avoid[PASTRY_LOOKUP_AVOID]; /* peers found unresponsive */
} PastryLookup;

/* What the caller does next. */
typedef enum
{
  PASTRY_LOOKUP_DELIVER,      /* this node is the root: deliver here */
  PASTRY_LOOKUP_SEND,         /* send to lk->to (lk->hop_sent is now) and
                                 arm the hop timer */
  PASTRY_LOOKUP_REROUTE,      /* hop timeout: the hop to the returned peer
                                 is given up; the sender suspects it, then
                                 calls pastry_lookup_forward() */
  PASTRY_LOOKUP_FAIL_TIMEOUT, /* lookup_timeout passed */
  PASTRY_LOOKUP_FAIL_LOOP,    /* PASTRY_LOOKUP_MAX_HOPS hops */
  PASTRY_LOOKUP_FAIL_RETRIES, /* more than hop_retries hop timeouts */
  PASTRY_LOOKUP_HOLD,         /* consistent routing: this node is the
                                 closest it knows but its leaf set does not
                                 bound the key (a side lost its members and
                                 is not repaired yet): keep the lookup and
                                 call pastry_lookup_forward() again after
                                 PASTRY_LOOKUP_HOLD_TIME (lookup_timeout
                                 ends it).  Never returned when
                                 cfg->consistent is FALSE. */
} PastryLookupStep;

/* A new lookup for key issued at src at now. */
void pastry_lookup_init (PastryLookup *lk, const PastryId *key, PastryPeer src,
                         PastryTime now);

/* node (with failure detector fd, NULL when it keeps none) holds lk at
 * now: DELIVER, SEND (to lk->to; hop state updated), HOLD (cfg->consistent
 * only; lk unchanged), FAIL_TIMEOUT or FAIL_LOOP. */
PastryLookupStep pastry_lookup_forward (PastryLookup *lk,
                                        const PastryNode *node,
                                        const PastryFd *fd,
                                        const PastryLookupConfig *cfg,
                                        PastryTime now);

/* lk arrived at node: the peers it reports unresponsive after resends
 * that node knows, which node should now suspect (written to out,
 * PASTRY_LOOKUP_AVOID slots, in the message's order).  Returns the count. */
guint pastry_lookup_reported (const PastryLookup *lk, const PastryNode *node,
                              PastryPeer *out);

/* The hop timer of lk's current hop fired at its sender (with failure
 * detector fd) at now.  Returns SEND (resend to lk->to), or, with the hop
 * given up (*given_up = the peer; *was_final_resent = it was a final hop
 * sent more than once), REROUTE, FAIL_RETRIES or FAIL_TIMEOUT.  The
 * caller suspects *given_up in every given-up case. */
PastryLookupStep
pastry_lookup_hop_timeout (PastryLookup *lk, const PastryFd *fd,
                           const PastryLookupConfig *cfg, PastryTime now,
                           PastryPeer *given_up, gboolean *was_final_resent);

/* Ids the message carries besides the sender's: its avoid list (for the
 * size model). */
static inline guint
pastry_lookup_n_ids (const PastryLookup *lk)
{
  return 1u + lk->n_avoid;
}

G_END_DECLS
