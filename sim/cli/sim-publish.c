/* sim-publish.c — where results may go, and putting them there.
 *
 * Invariant: nothing is replaced or deleted unless this process created it
 * or it is recognisably a previous pastrysim result (sim-publish.h states
 * the rule).  The check runs before the run, so a refusal costs nothing,
 * and again just before publishing, because a long run gives the user time
 * to put files into the old results.
 *
 * Publishing is one atomic exchange (renameat2 with RENAME_EXCHANGE) of the
 * staging directory and the previous results; what the exchange took out is
 * checked once more (it may have been swapped for a link or a foreign
 * directory between the check and the exchange: then it is exchanged back)
 * and only then removed.  File systems that cannot exchange get the older
 * two-step dance: the previous results renamed aside, the new ones renamed
 * in, the old ones put back if that fails.
 *
 * Removal never follows a symbolic link: directories are walked through
 * descriptors opened with O_NOFOLLOW, and links are unlinked themselves.
 * (g_dir_open() on a path follows a link named as the path itself: an
 * earlier version deleted a link's target's files that way.)
 *
 * Cost: the check lists the target and reads the first line of each CSV in
 * it, recursively for seed and sweep-point subdirectories: O(files) small
 * reads, nothing against a run.  Rejected alternative: a marker file
 * written into every result.  It would be one more output, and results of
 * earlier versions (which have none) could never be replaced; the first
 * lines pastrysim writes identify its files already.
 */
#include "sim-publish.h"
#include "sim-cli.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Results nest at most this deep (sweep point / seed-N). */
#define MAX_RESULT_DEPTH 3
/* Removal gives up below this depth (hostile trees; ours are 3 deep). */
#define MAX_REMOVE_DEPTH 64

/* Files a run or a batch writes, and the plots scripts/plot draws. */
static const char *const result_texts[] = {
  "summary.csv",     "hops.csv",     "lookups.csv",  "messages.csv",
  "latency_cdf.csv", "rdp_cdf.csv",  "timeline.csv", "aggregate.csv",
  "sweep.csv",       "scenario.scn", "memory.csv",   NULL,
};
static const char *const plot_stems[] = {
  "hops", "latency-cdf", "rdp-cdf", "timeline", "hops-vs-n", NULL,
};
/* The first lines of the scenario.scn files pastrysim writes: a run's
 * canonical scenario and the ones collect writes for seeds and sweeps. */
static const char *const scenario_heads[] = {
  "# Canonical form of ",
  "# Results of seeds ",
  "# Parameter sweep over ",
  NULL,
};

static gboolean
in_list (const char *const *list, const char *name)
{
  for (guint i = 0; list[i] != NULL; i++)
    if (g_str_equal (list[i], name))
      return TRUE;
  return FALSE;
}

static gboolean
file_is_ours (const char *path)
{
  g_return_val_if_fail (path != NULL, FALSE);
  int fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return FALSE;
  struct stat st;
  char head[80];
  ssize_t n = -1;
  if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode))
    n = read (fd, head, sizeof head - 1);
  close (fd);
  if (n <= 0)
    return FALSE;
  head[n] = '\0';
  if (g_str_has_prefix (head, "# pastrysim "))
    return TRUE;
  if (!g_str_has_suffix (path, "scenario.scn"))
    return FALSE;
  for (guint i = 0; scenario_heads[i] != NULL; i++)
    if (g_str_has_prefix (head, scenario_heads[i]))
      return TRUE;
  return FALSE;
}

/* A plot scripts/plot draws: STEM.png or STEM.svg. */
static gboolean
is_plot (const char *name)
{
  const char *dot = strrchr (name, '.');
  if (dot == NULL || (!g_str_equal (dot, ".png") && !g_str_equal (dot, ".svg")))
    return FALSE;
  g_autofree char *stem = g_strndup (name, (gsize) (dot - name));
  return in_list (plot_stems, stem);
}

/* A results subdirectory name: seed-N or a sweep point NAME=VALUE,... */
static gboolean
is_subdir_name (const char *name)
{
  if (g_str_has_prefix (name, "seed-") && name[5] != '\0'
      && strspn (name + 5, "0123456789") == strlen (name + 5))
    return TRUE;
  if (strchr (name, '=') == NULL)
    return FALSE;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) values = g_ptr_array_new_with_free_func (g_free);
  return sim_point_dir_parse (name, names, values);
}

/* A staging or set-aside directory a killed pastrysim left behind:
 * SUBDIR.tmp-XXXXXX or SUBDIR.old-PID of a results subdirectory. */
static gboolean
is_leftover_name (const char *name)
{
  const char *dot = strrchr (name, '.');
  if (dot == NULL)
    return FALSE;
  const char *tail = NULL;
  if (g_str_has_prefix (dot, ".tmp-") && strlen (dot + 5) == 6)
    tail = dot + 5;
  else if (g_str_has_prefix (dot, ".old-") && dot[5] != '\0'
           && strspn (dot + 5, "0123456789") == strlen (dot + 5))
    tail = dot + 5;
  if (tail == NULL)
    return FALSE;
  g_autofree char *base = g_strndup (name, (gsize) (dot - name));
  return is_subdir_name (base);
}

/* Why dir (a real directory, depth levels below the target) is not a
 * pastrysim result, or NULL when it is one.  An empty directory is one at
 * the top (depth 0) only. */
static char *
why_not_results (const char *dir, guint depth)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  if (d == NULL)
    return g_strdup_printf ("%s cannot be read", dir);
  gboolean any = FALSE, summary = FALSE;
  char *why = NULL;
  const char *name;
  while (why == NULL && (name = g_dir_read_name (d)) != NULL)
    {
      any = TRUE;
      g_autofree char *path = g_build_filename (dir, name, NULL);
      GStatBuf st;
      if (g_lstat (path, &st) != 0)
        continue; /* gone meanwhile */
      if (S_ISREG (st.st_mode) && in_list (result_texts, name))
        {
          if (!file_is_ours (path))
            why = g_strdup_printf ("%s was not written by pastrysim", path);
          else if (g_str_equal (name, "summary.csv")
                   || g_str_equal (name, "sweep.csv"))
            summary = TRUE;
        }
      else if (S_ISREG (st.st_mode) && is_plot (name))
        ;
      else if (S_ISDIR (st.st_mode) && is_leftover_name (name))
        ;
      else if (S_ISDIR (st.st_mode) && is_subdir_name (name)
               && depth < MAX_RESULT_DEPTH)
        why = why_not_results (path, depth + 1);
      else
        why = g_strdup_printf ("%s holds '%s', which pastrysim did not write",
                               dir, name);
    }
  g_dir_close (d);
  if (why == NULL && any && !summary)
    why = g_strdup_printf ("%s has no summary.csv or sweep.csv of pastrysim",
                           dir);
  if (why == NULL && !any && depth > 0)
    why = g_strdup_printf ("%s is empty", dir);
  return why;
}

/* path without trailing slashes ("/" stays "/"). */
static char *
strip_slashes (const char *path)
{
  char *p = g_strdup (path);
  gsize n = strlen (p);
  while (n > 1 && p[n - 1] == '/')
    p[--n] = '\0';
  return p;
}

/* The absolute path of path with symbolic links resolved as far as it
 * exists (the rest appended lexically). */
static char *
physical_path (const char *path)
{
  g_autofree char *abs = g_canonicalize_filename (path, NULL);
  g_autofree char *head = g_strdup (abs);
  g_autoptr (GString) rest = g_string_new (NULL);
  for (;;)
    {
      char *real = realpath (head, NULL);
      if (real != NULL)
        {
          char *out = g_str_equal (real, "/") && rest->len > 0
                          ? g_strdup (rest->str)
                          : g_strconcat (real, rest->str, NULL);
          free (real);
          return out;
        }
      char *slash = strrchr (head, '/');
      if (slash == NULL || slash == head)
        return g_strdup (abs);
      g_string_prepend (rest, slash);
      *slash = '\0';
    }
}

/* TRUE when a is b or one of b's ancestors (both physical paths). */
static gboolean
covers (const char *a, const char *b)
{
  gsize n = strlen (a);
  if (g_str_equal (a, "/"))
    return TRUE;
  return strncmp (a, b, n) == 0 && (b[n] == '\0' || b[n] == '/');
}

static const char *
file_kind (mode_t m)
{
  if (S_ISREG (m))
    return "a regular file";
  if (S_ISCHR (m))
    return "a character device";
  if (S_ISBLK (m))
    return "a block device";
  if (S_ISFIFO (m))
    return "a FIFO";
  if (S_ISSOCK (m))
    return "a socket";
  return "not a directory";
}

static gboolean refuse (GError **error, const char *out_dir, const char *fmt,
                        ...) G_GNUC_PRINTF (3, 4);

static gboolean
refuse (GError **error, const char *out_dir, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *why = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  return sim_cli_input_error (error, "--out %s: %s", out_dir, why);
}

gboolean
sim_publish_check_target (const char *out_dir, const char *const *inputs,
                          GError **error)
{
  g_return_val_if_fail (out_dir != NULL, FALSE);
  if (*out_dir == '\0')
    return sim_cli_input_error (error, "--out: the path is empty");
  g_autofree char *out = strip_slashes (out_dir);
  g_autofree char *phys = physical_path (out);
  g_autofree char *cwd_rel = g_get_current_dir ();
  g_autofree char *cwd = physical_path (cwd_rel);
  if (covers (phys, cwd))
    return refuse (error, out_dir,
                   "is the working directory or one of its "
                   "parents; pastrysim will not replace it");
  const char *home_env = g_get_home_dir ();
  if (home_env != NULL && *home_env != '\0')
    {
      g_autofree char *home = physical_path (home_env);
      if (covers (phys, home))
        return refuse (error, out_dir,
                       "is your home directory or one of "
                       "its parents; pastrysim will not replace it");
    }
  for (guint i = 0; inputs != NULL && inputs[i] != NULL; i++)
    {
      g_autofree char *in = physical_path (inputs[i]);
      if (covers (phys, in))
        return refuse (error, out_dir,
                       "holds %s, an input of this run; "
                       "pastrysim will not replace it",
                       inputs[i]);
    }

  GStatBuf st;
  if (g_lstat (out, &st) != 0)
    {
      int e = errno;
      if (e != ENOENT && e != ENOTDIR)
        return refuse (error, out_dir, "%s", g_strerror (e));
      /* It will be created: the nearest existing ancestor must be a
       * directory. */
      g_autofree char *up = g_path_get_dirname (out);
      while (g_stat (up, &st) != 0 && (errno == ENOENT || errno == ENOTDIR))
        {
          char *next = g_path_get_dirname (up);
          g_free (up);
          up = next;
        }
      if (g_stat (up, &st) == 0 && !S_ISDIR (st.st_mode))
        return refuse (error, out_dir, "cannot be created: %s is %s", up,
                       file_kind (st.st_mode));
      return TRUE;
    }
  if (S_ISLNK (st.st_mode))
    return refuse (error, out_dir,
                   "is a symbolic link; pastrysim neither "
                   "replaces links nor writes through them (name the "
                   "directory itself)");
  if (!S_ISDIR (st.st_mode))
    return refuse (error, out_dir,
                   "exists and is %s; pastrysim only "
                   "replaces its own results directories",
                   file_kind (st.st_mode));
  g_autofree char *why = why_not_results (out, 0);
  if (why != NULL)
    return refuse (error, out_dir,
                   "is not a pastrysim results directory "
                   "(%s); pastrysim only replaces its own results (choose "
                   "another --out, or move the directory away)",
                   why);
  return TRUE;
}

/* ---- Removal -------------------------------------------------------- */

static void
remove_at (int dfd, const char *name, guint depth)
{
  int fd = openat (dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    {
      if (errno == ENOTDIR || errno == ELOOP)
        unlinkat (dfd, name, 0); /* a file, or a link (never followed) */
      return;
    }
  if (depth >= MAX_REMOVE_DEPTH)
    {
      close (fd);
      return;
    }
  DIR *d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return;
    }
  /* Names first: deleting while reading a directory may skip entries. */
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  struct dirent *e;
  while ((e = readdir (d)) != NULL)
    if (!g_str_equal (e->d_name, ".") && !g_str_equal (e->d_name, ".."))
      g_ptr_array_add (names, g_strdup (e->d_name));
  for (guint i = 0; i < names->len; i++)
    remove_at (dirfd (d), names->pdata[i], depth + 1);
  closedir (d);
  unlinkat (dfd, name, AT_REMOVEDIR);
}

void
sim_publish_remove_tree (const char *path)
{
  g_return_if_fail (path != NULL);
  remove_at (AT_FDCWD, path, 0);
}

/* ---- Results directories -------------------------------------------- */

struct _SimPublish
{
  char *target;      /* as given, trailing slashes stripped */
  char *staging;     /* TARGET.tmp-XXXXXX */
  char *created_top; /* the first parent directory we created, or NULL */
  GStrv inputs;
  gboolean done; /* committed, or the staging directory is to be kept */
};

SimPublish *
sim_publish_begin (const char *out_dir, const char *const *inputs,
                   GError **error)
{
  g_return_val_if_fail (out_dir != NULL, NULL);
  if (!sim_publish_check_target (out_dir, inputs, error))
    return NULL;
  g_autoptr (SimPublish) pub = g_new0 (SimPublish, 1);
  pub->target = strip_slashes (out_dir);
  pub->inputs = g_strdupv ((char **) inputs);

  /* Parents: remember the topmost one we create, to remove it on abort. */
  g_autofree char *parent = g_path_get_dirname (pub->target);
  g_autofree char *top = NULL;
  char *p = g_strdup (parent);
  while (!g_file_test (p, G_FILE_TEST_EXISTS))
    {
      char *up = g_path_get_dirname (p);
      if (g_str_equal (up, p))
        {
          g_free (up);
          break;
        }
      g_free (top);
      top = p;
      p = up;
    }
  g_free (p);
  if (g_mkdir_with_parents (parent, 0755) != 0)
    {
      int e = errno;
      g_set_error (error, SIM_CLI_ERROR, SIM_CLI_ERROR_IO,
                   "cannot create %s: %s", parent, g_strerror (e));
      return NULL;
    }
  pub->created_top = g_steal_pointer (&top);
  g_autofree char *tmpl = g_strdup_printf ("%s.tmp-XXXXXX", pub->target);
  if (g_mkdtemp_full (tmpl, 0755) == NULL)
    {
      int e = errno;
      g_set_error (error, SIM_CLI_ERROR, SIM_CLI_ERROR_IO,
                   "cannot create a directory beside %s: %s", pub->target,
                   g_strerror (e));
      return NULL; /* the free below removes the parents we created */
    }
  pub->staging = g_steal_pointer (&tmpl);
  return g_steal_pointer (&pub);
}

const char *
sim_publish_staging_dir (const SimPublish *pub)
{
  g_return_val_if_fail (pub != NULL, NULL);
  return pub->staging;
}

static gboolean io_error (GError **error, const char *fmt, ...)
    G_GNUC_PRINTF (2, 3);

static gboolean
io_error (GError **error, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error_literal (error, SIM_CLI_ERROR, SIM_CLI_ERROR_IO, msg);
  return FALSE;
}

/* The two-step replacement, for file systems without RENAME_EXCHANGE. */
static gboolean
replace_by_renames (SimPublish *pub, GError **error)
{
  g_autofree char *old
      = g_strdup_printf ("%s.old-%d", pub->target, (int) getpid ());
  if (g_rename (pub->target, old) != 0)
    {
      int e = errno;
      return io_error (error, "cannot replace %s: %s", pub->target,
                       g_strerror (e));
    }
  if (g_rename (pub->staging, pub->target) != 0)
    {
      int e = errno;
      g_rename (old, pub->target); /* put the previous results back */
      return io_error (error, "cannot rename %s to %s: %s", pub->staging,
                       pub->target, g_strerror (e));
    }
  sim_publish_remove_tree (old);
  return TRUE;
}

gboolean
sim_publish_commit (SimPublish *pub, GError **error)
{
  g_return_val_if_fail (pub != NULL && !pub->done, FALSE);
  GError *e = NULL;
  if (!sim_publish_check_target (pub->target, (const char *const *) pub->inputs,
                                 &e))
    {
      /* Changed during the run: keep the finished results, replace
       * nothing. */
      pub->done = TRUE;
      g_set_error (error, SIM_CLI_ERROR, SIM_CLI_ERROR_INPUT,
                   "%s; the results were kept in %s", e->message, pub->staging);
      g_error_free (e);
      return FALSE;
    }
  GStatBuf st;
  if (g_lstat (pub->target, &st) != 0)
    {
      if (renameat2 (AT_FDCWD, pub->staging, AT_FDCWD, pub->target,
                     RENAME_NOREPLACE)
              == 0
          || ((errno == EINVAL || errno == ENOSYS)
              && g_rename (pub->staging, pub->target) == 0))
        {
          pub->done = TRUE;
          return TRUE;
        }
      int err = errno;
      return io_error (error, "cannot rename %s to %s: %s", pub->staging,
                       pub->target, g_strerror (err));
    }
  if (renameat2 (AT_FDCWD, pub->staging, AT_FDCWD, pub->target, RENAME_EXCHANGE)
      != 0)
    {
      if (errno != EINVAL && errno != ENOSYS)
        {
          int err = errno;
          return io_error (error, "cannot replace %s: %s", pub->target,
                           g_strerror (err));
        }
      if (!replace_by_renames (pub, error))
        return FALSE;
      pub->done = TRUE;
      return TRUE;
    }
  /* The staging path now holds what was at the target.  If it is not what
   * was checked (swapped since), put it back. */
  g_autofree char *why = NULL;
  if (g_lstat (pub->staging, &st) != 0 || !S_ISDIR (st.st_mode)
      || (why = why_not_results (pub->staging, 0)) != NULL)
    {
      renameat2 (AT_FDCWD, pub->staging, AT_FDCWD, pub->target,
                 RENAME_EXCHANGE);
      pub->done = TRUE;
      g_set_error (error, SIM_CLI_ERROR, SIM_CLI_ERROR_INPUT,
                   "--out %s: changed while the results were being put in "
                   "place; nothing replaced, the results were kept in %s",
                   pub->target, pub->staging);
      return FALSE;
    }
  sim_publish_remove_tree (pub->staging);
  pub->done = TRUE;
  return TRUE;
}

void
sim_publish_free (SimPublish *pub)
{
  if (pub == NULL)
    return;
  if (!pub->done)
    {
      if (pub->staging != NULL)
        sim_publish_remove_tree (pub->staging);
      /* The parents we created, deepest first, while empty. */
      if (pub->created_top != NULL)
        {
          g_autofree char *p = g_path_get_dirname (pub->target);
          while (g_rmdir (p) == 0 && !g_str_equal (p, pub->created_top))
            {
              char *up = g_path_get_dirname (p);
              g_free (p);
              p = up;
            }
        }
    }
  g_free (pub->target);
  g_free (pub->staging);
  g_free (pub->created_top);
  g_strfreev (pub->inputs);
  g_free (pub);
}

/* ---- Files of an existing directory --------------------------------- */

struct _SimPublishFiles
{
  GPtrArray *paths;    /* char * */
  GPtrArray *contents; /* GString * */
};

static void
string_free (gpointer s)
{
  g_string_free (s, TRUE);
}

SimPublishFiles *
sim_publish_files_new (void)
{
  SimPublishFiles *f = g_new0 (SimPublishFiles, 1);
  f->paths = g_ptr_array_new_with_free_func (g_free);
  f->contents = g_ptr_array_new_with_free_func (string_free);
  return f;
}

void
sim_publish_files_add (SimPublishFiles *files, const char *path,
                       const GString *contents)
{
  g_return_if_fail (files != NULL && path != NULL && contents != NULL);
  g_ptr_array_add (files->paths, g_strdup (path));
  g_ptr_array_add (files->contents,
                   g_string_new_len (contents->str, (gssize) contents->len));
}

static gboolean
write_all (int fd, const char *buf, gsize len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, buf, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      buf += n;
      len -= (gsize) n;
    }
  return TRUE;
}

gboolean
sim_publish_files_commit (SimPublishFiles *files, GError **error)
{
  g_return_val_if_fail (files != NULL, FALSE);
  guint n = files->paths->len;
  for (guint i = 0; i < n; i++)
    {
      const char *path = files->paths->pdata[i];
      GStatBuf st;
      if (g_lstat (path, &st) == 0 && !file_is_ours (path))
        return sim_cli_input_error (error,
                                    "%s exists and was not written by "
                                    "pastrysim; not replacing it",
                                    path);
    }
  g_autoptr (GPtrArray) tmps = g_ptr_array_new_with_free_func (g_free);
  gboolean ok = TRUE;
  for (guint i = 0; ok && i < n; i++)
    {
      const char *path = files->paths->pdata[i];
      const GString *s = files->contents->pdata[i];
      char *tmpl = g_strdup_printf ("%s.tmp-XXXXXX", path);
      int fd = g_mkstemp_full (tmpl, O_WRONLY | O_CLOEXEC, 0666);
      if (fd < 0)
        {
          int e = errno;
          g_free (tmpl);
          ok = io_error (error, "cannot write %s: %s", path, g_strerror (e));
          break;
        }
      g_ptr_array_add (tmps, tmpl);
      gboolean w = write_all (fd, s->str, s->len) && fsync (fd) == 0;
      int e = errno;
      if (close (fd) != 0 && w)
        {
          w = FALSE;
          e = errno;
        }
      if (!w)
        ok = io_error (error, "cannot write %s: %s", path, g_strerror (e));
    }
  if (!ok)
    {
      for (guint i = 0; i < tmps->len; i++)
        g_unlink (tmps->pdata[i]);
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    if (g_rename (tmps->pdata[i], files->paths->pdata[i]) != 0)
      {
        int e = errno;
        for (guint k = i; k < n; k++)
          g_unlink (tmps->pdata[k]);
        return io_error (error, "cannot rename %s to %s: %s",
                         (char *) tmps->pdata[i],
                         (char *) files->paths->pdata[i], g_strerror (e));
      }
  return TRUE;
}

void
sim_publish_files_free (SimPublishFiles *files)
{
  if (files == NULL)
    return;
  g_ptr_array_unref (files->paths);
  g_ptr_array_unref (files->contents);
  g_free (files);
}
