using System.Text.Json;

namespace Sluice.Programs.Guard.Config;

/// <summary>
/// The 1-based line of every value in a JSON document by its path ("$.limits.pps", "$.deny[3]"), so errors found after
/// deserializing can still name the line.
/// </summary>
internal sealed class JsonLineMap
{
    private readonly Dictionary<string, int> _lines = new(StringComparer.Ordinal);

    internal JsonLineMap(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var path = new List<string>();
        var indexes = new List<int>();
        int line = 1;
        long counted = 0;
        string? property = null;
        try
        {
            while (reader.Read())
            {
                long start = reader.TokenStartIndex;
                for (long i = counted; i < start; i++) if (utf8[(int)i] == (byte)'\n') line++;
                counted = start;
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        property = reader.GetString();
                        string key = Current(path, indexes, property);
                        // A key seen twice in one object: the deserializer would keep the last value silently.
                        if (!_lines.TryAdd(key, line) && Duplicate is null) Duplicate = (property!, line, _lines[key]);
                        continue;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        string here = Current(path, indexes, property);
                        _lines.TryAdd(here, line);
                        path.Add(here);
                        indexes.Add(reader.TokenType == JsonTokenType.StartArray ? 0 : -1);
                        property = null;
                        continue;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        path.RemoveAt(path.Count - 1);
                        indexes.RemoveAt(indexes.Count - 1);
                        Advance(indexes);
                        property = null;
                        continue;
                    default:
                        _lines.TryAdd(Current(path, indexes, property), line);
                        Advance(indexes);
                        property = null;
                        continue;
                }
            }
        }
        catch (JsonException)
        {
            // Syntax errors are reported by the deserializer, with their own line.
        }
    }

    /// <summary>The first key that appears twice in one object: its name, the line of the repeat and of the first.</summary>
    internal (string Key, int Line, int FirstLine)? Duplicate { get; }

    /// <summary>The line of <paramref name="path"/>, or of its closest recorded parent, or 1.</summary>
    internal int LineOf(string path)
    {
        for (string? p = path; p is not null; p = Parent(p))
            if (_lines.TryGetValue(p, out int line)) return line;
        return 1;
    }

    private static string Current(List<string> path, List<int> indexes, string? property)
    {
        if (path.Count == 0) return "$";
        string parent = path[^1];
        return indexes[^1] >= 0 ? $"{parent}[{indexes[^1]}]" : $"{parent}.{property}";
    }

    private static void Advance(List<int> indexes)
    {
        if (indexes.Count > 0 && indexes[^1] >= 0) indexes[^1]++;
    }

    private static string? Parent(string path)
    {
        int cut = path.LastIndexOfAny(['.', '[']);
        return cut <= 0 ? null : path[..cut];
    }
}
