using System.Globalization;
using System.Text.RegularExpressions;
using AofSim.Engine.Server;

namespace AofSim.Blackbox.Targets;

/// <summary>
/// Any other server (a port in another language): <c>--target-cmd 'CMD {port} {dir}'</c> with
/// <c>{policy}</c> optional, split on spaces (no shell: SIGKILL must reach the server), and
/// <c>--ready REGEX</c> for its ready line. It is held to Redis's promise for the policy.
/// </summary>
public sealed class CommandTarget : BlackboxTarget
{
    private readonly string[] words;

    /// <summary>A target from a command template and a ready pattern.</summary>
    public CommandTarget(string template, Regex ready)
    {
        words = template.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
        {
            throw new ArgumentException("--target-cmd is empty");
        }

        if (!template.Contains("{port}", StringComparison.Ordinal) || !template.Contains("{dir}", StringComparison.Ordinal))
        {
            throw new ArgumentException("--target-cmd must contain {port} and {dir}");
        }

        Template = template;
        Ready = ready;
    }

    /// <summary>The command template.</summary>
    public string Template { get; }

    /// <inheritdoc/>
    public override string Name => "cmd";

    /// <inheritdoc/>
    public override string Describe => $"command '{Template}'";

    /// <inheritdoc/>
    public override Regex Ready { get; }

    /// <inheritdoc/>
    public override TargetLaunch Launch(string dir, int port, AppendFsync policy)
    {
        string[] args = [.. words.Select(w => w.Replace("{port}", port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{dir}", dir, StringComparison.Ordinal).Replace("{policy}", policy.ToString().ToLowerInvariant(), StringComparison.Ordinal))];
        return new TargetLaunch(args[0], args[1..]);
    }
}
