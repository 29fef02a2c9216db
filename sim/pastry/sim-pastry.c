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
  if (w->reqs != NULL)
    sim__world_req_slot_released (w, m);
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

/* ---- Access links ----
 *
 * With access_up or access_down set, a message waits behind the messages
 * its sender handed to its uplink before (FIFO), is serialised at the
 * uplink's rate, crosses the latency model (delay, loss, jitter drawn as
 * without links), and on arrival waits for and is serialised at its
 * receiver's downlink (EV_MSG_DOWNLINK, EV_LOOKUP_DOWNLINK: the downlink
 * is charged at the arrival event, in arrival order, as sim-link.h
 * requires).  Sizes are Pastry's size model (msg_header_bytes,
 * msg_id_bytes), the bytes messages.csv counts.  Simplifications, named:
 *  - a lookup's acknowledgement is resolved at once (sim-pastry-lookup.c),
 *    so its downlink is charged when the hop arrives, at the time the
 *    acknowledgement will reach it: it may go ahead of a message that
 *    reaches that downlink earlier but is charged later;
 *  - messages queued at a node's uplink when it fails still leave (the
 *    queue is handed over to the wire); its links are idle again in its
 *    next life (sim_link_reset);
 *  - the transport times a request out only when it is lost or its
 *    target is down, after probe_timeout from its send: a reply that is
 *    merely late (queued) still counts as an answer.  Lookup hops do see
 *    queueing: an acknowledgement later than the hop timeout makes the
 *    sender suspect the next hop.
 *
 * With access_buffer set, a message that overflows its sender's uplink
 * buffer or its receiver's downlink buffer is dropped there (queue_drops)
 * and handled as a message lost in the network: at the uplink by the
 * sender's own loss path, at the downlink by msg_lost() (a request's
 * timer, or its probe_timeout from its send) and, for lookups, by the
 * sender's hop timeout.  A dropped message adds no queue_delay sample. */

SimTime
sim__world_uplink (SimWorld *w, guint32 from, guint bytes, SimTime now,
                   SimTime *queued, gboolean *dropped)
{
  SimTime t = sim_link_send (w->links, from, bytes, now, queued, dropped);
  if (*dropped)
    w->queue_drops++;
  return t;
}

SimTime
sim__world_downlink (SimWorld *w, guint32 to, guint bytes, SimTime now,
                     SimTime *queued, gboolean *dropped)
{
  SimTime t = sim_link_receive (w->links, to, bytes, now, queued, dropped);
  if (*dropped)
    w->queue_drops++;
  return t;
}

void
sim__world_queue_sample (SimWorld *w, SimTime sent, SimTime queued)
{
  if (sent >= w->window_from && sent < w->window_to)
    sim_hist_add (w->queue_delay, queued);
}

static guint
msg_bytes (const SimWorld *w, const PastryMessage *msg)
{
  return pastry_msg_size (msg->type, msg->n_entries + 1, w->msg_header_bytes,
                          w->msg_id_bytes);
}

static SimTime *
msg_queued (SimWorld *w, guint32 m)
{
  if (m >= w->msg_queued->len)
    g_array_set_size (w->msg_queued, m + 1);
  return &g_array_index (w->msg_queued, SimTime, m);
}

/* Message slot m leaves `from` for `to` at now, the network's delay d
 * drawn: it arrives at at + d, where `at` is when its last bit left the
 * uplink; with a limited downlink it queues there first. */
static void
msg_depart (SimWorld *w, guint32 to, guint32 m, SimTime at, SimTime d)
{
  if (w->link_down)
    {
      sim_queue_push (w->q, sim_time_add (at, d), EV_MSG_DOWNLINK, to, m);
      return;
    }
  sim__world_queue_sample (w, sim__world_msg (w, m)->sent, *msg_queued (w, m));
  sim_queue_push (w->q, sim_time_add (at, d), EV_MSG, to, m);
}

static void handle_msg (SimWorld *w, guint32 at, guint32 m);
static void msg_lost (SimWorld *w, guint32 from, guint32 to, guint32 m,
                      gboolean timed, gboolean at_downlink);

/* Message slot m reached the downlink of `at` (EV_MSG_DOWNLINK). */
static void
msg_downlink (SimWorld *w, guint32 at, guint32 m)
{
  PastryMessage *msg = sim__world_msg (w, m);
  SimTime now = sim__world_now (w);
  SimTime queued = 0, done = now;
  gboolean dropped = FALSE;
  if (sim__world_state (w, at) != NODE_DOWN)
    done = sim__world_downlink (w, at, msg_bytes (w, msg), now, &queued,
                                &dropped);
  if (dropped)
    {
      msg_lost (w, msg->from, at, m, sim__world_req_tracked (w, m), TRUE);
      return;
    }
  sim__world_queue_sample (w, msg->sent, *msg_queued (w, m) + queued);
  if (done > now)
    sim_queue_push (w->q, done, EV_MSG, at, m);
  else
    handle_msg (w, at, m);
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
  SimTime left = now;
  gboolean dropped = FALSE;
  if (w->links != NULL)
    left = sim__world_uplink (w, from, msg_bytes (w, msg), now,
                              msg_queued (w, m), &dropped);
  gboolean lost = FALSE;
  SimTime d = sim_net_delay_sample (w->net, from, to,
                                    sim__world_net_rng (w, msg->type), &lost);
  if (lost && !dropped && w->links != NULL)
    sim__world_queue_sample (w, now, *msg_queued (w, m));
  /* With links a request, or its reply, has a timer of its own. */
  gboolean timed
      = w->reqs != NULL
        && (sim__world_req_open (w, m) || sim__world_req_tracked (w, m));
  if (lost || dropped)
    {
      msg_lost (w, from, to, m, timed, FALSE);
      return;
    }
  if (w->links != NULL)
    {
      msg_depart (w, to, m, left, d);
      return;
    }
  sim_queue_push (w->q, sim_time_add (now, d), EV_MSG, to, m);
}

/* Message slot m, sent by `from` to `to`, was lost in the network (at its
 * send) or dropped at `to`'s full downlink (at_downlink: a probe reply
 * too is then awaited by `to`).  timed: it has a request timer of its
 * own (sim-pastry-req.c), which then fires instead.  Otherwise a timeout
 * the loss stands for fires at the message's send + probe_timeout (not
 * before now). */
static void
msg_lost (SimWorld *w, guint32 from, guint32 to, guint32 m, gboolean timed,
          gboolean at_downlink)
{
  PastryMessage *msg = sim__world_msg (w, m);
  SimTime now = sim__world_now (w);
  SimTime due = MAX (now, sim_time_add (msg->sent, w->probe_timeout));
  if (timed)
    sim__world_msg_release (w, m); /* its timer fires instead */
  else if (w->maintain && expects_reply (msg))
    {
      msg->flags |= PASTRY_MSG_FLAG_TIMEOUT;
      sim_queue_push (w->q, due, EV_MSG, from, m);
    }
  else if (w->maintain
           && (awaited (msg)
               || (at_downlink && msg->type == PASTRY_MSG_PROBE_REPLY)))
    {
      /* The requester's own timer fires instead. */
      msg->flags |= PASTRY_MSG_FLAG_TIMEOUT;
      sim_queue_push (w->q, due, EV_MSG, to, m);
    }
  else
    sim__world_msg_release (w, m);
}

void
sim__world_reply_depart (SimWorld *w, guint32 to, guint32 m, SimTime left,
                         SimTime d, SimTime queued)
{
  *msg_queued (w, m) = queued;
  msg_depart (w, to, m, left, d);
}

static void
handle_msg (SimWorld *w, guint32 at, guint32 m)
{
  PastryMessage *msg = sim__world_msg (w, m);
  if (w->reqs != NULL && sim__world_req_tracked (w, m))
    {
      if (sim__world_state (w, at) == NODE_DOWN)
        {
          sim__world_req_target_down (w, m, at); /* its timer fires */
          sim__world_msg_release (w, m);
          return;
        }
      if (sim__world_req_arrive (w, at, m))
        {
          sim__world_msg_release (w, m);
          return;
        }
    }
  if (sim__world_state (w, at) == NODE_DOWN)
    {
      /* Nobody home.  A request turns into a timeout at its sender. */
      if (w->maintain && expects_reply (msg)
          && !(msg->flags & PASTRY_MSG_FLAG_TIMEOUT)
          && sim__world_state (w, msg->from) != NODE_DOWN)
        {
          msg->flags |= PASTRY_MSG_FLAG_TIMEOUT;
          msg->epoch = sim__world_incarnation (w, at); /* the down life */
          sim_queue_push (w->q,
                          MAX (sim__world_now (w),
                               sim_time_add (msg->sent, w->probe_timeout)),
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
  /* Its timers first, then the driver's part (live, oracle, lookups):
   * the order the queue's sequence numbers have always had. */
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
    case EV_MSG_DOWNLINK:
      msg_downlink (w, ev->a, (guint32) ev->b);
      break;
    case EV_LOOKUP_DOWNLINK:
      sim__world_lookup_downlink (w, ev->a, ev->b);
      break;
    case EV_LOOKUP_HOLD:
      sim__world_lookup_held (w, ev->a, ev->b);
      break;
    case EV_REQ_TIMEOUT:
      sim__world_req_timeout (w, ev->a, (guint32) ev->b);
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
  if (ev->kind == EV_MSG || ev->kind == EV_MSG_DOWNLINK)
    return 1 + sim__world_msg (w, (guint32) ev->b)->type;
  if (ev->kind == EV_LOOKUP || ev->kind == EV_HOP_TIMEOUT
      || ev->kind == EV_LOOKUP_DOWNLINK || ev->kind == EV_LOOKUP_HOLD)
    return 1 + PASTRY_MSG_LOOKUP;
  return 0;
}

static void
proto_node_create (gpointer self, guint32 x, const SimKey *key,
                   SimRng *topology)
{
  PastryId id = sim__world_id (key);
  sim__world_node_create (self, x, &id, topology);
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
proto_lookup_start (gpointer self, guint32 src, const SimKey *key, SimTime due,
                    guint phase)
{
  sim__world_lookup_start (self, src, key, due, phase);
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
  /* Create the nodes in id order: the nodes that fit one routing-
   * table slot then have adjacent indices, so their network
   * positions sit together in memory and the build touches a few
   * cache lines per slot instead of one per candidate.  (Positions
   * are independent of ids, so this changes no distribution.) */
  guint64 n = a->count;
  PastryId *ids = g_new (PastryId, n);
  for (guint64 i = 0; i < n; i++)
    {
      ids[i].hi = sim_rng_next_u64 (rng_ids);
      ids[i].lo = sim_rng_next_u64 (rng_ids);
    }
  qsort (ids, n, sizeof (PastryId), cmp_ids);
  sim_net_reserve (w->net, (guint32) (w->nodes->len + n));
  /* Equal or already live ids: astronomically unlikely, but the
   * oracle needs distinct ids.  Checked against the live nodes
   * before any is added (the oracle is not built for a stream of
   * sorted insertions and queries). */
  gboolean *dup = g_new0 (gboolean, n);
  for (guint64 i = 0; i < n; i++)
    {
      SimKey key = sim__world_key (&ids[i]);
      dup[i] = (i > 0 && pastry_id_equal (&ids[i], &ids[i - 1]))
               || sim_oracle_has_id (w->live, &key);
    }
  for (guint64 i = 0; i < n; i++)
    {
      if (dup[i])
        continue;
      SimKey key = sim__world_key (&ids[i]);
      guint32 x = sim_driver_node_add (w->drv, &key, SIM_NODE_LIVE);
      sim__world_node_create (w, x, &ids[i], rng_topology);
    }
  g_free (dup);
  g_free (ids);
  gint64 t0 = g_get_monotonic_time ();
  sim__world_build_ideal (w, (PastryNode **) w->nodes->pdata, w->build_sample,
                          &w->rng_protocol);
  w->build_wall_us += g_get_monotonic_time () - t0;
  for (guint i = 0; i < sim_oracle_size (w->live); i++)
    {
      guint32 x = sim_oracle_nth (w->live, i);
      if (g_ptr_array_index (w->maint, x) == NULL)
        sim__world_maint_start (w, x);
    }
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
  if (w->links != NULL)
    {
      /* Empty (no message in the window): 0, not NaN, so that means over
       * seeds stay defined. */
      gboolean any = sim_hist_count (w->queue_delay) > 0;
      sim_metrics_set (w->metrics, "queue_delay_mean_ms",
                       any ? sim_hist_mean (w->queue_delay) / 1e3 : 0.0);
      sim_metrics_set (w->metrics, "queue_delay_p99_ms",
                       any ? sim_hist_quantile (w->queue_delay, 0.99) / 1e3
                           : 0.0);
      sim_metrics_set (w->metrics, "request_timeouts",
                       (double) w->req_timeouts);
      sim_metrics_set (w->metrics, "late_replies", (double) w->late_replies);
      if (w->link_buffer)
        sim_metrics_set (w->metrics, "queue_drops", (double) w->queue_drops);
    }
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
  .event = proto_event,
  .event_tag = proto_event_tag,
  .abandon = proto_abandon,
  .summary = proto_summary,
  .measure = proto_measure,
};
