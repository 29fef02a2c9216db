/* sim-time.h — the simulator's one unit of time.
 *
 * Simulated time is an unsigned 64-bit count of microseconds (µs), never a
 * double.  2^64 µs is about 584,000 years, so overflow is not a practical
 * concern; arithmetic that could exceed it is clamped to SIM_TIME_MAX.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef guint64 SimTime;

#define SIM_TIME_US ((SimTime) 1)
#define SIM_TIME_MS ((SimTime) 1000)
#define SIM_TIME_S ((SimTime) 1000000)
#define SIM_TIME_MIN (60 * SIM_TIME_S)
#define SIM_TIME_H (3600 * SIM_TIME_S)
#define SIM_TIME_MAX G_MAXUINT64

/* Returns a + b, clamped to SIM_TIME_MAX instead of wrapping. */
static inline SimTime
sim_time_add (SimTime a, SimTime b)
{
  return a > SIM_TIME_MAX - b ? SIM_TIME_MAX : a + b;
}

/* The one conversion of a double to an unsigned 64-bit integer: truncates
 * toward zero and saturates, so NaN and values <= 0 give 0 and values >=
 * 2^64 give G_MAXUINT64.  A plain cast of an out-of-range double is
 * undefined behaviour (a Poisson gap of 6.7e22 µs once became a small
 * number, and lookups ran away), so every double-to-integer conversion in
 * sim/ goes through here; round (floor, ceil, round) before calling when
 * truncation is not what is meant.  Cost: two compares. */
static inline guint64
sim_u64_from_double (double v)
{
  if (!(v > 0)) /* also NaN */
    return 0;
  if (v >= 0x1p64)
    return G_MAXUINT64;
  return (guint64) v;
}

/* Microseconds held in a double, as a SimTime: sim_u64_from_double(), so
 * truncated toward zero and clamped to [0, SIM_TIME_MAX]. */
static inline SimTime
sim_time_from_us (double us)
{
  return sim_u64_from_double (us);
}

/* Seconds as a double, for output only (never for ordering). */
static inline double
sim_time_to_s (SimTime t)
{
  return (double) t / (double) SIM_TIME_S;
}

G_END_DECLS
