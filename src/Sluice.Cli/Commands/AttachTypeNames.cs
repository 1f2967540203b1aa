using Sluice.Bpf.Object;
using Sluice.Cli.Infrastructure;

namespace Sluice.Cli.Commands;

/// <summary>
/// --type values of `net attach|detach cgroup|sockmap`: bpftool's short names (ingress, sock_ops, connect4,
/// msg_verdict), the libbpf section spellings (cgroup_skb/ingress, cgroup/connect4, sockops, sk_msg) and the
/// snake-case enum names `net list` prints (cgroup_inet_ingress) all work.
/// </summary>
internal static class AttachTypeNames
{
    private static readonly Dictionary<string, BpfAttachType> CgroupTypes = Build(
        (BpfAttachType.CgroupInetIngress, ["ingress", "cgroup_skb/ingress"]),
        (BpfAttachType.CgroupInetEgress, ["egress", "cgroup_skb/egress"]),
        (BpfAttachType.CgroupInetSockCreate, ["sock_create", "cgroup/sock_create", "cgroup/sock"]),
        (BpfAttachType.CgroupInetSockRelease, ["sock_release", "cgroup/sock_release"]),
        (BpfAttachType.CgroupSockOps, ["sock_ops", "sockops"]),
        (BpfAttachType.CgroupDevice, ["device", "cgroup/dev"]),
        (BpfAttachType.CgroupInet4Bind, ["bind4", "cgroup/bind4"]),
        (BpfAttachType.CgroupInet6Bind, ["bind6", "cgroup/bind6"]),
        (BpfAttachType.CgroupInet4PostBind, ["post_bind4", "cgroup/post_bind4"]),
        (BpfAttachType.CgroupInet6PostBind, ["post_bind6", "cgroup/post_bind6"]),
        (BpfAttachType.CgroupInet4Connect, ["connect4", "cgroup/connect4"]),
        (BpfAttachType.CgroupInet6Connect, ["connect6", "cgroup/connect6"]),
        (BpfAttachType.CgroupUnixConnect, ["connect_unix", "cgroup/connect_unix"]),
        (BpfAttachType.CgroupUdp4Sendmsg, ["sendmsg4", "cgroup/sendmsg4"]),
        (BpfAttachType.CgroupUdp6Sendmsg, ["sendmsg6", "cgroup/sendmsg6"]),
        (BpfAttachType.CgroupUnixSendmsg, ["sendmsg_unix", "cgroup/sendmsg_unix"]),
        (BpfAttachType.CgroupUdp4Recvmsg, ["recvmsg4", "cgroup/recvmsg4"]),
        (BpfAttachType.CgroupUdp6Recvmsg, ["recvmsg6", "cgroup/recvmsg6"]),
        (BpfAttachType.CgroupUnixRecvmsg, ["recvmsg_unix", "cgroup/recvmsg_unix"]),
        (BpfAttachType.CgroupInet4Getpeername, ["getpeername4", "cgroup/getpeername4"]),
        (BpfAttachType.CgroupInet6Getpeername, ["getpeername6", "cgroup/getpeername6"]),
        (BpfAttachType.CgroupUnixGetpeername, ["getpeername_unix", "cgroup/getpeername_unix"]),
        (BpfAttachType.CgroupInet4Getsockname, ["getsockname4", "cgroup/getsockname4"]),
        (BpfAttachType.CgroupInet6Getsockname, ["getsockname6", "cgroup/getsockname6"]),
        (BpfAttachType.CgroupUnixGetsockname, ["getsockname_unix", "cgroup/getsockname_unix"]),
        (BpfAttachType.CgroupSysctl, ["sysctl", "cgroup/sysctl"]),
        (BpfAttachType.CgroupGetsockopt, ["getsockopt", "cgroup/getsockopt"]),
        (BpfAttachType.CgroupSetsockopt, ["setsockopt", "cgroup/setsockopt"]));

    private static readonly Dictionary<string, BpfAttachType> SockmapTypes = Build(
        (BpfAttachType.SkMsgVerdict, ["sk_msg", "msg_verdict"]),
        (BpfAttachType.SkSkbStreamParser, ["stream_parser", "sk_skb/stream_parser"]),
        (BpfAttachType.SkSkbStreamVerdict, ["stream_verdict", "sk_skb/stream_verdict"]),
        (BpfAttachType.SkSkbVerdict, ["verdict", "skb_verdict", "sk_skb/verdict", "sk_skb"]));

    /// <summary>The short names, for help texts.</summary>
    internal static string CgroupChoices => "ingress, egress, sock_create, sock_release, sock_ops, device, bind4|6, post_bind4|6, " +
        "connect4|6|_unix, sendmsg4|6|_unix, recvmsg4|6|_unix, getpeername4|6|_unix, getsockname4|6|_unix, sysctl, getsockopt, setsockopt";

    internal static string SockmapChoices => "sk_msg, stream_parser, stream_verdict, verdict";

    internal static BpfAttachType Cgroup(string name) =>
        CgroupTypes.TryGetValue(name.ToLowerInvariant(), out var type) ? type
            : throw new CliError($"unknown cgroup attach type '{name}'; use one of: {CgroupChoices}");

    internal static BpfAttachType Sockmap(string name) =>
        SockmapTypes.TryGetValue(name.ToLowerInvariant(), out var type) ? type
            : throw new CliError($"unknown socket map attach type '{name}'; use one of: {SockmapChoices}");

    private static Dictionary<string, BpfAttachType> Build(params (BpfAttachType Type, string[] Aliases)[] entries)
    {
        var names = new Dictionary<string, BpfAttachType>(StringComparer.Ordinal);
        foreach (var (type, aliases) in entries)
        {
            names[Names.AttachType(type)] = type;
            foreach (var alias in aliases) names[alias] = type;
        }
        return names;
    }
}
