/* pastry-id.h — 128-bit Pastry identifiers and their digit arithmetic.
 *
 * An id is an unsigned 128-bit integer held as two 64-bit halves in host
 * order (hi holds the most significant bits).  Ids live on a ring modulo
 * 2^128.  Digits are read from the most significant end in groups of b bits
 * (1 <= b <= 8); when b does not divide 128 the last digit is short: it holds
 * the remaining 128 mod b bits, so its value is below 2^(128 mod b).
 *
 * All functions are pure and cheap (a few instructions); none allocates.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PASTRY_ID_BYTES 16
#define PASTRY_ID_HEX_LEN 32
#define PASTRY_B_MIN 1
#define PASTRY_B_MAX 8

#define PASTRY_ID_ERROR (pastry_id_error_quark ())

typedef enum
{
  PASTRY_ID_ERROR_SYNTAX,
} PastryIdError;

typedef struct
{
  guint64 hi;
  guint64 lo;
} PastryId;

GQuark pastry_id_error_quark (void);

/* Builds an id from a big-endian key of len bytes.  A key shorter than 16
 * bytes is right-padded with zero bytes (the empty key is id 0); bytes past
 * the 16th are ignored.  key may be NULL when len is 0. */
PastryId pastry_id_from_bytes (const guint8 *key, gsize len);

/* Writes the id as 16 big-endian bytes into out. */
void pastry_id_to_bytes (const PastryId *id, guint8 out[PASTRY_ID_BYTES]);

/* Parses exactly 32 hexadecimal digits (either case).  Returns FALSE and sets
 * error (PASTRY_ID_ERROR_SYNTAX, message naming the 1-based column of the
 * first bad character) on any other input. */
gboolean pastry_id_parse (const char *hex, PastryId *out, GError **error);

/* Writes 32 lower-case hex digits and a NUL into out. */
void pastry_id_format (const PastryId *id, char out[PASTRY_ID_HEX_LEN + 1]);

/* Three-way comparison as unsigned 128-bit integers: <0, 0, >0. */
static inline int
pastry_id_cmp (const PastryId *a, const PastryId *b)
{
  if (a->hi != b->hi)
    return a->hi < b->hi ? -1 : 1;
  if (a->lo != b->lo)
    return a->lo < b->lo ? -1 : 1;
  return 0;
}

static inline gboolean
pastry_id_equal (const PastryId *a, const PastryId *b)
{
  return a->hi == b->hi && a->lo == b->lo;
}

/* Clockwise distance from a to b: (b - a) mod 2^128. */
static inline PastryId
pastry_id_cw_distance (const PastryId *a, const PastryId *b)
{
  PastryId d;
  d.lo = b->lo - a->lo;
  d.hi = b->hi - a->hi - (b->lo < a->lo ? 1 : 0);
  return d;
}

/* Shortest ring distance: min(cw(a,b), cw(b,a)).  Symmetric. */
static inline PastryId
pastry_id_distance (const PastryId *a, const PastryId *b)
{
  PastryId x = pastry_id_cw_distance (a, b);
  PastryId y = pastry_id_cw_distance (b, a);
  return pastry_id_cmp (&x, &y) <= 0 ? x : y;
}

/* Number of digits of b bits in an id: ceil(128 / b). */
static inline guint
pastry_id_n_digits (guint b)
{
  return (128 + b - 1) / b;
}

/* Number of values digit i can take: 2^b, or 2^(128 mod b) for a short last
 * digit. */
static inline guint
pastry_id_digit_base (guint i, guint b)
{
  guint start = i * b;
  guint width = 128 - start < b ? 128 - start : b;
  return 1u << width;
}

/* Digit i (0 = most significant) in base 2^b.  i < pastry_id_n_digits (b). */
static inline guint
pastry_id_digit (const PastryId *id, guint i, guint b)
{
  guint start = i * b;
  guint width = 128 - start < b ? 128 - start : b;
  guint end = start + width; /* bit positions [start, end) from the top */
  guint mask = (1u << width) - 1;
  if (end <= 64)
    return (guint) (id->hi >> (64 - end)) & mask;
  if (start >= 64)
    return (guint) (id->lo >> (128 - end)) & mask;
  /* The digit straddles the two halves. */
  guint lo_bits = end - 64;
  guint64 v = (id->hi << lo_bits) | (id->lo >> (64 - lo_bits));
  return (guint) v & mask;
}

/* Length of the longest common prefix of a and b, counted in digits of b
 * bits; equal ids share all pastry_id_n_digits (b) digits. */
static inline guint
pastry_id_shl (const PastryId *a, const PastryId *b, guint bits)
{
  guint lz;
  if (a->hi != b->hi)
    lz = (guint) __builtin_clzll (a->hi ^ b->hi);
  else if (a->lo != b->lo)
    lz = 64 + (guint) __builtin_clzll (a->lo ^ b->lo);
  else
    return pastry_id_n_digits (bits);
  return lz / bits;
}

/* Compares how close a and b are to key on the ring.  Returns <0 when a is
 * strictly closer, >0 when b is, and breaks equal distances deterministically
 * in favour of the numerically smaller id.  0 only when a equals b. */
static inline int
pastry_id_closer (const PastryId *key, const PastryId *a, const PastryId *b)
{
  PastryId da = pastry_id_distance (a, key);
  PastryId db = pastry_id_distance (b, key);
  int c = pastry_id_cmp (&da, &db);
  return c != 0 ? c : pastry_id_cmp (a, b);
}

/* The bounds of the ids that share their first `row` digits with id and,
 * when col >= 0, have col as digit `row`: every such id x satisfies
 * *lo <= x <= *hi, and both bounds belong to the set.  row <
 * pastry_id_n_digits (b); col < pastry_id_digit_base (row, b).  With the
 * ids of a population sorted, this turns "the nodes that fit routing-table
 * slot (row, col)" into a binary search. */
void pastry_id_prefix_range (const PastryId *id, guint row, gint col, guint b,
                             PastryId *lo, PastryId *hi);

G_END_DECLS
