/* sim-rng.h — independent, reproducible random streams and distributions.
 *
 * Invariant: a stream's numbers depend only on the triple (master seed,
 * purpose, index) it was initialised from and on how many numbers it has
 * produced.  There is no global state, so creating, using or dropping one
 * stream never shifts another's numbers.  A SimRng is a plain 32-byte value:
 * copying it saves the stream, assigning the copy back restores it.
 *
 * Generator: xoshiro256** 1.0 (Blackman and Vigna), period 2^256 - 1, about
 * 1 ns per 64-bit output.  Its state is filled from splitmix64 seeded with a
 * 64-bit hash of the triple (Vigna's recommended way to seed it).  Two
 * distinct triples start from the same state only if their hashes collide,
 * with probability 2^-64 per pair.
 *
 * Rejected alternatives: one generator with jump-ahead per stream (streams
 * would then depend on the order in which they are created, and jumping is
 * 4×256 steps per stream); PCG or Mersenne Twister (larger state or slower,
 * and no better statistically for simulation use); g_random_* (one hidden
 * global stream: forbidden by the house style).
 */
#pragma once

#include <glib.h>

#include "sim-time.h"

G_BEGIN_DECLS

/* What a stream is for.  The numeric value feeds the seed hash, so values
 * are part of the reproducibility contract: append new purposes with new
 * numbers (7..254 are free), never renumber or reuse one. */
typedef enum
{
  SIM_RNG_PURPOSE_IDS = 1,      /* node and key identifiers */
  SIM_RNG_PURPOSE_TOPOLOGY = 2, /* placement, coordinates, latency matrix */
  SIM_RNG_PURPOSE_WORKLOAD = 3, /* lookup sources, keys, inter-arrivals */
  SIM_RNG_PURPOSE_CHURN = 4,    /* session and down times */
  SIM_RNG_PURPOSE_PROTOCOL = 5, /* random choices handed to the core */
  SIM_RNG_PURPOSE_NETWORK = 6,  /* loss and jitter */
  SIM_RNG_PURPOSE_ACTION = 7,   /* per scenario action: its times, sources
                                   and keys (index: the action) */
  SIM_RNG_PURPOSE_NODE_WORKLOAD = 8, /* per node and instant: a node's own
                                        lookups (sim_rng_init_keyed) */
  SIM_RNG_PURPOSE_TEST = 255,   /* unit tests and benchmarks only */
} SimRngPurpose;

/* xoshiro256** state.  Public so that it can be embedded, copied (to save
 * and restore a stream) and inspected by tests; use only the functions
 * below to change it.  The all-zero state is invalid (it is a fixed point);
 * sim_rng_init never produces it. */
typedef struct
{
  guint64 s[4];
} SimRng;

/* Advances *state by one splitmix64 step and returns the output.  Exposed
 * for seeding and for the known-answer test; use SimRng for streams. */
guint64 sim_splitmix64_next (guint64 *state);

/* Initialises r as the stream (master, purpose, index).  index is free for
 * the caller: a node number, a replica number, 0 for a singleton stream.
 * O(1); no allocation.  r is caller-owned storage (nothing to free). */
void sim_rng_init (SimRng *r, guint64 master, SimRngPurpose purpose,
                   guint64 index);

/* Initialises r as the stream (master, purpose, key[0], ..., key[n - 1]):
 * a counter-based draw, for numbers that must depend on an identity (a
 * node, its incarnation, an instant) rather than on how far some shared
 * stream has been drawn, without storing a stream per identity.  With
 * n == 1 this is sim_rng_init (r, master, purpose, key[0]).  O(n); no
 * allocation; key is borrowed (n >= 1). */
void sim_rng_init_keyed (SimRng *r, guint64 master, SimRngPurpose purpose,
                         const guint64 *key, guint n);

/* Initialises r by filling its state with four successive splitmix64
 * outputs from seed (the reference seeding of xoshiro).  sim_rng_init is
 * this applied to the hash of its triple; exposed for known-answer tests. */
void sim_rng_seed_splitmix (SimRng *r, guint64 seed);

static inline guint64
sim__rng_rotl (guint64 x, int k)
{
  return (x << k) | (x >> (64 - k));
}

/* Returns the next 64 uniformly distributed bits and advances r.  Inline
 * because it is a handful of shifts and xors. */
static inline guint64
sim_rng_next_u64 (SimRng *r)
{
  guint64 *s = r->s;
  guint64 result = sim__rng_rotl (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = sim__rng_rotl (s[3], 45);
  return result;
}

/* Returns an integer uniformly distributed in [0, n), without modulo bias
 * (Lemire's multiply-and-reject: one 64×64→128 multiply, a division only
 * in the rare rejection case).  n must be > 0 (caller bug otherwise:
 * critical, returns 0). */
guint64 sim_rng_uniform_u64 (SimRng *r, guint64 n);

/* One step of a Fisher–Yates shuffle of v[0 .. n): swaps v[k] with v[j]
 * for j drawn uniformly in [k, n) (one sim_rng_uniform_u64 draw) and
 * returns the new v[k].  Steps k = 0, 1, ..., m - 1 leave a uniformly
 * random m-subset in random order in v[0 .. m) (a partial shuffle);
 * stepping through k incrementally deals cards from a deck.  k < n. */
static inline guint32
sim_rng_shuffle_step (SimRng *r, guint32 *v, guint32 n, guint32 k)
{
  guint32 j = k + (guint32) sim_rng_uniform_u64 (r, n - k);
  guint32 t = v[j];
  v[j] = v[k];
  v[k] = t;
  return t;
}

/* Returns a double uniformly distributed in [0, 1) on the grid k·2^-53
 * (the top 53 bits of one output).  Never returns 1.0. */
double sim_rng_double (SimRng *r);

/* Returns TRUE with probability p (p <= 0: never; p >= 1: always). */
gboolean sim_rng_bernoulli (SimRng *r, double p);

/* Fills len bytes at buf with random bytes (little-endian byte order of
 * successive outputs, so the result does not depend on the host).  buf is
 * borrowed; it may be NULL when len is 0. */
void sim_rng_fill_bytes (SimRng *r, void *buf, gsize len);

/* Continuous distributions.  All draw by inversion or a fixed number of
 * uniforms (no unbounded loops), cost one or two uniforms plus one or two
 * libm calls, and return a double.  Parameters out of range are caller
 * bugs (critical, NAN). */

/* Exponential with the given mean (> 0). */
double sim_rng_exponential (SimRng *r, double mean);

/* Pareto type I: P(X > x) = (scale / x)^shape for x >= scale.  shape > 0,
 * scale > 0.  The mean is infinite when shape <= 1. */
double sim_rng_pareto (SimRng *r, double shape, double scale);

/* Weibull: P(X > x) = exp(-(x / scale)^shape).  shape > 0, scale > 0. */
double sim_rng_weibull (SimRng *r, double shape, double scale);

/* Uniform on [lo, hi) (lo <= hi; lo == hi returns lo). */
double sim_rng_uniform (SimRng *r, double lo, double hi);

/* Normal with mean mu and standard deviation sigma (>= 0), by the basic
 * Box–Muller transform; the second variate of the pair is discarded so
 * that the stream state stays four words (cost: 2 uniforms, log, sqrt,
 * cos). */
double sim_rng_normal (SimRng *r, double mu, double sigma);

/* Log-normal: exp(N(mu, sigma)). */
double sim_rng_lognormal (SimRng *r, double mu, double sigma);

/* Zipf over ranks 1..n: P(k) = k^-s / H(n, s), for any s > 0 (including
 * s = 1) and 1 <= n <= 2^53.
 *
 * Sampled by rejection-inversion (Hörmann and Derflinger, ACM TOMACS 6(3),
 * 1996): O(1) memory and O(1) expected time for every n, about 1.1
 * uniforms, one exp and one log per sample.  Rejected alternative: a
 * cumulative table with binary search is exact and simple but costs 8n
 * bytes (80 MB at n = 10^7) and O(log n) per sample, and must be rebuilt
 * per (s, n).
 *
 * Initialise once (three logs and exps), then sample many times.  Plain
 * value type, nothing to free. */
typedef struct
{
  double s;       /* exponent */
  double n;       /* number of ranks, as a double */
  double h_x1;    /* H(1.5) - 1 */
  double h_n;     /* H(n + 0.5) */
  double cut;     /* accept immediately when k - x <= cut */
} SimZipf;

/* Prepares z for sampling Zipf(s, n).  s > 0, 1 <= n <= 2^53. */
void sim_zipf_init (SimZipf *z, double s, guint64 n);

/* Returns a rank in 1..n. */
guint64 sim_zipf_sample (const SimZipf *z, SimRng *r);

/* Generalised harmonic number H(n, s) = sum_{k=1..n} k^-s, for any real s
 * (negative too).  Exact summation for n <= 10^4, otherwise the first 10^4
 * terms plus an Euler–Maclaurin tail (relative error below 1e-13).  Used
 * for Zipf means and by tests. */
double sim_harmonic (guint64 n, double s);

/* A distribution held as data, for scenario files and workload models.
 * Meaning of p1 and p2 per kind (a plain struct: build it with the
 * constructors below or by hand, and check it with sim_dist_is_valid). */
typedef enum
{
  SIM_DIST_CONSTANT,    /* p1 = value */
  SIM_DIST_UNIFORM,     /* p1 = lo, p2 = hi */
  SIM_DIST_EXPONENTIAL, /* p1 = mean */
  SIM_DIST_PARETO,      /* p1 = shape, p2 = scale (minimum) */
  SIM_DIST_WEIBULL,     /* p1 = shape, p2 = scale */
  SIM_DIST_NORMAL,      /* p1 = mu, p2 = sigma */
  SIM_DIST_LOGNORMAL,   /* p1 = mu, p2 = sigma of the underlying normal */
  SIM_DIST_ZIPF,        /* p1 = exponent s, p2 = number of ranks n */
} SimDistKind;

typedef struct
{
  SimDistKind kind;
  double p1;
  double p2;
} SimDist;

/* Constructors: return the SimDist by value (nothing to free).  They do
 * not validate; check input with sim_dist_is_valid. */
SimDist sim_dist_constant (double value);
SimDist sim_dist_uniform (double lo, double hi);
SimDist sim_dist_exponential (double mean);
SimDist sim_dist_pareto (double shape, double scale);
/* Pareto with the given shape whose median is median: the scale is
 * median / 2^(1/shape).  Convenient for churn models, whose session times
 * are usually reported by their median because the mean may not exist. */
SimDist sim_dist_pareto_median (double shape, double median);
SimDist sim_dist_weibull (double shape, double scale);
SimDist sim_dist_normal (double mu, double sigma);
SimDist sim_dist_lognormal (double mu, double sigma);
SimDist sim_dist_zipf (double s, guint64 n);

/* TRUE when d's kind is known and its parameters are finite and in range
 * (see the per-function requirements above; Zipf's n must be an integer in
 * 1..2^53).  Use it to validate input; sampling an invalid SimDist is a
 * caller bug. */
gboolean sim_dist_is_valid (const SimDist *d);

/* Draws one value.  Zipf returns the rank as a double; it rebuilds its
 * constants on every call (3 extra logs and exps), so hot loops should
 * hold a SimZipf instead. */
double sim_dist_sample (const SimDist *d, SimRng *r);

/* Draws one value and converts it to simulated time: value × unit, rounded
 * to the nearest tick and clamped to [0, SIM_TIME_MAX] (NaN gives 0).  Use
 * this rather than casting, which is undefined behaviour for values
 * outside the range of guint64 (heavy tails produce them). */
SimTime sim_dist_sample_time (const SimDist *d, SimRng *r, SimTime unit);

/* Analytic mean; INFINITY when it does not exist (Pareto with shape <= 1),
 * NAN for an invalid distribution.  Zipf costs O(min(n, 10^4)). */
double sim_dist_mean (const SimDist *d);

/* Analytic median; for Zipf, the smallest rank k with P(X <= k) >= 1/2,
 * found by bisection on sim_harmonic (O(log n) harmonic evaluations).
 * NAN for an invalid distribution. */
double sim_dist_median (const SimDist *d);

G_END_DECLS
