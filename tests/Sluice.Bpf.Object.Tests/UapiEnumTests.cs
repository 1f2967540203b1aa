using System.Text.RegularExpressions;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Object.Tests;

/// <summary>
/// The numeric values of <see cref="BpfProgramType"/>, <see cref="BpfAttachType"/> and <see cref="BpfMapType"/> against
/// the kernel's own UAPI header (linux/bpf.h from linux-libc-dev), counted the way the C compiler counts them: the
/// expected values come from the kernel, not from our enums. Members newer than the installed header are not judged.
/// </summary>
public partial class UapiEnumTests
{
    private const string Header = "/usr/include/linux/bpf.h";

    [Theory]
    [InlineData("bpf_prog_type", "BPF_PROG_TYPE_", typeof(BpfProgramType))]
    [InlineData("bpf_attach_type", "BPF_", typeof(BpfAttachType))]
    [InlineData("bpf_map_type", "BPF_MAP_TYPE_", typeof(BpfMapType))]
    public void Enum_values_match_the_kernel_header(string cEnum, string prefix, Type managed)
    {
        if (!File.Exists(Header)) Requires.Unavailable($"{Header} is missing (apt-get install -y linux-libc-dev)");
        var kernel = ReadEnum(File.ReadAllText(Header), cEnum, prefix);
        Assert.True(kernel.Count > 20, $"enum {cEnum} not parsed from {Header}");
        int judged = 0;
        foreach (var name in Enum.GetNames(managed))
        {
            // BpfProgramType.CgroupSockAddr ~ BPF_PROG_TYPE_CGROUP_SOCK_ADDR: compare without underscores or case.
            string key = name.ToUpperInvariant();
            if (!kernel.TryGetValue(key, out long expected)) continue;
            Assert.True(expected == Convert.ToInt64(Enum.Parse(managed, name), System.Globalization.CultureInfo.InvariantCulture),
                $"{managed.Name}.{name} = {Convert.ToInt64(Enum.Parse(managed, name), System.Globalization.CultureInfo.InvariantCulture)}, the kernel says {expected}");
            judged++;
        }
        Assert.True(judged >= Math.Min(20, Enum.GetNames(managed).Length - 2), $"only {judged} members of {managed.Name} matched a name in {Header}");
    }

    /// <summary>Members of <c>enum <paramref name="cEnum"/></c>: implicit values count up from the previous one.</summary>
    private static Dictionary<string, long> ReadEnum(string header, string cEnum, string prefix)
    {
        var body = Regex.Match(header, $@"enum {cEnum} \{{(.*?)\}};", RegexOptions.Singleline);
        var members = new Dictionary<string, long>(StringComparer.Ordinal);
        if (!body.Success) return members;
        long next = 0;
        foreach (Match member in Member().Matches(body.Groups[1].Value))
        {
            long value = member.Groups[2].Success ? long.Parse(member.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : next;
            next = value + 1;
            string name = member.Groups[1].Value;
            if (name.StartsWith(prefix, StringComparison.Ordinal)) members.TryAdd(name[prefix.Length..].Replace("_", "", StringComparison.Ordinal), value);
        }
        return members;
    }

    [GeneratedRegex(@"^\s*([A-Z0-9_]+)\s*(?:=\s*(\d+))?\s*,", RegexOptions.Multiline)]
    private static partial Regex Member();
}
