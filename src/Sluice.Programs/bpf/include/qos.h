/* The ABI of sluice qos (Qos/README.md): one action per classifier rule, plus the default action for packets no
 * rule matches, and per-rule counters. Qos/Abi mirrors these structs in C#. */
#ifndef SLUICE_QOS_H
#define SLUICE_QOS_H

#include <linux/types.h>
#include "tc_classifier.h"

#define QOS_DEFAULT_RULE CLS_MAX_RULES  /* qos_actions / qos_stats index of the default action */
#define QOS_ACTIONS (CLS_MAX_RULES + 1)

#define QOS_CLASS_NUMBER 0   /* priority as given */
#define QOS_CLASS_HIGH 1     /* priority 1:10 */
#define QOS_CLASS_NORMAL 2   /* priority 1:20 */
#define QOS_CLASS_LOW 3      /* priority 1:30 */

#define QOS_A_ENABLED 0x1   /* the slot holds an action (the default slot may be empty: packets pass untouched) */
#define QOS_A_DSCP 0x2      /* rewrite the DSCP to qos_action.dscp */
#define QOS_A_CLASSID 0x4   /* also set skb->tc_classid */

struct qos_action {
    __u32 priority;     /* skb->priority: an htb class id (major:minor) for named classes, or the number given */
    __u32 classid;      /* skb->tc_classid with QOS_A_CLASSID */
    __u8 flags;         /* QOS_A_* */
    __u8 dscp;          /* 0..63 */
    __u8 class_name;    /* QOS_CLASS_*: how the class was given (for listing) */
    __u8 pad;
};

struct qos_counters {
    __u64 packets;
    __u64 bytes;
    __u64 marked;       /* DSCP rewritten */
    __u64 errors;       /* the rewrite failed (packet passed unchanged) */
};

#endif
