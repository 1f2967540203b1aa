namespace Sluice.Bpf.Tests.Tracing;

/// <summary>The kernel frees a released link from a workqueue: waits (bounded) until its id is gone.</summary>
internal static class LinkRelease
{
    internal static void WaitUntilGone(uint linkId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (BpfLinkInfo.FromId(linkId) is not null)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"link {linkId} still exists 20 s after its last pin and fd went");
            Thread.Sleep(20);
        }
    }
}
