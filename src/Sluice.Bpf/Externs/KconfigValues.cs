using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Sluice.Bpf.Features;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// Fills the ".kconfig" map of an object: LINUX_KERNEL_VERSION, LINUX_HAS_SYSCALL_WRAPPER, LINUX_HAS_BPF_COOKIE and
/// CONFIG_* from the kernel's configuration, each written as its declared C type wants it (libbpf's rules: bool y/n/0/1,
/// enum libbpf_tristate y/n/m, char y/n/m or a number, integers as numbers that must fit, char arrays as quoted
/// strings, cut to fit). A missing value is zero when the extern is __weak, else an error naming program and symbol.
/// </summary>
internal static class KconfigValues
{
    internal static byte[] Fill(ObjectSpec spec, MapSpec map, IReadOnlyDictionary<string, string>? config, string configSource)
    {
        var value = new byte[map.ValueSize];
        foreach (var extern_ in spec.Externs)
        {
            if (extern_.Kind != ExternKind.Kconfig) continue;
            string? text = Known(extern_.Name) ?? (config is not null && config.TryGetValue(extern_.Name, out var found) ? found : null);
            if (text is null)
            {
                if (extern_.Name.StartsWith("LINUX_", StringComparison.Ordinal))
                    throw Error(spec, extern_, "is not a value this loader knows (LINUX_KERNEL_VERSION, LINUX_HAS_SYSCALL_WRAPPER, LINUX_HAS_BPF_COOKIE)");
                if (extern_.IsWeak) continue;
                throw Error(spec, extern_, config is null
                    ? "has no value: the kernel's configuration was not found (/proc/config.gz, /boot/config-<release>), and the extern is not __weak"
                    : $"is not set in the kernel's configuration ({configSource}), and the extern is not __weak");
            }
            Write(spec, extern_, text, value.AsSpan((int)extern_.Offset, (int)extern_.Size));
        }
        return value;
    }

    private static string? Known(string name) => name switch
    {
        "LINUX_KERNEL_VERSION" => KernelRelease.Code.ToString(CultureInfo.InvariantCulture),
        // The arch's syscall wrappers (__x64_sys_*, pt_regs-based since 4.17) change how BPF_KSYSCALL reads arguments.
        // libbpf answers by opening a kprobe on __x64_sys_bpf, so without kprobes (the kprobe PMU, 4.17) it says 0, and
        // so do we: the value only matters to BPF_KSYSCALL kprobes, and programs must compute libbpf's answers.
        "LINUX_HAS_SYSCALL_WRAPPER" => ProbePmu.Exists("kprobe") && KernelBtfNames.Contains(RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "__arm64_sys_bpf" : "__x64_sys_bpf") ? "1" : "0",
        "LINUX_HAS_BPF_COOKIE" => KernelRelease.Code >= (5u << 16) + (15u << 8) ? "1" : "0",
        _ => null,
    };

    private static void Write(ObjectSpec spec, ExternSpec extern_, string text, Span<byte> slot)
    {
        var btf = spec.Btf!;
        var type = btf.SkipQualifiers(extern_.TypeId);
        bool tristate = text is "y" or "n" or "m";
        switch (type)
        {
            case { Kind: BtfKind.Array } array when btf.SkipQualifiers(array.Array!.Value.ElementTypeId) is { Kind: BtfKind.Int, Size: 1 }:
                if (text.Length < 2 || text[0] != '"' || text[^1] != '"')
                    throw Error(spec, extern_, $"is a char array, but the kernel's value {text} is not a string");
                byte[] bytes = Encoding.UTF8.GetBytes(text[1..^1]);
                bytes.AsSpan(0, Math.Min(bytes.Length, slot.Length - 1)).CopyTo(slot);
                return;
            case { Kind: BtfKind.Enum, Name: "libbpf_tristate" }:
                if (!tristate) throw Error(spec, extern_, $"is a tristate, but the kernel's value is {text}");
                slot[0] = text switch { "y" => 1, "m" => 2, _ => 0 };
                return;
            case { Kind: BtfKind.Int } integer when (integer.IntEncoding & 4) != 0:
                // libbpf accepts y/n and the numbers 0 and 1 (its LINUX_HAS_* values are numbers written into bools).
                if (text is not ("y" or "n" or "0" or "1")) throw Error(spec, extern_, $"is a bool, but the kernel's value is {text}");
                slot[0] = text is "y" or "1" ? (byte)1 : (byte)0;
                return;
            case { Kind: BtfKind.Int, Size: 1 } character when (character.IntEncoding & 2) != 0 || character.Name == "char":
                if (tristate)
                {
                    slot[0] = (byte)text[0];
                    return;
                }
                WriteNumber(spec, extern_, text, slot, signed: (character.IntEncoding & 1) != 0);
                return;
            case { Kind: BtfKind.Int } integer:
                if (tristate) throw Error(spec, extern_, $"is an integer, but the kernel's value {text} is a tristate (declare it bool, char or enum libbpf_tristate)");
                WriteNumber(spec, extern_, text, slot, signed: (integer.IntEncoding & 1) != 0);
                return;
            default:
                throw Error(spec, extern_, $"has type {btf.TypeName(extern_.TypeId)}, which a kconfig value cannot have (bool, char, integers, enum libbpf_tristate, char arrays)");
        }
    }

    private static void WriteNumber(ObjectSpec spec, ExternSpec extern_, string text, Span<byte> slot, bool signed)
    {
        if (!TryParseNumber(text, out long number))
            throw Error(spec, extern_, $"is a number, but the kernel's value is {text}");
        int bits = slot.Length * 8;
        bool fits = bits >= 64 || (signed
            ? number >= -(1L << (bits - 1)) && number < 1L << (bits - 1)
            : (ulong)number < 1UL << bits);
        if (!fits) throw Error(spec, extern_, $"is {slot.Length} bytes, too small for the kernel's value {text}");
        Span<byte> all = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(all, number);
        all[..slot.Length].CopyTo(slot);
    }

    // strtoull base 0: 0x hex, leading 0 octal, else decimal; a leading '-' for negative values.
    private static bool TryParseNumber(string text, out long number)
    {
        bool negative = text.StartsWith('-');
        string digits = negative ? text[1..] : text;
        bool parsed;
        ulong magnitude;
        if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            parsed = ulong.TryParse(digits[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out magnitude);
        else if (digits.Length > 1 && digits[0] == '0')
        {
            magnitude = 0;
            parsed = digits.All(c => c is >= '0' and <= '7');
            foreach (char c in digits) magnitude = magnitude * 8 + (ulong)(c - '0');
        }
        else parsed = ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out magnitude);
        number = negative ? -(long)magnitude : (long)magnitude;
        return parsed && digits.Length > 0;
    }

    internal static BpfCoreRelocationException Error(ObjectSpec spec, ExternSpec extern_, string problem)
    {
        var user = spec.Programs.FirstOrDefault(p => p.MapReferences.Any(r => r.MapName == ".kconfig" &&
            r.Offset >= extern_.Offset && r.Offset < extern_.Offset + Math.Max(extern_.Size, 1)));
        string who = user is null ? $"object '{spec.Name}'" : $"program '{user.Name}'";
        return new BpfCoreRelocationException(CoreFailureKind.MissingExtern, user?.Name ?? "", $"{who}: kconfig extern '{extern_.Name}' {problem}");
    }
}
