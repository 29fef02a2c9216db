/* pastry-fd.h — a node's failure detector: the peers it suspects or
 * believes dead, and its round-trip-time estimates (RFC 6298 style).
 *
 * Pure state: the caller passes the time (µs, any epoch) and acts on the
 * answers — it sends the probe pastry_fd_suspect() asks for, it times a
 * hop out after pastry_fd_hop_timeout().  Join, lookup forwarding and
 * repair all consult the same detector, which is why it is a module of its
 * own (it used to live inside the simulator's maintenance code).
 *
 * The three degrees of doubt, weakest first:
 *   suspect   — a heartbeat, acknowledgement or probe went missing: routing
 *               avoids the peer where another will do, and it is probed;
 *   doubtful  — suspected with two or more probes unanswered, or believed
 *               dead: not even the final hop to a key's root goes there;
 *   dead      — declared dead (probes exhausted); the mark is forgotten at
 *               its expiry so a peer that comes back can be learnt again.
 */
#pragma once

#include "pastry-directory.h"

G_BEGIN_DECLS

/* Time as the caller keeps it: microseconds. */
typedef guint64 PastryTime;

/* RTT estimates kept per node: a small direct-mapped cache by peer handle
 * (peers that collide evict each other; an evicted peer falls back to
 * the measured proximity). */
#define PASTRY_FD_RTT_SLOTS 8

typedef struct
{
  PastryPeer peer;
  guint8 dead;      /* 0: suspected (being probed), 1: declared dead */
  guint8 strikes;   /* probes that went unanswered so far */
  PastryTime until; /* a dead mark is forgotten after this time */
} PastryFdEntry;

typedef struct
{
  PastryPeer peer;
  guint32 srtt;   /* µs */
  guint32 rttvar; /* µs */
} PastryFdRtt;

/* The detector of one node.  Its layout is public so that it can be
 * embedded in the caller's per-node state (one allocation fewer per node);
 * use it through the functions only. */
typedef struct
{
  GArray *entries; /* PastryFdEntry, at most one per peer; NULL when
                      empty.  Owned. */
  PastryFdRtt rtt[PASTRY_FD_RTT_SLOTS];
} PastryFd;

/* Initialises an empty detector / frees what it holds (it stays usable as
 * an empty detector). */
void pastry_fd_init (PastryFd *fd);
void pastry_fd_clear (PastryFd *fd);

/* A reason to doubt p arrived at now (a missed heartbeat or
 * acknowledgement).  Returns TRUE when p is newly suspected: the caller
 * probes it.  FALSE when p is already suspected or believed dead (an
 * expired dead mark is replaced by a fresh suspicion: TRUE). */
gboolean pastry_fd_suspect (PastryFd *fd, PastryPeer p, PastryTime now);

/* Direct evidence that p is alive (it sent something about itself): any
 * suspicion or dead mark on p is dropped. */
void pastry_fd_alive (PastryFd *fd, PastryPeer p);

/* A probe reply from p: drops a suspicion of p (a dead mark stays: the
 * verdict is refuted through pastry_fd_alive() only). */
void pastry_fd_probe_answered (PastryFd *fd, PastryPeer p);

/* The probe numbered attempt (0 = first) of suspected p went unanswered:
 * records attempt + 1 strikes.  No effect unless p is suspected. */
void pastry_fd_strike (PastryFd *fd, PastryPeer p, guint attempt);

/* p is declared dead until `until`. */
void pastry_fd_mark_dead (PastryFd *fd, PastryPeer p, PastryTime until);

/* A third party mentioned p (hearsay, not evidence).  When the detector
 * holds a dead mark on p, even an expired one, the mark is renewed until
 * `until` (never shortened) and TRUE is returned: the caller ignores the
 * mention.  So a dead peer others still list stays dead for as long as
 * they keep mentioning it, instead of coming back whenever the mark
 * expires; only direct evidence (pastry_fd_alive()) lifts the mark.
 * FALSE, doing nothing, when p carries no dead mark. */
gboolean pastry_fd_hearsay (PastryFd *fd, PastryPeer p, PastryTime until);

/* Direct evidence that p is alive (a message from p itself): a dead mark
 * on p, even an expired one, is dropped; a suspicion stays (its probe is
 * in flight and will clear it).  Returns TRUE when a mark was dropped. */
gboolean pastry_fd_lift_dead (PastryFd *fd, PastryPeer p);

/* TRUE when the detector holds any entry on p, even an expired mark. */
gboolean pastry_fd_knows (const PastryFd *fd, PastryPeer p);

/* TRUE when p is suspected, or believed dead (mark not expired). */
gboolean pastry_fd_is_suspect (const PastryFd *fd, PastryPeer p,
                               PastryTime now);

/* TRUE when p is believed dead, or suspected with two or more probes
 * unanswered: with 1 % loss a live peer misses one probe in fifty. */
gboolean pastry_fd_is_doubtful (const PastryFd *fd, PastryPeer p,
                                PastryTime now);

/* TRUE when p is believed dead (mark not expired). */
gboolean pastry_fd_believes_dead (const PastryFd *fd, PastryPeer p,
                                  PastryTime now);

/* The retransmission timeout for a message to p: SRTT + 4 RTTVAR from the
 * samples, or, before any sample, 3 R where R = 2 prox_us is the RTT the
 * measured one-way proximity suggests (RFC 6298's first-sample rule);
 * never below min.  Same as pastry_fd_hop_timeout_prior (..., 300). */
PastryTime pastry_fd_hop_timeout (const PastryFd *fd, PastryPeer p,
                                  guint32 prox_us, PastryTime min);

/* As pastry_fd_hop_timeout(), with the timeout before any sample
 * prior_pct / 100 R instead of 3 R (prior_pct >= 100).  The proximity a
 * node measured is itself an RTT sample: where it is accurate (no
 * jitter), waiting three times it for a silent hop only delays the
 * reroute (sim/README.md, "Lookup latency under churn").  Once p has
 * samples, SRTT + 4 RTTVAR decides as before. */
PastryTime pastry_fd_hop_timeout_prior (const PastryFd *fd, PastryPeer p,
                                        guint32 prox_us, PastryTime min,
                                        guint prior_pct);

/* A round-trip time measured to p (clamped to 2^31 µs). */
void pastry_fd_rtt_sample (PastryFd *fd, PastryPeer p, PastryTime rtt);

G_END_DECLS
