using Sluice.Programs.Guard;
using Sluice.Tests;

namespace Sluice.Programs.Tests.Guard.Controller;

/// <summary>
/// A veth pair in two throwaway namespaces and a guard target on the receiver's end whose pins live under a unique
/// root (/sys/fs/bpf/sluice-test-*/guard); dispose detaches and removes everything, also after a failed test.
/// </summary>
internal sealed class GuardTargetBed : IDisposable
{
    private readonly TestPinDirectory _pins;

    internal GuardTargetBed()
    {
        Requires.Root();
        _pins = new TestPinDirectory();
        try
        {
            Veth = new VethNamespaces();
            Target = new GuardTarget(Veth.ReceiverInterface, Veth.ReceiverNamespace) { Root = _pins.Path + "/guard" };
        }
        catch
        {
            Veth?.Dispose();
            _pins.Dispose();
            throw;
        }
    }

    internal VethNamespaces Veth { get; } = null!;

    internal GuardTarget Target { get; }

    internal string Root => Target.Root;

    public void Dispose()
    {
        try
        {
            GuardController.Detach(Target);
        }
        catch (GuardException)
        {
            // The namespaces go next and take the links with them; the pin directory goes after.
        }
        finally
        {
            Veth.Dispose();
            _pins.Dispose();
        }
    }
}
