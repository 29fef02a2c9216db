/* pastry-outbox.h — what a sans-I/O protocol call asks its caller to do.
 *
 * Core's protocol modules (pastry-maint, pastry-join) never send, sleep or
 * report anything themselves: each call appends its effects, in the order
 * the protocol means them, to a caller-owned PastryOutbox, and the caller
 * carries them out in that order — messages through its transport, timers
 * through its clock, upcalls to its application or metrics.  The order is
 * part of the contract: a simulator that draws network delays or queue
 * sequence numbers while draining gets the same draws in the same order as
 * if the protocol had sent each message itself.
 *
 * Kinds of item:
 *   SEND    to, a PastryMessage (type, flags, fields, entries).  The entries
 *           are owned by the outbox until the caller takes the message with
 *           pastry_outbox_take_message().  `from` is the node the call was
 *           made for; `sent` is the `now` of the call.
 *   TIMER   arm timer `timer` (PastryTimerKind) of the node to fire after
 *           `delay` µs, with a 32-bit `cookie` handed back when it fires.
 *           Timers are never cancelled: a fired timer whose cookie is stale
 *           is ignored by the protocol (or, as in the simulator, by the
 *           caller's own incarnation check), which is cheaper than removal
 *           from an event queue.
 *   UPCALL  an event for the application or the measurements (`upcall`,
 *           PastryUpcallKind, about `peer`).
 */
#pragma once

#include "pastry-msg.h"

G_BEGIN_DECLS

typedef enum
{
  PASTRY_OUT_SEND,
  PASTRY_OUT_TIMER,
  PASTRY_OUT_UPCALL,
} PastryOutKind;

typedef enum
{
  PASTRY_TIMER_HEARTBEAT,   /* pastry_maint_heartbeat() */
  PASTRY_TIMER_PROBE_ROUND, /* pastry_maint_probe_round() */
  PASTRY_TIMER_JOIN,        /* pastry_join_timer(); cookie: the attempt */
} PastryTimerKind;

typedef enum
{
  /* The node declared peer dead (its probes went unanswered). */
  PASTRY_UPCALL_DECLARED_DEAD,
  /* The node learnt it had been declared dead by peer, and refutes it. */
  PASTRY_UPCALL_REFUTED,
  /* The joining node has its state: it is now a member of the overlay
   * (the caller starts its maintenance, pastry_maint_start()).  Its
   * announcements follow. */
  PASTRY_UPCALL_JOINED,
  /* The join is complete (after the announcements): the caller drops the
   * node's PastryJoin. */
  PASTRY_UPCALL_JOIN_DONE,
  /* The join starts over: the caller clears the node's routing state,
   * picks a bootstrap and calls pastry_join_attempt(). */
  PASTRY_UPCALL_JOIN_RESTART,
} PastryUpcallKind;

typedef struct
{
  guint8 kind;       /* PastryOutKind */
  guint8 timer;      /* TIMER: PastryTimerKind */
  guint8 upcall;     /* UPCALL: PastryUpcallKind */
  PastryPeer to;     /* SEND: destination; UPCALL: the peer it is about */
  guint32 cookie;    /* TIMER */
  guint64 delay;     /* TIMER: µs from the call's now */
  PastryMessage msg; /* SEND */
} PastryOutItem;

/* The outbox: a queue of items in protocol order.  Layout public so that
 * it can live on the caller's stack or in its state; use the functions. */
typedef struct
{
  PastryOutItem *items; /* owned; cap slots, len used */
  guint len, cap;
  PastryPeer self; /* the node the current call is for (SEND.from) */
  guint64 now;     /* the current call's time (SEND.sent) */
} PastryOutbox;

/* Initialises an empty outbox / frees it with every entry array still held
 * by an untaken SEND. */
void pastry_outbox_init (PastryOutbox *out);
void pastry_outbox_clear (PastryOutbox *out);

/* Starts a protocol call for node self at now: the outbox must be empty
 * (drained with pastry_outbox_reset()). */
void pastry_outbox_begin (PastryOutbox *out, PastryPeer self, guint64 now);

/* Number of items, and item i (valid until the next append or reset). */
static inline guint
pastry_outbox_len (const PastryOutbox *out)
{
  return out->len;
}
static inline PastryOutItem *
pastry_outbox_item (PastryOutbox *out, guint i)
{
  return &out->items[i];
}

/* Moves SEND item i's message into *dst: dst then owns the entries, and
 * the item holds none. */
void pastry_outbox_take_message (PastryOutbox *out, guint i,
                                 PastryMessage *dst);

/* Empties the outbox, freeing entries of SENDs not taken. */
void pastry_outbox_reset (PastryOutbox *out);

/* Appends a SEND of a new message of type about `about` to `to`, from the
 * current node at the current time.  Returns the message to fill (valid
 * until the next append): type, about, from, to and sent are set, every
 * other field is 0. */
PastryMessage *pastry_outbox_send (PastryOutbox *out, PastryPeer to,
                                   PastryMsgType type, PastryPeer about);

/* Appends n entries (copied) to message msg. */
void pastry_msg_add_entries (PastryMessage *msg, const PastryEntry *e, guint n);

/* Appends node's leaf set to msg, with unknown proximity (the receiver
 * measures its own). */
void pastry_msg_add_leafset (PastryMessage *msg, const PastryNode *node);

/* Appends a TIMER item. */
void pastry_outbox_timer (PastryOutbox *out, PastryTimerKind timer,
                          guint64 delay, guint32 cookie);

/* Appends an UPCALL item about peer. */
void pastry_outbox_upcall (PastryOutbox *out, PastryUpcallKind upcall,
                           PastryPeer peer);

G_END_DECLS
