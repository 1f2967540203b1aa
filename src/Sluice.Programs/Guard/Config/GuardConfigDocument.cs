using System.Text.Json.Serialization;

namespace Sluice.Programs.Guard.Config;

// The config file's JSON shape (Guard/README.md "Config file"). Every field is optional; unknown fields are errors.

internal sealed class GuardConfigDocument
{
    public GuardLimitsDocument? Limits { get; set; }
    public GuardConnectionsDocument? Connections { get; set; }
    public string? Malformed { get; set; }
    public string? Default { get; set; }
    public ushort? SampleRate { get; set; }
    public bool? SynCookies { get; set; }
    public bool? Metadata { get; set; }
    public bool? TrackSources { get; set; }
    public List<string>? Suspicious { get; set; }
    public List<string>? TcDrop { get; set; }
    public List<string>? Allow { get; set; }
    public List<string>? Deny { get; set; }
    public List<string>? Import { get; set; }
}

internal sealed class GuardLimitsDocument
{
    public uint? Pps { get; set; }
    public uint? SynPps { get; set; }
    public uint? Burst { get; set; }
    public uint? SynBurst { get; set; }
    public double? BlockSeconds { get; set; }
}

internal sealed class GuardConnectionsDocument
{
    public uint? PerSecond { get; set; }
    public uint? Burst { get; set; }
    public uint? Concurrent { get; set; }
}

/// <summary>Source-generated (reflection-free, Native AOT safe) serialization of the config file.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(GuardConfigDocument))]
internal sealed partial class GuardConfigJsonContext : JsonSerializerContext;
