using AofSim.Engine.Data;
using AofSim.Engine.Profiles;
using System.Runtime.CompilerServices;

namespace AofSim.Engine.Commands;

/// <summary>
/// Runs commands the way the seed's processCommand() and call() do: look the command up, check
/// its arity, queue it inside MULTI, run it, and propagate it when it changed the dataset.
/// </summary>
public sealed class CommandProcessor
{
    private static readonly CommandArgs MultiArgs = CommandArgs.Of("MULTI");
    private static readonly CommandArgs ExecArgs = CommandArgs.Of("EXEC");

    /// <summary>Creates a processor over <paramref name="data"/>.</summary>
    public CommandProcessor(Dataset data, Profile profile, IRandomSource random) =>
        Context = new CommandContext(data, profile, random);

    /// <summary>The execution context shared by every command.</summary>
    public CommandContext Context { get; }

    /// <summary>
    /// processCommand: runs or queues one command for <paramref name="client"/>, replying into
    /// <paramref name="reply"/>.
    /// </summary>
    public void Execute(Client client, CommandArgs argv, ReplyWriter reply, long nowMs) =>
        Execute(client, CommandTable.Lookup(argv[0]), argv, reply, nowMs);

    /// <summary><see cref="Execute(Client, CommandArgs, ReplyWriter, long)"/> with the command already looked up (null: unknown).</summary>
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Execute(Client client, CommandDef? cmd, CommandArgs argv, ReplyWriter reply, long nowMs)
    {
        Context.Reply = reply;
        if (cmd is null)
        {
            FlagQueueError(client);
            reply.Error(Errors.UnknownCommand(argv.Text(0)));
            return;
        }

        if (!cmd.AcceptsArgc(argv.Count))
        {
            FlagQueueError(client);
            reply.Error(Errors.Arity(cmd.Name));
            return;
        }

        if (client.InMulti && (cmd.Flags & CommandFlags.Transaction) == 0)
        {
            client.Queue.Add((cmd, argv.Clone()));
            reply.Status("QUEUED");
            return;
        }

        switch (cmd.Name)
        {
            case "multi":
                Multi(client, reply);
                break;
            case "exec":
                Exec(client, reply, nowMs);
                break;
            case "discard":
                Discard(client, reply);
                break;
            default:
                Call(client, cmd, argv, nowMs);
                break;
        }
    }

    /// <summary>
    /// call(): runs <paramref name="cmd"/> with the reply already set, and propagates it (or
    /// what it asked to be replayed as) when it raised the dirty counter.
    /// </summary>
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Call(Client client, CommandDef cmd, CommandArgs argv, long nowMs)
    {
        CommandContext ctx = Context;
        ctx.DbIndex = client.Db;
        ctx.NowMs = nowMs;
        ctx.PropagateAs = null;
        ctx.PreventPropagation = false;
        long dirtyBefore = ctx.Dirty;
        cmd.Handler(ctx, argv);
        client.Db = ctx.DbIndex;
        if (ctx.Dirty != dirtyBefore && ctx.Sink is not null && !ctx.PreventPropagation)
        {
            // A rewritten vector is propagated as the command it names (the seed's
            // rewriteClientCommandVector updates c->cmd too): EXPIRE in the past goes out as DEL.
            CommandDef propagated = ctx.PropagateAs is { } rewritten ? CommandTable.Lookup(rewritten[0]) ?? cmd : cmd;
            ctx.Sink.Propagate(propagated, ctx.DbIndex, ctx.PropagateAs ?? argv);
        }

        ctx.PropagateAs = null;
    }

    private static void FlagQueueError(Client client)
    {
        if (client.InMulti)
        {
            client.ExecAborted = true;
        }
    }

    private static void Multi(Client client, ReplyWriter reply)
    {
        if (client.InMulti)
        {
            reply.Error(Errors.NestedMulti);
            return;
        }

        client.InMulti = true;
        reply.Ok();
    }

    private static void Discard(Client client, ReplyWriter reply)
    {
        if (!client.InMulti)
        {
            reply.Error(Errors.DiscardWithoutMulti);
            return;
        }

        client.ResetMulti();
        reply.Ok();
    }

    // execCommand: MULTI is propagated just before the first write of the block, and EXEC after
    // it, so that the AOF gets the block whole (the seed's execCommandReplicateMulti).
    private void Exec(Client client, ReplyWriter reply, long nowMs)
    {
        if (!client.InMulti)
        {
            reply.Error(Errors.ExecWithoutMulti);
            return;
        }

        if (client.ExecAborted)
        {
            client.ResetMulti();
            reply.Error(Errors.ExecAbort);
            return;
        }

        var queued = client.Queue.ToArray();
        client.ResetMulti();
        reply.ArrayHeader(queued.Length);
        bool propagated = false;
        Context.InExec = true;
        try
        {
            foreach ((CommandDef cmd, CommandArgs args) in queued)
            {
                if (!propagated && cmd.IsWrite)
                {
                    Context.Sink?.Propagate(CommandTable.Multi, client.Db, MultiArgs);
                    propagated = true;
                }

                Call(client, cmd, args, nowMs);
            }
        }
        finally
        {
            Context.InExec = false;
        }

        if (propagated)
        {
            Context.Sink?.Propagate(CommandTable.Exec, client.Db, ExecArgs);
        }
    }
}
