/* sim-pastry.c — Pastry as the driver sees it: the SimProtocol table
 * (sim-protocol.h) over the world's Pastry adapter, and the message pool
 * and send path the adapter's protocol files share.
 *
 * Each entry of the table is a thin wrapper around the adapter function
 * that does the job (sim-pastry-join.c, -maint.c, -lookup.c, -build.c);
 * the protocol's events (messages, lookup hops, their timeouts, node
 * timers, join timeouts) are dispatched here, so a message type is
 * handled in the file its family lives in, reached in one step from
 * pastry_event().
 */
#include "sim-pastry-private.h"

#include <stdio.h>
#include <string.h>
/* ---- Messages ---- */

guint32
sim__world_msg_new (SimWorld *w, PastryMsgType type, guint32 about)
{
  guint32 m;
  if (w->msg_free->len > 0)
    {
      m = g_array_index (w->msg_free, guint32, w->msg_free->len - 1);
      g_array_set_size (w->msg_free, w->msg_free->len - 1);
    }
  else
    {
      g_array_set_size (w->msgs, w->msgs->len + 1);
      m = w->msgs->len - 1;
    }
  PastryMessage *msg = sim__world_msg (w, m);
  memset (msg, 0, sizeof *msg);
  msg->type = (guint8) type;
  msg->about = about;
  return m;
}

void
sim__world_msg_release (SimWorld *w, guint32 m)
{
  PastryMessage *msg = sim__world_msg (w, m);
  g_free (msg->entries);
  memset (msg, 0, sizeof *msg);
  g_array_append_val (w->msg_free, m);
}

void
sim__world_msg_add (SimWorld *w, guint32 m, const PastryEntry *e, guint n)
{
  if (n == 0)
    return;
  PastryMessage *msg = sim__world_msg (w, m);
  msg->entries = g_renew (PastryEntry, msg->entries, msg->n_entries + n);
  memcpy (msg->entries + msg->n_entries, e, n * sizeof (PastryEntry));
  msg->n_entries += n;
}

void
sim__world_msg_add_leafset (SimWorld *w, guint32 m, guint32 node)
{
  PastryPeer leaf[256];
  PastryEntry e[256];
  guint n = pastry_node_export_leafset (sim__world_node (w, node), leaf);
  for (guint i = 0; i < n; i++)
    {
      e[i].peer = leaf[i];
      e[i].prox = PASTRY_PROX_UNKNOWN;
    }
  sim__world_msg_add (w, m, e, n);
}

/* Requests whose target may be down: they come back as timeouts.  Without
 * oracle hints a JOIN is acknowledged hop by hop, and a joiner's
 * announcement to a leaf-set member is answered, so a dead or unreachable
 * target is found either way (those acknowledgements are not simulated as
 * messages). */
static gboolean
expects_reply (const PastryMessage *msg)
{
  PastryMsgType t = msg->type;
  return t == PASTRY_MSG_PROBE || t == PASTRY_MSG_LEAFSET_REQUEST
         || t == PASTRY_MSG_ENTRY_REQUEST || t == PASTRY_MSG_ROW_REQUEST
         || (t == PASTRY_MSG_JOIN && (msg->flags & PASTRY_MSG_FLAG_ACKED))
         || (t == PASTRY_MSG_ANNOUNCE && (msg->flags & PASTRY_MSG_FLAG_LEAF));
}

/* Replies whose requester acts on their absence: a joiner counting its
 * replies, a node that broadcasts a repaired leaf set once the far
 * member's answer is in, a table repair moving on to its next source. */
static gboolean
awaited (const PastryMessage *msg)
{
  return msg->type == PASTRY_MSG_JOIN_REPLY
         || (msg->type == PASTRY_MSG_ROW_REPLY
             && (msg->flags & PASTRY_MSG_FLAG_JOINING))
         || msg->type == PASTRY_MSG_LEAFSET_REPLY
         || msg->type == PASTRY_MSG_ENTRY_REPLY;
}

void
sim__world_send (SimWorld *w, guint32 from, guint32 to, guint32 m)
{
  PastryMessage *msg = sim__world_msg (w, m);
  SimTime now = sim__world_now (w);
  msg->from = from;
  msg->to = to;
  msg->sent = now;
  sim__world_count_msg (w, now, msg->type, msg->n_entries + 1,
                        (msg->flags & PASTRY_MSG_FLAG_REPAIR) != 0);
  gboolean lost = FALSE;
  SimTime d = sim_net_delay_sample (w->net, from, to,
                                    sim__world_net_rng (w, msg->type), &lost);
  if (lost)
    {
      if (w->maintain && expects_reply (msg))
        {
          msg->flags |= PASTRY_MSG_FLAG_TIMEOUT;
          sim_queue_push (w->q, sim_time_add (now, w->probe_timeout), EV_MSG,
                          from, m);
        }
      else if (w->maintain && awaited (msg))
        {
          /* The requester's own timer fires instead. */
          msg->flags |= PASTRY_MSG_FLAG_TIMEOUT;
          sim_queue_push (w->q, sim_time_add (now, w->probe_timeout), EV_MSG,
                          to, m);
        }
      else
        sim__world_msg_release (w, m);
      return;
    }
  sim_queue_push (w->q, sim_time_add (now, d), EV_MSG, to, m);
}

static void
handle_msg (SimWorld *w, guint32 at, guint32 m)
{
  PastryMessage *msg = sim__world_msg (w, m);
  if (sim__world_state (w, at) == NODE_DOWN)
    {
      /* Nobody home.  A request turns into a timeout at its sender. */
      if (w->maintain && expects_reply (msg)
          && !(msg->flags & PASTRY_MSG_FLAG_TIMEOUT)
          && sim__world_state (w, msg->from) != NODE_DOWN)
        {
          msg->flags |= PASTRY_MSG_FLAG_TIMEOUT;
          msg->epoch = sim__world_incarnation (w, at); /* the down life */
          sim_queue_push (w->q, sim_time_add (msg->sent, w->probe_timeout),
                          EV_MSG, msg->from, m);
          return;
        }
      sim__world_msg_release (w, m);
      return;
    }
  if ((msg->flags & PASTRY_MSG_FLAG_TIMEOUT) && msg->type == PASTRY_MSG_JOIN)
    {
      sim__world_join_bounced (w, at, m);
      return;
    }
  if (!(msg->flags & PASTRY_MSG_FLAG_TIMEOUT) && sim__world_join_msg (w, at, m))
    return;
  if (sim__world_maint_msg (w, at, m))
    return;
  sim__world_msg_release (w, m);
}

/* ---- The driver's side of the adapter ---- */

void
sim__world_timer (SimWorld *w, SimTime at, guint kind, guint32 node,
                  guint32 low)
{
  sim_driver_timer (w->drv, at, kind, node, low);
}

void
sim__world_set_live (SimWorld *w, guint32 i)
{
  g_array_index (w->state, guint8, i) = NODE_LIVE;
  sim_ring_add (w->live, i);
  SimTime now = sim__world_now (w);
  sim_metrics_live (w->metrics, now, sim_ring_size (w->live));
  sim__world_maint_start (w, i);
  sim_driver_node_live (w->drv, i);
}

void
sim__world_join_done (SimWorld *w, guint action)
{
  w->inflight--;
  sim_driver_join_done (w->drv, action);
}

/* ---- Events ---- */

static void
timer_event (SimWorld *w, const SimEvent *ev)
{
  switch (ev->kind)
    {
    case EV_MSG:
      handle_msg (w, ev->a, (guint32) ev->b);
      break;
    case EV_LOOKUP:
      sim__world_lookup_arrive (w, ev->a, ev->b);
      break;
    case EV_HOP_TIMEOUT:
      sim__world_lookup_timeout (w, ev->a, ev->b);
      break;
    case EV_HEARTBEAT:
      if (sim_node_timer_current (w->state, w->incarn, ev->a, ev->b))
        sim__world_heartbeat (w, ev->a);
      break;
    case EV_PROBE_ROUND:
      if (sim_node_timer_current (w->state, w->incarn, ev->a, ev->b))
        sim__world_probe_round (w, ev->a);
      break;
    case EV_JOIN_TIMEOUT:
      sim__world_join_timeout (w, ev->a, ev->b);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* ---- The protocol table ---- */

static void
proto_event (gpointer self, const SimEvent *ev)
{
  SimWorld *w = self;
  /* Start fetching what the next lookup hop will touch (its node and
   * lookup record: cache misses otherwise) while this event runs. */
  SimEvent nx;
  if (sim_queue_peek (w->q, &nx) && nx.kind == EV_LOOKUP)
    {
      __builtin_prefetch (sim__world_node (w, nx.a));
      sim_net_prefetch (w->net, nx.a);
      __builtin_prefetch (&g_array_index (w->lookups, Lookup, (guint32) nx.b));
    }
  timer_event (w, ev);
}

static guint64
proto_event_tag (gpointer self, const SimEvent *ev)
{
  SimWorld *w = self;
  if (ev->kind == EV_MSG)
    return 1 + sim__world_msg (w, (guint32) ev->b)->type;
  if (ev->kind == EV_LOOKUP || ev->kind == EV_HOP_TIMEOUT)
    return 1 + PASTRY_MSG_LOOKUP;
  return 0;
}

static guint32
proto_node_create (gpointer self, const SimKey *key, SimRng *ids,
                   SimRng *topology)
{
  SimWorld *w = self;
  PastryId id;
  if (key != NULL)
    {
      id.hi = key->hi;
      id.lo = key->lo;
    }
  w->rng_ids = *ids;
  w->rng_topology = *topology;
  guint32 x = sim__world_node_create (w, key != NULL ? &id : NULL);
  *ids = w->rng_ids;
  *topology = w->rng_topology;
  return x;
}

static void
proto_node_renew (gpointer self, guint32 x)
{
  SimWorld *w = self;
  pastry_node_free (g_ptr_array_index (w->nodes, x));
  g_ptr_array_index (w->nodes, x) = pastry_node_new (&w->cfg, w->dir, x);
}

static void
proto_join_start (gpointer self, guint32 x, guint action)
{
  SimWorld *w = self;
  w->inflight++;
  sim__world_join_start (w, x, action);
}

static void
proto_fail (gpointer self, guint32 x)
{
  sim__world_fail (self, x);
}

static void
proto_leave (gpointer self, guint32 x)
{
  sim__world_leave (self, x);
}

static void
proto_lookup_start (gpointer self, const SimAction *a, guint phase,
                    SimZipf *zipf, guint32 src, SimTime due, SimRng *rng)
{
  sim__world_lookup_start (self, a, phase, zipf, src, due, rng);
}

static int
cmp_ids (const void *a, const void *b)
{
  return pastry_id_cmp (a, b);
}

/* The `build` action: nodes with ideal state from global knowledge. */
static void
proto_build (gpointer self, const SimAction *a, guint g, SimRng *rng_ids,
             SimRng *rng_topology)
{
  SimWorld *w = self;
  (void) g;
  w->rng_ids = *rng_ids;
  w->rng_topology = *rng_topology;
  /* Create the nodes in id order: the nodes that fit one routing-
   * table slot then have adjacent indices, so their network
   * positions sit together in memory and the build touches a few
   * cache lines per slot instead of one per candidate.  (Positions
   * are independent of ids, so this changes no distribution.) */
  guint64 n = a->count;
  PastryId *ids = g_new (PastryId, n);
  for (guint64 i = 0; i < n; i++)
    {
      ids[i].hi = sim_rng_next_u64 (&w->rng_ids);
      ids[i].lo = sim_rng_next_u64 (&w->rng_ids);
    }
  qsort (ids, n, sizeof (PastryId), cmp_ids);
  sim_net_reserve (w->net, (guint32) (w->nodes->len + n));
  /* Equal or already live ids: astronomically unlikely, but the
   * oracle needs distinct ids.  Checked against the live nodes
   * before any is added (the oracle is not built for a stream of
   * sorted insertions and queries). */
  gboolean *dup = g_new0 (gboolean, n);
  for (guint64 i = 0; i < n; i++)
    dup[i]
        = (i > 0 && pastry_id_equal (&ids[i], &ids[i - 1]))
          || (sim_ring_size (w->live) > 0
              && pastry_id_equal (pastry_directory_id (
                                      w->dir, sim_ring_root (w->live, &ids[i])),
                                  &ids[i]));
  for (guint64 i = 0; i < n; i++)
    {
      if (dup[i])
        continue;
      guint32 x = sim__world_node_create (w, &ids[i]);
      g_array_index (w->state, guint8, x) = NODE_LIVE;
      sim_ring_add (w->live, x);
    }
  g_free (dup);
  g_free (ids);
  sim_metrics_live (w->metrics, sim__world_now (w), sim_ring_size (w->live));
  gint64 t0 = g_get_monotonic_time ();
  sim__world_build_ideal (w, (PastryNode **) w->nodes->pdata, w->build_sample,
                          &w->rng_protocol);
  w->build_wall_us += g_get_monotonic_time () - t0;
  for (guint i = 0; i < sim_ring_size (w->live); i++)
    {
      guint32 x = sim_ring_nth (w->live, i);
      if (g_ptr_array_index (w->maint, x) == NULL)
        sim__world_maint_start (w, x);
    }
  *rng_ids = w->rng_ids;
  *rng_topology = w->rng_topology;
}

/* The shadow overlay with complete global knowledge (ideal_compare) is
 * built once, over the nodes live when lookups begin. */
static void
proto_lookups_begin (gpointer self)
{
  SimWorld *w = self;
  if (!w->ideal_compare)
    return;
  gint64 t0 = g_get_monotonic_time ();
  w->n_ideal = w->nodes->len;
  w->ideal = g_new0 (PastryNode *, w->n_ideal);
  for (guint i = 0; i < w->n_ideal; i++)
    w->ideal[i] = pastry_node_new (&w->cfg, w->dir, i);
  SimRng rng;
  sim_rng_init (&rng, sim_scenario_get_uint (w->sc, "seed"),
                SIM_RNG_PURPOSE_PROTOCOL, 1);
  sim__world_build_ideal (w, w->ideal, w->ideal_sample, &rng);
  w->build_wall_us += g_get_monotonic_time () - t0;
}

static guint64
proto_abandon (gpointer self)
{
  SimWorld *w = self;
  guint64 done_before = w->lookups_done;
  sim__world_lookups_abandon (w);
  if (w->lookups_done != w->lookups_started)
    g_critical ("%" G_GUINT64_FORMAT " lookups started but %" G_GUINT64_FORMAT
                " ended",
                w->lookups_started, w->lookups_done);
  return w->lookups_done - done_before;
}

static void
proto_summary (gpointer self)
{
  SimWorld *w = self;
  guint stuck = 0;
  for (guint i = 0; i < w->joins->len; i++)
    if (g_ptr_array_index (w->joins, i) != NULL)
      stuck++;
  sim_metrics_set (w->metrics, "joins_incomplete", stuck);
  sim_metrics_set (w->metrics, "lookups_started", (double) w->lookups_started);
  sim_metrics_set (w->metrics, "lookups_ended", (double) w->lookups_done);
  /* Why lookups failed (whole run, not only the measure window). */
  sim_metrics_set (w->metrics, "failed_lost", (double) w->fail_lost);
  sim_metrics_set (w->metrics, "failed_retries", (double) w->fail_retries);
  sim_metrics_set (w->metrics, "failed_timeout", (double) w->fail_timeout);
  sim_metrics_set (w->metrics, "failed_loop", (double) w->fail_loop);
  sim_metrics_set (w->metrics, "failed_stalled", (double) w->fail_stalled);
  sim_metrics_set (w->metrics, "false_deaths", (double) w->refutations);
  sim_metrics_set (w->metrics, "unreachable_live_roots",
                   (double) w->unreachable_live_roots);
  sim_metrics_set (w->metrics, "wrong_doubted_root",
                   (double) w->wrong_doubted_root);
  sim_metrics_set (w->metrics, "failed_holder_down",
                   (double) w->fail_holder_down);
}

/* Bytes per node, broken down, from the structures' own accounting
 * (allocator overhead not included; compare with peak_rss_mb). */
static void
memory_rows (SimWorld *w)
{
  guint n = w->nodes->len;
  if (n == 0)
    return;
  gsize state = 0;
  for (guint i = 0; i < n; i++)
    if (sim__world_node (w, i) != NULL) /* NULL: down (go_down) */
      state += pastry_node_memory (sim__world_node (w, i));
  gsize per_node_arrays = sizeof (PastryId)       /* directory */
                          + sizeof (gpointer) * 3 /* nodes, joins, maint */
                          + sizeof (guint8) + sizeof (guint32); /* state */
  sim_metrics_set (w->metrics, "bytes_per_node_state", (double) state / n);
  sim_metrics_set (w->metrics, "bytes_per_node_world",
                   (double) per_node_arrays);
  sim_metrics_set (w->metrics, "bytes_per_node_pools",
                   (double) (w->msgs->len * sizeof (PastryMessage)
                             + w->lookups->len * sizeof (Lookup))
                       / n);
}

static void
proto_measure (gpointer self)
{
  SimWorld *w = self;
  gint64 t0 = g_get_monotonic_time ();
  sim__world_measure_tables (w);
  w->build_wall_us += g_get_monotonic_time () - t0;
  memory_rows (w);
  sim_metrics_set (w->metrics, "build_wall_s", (double) w->build_wall_us / 1e6);
}

static guint
proto_inflight (gpointer self)
{
  return ((SimWorld *) self)->inflight;
}

static guint64
proto_lookups_ended (gpointer self)
{
  return ((SimWorld *) self)->lookups_done;
}

static SimTime
proto_lookup_timeout (gpointer self)
{
  return ((SimWorld *) self)->lookup_timeout;
}

/* The live-id oracle is the ring of live Pastry ids (sim-ring.c). */
static guint
proto_live_count (gpointer self)
{
  return sim_ring_size (((SimWorld *) self)->live);
}

static guint32
proto_live_nth (gpointer self, guint i)
{
  return sim_ring_nth (((SimWorld *) self)->live, i);
}

static guint
proto_live_neighbours (gpointer self, guint32 node, guint k, guint32 *left,
                       guint32 *right)
{
  return sim_ring_neighbours (((SimWorld *) self)->live, node, k, left, right);
}

const SimProtocol sim__pastry_protocol = {
  .name = "pastry",
  .node_create = proto_node_create,
  .node_renew = proto_node_renew,
  .join_start = proto_join_start,
  .fail = proto_fail,
  .leave = proto_leave,
  .lookup_start = proto_lookup_start,
  .build = proto_build,
  .lookups_begin = proto_lookups_begin,
  .inflight = proto_inflight,
  .lookups_ended = proto_lookups_ended,
  .lookup_timeout = proto_lookup_timeout,
  .live_count = proto_live_count,
  .live_nth = proto_live_nth,
  .live_neighbours = proto_live_neighbours,
  .event = proto_event,
  .event_tag = proto_event_tag,
  .abandon = proto_abandon,
  .summary = proto_summary,
  .measure = proto_measure,
};
