using System.Text;
using System.Text.RegularExpressions;

namespace Sluice.Cli.Infrastructure;

/// <summary>
/// Words .NET's own exception messages for the terminal. The CLI is built with UseSystemResourceKeys (smaller, faster
/// start), so the runtime's messages arrive as resource keys with their arguments ("UnauthorizedAccess_IODenied_Path,
/// /sys/fs/bpf/a.b"); a user must see a sentence instead. Messages that are already sentences pass through.
/// </summary>
internal static partial class SystemErrorText
{
    private static readonly Dictionary<string, string> Known = new(StringComparer.Ordinal)
    {
        ["UnauthorizedAccess_IODenied_Path"] = "permission denied: {0}",
        ["UnauthorizedAccess_IODenied_NoPathName"] = "permission denied",
        ["IO_PathNotFound_Path"] = "no such file or directory: {0}",
        ["IO_PathNotFound_NoPathName"] = "no such file or directory",
        ["IO_FileNotFound_FileName"] = "no such file: {0}",
        ["IO_FileNotFound"] = "no such file",
        ["IO_FileExists_Name"] = "already exists: {0}",
        ["IO_AlreadyExists_Name"] = "already exists: {0}",
        ["IO_PathTooLong_Path"] = "path too long: {0}",
        ["IO_PathTooLong"] = "path too long",
        ["IO_SharingViolation_File"] = "file is in use by another process: {0}",
        ["IO_SharingViolation_NoFileName"] = "file is in use by another process",
        ["IO_DiskFull_Path_AllocationSize"] = "no space left on the device for {0}",
        ["IO_FileTooLarge_Path_AllocationSize"] = "file too large: {0}",
        ["Arg_PathEmpty"] = "the path is empty",
        ["Argument_EmptyPath"] = "the path is empty",
        ["Arg_InvalidHandle"] = "invalid handle",
    };

    /// <summary>A sentence for <paramref name="error"/>'s message (and, for a resource key, its inner OS error).</summary>
    public static string Sentence(Exception error)
    {
        string message = error.Message;
        if (error is ArgumentException { ParamName: { } parameter })
        {
            // ArgumentException appends the parameter's name ("(Parameter 'x')", or a resource key): an API detail.
            foreach (string suffix in new[] { $" (Parameter '{parameter}')", $" Arg_ParamName_Name, {parameter}" })
                if (message.EndsWith(suffix, StringComparison.Ordinal)) message = message[..^suffix.Length];
        }
        var match = ResourceKey().Match(message);
        if (!match.Success) return message;
        string key = match.Groups[1].Value;
        string argument = match.Groups[2].Success ? match.Groups[2].Value : "";
        string text = Known.TryGetValue(key, out string? format)
            ? string.Format(System.Globalization.CultureInfo.InvariantCulture, format, argument)
            : Words(key) + (argument.Length > 0 ? ": " + argument : "");
        // The inner exception usually carries the OS's own words ("Operation not permitted"): keep them.
        if (error.InnerException is { } inner && !ResourceKey().IsMatch(inner.Message) && inner.Message.Length > 0)
            text += $" ({inner.Message.TrimEnd('.')})";
        return text;
    }

    /// <summary>"IO_SharingViolation_File" → "I/O sharing violation": the key in words, its argument-name suffix dropped.</summary>
    private static string Words(string key)
    {
        var parts = key.Split('_').ToList();
        while (parts.Count > 1 && parts[^1] is "Path" or "Name" or "FileName" or "File" or "NoPathName" or "NoFileName") parts.RemoveAt(parts.Count - 1);
        var text = new StringBuilder();
        foreach (string part in parts)
        {
            string spaced = CamelBoundary().Replace(part, " $1").Trim();
            text.Append(text.Length > 0 ? " " : "").Append(part == "IO" ? "I/O" : spaced.ToLowerInvariant());
        }
        return text.ToString();
    }

    // A resource key: identifier words joined by '_', optionally followed by ", argument".
    [GeneratedRegex(@"^([A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+)(?:, (.*))?$", RegexOptions.Singleline)]
    private static partial Regex ResourceKey();

    [GeneratedRegex("(?<=[a-z])([A-Z])")]
    private static partial Regex CamelBoundary();
}
