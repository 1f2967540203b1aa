using System.Net.Sockets;

namespace Sluice.Programs.Guard;

/// <summary>The display order of rules: IPv4 before IPv6, then address bytes, prefix length, protocol, port, action.</summary>
public static class GuardRuleOrder
{
    /// <summary>Compares two rules in display order.</summary>
    public static int Compare(GuardRule? a, GuardRule? b)
    {
        if (ReferenceEquals(a, b)) return 0;
        if (a is null) return -1;
        if (b is null) return 1;
        int family = (a.Source.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6).CompareTo(b.Source.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6);
        if (family != 0) return family;
        Span<byte> x = stackalloc byte[16], y = stackalloc byte[16];
        a.Source.BaseAddress.TryWriteBytes(x, out int lx);
        b.Source.BaseAddress.TryWriteBytes(y, out int ly);
        int address = x[..lx].SequenceCompareTo(y[..ly]);
        if (address != 0) return address;
        int result = a.Source.PrefixLength.CompareTo(b.Source.PrefixLength);
        if (result == 0) result = a.Protocol.CompareTo(b.Protocol);
        if (result == 0) result = a.Port.CompareTo(b.Port);
        if (result == 0) result = a.Action.CompareTo(b.Action);
        return result;
    }
}
