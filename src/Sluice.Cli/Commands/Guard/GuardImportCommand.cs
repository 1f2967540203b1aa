using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Sluice.Cli.Infrastructure;
using Sluice.Programs.Guard;

namespace Sluice.Cli.Commands.Guard;

/// <summary>
/// <c>sluice guard import FILE</c>: bulk-adds rules (one per line, # comments) with progress on stderr. The whole file
/// is checked first; Ctrl+C stops between batches and leaves the rules imported so far (running it again finishes).
/// </summary>
internal static class GuardImportCommand
{
    internal static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "Rules, one per line: CIDR or '[allow|deny] CIDR [PROTO[/PORT]]'; '#' comments; '-' reads stdin" };
        var allow = new Option<bool>("--allow") { Description = "Lines without an action are allow rules (default: deny)" };
        var force = new Option<bool>("--force") { Description = "Import even if the rules would drop the current SSH session's source" };
        var interval = new Option<string?>("--progress-interval") { Description = "Seconds between progress lines when stderr is not a terminal (default 1; 0 = every batch)" };
        var target = new GuardTargetOptions();
        var command = new Command("import", "Add many rules from a file (1,000,000 prefixes in seconds) with a progress bar; Ctrl+C stops cleanly")
        {
            file, allow, force, interval,
        };
        target.AddTo(command);
        command.SetAction(result => GuardRunner.RunCancellable(cancellation =>
        {
            var every = result.GetValue(interval) is { } text ? GuardText.ParseSeconds(text, "--progress-interval", 3600) : TimeSpan.FromSeconds(1);
            string path = result.GetValue(file)!;
            var action = result.GetValue(allow) ? GuardRuleAction.Allow : GuardRuleAction.Deny;
            var clock = Stopwatch.StartNew();
            var rules = Read(path, action);
            var guard = target.Resolve(result);
            using var controller = GuardLockoutText.OpenForChange(guard);
            var progress = new ImportProgressReporter(Console.Error, !Console.IsErrorRedirected, every);
            Console.Error.WriteLine($"importing {rules.Count.ToString("N0", CultureInfo.InvariantCulture)} rules from {path} into {guard.Describe()} (read in {GuardText.Seconds(clock.Elapsed)})");
            try
            {
                var imported = controller.Import(rules, progress, cancellation, result.GetValue(force));
                progress.Finish();
                Console.WriteLine($"{guard.Describe()}: imported {Describe(imported)} in {GuardText.Seconds(clock.Elapsed)}");
                return 0;
            }
            catch (OperationCanceledException)
            {
                progress.Finish();
                Console.Error.WriteLine($"import cancelled after {progress.Done.ToString("N0", CultureInfo.InvariantCulture)} of {rules.Count.ToString("N0", CultureInfo.InvariantCulture)} rules; " +
                    "those were taken out again: nothing changed");
                return GuardRunner.Interrupted;
            }
        }));
        return command;
    }

    /// <summary>Every rule of the file (all read before anything changes), or the first bad line as "FILE:LINE: message".</summary>
    internal static List<GuardRule> Read(string path, GuardRuleAction action)
    {
        if (path != "-" && Directory.Exists(path)) throw new CliError($"{path} is a directory, not a rules file");
        if (path != "-" && !File.Exists(path)) throw new CliError($"{path}: no such file");
        var rules = path == "-" ? GuardRuleFile.Parse(StandardInputLines(), "stdin", action).ToList() : GuardRuleFile.Read(path, action).ToList();
        if (rules.Count == 0) throw new CliError($"{path}: no rules in the file");
        return rules;
    }

    private static IEnumerable<string> StandardInputLines()
    {
        while (Console.In.ReadLine() is { } line) yield return line;
    }

    private static string Describe(GuardImportResult result) =>
        $"{GuardText.Count((ulong)result.Added)} new rules, {GuardText.Count((ulong)result.Unchanged)} already present" +
        (result.Duplicates > 0 ? $" ({GuardText.Count((ulong)result.Duplicates)} duplicate lines)" : "");
}

/// <summary>
/// Import progress on stderr: on a terminal a bar redrawn in place ("[#####     ] 45% 450,000/1,000,000 prefixes 1.2 s");
/// otherwise a plain line every <c>interval</c>. Reports come synchronously from the importing thread.
/// </summary>
internal sealed class ImportProgressReporter(TextWriter writer, bool terminal, TimeSpan interval) : IProgress<GuardImportProgress>
{
    private const int BarWidth = 30;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _lastWrite = TimeSpan.MinValue;
    private bool _barShown;

    /// <summary>Rules done in the last report.</summary>
    internal long Done { get; private set; }

    public void Report(GuardImportProgress value)
    {
        // Total is 0 while the controller still sorts the rules into maps: nothing to draw yet.
        if (value.Total == 0) return;
        Done = value.Written;
        var now = _clock.Elapsed;
        // A terminal is redrawn at most 10 times a second; the last report (done == total) is always shown.
        var gap = terminal ? TimeSpan.FromMilliseconds(100) : interval;
        if (value.Written < value.Total && _lastWrite != TimeSpan.MinValue && now - _lastWrite < gap) return;
        _lastWrite = now;
        if (terminal)
        {
            writer.Write("\r" + Line(value.Written, value.Total, value.Elapsed) + "\x1b[K");
            _barShown = true;
        }
        else
        {
            writer.WriteLine(Line(value.Written, value.Total, value.Elapsed));
        }
        writer.Flush();
    }

    /// <summary>Ends the bar's line on a terminal.</summary>
    internal void Finish()
    {
        if (_barShown) writer.WriteLine();
        _barShown = false;
    }

    internal static string Line(long done, long total, TimeSpan elapsed)
    {
        double fraction = total <= 0 ? 1 : Math.Clamp((double)done / total, 0, 1);
        int filled = (int)Math.Round(fraction * BarWidth);
        return $"[{new string('#', filled)}{new string(' ', BarWidth - filled)}] {(int)(fraction * 100),3}% " +
            $"{done.ToString("N0", CultureInfo.InvariantCulture)}/{total.ToString("N0", CultureInfo.InvariantCulture)} prefixes " +
            $"{elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s";
    }
}
