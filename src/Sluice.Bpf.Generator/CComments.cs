using System.Text;
using System.Text.RegularExpressions;

namespace Sluice.Bpf.Generator;

/// <summary>
/// The comments C sources put on types, struct members and enumerators, to become the XML docs of their mirrors
/// (BTF keeps no comments; bindgen, behind aya-tool, keeps them the same way). A comment belongs to a declaration
/// when it ends on the declaration's line, or fills the lines right above it. A line scanner, not a C parser: it
/// knows struct/union/enum blocks by their braces, which is all the ABI headers use; what it misses stays undocumented.
/// </summary>
internal sealed class CComments
{
    private static readonly Regex TypeOpen = new(@"^\s*(?:typedef\s+)?(struct|union|enum)\s+(\w+)?[^{;()]*\{", RegexOptions.Compiled);
    private static readonly Regex Enumerator = new(@"^\s*([A-Za-z_]\w*)\s*(?:=[^,]*)?,?\s*$", RegexOptions.Compiled);
    private static readonly Regex Member = new(@"([A-Za-z_]\w*)\s*(?:\[[^\]]*\]\s*)*(?::\s*\w+\s*)?(?:__attribute__\s*\(\(.*\)\)\s*)?;\s*$", RegexOptions.Compiled);

    private readonly Dictionary<string, string> _types = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _members = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _enumerators = new(StringComparer.Ordinal);

    internal static readonly CComments None = new();

    /// <summary>The comment of C type <paramref name="cName"/> ("struct flow_key"), or null.</summary>
    internal string? OfType(string cName) => _types.TryGetValue(cName, out var text) ? text : null;

    /// <summary>The comment of member <paramref name="member"/> of <paramref name="cType"/> ("struct flow_key"), or null.</summary>
    internal string? OfMember(string cType, string member) => _members.TryGetValue(cType + "." + member, out var text) ? text : null;

    /// <summary>The comment of enumerator <paramref name="name"/>, or null.</summary>
    internal string? OfEnumerator(string name) => _enumerators.TryGetValue(name, out var text) ? text : null;

    internal static CComments Parse(IEnumerable<string> sources)
    {
        var comments = new CComments();
        foreach (var source in sources) comments.Scan(source);
        return comments;
    }

    private sealed record Block(string Kind, string? Name);

    private void Scan(string source)
    {
        var blocks = new Stack<Block>();
        string? above = null;
        var lines = source.Replace("\r\n", "\n").Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string code = SplitComment(lines, ref i, out string? comment);
            if (code.Trim().Length == 0)
            {
                // A comment-only line documents what follows; a blank line ends that.
                above = comment is null ? null : above is null ? comment : above + " " + comment;
                continue;
            }
            string? doc = comment ?? above;
            above = null;
            var open = TypeOpen.Match(code);
            if (open.Success)
            {
                string? name = open.Groups[2].Success ? open.Groups[1].Value + " " + open.Groups[2].Value : null;
                if (name is not null && doc is not null) _types[name] = doc;
                blocks.Push(new Block(open.Groups[1].Value, name));
                Close(blocks, code.Substring(open.Length));
                continue;
            }
            if (doc is not null && blocks.Count > 0)
            {
                var inner = blocks.Peek();
                if (inner.Kind == "enum" && Enumerator.Match(code) is { Success: true } enumerator)
                    _enumerators[enumerator.Groups[1].Value] = doc;
                else if (inner.Kind is "struct" or "union" && blocks.FirstOrDefault(b => b.Name is not null)?.Name is string owner
                         && Member.Match(code) is { Success: true } member)
                    _members[owner + "." + member.Groups[1].Value] = doc;
            }
            foreach (char c in code)
                if (c == '{') blocks.Push(new Block("other", null));
            Close(blocks, code);
        }
    }

    private static void Close(Stack<Block> blocks, string code)
    {
        foreach (char c in code)
            if (c == '}' && blocks.Count > 0) blocks.Pop();
    }

    /// <summary>The code of line <paramref name="i"/> and its comment text (a block comment may run on: i moves to its end).</summary>
    private static string SplitComment(string[] lines, ref int i, out string? comment)
    {
        string line = lines[i];
        comment = null;
        int slashes = line.IndexOf("//", StringComparison.Ordinal);
        int block = line.IndexOf("/*", StringComparison.Ordinal);
        if (slashes >= 0 && (block < 0 || slashes < block))
        {
            comment = Clean(line.Substring(slashes + 2));
            return line.Substring(0, slashes);
        }
        if (block < 0) return line;
        string code = line.Substring(0, block);
        var text = new StringBuilder();
        string rest = line.Substring(block + 2);
        while (true)
        {
            int end = rest.IndexOf("*/", StringComparison.Ordinal);
            if (end >= 0)
            {
                text.Append(' ').Append(rest.Substring(0, end));
                code += rest.Substring(end + 2);
                break;
            }
            text.Append(' ').Append(rest);
            if (++i >= lines.Length) break;
            // A continuation line's leading " * " is layout, not text.
            rest = lines[i].TrimStart();
            if (rest.StartsWith("*", StringComparison.Ordinal) && !rest.StartsWith("*/", StringComparison.Ordinal)) rest = rest.Substring(1);
        }
        comment = Clean(text.ToString());
        return code;
    }

    private static string? Clean(string text)
    {
        string cleaned = Regex.Replace(text.Trim().TrimStart('*', '!').Trim(), @"\s+", " ");
        return cleaned.Length == 0 ? null : cleaned;
    }
}
