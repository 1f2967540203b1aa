using Sluice.Programs.Guard.Config;

namespace Sluice.Programs.Guard;

/// <summary>A whole desired guard state: settings and rules, as a config file (JSON, Guard/README.md) describes it.</summary>
/// <param name="Settings">Limits, verdicts, marks.</param>
/// <param name="Rules">Every rule (allow and deny lists plus imported files), without duplicates.</param>
public sealed record GuardConfig(GuardSettings Settings, IReadOnlyList<GuardRule> Rules)
{
    /// <summary>Default settings and no rules.</summary>
    public static GuardConfig Empty { get; } = new(GuardSettings.Defaults, []);

    /// <summary>Reads and validates a config file; "import" entries are rule files relative to it.</summary>
    /// <exception cref="GuardException">"FILE:LINE: message" for the first problem found.</exception>
    public static GuardConfig Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new GuardException($"{path}: {(error is FileNotFoundException or DirectoryNotFoundException ? "no such file" : error.Message)}", error);
        }
        return GuardConfigReader.Read(bytes, path, Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".");
    }

    /// <summary>Parses config JSON text; <paramref name="name"/> prefixes errors and imports are relative to <paramref name="baseDirectory"/>.</summary>
    /// <exception cref="GuardException">"NAME:LINE: message".</exception>
    public static GuardConfig Parse(string json, string name = "config", string? baseDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        return GuardConfigReader.Read(System.Text.Encoding.UTF8.GetBytes(json), name, baseDirectory ?? Directory.GetCurrentDirectory());
    }
}
