using AofSim.Engine.Server;

namespace AofSim.Blackbox.Benchmarks;

/// <summary>redis-benchmark's SET figure against redis-server on one disk under one policy.</summary>
/// <param name="Policy">appendfsync.</param>
/// <param name="Disk">The disk, in words ("fuse posix", "plain").</param>
/// <param name="Requests">SET requests sent.</param>
/// <param name="Clients">Parallel connections.</param>
/// <param name="RequestsPerSecond">What redis-benchmark reported.</param>
/// <param name="LoadBefore">The 1-minute load average before.</param>
/// <param name="LoadAfter">The 1-minute load average after.</param>
public sealed record SetThroughput(AppendFsync Policy, string Disk, int Requests, int Clients, double RequestsPerSecond, double LoadBefore, double LoadAfter);
