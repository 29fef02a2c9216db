/* sim-decimal.c — exact decimal scaling of text times (sim-decimal.h).
 *
 * Invariant: no floating point anywhere, so "0.1s" is exactly 100000 µs on
 * every machine.  Bounds: F < 10^15 and m <= 864 keep 2 r m + d below
 * 2^61, so the rounding step cannot overflow; with e <= 15, m 10^e and
 * F m 10^(e - nf) stay below 2^63.
 */
#include "sim-decimal.h"

#include <string.h>

static guint64
pow10_u64 (guint e)
{
  guint64 p = 1;
  while (e-- > 0)
    p *= 10;
  return p;
}

gboolean
sim_decimal_scale (const char *int_digits, const char *frac_digits, guint64 m,
                   guint e, guint64 *out, gboolean *exact)
{
  g_return_val_if_fail (int_digits != NULL && frac_digits != NULL && out != NULL
                            && m <= 864 && e <= 15,
                        FALSE);
  gboolean ex = TRUE;
  guint64 unit = m * pow10_u64 (e);
  guint64 i = 0, f = 0, add;
  for (const char *p = int_digits; *p != '\0'; p++)
    {
      guint d = (guint) (*p - '0');
      if (i > (G_MAXUINT64 - d) / 10)
        return FALSE;
      i = i * 10 + d;
    }
  if (i != 0 && i > G_MAXUINT64 / unit)
    return FALSE;
  i *= unit;

  gsize nf = strlen (frac_digits);
  if (nf > SIM_DECIMAL_MAX_FRAC)
    {
      for (gsize k = SIM_DECIMAL_MAX_FRAC; k < nf; k++)
        if (frac_digits[k] != '0')
          ex = FALSE;
      nf = SIM_DECIMAL_MAX_FRAC;
    }
  for (gsize k = 0; k < nf; k++)
    f = f * 10 + (guint64) (frac_digits[k] - '0');
  if (nf <= e)
    add = f * m * pow10_u64 (e - (guint) nf);
  else
    {
      guint64 d = pow10_u64 ((guint) nf - e);
      guint64 q = f / d, r = f % d;
      add = q * m + (2 * r * m + d) / (2 * d);
      if ((r * m) % d != 0)
        ex = FALSE;
    }
  if (i > G_MAXUINT64 - add)
    return FALSE;
  *out = i + add;
  if (exact != NULL)
    *exact = ex;
  return TRUE;
}
