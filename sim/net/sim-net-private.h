/* sim-net-private.h — SimNet internals shared by sim-net*.c.
 *
 * Invariant: kind selects which of the per-node and per-host arrays are in
 * use; the others are NULL.  n_nodes <= cap_nodes.  Every entry of
 * node_host is < n_hosts.  A matrix's cells hold one-way µs, symmetric,
 * 0 on the diagonal and in 1..SIM_NET_MAX_LATENCY elsewhere.
 */
#pragma once

#include <stdarg.h>

#include "sim-net.h"

G_BEGIN_DECLS

typedef enum
{
  SIM_NET_KIND_EUCLIDEAN,
  SIM_NET_KIND_SPHERE,
  SIM_NET_KIND_MATRIX,
  SIM_NET_KIND_COORDS,
  SIM_NET_KIND_CONSTANT,
} SimNetKind;

/* One cell of a matrix while loading: the RTT in the file's unit as a float
 * (negative = unknown, NaN = not given), then in place the one-way µs. */
typedef union
{
  float f;
  guint32 u;
} SimNetCell;

struct _SimNet
{
  SimNetKind kind;

  /* Per node.  node_pos: dim floats per node (Euclidean 2, sphere 3).
   * node_host: the host of each node (matrix and coordinates). */
  guint32 n_nodes;
  guint32 cap_nodes;
  float *node_pos;
  guint32 *node_host;

  /* Per host.  cells: n_hosts² one-way µs (matrix).  host_pos: dim floats
   * per host (coordinates).  deck: a permutation of the hosts, shuffled
   * incrementally; deck[0..deck_next) are the cards dealt this round. */
  guint32 n_hosts;
  guint32 dim;
  SimNetCell *cells;
  float *host_pos;
  guint32 *deck;
  guint32 deck_next;
  guint32 n_roots;

  /* Scale: µs per unit of distance (Euclidean, coordinates) or per radian
   * (sphere); the constant model's base latency. */
  double us_per_unit;
  SimTime constant;

  /* Per-message effects. */
  SimTime access;
  SimTime access2; /* 2 × access, clamped */
  double loss;
  double jitter_frac;
  SimTime jitter_max;

  /* For sim_net_describe() only. */
  double side;
  double ms_per_unit;
  double radius_ms;
  char *source; /* the file's basename */
  const char *format_name;
  const char *unit_name;
  guint64 n_pairs;
  guint64 n_unknown;
  SimTime fill;
};

/* A whole input (a mapped file, or bytes in memory) and a cursor.  (anchor_line, anchor) is a line start
 * whose number is known; error positions are counted from it, so it must
 * not be past any offset later reported. */
typedef struct
{
  const char *path;
  GMappedFile *map; /* NULL for data in memory */
  const char *buf;
  gsize len;
  gsize pos;
  guint64 anchor_line;
  gsize anchor;
} SimNetText;

/* Allocates a model of the given kind with no nodes. */
SimNet *sim_net__new (SimNetKind kind);

/* Maps path into t.  Returns FALSE with SIM_NET_ERROR_IO on failure. */
gboolean sim_net__text_open (SimNetText *t, const char *path, GError **error);

/* Points t at len bytes of caller-owned data, not copied (they must
 * outlive t); path is the FILE of messages.  Needs no close. */
void sim_net__text_init_data (SimNetText *t, const char *path,
                              const char *data, gsize len);

/* Unmaps t's file. */
void sim_net__text_close (SimNetText *t);

/* Reports an error at byte offset off of t as "path:line:col: message".
 * Always returns FALSE. */
gboolean sim_net__text_error (const SimNetText *t, gsize off, GError **error,
                              SimNetError code, const char *fmt, ...)
    G_GNUC_PRINTF (5, 6);

/* Longest token read as a number (bytes); real latencies need a dozen. */
#define SIM_NET__NUMBER_MAX_LEN 63

/* Writes a printable, quoted-safe copy of at most a few bytes of tok into a
 * new string (non-printable bytes as \xHH, long tokens cut with "...").
 * Free with g_free(). */
char *sim_net__escape_token (const char *tok, gsize len);

/* Returns TRUE if tok[0..len) is a plain decimal number: optional sign,
 * digits with an optional fraction, optional exponent.  No hex, inf or
 * nan.  On success *out holds its value, which may be ±inf on overflow. */
gboolean sim_net__parse_number (const char *tok, gsize len, double *out);

/* Returns TRUE if tok[0..len) is one or more ASCII digits, and stores the
 * value in *out, saturated at G_MAXUINT64. */
gboolean sim_net__parse_uint (const char *tok, gsize len, guint64 *out);

/* Returns TRUE for the separators inside a line: space, tab, CR, VT, FF. */
static inline gboolean
sim_net__is_blank (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Converts a non-negative distance in µs to a latency: ceil, clamped to
 * SIM_NET_MAX_LATENCY; NaN and non-positive give 0.  Inline and without
 * ceil(): it runs for every proximity a node measures (about 80 % of the
 * calls of a churn run come from offers and instant builds).  Inside
 * (0, SIM_NET_MAX_LATENCY) the truncation t is exact (below 2^53) and
 * ceil(us) is t, or t + 1 when us has a fraction, at most the bound:
 * the same value as MIN (sim_time_from_us (ceil (us)), bound), which the
 * network tests check over edge cases and random values. */
static inline SimTime
sim_net__us_to_latency (double us)
{
  if (us > 0.0 && us < (double) SIM_NET_MAX_LATENCY)
    {
      guint64 t = (guint64) us;
      return t + ((double) t < us ? 1u : 0u);
    }
  return us > 0.0 ? SIM_NET_MAX_LATENCY : 0; /* NaN: 0 */
}

G_END_DECLS
