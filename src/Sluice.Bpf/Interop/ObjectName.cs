using System.Text;

namespace Sluice.Bpf.Interop;

/// <summary>Kernel object names (BPF_OBJ_NAME_LEN = 16, NUL-terminated, [A-Za-z0-9_.] only).</summary>
internal static class ObjectName
{
    internal const int MaxLength = 15;

    /// <summary>The name the kernel will accept: characters outside [A-Za-z0-9_.] become '_', truncated to 15 bytes.</summary>
    internal static string Sanitize(string name)
    {
        var builder = new StringBuilder(Math.Min(name.Length, MaxLength));
        foreach (char c in name)
        {
            if (builder.Length == MaxLength) break;
            builder.Append(char.IsAsciiLetterOrDigit(c) || c == '_' || c == '.' ? c : '_');
        }
        return builder.ToString();
    }

    internal static unsafe void Write(string name, byte* destination)
    {
        var sanitized = Sanitize(name);
        for (int i = 0; i < sanitized.Length; i++) destination[i] = (byte)sanitized[i];
        destination[sanitized.Length] = 0;
    }
}
