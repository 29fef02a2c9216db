/* sim-link.c — access links as FIFO queues of a fixed rate (sim-link.h).
 *
 * Each limited side keeps, per node, the time its link next falls idle,
 * in a GArray grown on demand (nodes are dense indices).  A message that
 * arrives at an idle link starts at once; otherwise it starts when the
 * link falls idle.  Times saturate at SIM_TIME_MAX (sim_time_add).
 */
#include "sim-link.h"

struct _SimLinks
{
  guint64 up_bps, down_bps;
  GArray *up_free;   /* SimTime per node; NULL when the uplink is unlimited */
  GArray *down_free; /* same for the downlink */
};

SimLinks *
sim_links_new (guint64 up_bps, guint64 down_bps)
{
  g_return_val_if_fail (up_bps <= SIM_LINK_MAX_RATE, NULL);
  g_return_val_if_fail (down_bps <= SIM_LINK_MAX_RATE, NULL);

  SimLinks *l = g_new0 (SimLinks, 1);
  l->up_bps = up_bps;
  l->down_bps = down_bps;
  if (up_bps > 0)
    l->up_free = g_array_new (FALSE, TRUE, sizeof (SimTime));
  if (down_bps > 0)
    l->down_free = g_array_new (FALSE, TRUE, sizeof (SimTime));
  return l;
}

void
sim_links_free (SimLinks *l)
{
  if (l == NULL)
    return;
  if (l->up_free != NULL)
    g_array_unref (l->up_free);
  if (l->down_free != NULL)
    g_array_unref (l->down_free);
  g_free (l);
}

gboolean
sim_links_limited (const SimLinks *l)
{
  return l->up_free != NULL || l->down_free != NULL;
}

SimTime
sim_link_tx_time (guint64 rate_bps, guint bytes)
{
  if (rate_bps == 0 || bytes == 0)
    return 0;
  /* bytes < 2^32, so 8 · bytes · 10^6 < 2^55: no overflow. */
  guint64 bit_us = (guint64) bytes * 8u * 1000000u;
  return (bit_us + rate_bps - 1) / rate_bps;
}

/* Serialises a message of bytes at rate on the link of node, whose idle
 * times are in free (NULL: unlimited). */
static SimTime
serialise (GArray *free, guint64 rate, guint32 node, guint bytes, SimTime now,
           SimTime *queued)
{
  if (free == NULL)
    {
      if (queued != NULL)
        *queued = 0;
      return now;
    }
  if (node >= free->len)
    g_array_set_size (free, node + 1);
  SimTime *idle = &g_array_index (free, SimTime, node);
  SimTime start = MAX (now, *idle);
  if (queued != NULL)
    *queued = start - now;
  *idle = sim_time_add (start, sim_link_tx_time (rate, bytes));
  return *idle;
}

SimTime
sim_link_send (SimLinks *l, guint32 a, guint bytes, SimTime now,
               SimTime *queued)
{
  return serialise (l->up_free, l->up_bps, a, bytes, now, queued);
}

SimTime
sim_link_receive (SimLinks *l, guint32 b, guint bytes, SimTime now,
                  SimTime *queued)
{
  return serialise (l->down_free, l->down_bps, b, bytes, now, queued);
}

void
sim_link_reset (SimLinks *l, guint32 a)
{
  if (l->up_free != NULL && a < l->up_free->len)
    g_array_index (l->up_free, SimTime, a) = 0;
  if (l->down_free != NULL && a < l->down_free->len)
    g_array_index (l->down_free, SimTime, a) = 0;
}
