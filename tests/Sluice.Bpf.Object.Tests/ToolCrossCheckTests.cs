using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Object.Tests;

/// <summary>Compares what the reader sees with what LLVM's own tools print for the same objects.</summary>
public partial class ToolCrossCheckTests
{
    private static string Run(string tool, string arguments)
    {
        ProcessStartInfo start = new(tool, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Requires.Unavailable($"{tool} is not installed (apt-get install -y llvm-14)");
            throw;
        }
        using (process)
        {
            string text = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            Assert.Equal(0, process.ExitCode);
            return text;
        }
    }

    [GeneratedRegex(@"^\s*\d+:\s+([0-9a-f]+)\s+(\d+)\s+(\w+)\s+(\w+)\s+\w+\s+(\S+)\s+(\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex SymbolLine();

    [GeneratedRegex(@"^\s*\[\s*(\d+)\]\s+(\S+)\s+\w+\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)", RegexOptions.Multiline)]
    private static partial Regex SectionLine();

    [Theory]
    [InlineData("globals")]
    [InlineData("maps")]
    [InlineData("xdp_counter")]
    [InlineData("sections")]
    public void Program_lengths_match_llvm_readelf_function_sizes(string fixture)
    {
        var spec = Objects.Read(fixture);
        var symbols = Run("llvm-readelf-14", $"-s {Fixture.Path(fixture)}");
        var sizes = SymbolLine().Matches(symbols)
            .Where(m => m.Groups[3].Value == "FUNC")
            .ToDictionary(m => m.Groups[6].Value, m => int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
        foreach (var program in spec.Programs)
            Assert.Equal(sizes[program.Name] / 8, Objects.OwnLength(program));
    }

    [Fact]
    public void Global_data_sizes_match_llvm_readelf_sections()
    {
        var spec = Objects.Read("globals");
        var sections = SectionLine().Matches(Run("llvm-readelf-14", $"-S -W {Fixture.Path("globals")}"))
            .ToDictionary(m => m.Groups[2].Value, m => Convert.ToUInt32(m.Groups[3].Value, 16));
        foreach (var map in spec.Maps)
            Assert.Equal(sections[map.Name], map.ValueSize);
    }

    [Fact]
    public void Instruction_count_matches_llvm_objdump()
    {
        var disassembly = Run("llvm-objdump-14", $"-d --no-show-raw-insn {Fixture.Path("xdp_counter")}");
        // Each disassembled line is one instruction slot; ld_imm64 prints once but takes two.
        var lines = disassembly.Split('\n').Where(l => Regex.IsMatch(l, @"^\s+\d+:\s")).ToList();
        int wide = lines.Count(l => l.Contains(" ll", StringComparison.Ordinal));
        var program = Objects.Read("xdp_counter").Program("xdp_counter");
        Assert.Equal(lines.Count + wide, program.Instructions.Length);
    }
}
