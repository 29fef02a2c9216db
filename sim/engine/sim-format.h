/* sim-format.h — numbers as every output file writes them: independent of
 * the locale (a run in a de_DE locale writes "0.5", not "0,5"), NaN as
 * "nan" and infinities as "inf" / "-inf" whatever the C library would
 * print (glibc writes "-nan" for a negative NaN).  The one formatter of
 * the CSV writers (run summaries, aggregates, compare).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Room enough for any value these functions write. */
#define SIM_FORMAT_BUF 64

/* v with `decimals` digits after the point ("%.6f").  Writes into buf
 * (len bytes, SIM_FORMAT_BUF suffices) and returns buf, or a static string
 * for NaN and infinities. */
const char *sim_format_fixed (char *buf, gsize len, double v, int decimals);

/* v with `digits` significant digits ("%.10g"), as sim_format_fixed(). */
const char *sim_format_sig (char *buf, gsize len, double v, int digits);

G_END_DECLS
