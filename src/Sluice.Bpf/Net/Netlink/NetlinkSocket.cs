using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Sluice.Bpf.Interop;
using static Sluice.Bpf.Net.Netlink.NetlinkConstants;

namespace Sluice.Bpf.Net.Netlink;

/// <summary>
/// A NETLINK_ROUTE socket with request/acknowledge and dump semantics. A netlink socket belongs to the network
/// namespace it was created in, so opening it inside <see cref="NetworkNamespace.Run{T}"/> is all it takes to
/// talk to another namespace's interfaces; the socket can then be used from any thread.
/// </summary>
internal sealed unsafe class NetlinkSocket : IDisposable
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(10);
    private readonly SafeFileHandle _handle;
    private uint _sequence = (uint)Environment.TickCount;

    private NetlinkSocket(SafeFileHandle handle) => _handle = handle;

    /// <summary>Opens a route netlink socket in <paramref name="netns"/> (null: the caller's namespace).</summary>
    internal static NetlinkSocket Open(NetworkNamespace? netns = null) =>
        netns is null ? OpenHere() : netns.Run(OpenHere);

    private static NetlinkSocket OpenHere()
    {
        int fd = Libc.Socket(Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, Libc.NETLINK_ROUTE);
        if (fd < 0) throw NetlinkException.Create("socket(AF_NETLINK)", Marshal.GetLastPInvokeError(), null);
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            int one = 1;
            // Extended acks carry the kernel's explanation; capped acks keep the request out of the reply.
            // Both are best effort: kernels before 4.12 / 4.3 simply lack them.
            _ = Libc.SetSockOpt(fd, Libc.SOL_NETLINK, Libc.NETLINK_EXT_ACK, &one, sizeof(int));
            _ = Libc.SetSockOpt(fd, Libc.SOL_NETLINK, Libc.NETLINK_CAP_ACK, &one, sizeof(int));
            // A reply that never comes must not hang the caller forever.
            var timeout = new TimeVal { Seconds = (long)ReplyTimeout.TotalSeconds };
            _ = Libc.SetSockOpt(fd, Libc.SOL_SOCKET, Libc.SO_RCVTIMEO, &timeout, (uint)sizeof(TimeVal));
            var address = new SockAddrNetlink { Family = Libc.AF_NETLINK };
            if (Libc.Bind(fd, &address, (uint)sizeof(SockAddrNetlink)) < 0)
                throw NetlinkException.Create("bind(AF_NETLINK)", Marshal.GetLastPInvokeError(), null);
            return new NetlinkSocket(handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends a request with NLM_F_ACK and waits for the acknowledgement; returns any messages the kernel sent before
    /// it (e.g. the object echoed back with NLM_F_ECHO, or the reply to a GET).
    /// </summary>
    /// <exception cref="NetlinkException">The kernel refused; includes its extended-ack text.</exception>
    internal List<NetlinkMessage> Request(NetlinkMessageWriter request, string operation)
    {
        request.Flags |= NLM_F_ACK;
        uint sequence = Send(request, operation);
        var replies = new List<NetlinkMessage>();
        while (true)
        {
            foreach (var message in Receive(operation))
            {
                if (message.Sequence != sequence) continue;
                if (message.Type == NLMSG_ERROR)
                {
                    ThrowIfError(message, operation);
                    return replies;
                }
                if (message.Type != NLMSG_NOOP) replies.Add(message);
            }
        }
    }

    /// <summary>Sends a dump request and collects every reply up to NLMSG_DONE.</summary>
    /// <exception cref="NetlinkException">The kernel refused the dump.</exception>
    internal List<NetlinkMessage> Dump(NetlinkMessageWriter request, string operation)
    {
        request.Flags |= NLM_F_DUMP;
        uint sequence = Send(request, operation);
        var replies = new List<NetlinkMessage>();
        while (true)
        {
            foreach (var message in Receive(operation))
            {
                if (message.Sequence != sequence) continue;
                switch (message.Type)
                {
                    case NLMSG_DONE:
                        ThrowIfError(message, operation);
                        return replies;
                    case NLMSG_ERROR:
                        ThrowIfError(message, operation);
                        return replies;
                    case NLMSG_NOOP:
                        break;
                    default:
                        replies.Add(message);
                        break;
                }
            }
        }
    }

    private uint Send(NetlinkMessageWriter request, string operation)
    {
        uint sequence = ++_sequence;
        byte[] bytes = request.ToArray(sequence);
        var kernel = new SockAddrNetlink { Family = Libc.AF_NETLINK };
        fixed (byte* pointer = bytes)
        {
            while (true)
            {
                nint sent = Libc.SendTo(Fd, pointer, (nuint)bytes.Length, 0, &kernel, (uint)sizeof(SockAddrNetlink));
                if (sent >= 0) return sequence;
                int errno = Marshal.GetLastPInvokeError();
                if (errno != Libc.EINTR) throw NetlinkException.Create(operation, errno, null);
            }
        }
    }

    private List<NetlinkMessage> Receive(string operation)
    {
        // Peek with MSG_TRUNC first: it returns the datagram's real size, so a large dump chunk is never cut.
        int size = (int)ReceiveInto(null, 0, Libc.MSG_PEEK | Libc.MSG_TRUNC, operation);
        var buffer = new byte[Math.Max(size, HeaderLength)];
        fixed (byte* pointer = buffer)
        {
            int received = (int)ReceiveInto(pointer, buffer.Length, 0, operation);
            return NetlinkMessage.ParseAll(buffer.AsSpan(0, received));
        }
    }

    private nint ReceiveInto(byte* buffer, int length, int flags, string operation)
    {
        while (true)
        {
            nint received = Libc.Recv(Fd, buffer, (nuint)length, flags);
            if (received >= 0) return received;
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Libc.EINTR) continue;
            if (errno == Libc.EAGAIN) throw new TimeoutException($"{operation}: no netlink reply within {ReplyTimeout.TotalSeconds} s");
            throw NetlinkException.Create(operation, errno, null);
        }
    }

    /// <summary>Parses struct nlmsgerr (or the int in NLMSG_DONE) and throws when it carries an error.</summary>
    private static void ThrowIfError(NetlinkMessage message, string operation)
    {
        if (message.Payload.Length < 4) return;
        int error = BinaryPrimitives.ReadInt32LittleEndian(message.Payload);
        if (error >= 0) return;
        string? kernelMessage = null;
        if ((message.Flags & NLM_F_ACK_TLVS) != 0)
        {
            int offset = 4;
            if (message.Type == NLMSG_ERROR && message.Payload.Length >= 4 + HeaderLength)
            {
                // The original request follows the error: its header only when capped, else all of it.
                int original = (int)BinaryPrimitives.ReadUInt32LittleEndian(message.Payload.AsSpan(4));
                offset += (message.Flags & NLM_F_CAPPED) != 0 ? HeaderLength : Align(original);
            }
            if (offset <= message.Payload.Length)
                kernelMessage = NetlinkAttributes.Parse(message.Payload.AsSpan(offset)).GetString(NLMSGERR_ATTR_MSG);
        }
        throw NetlinkException.Create(operation, -error, kernelMessage);
    }

    private int Fd => (int)_handle.DangerousGetHandle();

    public void Dispose() => _handle.Dispose();
}
