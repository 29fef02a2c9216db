/* pastry-join.h — the join protocol (Rowstron & Druschel 2001, §3.4) as a
 * sans-I/O state machine: the joiner, the nodes on the join path, the
 * root, the second stage and the announcements.
 *
 * The joiner X asks a bootstrap node A near it to route a JOIN towards X's
 * id (JOIN_REQUEST).  Every node on the path sends X one JOIN_REPLY with
 * its routing-table rows from the hop index up to the prefix it shares
 * with X; A adds its neighbourhood set, the root Z its leaf set and the
 * path length.  With join_refine, X then asks each node in its table for
 * its rows up to the one that node sits in (ROW_REQUEST, second stage).
 * Finally X announces itself to every node it knows (ANNOUNCE); a node
 * that takes X into its leaf set answers with its own leaf set
 * (LEAFSET_PUSH), and X announces itself to any new leaf it learns that
 * way, so concurrent joiners find each other.  A join that has not
 * completed after join_timeout starts over through another bootstrap.
 *
 * The caller picks bootstrap nodes (it knows who is near), keeps the
 * PastryJoin of a joining node (NULL once it has joined), and carries out
 * the outbox: PASTRY_UPCALL_JOINED, JOIN_DONE and JOIN_RESTART tell it
 * when the node becomes a member, when the join is over, and when to
 * start over.  Learning peers goes through pastry_maint_offer(), so the
 * failure detector and env->reachable apply to joins too.
 */
#pragma once

#include "pastry-maint.h"

G_BEGIN_DECLS

struct _PastryJoinConfig
{
  gboolean refine;         /* second stage (join_refine = rows) */
  gboolean announce_state; /* an ANNOUNCE carries the joiner's state */
  gboolean acked;          /* a JOIN is acknowledged hop by hop and an
                              ANNOUNCE to a leaf-set member is answered
                              (PASTRY_MSG_FLAG_ACKED / _LEAF): the
                              transport reports the silent ones */
  gboolean refine_behind;  /* the node is a member (JOINED, announced,
                              JOIN_DONE) once the path has answered; the
                              second stage's rows arrive behind it and
                              are offered as they come, so a dead table
                              entry costs the joiner nothing but a
                              suspicion (instead of probe_timeout) */
  gboolean restart;        /* arm the join timer: restart a join that has
                              not completed after timeout */
  PastryTime timeout;
};

/* A joining node's progress in its current attempt. */
typedef struct
{
  guint replies;     /* JOIN_REPLY messages received (or given up on) */
  guint expected;    /* path length, known once the root replied (0 before) */
  guint outstanding; /* second-stage ROW_REQUESTs not yet answered */
  gboolean stage2;   /* second stage started */
  guint8 attempt;    /* restarts so far (wraps; messages carry it) */
} PastryJoin;

/* Starts a join: js is reset to attempt 0 and the first attempt made
 * through bootstrap (PASTRY_PEER_NONE: the node is alone and joins at
 * once).  node holds no state yet. */
void pastry_join_start (PastryJoin *js, PastryNode *node, const PastryEnv *env,
                        PastryPeer bootstrap);

/* Makes attempt js->attempt through bootstrap (after a JOIN_RESTART
 * upcall, with node's state cleared): a JOIN_REQUEST, and the join timer
 * (cfg->restart).  PASTRY_PEER_NONE: alone, joins at once. */
void pastry_join_attempt (PastryJoin *js, PastryNode *node,
                          const PastryEnv *env, PastryPeer bootstrap);

/* The join timer armed for attempt cookie fired: a stale one is ignored,
 * the current attempt starts over (JOIN_RESTART). */
void pastry_join_timer (PastryJoin *js, const PastryEnv *env, guint32 cookie);

/* A join message (JOIN_REQUEST, JOIN, JOIN_REPLY, ROW_REQUEST, ROW_REPLY,
 * ANNOUNCE, LEAFSET_PUSH) arrived at node.  js: node's join in progress,
 * NULL once it has joined; mt: its maintenance state (may be NULL).  A
 * path node answers the joiner and forwards the JOIN as the last item
 * (a SEND of type JOIN with the message's other fields kept).  Returns
 * FALSE, doing nothing, for other types. */
gboolean pastry_join_receive (PastryJoin *js, PastryMaint *mt, PastryNode *node,
                              const PastryMessage *msg, const PastryEnv *env);

/* The JOIN msg this node forwarded came back unanswered (its target is
 * down, or it was lost): the target is suspected and the JOIN forwarded
 * again around it, or dropped when there is no other way on (the joiner's
 * timer restarts the join). */
void pastry_join_bounced (PastryMaint *mt, PastryNode *node,
                          const PastryMessage *msg, const PastryEnv *env);

/* The joining node will not get the reply msg stands for (a JOIN_REPLY,
 * or a second-stage ROW_REQUEST or ROW_REPLY, lost or unanswered): it goes
 * on without it; without the root's reply it starts over.  js NULL: no
 * effect. */
void pastry_join_missed (PastryJoin *js, PastryNode *node,
                         const PastryMessage *msg, const PastryEnv *env);

G_END_DECLS
