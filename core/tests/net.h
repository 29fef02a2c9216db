/* net.h — test helper: a handful of nodes driven by hand through core's
 * sans-I/O protocol calls (maintenance and join), with the test playing
 * network and clock.
 *
 * Every call's outbox is collected at once: SENDs go onto a FIFO wire,
 * TIMERs and UPCALLs are recorded for the test to inspect.  Delivering a
 * message to a node that is down (or that the test chooses to lose) hands
 * the request back to its sender as unanswered, as a transport's timeout
 * would; a lost PROBE_REPLY makes its PROBE unanswered, a lost JOIN_REPLY
 * or second-stage ROW_REPLY is missed by its joiner, an acknowledged JOIN
 * that finds its target down bounces back to its sender.  Join upcalls are
 * acted on as a driver would: JOINED marks the node joined, JOIN_DONE ends
 * its join, JOIN_RESTART clears its state and makes the next attempt
 * through net->restart_via.  No simulator, no random numbers but a
 * counter the test controls.
 */
#pragma once

#include "pastry-join.h"

#include <string.h>

#define NET_MAX 24
#define NET_S 1000000u /* µs */
#define NET_LOG_UPCALL 100u
#define NET_LOG_TIMER 200u

typedef struct
{
  PastryConfig pcfg;
  PastryMaintConfig mcfg;
  PastryJoinConfig jcfg;
  PastryJoin js[NET_MAX];
  gboolean joining[NET_MAX];
  PastryPeer restart_via; /* bootstrap of restarted joins */
  GArray *log;            /* guint: every item in order: SEND: its type; UPCALL:
                             NET_LOG_UPCALL + kind; TIMER: NET_LOG_TIMER + kind */
  PastryDirectory *dir;
  guint n;
  PastryNode *nodes[NET_MAX];
  PastryMaint mt[NET_MAX];
  gboolean down[NET_MAX];
  PastryTime now;
  PastryOutbox out;
  GQueue wire;     /* PastryMessage * (owned) */
  GArray *timers;  /* PastryOutItem of kind TIMER, with .to = node */
  GArray *upcalls; /* PastryOutItem of kind UPCALL, .cookie = node */
  GArray *sent;    /* PastryMessage copies (entries NULL) of every SEND */
  guint64 draws;   /* random draws so far */
  /* Loss: messages of type lose_type from lose_from to lose_to vanish. */
  gint lose_type;
  PastryPeer lose_from, lose_to;
} Net;

static inline guint64
net_below (gpointer data, guint64 n)
{
  Net *net = data;
  return net->draws++ % n;
}

static inline guint32
net_prox (PastryPeer a, PastryPeer b, gpointer data)
{
  return 1000u * (a > b ? a - b : b - a);
}

/* The epoch of p: its refuted verdicts (one life per test). */
static inline guint32
net_epoch (PastryPeer p, gpointer data)
{
  Net *net = data;
  return net->mt[p].claims;
}

/* n nodes with ids spread evenly, ascending with the handle, all joined.
 * With all, each knows every other (ideal state for a ring this small);
 * otherwise each knows only its leaf set, so a repair has to ask. */
static inline Net *
net_new_full (guint n, guint leaf_size, gboolean all)
{
  Net *net = g_new0 (Net, 1);
  g_assert (n <= NET_MAX);
  net->pcfg = (PastryConfig){ 4, leaf_size, 4 };
  net->mcfg = (PastryMaintConfig){
    .b = 4,
    .maintain = TRUE,
    .repair_leaf = TRUE,
    .repair_table = TRUE,
    .verify_leaves = TRUE,
    .heartbeat_period = 1 * NET_S,
    .heartbeat_timeout = 3 * NET_S,
    .probe_period = 60 * NET_S,
    .probe_timeout = NET_S / 2,
    .probe_retries = 2,
  };
  net->jcfg = (PastryJoinConfig){
    .refine = TRUE,
    .announce_state = TRUE,
    .acked = TRUE,
    .restart = TRUE,
    .timeout = 60 * NET_S,
  };
  net->restart_via = PASTRY_PEER_NONE;
  net->dir = pastry_directory_new (NULL);
  net->n = n;
  for (guint i = 0; i < n; i++)
    {
      PastryId id = { (G_MAXUINT64 / n) * i + 0x0123456789abcdefu, 0 };
      g_assert_cmpuint (pastry_directory_add (net->dir, &id, NULL), ==, i);
    }
  for (guint i = 0; i < n; i++)
    {
      net->nodes[i] = pastry_node_new (&net->pcfg, net->dir, i);
      for (guint k = 0; k < n; k++)
        {
          guint d = MIN ((k + n - i) % n, (i + n - k) % n);
          if (all || d <= leaf_size / 2)
            pastry_node_insert (net->nodes[i], k, net_prox (i, k, NULL));
        }
      pastry_maint_init (&net->mt[i]);
      net->mt[i].joined = TRUE;
    }
  pastry_outbox_init (&net->out);
  g_queue_init (&net->wire);
  net->timers = g_array_new (FALSE, FALSE, sizeof (PastryOutItem));
  net->upcalls = g_array_new (FALSE, FALSE, sizeof (PastryOutItem));
  net->sent = g_array_new (FALSE, FALSE, sizeof (PastryMessage));
  net->log = g_array_new (FALSE, FALSE, sizeof (guint));
  net->lose_type = -1;
  return net;
}

static inline Net *
net_new (guint n, guint leaf_size)
{
  return net_new_full (n, leaf_size, TRUE);
}

static inline void
net_free (Net *net)
{
  PastryMessage *m;
  while ((m = g_queue_pop_head (&net->wire)) != NULL)
    {
      g_free (m->entries);
      g_free (m);
    }
  for (guint i = 0; i < net->n; i++)
    {
      pastry_node_free (net->nodes[i]);
      pastry_maint_clear (&net->mt[i]);
    }
  pastry_outbox_clear (&net->out);
  g_array_free (net->timers, TRUE);
  g_array_free (net->upcalls, TRUE);
  g_array_free (net->sent, TRUE);
  g_array_free (net->log, TRUE);
  pastry_directory_free (net->dir);
  g_free (net);
}

/* Begins a call for node x: returns its environment. */
static inline PastryEnv
net_begin (Net *net, guint x)
{
  pastry_outbox_begin (&net->out, x, net->now);
  return (PastryEnv){
    .cfg = &net->mcfg,
    .join = &net->jcfg,
    .now = net->now,
    .out = &net->out,
    .rnd = { net_below, net },
    .prox = net_prox,
    .prox_data = net,
    .reachable = NULL,
    .epoch = net_epoch,
    .hint_data = net,
  };
}

/* Ends the call for node x: SENDs onto the wire, the rest recorded.
 * Returns the number of SENDs. */
static inline guint
net_end (Net *net, guint x)
{
  guint sends = 0;
  gboolean restart = FALSE;
  for (guint i = 0; i < pastry_outbox_len (&net->out); i++)
    {
      PastryOutItem it = *pastry_outbox_item (&net->out, i);
      if (it.kind == PASTRY_OUT_SEND)
        {
          PastryMessage *m = g_new (PastryMessage, 1);
          pastry_outbox_take_message (&net->out, i, m);
          g_assert_cmpuint (m->from, ==, x);
          g_assert_cmpuint (m->to, ==, it.to);
          g_assert_cmpuint (m->sent, ==, net->now);
          PastryMessage copy = *m;
          copy.entries = NULL;
          g_array_append_val (net->sent, copy);
          g_queue_push_tail (&net->wire, m);
          sends++;
          guint code = m->type;
          g_array_append_val (net->log, code);
        }
      else if (it.kind == PASTRY_OUT_TIMER)
        {
          it.to = x;
          g_array_append_val (net->timers, it);
          guint code = NET_LOG_TIMER + it.timer;
          g_array_append_val (net->log, code);
        }
      else
        {
          it.cookie = x;
          g_array_append_val (net->upcalls, it);
          guint code = NET_LOG_UPCALL + it.upcall;
          g_array_append_val (net->log, code);
          if (it.upcall == PASTRY_UPCALL_JOINED)
            net->mt[x].joined = TRUE;
          else if (it.upcall == PASTRY_UPCALL_JOIN_DONE)
            net->joining[x] = FALSE;
          else if (it.upcall == PASTRY_UPCALL_JOIN_RESTART)
            restart = TRUE;
        }
    }
  pastry_outbox_reset (&net->out);
  if (restart)
    {
      pastry_node_free (net->nodes[x]);
      net->nodes[x] = pastry_node_new (&net->pcfg, net->dir, x);
      PastryEnv env = net_begin (net, x);
      pastry_join_attempt (&net->js[x], net->nodes[x], &env, net->restart_via);
      sends += net_end (net, x);
    }
  return sends;
}

/* The join in progress of x, or NULL once it has joined. */
static inline PastryJoin *
net_js (Net *net, guint x)
{
  return net->joining[x] ? &net->js[x] : NULL;
}

static inline gboolean
net_lost (const Net *net, const PastryMessage *m)
{
  return net->lose_type >= 0 && m->type == (guint) net->lose_type
         && m->from == net->lose_from && m->to == net->lose_to;
}

/* Delivers the first message on the wire.  Returns FALSE when the wire is
 * empty. */
static inline gboolean
net_step (Net *net)
{
  PastryMessage *m = g_queue_pop_head (&net->wire);
  if (m == NULL)
    return FALSE;
  gboolean request = m->type == PASTRY_MSG_PROBE
                     || m->type == PASTRY_MSG_LEAFSET_REQUEST
                     || m->type == PASTRY_MSG_ENTRY_REQUEST
                     || m->type == PASTRY_MSG_ROW_REQUEST;
  if (net->down[m->to] || net_lost (net, m))
    {
      guint from = m->from, to = m->to;
      if (net->down[from])
        ;
      else if (request
               || (m->type == PASTRY_MSG_ANNOUNCE
                   && (m->flags & PASTRY_MSG_FLAG_LEAF)))
        {
          PastryEnv env = net_begin (net, from);
          pastry_maint_unanswered (&net->mt[from], net->nodes[from], m, &env);
          if (m->type == PASTRY_MSG_ROW_REQUEST)
            pastry_join_missed (net_js (net, from), net->nodes[from], m, &env);
          net_end (net, from);
        }
      else if (m->type == PASTRY_MSG_JOIN && (m->flags & PASTRY_MSG_FLAG_ACKED))
        {
          PastryEnv env = net_begin (net, from);
          pastry_join_bounced (&net->mt[from], net->nodes[from], m, &env);
          net_end (net, from);
        }
      else if (net->down[to])
        ;
      else if (m->type == PASTRY_MSG_PROBE_REPLY)
        {
          /* The reply was lost: the probe goes unanswered. */
          PastryMessage probe = *m;
          probe.type = PASTRY_MSG_PROBE;
          probe.from = to;
          probe.to = from;
          PastryEnv env = net_begin (net, to);
          pastry_maint_unanswered (&net->mt[to], net->nodes[to], &probe, &env);
          net_end (net, to);
        }
      else if (m->type == PASTRY_MSG_JOIN_REPLY
               || m->type == PASTRY_MSG_ROW_REPLY)
        {
          PastryEnv env = net_begin (net, to);
          pastry_join_missed (net_js (net, to), net->nodes[to], m, &env);
          net_end (net, to);
        }
    }
  else
    {
      guint to = m->to;
      PastryEnv env = net_begin (net, to);
      if (!pastry_join_receive (net_js (net, to), &net->mt[to], net->nodes[to],
                                m, &env))
        g_assert_true (
            pastry_maint_receive (&net->mt[to], net->nodes[to], m, &env));
      net_end (net, to);
    }
  g_free (m->entries);
  g_free (m);
  return TRUE;
}

/* Delivers until the wire is empty (at most limit messages). */
static inline guint
net_run (Net *net, guint limit)
{
  guint k = 0;
  while (k < limit && net_step (net))
    k++;
  g_assert_cmpuint (k, <, limit);
  return k;
}

/* Number of SENDs recorded of type from x to y (G_MAXUINT: any). */
static inline guint
net_count (const Net *net, PastryMsgType type, guint x, guint y)
{
  guint c = 0;
  for (guint i = 0; i < net->sent->len; i++)
    {
      const PastryMessage *m = &g_array_index (net->sent, PastryMessage, i);
      if (m->type == type && (x == G_MAXUINT || m->from == x)
          && (y == G_MAXUINT || m->to == y))
        c++;
    }
  return c;
}

/* Number of upcalls of kind recorded for node (the cookie) about peer. */
static inline guint
net_upcalls (const Net *net, PastryUpcallKind kind, guint node, PastryPeer peer)
{
  guint c = 0;
  for (guint i = 0; i < net->upcalls->len; i++)
    {
      const PastryOutItem *it = &g_array_index (net->upcalls, PastryOutItem, i);
      if (it->upcall == kind && it->cookie == node && it->to == peer)
        c++;
    }
  return c;
}

/* Checks that every live node's leaf set is the ideal one over the live
 * nodes: its leaf_size / 2 nearest live neighbours on each side, nearest
 * first. */
static inline void
net_check_leafsets (const Net *net)
{
  guint half = net->pcfg.leaf_size / 2;
  guint live = 0;
  for (guint i = 0; i < net->n; i++)
    live += !net->down[i];
  for (guint x = 0; x < net->n; x++)
    {
      if (net->down[x])
        continue;
      for (guint s = 0; s < 2; s++)
        {
          const PastryPeer *side;
          guint got = pastry_node_leafset_side (net->nodes[x], s, &side);
          guint want = MIN (half, live - 1);
          g_assert_cmpuint (got, ==, want);
          guint y = x;
          for (guint k = 0; k < want; k++)
            {
              do
                y = s == PASTRY_SIDE_RIGHT ? (y + 1) % net->n
                                           : (y + net->n - 1) % net->n;
              while (net->down[y]);
              g_assert_cmpuint (side[k], ==, y);
            }
        }
    }
}
