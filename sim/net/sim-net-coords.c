/* sim-net-coords.c — loading OverSim node coordinate files.
 *
 * Invariant: the parser only ever moves forward through the mapped file and
 * accepts exactly this XML subset, rejecting anything else with a position:
 *
 *   file     := BOM? misc* <nodelist attrs> (misc | node)* </nodelist> misc*
 *   node     := <node attrs> (misc | coord){dimensions} misc* </node>
 *   coord    := <coord> number </coord>
 *   misc     := whitespace | <!-- comment --> | <? ... ?> | <!DOCTYPE ...>
 *
 * nodelist needs dimensions="d" (1..SIM_NET_COORDS_MAX_DIM); rootnodes="r",
 * if present, must match the number of isroot="1" nodes.  Unknown attributes
 * are ignored (ip is not needed); entities are not decoded, as no accepted
 * value can contain one.  A general XML parser (GMarkup) was rejected: its
 * messages are translated, carry their own position prefix, and point at
 * tags rather than at the offending number.
 *
 * Cost: one pass, O(file size); d floats per host kept.
 */
#include "sim-net-private.h"

#include <math.h>
#include <string.h>

/* Largest coordinate magnitude accepted (ms); distances beyond
 * SIM_NET_MAX_LATENCY are clamped anyway. */
#define COORD_MAX 1e6
#define MAX_ATTRS 8

typedef struct
{
  gsize name, name_len;
  gsize value, value_len;
} Attr;

typedef struct
{
  gsize start; /* offset of '<' */
  gsize name, name_len;
  gboolean closing; /* </name> */
  gboolean empty;   /* <name/> */
  Attr attrs[MAX_ATTRS];
  guint n_attrs;
} Tag;

static gboolean
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static gboolean
is_name_char (char c, gboolean first)
{
  return g_ascii_isalpha (c) || c == '_' || c == ':'
         || (!first && (g_ascii_isdigit (c) || c == '-' || c == '.'));
}

static gboolean
at (const SimNetText *t, const char *s)
{
  gsize n = strlen (s);

  return t->len - t->pos >= n && memcmp (t->buf + t->pos, s, n) == 0;
}

static void
skip_space (SimNetText *t)
{
  while (t->pos < t->len && is_space (t->buf[t->pos]))
    t->pos++;
}

/* Reports an error quoting up to a few bytes from offset off. */
static gboolean
error_at_bytes (SimNetText *t, gsize off, GError **error, SimNetError code,
                const char *what)
{
  gsize n = 0;
  char *tok;

  while (off + n < t->len && n < 25 && !is_space (t->buf[off + n]))
    n++;
  tok = sim_net__escape_token (t->buf + off, n);
  sim_net__text_error (t, off, error, code, "%s, got '%s'", what, tok);
  g_free (tok);
  return FALSE;
}

/* Skips whitespace, comments, processing instructions and DOCTYPE. */
static gboolean
skip_misc (SimNetText *t, GError **error)
{
  for (;;)
    {
      const char *end_mark;
      gsize start;
      const void *hit;

      skip_space (t);
      if (at (t, "<!--"))
        end_mark = "-->";
      else if (at (t, "<?"))
        end_mark = "?>";
      else if (at (t, "<!"))
        end_mark = ">";
      else
        return TRUE;
      start = t->pos;
      hit = g_strstr_len (t->buf + t->pos + 2, (gssize) (t->len - t->pos - 2),
                          end_mark);
      /* g_strstr_len stops at a NUL byte; treat that as unterminated too. */
      if (hit == NULL)
        return sim_net__text_error (t, start, error, SIM_NET_ERROR_SYNTAX,
                                    "unterminated comment or declaration");
      t->pos = (gsize) ((const char *) hit - t->buf) + strlen (end_mark);
    }
}

/* Parses a tag at t->pos, which must be '<'. */
static gboolean
parse_tag (SimNetText *t, Tag *tag, GError **error)
{
  const char *buf = t->buf;

  memset (tag, 0, sizeof *tag);
  tag->start = t->pos;
  if (t->pos >= t->len)
    return sim_net__text_error (t, t->len, error, SIM_NET_ERROR_SYNTAX,
                                "unexpected end of file, expected a tag");
  if (buf[t->pos] != '<')
    return error_at_bytes (t, t->pos, error, SIM_NET_ERROR_SYNTAX,
                           "expected a tag");
  t->pos++;
  if (t->pos < t->len && buf[t->pos] == '/')
    {
      tag->closing = TRUE;
      t->pos++;
    }
  tag->name = t->pos;
  while (t->pos < t->len && is_name_char (buf[t->pos], t->pos == tag->name))
    t->pos++;
  tag->name_len = t->pos - tag->name;
  if (tag->name_len == 0)
    return error_at_bytes (t, tag->start, error, SIM_NET_ERROR_SYNTAX,
                           "expected an element name");

  for (;;)
    {
      Attr *a;
      char quote;
      const char *close;

      skip_space (t);
      if (t->pos >= t->len)
        return sim_net__text_error (t, t->len, error, SIM_NET_ERROR_SYNTAX,
                                    "unexpected end of file inside a tag");
      if (buf[t->pos] == '>')
        {
          t->pos++;
          return TRUE;
        }
      if (!tag->closing && at (t, "/>"))
        {
          tag->empty = TRUE;
          t->pos += 2;
          return TRUE;
        }
      if (tag->closing || !is_name_char (buf[t->pos], TRUE))
        return error_at_bytes (t, t->pos, error, SIM_NET_ERROR_SYNTAX,
                               "expected an attribute or '>'");
      if (tag->n_attrs == MAX_ATTRS)
        return sim_net__text_error (t, t->pos, error, SIM_NET_ERROR_SYNTAX,
                                    "more than %d attributes", MAX_ATTRS);
      a = &tag->attrs[tag->n_attrs++];
      a->name = t->pos;
      while (t->pos < t->len && is_name_char (buf[t->pos], FALSE))
        t->pos++;
      a->name_len = t->pos - a->name;
      skip_space (t);
      if (t->pos >= t->len || buf[t->pos] != '=')
        return error_at_bytes (t, MIN (t->pos, t->len), error,
                               SIM_NET_ERROR_SYNTAX,
                               "expected '=' after the attribute name");
      t->pos++;
      skip_space (t);
      if (t->pos >= t->len || (buf[t->pos] != '"' && buf[t->pos] != '\''))
        return error_at_bytes (t, MIN (t->pos, t->len), error,
                               SIM_NET_ERROR_SYNTAX,
                               "expected a quoted attribute value");
      quote = buf[t->pos++];
      a->value = t->pos;
      close = memchr (buf + t->pos, quote, t->len - t->pos);
      if (close == NULL || memchr (buf + t->pos, '<', (gsize) (close - buf)
                                                          - t->pos) != NULL)
        return sim_net__text_error (t, a->value - 1, error,
                                    SIM_NET_ERROR_SYNTAX,
                                    "unterminated attribute value");
      a->value_len = (gsize) (close - buf) - a->value;
      t->pos = a->value + a->value_len + 1;
    }
}

static gboolean
name_is (const SimNetText *t, gsize off, gsize len, const char *word)
{
  return len == strlen (word) && memcmp (t->buf + off, word, len) == 0;
}

static const Attr *
find_attr (const SimNetText *t, const Tag *tag, const char *name)
{
  for (guint i = 0; i < tag->n_attrs; i++)
    if (name_is (t, tag->attrs[i].name, tag->attrs[i].name_len, name))
      return &tag->attrs[i];
  return NULL;
}

/* Parses an unsigned integer attribute in [lo, hi]; missing is an error
 * only if required. */
static gboolean
uint_attr (SimNetText *t, const Tag *tag, const char *name, gboolean required,
           guint64 lo, guint64 hi, guint64 *out, gsize *where,
           GError **error)
{
  const Attr *a = find_attr (t, tag, name);

  if (a == NULL)
    {
      if (required)
        return sim_net__text_error (t, tag->start, error,
                                    SIM_NET_ERROR_MISSING,
                                    "<%.*s> has no %s attribute",
                                    (int) tag->name_len, t->buf + tag->name,
                                    name);
      return TRUE;
    }
  if (!sim_net__parse_uint (t->buf + a->value, a->value_len, out))
    {
      char *v = sim_net__escape_token (t->buf + a->value, a->value_len);

      sim_net__text_error (t, a->value, error, SIM_NET_ERROR_SYNTAX,
                           "%s='%s' is not a non-negative integer", name, v);
      g_free (v);
      return FALSE;
    }
  if (*out < lo || *out > hi)
    return sim_net__text_error (t, a->value, error, SIM_NET_ERROR_RANGE,
                                "%s=%" G_GUINT64_FORMAT
                                " out of range %" G_GUINT64_FORMAT
                                "..%" G_GUINT64_FORMAT,
                                name, *out, lo, hi);
  if (where != NULL)
    *where = a->value;
  return TRUE;
}

/* Fails unless the next non-space byte starts a tag (text between
 * structural tags must be blank). */
static gboolean
expect_tag (SimNetText *t, const char *context, GError **error)
{
  if (!skip_misc (t, error))
    return FALSE;
  if (t->pos >= t->len)
    return sim_net__text_error (t, t->len, error, SIM_NET_ERROR_SYNTAX,
                                "unexpected end of file, expected %s",
                                context);
  if (t->buf[t->pos] != '<')
    {
      char *what = g_strdup_printf ("expected %s", context);

      error_at_bytes (t, t->pos, error, SIM_NET_ERROR_SYNTAX, what);
      g_free (what);
      return FALSE;
    }
  return TRUE;
}

/* Parses "number </coord>" after a <coord> tag into *out. */
static gboolean
parse_coord (SimNetText *t, double *out, GError **error)
{
  gsize b, e, end;
  const char *lt;
  Tag tag;

  lt = memchr (t->buf + t->pos, '<', t->len - t->pos);
  end = lt != NULL ? (gsize) (lt - t->buf) : t->len;
  for (b = t->pos; b < end && is_space (t->buf[b]); b++)
    ;
  for (e = end; e > b && is_space (t->buf[e - 1]); e--)
    ;
  if (b == e)
    return sim_net__text_error (t, b, error, SIM_NET_ERROR_SYNTAX,
                                "empty <coord>");
  if (!sim_net__parse_number (t->buf + b, e - b, out))
    {
      char *tok = sim_net__escape_token (t->buf + b, e - b);

      sim_net__text_error (t, b, error, SIM_NET_ERROR_SYNTAX,
                           "non-numeric coordinate '%s'", tok);
      g_free (tok);
      return FALSE;
    }
  if (!isfinite (*out) || fabs (*out) > COORD_MAX)
    {
      char *tok = sim_net__escape_token (t->buf + b, e - b);

      sim_net__text_error (t, b, error, SIM_NET_ERROR_RANGE,
                           "coordinate '%s' out of range (|c| <= 1e6)", tok);
      g_free (tok);
      return FALSE;
    }
  t->pos = end;
  if (!parse_tag (t, &tag, error))
    return FALSE;
  if (!tag.closing || !name_is (t, tag.name, tag.name_len, "coord"))
    return error_at_bytes (t, tag.start, error, SIM_NET_ERROR_SYNTAX,
                           "expected </coord>");
  return TRUE;
}

/* Parses the children of a <node> up to and including </node>, appending
 * dim coordinates to pos. */
static gboolean
parse_node_body (SimNetText *t, guint32 dim, GArray *pos, GError **error)
{
  guint32 got = 0;
  Tag tag;

  for (;;)
    {
      if (!expect_tag (t, "<coord> or </node>", error)
          || !parse_tag (t, &tag, error))
        return FALSE;
      if (tag.closing && name_is (t, tag.name, tag.name_len, "node"))
        break;
      if (tag.closing || tag.empty
          || !name_is (t, tag.name, tag.name_len, "coord"))
        return error_at_bytes (t, tag.start, error, SIM_NET_ERROR_SYNTAX,
                               "expected <coord> or </node>");
      if (got == dim)
        return sim_net__text_error (t, tag.start, error,
                                    SIM_NET_ERROR_SYNTAX,
                                    "more than dimensions=%u <coord> "
                                    "elements in a <node>",
                                    dim);
      {
        double c;
        float f;

        if (!parse_coord (t, &c, error))
          return FALSE;
        f = (float) c;
        g_array_append_val (pos, f);
      }
      got++;
    }
  if (got < dim)
    return sim_net__text_error (t, tag.start, error, SIM_NET_ERROR_MISSING,
                                "<node> has %u <coord> elements, expected %u",
                                got, dim);
  return TRUE;
}

static gboolean
parse_coords (SimNetText *t, SimNet *net, GError **error)
{
  g_autoptr (GArray) pos = g_array_new (FALSE, FALSE, sizeof (float));
  guint64 dim = 0, roots_declared = 0;
  gsize roots_off = 0;
  gboolean have_roots = FALSE;
  guint32 n = 0, roots = 0;
  Tag tag;

  if (at (t, "\xEF\xBB\xBF"))
    t->pos += 3;
  if (!skip_misc (t, error))
    return FALSE;
  if (t->pos >= t->len)
    return sim_net__text_error (t, t->len, error, SIM_NET_ERROR_EMPTY,
                                "no data");
  if (t->buf[t->pos] != '<')
    return error_at_bytes (t, t->pos, error, SIM_NET_ERROR_SYNTAX,
                           "expected '<nodelist'");
  if (!parse_tag (t, &tag, error))
    return FALSE;
  if (tag.closing || !name_is (t, tag.name, tag.name_len, "nodelist"))
    return error_at_bytes (t, tag.start, error, SIM_NET_ERROR_SYNTAX,
                           "expected '<nodelist'");
  if (!uint_attr (t, &tag, "dimensions", TRUE, 1, SIM_NET_COORDS_MAX_DIM,
                  &dim, NULL, error)
      || !uint_attr (t, &tag, "rootnodes", FALSE, 0, G_MAXUINT32,
                     &roots_declared, &roots_off, error))
    return FALSE;
  have_roots = find_attr (t, &tag, "rootnodes") != NULL;

  if (!tag.empty)
    for (;;)
      {
        guint64 is_root = 0;

        if (!expect_tag (t, "<node> or </nodelist>", error)
            || !parse_tag (t, &tag, error))
          return FALSE;
        if (tag.closing && name_is (t, tag.name, tag.name_len, "nodelist"))
          break;
        if (tag.closing || !name_is (t, tag.name, tag.name_len, "node"))
          return error_at_bytes (t, tag.start, error, SIM_NET_ERROR_SYNTAX,
                                 "expected <node> or </nodelist>");
        if (n == SIM_NET_COORDS_MAX_HOSTS)
          return sim_net__text_error (t, tag.start, error,
                                      SIM_NET_ERROR_RANGE,
                                      "more than %u nodes",
                                      SIM_NET_COORDS_MAX_HOSTS);
        if (!uint_attr (t, &tag, "isroot", FALSE, 0, 1, &is_root, NULL,
                        error))
          return FALSE;
        if (tag.empty)
          return sim_net__text_error (t, tag.start, error,
                                      SIM_NET_ERROR_MISSING,
                                      "<node/> has no <coord> elements");
        if (!parse_node_body (t, (guint32) dim, pos, error))
          return FALSE;
        roots += (guint32) is_root;
        n++;
      }

  if (!skip_misc (t, error))
    return FALSE;
  if (t->pos < t->len)
    return error_at_bytes (t, t->pos, error, SIM_NET_ERROR_SYNTAX,
                           "expected end of file after </nodelist>");
  if (n == 0)
    return sim_net__text_error (t, tag.start, error, SIM_NET_ERROR_EMPTY,
                                "no <node> elements");
  if (have_roots && roots_declared != roots)
    return sim_net__text_error (t, roots_off, error, SIM_NET_ERROR_RANGE,
                                "rootnodes=%" G_GUINT64_FORMAT
                                " but %u nodes have isroot=1",
                                roots_declared, roots);

  net->dim = (guint32) dim;
  net->n_hosts = n;
  net->n_roots = roots;
  net->host_pos = (float *) (void *) g_array_free (g_steal_pointer (&pos),
                                                   FALSE);
  return TRUE;
}

/* Parses t (opened and closed by the caller) into a new model.  Returns
 * the model, or NULL with error set. */
static SimNet *
load_coords (SimNetText *t, GError **error)
{
  g_autoptr (SimNet) net = sim_net__new (SIM_NET_KIND_COORDS);

  if (!parse_coords (t, net, error))
    return NULL;
  net->us_per_unit = 1000.0; /* 1 unit = 1 ms one-way */
  net->source = g_path_get_basename (t->path);
  g_strdelimit (net->source, " \t\r\n,=\"", '_');
  net->deck = g_new (guint32, net->n_hosts);
  for (guint32 i = 0; i < net->n_hosts; i++)
    net->deck[i] = i;
  return g_steal_pointer (&net);
}

SimNet *
sim_net_new_coords_file (const char *path, GError **error)
{
  SimNetText t;
  SimNet *net;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!sim_net__text_open (&t, path, error))
    return NULL;
  net = load_coords (&t, error);
  sim_net__text_close (&t);
  return net;
}

SimNet *
sim_net_new_coords_data (const char *display_name, const char *data,
                         gsize len, GError **error)
{
  SimNetText t;

  g_return_val_if_fail (display_name != NULL, NULL);
  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  sim_net__text_init_data (&t, display_name, data, len);
  return load_coords (&t, error);
}
