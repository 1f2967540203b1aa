namespace Sluice.Bpf;

/// <summary>Which way packets flow through a TC hook.</summary>
public enum TcDirection
{
    /// <summary>Packets arriving on the interface.</summary>
    Ingress,
    /// <summary>Packets leaving through the interface.</summary>
    Egress,
}
