/* pastry-wire.h — Pastry's wire format: a PastryMessage or a PastryLookup
 * as one datagram, and a decoder safe against hostile input.
 *
 * Core does no I/O: the caller owns the sockets and the table of peers.
 * Inside a process peers are PastryPeer handles; on the wire a peer is its
 * node id and a transport address (PastryWireAddr, opaque validated bytes:
 * core never opens a socket).  The caller supplies the mapping both ways
 * through PastryWirePeers: describe a handle when encoding, intern an
 * (id, address) into a handle when decoding (it may refuse).
 *
 * Layout, version 2 (version 1 had no FAILED flag on LOOKUP_ACK).  Integers are
 * little-endian; an id is its 16 bytes in pastry_id_to_bytes() order (most
 * significant first, so a hex dump shows the id as printed); address bytes are
 * in network order, as in a sockaddr.  Offsets in bytes.
 *
 *   Every datagram
 *     0  magic       2  0x50 0x57 ("PW")
 *     2  version     1  PASTRY_WIRE_VERSION (exactly)
 *     3  type        1  PastryMsgType, < PASTRY_MSG_N_TYPES
 *
 *   A message (every type but LOOKUP): PASTRY_WIRE_MSG_FIXED = 31 bytes,
 *   then the peers
 *     4  flags       1  only the flags the type may carry (below)
 *     5  hops        1  0..255
 *     6  row         1  < ceil(128 / b) (the receiver's b)
 *     7  col         1  < 2^b
 *     8  attempt     1  0..255
 *     9  n_entries   2  0..PASTRY_WIRE_MAX_ENTRIES (48)
 *    11  epoch       4  any
 *    15  sent        8  any (the sender's clock)
 *    23  tag         8  any: LOOKUP_ACK carries its lookup's tag; a
 *                       request may carry one its reply echoes; else 0
 *    31  from        peer (present)
 *        to          peer (present)
 *        about       peer (present, or the 1-byte "none")
 *        entries     n_entries x (peer (present), prox 4: any guint32,
 *                    G_MAXUINT32 = PASTRY_PROX_UNKNOWN)
 *
 *   Flags a type may carry (PASTRY_MSG_FLAG_*; any other bit is refused,
 *   TIMEOUT, which marks a request the simulator bounced, always):
 *     JOIN ACKED; JOIN_REPLY ROOT, BOOTSTRAP; ROW_REQUEST, ROW_REPLY
 *     JOINING; ANNOUNCE LEAF; PROBE, PROBE_REPLY REPAIR, VERIFY;
 *     LEAFSET_REQUEST, LEAFSET_REPLY REPAIR, BROADCAST; LEAFSET_UPDATE,
 *     ENTRY_REQUEST, ENTRY_REPLY, LEAVE REPAIR; LOOKUP_ACK
 *     PASTRY_WIRE_FLAG_FAILED; the other types none.
 *
 *   A lookup (type LOOKUP): PASTRY_WIRE_LOOKUP_FIXED = 49 bytes, then the
 *   peers
 *     4  hops        1  1..PASTRY_LOOKUP_MAX_HOPS - 1 (a sent lookup has
 *                       made at least one hop)
 *     5  n_avoid     1  0..PASTRY_LOOKUP_AVOID
 *     6  avoid_hard  1  bits n_avoid..7 clear
 *     7  retries     2  0..65535
 *     9  tag         8  any: the live driver's lookup tag
 *    17  key        16  any id
 *    33  issued      8  any (the source's clock)
 *    41  sent        8  any (hop_sent: the sender's clock)
 *    49  src         peer (present)
 *        from        peer (present): the sender, PastryLookup.at
 *        to          peer (present)
 *        avoid       n_avoid x peer (present), ids pairwise distinct
 *
 *   A peer
 *     0  family      1  PASTRY_WIRE_ADDR_IPV4 (4) or _IPV6 (6); 0 = none
 *                       (about only; then nothing follows)
 *     1  id         16
 *    17  address  4|16  not all zero (the unspecified address)
 *  21|33 port        2  1..65535
 *   -> 23 bytes (IPv4) or 35 (IPv6); an entry 27 or 39.
 *
 * Size: at most PASTRY_WIRE_MAX_DATAGRAM = 1,400 bytes of UDP payload: with
 * IPv6 and UDP headers (48 bytes) it fits a 1,500-byte MTU with 52 bytes
 * to spare for tunnels.  A message of 32 IPv6 entries (a leaf set of
 * L = 32, or a neighbourhood set of M = 32) takes 31 + 3 x 35 + 32 x 39 =
 * 1,384 bytes; 48 IPv4 entries 31 + 3 x 23 + 48 x 27 = 1,396.  A message
 * whose encoding would be longer (a join reply holding routing rows, the
 * neighbourhood and the leaf set at once) is not encoded:
 * pastry_wire_encode_message() fails with TOO_BIG and the caller must send
 * fewer entries (pastry_wire_message_size() tells the size first).  A
 * lookup takes at most 49 + 7 x 35 = 294 bytes.
 *
 * Versioning: a decoder accepts its own version only (all nodes of an
 * overlay speak one).  Adding a field: bump PASTRY_WIRE_VERSION, append the
 * field to the fixed part (after tag, or after sent for a lookup),
 * update *_FIXED, this table and the field's check; the round-trip test
 * covers the rest.
 *
 * Conventions (what a second implementation must also do to talk to
 * `pastrysim live`, sim/livehost; the decoder does not check them):
 *
 *   Datagrams.  One message per datagram, from the sending node's own
 *     socket; its `from` peer carries that socket's address (never the
 *     unspecified one).  A datagram whose `to` is not the receiving
 *     node's id is for a former owner of the port: dropped.
 *   Times.  `sent`, a lookup's `issued` and `sent` are µs of the
 *     real-time clock (the Unix epoch) divided by the run's time scale
 *     (every process of an overlay runs one scale); a receiver takes a
 *     time ahead of its own clock as now.  Proximities in entries are µs
 *     of one-way delay as the sender measures it, or PASTRY_PROX_UNKNOWN.
 *     `epoch` is 0 (live nodes send no death epochs).
 *   Bootstrap: the id 0.  A node joining through an address whose id it
 *     does not know sends its JOIN_REQUEST to the peer (id 0, that
 *     address); the receiver takes a JOIN_REQUEST to id 0 as addressed to
 *     itself.  A peer with id 0 is never a node: it enters no table and
 *     no oracle.
 *   Requests and replies.  A PROBE, LEAFSET_REQUEST, ENTRY_REQUEST or
 *     ROW_REQUEST whose sender waits for the answer carries a nonzero tag
 *     (the sender's choice); the reply of the matching type to the
 *     requester (PROBE_REPLY, LEAFSET_REPLY, ENTRY_REPLY, ROW_REPLY)
 *     echoes it.  Silence for probe_timeout is a lost request.
 *   Acknowledged messages.  A JOIN flagged ACKED and an ANNOUNCE flagged
 *     LEAF carry a nonzero tag; the receiver at once sends a LOOKUP_ACK
 *     with that tag, about none, to the sender.  Silence for
 *     probe_timeout: the JOIN is routed around the silent node, the
 *     announced-to leaf-set member is suspected.
 *   Lookups.  A LOOKUP's tag is the source's lookup id in its high 40
 *     bits (pastrysim: a 16-bit process nonce, never 0, and a 24-bit
 *     lookup number) and a hop number in its low 24 bits, which each
 *     sender of a hop sets afresh.  The receiver of a hop acknowledges it
 *     at once: LOOKUP_ACK, tag echoed, about none.  The node where a
 *     lookup of another process ends reports to its `src`: a LOOKUP_ACK
 *     with the tag's low 24 bits cleared, `about` = the reporting node,
 *     `hops` = the lookup's hops — delivered there, or, flagged
 *     PASTRY_WIRE_FLAG_FAILED, given up there.  A report is not
 *     acknowledged; a source that hears nothing fails the lookup after
 *     lookup_timeout (plus a second).  (A per-hop ack has about none; a
 *     report never does.)
 *   Too big.  A message over PASTRY_WIRE_MAX_DATAGRAM keeps its last
 *     entries; its first ones go ahead of it in LEAFSET_PUSH datagrams
 *     (from and to as the message, about = from, at most 40 entries each,
 *     tag 0), which a receiver offers as peers like any leaf-set push.
 *
 * The size model (pastry_msg_size(), default 40 + 20 per id) is the
 * simulator's bandwidth accounting and is not this format: see
 * core/README.md, "Wire format".
 */
#pragma once

#include "pastry-lookup.h"
#include "pastry-msg.h"
#include "pastry-node.h"

G_BEGIN_DECLS

#define PASTRY_WIRE_VERSION 2
/* LOOKUP_ACK only: a lookup report (about set) saying the lookup failed
 * at `about` instead of being delivered there (see "Conventions"). */
#define PASTRY_WIRE_FLAG_FAILED 1u
#define PASTRY_WIRE_MAGIC0 0x50 /* 'P' */
#define PASTRY_WIRE_MAGIC1 0x57 /* 'W' */
#define PASTRY_WIRE_MAX_DATAGRAM 1400
#define PASTRY_WIRE_MSG_FIXED 31
#define PASTRY_WIRE_LOOKUP_FIXED 49
#define PASTRY_WIRE_PEER_IPV4 23 /* bytes of a peer with an IPv4 address */
#define PASTRY_WIRE_PEER_IPV6 35
#define PASTRY_WIRE_PEER_NONE 1
#define PASTRY_WIRE_PROX_BYTES 4
/* Entries a message may carry: as many IPv4 entries as fit beside the
 * smallest header (from, to IPv4, about none). */
#define PASTRY_WIRE_MAX_ENTRIES 48

/* Address families on the wire (the family byte of a peer). */
#define PASTRY_WIRE_ADDR_NONE 0
#define PASTRY_WIRE_ADDR_IPV4 4
#define PASTRY_WIRE_ADDR_IPV6 6

/* A transport address.  family is PASTRY_WIRE_ADDR_IPV4 (bytes 0..3 hold
 * the address, the rest zero) or PASTRY_WIRE_ADDR_IPV6; bytes in network
 * order; port in host order, never 0. */
typedef struct
{
  guint8 family;
  guint8 bytes[16];
  guint16 port;
} PastryWireAddr;

#define PASTRY_WIRE_ERROR (pastry_wire_error_quark ())

/* Why a datagram was refused (or a message could not be encoded). */
typedef enum
{
  PASTRY_WIRE_ERROR_TRUNCATED,      /* ends inside a field */
  PASTRY_WIRE_ERROR_TOO_BIG,        /* over PASTRY_WIRE_MAX_DATAGRAM */
  PASTRY_WIRE_ERROR_BAD_MAGIC,      /* not "PW" */
  PASTRY_WIRE_ERROR_BAD_VERSION,    /* not PASTRY_WIRE_VERSION */
  PASTRY_WIRE_ERROR_BAD_TYPE,       /* type >= PASTRY_MSG_N_TYPES */
  PASTRY_WIRE_ERROR_BAD_FLAGS,      /* a flag the type does not carry */
  PASTRY_WIRE_ERROR_BAD_FIELD,      /* row, col, hops, avoid list... */
  PASTRY_WIRE_ERROR_TOO_MANY_PEERS, /* over PASTRY_WIRE_MAX_ENTRIES */
  PASTRY_WIRE_ERROR_BAD_ADDRESS,    /* family, zero address or port */
  PASTRY_WIRE_ERROR_TRAILING,       /* bytes after the last field */
  PASTRY_WIRE_ERROR_REFUSED,        /* intern() refused a peer */
  PASTRY_WIRE_ERROR_UNKNOWN_PEER,   /* describe() does not know a handle */
  PASTRY_WIRE_N_ERRORS
} PastryWireError;

/* The caller's mapping between handles and (id, address).  Both functions
 * receive the data pointer given with the table.
 *
 * describe: writes the id and address of peer; returns FALSE when peer is
 * unknown (the encoder then fails with UNKNOWN_PEER).
 * intern: returns in *peer the handle of (id, addr), creating it if need
 * be; returns FALSE to refuse (the decoder then fails with REFUSED).  It
 * is called only once the whole datagram has been validated, once per
 * peer occurrence in order (from, to, about, entries; for a lookup src,
 * from, to, avoid), so it may see one peer several times. */
typedef struct
{
  gboolean (*describe) (gpointer data, PastryPeer peer, PastryId *id,
                        PastryWireAddr *addr);
  gboolean (*intern) (gpointer data, const PastryId *id,
                      const PastryWireAddr *addr, PastryPeer *peer);
} PastryWirePeers;

/* A decoded datagram.  type says which member is set: lookup for
 * PASTRY_MSG_LOOKUP (its resent and leaf_hop are 0: they are the holder's
 * state), msg otherwise.  msg.entries is owned (g_free, or
 * pastry_wire_frame_clear()); NULL when there are none. */
typedef struct
{
  PastryMsgType type;
  guint64 tag;
  PastryMessage msg;
  PastryLookup lookup;
} PastryWireFrame;

/* Bad datagrams seen by a receiver, in all and per error code. */
typedef struct
{
  guint64 bad_datagrams;
  guint64 by_code[PASTRY_WIRE_N_ERRORS];
} PastryWireStats;

GQuark pastry_wire_error_quark (void);

/* The error code's name ("truncated", "bad_magic", ...). (transfer none) */
const char *pastry_wire_error_name (PastryWireError code);

/* TRUE when flags (PASTRY_MSG_FLAG_*) may travel with a message of type
 * (never for LOOKUP, which has no flags). */
gboolean pastry_wire_flags_valid (PastryMsgType type, guint flags);

/* Validates an address: family IPv4 or IPv6, not the all-zero address,
 * port not 0, and for IPv4 bytes 4..15 zero. */
gboolean pastry_wire_addr_valid (const PastryWireAddr *addr);

/* Bytes the encoding of msg takes (the peers' families come from
 * describe), or 0 when describe does not know one of them.  May exceed
 * PASTRY_WIRE_MAX_DATAGRAM. */
gsize pastry_wire_message_size (const PastryMessage *msg,
                                const PastryWirePeers *peers, gpointer data);

/* Encodes msg (any type but LOOKUP; flags valid for its type; from and to
 * set; entries' peers set) with tag into buf (size bytes; a buffer of
 * PASTRY_WIRE_MAX_DATAGRAM always suffices) and sets *len.  Returns FALSE
 * with error set (TOO_BIG: over PASTRY_WIRE_MAX_DATAGRAM or size;
 * UNKNOWN_PEER; BAD_ADDRESS: describe gave an invalid address), and buf
 * unspecified.  Cost O(n_entries) plus the describe calls. */
gboolean pastry_wire_encode_message (const PastryMessage *msg, guint64 tag,
                                     const PastryWirePeers *peers,
                                     gpointer data, guint8 *buf, gsize size,
                                     gsize *len, GError **error);

/* Encodes the lookup lk as sent by lk->at to lk->to (hops 1..63), with the
 * lookup tag tag.  As pastry_wire_encode_message() otherwise; a lookup is
 * never TOO_BIG for a PASTRY_WIRE_MAX_DATAGRAM buffer. */
gboolean pastry_wire_encode_lookup (const PastryLookup *lk, guint64 tag,
                                    const PastryWirePeers *peers, gpointer data,
                                    guint8 *buf, gsize size, gsize *len,
                                    GError **error);

/* Decodes the datagram data[0..len) for a node of configuration cfg (its
 * b bounds row and col).  Validates every field first (see the layout
 * above), then interns the peers.  On success fills *out (owned: clear it
 * with pastry_wire_frame_clear()) and returns TRUE.  On failure returns
 * FALSE with error set (PASTRY_WIRE_ERROR, message "byte N: ..."), *out
 * zeroed and nothing allocated; peers interned before a refusal stay
 * interned.  Never allocates more than n_entries entries, and only after
 * the datagram has been checked to hold them.  data may be NULL when len
 * is 0. */
gboolean pastry_wire_decode (const guint8 *data, gsize len,
                             const PastryConfig *cfg,
                             const PastryWirePeers *peers, gpointer peers_data,
                             PastryWireFrame *out, GError **error);

/* Frees what a decoded frame owns and zeroes it. */
void pastry_wire_frame_clear (PastryWireFrame *frame);

/* Counts a datagram that failed to decode with error (a PASTRY_WIRE_ERROR;
 * others count in bad_datagrams only). */
void pastry_wire_stats_count (PastryWireStats *stats, const GError *error);

G_END_DECLS
