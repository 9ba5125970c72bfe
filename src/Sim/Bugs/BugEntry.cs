namespace AofSim.Sim.Bugs;

/// <summary>One fix switch of the profile as a bug the harness should find blind.</summary>
/// <param name="Switch">The profile switch (src/Engine/Profiles/Profile.cs) whose removal brings the bug back.</param>
/// <param name="Reference">The Redis reference: the number in the catalog of historical bugs (../shared/notes/redis-aof-facts.md, docs/profiles.md) and its PR or issue.</param>
/// <param name="Mechanism">What goes wrong without the fix, in a line.</param>
/// <param name="Findable">True when the default campaign is expected to find it blind.</param>
/// <param name="Gap">For a known gap: why the default campaign does not find it (suspected where not proven).</param>
public sealed record BugEntry(string Switch, string Reference, string Mechanism, bool Findable, string? Gap = null);
