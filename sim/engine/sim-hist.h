/* sim-hist.h — bounded-memory histogram of non-negative integers with
 * quantiles of bounded relative error.
 *
 * Values below 2^10 are counted exactly; above, each power-of-two range is
 * split into 2^10 equal buckets, so a reported quantile is within 0.1 % of
 * the true sample quantile (it is the midpoint of the bucket holding the
 * rank).  Memory is fixed (about 450 KB) whatever the number of samples:
 * this is how latency and stretch quantiles stay O(1) in the number of
 * lookups.  Count, sum, minimum and maximum are exact.
 *
 * Engine layer: knows nothing of Pastry.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SimHist SimHist;

/* Creates an empty histogram; free with sim_hist_free. */
SimHist *sim_hist_new (void);
void sim_hist_free (SimHist *h);

/* Records one value.  O(1). */
void sim_hist_add (SimHist *h, guint64 value);


/* Forgets every sample. */
void sim_hist_clear (SimHist *h);

guint64 sim_hist_count (const SimHist *h);
guint64 sim_hist_min (const SimHist *h); /* 0 when empty */
guint64 sim_hist_max (const SimHist *h); /* 0 when empty */
double sim_hist_mean (const SimHist *h); /* NaN when empty */

/* The q-quantile (0 <= q <= 1), nearest-rank definition: the smallest
 * value v such that at least q * count samples are <= v, reported within
 * 0.1 %.  NaN when empty.  O(buckets). */
double sim_hist_quantile (const SimHist *h, double q);

/* Calls fn for each non-empty bucket in increasing order with the bucket's
 * representative value and count (for CDF output). */
typedef void (*SimHistFunc) (double value, guint64 count, gpointer data);
void sim_hist_foreach (const SimHist *h, SimHistFunc fn, gpointer data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimHist, sim_hist_free)

G_END_DECLS
