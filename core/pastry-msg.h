/* pastry-msg.h — Pastry's message types, what each is for, and the size
 * model of a message on the wire.
 *
 * The protocol's vocabulary lives here, beside the protocol, so that the
 * simulator's measurement code can stay protocol-agnostic: it sees message
 * types only as numbered rows with a name and a class
 * (pastry_msg_type_class()).
 */
#pragma once

#include <glib.h>

#include "pastry-node.h"

G_BEGIN_DECLS

typedef enum
{
  PASTRY_MSG_LOOKUP,
  PASTRY_MSG_JOIN_REQUEST, /* joiner -> bootstrap */
  PASTRY_MSG_JOIN,         /* routed toward the joiner's id */
  PASTRY_MSG_JOIN_REPLY,   /* state from a node on the join path */
  PASTRY_MSG_ROW_REQUEST,  /* second join stage: ask a row */
  PASTRY_MSG_ROW_REPLY,
  PASTRY_MSG_ANNOUNCE,     /* the new node's arrival */
  PASTRY_MSG_LEAFSET_PUSH, /* a leaf set sent back to a newly announced
                              node */
  PASTRY_MSG_LOOKUP_ACK,   /* per-hop acknowledgement of a lookup */
  PASTRY_MSG_HEARTBEAT,    /* leaf-set keep-alive to the left neighbour */
  PASTRY_MSG_PROBE,        /* liveness probe of a table entry or suspect */
  PASTRY_MSG_PROBE_REPLY,
  PASTRY_MSG_LEAFSET_REQUEST, /* leaf-set repair: ask for a leaf set */
  PASTRY_MSG_LEAFSET_REPLY,
  PASTRY_MSG_LEAFSET_UPDATE, /* a repaired leaf set, naming the dead node */
  PASTRY_MSG_ENTRY_REQUEST,  /* table repair: ask for one slot's entry */
  PASTRY_MSG_ENTRY_REPLY,
  PASTRY_MSG_LEAVE, /* graceful departure, with the leaf set */
  PASTRY_MSG_N_TYPES
} PastryMsgType;

/* What a message is for, as traffic accounting sees it. */
typedef enum
{
  PASTRY_MSG_CLASS_LOOKUP,      /* lookup traffic: lookups and their acks */
  PASTRY_MSG_CLASS_JOIN,        /* the join protocol (also maintenance) */
  PASTRY_MSG_CLASS_MAINTENANCE, /* failure detection, repair, leaves */
} PastryMsgClass;

/* Message flags (PastryMessage.flags). */
#define PASTRY_MSG_FLAG_ROOT                                                   \
  1u /* JOIN_REPLY from the root: holds the                                    \
        leaf set */
#define PASTRY_MSG_FLAG_BOOTSTRAP                                              \
  2u                              /* JOIN_REPLY from the bootstrap:            \
                                     neighbours */
#define PASTRY_MSG_FLAG_REPAIR 4u /* sent because of a failure */
#define PASTRY_MSG_FLAG_BROADCAST                                              \
  8u /* LEAFSET_REQUEST: broadcast after                                       \
        the reply */
#define PASTRY_MSG_FLAG_TIMEOUT                                                \
  16u /* a request that found its target                                       \
         down */
#define PASTRY_MSG_FLAG_JOINING                                                \
  32u /* ROW_REQUEST/REPLY of a join's second                                  \
         stage */
#define PASTRY_MSG_FLAG_LEAF                                                   \
  64u /* ANNOUNCE to a leaf-set member:                                        \
         answered; JOIN: acknowledged hop by                                   \
         hop (both only without oracle                                         \
         hints) */
#define PASTRY_MSG_FLAG_ACKED PASTRY_MSG_FLAG_LEAF
#define PASTRY_MSG_FLAG_VERIFY                                                 \
  128u /* PROBE(_REPLY) checking a peer heard                                  \
          of from others before it enters the                                  \
          leaf set */

/* A protocol message other than a lookup (lookups travel as PastryLookup).
 * Which fields mean something depends on the type; entries are owned by
 * whoever holds the message. */
typedef struct
{
  guint8 type; /* PastryMsgType */
  guint8 hops;
  guint8 row;
  guint8 flags; /* PASTRY_MSG_FLAG_* */
  guint8 attempt;
  guint8 col;
  PastryPeer from;
  PastryPeer to;
  PastryPeer about; /* the node the message is about: the joiner (JOIN*),
                       the dead, leaving or probed node (the others) */
  guint32 n_entries;
  guint32 epoch; /* LEAFSET_UPDATE: incarnation of the dead node when it
                    was declared dead (node ids carry an epoch, so a death
                    notice never removes a later life of the same id) */
  guint64 sent;  /* when it was sent (the sender's clock, for RTTs) */
  PastryEntry *entries;
} PastryMessage;

/* The type's name in messages.csv ("lookup", "join_request", ...).
 * (transfer none) */
const char *pastry_msg_type_name (PastryMsgType type);

PastryMsgClass pastry_msg_type_class (PastryMsgType type);

/* Bytes of a message of type carrying n_ids node ids: a header of
 * header_bytes (addresses, type, length), id_bytes per id carried (an id
 * and an address; the sender is the first), and a lookup's 16-byte key. */
guint pastry_msg_size (PastryMsgType type, guint n_ids, guint header_bytes,
                       guint id_bytes);

G_END_DECLS
