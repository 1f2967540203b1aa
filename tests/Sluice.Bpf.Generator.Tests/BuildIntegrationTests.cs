using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Generator.Tests;

/// <summary>
/// The MSBuild integration from outside the repository's own projects: a throwaway project that imports
/// build/Sluice.Bpf.props/targets, and the sample. Slow (real builds), so tagged Category=Build; scripts/test.sh runs them.
/// </summary>
[Trait("Category", "Build")]
public class BuildIntegrationTests
{
    // Only a hang guard: on the shared 2-core machine under load a small build has taken more than 3 minutes
    // (the stress run of issue 20 saw it), so the bound is far above any real build.
    private static readonly TimeSpan BuildLimit = TimeSpan.FromMinutes(30);

    private const string ProgramV1 = """
        #include <linux/bpf.h>
        #include <bpf/bpf_helpers.h>

        struct flow_value {
            __u64 packets;
            __u64 bytes;
        };

        struct {
            __uint(type, BPF_MAP_TYPE_HASH);
            __uint(max_entries, 16);
            __type(key, __u32);
            __type(value, struct flow_value);
        } flows SEC(".maps");

        SEC("xdp")
        int count(struct xdp_md *ctx)
        {
            __u32 key = 0;
            struct flow_value *value = bpf_map_lookup_elem(&flows, &key);
            if (value)
                value->packets++;
            return XDP_PASS;
        }

        char LICENSE[] SEC("license") = "GPL";
        """;

    private const string UsingCode = """
        var value = new Mismatch.StatsObject.FlowValue { Packets = 1, Bytes = 2 };
        System.Console.WriteLine(value.Packets + value.Bytes);
        """;

    [Fact]
    public void Removing_a_C_field_that_CSharp_uses_fails_the_build_at_the_CSharp_line()
    {
        using var project = new TempProject();
        project.Write("stats.bpf.c", ProgramV1);
        project.Write("Program.cs", UsingCode);
        project.WriteProject();

        var first = project.Build();
        Assert.True(first.ExitCode == 0, "the first build should succeed:\n" + first.Output);

        project.Write("stats.bpf.c", ProgramV1.Replace("__u64 bytes;", "__u64 octets;", StringComparison.Ordinal));
        var second = project.Build();

        Assert.NotEqual(0, second.ExitCode);
        Assert.Contains("Program.cs(1,", second.Output, StringComparison.Ordinal);
        Assert.Contains("error CS0117: 'StatsObject.FlowValue' does not contain a definition for 'Bytes'", second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_C_error_fails_the_build_at_the_C_file_and_line()
    {
        using var project = new TempProject();
        project.Write("stats.bpf.c", ProgramV1.Replace("value->packets++;", "value->packets += undeclared;", StringComparison.Ordinal));
        project.Write("Program.cs", "System.Console.WriteLine();");
        project.WriteProject();

        var build = project.Build();

        Assert.NotEqual(0, build.ExitCode);
        Assert.Matches(@"stats\.bpf\.c\(\d+,\d+\): error|stats\.bpf\.c:\d+:\d+: error", build.Output);
        Assert.Contains("undeclared", build.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_sample_builds_and_counts_packets_per_protocol()
    {
        Requires.Root();
        string sample = RepositoryPaths.Of("samples", "XdpProtocolCounter");
        var build = DotnetProcess.Run(sample, BuildLimit, "build", "-c", "Release", "-nologo", "-p:BuildProjectReferences=false");
        Assert.True(build.ExitCode == 0, build.Output);

        var run = DotnetProcess.Run(sample, TimeSpan.FromMinutes(10), Path.Combine("bin", "Release", "net10.0", "XdpProtocolCounter.dll"));

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("IPv4 UDP      134 bytes -> Drop", run.Output, StringComparison.Ordinal);
        Assert.Matches(@"TCP\s+3\s+1622", run.Output);
    }

    /// <summary>A project in a temp directory that imports the repository's targets and references Sluice.Bpf.</summary>
    private sealed class TempProject : IDisposable
    {
        public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("sluice-build-").FullName;

        public void Write(string name, string text) => File.WriteAllText(Path.Combine(Directory, name), text);

        public void WriteProject()
        {
            Write("Mismatch.csproj", $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <Import Project="{RepositoryPaths.Of("build", "Sluice.Bpf.props")}" />
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <RootNamespace>Mismatch</RootNamespace>
                  </PropertyGroup>
                  <ItemGroup>
                    <BpfProgram Include="stats.bpf.c" />
                    <ProjectReference Include="{RepositoryPaths.Of("src", "Sluice.Bpf", "Sluice.Bpf.csproj")}" />
                  </ItemGroup>
                  <Import Project="{RepositoryPaths.Of("build", "Sluice.Bpf.targets")}" />
                </Project>
                """);
            // Keep the temp directory's ancestors (e.g. /tmp) from injecting build settings.
            Write("Directory.Build.props", "<Project />");
            Write("Directory.Build.targets", "<Project />");
            Write("Directory.Packages.props", "<Project />");
        }

        // The referenced projects were built with this test project; rebuilding them here would only cost time.
        public DotnetProcess.Result Build() =>
            DotnetProcess.Run(Directory, BuildLimit, "build", "-c", "Release", "-nologo", "-p:BuildProjectReferences=false", "-clp:NoSummary");

        public void Dispose()
        {
            try { System.IO.Directory.Delete(Directory, recursive: true); }
            catch (IOException) { }
        }
    }
}
