namespace Sluice.Programs.TrafficGen;

/// <summary>Why the generator refused to run.</summary>
public enum TrafficGenError
{
    /// <summary>A source or destination outside 198.18.0.0/15 and fd00::/8 without <see cref="TrafficGenOptions.AllowAnyAddress"/>.</summary>
    AddressNotAllowed,
    /// <summary>Neither a packet count nor a duration bounds the run.</summary>
    Unbounded,
    /// <summary>Source and destination are different address families.</summary>
    MixedAddressFamilies,
    /// <summary>The frame size is outside what the protocol and an Ethernet MTU allow.</summary>
    FrameSize,
    /// <summary>A malformed address, range, port or MAC address.</summary>
    BadValue,
    /// <summary>The destination's MAC address is not in the neighbour table and could not be resolved.</summary>
    NoDestinationMac,
    /// <summary>The interface has no address of the destination's family to send from.</summary>
    NoSourceAddress,
    /// <summary>Live frames (BPF_F_TEST_XDP_LIVE_FRAMES, Linux 5.18) were demanded and the kernel lacks them.</summary>
    LiveFramesUnsupported,
    /// <summary>Live frames were demanded and the device loses XDP frames (a veth whose peer has no XDP program or GRO).</summary>
    XdpFramesDropped,
}

/// <summary>The generator's options cannot be run as given; <see cref="Error"/> says why.</summary>
public sealed class TrafficGenException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TrafficGenException(TrafficGenError error, string message, Exception? inner = null) : base(message, inner) => Error = error;

    /// <summary>Creates an exception with a generic message.</summary>
    public TrafficGenException() : base("the traffic generator refused its options") { }

    /// <summary>Creates an exception with a message.</summary>
    public TrafficGenException(string message) : base(message) { }

    /// <summary>Creates an exception with a message and cause.</summary>
    public TrafficGenException(string message, Exception? inner) : base(message, inner) { }

    /// <summary>Why.</summary>
    public TrafficGenError Error { get; }
}
