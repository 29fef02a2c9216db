/* sim-decimal.h — exact decimal arithmetic for times and counts written in
 * text: the one implementation the scenario language and churn traces
 * share, so "1.5min" means the same number of microseconds in both.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Fraction digits after this many are ignored (and make the value
 * inexact when not zero). */
#define SIM_DECIMAL_MAX_FRAC 15

/* round(I.F × m × 10^e) with integer arithmetic, halves rounding up, where
 * I and F are strings of ASCII digits (F may be empty).  *exact (may be
 * NULL) is set to FALSE when rounding or ignoring digits changed the value.
 * Needs m <= 864 and e <= 15 (the time units us .. d, the count suffixes
 * k, M, G).  Returns FALSE on overflow of guint64. */
gboolean sim_decimal_scale (const char *int_digits, const char *frac_digits,
                            guint64 m, guint e, guint64 *out, gboolean *exact);

G_END_DECLS
