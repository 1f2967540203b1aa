using Sluice.Lab;

namespace Sluice.Benchmarks.Harness;

/// <summary>Where the repository, the C baselines and the BPF objects are.</summary>
public static class BenchPaths
{
    /// <summary>The repository root: the first parent of the executable that holds Sluice.slnx.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>bench/c/bin, where bench/build-c.sh puts binaries and BPF objects.</summary>
    public static string CBin => Path.Combine(Root, "bench", "c", "bin");

    /// <summary>A C baseline binary or object in bench/c/bin; throws with the fix when it is not built.</summary>
    public static string CArtifact(string name)
    {
        var path = Path.Combine(CBin, name);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} is missing: run bench/build-c.sh (bench/run.sh does)");
        return path;
    }

    /// <summary>"HASH HH:MM" of the last commit touching <paramref name="repositoryPath"/>, for reports; "unknown" without git.</summary>
    public static string LastCommit(string repositoryPath)
    {
        var result = ShellCommand.Execute("git",
            ["-C", Root, "log", "-1", "--format=%h %cd", "--date=format:%H:%M", "--", repositoryPath], ShellCommand.DefaultTimeout);
        return result.Succeeded && result.Output.Trim().Length > 0 ? result.Output.Trim() : "unknown";
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Sluice.slnx"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException("Sluice.slnx not found above " + AppContext.BaseDirectory);
    }
}
