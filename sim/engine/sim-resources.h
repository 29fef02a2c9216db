/* sim-resources.h — the process's memory, as the operating system sees it:
 * resident set size now and at its peak.
 *
 * These are wall-clock-class figures, like the run's wall time: they vary
 * between identical runs (allocator, kernel, other threads), so nothing
 * deterministic may depend on them, and byte-identity comparisons of
 * results exclude the rows and files that carry them (`peak_rss_mb`,
 * memory.csv).
 *
 * Cost: sim_resources_rss_mb() reads /proc/self/statm (one open, read and
 * close, a few µs); sim_resources_peak_rss_mb() is one getrusage().  Both
 * return 0 when the figure is not available (a system without /proc).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Resident set size now, in MB of 2^20 bytes (the unit of peak_rss_mb). */
double sim_resources_rss_mb (void);

/* Bytes the program holds from malloc now (allocated and not yet freed),
 * in MB of 2^20 bytes: glibc's mallinfo2() uordblks + hblkhd, summed over
 * its arenas; 0 elsewhere.  rss_mb well above it is memory the allocator
 * keeps but the program does not use (freed chunks, fragmentation).
 * Cost: a walk of the allocator's free lists, under its locks. */
double sim_resources_heap_mb (void);

/* Hands the allocator's whole free pages back to the kernel (glibc's
 * malloc_trim; nothing elsewhere).  Cost: a walk of the free lists and an
 * madvise per free run of pages; no effect on what the program holds. */
void sim_resources_trim (void);

/* Peak resident set size since the process started, in MB (2^20 bytes). */
double sim_resources_peak_rss_mb (void);

G_END_DECLS
