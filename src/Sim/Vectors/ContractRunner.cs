using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using AofSim.Engine.Text;

namespace AofSim.Sim.Vectors;

/// <summary>
/// <c>vectors verify</c>: runs vectors through an implementation started as a long-lived
/// process (docs/porting.md): a request line per vector on its stdin, an answer line per
/// request on its stdout, compared with the vector's expected output (or, for an acceptable
/// verdict, any of the listed outputs).
/// </summary>
internal sealed class ContractRunner(TextWriter log)
{
    /// <summary>How long one answer may take.</summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The options of one run.</summary>
    /// <param name="Command">The implementation's command line, run by /bin/sh -c.</param>
    /// <param name="Groups">The groups to run (all when empty).</param>
    /// <param name="Skip">Glob patterns of vector ids not to run.</param>
    /// <param name="Claims">When set, only the vectors whose flags.redis names this version.</param>
    public sealed record Options(string Command, IReadOnlyList<string> Groups, IReadOnlyList<string> Skip, string? Claims);

    /// <summary>Runs <paramref name="groups"/>; returns the exit code (1 on any failure).</summary>
    public int Run(IEnumerable<(string Group, JsonArray Vectors)> groups, Options options)
    {
        using var impl = new Impl(options.Command);
        bool failed = false;
        foreach ((string group, JsonArray vectors) in groups)
        {
            if (options.Groups.Count > 0 && !options.Groups.Contains(group))
            {
                continue;
            }

            int passed = 0, failures = 0;
            log.WriteLine($"# {group}");
            foreach (JsonObject v in vectors.OfType<JsonObject>())
            {
                string id = v["id"]!.GetValue<string>();
                if (options.Skip.Any(p => Glob.IsMatch(System.Text.Encoding.UTF8.GetBytes(p), System.Text.Encoding.UTF8.GetBytes(id))))
                {
                    continue;
                }

                if (options.Claims is string version && !(v["flags"]?["redis"] as JsonArray ?? []).Any(r => r?.GetValue<string>() == version))
                {
                    continue;
                }

                string? problem = Compare(v, impl.Ask(new JsonObject
                {
                    ["id"] = id,
                    ["group"] = group,
                    ["profile"] = v["flags"]!["profile"]!.DeepClone(),
                    ["input"] = v["input"]!.DeepClone(),
                }));
                if (problem is null)
                {
                    passed++;
                }
                else
                {
                    failures++;
                    log.WriteLine($"FAIL {id}: {problem}");
                }
            }

            log.WriteLine($"{passed} passed, {failures} failed");
            failed |= failures > 0;
        }

        return failed ? 1 : 0;
    }

    // Null when the answer matches; otherwise what differs, in one line.
    private static string? Compare(JsonObject vector, (JsonObject? Answer, string? Error) reply)
    {
        if (reply.Error is not null)
        {
            return reply.Error;
        }

        JsonObject answer = reply.Answer!;
        if (answer["id"]?.GetValueKind() != JsonValueKind.String || answer["id"]!.GetValue<string>() != vector["id"]!.GetValue<string>())
        {
            return $"the answer's id is {VectorJson.Serialize(answer["id"])}";
        }

        if (answer["error"] is JsonNode error)
        {
            return $"the implementation answered an error: {VectorJson.Serialize(error)}";
        }

        JsonNode? output = answer["output"];
        if (VectorJson.Same(output, vector["expected"]) || (vector["also_acceptable"] as JsonArray ?? []).Any(a => VectorJson.Same(output, a)))
        {
            return null;
        }

        return $"expected {Short(vector["expected"])}, got {Short(output)}";
    }

    private static string Short(JsonNode? node)
    {
        string s = VectorJson.Serialize(node);
        return s.Length <= 2000 ? s : s[..2000] + "…";
    }

    // The implementation's process: started once, asked one line at a time.
    private sealed class Impl : IDisposable
    {
        private readonly Process process;
        private string? dead;

        public Impl(string command)
        {
            var psi = new ProcessStartInfo("/bin/sh")
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = false,
            };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(command);
            try
            {
                process = Process.Start(psi) ?? throw new VectorInputException($"cannot start '{command}'");
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new VectorInputException($"cannot start '{command}': {e.Message}");
            }

            process.StandardInput.AutoFlush = true;
        }

        public (JsonObject? Answer, string? Error) Ask(JsonObject request)
        {
            if (dead is not null)
            {
                return (null, dead);
            }

            try
            {
                process.StandardInput.WriteLine(VectorJson.Serialize(request));
                Task<string?> line = process.StandardOutput.ReadLineAsync();
                if (!line.Wait(AnswerTimeout))
                {
                    dead = $"no answer within {AnswerTimeout.TotalSeconds} s";
                    Kill();
                    return (null, dead);
                }

                if (line.Result is not string text)
                {
                    dead = "the implementation closed its output (exited?)";
                    return (null, dead);
                }

                return JsonNode.Parse(text) is JsonObject o ? (o, null) : (null, "the answer is not a JSON object");
            }
            catch (IOException e)
            {
                dead = $"the implementation is gone: {e.Message}";
                return (null, dead);
            }
            catch (JsonException e)
            {
                return (null, $"the answer is not JSON: {e.Message}");
            }
        }

        public void Dispose()
        {
            try
            {
                process.StandardInput.Close();
                if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
                {
                    Kill();
                }
            }
            catch (IOException)
            {
                Kill();
            }
            finally
            {
                process.Dispose();
            }
        }

        private void Kill()
        {
            try
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(TimeSpan.FromSeconds(10));
            }
            catch (InvalidOperationException)
            {
            }
        }
    }
}
