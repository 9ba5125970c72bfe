using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace AofSim.Scenarios.Cli;

/// <summary>
/// The aofsim program run as a process, as a user runs it: the tests reference the libraries,
/// not the executable, so the command line is tested end to end through <c>dotnet aofsim.dll</c>
/// (the program's build output, whose path the test project records at build time).
/// </summary>
internal static class AofsimProcess
{
    /// <summary>The built aofsim.dll (src/Aofsim's output for this configuration).</summary>
    public static string Dll { get; } = typeof(AofsimProcess).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "AofsimDll").Value!;

    /// <summary>A start record for <c>dotnet aofsim.dll ARGS</c> with both streams redirected.</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        psi.ArgumentList.Add(Dll);
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        // The program's runtime settings are tuned for long campaigns (no quick JIT, a GC heap
        // per core); a test's short run starts faster and lighter without them.
        psi.Environment["DOTNET_TC_QuickJit"] = "1";
        psi.Environment["DOTNET_gcServer"] = "0";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return psi;
    }

    /// <summary>Runs <c>aofsim ARGS</c> to completion and returns its exit code and both streams.</summary>
    public static (int Exit, string Stdout, string Stderr) Capture(params string[] args) => CaptureWith(new Dictionary<string, string?>(), args);

    /// <summary>
    /// <see cref="Capture"/> with environment variables set (a null value removes the variable),
    /// e.g. GITHUB_ACTIONS for the CI reports.
    /// </summary>
    public static (int Exit, string Stdout, string Stderr) CaptureWith(IReadOnlyDictionary<string, string?> env, params string[] args)
    {
        ProcessStartInfo psi = StartInfo(args);
        foreach ((string name, string? value) in env)
        {
            if (value is null)
            {
                psi.Environment.Remove(name);
            }
            else
            {
                psi.Environment[name] = value;
            }
        }

        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        Task<string> err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output, err.GetAwaiter().GetResult());
    }

    /// <summary>Runs <c>aofsim ARGS</c> to completion; its output goes to the writers given.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        (int exit, string output, string error) = Capture(args);
        stdout.Write(output);
        stderr.Write(error);
        return exit;
    }
}
