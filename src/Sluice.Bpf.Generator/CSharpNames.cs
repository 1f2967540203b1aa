using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace Sluice.Bpf.Generator;

/// <summary>C names (snake_case, SCREAMING_CASE) turned into C# identifiers (PascalCase), and unique within a scope.</summary>
internal static class CSharpNames
{
    /// <summary>"xdp_counter.bpf.o" → "XdpCounterObject".</summary>
    internal static string ObjectClass(string resourceName)
    {
        string file = System.IO.Path.GetFileName(resourceName);
        int dot = file.IndexOf('.');
        return Pascal(dot > 0 ? file.Substring(0, dot) : file) + "Object";
    }

    /// <summary>"flow_key" → "FlowKey", "VERDICT_PASS" → "VerdictPass", "h_proto" → "HProto"; always a valid identifier.</summary>
    internal static string Pascal(string name)
    {
        var text = new StringBuilder();
        foreach (var part in name.Split(['_', '.', '-', ' '], StringSplitOptions.RemoveEmptyEntries))
        {
            bool shouting = part.ToUpperInvariant() == part;
            text.Append(char.ToUpperInvariant(part[0]));
            text.Append(shouting ? part.Substring(1).ToLowerInvariant() : part.Substring(1));
        }
        return Identifier(text.ToString());
    }

    /// <summary>Makes <paramref name="name"/> a legal identifier: "_" before a leading digit or for an empty name, "@" before a keyword.</summary>
    internal static string Identifier(string name)
    {
        var text = new StringBuilder();
        foreach (char c in name) text.Append(char.IsLetterOrDigit(c) || c == '_' ? c : '_');
        if (text.Length == 0 || char.IsDigit(text[0])) text.Insert(0, '_');
        string result = text.ToString();
        return SyntaxFacts.GetKeywordKind(result) != SyntaxKind.None ? "@" + result : result;
    }
}

/// <summary>Hands out names unique within one scope: a taken name gets <c>suffix</c>, then a number.</summary>
internal sealed class NameScope(IEnumerable<string>? reserved = null)
{
    private readonly HashSet<string> _taken = new(reserved ?? [], StringComparer.Ordinal);

    internal string Claim(string name, string suffix = "")
    {
        if (_taken.Add(name)) return name;
        if (suffix.Length > 0 && _taken.Add(name + suffix)) return name + suffix;
        for (int i = 2; ; i++)
            if (_taken.Add(name + suffix + i)) return name + suffix + i;
    }

    internal bool IsTaken(string name) => _taken.Contains(name);
}
