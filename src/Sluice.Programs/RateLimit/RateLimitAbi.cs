namespace Sluice.Programs.RateLimit;

// The structs of bpf/include/ratelimit.h (RateLimitConfig, RateLimitValue, RateLimitKeyValue, RateLimitBucket,
// RateLimitCounters) and enum rl_mode (RateLimitModeCode) are generated from the object's BTF (namespace
// Sluice.Programs), with the header's comments as their docs.

/// <summary>Names and limits of bpf/ratelimit.bpf.c and bpf/include/ratelimit.h.</summary>
internal static class RateLimitNames
{
    internal const string Application = "ratelimit";
    internal const string Object = RatelimitObject.ResourceName;
    internal const string Program = RatelimitObject.ProgramNames.RatelimitTc;
    internal const string Config = RatelimitObject.MapNames.RlConfig;
    internal const string Sources = RatelimitObject.MapNames.RlSrc;
    internal const string Destinations = RatelimitObject.MapNames.RlDst;
    internal const string Ports = RatelimitObject.MapNames.RlPort;
    internal const string Cgroups = RatelimitObject.MapNames.RlCgroup;
    internal const string Limits = RatelimitObject.MapNames.RlLimits;
    internal const string Buckets = RatelimitObject.MapNames.RlBuckets;
    internal const string Keys = RatelimitObject.MapNames.RlKeys;
    internal const string Stats = RatelimitObject.MapNames.RlStats;
    internal const int MaxLimits = 1024;
    /// <summary>The htb qdisc major ratelimit's shaping classes hang under; class minor = 0x100 + slot.</summary>
    internal const ushort HtbMajor = 2;
}
