using Sluice.Tests;
using Xunit;

namespace Sluice.Cli.Tests.Guard;

/// <summary>Every mistake: exactly one "error:" line on stderr, exit 1, and the guard's state exactly as before.</summary>
public class GuardBadInputTests
{
    [Fact]
    public void Bad_input_fails_with_one_line_and_changes_nothing()
    {
        Requires.Root();
        using var guard = new GuardTestTarget();
        guard.Attach();
        guard.Succeeds("deny", "198.19.0.0/16");
        guard.Succeeds("allow", "198.18.1.0/24");
        guard.Succeeds("limit", "--pps", "500", "--burst", "50");
        string before = guard.Snapshot();
        string dir = Directory.CreateTempSubdirectory("sluice-guard-cli-").FullName;
        try
        {
            void Fails(string expected, string verb, params string[] arguments)
            {
                string line = guard.FailsWithOneLine(verb, arguments);
                Assert.Contains(expected, line, StringComparison.Ordinal);
                Assert.Equal(before, guard.Snapshot());
            }

            Fails("198.18.0.0/16", "deny", "198.18.0.1/16");
            Fails("300.1.1.1", "deny", "300.1.1.1");
            Fails("::/129", "deny", "::/129");
            Fails("::/129", "deny", "198.20.0.0/16", "::/129");
            Fails("--port needs --proto", "deny", "198.20.0.0/16", "--port", "80");
            Fails("port", "deny", "198.20.0.0/16", "--proto", "icmp", "--port", "80");
            Fails("port", "deny", "198.20.0.0/16 icmp/80");
            Fails("65536", "deny", "198.20.0.0/16", "--proto", "tcp", "--port", "65536");
            Fails("allow rule", "deny", "allow 198.20.0.0/16");
            Fails("twice", "deny", "198.20.0.0/16", "198.20.0.0/16");
            Fails("--pps", "limit", "--pps", "lots");
            Fails("--default", "limit", "--pps", "10", "--default", "maybe");
            // serve's address: IPv6 needs brackets ("::1" alone would read as port 0), and the interval must be positive.
            Fails("--metrics: '::1' is not ADDRESS:PORT or PORT", "serve", "--metrics", "::1");
            Fails("--metrics: 'localhost:9469'", "serve", "--metrics", "localhost:9469");
            Fails("--interval", "serve", "--metrics", "0", "--interval", "0");
            Fails("--suspicious", "limit", "--suspicious", "fragment,odd");

            // Conflicts: the same prefix and scope both allowed and denied.
            string conflict = Path.Combine(dir, "conflict.json");
            File.WriteAllText(conflict, "{\n  \"allow\": [\"198.20.0.0/16\"],\n  \"deny\": [\"198.20.0.0/16\"]\n}\n");
            Fails("198.20.0.0/16", "apply", conflict);

            // Config files with errors name the file and the line.
            string badCidr = Path.Combine(dir, "bad-cidr.json");
            File.WriteAllText(badCidr, "{\n  \"limits\": { \"pps\": 100 },\n  \"deny\": [\"198.19.0.1/16\"]\n}\n");
            Fails($"{badCidr}:3", "apply", badCidr);
            string badJson = Path.Combine(dir, "bad-json.json");
            File.WriteAllText(badJson, "{\n  \"limits\": { \"pps\": 100 },\n  \"deny\": [\"198.19.0.0/16\",\n}\n");
            Fails($"{badJson}:", "apply", badJson);
            string badField = Path.Combine(dir, "bad-field.json");
            File.WriteAllText(badField, "{\n  \"limits\": {\n    \"pps\": -5\n  }\n}\n");
            Fails($"{badField}:3", "apply", badField);
            Fails("no-such-config.json", "apply", Path.Combine(dir, "no-such-config.json"));

            // Import files: the bad line is named and nothing of the file is imported.
            string import = Path.Combine(dir, "import.txt");
            File.WriteAllText(import, "# blocklist\n198.20.0.0/16\n\n198.21.0.1/16\n");
            Fails($"{import}:4", "import", import);

            // Unknown interface and namespace (attach takes DEV itself; it must not create a guard).
            string line = CliAssert.FailsWithOneLine("guard", "attach", "nosuch0", "--netns", guard.Namespace);
            Assert.Contains("nosuch0", line, StringComparison.Ordinal);
            Assert.False(Directory.Exists($"/sys/fs/bpf/sluice/guard/{guard.Namespace}/nosuch0"));
            line = CliAssert.FailsWithOneLine("guard", "attach", "va", "--netns", "sluice-no-such-netns");
            Assert.Contains("sluice-no-such-netns", line, StringComparison.Ordinal);
            line = CliAssert.FailsWithOneLine("guard", "rules", "--dev", "va", "--netns", "sluice-no-such-netns");
            Assert.Contains("sluice-no-such-netns", line, StringComparison.Ordinal);
            line = CliAssert.FailsWithOneLine("guard", "attach", "va", "--netns", guard.Namespace, "--mode", "warp");
            Assert.Contains("warp", line, StringComparison.Ordinal);
            line = CliAssert.FailsWithOneLine("guard", "rules", "--dev", "vb", "--netns", guard.Namespace);
            Assert.Contains("vb", line, StringComparison.Ordinal);
            Assert.Equal(before, guard.Snapshot());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
