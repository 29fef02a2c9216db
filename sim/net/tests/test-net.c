/* test-net.c — tests of the network latency models (sim-net.h).
 *
 * Invariant checked throughout: latency is symmetric, 0 exactly on the
 * diagonal, and for the geometric models obeys the triangle inequality.
 * Randomised tests carry their seed in the test name.  Bad-input tests are
 * a table of (name, loader, content, error code, "line:col"); every case is
 * written to a fresh temporary directory.
 */
#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "sim-net-private.h"

#define SEED 20240611u

static char *tmp_dir;

/* Writes len bytes (or strlen if len < 0) to a new file in tmp_dir and
 * returns its path (owned). */
static char *
write_tmp (const char *name, const char *content, gssize len)
{
  char *path = g_build_filename (tmp_dir, name, NULL);
  GError *error = NULL;

  g_file_set_contents (path, content, len, &error);
  g_assert_no_error (error);
  return path;
}

static void
init_rng (SimRng *rng, guint64 seed)
{
  sim_rng_init (rng, seed, SIM_RNG_PURPOSE_TEST, 0);
}

/* Checks symmetry and the zero diagonal over every pair of the first n
 * nodes. */
static void
check_symmetric (const SimNet *net, guint32 n)
{
  for (guint32 a = 0; a < n; a++)
    {
      g_assert_cmpuint (sim_net_latency (net, a, a), ==, 0);
      for (guint32 b = a + 1; b < n; b++)
        g_assert_cmpuint (sim_net_latency (net, a, b), ==,
                          sim_net_latency (net, b, a));
    }
}

/* ---- bad input ---------------------------------------------------------- */

typedef enum
{
  LOAD_AUTO,
  LOAD_P2PSIM,
  LOAD_DENSE,
  LOAD_DENSE_MS,
  LOAD_TRIPLES,
  LOAD_COORDS,
  LOAD_MISSING_FILE,
} Loader;

typedef struct
{
  const char *name;
  Loader loader;
  const char *content;
  gssize len; /* -1: strlen */
  SimNetError code;
  const char *line_col;
} BadCase;

/* Content with embedded NUL bytes: the literal and its exact length. */
#define BIN(s) s, (gssize) (sizeof s - 1)

static const BadCase bad_cases[] = {
  { "empty-file", LOAD_AUTO, "", -1, SIM_NET_ERROR_EMPTY, "1:1" },
  { "comments-only", LOAD_AUTO, "# nothing\n\n   \n", -1,
    SIM_NET_ERROR_EMPTY, "1:1" },
  { "dense-non-numeric", LOAD_DENSE, "0 10 20\n10 0 30\n20 30 abc\n", -1,
    SIM_NET_ERROR_SYNTAX, "3:7" },
  { "dense-short-row", LOAD_DENSE, "0 1 2\n1 0\n2 1 0\n", -1,
    SIM_NET_ERROR_NOT_SQUARE, "2:4" },
  { "dense-long-row", LOAD_DENSE, "0 1\n1 0 5\n", -1,
    SIM_NET_ERROR_NOT_SQUARE, "2:5" },
  { "dense-missing-row", LOAD_DENSE, "0 1 2\n1 0 3\n", -1,
    SIM_NET_ERROR_NOT_SQUARE, "3:1" },
  { "dense-missing-row-no-newline", LOAD_DENSE, "0 1 2\n1 0 3", -1,
    SIM_NET_ERROR_NOT_SQUARE, "2:6" },
  { "dense-wide-short", LOAD_DENSE, "0 1 2 3\n1 0\n", -1,
    SIM_NET_ERROR_NOT_SQUARE, "2:4" },
  { "dense-extra-row", LOAD_DENSE, "0 1\n1 0\n  2 2\n", -1,
    SIM_NET_ERROR_NOT_SQUARE, "3:3" },
  { "dense-nan", LOAD_DENSE, "0 nan\nnan 0\n", -1, SIM_NET_ERROR_SYNTAX,
    "1:3" },
  { "dense-inf", LOAD_DENSE, "0 1\n-inf 0\n", -1, SIM_NET_ERROR_SYNTAX,
    "2:1" },
  { "dense-hex-float", LOAD_DENSE, "0 0x1p4\n1 0\n", -1,
    SIM_NET_ERROR_SYNTAX, "1:3" },
  { "dense-overflow", LOAD_DENSE, "0 1e999\n1 0\n", -1, SIM_NET_ERROR_RANGE,
    "1:3" },
  { "dense-too-large", LOAD_DENSE, "0 4e9\n1 0\n", -1, SIM_NET_ERROR_RANGE,
    "1:3" },
  { "dense-negative-overflow", LOAD_DENSE, "0 -1e999\n1 0\n", -1,
    SIM_NET_ERROR_RANGE, "1:3" },
  { "dense-diagonal-nonzero", LOAD_DENSE, "0 1\n1 7\n", -1,
    SIM_NET_ERROR_RANGE, "2:3" },
  { "dense-all-unknown", LOAD_DENSE, "0 -1\n-1 0\n", -1, SIM_NET_ERROR_EMPTY,
    "1:1" },
  { "dense-one-host", LOAD_DENSE, "0\n", -1, SIM_NET_ERROR_EMPTY, "1:1" },
  { "dense-crlf-tab", LOAD_AUTO, "0\t10\r\n10\tx\r\n", -1,
    SIM_NET_ERROR_SYNTAX, "2:4" },
  { "binary-garbage", LOAD_AUTO, BIN ("\x00\x01\xff\xfe garbage\n\x7f"),
    SIM_NET_ERROR_SYNTAX, "1:1" },
  /* A NUL byte is reported where it is, before the line is parsed. */
  { "nul-inside-number", LOAD_DENSE, BIN ("0 1\x00" "2\n1 0\n"),
    SIM_NET_ERROR_SYNTAX, "1:4" },
  { "nul-on-line-2", LOAD_AUTO, BIN ("0 1\n1 \x00\n"),
    SIM_NET_ERROR_SYNTAX, "2:3" },
  { "nul-in-triples", LOAD_TRIPLES, BIN ("0 1 5\n\x00"),
    SIM_NET_ERROR_SYNTAX, "2:1" },
  { "p2psim-bad-header", LOAD_AUTO, "topology Euclidean 3\n", -1,
    SIM_NET_ERROR_SYNTAX, "1:10" },
  { "p2psim-no-header", LOAD_P2PSIM, "1,2 10\n", -1, SIM_NET_ERROR_SYNTAX,
    "1:1" },
  { "p2psim-zero-nodes", LOAD_AUTO, "topology E2EGraph 0\n", -1,
    SIM_NET_ERROR_RANGE, "1:19" },
  { "p2psim-huge-nodes", LOAD_AUTO,
    "topology E2EGraph 99999999999999999999999\n", -1, SIM_NET_ERROR_RANGE,
    "1:19" },
  { "p2psim-truncated-line", LOAD_AUTO,
    "topology E2EGraph 3\nnode 1\nnode 2\nnode 3\n1,2 10\n1,3 20\n2,", -1,
    SIM_NET_ERROR_SYNTAX, "7:3" },
  { "p2psim-missing-latency", LOAD_AUTO,
    "topology E2EGraph 2\n1,2\n", -1, SIM_NET_ERROR_SYNTAX, "2:4" },
  { "p2psim-missing-pair", LOAD_AUTO,
    "topology E2EGraph 3\n1,2 10\n1,3 20\n", -1, SIM_NET_ERROR_MISSING,
    "4:1" },
  { "p2psim-id-out-of-range", LOAD_AUTO, "topology E2EGraph 2\n1,3 10\n", -1,
    SIM_NET_ERROR_RANGE, "2:3" },
  { "p2psim-id-zero", LOAD_AUTO, "topology E2EGraph 2\n0,1 10\n", -1,
    SIM_NET_ERROR_RANGE, "2:1" },
  { "p2psim-duplicate-pair", LOAD_AUTO,
    "topology E2EGraph 2\n1,2 10\n2,1 10\n", -1, SIM_NET_ERROR_DUPLICATE,
    "3:1" },
  { "p2psim-duplicate-node", LOAD_AUTO,
    "topology E2EGraph 2\nnode 1\nnode 1\n", -1, SIM_NET_ERROR_DUPLICATE,
    "3:6" },
  { "p2psim-self-pair", LOAD_AUTO, "topology E2EGraph 2\n2,2 10\n", -1,
    SIM_NET_ERROR_RANGE, "2:1" },
  { "p2psim-trailing-token", LOAD_AUTO, "topology E2EGraph 2\n1,2 10 ms\n",
    -1, SIM_NET_ERROR_SYNTAX, "2:8" },
  { "p2psim-unknown-keyword", LOAD_AUTO, "topology E2EGraph 2\nfoo bar\n",
    -1, SIM_NET_ERROR_SYNTAX, "2:1" },
  { "p2psim-all-unknown", LOAD_AUTO, "topology E2EGraph 2\n1,2 -1\n", -1,
    SIM_NET_ERROR_EMPTY, "1:1" },
  /* Found by fuzzing (corpus/net-matrix/timeout-p2psim-huge-header): the
   * header alone made the loader allocate and sweep a 4·N² table.  A file
   * too short for all pairs is now checked without it, same errors. */
  { "p2psim-huge-short-fuzz", LOAD_AUTO,
    BIN ("topology E2EGraph 11633\n828failure_m\0ConstantFailureModel\n"),
    SIM_NET_ERROR_SYNTAX, "2:13" }, /* the NUL byte, found first */
  { "p2psim-huge-missing", LOAD_AUTO, "topology E2EGraph 16384\n1,2 10\n",
    -1, SIM_NET_ERROR_MISSING, "3:1" },
  { "p2psim-huge-duplicate", LOAD_AUTO,
    "topology E2EGraph 9999\n1,2 10\n2,1 10\n", -1,
    SIM_NET_ERROR_DUPLICATE, "3:1" },
  { "p2psim-short-by-one-byte", LOAD_AUTO,
    "topology E2EGraph 3\n1,2 1\n1,3 1\n2,3 \n", -1, SIM_NET_ERROR_SYNTAX,
    "4:5" },
  { "triples-duplicate", LOAD_TRIPLES, "0 1 10\n1 2 20\n 0 1 15\n", -1,
    SIM_NET_ERROR_DUPLICATE, "3:2" },
  { "triples-negative-id", LOAD_TRIPLES, "0 -1 10\n", -1,
    SIM_NET_ERROR_SYNTAX, "1:3" },
  { "triples-id-too-large", LOAD_TRIPLES, "0 1 5\n0 99999 10\n", -1,
    SIM_NET_ERROR_RANGE, "2:3" },
  { "triples-too-many-hosts", LOAD_TRIPLES, "0 1 5\n1 16384 10\n", -1,
    SIM_NET_ERROR_RANGE, "2:3" },
  { "triples-missing-field", LOAD_TRIPLES, "0 1 5\n0 1\n", -1,
    SIM_NET_ERROR_SYNTAX, "2:4" },
  { "triples-self-pair", LOAD_TRIPLES, "1 1 5\n", -1, SIM_NET_ERROR_RANGE,
    "1:5" },
  /* Found by fuzzing (sim/fuzz/corpus/net-matrix/timeout-triples-host-gap):
   * one line named host 10000, so a 29-byte file built a 400 MB table. */
  { "triples-host-gap-fuzz", LOAD_AUTO,
    BIN ("0 10000 5\n# ce93]\xa2" "40000000 0\n"), SIM_NET_ERROR_MISSING,
    "3:1" },
  { "triples-host-gap", LOAD_TRIPLES, "1 2 5\n2 4 7", -1,
    SIM_NET_ERROR_MISSING, "2:6" },
  { "triples-host-gap-base", LOAD_TRIPLES, "2 3 5\n", -1,
    SIM_NET_ERROR_MISSING, "2:1" },
  { "missing-file", LOAD_MISSING_FILE, NULL, 0, SIM_NET_ERROR_IO, "0:0" },
  { "coords-empty", LOAD_COORDS, "", -1, SIM_NET_ERROR_EMPTY, "1:1" },
  { "coords-garbage", LOAD_COORDS, "\x01\x02garbage", -1,
    SIM_NET_ERROR_SYNTAX, "1:1" },
  { "coords-truncated", LOAD_COORDS,
    "<nodelist dimensions=\"2\">\n<node isroot=\"0\">\n<coord> 1 </coord>\n",
    -1, SIM_NET_ERROR_SYNTAX, "4:1" },
  { "coords-truncated-tag", LOAD_COORDS, "<nodelist dimensions=\"2\"", -1,
    SIM_NET_ERROR_SYNTAX, "1:25" },
  { "coords-non-numeric", LOAD_COORDS,
    "<nodelist dimensions=\"2\">\n"
    "<node><coord> 1 </coord><coord> x1 </coord></node></nodelist>",
    -1, SIM_NET_ERROR_SYNTAX, "2:33" },
  { "coords-overflow", LOAD_COORDS,
    "<nodelist dimensions=\"1\"><node><coord>1e400</coord></node>"
    "</nodelist>",
    -1, SIM_NET_ERROR_RANGE, "1:39" },
  { "coords-missing-coord", LOAD_COORDS,
    "<nodelist dimensions=\"2\"><node><coord>1</coord></node></nodelist>",
    -1, SIM_NET_ERROR_MISSING, "1:48" },
  { "coords-extra-coord", LOAD_COORDS,
    "<nodelist dimensions=\"1\"><node><coord>1</coord><coord>2</coord>"
    "</node></nodelist>",
    -1, SIM_NET_ERROR_SYNTAX, "1:48" },
  { "coords-bad-dimensions", LOAD_COORDS,
    "<nodelist dimensions=\"0\"></nodelist>", -1, SIM_NET_ERROR_RANGE,
    "1:23" },
  { "coords-no-dimensions", LOAD_COORDS, "<nodelist>\n</nodelist>", -1,
    SIM_NET_ERROR_MISSING, "1:1" },
  { "coords-no-nodes", LOAD_COORDS,
    "<nodelist dimensions=\"2\">\n</nodelist>\n", -1, SIM_NET_ERROR_EMPTY,
    "2:1" },
  { "coords-rootnodes-mismatch", LOAD_COORDS,
    "<nodelist dimensions=\"1\" rootnodes=\"2\">"
    "<node isroot=\"1\"><coord>1</coord></node></nodelist>",
    -1, SIM_NET_ERROR_RANGE, "1:37" },
  { "coords-trailing-junk", LOAD_COORDS,
    "<nodelist dimensions=\"1\"><node><coord>1</coord></node></nodelist>\n"
    "junk",
    -1, SIM_NET_ERROR_SYNTAX, "2:1" },
  { "coords-unterminated-comment", LOAD_COORDS, "<!-- never closed", -1,
    SIM_NET_ERROR_SYNTAX, "1:1" },
  { "coords-unterminated-attribute", LOAD_COORDS,
    "<nodelist dimensions=\"2>\n<node>", -1, SIM_NET_ERROR_SYNTAX, "1:22" },
};

static SimNet *
load (Loader loader, const char *path, GError **error)
{
  switch (loader)
    {
    case LOAD_AUTO:
    case LOAD_MISSING_FILE:
      return sim_net_new_matrix_file (path, SIM_NET_MATRIX_AUTO, 0, error);
    case LOAD_P2PSIM:
      return sim_net_new_matrix_file (path, SIM_NET_MATRIX_P2PSIM, 0, error);
    case LOAD_DENSE:
      return sim_net_new_matrix_file (path, SIM_NET_MATRIX_DENSE, 0, error);
    case LOAD_DENSE_MS:
      return sim_net_new_matrix_file (path, SIM_NET_MATRIX_DENSE_MS, 0,
                                      error);
    case LOAD_TRIPLES:
      return sim_net_new_matrix_file (path, SIM_NET_MATRIX_TRIPLES, 0, error);
    case LOAD_COORDS:
      return sim_net_new_coords_file (path, error);
    default:
      g_assert_not_reached ();
    }
}

static void
test_bad_input (gconstpointer data)
{
  const BadCase *c = data;
  g_autofree char *path = NULL;
  g_autofree char *prefix = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (SimNet) net = NULL;

  if (c->loader == LOAD_MISSING_FILE)
    path = g_build_filename (tmp_dir, "does-not-exist.txt", NULL);
  else
    path = write_tmp (c->name, c->content, c->len);

  net = load (c->loader, path, &error);
  g_assert_null (net);
  g_assert_error (error, SIM_NET_ERROR, (gint) c->code);
  prefix = g_strdup_printf ("%s:%s: ", path, c->line_col);
  if (!g_str_has_prefix (error->message, prefix))
    g_error ("case %s: message '%s' does not start with '%s'", c->name,
             error->message, prefix);
  g_test_message ("%s", error->message);
}

/* The example from the brief, checked word for word. */
static void
test_bad_message_text (void)
{
  g_autofree char *path = write_tmp ("m.txt", "0 10 20\n10 0 30\n20 30 abc\n",
                                     -1);
  g_autofree char *want = g_strdup_printf ("%s:3:7: non-numeric latency 'abc'",
                                           path);
  g_autoptr (GError) error = NULL;
  g_autoptr (SimNet) net = NULL;

  net = sim_net_new_matrix_file (path, SIM_NET_MATRIX_AUTO, 0, &error);
  g_assert_null (net);
  g_assert_cmpstr (error->message, ==, want);
}

/* Checks that a loader result is either a model or a well-formed error. */
static void
check_outcome (SimNet *net, GError *error, const char *path)
{
  g_autoptr (GRegex) re = NULL;
  g_autofree char *pattern = NULL;
  g_autofree char *quoted = g_regex_escape_string (path, -1);

  if (net != NULL)
    {
      g_assert_null (error);
      g_assert_cmpuint (sim_net_host_count (net), >, 0);
      return;
    }
  g_assert_nonnull (error);
  g_assert_true (error->domain == SIM_NET_ERROR);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  pattern = g_strdup_printf ("^%s:[1-9][0-9]*:[1-9][0-9]*: [^ ]", quoted);
  re = g_regex_new (pattern, 0, 0, NULL);
  if (!g_regex_match (re, error->message, 0, NULL))
    g_error ("malformed message '%s'", error->message);
}

static const char small_p2psim[]
    = "topology E2EGraph 3\nfailure_model ConstantFailureModel delay=1\n"
      "loss_rate 0\n\nnode 1\nnode 2\nnode 3\n# comment\n1,2 10\n1,3 -1\n"
      "2,3 0\n";
static const char small_dense[] = "0 10000 -1\n20000 0 40000\n-1 40000 0\n";
static const char small_triples[] = "1 2 30\n2 3 50.5\n# c\n3 1 -1\n";
static const char small_coords[]
    = "<?xml version=\"1.0\"?>\n<!-- test -->\n"
      "<nodelist dimensions=\"2\" rootnodes=\"1\">\n"
      "\t<node isroot=\"1\">\n\t\t<coord> 0 </coord>\n\t\t<coord> 0 </coord>"
      "\n\t</node>\n"
      "\t<node isroot=\"0\" ip=\"c050001\">\n\t\t<coord> 3 </coord>\n"
      "\t\t<coord> 4 </coord>\n\t</node>\n</nodelist>\n";

/* Every prefix of every small valid file loads or fails cleanly. */
static void
test_robust_prefixes (void)
{
  const char *files[] = { small_p2psim, small_dense, small_triples,
                          small_coords };

  for (gsize f = 0; f < G_N_ELEMENTS (files); f++)
    for (gsize len = 0; len <= strlen (files[f]); len++)
      {
        g_autofree char *path = write_tmp ("prefix", files[f], (gssize) len);
        GError *error = NULL;
        SimNet *net = f == 3 ? sim_net_new_coords_file (path, &error)
                             : sim_net_new_matrix_file (
                                   path, SIM_NET_MATRIX_AUTO, 0, &error);

        check_outcome (net, error, path);
        sim_net_free (net);
        g_clear_error (&error);
      }
}

/* Random byte overwrites of the small files load or fail cleanly. */
static void
test_robust_mutations (gconstpointer data)
{
  guint64 seed = GPOINTER_TO_SIZE (data);
  const char *files[] = { small_p2psim, small_dense, small_triples,
                          small_coords };
  const char alphabet[] = "0123456789,.-+eE \t\n\r#<>/=\"x\x00\xff";
  SimRng rng;

  init_rng (&rng, seed);
  for (int round = 0; round < 2000; round++)
    {
      gsize f = round % G_N_ELEMENTS (files);
      g_autofree char *buf = g_strdup (files[f]);
      gsize len = strlen (buf);
      g_autofree char *path = NULL;
      GError *error = NULL;
      SimNet *net;
      int flips = 1 + (int) sim_rng_uniform_u64 (&rng, 3);

      for (int k = 0; k < flips; k++)
        buf[sim_rng_uniform_u64 (&rng, len)]
            = alphabet[sim_rng_uniform_u64 (&rng, sizeof alphabet - 1)];
      path = write_tmp ("mutant", buf, (gssize) len);
      net = f == 3 ? sim_net_new_coords_file (path, &error)
                   : sim_net_new_matrix_file (path, SIM_NET_MATRIX_AUTO, 0,
                                              &error);
      check_outcome (net, error, path);
      if (net != NULL)
        {
          guint32 h = sim_net_host_count (net);

          for (guint32 a = 0; a < h; a++)
            for (guint32 b = 0; b < h; b++)
              {
                SimTime l = sim_net_host_latency (net, a, b);

                g_assert_cmpuint (l, ==, sim_net_host_latency (net, b, a));
                g_assert_cmpuint (l, <=, SIM_NET_MAX_LATENCY);
                g_assert_true ((l == 0) == (a == b) || f == 3);
              }
        }
      sim_net_free (net);
      g_clear_error (&error);
    }
}

/* A line far longer than any buffer: a 1 MB run of digits, then a 1 MB
 * comment line before valid data. */
static void
test_robust_long_lines (void)
{
  GString *s = g_string_new ("0 ");
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (SimNet) net = NULL;

  for (int i = 0; i < 1 << 20; i++)
    g_string_append_c (s, '1');
  g_string_append (s, "\n1 0\n");
  path = write_tmp ("long", s->str, (gssize) s->len);
  net = sim_net_new_matrix_file (path, SIM_NET_MATRIX_DENSE, 0, &error);
  g_assert_null (net);
  g_assert_error (error, SIM_NET_ERROR, SIM_NET_ERROR_SYNTAX);
  g_clear_error (&error);
  g_free (path);

  g_string_assign (s, "#");
  for (int i = 0; i < 1 << 20; i++)
    g_string_append_c (s, 'x');
  g_string_append (s, "\n0 5000\n5000 0\n");
  path = write_tmp ("long-comment", s->str, (gssize) s->len);
  net = sim_net_new_matrix_file (path, SIM_NET_MATRIX_DENSE, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sim_net_host_latency (net, 0, 1), ==, 2500);
  g_string_free (s, TRUE);
}

/* ---- good input --------------------------------------------------------- */

static SimNet *
load_string (const char *name, const char *content, SimNetMatrixFormat fmt,
             SimTime access)
{
  g_autofree char *path = write_tmp (name, content, -1);
  GError *error = NULL;
  SimNet *net = sim_net_new_matrix_file (path, fmt, access, &error);

  g_assert_no_error (error);
  g_assert_nonnull (net);
  return net;
}

static void
assert_contains (const char *haystack, const char *needle)
{
  if (strstr (haystack, needle) == NULL)
    g_error ("'%s' does not contain '%s'", haystack, needle);
}

/* The loaders allocate the table only when the file is long enough to fill
 * it (p2psim: 6·pairs - 1 bytes after the header; dense: 2N² - 1 bytes).
 * Files of exactly that length load; one byte less cannot be complete and
 * fails with the error of the full parse. */
static void
test_boundary_minimal_files (void)
{
  static const struct
  {
    const char *content;
    gboolean ok;
    SimNetError code;
  } cases[] = {
    { "topology E2EGraph 3\n1,2 1\n1,3 1\n2,3 1", TRUE, 0 },
    { "topology E2EGraph 3\n1,2 1\n1,3 1\n2,3 ", FALSE,
      SIM_NET_ERROR_SYNTAX },
    { "topology E2EGraph 3\n1,2 1\n1,3 1\n", FALSE, SIM_NET_ERROR_MISSING },
    { "0 1 2\n1 0 3\n2 3 0", TRUE, 0 },
    { "0 1 2\n1 0 3\n2 3 ", FALSE, SIM_NET_ERROR_NOT_SQUARE },
    { "0 1\n1 0", TRUE, 0 },
    { "0 1\n1 ", FALSE, SIM_NET_ERROR_NOT_SQUARE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (SimNet) net = sim_net_new_matrix_data (
          "min.txt", cases[i].content, strlen (cases[i].content),
          SIM_NET_MATRIX_AUTO, 0, &error);

      if (cases[i].ok)
        {
          g_assert_no_error (error);
          g_assert_cmpuint (sim_net_host_count (net), ==, 3 - (i == 5));
        }
      else
        g_assert_error (error, SIM_NET_ERROR, (gint) cases[i].code);
    }
}

/* The in-memory loaders give the same model and the same errors as the
 * file loaders. */
static void
test_data_loaders (void)
{
  const char *files[] = { small_p2psim, small_dense, small_triples };

  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = write_tmp ("d.txt", files[i], -1);
      g_autoptr (SimNet) a = sim_net_new_matrix_file (path,
                                                      SIM_NET_MATRIX_AUTO, 7,
                                                      NULL);
      g_autoptr (SimNet) b = sim_net_new_matrix_data (
          "d.txt", files[i], strlen (files[i]), SIM_NET_MATRIX_AUTO, 7, NULL);
      g_autofree char *da = sim_net_describe (a);
      g_autofree char *db = sim_net_describe (b);

      g_assert_cmpstr (da, ==, db);
      for (guint32 x = 0; x < sim_net_host_count (a); x++)
        for (guint32 y = 0; y < sim_net_host_count (a); y++)
          g_assert_cmpuint (sim_net_host_latency (a, x, y), ==,
                            sim_net_host_latency (b, x, y));
    }
  {
    g_autofree char *path = write_tmp ("c.xml", small_coords, -1);
    g_autoptr (SimNet) a = sim_net_new_coords_file (path, NULL);
    g_autoptr (SimNet) b = sim_net_new_coords_data (
        "c.xml", small_coords, strlen (small_coords), NULL);
    g_autofree char *da = sim_net_describe (a);
    g_autofree char *db = sim_net_describe (b);

    g_assert_cmpstr (da, ==, db);
  }
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (SimNet) net = sim_net_new_matrix_data ("e.txt", NULL, 0,
                                                      SIM_NET_MATRIX_AUTO, 0,
                                                      &error);
    g_assert_null (net);
    g_assert_error (error, SIM_NET_ERROR, SIM_NET_ERROR_EMPTY);
    g_assert_true (g_str_has_prefix (error->message, "e.txt:1:1: "));
  }
}

/* p2psim: values are RTT ms, halved; 0 becomes 1 ms; -1 is filled with the
 * upper median of the known one-way latencies. */
static void
test_p2psim_small (void)
{
  SimNetMatrixFormat fmts[] = { SIM_NET_MATRIX_AUTO, SIM_NET_MATRIX_P2PSIM };

  for (gsize k = 0; k < G_N_ELEMENTS (fmts); k++)
    {
      g_autoptr (SimNet) net = load_string ("p2psim.top", small_p2psim,
                                            fmts[k], 0);
      g_autofree char *desc = sim_net_describe (net);

      g_assert_cmpuint (sim_net_host_count (net), ==, 3);
      g_assert_cmpuint (sim_net_host_latency (net, 0, 1), ==, 5000);
      g_assert_cmpuint (sim_net_host_latency (net, 1, 2), ==, 500);
      /* Known one-way {500, 5000}: the upper median is 5000. */
      g_assert_cmpuint (sim_net_host_latency (net, 0, 2), ==, 5000);
      g_assert_cmpuint (sim_net_host_latency (net, 2, 0), ==, 5000);
      g_assert_cmpuint (sim_net_host_latency (net, 1, 1), ==, 0);
      assert_contains (desc, "format=p2psim unit=ms ");
      assert_contains (desc, "pairs=3 unknown=1 fill=median fill_us=5000");
    }
}

/* Dense µs: asymmetric pairs are averaged, then halved. */
static void
test_dense_us (void)
{
  g_autoptr (SimNet) net = load_string ("dense.txt", small_dense,
                                        SIM_NET_MATRIX_DENSE, 0);
  g_autofree char *desc = sim_net_describe (net);

  g_assert_cmpuint (sim_net_host_count (net), ==, 3);
  g_assert_cmpuint (sim_net_host_latency (net, 0, 1), ==, 7500);
  g_assert_cmpuint (sim_net_host_latency (net, 1, 0), ==, 7500);
  g_assert_cmpuint (sim_net_host_latency (net, 1, 2), ==, 20000);
  g_assert_cmpuint (sim_net_host_latency (net, 0, 2), ==, 20000);
  assert_contains (desc, "format=dense unit=us ");
}

/* The unit guess: a median below 1000 means ms, otherwise µs. */
static void
test_dense_auto_units (void)
{
  g_autoptr (SimNet) ms = load_string ("auto-ms.txt",
                                       "0 10.5 20\n10.5 0 30\n20 30 0\n",
                                       SIM_NET_MATRIX_AUTO, 0);
  g_autoptr (SimNet) us = load_string ("auto-us.txt",
                                       "0\t50000\n50000\t0\n",
                                       SIM_NET_MATRIX_AUTO, 0);
  g_autoptr (SimNet) declared = load_string ("declared-ms.txt",
                                             "0 50000\n50000 0\n",
                                             SIM_NET_MATRIX_DENSE_MS, 0);
  g_autofree char *d1 = sim_net_describe (ms);
  g_autofree char *d2 = sim_net_describe (us);

  g_assert_cmpuint (sim_net_host_latency (ms, 0, 1), ==, 5250);
  g_assert_cmpuint (sim_net_host_latency (ms, 0, 2), ==, 10000);
  g_assert_cmpuint (sim_net_host_latency (ms, 1, 2), ==, 15000);
  assert_contains (d1, "format=dense unit=ms_guessed");
  g_assert_cmpuint (sim_net_host_latency (us, 0, 1), ==, 25000);
  assert_contains (d2, "format=dense unit=us_guessed");
  g_assert_cmpuint (sim_net_host_latency (declared, 0, 1), ==, 25000000);
}

/* Halving rounds up, and a zero RTT between distinct hosts is one unit. */
static void
test_dense_rounding (void)
{
  g_autoptr (SimNet) net = load_string ("odd.txt", "0 3 0\n3 0 1\n0 1 0\n",
                                        SIM_NET_MATRIX_DENSE, 0);

  g_assert_cmpuint (sim_net_host_latency (net, 0, 1), ==, 2);
  g_assert_cmpuint (sim_net_host_latency (net, 1, 2), ==, 1);
  g_assert_cmpuint (sim_net_host_latency (net, 0, 2), ==, 1);
}

/* Triples: 1-based when id 0 is absent; unknown and absent pairs are
 * filled; auto-detected layout. */
static void
test_triples (void)
{
  g_autoptr (SimNet) one = load_string ("t1.txt", small_triples,
                                        SIM_NET_MATRIX_TRIPLES_MS, 0);
  g_autoptr (SimNet) zero = load_string ("t0.txt",
                                         "0 1 30000\n1 2 50000\n0 3 10000\n"
                                         "1 0 10000\n",
                                         SIM_NET_MATRIX_AUTO, 0);
  g_autofree char *desc = sim_net_describe (zero);

  g_assert_cmpuint (sim_net_host_count (one), ==, 3);
  g_assert_cmpuint (sim_net_host_latency (one, 0, 1), ==, 15000);
  g_assert_cmpuint (sim_net_host_latency (one, 1, 2), ==, 25250);
  g_assert_cmpuint (sim_net_host_latency (one, 0, 2), ==, 25250);

  g_assert_cmpuint (sim_net_host_count (zero), ==, 4);
  /* Both directions given: averaged. */
  g_assert_cmpuint (sim_net_host_latency (zero, 0, 1), ==, 10000);
  g_assert_cmpuint (sim_net_host_latency (zero, 1, 2), ==, 25000);
  g_assert_cmpuint (sim_net_host_latency (zero, 0, 3), ==, 5000);
  /* Known {5000, 10000, 25000}: median 10000 fills the other three. */
  g_assert_cmpuint (sim_net_host_latency (zero, 2, 3), ==, 10000);
  g_assert_cmpuint (sim_net_host_latency (zero, 1, 3), ==, 10000);
  assert_contains (desc, "format=triples unit=us_guessed one_way=rtt/2 "
                         "hosts=4 pairs=6 unknown=3");
}

/* A 3 × 3 file with a zero diagonal is a dense matrix; otherwise three
 * triples. */
static void
test_detect_3x3 (void)
{
  g_autoptr (SimNet) dense = load_string ("3x3.txt",
                                          "0 10 20\n10 0 30\n20 30 0\n",
                                          SIM_NET_MATRIX_AUTO, 0);
  g_autoptr (SimNet) triples = load_string ("3t.txt",
                                            "0 1 10\n0 2 20\n1 2 30\n",
                                            SIM_NET_MATRIX_AUTO, 0);
  g_autofree char *d1 = sim_net_describe (dense);
  g_autofree char *d2 = sim_net_describe (triples);

  assert_contains (d1, "format=dense");
  assert_contains (d2, "format=triples");
  g_assert_cmpuint (sim_net_host_latency (triples, 1, 2), ==, 15000);
}

/* Host reuse: the first H nodes get distinct hosts, later ones are dealt
 * evenly; co-located nodes are 2 × access apart; access adds at both ends. */
static void
test_host_reuse (gconstpointer data)
{
  guint64 seed = GPOINTER_TO_SIZE (data);
  g_autoptr (SimNet) net = load_string ("reuse.txt",
                                        "0 10 20 30 40 50 60\n"
                                        "10 0 1 2 3 4 5\n"
                                        "20 1 0 6 7 8 9\n"
                                        "30 2 6 0 1 2 3\n"
                                        "40 3 7 1 0 4 5\n"
                                        "50 4 8 2 4 0 6\n"
                                        "60 5 9 3 5 6 0\n",
                                        SIM_NET_MATRIX_DENSE_MS, 1000);
  const guint32 h = 7, rounds = 5;
  guint32 uses[7] = { 0 };
  SimRng rng;

  init_rng (&rng, seed);
  g_assert_cmpuint (sim_net_get_access_delay (net), ==, 1000);
  for (guint32 r = 0; r < rounds; r++)
    {
      gboolean seen[7] = { FALSE };

      for (guint32 k = 0; k < h; k++)
        {
          guint32 node = sim_net_add_node (net, &rng);
          guint32 host = sim_net_node_host (net, node);

          g_assert_cmpuint (node, ==, r * h + k);
          g_assert_false (seen[host]);
          seen[host] = TRUE;
          uses[host]++;
        }
    }
  for (guint32 k = 0; k < h; k++)
    g_assert_cmpuint (uses[k], ==, rounds);

  check_symmetric (net, h * rounds);
  for (guint32 a = 0; a < h * rounds; a++)
    for (guint32 b = 0; b < h * rounds; b++)
      {
        guint32 ha = sim_net_node_host (net, a);
        guint32 hb = sim_net_node_host (net, b);
        SimTime want = a == b ? 0 : sim_net_host_latency (net, ha, hb) + 2000;

        g_assert_cmpuint (sim_net_latency (net, a, b), ==, want);
        g_assert_cmpuint (sim_net_proximity (net, a, b), ==, want);
      }

  /* Explicit placement, and changing the access delay later. */
  {
    guint32 x = sim_net_add_node_on_host (net, 3);
    guint32 y = sim_net_add_node_on_host (net, 3);
    guint32 z = sim_net_add_node_on_host (net, 0);

    g_assert_cmpuint (sim_net_latency (net, x, y), ==, 2000);
    sim_net_set_access_delay (net, 0);
    g_assert_cmpuint (sim_net_latency (net, x, y), ==, 0);
    g_assert_cmpuint (sim_net_latency (net, x, z), ==, 15000);
  }
}

/* The same seed gives the same placement; sim_net_reserve changes nothing. */
static void
test_placement_deterministic (void)
{
  g_autoptr (SimNet) a = sim_net_new_euclidean (1000.0, 0.1);
  g_autoptr (SimNet) b = sim_net_new_euclidean (1000.0, 0.1);
  SimRng ra, rb;

  init_rng (&ra, SEED);
  init_rng (&rb, SEED);
  sim_net_reserve (b, 1000);
  for (int i = 0; i < 1000; i++)
    {
      sim_net_add_node (a, &ra);
      sim_net_add_node (b, &rb);
    }
  for (guint32 i = 0; i < 999; i++)
    g_assert_cmpuint (sim_net_latency (a, i, i + 1), ==,
                      sim_net_latency (b, i, i + 1));
}

/* ---- geometric models --------------------------------------------------- */

/* Mean Euclidean distance between two uniform points of the unit square. */
#define SQUARE_MEAN_DISTANCE 0.5214054331647207

static void
check_geometry (SimNet *net, guint64 seed, guint32 n, double expect_mean_us,
                SimTime max_us)
{
  SimRng rng;
  double sum = 0.0;
  const int samples = 1000000;

  init_rng (&rng, seed);
  for (guint32 i = 0; i < n; i++)
    g_assert_cmpuint (sim_net_add_node (net, &rng), ==, i);
  g_assert_cmpuint (sim_net_node_count (net), ==, n);

  check_symmetric (net, 300);
  for (int k = 0; k < 200000; k++)
    {
      guint32 a = (guint32) sim_rng_uniform_u64 (&rng, n);
      guint32 b = (guint32) sim_rng_uniform_u64 (&rng, n);
      guint32 c = (guint32) sim_rng_uniform_u64 (&rng, n);

      /* Exact: distances are rounded up, which preserves the inequality. */
      g_assert_cmpuint (sim_net_latency (net, a, c), <=,
                        sim_net_latency (net, a, b)
                            + sim_net_latency (net, b, c));
    }
  for (int k = 0; k < samples; k++)
    {
      guint32 a = (guint32) sim_rng_uniform_u64 (&rng, n);
      guint32 b = (guint32) sim_rng_uniform_u64 (&rng, n);
      SimTime l = sim_net_latency (net, a, b);

      g_assert_cmpuint (l, <=, max_us);
      sum += (double) l;
    }
  g_test_message ("mean %.1f µs, expected %.1f µs", sum / samples,
                  expect_mean_us);
  g_assert_cmpfloat (fabs (sum / samples - expect_mean_us), <,
                     0.01 * expect_mean_us);
}

static void
test_euclidean (gconstpointer data)
{
  guint64 seed = GPOINTER_TO_SIZE (data);
  g_autoptr (SimNet) net = sim_net_new_euclidean (
      SIM_NET_EUCLIDEAN_DEFAULT_SIDE, SIM_NET_EUCLIDEAN_DEFAULT_MS_PER_UNIT);
  g_autofree char *desc = sim_net_describe (net);

  /* 0.5214 × 1000 units × 0.1 ms = 52.14 ms. */
  check_geometry (net, seed, 20000, SQUARE_MEAN_DISTANCE * 1000 * 100,
                  (SimTime) ceil (1000 * G_SQRT2 * 100));
  assert_contains (desc, "net=euclidean side=1000 ms_per_unit=0.1 ");
  g_assert_cmpuint (sim_net_host_count (net), ==, 0);
}

static void
test_sphere (gconstpointer data)
{
  guint64 seed = GPOINTER_TO_SIZE (data);
  g_autoptr (SimNet) net = sim_net_new_sphere (
      SIM_NET_SPHERE_DEFAULT_RADIUS_MS);
  g_autofree char *desc = sim_net_describe (net);

  /* The mean angle between uniform points is π/2; antipodes are π apart. */
  check_geometry (net, seed, 20000, G_PI / 2 * 50000.0,
                  (SimTime) ceil (G_PI * 50000.0));
  assert_contains (desc, "net=sphere radius_ms=50 ");
}

/* The constant model, and both clamping boundaries: the base latency at
 * SIM_NET_MAX_LATENCY, base + access at SIM_TIME_MAX. */
static void
test_constant_and_boundaries (void)
{
  g_autoptr (SimNet) c = sim_net_new_constant (42000);
  g_autoptr (SimNet) big = sim_net_new_constant (SIM_TIME_MAX);
  g_autofree char *desc = NULL;

  g_assert_cmpuint (sim_net_add_node (c, NULL), ==, 0);
  g_assert_cmpuint (sim_net_add_node (c, NULL), ==, 1);
  g_assert_cmpuint (sim_net_latency (c, 0, 1), ==, 42000);
  g_assert_cmpuint (sim_net_latency (c, 1, 1), ==, 0);
  sim_net_set_access_delay (c, 500);
  g_assert_cmpuint (sim_net_latency (c, 0, 1), ==, 43000);
  desc = sim_net_describe (c);
  assert_contains (desc, "net=constant one_way_us=42000 access_us=500");

  /* Clamping: the base to one hour, the total to SIM_TIME_MAX. */
  sim_net_add_node (big, NULL);
  sim_net_add_node (big, NULL);
  g_assert_cmpuint (sim_net_latency (big, 0, 1), ==, SIM_NET_MAX_LATENCY);
  sim_net_set_access_delay (big, SIM_TIME_MAX / 2 + 1);
  g_assert_cmpuint (sim_net_latency (big, 0, 1), ==, SIM_TIME_MAX);
}

/* ---- per-message effects ------------------------------------------------ */

static void
test_delay_sample (gconstpointer data)
{
  guint64 seed = GPOINTER_TO_SIZE (data);
  g_autoptr (SimNet) net = sim_net_new_constant (10000);
  SimRng rng, saved;
  gboolean lost = TRUE;
  int n_lost = 0;
  double sum = 0.0;
  const int n = 100000;

  init_rng (&rng, seed);
  sim_net_add_node (net, NULL);
  sim_net_add_node (net, NULL);

  /* Defaults: no loss, no jitter, no draws. */
  saved = rng;
  g_assert_cmpuint (sim_net_delay_sample (net, 0, 1, &rng, &lost), ==, 10000);
  g_assert_false (lost);
  g_assert_true (memcmp (&saved, &rng, sizeof rng) == 0);

  sim_net_set_loss (net, 1.0);
  g_assert_cmpuint (sim_net_delay_sample (net, 0, 1, &rng, &lost), ==, 10000);
  g_assert_true (lost);
  /* A message to oneself is never lost and draws nothing. */
  saved = rng;
  g_assert_cmpuint (sim_net_delay_sample (net, 1, 1, &rng, &lost), ==, 0);
  g_assert_false (lost);
  g_assert_true (memcmp (&saved, &rng, sizeof rng) == 0);

  sim_net_set_loss (net, 0.3);
  sim_net_set_jitter (net, 0.5, 2000);
  for (int i = 0; i < n; i++)
    {
      SimTime d = sim_net_delay_sample (net, 0, 1, &rng, &lost);

      g_assert_cmpuint (d, >=, 10000);
      g_assert_cmpuint (d, <, 10000 + 5000 + 2000);
      n_lost += lost;
      sum += (double) d;
    }
  g_assert_cmpfloat (fabs ((double) n_lost / n - 0.3), <, 0.01);
  /* Mean extra is (0.5 × 10000 + 2000) / 2 = 3500. */
  g_assert_cmpfloat (fabs (sum / n - 13500.0), <, 50.0);

  /* Replaying the saved stream gives the same outcomes. */
  {
    SimRng r1, r2;
    gboolean l1, l2;

    init_rng (&r1, seed + 1);
    r2 = r1;
    for (int i = 0; i < 100; i++)
      {
        g_assert_cmpuint (sim_net_delay_sample (net, 0, 1, &r1, &l1), ==,
                          sim_net_delay_sample (net, 0, 1, &r2, &l2));
        g_assert_true (l1 == l2);
      }
  }
}

/* ---- coordinate files --------------------------------------------------- */

static void
test_coords_small (void)
{
  g_autofree char *path = write_tmp ("coords.xml", small_coords, -1);
  g_autoptr (GError) error = NULL;
  g_autoptr (SimNet) net = sim_net_new_coords_file (path, &error);
  g_autofree char *desc = NULL;
  SimRng rng;

  g_assert_no_error (error);
  g_assert_cmpuint (sim_net_host_count (net), ==, 2);
  g_assert_cmpuint (sim_net_root_count (net), ==, 1);
  /* (0,0)–(3,4): 5 units = 5 ms one-way. */
  g_assert_cmpuint (sim_net_host_latency (net, 0, 1), ==, 5000);
  g_assert_cmpuint (sim_net_host_latency (net, 1, 1), ==, 0);
  desc = sim_net_describe (net);
  assert_contains (desc, "net=coords file=coords.xml dims=2 hosts=2 roots=1");

  init_rng (&rng, SEED);
  for (int i = 0; i < 5; i++)
    sim_net_add_node (net, &rng);
  sim_net_set_access_delay (net, 250);
  check_symmetric (net, 5);
  for (guint32 a = 0; a < 5; a++)
    for (guint32 b = 0; b < 5; b++)
      if (a != b)
        g_assert_cmpuint (sim_net_latency (net, a, b), ==,
                          sim_net_node_host (net, a)
                                  == sim_net_node_host (net, b)
                              ? 500
                              : 5500);
}

/* ---- shared measured data ----------------------------------------------- */

/* Returns the path of a shared data file, or NULL after skipping the test
 * if it is absent. */
static char *
shared_file (const char *name)
{
  const char *dir = g_getenv ("PASTRYSIM_SHARED_DATA");
  char *path;

  if (dir == NULL)
    {
      g_test_skip ("shared data absent: PASTRYSIM_SHARED_DATA is not set");
      return NULL;
    }
  path = g_build_filename (dir, name, NULL);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *msg = g_strdup_printf ("shared data absent: %s", path);

      g_test_skip (msg);
      g_free (path);
      return NULL;
    }
  return path;
}

static void
test_shared_king128 (void)
{
  g_autofree char *path = shared_file ("king128_p2psim.top");
  g_autoptr (GError) error = NULL;
  g_autoptr (SimNet) net = NULL;
  g_autofree char *desc = NULL;
  SimTime lo = SIM_TIME_MAX, hi = 0;
  double sum = 0.0;
  guint64 pairs = 0;

  if (path == NULL)
    return;
  net = sim_net_new_matrix_file (path, SIM_NET_MATRIX_AUTO, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sim_net_host_count (net), ==, 128);
  for (guint32 i = 0; i < 128; i++)
    for (guint32 j = i + 1; j < 128; j++)
      {
        SimTime l = sim_net_host_latency (net, i, j);

        g_assert_cmpuint (l, ==, sim_net_host_latency (net, j, i));
        lo = MIN (lo, l);
        hi = MAX (hi, l);
        sum += (double) l;
        pairs++;
      }
  g_assert_cmpuint (pairs, ==, 8128);
  /* README: stored values mean 78.8 ms, min 1, max 500 (RTT ms).  One-way
   * here is half: mean 39.4 ms, 500 µs .. 250 ms. */
  g_test_message ("King-128 mean stored value %.3f ms",
                  2.0 * sum / (double) pairs / 1000.0);
  g_assert_cmpfloat (fabs (2.0 * sum / (double) pairs / 1000.0 - 78.8), <,
                     0.05);
  g_assert_cmpuint (lo, ==, 500);
  g_assert_cmpuint (hi, ==, 250000);
  desc = sim_net_describe (net);
  assert_contains (desc, "file=king128_p2psim.top format=p2psim unit=ms "
                         "one_way=rtt/2 hosts=128 pairs=8128 unknown=0");
}

static void
test_shared_oversim (gconstpointer data)
{
  guint64 seed = GPOINTER_TO_SIZE (data);
  g_autofree char *path = shared_file ("oversim_nodes_2d_15000.xml");
  g_autoptr (GError) error = NULL;
  g_autoptr (SimNet) net = NULL;
  SimRng rng;
  double sum = 0.0;
  SimTime hi = 0;
  const int samples = 500000;

  if (path == NULL)
    return;
  net = sim_net_new_coords_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sim_net_host_count (net), ==, 15000);
  g_assert_cmpuint (sim_net_root_count (net), ==, 8);

  init_rng (&rng, seed);
  for (int k = 0; k < samples; k++)
    {
      guint32 a = (guint32) sim_rng_uniform_u64 (&rng, 15000);
      guint32 b = (guint32) sim_rng_uniform_u64 (&rng, 15000);
      SimTime l = sim_net_host_latency (net, a, b);

      hi = MAX (hi, l);
      sum += (double) l;
    }
  /* README: sampled mean 78.8 ms one-way, max 690.9 ms. */
  g_test_message ("OverSim mean %.3f ms, max %.3f ms", sum / samples / 1000,
                  (double) hi / 1000);
  g_assert_cmpfloat (fabs (sum / samples / 1000.0 - 78.8), <, 0.5);
  g_assert_cmpuint (hi, <=, 700000);

  /* The first 15000 nodes take every coordinate once. */
  sim_net_reserve (net, 15000);
  {
    g_autofree guint8 *seen = g_new0 (guint8, 15000);

    for (guint32 i = 0; i < 15000; i++)
      {
        guint32 h = sim_net_node_host (net, sim_net_add_node (net, &rng));

        g_assert_false (seen[h]);
        seen[h] = 1;
      }
  }
}

/* ---- main --------------------------------------------------------------- */

static void
remove_tmp_dir (void)
{
  GDir *dir = g_dir_open (tmp_dir, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *p = g_build_filename (tmp_dir, name, NULL);

      g_remove (p);
    }
  g_dir_close (dir);
  g_rmdir (tmp_dir);
}

/* The reference conversion sim_net__us_to_latency() replaced: ceil, then
 * the saturating conversion, then the bound. */
static SimTime
us_to_latency_reference (double us)
{
  return MIN (sim_time_from_us (ceil (us)), SIM_NET_MAX_LATENCY);
}

/* Brute-force oracle of the inline conversion: both sides of every edge
 * (0, integers, the bound, 2^53, 2^64, infinities, NaN) and random values
 * across every magnitude, bit patterns included. */
static void
test_us_to_latency (gconstpointer data)
{
  guint64 seed = GPOINTER_TO_SIZE (data);
  const double bound = (double) SIM_NET_MAX_LATENCY;
  const double edges[] = { 0.0, -0.0, 1e-300, 0.25, 0.5, 0.999999, 1.0,
                           1.0000001, 2.5, 1e6, 1e6 + 0.5, bound - 1.0,
                           bound - 0.5, nextafter (bound, 0.0), bound,
                           nextafter (bound, INFINITY), bound + 0.5, 0x1p53,
                           0x1p53 + 2.0, 0x1p63, 0x1p64, 1e300, -1.0, -0.5,
                           -1e300, INFINITY, -INFINITY, NAN };
  for (gsize i = 0; i < G_N_ELEMENTS (edges); i++)
    {
      double v = edges[i];
      g_assert_cmpuint (sim_net__us_to_latency (v), ==,
                        us_to_latency_reference (v));
    }
  SimRng rng;
  init_rng (&rng, seed);
  for (guint i = 0; i < 200000; i++)
    {
      double v;
      switch (i % 3)
        {
        case 0: /* uniform below twice the bound */
          v = sim_rng_double (&rng) * 2.0 * bound;
          break;
        case 1: /* small values, with and without a fraction */
          v = (double) sim_rng_uniform_u64 (&rng, 10000)
              + (sim_rng_uniform_u64 (&rng, 2) ? sim_rng_double (&rng) : 0.0);
          break;
        default: /* any bit pattern: every magnitude, sign, NaN */
          {
            guint64 bits = sim_rng_next_u64 (&rng);
            memcpy (&v, &bits, sizeof v);
            break;
          }
        }
      if (sim_net__us_to_latency (v) != us_to_latency_reference (v))
        g_error ("seed %" G_GUINT64_FORMAT ": %a: %" G_GUINT64_FORMAT
                 " instead of %" G_GUINT64_FORMAT,
                 seed, v, sim_net__us_to_latency (v),
                 us_to_latency_reference (v));
    }
}

int
main (int argc, char **argv)
{
  GError *error = NULL;
  int rc;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("pastrysim-net-XXXXXX", &error);
  g_assert_no_error (error);

  for (gsize i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/net/bad/%s",
                                               bad_cases[i].name);

      g_test_add_data_func (name, &bad_cases[i], test_bad_input);
    }
  g_test_add_func ("/net/bad/message-text", test_bad_message_text);
  g_test_add_func ("/net/robust/prefixes", test_robust_prefixes);
  g_test_add_func ("/net/robust/long-lines", test_robust_long_lines);
  g_test_add_func ("/net/boundary/minimal-files",
                   test_boundary_minimal_files);
  g_test_add_func ("/net/data-loaders", test_data_loaders);

  g_test_add_func ("/net/matrix/p2psim-small", test_p2psim_small);
  g_test_add_func ("/net/matrix/dense-us", test_dense_us);
  g_test_add_func ("/net/matrix/dense-auto-units", test_dense_auto_units);
  g_test_add_func ("/net/matrix/dense-rounding", test_dense_rounding);
  g_test_add_func ("/net/matrix/triples", test_triples);
  g_test_add_func ("/net/matrix/detect-3x3", test_detect_3x3);
  g_test_add_func ("/net/placement/deterministic",
                   test_placement_deterministic);
  g_test_add_func ("/net/constant-and-boundaries",
                   test_constant_and_boundaries);
  g_test_add_func ("/net/coords/small", test_coords_small);
  g_test_add_func ("/net/shared/king128", test_shared_king128);

  /* Randomised tests: the seed is part of the name. */
  {
    struct
    {
      const char *path;
      GTestDataFunc func;
    } seeded[] = {
      { "/net/robust/mutations", test_robust_mutations },
      { "/net/placement/host-reuse", test_host_reuse },
      { "/net/euclidean/geometry", test_euclidean },
      { "/net/sphere/geometry", test_sphere },
      { "/net/delay-sample", test_delay_sample },
      { "/net/shared/oversim", test_shared_oversim },
      { "/net/us-to-latency", test_us_to_latency },
    };

    for (gsize i = 0; i < G_N_ELEMENTS (seeded); i++)
      {
        g_autofree char *name = g_strdup_printf ("%s/seed=%u", seeded[i].path,
                                                 SEED);

        g_test_add_data_func (name, GSIZE_TO_POINTER (SEED), seeded[i].func);
      }
  }

  rc = g_test_run ();
  remove_tmp_dir ();
  g_free (tmp_dir);
  return rc;
}
