namespace Sluice.Bpf;

/// <summary>
/// The number of possible CPUs (/sys/devices/system/cpu/possible), which is how many values a per-CPU map
/// returns per key: the kernel sizes per-CPU values by possible, not online, CPUs.
/// </summary>
public static class PossibleCpus
{
    private static readonly Lazy<int> LazyCount = new(Read);

    /// <summary>Number of possible CPUs.</summary>
    public static int Count => LazyCount.Value;

    private static int Read()
    {
        string text = File.ReadAllText("/sys/devices/system/cpu/possible").Trim();
        return Parse(text);
    }

    /// <summary>Parses the kernel's CPU list format ("0-3,5,7-8") into a count of the highest index + 1.</summary>
    internal static int Parse(string text)
    {
        int highest = -1;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int dash = part.IndexOf('-', StringComparison.Ordinal);
            int last = int.Parse(dash < 0 ? part : part[(dash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            highest = Math.Max(highest, last);
        }
        if (highest < 0) throw new FormatException($"unreadable CPU list '{text}'");
        return highest + 1;
    }
}
