/* sim-live-host-private.h — what the live host's files share: the host's
 * state and the helpers the lookup code (sim-live-lookup.c) calls in the
 * host proper (sim-live-host.c).  Not for use outside sim/livehost.
 */
#pragma once

#include "pastry-join.h"
#include "pastry-lookup.h"
#include "pastry-maint.h"
#include "pastry-wire.h"
#include "sim-live-host.h"
#include "sim-live-udp.h"

G_BEGIN_DECLS

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

  SimLiveHostHooks hooks;
  gpointer hooks_data;
  SimRng rng_protocol, rng_net;
  PastryOutbox outbox[N_OUTBOXES];
  guint depth;
  guint32 k_timer, k_request, k_hop, k_close, k_deadline, k_hold;
};

static inline Node *
node_at (SimLiveHost *h, guint32 i)
{
  return &g_array_index (h->nodes, Node, i);
}

static inline guint32
hosted_of (const SimLiveHost *h, PastryPeer p)
{
  return p < h->hosted->len ? g_array_index (h->hosted, guint32, p)
                            : G_MAXUINT32;
}

static inline SimTime
now_of (SimLiveHost *h)
{
  return sim_live_loop_now (h->loop);
}

/* sim-live-host.c */
gboolean sim__live_book_is_peer (const SimLiveHost *h, PastryPeer p);
guint32 sim__live_prox (PastryPeer from, PastryPeer to, gpointer data);
guint64 sim__live_to_wire_time (const SimLiveHost *h, SimTime t);
gboolean sim__live_transmit (SimLiveHost *h, guint32 i, PastryPeer to,
                             guint type, const guint8 *buf, gsize len,
                             gboolean repair);
void sim__live_send_message (SimLiveHost *h, guint32 i,
                             const PastryMessage *msg, guint64 tag);
void sim__live_suspect (SimLiveHost *h, guint32 i, PastryPeer p);
guint32 sim__live_oracle_root (SimLiveHost *h, const PastryId *key);

/* sim-live-lookup.c */
void sim__live_lookup_arrive (SimLiveHost *h, guint32 i, PastryLookup *lk,
                              guint64 tag);
void sim__live_lookup_acked (SimLiveHost *h, guint32 i,
                             const PastryMessage *msg, guint64 tag);
void sim__live_on_lookup_hold (SimLiveLoop *loop, const SimEvent *ev,
                               gpointer data);
void sim__live_on_hop_timeout (SimLiveLoop *loop, const SimEvent *ev,
                               gpointer data);
void sim__live_on_lookup_deadline (SimLiveLoop *loop, const SimEvent *ev,
                                   gpointer data);

G_END_DECLS
