using System.Globalization;

namespace Sluice.Programs.Qos;

// QosClassName (enum qos_class_name) is generated from the object's BTF, with bpf/include/qos.h's comments as docs.

/// <summary>
/// A traffic class: high, normal or low (skb->priority = htb class 1:10, 1:20, 1:30, which `--qdisc htb` creates), or a
/// raw skb->priority given as a number or as MAJOR:MINOR (hex, like tc's class ids).
/// </summary>
/// <param name="Name">How it was named.</param>
/// <param name="Priority">The skb->priority value.</param>
public readonly record struct QosClass(QosClassName Name, uint Priority)
{
    /// <summary>The htb qdisc handle major of the classes `--qdisc htb` creates.</summary>
    public const ushort HtbMajor = 1;

    /// <summary>The high class.</summary>
    public static QosClass High => new(QosClassName.High, Id(0x10));
    /// <summary>The normal class.</summary>
    public static QosClass Normal => new(QosClassName.Normal, Id(0x20));
    /// <summary>The low class.</summary>
    public static QosClass Low => new(QosClassName.Low, Id(0x30));

    private static uint Id(ushort minor) => ((uint)HtbMajor << 16) | minor;

    /// <summary>high, normal, low, a number (0..4294967295) or MAJOR:MINOR in hex.</summary>
    public static QosClass Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        switch (text.ToLowerInvariant())
        {
            case "high": return High;
            case "normal": return Normal;
            case "low": return Low;
        }
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0 && ushort.TryParse(text[..colon], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ushort major) &&
            ushort.TryParse(text[(colon + 1)..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ushort minor))
            return new(QosClassName.Number, ((uint)major << 16) | minor);
        if (colon < 0 && uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint number))
            return new(QosClassName.Number, number);
        throw new TcApps.TcAppException($"'{text}' is not a class (high, normal, low, a number or MAJOR:MINOR in hex)");
    }

    /// <summary>"high", "normal", "low" or the number (MAJOR:MINOR when the major is set).</summary>
    public override string ToString() => Name switch
    {
        QosClassName.High => "high",
        QosClassName.Normal => "normal",
        QosClassName.Low => "low",
        _ => Priority > 0xffff ? $"{Priority >> 16:x}:{Priority & 0xffff:x}" : Priority.ToString(CultureInfo.InvariantCulture),
    };
}

/// <summary>DSCP code points by name (RFC 2474, 2597, 3246): EF, AF11..AF43, CS0..CS7, or 0..63.</summary>
public static class Dscp
{
    /// <summary>Parses a DSCP name or number.</summary>
    public static byte Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string upper = text.ToUpperInvariant();
        if (upper == "EF") return 46;
        if (upper.Length == 3 && upper.StartsWith("CS", StringComparison.Ordinal) && upper[2] is >= '0' and <= '7') return (byte)((upper[2] - '0') * 8);
        if (upper.Length == 4 && upper.StartsWith("AF", StringComparison.Ordinal) && upper[2] is >= '1' and <= '4' && upper[3] is >= '1' and <= '3')
            return (byte)((upper[2] - '0') * 8 + (upper[3] - '0') * 2);
        if (byte.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out byte number) && number <= 63) return number;
        throw new TcApps.TcAppException($"'{text}' is not a DSCP (EF, AF11..AF43, CS0..CS7 or 0..63)");
    }

    /// <summary>The name of a code point (EF, AFxy, CSx), or its number.</summary>
    public static string Name(byte dscp)
    {
        if (dscp == 46) return "EF";
        if (dscp % 8 == 0) return $"CS{dscp / 8}";
        int cls = dscp / 8, drop = dscp % 8 / 2;
        if (cls is >= 1 and <= 4 && dscp % 2 == 0 && drop is >= 1 and <= 3) return $"AF{cls}{drop}";
        return dscp.ToString(CultureInfo.InvariantCulture);
    }
}
