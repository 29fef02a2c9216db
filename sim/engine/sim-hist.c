/* sim-hist.c — log-linear buckets; see the header for the error bound.
 *
 * Bucket index: v < 2^SUB -> v.  Otherwise with e = floor(log2 v) >= SUB,
 * the top SUB+1 bits of v (a leading 1 and SUB mantissa bits) select one of
 * 2^SUB buckets in group e - SUB + 1.  Invariant: counts sum to count.
 */
#include "sim-hist.h"
#include "sim-time.h"

#include <math.h>
#include <string.h>

#define SUB 10
#define PER_GROUP (1u << SUB)
#define GROUPS (64 - SUB + 1)
#define N_BUCKETS (GROUPS * PER_GROUP)

struct _SimHist
{
  guint64 count, min, max;
  double sum;
  guint64 *buckets; /* N_BUCKETS */
};

static inline guint
bucket_index (guint64 v)
{
  if (v < PER_GROUP)
    return (guint) v;
  guint e = 63 - (guint) __builtin_clzll (v);
  guint group = e - SUB + 1;
  guint mant = (guint) (v >> (e - SUB)) & (PER_GROUP - 1);
  return group * PER_GROUP + mant;
}

/* Lower bound and width of a bucket. */
static inline void
bucket_range (guint index, double *lo, double *width)
{
  if (index < PER_GROUP)
    {
      *lo = index;
      *width = 1;
      return;
    }
  guint group = index / PER_GROUP, mant = index % PER_GROUP;
  guint e = group + SUB - 1;
  double unit = ldexp (1.0, (int) (e - SUB));
  *lo = ldexp (1.0, (int) e) + mant * unit;
  *width = unit;
}

SimHist *
sim_hist_new (void)
{
  SimHist *h = g_new0 (SimHist, 1);
  h->buckets = g_new0 (guint64, N_BUCKETS);
  return h;
}

void
sim_hist_free (SimHist *h)
{
  if (h == NULL)
    return;
  g_free (h->buckets);
  g_free (h);
}

void
sim_hist_add (SimHist *h, guint64 value)
{
  g_return_if_fail (h != NULL);
  if (h->count == 0 || value < h->min)
    h->min = value;
  if (h->count == 0 || value > h->max)
    h->max = value;
  h->count++;
  h->sum += (double) value;
  h->buckets[bucket_index (value)]++;
}

void
sim_hist_clear (SimHist *h)
{
  g_return_if_fail (h != NULL);
  memset (h->buckets, 0, N_BUCKETS * sizeof (guint64));
  h->count = h->min = h->max = 0;
  h->sum = 0;
}

guint64
sim_hist_count (const SimHist *h)
{
  g_return_val_if_fail (h != NULL, 0);
  return h->count;
}

guint64
sim_hist_min (const SimHist *h)
{
  g_return_val_if_fail (h != NULL, 0);
  return h->min;
}

guint64
sim_hist_max (const SimHist *h)
{
  g_return_val_if_fail (h != NULL, 0);
  return h->max;
}

double
sim_hist_mean (const SimHist *h)
{
  g_return_val_if_fail (h != NULL, NAN);
  return h->count == 0 ? NAN : h->sum / (double) h->count;
}

double
sim_hist_quantile (const SimHist *h, double q)
{
  g_return_val_if_fail (h != NULL, NAN);
  if (h->count == 0 || !(q >= 0.0 && q <= 1.0))
    return NAN;
  guint64 rank = sim_u64_from_double (ceil (q * (double) h->count));
  if (rank == 0)
    rank = 1;
  guint64 seen = 0;
  for (guint i = 0; i < N_BUCKETS; i++)
    {
      seen += h->buckets[i];
      if (seen >= rank)
        {
          double lo, width;
          bucket_range (i, &lo, &width);
          double v = width <= 1 ? lo : lo + width / 2;
          /* The exact extremes are known: never report beyond them. */
          return CLAMP (v, (double) h->min, (double) h->max);
        }
    }
  return (double) h->max;
}

void
sim_hist_foreach (const SimHist *h, SimHistFunc fn, gpointer data)
{
  g_return_if_fail (h != NULL && fn != NULL);
  for (guint i = 0; i < N_BUCKETS; i++)
    if (h->buckets[i] != 0)
      {
        double lo, width;
        bucket_range (i, &lo, &width);
        fn (width <= 1 ? lo : lo + width / 2, h->buckets[i], data);
      }
}
