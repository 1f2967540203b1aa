/* Header-only packet parsing helpers: a cursor that only moves forward after a bounds check. */
#ifndef SLUICE_PARSING_H
#define SLUICE_PARSING_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct cursor {
    void *pos;
    void *end;
};

/* Returns the header at the cursor and advances past it, or NULL when the packet is too short. */
#define CURSOR_TAKE(c, type) ({                                   \
    type *__h = (type *)(c)->pos;                                 \
    if ((void *)(__h + 1) > (c)->end) __h = NULL;                 \
    else (c)->pos = (void *)(__h + 1);                            \
    __h; })

static __always_inline struct ethhdr *parse_ethernet(struct cursor *c)
{
    return CURSOR_TAKE(c, struct ethhdr);
}

/* IPv4 header including options (IHL), or NULL when truncated or malformed. */
static __always_inline struct iphdr *parse_ipv4(struct cursor *c)
{
    struct iphdr *ip = (struct iphdr *)c->pos;
    if ((void *)(ip + 1) > c->end)
        return NULL;
    __u32 length = ip->ihl * 4;
    if (length < sizeof(*ip) || c->pos + length > c->end)
        return NULL;
    c->pos += length;
    return ip;
}

#endif
