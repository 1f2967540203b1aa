using Sluice.Cli.Infrastructure;

namespace Sluice.Cli.Commands;

/// <summary>What `net attach` did, printed as one sentence or as JSON (same fields as a `net list` row, plus how it persists).</summary>
internal sealed record AttachReport(string Hook, string Target, string? Netns, string Detail, uint ProgramId, string ProgramName, uint? LinkId, string? PinPath, string Persistence)
{
    internal void Write(bool json)
    {
        if (!json)
        {
            string program = ProgramName.Length == 0 ? $"program {ProgramId}" : $"program {ProgramId} '{ProgramName}'";
            string link = LinkId is null ? "" : $", link {LinkId}" + (PinPath is null ? "" : $" pinned at {PinPath}");
            string where = Netns is null ? Target : $"{Target} (netns {Netns})";
            Console.WriteLine($"attached {program} to {Hook} on {where} ({Detail}{link}); {Persistence}");
            return;
        }
        JsonOutput.Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("hook", Hook);
            writer.WriteString("target", Target);
            writer.WriteStringOrNull("netns", Netns);
            writer.WriteString("detail", Detail);
            writer.WriteNumber("prog_id", ProgramId);
            writer.WriteString("prog_name", ProgramName);
            if (LinkId is { } link) writer.WriteNumber("link_id", link);
            else writer.WriteNull("link_id");
            if (PinPath is { } pin) writer.WriteString("pin", pin);
            else writer.WriteNull("pin");
            writer.WriteString("persistence", Persistence);
            writer.WriteEndObject();
        });
    }

    /// <summary>"'va'" or "'va' (netns blue)", for messages.</summary>
    internal static string Interface(string device, string? netns) => netns is null ? $"'{device}'" : $"'{device}' (netns {netns})";
}
