using System.Buffers.Binary;
using System.Diagnostics;

namespace Sluice.Lab.Capture;

/// <summary>
/// tcpdump on one interface of a lab namespace, writing a pcap file, for tests that must see what really crossed the
/// wire. <see cref="Start"/> returns once tcpdump is listening; <see cref="Stop"/> ends it and returns the frames.
/// Bounded: tcpdump exits after <c>maxPackets</c> and is killed on dispose.
/// </summary>
public sealed class TcpdumpCapture : IDisposable
{
    private readonly Process _process;
    private readonly string _file;

    private TcpdumpCapture(Process process, string file)
    {
        _process = process;
        _file = file;
    }

    /// <summary>Starts tcpdump -i <paramref name="interfaceName"/> in namespace <paramref name="netns"/> with a BPF filter expression.</summary>
    /// <exception cref="TimeoutException">tcpdump did not start listening within 10 seconds.</exception>
    public static TcpdumpCapture Start(string netns, string interfaceName, string filter, int maxPackets = 10_000, string direction = "inout")
    {
        string file = Path.Combine(Path.GetTempPath(), $"sluice-capture-{Environment.ProcessId}-{Guid.NewGuid():N}.pcap");
        var start = new ProcessStartInfo("nsenter")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { $"--net=/var/run/netns/{netns}", "--", "tcpdump", "-i", interfaceName, "-Q", direction, "-n", "-U", "-s", "65535",
                     "-c", maxPackets.ToString(System.Globalization.CultureInfo.InvariantCulture), "-w", file, filter })
            start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new InvalidOperationException("tcpdump did not start");
        var listening = new TaskCompletionSource();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("listening on", StringComparison.Ordinal) == true) listening.TrySetResult();
        };
        process.BeginErrorReadLine();
        if (!listening.Task.Wait(TimeSpan.FromSeconds(10)))
        {
            if (!process.HasExited) process.Kill();
            process.Dispose();
            throw new TimeoutException("tcpdump did not start listening within 10 s");
        }
        return new TcpdumpCapture(process, file);
    }

    /// <summary>Waits up to <paramref name="settle"/> for tcpdump to exit by itself (its packet count reached), else ends it; returns every captured frame.</summary>
    public IReadOnlyList<byte[]> Stop(TimeSpan? settle = null)
    {
        if (!_process.WaitForExit(settle ?? TimeSpan.FromMilliseconds(500)))
        {
            // SIGINT lets tcpdump flush and close the file (it wrote with -U, so even a kill loses little).
            _ = ShellCommand.TryRun("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], out _, out _);
            if (!_process.WaitForExit(TimeSpan.FromSeconds(5))) _process.Kill();
        }
        return Read(_file);
    }

    /// <summary>The frames of a pcap file (microsecond or nanosecond, either byte order).</summary>
    public static IReadOnlyList<byte[]> Read(string path)
    {
        var bytes = File.Exists(path) ? File.ReadAllBytes(path) : [];
        var frames = new List<byte[]>();
        if (bytes.Length < 24) return frames;
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        bool little = magic is 0xa1b2c3d4 or 0xa1b23c4d;
        uint Read32(int offset) => little ? BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset)) : BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(offset));
        for (int offset = 24; offset + 16 <= bytes.Length;)
        {
            int captured = (int)Read32(offset + 8);
            if (offset + 16 + captured > bytes.Length) break;
            frames.Add(bytes.AsSpan(offset + 16, captured).ToArray());
            offset += 16 + captured;
        }
        return frames;
    }

    /// <summary>Kills tcpdump if it still runs and deletes the file.</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        _process.Dispose();
        if (File.Exists(_file)) File.Delete(_file);
    }
}
