using AofSim.Sim.Simulating;

namespace AofSim.Sim.Visualizing;

/// <summary>One trace line placed on the timeline.</summary>
/// <param name="Line">The line's index in the trace.</param>
/// <param name="Lane">The lane it is drawn in.</param>
/// <param name="Kind">What it is, in a word (cmd, ack, write, fsync, power-loss, violation...): its marker's style.</param>
/// <param name="Text">The line without its "e=N t=+MS" prefix and indentation.</param>
/// <param name="Stamp">The world when the line was added.</param>
public sealed record TimelineEvent(int Line, TimelineLane Lane, string Kind, string Text, TraceStamp Stamp);
