using System.Text.Encodings.Web;
using System.Text.Json;

namespace Sluice.Cli.Infrastructure;

/// <summary>
/// Writes --json output with Utf8JsonWriter (no reflection, so the CLI stays Native-AOT compatible).
/// Field names are snake_case like bpftool's JSON. Relaxed escaping keeps ' and ` readable (stdout is not HTML).
/// </summary>
internal static class JsonOutput
{
    internal static void Write(Action<Utf8JsonWriter> body)
    {
        using var stream = Console.OpenStandardOutput();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            body(writer);
        }
        stream.Write("\n"u8);
    }

    /// <summary>"name": "value", or "name": null when there is none (an unset namespace, interface, mode).</summary>
    internal static void WriteStringOrNull(this Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null) writer.WriteNull(name);
        else writer.WriteString(name, value);
    }

    internal static void WriteHexArray(this Utf8JsonWriter writer, string name, ReadOnlySpan<byte> bytes)
    {
        writer.WriteStartArray(name);
        foreach (byte b in bytes) writer.WriteStringValue($"0x{b:x2}");
        writer.WriteEndArray();
    }
}
