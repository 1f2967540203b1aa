using System.Diagnostics;
using Sluice.Programs.Guard;
using Sluice.Tests;
using Xunit;

namespace Sluice.Cli.Tests.Guard;

/// <summary>
/// Writers racing as separate CLI processes on one guard (issue 19): whatever the interleaving, the final rules,
/// port-rule flags and settings equal those of some serial order of the writers that reported success, and a detach
/// racing an import never leaves pins behind nor an import that reported success into maps nobody sees.
/// </summary>
public sealed class GuardWriterRaceTests(ITestOutputHelper output)
{
    private const int Rounds = 6;

    /// <summary>A writer: its CLI arguments and its effect on the model state when it runs (serially).</summary>
    private sealed record Writer(string Name, string[] Arguments, Func<Model, Model> Effect);

    /// <summary>What the race compares: rules and the two settings the writers touch.</summary>
    private sealed record Model(IReadOnlySet<string> Rules, uint Pps, uint SynPps)
    {
        public bool Equals(Model? other) => other is not null && Rules.SetEquals(other.Rules) && Pps == other.Pps && SynPps == other.SynPps;

        public override int GetHashCode() => HashCode.Combine(Rules.Count, Pps, SynPps);

        public override string ToString() => $"pps {Pps}, syn-pps {SynPps}, rules [{string.Join(", ", Rules.Order(StringComparer.Ordinal))}]";

        public Model With(params string[] rules) => this with { Rules = new HashSet<string>(Rules.Concat(rules), StringComparer.Ordinal) };
    }

    [Fact]
    public async Task Concurrent_deny_limit_import_apply_equal_some_serial_order()
    {
        Requires.Root();
        using var guard = new GuardTestTarget();
        guard.Attach();
        string directory = Directory.CreateTempSubdirectory("guard-race-").FullName;
        try
        {
            string import = Path.Combine(directory, "import.txt");
            File.WriteAllLines(import, ["198.19.2.0/24", "198.19.3.0/24 udp/53", "fd00:19::/32 tcp/22"]);
            string config = Path.Combine(directory, "guard.json");
            File.WriteAllText(config, """{ "deny": ["198.19.9.0/24", "198.19.8.0/24 tcp/80"], "limits": { "pps": 7 } }""");
            string empty = Path.Combine(directory, "empty.json");
            File.WriteAllText(empty, "{}");
            var writers = new Writer[]
            {
                new("deny", ["deny", "198.19.1.0/24 tcp/80"], m => m.With("deny 198.19.1.0/24 tcp/80")),
                new("limit pps", ["limit", "--pps", "1000"], m => m with { Pps = 1000 }),
                new("limit syn", ["limit", "--syn-pps", "50"], m => m with { SynPps = 50 }),
                new("import", ["import", import], m => m.With("deny 198.19.2.0/24", "deny 198.19.3.0/24 udp/53", "deny fd00:19::/32 tcp/22")),
                new("apply", ["apply", config], _ => new Model(new HashSet<string>(["deny 198.19.9.0/24", "deny 198.19.8.0/24 tcp/80"], StringComparer.Ordinal), 7, 0)),
            };
            for (int round = 0; round < Rounds; round++)
            {
                guard.Succeeds("apply", empty);
                var processes = writers.Select(w => (Writer: w, Process: guard.Start(w.Arguments[0], w.Arguments[1..]))).ToList();
                var succeeded = new List<Writer>();
                foreach (var (writer, process) in processes)
                {
                    var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
                    process.StandardOutput.ReadToEnd();
                    Assert.True(process.WaitForExit(120_000), $"{writer.Name} did not finish");
                    string stderrText = await stderr;
                    if (process.ExitCode == 0) succeeded.Add(writer);
                    else
                    {
                        // Only a stale plan may refuse (apply planned before another writer changed the guard).
                        string error = stderrText.Trim();
                        output.WriteLine($"round {round}: {writer.Name} refused: {error}");
                        Assert.Equal("apply", writer.Name);
                        Assert.Contains("plan again", error, StringComparison.Ordinal);
                    }
                    process.Dispose();
                }
                var state = GuardState.Read(guard);
                Assert.True(state.Consistent, state.Problem);
                using var controller = GuardController.Open(new GuardTarget(GuardTestTarget.Interface, guard.Namespace));
                var settings = controller.Settings;
                var observed = new Model(new HashSet<string>(state.Rules, StringComparer.Ordinal), settings.Limits.PacketsPerSecond, settings.Limits.SynPerSecond);
                var orders = Permutations(succeeded).Where(order => order.Aggregate(new Model(new HashSet<string>(), 0, 0), (m, w) => w.Effect(m)).Equals(observed)).ToList();
                output.WriteLine($"round {round}: {succeeded.Count} writers succeeded; {observed}; serial orders that give it: {orders.Count}"
                    + (orders.Count > 0 ? $", e.g. {string.Join(" > ", orders[0].Select(w => w.Name))}" : ""));
                Assert.True(orders.Count > 0, $"round {round}: no serial order of [{string.Join(", ", succeeded.Select(w => w.Name))}] gives {observed}");
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Detach_racing_an_import_waits_and_leaves_nothing_behind()
    {
        Requires.Root();
        for (int round = 0; round < 3; round++)
        {
            using var guard = new GuardTestTarget();
            guard.Attach();
            string file = Path.GetTempFileName();
            try
            {
                File.WriteAllLines(file, Enumerable.Range(0, 100_000).Select(i => $"fd00:{i >> 16:x}:{i & 0xffff:x}::/48"));
                using var import = guard.Start("import", file);
                Thread.Sleep(100 * round);
                var clock = Stopwatch.StartNew();
                var detach = SluiceProcess.Run("guard", "detach", GuardTestTarget.Interface, "--netns", guard.Namespace);
                var importError = import.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
                import.StandardOutput.ReadToEnd();
                Assert.True(import.WaitForExit(120_000));
                string importText = await importError;
                output.WriteLine($"round {round}: detach exit {detach.ExitCode} after {clock.ElapsedMilliseconds} ms; import exit {import.ExitCode}: "
                    + importText.Trim().Split('\n').Last());
                Assert.Equal(0, detach.ExitCode);
                Assert.False(Directory.Exists(guard.PinDirectory), "pins left behind");
                // The import ran before the detach (and succeeded), or after it and found no guard: one line, exit 1.
                if (import.ExitCode != 0)
                    Assert.Matches("no guard on|was detached", importText);
            }
            finally
            {
                File.Delete(file);
            }
        }
    }

    private static IEnumerable<List<Writer>> Permutations(List<Writer> items)
    {
        if (items.Count == 0)
        {
            yield return [];
            yield break;
        }
        for (int i = 0; i < items.Count; i++)
        {
            var rest = new List<Writer>(items);
            rest.RemoveAt(i);
            foreach (var tail in Permutations(rest)) yield return [items[i], .. tail];
        }
    }
}
