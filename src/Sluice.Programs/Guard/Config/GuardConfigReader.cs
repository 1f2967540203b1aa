using System.Text.Json;

namespace Sluice.Programs.Guard.Config;

/// <summary>Config JSON to <see cref="GuardConfig"/>: structure by the source-generated serializer, meaning checked here.</summary>
internal static class GuardConfigReader
{
    internal static GuardConfig Read(byte[] utf8, string name, string baseDirectory)
    {
        GuardConfigDocument document;
        try
        {
            document = JsonSerializer.Deserialize(utf8, GuardConfigJsonContext.Default.GuardConfigDocument)
                ?? throw new GuardException($"{name}:1: the config must be a JSON object, not null");
        }
        catch (JsonException error)
        {
            throw new GuardException($"{name}:{(error.LineNumber ?? 0) + 1}: {Describe(error)}", error);
        }
        var lines = new JsonLineMap(utf8);
        if (lines.Duplicate is { } duplicate)
            throw new GuardException($"{name}:{duplicate.Line}: duplicate key \"{duplicate.Key}\" (first at line {duplicate.FirstLine}): write each key once");
        string At(string path) => $"{name}:{lines.LineOf(path)}";

        var settings = ReadSettings(document, At);
        var rules = new RuleCollector();
        AddList(rules, document.Allow, GuardRuleAction.Allow, "allow", At);
        AddList(rules, document.Deny, GuardRuleAction.Deny, "deny", At);
        for (int i = 0; i < (document.Import?.Count ?? 0); i++)
        {
            string file = document.Import![i];
            if (string.IsNullOrWhiteSpace(file)) throw new GuardException($"{At($"$.import[{i}]")}: empty import file name");
            string full = Path.Combine(baseDirectory, file);
            if (!File.Exists(full)) throw new GuardException($"{At($"$.import[{i}]")}: import file '{file}' does not exist");
            int number = 0;
            foreach (var rule in GuardRuleFile.Read(full))
            {
                number++;
                rules.Add(rule, () => $"{full}: rule {number}");
            }
        }
        return new GuardConfig(settings, rules.Rules);
    }

    private static GuardSettings ReadSettings(GuardConfigDocument document, Func<string, string> at)
    {
        var limits = document.Limits;
        var connections = document.Connections;
        double blockSeconds = limits?.BlockSeconds ?? 0;
        if (blockSeconds < 0 || blockSeconds > 365 * 86400 || double.IsNaN(blockSeconds))
            throw new GuardException($"{at("$.limits.blockSeconds")}: blockSeconds must be 0..{365 * 86400}");
        var settings = new GuardSettings
        {
            Limits = new GuardLimits
            {
                PacketsPerSecond = limits?.Pps ?? 0,
                SynPerSecond = limits?.SynPps ?? 0,
                Burst = limits?.Burst ?? 0,
                SynBurst = limits?.SynBurst ?? 0,
                BlockTime = TimeSpan.FromSeconds(blockSeconds),
                ConnectionsPerSecond = connections?.PerSecond ?? 0,
                ConnectionBurst = connections?.Burst ?? 0,
                MaxConcurrentConnections = connections?.Concurrent ?? 0,
            },
            Malformed = Verdict(document.Malformed, GuardVerdict.Drop, at("$.malformed"), "malformed"),
            Default = Verdict(document.Default, GuardVerdict.Pass, at("$.default"), "default"),
            SampleRate = document.SampleRate ?? 64,
            SynCookies = document.SynCookies ?? false,
            Metadata = document.Metadata ?? true,
            TrackSources = document.TrackSources ?? false,
            Suspicious = Marks(document.Suspicious, "suspicious", at),
            TcDrop = Marks(document.TcDrop, "tcDrop", at),
        };
        try
        {
            settings.Validate();
        }
        catch (GuardException error)
        {
            throw new GuardException($"{at("$.limits")}: {error.Message}", error);
        }
        return settings;
    }

    private static GuardVerdict Verdict(string? text, GuardVerdict fallback, string where, string field) => text?.ToLowerInvariant() switch
    {
        null => fallback,
        "drop" => GuardVerdict.Drop,
        "pass" => GuardVerdict.Pass,
        _ => throw new GuardException($"{where}: {field} must be \"drop\" or \"pass\", not \"{text}\""),
    };

    private static GuardMarks Marks(List<string>? names, string field, Func<string, string> at)
    {
        var marks = GuardMarks.None;
        for (int i = 0; i < (names?.Count ?? 0); i++)
        {
            marks |= GuardMarkNames.TryParse(names![i], out var mark) ? mark
                : throw new GuardException($"{at($"$.{field}[{i}]")}: unknown mark \"{names[i]}\" (one of {string.Join(", ", GuardMarkNames.All)})");
        }
        return marks;
    }

    private static void AddList(RuleCollector rules, List<string>? texts, GuardRuleAction action, string field, Func<string, string> at)
    {
        for (int i = 0; i < (texts?.Count ?? 0); i++)
        {
            string where = at($"$.{field}[{i}]");
            if (!GuardRule.TryParse(texts![i] ?? "", action, out var rule, out var error)) throw new GuardException($"{where}: {error}");
            if (rule.Action != action) throw new GuardException($"{where}: '{texts[i]}' is in the {field} list but says {(action == GuardRuleAction.Allow ? "deny" : "allow")}");
            rules.Add(rule, () => where);
        }
    }

    private static string Describe(JsonException error)
    {
        string message = error.Message;
        int cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0) cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut >= 0) message = message[..cut];
        message = message.TrimEnd('.', ' ');
        if (message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal))
            message = $"wrong type of value for {error.Path?.TrimStart('$', '.') ?? "a field"}";
        else if (message.Contains("could not be mapped", StringComparison.Ordinal) && error.Path is { } path)
            message = $"unknown field '{path.TrimStart('$', '.')}'";
        return message;
    }

    /// <summary>Collects rules, dropping exact duplicates and refusing allow + deny of the same prefix and scope.</summary>
    private sealed class RuleCollector
    {
        private readonly Dictionary<GuardRuleKey, GuardRuleAction> _seen = [];
        internal List<GuardRule> Rules { get; } = [];

        internal void Add(GuardRule rule, Func<string> where)
        {
            if (_seen.TryGetValue(rule.Key, out var action))
            {
                if (action != rule.Action) throw new GuardConflictException($"{where()}: {rule.Key} is both allowed and denied");
                return;
            }
            _seen.Add(rule.Key, rule.Action);
            Rules.Add(rule);
        }
    }
}
