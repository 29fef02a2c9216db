/* test-id.c — ids: parsing, byte order, ring distances and digits. */
#include "pastry-id.h"

#include <string.h>

static PastryId
id_hex (const char *hex)
{
  PastryId id;
  g_autoptr (GError) error = NULL;
  g_assert_true (pastry_id_parse (hex, &id, &error));
  g_assert_no_error (error);
  return id;
}

#define ZERO "00000000000000000000000000000000"
#define ID_MAX "ffffffffffffffffffffffffffffffff"

static void
test_parse_format_roundtrip (void)
{
  const char *cases[] = { ZERO, ID_MAX, "0123456789abcdef0123456789abcdef",
                          "80000000000000000000000000000001" };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      PastryId id = id_hex (cases[i]);
      char out[PASTRY_ID_HEX_LEN + 1];
      pastry_id_format (&id, out);
      g_assert_cmpstr (out, ==, cases[i]);
    }
  PastryId upper = id_hex ("0123456789ABCDEF0123456789ABCDEF");
  PastryId lower = id_hex ("0123456789abcdef0123456789abcdef");
  g_assert_true (pastry_id_equal (&upper, &lower));
}

static void
test_parse_errors (void)
{
  struct
  {
    const char *input;
    const char *prefix;
  } cases[] = {
    { "", "1:" },
    { "0123", "5:" },
    { "0123456789abcdef0123456789abcdeg", "32:" },
    { "x0000000000000000000000000000000", "1:" },
    { "000000000000000000000000000000000", "33:" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      PastryId id;
      g_autoptr (GError) error = NULL;
      g_assert_false (pastry_id_parse (cases[i].input, &id, &error));
      g_assert_error (error, PASTRY_ID_ERROR, PASTRY_ID_ERROR_SYNTAX);
      g_assert_true (g_str_has_prefix (error->message, cases[i].prefix));
    }
}

static void
test_bytes_padding (void)
{
  guint8 key[17];
  memset (key, 0x01, sizeof key);
  key[15] = 0x00;
  PastryId a = pastry_id_from_bytes (key, 16);
  g_assert_true (pastry_id_equal (&a, &(PastryId){ 0x0101010101010101ull,
                                                   0x0101010101010100ull }));
  PastryId empty = pastry_id_from_bytes (NULL, 0);
  g_assert_true (pastry_id_equal (&empty, &(PastryId){ 0, 0 }));
  const guint8 three = 0x03;
  PastryId short_key = pastry_id_from_bytes (&three, 1);
  g_assert_true (pastry_id_equal (&short_key,
                                  &(PastryId){ 0x0300000000000000ull, 0 }));
  /* Bytes past the 16th are ignored. */
  key[16] = 0xff;
  PastryId longer = pastry_id_from_bytes (key, 17);
  g_assert_true (pastry_id_equal (&a, &longer));
  guint8 back[16];
  pastry_id_to_bytes (&a, back);
  g_assert_cmpmem (back, 16, key, 16);
}

static void
test_distance_wraparound (void)
{
  PastryId zero = id_hex (ZERO), max = id_hex (ID_MAX);
  PastryId one = id_hex ("00000000000000000000000000000001");
  PastryId d = pastry_id_cw_distance (&max, &zero);
  g_assert_true (pastry_id_equal (&d, &one));
  d = pastry_id_cw_distance (&zero, &max);
  g_assert_true (pastry_id_equal (&d, &max));
  d = pastry_id_distance (&zero, &max);
  g_assert_true (pastry_id_equal (&d, &one));
  /* A borrow crosses the 64-bit boundary. */
  PastryId a = id_hex ("0000000000000000ffffffffffffffff");
  PastryId b = id_hex ("00000000000000010000000000000000");
  d = pastry_id_cw_distance (&a, &b);
  g_assert_true (pastry_id_equal (&d, &one));
  /* Antipodes: both directions equal 2^127. */
  PastryId half = id_hex ("80000000000000000000000000000000");
  PastryId d1 = pastry_id_distance (&zero, &half);
  PastryId d2 = pastry_id_distance (&half, &zero);
  g_assert_true (pastry_id_equal (&d1, &half));
  g_assert_true (pastry_id_equal (&d2, &half));
}

static void
test_closer_ties (void)
{
  /* key 0 with 1 and 2^128-1 equally far: the smaller id wins. */
  PastryId key = id_hex (ZERO), max = id_hex (ID_MAX);
  PastryId one = id_hex ("00000000000000000000000000000001");
  g_assert_cmpint (pastry_id_closer (&key, &one, &max), <, 0);
  g_assert_cmpint (pastry_id_closer (&key, &max, &one), >, 0);
  PastryId two = id_hex ("00000000000000000000000000000002");
  g_assert_cmpint (pastry_id_closer (&key, &max, &two), <, 0);
}

/* Digit extraction against a bit-by-bit reference, for every b. */
static guint
digit_ref (const PastryId *id, guint i, guint b)
{
  guint8 bytes[16];
  pastry_id_to_bytes (id, bytes);
  guint v = 0;
  for (guint bit = i * b; bit < MIN (128, (i + 1) * b); bit++)
    v = (v << 1) | ((bytes[bit / 8] >> (7 - bit % 8)) & 1);
  return v;
}

static void
test_digits_all_b (void)
{
  PastryId ids[] = { id_hex ("0123456789abcdeffedcba9876543210"),
                     id_hex (ID_MAX), id_hex (ZERO),
                     id_hex ("a5a5a5a5a5a5a5a55a5a5a5a5a5a5a5a") };
  for (guint b = 1; b <= 8; b++)
    {
      guint n = pastry_id_n_digits (b);
      g_assert_cmpuint (n, ==, (128 + b - 1) / b);
      for (guint k = 0; k < G_N_ELEMENTS (ids); k++)
        for (guint i = 0; i < n; i++)
          {
            g_assert_cmpuint (pastry_id_digit (&ids[k], i, b), ==,
                              digit_ref (&ids[k], i, b));
            g_assert_cmpuint (pastry_id_digit (&ids[k], i, b), <,
                              pastry_id_digit_base (i, b));
          }
    }
}

static void
test_short_last_digit (void)
{
  /* b = 3: 43 digits, the last holds 128 - 42*3 = 2 bits. */
  g_assert_cmpuint (pastry_id_n_digits (3), ==, 43);
  g_assert_cmpuint (pastry_id_digit_base (42, 3), ==, 4);
  g_assert_cmpuint (pastry_id_digit_base (41, 3), ==, 8);
  PastryId max = id_hex (ID_MAX);
  g_assert_cmpuint (pastry_id_digit (&max, 42, 3), ==, 3);
  /* b = 5 straddles the 64-bit boundary at digit 12 (bits 60..64). */
  PastryId x = id_hex ("000000000000000f8000000000000000");
  g_assert_cmpuint (pastry_id_digit (&x, 12, 5), ==, 31);
  /* b = 7: 19 digits, the last has 2 bits. */
  g_assert_cmpuint (pastry_id_n_digits (7), ==, 19);
  g_assert_cmpuint (pastry_id_digit_base (18, 7), ==, 4);
}

static void
test_shl (void)
{
  PastryId a = id_hex ("0123456789abcdef0123456789abcdef");
  PastryId b = id_hex ("0123456789abcdef0123456789abcdee");
  g_assert_cmpuint (pastry_id_shl (&a, &b, 4), ==, 31);
  g_assert_cmpuint (pastry_id_shl (&a, &a, 4), ==, 32);
  g_assert_cmpuint (pastry_id_shl (&a, &a, 3), ==, 43);
  g_assert_cmpuint (pastry_id_shl (&a, &b, 1), ==, 127);
  g_assert_cmpuint (pastry_id_shl (&a, &b, 3), ==, 42);
  PastryId c = id_hex ("8123456789abcdef0123456789abcdef");
  g_assert_cmpuint (pastry_id_shl (&a, &c, 4), ==, 0);
  g_assert_cmpuint (pastry_id_shl (&a, &c, 8), ==, 0);
  /* Differ in the low half only. */
  PastryId d = id_hex ("0123456789abcdef1123456789abcdef");
  g_assert_cmpuint (pastry_id_shl (&a, &d, 4), ==, 16);
}

/* prefix_range against the digit definition, for every b. */
static void
test_prefix_range (void)
{
  PastryId id = id_hex ("0123456789abcdeffedcba9876543210");
  for (guint b = 1; b <= 8; b++)
    for (guint row = 0; row < pastry_id_n_digits (b); row++)
      {
        PastryId lo, hi;
        pastry_id_prefix_range (&id, row, -1, b, &lo, &hi);
        g_assert_cmpint (pastry_id_cmp (&lo, &id), <=, 0);
        g_assert_cmpint (pastry_id_cmp (&id, &hi), <=, 0);
        g_assert_cmpuint (pastry_id_shl (&lo, &id, b), >=, row);
        g_assert_cmpuint (pastry_id_shl (&hi, &id, b), >=, row);
        guint col = pastry_id_digit_base (row, b) - 1;
        pastry_id_prefix_range (&id, row, (gint) col, b, &lo, &hi);
        g_assert_cmpuint (pastry_id_digit (&lo, row, b), ==, col);
        g_assert_cmpuint (pastry_id_digit (&hi, row, b), ==, col);
        g_assert_cmpuint (pastry_id_shl (&lo, &id, b), >=, row);
        /* Just outside the range the prefix or digit differs. */
        PastryId below = lo, above = hi;
        below.lo--;
        if (lo.lo == 0)
          below.hi--;
        above.lo++;
        if (above.lo == 0)
          above.hi++;
        if (!(lo.hi == 0 && lo.lo == 0))
          g_assert_true (pastry_id_shl (&below, &id, b) < row
                         || pastry_id_digit (&below, row, b) != col);
        if (!(hi.hi == G_MAXUINT64 && hi.lo == G_MAXUINT64))
          g_assert_true (pastry_id_shl (&above, &id, b) < row
                         || pastry_id_digit (&above, row, b) != col);
      }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/id/parse-format-roundtrip", test_parse_format_roundtrip);
  g_test_add_func ("/id/parse-errors", test_parse_errors);
  g_test_add_func ("/id/bytes-padding", test_bytes_padding);
  g_test_add_func ("/id/distance-wraparound", test_distance_wraparound);
  g_test_add_func ("/id/closer-ties", test_closer_ties);
  g_test_add_func ("/id/digits-all-b", test_digits_all_b);
  g_test_add_func ("/id/short-last-digit", test_short_last_digit);
  g_test_add_func ("/id/shl", test_shl);
  g_test_add_func ("/id/prefix-range", test_prefix_range);
  return g_test_run ();
}
