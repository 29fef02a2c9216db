/* pastry-outbox.c — the caller-owned queue of a protocol call's effects
 * (pastry-outbox.h).
 *
 * Invariant: items are kept in the order they were appended; an item's
 * message owns its entries until pastry_outbox_take_message() moves them
 * out (the item's entries pointer is then NULL), so reset frees exactly the
 * entries nobody took.
 *
 * Cost: one append per effect (amortised O(1), no allocation once the
 * array has grown to the largest call's size: callers keep one outbox and
 * reset it; a plain array rather than a GArray, whose per-append calls
 * cost 1 % of a churn run).  Returning effects through callbacks was rejected:
 * the caller could then re-enter the protocol in the middle of a call, and the
 * order of effects would depend on what the callbacks did.
 */
#include "pastry-outbox.h"

#include <string.h>

void
pastry_outbox_init (PastryOutbox *out)
{
  g_return_if_fail (out != NULL);
  out->items = NULL;
  out->len = out->cap = 0;
  out->self = PASTRY_PEER_NONE;
  out->now = 0;
}

void
pastry_outbox_clear (PastryOutbox *out)
{
  g_return_if_fail (out != NULL);
  pastry_outbox_reset (out);
  g_free (out->items);
  out->items = NULL;
  out->cap = 0;
}

void
pastry_outbox_begin (PastryOutbox *out, PastryPeer self, guint64 now)
{
  g_return_if_fail (out != NULL && out->len == 0);
  out->self = self;
  out->now = now;
}

void
pastry_outbox_take_message (PastryOutbox *out, guint i, PastryMessage *dst)
{
  g_return_if_fail (out != NULL && i < out->len && dst != NULL);
  PastryOutItem *it = pastry_outbox_item (out, i);
  g_return_if_fail (it->kind == PASTRY_OUT_SEND);
  *dst = it->msg;
  it->msg.entries = NULL;
  it->msg.n_entries = 0;
}

void
pastry_outbox_reset (PastryOutbox *out)
{
  g_return_if_fail (out != NULL);
  for (guint i = 0; i < out->len; i++)
    g_free (out->items[i].msg.entries);
  out->len = 0;
}

static PastryOutItem *
append (PastryOutbox *out, PastryOutKind kind)
{
  if (out->len == out->cap)
    {
      out->cap = MAX (16u, 2 * out->cap);
      out->items = g_renew (PastryOutItem, out->items, out->cap);
    }
  PastryOutItem *it = &out->items[out->len++];
  memset (it, 0, sizeof *it);
  it->kind = (guint8) kind;
  return it;
}

PastryMessage *
pastry_outbox_send (PastryOutbox *out, PastryPeer to, PastryMsgType type,
                    PastryPeer about)
{
  g_return_val_if_fail (out != NULL, NULL);
  PastryOutItem *it = append (out, PASTRY_OUT_SEND);
  it->to = to;
  it->msg.type = (guint8) type;
  it->msg.about = about;
  it->msg.from = out->self;
  it->msg.to = to;
  it->msg.sent = out->now;
  return &it->msg;
}

void
pastry_msg_add_entries (PastryMessage *msg, const PastryEntry *e, guint n)
{
  g_return_if_fail (msg != NULL);
  if (n == 0)
    return;
  msg->entries = g_renew (PastryEntry, msg->entries, msg->n_entries + n);
  memcpy (msg->entries + msg->n_entries, e, n * sizeof (PastryEntry));
  msg->n_entries += n;
}

void
pastry_msg_add_leafset (PastryMessage *msg, const PastryNode *node)
{
  g_return_if_fail (msg != NULL && node != NULL);
  PastryPeer leaf[256];
  PastryEntry e[256];
  guint n = pastry_node_export_leafset (node, leaf);
  for (guint i = 0; i < n; i++)
    {
      e[i].peer = leaf[i];
      e[i].prox = PASTRY_PROX_UNKNOWN;
    }
  pastry_msg_add_entries (msg, e, n);
}

void
pastry_outbox_timer (PastryOutbox *out, PastryTimerKind timer, guint64 delay,
                     guint32 cookie)
{
  g_return_if_fail (out != NULL);
  PastryOutItem *it = append (out, PASTRY_OUT_TIMER);
  it->timer = (guint8) timer;
  it->delay = delay;
  it->cookie = cookie;
}

void
pastry_outbox_upcall (PastryOutbox *out, PastryUpcallKind upcall,
                      PastryPeer peer)
{
  g_return_if_fail (out != NULL);
  PastryOutItem *it = append (out, PASTRY_OUT_UPCALL);
  it->upcall = (guint8) upcall;
  it->to = peer;
}
