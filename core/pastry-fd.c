/* pastry-fd.c — a node's failure detector (pastry-fd.h).
 *
 * Invariant: at most one entry per peer; an entry is either a suspicion
 * (dead == 0, strikes counting unanswered probes) or a dead mark with its
 * expiry.
 *
 * Cost: entries are a short unsorted array (the peers a node is currently
 * probing or has declared dead: a handful), so every query is a linear
 * scan; RTT lookups are O(1) in a direct-mapped cache of
 * PASTRY_FD_RTT_SLOTS.  A hash table per node was rejected: it would cost
 * more memory than the handful of entries it indexes, at 10^7 nodes.
 */
#include "pastry-fd.h"

void
pastry_fd_init (PastryFd *fd)
{
  g_return_if_fail (fd != NULL);
  fd->entries = NULL;
  for (guint i = 0; i < PASTRY_FD_RTT_SLOTS; i++)
    {
      fd->rtt[i].peer = PASTRY_PEER_NONE;
      fd->rtt[i].srtt = 0;
      fd->rtt[i].rttvar = 0;
    }
}

void
pastry_fd_clear (PastryFd *fd)
{
  g_return_if_fail (fd != NULL);
  if (fd->entries != NULL)
    g_array_free (fd->entries, TRUE);
  fd->entries = NULL;
}

static PastryFdEntry *
find (const PastryFd *fd, PastryPeer p)
{
  if (fd->entries == NULL)
    return NULL;
  for (guint i = 0; i < fd->entries->len; i++)
    {
      PastryFdEntry *e = &g_array_index (fd->entries, PastryFdEntry, i);
      if (e->peer == p)
        return e;
    }
  return NULL;
}

static void
drop (PastryFd *fd, PastryPeer p)
{
  if (fd->entries == NULL)
    return;
  for (guint i = 0; i < fd->entries->len; i++)
    if (g_array_index (fd->entries, PastryFdEntry, i).peer == p)
      {
        g_array_remove_index (fd->entries, i);
        return;
      }
}

static void
append (PastryFd *fd, const PastryFdEntry *e)
{
  if (fd->entries == NULL)
    fd->entries = g_array_new (FALSE, FALSE, sizeof (PastryFdEntry));
  g_array_append_vals (fd->entries, e, 1);
}

gboolean
pastry_fd_suspect (PastryFd *fd, PastryPeer p, PastryTime now)
{
  g_return_val_if_fail (fd != NULL, FALSE);
  PastryFdEntry *e = find (fd, p);
  if (e != NULL)
    {
      if (!e->dead || e->until > now)
        return FALSE; /* already being probed, or known dead */
      drop (fd, p);   /* an expired dead mark */
    }
  PastryFdEntry fresh = { p, 0, 0, 0 };
  append (fd, &fresh);
  return TRUE;
}

void
pastry_fd_alive (PastryFd *fd, PastryPeer p)
{
  g_return_if_fail (fd != NULL);
  drop (fd, p);
}

void
pastry_fd_probe_answered (PastryFd *fd, PastryPeer p)
{
  g_return_if_fail (fd != NULL);
  const PastryFdEntry *e = find (fd, p);
  if (e != NULL && !e->dead)
    drop (fd, p);
}

void
pastry_fd_strike (PastryFd *fd, PastryPeer p, guint attempt)
{
  g_return_if_fail (fd != NULL);
  PastryFdEntry *e = find (fd, p);
  if (e != NULL && !e->dead)
    e->strikes = (guint8) MIN (attempt + 1u, 255u);
}

gboolean
pastry_fd_hearsay (PastryFd *fd, PastryPeer p, PastryTime until)
{
  g_return_val_if_fail (fd != NULL, FALSE);
  PastryFdEntry *e = find (fd, p);
  if (e == NULL || !e->dead)
    return FALSE;
  e->until = MAX (e->until, until);
  return TRUE;
}

gboolean
pastry_fd_lift_dead (PastryFd *fd, PastryPeer p)
{
  g_return_val_if_fail (fd != NULL, FALSE);
  const PastryFdEntry *e = find (fd, p);
  if (e == NULL || !e->dead)
    return FALSE;
  drop (fd, p);
  return TRUE;
}

void
pastry_fd_mark_dead (PastryFd *fd, PastryPeer p, PastryTime until)
{
  g_return_if_fail (fd != NULL);
  drop (fd, p);
  PastryFdEntry e = { p, 1, 0, until };
  append (fd, &e);
}

gboolean
pastry_fd_knows (const PastryFd *fd, PastryPeer p)
{
  g_return_val_if_fail (fd != NULL, FALSE);
  return find (fd, p) != NULL;
}

gboolean
pastry_fd_is_suspect (const PastryFd *fd, PastryPeer p, PastryTime now)
{
  g_return_val_if_fail (fd != NULL, FALSE);
  const PastryFdEntry *e = find (fd, p);
  return e != NULL && (!e->dead || e->until > now);
}

gboolean
pastry_fd_is_doubtful (const PastryFd *fd, PastryPeer p, PastryTime now)
{
  g_return_val_if_fail (fd != NULL, FALSE);
  const PastryFdEntry *e = find (fd, p);
  return e != NULL && (e->dead ? e->until > now : e->strikes >= 2);
}

gboolean
pastry_fd_believes_dead (const PastryFd *fd, PastryPeer p, PastryTime now)
{
  g_return_val_if_fail (fd != NULL, FALSE);
  const PastryFdEntry *e = find (fd, p);
  return e != NULL && e->dead && e->until > now;
}

PastryTime
pastry_fd_hop_timeout_prior (const PastryFd *fd, PastryPeer p, guint32 prox_us,
                             PastryTime min, guint prior_pct)
{
  g_return_val_if_fail (fd != NULL, min);
  const PastryFdRtt *s = &fd->rtt[p % PASTRY_FD_RTT_SLOTS];
  PastryTime rto;
  if (s->peer == p)
    rto = (PastryTime) s->srtt + 4 * (PastryTime) s->rttvar;
  else
    {
      PastryTime r = 2 * (PastryTime) prox_us;
      rto = r * MAX (prior_pct, 100u) / 100;
    }
  return MAX (rto, min);
}

PastryTime
pastry_fd_hop_timeout (const PastryFd *fd, PastryPeer p, guint32 prox_us,
                       PastryTime min)
{
  return pastry_fd_hop_timeout_prior (fd, p, prox_us, min, 300);
}

void
pastry_fd_rtt_sample (PastryFd *fd, PastryPeer p, PastryTime rtt)
{
  g_return_if_fail (fd != NULL);
  PastryFdRtt *s = &fd->rtt[p % PASTRY_FD_RTT_SLOTS];
  guint32 r = (guint32) MIN (rtt, (PastryTime) G_MAXUINT32 / 2);
  if (s->peer != p)
    {
      s->peer = p;
      s->srtt = r;
      s->rttvar = r / 2;
      return;
    }
  guint32 diff = s->srtt > r ? s->srtt - r : r - s->srtt;
  s->rttvar = (3 * s->rttvar + diff) / 4;
  s->srtt = (7 * s->srtt + r) / 8;
}
