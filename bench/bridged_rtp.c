/*
 * The RTP endpoints of the bridged-call benchmark (issue 17, docs/BENCHMARKS.md "Bridged calls"): for each of N calls
 * a caller stream (index 2i) and a retriever stream (2i+1), each sending one RTP packet every 20 ms and reading what
 * the server relays. ONE thread: epoll over the sockets, absolute deadlines (start + k * 20 ms, as Baseline.java), the
 * 2N streams spread evenly over the 20 ms period in SLOTS groups (phones are not synchronised with each other).
 *
 * Why C and not Java: a Java endpoint (one DatagramChannel per stream, one thread) could not keep up on this
 * 2-core VM: at N=500 it used 75 % of a core for itself with p99 24 ms of its own lateness, at N=1000 it fell behind
 * (tried during development, not kept). Here a slot group's packets leave with sendmmsg() (one system call per
 * socket and group) and arrive with recvmmsg() with kernel receive timestamps (SO_TIMESTAMPNS).
 *
 * Sockets: SHARE=0: one socket per stream (2N: every caller and retriever its own port, as phones).
 * SHARE=K>0: K caller sockets and K retriever sockets; stream 2i uses caller socket i%K, 2i+1 retriever socket i%K
 * (the server does the same work per packet either way: one read on the leg's socket, one send to the peer's
 * remote; only our side gets cheaper). A stream's packets go to its dest (the server leg's address from the SDP
 * answer, or the peer stream's socket in "direct" mode).
 *
 * PCMU payload (160 bytes, PT 0, own SSRC, seq +1, timestamp +160): "BRDG", the stream index (u32), the send time
 * (CLOCK_REALTIME ns, u64, taken right before the sendmmsg() of its group), the stream's packet counter (u32), then
 * a 425 Hz tone. The server relays PCMU<->PCMU payloads unchanged (RtpLeg.onPacket/relay rewrite only SSRC, seq and
 * timestamp), so the receiver gets the stream and the send time back: one-way latency = kernel receive timestamp
 * minus the send time. "direct" mode (caller i <-> retriever i, no server) measures this method's own part.
 * Opus (OPUSFILE given): retriever streams send the pre-encoded frames (OpusFrames.java) with PT 111, timestamp +960;
 * the server transcodes both ways, payloads cannot be matched: arrivals are counted per stream by source address.
 *
 * Control on stdin, one command a line: "dest S HOST PORT", "direct", "clear", "start", "stop", "mark" (window
 * begins), "report TAG" (window ends; 300 ms later prints "report {json}"), "quit". EOF or MAXSECONDS: exit.
 * Usage: bridged_rtp N MAXSECONDS [SLOTS=40] [SHARE=0] [OPUSFILE]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <math.h>

#define PERIOD 20000000LL
#define MAGIC 0x42524447u
#define HIST_US 1000000
#define BATCH 64
#define MAXPKT 1500

static int n, m, slots, share, nsock;
static int *sock_of;             /* stream -> socket index */
static int *fds;                 /* socket index -> fd */
static struct sockaddr_in *local_of; /* socket index -> local address */
static struct sockaddr_in *dest; /* stream -> destination */
static int *has_dest;
static uint32_t *ssrc, *tsv, *counter;
static uint16_t *seqv;
static int port_stream[65536];   /* source port -> receiving stream (server leg of that stream), -1 */
static uint8_t *opus[64];
static int opus_len[64], nopus;
static uint8_t tone[50][160];

static long long win_start = INT64_MAX, win_end = INT64_MAX;
static long long *sent_win, *recv_win, *arriv_win, *other_win;
static int *hist;
static long long lat_max, lat_n, send_err, recv_err, late_groups, max_late, groups_sent, unknown_src, trunc_cnt;
static char report_tag[64];
static long long report_at = INT64_MAX;

static long long now_mono(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static long long now_real(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static uint8_t ulaw(int s) {
    int sign = (s >> 8) & 0x80;
    if (sign) s = -s;
    if (s > 32635) s = 32635;
    s += 0x84;
    int exp = 7;
    for (int mask = 0x4000; (s & mask) == 0 && exp > 0; exp--, mask >>= 1) {
    }
    int mant = (s >> (exp + 3)) & 0x0F;
    return (uint8_t) ~(sign | (exp << 4) | mant);
}

static void put32(uint8_t *p, uint32_t v) { p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v; }
static uint32_t get32(const uint8_t *p) { return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3]; }
static void put64(uint8_t *p, uint64_t v) { put32(p, v >> 32); put32(p + 4, (uint32_t) v); }
static uint64_t get64(const uint8_t *p) { return (uint64_t) get32(p) << 32 | get32(p + 4); }

static void reset(void) {
    memset(sent_win, 0, sizeof(long long) * m);
    memset(recv_win, 0, sizeof(long long) * m);
    memset(arriv_win, 0, sizeof(long long) * m);
    memset(other_win, 0, sizeof(long long) * m);
    memset(hist, 0, sizeof(int) * (HIST_US + 1));
    lat_max = lat_n = send_err = recv_err = late_groups = max_late = groups_sent = unknown_src = trunc_cnt = 0;
}

static double pct_ms(double p) {
    if (lat_n == 0) return -1;
    long long rank = (long long) (p / 100.0 * lat_n + 0.999999);
    if (rank < 1) rank = 1;
    long long acc = 0;
    for (int i = 0; i <= HIST_US; i++) {
        acc += hist[i];
        if (acc >= rank) return (i + 0.5) / 1000.0;
    }
    return HIST_US / 1000.0;
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

static void report(void) {
    double secs = (win_end - win_start) / 1e9;
    int streams = 0;
    long long sent = 0, recv = 0, other = 0, sent_dir[2] = {0, 0}, arr_dir[2] = {0, 0};
    double max_loss = 0;
    double *pps = calloc(m, sizeof(double)), *arr = calloc(m, sizeof(double));
    for (int i = 0; i < m; i++) {
        if (!has_dest[i] && sent_win[i] == 0) continue;
        if (sent_win[i] > 0) {
            double l = 100.0 * (sent_win[i] - recv_win[i]) / sent_win[i];
            if (l > max_loss) max_loss = l;
        }
        pps[streams] = recv_win[i] / secs;
        arr[streams] = arriv_win[i] / secs;
        streams++;
        sent += sent_win[i];
        recv += recv_win[i];
        sent_dir[i & 1] += sent_win[i];
        arr_dir[i & 1] += arriv_win[i];
        other += other_win[i];
    }
    qsort(pps, streams, sizeof(double), cmp_d);
    qsort(arr, streams, sizeof(double), cmp_d);
    printf("report {\"tag\": \"%s\", \"window_s\": %.4f, \"streams\": %d, \"sent\": %lld, \"received\": %lld, "
           "\"loss_pct\": %.4f, \"max_stream_loss_pct\": %.4f, \"lat_n\": %lld, \"lat_p50_ms\": %.4f, "
           "\"lat_p90_ms\": %.4f, \"lat_p99_ms\": %.4f, \"lat_p999_ms\": %.4f, \"lat_max_ms\": %.4f, "
           "\"pps_min\": %.3f, \"pps_median\": %.3f, \"pps_max\": %.3f, \"arrival_pps_min\": %.3f, "
           "\"arrival_pps_median\": %.3f, \"arrival_pps_max\": %.3f, \"sent_by_callers\": %lld, "
           "\"sent_by_retrievers\": %lld, \"arrived_at_callers\": %lld, \"arrived_at_retrievers\": %lld, "
           "\"other_packets\": %lld, \"unknown_source\": %lld, \"send_errors\": %lld, \"recv_errors\": %lld, "
           "\"truncated\": %lld, \"slot_groups\": %lld, \"late_slot_groups_gt_1ms\": %lld, "
           "\"max_send_lateness_ms\": %.3f, \"sockets\": %d}\n",
           report_tag, secs, streams, sent, recv, sent ? 100.0 * (sent - recv) / sent : 0.0, max_loss, lat_n,
           pct_ms(50), pct_ms(90), pct_ms(99), pct_ms(99.9), lat_max / 1e6,
           streams ? pps[0] : 0, streams ? pps[streams / 2] : 0, streams ? pps[streams - 1] : 0,
           streams ? arr[0] : 0, streams ? arr[streams / 2] : 0, streams ? arr[streams - 1] : 0,
           sent_dir[0], sent_dir[1], arr_dir[0], arr_dir[1], other, unknown_src, send_err, recv_err, trunc_cnt,
           groups_sent, late_groups, max_late / 1e6, nsock);
    fflush(stdout);
    free(pps);
    free(arr);
}

static void set_dest(int s, const char *host, int port) {
    memset(&dest[s], 0, sizeof(dest[s]));
    dest[s].sin_family = AF_INET;
    dest[s].sin_port = htons(port);
    inet_pton(AF_INET, host, &dest[s].sin_addr);
    has_dest[s] = 1;
    port_stream[port] = s; /* packets from that server leg are what stream s receives */
}

/* per-message buffers of one sendmmsg batch */
static uint8_t sbuf[BATCH][MAXPKT];
static struct iovec siov[BATCH];
static struct mmsghdr smsg[BATCH];

static void send_run(int fd, const int *streams, int cnt, long long k) {
    long long t = now_real();
    for (int j = 0; j < cnt; j++) {
        int s = streams[j];
        int is_opus = nopus > 0 && (s & 1);
        uint8_t *p = sbuf[j];
        p[0] = 0x80;
        p[1] = (counter[s] == 0 ? 0x80 : 0) | (is_opus ? 111 : 0);
        p[2] = seqv[s] >> 8;
        p[3] = seqv[s];
        put32(p + 4, tsv[s]);
        put32(p + 8, ssrc[s]);
        int len;
        if (is_opus) {
            int f = (int) (k % nopus);
            memcpy(p + 12, opus[f], opus_len[f]);
            len = 12 + opus_len[f];
        } else {
            memcpy(p + 12, tone[k % 50], 160);
            put32(p + 12, MAGIC);
            put32(p + 16, (uint32_t) s);
            put64(p + 20, (uint64_t) t);
            put32(p + 28, counter[s]);
            len = 172;
        }
        siov[j].iov_base = p;
        siov[j].iov_len = len;
        memset(&smsg[j], 0, sizeof(smsg[j]));
        smsg[j].msg_hdr.msg_name = &dest[s];
        smsg[j].msg_hdr.msg_namelen = sizeof(dest[s]);
        smsg[j].msg_hdr.msg_iov = &siov[j];
        smsg[j].msg_hdr.msg_iovlen = 1;
        seqv[s]++;
        tsv[s] += is_opus ? 960 : 160;
        counter[s]++;
    }
    int done = 0;
    while (done < cnt) {
        int r = sendmmsg(fd, smsg + done, cnt - done, MSG_DONTWAIT);
        if (r <= 0) {
            send_err += cnt - done; /* e.g. ECONNREFUSED from an earlier ICMP, or a full send buffer */
            break;
        }
        done += r;
    }
    if (t >= win_start && t < win_end) {
        for (int j = 0; j < done; j++) sent_win[streams[j]]++;
    }
}

/* receive buffers */
static uint8_t rbuf[BATCH][MAXPKT];
static char rctl[BATCH][64];
static struct iovec riov[BATCH];
static struct sockaddr_in rfrom[BATCH];
static struct mmsghdr rmsg[BATCH];

static void receive(int fd) {
    for (int round = 0; round < 16; round++) { /* bounded */
        for (int j = 0; j < BATCH; j++) {
            riov[j].iov_base = rbuf[j];
            riov[j].iov_len = MAXPKT;
            memset(&rmsg[j].msg_hdr, 0, sizeof(rmsg[j].msg_hdr));
            rmsg[j].msg_hdr.msg_name = &rfrom[j];
            rmsg[j].msg_hdr.msg_namelen = sizeof(rfrom[j]);
            rmsg[j].msg_hdr.msg_iov = &riov[j];
            rmsg[j].msg_hdr.msg_iovlen = 1;
            rmsg[j].msg_hdr.msg_control = rctl[j];
            rmsg[j].msg_hdr.msg_controllen = sizeof(rctl[j]);
        }
        int r = recvmmsg(fd, rmsg, share ? BATCH : 4, MSG_DONTWAIT, NULL);
        if (r < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK) recv_err++;
            return;
        }
        long long fallback = now_real();
        for (int j = 0; j < r; j++) {
            long long ts = fallback;
            for (struct cmsghdr *c = CMSG_FIRSTHDR(&rmsg[j].msg_hdr); c; c = CMSG_NXTHDR(&rmsg[j].msg_hdr, c)) {
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
                    struct timespec tsp;
                    memcpy(&tsp, CMSG_DATA(c), sizeof(tsp));
                    ts = tsp.tv_sec * 1000000000LL + tsp.tv_nsec;
                }
            }
            if (rmsg[j].msg_hdr.msg_flags & MSG_TRUNC) trunc_cnt++;
            int len = rmsg[j].msg_len;
            const uint8_t *p = rbuf[j];
            int in_win = ts >= win_start && ts < win_end;
            if (len >= 32 && get32(p + 12) == MAGIC) {
                uint32_t s = get32(p + 16);
                long long sent = (long long) get64(p + 20);
                if (s < (uint32_t) m) {
                    /* the receiving stream: the one whose server leg sent it (bridged), else the peer (direct) */
                    int rs = port_stream[ntohs(rfrom[j].sin_port)];
                    if (in_win) arriv_win[rs >= 0 ? rs : (int) (s ^ 1)]++;
                    if (sent >= win_start && sent < win_end) {
                        recv_win[s]++;
                        long long lat = ts - sent;
                        if (lat > lat_max) lat_max = lat;
                        lat_n++;
                        long long b = lat / 1000;
                        hist[b < 0 ? 0 : b > HIST_US ? HIST_US : b]++;
                    }
                }
            } else if (in_win) {
                int s = port_stream[ntohs(rfrom[j].sin_port)];
                if (s >= 0) {
                    arriv_win[s]++;
                    other_win[s]++;
                } else {
                    unknown_src++;
                }
            }
        }
        if (r < (share ? BATCH : 4)) return;
    }
}

static int cmp_stream_sock(const void *a, const void *b) {
    int x = *(const int *) a, y = *(const int *) b;
    return sock_of[x] != sock_of[y] ? sock_of[x] - sock_of[y] : x - y;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: bridged_rtp N MAXSECONDS [SLOTS] [SHARE] [OPUSFILE]\n");
        return 2;
    }
    n = atoi(argv[1]);
    m = 2 * n;
    double max_seconds = atof(argv[2]);
    slots = argc > 3 ? atoi(argv[3]) : 40;
    share = argc > 4 ? atoi(argv[4]) : 0;
    if (argc > 5 && argv[5][0]) {
        FILE *f = fopen(argv[5], "rb");
        if (!f) { perror(argv[5]); return 2; }
        uint8_t l2[2];
        while (nopus < 64 && fread(l2, 1, 2, f) == 2) {
            int l = l2[0] << 8 | l2[1];
            opus[nopus] = malloc(l > 0 ? l : 1);
            if (l > MAXPKT - 12 || fread(opus[nopus], 1, l, f) != (size_t) l) { fprintf(stderr, "bad opus file\n"); return 2; }
            opus_len[nopus++] = l;
        }
        fclose(f);
    }
    for (int i = 0; i < 8000; i++) tone[i / 160][i % 160] = ulaw((int) (8000 * sin(2 * M_PI * 425 * i / 8000.0)));
    memset(port_stream, 0xff, sizeof(port_stream));
    nsock = share > 0 ? 2 * (share < n ? share : n) : m;
    int per_side = nsock / 2;
    sock_of = calloc(m, sizeof(int));
    fds = calloc(nsock, sizeof(int));
    local_of = calloc(nsock, sizeof(struct sockaddr_in));
    dest = calloc(m, sizeof(struct sockaddr_in));
    has_dest = calloc(m, sizeof(int));
    ssrc = calloc(m, 4); tsv = calloc(m, 4); counter = calloc(m, 4); seqv = calloc(m, 2);
    sent_win = calloc(m, 8); recv_win = calloc(m, 8); arriv_win = calloc(m, 8); other_win = calloc(m, 8);
    hist = calloc(HIST_US + 1, sizeof(int));
    srand(getpid() ^ (unsigned) now_mono());
    for (int s = 0; s < m; s++) {
        sock_of[s] = share > 0 ? (s & 1) * per_side + (s / 2) % per_side : s;
        ssrc[s] = (uint32_t) rand() << 1 ^ rand();
        seqv[s] = rand();
        tsv[s] = rand();
    }
    int ep = epoll_create1(0);
    for (int i = 0; i < nsock; i++) {
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
        int buf = share > 0 ? 8 << 20 : 256 << 10;
        if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)) < 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
        if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf)) < 0) setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
        struct sockaddr_in a = {.sin_family = AF_INET};
        inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
        if (bind(fd, (struct sockaddr *) &a, sizeof(a)) < 0) { perror("bind"); return 1; }
        socklen_t al = sizeof(local_of[i]);
        getsockname(fd, (struct sockaddr *) &local_of[i], &al);
        fds[i] = fd;
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t) i};
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    }
    fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
    struct epoll_event sev = {.events = EPOLLIN, .data.u32 = 0xffffffffu};
    epoll_ctl(ep, EPOLL_CTL_ADD, 0, &sev);
    /* slot groups: streams s with s % slots == g, ordered by socket (runs of one socket -> one sendmmsg) */
    int **groups = calloc(slots, sizeof(int *));
    int *gsize = calloc(slots, sizeof(int));
    for (int g = 0; g < slots; g++) {
        groups[g] = calloc(m / slots + 1, sizeof(int));
        for (int s = g; s < m; s += slots) groups[g][gsize[g]++] = s;
        qsort(groups[g], gsize[g], sizeof(int), cmp_stream_sock);
    }
    printf("ports");
    for (int s = 0; s < m; s++) printf(" %d", ntohs(local_of[sock_of[s]].sin_port));
    printf("\n");
    fflush(stdout);

    long long end_all = now_mono() + (long long) (max_seconds * 1e9);
    int sending = 0;
    long long start = 0, k = 0;
    int slot = 0;
    char line[512];
    int line_len = 0;
    struct epoll_event evs[256];
    int *run = calloc(m + 1, sizeof(int));
    for (;;) {
        long long now = now_mono();
        if (now >= end_all) {
            fprintf(stderr, "bridged_rtp: max lifetime reached\n");
            return 0;
        }
        if (now_real() >= report_at) {
            report();
            report_at = INT64_MAX;
        }
        if (sending) {
            int burst = 0;
            long long due;
            while (burst++ < slots && (due = start + k * PERIOD + slot * PERIOD / slots) <= (now = now_mono())) {
                long long late = now - due;
                if (late > 200000000LL) { /* stalled: skip ahead, as a real sender would after a pause */
                    k += late / PERIOD;
                    continue;
                }
                if (late > 1000000LL) late_groups++;
                if (late > max_late) max_late = late;
                groups_sent++;
                int cnt = 0, cur = -1;
                for (int j = 0; j <= gsize[slot]; j++) {
                    int s = j < gsize[slot] ? groups[slot][j] : -1;
                    if (s >= 0 && !has_dest[s]) continue;
                    int so = s >= 0 ? sock_of[s] : -2;
                    if ((so != cur || cnt == BATCH) && cnt > 0) {
                        send_run(fds[cur], run, cnt, k);
                        cnt = 0;
                    }
                    if (s < 0) break;
                    cur = so;
                    run[cnt++] = s;
                }
                if (++slot == slots) {
                    slot = 0;
                    k++;
                }
            }
        }
        long long wait = sending ? start + k * PERIOD + slot * PERIOD / slots - now_mono() : 50000000LL;
        if (report_at != INT64_MAX) {
            long long w2 = report_at - now_real();
            if (w2 < wait) wait = w2;
        }
        if (wait < 0) wait = 0;
        struct timespec to = {.tv_sec = wait / 1000000000LL, .tv_nsec = wait % 1000000000LL};
        int ne = epoll_pwait2(ep, evs, 256, &to, NULL);
        for (int e = 0; e < ne; e++) {
            uint32_t id = evs[e].data.u32;
            if (id != 0xffffffffu) {
                receive(fds[id]);
                continue;
            }
            for (;;) { /* stdin: commands */
                char c;
                ssize_t r = read(0, &c, 1);
                if (r == 0) return 0; /* EOF: our driver is gone */
                if (r < 0) break;
                if (c != '\n') {
                    if (line_len < (int) sizeof(line) - 1) line[line_len++] = c;
                    continue;
                }
                line[line_len] = 0;
                line_len = 0;
                char cmd[32] = "", a1[64] = "", a2[64] = "";
                int a3 = 0;
                sscanf(line, "%31s %63s %63s %d", cmd, a1, a2, &a3);
                if (!strcmp(cmd, "dest")) {
                    int s = atoi(a1);
                    if (s >= 0 && s < m && a3 > 0 && a3 < 65536) set_dest(s, a2, a3);
                } else if (!strcmp(cmd, "direct")) {
                    for (int i = 0; i < n; i++) {
                        dest[2 * i] = local_of[sock_of[2 * i + 1]];
                        dest[2 * i + 1] = local_of[sock_of[2 * i]];
                        has_dest[2 * i] = has_dest[2 * i + 1] = 1;
                    }
                } else if (!strcmp(cmd, "clear")) {
                    memset(has_dest, 0, sizeof(int) * m);
                    memset(port_stream, 0xff, sizeof(port_stream));
                } else if (!strcmp(cmd, "start")) {
                    sending = 1;
                    start = now_mono() + PERIOD;
                    k = 0;
                    slot = 0;
                } else if (!strcmp(cmd, "stop")) {
                    sending = 0;
                } else if (!strcmp(cmd, "mark")) {
                    reset();
                    win_start = now_real();
                    win_end = INT64_MAX;
                } else if (!strcmp(cmd, "report")) {
                    win_end = now_real();
                    snprintf(report_tag, sizeof(report_tag), "%s", a1);
                    report_at = win_end + 300000000LL;
                } else if (!strcmp(cmd, "quit")) {
                    return 0;
                } else {
                    fprintf(stderr, "bridged_rtp: unknown command: %s\n", line);
                }
            }
        }
    }
}
