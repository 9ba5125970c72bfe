using AofSim.Engine.Commands;

namespace AofSim.Sim.Serve;

/// <summary>
/// The commands of one read from a client, handed to the loop, and what ended the read (a
/// protocol error). The reader waits on <see cref="Done"/> before it reads again: the commands
/// point into its buffers, and a client is read only between its commands, as redis-server does.
/// </summary>
internal sealed class RequestBatch(IReadOnlyList<CommandArgs> commands, string? protocolError)
{
    private readonly TaskCompletionSource<bool> done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The commands, in the order the client sent them.</summary>
    public IReadOnlyList<CommandArgs> Commands => commands;

    /// <summary>The error (with its ERR prefix) the stream broke with after them, if it did.</summary>
    public string? ProtocolError => protocolError;

    /// <summary>Completes once the loop has run the commands: true to go on reading, false to stop.</summary>
    public Task<bool> Done => done.Task;

    /// <summary>Called by the loop once the commands have run.</summary>
    public void Complete(bool keepReading) => done.TrySetResult(keepReading);
}
