/* sim-publish.h — the one place that decides where results may go and puts
 * them there: `run` (one run or a batch) and `collect` all publish through
 * it.
 *
 * The rule: pastrysim only ever replaces or deletes
 *   - directories and files it created itself in this process (its staging
 *     directory and the files in it), and
 *   - a directory that is recognisably a previous pastrysim result (see
 *     sim_publish_check_target()), or a file of such a directory that
 *     pastrysim wrote (sim_publish_files_commit()).
 * Anything else at the --out path is refused before the run, with an input
 * error (exit 2) that names the path and says why.
 *
 * CLI layer: sees no scenario, world or core type; callers pass the run's
 * input files as paths.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* ---- Results directories -------------------------------------------- */

/* Checks that out_dir may receive results.  It may not exist yet (its
 * nearest existing ancestor must then be a directory); or it is an empty
 * directory; or a previous pastrysim result: a real directory (not a
 * symbolic link) with a summary.csv or sweep.csv that pastrysim wrote,
 * whose every entry is a file a run, a batch or scripts/plot writes (CSV
 * files and scenario.scn recognised by their first line) or a seed-N or
 * NAME=VALUE subdirectory that is itself such a result.
 * Always refused: the empty path, a symbolic link, anything that is not a
 * directory (regular file, device, FIFO, socket), `/`, the working
 * directory or any of its ancestors (`.`, `..`), $HOME or any of its
 * ancestors, and a directory that holds one of @inputs.
 * @out_dir: the --out path as given.
 * @inputs: (nullable): NULL-terminated paths of the run's input files (the
 *   scenario, latency and trace files); borrowed.
 * Returns: TRUE, or FALSE with a SIM_CLI_ERROR_INPUT error
 *   "--out PATH: why". */
gboolean sim_publish_check_target (const char *out_dir,
                                   const char *const *inputs, GError **error);

/* Results being written: a staging directory beside the target. */
typedef struct _SimPublish SimPublish;

/* Checks out_dir (sim_publish_check_target()), creates its missing parent
 * directories and a fresh staging directory "OUT_DIR.tmp-XXXXXX" beside it.
 * Returns: (transfer full) (nullable): the handle, or NULL with an INPUT
 *   error (refused) or an IO error (cannot create). */
SimPublish *sim_publish_begin (const char *out_dir, const char *const *inputs,
                               GError **error);

/* The staging directory to write into.  (transfer none) */
const char *sim_publish_staging_dir (const SimPublish *pub);

/* Puts the staging directory in place of the target: checks the target
 * again (it may have changed during the run), then exchanges the two
 * atomically and removes the previous results.  A reader sees the old or
 * the new results, never a mixture.  On failure the previous results stay
 * where they were; if the target was refused the finished results are kept
 * in the staging directory and the error says where.
 * Returns: TRUE, or FALSE with an error (INPUT: the target changed into
 *   something pastrysim may not replace; IO otherwise). */
gboolean sim_publish_commit (SimPublish *pub, GError **error);

/* Frees pub.  Unless it was committed, removes the staging directory and
 * the parent directories sim_publish_begin() created (when empty): an
 * aborted or failed run leaves nothing behind. */
void sim_publish_free (SimPublish *pub);

/* ---- Files of an existing directory (collect) ------------------------ */

/* A set of files to write into existing directories all or nothing: every
 * file is first written beside its target under a temporary name, and only
 * when all are written are they renamed into place.  A target that exists
 * must be a regular file pastrysim wrote (a CSV starting "# pastrysim ", a
 * scenario.scn it wrote). */
typedef struct _SimPublishFiles SimPublishFiles;

SimPublishFiles *sim_publish_files_new (void);

/* Adds path with the given contents (copied). */
void sim_publish_files_add (SimPublishFiles *files, const char *path,
                            const GString *contents);

/* Checks every target, writes every temporary file, then renames them all
 * into place.  On failure nothing is replaced and the temporary files are
 * removed.  Returns FALSE with an error (INPUT: a target is not a file
 * pastrysim wrote; IO: cannot write). */
gboolean sim_publish_files_commit (SimPublishFiles *files, GError **error);

void sim_publish_files_free (SimPublishFiles *files);

/* ---- Helpers -------------------------------------------------------- */

/* Removes a directory tree.  Never follows a symbolic link: directories are
 * walked through descriptors opened with O_NOFOLLOW, links are unlinked
 * themselves; a path that is a link or a file is unlinked.  Errors are
 * ignored (best effort). */
void sim_publish_remove_tree (const char *path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimPublish, sim_publish_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimPublishFiles, sim_publish_files_free)

G_END_DECLS
