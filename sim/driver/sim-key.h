/* sim-key.h — the driver's node ids and lookup keys: opaque 128-bit
 * unsigned numbers on a ring of 2^128 (an overlay with shorter ids pads
 * them; Pastry's ids are exactly this), and the closeness rule of the
 * live-id oracle: numeric ring distance, equal distances to the
 * numerically smaller id.
 *
 * The rule is Pastry's (core/pastry-id.h, pastry_id_closer), written
 * again here because the driver may not see core/: a deliberate copy at
 * a layer boundary, checked against core's by a test
 * (/world/key-rule in sim/pastry/tests/test-world.c), so the two cannot
 * drift apart unnoticed.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A node id or lookup key: 128 bits, hi first (lookups.csv writes it as
 * 32 hex digits). */
typedef struct
{
  guint64 hi, lo;
} SimKey;

static inline int
sim_key_cmp (const SimKey *a, const SimKey *b)
{
  if (a->hi != b->hi)
    return a->hi < b->hi ? -1 : 1;
  if (a->lo != b->lo)
    return a->lo < b->lo ? -1 : 1;
  return 0;
}

static inline gboolean
sim_key_equal (const SimKey *a, const SimKey *b)
{
  return a->hi == b->hi && a->lo == b->lo;
}

/* Shortest ring distance between a and b: min((b - a), (a - b)) mod
 * 2^128. */
static inline SimKey
sim_key_distance (const SimKey *a, const SimKey *b)
{
  SimKey x = { b->hi - a->hi - (b->lo < a->lo), b->lo - a->lo };
  SimKey y = { a->hi - b->hi - (a->lo < b->lo), a->lo - b->lo };
  return sim_key_cmp (&x, &y) <= 0 ? x : y;
}

/* Compares how close a and b are to key: < 0 when a is strictly closer,
 * > 0 when b is; equal distances go to the numerically smaller id; 0 only
 * when a equals b. */
static inline int
sim_key_closer (const SimKey *key, const SimKey *a, const SimKey *b)
{
  SimKey da = sim_key_distance (a, key);
  SimKey db = sim_key_distance (b, key);
  int c = sim_key_cmp (&da, &db);
  return c != 0 ? c : sim_key_cmp (a, b);
}

/* A key from 16 bytes, most significant first (as a trace's ids are
 * written). */
static inline SimKey
sim_key_from_bytes (const guint8 bytes[16])
{
  SimKey k = { 0, 0 };
  for (guint i = 0; i < 8; i++)
    {
      k.hi = (k.hi << 8) | bytes[i];
      k.lo = (k.lo << 8) | bytes[i + 8];
    }
  return k;
}

G_END_DECLS
