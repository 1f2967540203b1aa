using System.CommandLine;
using System.Text.Json;
using Sluice.Bpf;
using Sluice.Cli.Infrastructure;

namespace Sluice.Cli.Commands;

internal static partial class MapCommands
{
    private const string LiteralHelp =
        "hex bytes ('0a 00 00 01') and/or typed parts: u8: u16: u32: u64: i32: i64: be16: be32: ipv4: ipv6:";

    private static Option<string> KeyOption() => new("--key") { Description = "Key: " + LiteralHelp, Required = true };

    private static Command CreateDump()
    {
        var target = MapArgument();
        var json = CommonOptions.Json();
        var dump = new Command("dump", "Print every key and value (by their BTF types when the map has BTF, else hex)") { target, json };
        dump.SetAction(result => CommandRunner.Run(() =>
        {
            using var map = MapResolver.Open(result.GetValue(target)!);
            // Like bpftool: a map without keys (ring buffer, queue, perf event array, ...) dumps as no elements, with
            // the reason on stderr, and is not an error.
            bool keyless = MapResolver.IsKeyless(map);
            if (keyless) Console.Error.WriteLine(MapResolver.KeylessReason(map, "dump"));
            var entries = keyless ? [] : ReadAll(map);
            var formatting = MapFormatting.For(map);
            if (result.GetValue(json))
            {
                JsonOutput.Write(writer =>
                {
                    writer.WriteStartArray();
                    foreach (var (key, value) in entries) WriteEntry(writer, map, key, value, formatting);
                    writer.WriteEndArray();
                });
            }
            else
            {
                foreach (var (key, value) in entries)
                {
                    if (formatting is null) WriteEntryText(map, key, value);
                    else formatting.WriteText(map, key, value);
                }
                Console.WriteLine($"Found {entries.Count} element{(entries.Count == 1 ? "" : "s")}");
            }
            return 0;
        }));
        return dump;
    }

    private static List<(byte[] Key, byte[]? Value)> ReadAll(BpfMap map)
    {
        var entries = new List<(byte[], byte[]?)>();
        var key = new byte[map.KeySize];
        var next = new byte[map.KeySize];
        bool first = true;
        // Bounded so a map that churns under us cannot keep the walk going forever.
        long limit = 4L * map.MaxEntries + 1024;
        while (entries.Count < limit && map.TryGetNextKey(first ? ReadOnlySpan<byte>.Empty : key, next))
        {
            first = false;
            next.CopyTo(key, 0);
            var value = new byte[map.ValueBufferSize];
            // Arrays of fds (prog arrays, devmaps) have empty slots: the key exists, the lookup says ENOENT.
            entries.Add((key.ToArray(), map.TryLookup(key, value) ? value : null));
        }
        return entries;
    }

    private static Command CreateLookup()
    {
        var target = MapArgument();
        var key = KeyOption();
        var json = CommonOptions.Json();
        var lookup = new Command("lookup", "Print the value of one key") { target, key, json };
        lookup.SetAction(result => CommandRunner.Run(() =>
        {
            using var map = MapResolver.Open(result.GetValue(target)!);
            MapResolver.EnsureKeyed(map, "look up");
            var keyBytes = SizedLiteral(result.GetValue(key)!, "key", map.KeySize);
            var value = new byte[map.ValueBufferSize];
            if (!map.TryLookup(keyBytes, value)) throw new CliError($"map '{map.Name}': key {ByteLiteral.Format(keyBytes)} not found");
            var formatting = MapFormatting.For(map);
            if (result.GetValue(json)) JsonOutput.Write(writer => WriteEntry(writer, map, keyBytes, value, formatting));
            else if (formatting is null) WriteEntryText(map, keyBytes, value);
            else formatting.WriteText(map, keyBytes, value);
            return 0;
        }));
        return lookup;
    }

    private static Command CreateUpdate()
    {
        var target = MapArgument();
        var key = KeyOption();
        var value = new Option<string>("--value") { Description = "Value: " + LiteralHelp + " (per-CPU maps: one value, written to every CPU)", Required = true };
        var mode = new Option<string>("--flags") { Description = "any (default), noexist (create only), exist (replace only)", DefaultValueFactory = _ => "any" };
        mode.AcceptOnlyFromAmong("any", "noexist", "exist");
        var update = new Command("update", "Create or replace one element") { target, key, value, mode };
        update.SetAction(result => CommandRunner.Run(() =>
        {
            using var map = MapResolver.Open(result.GetValue(target)!);
            MapResolver.EnsureKeyed(map, "update");
            var keyBytes = SizedLiteral(result.GetValue(key)!, "key", map.KeySize);
            var one = SizedLiteral(result.GetValue(value)!, "value", map.ValueSize);
            byte[] valueBytes = one;
            if (map.IsPerCpu)
            {
                valueBytes = new byte[map.ValueBufferSize];
                int stride = PerCpuValues.Stride(map);
                for (int offset = 0; offset < valueBytes.Length; offset += stride) one.CopyTo(valueBytes, offset);
            }
            var flags = result.GetValue(mode) switch { "noexist" => MapUpdateFlags.NoExist, "exist" => MapUpdateFlags.Exist, _ => MapUpdateFlags.Any };
            map.Update(keyBytes, valueBytes, flags);
            return 0;
        }));
        return update;
    }

    private static Command CreateDelete()
    {
        var target = MapArgument();
        var key = KeyOption();
        var delete = new Command("delete", "Delete one key") { target, key };
        delete.SetAction(result => CommandRunner.Run(() =>
        {
            using var map = MapResolver.Open(result.GetValue(target)!);
            MapResolver.EnsureKeyed(map, "delete");
            var keyBytes = SizedLiteral(result.GetValue(key)!, "key", map.KeySize);
            if (!map.Delete(keyBytes)) throw new CliError($"map '{map.Name}': key {ByteLiteral.Format(keyBytes)} not found");
            return 0;
        }));
        return delete;
    }

    private static byte[] SizedLiteral(string text, string what, uint size)
    {
        var bytes = ByteLiteral.Parse(text, what);
        if (bytes.Length != size) throw new CliError($"{what} is {bytes.Length} bytes, the map's {what} size is {size}");
        return bytes;
    }

    private static void WriteEntryText(BpfMap map, byte[] key, byte[]? value)
    {
        Console.Write($"key: {ByteLiteral.Format(key)}  ");
        if (value is null) Console.WriteLine("value: <no entry>");
        else if (!map.IsPerCpu) Console.WriteLine($"value: {ByteLiteral.Format(value)}");
        else
        {
            Console.WriteLine();
            foreach (var (cpu, one) in PerCpuValues.Split(map, value))
                Console.WriteLine($"  cpu{cpu}: {ByteLiteral.Format(one.Span)}");
        }
    }

    private static void WriteEntry(Utf8JsonWriter writer, BpfMap map, byte[] key, byte[]? value, MapFormatting? formatting)
    {
        writer.WriteStartObject();
        writer.WriteHexArray("key", key);
        if (value is null) writer.WriteNull("value");
        else if (!map.IsPerCpu) writer.WriteHexArray("value", value);
        else
        {
            writer.WriteStartArray("values");
            foreach (var (cpu, one) in PerCpuValues.Split(map, value))
            {
                writer.WriteStartObject();
                writer.WriteNumber("cpu", cpu);
                writer.WriteHexArray("value", one.Span);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        formatting?.WriteJson(writer, map, key, value);
        writer.WriteEndObject();
    }
}
