/* sim-seed-list.h — lists of seeds ("1..8", "1,3,7", "1..4,10"), read and
 * written, for the `seeds = LIST` statement of a scenario and the --seeds
 * option of the command line: one grammar, one parser, one writer.
 *
 * Grammar: items separated by ','; blanks around an item are ignored; an
 * item is a seed (decimal digits, 0 .. 2^64-1) or a range A..B with
 * A <= B (both seeds).  The list is non-empty, holds at most @max seeds and
 * no seed twice.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* At most this many seeds in one list (the batch limit of the CLI). */
#define SIM_SEED_LIST_MAX 100000

/* What is wrong with a list that does not parse. */
typedef enum
{
  SIM_SEED_LIST_OK,
  SIM_SEED_LIST_SYNTAX,    /* empty list, empty item, malformed item */
  SIM_SEED_LIST_RANGE,     /* beyond 2^64-1, A..B with A > B, too many */
  SIM_SEED_LIST_DUPLICATE, /* a seed listed twice */
} SimSeedListError;

/* Parses @text (NUL-terminated) and appends its seeds, in list order, to
 * @seeds (a GArray of guint64).  Returns SIM_SEED_LIST_OK, or on failure
 * what is wrong; it then leaves @seeds with whatever was appended,
 * sets *@message (transfer full) to a sentence without position (e.g.
 * "'5..1' is an empty range (the first seed must not exceed the last)")
 * and *@offset / *@len to the byte range of @text it is about (the whole
 * text when no item is to blame).  @offset and @len may be NULL. */
SimSeedListError sim_seed_list_parse (const char *text, guint max, GArray *seeds,
                                      char **message, gsize *offset,
                                      gsize *len);

/* Formats @n seeds compactly, in the given order: runs of three or more
 * consecutive seeds as "A..B", the others separated by ','
 * ("1..5", "1,3,7..9").  Returns: (transfer full). */
char *sim_seed_list_format (const guint64 *seeds, guint n);

G_END_DECLS
