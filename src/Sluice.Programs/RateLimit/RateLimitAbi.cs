using System.Runtime.InteropServices;
using Sluice.Bpf;

namespace Sluice.Programs.RateLimit;

/// <summary>Names and limits of bpf/ratelimit.bpf.c and bpf/include/ratelimit.h.</summary>
internal static class RateLimitNames
{
    internal const string Application = "ratelimit";
    internal const string Object = "ratelimit.bpf.o";
    internal const string Program = "ratelimit_tc";
    internal const string Config = "rl_config";
    internal const string Sources = "rl_src";
    internal const string Destinations = "rl_dst";
    internal const string Ports = "rl_port";
    internal const string Cgroups = "rl_cgroup";
    internal const string Limits = "rl_limits";
    internal const string Buckets = "rl_buckets";
    internal const string Keys = "rl_keys";
    internal const string Stats = "rl_stats";
    internal const int MaxLimits = 1024;
    /// <summary>The htb qdisc major ratelimit's shaping classes hang under; class minor = 0x100 + slot.</summary>
    internal const ushort HtbMajor = 2;
}

/// <summary>RL_MODE_*.</summary>
internal enum RateLimitModeCode : uint
{
    None = 0,
    Police = 1,
    ShapeEdt = 2,
    ShapeHtb = 3,
}

/// <summary>struct rl_config.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct RateLimitConfig
{
    public uint Flags;
    public uint Generation;
    public RateLimitModeCode Shaper;
    private readonly uint _padding;
}

/// <summary>struct rl_limit.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct RateLimitValue
{
    public ulong Rate;
    public ulong Burst;
    public ulong HorizonNs;
    public RateLimitModeCode Mode;
    public uint Unit;
    public uint ClassId;
    private readonly uint _padding;
}

/// <summary>struct rl_key.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct RateLimitKeyValue
{
    public uint Kind;
    public uint PrefixLength;
    public IPv6Bytes Address;
    public ulong CgroupId;
    public uint Port;
    private readonly uint _padding;
}

/// <summary>struct rl_bucket (the lock word included; the controller writes it only to reset a fresh slot).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct RateLimitBucket
{
    public uint Lock;
    private readonly uint _padding;
    public long Credit;
    public ulong LastNs;
    public ulong NextNs;
}

/// <summary>struct rl_counters: per limit, summed over CPUs.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct RateLimitCounters
{
    /// <summary>Packets that matched the limit's key.</summary>
    public ulong Packets;
    /// <summary>Their bytes.</summary>
    public ulong Bytes;
    /// <summary>Police: over the limit; EDT shaping: beyond the horizon.</summary>
    public ulong Dropped;
    /// <summary>EDT shaping: sent with a departure time in the future; htb shaping: handed to the limit's class.</summary>
    public ulong Delayed;
}
