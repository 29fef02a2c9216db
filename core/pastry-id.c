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
