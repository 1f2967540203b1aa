using System.Text;

namespace Sluice.Cli.Infrastructure;

/// <summary>A plain aligned text table (no colours, so scripts can parse it with awk).</summary>
internal sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    internal void Add(params object?[] cells)
    {
        if (cells.Length != headers.Length)
            throw new InvalidOperationException($"table row has {cells.Length} cells, expected {headers.Length}");
        _rows.Add(Array.ConvertAll(cells, c => c?.ToString() ?? "-"));
    }

    internal int Count => _rows.Count;

    internal void Write(TextWriter writer)
    {
        var widths = new int[headers.Length];
        for (int i = 0; i < headers.Length; i++)
        {
            widths[i] = headers[i].Length;
            foreach (var row in _rows) widths[i] = Math.Max(widths[i], row[i].Length);
        }
        writer.WriteLine(Format(headers, widths));
        foreach (var row in _rows) writer.WriteLine(Format(row, widths));
    }

    private static string Format(string[] cells, int[] widths)
    {
        var line = new StringBuilder();
        for (int i = 0; i < cells.Length; i++)
        {
            if (i > 0) line.Append("  ");
            line.Append(i == cells.Length - 1 ? cells[i] : cells[i].PadRight(widths[i]));
        }
        return line.ToString().TrimEnd();
    }
}
