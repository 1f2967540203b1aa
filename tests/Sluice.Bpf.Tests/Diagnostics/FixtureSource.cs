namespace Sluice.Bpf.Tests.Diagnostics;

/// <summary>The C sources of tests/Fixtures, found by walking up from the test binary to the repository.</summary>
internal static class FixtureSource
{
    /// <summary>The 1-based line of fixture <paramref name="name"/> that carries <paramref name="marker"/>.</summary>
    internal static int LineOf(string name, string marker)
    {
        var lines = File.ReadAllLines(Path(name));
        int index = Array.FindIndex(lines, line => line.Contains(marker, StringComparison.Ordinal));
        if (index < 0) throw new InvalidOperationException($"{name}.bpf.c has no line marked '{marker}'");
        return index + 1;
    }

    private static string Path(string name)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string candidate = System.IO.Path.Combine(directory.FullName, "tests", "Fixtures", name + ".bpf.c");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"tests/Fixtures/{name}.bpf.c not found above {AppContext.BaseDirectory}");
    }
}
