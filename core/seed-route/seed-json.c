/* seed-json.c — recursive-descent JSON (RFC 8259) over one line, values
 * tagged with their columns.
 *
 * Invariant: on success every value, member name included, carries the
 * 1-based byte column where it starts; on failure nothing is leaked and
 * the reported column is that of the first byte that cannot continue a
 * valid document.  Cost O(len) time, one allocation per value; recursion
 * depth is bounded by SEED_JSON_MAX_DEPTH, so a hostile line cannot
 * overflow the stack.  Duplicate member names are an error (RFC 8259
 * leaves them undefined; Python keeps the last, which would hide a typo in
 * a recorded file).
 */
#include "seed-json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK (seed-json-error-quark, seed_json_error)

typedef struct
{
  const char *text;
  gsize len;
  gsize pos;
  guint err_col;
  GError *error;
} Parser;

static gboolean G_GNUC_PRINTF (3, 4)
fail_at (Parser *p, gsize pos, const char *fmt, ...)
{
  if (p->error != NULL)
    return FALSE;
  va_list ap;
  va_start (ap, fmt);
  char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  p->err_col = (guint) pos + 1;
  p->error = g_error_new_literal (SEED_JSON_ERROR, SEED_JSON_ERROR_SYNTAX,
                                  msg);
  g_free (msg);
  return FALSE;
}

/* Describes the byte at pos for a message: 'x', end of line, or a code. */
static char *
describe (const Parser *p, gsize pos)
{
  if (pos >= p->len)
    return g_strdup ("end of line");
  guchar c = (guchar) p->text[pos];
  if (c >= 0x20 && c < 0x7f)
    return g_strdup_printf ("'%c'", c);
  return g_strdup_printf ("byte 0x%02x", c);
}

static void
skip_blanks (Parser *p)
{
  while (p->pos < p->len
         && (p->text[p->pos] == ' ' || p->text[p->pos] == '\t'
             || p->text[p->pos] == '\n' || p->text[p->pos] == '\r'))
    p->pos++;
}

static SeedJson *
new_value (SeedJsonKind kind, gsize pos)
{
  SeedJson *v = g_new0 (SeedJson, 1);
  v->kind = kind;
  v->col = (guint) pos + 1;
  return v;
}

static SeedJson *parse_value (Parser *p, guint depth);

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Reads the 4 hex digits of a \u escape at pos.  Returns -1 on error. */
static gint
read_u4 (Parser *p, gsize pos)
{
  gint v = 0;
  for (gsize i = 0; i < 4; i++)
    {
      int h = pos + i < p->len ? hex_value (p->text[pos + i]) : -1;
      if (h < 0)
        {
          g_autofree char *what = describe (p, pos + i);
          fail_at (p, pos + i, "expected a hex digit in \\u escape, got %s",
                   what);
          return -1;
        }
      v = v * 16 + h;
    }
  return v;
}

static SeedJson *
parse_string (Parser *p)
{
  gsize start = p->pos;
  GString *s = g_string_new (NULL);
  gboolean escaped = FALSE;
  p->pos++; /* the opening quote */
  for (;;)
    {
      if (p->pos >= p->len)
        {
          fail_at (p, start, "unterminated string");
          break;
        }
      guchar c = (guchar) p->text[p->pos];
      if (c == '"')
        {
          p->pos++;
          SeedJson *v = new_value (SEED_JSON_STRING, start);
          v->escaped = escaped;
          v->str_len = s->len;
          v->str = g_string_free (s, FALSE);
          return v;
        }
      if (c < 0x20)
        {
          fail_at (p, p->pos, "control character 0x%02x in a string", c);
          break;
        }
      if (c != '\\')
        {
          g_string_append_c (s, (char) c);
          p->pos++;
          continue;
        }
      escaped = TRUE;
      gsize esc = p->pos;
      char e = esc + 1 < p->len ? p->text[esc + 1] : '\0';
      const char *plain = strchr ("\"\\/bfnrt", e);
      if (e != '\0' && plain != NULL)
        {
          static const char decoded[] = "\"\\/\b\f\n\r\t";
          g_string_append_c (s, decoded[plain - "\"\\/bfnrt"]);
          p->pos += 2;
          continue;
        }
      if (e != 'u')
        {
          fail_at (p, esc, "invalid escape in a string");
          break;
        }
      gint u = read_u4 (p, esc + 2);
      if (u < 0)
        break;
      p->pos = esc + 6;
      gunichar cp = (gunichar) u;
      if (u >= 0xd800 && u < 0xdc00)
        {
          /* A high surrogate must be followed by \u and a low one. */
          if (p->pos + 1 < p->len && p->text[p->pos] == '\\'
              && p->text[p->pos + 1] == 'u')
            {
              gint lo = read_u4 (p, p->pos + 2);
              if (lo < 0)
                break;
              if (lo >= 0xdc00 && lo < 0xe000)
                {
                  cp = 0x10000 + (((gunichar) u - 0xd800) << 10)
                       + ((gunichar) lo - 0xdc00);
                  p->pos += 6;
                }
              else
                cp = 0xfffd;
            }
          else
            cp = 0xfffd;
        }
      else if (u >= 0xdc00 && u < 0xe000)
        cp = 0xfffd; /* a lone low surrogate */
      g_string_append_unichar (s, cp);
    }
  g_string_free (s, TRUE);
  return NULL;
}

static SeedJson *
parse_number (Parser *p)
{
  gsize start = p->pos;
  const char *t = p->text;
  gsize i = p->pos;
  gboolean integral = TRUE;
  if (i < p->len && t[i] == '-')
    i++;
  if (i < p->len && t[i] == '0')
    i++;
  else if (i < p->len && t[i] >= '1' && t[i] <= '9')
    while (i < p->len && g_ascii_isdigit (t[i]))
      i++;
  else
    {
      g_autofree char *what = describe (p, i);
      fail_at (p, i, "expected a digit, got %s", what);
      return NULL;
    }
  if (i < p->len && t[i] == '.')
    {
      integral = FALSE;
      i++;
      if (i >= p->len || !g_ascii_isdigit (t[i]))
        {
          g_autofree char *what = describe (p, i);
          fail_at (p, i, "expected a digit after '.', got %s", what);
          return NULL;
        }
      while (i < p->len && g_ascii_isdigit (t[i]))
        i++;
    }
  if (i < p->len && (t[i] == 'e' || t[i] == 'E'))
    {
      integral = FALSE;
      i++;
      if (i < p->len && (t[i] == '+' || t[i] == '-'))
        i++;
      if (i >= p->len || !g_ascii_isdigit (t[i]))
        {
          g_autofree char *what = describe (p, i);
          fail_at (p, i, "expected a digit in the exponent, got %s", what);
          return NULL;
        }
      while (i < p->len && g_ascii_isdigit (t[i]))
        i++;
    }
  SeedJson *v = new_value (SEED_JSON_NUMBER, start);
  v->str = g_strndup (t + start, i - start);
  v->str_len = i - start;
  if (integral)
    {
      errno = 0;
      char *end = NULL;
      gint64 x = g_ascii_strtoll (v->str, &end, 10);
      if (errno == 0 && end != NULL && *end == '\0')
        {
          v->is_int = TRUE;
          v->integer = x;
        }
    }
  p->pos = i;
  return v;
}

static SeedJson *
parse_word (Parser *p, const char *word, SeedJsonKind kind, gboolean b)
{
  gsize n = strlen (word);
  for (gsize i = 0; i < n; i++)
    if (p->pos + i >= p->len || p->text[p->pos + i] != word[i])
      {
        g_autofree char *what = describe (p, p->pos + i);
        fail_at (p, p->pos + i, "expected '%s', got %s", word, what);
        return NULL;
      }
  SeedJson *v = new_value (kind, p->pos);
  v->boolean = b;
  p->pos += n;
  return v;
}

/* Parses `[ ... ]` or `{ ... }` starting at p->pos. */
static SeedJson *
parse_container (Parser *p, guint depth)
{
  gboolean object = p->text[p->pos] == '{';
  char close = object ? '}' : ']';
  SeedJson *v = new_value (object ? SEED_JSON_OBJECT : SEED_JSON_ARRAY,
                           p->pos);
  v->items = g_ptr_array_new_with_free_func ((GDestroyNotify) seed_json_free);
  if (object)
    v->keys = g_ptr_array_new_with_free_func ((GDestroyNotify) seed_json_free);
  if (depth >= SEED_JSON_MAX_DEPTH)
    {
      fail_at (p, p->pos, "nesting deeper than %d", SEED_JSON_MAX_DEPTH);
      seed_json_free (v);
      return NULL;
    }
  p->pos++;
  skip_blanks (p);
  if (p->pos < p->len && p->text[p->pos] == close)
    {
      p->pos++;
      return v;
    }
  for (;;)
    {
      skip_blanks (p);
      if (object)
        {
          if (p->pos >= p->len || p->text[p->pos] != '"')
            {
              g_autofree char *what = describe (p, p->pos);
              fail_at (p, p->pos, "expected a member name, got %s", what);
              break;
            }
          SeedJson *key = parse_string (p);
          if (key == NULL)
            break;
          if (seed_json_member (v, key->str) != NULL)
            {
              fail_at (p, key->col - 1, "duplicate member \"%s\"", key->str);
              seed_json_free (key);
              break;
            }
          g_ptr_array_add (v->keys, key);
          skip_blanks (p);
          if (p->pos >= p->len || p->text[p->pos] != ':')
            {
              g_autofree char *what = describe (p, p->pos);
              fail_at (p, p->pos, "expected ':', got %s", what);
              break;
            }
          p->pos++;
        }
      SeedJson *item = parse_value (p, depth + 1);
      if (item == NULL)
        break;
      g_ptr_array_add (v->items, item);
      skip_blanks (p);
      if (p->pos < p->len && p->text[p->pos] == ',')
        {
          p->pos++;
          continue;
        }
      if (p->pos < p->len && p->text[p->pos] == close)
        {
          p->pos++;
          return v;
        }
      g_autofree char *what = describe (p, p->pos);
      fail_at (p, p->pos, "expected ',' or '%c', got %s", close, what);
      break;
    }
  seed_json_free (v);
  return NULL;
}

static SeedJson *
parse_value (Parser *p, guint depth)
{
  skip_blanks (p);
  if (p->pos >= p->len)
    {
      fail_at (p, p->pos, "expected a value, got end of line");
      return NULL;
    }
  switch (p->text[p->pos])
    {
    case '{':
    case '[':
      return parse_container (p, depth);
    case '"':
      return parse_string (p);
    case 't':
      return parse_word (p, "true", SEED_JSON_BOOL, TRUE);
    case 'f':
      return parse_word (p, "false", SEED_JSON_BOOL, FALSE);
    case 'n':
      return parse_word (p, "null", SEED_JSON_NULL, FALSE);
    default:
      if (p->text[p->pos] == '-' || g_ascii_isdigit (p->text[p->pos]))
        return parse_number (p);
      {
        g_autofree char *what = describe (p, p->pos);
        fail_at (p, p->pos, "expected a value, got %s", what);
      }
      return NULL;
    }
}

SeedJson *
seed_json_parse (const char *text, gsize len, guint *err_col, GError **error)
{
  g_return_val_if_fail (text != NULL || len == 0, NULL);
  g_return_val_if_fail (err_col != NULL, NULL);
  Parser p = { text, len, 0, 0, NULL };
  const char *bad = NULL;
  if (!g_utf8_validate_len (text, len, &bad))
    {
      fail_at (&p, (gsize) (bad - text), "invalid UTF-8");
      *err_col = p.err_col;
      g_propagate_error (error, p.error);
      return NULL;
    }
  SeedJson *v = parse_value (&p, 0);
  if (v != NULL)
    {
      skip_blanks (&p);
      if (p.pos < p.len)
        {
          g_autofree char *what = describe (&p, p.pos);
          fail_at (&p, p.pos, "unexpected %s after the value", what);
          seed_json_free (v);
          v = NULL;
        }
    }
  if (v == NULL)
    {
      *err_col = p.err_col;
      g_propagate_error (error, p.error);
    }
  return v;
}

void
seed_json_free (SeedJson *value)
{
  if (value == NULL)
    return;
  g_free (value->str);
  if (value->items != NULL)
    g_ptr_array_free (value->items, TRUE);
  if (value->keys != NULL)
    g_ptr_array_free (value->keys, TRUE);
  g_free (value);
}

const SeedJson *
seed_json_member (const SeedJson *obj, const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);
  if (obj == NULL || obj->kind != SEED_JSON_OBJECT)
    return NULL;
  gsize n = strlen (name);
  for (guint i = 0; i < obj->keys->len; i++)
    {
      const SeedJson *k = obj->keys->pdata[i];
      if (k->str_len == n && memcmp (k->str, name, n) == 0)
        return i < obj->items->len ? obj->items->pdata[i] : NULL;
    }
  return NULL;
}

const char *
seed_json_kind_name (SeedJsonKind kind)
{
  static const char *const names[] = { "null",   "boolean", "number",
                                       "string", "array",   "object" };
  return kind <= SEED_JSON_OBJECT ? names[kind] : "?";
}
