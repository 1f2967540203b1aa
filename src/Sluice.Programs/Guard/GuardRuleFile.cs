namespace Sluice.Programs.Guard;

/// <summary>
/// Rule list files (import files): one rule per line, '#' comments, blank lines; the action defaults to deny.
/// Errors are GuardException "FILE:LINE: message".
/// </summary>
public static class GuardRuleFile
{
    /// <summary>Reads every rule of <paramref name="path"/>, lazily (a 1,000,000-line file is streamed).</summary>
    /// <exception cref="GuardException">The file cannot be read or a line is not a rule.</exception>
    public static IEnumerable<GuardRule> Read(string path, GuardRuleAction defaultAction = GuardRuleAction.Deny)
    {
        ArgumentNullException.ThrowIfNull(path);
        StreamReader reader;
        try
        {
            reader = new StreamReader(path, new FileStreamOptions { BufferSize = 1 << 16 });
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new GuardException($"{path}: {Describe(error)}", error);
        }
        return ReadLines(reader, path, defaultAction);
    }

    /// <summary>Parses rules from <paramref name="lines"/>; errors name <paramref name="name"/> and the line.</summary>
    public static IEnumerable<GuardRule> Parse(IEnumerable<string> lines, string name, GuardRuleAction defaultAction = GuardRuleAction.Deny)
    {
        ArgumentNullException.ThrowIfNull(lines);
        int number = 0;
        foreach (var line in lines)
        {
            number++;
            if (ParseLine(line, name, number, defaultAction) is { } rule) yield return rule;
        }
    }

    private static IEnumerable<GuardRule> ReadLines(StreamReader reader, string path, GuardRuleAction defaultAction)
    {
        using (reader)
        {
            int number = 0;
            while (true)
            {
                string? line;
                try
                {
                    line = reader.ReadLine();
                }
                catch (IOException error)
                {
                    throw new GuardException($"{path}:{number + 1}: {Describe(error)}", error);
                }
                if (line is null) yield break;
                number++;
                if (ParseLine(line, path, number, defaultAction) is { } rule) yield return rule;
            }
        }
    }

    private static GuardRule? ParseLine(string line, string name, int number, GuardRuleAction defaultAction)
    {
        int hash = line.IndexOf('#', StringComparison.Ordinal);
        var text = hash < 0 ? line : line[..hash];
        if (string.IsNullOrWhiteSpace(text)) return null;
        return GuardRule.TryParse(text, defaultAction, out var rule, out var error) ? rule : throw new GuardException($"{name}:{number}: {error}");
    }

    private static string Describe(Exception error) => error switch
    {
        FileNotFoundException or DirectoryNotFoundException => "no such file",
        UnauthorizedAccessException => "permission denied",
        _ => error.Message,
    };
}
