/* sim-live-host.c — Pastry nodes on real UDP sockets (sim-live-host.h).
 *
 * The protocol decisions are core's; this file is a driver in the sense
 * of core/README.md, "how a driver uses them", with a real transport:
 * every core call is made through call_begin()/call_end(), which carries
 * the outbox out in order (nested calls — JOINED starting maintenance,
 * JOIN_RESTART making the next attempt — take the next outbox of a small
 * stack).
 *
 * Cost: a datagram is one decode (O(entries)) and one core call; a
 * request or a lookup hop costs one hash insertion and one loop timer.
 * The oracle (the live node closest to a key, a bootstrap, the n-th live
 * node) is a scan of the hosted nodes: O(n) with n in the hundreds, which
 * costs less than the datagram does.  A sorted ring (sim-ring.c) was not
 * reused: it belongs to the simulator's world layer.
 *
 * Who frees what: the host owns its nodes' states, the directory, the
 * pending requests and hops (hash tables with g_free values) and the UDP
 * endpoints; the loop, the network model and the metrics are borrowed.
 */
#include "sim-live-host.h"

#include "pastry-join.h"
#include "pastry-lookup.h"
#include "pastry-maint.h"
#include "pastry-wire.h"
#include "sim-live-udp.h"

#include <string.h>

typedef enum
{
  NODE_DOWN,
  NODE_JOINING,
  NODE_LIVE,
} NodeState;

typedef struct
{
  PastryNode *node; /* NULL while down */
  PastryMaint mt;
  PastryJoin *js; /* while joining */
  guint8 state;   /* NodeState */
  guint32 incarn; /* lives ended so far */
  guint32 handle; /* in the directory */
  guint32 net;    /* index in the network model */
  SimTime join_started;
} Node;

/* A request waiting for its reply (or its probe_timeout). */
typedef struct
{
  guint32 node, incarn;
  PastryMessage msg; /* as sent, without entries */
  SimEventId timer;
} Request;

/* A lookup hop waiting for its acknowledgement (or its hop timer). */
typedef struct
{
  guint32 node, incarn;
  PastryLookup lk; /* as sent */
  SimEventId timer;
} Hop;

/* A lookup of this process, by number. */
typedef struct
{
  PastryId key;
  SimTime issued, due;
  guint32 src; /* hosted index */
  guint16 phase;
  gboolean done;
} LookupRec;

#define N_OUTBOXES 4
#define LEAVE_LINGER (2 * SIM_TIME_S)

struct _SimLiveHost
{
  SimLiveHostConfig cfg;
  PastryConfig pcfg;
  PastryMaintConfig mcfg;
  PastryJoinConfig jcfg;
  PastryLookupConfig lcfg;
  PastryEnv env0;
  PastryWirePeers peers;
  PastryWireStats wstats;
  SimLiveHostStats stats;

  SimLiveLoop *loop; /* borrowed */
  SimLiveUdp *udp;
  SimNet *net;         /* borrowed, may be NULL */
  SimMetrics *metrics; /* borrowed */
  GInetAddress *bind;
  guint16 port_base;

  PastryDirectory *dir;
  GArray *addrs;  /* PastryWireAddr by handle (family 0: unknown) */
  GArray *hosted; /* guint32 hosted index by handle (G_MAXUINT32: remote) */
  GArray *nodes;  /* Node by hosted index */
  guint n_live;

  GHashTable *requests; /* tag -> Request */
  GHashTable *hops;     /* tag -> Hop */
  GArray *lookups;      /* LookupRec by number */
  guint inflight;
  guint64 next_tag;
  guint64 hop_counter;
  gint64 wire_offset;     /* real-time µs minus loop µs */
  guint16 nonce;          /* this process's lookups (their tags) */
  PastryPeer placeholder; /* the --bootstrap address, id unknown */
  GArray *gone;           /* guint8 by handle: a remote peer declared dead */

  SimRng rng_protocol, rng_net;
  PastryOutbox outbox[N_OUTBOXES];
  guint depth;
  guint32 k_timer, k_request, k_hop, k_close;
};

static Node *
node_at (SimLiveHost *h, guint32 i)
{
  return &g_array_index (h->nodes, Node, i);
}

static guint32
hosted_of (const SimLiveHost *h, PastryPeer p)
{
  return p < h->hosted->len ? g_array_index (h->hosted, guint32, p)
                            : G_MAXUINT32;
}

static SimTime
now_of (SimLiveHost *h)
{
  return sim_live_loop_now (h->loop);
}

/* ---- The peer book ---- */

static void
book_grow (SimLiveHost *h)
{
  guint n = pastry_directory_size (h->dir);
  guint old = h->hosted->len;
  if (n <= old)
    return;
  g_array_set_size (h->addrs, n);
  g_array_set_size (h->hosted, n);
  g_array_set_size (h->gone, n);
  for (guint p = old; p < n; p++)
    g_array_index (h->hosted, guint32, p) = G_MAXUINT32;
}

/* TRUE when handle p names a node: it has an address and an id other than
 * 0, the id a joiner gives a --bootstrap address it knows no id for (the
 * joiner's placeholder, and its receiver's copy of it). */
static gboolean
book_is_peer (const SimLiveHost *h, PastryPeer p)
{
  static const PastryId zero = { 0, 0 };
  return g_array_index (h->addrs, PastryWireAddr, p).family != 0
         && !pastry_id_equal (pastry_directory_id (h->dir, p), &zero);
}

static gboolean
book_describe (gpointer data, PastryPeer peer, PastryId *id,
               PastryWireAddr *addr)
{
  SimLiveHost *h = data;
  if (peer >= h->addrs->len)
    return FALSE;
  const PastryWireAddr *a = &g_array_index (h->addrs, PastryWireAddr, peer);
  if (a->family == PASTRY_WIRE_ADDR_NONE)
    return FALSE;
  *id = *pastry_directory_id (h->dir, peer);
  *addr = *a;
  return TRUE;
}

static gboolean
book_intern (gpointer data, const PastryId *id, const PastryWireAddr *addr,
             PastryPeer *peer)
{
  SimLiveHost *h = data;
  PastryPeer p = pastry_directory_find (h->dir, id);
  if (p == PASTRY_PEER_NONE)
    {
      if (pastry_directory_size (h->dir) >= SIM_LIVE_HOST_MAX_PEERS)
        return FALSE;
      p = pastry_directory_intern (h->dir, id, NULL);
      book_grow (h);
    }
  /* A hosted node's address is its socket's: never taken from others. */
  if (hosted_of (h, p) == G_MAXUINT32)
    g_array_index (h->addrs, PastryWireAddr, p) = *addr;
  *peer = p;
  return TRUE;
}

static void
wire_addr_from (GInetSocketAddress *sa, PastryWireAddr *out)
{
  memset (out, 0, sizeof *out);
  GInetAddress *ia = g_inet_socket_address_get_address (sa);
  gsize n = g_inet_address_get_native_size (ia);
  out->family = n == 4 ? PASTRY_WIRE_ADDR_IPV4 : PASTRY_WIRE_ADDR_IPV6;
  memcpy (out->bytes, g_inet_address_to_bytes (ia), MIN (n, 16));
  out->port = g_inet_socket_address_get_port (sa);
}

static GSocketAddress *
socket_addr_of (const PastryWireAddr *a)
{
  g_autoptr (GInetAddress) ia = g_inet_address_new_from_bytes (
      a->bytes, a->family == PASTRY_WIRE_ADDR_IPV4 ? G_SOCKET_FAMILY_IPV4
                                                   : G_SOCKET_FAMILY_IPV6);
  return g_inet_socket_address_new (ia, a->port);
}

/* ---- Time on the wire ----
 *
 * The loop's clock starts at 0 in each process, so times that travel (a
 * lookup's issue time, against which every holder checks lookup_timeout;
 * a message's `sent`) go on the wire as µs of the real-time clock:
 * processes on one machine share it exactly, machines agree to within
 * NTP's error (milliseconds, against timeouts of seconds).  A time from
 * the future of this process is taken as now. */

static guint64
to_wire_time (const SimLiveHost *h, SimTime t)
{
  return (guint64) ((gint64) t + h->wire_offset);
}

static SimTime
from_wire_time (SimLiveHost *h, guint64 w)
{
  gint64 t = (gint64) w - h->wire_offset;
  SimTime now = now_of (h);
  return t < 0 ? 0 : MIN ((SimTime) t, now);
}

/* ---- Proximity, randomness ---- */

static guint32
prox_cb (PastryPeer from, PastryPeer to, gpointer data)
{
  SimLiveHost *h = data;
  guint32 a = hosted_of (h, from), b = hosted_of (h, to);
  if (h->net != NULL && a != G_MAXUINT32 && b != G_MAXUINT32)
    return (guint32) MIN (
        sim_net_proximity (h->net, node_at (h, a)->net, node_at (h, b)->net),
        (SimTime) G_MAXUINT32 - 1);
  return 1000; /* unknown: 1 ms, the order of a LAN */
}

static guint64
rng_below (gpointer data, guint64 n)
{
  return sim_rng_uniform_u64 (data, n);
}

/* ---- Sending ---- */

static gboolean
is_request (guint type)
{
  return type == PASTRY_MSG_PROBE || type == PASTRY_MSG_LEAFSET_REQUEST
         || type == PASTRY_MSG_ENTRY_REQUEST || type == PASTRY_MSG_ROW_REQUEST;
}

/* The reply type of a request type (PASTRY_MSG_N_TYPES: none). */
static guint
reply_of (guint type)
{
  switch (type)
    {
    case PASTRY_MSG_PROBE:
      return PASTRY_MSG_PROBE_REPLY;
    case PASTRY_MSG_LEAFSET_REQUEST:
      return PASTRY_MSG_LEAFSET_REPLY;
    case PASTRY_MSG_ENTRY_REQUEST:
      return PASTRY_MSG_ENTRY_REPLY;
    case PASTRY_MSG_ROW_REQUEST:
      return PASTRY_MSG_ROW_REPLY;
    default:
      return PASTRY_MSG_N_TYPES;
    }
}

/* Hands len bytes from hosted node i to peer `to`, with the emulated
 * delay and loss between hosted nodes.  Returns FALSE when the emulated
 * network lost it. */
static gboolean
transmit (SimLiveHost *h, guint32 i, PastryPeer to, guint type,
          const guint8 *buf, gsize len, gboolean repair)
{
  sim_metrics_message (h->metrics, now_of (h), type, (guint) len, repair);
  SimTime delay = 0;
  guint32 j = hosted_of (h, to);
  if (h->net != NULL && j != G_MAXUINT32)
    {
      gboolean lost = FALSE;
      delay = sim_net_delay_sample (h->net, node_at (h, i)->net,
                                    node_at (h, j)->net, &h->rng_net, &lost);
      if (lost)
        {
          h->stats.emulated_lost++;
          return FALSE;
        }
    }
  const PastryWireAddr *a = &g_array_index (h->addrs, PastryWireAddr, to);
  g_autoptr (GSocketAddress) sa = socket_addr_of (a);
  sim_live_udp_send (h->udp, i, sa, buf, len, delay);
  return TRUE;
}

static void
encode_send (SimLiveHost *h, guint32 i, const PastryMessage *wire, guint64 tag)
{
  guint8 buf[PASTRY_WIRE_MAX_DATAGRAM];
  gsize len = 0;
  g_autoptr (GError) error = NULL;
  if (!pastry_wire_encode_message (wire, tag, &h->peers, h, buf, sizeof buf,
                                   &len, &error))
    {
      /* A peer without an address: counted; the protocol's timers
       * recover. */
      h->stats.encode_errors++;
      return;
    }
  transmit (h, i, wire->to, wire->type, buf, len,
            (wire->flags & PASTRY_MSG_FLAG_REPAIR) != 0);
}

/* TRUE when wire with its last k entries fits one datagram. */
static gboolean
fits (SimLiveHost *h, const PastryMessage *wire, guint k)
{
  PastryMessage m = *wire;
  m.entries = wire->entries + (wire->n_entries - k);
  m.n_entries = k;
  gsize size = pastry_wire_message_size (&m, &h->peers, h);
  return k <= PASTRY_WIRE_MAX_ENTRIES && size > 0
         && size <= PASTRY_WIRE_MAX_DATAGRAM;
}

/* Sends msg from hosted node i with wire tag tag.  A message too big for
 * one datagram (a join reply with rows, neighbourhood and leaf set; an
 * announcement carrying the joiner's state) keeps its last entries — the
 * root's leaf set comes last — and its first ones go ahead of it in
 * LEAFSET_PUSH datagrams, which every receiver takes as peers to offer
 * (a joined receiver announces itself to new leaves among them, as it
 * would have).  Rejected: truncating (a joiner would miss rows) and a
 * fragment format (the wire format has one datagram per message). */
static void
send_message (SimLiveHost *h, guint32 i, const PastryMessage *msg, guint64 tag)
{
  PastryMessage wire = *msg;
  wire.sent = to_wire_time (h, msg->sent);
  guint k = wire.n_entries;
  while (k > 0 && !fits (h, &wire, k))
    k--;
  if (k == wire.n_entries)
    {
      encode_send (h, i, &wire, tag);
      return;
    }
  h->stats.split_messages++;
  guint head = wire.n_entries - k;
  for (guint at = 0; at < head;)
    {
      PastryMessage push = { 0 };
      push.type = PASTRY_MSG_LEAFSET_PUSH;
      push.from = wire.from;
      push.to = wire.to;
      push.about = wire.from;
      push.sent = wire.sent;
      push.entries = wire.entries + at;
      push.n_entries = MIN (head - at, 40u);
      encode_send (h, i, &push, 0);
      at += push.n_entries;
    }
  wire.entries += head;
  wire.n_entries = k;
  encode_send (h, i, &wire, tag);
}

/* ---- Calls into core ---- */

static PastryOutbox *
call_begin (SimLiveHost *h, guint32 i, PastryEnv *env)
{
  g_assert (h->depth < N_OUTBOXES);
  PastryOutbox *out = &h->outbox[h->depth++];
  SimTime now = now_of (h);
  pastry_outbox_begin (out, node_at (h, i)->handle, now);
  *env = h->env0;
  env->now = now;
  env->out = out;
  return out;
}

static void upcall (SimLiveHost *h, guint32 i, PastryUpcallKind kind);

/* Carries out's items out in order.  in_type/in_tag/in_from: the request
 * this call answers (in_type PASTRY_MSG_N_TYPES: none), whose tag the
 * reply to in_from echoes. */
static void
call_end_reply (SimLiveHost *h, guint32 i, PastryOutbox *out, guint in_type,
                guint64 in_tag, PastryPeer in_from)
{
  guint reply = reply_of (in_type);
  Node *n = node_at (h, i);
  guint32 incarn = n->incarn;
  for (guint k = 0; k < pastry_outbox_len (out); k++)
    {
      PastryOutItem *it = pastry_outbox_item (out, k);
      if (node_at (h, i)->incarn != incarn)
        break; /* an upcall ended this life */
      switch (it->kind)
        {
        case PASTRY_OUT_SEND:
          {
            PastryMessage *msg = &it->msg;
            guint64 tag = 0;
            if (msg->type == reply && msg->to == in_from)
              tag = in_tag;
            else if (h->cfg.maintain && is_request (msg->type))
              {
                tag = ++h->next_tag;
                Request *r = g_new0 (Request, 1);
                r->node = i;
                r->incarn = incarn;
                r->msg = *msg;
                r->msg.entries = NULL;
                r->msg.n_entries = 0;
                r->timer = sim_live_loop_at (
                    h->loop, sim_time_add (now_of (h), h->cfg.probe_timeout),
                    h->k_request, i, tag);
                g_hash_table_insert (h->requests, g_memdup2 (&tag, sizeof tag),
                                     r);
              }
            send_message (h, i, msg, tag);
            break;
          }
        case PASTRY_OUT_TIMER:
          {
            guint64 b = ((guint64) incarn << 40) | ((guint64) it->timer << 32)
                        | it->cookie;
            sim_live_loop_at (h->loop, sim_time_add (now_of (h), it->delay),
                              h->k_timer, i, b);
            break;
          }
        case PASTRY_OUT_UPCALL:
          if (it->upcall == PASTRY_UPCALL_DECLARED_DEAD)
            {
              h->stats.declared_dead++;
              if (it->to < h->gone->len)
                g_array_index (h->gone, guint8, it->to) = 1;
            }
          else if (it->upcall == PASTRY_UPCALL_REFUTED)
            h->stats.refutations++;
          else
            upcall (h, i, it->upcall);
          break;
        }
    }
  pastry_outbox_reset (out);
  h->depth--;
}

static void
call_end (SimLiveHost *h, guint32 i, PastryOutbox *out)
{
  call_end_reply (h, i, out, PASTRY_MSG_N_TYPES, 0, PASTRY_PEER_NONE);
}

static void
suspect (SimLiveHost *h, guint32 i, PastryPeer p)
{
  Node *n = node_at (h, i);
  if (!h->cfg.maintain || n->state != NODE_LIVE)
    return;
  PastryEnv env;
  PastryOutbox *out = call_begin (h, i, &env);
  pastry_maint_suspect (&n->mt, n->node, &env, p);
  call_end (h, i, out);
}

/* ---- The oracle: the process's own nodes ---- */

guint
sim_live_host_n_live (const SimLiveHost *h)
{
  return h->n_live;
}

guint32
sim_live_host_nth_live (const SimLiveHost *h, guint k)
{
  for (guint i = 0; i < h->nodes->len; i++)
    if (g_array_index (h->nodes, Node, i).state == NODE_LIVE && k-- == 0)
      return i;
  return G_MAXUINT32;
}

gboolean
sim_live_host_is_live (const SimLiveHost *h, guint32 i)
{
  return g_array_index (h->nodes, Node, i).state == NODE_LIVE;
}

/* The live hosted node closest to key (G_MAXUINT32: none). */
static guint32
oracle_root (SimLiveHost *h, const PastryId *key)
{
  guint32 best = G_MAXUINT32;
  for (guint i = 0; i < h->nodes->len; i++)
    {
      Node *n = node_at (h, i);
      if (n->state != NODE_LIVE)
        continue;
      if (best == G_MAXUINT32
          || pastry_id_closer (
                 key, pastry_directory_id (h->dir, n->handle),
                 pastry_directory_id (h->dir, node_at (h, best)->handle))
                 < 0)
        best = i;
    }
  return best;
}

/* The bootstrap of i's join: the nearest live hosted node. */
static PastryPeer
bootstrap_of (SimLiveHost *h, guint32 i)
{
  PastryPeer best = PASTRY_PEER_NONE;
  guint32 best_prox = G_MAXUINT32;
  for (guint j = 0; j < h->nodes->len; j++)
    {
      Node *n = node_at (h, j);
      if (j == i || n->state != NODE_LIVE)
        continue;
      guint32 p = prox_cb (node_at (h, i)->handle, n->handle, h);
      if (best == PASTRY_PEER_NONE || p < best_prox)
        best = n->handle, best_prox = p;
    }
  return best != PASTRY_PEER_NONE ? best : h->placeholder;
}

/* ---- Node life cycle ---- */

static void
go_down (SimLiveHost *h, guint32 i, SimNodeEvent ev, gboolean close_now)
{
  Node *n = node_at (h, i);
  if (n->state == NODE_DOWN)
    return;
  SimTime now = now_of (h);
  if (n->state == NODE_LIVE)
    {
      h->n_live--;
      sim_metrics_live (h->metrics, now, h->n_live);
    }
  n->state = NODE_DOWN;
  n->incarn++;
  g_clear_pointer (&n->js, g_free);
  g_clear_pointer (&n->node, pastry_node_free);
  pastry_maint_clear (&n->mt);
  pastry_maint_init (&n->mt);
  sim_metrics_node_event (h->metrics, now, ev);
  if (close_now)
    sim_live_udp_close (h->udp, i);
  else
    sim_live_loop_at (h->loop, sim_time_add (now, LEAVE_LINGER), h->k_close, i,
                      n->incarn);
}

static void
upcall (SimLiveHost *h, guint32 i, PastryUpcallKind kind)
{
  Node *n = node_at (h, i);
  switch (kind)
    {
    case PASTRY_UPCALL_JOINED:
      n->state = NODE_LIVE;
      h->n_live++;
      sim_metrics_live (h->metrics, now_of (h), h->n_live);
      if (h->cfg.maintain)
        {
          PastryEnv env;
          PastryOutbox *out = call_begin (h, i, &env);
          pastry_maint_start (&n->mt, n->node, &env);
          call_end (h, i, out);
        }
      break;
    case PASTRY_UPCALL_JOIN_DONE:
      sim_metrics_join (h->metrics, now_of (h) - n->join_started);
      g_clear_pointer (&n->js, g_free);
      break;
    case PASTRY_UPCALL_JOIN_RESTART:
      {
        pastry_node_free (n->node);
        n->node = pastry_node_new (&h->pcfg, h->dir, n->handle);
        PastryPeer bootstrap = bootstrap_of (h, i);
        PastryEnv env;
        PastryOutbox *out = call_begin (h, i, &env);
        pastry_join_attempt (n->js, n->node, &env, bootstrap);
        call_end (h, i, out);
        break;
      }
    default:
      g_assert_not_reached ();
    }
}

guint32
sim_live_host_add_node (SimLiveHost *h, SimRng *rng_ids, SimRng *rng_topology)
{
  PastryId id;
  do
    {
      id.hi = sim_rng_next_u64 (rng_ids);
      id.lo = sim_rng_next_u64 (rng_ids);
    }
  while (pastry_directory_find (h->dir, &id) != PASTRY_PEER_NONE);
  Node n = { 0 };
  n.handle = pastry_directory_intern (h->dir, &id, NULL);
  book_grow (h);
  n.net = h->net != NULL ? sim_net_add_node (h->net, rng_topology) : 0;
  n.state = NODE_DOWN;
  pastry_maint_init (&n.mt);
  guint32 i = h->nodes->len;
  g_array_append_val (h->nodes, n);
  g_array_index (h->hosted, guint32, n.handle) = i;
  return i;
}

guint
sim_live_host_n_nodes (const SimLiveHost *h)
{
  return h->nodes->len;
}

const PastryId *
sim_live_host_id (const SimLiveHost *h, guint32 i)
{
  return pastry_directory_id (h->dir, g_array_index (h->nodes, Node, i).handle);
}

GInetSocketAddress *
sim_live_host_address (const SimLiveHost *h, guint32 i)
{
  return sim_live_udp_address (h->udp, i);
}

gboolean
sim_live_host_join (SimLiveHost *h, guint32 i, GError **error)
{
  Node *n = node_at (h, i);
  g_return_val_if_fail (n->state == NODE_DOWN, FALSE);
  if (!sim_live_udp_is_open (h->udp, i))
    {
      g_autoptr (GSocketAddress) sa = g_inet_socket_address_new (
          h->bind, h->port_base == 0 ? 0 : (guint16) (h->port_base + i));
      if (!sim_live_udp_open (h->udp, i, G_INET_SOCKET_ADDRESS (sa), error))
        return FALSE;
    }
  PastryWireAddr *a = &g_array_index (h->addrs, PastryWireAddr, n->handle);
  wire_addr_from (sim_live_udp_address (h->udp, i), a);
  if (h->nonce == 0)
    {
      /* The process's lookup nonce, from its first node's address: two
       * processes never share one (FNV-1a, 16 bits, never 0). */
      guint32 x = 2166136261u;
      for (guint k = 0; k < 16; k++)
        x = (x ^ a->bytes[k]) * 16777619u;
      x = ((x ^ (a->port & 0xff)) * 16777619u ^ (a->port >> 8)) * 16777619u;
      h->nonce = (guint16) ((x ^ (x >> 16)) | 1);
    }
  n->state = NODE_JOINING;
  n->node = pastry_node_new (&h->pcfg, h->dir, n->handle);
  n->js = g_new0 (PastryJoin, 1);
  n->join_started = now_of (h);
  sim_metrics_node_event (h->metrics, n->join_started, SIM_NODE_EVENT_JOIN);
  PastryPeer bootstrap = bootstrap_of (h, i);
  PastryEnv env;
  PastryOutbox *out = call_begin (h, i, &env);
  pastry_join_start (n->js, n->node, &env, bootstrap);
  call_end (h, i, out);
  return TRUE;
}

void
sim_live_host_fail (SimLiveHost *h, guint32 i)
{
  go_down (h, i, SIM_NODE_EVENT_FAIL, TRUE);
}

void
sim_live_host_leave (SimLiveHost *h, guint32 i)
{
  Node *n = node_at (h, i);
  if (n->state == NODE_LIVE)
    {
      PastryEnv env;
      PastryOutbox *out = call_begin (h, i, &env);
      pastry_maint_leave (n->node, &env);
      call_end (h, i, out);
    }
  go_down (h, i, SIM_NODE_EVENT_LEAVE, FALSE);
}

/* ---- Lookups ---- */

/* A lookup's tag: this process's nonce (16 bits), the lookup's number at
 * its source (24 bits), the hop (24 bits, a counter of the sending
 * process).  TRUE, with *l its number, when tag is a lookup of ours. */
static gboolean
local_lookup (const SimLiveHost *h, guint64 tag, guint64 *l)
{
  *l = (tag >> 24) & 0xffffff;
  return (tag >> 48) == h->nonce && *l < h->lookups->len;
}

/* The oracle's root of key: the closest of the live hosted nodes and the
 * remote peers this process knows and no hosted node declared dead. */
static PastryPeer
oracle_root_peer (SimLiveHost *h, const PastryId *key)
{
  guint32 r = oracle_root (h, key);
  PastryPeer best
      = r == G_MAXUINT32 ? PASTRY_PEER_NONE : node_at (h, r)->handle;
  for (guint p = 0; p < h->hosted->len; p++)
    {
      if (g_array_index (h->hosted, guint32, p) != G_MAXUINT32
          || !book_is_peer (h, p) || g_array_index (h->gone, guint8, p))
        continue;
      if (best == PASTRY_PEER_NONE
          || pastry_id_closer (key, pastry_directory_id (h->dir, p),
                               pastry_directory_id (h->dir, best))
                 < 0)
        best = p;
    }
  return best;
}

/* Ends lookup l: delivered at peer `at` after hops (PASTRY_PEER_NONE:
 * failed). */
static void
finish (SimLiveHost *h, guint64 l, PastryPeer at, guint hops, guint detours)
{
  LookupRec *rec = &g_array_index (h->lookups, LookupRec, l);
  if (rec->done)
    return;
  rec->done = TRUE;
  h->inflight--;
  PastryPeer root = oracle_root_peer (h, &rec->key);
  SimOutcome outcome = SIM_OUTCOME_FAILED;
  if (at != PASTRY_PEER_NONE)
    outcome = at == root ? SIM_OUTCOME_OK : SIM_OUTCOME_WRONG;
  if (outcome == SIM_OUTCOME_OK)
    h->stats.lookups_ok++;
  else if (outcome == SIM_OUTCOME_WRONG)
    h->stats.lookups_wrong++;
  else
    h->stats.lookups_failed++;
  if (at != PASTRY_PEER_NONE && hosted_of (h, at) == G_MAXUINT32)
    h->stats.lookups_remote++;
  SimTime direct = 0;
  guint32 rj = root == PASTRY_PEER_NONE ? G_MAXUINT32 : hosted_of (h, root);
  if (h->net != NULL && rj != G_MAXUINT32 && rj != rec->src)
    direct = sim_net_latency (h->net, node_at (h, rec->src)->net,
                              node_at (h, rj)->net);
  SimKey key = { rec->key.hi, rec->key.lo };
  sim_metrics_lookup (h->metrics, rec->due, rec->src, &key, hops, detours,
                      now_of (h) - rec->issued, direct, -1.0, outcome,
                      rec->phase);
}

/* The lookup of tag base failed at this process (ours: it ends; another
 * process's: its source ends it at its end of run). */
static void
give_up (SimLiveHost *h, guint64 base)
{
  guint64 l;
  if (local_lookup (h, base, &l))
    finish (h, l, PASTRY_PEER_NONE, 0, 0);
}

static SimTime
hop_timeout (SimLiveHost *h, guint32 i, PastryPeer to)
{
  Node *n = node_at (h, i);
  return pastry_fd_hop_timeout (&n->mt.fd, to, prox_cb (n->handle, to, h),
                                h->cfg.min_hop_timeout);
}

/* Sends the current hop (lk->at to lk->to) of the lookup of tag base. */
static void
send_hop (SimLiveHost *h, guint32 i, guint64 base, const PastryLookup *lk)
{
  guint64 tag = base | (++h->hop_counter & 0xffffff);
  guint8 buf[PASTRY_WIRE_MAX_DATAGRAM];
  gsize len = 0;
  g_autoptr (GError) error = NULL;
  gboolean sent = FALSE;
  PastryLookup wire = *lk;
  wire.issued = to_wire_time (h, lk->issued);
  wire.hop_sent = to_wire_time (h, lk->hop_sent);
  if (pastry_wire_encode_lookup (&wire, tag, &h->peers, h, buf, sizeof buf,
                                 &len, &error))
    sent = transmit (h, i, lk->to, PASTRY_MSG_LOOKUP, buf, len, FALSE);
  else
    h->stats.encode_errors++;
  if (!h->cfg.maintain)
    {
      if (!sent)
        give_up (h, base); /* nothing recovers it */
      return;
    }
  Hop *hop = g_new0 (Hop, 1);
  hop->node = i;
  hop->incarn = node_at (h, i)->incarn;
  hop->lk = *lk;
  hop->timer = sim_live_loop_at (
      h->loop, sim_time_add (lk->hop_sent, hop_timeout (h, i, lk->to)),
      h->k_hop, i, tag);
  g_hash_table_insert (h->hops, g_memdup2 (&tag, sizeof tag), hop);
}

/* Hosted node i holds the lookup of tag base: deliver, forward or give
 * up.  A lookup of another process delivered here is reported to its
 * source: a LOOKUP_ACK whose `about` is the delivering node and whose
 * hops are the lookup's (a per-hop ack has no `about`). */
static void
process (SimLiveHost *h, guint32 i, guint64 base, PastryLookup *lk)
{
  Node *n = node_at (h, i);
  guint64 l;
  switch (pastry_lookup_forward (
      lk, n->node, h->cfg.maintain ? &n->mt.fd : NULL, &h->lcfg, now_of (h)))
    {
    case PASTRY_LOOKUP_DELIVER:
      if (local_lookup (h, base, &l))
        finish (h, l, n->handle, lk->hops, lk->detours);
      else
        {
          PastryMessage rep = { 0 };
          rep.type = PASTRY_MSG_LOOKUP_ACK;
          rep.from = n->handle;
          rep.to = lk->src;
          rep.about = n->handle;
          rep.hops = (guint8) MIN (lk->hops, 255);
          rep.sent = now_of (h);
          send_message (h, i, &rep, base);
        }
      break;
    case PASTRY_LOOKUP_SEND:
      send_hop (h, i, base, lk);
      break;
    default:
      give_up (h, base);
      break;
    }
}

void
sim_live_host_lookup (SimLiveHost *h, guint32 src, const PastryId *key,
                      SimTime due, guint phase)
{
  LookupRec rec = { 0 };
  rec.key = *key;
  rec.issued = now_of (h);
  rec.due = due;
  rec.src = src;
  rec.phase = (guint16) phase;
  guint64 l = h->lookups->len;
  g_return_if_fail (l < 0xffffff);
  g_array_append_val (h->lookups, rec);
  h->inflight++;
  h->stats.lookups_started++;
  Node *n = node_at (h, src);
  guint64 base = ((guint64) h->nonce << 48) | (l << 24);
  PastryLookup lk;
  pastry_lookup_init (&lk, key, n->handle, rec.issued);
  if (n->state != NODE_LIVE)
    finish (h, l, PASTRY_PEER_NONE, 0, 0);
  else
    process (h, src, base, &lk);
}

guint
sim_live_host_inflight (const SimLiveHost *h)
{
  return h->inflight;
}

void
sim_live_host_abandon (SimLiveHost *h)
{
  for (guint64 l = 0; l < h->lookups->len; l++)
    if (!g_array_index (h->lookups, LookupRec, l).done)
      finish (h, l, PASTRY_PEER_NONE, 0, 0);
}

static void
lookup_arrive (SimLiveHost *h, guint32 i, PastryLookup *lk, guint64 tag)
{
  Node *n = node_at (h, i);
  /* The acknowledgement first, as the hop's receiver. */
  PastryMessage ack = { 0 };
  ack.type = PASTRY_MSG_LOOKUP_ACK;
  ack.from = n->handle;
  ack.to = lk->at;
  ack.about = PASTRY_PEER_NONE;
  ack.sent = now_of (h);
  send_message (h, i, &ack, tag);
  guint64 base = tag & ~(guint64) 0xffffff, l;
  if (local_lookup (h, base, &l)
      && g_array_index (h->lookups, LookupRec, l).done)
    return; /* a duplicate of a finished lookup (a lost or late ack) */
  if (h->cfg.maintain)
    {
      PastryPeer reported[PASTRY_LOOKUP_AVOID];
      guint k = pastry_lookup_reported (lk, n->node, reported);
      for (guint r = 0; r < k; r++)
        suspect (h, i, reported[r]);
    }
  process (h, i, base, lk);
}

/* A LOOKUP_ACK arrived at i: a hop's ack, or a delivery report. */
static void
lookup_acked (SimLiveHost *h, guint32 i, const PastryMessage *msg, guint64 tag)
{
  guint64 l;
  if (msg->about != PASTRY_PEER_NONE)
    {
      if (local_lookup (h, tag, &l))
        finish (h, l, msg->about, msg->hops, 0);
      return;
    }
  Hop *hop = g_hash_table_lookup (h->hops, &tag);
  if (hop == NULL || hop->node != i || hop->lk.to != msg->from)
    return;
  Node *n = node_at (h, i);
  if (hop->incarn == n->incarn && n->state != NODE_DOWN)
    pastry_fd_rtt_sample (&n->mt.fd, hop->lk.to, now_of (h) - hop->lk.hop_sent);
  sim_live_loop_cancel (h->loop, hop->timer);
  g_hash_table_remove (h->hops, &tag);
}

static void
on_hop_timeout (SimLiveLoop *loop, const SimEvent *ev, gpointer data)
{
  SimLiveHost *h = data;
  guint64 tag = ev->b;
  Hop *hop = g_hash_table_lookup (h->hops, &tag);
  if (hop == NULL)
    return;
  Hop copy = *hop;
  g_hash_table_remove (h->hops, &tag);
  guint64 base = tag & ~(guint64) 0xffffff, l;
  guint32 i = copy.node;
  Node *n = node_at (h, i);
  if (local_lookup (h, base, &l)
      && g_array_index (h->lookups, LookupRec, l).done)
    return; /* delivered meanwhile: only the ack was lost or late */
  if (n->state == NODE_DOWN || n->incarn != copy.incarn)
    {
      give_up (h, base); /* its holder died */
      return;
    }
  PastryPeer gone = PASTRY_PEER_NONE;
  gboolean final_resent = FALSE;
  PastryLookupStep step = pastry_lookup_hop_timeout (
      &copy.lk, &n->mt.fd, &h->lcfg, now_of (h), &gone, &final_resent);
  if (step == PASTRY_LOOKUP_SEND)
    {
      send_hop (h, i, base, &copy.lk);
      return;
    }
  suspect (h, i, gone);
  if (step == PASTRY_LOOKUP_REROUTE && n->state == NODE_LIVE)
    process (h, i, base, &copy.lk);
  else
    give_up (h, base);
}

/* ---- Timers and requests ---- */

static void
on_timer (SimLiveLoop *loop, const SimEvent *ev, gpointer data)
{
  SimLiveHost *h = data;
  guint32 i = ev->a;
  Node *n = node_at (h, i);
  if (n->state == NODE_DOWN || (guint32) (ev->b >> 40) != n->incarn)
    return;
  PastryTimerKind kind = (PastryTimerKind) ((ev->b >> 32) & 0xff);
  guint32 cookie = (guint32) ev->b;
  PastryEnv env;
  PastryOutbox *out = call_begin (h, i, &env);
  switch (kind)
    {
    case PASTRY_TIMER_HEARTBEAT:
      if (n->state == NODE_LIVE)
        pastry_maint_heartbeat (&n->mt, n->node, &env);
      break;
    case PASTRY_TIMER_PROBE_ROUND:
      if (n->state == NODE_LIVE)
        pastry_maint_probe_round (&n->mt, n->node, &env);
      break;
    case PASTRY_TIMER_JOIN:
      if (n->js != NULL)
        pastry_join_timer (n->js, &env, cookie);
      break;
    }
  call_end (h, i, out);
}

static void
on_request_timeout (SimLiveLoop *loop, const SimEvent *ev, gpointer data)
{
  SimLiveHost *h = data;
  guint64 tag = ev->b;
  Request *r = g_hash_table_lookup (h->requests, &tag);
  if (r == NULL)
    return;
  Request copy = *r;
  g_hash_table_remove (h->requests, &tag);
  Node *n = node_at (h, copy.node);
  if (n->state == NODE_DOWN || n->incarn != copy.incarn)
    return;
  PastryEnv env;
  PastryOutbox *out = call_begin (h, copy.node, &env);
  pastry_maint_unanswered (&n->mt, n->node, &copy.msg, &env);
  call_end (h, copy.node, out);
  if (copy.msg.type == PASTRY_MSG_ROW_REQUEST && n->js != NULL
      && n->incarn == copy.incarn)
    {
      out = call_begin (h, copy.node, &env);
      pastry_join_missed (n->js, n->node, &copy.msg, &env);
      call_end (h, copy.node, out);
    }
}

static void
on_close (SimLiveLoop *loop, const SimEvent *ev, gpointer data)
{
  SimLiveHost *h = data;
  Node *n = node_at (h, ev->a);
  if (n->state == NODE_DOWN && n->incarn == (guint32) ev->b)
    sim_live_udp_close (h->udp, ev->a);
}

/* ---- Receiving ---- */

static void
on_datagram (SimLiveUdp *udp, guint32 i, GSocketAddress *from,
             const guint8 *data, gsize len, gpointer user)
{
  SimLiveHost *h = user;
  if (i >= h->nodes->len)
    return;
  Node *n = node_at (h, i);
  if (n->state == NODE_DOWN)
    return; /* a leaving node lingering for its LEAVEs to go */
  PastryWireFrame f;
  g_autoptr (GError) error = NULL;
  if (!pastry_wire_decode (data, len, &h->pcfg, &h->peers, h, &f, &error))
    {
      pastry_wire_stats_count (&h->wstats, error);
      h->stats.bad_datagrams++;
      return;
    }
  f.msg.sent = from_wire_time (h, f.msg.sent);
  f.lookup.issued = from_wire_time (h, f.lookup.issued);
  f.lookup.hop_sent = from_wire_time (h, f.lookup.hop_sent);
  if (f.type == PASTRY_MSG_LOOKUP)
    {
      if (f.lookup.to == n->handle && n->state == NODE_LIVE)
        lookup_arrive (h, i, &f.lookup, f.tag);
      pastry_wire_frame_clear (&f);
      return;
    }
  PastryMessage *msg = &f.msg;
  if (msg->from < h->gone->len)
    g_array_index (h->gone, guint8, msg->from) = 0; /* it speaks: alive */
  static const PastryId zero = { 0, 0 };
  if (msg->type == PASTRY_MSG_JOIN_REQUEST
      && pastry_id_equal (pastry_directory_id (h->dir, msg->to), &zero))
    msg->to = n->handle; /* to whoever listens here: see set_bootstrap */
  if (msg->to != n->handle)
    {
      pastry_wire_frame_clear (&f); /* for a former owner of this port */
      return;
    }
  if (msg->type == PASTRY_MSG_LOOKUP_ACK)
    {
      lookup_acked (h, i, msg, f.tag);
      pastry_wire_frame_clear (&f);
      return;
    }
  if (f.tag != 0)
    {
      Request *r = g_hash_table_lookup (h->requests, &f.tag);
      if (r != NULL && r->node == i && reply_of (r->msg.type) == msg->type)
        {
          sim_live_loop_cancel (h->loop, r->timer);
          g_hash_table_remove (h->requests, &f.tag);
        }
    }
  PastryEnv env;
  PastryOutbox *out = call_begin (h, i, &env);
  if (!pastry_join_receive (n->js, &n->mt, n->node, msg, &env))
    pastry_maint_receive (&n->mt, n->node, msg, &env);
  call_end_reply (h, i, out, msg->type, f.tag, msg->from);
  pastry_wire_frame_clear (&f);
}

/* ---- Construction ---- */

SimLiveHost *
sim_live_host_new (const SimLiveHostConfig *cfg, SimLiveLoop *loop,
                   const char *bind, guint16 port_base, SimNet *net,
                   SimMetrics *metrics, GError **error)
{
  g_return_val_if_fail (cfg != NULL && loop != NULL && metrics != NULL, NULL);
  GInetAddress *ia
      = g_inet_address_new_from_string (bind != NULL ? bind : "127.0.0.1");
  if (ia == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "--bind: '%s' is not an IP address", bind);
      return NULL;
    }
  PastryConfig pcfg = { cfg->b, cfg->leaf_size, cfg->neigh_size };
  if (!pastry_config_validate (&pcfg, error))
    {
      g_object_unref (ia);
      return NULL;
    }
  SimLiveHost *h = g_new0 (SimLiveHost, 1);
  h->cfg = *cfg;
  h->pcfg = pcfg;
  h->bind = ia;
  h->port_base = port_base;
  h->loop = loop;
  h->net = net;
  h->metrics = metrics;
  h->mcfg = (PastryMaintConfig){
    .b = cfg->b,
    .maintain = cfg->maintain,
    .repair_leaf = cfg->repair_leaf,
    .repair_table = cfg->repair_table,
    .verify_leaves = TRUE,
    .heartbeat_period = cfg->heartbeat_period,
    .heartbeat_timeout = cfg->heartbeat_timeout,
    .probe_period = cfg->probe_period,
    .probe_timeout = cfg->probe_timeout,
    .probe_retries = cfg->probe_retries,
  };
  h->jcfg = (PastryJoinConfig){
    .refine = cfg->join_refine,
    .announce_state = cfg->announce_state,
    .acked = FALSE, /* see the header: the join timer recovers */
    .restart = TRUE,
    .timeout = cfg->lookup_timeout,
  };
  h->lcfg = (PastryLookupConfig){
    .avoid = cfg->maintain,
    .hop_retries = cfg->hop_retries,
    .lookup_timeout = cfg->lookup_timeout,
    .replicas = { .k = 1 },
  };
  sim_rng_init (&h->rng_protocol, cfg->seed, SIM_RNG_PURPOSE_PROTOCOL, 0);
  sim_rng_init (&h->rng_net, cfg->seed, SIM_RNG_PURPOSE_NETWORK, 0);
  h->env0 = (PastryEnv){
    .cfg = &h->mcfg,
    .join = &h->jcfg,
    .rnd = { rng_below, &h->rng_protocol },
    .prox = prox_cb,
    .prox_data = h,
  };
  h->peers = (PastryWirePeers){ book_describe, book_intern };
  for (guint i = 0; i < N_OUTBOXES; i++)
    pastry_outbox_init (&h->outbox[i]);
  h->dir = pastry_directory_new (NULL);
  h->addrs = g_array_new (FALSE, TRUE, sizeof (PastryWireAddr));
  h->hosted = g_array_new (FALSE, FALSE, sizeof (guint32));
  h->gone = g_array_new (FALSE, TRUE, sizeof (guint8));
  h->placeholder = PASTRY_PEER_NONE;
  h->nodes = g_array_new (FALSE, TRUE, sizeof (Node));
  h->requests
      = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  h->hops = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  h->lookups = g_array_new (FALSE, TRUE, sizeof (LookupRec));
  h->udp = sim_live_udp_new (loop, on_datagram, h);
  h->wire_offset = g_get_real_time () - (gint64) sim_live_loop_now (loop);
  h->k_timer = sim_live_loop_add_kind (loop, on_timer, h);
  h->k_request = sim_live_loop_add_kind (loop, on_request_timeout, h);
  h->k_hop = sim_live_loop_add_kind (loop, on_hop_timeout, h);
  h->k_close = sim_live_loop_add_kind (loop, on_close, h);

  /* Pastry's message types, as the metrics count them (as `run`). */
  SimMsgTypeInfo types[PASTRY_MSG_N_TYPES];
  static const SimTraffic traffic[] = {
    [PASTRY_MSG_CLASS_LOOKUP] = SIM_TRAFFIC_LOOKUP,
    [PASTRY_MSG_CLASS_JOIN] = SIM_TRAFFIC_JOIN,
    [PASTRY_MSG_CLASS_MAINTENANCE] = SIM_TRAFFIC_MAINTENANCE,
  };
  for (guint t = 0; t < PASTRY_MSG_N_TYPES; t++)
    {
      types[t].name = pastry_msg_type_name (t);
      types[t].traffic = traffic[pastry_msg_type_class (t)];
      types[t].request
          = t == PASTRY_MSG_LEAFSET_REQUEST || t == PASTRY_MSG_ENTRY_REQUEST;
    }
  sim_metrics_set_message_types (metrics, types, PASTRY_MSG_N_TYPES);
  return h;
}

void
sim_live_host_free (SimLiveHost *h)
{
  if (h == NULL)
    return;
  sim_live_udp_free (h->udp);
  for (guint i = 0; i < h->nodes->len; i++)
    {
      Node *n = node_at (h, i);
      g_free (n->js);
      if (n->node != NULL)
        pastry_node_free (n->node);
      pastry_maint_clear (&n->mt);
    }
  for (guint i = 0; i < N_OUTBOXES; i++)
    pastry_outbox_clear (&h->outbox[i]);
  g_hash_table_unref (h->requests);
  g_hash_table_unref (h->hops);
  g_array_unref (h->lookups);
  g_array_unref (h->nodes);
  g_array_unref (h->hosted);
  g_array_unref (h->gone);
  g_array_unref (h->addrs);
  pastry_directory_free (h->dir);
  g_object_unref (h->bind);
  g_free (h);
}

gboolean
sim_live_host_set_bootstrap (SimLiveHost *h, GInetSocketAddress *addr)
{
  g_return_val_if_fail (h->placeholder == PASTRY_PEER_NONE, FALSE);
  PastryWireAddr a;
  wire_addr_from (addr, &a);
  if (!pastry_wire_addr_valid (&a))
    return FALSE;
  static const PastryId zero = { 0, 0 };
  h->placeholder = pastry_directory_intern (h->dir, &zero, NULL);
  book_grow (h);
  g_array_index (h->addrs, PastryWireAddr, h->placeholder) = a;
  return TRUE;
}

guint
sim_live_host_n_peers (const SimLiveHost *h)
{
  guint n = 0;
  for (guint p = 0; p < h->addrs->len; p++)
    n += book_is_peer (h, p);
  return n;
}

SimLiveHostStats
sim_live_host_stats (const SimLiveHost *h)
{
  return h->stats;
}
