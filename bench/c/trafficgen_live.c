// The minimal C generator `sluice trafficgen` is measured against: libbpf's bpf_prog_test_run_opts with
// BPF_F_TEST_XDP_LIVE_FRAMES on one 60-byte UDP/IPv4 frame (198.18.0.1:40000 -> 198.18.0.2:9), out of the given
// device, the way the kernel selftests and xdp-trafficgen drive the fast path. Run it inside the device's network
// namespace (nsenter --net=).
//
//   trafficgen_live OBJECT IFNAME DST_MAC COUNT [BATCH] [--program NAME] [--sources N] [--ports N] [--cpu C]
//                   [--chunk-ms MS]
//
// --program xdp_live_tx (default, bench/c/bpf/xdp_live_tx.bpf.c): a bare XDP_TX, the frame sent as it is.
// --program trafficgen_write: Sluice's own frame writer (src/Sluice.Programs/bpf/trafficgen.bpf.c) with its .rodata
//   set here through libbpf as TrafficFrameWriter sets it, walking N sources x N ports: the same per-frame work as
//   `sluice trafficgen`, driven from C, which separates the program's cost from the C# driver's.
// --cpu pins the thread (as xdp-trafficgen pins its runners); --chunk-ms sets how long each bpf() call runs (5 ms, as
//   the Sluice generator; 0: the whole count in one call).
//
// Prints "packets N", "seconds S", "pps P", "calls N", and the thread's CPU time (user + system: the kernel's work in
// bpf(), including the receiver's softirq where it ran on this thread) as "cpu_seconds" and "pps_per_cpu", and the
// kernel's own mean time per run (BPF_PROG_RUN's duration, which stops while the thread is scheduled out) as
// "kernel_ns_per_frame".
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include "bench_common.h"

static unsigned int sum_words(const unsigned char *bytes, int length, unsigned int sum)
{
    for (int i = 0; i + 1 < length; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
    return sum;
}

static unsigned short fold(unsigned int sum)
{
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
    return (unsigned short)~sum;
}

/* 14 Ethernet + 20 IPv4 + 8 UDP + 18 zero payload = 60 bytes, both checksums right (as TrafficFrame builds it). */
static void build_frame(unsigned char *frame, const unsigned char *source_mac, const unsigned char *destination_mac,
                        unsigned short *ip_checksum, unsigned short *udp_checksum)
{
    memset(frame, 0, 60);
    memcpy(frame, destination_mac, 6);
    memcpy(frame + 6, source_mac, 6);
    frame[12] = 0x08;
    unsigned char *ip = frame + 14;
    ip[0] = 0x45; ip[3] = 46; ip[6] = 0x40; ip[8] = 64; ip[9] = 17;
    ip[12] = 198; ip[13] = 18; ip[14] = 0; ip[15] = 1;
    ip[16] = 198; ip[17] = 18; ip[18] = 0; ip[19] = 2;
    *ip_checksum = fold(sum_words(ip, 20, 0));
    ip[10] = *ip_checksum >> 8; ip[11] = *ip_checksum & 0xff;
    unsigned char *udp = frame + 34;
    udp[0] = 40000 >> 8; udp[1] = 40000 & 0xff; udp[3] = 9; udp[5] = 26;
    unsigned int pseudo = sum_words(ip + 12, 8, 17 + 26);
    *udp_checksum = fold(sum_words(udp, 26, pseudo));
    if (*udp_checksum == 0) *udp_checksum = 0xffff;
    udp[6] = *udp_checksum >> 8; udp[7] = *udp_checksum & 0xff;
}

/* Writes VALUE into the .rodata variable NAME (its size taken from BTF) before the object is loaded. */
static void set_rodata(struct bpf_object *object, const char *name, unsigned long long value)
{
    struct bpf_map *rodata = bpf_object__find_map_by_name(object, ".rodata");
    struct btf *btf = bpf_object__btf(object);
    size_t size = 0;
    const void *initial = rodata ? bpf_map__initial_value(rodata, &size) : NULL;
    int section = btf ? btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC) : -1;
    if (!initial || section < 0) die(".rodata", ENOENT);
    unsigned char data[size];
    memcpy(data, initial, size);
    const struct btf_type *type = btf__type_by_id(btf, section);
    const struct btf_var_secinfo *variables = btf_var_secinfos(type);
    for (int i = 0; i < btf_vlen(type); i++) {
        const struct btf_type *variable = btf__type_by_id(btf, variables[i].type);
        if (strcmp(btf__name_by_offset(btf, variable->name_off), name) != 0) continue;
        if (variables[i].offset + variables[i].size > size || variables[i].size > sizeof(value)) die(name, EINVAL);
        memcpy(data + variables[i].offset, &value, variables[i].size); /* little-endian host, as the BPF target */
        if (bpf_map__set_initial_value(rodata, data, size)) die(name, errno);
        return;
    }
    die(name, ENOENT);
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s OBJECT IFNAME DST_MAC COUNT [BATCH] [--program NAME] [--sources N] [--ports N] "
                        "[--cpu C] [--chunk-ms MS]\n", argv[0]);
        return 2;
    }
    const char *ifname = argv[2], *program_name = "xdp_live_tx";
    long count = strtol(argv[4], NULL, 10), sources = 1, ports = 1, cpu = -1;
    double chunk_seconds = 0.005;
    int batch = 64, next = 5;
    if (argc > 5 && argv[5][0] != '-') batch = (int)strtol(argv[next++], NULL, 10);
    for (; next + 1 < argc; next += 2) {
        if (!strcmp(argv[next], "--program")) program_name = argv[next + 1];
        else if (!strcmp(argv[next], "--sources")) sources = strtol(argv[next + 1], NULL, 10);
        else if (!strcmp(argv[next], "--ports")) ports = strtol(argv[next + 1], NULL, 10);
        else if (!strcmp(argv[next], "--cpu")) cpu = strtol(argv[next + 1], NULL, 10);
        else if (!strcmp(argv[next], "--chunk-ms")) chunk_seconds = strtod(argv[next + 1], NULL) / 1000;
        else die(argv[next], EINVAL);
    }
    if (next != argc) die(argv[next], EINVAL);
    if (cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        if (sched_setaffinity(0, sizeof(set), &set)) die("sched_setaffinity", errno);
    }
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

    unsigned char frame[60];
    unsigned short ip_checksum, udp_checksum;
    build_frame(frame, source_mac, destination_mac, &ip_checksum, &udp_checksum);

    struct bpf_object *object = bpf_object__open_file(argv[1], NULL);
    if (!object) die("opening the object", errno);
    if (!strcmp(program_name, "trafficgen_write")) {
        set_rodata(object, "source_base", (198u << 24) | (18u << 16) | 1u);
        set_rodata(object, "source_count", (unsigned long long)sources);
        set_rodata(object, "port_base", 40000);
        set_rodata(object, "port_count", (unsigned long long)ports);
        set_rodata(object, "ip_checksum", ip_checksum);
        set_rodata(object, "l4_checksum", udp_checksum);
    }
    if (bpf_object__load(object)) die("loading the object", errno);
    struct bpf_program *program = bpf_object__find_program_by_name(object, program_name);
    if (!program) die(program_name, ENOENT);
    int program_fd = bpf_program__fd(program);

    struct xdp_md context = { .data_end = sizeof(frame), .ingress_ifindex = ifindex };
    /* The first call's size; later ones are sized from the measured rate to last chunk_seconds each. */
    long chunk = chunk_seconds > 0 ? 4096 : count, sent = 0, calls = 0;
    double kernel_ns = 0; /* the kernel's own ns per run (duration) times runs, summed: time on the CPU, not waiting */
    double start = now_seconds(), start_cpu = thread_cpu_seconds();
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
        calls++;
        kernel_ns += (double)options.duration * runs;
        double took = now_seconds() - before;
        if (chunk_seconds > 0 && took > 0) {
            chunk = (long)(runs / took * chunk_seconds);
            if (chunk < 64) chunk = 64;
            if (chunk > (1L << 22)) chunk = 1L << 22;
        }
    }
    double seconds = now_seconds() - start, cpu_seconds = thread_cpu_seconds() - start_cpu;
    printf("packets %ld\nseconds %.6f\npps %.0f\ncalls %ld\ncpu_seconds %.6f\npps_per_cpu %.0f\nkernel_ns_per_frame %.1f\n",
           sent, seconds, sent / seconds, calls, cpu_seconds, sent / cpu_seconds, kernel_ns / sent);
    bpf_object__close(object);
    return 0;
}
