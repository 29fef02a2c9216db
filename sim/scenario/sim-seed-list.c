/* sim-seed-list.c — seed lists read and written (sim-seed-list.h).
 *
 * Invariant: a list that parses holds 1 .. max distinct seeds in the
 * order written, and sim_seed_list_format() of it parses back to the same
 * list.
 *
 * Cost: linear in the seeds listed; the duplicate check sorts a copy,
 * O(n log n) (a hash set was rejected: the lists are small and a sort
 * reports the duplicates in a fixed order).
 */
#include "sim-seed-list.h"

#include <string.h>

/* A whole decimal number 0 .. 2^64-1, digits only. */
static gboolean
parse_u64 (const char *s, guint64 *out)
{
  if (*s == '\0' || strspn (s, "0123456789") != strlen (s))
    return FALSE;
  return g_ascii_string_to_unsigned (s, 10, 0, G_MAXUINT64, out, NULL);
}

static int
cmp_u64 (gconstpointer a, gconstpointer b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;
  return x < y ? -1 : x > y;
}

static SimSeedListError
fail (SimSeedListError code, char **message, gsize *offset, gsize *len,
      gsize at, gsize n, char *text)
{
  *message = text;
  if (offset != NULL)
    *offset = at;
  if (len != NULL)
    *len = n;
  return code;
}

/* TRUE if s is digits only but above 2^64-1. */
static gboolean
too_large (const char *s)
{
  guint64 v;
  return *s != '\0' && strspn (s, "0123456789") == strlen (s)
         && !parse_u64 (s, &v);
}

static char *
too_large_message (const char *item)
{
  return g_strdup_printf ("'%s' is beyond the largest seed, 2^64-1 = "
                          "18446744073709551615",
                          item);
}

SimSeedListError
sim_seed_list_parse (const char *text, guint max, GArray *seeds,
                     char **message, gsize *offset, gsize *len)
{
  g_return_val_if_fail (text != NULL && seeds != NULL && message != NULL,
                        SIM_SEED_LIST_SYNTAX);
  gsize total = strlen (text);
  guint first = seeds->len;
  if (total == 0)
    return fail (SIM_SEED_LIST_SYNTAX, message, offset, len, 0, 0,
                 g_strdup ("empty list (write A..B or A,B,C)"));
  for (gsize pos = 0; pos <= total;)
    {
      const char *comma = strchr (text + pos, ',');
      gsize end = comma != NULL ? (gsize) (comma - text) : total;
      gsize a = pos, b = end;
      while (a < b && (text[a] == ' ' || text[a] == '\t'))
        a++;
      while (b > a && (text[b - 1] == ' ' || text[b - 1] == '\t'))
        b--;
      g_autofree char *item = g_strndup (text + a, b - a);
      const char *dots = strstr (item, "..");
      guint64 lo, hi;
      if (*item == '\0')
        return fail (SIM_SEED_LIST_SYNTAX, message, offset, len, pos,
                     end - pos, g_strdup_printf ("empty item in '%s'", text));
      if (dots != NULL)
        {
          g_autofree char *l = g_strndup (item, (gsize) (dots - item));
          const char *r = dots + 2;
          if (too_large (l) || too_large (r))
            return fail (SIM_SEED_LIST_RANGE, message, offset, len, a, b - a,
                         too_large_message (item));
          if (!parse_u64 (l, &lo) || !parse_u64 (r, &hi))
            return fail (SIM_SEED_LIST_SYNTAX, message, offset, len, a, b - a,
                         g_strdup_printf ("'%s' is not a range of seeds "
                                          "(A..B with whole numbers 0 <= A "
                                          "<= B < 2^64)",
                                          item));
          if (lo > hi)
            return fail (SIM_SEED_LIST_RANGE, message, offset, len, a, b - a,
                         g_strdup_printf ("'%s' is an empty range (the "
                                          "first seed must not exceed the "
                                          "last)",
                                          item));
        }
      else if (too_large (item))
        return fail (SIM_SEED_LIST_RANGE, message, offset, len, a, b - a,
                     too_large_message (item));
      else if (!parse_u64 (item, &lo))
        return fail (SIM_SEED_LIST_SYNTAX, message, offset, len, a, b - a,
                     g_strdup_printf ("'%s' is not a seed (a whole number "
                                      "0 .. 2^64-1, or a range A..B)",
                                      item));
      else
        hi = lo;
      if (hi - lo >= max || seeds->len - first + (hi - lo) >= max)
        return fail (SIM_SEED_LIST_RANGE, message, offset, len, a, b - a,
                     g_strdup_printf ("more than %u seeds", max));
      for (guint64 s = lo;; s++)
        {
          g_array_append_val (seeds, s);
          if (s == hi)
            break;
        }
      pos = end + 1;
    }
  g_autoptr (GArray) sorted = g_array_sized_new (FALSE, FALSE,
                                                 sizeof (guint64),
                                                 seeds->len - first);
  g_array_append_vals (sorted, &g_array_index (seeds, guint64, first),
                       seeds->len - first);
  g_array_sort (sorted, cmp_u64);
  for (guint i = 1; i < sorted->len; i++)
    if (g_array_index (sorted, guint64, i)
        == g_array_index (sorted, guint64, i - 1))
      return fail (SIM_SEED_LIST_DUPLICATE, message, offset, len, 0, total,
                   g_strdup_printf ("seed %" G_GUINT64_FORMAT
                                    " is listed twice",
                                    g_array_index (sorted, guint64, i)));
  return SIM_SEED_LIST_OK;
}

char *
sim_seed_list_format (const guint64 *seeds, guint n)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < n;)
    {
      guint j = i;
      while (j + 1 < n && seeds[j] != G_MAXUINT64
             && seeds[j + 1] == seeds[j] + 1)
        j++;
      if (s->len > 0)
        g_string_append_c (s, ',');
      if (j - i >= 2)
        g_string_append_printf (s, "%" G_GUINT64_FORMAT "..%" G_GUINT64_FORMAT,
                                seeds[i], seeds[j]);
      else
        for (guint k = i; k <= j; k++)
          g_string_append_printf (s, "%s%" G_GUINT64_FORMAT, k > i ? "," : "",
                                  seeds[k]);
      i = j + 1;
    }
  return g_string_free (s, FALSE);
}
