/* pastry-wire.c — encoding and decoding datagrams (layout: pastry-wire.h).
 *
 * Invariant: whatever encodes decodes, to the same message, and whatever
 * decodes re-encodes to the same bytes (tests/test-wire.c checks both, the
 * second on mutated datagrams too).  The decoder works in two passes: the
 * first reads every field into a bounded, stack-held RawFrame and checks
 * it, touching neither the heap nor the caller's peer table; the second,
 * reached only by a valid datagram, interns the peers and allocates the
 * entries (at most PASTRY_WIRE_MAX_ENTRIES).  So a bad datagram costs no
 * allocation and leaves no half-interned peers behind.
 *
 * Cost: O(datagram length) plus one callback per peer carried.
 *
 * Rejected: a type-length-value layout (every field tagged, unknown tags
 * skipped).  It would let versions mix, but costs code, bytes and a
 * second way of being wrong; the nodes of one overlay speak one version.
 */
#include "pastry-wire.h"

#include <string.h>

G_DEFINE_QUARK (pastry - wire - error - quark, pastry_wire_error)

G_STATIC_ASSERT (PASTRY_WIRE_MSG_FIXED + 2 * PASTRY_WIRE_PEER_IPV4
                     + PASTRY_WIRE_PEER_NONE
                     + PASTRY_WIRE_MAX_ENTRIES
                           * (PASTRY_WIRE_PEER_IPV4 + PASTRY_WIRE_PROX_BYTES)
                 <= PASTRY_WIRE_MAX_DATAGRAM);
G_STATIC_ASSERT (PASTRY_WIRE_MSG_FIXED + 2 * PASTRY_WIRE_PEER_IPV4
                     + PASTRY_WIRE_PEER_NONE
                     + (PASTRY_WIRE_MAX_ENTRIES + 1)
                           * (PASTRY_WIRE_PEER_IPV4 + PASTRY_WIRE_PROX_BYTES)
                 > PASTRY_WIRE_MAX_DATAGRAM);
G_STATIC_ASSERT (PASTRY_WIRE_LOOKUP_FIXED
                     + (3 + PASTRY_LOOKUP_AVOID) * PASTRY_WIRE_PEER_IPV6
                 <= PASTRY_WIRE_MAX_DATAGRAM);
G_STATIC_ASSERT (PASTRY_LOOKUP_AVOID <= 8); /* avoid_hard is one byte */

/* The flags each type may carry on the wire, from the protocol's use of
 * them (pastry-msg.h).  TIMEOUT marks a request the simulator bounced back
 * to its sender and never travels.  A new flag must be added here. */
static const guint8 flags_of_type[PASTRY_MSG_N_TYPES] = {
  [PASTRY_MSG_LOOKUP] = 0,
  [PASTRY_MSG_JOIN_REQUEST] = 0,
  [PASTRY_MSG_JOIN] = PASTRY_MSG_FLAG_ACKED,
  [PASTRY_MSG_JOIN_REPLY] = PASTRY_MSG_FLAG_ROOT | PASTRY_MSG_FLAG_BOOTSTRAP,
  [PASTRY_MSG_ROW_REQUEST] = PASTRY_MSG_FLAG_JOINING,
  [PASTRY_MSG_ROW_REPLY] = PASTRY_MSG_FLAG_JOINING,
  [PASTRY_MSG_ANNOUNCE] = PASTRY_MSG_FLAG_LEAF,
  [PASTRY_MSG_LEAFSET_PUSH] = 0,
  [PASTRY_MSG_LOOKUP_ACK] = PASTRY_WIRE_FLAG_FAILED,
  [PASTRY_MSG_HEARTBEAT] = 0,
  [PASTRY_MSG_PROBE] = PASTRY_MSG_FLAG_REPAIR | PASTRY_MSG_FLAG_VERIFY,
  [PASTRY_MSG_PROBE_REPLY] = PASTRY_MSG_FLAG_REPAIR | PASTRY_MSG_FLAG_VERIFY,
  [PASTRY_MSG_LEAFSET_REQUEST]
  = PASTRY_MSG_FLAG_REPAIR | PASTRY_MSG_FLAG_BROADCAST,
  [PASTRY_MSG_LEAFSET_REPLY]
  = PASTRY_MSG_FLAG_REPAIR | PASTRY_MSG_FLAG_BROADCAST,
  [PASTRY_MSG_LEAFSET_UPDATE] = PASTRY_MSG_FLAG_REPAIR,
  [PASTRY_MSG_ENTRY_REQUEST] = PASTRY_MSG_FLAG_REPAIR,
  [PASTRY_MSG_ENTRY_REPLY] = PASTRY_MSG_FLAG_REPAIR,
  [PASTRY_MSG_LEAVE] = PASTRY_MSG_FLAG_REPAIR,
};

static const char *const error_names[PASTRY_WIRE_N_ERRORS] = {
  "truncated",   "too_big",   "bad_magic", "bad_version",
  "bad_type",    "bad_flags", "bad_field", "too_many_peers",
  "bad_address", "trailing",  "refused",   "unknown_peer",
};

const char *
pastry_wire_error_name (PastryWireError code)
{
  g_return_val_if_fail (code < PASTRY_WIRE_N_ERRORS, "?");
  return error_names[code];
}

gboolean
pastry_wire_flags_valid (PastryMsgType type, guint flags)
{
  return type < PASTRY_MSG_N_TYPES && type != PASTRY_MSG_LOOKUP
         && (flags & ~(guint) flags_of_type[type]) == 0;
}

gboolean
pastry_wire_addr_valid (const PastryWireAddr *addr)
{
  guint n;

  g_return_val_if_fail (addr != NULL, FALSE);
  if (addr->family == PASTRY_WIRE_ADDR_IPV4)
    n = 4;
  else if (addr->family == PASTRY_WIRE_ADDR_IPV6)
    n = 16;
  else
    return FALSE;
  if (addr->port == 0)
    return FALSE;
  for (guint i = n; i < 16; i++)
    if (addr->bytes[i] != 0)
      return FALSE;
  for (guint i = 0; i < n; i++)
    if (addr->bytes[i] != 0)
      return TRUE;
  return FALSE; /* the unspecified address */
}

static gsize
addr_len (guint8 family)
{
  return family == PASTRY_WIRE_ADDR_IPV4 ? 4 : 16;
}

/* ---- Encoding ---- */

/* A bounded output buffer; a write past its end sets overflow. */
typedef struct
{
  guint8 *buf;
  gsize size;
  gsize pos;
  gboolean overflow;
} Writer;

static void
put (Writer *w, const void *p, gsize n)
{
  if (w->overflow || n > w->size - w->pos)
    {
      w->overflow = TRUE;
      return;
    }
  memcpy (w->buf + w->pos, p, n);
  w->pos += n;
}

static void
put_le (Writer *w, guint64 v, guint n)
{
  guint8 b[8];
  for (guint i = 0; i < n; i++)
    b[i] = (guint8) (v >> (8 * i));
  put (w, b, n);
}

static gboolean
describe (const PastryWirePeers *peers, gpointer data, PastryPeer peer,
          const char *what, PastryId *id, PastryWireAddr *addr, GError **error)
{
  memset (addr, 0, sizeof *addr);
  if (peer == PASTRY_PEER_NONE || !peers->describe (data, peer, id, addr))
    {
      g_set_error (error, PASTRY_WIRE_ERROR, PASTRY_WIRE_ERROR_UNKNOWN_PEER,
                   "%s: peer %u is unknown", what, peer);
      return FALSE;
    }
  if (!pastry_wire_addr_valid (addr))
    {
      g_set_error (error, PASTRY_WIRE_ERROR, PASTRY_WIRE_ERROR_BAD_ADDRESS,
                   "%s: peer %u has an invalid address", what, peer);
      return FALSE;
    }
  return TRUE;
}

/* Writes peer (or the "none" peer when allowed); returns its id in *id
 * when id is not NULL. */
static gboolean
put_peer (Writer *w, const PastryWirePeers *peers, gpointer data,
          PastryPeer peer, gboolean allow_none, const char *what, PastryId *id,
          GError **error)
{
  PastryId pid;
  PastryWireAddr addr;
  guint8 idb[PASTRY_ID_BYTES];

  if (peer == PASTRY_PEER_NONE && allow_none)
    {
      put_le (w, PASTRY_WIRE_ADDR_NONE, 1);
      return TRUE;
    }
  if (!describe (peers, data, peer, what, &pid, &addr, error))
    return FALSE;
  pastry_id_to_bytes (&pid, idb);
  put_le (w, addr.family, 1);
  put (w, idb, sizeof idb);
  put (w, addr.bytes, addr_len (addr.family));
  put_le (w, addr.port, 2);
  if (id != NULL)
    *id = pid;
  return TRUE;
}

static gboolean
finish (Writer *w, gsize *len, GError **error)
{
  if (w->overflow)
    {
      g_set_error (error, PASTRY_WIRE_ERROR, PASTRY_WIRE_ERROR_TOO_BIG,
                   "the datagram would exceed %" G_GSIZE_FORMAT " bytes",
                   w->size);
      return FALSE;
    }
  *len = w->pos;
  return TRUE;
}

static void
put_header (Writer *w, guint type)
{
  put_le (w, PASTRY_WIRE_MAGIC0, 1);
  put_le (w, PASTRY_WIRE_MAGIC1, 1);
  put_le (w, PASTRY_WIRE_VERSION, 1);
  put_le (w, type, 1);
}

gsize
pastry_wire_message_size (const PastryMessage *msg,
                          const PastryWirePeers *peers, gpointer data)
{
  PastryId id;
  PastryWireAddr addr;
  gsize n = PASTRY_WIRE_MSG_FIXED;

  g_return_val_if_fail (msg != NULL && peers != NULL, 0);
  for (guint i = 0; i < 3 + msg->n_entries; i++)
    {
      PastryPeer p = i == 0   ? msg->from
                     : i == 1 ? msg->to
                     : i == 2 ? msg->about
                              : msg->entries[i - 3].peer;
      if (i == 2 && p == PASTRY_PEER_NONE)
        {
          n += PASTRY_WIRE_PEER_NONE;
          continue;
        }
      if (!describe (peers, data, p, "peer", &id, &addr, NULL))
        return 0;
      n += addr.family == PASTRY_WIRE_ADDR_IPV4 ? PASTRY_WIRE_PEER_IPV4
                                                : PASTRY_WIRE_PEER_IPV6;
      if (i >= 3)
        n += PASTRY_WIRE_PROX_BYTES;
    }
  return n;
}

gboolean
pastry_wire_encode_message (const PastryMessage *msg, guint64 tag,
                            const PastryWirePeers *peers, gpointer data,
                            guint8 *buf, gsize size, gsize *len, GError **error)
{
  Writer w = { buf, MIN (size, PASTRY_WIRE_MAX_DATAGRAM), 0, FALSE };

  g_return_val_if_fail (
      msg != NULL && peers != NULL && buf != NULL && len != NULL, FALSE);
  g_return_val_if_fail (pastry_wire_flags_valid (msg->type, msg->flags), FALSE);
  g_return_val_if_fail (msg->n_entries == 0 || msg->entries != NULL, FALSE);
  if (msg->n_entries > PASTRY_WIRE_MAX_ENTRIES)
    {
      g_set_error (error, PASTRY_WIRE_ERROR, PASTRY_WIRE_ERROR_TOO_BIG,
                   "%u entries: more than %u", msg->n_entries,
                   PASTRY_WIRE_MAX_ENTRIES);
      return FALSE;
    }
  put_header (&w, msg->type);
  put_le (&w, msg->flags, 1);
  put_le (&w, msg->hops, 1);
  put_le (&w, msg->row, 1);
  put_le (&w, msg->col, 1);
  put_le (&w, msg->attempt, 1);
  put_le (&w, msg->n_entries, 2);
  put_le (&w, msg->epoch, 4);
  put_le (&w, msg->sent, 8);
  put_le (&w, tag, 8);
  g_assert (w.overflow || w.pos == PASTRY_WIRE_MSG_FIXED);
  if (!put_peer (&w, peers, data, msg->from, FALSE, "from", NULL, error)
      || !put_peer (&w, peers, data, msg->to, FALSE, "to", NULL, error)
      || !put_peer (&w, peers, data, msg->about, TRUE, "about", NULL, error))
    return FALSE;
  for (guint i = 0; i < msg->n_entries; i++)
    {
      if (!put_peer (&w, peers, data, msg->entries[i].peer, FALSE, "entry",
                     NULL, error))
        return FALSE;
      put_le (&w, msg->entries[i].prox, 4);
    }
  return finish (&w, len, error);
}

gboolean
pastry_wire_encode_lookup (const PastryLookup *lk, guint64 tag,
                           const PastryWirePeers *peers, gpointer data,
                           guint8 *buf, gsize size, gsize *len, GError **error)
{
  Writer w = { buf, MIN (size, PASTRY_WIRE_MAX_DATAGRAM), 0, FALSE };
  PastryId avoid_ids[PASTRY_LOOKUP_AVOID];
  guint8 key[PASTRY_ID_BYTES];

  g_return_val_if_fail (
      lk != NULL && peers != NULL && buf != NULL && len != NULL, FALSE);
  g_return_val_if_fail (lk->hops >= 1 && lk->hops < PASTRY_LOOKUP_MAX_HOPS,
                        FALSE);
  g_return_val_if_fail (lk->n_avoid <= PASTRY_LOOKUP_AVOID, FALSE);
  put_header (&w, PASTRY_MSG_LOOKUP);
  put_le (&w, lk->hops, 1);
  put_le (&w, lk->n_avoid, 1);
  /* Bits past n_avoid mean nothing (pastry-lookup.c); they travel as 0. */
  put_le (&w, lk->avoid_hard & ((1u << lk->n_avoid) - 1u), 1);
  put_le (&w, lk->retries, 2);
  put_le (&w, tag, 8);
  pastry_id_to_bytes (&lk->key, key);
  put (&w, key, sizeof key);
  put_le (&w, lk->issued, 8);
  put_le (&w, lk->hop_sent, 8);
  g_assert (w.overflow || w.pos == PASTRY_WIRE_LOOKUP_FIXED);
  if (!put_peer (&w, peers, data, lk->src, FALSE, "src", NULL, error)
      || !put_peer (&w, peers, data, lk->at, FALSE, "from", NULL, error)
      || !put_peer (&w, peers, data, lk->to, FALSE, "to", NULL, error))
    return FALSE;
  for (guint i = 0; i < lk->n_avoid; i++)
    {
      if (!put_peer (&w, peers, data, lk->avoid[i], FALSE, "avoid",
                     &avoid_ids[i], error))
        return FALSE;
      for (guint j = 0; j < i; j++)
        if (pastry_id_equal (&avoid_ids[i], &avoid_ids[j]))
          {
            g_set_error (error, PASTRY_WIRE_ERROR, PASTRY_WIRE_ERROR_BAD_FIELD,
                         "avoid: peers %u and %u have the same id",
                         lk->avoid[j], lk->avoid[i]);
            return FALSE;
          }
    }
  return finish (&w, len, error);
}

/* ---- Decoding ---- */

/* A peer as read; addr.family PASTRY_WIRE_ADDR_NONE for "none". */
typedef struct
{
  PastryId id;
  PastryWireAddr addr;
} RawPeer;

/* A datagram as read and checked, before any peer is interned. */
typedef struct
{
  guint8 type;
  guint8 flags, hops, row, col, attempt, n_avoid, avoid_hard;
  guint16 retries;
  guint n_entries;
  guint32 epoch;
  guint64 sent, tag, issued;
  PastryId key;
  guint n_peers; /* message: 3 + n_entries; lookup: 3 + n_avoid */
  RawPeer peers[3 + PASTRY_WIRE_MAX_ENTRIES];
  guint32 prox[PASTRY_WIRE_MAX_ENTRIES];
} RawFrame;

typedef struct
{
  const guint8 *data;
  gsize len;
  gsize pos;
  GError **error;
} Reader;

static gboolean fail (Reader *r, gsize at, PastryWireError code,
                      const char *fmt, ...) G_GNUC_PRINTF (4, 5);

/* Sets the reader's error: "byte AT: text".  Returns FALSE. */
static gboolean
fail (Reader *r, gsize at, PastryWireError code, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *text = NULL;

  va_start (ap, fmt);
  text = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (r->error, PASTRY_WIRE_ERROR, code,
               "byte %" G_GSIZE_FORMAT ": %s", at, text);
  return FALSE;
}

/* The next n bytes, or NULL (TRUNCATED) when the datagram ends first. */
static const guint8 *
take (Reader *r, gsize n, const char *what)
{
  const guint8 *p;

  if (n > r->len - r->pos)
    {
      fail (r, r->pos, PASTRY_WIRE_ERROR_TRUNCATED,
            "truncated in %s (%" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT
            " bytes)",
            what, r->len - r->pos, n);
      return NULL;
    }
  p = r->data + r->pos;
  r->pos += n;
  return p;
}

static gboolean
get_le (Reader *r, guint n, const char *what, guint64 *v)
{
  const guint8 *p = take (r, n, what);

  if (p == NULL)
    return FALSE;
  *v = 0;
  for (guint i = 0; i < n; i++)
    *v |= (guint64) p[i] << (8 * i);
  return TRUE;
}

static gboolean
get_peer (Reader *r, gboolean allow_none, const char *what, RawPeer *out)
{
  gsize at = r->pos;
  guint64 family, port;
  const guint8 *p;

  memset (out, 0, sizeof *out);
  if (!get_le (r, 1, what, &family))
    return FALSE;
  if (family == PASTRY_WIRE_ADDR_NONE && allow_none)
    return TRUE;
  if (family != PASTRY_WIRE_ADDR_IPV4 && family != PASTRY_WIRE_ADDR_IPV6)
    return fail (r, at, PASTRY_WIRE_ERROR_BAD_ADDRESS,
                 "%s: address family %u%s", what, (guint) family,
                 family == PASTRY_WIRE_ADDR_NONE ? " (none) not allowed here"
                                                 : " unknown");
  out->addr.family = (guint8) family;
  if ((p = take (r, PASTRY_ID_BYTES, what)) == NULL)
    return FALSE;
  out->id = pastry_id_from_bytes (p, PASTRY_ID_BYTES);
  if ((p = take (r, addr_len (out->addr.family), what)) == NULL)
    return FALSE;
  memcpy (out->addr.bytes, p, addr_len (out->addr.family));
  if (!get_le (r, 2, what, &port))
    return FALSE;
  out->addr.port = (guint16) port;
  if (!pastry_wire_addr_valid (&out->addr))
    return fail (r, at, PASTRY_WIRE_ERROR_BAD_ADDRESS, "%s: %s", what,
                 port == 0 ? "port 0" : "unspecified (all-zero) address");
  return TRUE;
}

static gboolean
read_message (Reader *r, guint b, RawFrame *f)
{
  guint64 v[9];
  static const guint widths[9] = { 1, 1, 1, 1, 1, 2, 4, 8, 8 };
  static const char *const names[9]
      = { "flags",     "hops",  "row",  "col", "attempt",
          "n_entries", "epoch", "sent", "tag" };
  guint rows = (128 + b - 1) / b;

  for (guint i = 0; i < 9; i++)
    if (!get_le (r, widths[i], names[i], &v[i]))
      return FALSE;
  f->flags = (guint8) v[0];
  f->hops = (guint8) v[1];
  f->row = (guint8) v[2];
  f->col = (guint8) v[3];
  f->attempt = (guint8) v[4];
  f->n_entries = (guint) v[5];
  f->epoch = (guint32) v[6];
  f->sent = v[7];
  f->tag = v[8];
  if (!pastry_wire_flags_valid (f->type, f->flags))
    return fail (r, 4, PASTRY_WIRE_ERROR_BAD_FLAGS,
                 "flags 0x%02x not allowed for %s (allowed 0x%02x)", f->flags,
                 pastry_msg_type_name (f->type), flags_of_type[f->type]);
  if (f->row >= rows)
    return fail (r, 6, PASTRY_WIRE_ERROR_BAD_FIELD,
                 "row %u out of range (b = %u: 0..%u)", f->row, b, rows - 1);
  if (f->col >= 1u << b)
    return fail (r, 7, PASTRY_WIRE_ERROR_BAD_FIELD,
                 "col %u out of range (b = %u: 0..%u)", f->col, b,
                 (1u << b) - 1);
  if (f->n_entries > PASTRY_WIRE_MAX_ENTRIES)
    return fail (r, 9, PASTRY_WIRE_ERROR_TOO_MANY_PEERS,
                 "%u entries: more than %u", f->n_entries,
                 PASTRY_WIRE_MAX_ENTRIES);
  f->n_peers = 3 + f->n_entries;
  if (!get_peer (r, FALSE, "from", &f->peers[0])
      || !get_peer (r, FALSE, "to", &f->peers[1])
      || !get_peer (r, TRUE, "about", &f->peers[2]))
    return FALSE;
  for (guint i = 0; i < f->n_entries; i++)
    {
      guint64 prox;
      if (!get_peer (r, FALSE, "entry", &f->peers[3 + i])
          || !get_le (r, 4, "entry prox", &prox))
        return FALSE;
      f->prox[i] = (guint32) prox;
    }
  return TRUE;
}

static gboolean
read_lookup (Reader *r, RawFrame *f)
{
  guint64 hops, n_avoid, hard, retries, issued, sent;
  const guint8 *key;

  if (!get_le (r, 1, "hops", &hops) || !get_le (r, 1, "n_avoid", &n_avoid)
      || !get_le (r, 1, "avoid_hard", &hard)
      || !get_le (r, 2, "retries", &retries) || !get_le (r, 8, "tag", &f->tag)
      || (key = take (r, PASTRY_ID_BYTES, "key")) == NULL
      || !get_le (r, 8, "issued", &issued) || !get_le (r, 8, "sent", &sent))
    return FALSE;
  if (hops < 1 || hops >= PASTRY_LOOKUP_MAX_HOPS)
    return fail (r, 4, PASTRY_WIRE_ERROR_BAD_FIELD,
                 "hops %u out of range (1..%u)", (guint) hops,
                 PASTRY_LOOKUP_MAX_HOPS - 1);
  if (n_avoid > PASTRY_LOOKUP_AVOID)
    return fail (r, 5, PASTRY_WIRE_ERROR_TOO_MANY_PEERS,
                 "%u avoided peers: more than %u", (guint) n_avoid,
                 PASTRY_LOOKUP_AVOID);
  if (hard >> n_avoid != 0)
    return fail (r, 6, PASTRY_WIRE_ERROR_BAD_FIELD,
                 "avoid_hard 0x%02x has bits past the %u avoided peers",
                 (guint) hard, (guint) n_avoid);
  f->hops = (guint8) hops;
  f->n_avoid = (guint8) n_avoid;
  f->avoid_hard = (guint8) hard;
  f->retries = (guint16) retries;
  f->key = pastry_id_from_bytes (key, PASTRY_ID_BYTES);
  f->issued = issued;
  f->sent = sent;
  f->n_peers = 3 + f->n_avoid;
  if (!get_peer (r, FALSE, "src", &f->peers[0])
      || !get_peer (r, FALSE, "from", &f->peers[1])
      || !get_peer (r, FALSE, "to", &f->peers[2]))
    return FALSE;
  for (guint i = 0; i < f->n_avoid; i++)
    {
      gsize at = r->pos;
      if (!get_peer (r, FALSE, "avoid", &f->peers[3 + i]))
        return FALSE;
      for (guint j = 0; j < i; j++)
        if (pastry_id_equal (&f->peers[3 + i].id, &f->peers[3 + j].id))
          return fail (r, at, PASTRY_WIRE_ERROR_BAD_FIELD,
                       "avoided peer %u repeats avoided peer %u", i, j);
    }
  return TRUE;
}

/* The first pass: reads and checks everything. */
static gboolean
read_frame (Reader *r, guint b, RawFrame *f)
{
  guint64 m0, m1, version, type;

  if (r->len > PASTRY_WIRE_MAX_DATAGRAM)
    return fail (r, PASTRY_WIRE_MAX_DATAGRAM, PASTRY_WIRE_ERROR_TOO_BIG,
                 "datagram of %" G_GSIZE_FORMAT " bytes: more than %u", r->len,
                 PASTRY_WIRE_MAX_DATAGRAM);
  if (!get_le (r, 1, "magic", &m0) || !get_le (r, 1, "magic", &m1))
    return FALSE;
  if (m0 != PASTRY_WIRE_MAGIC0 || m1 != PASTRY_WIRE_MAGIC1)
    return fail (r, 0, PASTRY_WIRE_ERROR_BAD_MAGIC,
                 "magic 0x%02x 0x%02x, not 0x%02x 0x%02x", (guint) m0,
                 (guint) m1, PASTRY_WIRE_MAGIC0, PASTRY_WIRE_MAGIC1);
  if (!get_le (r, 1, "version", &version))
    return FALSE;
  if (version != PASTRY_WIRE_VERSION)
    return fail (r, 2, PASTRY_WIRE_ERROR_BAD_VERSION, "version %u, not %u",
                 (guint) version, PASTRY_WIRE_VERSION);
  if (!get_le (r, 1, "type", &type))
    return FALSE;
  if (type >= PASTRY_MSG_N_TYPES)
    return fail (r, 3, PASTRY_WIRE_ERROR_BAD_TYPE, "type %u unknown (0..%u)",
                 (guint) type, PASTRY_MSG_N_TYPES - 1);
  f->type = (guint8) type;
  if (!(type == PASTRY_MSG_LOOKUP ? read_lookup (r, f)
                                  : read_message (r, b, f)))
    return FALSE;
  if (r->pos != r->len)
    return fail (r, r->pos, PASTRY_WIRE_ERROR_TRAILING,
                 "%" G_GSIZE_FORMAT " bytes after the last field",
                 r->len - r->pos);
  return TRUE;
}

/* The second pass: peers into handles. */
static gboolean
intern_all (const RawFrame *f, const PastryWirePeers *peers, gpointer data,
            PastryPeer *out, GError **error)
{
  for (guint i = 0; i < f->n_peers; i++)
    {
      const RawPeer *p = &f->peers[i];
      if (p->addr.family == PASTRY_WIRE_ADDR_NONE)
        out[i] = PASTRY_PEER_NONE;
      else if (!peers->intern (data, &p->id, &p->addr, &out[i])
               || out[i] == PASTRY_PEER_NONE)
        {
          char hex[PASTRY_ID_HEX_LEN + 1];
          pastry_id_format (&p->id, hex);
          g_set_error (error, PASTRY_WIRE_ERROR, PASTRY_WIRE_ERROR_REFUSED,
                       "peer %s refused", hex);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
pastry_wire_decode (const guint8 *data, gsize len, const PastryConfig *cfg,
                    const PastryWirePeers *peers, gpointer peers_data,
                    PastryWireFrame *out, GError **error)
{
  RawFrame f;
  Reader r = { data, len, 0, error };
  PastryPeer h[3 + PASTRY_WIRE_MAX_ENTRIES];

  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (
      cfg != NULL && cfg->b >= PASTRY_B_MIN && cfg->b <= PASTRY_B_MAX, FALSE);
  g_return_val_if_fail (peers != NULL && out != NULL, FALSE);
  memset (out, 0, sizeof *out);
  memset (&f, 0, sizeof f);
  if (!read_frame (&r, cfg->b, &f)
      || !intern_all (&f, peers, peers_data, h, error))
    return FALSE;

  out->type = f.type;
  out->tag = f.tag;
  if (f.type == PASTRY_MSG_LOOKUP)
    {
      PastryLookup *lk = &out->lookup;
      lk->key = f.key;
      lk->issued = f.issued;
      lk->hop_sent = f.sent;
      lk->src = h[0];
      lk->at = h[1];
      lk->to = h[2];
      lk->hops = f.hops;
      lk->retries = f.retries;
      lk->n_avoid = f.n_avoid;
      lk->avoid_hard = f.avoid_hard;
      for (guint i = 0; i < f.n_avoid; i++)
        lk->avoid[i] = h[3 + i];
      for (guint i = f.n_avoid; i < PASTRY_LOOKUP_AVOID; i++)
        lk->avoid[i] = PASTRY_PEER_NONE;
      return TRUE;
    }
  PastryMessage *m = &out->msg;
  m->type = f.type;
  m->hops = f.hops;
  m->row = f.row;
  m->col = f.col;
  m->flags = f.flags;
  m->attempt = f.attempt;
  m->from = h[0];
  m->to = h[1];
  m->about = h[2];
  m->n_entries = f.n_entries;
  m->epoch = f.epoch;
  m->sent = f.sent;
  if (f.n_entries > 0)
    {
      m->entries = g_new (PastryEntry, f.n_entries);
      for (guint i = 0; i < f.n_entries; i++)
        {
          m->entries[i].peer = h[3 + i];
          m->entries[i].prox = f.prox[i];
        }
    }
  return TRUE;
}

void
pastry_wire_frame_clear (PastryWireFrame *frame)
{
  g_return_if_fail (frame != NULL);
  g_free (frame->msg.entries);
  memset (frame, 0, sizeof *frame);
}

void
pastry_wire_stats_count (PastryWireStats *stats, const GError *error)
{
  g_return_if_fail (stats != NULL);
  stats->bad_datagrams++;
  if (error != NULL && error->domain == PASTRY_WIRE_ERROR && error->code >= 0
      && error->code < PASTRY_WIRE_N_ERRORS)
    stats->by_code[error->code]++;
}
