/* test-msg.c — Pastry's message types: names, traffic classes, sizes. */
#include "pastry-id.h"
#include "pastry-msg.h"

#include <string.h>

/* Every type has a distinct, non-empty, CSV-safe name. */
static void
test_names (void)
{
  for (guint t = 0; t < PASTRY_MSG_N_TYPES; t++)
    {
      const char *a = pastry_msg_type_name (t);
      g_assert_nonnull (a);
      g_assert_cmpuint (strlen (a), >, 0);
      g_assert_null (strpbrk (a, ", \n\""));
      for (guint u = 0; u < t; u++)
        g_assert_cmpstr (a, !=, pastry_msg_type_name (u));
    }
  g_assert_cmpstr (pastry_msg_type_name (PASTRY_MSG_LOOKUP), ==, "lookup");
  g_assert_cmpstr (pastry_msg_type_name (PASTRY_MSG_LEAVE), ==, "leave");
}

/* Lookups and their acknowledgements are lookup traffic; the join
 * protocol's seven types are join traffic; everything else maintenance. */
static void
test_classes (void)
{
  guint n[3] = { 0, 0, 0 };
  for (guint t = 0; t < PASTRY_MSG_N_TYPES; t++)
    n[pastry_msg_type_class (t)]++;
  g_assert_cmpuint (n[PASTRY_MSG_CLASS_LOOKUP], ==, 2);
  g_assert_cmpuint (n[PASTRY_MSG_CLASS_JOIN], ==, 7);
  g_assert_cmpuint (n[PASTRY_MSG_CLASS_MAINTENANCE], ==,
                    PASTRY_MSG_N_TYPES - 9);
  g_assert_cmpint (pastry_msg_type_class (PASTRY_MSG_LOOKUP_ACK), ==,
                   PASTRY_MSG_CLASS_LOOKUP);
  g_assert_cmpint (pastry_msg_type_class (PASTRY_MSG_JOIN_REQUEST), ==,
                   PASTRY_MSG_CLASS_JOIN);
  g_assert_cmpint (pastry_msg_type_class (PASTRY_MSG_LEAFSET_PUSH), ==,
                   PASTRY_MSG_CLASS_JOIN);
  g_assert_cmpint (pastry_msg_type_class (PASTRY_MSG_HEARTBEAT), ==,
                   PASTRY_MSG_CLASS_MAINTENANCE);
}

/* Header + ids; a lookup carries its key besides. */
static void
test_sizes (void)
{
  g_assert_cmpuint (pastry_msg_size (PASTRY_MSG_PROBE, 0, 40, 20), ==, 40);
  g_assert_cmpuint (pastry_msg_size (PASTRY_MSG_PROBE, 1, 40, 20), ==, 60);
  g_assert_cmpuint (pastry_msg_size (PASTRY_MSG_LEAFSET_REPLY, 17, 40, 20), ==,
                    40 + 17 * 20);
  g_assert_cmpuint (pastry_msg_size (PASTRY_MSG_LOOKUP, 1, 40, 20), ==,
                    60 + PASTRY_ID_BYTES);
  g_assert_cmpuint (pastry_msg_size (PASTRY_MSG_LOOKUP_ACK, 0, 0, 0), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/msg/names", test_names);
  g_test_add_func ("/msg/classes", test_classes);
  g_test_add_func ("/msg/sizes", test_sizes);
  return g_test_run ();
}
