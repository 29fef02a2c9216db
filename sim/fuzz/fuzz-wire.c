/* fuzz-wire.c — the fuzz target of core's datagram decoder
 * (pastry_wire_decode(), core/pastry-wire.h), and the generator of its
 * seeds.
 *
 * Invariant: the peer table is empty when fuzz_wire_one() starts and ends,
 * so one input never sees another's peers.
 */
#include "fuzz-targets.h"

#include "pastry-wire.h"

#include <stdio.h>
#include <string.h>

typedef struct
{
  PastryId id;
  PastryWireAddr addr;
} Peer;

/* Handle i is peers[i]; intern() appends unless (id, address) is there. */
static GArray *peers;
static guint n_interns;

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
  if (peer >= peers->len)
    return FALSE;
  *id = g_array_index (peers, Peer, peer).id;
  *addr = g_array_index (peers, Peer, peer).addr;
  return TRUE;
}

static gboolean
table_intern (gpointer data, const PastryId *id, const PastryWireAddr *addr,
              PastryPeer *peer)
{
  Peer p;

  n_interns++;
  FUZZ_CHECK (pastry_wire_addr_valid (addr));
  for (guint i = 0; i < peers->len; i++)
    if (pastry_id_equal (&g_array_index (peers, Peer, i).id, id)
        && addr_equal (&g_array_index (peers, Peer, i).addr, addr))
      {
        *peer = i;
        return TRUE;
      }
  memset (&p, 0, sizeof p);
  p.id = *id;
  p.addr = *addr;
  g_array_append_val (peers, p);
  *peer = peers->len - 1;
  return TRUE;
}

static const PastryWirePeers table = { table_describe, table_intern };

static gboolean
is_peer (PastryPeer p)
{
  return p < peers->len;
}

/* What a decoded frame promises (pastry-wire.h), for a node of bits b. */
static void
check_frame (const PastryWireFrame *f, guint b)
{
  FUZZ_CHECK (f->type < PASTRY_MSG_N_TYPES);
  if (f->type == PASTRY_MSG_LOOKUP)
    {
      const PastryLookup *lk = &f->lookup;
      FUZZ_CHECK (lk->hops >= 1 && lk->hops < PASTRY_LOOKUP_MAX_HOPS);
      FUZZ_CHECK (lk->n_avoid <= PASTRY_LOOKUP_AVOID);
      FUZZ_CHECK ((lk->avoid_hard >> lk->n_avoid) == 0);
      FUZZ_CHECK (is_peer (lk->src) && is_peer (lk->at) && is_peer (lk->to));
      for (guint i = 0; i < lk->n_avoid; i++)
        {
          FUZZ_CHECK (is_peer (lk->avoid[i]));
          for (guint j = 0; j < i; j++)
            FUZZ_CHECK (lk->avoid[i] != lk->avoid[j]);
        }
      FUZZ_CHECK (lk->resent == 0 && lk->leaf_hop == 0);
      FUZZ_CHECK (f->msg.entries == NULL);
      return;
    }
  const PastryMessage *m = &f->msg;
  FUZZ_CHECK (m->type == f->type);
  FUZZ_CHECK (pastry_wire_flags_valid (m->type, m->flags));
  FUZZ_CHECK (m->row < (128 + b - 1) / b && m->col < 1u << b);
  FUZZ_CHECK (m->n_entries <= PASTRY_WIRE_MAX_ENTRIES);
  FUZZ_CHECK ((m->n_entries == 0) == (m->entries == NULL));
  FUZZ_CHECK (is_peer (m->from) && is_peer (m->to));
  FUZZ_CHECK (m->about == PASTRY_PEER_NONE || is_peer (m->about));
  for (guint i = 0; i < m->n_entries; i++)
    FUZZ_CHECK (is_peer (m->entries[i].peer));
}

/* Decodes the input for a node of bits b: on success the frame keeps its
 * promises and re-encodes to the same bytes; on failure the error is in
 * the wire domain, reads "byte N: ..." with N within the datagram (or at
 * the size limit for TOO_BIG), and no peer was interned. */
static void
run_one (const guint8 *data, gsize size, guint b)
{
  g_autoptr (GError) error = NULL;
  PastryConfig cfg = PASTRY_CONFIG_DEFAULT;
  PastryWireFrame f;
  guint8 again[PASTRY_WIRE_MAX_DATAGRAM];
  gsize len = 0;
  gboolean ok;

  cfg.b = b;
  g_array_set_size (peers, 0);
  n_interns = 0;
  if (!pastry_wire_decode (data, size, &cfg, &table, NULL, &f, &error))
    {
      const char *p;
      guint64 at;

      fuzz_report ("wire", error);
      FUZZ_CHECK (error != NULL && error->domain == PASTRY_WIRE_ERROR);
      FUZZ_CHECK (error->code >= 0 && error->code < PASTRY_WIRE_N_ERRORS);
      FUZZ_CHECK (error->code != PASTRY_WIRE_ERROR_REFUSED
                  && error->code != PASTRY_WIRE_ERROR_UNKNOWN_PEER);
      FUZZ_CHECK (n_interns == 0 && peers->len == 0);
      FUZZ_CHECK (f.msg.entries == NULL && f.tag == 0);
      FUZZ_CHECK (g_str_has_prefix (error->message, "byte "));
      p = error->message + 5;
      FUZZ_CHECK (g_ascii_isdigit (*p));
      at = g_ascii_strtoull (p, (char **) &p, 10);
      FUZZ_CHECK (p[0] == ':' && p[1] == ' ' && p[2] != '\0');
      FUZZ_CHECK (at <= MIN (size, PASTRY_WIRE_MAX_DATAGRAM));
      FUZZ_CHECK (g_utf8_validate (error->message, -1, NULL));
      return;
    }
  fuzz_report ("wire", NULL);
  FUZZ_CHECK (error == NULL);
  FUZZ_CHECK (size <= PASTRY_WIRE_MAX_DATAGRAM);
  check_frame (&f, b);
  if (f.type == PASTRY_MSG_LOOKUP)
    ok = pastry_wire_encode_lookup (&f.lookup, f.tag, &table, NULL, again,
                                    sizeof again, &len, &error);
  else
    ok = pastry_wire_encode_message (&f.msg, f.tag, &table, NULL, again,
                                     sizeof again, &len, &error);
  if (!ok)
    fuzz_fail (G_STRLOC, "a decoded datagram does not encode: %s",
               error->message);
  FUZZ_CHECK (len == size && memcmp (again, data, size) == 0);
  if (f.type != PASTRY_MSG_LOOKUP)
    FUZZ_CHECK (pastry_wire_message_size (&f.msg, &table, NULL) == size);
  pastry_wire_frame_clear (&f);
}

void
fuzz_wire_one (const guint8 *data, gsize size)
{
  fuzz_init ();
  if (peers == NULL)
    peers = g_array_new (FALSE, FALSE, sizeof (Peer));
  /* The default b, the finest (most rows) and the coarsest (most
   * columns). */
  run_one (data, size, 4);
  run_one (data, size, 1);
  run_one (data, size, 8);
  g_array_set_size (peers, 0);
}

/* ---- Seeds ---- */

static guint64
splitmix (guint64 *s)
{
  guint64 z = (*s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static PastryPeer
add_peer (guint64 *rng, gboolean v6)
{
  Peer p;

  memset (&p, 0, sizeof p);
  p.id.hi = splitmix (rng);
  p.id.lo = splitmix (rng);
  p.addr.family = v6 ? PASTRY_WIRE_ADDR_IPV6 : PASTRY_WIRE_ADDR_IPV4;
  for (guint i = 0; i < (v6 ? 16u : 4u); i++)
    p.addr.bytes[i] = (guint8) splitmix (rng);
  p.addr.bytes[0] = v6 ? 0x20 : 10;
  p.addr.port = (guint16) (1 + splitmix (rng) % 65535);
  g_array_append_val (peers, p);
  return peers->len - 1;
}

static void
write_seed (const char *dir, const char *name, const guint8 *data, gsize len)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;

  if (!g_file_set_contents (path, (const char *) data, (gssize) len, &error))
    fuzz_fail (G_STRLOC, "cannot write %s: %s", path, error->message);
}

guint
fuzz_wire_write_seeds (const char *dir)
{
  guint64 rng = 2026;
  guint n = 0;

  fuzz_init ();
  if (peers == NULL)
    peers = g_array_new (FALSE, FALSE, sizeof (Peer));
  for (guint type = 0; type < PASTRY_MSG_N_TYPES; type++)
    for (guint v6 = 0; v6 < 2; v6++)
      {
        guint8 buf[PASTRY_WIRE_MAX_DATAGRAM];
        gsize len;
        g_autoptr (GError) error = NULL;
        g_autofree char *name = NULL;
        gboolean ok;

        g_array_set_size (peers, 0);
        if (type == PASTRY_MSG_LOOKUP)
          {
            PastryLookup lk;
            PastryId key = { splitmix (&rng), splitmix (&rng) };
            pastry_lookup_init (&lk, &key, add_peer (&rng, v6), 1000);
            lk.at = add_peer (&rng, v6);
            lk.to = add_peer (&rng, v6);
            lk.hops = 3;
            lk.hop_sent = 2000;
            lk.n_avoid = (guint8) (1 + v6);
            for (guint i = 0; i < lk.n_avoid; i++)
              lk.avoid[i] = add_peer (&rng, i % 2);
            lk.avoid_hard = 1;
            ok = pastry_wire_encode_lookup (&lk, 42 + v6, &table, NULL, buf,
                                            sizeof buf, &len, &error);
          }
        else
          {
            PastryMessage m;
            PastryEntry e[3];
            memset (&m, 0, sizeof m);
            m.type = (guint8) type;
            m.from = add_peer (&rng, v6);
            m.to = add_peer (&rng, v6);
            m.about = v6 ? PASTRY_PEER_NONE : add_peer (&rng, FALSE);
            m.flags = 0;
            for (guint f = 1; f < 256; f <<= 1)
              if (v6 && pastry_wire_flags_valid (type, f))
                m.flags |= (guint8) f;
            m.hops = 2;
            m.row = 1;
            m.col = 1;
            m.attempt = 1;
            m.epoch = 3;
            m.sent = 1000000;
            m.n_entries = type % 4;
            for (guint i = 0; i < m.n_entries; i++)
              {
                e[i].peer = add_peer (&rng, (i + v6) % 2);
                e[i].prox = i == 0 ? PASTRY_PROX_UNKNOWN : 1000 * i;
              }
            m.entries = e;
            ok = pastry_wire_encode_message (&m, v6 ? 7 : 0, &table, NULL, buf,
                                             sizeof buf, &len, &error);
          }
        if (!ok)
          fuzz_fail (G_STRLOC, "seed does not encode: %s", error->message);
        name = g_strdup_printf ("seed-%s-%s", pastry_msg_type_name (type),
                                v6 ? "ipv6" : "ipv4");
        write_seed (dir, name, buf, len);
        /* Every seed is a valid datagram. */
        {
          PastryWireFrame f;
          PastryConfig cfg = PASTRY_CONFIG_DEFAULT;
          if (!pastry_wire_decode (buf, len, &cfg, &table, NULL, &f, &error))
            fuzz_fail (G_STRLOC, "seed %s does not decode: %s", name,
                       error->message);
          pastry_wire_frame_clear (&f);
        }
        fuzz_wire_one (buf, len);
        n++;
      }
  g_array_set_size (peers, 0);
  return n;
}
