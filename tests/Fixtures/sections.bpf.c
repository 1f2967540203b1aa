// One trivial program per networking section name libbpf knows, to check the section table.
// Program names are the section name with every non-identifier character replaced by '_'.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_nf_ctx_opaque;

SEC("xdp")
int prog_xdp(struct xdp_md *ctx)
{
    return XDP_PASS;
}

SEC("xdp.frags")
int prog_xdp_frags(struct xdp_md *ctx)
{
    return XDP_PASS;
}

SEC("xdp/devmap")
int prog_xdp_devmap(struct xdp_md *ctx)
{
    return XDP_PASS;
}

SEC("xdp.frags/devmap")
int prog_xdp_frags_devmap(struct xdp_md *ctx)
{
    return XDP_PASS;
}

SEC("xdp/cpumap")
int prog_xdp_cpumap(struct xdp_md *ctx)
{
    return XDP_PASS;
}

SEC("xdp.frags/cpumap")
int prog_xdp_frags_cpumap(struct xdp_md *ctx)
{
    return XDP_PASS;
}

SEC("tc")
int prog_tc(struct __sk_buff *ctx)
{
    return 0;
}

SEC("tc/ingress")
int prog_tc_ingress(struct __sk_buff *ctx)
{
    return 0;
}

SEC("tc/egress")
int prog_tc_egress(struct __sk_buff *ctx)
{
    return 0;
}

SEC("tcx/ingress")
int prog_tcx_ingress(struct __sk_buff *ctx)
{
    return 0;
}

SEC("tcx/egress")
int prog_tcx_egress(struct __sk_buff *ctx)
{
    return 0;
}

SEC("classifier")
int prog_classifier(struct __sk_buff *ctx)
{
    return 0;
}

SEC("action")
int prog_action(struct __sk_buff *ctx)
{
    return 0;
}

SEC("sockops")
int prog_sockops(struct bpf_sock_ops *ctx)
{
    return 1;
}

SEC("sk_msg")
int prog_sk_msg(struct sk_msg_md *ctx)
{
    return SK_PASS;
}

SEC("sk_skb")
int prog_sk_skb(struct __sk_buff *ctx)
{
    return SK_PASS;
}

SEC("sk_skb/stream_parser")
int prog_sk_skb_stream_parser(struct __sk_buff *ctx)
{
    return 0;
}

SEC("sk_skb/stream_verdict")
int prog_sk_skb_stream_verdict(struct __sk_buff *ctx)
{
    return SK_PASS;
}

SEC("sk_skb/verdict")
int prog_sk_skb_verdict(struct __sk_buff *ctx)
{
    return SK_PASS;
}

SEC("socket")
int prog_socket(struct __sk_buff *ctx)
{
    return 0;
}

SEC("sk_lookup")
int prog_sk_lookup(struct bpf_sk_lookup *ctx)
{
    return SK_PASS;
}

SEC("sk_reuseport")
int prog_sk_reuseport(struct sk_reuseport_md *ctx)
{
    return SK_PASS;
}

SEC("sk_reuseport/migrate")
int prog_sk_reuseport_migrate(struct sk_reuseport_md *ctx)
{
    return SK_PASS;
}

SEC("flow_dissector")
int prog_flow_dissector(struct __sk_buff *ctx)
{
    return 0;
}

SEC("cgroup_skb/ingress")
int prog_cgroup_skb_ingress(struct __sk_buff *ctx)
{
    return 1;
}

SEC("cgroup_skb/egress")
int prog_cgroup_skb_egress(struct __sk_buff *ctx)
{
    return 1;
}

SEC("cgroup/skb")
int prog_cgroup_skb(struct __sk_buff *ctx)
{
    return 1;
}

SEC("cgroup/sock")
int prog_cgroup_sock(struct bpf_sock *ctx)
{
    return 1;
}

SEC("cgroup/sock_create")
int prog_cgroup_sock_create(struct bpf_sock *ctx)
{
    return 1;
}

SEC("cgroup/sock_release")
int prog_cgroup_sock_release(struct bpf_sock *ctx)
{
    return 1;
}

SEC("cgroup/post_bind4")
int prog_cgroup_post_bind4(struct bpf_sock *ctx)
{
    return 1;
}

SEC("cgroup/post_bind6")
int prog_cgroup_post_bind6(struct bpf_sock *ctx)
{
    return 1;
}

SEC("cgroup/connect4")
int prog_cgroup_connect4(struct bpf_sock_addr *ctx)
{
    return 1;
}

SEC("cgroup/connect6")
int prog_cgroup_connect6(struct bpf_sock_addr *ctx)
{
    return 1;
}

SEC("cgroup/bind4")
int prog_cgroup_bind4(struct bpf_sock_addr *ctx)
{
    return 1;
}

SEC("cgroup/bind6")
int prog_cgroup_bind6(struct bpf_sock_addr *ctx)
{
    return 1;
}

SEC("cgroup/sendmsg4")
int prog_cgroup_sendmsg4(struct bpf_sock_addr *ctx)
{
    return 1;
}

SEC("cgroup/sendmsg6")
int prog_cgroup_sendmsg6(struct bpf_sock_addr *ctx)
{
    return 1;
}

SEC("cgroup/recvmsg4")
int prog_cgroup_recvmsg4(struct bpf_sock_addr *ctx)
{
    return 1;
}

SEC("cgroup/recvmsg6")
int prog_cgroup_recvmsg6(struct bpf_sock_addr *ctx)
{
    return 1;
}

SEC("cgroup/getpeername4")
int prog_cgroup_getpeername4(struct bpf_sock_addr *ctx)
{
    return 1;
}

SEC("cgroup/getpeername6")
int prog_cgroup_getpeername6(struct bpf_sock_addr *ctx)
{
    return 1;
}

SEC("cgroup/getsockname4")
int prog_cgroup_getsockname4(struct bpf_sock_addr *ctx)
{
    return 1;
}

SEC("cgroup/getsockname6")
int prog_cgroup_getsockname6(struct bpf_sock_addr *ctx)
{
    return 1;
}

SEC("cgroup/getsockopt")
int prog_cgroup_getsockopt(struct bpf_sockopt *ctx)
{
    return 1;
}

SEC("cgroup/setsockopt")
int prog_cgroup_setsockopt(struct bpf_sockopt *ctx)
{
    return 1;
}

SEC("cgroup/sysctl")
int prog_cgroup_sysctl(struct bpf_sysctl *ctx)
{
    return 1;
}

SEC("cgroup/dev")
int prog_cgroup_dev(struct bpf_cgroup_dev_ctx *ctx)
{
    return 1;
}

SEC("lwt_in")
int prog_lwt_in(struct __sk_buff *ctx)
{
    return 0;
}

SEC("lwt_out")
int prog_lwt_out(struct __sk_buff *ctx)
{
    return 0;
}

SEC("lwt_xmit")
int prog_lwt_xmit(struct __sk_buff *ctx)
{
    return 0;
}

SEC("lwt_seg6local")
int prog_lwt_seg6local(struct __sk_buff *ctx)
{
    return 0;
}

SEC("netfilter")
int prog_netfilter(struct bpf_nf_ctx_opaque *ctx)
{
    return 1;
}

char LICENSE[] SEC("license") = "GPL";
