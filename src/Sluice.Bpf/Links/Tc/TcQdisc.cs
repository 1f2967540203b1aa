using System.Runtime.InteropServices;
using Sluice.Bpf.Interop;
using Sluice.Bpf.Net.Netlink;
using static Sluice.Bpf.Net.Netlink.NetlinkConstants;
using static Sluice.Bpf.Net.Netlink.Rtnl;

namespace Sluice.Bpf;

/// <summary>
/// Classful qdiscs over rtnetlink, for programs that classify into them (skb->priority = a class id): the htb qdisc
/// and its classes (Linux 2.6; rates above 4 GB/s need Linux 3.13), deleting a device's root qdisc, and probing
/// whether the kernel has a qdisc kind at all (sch_fq, sch_prio are optional modules).
/// </summary>
public static class TcQdisc
{
    /// <summary>Nanoseconds per psched tick, the unit of htb's buffer fields.</summary>
    private const ulong NanosecondsPerTick = 64;

    /// <summary>
    /// Makes an htb qdisc with handle <paramref name="major"/>:0 the root qdisc of <paramref name="interfaceName"/>,
    /// replacing whatever root qdisc it had (and with it its classes). Unclassified packets go to class
    /// major:<paramref name="defaultMinor"/>, or with 0 straight out (htb's direct queue, unshaped).
    /// </summary>
    /// <exception cref="BpfAttachException">No such interface.</exception>
    /// <exception cref="NetlinkException">The kernel refused (no sch_htb, no privileges).</exception>
    public static void ReplaceRootHtb(string interfaceName, ushort major, ushort defaultMinor, NetworkNamespace? netns = null)
    {
        int index = InterfaceResolver.ResolveIn(interfaceName, netns);
        using var socket = NetlinkSocket.Open(netns);
        var request = new NetlinkMessageWriter(RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE | NLM_F_EXCL);
        request.WriteHeader(new TcMessage { InterfaceIndex = index, Handle = (uint)major << 16, Parent = RootParent });
        request.AddString(TCA_KIND, "htb");
        int options = request.BeginNested(TCA_OPTIONS);
        request.Add(TCA_HTB_INIT, Bytes(new TcHtbGlobal { Version = 3, RateToQuantum = 10, DefaultClass = defaultMinor }));
        request.EndNested(options);
        RequestKeepingOwn(socket, request, "RTM_NEWQDISC htb");
    }

    /// <summary>
    /// Makes a classless qdisc of <paramref name="kind"/> (e.g. "fq", "tbf" needs options: use this for option-less
    /// kinds) the root qdisc of <paramref name="interfaceName"/>, replacing the one it had.
    /// </summary>
    /// <exception cref="NetlinkException">The kernel refused (ENOENT: no such qdisc kind).</exception>
    public static void ReplaceRoot(string interfaceName, string kind, NetworkNamespace? netns = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        int index = InterfaceResolver.ResolveIn(interfaceName, netns);
        using var socket = NetlinkSocket.Open(netns);
        var request = new NetlinkMessageWriter(RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE | NLM_F_EXCL);
        request.WriteHeader(new TcMessage { InterfaceIndex = index, Handle = 0x8001_0000, Parent = RootParent });
        request.AddString(TCA_KIND, kind);
        RequestKeepingOwn(socket, request, $"RTM_NEWQDISC {kind}");
    }

    /// <summary>Creates or changes an htb class (its leaf queue is the kernel's default pfifo).</summary>
    /// <exception cref="ArgumentException">A zero rate, or a ceiling below the rate.</exception>
    /// <exception cref="NetlinkException">The kernel refused (no such parent, no privileges).</exception>
    public static void SetHtbClass(string interfaceName, HtbClass htbClass, NetworkNamespace? netns = null)
    {
        ArgumentNullException.ThrowIfNull(htbClass);
        if (htbClass.RateBytesPerSecond == 0) throw new ArgumentException("an htb class needs a rate above 0", nameof(htbClass));
        if (htbClass.CeilBytesPerSecond < htbClass.RateBytesPerSecond) throw new ArgumentException("an htb class's ceiling must be at least its rate", nameof(htbClass));
        int index = InterfaceResolver.ResolveIn(interfaceName, netns);
        using var socket = NetlinkSocket.Open(netns);
        var request = new NetlinkMessageWriter(RTM_NEWTCLASS, NLM_F_CREATE);
        request.WriteHeader(new TcMessage { InterfaceIndex = index, Handle = htbClass.ClassId, Parent = htbClass.ParentId });
        request.AddString(TCA_KIND, "htb");
        int options = request.BeginNested(TCA_OPTIONS);
        var parameters = new TcHtbClassOptions
        {
            Rate = RateSpec(htbClass.RateBytesPerSecond),
            Ceil = RateSpec(htbClass.CeilBytesPerSecond),
            Buffer = Ticks(htbClass.BurstBytes, htbClass.RateBytesPerSecond),
            CeilBuffer = Ticks(htbClass.BurstBytes, htbClass.CeilBytesPerSecond),
            Priority = htbClass.Priority,
        };
        request.Add(TCA_HTB_PARMS, Bytes(parameters));
        if (htbClass.RateBytesPerSecond > uint.MaxValue) request.Add(TCA_HTB_RATE64, BitConverter.GetBytes(htbClass.RateBytesPerSecond));
        if (htbClass.CeilBytesPerSecond > uint.MaxValue) request.Add(TCA_HTB_CEIL64, BitConverter.GetBytes(htbClass.CeilBytesPerSecond));
        request.EndNested(options);
        socket.Request(request, "RTM_NEWTCLASS htb");
    }

    /// <summary>Deletes htb class <paramref name="classId"/>; false when there was no such class.</summary>
    public static bool DeleteClass(string interfaceName, uint classId, uint parentId, NetworkNamespace? netns = null)
    {
        int index = InterfaceResolver.ResolveIn(interfaceName, netns);
        using var socket = NetlinkSocket.Open(netns);
        var request = new NetlinkMessageWriter(RTM_DELTCLASS, 0);
        request.WriteHeader(new TcMessage { InterfaceIndex = index, Handle = classId, Parent = parentId });
        try
        {
            socket.Request(request, "RTM_DELTCLASS");
            return true;
        }
        catch (NetlinkException error) when (error.Errno is Libc.ENOENT or Libc.EINVAL)
        {
            return false;
        }
    }

    /// <summary>Deletes the root qdisc of <paramref name="interfaceName"/> (the device falls back to its default); false when it had none of its own.</summary>
    public static bool DeleteRoot(string interfaceName, NetworkNamespace? netns = null)
    {
        int index = InterfaceResolver.ResolveIn(interfaceName, netns);
        using var socket = NetlinkSocket.Open(netns);
        var request = new NetlinkMessageWriter(RTM_DELQDISC, 0);
        request.WriteHeader(new TcMessage { InterfaceIndex = index, Parent = RootParent });
        try
        {
            socket.Request(request, "RTM_DELQDISC root");
            return true;
        }
        catch (NetlinkException error) when (error.Errno is Libc.ENOENT or Libc.EINVAL)
        {
            return false;
        }
    }

    /// <summary>
    /// True when the kernel can create a qdisc of <paramref name="kind"/> (e.g. "fq", "prio", "htb"): it tries, as the
    /// root qdisc of the loopback device of a throwaway network namespace that disappears right after, so no real
    /// device is touched. Needs CAP_SYS_ADMIN and CAP_NET_ADMIN.
    /// </summary>
    /// <exception cref="IOException">The throwaway namespace could not be made (no privileges).</exception>
    public static bool IsKindAvailable(string kind)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        bool available = false;
        Exception? failure = null;
        // unshare(CLONE_NEWNET) moves only the calling thread; the thread ends afterwards and the namespace with it.
        var thread = new Thread(() =>
        {
            try
            {
                if (Libc.Unshare(Libc.CLONE_NEWNET) != 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    throw new IOException($"unshare(CLONE_NEWNET) failed: {ErrnoNames.Name(errno)} ({Libc.ErrorText(errno)})");
                }
                using var socket = NetlinkSocket.Open();
                var request = new NetlinkMessageWriter(RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE);
                request.WriteHeader(new TcMessage { InterfaceIndex = 1, Handle = 0x8000_0000, Parent = RootParent });
                request.AddString(TCA_KIND, kind);
                try
                {
                    socket.Request(request, $"RTM_NEWQDISC {kind}");
                    available = true;
                }
                catch (NetlinkException error) when (error.Errno is Libc.ENOENT or Libc.EINVAL or Libc.EOPNOTSUPP)
                {
                    available = false;
                }
            }
            catch (Exception error)
            {
                failure = error;
            }
        })
        {
            IsBackground = true,
            Name = "qdisc probe",
        };
        thread.Start();
        thread.Join();
        if (failure is not null) throw failure is IOException io ? io : new IOException(failure.Message, failure);
        return available;
    }

    /// <summary>
    /// Sends a root replace with NLM_F_EXCL: another root qdisc is replaced, but one with the same handle is kept as it
    /// is (EEXIST: "cannot modify"), so attaching again neither fails nor resets its classes.
    /// </summary>
    private static void RequestKeepingOwn(NetlinkSocket socket, NetlinkMessageWriter request, string operation)
    {
        try
        {
            socket.Request(request, operation);
        }
        catch (NetlinkException error) when (error.Errno == Libc.EEXIST)
        {
        }
    }

    private static TcRateSpec RateSpec(ulong bytesPerSecond) => new()
    {
        LinkLayer = 1,
        Rate = (uint)Math.Min(bytesPerSecond, uint.MaxValue),
    };

    private static uint Ticks(uint bytes, ulong bytesPerSecond)
    {
        ulong nanoseconds = (ulong)((double)bytes * 1e9 / bytesPerSecond);
        return (uint)Math.Min(nanoseconds / NanosecondsPerTick, uint.MaxValue);
    }

    private static byte[] Bytes<T>(T value) where T : unmanaged => MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)).ToArray();
}
