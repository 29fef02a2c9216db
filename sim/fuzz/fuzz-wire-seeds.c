/* fuzz-wire-seeds.c — writes the wire target's seed corpus: one valid
 * datagram per message type and address family, encoded by core's own
 * encoder (so no binary blob is committed, and the seeds follow the
 * format when it changes).  Each seed is also run through the target.
 *
 * Usage: fuzz-wire-seeds DIR (created if missing).  Exit status 0 on
 * success, 1 on usage or I/O errors; a broken invariant aborts.
 */
#include "fuzz-targets.h"

#include <glib/gstdio.h>
#include <stdio.h>

int
main (int argc, char **argv)
{
  guint n;

  if (argc != 2)
    {
      fprintf (stderr, "usage: fuzz-wire-seeds DIR\n");
      return 1;
    }
  if (g_mkdir_with_parents (argv[1], 0755) != 0)
    {
      fprintf (stderr, "fuzz-wire-seeds: cannot create %s\n", argv[1]);
      return 1;
    }
  n = fuzz_wire_write_seeds (argv[1]);
  printf ("fuzz-wire-seeds: %u seeds in %s\n", n, argv[1]);
  return 0;
}
