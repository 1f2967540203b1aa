using System.Text.Encodings.Web;
using System.Text.Json;

namespace Sluice.Cli.Commands.Guard;

/// <summary>JSON lines for the streaming guard verbs (stats --watch --json, events --follow --json): one compact document per line.</summary>
internal static class GuardJson
{
    private static readonly JsonWriterOptions Compact = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    internal static void WriteLine(Action<Utf8JsonWriter> body)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, Compact)) body(writer);
        using var stdout = Console.OpenStandardOutput();
        stdout.Write(buffer.WrittenSpan);
        stdout.Write("\n"u8);
        stdout.Flush();
    }
}
