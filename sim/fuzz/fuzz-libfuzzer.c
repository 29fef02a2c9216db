/* fuzz-libfuzzer.c — the libFuzzer entry points of one target.
 *
 * Compiled once per target with FUZZ_TARGET_NAME set to the target's name
 * (see meson.build); linked with -fsanitize=fuzzer, which supplies main().
 */
#include "fuzz-targets.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef FUZZ_TARGET_NAME
#error "FUZZ_TARGET_NAME must name a target"
#endif

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static const FuzzTarget *target;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  target = fuzz_target_find (FUZZ_TARGET_NAME);
  if (target == NULL)
    {
      fprintf (stderr, "unknown fuzz target '%s'\n", FUZZ_TARGET_NAME);
      exit (2);
    }
  fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  target->run (data, size);
  return 0;
}
