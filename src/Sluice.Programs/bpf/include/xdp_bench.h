/* Counter slots of xdp_bench.bpf.c (mirrored by XdpBenchSlot in Sluice.Programs/XdpBench). */
#ifndef SLUICE_XDP_BENCH_H
#define SLUICE_XDP_BENCH_H

enum bench_slot {
    BENCH_RX = 0,       /* every frame the program saw */
    BENCH_DROP = 1,
    BENCH_PASS = 2,
    BENCH_TX = 3,
    BENCH_REDIRECT = 4,
    BENCH_ERROR = 5,    /* frames the program could not handle (too short to swap, bpf_redirect refused) */
    BENCH_OTHER = 6,    /* frames skipped by the only_port filter: passed, not in RX */
    BENCH_SLOT_COUNT = 7,
};

#endif
