using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using AofSim.Engine.Server;

namespace AofSim.Blackbox.Targets;

/// <summary>
/// Microsoft Garnet (the <c>garnet-server</c> dotnet tool, pinned in the repository's local tool
/// manifest <c>.config/dotnet-tools.json</c>) with its AOF on: <c>--aof --recover</c> on the
/// directory (<c>--checkpointdir</c>: Garnet keeps the AOF of db 0 in <c>AOF/</c> and of db i in
/// <c>AOF_i/</c>, each a Tsavorite log, <c>aof.log.N</c> segments and <c>log-commits/</c>), the
/// policy mapped to Garnet's commit settings (<see cref="CommitArguments"/>), the managed
/// <c>RandomAccess</c> device. Garnet has no repair tool, and its AOF is not Redis's format, so the
/// engine's loader is not compared with it.
/// </summary>
public sealed partial class GarnetTarget : BlackboxTarget
{
    /// <summary>The tool's package id and command name in the manifest.</summary>
    public const string ToolId = "garnet-server";

    /// <summary>A Garnet target run by <paramref name="command"/> (the program and its leading arguments, e.g. <c>dotnet …/GarnetServer.dll</c>).</summary>
    public GarnetTarget(IReadOnlyList<string> command, string? version, bool skipSets = false)
    {
        if (command.Count == 0)
        {
            throw new ArgumentException("no garnet-server command", nameof(command));
        }

        Command = command;
        Version = version;
        SkipSets = skipSets;
    }

    /// <summary>The program and leading arguments that run garnet-server.</summary>
    public IReadOnlyList<string> Command { get; }

    /// <summary>The tool's version from the manifest (null for an explicit <c>--garnet</c> path).</summary>
    public string? Version { get; }

    /// <summary>Sets left out of the comparison (<c>--skip-sets</c>): Garnet replays SPOP at random (docs/blackbox.md).</summary>
    public bool SkipSets { get; }

    /// <inheritdoc/>
    public override string Name => "garnet";

    /// <inheritdoc/>
    public override string Describe => $"garnet {Version ?? "(" + string.Join(' ', Command) + ")"}, device RandomAccess{(SkipSets ? ", sets not compared" : string.Empty)}";

    /// <inheritdoc/>
    public override bool ComparesSets => !SkipSets;

    /// <inheritdoc/>
    public override Regex Ready => ReadyLine();

    /// <summary>
    /// Garnet's commit settings for <paramref name="policy"/> (its docs: getting-started/configuration.md,
    /// welcome/compatibility.md item 5): <c>always</c> = a commit per operation
    /// (<c>--aof-commit-freq 0</c>) and the reply waits for it (<c>--aof-commit-wait</c>);
    /// <c>everysec</c> = a commit issued every 1000 ms, replies not waiting; <c>no</c> = Garnet's
    /// default, a commit issued per operation but not waited for.
    /// </summary>
    public static IReadOnlyList<string> CommitArguments(AppendFsync policy) => policy switch
    {
        AppendFsync.Always => ["--aof-commit-freq", "0", "--aof-commit-wait"],
        AppendFsync.Everysec => ["--aof-commit-freq", "1000"],
        _ => ["--aof-commit-freq", "0"],
    };

    /// <inheritdoc/>
    /// <remarks>
    /// <c>--device-type RandomAccess</c>: Garnet's default device on x64 Linux is the native libaio
    /// one, which needs <c>libaio.so.1</c> (not installed on a bare Debian 12, where it fails at
    /// the first write); RandomAccess is its managed device (pwrite through .NET). The memory
    /// sizes are cut from Garnet's defaults (a 16 GiB log, 128 MiB of AOF buffer per db) to fit a
    /// shared 2-core machine; they change no commit path.
    /// </remarks>
    public override TargetLaunch Launch(string dir, int port, AppendFsync policy) => new(Command[0],
    [
        .. Command.Skip(1), "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--checkpointdir", dir,
        "--aof", "--recover", .. CommitArguments(policy), "--device-type", "RandomAccess", "--max-databases", "16",
        "--memory", "64m", "--page", "1m", "--index", "1m", "--aof-memory", "8m", "--aof-page-size", "2m",
    ]);

    /// <inheritdoc/>
    public override long LossWindowMs(AppendFsync policy, bool powerLoss) => Promises.GarnetLossWindowMs(policy, powerLoss);

    /// <inheritdoc/>
    public override string Promise(AppendFsync policy) => Promises.GarnetPromise(policy);

    /// <inheritdoc/>
    public override (byte[]? Aof, string? Why) SingleAof(string dir) => (null, "Garnet's AOF is a Tsavorite log per db, not Redis's format: not compared");

    /// <summary>
    /// The garnet-server to run: <paramref name="explicitPath"/> when given (a <c>.dll</c> is run
    /// with dotnet, anything else as a program), else the version pinned in the first
    /// <c>.config/dotnet-tools.json</c> found from <paramref name="startDirectories"/> upwards,
    /// restored in the NuGet packages folder <paramref name="packagesRoot"/> (where
    /// <c>dotnet tool restore</c> puts it). Null with the reason in one line when there is none.
    /// </summary>
    public static (GarnetTarget? Target, string? Why) Locate(string? explicitPath, IEnumerable<string> startDirectories, string packagesRoot, bool skipSets = false)
    {
        if (explicitPath is not null)
        {
            if (!File.Exists(explicitPath))
            {
                return (null, $"--garnet {explicitPath}: no such file");
            }

            string full = Path.GetFullPath(explicitPath);
            return (new GarnetTarget(full.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? [DotnetHost(), full] : [full], null, skipSets), null);
        }

        string? manifest = startDirectories.Select(FindManifest).FirstOrDefault(m => m is not null);
        if (manifest is null)
        {
            return (null, "garnet-server is not installed: no .config/dotnet-tools.json here or above (give --garnet PATH)");
        }

        string? version;
        try
        {
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(manifest));
            version = doc.RootElement.TryGetProperty("tools", out JsonElement tools) && tools.TryGetProperty(ToolId, out JsonElement tool)
                && tool.TryGetProperty("version", out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        }
        catch (JsonException e)
        {
            return (null, $"{manifest} is not a tool manifest: {e.Message}");
        }

        if (version is null || version.Contains('/', StringComparison.Ordinal) || version.Contains("..", StringComparison.Ordinal))
        {
            return (null, $"garnet-server is not installed: {manifest} does not list it (dotnet tool install garnet-server, or give --garnet PATH)");
        }

        string package = Path.Combine(packagesRoot, ToolId, version.ToLowerInvariant(), "tools");
        string? entry = Directory.Exists(package)
            ? Directory.EnumerateFiles(package, "DotnetToolSettings.xml", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(EntryPoint).FirstOrDefault(e => e is not null)
            : null;
        return entry is null
            ? (null, $"garnet-server {version} is in {manifest} but not restored under {packagesRoot} (run dotnet tool restore, or give --garnet PATH)")
            : (new GarnetTarget([DotnetHost(), entry], version, skipSets), null);
    }

    /// <summary>The installed garnet-server (<see cref="Locate"/> from the current directory and this program's, in the default NuGet folder), or null.</summary>
    public static GarnetTarget? Find() => Locate(null, [Environment.CurrentDirectory, AppContext.BaseDirectory], PackagesRoot()).Target;

    /// <summary>NuGet's global packages folder: <c>NUGET_PACKAGES</c>, else <c>~/.nuget/packages</c>.</summary>
    public static string PackagesRoot() => Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p
        ? p
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    // The dotnet CLI looks for .config/dotnet-tools.json (or dotnet-tools.json) from the current
    // directory up to the root; so does this.
    private static string? FindManifest(string start)
    {
        for (DirectoryInfo? d = new(start); d is not null; d = d.Parent)
        {
            foreach (string candidate in new[] { Path.Combine(d.FullName, ".config", "dotnet-tools.json"), Path.Combine(d.FullName, "dotnet-tools.json") })
            {
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    // DotnetToolSettings.xml names the command's dll: <Command Name="garnet-server" EntryPoint="GarnetServer.dll" Runner="dotnet" />.
    private static string? EntryPoint(string settings)
    {
        try
        {
            XElement? command = XDocument.Load(settings).Descendants("Command").FirstOrDefault(c => (string?)c.Attribute("Name") == ToolId);
            string? dll = (string?)command?.Attribute("EntryPoint");
            if (dll is null || dll.Contains("..", StringComparison.Ordinal) || Path.IsPathRooted(dll))
            {
                return null;
            }

            string path = Path.Combine(Path.GetDirectoryName(settings)!, dll);
            return File.Exists(path) ? path : null;
        }
        catch (System.Xml.XmlException)
        {
            return null;
        }
    }

    private static string DotnetHost() => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    // Garnet prints "* Ready to accept connections" once recovery is done and it listens.
    [GeneratedRegex("Ready to accept connections")]
    private static partial Regex ReadyLine();
}
