/* sim-live-host.c — Pastry nodes on real UDP sockets (sim-live-host.h).
 *
 * The protocol decisions are core's; this file is a driver in the sense
 * of core/README.md, "how a driver uses them", with a real transport:
 * every core call is made through call_begin()/call_end(), which carries
 * the outbox out in order (nested calls — JOINED starting maintenance,
 * JOIN_RESTART making the next attempt — take the next outbox of a small
 * stack).  Lookups are in sim-live-lookup.c.
 *
 * Cost: a datagram is one decode (O(entries)) and one core call; a
 * request or a lookup hop costs one hash insertion and one loop timer.
 * The oracle (the live node closest to a key, a bootstrap, the n-th live
 * node) is a scan of the hosted nodes: O(n) with n in the hundreds, which
 * costs less than the datagram does.  The simulator's bucketed oracle
 * was not reused when it belonged to the Pastry adapter; it is now the
 * driver's (sim/driver/sim-oracle.c), which this layer sees.
 *
 * Who frees what: the host owns its nodes' states, the directory, the
 * pending requests and hops (hash tables with g_free values) and the UDP
 * endpoints; the loop, the network model and the metrics are borrowed.
 */
#include "sim-live-host-private.h"

#include <string.h>

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
gboolean
sim__live_book_is_peer (const SimLiveHost *h, PastryPeer p)
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
 * a message's `sent`) go on the wire as µs of the real-time clock
 * (divided by the time scale, which every process of an overlay shares):
 * processes on one machine share it exactly, machines agree to within
 * NTP's error (milliseconds, against timeouts of seconds).  A time from
 * the future of this process is taken as now. */

guint64
sim__live_to_wire_time (const SimLiveHost *h, SimTime t)
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

guint32
sim__live_prox (PastryPeer from, PastryPeer to, gpointer data)
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

/* A routed or told message whose receiver acknowledges it on the wire (a
 * LOOKUP_ACK echoing its tag, about none), as the simulator bounces it
 * when its target is down: a JOIN flagged ACKED (silent: rerouted by
 * pastry_join_bounced()) and an ANNOUNCE flagged LEAF (silent: the
 * leaf-set member is suspected, pastry_maint_unanswered()). */
static gboolean
is_acked (const PastryMessage *msg)
{
  return (msg->type == PASTRY_MSG_JOIN
          && (msg->flags & PASTRY_MSG_FLAG_ACKED) != 0)
         || (msg->type == PASTRY_MSG_ANNOUNCE
             && (msg->flags & PASTRY_MSG_FLAG_LEAF) != 0);
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
gboolean
sim__live_transmit (SimLiveHost *h, guint32 i, PastryPeer to, guint type,
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
  sim__live_transmit (h, i, wire->to, wire->type, buf, len,
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
void
sim__live_send_message (SimLiveHost *h, guint32 i, const PastryMessage *msg,
                        guint64 tag)
{
  PastryMessage wire = *msg;
  wire.sent = sim__live_to_wire_time (h, msg->sent);
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
            else if (h->cfg.maintain
                     && (is_request (msg->type) || is_acked (msg)))
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
            sim__live_send_message (h, i, msg, tag);
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

void
sim__live_suspect (SimLiveHost *h, guint32 i, PastryPeer p)
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

void
sim_live_host_set_hooks (SimLiveHost *h, const SimLiveHostHooks *hooks,
                         gpointer data)
{
  h->hooks = *hooks;
  h->hooks_data = data;
}

gboolean
sim_live_host_in_session (const SimLiveHost *h, guint32 i)
{
  return g_array_index (h->nodes, Node, i).state != NODE_DOWN;
}

guint32
sim_live_host_incarnation (const SimLiveHost *h, guint32 i)
{
  return g_array_index (h->nodes, Node, i).incarn;
}

gboolean
sim_live_host_is_live (const SimLiveHost *h, guint32 i)
{
  return g_array_index (h->nodes, Node, i).state == NODE_LIVE;
}

/* The live hosted node closest to key (G_MAXUINT32: none). */
guint32
sim__live_oracle_root (SimLiveHost *h, const PastryId *key)
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
      guint32 p = sim__live_prox (node_at (h, i)->handle, n->handle, h);
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
      if (h->hooks.live != NULL)
        h->hooks.live (h->hooks_data, i);
      break;
    case PASTRY_UPCALL_JOIN_DONE:
      sim_metrics_join (h->metrics, now_of (h) - n->join_started);
      g_clear_pointer (&n->js, g_free);
      if (h->hooks.join_done != NULL)
        h->hooks.join_done (h->hooks_data, i);
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
sim_live_host_add_node (SimLiveHost *h, const PastryId *given, SimRng *rng_ids,
                        SimRng *rng_topology)
{
  PastryId id;
  if (given != NULL
      && pastry_directory_find (h->dir, given) == PASTRY_PEER_NONE)
    id = *given;
  else
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
      if (h->port_base != 0 && (guint) h->port_base + i > 65535)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "node %u: port %u + %u is beyond 65535", i, h->port_base,
                       i);
          return FALSE;
        }
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
  if (is_acked (&copy.msg))
    h->stats.acks_missed++;
  if (copy.msg.type == PASTRY_MSG_JOIN)
    pastry_join_bounced (&n->mt, n->node, &copy.msg, &env);
  else
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
        sim__live_lookup_arrive (h, i, &f.lookup, f.tag);
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
      Request *r = msg->about == PASTRY_PEER_NONE && f.tag != 0
                       ? g_hash_table_lookup (h->requests, &f.tag)
                       : NULL;
      if (r != NULL && r->node == i && r->msg.to == msg->from)
        {
          /* The acknowledgement of a JOIN or an ANNOUNCE (is_acked). */
          sim_live_loop_cancel (h->loop, r->timer);
          g_hash_table_remove (h->requests, &f.tag);
        }
      else
        sim__live_lookup_acked (h, i, msg, f.tag);
      pastry_wire_frame_clear (&f);
      return;
    }
  if (is_acked (msg) && f.tag != 0)
    {
      PastryMessage ack = { 0 };
      ack.type = PASTRY_MSG_LOOKUP_ACK;
      ack.from = n->handle;
      ack.to = msg->from;
      ack.about = PASTRY_PEER_NONE;
      ack.sent = now_of (h);
      sim__live_send_message (h, i, &ack, f.tag);
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
    .strategy = cfg->strategy,
  };
  h->jcfg = (PastryJoinConfig){
    .refine = cfg->join_refine,
    .announce_state = cfg->announce_state,
    .acked = cfg->maintain, /* as `run` without oracle hints */
    .restart = TRUE,
    .timeout = cfg->lookup_timeout,
  };
  h->lcfg = (PastryLookupConfig){
    .avoid = cfg->maintain,
    .hop_retries = cfg->hop_retries,
    .lookup_timeout = cfg->lookup_timeout,
    .replicas
    = { .k = MAX (cfg->replicas, 1u), .prox = sim__live_prox, .prox_data = h },
    .consistent = cfg->consistent_routing,
  };
  sim_rng_init (&h->rng_protocol, cfg->seed, SIM_RNG_PURPOSE_PROTOCOL, 0);
  sim_rng_init (&h->rng_net, cfg->seed, SIM_RNG_PURPOSE_NETWORK, 0);
  h->env0 = (PastryEnv){
    .cfg = &h->mcfg,
    .join = &h->jcfg,
    .rnd = { rng_below, &h->rng_protocol },
    .prox = sim__live_prox,
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
  /* Wire time: µs of the real-time clock divided by the time scale (the
   * same in every process of one overlay: they all run one scale). */
  h->wire_offset
      = (gint64) ((double) g_get_real_time () / sim_live_loop_scale (loop))
        - (gint64) sim_live_loop_now (loop);
  h->k_timer = sim_live_loop_add_kind (loop, on_timer, h);
  h->k_request = sim_live_loop_add_kind (loop, on_request_timeout, h);
  h->k_hop = sim_live_loop_add_kind (loop, sim__live_on_hop_timeout, h);
  h->k_close = sim_live_loop_add_kind (loop, on_close, h);
  h->k_deadline
      = sim_live_loop_add_kind (loop, sim__live_on_lookup_deadline, h);
  h->k_hold = sim_live_loop_add_kind (loop, sim__live_on_lookup_hold, h);

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
    n += sim__live_book_is_peer (h, p);
  return n;
}

SimLiveHostStats
sim_live_host_stats (const SimLiveHost *h)
{
  return h->stats;
}
