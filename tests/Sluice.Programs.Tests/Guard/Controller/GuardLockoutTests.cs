using Sluice.Bpf;
using Sluice.Programs.Guard;
using Xunit;

namespace Sluice.Programs.Tests.Guard.Controller;

/// <summary>SSH_CONNECTION is process-wide: these tests run alone, after the parallel ones.</summary>
[CollectionDefinition(nameof(SshEnvironment), DisableParallelization = true)]
public sealed class SshEnvironment;

/// <summary>The lock-out guard refuses changes that would drop the SSH session, unless forced (kernel tests).</summary>
[Collection(nameof(SshEnvironment))]
public sealed class GuardLockoutTests
{
    private static List<GuardRule> Parse(params string[] texts) => [.. texts.Select(t => GuardRule.Parse(t))];

    [Fact]
    public void Changes_that_drop_the_ssh_client_are_refused_unless_forced()
    {
        Sluice.Tests.Requires.Root();
        using var bed = new GuardTargetBed();
        using var guard = GuardController.Attach(bed.Target, new GuardAttachOptions { Mode = XdpMode.Generic });
        guard.LockoutInAnyNamespace = true;
        string? savedConnection = Environment.GetEnvironmentVariable("SSH_CONNECTION");
        string? savedClient = Environment.GetEnvironmentVariable("SSH_CLIENT");
        try
        {
            Environment.SetEnvironmentVariable("SSH_CONNECTION", "198.18.0.1 50022 198.18.0.2 22");
            Environment.SetEnvironmentVariable("SSH_CLIENT", null);

            var add = Assert.Throws<GuardLockoutException>(() => guard.AddRules(Parse("deny 198.18.0.0/24")));
            Assert.Equal("refused: adding these rules would drop your SSH session (198.18.0.1 to TCP port 22) by rule 'deny 198.18.0.0/24'",
                add.Message);
            Assert.Equal(GuardFailure.Lockout, add.Reason);
            Assert.Throws<GuardLockoutException>(() => guard.AddRules(Parse("deny 198.18.0.1 tcp/22")));
            Assert.Empty(guard.Rules());

            // A more specific allow keeps the session; a deny of another port does not touch it.
            guard.AddRules(Parse("allow 198.18.0.1 tcp/22", "deny 198.18.0.0/24", "deny 198.18.0.0/16 tcp/80"));
            var remove = guard.RemoveRules(Parse("allow 198.18.0.1 tcp/22"));
            Assert.Equal(1, remove.Removed); // removing is never refused; it can only make things more open or fall back
            guard.RemoveRules(Parse("deny 198.18.0.0/24"));

            var drop = new GuardSettings { Default = GuardVerdict.Drop };
            var settings = Assert.Throws<GuardLockoutException>(() => guard.UpdateSettings(drop));
            Assert.Contains("by the default drop verdict", settings.Message, StringComparison.Ordinal);
            guard.AddRules(Parse("allow 198.18.0.0/24"));
            guard.UpdateSettings(drop);

            var apply = Assert.Throws<GuardLockoutException>(() => guard.Apply(guard.Plan(GuardConfig.Parse("{ \"default\": \"drop\" }"))));
            Assert.StartsWith("refused: this configuration would drop", apply.Message, StringComparison.Ordinal);
            var import = Assert.Throws<GuardLockoutException>(() => guard.Import(Parse("deny 198.18.0.1 tcp")));
            Assert.StartsWith("refused: this import would drop", import.Message, StringComparison.Ordinal);

            guard.AddRules(Parse("deny 198.18.0.1"), force: true);
            Assert.Contains(guard.Rules(), r => r.Rule.ToString() == "deny 198.18.0.1/32");

            // Without the test switch a guard in another namespace cannot carry this process's SSH session.
            guard.LockoutInAnyNamespace = false;
            guard.Apply(guard.Plan(GuardConfig.Parse("{ \"default\": \"drop\" }")));
        }
        finally
        {
            Environment.SetEnvironmentVariable("SSH_CONNECTION", savedConnection);
            Environment.SetEnvironmentVariable("SSH_CLIENT", savedClient);
        }
    }
}
