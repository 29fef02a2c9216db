/* sim-link.c — access links as FIFO queues of a fixed rate (sim-link.h).
 *
 * Each limited side keeps, per node, the time its link next falls idle,
 * in a GArray grown on demand (nodes are dense indices).  A message that
 * arrives at an idle link starts at once; otherwise it starts when the
 * link falls idle.  Times saturate at SIM_TIME_MAX (sim_time_add).
 * With a buffer, a message whose start lies more than the buffer's
 * transmission time after now is dropped (sim-link.h, "Buffers").
 */
#include "sim-link.h"

struct _SimLinks
{
  guint64 up_bps, down_bps;
  guint64 buffer;    /* bytes; 0: unbounded */
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

void
sim_links_set_buffer (SimLinks *l, guint64 bytes)
{
  g_return_if_fail (bytes <= SIM_LINK_MAX_BUFFER);
  l->buffer = bytes;
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
serialise (const SimLinks *l, GArray *free, guint64 rate, guint32 node,
           guint bytes, SimTime now, SimTime *queued, gboolean *dropped)
{
  if (dropped != NULL)
    *dropped = FALSE;
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
  /* buffer <= 10^9 < 2^32: sim_link_tx_time's argument fits. */
  if (l->buffer > 0 && start - now > sim_link_tx_time (rate, (guint) l->buffer))
    {
      if (queued != NULL)
        *queued = 0;
      if (dropped != NULL)
        *dropped = TRUE;
      return now;
    }
  if (queued != NULL)
    *queued = start - now;
  *idle = sim_time_add (start, sim_link_tx_time (rate, bytes));
  return *idle;
}

SimTime
sim_link_send (SimLinks *l, guint32 a, guint bytes, SimTime now,
               SimTime *queued, gboolean *dropped)
{
  return serialise (l, l->up_free, l->up_bps, a, bytes, now, queued, dropped);
}

SimTime
sim_link_receive (SimLinks *l, guint32 b, guint bytes, SimTime now,
                  SimTime *queued, gboolean *dropped)
{
  return serialise (l, l->down_free, l->down_bps, b, bytes, now, queued,
                    dropped);
}

void
sim_link_reset (SimLinks *l, guint32 a)
{
  if (l->up_free != NULL && a < l->up_free->len)
    g_array_index (l->up_free, SimTime, a) = 0;
  if (l->down_free != NULL && a < l->down_free->len)
    g_array_index (l->down_free, SimTime, a) = 0;
}

gboolean
sim_link_parse_rate (const char *text, guint64 *bps, const char **why)
{
  static const struct
  {
    const char *unit;
    guint64 scale;
  } units[] = {
    { "bit", 1 }, { "kbit", 1000 }, { "Mbit", 1000000 }, { "Gbit", 1000000000 }
  };
  g_return_val_if_fail (text != NULL && bps != NULL && why != NULL, FALSE);

  if (g_str_equal (text, "off"))
    {
      *bps = 0;
      return TRUE;
    }
  if (text[0] == '-')
    {
      *why = "must be positive";
      return FALSE;
    }
  /* Whole and fractional digits, read exactly (no strtod: "1e3", "inf"
   * and locale decimal commas are refused). */
  const char *p = text;
  guint64 whole = 0, frac = 0, frac_scale = 1;
  gboolean digits = FALSE;
  while (g_ascii_isdigit (*p))
    {
      if (whole > SIM_LINK_MAX_RATE)
        {
          *why = "is larger than 1000Gbit";
          return FALSE;
        }
      whole = whole * 10 + (guint64) (*p++ - '0');
      digits = TRUE;
    }
  if (*p == '.')
    {
      p++;
      while (g_ascii_isdigit (*p))
        {
          if (frac_scale < G_GUINT64_CONSTANT (1000000000000))
            {
              frac = frac * 10 + (guint64) (*p - '0');
              frac_scale *= 10;
            }
          p++;
          digits = TRUE;
        }
    }
  if (!digits)
    {
      *why = "must be a number followed by bit, kbit, Mbit or Gbit "
             "(e.g. 1Mbit), or off";
      return FALSE;
    }
  guint64 scale = 0;
  for (gsize i = 0; i < G_N_ELEMENTS (units); i++)
    if (g_str_equal (p, units[i].unit))
      scale = units[i].scale;
  if (scale == 0 && *p == '\0' && whole == 0 && frac == 0)
    {
      *why = "must be greater than 0 (leave it off for an unlimited link)";
      return FALSE;
    }
  if (scale == 0)
    {
      *why = *p == '\0' ? "needs a unit: bit, kbit, Mbit or Gbit (per second)"
                        : "has an unknown unit (use bit, kbit, Mbit or Gbit, "
                          "per second)";
      return FALSE;
    }
  if (whole > SIM_LINK_MAX_RATE / scale)
    {
      *why = "is larger than 1000Gbit";
      return FALSE;
    }
  /* frac / frac_scale < 1, frac_scale <= 10^12, scale <= 10^9: the
   * product frac * scale < 10^21 would overflow, so scale the fraction
   * down first when needed (it only affects digits below 1 bit/s). */
  guint64 f = frac, fs = frac_scale;
  while (fs > 1 && f > G_MAXUINT64 / scale)
    {
      f /= 10;
      fs /= 10;
    }
  guint64 rate = whole * scale + (f * scale + fs / 2) / fs;
  if (rate == 0)
    {
      *why = "must be greater than 0 (leave it off for an unlimited link)";
      return FALSE;
    }
  if (rate > SIM_LINK_MAX_RATE)
    {
      *why = "is larger than 1000Gbit";
      return FALSE;
    }
  *bps = rate;
  return TRUE;
}

gboolean
sim_link_parse_buffer (const char *text, guint64 *bytes, const char **why)
{
  static const struct
  {
    const char *unit;
    guint64 scale;
  } units[] = { { "B", 1 }, { "KB", 1000 }, { "MB", 1000000 } };
  g_return_val_if_fail (text != NULL && bytes != NULL && why != NULL, FALSE);

  if (g_str_equal (text, "off"))
    {
      *bytes = 0;
      return TRUE;
    }
  if (text[0] == '-')
    {
      *why = "must be positive";
      return FALSE;
    }
  const char *p = text;
  guint64 whole = 0;
  while (g_ascii_isdigit (*p))
    {
      if (whole > SIM_LINK_MAX_BUFFER)
        {
          *why = "is larger than 1000MB";
          return FALSE;
        }
      whole = whole * 10 + (guint64) (*p++ - '0');
    }
  if (p == text)
    {
      *why = "must be a whole number followed by B, KB or MB (e.g. 16KB), "
             "or off";
      return FALSE;
    }
  guint64 scale = 0;
  for (gsize i = 0; i < G_N_ELEMENTS (units); i++)
    if (g_str_equal (p, units[i].unit))
      scale = units[i].scale;
  if (whole == 0 && (scale != 0 || *p == '\0'))
    {
      *why = "must be greater than 0 (leave it off for an unbounded buffer)";
      return FALSE;
    }
  if (scale == 0)
    {
      *why = *p == '\0' ? "needs a unit: B, KB or MB"
                        : "has an unknown unit (use B, KB or MB)";
      return FALSE;
    }
  if (whole > SIM_LINK_MAX_BUFFER / scale)
    {
      *why = "is larger than 1000MB";
      return FALSE;
    }
  *bytes = whole * scale;
  return TRUE;
}
