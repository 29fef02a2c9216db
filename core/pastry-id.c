/* pastry-id.c — conversions between ids, byte keys and hex text.
 *
 * The arithmetic lives inline in pastry-id.h; this file holds the parts that
 * touch text or byte order.  Invariant: every function round-trips, i.e.
 * parse (format (x)) == x and from_bytes (to_bytes (x), 16) == x.
 */
#include "pastry-id.h"

#include <string.h>

G_DEFINE_QUARK (pastry-id-error-quark, pastry_id_error)

PastryId
pastry_id_from_bytes (const guint8 *key, gsize len)
{
  guint8 buf[PASTRY_ID_BYTES] = { 0 };
  PastryId id = { 0, 0 };

  g_return_val_if_fail (key != NULL || len == 0, id);

  if (len > PASTRY_ID_BYTES)
    len = PASTRY_ID_BYTES;
  if (len > 0)
    memcpy (buf, key, len);
  for (guint i = 0; i < 8; i++)
    {
      id.hi = (id.hi << 8) | buf[i];
      id.lo = (id.lo << 8) | buf[i + 8];
    }
  return id;
}

void
pastry_id_to_bytes (const PastryId *id, guint8 out[PASTRY_ID_BYTES])
{
  g_return_if_fail (id != NULL && out != NULL);

  for (guint i = 0; i < 8; i++)
    {
      out[i] = (guint8) (id->hi >> (56 - 8 * i));
      out[i + 8] = (guint8) (id->lo >> (56 - 8 * i));
    }
}

gboolean
pastry_id_parse (const char *hex, PastryId *out, GError **error)
{
  PastryId id = { 0, 0 };
  guint i;

  g_return_val_if_fail (hex != NULL && out != NULL, FALSE);

  for (i = 0; hex[i] != '\0'; i++)
    {
      int v = g_ascii_xdigit_value (hex[i]);
      if (v < 0 || i >= PASTRY_ID_HEX_LEN)
        {
          g_set_error (error, PASTRY_ID_ERROR, PASTRY_ID_ERROR_SYNTAX,
                       "%u: %s", i + 1,
                       v < 0 ? "not a hexadecimal digit"
                             : "id longer than 32 hexadecimal digits");
          return FALSE;
        }
      id.hi = (id.hi << 4) | (id.lo >> 60);
      id.lo = (id.lo << 4) | (guint64) v;
    }
  if (i != PASTRY_ID_HEX_LEN)
    {
      g_set_error (error, PASTRY_ID_ERROR, PASTRY_ID_ERROR_SYNTAX,
                   "%u: id has %u hexadecimal digits, expected 32", i + 1, i);
      return FALSE;
    }
  *out = id;
  return TRUE;
}

void
pastry_id_format (const PastryId *id, char out[PASTRY_ID_HEX_LEN + 1])
{
  g_return_if_fail (id != NULL && out != NULL);

  g_snprintf (out, PASTRY_ID_HEX_LEN + 1, "%016" G_GINT64_MODIFIER "x%016"
              G_GINT64_MODIFIER "x", id->hi, id->lo);
}

/* Keeps the top `bits` bits of id and sets the others to fill (0 or 1). */
static PastryId
keep_top (const PastryId *id, guint bits, gboolean ones)
{
  PastryId r = *id;
  guint64 hi_mask = bits >= 64 ? G_MAXUINT64
                    : bits == 0 ? 0 : G_MAXUINT64 << (64 - bits);
  guint64 lo_mask = bits <= 64 ? 0
                    : bits >= 128 ? G_MAXUINT64 : G_MAXUINT64 << (128 - bits);
  r.hi &= hi_mask;
  r.lo &= lo_mask;
  if (ones)
    {
      r.hi |= ~hi_mask;
      r.lo |= ~lo_mask;
    }
  return r;
}

void
pastry_id_prefix_range (const PastryId *id, guint row, gint col, guint b,
                        PastryId *lo, PastryId *hi)
{
  g_return_if_fail (id != NULL && lo != NULL && hi != NULL);
  g_return_if_fail (b >= PASTRY_B_MIN && b <= PASTRY_B_MAX);
  g_return_if_fail (row < pastry_id_n_digits (b));
  g_return_if_fail (col < (gint) pastry_id_digit_base (row, b));

  guint start = row * b;
  if (col < 0)
    {
      *lo = keep_top (id, start, FALSE);
      *hi = keep_top (id, start, TRUE);
      return;
    }
  guint width = MIN (b, 128 - start);
  guint end = start + width;
  PastryId base = keep_top (id, start, FALSE);
  guint64 c = (guint64) col;
  if (end <= 64)
    base.hi |= c << (64 - end);
  else if (start >= 64)
    base.lo |= c << (128 - end);
  else
    {
      guint lo_bits = end - 64;
      base.hi |= c >> lo_bits;
      base.lo |= c << (64 - lo_bits);
    }
  *lo = base;
  *hi = keep_top (&base, end, TRUE);
}
