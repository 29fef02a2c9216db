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

/* Seconds as a double, for output only (never for ordering). */
static inline double
sim_time_to_s (SimTime t)
{
  return (double) t / (double) SIM_TIME_S;
}

G_END_DECLS
