using System.Net;

namespace Sluice.Lab.Traffic;

/// <summary>
/// The address ranges the traffic generators accept: 198.18.0.0/15 (RFC 2544 benchmarking) and fd00::/8 (unique
/// local). Spoofed floods are refused for anything else, so a typo can never aim one at a real network.
/// </summary>
public static class TestAddresses
{
    /// <summary>The IPv4 benchmarking range, 198.18.0.0/15.</summary>
    public static IPNetwork Benchmark4 { get; } = IPNetwork.Parse("198.18.0.0/15");

    /// <summary>The IPv6 unique-local range, fd00::/8.</summary>
    public static IPNetwork UniqueLocal6 { get; } = IPNetwork.Parse("fd00::/8");

    /// <summary>True when <paramref name="address"/> lies in one of the test ranges.</summary>
    public static bool Contains(IPAddress address) => Benchmark4.Contains(address) || UniqueLocal6.Contains(address);

    /// <summary>True when the whole of <paramref name="network"/> lies in one of the test ranges.</summary>
    public static bool Contains(IPNetwork network) =>
        (network.BaseAddress.AddressFamily == Benchmark4.BaseAddress.AddressFamily
            ? network.PrefixLength >= Benchmark4.PrefixLength
            : network.PrefixLength >= UniqueLocal6.PrefixLength) && Contains(network.BaseAddress);

    /// <summary>Throws unless <paramref name="address"/> is a test address.</summary>
    /// <exception cref="ArgumentException">The address is outside 198.18.0.0/15 and fd00::/8.</exception>
    public static void Require(IPAddress address, string parameterName)
    {
        if (!Contains(address))
            throw new ArgumentException($"{address} is not a test address (use 198.18.0.0/15 or fd00::/8)", parameterName);
    }

    /// <summary>Throws unless <paramref name="network"/> lies inside a test range.</summary>
    /// <exception cref="ArgumentException">The network reaches outside 198.18.0.0/15 and fd00::/8.</exception>
    public static void Require(IPNetwork network, string parameterName)
    {
        if (!Contains(network))
            throw new ArgumentException($"{network} is not inside a test range (use 198.18.0.0/15 or fd00::/8)", parameterName);
    }
}
