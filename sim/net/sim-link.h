/* sim-link.h — access-link bandwidth: each node's uplink and downlink as
 * first-in-first-out queues of a fixed rate.
 *
 * The latency models (sim-net.h) give every message a propagation delay
 * and nothing else: a node could send any amount at once.  SimLinks adds
 * the access links Rhea et al. ("Handling Churn in a DHT", 2004) found
 * decisive under churn: a message of B bytes occupies its sender's uplink
 * for 8·B / up seconds, behind the messages already queued there; it then
 * crosses the latency model; at the receiver it occupies the downlink for
 * 8·B / down seconds, behind the messages that arrived before it.
 *
 * Invariants: a node's uplink (downlink) carries one message at a time, in
 * the order sim_link_send() (sim_link_receive()) was called for it, so the
 * caller calls sim_link_receive() in arrival order (at the arrival event),
 * never ahead of time; times only move forward per link; a side whose rate
 * is 0 is unlimited and costs nothing (no state is kept for it).
 *
 * Cost: O(1) per call; 8 bytes per node and limited side (the time the
 * link next falls idle), allocated only when a side is limited.  Rejected:
 * a packet-level queue per link (a list of messages and their sizes) —
 * FIFO serialisation needs only the time the link falls idle, since a
 * message never overtakes another on one link.
 *
 * Rounding: a transmission takes ceil(8·B·10^6 / rate) µs, so a non-empty
 * message always takes at least 1 µs on a limited link.
 *
 * Buffers (optional, sim_links_set_buffer): every limited link may hold a
 * drop-tail buffer of N bytes.  A message that would find more than N
 * bytes queued ahead of it — the message being transmitted included,
 * measured as the time the link still needs, so "more than N bytes" means
 * "more than sim_link_tx_time (rate, N) µs of backlog" — is dropped: the
 * call reports it and leaves the link as it was.  This keeps the O(1),
 * 8-bytes-per-link state: the backlog in bytes is the idle time ahead
 * times the rate, no packet list needed.
 */
#pragma once

#include <glib.h>

#include "sim-time.h"

G_BEGIN_DECLS

/* The largest rate accepted, in bits per second (1 Tbit/s). */
#define SIM_LINK_MAX_RATE ((guint64) 1000000000000)

/* The largest buffer accepted, in bytes (1000MB). */
#define SIM_LINK_MAX_BUFFER ((guint64) 1000000000)

typedef struct _SimLinks SimLinks;

/* New access links for nodes 0.., uplinks of up_bps and downlinks of
 * down_bps bits per second (0: that side unlimited; at most
 * SIM_LINK_MAX_RATE).  Every link starts idle.  (transfer full) */
SimLinks *sim_links_new (guint64 up_bps, guint64 down_bps);
void sim_links_free (SimLinks *l);

/* Gives every link a drop-tail buffer of `bytes` (1 ..
 * SIM_LINK_MAX_BUFFER), or none (0: unbounded, the default). */
void sim_links_set_buffer (SimLinks *l, guint64 bytes);

/* TRUE when either side is limited (otherwise every call below returns
 * its time argument and keeps no state). */
gboolean sim_links_limited (const SimLinks *l);

/* Time a message of bytes occupies a link of rate_bps (0 when the rate is
 * 0: unlimited). */
SimTime sim_link_tx_time (guint64 rate_bps, guint bytes);

/* Node a hands a message of bytes to its uplink at now.  Returns when its
 * last bit has left (now + queueing + transmission) and stores the
 * queueing part in *queued (may be NULL).  With a buffer, a message that
 * overflows it sets *dropped (may be NULL; otherwise set to FALSE), keeps
 * no state, stores 0 in *queued and returns now. */
SimTime sim_link_send (SimLinks *l, guint32 a, guint bytes, SimTime now,
                       SimTime *queued, gboolean *dropped);

/* A message of bytes reaches node b's downlink at now (call at its
 * arrival, in arrival order).  Returns when it is fully received and
 * stores the queueing part in *queued (may be NULL); *dropped as for
 * sim_link_send(). */
SimTime sim_link_receive (SimLinks *l, guint32 b, guint bytes, SimTime now,
                          SimTime *queued, gboolean *dropped);

/* Parses a rate as the scenario parameters access_up and access_down
 * write it: a decimal number (digits, optionally a '.' and more digits)
 * immediately followed by a unit of bits per second — `bit` (1), `kbit`
 * (10^3), `Mbit` (10^6) or `Gbit` (10^9); units are case-sensitive, no
 * space inside — or the word `off` (unlimited: *bps = 0).  The result is
 * rounded to the nearest whole bit per second and must lie in 1 ..
 * SIM_LINK_MAX_RATE.  Examples: `1Mbit`, `1.5Mbit`, `384kbit`, `off`.
 * Returns FALSE and sets *why (static English, no position: the caller
 * adds file:line:col) for a zero, negative, out-of-range or malformed
 * value. */
gboolean sim_link_parse_rate (const char *text, guint64 *bps, const char **why);

/* Parses a buffer size as the scenario parameter access_buffer writes
 * it: a whole decimal number immediately followed by `B` (1), `KB`
 * (10^3) or `MB` (10^6) bytes (case-sensitive, no space), or the word
 * `off` (unbounded: *bytes = 0).  The result must lie in 1 ..
 * SIM_LINK_MAX_BUFFER.  Examples: `16KB`, `1500B`, `off`.  Returns FALSE
 * and sets *why (static English, no position) for a zero, negative,
 * out-of-range or malformed value. */
gboolean sim_link_parse_buffer (const char *text, guint64 *bytes,
                                const char **why);

/* Node a went down or came back: its links are idle again, so its next
 * message does not wait behind what it queued in an earlier life
 * (messages already handed to sim_link_send() are the caller's to drop). */
void sim_link_reset (SimLinks *l, guint32 a);

G_END_DECLS
