using System.Globalization;

namespace Sluice.Programs.TcApps;

/// <summary>What a rate counts.</summary>
public enum RateUnit
{
    /// <summary>Bytes per second.</summary>
    Bytes,
    /// <summary>Packets per second.</summary>
    Packets,
}

/// <summary>
/// A rate in human units, as tc writes them: bit rates (bit, kbit, mbit, gbit, tbit; decimal, 1kbit = 1000 bit/s),
/// byte rates (Bps, kBps/KB/s, MB/s, GB/s; decimal) and packet rates (pps, kpps, mpps). "10mbit", "1gbit", "5MB/s", "5kpps".
/// </summary>
/// <param name="PerSecond">Bytes or packets per second (bit rates are rounded to bytes).</param>
/// <param name="Unit">Bytes or packets.</param>
public readonly record struct Rate(ulong PerSecond, RateUnit Unit)
{
    /// <summary>Parses a rate.</summary>
    /// <exception cref="TcAppException">Not a rate, zero, or above 1 tbit/s (kind <see cref="TcAppError.InvalidInput"/>).</exception>
    public static Rate Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string trimmed = text.Trim();
        int split = 0;
        while (split < trimmed.Length && (char.IsAsciiDigit(trimmed[split]) || trimmed[split] == '.')) split++;
        string number = trimmed[..split], suffix = trimmed[split..].Trim().ToLowerInvariant();
        if (number.Length == 0 || !double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value))
            throw Invalid(text);
        (double factor, RateUnit unit) = suffix switch
        {
            "bit" => (1 / 8.0, RateUnit.Bytes),
            "kbit" => (1e3 / 8, RateUnit.Bytes),
            "mbit" => (1e6 / 8, RateUnit.Bytes),
            "gbit" => (1e9 / 8, RateUnit.Bytes),
            "tbit" => (1e12 / 8, RateUnit.Bytes),
            "b/s" or "bps" => (1, RateUnit.Bytes),
            "kb/s" or "kbps" => (1e3, RateUnit.Bytes),
            "mb/s" or "mbps" => (1e6, RateUnit.Bytes),
            "gb/s" or "gbps" => (1e9, RateUnit.Bytes),
            "pps" => (1, RateUnit.Packets),
            "kpps" => (1e3, RateUnit.Packets),
            "mpps" => (1e6, RateUnit.Packets),
            _ => throw Invalid(text),
        };
        double perSecond = Math.Round(value * factor);
        if (perSecond < 1) throw new TcAppException($"rate '{text}' is zero or below one unit per second");
        if (perSecond > 125e9) throw new TcAppException($"rate '{text}' is above 1tbit");
        return new Rate((ulong)perSecond, unit);
    }

    /// <summary>Parses a size: bytes with an optional k/m/g suffix (1024-based, as tc's burst), e.g. "32k", "1500", "1m"; with packet rates, packets.</summary>
    public static ulong ParseSize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string trimmed = text.Trim().ToLowerInvariant();
        if (trimmed.EndsWith('b')) trimmed = trimmed[..^1];
        ulong factor = 1;
        if (trimmed.EndsWith('k')) (factor, trimmed) = (1024, trimmed[..^1]);
        else if (trimmed.EndsWith('m')) (factor, trimmed) = (1024 * 1024, trimmed[..^1]);
        else if (trimmed.EndsWith('g')) (factor, trimmed) = (1024 * 1024 * 1024, trimmed[..^1]);
        if (!ulong.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out ulong value) || value == 0 || value > 8UL << 30)
            throw new TcAppException($"'{text}' is not a size (1 .. 8g, e.g. 1500, 32k, 1m)");
        return checked(value * factor);
    }

    /// <summary>"10mbit", "5kpps", "3.5MB/s": bit rates for bytes when they are whole, else bytes per second.</summary>
    public override string ToString()
    {
        if (Unit == RateUnit.Packets) return Scale(PerSecond, "pps", "kpps", "mpps");
        return Scale(PerSecond * 8, "bit", "kbit", "mbit", "gbit", "tbit");
    }

    private static string Scale(ulong value, params string[] units)
    {
        int index = 0;
        double scaled = value;
        while (index < units.Length - 1 && scaled >= 1000 && scaled % 1000 == 0) (scaled, index) = (scaled / 1000, index + 1);
        return scaled.ToString("0.###", CultureInfo.InvariantCulture) + units[index];
    }

    private static TcAppException Invalid(string text) =>
        new($"'{text}' is not a rate (e.g. 10mbit, 1gbit, 5MB/s, 5kpps)");
}
