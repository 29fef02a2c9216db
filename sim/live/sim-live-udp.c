/* sim-live-udp.c — UDP endpoints of hosted nodes (sim-live-udp.h).
 *
 * Endpoints are kept by node index in a GPtrArray (NULL: closed).  Held
 * datagrams sit in a pool of slots (freed slots reused, lowest last freed
 * first) referenced by one loop event each.  A readable socket is drained
 * up to READ_BURST datagrams per wake-up, so one busy node cannot starve
 * the others or the timers.
 */
#include "sim-live-udp.h"

#define READ_BURST 64

typedef struct
{
  SimLiveUdp *udp;
  guint32 node;
  GSocket *sock;
  GSource *watch;
  GInetSocketAddress *addr;
} Endpoint;

typedef struct
{
  guint32 node;
  GSocketAddress *to;
  GBytes *bytes;
  SimEventId due; /* the loop event that sends it */
} Held;

struct _SimLiveUdp
{
  SimLiveLoop *loop;
  guint32 kind_send; /* loop event: a held datagram is due (a = slot) */
  SimLiveRecv recv;
  gpointer user;
  GPtrArray *eps;    /* Endpoint * by node */
  GPtrArray *held;   /* Held * by slot, NULL when free */
  GArray *held_free; /* guint32 free slots */
  SimLiveUdpStats stats;
  guint8 buf[SIM_LIVE_UDP_MAX];
};

static Endpoint *
endpoint (const SimLiveUdp *udp, guint32 node)
{
  return node < udp->eps->len ? g_ptr_array_index (udp->eps, node) : NULL;
}

static void
send_now (SimLiveUdp *udp, Endpoint *ep, GSocketAddress *to, const guint8 *data,
          gsize len)
{
  g_autoptr (GError) error = NULL;
  if (g_socket_send_to (ep->sock, to, (const gchar *) data, len, NULL, &error)
      < 0)
    udp->stats.send_errors++;
  else
    udp->stats.sent++;
}

static void
held_free (Held *h)
{
  g_object_unref (h->to);
  g_bytes_unref (h->bytes);
  g_free (h);
}

static void
on_held_due (SimLiveLoop *loop, const SimEvent *ev, gpointer data)
{
  (void) loop;
  SimLiveUdp *udp = data;
  Held *h = g_ptr_array_index (udp->held, ev->a);
  g_ptr_array_index (udp->held, ev->a) = NULL;
  g_array_append_val (udp->held_free, ev->a);
  Endpoint *ep = endpoint (udp, h->node);
  if (ep == NULL)
    udp->stats.dropped_held++;
  else
    {
      gsize len;
      const guint8 *bytes = g_bytes_get_data (h->bytes, &len);
      send_now (udp, ep, h->to, bytes, len);
    }
  held_free (h);
}

static gboolean
on_readable (GSocket *sock, GIOCondition cond, gpointer data)
{
  (void) cond;
  Endpoint *ep = data;
  SimLiveUdp *udp = ep->udp;
  guint32 node = ep->node;
  for (guint i = 0; i < READ_BURST; i++)
    {
      GSocketAddress *from = NULL;
      g_autoptr (GError) error = NULL;
      gssize n = g_socket_receive_from (sock, &from, (gchar *) udp->buf,
                                        sizeof udp->buf, NULL, &error);
      if (n < 0)
        {
          /* Would block: drained.  Anything else (an ICMP error for an
           * earlier send) is the network's business: read on. */
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            break;
          continue;
        }
      udp->stats.received++;
      udp->recv (udp, node, from, udp->buf, (gsize) n, udp->user);
      g_clear_object (&from);
      /* The callback may have closed this very node. */
      if (endpoint (udp, node) != ep)
        return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

SimLiveUdp *
sim_live_udp_new (SimLiveLoop *loop, SimLiveRecv recv, gpointer user)
{
  g_return_val_if_fail (loop != NULL && recv != NULL, NULL);
  SimLiveUdp *udp = g_new0 (SimLiveUdp, 1);
  udp->loop = loop;
  udp->recv = recv;
  udp->user = user;
  udp->eps = g_ptr_array_new ();
  udp->held = g_ptr_array_new ();
  udp->held_free = g_array_new (FALSE, FALSE, sizeof (guint32));
  udp->kind_send = sim_live_loop_add_kind (loop, on_held_due, udp);
  return udp;
}

void
sim_live_udp_free (SimLiveUdp *udp)
{
  if (udp == NULL)
    return;
  for (guint i = 0; i < udp->eps->len; i++)
    sim_live_udp_close (udp, i);
  for (guint i = 0; i < udp->held->len; i++)
    {
      Held *h = g_ptr_array_index (udp->held, i);
      if (h != NULL)
        {
          sim_live_loop_cancel (udp->loop, h->due);
          held_free (h);
        }
    }
  g_ptr_array_unref (udp->eps);
  g_ptr_array_unref (udp->held);
  g_array_unref (udp->held_free);
  g_free (udp);
}

gboolean
sim_live_udp_open (SimLiveUdp *udp, guint32 node, GInetSocketAddress *addr,
                   GError **error)
{
  g_return_val_if_fail (udp != NULL && addr != NULL, FALSE);
  if (endpoint (udp, node) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   "node %u already has a socket", node);
      return FALSE;
    }
  GSocketFamily family
      = g_inet_address_get_family (g_inet_socket_address_get_address (addr));
  GSocket *sock = g_socket_new (family, G_SOCKET_TYPE_DATAGRAM,
                                G_SOCKET_PROTOCOL_UDP, error);
  if (sock == NULL)
    return FALSE;
  g_socket_set_blocking (sock, FALSE);
  if (!g_socket_bind (sock, G_SOCKET_ADDRESS (addr), FALSE, error))
    {
      g_object_unref (sock);
      return FALSE;
    }
  GSocketAddress *bound = g_socket_get_local_address (sock, error);
  if (bound == NULL)
    {
      g_object_unref (sock);
      return FALSE;
    }
  Endpoint *ep = g_new0 (Endpoint, 1);
  ep->udp = udp;
  ep->node = node;
  ep->sock = sock;
  ep->addr = G_INET_SOCKET_ADDRESS (bound);
  ep->watch = g_socket_create_source (sock, G_IO_IN, NULL);
  g_source_set_callback (ep->watch, G_SOURCE_FUNC (on_readable), ep, NULL);
  g_source_attach (ep->watch, sim_live_loop_context (udp->loop));
  if (node >= udp->eps->len)
    g_ptr_array_set_size (udp->eps, node + 1);
  g_ptr_array_index (udp->eps, node) = ep;
  return TRUE;
}

void
sim_live_udp_close (SimLiveUdp *udp, guint32 node)
{
  Endpoint *ep = endpoint (udp, node);
  if (ep == NULL)
    return;
  g_ptr_array_index (udp->eps, node) = NULL;
  g_source_destroy (ep->watch);
  g_source_unref (ep->watch);
  g_socket_close (ep->sock, NULL);
  g_object_unref (ep->sock);
  g_object_unref (ep->addr);
  g_free (ep);
}

gboolean
sim_live_udp_is_open (const SimLiveUdp *udp, guint32 node)
{
  return endpoint (udp, node) != NULL;
}

GInetSocketAddress *
sim_live_udp_address (const SimLiveUdp *udp, guint32 node)
{
  Endpoint *ep = endpoint (udp, node);
  return ep != NULL ? ep->addr : NULL;
}

void
sim_live_udp_send (SimLiveUdp *udp, guint32 node, GSocketAddress *to,
                   const guint8 *data, gsize len, SimTime delay)
{
  g_return_if_fail (udp != NULL && to != NULL && (data != NULL || len == 0));
  Endpoint *ep = endpoint (udp, node);
  if (ep == NULL)
    return;
  if (delay == 0)
    {
      send_now (udp, ep, to, data, len);
      return;
    }
  Held *h = g_new (Held, 1);
  h->node = node;
  h->to = g_object_ref (to);
  h->bytes = g_bytes_new (data, len);
  guint32 slot;
  if (udp->held_free->len > 0)
    {
      slot = g_array_index (udp->held_free, guint32, udp->held_free->len - 1);
      g_array_set_size (udp->held_free, udp->held_free->len - 1);
      g_ptr_array_index (udp->held, slot) = h;
    }
  else
    {
      slot = udp->held->len;
      g_ptr_array_add (udp->held, h);
    }
  h->due = sim_live_loop_at (
      udp->loop, sim_time_add (sim_live_loop_now (udp->loop), delay),
      udp->kind_send, slot, 0);
}

SimLiveUdpStats
sim_live_udp_stats (const SimLiveUdp *udp)
{
  return udp->stats;
}
