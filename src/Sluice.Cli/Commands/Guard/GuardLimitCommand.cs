using System.CommandLine;
using Sluice.Cli.Infrastructure;
using Sluice.Programs.Guard;

namespace Sluice.Cli.Commands.Guard;

/// <summary>
/// <c>sluice guard limit</c>: rate limits and the other live settings. Only the options given change; the rest keep
/// their current values. Without options it prints the current settings.
/// </summary>
internal static class GuardLimitCommand
{
    internal static Command Create()
    {
        var pps = Number("--pps", "Packets per second per source (0 = off)");
        var synPps = Number("--syn-pps", "TCP SYNs per second per source (0 = off)");
        var burst = Number("--burst", "Packets a source may send at once above --pps");
        var synBurst = Number("--syn-burst", "SYNs a source may send at once above --syn-pps");
        var blockTime = Number("--block-time", "Seconds a source over a limit stays blocked (0 = no block, just drop the excess)", "S");
        var connRate = Number("--conn-rate", "TC stage: new TCP connections per second per source (0 = off)");
        var connBurst = Number("--conn-burst", "TC stage: new connections a source may open at once above --conn-rate");
        var connMax = Number("--conn-max", "TC stage: concurrent TCP connections per source (0 = off)");
        var off = new Option<bool>("--off") { Description = "Turn every rate and connection limit off (other options given with it still apply)" };
        var malformed = Number("--malformed", "Verdict for malformed packets: drop (default) or pass", "VERDICT");
        var verdict = Number("--default", "Verdict when no rule matches and the source is within its limits: pass (default) or drop", "VERDICT");
        var sampleRate = Number("--sample-rate", "Sample 1 in N dropped packets into the event ring (0 = none; default 64)");
        var synCookies = Number("--syncookies", "on: answer over-limit SYNs with SYN cookies instead of dropping them; off", "on|off");
        var metadata = Number("--metadata", "on: pass XDP marks to the TC stage in packet metadata (default); off", "on|off");
        var trackSources = Number("--track-sources", "on: count packets per source even without rate limits (for top sources in stats --watch); off (default)", "on|off");
        var suspicious = Number("--suspicious", "Marks that count a passed packet as suspicious: comma list of allowed, fragment, malformed, unmatched, near-limit, or none", "MARKS");
        var tcDrop = Number("--tc-drop", "Marks the TC stage drops: comma list (as --suspicious), or none", "MARKS");
        var force = new Option<bool>("--force") { Description = "Change even if the settings would drop the current SSH session's source" };
        var json = CommonOptions.Json();
        var target = new GuardTargetOptions();
        var command = new Command("limit", "Set rate limits, connection limits and verdicts live (only the options given change); alone, print them")
        {
            pps, synPps, burst, synBurst, blockTime, connRate, connBurst, connMax, off,
            malformed, verdict, sampleRate, synCookies, metadata, trackSources, suspicious, tcDrop, force, json,
        };
        target.AddTo(command);
        command.SetAction(result => GuardRunner.Run(() =>
        {
            string? Get(Option<string?> option) => result.GetValue(option);
            // Parse every value before opening the guard: a bad value changes nothing.
            uint? Count(Option<string?> option) => Get(option) is { } text ? GuardText.ParseCount(text, option.Name) : null;
            var values = new
            {
                Pps = Count(pps), SynPps = Count(synPps), Burst = Count(burst), SynBurst = Count(synBurst),
                BlockTime = Get(blockTime) is { } b ? GuardText.ParseSeconds(b, "--block-time") : (TimeSpan?)null,
                ConnRate = Count(connRate), ConnBurst = Count(connBurst), ConnMax = Count(connMax),
                Malformed = Get(malformed) is { } m ? GuardText.ParseVerdict(m, "--malformed") : (GuardVerdict?)null,
                Default = Get(verdict) is { } d ? GuardText.ParseVerdict(d, "--default") : (GuardVerdict?)null,
                SampleRate = Get(sampleRate) is { } s ? (ushort?)GuardText.ParseCount(s, "--sample-rate", ushort.MaxValue) : null,
                SynCookies = Get(synCookies) is { } c ? GuardText.ParseSwitch(c, "--syncookies") : (bool?)null,
                Metadata = Get(metadata) is { } md ? GuardText.ParseSwitch(md, "--metadata") : (bool?)null,
                TrackSources = Get(trackSources) is { } ts ? GuardText.ParseSwitch(ts, "--track-sources") : (bool?)null,
                Suspicious = Get(suspicious) is { } su ? GuardText.ParseMarks(su, "--suspicious") : (GuardMarks?)null,
                TcDrop = Get(tcDrop) is { } t ? GuardText.ParseMarks(t, "--tc-drop") : (GuardMarks?)null,
            };
            bool anyChange = result.GetValue(off) || new object?[]
            {
                values.Pps, values.SynPps, values.Burst, values.SynBurst, values.BlockTime, values.ConnRate, values.ConnBurst,
                values.ConnMax, values.Malformed, values.Default, values.SampleRate, values.SynCookies, values.Metadata,
                values.TrackSources, values.Suspicious, values.TcDrop,
            }.Any(v => v is not null);

            var guard = target.Resolve(result);
            using var controller = GuardLockoutText.OpenForChange(guard);
            var current = controller.Settings;
            if (anyChange)
            {
                // Read and changed under the guard's writer lock: a concurrent change to other settings is kept.
                current = controller.UpdateSettings(active =>
                {
                    var limits = result.GetValue(off) ? GuardLimits.None : active.Limits;
                    limits = limits with
                    {
                        PacketsPerSecond = values.Pps ?? limits.PacketsPerSecond,
                        SynPerSecond = values.SynPps ?? limits.SynPerSecond,
                        Burst = values.Burst ?? limits.Burst,
                        SynBurst = values.SynBurst ?? limits.SynBurst,
                        BlockTime = values.BlockTime ?? limits.BlockTime,
                        ConnectionsPerSecond = values.ConnRate ?? limits.ConnectionsPerSecond,
                        ConnectionBurst = values.ConnBurst ?? limits.ConnectionBurst,
                        MaxConcurrentConnections = values.ConnMax ?? limits.MaxConcurrentConnections,
                    };
                    var updated = active with
                    {
                        Limits = limits,
                        Malformed = values.Malformed ?? active.Malformed,
                        Default = values.Default ?? active.Default,
                        SampleRate = values.SampleRate ?? active.SampleRate,
                        SynCookies = values.SynCookies ?? active.SynCookies,
                        Metadata = values.Metadata ?? active.Metadata,
                        TrackSources = values.TrackSources ?? active.TrackSources,
                        Suspicious = values.Suspicious ?? active.Suspicious,
                        TcDrop = values.TcDrop ?? active.TcDrop,
                    };
                    return updated;
                }, result.GetValue(force));
            }
            if (result.GetValue(json))
            {
                JsonOutput.Write(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteString("interface", guard.Interface);
                    writer.WriteString("netns", guard.NamespaceLabel);
                    writer.WriteBoolean("changed", anyChange);
                    GuardText.WriteSettingsJson(writer, "settings", current);
                    writer.WriteEndObject();
                });
            }
            else
            {
                Console.WriteLine(anyChange ? $"{guard.Describe()}: settings updated" : $"{guard.Describe()}: settings");
                GuardText.WriteSettings(current, Console.Out);
            }
            return 0;
        }));
        return command;
    }

    // Values are strings parsed by GuardText, so a bad one is one error line like every other failure, not a parse error plus help.
    private static Option<string?> Number(string name, string description, string helpName = "N") => new(name) { Description = description, HelpName = helpName };
}
