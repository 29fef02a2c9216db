/* test-wire.c — the wire format (pastry-wire.h): every message type and
 * lookups round-trip; every validation rule rejects on one side of its
 * edge and accepts on the other; every truncation is rejected; mutated
 * datagrams are rejected or re-encode to the same bytes.
 *
 * The mutation test's seed is part of its name; set PASTRYSIM_TEST_SEED
 * to replay.
 */
#include "pastry-wire.h"

#include <string.h>

/* ---- A peer table: handle i is peers[i] ---- */

typedef struct
{
  PastryId id;
  PastryWireAddr addr;
} TestPeer;

typedef struct
{
  GArray *peers;   /* TestPeer */
  gboolean refuse; /* intern() refuses everything */
  guint n_interns; /* intern() calls */
} Table;

static gboolean
addr_equal (const PastryWireAddr *a, const PastryWireAddr *b)
{
  return a->family == b->family && a->port == b->port
         && memcmp (a->bytes, b->bytes, sizeof a->bytes) == 0;
}

static gboolean
table_describe (gpointer data, PastryPeer peer, PastryId *id,
                PastryWireAddr *addr)
{
  Table *t = data;
  if (peer >= t->peers->len)
    return FALSE;
  *id = g_array_index (t->peers, TestPeer, peer).id;
  *addr = g_array_index (t->peers, TestPeer, peer).addr;
  return TRUE;
}

static gboolean
table_intern (gpointer data, const PastryId *id, const PastryWireAddr *addr,
              PastryPeer *peer)
{
  Table *t = data;
  t->n_interns++;
  if (t->refuse)
    return FALSE;
  for (guint i = 0; i < t->peers->len; i++)
    {
      const TestPeer *p = &g_array_index (t->peers, TestPeer, i);
      if (pastry_id_equal (&p->id, id) && addr_equal (&p->addr, addr))
        {
          *peer = i;
          return TRUE;
        }
    }
  TestPeer p = { *id, *addr };
  g_array_append_val (t->peers, p);
  *peer = t->peers->len - 1;
  return TRUE;
}

static const PastryWirePeers table_peers = { table_describe, table_intern };

static guint64
splitmix (guint64 *s)
{
  guint64 z = (*s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* Adds a peer with a fresh id and a valid address of family. */
static PastryPeer
table_add (Table *t, guint64 *rng, guint8 family)
{
  TestPeer p;
  memset (&p, 0, sizeof p);
  p.id.hi = splitmix (rng);
  p.id.lo = splitmix (rng);
  p.addr.family = family;
  for (guint i = 0; i < (family == PASTRY_WIRE_ADDR_IPV4 ? 4u : 16u); i++)
    p.addr.bytes[i] = (guint8) splitmix (rng);
  p.addr.bytes[0] = family == PASTRY_WIRE_ADDR_IPV4 ? 10 : 0x20;
  p.addr.port = (guint16) (1 + splitmix (rng) % 65535);
  g_array_append_val (t->peers, p);
  return t->peers->len - 1;
}

static Table *
table_new (void)
{
  Table *t = g_new0 (Table, 1);
  t->peers = g_array_new (FALSE, FALSE, sizeof (TestPeer));
  return t;
}

static void
table_free (Table *t)
{
  g_array_unref (t->peers);
  g_free (t);
}

static const PastryConfig cfg_b4 = PASTRY_CONFIG_DEFAULT;

static guint
rows_of (guint b)
{
  return (128 + b - 1) / b;
}

/* ---- Round trips ---- */

static guint8 *
encode_msg (Table *t, const PastryMessage *m, guint64 tag, gsize *len)
{
  guint8 *buf = g_malloc (PASTRY_WIRE_MAX_DATAGRAM);
  g_autoptr (GError) error = NULL;
  gboolean ok = pastry_wire_encode_message (
      m, tag, &table_peers, t, buf, PASTRY_WIRE_MAX_DATAGRAM, len, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpuint (*len, ==, pastry_wire_message_size (m, &table_peers, t));
  return buf;
}

/* Every proper prefix of data fails with TRUNCATED and interns nothing. */
static void
check_truncations (Table *t, const guint8 *data, gsize len,
                   const PastryConfig *cfg)
{
  guint before = t->n_interns;
  for (gsize n = 0; n < len; n++)
    {
      g_autoptr (GError) error = NULL;
      PastryWireFrame f;
      /* An exact-size copy, so ASan sees any read past the end. */
      g_autofree guint8 *copy = g_memdup2 (data, n);
      g_assert_false (
          pastry_wire_decode (copy, n, cfg, &table_peers, t, &f, &error));
      g_assert_error (error, PASTRY_WIRE_ERROR, PASTRY_WIRE_ERROR_TRUNCATED);
      g_assert_null (f.msg.entries);
    }
  g_assert_cmpuint (t->n_interns, ==, before);
}

/* Decodes data, expecting success; re-encodes it to the same bytes. */
static void
decode_ok (Table *t, const guint8 *data, gsize len, const PastryConfig *cfg,
           PastryWireFrame *f)
{
  g_autoptr (GError) error = NULL;
  guint8 again[PASTRY_WIRE_MAX_DATAGRAM];
  gsize len2 = 0;
  g_autofree guint8 *copy = g_memdup2 (data, len);

  gboolean ok = pastry_wire_decode (copy, len, cfg, &table_peers, t, f, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  if (f->type == PASTRY_MSG_LOOKUP)
    g_assert_true (pastry_wire_encode_lookup (&f->lookup, f->tag, &table_peers,
                                              t, again, sizeof again, &len2,
                                              &error));
  else
    g_assert_true (pastry_wire_encode_message (
        &f->msg, f->tag, &table_peers, t, again, sizeof again, &len2, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (again, len2, data, len);
}

static void
roundtrip_msg (Table *t, const PastryMessage *m, guint64 tag,
               const PastryConfig *cfg)
{
  gsize len;
  g_autofree guint8 *buf = encode_msg (t, m, tag, &len);
  PastryWireFrame f;
  guint n_peers = t->peers->len;

  g_assert_cmpuint (len, <=, PASTRY_WIRE_MAX_DATAGRAM);
  decode_ok (t, buf, len, cfg, &f);
  g_assert_cmpuint (t->peers->len, ==, n_peers); /* every peer was known */
  g_assert_cmpuint (f.type, ==, m->type);
  g_assert_cmpuint (f.tag, ==, tag);
  g_assert_cmpuint (f.msg.type, ==, m->type);
  g_assert_cmpuint (f.msg.hops, ==, m->hops);
  g_assert_cmpuint (f.msg.row, ==, m->row);
  g_assert_cmpuint (f.msg.col, ==, m->col);
  g_assert_cmpuint (f.msg.flags, ==, m->flags);
  g_assert_cmpuint (f.msg.attempt, ==, m->attempt);
  g_assert_cmpuint (f.msg.from, ==, m->from);
  g_assert_cmpuint (f.msg.to, ==, m->to);
  g_assert_cmpuint (f.msg.about, ==, m->about);
  g_assert_cmpuint (f.msg.epoch, ==, m->epoch);
  g_assert_cmpuint (f.msg.sent, ==, m->sent);
  g_assert_cmpuint (f.msg.n_entries, ==, m->n_entries);
  for (guint i = 0; i < m->n_entries; i++)
    {
      g_assert_cmpuint (f.msg.entries[i].peer, ==, m->entries[i].peer);
      g_assert_cmpuint (f.msg.entries[i].prox, ==, m->entries[i].prox);
    }
  pastry_wire_frame_clear (&f);
  check_truncations (t, buf, len, cfg);
}

typedef struct
{
  const char *name;
  guint n_v4, n_v6; /* entries of each family (IPv4 first) */
  guint8 header;    /* family of from, to and about */
  gboolean about_none;
  gboolean extremes; /* every field at its maximum */
  gsize expect_len;  /* 0: not checked */
} Shape;

static const Shape shapes[] = {
  { "empty", 0, 0, PASTRY_WIRE_ADDR_IPV4, TRUE, FALSE, 31 + 23 + 23 + 1 },
  { "one-v4", 1, 0, PASTRY_WIRE_ADDR_IPV4, FALSE, FALSE, 31 + 69 + 27 },
  { "leafset-32-v6", 0, 32, PASTRY_WIRE_ADDR_IPV6, FALSE, TRUE, 1384 },
  { "max-48-v4", 48, 0, PASTRY_WIRE_ADDR_IPV4, FALSE, TRUE, 1396 },
  { "max-48-v4-none", 48, 0, PASTRY_WIRE_ADDR_IPV4, TRUE, FALSE, 1374 },
  { "mixed-1399", 38, 7, PASTRY_WIRE_ADDR_IPV4, FALSE, TRUE, 1399 },
};

/* A message of type and shape for b, its peers added to t. */
static PastryMessage
make_msg (Table *t, guint64 *rng, PastryMsgType type, const Shape *s, guint b)
{
  PastryMessage m;
  memset (&m, 0, sizeof m);
  m.type = (guint8) type;
  m.from = table_add (t, rng, s->header);
  m.to = table_add (t, rng, s->header);
  m.about = s->about_none ? PASTRY_PEER_NONE : table_add (t, rng, s->header);
  m.n_entries = s->n_v4 + s->n_v6;
  m.entries = g_new0 (PastryEntry, MAX (m.n_entries, 1));
  for (guint i = 0; i < m.n_entries; i++)
    {
      m.entries[i].peer = table_add (
          t, rng, i < s->n_v4 ? PASTRY_WIRE_ADDR_IPV4 : PASTRY_WIRE_ADDR_IPV6);
      m.entries[i].prox = i == 0   ? PASTRY_PROX_UNKNOWN
                          : i == 1 ? 0
                                   : (guint32) splitmix (rng);
    }
  if (s->extremes)
    {
      guint flags = 0;
      for (guint f = 1; f < 256; f <<= 1)
        if (pastry_wire_flags_valid (type, f))
          flags |= f;
      m.flags = (guint8) flags;
      m.hops = 255;
      m.row = (guint8) (rows_of (b) - 1);
      m.col = (guint8) ((1u << b) - 1);
      m.attempt = 255;
      m.epoch = G_MAXUINT32;
      m.sent = G_MAXUINT64;
    }
  else
    {
      m.hops = 3;
      m.row = 1;
      m.col = (guint8) MIN (2u, (1u << b) - 1);
      m.attempt = 1;
      m.epoch = 7;
      m.sent = 123456789;
    }
  return m;
}

/* Every message type, every shape, for b = 1, 3, 4 and 8. */
static void
test_roundtrip_messages (void)
{
  static const guint bs[] = { 1, 3, 4, 8 };
  guint64 rng = 42;

  for (guint bi = 0; bi < G_N_ELEMENTS (bs); bi++)
    for (guint type = 0; type < PASTRY_MSG_N_TYPES; type++)
      for (guint si = 0; si < G_N_ELEMENTS (shapes); si++)
        {
          PastryConfig cfg = cfg_b4;
          if (type == PASTRY_MSG_LOOKUP)
            continue;
          Table *t = table_new ();
          cfg.b = bs[bi];
          PastryMessage m = make_msg (t, &rng, type, &shapes[si], cfg.b);
          if (shapes[si].expect_len != 0)
            g_assert_cmpuint (pastry_wire_message_size (&m, &table_peers, t),
                              ==, shapes[si].expect_len);
          roundtrip_msg (t, &m, shapes[si].extremes ? G_MAXUINT64 : si, &cfg);
          g_free (m.entries);
          table_free (t);
        }
}

/* Ids 0 and 2^128 - 1 travel intact. */
static void
test_roundtrip_boundary_ids (void)
{
  Table *t = table_new ();
  guint64 rng = 1;
  PastryMessage m = make_msg (t, &rng, PASTRY_MSG_HEARTBEAT, &shapes[1], 4);
  g_array_index (t->peers, TestPeer, m.from).id = (PastryId){ 0, 0 };
  g_array_index (t->peers, TestPeer, m.to).id
      = (PastryId){ G_MAXUINT64, G_MAXUINT64 };
  roundtrip_msg (t, &m, 0, &cfg_b4);
  g_free (m.entries);
  table_free (t);
}

static PastryLookup
make_lookup (Table *t, guint64 *rng, guint8 family, guint n_avoid, guint hard,
             guint hops)
{
  PastryLookup lk;
  PastryId key = { splitmix (rng), splitmix (rng) };
  pastry_lookup_init (&lk, &key, table_add (t, rng, family), 1000);
  lk.at = table_add (t, rng, family);
  lk.to = table_add (t, rng, family);
  lk.hops = (guint16) hops;
  lk.retries = (guint16) (hops * 1000);
  lk.hop_sent = G_MAXUINT64 - hops;
  lk.n_avoid = (guint8) n_avoid;
  lk.avoid_hard = (guint8) hard;
  for (guint i = 0; i < n_avoid; i++)
    lk.avoid[i] = table_add (t, rng, i % 2 ? PASTRY_WIRE_ADDR_IPV6 : family);
  lk.resent = 1; /* the holder's state: does not travel */
  lk.leaf_hop = 1;
  return lk;
}

static void
roundtrip_lookup (Table *t, const PastryLookup *lk, guint64 tag)
{
  guint8 buf[PASTRY_WIRE_MAX_DATAGRAM];
  gsize len;
  g_autoptr (GError) error = NULL;
  PastryWireFrame f;

  g_assert_true (pastry_wire_encode_lookup (lk, tag, &table_peers, t, buf,
                                            sizeof buf, &len, &error));
  g_assert_no_error (error);
  decode_ok (t, buf, len, &cfg_b4, &f);
  g_assert_cmpuint (f.type, ==, PASTRY_MSG_LOOKUP);
  g_assert_cmpuint (f.tag, ==, tag);
  g_assert_true (pastry_id_equal (&f.lookup.key, &lk->key));
  g_assert_cmpuint (f.lookup.issued, ==, lk->issued);
  g_assert_cmpuint (f.lookup.hop_sent, ==, lk->hop_sent);
  g_assert_cmpuint (f.lookup.src, ==, lk->src);
  g_assert_cmpuint (f.lookup.at, ==, lk->at);
  g_assert_cmpuint (f.lookup.to, ==, lk->to);
  g_assert_cmpuint (f.lookup.hops, ==, lk->hops);
  g_assert_cmpuint (f.lookup.retries, ==, lk->retries);
  g_assert_cmpuint (f.lookup.n_avoid, ==, lk->n_avoid);
  g_assert_cmpuint (f.lookup.avoid_hard, ==,
                    lk->avoid_hard & ((1u << lk->n_avoid) - 1));
  for (guint i = 0; i < lk->n_avoid; i++)
    g_assert_cmpuint (f.lookup.avoid[i], ==, lk->avoid[i]);
  g_assert_cmpuint (f.lookup.resent, ==, 0);
  g_assert_cmpuint (f.lookup.leaf_hop, ==, 0);
  g_assert_null (f.msg.entries);
  pastry_wire_frame_clear (&f);
  check_truncations (t, buf, len, &cfg_b4);
}

/* Lookups: 0..4 avoided peers with every hard mask (and stale bits past
 * n_avoid, which travel as 0), hops 1 and 63, both families. */
static void
test_roundtrip_lookups (void)
{
  guint64 rng = 7;
  for (guint fam = 0; fam < 2; fam++)
    for (guint n = 0; n <= PASTRY_LOOKUP_AVOID; n++)
      for (guint hard = 0; hard < (1u << n); hard++)
        for (guint h = 0; h < 2; h++)
          {
            Table *t = table_new ();
            PastryLookup lk = make_lookup (
                t, &rng, fam ? PASTRY_WIRE_ADDR_IPV6 : PASTRY_WIRE_ADDR_IPV4, n,
                hard | (h ? 0xf0u : 0), h ? PASTRY_LOOKUP_MAX_HOPS - 1 : 1);
            roundtrip_lookup (t, &lk, h ? G_MAXUINT64 : hard);
            table_free (t);
          }
}

/* ---- Encoder errors ---- */

static void
test_encode_errors (void)
{
  guint64 rng = 3;
  Table *t = table_new ();
  guint8 buf[PASTRY_WIRE_MAX_DATAGRAM];
  gsize len;
  GError *error = NULL;
  Shape big = { "33-v6", 0, 33, PASTRY_WIRE_ADDR_IPV6, FALSE, FALSE, 0 };
  PastryMessage m = make_msg (t, &rng, PASTRY_MSG_LEAFSET_REPLY, &big, 4);

  /* 33 IPv6 entries: 31 + 3 x 35 + 33 x 39 = 1,423 bytes. */
  g_assert_cmpuint (pastry_wire_message_size (&m, &table_peers, t), ==, 1423);
  g_assert_false (pastry_wire_encode_message (&m, 0, &table_peers, t, buf,
                                              sizeof buf, &len, &error));
  g_assert_error (error, PASTRY_WIRE_ERROR, PASTRY_WIRE_ERROR_TOO_BIG);
  g_clear_error (&error);
  /* 32 fit; a buffer one byte short does not. */
  m.n_entries = 32;
  g_assert_true (pastry_wire_encode_message (&m, 0, &table_peers, t, buf,
                                             sizeof buf, &len, &error));
  g_assert_cmpuint (len, ==, 1384);
  g_assert_false (pastry_wire_encode_message (&m, 0, &table_peers, t, buf,
                                              len - 1, &len, &error));
  g_assert_error (error, PASTRY_WIRE_ERROR, PASTRY_WIRE_ERROR_TOO_BIG);
  g_clear_error (&error);
  /* More entries than PASTRY_WIRE_MAX_ENTRIES, whatever their size. */
  m.n_entries = PASTRY_WIRE_MAX_ENTRIES + 1;
  g_assert_false (pastry_wire_encode_message (&m, 0, &table_peers, t, buf,
                                              sizeof buf, &len, &error));
  g_assert_error (error, PASTRY_WIRE_ERROR, PASTRY_WIRE_ERROR_TOO_BIG);
  g_clear_error (&error);
  m.n_entries = 1;

  /* A handle describe() does not know, and "none" where a peer must be. */
  m.entries[0].peer = t->peers->len;
  g_assert_false (pastry_wire_encode_message (&m, 0, &table_peers, t, buf,
                                              sizeof buf, &len, &error));
  g_assert_error (error, PASTRY_WIRE_ERROR, PASTRY_WIRE_ERROR_UNKNOWN_PEER);
  g_clear_error (&error);
  m.entries[0].peer = m.about;
  m.from = PASTRY_PEER_NONE;
  g_assert_false (pastry_wire_encode_message (&m, 0, &table_peers, t, buf,
                                              sizeof buf, &len, &error));
  g_assert_error (error, PASTRY_WIRE_ERROR, PASTRY_WIRE_ERROR_UNKNOWN_PEER);
  g_clear_error (&error);
  m.from = m.about;

  /* describe() giving an invalid address. */
  g_array_index (t->peers, TestPeer, m.to).addr.port = 0;
  g_assert_false (pastry_wire_encode_message (&m, 0, &table_peers, t, buf,
                                              sizeof buf, &len, &error));
  g_assert_error (error, PASTRY_WIRE_ERROR, PASTRY_WIRE_ERROR_BAD_ADDRESS);
  g_clear_error (&error);

  /* The size of a message naming an unknown peer is 0. */
  m.entries[0].peer = t->peers->len;
  g_assert_cmpuint (pastry_wire_message_size (&m, &table_peers, t), ==, 0);
  m.entries[0].peer = m.about;

  /* A lookup not yet sent (no receiver), or avoiding an unknown peer. */
  PastryLookup lk0 = make_lookup (t, &rng, PASTRY_WIRE_ADDR_IPV4, 1, 0, 1);
  lk0.to = PASTRY_PEER_NONE;
  g_assert_false (pastry_wire_encode_lookup (&lk0, 0, &table_peers, t, buf,
                                             sizeof buf, &len, &error));
  g_assert_error (error, PASTRY_WIRE_ERROR, PASTRY_WIRE_ERROR_UNKNOWN_PEER);
  g_clear_error (&error);
  lk0.to = lk0.at;
  lk0.avoid[0] = t->peers->len;
  g_assert_false (pastry_wire_encode_lookup (&lk0, 0, &table_peers, t, buf,
                                             sizeof buf, &len, &error));
  g_assert_error (error, PASTRY_WIRE_ERROR, PASTRY_WIRE_ERROR_UNKNOWN_PEER);
  g_clear_error (&error);

  /* A lookup whose avoided peers share an id. */
  PastryLookup lk = make_lookup (t, &rng, PASTRY_WIRE_ADDR_IPV4, 2, 0, 1);
  g_array_index (t->peers, TestPeer, lk.avoid[1]).id
      = g_array_index (t->peers, TestPeer, lk.avoid[0]).id;
  g_assert_false (pastry_wire_encode_lookup (&lk, 0, &table_peers, t, buf,
                                             sizeof buf, &len, &error));
  g_assert_error (error, PASTRY_WIRE_ERROR, PASTRY_WIRE_ERROR_BAD_FIELD);
  g_clear_error (&error);
  g_free (m.entries);
  table_free (t);
}

/* Address validity, both sides of each rule. */
static void
test_addr_valid (void)
{
  PastryWireAddr a;

  memset (&a, 0, sizeof a);
  a.family = PASTRY_WIRE_ADDR_IPV4;
  a.bytes[3] = 1;
  a.port = 1;
  g_assert_true (pastry_wire_addr_valid (&a)); /* 0.0.0.1:1 */
  a.port = 0;
  g_assert_false (pastry_wire_addr_valid (&a));
  a.port = 65535;
  g_assert_true (pastry_wire_addr_valid (&a));
  a.bytes[3] = 0;
  g_assert_false (pastry_wire_addr_valid (&a)); /* 0.0.0.0 */
  a.bytes[4] = 1;
  g_assert_false (pastry_wire_addr_valid (&a)); /* IPv4 with a 5th byte */
  a.family = PASTRY_WIRE_ADDR_IPV6;
  g_assert_true (pastry_wire_addr_valid (&a)); /* the same bytes, IPv6 */
  a.bytes[4] = 0;
  a.bytes[15] = 1;
  g_assert_true (pastry_wire_addr_valid (&a)); /* ::1 */
  a.bytes[15] = 0;
  g_assert_false (pastry_wire_addr_valid (&a)); /* :: */
  a.bytes[15] = 1;
  for (guint f = 0; f < 256; f++)
    {
      a.family = (guint8) f;
      g_assert_true (pastry_wire_addr_valid (&a)
                     == (f == PASTRY_WIRE_ADDR_IPV6));
    }
}

/* The flag table, as pastry-wire.h documents it: TIMEOUT never travels;
 * LOOKUP has no flags. */
static void
test_flags (void)
{
  static const guint allowed[PASTRY_MSG_N_TYPES] = {
    [PASTRY_MSG_JOIN] = PASTRY_MSG_FLAG_ACKED,
    [PASTRY_MSG_JOIN_REPLY] = PASTRY_MSG_FLAG_ROOT | PASTRY_MSG_FLAG_BOOTSTRAP,
    [PASTRY_MSG_ROW_REQUEST] = PASTRY_MSG_FLAG_JOINING,
    [PASTRY_MSG_ROW_REPLY] = PASTRY_MSG_FLAG_JOINING,
    [PASTRY_MSG_ANNOUNCE] = PASTRY_MSG_FLAG_LEAF,
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
    [PASTRY_MSG_LOOKUP_ACK] = PASTRY_WIRE_FLAG_FAILED,
  };
  for (guint type = 0; type < PASTRY_MSG_N_TYPES; type++)
    {
      g_assert_true (pastry_wire_flags_valid (type, 0)
                     == (type != PASTRY_MSG_LOOKUP));
      g_assert_false (pastry_wire_flags_valid (type, PASTRY_MSG_FLAG_TIMEOUT));
      for (guint f = 1; f < 256; f <<= 1)
        g_assert_true (pastry_wire_flags_valid (type, f)
                       == (type != PASTRY_MSG_LOOKUP && (allowed[type] & f)));
    }
  g_assert_true (pastry_wire_flags_valid (
      PASTRY_MSG_JOIN_REPLY, PASTRY_MSG_FLAG_ROOT | PASTRY_MSG_FLAG_BOOTSTRAP));
  g_assert_false (
      pastry_wire_flags_valid (PASTRY_MSG_JOIN_REPLY, PASTRY_MSG_FLAG_LEAF));
  g_assert_false (pastry_wire_flags_valid (PASTRY_MSG_N_TYPES, 0));
}

/* ---- Invalid input ---- */

enum
{
  BASE_MSG,    /* PROBE, flags REPAIR, IPv4 peers, 2 entries: 154 bytes */
  BASE_LOOKUP, /* hops 5, 2 avoided (hard 0x01), IPv4 peers: 164 bytes */
  BASE_BIG,    /* the largest possible message: 1,399 bytes */
  N_BASES
};

#define OK (-1)
#define NO_COPY (-1)

/* One row: base datagram, then width bytes at off set to value
 * (little-endian), or copied from copy_from when that is not NO_COPY;
 * then delta bytes (0x00) appended or, if negative, cut from the end;
 * decoded with b (0: 4).  Offsets: see the bases above and the layout in
 * pastry-wire.h. */
typedef struct
{
  const char *name;
  guint base;
  gsize off;
  guint width;
  guint64 value;
  gint copy_from;
  gint delta;
  guint b;
  gint expect; /* a PastryWireError, or OK */
} BadCase;

static const BadCase bad_cases[] = {
  { "base-msg", BASE_MSG, 0, 0, 0, NO_COPY, 0, 0, OK },
  { "base-lookup", BASE_LOOKUP, 0, 0, 0, NO_COPY, 0, 0, OK },
  { "base-big-1399", BASE_BIG, 0, 0, 0, NO_COPY, 0, 0, OK },
  /* Length. */
  { "empty", BASE_MSG, 0, 0, 0, NO_COPY, -154, 0, PASTRY_WIRE_ERROR_TRUNCATED },
  { "one-short", BASE_MSG, 0, 0, 0, NO_COPY, -1, 0,
    PASTRY_WIRE_ERROR_TRUNCATED },
  { "one-over", BASE_MSG, 0, 0, 0, NO_COPY, 1, 0, PASTRY_WIRE_ERROR_TRAILING },
  { "big-1400", BASE_BIG, 0, 0, 0, NO_COPY, 1, 0, PASTRY_WIRE_ERROR_TRAILING },
  { "big-1401", BASE_BIG, 0, 0, 0, NO_COPY, 2, 0, PASTRY_WIRE_ERROR_TOO_BIG },
  { "lookup-one-over", BASE_LOOKUP, 0, 0, 0, NO_COPY, 1, 0,
    PASTRY_WIRE_ERROR_TRAILING },
  /* Magic, version, type. */
  { "magic-0", BASE_MSG, 0, 1, 'Q', NO_COPY, 0, 0,
    PASTRY_WIRE_ERROR_BAD_MAGIC },
  { "magic-1", BASE_MSG, 1, 1, 'w', NO_COPY, 0, 0,
    PASTRY_WIRE_ERROR_BAD_MAGIC },
  { "version-0", BASE_MSG, 2, 1, 0, NO_COPY, 0, 0,
    PASTRY_WIRE_ERROR_BAD_VERSION },
  { "version-1", BASE_MSG, 2, 1, 1, NO_COPY, 0, 0,
    PASTRY_WIRE_ERROR_BAD_VERSION },
  { "version-3", BASE_MSG, 2, 1, 3, NO_COPY, 0, 0,
    PASTRY_WIRE_ERROR_BAD_VERSION },
  { "type-last", BASE_MSG, 3, 1, PASTRY_MSG_LEAVE, NO_COPY, 0, 0, OK },
  { "type-past-last", BASE_MSG, 3, 1, PASTRY_MSG_N_TYPES, NO_COPY, 0, 0,
    PASTRY_WIRE_ERROR_BAD_TYPE },
  { "type-255", BASE_MSG, 3, 1, 255, NO_COPY, 0, 0,
    PASTRY_WIRE_ERROR_BAD_TYPE },
  /* Flags (PROBE: REPAIR, VERIFY). */
  { "flags-none", BASE_MSG, 4, 1, 0, NO_COPY, 0, 0, OK },
  { "flags-all-allowed", BASE_MSG, 4, 1, 0x84, NO_COPY, 0, 0, OK },
  { "flags-timeout", BASE_MSG, 4, 1, 0x14, NO_COPY, 0, 0,
    PASTRY_WIRE_ERROR_BAD_FLAGS },
  { "flags-root", BASE_MSG, 4, 1, 0x01, NO_COPY, 0, 0,
    PASTRY_WIRE_ERROR_BAD_FLAGS },
  { "flags-leaf", BASE_MSG, 4, 1, 0x40, NO_COPY, 0, 0,
    PASTRY_WIRE_ERROR_BAD_FLAGS },
  { "leave-verify", BASE_MSG, 3, 2, PASTRY_MSG_LEAVE | (0x80 << 8), NO_COPY, 0,
    0, PASTRY_WIRE_ERROR_BAD_FLAGS },
  /* Row and col against b. */
  { "row-31-b4", BASE_MSG, 6, 1, 31, NO_COPY, 0, 0, OK },
  { "row-32-b4", BASE_MSG, 6, 1, 32, NO_COPY, 0, 0,
    PASTRY_WIRE_ERROR_BAD_FIELD },
  { "col-15-b4", BASE_MSG, 7, 1, 15, NO_COPY, 0, 0, OK },
  { "col-16-b4", BASE_MSG, 7, 1, 16, NO_COPY, 0, 0,
    PASTRY_WIRE_ERROR_BAD_FIELD },
  { "row-127-b1", BASE_MSG, 6, 2, 127 | (1 << 8), NO_COPY, 0, 1, OK },
  { "row-128-b1", BASE_MSG, 6, 1, 128, NO_COPY, 0, 1,
    PASTRY_WIRE_ERROR_BAD_FIELD },
  { "col-2-b1", BASE_MSG, 6, 2, 0 | (2 << 8), NO_COPY, 0, 1,
    PASTRY_WIRE_ERROR_BAD_FIELD },
  { "row-15-col-255-b8", BASE_MSG, 6, 2, 15 | (255 << 8), NO_COPY, 0, 8, OK },
  { "row-16-b8", BASE_MSG, 6, 1, 16, NO_COPY, 0, 8,
    PASTRY_WIRE_ERROR_BAD_FIELD },
  /* Entry count. */
  { "entries-0", BASE_MSG, 9, 2, 0, NO_COPY, 0, 0, PASTRY_WIRE_ERROR_TRAILING },
  { "entries-1", BASE_MSG, 9, 2, 1, NO_COPY, 0, 0, PASTRY_WIRE_ERROR_TRAILING },
  { "entries-3", BASE_MSG, 9, 2, 3, NO_COPY, 0, 0,
    PASTRY_WIRE_ERROR_TRUNCATED },
  { "entries-48", BASE_MSG, 9, 2, 48, NO_COPY, 0, 0,
    PASTRY_WIRE_ERROR_TRUNCATED },
  { "entries-49", BASE_MSG, 9, 2, 49, NO_COPY, 0, 0,
    PASTRY_WIRE_ERROR_TOO_MANY_PEERS },
  { "entries-65535", BASE_MSG, 9, 2, 65535, NO_COPY, 0, 0,
    PASTRY_WIRE_ERROR_TOO_MANY_PEERS },
  { "big-entries-46", BASE_BIG, 9, 2, 46, NO_COPY, 0, 0,
    PASTRY_WIRE_ERROR_TRUNCATED },
  /* Addresses (from at 31: family 31, id 32, address 48, port 52). */
  { "from-family-none", BASE_MSG, 31, 1, 0, NO_COPY, 0, 0,
    PASTRY_WIRE_ERROR_BAD_ADDRESS },
  { "from-family-5", BASE_MSG, 31, 1, 5, NO_COPY, 0, 0,
    PASTRY_WIRE_ERROR_BAD_ADDRESS },
  { "from-family-7", BASE_MSG, 31, 1, 7, NO_COPY, 0, 0,
    PASTRY_WIRE_ERROR_BAD_ADDRESS },
  { "from-addr-0.0.0.0", BASE_MSG, 48, 4, 0, NO_COPY, 0, 0,
    PASTRY_WIRE_ERROR_BAD_ADDRESS },
  { "from-addr-0.0.0.1", BASE_MSG, 48, 4, 0x01000000, NO_COPY, 0, 0, OK },
  { "from-port-0", BASE_MSG, 52, 2, 0, NO_COPY, 0, 0,
    PASTRY_WIRE_ERROR_BAD_ADDRESS },
  { "from-port-1", BASE_MSG, 52, 2, 1, NO_COPY, 0, 0, OK },
  { "from-port-65535", BASE_MSG, 52, 2, 65535, NO_COPY, 0, 0, OK },
  { "to-family-none", BASE_MSG, 54, 1, 0, NO_COPY, 0, 0,
    PASTRY_WIRE_ERROR_BAD_ADDRESS },
  { "entry-family-none", BASE_MSG, 100, 1, 0, NO_COPY, 0, 0,
    PASTRY_WIRE_ERROR_BAD_ADDRESS },
  { "entry-port-0", BASE_MSG, 121, 2, 0, NO_COPY, 0, 0,
    PASTRY_WIRE_ERROR_BAD_ADDRESS },
  { "entry-prox-max", BASE_MSG, 123, 4, G_MAXUINT32, NO_COPY, 0, 0, OK },
  /* Lookups (src at 49, from 72, to 95, avoided peers at 118 and 141). */
  { "lookup-hops-0", BASE_LOOKUP, 4, 1, 0, NO_COPY, 0, 0,
    PASTRY_WIRE_ERROR_BAD_FIELD },
  { "lookup-hops-1", BASE_LOOKUP, 4, 1, 1, NO_COPY, 0, 0, OK },
  { "lookup-hops-63", BASE_LOOKUP, 4, 1, 63, NO_COPY, 0, 0, OK },
  { "lookup-hops-64", BASE_LOOKUP, 4, 1, 64, NO_COPY, 0, 0,
    PASTRY_WIRE_ERROR_BAD_FIELD },
  { "lookup-avoid-1", BASE_LOOKUP, 5, 1, 1, NO_COPY, 0, 0,
    PASTRY_WIRE_ERROR_TRAILING },
  { "lookup-avoid-3", BASE_LOOKUP, 5, 1, 3, NO_COPY, 0, 0,
    PASTRY_WIRE_ERROR_TRUNCATED },
  { "lookup-avoid-4", BASE_LOOKUP, 5, 1, 4, NO_COPY, 0, 0,
    PASTRY_WIRE_ERROR_TRUNCATED },
  { "lookup-avoid-5", BASE_LOOKUP, 5, 1, 5, NO_COPY, 0, 0,
    PASTRY_WIRE_ERROR_TOO_MANY_PEERS },
  { "lookup-avoid-255", BASE_LOOKUP, 5, 1, 255, NO_COPY, 0, 0,
    PASTRY_WIRE_ERROR_TOO_MANY_PEERS },
  { "lookup-hard-3", BASE_LOOKUP, 6, 1, 3, NO_COPY, 0, 0, OK },
  { "lookup-hard-4", BASE_LOOKUP, 6, 1, 4, NO_COPY, 0, 0,
    PASTRY_WIRE_ERROR_BAD_FIELD },
  { "lookup-hard-0x80", BASE_LOOKUP, 6, 1, 0x80, NO_COPY, 0, 0,
    PASTRY_WIRE_ERROR_BAD_FIELD },
  { "lookup-src-family-none", BASE_LOOKUP, 49, 1, 0, NO_COPY, 0, 0,
    PASTRY_WIRE_ERROR_BAD_ADDRESS },
  { "lookup-avoid-port-0", BASE_LOOKUP, 139, 2, 0, NO_COPY, 0, 0,
    PASTRY_WIRE_ERROR_BAD_ADDRESS },
  { "lookup-avoid-same-id", BASE_LOOKUP, 142, 16, 0, 119, 0, 0,
    PASTRY_WIRE_ERROR_BAD_FIELD },
  { "lookup-avoid-same-peer", BASE_LOOKUP, 141, 23, 0, 118, 0, 0,
    PASTRY_WIRE_ERROR_BAD_FIELD },
  { "lookup-avoid-id-differs", BASE_LOOKUP, 142, 15, 0, 119, 0, 0, OK },
  { "lookup-as-message", BASE_LOOKUP, 3, 1, PASTRY_MSG_HEARTBEAT, NO_COPY, 0, 0,
    PASTRY_WIRE_ERROR_BAD_FLAGS },
};

/* The three base datagrams, their peers in t. */
static GBytes *
make_base (Table *t, guint base)
{
  guint8 buf[PASTRY_WIRE_MAX_DATAGRAM];
  gsize len;
  guint64 rng = 99 + base;
  g_autoptr (GError) error = NULL;

  if (base == BASE_LOOKUP)
    {
      PastryLookup lk = make_lookup (t, &rng, PASTRY_WIRE_ADDR_IPV4, 2, 1, 5);
      lk.avoid[1] = table_add (t, &rng, PASTRY_WIRE_ADDR_IPV4);
      g_assert_true (pastry_wire_encode_lookup (&lk, 77, &table_peers, t, buf,
                                                sizeof buf, &len, &error));
      g_assert_cmpuint (len, ==, 164);
      return g_bytes_new (buf, len);
    }
  static const Shape two
      = { "two-v4", 2, 0, PASTRY_WIRE_ADDR_IPV4, FALSE, FALSE, 154 };
  PastryMessage m = make_msg (t, &rng, PASTRY_MSG_PROBE,
                              base == BASE_MSG ? &two : &shapes[5], 4);
  m.flags = PASTRY_MSG_FLAG_REPAIR;
  m.row = 2;
  m.col = 3;
  g_assert_true (pastry_wire_encode_message (&m, 77, &table_peers, t, buf,
                                             sizeof buf, &len, &error));
  g_assert_cmpuint (len, ==, base == BASE_MSG ? 154 : 1399);
  g_free (m.entries);
  return g_bytes_new (buf, len);
}

static void
test_invalid (void)
{
  Table *t = table_new ();
  GBytes *bases[N_BASES];

  for (guint i = 0; i < N_BASES; i++)
    bases[i] = make_base (t, i);
  for (gsize i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      const BadCase *c = &bad_cases[i];
      gsize blen;
      const guint8 *b = g_bytes_get_data (bases[c->base], &blen);
      g_autoptr (GByteArray) d = g_byte_array_new ();
      g_autoptr (GError) error = NULL;
      PastryConfig cfg = cfg_b4;
      PastryWireFrame f;
      guint interns = t->n_interns;

      g_byte_array_append (d, b, (guint) blen);
      g_assert_cmpuint (c->off + c->width, <=, blen);
      for (guint k = 0; k < c->width; k++)
        d->data[c->off + k] = c->copy_from != NO_COPY
                                  ? d->data[c->copy_from + k]
                                  : (guint8) (c->value >> (8 * k));
      if (c->delta > 0)
        for (gint k = 0; k < c->delta; k++)
          g_byte_array_append (d, (const guint8 *) "", 1);
      else
        g_byte_array_set_size (d, (guint) ((gint) d->len + c->delta));
      if (c->b != 0)
        cfg.b = c->b;

      g_autofree guint8 *copy = g_memdup2 (d->data, d->len);
      gboolean ok = pastry_wire_decode (copy, d->len, &cfg, &table_peers, t, &f,
                                        &error);
      if (g_test_verbose ())
        g_test_message ("%s: %s", c->name,
                        error != NULL ? error->message : "ok");
      if (c->expect == OK)
        {
          if (!ok)
            g_error ("%s: unexpected error: %s", c->name, error->message);
          pastry_wire_frame_clear (&f);
          continue;
        }
      if (ok)
        g_error ("%s: accepted, expected %s", c->name,
                 pastry_wire_error_name (c->expect));
      if (!g_error_matches (error, PASTRY_WIRE_ERROR, c->expect))
        g_error ("%s: got '%s' (%s), expected %s", c->name, error->message,
                 pastry_wire_error_name (error->code),
                 pastry_wire_error_name (c->expect));
      g_assert_true (g_str_has_prefix (error->message, "byte "));
      g_assert_cmpuint (t->n_interns, ==, interns);
      g_assert_null (f.msg.entries);
      g_assert_cmpuint (f.tag, ==, 0);
    }
  for (guint i = 0; i < N_BASES; i++)
    g_bytes_unref (bases[i]);
  table_free (t);
}

/* intern() refusing: REFUSED, nothing allocated. */
static void
test_refused (void)
{
  Table *t = table_new ();
  GBytes *base = make_base (t, BASE_MSG);
  gsize len;
  const guint8 *d = g_bytes_get_data (base, &len);
  g_autoptr (GError) error = NULL;
  PastryWireFrame f;
  PastryWireStats stats = { 0 };

  t->refuse = TRUE;
  g_assert_false (
      pastry_wire_decode (d, len, &cfg_b4, &table_peers, t, &f, &error));
  g_assert_error (error, PASTRY_WIRE_ERROR, PASTRY_WIRE_ERROR_REFUSED);
  g_assert_null (f.msg.entries);
  pastry_wire_stats_count (&stats, error);
  g_assert_cmpuint (stats.bad_datagrams, ==, 1);
  g_assert_cmpuint (stats.by_code[PASTRY_WIRE_ERROR_REFUSED], ==, 1);
  g_bytes_unref (base);
  table_free (t);
}

/* ---- Mutations ---- */

typedef struct
{
  guint64 seed;
  guint rounds;
} MutationCase;

/* Valid datagrams of every kind, for the mutation test and the fuzz seeds
 * alike. */
static GPtrArray *
sample_datagrams (Table *t, guint64 *rng)
{
  GPtrArray *out
      = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  for (guint type = 0; type < PASTRY_MSG_N_TYPES; type++)
    {
      guint8 buf[PASTRY_WIRE_MAX_DATAGRAM];
      gsize len;
      if (type == PASTRY_MSG_LOOKUP)
        {
          PastryLookup lk
              = make_lookup (t, rng, PASTRY_WIRE_ADDR_IPV4, 3, 5, 4);
          g_assert_true (pastry_wire_encode_lookup (
              &lk, 9, &table_peers, t, buf, sizeof buf, &len, NULL));
          g_ptr_array_add (out, g_bytes_new (buf, len));
          continue;
        }
      const Shape *s = &shapes[type % 3];
      PastryMessage m = make_msg (t, rng, type, s, 4);
      if (m.n_entries > 4)
        m.n_entries = 4;
      g_assert_true (pastry_wire_encode_message (&m, type, &table_peers, t, buf,
                                                 sizeof buf, &len, NULL));
      g_ptr_array_add (out, g_bytes_new (buf, len));
      g_free (m.entries);
    }
  return out;
}

static void
test_mutations (gconstpointer data)
{
  const MutationCase *c = data;
  guint64 rng = c->seed;
  Table *t = table_new ();
  GPtrArray *samples = sample_datagrams (t, &rng);
  guint accepted = 0, by_code[PASTRY_WIRE_N_ERRORS] = { 0 };

  g_test_message ("seed %" G_GUINT64_FORMAT, c->seed);
  for (guint round = 0; round < c->rounds; round++)
    {
      GBytes *s = g_ptr_array_index (samples, splitmix (&rng) % samples->len);
      gsize len;
      const guint8 *src = g_bytes_get_data (s, &len);
      guint8 d[PASTRY_WIRE_MAX_DATAGRAM + 8];
      guint n_mut = 1 + (guint) (splitmix (&rng) % 3);
      g_autoptr (GError) error = NULL;
      PastryWireFrame f;

      memcpy (d, src, len);
      for (guint k = 0; k < n_mut; k++)
        {
          guint64 r = splitmix (&rng);
          gsize at = len > 0 ? (gsize) ((r >> 8) % len) : 0;
          switch (r % 6)
            {
            case 0: /* flip a bit */
              if (len > 0)
                d[at] ^= (guint8) (1u << ((r >> 40) % 8));
              break;
            case 1: /* a random byte */
            case 2:
              if (len > 0)
                d[at] = (guint8) (r >> 48);
              break;
            case 3: /* an edge value */
              {
                static const guint8 edges[] = { 0, 1, 4, 6, 0x7f, 0x80, 0xff };
                if (len > 0)
                  d[at] = edges[(r >> 48) % G_N_ELEMENTS (edges)];
                break;
              }
            case 4: /* cut */
              len = at;
              break;
            default: /* grow */
              if (len < sizeof d)
                d[len++] = (guint8) (r >> 48);
              break;
            }
        }
      guint interns = t->n_interns, n_peers = t->peers->len;
      g_autofree guint8 *copy = g_memdup2 (d, len);
      if (pastry_wire_decode (copy, len, &cfg_b4, &table_peers, t, &f, &error))
        {
          PastryWireFrame again;
          accepted++;
          pastry_wire_frame_clear (&f);
          decode_ok (t, d, len, &cfg_b4, &again); /* re-encodes the same */
          pastry_wire_frame_clear (&again);
          /* Forget the peers this mutant made up: keeps intern() cheap. */
          g_array_set_size (t->peers, n_peers);
          continue;
        }
      g_assert_true (error->domain == PASTRY_WIRE_ERROR);
      g_assert_cmpint (error->code, >=, 0);
      g_assert_cmpint (error->code, <, PASTRY_WIRE_N_ERRORS);
      g_assert_true (g_str_has_prefix (error->message, "byte "));
      g_assert_cmpuint (t->n_interns, ==, interns);
      g_assert_cmpuint (t->peers->len, ==, n_peers);
      by_code[error->code]++;
    }
  GString *codes = g_string_new (NULL);
  for (guint i = 0; i < PASTRY_WIRE_N_ERRORS; i++)
    if (by_code[i] > 0)
      g_string_append_printf (codes, " %s=%u", pastry_wire_error_name (i),
                              by_code[i]);
  g_test_message ("%u mutants: %u accepted (re-encoded identically);%s",
                  c->rounds, accepted, codes->str);
  g_string_free (codes, TRUE);
  g_ptr_array_unref (samples);
  table_free (t);
}

int
main (int argc, char **argv)
{
  static MutationCase mutation;
  const char *env = g_getenv ("PASTRYSIM_TEST_SEED");

  g_test_init (&argc, &argv, NULL);
  mutation.seed = env != NULL ? g_ascii_strtoull (env, NULL, 10)
                              : (guint64) g_get_real_time ();
  mutation.rounds = 200000;
  g_test_add_func ("/wire/roundtrip/messages", test_roundtrip_messages);
  g_test_add_func ("/wire/roundtrip/boundary-ids", test_roundtrip_boundary_ids);
  g_test_add_func ("/wire/roundtrip/lookups", test_roundtrip_lookups);
  g_test_add_func ("/wire/encode-errors", test_encode_errors);
  g_test_add_func ("/wire/flags", test_flags);
  g_test_add_func ("/wire/addr-valid", test_addr_valid);
  g_test_add_func ("/wire/invalid", test_invalid);
  g_test_add_func ("/wire/refused", test_refused);
  char *name = g_strdup_printf ("/wire/mutations/seed=%" G_GUINT64_FORMAT,
                                mutation.seed);
  g_test_add_data_func (name, &mutation, test_mutations);
  g_free (name);
  return g_test_run ();
}
