/* Shared between packet_counter.bpf.c and PacketCounterSample.cs: keep the two in step. */
#ifndef SLUICE_PACKET_COUNTER_H
#define SLUICE_PACKET_COUNTER_H

/* Index into the per-protocol counters. */
enum counter_slot {
    SLOT_OTHER = 0,   /* non-IPv4 or unknown protocol */
    SLOT_TCP = 1,
    SLOT_UDP = 2,
    SLOT_ICMP = 3,
    SLOT_DROPPED = 4, /* UDP to the blocked port */
    SLOT_MALFORMED = 5,
    SLOT_COUNT = 6,
};

struct counter {
    __u64 packets;
    __u64 bytes;
};

#endif
