using System.Buffers.Binary;
using System.Diagnostics;
using Sluice.Bpf.Object.Elf;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Object.Tests;

/// <summary>
/// Mutates every fixture thousands of times (bit flips, truncations, edge values in header, section, symbol,
/// relocation and BTF fields) and requires each result to parse or fail with <see cref="BpfObjectException"/>.
/// A hang is caught by a watchdog with a generous bound on the whole run, which then names the mutations still in
/// flight (no per-parse time limit: on a loaded machine a slow parse is not a hang). A fixed seed always runs;
/// SLUICE_FUZZ_SEED adds a run with another seed, and that test skips, visibly, when it is not set
/// (scripts/test.sh sets it under CI).
/// </summary>
public class MutationFuzzTests(ITestOutputHelper output)
{
    private const int MutationsPerSeed = 6000;
    private const string SeedVariable = "SLUICE_FUZZ_SEED";

    /// <summary>A bound on the whole run that only a hang reaches (a run takes seconds).</summary>
    private static readonly TimeSpan HangBound = TimeSpan.FromMinutes(5);

    private static readonly ulong[] EdgeValues =
        [0, 1, 2, 3, 4, 7, 8, 12, 16, 24, 63, 64, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0x80000000,
         0xfffffff0, 0xffffffff, 0x100000000, 0x7fffffffffffffff, 0x8000000000000000, 0xfffffffffffffff8, ulong.MaxValue];

    [Fact]
    public void Fixed_seed() => Run(20261125);

    [Fact]
    public void Seed_from_environment()
    {
        var value = Environment.GetEnvironmentVariable(SeedVariable);
        if (string.IsNullOrEmpty(value)) Assert.Skip($"{SeedVariable} is not set: no second seed to run");
        Assert.True(int.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int seed),
            $"{SeedVariable}={value} is not a 32-bit integer");
        Run(seed);
    }

    private void Run(int seed)
    {
        var fixtures = Objects.AllFixtures.Select(name => (Name: name, Bytes: Fixture.Bytes(name), Layout: Layout.Of(name))).ToArray();
        var stopwatch = Stopwatch.StartNew();
        int parsed = 0, rejected = 0;
        string? failure = null;
        var inFlight = new System.Collections.Concurrent.ConcurrentDictionary<int, string>();
        using var stop = new CancellationTokenSource();
        var run = Task.Run(() => Parallel.For(0, MutationsPerSeed,
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = stop.Token }, (i, state) =>
        {
            // One generator per mutation, derived from the seed, so a failure replays from (seed, i) alone.
            var random = new Random(unchecked(seed * 1_000_003 + i));
            var (name, original, layout) = fixtures[i % fixtures.Length];
            var (bytes, description) = Mutate(original, layout, random);
            inFlight[i] = $"mutation {i} of {name}: {description}";
            try
            {
                ObjectReader.Read(bytes, name + ".bpf.o");
                Interlocked.Increment(ref parsed);
            }
            catch (BpfObjectException)
            {
                Interlocked.Increment(ref rejected);
            }
            catch (Exception e)
            {
                failure = $"seed {seed} mutation {i} of {name}: {description}: {e}";
                state.Stop();
            }
            finally
            {
                inFlight.TryRemove(i, out _);
            }
        }));
        bool finished = run.Wait(HangBound);
        if (!finished)
        {
            string hung = string.Join("\n", inFlight.Values);
            stop.Cancel();
            Assert.Fail($"seed {seed}: not finished after {HangBound.TotalMinutes} minutes; still parsing:\n{hung}");
        }
        output.WriteLine($"seed {seed}: {parsed} parsed, {rejected} rejected in {stopwatch.ElapsedMilliseconds} ms");
        Assert.Null(failure);
        Assert.Equal(MutationsPerSeed, parsed + rejected);
        Assert.True(rejected > MutationsPerSeed / 10, "mutations should mostly break the objects");
    }

    private static (byte[] Bytes, string Description) Mutate(byte[] original, Layout layout, Random random)
    {
        var bytes = original.ToArray();
        int kind = random.Next(8);
        switch (kind)
        {
            case 0:
            {
                int flips = random.Next(1, 9);
                var positions = new List<int>();
                for (int k = 0; k < flips; k++)
                {
                    int at = random.Next(bytes.Length);
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    positions.Add(at);
                }
                return (bytes, $"bit flips at {string.Join(",", positions)}");
            }
            case 1:
            {
                int length = random.Next(bytes.Length);
                return (bytes[..length], $"truncated to {length} bytes");
            }
            case 2:
                return Overwrite(bytes, random.Next(16, 64), random, "ELF header");
            case 3:
            {
                int section = random.Next(layout.SectionCount);
                int field = new[] { 0, 4, 8, 24, 32, 40, 44, 56 }[random.Next(8)];
                return Overwrite(bytes, layout.SectionTable + section * 64 + field, random, $"section {section} header field {field}");
            }
            case 4 when layout.Symbols.Length > 0:
            {
                int symbol = random.Next(layout.Symbols.Length / 24);
                int field = new[] { 0, 4, 6, 8, 16 }[random.Next(5)];
                return Overwrite(bytes, layout.Symbols.Offset + symbol * 24 + field, random, $"symbol {symbol} field {field}");
            }
            case 5 when layout.Relocations.Count > 0:
            {
                var (offset, length) = layout.Relocations[random.Next(layout.Relocations.Count)];
                int entry = random.Next(length / 16);
                int field = new[] { 0, 8, 12 }[random.Next(3)];
                return Overwrite(bytes, offset + entry * 16 + field, random, $"relocation at 0x{offset + entry * 16:x} field {field}");
            }
            case 6 when layout.Btf.Length > 0:
            {
                var (offset, length) = random.Next(2) == 0 || layout.BtfExt.Length == 0 ? layout.Btf : layout.BtfExt;
                // Favour the header and the first records, where lengths and offsets live.
                int at = offset + (random.Next(3) == 0 ? random.Next(Math.Min(64, length)) : random.Next(length));
                return Overwrite(bytes, at, random, $"BTF byte {at - offset} of the blob at 0x{offset:x}");
            }
            default:
            {
                int at = random.Next(bytes.Length);
                int count = random.Next(1, 64);
                for (int k = 0; k < count && at + k < bytes.Length; k++) bytes[at + k] = (byte)random.Next(256);
                return (bytes, $"{count} random bytes at 0x{at:x}");
            }
        }
    }

    private static (byte[], string) Overwrite(byte[] bytes, int at, Random random, string what)
    {
        ulong value = random.Next(3) == 0 ? (ulong)random.NextInt64() : EdgeValues[random.Next(EdgeValues.Length)];
        int width = new[] { 1, 2, 4, 8 }[random.Next(4)];
        if (at < 0 || at + width > bytes.Length) return (bytes, $"{what}: out of range, unchanged");
        switch (width)
        {
            case 1: bytes[at] = (byte)value; break;
            case 2: BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(at), (ushort)value); break;
            case 4: BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), (uint)value); break;
            default: BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(at), value); break;
        }
        return (bytes, $"{what}: {width}-byte write of 0x{value:x} at 0x{at:x}");
    }

    /// <summary>Where the interesting structures of a fixture are, so mutations can aim at them.</summary>
    private sealed record Layout(int SectionTable, int SectionCount, (int Offset, int Length) Symbols,
        List<(int Offset, int Length)> Relocations, (int Offset, int Length) Btf, (int Offset, int Length) BtfExt)
    {
        public static Layout Of(string fixture)
        {
            var bytes = Fixture.Bytes(fixture);
            var elf = new ElfFile(bytes, fixture);
            (int, int) Range(ElfSection? s) => s is null ? (0, 0) : ((int)s.Offset, (int)s.Size);
            return new Layout(
                (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(40)),
                elf.Sections.Count,
                Range(elf.Sections.FirstOrDefault(s => s.Type == ElfConstants.SectionSymbolTable)),
                elf.Sections.Where(s => s.Type == ElfConstants.SectionRel).Select(s => ((int)s.Offset, (int)s.Size)).ToList(),
                Range(elf.FindSection(".BTF")),
                Range(elf.FindSection(".BTF.ext")));
        }
    }
}
