using System.Text.Json;
using Sluice.Bpf;

namespace Sluice.Cli.Commands;

/// <summary>Prints an <see cref="XlatedProgram"/> the way `bpftool prog dump xlated [linum]` does (text and JSON).</summary>
internal static class XlatedDump
{
    internal static void WriteText(TextWriter output, XlatedProgram program, bool linum)
    {
        foreach (var (index, text, function, lines) in Walk(program))
        {
            if (function is { } f) output.WriteLine($"{f.Prototype}:");
            foreach (var line in lines) output.WriteLine($"; {line.Source.TrimStart()}{(linum ? $" [file:{line.File} line_num:{line.Line} line_col:{line.Column}]" : "")}");
            output.WriteLine($"{index,4}: {text}");
        }
    }

    internal static void WriteJson(Utf8JsonWriter writer, XlatedProgram program, bool linum)
    {
        writer.WriteStartArray();
        foreach (var (index, text, function, lines) in Walk(program))
        {
            writer.WriteStartObject();
            writer.WriteNumber("pc", index);
            if (function is { } f) writer.WriteString("proto", f.Prototype);
            if (lines.Count > 0)
            {
                var line = lines[^1];
                writer.WriteString("src", line.Source.TrimStart());
                if (linum)
                {
                    writer.WriteString("file", line.File);
                    writer.WriteNumber("line_num", line.Line);
                    writer.WriteNumber("line_col", line.Column);
                }
            }
            writer.WriteString("opcode", $"0x{program.Instructions[index].Opcode:x2}");
            writer.WriteString("disasm", text);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    /// <summary>Each printed instruction (ld_imm64's second half is not), with the function starting and the source lines attached there.</summary>
    private static IEnumerable<(int Index, string Text, XlatedFunction? Function, List<XlatedLine> Lines)> Walk(XlatedProgram program)
    {
        int nextLine = 0;
        int nextFunction = 0;
        for (int index = 0; index < program.Instructions.Length;)
        {
            XlatedFunction? function = null;
            while (nextFunction < program.Functions.Count && program.Functions[nextFunction].InstructionOffset <= index)
                function = program.Functions[nextFunction++];
            var lines = new List<XlatedLine>();
            while (nextLine < program.Lines.Count && program.Lines[nextLine].InstructionOffset <= index)
                lines.Add(program.Lines[nextLine++]);
            string text = program.Disassemble(index, out int slots);
            yield return (index, text, function, lines);
            index += slots;
        }
    }
}
