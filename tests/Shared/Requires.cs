using System.Runtime.InteropServices;
using Xunit;

namespace Sluice.Tests;

/// <summary>
/// Environment requirements of kernel tests. Missing ones skip on a developer laptop but FAIL when the CI
/// environment variable is set: a misconfigured CI machine must not turn into a green run.
/// </summary>
public static partial class Requires
{
    /// <summary>True when running under CI (the CI variable is set to anything but "false"/"0").</summary>
    public static bool InCi
    {
        get
        {
            var value = Environment.GetEnvironmentVariable("CI");
            return !string.IsNullOrEmpty(value) && value != "0" && !value.Equals("false", StringComparison.OrdinalIgnoreCase);
        }
    }

    /// <summary>The test needs root (bpf(), netlink, namespaces).</summary>
    public static void Root()
    {
        if (GetEuid() != 0) Unavailable("needs root (bpf() and netlink)");
    }

    /// <summary>Skips locally, fails in CI.</summary>
    public static void Unavailable(string why)
    {
        if (InCi) Assert.Fail($"{why}; CI is set, so this is a failure, not a skip");
        Assert.Skip(why);
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();
}
