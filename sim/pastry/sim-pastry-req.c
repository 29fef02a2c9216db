/* sim-pastry-req.c — request timers with access links: a maintenance
 * request times out at sent + probe_timeout unless its answer arrived
 * before, and an answer later than that is stale.
 *
 * Without access links the adapter uses the cheap timeout trick
 * (sim-pastry-maint.c): a request comes back as its own timeout only when
 * it, or its awaited reply, is lost or its target is down — decided when
 * the message is sent.  That is exact there because every answer arrives
 * within probe_timeout of its request (the request's and the reply's
 * delays are each below probe_timeout / 2 for the shipped models; see
 * sim/README.md, "Access links").  With access links a reply can sit in
 * queues for seconds, so a real node's timer would fire first: it would
 * suspect, probe, repair — the traffic that feeds the queues again
 * (Rhea et al., "Handling Churn in a DHT", USENIX 2004).  This file makes
 * that loop happen.
 *
 * A request (PROBE, LEAFSET_REQUEST, ENTRY_REQUEST, ROW_REQUEST) sent with
 * links on and maintenance on gets a record (SimRequest) and a timer event
 * (EV_REQ_TIMEOUT) at sent + probe_timeout.  The record is tied to the
 * message slot carrying the request, then to the slot of its reply (the
 * target's first reply of the matching type to the requester, handed over
 * in sim__world_call_end()); w->msg_req maps a slot to 1 + its record.
 *  - The reply reaches the requester (after its downlink) before the
 *    timer: it is the answer (the record is marked answered) and is
 *    handled as always.
 *  - The timer fires first (the request or reply was lost, the target is
 *    down, or the reply is still queued): the requester handles the
 *    request as unanswered (sim__world_request_timed_out(): strike and
 *    retry a probe, suspect, move a repair on).  A lost request or reply
 *    and one that finds its target down is simply freed: the timer speaks
 *    for it.
 *  - A reply arriving after its timer fired is late: stale for its
 *    request, whose timeout has already acted (a retry is out, the repair
 *    moved on, a join counted the row missing), so its content is dropped
 *    — acting on it again would run a repair twice or count a join's row
 *    twice.  It still proves that its sender was alive when it answered:
 *    the requester's detector drops a suspicion of the sender
 *    (pastry_fd_probe_answered()), as an answered probe does; a dead mark
 *    stays, lifted only by the sender's own refutation.  That is
 *    MSPastry's rule (a node declared faulty is taken back when it says
 *    so itself) and Bamboo's (a late acknowledgement does not cancel a
 *    retransmission timeout; hearing from a node shows it is up).
 *  - Records of a requester that went down (the incarnation changed) are
 *    dropped: a new life does not see its old life's timers or answers.
 *
 * A record is freed when both its timer has fired and its message chain
 * has ended (refs counts them: 2 at the start).  Costs: one event and one
 * record (a copy of the request header) per request in flight, with links only;
 * without links nothing here runs (w->reqs is NULL) and
 * sim__world_msg_release() tests one pointer.  Rejected: deciding at send time
 * from the reply's predicted arrival (the downlink wait is known only when the
 * reply arrives there, in arrival order); timers for every request without
 * links (an event per answered request, for the same result).
 *
 * Not covered (named in sim/README.md): acknowledgements that are not
 * simulated as messages — a JOIN's per-hop acknowledgement, a leaf-set
 * member's answer to an announcement — still time out only when lost or
 * when their target is down.
 */
#include "sim-pastry-private.h"

struct _SimRequest
{
  PastryMessage req;   /* the request as sent (no entries) */
  guint32 incarnation; /* of its sender, when sent */
  guint8 answered;     /* its reply arrived before the timer */
  guint8 timed_out;    /* the timer fired unanswered */
  guint8 refs;         /* the timer + the message chain */
};

static SimRequest *
req_at (SimWorld *w, guint32 k)
{
  return &g_array_index (w->reqs, SimRequest, k);
}

/* 1 + the record of slot m, 0 for none. */
static guint32 *
slot_req (SimWorld *w, guint32 m)
{
  if (m >= w->msg_req->len)
    g_array_set_size (w->msg_req, m + 1);
  return &g_array_index (w->msg_req, guint32, m);
}

static void
req_unref (SimWorld *w, guint32 k)
{
  SimRequest *r = req_at (w, k);
  g_assert (r->refs > 0);
  if (--r->refs == 0)
    g_array_append_val (w->req_free, k);
}

/* The reply type answering a request of type t, or 0 when t is not
 * timed here. */
static guint8
reply_type (guint8 t)
{
  switch ((PastryMsgType) t)
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
      return 0;
    }
}

void
sim__world_req_init (SimWorld *w)
{
  w->reqs = g_array_new (FALSE, TRUE, sizeof (SimRequest));
  w->req_free = g_array_new (FALSE, FALSE, sizeof (guint32));
  w->msg_req = g_array_new (FALSE, TRUE, sizeof (guint32));
}

void
sim__world_req_fini (SimWorld *w)
{
  if (w->reqs == NULL)
    return;
  g_array_unref (w->reqs);
  g_array_unref (w->req_free);
  g_array_unref (w->msg_req);
}

gboolean
sim__world_req_open (SimWorld *w, guint32 m)
{
  if (w->reqs == NULL || !w->maintain)
    return FALSE;
  const PastryMessage *msg = sim__world_msg (w, m);
  if (reply_type (msg->type) == 0)
    return FALSE;
  guint32 k;
  if (w->req_free->len > 0)
    {
      k = g_array_index (w->req_free, guint32, w->req_free->len - 1);
      g_array_set_size (w->req_free, w->req_free->len - 1);
    }
  else
    {
      g_array_set_size (w->reqs, w->reqs->len + 1);
      k = w->reqs->len - 1;
    }
  SimRequest *r = req_at (w, k);
  r->req = *msg;
  r->req.entries = NULL;
  r->req.n_entries = 0;
  r->incarnation = sim__world_incarnation (w, msg->from);
  r->answered = r->timed_out = 0;
  r->refs = 2;
  *slot_req (w, m) = k + 1;
  sim_queue_push (w->q, sim_time_add (msg->sent, w->probe_timeout),
                  EV_REQ_TIMEOUT, msg->from, k);
  return TRUE;
}

gboolean
sim__world_req_tracked (SimWorld *w, guint32 m)
{
  return w->reqs != NULL && *slot_req (w, m) != 0;
}

void
sim__world_req_slot_released (SimWorld *w, guint32 m)
{
  if (m >= w->msg_req->len)
    return;
  guint32 *s = &g_array_index (w->msg_req, guint32, m);
  if (*s != 0)
    {
      req_unref (w, *s - 1);
      *s = 0;
    }
}

void
sim__world_req_hand_over (SimWorld *w, guint32 m_in, guint32 m, guint32 to)
{
  if (w->reqs == NULL || m_in == G_MAXUINT32)
    return;
  guint32 *in = slot_req (w, m_in);
  if (*in == 0)
    return;
  const SimRequest *r = req_at (w, *in - 1);
  const PastryMessage *reply = sim__world_msg (w, m);
  if (reply->type != reply_type (r->req.type) || to != r->req.from)
    return;
  guint32 k = *in;
  *in = 0;
  *slot_req (w, m) = k;
}

void
sim__world_req_target_down (SimWorld *w, guint32 m, guint32 at)
{
  SimRequest *r = req_at (w, *slot_req (w, m) - 1);
  if (at == r->req.to && r->req.type == sim__world_msg (w, m)->type)
    r->req.epoch = sim__world_incarnation (w, at); /* the down life */
}

gboolean
sim__world_req_arrive (SimWorld *w, guint32 at, guint32 m)
{
  guint32 k = *slot_req (w, m);
  SimRequest *r = req_at (w, k - 1);
  const PastryMessage *msg = sim__world_msg (w, m);
  if (msg->type == r->req.type || at != r->req.from)
    return FALSE; /* the request itself, at its target */
  if (r->incarnation != sim__world_incarnation (w, at))
    return TRUE; /* for an earlier life: nobody waits */
  if (!r->timed_out)
    {
      r->answered = 1;
      return FALSE;
    }
  /* Late: stale for its request, proof of life of its sender. */
  NodeMaint *mt = g_ptr_array_index (w->maint, at);
  if (mt != NULL)
    pastry_fd_probe_answered (&mt->fd, msg->from);
  if (r->req.sent >= w->window_from && r->req.sent < w->window_to)
    w->late_replies++;
  return TRUE;
}

void
sim__world_req_timeout (SimWorld *w, guint32 x, guint32 k)
{
  SimRequest *r = req_at (w, k);
  if (!r->answered && r->incarnation == sim__world_incarnation (w, x)
      && sim__world_state (w, x) != NODE_DOWN)
    {
      r->timed_out = 1;
      PastryMessage req = r->req; /* the record may move */
      if (req.sent >= w->window_from && req.sent < w->window_to)
        w->req_timeouts++;
      sim__world_request_timed_out (w, x, &req);
    }
  req_unref (w, k);
}
