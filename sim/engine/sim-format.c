/* sim-format.c — locale-independent number formatting (sim-format.h).
 *
 * Invariant: a value formats to the same bytes on every machine and in
 * every locale.  g_ascii_formatd() does the locale part; the special
 * values are handled here because printf's spelling of them varies.
 */
#include "sim-format.h"

#include <math.h>

static const char *
format (char *buf, gsize len, double v, char conv, int digits)
{
  if (isnan (v))
    return "nan";
  if (isinf (v))
    return v > 0 ? "inf" : "-inf";
  char f[16];
  g_snprintf (f, sizeof f, "%%.%d%c", CLAMP (digits, 0, 40), conv);
  return g_ascii_formatd (buf, (gint) len, f, v);
}

const char *
sim_format_fixed (char *buf, gsize len, double v, int decimals)
{
  g_return_val_if_fail (buf != NULL && len > 0, "");
  return format (buf, len, v, 'f', decimals);
}

const char *
sim_format_sig (char *buf, gsize len, double v, int digits)
{
  g_return_val_if_fail (buf != NULL && len > 0, "");
  return format (buf, len, v, 'g', digits);
}
