/* sim-resources.c — resident memory now and at its peak (sim-resources.h).
 *
 * Current RSS comes from /proc/self/statm (its second field, in pages):
 * getrusage() has only the peak, and mallinfo2() sees only the heap of
 * glibc's allocator, not what the kernel keeps resident (freed memory the
 * allocator has not returned, thread stacks, mapped files).
 */
#include "sim-resources.h"

#include <stdio.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <sys/resource.h>
#include <unistd.h>

double
sim_resources_rss_mb (void)
{
  FILE *f = fopen ("/proc/self/statm", "r");
  if (f == NULL)
    return 0;
  unsigned long long size = 0, resident = 0;
  int got = fscanf (f, "%llu %llu", &size, &resident);
  fclose (f);
  long page = sysconf (_SC_PAGESIZE);
  if (got != 2 || page <= 0)
    return 0;
  return (double) resident * (double) page / (1024.0 * 1024.0);
}

double
sim_resources_peak_rss_mb (void)
{
  struct rusage ru;
  if (getrusage (RUSAGE_SELF, &ru) != 0)
    return 0;
  return (double) ru.ru_maxrss / 1024.0; /* Linux reports KiB */
}

double
sim_resources_heap_mb (void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
  struct mallinfo2 mi = mallinfo2 ();
  return (double) (mi.uordblks + mi.hblkhd) / (1024.0 * 1024.0);
#else
  return 0;
#endif
}

void
sim_resources_trim (void)
{
#if defined(__GLIBC__)
  malloc_trim (0);
#endif
}
