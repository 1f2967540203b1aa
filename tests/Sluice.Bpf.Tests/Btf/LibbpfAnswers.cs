using System.Text.Json;
using Sluice.Bpf.Tests.Programs;
using Sluice.Tests;

namespace Sluice.Bpf.Tests.Btf;

/// <summary>
/// What libbpf computes for an answers fixture: bpftool loads the object in a private bpffs (prog loadall with
/// pinmaps), test-runs one XDP program once and dumps its `results` array (u32 key, u64 value).
/// </summary>
internal static class LibbpfAnswers
{
    public static ulong[] Run(string objectPath, string program, int slots = 32)
    {
        string packet = Path.Combine(Path.GetTempPath(), $"sluice-answers-{Environment.ProcessId}-{Guid.NewGuid():N}.pkt");
        File.WriteAllBytes(packet, Packets.Ipv4(Packets.Udp));
        try
        {
            const string script = "mount -t bpf bpf /sys/fs/bpf || exit 97; " +
                "bpftool prog loadall \"$0\" /sys/fs/bpf/p pinmaps /sys/fs/bpf/m >&2 || exit 98; " +
                "bpftool prog run pinned \"/sys/fs/bpf/p/$2\" data_in \"$1\" repeat 1 >&2 || exit 99; " +
                "bpftool -j map dump pinned /sys/fs/bpf/m/results";
            string json = ShellCommand.Run("unshare", "--mount", "--propagation", "private", "sh", "-c", script, objectPath, packet, program);
            var values = new ulong[slots];
            foreach (var entry in JsonDocument.Parse(json).RootElement.EnumerateArray())
            {
                var formatted = entry.GetProperty("formatted");
                values[formatted.GetProperty("key").GetInt32()] = formatted.GetProperty("value").GetUInt64();
            }
            return values;
        }
        finally
        {
            File.Delete(packet);
        }
    }
}
