using System.CommandLine;
using AofSim.Sim.Vectors;

namespace AofSim.Sim.Cli;

/// <summary>
/// <c>aofsim vectors export|verify|serve-impl</c>: the porting kit's conformance vectors and the
/// process contract that runs them through a port (docs/porting.md).
/// </summary>
internal static class VectorsVerb
{
    public static Command Build(CliIo io)
    {
        var dir = new Argument<string>("DIR") { Description = "Where to write the set: DIR/v1/schema.json and DIR/v1/<group>.json" };
        var export = new Command("export", "Write the vector set, generated from the engine") { dir };
        export.SetAction(r => Export(io, r.GetValue(dir)!));

        var impl = new Option<string>("--impl") { Description = "The implementation's command line (run by /bin/sh -c): one JSON request per line on its stdin, one JSON answer per line on its stdout", Required = true };
        var group = new Option<string[]>("--group") { Description = "Run only this group (repeatable): encoding, feed, load, check, rewrite, flush, rewrite-done" };
        var skip = new Option<string[]>("--skip") { Description = "Do not run the vectors whose id matches this glob (repeatable), e.g. 'load/*-redis26'" };
        var vectors = new Option<string?>("--vectors") { Description = "A v1 directory of vector files (default: the set built into this aofsim)" };
        var claims = new Option<string?>("--claims") { Description = "Run only the vectors that claim this Redis version's behaviour (flags.redis), e.g. 7.0.15" };
        var verify = new Command("verify", "Run the vectors through an implementation; print 'N passed, M failed' per group; exit 1 on a failure") { impl, group, skip, vectors, claims };
        verify.SetAction(r => Verify(io, r.GetValue(impl)!, r.GetValue(group) ?? [], r.GetValue(skip) ?? [], r.GetValue(vectors), r.GetValue(claims)));

        var flip = new Option<string?>("--flip") { Description = "Flip this profile switch in every request: a deliberately broken port" };
        var serve = new Command("serve-impl", "Answer vector requests on stdin with the engine, one JSON line each (the contract's reference implementation)") { flip };
        serve.SetAction(r => Serve(io, r.GetValue(flip)));

        return new Command("vectors", "Conformance vectors for ports of the AOF, and the process contract that runs them") { export, verify, serve };
    }

    private static int Export(CliIo io, string dir)
    {
        foreach ((string group, int count) in VectorSet.Export(dir))
        {
            io.Out.WriteLine($"{group}: {count} vectors");
        }

        return 0;
    }

    private static int Verify(CliIo io, string impl, string[] groups, string[] skip, string? dir, string? claims)
    {
        foreach (string g in groups)
        {
            if (!ReferenceImplementation.Groups.Contains(g))
            {
                throw new UsageException($"unknown group '{g}' (one of {string.Join(", ", ReferenceImplementation.Groups)})");
            }
        }

        try
        {
            IEnumerable<(string, System.Text.Json.Nodes.JsonArray)> set = dir is null
                ? VectorSet.Build().Select(f => (f.Group, (System.Text.Json.Nodes.JsonArray)f.File["vectors"]!))
                : VectorSet.Read(Common.ExistingPath(new System.IO.Abstractions.FileSystem(), dir)).ToList();
            return new ContractRunner(io.Out).Run(set, new ContractRunner.Options(impl, groups, skip, claims));
        }
        catch (Exception e) when (e is VectorInputException or InvalidOperationException)
        {
            // A vector file edited by hand into something the runner cannot read.
            throw new UsageException(e.Message);
        }
    }

    private static int Serve(CliIo io, string? flip)
    {
        try
        {
            return ContractServer.Serve(Console.In, io.Out, flip);
        }
        catch (VectorInputException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
