/* sim-pastry-join.c — the adapter between the simulator and core's join
 * protocol (core/pastry-join.h), and node creation.
 *
 * Each entry point makes one core call and carries its outbox out before
 * returning (sim__world_call_begin/_end, sim-pastry-maint.c).  The join
 * upcalls: JOINED makes the node live (sim__world_set_live(): oracle,
 * maintenance timers, its lookups) before its announcements leave;
 * JOIN_DONE reports the join time and frees the JoinState; JOIN_RESTART
 * clears the node's state and makes the next attempt through a new
 * bootstrap.  Proximity values are the network model's latency, as a real
 * node measures by probing.
 *
 * Global knowledge (oracle use), all here, by name:
 *  - pick_bootstrap(): the nearest of a sample of the live ring (a
 *    deployment would use a known bootstrap and its own measurements);
 *  - a JOIN or JOIN_REQUEST whose joiner is no longer joining (it died,
 *    or finished through another attempt) is dropped unanswered, and a
 *    bounced JOIN is not forwarded again (joiner_joining());
 *  - an ANNOUNCE whose announcer is no longer live is dropped;
 *  - with oracle_hints = on, PastryEnv.reachable (oracle_reachable in
 *    sim-pastry-maint.c) lets a path node see a down next hop at once.
 *
 * Invariant: a JoinState exists exactly while its node is NODE_JOINING
 * (core sees that as js != NULL: a node whose js is NULL has joined).
 */
#include "sim-pastry-private.h"


void
sim__world_node_create (SimWorld *w, guint32 x, const PastryId *id,
                        SimRng *topology)
{
  guint32 i = pastry_directory_add (w->dir, id, NULL);
  guint32 ni = sim_net_add_node (w->net, topology);
  g_assert (i == x && ni == x);
  g_ptr_array_add (w->nodes, pastry_node_new (&w->cfg, w->dir, i));
  g_ptr_array_add (w->joins, NULL);
  g_ptr_array_add (w->maint, NULL);
}

/* The bootstrap node: the nearest (by proximity) of a sample of live
 * nodes, or of all of them when the sample covers the population. */
static guint32
pick_bootstrap (SimWorld *w, guint32 x)
{
  guint n = sim_oracle_size (w->live);
  guint32 best = PASTRY_PEER_NONE;
  guint32 best_prox = G_MAXUINT32;
  gboolean all = w->bootstrap_sample == 0 || n <= w->bootstrap_sample;
  guint k_max = all ? n : w->bootstrap_sample;
  for (guint k = 0; k < k_max; k++)
    {
      guint32 c = sim_oracle_nth (w->live,
                                all ? k : (guint) sim_rng_uniform_u64
                                            (&w->rng_protocol, n));
      guint32 p = sim__world_prox (w, x, c);
      if (p < best_prox || (p == best_prox && c < best))
        best = c, best_prox = p;
    }
  return best;
}

static JoinState *
join_of (SimWorld *w, guint32 x)
{
  return g_ptr_array_index (w->joins, x);
}

/* The bootstrap of x's next attempt (PASTRY_PEER_NONE: x is alone). */
static PastryPeer
bootstrap_of (SimWorld *w, guint32 x)
{
  return sim_oracle_size (w->live) == 0 ? PASTRY_PEER_NONE
                                      : pick_bootstrap (w, x);
}

void
sim__world_join_start (SimWorld *w, guint32 x, guint action)
{
  JoinState *js = g_new0 (JoinState, 1);
  js->started = sim__world_now (w);
  js->action = action;
  g_free (g_ptr_array_index (w->joins, x));
  g_ptr_array_index (w->joins, x) = js;
  w->joins_started++;
  PastryPeer bootstrap = bootstrap_of (w, x);
  PastryEnv env;
  PastryOutbox *out = sim__world_call_begin (w, x, &env);
  pastry_join_start (&js->p, sim__world_node (w, x), &env, bootstrap);
  sim__world_call_end (w, x, out, G_MAXUINT32);
}

void
sim__world_join_upcall (SimWorld *w, guint32 x, PastryUpcallKind upcall)
{
  JoinState *js = join_of (w, x);
  switch (upcall)
    {
    case PASTRY_UPCALL_JOINED:
      sim__world_set_live (w, x);
      break;
    case PASTRY_UPCALL_JOIN_DONE:
      {
        sim_metrics_join (w->metrics, sim__world_now (w) - js->started);
        guint action = js->action;
        g_ptr_array_index (w->joins, x) = NULL;
        g_free (js);
        sim__world_join_done (w, action);
        break;
      }
    case PASTRY_UPCALL_JOIN_RESTART:
      {
        /* Start over: forget what this attempt gathered. */
        pastry_node_free (g_ptr_array_index (w->nodes, x));
        g_ptr_array_index (w->nodes, x) = pastry_node_new (&w->cfg, w->dir, x);
        PastryPeer bootstrap = bootstrap_of (w, x);
        PastryEnv env;
        PastryOutbox *out = sim__world_call_begin (w, x, &env);
        pastry_join_attempt (&js->p, sim__world_node (w, x), &env, bootstrap);
        sim__world_call_end (w, x, out, G_MAXUINT32);
        break;
      }
    default:
      g_assert_not_reached ();
    }
}

void
sim__world_join_timeout (SimWorld *w, guint32 x, guint64 b)
{
  JoinState *js = join_of (w, x);
  if (js == NULL || sim__world_state (w, x) != NODE_JOINING
      || (guint32) (b >> 32) != sim__world_incarnation (w, x))
    return;
  PastryEnv env;
  PastryOutbox *out = sim__world_call_begin (w, x, &env);
  pastry_join_timer (&js->p, &env, (guint32) b);
  sim__world_call_end (w, x, out, G_MAXUINT32);
}

/* Oracle: the joiner x is still joining (a path node cannot know). */
static gboolean
joiner_joining (const SimWorld *w, guint32 x)
{
  return sim__world_state (w, x) == NODE_JOINING;
}

void
sim__world_join_bounced (SimWorld *w, guint32 at, guint32 m)
{
  PastryMessage msg = *sim__world_msg (w, m);
  if (!joiner_joining (w, msg.about))
    {
      sim__world_suspect (w, at, msg.to);
      sim__world_msg_release (w, m);
      return;
    }
  PastryEnv env;
  PastryOutbox *out = sim__world_call_begin (w, at, &env);
  pastry_join_bounced (g_ptr_array_index (w->maint, at),
                       sim__world_node (w, at), &msg, &env);
  if (!sim__world_call_end (w, at, out, m))
    sim__world_msg_release (w, m);
}

void
sim__world_join_missed (SimWorld *w, guint32 x, const PastryMessage *msg)
{
  JoinState *js = join_of (w, x);
  if (js == NULL)
    return;
  PastryEnv env;
  PastryOutbox *out = sim__world_call_begin (w, x, &env);
  pastry_join_missed (&js->p, sim__world_node (w, x), msg, &env);
  sim__world_call_end (w, x, out, G_MAXUINT32);
}

gboolean
sim__world_join_msg (SimWorld *w, guint32 at, guint32 m)
{
  /* A copy: carrying out the outbox may move the pool (the entries stay
   * with slot m until it is released). */
  PastryMessage msg = *sim__world_msg (w, m);
  switch ((PastryMsgType) msg.type)
    {
    case PASTRY_MSG_JOIN_REQUEST:
    case PASTRY_MSG_JOIN:
      if (!joiner_joining (w, msg.about))
        {
          sim__world_msg_release (w, m); /* the joiner died meanwhile */
          return TRUE;
        }
      break;
    case PASTRY_MSG_ANNOUNCE:
      if (sim__world_state (w, msg.about) != NODE_LIVE)
        {
          sim__world_msg_release (w, m); /* oracle: the announcer died */
          return TRUE;
        }
      break;
    case PASTRY_MSG_JOIN_REPLY:
    case PASTRY_MSG_ROW_REQUEST:
    case PASTRY_MSG_ROW_REPLY:
    case PASTRY_MSG_LEAFSET_PUSH:
      break;
    default:
      return FALSE;
    }
  JoinState *js = join_of (w, at);
  PastryEnv env;
  PastryOutbox *out = sim__world_call_begin (w, at, &env);
  pastry_join_receive (js != NULL ? &js->p : NULL,
                       g_ptr_array_index (w->maint, at),
                       sim__world_node (w, at), &msg, &env);
  if (!sim__world_call_end (w, at, out, m))
    sim__world_msg_release (w, m);
  return TRUE;
}
