using Sluice.Bpf;

namespace Sluice.Lab;

/// <summary>
/// A throwaway cgroup v2 directory (/sys/fs/cgroup/sluice-test-PID-GUID) for tests and benchmarks that need processes
/// inside and outside a cgroup. Dispose removes it, waiting (bounded) for processes that just exited to leave it.
/// </summary>
public sealed class LabCgroup : IDisposable
{
    /// <summary>Creates the directory.</summary>
    public LabCgroup()
    {
        Path = System.IO.Path.Combine(Cgroup.Root, $"sluice-test-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    /// <summary>The cgroup's directory.</summary>
    public string Path { get; }

    /// <summary>Its id (what bpf_skb_cgroup_id and bpf_get_current_cgroup_id return for its processes).</summary>
    public ulong Id => CgroupIds.Get(Path);

    /// <summary>A command line that joins the cgroup first, then runs <paramref name="command"/> (program and arguments).</summary>
    public string[] Inside(IReadOnlyList<string> command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return ["sh", "-c", $"echo $$ > '{Path}/cgroup.procs' && exec \"$@\"", "sh", .. command];
    }

    /// <summary>Runs <paramref name="command"/> inside the cgroup; the exit code, with stdout and stderr.</summary>
    public int Run(IReadOnlyList<string> command, out string output, out string error)
    {
        var inside = Inside(command);
        return ShellCommand.TryRun(inside[0], inside[1..], out output, out error);
    }

    /// <summary>Removes the directory; a cgroup that a just-exited process still counts in is retried for up to 10 s.</summary>
    public void Dispose()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            try
            {
                if (Directory.Exists(Path)) Directory.Delete(Path);
                return;
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50); // EBUSY: the kernel drops an exited process from the cgroup shortly after
            }
        }
    }
}
