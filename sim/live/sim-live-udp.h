/* sim-live-udp.h — UDP endpoints for the live driver: one socket per
 * hosted node, datagrams out (at once, or after an emulated delay) and in.
 *
 * A live run hosts its nodes in one process, each with its own UDP socket,
 * so that what a node sends crosses the real network stack (loopback, or
 * other hosts).  To emulate a simulated network on loopback, a datagram
 * can be held back for the latency the scenario's model gives before it
 * is sent; the hold is a timer of the loop (sim-live-loop.h), so held
 * datagrams leave in (due time, send order).
 *
 * Invariants: a node's socket exists between sim_live_udp_open() and
 * sim_live_udp_close(); a held datagram whose sender closed meanwhile is
 * dropped, not sent (a failed node sends nothing more); received
 * datagrams are handed over in the order the kernel gives them, never
 * queued here.  Errors a send meets (a closed port answering with ICMP,
 * a full buffer) are counted, never fatal: UDP promises nothing.
 *
 * Memory: a socket and a GSource per open node; a held datagram keeps
 * its bytes and destination until it leaves.
 */
#pragma once

#include <gio/gio.h>

#include "sim-live-loop.h"

G_BEGIN_DECLS

/* The largest datagram received whole (larger ones are truncated by the
 * kernel and handed over as received). */
#define SIM_LIVE_UDP_MAX 65536

typedef struct _SimLiveUdp SimLiveUdp;

/* A datagram of len bytes (borrowed, valid during the call) arrived at
 * node from the address from (borrowed). */
typedef void (*SimLiveRecv) (SimLiveUdp *udp, guint32 node,
                             GSocketAddress *from, const guint8 *data,
                             gsize len, gpointer user);

/* Counters since creation. */
typedef struct
{
  guint64 sent;         /* datagrams handed to the kernel */
  guint64 send_errors;  /* refused by the kernel (counted, not sent) */
  guint64 dropped_held; /* held datagrams whose sender closed meanwhile */
  guint64 received;     /* datagrams handed to the receive callback */
} SimLiveUdpStats;

/* New endpoints on loop's context; recv gets every datagram (user is
 * borrowed).  (transfer full) */
SimLiveUdp *sim_live_udp_new (SimLiveLoop *loop, SimLiveRecv recv,
                              gpointer user);
/* Closes every socket and drops held datagrams. */
void sim_live_udp_free (SimLiveUdp *udp);

/* Opens node's socket bound to addr (port 0: any free port).  Fails with
 * the socket's GError (address in use, permission, ...) or when node is
 * already open. */
gboolean sim_live_udp_open (SimLiveUdp *udp, guint32 node,
                            GInetSocketAddress *addr, GError **error);
/* Closes node's socket (a failed or departed node); held datagrams it
 * sent are dropped when due.  No-op when not open. */
void sim_live_udp_close (SimLiveUdp *udp, guint32 node);
gboolean sim_live_udp_is_open (const SimLiveUdp *udp, guint32 node);
/* The address node's socket is bound to (with the port the kernel chose),
 * or NULL when not open.  (transfer none) */
GInetSocketAddress *sim_live_udp_address (const SimLiveUdp *udp, guint32 node);

/* node sends len bytes (copied) to to, after delay µs (0: at once).  A
 * closed sender sends nothing. */
void sim_live_udp_send (SimLiveUdp *udp, guint32 node, GSocketAddress *to,
                        const guint8 *data, gsize len, SimTime delay);

SimLiveUdpStats sim_live_udp_stats (const SimLiveUdp *udp);

G_END_DECLS
