// The minimal C generator `sluice trafficgen` is measured against: libbpf's bpf_prog_test_run_opts with
// BPF_F_TEST_XDP_LIVE_FRAMES on one fixed 60-byte UDP/IPv4 frame, XDP_TX out of the given device, the way the kernel
// selftests and xdp-trafficgen drive the fast path. Run it inside the device's network namespace (nsenter --net=).
//
//   trafficgen_live OBJECT IFNAME DST_MAC COUNT [BATCH]
//
// Prints "packets N", "seconds S" and "pps P".
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include "bench_common.h"

static unsigned short checksum(const unsigned char *bytes, int length)
{
    unsigned int sum = 0;
    for (int i = 0; i + 1 < length; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
    return (unsigned short)~sum;
}

static void build_frame(unsigned char *frame, const unsigned char *source_mac, const unsigned char *destination_mac)
{
    /* 14 Ethernet + 20 IPv4 + 8 UDP + 18 payload = 60; 198.18.0.1:40000 -> 198.18.0.2:9, UDP checksum 0 (allowed). */
    memset(frame, 0, 60);
    memcpy(frame, destination_mac, 6);
    memcpy(frame + 6, source_mac, 6);
    frame[12] = 0x08;
    unsigned char *ip = frame + 14;
    ip[0] = 0x45; ip[3] = 46; ip[6] = 0x40; ip[8] = 64; ip[9] = 17;
    ip[12] = 198; ip[13] = 18; ip[14] = 0; ip[15] = 1;
    ip[16] = 198; ip[17] = 18; ip[18] = 0; ip[19] = 2;
    unsigned short sum = checksum(ip, 20);
    ip[10] = sum >> 8; ip[11] = sum & 0xff;
    unsigned char *udp = frame + 34;
    udp[0] = 40000 >> 8; udp[1] = 40000 & 0xff; udp[3] = 9; udp[5] = 26;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s OBJECT IFNAME DST_MAC COUNT [BATCH]\n", argv[0]);
        return 2;
    }
    const char *ifname = argv[2];
    long count = strtol(argv[4], NULL, 10);
    int batch = (int)arg_long(argc, argv, 5, 64);
    unsigned char destination_mac[6], source_mac[6];
    if (sscanf(argv[3], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &destination_mac[0], &destination_mac[1], &destination_mac[2],
               &destination_mac[3], &destination_mac[4], &destination_mac[5]) != 6)
        die("bad DST_MAC", EINVAL);
    int ifindex = (int)if_nametoindex(ifname);
    if (!ifindex) die(ifname, errno);
    struct ifreq request = { 0 };
    snprintf(request.ifr_name, sizeof(request.ifr_name), "%s", ifname);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0 || ioctl(fd, SIOCGIFHWADDR, &request) < 0) die("SIOCGIFHWADDR", errno);
    close(fd);
    memcpy(source_mac, request.ifr_hwaddr.sa_data, 6);

    struct bpf_object *object = bpf_object__open_file(argv[1], NULL);
    if (!object || bpf_object__load(object)) die("loading the object", errno);
    struct bpf_program *program = bpf_object__find_program_by_name(object, "xdp_live_tx");
    if (!program) die("xdp_live_tx", ENOENT);
    int program_fd = bpf_program__fd(program);

    unsigned char frame[60];
    build_frame(frame, source_mac, destination_mac);
    struct xdp_md context = { .data_end = sizeof(frame), .ingress_ifindex = ifindex };
    /* Chunks of about 5 ms, as the Sluice generator uses, so both pay the same per-call setup. */
    long chunk = 4096, sent = 0;
    double start = now_seconds();
    while (sent < count) {
        long runs = count - sent < chunk ? count - sent : chunk;
        LIBBPF_OPTS(bpf_test_run_opts, options,
            .data_in = frame, .data_size_in = sizeof(frame),
            .ctx_in = &context, .ctx_size_in = sizeof(context),
            .repeat = (unsigned int)runs, .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = (unsigned int)batch);
        double before = now_seconds();
        int err = bpf_prog_test_run_opts(program_fd, &options);
        if (err) die("bpf_prog_test_run_opts", err);
        sent += runs;
        double took = now_seconds() - before;
        if (took > 0) {
            chunk = (long)(runs / took * 0.005);
            if (chunk < 64) chunk = 64;
            if (chunk > (1L << 22)) chunk = 1L << 22;
        }
    }
    double seconds = now_seconds() - start;
    printf("packets %ld\nseconds %.6f\npps %.0f\n", sent, seconds, sent / seconds);
    bpf_object__close(object);
    return 0;
}
