using System.Text;

namespace Sluice.Bpf.Generator;

/// <summary>A string builder that indents by braces, so emitters read like the code they write.</summary>
internal sealed class CodeWriter(int depth = 0)
{
    private readonly StringBuilder _text = new();
    private int _depth = depth;

    /// <summary>The current indentation depth, to write a part separately and <see cref="Raw"/> it in here.</summary>
    internal int Depth => _depth;

    /// <summary>Appends text that is already indented and ends with a line break.</summary>
    internal CodeWriter Raw(string text)
    {
        _text.Append(text);
        return this;
    }

    internal CodeWriter Line(string line = "")
    {
        if (line.Length > 0) _text.Append(' ', _depth * 4).Append(line);
        _text.Append('\n');
        return this;
    }

    internal CodeWriter Open(string line)
    {
        Line(line).Line("{");
        _depth++;
        return this;
    }

    internal CodeWriter Close(string suffix = "")
    {
        _depth--;
        return Line("}" + suffix);
    }

    /// <summary>A one-line XML doc summary; the text is escaped.</summary>
    internal CodeWriter Summary(string text) => Line($"/// <summary>{Escape(text)}</summary>");

    internal static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    public override string ToString() => _text.ToString();
}
