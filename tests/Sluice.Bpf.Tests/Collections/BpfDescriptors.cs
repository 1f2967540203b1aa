using System.Text.RegularExpressions;

namespace Sluice.Bpf.Tests.Collections;

/// <summary>
/// The BPF objects (programs, maps, links, BTF) this process holds fds to, as "kind id" from /proc/self/fdinfo, to
/// prove a failed load leaks none. Only BPF fds count: other fds (sockets, files, epoll) come and go with the runtime
/// and with parallel tests. Handles that earlier tests dropped without disposing are finalised first, so their
/// closing cannot happen in the middle of a comparison.
/// </summary>
internal static partial class BpfDescriptors
{
    internal static HashSet<string> Held()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var held = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in Directory.GetFiles("/proc/self/fdinfo"))
        {
            string info;
            try
            {
                info = File.ReadAllText(path);
            }
            catch (IOException)
            {
                continue; // closed between listing and reading: not held
            }
            var id = IdLine().Match(info);
            if (id.Success) held.Add($"{id.Groups[1].Value} {id.Groups[2].Value}");
        }
        return held;
    }

    // prog_id / map_id / link_id / btf_id: the lines the kernel prints only for BPF object fds.
    [GeneratedRegex(@"^(prog|map|link|btf)_id:\s+(\d+)$", RegexOptions.Multiline)]
    private static partial Regex IdLine();
}
