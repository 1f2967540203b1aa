using System.Buffers.Binary;
using System.Diagnostics;
using Sluice.Tests;

namespace Sluice.Programs.Tests.XdpApps;

/// <summary>
/// tcpdump writing a pcap file inside a namespace (through nsenter, so bpffs stays visible), started and stopped by the
/// test; <see cref="Frames"/> parses the file in C#, independently of tcpdump's own decoding.
/// </summary>
internal sealed class PcapCapture : IDisposable
{
    private readonly Process _process;
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"sluice-capture-{Environment.ProcessId}-{Guid.NewGuid():N}.pcap");

    internal PcapCapture(string netns, string interfaceName, string filter)
    {
        var start = new ProcessStartInfo("nsenter") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { $"--net=/var/run/netns/{netns}", "--", "tcpdump", "-i", interfaceName, "--immediate-mode", "-U", "-n", "-s", "2048", "-w", _path, filter })
            start.ArgumentList.Add(argument);
        _process = Process.Start(start) ?? throw new InvalidOperationException("cannot start tcpdump");
        // tcpdump says "listening on" once the socket is open; packets sent after that are captured.
        var ready = Task.Run(() =>
        {
            string? line;
            while ((line = _process.StandardError.ReadLine()) is not null)
                if (line.Contains("listening on", StringComparison.Ordinal)) return true;
            return false;
        });
        if (!ready.Wait(TimeSpan.FromSeconds(20)) || !ready.Result)
        {
            Dispose();
            throw new InvalidOperationException("tcpdump did not start listening");
        }
        _ = Task.Run(() => _process.StandardError.ReadToEnd());
    }

    /// <summary>
    /// Waits (up to 10 s) until the file holds at least <paramref name="atLeast"/> frames, stops tcpdump and returns the
    /// captured frames, in order.
    /// </summary>
    internal List<byte[]> Frames(int atLeast = 0)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Read().Count < atLeast && DateTime.UtcNow < deadline) Thread.Sleep(50);
        Stop();
        return Read();
    }

    private List<byte[]> Read()
    {
        byte[] bytes;
        using (var stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
        }
        var frames = new List<byte[]>();
        if (bytes.Length < 24) return frames;
        bool swapped = BinaryPrimitives.ReadUInt32LittleEndian(bytes) != 0xa1b2c3d4 && BinaryPrimitives.ReadUInt32LittleEndian(bytes) != 0xa1b23c4d;
        int offset = 24;
        while (offset + 16 <= bytes.Length)
        {
            int captured = (int)(swapped ? BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(offset + 8)) : BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 8)));
            offset += 16;
            if (offset + captured > bytes.Length) break;
            frames.Add(bytes.AsSpan(offset, captured).ToArray());
            offset += captured;
        }
        return frames;
    }

    private void Stop()
    {
        if (_process.HasExited) return;
        // SIGINT makes tcpdump flush and close the file.
        ShellCommand.TryRun("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], out _, out _);
        if (!_process.WaitForExit(10_000)) _process.Kill(entireProcessTree: true);
    }

    public void Dispose()
    {
        Stop();
        _process.Dispose();
        if (File.Exists(_path) && Environment.GetEnvironmentVariable("SLUICE_KEEP_PCAP") is null) File.Delete(_path);
    }
}
