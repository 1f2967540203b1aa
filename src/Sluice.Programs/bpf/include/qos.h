/* The ABI of sluice qos (Qos/README.md): one action per classifier rule, plus the default action for packets no
 * rule matches, and per-rule counters. The C# structs and enums are generated from the object's BTF, these
 * comments becoming their docs. */
#ifndef SLUICE_QOS_H
#define SLUICE_QOS_H

#include <linux/types.h>
#include "tc_classifier.h"

#define QOS_DEFAULT_RULE CLS_MAX_RULES  /* qos_actions / qos_stats index of the default action */
#define QOS_ACTIONS (CLS_MAX_RULES + 1)

/* How a class was named (qos_action.class_name, for listing). */
enum qos_class_name : __u8 {
    QOS_CLASS_NUMBER = 0,   /* a number: skb->priority as given */
    QOS_CLASS_HIGH = 1,     /* high: htb class 1:10 (priority 0 among the three) */
    QOS_CLASS_NORMAL = 2,   /* normal: htb class 1:20 */
    QOS_CLASS_LOW = 3,      /* low: htb class 1:30 */
};

/* What a qos_action does. */
enum qos_action_flags : __u8 {
    QOS_A_NONE = 0,         /* nothing: the slot is empty */
    QOS_A_ENABLED = 0x1,    /* the slot holds an action (the default slot may be empty: packets pass untouched) */
    QOS_A_DSCP = 0x2,       /* rewrite the DSCP to qos_action.dscp */
    QOS_A_CLASS_ID = 0x4,   /* also set skb->tc_classid */
};

/* What packets matching a rule get: qos_actions[rule], or [QOS_DEFAULT_RULE] for the rest. */
struct qos_action {
    __u32 priority;     /* skb->priority: an htb class id (major:minor) for named classes, or the number given */
    __u32 classid;      /* skb->tc_classid with QOS_A_CLASS_ID */
    enum qos_action_flags flags;
    __u8 dscp;          /* 0..63 */
    enum qos_class_name class_name; /* how the class was given (for listing) */
    __u8 pad;
};

/* Counters per rule (and the default), per CPU. */
struct qos_counters {
    __u64 packets;      /* packets classified by the rule */
    __u64 bytes;        /* their bytes */
    __u64 marked;       /* DSCP rewritten */
    __u64 errors;       /* the rewrite failed (packet passed unchanged) */
};

#endif
