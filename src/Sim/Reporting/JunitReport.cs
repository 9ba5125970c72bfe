using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace AofSim.Sim.Reporting;

/// <summary>
/// A campaign as JUnit XML, the common Ant/Jenkins shape every CI system reads:
/// <c>testsuites</c> → one <c>testsuite</c> per property the simulator checks → <c>testcase</c>s.
/// A property that held on every seed is one passing test case (<c>seeds A..B</c>); a property
/// that was violated has one failing test case per violation (<c>seed N event E</c>), whose
/// <c>failure</c> carries the detail and the replay command. So the failure count is the
/// violation count, every test case has at most one failure (as the schema allows), and the file
/// is valid (all passing) when nothing was violated.
/// </summary>
public static class JunitReport
{
    /// <summary>The report as an XML document.</summary>
    public static XDocument Build(CampaignReport report)
    {
        string range = string.Create(CultureInfo.InvariantCulture, $"seeds {report.First}..{report.Last}");
        string seconds = report.Seconds.ToString("F3", CultureInfo.InvariantCulture);
        var suites = new List<XElement>();
        foreach (string property in CampaignReport.PropertyNames)
        {
            List<ReportedViolation> violated = [.. report.Violations.Where(v => v.Property == property)];
            var cases = new List<XElement>();
            if (violated.Count == 0)
            {
                cases.Add(new XElement("testcase", new XAttribute("classname", $"aofsim.{property}"), new XAttribute("name", range)));
            }

            foreach (ReportedViolation v in violated)
            {
                string body = string.Create(CultureInfo.InvariantCulture, $"seed={v.Seed} policy={v.Policy} fs={v.Fs} event={v.Event} t=+{v.TimeMs}ms\n{v.Detail}\nreplay: {v.Replay}\n");
                cases.Add(new XElement(
                    "testcase",
                    new XAttribute("classname", $"aofsim.{property}"),
                    new XAttribute("name", string.Create(CultureInfo.InvariantCulture, $"seed {v.Seed} event {v.Event}")),
                    new XElement("failure", new XAttribute("type", property), new XAttribute("message", XmlSafe(v.Detail)), XmlSafe(body))));
            }

            suites.Add(new XElement(
                "testsuite",
                new XAttribute("name", $"aofsim.{property}"),
                new XAttribute("tests", cases.Count),
                new XAttribute("failures", violated.Count),
                new XAttribute("errors", 0),
                new XAttribute("skipped", 0),
                new XAttribute("time", seconds),
                new XElement("properties", Properties(report)),
                cases,
                new XElement("system-out"),
                new XElement("system-err")));
        }

        return new XDocument(
            new XDeclaration("1.0", "utf-8", null),
            new XElement(
                "testsuites",
                new XAttribute("name", $"aofsim run {range}"),
                new XAttribute("tests", suites.Sum(s => (int)s.Attribute("tests")!)),
                new XAttribute("failures", report.Violations.Count),
                new XAttribute("errors", 0),
                new XAttribute("skipped", 0),
                new XAttribute("time", seconds),
                suites));
    }

    /// <summary>Writes the report to <paramref name="path"/> (UTF-8, indented), creating its directory.</summary>
    public static void Write(string path, CampaignReport report)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }

        using var w = XmlWriter.Create(path, new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) });
        Build(report).Save(w);
    }

    private static IEnumerable<XElement> Properties(CampaignReport report)
    {
        (string Name, string Value)[] all =
        [
            ("seeds", string.Create(CultureInfo.InvariantCulture, $"{report.First}..{report.Last}")),
            ("options", report.Options.Flags),
            ("events", report.Events.ToString(CultureInfo.InvariantCulture)),
            ("crashes", report.Crashes.ToString(CultureInfo.InvariantCulture)),
            ("traceHash", report.TraceHash),
        ];
        return all.Select(p => new XElement("property", new XAttribute("name", p.Name), new XAttribute("value", p.Value)));
    }

    // A violation's detail may quote dataset bytes; characters XML 1.0 cannot carry (NUL and
    // other controls) are written as \xNN so the file stays well-formed.
    private static string XmlSafe(string s)
    {
        if (s.All(c => XmlConvert.IsXmlChar(c) || char.IsSurrogate(c)))
        {
            return s;
        }

        var b = new StringBuilder(s.Length);
        foreach (char c in s)
        {
            b.Append(XmlConvert.IsXmlChar(c) || char.IsSurrogate(c) ? c.ToString() : string.Create(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}"));
        }

        return b.ToString();
    }
}
