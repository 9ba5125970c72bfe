using System.Diagnostics;
using System.Text.RegularExpressions;

namespace AofSim.Scenarios.Cli;

/// <summary>
/// <c>aofsim replay FILE --html PAGE</c> on the #7 everysec-tail case, and the page as a real
/// browser draws it: headless Chromium runs the page's script and dumps the DOM it built.
/// </summary>
public sealed class ReplayHtmlBrowserTests
{
    private static readonly string Case7 = Path.Combine(AppContext.BaseDirectory, "Simulation", "Cases", "redis26-7-everysec-tail.json");

    private static string WritePage(string name)
    {
        string page = Path.Combine(Path.GetTempPath(), $"aofsim-{name}-{Environment.ProcessId}.html");
        (int exit, string stdout, string stderr) = AofsimProcess.Capture("replay", Case7, "--html", page);
        Assert.True(exit == 1, $"exit {exit}: {stderr}");
        Assert.Contains("VIOLATION durability seed=2", stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(page));
        return page;
    }

    [ChromiumFact]
    public void ChromiumDrawsTheViolationAndThePowerLossOfTheEverysecTailCase()
    {
        string page = WritePage("timeline-7");
        string profile = Path.Combine(Path.GetTempPath(), $"aofsim-chromium-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            string html = File.ReadAllText(page);

            // The static page holds no timeline: whatever the DOM shows, the page's script built.
            Assert.DoesNotContain("id=\"violation\"", html, StringComparison.Ordinal);
            Assert.DoesNotContain("k-power-loss\"", html, StringComparison.Ordinal);

            string dom = DumpDom(page, profile);
            Assert.Contains("data-built=\"1\"", dom, StringComparison.Ordinal);

            // The violation, with what the model expected and what was recovered.
            Match violation = Regex.Match(dom, "<section class=\"violation\" id=\"violation\">(.*?)</section>", RegexOptions.Singleline);
            Assert.True(violation.Success, "no violation section in the rendered DOM");
            Assert.Contains("VIOLATION durability at event 1", violation.Value, StringComparison.Ordinal);
            Assert.Contains("<li class=\"lost\">0|s:0|string|-1|bb</li>", violation.Value, StringComparison.Ordinal);
            Assert.Contains("What was recovered (found) (0 lines", violation.Value, StringComparison.Ordinal);

            // The power loss: its marker in the power lane, its line across the lanes, and the
            // AOF's sizes then: the 53 bytes written only in the page cache, none durable.
            Assert.Matches(new Regex("<div class=\"lane\" data-lane=\"power\">.*?<div class=\"ev k-power-loss\"[^>]*><span>\u26a1 power loss</span>", RegexOptions.Singleline), dom);
            Assert.Contains("vline powerloss-line", dom, StringComparison.Ordinal);
            Assert.Contains("vline violation-line", dom, StringComparison.Ordinal);
            Assert.Contains("the AOF had 53 B in the page cache, 0 B durable", dom, StringComparison.Ordinal);

            // The filter (here from the page's address): the power loss stays lit, the rest dims.
            string filtered = DumpDom(page, profile, "#filter=power&zoom=30");
            Assert.Matches(new Regex("<div class=\"ev k-power-loss\"[^>]*><span>"), filtered);
            Assert.Matches(new Regex("<div class=\"ev k-cmd dim\"[^>]*><span>cmd db=0 SET s:0 bb</span>"), filtered);
            Assert.Contains("30 px/event", filtered, StringComparison.Ordinal);
            Assert.Matches(new Regex(@">1 of \d+ match<"), filtered);

            // Every lane is drawn.
            foreach (string lane in new[] { "client", "aof-buffer", "parent", "background", "child", "disk", "faults", "power", "checks", "log" })
            {
                Assert.Contains($"data-lane=\"{lane}\"", dom, StringComparison.Ordinal);
            }
        }
        finally
        {
            File.Delete(page);
            if (Directory.Exists(profile))
            {
                Directory.Delete(profile, recursive: true);
            }
        }
    }

    [Fact]
    public void APageThatCannotBeWrittenIsAOneLineError()
    {
        (int exit, _, string stderr) = AofsimProcess.Capture("replay", Case7, "--html", Path.Combine(Path.GetTempPath(), "no-such-dir-aofsim", "x.html"));
        Assert.Equal(2, exit);
        Assert.StartsWith("aofsim: cannot write ", Assert.Single(stderr.Trim().Split('\n')), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    // chromium --dump-dom: the DOM after the page's script ran, on stdout.
    private static string DumpDom(string page, string profile, string fragment = "")
    {
        var psi = new ProcessStartInfo(ChromiumBinary.Path!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in new[] { "--headless=new", "--no-sandbox", "--disable-gpu", $"--user-data-dir={profile}", "--dump-dom", new Uri(page).AbsoluteUri + fragment })
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        Task<string> err = p.StandardError.ReadToEndAsync();
        Task<string> output = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail("chromium --dump-dom did not finish in 120 s");
        }

        string dom = output.GetAwaiter().GetResult();
        Assert.True(p.ExitCode == 0 && dom.Length > 0, $"chromium exit {p.ExitCode}: {err.GetAwaiter().GetResult()}");
        return dom;
    }
}
