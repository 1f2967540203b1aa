namespace Sluice.Lab;

/// <summary>
/// The common two-host bed of kernel tests and benchmarks: a <see cref="LabNetwork"/> of two namespaces joined by a
/// veth pair:
/// <list type="bullet">
/// <item>namespace <see cref="SenderNamespace"/> with interface <see cref="SenderInterface"/> (02:00:00:00:00:01),
/// addresses 198.18.0.1/24 and 198.18.0.3/24 (a second source) and fd00::1/64;</item>
/// <item>namespace <see cref="ReceiverNamespace"/> with interface <see cref="ReceiverInterface"/> (02:00:00:00:00:02),
/// addresses 198.18.0.2/24 and fd00::2/64.</item>
/// </list>
/// Neighbour entries are permanent, so no ARP or neighbour discovery races the first packets. Names are unique per
/// process and instance; <see cref="Dispose"/> deletes both namespaces (which destroys the veth pair and every
/// attachment on it) even after a failed setup, and construction sweeps namespaces left by crashed test processes.
/// For other shapes (three namespaces, several links) build a <see cref="LabNetwork"/> directly.
/// </summary>
public sealed class VethNamespaces : IDisposable
{
    /// <summary>Prefix of every namespace these fixtures create.</summary>
    public const string Prefix = "sluice-t";

    /// <summary>The sender's primary address.</summary>
    public const string SenderAddress = "198.18.0.1";
    /// <summary>The sender's second address, used as a second packet source.</summary>
    public const string SenderSecondAddress = "198.18.0.3";
    /// <summary>The receiver's address.</summary>
    public const string ReceiverAddress = "198.18.0.2";
    /// <summary>The sender's IPv6 address.</summary>
    public const string SenderAddress6 = "fd00::1";
    /// <summary>The receiver's IPv6 address.</summary>
    public const string ReceiverAddress6 = "fd00::2";
    /// <summary>The sender's MAC address.</summary>
    public const string SenderMac = "02:00:00:00:00:01";
    /// <summary>The receiver's MAC address.</summary>
    public const string ReceiverMac = "02:00:00:00:00:02";

    private readonly LabNetwork _network;

    /// <summary>Creates the namespaces and the veth pair; cleans up everything if any step fails.</summary>
    public VethNamespaces()
    {
        _network = new LabNetwork(Prefix);
        try
        {
            Sender = _network.AddNamespace("a");
            Receiver = _network.AddNamespace("b");
            _network.Connect(
                new VethEnd(Sender, SenderInterface, SenderMac, SenderAddress + "/24", SenderSecondAddress + "/24", SenderAddress6 + "/64"),
                new VethEnd(Receiver, ReceiverInterface, ReceiverMac, ReceiverAddress + "/24", ReceiverAddress6 + "/64"));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The sending side.</summary>
    public LabNamespace Sender { get; } = null!;

    /// <summary>The receiving side.</summary>
    public LabNamespace Receiver { get; } = null!;

    /// <summary>The sending side's namespace name (/var/run/netns/NAME).</summary>
    public string SenderNamespace => Sender.Name;

    /// <summary>The receiving side's namespace name.</summary>
    public string ReceiverNamespace => Receiver.Name;

    /// <summary>The veth end in the sender namespace.</summary>
    public string SenderInterface => "sl-send";

    /// <summary>The veth end in the receiver namespace.</summary>
    public string ReceiverInterface => "sl-recv";

    /// <summary>Runs a tool inside the sender namespace.</summary>
    public string InSender(params string[] command) => Sender.Run(command);

    /// <summary>Runs a tool inside the receiver namespace.</summary>
    public string InReceiver(params string[] command) => Receiver.Run(command);

    /// <summary>Runs <paramref name="command"/> in namespace <paramref name="name"/> without remounting /sys.</summary>
    public static string Nsenter(string name, params string[] command) => LabNamespace.Nsenter(name, command);

    /// <summary>Deletes both namespaces (and with them the veth pair and its attachments).</summary>
    public void Dispose() => _network.Dispose();

    /// <summary>True when namespace <paramref name="name"/> still exists.</summary>
    public static bool Exists(string name) => LabNamespace.Exists(name);
}
