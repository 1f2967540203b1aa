namespace Sluice.Bpf.Generator.Tests;

/// <summary>Paths inside the repository, found by walking up from the test binary.</summary>
internal static class RepositoryPaths
{
    internal static string Root
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
                if (File.Exists(Path.Combine(directory.FullName, "build", "Sluice.Bpf.targets"))) return directory.FullName;
            throw new DirectoryNotFoundException("build/Sluice.Bpf.targets not found above " + AppContext.BaseDirectory);
        }
    }

    internal static string Of(params string[] parts) => Path.Combine([Root, .. parts]);
}
